#!/usr/bin/env python3
"""Load time of a ledger with the four beancount-tmall plugins vs the same ledger without them.

    .venv/bin/python bench/bench_plugins.py                       # ledgers/demo (a year, daily)
    .venv/bin/python bench/bench_plugins.py --ledger PATH/main.beancount
    .venv/bin/python bench/bench_plugins.py --orders-per-day 200  # a bigger demo, built in a tmp dir
    .venv/bin/python bench/bench_plugins.py --profile             # + cProfile of the plugins

"Without them" is a copy of the main file with its ``plugin "beancount_tmall.plugins.…"`` lines
commented out, written as a hidden sibling of the main file (so the includes and
``option "documents"`` resolve the same) and removed afterwards. Beancount's own plugins
(documents, pad, balance) and validation run in both. Without the invoices plugin the compact
invoices (only a receivable posting) do not balance: the bare load reports those errors, which is
expected and costs little.

Every load goes through ``beancount.loader.load_file`` with the pickle cache off
(``BEANCOUNT_DISABLE_LOAD_CACHE``, read when ``beancount.loader`` is imported, so set here first,
and ``loader.initialize(use_cache=False)`` for good measure). After one warm-up load of each
(plugin modules imported, files in the OS cache) the two loads alternate ``--repeat`` times; the
ratio is of the minimum times (the least disturbed run; the medians show the noise). Per-plugin
times come from the loader's own ``log_timings`` (whole milliseconds). Target: ratio <= 1.3.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from beancount import loader  # noqa: E402
from beancount.core import data  # noqa: E402

loader.initialize(use_cache=False)

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "ledgers" / "demo" / "main.beancount"
TARGET = 1.3
PLUGIN_LINE = re.compile(r'^(plugin\s+"beancount_tmall\.plugins\.[^"]*".*)$', re.M)
TIMING_LINE = re.compile(r"Operation: '([^']+)'\s+Time:\s+([\d.]+) ms")


def without_plugins(ledger: Path) -> tuple[Path, int]:
    """A hidden sibling of ``ledger`` with the project's plugin lines commented out; (path, count)."""
    text, count = PLUGIN_LINE.subn(
        r"; \1  ; bench_plugins: off", ledger.read_text(encoding="utf-8")
    )
    fd, name = tempfile.mkstemp(
        prefix=f".{ledger.stem}.bench-noplugins-", suffix=ledger.suffix, dir=ledger.parent
    )
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(name), count


def timed_load(path: Path) -> tuple[float, float, dict[str, float], tuple]:
    """(CPU s, wall s, {operation: ms} from log_timings, (entries, errors, options)) of one load."""
    lines: list[str] = []
    gc.collect()
    gc.disable()  # a collection landing in one load and not the other is noise, not plugin cost
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        result = loader.load_file(str(path), log_timings=lines.append)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.enable()
    ops: dict[str, float] = {}
    for line in lines:
        m = TIMING_LINE.search(line)
        if m:
            ops[m.group(1)] = ops.get(m.group(1), 0.0) + float(m.group(2))
    return cpu, wall, ops, result


def describe(result: tuple) -> str:
    entries, errors, _ = result
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    postings = sum(len(t.postings) for t in txns)
    return f"{len(entries)} entries, {len(txns)} transactions, {postings} postings, {len(errors)} errors"


def profile_plugins(ledger: Path, top: int) -> None:
    """cProfile one load with plugins; the project's functions by cumulative time, as a share."""
    prof = cProfile.Profile()
    prof.enable()
    loader.load_file(str(ledger))
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    rows = []
    for (filename, lineno, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        if "beancount_tmall" in filename:
            short = filename[filename.index("beancount_tmall") :]
            rows.append((cumtime, tottime, ncalls, f"{short}:{lineno}({func})"))
    rows.sort(reverse=True)
    print(
        f"\ncProfile of one load with plugins ({total * 1000:.0f} ms profiled), beancount_tmall "
        f"functions by cumulative time:"
    )
    print(f"  {'cum ms':>8} {'cum %':>6} {'self ms':>8} {'calls':>8}  function")
    for cum, tot, ncalls, name in rows[:top]:
        print(f"  {cum * 1000:8.1f} {cum / total:6.1%} {tot * 1000:8.1f} {ncalls:8d}  {name}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print("\nall functions by own time:")
    print("\n".join(out.getvalue().splitlines()[6:]))


def build_demo(directory: Path, orders_per_day: int, days: int) -> Path:
    """``tmall-books demo`` into ``directory`` (its summary is not printed); the main file."""
    from beancount_tmall.demo.build import run_demo

    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = run_demo(directory, orders_per_day=orders_per_day, days=days)
    print(
        f"demo built: {orders_per_day} orders/day, {days} days, in {time.perf_counter() - t0:.1f} s"
        f"{'' if status == 0 else ' (its bean-check reported errors)'}"
    )
    return directory / "main.beancount"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ledger", type=Path, default=DEFAULT, help="main file (default: the demo)"
    )
    parser.add_argument(
        "--orders-per-day",
        type=int,
        default=None,
        help="build a demo of this many orders a day in a temp dir and time that",
    )
    parser.add_argument("--days", type=int, default=365, help="days of the built demo (365)")
    parser.add_argument("--repeat", type=int, default=15, help="timed loads of each (15)")
    parser.add_argument("--profile", action="store_true", help="cProfile one load with plugins")
    parser.add_argument("--top", type=int, default=20, help="rows of the profile (20)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-plugins-") as tmp:
        if args.orders_per_day is not None:
            ledger = build_demo(Path(tmp) / "demo", args.orders_per_day, args.days)
        else:
            ledger = args.ledger.resolve()
        if not ledger.exists():
            print(
                f"{ledger} does not exist; build one with `tmall-books demo DIR`", file=sys.stderr
            )
            return 2
        bare, count = without_plugins(ledger)
        try:
            if not count:
                print(f"{ledger} has no beancount_tmall plugin lines", file=sys.stderr)
                return 2
            return run(ledger, bare, count, args)
        finally:
            bare.unlink(missing_ok=True)


def run(ledger: Path, bare: Path, count: int, args) -> int:
    with_r = timed_load(ledger)[3]  # warm-up, and the shape of the ledger
    without_r = timed_load(bare)[3]
    print(f"ledger: {ledger}")
    print(f"  with plugins:    {describe(with_r)}")
    print(f"  without plugins: {describe(without_r)}  ({count} plugin lines commented out)")
    del with_r, without_r

    runs: dict[str, list[tuple[float, float, dict]]] = {"with": [], "without": []}
    for i in range(args.repeat):
        order = (
            (("with", ledger), ("without", bare))
            if i % 2 == 0
            else (("without", bare), ("with", ledger))
        )
        for label, path in order:
            cpu, wall, ops, _ = timed_load(path)
            runs[label].append((cpu, wall, ops))

    best = {}
    for label in ("with", "without"):
        cpus = [r[0] for r in runs[label]]
        walls = [r[1] for r in runs[label]]
        best[label] = (min(cpus), min(walls))
        print(
            f"load {label + ' plugins:':<17} {min(cpus) * 1000:7.1f} ms CPU, {min(walls) * 1000:7.1f} ms wall "
            f"(min of {args.repeat}; median {statistics.median(walls) * 1000:.1f} ms, "
            f"max {max(walls) * 1000:.1f} ms wall)"
        )

    plugin_ops = [op for op in runs["with"][0][2] if op.startswith("beancount_tmall.plugins.")]
    stages = ("parse", "booking", "run_transformations", "beancount.ops.validate")
    print(
        "stages, min ms (with / without):  "
        + ",  ".join(
            f"{s} {min(r[2].get(s, 0) for r in runs['with']):.0f} / "
            f"{min(r[2].get(s, 0) for r in runs['without']):.0f}"
            for s in stages
        )
    )
    total = 0.0
    parts = []
    for op in plugin_ops:
        ms = min(r[2].get(op, 0.0) for r in runs["with"])
        total += ms
        parts.append(f"{op.rsplit('.', 1)[1]} {ms:.0f}")
    print(
        f"plugins, min ms: {', '.join(parts)} (sum {total:.0f} ms, "
        f"{total / (best['with'][1] * 1000):.0%} of the load)"
    )

    cpu_ratio = best["with"][0] / best["without"][0]
    wall_ratio = best["with"][1] / best["without"][1]
    verdict = "ok" if max(cpu_ratio, wall_ratio) <= TARGET else "ABOVE TARGET"
    print(
        f"ratio with / without plugins: {cpu_ratio:.2f} CPU, {wall_ratio:.2f} wall "
        f"(target <= {TARGET}): {verdict}"
    )
    if args.profile:
        profile_plugins(ledger, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
