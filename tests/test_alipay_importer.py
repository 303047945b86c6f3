"""The Alipay statement importer: rule table, daily and per-row entries, dedup, masking, bean-check."""

from __future__ import annotations

import datetime
import io
import re
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import alipay_samples
import pytest
from alipay_samples import FIXTURES, UNCLASSIFIED_LINE
from beancount import loader
from beancount.core import data
from beancount.core.amount import A
from beancount.parser import parser as beancount_parser
from beancount.parser import printer

from beancount_tmall import accounts
from beancount_tmall.formats.alipay_statement import AlipayStatement, StatementRow
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import alipay as alipay_importer
from beancount_tmall.importers.alipay import (
    OPENING_COMMENT,
    OPENING_TAG,
    AlipayStatementImporter,
    RuleError,
    account_map,
    adopt_account_directive,
    compile_test,
    format_entry,
    is_opening,
    load_rules,
    mask,
    mask_narration,
    opening_entry,
    order_id,
    print_entries,
    report,
    report_unclassified,
    resolve_account,
    serial_digest,
    warning_note,
    warnings,
)
from beancount_tmall.ledger_init import main_text

STATEMENT = FIXTURES / "statement_16col_gbk.csv"
POINTS = {"1001": Decimal("2.50"), "1003": Decimal("1.20")}


def row(biz_type, remark="", order_no="", amount="-1.00", **kw) -> StatementRow:
    amount = Decimal(amount)
    return StatementRow(
        line=kw.pop("line", 9), serial=kw.pop("serial", "1"), time=datetime.datetime(2025, 3, 15, 9),
        amount=amount, income=max(amount, 0), expense=max(-amount, 0), balance=None,
        biz_type=biz_type, remark=remark, order_no=order_no, **kw,
    )


# CONTRACTS "Alipay statement rows the demo generates": every shape -> its account.
CONTRACT_ROWS = [
    (row("在线支付", "", "T200P123", "100.00"), accounts.REVENUE, "sale"),
    (row("交易付款", "天猫佣金（类目）{123}扣款", "T200P123"), accounts.COMMISSION_RECEIVABLE, "other"),
    (row("交易付款", "天猫佣金（类目系统）{123}扣款", "T200P123"), accounts.COMMISSION_RECEIVABLE, "other"),
    (row("交易付款", "代扣返点积分123", "T200P123"), accounts.POINTS_RECEIVABLE, "other"),
    (row("交易付款", "代扣交易退回积分123", "T200P123", "0.50"), accounts.POINTS_RECEIVABLE, "other"),
    (row("交易付款", "天猫佣金（类目）{123}退款", "T200P123", "5.00"), accounts.COMMISSION_RECEIVABLE, "other"),
    (row("交易付款", "淘宝客佣金代扣款[123]"), accounts.TAOBAOKE_RECEIVABLE, "other"),
    (row("交易付款", "淘宝客佣金退款[123]", "", "1.00"), accounts.TAOBAOKE_RECEIVABLE, "other"),
    (row("收费", "信用卡支付服务费[99];淘宝交易号[T200P123]"), accounts.PAYMENT_FEE, "other"),
    (row("收费", "花呗支付服务费[99];淘宝交易号[T200P123]"), accounts.PAYMENT_FEE, "other"),
    (row("交易退款", "售后退款-1-T200P123", "T200P123"), accounts.REVENUE, "refund"),
    (row("提现", "提现到银行卡"), accounts.BANK, "other"),
    (row("交易付款", "技术服务费年费代扣2025"), accounts.ANNUAL_FEE_RECEIVABLE, "other"),
    (row("交易付款", "技术服务费年费返还2025", "", "10.00"), accounts.ANNUAL_FEE_RECEIVABLE, "other"),
    (row("交易付款", "基础软件服务费(123)扣款"), accounts.COMMISSION_RECEIVABLE, "other"),
    (row("交易付款", "代扣款（扣款用途：直通车自动充值-1）"), accounts.ZHITONGCHE_RECEIVABLE, "other"),
    (row("交易付款", "代扣款（扣款用途：钻展-1）"), accounts.ZUANZHAN_RECEIVABLE, "other"),
    (row("交易付款", "代扣款（扣款用途：聚划算-1）"), accounts.JUHUASUAN_RECEIVABLE, "other"),
    (row("转账", "天猫保证金-充值"), accounts.DEPOSIT, "other"),
    (row("转账", "天猫保证金-解冻", "", "5.00"), accounts.DEPOSIT, "other"),
    (row("交易付款", "保险承保-卖家版运费险保费收取"), accounts.SHIPPING_INSURANCE, "other"),
    (row("结息", "", "", "0.05"), accounts.INTEREST, "other"),
]


@pytest.mark.parametrize("statement_row, account, kind", CONTRACT_ROWS)
def test_default_rules_classify_every_demo_row_exactly_once(statement_row, account, kind):
    matched = load_rules().classify(statement_row)
    assert [(r.account, r.kind) for r in matched] == [(account, kind)]


@pytest.mark.parametrize(
    "statement_row",
    [
        row("交易付款", "", "T200P123", "-3.00"), row("其它", "神秘扣款"), row("在线支付", "", "", "9.00"),
        row("转账", "往来款", "", "50.00"), row("转账", "", "", "-50.00"),  # no catch-all for 转账
    ],
)
def test_rows_no_rule_knows(statement_row):
    assert load_rules().classify(statement_row) == []


def test_literal_prefixes_avoid_regexes():
    assert compile_test("天猫佣金（类目") == (("天猫佣金（类目", "天猫佣金(类目"), None)
    prefixes, regex = compile_test("代扣返点积分|代扣交易退回积分")
    assert prefixes == ("代扣返点积分", "代扣交易退回积分") and regex is None
    prefixes, regex = compile_test(r"售后退款-\d+")
    assert prefixes == ("售后退款-",) and regex.match("售后退款-1")
    assert compile_test("(?!天猫保证金-)")[0] is None
    assert compile_test("$") == (None, "")


def test_store_rules_override_extend_and_disable(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text(
        """
[[rule]]
name = "mystery"
biz_type = "其它"
remark = "神秘"
account = "COMPENSATION"

[[rule]]
name = "withdrawal"
biz_type = "提现"
account = "Assets:1002-银行存款:100201-工商银行"

[[rule]]
name = "interest"
disabled = true
""",
        encoding="utf-8",
    )
    rules = load_rules(store)
    assert [r.account for r in rules.classify(row("其它", "神秘扣款"))] == [accounts.COMPENSATION]
    assert [r.account for r in rules.classify(row("提现", "提现到银行卡"))] == [
        "Assets:1002-银行存款:100201-工商银行"
    ]
    assert rules.classify(row("结息", "", "", "0.05")) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[rule]]\nname = "x"\naccount = "NO_SUCH"\n', "unknown account 'NO_SUCH'"),
        ('[[rule]]\nname = "x"\naccount = "Assets:中文"\n', "not a valid Beancount account"),
        ('[[rule]]\nname = "x"\naccount = "BANK"\nremark = "("\n', "bad regex"),
        ('[[rule]]\nname = "x"\naccount = "BANK"\ndirection = "up"\n', "direction 'up'"),
        ('[[rule]]\nname = "x"\naccount = "BANK"\ncolour = "red"\n', "unknown keys"),
        ('[[rule]]\nname = "x"\naccount = "BANK"\ncounterparty = "("\n', "bad regex"),
        ('[[rule]]\nname = "x"\naccount = "BANK"\ndescription = 3\n', "is not a text"),
        ("[[rule]\n", "store.toml"),
    ],
)
def test_bad_rule_tables(tmp_path, text, message):
    store = tmp_path / "store.toml"
    store.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        load_rules(store)


def test_a_row_matching_two_rules_is_an_error(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text('[[rule]]\nname = "all-payments"\nbiz_type = "交易付款"\naccount = "SUSPENSE"\n', encoding="utf-8")
    importer = AlipayStatementImporter(rules=store)
    with pytest.raises(SourceError, match=r"statement_16col_gbk.csv:7: .* matches several rules: .*all-payments"):
        importer.extract_file(STATEMENT)


@pytest.mark.parametrize(
    "statement_row, tid",
    [
        (row("在线支付", "", "T200P1001"), "1001"),
        (row("收费", "信用卡支付服务费[2025031522001];淘宝交易号[T200P1002]"), "1002"),
        (row("交易付款", "天猫佣金（类目）{1003}扣款"), "1003"),
        (row("交易付款", "淘宝客佣金代扣款[1234567890123]"), "1234567890123"),
        (row("交易付款", "基础软件服务费(1234567890123)扣款"), "1234567890123"),
        (row("交易付款", "代扣返点积分1234567890123"), "1234567890123"),
        (row("其它", "x", base_order_no="555"), "555"),
        (row("提现", "提现到银行卡"), None),
    ],
)
def test_order_id(statement_row, tid):
    assert order_id(statement_row) == tid


@pytest.mark.parametrize(
    "text, masked",
    [
        ("13812341234", "138****1234"),
        ("张三", "张*"),
        ("欧阳小明", "欧***"),
        ("张三(13812341234)", "张*(138****1234)"),
        ("lisi@example.com", "li***@example.com"),
        ("浙江天猫技术有限公司", "浙江天猫技术有限公司"),
        ("", ""),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked


def _daily(**kw):
    return AlipayStatementImporter(**kw).extract_file(STATEMENT)


def test_daily_entries():
    result = _daily(orders=POINTS)
    txns = [e for e in result.entries if isinstance(e, data.Transaction)]
    balances = [e for e in result.entries if isinstance(e, data.Balance)]
    assert [t.date.day for t in txns] == [15, 16, 17]
    assert [(b.date.day, b.amount.number) for b in balances] == [
        (16, Decimal("284.40")), (17, Decimal("116.15")), (18, Decimal("93.30"))
    ]
    first = txns[0]
    assert first.meta["source"] == "alipay-statement"
    assert first.meta["alipay-first"] == "20250315200040011100123400000001"
    assert first.meta["alipay-last"] == "20250315200040011100123400000006"
    assert first.meta["rows"] == "6" and first.meta["sales"] == "2"
    assert first.meta["consumer-points"] == "2.50 CNY"
    assert txns[2].meta["consumer-points"] == "1.20 CNY"
    assert "consumer-points" not in txns[1].meta and "sales" not in txns[1].meta
    assert all(t.tags == {"tmall-sale"} for t in txns)
    assert first.postings[0].account == accounts.ALIPAY
    assert first.postings[0].units.number == Decimal("284.40")
    assert {p.account: p.units.number for p in first.postings}[accounts.REVENUE] == Decimal("-300.00")
    # 神秘扣款, and 转账 往来款: no rule may take a 转账 without evidence (no catch-all)
    assert [line for line, _ in result.unclassified] == [UNCLASSIFIED_LINE, UNCLASSIFIED_LINE + 4]
    assert {p.account: p.units.number for p in txns[1].postings}[accounts.SUSPENSE] == Decimal("1.00")


def test_daily_entry_keeps_refunds_apart_from_sales():
    """A day with sales and a refund to a buyer: two income postings, not one netted figure."""
    rows = [
        ("2025-03-15 09:00:00", "在线支付", "", "T200P2001", "300.00", "", ""),
        ("2025-03-15 10:00:00", "交易付款", "天猫佣金（类目）{2001}扣款", "T200P2001", "-15.00", "", ""),
        ("2025-03-15 11:00:00", "交易退款", "售后退款-1-T200P1999", "T200P1999", "-113.00", "", ""),
    ]
    result = AlipayStatementImporter().extract_file(alipay_samples.statement(rows=rows), name="s.csv")
    (txn,) = [e for e in result.entries if isinstance(e, data.Transaction)]
    income = [p.units.number for p in txn.postings if p.account == accounts.REVENUE]
    assert income == [Decimal("-300.00"), Decimal("113.00")]
    assert txn.meta["sales"] == "1" and txn.meta["refunds"] == "1"
    assert {p.account: p.units.number for p in txn.postings}[accounts.ALIPAY] == Decimal("172.00")


def _totals(entries):
    totals = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                totals[posting.account] += posting.units.number
    return dict(totals)


def test_per_row_and_daily_totals_are_equal():
    daily = _daily(orders=POINTS).entries
    per_row = AlipayStatementImporter(per_row=True, orders=POINTS).extract_file(STATEMENT).entries
    assert _totals(daily) == _totals(per_row)
    assert [b for b in daily if isinstance(b, data.Balance)] == [
        b for b in per_row if isinstance(b, data.Balance)
    ]
    def points(entries):
        return sum(A(e.meta["consumer-points"]).number for e in entries if "consumer-points" in e.meta)

    assert points(per_row) == points(daily) == Decimal("3.70")


def test_per_row_entries_carry_ids_and_masked_buyers():
    entries = AlipayStatementImporter(per_row=True).extract_file(STATEMENT).entries
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert len(txns) == 25
    sale = txns[0]
    assert sale.meta["alipay-serial"] == "20250315200040011100123400000001"
    assert sale.meta["order-id"] == "1001"
    assert sale.meta["counterparty"] == "138****1234"
    assert sale.tags == {"tmall-sale"}
    assert txns[1].tags == frozenset()
    assert txns[3].meta["order-id"] == "1001"  # from 淘宝交易号[T200P1001]
    unmasked = AlipayStatementImporter(per_row=True, mask=False).extract_file(STATEMENT).entries
    assert unmasked[0].meta["counterparty"] == "13812341234"


def test_new_family_payee_is_masked():
    entries = AlipayStatementImporter(per_row=True).extract_file(
        FIXTURES / "statement_new_family_utf8bom.csv"
    ).entries
    assert entries[0].payee == "张*"


def test_importing_twice_adds_nothing():
    first = _daily().entries
    again = AlipayStatementImporter().extract_file(STATEMENT, first)
    assert again.entries == [] and again.skipped == 25
    per_row = AlipayStatementImporter(per_row=True).extract_file(STATEMENT).entries
    assert AlipayStatementImporter(per_row=True).extract_file(STATEMENT, per_row).entries == []
    # Rows covered by daily entries are also known to a per-row import, and the reverse.
    assert AlipayStatementImporter(per_row=True).extract_file(STATEMENT, first).entries == []
    assert AlipayStatementImporter().extract_file(STATEMENT, per_row).entries == []


def test_overlapping_import_adds_only_new_days():
    first = _daily().entries
    day_one = [  # day 15 and its balance (dated 16)
        e for e in first if e.date == datetime.date(2025, 3, 15) or isinstance(e, data.Balance) and e.date.day == 16
    ]
    result = AlipayStatementImporter().extract_file(STATEMENT, day_one)
    txns = [e for e in result.entries if isinstance(e, data.Transaction)]
    balances = [e for e in result.entries if isinstance(e, data.Balance)]
    assert [t.date.day for t in txns] == [16, 17]
    assert [b.date.day for b in balances] == [17, 18]
    assert result.skipped == 6


def test_beangulp_interface():
    importer = AlipayStatementImporter()
    assert importer.identify(str(FIXTURES / "bill_20250318.zip"))
    assert importer.identify(str(STATEMENT))
    assert not importer.identify(str(FIXTURES / "orders_gbk.csv"))
    assert importer.account(str(STATEMENT)) == accounts.ALIPAY
    entries = importer.extract(str(FIXTURES / "bill_20250318.zip"), [])
    # The adoption of the statement's account, 3 days, 2 balances, and the note of its warnings.
    assert [type(e).__name__ for e in entries] == ["Note", *["Transaction", "Balance"] * 3, "Note"]


def _ledger(entries, open_date=datetime.date(2025, 1, 1)) -> str:
    """main.beancount text without plugins, followed by the printed entries."""
    main = main_text("测试", open_date, plugins=False)
    out = io.StringIO()
    printer.print_entries(entries, file=out)
    return main + "\n" + out.getvalue()


@pytest.mark.parametrize("per_row", [False, True])
@pytest.mark.parametrize("name", ["statement_16col_gbk.csv", "statement_new_family_utf8bom.csv"])
def test_imported_entries_pass_bean_check(name, per_row):
    entries = AlipayStatementImporter(per_row=per_row, orders=POINTS).extract_file(FIXTURES / name).entries
    loaded, errors, _ = loader.load_string(_ledger(entries))
    assert errors == []
    assert sum(isinstance(e, data.Balance) for e in loaded) == 3


def test_balance_assertions_catch_a_ledger_that_differs():
    entries = _daily().entries
    entries = [e for e in entries if not (isinstance(e, data.Transaction) and e.date.day == 16)]
    _, errors, _ = loader.load_string(_ledger(entries))
    assert len(errors) == 2 and all("Balance failed" in e.message for e in errors)


def test_progress_is_reported():
    seen = []
    AlipayStatementImporter().extract_file(STATEMENT, progress=lambda done, total: seen.append((done, total)))
    size = STATEMENT.stat().st_size
    assert seen[-1] == (size, size)


def test_the_demo_statement_is_fully_classified_and_checks(tmp_path):
    generate = pytest.importorskip("beancount_tmall.demo.generate")
    path = tmp_path / "statement.csv"
    generate.generate_statement_file(path, orders_per_day=5, days=45)
    result = AlipayStatementImporter().extract_file(path)
    assert result.unclassified == []
    first = next(iter(AlipayStatement(path)))
    opening = f"""
2024-12-31 * "期初余额"
  {accounts.ALIPAY}  {first.balance - first.amount} CNY
  {accounts.PAID_IN_CAPITAL}
"""
    _, errors, _ = loader.load_string(_ledger(result.entries, datetime.date(2024, 12, 31)) + opening)
    assert errors == [], errors[:3]


def test_archive_path_is_account_and_statement_end_date():
    """beangulp's archive files a statement under its account, dated its last day."""
    from beangulp import archive

    importer = AlipayStatementImporter()
    assert importer.date(str(STATEMENT)) == datetime.date(2025, 3, 17)  # 终止日期 03-18 00:00:00
    assert archive.filepath(importer, str(STATEMENT)) == (
        "Assets/1012-其他货币资金/101201-支付宝/2025-03-17.statement_16col_gbk.csv"
    )


# --- reviewer's findings ---------------------------------------------------------------------

CROSS_BIZ_TYPES = ("转账", "交易付款", "其它", "提现", "收费", "交易退款", "结息")
REMARK_RULES = {"after-sale-refund", "commission", "software-fee", "tmall-points", "taobaoke",
                "payment-fee", "annual-fee", "zhitongche", "zuanzhan", "juhuasuan", "deposit",
                "shipping-insurance"}


@pytest.mark.parametrize("biz_type", CROSS_BIZ_TYPES)
def test_every_contract_row_under_any_biz_type_matches_at_most_one_rule(biz_type):
    """转账 + 售后退款-…, 转账 + 淘宝客佣金退款[…], 提现 + 天猫保证金-解冻 … never stop the import;
    a rule for the 备注 wins over the catch-all of the 业务类型."""
    rules = load_rules()
    for statement_row, account, kind in CONTRACT_ROWS:
        moved = row(biz_type, statement_row.remark, statement_row.order_no, str(statement_row.amount))
        matched = rules.classify(moved)
        assert len(matched) <= 1, (biz_type, statement_row.remark, [r.name for r in matched])
        (own,) = rules.classify(statement_row)
        if own.name in REMARK_RULES:
            assert [(r.account, r.kind) for r in matched] == [(account, kind)], (biz_type, moved.remark)


@pytest.mark.parametrize(
    "biz_type, remark, account",
    [
        ("转账", "售后退款-1-T200P1002", accounts.REVENUE),
        ("转账", "淘宝客佣金退款[1002]", accounts.TAOBAOKE_RECEIVABLE),
        ("提现", "天猫保证金-解冻", accounts.DEPOSIT),
        ("交易退款", "天猫佣金（类目）{1002}退款", accounts.COMMISSION_RECEIVABLE),
    ],
)
def test_plausible_rows_of_two_rules_import(biz_type, remark, account):
    rows = [("2025-03-15 09:01:02", biz_type, remark, "", "-50.00", "", "")]
    result = AlipayStatementImporter().extract_file(alipay_samples.statement(rows=rows), name="x.csv")
    (txn,) = [e for e in result.entries if isinstance(e, data.Transaction)]
    assert [p.account for p in txn.postings] == [accounts.ALIPAY, account]


def test_priority_is_validated_and_ties_are_still_errors(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text('[[rule]]\nname = "x"\naccount = "BANK"\npriority = "high"\n', encoding="utf-8")
    with pytest.raises(RuleError, match="priority 'high' is not an integer"):
        load_rules(store)
    store.write_text(
        '[[rule]]\nname = "mine"\nbiz_type = "提现"\npriority = -4\naccount = "COMPENSATION"\n',
        encoding="utf-8",
    )
    matched = load_rules(store).classify(row("提现", "提现到银行卡"))
    assert sorted(r.name for r in matched) == ["mine", "withdrawal"]  # same priority: ambiguous


def _serials(entries):
    return [
        (e.date.day, e.meta["alipay-first"][-2:], e.meta["alipay-last"][-2:])
        for e in entries if isinstance(e, data.Transaction)
    ]


@pytest.mark.parametrize("balance_column", [True, False])
def test_newest_first_file_has_ascending_serial_ranges_and_reimports_nothing(balance_column):
    oldest_first = AlipayStatementImporter().extract_file(STATEMENT).entries
    source = alipay_samples.statement(newest_first=True, balance_column=balance_column)
    entries = AlipayStatementImporter().extract_file(source, name="desc.csv").entries
    assert _serials(entries) == _serials(oldest_first) == [(15, "01", "06"), (16, "07", "12"), (17, "13", "25")]
    again = AlipayStatementImporter().extract_file(source, entries, name="desc.csv")
    assert again.entries == [] and again.skipped == 25


def test_a_reversed_range_of_an_older_ledger_still_dedups():
    entries = AlipayStatementImporter().extract_file(STATEMENT).entries
    reversed_ = [
        e._replace(meta={**e.meta, "alipay-first": e.meta["alipay-last"], "alipay-last": e.meta["alipay-first"]})
        if isinstance(e, data.Transaction) else e
        for e in entries
    ]
    again = AlipayStatementImporter().extract_file(STATEMENT, reversed_)
    assert again.entries == [] and again.skipped == 25


def _split_files():
    """03-15 cut at noon: file A holds its morning (rows 1-4), file B the rest (rows 5-25)."""
    a = alipay_samples.statement(
        rows=ROWS_A, period=("2025年03月15日 00:00:00", "2025年03月15日 12:00:00"),
        exported="2025年03月15日 12:30:00",
    )
    b = alipay_samples.statement(
        rows=ROWS_B, first=5, opening=Decimal("94.40"),
        period=("2025年03月15日 12:00:00", "2025年03月18日 00:00:00"),
    )
    return a, b


ROWS_A, ROWS_B = alipay_samples.ROWS[:4], alipay_samples.ROWS[4:]


def _balances(entries):
    return [(e.date.day, e.amount.number) for e in entries if isinstance(e, data.Balance)]


def test_a_day_split_across_two_downloads_gets_its_true_balance():
    a, b = _split_files()
    first = AlipayStatementImporter().extract_file(a, name="a.csv").entries
    assert _balances(first) == []  # A stops at 12:00: 03-15's closing balance is not in it
    second = AlipayStatementImporter().extract_file(b, first, name="b.csv").entries
    assert _balances(second) == [(16, Decimal("284.40")), (17, Decimal("116.15")), (18, Decimal("93.30"))]
    assert _serials(first) + _serials(second) == [
        (15, "01", "04"), (15, "05", "06"), (16, "07", "12"), (17, "13", "25")
    ]
    loaded, errors, _ = loader.load_string(_ledger(first + second))
    assert errors == []


def test_an_existing_balance_of_another_amount_is_still_written():
    entries = _daily().entries
    wrong = [
        e._replace(amount=A("94.40 CNY")) if isinstance(e, data.Balance) and e.date.day == 16 else e
        for e in entries
    ]
    again = AlipayStatementImporter().extract_file(STATEMENT, wrong).entries
    assert _balances(again) == [(16, Decimal("284.40"))]  # bean-check then shows the conflict


@pytest.mark.parametrize(
    "period, exported, days",
    [
        (("2025年03月15日 00:00:00", "2025年03月18日 00:00:00"), "2025年03月18日 10:00:00", [16, 17, 18]),
        (("2025年03月15日 00:00:00", "2025年03月17日 23:59:59"), "2025年03月18日 10:00:00", [16, 17, 18]),
        (("2025年03月15日 00:00:00", "2025年03月17日 18:00:00"), "2025年03月18日 10:00:00", [16, 17]),
        (("2025年03月15日 00:00:00", "2025年03月31日 00:00:00"), "2025年03月17日 18:00:00", [16, 17]),
        ((), "2025年03月18日 10:00:00", [16, 17]),  # no banner dates: the last day is not known
    ],
)
def test_latest_day_balance_only_when_the_file_covers_it_to_midnight(period, exported, days):
    source = alipay_samples.statement(period=period, exported=exported)
    for per_row in (False, True):
        entries = AlipayStatementImporter(per_row=per_row).extract_file(source, name="s.csv").entries
        assert [day for day, _ in _balances(entries)] == days


@pytest.mark.parametrize(
    "newest_first, line, message",
    [
        (False, 14, "2025-03-16 after 2025-03-17"),  # row 9 (03-16) after row 8 (now 03-17)
        (True, 18, "2025-03-17 after 2025-03-16"),  # listed 25..1: row 13 after row 14 (now 03-16)
    ],
)
def test_rows_out_of_date_order_are_an_error(newest_first, line, message):
    rows = list(alipay_samples.ROWS)
    rows[7], rows[13] = rows[13], rows[7]  # a 03-17 row among the 03-16 ones
    source = alipay_samples.statement(rows=rows, newest_first=newest_first)
    with pytest.raises(SourceError, match=rf"s.csv:{line}: .*排在.*rows are not in date order: {message}"):
        AlipayStatementImporter().extract_file(source, name="s.csv")


def test_rows_of_another_alipay_account_are_not_taken_as_known():
    other = "Assets:1012-其他货币资金:101202-支付宝二"
    first = AlipayStatementImporter().extract_file(STATEMENT).entries
    second = AlipayStatementImporter(account=other).extract_file(STATEMENT, first)
    assert second.skipped == 0
    assert sum(isinstance(e, data.Transaction) for e in second.entries) == 3
    assert {e.account for e in second.entries if isinstance(e, data.Balance)} == {other}


def test_a_zip_with_two_statements_is_an_error(tmp_path):
    zipped = tmp_path / "bill.zip"
    zipped.write_bytes(alipay_samples.bill_zip(extra=(("20885012345678900156_20250319_账务明细.csv",
                                                      alipay_samples.statement()),)))
    importer = AlipayStatementImporter()
    assert importer.identify(str(zipped))
    with pytest.raises(SourceError, match=r"bill.zip: 压缩包中有 2 个账务明细条目.*2 账务明细 entries in the zip: .*unzip them"):
        importer.extract_file(zipped)


@pytest.mark.parametrize(
    "statement_row, tid",
    [
        (row("收费", "信用卡支付服务费[2025031522001];淘宝交易号[T200P]"), None),  # cut
        (row("收费", "花呗支付服务费[2025031722009]"), None),  # the fee's own bill number
        (row("收费", "花呗支付服务费[2025031722009]", base_order_no="1003"), "1003"),
        (row("交易付款", "天猫佣金（类目）【1234567890123】扣款"), "1234567890123"),
        (row("交易付款", "淘宝客佣金代扣款［1234567890123］"), "1234567890123"),
        (row("交易付款", "基础软件服务费｛1234567890123｝扣款"), "1234567890123"),
        (row("在线支付", "", "T200P"), None),
    ],
)
def test_order_id_of_odd_remarks(statement_row, tid):
    assert order_id(statement_row) == tid


@pytest.mark.parametrize(
    "text, masked",
    [
        ("迪丽热巴·迪力木拉提", "迪*********"),
        ("爱新觉罗·启星", "爱******"),
        ("上海某某贸易商行", "上海某某贸易商行"),
        ("某某茶叶工作室", "某某茶叶工作室"),
        ("某某五金经营部", "某某五金经营部"),
        ("某某服装厂", "某某服装厂"),
    ],
)
def test_mask_whole_names_and_businesses(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text, masked",
    [
        ("转账 退款给欧阳娜娜-13812345678", "转账 退款给欧***-138****5678"),
        ("转账 转账给zhangsan@163.com", "转账 转账给zh***@163.com"),
        ("转账 退款给买家", "转账 退款给买家"),
        ("收费 信用卡支付服务费[2025031522001];淘宝交易号[T200P1001]",
         "收费 信用卡支付服务费[2025031522001];淘宝交易号[T200P1001]"),
        ("交易退款 售后退款-1-T200P13812345678", "交易退款 售后退款-1-T200P13812345678"),
    ],
)
def test_mask_narration(text, masked):
    assert mask_narration(text) == masked


def test_per_row_narration_is_masked():
    rows = [("2025-03-15 09:01:02", "转账", "退款给欧阳娜娜-13812345678", "", "-50.00", "", "")]
    source = alipay_samples.statement(rows=rows)
    (txn,) = [
        e for e in AlipayStatementImporter(per_row=True).extract_file(source, name="s.csv").entries
        if isinstance(e, data.Transaction)
    ]
    assert txn.narration == "转账 退款给欧***-138****5678"
    (plain,) = [
        e for e in AlipayStatementImporter(per_row=True, mask=False).extract_file(source, name="s.csv").entries
        if isinstance(e, data.Transaction)
    ]
    assert plain.narration == "转账 退款给欧阳娜娜-13812345678"


def test_unclassified_rows_are_reported_with_the_configured_suspense_account():
    suspense = "Assets:1221-其他应收款:122198-待查"
    result = AlipayStatementImporter(suspense=suspense).extract_file(STATEMENT)
    out = io.StringIO()
    report_unclassified(result, out)
    n = len(result.review)
    assert f"{n} 行记入待核对 {suspense}（分录标记 !），请逐行核对后改记正确科目: 第 {UNCLASSIFIED_LINE}" in out.getvalue()
    assert accounts.SUSPENSE not in out.getvalue()


def test_serial_range_is_the_smallest_and_largest_serial_of_the_day():
    """Not the first and last in file order: serials of a day may come in any order."""
    source = alipay_samples.statement()
    s1, s3, s6 = (str(alipay_samples.BASE_SERIAL + n).encode() for n in (1, 3, 6))
    swapped = source.replace(s1, b"X").replace(s3, s1).replace(b"X", s3)  # 03, 02, 01, 04, 05, 06
    (first, *_) = _serials(AlipayStatementImporter().extract_file(swapped, name="s.csv").entries)
    assert first == (15, "01", "06")
    odd = swapped.replace(s6, b"99")  # another width: compared as a number, the day's smallest
    entries = AlipayStatementImporter().extract_file(odd, name="s.csv").entries
    day = next(e for e in entries if isinstance(e, data.Transaction))
    assert (day.meta["alipay-first"], day.meta["alipay-last"][-2:]) == ("99", "05")
    assert AlipayStatementImporter().extract_file(odd, entries, name="s.csv").entries == []


def test_deduplicate_marks_a_balance_only_with_the_same_amount():
    from beangulp.extract import DUPLICATE

    importer = AlipayStatementImporter()
    entries = importer.extract_file(STATEMENT).entries
    existing = [
        e._replace(amount=A("1.00 CNY")) if isinstance(e, data.Balance) and e.date.day == 18 else e
        for e in entries
    ]
    marked = list(entries)
    importer.deduplicate(marked, existing)
    assert [(e.date.day, type(e).__name__) for e in marked if not e.meta.get(DUPLICATE)] == [(18, "Balance")]


# --- issue 7: exact dedup per account, account mapping, opening balance, rows to review -----

ACCOUNT_ID = "20885012345678900156"
SECOND = "Assets:1012-其他货币资金:101202-支付宝二"
DAY = ("2025年03月15日 00:00:00", "2025年03月16日 00:00:00")
MORNING = ("2025年03月15日 00:00:00", "2025年03月15日 12:00:00")


def _swap(source: bytes, a: int, b: int) -> bytes:
    """``source`` with the serials of rows ``a`` and ``b`` exchanged (serials not following time)."""
    sa, sb = (str(alipay_samples.BASE_SERIAL + n).encode() for n in (a, b))
    return source.replace(sa, b"X").replace(sb, sa).replace(b"X", sb)


def _day_files(swap=(3, 6)):
    """03-15 downloaded twice: its morning (rows 1-4) and the whole day (rows 1-6); serials of
    rows 3 and 6 exchanged, so the afternoon row 3's serial lies inside the morning's range."""
    morning = alipay_samples.statement(rows=ROWS[:4], period=MORNING, exported="2025年03月15日 12:30:00")
    whole = alipay_samples.statement(rows=ROWS[:6], period=DAY)
    if swap:
        morning, whole = _swap(morning, *swap), _swap(whole, *swap)
    return morning, whole


ROWS = alipay_samples.ROWS


def _txns(entries):
    return [e for e in entries if isinstance(e, data.Transaction) and "rows" in e.meta]


def _net(entries, account=accounts.ALIPAY):
    return sum(
        (p.units.number for e in entries if isinstance(e, data.Transaction) for p in e.postings
         if p.account == account and OPENING_TAG not in e.tags),
        Decimal(0),
    )


def test_a_later_download_of_a_day_adds_exactly_the_rows_not_yet_there():
    """The issue's loss: the whole day's new rows have serials inside the morning's range."""
    morning, whole = _day_files()
    first = AlipayStatementImporter().extract_file(morning, [], name="morning.csv")
    assert [t.meta["rows"] for t in _txns(first.entries)] == ["4"]
    assert _txns(first.entries)[0].meta["alipay-last"].endswith("06")  # serial 06 is in the morning
    second = AlipayStatementImporter().extract_file(whole, first.entries, name="whole.csv")
    assert second.skipped == 4
    (new,) = _txns(second.entries)
    assert (new.meta["rows"], new.meta["alipay-from"], new.meta["alipay-to"]) == ("2", "12:00:00", "12:00:01")
    # Every row of the day once: the two entries add up to the day of a single import.
    alone = AlipayStatementImporter().extract_file(whole, [], name="whole.csv")
    assert _net(first.entries + second.entries) == _net(alone.entries) == Decimal("284.40")
    loaded, errors, _ = loader.load_string(_ledger(first.entries + second.entries))
    assert errors == []


@pytest.mark.parametrize("swap", [None, (3, 6), (1, 6), (4, 5)])
def test_overlapping_downloads_in_any_order_import_each_row_once(swap):
    morning, whole = _day_files(swap)
    importer = AlipayStatementImporter()
    for order in ((morning, whole), (whole, morning), (whole, whole), (morning, morning, whole)):
        ledger: list = []
        for n, source in enumerate(order):
            ledger += importer.extract_file(source, ledger, name=f"f{n}.csv").entries
        assert _net(ledger) == Decimal("284.40")
        assert sum(int(t.meta["rows"]) for t in _txns(ledger)) == 6


def test_the_digest_is_the_exact_set_of_serials():
    whole = alipay_samples.statement(rows=ROWS[:6], period=DAY)
    (day,) = _txns(AlipayStatementImporter().extract_file(whole, name="d.csv").entries)
    serials = [str(alipay_samples.BASE_SERIAL + n) for n in range(1, 7)]
    assert day.meta["alipay-digest"] == serial_digest(serials) == serial_digest(reversed(serials))
    assert serial_digest(serials[:3]) != serial_digest(serials[3:])


def test_a_file_that_disagrees_with_an_imported_window_is_refused():
    whole = alipay_samples.statement(rows=ROWS[:6], period=DAY)
    first = AlipayStatementImporter().extract_file(whole, [], name="whole.csv").entries
    # The same count in the window but another serial: not the rows the ledger holds.
    other = whole.replace(str(alipay_samples.BASE_SERIAL + 2).encode(), b"20250315200040011100123499999999")
    with pytest.raises(SourceError) as refused:
        AlipayStatementImporter().extract_file(other, first, name="other.csv")
    message = str(refused.value)
    assert message.startswith("other.csv:6: 2025-03-15 09:01:02–12:00:01 的行与账簿中已导入的条目 whole.csv:6 不一致")
    assert "笔数同为 6 但流水号不同" in message
    # The ledger says 7 rows where the file has 6.
    seven = [e._replace(meta={**e.meta, "rows": "7"}) if e in _txns(first) else e for e in first]
    with pytest.raises(SourceError, match="本文件在该时段有 6 行，账簿条目记有 7 行"):
        AlipayStatementImporter().extract_file(whole, seven, name="again.csv")


def _old_style(entries):
    """Entries as the importer before issue 7 wrote them (a serial range only)."""
    drop = ("alipay-from", "alipay-to", "alipay-digest")
    return [
        e._replace(meta={k: v for k, v in e.meta.items() if k not in drop}) if isinstance(e, data.Transaction) else e
        for e in entries
    ]


def test_entries_of_the_older_importer_cover_their_whole_day_verified_by_count():
    old = _old_style(_daily().entries)
    again = AlipayStatementImporter().extract_file(STATEMENT, old)
    assert again.entries == [] and again.skipped == 25
    morning, whole = _day_files(swap=None)
    old_morning = _old_style(AlipayStatementImporter().extract_file(morning, [], name="m.csv").entries)
    with pytest.raises(SourceError, match="本文件在该时段有 6 行，账簿条目记有 4 行"):
        AlipayStatementImporter().extract_file(whole, old_morning, name="w.csv")


def test_two_entries_of_one_day_and_the_whole_day_again():
    morning, whole = _day_files()
    afternoon = alipay_samples.statement(
        rows=ROWS[4:6], first=5, opening=Decimal("94.40"),
        period=("2025年03月15日 12:00:00", "2025年03月16日 00:00:00"),
    )
    afternoon = _swap(afternoon, 3, 6)
    ledger = AlipayStatementImporter().extract_file(morning, [], name="m.csv").entries
    ledger += AlipayStatementImporter().extract_file(afternoon, ledger, name="a.csv").entries
    assert [t.meta["rows"] for t in _txns(ledger)] == ["4", "2"]
    again = AlipayStatementImporter().extract_file(whole, ledger, name="w.csv")
    assert again.skipped == 6 and _txns(again.entries) == []


def _open(account, *ids, date="2025-01-01"):
    meta = "".join(f'\n  alipay-account: "{i}"' for i in ids)
    return f"{date} open {account} CNY{meta}\n"


def _load(text):
    entries, errors, _ = loader.load_string(text)
    assert errors == [], errors
    return entries


def _of_account(source: bytes, account_id: str) -> bytes:
    return source.replace(ACCOUNT_ID.encode(), account_id.encode())


def test_a_second_accounts_rows_are_not_taken_for_the_firsts():
    ledger = _load(_open(accounts.ALIPAY, ACCOUNT_ID) + _open(SECOND, "2088999999999999")
                   + _open(accounts.PAID_IN_CAPITAL))
    importer = AlipayStatementImporter()
    first = importer.extract_file(STATEMENT, ledger)
    assert first.account == accounts.ALIPAY and not first.adopt
    # The second account's statement: the same serials (they are per account), rows not dropped.
    other = _of_account(alipay_samples.statement(), "2088999999999999")
    second = importer.extract_file(other, ledger + first.entries, name="other.csv")
    assert second.account == SECOND and second.skipped == 0
    assert {p.account for t in _txns(second.entries) for p in t.postings[:1]} == {SECOND}
    assert {b.account for b in second.entries if isinstance(b, data.Balance)} == {SECOND}
    assert _net(second.entries, SECOND) == _net(first.entries)


def test_a_statement_of_an_account_not_mapped_is_refused():
    ledger = _load(_open(accounts.ALIPAY, ACCOUNT_ID))
    other = _of_account(alipay_samples.statement(), "2088777777777777")
    with pytest.raises(SourceError) as refused:
        AlipayStatementImporter().extract_file(other, ledger, name="other.csv")
    message = str(refused.value)
    assert message.startswith("other.csv: 支付宝账号 2088777777777777")
    assert '未映射到科目' in message and 'alipay-account: "2088777777777777"' in message
    # Mapped by the importer's ``accounts`` (import.py / Fava) it is booked there.
    mapped = AlipayStatementImporter(accounts={"2088777777777777": SECOND}).extract_file(other, ledger, name="o.csv")
    assert mapped.account == SECOND


def test_resolve_account():
    class Statement:
        path = "s.csv"
        account_name = "某店"

        def __init__(self, account):
            self.account = account

    mapped = _load(_open(accounts.ALIPAY, ACCOUNT_ID))
    two = mapped + _load(_open(SECOND, "b@example.com"))
    assert resolve_account(Statement(ACCOUNT_ID), mapped) == (accounts.ALIPAY, False)
    assert resolve_account(Statement(None), mapped) == (accounts.ALIPAY, False)
    assert resolve_account(Statement("b@example.com"), two) == (SECOND, False)
    assert resolve_account(Statement(ACCOUNT_ID), [], {ACCOUNT_ID: SECOND}) == (SECOND, False)
    assert resolve_account(Statement(ACCOUNT_ID), []) == (accounts.ALIPAY, True)  # adopted
    assert resolve_account(Statement(ACCOUNT_ID), None) == (accounts.ALIPAY, False)  # no ledger
    assert resolve_account(Statement(None), []) == (accounts.ALIPAY, False)
    with pytest.raises(SourceError, match="s.csv: 文件没有 #账号 行"):
        resolve_account(Statement(None), two)
    with pytest.raises(SourceError, match="支付宝账号 2088000000000000 .*未映射"):
        resolve_account(Statement("2088000000000000"), two)


def test_the_first_statement_of_a_new_ledger_adopts_its_account():
    result = AlipayStatementImporter().extract_file(STATEMENT, [])
    assert result.adopt == adopt_account_directive(ACCOUNT_ID, accounts.ALIPAY, datetime.date(2025, 3, 15))
    assert result.adopt.startswith("; 支付宝账号 20885012345678900156 的账务明细记入")
    adopted = _load(result.adopt)
    assert [(e.type, [v.value for v in e.values]) for e in adopted] == [
        ("tmall-alipay-account", [ACCOUNT_ID, accounts.ALIPAY])
    ]
    ledger = adopted + result.entries
    assert AlipayStatementImporter().extract_file(STATEMENT, ledger).adopt is None
    other = _of_account(alipay_samples.statement(), "2088777777777777")
    with pytest.raises(SourceError, match="2088777777777777 .*未映射"):
        AlipayStatementImporter().extract_file(other, ledger, name="other.csv")
    # Fava cannot save a custom directive: its extract gives the adoption as a note with metadata.
    note = AlipayStatementImporter().extract(str(STATEMENT), [])[0]
    assert isinstance(note, data.Note) and note.meta["alipay-account"] == ACCOUNT_ID
    assert account_map([note]) == {ACCOUNT_ID: accounts.ALIPAY}


OPENING_SOURCE = dict(rows=ROWS[:6], period=DAY, opening=Decimal("1000.00"))


@pytest.mark.parametrize("newest_first", [False, True])
def test_the_first_import_writes_the_opening_balance(newest_first):
    source = alipay_samples.statement(newest_first=newest_first, **OPENING_SOURCE)
    result = AlipayStatementImporter().extract_file(source, [], name="s.csv")
    opening = result.opening
    assert opening in result.entries
    assert (opening.date, opening.flag, opening.tags) == (datetime.date(2025, 3, 15), "!", {"opening"})
    assert [(p.account, p.units) for p in opening.postings] == [
        (accounts.ALIPAY, A("1000.00 CNY")), (accounts.PAID_IN_CAPITAL, A("-1000.00 CNY"))
    ]
    assert opening.meta["source"] == "alipay-statement"
    assert opening.meta["lineno"] == (11 if newest_first else 6)  # the oldest row
    assert opening == opening_entry(accounts.ALIPAY, opening.date, A("1000.00 CNY"), "s.csv", opening.meta["lineno"])
    text = format_entry(opening)
    assert text.startswith(OPENING_COMMENT) and "tmall-books init --opening FILE" in text
    (message,) = [m for m in warnings(result) if "期初余额" in m]
    assert "1000.00 CNY" in message
    # A new ledger is green on the first try: the balance assertions hold.
    main = main_text("测试", datetime.date(2025, 1, 1), plugins=False)
    out = io.StringIO()
    print_entries(result.entries, out)
    _, errors, _ = loader.load_string(main + "\n" + result.adopt + out.getvalue())
    assert errors == []


@pytest.mark.parametrize(
    "history",
    [
        "2025-03-01 balance Assets:1012-其他货币资金:101201-支付宝  1000.00 CNY\n",
        "2025-03-01 pad Assets:1012-其他货币资金:101201-支付宝 Equity:4001-实收资本\n",
        '2025-03-01 * "期初"\n  Assets:1012-其他货币资金:101201-支付宝  1000.00 CNY\n  Equity:4001-实收资本\n',
    ],
)
def test_no_opening_entry_when_the_ledger_has_the_accounts_history(history):
    source = alipay_samples.statement(**OPENING_SOURCE)
    ledger, _, _ = beancount_parser.parse_string(_open(accounts.ALIPAY) + _open(accounts.PAID_IN_CAPITAL) + history)
    assert AlipayStatementImporter().extract_file(source, ledger, name="s.csv").opening is None
    # Nor without a ledger (``existing=None``: the statement read alone).
    assert AlipayStatementImporter().extract_file(source, name="s.csv").opening is None


TWO_TO_REVIEW = [*ROWS[:6], ("2025-03-15 13:00:00", "其它", "退款给张三-13912345678", "", "-2.00", "", "")]


@pytest.mark.parametrize("per_row", [False, True])
def test_rows_to_review_are_one_posting_each_with_where_they_come_from(per_row):
    rows = [*TWO_TO_REVIEW, ("2025-03-15 14:00:00", "其它", "神秘扣款", "", "-1.00", "", "")]
    source = alipay_samples.statement(rows=rows, period=DAY)
    result = AlipayStatementImporter(per_row=per_row).extract_file(source, name="r.csv")
    postings = [
        (t.flag, p) for t in result.entries if isinstance(t, data.Transaction)
        for p in t.postings if p.account == accounts.SUSPENSE
    ]
    assert [(flag, p.units, p.meta) for flag, p in postings] == [
        ("!", A("2.00 CNY"), {"source-file": "r.csv", "source-line": "12", "memo": "其它 退款给张*-139****5678",
                              "alipay-serial": str(alipay_samples.BASE_SERIAL + 7)}),
        ("!", A("1.00 CNY"), {"source-file": "r.csv", "source-line": "13", "memo": "其它 神秘扣款",
                              "alipay-serial": str(alipay_samples.BASE_SERIAL + 8)}),
    ]
    assert [line for line, _ in result.review] == [12, 13]
    out = io.StringIO()
    report(result, out)
    assert "r.csv: 2 行记入待核对 Assets:1221-其他应收款:122199-待核对（分录标记 !）" in out.getvalue()
    assert "第 12, 13 行" in out.getvalue()
    if not per_row:  # the day's other entries are not flagged
        assert [t.flag for t in _txns(result.entries)] == ["!"]
        days = _txns(_daily().entries)
        assert [t.flag for t in days] == [
            "!" if any(p.account == accounts.SUSPENSE for p in t.postings) else "*" for t in days
        ]
        assert days[0].flag == "*" and days[1].flag == "!"  # 03-16 holds the 神秘扣款 row


class _CapturingRule:
    """A rule of the table with ``captures`` (the rules branch adds it to ``Rule``)."""

    def __init__(self, rule, pattern):
        self._rule, self._pattern = rule, re.compile(pattern)

    def __getattr__(self, name):
        return getattr(self._rule, name)

    def captures(self, row):
        m = self._pattern.search(row.remark)
        return {k.replace("_", "-"): v for k, v in m.groupdict().items() if v} if m else {}


class _CapturingTable:
    def __init__(self, table, pattern):
        self._table, self._pattern, self._wrapped = table, pattern, {}

    def classify(self, row):
        return [
            self._wrapped.setdefault(id(r), _CapturingRule(r, self._pattern))
            if r.account == accounts.ANNUAL_FEE_RECEIVABLE else r
            for r in self._table.classify(row)
        ]


@pytest.mark.parametrize("per_row", [False, True])
def test_postings_of_different_captures_are_kept_apart(per_row):
    """A 年费 deduction of 2025 and a refund of 2024 on one day: two postings, each its fee-year."""
    importer = AlipayStatementImporter(per_row=per_row)
    importer.rules = _CapturingTable(importer.rules, r"(?P<fee_year>20\d\d)$")
    entries = importer.extract_file(STATEMENT).entries
    fees = [
        (p.units, p.meta) for t in entries if isinstance(t, data.Transaction)
        for p in t.postings if p.account == accounts.ANNUAL_FEE_RECEIVABLE
    ]
    assert sorted(fees, key=str) == [(A("-10.00 CNY"), {"fee-year": "2024"}), (A("100.00 CNY"), {"fee-year": "2025"})]
    # Without captures the day nets them, as before.
    importer = AlipayStatementImporter()
    importer.rules = _CapturingTable(importer.rules, r"(?P<fee_year>$^)")  # captures nothing
    plain = [
        p.units for t in importer.extract_file(STATEMENT).entries if isinstance(t, data.Transaction)
        for p in t.postings if p.account == accounts.ANNUAL_FEE_RECEIVABLE
    ]
    assert plain == [A("90.00 CNY")]


def test_a_file_without_footer_says_so(monkeypatch):
    assert all("footer" not in t.meta for t in _txns(_daily().entries))

    class NoFooter(AlipayStatement):
        def __iter__(self):
            yield from super().__iter__()
            self.has_footer = False

    monkeypatch.setattr(alipay_importer, "AlipayStatement", NoFooter)
    result = AlipayStatementImporter().extract_file(STATEMENT)
    assert {t.meta["footer"] for t in _txns(result.entries)} == {"无合计行"}
    assert any("没有 #…合计 行，只按余额链逐行核对" in m for m in warnings(result))


def test_the_beangulp_path_shows_the_warnings_as_a_note():
    """Fava's import page shows no stderr: the warnings come as a note among the entries."""
    from beangulp.extract import extract_from_file
    from fava.core.ingest import WrappedImporter
    from fava.core.ingest import extract_from_file as fava_extract_from_file

    source = alipay_samples.statement(rows=TWO_TO_REVIEW, period=DAY, opening=Decimal("1000.00"))
    for fava in (False, True):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "s.csv"
            path.write_bytes(source)
            if fava:
                entries = fava_extract_from_file(WrappedImporter(AlipayStatementImporter()), path, [])
            else:
                entries = extract_from_file(AlipayStatementImporter(), str(path), [])
        notes = [e for e in entries if isinstance(e, data.Note) and "alipay-account" not in e.meta]
        (note,) = notes
        assert note.account == accounts.SUSPENSE and note.date == datetime.date(2025, 3, 16)
        assert "1 行记入待核对" in note.comment and "第 12 行" in note.comment
        assert "写入期初余额分录" in note.comment
    assert warning_note(AlipayStatementImporter().extract_file(STATEMENT, _daily().entries)) is None


def test_per_row_texts_are_masked_and_order_ids_are_never_phone_numbers():
    rows = [("2025-03-15 09:00:00", "转账", "退款给王店生-13912345678", "", "-1.00", "138 1234 5678", "赵六")]
    source = alipay_samples.statement(rows=rows, period=DAY)
    (txn,) = [e for e in AlipayStatementImporter(per_row=True).extract_file(source, name="p.csv").entries
              if isinstance(e, data.Transaction)]
    text = printer.format_entry(txn)
    assert "13912345678" not in text and "赵六" not in text
    assert "order-id" not in txn.meta or "1391234" not in txn.meta["order-id"]


@pytest.mark.parametrize("per_row", [False, True])
def test_the_importer_never_writes_a_non_finite_amount(monkeypatch, per_row):
    """Even if a row with ``Infinity`` got past the parser, nothing prints ``Infinity CNY``."""
    import dataclasses

    class Infinite(AlipayStatement):
        def __iter__(self):
            for n, r in enumerate(super().__iter__()):
                yield dataclasses.replace(r, amount=Decimal("Infinity")) if n == 2 else r

    monkeypatch.setattr(alipay_importer, "AlipayStatement", Infinite)
    with pytest.raises(SourceError, match="statement_16col_gbk.csv:(6|8): .*不是有限的数"):
        AlipayStatementImporter(per_row=per_row).extract_file(STATEMENT)


def test_two_different_downloads_of_a_day_in_one_beangulp_run_are_flagged(tmp_path):
    from beangulp.extract import DUPLICATE

    morning, whole = _day_files()
    importer = AlipayStatementImporter()
    first = importer.extract_file(morning, [], name="m.csv").entries
    second = importer.extract_file(whole, [], name="w.csv").entries  # beangulp: the ledger only
    importer.deduplicate(second, first)
    (day,) = _txns(second)
    assert day.flag == "!" and day.meta["alipay-overlap"] == "m.csv:6"
    assert day.narration.startswith("【与 m.csv:6 的条目时段重叠，勿保存")
    same = importer.extract_file(whole, [], name="w2.csv").entries
    importer.deduplicate(same, second)
    assert all(e.meta.get(DUPLICATE) for e in same)  # the same download twice: duplicates


def test_one_beangulp_run_of_two_statements_opens_the_account_once():
    from beangulp.extract import DUPLICATE

    morning, whole = _day_files()
    later = alipay_samples.statement(
        rows=ROWS[6:12], first=7, opening=Decimal("284.40"),
        period=("2025年03月16日 00:00:00", "2025年03月17日 00:00:00"),
    )
    importer = AlipayStatementImporter()
    first = importer.extract_file(whole, [], name="w.csv").entries
    second = importer.extract_file(later, [], name="l.csv").entries  # beangulp: the ledger only
    assert any(is_opening(e) for e in second)
    importer.deduplicate(second, first)
    assert [e.meta.get(DUPLICATE, False) for e in second if is_opening(e)] == [True]
    assert not any(e.meta.get(DUPLICATE) for e in second if not is_opening(e))


def test_beangulp_files_a_mapped_statement_under_its_account():
    assert AlipayStatementImporter(accounts={ACCOUNT_ID: SECOND}).account(str(STATEMENT)) == SECOND
    assert AlipayStatementImporter(accounts={"2088000000000000": SECOND}).account(str(STATEMENT)) == accounts.ALIPAY


# --- property: overlapping downloads of any shape import every row exactly once -----------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _download(rows, serials, start, end, opening) -> bytes:
    """A statement of ``rows`` (time, amount) with the given serials, period ``start``..``end``."""
    fmt = "%Y年%m月%d日 %H:%M:%S"
    lines = alipay_samples.banner(start=f"{start:{fmt}}", end=f"{end:{fmt}}") + [alipay_samples.HEADER_12]
    balance = opening
    for (time, amount), serial in zip(rows, serials, strict=True):
        balance += amount
        income = f"{amount:.2f}" if amount >= 0 else ""
        expense = f"{-amount:.2f}" if amount < 0 else ""
        lines.append(",".join([serial, "", "", "", f"{time:%Y-%m-%d %H:%M:%S}", "", income, expense,
                               f"{balance:.2f}", "", "提现" if amount < 0 else "结息", ""]))
    table = [(None, None, None, None, f"{a}") for _, a in rows]
    lines += alipay_samples.footer(table, exported=f"{end:{fmt}}")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def _opened(amount: str = "0.00") -> list:
    """A ledger opened from a 期初余额表 on 2025-03-01 (``init --opening``): its Alipay account has
    history, so no import writes an opening entry and downloads may come in any order."""
    return [data.Transaction(
        data.new_metadata("main.beancount", 1), datetime.date(2025, 3, 1), "*", "期初余额", "期初余额表",
        frozenset({OPENING_TAG}), data.EMPTY_SET,
        [data.Posting(accounts.ALIPAY, A(f"{amount} CNY"), None, None, None, None),
         data.Posting("Equity:4001-实收资本", A(f"-{amount} CNY"), None, None, None, None)],
    )]


@st.composite
def _downloads(draw):
    """Rows of two days at distinct seconds, serials in any order, and 2-3 downloads, each a
    contiguous time span (cut between rows or at midnight)."""
    n = draw(st.integers(3, 14))
    seconds = sorted(draw(st.lists(st.integers(0, 2 * 86400 - 1), min_size=n, max_size=n, unique=True)))
    base = datetime.datetime(2025, 3, 15)
    times = [base + datetime.timedelta(seconds=s) for s in seconds]
    amounts = [Decimal(draw(st.integers(-500, 500))) / 100 or Decimal("0.01") for _ in range(n)]
    order = draw(st.permutations(range(n)))
    serials = [str(alipay_samples.BASE_SERIAL + 100 + k) for k in order]
    cuts = [base, base + datetime.timedelta(days=1), base + datetime.timedelta(days=2)]
    cuts += [t + datetime.timedelta(seconds=1) for t in times[:-1]]  # just after a row
    spans = []
    for _ in range(draw(st.integers(2, 3))):
        a, b = sorted(draw(st.lists(st.sampled_from(sorted(set(cuts))), min_size=2, max_size=2, unique=True)))
        spans.append((a, b))
    return times, amounts, serials, spans


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_downloads())
def test_any_overlapping_downloads_import_every_row_once(case):
    times, amounts, serials, spans = case
    importer = AlipayStatementImporter()
    # Opened from a 期初余额表 before the rows (as init --opening does): downloads may then come
    # in any order. (An opening an import wrote from a later download's first balance refuses
    # earlier rows: tests/test_issue7_acceptance.py.)
    ledger: list = _opened()
    seen: set[int] = set()
    for k, (start, end) in enumerate(spans):
        idx = [i for i, t in enumerate(times) if start <= t < end]
        if not idx:
            continue
        opening = sum(amounts[: idx[0]], Decimal(0))
        source = _download([(times[i], amounts[i]) for i in idx], [serials[i] for i in idx], start, end, opening)
        result = importer.extract_file(source, ledger, name=f"d{k}.csv")
        ledger += result.entries
        seen.update(idx)
        assert result.rows == len(idx)
    txns = [e for e in ledger if isinstance(e, data.Transaction) and "rows" in e.meta]
    assert sum(int(t.meta["rows"]) for t in txns) == len(seen)
    assert _net(ledger) == sum((amounts[i] for i in seen), Decimal(0))


def test_new_rows_around_an_imported_window_make_one_entry_per_gap():
    """A download of 09:01:03–09:01:04 first, then the whole day: the rows before and after the
    imported window become two entries, so that the windows of a day never overlap and each is
    checked exactly (count and digest) by any later download."""
    middle = alipay_samples.statement(
        rows=ROWS[1:3], first=2, opening=Decimal("100.00"),
        period=("2025年03月15日 09:01:03", "2025年03月15日 09:01:05"), exported="2025年03月15日 09:01:05",
    )
    whole = alipay_samples.statement(rows=ROWS[:6], period=DAY)
    ledger = _opened("100.00")
    ledger += AlipayStatementImporter().extract_file(middle, ledger, name="m.csv").entries
    result = AlipayStatementImporter().extract_file(whole, ledger, name="w.csv")
    assert result.skipped == 2
    windows = [(t.meta["alipay-from"], t.meta["alipay-to"], t.meta["rows"]) for t in _txns(result.entries)]
    assert windows == [("09:01:02", "09:01:02", "1"), ("09:01:05", "12:00:01", "3")]
    ledger += result.entries
    assert _net(ledger) == Decimal("284.40")
    again = AlipayStatementImporter().extract_file(whole, ledger, name="again.csv")
    assert again.skipped == 6 and _txns(again.entries) == []
    # A row taken out of the last window's entry (its digest no longer the file's) is caught.
    (last,) = [t for t in _txns(ledger) if t.meta["alipay-from"] == "09:01:05"]
    edited = [t._replace(meta={**t.meta, "alipay-digest": "0" * 16}) if t is last else t for t in ledger]
    with pytest.raises(SourceError, match="09:01:05–12:00:01 的行与账簿中已导入的条目 w.csv:9 不一致：笔数同为 3 但流水号不同"):
        AlipayStatementImporter().extract_file(whole, edited, name="again.csv")
