"""The monthly newsletter (« La lettre des voisins »): a draft built from the month's data, edited
block by block, published three ways from one source (members' page and public page, email to
consenting members, paper)."""
