"""账簿: 现金/银行存款日记账 (日清月结), 三栏式明细账 and 总账, read from the loaded ledger.

Seed 000 (会计手工帐流程): "根据收、付款凭证, 登记现金日记账和银行存款日记账; 根据记账凭证及原始凭证登记明细账;
根据科目汇总表登记总账 … 账簿中只有现金和银行存款日记账要做到日清月结 … 其他的明细账是每个月结一次就行了."

* **日记账** (:func:`journal`) for 库存现金 (1001), 银行存款 (1002) and 其他货币资金 such as 支付宝
  (1012xx): one line per transaction (日期, 凭证号, 摘要, 对方科目, 借方, 贷方, 余额), a 本日合计
  line after each day (日清), 本月合计 and 本年累计 after each month (月结). For a store whose
  支付宝 received a 1,130.00 sale and paid a 5.00 fee on 2025-03-02::

      日期        凭证号  摘要          对方科目                          借方      贷方      余额
      2025-03-01          上月结转                                                      1,000.00
      2025-03-02  记-001  结算           主营业务收入、应交税费-销项税额  1,130.00            2,130.00
      2025-03-02  记-002  运费险         销售费用-运费险                               5.00  2,125.00
      2025-03-02          本日合计                                       1,130.00      5.00  2,125.00
      2025-03-31          本月合计                                       1,130.00      5.00  2,125.00
      2025-03-31          本年累计                                       …

* **三栏式明细账** (:func:`ledger`) for any account (a parent account sums its sub-accounts): the
  期初余额 line, one line per transaction, 本月合计 and 本年累计; the balance with its direction
  (借 / 贷 / 平) and as a positive number.
* **总账** (:func:`general`) of the 一级科目: per month one line from that month's 科目汇总表
  (``trial_balance``, checked to balance first): 本月借方, 本月贷方, 余额 with its direction;
  after 期初余额, for ``--month`` that month and 本年累计, for ``--year`` twelve months and 本年累计.

凭证号 are those of the 记账凭证 print (``voucher.vouchers``, through :func:`voucher_numbers`):
per month, 记-001, 记-002, … in (date, file order) order. The transactions Beancount inserts for a
``pad`` are no vouchers: they show in the books without a number, since they move the balance.

Amounts are CNY; a posting of the account in another currency stops the book (:class:`BookError`).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data, flags

from beancount_tmall.reports import balances, trial_balance, voucher
from beancount_tmall.reports.render import Column, Table

ZERO = Decimal(0)

#: 科目编码 prefixes of the accounts that keep a 日记账: 库存现金, 银行存款, 其他货币资金 (支付宝).
JOURNAL_CODES = ("1001", "1002", "1012")

# Line kinds.
OPENING, ENTRY, DAY, MONTH, YEAR = "opening", "entry", "day", "month", "year"

#: Up to this many other accounts the 对方科目 names each (一级科目-明细科目), else the 一级科目 only.
COUNTER_DETAIL = 3

#: 摘要 of the transaction Beancount inserts for a ``pad`` (its own narration is English).
PAD_SUMMARY = "余额调整 (pad)"

KINDS = {"journal": "日记账", "ledger": "明细账", "general": "总账"}


class BookError(ValueError):
    """A book that cannot be printed (unknown or ambiguous account, money not in CNY)."""


# --------------------------------------------------------------------------- vouchers


def voucher_numbers(
    entries: Iterable[data.Directive], month: str, options: Mapping[str, Any] | None = None
) -> dict[int, str]:
    """``id(transaction) -> "记-001"``: the numbers the 记账凭证 of ``month`` carry.

    The numbering is ``voucher.vouchers``' (one rule for the vouchers and the books): the month's
    transactions in (date, file order) order — the ``include`` order of the ledger's files (from
    ``options``; without them, the order the files first appear in) and the line — except the
    transactions Beancount inserts for a ``pad`` and those without any amount. Keyed by ``id`` of
    the entry objects of ``entries`` (entries hold lists and are not hashable): look numbers up
    with the same loaded entries.
    """
    return {
        id(v.entry): v.number
        for v in voucher.vouchers(entries, month, dict(options) if options else None)
    }


# --------------------------------------------------------------------------- accounts


def known_accounts(entries: Iterable[data.Directive]) -> list[str]:
    """Every account opened or posted to, with all their parents (一级科目 and below), by code."""
    found: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Open):
            found.add(entry.account)
        elif isinstance(entry, data.Transaction):
            found.update(p.account for p in entry.postings)
    with_parents = {
        account_lib.join(*account_lib.split(a)[: n + 1])
        for a in found
        for n in range(1, len(account_lib.split(a)))
    }
    return balances.by_code(with_parents)


def _describe(account: str, names: dict[str, str]) -> str:
    return f"{balances.code_of(account)} {balances.name_of(account, names)} ({account})"


def resolve_account(entries: Sequence[data.Directive], text: str) -> str:
    """The account ``text`` names: its full name, its code (``101201``) or its Chinese name
    (``支付宝``), else the one account whose name contains it. Raises :class:`BookError` (listing
    the candidates) when none or several match."""
    text = text.strip()
    candidates = known_accounts(entries)
    names = balances.account_names(entries)
    if text in candidates:
        return text
    matches = [
        a for a in candidates
        if text in (balances.code_of(a), balances.name_of(a, names), account_lib.leaf(a))
    ]
    if not matches:
        matches = [a for a in candidates if text and (text in a or text in balances.name_of(a, names))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(_describe(a, names) for a in matches)
        raise BookError(
            f"科目 “{text}” 不唯一, 可能是: {listed}。请给出科目编码或完整科目名 "
            f"(ambiguous account {text!r})"
        )
    raise BookError(f"账簿中没有科目 “{text}” (请给出科目编码、中文名或完整科目名; no such account {text!r})")


def journal_accounts(entries: Sequence[data.Directive]) -> list[str]:
    """The accounts that keep a 日记账: codes starting 1001, 1002 or 1012, without their parents
    when the sub-accounts are there (``1012-其他货币资金`` is kept per 支付宝 account)."""
    matching = [
        a for a in known_accounts(entries)
        if balances.code_of(a).startswith(JOURNAL_CODES)
    ]
    return [a for a in matching if not any(b.startswith(a + ":") for b in matching)]


# --------------------------------------------------------------------------- books


@dataclass(frozen=True)
class Line:
    """One line of a book: an entry, or a 期初 / 本日合计 / 本月合计 / 本年累计 line."""

    kind: str
    date: datetime.date
    voucher: str
    summary: str
    counter: str  # 对方科目 (日记账)
    debit: Decimal | None
    credit: Decimal | None
    balance: Decimal  # debit positive


@dataclass
class Book:
    """A 日记账, 明细账 or 总账 of one account for a month or a year."""

    kind: str  # "journal" | "ledger" | "general"
    account: str
    code: str
    name: str
    label: str
    lines: list[Line] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        """The balance at the end of the period (debit positive)."""
        return self.lines[-1].balance

    @property
    def title(self) -> str:
        return f"{self.name}{KINDS[self.kind]} {self.code} {self.label}".replace("  ", " ")


def direction(balance: Decimal) -> str:
    """借 (debit balance), 贷 (credit balance) or 平 (zero)."""
    return "借" if balance > 0 else "贷" if balance < 0 else "平"


def _months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar months ``[first day, next month's first day)`` of ``[start, end)``."""
    out = []
    day = start
    while day < end:
        following = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        out.append((day, min(following, end)))
        day = following
    return out


def _inside(account: str) -> Callable[[str], bool]:
    return lambda a: a == account or a.startswith(account + ":")


def _sum(acts: balances.PeriodActivity, account: str) -> balances.Activity:
    """The subtree of ``account`` summed; refuses postings of it not in CNY."""
    inside = _inside(account)
    foreign = [(e, p) for e, p in acts.foreign if inside(p.account)]
    if foreign:
        where = "; ".join(
            f"{(p.meta or e.meta or {}).get('filename')}:{(p.meta or e.meta or {}).get('lineno')} {p.units}"
            for e, p in foreign
        )
        raise BookError(f"{account} 有非人民币分录, 账簿只记人民币: {where} (postings not in CNY)")
    total = balances.Activity()
    for name, act in acts.items():
        if inside(name):
            total.add(act)
    return total


def _opening_summary(entries: Sequence[data.Directive], start: datetime.date) -> str:
    if not any(isinstance(e, data.Transaction) and e.date < start for e in entries):
        return "期初余额"
    return "上年结转" if start.month == 1 and start.day == 1 else "上月结转"


def _counter(txn: data.Transaction, inside: Callable[[str], bool], names: dict[str, str]) -> str:
    """对方科目: the transaction's other accounts, as ``一级科目-明细科目`` when there are at most
    ``COUNTER_DETAIL`` of them, else their 一级科目 (a daily settlement touches many)."""
    others = list(dict.fromkeys(p.account for p in txn.postings if not inside(p.account)))
    if len(others) > COUNTER_DETAIL:
        return "、".join(dict.fromkeys(balances.name_of(balances.parent_at(a, 1), names) for a in others))
    texts = []
    for account in others:
        top = balances.parent_at(account, 1)
        text = balances.name_of(top, names)
        texts.append(text if account == top else f"{text}-{balances.name_of(account, names)}")
    return "、".join(texts)


def _subsidiary(
    entries: Sequence[data.Directive],
    account: str,
    start: datetime.date,
    end: datetime.date,
    label: str,
    kind: str,
    options: Mapping[str, Any] | None = None,
) -> Book:
    """A 日记账 (``kind="journal"``: 对方科目 and 本日合计) or 明细账 of ``account``'s subtree."""
    inside = _inside(account)
    names = balances.account_names(entries)
    year_start = datetime.date(start.year, 1, 1)
    period_act = _sum(balances.activity(entries, start, end), account)
    before = _sum(balances.activity(entries, year_start, start), account)
    balance = period_act.opening
    year_debit, year_credit = before.debit, before.credit
    book = Book(kind, account, balances.code_of(account), balances.name_of(account, names), label)
    book.lines.append(Line(OPENING, start, "", _opening_summary(entries, start), "", None, None, balance))
    for first, following in _months(start, end):
        month = f"{first:%Y-%m}"
        numbers = voucher_numbers(entries, month, options)
        # in voucher order; a day's pad (no number) first
        txns = sorted(
            (e for e in entries if isinstance(e, data.Transaction) and first <= e.date < following
             and not balances.is_opening(e)),  # 建账 is the opening balance line
            key=lambda e: (e.date, id(e) in numbers, numbers.get(id(e), ""), data.entry_sortkey(e)),
        )
        month_debit = month_credit = ZERO
        for day, group in itertools.groupby(txns, key=lambda t: t.date):
            day_debit = day_credit = ZERO
            for txn in group:
                amounts = [
                    p.units.number for p in txn.postings
                    if inside(p.account) and p.units is not None and p.units.currency == balances.CURRENCY
                ]
                if not any(amounts):
                    continue
                debit = sum((n for n in amounts if n > 0), ZERO)
                credit = -sum((n for n in amounts if n < 0), ZERO)
                balance += debit - credit
                day_debit += debit
                day_credit += credit
                summary = (
                    PAD_SUMMARY if txn.flag == flags.FLAG_PADDING else txn.narration or txn.payee or ""
                )
                counter = _counter(txn, inside, names) if kind == "journal" else ""
                book.lines.append(
                    Line(ENTRY, day, numbers.get(id(txn), ""), summary, counter, debit or None, credit or None, balance)
                )
            if kind == "journal" and (day_debit or day_credit):
                book.lines.append(Line(DAY, day, "", "本日合计", "", day_debit, day_credit, balance))
            month_debit += day_debit
            month_credit += day_credit
        year_debit += month_debit
        year_credit += month_credit
        last = following - datetime.timedelta(days=1)
        book.lines.append(Line(MONTH, last, "", "本月合计", "", month_debit, month_credit, balance))
        book.lines.append(Line(YEAR, last, "", "本年累计", "", year_debit, year_credit, balance))
    if balance != period_act.closing:  # the lines and balances.activity must tell one story
        raise BookError(f"{account} 账簿余额 {balance} 与科目余额 {period_act.closing} 不符 (internal mismatch)")
    return book


def journal(
    entries: Sequence[data.Directive],
    account: str,
    start: datetime.date,
    end: datetime.date,
    label: str,
    options: Mapping[str, Any] | None = None,
) -> Book:
    """The 日记账 of ``account`` for ``[start, end)`` (``balances.period`` gives them): 日清月结.

    ``options`` (the loader's) give the files' ``include`` order for the voucher numbers."""
    return _subsidiary(entries, account, start, end, label, "journal", options)


def ledger(
    entries: Sequence[data.Directive],
    account: str,
    start: datetime.date,
    end: datetime.date,
    label: str,
    options: Mapping[str, Any] | None = None,
) -> Book:
    """The 三栏式明细账 of ``account`` (and its sub-accounts) for ``[start, end)``."""
    return _subsidiary(entries, account, start, end, label, "ledger", options)


def general(
    entries: Sequence[data.Directive],
    start: datetime.date,
    end: datetime.date,
    label: str,
    accounts: Sequence[str] | None = None,
) -> list[Book]:
    """The 总账 of ``accounts`` (default: every 一级科目 with a balance or activity in the year)
    from the monthly 科目汇总表, each checked to balance (``trial_balance.Unbalanced`` if not)."""
    year_start = datetime.date(start.year, 1, 1)
    months = _months(start, end)
    tables = []
    for first, following in months:
        tb = trial_balance.trial_balance(entries, first, following, f"{first:%Y-%m}", level="all")
        tb.check()
        tables.append(tb)
    before = trial_balance.trial_balance(entries, year_start, start, str(start.year), level="all")
    rows = [{row.account: row for row in tb.rows} for tb in tables]
    names = balances.account_names(entries)
    if accounts is None:
        wanted = {row.account for table in (*tables, before) for row in table.rows if row.level == 1}
        accounts = balances.by_code(wanted)
    opening_summary = _opening_summary(entries, start)
    prior_rows = {row.account: row for row in before.rows} if start != year_start else {}
    books = []
    for account in accounts:
        book = Book("general", account, balances.code_of(account), balances.name_of(account, names), label)
        prior = prior_rows.get(account)
        year_debit = prior.debit if prior else ZERO
        year_credit = prior.credit if prior else ZERO
        first_row = rows[0].get(account)
        balance = first_row.opening if first_row else ZERO
        book.lines.append(Line(OPENING, start, "", opening_summary, "", None, None, balance))
        for (first, following), month_rows in zip(months, rows, strict=True):
            row = month_rows.get(account)
            debit, credit = (row.debit, row.credit) if row else (ZERO, ZERO)
            balance += debit - credit
            year_debit += debit
            year_credit += credit
            last = following - datetime.timedelta(days=1)
            book.lines.append(Line(MONTH, last, f"科汇{first:%m}", "本月合计", "", debit, credit, balance))
        book.lines.append(Line(YEAR, end - datetime.timedelta(days=1), "", "本年累计", "", year_debit, year_credit, balance))
        books.append(book)
    return books


# --------------------------------------------------------------------------- tables


def _amounts(line: Line) -> list[Decimal | None]:
    return [line.debit, line.credit]


def to_table(book: Book) -> Table:
    """The book as a ``render.Table`` (columns by kind of book)."""
    if book.kind == "journal":
        columns = [Column("日期"), Column("凭证号"), Column("摘要"), Column("对方科目"),
                   Column("借方", "right"), Column("贷方", "right"), Column("余额", "right")]
        rows = [
            [f"{ln.date:%Y-%m-%d}", ln.voucher, ln.summary, ln.counter, *_amounts(ln), ln.balance]
            for ln in book.lines
        ]
    else:
        columns = [Column("日期"), Column("凭证号"), Column("摘要"), Column("借方", "right"),
                   Column("贷方", "right"), Column("借或贷"), Column("余额", "right")]
        rows = [
            [f"{ln.date:%Y-%m-%d}", ln.voucher, ln.summary, *_amounts(ln), direction(ln.balance), abs(ln.balance)]
            for ln in book.lines
        ]
    return Table(title=book.title, columns=columns, rows=rows, notes=[f"科目: {book.account}"])
