"""Order-level reconciliation (issue 9): which orders Tmall did not settle right.

``sources`` streams the exports and statements into records keyed by order id, ``engine`` is the
one entry point (:func:`~beancount_tmall.orders.engine.reconcile`), ``findings`` holds the rules,
``rates`` the store's rates file, ``report`` the terminal summary and the CSV, ``cli`` the
``tmall-books reconcile orders`` command.
"""
