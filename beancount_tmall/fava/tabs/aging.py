"""应收账龄 tab: open 其他应收款 by account and age bucket, and balances over the year."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from beancount_tmall.fava import charts
from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.reports.aging import AgingReport, aging_report, bucket_dates
from beancount_tmall.reports.reconciliation import label

KEY = "aging"
TITLE = "应收账龄"
ORDER = 20


@dataclass(frozen=True)
class AgingView:
    """The aging table, the journal time range of each bucket, and the history chart."""

    report: AgingReport
    bucket_times: tuple[str, ...]
    history_chart: Markup


def build(ctx: TabContext) -> AgingView:
    # A past year is judged at its year end, the current one at the ledger's last day.
    report = aging_report(ctx.entries, ctx.year, as_of=None)
    times = []
    if report.as_of is not None:
        for i in range(len(report.bucket_labels)):
            first, last = bucket_dates(report.as_of, i)
            times.append(f"{first or '1970-01-01'} - {last}")
    months = [m for m in report.months if any(v[report.months.index(m)] for v in report.history.values())]
    idx = [report.months.index(m) for m in months]
    series = [
        charts.Series(label(acc), [values[i] for i in idx],
                      [ctx.links.account(acc, report.months[i]) for i in idx])
        for acc, values in report.history.items()
    ]
    chart = charts.stacked_bars([m[5:] + "月" for m in months], series, "其他应收款月末余额")
    return AgingView(report, tuple(times), chart)
