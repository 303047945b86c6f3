"""Bytes of small refund (退款), item (宝贝报表) and order exports in their real layouts (GBK CSV,
ids as ``="…"``, header names with trailing spaces), and a ledger they fit, for the returns tests.

A store's March: order 3001 (2 × LJ-250 at 59.00, 120 points) and 3002 (3 × MF-100 at 25.00)
settled in March and costed by the March ``#cogs`` entry (LJ-250 at 30.00, MF-100 at 12.50);
3003 refunded before it settled (交易关闭); 3006 settled in April (no April ``#cogs`` yet: the cost
table's 31.00 from 04-01 applies); 3007 settled in March, its return not inspected yet.
"""

from __future__ import annotations

from pathlib import Path

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

LEDGER = """option "title" "退货测试店"
option "operating_currency" "CNY"

2025-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
2025-01-01 open Assets:1405-库存商品 CNY
2025-01-01 open Income:6001-主营业务收入 CNY
2025-01-01 open Expenses:6401-主营业务成本 CNY
2025-01-01 open Expenses:6401-主营业务成本:640102-破损 CNY
2025-01-01 open Equity:4001-实收资本 CNY

2025-03-01 * "期初" "进货"
  Assets:1405-库存商品   1325.00 CNY
    sku: "LJ-250"
    quantity: "40"
  Equity:4001-实收资本

2025-03-15 * "支付宝" "订单 3001" #tmall-sale
  order-id: "3001"
  Assets:1012-其他货币资金:101201-支付宝   116.80 CNY
  Income:6001-主营业务收入

2025-03-16 * "支付宝" "订单 3002" #tmall-sale
  order-id: "3002"
  Assets:1012-其他货币资金:101201-支付宝   75.00 CNY
  Income:6001-主营业务收入

2025-03-17 * "支付宝" "订单 3007" #tmall-sale
  order-id: "3007"
  Assets:1012-其他货币资金:101201-支付宝   59.00 CNY
  Income:6001-主营业务收入

2025-03-18 * "天猫" "2025-03-15 消费积分 1 笔订单" #tmall-points
  source: "tmall-orders"
  consumer-points: "1.20 CNY"
  points-orders: "3001"

2025-03-31 * "结转" "2025-03 结转已销商品成本" #cogs
  period: "2025-03"
  Expenses:6401-主营业务成本   90.00 CNY
    sku: "LJ-250"
    quantity: "3"
    unit-cost: "30.00 CNY"
  Assets:1405-库存商品        -90.00 CNY
    sku: "LJ-250"
    quantity: "-3"
  Expenses:6401-主营业务成本   37.50 CNY
    sku: "MF-100"
    quantity: "3"
    unit-cost: "12.50 CNY"
  Assets:1405-库存商品        -37.50 CNY
    sku: "MF-100"
    quantity: "-3"
"""


def refund_export(rows: list[str] = REFUND_ROWS) -> bytes:
    """The refund export as Tmall gives it: GBK, CRLF."""
    return ("\r\n".join([REFUND_HEADER, *rows]) + "\r\n").encode("gbk")


def write_store(root: Path, *, inspections: str = INSPECTIONS, costs: str | None = COSTS) -> Path:
    """A ledger at ``root/main.beancount`` with the item and order exports archived and the
    store's 成本表.csv and 验货记录.csv beside it; returns the ledger's path."""
    ledger = root / "main.beancount"
    ledger.write_text(LEDGER, encoding="utf-8")
    archive = root / "documents" / "Income" / "6001-主营业务收入"
    archive.mkdir(parents=True)
    (archive / "2025-03-31.宝贝报表.csv").write_bytes(ITEMS.encode("gbk"))
    (archive / "2025-03-31.ExportOrderList.csv").write_bytes(ORDERS.encode("gbk"))
    if costs is not None:
        (root / "成本表.csv").write_text(costs, encoding="utf-8")
    if inspections:
        (root / "验货记录.csv").write_text(inspections, encoding="utf-8-sig")
    return ledger
