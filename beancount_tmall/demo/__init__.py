"""The generator of a fictional Tmall store's year of source files (DESIGN §1)."""
