#!/usr/bin/env python3
"""The store's import configuration, for Fava's import page and beangulp's command line.

From the shell, use tmall-books (it files everything and never overwrites):
               tmall-books import documents/inbox/*      (entries into YYYY/MM.beancount by date,
                                                          include lines, sources archived under documents/)
Fava:          main.beancount has  custom "fava-option" "import-config" "import.py"
                                   custom "fava-option" "import-dirs" "documents/inbox"
               drop the downloaded files into documents/inbox and use Fava's import page.
beangulp:      python import.py extract documents/inbox -e main.beancount   (prints the entries;
               append them yourself with >>, never > into a month file: > empties it first)

All identify Alipay account statements (CSV or the bill-download zip) and fee-invoice CSVs, and
leave out what main.beancount already holds (by 账务流水号 and 发票号码). Put the month's Tmall order
exports (订单报表) beside the statement: the sales then carry their 消费积分. Edit the arguments
below for your own accounts or rule table.
"""

from pathlib import Path

import beangulp

from beancount_tmall.importers.alipay import AlipayStatementImporter
from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter

#: The store's own classification rules beside this file (as `tmall-books import` uses them).
RULES = Path(__file__).with_name("rules.toml")

CONFIG = [
    AlipayStatementImporter(
        # 消费积分 of each day's sales from the Tmall order exports (订单报表) in the same folder:
        orders="beside",
        # account="Assets:1012-其他货币资金:101201-支付宝",
        rules=RULES if RULES.exists() else None,  # rules.toml: your rules, extending the defaults
        # per_row=False,        # True: one transaction per statement row instead of per day
        # mask=True,            # False: keep buyers' names and accounts unmasked
    ),
    FeeInvoiceImporter(),
]

if __name__ == "__main__":
    beangulp.Ingest(CONFIG)()
