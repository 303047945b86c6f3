"""破损 (plugin ``breakage``): the ledger in each docstring, the whole chart opened.

A ``document`` must name a file that exists (Beancount checks it), so each test's ledger is written
as ``main.beancount`` into a temporary folder together with the photo files the test lists, and
loaded from there: the document paths in the docstrings are relative to the ledger, as in a store's.
"""

from beancount.parser import cmptest
from conftest import chart_text, load_doc_with_chart

from beancount_tmall.plugins import PLUGINS, breakage


def load_doc_with_files(*files, expect_errors=False):
    """``load_doc`` with the chart opened and ``files`` (paths relative to the ledger) created."""
    return load_doc_with_chart(expect_errors=expect_errors, files=files)


def messages(errors):
    return [e.message for e in errors]


class TestBreakage(cmptest.TestCase):
    def test_listed_in_plugins(self):
        self.assertIn("beancount_tmall.plugins.breakage", PLUGINS)

    @load_doc_with_files("photos/PS202503001-1.jpg", "photos/PS202503001-2.jpg")
    def test_breakage_with_number_and_linked_photos_is_fine(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "仓库" "破损: 玻璃杯 2 件运输破损" ^breakage-PS202503001
          breakage-no: "PS202503001"
          Expenses:6401-主营业务成本:640102-破损      60.00 CNY
          Assets:1405-库存商品                      -60.00 CNY

        2025-03-20 document Expenses:6401-主营业务成本:640102-破损 "photos/PS202503001-1.jpg" ^breakage-PS202503001
        2025-03-21 document Expenses:6401-主营业务成本:640102-破损 "photos/PS202503001-2.jpg" ^breakage-PS202503001
        """
        orders, missing = breakage.breakage_orders(entries)
        self.assertEqual(missing, [])
        self.assertEqual(list(orders), ["PS202503001"])
        self.assertEqual(len(orders["PS202503001"].photos), 2)

    @load_doc_with_files(expect_errors=True)
    def test_breakage_without_number_is_an_error_at_its_posting(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "仓库" "破损: 玻璃杯 2 件"
          Expenses:6401-主营业务成本:640102-破损      60.00 CNY
          Assets:1405-库存商品                      -60.00 CNY
        """
        self.assertEqual(
            messages(errors),
            [
                '破损 Expenses:6401-主营业务成本:640102-破损 60.00 CNY (2025-03-20 "破损: 玻璃杯 2 件") 没有破损单号: '
                '请在分录或该行下写 breakage-no: "破损单号", 并以 document 分录附上拍照资料 ^breakage-<破损单号> '
                "(breakage posting without breakage-no)"
            ],
        )
        # At the posting's own line (the ledger is the chart, then the docstring).
        self.assertEqual(errors[0].source["lineno"], len(chart_text().splitlines()) + 5)

    @load_doc_with_files("photos/other.jpg", expect_errors=True)
    def test_number_without_photo_is_an_error(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "退货" "退货不可再售: 订单 4012345678901234"
          Expenses:6401-主营业务成本:640102-破损      30.00 CNY
            breakage-no: "PS202503002"
          Expenses:6401-主营业务成本                -30.00 CNY

        ; a photo of another breakage order does not count
        2025-03-20 document Expenses:6401-主营业务成本:640102-破损 "photos/other.jpg" ^breakage-PS202503009
        """
        self.assertEqual(
            messages(errors),
            [
                "破损 Expenses:6401-主营业务成本:640102-破损 30.00 CNY (破损单 PS202503002) 没有拍照资料: "
                '请添加 document 分录, 如 2025-03-20 document Expenses:6401-主营业务成本:640102-破损 '
                '"photos/PS202503002.jpg" ^breakage-PS202503002 (breakage PS202503002 has no photo document)'
            ],
        )

    @load_doc_with_files(
        "photos/a.jpg", "documents/Expenses/6401-主营业务成本/640102-破损/2025-03-22.breakage-PS003-1.jpg"
    )
    def test_photo_by_document_metadata_or_file_name(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "仓库" "破损 A"
          breakage-no: "PS002"
          Expenses:6401-主营业务成本:640102-破损      10.00 CNY
          Assets:1405-库存商品                      -10.00 CNY

        2025-03-22 * "仓库" "破损 B"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
            breakage-no: "PS003"
          Assets:1405-库存商品                      -12.00 CNY

        2025-03-20 document Expenses:6401-主营业务成本:640102-破损 "photos/a.jpg"
          breakage-no: "PS002"
        2025-03-22 document Expenses:6401-主营业务成本:640102-破损 "documents/Expenses/6401-主营业务成本/640102-破损/2025-03-22.breakage-PS003-1.jpg"
        """
        orders, _ = breakage.breakage_orders(entries)
        self.assertEqual({n: len(o.photos) for n, o in orders.items()}, {"PS002": 1, "PS003": 1})

    @load_doc_with_files("p/PS0031.jpg", expect_errors=True)
    def test_a_file_name_holding_a_longer_number_is_not_a_photo(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-22 * "仓库" "破损"
          breakage-no: "PS003"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
          Assets:1405-库存商品                      -12.00 CNY

        2025-03-22 document Expenses:6401-主营业务成本:640102-破损 "p/PS0031.jpg" ^breakage-PS0031
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("破损单 PS003) 没有拍照资料", errors[0].message)

    @load_doc_with_files(expect_errors=True)
    def test_sub_accounts_config_and_bad_numbers(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage" "{'require_photo': False, 'accounts': ['Expenses:6711-营业外支出']}"

        2025-01-01 open Expenses:6711-营业外支出:671102-报废

        2025-03-20 * "仓库" "报废"
          breakage-no: "PS 001"
          Expenses:6711-营业外支出:671102-报废      10.00 CNY
          Assets:1405-库存商品                    -10.00 CNY

        ; not watched under this config: no number needed
        2025-03-21 * "仓库" "破损"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
          Assets:1405-库存商品                      -12.00 CNY

        2025-03-22 * "仓库" "报废 (无需照片)"
          breakage-no: "PS002"
          Expenses:6711-营业外支出:671102-报废      10.00 CNY
          Assets:1405-库存商品                    -10.00 CNY
        """
        self.assertEqual(len(errors), 1)
        self.assertIn("破损单号 'PS 001' 只能由字母、数字和 - _ . / 组成", errors[0].message)

    @load_doc_with_files(expect_errors=True)
    def test_bad_config_is_an_error_and_the_defaults_run(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage" "{'accounts': 'not an account', 'photos': 1}"

        2025-03-20 * "仓库" "破损"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
          Assets:1405-库存商品                      -12.00 CNY
        """
        text = messages(errors)
        self.assertEqual(len(text), 3)
        self.assertTrue(any("未知的配置项 'photos'" in m for m in text))
        self.assertTrue(any("accounts 须为科目列表" in m for m in text))
        self.assertTrue(any("没有破损单号" in m for m in text))

    @load_doc_with_files(expect_errors=True)
    def test_listed_twice_reports_once(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "仓库" "破损"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
          Assets:1405-库存商品                      -12.00 CNY
        """
        self.assertEqual(len(errors), 1)

    @load_doc_with_files(expect_errors=True)
    def test_a_missing_photo_file_is_reported_by_beancount(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.breakage"

        2025-03-20 * "仓库" "破损" ^breakage-PS1
          breakage-no: "PS1"
          Expenses:6401-主营业务成本:640102-破损      12.00 CNY
          Assets:1405-库存商品                      -12.00 CNY

        2025-03-20 document Expenses:6401-主营业务成本:640102-破损 "photos/PS1.jpg" ^breakage-PS1
        """
        # The plugin counts the document; Beancount says the file is not there.
        self.assertEqual(len(errors), 1)
        self.assertIn("File does not exist", errors[0].message)
