"""The 订单核对 tab in a real browser (see ``test_fava_browser``), on a small demo build: no
console errors, the planted problems of January on screen, a month link and a day link that
navigate inside Fava; a screenshot under test-output/screenshots/."""

from __future__ import annotations

import csv
import re

from test_fava_browser import FavaServer, Page, browser  # noqa: F401  (the fixture)

from beancount_tmall.demo import generate as gen
from beancount_tmall.demo.build import run_demo


def test_orders_tab_in_the_browser(browser, tmp_path):  # noqa: F811
    directory = tmp_path / "ledger"
    assert run_demo(directory, days=70, orders_per_day=4, seed=3) == 0
    with open(directory / gen.PLANTED_FILE, encoding="utf-8", newline="") as f:
        january = [p for p in csv.DictReader(f) if p["月份"] == "2025-01"]
    assert january
    server = FavaServer(directory / "main.beancount")
    try:
        page = Page(browser)
        page.open_tab(f"{server.page_url}?tab=orders&year=2025", "orders")
        page.assert_visible(["订单核对", "差额最大的问题", "付款后未结算", *(p["订单编号"] for p in january)])
        assert page.page.locator("table.orders-findings tbody tr").count() == len(january)
        assert page.shot("orders-tab").stat().st_size > 10000
        # Another month through its link, then a finding's day: Fava's journal of that day.
        page.page.locator('p.months a[data-month="2025-02"]').click()
        page.page.wait_for_selector('.cards[data-month="2025-02"]', timeout=30000)
        link = page.page.locator("table.orders-findings a.day").first
        day = link.inner_text()
        link.click()
        page.page.wait_for_url(re.compile(rf".*/journal/\?.*time={day}.*"))
        page.page.wait_for_load_state("networkidle")
        page.shot("orders-tab-day-journal")
        assert page.errors == []
        page.page.close()
    finally:
        server.close()
