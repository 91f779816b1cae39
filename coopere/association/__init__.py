"""The association: its console over the network's perimeters (phases, coaching, figures)."""
