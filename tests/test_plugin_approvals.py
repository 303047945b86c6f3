"""售后赔付审批 (plugin ``approvals``): the ledger in each docstring, the whole chart opened."""

from decimal import Decimal

from beancount.parser import cmptest
from conftest import load_doc_with_chart as load_doc

from beancount_tmall.plugins import PLUGINS, approvals


def messages(errors):
    return [e.message for e in errors]


class TestApprovals(cmptest.TestCase):
    def test_listed_after_consumer_points_and_before_suspense(self):
        names = list(PLUGINS)
        self.assertLess(names.index("beancount_tmall.plugins.consumer_points"),
                        names.index("beancount_tmall.plugins.breakage"))
        self.assertLess(names.index("beancount_tmall.plugins.breakage"),
                        names.index("beancount_tmall.plugins.approvals"))
        self.assertLess(names.index("beancount_tmall.plugins.approvals"),
                        names.index("beancount_tmall.plugins.suspense"))

    @load_doc(expect_errors=True)
    def test_imported_rows_without_approval_say_what_to_add(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔"
          Assets:1012-其他货币资金:101201-支付宝             -67.00 CNY
          Expenses:6601-销售费用:660105-售后赔付               5.00 CNY
            alipay-serial: "20250315200040011100123400000002"
            order-id: "4012345678901234"
            reason: "好评返现"
            memo: "转账 好评返现{4012345678901234}"
          Expenses:6601-销售费用:660105-售后赔付              12.00 CNY
            alipay-serial: "20250315200040011100123400000004"
            order-id: "4012345678901234"
            reason: "质量问题折价"
            memo: "转账 质量问题折价 订单号:4012345678901234"
          Expenses:6601-销售费用:660105-售后赔付              50.00 CNY
            alipay-serial: "20250315200040011100123400000005"
            reason: "延迟发货"
            approved-by: "李娜"
        """
        self.assertEqual(
            messages(errors),
            [
                '售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 5.00 CNY (订单 4012345678901234, 原因 "好评返现"): '
                '没有审批; 需 销售经理 或更高职务审批 (核决权限 1000.00元以下): 请在该行下加 approved-by: "姓名" 和 '
                'approver-role: "销售经理" (或更高: 主管, 副总经理, 总经理) '
                "(compensation of 5.00 CNY not approved; needs 销售经理 or higher)",
                '售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 12.00 CNY (订单 4012345678901234, 原因 "质量问题折价"): '
                "没有审批; 需 主管 或更高职务审批 (质量问题补偿 12.00 超过邮费 (未写明邮费)): 请在该行下加 "
                'approved-by: "姓名" 和 approver-role: "主管" (或更高: 副总经理, 总经理) '
                "(compensation of 12.00 CNY not approved; needs 主管 or higher)",
                '售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 50.00 CNY (原因 "延迟发货"): 审批不完整 '
                '(只有 approved-by 李娜); 需 销售经理 或更高职务审批 (核决权限 1000.00元以下): 请在该行下加 approved-by: '
                '"姓名" 和 approver-role: "销售经理" (或更高: 主管, 副总经理, 总经理) '
                "(compensation of 50.00 CNY not approved; needs 销售经理 or higher)",
            ],
        )
        # Each at its posting's line, so bean-check points at where to write the approval.
        lines = [e.source["lineno"] for e in errors]
        postings = [p for p in entries[-1].postings if p.account.endswith("售后赔付")]
        self.assertEqual(lines, [p.meta["lineno"] for p in postings])

    @load_doc()
    def test_approved_postings_and_entries_are_fine(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals"

        2025-03-15 * "支付宝" "2025-03-15 支付宝结算 2 笔"
          Assets:1012-其他货币资金:101201-支付宝             -17.00 CNY
          Expenses:6601-销售费用:660105-售后赔付               5.00 CNY
            reason: "好评返现"
            approved-by: "张伟"
            approver-role: "销售经理"
          Expenses:6601-销售费用:660105-售后赔付              12.00 CNY
            reason: "质量问题折价"
            postage: "12.00 CNY"
            approved-by: "张伟"
            approver-role: "销售经理"

        ; the approval on the entry covers each of its postings; a higher role approves a lower band
        2025-03-16 * "买家" "售后补偿" ^complaint-2025-007
          approved-by: "赵总"
          approver-role: "总经理"
          Expenses:6601-销售费用:660105-售后赔付             800.00 CNY
          Expenses:6601-销售费用:660105-售后赔付            1200.00 CNY
          Assets:1012-其他货币资金:101201-支付宝           -2000.00 CNY

        ; credits (money recovered) need no approval
        2025-03-17 * "退回" "多付补偿退回"
          Assets:1012-其他货币资金:101201-支付宝              5.00 CNY
          Expenses:6601-销售费用:660105-售后赔付              -5.00 CNY
        """
        checks, _ = approvals.approval_checks(entries)
        self.assertEqual(
            [(c.amount, c.required, c.approved) for c in checks],
            [(Decimal("5.00"), "销售经理", True), (Decimal("12.00"), "销售经理", True),
             (Decimal("800.00"), "销售经理", True), (Decimal("1200.00"), "副总经理", True)],
        )

    @load_doc(expect_errors=True)
    def test_bands_at_their_limits_and_insufficient_roles(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals"

        2025-03-15 * "买家" "赔付"
          Assets:1012-其他货币资金:101201-支付宝          -12001.01 CNY
          Expenses:6601-销售费用:660105-售后赔付            1000.00 CNY
            approved-by: "张伟"
            approver-role: "销售经理"
          Expenses:6601-销售费用:660105-售后赔付            1000.01 CNY
            approved-by: "王芳"
            approver-role: "主管"
          Expenses:6601-销售费用:660105-售后赔付            5000.00 CNY
            approved-by: "刘副总"
            approver-role: "副总经理"
          Expenses:6601-销售费用:660105-售后赔付            5001.00 CNY
            approved-by: "刘副总"
            approver-role: "副总经理"
        """
        self.assertEqual(
            messages(errors),
            [
                "售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 1000.01 CNY: 审批人 王芳 (主管) 权限不足, "
                "需 副总经理 或更高职务审批 (核决权限 1000.00-5000.00元): 请在该行下加 approved-by: \"姓名\" 和 "
                'approver-role: "副总经理" (或更高: 总经理) (approval by 主管 insufficient for 1000.01 CNY; '
                "needs 副总经理 or higher)",
                "售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 5001.00 CNY: 审批人 刘副总 (副总经理) 权限不足, "
                "需 总经理审批 (核决权限 5000.00元以上): 请在该行下加 approved-by: \"姓名\" 和 approver-role: \"总经理\" "
                "(approval by 副总经理 insufficient for 5001.00 CNY; needs 总经理 or higher)",
            ],
        )

    @load_doc(expect_errors=True)
    def test_quality_compensation_above_postage_needs_a_supervisor(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals"

        ; within the postage: the sales manager suffices
        2025-03-15 * "买家" "质量问题补偿"
          order-id: "4012345678901234"
          postage: "10.00 CNY"
          Expenses:6601-销售费用:660105-售后赔付              10.00 CNY
            reason: "质量问题折价"
            approved-by: "张伟"
            approver-role: "销售经理"
          Assets:1012-其他货币资金:101201-支付宝             -10.00 CNY

        ; above it: 主管 or higher
        2025-03-16 * "买家" "质量问题补偿"
          postage: 10
          Expenses:6601-销售费用:660105-售后赔付              10.01 CNY
            order-id: "4012345678901299"
            reason: "质量问题折价"
            approved-by: "张伟"
            approver-role: "销售经理"
          Assets:1012-其他货币资金:101201-支付宝             -10.01 CNY

        2025-03-17 * "买家" "质量问题补偿"
          postage: "10.00 CNY"
          Expenses:6601-销售费用:660105-售后赔付              30.00 CNY
            reason: "质量问题折价"
            approved-by: "王芳"
            approver-role: "主管"
          Assets:1012-其他货币资金:101201-支付宝             -30.00 CNY

        ; a band above 主管 covers the quality rule
        2025-03-18 * "买家" "质量问题补偿"
          Expenses:6601-销售费用:660105-售后赔付            1500.00 CNY
            reason: "质量问题"
            approved-by: "刘副总"
            approver-role: "副总经理"
          Assets:1012-其他货币资金:101201-支付宝           -1500.00 CNY
        """
        self.assertEqual(
            messages(errors),
            [
                '售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 10.01 CNY (订单 4012345678901299, 原因 "质量问题折价"): '
                "审批人 张伟 (销售经理) 权限不足, 需 主管 或更高职务审批 (质量问题补偿 10.01 超过邮费 (邮费 10.00)): "
                '请在该行下加 approved-by: "姓名" 和 approver-role: "主管" (或更高: 副总经理, 总经理) '
                "(approval by 销售经理 insufficient for 10.01 CNY; needs 主管 or higher)",
            ],
        )

    @load_doc(expect_errors=True)
    def test_discount_against_revenue_is_checked_with_its_vat(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.approvals"

        ; a 折价 given as a partial refund: revenue and 销项税额 together are what the buyer got
        2025-03-15 * "支付宝" "售后退款 折价"
          reason: "质量问题折价"
          postage: "8.00 CNY"
          Income:6001-主营业务收入                           1130.00 CNY
          Assets:1012-其他货币资金:101201-支付宝            -1130.00 CNY

        ; an ordinary refund is not a discount
        2025-03-16 * "支付宝" "售后退款"
          reason: "七天无理由"
          Income:6001-主营业务收入                            500.00 CNY
          Assets:1012-其他货币资金:101201-支付宝             -500.00 CNY
        """
        checks, _ = approvals.approval_checks(entries)
        self.assertEqual([(c.amount, c.required) for c in checks], [(Decimal("1130.00"), "副总经理")])
        self.assertEqual(len(errors), 1)
        self.assertIn("Income:6001-主营业务收入 1130.00 CNY (原因 \"质量问题折价\"): 没有审批; 需 副总经理 或更高职务审批",
                      errors[0].message)

    @load_doc(expect_errors=True)
    def test_configured_roles_bands_and_postage(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals" "{'roles': ['主管', '店长', '老板'], 'bands': [('200', '主管'), (None, '店长')], 'quality_role': '店长', 'default_postage': '15', 'accounts': ['Expenses:6601-销售费用:660105-售后赔付', 'Expenses:6711-营业外支出']}"

        2025-03-15 * "买家" "补偿"
          Expenses:6601-销售费用:660105-售后赔付             200.00 CNY
            approved-by: "王芳"
            approver-role: "主管"
          Expenses:6601-销售费用:660105-售后赔付              15.00 CNY
            reason: "质量问题"
            approved-by: "王芳"
            approver-role: "主管"
          Expenses:6601-销售费用:660105-售后赔付              16.00 CNY
            reason: "质量问题"
            approved-by: "王芳"
            approver-role: "主管"
          Expenses:6711-营业外支出                            300.00 CNY
            approved-by: "老李"
            approver-role: "老板"
          Expenses:6711-营业外支出                             20.00 CNY
            approved-by: "王芳"
            approver-role: "副总经理"
          Assets:1012-其他货币资金:101201-支付宝             -551.00 CNY
        """
        self.assertEqual(len(errors), 2, messages(errors))
        self.assertIn("16.00 CNY (原因 \"质量问题\"): 审批人 王芳 (主管) 权限不足, 需 店长 或更高职务审批 "
                      "(质量问题补偿 16.00 超过邮费 (邮费 15.00))", errors[0].message)
        self.assertIn("审批职务 '副总经理' 不在职务表 主管 < 店长 < 老板 中", errors[1].message)

    @load_doc(expect_errors=True)
    def test_bad_config_and_unreadable_postage(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals" "{'bands': [('5000', '副总经理'), ('1000', '销售经理')]}"

        2025-03-15 * "买家" "补偿"
          Expenses:6601-销售费用:660105-售后赔付              10.00 CNY
            reason: "质量问题"
            postage: "十元"
            approved-by: "王芳"
            approver-role: "主管"
          Assets:1012-其他货币资金:101201-支付宝             -10.00 CNY
        """
        text = messages(errors)
        self.assertEqual(len(text), 2, text)
        self.assertIn("bands 的上限须递增", text[0])
        self.assertIn("按默认设置检查", text[0])
        self.assertIn("postage '十元' 不是金额", text[1])

    def test_read_config_refuses_inconsistent_settings(self):
        for bad in (
            {"bands": [("1000", "出纳")]},
            {"bands": [(None, "总经理"), ("1000", "销售经理")]},
            {"bands": []},
            {"bands": [("1000", "总经理"), (None, "销售经理")]},
            {"bands": [("1000", "销售经理"), ("x", "总经理")]},
            {"reason_keywords": [1]},
            {"roles": ["主管", "主管"]},
            {"quality_role": "出纳"},
            {"accounts": ["not an account"]},
            {"default_postage": "十元"},
        ):
            config, errors = approvals.read_config(bad)
            self.assertEqual(len(errors), 1, bad)
            self.assertEqual(config["roles"], tuple(approvals.DEFAULTS["roles"]))
        config, errors = approvals.read_config(None)
        self.assertEqual(errors, [])
        self.assertEqual(config["bands"][0], (Decimal("1000"), "销售经理"))
        config, errors = approvals.read_config({"reason_keywords": None, "bands": [("1000", "销售经理")]})
        self.assertEqual((errors, config["reason_keywords"]), ([], ()))
        self.assertEqual(approvals._band_role(Decimal("5000"), config["bands"]), ("销售经理", "1000.00元以上"))

    @load_doc(expect_errors=True)
    def test_listed_twice_reports_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.approvals"
        plugin "beancount_tmall.plugins.approvals"

        2025-03-15 * "买家" "补偿"
          Expenses:6601-销售费用:660105-售后赔付              10.00 CNY
          Assets:1012-其他货币资金:101201-支付宝             -10.00 CNY
        """
        self.assertEqual(len(errors), 1)
