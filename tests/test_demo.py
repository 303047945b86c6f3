"""The demo store: generated sources read back consistently, and build into a clean ledger."""

import datetime
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.demo import generate as gen
from beancount_tmall.demo.build import run_demo
from beancount_tmall.formats import alipay_statement, fee_invoices, tmall_orders


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
        accounts.ALIPAY, accounts.REVENUE, accounts.COMMISSION_RECEIVABLE
    }
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
