"""beangulp importer for the Alipay merchant account statement (支付宝账务明细).

Rows come typed from :mod:`beancount_tmall.formats.alipay_statement`; each is classified by the
rule table (data: ``beancount_tmall/rules/alipay.toml``, extendable by the store) and becomes, by
default, part of ONE transaction per statement day (DESIGN §6)::

    2025-03-15 ! "支付宝" "2025-03-15 支付宝结算 4 笔" #tmall-sale
      source: "alipay-statement"
      alipay-first: "20250315200040011100123400000001"   ; smallest 账务流水号 of the entry
      alipay-last: "20250315200040011100123400000004"    ; largest (informative: serials do
      alipay-from: "09:00:01"                            ;   not follow time)
      alipay-to: "18:30:00"          ; time of the entry's first and last row
      rows: "4"
      alipay-digest: "5f0c2d…"       ; the exact set of its rows' 账务流水号 (see ``serial_digest``)
      sales: "1"                     ; sale rows (交易成功); ``refunds:`` rows refunding buyers
      footer: "无合计行"              ; only for a file without #…合计 lines (balance chain only)
      Assets:1012-其他货币资金:101201-支付宝          93.40 CNY
      Assets:1221-其他应收款:122101-天猫佣金           5.00 CNY
      Assets:1221-其他应收款:122104-天猫年费        30000.00 CNY
        fee-year: "2025"             ; captures of the rule (a posting per distinct capture)
      Assets:1221-其他应收款:122199-待核对              1.00 CNY
        source-file: "2025-03.csv"   ; one posting per row to review: the entry is flagged !
        source-line: "17"
        alipay-serial: "20250315200040011100123400000004"
        memo: "转账 往来款"
      Income:6001-主营业务收入                      -100.00 CNY

    2025-03-16 balance Assets:1012-其他货币资金:101201-支付宝  94.40 CNY

or, with ``per_row``, one transaction per row carrying ``alipay-serial`` and ``order-id``.

**Rows kept apart** (``row_accounts``, default ``(售后赔付 660105,)`` and its sub-accounts): a row
booked to one of these accounts, by whichever rule, is a posting of its own in the day's entry,
never summed with the day's other rows, carrying ``alipay-serial``, ``order-id`` (when the row
names an order), the rule's captures (``reason``) and ``memo`` (业务类型 + 备注, masked): the
``approvals`` plugin checks each payment to a buyer against its approval, and the accountant adds
``approved-by`` / ``approver-role`` under that posting::

      Expenses:6601-销售费用:660105-售后赔付             5.00 CNY
        alipay-serial: "20250315200040011100123400000003"
        order-id: "4012345678901234"
        reason: "好评返现"
        memo: "转账 好评返现{4012345678901234}"

**Which Alipay account** (:func:`resolve_account`): the statement's ``#账号：name[2088…]`` is
looked up in the ledger's mapping (``open`` directives with ``alipay-account: "2088…"`` metadata,
``custom "tmall-alipay-account" "2088…" Assets:…`` directives, ``note`` directives with that
metadata, as Fava saves the adoption) and the importer's ``accounts``
argument. A ledger that maps nothing adopts the first statement's account for the importer's
``account`` (101201) and is given the ``custom`` directive to keep (:func:`adopt_account_directive`);
a statement of an account not mapped while others are is refused.

**Exact deduplication, per account**: an entry of the ledger holds every row of its account whose
time lies in its [``alipay-from``, ``alipay-to``] window of its day (an entry without that window,
written by an older version, covers its whole day). A new file's rows in such a window are the
ledger's already: they are left out after checking them — where the file covers the whole window,
their count and digest must equal the entry's (else the file is refused with both places and the
counts: never a row dropped or doubled silently); where it covers only part (its first or last
day), their count must not exceed the entry's. Rows outside every window form entries of their
own, one per gap between the windows, so that the windows of a day never overlap. Per-row entries
are matched by ``alipay-serial``. Balance assertions already in the ledger with the same amount
are left out. Cost: a set lookup per row and one SHA-256 per entry.

**Opening balance**: reading against a ledger (``existing`` given, even empty) that has no entry,
``pad`` or ``balance`` for the account, the import also writes :func:`opening_entry` — the
balance before the statement's first row, against 实收资本, flagged ``!`` and tagged ``#opening``.

Each day gets a balance assertion on the next day, but for the file's latest day when the file is
not known to cover it to midnight (banner's 终止日期 and footer's 导出时间; a file without that
banner, as some downloads of the newer family are, never gives its latest day's balance). Rows
must be in date order, oldest or newest first.
"""

from __future__ import annotations

import datetime
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from hashlib import sha256
from itertools import chain
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import printer
from beangulp.extract import DUPLICATE

from beancount_tmall import accounts as chart
from beancount_tmall.formats import alipay_statement, tmall_orders
from beancount_tmall.formats.alipay_statement import AlipayStatement, StatementRow
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import mark_duplicates
from beancount_tmall.importers.rowtext import mask, mask_narration, order_id  # noqa: F401
from beancount_tmall.importers.rules import (  # noqa: F401
    DEFAULT_RULES,
    DIRECTIONS,
    KINDS,
    Rule,
    RuleError,
    RuleTable,
    compile_test,
    load_rules,
    make_rule,
)

SOURCE = "alipay-statement"
_ONE_DAY = datetime.timedelta(days=1)
SALE_TAG = "tmall-sale"
OPENING_TAG = "opening"
#: The flag of an entry holding a row to review (a posting to 待核对) and of the opening entry.
REVIEW_FLAG = "!"
#: ``custom "tmall-alipay-account" "<id>" <account>``: the statement account ``id`` is booked to
#: ``account`` (written when a ledger adopts its first statement's account).
ACCOUNT_CUSTOM = "tmall-alipay-account"
#: Metadata of an ``open`` directive naming the Alipay account id (``2088…``) it books.
ACCOUNT_META = "alipay-account"
#: Day-entry metadata of a file without ``#…合计`` footer lines (verified by its balances only).
NO_FOOTER = "无合计行"
#: The parent of the store's Alipay accounts.
ALIPAY_PARENT = "Assets:1012-其他货币资金"

_DAY_START = datetime.time(0, 0, 0)
_DAY_END = datetime.time(23, 59, 59, 999999)


# --- digests ---------------------------------------------------------------------------------


def serial_digest(serials: Iterable[str]) -> str:
    """``alipay-digest``: the first 16 hex digits of the SHA-256 of the entry's 账务流水号, sorted
    and one per line — the exact set of its rows, whatever their order in the file."""
    return sha256("\n".join(sorted(serials)).encode()).hexdigest()[:16]


def serial_key(serial: str) -> tuple:
    """Serials compare as integers when numeric, else as text (for ``alipay-first``/``-last``)."""
    return (0, int(serial)) if serial.isdigit() else (1, serial)


# --- account mapping -------------------------------------------------------------------------


def account_map(
    ledger_entries: Iterable[data.Directive] | None = (), accounts: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Statement account id (``2088…`` or an e-mail) -> Alipay account, from the ledger (``open``
    and ``note`` metadata ``alipay-account``, ``custom "tmall-alipay-account"``) and ``accounts``
    (which wins)."""
    if isinstance(ledger_entries, Existing):
        mapping = dict(ledger_entries.mapping)
    else:
        mapping = {}
        for entry in ledger_entries or ():
            _map_entry(entry, mapping)
    for key, value in (accounts or {}).items():
        mapping[str(key).strip()] = chart.check_valid(value)
    return mapping


def _map_entry(entry: data.Directive, mapping: dict[str, str]) -> None:
    if isinstance(entry, data.Open):
        value = (entry.meta or {}).get(ACCOUNT_META)
        if value:
            for key in str(value).replace(",", " ").split():
                mapping[key] = entry.account
    elif isinstance(entry, data.Note):
        value = (entry.meta or {}).get(ACCOUNT_META)
        if value:
            mapping[str(value).strip()] = entry.account
    elif isinstance(entry, data.Custom) and entry.type == ACCOUNT_CUSTOM and len(entry.values) >= 2:
        key, value = entry.values[0].value, entry.values[1].value
        if key and isinstance(value, str):
            mapping[str(key).strip()] = value


def resolve_account(
    statement,
    ledger_entries: Iterable[data.Directive] | None,
    accounts_map: Mapping[str, str] | None = None,
    default: str = chart.ALIPAY,
) -> tuple[str, bool]:
    """The Alipay account a statement is booked to, and whether the ledger adopts it now.

    ``statement.account`` is the id in its ``#账号：…[…]`` banner (``None`` without one). Mapped
    (see :func:`account_map`) -> that account. Not mapped while nothing is mapped -> ``default``,
    and ``adopted`` is True when ``ledger_entries`` is given (not ``None``): the caller keeps
    :func:`adopt_account_directive` in the ledger, so that another account's statement is refused
    from then on. Without ``#账号`` -> the only mapped account, or ``default``. Raises
    :class:`SourceError` for an id not mapped while other ids are (or several accounts mapped and
    a statement that does not say which).
    """
    mapping = account_map(ledger_entries, accounts_map)
    path = getattr(statement, "path", "<statement>")
    sid = getattr(statement, "account", None)
    sid = sid.strip() if isinstance(sid, str) else None
    targets = sorted(set(mapping.values()))
    if sid and sid in mapping:
        return mapping[sid], False
    if not sid:
        if len(targets) > 1:
            raise SourceError(
                path, None,
                f"文件没有 #账号 行，账簿却映射了 {len(targets)} 个支付宝科目 ({', '.join(targets)})，"
                "无法判断记入哪一个; the file names no account and several are mapped",
            )
        return (targets[0] if targets else default), False
    if mapping:
        known = ", ".join(f"{k} -> {v}" for k, v in sorted(mapping.items()))
        raise SourceError(
            path, None,
            f"支付宝账号 {sid} ({getattr(statement, 'account_name', None) or '无户名'}) 未映射到科目"
            f"（已映射: {known}）。请在该账号科目的 open 指令上加元数据 {ACCOUNT_META}: \"{sid}\""
            f"（科目建在 {ALIPAY_PARENT} 之下，如 {ALIPAY_PARENT}:101202-支付宝二），"
            f"或在 import.py 的 AlipayStatementImporter(accounts={{\"{sid}\": \"…\"}}) 中给出; "
            f"Alipay account {sid} is not mapped to a ledger account",
        )
    return default, ledger_entries is not None


def adopt_account_directive(account_id: str, account: str, date: datetime.date) -> str:
    """The text of the ``custom`` directive that maps ``account_id`` to ``account``, commented."""
    chart.check_valid(account)
    return (
        f"; 支付宝账号 {account_id} 的账务明细记入 {account}（首次导入时写入）。\n"
        f"; 另有支付宝账号时：为它开一个 {ALIPAY_PARENT} 下的科目，open 指令加元数据 "
        f'{ACCOUNT_META}: "<账号>"。\n'
        f'{date:%Y-%m-%d} custom "{ACCOUNT_CUSTOM}" "{account_id}" {account}\n'
    )


def adopt_account_note(account_id: str, account: str, date: datetime.date, path: str) -> data.Note:
    """The adoption as a ``note`` on ``account`` with metadata ``alipay-account`` (read as a
    mapping too): what beangulp's and Fava's extract return, as Fava cannot save a ``custom``."""
    chart.check_valid(account)
    meta = data.new_metadata(str(path), 0)
    meta[ACCOUNT_META] = account_id
    comment = f"支付宝账号 {account_id} 的账务明细记入此科目（首次导入时写入，请保留此条）"
    return data.Note(meta, date, account, comment, data.EMPTY_SET, data.EMPTY_SET)


# --- opening balance -------------------------------------------------------------------------

#: Printed above an opening entry by :func:`format_entry`.
OPENING_COMMENT = (
    "; 期初余额：取自支付宝账务明细第一行之前的余额（账簿中此科目尚无记录）。\n"
    "; 如有期初余额表，请删除此分录，改用 tmall-books init --opening FILE 写入全部科目的期初余额。\n"
)


def opening_entry(
    account: str, date: datetime.date, amount: Amount, path: str, line: int | None
) -> data.Transaction:
    """The opening entry of an Alipay account: ``amount`` against 实收资本 on ``date``, flagged
    ``!`` and tagged ``#opening`` (see :data:`OPENING_COMMENT`)."""
    meta = data.new_metadata(str(path), line or 0)
    meta["source"] = SOURCE
    postings = [
        data.Posting(account, amount, None, None, None, None),
        data.Posting(chart.PAID_IN_CAPITAL, -amount, None, None, None, None),
    ]
    return data.Transaction(
        meta, date, REVIEW_FLAG, "期初余额", "支付宝期初余额（账务明细首行之前的余额；有期初余额表时请替换）",
        frozenset({OPENING_TAG}), data.EMPTY_SET, postings,
    )


def is_opening(entry: data.Directive) -> bool:
    """Whether ``entry`` is an opening entry written by this importer."""
    return (
        isinstance(entry, data.Transaction)
        and OPENING_TAG in entry.tags
        and (entry.meta or {}).get("source") == SOURCE
    )


def format_entry(entry: data.Directive) -> str:
    """``printer.format_entry`` with the comment an opening entry carries in the ledger text."""
    text = printer.format_entry(entry)
    return OPENING_COMMENT + text if is_opening(entry) else text


def print_entries(entries: list[data.Directive], file) -> None:
    """``printer.print_entries`` (same layout) with :func:`format_entry`'s comments."""
    eprinter = printer.EntryPrinter()
    previous = type(entries[0]) if entries else None
    for entry in entries:
        kind = type(entry)
        if kind in (data.Transaction, data.Commodity) or kind is not previous:
            file.write("\n")
            previous = kind
        if is_opening(entry):
            file.write(OPENING_COMMENT)
        file.write(eprinter(entry))


# --- dedup against the ledger ----------------------------------------------------------------


@dataclass
class Window:
    """Where an entry of the ledger says its rows are: ``start``..``end`` of its day (datetimes),
    ``rows`` (``None`` if unknown) and ``digest`` (``None`` for an entry of an older version)."""

    start: datetime.datetime
    end: datetime.datetime
    rows: int | None
    digest: str | None
    where: str


def _where(entry) -> str:
    meta = entry.meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"


def _time(text) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(str(text))
    except ValueError:
        return None


def _window(entry: data.Transaction) -> Window:
    meta = entry.meta
    start = _time(meta.get("alipay-from")) if "alipay-from" in meta else None
    end = _time(meta.get("alipay-to")) if "alipay-to" in meta else None
    digest = None
    if start is None or end is None:
        start, end = _DAY_START, _DAY_END  # an older entry: its whole day
    else:
        end = end.replace(microsecond=999999)
        digest = str(meta.get("alipay-digest") or "") or None
    try:
        rows = int(str(meta.get("rows")))
    except ValueError:
        rows = None
    day = entry.date
    return Window(
        datetime.datetime.combine(day, start), datetime.datetime.combine(day, end), rows, digest,
        _where(entry),
    )


class Cluster:
    """The windows of one day and account that overlap (one, but for entries written by an older
    version or edited by hand), and the rows of the file being read that fall in them."""

    __slots__ = ("start", "end", "rows", "digest", "wheres", "count", "serials", "line")

    def __init__(self, window: Window):
        self.start, self.end = window.start, window.end
        self.rows, self.digest, self.wheres = window.rows, window.digest, [window.where]
        self.count = 0
        self.serials: list[str] = []
        self.line: int | None = None

    def add(self, window: Window) -> None:
        """Take in an overlapping window: the rows add up; the digests cannot (count only)."""
        self.end = max(self.end, window.end)
        self.rows = None if self.rows is None or window.rows is None else self.rows + window.rows
        self.digest = None
        self.wheres.append(window.where)


class AccountIndex:
    """What the ledger holds of one Alipay account's statements."""

    def __init__(self) -> None:
        self.serials: set[str] = set()
        self.windows: dict[datetime.date, list[Window]] = {}
        self.balances: set[tuple[datetime.date, Amount]] = set()
        #: ``(date, digest, rows)`` of the day entries (for beangulp's ``deduplicate``).
        self.entries: set[tuple] = set()
        #: The account's ``#opening`` entry: ``(date, where, written by an import)``, if any.
        self.opening: tuple[datetime.date, str, bool] | None = None
        #: The time of the earliest statement row the ledger holds.
        self.first: datetime.datetime | None = None

    def seen(self, when: datetime.datetime) -> None:
        if self.first is None or when < self.first:
            self.first = when

    def cutoff(self) -> tuple[datetime.datetime, str] | None:
        """Rows before this time are already in the account's opening balance: ``(time, where)``.

        An opening from a 期初余额表 holds everything before its date; one an import wrote from a
        statement's first balance, everything before the earliest row the ledger holds.
        """
        if self.opening is None:
            return None
        date, where, imported = self.opening
        if imported and self.first is not None:
            return self.first, where
        return datetime.datetime.combine(date, datetime.time()), where

    def clusters(self, date: datetime.date) -> list[Cluster] | None:
        """Fresh clusters of ``date``'s windows (to count a file's rows in), or ``None``."""
        windows = self.windows.get(date)
        if not windows:
            return None
        out: list[Cluster] = []
        for window in sorted(windows, key=lambda w: (w.start, w.end)):
            if out and window.start <= out[-1].end:
                out[-1].add(window)
            else:
                out.append(Cluster(window))
        return out


def history_accounts(entries: Iterable[data.Directive]) -> set[str]:
    """The accounts with a posting, a ``pad`` or a ``balance`` among ``entries`` (an account in it
    gets no opening entry from an import)."""
    out: set[str] = set()
    for entry in entries or ():
        if isinstance(entry, data.Transaction):
            out.update(p.account for p in entry.postings)
        elif isinstance(entry, (data.Balance, data.Pad)):
            out.add(entry.account)
    return out


class Existing:
    """What the ledger already holds from the Alipay statements, by Alipay account.

    A transaction from a statement (metadata ``alipay-serial``, ``alipay-first`` or
    ``alipay-digest``) belongs to the account of its first posting (the importer writes the
    Alipay posting first). ``history`` is computed from ``history`` entries (default: ``entries``):
    the accounts with any posting, ``pad`` or ``balance``. ``mapping`` is :func:`account_map`.
    """

    def __init__(
        self,
        entries: Iterable[data.Directive] = (),
        account: str | None = None,  # accepted for compatibility; the index is per account
        *,
        history: Iterable[data.Directive] | None = None,
    ):
        self._index: dict[str, AccountIndex] = {}
        self.mapping: dict[str, str] = {}
        self.history: set[str] = set()
        entries = list(entries or ())
        own_history = history is None
        for entry in entries:
            if isinstance(entry, data.Transaction):
                if own_history:
                    self.history.update(p.account for p in entry.postings)
                meta = entry.meta or {}
                if OPENING_TAG in entry.tags:
                    for posting in entry.postings:
                        index = self.index(posting.account)
                        if index.opening is None or entry.date < index.opening[0]:
                            index.opening = (entry.date, _where(entry), is_opening(entry))
                if not entry.postings or not (
                    "alipay-serial" in meta or "alipay-first" in meta or "alipay-digest" in meta
                ):
                    continue
                index = self.index(entry.postings[0].account)
                if "alipay-serial" in meta:
                    index.serials.add(str(meta["alipay-serial"]))
                    index.seen(datetime.datetime.combine(
                        entry.date, _time(meta.get("time", "")) or _DAY_START
                    ))
                    continue
                window = _window(entry)
                index.seen(window.start)
                index.windows.setdefault(entry.date, []).append(window)
                if window.digest is not None:
                    index.entries.add((entry.date, window.digest, window.rows))
            elif isinstance(entry, data.Balance):
                self.index(entry.account).balances.add((entry.date, entry.amount))
                if own_history:
                    self.history.add(entry.account)
            elif isinstance(entry, data.Pad):
                if own_history:
                    self.history.add(entry.account)
            else:
                _map_entry(entry, self.mapping)
        if not own_history:
            self.history = history_accounts(history)

    def index(self, account: str) -> AccountIndex:
        """The account's index (empty if the ledger holds nothing of it)."""
        index = self._index.get(account)
        if index is None:
            index = self._index[account] = AccountIndex()
        return index

    def has_history(self, account: str) -> bool:
        return account in self.history

    def __bool__(self) -> bool:
        return any(i.serials or i.windows or i.balances for i in self._index.values())


# --- entries ---------------------------------------------------------------------------------


@dataclass
class _Day:
    """What one entry of a statement day adds up to so far (``low``/``high``: smallest and
    largest serial, ``start``/``end``: time of the first and last row, ``serials``: its rows'
    serials until the day is complete, then ``digest``)."""

    first_line: int
    low: str
    high: str
    start: datetime.datetime
    end: datetime.datetime
    rows: int = 0
    sales: int = 0
    refunds: int = 0
    tagged: bool = False
    review: bool = False
    seg: int = 0
    digest: str = ""
    serials: list | None = field(default_factory=list)
    sums: dict = field(default_factory=dict)
    points: Decimal | None = None
    orders: list = field(default_factory=list)  # order ids whose points are counted


def _widen(low: str, high: str, serial: str) -> tuple[str, str]:
    """``low``..``high`` taking in ``serial``, compared by :func:`serial_key` (any serials)."""
    key = serial_key(serial)
    if key < serial_key(low):
        return serial, high
    if key > serial_key(high):
        return low, serial
    return low, high


@dataclass
class ExtractResult:
    """Entries of one statement, and what the accountant must be told (:func:`warnings`).

    ``unclassified``: ``(line, row)`` no rule took; ``review``: every row booked to ``suspense``
    (those plus rows a rule sends there). ``account``/``account_id``: the Alipay account booked
    and the statement's ``#账号`` id. ``adopt``: the text of the ``custom`` directive the ledger
    must keep when it adopts this statement's account (:func:`adopt_account_directive`), else
    ``None``. ``opening``: the opening entry written (also among ``entries``), else ``None``.
    """

    entries: list
    unclassified: list
    path: str
    rows: int = 0
    skipped: int = 0
    suspense: str = chart.SUSPENSE  # where the unclassified rows went
    review: list = field(default_factory=list)
    account: str = chart.ALIPAY
    account_id: str | None = None
    adopt: str | None = None
    opening: data.Transaction | None = None
    has_footer: bool = True
    first_time: datetime.datetime | None = None  # the statement's earliest row


class AlipayStatementImporter(beangulp.Importer):
    """Alipay account statement (CSV or bill-download zip) -> daily or per-row entries.

    ``account`` is the Alipay account a ledger that maps none adopts (see :func:`resolve_account`);
    ``accounts`` maps statement account ids (``"2088…"``) to accounts besides the ledger's mapping.
    ``orders`` maps a Tmall order id to the consumer points (CNY) the buyer paid with, from the
    order export; sale entries then carry ``consumer-points``. ``orders="beside"`` reads them from
    the Tmall order exports (订单报表) in the statement's own folder, as Fava's import page and
    beangulp see an inbox: the store drops the statement and the order exports there together.
    ``row_accounts``: rows booked to these accounts (or their sub-accounts) are a posting each,
    with ``alipay-serial``, ``order-id``, the rule's captures and ``memo`` (default: 售后赔付, so
    each payment to a buyer is approved on its own).
    """

    #: ``orders=BESIDE``: the order exports next to each statement.
    BESIDE = "beside"

    def __init__(
        self,
        account: str = chart.ALIPAY,
        rules: RuleTable | str | Path | None = None,
        per_row: bool = False,
        mask: bool = True,
        orders: Mapping[str, Decimal] | str | None = None,
        currency: str = chart.CURRENCY,
        suspense: str = chart.SUSPENSE,
        accounts: Mapping[str, str] | None = None,
        row_accounts: Iterable[str] = (chart.COMPENSATION,),
    ):
        self._account = chart.check_valid(account)
        self.accounts = {str(k).strip(): chart.check_valid(v) for k, v in (accounts or {}).items()}
        self.rules = rules if isinstance(rules, RuleTable) else load_rules(rules)
        self.per_row = per_row
        self.mask = mask
        self.orders = orders or {}
        self.currency = currency
        self.suspense = suspense
        self._order = {a.account: i for i, a in enumerate(chart.CHART)}
        self.row_accounts = tuple(chart.check_valid(a) for a in row_accounts)
        self._row_kept: dict[str, bool] = {}

    def _kept_apart(self, account: str) -> bool:
        """Whether rows booked to ``account`` are a posting each (``row_accounts`` and their
        sub-accounts)."""
        kept = self._row_kept.get(account)
        if kept is None:
            kept = self._row_kept[account] = any(
                account == a or account.startswith(a + ":") for a in self.row_accounts
            )
        return kept

    def _orders_for(self, filepath) -> Mapping[str, Decimal]:
        """The consumer points by order id for this statement (see ``orders``)."""
        if self.orders != self.BESIDE:
            return self.orders
        if not isinstance(filepath, (str, Path)):
            return {}
        folder = Path(filepath).parent
        exports = sorted(p for p in folder.iterdir() if p.is_file() and tmall_orders.identify(p))
        return tmall_orders.consumer_points(exports)

    @property
    def name(self) -> str:
        return "beancount_tmall.alipay_statement"

    def identify(self, filepath: str) -> bool:
        return alipay_statement.identify(filepath)

    def account(self, filepath: str) -> str:
        """The account beangulp and Fava file the statement under: its ``#账号`` mapped by
        ``accounts``, else ``account`` (the ledger's own mapping is not known here)."""
        if self.accounts:
            statement = AlipayStatement(filepath)
            try:
                next(iter(statement), None)
            except SourceError:
                return self._account
            mapped = self.accounts.get((statement.account or "").strip())
            if mapped:
                return mapped
        return self._account

    def date(self, filepath: str) -> datetime.date | None:
        """The statement's last day (its banner's 终止日期), for beangulp's archive."""
        return alipay_statement.statement_end(filepath)

    def filename(self, filepath: str) -> str | None:
        """Archive under the download's own name (it holds the account and the period)."""
        return None

    def extract(self, filepath: str, existing: data.Entries = None) -> data.Entries:
        """beangulp's and Fava's extract: the entries, the adoption (:func:`adopt_account_note`)
        if any, and a ``note`` carrying :func:`warnings` (Fava's import page shows no stderr)."""
        result = self.extract_file(filepath, existing if existing is not None else [])
        report(result)
        entries = list(result.entries)
        if result.adopt and result.first_time is not None:
            entries.insert(0, adopt_account_note(
                result.account_id, result.account, result.first_time.date(), result.path
            ))
        note = warning_note(result)
        if note is not None:
            entries.append(note)
        return entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark entries ``existing`` already holds: the same day entry (date, digest, rows), the
        same per-row serial, the same balance.

        ``extract`` already left out what the ledger holds, checked row by row; this catches a
        statement given twice in one beangulp run (the CSV and its zip), and an opening entry when
        a statement extracted before it in the run already booked the account (beangulp passes
        each file the ledger alone: give the earliest statement first). A day entry whose
        window overlaps another's of the run without being the same (two different downloads
        of one day in one run) is flagged ``!`` with ``alipay-overlap: "<file:line>"`` and says
        so in its narration: extract one file, save, then the other.
        """
        known = Existing(existing)
        if not known and not known.history:
            return

        def is_known(entry: data.Directive) -> bool:
            if isinstance(entry, data.Balance):
                return (entry.date, entry.amount) in known.index(entry.account).balances
            if not isinstance(entry, data.Transaction) or not entry.postings:
                return False
            if is_opening(entry):  # a statement of this run before it already opened the account
                return known.has_history(entry.postings[0].account)
            meta = entry.meta or {}
            index = known.index(entry.postings[0].account)
            if "alipay-serial" in meta:
                return str(meta["alipay-serial"]) in index.serials
            if "alipay-digest" in meta:
                window = _window(entry)
                return (entry.date, window.digest, window.rows) in index.entries
            return False

        mark_duplicates(entries, is_known)
        for i, entry in enumerate(entries):
            if not isinstance(entry, data.Transaction) or "alipay-digest" not in (entry.meta or {}):
                continue
            if entry.meta.get(DUPLICATE):
                continue
            window = _window(entry)
            overlaps = [
                w.where for w in known.index(entry.postings[0].account).windows.get(entry.date, ())
                if w.start <= window.end and window.start <= w.end
            ]
            if overlaps:
                # Two downloads of one day given in one run, overlapping but not the same: the
                # rows both hold would be booked twice. Never silently: flag it, say where.
                where = "、".join(overlaps)
                entries[i] = entry._replace(
                    flag=REVIEW_FLAG,
                    narration=f"【与 {where} 的条目时段重叠，勿保存：先保存其一再导入另一份】{entry.narration}",
                    meta={**entry.meta, "alipay-overlap": where},
                )

    def extract_file(
        self,
        filepath: str | Path | bytes,
        existing: data.Entries | Existing | None = None,
        progress: Callable[[int, int], None] | None = None,
        name: str | None = None,
    ) -> ExtractResult:
        """Read and verify the whole statement, then build its entries (raises SourceError).

        ``existing``: the ledger's entries (or an :class:`Existing`). Given (even empty), the
        statement's account is resolved against the ledger's mapping (and adopted if it maps
        none), and an opening entry is written for an account without history; ``None`` reads
        the statement alone (the account from ``accounts`` or ``account``; no opening).

        Rows must be in date order, oldest or newest first (the direction is taken from the first
        change of date). The balance assertion after the file's latest day is written only when
        the banner's 终止日期 (and the 导出时间, if earlier) shows the file covers that day to
        midnight. A balance assertion already in the ledger with the same date and amount is left
        out (with another amount it is written, so bean-check shows the conflict).
        """
        aware = existing is not None
        known = existing if isinstance(existing, Existing) else Existing(existing or ())
        statement = AlipayStatement(filepath, name=name, progress=progress)
        rows_iter = iter(statement)
        first_row = next(rows_iter, None)
        account, adopted = resolve_account(
            statement, known if aware else None, self.accounts, self._account
        )
        index = known.index(account)
        serials_known = index.serials
        windowed = bool(index.windows)
        cutoff = index.cutoff()
        unclassified: list[tuple[int, StatementRow]] = []
        review: list[tuple[int, StatementRow]] = []
        per_row = self.per_row
        classify = self.rules.classify
        orders = self._orders_for(filepath)
        # (date, segment) -> entry: a day's rows between (around) the ledger's windows of that
        # day form one entry per gap, so that the windows of a day never overlap.
        days: dict[tuple[datetime.date, int], _Day] = {}
        open_days: list[_Day] = []  # the current date's entries (their serials still kept)
        txns: list[data.Transaction] = []
        balances: dict[datetime.date, list] = {}
        checks: dict[datetime.date, list[Cluster]] = {}
        day_lines: dict[datetime.date, int] = {}
        captures_of: dict[int, Callable | None] = {}
        rows = skipped = 0
        suspense = self.suspense
        kept_apart, kept = self._kept_apart, self._row_kept  # (the cache kept_apart fills)
        day = current = bal = newest_first = clusters = None
        ends: list[datetime.datetime] = []
        seg = 0
        first_seen = last_seen = None
        # The current day's smallest and largest serial; ``width`` is their length while both
        # are ASCII digit strings of one length (a digit serial of that length then compares
        # as text, cheaply), else -1.
        low = high = ""
        width = -1
        day_lo = day_hi = datetime.datetime.max  # the current date's bounds: [00:00, next 00:00)
        for row in chain((first_row,), rows_iter) if first_row is not None else ():
            rows += 1
            time = row.time
            if day_lo <= time < day_hi:  # the same date as the row before (cheaper than .date())
                date = current
            else:
                date = time.date()
                day_lo = datetime.datetime.combine(date, datetime.time())
                day_hi = day_lo + _ONE_DAY
            if date != current:
                if current is not None:
                    later = date > current
                    if newest_first is None:
                        newest_first = not later
                    elif later == newest_first:
                        raise SourceError(
                            statement.path, row.line,
                            f"第 {row.line} 行的日期 {date} 排在 {current} 之后，但文件是按"
                            f"{'从新到旧' if newest_first else '从旧到新'}排列的：请重新下载; "
                            f"rows are not in date order: {date} after {current}",
                        )
                if day is not None:
                    day.low, day.high = low, high
                for done in open_days:  # the date is complete: its digests, its serials freed
                    done.digest, done.serials = serial_digest(done.serials), None
                open_days.clear()
                current = date
                day = bal = None
                seg = 0
                day_lines.setdefault(date, row.line)
                if windowed:
                    clusters = checks.get(date)
                    if clusters is None:
                        clusters = index.clusters(date)
                        if clusters is not None:
                            checks[date] = clusters
                    ends = [c.end for c in clusters] if clusters else []
            if row.balance is not None:  # every row, known or not: the day's closing balance
                if bal is None:
                    bal = balances[date] = [row.balance, row.balance]
                else:
                    bal[1] = row.balance
                if first_seen is None:
                    first_seen = row
                last_seen = row
            serial = row.serial
            if serials_known and serial in serials_known:
                skipped += 1
                continue
            if clusters:
                # The windows are sorted and disjoint: the first ending at or after ``time``.
                seg = bisect_left(ends, time)
                if seg < len(clusters) and clusters[seg].start <= time:
                    cluster = clusters[seg]
                    cluster.count += 1
                    cluster.serials.append(serial)
                    if cluster.line is None:
                        cluster.line = row.line
                    skipped += 1
                    continue
                if day is not None and day.seg != seg:  # another gap between the windows
                    day.low, day.high = low, high
                    day = days.get((date, seg))
                    if day is not None:
                        low, high, width = day.low, day.high, -1
            if cutoff is not None and time < cutoff[0]:
                raise SourceError(
                    statement.path, row.line,
                    f"此行时间 {time} 早于账簿中 {account} 的期初余额 ({cutoff[1]}) 所含的时点 "
                    f"{cutoff[0]}: 期初余额已包含此前的收支, 再记此行会重复计算。请按时间顺序导入"
                    "(先删除该期初余额分录及其后导入的分录, 从最早的账务明细起导入), 或改正期初余额; "
                    f"row at {time} precedes the opening balance ({cutoff[1]}) as of {cutoff[0]}",
                )
            matched = classify(row)
            if len(matched) == 1:
                rule = matched[0]
                account_to, kind = rule.account, rule.kind
                fn = captures_of.get(id(rule), False)
                if fn is False:
                    fn = captures_of[id(rule)] = rule.captures if rule.has_captures else None
                caps = fn(row) if fn is not None else None
            elif not matched:
                account_to, kind, caps = suspense, "other", None
                unclassified.append((row.line, row))
            else:
                names = ", ".join(r.name for r in matched)
                raise SourceError(
                    statement.path, row.line,
                    f"该行 ({row.biz_type} / {row.remark!r} / {row.order_no!r}) 同时符合多条规则: "
                    f"{names}；请在规则表中用 priority 指明哪一条; row matches several rules: {names}",
                )
            if account_to == suspense:
                review.append((row.line, row))
            points = None
            if kind == "sale" and orders:
                tid = order_id(row)
                points = orders.get(tid) if tid else None
            if per_row:
                if not row.amount.is_finite():
                    raise SourceError(statement.path, row.line, f"金额 {row.amount} 不是有限的数; not finite")
                txns.append(self._row_entry(
                    statement, row, account, account_to, kind, points, caps
                ))
                continue
            if day is None:
                day = days[date, seg] = _Day(row.line, serial, serial, time, time, seg=seg)
                open_days.append(day)
                low = high = serial
                width = len(serial) if serial.isdigit() and serial.isascii() else -1
            elif len(serial) == width and serial.isdigit() and serial.isascii():  # ASCII digits
                if serial > high:
                    high = serial
                elif serial < low:
                    low = serial
            else:
                low, high = _widen(low, high, serial)
                width = -1
            if time < day.start:
                day.start = time
            elif time > day.end:
                day.end = time
            day.rows += 1
            day.serials.append(serial)
            if kind != "other":
                day.tagged = True
                if kind == "sale":
                    day.sales += 1
                    if points:
                        day.points = (day.points or 0) + points
                        day.orders.append(tid)
                elif kind == "refund":
                    day.refunds += 1
            if account_to == suspense:
                # One posting per row to review, with where it comes from.
                day.review = True
                key = (account_to, "row", row.line, self._review_meta(row_source(statement, row), row))
            elif kept.get(account_to) or (account_to not in kept and kept_apart(account_to)):
                key = (account_to, "row", row.line, self._row_meta(row, caps))
            elif kind == "refund" or caps:
                # Refunds to buyers keep a posting of their own (not netted with the day's
                # sales) so returns can be read from the ledger; postings of different captures
                # (a fee of 2025, a refund of 2024's) are never netted either.
                key = (account_to, kind if kind == "refund" else "", 0, self._caps(caps))
            else:
                key = account_to
            sums = day.sums
            sums[key] = sums.get(key, 0) - row.amount
        if day is not None:
            day.low, day.high = low, high
        for done in open_days:
            done.digest, done.serials = serial_digest(done.serials), None
        # The file's time span: its first and last rows (files are in time order), and the
        # days' own extremes.
        tmin = tmax = None
        if first_row is not None:
            times = [first_row.time, row.time, *(d.start for d in days.values()), *(d.end for d in days.values())]
            tmin, tmax = min(times), max(times)
        has_footer = bool(getattr(statement, "has_footer", True))
        self._verify_overlaps(statement, checks, day_lines, tmin, tmax)
        descending = statement.descending
        if descending is None:
            descending = bool(newest_first)
        opening = None
        if aware and first_seen is not None and not known.has_history(account):
            earliest = last_seen if descending else first_seen
            before = earliest.balance - earliest.amount
            if before:
                opening = opening_entry(
                    account, earliest.time.date(), Amount(before, self.currency), statement.path,
                    earliest.line,
                )
        if balances:
            latest = max(balances)
            if not alipay_statement.covers_day(statement.covered_until, latest):
                del balances[latest]  # the file may stop inside that day
        entries: list = txns
        if not per_row:
            for (d, _), day in days.items():
                try:
                    entries.append(self._day_entry(statement.path, d, day, account, has_footer))
                except ValueError as exc:
                    raise SourceError(
                        statement.path, day.first_line, f"{d} 的金额合计不是有限的数; {exc}"
                    ) from None
        if opening is not None:
            entries.append(opening)
        for date, (first, last) in balances.items():
            when = date + datetime.timedelta(days=1)
            amount = Amount(first if descending else last, self.currency)
            if (when, amount) in index.balances:
                continue
            entries.append(
                data.Balance(data.new_metadata(statement.path, 0), when, account, amount, None, None)
            )
        entries.sort(key=data.entry_sortkey)
        account_id = getattr(statement, "account", None)
        adopt = None
        if adopted and account_id and first_row is not None:
            adopt = adopt_account_directive(account_id, account, tmin.date())
        return ExtractResult(
            entries, unclassified, statement.path, rows, skipped, suspense, review, account,
            account_id, adopt, opening, has_footer, tmin,
        )

    def _verify_overlaps(self, statement, checks, day_lines, tmin, tmax) -> None:
        """Refuse a file whose rows in a ledger entry's window are not exactly that entry's."""
        start = getattr(statement, "start", None)
        cover_start = min(tmin, start) if isinstance(start, datetime.datetime) and tmin else tmin
        end = statement.covered_until
        cover_end = max(tmax, end) if isinstance(end, datetime.datetime) and tmax else tmax
        for date, clusters in checks.items():
            for c in clusters:
                full = cover_start <= c.start and c.end <= cover_end
                if full:
                    ok = c.rows == c.count and (c.digest is None or c.digest == serial_digest(c.serials))
                else:
                    ok = c.rows is not None and c.count <= c.rows
                if ok:
                    continue
                where = "、".join(c.wheres)
                window = f"{c.start:%H:%M:%S}–{c.end:%H:%M:%S}"
                if c.rows == c.count:
                    seen = f"笔数同为 {c.count} 但流水号不同"
                elif full:
                    seen = f"本文件在该时段有 {c.count} 行，账簿条目记有 {c.rows} 行"
                else:
                    seen = f"本文件在该时段有 {c.count} 行，多于账簿条目的 {c.rows} 行"
                raise SourceError(
                    statement.path, c.line or day_lines.get(date),
                    f"{date} {window} 的行与账簿中已导入的条目 {where} 不一致：{seen}。"
                    "为免漏记或重记，本文件未导入；请核对两次下载，删除账簿中该日的条目后导入完整的"
                    f"一天; rows of {date} {window} differ from the ledger's entry {where} "
                    f"(file {c.count} rows, ledger {c.rows})",
                )

    def _caps(self, caps: Mapping[str, str] | None) -> tuple:
        if not caps:
            return ()
        if self.mask:
            return tuple(sorted((k, mask_narration(str(v))) for k, v in caps.items()))
        return tuple(sorted((k, str(v)) for k, v in caps.items()))

    def _review_meta(self, path: str, row: StatementRow) -> tuple:
        memo = " ".join(x for x in (row.biz_type, row.remark) if x)
        if self.mask:
            memo = mask_narration(memo)
        return (
            ("source-file", str(path)), ("source-line", str(row.line)),
            ("alipay-serial", row.serial), ("memo", memo),
        )

    def _row_meta(self, row: StatementRow, caps: Mapping[str, str] | None) -> tuple:
        """Metadata of a row kept apart: its serial, order id, the rule's captures, its memo."""
        memo = " ".join(x for x in (row.biz_type, row.remark) if x)
        meta = [("alipay-serial", row.serial)]
        tid = order_id(row)
        if tid:
            meta.append(("order-id", tid))  # never a phone number (``order_id``); not personal
        meta += [(k, v) for k, v in self._caps(caps) if k not in ("alipay-serial", "order-id", "memo")]
        meta.append(("memo", mask_narration(memo) if self.mask else memo))
        return tuple(meta)

    def _postings(self, alipay_account: str, sums: Mapping) -> list[data.Posting]:
        """The Alipay posting (net of everything) and one posting per account (and part).

        Keys are account names, or ``(account, part, line, meta)`` for a part kept apart from the
        rest of its account: ``part`` is ``"refund"`` (refunds to buyers beside the day's sales),
        ``"row"`` (a row to review, or of a ``row_accounts`` account: one posting each) or ``""``; ``meta`` the posting's metadata
        as ``(key, value)`` pairs (the rule's captures, or where a row to review comes from).
        """
        alipay = -sum(sums.values(), Decimal(0))
        if not alipay.is_finite():  # the parser refuses such amounts; never print "Infinity CNY"
            raise ValueError(f"amount {alipay} is not finite")
        order = self._order
        n = len(order)

        def sort_key(key):
            if isinstance(key, str):
                return (order.get(key, n), key, "", 0, ())
            return (order.get(key[0], n), *key)

        postings = [data.Posting(alipay_account, Amount(alipay, self.currency), None, None, None, None)]
        for key in sorted(sums, key=sort_key):
            amount = sums[key]
            if isinstance(key, str):
                if amount:
                    postings.append(data.Posting(key, Amount(amount, self.currency), None, None, None, None))
                continue
            if amount or key[1] == "row":
                meta = dict(key[3]) or None
                postings.append(data.Posting(key[0], Amount(amount, self.currency), None, None, None, meta))
        return postings

    def _cny(self, number: Decimal) -> str:
        """A money amount as metadata: the text ``"2.50 CNY"``.

        Text, not an Amount: Fava 1.30's import page sends metadata through JSON and back when
        the user presses Save, and keeps only text intact (an Amount comes back as a dict and is
        dropped, a number as an int or float the printer refuses; fava#1607). The plugins read
        both forms.
        """
        return f"{Decimal(number).quantize(Decimal('0.01'))} {self.currency}"

    def _day_entry(
        self, path: str, date: datetime.date, day: _Day, account: str, has_footer: bool
    ) -> data.Transaction:
        meta = data.new_metadata(path, day.first_line)
        meta["source"] = SOURCE
        meta["alipay-first"] = day.low
        meta["alipay-last"] = day.high
        meta["alipay-from"] = f"{day.start:%H:%M:%S}"
        meta["alipay-to"] = f"{day.end:%H:%M:%S}"
        meta["rows"] = str(day.rows)
        meta["alipay-digest"] = day.digest
        if day.sales:
            meta["sales"] = str(day.sales)
        if day.refunds:
            meta["refunds"] = str(day.refunds)
        if day.points:
            meta["consumer-points"] = self._cny(day.points)
            meta["points-orders"] = " ".join(sorted(set(day.orders)))
        if not has_footer:
            meta["footer"] = NO_FOOTER
        tags = frozenset({SALE_TAG}) if day.tagged else data.EMPTY_SET
        return data.Transaction(
            meta, date, REVIEW_FLAG if day.review else "*", "支付宝",
            f"{date:%Y-%m-%d} 支付宝结算 {day.rows} 笔", tags, data.EMPTY_SET,
            self._postings(account, day.sums),
        )

    def _row_entry(
        self, statement, row: StatementRow, account, account_to, kind, points, caps
    ) -> data.Transaction:
        path = row_source(statement, row)
        meta = data.new_metadata(path, row.line)
        meta["source"] = SOURCE
        meta["alipay-serial"] = row.serial
        meta["time"] = f"{row.time:%H:%M:%S}"
        tid = order_id(row)
        if tid:
            meta["order-id"] = tid  # an order id, never a phone number (``order_id``): kept whole
        if points:
            meta["consumer-points"] = self._cny(points)
        if row.counterparty:
            meta["counterparty"] = mask(row.counterparty) if self.mask else row.counterparty
        if not getattr(statement, "has_footer", True):
            meta["footer"] = NO_FOOTER
        payee = row.counterparty_name or "支付宝"
        if self.mask and row.counterparty_name:
            payee = mask(payee)
        narration = " ".join(x for x in (row.biz_type, row.remark) if x)
        if self.mask:
            narration = mask_narration(narration)
        tags = frozenset({SALE_TAG}) if kind != "other" else data.EMPTY_SET
        review = account_to == self.suspense
        if review:
            key = (account_to, "row", row.line, self._review_meta(path, row))
        elif self._kept_apart(account_to):
            key = (account_to, "row", row.line, self._row_meta(row, caps))
        elif caps or kind == "refund":
            key = (account_to, kind if kind == "refund" else "", 0, self._caps(caps))
        else:
            key = account_to
        return data.Transaction(
            meta, row.time.date(), REVIEW_FLAG if review else "*", payee, narration, tags,
            data.EMPTY_SET, self._postings(account, {key: -row.amount}),
        )


# --- what the accountant is told -------------------------------------------------------------


def warnings(result: ExtractResult, limit: int = 20) -> list[str]:
    """The messages (Chinese first) an accountant must read about an import: rows to review (with
    their lines), the opening balance written, the account adopted, a file without footer."""
    out = []
    path = result.path
    if result.review:
        lines = [str(line) for line, _ in result.review]
        more = f" …（另 {len(lines) - limit} 行）" if len(lines) > limit else ""
        # Masked whole, then cut: a cut phone number or e-mail would no longer be recognised.
        kinds = sorted({mask_narration(f"{r.biz_type}/{r.remark}")[:40] for _, r in result.review[:limit]})
        out.append(
            f"{path}: {len(lines)} 行记入待核对 {result.suspense}（分录标记 !），请逐行核对后改记正确科目: "
            f"第 {', '.join(lines[:limit])}{more} 行 ({'; '.join(kinds)}); "
            f"{len(lines)} rows to review"
            + (f", {len(result.unclassified)} rows match no rule" if result.unclassified else "")
        )
    if result.opening is not None:
        amount = result.opening.postings[0].units
        out.append(
            f"{path}: 账簿中 {result.account} 尚无记录，已按账务明细第 {result.opening.meta['lineno']} "
            f"行之前的余额 {amount} 写入期初余额分录 ({result.opening.date}, #opening, 对方科目 "
            f"{chart.PAID_IN_CAPITAL})；如有期初余额表，请删除该分录，改用 tmall-books init --opening "
            "FILE; opening balance written"
        )
    if result.adopt:
        out.append(
            f"{path}: 账簿尚未映射支付宝账号，账号 {result.account_id} 记入 {result.account}，"
            f'并写入 custom "{ACCOUNT_CUSTOM}" 指令；其他账号的账务明细须先映射; account adopted'
        )
    if not result.has_footer:
        out.append(
            f"{path}: 文件没有 #…合计 行，只按余额链逐行核对（无法核对笔数与合计），分录元数据 "
            f'footer: "{NO_FOOTER}"; no footer: verified by the balance chain only'
        )
    return out


def report(result: ExtractResult, out=None, limit: int = 20) -> None:
    """Print :func:`warnings` and the rows left out as already in the ledger, on stderr."""
    out = out or sys.stderr
    for message in warnings(result, limit):
        print(message, file=out)
    if result.skipped:
        print(f"{result.path}: {result.skipped} 行已在账簿中，略过; rows already in the ledger", file=out)


#: The former name of :func:`report`.
report_unclassified = report


def row_source(statement: AlipayStatement, row: StatementRow) -> str:
    """The file a row was read from: the statement, or its part (``zip!entry``) in a bill zip."""
    parts = getattr(statement, "parts", None)
    part = getattr(row, "part", 0)
    if parts and 0 <= part < len(parts):
        return parts[part]
    return statement.path


def warning_note(result: ExtractResult) -> data.Note | None:
    """A ``note`` carrying :func:`warnings`, on the suspense account when rows are to review, else
    the Alipay account, dated the statement's last entry; ``None`` when nothing new was extracted
    or there is nothing to say."""
    messages = warnings(result)
    dated = [e.date for e in result.entries]
    if not messages or not dated:
        return None
    account = result.suspense if result.review else result.account
    comment = "tmall-books 导入提示: " + " | ".join(m.replace('"', "'") for m in messages)
    meta = data.new_metadata(result.path, 0)
    meta["source"] = SOURCE
    return data.Note(meta, max(dated), account, comment, data.EMPTY_SET, data.EMPTY_SET)
