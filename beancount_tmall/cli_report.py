"""``tmall-books report …``: the accountant's monthly statements (科目汇总表, 利润表, 资产负债表).

Thin commands: each loads the ledger, calls ``beancount_tmall.reports`` and prints with
``beancount_tmall.reports.render`` (``--format text|csv|html``, ``-o FILE``).
"""

from __future__ import annotations

import click


@click.group("report")
def report() -> None:
    """会计报表: 科目汇总表 (试算平衡)、利润表、资产负债表.

    (The accountant's statements: trial balance, income statement, balance sheet.)
    """


# --- trial-balance (books) ---


# --- income, balance (statements) ---
