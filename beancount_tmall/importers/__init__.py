"""beangulp importers: typed rows from ``formats`` turned into Beancount entries."""
