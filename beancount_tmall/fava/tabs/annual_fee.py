"""年费进度 tab: the year's sales against the annual-fee refund thresholds, expected refund."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from beancount_tmall.fava import charts
from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.reports.annual_fee import STATUS_LABELS, AnnualFeeProgress, annual_fee_progress

KEY = "annual_fee"
TITLE = "年费进度"
ORDER = 30


@dataclass(frozen=True)
class AnnualFeeView:
    """The progress (None when the year has no annual fee) and the cumulative-sales chart."""

    progress: AnnualFeeProgress | None
    status_labels: dict[str, str]
    chart: Markup | None


def build(ctx: TabContext) -> AnnualFeeView:
    progress = annual_fee_progress(ctx.entries, ctx.options, ctx.year)
    chart = None
    if progress is not None:
        # The cumulative line stops at the ledger's last month; thresholds are dashed lines.
        last = f"{ctx.as_of:%Y-%m}" if ctx.as_of else progress.months[-1]
        cumulative = [v if m <= last else None for m, v in zip(progress.months, progress.cumulative_sales, strict=True)]
        series = [charts.Series("累计含税销售额", cumulative)]
        series += [
            charts.Series(f"门槛 {t.sales:,.0f}（返还 {t.share:.0%}）", [t.sales] * len(progress.months), dashed=True)
            for t in progress.thresholds
        ]
        chart = charts.lines([m[5:] + "月" for m in progress.months], series, "累计销售额与年费返还门槛")
    return AnnualFeeView(progress, STATUS_LABELS, chart)
