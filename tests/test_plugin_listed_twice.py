"""A plugin listed twice (a copy-paste in main.beancount) reports each of its errors once."""

from beancount.parser import cmptest
from conftest import load_doc_with_chart as load_doc

from beancount_tmall.plugins import _common


def messages(errors):
    return sorted(e.message for e in errors)


class TestListedTwice(cmptest.TestCase):
    @load_doc(expect_errors=True)
    def test_every_plugin_twice_reports_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000'}"
        plugin "beancount_tmall.plugins.consumer_points"
        plugin "beancount_tmall.plugins.suspense"
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000'}"
        plugin "beancount_tmall.plugins.consumer_points"
        plugin "beancount_tmall.plugins.suspense"

        ; sales: a hand-written 销项税额 that is not the VAT of the sale
        2025-03-15 * "天猫" "手工分" #tmall-sale
          source: "x"
          Assets:1012-其他货币资金:101201-支付宝                         1130.00 CNY
          Income:6001-主营业务收入                                   -1000.00 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额    -130.00 CNY
          Income:6001-主营业务收入                                    -50.00 CNY
          Assets:1012-其他货币资金:101201-支付宝                           50.00 CNY

        ; invoices: commission deducted, invoiced short after the due day
        2025-03-20 * "支付宝" "2025-03-20 支付宝结算" #tmall-sale
          source: "alipay-statement"
          consumer-points: 12.30 CNY
          Assets:1012-其他货币资金:101201-支付宝          5650.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金             565.00 CNY
          Income:6001-主营业务收入                        -6215.00 CNY

        2025-04-09 * "浙江天猫技术有限公司" "3月佣金发票" #invoice
          invoice-no: "26332000000012345678"
          period: "2025-03"
          Assets:1221-其他应收款:122101-天猫佣金   -560.00 CNY

        ; consumer_points: March's 12.30 never settled; suspense: a row open since March
        2025-03-21 ! "支付宝" "2025-03-21 支付宝结算 1 笔"
          Assets:1012-其他货币资金:101201-支付宝       -10.00 CNY
          Assets:1221-其他应收款:122199-待核对            10.00 CNY
            alipay-serial: "2025032100001"

        2025-05-01 balance Assets:1221-其他应收款:122101-天猫佣金  5.00 CNY
        """
        got = messages(errors)
        self.assertEqual(len(got), len(set(got)), got)
        starts = sorted(m.split(":")[0].split(" ")[0] for m in got)
        self.assertEqual(
            starts,
            sorted(["手工填写的销项税额", "天猫佣金", "消费积分", "待核对"]),
            got,
        )
        # consumer_points added invoiceable once, and the sale still has its two split lines
        sale = next(e for e in entries if getattr(e, "narration", "") == "2025-03-20 支付宝结算")
        self.assertEqual(str(sale.meta["invoiceable"]), "6202.70 CNY")
        self.assertEqual(len(sale.postings), 4)

    def test_report_once_filters_by_plugin_and_location(self):
        options = {}
        error = _common.PluginError({"filename": "a", "lineno": 1}, "m", None)
        other = _common.PluginError({"filename": "a", "lineno": 2}, "m", None)
        self.assertEqual(_common.report_once(options, "p", [error]), [error])
        self.assertEqual(_common.report_once(options, "p", [error, other]), [other])
        self.assertEqual(_common.report_once(options, "q", [error]), [error])  # another plugin
        self.assertEqual(_common.report_once(None, "p", [error]), [error])
        self.assertEqual(str(options[_common.REPORTED_KEY]), "<beancount_tmall: 3 plugin errors reported>")
