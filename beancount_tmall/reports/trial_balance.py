"""科目汇总表 / 试算平衡: per account in code order, opening, the period's debits and credits,
closing, each as 借方/贷方 columns the Chinese way, with the 试算平衡 check shown and enforced.

Seed 000 (会计手工帐流程): "根据凭证上的科目做丁字账, 一个科目一个科目的抄写, 最后合计, 看借方总合计数是否
等于贷方总合计数, 相等了, 说明平了, 然后把数据抄写在记账凭证汇总表上 … 根据试算平衡的记账凭证汇总表, 登记总账."

For ``--month 2025-03`` and a ledger whose 支付宝 received 1,130.00 of sales in March::

    科目编码  科目名称        期初借方  期初贷方  本期借方  本期贷方  期末借方  期末贷方
    1012      其他货币资金   80,000.00            1,130.00            81,130.00
    2221      应交税费                                       130.00                130.00
    4001      实收资本                 80,000.00                               80,000.00
    6001      主营业务收入                                 1,000.00              1,000.00
    合计                     80,000.00 80,000.00  1,130.00  1,130.00  81,130.00 81,130.00

A balance is shown on its side: a debit balance (a positive Beancount balance) under 借方, a credit
balance under 贷方 as a positive number. Debits and credits are summed per posting, not netted.

The check compares 借方合计 with 贷方合计 for the opening balances, the period and the closing
balances. Beancount balances every transaction, so a ledger that loads cleanly always passes; what
can fail is money outside the CNY books (a posting in another currency, reported by
``balances.activity``), amounts finer than the cent that a transaction's tolerance let through,
or figures handed to :func:`build` from elsewhere. A failure raises :class:`Unbalanced` (Chinese
message naming each difference): the CLI prints the table, then the error, and exits non-zero.

``--level 1`` lists the 一级科目, ``--level 2`` the 一级 and 二级, ``all`` every level (a parent
line sums its sub-accounts and comes before them); the totals are those of the 一级科目.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import account as account_lib
from beancount.core import data

from beancount_tmall.reports import balances
from beancount_tmall.reports.render import Column, Table

ZERO = Decimal(0)

#: ``--level`` choices: 一级, 一级和二级, 所有级次.
LEVELS = ("1", "2", "all")

#: The three pairs the check compares, with their Chinese labels.
PAIRS = (("opening", "期初"), ("period", "本期"), ("closing", "期末"))


class Unbalanced(ValueError):
    """试算不平衡: 借方合计 ≠ 贷方合计 (the message names every difference, Chinese first)."""


def depth(account: str) -> int:
    """The 科目级次 of an account: 1 for ``Assets:1012-其他货币资金``, 2 for its ``101201-支付宝``."""
    return len(account_lib.split(account)) - 1


def sides(balance: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """A balance as (借方, 贷方) columns: the positive one on its side, the other blank."""
    if balance > 0:
        return balance, None
    if balance < 0:
        return None, -balance
    return None, None


@dataclass(frozen=True)
class Row:
    """One account line of the 科目汇总表."""

    account: str
    code: str
    name: str
    level: int
    opening: Decimal
    debit: Decimal  # the period's debits, positive
    credit: Decimal  # the period's credits, positive

    @property
    def closing(self) -> Decimal:
        """期末余额 (debit positive)."""
        return self.opening + self.debit - self.credit

    def cells(self) -> dict[str, tuple[Decimal | None, Decimal | None]]:
        """The (借方, 贷方) pair of each of 期初, 本期, 期末."""
        return {
            "opening": sides(self.opening),
            "period": (self.debit or None, self.credit or None),
            "closing": sides(self.closing),
        }


@dataclass
class TrialBalance:
    """The 科目汇总表 of a period: rows in code order and the column totals."""

    label: str
    level: str
    rows: list[Row] = field(default_factory=list)
    foreign: list[tuple[data.Transaction, data.Posting]] = field(default_factory=list)

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """(借方合计, 贷方合计) of 期初, 本期, 期末, over the 一级科目 lines."""
        sums = {key: [ZERO, ZERO] for key, _ in PAIRS}
        for row in self.rows:
            if row.level != 1:
                continue
            for key, (debit, credit) in row.cells().items():
                sums[key][0] += debit or ZERO
                sums[key][1] += credit or ZERO
        return {key: (d, c) for key, (d, c) in sums.items()}

    def differences(self) -> list[str]:
        """One Chinese sentence per unbalanced pair; empty when the table balances."""
        out = []
        for key, label in PAIRS:
            debit, credit = self.totals()[key]
            if debit != credit:
                out.append(
                    f"{label}借方合计 {debit:,.2f} ≠ {label}贷方合计 {credit:,.2f}, "
                    f"差额 {debit - credit:,} ({label} debits ≠ credits)"
                )
        for entry, posting in self.foreign:
            meta = posting.meta or entry.meta or {}
            out.append(
                f"{meta.get('filename')}:{meta.get('lineno')} {posting.account} {posting.units} "
                f"不是人民币, 未计入科目汇总表 (not in CNY, left out)"
            )
        return out

    def check(self) -> None:
        """Raise :class:`Unbalanced` unless every pair of totals is equal."""
        differences = self.differences()
        if differences:
            raise Unbalanced(
                f"{self.label} 科目汇总表试算不平衡: " + "; ".join(differences)
                + " (the trial balance does not balance)"
            )

    def uncoded_note(self) -> list[str]:
        """A note naming the accounts without a 科目编码 (a ``pad`` from ``Equity:Opening-Balances``)."""
        uncoded = [row.account for row in self.rows if not row.code]
        if not uncoded:
            return []
        return [f"注意: 科目 {', '.join(uncoded)} 没有科目编码, 请改记到有编码的科目 (accounts without a code)"]

    def balanced_note(self) -> str:
        """The line under the table stating the check's result."""
        differences = self.differences()
        if differences:
            return "试算不平衡 (unbalanced): " + "; ".join(differences)
        totals = self.totals()
        figures = ", ".join(
            f"{label}借贷合计均为 {totals[key][0]:,.2f}" for key, label in PAIRS
        )
        return f"试算平衡 (balanced): {figures}"


def build(
    acts: Mapping[str, balances.Activity],
    label: str,
    level: str = "1",
    names: Mapping[str, str] | None = None,
    foreign: Iterable[tuple[data.Transaction, data.Posting]] = (),
) -> TrialBalance:
    """The 科目汇总表 of per-account figures (``balances.activity``), rolled up to ``level``.

    Each level from 1 to ``level`` (``"all"``: every level) is ``balances.rollup`` of the
    figures; lines with nothing in any column are left out. ``foreign`` (the postings not in
    CNY) make the table fail its check: they are money the table does not hold.
    """
    if level not in LEVELS:
        raise ValueError(f"科目级次应为 1、2 或 all, 而不是 {level!r} (level must be 1, 2 or all)")
    deepest = max((depth(a) for a in acts), default=1)
    upto = deepest if level == "all" else int(level)
    lines: dict[str, balances.Activity] = {}
    for n in range(1, upto + 1):
        for account, act in balances.rollup(acts, n).items():
            if depth(account) == n:
                lines[account] = act
    rows = [
        Row(
            account,
            balances.code_of(account),
            balances.name_of(account, names),
            depth(account),
            lines[account].opening,
            lines[account].debit,
            lines[account].credit,
        )
        for account in balances.by_code(lines)
        if lines[account].opening or lines[account].debit or lines[account].credit
    ]
    return TrialBalance(label, level, rows, list(foreign))


def trial_balance(
    entries: Iterable[data.Directive],
    start: datetime.date,
    end: datetime.date,
    label: str,
    level: str = "1",
) -> TrialBalance:
    """The 科目汇总表 of the loaded ledger for [start, end) (``balances.period`` gives them)."""
    entries = list(entries)
    acts = balances.activity(entries, start, end)
    return build(acts, label, level, balances.account_names(entries), acts.foreign)


COLUMNS = (
    Column("科目编码"),
    Column("科目名称"),
    Column("期初借方", "right"),
    Column("期初贷方", "right"),
    Column("本期借方", "right"),
    Column("本期贷方", "right"),
    Column("期末借方", "right"),
    Column("期末贷方", "right"),
)


def to_table(tb: TrialBalance, title: str = "") -> Table:
    """The 科目汇总表 as a ``render.Table``: one line per account, 合计, and the check's result."""
    rows = []
    for row in tb.rows:
        indent = "  " * (row.level - 1)
        cells = row.cells()
        rows.append([indent + row.code, row.name, *cells["opening"], *cells["period"], *cells["closing"]])
    totals = tb.totals()
    footer = [["合计", "", *(amount for key, _ in PAIRS for amount in totals[key])]]
    return Table(
        title=title or f"科目汇总表 {tb.label}",
        columns=list(COLUMNS),
        rows=rows,
        footer=footer,
        notes=[tb.balanced_note(), *tb.uncoded_note()],
    )
