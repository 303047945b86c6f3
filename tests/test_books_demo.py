"""The books and the 科目汇总表 of one demo month agree with the demo ledger's own figures.

The demo's 支付宝 account carries a ``balance`` assertion for every day (from the statement's
running balance), so the 支付宝日记账 can be checked line by line against Alipay: each assertion
dated in the month or on the next month's first day equals the journal's balance at the end of the
day before. The 总账 and 明细账 must end where the 科目汇总表 ends, and the 科目汇总表 balances.

``TMALL_DEMO_DIR`` points at another build (``tmall-books demo /tmp/books-demo --force``) than the
committed ``ledgers/demo``. Nothing here is a number copied from the demo: every expectation is
computed from the demo's entries by other means (balance assertions, summed postings).
"""

import datetime
import os
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from beancount_tmall.reports import balances, books, voucher
from beancount_tmall.reports import trial_balance as tb_lib

REPO = Path(__file__).resolve().parent.parent
DEMO = Path(os.environ.get("TMALL_DEMO_DIR") or REPO / "ledgers" / "demo")
ALIPAY = "Assets:1012-其他货币资金:101201-支付宝"
MONTH = "2025-03"
DEMO_OPTIONS: dict = {}


@pytest.fixture(scope="module")
def demo():
    main = DEMO / "main.beancount"
    if not main.exists():
        pytest.skip(f"no demo ledger at {main}")
    entries, errors, options = loader.load_file(str(main))
    assert not errors, errors[:3]
    DEMO_OPTIONS.update(options)
    return entries


def test_trial_balance_of_a_demo_month_balances(demo):
    start, end, label = balances.period(month=MONTH)
    for level in tb_lib.LEVELS:
        tb = tb_lib.trial_balance(demo, start, end, label, level)
        tb.check()
        totals = tb.totals()
        assert totals["period"][0] > 0  # a month with business
        # the totals are the postings of the month: every debit posting in CNY, summed
        debits = sum(
            p.units.number
            for e in demo if isinstance(e, data.Transaction) and start <= e.date < end
            for p in e.postings if p.units.number > 0
        )
        assert totals["period"] == (debits, debits)
        assert totals["opening"][0] == totals["opening"][1] > 0
        assert totals["closing"][0] == totals["closing"][1]
    rows = {r.account: r for r in tb_lib.trial_balance(demo, start, end, label, "all").rows}
    # a parent line is the sum of its sub-accounts (其他应收款 has no postings of its own)
    receivables = [r for a, r in rows.items() if a.startswith("Assets:1221-其他应收款:")]
    parent = rows["Assets:1221-其他应收款"]
    assert (parent.opening, parent.debit, parent.credit) == (
        sum(r.opening for r in receivables), sum(r.debit for r in receivables), sum(r.credit for r in receivables),
    )


def test_alipay_journal_meets_every_balance_assertion_of_the_month(demo):
    start, end, label = balances.period(month=MONTH)
    book = books.journal(demo, ALIPAY, start, end, label, DEMO_OPTIONS)
    # the balance at the end of each day, from the journal's 本日合计 lines (日清)
    day_end = {ln.date: ln.balance for ln in book.lines if ln.kind == books.DAY}
    asserted = {
        e.date: e.amount.number for e in demo
        if isinstance(e, data.Balance) and e.account == ALIPAY and start < e.date <= end
    }
    assert end in asserted, "the demo asserts 支付宝's balance on the next month's first day"
    checked = 0
    for day, amount in sorted(asserted.items()):
        before = [d for d in day_end if d < day]
        expected = day_end[max(before)] if before else book.lines[0].balance
        assert expected == amount, f"{day}: journal {expected}, balance assertion {amount}"
        checked += 1
    assert checked >= 20
    assert book.closing == asserted[end]
    # 月结: 本月合计 is the sum of the entry lines, 本日合计 the sum of each day's
    month = next(ln for ln in book.lines if ln.kind == books.MONTH)
    entries = [ln for ln in book.lines if ln.kind == books.ENTRY]
    assert month.debit == sum(ln.debit or 0 for ln in entries)
    assert month.credit == sum(ln.credit or 0 for ln in entries)
    for day, total in {ln.date: ln for ln in book.lines if ln.kind == books.DAY}.items():
        same_day = [ln for ln in entries if ln.date == day]
        assert (total.debit, total.credit) == (
            sum(ln.debit or 0 for ln in same_day), sum(ln.credit or 0 for ln in same_day),
        )


def test_general_and_subsidiary_ledgers_end_where_the_trial_balance_ends(demo):
    start, end, label = balances.period(month=MONTH)
    tb = tb_lib.trial_balance(demo, start, end, label, "1")
    general = {b.account: b for b in books.general(demo, start, end, label)}
    assert set(general) == {r.account for r in tb.rows}
    for row in tb.rows:
        book = general[row.account]
        month = next(ln for ln in book.lines if ln.kind == books.MONTH)
        assert (book.lines[0].balance, month.debit, month.credit, book.closing) == (
            row.opening, row.debit, row.credit, row.closing,
        )
        subsidiary = books.ledger(demo, row.account, start, end, label)
        assert subsidiary.closing == row.closing
        year = subsidiary.lines[-1]
        assert (year.debit, year.credit) == (book.lines[-1].debit, book.lines[-1].credit)
    # 本年累计 from 01-01: the same as a trial balance of the year to date
    ytd = tb_lib.trial_balance(demo, datetime.date(2025, 1, 1), end, "ytd", "1")
    for row in ytd.rows:
        last = general[row.account].lines[-1] if row.account in general else None
        if last is not None:
            assert (last.debit, last.credit, last.balance) == (row.debit, row.credit, row.closing)


def test_books_carry_the_numbers_of_the_printed_vouchers(demo):
    printed = voucher.vouchers(demo, MONTH, DEMO_OPTIONS)
    numbers = books.voucher_numbers(demo, MONTH, DEMO_OPTIONS)
    assert len(printed) > 30
    assert sorted(numbers.values()) == [v.number for v in printed]
    where = {
        id(e): (str(e.meta["filename"]), e.meta["lineno"], e.date) for e in demo if isinstance(e, data.Transaction)
    }
    assert sorted((n, where[i]) for i, n in numbers.items()) == [
        (v.number, (v.filename, v.lineno, v.date)) for v in printed
    ]
    # every 支付宝 line of the journal with a number names the voucher that posts to 支付宝
    start, end, label = balances.period(month=MONTH)
    posting_alipay = {
        v.number for v in printed if any(row.account == ALIPAY for row in v.rows)
    }
    journal = books.journal(demo, ALIPAY, start, end, label, DEMO_OPTIONS)
    assert {ln.voucher for ln in journal.lines if ln.kind == books.ENTRY} == posting_alipay
