"""The 退货 tab in a real browser (see ``test_fava_browser``): no console errors, the register
and rates on screen, a screenshot under test-output/screenshots/."""

from __future__ import annotations

import io

import returns_samples as samples
from test_fava import EXTENSION
from test_fava_browser import FavaServer, Page, browser  # noqa: F401  (the fixture)

from beancount_tmall.goods.returns import run_returns_import


def test_returns_tab_in_the_browser(browser, tmp_path):  # noqa: F811
    ledger = samples.write_store(tmp_path)
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    assert run_returns_import(ledger, [export], out=io.StringIO()) == 0
    ledger.write_text(ledger.read_text(encoding="utf-8") + EXTENSION, encoding="utf-8")
    server = FavaServer(ledger)
    try:
        page = Page(browser)
        page.open_tab(f"{server.page_url}?tab=returns&year=2025", "returns")
        page.assert_visible(["退货登记簿", "PS-2025-001", "66.67%", "退货率（按商家编码）", "七天无理由退换货"])
        assert page.page.locator("svg.tmall-chart").count() >= 1
        assert page.shot("returns-tab").stat().st_size > 10000
        assert page.errors == []
    finally:
        server.close()
