"""The fee-invoice ledger a store keeps (发票台账): bytes -> typed rows (DESIGN §3.5).

There is no standard export for the invoices Tmall and 阿里妈妈 issue to a store (天猫佣金,
天猫积分/返点积分, 软件服务费, 淘宝客, 直通车, 钻展, 聚划算, 年度技术服务费) or that the store issues
to Tmall (消费积分发票), so the store keeps a simple CSV, UTF-8 (with or without BOM) or GBK::

    开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率
    2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,5650.00,6%

``所属期间`` is the month the fees were deducted (``2025-03``, also ``2025/03``, ``202503``,
``2025年3月``) or a year (``2025``, for the 年度技术服务费); ``税率`` is ``6%`` or ``0.06``;
``价税合计`` is tax-inclusive (negative for a red-letter invoice 红字发票). Blank lines and lines
starting with ``#`` are skipped. Any bad cell is a :class:`SourceError` naming the file and line.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats.common import (
    SourceError,
    clean,
    clean_id,
    decode,
    head_text,
    parse_amount,
)

HEADER = ("开票日期", "发票号码", "开票方", "受票方", "所属期间", "费用类型", "价税合计", "税率")

_PERIOD = re.compile(r"^(\d{4})(?:\s*[-/.年]?\s*(\d{1,2})\s*月?)?$")


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """One invoice. ``period`` is ``"YYYY-MM"`` (or ``"YYYY"`` for a yearly fee)."""

    line: int
    date: datetime.date
    number: str
    issuer: str
    receiver: str
    period: str
    kind: str
    amount: Decimal
    rate: Decimal


def parse_period(cell: str) -> str:
    """``2025-03`` / ``2025/3`` / ``202503`` / ``2025年3月`` → ``"2025-03"``; ``2025`` → ``"2025"``."""
    text = cell.strip()
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"所属期间 {text!r} is not a month like 2025-03 (or a year like 2025)")
    year, month = match.group(1), match.group(2)
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        raise ValueError(f"所属期间 {text!r}: month {month} is not 1-12")
    return f"{year}-{int(month):02d}"


def parse_rate(cell: str) -> Decimal:
    """``6%`` → ``Decimal('0.06')``; ``0.06`` stays; ``6`` (no sign, above 1) is read as percent."""
    text = cell.strip()
    percent = text.endswith("%")
    value = parse_amount(text.rstrip("%"))
    if percent or value > 1:
        value = value / 100
    if not 0 <= value < 1:
        raise ValueError(f"税率 {text!r} is not a rate like 6% or 0.06")
    return value


def _parse_date(cell: str) -> datetime.date:
    text = cell.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"开票日期 {cell.strip()!r} is not a date like 2025-04-09")


def looks_like(text: str) -> bool:
    """True if ``text`` (the start of a file) has the invoice header."""
    for line in text.splitlines()[:20]:
        cells = [clean(c).lstrip("\ufeff") for c in line.split(",")]
        if tuple(cells[: len(HEADER)]) == HEADER:
            return True
    return False


def identify(path: str | Path) -> bool:
    """Cheap check: is this file an invoice CSV?"""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return looks_like(head_text(head))


def read_rows(source: str | Path | bytes, name: str | None = None) -> list[InvoiceRow]:
    """All invoices of a file (path or bytes); :class:`SourceError` names file:line on bad input."""
    display = name or ("<bytes>" if isinstance(source, bytes) else str(source))
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = decode(data, display)
    rows: list[InvoiceRow] = []
    columns: dict[str, int] | None = None
    seen: dict[str, int] = {}
    for index, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [clean(c) for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if columns is None:
            header = [c.lstrip("\ufeff") for c in cells]
            missing = [h for h in HEADER if h not in header]
            if missing:
                raise SourceError(
                    display, index,
                    f"not an invoice CSV: header lacks {','.join(missing)} "
                    f"(expected {','.join(HEADER)})",
                )
            columns = {h: header.index(h) for h in HEADER}
            continue
        if len(cells) < len(columns):
            raise SourceError(display, index, f"row has {len(cells)} cells, expected {len(HEADER)}")
        get = {h: cells[i] for h, i in columns.items()}
        try:
            number = clean_id(get["发票号码"])
            if not number:
                raise ValueError("发票号码 is empty")
            row = InvoiceRow(
                line=index,
                date=_parse_date(get["开票日期"]),
                number=number,
                issuer=get["开票方"],
                receiver=get["受票方"],
                period=parse_period(get["所属期间"]),
                kind=get["费用类型"],
                amount=parse_amount(get["价税合计"]),
                rate=parse_rate(get["税率"]),
            )
        except ValueError as exc:
            raise SourceError(display, index, str(exc)) from None
        if not row.kind:
            raise SourceError(display, index, "费用类型 is empty")
        if number in seen:
            raise SourceError(
                display, index, f"发票号码 {number} already on line {seen[number]}"
            )
        seen[number] = index
        rows.append(row)
    if columns is None:
        raise SourceError(display, None, f"empty file: expected the header {','.join(HEADER)}")
    return rows
