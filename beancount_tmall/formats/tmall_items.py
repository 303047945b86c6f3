"""The Tmall item export (宝贝报表, ExportOrderDetailList): CSV or xlsx -> one row per item line.

Header (issue 8): ``订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码``;
read like the order export (:mod:`beancount_tmall.formats.table`): the header is found by content
among the first rows, names may carry trailing spaces, the columns come in any order, ids are
written ``="123"`` or ``'123`` (or a whole number in xlsx), CSV in GBK or UTF-8.

An order has one row per item line (several rows share an ``订单编号``). ``商家编码`` is the store's
SKU (:attr:`ItemRow.sku`, what the cost table and the ``#cogs`` entries name); it may be empty in
the export (the cost of sales then refuses the order, naming it). ``购买数量`` is a whole number of
at least 1, ``价格`` an amount in cents; anything else, an empty order id, an id Excel turned into
``3.9E+18`` or a cut row is a :class:`~beancount_tmall.formats.common.SourceError` naming the file
and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import table
from beancount_tmall.formats.common import clean_id

#: Field -> the header names that may hold it (the first one found is used).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tid": ("订单编号", "订单号"),
    "title": ("标题", "宝贝标题", "商品标题"),
    "price": ("价格", "单价"),
    "quantity": ("购买数量",),
    "external_no": ("外部系统编号",),
    "attributes": ("商品属性",),
    "package": ("套餐信息",),
    "remark": ("备注",),
    "status": ("订单状态",),
    "sku": ("商家编码",),
}

#: The header of an item export; the refund export (退款编号) is told apart.
SPEC = table.TableSpec(
    what="天猫宝贝报表",
    aliases=COLUMNS,
    required=("tid", "quantity", "sku"),
    forbidden=("退款编号",),
)


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item line of an order (``price`` in CNY per piece, ``quantity`` pieces)."""

    line: int
    tid: str
    title: str
    price: Decimal
    quantity: int
    external_no: str
    attributes: str
    package: str
    remark: str
    status: str
    sku: str


def identify(path: str | Path) -> bool:
    """True if ``path`` is an item export (CSV or xlsx), looking at its first rows only."""
    return table.identify(path, SPEC)


def _item(line: int, cells: tuple[str, ...]) -> ItemRow:
    tid, title, price, quantity, external_no, attributes, package, remark, status, sku = cells
    tid = clean_id(tid)
    if not tid:
        raise ValueError("订单编号为空; empty order id")
    count = table.whole(quantity, "购买数量")
    if count < 1:
        raise ValueError(f"购买数量 {quantity.strip()!r} 不是正整数; quantity must be at least 1")
    return ItemRow(
        line=line,
        tid=tid,
        title=table.text(title),
        price=table.money(price, "价格"),
        quantity=count,
        external_no=clean_id(external_no),
        attributes=table.text(attributes),
        package=table.text(package),
        remark=table.text(remark),
        status=table.text(status),
        sku=clean_id(sku),
    )


def read_items(source: str | Path | bytes, name: str | None = None) -> Iterator[ItemRow]:
    """The item lines of an export (CSV or xlsx, path or bytes), one by one.

    Problems raise :class:`~beancount_tmall.formats.common.SourceError` with file and line.
    """
    rows = table.Table(source, SPEC, name)
    cells_of = rows.getter(list(COLUMNS))
    for record in rows:
        try:
            yield _item(record.line, cells_of(record.cells))
        except ValueError as exc:
            raise record.error(str(exc)) from None
