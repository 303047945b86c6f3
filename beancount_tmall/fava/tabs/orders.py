"""订单核对 tab: which orders of the chosen month Tmall did not settle right (issue 9 §4).

The findings of ``tmall-books reconcile orders`` for the sources archived under the ledger's
``documents/``, computed and cached by :mod:`beancount_tmall.reports.orders`: the chosen month's
summary (count and amount per kind) and its largest findings, each linked to the Fava journal of
its day (the statement row's day; for an order never settled, the day the buyer confirmed receipt,
when Alipay should have settled it). Each month's link carries its count. ``?month=YYYY-MM``
chooses the month; by default the year's last month whose window the statements cover. A source,
rates or rules file that cannot be read is the tab's message, never a failed page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from beancount_tmall.fava.tabs import TabContext
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.rules import RuleError
from beancount_tmall.orders.rates import RatesError
from beancount_tmall.reports.orders import (
    KINDS,
    MonthFindings,
    ledger_findings,
    ledger_inputs,
    statement_months,
    window_end,
)

KEY = "orders"
TITLE = "订单核对"
ORDER = 50

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class OrdersView:
    """The tab: the months to choose from (with their counts), the chosen month's figures."""

    year: int
    month: str | None
    months: tuple[tuple[str, int], ...]  # (month, findings)
    complete: bool  # the statements cover the chosen month's whole window
    found: MonthFindings | None
    sources: dict[str, int]
    orders: int = 0
    statement_rows: int = 0
    pending: int = 0
    window: int = 1
    error: str | None = None
    journal: dict[str, str] = field(default_factory=dict)  # day -> Fava journal URL
    gaps: tuple[tuple[str, str], ...] = ()  # spans no statement covers ("YYYY-MM-DD HH:MM:SS")


def build(ctx: TabContext) -> OrdersView:
    ledger = Path(ctx.options["filename"])
    inputs = ledger_inputs(ledger, ctx.options)
    counts = {k: len(inputs.of(k)) for k in KINDS}
    covered, last = statement_months(inputs.sources)
    year = f"{ctx.year}-"
    if not counts["orders"] or not any(m.startswith(year) for m in covered):
        return OrdersView(ctx.year, None, (), False, None, counts)
    try:
        found = ledger_findings(inputs)
    except (SourceError, RatesError, RuleError) as exc:
        return OrdersView(ctx.year, None, (), False, None, counts,
                          error=f"无法核对订单 (cannot reconcile the orders): {exc}")
    names = sorted(m for m in covered | set(found.months) if m.startswith(year))
    months = tuple((m, found.months[m].count if m in found.months else 0) for m in names)
    month = ctx.month if ctx.month and _MONTH.match(ctx.month) and ctx.month in names else None
    if month is None:
        whole = [m for m in names if last and window_end(m, found.window) <= last]
        month = (whole or names)[-1]
    chosen = found.months.get(month, MonthFindings(month, (), ()))
    journal = {r.day: ctx.links.journal(None, r.day) for r in chosen.top if r.day}
    return OrdersView(
        ctx.year, month, months, bool(last and window_end(month, found.window) <= last), chosen, counts,
        found.orders, found.statement_rows, found.pending, found.window, journal=journal,
        gaps=tuple((str(a), str(b)) for a, b in found.gaps),
    )
