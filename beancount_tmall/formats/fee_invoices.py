"""The fee-invoice ledger a store keeps (发票台账): bytes -> typed rows (DESIGN §3.5).

There is no standard export for the invoices Tmall and 阿里妈妈 issue to a store (天猫佣金,
天猫积分/返点积分, 软件服务费, 淘宝客, 直通车, 钻展, 聚划算, 年度技术服务费) or that the store issues
to Tmall (消费积分发票), so the store keeps a simple CSV, UTF-8 (with or without BOM) or GBK::

    开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率
    2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,5650.00,6%

An optional column gives the invoice type (发票种类): a 增值税专用发票 (``专票``) or a 普通发票
(``普票``); its header may be ``发票种类``, ``发票类型``, ``票种``, ``专票/普票`` or ``专普票``, its cells
``专票``/``普票`` or the full names (``增值税专用发票``, ``增值税电子普通发票``, ``数电专票`` …; an
unknown or empty cell is an error naming the line). Only a 专票 gives a 一般纳税人 deductible 进项税额.
A register without the column (the older layout) is read as all 专票 — the platforms issue 专票 to
a 一般纳税人 on request — with ``InvoiceRow.type_given`` False, so the import says so.

``所属期间`` is the month the fees were deducted (``2025-03``, also ``2025/03``, ``202503``,
``2025年3月``) or a year (``2025``, for the 年度技术服务费); ``税率`` is ``6%`` or ``0.06``;
``价税合计`` is tax-inclusive (negative for a red-letter invoice 红字发票). The columns may come in
any order, with others among them (a leading ``序号``, a ``备注``); lines before the header (a
title such as ``2025年发票台账``, within the first 20 lines), blank lines and lines starting with
``#`` are skipped. Any bad cell is a :class:`SourceError` naming the file and line: ``价税合计``
is an amount in cents (finite, at most two places, ``|x| < 10**12``: ``1e-999999999`` is refused,
it would be a million digits once quantized), ``税率`` a plain number, dates and periods in a
plausible span of years, a cell over csv's field limit a message, not a traceback.
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
)
from beancount_tmall.formats.table import FIRST_YEAR, money
from beancount_tmall.tax import SPECIAL, invoice_type

HEADER = ("开票日期", "发票号码", "开票方", "受票方", "所属期间", "费用类型", "价税合计", "税率")
#: Accepted names of the optional invoice-type (专票/普票) column.
TYPE_HEADERS = ("发票种类", "发票类型", "票种", "专票/普票", "专普票")

#: The header is looked for in this many first lines (by ``identify`` and ``read_rows`` alike).
HEADER_LINES = 20

_RATE = re.compile(r"\d{1,3}(?:\.\d{1,6})?")
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
    invoice_type: str = "专票"
    type_given: bool = True


def parse_period(cell: str) -> str:
    """``2025-03`` / ``2025/3`` / ``202503`` / ``2025年3月`` → ``"2025-03"``; ``2025`` → ``"2025"``."""
    text = cell.strip()
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(
            f"所属期间 {text!r} 不是月份 (如 2025-03) 或年份 (如 2025); "
            "is not a month like 2025-03 (or a year like 2025)"
        )
    year, month = match.group(1), match.group(2)
    _check_year(int(year), "所属期间", text)
    if month is None:
        return year
    if not 1 <= int(month) <= 12:
        raise ValueError(f"所属期间 {text!r} 的月份 {month} 不在 1-12 之间; month {month} is not 1-12")
    return f"{year}-{int(month):02d}"


def _check_year(year: int, what: str, text: str) -> None:
    last = datetime.date.today().year + 1
    if not FIRST_YEAR <= year <= last:
        raise ValueError(f"{what} {text!r} 的年份不在 {FIRST_YEAR}-{last} 之间; year out of range")


def parse_rate(cell: str) -> Decimal:
    """``6%`` → ``Decimal('0.06')``; ``0.06`` stays; ``6`` (no sign, above 1) is read as percent."""
    text = cell.strip()
    percent = text.endswith("%")
    number = text.rstrip("%").strip()
    if not _RATE.fullmatch(number):
        raise ValueError(f"税率 {text[:40]!r} 不是税率 (如 6% 或 0.06); is not a rate like 6% or 0.06")
    value = Decimal(number)
    if percent or value > 1:
        value = value / 100
    if not 0 <= value < 1:
        raise ValueError(f"税率 {text!r} 不是税率 (如 6% 或 0.06); is not a rate like 6% or 0.06")
    return value


def _parse_date(cell: str) -> datetime.date:
    text = cell.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            date = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        _check_year(date.year, "开票日期", cell.strip())
        return date
    raise ValueError(f"开票日期 {cell.strip()[:40]!r} 不是日期 (如 2025-04-09); is not a date like 2025-04-09")


def header_names(cells: list[str]) -> list[str]:
    """The cells of a line as header names (cleaned, without a BOM)."""
    return [clean(c).lstrip("\ufeff") for c in cells]


def is_header(cells: list[str]) -> bool:
    """Whether a line is the invoice header: it has every name of ``HEADER``, in any order."""
    return set(HEADER) <= set(header_names(cells))


def looks_like(text: str) -> bool:
    """True if ``text`` (the start of a file) has the invoice header in its first lines."""
    lines = text.splitlines()[:HEADER_LINES]
    return any(is_header(cells) for cells in csv.reader(lines))


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
    type_column: int | None = None
    width = 0
    nearest: tuple[int, int, list[str]] | None = None  # (names found, line, missing)
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a cell over csv's field limit (128 KiB), a stray quote
            raise SourceError(display, reader.line_num, f"CSV 行无法读取 ({exc}); malformed CSV") from None
        index = reader.line_num
        cells = [clean(c) for c in cells]
        if columns is None:
            header = header_names(cells)
            if is_header(header):
                columns = {h: header.index(h) for h in HEADER}
                type_column = next((header.index(h) for h in TYPE_HEADERS if h in header), None)
                width = max([*columns.values(), -1 if type_column is None else type_column]) + 1
                continue
            if any(header):  # a title line, or a header that lacks some names
                found = [h for h in HEADER if h in header]
                if found and (nearest is None or len(found) > nearest[0]):
                    nearest = (len(found), index, [h for h in HEADER if h not in header])
            if index >= HEADER_LINES:
                break
            continue
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) < width:
            raise SourceError(
                display, index,
                f"本行只有 {len(cells)} 列, 表头有 {width} 列: 缺少单元格; "
                f"row has {len(cells)} cells, expected {width} as in the header: a cell is missing",
            )
        get = {h: cells[i] for h, i in columns.items()}
        try:
            number = clean_id(get["发票号码"])
            if not number:
                raise ValueError("发票号码为空; 发票号码 is empty")
            row = InvoiceRow(
                line=index,
                date=_parse_date(get["开票日期"]),
                number=number,
                issuer=get["开票方"],
                receiver=get["受票方"],
                period=parse_period(get["所属期间"]),
                kind=get["费用类型"],
                amount=money(get["价税合计"], "价税合计"),
                rate=parse_rate(get["税率"]),
                invoice_type=SPECIAL if type_column is None else invoice_type(cells[type_column]),
                type_given=type_column is not None,
            )
        except ValueError as exc:
            raise SourceError(display, index, str(exc)) from None
        if not row.kind:
            raise SourceError(display, index, "费用类型为空; 费用类型 is empty")
        if number in seen:
            raise SourceError(
                display, index,
                f"发票号码 {number} 已在第 {seen[number]} 行出现; 发票号码 {number} already on line {seen[number]}",
            )
        seen[number] = index
        rows.append(row)
    if columns is None:
        if nearest is not None:
            _, line, missing = nearest
            raise SourceError(
                display, line,
                f"不是发票台账: 表头缺少 {','.join(missing)} (应为 {','.join(HEADER)}); "
                f"not an invoice CSV: header lacks {','.join(missing)} (expected {','.join(HEADER)})",
            )
        raise SourceError(
            display, None,
            f"不是发票台账: 前 {HEADER_LINES} 行中没有表头 {','.join(HEADER)}; "
            f"not an invoice CSV: no header {','.join(HEADER)} in the first {HEADER_LINES} lines",
        )
    return rows
