#!/usr/bin/env python3
"""The store's import configuration, for beangulp's command line and Fava's import page.

Command line:  python import.py extract documents/inbox -e main.beancount >> 2025/03.beancount
               python import.py archive documents/inbox -o documents   (files the raw statements)
Fava:          main.beancount has  custom "fava-option" "import-config" "import.py"
                                   custom "fava-option" "import-dirs" "documents/inbox"
               drop the downloaded files into documents/inbox and use Fava's import page.

Both identify Alipay account statements (CSV or the bill-download zip) and fee-invoice CSVs, and
leave out what main.beancount already holds (by 账务流水号 and 发票号码). Put the month's Tmall order
exports (订单报表) beside the statement: the sales then carry their 消费积分. Edit the arguments
below for your own accounts or rule table; `tmall-books extract` does the same from the shell.
"""

import beangulp

from beancount_tmall.importers.alipay import AlipayStatementImporter
from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter

CONFIG = [
    AlipayStatementImporter(
        # 消费积分 of each day's sales from the Tmall order exports (订单报表) in the same folder:
        orders="beside",
        # account="Assets:1012-其他货币资金:101201-支付宝",
        # rules="rules.toml",   # your own classification rules, extending the defaults
        # per_row=False,        # True: one transaction per statement row instead of per day
        # mask=True,            # False: keep buyers' names and accounts unmasked
    ),
    FeeInvoiceImporter(),
]

if __name__ == "__main__":
    beangulp.Ingest(CONFIG)()
