"""The statements read by worker processes (``reconcile(..., workers=2)``, issue 9 §3) give
exactly what the reading in one process gives.

* every test of :mod:`test_orders_findings` (one per finding, amounts computed by hand) runs again
  here with two workers as the default (``test_workers_…``; a test of one statement reads it in
  the process, as it should);
* on a generated store of two and a half months: equal findings, statistics and coverage for all
  months and one month, with and without the demo's category rates, with an export left out and
  a statement given twice (the skipping of rows an earlier statement held stays in file order);
* a statement the strict parser refuses (a balance altered, the footer cut) is refused with the
  same error, file and line through the workers; progress still ends at the total.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import test_orders_findings
from test_orders_engines import demo_rates

from beancount_tmall.demo.generate import generate
from beancount_tmall.formats.common import SourceError
from beancount_tmall.orders import engine, parallel

# Every finding test again, with two workers by default (the autouse fixture below).
globals().update(test_orders_findings.copies("test_workers_"))


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    monkeypatch.setattr(engine, "DEFAULT_WORKERS", 2)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, list[Path]]:
    """A generated store's files: 15 orders a day from 2025-01-01 to 2025-03-16."""
    files = generate(tmp_path_factory.mktemp("store"), orders_per_day=15, days=75)
    return {"orders": files.orders, "statements": files.statements, "items": files.items,
            "refunds": files.refunds}


@pytest.fixture
def pools(monkeypatch) -> list[int]:
    """The worker counts of the pools started (to show the workers did read)."""
    started: list[int] = []
    made = parallel.StatementPrefetch.__init__

    def spy(self, paths, classifier, workers):
        started.append(workers)
        made(self, paths, classifier, workers)

    monkeypatch.setattr(parallel.StatementPrefetch, "__init__", spy)
    return started


def both(pools, **kwargs):
    """The results read in this process and by two workers."""
    alone = engine.reconcile(workers=0, **kwargs)
    assert pools == []
    pooled = engine.reconcile(workers=2, **kwargs)
    assert pools == [2]
    assert alone.findings == pooled.findings
    assert (alone.stats.workers, pooled.stats.workers) == (0, 2)
    assert {**vars(alone.stats), "workers": 2} == vars(pooled.stats)
    assert (alone.covered_until, alone.month, alone.window) == (pooled.covered_until, pooled.month, pooled.window)
    return alone


def test_workers_are_used_only_for_several_statements():
    assert parallel.workers_wanted(None, 12) == 0
    assert parallel.workers_wanted(1, 12) == 0
    assert parallel.workers_wanted(2, 1) == 0
    assert parallel.workers_wanted(2, 12) == (2 if (os.cpu_count() or 1) >= 2 else 0)
    # automatic: a big store's statements only, one worker a CPU (at most AUTO_MAX)
    assert parallel.workers_wanted(None, 12, parallel.AUTO_BYTES - 1) == 0
    auto = min(os.cpu_count() or 1, parallel.AUTO_MAX)
    assert parallel.workers_wanted(None, 12, parallel.AUTO_BYTES) == (auto if auto >= 2 else 0)
    assert parallel.workers_wanted(0, 12, parallel.AUTO_BYTES) == 0


@pytest.mark.parametrize("month", [None, "2025-02"])
@pytest.mark.parametrize("with_rates", [False, True])
def test_workers_give_the_same_on_a_generated_store(store, pools, month, with_rates):
    result = both(pools, **store, month=month, rates=demo_rates() if with_rates else None)
    assert result.stats.judged > 300 and result.stats.statement_rows > 2000
    if not with_rates:
        assert Counter(f.kind for f in result.findings)["commission-rate"] > 10


def test_workers_give_the_same_on_unknown_orders_and_a_statement_given_twice(store, pools):
    statements = [*store["statements"], store["statements"][1]]
    result = both(pools, orders=store["orders"][1:], statements=statements, items=store["items"],
                  refunds=store["refunds"], rates=demo_rates())
    assert result.stats.unknown_orders > 100
    assert result.stats.duplicates > 1000


def _altered(path: Path, out: Path, change) -> Path:
    lines = path.read_bytes().decode("gb18030").split("\n")
    out.write_bytes("\n".join(change(lines)).encode("gb18030"))
    return out


def _balance_plus_a_cent(lines: list[str]) -> list[str]:
    at = next(i for i, line in enumerate(lines) if line[:1].isdigit()) + 40
    cells = lines[at].split(",")
    whole, cents = cells[8].strip().split(".")
    cells[8] = f"{whole}.{int(cents) + 1 if int(cents) < 99 else 0:02d}"
    lines[at] = ",".join(cells)
    return lines


def _footer_cut(lines: list[str]) -> list[str]:
    return [line for line in lines if "合计" not in line]


@pytest.mark.parametrize("change", [_balance_plus_a_cent, _footer_cut])
def test_a_refused_statement_is_refused_the_same_through_the_workers(store, tmp_path, change):
    statements = list(store["statements"])
    statements[1] = _altered(statements[1], tmp_path / statements[1].name, change)
    errors = []
    for workers in (0, 2):
        with pytest.raises(SourceError) as info:
            engine.reconcile(store["orders"], statements, workers=workers)
        errors.append((info.value.path, info.value.line, info.value.message))
    assert errors[0] == errors[1]
    assert errors[0][0] == str(statements[1])


def test_progress_ends_at_the_total_with_workers(store):
    calls = []
    engine.reconcile(store["orders"], store["statements"], workers=2,
                     progress=lambda done, total: calls.append((done, total)))
    total = sum(p.stat().st_size for p in (*store["orders"], *store["statements"]))
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_the_command_takes_workers_and_says_the_same(store, pools):
    from click.testing import CliRunner

    from beancount_tmall.cli import main

    outputs = []
    for workers in ("0", "2"):
        args = ["reconcile", "orders", "--orders", *map(str, store["orders"]),
                "--statements", *map(str, store["statements"]), "--workers", workers]
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), result.output
        outputs.append((result.exit_code, result.output))
    assert pools == [2]
    # the same, but that the summary says who read the statements
    assert "引擎 python\n" in outputs[0][1] and "引擎 python, 2 个进程读账务明细\n" in outputs[1][1]
    assert outputs[0] == (outputs[1][0], outputs[1][1].replace(", 2 个进程读账务明细", ""))


def test_a_zipped_statement_counts_its_text_for_the_automatic_workers(tmp_path):
    import zipfile

    from beancount_tmall.orders import sources

    text = b"#\xd6\xa7\xb8\xb6\xb1\xa6\n" + b"0123456789," * 10_000
    plain = tmp_path / "s.csv"
    plain.write_bytes(text)
    packed = tmp_path / "202503_2088.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a_1.csv", text)
        zf.writestr("a_2.csv", text)
    assert packed.stat().st_size < len(text) // 10
    assert sources.content_size(plain) == len(text)
    assert sources.content_size(packed) == 2 * len(text)
    assert sources.content_size(tmp_path / "missing.csv") == 0
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert sources.content_size(broken) == broken.stat().st_size
