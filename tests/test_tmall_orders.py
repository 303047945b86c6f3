"""The Tmall order export (formats.tmall_orders), its xlsx reader (formats.xlsx, formats.table).

Fixtures: ``tests/fixtures/orders/`` (written by ``tests/export_samples.py``).
"""

import datetime
import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import export_samples
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beancount_tmall.formats import table, tmall_orders, xlsx
from beancount_tmall.formats.common import SourceError, clean_id

ORDERS = Path(__file__).parent / "fixtures" / "orders"
XLSX = ORDERS / "ExportOrderList202504011030.xlsx"
RESAVED = ORDERS / "orders_excel_resaved_gbk.csv"
OLD_CSV = Path(__file__).parent / "fixtures" / "alipay" / "orders_gbk.csv"


def test_committed_fixtures_are_what_the_script_writes():
    for path, content in export_samples.fixtures().items():
        assert path.read_bytes() == content, f"{path} differs: run python tests/export_samples.py"


# --- the layouts ------------------------------------------------------------------------------


def test_xlsx_export_of_qianniu():
    orders = list(tmall_orders.read_orders(XLSX))
    assert [o.line for o in orders] == [2, 3, 5]  # row 4 is blank
    first, second, third = orders
    assert first.tid == "3901234567890123456"
    assert first.paid == Decimal("97.50") and first.goods == Decimal("100.00")
    assert first.paid_points == 250 and first.points_cny == Decimal("2.50")
    assert first.pay_no == "2025031022001412345678901234"
    assert first.pay_detail == {"支付宝": Decimal("97.50"), "积分": Decimal("2.50")}
    assert first.title == "云栖 龙井茶 250g"
    assert first.status == "交易成功"  # the header is "订单状态 "
    assert first.paid_time == datetime.datetime(2025, 3, 10, 10, 1)
    assert first.confirmed_time == datetime.datetime(2025, 3, 14, 9, 30)  # a date cell
    assert second.tid == "123456789012345"  # a whole number cell stays whole
    assert second.confirmed_time == datetime.datetime(2025, 3, 15, 20, 0)  # a text cell
    assert third.refund == Decimal("34.80") and third.pay_detail == {}
    assert third.created == datetime.datetime(2025, 3, 12, 10, 0)
    assert third.confirmed_time is None


def test_csv_re_saved_by_excel():
    orders = list(tmall_orders.read_orders(RESAVED))
    assert [o.tid for o in orders] == ["186123456789012345", "186123456789012346", "186123456789012347"]
    assert orders[0].created == datetime.datetime(2016, 5, 23, 22, 2)
    assert orders[0].paid == Decimal("97.50")
    assert orders[2].title == "红茶"
    assert orders[0].pay_detail == {} and orders[0].refund == 0 and orders[0].pay_no == ""


def test_identify():
    for path in (XLSX, RESAVED, OLD_CSV, ORDERS / "ExportOrderList_float_id.xlsx"):
        assert tmall_orders.identify(path), path
    fixtures = Path(__file__).parent / "fixtures"
    for path in (
        fixtures / "alipay" / "statement_16col_gbk.csv",
        fixtures / "alipay" / "bill_20250318.zip",
        fixtures / "trade" / "trade_detail_gbk.csv",
    ):
        assert not tmall_orders.identify(path), path


def test_item_and_refund_exports_are_not_order_exports(tmp_path):
    items = tmp_path / "items.xlsx"
    items.write_bytes(export_samples.workbook(
        ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码"],
        [["3901234567890123456", "龙井茶", 100.0, 1, None, None, None, None, "交易成功", "LJ250"]],
    ))
    refunds = tmp_path / "refunds.csv"
    refunds.write_bytes(
        "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,买家退款金额,订单状态\r\n"
        "1,2,3,2025-03-12 10:01:00,LJ250,2025-03-13 11:05:00,34.80,红茶,34.80,交易关闭\r\n".encode("gbk")
    )
    assert not tmall_orders.identify(items)
    assert not tmall_orders.identify(refunds)
    with pytest.raises(SourceError, match="items.xlsx!Sheet1:1: .*表头缺少 买家实际支付金额"):
        list(tmall_orders.read_orders(items))


def test_consumer_points_over_csv_and_xlsx():
    assert tmall_orders.consumer_points([RESAVED, XLSX, OLD_CSV]) == {
        "186123456789012345": Decimal("2.50"),
        "186123456789012347": Decimal("1.20"),
        "3901234567890123456": Decimal("2.50"),
        "3901234567890123458": Decimal("1.20"),
        "1001": Decimal("2.50"),
        "1003": Decimal("1.20"),
    }


def test_bytes_are_read_like_files():
    assert list(tmall_orders.read_orders(XLSX.read_bytes(), name="x.xlsx")) == list(
        tmall_orders.read_orders(XLSX)
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("支付方式：支付宝，金额：123.45；支付方式：积分，金额：1.00；",
         {"支付宝": Decimal("123.45"), "积分": Decimal("1.00")}),
        ("支付方式:花呗,金额:10;支付方式:支付宝,金额:5.5", {"花呗": Decimal("10.00"), "支付宝": Decimal("5.50")}),
        ("支付方式：支付宝，金额：1.00；支付方式：支付宝，金额：2.00；", {"支付宝": Decimal("3.00")}),
        ("支付方式：支付宝，金额：￥97.50元；支付方式：天猫积分，金额：2.5元；",
         {"支付宝": Decimal("97.50"), "天猫积分": Decimal("2.50")}),
        ("", {}),
    ],
)
def test_pay_detail(text, expected):
    assert tmall_orders.parse_pay_detail(text) == expected


@pytest.mark.parametrize("text", ["支付宝 123.45", "支付方式：支付宝，金额：1.001；", "支付方式：支付宝，金额：NaN"])
def test_pay_detail_refused(text):
    with pytest.raises(ValueError, match="支付详情"):
        tmall_orders.parse_pay_detail(text)


def test_an_unreadable_pay_detail_names_its_row(tmp_path):
    rows = [list(r) if r else r for r in export_samples.XLSX_ROWS]
    rows[1][4] = "支付方式：支付宝，金额：abc；"
    path = tmp_path / "ExportOrderList1.xlsx"
    path.write_bytes(export_samples.workbook(export_samples.XLSX_HEADER, rows))
    with pytest.raises(SourceError, match=r"ExportOrderList1.xlsx!Sheet1:3: 支付详情金额 'abc'"):
        list(tmall_orders.read_orders(path))


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, where, message",
    [
        ("broken_points_exponent.csv", ":3: ", "买家支付积分 '1E+999999999' 不是不超过 12 位的非负整数"),
        ("broken_amount_places.csv", ":3: ", "买家实际支付金额 '200.005' 不是以分为单位的金额"),
        ("broken_time_year.csv", ":3: ", "订单创建时间 '9999/5/24 9:15' 的年份"),
        ("broken_excel_id.csv", ":3: ", "'1.86123E+17' "),
        ("broken_cut_row.csv", ":4: ", "本行只有 9 列, 表头有 16 列"),
        ("ExportOrderList_float_id.xlsx", "!Sheet1:3: ", "'3.90123456789012E+18' "),
        ("damaged_missing_sheet.xlsx", ": ", "没有工作表"),
        ("damaged_bomb.xlsx", ": ", "疑为压缩炸弹"),
        ("damaged_bad_crc.xlsx", "", "xlsx 文件已损坏"),
        ("damaged_encrypted.xlsx", ": ", "已加密"),
        ("damaged_truncated.xlsx", ": ", "不是有效的 xlsx 文件"),
        ("damaged_not_a_zip.xlsx", ": ", "不是有效的 xlsx 文件 (不是 zip 格式)"),
    ],
)
def test_refused_with_file_and_line(name, where, message):
    path = ORDERS / name
    start = time.monotonic()
    with pytest.raises(SourceError) as info:
        list(tmall_orders.read_orders(path))
    assert time.monotonic() - start < 2
    text = str(info.value)
    assert text.startswith(f"{path}{where}"), text
    assert message in text, text


def test_damaged_xlsx_of_another_name_is_not_identified():
    assert tmall_orders.identify(ORDERS / "damaged_truncated.xlsx") is False
    assert tmall_orders.identify(ORDERS / "damaged_bomb.xlsx") is False


def test_damaged_export_named_by_qianniu_is_taken_and_refused(tmp_path):
    path = tmp_path / "ExportOrderList202504011030.xlsx"
    path.write_bytes((ORDERS / "damaged_truncated.xlsx").read_bytes())
    assert tmall_orders.identify(path)
    with pytest.raises(SourceError, match="不是有效的 xlsx 文件"):
        list(tmall_orders.read_orders(path))


@pytest.mark.parametrize(
    "cell, message",
    [
        ("NaN", "不是以分为单位的金额"),
        ("Infinity", "不是以分为单位的金额"),
        ("-Infinity", "不是以分为单位的金额"),
        ("1.001", "不是以分为单位的金额"),
        ('"1,0,0"', "不是以分为单位的金额"),
        ("1E+999999999", "不是以分为单位"),
        ("1e-999999999", "不是以分为单位"),
        ("1000000000000", "不是以分为单位"),
    ],
)
def test_amounts_are_finite_cents(cell, message):
    rows = list(export_samples.RESAVED_ROWS)
    rows[0] = rows[0].replace(",97.5,", f",{cell},")
    with pytest.raises(SourceError, match=f"o.csv:2: 买家实际支付金额 '.*' {message}"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))


def test_absurd_points_are_refused_at_once():
    rows = list(export_samples.RESAVED_ROWS)
    rows[0] = rows[0].replace(",250,100,", ",9" * 1 + "9" * 100_000 + ",100,")
    start = time.monotonic()
    with pytest.raises(SourceError, match="o.csv:2: 买家支付积分"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))
    assert time.monotonic() - start < 1


def test_negative_points_are_refused():
    rows = list(export_samples.RESAVED_ROWS)
    rows[0] = rows[0].replace(",97.5,250,", ",97.5,-250,")
    with pytest.raises(SourceError, match="o.csv:2: 买家实际支付积分 '-250' 不是"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))


def test_an_order_twice_in_one_export_is_refused():
    rows = list(export_samples.RESAVED_ROWS)
    rows.append(rows[0])
    with pytest.raises(SourceError, match="o.csv:5: 订单编号 186123456789012345 已在第 2 行出现"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))


def test_a_row_with_cells_beyond_the_header_is_refused():
    rows = list(export_samples.RESAVED_ROWS)
    rows[1] += ",多出的一列"
    with pytest.raises(SourceError, match="o.csv:3: 本行有 17 列, 表头只有 16 列"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))


def test_invalid_bytes_name_their_line():
    data = export_samples.resaved_csv().replace("红茶".encode("gbk"), b"\xff\xff\xff")
    with pytest.raises(SourceError, match="o.csv:4: "):
        list(tmall_orders.read_orders(data, name="o.csv"))


def test_a_cell_over_the_csv_field_limit_names_its_line():
    rows = list(export_samples.RESAVED_ROWS)
    rows[1] = rows[1].replace("白茶", "x" * 200_000)
    with pytest.raises(SourceError, match="o.csv:3: CSV 行无法读取"):
        list(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))


# --- the xlsx reader ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (97.5, "97.5"),
        (0.1 + 0.2, "0.3"),
        (100.0, "100"),
        (123456789012345, "123456789012345"),
        (3901234567890123456, "3901234567890123456"),  # an int cell keeps every digit
        (3.901234567890123e18, "3.90123456789012E+18"),  # a float one has lost them
        (1234567890123456.0, "1.23456789012346E+15"),
        (True, "TRUE"),
        (datetime.datetime(2025, 3, 14, 9, 29, 59, 999_600), "2025-03-14 09:30:00"),
        (datetime.datetime(2025, 3, 14), "2025-03-14 00:00:00"),
        (datetime.time(9, 30), "09:30:00"),
    ],
)
def test_cell_text_is_what_a_csv_export_holds(value, text):
    assert xlsx.cell_text(value) == text


def test_sheet_rows_keep_row_numbers_and_ignore_a_wrong_dimension(tmp_path):
    data = export_samples.workbook(["a", "b", "c"], [[1, 2, 3], None, [4, 5, 6]])
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(sheet)
    xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml)
    path = tmp_path / "dim.xlsx"
    path.write_bytes(export_samples._replace_entry(data, sheet, xml))
    where = f"{path}!Sheet1"
    assert list(xlsx.sheet_rows(path)) == [
        (where, 1, ["a", "b", "c"]),
        (where, 2, ["1", "2", "3"]),
        (where, 3, []),
        (where, 4, ["4", "5", "6"]),
    ]


def test_a_named_sheet_and_a_missing_one(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(export_samples.workbook(["a"], [["x"]], title="订单"))
    assert [r[2] for r in xlsx.sheet_rows(path, sheet="订单")] == [["a"], ["x"]]
    with pytest.raises(SourceError, match="没有工作表 'Sheet1'"):
        list(xlsx.sheet_rows(path, sheet="Sheet1"))


def test_an_over_long_xlsx_cell_is_refused(tmp_path):
    data = export_samples.workbook(["a"], [["x"]])  # openpyxl itself writes at most 32767
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(sheet).replace(b"<t>x</t>", b"<t>" + b"x" * (xlsx.MAX_CELL + 1) + b"</t>")
    path = tmp_path / "long.xlsx"
    path.write_bytes(export_samples._replace_entry(data, sheet, xml))
    with pytest.raises(SourceError, match=r"long.xlsx!Sheet1:2: 单元格长"):
        list(xlsx.sheet_rows(path))


def test_header_names_are_normalised():
    spec = table.TableSpec("t", {"a": ("订单金额（元）",), "b": ("买家实付金额",)}, ("a", "b"))
    assert spec.match(["\ufeff订单金额(元) ", " 买家 实付金额\t"]) == {"a": 0, "b": 1}
    assert spec.match(["订单金额（元）"]) is None


# --- fuzz --------------------------------------------------------------------------------------

BASE = export_samples.resaved_csv()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(BASE)),
            st.sampled_from(["delete", "insert", "replace"]),
            st.sampled_from([b"", b"\x00", b"\xff", b'"', b",", b"\r\n", b"'", b"E+999999999",
                             b"NaN", b"9999", b"-", b".", b"x" * 140_000, b"\xd6\xa7"]),
            st.integers(1, 8),
        ),
        min_size=1, max_size=4,
    )
)
def test_mutated_csv_ends_in_rows_or_a_located_error(mutations):
    data = bytearray(BASE)
    for at, op, chunk, size in mutations:
        at = min(at, len(data))
        if op == "delete":
            del data[at : at + size]
        elif op == "insert":
            data[at:at] = chunk
        else:
            data[at : at + size] = chunk
    start = time.monotonic()
    try:
        orders = list(tmall_orders.read_orders(bytes(data), name="o.csv"))
    except SourceError as exc:
        assert exc.path == "o.csv" and exc.line, str(exc)
    else:
        assert all(o.tid for o in orders)
    assert time.monotonic() - start < 2


# --- end to end --------------------------------------------------------------------------------


def test_an_xlsx_export_gives_the_same_entries_as_its_csv(tmp_path):
    from click.testing import CliRunner

    from beancount_tmall.cli import main

    # an xlsx holds the ids as plain text, without the CSV's ="…" and ' protections
    text = OLD_CSV.read_bytes().decode("gbk").replace('="', "").replace('",', ",").replace("'", "")
    csv_rows = [line.split(",") for line in text.splitlines()]
    path = tmp_path / "ExportOrderList202503311200.xlsx"
    path.write_bytes(export_samples.workbook(csv_rows[0], csv_rows[1:]))
    statement = Path(__file__).parent / "fixtures" / "alipay" / "statement_16col_gbk.csv"
    runs = [CliRunner().invoke(main, ["extract", str(statement), str(orders)]) for orders in (OLD_CSV, path)]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].stderr
    assert "consumer-points" in runs[0].stdout
    assert runs[1].stdout == runs[0].stdout


def test_a_character_cut_at_the_end_names_the_last_line():
    data = export_samples.resaved_csv().rstrip(b"\r\n") + b"\xd6"
    with pytest.raises(SourceError, match="o.csv:4: "):
        list(tmall_orders.read_orders(data, name="o.csv"))


def test_identify_reads_only_the_first_rows_of_a_big_sheet(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)  # no <dimension>: openpyxl would scan the whole sheet
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(export_samples.XLSX_HEADER)
    for n in range(10_000):
        sheet.append([str(3901234567890000000 + n), *export_samples.XLSX_ROWS[0][1:]])
    path = tmp_path / "ExportOrderList1.xlsx"
    workbook.save(path)
    start = time.monotonic()
    assert tmall_orders.identify(path)
    assert time.monotonic() - start < 0.5
    assert xlsx.head_rows(path, 1) == [export_samples.XLSX_HEADER]


def test_the_table_reader_serves_the_item_export_too(tmp_path):
    """宝贝报表 (issue 8) read with a spec of its own, from CSV and from xlsx alike."""
    spec = table.TableSpec(
        what="宝贝报表",
        aliases={"tid": ("订单编号",), "title": ("标题", "宝贝标题"), "price": ("价格",),
                 "quantity": ("购买数量",), "sku": ("商家编码",), "status": ("订单状态",)},
        required=("tid", "quantity", "sku"),
    )
    header = ["订单编号", "标题 ", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
              "订单状态", "商家编码 "]
    rows = [["3901234567890123456", "龙井茶", 100.0, 2, None, "重量:250g", None, None, "交易成功", "LJ250"],
            ["3901234567890123457", "白茶", "200.00", 1, None, None, None, None, "交易成功", "BC100"]]
    book = tmp_path / "ExportOrderDetailList1.xlsx"
    book.write_bytes(export_samples.workbook(header, rows))
    text = ",".join(header) + "\r\n" + "".join(
        f'="{r[0]}",{r[1]},{r[2]},{r[3]},,{r[5] or ""},,,{r[8]},{r[9]}\r\n' for r in rows
    )
    sheet = tmp_path / "items.csv"
    sheet.write_bytes(text.encode("gbk"))

    def read(path):
        rows = table.Table(path, spec)
        cells = rows.getter(["tid", "title", "price", "quantity", "sku"])
        return [(r.line, *cells(r.cells)) for r in rows]

    def typed(path):
        return [(line, clean_id(tid), title, table.money(price), table.whole(qty), sku)
                for line, tid, title, price, qty, sku in read(path)]

    assert table.identify(book, spec) and table.identify(sheet, spec)
    assert not table.identify(XLSX, spec)
    assert typed(book) == typed(sheet) == [
        (2, "3901234567890123456", "龙井茶", Decimal("100.00"), 2, "LJ250"),
        (3, "3901234567890123457", "白茶", Decimal("200.00"), 1, "BC100"),
    ]


def test_cells_protected_from_excel_are_read_everywhere():
    rows = list(export_samples.RESAVED_ROWS)
    rows[0] = rows[0].replace(",97.5,250,", ',="97.50",\'250,').replace("2016/5/23 22:02,", '="2016-05-23 22:02:57",')
    order = next(tmall_orders.read_orders(export_samples.resaved_csv(rows), name="o.csv"))
    assert (order.paid, order.paid_points) == (Decimal("97.50"), 250)
    assert order.created == datetime.datetime(2016, 5, 23, 22, 2, 57)


def test_a_file_whose_header_is_swallowed_by_a_quote_is_refused_at_line_1():
    """A stray quote before the header makes the whole file one cell: refused, located at line 1."""
    with pytest.raises(SourceError) as caught:
        list(tmall_orders.read_orders(b'"' + bytes(BASE), name="o.csv"))
    assert caught.value.line == 1 and "没有表头" in str(caught.value)
