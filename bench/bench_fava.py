#!/usr/bin/env python3
"""Server time of the 天猫对账 page vs Fava's own income statement, on the same ledger.

    .venv/bin/python bench/bench_fava.py [LEDGER] [--year 2025] [--repeat 7]

LEDGER defaults to ledgers/demo/main.beancount (build one with ``tmall-books demo DIR``). The
extension is enabled on a copy of the main file if the ledger does not enable it.

Fava's income statement is rendered in the browser from two requests, so its server time is
``GET …/income_statement/`` (the page shell) + ``GET …/api/income_statement?time=YEAR`` (the
data). The 天猫对账 page is one request per tab; it is timed *cold* (views cache cleared, as after
every change of the ledger file) and *warm* (cached). Medians of ``--repeat`` runs after a warm-up;
the ledger is loaded once, before timing, for both. Target: cold ratio ≤ 2.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from fava.application import create_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "ledgers" / "demo" / "main.beancount"
EXTENSION = '2000-01-01 custom "fava-extension" "beancount_tmall.fava"\n'


def with_extension(ledger: Path, directory: Path) -> Path:
    text = ledger.read_text(encoding="utf-8")
    if "beancount_tmall.fava" in text:
        return ledger
    text = re.sub(
        r'^include "([^"]+)"',
        lambda m: f'include "{(ledger.parent / m.group(1)).resolve().as_posix()}"',
        text,
        flags=re.M,
    )
    copy = directory / ledger.name
    copy.write_text(text + "\n" + EXTENSION, encoding="utf-8")
    return copy


def timed(client, urls: list[str], repeat: int, before=None) -> float:
    """Median seconds to GET all ``urls`` (each must answer 200)."""
    times = []
    for i in range(repeat + 1):
        if before:
            before()
        start = time.perf_counter()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        if i:  # the first run warms up
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.ledger.exists():
        print(f"{args.ledger} does not exist; build it with `tmall-books demo DIR`", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app([str(with_extension(args.ledger.resolve(), Path(tmp)))])
        app.testing = True
        client = app.test_client()
        start = time.perf_counter()
        slug = urlsplit(client.get("/").location).path.strip("/").split("/")[0]
        load = time.perf_counter() - start
        ledger = app.config["LEDGERS"][unquote(slug)]
        ext = ledger.extensions.get_extension("TmallReconciliation")
        transactions = sum(1 for e in ledger.all_entries if type(e).__name__ == "Transaction")

        income = timed(
            client,
            [f"/{slug}/income_statement/?time={args.year}", f"/{slug}/api/income_statement?time={args.year}"],
            args.repeat,
        )
        print(f"ledger: {args.ledger} ({transactions} transactions, loaded in {load:.2f} s)")
        print(f"Fava income statement (shell + api), {args.year}: {income * 1000:8.1f} ms")
        worst = 0.0
        for tab in ("monthly", "aging", "annual_fee"):
            url = [f"/{slug}/extension/TmallReconciliation/?tab={tab}&year={args.year}"]
            cold = timed(client, url, args.repeat, before=ext.after_load_file)
            warm = timed(client, url, args.repeat)
            worst = max(worst, cold / income)
            print(
                f"天猫对账 {tab:<11} cold {cold * 1000:8.1f} ms (ratio {cold / income:5.2f})   "
                f"warm {warm * 1000:8.1f} ms (ratio {warm / income:5.2f})"
            )
        print(f"worst cold ratio: {worst:.2f} (target ≤ 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
