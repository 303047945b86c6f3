"""The invoices plugin: 其他应收款 deducted per month == invoiced for that period; year-end 计提."""

import datetime
import unittest
from decimal import Decimal

from beancount import loader
from beancount.core import data
from beancount.parser import cmptest
from conftest import load_doc_with_chart

from beancount_tmall import accounts
from beancount_tmall.plugins import invoices
from beancount_tmall.plugins.invoices import MonthStatus, reconcile


def test_ledger_accounts_are_the_packages():
    # The test ledgers below spell the accounts out; keep them in step with accounts.py.
    assert accounts.COMMISSION_RECEIVABLE == "Assets:1221-其他应收款:122101-天猫佣金"
    assert accounts.POINTS_RECEIVABLE == "Assets:1221-其他应收款:122102-天猫积分"
    assert accounts.TAOBAOKE_RECEIVABLE == "Assets:1221-其他应收款:122103-淘宝客佣金"
    assert accounts.COMMISSION_EXPENSE == "Expenses:6601-销售费用:660101-天猫佣金"
    assert accounts.POINTS_EXPENSE == "Expenses:6601-销售费用:660102-天猫积分"
    assert accounts.TAOBAOKE_EXPENSE == "Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客"
    assert accounts.INPUT_VAT == "Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额"


def balance(entries, account, year):
    return sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction) and e.date.year == year
            for p in e.postings
            if p.account == account
        ),
        Decimal(0),
    )


def expense_of(entry):
    (number,) = [p.units.number for p in entry.postings if p.account.startswith("Expenses:")]
    return number


class TestInvoices(cmptest.TestCase):
    @loader.load_doc()
    def test_compact_invoice_is_completed_and_matches(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660102-天猫积分
        2025-01-01 open Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "佣金 积分"
          Assets:1221-其他应收款:122101-天猫佣金      5000.00 CNY
          Assets:1221-其他应收款:122102-天猫积分       100.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2025-03-28 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金       650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        ; 代扣交易退回积分: a give-back reduces what was deducted in March.
        2025-03-29 * "支付宝" "代扣交易退回积分"
          Assets:1221-其他应收款:122102-天猫积分       -20.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2025-03-30 * "支付宝" "淘宝客佣金代扣款"
          Assets:1221-其他应收款:122103-淘宝客佣金     106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
          invoice-no: "25332000000012345678"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

        2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫积分发票" #invoice
          invoice-no: "25332000000012345679"
          period: "2025-03"
          Assets:1221-其他应收款:122102-天猫积分     -80.00 CNY

        ; Full form: left as written.
        2025-04-12 * "阿里妈妈" "2025-03 淘宝客发票" #invoice
          invoice-no: "25332000000012345680"
          period: "2025-03"
          Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客          100.01 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额        5.99 CNY
          Assets:1221-其他应收款:122103-淘宝客佣金                          -106.00 CNY

        2025-05-31 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
              Expenses:6601-销售费用:660101-天猫佣金                          5330.19 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额     319.81 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         -5650.00 CNY

            2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫积分发票" #invoice
              Expenses:6601-销售费用:660102-天猫积分                            75.47 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额       4.53 CNY
              Assets:1221-其他应收款:122102-天猫积分                           -80.00 CNY

            2025-04-12 * "阿里妈妈" "2025-03 淘宝客发票" #invoice
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客          100.01 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额        5.99 CNY
              Assets:1221-其他应收款:122103-淘宝客佣金                          -106.00 CNY
            """,
            entries,
        )
        rows = reconcile(entries)
        assert [(r.name, r.month, r.deducted, r.invoiced, r.status) for r in rows] == [
            ("天猫佣金", "2025-03", Decimal("5650.00"), Decimal("5650.00"), "matched"),
            ("天猫积分", "2025-03", Decimal("80.00"), Decimal("80.00"), "matched"),
            ("淘宝客佣金", "2025-03", Decimal("106.00"), Decimal("106.00"), "matched"),
        ]
        (invoice,) = [e for e in entries if e.meta.get("invoice-no") == "25332000000012345678"]
        assert all(p.meta["invoice-split"] is True for p in invoice.postings[:2])

    @loader.load_doc(expect_errors=True)
    def test_mismatch_after_due_day(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
          invoice-no: "1"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -5600.00 CNY

        2025-04-16 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        (error,) = errors
        assert "Assets:1221-其他应收款:122101-天猫佣金" in error.message
        assert "2025-03" in error.message
        assert "扣款 5650.00 CNY" in error.message
        assert "已开票 5600.00 CNY" in error.message
        assert "差额 50.00 CNY" in error.message
        assert error.source["lineno"] > 0

    @loader.load_doc(expect_errors=True)
    def test_before_due_partial_is_awaiting_but_over_invoiced_is_an_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660102-天猫积分
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "佣金 积分"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1221-其他应收款:122102-天猫积分       100.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        ; 软件服务费 invoiced apart: the rest may still come before the due day.
        2025-04-09 * "浙江天猫技术有限公司" "2025-03 软件服务费发票" #invoice
          invoice-no: "1"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -650.00 CNY

        2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫积分发票" #invoice
          invoice-no: "2"
          period: "2025-03"
          Assets:1221-其他应收款:122102-天猫积分   -120.00 CNY
        """
        (error,) = errors
        assert "天猫积分" in error.message and "已开票 120.00 CNY" in error.message
        statuses = {r.name: r.status for r in reconcile(entries)}
        assert statuses == {"天猫佣金": "awaiting invoice", "天猫积分": "mismatch"}

    @loader.load_doc(expect_errors=True)
    def test_overdue(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金

        2025-03-15 * "支付宝" "淘宝客佣金代扣款"
          Assets:1221-其他应收款:122103-淘宝客佣金      200.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-16 * "支付宝" "淘宝客佣金代扣款"
          Assets:1221-其他应收款:122103-淘宝客佣金      300.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        """
        # March was due on 04-10 + 5 days of grace; April is not due yet.
        (error,) = errors
        assert "淘宝客佣金" in error.message and "2025-03" in error.message
        assert "扣款 200.00 CNY, 截至开票截止日 2025-04-15 仍无发票" in error.message
        assert error.entry.date == datetime.date(2025, 3, 15)
        assert [(r.month, r.status, r.due) for r in reconcile(entries)] == [
            ("2025-03", "overdue", datetime.date(2025, 4, 15)),
            ("2025-04", "awaiting invoice", datetime.date(2025, 5, 15)),
        ]
        # Judged at an earlier day, March is only awaiting.
        assert reconcile(entries, today=datetime.date(2025, 4, 15))[0].status == "awaiting invoice"

    @loader.load_doc(expect_errors=True)
    def test_grace_days_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices" "{'grace_days': 0}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金

        2025-03-15 * "支付宝" "淘宝客佣金代扣款"
          Assets:1221-其他应收款:122103-淘宝客佣金      200.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-11 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        (error,) = errors
        assert "2025-04-10" in error.message

    @loader.load_doc(expect_errors=True)
    def test_invoice_for_a_month_with_no_deductions(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-03-20 * "浙江天猫技术有限公司" "period written wrong" #invoice
          invoice-no: "1"
          period: "2025-02"
          Assets:1221-其他应收款:122101-天猫佣金   -106.00 CNY
        """
        (error,) = errors
        assert "2025-02" in error.message and "但当月没有扣款" in error.message
        assert error.entry.meta["invoice-no"] == "1"
        assert {r.month: r.status for r in reconcile(entries)} == {
            "2025-02": "no-deductions",
            "2025-03": "awaiting invoice",
        }

    @loader.load_doc(expect_errors=True)
    def test_invoice_no_missing_or_twice_and_period_missing(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      318.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-01 * "浙江天猫技术有限公司" "no number" #invoice
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -106.00 CNY

        2025-04-02 * "浙江天猫技术有限公司" "first" #invoice
          invoice-no: "777"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -106.00 CNY

        2025-04-03 * "浙江天猫技术有限公司" "again" #invoice
          invoice-no: "777"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -106.00 CNY

        2025-04-04 * "浙江天猫技术有限公司" "no period" #invoice
          invoice-no: "778"
          Assets:1221-其他应收款:122101-天猫佣金     0.00 CNY
        """
        messages = sorted(e.message for e in errors)
        assert len(errors) == 3, messages
        assert any("缺少发票号码" in m and "2025-04-01" in m for m in messages)
        (twice,) = [e for e in errors if "发票号码 777 重复" in e.message]
        assert "777" in twice.message and twice.entry.narration == "again"
        assert "<string>:" in twice.message  # names where the first one is
        assert any("所属期间 period 缺失" in m for m in messages)

    @loader.load_doc()
    def test_rounding(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.invoices" "{'receivables': {'Assets:1221-其他应收款:122103-淘宝客佣金': {'vat_rate': '0.6'}}}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-03-15 * "支付宝" "fees"
          Assets:1221-其他应收款:122101-天猫佣金       0.09 CNY
          Assets:1221-其他应收款:122103-淘宝客佣金     0.04 CNY
          Assets:1012-其他货币资金:101201-支付宝

        ; 0.09 / 1.06 = 0.0849 -> 0.08, VAT 0.0051 -> 0.01.
        2025-04-01 * "浙江天猫技术有限公司" "佣金" #invoice
          invoice-no: "1"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -0.09 CNY

        ; At 60%: 0.04 / 1.6 = 0.025 and 0.015, both ties; the extra cent comes off the larger part.
        2025-04-01 * "阿里妈妈" "淘宝客" #invoice
          invoice-no: "2"
          period: "2025-03"
          Assets:1221-其他应收款:122103-淘宝客佣金  -0.04 CNY
        """
        self.assertIncludesEntries(
            """
            2025-04-01 * "浙江天猫技术有限公司" "佣金" #invoice
              Expenses:6601-销售费用:660101-天猫佣金                           0.08 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额      0.01 CNY
              Assets:1221-其他应收款:122101-天猫佣金                          -0.09 CNY

            2025-04-01 * "阿里妈妈" "淘宝客" #invoice
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客          0.02 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额      0.02 CNY
              Assets:1221-其他应收款:122103-淘宝客佣金                        -0.04 CNY
            """,
            entries,
        )

    @loader.load_doc(expect_errors=True)
    def test_bad_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices" "{'grace': 3, 'vat_rate': 'six', 'accrue_basis': 'half'}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        """
        messages = " ".join(e.message for e in errors)
        assert "'grace'" in messages and "vat_rate" in messages and "accrue_basis" in messages


class TestYearEnd(cmptest.TestCase):
    @loader.load_doc()
    def test_accrual_and_reversal_across_years(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额
        2025-01-01 open Liabilities:2221-应交税费:222103-待认证进项税额

        2025-11-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      1060.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2025-12-10 * "浙江天猫技术有限公司" "2025-11 天猫佣金发票" #invoice
          invoice-no: "11"
          period: "2025-11"
          Assets:1221-其他应收款:122101-天猫佣金   -1060.00 CNY

        2025-12-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2026-01-09 * "浙江天猫技术有限公司" "2025-12 天猫佣金发票" #invoice
          invoice-no: "12"
          period: "2025-12"
          Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

        2026-01-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金       212.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2026-02-09 * "浙江天猫技术有限公司" "2026-01 天猫佣金发票" #invoice
          invoice-no: "13"
          period: "2026-01"
          Assets:1221-其他应收款:122101-天猫佣金    -212.00 CNY
        2026-02-28 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-12-31 * "天猫佣金 2025-12 年末计提" #accrual ^accrual-122101-2025
              period: "2025-12"
              Expenses:6601-销售费用:660101-天猫佣金    5330.19 CNY
              Liabilities:2221-应交税费:222103-待认证进项税额    319.81 CNY
              Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

            2026-01-01 * "天猫佣金 2025-12 计提冲回" #accrual ^accrual-122101-2025
              period: "2025-12"
              Assets:1221-其他应收款:122101-天猫佣金    5650.00 CNY
              Liabilities:2221-应交税费:222103-待认证进项税额   -319.81 CNY
              Expenses:6601-销售费用:660101-天猫佣金   -5330.19 CNY
            """,
            entries,
        )
        assert len([e for e in entries if "accrual" in getattr(e, "tags", ())]) == 2
        # Each year carries its own expense: 2025 = Nov + Dec net of VAT; 2026 only January's.
        expense = accounts.COMMISSION_EXPENSE
        assert balance(entries, expense, 2025) == Decimal("1000.00") + Decimal("5330.19")
        assert balance(entries, expense, 2026) == Decimal("200.00")
        # The whole deduction leaves 其他应收款 at the year end; its VAT waits in 待认证进项税额
        # (the invoice makes it 进项税额 in January).
        receivable = accounts.COMMISSION_RECEIVABLE
        assert balance(entries, receivable, 2025) == 0
        assert balance(entries, receivable, 2026) == 0
        assert balance(entries, accounts.UNCERTIFIED_INPUT_VAT, 2025) == Decimal("319.81")
        assert balance(entries, accounts.UNCERTIFIED_INPUT_VAT, 2026) == Decimal("-319.81")
        rows = reconcile(entries, "{'accrue': True}")
        assert [(r.month, r.status, r.accrued) for r in rows] == [
            ("2025-11", "matched", Decimal(0)),
            ("2025-12", "accrued", Decimal("5650.00")),
            ("2026-01", "matched", Decimal(0)),
        ]

    @loader.load_doc()
    def test_idempotent_and_gross_basis(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True, 'accrue_basis': 'gross'}"
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True, 'accrue_basis': 'gross'}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金
        2025-01-01 open Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额

        2025-12-15 * "支付宝" "淘宝客佣金代扣款"
          Assets:1221-其他应收款:122103-淘宝客佣金      106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2026-01-09 * "阿里妈妈" "2025-12 淘宝客发票" #invoice
          invoice-no: "1"
          period: "2025-12"
          Assets:1221-其他应收款:122103-淘宝客佣金   -106.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-12-31 * "淘宝客佣金 2025-12 年末计提" #accrual ^accrual-122103-2025
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客    106.00 CNY
              Assets:1221-其他应收款:122103-淘宝客佣金                  -106.00 CNY

            2026-01-01 * "淘宝客佣金 2025-12 计提冲回" #accrual ^accrual-122103-2025
              Assets:1221-其他应收款:122103-淘宝客佣金                   106.00 CNY
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客   -106.00 CNY

            2026-01-09 * "阿里妈妈" "2025-12 淘宝客发票" #invoice
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客    100.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额    6.00 CNY
              Assets:1221-其他应收款:122103-淘宝客佣金                  -106.00 CNY
            """,
            entries,
        )
        assert len([e for e in entries if isinstance(e, data.Transaction)]) == 4
        (invoice,) = [e for e in entries if "invoice" in getattr(e, "tags", ())]
        assert len(invoice.postings) == 3

    @loader.load_doc(expect_errors=True)
    def test_unaccrued_year_end_is_an_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金

        2025-12-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-12-31 * "支付宝" "year end"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        (error,) = errors
        assert "2025 年的扣款至 2025-12-31 未开票也未计提" in error.message
        assert "2025-12 5650.00 CNY" in error.message
        assert not [e for e in entries if "accrual" in getattr(e, "tags", ())]

    @loader.load_doc()
    def test_hand_written_accrual_is_accepted(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金
        2025-01-01 open Liabilities:2221-应交税费:222103-待认证进项税额

        2025-12-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-12-31 * "12月佣金计提" #accrual
          Expenses:6601-销售费用:660101-天猫佣金    5330.19 CNY
          Liabilities:2221-应交税费:222103-待认证进项税额    319.81 CNY
          Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

        2026-01-01 * "冲回" #accrual
          Assets:1221-其他应收款:122101-天猫佣金    5650.00 CNY
          Liabilities:2221-应交税费:222103-待认证进项税额   -319.81 CNY
          Expenses:6601-销售费用:660101-天猫佣金   -5330.19 CNY
        2026-01-05 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        assert len([e for e in entries if "accrual" in getattr(e, "tags", ())]) == 2
        (row,) = reconcile(entries)
        assert (row.month, row.status, row.accrued) == ("2025-12", "accrued", Decimal("5650.00"))

    @loader.load_doc(expect_errors=True)
    def test_hand_written_accrual_with_wrong_amount(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Expenses:6601-销售费用:660101-天猫佣金

        2025-12-15 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-12-31 * "12月佣金计提" #accrual
          Expenses:6601-销售费用:660101-天猫佣金    5000.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金   -5000.00 CNY
        2026-01-05 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        (error,) = errors
        assert "年末计提贷记其他应收款 5000.00 CNY, 应为 5650.00 CNY" in error.message
        # Not duplicated by the plugin.
        assert len([e for e in entries if "accrual" in getattr(e, "tags", ())]) == 1

    @loader.load_doc()
    def test_multi_year_multi_month_accrues_every_uninvoiced_month(self, entries, _, options):
        """
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True, 'grace_days': 30}"

        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2024-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2024-01-01 open Expenses:6601-销售费用:660102-天猫积分
        2024-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额
        2024-01-01 open Liabilities:2221-应交税费:222103-待认证进项税额

        2024-11-20 * "支付宝" "积分"
          Assets:1221-其他应收款:122102-天猫积分      10.60 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2024-12-20 * "支付宝" "积分"
          Assets:1221-其他应收款:122102-天猫积分      21.20 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2025-01-05 * "天猫" "2024-11 积分发票" #invoice
          invoice-no: "a"
          period: "2024-11"
          Assets:1221-其他应收款:122102-天猫积分     -10.60 CNY
        2025-01-06 * "天猫" "2024-12 积分发票" #invoice
          invoice-no: "b"
          period: "2024-12"
          Assets:1221-其他应收款:122102-天猫积分     -21.20 CNY
        2025-12-20 * "支付宝" "积分"
          Assets:1221-其他应收款:122102-天猫积分      31.80 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2026-01-05 * "支付宝" "later"
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        0.00 CNY
        """
        accruals = sorted(
            (e.date.isoformat(), e.meta["period"], sorted(e.links), expense_of(e))
            for e in entries
            if "accrual" in getattr(e, "tags", ())
        )
        assert accruals == [
            ("2024-12-31", "2024-11", ["accrual-122102-2024"], Decimal("10.00")),
            ("2024-12-31", "2024-12", ["accrual-122102-2024"], Decimal("20.00")),
            ("2025-01-01", "2024-11", ["accrual-122102-2024"], Decimal("-10.00")),
            ("2025-01-01", "2024-12", ["accrual-122102-2024"], Decimal("-20.00")),
            ("2025-12-31", "2025-12", ["accrual-122102-2025"], Decimal("30.00")),
            ("2026-01-01", "2025-12", ["accrual-122102-2025"], Decimal("-30.00")),
        ]
        assert invoices.plugin_config(options) == "{'accrue': True, 'grace_days': 30}"
        rows = reconcile(entries, invoices.plugin_config(options))
        assert all(isinstance(r, MonthStatus) for r in rows)
        assert [(r.month, r.status) for r in rows] == [
            ("2024-11", "accrued"),
            ("2024-12", "accrued"),
            ("2025-12", "accrued"),
        ]
        assert [r.outstanding for r in rows] == [0, 0, Decimal("31.80")]


class TestPluginOrder(cmptest.TestCase):
    @load_doc_with_chart(expect_errors=True)
    def test_sales_listed_after_invoices_is_one_clear_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.sales"

        ; hand-written: the sales plugin estimates 565.00 commission and 56.50 points
        2025-03-15 * "天猫" "订单 3321" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY

        2025-04-09 * "浙江天猫技术有限公司" "3月佣金发票" #invoice
          invoice-no: "26332000000012345678"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -565.00 CNY

        2025-04-10 * "浙江天猫技术有限公司" "3月积分发票" #invoice
          invoice-no: "26332000000012345679"
          period: "2025-03"
          Assets:1221-其他应收款:122102-天猫积分   -56.50 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        message = errors[0].message
        self.assertIn(
            '请把 plugin "beancount_tmall.plugins.sales" 写在 plugin "beancount_tmall.plugins.invoices" 之前',
            message,
        )
        self.assertNotIn("没有扣款", message)
        # compact invoices are still completed (they balance)
        invoice = next(e for e in entries if isinstance(e, data.Transaction) and e.narration == "3月佣金发票")
        self.assertEqual(len(invoice.postings), 3)

    @load_doc_with_chart()
    def test_sales_first_then_twice_is_fine(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"

        2025-03-15 * "天猫" "订单 3321" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY

        2025-04-09 * "浙江天猫技术有限公司" "3月佣金发票" #invoice
          invoice-no: "26332000000012345678"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -565.00 CNY

        2025-04-10 * "浙江天猫技术有限公司" "3月积分发票" #invoice
          invoice-no: "26332000000012345679"
          period: "2025-03"
          Assets:1221-其他应收款:122102-天猫积分   -56.50 CNY
        """
        statuses = {(r.name, r.status) for r in reconcile(entries)}
        self.assertEqual(statuses, {("天猫佣金", "matched"), ("天猫积分", "matched")})


def test_read_config_merges_receivables():
    config, errors = invoices.read_config(
        "{'receivables': {'Assets:1221-其他应收款:122102-天猫积分': None,"
        " 'Assets:1221-其他应收款:122103-淘宝客佣金': {'vat_rate': '0.03'}}}"
    )
    assert not errors
    receivables = config["receivables"]
    assert accounts.POINTS_RECEIVABLE not in receivables
    assert receivables[accounts.TAOBAOKE_RECEIVABLE].vat_rate == Decimal("0.03")
    assert receivables[accounts.TAOBAOKE_RECEIVABLE].expense == accounts.TAOBAOKE_EXPENSE
    assert receivables[accounts.COMMISSION_RECEIVABLE].vat_rate == Decimal("0.06")
    assert receivables[accounts.COMMISSION_RECEIVABLE].code == "122101"
    assert len(receivables) == 5
    # A report may pass a dict (even with Decimal values) instead of the string.
    config, errors = invoices.read_config({"vat_rate": Decimal("0.03"), "grace_days": 0})
    assert not errors and config["receivables"][accounts.COMMISSION_RECEIVABLE].vat_rate == Decimal(
        "0.03"
    )


if __name__ == "__main__":
    unittest.main()


class TestPostingPeriods(cmptest.TestCase):
    @load_doc_with_chart()
    def test_one_invoice_for_two_months_keeps_each_lines_period(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.invoices"

        2025-02-10 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        2025-03-10 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      212.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "浙江天猫技术有限公司" "2025-02/03 天猫佣金发票" #invoice
          invoice-no: "25332000000012345678"
          Assets:1221-其他应收款:122101-天猫佣金   -106.00 CNY
            period: "2025-02"
          Assets:1221-其他应收款:122101-天猫佣金   -212.00 CNY
            period: "2025-03"
        """
        (invoice,) = [e for e in entries if "invoice" in getattr(e, "tags", ())]
        periods = {
            (p.account, p.units.number): p.meta.get("period")
            for p in invoice.postings
            if not p.account.startswith("Assets:")
        }
        self.assertEqual(
            periods,
            {
                (accounts.COMMISSION_EXPENSE, Decimal("100.00")): "2025-02",
                (accounts.INPUT_VAT, Decimal("6.00")): "2025-02",
                (accounts.COMMISSION_EXPENSE, Decimal("200.00")): "2025-03",
                (accounts.INPUT_VAT, Decimal("12.00")): "2025-03",
            },
        )
