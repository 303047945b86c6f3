"""The 订单核对 tab of the 天猫对账 page, through Flask's test client, on a small demo build.

The demo's generator plants known problems (``预设问题.csv``); the tab must show each of them in
its month, linked to the journal of its day, from the sources archived under ``documents/``;
and it must compute them once: in memory and on disk (``TMALL_CACHE_DIR``), again only when an
input file changes.
"""

from __future__ import annotations

import csv
import datetime
import os
import re
from collections import Counter
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from test_fava import Site, links_of, write_ledger

from beancount_tmall.demo import generate as gen
from beancount_tmall.demo.build import run_demo
from beancount_tmall.fava.tabs import TABS
from beancount_tmall.reports import orders as report


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 70-day demo (January to March 11th): its ledger and what the generator planted."""
    directory = tmp_path_factory.mktemp("orders-demo") / "ledger"
    assert run_demo(directory, days=70, orders_per_day=4, seed=3) == 0
    with open(directory / gen.PLANTED_FILE, encoding="utf-8", newline="") as f:
        planted = list(csv.DictReader(f))
    return directory / "main.beancount", planted


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A disk cache of the test's own, and an empty memory cache."""
    monkeypatch.setenv("TMALL_CACHE_DIR", str(tmp_path / "cache"))
    report._memory.clear()
    return tmp_path / "cache"


def test_the_tab_is_discovered():
    assert "orders" in [t.key for t in TABS]
    assert next(t for t in TABS if t.key == "orders").title == "订单核对"


def test_each_planted_problem_is_shown_in_its_month_linked_to_its_day(demo):
    ledger, planted = demo
    site = Site(ledger)
    by_month = Counter(p["月份"] for p in planted)
    assert set(by_month) == {"2025-01", "2025-02", "2025-03"} and "unsettled" in {p["问题类型"] for p in planted}
    # The month links carry each month's count of findings.
    html = site.page(tab="orders", year="2025")
    counts = dict(re.findall(r'data-month="(2025-\d\d)" data-count="(\d+)"', html))
    assert {m: int(n) for m, n in counts.items() if int(n)} == dict(by_month)
    # By default the last month whose window (the month after) the statements cover: January.
    assert '<div class="cards" data-month="2025-01">' in html
    for month, count in by_month.items():
        html = site.page(tab="orders", year="2025", month=month)
        assert f'<div class="v orders-count">{count}</div>' in html
        rows = {order: kind for kind, order in re.findall(r'<tr data-kind="([a-z-]+)" data-order="(\d+)">', html)}
        expected = {p["订单编号"]: p for p in planted if p["月份"] == month}
        assert rows == {order: p["问题类型"] for order, p in expected.items()}
        total = sum(Decimal(p["金额"]) for p in expected.values())
        assert f'<div class="v orders-amount">{total:,.2f}</div>' in html
        # Each finding links to the journal of its day: the statement row's day, or (unsettled)
        # the day the buyer confirmed receipt; the journal of that day opens.
        days = [(a["href"], a["text"]) for a in links_of(html) if a.get("class") == "day"]
        assert sorted(day for _, day in days) == sorted(p["发生时间"][:10] for p in expected.values())
        for href, day in days:
            url = urlsplit(href)
            assert url.path == f"/{site.slug}/journal/" and parse_qs(url.query)["time"] == [day]
            site.get(href)


def test_a_clean_store_has_no_finding(tmp_path):
    directory = tmp_path / "ledger"
    assert run_demo(directory, days=70, orders_per_day=4, seed=3, plant_problems=False) == 0
    assert (directory / gen.PLANTED_FILE).read_text(encoding="utf-8").splitlines()[1:] == []
    site = Site(directory / "main.beancount")
    html = site.page(tab="orders", year="2025")
    assert re.findall(r'data-month="(2025-\d\d)" data-count="(\d+)"', html) == [
        ("2025-01", "0"), ("2025-02", "0"), ("2025-03", "0")
    ]
    for month in ("2025-01", "2025-02", "2025-03"):
        html = site.page(tab="orders", year="2025", month=month)
        assert '<div class="v orders-count">0</div>' in html and "没有发现问题" in html
        assert "<table class=\"orders-findings\">" not in html


def test_the_month_is_checked(demo):
    site = Site(demo[0])
    default = site.page(tab="orders", year="2025")
    for bad in ("2025-13", "2024-01", "x", "2025-1"):
        assert site.page(tab="orders", year="2025", month=bad) == default


def test_computed_once_then_from_memory_and_disk(demo, cache, monkeypatch):
    ledger = demo[0]
    calls = []
    compute = report.compute
    monkeypatch.setattr(report, "compute", lambda inputs: calls.append(1) or compute(inputs))
    site = Site(ledger)
    first = site.page(tab="orders", year="2025", month="2025-02")
    assert len(calls) == 1
    # Other months, and a fresh Fava (memory cleared): no second run, the disk cache answers.
    site.page(tab="orders", year="2025", month="2025-01")
    report._memory.clear()
    assert Site(ledger).page(tab="orders", year="2025", month="2025-02") == first
    assert len(calls) == 1 and len(list((cache / "orders").glob("*.json"))) == 1
    inputs = report.ledger_inputs(ledger, {})
    found = report.ledger_findings(inputs)
    assert report.from_json(report.cache_file(inputs).read_text(encoding="utf-8")) == found
    assert found.months["2025-02"].top[0].difference > 0 and found.months["2025-02"].top[0].day
    # A source touched (re-archived): computed again, under another key.
    statement = next(s for s in report.archived_sources(ledger, {}) if s.kind == "statement")
    later = datetime.datetime(2026, 1, 1).timestamp()
    os.utime(statement.path, (later, later))
    Site(ledger).page(tab="orders", year="2025", month="2025-02")
    assert len(calls) == 2 and len(list((cache / "orders").glob("*.json"))) == 2


def test_sources_found_by_content_not_name(demo):
    ledger = demo[0]
    found = Counter(s.kind for s in report.archived_sources(ledger, {}))
    assert (found["statement"], found["orders"], found["items"]) == (3, 3, 3) and found["refunds"] >= 2
    # The inventory photos, the invoice register and the cost table are not sources of the tab.
    paths = [s.path for s in report.archived_sources(ledger, {})]
    assert not any(p.endswith((".png", "发票台账_2025.csv", "成本表.csv")) for p in paths)


def test_a_source_that_cannot_be_read_is_the_tabs_message(demo, tmp_path):
    import shutil

    ledger = tmp_path / "copy" / "main.beancount"
    shutil.copytree(demo[0].parent, ledger.parent)
    statement = next(s for s in report.archived_sources(ledger, {}) if s.kind == "statement")
    path = statement.path
    lines = open(path, encoding="gbk", newline="").read().split("\r\n")
    lines[6] = lines[6].replace("\t,", "\t,9", 6)  # amounts and balance that do not chain
    open(path, "w", encoding="gbk", newline="").write("\r\n".join(lines))
    html = Site(ledger).page(tab="orders", year="2025")
    assert "无法核对订单" in html and os.path.basename(path) in html


def test_a_ledger_without_archived_sources(tmp_path):
    html = Site(write_ledger(tmp_path)).page(tab="orders", year="2025")
    assert 'data-tab="orders"' in html and "没有可核对的源文件" in html


def test_a_month_without_statement_is_named_on_the_tab(demo, monkeypatch):
    """February's statement not archived: the tab says which span no statement covers (its
    orders' settlements cannot be seen), and the cache keeps it."""
    ledger = demo[0]
    inputs = report.ledger_inputs(ledger, {})
    february = [s for s in inputs.sources if s.kind == "statement" and "202502" in s.path]
    assert len(february) == 1
    without = report.Inputs(tuple(s for s in inputs.sources if s not in february), inputs.rates, inputs.rules)
    found = report.compute(without)
    assert [(str(a), str(b)) for a, b in found.gaps] == [("2025-02-01 00:00:00", "2025-03-01 00:00:00")]
    assert report.from_json(report.to_json(found)) == found
    assert report.compute(inputs).gaps == ()
    from beancount_tmall.fava.tabs import orders as tab

    monkeypatch.setattr(tab, "ledger_inputs", lambda _ledger, _options: without)
    page = Site(ledger).page(tab="orders", year="2025", month="2025-01")
    gap = re.search(r'<p class="note orders-gaps">(.*?)</p>', page, re.S)
    assert gap and "2025-02-01 00:00:00 至 2025-03-01 00:00:00" in gap.group(1)
    report._memory.clear()
    monkeypatch.undo()
    assert 'class="note orders-gaps"' not in Site(ledger).page(tab="orders", year="2025", month="2025-01")
