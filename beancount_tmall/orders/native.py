"""The order and item exports read by DuckDB's own CSV reader, for the Python engine.

:class:`Exports` gives each order of an export as :func:`~beancount_tmall.orders.sources.order_records`
does (:meth:`Exports.order_values`) and each order's value and rate-weighted value over its item
lines (:meth:`Exports.item_weights`): each plain CSV export is read by
:mod:`~beancount_tmall.orders.native_exports` into an in-memory DuckDB table; a file it declines
(xlsx, another layout, any cell it cannot vouch for) is read by the strict parser, which reads it
or says what is wrong with it. Without the ``duckdb`` package, or with ``native=False``, every
file goes to the strict parsers.

One order export's rows are in DuckDB at a time; the item lines of all exports are summed there
together, within :data:`~beancount_tmall.orders.engine_duckdb.MEMORY_LIMIT` (spilling beyond).
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from beancount_tmall.orders import sources
from beancount_tmall.orders.rates import RatesError

try:
    import duckdb
except ImportError:  # the strict parsers read every file
    duckdb = None

class Exports:
    """The exports of one reconciliation (close it, or use it as a context manager)."""

    def __init__(self, native: bool = True) -> None:
        self.con = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        #: files read natively / by the strict parsers (for the tests and the benchmark)
        self.native_files: list[str] = []
        self.strict_files: list[str] = []
        if native and duckdb is not None:
            from beancount_tmall.orders import engine_duckdb

            self._tmp = tempfile.TemporaryDirectory(prefix="tmall-exports-")
            # bounded like the DuckDB engine's (a year's item lines are summed here)
            self.con = engine_duckdb.limited(duckdb.connect(), self._tmp.name)
            self.con.execute(engine_duckdb.SCHEMA)

    def __enter__(self) -> Exports:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def order_values(self, path: str | Path) -> Iterator[tuple]:
        """The orders of one export as ``(tid, month index or None, paid, points, refund,
        status, card, taobaoke, line)``: :func:`sources.order_records`'s facts (``month`` by
        :func:`sources.month_index`)."""
        from beancount_tmall.orders import native_exports

        con = self.con
        if con is not None and native_exports.load_orders(
            con, Path(path), 0, 0, None, Path(self._tmp.name)
        ) is not None:
            rows = con.execute(
                "SELECT tid, mi, paid, points, refund, status, card, taobaoke, line FROM orders ORDER BY seq"
            ).fetchall()
            con.execute("DELETE FROM orders")
            self.native_files.append(str(path))
            yield from rows
            return
        self.strict_files.append(str(path))
        index = sources.month_index
        for o in sources.order_records(path):
            yield (o.tid, None if o.month is None else index(o.month), o.paid, o.points, o.refund, o.status,
                   o.card, o.taobaoke, o.line)

    def item_weights(
        self, paths: Iterable[str | Path], scaled: Callable[[str], tuple[int, ...]], wanted: Callable[[str], bool],
        default: tuple[int, ...] | None = None,
    ) -> Iterator[tuple]:
        """``(order id, value, Σ value × rate of each fee)`` of the orders ``wanted`` takes, over
        their item lines in ``paths``: ``scaled(商家编码)`` gives the item's rates as whole
        numbers (:func:`~beancount_tmall.orders.engine.scaled_rates`). Summed in DuckDB over the
        natively read files (the others appended), else in Python. With ``default`` (the default
        rates, scaled alike), DuckDB leaves out the orders whose every sum is value × default:
        their rates are the default ones."""
        from beancount_tmall.orders import engine_duckdb, native_exports

        con = self.con
        if con is None:
            yield from _weights(sources.item_values(paths), scaled, wanted)
            return
        for path in paths:
            if native_exports.load_items(con, Path(path), Path(self._tmp.name)) is not None:
                self.native_files.append(str(path))
            else:
                self.strict_files.append(str(path))
                engine_duckdb._append(con, "items", sources.item_values([path]))
        skus = [sku for (sku,) in con.execute("SELECT DISTINCT sku FROM items").fetchall()]
        engine_duckdb._append(con, "skus", ((sku, *scaled(sku)) for sku in skus))
        same = "" if default is None else (
            " HAVING NOT (w1 = v * $d1 AND w2 = v * $d2 AND w3 = v * $d3)")
        try:
            rows = con.execute(
                "SELECT tid, sum(cents) AS v, sum(cents::HUGEINT * commission) AS w1,"
                " sum(cents::HUGEINT * points) AS w2, sum(cents::HUGEINT * card_fee) AS w3"
                " FROM items JOIN skus USING (sku) GROUP BY tid" + same,
                {} if default is None else dict(zip(("d1", "d2", "d3"), default, strict=True)),
            ).fetchall()
        except duckdb.Error as exc:  # out of memory or of disk for its spill files
            raise RatesError(
                f"DuckDB 汇总宝贝报表出错 ({str(exc).splitlines()[0]}); 可加大 TMALL_ORDERS_DUCKDB_MEMORY "
                f"(现为 {engine_duckdb.MEMORY_LIMIT}); summing the item exports failed"
            ) from None
        con.execute("DELETE FROM items")
        con.execute("DELETE FROM skus")
        for row in rows:
            if wanted(row[0]):
                yield row


def _weights(items: Iterable[tuple[str, str, int]], scaled: Callable[[str], tuple[int, ...]],
             wanted: Callable[[str], bool]) -> Iterator[tuple]:
    """:meth:`Exports.item_weights` summed in Python."""
    sums: dict[str, list[int]] = {}
    rates: dict[str, tuple[int, ...]] = {}
    for tid, sku, cents in items:
        if not wanted(tid):
            continue
        per_fee = rates.get(sku)
        if per_fee is None:
            per_fee = rates[sku] = scaled(sku)
        total = sums.get(tid)
        if total is None:
            total = sums[tid] = [0] * (1 + len(per_fee))
        total[0] += cents
        for n, rate in enumerate(per_fee, 1):
            total[n] += cents * rate
    for tid, total in sums.items():
        yield (tid, *total)
