"""Exchanges: a neighbour answers a listing ("I can help" / "I'm interested"), a private thread
follows, the owner accepts or declines; contact details are shared only once accepted."""
