"""The 报表 tab in a real browser (see ``test_fava_browser``): no console errors, the three tables
on screen and within the page's width, a figure opening its account's journal in Fava, a
screenshot under test-output/screenshots/."""

from __future__ import annotations

import re

from conftest import chart_text
from test_fava import write_ledger
from test_fava_browser import FavaServer, Page, browser  # noqa: F401  (the fixture)
from test_statements import LEDGER


def test_statements_tab_in_the_browser(browser, tmp_path):  # noqa: F811
    server = FavaServer(write_ledger(tmp_path, chart_text() + LEDGER, chart=False))
    try:
        page = Page(browser)
        page.open_tab(f"{server.page_url}?tab=statements&year=2025&month=2025-03", "statements")
        page.assert_visible(["会小企02表", "四、净利润（净亏损以“-”号填列）", "-2,544.42", "116,377.34", "科目汇总表", "试算平衡"])
        assert page.page.evaluate("document.documentElement.scrollWidth") <= 1440
        assert page.shot("statements-tab").stat().st_size > 10000
        # 本月 营业收入 opens the journal of 6001 for March.
        page.page.locator('td[data-line="营业收入"][data-col="1"] a.fig').click()
        page.page.wait_for_url(re.compile(r".*/account/Income:6001.*time=2025-03.*"))
        page.page.locator("text=主营业务收入").first.wait_for(state="visible", timeout=30000)
        page.page.wait_for_load_state("networkidle")
        page.page.go_back()
        page.wait_for("statements")
        page.page.locator("p.statement-months a", has_text="一般企业").click()
        page.page.wait_for_url(re.compile(r".*standard=general.*"))
        page.wait_for("statements")
        page.assert_visible(["会企01表", "上年年末余额"])
        assert page.errors == []
        page.page.close()
    finally:
        server.close()
