"""The demo's planted problems (issue 9 §5): ``reconcile orders`` finds exactly them, and the
same store generated clean gives no finding at all.

A short year (4 orders a day, January to May) is generated twice with the same seed, planted and
clean; the expectations are the generator's own list of what it planted (``DemoFiles.planted``,
``预设问题.csv``), never figures written into the reconciliation.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from click.testing import CliRunner

from beancount_tmall.cli import main
from beancount_tmall.demo import build
from beancount_tmall.demo import generate as gen
from beancount_tmall.orders import engine
from beancount_tmall.orders.findings import KINDS
from beancount_tmall.orders.rates import load_rates

#: January 1st to May 31st: the plants at 12%, 45% and 78% of the period all have their month
#: after in the statements (an unsettled order is judged once its window is over).
SHORT = {"orders_per_day": 4, "days": 151, "seed": 5}


def inputs(files: gen.DemoFiles) -> dict:
    """``engine.reconcile``'s arguments for a generated store, as the demo books it (its rates
    and rules)."""
    return {
        "orders": files.orders, "statements": files.statements, "items": files.items,
        "refunds": files.refunds, "rates": load_rates(files.planted_file.parent / gen.RATES_FILE),
        "rules": build.DEMO_RULES,
    }


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> gen.DemoFiles:
    return gen.generate(tmp_path_factory.mktemp("planted"), plant_problems=True, **SHORT)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> gen.DemoFiles:
    return gen.generate(tmp_path_factory.mktemp("clean"), **SHORT)  # clean by default


def test_every_kind_is_planted_a_few_times(planted):
    kinds = [p.kind for p in planted.planted]
    assert set(kinds) == set(gen.PLANT_KINDS) <= set(KINDS)
    assert all(kinds.count(kind) == len(gen.PLANT_AT) for kind in gen.PLANT_KINDS), kinds
    assert len({p.order_id for p in planted.planted}) == len(planted.planted)  # one problem an order
    # 预设问题.csv lists the same problems.
    with open(planted.planted_file, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["问题类型"], r["订单编号"], r["月份"], Decimal(r["金额"])) for r in rows] == [
        (p.kind, p.order_id, p.month, Decimal(p.amount) / 100) for p in planted.planted
    ]


def test_reconcile_finds_exactly_the_planted_problems(planted):
    result = engine.reconcile(**inputs(planted))
    found = {(f.kind, f.order_id): f for f in result.findings}
    assert len(found) == len(result.findings)
    assert set(found) == {(p.kind, p.order_id) for p in planted.planted}
    for p in planted.planted:
        f = found[(p.kind, p.order_id)]
        # The month, and the amount the generator moved: the unsettled gross, the over-charge, the
        # commission kept, the second fee, the unknown charge.
        assert f.month == p.month, (p, f)
        assert abs(f.difference) == Decimal(p.amount) / 100, (p, f)
    assert result.stats.unknown_orders == sum(p.kind == "unknown-order" for p in planted.planted)


def test_clean_sources_give_no_finding(clean):
    assert clean.planted == []
    result = engine.reconcile(**inputs(clean))
    assert result.findings == []
    assert result.stats.judged == clean.totals.orders > 500


def test_planting_changes_only_the_statements(planted, clean):
    """The exports are the same bytes: the planted store is the clean one with its problems."""
    for a, b in zip(planted.orders + planted.items + planted.refunds, clean.orders + clean.items + clean.refunds,
                    strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes(), a.name
    assert planted.totals.orders == clean.totals.orders
    # Rows: a settlement missing per unsettled order (sale, commission, points, no other fee) and
    # the commission give-back per refund-fee-kept; one more row per duplicate-fee and unknown row.
    count = {kind: sum(p.kind == kind for p in planted.planted) for kind in gen.PLANT_KINDS}
    assert planted.totals.rows - clean.totals.rows == (
        count["duplicate-fee"] + count["unknown-order"] - 3 * count["unsettled"] - count["refund-fee-kept"]
    )


def test_the_command_finds_them_too(planted, tmp_path):
    """``tmall-books reconcile orders`` as the README shows it: exit 1, every planted problem in
    the CSV."""
    out = tmp_path / "findings.csv"
    args = ["reconcile", "orders", "--orders", *map(str, planted.orders),
            "--statements", *map(str, planted.statements), "--items", *map(str, planted.items),
            "--refunds", *map(str, planted.refunds),
            "--rates", str(planted.planted_file.parent / gen.RATES_FILE), "--rules", str(build.DEMO_RULES),
            "--csv", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["类型"], r["订单编号"]) for r in rows} == {(p.kind, p.order_id) for p in planted.planted}
    assert "合计" in result.output


def test_the_demo_store_rates_parse(tmp_path):
    path = tmp_path / gen.RATES_FILE
    path.write_text(gen.rates_toml(), encoding="utf-8")
    rates = load_rates(path)
    for (sku, _, _), (_, _, category, bp) in zip(gen.SKUS, gen.CATALOG, strict=True):
        assert rates.category_of(sku) == category
        assert rates.rate("commission", category) == Decimal(bp) / 10000

