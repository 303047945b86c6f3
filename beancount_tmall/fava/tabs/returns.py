"""退货 tab: the return register and the return rates by SKU, reason and week of the chosen year.

The same figures as ``tmall-books returns LEDGER --year Y`` (:mod:`beancount_tmall.reports.returns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from beancount_tmall.fava import charts
from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.reports.returns import BACK, BROKEN, ReturnsReport, returns_report

KEY = "returns"
TITLE = "退货"
ORDER = 40


@dataclass(frozen=True)
class ReturnsView:
    """The year's register and rates, and the weekly returns chart."""

    report: ReturnsReport
    goods_outcomes: tuple[str, ...]
    weeks_chart: Markup


def build(ctx: TabContext) -> ReturnsView:
    report = returns_report(ctx.entries, year=ctx.year)
    weeks = report.by_week
    journal = ctx.links.journal("#return", str(ctx.year))
    chart = charts.stacked_bars(
        [w.key[5:8] for w in weeks],
        [charts.Series("退货数量", [w.returned for w in weeks], [journal for _ in weeks])],
        "每周退货数量",
    )
    return ReturnsView(report, (BACK, BROKEN), chart)
