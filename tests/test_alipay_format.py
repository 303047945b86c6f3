"""The Alipay account statement and Tmall order export parsers (formats/), on real-format bytes."""

from __future__ import annotations

import dataclasses
import datetime
import zipfile
from decimal import Decimal
from pathlib import Path

import alipay_samples
import pytest
import real_layouts
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
        ("#起始日期：2025-03-01 00:00:00  终止日期：2025-04-01 00:00:00",
         datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1)),
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


# --- layouts real stores download (tests/real_layouts.py) and same-second groups -------------


def chain_holds(rows, descending=False):
    """Every row's balance follows from the previous one in the order the rows came."""
    pairs = zip(rows, rows[1:], strict=False)
    if descending:
        return all(a.balance - a.amount == b.balance for a, b in pairs)
    return all(a.balance + b.amount == b.balance for a, b in pairs)


def test_real_layout_fixtures_are_what_the_writer_makes():
    for name, content in real_layouts.fixtures().items():
        assert (FIXTURES / name).read_bytes() == content, f"run python tests/real_layouts.py ({name})"


@pytest.mark.parametrize("name", [*real_layouts.fixtures(), *GOOD])
def test_every_layout_is_identified(name):
    assert alipay_statement.identify(FIXTURES / name)


def test_same_second_rows_come_in_balance_order_with_their_source_lines():
    statement = AlipayStatement(FIXTURES / "layout_2012_gbk.csv")
    rows = list(statement)
    assert chain_holds(rows)
    assert statement.descending is False
    # Rows 7-11 of the file are one second written in 账务流水号 order: the sale (line 11) is
    # the first link of the chain, its deductions follow.
    group = [r for r in rows if r.time == datetime.datetime(2012, 11, 14, 21, 21, 26)]
    assert [r.line for r in group] == [11, 7, 8, 9, 10]
    assert [r.amount for r in group] == [Decimal(a) for a in ("128.00", "-6.40", "-0.64", "-2.56", "-1.28")]
    assert sorted(r.line for r in rows) == list(range(6, 18))
    assert rows[0].balance - rows[0].amount == real_layouts.OPENING_2012
    assert rows[-1].balance == Decimal("1141.62")


def test_a_same_second_sale_and_refund_cycle_starts_at_the_previous_balance():
    rows = read_rows(FIXTURES / "layout_2012_gbk.csv")
    cycle = [r for r in rows if r.time == datetime.datetime(2012, 11, 14, 21, 30, 5)]
    assert [(r.line, r.amount) for r in cycle] == [(13, Decimal("35.00")), (12, Decimal("-35.00"))]


def test_newest_first_file_chains_the_other_way_within_each_second():
    statement = AlipayStatement(FIXTURES / "layout_2012_newest_first_gbk.csv")
    rows = list(statement)
    assert statement.descending is True
    assert chain_holds(rows, descending=True)
    assert rows[0].balance == Decimal("1141.62")
    assert [r.time for r in rows] == sorted((r.time for r in rows), reverse=True)
    oldest_first = read_rows(FIXTURES / "layout_2012_gbk.csv")
    assert sorted(r.serial for r in rows) == sorted(r.serial for r in oldest_first)


def test_eulerian_order_of_a_large_shuffled_group():
    """A second with 2000 rows in any order: linear, and the chain found is complete."""
    import random

    rng = random.Random(7)
    balance = Decimal("100.00")
    rows = []
    when = datetime.datetime(2025, 3, 1, 12)
    for n in range(2000):
        amount = Decimal(rng.choice(["-1.00", "2.00", "-0.50", "0.00", "3.25", "-3.25"]))
        balance += amount
        rows.append(alipay_statement.StatementRow(
            n, str(n), when, amount, max(amount, Decimal(0)), max(-amount, Decimal(0)), balance, "x", "", ""
        ))
    shuffled = rows[:]
    rng.shuffle(shuffled)
    ordered = alipay_statement.chain_order(shuffled, Decimal("100.00"))
    assert ordered is not None and len(ordered) == 2000 and chain_holds(ordered)
    assert ordered[0].balance - ordered[0].amount == Decimal("100.00")
    assert alipay_statement.chain_order(shuffled, Decimal("100.01")) is None
    broken = shuffled[:]
    broken[5] = dataclasses.replace(broken[5], balance=broken[5].balance + Decimal("0.01"))
    assert alipay_statement.chain_order(broken, Decimal("100.00")) is None


def _edit_2012(old: str, new: str) -> bytes:
    data = real_layouts.layout_2012().decode("gbk")
    assert old in data
    return data.replace(old, new, 1).encode("gbk")


def test_a_same_second_group_that_does_not_chain_is_refused_with_the_numbers():
    # One deduction of the 21:21:26 second altered (-0.64 -> -0.65): no order chains.
    data = _edit_2012(",0.00,-0.64,1178.96,", ",0.00,-0.65,1178.96,")
    with pytest.raises(SourceError) as info:
        read_rows(data, name="s.csv")
    assert info.value.line == 7
    message = info.value.message
    assert message.startswith("同一时间 2012-11-14 21:21:26 的 5 行余额无法接续: 上一余额 1058.00 加本组金额合计 117.11")
    assert "(= 1175.11)" in message and "1186.00" in message and "balances seen" in message


def test_a_dropped_row_of_a_group_is_refused():
    data = _edit_2012(
        "\n" + [x for x in real_layouts.layout_2012().decode("gbk").split("\n") if ",-2.56," in x][0], ""
    )
    with pytest.raises(SourceError, match="本组金额合计"):
        read_rows(data, name="s.csv")


def test_newest_first_dates_with_oldest_first_balances_are_refused():
    """Dates listed newest first while the balances chain oldest first: the file was altered."""
    lines = real_layouts.layout_2012().decode("gbk").split("\n")
    lo, hi = datetime.datetime(2012, 11, 14), datetime.datetime(2012, 11, 16)
    for i, line in enumerate(lines):
        if line[:1].isdigit():  # each time mirrored inside the period: the seconds keep their rows
            cells = line.split(",")
            cells[4] = str(lo + (hi - datetime.datetime.fromisoformat(cells[4].strip()))) + "\t"
            lines[i] = ",".join(cells)
    with pytest.raises(SourceError, match="日期顺序 \\(最新在前\\) 与余额顺序 \\(最早在前\\) 矛盾"):
        read_rows("\n".join(lines).encode("gbk"), name="s.csv")


def test_2012_layout_quirks():
    statement = AlipayStatement(FIXTURES / "layout_2012_gbk.csv")
    rows = list(statement)
    assert statement.layout == "classic-12"
    assert b"\r\n" not in (FIXTURES / "layout_2012_gbk.csv").read_bytes()
    sale = next(r for r in rows if r.line == 11)
    assert (sale.income, sale.expense, sale.amount) == (Decimal("128.00"), 0, Decimal("128.00"))
    fee = next(r for r in rows if r.line == 7)
    assert (fee.income, fee.expense, fee.amount) == (0, Decimal("6.40"), Decimal("-6.40"))
    assert (fee.counterparty_name, fee.counterparty) == ("浙江天猫技术有限公司", "pinpaiticheng@service.taobao.com")
    assert (sale.counterparty_name, sale.counterparty) == ("李四", "13812345678")
    assert rows[-1].counterparty == rows[-1].counterparty_name == ""
    assert fee.remark.startswith("代扣款（扣款用途：新online佣金服务，{210000002}扣款")
    assert statement.footer.expense_total == Decimal("149.38")  # written -149.38


def test_13_column_layout_with_coded_descriptions():
    statement = AlipayStatement(FIXTURES / "layout_13col_gbk.csv")
    rows = list(statement)
    assert statement.layout == "reordered-13"
    assert rows == sorted(rows, key=lambda r: r.time)
    sale = rows[0]
    assert (sale.description_code, sale.description) == ("0010001", "交易收款-交易收款")
    assert (sale.item, sale.order_no, sale.base_order_no) == ("天猫商品", "T200P210000001", "210000001")
    assert sale.expense == 0 and sale.counterparty == "zhangsan@163.com"
    assert [r.amount for r in rows] == [r.amount for r in read_rows(FIXTURES / "layout_2012_gbk.csv")]


def test_a_description_without_code_is_kept_whole():
    data = real_layouts.layout_13col().replace(b"0010001|", b"x|", 1)
    row = read_rows(data)[0]
    assert (row.description_code, row.description) == ("", "x|交易收款-交易收款")


def test_entry_time_family_without_footer():
    statement = AlipayStatement(FIXTURES / "layout_entry_time_gbk.csv")
    rows = list(statement)
    assert statement.layout == "entry-time"
    assert statement.has_footer is False and statement.footer is None
    assert (statement.account, statement.account_name) == ("2088123456789012", "杭州某某旗舰店")
    assert (statement.start, statement.end) == (datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1))
    assert chain_holds(rows) and len(rows) == statement.row_count == 8
    first = rows[0]
    assert first.serial == "2025031520004000000000001" and first.biz_serial == "20250315220010000001"
    assert (first.counterparty, first.counterparty_name) == ("buyer1@example.com", "张*")
    fee = rows[1]
    assert (fee.income, fee.expense, fee.amount) == (0, Decimal("5.00"), Decimal("-5.00"))
    assert fee.order_no == "" and fee.description == ""
    # the 14:02:11 second: the sale (line 9) first
    assert [r.line for r in rows[2:5]] == [9, 7, 8]


def test_entry_time_file_cut_inside_a_row_is_damaged_not_truncated():
    data = (FIXTURES / "layout_entry_time_gbk.csv").read_bytes()
    with pytest.raises(SourceError, match="此行有 .* 个单元格") as info:
        read_rows(data[: data.rindex(b",", 0, len(data) - 30)], name="s.csv")
    assert "截断, 请重新下载" not in info.value.message and info.value.line == 12


def test_entry_time_file_with_footer_is_checked():
    data = (FIXTURES / "layout_entry_time_gbk.csv").read_bytes()
    good = data + "#支出合计：5笔，共166.00元\r\n#收入合计：3笔，共302.50元\r\n".encode("gbk")
    statement = AlipayStatement(good)
    list(statement)
    assert statement.has_footer is True and statement.footer.income_total == Decimal("302.50")
    with pytest.raises(SourceError, match="合计行记 支出 5 笔共 167.00, 记录行为 5 笔共 166.00"):
        read_rows(good.replace(b"166.00", b"167.00"))


def test_classic_layout_without_footer_is_still_truncated():
    data = real_layouts.layout_2012()
    cut = data[: data.index("#---------------------------------账务明细列表结束".encode("gbk"))]
    with pytest.raises(SourceError, match="缺少合计行.*文件被截断.*the file is truncated"):
        read_rows(cut)


def test_bill_zip_in_parts_reads_as_one_statement():
    path = FIXTURES / "202503_2088123456789012.zip"
    statement = AlipayStatement(path)
    rows = list(statement)
    prefix = real_layouts.BILL_PREFIX
    assert statement.parts == [f"{path}!{prefix}_账务明细_1.csv", f"{path}!{prefix}_账务明细_2.csv"]
    assert statement.path == str(path)
    assert statement.layout == "classic-16" and statement.account == "2088123456789012"
    assert chain_holds(rows) and len(rows) == statement.row_count == 8
    # the second cut between the parts: the sale of part 2 (line 6) leads, part 1's rows follow
    assert [(r.part, r.line) for r in rows[2:5]] == [(1, 6), (0, 8), (0, 9)]
    assert statement.footer.expense_count == 5 and statement.footer.income_total == Decimal("302.50")
    entry_time = read_rows(FIXTURES / "layout_entry_time_gbk.csv")
    assert [r.amount for r in rows] == [r.amount for r in entry_time]


def test_each_part_footer_is_checked_against_its_part():
    first, second = real_layouts.bill_parts()
    altered = second.replace("#收入合计：2笔".encode("gbk"), "#收入合计：3笔".encode("gbk"))
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", first), ("x_202503_账务明细_2.csv", altered)])
    with pytest.raises(SourceError, match="合计行记 收入 3 笔") as info:
        read_rows(data, name="b.zip")
    assert info.value.path == "b.zip!x_202503_账务明细_2.csv"


def test_one_footer_may_count_all_parts():
    first, second = real_layouts.bill_parts()
    rows = real_layouts.file_order(real_layouts.chained(real_layouts.events_2025(), real_layouts.OPENING_2025))
    whole = real_layouts.bill_part(rows)
    tail = whole[whole.index("#-----------------------------------------账务明细列表结束".encode("gbk")):]
    first_bare = first[: first.index("#-----------------------------------------账务明细列表结束".encode("gbk"))]
    second_all = second[: second.index("#-----------------------------------------账务明细列表结束".encode("gbk"))] + tail
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", first_bare), ("x_202503_账务明细_2.csv", second_all)])
    assert len(read_rows(data, name="b.zip")) == 8
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", first_bare), ("x_202503_账务明细_2.csv", second)])
    with pytest.raises(SourceError, match="缺少合计行") as info:
        read_rows(data, name="b.zip")
    assert info.value.path == "b.zip!x_202503_账务明细_1.csv"


def test_zip_of_parts_with_a_missing_part_does_not_chain():
    first, second = real_layouts.bill_parts()
    data = real_layouts.make_zip([("x_202503_账务明细_2.csv", second)])
    with pytest.raises(SourceError, match="上一余额 795.00 加本组金额合计 -47.50") as info:
        read_rows(data, name="b.zip")  # part 1 holds three rows of the second cut between them
    assert (info.value.path, info.value.line) == ("b.zip!x_202503_账务明细_2.csv", 7)
    third = real_layouts.bill_part(real_layouts.file_order(real_layouts.chained(real_layouts.events_2025(), 0))[:2])
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", third), ("x_202503_账务明细_2.csv", second)])
    with pytest.raises(SourceError, match="余额|balance"):
        read_rows(data, name="b.zip")


def test_two_statements_in_one_zip_stay_an_error():
    first, second = real_layouts.bill_parts()
    data = real_layouts.make_zip([("a_202503_账务明细_1.csv", first), ("b_202503_账务明细_1.csv", second)])
    with pytest.raises(SourceError, match="属于不同的账单"):
        read_rows(data, name="b.zip")
    other = first.replace(b"[2088123456789012]", b"[2088999999999999]")
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", other), ("x_202503_账务明细_2.csv", second)])
    with pytest.raises(SourceError, match="账号 2088123456789012 与第一个分卷的 2088999999999999 不同"):
        read_rows(data, name="b.zip")


# --- damaged and hostile files: a message with file and line, never a traceback -------------


@pytest.mark.parametrize(
    "cell, words",
    [
        ("NaN", "不是有限数"), ("sNaN", "不是有限数"), ("Infinity", "不是有限数"), ("-inf", "不是有限数"),
        ("1E+999999999", "超出范围"), ("1e-999999999", "超过两位小数"), ("0.001", "超过两位小数"),
        ("1.005", "超过两位小数"), ("1000000000000", "超出范围"), ("1e12", "超出范围"),
        ("9" * 100, "不是数字"), ("1_000", "不是数字"),
    ],
)
def test_parse_amount_accepts_only_cents(cell, words):
    with pytest.raises(ValueError, match=words):
        parse_amount(cell)


@pytest.mark.parametrize(
    "cell, expected", [("1.500", "1.50"), ("1E+3", "1000"), ("999999999999.99", "999999999999.99"), ("-0.10", "-0.10")]
)
def test_parse_amount_normalizes_harmless_forms(cell, expected):
    value = parse_amount(cell)
    assert value == Decimal(expected) and str(value) == expected


def _statement_text() -> str:
    return alipay_samples.statement().decode("gbk")


def _first_row_cells(income="100.00", expense="", balance="100.00") -> bytes:
    text = _statement_text()
    old = ",100.00\t,\t,100.00\t,"
    assert old in text
    return text.replace(old, f",{income}\t,{expense}\t,{balance}\t,", 1).encode("gbk")


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "1E+999999999", "1e-999999999", "100.001", "sNaN"])
@pytest.mark.parametrize("column", ["income", "expense", "balance"])
def test_hostile_amounts_are_refused_with_the_line(bad, column):
    data = _first_row_cells(**{column: bad, **({"income": ""} if column == "expense" else {})})
    with pytest.raises(SourceError) as info:
        read_rows(data, name="s.csv")
    assert info.value.line == 6, str(info.value)
    assert info.value.message[:1] >= "\u4e00"  # Chinese first


@pytest.mark.parametrize("when", ["9999-03-15 09:01:02", "2125-03-15 09:01:02", "2025-03-14 23:59:59"])
def test_rows_outside_the_banner_period_are_refused(when):
    data = _statement_text().replace("2025-03-15 09:01:02", when, 1).encode("gbk")
    with pytest.raises(SourceError, match="不在账单期间 2025-03-15 00:00:00 至 2025-03-18 00:00:00 之内") as info:
        read_rows(data, name="s.csv")
    assert info.value.line == 6


def test_without_a_banner_rows_lie_between_2003_and_the_export():
    bare = alipay_samples.statement(period=()).decode("gbk")
    assert len(read_rows(bare.encode("gbk"))) == len(alipay_samples.ROWS)
    with pytest.raises(SourceError, match="不在账单期间 2003-01-01") as info:
        read_rows(bare.replace("2025-03-15 09:01:02", "2002-03-15 09:01:02", 1).encode("gbk"))
    assert info.value.line == 5
    with pytest.raises(SourceError, match="晚于导出时间 2025-03-18 10:00:00"):
        read_rows(bare.replace("2025-03-17 10:20:00", "2025-03-18 10:20:00", 1).encode("gbk"))
    future = (datetime.datetime.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    with pytest.raises(SourceError, match="不在账单期间"):
        read_rows(bare.replace("2025-03-17 10:20:00", future, 1).encode("gbk"))


def test_a_time_with_a_zone_is_not_a_statement_time():
    data = _statement_text().replace("2025-03-15 09:01:02", "2025-03-15T09:01:02+08:00", 1).encode("gbk")
    with pytest.raises(SourceError, match="不是 2025-03-15 10:23:45 这样的日期时间") as info:
        read_rows(data, name="s.csv")
    assert info.value.line == 6


def test_a_cell_over_csvs_field_limit_names_its_line():
    data = _statement_text().replace("神秘扣款", "神" * 140_000, 1).encode("gbk")
    with pytest.raises(SourceError, match="无法按 CSV 读取") as info:
        read_rows(data, name="s.csv")
    assert info.value.line == alipay_samples.UNCLASSIFIED_LINE


def test_a_line_without_end_is_read_in_bounded_pieces():
    data = alipay_samples.statement() + b"," * (3 * 1024 * 1024)
    with pytest.raises(SourceError, match="单元格") as info:
        read_rows(data, name="s.csv")
    assert info.value.line is not None


def test_two_disagreeing_footer_totals_are_refused():
    text = _statement_text()
    income = next(line for line in text.split("\r\n") if line.startswith("#收入合计"))
    twice = text.replace(income, income + "\r\n" + income.replace("10笔", "11笔"))
    with pytest.raises(SourceError, match="两行 #收入合计 不一致"):
        read_rows(twice.encode("gbk"))
    same = text.replace(income, income + "\r\n" + income)
    assert len(read_rows(same.encode("gbk"))) == len(alipay_samples.ROWS)


def test_a_commented_out_row_after_the_rows_is_refused():
    lines = _statement_text().split("\r\n")
    last = max(i for i, line in enumerate(lines) if line[:1].isdigit())
    lines[last] = "#" + lines[last]
    with pytest.raises(SourceError, match="被注释掉的记录") as info:
        read_rows("\r\n".join(lines).encode("gbk"), name="s.csv")
    assert info.value.line == last + 1


def test_extra_cells_and_records_over_several_lines_are_refused():
    text = _statement_text()
    lines = text.split("\r\n")
    lines[alipay_samples.UNCLASSIFIED_LINE - 1] += ",x"
    with pytest.raises(SourceError, match="此行有 17 个单元格, 多于表头的 16 个") as info:
        read_rows("\r\n".join(lines).encode("gbk"), name="s.csv")
    assert info.value.line == alipay_samples.UNCLASSIFIED_LINE
    lines[alipay_samples.UNCLASSIFIED_LINE - 1] = lines[alipay_samples.UNCLASSIFIED_LINE - 1][:-2] + ",,\t"
    assert len(read_rows("\r\n".join(lines).encode("gbk"))) == len(alipay_samples.ROWS)  # empty: fine
    with pytest.raises(SourceError, match="一条记录跨越第") as info:
        read_rows(text.replace("神秘扣款", '"神秘\r\n扣款"', 1).encode("gbk"), name="s.csv")
    assert info.value.line == alipay_samples.UNCLASSIFIED_LINE


def test_invalid_utf8_byte_on_line_11_names_line_11(tmp_path):
    lines = alipay_samples.statement(encoding="utf-8").split(b"\r\n")
    lines[10] = lines[10].replace("交易".encode(), b"\xff\xfe", 1)
    path = tmp_path / "s.csv"
    path.write_bytes(b"\r\n".join(lines))
    assert alipay_statement.identify(path)
    with pytest.raises(SourceError, match="不是有效的 utf-8 编码") as info:
        read_rows(path)
    assert info.value.line == 11


def test_many_banner_or_blank_lines_are_refused_quickly():
    import time

    for junk in (b"#\r\n" * 2_000_000, b"\n" * 20_000_000):
        start = time.perf_counter()
        with pytest.raises(SourceError) as info:
            read_rows(junk + alipay_samples.statement(), name="s.csv")
        assert time.perf_counter() - start < 2 and info.value.line is not None
    blank_rows = _statement_text().replace("\r\n#-----------------------------------------账务明细列表结束",
                                           "\r\n" * 5000 + "#-----------------------------------------账务明细列表结束")
    blank_rows = blank_rows.encode("gbk")
    with pytest.raises(SourceError, match="空行超过"):
        read_rows(blank_rows)


# --- damaged zips ------------------------------------------------------------------------------


def _one_entry_zip(content: bytes, compression=zipfile.ZIP_DEFLATED) -> bytes:
    return real_layouts.make_zip([("x_202503_账务明细_1.csv", content)], compression)


def _patch(data: bytes, local_offset: int, central_offset: int, value: bytes) -> bytes:
    """Write ``value`` at the given offsets of the (only) local header and central entry."""
    buf = bytearray(data)
    central = data.index(b"PK\x01\x02")
    buf[local_offset : local_offset + len(value)] = value
    buf[central + central_offset : central + central_offset + len(value)] = value
    return bytes(buf)


def _damaged_zips() -> dict[str, bytes]:
    good = _one_entry_zip(alipay_samples.statement())
    flags = int.from_bytes(good[6:8], "little")
    body = bytearray(good)
    start = 30 + int.from_bytes(good[26:28], "little") + int.from_bytes(good[28:30], "little")
    for i in range(start + 200, start + 240):
        body[i] ^= 0x5A
    return {
        "encrypted": _patch(good, 6, 8, (flags | 1).to_bytes(2, "little")),
        "method": _patch(good, 8, 10, (99).to_bytes(2, "little")),
        "crc": _patch(good, 14, 16, b"\x00\x00\x00\x00"),
        "deflate": bytes(body),
    }


@pytest.mark.parametrize("kind, words", [
    ("encrypted", "压缩包条目已加密"), ("method", "压缩方式 99 不受支持"), ("crc", "压缩包条目已损坏"),
    ("deflate", "压缩包条目已损坏|字节"),
])
def test_damaged_zip_entries_are_named(tmp_path, kind, words):
    path = tmp_path / "202503_x.zip"
    path.write_bytes(_damaged_zips()[kind])
    assert alipay_statement.identify(path)
    alipay_statement.statement_period(path)  # no traceback either
    with pytest.raises(SourceError, match=words) as info:
        read_rows(path)
    assert info.value.path == f"{path}!x_202503_账务明细_1.csv"


def _bomb(tmp_path, line: bytes, size: int) -> Path:
    """A zip whose entry inflates to ``size`` bytes of ``line`` (written without holding it)."""
    path = tmp_path / "202503_bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("x_202503_账务明细_1.csv", "w", force_zip64=True) as entry:
            chunk = line * (1024 * 1024 // len(line))
            for _ in range(size // len(chunk)):
                entry.write(chunk)
    return path


@pytest.mark.parametrize("line, size", [(b"#\r\n", 50 * 1024 * 1024), (b"\n", 200 * 1024 * 1024)])
def test_zip_bombs_are_refused_quickly_and_small(tmp_path, line, size):
    import time
    import tracemalloc

    path = _bomb(tmp_path, line, size)
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(SourceError, match="压缩比异常"):
        read_rows(path)
    assert alipay_statement.identify(path)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2 and peak < 20 * 1024 * 1024


def test_a_small_zip_of_repetitive_lines_is_bounded_by_the_line_limits():
    data = _one_entry_zip(b"#\r\n" * 300_000)  # under the ratio-free size: the header search stops
    with pytest.raises(SourceError, match="没有账务明细的表头"):
        read_rows(data, name="b.zip")


def test_period_of_the_new_layouts_is_read_cheaply():
    assert alipay_statement.statement_period(FIXTURES / "layout_entry_time_gbk.csv") == (
        datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1)
    )
    assert alipay_statement.statement_end(FIXTURES / "202503_2088123456789012.zip") == datetime.date(2025, 3, 31)


def test_identify_a_gbk_file_with_a_bad_byte_in_its_head(tmp_path):
    data = (FIXTURES / "layout_2012_gbk.csv").read_bytes().replace("李四".encode("gbk"), b"\xff\xff", 1)
    path = tmp_path / "s.csv"
    path.write_bytes(data)
    assert alipay_statement.identify(path)
    with pytest.raises(SourceError, match="不是有效的 gb18030") as info:
        read_rows(path)
    assert info.value.line == 11


def test_a_later_part_without_banner_and_header_continues_the_first():
    first, second = real_layouts.bill_parts()
    header = real_layouts.HEADER_16.encode("gbk") + b"\r\n"
    bare = second[second.index(header) + len(header):]
    data = real_layouts.make_zip([("x_202503_账务明细_1.csv", first), ("x_202503_账务明细_2.csv", bare)])
    statement = AlipayStatement(data, name="b.zip")
    rows = list(statement)
    assert len(rows) == 8 and chain_holds(rows)
    assert [(r.part, r.line) for r in rows[2:5]] == [(1, 1), (0, 8), (0, 9)]


@pytest.mark.parametrize(
    "cell, name, account",
    [
        ("张三 (zhangsan@163.com)", "张三", "zhangsan@163.com"),
        ("李四（13812345678）", "李四", "13812345678"),
        ("王* (138****5678)", "王*", "138****5678"),
        ("(2088123456789012)", "", "2088123456789012"),
        ("杭州某某有限公司（天猫店）", "", "杭州某某有限公司（天猫店）"),  # no account inside: kept whole
        ("zhangsan@163.com", "", "zhangsan@163.com"),
    ],
)
def test_counterparty_cells_name_and_account(cell, name, account):
    data = real_layouts.layout_2012().decode("gbk").replace("张三 (zhangsan@163.com)", cell, 1)
    row = read_rows(data.encode("gbk"))[0]
    assert (row.counterparty_name, row.counterparty) == (name, account)


def test_a_second_holding_more_rows_than_any_store_has_is_refused(monkeypatch):
    monkeypatch.setattr(alipay_statement, "MAX_GROUP", 3)
    with pytest.raises(SourceError, match="同一秒 2012-11-14 21:21:26 超过 3 行") as info:
        read_rows(FIXTURES / "layout_2012_gbk.csv")
    assert info.value.line == 10


def test_one_footer_may_count_three_parts():
    rows = real_layouts.file_order(real_layouts.chained(real_layouts.events_2025(), real_layouts.OPENING_2025))
    end = "#-----------------------------------------账务明细列表结束".encode("gbk")
    parts = [real_layouts.bill_part(rows[:2]), real_layouts.bill_part(rows[2:5]), real_layouts.bill_part(rows[5:])]
    whole = real_layouts.bill_part(rows)
    bare = [part[: part.index(end)] for part in parts[:2]]
    last = parts[2][: parts[2].index(end)] + whole[whole.index(end):]
    entries = [(f"x_202503_账务明细_{n}.csv", data) for n, data in enumerate([*bare, last], 1)]
    statement = AlipayStatement(real_layouts.make_zip(entries), name="b.zip")
    assert len(list(statement)) == 8 and statement.footer.expense_count == 5
