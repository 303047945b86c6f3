"""A month of statements not given is named: its settlements cannot be seen."""

import datetime
from pathlib import Path

from beancount_tmall.orders import engine, report, sources

DEMO = Path(__file__).resolve().parent.parent / "ledgers" / "demo" / "documents"
ALIPAY = DEMO / "Assets" / "1012-其他货币资金" / "101201-支付宝"
ORDERS = DEMO / "Income" / "6001-主营业务收入"


def _statement(month: str) -> Path:
    (path,) = ALIPAY.glob(f"*_{month}_账务明细.csv")
    return path


def test_a_missing_month_is_a_gap_and_the_summary_says_so():
    statements = [_statement(m) for m in ("202501", "202502", "202504")]
    assert sources.statement_gaps(statements) == [
        (datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1))
    ]
    orders = sorted(ORDERS.glob("*ExportOrderList202501.csv"))
    result = engine.reconcile(orders, statements, month="2025-01")
    assert result.gaps == [(datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1))]
    text = report.render_text(result)
    assert "2025-03-01 00:00:00 至 2025-04-01 00:00:00 没有账务明细" in text


def test_contiguous_statements_have_no_gap():
    statements = [_statement(m) for m in ("202503", "202501", "202502")]  # any order
    assert sources.statement_gaps(statements) == []
    assert sources.statement_gaps(statements[:1]) == []
