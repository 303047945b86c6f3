"""``tmall-books close``: 月末结账 (issue 10 §7, §1 VAT rounding). Hand-computed expectations."""

import datetime
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from conftest import chart_text

from beancount_tmall import accounts
from beancount_tmall.cli import main as cli
from beancount_tmall.reports import close

D = Decimal

HEAD = 'plugin "beancount_tmall.plugins.sales"\n'


def ledger(tmp_path, body: str, head: str = HEAD):
    path = tmp_path / "main.beancount"
    path.write_text(head + chart_text() + body, encoding="utf-8")
    return path


def write_close(path, months):
    result = close.plan_close(path, months)
    if result.plan is not None:
        close.filing.apply_plan(result.plan)
    return result


def month_postings(path, account, month, kind=None):
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    return sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction) and f"{e.date:%Y-%m}" == month
            and (kind is None or e.meta.get("close") == kind)
            for p in e.postings
            if p.account == account
        ),
        D(0),
    )


def sale(date: str, gross: str, tag: str = "tmall-sale") -> str:
    return (
        f'{date} * "天猫" "结算" #{tag}\n  source: "alipay"\n'
        f"  Assets:1012-其他货币资金:101201-支付宝  {gross} CNY\n"
        f"  Income:6001-主营业务收入  -{gross} CNY\n\n"
    )


def refund(date: str, amount: str, tag: str = "tmall-sale") -> str:
    return (
        f'{date} * "天猫" "退款" #{tag}\n  source: "alipay"\n'
        f"  Income:6001-主营业务收入  {amount} CNY\n"
        f"  Assets:1012-其他货币资金:101201-支付宝  -{amount} CNY\n\n"
    )


END = "2025-04-01 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n"


# --------------------------------------------------------------------------- VAT rounding


def test_per_row_100_sales_of_one_yuan_give_11_50_after_close(tmp_path):
    # Each 1.00 splits alone: 1.00 / 1.13 = 0.885 → 0.88 revenue, 0.12 VAT: 100 × 0.12 = 12.00.
    # The month: 100.00 × 13 / 113 = 11.504 → 11.50; the close takes 0.50 off 销项税额.
    path = ledger(tmp_path, "".join(sale(f"2025-03-{i % 28 + 1:02d}", "1.00") for i in range(100)) + END)
    (month,) = write_close(path, ["2025-03"]).months
    assert (month.vat.booked_output, month.vat.output, month.vat.rounding) == (D("12.00"), D("11.50"), D("-0.50"))
    assert month.vat.sales == D("88.50")  # 销售额 = 100.00 − 11.50
    assert month_postings(path, accounts.OUTPUT_VAT, "2025-03", "vat-rounding") == D("0.50")
    vat_before_transfer = sum(
        month_postings(path, accounts.OUTPUT_VAT, "2025-03", k) for k in (None,)
    ) - month_postings(path, accounts.OUTPUT_VAT, "2025-03", "vat")
    assert vat_before_transfer == D("-11.50")  # the ledger now says what the return says
    assert month_postings(path, accounts.REVENUE, "2025-03") == D("-88.50")


def test_daily_entries_with_refund_and_points_payback(tmp_path):
    # Four days of 25.00: 25 / 1.13 = 22.124 → 22.12, VAT 2.88; × 4 = 11.52. A refund of 1.00
    # (VAT 0.12 back) and 2.00 of 消费积分 paid back (2 / 1.13 = 1.770 → 1.77, VAT 0.23 back):
    # booked 11.52 − 0.12 − 0.23 = 11.17. Gross 100 − 1 − 2 = 97.00 × 13 / 113 = 11.159 → 11.16.
    body = "".join(sale(f"2025-03-0{d}", "25.00") for d in range(1, 5))
    body += refund("2025-03-10", "1.00") + refund("2025-03-11", "2.00", tag="points-payback") + END
    path = ledger(tmp_path, body)
    (month,) = write_close(path, ["2025-03"]).months
    assert (month.vat.gross, month.vat.booked_output, month.vat.output) == (D("97.00"), D("11.17"), D("11.16"))
    assert month_postings(path, accounts.OUTPUT_VAT, "2025-03", "vat-rounding") == D("0.01")
    # The same sales as 100 rows of 1.00 less the same refunds end at the same 11.16.
    rows = "".join(sale(f"2025-03-0{i % 4 + 1}", "1.00") for i in range(100))
    rows += refund("2025-03-10", "1.00") + refund("2025-03-11", "2.00", tag="points-payback") + END
    (per_row,) = close.plan_close(ledger(tmp_path, rows), ["2025-03"]).months
    assert per_row.vat.output == D("11.16") and per_row.vat.booked_output == D("11.65")  # 12.00 − 0.35


# --------------------------------------------------------------------------- VAT payable, credit, surtax


PURCHASE = """2025-01-05 * "供应商" "采购 (专票)"
  Assets:1405-库存商品  4000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额  600.00 CNY
  Assets:1002-银行存款  -4600.00 CNY

"""


def test_credit_carried_forward_then_payable_surtax_and_quarter_income_tax(tmp_path):
    body = PURCHASE + sale("2025-01-20", "1130.00") + sale("2025-02-20", "11300.00")
    body += "2025-03-31 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n"
    path = ledger(tmp_path, body)
    jan, feb, mar = write_close(path, ["2025-01", "2025-02", "2025-03"]).months
    # January: 销项 130.00 − 进项 600.00 = −470.00: nothing payable, 470.00 留抵, no entry at all.
    assert (jan.vat.output, jan.vat.input, jan.vat.payable, jan.vat.carried_out) == (
        D("130.00"), D("600.00"), D(0), D("470.00"))
    assert jan.entries == []
    # February: 1300.00 − 上期留抵 470.00 = 830.00 payable; the balances are cleared:
    # 销项 130 + 1300 = 1430.00 debited, 进项 600.00 credited, 未交增值税 830.00 credited.
    assert (feb.vat.carried_in, feb.vat.payable, feb.vat.carried_out) == (D("470.00"), D("830.00"), D(0))
    (vat,) = [e for e in feb.entries if e.meta["close"] == "vat"]
    assert [(p.account, p.units.number) for p in vat.postings] == [
        (accounts.OUTPUT_VAT, D("1430.00")),
        (accounts.INPUT_VAT, D("-600.00")),
        (accounts.UNPAID_VAT, D("-830.00")),
    ]
    # Surtax on 830.00: 7% 58.10, 3% 24.90, 2% 16.60 = 99.60.
    (surtax,) = [e for e in feb.entries if e.meta["close"] == "surtax"]
    assert [(p.account, p.units.number) for p in surtax.postings] == [
        (accounts.TAXES_AND_SURCHARGES, D("99.60")),
        (accounts.CITY_TAX, D("-58.10")),
        (accounts.EDUCATION_SURCHARGE, D("-24.90")),
        (accounts.LOCAL_EDUCATION_SURCHARGE, D("-16.60")),
    ]
    # March (quarter end): profit 1000.00 + 10000.00 − 99.60 = 10900.40; × 25% = 2725.10.
    assert mar.profit == D("10900.40")
    (income_tax,) = mar.entries
    assert income_tax.meta == {**income_tax.meta, "close": "income-tax", "period": "2025-03"}
    assert [p.units.number for p in income_tax.postings] == [D("2725.10"), D("-2725.10")]
    assert income_tax.date == datetime.date(2025, 3, 31) and "close" in income_tax.tags
    # Written into the month files, bean-check clean; the second run adds nothing.
    assert "2025-02 计提税金及附加" in (tmp_path / "2025" / "02.beancount").read_text(encoding="utf-8")
    assert month_postings(path, accounts.UNPAID_VAT, "2025-02") == D("-830.00")
    again = close.plan_close(path, ["2025-01", "2025-02", "2025-03"])
    assert again.plan is None and all(m.new == [] for m in again.months)
    assert set(again.months[1].existing) == {"vat", "surtax"}
    # A sale imported into February after the close: detected, reported, nothing duplicated.
    with open(path, "a", encoding="utf-8") as f:
        f.write(sale("2025-02-21", "113.00"))
    with pytest.raises(close.CloseFailed) as failed:
        close.plan_close(path, ["2025-02"])
    text = "\n".join(failed.value.messages)
    assert 'close: "vat-rounding"' not in text  # 113.00 splits exactly: no rounding either way
    assert '2025-02 的结账分录 close: "vat" (转出未交增值税) 与现在算出的不同' in text
    assert "222102-未交增值税 -830.00" in text and "222102-未交增值税 -843.00" in text


SMALL = 'plugin "beancount_tmall.plugins.sales"\n2025-01-01 custom "tmall-taxpayer" "小规模纳税人"\n'


@pytest.mark.parametrize(
    "settings, lines",
    [
        # 小规模: 10300 / 1.03 → levy 300.00; surtaxes halved by default: 3.5% 10.50, 1.5% 4.50, 1% 3.00.
        ("", [D("18.00"), D("-10.50"), D("-4.50"), D("-3.00")]),
        # Configured: city 5%, not halved: 15.00, 9.00, 6.00.
        ('2025-01-01 custom "tmall-close" "税率"\n  city-rate: "0.05"\n  surtax-halving: FALSE\n',
         [D("30.00"), D("-15.00"), D("-9.00"), D("-6.00")]),
    ],
)
def test_small_taxpayer_levy_and_surtax_rates(tmp_path, settings, lines):
    path = ledger(tmp_path, settings + sale("2025-02-10", "10300.00")
                  + "2025-02-28 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n", head=SMALL)
    (feb,) = close.plan_close(path, ["2025-02"]).months
    assert (feb.vat.sales, feb.vat.output, feb.vat.input, feb.vat.payable) == (
        D("10000.00"), D("300.00"), D(0), D("300.00"))
    vat, surtax = feb.entries
    assert [p.units.number for p in vat.postings] == [D("300.00"), D("-300.00")]
    assert [p.units.number for p in surtax.postings] == lines
    text = close.render(close.tables(feb), "text")
    assert "增值税申报 2025-02 (小规模纳税人)" in text and "征收率 3%" in text


NO_VAT = """2025-02-10 * "保险公司" "理赔"
  Assets:1002-银行存款  {q1} CNY
  Income:6301-营业外收入  -{q1} CNY

2025-05-10 * "保险公司" "理赔"
  Assets:1002-银行存款  {q2} CNY
  Income:6301-营业外收入  -{q2} CNY

2025-06-30 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY
"""


def test_income_tax_year_to_date_less_what_is_booked(tmp_path):
    path = ledger(tmp_path, NO_VAT.format(q1="10000.00", q2="4000.00"))
    mar, jun = write_close(path, ["2025-03", "2025-06"]).months
    # Q1: 10000.00 × 25% = 2500.00. Q2: year to date 14000.00 × 25% = 3500.00 − 2500.00 = 1000.00.
    assert [e.postings[0].units.number for e in mar.entries] == [D("2500.00")]
    assert [e.postings[0].units.number for e in jun.entries] == [D("1000.00")]
    assert jun.profit == D("14000.00")


def test_small_profit_rate(tmp_path):
    settings = '2025-01-01 custom "tmall-close" "税率"\n  small-profit: TRUE\n'
    path = ledger(tmp_path, settings + NO_VAT.format(q1="10000.00", q2="0.00"))
    (mar,) = close.plan_close(path, ["2025-03"]).months
    # 小型微利: 10000.00 × 5% = 500.00 (under the 3,000,000 limit).
    assert [p.units.number for p in mar.entries[0].postings] == [D("500.00"), D("-500.00")]


# --------------------------------------------------------------------------- refusals and the command


def test_refuses_a_ledger_with_errors(tmp_path):
    body = sale("2025-03-01", "1.00") + '2025-03-02 * "错" "不平"\n  Assets:1002-银行存款  1.00 CNY\n  Income:6301-营业外收入  -2.00 CNY\n\n' + END
    path = ledger(tmp_path, body)
    with pytest.raises(close.CloseFailed) as failed:
        close.plan_close(path, ["2025-03"])
    messages = failed.value.messages
    assert any("main.beancount:" in m and "balance" in m.lower() for m in messages[:-1])
    assert "有 1 个 bean-check 错误" in messages[-1]
    assert not (tmp_path / "2025").exists()


def test_refuses_a_month_not_over_and_an_earlier_month_not_closed(tmp_path):
    path = ledger(tmp_path, sale("2025-03-01", "113.00") + "2025-03-15 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n")
    with pytest.raises(close.CloseFailed, match="账簿只记到 2025-03-15, 2025-03 尚未结束"):
        close.plan_close(path, ["2025-03"])
    path = ledger(tmp_path, sale("2025-03-01", "113.00") + "2025-04-30 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n")
    with pytest.raises(close.CloseFailed, match="月初应交增值税 .* 有贷方余额 13.00 CNY: 之前的月份未结账"):
        close.plan_close(path, ["2025-04"])


def test_cli_shows_the_return_and_dry_run_writes_nothing(tmp_path):
    path = ledger(tmp_path, sale("2025-03-01", "113.00") + END)
    run = CliRunner().invoke(cli, ["close", str(path), "--month", "2025-03", "--dry-run"])
    assert run.exit_code == 0, run.output
    for words in ("增值税申报 2025-03 (一般纳税人)", "销售额 (不含税)", "100.00", "销项税额 (13%)", "13.00",
                  "进项税额", "应纳税额", "期末留抵税额", "转出未交增值税", "新增"):
        assert words in run.output
    assert not (tmp_path / "2025").exists()
    run = CliRunner().invoke(cli, ["close", str(path), "--month", "2025-03"])
    assert run.exit_code == 0 and (tmp_path / "2025" / "03.beancount").exists()
    run = CliRunner().invoke(cli, ["close", str(path), "--month", "2025-3x"])
    assert run.exit_code == 2 and "不是月份" in run.output


def test_demo_closes_each_finished_month_and_agrees_with_the_return(tmp_path):
    from beancount_tmall.demo.build import run_demo

    directory = tmp_path / "demo"
    assert run_demo(directory, days=100, orders_per_day=5, seed=3) == 0  # bean-check clean
    main = directory / "main.beancount"
    entries, errors, _ = loader.load_file(str(main))
    assert errors == []
    closes = [e for e in entries if isinstance(e, data.Transaction) and "close" in e.tags]
    assert sorted({e.meta["period"] for e in closes}) == ["2025-01", "2025-02", "2025-03"]  # April is not over
    assert {"vat", "surtax", "income-tax"} <= {e.meta["close"] for e in closes}
    rate = D("0.13")
    for month in ("2025-01", "2025-02", "2025-03"):
        gross = vat = D(0)
        for e in entries:
            if not isinstance(e, data.Transaction) or f"{e.date:%Y-%m}" != month or e.meta.get("close") == "vat":
                continue
            for p in e.postings:
                if p.account == accounts.OUTPUT_VAT:
                    vat -= p.units.number
                    gross -= p.units.number
                elif p.account.startswith(accounts.REVENUE):
                    gross -= p.units.number
        # The ledger's output VAT of the month is the return's: 13/113 of the month's gross, to the cent.
        assert vat == (gross * rate / (1 + rate)).quantize(D("0.01"), rounding="ROUND_HALF_UP"), month
    # Closing again adds nothing.
    assert close.plan_close(main, ["2025-01", "2025-02", "2025-03"]).plan is None


def test_imported_daily_and_per_row_statements_give_one_return():
    """The same Alipay statement imported daily and --per-row (the extract goldens): one output VAT."""
    from conftest import REPO

    returns = []
    for name in ("alipay_daily", "alipay_per_row"):
        text = (REPO / "tests" / "golden" / f"{name}.beancount").read_text(encoding="utf-8")
        entries, _, _ = loader.load_string(HEAD + chart_text() + text)
        returns.append(close.vat_return(entries, "2025-03"))
    daily, per_row = returns
    assert daily.gross == per_row.gross > 0
    expected = (daily.gross * 13 / 113).quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert daily.output == per_row.output == expected


def test_an_output_vat_credit_from_the_opening_balances_is_payable_in_the_first_month(tmp_path):
    opening = (
        '2025-01-01 * "期初余额" "期初余额表" #opening\n'
        "  Assets:1002-银行存款  50.00 CNY\n"
        "  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -50.00 CNY\n\n"
    )
    path = ledger(tmp_path, opening + sale("2025-01-10", "113.00")
                  + "2025-01-31 balance Assets:1221-其他应收款:122199-待核对  0.00 CNY\n")
    (jan,) = close.plan_close(path, ["2025-01"]).months
    # 13.00 of the month + 50.00 brought in = 63.00 payable; nothing carried in as a credit.
    assert (jan.vat.output, jan.vat.carried_in, jan.vat.payable) == (D("13.00"), D(0), D("63.00"))
    (vat,) = [e for e in jan.entries if e.meta["close"] == "vat"]
    assert [p.units.number for p in vat.postings] == [D("63.00"), D("-63.00")]
