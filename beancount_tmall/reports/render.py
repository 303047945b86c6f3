"""One way to print a report: a terminal table, a formula-safe CSV for Excel, or HTML.

Every report of the package (科目汇总表, 账簿, 利润表, 资产负债表, 订单核对, 退货登记 …) hands a list of
:class:`Table` to :func:`render`. Cells are text, whole numbers or ``Decimal`` money:

- ``text``: columns aligned for a terminal, CJK characters counted two columns wide, numbers
  right-aligned with thousands separators (``1,234,567.80``);
- ``csv``: every table one after the other (title row, header, rows, footer, a blank line), money
  without separators so a spreadsheet reads numbers, every text cell that a spreadsheet could run
  as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or CR) prefixed with ``'``; :func:`write`
  saves it as UTF-8 with a BOM so Excel opens the Chinese correctly;
- ``html``: ``<table class="tmall-report">`` fragments (:func:`html_page` wraps them in a printable
  document), numbers in ``<td class="num">``.

Example::

    >>> t = Table("科目汇总表", [Column("科目"), Column("借方", "right")],
    ...           [["1002 银行存款", Decimal("1234.5")]], footer=[["合计", Decimal("1234.5")]])
    >>> print(render([t], "text"))  # doctest: +NORMALIZE_WHITESPACE
    科目汇总表
    科目              借方
    -------------  --------
    1002 银行存款  1,234.50
    -------------  --------
    合计           1,234.50
"""

from __future__ import annotations

import csv
import html
import io
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

FORMATS = ("text", "csv", "html")

Cell = str | Decimal | int | None

_CENT = Decimal("0.01")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column's header and alignment (``"right"`` for numbers)."""

    title: str
    align: str = "left"


@dataclass
class Table:
    """A titled table: header columns, body rows, footer (totals) rows and notes under it."""

    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    footer: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def money(value: Decimal) -> str:
    """``Decimal`` money as ``1,234.50`` (two places, half-up, thousands separators)."""
    return f"{value.quantize(_CENT, rounding='ROUND_HALF_UP'):,.2f}"


def _money_plain(value: Decimal) -> str:
    return f"{value.quantize(_CENT, rounding='ROUND_HALF_UP'):.2f}"


def cell_text(cell: Cell) -> str:
    """How a cell reads on a terminal or in HTML."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, Decimal):
        return money(cell)
    if isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR gets a leading ``'``; a plain
    number (``-12.50``) cannot be a formula and stays a number.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_value(cell: Cell) -> str:
    if isinstance(cell, Decimal):
        return _money_plain(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    return csv_cell(cell_text(cell))


def width(text: str) -> int:
    """Terminal columns ``text`` takes (East Asian wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int, align: str) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if align == "right" else text + gap


def _render_text(table: Table) -> str:
    columns = table.columns
    header = [c.title for c in columns]
    body = [[cell_text(c) for c in row] for row in table.rows]
    foot = [[cell_text(c) for c in row] for row in table.footer]
    sizes = [width(h) for h in header]
    for row in body + foot:
        for i, text in enumerate(row[: len(sizes)]):
            sizes[i] = max(sizes[i], width(text))
    rule = "  ".join("-" * s for s in sizes)

    def line(cells: list[str], header_row: bool = False) -> str:
        padded = [
            _pad(text, sizes[i], "left" if header_row and columns[i].align != "right" else columns[i].align)
            for i, text in enumerate(cells[: len(sizes)])
        ]
        return "  ".join(padded).rstrip()

    out = [table.title] if table.title else []
    out.append(line(header, header_row=True))
    out.append(rule)
    out.extend(line(row) for row in body)
    if foot:
        out.append(rule)
        out.extend(line(row) for row in foot)
    out.extend(table.notes)
    return "\n".join(out) + "\n"


def _render_csv(tables: Sequence[Table]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        if table.title:
            writer.writerow([csv_cell(table.title)])
        writer.writerow([csv_cell(c.title) for c in table.columns])
        for row in table.rows + table.footer:
            writer.writerow([_csv_value(c) for c in row])
        for note in table.notes:
            writer.writerow([csv_cell(note)])
    return buffer.getvalue()


def _render_html(table: Table) -> str:
    def cells(row: list[Cell], tag: str) -> str:
        parts = []
        for i, cell in enumerate(row):
            align = table.columns[i].align if i < len(table.columns) else "left"
            css = ' class="num"' if align == "right" else ""
            parts.append(f"<{tag}{css}>{html.escape(cell_text(cell))}</{tag}>")
        return "<tr>" + "".join(parts) + "</tr>"

    out = ['<table class="tmall-report">']
    if table.title:
        out.append(f"<caption>{html.escape(table.title)}</caption>")
    out.append("<thead>" + cells([c.title for c in table.columns], "th") + "</thead>")
    out.append("<tbody>" + "".join(cells(r, "td") for r in table.rows) + "</tbody>")
    if table.footer:
        out.append("<tfoot>" + "".join(cells(r, "th") for r in table.footer) + "</tfoot>")
    out.append("</table>")
    out.extend(f'<p class="note">{html.escape(note)}</p>' for note in table.notes)
    return "\n".join(out) + "\n"


def render(tables: Sequence[Table], fmt: str) -> str:
    """The tables as ``text``, ``csv`` or ``html`` (a fragment; see :func:`html_page`)."""
    if fmt == "text":
        return "\n".join(_render_text(t) for t in tables)
    if fmt == "csv":
        return _render_csv(tables)
    if fmt == "html":
        return "\n".join(_render_html(t) for t in tables)
    raise ValueError(f"未知的输出格式 {fmt!r}, 可用: {', '.join(FORMATS)} (unknown format)")


CSS = """
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
table.tmall-report { border-collapse: collapse; margin: 0 0 1.5em; font-size: 10pt; }
table.tmall-report caption { font-weight: bold; font-size: 12pt; padding: .3em; }
table.tmall-report th, table.tmall-report td { border: 1px solid #999; padding: .15em .5em; }
table.tmall-report .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.tmall-report tfoot th { font-weight: bold; }
p.note { font-size: 9pt; color: #444; }
"""


def html_page(tables: Sequence[Table], title: str, css: str = "") -> str:
    """A whole printable HTML document holding the tables."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}{css}</style></head><body>\n"
        f"<h1>{html.escape(title)}</h1>\n{render(tables, 'html')}</body></html>\n"
    )


def write(text: str, out: Path | None, fmt: str) -> None:
    """Write ``text`` to ``out`` (CSV as UTF-8 with a BOM, for Excel) or to standard output."""
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    Path(out).write_text(text, encoding=encoding, newline="")
