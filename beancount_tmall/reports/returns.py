"""退货登记簿 and 退货率 (seed 003 §六 "统计退回商品的数量、金额、原因 … 找出退回高峰期、热门退回商品"),
read only from the ledger.

The register lists every refund the ledger holds (``tmall-books returns import`` files them):
``#return`` entries (goods back to ``1405-库存商品`` when 验货合格, to ``640102-破损`` when not) and
the ``#refund`` entries without postings (仅退款, 折价, 未结算退货: no goods movement). Columns:
日期, 订单, 退款编号, 商家编码, 宝贝标题, 数量, 退款金额, 原因, 处理.

退货率 = 退货数量 / 销售数量. 退货数量 is the ``quantity`` of the ``#return`` entries dated in the
period (passed and failed inspection alike); 销售数量 is the ``quantity`` of the
``Expenses:6401-主营业务成本`` postings of the ``#cogs`` entries whose ``period`` lies in it. Rates:

* by SKU: the SKU's returns / the SKU's sales;
* by reason (买家退款原因): the reason's returns / all sales of the period, and its share of returns;
* by ISO week (退回高峰期): the week's returns / all sales of the period. The monthly cost of
  sales gives no weekly sales, and goods come back weeks after they sold, so a week's returns
  are set against the period's sales: the weeks' rates add up to the period's rate.

A rate without sales (a return of goods sold before the period) is shown as ``—``.
``returns_report(entries, year=…, month=…)`` is shared by ``tmall-books returns``, the Fava 退货 tab
and the tests; ``render_text`` and ``render_csv`` print it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.reports.reconciliation import text_table
from beancount_tmall.reports.render import csv_cell

RETURN_TAG, REFUND_TAG, COGS_TAG = "return", "refund", "cogs"
BACK, BROKEN = "退回库存", "破损"
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RegisterLine:
    """One refund of the register."""

    date: datetime.date
    order_id: str
    refund_id: str
    sku: str
    title: str
    quantity: int
    amount: Decimal
    reason: str
    outcome: str  # 退回库存, 破损, 仅退款, 折价, 未结算退货
    breakage_no: str
    filename: str
    lineno: int


@dataclass(frozen=True)
class RateRow:
    """Returns against sales for one SKU, reason or week."""

    key: str
    returned: int
    count: int  # refunds with goods returned
    amount: Decimal
    sold: Decimal  # a whole number, except a week's estimate
    rate: Decimal | None  # percent, two places; None without sales
    share: Decimal | None = None  # percent of all returned goods (by reason)


@dataclass
class ReturnsReport:
    """The register and the rates of one period (a month, a year, or everything)."""

    period: str
    lines: list[RegisterLine] = field(default_factory=list)
    by_sku: list[RateRow] = field(default_factory=list)
    by_reason: list[RateRow] = field(default_factory=list)
    by_week: list[RateRow] = field(default_factory=list)
    returned: int = 0
    sold: int = 0
    rate: Decimal | None = None


def _amount(value) -> Decimal:
    number = getattr(value, "number", None)
    if number is not None:
        return Decimal(number)
    text = str(value or "0").strip().removesuffix(accounts.CURRENCY).strip()
    try:
        return Decimal(text or "0")
    except ArithmeticError:
        return ZERO


def _int(value) -> int:
    try:
        return int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return 0


def rate(returned: Decimal | int, sold: Decimal | int) -> Decimal | None:
    """``returned / sold`` in percent, two places (half up); None without sales."""
    if not sold:
        return None
    return (Decimal(returned) * HUNDRED / Decimal(sold)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _in_period(date: datetime.date, year: int | None, month: str | None) -> bool:
    if month:
        return f"{date:%Y-%m}" == month
    return year is None or date.year == year


def register_line(entry: data.Transaction) -> RegisterLine | None:
    """The register line of a ``#return`` or ``#refund`` entry (None for any other entry)."""
    tags = entry.tags or frozenset()
    meta = entry.meta or {}
    if RETURN_TAG in tags:
        broken = any(p.account == accounts.BREAKAGE for p in entry.postings) or "breakage-no" in meta
        outcome = BROKEN if broken else BACK
        quantity = _int(meta.get("quantity", 0))
    elif REFUND_TAG in tags and "refund-id" in meta:
        outcome = str(meta.get("refund-kind") or "仅退款")
        quantity = 0
    else:
        return None
    return RegisterLine(
        entry.date, str(meta.get("order-id", "")), str(meta.get("refund-id", "")),
        str(meta.get("sku", "")), str(meta.get("title", "")), quantity,
        _amount(meta.get("refund-amount")), str(meta.get("reason", "") or "(未填原因)"), outcome,
        str(meta.get("breakage-no", "")), str(meta.get("filename", "")), int(meta.get("lineno") or 0),
    )


def monthly_sales(entries: Iterable[data.Directive]) -> dict[str, dict[str, int]]:
    """``YYYY-MM`` -> sku -> quantity sold, from the ``#cogs`` entries' 6401 postings."""
    out: dict[str, dict[str, int]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or COGS_TAG not in (entry.tags or ()):
            continue
        period = str(entry.meta.get("period") or f"{entry.date:%Y-%m}")
        for posting in entry.postings:
            meta = posting.meta or {}
            if posting.account == accounts.COST_OF_SALES and "sku" in meta:
                month = out.setdefault(period, {})
                sku = str(meta["sku"])
                month[sku] = month.get(sku, 0) + _int(meta.get("quantity", 0))
    return out


def returns_report(
    entries: Iterable[data.Directive], year: int | None = None, month: str | None = None
) -> ReturnsReport:
    """The register and the rates for ``month`` (``YYYY-MM``), else ``year``, else everything."""
    entries = list(entries)
    lines = sorted(
        (line for e in entries if isinstance(e, data.Transaction)
         and _in_period(e.date, year, month) and (line := register_line(e)) is not None),
        key=lambda line: (line.date, line.refund_id),
    )
    months = monthly_sales(entries)
    sold_by_sku: dict[str, int] = {}
    for period, skus in months.items():
        if (month and period == month) or (not month and (year is None or period[:4] == str(year))):
            for sku, quantity in skus.items():
                sold_by_sku[sku] = sold_by_sku.get(sku, 0) + quantity
    sold = sum(sold_by_sku.values())
    goods = [line for line in lines if line.outcome in (BACK, BROKEN)]
    returned = sum(line.quantity for line in goods)
    report = ReturnsReport(month or (str(year) if year else "全部"), lines, returned=returned, sold=sold,
                           rate=rate(returned, sold))

    def group(key_of) -> dict[str, list[RegisterLine]]:
        out: dict[str, list[RegisterLine]] = {}
        for line in goods:
            out.setdefault(key_of(line), []).append(line)
        return out

    def totals(rows: list[RegisterLine]) -> tuple[int, int, Decimal]:
        return sum(r.quantity for r in rows), len(rows), sum((r.amount for r in rows), ZERO)

    skus = group(lambda line: line.sku)
    for sku in sorted(set(skus) | {s for s, q in sold_by_sku.items() if q}):
        quantity, count, amount = totals(skus.get(sku, []))
        report.by_sku.append(RateRow(sku, quantity, count, amount, Decimal(sold_by_sku.get(sku, 0)),
                                     rate(quantity, sold_by_sku.get(sku, 0))))
    report.by_sku.sort(key=lambda r: (-(r.rate or -1), -r.returned, r.key))
    for reason, rows in group(lambda line: line.reason).items():
        quantity, count, amount = totals(rows)
        report.by_reason.append(RateRow(reason, quantity, count, amount, Decimal(sold), rate(quantity, sold),
                                        rate(quantity, returned)))
    report.by_reason.sort(key=lambda r: (-r.returned, r.key))
    weeks = group(lambda line: (line.date - datetime.timedelta(days=line.date.weekday())).isoformat())
    for monday_text, rows in sorted(weeks.items()):
        monday = datetime.date.fromisoformat(monday_text)
        iso = monday.isocalendar()
        label = f"{iso[0]}-W{iso[1]:02d} ({monday:%m-%d}~{monday + datetime.timedelta(days=6):%m-%d})"
        quantity, count, amount = totals(rows)
        report.by_week.append(RateRow(label, quantity, count, amount, Decimal(sold), rate(quantity, sold)))
    return report


# --- printing -----------------------------------------------------------------------------------------


REGISTER_HEADER = ["日期", "订单编号", "退款编号", "商家编码", "宝贝标题", "数量", "退款金额", "退款原因", "处理"]
RATE_HEADERS = {
    "by_sku": ["商家编码", "退货数量", "退货笔数", "退款金额", "销售数量", "退货率"],
    "by_reason": ["退款原因", "退货数量", "退货笔数", "退款金额", "占退货", "退货率"],
    "by_week": ["周", "退货数量", "退货笔数", "退款金额", "本期销售数量", "退货率"],
}
TITLES = {"by_sku": "退货率 (按商家编码)", "by_reason": "退货率 (按退款原因)", "by_week": "退货率 (按周)"}


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _qty(value: Decimal | int) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _register_cells(line: RegisterLine) -> list[str]:
    outcome = line.outcome + (f" ({line.breakage_no})" if line.breakage_no else "")
    return [line.date.isoformat(), line.order_id, line.refund_id, line.sku, line.title,
            _qty(line.quantity) if line.quantity else "", f"{line.amount:,.2f}", line.reason, outcome]


def _rate_cells(name: str, row: RateRow) -> list[str]:
    middle = _pct(row.share) if name == "by_reason" else _qty(row.sold)
    return [row.key, _qty(row.returned), _qty(row.count), f"{row.amount:,.2f}", middle, _pct(row.rate)]


def tables(report: ReturnsReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of the register and each rate table, as printed."""
    out = [(f"退货登记簿 {report.period}", REGISTER_HEADER, [_register_cells(line) for line in report.lines])]
    for name in ("by_sku", "by_reason", "by_week"):
        out.append((TITLES[name], RATE_HEADERS[name], [_rate_cells(name, r) for r in getattr(report, name)]))
    return out


def render_text(report: ReturnsReport) -> str:
    """The register and rates as terminal tables (numbers right-aligned)."""
    parts = [
        f"退货 {report.period}: 退货 {_qty(report.returned)} 件, 销售 {_qty(report.sold)} 件, "
        f"退货率 {_pct(report.rate)}"
    ]
    for title, header, rows in tables(report):
        parts.append("")
        parts.append(title)
        if not rows:
            parts.append("  (无)")
            continue
        left = (0, 1, 2, 3, 4, 7, 8) if header is REGISTER_HEADER else (0,)
        parts += ["  " + line for line in text_table([header, *rows], left=left)]
    return "\n".join(parts) + "\n"


def render_csv(report: ReturnsReport) -> str:
    """The register then each rate table, a title row before each, a blank row between; the
    caller writes it as UTF-8 with a BOM (what Excel needs to read Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for i, (title, header, rows) in enumerate(tables(report)):
        if i:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(cell.replace(",", "") if _is_number(cell) else cell) for cell in row])
    return buffer.getvalue()


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell.replace(",", "").rstrip("%"))
    except ArithmeticError:
        return False
    return True
