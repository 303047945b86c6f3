"""The goods side of the books: cost of sales, returns, breakage (issue 8)."""
