"""Inputs of order-level reconciliation in the real layouts (issue 9), built in the tests.

* the Alipay statement: the 16-column "signcustomer" CSV in GBK, ``#`` banner with the period,
  header, rows with trailing tabs, the dashed end line and ``#支出合计/#收入合计/#导出时间`` footers
  (:mod:`alipay_samples`' banner and footer); row ``n`` (from 1) is on line ``5 + n``;
* the order export: the older CSV (GBK, ``="…"`` ids, header names with trailing spaces) and the
  千牛 xlsx (``支付详情``, ``退款金额``, and a ``是否淘宝客订单`` column when asked);
* the item export (宝贝报表, GBK CSV, ``'`` ids) and the refund export (退款, GBK CSV).

A clean store (:data:`CLEAN_ORDERS`, :data:`CLEAN_ROWS`) settles every order right; each test
changes one thing and computes the finding by hand.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from alipay_samples import HEADER_16, banner, footer
from export_samples import workbook

MARCH_TO_APRIL = ("2025年03月01日 00:00:00", "2025年05月01日 00:00:00")
FIRST_LINE = 6  # line of the statement's first row (4 banner lines, the header)

TMALL = "pinpaiticheng@service.taobao.com"

# Order ids
O1, O2, O3, O4 = "4100000000000000101", "4100000000000000102", "4100000000000000103", "4100000000000000104"
O5 = "4100000000000000105"
UNKNOWN = "4100000000000009999"

# (tid, 买家实付, 积分 (points, 100 = 1 CNY), 状态, 付款时间, 退款金额)
CLEAN_ORDERS = [
    (O1, "100.00", 0, "交易成功", "2025-03-10 10:01:00", "0.00"),
    (O2, "200.00", 500, "交易成功", "2025-03-28 20:00:00", "0.00"),   # confirmed in April (M+1)
    (O3, "300.00", 0, "交易成功", "2025-03-12 09:00:00", "100.00"),   # 100.00 refunded after success
    (O4, "80.00", 0, "交易关闭", "2025-03-13 11:00:00", "80.00"),     # refunded before shipping
]

# (time, 业务类型, 备注, 商户订单号, amount, 业务基础订单号)
CLEAN_ROWS = [
    ("2025-03-14 09:00:00", "在线支付", "", f"T200P{O1}", "100.00", O1),
    ("2025-03-14 09:00:00", "交易付款", f"天猫佣金（类目）{{{O1}}}扣款", f"T200P{O1}", "-5.00", O1),
    ("2025-03-14 09:00:00", "交易付款", f"代扣返点积分{O1}", f"T200P{O1}", "-0.50", O1),
    ("2025-03-20 10:00:00", "在线支付", "", f"T200P{O3}", "300.00", O3),
    ("2025-03-20 10:00:00", "交易付款", f"天猫佣金（类目）{{{O3}}}扣款", f"T200P{O3}", "-15.00", O3),
    ("2025-03-20 10:00:00", "交易付款", f"代扣返点积分{O3}", f"T200P{O3}", "-1.50", O3),
    ("2025-03-25 11:00:00", "交易退款", f"售后退款-1-T200P{O3}", f"T200P{O3}", "-100.00", O3),
    ("2025-03-25 11:00:00", "交易付款", f"天猫佣金（类目）{{{O3}}}退款", f"T200P{O3}", "5.00", O3),
    ("2025-03-25 11:00:00", "交易付款", f"代扣交易退回积分{O3}", f"T200P{O3}", "0.50", O3),
    ("2025-03-26 15:00:00", "提现", "提现到银行卡", "", "-100.00", ""),
    ("2025-03-27 16:00:00", "交易付款", "代扣款（扣款用途：直通车自动充值-1）", "", "-20.00", ""),
    # O2: presale id T10000P, settled in April (M+1): 200.00 + 5.00 points; 5% = 10.25, 0.5% of
    # 205.00 = 1.025 -> 1.03
    ("2025-04-02 08:00:00", "交易付款", "", f"T10000P{O2}", "205.00", ""),
    ("2025-04-02 08:00:00", "交易付款", f"天猫佣金（类目）{{{O2}}}扣款", "", "-10.25", ""),
    ("2025-04-02 08:00:00", "交易付款", f"代扣返点积分{O2}", "", "-1.03", ""),
]


def line_of(rows: list, index: int) -> int:
    """The statement line of ``rows[index]``."""
    return FIRST_LINE + index


def statement(rows=CLEAN_ROWS, period=MARCH_TO_APRIL, opening=Decimal("1000.00"), first_serial=1) -> bytes:
    """A 16-column GBK statement of ``rows`` (running balance from ``opening``)."""
    balance = Decimal(opening)
    lines = [*banner(start=period[0], end=period[1]), HEADER_16]
    for n, (time, biz, remark, order_no, amount, base) in enumerate(rows, first_serial):
        amount = Decimal(amount)
        balance += amount
        income = f"{amount:.2f}" if amount >= 0 else ""
        expense = f"{-amount:.2f}" if amount < 0 else ""
        cells = [
            str(20250300000000000000 + n), f"2025{n:016d}", order_no, "天猫商品" if order_no else "", time,
            TMALL if "佣金" in remark else "", income, expense, f"{balance:.2f}", "", biz, remark,
            remark[:10], "天猫", base, "",
        ]
        lines.append(",".join(c + "\t" for c in cells))
    lines += footer([(r[0], r[1], r[2], r[3], r[4], "", "") for r in rows],
                    exported="2025年05月02日 10:00:00")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


ORDER_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分 ,订单状态 ,买家留言,收货人姓名,订单创建时间,订单付款时间 ,退款金额"
)


def order_csv(orders=CLEAN_ORDERS) -> bytes:
    """The older order export: GBK, ``="…"`` ids."""
    lines = [ORDER_HEADER]
    for tid, paid, points, status, paid_time, refund in orders:
        total = Decimal(paid) + Decimal(points) / 100
        lines.append(",".join([
            f'="{tid}"', "tb***", "138****0000", f"{total:.2f}", "0.00", str(points), f"{total:.2f}", "0",
            paid, str(points), status, "", "张*", paid_time, paid_time, refund,
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


XLSX_HEADER = [
    "订单编号", "买家会员名", "支付单号", "支付详情", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额",
    "买家实付金额", "买家实际支付积分", "订单状态 ", "订单创建时间", "订单付款时间 ", "商品标题", "退款金额",
    "确认收货时间",
]


def order_xlsx(orders, details: dict[str, str], taobaoke: dict[str, str] | None = None) -> bytes:
    """The 千牛 xlsx export; ``details``: tid -> 支付详情; ``taobaoke``: tid -> 是否淘宝客订单 (adds
    the column)."""
    header = XLSX_HEADER + (["是否淘宝客订单"] if taobaoke is not None else [])
    rows = []
    for tid, paid, points, status, paid_time, refund in orders:
        total = float(Decimal(paid) + Decimal(points) / 100)
        row = [tid, "tb***", f"2025{tid}", details.get(tid), total, 0, points, total, float(paid), points,
               status, paid_time, paid_time, "云栖龙井", float(refund), None]
        if taobaoke is not None:
            row.append(taobaoke.get(tid, "否"))
        rows.append(row)
    return workbook(header, rows)


ITEM_HEADER = "订单编号,标题 ,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态 ,商家编码 "


def item_csv(items) -> bytes:
    """宝贝报表 rows ``(tid, price, quantity, sku)``: GBK, ``'`` ids."""
    lines = [ITEM_HEADER]
    for tid, price, quantity, sku in items:
        lines.append(",".join([f"'{tid}", "云栖商品", price, str(quantity), "", "", "", "", "交易成功", sku]))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


REFUND_HEADER = (
    "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,买家退款金额,"
    "手工退款/系统退款,是否需要退货,退款的申请时间,退款状态,货物状态,买家退款原因,买家退款说明,部分退款/全部退款"
)


def refund_csv(refunds) -> bytes:
    """退款 rows ``(refund id, tid, finished, paid, amount, status)``: GBK, ``="…"`` ids."""
    lines = [REFUND_HEADER]
    for refund_id, tid, finished, paid, amount, status in refunds:
        lines.append(",".join([
            f'="{refund_id}"', f'="{tid}"', "", "2025-03-10 10:00:00", "", finished, paid, "云栖商品", amount,
            "系统退款", "否", "2025-03-20 09:00:00", status, "买家已收到货", "质量问题", "",
            "全部退款" if amount == paid else "部分退款",
        ]))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def write(directory: Path, name: str, content: bytes) -> Path:
    """``content`` written to ``directory/name``."""
    path = directory / name
    path.write_bytes(content)
    return path
