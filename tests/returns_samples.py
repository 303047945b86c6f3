"""Bytes of small refund (退款), item (宝贝报表) and order exports in their real layouts (GBK CSV,
ids as ``="…"``, header names with trailing spaces), and a ledger they fit, for the returns tests.

A store's March: order 3001 (2 × LJ-250 at 59.00, 120 points) and 3002 (3 × MF-100 at 25.00)
settled in March and costed by the March ``#cogs`` entry (LJ-250 at 28.00, MF-100 at 12.00);
3003 refunded before it settled (交易关闭); 3006 settled in April (no April ``#cogs`` yet: the cost
table's 31.00 from 04-01 applies); 3007 settled in March, its return not inspected yet.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from test_filing import ALIPAY_ID, sale, write_statement

from beancount_tmall.goods import cogs
from beancount_tmall.importers import filing
from beancount_tmall.ledger_init import init_ledger

# Settled: 3001, 3002, 3007 in March, 3006 in April (sale row and its commission).
MARCH = (sale(1, "2025-03-15 10:00:00", "3001", "116.80", "5.84") + sale(3, "2025-03-16 10:00:00", "3002", "75.00", "3.75")
         + sale(5, "2025-03-17 10:00:00", "3007", "59.00", "2.95"))
APRIL = sale(7, "2025-04-10 09:00:00", "3006", "84.00", "4.20")

REFUND_HEADER = (
    "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,买家退款金额,"
    "手工退款/系统退款,是否需要退货,退款的申请时间,超时时间 ,退款状态,货物状态,退货物流信息,发货物流信息,客服介入状态,"
    "买家退款原因,买家退款说明,部分退款/全部退款 "
)


def refund_row(refund_id, tid, sku, finished, paid, title, amount, needs_return, status, reason,
               partial=False, explanation="", goods_status="买家已退货") -> str:
    return ",".join([
        f'="{refund_id}"', f'="{tid}"', f'="2025031522001100{tid}"', "2025-03-10 10:00:00", sku, finished,
        paid, title, amount, "系统退款", "是" if needs_return else "否", "2025-03-28 09:00:00", "",
        status, goods_status, "", "", "未介入", reason, explanation, "部分退款" if partial else "全部退款",
    ])


REFUND_ROWS = [
    # passed inspection, full refund of 2 × LJ-250; the order paid 120 points
    refund_row("9001", "3001", "LJ-250", "2025-04-03 11:00:00", "116.80", "羊毛围巾 灰色", "116.80", True,
               "退款成功", "七天无理由退换货"),
    # failed inspection, a partial refund of 1 of 3 MF-100
    refund_row("9002", "3002", "MF-100", "2025-04-05 15:30:00", "75.00", "棉麻方巾", "25.00", True,
               "退款成功", "质量问题", partial=True),
    # refund without return (仅退款), and a discount (折价)
    refund_row("9003", "3002", "MF-100", "2025-04-06 09:00:00", "75.00", "棉麻方巾", "10.00", False,
               "退款成功", "质量问题", partial=True, goods_status="买家已收到货"),
    refund_row("9008", "3001", "", "2025-04-07 09:00:00", "116.80", "羊毛围巾 灰色", "5.00", False,
               "退款成功", "其他", partial=True, explanation="协商折价5元", goods_status="买家已收到货"),
    # returned before settlement: the order closed
    refund_row("9004", "3003", "LJ-250", "2025-03-30 10:00:00", "59.00", "羊毛围巾 灰色", "59.00", True,
               "退款成功", "七天无理由退换货"),
    # in progress
    refund_row("9005", "3005", "LJ-250", "", "59.00", "羊毛围巾 灰色", "59.00", True,
               "卖家已经同意退款，等待买家退货", "七天无理由退换货"),
    # settled in April: the cost table; no SKU in the export (the item export tells it)
    refund_row("9006", "3006", "", "2025-04-20 10:00:00", "59.00", "羊毛围巾 灰色", "59.00", True,
               "退款成功", "尺码拍错/不喜欢/效果不好"),
    # not inspected yet
    refund_row("9007", "3007", "LJ-250", "2025-04-21 10:00:00", "59.00", "羊毛围巾 灰色", "59.00", True,
               "退款成功", "七天无理由退换货"),
]

ITEMS = "\r\n".join([
    "订单编号 ,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码 ",
    '="3001",羊毛围巾 灰色,59.00,2,,颜色分类：灰色,,,交易成功,LJ-250',
    '="3002",棉麻方巾,25.00,3,,,,,交易成功,MF-100',
    '="3003",羊毛围巾 灰色,59.00,1,,,,,交易关闭,LJ-250',
    '="3006",羊毛围巾 灰色,59.00,1,,,,,交易成功,LJ-250',
    '="3006",棉麻方巾,25.00,1,,,,,交易成功,MF-100',
    '="3007",羊毛围巾 灰色,59.00,1,,,,,交易成功,LJ-250',
]) + "\r\n"

ORDERS = "\r\n".join([
    "订单编号,买家会员名,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态 ,"
    "订单创建时间,订单付款时间 ,确认收货时间",
    '="3001",t**1,118.00,0.00,120,118.00,0,116.80,120,交易成功,2025-03-10 09:59:00,2025-03-10 10:00:00,2025-03-15 08:00:00',
    '="3002",t**2,75.00,0.00,0,75.00,0,75.00,0,交易成功,2025-03-10 09:59:00,2025-03-10 10:00:00,2025-03-16 08:00:00',
    '="3006",t**6,84.00,0.00,0,84.00,0,84.00,0,交易成功,2025-04-01 09:59:00,2025-04-01 10:00:00,2025-04-10 08:00:00',
]) + "\r\n"

COSTS = "商家编码,名称,单位成本,生效日期\nLJ-250,羊毛围巾,28.00,2025-01-01\nLJ-250,羊毛围巾,31.00,2025-04-01\n" \
        "MF-100,棉麻方巾,12.00,2025-01-01\n"

INSPECTIONS = "退款编号,验货结果,破损单号,备注\n9001,合格,,\n9002,不合格,PS-2025-001,污损\n9006,合格,,\n"

#: The stock the store bought (hand-written, as the README says).
PURCHASE = """
2025-02-01 * "供应商" "采购 围巾 40 件, 方巾 20 件"
  Assets:1405-库存商品       1120.00 CNY
    sku: "LJ-250"
    quantity: "40"
  Assets:1405-库存商品        240.00 CNY
    sku: "MF-100"
    quantity: "20"
  Assets:1002-银行存款      -1360.00 CNY
"""


def refund_export(rows: list[str] = REFUND_ROWS) -> bytes:
    """The refund export as Tmall gives it: GBK, CRLF."""
    return ("\r\n".join([REFUND_HEADER, *rows]) + "\r\n").encode("gbk")


def write_store(root: Path, *, inspections: str = INSPECTIONS, costs: str | None = COSTS) -> Path:
    """A store's books at ``root/books``, as the store keeps them: statements, the order and item
    exports and the cost table through ``tmall-books import``, March closed by ``tmall-books cogs``
    (LJ-250 3 × 28.00, MF-100 3 × 12.00), 验货记录.csv beside main.beancount; returns the ledger."""
    books = root / "books"
    init_ledger(books, open_date=datetime.date(2025, 1, 1))
    with open(books / "main.beancount", "a", encoding="utf-8") as f:
        f.write(PURCHASE)
    src = root / "downloads"
    src.mkdir()
    files = [
        write_statement(src / f"{ALIPAY_ID}_20250301_20250331_账务明细.csv", "1000.00", MARCH,
                        "2025-03-01 00:00:00", "2025-04-01 00:00:00"),
        write_statement(src / f"{ALIPAY_ID}_20250401_20250415_账务明细.csv", "1238.26", APRIL,
                        "2025-04-01 00:00:00", "2025-04-16 00:00:00"),
    ]
    (src / "ExportOrderDetailList.csv").write_bytes(ITEMS.encode("gbk"))
    (src / "ExportOrderList.csv").write_bytes(ORDERS.encode("gbk"))
    files += [src / "ExportOrderDetailList.csv", src / "ExportOrderList.csv"]
    if costs is not None:
        (src / "成本表.csv").write_text(costs, encoding="utf-8")
        files.append(src / "成本表.csv")
    ledger = books / "main.beancount"
    out = io.StringIO()
    assert filing.run_import([str(f) for f in files], ledger=ledger, out=out) == 0, out.getvalue()
    if costs is not None:
        assert cogs.run_cogs(ledger, "2025-03", out=out) == 0, out.getvalue()
    if inspections:
        (books / "验货记录.csv").write_text(inspections, encoding="utf-8-sig")
    return ledger
