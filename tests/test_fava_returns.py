"""The 退货 tab of the 天猫对账 page, through Flask's test client."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import returns_samples as samples
from test_fava import EXTENSION, Site, links_of

from beancount_tmall.goods.returns import run_returns_import


def test_returns_tab_register_rates_and_chart(tmp_path):
    ledger = samples.write_store(tmp_path)
    export = tmp_path / "退款.csv"
    export.write_bytes(samples.refund_export())
    assert run_returns_import(ledger, [export], out=io.StringIO()) == 0
    ledger.write_text(ledger.read_text(encoding="utf-8") + EXTENSION, encoding="utf-8")
    site = Site(ledger)
    html = site.page(tab="returns", year="2025")
    assert 'data-tab="returns"' in html and "退货登记簿" in html
    for refund_id in ("9001", "9002", "9003", "9004", "9006", "9008"):
        assert f'data-refund="{refund_id}"' in html
    assert "PS-2025-001" in html and "未结算退货" in html and "折价" in html
    # 4 returned (2 + 1 + 1) of 6 sold (the March #cogs): 66.67%.
    assert '<div class="v returned">4</div>' in html and '<div class="v rate">66.67%</div>' in html
    assert "退货率（按商家编码）" in html and "退货率（按退款原因）" in html and "<svg" in html
    # Every refund id opens its entry in Fava's editor.
    editor = [a for a in links_of(html) if a["text"] == "9001"]
    assert editor and "editor" in editor[0]["href"]
    site.get(editor[0]["href"])
    payload = site.get(f"{site.base}data?tab=returns&year=2025").get_json()
    report = payload["data"]["report"]
    assert len(report["lines"]) == 6 and Decimal(str(report["rate"])) == Decimal("66.67")
    chart = site.get(f"{site.base}chart?tab=returns&year=2025&name=weeks_chart")
    assert ET.fromstring(chart.get_data()).tag.endswith("svg")
    # A year without refunds says so.
    assert "2024 年没有退款记录" in site.page(tab="returns", year="2024")
