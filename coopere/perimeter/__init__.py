"""The perimeter: its settings, its public page and its animation group."""
