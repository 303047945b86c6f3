"""reports/: 月度对账, 应收账龄, 年费进度 computed from small ledgers (the ledger is the test input)."""

import datetime
import textwrap
import unittest
from decimal import Decimal

from beancount import loader
from beanquery import query

from beancount_tmall import accounts
from beancount_tmall.reports import aging, annual_fee, reconciliation
from beancount_tmall.reports.reconciliation import monthly_report

D = Decimal
COMMISSION = accounts.COMMISSION_RECEIVABLE
POINTS = accounts.POINTS_RECEIVABLE
TAOBAOKE = accounts.TAOBAOKE_RECEIVABLE


def run_sum(entries, options, bql):
    """Sum the CNY ``position`` column of a figure's BQL query (what Fava's query page shows)."""
    columns, rows = query.run_query(entries, options, bql)
    index = [c.name for c in columns].index("position")
    return sum((row[index].units.number for row in rows), D("0"))


class TestLedgers(unittest.TestCase):
    """Each test's docstring is its ledger (``loader.load_doc``)."""

    @loader.load_doc(expect_errors=True)
    def test_statuses_sales_and_errors(self, entries, errors, options):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices" "{'grace_days': 5}"

        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
        2024-01-01 open Assets:1221-其他应收款:122101-天猫佣金 CNY
        2024-01-01 open Assets:1221-其他应收款:122102-天猫积分 CNY
        2024-01-01 open Assets:1221-其他应收款:122103-淘宝客佣金 CNY
        2024-01-01 open Income:6001-主营业务收入 CNY
        2024-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额 CNY
        2024-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额 CNY
        2024-01-01 open Expenses:6601-销售费用:660101-天猫佣金 CNY
        2024-01-01 open Expenses:6601-销售费用:660102-天猫积分 CNY
        2024-01-01 open Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客 CNY

        2025-01-15 * "支付宝" "2025-01-15 支付宝结算 3 笔" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          10678.50 CNY
          Assets:1221-其他应收款:122101-天猫佣金             565.00 CNY
          Assets:1221-其他应收款:122102-天猫积分              56.50 CNY
          Income:6001-主营业务收入                        -11300.00 CNY

        2025-02-10 * "浙江天猫技术有限公司" "2025-01 天猫佣金发票" #invoice
          invoice-no: "25332000000000000001"
          period: "2025-01"
          Assets:1221-其他应收款:122101-天猫佣金   -565.00 CNY

        2025-02-10 * "浙江天猫技术有限公司" "2025-01 天猫积分发票" #invoice
          invoice-no: "25332000000000000002"
          period: "2025-01"
          Assets:1221-其他应收款:122102-天猫积分   -50.00 CNY

        2025-02-12 * "阿里妈妈" "2025-01 淘宝客发票" #invoice
          invoice-no: "25332000000000000003"
          period: "2025-01"
          Assets:1221-其他应收款:122103-淘宝客佣金   -30.00 CNY

        2025-02-15 * "支付宝" "2025-02-15 支付宝结算" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          1900.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金             100.00 CNY
          Income:6001-主营业务收入                        -2000.00 CNY

        2025-03-18 * "支付宝" "2025-03-18 支付宝结算" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          3800.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金             200.00 CNY
          Income:6001-主营业务收入                        -4000.00 CNY

        2025-03-20 * "支付宝" "售后退款" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝          -113.00 CNY
          Income:6001-主营业务收入                         113.00 CNY
        """
        report = monthly_report(entries, errors, options)
        assert report.year == 2025
        assert report.as_of == datetime.date(2025, 3, 20)

        jan, feb, mar = (report.month(f"2025-0{m}") for m in (1, 2, 3))
        assert (jan.sales.gross.amount, jan.sales.revenue.amount, jan.sales.output_vat.amount) == (
            D("11300.00"),
            D("10000.00"),
            D("1300.00"),
        )
        assert mar.sales.gross.amount == D("3887.00")
        assert mar.sales.refunds.amount == D("113.00")
        assert report.total("gross") == D("17187.00")

        assert jan.fee(COMMISSION).status == reconciliation.MATCHED
        assert jan.fee(POINTS).status == reconciliation.MISMATCH
        assert jan.fee(POINTS).outstanding == D("6.50")
        assert jan.fee(TAOBAOKE).status == reconciliation.NO_DEDUCTIONS
        assert feb.fee(COMMISSION).status == reconciliation.OVERDUE  # due 03-15, ledger at 03-20
        assert mar.fee(COMMISSION).status == reconciliation.AWAITING  # due 04-15
        assert mar.fee(POINTS).status == reconciliation.EMPTY
        assert jan.status == reconciliation.MISMATCH and mar.status == reconciliation.AWAITING

        # The plugin errors sit in the month of their entry.
        assert any("天猫积分" in e.message and e.kind == "plugin" for e in jan.errors)
        assert any("仍无发票" in e.message for e in feb.errors)
        assert not mar.errors
        text = reconciliation.render_text(report)
        assert "2025-02" in text and "逾期未开票" in text and "2025-04" not in text
        assert "截至开票截止日 2025-03-15 仍无发票" in text

        # Every figure's BQL query reproduces it.
        sign = {"gross": -1, "revenue": -1, "output_vat": -1, "refunds": 1}
        for row in (jan, feb, mar):
            for name, s in sign.items():
                figure = getattr(row.sales, name)
                assert s * run_sum(entries, options, figure.query) == figure.amount, (row.month, name)
            for cell in row.fees:
                assert run_sum(entries, options, cell.deducted.query) == cell.deducted.amount
                assert -run_sum(entries, options, cell.invoiced.query) == cell.invoiced.amount

    @loader.load_doc(expect_errors=False)
    def test_year_end_accrual_is_accrued_then_matched(self, entries, errors, options):
        """
        plugin "beancount_tmall.plugins.invoices" "{'accrue': True}"

        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
        2024-01-01 open Assets:1221-其他应收款:122101-天猫佣金 CNY
        2024-01-01 open Income:6001-主营业务收入 CNY
        2024-01-01 open Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额 CNY
        2024-01-01 open Liabilities:2221-应交税费:222103-待认证进项税额 CNY
        2024-01-01 open Expenses:6601-销售费用:660101-天猫佣金 CNY

        2025-12-20 * "支付宝" "2025-12-20 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝          9894.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金             106.00 CNY
          Income:6001-主营业务收入                        -10000.00 CNY

        2026-01-05 * "支付宝" "提现"
          Assets:1012-其他货币资金:101201-支付宝  0.00 CNY
          Income:6001-主营业务收入                0.00 CNY
        """
        report = monthly_report(entries, errors, options, year=2025)
        dec = report.month("2025-12").fee(COMMISSION)
        assert dec.status == reconciliation.ACCRUED
        # The whole deduction leaves 其他应收款: 100.00 expense (net of 6% VAT) + 6.00 待认证进项税额.
        assert dec.accrued.amount == D("106.00")
        assert -run_sum(entries, options, dec.accrued.query) == dec.accrued.amount

    @loader.load_doc(expect_errors=False)
    def test_aging_fifo_buckets_and_history(self, entries, errors, options):
        """
        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
        2024-01-01 open Assets:1221-其他应收款:122101-天猫佣金 CNY
        2024-01-01 open Assets:1221-其他应收款:122108-天猫保证金 CNY
        2024-01-01 open Expenses:6601-销售费用:660101-天猫佣金 CNY

        2025-06-01 * "deposit"
          Assets:1221-其他应收款:122108-天猫保证金   1000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-09-10 * "commission"
          Assets:1221-其他应收款:122101-天猫佣金   300.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-10-10 * "commission"
          Assets:1221-其他应收款:122101-天猫佣金   200.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-11-20 * "commission"
          Assets:1221-其他应收款:122101-天猫佣金   50.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-11-25 * "invoice, clears the oldest first"
          Assets:1221-其他应收款:122101-天猫佣金   -350.00 CNY
          Expenses:6601-销售费用:660101-天猫佣金
        """
        report = aging.aging_report(entries, 2025)
        assert report.as_of == datetime.date(2025, 11, 25)
        commission = report.row(COMMISSION)
        # 300 (09-10) fully cleared, 50 of 200 (10-10, 46 days) cleared: 150 left; 50 (11-20, 5 days).
        assert [b.amount for b in commission.buckets] == [D("50.00"), D("150.00"), D("0"), D("0")]
        assert commission.balance.amount == D("200.00")
        assert commission.oldest == datetime.date(2025, 10, 10)
        deposit = report.row(accounts.DEPOSIT)
        assert [b.amount for b in deposit.buckets] == [0, 0, 0, D("1000.00")]
        assert report.total == D("1200.00")
        assert run_sum(entries, options, commission.balance.query) == D("200.00")
        history = report.history[COMMISSION]
        assert history[8] == D("300.00") and history[9] == D("500.00") and history[10] == D("200.00")
        assert history[11] == 0  # December is after the ledger's last day
        assert aging.bucket_index(30) == 0 and aging.bucket_index(31) == 1 and aging.bucket_index(91) == 3

    @loader.load_doc(expect_errors=False)
    def test_annual_fee_progress(self, entries, errors, options):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('10000', '0.5'), ('60000', '1.0')]}"

        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
        2024-01-01 open Assets:1221-其他应收款:122104-天猫年费 CNY
        2024-01-01 open Income:6001-主营业务收入 CNY

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-03-01 * "支付宝" "sales" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝  11300.00 CNY
          Income:6001-主营业务收入
        """
        progress = annual_fee.annual_fee_progress(entries, options, 2025)
        assert progress.fee == D("30000.00")
        assert progress.sales.amount == D("11300.00")
        assert progress.refund_share == D("0.5")
        assert progress.expected_refund == D("15000.00")
        assert progress.status == "open"
        first, second = progress.thresholds
        assert first.reached and not second.reached
        assert second.remaining == D("48700.00") and second.refund == D("30000.00")
        assert progress.next_threshold is second
        assert progress.cumulative_sales[2] == D("11300.00")
        assert -run_sum(entries, options, progress.sales.query) == progress.sales.amount


    @loader.load_doc(expect_errors=False)
    def test_annual_fee_progress_by_fee_year(self, entries, errors, options):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('10000', '1.0')]}"

        2024-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
        2024-01-01 open Assets:1221-其他应收款:122104-天猫年费 CNY
        2024-01-01 open Income:6001-主营业务收入 CNY

        2024-03-01 * "支付宝" "sales" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝  11300.00 CNY
          Income:6001-主营业务收入

        2024-01-02 * "支付宝" "技术服务费年费代扣2024"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        ; 2025's fee, taken on the last days of 2024
        2024-12-30 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
            fee-year: "2025"
          Assets:1012-其他货币资金:101201-支付宝

        2025-01-05 * "支付宝" "技术服务费年费返还2024"
          fee-year: "2024"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝
        """
        progress = {y: annual_fee.annual_fee_progress(entries, options, y) for y in (2024, 2025)}
        assert (progress[2024].deducted.amount, progress[2024].refunded, progress[2024].outstanding) == (
            D("30000.00"), D("30000.00"), D("0.00"),
        )
        assert (progress[2025].deducted.amount, progress[2025].outstanding) == (D("30000.00"), D("30000.00"))
        for year in (2024, 2025):  # 已扣 links to the rows of its own fee year
            assert run_sum(entries, options, progress[year].deducted.query) == D("30000.00")
        text = annual_fee.render_text(progress[2024])
        assert text.startswith("年度技术服务费 2024: 协议年费 30,000.00") and "已返还 30,000.00" in text


def test_every_status_has_a_label_and_a_rank():
    assert set(reconciliation.STATUS_ORDER) == set(reconciliation.STATUS_LABELS)
    assert reconciliation.worst_status([reconciliation.MATCHED, reconciliation.OVERDUE]) == reconciliation.OVERDUE
    assert reconciliation.worst_status([]) == reconciliation.EMPTY


def test_empty_and_non_tmall_ledgers():
    report = monthly_report([], [], {})
    assert not report.has_data and report.as_of is None
    entries, errors, options = loader.load_string(
        textwrap.dedent(
            """
            2025-01-01 open Assets:Cash CNY
            2025-01-01 open Expenses:Food CNY
            2025-03-01 * "lunch"
              Assets:Cash  -10 CNY
              Expenses:Food
            """
        )
    )
    report = monthly_report(entries, errors, options)
    assert report.year == 2025 and not report.has_data
    assert aging.aging_report(entries, 2025).rows == ()
    assert annual_fee.annual_fee_progress(entries, options, 2025) is None
