"""The demo store: generated sources read back consistently, and build into a clean ledger."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.demo import generate as gen
from beancount_tmall.demo.build import run_demo
from beancount_tmall.formats import (
    alipay_statement,
    cost_table,
    fee_invoices,
    tmall_items,
    tmall_orders,
    tmall_refunds,
)


def months_text(directory) -> str:
    """All month files of a built demo, in order."""
    return "".join(p.read_text(encoding="utf-8") for p in sorted(directory.glob("[0-9]*/[0-9]*.beancount")))


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return gen.generate(tmp_path_factory.mktemp("demo"), orders_per_day=5, days=70, seed=3)


def test_statements_read_back(demo_files):
    """Footers, running balances and serials hold within and across the monthly files."""
    totals = demo_files.totals
    assert [p.name for p in demo_files.statements] == [
        "20880012345678900156_202501_账务明细.csv",
        "20880012345678900156_202502_账务明细.csv",
        "20880012345678900156_202503_账务明细.csv",
    ]
    balance = Decimal(totals.opening_balance) / 100
    last_serial = ""
    count = 0
    for path in demo_files.statements:
        raw = path.read_bytes()
        text = raw.decode("gbk")  # strict GBK
        assert text.startswith("#支付宝账务明细查询\r\n#账号：[20880012345678900156]\r\n#起始日期：[")
        assert "#支出合计：" in text and "#收入合计：" in text and "#导出时间：[" in text
        month = None
        for row in alipay_statement.read_rows(path):  # verifies footer counts/totals, balances
            balance += row.amount
            assert row.balance == balance
            assert int(row.serial) > int(last_serial or 0) and len(row.serial) == 32
            last_serial = row.serial
            month = month or (row.time.year, row.time.month)
            assert (row.time.year, row.time.month) == month
            count += 1
    assert count == totals.rows
    assert balance == Decimal(totals.closing_balance) / 100


def test_every_row_is_classified_by_the_default_rules(demo_files):
    from beancount_tmall.importers.alipay import AlipayStatementImporter

    importer = AlipayStatementImporter()
    for path in demo_files.statements:
        assert importer.extract_file(path).unclassified == []


def test_order_export_and_consumer_points(demo_files):
    orders = [o for path in demo_files.orders for o in tmall_orders.read_orders(path)]
    assert len(orders) == demo_files.totals.orders
    points = tmall_orders.consumer_points(demo_files.orders)
    assert points and all(v > 0 for v in points.values())
    # Every invoice for 消费积分 is the month's points part of the sales released in it.
    for inv in demo_files.invoice_list:
        if inv.kind == "消费积分":
            assert inv.amount * 100 == demo_files.totals.consumer_points[inv.period]


def test_invoices_match_the_deductions(demo_files):
    rows = fee_invoices.read_rows(demo_files.invoices)
    assert len(rows) == len(demo_files.invoice_list) > 0
    assert [r.number for r in rows] == [i.number for i in demo_files.invoice_list]
    totals = demo_files.totals
    kinds = {kind: k for kind, _, k in gen.INVOICED}
    last = totals.last_day
    for row in rows:
        assert row.date <= last
        if row.kind in kinds:
            assert row.amount * 100 == totals.month_net(row.period, kinds[row.kind])
            assert row.rate == Decimal("0.06") and row.receiver == gen.STORE_NAME
        else:
            assert row.kind == "消费积分" and row.issuer == gen.STORE_NAME


def test_same_seed_same_bytes(tmp_path):
    a = gen.generate(tmp_path / "a", orders_per_day=4, days=35, seed=7)
    b = gen.generate(tmp_path / "b", orders_per_day=4, days=35, seed=7)
    c = gen.generate(tmp_path / "c", orders_per_day=4, days=35, seed=8)
    files_a = a.statements + a.orders + [a.invoices]
    files_b = b.statements + b.orders + [b.invoices]
    assert [p.name for p in files_a] == [p.name for p in files_b]
    for pa, pb in zip(files_a, files_b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert a.statements[0].read_bytes() != c.statements[0].read_bytes()


def test_single_statement_file_streams(tmp_path):
    """The benchmark helper writes one file; the pending-event heap stays small."""
    path = tmp_path / "big.csv"
    totals = gen.generate_statement_file(path, orders_per_day=50, days=45, seed=2)
    rows = alipay_statement.read_rows(path)
    assert len(rows) == totals.rows > 45 * 50 * 2
    store = gen.Store(orders_per_day=200, days=40, seed=1)
    peak = 0
    for i, _ in enumerate(store.rows()):
        if i % 500 == 0:
            peak = max(peak, len(store._heap))
    assert peak < 200 * 2.5 * 25  # about the orders of the days before release, not the year


def test_annual_fee_refund_thresholds():
    fee = gen.DEMO_AGREEMENT["fee"] * 100
    first, second = (t for t, _ in gen.DEMO_AGREEMENT["thresholds"])
    assert gen.annual_fee_refund(first * 100 - 1) == 0
    assert gen.annual_fee_refund(first * 100) == fee // 2
    assert gen.annual_fee_refund(second * 100) == fee


def test_run_demo_builds_a_clean_ledger(tmp_path, capsys):
    directory = tmp_path / "ledger"
    assert run_demo(directory, days=40, orders_per_day=5) == 0
    out = capsys.readouterr().out
    assert "errors: 0" in out and "待核对 0 行" in out
    main = directory / "main.beancount"
    entries, errors, options = loader.load_file(str(main))
    assert errors == []
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert not any(p.account == accounts.SUSPENSE for t in txns for p in t.postings)
    assert (directory / "2025" / "01.beancount").exists()
    assert (directory / "2025" / "02.beancount").exists()
    # Built as a store builds its books: init with the 期初余额表, then import of every source.
    assert (directory / "期初余额表.csv").read_bytes().decode("gbk").startswith("科目编码,科目名称,借方余额,贷方余额")
    assert not (directory / "invoices.beancount").exists()
    assert '"2025-01 消费积分发票" #points-invoice' in (directory / "2025" / "02.beancount").read_text(encoding="utf-8")
    # The sources are filed as beangulp's archive does, and the ledger lists them as documents.
    alipay_dir = directory / "documents" / "Assets" / "1012-其他货币资金" / "101201-支付宝"
    assert sorted(p.name for p in alipay_dir.glob("*_账务明细.csv"))[:2] == [
        "2025-01-31.20880012345678900156_202501_账务明细.csv",
        "2025-02-09.20880012345678900156_202502_账务明细.csv",
    ]
    documents = [e for e in entries if isinstance(e, data.Document)]
    assert {d.account for d in documents} == {
        accounts.ALIPAY, accounts.REVENUE, accounts.COMMISSION_RECEIVABLE, accounts.INVENTORY,
        accounts.BREAKAGE,
    }
    # The store's registers beside main.beancount, the hand-written files included from it.
    for name in ("成本表.csv", "验货记录.csv", "售后审批单.csv", "手工/采购入库.beancount", "手工/破损.beancount"):
        assert (directory / name).is_file(), name
    [opening] = [t for t in txns if "opening" in t.tags]
    assert opening.date == datetime.date(2025, 1, 1) and opening.postings[0].account == accounts.ALIPAY
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert opens[accounts.ALIPAY].meta["alipay-account"] == gen.ALIPAY_ACCOUNT
    assert any("consumer-points" in t.meta for t in txns)
    # Refuses to overwrite; --force rebuilds the same ledger.
    before = main.read_bytes()
    assert run_demo(directory, days=40, orders_per_day=5) == 1
    assert "already exists" in capsys.readouterr().err
    assert run_demo(directory, force=True, days=40, orders_per_day=5) == 0
    assert main.read_bytes() == before


def test_full_year_small_store(tmp_path, capsys):
    """A year of a small store: annual fee not refunded (invoice for 30000), accruals, no errors."""
    directory = tmp_path / "year"
    assert run_demo(directory, orders_per_day=2, days=365, seed=1) == 0
    out = capsys.readouterr().out
    assert "expected refund 0.00, expense 30,000.00" in out and "status settled" in out
    assert "已预提" in out and "bean-check" in out and ": 通过 (clean)" in out
    text = months_text(directory)
    assert '"2025 年度技术服务费发票"' in text and "-30000.00 CNY" in text
    assert '"2025-12 天猫佣金发票"' not in text  # December's invoices come next year


def test_two_years_each_settle_their_own_annual_fee(tmp_path, capsys):
    """Each year deducts the fee in January and settles it on that year's sales (no errors)."""
    directory = tmp_path / "two"
    assert run_demo(directory, orders_per_day=2, days=730, seed=3) == 0
    assert ": 通过 (clean)" in capsys.readouterr().out
    text = months_text(directory)
    assert '"2025 年度技术服务费发票"' in text and '"2026 年度技术服务费发票"' in text
    for year in (2025, 2026):
        statement = (directory / str(year) / "01.beancount").read_text(encoding="utf-8")
        assert "Assets:1221-其他应收款:122104-天猫年费" in statement


def test_demo_never_overwrites_a_stores_books(tmp_path, capsys):
    """Not into a non-empty folder, and --force replaces only an earlier demo."""
    books = tmp_path / "books"
    (books / "2024").mkdir(parents=True)
    (books / "2024" / "12.beancount").write_text("; mine\n", encoding="utf-8")
    assert run_demo(books, days=3, orders_per_day=2) == 1
    assert "not empty" in capsys.readouterr().err
    (books / "main.beancount").write_text('option "title" "我的店"\n', encoding="utf-8")
    assert run_demo(books, force=True, days=3, orders_per_day=2) == 1
    assert "not a demo ledger" in capsys.readouterr().err
    assert (books / "2024" / "12.beancount").read_text(encoding="utf-8") == "; mine\n"


# --------------------------------------------------------------------------- the goods side


def test_item_export_matches_the_order_export(demo_files):
    """One 宝贝报表 line per order of the 订单报表: same id, status, quantity; SKU and unit price
    from the catalogue."""
    assert [p.name for p in demo_files.items] == [p.name.replace("ExportOrderList", "ExportOrderDetailList")
                                                  for p in demo_files.orders]
    orders = {o.tid: o for path in demo_files.orders for o in tmall_orders.read_orders(path)}
    items = [i for path in demo_files.items for i in tmall_items.read_items(path)]
    assert sorted(i.tid for i in items) == sorted(orders)
    catalogue = {sku: (title, Decimal(price) / 100)
                 for (sku, _, _), (title, price, _, _) in zip(gen.SKUS, gen.CATALOG, strict=True)}
    for item in items:
        order = orders[item.tid]
        assert item.status == order.status
        assert (item.title, item.price) == catalogue[item.sku]
        assert item.price * item.quantity >= order.goods  # a shop coupon may lower the order
        assert item.title == order.title


def test_refund_export_matches_the_statements(demo_files):
    """Every after-sale refund of the 退款 export is a 售后退款 row of the statements (same order,
    time and amount) and the other way round; refunds before shipping (售中) never reach them."""
    refunds = [r for path in demo_files.refunds for r in tmall_refunds.read_refunds(path)]
    assert refunds and len({r.refund_id for r in refunds}) == len(refunds)
    statement = {}
    for path in demo_files.statements:
        for row in alipay_statement.read_rows(path):
            if row.remark.startswith("售后退款"):
                statement[row.remark.rsplit("T200P", 1)[1]] = (row.time, -row.amount)
    after_sale = {r.tid: (r.finished_time, r.amount) for r in refunds if r.goods_status != "买家未收到货"}
    assert after_sale == statement
    orders = {o.tid: o for path in demo_files.orders for o in tmall_orders.read_orders(path)}
    for r in refunds:
        assert r.status == "退款成功" and r.sku
        if r.goods_status == "买家未收到货":
            assert orders[r.tid].status == "交易关闭" and not r.partial and r.amount == r.paid
        assert r.needs_return == (r.goods_status == "买家已退货")
        assert r.partial == (r.amount < r.paid)
        if r.partial:  # 仅退款 for a small quality problem: a 折价
            assert r.reason == "质量问题" and "折价" in r.explanation


def test_cost_table_inspections_and_approvals(demo_files):
    table = cost_table.CostTable.read(demo_files.cost_table)
    assert table.unit_cost("LJ-250", datetime.date(2025, 6, 30)) == Decimal("118.00")
    assert table.unit_cost("LJ-250", datetime.date(2025, 7, 1)) == Decimal("126.00")
    for sku, _, _ in gen.SKUS:
        assert table.unit_cost(sku, datetime.date(2025, 1, 1)) is not None
    returned = {r.refund_id for path in demo_files.refunds for r in tmall_refunds.read_refunds(path)
                if r.needs_return}
    lines = demo_files.inspections.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "退款编号,验货结果,破损单号,备注"
    rows = [line.split(",") for line in lines[1:]]
    assert all(len(r) == 4 for r in rows)
    assert {r[0] for r in rows} == returned
    failed = {r[0]: r[2] for r in rows if r[1] == "不合格"}
    assert all(r[1] in ("合格", "不合格") for r in rows)
    assert all(r[2] == "" for r in rows if r[1] == "合格")
    # A parcel that fails inspection is a 破损单 of its own; the warehouse has the others.
    assert failed == {b.refund_id: b.number for b in demo_files.breakages if b.refund_id}
    assert any(not b.refund_id for b in demo_files.breakages)
    assert all(b.photos and all(p.read_bytes().startswith(b"\x89PNG") for p in b.photos)
               for b in demo_files.breakages)
    kinds = {a.kind for a in demo_files.approvals}
    assert kinds == {"好评返现", "质量问题折价", "折价退款"}
    for a in demo_files.approvals:
        assert gen.APPROVERS[a.role] == a.approver
        if a.kind != "好评返现" and a.amount > a.postage:
            assert a.role == "主管"


def test_approval_roles():
    assert gen.approval_role(1000_00) == "销售经理"
    assert gen.approval_role(1000_01) == "副总经理"
    assert gen.approval_role(5000_00) == "副总经理"
    assert gen.approval_role(5000_01) == "总经理"
    assert gen.approval_role(2000, quality=True, postage=1000) == "主管"
    assert gen.approval_role(1000, quality=True, postage=1000) == "销售经理"
    assert gen.approval_role(2000_00, quality=True, postage=0) == "副总经理"


def test_purchases_keep_stock(demo_files):
    """Bought on the 1st of each month: enough for the month's settled sales and breakage."""
    totals = demo_files.totals
    stock: dict = {}
    months = sorted({m for m, _ in totals.sold})
    for month in months:
        for p in demo_files.purchases:
            if f"{p.date:%Y-%m}" == month:
                stock[p.sku] = stock.get(p.sku, 0) + p.quantity
                assert p.date.day == 1
                assert p.unit_cost == gen.cost_on(gen.unit_costs(2025)[p.sku], p.date)
        for (m, sku), quantity in totals.sold.items():
            if m == month:
                stock[sku] = stock.get(sku, 0) - quantity
        for b in demo_files.breakages:
            if not b.refund_id and f"{b.date:%Y-%m}" == month:
                stock[b.sku] -= b.quantity
        assert min(stock.values()) >= 0, month


@pytest.fixture(scope="module")
def goods_demo(tmp_path_factory):
    """A built demo of 100 days (three closed months)."""
    directory = tmp_path_factory.mktemp("goods") / "ledger"
    assert run_demo(directory, days=100, orders_per_day=10, seed=2) == 0
    entries, errors, options = loader.load_file(str(directory / "main.beancount"))
    assert errors == []
    return directory, entries


def test_month_cogs_is_quantity_times_cost_from_the_item_export(goods_demo):
    """A month's #cogs entry = Σ 购买数量 × 单位成本 over the 宝贝报表 lines of the orders settled
    (交易成功, 确认收货时间) in the month, read back from the archived files; not the orders
    planted as unsettled (交易成功 but no settlement in the statement, 预设问题.csv)."""
    directory, entries = goods_demo
    documents = directory / "documents"
    planted = (directory / gen.PLANTED_FILE).read_text(encoding="utf-8").splitlines()[1:]
    unsettled = {line.split(",")[1] for line in planted if line.startswith("unsettled,")}
    assert unsettled
    settled = {}
    for path in documents.rglob("*ExportOrderList*.csv"):
        for order in tmall_orders.read_orders(path):
            if order.confirmed_time is not None and order.tid not in unsettled:
                settled[order.tid] = order.confirmed_time.date()
    table = cost_table.CostTable.read(directory / "成本表.csv")
    cogs = [e for e in entries if isinstance(e, data.Transaction) and "cogs" in e.tags]
    assert [e.meta["period"] for e in cogs] == ["2025-01", "2025-02", "2025-03"]
    for entry in cogs:
        month = entry.meta["period"]
        expected: dict = {}
        for path in documents.rglob("*ExportOrderDetailList*.csv"):
            for item in tmall_items.read_items(path):
                day = settled.get(item.tid)
                if day and f"{day:%Y-%m}" == month:
                    expected[item.sku] = expected.get(item.sku, 0) + item.quantity * table.unit_cost(item.sku, day)
        booked: dict = {}
        for p in entry.postings:
            if p.account == accounts.COST_OF_SALES:
                booked[p.meta["sku"]] = booked.get(p.meta["sku"], 0) + p.units.number
        assert booked == {sku: amount.quantize(Decimal("0.01")) for sku, amount in expected.items()}
        assert sum(booked.values()) > 0


def test_returns_breakage_and_approvals_in_the_books(goods_demo):
    directory, entries = goods_demo
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    returns = [t for t in txns if "return" in t.tags]
    passed = [t for t in returns if t.meta["inspection"] == "合格"]
    failed = [t for t in returns if t.meta["inspection"] == "不合格"]
    assert passed and failed
    assert all(any(p.account == accounts.INVENTORY for p in t.postings) for t in passed)
    assert all(any(p.account == accounts.BREAKAGE for p in t.postings) for t in failed)
    # Every 破损 (returned or in the warehouse) has its photos as documents linked to its number.
    documents = [e for e in entries if isinstance(e, data.Document) and e.account == accounts.BREAKAGE]
    linked = {link for d in documents for link in d.links}
    broken = [t for t in txns if any(p.account == accounts.BREAKAGE for p in t.postings)]
    assert any("return" not in t.tags for t in broken)  # warehouse breakage too
    for t in broken:
        assert f"breakage-{t.meta['breakage-no']}" in linked
    assert all(Path(d.filename).is_file() for d in documents)
    # Every payment to a buyer carries its approval; purchases carry sku and quantity.
    paid = [p for t in txns for p in t.postings if p.account == accounts.COMPENSATION]
    assert paid and all(p.meta.get("approved-by") and p.meta.get("approver-role") for p in paid)
    assert {p.meta["reason"] for p in paid} == {"好评返现", "质量问题折价"}
    bought = [p for t in txns if "purchase" in t.tags for p in t.postings if p.account == accounts.INVENTORY]
    assert bought and all(int(p.meta["quantity"]) > 0 and p.meta["sku"] for p in bought)


def test_lost_parcels_reshipped_and_claimed(goods_demo):
    """A lost parcel: reshipped (#reship, its cost to 6401), the courier's claim a receivable
    (122111, linked ^claim-<order>) cleared by the courier's 快递理赔 payment in the statement."""
    _, entries = goods_demo
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    reships = [t for t in txns if "reship" in t.tags]
    assert reships
    for t in reships:
        tid = t.meta["order-id"]
        claims = [p for c in txns if f"claim-{tid}" in c.links for p in c.postings
                  if p.account == accounts.COURIER_CLAIMS]
        assert len(claims) == 1 and claims[0].units.number > 0
        cost = sum(p.units.number for p in t.postings if p.account == accounts.COST_OF_SALES)
        assert cost > 0
    # Every claim of the 100 days was paid within them: the statement's 快递理赔 rows clear 122111.
    paid = [p for t in txns if "claim" not in str(t.links) for p in t.postings
            if p.account == accounts.COURIER_CLAIMS]
    assert len(paid) == len(reships) and all(p.units.number < 0 for p in paid)
    assert sum(p.units.number for t in txns for p in t.postings if p.account == accounts.COURIER_CLAIMS) == 0


def test_income_statement_shows_cost_of_sales(goods_demo):
    from beancount_tmall.demo.build import print_income_statement
    from beancount_tmall.reports import balances
    from beancount_tmall.reports.statements import income_statement

    _, entries = goods_demo
    st = income_statement(entries, {}, year=2025)
    revenue, cost = st.value("营业收入"), st.value("营业成本")
    breakage = balances.activity(entries, datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))[accounts.BREAKAGE]
    assert cost > breakage.closing - breakage.opening > 0
    assert Decimal("0.3") < cost / revenue < Decimal("0.7")
    # The month-end close (tmall-books close) books 税金及附加 on each month's VAT payable.
    assert st.value("税金及附加") > 0
    assert st.value("营业利润") == (revenue - cost - st.value("税金及附加") - st.value("销售费用")
                                 - st.value("财务费用"))
    out = io.StringIO()
    print_income_statement(entries, {}, 2025, out)
    assert "减：营业成本" in out.getvalue() and f"{cost:,.2f}" in out.getvalue()


def test_rebuild_is_byte_for_byte(tmp_path):
    """--force rebuilds the same files (ledger, registers, hand-written entries, archive, photos)."""
    directory = tmp_path / "d"
    assert run_demo(directory, days=45, orders_per_day=4, seed=5) == 0

    def snapshot():
        return {p.relative_to(directory): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}

    before = snapshot()
    assert any(p.parts[0] == "手工" for p in before) and any("破损" in p.parts for p in before)
    assert run_demo(directory, force=True, days=45, orders_per_day=4, seed=5) == 0
    assert snapshot() == before


def test_big_demo_keeps_no_sources_and_books_no_goods(tmp_path, monkeypatch, capsys):
    """A demo too big to keep its sources checks clean without cost of sales or returns (they
    read the archived statements), its refunded points still invoiced."""
    from beancount_tmall.demo import build

    monkeypatch.setattr(build, "BIG_ORDERS", 10)
    directory = tmp_path / "big"
    assert run_demo(directory, days=70, orders_per_day=5, seed=3) == 0
    captured = capsys.readouterr()
    assert "a big demo keeps no sources" in captured.err and ": 通过 (clean)" in captured.out
    assert not list((directory / "documents").rglob("*.csv"))
    text = months_text(directory)
    assert "#cogs" not in text and "#return" not in text
    assert "approved-by" in text
