"""订单核对 of a ledger: the findings of ``tmall-books reconcile orders`` (:mod:`beancount_tmall.orders`)
for the sources its import archived, by month, computed once per input set (issue 9 §4).

The sources are the files under the ledger's ``documents/`` (``filing``'s archive) that are
statements, order, item or refund exports by their ``identify`` (their contents, not their names);
the store's rates are ``rates.toml`` beside main.beancount (:data:`STORE_RATES`: window, commission
rates by category; the package's defaults without it) and its classification rules the import's
(``rules.toml``). A month's findings need every export (orders of earlier months are known orders,
not unknown ones) and the statements from the month on (give-backs may come after the window),
so one reconciliation of all the sources gives every month at once, at the cost of a single
month: :func:`ledger_findings` runs it once per input set and keeps each month's summary and top
findings, with the day of each finding's row (a statement row's day; for an order never settled
the day the buyer confirmed receipt).

Cache: in memory, keyed by each input file's kind, path, mtime and size (sources, rates, rules: a
file archived, replaced or touched computes it again), and on disk as JSON, one file per input
set, under ``$TMALL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/beancount-tmall``, else
``~/.cache/beancount-tmall``) ``/orders/<sha256 of the key>.json``, so a restarted Fava does not
read the sources again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount_tmall.formats import alipay_statement, tmall_orders
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import filing
from beancount_tmall.importers.rules import ledger_rules
from beancount_tmall.orders import engine
from beancount_tmall.orders.findings import LABELS
from beancount_tmall.orders.rates import Rates, load_rates

#: How many findings of a month the tab lists (the largest differences first).
TOP = 20
#: The store's rates file beside main.beancount (``tmall-books reconcile orders --rates``).
STORE_RATES = "rates.toml"
#: The source kinds the reconciliation reads, as :func:`filing.identify` names them.
KINDS = ("statement", "orders", "items", "refunds")
#: Bumped when what is cached changes shape.
CACHE_VERSION = 2
#: Input sets kept in memory (the oldest computed goes first).
MEMORY_SETS = 8
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
    #: spans inside the statements' periods that no statement covers (a month not downloaded)
    gaps: tuple[tuple[datetime.datetime, datetime.datetime], ...] = ()


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


def reconcile(inputs: Inputs) -> engine.Result:
    """``engine.reconcile`` of every archived source with the store's rates and rules (in this
    process: Fava serves pages from threads, which a pool's fork would copy mid-flight)."""
    return engine.reconcile(
        inputs.of("orders"), inputs.of("statement"), items=inputs.of("items"), refunds=inputs.of("refunds"),
        rates=store_rates(inputs), rules=inputs.rules.path if inputs.rules is not None else None,
        workers=0,
    )


def compute(inputs: Inputs) -> LedgerFindings:
    """Reconcile every archived source once (no cache) and keep each month's summary and top
    findings."""
    result = reconcile(inputs)
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
    return LedgerFindings(months, stats.orders, stats.statement_rows, stats.pending, result.window,
                          tuple(result.gaps))


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
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
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
    gaps = tuple(tuple(datetime.datetime.fromisoformat(t) for t in gap) for gap in raw.get("gaps", ()))
    return LedgerFindings(months, raw["orders"], raw["statement_rows"], raw["pending"], raw["window"], gaps)


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
