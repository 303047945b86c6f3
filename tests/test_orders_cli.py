"""``tmall-books reconcile orders``: summary, CSV (formula-safe, BOM), exit status; the ledger form
``tmall-books reconcile LEDGER`` still works; the rates file."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from click.testing import CliRunner
from orders_samples import CLEAN_ROWS, O1, order_csv, statement, write

from beancount_tmall.cli import main
from beancount_tmall.orders import report
from beancount_tmall.orders.cli import spread_files
from beancount_tmall.orders.engine import Result, Stats
from beancount_tmall.orders.findings import Finding
from beancount_tmall.orders.rates import Rates, RatesError, load_rates
from beancount_tmall.plugins import sales

D = Decimal


def inputs(tmp_path, rows=CLEAN_ROWS):
    orders = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    statements = write(tmp_path, "20885012345678900156_202503_账务明细.csv", statement(rows))
    return orders, statements


def invoke(*args):
    return CliRunner().invoke(main, ["reconcile", "orders", *map(str, args)])


def test_clean_inputs_exit_zero(tmp_path):
    orders, statements = inputs(tmp_path)
    result = invoke("--orders", orders, "--statements", statements)
    assert result.exit_code == 0, result.output
    assert "没有发现问题" in result.output
    assert "订单 4 笔" in result.output


def test_findings_exit_one_with_summary_and_csv(tmp_path):
    rows = list(CLEAN_ROWS)
    rows[1] = (*rows[1][:4], "-6.00", rows[1][5])  # O1's commission 6%
    orders, statements = inputs(tmp_path, rows)
    out = tmp_path / "findings.csv"
    result = invoke("--orders", orders, "--statements", statements, "--csv", out, "--month", "2025-03")
    assert result.exit_code == 1, result.output
    assert "佣金费率不符" in result.output and "2025-03" in result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["月份", "问题", "类型", "订单编号", "应为", "实为", "差额", "文件", "行", "说明"]
    assert table[1][:9] == ["2025-03", "佣金费率不符", "commission-rate", O1, "5.00", "6.00", "1.00",
                            str(statements), "7"]


def test_several_files_after_one_flag(tmp_path):
    orders, statements = inputs(tmp_path)
    empty = write(tmp_path, "ExportOrderList202502.csv", order_csv([]))
    result = invoke("--orders", orders, empty, "--statements", statements, "--window", "1")
    assert result.exit_code == 0, result.output
    assert spread_files(["--orders", "a", "b", "--month", "2025-03", "--statements", "c", "d"]) == [
        "--orders", "a", "--orders", "b", "--month", "2025-03", "--statements", "c", "--statements", "d",
    ]


def test_a_bad_input_exits_two_naming_file_and_line(tmp_path):
    orders, _ = inputs(tmp_path)
    bad = write(tmp_path, "bad.csv", statement([("2025-07-01 10:00:00", "在线支付", "", "T200P1", "1.00", "")]))
    result = invoke("--orders", orders, "--statements", bad)
    assert result.exit_code == 2
    assert f"{bad}:6" in result.output and "错误" in result.output


def test_bad_rates_file_exits_two(tmp_path):
    orders, statements = inputs(tmp_path)
    rates = tmp_path / "store.toml"
    rates.write_text('commission_rate = "5%"\n', encoding="utf-8")
    result = invoke("--orders", orders, "--statements", statements, "--rates", rates)
    assert result.exit_code == 2
    assert "commission_rate" in result.output


def test_the_ledger_form_still_works(tmp_path):
    ledger = tmp_path / "main.beancount"
    ledger.write_text('option "operating_currency" "CNY"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["reconcile", str(ledger)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["reconcile", str(ledger), "--year", "2025"]).exit_code == 0
    assert CliRunner().invoke(main, ["reconcile", "ledger", str(ledger)]).exit_code == 0
    help_text = CliRunner().invoke(main, ["reconcile", "--help"]).output
    assert "orders" in help_text and "ledger" in help_text


def test_csv_cells_cannot_run_as_formulas(tmp_path):
    findings = [
        Finding("unknown-order", "2025-03", "1", None, D("-12.50"), "=HYPERLINK(\"x\").csv", 3, "=1+1"),
        Finding("amount", "2025-03", "2", D("1.00"), D("2.00"), "+x.csv", None, "-2"),
        Finding("amount", "2025-03", "3", D("1.00"), D("2.00"), "@x.csv", None, "\tcmd"),
        Finding("amount", "2025-03", "4", D("1.00"), D("2.00"), "x.csv", None, "\rcmd"),
    ]
    out = tmp_path / "f.csv"
    report.write_csv(Result(findings, Stats()), out)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1][5] == "-12.50"  # a plain number stays a number
    assert [r[7] for r in rows[1:]] == ["'=HYPERLINK(\"x\").csv", "'+x.csv", "'@x.csv", "x.csv"]
    assert [r[9] for r in rows[1:]] == ["'=1+1", "-2", "'\tcmd", "'\rcmd"]


def test_rates_default_to_the_sales_plugin():
    rates = Rates()
    assert rates.commission == D(sales.DEFAULTS["commission_rate"])
    assert rates.points == D(sales.DEFAULTS["points_rate"])
    assert rates.card_fee == D(sales.DEFAULTS["card_fee_rate"])
    assert rates.window == 1


def test_rates_file(tmp_path):
    path = tmp_path / "store.toml"
    path.write_text(
        'commission_rate = "0.045"\ntolerance = "0.002"\nwindow = 2\nrules = "rules.toml"\n'
        '[category_rates]\n"茶具" = "0.048"\n"礼盒" = { commission = "0.052", points = "0.004" }\n'
        '[categories]\n"GW-*" = "茶具"\n"LH-LJBC" = "礼盒"\n[kinds]\n"software-fee" = "commission"\n',
        encoding="utf-8",
    )
    rates = load_rates(path)
    assert (rates.commission, rates.tolerance, rates.window) == (D("0.045"), D("0.002"), 2)
    assert rates.rules == str(tmp_path / "rules.toml")
    assert rates.category_of("GW-SC") == "茶具" and rates.category_of("LJ-250") is None
    assert rates.rate("commission", "礼盒") == D("0.052") and rates.rate("points", "礼盒") == D("0.004")
    assert rates.rate("points", "茶具") == D("0.005")  # not given for the category: the default
    assert rates.kinds == {"software-fee": "commission"}


@pytest.mark.parametrize("text, word", [
    ('commission_rate = "1.5"\n', "commission_rate"),
    ('window = 13\n', "window"),
    ('rate = "0.05"\n', "未知的键"),
    ('[categories]\n"GW-*" = "茶具"\n', "category_rates"),
    ('[kinds]\n"software-fee" = "fee"\n', "kinds"),
    ('[category_rates]\n"茶具" = { commision = "0.05" }\n', "未知的费用"),
    ("commission_rate = \n", "无法读取"),
])
def test_bad_rates_files_are_refused(tmp_path, text, word):
    path = tmp_path / "store.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RatesError, match=word):
        load_rates(path)
