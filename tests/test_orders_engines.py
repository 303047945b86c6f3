"""The two engines of ``reconcile orders`` (issue 9 §3) find exactly the same things.

* every test of :mod:`test_orders_findings` (one per finding, amounts computed by hand) runs again
  here with the DuckDB engine as the default (``test_duckdb_…``);
* on a generated store of two and a half months (statements, order, item and refund exports), the
  two engines give equal findings and statistics: all months and one month, with the demo's
  category rates and without (then every 茶具 and 礼盒 order is off the default 5%), with one
  export left out (its orders' rows are ``unknown-order``) and with a statement given twice;
* without the ``duckdb`` package the engine module still imports, and asking for DuckDB runs the
  Python engine with a warning.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import test_orders_findings

from beancount_tmall.demo.generate import CATALOG, SKUS, generate
from beancount_tmall.orders import engine
from beancount_tmall.orders.rates import parse_rates

duckdb = pytest.importorskip("duckdb")

# Every finding test again, on DuckDB (the autouse fixture below makes it the default).
globals().update(test_orders_findings.copies("test_duckdb_"))


@pytest.fixture(autouse=True)
def duckdb_by_default(monkeypatch):
    monkeypatch.setattr(engine, "DEFAULT_ENGINE", "duckdb")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, list[Path]]:
    """A generated store's files: 15 orders a day from 2025-01-01 to 2025-03-16."""
    files = generate(tmp_path_factory.mktemp("store"), orders_per_day=15, days=75)
    return {"orders": files.orders, "statements": files.statements, "items": files.items,
            "refunds": files.refunds}


def demo_rates():
    """The demo catalogue's commission rates by category, its SKUs mapped to their category."""
    rates = {category: str(Decimal(bp) / 10000) for _, _, category, bp in CATALOG}
    categories = {sku: category for (sku, _, _), (_, _, category, _) in zip(SKUS, CATALOG, strict=True)}
    return parse_rates({"category_rates": rates, "categories": categories})


def both(**kwargs):
    """The results of both engines on the same arguments."""
    python = engine.reconcile(engine="python", **kwargs)
    duck = engine.reconcile(engine="duckdb", **kwargs)
    assert python.stats.engine == "python" and duck.stats.engine == "duckdb"
    return python, duck


def same(python, duck) -> None:
    assert duck.findings == python.findings
    assert {**vars(duck.stats), "engine": ""} == {**vars(python.stats), "engine": ""}
    assert duck.summary() == python.summary()
    assert (duck.covered_until, duck.month, duck.window) == (python.covered_until, python.month, python.window)


@pytest.mark.parametrize("month", [None, "2025-02"])
@pytest.mark.parametrize("with_rates", [False, True])
def test_engines_agree_on_a_generated_store(store, month, with_rates):
    python, duck = both(**store, month=month, rates=demo_rates() if with_rates else None)
    same(python, duck)
    kinds = Counter(f.kind for f in python.findings)
    assert python.stats.judged > 300
    if with_rates:
        # the demo's fees are at its rates; its refunds give back the commission at the same rate
        assert "commission-rate" not in kinds
    else:
        # 茶具 (4.8%) and 礼盒 (5.2%) orders are off the default 5% when nothing says their category
        assert kinds["commission-rate"] > 10


def test_engines_agree_on_unknown_orders_and_a_statement_given_twice(store):
    orders = store["orders"][1:]  # January's export left out: its orders' rows are unknown
    statements = [*store["statements"], store["statements"][1]]
    python, duck = both(orders=orders, statements=statements, items=store["items"],
                        refunds=store["refunds"], rates=demo_rates())
    same(python, duck)
    assert python.stats.unknown_orders > 100
    assert python.stats.duplicates > 1000
    assert Counter(f.kind for f in python.findings)["unknown-order"] == python.stats.unknown_orders


def test_progress_is_reported_by_both_engines(store):
    seen = {}
    for name in engine.ENGINES:
        calls = []
        engine.reconcile(store["orders"][:1], store["statements"][:1], engine=name,
                         progress=lambda done, total, calls=calls: calls.append((done, total)))
        seen[name] = calls
        total = sum(p.stat().st_size for p in (store["orders"][0], store["statements"][0]))
        assert calls[-1] == (total, total)
        assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_without_duckdb_the_python_engine_runs(tmp_path, store):
    code = (
        "import sys, warnings\n"
        "sys.modules['duckdb'] = None\n"  # import duckdb now raises ImportError
        "from beancount_tmall.orders import engine, engine_duckdb\n"
        "assert not engine_duckdb.available()\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    r = engine.reconcile([{str(store['orders'][0])!r}], [{str(store['statements'][0])!r}],"
        " engine='duckdb')\n"
        "print(r.stats.engine, len(r.findings))\n"
        "print(caught[0].message)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    first, message = out.stdout.splitlines()
    python = engine.reconcile(store["orders"][:1], store["statements"][:1], engine="python")
    assert first == f"python {len(python.findings)}"
    assert message.startswith("未安装 duckdb, 改用 Python 引擎")


def test_without_the_appender_rows_go_through_csv(store, monkeypatch):
    # duckdb before 2.0 has no Python appender: the rows are written to a CSV file and COPY'd
    from beancount_tmall.orders import engine_duckdb

    monkeypatch.setattr(engine_duckdb, "APPENDER", False)
    python, duck = both(**store, rates=demo_rates())
    same(python, duck)
    assert python.stats.judged > 500


def test_orders_split_into_passes_give_the_same_findings(store, monkeypatch):
    # a big store's orders are summed in several passes (by a hash of the order id)
    from beancount_tmall.orders import engine_duckdb

    monkeypatch.setattr(engine_duckdb, "ORDERS_PER_PASS", 100)
    orders = store["orders"][1:]  # with unknown orders, summed in passes too
    python, duck = both(orders=orders, statements=store["statements"], items=store["items"],
                        refunds=store["refunds"], rates=demo_rates())
    same(python, duck)
    assert python.stats.unknown_orders > 100


def test_a_duckdb_failure_is_told_in_chinese(store, monkeypatch):
    from beancount_tmall.orders import engine_duckdb
    from beancount_tmall.orders.rates import RatesError

    monkeypatch.setattr(engine_duckdb, "MEMORY_LIMIT", "lots'")
    with pytest.raises(RatesError, match="TMALL_ORDERS_DUCKDB_MEMORY=\"lots'\" 不是内存大小"):
        engine.reconcile(store["orders"][:1], store["statements"][:1], engine="duckdb")
    monkeypatch.setattr(engine_duckdb, "MEMORY_LIMIT", "1MB")  # too little for any query
    with pytest.raises(RatesError, match="DuckDB 引擎出错 .*--engine python"):
        engine.reconcile(store["orders"][:1], store["statements"][:1], engine="duckdb")
