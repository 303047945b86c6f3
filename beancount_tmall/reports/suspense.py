"""待核对: the statement rows still waiting for review, listed before anything else.

Read-only. The rows and their ages are the ``suspense`` plugin's own (``open_rows`` with the
ledger's plugin config, judged on the same day), so the list, ``bean-check`` and the Fava page
agree: a row marked overdue here is an error there.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount_tmall.plugins import suspense
from beancount_tmall.reports.reconciliation import last_date, plugin_config, text_table

SUSPENSE_PLUGIN = suspense.PLUGIN


@dataclass(frozen=True)
class SuspenseRow:
    """One open 待核对 row as plain data."""

    account: str
    date: datetime.date
    amount: Decimal
    currency: str
    age: int
    overdue: bool
    source: str
    serial: str | None
    memo: str | None
    filename: str | None
    lineno: int | None


@dataclass(frozen=True)
class SuspenseReport:
    """The open 待核对 rows on the judging day, oldest first."""

    as_of: datetime.date | None
    max_days: int
    rows: tuple[SuspenseRow, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


def suspense_report(
    entries: Sequence[Any], options: Mapping[str, Any] | None = None, as_of: datetime.date | None = None
) -> SuspenseReport:
    """The open 待核对 rows of a loaded ledger, with the ledger's ``suspense`` plugin config."""
    config, _ = suspense.read_config(plugin_config(options, SUSPENSE_PLUGIN))
    if as_of is None:
        as_of = last_date(entries)
    rows = tuple(
        SuspenseRow(
            account=r.account,
            date=r.date,
            amount=r.amount,
            currency=r.currency,
            age=r.age,
            overdue=r.overdue,
            source=r.source,
            serial=r.serial,
            memo=r.memo,
            filename=r.filename,
            lineno=r.lineno,
        )
        for r in suspense.open_rows(list(entries), config, today=as_of)
    )
    return SuspenseReport(as_of, config["max_days"], rows)


def render_text(report: SuspenseReport) -> str:
    """The list as text (``tmall-books reconcile`` prints it first)."""
    if not report.rows:
        return "待核对: 没有未核对的流水 (no unreviewed rows)\n\n"
    lines = [
        f"待核对: {len(report.rows)} 笔未核对, 合计 {report.total:,.2f}, 其中 {report.overdue} 笔超过 "
        f"{report.max_days} 天 (bean-check 报错) (unreviewed rows; overdue ones are errors)",
    ]
    table = [["日期", "金额", "天数", "来源", "支付宝流水号", "摘要", "分录"]]
    for r in report.rows:
        table.append([
            r.date.isoformat(), f"{r.amount:,.2f}", f"{r.age}{' !' if r.overdue else ''}", r.source,
            r.serial or "", r.memo or "", f"{r.filename}:{r.lineno}",
        ])
    lines += text_table(table, left=(0, 3, 4, 5, 6))
    return "\n".join(lines) + "\n\n"
