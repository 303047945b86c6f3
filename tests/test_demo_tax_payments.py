"""The demo pays what each month-end close accrued, on the 15th of the next month."""

import datetime
from decimal import Decimal

from beancount import loader

from beancount_tmall.demo.build import tax_payments_text

LEDGER = """
2025-01-01 open Assets:1002-银行存款 CNY
2025-01-01 open Expenses:6403-税金及附加 CNY
2025-01-01 open Expenses:6801-所得税费用 CNY
2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额 CNY
2025-01-01 open Liabilities:2221-应交税费:222102-未交增值税 CNY
2025-01-01 open Liabilities:2221-应交税费:222104-应交城市维护建设税 CNY
2025-01-01 open Liabilities:2221-应交税费:222107-应交企业所得税 CNY

2025-03-31 * "结账" "2025-03 转出未交增值税" #close
  period: "2025-03"
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   100.00 CNY
  Liabilities:2221-应交税费:222102-未交增值税                 -100.00 CNY

2025-03-31 * "结账" "2025-03 计提税金及附加" #close
  period: "2025-03"
  Expenses:6403-税金及附加                                7.00 CNY
  Liabilities:2221-应交税费:222104-应交城市维护建设税          -7.00 CNY

2025-03-31 * "结账" "2025-03 计提企业所得税" #close
  period: "2025-03"
  Expenses:6801-所得税费用                               50.00 CNY
  Liabilities:2221-应交税费:222107-应交企业所得税             -50.00 CNY

2025-04-30 * "结账" "2025-04 转出未交增值税" #close
  period: "2025-04"
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    30.00 CNY
  Liabilities:2221-应交税费:222102-未交增值税                  -30.00 CNY
"""


def test_each_close_is_paid_on_the_15th_of_the_next_month():
    entries, errors, _ = loader.load_string(LEDGER)
    assert not errors
    text = tax_payments_text(entries, datetime.date(2025, 5, 10))  # April's is not due yet
    paid, errors, _ = loader.load_string(LEDGER + text)
    assert not errors
    payments = [e for e in paid if "tax-payment" in getattr(e, "tags", ())]
    assert [(e.date, e.meta["period"]) for e in payments] == [(datetime.date(2025, 4, 15), "2025-03")]
    bank = [p.units.number for p in payments[0].postings if p.account == "Assets:1002-银行存款"]
    assert bank == [Decimal("-157.00")]
    text = tax_payments_text(entries, datetime.date(2025, 5, 15))
    assert "2025-05-15" in text and "-30.00 CNY" in text
