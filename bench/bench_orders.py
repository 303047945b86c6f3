#!/usr/bin/env python3
"""Order-level reconciliation (``reconcile orders``): each engine against Python's csv module.

    nice .venv/bin/python bench/bench_orders.py                         # 1000 and 5000 orders/day, a year
    nice .venv/bin/python bench/bench_orders.py --per-day 1000 --days 90   # quick run
    nice .venv/bin/python bench/bench_orders.py --data /tmp/orders-bench   # keep (and reuse) the inputs
    nice .venv/bin/python bench/bench_orders.py --per-day 1000 --workers 0  # and python in one process

The inputs are the demo generator's (``beancount_tmall.demo.generate.generate``): the monthly
Alipay statements (GBK 账务明细), the order, item (宝贝) and refund exports of ``--days`` days of a
store selling ``--per-day`` orders a day. Every engine reconciles all of them, each run in a fresh
process (``python bench_orders.py --child``) so that its peak resident memory (``ru_maxrss``, the
whole process, DuckDB's threads included) is its own.

Printed, all measured in this run:

* the time of ``csv.reader`` merely iterating the same decoded files (best of two);
* per engine and size: CPU and wall seconds of ``engine.reconcile``, their ratio to csv
  (target <= 3 at 1000 orders/day), the findings and the peak RSS;
* memory growth from the smaller to the larger size against the growth of the input bytes
  (target: grows less than the input, stays under 4 GiB at 5000 orders/day);
* each engine against the other (CPU, wall, memory), and which one wins.

With the demo's category rates (the default) clean data gives no finding; ``--no-rates`` judges
every order at the default 5%, so the 茶具 and 礼盒 orders give findings and the engines' digests
compare many.

Both engines must give the same findings: the child prints a digest of them and the bench says
if the digests differ.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("orders", "statements", "items", "refunds")
GiB = 1 << 30


def inputs(data: Path) -> dict[str, list[Path]]:
    """The files of a generated directory, by the argument of ``reconcile`` they go to."""
    tmall = data / "tmall"
    return {
        "orders": sorted(tmall.glob("ExportOrderList*.csv")),
        "statements": sorted((data / "alipay").glob("*_账务明细.csv")),
        "items": sorted(tmall.glob("ExportOrderDetailList*.csv")),
        "refunds": sorted(tmall.glob("ExportRefundList*.csv")),
    }


def write_rates(path: Path) -> None:
    """The demo store's rates file: its catalogue's commission rate per category, each SKU's
    category (so items are read and an order is judged by its category, as a store would)."""
    from beancount_tmall.demo.generate import CATALOG, SKUS

    lines = ["[category_rates]"]
    lines += sorted({f'"{category}" = "{bp / 10000}"' for _, _, category, bp in CATALOG})
    lines.append("[categories]")
    lines += [f'"{sku}" = "{category}"' for (sku, _, _), (_, _, category, _) in zip(SKUS, CATALOG, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_data(data: Path, per_day: int, days: int) -> tuple[dict[str, list[Path]], float | None]:
    """Generate (or reuse, if complete) the demo store's files under ``data``; returns the files
    and the generation's wall seconds (``None`` if reused)."""
    done = data / "generated.json"
    write_rates(data.parent / "rates.toml")
    if done.exists() and json.loads(done.read_text()) == {"per_day": per_day, "days": days}:
        return inputs(data), None
    from beancount_tmall.demo.generate import generate

    t0 = time.perf_counter()
    generate(data, orders_per_day=per_day, days=days)
    seconds = time.perf_counter() - t0
    done.write_text(json.dumps({"per_day": per_day, "days": days}))
    return inputs(data), seconds


def csv_time(files: dict[str, list[Path]]) -> tuple[float, float, int]:
    """(CPU s, wall s, rows) of csv.reader iterating every file, decoded (GBK as gb18030)."""
    cpu, wall, rows = time.process_time(), time.perf_counter(), 0
    for paths in files.values():
        for path in paths:
            with open(path, encoding="gb18030", newline="") as fh:
                for _ in csv.reader(fh):
                    rows += 1
    return time.process_time() - cpu, time.perf_counter() - wall, rows


def parsers_time(files: dict[str, list[Path]]) -> float:
    """CPU seconds of the parsers alone (``formats/``: every row read, checked and typed, nothing
    else): the floor under both engines, which read through them."""
    from beancount_tmall.formats import alipay_statement, tmall_items, tmall_orders, tmall_refunds

    readers = {
        "orders": tmall_orders.read_orders, "statements": alipay_statement.AlipayStatement,
        "items": tmall_items.read_items, "refunds": tmall_refunds.read_refunds,
    }
    cpu = time.process_time()
    for kind, paths in files.items():
        for path in paths:
            for _ in readers[kind](path):
                pass
    return time.process_time() - cpu


def child(spec: str, data: Path) -> None:
    """Run one reconciliation and print its measurements as JSON (in a fresh process); ``spec``
    is an engine, or ``python:N`` for the Python engine with N worker processes reading the
    statements (their CPU time counted in, their peak memory reported apart)."""
    engine, _, workers = spec.partition(":")  # "python:0": in one process
    sys.path.insert(0, str(ROOT))
    from beancount_tmall.orders import engine as orders_engine
    from beancount_tmall.orders.rates import load_rates

    files = inputs(data)
    rates = load_rates(data.parent / "rates.toml" if os.environ.get("BENCH_ORDERS_RATES") != "0" else None)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = children.ru_utime + children.ru_stime
    cpu, wall = time.process_time(), time.perf_counter()
    result = orders_engine.reconcile(
        files["orders"], files["statements"], items=files["items"], refunds=files["refunds"],
        rates=rates, engine=engine, workers=int(workers) if workers != "" else None,
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers_cpu = after.ru_utime + after.ru_stime - children
    cpu += workers_cpu
    digest = hashlib.sha256()
    for finding in result.findings:
        digest.update(repr(finding).encode())
    print(json.dumps({
        "cpu": cpu, "wall": wall, "base_rss": base,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "workers": result.stats.workers, "workers_cpu": workers_cpu,
        "worker_peak_rss": after.ru_maxrss * 1024 if result.stats.workers else 0,
        "findings": len(result.findings), "digest": digest.hexdigest()[:16],
        "stats": {k: v for k, v in vars(result.stats).items() if isinstance(v, int)},
        "kinds": dict(Counter(f.kind for f in result.findings)),
    }))


def run_child(engine: str, data: Path) -> dict | None:
    """The child's measurements; ``None`` (its error printed) if it failed."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine, str(data)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if out.returncode:
        print(f"{engine:>7}: FAILED (exit {out.returncode}): {out.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, nargs="+", default=[1000, 5000], help="orders a day (sizes)")
    parser.add_argument("--days", type=int, default=365, help="days generated (from January 1st)")
    parser.add_argument("--engines", nargs="+", default=["python", "duckdb"])
    parser.add_argument("--data", type=Path, help="keep the generated inputs here (reused if present)")
    parser.add_argument("--no-rates", action="store_true",
                        help="the default rates (5%% for all): many commission-rate findings to compare")
    parser.add_argument("--workers", type=int, default=None,
                        help="also run the Python engine with this many statement workers (0: in one "
                             "process, the default's comparison; the default engine picks its own)")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sys.path.insert(0, str(ROOT))
    from beancount_tmall.orders import engine as orders_engine

    if args.no_rates:
        os.environ["BENCH_ORDERS_RATES"] = "0"  # read by the children

    with tempfile.TemporaryDirectory(prefix="bench-orders-") as tmp:
        top = args.data or Path(tmp)
        print(f"command: {' '.join(sys.argv)}")
        measured: dict[int, dict] = {}
        for per_day in args.per_day:
            data = top / f"{per_day}x{args.days}"
            files, gen = make_data(data, per_day, args.days)
            size = sum(p.stat().st_size for paths in files.values() for p in paths)
            counts = ", ".join(f"{len(files[k])} {k}" for k in KINDS)
            print(f"\n== {per_day} orders/day, {args.days} days: {counts} files, {mb(size)}"
                  + (f", generated in {gen:.0f} s" if gen is not None else " (reused)"))
            c_cpu, c_wall, rows = min(csv_time(files) for _ in range(2))
            print(f"csv.reader alone: {c_cpu:.2f} s CPU, {c_wall:.2f} s wall, {rows:,} rows")
            if per_day == min(args.per_day):
                p_cpu = parsers_time(files)
                print(f"parsers alone (formats/, the floor of both engines): {p_cpu:.2f} s CPU, "
                      f"ratio to csv {p_cpu / c_cpu:.2f}")
            runs = {}
            specs = list(args.engines)
            if args.workers is not None:
                specs.append(f"python:{args.workers}")
            for engine in specs:
                r = run_child(engine, data)
                if r is None:
                    continue
                runs[engine] = r
                print(f"{engine:>7}: {r['cpu']:.2f} s CPU, {r['wall']:.2f} s wall; "
                      f"ratio to csv {r['cpu'] / c_cpu:.2f} CPU, {r['wall'] / c_wall:.2f} wall"
                      f"{' (target <= 3)' if per_day == 1000 else ''}; "
                      f"peak RSS {mb(r['peak_rss'])} (after imports {mb(r['base_rss'])}"
                      + (f"; each of {r['workers']} workers up to {mb(r['worker_peak_rss'])}, "
                         f"their CPU {r['workers_cpu']:.2f} s counted in" if r.get("workers") else "")
                      + "); "
                      f"{r['findings']} findings {r['kinds']} [{r['digest']}]; {r['stats']}")
            if len({r["digest"] for r in runs.values()}) > 1:
                print("!! the engines' findings differ")
            measured[per_day] = {"size": size, "csv": (c_cpu, c_wall), "runs": runs}
            if "python" in runs and "duckdb" in runs:
                (a, ra), (b, rb) = ("python", runs["python"]), ("duckdb", runs["duckdb"])
                print(f"(default engine: {orders_engine.DEFAULT_ENGINE}) {b} / {a}: {rb['cpu'] / ra['cpu']:.2f} CPU, {rb['wall'] / ra['wall']:.2f} wall, "
                      f"{rb['peak_rss'] / ra['peak_rss']:.2f} peak memory")
        if len(measured) >= 2:
            (small, s), (big, b) = min(measured.items()), max(measured.items())
            print(f"\n== growth {small} -> {big} orders/day: input x{b['size'] / s['size']:.2f}")
            for engine in args.engines:
                if engine in s["runs"] and engine in b["runs"]:
                    grow = b["runs"][engine]["peak_rss"] / s["runs"][engine]["peak_rss"]
                    peak = b["runs"][engine]["peak_rss"]
                    print(f"{engine:>7}: peak memory x{grow:.2f}, {peak / GiB:.2f} GiB at {big}/day "
                          f"(target: less than the input's growth, < 4 GiB)")


if __name__ == "__main__":
    main()
