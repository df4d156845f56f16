"""Bounds that several apps validate against."""

# The largest quantity an integer column holds on every supported database.
MAX_STOCK_QUANTITY = 2**31 - 1
