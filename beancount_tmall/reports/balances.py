"""Per-account figures for a period: opening balance, debits, credits, closing balance.

The 科目汇总表, the books and the statements all start from the same four numbers per account.
Beancount signs every posting: a positive posting is a debit (借), a negative one a credit (贷),
in every kind of account. So for ``[start, end)``::

    opening = sum of the account's postings before start
    debit   = sum of its positive postings in the period   (each posting, never netted)
    credit  = -(sum of its negative postings in the period)
    closing = opening + debit - credit

A store's 建账 entry (tag ``#opening``: the 期初余额表 the importer or ``init`` writes, dated the
first day of the books) is the opening balance, not activity: it counts in ``opening`` of every
period that ends after its date, and it is no 记账凭证.

Only CNY is summed; a posting in another currency is returned by :func:`activity` among the
``foreign`` postings so the caller can show it, never silently dropped.

Accounts are named ``Root:1221-其他应收款:122101-天猫佣金``: :func:`code_of` gives ``122101``,
:func:`name_of` the open directive's ``name`` metadata or the text after the code.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

CURRENCY = "CNY"
OPENING_TAG = "opening"
_ZERO = Decimal("0")
_CODE = re.compile(r"(\d+)")


def code_of(account: str) -> str:
    """The leaf component's leading digits (``…:22210102-销项税额`` → ``22210102``), or ``""``."""
    match = _CODE.match(account.rsplit(":", 1)[-1])
    return match.group(1) if match else ""


def name_of(account: str, accounts: Mapping[str, str] | None = None) -> str:
    """The account's Chinese name: its ``name`` open metadata when given, else the leaf's text."""
    if accounts and account in accounts:
        return accounts[account]
    leaf = account.rsplit(":", 1)[-1]
    code = _CODE.match(leaf)
    return leaf[code.end():].lstrip("-") if code else leaf


def account_names(entries: Iterable[data.Directive]) -> dict[str, str]:
    """``account -> name`` from the ``name`` metadata of the ledger's ``open`` directives."""
    names = {}
    for entry in entries:
        if isinstance(entry, data.Open):
            name = (entry.meta or {}).get("name")
            names[entry.account] = str(name) if name else name_of(entry.account)
    return names


def is_opening(entry: data.Directive) -> bool:
    """Whether ``entry`` is the books' opening-balance (建账) transaction, tagged ``#opening``."""
    return isinstance(entry, data.Transaction) and OPENING_TAG in (entry.tags or ())


def parent_at(account: str, level: int) -> str:
    """The account cut to ``level`` components below the root (1 = 一级科目)."""
    parts = account.split(":")
    return ":".join(parts[: level + 1])


@dataclass
class Activity:
    """One account's figures for a period (CNY)."""

    opening: Decimal = _ZERO
    debit: Decimal = _ZERO
    credit: Decimal = _ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    def add(self, other: Activity) -> None:
        self.opening += other.opening
        self.debit += other.debit
        self.credit += other.credit


class PeriodActivity(dict):
    """``account -> Activity`` plus the postings that are not in CNY (``foreign``)."""

    def __init__(self) -> None:
        super().__init__()
        self.foreign: list[tuple[data.Transaction, data.Posting]] = []


def period(month: str | None = None, year: int | None = None) -> tuple[datetime.date, datetime.date, str]:
    """``[start, end)`` and a label for ``--month YYYY-MM`` or ``--year YYYY`` (exactly one)."""
    if (month is None) == (year is None):
        raise ValueError("请给出 --month YYYY-MM 或 --year YYYY 之一 (give a month or a year)")
    if month is not None:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", month.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"月份 {month!r} 应为 YYYY-MM, 如 2025-03 (month must be YYYY-MM)")
        y, m = int(match.group(1)), int(match.group(2))
        start = datetime.date(y, m, 1)
        end = datetime.date(y + (m == 12), m % 12 + 1, 1)
        return start, end, f"{y:04d}-{m:02d}"
    assert year is not None
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1), f"{year:04d}"


def activity(entries: Iterable[data.Directive], start: datetime.date, end: datetime.date) -> PeriodActivity:
    """Every account's :class:`Activity` for ``[start, end)`` (accounts with any posting up to end)."""
    result = PeriodActivity()
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date >= end:
            continue
        before = entry.date < start or OPENING_TAG in (entry.tags or ())
        for posting in entry.postings:
            units = posting.units
            if units is None or units.number is None:
                continue
            if units.currency != CURRENCY:
                if not before:
                    result.foreign.append((entry, posting))
                continue
            act = result.get(posting.account)
            if act is None:
                act = result[posting.account] = Activity()
            number = units.number
            if before:
                act.opening += number
            elif number > 0:
                act.debit += number
            else:
                act.credit -= number
    return result


def rollup(acts: Mapping[str, Activity], level: int) -> dict[str, Activity]:
    """The activities summed up to ``level`` components below the root (1 = 一级科目)."""
    result: dict[str, Activity] = {}
    for account, act in acts.items():
        key = parent_at(account, level)
        total = result.get(key)
        if total is None:
            total = result[key] = Activity()
        total.add(act)
    return result


def by_code(accounts: Iterable[str]) -> list[str]:
    """Accounts in 科目编码 order (code as text, so ``1221`` < ``122101`` < ``1405``)."""
    return sorted(accounts, key=lambda a: tuple(code_of(p) or p for p in a.split(":")[1:]) or (a,))
