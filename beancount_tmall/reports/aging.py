"""应收账龄: open 其他应收款 balances by account and age bucket, and their month-end history.

Read-only. Each account under ``Assets:1221-其他应收款`` is aged first-in first-out: every debit
opens a lot dated on its entry; every credit (an invoice, a give-back, a refund of the deposit)
clears the oldest lots first. What remains on the judging day (``as_of``) is spread over the
buckets 0-30, 31-60, 61-90 and >90 days by the age of its lots, so the buckets of an account
always sum to its balance. A credit balance (more cleared than deducted) ages the same way, as
negative lots.

The same pass records each account's balance at every month end of the year, for the
"receivables over time" chart.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import account as account_lib
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins._common import month_last, month_of
from beancount_tmall.reports.reconciliation import ZERO, Figure, cny_amount, label, last_date

#: The parent of the receivables aged here.
OTHER_RECEIVABLES = account_lib.parent(accounts.COMMISSION_RECEIVABLE)

#: (first day, last day or None, label) of each age bucket.
BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "0-30 天"),
    (31, 60, "31-60 天"),
    (61, 90, "61-90 天"),
    (91, None, ">90 天"),
)


def bucket_index(age_days: int) -> int:
    """The index in ``BUCKETS`` of an age in days (negative ages count as 0)."""
    for i, (_, last, _) in enumerate(BUCKETS):
        if last is None or age_days <= last:
            return i
    return len(BUCKETS) - 1


def bucket_dates(as_of: datetime.date, index: int) -> tuple[datetime.date | None, datetime.date]:
    """The (first, last) entry dates whose lots fall in bucket ``index`` on ``as_of``."""
    first_age, last_age, _ = BUCKETS[index]
    newest = as_of - datetime.timedelta(days=first_age)
    oldest = None if last_age is None else as_of - datetime.timedelta(days=last_age)
    return oldest, newest


@dataclass(frozen=True)
class AgingRow:
    """One receivable on the judging day."""

    account: str
    balance: Figure
    buckets: tuple[Figure, ...]
    oldest: datetime.date | None

    @property
    def name(self) -> str:
        return label(self.account)


@dataclass(frozen=True)
class AgingReport:
    """应收账龄 on ``as_of`` plus month-end balances of ``year``."""

    year: int
    as_of: datetime.date | None
    rows: tuple[AgingRow, ...]
    bucket_totals: tuple[Decimal, ...]
    months: tuple[str, ...]
    history: dict[str, tuple[Decimal, ...]]

    @property
    def total(self) -> Decimal:
        return sum(self.bucket_totals, ZERO)

    @property
    def bucket_labels(self) -> tuple[str, ...]:
        return tuple(b[2] for b in BUCKETS)

    def row(self, account: str) -> AgingRow:
        return next(r for r in self.rows if r.account == account)


def balance_query(account: str, as_of: datetime.date) -> str:
    """BQL listing the postings of ``account`` up to ``as_of`` with their running balance."""
    return (
        "SELECT date, payee, narration, position, balance "
        f"WHERE account = '{account}' AND date <= {as_of} ORDER BY date"
    )


def _consume(lots: deque, date: datetime.date, number: Decimal) -> None:
    """Add a posting to an account's FIFO lots: opposite signs clear the oldest lots first."""
    while number and lots and (lots[0][1] > 0) != (number > 0):
        lot_date, lot_number = lots[0]
        if abs(lot_number) <= abs(number):
            lots.popleft()
            number += lot_number
        else:
            lots[0] = (lot_date, lot_number + number)
            number = ZERO
    if number:
        lots.append((date, number))


def aging_report(
    entries: Sequence[data.Directive],
    year: int,
    as_of: datetime.date | None = None,
    parent: str = OTHER_RECEIVABLES,
) -> AgingReport:
    """Age the receivables under ``parent`` on ``as_of`` (default: the ledger's last date, at most
    the year's end) and record their balances at each month end of ``year``."""
    year_end = datetime.date(year, 12, 31)
    if as_of is None:
        as_of = min(last_date(entries) or year_end, year_end)
    months = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    month_ends = [month_last(m) for m in months]
    lots: dict[str, deque] = defaultdict(deque)
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    history: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO] * len(months))
    aged: dict[str, list] | None = None
    next_end = 0

    def snapshot_until(date: datetime.date) -> None:
        nonlocal next_end
        while next_end < len(month_ends) and month_ends[next_end] < date:
            for acc, bal in balances.items():
                history[acc][next_end] = bal
            next_end += 1

    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        snapshot_until(entry.date)
        if aged is None and entry.date > as_of:
            aged = {acc: list(q) for acc, q in lots.items()}
        for p in entry.postings:
            if not (p.account == parent or p.account.startswith(parent + ":")):
                continue
            number = cny_amount(p)
            if number:
                balances[p.account] += number
                _consume(lots[p.account], entry.date, number)
    last = last_date(entries)
    if last is not None:
        # Month ends up to the ledger's last day, and that (partial) month itself.
        snapshot_until(month_last(month_of(last)) + datetime.timedelta(days=1))
    if aged is None:
        aged = {acc: list(q) for acc, q in lots.items()}

    rows = []
    totals = [ZERO] * len(BUCKETS)
    for acc in sorted(aged):
        acc_lots = aged[acc]
        if not acc_lots:
            continue
        amounts = [ZERO] * len(BUCKETS)
        for lot_date, number in acc_lots:
            amounts[bucket_index((as_of - lot_date).days)] += number
        for i, amount in enumerate(amounts):
            totals[i] += amount
        balance = sum(amounts, ZERO)
        rows.append(
            AgingRow(
                account=acc,
                balance=Figure(balance, balance_query(acc, as_of)),
                buckets=tuple(Figure(a, "") for a in amounts),
                oldest=min(d for d, _ in acc_lots),
            )
        )
    history_out = {acc: tuple(values) for acc, values in sorted(history.items()) if any(values)}
    return AgingReport(
        year=year,
        as_of=as_of,
        rows=tuple(rows),
        bucket_totals=tuple(totals),
        months=months,
        history=history_out,
    )

