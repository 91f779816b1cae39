"""The association's console: the network's perimeters through their phases, coaching, training
days and figures."""
