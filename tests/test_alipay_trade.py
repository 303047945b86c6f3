"""The Alipay trade detail 业务明细 (formats.alipay_trade).

Fixtures: ``tests/fixtures/trade/`` (written by ``tests/export_samples.py``).
"""

import datetime
import io
import time
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import export_samples
import pytest

from beancount_tmall.formats import alipay_trade
from beancount_tmall.formats.common import SourceError

TRADE = Path(__file__).parent / "fixtures" / "trade"
GBK = TRADE / "trade_detail_gbk.csv"
ZIP = TRADE / "202503_2088123456789012.zip"


def test_rows_are_typed_and_verified():
    detail = alipay_trade.TradeDetail(GBK)
    rows = list(detail)
    assert [r.line for r in rows] == [6, 7, 8, 9]
    first, second, _third, refund = rows
    assert first.trade_no == "2025031022001412345678901234"  # trailing tab gone
    assert first.order_no == "T200P3901234567890123456"
    assert first.biz_type == "交易" and not first.is_refund
    assert first.received == Decimal("100.00") and first.jifenbao == Decimal("2.50")
    assert first.service_fee == Decimal("0.60")
    assert first.created == datetime.datetime(2025, 3, 10, 10, 0)
    assert first.finished == datetime.datetime(2025, 3, 14, 9, 30)
    assert first.counterparty == "z***n(138****1234)"
    assert second.merchant_discount == Decimal("5.00") and second.coupon_name == "店铺券"
    assert refund.is_refund and refund.received == Decimal("-34.80")
    assert refund.refund_no == "2025031300001" and refund.remark == "缺货退款"
    assert detail.account == "20881234567890120156"
    assert (detail.start, detail.end) == (datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1))
    assert [(f.kind, f.count, f.totals) for f in detail.footers] == [
        ("交易", 3, {"received": Decimal("331.00"), "merchant_discount": Decimal("5.00")}),
        ("退款", 1, {"received": Decimal("-34.80"), "merchant_discount": Decimal("0.00")}),
    ]


def test_a_subset_of_columns_in_another_order():
    rows = alipay_trade.read_rows(TRADE / "trade_detail_subset_utf8bom.csv")
    assert [(r.trade_no, r.biz_type, r.received, r.service_fee) for r in rows] == [
        ("2025031022001412345678901234", "交易", Decimal("100.00"), Decimal("0.60")),
        ("2025031222001412345678901236", "退款", Decimal("-34.80"), Decimal("-0.21")),
    ]
    assert rows[0].item == "" and rows[0].jifenbao == 0  # columns the layout lacks


def test_bill_zip_parts_are_one_file():
    rows = alipay_trade.read_rows(ZIP)
    # the same rows (``where`` is not compared; lines are within each part)
    assert [replace(r, line=0) for r in rows] == [replace(r, line=0) for r in alipay_trade.read_rows(GBK)]
    assert [r.where.rsplit("!", 1)[1] for r in rows] == [
        "2088123456789012_202503_业务明细_1.csv"] * 2 + ["2088123456789012_202503_业务明细_2.csv"] * 2
    assert [r.line for r in rows] == [6, 7, 6, 7]


def test_a_footer_per_part_verifies_that_part():
    first = export_samples.trade_csv(export_samples.TRADE_ROWS[:2], footer=(
        "#交易合计：2笔，商家实收共295.00元，商家优惠共5.00元",
        "#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元",
    ))
    second = export_samples.trade_csv(export_samples.TRADE_ROWS[2:], footer=(
        "#交易合计：1笔，商家实收共36.00元，商家优惠共0.00元",
        "#退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元",
    ))
    data = export_samples.bill_zip([("p_202503_业务明细_1.csv", first), ("p_202503_业务明细_2.csv", second)])
    assert len(alipay_trade.read_rows(data, name="z.zip")) == 4


def test_identify():
    assert alipay_trade.identify(GBK)
    assert alipay_trade.identify(TRADE / "trade_detail_subset_utf8bom.csv")
    assert alipay_trade.identify(ZIP)
    fixtures = Path(__file__).parent / "fixtures"
    assert not alipay_trade.identify(fixtures / "alipay" / "statement_16col_gbk.csv")
    assert not alipay_trade.identify(fixtures / "orders" / "ExportOrderList202504011030.xlsx")
    assert not alipay_trade.identify(fixtures / "orders" / "orders_excel_resaved_gbk.csv")


def test_part_entries():
    names = ["p_202503_业务明细_2.csv", "p_202503_业务明细(汇总)_1.csv", "p_202503_账务明细_1.csv",
             "p_202503_业务明细_1.csv"]
    assert alipay_trade.part_entries(names) == ["p_202503_业务明细_1.csv", "p_202503_业务明细_2.csv"]
    assert alipay_trade.part_entries(["p_20250318_业务明细.csv"]) == ["p_20250318_业务明细.csv"]
    with pytest.raises(ValueError, match="分卷不连续"):
        alipay_trade.part_entries(["p_202503_业务明细_1.csv", "p_202503_业务明细_3.csv"])
    with pytest.raises(ValueError, match="多份业务明细"):
        alipay_trade.part_entries(["p_202503_业务明细_1.csv", "p_202504_业务明细_1.csv"])


@pytest.mark.parametrize(
    "name, where, message",
    [
        ("broken_footer_count.csv", ":11: ", "#交易合计 写 4 笔, 文件中有 3 行交易"),
        ("broken_footer_total.csv", ":12: ", "商家实收（元） 共 -43.80 元, 各行合计 -34.80 元"),
        ("broken_no_footer.csv", ":8: ", "3 行交易没有合计行核对"),
        ("broken_time_outside.csv", ":6: ", "不在文件的起止日期"),
        ("broken_amount_nan.csv", ":7: ", "商家实收（元） 'NaN' 不是以分为单位的金额"),
    ],
)
def test_refused_with_file_line_and_numbers(name, where, message):
    path = TRADE / name
    with pytest.raises(SourceError) as info:
        alipay_trade.read_rows(path)
    assert str(info.value).startswith(f"{path}{where}"), str(info.value)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "old, new, message",
    [
        (",交易\t,云栖 白茶", ",转账\t,云栖 白茶", "业务类型 '转账' 不是 交易 或 退款"),
        (",195.00,", ",195.005,", "不是以分为单位"),
        (",195.00,", ",1E+999999999,", "不是以分为单位"),
        ("2025-03-11 10:00:00", "9999-03-11 10:00:00", "年份"),
    ],
)
def test_bad_rows(old, new, message):
    rows = list(export_samples.TRADE_ROWS)
    assert old in rows[1]
    rows[1] = rows[1].replace(old, new, 1)
    with pytest.raises(SourceError, match=f"t.csv:7: .*{message}"):
        alipay_trade.read_rows(export_samples.trade_csv(rows), name="t.csv")


def test_two_disagreeing_footers_are_refused():
    footer = ("#交易合计：3笔，商家实收共331.00元，商家优惠共5.00元",
              "#交易合计：3笔，商家实收共331.00元，商家优惠共5.00元",
              "#退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元")
    with pytest.raises(SourceError, match="t.csv:12: #交易合计 写 3 笔, 文件中有 0 行交易"):
        alipay_trade.read_rows(export_samples.trade_csv(footer=footer), name="t.csv")


def test_refunds_without_their_footer_line_are_refused():
    footer = ("#交易合计：3笔，商家实收共331.00元，商家优惠共5.00元",)
    with pytest.raises(SourceError, match="t.csv:9: 1 行退款没有合计行核对"):
        alipay_trade.read_rows(export_samples.trade_csv(footer=footer), name="t.csv")


def test_a_zip_without_trade_detail_or_damaged():
    only_summary = export_samples.bill_zip([("p_202503_业务明细(汇总)_1.csv", b"#x\r\n")])
    with pytest.raises(SourceError, match="没有 …_业务明细.csv"):
        alipay_trade.read_rows(only_summary, name="z.zip")
    good = ZIP.read_bytes()
    with pytest.raises(SourceError, match="z.zip"):
        alipay_trade.read_rows(good[: len(good) - 30], name="z.zip")


def test_a_zip_bomb_is_refused_at_once():
    bomb = export_samples.bill_zip([("p_202503_业务明细_1.csv", b"#" * 60_000_000)])
    start = time.monotonic()
    with pytest.raises(SourceError, match="疑为压缩炸弹"):
        alipay_trade.read_rows(bomb, name="z.zip")
    assert time.monotonic() - start < 1


def test_a_corrupt_entry_is_refused():
    data = bytearray(export_samples.bill_zip([("p_202503_业务明细_1.csv", export_samples.trade_csv())]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode("gbk"))
    data[start + 40] ^= 0xFF
    with pytest.raises(SourceError, match="z.zip"):
        alipay_trade.read_rows(bytes(data), name="z.zip")
