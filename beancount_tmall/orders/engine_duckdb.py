"""The DuckDB engine of order-level reconciliation: ``run(job) -> Result``, as the Python engine.

``engine.reconcile(..., engine="duckdb")`` lands here. The inputs are read by the same parsers
(:mod:`beancount_tmall.orders.sources`: DuckDB's CSV reader cannot read GBK, and the parsers'
checks and the rule table's classification must be the same for both engines); their records go
into DuckDB tables through its appender, in batches (with a duckdb before 2.0, which has no
Python appender, through a UTF-8 CSV file and ``COPY``), and SQL sums each order's rows:

* ``orders``: every order row (``judged``: paid in the month asked for, or in any month); the
  last judged row of an order id wins, as in the Python engine's dict;
* ``rows``: every statement row of an order (kind, month, cents, file, line, and its place in the
  stream, ``seq``, so "the first row" is the first one read);
* ``items``: each item line's value, and ``skus`` each 商家编码's rates (only with category
  rates): an order's own rates are weighted by its items' values in SQL, in the integers
  :func:`~beancount_tmall.orders.engine.order_rates` takes.

Per order, the sale rows inside and outside the window (M..M+window), the refunds, and per fee
kind the charges (count, first charge and its place) and the give-backs are summed in SQL; the
result streams back in batches into :class:`~beancount_tmall.orders.findings.OrderState` s that
:func:`~beancount_tmall.orders.findings.judge` judges, so both engines find exactly the same.

Memory stays bounded: the tables live in a database file in a temporary directory, DuckDB may use
:data:`MEMORY_LIMIT` and spills to that directory beyond it, the orders are summed in passes of
:data:`ORDERS_PER_PASS` (by a hash of the order id), and only one batch of orders is in Python at
a time (bench/RESULTS.md: 0.6-0.7 GiB at 1000 and at 5000 orders a day). Without the ``duckdb`` package, :func:`run` says so and runs the Python engine.
"""

from __future__ import annotations

import csv
import functools
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

from beancount_tmall.orders import engine as engine_
from beancount_tmall.orders import findings as rules_
from beancount_tmall.orders import native_exports, sources
from beancount_tmall.orders.findings import Fee, OrderState, Unknown
from beancount_tmall.orders.rates import FEES, RatesError
from beancount_tmall.orders.sources import OrderRecord

try:
    import duckdb
except ImportError:  # the Python engine does the work (see run)
    duckdb = None

#: NULL in the CSV files of an older duckdb (no order id, status or category is written so).
NULL = "\\N"
#: Whether this duckdb has the Python appender (2.0); before it rows go through a CSV file.
APPENDER = duckdb is not None and hasattr(duckdb.DuckDBPyConnection, "appender")

#: The memory DuckDB may use before it spills to its temporary directory (environment variable
#: ``TMALL_ORDERS_DUCKDB_MEMORY``, e.g. ``2GB``, when a store's orders need more).
MEMORY_LIMIT = os.environ.get("TMALL_ORDERS_DUCKDB_MEMORY", "512MB")
#: Rows handed to the appender at once, and orders fetched back at once.
BATCH = 50_000
#: Order ids summed in one pass of the queries (more are split into passes by a hash of the id,
#: so that DuckDB's memory does not grow with the store: 500k fit in 512MB, measured).
ORDERS_PER_PASS = 500_000
#: Months as numbers and back (:func:`sources.month_index`), remembered: a year has twelve.
month_index = functools.cache(sources.month_index)
month_name = functools.cache(sources.month_name)
#: Kinds as small integers in the tables.
KIND_CODE = {kind: n for n, kind in enumerate(sources.KINDS)}
FEE_CODES = tuple(KIND_CODE[k] for k in sources.FEE_KINDS)

SCHEMA = """
CREATE TABLE orders (tid VARCHAR, mi INTEGER, judged BOOLEAN, paid BIGINT, points BIGINT,
                     refund BIGINT, status VARCHAR, card BIGINT, taobaoke BOOLEAN,
                     file INTEGER, line INTEGER, seq BIGINT);
CREATE TABLE rows (tid VARCHAR, kind TINYINT, mi INTEGER, amount BIGINT, file INTEGER,
                   line INTEGER, seq BIGINT);
CREATE TABLE items (tid VARCHAR, sku VARCHAR, cents BIGINT);
CREATE TABLE skus (sku VARCHAR, commission BIGINT, points BIGINT, card_fee BIGINT);
"""

#: The orders judged (the last judged row of each id) and what the statements did for each.
JUDGE_SQL = """
WITH states AS (
    SELECT * FROM orders WHERE judged AND hash(tid) % $passes = $pass
    QUALIFY row_number() OVER (PARTITION BY tid ORDER BY seq DESC) = 1
), mine AS (
    SELECT r.*, r.mi <= s.mi + $window AS inside FROM rows r JOIN states s USING (tid)
), money AS (
    SELECT tid,
        sum(amount) FILTER (kind = $sale AND inside) AS sale_in,
        sum(amount) FILTER (kind = $sale AND NOT inside) AS sale_out,
        arg_min(mi, seq) FILTER (kind = $sale AND NOT inside) AS out_mi,
        arg_min(file, seq) FILTER (kind = $sale) AS sale_file,
        arg_min(line, seq) FILTER (kind = $sale) AS sale_line,
        -sum(amount) FILTER (kind = $refund) AS refund,
        arg_min(file, seq) FILTER (kind = $refund) AS refund_file,
        arg_min(line, seq) FILTER (kind = $refund) AS refund_line
    FROM mine WHERE kind IN ($sale, $refund) GROUP BY tid
), fee AS (
    SELECT tid, kind,
        coalesce(-sum(amount) FILTER (amount <= 0), 0) AS charged,
        count(*) FILTER (amount <= 0) AS n,
        arg_min(-amount, seq) FILTER (amount <= 0) AS first,
        arg_min(file, seq) FILTER (amount <= 0) AS file,
        arg_min(line, seq) FILTER (amount <= 0) AS line,
        coalesce(sum(amount) FILTER (amount > 0), 0) AS back
    FROM mine WHERE kind IN ({fees}) GROUP BY tid, kind
), fees AS (
    SELECT tid, list([kind, charged, n, first, file, line, back]) AS fees
    FROM fee GROUP BY tid
), weights AS (
    SELECT tid, sum(cents) AS value, sum(cents::HUGEINT * commission) AS commission,
        sum(cents::HUGEINT * points) AS points, sum(cents::HUGEINT * card_fee) AS card_fee
    FROM (SELECT * FROM items SEMI JOIN states USING (tid)) JOIN skus USING (sku)
    GROUP BY tid
)
SELECT s.tid, s.mi, s.paid, s.points, s.refund, s.status, s.card, s.taobaoke, s.file, s.line,
       m.sale_in, m.sale_out, m.out_mi, m.sale_file, m.sale_line, m.refund, m.refund_file,
       m.refund_line, f.fees, w.value, w.commission, w.points, w.card_fee
FROM states s LEFT JOIN money m USING (tid) LEFT JOIN fees f USING (tid) LEFT JOIN weights w USING (tid)
""".format(fees=", ".join(map(str, FEE_CODES)))

#: Statement rows of order ids that are in no export (``$month``: only rows of that month).
UNKNOWN_SQL = """
SELECT tid, arg_min(mi, seq), arg_min(file, seq), arg_min(line, seq), sum(amount), count(*),
       list(DISTINCT kind)
FROM rows r ANTI JOIN (SELECT DISTINCT tid FROM orders) o USING (tid)
WHERE ($month IS NULL OR r.mi = $month) AND hash(tid) % $passes = $pass
GROUP BY tid
"""


def available() -> bool:
    """Whether the ``duckdb`` package can be imported."""
    return duckdb is not None


def _append(con, table: str, rows: Iterator[tuple]) -> None:
    """Append ``rows`` to ``table``: by DuckDB's appender in batches of :data:`BATCH` (duckdb 2.0
    and later), else through a UTF-8 CSV file beside the database and ``COPY``."""
    if not APPENDER:
        path = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0]) / f"{table}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            # Strings quoted ("" stays an empty text), None as the NULL marker.
            csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC).writerows(
                tuple(NULL if v is None else v for v in row) for row in rows
            )
        con.execute(f"COPY {table} FROM {_text(path)} (HEADER false, NULLSTR {_text(NULL)})")
        path.unlink()
        return
    appender = con.appender(table)
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            appender.append_rows(batch)
            appender.flush()
            batch.clear()
    if batch:
        appender.append_rows(batch)
    appender.flush()


def _text(value: object) -> str:
    """``value`` as an SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def connect(directory: str | Path):
    """A DuckDB database in ``directory`` (spilling there too) limited to :data:`MEMORY_LIMIT`."""
    con = limited(duckdb.connect(str(Path(directory) / "orders.duckdb")), directory)
    con.execute("SET preserve_insertion_order = false")
    con.execute(SCHEMA)
    return con


def limited(con, directory: str | Path):
    """``con`` limited to :data:`MEMORY_LIMIT`, spilling into ``directory`` (closed and a
    :class:`RatesError` if the limit is not a memory size)."""
    try:
        con.execute(f"SET memory_limit = {_text(MEMORY_LIMIT)}")
    except duckdb.Error:
        con.close()
        raise RatesError(
            f"TMALL_ORDERS_DUCKDB_MEMORY={MEMORY_LIMIT!r} 不是内存大小 (如 512MB, 2GB); not a memory size"
        ) from None
    con.execute(f"SET temp_directory = {_text(Path(directory) / 'spill')}")
    return con


def run(job: engine_.Job) -> engine_.Result:
    """Reconcile ``job`` with DuckDB (see the module's doc); the Python engine without duckdb."""
    if duckdb is None:
        warnings.warn(
            "未安装 duckdb, 改用 Python 引擎 (pip install duckdb); duckdb is not installed, "
            "using the Python engine",
            RuntimeWarning,
            stacklevel=3,
        )
        return engine_.run(job)
    with tempfile.TemporaryDirectory(prefix="tmall-orders-") as tmp:
        con = connect(tmp)
        try:
            return _run(job, con, Path(tmp))
        except duckdb.Error as exc:  # out of memory or of disk for its spill files, …
            raise RatesError(
                f"DuckDB 引擎出错 ({str(exc).splitlines()[0]}); 可改用 --engine python, 或加大 TMALL_ORDERS_DUCKDB_MEMORY "
                f"(现为 {MEMORY_LIMIT}); the duckdb engine failed"
            ) from None
        finally:
            con.close()


def _run(job: engine_.Job, con, tmp: Path) -> engine_.Result:
    stats = engine_.Stats(engine="duckdb")
    month, window, rates = job.month, job.window, job.rates
    names = sources.Names()
    read = engine_.Read(job)

    def order_rows(path: Path) -> Iterator[tuple]:
        for o in sources.order_records(path):
            stats.orders += 1
            judged = o.month is not None and (month is None or o.month == month)
            yield (o.tid, None if o.month is None else month_index(o.month), judged, o.paid,
                   o.points, o.refund, o.status, o.card, o.taobaoke, names(o.file), o.line, stats.orders)

    # The plain CSV exports read by DuckDB itself (native_exports), the others by the parsers.
    month_code = None if month is None else month_index(month)
    for path in job.orders:
        taken = native_exports.load_orders(con, path, names(str(path)), stats.orders, month_code, tmp) \
            if job.native else None
        if taken is None:
            _append(con, "orders", order_rows(path))  # counts stats.orders
        else:
            stats.orders += taken
        read.file(path)

    if job.items and rates.categories:
        for path in job.items:
            if not job.native or native_exports.load_items(con, path, tmp) is None:
                _append(con, "items", sources.item_values([path]))
        skus = [sku for (sku,) in con.execute("SELECT DISTINCT sku FROM items").fetchall()]
        _append(con, "skus", ((sku, *engine_.scaled_rates(rates.category_of(sku), rates)) for sku in skus))
    for path in job.items:
        read.file(path)

    scan = sources.StatementScan()

    def statement_rows() -> Iterator[tuple]:
        records = sources.statement_records(job.statements, job.classifier, scan, read.statements())
        for seq, r in enumerate(records, 1):
            yield (r.tid, KIND_CODE[r.kind], month_index(r.month), r.amount, names(r.file), r.line, seq)
            stats.order_rows = seq

    _append(con, "rows", statement_rows())
    read.statements_read(job.statements)
    stats.statement_rows, stats.duplicates, stats.unclassified = scan.rows, scan.duplicates, scan.unclassified

    refunds = None
    if job.refunds:
        refunds = sources.refund_totals(job.refunds, lambda _tid: True, scan.covered_until)
    for path in job.refunds:
        read.file(path)

    found = engine_.judge_all(_states(con, job, names, refunds), rates, window, scan.covered_until, stats)

    month_code = None if month is None else sources.month_index(month)
    for part in _passes(con):
        cursor = con.execute(UNKNOWN_SQL, {"month": month_code, **part})
        while batch := cursor.fetchmany(BATCH):
            for tid, mi, file, line, amount, count, kinds in batch:
                entry = Unknown(month_name(mi), names.name(file), line, int(amount), count,
                                {sources.KINDS[k] for k in kinds})
                stats.unknown_orders += 1
                found.append(rules_.unknown_finding(tid, entry))
    found.sort(key=rules_.sort_key)
    return engine_.Result(found, stats, month, window, scan.covered_until)


def _states(con, job: engine_.Job, names: sources.Names, refunds: dict[str, int] | None) -> Iterator[OrderState]:
    """The judged orders with their sums, one :class:`OrderState` at a time."""
    rates = job.rates
    params = {
        "window": job.window, "sale": KIND_CODE[sources.SALE], "refund": KIND_CODE[sources.REFUND],
    }
    for part in _passes(con):
        yield from _pass(con.execute(JUDGE_SQL, {**params, **part}), names, refunds, rates)


def _passes(con) -> list[dict[str, int]]:
    """The query parameters of each pass (:data:`ORDERS_PER_PASS`)."""
    ids = con.execute(
        "SELECT greatest((SELECT approx_count_distinct(tid) FROM orders),"
        " (SELECT approx_count_distinct(tid) FROM rows))"
    ).fetchone()[0] or 0
    passes = max(1, -(-ids // ORDERS_PER_PASS))
    return [{"passes": passes, "pass": n} for n in range(passes)]


def _pass(cursor, names: sources.Names, refunds: dict[str, int] | None, rates) -> Iterator[OrderState]:
    """The :class:`OrderState` s of one pass's rows."""
    while batch := cursor.fetchmany(BATCH):
        for (tid, mi, paid, points, refund, status, card, taobaoke, file, line, sale_in, sale_out,
             out_mi, sale_file, sale_line, refunded, refund_file, refund_line, fees, value, *weights) in batch:
            state = OrderState(OrderRecord(tid, month_name(mi), paid, points, refund, status, card,
                                           taobaoke, names.name(file), line))
            if sale_in is not None or sale_out is not None:
                state.sale_in, state.sale_out = int(sale_in or 0), int(sale_out or 0)
                state.out_month = None if out_mi is None else month_name(out_mi)
                state.sale_file, state.sale_line = names.name(sale_file), sale_line or 0
            if refunded is not None:
                state.refund = int(refunded)
                state.refund_file, state.refund_line = names.name(refund_file), refund_line
            if fees:
                state.fees = {}
                for kind, charged, count, first, fee_file, fee_line, back in fees:
                    fee = state.fees[sources.KINDS[kind]] = Fee()
                    fee.charged, fee.count, fee.back = int(charged), int(count), int(back)
                    if count:
                        fee.first, fee.file, fee.line = int(first), names.name(fee_file), fee_line
            if value:
                state.rates = engine_.order_rates(
                    int(value), {fee: int(w) for fee, w in zip(FEES, weights, strict=True)}, rates
                )
            if refunds is not None:
                state.refunds = refunds.get(tid, 0)
            yield state
