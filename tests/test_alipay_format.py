"""The Alipay account statement and Tmall order export parsers (formats/), on real-format bytes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import alipay_samples
import pytest
from alipay_samples import FIXTURES

from beancount_tmall.formats import alipay_statement, tmall_orders
from beancount_tmall.formats.alipay_statement import AlipayStatement, read_rows
from beancount_tmall.formats.common import (
    SourceError,
    clean_id,
    decode,
    parse_amount,
    parse_datetime,
    sniff_encoding,
)

GOOD = [
    "statement_16col_gbk.csv",
    "statement_12col_negative_gbk.csv",
    "statement_16col_utf8.csv",
    "statement_new_family_utf8bom.csv",
    "bill_20250318.zip",
]


def test_fixtures_are_what_the_sample_writer_makes():
    for name, content in alipay_samples.fixtures().items():
        assert (FIXTURES / name).read_bytes() == content, f"run python tests/alipay_samples.py ({name})"


# --- common ----------------------------------------------------------------------------------


def test_source_error_names_file_and_line():
    assert str(SourceError("a.csv", 12, "bad")) == "a.csv:12: bad"
    assert str(SourceError("a.csv", None, "bad")) == "a.csv: bad"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2088123\t", "2088123"),
        ('="2025031500001"', "2025031500001"),
        ("'2025031500001 ", "2025031500001"),
        ("  T200P1001\t\t", "T200P1001"),
        ("", ""),
        ("ABCE+", "ABCE+"),
    ],
)
def test_clean_id(cell, expected):
    assert clean_id(cell) == expected


@pytest.mark.parametrize("cell", ["2.0881E+15", "2.08E+15\t", '="2.0881E+15"', "1E+20"])
def test_excel_mangled_id_is_an_error(cell):
    with pytest.raises(ValueError, match="mangled by Excel"):
        clean_id(cell)


@pytest.mark.parametrize(
    "cell, expected",
    [("", "0"), (" ", "0"), ("12.30\t", "12.30"), ("-5.00", "-5.00"), ("1,234.50", "1234.50"), ("+3", "3")],
)
def test_parse_amount(cell, expected):
    assert parse_amount(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["abc", "1.2.3", "NaN"])
def test_parse_amount_rejects_non_numbers(cell):
    with pytest.raises(ValueError, match="not a number"):
        parse_amount(cell)


def test_parse_datetime_variants():
    want = datetime.datetime(2025, 3, 5, 9, 1, 2)
    assert parse_datetime("2025-03-05 09:01:02\t") == want
    assert parse_datetime("2025/03/05 09:01:02") == want
    assert parse_datetime("2025/3/5 9:01:02") == want
    with pytest.raises(ValueError, match="not a date"):
        parse_datetime("yesterday")


def test_decoding_gbk_utf8_and_bom():
    text = "#支付宝账务明细查询\n账务流水号"
    assert decode(text.encode("gbk")) == text
    assert decode(text.encode("utf-8")) == text
    assert decode(text.encode("utf-8-sig")) == text
    assert sniff_encoding(text.encode("gbk")) == "gb18030"
    assert sniff_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    # A UTF-8 head cut inside a character is still UTF-8.
    assert sniff_encoding(text.encode("utf-8")[:5]) == "utf-8"


def test_undecodable_bytes_name_the_line():
    with pytest.raises(SourceError, match=r"x.csv:2: 字节 .* 不是有效的 gb18030 编码.*bytes .* not valid gb18030"):
        decode("第一行\n".encode("gbk") + b"\xff\xfe\n", "x.csv")


# --- the statement ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOOD)
def test_every_variant_reads_the_same_rows(name):
    statement = AlipayStatement(FIXTURES / name)
    rows = list(statement)
    assert len(rows) == len(alipay_samples.ROWS) == statement.row_count
    assert [r.amount for r in rows] == [Decimal(r[4]) for r in alipay_samples.ROWS]
    assert [r.biz_type for r in rows] == [r[1] for r in alipay_samples.ROWS]
    assert [r.remark for r in rows] == [r[2] for r in alipay_samples.ROWS]
    assert [r.order_no for r in rows] == [r[3] for r in alipay_samples.ROWS]
    assert rows[0].serial == "20250315200040011100123400000001"
    assert rows[0].time == datetime.datetime(2025, 3, 15, 9, 1, 2)
    assert rows[0].line == 6
    assert rows[-1].balance == Decimal("93.30")
    assert all(r.expense >= 0 and r.income >= 0 for r in rows)
    assert statement.footer.expense_count == 15
    assert statement.footer.income_total == Decimal("398.80")
    assert statement.descending is False
    assert statement.account == "20885012345678900156"
    assert alipay_statement.identify(FIXTURES / name)


def test_new_family_reads_names_and_blank_amounts():
    rows = read_rows(FIXTURES / "statement_new_family_utf8bom.csv")
    assert rows[0].counterparty_name == "张三"
    assert rows[0].expense == 0 and rows[1].income == 0


def test_16_column_extras_and_cell_cleaning():
    row = read_rows(FIXTURES / "statement_16col_gbk.csv")[0]
    assert row.base_order_no == "1001"
    assert row.bill_source == "淘宝"
    assert row.counterparty == "13812341234"


def test_zip_reads_the_account_statement_entry_not_the_summary():
    statement = AlipayStatement(FIXTURES / "bill_20250318.zip")
    rows = list(statement)
    assert statement.path.endswith("!20885012345678900156_20250318_账务明细.csv")
    assert rows == read_rows(FIXTURES / "statement_16col_gbk.csv")


def test_rows_stream_before_the_footer_is_checked():
    rows = iter(AlipayStatement(FIXTURES / "broken_footer_total.csv"))
    assert next(rows).serial.endswith("0001")
    with pytest.raises(SourceError, match="footer says 支出"):
        list(rows)


@pytest.mark.parametrize(
    "name, line, message",
    [
        ("broken_footer_total.csv", 32, "footer says 支出 15 rows totalling 306.50, the rows give 15 totalling 305.50"),
        ("broken_footer_count.csv", 32, "footer says 支出 16 rows"),
        ("broken_missing_row.csv", 13, r"balance 237.15 does not follow: previous balance 234.40 \+ amount 0.25"),
        ("broken_truncated.csv", 30, "row has 13 cells, the header has 16: the file is cut"),
        ("broken_excel_id.csv", 8, r"id '2.0881E\+15' was mangled by Excel"),
        ("broken_encoding.csv", 17, "not valid gb18030"),
    ],
)
def test_broken_files_stop_with_file_and_line(name, line, message):
    with pytest.raises(SourceError, match=message) as info:
        read_rows(FIXTURES / name)
    assert info.value.line == line
    assert str(info.value).startswith(f"{FIXTURES / name}:{line}: ")


def test_missing_footer_is_a_truncated_file():
    data = alipay_samples.statement()
    cut = data[: data.index("#-----------------------------------------账务明细列表结束".encode("gbk"))]
    with pytest.raises(SourceError, match="footer .* is missing: the file is truncated"):
        read_rows(cut, name="cut.csv")


def test_not_a_statement():
    with pytest.raises(SourceError, match="no statement header found"):
        read_rows("订单编号,买家会员名\n1,2\n".encode("gbk"), name="orders.csv")
    assert not alipay_statement.identify(FIXTURES / "orders_gbk.csv")


def test_header_found_by_content_after_any_banner():
    data = ("#另一行说明\r\n#再一行\r\n").encode("gbk") + alipay_samples.statement()
    assert len(read_rows(data)) == len(alipay_samples.ROWS)


def test_newest_first_file_is_verified_and_flagged():
    lines = alipay_samples.statement().split(b"\r\n")
    body = [i for i, line in enumerate(lines) if line[:1].isdigit()]
    rows = [lines[i] for i in body]
    lines[body[0] : body[-1] + 1] = rows[::-1]
    statement = AlipayStatement(b"\r\n".join(lines))
    got = list(statement)
    assert statement.descending is True
    assert got[0].balance == Decimal("93.30")


def test_footer_padded_with_commas_and_negative_expense_total():
    rows = read_rows(FIXTURES / "statement_12col_negative_gbk.csv")
    assert sum(r.amount for r in rows) == Decimal("93.30")


# --- the Tmall order export ------------------------------------------------------------------


def test_order_export():
    orders = list(tmall_orders.read_orders(FIXTURES / "orders_gbk.csv"))
    assert [o.tid for o in orders] == ["1001", "1002", "1003"]
    first = orders[0]
    assert first.paid_points == 250 and first.points_cny == Decimal("2.50")
    assert first.paid == Decimal("97.50")
    assert first.status == "交易成功"
    assert first.paid_time == datetime.datetime(2025, 3, 10, 10, 1)
    assert tmall_orders.identify(FIXTURES / "orders_gbk.csv")
    assert not tmall_orders.identify(FIXTURES / "statement_16col_gbk.csv")
    assert tmall_orders.consumer_points([FIXTURES / "orders_gbk.csv"]) == {
        "1001": Decimal("2.50"),
        "1003": Decimal("1.20"),
    }


def test_order_export_mangled_id():
    data = (FIXTURES / "orders_gbk.csv").read_bytes().replace(b'="1003"', b"1.003E+15")
    with pytest.raises(SourceError, match=r"orders.csv:4: 编号 '1.003E\+15' 已被 Excel 改写.*id '1.003E\+15' was mangled"):
        list(tmall_orders.read_orders(data, name="orders.csv"))


def test_quoted_ids_and_thousands_separators():
    text = "\r\n".join(
        [
            "#支付宝账务明细查询",
            alipay_samples.HEADER_12,
            '="20250101000001",\'123,T200P1,x,2025-01-01 10:00:00,,"1,000.00",,"1,000.00",,在线支付,',
            "20250101000002,124,,x,2025-01-01 11:00:00,,,-0.50,999.50,,收费,信用卡支付服务费",
            "#支出合计：1笔，共-0.50元,,,",
            "#收入合计：1笔，共1,000.00元",
        ]
    )
    rows = read_rows(text.encode("gbk"))
    assert rows[0].serial == "20250101000001" and rows[0].biz_serial == "123"
    assert rows[0].amount == Decimal("1000.00") and rows[1].balance == Decimal("999.50")
    with pytest.raises(SourceError, match=r"<bytes>:3: 金额 '1x' 不是数字; amount '1x' is not a number"):
        read_rows(text.replace('"1,000.00",,"1,000.00"', "1x,,1000.00").encode("gbk"))


def test_utf8_rows_read_as_gbk_stop_with_the_line():
    """A GBK export whose rows were re-saved as UTF-8 (the head says GBK): the first bad line."""
    gbk = alipay_samples.statement(encoding="gbk").split(b"\r\n")
    utf8 = alipay_samples.statement(encoding="utf-8").split(b"\r\n")
    mixed = b"\r\n".join(gbk[:4] + utf8[4:])
    with pytest.raises(SourceError, match=r"mixed.csv:5: 字节 .* 不是有效的 gb18030.*bytes .* are not valid gb18030"):
        read_rows(mixed, name="mixed.csv")


# --- statement period and zips with several statements ---------------------------------------


def test_banner_period_and_export_time_are_read():
    statement = AlipayStatement(FIXTURES / "statement_16col_gbk.csv")
    list(statement)
    assert statement.start == datetime.datetime(2025, 3, 15)
    assert statement.end == datetime.datetime(2025, 3, 18)
    assert statement.exported == datetime.datetime(2025, 3, 18, 10)
    assert statement.covered_until == datetime.datetime(2025, 3, 18)
    assert alipay_statement.statement_period(FIXTURES / "bill_20250318.zip") == (
        datetime.datetime(2025, 3, 15), datetime.datetime(2025, 3, 18)
    )
    early = AlipayStatement(alipay_samples.statement(
        period=("2025年03月01日 00:00:00", "2025年04月01日 00:00:00"), exported="2025年03月17日 18:00:00"
    ))
    list(early)
    assert early.covered_until == datetime.datetime(2025, 3, 17, 18)  # the month is not over
    bare = AlipayStatement(alipay_samples.statement(period=()))
    list(bare)
    assert (bare.start, bare.end, bare.covered_until) == (None, None, None)


@pytest.mark.parametrize(
    "end, day, covered",
    [
        (datetime.datetime(2025, 3, 18), datetime.date(2025, 3, 17), True),
        (datetime.datetime(2025, 3, 17, 23, 59, 59), datetime.date(2025, 3, 17), True),
        (datetime.datetime(2025, 3, 17, 23, 59), datetime.date(2025, 3, 17), False),
        (datetime.datetime(2025, 3, 18), datetime.date(2025, 3, 18), False),
        (None, datetime.date(2025, 3, 17), False),
    ],
)
def test_covers_day(end, day, covered):
    assert alipay_statement.covers_day(end, day) is covered


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("#起始日期：[2025年03月15日 00:00:00]   终止日期：[2025年03月18日 00:00:00]",
         datetime.datetime(2025, 3, 15), datetime.datetime(2025, 3, 18)),
        ("#起始日期：[2025年03月15日 08:30:00]   终止日期：[2025年03月15日 12:00]",
         datetime.datetime(2025, 3, 15, 8, 30), datetime.datetime(2025, 3, 15, 12)),
        ("#起始日期:[2025-03-15]   终止日期:[2025-03-18]",
         datetime.datetime(2025, 3, 15), datetime.datetime(2025, 3, 18)),
        ("#支付宝账务明细查询", None, None),
    ],
)
def test_parse_period(text, start, end):
    assert alipay_statement.parse_period(text) == (start, end)


def test_statement_end_of_a_day_cut_short(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(alipay_samples.statement(period=("2025年03月15日 00:00:00", "2025年03月17日 12:00:00")))
    assert alipay_statement.statement_end(path) == datetime.date(2025, 3, 17)
    path.write_bytes(alipay_samples.statement(period=("2025年03月15日 00:00:00", "2025年03月18日 00:00:00")))
    assert alipay_statement.statement_end(path) == datetime.date(2025, 3, 17)


def test_zip_with_several_statements_is_an_error(tmp_path):
    second = "20885012345678900156_20250319_账务明细.csv"
    path = tmp_path / "bill.zip"
    path.write_bytes(alipay_samples.bill_zip(extra=((second, alipay_samples.statement()),)))
    assert alipay_statement.identify(path)
    with pytest.raises(SourceError) as info:
        read_rows(path)
    listed = f"20885012345678900156_20250318_账务明细.csv, {second}"
    assert str(info.value) == (
        f"{path}: 压缩包中有 2 个账务明细条目, 属于不同的账单 (账号或期间不同): {listed}; 请解压后分别导入; "
        f"2 账务明细 entries in the zip: {listed}; unzip them and import each"
    )
