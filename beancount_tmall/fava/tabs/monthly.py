"""月度对账 tab: per month sales, each fee deducted vs invoiced, status, and that month's errors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from beancount_tmall.fava import charts
from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.reports.reconciliation import (
    EMPTY,
    STATUS_LABELS,
    ZERO,
    MonthlyReport,
    MonthRow,
    monthly_report,
)

KEY = "monthly"
TITLE = "月度对账"
ORDER = 10


@dataclass(frozen=True)
class MonthlyView:
    """The report, the months worth showing, and the two charts."""

    report: MonthlyReport
    rows: tuple[MonthRow, ...]
    active_fees: tuple[int, ...]
    fee_totals: tuple[Decimal, ...]
    status_labels: dict[str, str]
    fees_chart: Markup
    sales_chart: Markup


def _shown(report: MonthlyReport) -> tuple[MonthRow, ...]:
    """Months up to the last one with any figure or error (a year in progress stops there)."""
    last = -1
    for i, row in enumerate(report.months):
        if row.sales.entries or row.errors or any(c.status != EMPTY for c in row.fees):
            last = i
    return report.months[: last + 1]


def build(ctx: TabContext) -> MonthlyView:
    report = monthly_report(
        ctx.entries, ctx.errors, options=ctx.options, year=ctx.year, as_of=ctx.as_of
    )
    rows = _shown(report)
    categories = [r.month[5:] + "月" for r in rows]
    share = []
    for account, name in zip(report.fee_accounts, report.fee_names, strict=True):
        values = []
        for r in rows:
            gross = r.sales.gross.amount
            cell = r.fee(account)
            values.append(cell.deducted.amount * 100 / gross if gross and cell else None)
        if any(values):
            links = [ctx.links.query(r.fee(account).deducted.query) for r in rows]
            share.append(charts.Series(name, values, links))
    fees_chart = charts.stacked_bars(categories, share, "平台费用占含税销售额 %", percent=True)
    sales_chart = charts.grouped_bars(
        categories,
        [
            charts.Series("含税销售额", [r.sales.gross.amount for r in rows],
                          [ctx.links.query(r.sales.gross.query) for r in rows]),
            charts.Series("退款", [r.sales.refunds.amount for r in rows],
                          [ctx.links.query(r.sales.refunds.query) for r in rows]),
        ],
        "销售额与退款",
    )
    # Only the receivables with any activity in the year get a column.
    active = tuple(
        i for i in range(len(report.fee_accounts)) if any(r.fees[i].status != EMPTY for r in rows)
    )
    totals = tuple(sum((r.fees[i].deducted.amount for r in rows), ZERO) for i in range(len(report.fee_accounts)))
    return MonthlyView(report, rows, active, totals, STATUS_LABELS, fees_chart, sales_chart)
