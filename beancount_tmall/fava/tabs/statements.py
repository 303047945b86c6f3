"""报表 tab: the 利润表, 资产负债表 and 科目汇总表 of a chosen month (``?month=2025-03``, else the
latest month of the year with entries), in the format of ``?standard=small|general``.

The same figures as ``tmall-books report income|balance|trial-balance LEDGER --month M``
(:mod:`beancount_tmall.reports.statements`); each figure that comes from accounts links to their
journal in Fava for the figure's period (a balance: everything up to the period end).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data
from flask import abort, has_request_context, request

from beancount_tmall.fava.tabs import Links, TabContext
from beancount_tmall.reports import statements, trial_balance
from beancount_tmall.reports.balances import period
from beancount_tmall.reports.statements import Line, Statement

KEY = "statements"
TITLE = "报表"
ORDER = 60

#: ``?standard=`` choices and their labels on the page.
STANDARDS = (("small", "小企业会计准则"), ("general", "一般企业"))


@dataclass(frozen=True)
class Figure:
    """One cell of a statement: its amount (None: blank) and the journal behind it."""

    value: Decimal | None
    href: str | None = None


@dataclass(frozen=True)
class Row:
    """A printed line with its figures."""

    key: str
    name: str
    row: int | None
    kind: str  # "header" | "item" | "detail" | "total"
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Sheet:
    """A statement with its figures linked: 利润表 rows, or 资产负债表 pairs of rows side by side."""

    statement: Statement
    rows: tuple[Row, ...]  # 利润表
    pairs: tuple[tuple[Row | None, Row | None], ...]  # 资产负债表
    totals: tuple[Row, Row] | None


@dataclass(frozen=True)
class TrialRow:
    """One 一级科目 of the 科目汇总表: 期初, 本期, 期末 as (借方, 贷方) pairs, and its journal."""

    account: str
    code: str
    name: str
    cells: tuple[Decimal | None, ...]  # 期初借 期初贷 本期借 本期贷 期末借 期末贷
    href: str


@dataclass(frozen=True)
class TrialSheet:
    """The month's 科目汇总表 (试算平衡) as ``tmall-books report trial-balance`` prints it."""

    label: str
    rows: tuple[TrialRow, ...]
    totals: tuple[Decimal, ...]
    balanced_note: str
    errors: tuple[str, ...]
    notes: tuple[str, ...]


def trial_sheet(entries: Sequence[data.Directive], month: str, links: Links) -> TrialSheet:
    """The 科目汇总表 of ``month`` at the 一级科目, each account linked to its journal of the month."""
    start, end, label = period(month=month)
    tb = trial_balance.trial_balance(entries, start, end, label)
    keys = [key for key, _ in trial_balance.PAIRS]
    rows = tuple(
        TrialRow(r.account, r.code, r.name, tuple(x for k in keys for x in r.cells()[k]), links.account(r.account, label))
        for r in tb.rows
    )
    totals = tuple(x for k in keys for x in tb.totals()[k])
    return TrialSheet(label, rows, totals, tb.balanced_note(), tuple(tb.differences()), tuple(tb.uncoded_note()))


@dataclass(frozen=True)
class StatementsView:
    """The chosen month's statements, the months to choose from and the format."""

    month: str | None
    months: tuple[str, ...]
    standard: str
    standards: tuple[tuple[str, str], ...]
    income: Sheet | None
    balance: Sheet | None
    trial_balance: TrialSheet | None = None


def _arg(name: str) -> str | None:
    return request.args.get(name) or None if has_request_context() else None


def _months(entries: Sequence[data.Directive], year: int) -> tuple[str, ...]:
    found = {f"{e.date:%Y-%m}" for e in entries if isinstance(e, data.Transaction) and e.date.year == year}
    return tuple(sorted(found))


def fava_time(start: datetime.date, end: datetime.date) -> str:
    """Fava's time filter for ``[start, end)``: ``2025-03``, ``2025`` or ``2025-01-01 - 2025-03-31``."""
    last = end - datetime.timedelta(days=1)
    if start.day == 1 and start.month == 1 and end == datetime.date(start.year + 1, 1, 1):
        return f"{start.year}"
    if start.day == 1 and (start.year, start.month) == (last.year, last.month):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d} - {last:%Y-%m-%d}"


def figure_link(links: Links, accounts: Sequence[str], time: str) -> str | None:
    """The account's journal (the common parent of the line's accounts), or a journal filtered
    to the line's accounts when they have no common parent below the root."""
    if not accounts:
        return None
    parts = [a.split(":") for a in accounts]
    common: list[str] = []
    for components in zip(*parts, strict=False):
        if len(set(components)) != 1:
            break
        common.append(components[0])
    if len(common) >= 2:
        return links.account(":".join(common), time)
    pattern = "|".join(f"^{a}$" for a in sorted(accounts))
    return links.journal(f'any(account:"{pattern}")', time)


def sheet(statement: Statement, links: Links, first: datetime.date | None) -> Sheet:
    """The statement with a journal link on each figure that comes from accounts."""
    times = []
    for start, end in statement.periods:
        if statement.kind == "balance":
            # A balance: everything before the column's date (期末: the period end; 年初: 01-01).
            times.append(fava_time(first, end) if first and first < end else None)
        else:
            times.append(fava_time(start, end) if start < end else None)

    def row(line: Line | None) -> Row | None:
        if line is None:
            return None
        figures = tuple(
            Figure(value, figure_link(links, line.accounts, time) if value is not None and time and line.kind in ("item", "detail") else None)
            for value, time in zip(line.values, times, strict=True)
        )
        return Row(line.key, line.name, line.row, line.kind, figures)

    if statement.kind == "income":
        return Sheet(statement, tuple(row(line) for line in statement.lines), (), None)  # type: ignore[misc]
    pairs, totals = statement.sides()
    return Sheet(
        statement,
        (),
        tuple((row(a), row(b)) for a, b in pairs),
        (row(totals[0]), row(totals[1])) if totals else None,  # type: ignore[arg-type]
    )


def build(ctx: TabContext) -> StatementsView:
    standard = _arg("standard") or "small"
    if standard not in statements.STANDARDS:
        abort(400)
    months = _months(ctx.entries, ctx.year)
    month = _arg("month")
    if month is not None:
        try:
            month = period(month=month)[2]
        except ValueError:
            abort(400)
    elif months:
        month = months[-1]
    if month is None:
        return StatementsView(None, months, standard, STANDARDS, None, None)
    first = min((e.date for e in ctx.entries if isinstance(e, data.Transaction)), default=None)
    if first is not None:
        first = datetime.date(first.year, 1, 1) - datetime.timedelta(days=1)  # the #opening of 01-01 too
    income = statements.income_statement(ctx.entries, ctx.options, month=month, standard=standard)
    balance = statements.balance_sheet(ctx.entries, ctx.options, month=month, standard=standard)
    return StatementsView(
        month, months, standard, STANDARDS, sheet(income, ctx.links, first), sheet(balance, ctx.links, first),
        trial_sheet(ctx.entries, month, ctx.links),
    )
