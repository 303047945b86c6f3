"""The statements of a reconciliation read in worker processes, a few files ahead.

:class:`StatementPrefetch` has the contract of
:func:`~beancount_tmall.orders.sources.statement_records` (the same records, in the same order,
the same :class:`~beancount_tmall.orders.sources.StatementScan`, the same errors) but each file is
read — by the same strict parser and rule table, :func:`sources.file_entries` — in a process of a
small pool, started as soon as the prefetch is made: the engine reads the order and item exports
meanwhile, and the statements' files are read side by side. It only saves wall time on a machine
with a core to spare; the CPU time grows a little (each file's records travel back pickled).

A worker returns each file's order records as plain tuples, and, for the rows inside a span two
statements' banner periods share, their 账务流水号 and outcome: the skipping of a row an earlier
file already held stays in the parent, in file order, exactly as the sequential reading does it.
At most ``workers + 1`` files' records are held in the parent at once (the one it hands out and
one done or under way per worker).
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


def read_file(path: Path, spans: list[tuple]) -> tuple[list[tuple], sources.FileCounts, object]:
    """One statement file's :func:`sources.file_entries`, its counts and ``covered_until`` (in a
    worker: the rule table is the pool's)."""
    assert _CLASSIFIER is not None
    statement = alipay_statement.AlipayStatement(path)
    counts = sources.FileCounts()
    entries = list(sources.file_entries(statement, spans, _CLASSIFIER, {}, counts))
    return entries, counts, statement.covered_until


def workers_wanted(requested: int | None, files: int) -> int:
    """Worker processes for ``files`` statements: ``requested`` (``None``: none), at most one a
    file and one a CPU; 0 (fewer than two, or no ``fork`` here) means read in this process."""
    if not requested or requested < 2 or files < 2:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0  # the workers inherit the rule table by fork
    workers = min(requested, files, os.cpu_count() or 1)
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
        for _ in range(workers):  # one file ahead per worker; the next is sent as one is taken
            self._submit()

    def _submit(self) -> None:
        if self._next < len(self.paths):
            self._futures.append(self._pool.submit(read_file, self.paths[self._next], self.spans))
            self._next += 1

    def records(
        self, scan: sources.StatementScan | None = None, progress: Callable[[int], None] | None = None
    ) -> Iterator[sources.StatementRecord]:
        """The records, file by file (``progress(bytes)`` after each file)."""
        scan = scan if scan is not None else sources.StatementScan()
        seen: set[str] = set()
        done = 0
        try:
            for i, path in enumerate(self.paths):
                entries, counts, until = self._futures[i].result()
                self._futures[i] = None  # type: ignore[call-overload]
                self._submit()
                yield from sources.take_entries(entries, seen, scan)
                del entries
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
