"""The statements of a reconciliation read in worker processes, a few files ahead.

:class:`StatementPrefetch` has the contract of
:func:`~beancount_tmall.orders.sources.statement_records` (the same records, in the same order,
the same :class:`~beancount_tmall.orders.sources.StatementScan`, the same errors) but each file is
read — by the same strict parser and rule table, :func:`sources.read_block` — in a process of a
small pool, started as soon as the prefetch is made: the engine reads the order and item exports
meanwhile, and the statements' files are read side by side. It only saves wall time on a machine
with a core to spare; the CPU time grows a little (each file's records travel back pickled).

A worker returns each file's order records as columns (:class:`~sources.Block`: arrays pickle
as bytes) and, for the rows inside a span two statements' banner periods share, their 账务流水号
and outcome: the skipping of a row an earlier file already held stays in the parent, in file
order, exactly as the sequential reading does it. At most ``workers × AHEAD + 1`` files' records
are held in the parent at once (the one it hands out and those done or under way).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from beancount_tmall.formats import alipay_statement
from beancount_tmall.orders import sources

_CLASSIFIER: sources.Classifier | None = None


def _init(classifier: sources.Classifier) -> None:
    global _CLASSIFIER
    _CLASSIFIER = classifier


def read_file(path: Path, spans: list[tuple]) -> tuple[sources.Block, list, sources.FileCounts, object]:
    """One statement file's records as a :class:`~sources.Block` and its rows inside a shared
    span (:func:`sources.read_block`: the parent skips what an earlier file held), its counts and
    ``covered_until`` (in a worker: the rule table is the pool's)."""
    assert _CLASSIFIER is not None
    statement = alipay_statement.AlipayStatement(path)
    counts = sources.FileCounts()
    block, shared = sources.read_block(statement, spans, _CLASSIFIER, counts)
    return block, shared, counts, statement.covered_until


#: Files sent ahead per worker: the workers keep reading while the engine reads the exports (a
#: file's records come back as a :class:`~sources.Block`, about 40 bytes a row: a month of a 5000
#: orders/day store is some 25 MB).
AHEAD = 4
#: With ``workers=None`` (automatic), statements of this many bytes or more (zips counted
#: uncompressed, :func:`sources.content_size`) are read by workers
#: (a big store's year: 381 MB at 1000 orders a day); smaller ones are read in this process, where
#: starting a pool costs more than it saves.
AUTO_BYTES = 64 * 1024 * 1024
#: Automatic workers: at most this many (one core is the engine's own).
AUTO_MAX = 4


def workers_wanted(requested: int | None, files: int, size: int = 0) -> int:
    """Worker processes for ``files`` statements of ``size`` bytes together: ``requested`` (0 or
    1: none; ``None``: automatic, one per CPU up to :data:`AUTO_MAX` when the statements reach
    :data:`AUTO_BYTES`), at most one a file and one a CPU; 0 (fewer than two, or no ``fork``
    here) means read in this process."""
    cpus = os.cpu_count() or 1
    if requested is None:
        requested = min(cpus, AUTO_MAX) if size >= AUTO_BYTES else 0
    if requested < 2 or files < 2:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0  # the workers inherit the rule table by fork
    workers = min(requested, files, cpus)
    return workers if workers >= 2 else 0


class StatementPrefetch:
    """:func:`sources.statement_records` of ``paths`` read by ``workers`` processes (see the
    module); iterate it once. The pool is started when it is made."""

    def __init__(
        self,
        paths: Sequence[str | Path],
        classifier: sources.Classifier,
        workers: int,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.spans = sources.statement_spans(self.paths)
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork"),
            initializer=_init, initargs=(classifier,),
        )
        self._futures: list[Future] = []
        self._next = 0
        for _ in range(workers * AHEAD):  # files ahead; the next is sent as one is taken
            self._submit()

    def _submit(self) -> None:
        if self._next < len(self.paths):
            self._futures.append(self._pool.submit(read_file, self.paths[self._next], self.spans))
            self._next += 1

    def blocks(
        self, scan: sources.StatementScan | None = None, progress: Callable[[int], None] | None = None
    ) -> Iterator[sources.Block]:
        """The records as a :class:`~sources.Block` per file (``progress(bytes)`` after each)."""
        scan = scan if scan is not None else sources.StatementScan()
        seen: set[str] = set()
        done = 0
        try:
            for i, path in enumerate(self.paths):
                block, shared, counts, until = self._futures[i].result()
                self._futures[i] = None  # type: ignore[call-overload]
                self._submit()
                yield sources.settle(block, shared, seen, scan)
                del block
                counts.add_to(scan, until)
                done += sources._size(path)
                if progress is not None:
                    progress(done)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the pool (files not read yet are dropped)."""
        for future in self._futures:
            if future is not None:
                future.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
