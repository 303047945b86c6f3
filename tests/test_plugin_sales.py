"""The sales plugin: 主营业务收入 split into revenue + 销项税额, fee estimates, rate check."""

import doctest
import unittest
from decimal import Decimal

from beancount import loader
from beancount.core import data
from beancount.parser import cmptest
from conftest import load_doc_with_chart

from beancount_tmall import accounts
from beancount_tmall.plugins import _common, sales


def postings_by_account(entries, narration):
    (txn,) = [e for e in entries if isinstance(e, data.Transaction) and e.narration == narration]
    return {p.account: p for p in txn.postings}


def test_ledger_accounts_are_the_packages():
    # The test ledgers below spell the accounts out; keep them in step with accounts.py.
    assert accounts.ALIPAY == "Assets:1012-其他货币资金:101201-支付宝"
    assert accounts.COMMISSION_RECEIVABLE == "Assets:1221-其他应收款:122101-天猫佣金"
    assert accounts.POINTS_RECEIVABLE == "Assets:1221-其他应收款:122102-天猫积分"
    assert accounts.PAYMENT_FEE == "Expenses:6603-财务费用:660301-支付手续费"
    assert accounts.REVENUE == "Income:6001-主营业务收入"
    assert accounts.OUTPUT_VAT == "Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额"


def test_common_doctests():
    assert doctest.testmod(_common).failed == 0


def test_common_rounding_half_up_and_remainder_on_largest():
    D = Decimal
    assert _common.round_cents(D("0.005")) == D("0.01")
    assert _common.round_cents(D("-0.005")) == D("-0.01")
    assert _common.round_cents(D("0.015")) == D("0.02")  # not banker's rounding
    assert _common.split_inclusive(D("11300.00"), D("0.13")) == (D("10000.00"), D("1300.00"))
    # 0.04 / 1.6 = 0.025 and 0.015: both round up, the extra cent comes off the larger part.
    assert _common.split_inclusive(D("0.04"), D("0.6")) == (D("0.02"), D("0.02"))
    assert _common.split_total(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]
    assert _common.add_months("2025-12", 1) == "2026-01"
    assert _common.add_months("2025-01", -1) == "2024-12"
    assert str(_common.due_date("2025-12", 10, 5)) == "2026-01-15"


class TestSales(cmptest.TestCase):
    @loader.load_doc()
    def test_worked_example(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Expenses:6603-财务费用:660301-支付手续费
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "天猫" "订单 3321" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "订单 3321" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       10678.50 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         565.00 CNY
              Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
            """,
            entries,
        )
        by_account = postings_by_account(entries, "订单 3321")
        assert by_account[accounts.COMMISSION_RECEIVABLE].meta["estimated"] is True
        assert by_account[accounts.POINTS_RECEIVABLE].meta["estimated"] is True
        assert "estimated" not in by_account[accounts.ALIPAY].meta
        assert by_account[accounts.REVENUE].meta["vat-split"] is True
        assert by_account[accounts.OUTPUT_VAT].meta["vat-split"] is True

    @loader.load_doc()
    def test_card_fee_and_category_rates(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales" "{'category_rates': {'食品': '0.02', '家电': {'points': '0.01', 'card_fee': '0.006'}}}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Expenses:6603-财务费用:660301-支付手续费
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "天猫" "信用卡" #tmall-sale
          card-paid: 1000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY

        2025-03-16 * "天猫" "食品" #tmall-sale
          category: "食品"
          Assets:1012-其他货币资金:101201-支付宝         1130.00 CNY
          Income:6001-主营业务收入                      -1130.00 CNY

        2025-03-17 * "天猫" "家电" #tmall-sale
          category: "家电"
          card-paid: 500.00
          Assets:1012-其他货币资金:101201-支付宝         1130.00 CNY
          Income:6001-主营业务收入                      -1130.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "信用卡" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       10668.50 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         565.00 CNY
              Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
              Expenses:6603-财务费用:660301-支付手续费                        10.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY

            2025-03-16 * "天猫" "食品" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                        1101.75 CNY
              Assets:1221-其他应收款:122101-天猫佣金                          22.60 CNY
              Assets:1221-其他应收款:122102-天猫积分                           5.65 CNY
              Income:6001-主营业务收入                                    -1000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -130.00 CNY

            2025-03-17 * "天猫" "家电" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                        1059.20 CNY
              Assets:1221-其他应收款:122101-天猫佣金                          56.50 CNY
              Assets:1221-其他应收款:122102-天猫积分                          11.30 CNY
              Expenses:6603-财务费用:660301-支付手续费                         3.00 CNY
              Income:6001-主营业务收入                                    -1000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -130.00 CNY
            """,
            entries,
        )

    @loader.load_doc()
    def test_imported_entry_is_only_split(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔" #tmall-sale
          source: "alipay-statement"
          card-paid: 1000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY

        2025-03-16 * "支付宝" "2025-03-16 支付宝结算 3 笔" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝        10720.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金           580.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       11300.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY

            2025-03-16 * "支付宝" "2025-03-16 支付宝结算 3 笔" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       10720.00 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         580.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
            """,
            entries,
        )

    @loader.load_doc()
    def test_actual_fees_are_kept(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "天猫" "佣金已知" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        10700.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金           600.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "佣金已知" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       10643.50 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         600.00 CNY
              Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
            """,
            entries,
        )
        by_account = postings_by_account(entries, "佣金已知")
        assert "estimated" not in (by_account[accounts.COMMISSION_RECEIVABLE].meta or {})
        assert by_account[accounts.POINTS_RECEIVABLE].meta["estimated"] is True

    @loader.load_doc()
    def test_refund_and_untagged(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-20 * "天猫" "售后退款" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        -226.00 CNY
          Income:6001-主营业务收入                       226.00 CNY

        2025-03-21 * "天猫" "不是销售"
          Assets:1012-其他货币资金:101201-支付宝         113.00 CNY
          Income:6001-主营业务收入                      -113.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-20 * "天猫" "售后退款" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                        -226.00 CNY
              Income:6001-主营业务收入                                      200.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额      26.00 CNY

            2025-03-21 * "天猫" "不是销售"
              Assets:1012-其他货币资金:101201-支付宝         113.00 CNY
              Income:6001-主营业务收入                      -113.00 CNY
            """,
            entries,
        )

    @loader.load_doc()
    def test_rounding_half_cent(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Expenses:6603-财务费用:660301-支付手续费
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        ; 0.5% of 101.00 = 0.505 -> 0.51; 5% of 101.00 = 5.05; 1% of 0.50 = 0.005 -> 0.01;
        ; 101.00 / 1.13 = 89.3805... -> 89.38, VAT 11.62.
        2025-03-15 * "天猫" "半分" #tmall-sale
          card-paid: 0.50 CNY
          Assets:1012-其他货币资金:101201-支付宝          101.00 CNY
          Income:6001-主营业务收入                       -101.00 CNY

        ; 0.5% of 0.90 = 0.0045 -> 0.00: no posting; 0.90 / 1.13 = 0.7964... -> 0.80, VAT 0.10.
        2025-03-16 * "天猫" "零头" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝            0.90 CNY
          Income:6001-主营业务收入                         -0.90 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "半分" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                          95.43 CNY
              Assets:1221-其他应收款:122101-天猫佣金                           5.05 CNY
              Assets:1221-其他应收款:122102-天猫积分                           0.51 CNY
              Expenses:6603-财务费用:660301-支付手续费                         0.01 CNY
              Income:6001-主营业务收入                                      -89.38 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额     -11.62 CNY

            2025-03-16 * "天猫" "零头" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                           0.85 CNY
              Assets:1221-其他应收款:122101-天猫佣金                           0.05 CNY
              Income:6001-主营业务收入                                       -0.80 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额      -0.10 CNY
            """,
            entries,
        )

    @loader.load_doc()
    def test_rounding_tie_puts_the_cent_on_the_larger_part(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales" "{'vat_rate': '0.6', 'estimate': False}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        ; 0.04 / 1.6 = 0.025 and VAT 0.015: both are ties; half-up gives 0.03 + 0.02 = 0.05,
        ; so the extra cent comes off the larger part (the revenue). At 13% no tie can occur.
        2025-03-15 * "天猫" "tie" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝            0.04 CNY
          Income:6001-主营业务收入                         -0.04 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "tie" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                           0.04 CNY
              Income:6001-主营业务收入                                       -0.02 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额      -0.02 CNY
            """,
            entries,
        )

    @loader.load_doc()
    def test_idempotent(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Expenses:6603-财务费用:660301-支付手续费
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "天猫" "订单 3321" #tmall-sale
          card-paid: 1000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY

        2025-03-16 * "天猫" "手工分好" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝                       10668.50 CNY
          Assets:1221-其他应收款:122101-天猫佣金                         565.00 CNY
          Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
          Expenses:6603-财务费用:660301-支付手续费                        10.00 CNY
          Income:6001-主营业务收入                                   -10000.00 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
        """
        self.assertEqualEntries(
            """
            2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
            2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
            2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
            2025-01-01 open Expenses:6603-财务费用:660301-支付手续费
            2025-01-01 open Income:6001-主营业务收入
            2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

            2025-03-15 * "天猫" "订单 3321" #tmall-sale
              card-paid: 1000.00 CNY
              Assets:1012-其他货币资金:101201-支付宝                       10668.50 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         565.00 CNY
              Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
              Expenses:6603-财务费用:660301-支付手续费                        10.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY

            2025-03-16 * "天猫" "手工分好" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       10668.50 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         565.00 CNY
              Assets:1221-其他应收款:122102-天猫积分                          56.50 CNY
              Expenses:6603-财务费用:660301-支付手续费                        10.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
            """,
            entries,
        )

    def test_running_on_own_output_changes_nothing(self):
        ledger = """
        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "天猫" "订单" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        entries, errors, options = loader.load_string(ledger, dedent=True)
        once, errors1 = sales.sales(entries, options)
        twice, errors2 = sales.sales(once, options)
        assert not errors and not errors1 and not errors2
        self.assertEqualEntries(once, twice)
        assert [len(e.postings) for e in twice if isinstance(e, data.Transaction)] == [5]


class TestHandSplitAndCurrency(cmptest.TestCase):
    @load_doc_with_chart()
    def test_hand_split_within_a_cent_per_income_posting_is_kept(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"

        ; 1130.00 × 0.13 / 1.13 = 130.00; 130.01 is within the cent: kept as written
        2025-03-15 * "天猫" "手工分 1" #tmall-sale
          source: "x"
          Assets:1012-其他货币资金:101201-支付宝                         1130.00 CNY
          Income:6001-主营业务收入                                    -999.99 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -130.01 CNY

        ; two income postings: round(1385.00 × 0.13 / 1.13) = 159.34, and up to 0.02 off is kept
        2025-03-16 * "天猫" "手工分 2" #tmall-sale
          source: "x"
          Assets:1012-其他货币资金:101201-支付宝                         1385.00 CNY
          Income:6001-主营业务收入                                    -783.16 CNY
          Income:6001-主营业务收入                                    -442.48 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -159.36 CNY
        """
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "手工分 1" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                         1130.00 CNY
              Income:6001-主营业务收入                                    -999.99 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -130.01 CNY

            2025-03-16 * "天猫" "手工分 2" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                         1385.00 CNY
              Income:6001-主营业务收入                                    -783.16 CNY
              Income:6001-主营业务收入                                    -442.48 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -159.36 CNY
            """,
            entries,
        )

    @load_doc_with_chart(expect_errors=True)
    def test_stray_vat_line_does_not_turn_the_split_off(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-03-15 * "天猫" "sale + hand VAT adj" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝     1130.01 CNY
          Income:6001-主营业务收入                 -1130.00 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -0.01 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        (error,) = errors
        self.assertEqual(error.entry.narration, "sale + hand VAT adj")
        self.assertTrue(error.source["filename"] and error.source["lineno"] > 0)
        self.assertIn("销项税额 -0.01 CNY", error.message)
        self.assertIn("应为 -130.00 CNY", error.message)
        # left as written: no split, no estimated fees
        self.assertIncludesEntries(
            """
            2025-03-15 * "天猫" "sale + hand VAT adj" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝     1130.01 CNY
              Income:6001-主营业务收入                 -1130.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -0.01 CNY
            """,
            entries,
        )

    @load_doc_with_chart(expect_errors=True)
    def test_non_cny_income_is_an_error_and_left_alone(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales" "{'check_rates': '0.002'}"

        2020-01-01 open Income:6001-主营业务收入:600199-外币
        2020-01-01 commodity USD

        2025-03-17 * "天猫" "订单 usd" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        700.00 CNY
          Income:6001-主营业务收入:600199-外币        -100.00 USD @ 7.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        (error,) = errors
        self.assertEqual(error.entry.narration, "订单 usd")
        self.assertIn("USD", error.message)
        self.assertIn("#tmall-sale 的收入须以 CNY 记账", error.message)
        self.assertRegex(error.message, r":\d+\)")  # the posting's file:line
        txn = [e for e in entries if isinstance(e, data.Transaction)][-1]
        self.assertEqual(len(txn.postings), 2)
        self.assertEqual(txn.postings[0].units, data.Amount(Decimal("700.00"), "CNY"))


class TestCheckRates(cmptest.TestCase):
    @loader.load_doc(expect_errors=True)
    def test_check_rates(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales" "{'check_rates': '0.002', 'category_rates': {'食品': '0.02'}}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Assets:1221-其他应收款:122101-天猫佣金
        2025-01-01 open Assets:1221-其他应收款:122102-天猫积分
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        ; 565.00 / 11300.00 = 5.000%: fine.
        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          10678.50 CNY
          Assets:1221-其他应收款:122101-天猫佣金             565.00 CNY
          Assets:1221-其他应收款:122102-天猫积分              56.50 CNY
          Income:6001-主营业务收入                        -11300.00 CNY

        ; 600.00 / 11300.00 = 5.310%: an error.
        2025-03-16 * "支付宝" "2025-03-16 支付宝结算" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          10643.50 CNY
          Assets:1221-其他应收款:122101-天猫佣金             600.00 CNY
          Assets:1221-其他应收款:122102-天猫积分              56.50 CNY
          Income:6001-主营业务收入                        -11300.00 CNY

        ; Per-row mode: the commission row is its own (untagged) imported transaction.
        ; 22.60 / 1130.00 = 2.000% is the 食品 rate: fine.
        2025-03-17 * "支付宝" "在线支付" #tmall-sale
          source: "alipay-statement"
          category: "食品"
          Assets:1012-其他货币资金:101201-支付宝            1130.00 CNY
          Income:6001-主营业务收入                         -1130.00 CNY
        2025-03-17 * "支付宝" "天猫佣金（类目）{1}扣款"
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝             -22.60 CNY
          Assets:1221-其他应收款:122101-天猫佣金              22.60 CNY

        ; Hand-written: never checked (its estimates are the configured rate anyway).
        2025-03-18 * "天猫" "订单" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        11000.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金           300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        assert len(errors) == 1, errors
        (error,) = errors
        assert error.entry.date.isoformat() == "2025-03-16"
        assert "2025-03-16" in error.message
        assert "天猫佣金率 5.310%" in error.message and "与预期的 5.000% 相差超过" in error.message
        assert error.source["lineno"] > 0 and error.source["filename"]

    @loader.load_doc(expect_errors=True)
    def test_bad_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales" "{'vat_rate': 'thirteen', 'colour': 'red'}"

        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝
        2025-01-01 open Income:6001-主营业务收入
        2025-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额

        2025-03-15 * "支付宝" "x" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
          Income:6001-主营业务收入                     -11300.00 CNY
        """
        messages = " ".join(e.message for e in errors)
        assert "vat_rate" in messages and "colour" in messages
        # Falls back to the default 13%.
        self.assertIncludesEntries(
            """
            2025-03-15 * "支付宝" "x" #tmall-sale
              Assets:1012-其他货币资金:101201-支付宝                       11300.00 CNY
              Income:6001-主营业务收入                                   -10000.00 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -1300.00 CNY
            """,
            entries,
        )


if __name__ == "__main__":
    unittest.main()


class TestPointsPayback(cmptest.TestCase):
    @load_doc_with_chart()
    def test_points_payback_reduces_revenue_and_output_vat(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-04-08 * "天猫" "2025-03 消费积分打款冲减收入" #points-payback
          period: "2025-03"
          Income:6001-主营业务收入                  2.30 CNY
          Assets:1012-其他货币资金:101201-支付宝    -2.30 CNY
        """
        self.assertIncludesEntries(
            """
            2025-04-08 * "天猫" "2025-03 消费积分打款冲减收入" #points-payback
              period: "2025-03"
              Income:6001-主营业务收入                                          2.04 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额     0.26 CNY
              Assets:1012-其他货币资金:101201-支付宝                           -2.30 CNY
            """,
            entries,
        )
        (payback,) = [e for e in entries if isinstance(e, data.Transaction)]
        self.assertFalse(any(p.meta.get("estimated") for p in payback.postings))
