"""订单核对 tab: which orders of the chosen month Tmall did not settle right (issue 9 §4).

The same findings as ``tmall-books reconcile orders`` (:mod:`beancount_tmall.orders`), computed
from the sources the import archived under the ledger's ``documents/`` (statements, order, item
and refund exports, recognised by their ``identify``, not by their names), with the store's
rates (``rates.toml`` beside main.beancount, :data:`STORE_RATES`: window, commission rates by
category) and its classification rules (``rules.toml``, as the import uses them). The tab shows
the chosen month's summary (count and amount per kind of finding) and its largest findings, each
linked to the Fava journal of its day: the day of the statement row, or, for an order never
settled, the day the buyer confirmed receipt (when Alipay should have settled it).

Cost and cache. The findings of a month need every export (the orders of earlier months are
known orders, not unknown ones) and the statements from the month on (give-backs may come after
the window), so one reconciliation of all archived sources gives every month at once, at the
cost of a single month. It runs once per input set and is kept per month: in memory, keyed by
each input file's kind, path, mtime and size (sources, rates, rules: a file archived, replaced or
touched computes it again), and on disk as JSON, one file per input set, under
``$TMALL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/beancount-tmall``, else
``~/.cache/beancount-tmall``) ``/orders/<sha256 of the key>.json``, so a restarted Fava does not
read the sources again. A source, rates or rules file that cannot be read is the tab's message,
never a failed page. ``?month=YYYY-MM`` chooses the month; by default the year's last month
whose window the statements cover.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.formats import alipay_statement, tmall_orders
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import filing
from beancount_tmall.importers.rules import RuleError, ledger_rules
from beancount_tmall.orders import engine
from beancount_tmall.orders.findings import LABELS
from beancount_tmall.orders.rates import Rates, RatesError, load_rates

KEY = "orders"
TITLE = "订单核对"
ORDER = 50

#: How many findings of a month the tab lists (the largest differences first).
TOP = 20
#: The store's rates file beside main.beancount (``tmall-books reconcile orders --rates``).
STORE_RATES = "rates.toml"
#: The source kinds the reconciliation reads, as :func:`filing.identify` names them.
KINDS = ("statement", "orders", "items", "refunds")
#: Bumped when what is cached changes shape.
CACHE_VERSION = 1
#: Input sets kept in memory (the oldest computed goes first).
MEMORY_SETS = 8
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ZERO = Decimal(0)


@dataclass(frozen=True)
class SourceFile:
    """An input file: its kind, path and the stat the cache is keyed by."""

    kind: str
    path: str
    mtime_ns: int
    size: int


@dataclass(frozen=True)
class FindingRow:
    """One finding as the tab shows it; ``day``: the journal its row links to (YYYY-MM-DD)."""

    kind: str
    label: str
    month: str
    order_id: str
    expected: Decimal | None
    seen: Decimal | None
    difference: Decimal  # |seen − expected|
    file: str
    line: int | None
    detail: str
    day: str | None = None


@dataclass(frozen=True)
class SummaryRow:
    """Count and amount (Σ |seen − expected|) of one kind of finding in a month."""

    kind: str
    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class MonthFindings:
    """One month: its summary and its top findings (the largest differences first)."""

    month: str
    summary: tuple[SummaryRow, ...]
    top: tuple[FindingRow, ...]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.summary)

    @property
    def amount(self) -> Decimal:
        return sum((s.amount for s in self.summary), ZERO)


@dataclass(frozen=True)
class LedgerFindings:
    """One reconciliation of all the ledger's archived sources, by month (what is cached)."""

    months: dict[str, MonthFindings]
    orders: int
    statement_rows: int
    pending: int
    window: int


@dataclass(frozen=True)
class OrdersView:
    """The tab: the months to choose from (with their counts), the chosen month's figures."""

    year: int
    month: str | None
    months: tuple[tuple[str, int], ...]  # (month, findings)
    complete: bool  # the statements cover the chosen month's whole window
    found: MonthFindings | None
    sources: dict[str, int]
    orders: int = 0
    statement_rows: int = 0
    pending: int = 0
    window: int = 1
    error: str | None = None
    journal: dict[str, str] = field(default_factory=dict)  # day -> Fava journal URL


# ---------------------------------------------------------------------------------- inputs

_identified: dict[tuple[str, int, int], str | None] = {}


@dataclass(frozen=True)
class Inputs:
    """What the findings depend on: the archived sources, the store's rates and rules."""

    sources: tuple[SourceFile, ...]
    rates: SourceFile | None = None
    rules: SourceFile | None = None

    def of(self, kind: str) -> list[str]:
        """The paths of the sources of ``kind``."""
        return [s.path for s in self.sources if s.kind == kind]

    def key(self) -> tuple:
        """Every input file's kind, path, mtime and size."""
        files = [*self.sources, *(f for f in (self.rates, self.rules) if f is not None)]
        return (CACHE_VERSION, tuple(sorted((f.kind, f.path, f.mtime_ns, f.size) for f in files)))


def _stat(kind: str, path: Path | None) -> SourceFile | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return SourceFile(kind, str(path), st.st_mtime_ns, st.st_size) if st is not None else None


def archived_sources(ledger: Path, options: dict[str, Any]) -> list[SourceFile]:
    """The statements and exports archived under the ledger's ``documents/`` (``filing``'s
    archive folder), recognised by their contents; a file is identified once per stat."""
    out = []
    for path in filing.archived_files(filing.documents_dir(Path(ledger), options)):
        found = _stat("", path)
        if found is None:
            continue
        key = (found.path, found.mtime_ns, found.size)
        if key not in _identified:
            _identified[key] = filing.identify(path)
        if _identified[key] in KINDS:
            out.append(SourceFile(_identified[key], found.path, found.mtime_ns, found.size))
    return out


def ledger_inputs(ledger: Path, options: dict[str, Any]) -> Inputs:
    """The archived sources, ``rates.toml`` and the store's rules of the ledger ``ledger``."""
    rules = ledger_rules(ledger)
    return Inputs(tuple(archived_sources(ledger, options)), _stat("rates", ledger.parent / STORE_RATES),
                  _stat("rules", Path(rules) if rules is not None else None))


def store_rates(inputs: Inputs) -> Rates:
    """The store's rates (the defaults without ``rates.toml``). Raises :class:`RatesError`."""
    return load_rates(inputs.rates.path if inputs.rates is not None else None)


def statement_months(sources: Iterable[SourceFile]) -> tuple[set[str], datetime.date | None]:
    """The months the statements' banners cover (any day of), and the last day covered whole."""
    months: set[str] = set()
    last: datetime.date | None = None
    for s in sources:
        if s.kind != "statement":
            continue
        start, end = alipay_statement.statement_period(s.path)
        if start is None or end is None:
            continue
        covered = (end - datetime.timedelta(seconds=1)).date()
        last = covered if last is None or covered > last else last
        month = start.date().replace(day=1)
        while month <= covered:
            months.add(f"{month:%Y-%m}")
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months, last


def window_end(month: str, window: int) -> datetime.date:
    """The last day of month ``month`` + ``window``."""
    y, m = map(int, month.split("-"))
    index = y * 12 + m - 1 + window + 1  # the month after the window
    return datetime.date(index // 12, index % 12 + 1, 1) - datetime.timedelta(days=1)


# ---------------------------------------------------------------------------------- computing


def _days(findings: Sequence[Any]) -> dict[tuple[str, int], str]:
    """The day of each finding's row: a statement row's time, an order's 确认收货时间 (else its
    payment time). Each file named is read until its rows asked for are found."""
    wanted: dict[str, set[int]] = {}
    for f in findings:
        if f.file and f.line:
            wanted.setdefault(f.file, set()).add(f.line)
    days: dict[tuple[str, int], str] = {}
    for path, lines in wanted.items():
        left = set(lines)
        try:
            if alipay_statement.identify(path):
                rows = ((row.line, row.time) for row in alipay_statement.AlipayStatement(path))
            elif tmall_orders.identify(path):
                rows = ((o.line, o.confirmed_time or o.paid_time) for o in tmall_orders.read_orders(path))
            else:
                continue
            for line, when in rows:
                if line in left:
                    left.discard(line)
                    if when is not None:
                        days[(path, line)] = when.date().isoformat()
                    if not left:
                        break
        except (OSError, SourceError):
            continue
    return days


def compute(inputs: Inputs) -> LedgerFindings:
    """Reconcile every archived source once (no cache) and keep each month's summary and top
    findings."""
    rates = store_rates(inputs)
    result = engine.reconcile(
        inputs.of("orders"), inputs.of("statement"), items=inputs.of("items"), refunds=inputs.of("refunds"),
        rates=rates, rules=inputs.rules.path if inputs.rules is not None else None,
    )
    by_month: dict[str, list] = {}
    for f in result.findings:
        by_month.setdefault(f.month, []).append(f)
    tops = {
        month: sorted(found, key=lambda f: (-abs(f.difference), f.kind, f.order_id))[:TOP]
        for month, found in by_month.items()
    }
    days = _days([f for top in tops.values() for f in top])
    summaries: dict[str, list[SummaryRow]] = {}
    for month, kind, count, amount in result.summary():
        summaries.setdefault(month, []).append(SummaryRow(kind, LABELS[kind], count, amount))
    months = {
        month: MonthFindings(
            month,
            tuple(summaries.get(month, ())),
            tuple(
                FindingRow(f.kind, f.label, f.month, f.order_id, f.expected, f.seen, abs(f.difference), f.file,
                           f.line, f.detail, days.get((f.file, f.line or 0)))
                for f in top
            ),
        )
        for month, top in tops.items()
    }
    stats = result.stats
    return LedgerFindings(months, stats.orders, stats.statement_rows, stats.pending, result.window)


# ---------------------------------------------------------------------------------- caching

_memory: dict[tuple, LedgerFindings] = {}
_lock = threading.Lock()


def cache_dir() -> Path:
    """``$TMALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/beancount-tmall``, else ``~/.cache/beancount-tmall``."""
    if os.environ.get("TMALL_CACHE_DIR"):
        return Path(os.environ["TMALL_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "beancount-tmall"


def cache_file(inputs: Inputs) -> Path:
    """The disk cache of ``inputs``: ``<cache_dir>/orders/<sha256 of the key>.json``."""
    digest = hashlib.sha256(repr(inputs.key()).encode("utf-8")).hexdigest()
    return cache_dir() / "orders" / f"{digest}.json"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def to_json(found: LedgerFindings) -> str:
    """``found`` as JSON (amounts as decimal strings)."""
    return json.dumps(asdict(found), default=_json_default, ensure_ascii=False)


def from_json(text: str) -> LedgerFindings:
    """The inverse of :func:`to_json`."""
    raw = json.loads(text)
    months = {}
    for month, m in raw["months"].items():
        summary = tuple(SummaryRow(s["kind"], s["label"], s["count"], Decimal(s["amount"])) for s in m["summary"])
        top = tuple(
            FindingRow(f["kind"], f["label"], f["month"], f["order_id"], _dec(f["expected"]), _dec(f["seen"]),
                       Decimal(f["difference"]), f["file"], f["line"], f["detail"], f["day"])
            for f in m["top"]
        )
        months[month] = MonthFindings(m["month"], summary, top)
    return LedgerFindings(months, raw["orders"], raw["statement_rows"], raw["pending"], raw["window"])


def ledger_findings(inputs: Inputs) -> LedgerFindings:
    """:func:`compute`, cached in memory and on disk (see the module's doc)."""
    key = inputs.key()
    with _lock:
        if key in _memory:
            return _memory[key]
        path = cache_file(inputs)
        try:
            found = from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            found = compute(inputs)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
                tmp.write_text(to_json(found), encoding="utf-8")
                tmp.replace(path)
            except OSError:
                pass  # a cache folder that cannot be written: the memory cache still holds it
        while len(_memory) >= MEMORY_SETS:
            del _memory[next(iter(_memory))]
        _memory[key] = found
        return found


# ---------------------------------------------------------------------------------- the view


def build(ctx: TabContext) -> OrdersView:
    ledger = Path(ctx.options["filename"])
    inputs = ledger_inputs(ledger, ctx.options)
    counts = {k: len(inputs.of(k)) for k in KINDS}
    covered, last = statement_months(inputs.sources)
    year = f"{ctx.year}-"
    if not counts["orders"] or not any(m.startswith(year) for m in covered):
        return OrdersView(ctx.year, None, (), False, None, counts)
    try:
        found = ledger_findings(inputs)
    except (SourceError, RatesError, RuleError) as exc:
        return OrdersView(ctx.year, None, (), False, None, counts,
                          error=f"无法核对订单 (cannot reconcile the orders): {exc}")
    names = sorted(m for m in covered | set(found.months) if m.startswith(year))
    months = tuple((m, found.months[m].count if m in found.months else 0) for m in names)
    month = ctx.month if ctx.month and _MONTH.match(ctx.month) and ctx.month in names else None
    if month is None:
        whole = [m for m in names if last and window_end(m, found.window) <= last]
        month = (whole or names)[-1]
    chosen = found.months.get(month, MonthFindings(month, (), ()))
    journal = {r.day: ctx.links.journal(None, r.day) for r in chosen.top if r.day}
    return OrdersView(
        ctx.year, month, months, bool(last and window_end(month, found.window) <= last), chosen, counts,
        found.orders, found.statement_rows, found.pending, found.window, journal=journal,
    )
