"""Sales returns: ``tmall-books returns import`` (entries from the refund export) and the return
register and rates (``tmall-books returns``)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
import returns_samples as samples
from beancount import loader
from beancount.core import data
from beancount.parser import cmptest
from click.testing import CliRunner

from beancount_tmall.cli import main
from beancount_tmall.goods import returns as goods_returns
from beancount_tmall.reports import returns as report_lib


def run_import(ledger: Path, *refunds: Path, month: str | None = None) -> tuple[int, str]:
    out = io.StringIO()
    status = goods_returns.run_returns_import(ledger, list(refunds), month, out=out)
    return status, out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    ledger = samples.write_store(tmp_path)
    export = tmp_path / "ExportRefundList.csv"
    export.write_bytes(samples.refund_export())
    return ledger, export


def tagged(entries, tag: str) -> list[data.Transaction]:
    return [e for e in entries if isinstance(e, data.Transaction) and tag in (e.tags or ())]


def postings(entry: data.Transaction) -> list[tuple[str, Decimal, str, str]]:
    return [(p.account, p.units.number, p.meta["sku"], p.meta["quantity"]) for p in entry.postings]


#: Errors a fresh store's books have that returns do not concern: March's fee invoices and
#: 消费积分 invoice are not in the ledger.
EXPECTED = ("(no invoice by its due day)", "(points not settled)")


def load(ledger: Path) -> list[data.Directive]:
    entries, errors, _ = loader.load_file(str(ledger))
    assert [e.message for e in errors if not e.message.endswith(EXPECTED)] == []
    return entries


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_returns_import_books_each_kind_of_refund(store):
    ledger, export = store
    status, said = run_import(ledger, export)
    assert status == 0, said
    entries = load(ledger)
    returns = {e.meta["refund-id"]: e for e in tagged(entries, "return")}
    assert set(returns) == {"9001", "9002", "9006"}
    # Passed inspection: back to stock at the March #cogs unit cost, 2 × 28.00.
    passed = returns["9001"]
    assert postings(passed) == [
        ("Assets:1405-库存商品", Decimal("56.00"), "LJ-250", "2"),
        ("Expenses:6401-主营业务成本", Decimal("-56.00"), "LJ-250", "-2"),
    ]
    assert str(passed.date) == "2025-04-03"
    assert {k: passed.meta[k] for k in ("order-id", "reason", "quantity", "sku", "inspection")} == {
        "order-id": "3001", "reason": "七天无理由退换货", "quantity": "2", "sku": "LJ-250", "inspection": "合格"}
    # Failed inspection, a partial refund of one item of three (25.00 / 25.00): breakage, with its number.
    broken = returns["9002"]
    assert postings(broken) == [
        ("Expenses:6401-主营业务成本:640102-破损", Decimal("12.00"), "MF-100", "1"),
        ("Expenses:6401-主营业务成本", Decimal("-12.00"), "MF-100", "-1"),
    ]
    assert broken.meta["breakage-no"] == "PS-2025-001" and broken.links == {"breakage-PS-2025-001"}
    # Settled in April, no April #cogs: the cost table's price in force (31.00 from 04-01); the
    # SKU from the item export (the refund export's 商品编码 is empty).
    april = returns["9006"]
    assert postings(april)[0] == ("Assets:1405-库存商品", Decimal("31.00"), "LJ-250", "1")
    assert april.meta["cost-from"].startswith("成本表.csv")
    # 仅退款, 折价 and the return of an order closed before settlement: no postings, in the register.
    refunds = {e.meta["refund-id"]: e for e in tagged(entries, "refund")}
    assert {k: (e.meta["refund-kind"], e.postings) for k, e in refunds.items()} == {
        "9003": ("仅退款", []), "9008": ("折价", []), "9004": ("未结算退货", [])}
    # Points the buyer paid (120 = 1.20 CNY) go back with the full refund; once only (9008 finds none left).
    points = [e for e in tagged(entries, "tmall-points") if "refund-id" in e.meta]
    assert [(e.meta["refund-id"], e.meta["consumer-points"], e.postings) for e in points] == [
        ("9001", "-1.20 CNY", [])]
    # Waiting for inspection, in progress: not booked, said.
    assert "9007" in said and "1 笔退款未完结" in said
    assert not [e for e in entries if getattr(e, "meta", {}).get("refund-id") in ("9005", "9007")]
    # The export is archived beside the other exports.
    assert list((ledger.parent / "documents").rglob("*.ExportRefundList.csv"))


def test_returns_import_is_idempotent(store):
    ledger, export = store
    assert run_import(ledger, export)[0] == 0
    before = snapshot(ledger.parent)
    status, said = run_import(ledger, export)
    assert status == 0 and "没有新的分录" in said and "6 笔已在账簿中" in said
    assert snapshot(ledger.parent) == before
    # From the archive alone, too.
    assert run_import(ledger)[0] == 0 and snapshot(ledger.parent) == before


def test_a_later_inspection_books_only_what_is_new(store):
    ledger, export = store
    assert run_import(ledger, export)[0] == 0
    with open(ledger.parent / "验货记录.csv", "a", encoding="utf-8") as f:
        f.write("9007,合格,,\n")
    status, said = run_import(ledger)
    assert status == 0, said
    entries = load(ledger)
    ids = [e.meta["refund-id"] for e in tagged(entries, "return")]
    assert sorted(ids) == ["9001", "9002", "9006", "9007"]


def test_month_option_books_that_month_only(store):
    ledger, export = store
    assert run_import(ledger, export, month="2025-03")[0] == 0
    entries = load(ledger)
    assert [e.meta["refund-id"] for e in entries if "refund-id" in getattr(e, "meta", {})] == ["9004"]


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        ("9001,合格,,\n9002,坏了,,\n", 3, "验货结果"),
        ("9001,合格,,\n9002,不合格,,\n", 3, "破损单号"),
        ("9001,合格,PS-1,\n", 2, "合格"),
        ("9001,合格,,\n9001,不合格,PS-1,\n", 3, "第 2 行"),
        ("9002,不合格,PS 1/空格,\n", 2, "破损单号"),
    ],
    ids=["bad-result", "failed-without-number", "passed-with-number", "twice", "bad-number"],
)
def test_bad_inspection_rows_are_refused_with_file_and_line(tmp_path, rows, line, words):
    ledger = samples.write_store(tmp_path, inspections="退款编号,验货结果,破损单号,备注\n" + rows)
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    before = snapshot(tmp_path)
    status, said = run_import(ledger, export)
    assert status == 1
    assert f"验货记录.csv:{line}:" in said and words in said and "未写入任何文件" in said
    assert snapshot(tmp_path) == before


def test_partial_return_of_unknown_quantity_asks_for_it(tmp_path):
    # 20.00 back of a 25.00 item: how many came back cannot be told.
    row = samples.refund_row("9010", "3002", "MF-100", "2025-04-05 15:30:00", "75.00", "棉麻方巾", "20.00",
                             True, "退款成功", "质量问题", partial=True)
    ledger = samples.write_store(tmp_path, inspections="退款编号,验货结果,破损单号,备注\n9010,合格,,\n")
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export([row]))
    status, said = run_import(ledger, export)
    assert status == 1 and "9010" in said and "退货数量" in said
    (ledger.parent / "验货记录.csv").write_text("退款编号,验货结果,破损单号,备注,退货数量\n9010,合格,,,2\n", encoding="utf-8")
    status, said = run_import(ledger, export)
    assert status == 0, said
    entries = load(ledger)
    (entry,) = tagged(entries, "return")
    assert postings(entry)[0] == ("Assets:1405-库存商品", Decimal("24.00"), "MF-100", "2")
    # More than bought is refused.
    (ledger.parent / "验货记录.csv").write_text("退款编号,验货结果,破损单号,备注,退货数量\n9011,合格,,,4\n", encoding="utf-8")
    export.write_bytes(samples.refund_export([row.replace('="9010"', '="9011"')]))
    status, said = run_import(ledger, export)
    assert status == 1 and "多于" in said and "验货记录.csv:2" in said


def test_a_return_without_any_cost_is_an_error_naming_the_sku(tmp_path):
    ledger = samples.write_store(tmp_path, costs=None)
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    before = snapshot(tmp_path)
    status, said = run_import(ledger, export)
    assert status == 1 and "9006" in said and "LJ-250" in said and "成本表" in said
    assert snapshot(tmp_path) == before


def test_points_of_orders_never_counted_are_not_given_back(tmp_path):
    ledger = samples.write_store(tmp_path)
    march = ledger.parent / "2025" / "03.beancount"
    march.write_text(march.read_text(encoding="utf-8").replace('points-orders: "3001"', 'points-orders: "3999"'),
                     encoding="utf-8")
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    assert run_import(ledger, export)[0] == 0
    entries = load(ledger)
    assert not [e for e in tagged(entries, "tmall-points") if "refund-id" in e.meta]


def test_not_a_refund_export(tmp_path):
    ledger = samples.write_store(tmp_path)
    other = tmp_path / "x.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    status, said = run_import(ledger, other)
    assert status == 2 and "不是天猫退款报表" in said


# --- the register and rates ----------------------------------------------------------------------


class TestRegister(cmptest.TestCase):
    @loader.load_doc()
    def test_register_and_rates(self, entries, errors, options):
        """
        2025-01-01 open Assets:1405-库存商品 CNY
        2025-01-01 open Expenses:6401-主营业务成本 CNY
        2025-01-01 open Expenses:6401-主营业务成本:640102-破损 CNY

        2025-03-31 * "结转" "2025-03" #cogs
          period: "2025-03"
          Expenses:6401-主营业务成本   300.00 CNY
            sku: "A"
            quantity: "10"
          Assets:1405-库存商品        -300.00 CNY
            sku: "A"
            quantity: "-10"
          Expenses:6401-主营业务成本   100.00 CNY
            sku: "B"
            quantity: "40"
          Assets:1405-库存商品        -100.00 CNY
            sku: "B"
            quantity: "-40"

        2025-04-30 * "结转" "2025-04" #cogs
          period: "2025-04"
          Expenses:6401-主营业务成本   150.00 CNY
            sku: "A"
            quantity: "5"
          Assets:1405-库存商品        -150.00 CNY
            sku: "A"
            quantity: "-5"

        2025-03-20 * "天猫" "退货入库" #return
          order-id: "1"
          refund-id: "R1"
          reason: "七天无理由退换货"
          quantity: "2"
          sku: "A"
          title: "围巾"
          refund-amount: "120.00 CNY"
          Assets:1405-库存商品   60.00 CNY
            sku: "A"
            quantity: "2"
          Expenses:6401-主营业务成本  -60.00 CNY
            sku: "A"
            quantity: "-2"

        2025-03-26 * "天猫" "退货破损" #return ^breakage-P1
          order-id: "2"
          refund-id: "R2"
          reason: "质量问题"
          quantity: "4"
          sku: "B"
          refund-amount: "40.00 CNY"
          breakage-no: "P1"
          Expenses:6401-主营业务成本:640102-破损   10.00 CNY
            sku: "B"
            quantity: "4"
          Expenses:6401-主营业务成本  -10.00 CNY
            sku: "B"
            quantity: "-4"

        2025-03-27 * "天猫" "仅退款 订单 3" #refund
          order-id: "3"
          refund-id: "R3"
          reason: "质量问题"
          refund-kind: "仅退款"
          refund-amount: "5.00 CNY"

        2025-04-02 * "天猫" "退货入库" #return
          order-id: "4"
          refund-id: "R4"
          reason: "质量问题"
          quantity: "1"
          sku: "A"
          refund-amount: "60.00 CNY"
          Assets:1405-库存商品   30.00 CNY
            sku: "A"
            quantity: "1"
          Expenses:6401-主营业务成本  -30.00 CNY
            sku: "A"
            quantity: "-1"
        """
        assert not errors
        march = report_lib.returns_report(entries, month="2025-03")
        assert [(x.refund_id, x.outcome, x.quantity, x.amount) for x in march.lines] == [
            ("R1", "退回库存", 2, Decimal("120.00")), ("R2", "破损", 4, Decimal("40.00")),
            ("R3", "仅退款", 0, Decimal("5.00"))]
        # March: 6 of 50 sold came back: 12%; A 2/10 = 20%, B 4/40 = 10%.
        assert (march.returned, march.sold, march.rate) == (6, 50, Decimal("12.00"))
        assert [(r.key, r.returned, r.sold, r.rate) for r in march.by_sku] == [
            ("A", 2, 10, Decimal("20.00")), ("B", 4, 40, Decimal("10.00"))]
        assert [(r.key, r.returned, r.rate, r.share) for r in march.by_reason] == [
            ("质量问题", 4, Decimal("8.00"), Decimal("66.67")), ("七天无理由退换货", 2, Decimal("4.00"), Decimal("33.33"))]
        assert [(r.key, r.returned, r.count, r.rate) for r in march.by_week] == [
            ("2025-W12 (03-17~03-23)", 2, 1, Decimal("4.00")), ("2025-W13 (03-24~03-30)", 4, 1, Decimal("8.00"))]
        # The year: 7 of 55; A 3/15 = 20%.
        year = report_lib.returns_report(entries, year=2025)
        assert (year.returned, year.sold, year.rate) == (7, 55, Decimal("12.73"))
        assert year.by_sku[0].key == "A" and year.by_sku[0].rate == Decimal("20.00")
        assert [r.key for r in year.by_week] == ["2025-W12 (03-17~03-23)", "2025-W13 (03-24~03-30)",
                                                 "2025-W14 (03-31~04-06)"]
        # A month without sales: rates are undefined, not zero.
        may = report_lib.returns_report(entries, month="2025-05")
        assert may.rate is None and not may.lines
        text = report_lib.render_text(march)
        assert "退货登记簿 2025-03" in text and "破损 (P1)" in text and "12.00%" in text
        assert "退货率 (按商家编码)" in text and "退货率 (按退款原因)" in text and "退货率 (按周)" in text


def test_register_numbers_are_right_aligned_with_separators():
    line = report_lib.RegisterLine(
        datetime.date(2025, 3, 1), "1", "R", "A", "围巾", 1200, Decimal("12345.60"), "原因",
        "退回库存", "", "", 0)
    report = report_lib.ReturnsReport("2025-03", [line])
    rows = report_lib.render_text(report).splitlines()
    header = next(r for r in rows if "退款金额" in r and "日期" in r)
    row = next(r for r in rows if "12,345.60" in r)
    assert "1,200" in row
    # The amount ends where its heading ends (right-aligned by display width).
    from beancount_tmall.reports.render import width
    assert width(row[: row.index("12,345.60") + len("12,345.60")]) == width(header[: header.index("退款金额") + 4])


def test_cli_register_csv_has_bom_and_escapes_formulas(tmp_path, store):
    ledger, export = store
    assert run_import(ledger, export)[0] == 0
    text = ledger.read_text(encoding="utf-8").replace("七天无理由退换货", "=HYPERLINK(1)")
    ledger.write_text(text, encoding="utf-8")
    for month_file in (ledger.parent / "2025").glob("*.beancount"):
        month_file.write_text(month_file.read_text(encoding="utf-8").replace("七天无理由退换货", "=HYPERLINK(1)"),
                              encoding="utf-8")
    result = CliRunner().invoke(main, ["returns", str(ledger), "--format", "csv"])
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    body = raw.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body
    assert "退货登记簿" in body and "116.80" in body and "1,16" not in body
    assert report_lib.csv_cell("+1") == "'+1" and report_lib.csv_cell("@x") == "'@x"
    assert report_lib.csv_cell("\tx") == "'\tx" and report_lib.csv_cell("ok") == "ok"
    text_result = CliRunner().invoke(main, ["returns", str(ledger), "--month", "2025-04"])
    assert text_result.exit_code == 0 and "退货 2025-04" in text_result.output


def test_cli_returns_import(store):
    ledger, export = store
    result = CliRunner().invoke(main, ["returns", "import", str(ledger), "--refunds", str(export)])
    assert result.exit_code == 0, result.output
    assert (ledger.parent / "2025" / "04.beancount").is_file()
    bad = CliRunner().invoke(main, ["returns", "import"])
    assert bad.exit_code == 2


def test_a_price_change_in_the_month_takes_the_price_of_the_settlement_day(tmp_path):
    # LJ-250 costs 28.00, then 30.00 from 03-16: March's #cogs has both; order 3001 settled on
    # 03-15 left at 28.00, 3007 (settled 03-17) at 30.00.
    costs = samples.COSTS + "LJ-250,羊毛围巾,30.00,2025-03-16\n"
    ledger = samples.write_store(tmp_path, costs=costs,
                                 inspections=samples.INSPECTIONS + "9007,合格,,\n")
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    assert run_import(ledger, export)[0] == 0
    returns = {e.meta["refund-id"]: e for e in tagged(load(ledger), "return")}
    assert postings(returns["9001"])[0][1] == Decimal("56.00")
    assert postings(returns["9007"])[0][1] == Decimal("30.00")
    assert returns["9007"].meta["cost-from"] == "#cogs 2025-03"


def test_a_product_code_that_is_not_a_sku_of_the_order_is_resolved_from_the_item_export(tmp_path):
    # Some exports put the 宝贝ID in 商品编码: the order's line with the refund's title names the SKU.
    row = samples.refund_row("9001", "3001", "612345678901", "2025-04-03 11:00:00", "116.80", "羊毛围巾 灰色",
                             "116.80", True, "退款成功", "七天无理由退换货")
    ledger = samples.write_store(tmp_path)
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export([row]))
    assert run_import(ledger, export)[0] == 0
    (entry,) = tagged(load(ledger), "return")
    assert postings(entry)[0] == ("Assets:1405-库存商品", Decimal("56.00"), "LJ-250", "2")


def test_cli_refuses_a_bad_month(store):
    ledger, _ = store
    result = CliRunner().invoke(main, ["returns", str(ledger), "--month", "2025-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
