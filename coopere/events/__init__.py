"""Events: cafés-rencontres, apéros-info and the other gatherings of the network."""
