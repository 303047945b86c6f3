"""消费积分 (plugin ``consumer_points``): the ledger in each docstring, the whole chart opened."""

import datetime
from decimal import Decimal

from beancount.core import data
from beancount.parser import cmptest
from conftest import chart_text, load_doc_with_chart

from beancount_tmall import accounts
from beancount_tmall.plugins import consumer_points

CHART = chart_text()
load_doc = load_doc_with_chart


def cny(text):
    return data.Amount(Decimal(text), "CNY")


def by_narration(entries, narration):
    return next(e for e in entries if isinstance(e, data.Transaction) and e.narration == narration)


class TestConsumerPoints(cmptest.TestCase):
    def test_account_is_the_package_default(self):
        self.assertEqual(
            consumer_points.DEFAULTS["receivable"], accounts.CONSUMER_POINTS_RECEIVABLE
        )

    @load_doc()
    def test_settled_by_invoice_and_payback(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        ; after the sales plugin's VAT split the gross is the same
        2025-03-20 * "支付宝" "2025-03-20 支付宝结算" #tmall-sale
          consumer-points: 0.70
          Assets:1012-其他货币资金:101201-支付宝      226.00 CNY
          Income:6001-主营业务收入                  -200.00 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -26.00 CNY

        ; a sale without points: invoiceable is the gross
        2025-03-21 * "支付宝" "2025-03-21 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      100.00 CNY
          Income:6001-主营业务收入                  -100.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "25330000000000001234"
          period: "2025-03"
          amount: 10.00 CNY

        2025-04-09 * "天猫" "2025-03 消费积分打款" #points-payback
          period: "2025-03"
          Income:6001-主营业务收入                     3.00 CNY
          Assets:1012-其他货币资金:101201-支付宝       -3.00 CNY

        2025-06-01 balance Assets:1012-其他货币资金:101201-支付宝  1453.00 CNY
        """
        sale = by_narration(entries, "2025-03-15 支付宝结算")
        self.assertEqual(sale.meta["invoiceable"], cny("1117.70"))
        self.assertEqual(sale.meta["consumer-points"], cny("12.30"))
        self.assertEqual(
            by_narration(entries, "2025-03-20 支付宝结算").meta["invoiceable"], cny("225.30")
        )
        self.assertEqual(
            by_narration(entries, "2025-03-21 支付宝结算").meta["invoiceable"], cny("100.00")
        )
        self.assertNotIn("invoiceable", by_narration(entries, "2025-03 消费积分打款").meta)
        months = consumer_points.monthly_points(entries)
        self.assertEqual(list(months), ["2025-03"])
        march = months["2025-03"]
        self.assertEqual(
            (march.points, march.invoiced, march.paid_back),
            (Decimal("13.00"), Decimal("10.00"), Decimal("3.00")),
        )
        self.assertEqual(march.outstanding, 0)
        self.assertEqual(march.due, datetime.date(2025, 4, 15))

    @load_doc()
    def test_points_as_receivable_postings(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'grace_days': 0}"

        2025-05-10 * "支付宝" "2025-05-10 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝        95.00 CNY
          Assets:1221-其他应收款:122109-消费积分          5.00 CNY
          Income:6001-主营业务收入                   -100.00 CNY

        ; the invoice to Tmall, paid into Alipay: clears the receivable
        2025-06-10 * "天猫" "2025-05 消费积分发票" #points-invoice
          invoice-no: "25330000000000005555"
          period: "2025-05"
          Assets:1012-其他货币资金:101201-支付宝         5.00 CNY
          Assets:1221-其他应收款:122109-消费积分         -5.00 CNY

        2025-07-01 balance Assets:1221-其他应收款:122109-消费积分  0.00 CNY
        """
        self.assertEqual(
            by_narration(entries, "2025-05-10 支付宝结算").meta["invoiceable"], cny("95.00")
        )
        self.assertNotIn("invoiceable", by_narration(entries, "2025-05 消费积分发票").meta)
        self.assertEqual(
            consumer_points.monthly_points(entries)["2025-05"].invoiced, Decimal("5.00")
        )

    @load_doc(expect_errors=True)
    def test_missing_after_due_day(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'grace_days': 0}"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          period: "2025-03"
          amount: 10.00 CNY

        2025-04-11 balance Assets:1012-其他货币资金:101201-支付宝  1130.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        message = errors[0].message
        self.assertIn("消费积分 2025-03", message)
        self.assertIn("销售中的积分部分 12.30 CNY, 已开票 10.00, 已退回 0.00", message)
        self.assertIn("2.30 CNY 于 2025-04-10 前未结清", message)
        self.assertEqual(errors[0].source["lineno"], CHART.count("\n") + 4)

    @load_doc()
    def test_not_yet_due(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'grace_days': 0}"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        ; a generated year-end accrual far ahead does not move the ledger's date
        2025-12-31 * "年末计提" #accrual
          Expenses:6601-销售费用:660101-天猫佣金      1.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金     -1.00 CNY

        2025-04-10 balance Assets:1012-其他货币资金:101201-支付宝  1130.00 CNY
        """
        self.assertEqual(
            consumer_points.monthly_points(entries)["2025-03"].outstanding, Decimal("12.30")
        )

    @load_doc(expect_errors=True)
    def test_more_settled_than_points_is_an_error_at_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-03-31 * "天猫" "2025-03 消费积分发票" #points-invoice
          period: "2025-03"
          amount: 12.31 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("结清金额比积分部分多 0.01 CNY", errors[0].message)
        self.assertEqual(errors[0].entry.narration, "2025-03 消费积分发票")

    @load_doc(expect_errors=True)
    def test_invoice_for_month_without_points(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          period: "2025-03"
          amount: 10.00 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("消费积分 2025-03: 该月没有积分, 却有消费积分发票或打款", errors[0].message)
        self.assertIn("已开票 10.00", errors[0].message)

    @load_doc(expect_errors=True)
    def test_unreadable_entries(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: "many"
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "消费积分发票" #points-invoice
          period: "March"
          amount: 10.00 CNY

        2025-04-09 * "天猫" "消费积分发票" #points-invoice
          period: "2025-03"
        """
        messages = sorted(e.message for e in errors)
        self.assertEqual(len(errors), 3, messages)
        text = "\n".join(messages)
        self.assertIn("consumer-points 无法读取", text)
        self.assertIn("消费积分发票: 所属期间 period 'March' 不是月份", text)
        self.assertIn("消费积分发票 2025-03: 没有金额", text)

    @load_doc(expect_errors=True)
    def test_multi_year_december_due_in_january(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'grace_days': 0}"

        2024-12-30 * "支付宝" "2024-12-30 支付宝结算" #tmall-sale
          consumer-points: 8.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      800.00 CNY
          Income:6001-主营业务收入                  -800.00 CNY

        ; a refund of part of a points-paid order gives points back
        2025-01-05 * "支付宝" "2025-01-05 支付宝结算" #tmall-sale
          consumer-points: -1.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -50.00 CNY
          Income:6001-主营业务收入                    50.00 CNY

        2025-01-06 * "支付宝" "2025-01-06 支付宝结算" #tmall-sale
          consumer-points: 3.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      300.00 CNY
          Income:6001-主营业务收入                  -300.00 CNY

        2025-01-09 * "天猫" "2024-12 消费积分发票" #points-invoice
          period: "2024-12"
          amount: 8.00 CNY

        2025-02-11 balance Assets:1012-其他货币资金:101201-支付宝  1050.00 CNY
        """
        months = consumer_points.monthly_points(entries, {"grace_days": 0})
        self.assertEqual(list(months), ["2024-12", "2025-01"])
        self.assertEqual(months["2024-12"].due, datetime.date(2025, 1, 10))
        self.assertEqual(months["2025-01"].points, Decimal("2.00"))
        self.assertEqual(len(errors), 1)
        self.assertIn("消费积分 2025-01", errors[0].message)
        self.assertIn("2.00 CNY 于 2025-02-10 前未结清", errors[0].message)
        self.assertEqual(
            by_narration(entries, "2025-01-05 支付宝结算").meta["invoiceable"], cny("-49.00")
        )

    @load_doc()
    def test_negative_month_before_due_does_not_crash(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "1"
          period: "2025-03"
          amount: 12.30 CNY

        ; April: only a refund of the (already invoiced) March points order
        2025-04-20 * "支付宝" "2025-04-20 支付宝结算" #tmall-sale
          consumer-points: -5.00 CNY
          Assets:1012-其他货币资金:101201-支付宝     -113.00 CNY
          Income:6001-主营业务收入                   113.00 CNY
        """
        april = consumer_points.monthly_points(entries)["2025-04"]
        self.assertEqual((april.points, april.outstanding), (Decimal("-5.00"), Decimal("-5.00")))
        self.assertEqual(
            by_narration(entries, "2025-04-20 支付宝结算").meta["invoiceable"], cny("-108.00")
        )

    @load_doc(expect_errors=True)
    def test_negative_month_unsettled_after_due(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "1"
          period: "2025-03"
          amount: 12.30 CNY

        2025-04-20 * "支付宝" "2025-04-20 支付宝结算" #tmall-sale
          consumer-points: -5.00 CNY
          Assets:1012-其他货币资金:101201-支付宝     -113.00 CNY
          Income:6001-主营业务收入                   113.00 CNY

        2025-06-01 balance Assets:1012-其他货币资金:101201-支付宝  1017.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        message = errors[0].message
        self.assertIn("消费积分 2025-04: 销售中的积分部分 -5.00 CNY", message)
        self.assertIn("-5.00 CNY 于 2025-05-15 前未结清", message)
        self.assertIn('请开具 -5.00 CNY 的红字 (负数) 消费积分发票, period "2025-04"', message)
        self.assertEqual(errors[0].entry.narration, "2025-04-20 支付宝结算")

    @load_doc()
    def test_negative_month_settled_by_red_letter_invoice(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "1"
          period: "2025-03"
          amount: 12.30 CNY

        2025-04-20 * "支付宝" "2025-04-20 支付宝结算" #tmall-sale
          consumer-points: -5.00 CNY
          Assets:1012-其他货币资金:101201-支付宝     -113.00 CNY
          Income:6001-主营业务收入                   113.00 CNY

        2025-05-09 * "天猫" "2025-04 消费积分发票 (红字)" #points-invoice
          invoice-no: "2"
          period: "2025-04"
          amount: -5.00 CNY

        2025-06-01 balance Assets:1012-其他货币资金:101201-支付宝  1017.00 CNY
        """
        self.assertEqual(consumer_points.monthly_points(entries)["2025-04"].outstanding, 0)

    @load_doc(expect_errors=True)
    def test_negative_month_over_settled_is_an_error_at_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        2025-04-20 * "支付宝" "2025-04-20 支付宝结算" #tmall-sale
          consumer-points: -5.00 CNY
          Assets:1012-其他货币资金:101201-支付宝     -113.00 CNY
          Income:6001-主营业务收入                   113.00 CNY

        2025-04-30 * "天猫" "2025-04 消费积分发票" #points-invoice
          invoice-no: "2"
          period: "2025-04"
          amount: 5.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        self.assertIn("结清金额与积分部分符号相反", errors[0].message)
        self.assertEqual(errors[0].entry.narration, "2025-04 消费积分发票")

    @load_doc()
    def test_invoiceable_not_recorded_when_disabled(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'record_invoiceable': False}"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY
        """
        self.assertNotIn("invoiceable", entries[-1].meta)

    @load_doc(expect_errors=True)
    def test_bad_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points" "{'due': 10}"
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("未知的配置项 'due'", errors[0].message)


class TestFavaSavedAmounts(cmptest.TestCase):
    @load_doc()
    def test_amounts_saved_as_text_by_fava_count(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.consumer_points"

        ; Fava's import page saves an amount as the text "12.30 CNY"
        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          consumer-points: "12.30 CNY"
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "25330000000000001234"
          period: "2025-03"
          amount: "12.30 CNY"

        2025-05-01 balance Assets:1012-其他货币资金:101201-支付宝  1130.00 CNY
        """
        sale = by_narration(entries, "2025-03-15 支付宝结算")
        self.assertEqual(sale.meta["invoiceable"], cny("1117.70"))
        month = consumer_points.monthly_points(entries)["2025-03"]
        self.assertEqual((month.points, month.invoiced), (Decimal("12.30"), Decimal("12.30")))


class TestPointsWithoutPostings(cmptest.TestCase):
    """Points of orders whose export came after the statement: entries of their own, no postings."""

    @load_doc(expect_errors=True)
    def test_counted_in_its_month_and_no_plugin_breaks(self, entries, errors, options):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.annual_fee"
        plugin "beancount_tmall.plugins.consumer_points"
        plugin "beancount_tmall.plugins.suspense"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算" #tmall-sale
          source: "alipay-statement"
          Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
          Income:6001-主营业务收入                 -1130.00 CNY

        ; the order export given after the statement: its points as an entry of their own
        2025-03-15 * "天猫" "2025-03 订单消费积分 (订单导出 ExportOrderList202503.xlsx)" #tmall-points
          consumer-points: "12.30 CNY"
          orders: "3321, 3322"

        ; even a #tmall-sale without postings must not break a plugin or a report
        2025-03-16 * "天猫" "空的销售分录" #tmall-sale

        2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
          invoice-no: "25330000000000001234"
          period: "2025-03"
          amount: 10.00 CNY

        2025-04-30 balance Assets:1012-其他货币资金:101201-支付宝  1130.00 CNY
        """
        # March's points part is the entry's 12.30: 10.00 invoiced, 2.30 overdue on 04-15.
        march = consumer_points.monthly_points(entries)["2025-03"]
        self.assertEqual((march.points, march.invoiced), (Decimal("12.30"), Decimal("10.00")))
        self.assertEqual([e.narration for e in march.sales][0][:10], "2025-03 订单")
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        self.assertIn("消费积分 2025-03: 销售中的积分部分 12.30 CNY, 已开票 10.00, 已退回 0.00", errors[0].message)
        self.assertIn("2.30 CNY 于 2025-04-15 前未结清", errors[0].message)
        points = by_narration(entries, "2025-03 订单消费积分 (订单导出 ExportOrderList202503.xlsx)")
        self.assertEqual(points.postings, [])
        self.assertNotIn("invoiceable", points.meta)  # no gross to invoice the buyer for

        # the reports and the page read it too
        from beancount_tmall.reports import aging, annual_fee, reconciliation, suspense

        report = reconciliation.monthly_report(entries, errors, options, year=2025)
        self.assertEqual(report.month("2025-03").sales.entries, 2)
        self.assertEqual(report.month("2025-03").sales.gross.amount, Decimal("1130.00"))
        self.assertIn("2025-03", reconciliation.render_text(report))
        aging.aging_report(entries, 2025)
        self.assertIsNone(annual_fee.annual_fee_progress(entries, options, 2025))
        self.assertEqual(suspense.suspense_report(entries, options).rows, ())
