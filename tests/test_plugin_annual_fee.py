"""年度技术服务费 (plugin ``annual_fee``): the ledger in each docstring, the whole chart opened."""

import datetime
import textwrap
from decimal import Decimal

from beancount import loader
from beancount.core import data
from beancount.parser import cmptest
from conftest import chart_text, load_doc_with_chart

from beancount_tmall import accounts
from beancount_tmall.plugins import annual_fee

CHART = chart_text()
load_doc = load_doc_with_chart


def summaries(entries):
    return {
        e.values[0].value: e
        for e in entries
        if isinstance(e, data.Custom) and e.type == "tmall-annual-fee"
    }


def cny(text):
    return data.Amount(Decimal(text), "CNY")


def expense_by_year(entries):
    """660103 per calendar year (accruals included): what the 利润表 of each year carries."""
    out = {}
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                if p.account == accounts.ANNUAL_FEE_EXPENSE:
                    out[e.date.year] = out.get(e.date.year, Decimal("0.00")) + p.units.number
    return out


class TestAnnualFee(cmptest.TestCase):
    def test_accounts_are_the_package_defaults(self):
        self.assertEqual(annual_fee.DEFAULTS["receivable"], accounts.ANNUAL_FEE_RECEIVABLE)
        self.assertEqual(annual_fee.DEFAULTS["expense"], accounts.ANNUAL_FEE_EXPENSE)

    @load_doc()
    def test_settled_half_refund(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')], 'accrue': True}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        ; one sale before the sales plugin's split, one after it: both count tax-inclusive
        2025-06-01 * "支付宝" "2025-06-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      113000.00 CNY
          Income:6001-主营业务收入                   -113000.00 CNY

        2025-09-01 * "支付宝" "2025-09-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      137000.00 CNY
          Income:6001-主营业务收入                   -121238.94 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -15761.06 CNY

        ; not a sale: does not count
        2025-10-01 * "股东" "投入"
          Assets:1012-其他货币资金:101201-支付宝      500000.00 CNY
          Equity:4001-实收资本                       -500000.00 CNY

        2026-01-20 * "支付宝" "技术服务费年费返还2025"
          Assets:1012-其他货币资金:101201-支付宝       15000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY

        2026-02-05 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          Expenses:6601-销售费用:660103-天猫年度技术服务费   14150.94 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额   849.06 CNY
          Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-12-31 custom "tmall-annual-fee" "2025" 30000.00 CNY 250000.00 CNY 15000.00 CNY 15000.00 CNY
            """,
            entries,
        )
        meta = summaries(entries)["2025"].meta
        self.assertEqual(meta["status"], "settled")
        self.assertEqual(meta["threshold"], cny("180000.00"))
        self.assertEqual(meta["refund-share"], Decimal("0.5"))
        self.assertEqual(meta["outstanding"], cny("0.00"))
        self.assertEqual(meta["settlement"], datetime.date(2025, 12, 31))
        self.assertEqual(meta["days-open"], 365)
        # The invoice is dated 2026: the 2025 expense is accrued on 2025-12-31 (net of VAT; the VAT
        # waits in 待认证进项税额, so 122104 keeps only the refund Tmall owes).
        self.assertEqual(meta["accrued"], cny("14150.94"))
        self.assertIncludesEntries(
            """
            2025-12-31 * "天猫年费 2025 年末计提" #accrual ^accrual-122104-2025
              Expenses:6601-销售费用:660103-天猫年度技术服务费   14150.94 CNY
              Liabilities:2221-应交税费:222103-待认证进项税额        849.06 CNY
              Assets:1221-其他应收款:122104-天猫年费        -15000.00 CNY

            2026-01-01 * "天猫年费 2025 计提冲回" #accrual ^accrual-122104-2025
              Assets:1221-其他应收款:122104-天猫年费         15000.00 CNY
              Liabilities:2221-应交税费:222103-待认证进项税额       -849.06 CNY
              Expenses:6601-销售费用:660103-天猫年度技术服务费  -14150.94 CNY
            """,
            entries,
        )
        self.assertEqual(expense_by_year(entries), {2025: Decimal("14150.94"), 2026: Decimal("0.00")})

    @load_doc()
    def test_open_before_settlement(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')]}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-06-01 * "支付宝" "2025-06-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      700000.00 CNY
          Income:6001-主营业务收入                   -700000.00 CNY
        """
        fy = summaries(entries)["2025"]
        self.assertEqual(fy.meta["status"], "open")
        self.assertEqual(
            [v.value for v in fy.values[1:]],
            [cny(n) for n in ("30000.00", "700000.00", "30000.00", "0.00")],
        )
        self.assertEqual(fy.meta["outstanding"], cny("30000.00"))

    @load_doc()
    def test_full_refund_threshold_reached_exactly(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('600000', '1.0'), ('180000', '0.5')]}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-06-01 * "支付宝" "2025-06-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      600000.00 CNY
          Income:6001-主营业务收入                   -600000.00 CNY

        2026-01-20 * "支付宝" "技术服务费年费返还2025"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        fy = summaries(entries)["2025"]
        self.assertEqual(fy.meta["status"], "settled")
        self.assertEqual(fy.meta["refund-share"], Decimal("1.0"))
        self.assertEqual(fy.values[3].value, cny("30000.00"))

    @load_doc(expect_errors=True)
    def test_invoice_missing_after_settlement(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5')], 'settlement': '12-31', 'grace_days': 31}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-03-01 * "支付宝" "2025-03-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      179999.99 CNY
          Income:6001-主营业务收入                   -179999.99 CNY

        2026-02-01 * "支付宝" "2026-02-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝         100.00 CNY
          Income:6001-主营业务收入                      -100.00 CNY
        """
        messages = [e.message for e in errors]
        self.assertEqual(len(errors), 3, messages)
        self.assertIn("结算日 2026-01-31 之后余额 30000.00 CNY", messages[0])
        self.assertIn("已开票 0.00 CNY (价税合计), 应为 30000.00 CNY", messages[1])
        self.assertIn("660103", messages[1])
        self.assertIn("至 2025-12-31 既未开票也未计提", messages[2])
        for error in errors:
            self.assertEqual(error.source["lineno"], CHART.count("\n") + 4)
            self.assertIn(f":{error.source['lineno']})", error.message)
        self.assertEqual(summaries(entries)["2025"].meta["status"], "unsettled")
        self.assertNotIn("threshold", summaries(entries)["2025"].meta)

    @load_doc(expect_errors=True)
    def test_refund_differs(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')]}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-06-01 * "支付宝" "2025-06-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      200000.00 CNY
          Income:6001-主营业务收入                   -200000.00 CNY

        2026-01-20 * "支付宝" "技术服务费年费返还2025"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        messages = [e.message for e in errors]
        self.assertEqual(len(errors), 3, messages)
        self.assertIn("返还到支付宝 30000.00 CNY, 应为 15000.00 CNY", messages[0])
        self.assertEqual(errors[0].entry.narration, "技术服务费年费返还2025")
        self.assertIn("已开票 0.00 CNY (价税合计), 应为 15000.00 CNY", messages[1])
        self.assertIn("2025 年年费中 15000.00 CNY 至 2025-12-31 既未开票也未计提", messages[2])

    @load_doc(expect_errors=True)
    def test_deduction_differs_from_agreement(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000'}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30500.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30500.00 CNY

        2025-12-20 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          invoice-no: "25330000000000000001"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY

        2026-01-05 balance Assets:1221-其他应收款:122104-天猫年费  500.00 CNY
        """
        messages = [e.message for e in errors]
        self.assertEqual(len(errors), 1, messages)
        self.assertIn("结算日 2025-12-31 之后余额 500.00 CNY, 应为 0.00", messages[0])
        self.assertIn("已扣 30500.00", messages[0])
        self.assertIn("协议年费 30000.00", messages[0])

    @load_doc()
    def test_compact_invoice_is_completed(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2026-01-10 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          invoice-no: "25330000000000000001"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        self.assertIncludesEntries(
            """
            2026-01-10 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
              Expenses:6601-销售费用:660103-天猫年度技术服务费   28301.89 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额   1698.11 CNY
              Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
            """,
            entries,
        )
        self.assertEqual(summaries(entries)["2025"].meta["status"], "settled")

    @load_doc()
    def test_multi_year_refund_in_january_clears_last_year(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')], 'years': {'2025': {'fee': '60000'}}}"

        2024-01-02 * "支付宝" "技术服务费年费代扣2024"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2024-05-01 * "支付宝" "2024-05-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      650000.00 CNY
          Income:6001-主营业务收入                   -650000.00 CNY

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       60000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -60000.00 CNY

        ; the 2024 refund comes after the 2025 deduction: it clears 2024 (the oldest open year)
        2025-01-20 * "支付宝" "技术服务费年费返还2024"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY

        2025-05-01 * "支付宝" "2025-05-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      100000.00 CNY
          Income:6001-主营业务收入                   -100000.00 CNY

        ; a hand-written year-end accrual (net of VAT, since the invoice comes in 2026) and its
        ; reversal: they do not count as movements of 122104
        2025-12-31 * "年末计提" #accrual
          Expenses:6601-销售费用:660103-天猫年度技术服务费   56603.77 CNY
          Assets:1221-其他应收款:122104-天猫年费      -56603.77 CNY
        2026-01-01 * "计提冲回" #accrual
          Expenses:6601-销售费用:660103-天猫年度技术服务费  -56603.77 CNY
          Assets:1221-其他应收款:122104-天猫年费       56603.77 CNY

        2026-01-02 * "支付宝" "技术服务费年费代扣2026"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2026-02-05 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          fee-year: "2025"
          Expenses:6601-销售费用:660103-天猫年度技术服务费   56603.77 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额   3396.23 CNY
          Assets:1221-其他应收款:122104-天猫年费      -60000.00 CNY
        """
        years = summaries(entries)
        self.assertEqual(sorted(years), ["2024", "2025", "2026"])
        self.assertEqual(years["2024"].meta["status"], "settled")
        self.assertEqual(years["2024"].meta["refunded"], cny("30000.00"))
        self.assertEqual(years["2025"].meta["status"], "settled")
        self.assertEqual(
            [v.value for v in years["2025"].values[1:]],
            [cny(n) for n in ("60000.00", "100000.00", "0.00", "60000.00")],
        )
        self.assertEqual(years["2026"].meta["status"], "open")
        self.assertEqual(years["2026"].meta["outstanding"], cny("30000.00"))

    @load_doc()
    def test_shop_closed_mid_year_half_cent(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')], 'closed': '2025-06-30'}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        ; 180000 × 181/365 = 89260.27 is the pro-rated threshold
        2025-06-01 * "支付宝" "2025-06-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝       89260.27 CNY
          Income:6001-主营业务收入                    -89260.27 CNY

        ; incurred 30000 × 181/365 = 14876.71; expense 14876.71 × 0.5 = 7438.355 → 7438.36 (half-up)
        2025-07-20 * "支付宝" "技术服务费年费返还2025"
          Assets:1012-其他货币资金:101201-支付宝       22561.64 CNY
          Assets:1221-其他应收款:122104-天猫年费      -22561.64 CNY

        2025-08-05 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          Assets:1221-其他应收款:122104-天猫年费       -7438.36 CNY

        2026-01-05 balance Assets:1221-其他应收款:122104-天猫年费  0.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-06-30 custom "tmall-annual-fee" "2025" 30000.00 CNY 89260.27 CNY 22561.64 CNY 7438.36 CNY
            """,
            entries,
        )
        meta = summaries(entries)["2025"].meta
        self.assertEqual((meta["days-open"], meta["days-in-year"]), (181, 365))
        self.assertEqual(meta["threshold"], cny("89260.27"))
        self.assertEqual(meta["status"], "settled")

    @load_doc(expect_errors=True)
    def test_expense_invoiced_next_year_and_not_accrued_is_an_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('180000', '0.5'), ('600000', '1.0')]}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-06-15 * "天猫" "sales" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝     250000.00 CNY
          Income:6001-主营业务收入                 -250000.00 CNY

        ; settled as agreed, but the 2025 expense lands in 2026
        2026-01-20 * "支付宝" "技术服务费年费返还2025"
          Assets:1012-其他货币资金:101201-支付宝       15000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY

        2026-02-05 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          invoice-no: "X1"
          Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        message = errors[0].message
        self.assertIn("660103", message)
        self.assertIn("年费 2025", message)
        self.assertIn("预计费用 15000.00 CNY", message)
        self.assertIn("截至 2025-12-31 已开票 0.00 CNY", message)
        self.assertIn("在插件配置中设 'accrue': True", message)
        self.assertIn("14150.94 CNY", message)  # the accrual it asks for, net of 6% VAT
        self.assertEqual(errors[0].source["lineno"], CHART.count("\n") + 4)
        self.assertEqual(summaries(entries)["2025"].meta["status"], "settled")
        self.assertFalse([e for e in entries if isinstance(e, data.Transaction) and "accrual" in e.tags])

    @load_doc()
    def test_judged_on_year_end_accrues_gross_basis(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True, 'accrue_basis': 'gross', 'settlement': '2026-01-31'}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        ; part invoiced in the year: only the rest is accrued
        2025-06-30 * "浙江天猫技术有限公司" "2025 年度技术服务费发票 (上半年)" #invoice
          invoice-no: "X1"
          Assets:1221-其他应收款:122104-天猫年费      -10000.00 CNY

        ; judged on 12-31 (a balance is checked at the start of its day, before the accrual)
        2025-12-31 balance Assets:1221-其他应收款:122104-天猫年费  20000.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-12-31 * "天猫年费 2025 年末计提" #accrual ^accrual-122104-2025
              Expenses:6601-销售费用:660103-天猫年度技术服务费   20000.00 CNY
              Assets:1221-其他应收款:122104-天猫年费        -20000.00 CNY

            2026-01-01 * "天猫年费 2025 计提冲回" #accrual ^accrual-122104-2025
              Assets:1221-其他应收款:122104-天猫年费         20000.00 CNY
              Expenses:6601-销售费用:660103-天猫年度技术服务费  -20000.00 CNY
            """,
            entries,
        )
        accrual = next(e for e in entries if isinstance(e, data.Transaction) and "accrual" in e.tags)
        self.assertEqual(accrual.meta["period"], "2025")
        fy = summaries(entries)["2025"]
        self.assertEqual(fy.meta["status"], "open")  # the settlement date is not reached
        self.assertEqual(fy.meta["outstanding"], cny("20000.00"))  # accruals do not count

    @load_doc(expect_errors=True)
    def test_hand_written_accrual_with_wrong_amount(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2025-12-31 * "年末计提" #accrual
          Expenses:6601-销售费用:660103-天猫年度技术服务费   30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY

        2026-01-10 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          invoice-no: "X1"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        self.assertEqual(len(errors), 1, [e.message for e in errors])
        self.assertIn("2025-12-31 年末计提 30000.00 CNY, 应为 28301.89 CNY", errors[0].message)
        self.assertEqual(errors[0].entry.narration, "年末计提")
        # not duplicated by a generated one
        self.assertEqual(
            len([e for e in entries if isinstance(e, data.Transaction) and "accrual" in e.tags]), 1
        )

    @load_doc()
    def test_listed_twice_adds_one_summary_and_one_accrual(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True}"
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2026-01-10 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
          invoice-no: "X1"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        customs = [e for e in entries if isinstance(e, data.Custom) and e.type == "tmall-annual-fee"]
        self.assertEqual(len(customs), 1)
        self.assertEqual(
            len([e for e in entries if isinstance(e, data.Transaction) and "accrual" in e.tags]), 2
        )
        self.assertEqual(expense_by_year(entries)[2025], Decimal("28301.89"))

    def test_pro_rata_rounds_half_up_in_a_leap_year(self):
        # 60000.01 × 183/366 = 30000.005 → 30000.01 (half-even would give 30000.00).
        entries, errors, _ = loader.load_string(
            CHART
            + textwrap.dedent(
                """
                2024-01-02 * "支付宝" "技术服务费年费代扣2024"
                  Assets:1221-其他应收款:122104-天猫年费       60000.01 CNY
                  Assets:1012-其他货币资金:101201-支付宝      -60000.01 CNY
                """
            )
        )
        self.assertFalse(errors)
        years = annual_fee.annual_fee_years(entries, {"fee": "60000.01", "closed": "2024-07-01"})
        fy = years[2024]
        self.assertEqual((fy.days_open, fy.days_in_year), (183, 366))
        self.assertEqual(fy.incurred, Decimal("30000.01"))
        self.assertEqual(fy.expected_expense, Decimal("30000.01"))
        self.assertEqual(fy.expected_refund, Decimal("30000.00"))
        self.assertEqual(fy.status, "open")

    def test_unconfigured_fee_is_the_deduction(self):
        entries, errors, _ = loader.load_string(
            CHART
            + textwrap.dedent(
                """
                2025-01-02 * "支付宝" "2025-01-02 支付宝结算"
                  Assets:1221-其他应收款:122104-天猫年费       60000.00 CNY
                  Assets:1012-其他货币资金:101201-支付宝      -60000.00 CNY
                """
            )
        )
        fy = annual_fee.annual_fee_years(entries)[2025]
        self.assertEqual(
            (fy.fee, fy.expected_refund, fy.expected_expense),
            (Decimal("60000.00"), 0, Decimal("60000.00")),
        )

    @load_doc(expect_errors=True)
    def test_bad_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'refund': 1}"
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("未知的配置项 'refund'", errors[0].message)

    @load_doc(expect_errors=True)
    def test_bad_settlement(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'settlement': 'year end'}"

        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("配置有误", errors[0].message)


class TestFeeYear(cmptest.TestCase):
    """``fee-year`` posting metadata (the importer keeps the year named in the 备注)."""

    @load_doc()
    def test_refund_of_2024_in_a_day_that_also_deducts_2025(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('100000', '1.0')]}"

        2024-01-02 * "支付宝" "技术服务费年费代扣2024"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
            fee-year: "2024"
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        2024-05-01 * "支付宝" "2024-05-01 支付宝结算" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      113000.00 CNY
          Income:6001-主营业务收入                   -113000.00 CNY

        ; one day's statement entry: 2025's fee taken and 2024's refunded, kept apart by fee-year
        2025-01-05 * "支付宝" "2025-01-05 支付宝结算 2 笔"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
            fee-year: "2025"
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
            fee-year: "2024"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY

        2025-02-01 balance Assets:1221-其他应收款:122104-天猫年费  30000.00 CNY
        """
        years = summaries(entries)
        self.assertEqual(years["2024"].meta["status"], "settled")
        self.assertEqual(years["2024"].meta["outstanding"], cny("0.00"))
        self.assertEqual(years["2025"].meta["deducted"], cny("30000.00"))
        self.assertEqual(years["2025"].meta["outstanding"], cny("30000.00"))
        self.assertEqual(years["2025"].meta["refunded"], cny("0.00"))

    @load_doc(expect_errors=True)
    def test_fee_year_overrides_the_oldest_open_year(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'thresholds': [('100000', '1.0')], 'settlement': '12-31', 'grace_days': 60}"

        ; 2023 left 500.00 open (a wrong amount nobody cleared)
        2023-01-02 * "支付宝" "技术服务费年费代扣2023"
          Assets:1221-其他应收款:122104-天猫年费       30500.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30500.00 CNY
        2023-03-01 * "支付宝" "2023 sales" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      113000.00 CNY
          Income:6001-主营业务收入                   -113000.00 CNY
        2023-12-20 * "支付宝" "技术服务费年费返还2023"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY

        ; 2025's fee taken early, on 2024-12-30: by its date it would count in 2024
        2024-01-02 * "支付宝" "技术服务费年费代扣2024"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
        2024-03-01 * "支付宝" "2024 sales" #tmall-sale
          Assets:1012-其他货币资金:101201-支付宝      113000.00 CNY
          Income:6001-主营业务收入                   -113000.00 CNY
        2024-12-30 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
            fee-year: "2025"
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY

        ; without fee-year this refund would clear 2023 (the oldest open year) first
        2025-01-20 * "支付宝" "技术服务费年费返还2024"
          Assets:1012-其他货币资金:101201-支付宝       30000.00 CNY
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
            fee-year: "2024"

        2025-03-05 balance Assets:1221-其他应收款:122104-天猫年费  30500.00 CNY
        """
        years = summaries(entries)
        self.assertEqual(
            {y: (s.meta["deducted"], s.meta["refunded"], s.meta["status"]) for y, s in years.items()},
            {
                "2023": (cny("30500.00"), cny("30000.00"), "unsettled"),
                "2024": (cny("30000.00"), cny("30000.00"), "settled"),
                "2025": (cny("30000.00"), cny("0.00"), "open"),
            },
        )
        # Only 2023 is in error: its 500.00, not 2024's refund.
        self.assertTrue(errors)
        self.assertTrue(all("年费 2023" in e.message for e in errors), [e.message for e in errors])

    @load_doc()
    def test_without_fee_year_the_oldest_open_year_is_cleared(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000', 'accrue': True}"

        2024-01-02 * "支付宝" "技术服务费年费代扣2024"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
        2025-01-02 * "支付宝" "技术服务费年费代扣2025"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
        2025-01-20 * "浙江天猫技术有限公司" "年度技术服务费发票" #invoice
          invoice-no: "1"
          Assets:1221-其他应收款:122104-天猫年费      -30000.00 CNY
        """
        years = annual_fee.annual_fee_years(entries)
        self.assertEqual((years[2024].invoiced, years[2025].invoiced), (Decimal("30000.00"), Decimal("0")))

    @load_doc(expect_errors=True)
    def test_unreadable_fee_year(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.annual_fee"

        2025-01-02 * "支付宝" "技术服务费年费代扣"
          Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
            fee-year: "明年"
          Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("fee-year 不是年份: '明年'", errors[0].message)
