"""beangulp importer for the Alipay merchant account statement (支付宝账务明细).

Rows come typed from :mod:`beancount_tmall.formats.alipay_statement`; each is classified by the
rule table (data: ``beancount_tmall/rules/alipay.toml``, extendable by the store) and becomes, by
default, part of ONE transaction per statement day (CONTRACTS, DESIGN §6)::

    2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔" #tmall-sale
      source: "alipay-statement"
      alipay-first: "20250315200040011100123400000001"
      alipay-last: "20250315200040011100123400000003"
      rows: 3
      sales: 1                  ; sale rows (交易成功)
      ; refunds: 1      refund rows, when the day refunds buyers: they get a second income
      ;                 posting (a debit) of their own instead of being netted with the sales
      Assets:1012-其他货币资金:101201-支付宝          94.40 CNY
      Assets:1221-其他应收款:122101-天猫佣金           5.00 CNY
      Assets:1221-其他应收款:122102-天猫积分           0.50 CNY
      Expenses:6603-财务费用:660301-支付手续费         0.10 CNY
      Income:6001-主营业务收入                      -100.00 CNY

    2025-03-16 balance Assets:1012-其他货币资金:101201-支付宝  94.40 CNY

or, with ``per_row``, one transaction per row carrying ``alipay-serial`` and ``order-id``.
``alipay-first``/``alipay-last`` are the day's smallest and largest 账务流水号 whatever the order of
the file. Rows already in the ledger (their 账务流水号 inside an entry's ``alipay-first``..
``alipay-last`` or equal to an ``alipay-serial``, of an entry posting to this importer's account)
and balance assertions already there with the same amount are left out.

Each day gets a balance assertion on the next day, but for the file's latest day when the file is
not known to cover it to midnight (banner's 终止日期 and footer's 导出时间; a file without that
banner, as some downloads of the newer family are, never gives its latest day's balance). Rows
must be in date order, oldest or newest first.
"""

from __future__ import annotations

import datetime
import sys
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount

from beancount_tmall import accounts
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
SALE_TAG = "tmall-sale"


# --- dedup against the ledger ----------------------------------------------------------------


def serial_key(serial: str) -> tuple:
    """Serials compare as integers when numeric (they are monotonic), else as text."""
    return (0, int(serial)) if serial.isdigit() else (1, serial)


class Existing:
    """What the ledger already holds from the Alipay statements of ``account``.

    Serial ranges (``alipay-first``..``alipay-last``, in either order) and serials
    (``alipay-serial``) come only from transactions with a posting to ``account``: another Alipay
    account's statements have serials of their own. ``balances`` holds ``(date, amount)`` of the
    account's balance assertions.
    """

    def __init__(self, entries: Iterable[data.Directive] = (), account: str = accounts.ALIPAY):
        ranges, self.serials = [], set()
        self.balances: set[tuple[datetime.date, Amount]] = set()
        for entry in entries or ():
            if isinstance(entry, data.Transaction):
                meta = entry.meta or {}
                ranged = "alipay-first" in meta and "alipay-last" in meta
                if not (ranged or "alipay-serial" in meta):
                    continue
                if not any(p.account == account for p in entry.postings):
                    continue
                if ranged:
                    lo = serial_key(str(meta["alipay-first"]))
                    hi = serial_key(str(meta["alipay-last"]))
                    ranges.append((lo, hi) if lo <= hi else (hi, lo))
                if "alipay-serial" in meta:
                    self.serials.add(serial_key(str(meta["alipay-serial"])))
            elif isinstance(entry, data.Balance) and entry.account == account:
                self.balances.add((entry.date, entry.amount))
        ranges.sort()
        merged: list[list] = []
        for lo, hi in ranges:
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.lows = [lo for lo, _ in merged]
        self.highs = [hi for _, hi in merged]

    def __bool__(self) -> bool:
        return bool(self.lows or self.serials or self.balances)

    def has(self, key: tuple) -> bool:
        if key in self.serials:
            return True
        i = bisect_right(self.lows, key) - 1
        return i >= 0 and key <= self.highs[i]


# --- entries ---------------------------------------------------------------------------------


@dataclass
class _Day:
    """What one statement day adds up to so far.

    ``low``/``high`` are its smallest and largest serial (by :func:`serial_key`), whatever the
    order of the file (set when the day is complete).
    """

    first_line: int
    low: str
    high: str
    rows: int = 0
    sales: int = 0
    refunds: int = 0
    tagged: bool = False
    sums: dict = field(default_factory=dict)
    points: Decimal | None = None


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
    """Entries of one statement and the rows no rule classified (``(line, row)``)."""

    entries: list
    unclassified: list
    path: str
    rows: int = 0
    skipped: int = 0
    suspense: str = accounts.SUSPENSE  # where the unclassified rows went


class AlipayStatementImporter(beangulp.Importer):
    """Alipay account statement (CSV or bill-download zip) -> daily or per-row entries.

    ``orders`` maps a Tmall order id to the consumer points (CNY) the buyer paid with, from the
    order export; sale entries then carry ``consumer-points``. ``orders="beside"`` reads them from
    the Tmall order exports (订单报表) in the statement's own folder, as Fava's import page and
    beangulp see an inbox: the store drops the statement and the order exports there together.
    """

    #: ``orders=BESIDE``: the order exports next to each statement.
    BESIDE = "beside"

    def __init__(
        self,
        account: str = accounts.ALIPAY,
        rules: RuleTable | str | Path | None = None,
        per_row: bool = False,
        mask: bool = True,
        orders: Mapping[str, Decimal] | str | None = None,
        currency: str = accounts.CURRENCY,
        suspense: str = accounts.SUSPENSE,
    ):
        self._account = accounts.check_valid(account)
        self.rules = rules if isinstance(rules, RuleTable) else load_rules(rules)
        self.per_row = per_row
        self.mask = mask
        self.orders = orders or {}
        self.currency = currency
        self.suspense = suspense
        order = [accounts.ALIPAY] + [a.account for a in accounts.CHART]
        self._order = {a: i for i, a in enumerate(dict.fromkeys([account] + order))}

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
        return self._account

    def date(self, filepath: str) -> datetime.date | None:
        """The statement's last day (its banner's 终止日期), for beangulp's archive."""
        return alipay_statement.statement_end(filepath)

    def filename(self, filepath: str) -> str | None:
        """Archive under the download's own name (it holds the account and the period)."""
        return None

    def extract(self, filepath: str, existing: data.Entries = None) -> data.Entries:
        result = self.extract_file(filepath, existing)
        report_unclassified(result)
        return result.entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark entries whose rows (or balance date) ``existing`` already holds.

        ``extract`` already left out what the ledger holds; this catches a statement given twice
        in one beangulp run (the CSV and its zip, or two overlapping downloads of whole days).
        """
        known = Existing(existing, self._account)
        if not known:
            return

        def is_known(entry: data.Directive) -> bool:
            if isinstance(entry, data.Balance):
                return entry.account == self._account and (entry.date, entry.amount) in known.balances
            meta = entry.meta or {}
            if "alipay-serial" in meta:
                return known.has(serial_key(str(meta["alipay-serial"])))
            if "alipay-first" in meta and "alipay-last" in meta:
                return known.has(serial_key(str(meta["alipay-first"]))) and known.has(
                    serial_key(str(meta["alipay-last"]))
                )
            return False

        mark_duplicates(entries, is_known)

    def extract_file(
        self,
        filepath: str | Path | bytes,
        existing: data.Entries | Existing | None = None,
        progress: Callable[[int, int], None] | None = None,
        name: str | None = None,
    ) -> ExtractResult:
        """Read and verify the whole statement, then build its entries (raises SourceError).

        Rows must be in date order, oldest or newest first (the direction is taken from the first
        change of date). The balance assertion after the file's latest day is written only when
        the banner's 终止日期 (and the 导出时间, if earlier) shows the file covers that day to
        midnight: a file cut inside a day (or without a banner, as some downloads of the newer
        family are) cannot tell that day's closing balance, and the next file will. A balance
        assertion already in the ledger with the same date and amount is left out (with another
        amount it is written, so bean-check shows the conflict).
        """
        known = existing if isinstance(existing, Existing) else Existing(existing or (), self._account)
        statement = AlipayStatement(filepath, name=name, progress=progress)
        unclassified: list[tuple[int, StatementRow]] = []
        per_row = self.per_row
        classify = self.rules.classify
        orders = self._orders_for(filepath)
        days: dict[datetime.date, _Day] = {}
        txns: list[data.Transaction] = []
        balances: dict[datetime.date, list] = {}
        rows = skipped = 0
        check = bool(known)
        suspense = self.suspense
        day = current = bal = newest_first = None
        # The current day's smallest and largest serial; ``width`` is their length while both
        # are ASCII digit strings of one length (a digit serial of that length then compares
        # as text, cheaply), else -1.
        low = high = ""
        width = -1
        for row in statement:
            rows += 1
            date = row.time.date()
            if date != current:
                if current is not None:
                    later = date > current
                    if newest_first is None:
                        newest_first = not later
                    elif later == newest_first:
                        raise SourceError(
                            statement.path, row.line,
                            f"rows are not in date order: {date} after {current} (the file lists "
                            f"{'newest' if newest_first else 'oldest'} first); download it again",
                        )
                if day is not None:
                    day.low, day.high = low, high
                current = date
                day = bal = None
            if row.balance is not None:  # every row, known or not: the day's closing balance
                if bal is None:
                    bal = balances[date] = [row.balance, row.balance]
                else:
                    bal[1] = row.balance
            serial = row.serial
            if check and known.has(serial_key(serial)):
                skipped += 1
                continue
            matched = classify(row)
            if len(matched) == 1:
                rule = matched[0]
                account, kind = rule.account, rule.kind
            elif not matched:
                account, kind = suspense, "other"
                unclassified.append((row.line, row))
            else:
                names = ", ".join(r.name for r in matched)
                raise SourceError(
                    statement.path, row.line,
                    f"row ({row.biz_type} / {row.remark!r} / {row.order_no!r}) matches several "
                    f"rules: {names}; make the rule table say which one",
                )
            points = None
            if kind == "sale" and orders:
                tid = order_id(row)
                points = orders.get(tid) if tid else None
            if per_row:
                txns.append(self._row_entry(statement.path, row, account, kind, points))
                continue
            if day is None:
                day = days[date] = _Day(row.line, serial, serial)
                low = high = serial
                width = len(serial) if serial.encode().isdigit() else -1
            elif len(serial) == width and serial.encode().isdigit():  # ASCII digits; fast
                if serial > high:
                    high = serial
                elif serial < low:
                    low = serial
            else:
                low, high = _widen(low, high, serial)
                width = -1
            day.rows += 1
            if kind != "other":
                day.tagged = True
                if kind == "sale":
                    day.sales += 1
                    if points:
                        day.points = (day.points or 0) + points
                elif kind == "refund":
                    # Refunds to buyers keep a posting of their own (not netted with the day's
                    # sales) so returns and the return rate can be read from the ledger.
                    day.refunds += 1
                    account = (account, kind)
            sums = day.sums
            sums[account] = sums.get(account, 0) - row.amount
        if day is not None:
            day.low, day.high = low, high
        descending = statement.descending
        if descending is None:
            descending = bool(newest_first)
        if balances:
            latest = max(balances)
            if not alipay_statement.covers_day(statement.covered_until, latest):
                del balances[latest]  # the file may stop inside that day
        entries: list = txns if per_row else [
            self._day_entry(statement.path, d, day) for d, day in days.items()
        ]
        for date, (first, last) in balances.items():
            when = date + datetime.timedelta(days=1)
            amount = Amount(first if descending else last, self.currency)
            if (when, amount) in known.balances:
                continue
            entries.append(
                data.Balance(data.new_metadata(statement.path, 0), when, self._account, amount, None, None)
            )
        entries.sort(key=data.entry_sortkey)
        return ExtractResult(entries, unclassified, statement.path, rows, skipped, suspense)

    def _postings(self, sums: Mapping) -> list[data.Posting]:
        """The Alipay posting (net of everything) and one posting per account (and kind).

        Keys are account names, or ``(account, kind)`` for a part kept apart from the rest of
        its account (refunds to buyers beside the day's sales).
        """
        alipay = -sum(sums.values(), Decimal(0))
        order = self._order

        def sort_key(key):
            account = key if isinstance(key, str) else key[0]
            return (order.get(account, len(order)), account, isinstance(key, tuple))

        postings = [data.Posting(self._account, Amount(alipay, self.currency), None, None, None, None)]
        for key in sorted(sums, key=sort_key):
            if sums[key]:
                account = key if isinstance(key, str) else key[0]
                postings.append(
                    data.Posting(account, Amount(sums[key], self.currency), None, None, None, None)
                )
        return postings

    def _cny(self, number: Decimal) -> str:
        """A money amount as metadata: the text ``"2.50 CNY"``.

        Text, not an Amount: Fava 1.30's import page sends metadata through JSON and back when
        the user presses Save, and keeps only text intact (an Amount comes back as a dict and is
        dropped, a number as an int or float the printer refuses; fava#1607). The plugins read
        both forms.
        """
        return f"{Decimal(number).quantize(Decimal('0.01'))} {self.currency}"

    def _day_entry(self, path: str, date: datetime.date, day: _Day) -> data.Transaction:
        meta = data.new_metadata(path, day.first_line)
        meta["source"] = SOURCE
        meta["alipay-first"] = day.low
        meta["alipay-last"] = day.high
        meta["rows"] = str(day.rows)
        if day.sales:
            meta["sales"] = str(day.sales)
        if day.refunds:
            meta["refunds"] = str(day.refunds)
        if day.points:
            meta["consumer-points"] = self._cny(day.points)
        tags = frozenset({SALE_TAG}) if day.tagged else data.EMPTY_SET
        return data.Transaction(
            meta, date, "*", "支付宝", f"{date:%Y-%m-%d} 支付宝结算 {day.rows} 笔", tags,
            data.EMPTY_SET, self._postings(day.sums),
        )

    def _row_entry(self, path, row: StatementRow, account, kind, points) -> data.Transaction:
        meta = data.new_metadata(path, row.line)
        meta["source"] = SOURCE
        meta["alipay-serial"] = row.serial
        meta["time"] = f"{row.time:%H:%M:%S}"
        tid = order_id(row)
        if tid:
            meta["order-id"] = tid
        if points:
            meta["consumer-points"] = self._cny(points)
        if row.counterparty:
            meta["counterparty"] = mask(row.counterparty) if self.mask else row.counterparty
        payee = row.counterparty_name or "支付宝"
        if self.mask and row.counterparty_name:
            payee = mask(payee)
        narration = " ".join(x for x in (row.biz_type, row.remark) if x)
        if self.mask:
            narration = mask_narration(narration)
        tags = frozenset({SALE_TAG}) if kind != "other" else data.EMPTY_SET
        return data.Transaction(
            meta, row.time.date(), "*", payee, narration, tags, data.EMPTY_SET,
            self._postings({account: -row.amount}),
        )


def report_unclassified(result: ExtractResult, out=None, limit: int = 20) -> None:
    """Tell on stderr how many rows went to 待核对 and on which lines."""
    if not result.unclassified:
        return
    out = out or sys.stderr
    lines = [str(line) for line, _ in result.unclassified]
    more = f" … (+{len(lines) - limit} more)" if len(lines) > limit else ""
    kinds = sorted({f"{r.biz_type}/{r.remark[:20]}" for _, r in result.unclassified[:limit]})
    print(
        f"{result.path}: {len(lines)} rows match no rule and went to {result.suspense}: "
        f"lines {', '.join(lines[:limit])}{more} ({'; '.join(kinds)})",
        file=out,
    )
