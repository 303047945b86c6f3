"""Beancount plugins, one module per accounting rule of seed 000 (DESIGN §4).

``PLUGINS`` lists them in the order a ledger should load them.
"""

PLUGINS: tuple[str, ...] = (
    "beancount_tmall.plugins.sales",
    "beancount_tmall.plugins.invoices",
    "beancount_tmall.plugins.annual_fee",
    "beancount_tmall.plugins.consumer_points",
    "beancount_tmall.plugins.breakage",
    "beancount_tmall.plugins.approvals",
    "beancount_tmall.plugins.suspense",
    "beancount_tmall.plugins.inventory",
)
