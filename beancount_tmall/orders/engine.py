"""The one module order-level reconciliation sits behind: :func:`reconcile`.

::

    result = reconcile(["ExportOrderList202503.csv"], ["…_202503_账务明细.csv", "…_202504_账务明细.csv"],
                       month="2025-03")
    result.findings        # [Finding(kind="unsettled", month="2025-03", order_id="41…", …), …]
    result.summary()       # [("2025-03", "unsettled", 1, Decimal("128.00")), …]
    result.stats.orders, result.stats.statement_rows

Two engines gather the facts of each order (:class:`~beancount_tmall.orders.findings.OrderState`)
and hand them to :func:`~beancount_tmall.orders.findings.judge`, so they find the same things:

* ``"python"`` (this module): reads the order exports into a dict keyed by order id (the orders
  of ``month``, or all), then streams every statement row once, adding each order row into its
  order's sums (a few integers per order: no statement row is kept), and judges each order at the
  end. Rows of orders in no export are summed per order id for ``unknown-order``. Memory grows with
  the number of orders, not with the statement rows (about four rows an order);
* ``"duckdb"`` (``engine_duckdb.run(job) -> Result``, the ``ordersbench`` branch), the same
  contract.

An order paid in month M is settled in the window M..M+window (``window`` months after, for buyers
who confirm receipt late); a sale row dated later counts as late (``unsettled``). An order whose
window the statements do not reach yet (their last row, or banner 终止日期, is before the end of
M+window) is not judged unsettled (``stats.pending``). With ``month``, only orders paid in that
month are judged, and ``unknown-order`` only looks at rows dated in it; give the exports of the
months before too, or the settlements of their orders in ``month`` are reported as unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount_tmall.importers.rules import load_rules
from beancount_tmall.orders import findings as rules_
from beancount_tmall.orders import sources
from beancount_tmall.orders.findings import Finding, OrderState, Unknown
from beancount_tmall.orders.rates import Rates, RatesError

ENGINES = ("python", "duckdb")
#: The engine used when none is asked for (chosen by measurement: bench/RESULTS.md).
DEFAULT_ENGINE = "python"

Progress = Callable[[int, int], None]


@dataclass
class Stats:
    """What a run read and judged."""

    engine: str = DEFAULT_ENGINE
    orders: int = 0            # order rows read (all exports)
    judged: int = 0            # orders of the month(s) judged
    pending: int = 0           # orders whose window the statements do not reach yet, unsettled
    statement_rows: int = 0    # statement rows read (all files)
    order_rows: int = 0        # statement rows that belong to an order
    duplicates: int = 0        # rows skipped as held by an earlier, overlapping statement
    unknown_orders: int = 0    # order ids of statement rows in no export


@dataclass
class Result:
    """The findings (sorted by month, kind, order id) and what was read."""

    findings: list[Finding]
    stats: Stats
    month: str | None = None
    window: int = 1
    covered_until: object = None

    def summary(self) -> list[tuple[str, str, int, Decimal]]:
        """``(month, kind, count, amount)`` per month and kind (amount: Σ |seen − expected|)."""
        return rules_.summarize(self.findings)


@dataclass
class Job:
    """A reconciliation's inputs, checked: what an engine runs on."""

    orders: list[Path]
    statements: list[Path]
    items: list[Path] = field(default_factory=list)
    refunds: list[Path] = field(default_factory=list)
    month: str | None = None
    rates: Rates = field(default_factory=Rates)
    classifier: sources.Classifier | None = None
    progress: Progress | None = None

    @property
    def window(self) -> int:
        return self.rates.window

    def total_bytes(self) -> int:
        """The size of every input together (for a progress bar)."""
        return sum(sources._size(p) for p in (*self.orders, *self.statements, *self.items, *self.refunds))


def _month(month: str | None) -> str | None:
    if month is None:
        return None
    text = str(month).strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit() or not 1 <= int(text[5:]) <= 12:
        raise RatesError(f"月份 {month!r} 应为 YYYY-MM; month must be YYYY-MM")
    return text


def make_job(
    orders: Iterable[str | Path],
    statements: Iterable[str | Path],
    items: Iterable[str | Path] = (),
    refunds: Iterable[str | Path] = (),
    month: str | None = None,
    window: int | None = None,
    rates: Rates | None = None,
    progress: Progress | None = None,
    rules: str | Path | None = None,
) -> Job:
    """A :class:`Job` from :func:`reconcile`'s arguments (the rule table loaded, the window set)."""
    rates = (rates or Rates()).with_window(window)
    table = load_rules(rules if rules is not None else rates.rules)
    return Job(
        orders=[Path(p) for p in orders],
        statements=[Path(p) for p in statements],
        items=[Path(p) for p in items],
        refunds=[Path(p) for p in refunds],
        month=_month(month),
        rates=rates,
        classifier=sources.Classifier(table, rates.kinds),
        progress=progress,
    )


def reconcile(
    orders: Sequence[str | Path],
    statements: Sequence[str | Path],
    items: Sequence[str | Path] = (),
    refunds: Sequence[str | Path] = (),
    month: str | None = None,
    window: int | None = None,
    rates: Rates | None = None,
    engine: str | None = None,
    progress: Progress | None = None,
    rules: str | Path | None = None,
) -> Result:
    """Reconcile the orders of the exports with the Alipay statements (see the module's doc).

    ``window``: months after the payment month a settlement may come (``None``: the rates' own,
    default 1); ``rates``: :class:`~beancount_tmall.orders.rates.Rates` (default: the plugins'
    rates); ``engine``: ``"python"`` or ``"duckdb"`` (``None``: :data:`DEFAULT_ENGINE`);
    ``progress(done, total)`` in bytes of input read; ``rules``: the store's rule table (default:
    ``rates.rules``, else the package's). Raises
    :class:`~beancount_tmall.formats.common.SourceError` for a file a parser refuses and
    :class:`~beancount_tmall.orders.rates.RatesError` for bad arguments.
    """
    name = engine or DEFAULT_ENGINE
    if name not in ENGINES:
        raise RatesError(f"未知的引擎 {engine!r}, 可用 {', '.join(ENGINES)}; unknown engine")
    job = make_job(orders, statements, items, refunds, month, window, rates, progress, rules)
    if name == "duckdb":
        from beancount_tmall.orders import engine_duckdb

        return engine_duckdb.run(job)
    return run(job)


# --- the Python engine ----------------------------------------------------------------------------


def run(job: Job) -> Result:
    """The Python engine: dicts keyed by order id, the statements streamed once."""
    stats = Stats(engine="python")
    month, window, rates = job.month, job.window, job.rates
    total = job.total_bytes() if job.progress is not None else 0
    done = 0

    def advance(path: Path) -> None:
        nonlocal done
        done += sources._size(path)
        if job.progress is not None:
            job.progress(done, total)

    states: dict[str, OrderState] = {}
    known: set[str] = set()  # order ids of exports not judged (other months, never paid)
    for path in job.orders:
        for order in sources.order_records(path):
            stats.orders += 1
            tid = order.tid
            if order.month is not None and (month is None or order.month == month):
                states[tid] = OrderState(order)  # an order in two exports: the later file wins
                known.discard(tid)
            elif tid not in states:
                known.add(tid)
        advance(path)

    if job.items and rates.categories:
        values = sources.item_categories(job.items, rates.category_of, states.__contains__)
        for tid, by_category in values.items():
            _set_rate(states[tid], by_category, rates)
    for path in job.items:
        advance(path)

    first: dict[str, int] = {}
    for state in states.values():
        m = state.order.month
        if m not in first:
            first[m] = sources.month_index(m)
    indexes: dict[str, int] = {}
    unknown: dict[str, Unknown] = {}
    scan = sources.StatementScan()
    base = done

    def statement_progress(part: int) -> None:
        if job.progress is not None:
            job.progress(base + part, total)

    records = sources.statement_records(
        job.statements, job.classifier, scan, statement_progress if job.progress else None
    )
    for record in records:
        stats.order_rows += 1
        state = states.get(record.tid)
        if state is not None:
            row_month = record.month
            index = indexes.get(row_month)
            if index is None:
                index = indexes[row_month] = sources.month_index(row_month)
            start = first[state.order.month]
            state.add(record, index <= start + window)
        elif record.tid not in known and (month is None or record.month == month):
            entry = unknown.get(record.tid)
            if entry is None:
                entry = unknown[record.tid] = Unknown(record.month, record.file, record.line)
            entry.add(record)
    done = base + sum(sources._size(p) for p in job.statements)
    stats.statement_rows, stats.duplicates = scan.rows, scan.duplicates

    if job.refunds:
        totals = sources.refund_totals(job.refunds, states.__contains__, scan.covered_until)
        for tid, state in states.items():
            state.refunds = totals.get(tid, 0)
    for path in job.refunds:
        advance(path)

    found: list[Finding] = []
    judgeable: dict[str, bool] = {}
    for state in states.values():
        m = state.order.month
        ok = judgeable.get(m)
        if ok is None:
            ok = judgeable[m] = rules_.judgeable(m, window, scan.covered_until)
        stats.judged += 1
        if not ok and not state.sale_in and not state.order.closed:
            stats.pending += 1
        found.extend(rules_.judge(state, rates, ok))
    stats.unknown_orders = len(unknown)
    found.extend(rules_.unknown_finding(tid, entry) for tid, entry in unknown.items())
    found.sort(key=rules_.sort_key)
    return Result(found, stats, month, window, scan.covered_until)


def _set_rate(state: OrderState, by_category: dict[str, int], rates: Rates) -> None:
    """The order's commission rate: its items' rates weighted by their value."""
    total = sum(by_category.values())
    if not total or set(by_category) <= {""}:
        return
    weighted = sum(
        (Decimal(value) * rates.rate("commission", category or None) for category, value in by_category.items()),
        Decimal(0),
    )
    rate = weighted / total
    if rate != rates.commission:
        state.rate = rate
