"""库存商品 (plugin ``inventory``): the ledger in each docstring, the whole chart opened."""

from beancount.parser import cmptest
from conftest import load_doc_with_chart as load_doc

from beancount_tmall.plugins import PLUGINS, inventory


def messages(errors):
    return [e.message for e in errors]


class TestInventory(cmptest.TestCase):
    def test_listed_last_in_plugins(self):
        self.assertEqual(PLUGINS[-1], "beancount_tmall.plugins.inventory")

    @load_doc(expect_errors=False)
    def test_purchase_then_cogs_stays_clean(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        2025-03-01 * "龙井茶厂" "采购 龙井茶 250g 40 件, 白茶 10 件"
          Assets:1405-库存商品                          1200.00 CNY
            sku: "LJ-250"
            quantity: "40"
          Assets:1405-库存商品                           181.23 CNY
            sku: "BC-100"
            quantity: "10"
          Assets:1002-银行存款                        -1381.23 CNY

        2025-03-31 * "结转" "2025-03 结转已销商品成本 41 件" #cogs
          period: "2025-03"
          Expenses:6401-主营业务成本   1200.00 CNY
            sku: "LJ-250"
            quantity: "40"
            unit-cost: "30.00 CNY"
          Assets:1405-库存商品        -1200.00 CNY
            sku: "LJ-250"
            quantity: "-40"
          Expenses:6401-主营业务成本     18.12 CNY
            sku: "BC-100"
            quantity: "1"
            unit-cost: "18.1234 CNY"
          Assets:1405-库存商品          -18.12 CNY
            sku: "BC-100"
            quantity: "-1"
        """

    @load_doc(expect_errors=True)
    def test_selling_more_than_bought_is_an_error_at_the_cogs_entry(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        2025-03-01 * "龙井茶厂" "采购 龙井茶 250g 40 件"
          Assets:1405-库存商品                          1200.00 CNY
            sku: "LJ-250"
            quantity: "40"
          Assets:1002-银行存款                        -1200.00 CNY

        2025-03-31 * "结转" "2025-03 结转已销商品成本 45 件" #cogs
          period: "2025-03"
          Expenses:6401-主营业务成本   1350.00 CNY
            sku: "LJ-250"
            quantity: "45"
            unit-cost: "30.00 CNY"
          Assets:1405-库存商品        -1350.00 CNY
            sku: "LJ-250"
            quantity: "-45"

        2025-04-02 * "龙井茶厂" "采购 龙井茶 250g 10 件"
          Assets:1405-库存商品                           300.00 CNY
            sku: "LJ-250"
            quantity: "10"
          Assets:1002-银行存款                         -300.00 CNY
        """
        self.assertEqual(messages(errors), [
            "库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 商家编码 LJ-250 数量 -5, 金额 -150.00 CNY; "
            "先记入采购 (借 库存商品, 带 sku 与 quantity) 或更正该分录 (stock of a SKU goes negative)",
            "库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 合计 -150.00 CNY; "
            "先记入采购 (借 库存商品, 带 sku 与 quantity) 或更正该分录 (stock goes negative)",
        ])
        self.assertEqual([e.entry.narration for e in errors], ["2025-03 结转已销商品成本 45 件"] * 2)
        self.assertEqual({e.source["lineno"] for e in errors}, {errors[0].entry.meta["lineno"]})

    @load_doc(expect_errors=False)
    def test_judged_at_the_end_of_the_day(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        ; the goods leave before the purchase is written, on the same day: the day ends at zero
        2025-03-31 * "结转" "2025-03 结转已销商品成本 2 件" #cogs
          Expenses:6401-主营业务成本   60.00 CNY
            sku: "LJ-250"
            quantity: "2"
          Assets:1405-库存商品        -60.00 CNY
            sku: "LJ-250"
            quantity: "-2"

        2025-03-31 * "龙井茶厂" "采购 龙井茶 250g 2 件"
          Assets:1405-库存商品           60.00 CNY
            sku: "LJ-250"
            quantity: "2"
          Assets:1002-银行存款         -60.00 CNY
        """

    @load_doc(expect_errors=True)
    def test_one_sku_negative_while_the_total_is_not(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        2025-03-01 * "茶厂" "采购 白茶 10 件"
          Assets:1405-库存商品          200.00 CNY
            sku: "BC-100"
            quantity: "10"
          Assets:1002-银行存款        -200.00 CNY

        2025-03-31 * "结转" "2025-03 结转已销商品成本 1 件" #cogs
          Expenses:6401-主营业务成本   30.00 CNY
            sku: "LJ-250"
            quantity: "1"
          Assets:1405-库存商品        -30.00 CNY
            sku: "LJ-250"
            quantity: "-1"

        2025-04-30 * "结转" "2025-04 结转已销商品成本 1 件" #cogs
          Expenses:6401-主营业务成本   30.00 CNY
            sku: "LJ-250"
            quantity: "1"
          Assets:1405-库存商品        -30.00 CNY
            sku: "LJ-250"
            quantity: "-1"
        """
        # reported once, when it turns negative (still negative on 04-30: not again)
        self.assertEqual(messages(errors), [
            "库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 商家编码 LJ-250 数量 -1, 金额 -30.00 CNY; "
            "先记入采购 (借 库存商品, 带 sku 与 quantity) 或更正该分录 (stock of a SKU goes negative)",
        ])

    @load_doc(expect_errors=True)
    def test_reported_again_after_it_came_back(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        2025-03-01 * "结转" "缺货出库"
          Expenses:6401-主营业务成本   30.00 CNY
          Assets:1405-库存商品        -30.00 CNY

        2025-03-02 * "茶厂" "采购"
          Assets:1405-库存商品          30.00 CNY
          Assets:1002-银行存款        -30.00 CNY

        2025-03-03 * "结转" "又缺货出库"
          Expenses:6401-主营业务成本   10.00 CNY
          Assets:1405-库存商品        -10.00 CNY
        """
        self.assertEqual([(str(e.entry.date), e.message.split("为负:")[1].split(";")[0]) for e in errors], [
            ("2025-03-01", " 合计 -30.00 CNY"),
            ("2025-03-03", " 合计 -10.00 CNY"),
        ])

    @load_doc(expect_errors=True)
    def test_sku_and_quantity_go_together_with_the_amounts_sign(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory"

        2025-03-01 * "茶厂" "采购"
          Assets:1405-库存商品          100.00 CNY
            sku: "LJ-250"
          Assets:1405-库存商品          100.00 CNY
            quantity: "3"
          Assets:1405-库存商品          100.00 CNY
            sku: "BC-100"
            quantity: "-3"
          Assets:1405-库存商品          100.00 CNY
            sku: "HC-050"
            quantity: "三"
          Assets:1002-银行存款        -400.00 CNY
        """
        self.assertEqual(messages(errors), [
            "库存商品 Assets:1405-库存商品: 商家编码 LJ-250 没有 quantity (数量); a posting with sku needs quantity",
            "库存商品 Assets:1405-库存商品: 有 quantity '3' 但没有 sku (商家编码); quantity without sku",
            "库存商品 Assets:1405-库存商品: 商家编码 BC-100 的 quantity -3 与金额 100.00 方向不符; "
            "quantity and amount differ in sign",
            "库存商品 Assets:1405-库存商品: 商家编码 HC-050 的 quantity '三' 不是数字; quantity is not a number",
        ])
        # each at its posting's line
        self.assertEqual(len({e.source["lineno"] for e in errors}), 4)

    @load_doc(expect_errors=False)
    def test_per_sku_off(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.inventory" "{'per_sku': False}"

        2025-03-01 * "茶厂" "采购 (期初库存, 不分商家编码)"
          Assets:1405-库存商品          100.00 CNY
          Assets:1002-银行存款        -100.00 CNY

        2025-03-31 * "结转" "结转" #cogs
          Expenses:6401-主营业务成本   30.00 CNY
            sku: "LJ-250"
            quantity: "1"
          Assets:1405-库存商品        -30.00 CNY
            sku: "LJ-250"
            quantity: "-1"
        """

    def test_a_bad_config_is_an_error(self):
        _, errors = inventory.inventory([], {}, "{'accounts': 'not an account'}")
        self.assertIn("accounts 须为科目名列表", errors[0].message)
        _, errors = inventory.inventory([], {}, "{'colour': 1}")
        self.assertIn("未知的配置项 'colour'", errors[0].message)
