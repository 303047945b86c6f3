"""Writes the fixtures of the Tmall exports and the Alipay trade detail, byte for byte.

Run ``python tests/export_samples.py`` to rewrite ``tests/fixtures/orders/`` and
``tests/fixtures/trade/``; the bytes are committed too. The layouts follow issue 7: the 千牛 order
export as xlsx (``ExportOrderList<digits>.xlsx``, renamed and new columns), the older GBK CSV as
Excel re-saves it, and the Alipay 业务明细 (GBK, ``#`` banner and footer, bill-download zip with
GBK entry names and ``_1``/``_2`` parts). xlsx files are written with openpyxl and re-zipped with
fixed timestamps so that the script gives the same bytes each time.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

from alipay_samples import _GbkZipInfo as GbkZipInfo  # GBK entry names without the UTF-8 flag
from openpyxl import Workbook

HERE = Path(__file__).parent / "fixtures"
ORDERS = HERE / "orders"
TRADE = HERE / "trade"
STAMP = (2025, 4, 1, 10, 30, 0)

# --- order export -------------------------------------------------------------------------------

XLSX_HEADER = [
    "订单编号", "买家会员名", "买家支付宝账号", "支付单号", "支付详情", "买家应付货款", "买家应付邮费",
    "买家支付积分", "总金额", "返点积分", "买家实付金额", "买家实际支付积分", "订单状态 ", "买家留言",
    "收货人姓名", "收货地址 ", "运送方式", "联系手机", "订单创建时间", "订单付款时间 ", "商品标题",
    "宝贝种类", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因",
    "卖家服务费", "买家服务费", "是否手机订单", "退款金额", "确认收货时间", "打款商家金额",
]

XLSX_ROWS = [
    # an 19-digit id as text, a float amount, a date cell for 确认收货时间
    ["3901234567890123456", "z***n", "138****1234", "2025031022001412345678901234",
     "支付方式：支付宝，金额：97.50；支付方式：积分，金额：2.50；", 100.0, 0, 250, 100, 50, 97.5, 250,
     "交易成功", None, "张*", "浙江省 杭州市", "快递", "138****1234", "2025-03-10 10:00:00",
     "2025-03-10 10:01:00", "云栖 龙井茶 250g", 1, "YT0000000001", "圆通速递", None, 1, 66601234,
     "云栖示例旗舰店", None, 0, 0, "手机订单", 0, datetime.datetime(2025, 3, 14, 9, 30, 0), "97.50"],
    # an id Excel keeps as a whole number (15 digits), amounts as text, no points
    [123456789012345, "l***i", "lisi@example.com", "2025031122001412345678901235",
     "支付方式：支付宝，金额：200.00；", "200.00", "0.00", 0, "200.00", 100, "200.00", 0, "交易成功",
     None, "李*", "上海市", "快递", None, "2025-03-11 10:00:00", "2025-03-11 10:01:00",
     "云栖 白茶 100g", 1, "SF0000000002", "顺丰速运", None, 1, 66601234, "云栖示例旗舰店", None,
     0, 0, None, 0, "2025-03-15 20:00:00", "200.00"],
    None,  # a blank row, skipped
    # a partial refund, points, an empty 支付详情 and no confirmation
    ["3901234567890123458", "w***m", "139****1111", "2025031222001412345678901236", None,
     30.0, 6.0, 120, 36.0, 15, 34.8, 120, "交易关闭", "请尽快发货", "王**", "北京市", "快递", None,
     datetime.datetime(2025, 3, 12, 10, 0, 0), datetime.datetime(2025, 3, 12, 10, 1, 0),
     "云栖 红茶 50g", 1, None, None, "缺货退款", 1, 66601234, "云栖示例旗舰店", "买家申请退款", 0, 0,
     "手机订单", 34.8, None, "0.00"],
]


def _rezip(data: bytes, stored: bool = False) -> bytes:
    """``data`` (a zip) again with fixed timestamps (and optionally stored, not deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, STAMP)
            new.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            content = src.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-04-01T10:30:00Z", content)
            dst.writestr(new, content)
    return out.getvalue()


def workbook(header: list, rows: list, title: str = "Sheet1", stored: bool = False) -> bytes:
    """An xlsx of one sheet; ``None`` rows are left blank."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header)
    for row in rows:
        ws.append(row if row is not None else [])
    fixed = datetime.datetime(2025, 4, 1, 10, 30, 0)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue(), stored=stored)


def _replace_entry(data: bytes, name: str, content: bytes | None) -> bytes:
    """``data`` (a zip) with entry ``name`` replaced by ``content`` (or left out if ``None``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == name:
                if content is None:
                    continue
                dst.writestr(info, content)
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def order_xlsx_fixtures() -> dict[str, bytes]:
    good = workbook(XLSX_HEADER, XLSX_ROWS)
    float_id = [list(r) if r else r for r in XLSX_ROWS]
    float_id[1][0] = 3.901234567890123e18  # Excel turned the id into a number: digits lost
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        xml = zf.read(sheet)
    # 30 MB of whitespace inside the sheet: deflates about 1000 times
    bomb = _replace_entry(good, sheet, xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000))
    stored = workbook(XLSX_HEADER, XLSX_ROWS, stored=True)
    at = stored.index(b"3901234567890123458")
    bad_crc = stored[:at] + b"4" + stored[at + 1 :]
    encrypted = bytearray(good)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := encrypted.find(signature, start)) >= 0:
            encrypted[start + offset] |= 0x1
            start += 4
    cut = good[: len(good) // 2]
    return {
        "ExportOrderList202504011030.xlsx": good,
        "ExportOrderList_float_id.xlsx": workbook(XLSX_HEADER, float_id),
        "damaged_missing_sheet.xlsx": _replace_entry(good, sheet, None),
        "damaged_bomb.xlsx": bomb,
        "damaged_bad_crc.xlsx": bad_crc,
        "damaged_encrypted.xlsx": bytes(encrypted),
        "damaged_truncated.xlsx": cut,
        "damaged_not_a_zip.xlsx": "订单编号,买家实付金额\r\n".encode("gbk"),
    }


RESAVED_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分 ,订单状态 ,买家留言,收货人姓名,订单创建时间,订单付款时间 ,宝贝标题 "
)
RESAVED_ROWS = [
    "'186123456789012345,z***n,138****1234,100,0,250,100,50,97.5,250,交易成功,,张*,2016/5/23 22:02,2016/5/23 22:03,龙井茶",
    "'186123456789012346,l***i,lisi@example.com,200,0,0,200,100,200,0,交易成功,,李*,2016/5/24 9:15,2016/5/24 9:16,白茶",
    "'186123456789012347,w***m,139****1111,30,6,120,36,15,34.8,120,交易成功,\"要新鲜的,谢谢\",王**,2016/5/25 8:00,2016/5/25 8:01,红茶",
]


def resaved_csv(rows: list[str] = RESAVED_ROWS) -> bytes:
    """An older order export as Excel re-saves it: GBK, CRLF, ``'`` ids, ``2016/5/23 22:02``."""
    return ("\r\n".join([RESAVED_HEADER, *rows]) + "\r\n").encode("gbk")


def order_csv_fixtures() -> dict[str, bytes]:
    def broken(old: str, new: str, row: int = 1) -> bytes:
        rows = list(RESAVED_ROWS)
        assert old in rows[row]
        rows[row] = rows[row].replace(old, new, 1)
        return resaved_csv(rows)

    return {
        "orders_excel_resaved_gbk.csv": resaved_csv(),
        # line 3: 1E+999999999 in 买家支付积分
        "broken_points_exponent.csv": broken(",0,200,100,", ",1E+999999999,200,100,"),
        # line 3: an amount with three places
        "broken_amount_places.csv": broken(",200,0,交易成功", ",200.005,0,交易成功"),
        # line 3: a date in year 9999
        "broken_time_year.csv": broken("2016/5/24 9:15", "9999/5/24 9:15"),
        # line 3: an id Excel rewrote in scientific notation
        "broken_excel_id.csv": broken("'186123456789012346", "1.86123E+17"),
        # line 4: the row is cut
        "broken_cut_row.csv": broken(",120,交易成功,\"要新鲜的,谢谢\",王**,2016/5/25 8:00,2016/5/25 8:01,红茶", "", 2),
    }


# --- Alipay trade detail (业务明细) -------------------------------------------------------------

TRADE_HEADER = (
    "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,合作伙伴,对方账户,订单金额（元）,"
    "商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,"
    "商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
)

TRADE_ROWS = [
    # 交易: 100 paid, 2.50 with 集分宝
    "2025031022001412345678901234\t,T200P3901234567890123456\t,交易\t,云栖 龙井茶 250g,"
    "2025-03-10 10:00:00,2025-03-14 09:30:00,\t,z***n(138****1234)\t,100.00,100.00,0.00,2.50,0.00,"
    "0.00,0.00,,0.00,0.00,\t,0.60,0.00,",
    "2025031122001412345678901235\t,T200P3901234567890123457\t,交易\t,云栖 白茶 100g,"
    "2025-03-11 10:00:00,2025-03-15 20:00:00,\t,lisi@example.com\t,200.00,195.00,0.00,0.00,0.00,"
    "5.00,0.00,店铺券,0.00,0.00,\t,1.17,0.00,",
    "2025031222001412345678901236\t,T200P3901234567890123458\t,交易\t,云栖 红茶 50g,"
    "2025-03-12 10:00:00,2025-03-12 10:01:00,\t,w***m(139****1111)\t,36.00,36.00,0.00,1.20,0.00,"
    "0.00,0.00,,0.00,0.00,\t,0.22,0.00,",
    # 退款 of the third order (negative)
    "2025031222001412345678901236\t,T200P3901234567890123458\t,退款\t,云栖 红茶 50g,"
    "2025-03-13 11:00:00,2025-03-13 11:05:00,\t,w***m(139****1111)\t,-34.80,-34.80,0.00,-1.20,0.00,"
    "0.00,0.00,,0.00,0.00,2025031300001\t,-0.21,0.00,缺货退款",
]


def trade_csv(
    rows: list[str] = TRADE_ROWS,
    header: str = TRADE_HEADER,
    footer: tuple[str, ...] | None = None,
    banner: bool = True,
    encoding: str = "gbk",
    newline: str = "\r\n",
) -> bytes:
    lines = []
    if banner:
        lines += [
            "#支付宝业务明细查询",
            "#账号：[20881234567890120156]",
            "#起始日期：[2025年03月01日 00:00:00]   终止日期：[2025年04月01日 00:00:00]",
            "#-----------------------------------------业务明细列表----------------------------------------",
        ]
    lines += [header, *rows]
    if footer is None:
        footer = (
            "#交易合计：3笔，商家实收共331.00元，商家优惠共5.00元",
            "#退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元",
        )
    if footer:
        lines += [
            "#-----------------------------------------业务明细列表结束------------------------------------",
            *footer,
            "#导出时间：[2025年04月01日 06:27:10]",
        ]
    return (newline.join(lines) + newline).encode(encoding)


def bill_zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries:
            info = GbkZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return buf.getvalue()


def trade_fixtures() -> dict[str, bytes]:
    prefix = "2088123456789012_202503"
    part1 = trade_csv(TRADE_ROWS[:2], footer=())
    part2 = trade_csv(TRADE_ROWS[2:])
    subset_header = "商户订单号,支付宝交易号,业务类型,创建时间,完成时间,对方账户,订单金额(元),商家实收(元),备注,服务费(元)"
    subset_rows = [
        "T200P3901234567890123456,2025031022001412345678901234,交易,2025-03-10 10:00:00,"
        "2025-03-14 09:30:00,z***n(138****1234),100.00,100.00,,0.60",
        "T200P3901234567890123458,2025031222001412345678901236,退款,2025-03-13 11:00:00,"
        "2025-03-13 11:05:00,w***m(139****1111),-34.80,-34.80,缺货退款,-0.21",
    ]
    subset_footer = (
        "#交易合计：1笔，商家实收共100.00元，商家优惠共0.00元",
        "#退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元",
    )
    return {
        "trade_detail_gbk.csv": trade_csv(),
        "trade_detail_subset_utf8bom.csv": trade_csv(
            subset_rows, subset_header, subset_footer, encoding="utf-8-sig", newline="\n"
        ),
        "202503_2088123456789012.zip": bill_zip([
            (prefix + "_账务明细(汇总)_1.csv", "#支付宝账务明细汇总\r\n".encode("gbk")),
            (prefix + "_业务明细_2.csv", part2),
            (prefix + "_业务明细(汇总)_1.csv", "#支付宝业务明细汇总查询\r\n".encode("gbk")),
            (prefix + "_业务明细_1.csv", part1),
        ]),
        # line 10: 交易合计 says 4 rows, there are 3
        "broken_footer_count.csv": trade_csv(footer=(
            "#交易合计：4笔，商家实收共331.00元，商家优惠共5.00元",
            "#退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元",
        )),
        # line 11: 退款合计's total disagrees
        "broken_footer_total.csv": trade_csv(footer=(
            "#交易合计：3笔，商家实收共331.00元，商家优惠共5.00元",
            "#退款合计：1笔，商家实收退款共-43.80元，商家优惠退款共0.00元",
        )),
        "broken_no_footer.csv": trade_csv(footer=()),
        # line 6: 完成时间 in April, outside the banner's period (March)
        "broken_time_outside.csv": trade_csv(
            [TRADE_ROWS[0].replace("2025-03-14 09:30:00", "2025-04-14 09:30:00"), *TRADE_ROWS[1:]]
        ),
        # line 7: NaN as an amount
        "broken_amount_nan.csv": trade_csv(
            [TRADE_ROWS[0], TRADE_ROWS[1].replace(",195.00,", ",NaN,"), *TRADE_ROWS[2:]]
        ),
    }


def fixtures() -> dict[Path, bytes]:
    files = {ORDERS / n: b for n, b in {**order_xlsx_fixtures(), **order_csv_fixtures()}.items()}
    files.update({TRADE / n: b for n, b in trade_fixtures().items()})
    return files


def write_fixtures() -> None:
    for path, content in fixtures().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


if __name__ == "__main__":
    write_fixtures()
