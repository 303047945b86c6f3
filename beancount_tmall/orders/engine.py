"""The one module order-level reconciliation sits behind: :func:`reconcile`.

::

    result = reconcile(["ExportOrderList202503.csv"], ["…_202503_账务明细.csv", "…_202504_账务明细.csv"],
                       month="2025-03")
    result.findings        # [Finding(kind="unsettled", month="2025-03", order_id="41…", …), …]
    result.summary()       # [("2025-03", "unsettled", 1, Decimal("128.00")), …]
    result.stats.orders, result.stats.statement_rows

Two engines gather the facts of each order (:class:`~beancount_tmall.orders.findings.OrderState`)
and hand them to :func:`~beancount_tmall.orders.findings.judge`, so they find the same things:

* ``"python"`` (this module): reads the order exports into an :class:`OrderTable` keyed by order
  id (the orders of ``month``, or all: typed columns of machine integers, about 400 bytes an
  order), then streams every statement row once, adding each order row into its order's sums (no
  statement row is kept), and judges each order at the end. Rows of orders in no export are
  summed per order id for ``unknown-order``. Memory grows with the number of orders, not with the
  statement rows (about four rows an order). An order is not dropped when its window closes:
  only its settlement is bound to the window, while a refund to the buyer and the fees given back
  with it may come months later and still belong to it (``amount``, ``refund-fee-kept``).

  For speed (bench/RESULTS.md): the plain CSV order and item exports are read by DuckDB's own
  reader (:mod:`~beancount_tmall.orders.native`; the strict parsers read any other file); the
  statements' records arrive a file at a time as columns (:class:`~sources.Block`); a quick
  test (:meth:`OrderTable.suspects`) clears the orders the judge could find nothing on; and a big
  store's statements (``workers``: automatic, :func:`~beancount_tmall.orders.parallel.workers_wanted`)
  are read by worker processes while the exports are read (:mod:`~beancount_tmall.orders.parallel`:
  the same records, less wall time, a little more CPU);
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

import datetime
import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount_tmall.importers.rules import load_rules
from beancount_tmall.orders import findings as rules_
from beancount_tmall.orders import native, parallel, sources
from beancount_tmall.orders.findings import Fee, Finding, OrderState, Unknown
from beancount_tmall.orders.rates import FEES, MAX_PLACES, Rates, RatesError

ENGINES = ("python", "duckdb")
#: The engine used when none is asked for (chosen by measurement: bench/RESULTS.md).
DEFAULT_ENGINE = "python"
#: Worker processes for the statements when none are asked for (``None``: automatic, see
#: :func:`~beancount_tmall.orders.parallel.workers_wanted`: a big store's statements are read by
#: one process per CPU, up to four, while the exports are read; 0: in this process).
DEFAULT_WORKERS: int | None = None

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
    unclassified: int = 0      # rows with an order id no rule (or several) classify: not counted
    unknown_orders: int = 0    # order ids of statement rows in no export
    workers: int = 0           # worker processes that read the statements (0: this process)


@dataclass
class Result:
    """The findings (sorted by month, kind, order id) and what was read."""

    findings: list[Finding]
    stats: Stats
    month: str | None = None
    window: int = 1
    #: the time up to which the statements hold every row (their banner 终止日期 or last row)
    covered_until: datetime.datetime | None = None
    #: spans inside the statements' periods that no statement covers (a month not given)
    gaps: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)

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
    #: Worker processes reading the statements while the exports are read (Python engine;
    #: ``None``/0/1: read in this process; see :mod:`~beancount_tmall.orders.parallel`).
    workers: int | None = None
    #: Read the plain CSV exports with DuckDB's own reader (:mod:`~beancount_tmall.orders.native`;
    #: the strict parsers for the others); False: every file through the strict parsers.
    native: bool = True

    @property
    def window(self) -> int:
        """Months after the payment month a settlement may come."""
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
    workers: int | None = None,
    native: bool = True,
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
        workers=workers if workers is not None else DEFAULT_WORKERS,
        native=native,
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
    workers: int | None = None,
    native: bool = True,
) -> Result:
    """Reconcile the orders of the exports with the Alipay statements (see the module's doc).

    ``window``: months after the payment month a settlement may come (``None``: the rates' own,
    default 1); ``rates``: :class:`~beancount_tmall.orders.rates.Rates` (default: the plugins'
    rates); ``engine``: ``"python"`` or ``"duckdb"`` (``None``: :data:`DEFAULT_ENGINE`);
    ``progress(done, total)`` in bytes of input read; ``rules``: the store's rule table (default:
    ``rates.rules``, else the package's); ``workers``: processes reading the statements side by
    side while the exports are read (Python engine; same findings, less wall time when cores are
    free, a little more CPU; ``None``: automatic, 0: none); ``native``: the plain CSV exports
    read by DuckDB's own reader (False: every file by the strict parsers; the same findings). Raises
    :class:`~beancount_tmall.formats.common.SourceError` for a file a parser refuses,
    :class:`~beancount_tmall.importers.rules.RuleError` for a rule table that cannot be used and
    :class:`~beancount_tmall.orders.rates.RatesError` for bad arguments.
    """
    name = engine or DEFAULT_ENGINE
    if name not in ENGINES:
        raise RatesError(f"未知的引擎 {engine!r}, 可用 {', '.join(ENGINES)}; unknown engine")
    job = make_job(orders, statements, items, refunds, month, window, rates, progress, rules, workers, native)
    if name == "duckdb":
        try:
            from beancount_tmall.orders import engine_duckdb
        except ImportError as exc:
            raise RatesError(f"DuckDB 引擎不可用 ({exc}); the duckdb engine is not available") from None
        result = engine_duckdb.run(job)
    else:
        result = run(job)
    result.gaps = sources.statement_gaps(job.statements)
    return result


# --- the Python engine ----------------------------------------------------------------------------

_NONE = -1  # "not given" in a column of whole numbers


class OrderTable:
    """The orders being judged and what the statements did for each, in typed columns.

    One dense index per order id; every fact and every sum is a column (``array``) of machine
    integers (money in cents, months as :func:`~beancount_tmall.orders.sources.month_index`,
    files as an index into :attr:`files`), about 300 bytes an order whatever the statements
    hold. :meth:`state` gives one order back as an
    :class:`~beancount_tmall.orders.findings.OrderState` to judge.
    """

    FEES = sources.FEE_KINDS

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.tids: list[str] = []
        self.files = sources.Names()  # ``file`` columns number these
        self.statuses = sources.Names()
        self.month = array("i")
        self.paid, self.points, self.refund, self.card = array("q"), array("q"), array("q"), array("q")
        self.status, self.taobaoke = array("H"), array("b")
        self.file, self.line = array("I"), array("I")
        self.sale_in, self.sale_out, self.out_month = array("q"), array("q"), array("i")
        self.sale_file, self.sale_line = array("I"), array("I")
        self.refunded, self.refund_file, self.refund_line = array("q"), array("I"), array("I")
        self.charged = {k: array("q") for k in self.FEES}
        self.count = {k: array("I") for k in self.FEES}
        self.first = {k: array("q") for k in self.FEES}
        self.fee_file = {k: array("I") for k in self.FEES}
        self.fee_line = {k: array("I") for k in self.FEES}
        self.back = {k: array("q") for k in self.FEES}
        self.rates: dict[int, dict[str, Decimal]] = {}
        self.refunds: dict[int, int] | None = None
        self._facts = [
            self.month, self.paid, self.points, self.refund, self.card, self.status, self.taobaoke,
            self.file, self.line,
        ]
        self._sums = [
            self.sale_in, self.sale_out, self.out_month, self.sale_file, self.sale_line, self.refunded,
            self.refund_file, self.refund_line,
            *(c for group in (self.charged, self.count, self.first, self.fee_file, self.fee_line, self.back)
              for c in group.values()),
        ]

    def __len__(self) -> int:
        return len(self.tids)

    def add(self, tid: str, month: int, paid: int, points: int, refund: int, status: str,
            card: int | None, taobaoke: bool | None, file: int, line: int) -> None:
        """Add an order paid in ``month`` (:func:`sources.month_index`) of the export numbered
        ``file`` in :attr:`files` (an id already there takes the later export's facts);
        :meth:`ready` before the statements' rows are added."""
        values = (month, paid, points, refund, _NONE if card is None else card, self.statuses(status),
                  _NONE if taobaoke is None else int(taobaoke), file, line)
        i = self.index.get(tid)
        if i is None:
            self.index[tid] = len(self.tids)
            self.tids.append(tid)
            for column, value in zip(self._facts, values, strict=True):
                column.append(value)
        else:
            for column, value in zip(self._facts, values, strict=True):
                column[i] = value

    def ready(self) -> None:
        """Make room for the statements' sums of every order added (zeros)."""
        for column in self._sums:
            missing = len(self.tids) - len(column)
            if missing > 0:
                column.frombytes(bytes(missing * column.itemsize))

    def add_row(self, i: int, kind: str, amount: int, row_month: int, file: int, line: int, window: int) -> None:
        """Count one statement row of order ``i`` (dated in month ``row_month``, at ``line`` of
        the file numbered ``file`` in :attr:`files`)."""
        if kind == sources.SALE:
            if row_month <= self.month[i] + window:
                self.sale_in[i] += amount
            else:
                self.sale_out[i] += amount
                if not self.out_month[i]:
                    self.out_month[i] = row_month
            if not self.sale_line[i]:
                self.sale_file[i], self.sale_line[i] = file, line
        elif kind == sources.REFUND:
            self.refunded[i] -= amount
            if not self.refund_line[i]:
                self.refund_file[i], self.refund_line[i] = file, line
        elif kind in self.charged:
            if amount > 0:
                self.back[kind][i] += amount
            else:
                count = self.count[kind]
                if not count[i]:
                    self.first[kind][i] = -amount
                    self.fee_file[kind][i], self.fee_line[kind][i] = file, line
                self.charged[kind][i] -= amount
                count[i] += 1

    def suspects(self, rates: Rates) -> Iterator[int]:
        """The orders :func:`findings.judge` may find something on (or count ``pending``), by a
        quick test in floats that lets through every order it cannot clear: no sale in the
        window, a refund, a fee charged twice, settled − refunded ≠ paid + points − refunds, a
        淘宝客 fee on an untagged order, or a fee off its expected ``base × rate`` by more than
        ``max(1, base × tolerance − 0.5) + 0.5`` cents, less 0.01 for the floats. (The judge
        finds a fee off when the whole cents |charge − E| exceed T, E = round(base × rate), T =
        max(1, round(base × tolerance)); then |charge − E| ≥ T + 1, and |E − base × rate| ≤ 0.5,
        T ≥ max(1, base × tolerance − 0.5).) The others are cleared without an
        :class:`OrderState`: on a clean store nearly all of them."""
        tolerance = float(rates.tolerance)
        default = {fee: float(getattr(rates, fee)) for fee in FEES}
        own = self.rates
        refunds = self.refunds
        commission, points, taobaoke, card_fee = (
            sources.COMMISSION, sources.POINTS, sources.TAOBAOKE, sources.CARD_FEE)
        count, first, back = self.count, self.first, self.back
        c_count, p_count, t_count, k_count = (count[k] for k in (commission, points, taobaoke, card_fee))
        c_first, p_first, k_first = (first[k] for k in (commission, points, card_fee))
        t_back, k_back = back[taobaoke], back[card_fee]
        s_count = count[sources.SERVICE]
        sale_in, sale_out, refunded = self.sale_in, self.sale_out, self.refunded
        paid, points_paid, refund, card, tagged = self.paid, self.points, self.refund, self.card, self.taobaoke

        def off(charge: int, base: int, rate: float) -> bool:
            return abs(charge - base * rate) > max(1.0, base * tolerance - 0.5) + 0.49

        for i in range(len(self.tids)):
            if (not sale_in[i] or refunded[i] or c_count[i] > 1 or p_count[i] > 1 or t_count[i] > 1
                    or k_count[i] > 1 or s_count[i] > 1):
                yield i
                continue
            sold = sale_in[i] + sale_out[i]
            known = refund[i] if refunds is None else refunds.get(i, 0)
            if sold != paid[i] + points_paid[i] - known:
                yield i
                continue
            mine = own.get(i)
            rate = default if mine is None else {**default, **{k: float(v) for k, v in mine.items()}}
            # ``first`` is 0 for a fee never charged (the judge's charge then)
            if (off(c_first[i], sold, rate["commission"]) or off(p_first[i], sold, rate["points"])
                    or ((t_count[i] or t_back[i]) and tagged[i] == 0)
                    or (card[i] != _NONE and (k_count[i] or k_back[i]) and off(k_first[i], card[i], rate["card_fee"]))):
                yield i

    def state(self, i: int) -> OrderState:
        """Order ``i`` as an :class:`OrderState` (what :func:`findings.judge` reads)."""
        card, taobaoke = self.card[i], self.taobaoke[i]
        order = sources.OrderRecord(
            tid=self.tids[i], month=sources.month_name(self.month[i]), paid=self.paid[i],
            points=self.points[i], refund=self.refund[i], status=self.statuses.names[self.status[i]],
            card=None if card == _NONE else card, taobaoke=None if taobaoke == _NONE else bool(taobaoke),
            file=self.files.names[self.file[i]], line=self.line[i],
        )
        state = OrderState(order)
        state.sale_in, state.sale_out = self.sale_in[i], self.sale_out[i]
        if self.out_month[i]:
            state.out_month = sources.month_name(self.out_month[i])
        if self.sale_line[i]:
            state.sale_file, state.sale_line = self.files.names[self.sale_file[i]], self.sale_line[i]
        state.refund = self.refunded[i]
        if self.refund_line[i]:
            state.refund_file, state.refund_line = self.files.names[self.refund_file[i]], self.refund_line[i]
        for kind in self.FEES:
            count, back = self.count[kind][i], self.back[kind][i]
            if count or back:
                fee = Fee()
                fee.charged, fee.count, fee.first, fee.back = self.charged[kind][i], count, self.first[kind][i], back
                if count:
                    fee.file, fee.line = self.files.names[self.fee_file[kind][i]], self.fee_line[kind][i]
                if state.fees is None:
                    state.fees = {}
                state.fees[kind] = fee
        state.rates = self.rates.get(i)
        if self.refunds is not None:
            state.refunds = self.refunds.get(i, 0)
        return state


class Read:
    """The bytes of a job's inputs read so far, told to ``job.progress(done, total)`` (both
    engines)."""

    def __init__(self, job: Job) -> None:
        self.progress = job.progress
        self.total = job.total_bytes() if job.progress is not None else 0
        self.done = 0

    def file(self, path: Path) -> None:
        """One more input read whole."""
        self.done += sources._size(path)
        if self.progress is not None:
            self.progress(self.done, self.total)

    def statements(self) -> Callable[[int], None] | None:
        """``progress(bytes)`` for :func:`~beancount_tmall.orders.sources.statement_records`, which
        counts the statements' bytes from here (``None`` without a progress)."""
        if self.progress is None:
            return None
        progress, base, total = self.progress, self.done, self.total
        return lambda part: progress(base + part, total)

    def statements_read(self, paths: Iterable[Path]) -> None:
        """The statements read whole."""
        self.done += sum(sources._size(p) for p in paths)


def judge_all(
    states: Iterable[OrderState], rates: Rates, window: int, covered_until: datetime.datetime | None,
    stats: Stats,
) -> list[Finding]:
    """The findings of every order (both engines): an order whose window the statements do not
    reach is judged without ``unsettled`` and, if not settled yet, counted ``pending``."""
    found: list[Finding] = []
    judgeable: dict[str, bool] = {}
    for state in states:
        m = state.order.month
        ok = judgeable.get(m)
        if ok is None:
            ok = judgeable[m] = rules_.judgeable(m, window, covered_until)
        stats.judged += 1
        if not ok and not state.sale_in and not state.order.closed:
            stats.pending += 1
        found.extend(rules_.judge(state, rates, ok))
    return found


def run(job: Job) -> Result:
    """The Python engine: the orders in typed columns keyed by order id, the statements streamed
    once into per-order sums."""
    workers = parallel.workers_wanted(
        job.workers, len(job.statements), sum(sources.content_size(p) for p in job.statements)
    )
    prefetch = parallel.StatementPrefetch(job.statements, job.classifier, workers) if workers else None
    try:
        # after the workers' fork: DuckDB's threads must not be forked
        with native.Exports(job.native) as exports:
            result = _run(job, prefetch, exports)
        result.stats.workers = workers
        return result
    finally:
        if prefetch is not None:
            prefetch.close()


def _run(job: Job, prefetch: parallel.StatementPrefetch | None, exports: native.Exports) -> Result:
    stats = Stats(engine="python")
    month, window, rates = job.month, job.window, job.rates
    read = Read(job)
    advance = read.file
    table = OrderTable()
    index = table.index
    known: set[str] = set()  # order ids of exports not judged (other months, never paid)
    month_code = None if month is None else sources.month_index(month)
    add = table.add
    for path in job.orders:
        file = table.files(str(path))
        for tid, mi, *values, line in exports.order_values(path):
            stats.orders += 1
            if mi is not None and (month_code is None or mi == month_code):
                add(tid, mi, *values, file, line)
                known.discard(tid)
            elif tid not in index:
                known.add(tid)
        advance(path)

    table.ready()
    if job.items and rates.categories:
        scaled = functools.cache(lambda sku: scaled_rates(rates.category_of(sku), rates))
        weights = exports.item_weights(job.items, scaled, index.__contains__, scaled_rates(None, rates))
        _item_rates(table, weights, rates)
    for path in job.items:
        advance(path)

    unknown: dict[str, Unknown] = {}
    scan = sources.StatementScan()
    if prefetch is not None:
        blocks = prefetch.blocks(scan, read.statements())
    else:
        blocks = sources.statement_blocks(job.statements, job.classifier, scan, read.statements())
    add_row, kinds = table.add_row, sources.KINDS
    for block in blocks:
        stats.order_rows += len(block)
        files = [table.files(name) for name in block.files.names]
        for tid, k, mi, amount, part, line in zip(
            block.tids, block.kinds, block.months, block.amounts, block.parts, block.lines, strict=True
        ):
            i = index.get(tid)
            if i is not None:
                add_row(i, kinds[k], amount, mi, files[part], line, window)
            elif tid not in known and (month_code is None or mi == month_code):
                entry = unknown.get(tid)
                if entry is None:
                    entry = unknown[tid] = Unknown(sources.month_name(mi), block.files.names[part], line)
                entry.add(sources.StatementRecord(tid, kinds[k], "", amount, "", line))
    read.statements_read(job.statements)
    stats.statement_rows, stats.duplicates, stats.unclassified = scan.rows, scan.duplicates, scan.unclassified

    if job.refunds:
        totals = sources.refund_totals(job.refunds, index.__contains__, scan.covered_until)
        table.refunds = {index[tid]: cents for tid, cents in totals.items()}
    for path in job.refunds:
        advance(path)

    found = judge_all((table.state(i) for i in table.suspects(rates)), rates, window, scan.covered_until, stats)
    stats.judged = len(table)  # the cleared orders were judged too, by the quick test
    stats.unknown_orders = len(unknown)
    found.extend(rules_.unknown_finding(tid, entry) for tid, entry in unknown.items())
    found.sort(key=rules_.sort_key)
    return Result(found, stats, month, window, scan.covered_until)


#: Rates have at most this many decimal places (:mod:`rates` refuses more), so the value-weighted
#: rate of an order is computed in integers.
RATE_SCALE = MAX_PLACES


def order_rates(value: int, weights: Mapping[str, int], rates: Rates) -> dict[str, Decimal] | None:
    """An order's own rates from its items: ``value`` (cents) and, per fee, Σ item value × rate
    scaled by 10^:data:`RATE_SCALE`; only the rates that are not the default (``None``: none).

    Both engines end here, so they compute the same rate to the last digit.
    """
    if not value:
        return None
    own = {}
    for fee in FEES:
        rate = (Decimal(weights[fee]) / value).scaleb(-RATE_SCALE)
        if rate != getattr(rates, fee):
            own[fee] = rate
    return own or None


def scaled_rates(category: str | None, rates: Rates) -> tuple[int, ...]:
    """The rates of a category (``None``: the defaults) as whole numbers of 10^-RATE_SCALE, in
    the order of :data:`~beancount_tmall.orders.rates.FEES`."""
    return tuple(int(rates.rate(fee, category).scaleb(RATE_SCALE)) for fee in FEES)


def item_rates(by_category: Mapping[str, int], rates: Rates) -> dict[str, Decimal] | None:
    """An order's own rates from its item value per category (``""``: no category)."""
    weights = dict.fromkeys(FEES, 0)
    for category, cents in by_category.items():
        for fee, rate in zip(FEES, scaled_rates(category or None, rates), strict=True):
            weights[fee] += cents * rate
    return order_rates(sum(by_category.values()), weights, rates)


def _set_rate(state: OrderState, by_category: Mapping[str, int], rates: Rates) -> None:
    """Set an order's own rates from its item value per category (the DuckDB engine's call)."""
    state.rates = item_rates(by_category, rates)


def _item_rates(table: OrderTable, weights: Iterable[tuple], rates: Rates) -> None:
    """Each order's rates from its item lines: their categories' rates weighted by value (kept
    only where not the default rate); ``weights``: ``(order id, value, Σ value × scaled rate of
    each fee)`` (:meth:`~beancount_tmall.orders.native.Exports.item_weights`)."""
    index = table.index
    known: dict[tuple[int, ...], dict[str, Decimal] | None] = {}  # orders of the same items
    for tid, *key in weights:
        i = index.get(tid)
        if i is None or not key[0]:
            continue
        key = tuple(key)
        own = known.get(key, known)
        if own is known:
            own = known[key] = order_rates(key[0], dict(zip(FEES, key[1:], strict=True)), rates)
        if own is not None:
            table.rates[i] = own
