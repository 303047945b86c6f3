"""The 报表 tab of the 天猫对账 page (利润表, 资产负债表), through Flask's test client."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from beancount import loader
from conftest import chart_text
from test_fava import Site, links_of, write_ledger
from test_statements import LEDGER

from beancount_tmall.reports import statements

CELL = re.compile(r'<td class="num" data-line="([^"]+)" data-col="(\d)">(.*?)</td>', re.S)


def cells(html: str, table: str) -> dict[tuple[str, int], str]:
    """The figures of one statement table on the page: (line, column) → the text shown."""
    part = re.search(rf'<table class="statement {table}".*?</table>', html, re.S).group(0)
    return {(k, int(c)): re.sub(r"<[^>]+>", "", text).strip() for k, c, text in CELL.findall(part)}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    return Site(write_ledger(tmp_path_factory.mktemp("statements"), chart_text() + LEDGER, chart=False))


def test_statements_tab_shows_the_cli_figures(site):
    html = site.page(tab="statements", year="2025", month="2025-03")
    assert 'data-tab="statements"' in html and "会小企02表" in html and "会小企01表" in html
    assert "编制单位：测试店" in html and "2025年3月31日" in html
    entries, _, options = loader.load_file(site.app.config["BEANCOUNT_FILES"][0])
    for kind, build in (("income", statements.income_statement), ("balance", statements.balance_sheet)):
        shown = cells(html, kind)
        expected = build(entries, options, month="2025-03")
        assert not expected.errors
        for line in expected.lines:
            for col, value in enumerate(line.values):
                if line.kind == "header":
                    continue
                text = "" if value is None else f"{value:,.2f}"
                assert shown[(line.key, col)] == text, (kind, line.key, col)
    # Hand-computed, as in test_statements: 本月 净利润, 期末 资产总计 and 未分配利润.
    assert cells(html, "income")[("净利润", 1)] == "-2,544.42"
    assert cells(html, "balance")[("资产总计", 0)] == "116,377.34"
    assert cells(html, "balance")[("未分配利润", 1)] == "6,000.00"


def test_latest_month_by_default_and_the_general_format(site):
    html = site.page(tab="statements", year="2025")
    assert 'data-month="2025-03"' in html
    general = site.page(tab="statements", year="2025", month="2025-01", standard="general")
    assert "会企01表" in general and "上年年末余额" in general and "行次" not in general
    assert cells(general, "income")[("营业收入", 0)] == "10,000.00"
    assert "2024 年" not in site.page(tab="statements", year="2024")  # 2024 has entries
    site.get(f"{site.base}?tab=statements&month=2025-13", status=400)
    site.get(f"{site.base}?tab=statements&standard=ifrs", status=400)


def test_figures_link_to_the_accounts_journal(site):
    html = site.page(tab="statements", year="2025", month="2025-03")
    links = {(a.get("href"), a["text"]) for a in links_of(html) if "fig" in a.get("class", "")}
    revenue = [href for href, text in links if text == "2,000.00" and "/account/" in href]
    assert revenue and "Income:6001" in revenue[0] and parse_qs(urlsplit(revenue[0]).query)["time"] == ["2025-03"]
    cash = [href for href, text in links if text == "115,470.84"]
    assert cash and "journal" in cash[0]
    query = parse_qs(urlsplit(cash[0]).query)
    assert "Assets:1002-银行存款" in query["filter"][0] and "Assets:1012-其他货币资金:101201-支付宝" in query["filter"][0]
    assert query["time"] == ["2023-12-31 - 2025-03-31"]
    for href, _ in sorted(links)[:6] + [(revenue[0], ""), (cash[0], "")]:
        site.get(href)
    payload = site.get(f"{site.base}data?tab=statements&year=2025&month=2025-03").get_json()
    assert payload["data"]["month"] == "2025-03"
    rows = {r["key"]: r for r in payload["data"]["income"]["rows"]}
    assert Decimal(str(rows["净利润"]["figures"][0]["value"])) == Decimal("6922.56")


def test_errors_are_shown_on_the_tab(tmp_path):
    body = chart_text() + (
        '2025-01-01 open Assets:1999-奇怪资产\n'
        '2025-01-10 * "x" "y"\n  Assets:1999-奇怪资产  5.00 CNY\n  Equity:4001-实收资本  -5.00 CNY\n'
    )
    html = Site(write_ledger(tmp_path, body, chart=False)).page(tab="statements")
    assert "资产负债表有 2 个错误" in html and "Assets:1999-奇怪资产" in html and "差额 -5.00" in html


def test_trial_balance_on_the_tab(site):
    """The month's 科目汇总表 as ``report trial-balance`` gives it (books' reports.trial_balance)."""
    html = site.page(tab="statements", year="2025", month="2025-03")
    shown = cells(html, "trial-balance")
    # March: 6001 credited 2,000.00; its balance, never closed, holds 2024's 10,000.00 too.
    assert shown[("6001", 3)] == "2,000.00" and shown[("6001", 5)] == "22,000.00"
    # 6401 debited 3,100.00 (3,000.00 + 破损 100.00).
    assert shown[("6401", 2)] == "3,100.00"
    assert shown[("合计", 2)] == shown[("合计", 3)] and "试算平衡" in html
    entries, _, _ = loader.load_file(site.app.config["BEANCOUNT_FILES"][0])
    from beancount_tmall.reports import balances, trial_balance

    start, end, label = balances.period(month="2025-03")
    totals = trial_balance.trial_balance(entries, start, end, label).totals()
    assert shown[("合计", 2)] == f"{totals['period'][0]:,.2f}"
    journal = [a for a in links_of(html) if a["text"] == "主营业务收入"]
    assert journal and parse_qs(urlsplit(journal[0]["href"]).query)["time"] == ["2025-03"]
