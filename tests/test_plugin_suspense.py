"""待核对 (plugin ``suspense``): the ledger in each docstring, the whole chart opened."""

import datetime
from decimal import Decimal

from beancount.parser import cmptest
from conftest import load_doc_with_chart as load_doc

from beancount_tmall.plugins import PLUGINS, suspense


def messages(errors):
    return [e.message for e in errors]


class TestSuspense(cmptest.TestCase):
    def test_listed_in_plugins(self):
        self.assertIn("beancount_tmall.plugins.suspense", PLUGINS)

    @load_doc(expect_errors=True)
    def test_open_row_older_than_max_days_is_an_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense"

        2025-03-02 ! "支付宝" "2025-03-02 支付宝结算 2 笔"
          Assets:1012-其他货币资金:101201-支付宝       -150.00 CNY
          Assets:1221-其他应收款:122199-待核对           120.00 CNY
            source-file: "statements/2025-03.csv"
            source-line: "57"
            alipay-serial: "20250302123456"
            memo: "转账 代扣款（扣款用途：某服务费）"
          Assets:1221-其他应收款:122199-待核对            30.00 CNY
            source-file: "statements/2025-03.csv"
            source-line: "58"
            alipay-serial: "20250302123457"
            memo: "转账 张*"

        ; 31 days later: the second row is still within 30 days of today (2025-04-02)
        2025-03-05 ! "支付宝" "2025-03-05 支付宝结算 1 笔"
          Assets:1012-其他货币资金:101201-支付宝        -10.00 CNY
          Assets:1221-其他应收款:122199-待核对            10.00 CNY
            source-file: "statements/2025-03.csv"
            source-line: "90"
            alipay-serial: "20250305000001"
            memo: "转账"

        2025-04-02 balance Assets:1012-其他货币资金:101201-支付宝  -160.00 CNY
        """
        self.assertEqual(
            messages(errors),
            [
                "待核对 Assets:1221-其他应收款:122199-待核对: 2025-03-02 的 120.00 CNY 已 31 天未核对 "
                "(超过 30 天): 来源 statements/2025-03.csv 第 57 行, 支付宝流水号 20250302123456, "
                '摘要 "转账 代扣款（扣款用途：某服务费）"; 查明后转入正确科目 (unreviewed suspense row, '
                "31 days old)",
                "待核对 Assets:1221-其他应收款:122199-待核对: 2025-03-02 的 30.00 CNY 已 31 天未核对 "
                '(超过 30 天): 来源 statements/2025-03.csv 第 58 行, 支付宝流水号 20250302123457, 摘要 "转账 张*"; '
                "查明后转入正确科目 (unreviewed suspense row, 31 days old)",
            ],
        )
        # Reported at the row's own posting line.
        lines = [e.source["lineno"] for e in errors]
        self.assertEqual(len(set(lines)), 2)
        self.assertTrue(all(e.source["filename"] == errors[0].entry.meta["filename"] for e in errors))
        self.assertLess(errors[0].entry.meta["lineno"], min(lines))
        rows = suspense.open_rows(entries)
        self.assertEqual([(r.amount, r.age, r.overdue) for r in rows], [
            (Decimal("120.00"), 31, True), (Decimal("30.00"), 31, True), (Decimal("10.00"), 28, False),
        ])

    @load_doc()
    def test_within_max_days_is_fine(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense"

        2025-03-02 ! "支付宝" "2025-03-02 支付宝结算 1 笔"
          Assets:1012-其他货币资金:101201-支付宝       -120.00 CNY
          Assets:1221-其他应收款:122199-待核对           120.00 CNY
            alipay-serial: "20250302123456"

        2025-04-01 balance Assets:1012-其他货币资金:101201-支付宝  -120.00 CNY
        """
        self.assertEqual([r.age for r in suspense.open_rows(entries)], [30])

    @load_doc(expect_errors=True)
    def test_max_days_config_and_fifo_clearing(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense" "{'max_days': 10}"

        2025-03-01 ! "支付宝" "row 1"
          Assets:1012-其他货币资金:101201-支付宝       -100.00 CNY
          Assets:1221-其他应收款:122199-待核对           100.00 CNY
            alipay-serial: "A1"

        2025-03-02 ! "支付宝" "row 2"
          Assets:1012-其他货币资金:101201-支付宝        -50.00 CNY
          Assets:1221-其他应收款:122199-待核对            50.00 CNY
            alipay-serial: "A2"

        ; no link: clears the oldest first, A1 whole and 20.00 of A2
        2025-03-10 * "核对" "reviewed"
          Expenses:6601-销售费用:660105-售后赔付            120.00 CNY
          Assets:1221-其他应收款:122199-待核对             -120.00 CNY

        2025-03-31 balance Assets:1221-其他应收款:122199-待核对  30.00 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("2025-03-02 的 30.00 CNY (原额 50.00, 已核对部分已扣除) 已 29 天未核对 (超过 10 天)", errors[0].message)
        self.assertIn("支付宝流水号 A2", errors[0].message)
        self.assertIn("来源不明", errors[0].message)

    @load_doc(expect_errors=True)
    def test_review_link_clears_the_named_row_not_the_oldest(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense"

        2025-01-01 ! "支付宝" "old row"
          Assets:1012-其他货币资金:101201-支付宝       -100.00 CNY
          Assets:1221-其他应收款:122199-待核对           100.00 CNY
            alipay-serial: "OLD"

        2025-03-01 ! "支付宝" "new row"
          Assets:1012-其他货币资金:101201-支付宝       -100.00 CNY
          Assets:1221-其他应收款:122199-待核对           100.00 CNY
            alipay-serial: "NEW"

        ; FIFO alone would clear OLD; the link says NEW was reviewed
        2025-03-02 * "核对" "the new one" ^review-NEW
          Expenses:6601-销售费用:660105-售后赔付            100.00 CNY
          Assets:1221-其他应收款:122199-待核对             -100.00 CNY
        """
        self.assertEqual([r.serial for r in suspense.open_rows(entries)], ["OLD"])
        self.assertEqual(len(errors), 1)
        self.assertIn("2025-01-01 的 100.00 CNY 已 60 天未核对", errors[0].message)
        self.assertIn("支付宝流水号 OLD", errors[0].message)

    def test_open_rows_on_a_given_day(self):
        from beancount import loader

        text = """
        2020-01-01 open Assets:Alipay
        2020-01-01 open Assets:1221-其他应收款:122199-待核对
        2025-01-01 ! "a"
          Assets:Alipay  -100.00 CNY
          Assets:1221-其他应收款:122199-待核对  100.00 CNY
            alipay-serial: "OLD"
        """
        entries, errors, _ = loader.load_string(text, dedent=True)
        assert not errors
        rows = suspense.open_rows(entries, today=datetime.date(2025, 3, 2))
        assert [(r.serial, r.age, r.overdue) for r in rows] == [("OLD", 60, True)]
        rows = suspense.open_rows(entries, "{'max_days': 60}", today=datetime.date(2025, 3, 2))
        assert [(r.serial, r.age, r.overdue) for r in rows] == [("OLD", 60, False)]

    @load_doc(expect_errors=True)
    def test_sub_accounts_credit_rows_and_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense" "{'max_days': 5, 'accounts': ['Assets:1221-其他应收款:122199-待核对', 'Assets:1221-其他应收款:122110-往来转账']}"

        2025-01-01 open Assets:1221-其他应收款:122199-待核对:退款
        2025-03-01 ! "支付宝" "income nobody explained"
          Assets:1012-其他货币资金:101201-支付宝        80.00 CNY
          Assets:1221-其他应收款:122199-待核对:退款     -80.00 CNY
            alipay-serial: "IN1"
        2025-03-01 ! "支付宝" "transfer"
          Assets:1012-其他货币资金:101201-支付宝        -5.00 CNY
          Assets:1221-其他应收款:122110-往来转账          5.00 CNY
        2025-03-10 balance Assets:1012-其他货币资金:101201-支付宝  75.00 CNY
        """
        got = messages(errors)
        self.assertEqual(len(got), 2, got)
        self.assertTrue(got[0].startswith("待核对 Assets:1221-其他应收款:122110-往来转账: 2025-03-01 的 5.00 CNY 已 9 天"))
        self.assertTrue(got[1].startswith("待核对 Assets:1221-其他应收款:122199-待核对:退款: 2025-03-01 的 -80.00 CNY 已 9 天"))

    @load_doc(expect_errors=True)
    def test_bad_config(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense" "{'max_days': 'thirty', 'accounts': 'not an account'}"
        """
        got = messages(errors)
        self.assertEqual(len(got), 2, got)
        self.assertIn("max_days 须为非负整数, 实为 'thirty'", got[0])
        self.assertIn("accounts 须为科目列表", got[1])

    @load_doc(expect_errors=True)
    def test_listed_twice_reports_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense"
        plugin "beancount_tmall.plugins.suspense"

        2025-01-01 ! "支付宝" "row"
          Assets:1012-其他货币资金:101201-支付宝       -100.00 CNY
          Assets:1221-其他应收款:122199-待核对           100.00 CNY
        2025-03-01 balance Assets:1012-其他货币资金:101201-支付宝  -100.00 CNY
        """
        self.assertEqual(len(errors), 1, messages(errors))

    @load_doc()
    def test_empty_ledger_is_not_judged(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.suspense" "{'max_days': 0}"
        """
        self.assertEqual(suspense.open_rows(entries), [])
