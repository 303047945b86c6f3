"""The shared report output (render) and per-account period figures (balances)."""

import datetime
from decimal import Decimal

import pytest
from beancount import loader

from beancount_tmall.reports import balances, render


def _table():
    return render.Table(
        "科目汇总表",
        [render.Column("科目"), render.Column("借方", "right")],
        [["1002 银行存款", Decimal("1234567.5")], ["=1+2", Decimal("-12")], ["@x", 3]],
        footer=[["合计", Decimal("1234558.5")]],
        notes=["试算平衡"],
    )


def test_text_aligns_cjk_and_right_aligns_numbers():
    lines = render.render([_table()], "text").splitlines()
    assert lines[0] == "科目汇总表"
    body = [line for line in lines if "银行存款" in line or "=1+2" in line]
    # CJK counts two columns: both amounts end in the same terminal column
    assert [render.width(line) for line in body] == [render.width(body[0])] * 2
    assert body[0].endswith("1,234,567.50") and body[1].endswith("-12.00")
    assert lines[-1] == "试算平衡"


def test_csv_is_formula_safe_and_keeps_numbers():
    rows = render.render([_table()], "csv").splitlines()
    assert rows[2] == "1002 银行存款,1234567.50"
    assert rows[3] == "'=1+2,-12.00"  # a formula is neutralised, a negative number stays a number
    assert rows[4] == "'@x,3"
    for text in ("+1", "-a", "\tx", "\rx"):
        assert render.csv_cell(text) == "'" + text
    assert render.csv_cell("-12.50") == "-12.50"


def test_write_csv_has_bom(tmp_path):
    out = tmp_path / "r.csv"
    render.write(render.render([_table()], "csv"), out, "csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf\xe7\xa7\x91")


def test_html_escapes_and_marks_numbers():
    page = render.html_page([_table()], "报表 <1>")
    assert "&lt;1&gt;" in page and '<td class="num">1,234,567.50</td>' in page
    assert "<tfoot>" in page


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="未知的输出格式"):
        render.render([_table()], "xls")


LEDGER = """
2025-01-01 open Assets:1002-银行存款 CNY
  name: "银行存款"
2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额 CNY
2025-01-01 open Income:6001-主营业务收入 CNY
2025-01-01 open Equity:4001-实收资本
2025-01-01 open Assets:1001-库存现金 USD

2025-02-10 * "投资"
  Assets:1002-银行存款      1000.00 CNY
  Equity:4001-实收资本     -1000.00 CNY

2025-03-05 * "销售"
  Assets:1002-银行存款       113.00 CNY
  Income:6001-主营业务收入     -100.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -13.00 CNY

2025-03-06 * "退款"
  Assets:1002-银行存款       -11.30 CNY
  Income:6001-主营业务收入       10.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    1.30 CNY

2025-03-07 * "美元"
  Assets:1001-库存现金  5 USD
  Equity:4001-实收资本  -5 USD

2025-04-01 * "下月"
  Assets:1002-银行存款       1.00 CNY
  Equity:4001-实收资本      -1.00 CNY
"""


def test_activity_of_a_month():
    entries, errors, _ = loader.load_string(LEDGER)
    assert not errors
    start, end, label = balances.period(month="2025-3")
    assert (start, end, label) == (datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), "2025-03")
    acts = balances.activity(entries, start, end)
    bank = acts["Assets:1002-银行存款"]
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (
        Decimal("1000.00"), Decimal("113.00"), Decimal("11.30"), Decimal("1101.70"))
    income = acts["Income:6001-主营业务收入"]
    assert (income.debit, income.credit, income.closing) == (Decimal("10.00"), Decimal("100.00"), Decimal("-90.00"))
    assert len(acts.foreign) == 2  # the USD postings are reported, not summed
    assert sum(a.debit for a in acts.values()) == sum(a.credit for a in acts.values())
    top = balances.rollup(acts, 1)
    assert top["Liabilities:2221-应交税费"].closing == Decimal("-11.70")
    assert balances.by_code(top)[:2] == ["Assets:1002-银行存款", "Liabilities:2221-应交税费"]


def test_codes_and_names():
    entries, _, _ = loader.load_string(LEDGER)
    names = balances.account_names(entries)
    vat = "Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额"
    assert balances.code_of(vat) == "22210102"
    assert balances.name_of(vat, names) == "销项税额"
    assert names["Assets:1002-银行存款"] == "银行存款"
    assert balances.parent_at(vat, 2) == "Liabilities:2221-应交税费:222101-应交增值税"


@pytest.mark.parametrize("month, year", [(None, None), ("2025-13", None), ("2025-03", 2025)])
def test_period_refuses_bad_input(month, year):
    with pytest.raises(ValueError):
        balances.period(month=month, year=year)


OPENED = """
2025-01-01 open Assets:1002-银行存款 CNY
2025-01-01 open Equity:4001-实收资本 CNY

2025-01-01 * "期初余额" "期初余额表" #opening
  Assets:1002-银行存款      5000.00 CNY
  Equity:4001-实收资本     -5000.00 CNY

2025-01-02 * "投资"
  Assets:1002-银行存款       100.00 CNY
  Equity:4001-实收资本      -100.00 CNY
"""


def test_the_opening_entry_is_the_opening_balance_not_activity():
    entries, errors, _ = loader.load_string(OPENED)
    assert not errors
    january = balances.activity(entries, *balances.period(month="2025-01")[:2])
    bank = january["Assets:1002-银行存款"]
    assert (bank.opening, bank.debit, bank.credit) == (Decimal("5000.00"), Decimal("100.00"), Decimal("0"))
    assert balances.is_opening(entries[2]) and not balances.is_opening(entries[3])
