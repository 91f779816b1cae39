"""Offers and needs across the themes of cooperation (the themes come first)."""
