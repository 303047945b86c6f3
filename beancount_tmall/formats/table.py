"""Tmall's exports as tables, CSV or xlsx alike: the header found by content, then the rows.

订单报表, 宝贝报表 and 退款 come as CSV (GBK, re-saved by Excel or not) or as xlsx. Both read the
same way here: :func:`source_rows` gives ``(where, line, cells)`` for either, a
:class:`TableSpec` names each field by the header names that may hold it (aliases, normalised:
no surrounding or inner spaces, ASCII parentheses full-width), and :class:`Table` finds the header
among the first lines by its content and yields :class:`Record`\\ s, each knowing its file and line
for messages (``ExportOrderList123.xlsx!Sheet1:12``).

Cells are handed over raw (a CSV's ``="123"`` or ``'123`` stays); :func:`money`, :func:`whole`
and :func:`moment` turn them into values strictly: amounts finite with at most two places and
``|x| < 10**12``, counts whole and bounded, times in a plausible span of years.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import operator
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from beancount_tmall.formats import xlsx
from beancount_tmall.formats.common import (
    HEAD_SIZE,
    SourceError,
    decode_error_at,
    head_text,
    normalize_header,
    parse_amount,
    parse_datetime,
    sniff_encoding,
)

#: The header is looked for in this many first rows.
HEADER_ROWS = 20
CENT = Decimal("0.01")
#: Amounts of this many integer digits or more (``|x| >= 10**12`` CNY) are refused.
AMOUNT_DIGITS = 12
#: Whole numbers (points, counts) have at most this many digits.
WHOLE_DIGITS = 12
#: The first year a Taobao/Tmall export can hold (Taobao opened in 2003).
FIRST_YEAR = 2003

Row = tuple[str, int, list[str]]

_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_WHOLE = re.compile(rf"\+?(\d{{1,{WHOLE_DIGITS}}})(?:\.0*)?")
_TIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
#: The last year a time may have: next year (an export is never from the future).
_LAST_YEAR = datetime.date.today().year + 1
ZERO = Decimal("0.00")
#: No amount or time is written with more characters (and the caches hold only short texts).
MAX_VALUE_TEXT = 40
NOT_CENTS = "不是以分为单位的金额 (最多两位小数, 绝对值小于 10^12); not an amount in cents"


def header_name(cell: str) -> str:
    """A header cell normalised: no BOM, no spaces anywhere, full-width parentheses."""
    return _SPACE.sub("", normalize_header(cell))


def is_xlsx(source: str | Path | bytes) -> bool:
    """Whether ``source`` is a zip (an xlsx workbook, for the exports) rather than text."""
    if isinstance(source, bytes):
        return xlsx.is_zip(source[:4])
    with open(source, "rb") as fh:
        return xlsx.is_zip(fh.read(4))


def source_rows(source: str | Path | bytes, name: str | None = None) -> Iterator[Row]:
    """``(where, line, cells)`` of every row of a CSV (GBK/UTF-8) or xlsx file, streamed."""
    if is_xlsx(source):
        yield from xlsx.sheet_rows(source, name)
        return
    where = name or ("<bytes>" if isinstance(source, bytes) else str(source))
    if where.lower().endswith((".xlsx", ".xlsm")):
        raise SourceError(where, None, "不是有效的 xlsx 文件 (不是 zip 格式); not an xlsx file (not a zip)")
    yield from csv_rows(source, name)


def csv_rows(source: str | Path | bytes, name: str | None = None) -> Iterator[Row]:
    """``(where, line, cells)`` of a CSV file (path or bytes), streamed.

    Undecodable bytes, a cell over csv's field limit and other CSV damage are a
    :class:`SourceError` naming the line.
    """
    where = name or ("<bytes>" if isinstance(source, bytes) else str(source))
    if isinstance(source, bytes):
        return stream_rows(lambda: io.BytesIO(source), where)
    return stream_rows(lambda: open(source, "rb"), where)


def stream_rows(opener: Callable[[], AbstractContextManager[BinaryIO]], where: str) -> Iterator[Row]:
    """``(where, line, cells)`` of the CSV bytes ``opener()`` gives (a file, a zip entry), streamed.

    ``opener`` is called again to sniff the encoding and to name the line of undecodable bytes.
    """
    with opener() as binary:
        encoding = sniff_encoding(binary.read(HEAD_SIZE))
    failed = False
    with opener() as binary:
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            yield from text_rows(text, where)
        except UnicodeDecodeError:
            failed = True
        finally:
            text.detach()
    if failed:
        with opener() as binary:
            raise decode_error_at(binary, encoding, where)


def text_rows(text: Iterable[str], where: str) -> Iterator[Row]:
    """``(where, line, cells)`` of a CSV text stream; CSV damage is a :class:`SourceError`."""
    reader = csv.reader(text)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(
                where, reader.line_num,
                f"CSV 行无法读取 ({exc}): 单元格过长或引号不配对?; malformed CSV",
            ) from None
        yield where, reader.line_num, cells


@dataclass(frozen=True)
class TableSpec:
    """What a table's header must hold: field -> aliases, the required fields, names it must lack."""

    what: str
    aliases: Mapping[str, Sequence[str]]
    required: Sequence[str]
    forbidden: Sequence[str] = ()
    header_rows: int = HEADER_ROWS
    _names: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {f: tuple(header_name(a) for a in names) for f, names in self.aliases.items()}
        object.__setattr__(self, "_names", names)

    def match(self, cells: Iterable[str]) -> dict[str, int] | None:
        """Field -> column index if ``cells`` are this table's header, else ``None``."""
        names = [header_name(c) for c in cells]
        if not names or any(header_name(f) in names for f in self.forbidden):
            return None
        position: dict[str, int] = {}
        for i, name in enumerate(names):
            position.setdefault(name, i)
        columns = {}
        for f, aliases in self._names.items():
            for alias in aliases:
                if alias in position:
                    columns[f] = position[alias]
                    break
        if all(f in columns for f in self.required):
            return columns
        return None

    def expected(self) -> str:
        return ",".join(self.aliases[f][0] for f in self.required)

    def missing(self, cells: Iterable[str]) -> tuple[int, list[str]]:
        """How many fields a row names, and the required ones it lacks (to name a near header)."""
        names = {header_name(c) for c in cells}
        found = [f for f, aliases in self._names.items() if any(a in names for a in aliases)]
        lacking = [self.aliases[f][0] for f in self.required if f not in found]
        return len(found), lacking


@dataclass(frozen=True, slots=True)
class Record:
    """One row under the header: ``record["paid"]`` is the cell of that field ("" if absent)."""

    where: str
    line: int
    cells: list[str]
    columns: Mapping[str, int]

    def __getitem__(self, name: str) -> str:
        i = self.columns.get(name)
        if i is None or i >= len(self.cells):
            return ""
        return self.cells[i]

    def error(self, message: str) -> SourceError:
        return SourceError(self.where, self.line, message)


class Table:
    """The rows of a file under the header :class:`TableSpec` finds; :class:`SourceError` if none.

    Blank rows are skipped. A CSV row shorter than the header's mapped columns is refused (a cut
    row); an xlsx row is padded (a sheet does not store empty trailing cells).
    """

    def __init__(self, source: str | Path | bytes, spec: TableSpec, name: str | None = None,
                 rows: Iterator[Row] | None = None):
        self.spec = spec
        self.padded = rows is None and is_xlsx(source)
        self._rows = rows if rows is not None else source_rows(source, name)
        self.where = name or ("<bytes>" if isinstance(source, bytes) else str(source))
        self.line = 0
        self.columns: dict[str, int] = {}
        self.header_width = 0
        nearest: tuple[int, int, list[str]] | None = None  # (fields named, line, lacking)
        for where, line, cells in self._rows:
            self.where = where
            columns = spec.match(cells)
            if columns is not None:
                self.line, self.columns, self.header_width = line, columns, len(cells)
                break
            found, lacking = spec.missing(cells)
            if found >= 2 and (nearest is None or found > nearest[0]):
                nearest = (found, line, lacking)
            if line >= spec.header_rows:
                break
        if not self.line:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()
            if nearest is not None:
                _, line, lacking = nearest
                raise SourceError(
                    self.where, line,
                    f"{spec.what}的表头缺少 {','.join(lacking) or '必需列'} (或含有其他报表的列); "
                    f"the {spec.what} header lacks {','.join(lacking)}",
                )
            raise SourceError(  # located at the file's start, where the header should be
                self.where, 1,
                f"不是{spec.what}: 前 {spec.header_rows} 行中没有表头 ({spec.expected()},…); "
                f"no {spec.what} header found",
            )
        self.width = max(self.columns.values()) + 1

    def __iter__(self) -> Iterator[Record]:
        columns, width, padded, full = self.columns, self.width, self.padded, self.header_width
        for where, line, cells in self._rows:
            if not "".join(cells).strip():
                continue
            if not padded and len(cells) > full and "".join(cells[full:]).strip():
                raise SourceError(
                    where, line,
                    f"本行有 {len(cells)} 列, 表头只有 {full} 列: 引号或逗号错位?; "
                    f"row has {len(cells)} cells, the header {full}",
                )
            if len(cells) < width:
                if not padded:
                    raise SourceError(
                        where, line,
                        f"本行只有 {len(cells)} 列, 表头有 {width} 列: 行被截断?; "
                        f"row has {len(cells)} cells, the header {width}",
                    )
                cells = cells + [""] * (width - len(cells))
            cells.append("")  # what an absent field reads (index -1, see ``getter``)
            yield Record(where, line, cells, columns)

    def getter(self, fields: Sequence[str]) -> Callable[[list[str]], tuple[str, ...]]:
        """A fast ``cells -> (cell of each field)`` for the records of this table ("" if absent)."""
        return operator.itemgetter(*(self.columns.get(f, -1) for f in fields))


def identify(path: str | Path, spec: TableSpec) -> bool:
    """Whether ``path`` (CSV or xlsx) has ``spec``'s header in its first rows; cheap, never raises."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_SIZE)
    except OSError:
        return False
    if xlsx.is_zip(head):
        try:
            with zipfile.ZipFile(path) as zf:
                if "xl/workbook.xml" not in zf.namelist():
                    return False
            rows = xlsx.head_rows(path, spec.header_rows)
        except Exception:  # noqa: BLE001 (a damaged file is not identified; reading it says why)
            return False
        return any(spec.match(cells) is not None for cells in rows)
    lines = head_text(head).splitlines()[: spec.header_rows]
    try:
        return any(spec.match(cells) is not None for cells in csv.reader(lines))
    except csv.Error:
        return False


# --- cells to values ---------------------------------------------------------------------------


def unprotect(text: str) -> str:
    """``text`` without the ``="…"`` or leading ``'`` that keeps Excel from reformatting a cell."""
    if text[:2] == '="' and text[-1:] == '"' and len(text) > 2:
        return text[2:-1].strip()
    if text[:1] == "'":
        return text[1:].strip()
    return text


def text(cell: str) -> str:
    """A text cell without surrounding spaces and without the ``="…"``/``'`` protection."""
    return unprotect(cell.strip()).strip()


def money(cell: str, what: str = "金额") -> Decimal:
    """An amount in CNY: empty is 0; finite, at most two places, ``|x| < 10**12``; else ValueError."""
    try:
        return _cents(unprotect(cell.strip()))
    except ValueError as exc:
        raise ValueError(f"{what} {cell.strip()[:40]!r} {exc}") from None


@functools.lru_cache(maxsize=8192)  # prices, postage and zeros repeat through an export
def _cents(text: str) -> Decimal:
    if not text:
        return ZERO
    if len(text) > MAX_VALUE_TEXT:
        raise ValueError(NOT_CENTS)
    if "," in text:  # thousands separators, as Excel may write them; nothing else
        if not _THOUSANDS.fullmatch(text):
            raise ValueError(NOT_CENTS)
        text = text.replace(",", "")
    try:
        value = parse_amount(text)
    except ValueError as exc:
        raise ValueError(f"{NOT_CENTS} ({exc})") from None
    # Checked again whatever parse_amount allows; ``adjusted()`` and the digits cost nothing
    # even for ``1E+999999999``.
    if not value.is_finite():
        raise ValueError(NOT_CENTS)
    _sign, digits, exponent = value.as_tuple()
    drop = -2 - exponent
    if (value and value.adjusted() >= AMOUNT_DIGITS) or (
        drop > 0 and (drop > len(digits) or any(digits[-drop:]))
    ):
        raise ValueError(NOT_CENTS)
    return value.quantize(CENT)


def whole(cell: str, what: str = "数量") -> int:
    """A whole number (points, counts): empty is 0; not negative, at most 12 digits; else ValueError."""
    text = unprotect(cell.strip())
    if not text:
        return 0
    match = _WHOLE.fullmatch(text)
    if not match:
        raise ValueError(
            f"{what} {text[:40]!r} 不是不超过 {WHOLE_DIGITS} 位的非负整数; not a whole number of bounded size"
        )
    return int(match[1])


def moment(cell: str, what: str = "时间") -> datetime.datetime | None:
    """A time (``2025-03-15 10:23:45``, ``2016/5/23 22:02``); empty is None; a sane year; else ValueError."""
    text = unprotect(cell.strip())
    if not text:
        return None
    if (len(text) == 19 and text[4] == text[7] == "-" and text[10] == " " and text[13] == text[16] == ":"
            and text.isascii()):
        # The exports' own ``YYYY-MM-DD HH:MM:SS`` (seconds rarely repeat, so the cache below
        # misses): parsed in C; anything else it refuses takes the general path.
        try:
            value = datetime.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if FIRST_YEAR <= value.year <= _LAST_YEAR:
                return value
    try:
        return _moment(text)
    except ValueError as exc:
        raise ValueError(f"{what} {text[:40]!r} {exc}") from None


@functools.lru_cache(maxsize=8192)  # an export's times repeat to the minute (Excel drops seconds)
def _moment(text: str) -> datetime.datetime:
    if len(text) > MAX_VALUE_TEXT:
        raise ValueError("不是日期时间 (如 2025-03-15 10:23:45); not a time")
    try:
        match = _TIME.fullmatch(text)
        if match:
            value = datetime.datetime(*map(int, filter(None, match.groups())))
        else:
            value = parse_datetime(text)
    except ValueError:
        raise ValueError("不是日期时间 (如 2025-03-15 10:23:45); not a time") from None
    if value.tzinfo is not None:
        raise ValueError("带有时区, 不是导出文件的时间格式; unexpected time zone")
    if not FIRST_YEAR <= value.year <= _LAST_YEAR:
        raise ValueError(f"的年份不在 {FIRST_YEAR}-{_LAST_YEAR} 之间; year out of range")
    return value
