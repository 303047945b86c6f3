"""The store's cost table (成本表): the unit cost of each SKU (商家编码), several prices over time.

The store keeps it as ``成本表.csv`` beside ``main.beancount`` (``tmall-books import`` copies one
there); CSV (GBK or UTF-8, as Excel saves it) or xlsx, header ``商家编码,名称,单位成本,生效日期``
found by content like the Tmall exports (:mod:`beancount_tmall.formats.table`)::

    商家编码,名称,单位成本,生效日期
    LJ-250,云栖 龙井茶 250g,30.00,2025-01-01
    LJ-250,云栖 龙井茶 250g,32.50,2025/3/16
    BC-100,云栖 白茶 100g,18.1234,2025-01-01

A price is in force from its 生效日期 (inclusive) until the next one of the SKU:
``unit_cost("LJ-250", date(2025, 3, 15))`` is ``30.00``, from 2025-03-16 ``32.50``; before the
first price there is none (``None``).

Unit costs are in CNY, finite, not negative, below ``10**12``, with **at most four decimal
places** (a cost is often a purchase total divided by a count; the cost of sales rounds
``quantity × unit cost`` to cents, ROUND_HALF_UP, per SKU and price). 生效日期 is a date
(``2025-03-16``, ``2025/3/16``, an xlsx date; a time of day is refused). An empty SKU, a SKU with two
rows for one 生效日期 (whatever their prices), or any unreadable cell refuses the whole table with a
:class:`~beancount_tmall.formats.common.SourceError` naming the file and line.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import table
from beancount_tmall.formats.common import clean_id

#: The file name the store keeps beside ``main.beancount``.
STORE_FILE = "成本表.csv"
#: Unit costs have at most this many decimal places.
PLACES = 4
CENT = Decimal("0.01")

COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("商家编码", "商品编码", "SKU"),
    "name": ("名称", "商品名称", "宝贝名称"),
    "cost": ("单位成本", "成本单价"),
    "since": ("生效日期",),
}

SPEC = table.TableSpec(
    what="成本表",
    aliases=COLUMNS,
    required=("sku", "cost", "since"),
    forbidden=("订单编号", "退款编号"),
)

_COST = re.compile(rf"\+?(\d{{1,12}}(?:\.\d{{0,{PLACES}}})?)")


@dataclass(frozen=True, slots=True)
class Price:
    """One row of the table: ``sku`` costs ``cost`` CNY a piece from ``since`` on."""

    line: int
    sku: str
    name: str
    cost: Decimal
    since: datetime.date


def parse_cost(cell: str) -> Decimal:
    """A unit cost: finite, ≥ 0, at most four places, ``< 10**12``; else ValueError (Chinese)."""
    text = table.unprotect(cell.strip()).replace("¥", "").replace("￥", "").strip()
    if "," in text and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?", text):
        text = text.replace(",", "")
    match = _COST.fullmatch(text)
    if not match:
        raise ValueError(
            f"单位成本 {cell.strip()[:40]!r} 不是最多 {PLACES} 位小数的非负金额; "
            f"not a non-negative amount with at most {PLACES} decimal places"
        )
    value = Decimal(match[1].rstrip("."))
    return value.quantize(CENT) if value.as_tuple().exponent > -2 else value


def parse_since(cell: str) -> datetime.date:
    value = table.moment(cell, "生效日期")
    if value is None:
        raise ValueError("生效日期为空; empty effective date")
    if value.time() != datetime.time(0):
        raise ValueError(f"生效日期 {cell.strip()[:40]!r} 带有时刻, 应为日期; a date, not a time")
    return value.date()


@dataclass
class CostTable:
    """Prices by SKU; :meth:`unit_cost` gives the one in force on a date."""

    where: str = "<成本表>"
    prices: dict[str, list[Price]] = field(default_factory=dict)  # sorted by ``since``

    @classmethod
    def read(cls, source: str | Path | bytes, name: str | None = None) -> CostTable:
        """The table of a CSV or xlsx file (path or bytes); :class:`SourceError` if refused."""
        rows = table.Table(source, SPEC, name)
        cells_of = rows.getter(list(COLUMNS))
        seen: dict[tuple[str, datetime.date], Price] = {}
        for record in rows:
            sku, name_cell, cost, since = cells_of(record.cells)
            try:
                sku = clean_id(sku)
                if not sku:
                    raise ValueError("商家编码为空; empty SKU")
                price = Price(record.line, sku, name_cell.strip(), parse_cost(cost), parse_since(since))
            except ValueError as exc:
                raise record.error(str(exc)) from None
            key = (price.sku, price.since)
            if key in seen:
                first = seen[key]
                raise record.error(
                    f"商家编码 {sku} 在 {price.since} 已有第 {first.line} 行的单位成本 {first.cost}, "
                    f"本行又给出 {price.cost}: 同一天只能有一个单位成本; "
                    "a SKU has two prices on one date"
                )
            seen[key] = price
        out = cls(rows.where)
        for price in sorted(seen.values(), key=lambda p: (p.sku, p.since)):
            out.prices.setdefault(price.sku, []).append(price)
        return out

    def price(self, sku: str, date: datetime.date) -> Price | None:
        """The row in force for ``sku`` on ``date`` (latest 生效日期 on or before it), else None."""
        prices = self.prices.get(sku)
        if not prices:
            return None
        i = bisect.bisect_right([p.since for p in prices], date)
        return prices[i - 1] if i else None

    def unit_cost(self, sku: str, date: datetime.date) -> Decimal | None:
        """The unit cost of ``sku`` in force on ``date``, else None."""
        found = self.price(sku, date)
        return found.cost if found else None

    def __iter__(self) -> Iterator[Price]:
        for prices in self.prices.values():
            yield from prices

    def facts(self) -> set[tuple[str, datetime.date, Decimal]]:
        """``(sku, since, cost)`` of every row (to compare two tables)."""
        return {(p.sku, p.since, p.cost) for p in self}


def identify(path: str | Path) -> bool:
    """True if ``path`` is a cost table (CSV or xlsx), looking at its first rows only."""
    return table.identify(path, SPEC)
