"""The Tmall order export (订单报表, ExportOrderList): bytes -> typed order rows.

DESIGN §3.3. GBK; the header starts ``订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,
买家支付积分,总金额,返点积分,买家实际支付金额,买家实际支付积分,订单状态,…,订单创建时间,订单付款时间,…``;
some header names carry trailing spaces and ids are written ``="123"`` or ``'123``.
``买家实际支付积分`` is in Tmall points, 100 points = 1 CNY (:attr:`OrderRow.points_cny`).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats.common import (
    SourceError,
    clean_id,
    head_text,
    locate_decode_error,
    normalize_header,
    open_text,
    parse_amount,
    parse_datetime,
    read_head,
)

POINTS_PER_CNY = 100
CENT = Decimal("0.01")

COLUMNS = {
    "tid": "订单编号",
    "buyer": "买家会员名",
    "buyer_alipay": "买家支付宝账号",
    "goods": "买家应付货款",
    "postage": "买家应付邮费",
    "points_used": "买家支付积分",
    "total": "总金额",
    "rebate_points": "返点积分",
    "paid": "买家实际支付金额",
    "paid_points": "买家实际支付积分",
    "status": "订单状态",
    "created": "订单创建时间",
    "paid_time": "订单付款时间",
}


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order of the export (amounts in CNY, points in Tmall points)."""

    line: int
    tid: str
    buyer: str
    buyer_alipay: str
    goods: Decimal
    postage: Decimal
    points_used: int
    total: Decimal
    rebate_points: int
    paid: Decimal
    paid_points: int
    status: str
    created: datetime.datetime | None
    paid_time: datetime.datetime | None

    @property
    def points_cny(self) -> Decimal:
        """What the buyer paid with Tmall points, in CNY (100 points = 1 CNY)."""
        return (Decimal(self.paid_points) / POINTS_PER_CNY).quantize(CENT)


def _is_header(cells: list[str]) -> bool:
    names = {normalize_header(c) for c in cells}
    return "订单编号" in names and ("买家实际支付积分" in names or "订单状态" in names) and "标题" not in names


def identify(path: str | Path) -> bool:
    """True if ``path`` looks like an order export (订单报表), cheaply."""
    try:
        text = head_text(read_head(path))
    except OSError:
        return False
    return any(_is_header(line.split(",")) for line in text.splitlines()[:20])


def _points(cell: str) -> int:
    value = parse_amount(cell)
    if value != value.to_integral_value():
        raise ValueError(f"points {cell!r} are not a whole number")
    return int(value)


def _time(cell: str) -> datetime.datetime | None:
    cell = cell.strip()
    return parse_datetime(cell) if cell else None


def read_orders(source: str | Path | bytes, name: str | None = None) -> Iterator[OrderRow]:
    """The orders of an export, one by one; problems raise :class:`SourceError`."""
    encoding = None
    with open_text(source, name) as (text, _binary, _size, path):
        try:
            yield from _orders(text, path)
        except UnicodeDecodeError:
            encoding = text.encoding
    if encoding:
        raise locate_decode_error(source, name, None, encoding)


def _orders(text, path) -> Iterator[OrderRow]:
    reader = csv.reader(text)
    index = None
    for cells in reader:
        if cells and _is_header(cells):
            names = [normalize_header(c) for c in cells]
            index = {f: names.index(n) for f, n in COLUMNS.items() if n in names}
            break
        if reader.line_num > 20:
            break
    if index is None:
        raise SourceError(path, None, "no order export header (订单编号,…,买家实际支付积分) found")
    width = max(index.values()) + 1

    def cell(cells, field, default=""):
        i = index.get(field)
        return cells[i] if i is not None else default

    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        line = reader.line_num
        if len(cells) < width:
            raise SourceError(path, line, f"row has {len(cells)} cells, the header has {width}: cut?")
        try:
            tid = clean_id(cells[index["tid"]])
            if not tid:
                raise ValueError("empty 订单编号")
            yield OrderRow(
                line=line,
                tid=tid,
                buyer=cell(cells, "buyer").strip(),
                buyer_alipay=clean_id(cell(cells, "buyer_alipay")),
                goods=parse_amount(cell(cells, "goods")),
                postage=parse_amount(cell(cells, "postage")),
                points_used=_points(cell(cells, "points_used")),
                total=parse_amount(cell(cells, "total")),
                rebate_points=_points(cell(cells, "rebate_points")),
                paid=parse_amount(cell(cells, "paid")),
                paid_points=_points(cell(cells, "paid_points")),
                status=cell(cells, "status").strip(),
                created=_time(cell(cells, "created")),
                paid_time=_time(cell(cells, "paid_time")),
            )
        except ValueError as exc:
            raise SourceError(path, line, str(exc)) from None



def consumer_points(sources: list[str | Path]) -> dict[str, Decimal]:
    """Order id -> CNY paid with Tmall points (only orders with points), over several exports."""
    points: dict[str, Decimal] = {}
    for source in sources:
        for order in read_orders(source):
            if order.paid_points:
                points[order.tid] = order.points_cny
    return points
