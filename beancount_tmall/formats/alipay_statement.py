"""The Alipay merchant account statement (支付宝账务明细, "signcustomer"): bytes -> typed rows.

DESIGN §3.1. Accepted layouts, all located by the header's content, never by a line count
(``layout`` names the one read):

* ``classic-12``: ``账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,
  支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注``, also as written in 2012 (TAB only after id
  and text cells, ``0.00`` in the unused amount column, negative expenses and 支出合计, LF line
  endings, counterparty cells ``name (account)`` split into ``counterparty_name`` and
  ``counterparty``); ``classic-16`` appends ``业务描述,业务账单来源,业务基础订单号,业务订单号``;
* ``reordered-13``: ``账务流水号,业务流水号,商品名称,发生时间,收入金额（+元）,支出金额（-元）,
  账户余额（元）,业务类型,备注,商户订单号,对方账号,业务描述,业务基础订单号``, 业务描述 coded
  ``0010001|交易收款-交易收款`` (the code goes to ``description_code``);
* ``entry-time``: ``序号,入账时间,支付宝交易号,支付宝流水号,商户订单号,账务类型,收入（+元）,支出（-元）,
  账户余额（元）,…`` with a preamble ``#账号：name[2088…]``, banner dates with or without brackets,
  a leading TAB in cells, single-space empty cells, and usually **no** ``#…合计`` footer: then only
  the balance chain can be verified and ``has_footer`` is False (never "truncated");
* the bill-download zip (``<yyyyMM>_<pid>.zip``): its ``…_账务明细.csv`` or ``…_账务明细_1.csv``,
  ``_2`` … entries (never ``(汇总)``) are the parts of ONE statement, read in part order with the
  balance chaining across parts; entries of two statements (another account or period) are an error.

``#`` banner lines come before the header and after the rows::

    #支出合计：12笔，共345.60元
    #收入合计：20笔，共1234.00元

Rows that share a timestamp are written in 账务流水号 order, not in balance order: each maximal
run of rows with one time is reordered so the running balance chains (an Eulerian path through
the balances, each row an edge from balance − amount to balance), starting at the previous
group's closing balance; the rows come out in that chain order (``row.line`` stays the source
line). Files listed newest first chain the other way; the direction from the dates and from
the balances must agree.

Reading is a generator (memory does not grow with the file); the footer's counts and totals, the
running balance and the statement period are verified as the rows go by and at the end, so a
caller must consume all rows before trusting any. Anything wrong (a cut row, a balance that does
not follow, an amount that is not a finite number of cents, a time outside the banner's period,
an id Excel mangled, a damaged zip) raises :class:`SourceError` naming the file and line, in
Chinese first.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import chain
from pathlib import Path

from beancount_tmall.formats.common import (
    HEAD_SIZE,
    ZIP_READ_ERRORS,
    SourceError,
    check_zip_entry,
    clean_id,
    decode_message,
    entry_name,
    fast_init,
    head_text,
    normalize_header,
    parse_amount,
    parse_datetime,
    read_head,
    sniff_encoding,
    zip_names,
    zip_read_message,
)

#: Field name -> the header names (normalized) that may hold it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("账务流水号", "支付宝流水号"),
    "biz_serial": ("业务流水号", "支付宝交易号"),
    "order_no": ("商户订单号",),
    "item": ("商品名称",),
    "time": ("发生时间", "入账时间"),
    "counterparty": ("对方账号", "对方账户"),
    "counterparty_name": ("对方名称",),
    "income": ("收入金额（+元）", "收入（+元）"),
    "expense": ("支出金额（-元）", "支出（-元）"),
    "balance": ("账户余额（元）", "余额（元）"),
    "channel": ("交易渠道",),
    "biz_type": ("业务类型", "账务类型"),
    "remark": ("备注",),
    "description": ("业务描述",),
    "bill_source": ("业务账单来源",),
    "base_order_no": ("业务基础订单号",),
    "biz_order_no": ("业务订单号",),
}
REQUIRED = ("serial", "time", "income", "expense", "biz_type")

_FOOTER = re.compile(
    r"#\s*(支出|收入)合计\s*[：:]\s*(\d+)\s*笔\s*[，,]?\s*共\s*([-+]?[\d,]*\.?\d*)\s*元"
)


@fast_init
@dataclass(frozen=True)
class StatementRow:
    """One row of the statement. ``amount`` is income − |expense| (signed, CNY).

    ``line`` is the row's line in its file (in a zip of several parts, in the part ``part``).
    ``description_code`` is the code of a 业务描述 written ``0010001|交易收款-交易收款`` (the text
    after ``|`` is ``description``). Without a 对方名称 column, a counterparty cell ``name
    (account)`` is split into ``counterparty_name`` and ``counterparty``.
    """

    line: int
    serial: str
    time: datetime.datetime
    amount: Decimal
    income: Decimal
    expense: Decimal
    balance: Decimal | None
    biz_type: str
    remark: str
    order_no: str
    biz_serial: str = ""
    item: str = ""
    counterparty: str = ""
    counterparty_name: str = ""
    channel: str = ""
    description: str = ""
    bill_source: str = ""
    base_order_no: str = ""
    biz_order_no: str = ""
    description_code: str = ""
    #: Index in :attr:`AlipayStatement.parts` of the file (zip entry) holding the row.
    part: int = 0

    @property
    def date(self) -> datetime.date:
        return self.time.date()


@dataclass(frozen=True)
class Footer:
    """The statement's own counts and totals (expense total as a positive amount)."""

    expense_count: int
    expense_total: Decimal
    income_count: int
    income_total: Decimal


_PART = re.compile(r"(?P<stem>.*?)_?账务明细(?:_(?P<part>\d+))?\.csv", re.IGNORECASE)


def _parts_of(names: list[str]) -> list[tuple[str, int, str]]:
    found = []
    for name in names:
        directory, _, base = name.rpartition("/")
        if "汇总" in base:
            continue
        m = _PART.fullmatch(base)
        if m:
            found.append((f"{directory}/{m['stem']}", int(m["part"] or 0), name))
    return sorted(found)


def statement_entries(names: list[str]) -> list[str]:
    """The ``…_账务明细.csv`` / ``…_账务明细_<n>.csv`` entries of a bill-download zip (never the
    ``(汇总)`` ones), grouped by statement and in part order."""
    return [name for _stem, _part, name in _parts_of(names)]


def statement_parts(names: list[str]) -> list[str]:
    """The entries that are the parts of the ONE statement of a bill-download zip, in part order.

    ``<pid>_<yyyyMM>_账务明细_1.csv``, ``…_2.csv`` … are parts of one statement; ``ValueError``
    (worded in Chinese first) when the entries belong to several statements (their names differ
    other than by the part number) or a part number repeats.
    """
    found = _parts_of(names)
    stems = sorted({stem for stem, _part, _name in found})
    listed = ", ".join(name for *_, name in found)
    if len(stems) > 1:
        raise ValueError(
            f"压缩包中有 {len(found)} 个账务明细条目, 属于不同的账单 (账号或期间不同): {listed}; "
            f"请解压后分别导入; {len(found)} 账务明细 entries in the zip: {listed}; "
            "unzip them and import each"
        )
    numbers = [part for _stem, part, _name in found]
    if len(set(numbers)) != len(numbers) or (0 in numbers and len(numbers) > 1):
        raise ValueError(
            f"压缩包中的账务明细分卷编号重复或不全: {listed}; the parts of the statement repeat "
            f"a number: {listed}"
        )
    return [name for *_, name in found]


def pick_zip_entry(names: list[str]) -> str | None:
    """The first part of the statement of a bill-download zip, ``None`` if there is none.

    Raises ``ValueError`` when the zip holds entries of several statements (see
    :func:`statement_parts`).
    """
    found = statement_parts(names)
    return found[0] if found else None


def _first_entry(names: list[str]) -> str | None:
    """For identification only: the first ``…_账务明细.csv`` entry (several are an error later)."""
    found = statement_entries(names)
    return found[0] if found else None


def looks_like_header(cells: list[str]) -> bool:
    names = {normalize_header(c) for c in cells}
    return ("账务流水号" in names and "业务类型" in names) or (
        "入账时间" in names and ("支付宝流水号" in names or "账务类型" in names)
    )


def identify(path: str | Path) -> bool:
    """True if ``path`` looks like an account statement (or its bill zip); cheap.

    A zip with a ``…_账务明细`` entry is one even when the entry cannot be read (encrypted,
    damaged): reading it then says what is wrong, with the zip and entry.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_SIZE)
    except OSError:
        return False
    if head.startswith(b"PK\x03\x04"):
        return _zip_has_statement(path)
    text = head_text(head)
    for line in text.splitlines()[:200]:
        if line.lstrip(" \t\ufeff").startswith("#"):
            if _BANNER in line:  # the header may be damaged: reading says so, with its line
                return True
            continue
        if looks_like_header(line.split(",")):
            return True
    return False


#: The first line of every account statement layout.
_BANNER = "#支付宝账务明细查询"


def _zip_has_statement(path: str | Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            # All names, a repeated one too: reading then says what is wrong with the zip.
            return bool(statement_entries([entry_name(info) for info in zf.infolist()]))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass
    # A damaged zip (cut short, its directory unreadable) whose first entries' local headers name
    # a 账务明细: taken, so that reading says the zip is damaged.
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_SIZE)
    except OSError:
        return False
    return any(name in head for name in _RAW_ENTRY_NAMES)


_RAW_ENTRY_NAMES = ("账务明细".encode("gbk"), "账务明细".encode())


_BANNER_TIME = re.compile(
    r"(起始日期|终止日期|导出时间)\s*[：:]\s*\[?\s*(\d{4})\s*[年/-]\s*(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*日?"
    r"\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def banner_times(text: str) -> dict[str, datetime.datetime]:
    """``起始日期`` / ``终止日期`` / ``导出时间`` of the ``#`` lines in ``text``, as datetimes.

    A date without a time is its midnight. Alipay writes the end as the next midnight
    (``终止日期：[2025年03月18日 00:00:00]`` covers 03-17 completely).
    """
    found: dict[str, datetime.datetime] = {}
    for m in _BANNER_TIME.finditer(text):
        which, *numbers = m.groups()
        try:
            found.setdefault(which, datetime.datetime(*(int(n or 0) for n in numbers)))
        except ValueError:
            continue
    return found


def parse_period(text: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``(start, end)``: the banner's ``#起始日期：[…]   终止日期：[…]`` (``None`` if absent)."""
    found = banner_times(text)
    return found.get("起始日期"), found.get("终止日期")


def statement_period(path: str | Path) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``(start, end)`` datetimes of a statement's banner (:func:`parse_period`); cheap."""
    try:
        return parse_period(head_text(read_head(path, _first_entry)))
    except OSError:
        return None, None


def covers_day(end: datetime.datetime | None, day: datetime.date) -> bool:
    """Whether a statement ending at ``end`` (its 终止日期) holds every row of ``day``.

    ``[…03月18日 00:00:00]`` and ``[…03月17日 23:59:59]`` both cover 03-17; no end covers nothing.
    """
    if end is None:
        return False
    return end + datetime.timedelta(seconds=1) >= datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time()
    )


def statement_end(path: str | Path) -> datetime.date | None:
    """The last day a statement covers, from its ``#…终止日期：[…]`` banner; cheap.

    Alipay writes the end as the next midnight (``[2025年04月01日 00:00:00]`` for March), so a
    midnight end counts as the day before. ``None`` when the banner has no end date.
    """
    end = statement_period(path)[1]
    if end is None:
        return None
    if end.time() == datetime.time():
        return end.date() - datetime.timedelta(days=1)
    return end.date()


#: Bounds on what a statement may hold besides rows: lines before the header, ``#`` lines after
#: the rows, blank lines, the length of one line (a row is a few hundred characters; a cell is
#: also bounded by csv's field limit of 128 KiB) and the cells of one row.
MAX_HEADER_LINES = 200
MAX_FOOTER_LINES = 100
MAX_BLANK_LINES = 1000
MAX_LINE = 1024 * 1024
MAX_CELLS = 1000
#: Rows of one second are held until the second is over (to order them along the balance chain).
MAX_GROUP = 50_000
#: Rows may not be older than Alipay; without a banner period, nor later than the export (or
#: than tomorrow).
EARLIEST = datetime.datetime(2003, 1, 1)
#: Layouts of which every complete file ends with ``#支出合计`` / ``#收入合计`` lines.
FOOTERLESS_LAYOUTS = ("entry-time",)

_PLAIN_AMOUNT = re.compile(r"[-+]?\d{1,12}(?:\.\d{0,2})?").fullmatch
#: ``name (account)`` where the account is an e-mail or digits (a phone, masked or not, a 2088 id).
_PARTY = re.compile(r"(.*?)\s*[(（]\s*([^\s()（）@]+@[^\s()（）@]+|[\d*+-]{5,})\s*[)）]").fullmatch
_CLASSIC_ORDER = [normalize_header(c) for c in (
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注,业务描述,业务账单来源,业务基础订单号,业务订单号"
).split(",")]


def _layout(names: list[str]) -> str:
    """The short name of the layout of a header (its cells normalized, empty ones dropped)."""
    if "入账时间" in names:
        return "entry-time"
    if names == _CLASSIC_ORDER[: len(names)]:
        return f"classic-{len(names)}"
    return f"reordered-{len(names)}"


def _vertices(row: StatementRow, descending: bool) -> tuple[Decimal, Decimal]:
    """The balance before and after ``row`` in the file's direction (an edge of the chain)."""
    if descending:
        return row.balance, row.balance - row.amount
    return row.balance - row.amount, row.balance


def _chains(rows: list[StatementRow], start: Decimal, descending: bool) -> bool:
    balance = start
    for row in rows:
        before, after = _vertices(row, descending)
        if before != balance:
            return False
        balance = after
    return True


def chain_order(
    rows: list[StatementRow], start: Decimal, descending: bool = False
) -> list[StatementRow] | None:
    """``rows`` (of one second) in an order whose balances chain from ``start``, or ``None``.

    Each row is an edge from (balance − amount) to balance (reversed for a newest-first file);
    an order is an Eulerian path from ``start`` (Hierholzer, linear in the rows). The file's
    own order is kept when it chains, and preferred where the path may choose.
    """
    if _chains(rows, start, descending):
        return rows
    if len(rows) == 1:
        return None
    edges: dict[Decimal, list[tuple[Decimal, StatementRow]]] = {}
    for row in reversed(rows):  # popped from the end: the file's order first
        before, after = _vertices(row, descending)
        edges.setdefault(before, []).append((after, row))
    if start not in edges:
        return None
    stack: list[tuple[Decimal, StatementRow | None]] = [(start, None)]
    path: list[StatementRow] = []
    while stack:
        vertex, row = stack[-1]
        out = edges.get(vertex)
        if out:
            stack.append(out.pop())
        else:
            stack.pop()
            if row is not None:
                path.append(row)
    path.reverse()
    if len(path) != len(rows) or not _chains(path, start, descending):
        return None
    return path


def _starts(rows: list[StatementRow], descending: bool) -> list[Decimal]:
    """Where a chain through ``rows`` may start: the one balance with one more edge out than in,
    or, for a group whose amounts sum to zero (a cycle), any of its balances."""
    degree: dict[Decimal, int] = {}
    for row in rows:
        before, after = _vertices(row, descending)
        degree[before] = degree.get(before, 0) + 1
        degree[after] = degree.get(after, 0) - 1
    surplus = [v for v, d in degree.items() if d > 0]
    if not surplus:
        return list(dict.fromkeys(_vertices(r, descending)[0] for r in rows))[:64]
    if len(surplus) == 1 and degree[surplus[0]] == 1:
        return surplus
    return []


def _cents(value: Decimal) -> bool:
    """Whether ``value`` is a finite amount in cents below 10**12 (trailing zeros allowed)."""
    if not value.is_finite():
        return False
    if not value:
        return True
    return value.adjusted() < 12 and value == value.quantize(_CENT)


_CENT = Decimal("0.01")


def _line_ends(chunk: bytes) -> int:
    """How many lines ``chunk`` ends (``\\r\\n``, ``\\n`` or a lone ``\\r`` each end one)."""
    return chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")


def _closing(row: StatementRow, descending: bool) -> Decimal:
    return _vertices(row, descending)[1]


@dataclass
class _Counts:
    income_count: int = 0
    income_total: Decimal = Decimal(0)
    expense_count: int = 0
    expense_total: Decimal = Decimal(0)

    def key(self) -> tuple[int, Decimal, int, Decimal]:
        return (self.expense_count, self.expense_total, self.income_count, self.income_total)

    def add(self, other: _Counts) -> _Counts:
        return _Counts(
            self.income_count + other.income_count, self.income_total + other.income_total,
            self.expense_count + other.expense_count, self.expense_total + other.expense_total,
        )


class AlipayStatement:
    """An iterable (once) of :class:`StatementRow` with the statement's facts after it.

    Rows come in balance-chain order (rows of one second reordered, see the module's doc).
    After a complete iteration: ``layout`` (``classic-12``, ``classic-16``, ``reordered-13``,
    ``entry-time`` …), ``has_footer`` (False for a file of the ``entry-time`` family without
    ``#…合计`` lines: only its balance chain was verified), ``footer`` (its totals, all parts
    together; ``None`` without), ``descending`` (rows newest first, from the dates and the
    running balance; ``None`` without a balance or with a single time), ``account`` and
    ``account_name`` (the banner's ``#账号：name[2088…]``, if any), ``start`` / ``end`` (the
    banner's 起始日期 / 终止日期 as datetimes, if any), ``exported`` (the 导出时间, if any),
    ``row_count`` and ``parts`` (the zip entries read, in order; the file itself otherwise) are
    set; ``covered_until`` is the time up to which the file holds every row (see
    :func:`covers_day`). ``progress(done, total)`` is called now and then with the bytes read.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        name: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.source = source
        self.name = name
        self.progress = progress
        self.footer: Footer | None = None
        self.has_footer = True
        self.layout = ""
        self.descending: bool | None = None
        self.account: str | None = None
        self.account_name: str | None = None
        self.start: datetime.datetime | None = None
        self.end: datetime.datetime | None = None
        self.exported: datetime.datetime | None = None
        self.has_balance = False
        self.row_count = 0
        self.parts: list[str] = []
        self.path = name or ("<bytes>" if isinstance(source, bytes) else str(source))

    @property
    def covered_until(self) -> datetime.datetime | None:
        """The banner's 终止日期, or the 导出时间 if earlier (a download of a period not yet
        over); ``None`` without a 终止日期."""
        if self.end is None:
            return None
        if self.exported is not None and self.exported < self.end:
            return self.exported
        return self.end

    # --- reading the parts ----------------------------------------------------------------

    def __iter__(self) -> Iterator[StatementRow]:
        display = self.path
        self._names: list[str] | None = None
        self._ref: Decimal | None = None
        self._pending: list[StatementRow] | None = None
        self._group: list[StatementRow] = []
        self._run: Decimal | None = None
        self._amounts: dict[str, Decimal] = {"": Decimal(0)}
        self._unverified = _Counts()
        self._unverified_part: str | None = None
        self._footers: list[Footer] = []
        self._edges: list[tuple[int, datetime.datetime]] = []  # (line, time) of first/last rows
        self.has_footer = True
        with ExitStack() as stack:
            parts = self._open_parts(stack, display)
            total = sum(size for _open, size, _display in parts)
            self._last_part = parts[-1][2]
            done = 0
            for opener, size, part in parts:
                self.path = part
                self.parts.append(part)
                yield from self._read_part(opener, size, part, done, total)
                done += size
        if len(self.parts) > 1:
            self.path = display
        yield from self._settle_last()
        self._finish()
        if self.progress is not None:
            self.progress(total, total)

    def _open_parts(self, stack: ExitStack, display: str) -> list[tuple[Callable, int, str]]:
        """``(open the binary stream, size, display name)`` of each part of the statement."""
        source = self.source
        if isinstance(source, bytes):
            if not source.startswith(b"PK\x03\x04"):
                return [(lambda: io.BytesIO(source), len(source), display)]
            fh = io.BytesIO(source)
        else:
            fh = stack.enter_context(open(source, "rb"))
        if fh.read(4) != b"PK\x03\x04":
            size = fh.seek(0, io.SEEK_END)
            fh.seek(0)
            return [(lambda: fh, size, display)]
        import zipfile

        fh.seek(0)
        try:
            zf = stack.enter_context(zipfile.ZipFile(fh))
            names = zip_names(zf)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise SourceError(
                display, None, f"不是可读的 zip 压缩包 ({exc}); not a readable zip file: {exc}"
            ) from None
        try:
            chosen = statement_parts(list(names))
        except ValueError as exc:
            raise SourceError(display, None, str(exc)) from None
        if not chosen:
            raise SourceError(
                display, None,
                f"压缩包中没有账务明细条目; no 账务明细 entry in the zip; entries: {sorted(names)}",
            )
        parts = []
        for entry in chosen:
            info = names[entry]
            check_zip_entry(info, f"{display}!{entry}")
            parts.append((lambda info=info: self._open_entry(zf, info, display), info.file_size,
                          f"{display}!{entry}"))
        return parts

    @staticmethod
    def _open_entry(zf, info, display):
        try:
            return zf.open(info)
        except (*ZIP_READ_ERRORS, RuntimeError, NotImplementedError, ValueError) as exc:
            raise SourceError(f"{display}!{entry_name(info)}", None, zip_read_message(exc)) from None

    def _read_part(self, opener, size, part, done, total) -> Iterator[StatementRow]:
        binary = opener()
        self._reader = None
        try:
            head = binary.read(HEAD_SIZE)
            binary.seek(0)
            encoding = sniff_encoding(head)
            text = io.TextIOWrapper(binary, encoding=encoding, newline="")
            try:
                # Lines are read at most MAX_LINE characters at a time: a longer one arrives in
                # pieces that are no row (csv's field limit also bounds each cell).
                reader = self._reader = csv.reader(iter(partial(text.readline, MAX_LINE), ""))
                yield from self._rows(reader, binary, done, total, part)
            finally:
                text.detach()
        except UnicodeDecodeError:
            pass
        except ZIP_READ_ERRORS as exc:
            raise SourceError(part, self._reader_line(), zip_read_message(exc)) from None
        except csv.Error as exc:
            raise SourceError(
                part, self._reader_line() or 1,
                f"此行无法按 CSV 读取 (单元格过长或引号不配对: {exc}); this line is not readable CSV: {exc}",
            ) from None
        else:
            return
        raise self._decode_error(opener, part, encoding)

    def _decode_error(self, opener, part, encoding) -> SourceError:
        """The :class:`SourceError` naming the first line of the part that is not ``encoding``.

        Lines are counted as the csv reader counts them (``\\r\\n``, ``\\n`` or a lone ``\\r``
        ends one); b"\\n" and b"\\r" are never inside a GBK or UTF-8 character.
        """
        import codecs

        binary = opener()
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        number = 1
        try:
            while chunk := binary.readline(MAX_LINE):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    before = chunk[: exc.start]
                    return SourceError(part, number + _line_ends(before), decode_message(encoding, exc))
                number += _line_ends(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return SourceError(part, number, decode_message(encoding, exc))
        except ZIP_READ_ERRORS as exc:
            return SourceError(part, number, zip_read_message(exc))
        return SourceError(part, number, f"不是有效的 {encoding} 编码; not valid {encoding}")

    def _reader_line(self) -> int | None:
        return self._reader.line_num if self._reader is not None else None

    def _amount(self, text: str) -> Decimal:
        """A checked income or expense cell (see :func:`parse_amount`), remembered."""
        value = Decimal(text) if _PLAIN_AMOUNT(text) else parse_amount(text)
        if len(self._amounts) < 4096:
            self._amounts[text] = value
        return value

    def _error(self, line: int | None, message: str) -> SourceError:
        return SourceError(self.path, line, message)

    # --- rows -------------------------------------------------------------------------------

    def _rows(self, reader, binary, done, total, part) -> Iterator[StatementRow]:
        index, hwidth, carried = self._header(reader)
        width = max(index.values()) + 1
        # A missing optional column reads the "" appended to every row (index -1).
        (i_serial, i_time, i_income, i_expense, i_biz_type, i_remark, i_order_no, i_biz_serial,
         i_item, i_counterparty, i_counterparty_name, i_channel, i_description, i_bill_source,
         i_base_order_no, i_biz_order_no) = (index.get(f, -1) for f in (
            "serial", "time", "income", "expense", "biz_type", "remark", "order_no", "biz_serial",
            "item", "counterparty", "counterparty_name", "channel", "description", "bill_source",
            "base_order_no", "biz_order_no"))
        split_party = i_counterparty_name == -1
        i_balance = index.get("balance")
        has_balance = self.has_balance = i_balance is not None
        lo = self.start or EARLIEST
        hi = self.end or datetime.datetime.now() + datetime.timedelta(days=1)
        footer_cells: list[tuple[int, str]] = []
        count = income_count = expense_count = blanks = 0
        income_total = expense_total = Decimal(0)
        progress = self.progress
        time_of, Row, D = parse_datetime, StatementRow, Decimal
        fromiso = datetime.datetime.fromisoformat
        time_text, time = None, None  # rows of one second repeat the cell: parsed once
        amounts = self._amounts  # checked income and expense cells -> Decimal (they repeat)
        group = self._group
        group_time = group[0].time if group else None
        ref, desc, run = self._ref, self.descending, self._run
        part_index = len(self.parts) - 1
        first_row = None
        line = last = reader.line_num
        for cells in chain(carried, reader):
            line = reader.line_num
            if line - last > 1 and cells:
                raise self._error(
                    last + 1,
                    f"一条记录跨越第 {last + 1}-{line} 行 (引号未配对?); a record spans lines "
                    f"{last + 1}-{line} (an unmatched quote?)",
                )
            last = line
            if not cells:
                blanks += 1
                if blanks > MAX_BLANK_LINES:
                    raise self._error(line, f"空行超过 {MAX_BLANK_LINES} 行; too many blank lines")
                continue
            first = cells[0]
            if first[:1] == "#" or (first[:1] in " \t\ufeff" and first.lstrip(" \t\ufeff")[:1] == "#"):
                footer_cells.append((line, ",".join(cells).rstrip(", \t")))
                if len(footer_cells) > MAX_FOOTER_LINES:
                    raise self._error(
                        line, f"行尾的 # 行超过 {MAX_FOOTER_LINES} 行; too many # lines after the rows"
                    )
                continue
            if len(cells) != hwidth:
                if len(cells) > MAX_CELLS:
                    raise self._error(
                        line, f"此行超过 {MAX_CELLS} 个单元格; more than {MAX_CELLS} cells in a line"
                    )
                if not any(c.strip() for c in cells):
                    blanks += 1
                    if blanks > MAX_BLANK_LINES:
                        raise self._error(line, f"空行超过 {MAX_BLANK_LINES} 行; too many blank lines")
                    continue
                if len(cells) < width:
                    raise self._error(
                        line,
                        f"此行有 {len(cells)} 个单元格, 表头有 {width} 个: 文件被截断或已损坏; "
                        f"row has {len(cells)} cells, the header has {width}: the file is cut or damaged",
                    )
                if len(cells) > hwidth and any(c.strip() for c in cells[hwidth:]):
                    raise self._error(
                        line,
                        f"此行有 {len(cells)} 个单元格, 多于表头的 {hwidth} 个; row has {len(cells)} "
                        f"cells, more than the header's {hwidth}",
                    )
            if footer_cells:
                raise self._error(line, "合计行之后还有记录行; statement row after the footer lines")
            cells.append("")
            # Fast paths for the common cells; the rare ones (="…", 1,234.50, 2.08E+15, NaN) go
            # through clean_id / parse_amount, which also word the errors.
            serial = cells[i_serial].strip()
            order_no = cells[i_order_no].strip()
            biz_serial = cells[i_biz_serial].strip()
            counterparty = cells[i_counterparty].strip()
            base_order_no = cells[i_base_order_no].strip()
            biz_order_no = cells[i_biz_order_no].strip()
            try:
                ids = serial + order_no + biz_serial + counterparty + base_order_no + biz_order_no
                if "=" in ids or "'" in ids or "E+" in ids or "e+" in ids or "E-" in ids:
                    serial, order_no, biz_serial, counterparty, base_order_no, biz_order_no = map(
                        clean_id,
                        (serial, order_no, biz_serial, counterparty, base_order_no, biz_order_no),
                    )
                if not serial:
                    raise ValueError("账务流水号为空; empty 账务流水号")
                text = cells[i_time]
                if text != time_text:
                    try:  # the common ``2025-03-15 10:23:45``, without the call's overhead
                        time = fromiso(text.strip())
                        if time.tzinfo is not None:
                            raise ValueError
                    except ValueError:
                        time = time_of(text)  # other spellings, and the error's wording
                    time_text = text
                text = cells[i_income].strip()
                income = amounts.get(text)
                if income is None:
                    income = self._amount(text)
                text = cells[i_expense].strip()
                expense = amounts.get(text)
                if expense is None:
                    expense = self._amount(text)
                if has_balance:
                    # Written with two decimals (never NaN, Infinity, 1E+9), what Decimal takes
                    # then is a number; the chain below shows it is a sane amount in cents, or
                    # sends the row the slow way, which checks it.
                    text = cells[i_balance].strip()
                    if text[-3:-2] == "." and text[-2:].isdigit():
                        try:
                            balance = D(text)
                        except ArithmeticError:  # 1,000.00
                            balance = parse_amount(text)
                    else:
                        balance = parse_amount(text)
                else:
                    balance = None
            except ValueError as exc:
                raise self._error(line, str(exc)) from None
            except ArithmeticError:  # digits and signs Decimal does not take, like 1.2.3
                raise self._error(line, f"金额 {text!r} 不是数字; amount {text!r} is not a number") from None
            if not lo <= time <= hi:
                raise self._error(line, self._period_message(time, lo, hi))
            if expense < 0:
                expense = -expense
            if income < 0:
                raise self._error(line, f"收入金额为负数 {income}; negative income {income}")
            amount = income - expense
            if expense:
                expense_count += 1
                expense_total += expense
            else:
                income_count += 1
                income_total += income
            party_name = cells[i_counterparty_name].strip()
            if split_party and counterparty and counterparty[-1] in ")）":
                m = _PARTY(counterparty)
                if m:
                    party_name, counterparty = m.groups()
            description = cells[i_description].strip()
            code = ""
            if "|" in description:
                head, _, rest = description.partition("|")
                if head.isdigit():
                    code, description = head, rest.strip()
            count += 1
            if progress is not None and not count & 0x3FFF:
                progress(done + binary.tell(), total)
            row = Row(
                line, serial, time, amount, income, expense, balance, cells[i_biz_type].strip(),
                cells[i_remark].strip(), order_no, biz_serial, cells[i_item].strip(), counterparty,
                party_name, cells[i_channel].strip(), description, cells[i_bill_source].strip(),
                base_order_no, biz_order_no, code, part_index,
            )
            # Rows of one second are gathered; ``run`` is the balance their file order leads to
            # while that order chains from ``ref`` (nearly always: then no graph is needed).
            if time == group_time:
                group.append(row)
                if len(group) > MAX_GROUP:
                    raise self._error(
                        line, f"同一秒 {time} 超过 {MAX_GROUP} 行; more than {MAX_GROUP} rows at {time}"
                    )
                if run is not None:
                    if desc:
                        run = balance - amount if balance == run else None
                    else:
                        run = balance if balance == run + amount else None
                continue
            if group:
                if run is not None:
                    ref = run
                    if len(group) == 1:
                        yield group[0]
                    else:
                        yield from group
                elif not has_balance:
                    yield from group
                else:
                    self._ref = ref
                    yield from self._settle(group)
                    ref, desc = self._ref, self.descending
            else:
                first_row = row
            group = [row]
            group_time = time
            if ref is None:
                run = None
            elif desc:
                run = balance - amount if balance == ref else None
            else:
                run = balance if balance == ref + amount else None
        self._group, self._ref, self._run = group, ref, run
        if first_row is not None:
            self._edges.append((first_row.line, first_row.time))
            self._edges.append((group[-1].line, group_time))
        counts = _Counts(income_count, income_total, expense_count, expense_total)
        self.row_count += count
        self._check_footer(footer_cells, line, counts, part)

    @staticmethod
    def _period_message(time, lo, hi) -> str:
        return (
            f"时间 {time} 不在账单期间 {lo} 至 {hi} 之内; time {time} lies outside the statement's "
            f"period {lo} .. {hi}"
        )

    # --- the balance chain ----------------------------------------------------------------

    def _settle(self, group: list[StatementRow]) -> list[StatementRow]:
        """``group`` (rows of one second) in chain order; updates ``_ref`` and ``descending``."""
        for row in group:  # the fast path's chain did not vouch for these balances
            if not _cents(row.balance):
                try:
                    parse_amount(str(row.balance))
                except ValueError as exc:
                    raise self._error(row.line, str(exc)) from None
                raise self._error(row.line, f"余额 {row.balance} 不是以分为单位的金额; not an amount")
        desc = self.descending
        if desc is None:
            if self._pending is None:  # the first group: its start shows with the next one
                self._pending = group
                return []
            first, self._pending = self._pending, None
            dates_desc = group[0].time < first[0].time
            found = self._pair(first, group, dates_desc)
            if found is None:
                if self._pair(first, group, not dates_desc) is not None:
                    order = ("最新在前", "最早在前") if dates_desc else ("最早在前", "最新在前")
                    raise self._error(
                        group[0].line,
                        f"日期顺序 ({order[0]}) 与余额顺序 ({order[1]}) 矛盾, 文件已被改动; the dates "
                        f"list the rows {'newest' if dates_desc else 'oldest'} first but the "
                        "balances chain the other way: the file was altered",
                    )
                starts = _starts(first, dates_desc)
                ordered = chain_order(first, starts[0], dates_desc) if starts else None
                if ordered is None:
                    raise self._chain_error(first, None, dates_desc)
                raise self._chain_error(group, _closing(ordered[-1], dates_desc), dates_desc)
            self.descending = dates_desc
            ordered_first, ordered, self._ref = found
            return ordered_first + ordered
        ordered = chain_order(group, self._ref, desc)
        if ordered is None:
            raise self._chain_error(group, self._ref, desc)
        self._ref = _closing(ordered[-1], desc)
        return ordered

    @staticmethod
    def _pair(first, second, desc):
        """The first two groups in chain order and the closing balance, if they chain."""
        for start in _starts(first, desc):
            ordered_first = chain_order(first, start, desc)
            if ordered_first is None:
                continue
            ordered = chain_order(second, _closing(ordered_first[-1], desc), desc)
            if ordered is not None:
                return ordered_first, ordered, _closing(ordered[-1], desc)
        return None

    def _settle_last(self) -> Iterator[StatementRow]:
        group, self._group = self._group, []
        if group:
            if self._run is not None:
                self._ref = self._run
                yield from group
            elif not self.has_balance:
                yield from group
            else:
                yield from self._settle(group)
        pending, self._pending = self._pending, None
        if pending:  # the file has one time only: its rows chain, in the file's order if they can
            for desc in (False, True):
                for start in _starts(pending, desc):
                    ordered = chain_order(pending, start, desc)
                    if ordered is not None:
                        yield from ordered
                        return
            raise self._chain_error(pending, None, False)

    def _chain_error(self, group, ref, desc) -> SourceError:
        line = min(r.line for r in group)
        if len(group) == 1:
            row = group[0]
            if ref is None:
                return self._error(line, "余额不接续; balance does not follow")
            if desc:
                return self._error(
                    line,
                    f"余额 {row.balance} 与较晚一行的期初余额 {ref} 不符; balance {row.balance} does "
                    f"not lead to the next row's {ref}: a row is missing or altered",
                )
            return self._error(
                line,
                f"余额 {row.balance} 与上一行余额 {ref} 加金额 {row.amount} (= {ref + row.amount}) "
                f"不符; balance {row.balance} does not follow: previous balance {ref} + amount "
                f"{row.amount} = {ref + row.amount}; a row is missing or altered",
            )
        total = sum((r.amount for r in group), Decimal(0))
        seen = ", ".join(str(r.balance) for r in group[:8]) + (" …" if len(group) > 8 else "")
        when = group[0].time
        if ref is None:
            return self._error(
                line,
                f"同一时间 {when} 的 {len(group)} 行余额 ({seen}) 彼此无法接续; the balances of the "
                f"{len(group)} rows at {when} ({seen}) do not chain: a row is missing or altered",
            )
        if desc:
            return self._error(
                line,
                f"同一时间 {when} 的 {len(group)} 行无法接续较晚一行的期初余额 {ref}: 本组金额合计 "
                f"{total}, 所见余额 {seen}; the {len(group)} rows at {when} do not lead to the next "
                f"row's opening balance {ref}: group sum {total}, balances seen {seen}; "
                "a row is missing or altered",
            )
        return self._error(
            line,
            f"同一时间 {when} 的 {len(group)} 行余额无法接续: 上一余额 {ref} 加本组金额合计 {total} "
            f"(= {ref + total}), 所见余额 {seen}; the {len(group)} rows at {when} do not chain: "
            f"previous balance {ref} + group sum {total} = {ref + total}, balances seen {seen}; "
            "a row is missing or altered",
        )

    # --- banner, header, footer -----------------------------------------------------------

    def _header(self, reader) -> tuple[dict[str, int], int, list[list[str]]]:
        """The column index of each field, the header's width and the first row if it was read
        already (a later part of a zip without header of its own); reads the banner."""
        account = account_name = None
        times: dict[str, datetime.datetime] = {}
        for cells in reader:
            if reader.line_num > MAX_HEADER_LINES:
                break
            if not cells:
                continue
            first = cells[0].strip()
            if first.startswith("#"):
                line = ",".join(cells)
                if first.startswith("#账号"):
                    if "[" in first:  # #账号：[2088…] or #账号：name[2088…]
                        before, _, inside = first.partition("[")
                        account = inside.split("]", 1)[0].strip() or None
                        account_name = before[3:].lstrip(" ：:").strip() or None
                    else:  # #账号：2088…
                        account = first[3:].lstrip(" ：:").strip() or None
                for which, when in banner_times(line).items():
                    times.setdefault(which, when)
                continue
            if looks_like_header(cells):
                names = [normalize_header(c) for c in cells]
                while names and not names[-1]:
                    names.pop()
                self._banner(reader.line_num, account, account_name, times, names)
                index = {}
                for field, aliases in COLUMNS.items():
                    for alias in aliases:
                        if alias in names:
                            index[field] = names.index(alias)
                            break
                missing = [COLUMNS[f][0] for f in REQUIRED if f not in index]
                if missing:
                    raise self._error(
                        reader.line_num, f"表头缺少列 {missing}; header lacks the columns {missing}"
                    )
                self._index = index, len(names)
                return index, len(names), []
            if self._names is not None and any(c.strip() for c in cells):
                return (*self._index, [cells])  # a later part continues without header
        raise self._error(
            reader.line_num or 1,
            f"前 {MAX_HEADER_LINES} 行中没有账务明细的表头 (账务流水号…业务类型 或 入账时间,支付宝流水号…"
            "账务类型): 不是支付宝账务明细? no statement header found (expected a row with "
            "账务流水号…业务类型 or 入账时间,支付宝流水号…账务类型): not an Alipay account statement?",
        )

    def _banner(self, line, account, account_name, times, names) -> None:
        """Take a part's banner and header; parts of one statement must agree on them."""
        start, end = times.get("起始日期"), times.get("终止日期")
        if self._names is None:
            self._names = names
            self.layout = _layout(names)
            self.account, self.account_name = account, account_name
            self.start, self.end = start, end
            self.exported = times.get("导出时间", self.exported)
            return
        if names != self._names:
            raise self._error(
                line, "此分卷的表头与第一个分卷不同; this part's header differs from the first part's"
            )
        for what, mine, theirs in (("账号", account, self.account), ("起始日期", start, self.start),
                                   ("终止日期", end, self.end)):
            if mine is not None and theirs is not None and mine != theirs:
                raise self._error(
                    line,
                    f"此分卷的{what} {mine} 与第一个分卷的 {theirs} 不同: 两份不同的账单; this part's "
                    f"{what} {mine} differs from the first part's {theirs}: two statements",
                )

    def _check_footer(self, footer_cells, last_line, counts: _Counts, part: str) -> None:
        seen: dict[str, tuple[int, int, Decimal]] = {}
        for line, text in footer_cells:
            if "导出时间" in text:
                self.exported = banner_times(text).get("导出时间", self.exported)
                continue
            m = _FOOTER.match(text.strip())
            if m:
                kind, n, total = m.groups()
                try:
                    total = parse_amount(total) if total.strip(",.+-") else Decimal(0)
                    n = int(n)
                except ValueError as exc:
                    raise self._error(line, str(exc)) from None
                if kind in seen and seen[kind][1:] != (n, abs(total)):
                    raise self._error(
                        line,
                        f"两行 #{kind}合计 不一致 (第 {seen[kind][0]} 行: {seen[kind][1]} 笔 "
                        f"{seen[kind][2]}, 此行: {n} 笔 {abs(total)}); two #{kind}合计 lines disagree",
                    )
                seen[kind] = (line, n, abs(total))
            elif sum(1 for c in text.lstrip(" \t\ufeff#").split(",") if c.strip()) >= 3:
                raise self._error(
                    line,
                    "记录行之后的 # 行看起来是一条被注释掉的记录, 文件已被改动; a # line after the "
                    "rows looks like a commented-out row: the file was altered",
                )
        footerless = self.layout in FOOTERLESS_LAYOUTS
        if not seen and footerless:
            self.has_footer = False
            return
        if "支出" not in seen or "收入" not in seen:
            if not seen and part != self._last_part:
                self._unverified = self._unverified.add(counts)  # a later footer may count them
                self._unverified_part = self._unverified_part or part
                return
            raise self._error(
                last_line,
                "缺少合计行 (#支出合计：N笔，共X元 / #收入合计：N笔，共Y元): 文件被截断, 请重新下载; "
                "the footer (#支出合计：N笔，共X元 / #收入合计：N笔，共Y元) is missing: "
                "the file is truncated; download it again",
            )
        footer = Footer(seen["支出"][1], seen["支出"][2], seen["收入"][1], seen["收入"][2])
        want = (footer.expense_count, footer.expense_total, footer.income_count, footer.income_total)
        if self._unverified_part is not None:
            if want != self._unverified.add(counts).key():
                raise SourceError(
                    self._unverified_part, None,
                    "缺少合计行, 后一分卷的合计也不包括此分卷: 文件被截断, 请重新下载; the footer is "
                    "missing and the next part's footer does not count this part: the file is "
                    "truncated; download it again",
                )
            self._unverified, self._unverified_part = _Counts(), None
            self._footers.append(footer)
            return
        for kind, n, total in (("支出", counts.expense_count, counts.expense_total),
                               ("收入", counts.income_count, counts.income_total)):
            line, want_n, want_total = seen[kind]
            if (want_n, want_total) != (n, total):
                raise self._error(
                    line,
                    f"合计行记 {kind} {want_n} 笔共 {want_total}, 记录行为 {n} 笔共 {total}: 有行缺失"
                    f"或被改动; footer says {kind} {want_n} rows totalling {want_total}, "
                    f"the rows give {n} totalling {total}: rows are missing or altered",
                )
        self._footers.append(footer)

    def _finish(self) -> None:
        if not self.has_footer or not self._footers:
            self.footer = None
        else:
            self.footer = Footer(
                sum(f.expense_count for f in self._footers),
                sum((f.expense_total for f in self._footers), Decimal(0)),
                sum(f.income_count for f in self._footers),
                sum((f.income_total for f in self._footers), Decimal(0)),
            )
        if self.exported is not None:
            for line, time in self._edges:
                if time > self.exported:
                    raise self._error(
                        line,
                        f"时间 {time} 晚于导出时间 {self.exported}; time {time} is after the "
                        f"export time {self.exported}",
                    )


def read_rows(source: str | Path | bytes, name: str | None = None) -> list[StatementRow]:
    """All rows of a (small) statement, verified; convenience for tests and small files."""
    return list(AlipayStatement(source, name))
