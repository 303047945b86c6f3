"""The exports read by DuckDB itself (``orders/native.py`` over ``native_exports``, issue 9 §3's
speed) change nothing but the time: on a generated store both engines give the same findings and
statistics with and without the native reading, the generated exports are in fact read natively,
an xlsx export goes to the strict parser, and a damaged CSV export is refused with the strict
parser's file, line and message.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_orders_engines import demo_rates

from beancount_tmall.demo.generate import generate
from beancount_tmall.formats.common import SourceError
from beancount_tmall.orders import engine, native

pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> dict[str, list[Path]]:
    """A generated store: 20 orders a day for two months."""
    files = generate(tmp_path_factory.mktemp("store"), orders_per_day=20, days=59)
    return {"orders": files.orders, "statements": files.statements, "items": files.items,
            "refunds": files.refunds}


@pytest.mark.parametrize("name", engine.ENGINES)
def test_native_reading_changes_nothing(store, name):
    fast = engine.reconcile(**store, engine=name, workers=0)
    strict = engine.reconcile(**store, engine=name, workers=0, native=False)
    assert fast.findings == strict.findings
    assert vars(fast.stats) == vars(strict.stats)
    assert fast.stats.judged > 500


def test_the_generated_exports_are_read_natively(store):
    with native.Exports() as fast, native.Exports(native=False) as strict:
        orders = [list(fast.order_values(p)) for p in store["orders"]]
        assert fast.strict_files == [] and fast.native_files == list(map(str, store["orders"]))
        assert orders == [list(strict.order_values(p)) for p in store["orders"]]
        assert strict.native_files == [] and strict.strict_files == list(map(str, store["orders"]))
    assert sum(map(len, orders)) > 1000


def test_an_xlsx_export_is_read_by_the_strict_parser(tmp_path):
    from orders_samples import CLEAN_ORDERS, order_xlsx

    path = tmp_path / "ExportOrderList202503.xlsx"
    path.write_bytes(order_xlsx(CLEAN_ORDERS, {}))
    with native.Exports() as exports:
        got = list(exports.order_values(path))
        assert exports.strict_files == [str(path)] and exports.native_files == []
    assert [(tid, line) for tid, *_, line in got] == [(o.tid, o.line) for o in native.sources.order_records(path)]


def test_a_damaged_export_is_refused_as_the_parser_refuses_it(store, tmp_path):
    source = store["orders"][0]
    data = source.read_bytes()
    lines = data.split(b"\r\n") if b"\r\n" in data else data.split(b"\n")
    twice = tmp_path / source.name
    shutil.copy(source, twice)
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    twice.write_bytes(newline.join([*lines[:3], lines[2], *lines[3:]]))  # an order twice
    with pytest.raises(SourceError) as strict:
        list(native.sources.order_records(twice))
    with pytest.raises(SourceError) as through:
        engine.reconcile([twice], store["statements"][:1], workers=0)
    assert (through.value.path, through.value.line, str(through.value)) == (
        strict.value.path, strict.value.line, str(strict.value))
    assert through.value.line == 4


def test_item_weights_in_duckdb_are_those_summed_in_python(store):
    rates = demo_rates()

    def scaled(sku):
        return engine.scaled_rates(rates.category_of(sku), rates)

    def wanted(tid):
        return not tid.endswith("7")  # some orders are not judged

    with native.Exports() as fast, native.Exports(native=False) as slow:
        summed = sorted(fast.item_weights(store["items"], scaled, wanted))
        assert fast.native_files == list(map(str, store["items"]))
        assert sorted(slow.item_weights(store["items"], scaled, wanted)) == summed
    assert len(summed) > 500 and all(not tid.endswith("7") for tid, *_ in summed)
    default = engine.scaled_rates(None, rates)
    # the 茶具 and 礼盒 categories' rates are not the default one
    odd = [(tid, value, *w) for tid, value, *w in summed if tuple(w) != tuple(value * r for r in default)]
    assert 0 < len(odd) < len(summed)
    # given the default rates, DuckDB leaves out the orders at the default rates
    with native.Exports() as fast:
        assert sorted(fast.item_weights(store["items"], scaled, wanted, default)) == odd


def test_an_item_line_worth_more_than_anything_real_is_refused(store, tmp_path):
    source = store["items"][0]
    data = source.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines = data.split(newline)
    header = lines[0].decode("gb18030").split(",")
    cells = lines[1].decode("gb18030").split(",")
    cells[header.index("价格")], cells[header.index("购买数量")] = "999999999999.00", "999999999999"
    lines[1] = ",".join(cells).encode("gb18030")
    path = tmp_path / source.name
    path.write_bytes(newline.join(lines))
    with pytest.raises(SourceError) as info:
        engine.reconcile(store["orders"][:1], store["statements"][:1], items=[path],
                         rates=demo_rates(), workers=0)
    assert (info.value.path, info.value.line) == (str(path), 2)
    assert "超出可能的范围" in info.value.message


def test_a_duckdb_failure_summing_the_items_is_told_in_chinese(store):
    from beancount_tmall.orders.rates import RatesError

    with native.Exports() as exports:
        real = exports.con

        class Failing:
            def __getattr__(self, name):
                return getattr(real, name)

            def execute(self, sql, *args):
                if "GROUP BY tid" in sql:
                    raise native.duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")
                return real.execute(sql, *args)

        exports.con = Failing()
        with pytest.raises(RatesError, match="DuckDB 汇总宝贝报表出错 .*TMALL_ORDERS_DUCKDB_MEMORY"):
            list(exports.item_weights(store["items"], lambda sku: (0, 0, 0), lambda tid: True))
        exports.con = real
