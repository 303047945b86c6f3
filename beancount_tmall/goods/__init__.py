"""The goods side of the books (issue 8): cost of sales, returns."""
