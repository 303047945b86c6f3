"""The Tmall order export (订单报表, ExportOrderList): CSV or xlsx -> typed order rows.

DESIGN §3.3. Two generations, read alike (:mod:`beancount_tmall.formats.table`):

* the CSV (GBK): ``订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,
  返点积分,买家实际支付金额,买家实际支付积分,订单状态,…,订单创建时间,订单付款时间,…``; header names
  with trailing spaces, ids written ``="123"`` or ``'123``; once re-saved by Excel, times like
  ``2016/5/23 22:02``;
* the current 千牛 export, **xlsx** (``ExportOrderList<digits>.xlsx``), with renamed columns
  (``买家实付金额``, ``商品标题``) and new ones: ``支付单号``, ``支付详情`` (``支付方式：支付宝，金额：
  123.45；支付方式：积分，金额：1.00；``, :attr:`OrderRow.pay_detail`), ``退款金额``, ``确认收货时间``.
  An export with a ``是否淘宝客订单`` column (是/否) says which orders came through a 淘宝客
  (:attr:`OrderRow.taobaoke`; ``None`` without the column).

Each field is found by a list of header names (:data:`COLUMNS`), in any order. ``买家实际支付积分``
is in Tmall points, 100 points = 1 CNY (:attr:`OrderRow.points_cny`). Amounts are finite with at
most two places, points whole numbers of at most 12 digits; anything else, an id Excel turned into
``1.86E+17``, or a cut row is a :class:`SourceError` naming the file and line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import table
from beancount_tmall.formats.common import clean_id

POINTS_PER_CNY = 100
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: Field -> the header names that may hold it (the first one found is used).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tid": ("订单编号", "订单号"),
    "buyer": ("买家会员名", "买家昵称"),
    "buyer_alipay": ("买家支付宝账号",),
    "pay_no": ("支付单号",),
    "pay_detail": ("支付详情",),
    "goods": ("买家应付货款",),
    "postage": ("买家应付邮费",),
    "points_used": ("买家支付积分",),
    "total": ("总金额",),
    "rebate_points": ("返点积分",),
    "paid": ("买家实际支付金额", "买家实付金额"),
    "paid_points": ("买家实际支付积分",),
    "status": ("订单状态",),
    "created": ("订单创建时间", "创建时间"),
    "paid_time": ("订单付款时间", "付款时间"),
    "title": ("商品标题", "宝贝标题"),
    "refund": ("退款金额",),
    "confirmed_time": ("确认收货时间",),
    "taobaoke": ("是否淘宝客订单", "淘宝客订单", "是否淘宝客"),
}

#: The header of an order export; the item (宝贝报表) and refund (退款) exports are told apart by
#: their own columns.
SPEC = table.TableSpec(
    what="天猫订单报表 (ExportOrderList)",
    aliases=COLUMNS,
    required=("tid", "paid", "status"),
    forbidden=("退款编号", "购买数量", "标题"),
)

_PAY_ITEM = re.compile(
    r"支付方式\s*[：:]\s*(?P<method>[^，,；;]+?)\s*[，,]\s*金额\s*[：:]\s*[¥￥]?\s*(?P<amount>[^，,；;元]*?)\s*元?"
)


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order of the export (amounts in CNY, points in Tmall points).

    Fields of columns a layout lacks keep their defaults (zero, empty, ``None``).
    """

    line: int
    tid: str
    buyer: str = ""
    buyer_alipay: str = ""
    goods: Decimal = ZERO
    postage: Decimal = ZERO
    points_used: int = 0
    total: Decimal = ZERO
    rebate_points: int = 0
    paid: Decimal = ZERO
    paid_points: int = 0
    status: str = ""
    created: datetime.datetime | None = None
    paid_time: datetime.datetime | None = None
    title: str = ""
    pay_no: str = ""
    #: 支付详情 parsed: payment method (``支付宝``, ``积分``, …) -> amount in CNY.
    pay_detail: dict[str, Decimal] = field(default_factory=dict, hash=False)
    refund: Decimal = ZERO
    confirmed_time: datetime.datetime | None = None
    #: Whether the order came through a 淘宝客 (``是否淘宝客订单`` 是/否); ``None``: the export has
    #: no such column.
    taobaoke: bool | None = None

    @property
    def points_cny(self) -> Decimal:
        """What the buyer paid with Tmall points, in CNY (100 points = 1 CNY)."""
        return (Decimal(self.paid_points) / POINTS_PER_CNY).quantize(CENT)


#: The name 千牛 gives the xlsx export; such a file is taken for an order export even when it is
#: too damaged to show its header, so that reading it says what is wrong with it.
XLSX_NAME = re.compile(r"ExportOrderList\d*.*\.xlsx", re.IGNORECASE)


def identify(path: str | Path) -> bool:
    """True if ``path`` is an order export (CSV or xlsx), looking at its first rows only."""
    if table.identify(path, SPEC):
        return True
    return bool(XLSX_NAME.fullmatch(Path(path).name)) and Path(path).is_file()


def parse_pay_detail(cell: str) -> dict[str, Decimal]:
    """``支付方式：支付宝，金额：123.45；支付方式：积分，金额：1.00；`` -> ``{支付宝: 123.45, 积分: 1.00}``.

    A method named twice is summed; a part that is not ``支付方式：…，金额：…`` is a ValueError.
    """
    detail: dict[str, Decimal] = {}
    for part in re.split(r"[；;]", cell.strip()):
        part = part.strip()
        if not part:
            continue
        match = _PAY_ITEM.fullmatch(part)
        if not match:
            raise ValueError(
                f"支付详情 {part[:60]!r} 不是 '支付方式：…，金额：…' 的形式; unreadable payment detail"
            )
        method = match["method"]
        detail[method] = detail.get(method, Decimal(0)) + table.money(match["amount"], "支付详情金额")
    return detail


#: 是否淘宝客订单 cells: yes / no (empty: no).
_YES_NO = {"是": True, "否": False, "": False, "Y": True, "N": False, "1": True, "0": False,
           "TRUE": True, "FALSE": False}


def _yes_no(cell: str, what: str) -> bool:
    text = table.unprotect(cell.strip()).upper()
    if text not in _YES_NO:
        raise ValueError(f"{what} {cell.strip()[:40]!r} 应为 是/否; expected yes or no")
    return _YES_NO[text]


def _order(line: int, cells: tuple[str, ...], has_taobaoke: bool = False) -> OrderRow:
    """An order from its cells, given in the order of :data:`COLUMNS`."""
    (tid, buyer, buyer_alipay, pay_no, pay_detail, goods, postage, points_used, total, rebate_points,
     paid, paid_points, status, created, paid_time, title, refund, confirmed_time, taobaoke) = cells
    money, whole, moment = table.money, table.whole, table.moment
    tid = clean_id(tid)
    if not tid:
        raise ValueError("订单编号为空; empty order id")
    return OrderRow(
        line=line,
        tid=tid,
        buyer=buyer.strip(),
        buyer_alipay=clean_id(buyer_alipay),
        goods=money(goods, "买家应付货款"),
        postage=money(postage, "买家应付邮费"),
        points_used=whole(points_used, "买家支付积分"),
        total=money(total, "总金额"),
        rebate_points=whole(rebate_points, "返点积分"),
        paid=money(paid, "买家实际支付金额"),
        paid_points=whole(paid_points, "买家实际支付积分"),
        status=status.strip(),
        created=moment(created, "订单创建时间"),
        paid_time=moment(paid_time, "订单付款时间"),
        title=title.strip(),
        pay_no=clean_id(pay_no),
        pay_detail=parse_pay_detail(pay_detail) if pay_detail else {},
        refund=money(refund, "退款金额"),
        confirmed_time=moment(confirmed_time, "确认收货时间"),
        taobaoke=_yes_no(taobaoke, "是否淘宝客订单") if has_taobaoke else None,
    )


def read_orders(source: str | Path | bytes, name: str | None = None) -> Iterator[OrderRow]:
    """The orders of an export (CSV or xlsx, path or bytes), one by one.

    Problems raise :class:`~beancount_tmall.formats.common.SourceError` with file and line; an
    order id seen twice in one export is refused (the export has one row per order).
    """
    rows = table.Table(source, SPEC, name)
    cells_of = rows.getter(list(COLUMNS))
    has_taobaoke = "taobaoke" in rows.columns
    seen: dict[str, int] = {}
    for record in rows:
        try:
            order = _order(record.line, cells_of(record.cells), has_taobaoke)
        except ValueError as exc:
            raise record.error(str(exc)) from None
        if order.tid in seen:
            raise record.error(
                f"订单编号 {order.tid} 已在第 {seen[order.tid]} 行出现: 同一订单不应出现两次; "
                "order id already on an earlier line"
            )
        seen[order.tid] = record.line
        yield order


def consumer_points(sources: list[str | Path]) -> dict[str, Decimal]:
    """Order id -> CNY paid with Tmall points (only orders with points), over several exports."""
    points: dict[str, Decimal] = {}
    for source in sources:
        for order in read_orders(source):
            if order.paid_points:
                points[order.tid] = order.points_cny
    return points
