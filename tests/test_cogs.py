"""``tmall-books cogs``: 月末结转已销商品成本, hand-computed on a small ledger; idempotent; refusals.

The statements are written as Alipay writes them (``test_filing``'s helpers), the item exports and
cost tables in their real layouts (``goods_samples``), and everything goes through
``tmall-books import`` first, as a store would do it.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import goods_samples
import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from test_filing import ALIPAY_ID, sale, write_statement

from beancount_tmall.cli import main
from beancount_tmall.formats import tmall_items
from beancount_tmall.goods import cogs
from beancount_tmall.importers import filing
from beancount_tmall.ledger_init import init_ledger

# March: orders 1001 (03-03) and 1002 (03-05) before the price of LJ-250 changes on 03-16, 1003 after
# it (03-20); 1004 is paid on 03-30 and settled on 04-02: April's.
FIRST = sale(1, "2025-03-03 10:00:00", "1001", "322.50", "16.00") + sale(3, "2025-03-05 11:00:00", "1002", "128.00", "6.40")
SECOND = sale(5, "2025-03-20 09:00:00", "1003", "384.00", "19.20")
APRIL = sale(7, "2025-04-02 09:00:00", "1004", "332.50", "16.60")

ITEMS = [
    ("1001", "云栖 龙井茶 250g", "128.00", 2, "", "交易成功", "LJ-250"),
    ("1001", "云栖 白茶 100g", "66.50", 1, "", "交易成功", "BC-100"),
    ("1002", "云栖 龙井茶 250g", "128.00", 1, "", "交易成功", "LJ-250"),
    ("1003", "云栖 龙井茶 250g", "128.00", 3, "", "交易成功", "LJ-250"),
    ("1004", "云栖 白茶 100g", "66.50", 5, "", "交易成功", "BC-100"),
]
COSTS = [
    ("LJ-250", "云栖 龙井茶 250g", "30.00", "2025/1/1"),
    ("LJ-250", "云栖 龙井茶 250g", "32.50", "2025/3/16"),
    ("BC-100", "云栖 白茶 100g", "18.1234", "2025/1/1"),
]

MARCH = """\
2025-03-31 * "结转" "2025-03 结转已销商品成本 7 件" #cogs
  period: "2025-03"
  Expenses:6401-主营业务成本   18.12 CNY
    sku: "BC-100"
    quantity: "1"
    unit-cost: "18.1234 CNY"
  Assets:1405-库存商品      -18.12 CNY
    sku: "BC-100"
    quantity: "-1"
  Expenses:6401-主营业务成本   90.00 CNY
    sku: "LJ-250"
    quantity: "3"
    unit-cost: "30.00 CNY"
  Assets:1405-库存商品      -90.00 CNY
    sku: "LJ-250"
    quantity: "-3"
  Expenses:6401-主营业务成本   97.50 CNY
    sku: "LJ-250"
    quantity: "3"
    unit-cost: "32.50 CNY"
  Assets:1405-库存商品      -97.50 CNY
    sku: "LJ-250"
    quantity: "-3"
"""


@pytest.fixture
def store(tmp_path):
    """A ledger with March's and April's statements, the item export and the cost table imported."""
    books = tmp_path / "books"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    src = tmp_path / "downloads"
    src.mkdir()
    files = [
        write_statement(src / f"{ALIPAY_ID}_20250301_20250315_账务明细.csv", "1000.00", FIRST,
                        "2025-03-01 00:00:00", "2025-03-16 00:00:00"),
        write_statement(src / f"{ALIPAY_ID}_20250316_20250331_账务明细.csv", "1428.10", SECOND,
                        "2025-03-16 00:00:00", "2025-04-01 00:00:00"),
        write_statement(src / f"{ALIPAY_ID}_202504_账务明细.csv", "1792.90", APRIL,
                        "2025-04-01 00:00:00", "2025-05-01 00:00:00"),
    ]
    items = src / "ExportOrderDetailList202504.csv"
    items.write_bytes(goods_samples.item_csv_resaved(ITEMS))
    costs = src / "成本表.csv"
    costs.write_bytes(goods_samples.cost_csv(COSTS))
    assert filing.run_import([*map(str, files), str(items), str(costs)], ledger=books / "main.beancount") == 0
    purchase(books, [("LJ-250", 10, "30.00"), ("BC-100", 10, "18.1234")])
    return books


def purchase(books: Path, lines: list[tuple[str, int, str]]) -> None:
    """A hand-written purchase on 2025-02-28, appended to main.beancount as the accountant does."""
    text = '\n2025-02-28 * "茶厂" "采购"\n'
    total = Decimal(0)
    for sku, quantity, cost in lines:
        amount = (quantity * Decimal(cost)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        total += amount
        text += f'  Assets:1405-库存商品  {amount} CNY\n    sku: "{sku}"\n    quantity: "{quantity}"\n'
    text += f"  Assets:1002-银行存款  {-total} CNY\n"
    with open(books / "main.beancount", "a", encoding="utf-8") as fh:
        fh.write(text)


def run(books: Path, month: str, *args) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["cogs", str(books / "main.beancount"), "--month", month, *args])
    return result.exit_code, result.stderr


def check(books: Path, allowed: str = "") -> list[data.Directive]:
    """The ledger's entries; no error but those whose message holds ``allowed``."""
    entries, errors, _ = loader.load_file(str(books / "main.beancount"))
    assert [e for e in errors if not (allowed and allowed in e.message)] == [], [e.message for e in errors]
    return entries


def test_selling_more_than_was_bought_fails_bean_check(store):
    """The inventory plugin (in every new ledger) judges the #cogs entry against the purchases."""
    main_file = store / "main.beancount"
    text = main_file.read_text(encoding="utf-8")
    bought = '300.00 CNY\n    sku: "LJ-250"\n    quantity: "10"'
    assert bought in text and "-481.23 CNY" in text
    text = text.replace(bought, '150.00 CNY\n    sku: "LJ-250"\n    quantity: "5"').replace("-481.23 CNY", "-331.23 CNY")
    main_file.write_text(text, encoding="utf-8")  # 5 bought, 6 sold
    assert run(store, "2025-03")[0] == 0
    _, errors, _ = loader.load_file(str(store / "main.beancount"))
    assert [e.message.split(";")[0] for e in errors] == [
        "库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 商家编码 LJ-250 数量 -1, 金额 -37.50 CNY",
    ]


def test_import_keeps_the_goods_files(store):
    assert (store / "成本表.csv").read_bytes() == goods_samples.cost_csv(COSTS)
    archived = sorted(p.relative_to(store).as_posix() for p in (store / "documents" / "Assets" / "1405-库存商品").iterdir())
    names = {p.split(".", 1)[1]: p for p in archived}
    assert sorted(names) == ["ExportOrderDetailList202504.csv", "成本表.csv"]
    assert names["成本表.csv"].startswith("documents/Assets/1405-库存商品/2025-03-16.")  # its latest 生效日期


def test_march_by_hand(store):
    status, err = run(store, "2025-03")
    assert status == 0, err
    text = (store / "2025" / "03.beancount").read_text(encoding="utf-8")
    assert text.endswith("\n" + MARCH), text[-1200:]
    assert "结转 2025-03 已销商品成本: 3 笔订单, 7 件, 205.62 CNY, 写入 2025/03.beancount" in err
    assert "LJ-250: 3 件 × 32.50 = 97.50 CNY (1 笔订单, 单位成本自 2025-03-16)" in err
    entries = check(store)
    [entry] = [e for e in entries if isinstance(e, data.Transaction) and "cogs" in e.tags]
    assert entry.date == datetime.date(2025, 3, 31)


def test_an_order_settled_the_month_after_it_was_paid_is_that_months(store):
    status, err = run(store, "2025-04")
    assert status == 0, err
    text = (store / "2025" / "04.beancount").read_text(encoding="utf-8")
    # 5 × 18.1234 = 90.617 -> 90.62 (ROUND_HALF_UP)
    assert '2025-04-30 * "结转" "2025-04 结转已销商品成本 5 件" #cogs' in text
    assert "Expenses:6401-主营业务成本   90.62 CNY" in text and 'quantity: "5"' in text
    check(store, allowed="仍无发票")  # the books now reach April 30: March's commission wants its invoice


def test_a_second_run_adds_nothing(store):
    assert run(store, "2025-03")[0] == 0
    before = {p: p.read_bytes() for p in store.rglob("*.beancount")}
    status, err = run(store, "2025-03")
    assert status == 0
    assert "2025-03 的结转分录已在账簿中" in err and "数字相同: 未写入任何内容" in err
    assert {p: p.read_bytes() for p in store.rglob("*.beancount")} == before


def test_other_figures_are_refused_naming_the_entry(store, tmp_path):
    assert run(store, "2025-03")[0] == 0
    before = {p: p.read_bytes() for p in store.rglob("*.beancount")}
    dearer = tmp_path / "dearer.csv"
    dearer.write_bytes(goods_samples.cost_csv([("LJ-250", "龙井", "31.00", "2025/1/1"), *COSTS[1:]]))
    status, err = run(store, "2025-03", "--costs", str(dearer))
    assert status == 1
    month_file = store / "2025" / "03.beancount"
    assert f"错误: {month_file}:" in err
    assert "2025-03 已有结转已销商品成本分录 (#cogs), 与现在算出的不同 (现在: 7 件, 208.62 CNY; 已有: 205.62 CNY)" in err
    assert "未写入任何文件" in err
    assert {p: p.read_bytes() for p in store.rglob("*.beancount")} == before


def test_a_sku_without_cost_names_the_sku_and_its_orders(store, tmp_path):
    partial = tmp_path / "partial.csv"
    partial.write_bytes(goods_samples.cost_csv(COSTS[:2]))
    status, err = run(store, "2025-03", "--costs", str(partial))
    assert status == 1
    assert f"错误: 商家编码 BC-100 在成本表 {partial} 中没有结算日适用的单位成本, 涉及订单 1001" in err
    assert not (store / "2025" / "03.beancount").read_text(encoding="utf-8").count("#cogs")


def test_a_price_that_starts_after_the_settlement_does_not_apply(store, tmp_path):
    late = tmp_path / "late.csv"
    late.write_bytes(goods_samples.cost_csv([*COSTS[:2], ("BC-100", "白茶", "18.00", "2025/3/4")]))
    status, err = run(store, "2025-03", "--costs", str(late))
    assert status == 1 and "商家编码 BC-100" in err and "涉及订单 1001" in err


def test_an_order_settled_without_items_names_the_order_and_its_statement_line(store, tmp_path):
    # the item export lost order 1003
    for path in (store / "documents").rglob("*ExportOrderDetailList*"):
        path.write_bytes(goods_samples.item_csv_resaved([r for r in ITEMS if r[0] != "1003"]))
    status, err = run(store, "2025-03")
    assert status == 1
    statement = next((store / "documents").rglob("*20250316_20250331*"))
    where = f"{statement.relative_to(store)}:6"
    assert f"错误: 订单 1003 在 2025-03-20 结算 ({where}), 但任何宝贝报表中都没有它的宝贝" in err


def test_items_given_on_the_command_line_count_too(store, tmp_path):
    for path in (store / "documents").rglob("*ExportOrderDetailList*"):
        path.unlink()
    items = tmp_path / "ExportOrderDetailList.xlsx"
    header = goods_samples.ITEM_HEADER
    items.write_bytes(goods_samples.workbook(header, [[t, ti, p, q, None, None, None, None, s, k]
                                                     for t, ti, p, q, _a, s, k in ITEMS]))
    status, err = run(store, "2025-03", "--items", str(items))
    assert status == 0, err
    assert (store / "2025" / "03.beancount").read_text(encoding="utf-8").endswith(MARCH)


def test_two_exports_that_disagree_on_an_order_are_refused(store, tmp_path):
    other = tmp_path / "items.csv"
    other.write_bytes(goods_samples.item_csv_resaved([("1002", "龙井", "128.00", 2, "", "交易成功", "LJ-250")]))
    status, err = run(store, "2025-03", "--items", str(other))
    assert status == 1 and "订单 1002 的宝贝在" in err and "LJ-250×2" in err and "LJ-250×1" in err


def test_a_month_the_statements_do_not_cover_to_its_end_is_refused(store):
    statement = next((store / "documents").rglob("*_202504_账务明细.csv"))
    statement.write_bytes(statement.read_bytes().replace("2025年05月01日 00:00:00".encode("gbk"),
                                                         "2025年04月16日 00:00:00".encode("gbk")))
    status, err = run(store, "2025-04")
    assert status == 1
    assert "错误: 已归档的账务明细只到 2025-04-15, 未覆盖 2025-04 全月 (到 2025-04-30)" in err


def test_a_month_after_the_statements_is_refused(store):
    status, err = run(store, "2025-06")
    assert status == 1 and "已归档的账务明细只到 2025-04-30, 未覆盖 2025-06 全月" in err


def test_a_month_without_settlements_says_so(store):
    status, err = run(store, "2025-02")
    assert status == 0 and "2025-02 没有结算的订单" in err
    assert not (store / "2025" / "02.beancount").exists()


@pytest.mark.parametrize("month", ["2025-3", "2025-13", "March", "2025-03-01"])
def test_a_bad_month_is_refused(store, month):
    status, err = run(store, month)
    assert status == 2 and "应写作 YYYY-MM" in err


def test_no_cost_table(tmp_path):
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    status, err = run(books, "2025-03")
    assert status == 2 and "成本表" in err and "不存在" in err


def test_a_months_cogs_equals_quantity_times_cost_from_the_item_export(tmp_path):
    """Many orders and SKUs: the entry's amount per SKU is Σ 购买数量 × 单位成本 over the export."""
    rng = random.Random(8)
    skus = {f"SKU-{n:02d}": Decimal(rng.randrange(100, 99999)) / 100 for n in range(12)}
    rows, tids, stmt = [], [], []
    for n in range(60):
        tid = f"39{n:017d}"
        tids.append(tid)
        for sku in rng.sample(sorted(skus), rng.randint(1, 3)):
            rows.append((tid, "茶", "10.00", rng.randint(1, 9), "", "交易成功", sku))
        when = datetime.datetime(2025, 3, 1, 8) + datetime.timedelta(hours=11 * n)
        stmt += sale(1 + 2 * n, when.isoformat(sep=" "), tid, "100.00", "5.00")
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    statement = write_statement(tmp_path / f"{ALIPAY_ID}_202503_账务明细.csv", "0.00", stmt,
                                "2025-03-01 00:00:00", "2025-04-01 00:00:00")
    items = tmp_path / "items.csv"
    items.write_bytes(goods_samples.item_csv_resaved(rows))
    costs = tmp_path / "costs.csv"
    costs.write_bytes(goods_samples.cost_csv([(s, s, str(c), "2025/1/1") for s, c in skus.items()]))
    assert filing.run_import([str(statement), str(items), str(costs)], ledger=books / "main.beancount") == 0
    purchase(books, [(s, 1000, str(c)) for s, c in skus.items()])
    assert run(books, "2025-03")[0] == 0

    expected: dict[str, Decimal] = {}
    for item in tmall_items.read_items(items):
        expected[item.sku] = expected.get(item.sku, Decimal(0)) + item.quantity * skus[item.sku]
    entries = check(books)
    [entry] = [e for e in entries if isinstance(e, data.Transaction) and "cogs" in e.tags]
    booked = {p.meta["sku"]: p.units.number for p in entry.postings if p.account == "Expenses:6401-主营业务成本"}
    assert booked == {s: v.quantize(Decimal("0.01"), ROUND_HALF_UP) for s, v in expected.items()}
    assert sum(int(p.meta["quantity"]) for p in entry.postings if p.units.number > 0) == sum(
        i.quantity for i in tmall_items.read_items(items)
    )
    assert entry.narration == f"2025-03 结转已销商品成本 {sum(r[3] for r in rows)} 件"


def test_plan_cogs_is_the_api(store):
    result = cogs.plan_cogs(store / "main.beancount", "2025-03")
    assert [(ln.sku, ln.unit_cost, ln.quantity, ln.amount, ln.orders) for ln in result.lines] == [
        ("BC-100", Decimal("18.1234"), 1, Decimal("18.12"), ["1001"]),
        ("LJ-250", Decimal("30.00"), 3, Decimal("90.00"), ["1001", "1002"]),
        ("LJ-250", Decimal("32.50"), 3, Decimal("97.50"), ["1003"]),
    ]
    assert result.total == Decimal("205.62") and result.quantity == 7 and result.orders == 3


# --- the cost table through import ----------------------------------------------------------------


def test_a_cost_table_that_adds_prices_updates_the_stores(store, tmp_path, capsys):
    more = tmp_path / "costs2.csv"
    more.write_bytes(goods_samples.cost_csv([*COSTS, ("HC-050", "红茶", "9.00", "2025/4/1")]))
    assert filing.run_import([str(more)], ledger=store / "main.beancount") == 0
    assert "成本表.csv 增加 1 个单位成本" in capsys.readouterr().err
    assert (store / "成本表.csv").read_bytes() == more.read_bytes()


def test_a_cost_table_that_rewrites_a_price_is_refused(store, tmp_path, capsys):
    other = tmp_path / "costs2.csv"
    other.write_bytes(goods_samples.cost_csv([("LJ-250", "龙井", "31.00", "2025/1/1"), *COSTS[1:]]))
    assert filing.run_import([str(other)], ledger=store / "main.beancount") == 1
    err = capsys.readouterr().err
    assert "商家编码 LJ-250 自 2025-01-01 的单位成本 31.00 与" in err and "中的 30.00 不同" in err
    assert (store / "成本表.csv").read_bytes() == goods_samples.cost_csv(COSTS)


def test_an_xlsx_cost_table_is_kept_as_csv(tmp_path):
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    book = Path(__file__).parent / "fixtures" / "goods" / "成本表.xlsx"
    assert filing.run_import([str(book)], ledger=books / "main.beancount") == 0
    from beancount_tmall.formats.cost_table import CostTable

    assert CostTable.read(books / "成本表.csv").facts() == CostTable.read(book).facts()


def test_refund_exports_are_identified_and_archived(tmp_path):
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    refunds = Path(__file__).parent / "fixtures" / "goods" / "refunds_gbk.csv"
    assert filing.identify(refunds) == "refunds"
    assert filing.run_import([str(refunds)], ledger=books / "main.beancount") == 0
    assert (books / "documents" / "Income" / "6001-主营业务收入" / "2025-03-20.refunds_gbk.csv").is_file()


def test_a_broken_goods_file_is_refused_at_import(tmp_path, capsys):
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    broken = Path(__file__).parent / "fixtures" / "goods" / "broken_costs_negative.csv"
    assert filing.run_import([str(broken)], ledger=books / "main.beancount") == 1
    assert f"{broken}:4: 单位成本 '-1.00'" in capsys.readouterr().err
    assert not (books / "成本表.csv").exists()


def test_a_hand_written_cogs_entry_without_period_counts_for_its_month(store):
    with open(store / "2025" / "03.beancount", "a", encoding="utf-8") as fh:
        fh.write('\n2025-03-31 * "结转" "手工结转" #cogs\n  Expenses:6401-主营业务成本  1.00 CNY\n'
                 "  Assets:1405-库存商品  -1.00 CNY\n")
    status, err = run(store, "2025-03")
    assert status == 1 and "已有: 1.00 CNY" in err


def test_two_cost_tables_in_one_import_are_refused(tmp_path, capsys):
    books = tmp_path / "b"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    goods = Path(__file__).parent / "fixtures" / "goods"
    assert filing.run_import([str(goods / "costs_gbk.csv"), str(goods / "成本表.xlsx")],
                             ledger=books / "main.beancount") == 1
    assert "一次只能导入一个成本表, 给出了 2 个" in capsys.readouterr().err
