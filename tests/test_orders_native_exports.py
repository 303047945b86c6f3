"""The order and item exports read by DuckDB (``orders.native_exports``) give exactly the strict
parsers' rows, or are declined (``None``, nothing inserted) for the strict parser to read.

* every order and item export among the fixtures, and the demo generator's exports: the native
  loaders' rows equal what ``engine_duckdb`` inserts from ``sources.order_records`` /
  ``sources.item_values`` (every column, ``seq`` and line numbers included), or the file is
  declined; the demo's exports (GBK, CRLF, ids written ``="…"``) are TAKEN, in GBK and in UTF-8;
* damaged files written byte for byte as Tmall writes them (GBK, CRLF): a duplicate order id, an
  amount of three places, an impossible time, a cut row, extra cells, an id Excel wrote
  ``1.86E+17``, a cell that starts with a quote, an xlsx, … are declined, and the strict parser
  refuses them (or reads them: then a decline only costs time);
* random cells from an alphabet of tricky values (hypothesis): declined, or the same rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beancount_tmall.demo.generate import ITEM_HEADER, ORDER_HEADER, generate
from beancount_tmall.formats import table as table_module
from beancount_tmall.formats.common import SourceError
from beancount_tmall.orders import sources

duckdb = pytest.importorskip("duckdb")

from beancount_tmall.orders import engine_duckdb, native_exports  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
ORDER_FIXTURES = [*sorted((FIXTURES / "orders").iterdir()), FIXTURES / "alipay" / "orders_gbk.csv"]
ITEM_FIXTURES = sorted(
    p for p in (FIXTURES / "goods").iterdir()
    if "items" in p.name or p.name.startswith("ExportOrderDetailList")
)
MARCH = sources.month_index("2025-03")


def connection():
    """An empty database with the tables of ``engine_duckdb``, set as its ``connect`` sets it."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(engine_duckdb.SCHEMA)
    return con


def strict_orders(con, path: Path, file_id: int, seq0: int, month: int | None) -> int:
    """Insert the orders as ``engine_duckdb._run`` does (``sources.order_records``)."""
    rows = []
    for k, o in enumerate(sources.order_records(path), 1):
        mi = None if o.month is None else sources.month_index(o.month)
        judged = mi is not None and (month is None or mi == month)
        rows.append((o.tid, mi, judged, o.paid, o.points, o.refund, o.status, o.card, o.taobaoke,
                     file_id, o.line, seq0 + k))
    engine_duckdb._append(con, "orders", iter(rows))
    return len(rows)


def strict_items(con, path: Path) -> int:
    rows = list(sources.item_values([path]))
    engine_duckdb._append(con, "items", iter(rows))
    return len(rows)


def table(con, name: str) -> list[tuple]:
    order = "seq" if name == "orders" else "ALL"
    return con.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()


def compare(name: str, load, strict, path: Path, tmp: Path) -> str:
    """``"taken"``: ``load(con, work)`` (the native loader) inserted the rows ``strict(con)``
    inserts, in table ``name``; ``"declined"``: it returned ``None`` and inserted nothing, the
    strict parser reads the file; ``"refused"``: declined, and the strict parser refuses it."""
    fast, other = connection(), connection()
    work = tmp / "work"
    work.mkdir(exist_ok=True)
    n = load(fast, work)
    assert not list(work.iterdir()), "the temporary file is removed"
    try:
        expected = strict(other)
    except SourceError:
        assert n is None, f"{path.name}: the strict parser refuses it, the fast path took it"
        assert table(fast, name) == []
        return "refused"
    if n is None:
        assert table(fast, name) == []
        return "declined"
    assert n == expected
    assert table(fast, name) == table(other, name)
    return "taken"


def compare_orders(path: Path, tmp: Path, month: int | None = None, file_id: int = 7,
                   seq0: int = 100) -> str:
    return compare(
        "orders", lambda con, work: native_exports.load_orders(con, path, file_id, seq0, month, work),
        lambda con: strict_orders(con, path, file_id, seq0, month), path, tmp,
    )


def compare_items(path: Path, tmp: Path) -> str:
    return compare("items", lambda con, work: native_exports.load_items(con, path, work),
                   lambda con: strict_items(con, path), path, tmp)


# --- fixtures and the demo's exports ---------------------------------------------------------------


def test_the_fixtures_are_found():
    assert len(ORDER_FIXTURES) >= 10 and len(ITEM_FIXTURES) >= 4


@pytest.mark.parametrize("path", ORDER_FIXTURES, ids=lambda p: p.name)
def test_order_fixtures_equal_or_declined(path, tmp_path):
    outcome = compare_orders(path, tmp_path)
    if path.name == "orders_gbk.csv":  # ids ="1001" and '1002, CRLF, GBK
        assert outcome == "taken"


@pytest.mark.parametrize("path", ITEM_FIXTURES, ids=lambda p: p.name)
def test_item_fixtures_equal_or_declined(path, tmp_path):
    compare_items(path, tmp_path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A generated store's order and item exports: 12 orders a day, 2025-01-01 to 2025-03-20."""
    files = generate(tmp_path_factory.mktemp("store"), orders_per_day=12, days=79)
    return files.orders, files.items


def test_the_demo_exports_are_taken(demo, tmp_path):
    orders, items = demo
    assert len(orders) == 3 and len(items) == 3
    for path in orders:
        for month in (None, MARCH):
            assert compare_orders(path, tmp_path, month=month) == "taken", path.name
    for path in items:
        assert compare_items(path, tmp_path) == "taken", path.name


def test_the_demo_exports_are_taken_in_utf8_with_lf(demo, tmp_path):
    orders, items = demo
    for path, compare in ((orders[-1], compare_orders), (items[-1], compare_items)):
        utf8 = tmp_path / path.name
        text = path.read_bytes().decode("gbk").replace("\r\n", "\n")
        utf8.write_bytes("\ufeff".encode() + text.encode())
        assert compare(utf8, tmp_path) == "taken"


def test_counts_seq_file_and_judged(demo, tmp_path):
    orders, _ = demo
    con = connection()
    first = native_exports.load_orders(con, orders[0], 0, 0, MARCH, tmp_path)
    second = native_exports.load_orders(con, orders[2], 1, first, MARCH, tmp_path)
    rows = table(con, "orders")
    assert [r[11] for r in rows] == list(range(1, first + second + 1))
    assert {r[9] for r in rows[:first]} == {0} and {r[9] for r in rows[first:]} == {1}
    assert not any(r[2] for r in rows[:first])  # January's orders are not judged in March
    assert all(r[2] == (r[1] is not None) for r in rows[first:])
    assert rows[0][10] == 2 and rows[first][10] == 2  # the line under the header


# --- damaged files, byte for byte -------------------------------------------------------------------

ORDER = ['="4100000000000000001"', "tb1", "158****6512", "84.00", "0.00", "0", "84.00", "42",
         "84.00", "0", "交易成功", "", "张*", "浙江省 杭州市 ***", "快递", "183****1901",
         "2025-03-01 19:32:33", "2025-03-01 19:40:53", "龙井 200g", "1", '="676083192245"', "顺丰",
         "", "1", "店", "", "0.00", "2025-03-06 05:46:13", "84.00"]
ITEM = ['="4100000000000000001"', "龙井 200g", "89.00", "1", "", "净含量:200g", "", "", "交易成功",
        "ZS-200"]


def order(n: int, **cells: str) -> list[str]:
    """The n-th order of the sample (its own id), with some cells changed by header name."""
    row = list(ORDER)
    row[0] = f'="41000000000000000{n:02d}"'
    names = [c.strip() for c in ORDER_HEADER.split(",")]
    for name, value in cells.items():
        row[names.index(name)] = value
    return row


def item(n: int, **cells: str) -> list[str]:
    row = list(ITEM)
    row[0] = f'="41000000000000000{n:02d}"'
    names = ITEM_HEADER.split(",")
    for name, value in cells.items():
        row[names.index(name)] = value
    return row


def export(path: Path, header: str, rows: list, encoding: str = "gb18030", end: str = "\r\n") -> Path:
    """An export as Tmall writes it: GBK (written as GB18030, the same bytes for GBK's characters,
    and any other character too), CRLF; a row is a list of cells or a raw line."""
    lines = [header, *(r if isinstance(r, str) else ",".join(r) for r in rows)]
    path.write_bytes("".join(line + end for line in lines).encode(encoding))
    return path


def test_a_clean_sample_is_taken(tmp_path):
    rows = [order(1), order(2, 订单编号="'4100000000000000002"), order(3, 订单编号="4100000000000000003")]
    path = export(tmp_path / "o.csv", ORDER_HEADER, rows)
    assert compare_orders(path, tmp_path) == "taken"
    path = export(tmp_path / "i.csv", ITEM_HEADER, [item(1), item(1, 商家编码="BC-100"), item(2)])
    assert compare_items(path, tmp_path) == "taken"


DAMAGED_ORDERS = {
    "duplicate order id": [order(1), order(2), order(1)],
    "three places": [order(1), order(2, 买家实际支付金额="84.005")],
    "NaN amount": [order(1, 退款金额="NaN")],
    "thousands": [order(1, 总金额="1,084.00")],
    "points exponent": [order(1, 买家实际支付积分="1E+999999999")],
    "February 30": [order(1, 订单付款时间="2025-02-30 10:00:00")],
    "year 9999": [order(1, 订单创建时间="9999-03-01 10:00:00")],
    "cut row": [order(1), ",".join(order(2)[:12])],
    "extra cells": [order(1), ",".join([*order(2), "x"])],
    "Excel id": [order(1), order(2, 订单编号="4.1E+18")],
    "Excel alipay account": [order(1, 买家支付宝账号="2.0881E+15")],
    "empty id": [order(1, 订单编号="")],
    "unclosed quote": [order(1), ",".join(order(2, 订单备注='"备注'))],
}
#: Read by the strict parser: declined all the same (or taken with the same rows).
ODD_ORDERS = {
    "Excel time": [order(1, 订单付款时间="2025/3/1 19:40")],
    "one decimal": [order(1, 买家实际支付金额="84.5")],
    "negative amount": [order(1, 买家应付邮费="-1.00")],
    "status with a space": [order(1, 订单状态="交易成功\u3000")],
    "time with spaces": [order(1, 订单付款时间=" 2025-03-01 19:40:53 ")],
    "blank lines": ["", order(1), "", "", order(2), ""],
    "trailing blank cells": [",".join([*order(1), "", " "])],
    "short row of unmapped cells": [",".join(order(1)[:-1])],
    "blank line of commas": [order(1), "," * (len(ORDER) - 1), order(2)],
    "quoted cell": [order(1), ",".join(order(2, 买家留言='"快点,谢谢"'))],
}


DAMAGED_ITEMS = {
    "quantity 0": [item(1, 购买数量="0")],
    "quantity empty": [item(1, 购买数量="")],
    "quantity of 38 digits": [item(1, 购买数量="9" * 38)],
    "price NaN": [item(1, 价格="NaN")],
    "price three places": [item(1, 价格="1.001")],
    "Excel id": [item(1, 订单编号="4.1E+18")],
    "Excel SKU": [item(1, 商家编码="6.9E+12")],
    "cut row": [item(1), ",".join(item(2)[:5])],
    "extra cells": [",".join([*item(1), "x"])],
}
ODD_ITEMS = {
    "protected SKU": [item(1, 商家编码='="ZS-200"'), item(2, 商家编码="'ZS-200")],
    "SKU with spaces": [item(1, 商家编码=" ZS-200\u3000")],
    "empty SKU": [item(1, 商家编码="")],
    "quoted title": [",".join(item(1, 标题='"龙井, 200g"'))],
    "blank lines": [item(1), "", item(2)],
    "quantity +2": [item(1, 购买数量="+2")],
    "price with one decimal": [item(1, 价格="89.5")],
}


def compare_export(kind: str, rows: list, tmp: Path) -> str:
    """:func:`compare` on an order or item export of ``rows``."""
    if kind == "orders":
        return compare_orders(export(tmp / "ExportOrderList202503.csv", ORDER_HEADER, rows), tmp)
    return compare_items(export(tmp / "ExportOrderDetailList202503.csv", ITEM_HEADER, rows), tmp)


def cases(orders: dict[str, list], items: dict[str, list]) -> list:
    return [pytest.param(kind, rows, id=f"{kind}: {name}")
            for kind, named in (("orders", orders), ("items", items)) for name, rows in named.items()]


@pytest.mark.parametrize("kind, rows", cases(DAMAGED_ORDERS, DAMAGED_ITEMS))
def test_damaged_exports_are_declined_and_refused(kind, rows, tmp_path):
    assert compare_export(kind, rows, tmp_path) == "refused"


@pytest.mark.parametrize("kind, rows", cases(ODD_ORDERS, ODD_ITEMS))
def test_odd_exports_are_declined_or_the_same(kind, rows, tmp_path):
    assert compare_export(kind, rows, tmp_path) in ("declined", "taken")


def test_an_item_value_past_bigint_is_declined(tmp_path):
    """The strict parser reads it (a Python int); the table's BIGINT cannot hold it: declined."""
    path = export(tmp_path / "i.csv", ITEM_HEADER, [item(1, 价格="999999999999.99", 购买数量="999999999999")])
    assert native_exports.load_items(connection(), path, tmp_path) is None


def test_protected_and_empty_skus_are_taken(tmp_path):
    rows = [item(1, 商家编码='="ZS-200"'), item(2, 商家编码=""), item(3, 商家编码="'BC-100"),
            item(4, 商家编码="=X")]
    path = export(tmp_path / "i.csv", ITEM_HEADER, rows[:3])
    assert compare_items(path, tmp_path) == "taken"
    assert compare_items(export(tmp_path / "j.csv", ITEM_HEADER, rows[3:]), tmp_path) == "declined"


def test_line_ends(tmp_path):
    rows = [order(1), order(2)]
    lf = export(tmp_path / "lf.csv", ORDER_HEADER, rows, end="\n")
    assert compare_orders(lf, tmp_path) == "taken"
    cut = tmp_path / "no-last-end.csv"
    cut.write_bytes(export(cut, ORDER_HEADER, rows).read_bytes()[:-2])
    assert compare_orders(cut, tmp_path) == "taken"
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(export(mixed, ORDER_HEADER, rows).read_bytes().replace(b"\r\n", b"\n", 1))
    assert compare_orders(mixed, tmp_path) in ("declined", "taken")


def test_a_header_below_a_title_line_and_one_too_low(tmp_path):
    path = export(tmp_path / "o.csv", "订单报表 2025-03\r\n" + ORDER_HEADER, [order(1)])
    assert compare_orders(path, tmp_path) == "taken"
    blank = export(tmp_path / "b.csv", "\r\n订单报表\r\n" + ORDER_HEADER, ["", order(1), "", order(2), ""])
    assert compare_orders(blank, tmp_path) == "taken"  # the parser's line numbers, blank lines counted
    low = export(tmp_path / "low.csv", "\r\n" * 20 + ORDER_HEADER, [order(1)])
    assert compare_orders(low, tmp_path) == "refused"


def test_taobaoke_and_pay_detail_columns(tmp_path):
    header = ORDER_HEADER + ",是否淘宝客订单,支付详情"
    rows = [[*order(1), "是", ""], [*order(2), "否", ""], [*order(3), "", ""], [*order(4), "TRUE", ""],
            [*order(5), "n", ""]]
    path = export(tmp_path / "o.csv", header, rows)
    assert compare_orders(path, tmp_path) == "taken"
    con = connection()
    native_exports.load_orders(con, path, 0, 0, None, tmp_path)
    assert [r[8] for r in table(con, "orders")] == [True, False, False, True, False]
    paid = export(tmp_path / "p.csv", header, [[*order(1), "是", "支付方式：支付宝，金额：84.00；"]])
    assert compare_orders(paid, tmp_path) == "declined"
    odd = export(tmp_path / "q.csv", header, [[*order(1), "也许", ""]])
    assert compare_orders(odd, tmp_path) == "refused"


def test_xlsx_and_files_named_xlsx_are_declined(tmp_path):
    for path in FIXTURES.glob("*/Export*.xlsx"):
        assert native_exports.load_orders(connection(), path, 0, 0, None, tmp_path) is None
        assert native_exports.load_items(connection(), path, tmp_path) is None
    named = export(tmp_path / "ExportOrderList2025.xlsx", ORDER_HEADER, [order(1)])
    assert compare_orders(named, tmp_path) == "refused"


def test_a_header_only_export_has_no_rows(tmp_path):
    path = export(tmp_path / "o.csv", ORDER_HEADER, [])
    con = connection()
    assert native_exports.load_orders(con, path, 0, 0, None, tmp_path) == 0
    assert native_exports.load_items(con, export(tmp_path / "i.csv", ITEM_HEADER, []), tmp_path) == 0
    assert not list(tmp_path.glob("tmp*.csv"))


# --- random cells ---------------------------------------------------------------------------------

TRICKY = ["", " ", "\u3000", "0", "00", "7", "84.00", "84.5", "84.005", "1,084.00", "-1", "+2", "NaN",
          "1E+3", "1.86E+17", "2.0881e+15", '="123"', '="', "'123", "=x", "是", "否", "true", "ｔｒｕｅ",
          "2025-03-01 19:32:33", "2025-02-29 10:00:00", "2025/3/1 9:15", "2025-03-01T19:32:33",
          "9999-01-01 00:00:00", "2002-12-31 23:59:59", "24:00:00", "交易成功", " 交易成功", "交易成功\x85",
          'a"b', "\x0b", "\u2028", "\\", "#", "١٢", "\t7", "=", "9" * 19, "9" * 38, "9" * 40,
          "e\u0301", "\ufeff", "\xa0交易成功", "ＴＥＥ"]
MONEY = ["0", "0.00", "12.5", "007.10", "999999999999.99"]
TIMES = ["", "2025-03-01 19:32:33", "2024-02-29 23:59:59", "2003-01-01 00:00:00",
         f"{table_module._LAST_YEAR}-12-31 23:59:59"]
#: Each column's values as exports write them, drawn as often as the tricky ones.
VALID = {
    "订单编号": ['="4100000000000000009"', "4100000000000000008", '="0012"'],
    "买家支付宝账号": ["", "a@example.com", "TEE-1", "1E5"],
    "买家实际支付金额": MONEY, "退款金额": MONEY, "价格": MONEY,
    "买家实际支付积分": ["0", "250", "000000000001"],
    "订单状态": ["交易成功", "交易关闭", "卖家已发货，等待买家确认", ""],
    "订单付款时间": TIMES, "确认收货时间": TIMES,
    "宝贝标题": ["龙井", "", "x\x0by"],
    "购买数量": ["1", "2", "012"],
    "外部系统编号": ["", "X-1"],
    "商家编码": ["ZS-200", '="ZS-200"', "'ZS-200", "", "TEE-1"],
}
ORDER_COLUMNS = ["订单编号", "买家支付宝账号", "买家实际支付金额", "买家实际支付积分", "订单状态", "订单付款时间",
                 "退款金额", "确认收货时间", "宝贝标题"]
ITEM_COLUMNS = ["订单编号", "价格", "购买数量", "外部系统编号", "商家编码"]


@st.composite
def changes(draw, columns: list[str]) -> dict[int, dict[str, str]]:
    """Cells of the three rows changed: a column, and a value as written or a tricky one."""
    rows: dict[int, dict[str, str]] = {1: {}, 2: {}, 3: {}}
    for _ in range(draw(st.integers(1, 4))):
        column = draw(st.sampled_from(columns))
        value = draw(st.sampled_from(VALID[column]) | st.sampled_from(TRICKY))
        rows[draw(st.integers(1, 3))][column] = value
    return rows


@pytest.mark.parametrize("kind", ["orders", "items"])
@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_cells(kind, data, tmp_path_factory):
    orders = kind == "orders"
    rows = data.draw(changes(ORDER_COLUMNS if orders else ITEM_COLUMNS))
    tmp = tmp_path_factory.mktemp("h")
    compare_export(kind, [(order if orders else item)(n, **c) for n, c in rows.items()], tmp)
    shutil.rmtree(tmp)


# --- native_text.plain_text: its checks on the bytes are those it made on the text ----------------


def plain_text_on_the_text(path: Path) -> str | None:
    """``plain_text`` as first written: NUL, CR and quoted cells looked for in the decoded text."""
    import re

    from beancount_tmall.formats.common import HEAD_SIZE, sniff_encoding

    data = path.read_bytes()
    if data[:2] == b"PK":
        return None
    try:
        text = data.decode(sniff_encoding(data[:HEAD_SIZE]))
    except (UnicodeDecodeError, LookupError):
        return None
    text = text.removeprefix("\ufeff")
    if ("\x00" in text or text.count("\r") != text.count("\r\n")
            or re.search(r'(?:^|,)"', text, re.MULTILINE)):
        return None
    return text


PIECES = ["订单编号", ",", '"', "\r", "\n", "\r\n", "\x00", "=", "a", "1", "\ufeff", "\u3000", "€", "😀"]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=12),
       encoding=st.sampled_from(["gb18030", "utf-8", "utf-8-sig"]))
def test_plain_text_checks_the_bytes_as_the_text(pieces, encoding, tmp_path_factory):
    from beancount_tmall.orders.native_text import plain_text

    path = tmp_path_factory.mktemp("p") / "x.csv"
    path.write_bytes("".join(pieces).encode(encoding))
    assert plain_text(path) == plain_text_on_the_text(path)
