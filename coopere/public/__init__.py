"""Pages for everyone: the public home page and the visitor's language choice."""
