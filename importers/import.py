#!/usr/bin/env python3
"""The store's import configuration: beangulp's command line and Fava's import page.

Command line (beangulp):  python importers/import.py extract 支付宝账务明细.csv -e main.beancount
Fava: add to the ledger   custom "fava-option" "import-config" "importers/import.py"
                          custom "fava-option" "import-dirs" "documents/inbox"
Edit the arguments below to point the importers at your own accounts or a rule table of your own
(a TOML file that extends the default classification rules).
"""

import beangulp

from beancount_tmall.importers.alipay import AlipayStatementImporter
from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter

CONFIG = [
    AlipayStatementImporter(),
    FeeInvoiceImporter(),
]

if __name__ == "__main__":
    beangulp.Ingest(CONFIG)()
