"""账簿 (日记账, 三栏式明细账, 总账) and 科目汇总表 on a small ledger with hand-computed figures.

The ledger (``LEDGER``): capital paid in in February (支付宝 3,000.00, 银行存款 5,000.00), then in
March a withdrawal to the bank written last in the file but dated first, a sale, a purchase paid by
bank, a fee, a courier's claim recorded and then received along with a compensation paid to a
buyer (two 支付宝 postings in one entry), and a sale in April. Vouchers of March, by date and line:

    记-001 03-01 提现到银行   记-002 03-02 销售结算   记-003 03-02 采购入库   记-004 03-02 运费险
    记-005 03-08 丢件理赔     记-006 03-10 理赔到账, 赔付买家
"""

import unittest
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from conftest import chart_text, load_doc_with_chart

from beancount_tmall.cli import main
from beancount_tmall.reports import balances, books, render, voucher
from beancount_tmall.reports import trial_balance as tb_lib

D = Decimal
ALIPAY = "Assets:1012-其他货币资金:101201-支付宝"
TAXES = "Liabilities:2221-应交税费"
CLAIMS = "Assets:1221-其他应收款:122111-快递理赔"

LEDGER = """
2025-02-10 * "期初" "投入资本"
  Assets:1012-其他货币资金:101201-支付宝   3000.00 CNY
  Assets:1002-银行存款                     5000.00 CNY
  Equity:4001-实收资本                    -8000.00 CNY

2025-03-02 * "支付宝" "销售结算"
  Assets:1012-其他货币资金:101201-支付宝   1130.00 CNY
  Income:6001-主营业务收入               -1000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -130.00 CNY

2025-03-02 * "供应商" "采购入库"
  Assets:1405-库存商品                     500.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额   65.00 CNY
  Assets:1002-银行存款                    -565.00 CNY

2025-03-02 * "支付宝" "运费险"
  Expenses:6601-销售费用:660106-运费险       5.00 CNY
  Assets:1012-其他货币资金:101201-支付宝    -5.00 CNY

2025-03-03 balance Assets:1012-其他货币资金:101201-支付宝  2125.00 CNY

2025-03-08 * "快递" "丢件理赔"
  Assets:1221-其他应收款:122111-快递理赔      50.00 CNY
  Income:6301-营业外收入                    -50.00 CNY

2025-03-10 * "支付宝" "理赔到账, 赔付买家"
  Assets:1012-其他货币资金:101201-支付宝     50.00 CNY
  Assets:1221-其他应收款:122111-快递理赔     -50.00 CNY
  Expenses:6601-销售费用:660105-售后赔付      20.00 CNY
  Assets:1012-其他货币资金:101201-支付宝     -20.00 CNY

2025-04-01 balance Assets:1012-其他货币资金:101201-支付宝  2155.00 CNY

2025-04-01 * "支付宝" "销售结算"
  Assets:1012-其他货币资金:101201-支付宝    113.00 CNY
  Income:6001-主营业务收入                -100.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额   -13.00 CNY

2025-03-01 * "支付宝" "提现到银行"
  Assets:1002-银行存款                     2000.00 CNY
  Assets:1012-其他货币资金:101201-支付宝   -2000.00 CNY
"""


def small_ledger(fun):
    """The test gets the entries of ``LEDGER`` (with the default chart opened)."""
    fun.__doc__ = LEDGER
    return load_doc_with_chart()(fun)


def rows(book):
    """A book's lines as tuples: (date, 凭证号, 摘要, 对方科目, 借方, 贷方, 余额)."""
    return [
        (f"{ln.date:%m-%d}", ln.voucher, ln.summary, ln.counter, ln.debit, ln.credit, ln.balance)
        for ln in book.lines
    ]


MARCH = balances.period(month="2025-03")
YEAR = balances.period(year=2025)


class TestVouchers(unittest.TestCase):
    @small_ledger
    def test_numbered_by_date_then_line_and_balance_entries_are_not_vouchers(self, entries, _, __):
        numbers = books.voucher_numbers(entries, "2025-03")
        by_narration = {
            e.narration: numbers[id(e)] for e in entries if id(e) in numbers
        }
        assert by_narration == {
            "提现到银行": "记-001",  # last in the file, first by date
            "销售结算": "记-002",
            "采购入库": "记-003",
            "运费险": "记-004",
            "丢件理赔": "记-005",
            "理赔到账, 赔付买家": "记-006",
        }
        april = books.voucher_numbers(entries, "2025-04")
        assert sorted(april.values()) == ["记-001"]  # numbering starts again each month

    def test_pad_transactions_are_not_vouchers(self):
        entries, errors, _ = loader.load_string(chart_text() + (
            "2025-03-01 pad Assets:1002-银行存款 Equity:4001-实收资本\n"
            "2025-03-02 balance Assets:1002-银行存款 100.00 CNY\n"
            '2025-03-05 * "银行" "存入"\n'
            "  Assets:1002-银行存款  10.00 CNY\n"
            "  Equity:4001-实收资本  -10.00 CNY\n"
        ))
        assert not errors
        numbers = books.voucher_numbers(entries, "2025-03")
        padded = [e for e in entries if isinstance(e, data.Transaction) and e.flag == "P"]
        assert padded and id(padded[0]) not in numbers
        assert list(numbers.values()) == ["记-001"]
        # the pad still moves the bank's balance in its book, without a voucher number
        journal = books.journal(entries, "Assets:1002-银行存款", *MARCH)
        assert [(ln.voucher, ln.summary, ln.balance) for ln in journal.lines if ln.kind == books.ENTRY] == [
            ("", "余额调整 (pad)", D("100.00")),
            ("记-001", "存入", D("110.00")),
        ]


def test_journal_numbers_and_order_are_those_of_the_printed_vouchers(tmp_path):
    """Two files with entries of the same day: whatever the file order, the journal shows the
    numbers ``voucher.vouchers`` prints, in that order, and a record without amounts is no voucher."""
    (tmp_path / "main.beancount").write_text(
        chart_text() + 'include "z.beancount"\ninclude "a.beancount"\n', encoding="utf-8"
    )
    (tmp_path / "z.beancount").write_text(
        '2025-03-05 * "支付宝" "Z 收款"\n'
        "  Assets:1012-其他货币资金:101201-支付宝  10.00 CNY\n"
        "  Income:6301-营业外收入  -10.00 CNY\n",
        encoding="utf-8",
    )
    (tmp_path / "a.beancount").write_text(
        '2025-03-01 * "审批" "折价审批 (只有元数据, 不是凭证)"\n'
        '  approved-by: "张三"\n\n'
        '2025-03-05 * "支付宝" "A 付款"\n'
        "  Assets:1012-其他货币资金:101201-支付宝  -3.00 CNY\n"
        "  Expenses:6601-销售费用:660106-运费险  3.00 CNY\n",
        encoding="utf-8",
    )
    entries, errors, options = loader.load_file(str(tmp_path / "main.beancount"))
    assert not errors
    printed = [(v.number, v.full_summary) for v in voucher.vouchers(entries, "2025-03", options)]
    assert sorted(s for _, s in printed) == ["支付宝 A 付款", "支付宝 Z 收款"]  # the 审批 record is not one
    book = books.journal(entries, ALIPAY, *MARCH, options)
    journal = [(ln.voucher, "支付宝 " + ln.summary) for ln in book.lines if ln.kind == books.ENTRY]
    assert journal == printed
    assert book.closing == D("7.00")


class TestJournal(unittest.TestCase):
    @small_ledger
    def test_alipay_journal_of_march_daily_and_monthly_totals(self, entries, _, __):
        book = books.journal(entries, ALIPAY, *MARCH)
        assert book.title == "支付宝日记账 101201 2025-03"
        assert rows(book) == [
            ("03-01", "", "上月结转", "", None, None, D("3000.00")),
            ("03-01", "记-001", "提现到银行", "银行存款", None, D("2000.00"), D("1000.00")),
            ("03-01", "", "本日合计", "", D("0"), D("2000.00"), D("1000.00")),
            ("03-02", "记-002", "销售结算", "主营业务收入、应交税费-销项税额", D("1130.00"), None, D("2130.00")),
            ("03-02", "记-004", "运费险", "销售费用-运费险", None, D("5.00"), D("2125.00")),
            ("03-02", "", "本日合计", "", D("1130.00"), D("5.00"), D("2125.00")),
            # two 支付宝 postings in one entry: a debit and a credit, not netted
            ("03-10", "记-006", "理赔到账, 赔付买家", "其他应收款-快递理赔、销售费用-售后赔付",
             D("50.00"), D("20.00"), D("2155.00")),
            ("03-10", "", "本日合计", "", D("50.00"), D("20.00"), D("2155.00")),
            ("03-31", "", "本月合计", "", D("1180.00"), D("2025.00"), D("2155.00")),
            # 本年累计 counts February's 3,000.00 paid in
            ("03-31", "", "本年累计", "", D("4180.00"), D("2025.00"), D("2155.00")),
        ]
        # the balance assertion of 04-01 (the balance at the end of March) agrees
        assert book.closing == D("2155.00")

    @small_ledger
    def test_year_journal_opens_with_the_first_balance_and_closes_each_month(self, entries, _, __):
        book = books.journal(entries, ALIPAY, *YEAR)
        assert book.lines[0].summary == "期初余额" and book.lines[0].balance == 0
        month_ends = [
            (f"{ln.date:%m-%d}", ln.debit, ln.credit, ln.balance) for ln in book.lines if ln.kind == books.MONTH
        ]
        assert len(month_ends) == 12
        assert month_ends[:4] == [
            ("01-31", 0, 0, 0),
            ("02-28", D("3000.00"), 0, D("3000.00")),
            ("03-31", D("1180.00"), D("2025.00"), D("2155.00")),
            ("04-30", D("113.00"), 0, D("2268.00")),
        ]
        last = book.lines[-1]
        assert (last.kind, last.summary, last.debit, last.credit, last.balance) == (
            books.YEAR, "本年累计", D("4293.00"), D("2025.00"), D("2268.00"),
        )

    def test_counter_accounts_of_a_settlement_are_their_first_level_names(self):
        entries, errors, _ = loader.load_string(chart_text() + (
            '2025-03-05 * "支付宝" "结算"\n'
            "  Assets:1012-其他货币资金:101201-支付宝      106.65 CNY\n"
            "  Assets:1221-其他应收款:122101-天猫佣金       5.65 CNY\n"
            "  Assets:1221-其他应收款:122102-天猫积分       0.70 CNY\n"
            "  Income:6001-主营业务收入                  -100.00 CNY\n"
            "  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -13.00 CNY\n"
        ))
        assert not errors
        [line] = [ln for ln in books.journal(entries, ALIPAY, *MARCH).lines if ln.kind == books.ENTRY]
        # four other accounts: each 一级科目 once, not 一级-明细 for each
        assert line.counter == "其他应收款、主营业务收入、应交税费"

    @small_ledger
    def test_journal_accounts_are_cash_bank_and_alipay(self, entries, _, __):
        assert books.journal_accounts(entries) == ["Assets:1002-银行存款", ALIPAY]

    @small_ledger
    def test_table_columns(self, entries, _, __):
        table = books.to_table(books.journal(entries, ALIPAY, *MARCH))
        assert [c.title for c in table.columns] == ["日期", "凭证号", "摘要", "对方科目", "借方", "贷方", "余额"]
        assert table.rows[1] == ["2025-03-01", "记-001", "提现到银行", "银行存款", None, D("2000.00"), D("1000.00")]


class TestLedger(unittest.TestCase):
    @small_ledger
    def test_taxes_ledger_sums_its_sub_accounts_with_direction(self, entries, _, __):
        table = books.to_table(books.ledger(entries, TAXES, *MARCH))
        assert [c.title for c in table.columns] == ["日期", "凭证号", "摘要", "借方", "贷方", "借或贷", "余额"]
        assert table.rows == [
            ["2025-03-01", "", "上月结转", None, None, "平", D("0")],
            ["2025-03-02", "记-002", "销售结算", None, D("130.00"), "贷", D("130.00")],
            ["2025-03-02", "记-003", "采购入库", D("65.00"), None, "贷", D("65.00")],
            ["2025-03-31", "", "本月合计", D("65.00"), D("130.00"), "贷", D("65.00")],
            ["2025-03-31", "", "本年累计", D("65.00"), D("130.00"), "贷", D("65.00")],
        ]

    @small_ledger
    def test_claims_ledger_goes_to_debit_then_to_nil(self, entries, _, __):
        book = books.ledger(entries, CLAIMS, *MARCH)
        assert [(ln.voucher, ln.summary, books.direction(ln.balance), ln.balance) for ln in book.lines] == [
            ("", "上月结转", "平", 0),
            ("记-005", "丢件理赔", "借", D("50.00")),
            ("记-006", "理赔到账, 赔付买家", "平", 0),
            ("", "本月合计", "平", 0),
            ("", "本年累计", "平", 0),
        ]


class TestGeneral(unittest.TestCase):
    @small_ledger
    def test_year_general_ledger_twelve_months_and_year_total(self, entries, _, __):
        [book] = books.general(entries, *YEAR, accounts=["Assets:1012-其他货币资金"])
        table = books.to_table(book)
        assert table.title == "其他货币资金总账 1012 2025"
        assert len(table.rows) == 1 + 12 + 1
        assert table.rows[0] == ["2025-01-01", "", "期初余额", None, None, "平", 0]
        assert table.rows[2] == ["2025-02-28", "科汇02", "本月合计", D("3000.00"), 0, "借", D("3000.00")]
        assert table.rows[3] == ["2025-03-31", "科汇03", "本月合计", D("1180.00"), D("2025.00"), "借", D("2155.00")]
        assert table.rows[12] == ["2025-12-31", "科汇12", "本月合计", 0, 0, "借", D("2268.00")]
        assert table.rows[13] == ["2025-12-31", "", "本年累计", D("4293.00"), D("2025.00"), "借", D("2268.00")]

    @small_ledger
    def test_month_general_ledger_of_every_first_level_account(self, entries, _, __):
        result = books.general(entries, *MARCH)
        assert [b.code for b in result] == ["1002", "1012", "1221", "1405", "2221", "4001", "6001", "6301", "6601"]
        taxes = next(b for b in result if b.code == "2221")
        assert [(ln.summary, ln.debit, ln.credit, books.direction(ln.balance), abs(ln.balance)) for ln in taxes.lines] == [
            ("上月结转", None, None, "平", 0),
            ("本月合计", D("65.00"), D("130.00"), "贷", D("65.00")),
            ("本年累计", D("65.00"), D("130.00"), "贷", D("65.00")),
        ]
        capital = next(b for b in result if b.code == "4001")
        assert [books.direction(ln.balance) for ln in capital.lines] == ["贷", "贷", "贷"]
        bank = next(b for b in result if b.code == "1002")
        # 本年累计 of a month's general ledger counts the months before it
        assert (bank.lines[-1].debit, bank.lines[-1].credit, bank.lines[-1].balance) == (
            D("7000.00"), D("565.00"), D("6435.00"),
        )


class TestTrialBalance(unittest.TestCase):
    @small_ledger
    def test_march_first_level(self, entries, _, __):
        tb = tb_lib.trial_balance(entries, *MARCH, level="1")
        table = tb_lib.to_table(tb)
        assert [c.title for c in table.columns] == [
            "科目编码", "科目名称", "期初借方", "期初贷方", "本期借方", "本期贷方", "期末借方", "期末贷方",
        ]
        assert table.rows == [
            ["1002", "银行存款", D("5000.00"), None, D("2000.00"), D("565.00"), D("6435.00"), None],
            ["1012", "其他货币资金", D("3000.00"), None, D("1180.00"), D("2025.00"), D("2155.00"), None],
            ["1221", "其他应收款", None, None, D("50.00"), D("50.00"), None, None],
            ["1405", "库存商品", None, None, D("500.00"), None, D("500.00"), None],
            ["2221", "应交税费", None, None, D("65.00"), D("130.00"), None, D("65.00")],
            ["4001", "实收资本", None, D("8000.00"), None, None, None, D("8000.00")],
            ["6001", "主营业务收入", None, None, None, D("1000.00"), None, D("1000.00")],
            ["6301", "营业外收入", None, None, None, D("50.00"), None, D("50.00")],
            ["6601", "销售费用", None, None, D("25.00"), None, D("25.00"), None],
        ]
        assert table.footer == [["合计", "", D("8000.00"), D("8000.00"), D("3820.00"), D("3820.00"),
                                 D("9115.00"), D("9115.00")]]
        assert tb.differences() == []
        tb.check()
        assert table.notes[0].startswith("试算平衡")

    @small_ledger
    def test_levels(self, entries, _, __):
        def codes(level):
            return [r.code for r in tb_lib.trial_balance(entries, *MARCH, level=level).rows if r.code.startswith("2221")]

        assert codes("1") == ["2221"]
        assert codes("2") == ["2221", "222101"]
        assert codes("all") == ["2221", "222101", "22210101", "22210102"]
        rows = {r.code: r for r in tb_lib.trial_balance(entries, *MARCH, level="all").rows}
        assert (rows["22210101"].closing, rows["22210102"].closing, rows["2221"].closing) == (
            D("65.00"), D("-130.00"), D("-65.00"),
        )
        # the totals count the 一级科目 only, whatever the level
        assert tb_lib.trial_balance(entries, *MARCH, level="all").totals()["period"] == (D("3820.00"), D("3820.00"))
        text = render.render([tb_lib.to_table(tb_lib.trial_balance(entries, *MARCH, level="all"))], "text")
        assert "\n    22210101  进项税额" in text  # sub-accounts indented under their parent

    def test_unbalanced_period_is_an_error_naming_the_difference(self):
        acts = {
            "Assets:1002-银行存款": balances.Activity(D("5000.00"), D("100.00"), D("0")),
            "Equity:4001-实收资本": balances.Activity(D("-5000.00"), D("0"), D("90.00")),
        }
        tb = tb_lib.build(acts, "2025-03")
        assert tb.totals()["opening"] == (D("5000.00"), D("5000.00"))
        with pytest.raises(tb_lib.Unbalanced) as exc:
            tb.check()
        message = str(exc.value)
        assert message.startswith("2025-03 科目汇总表试算不平衡")
        assert "本期借方合计 100.00 ≠ 本期贷方合计 90.00, 差额 10.00" in message
        assert "期末借方合计 5,100.00 ≠ 期末贷方合计 5,090.00, 差额 10.00" in message
        assert "期初" not in message.replace("期初借方合计 5,000.00", "")  # the opening is fine
        assert tb_lib.to_table(tb).notes[0].startswith("试算不平衡")

    def test_opening_without_counter_entry_is_an_error(self):
        # an opening balance written without its counter-entry: 期初 and 期末 do not balance
        acts = {
            "Assets:1002-银行存款": balances.Activity(D("5000.00"), D("0"), D("0")),
            "Equity:4001-实收资本": balances.Activity(D("-4000.00"), D("0"), D("0")),
        }
        differences = tb_lib.build(acts, "2025-03").differences()
        assert differences[0].startswith("期初借方合计 5,000.00 ≠ 期初贷方合计 4,000.00, 差额 1,000.00")
        assert differences[1].startswith("期末借方合计 5,000.00 ≠ 期末贷方合计 4,000.00")
        assert len(differences) == 2

    def test_money_outside_cny_unbalances_the_opening_and_is_named(self):
        entries, errors, _ = loader.load_string(chart_text() + (
            "2020-01-01 open Assets:1002-银行存款:100201-美元户 USD\n"
            '2025-02-01 * "期初" "美元户"\n'
            "  Assets:1002-银行存款:100201-美元户  100.00 USD @ 7.10 CNY\n"
            "  Equity:4001-实收资本  -710.00 CNY\n"
            '2025-03-05 * "银行" "美元收款"\n'
            "  Assets:1002-银行存款:100201-美元户  10.00 USD @ 7.10 CNY\n"
            "  Income:6301-营业外收入  -71.00 CNY\n"
        ))
        assert not errors
        tb = tb_lib.trial_balance(entries, *MARCH)
        differences = tb.differences()
        assert differences[0].startswith("期初借方合计 0.00 ≠ 期初贷方合计 710.00, 差额 -710.00")
        assert any("10.00 USD 不是人民币" in d for d in differences)
        with pytest.raises(tb_lib.Unbalanced):
            tb.check()
        with pytest.raises(books.BookError, match="非人民币"):
            books.journal(entries, "Assets:1002-银行存款", *MARCH)
        with pytest.raises(tb_lib.Unbalanced):
            books.general(entries, *MARCH)

    def test_opening_by_pad_from_an_account_without_code_is_named(self):
        entries, errors, _ = loader.load_string(chart_text() + (
            "2020-01-01 open Equity:Opening-Balances\n"
            "2025-02-01 pad Assets:1002-银行存款 Equity:Opening-Balances\n"
            "2025-02-02 balance Assets:1002-银行存款 100.00 CNY\n"
        ))
        assert not errors
        table = tb_lib.to_table(tb_lib.trial_balance(entries, *MARCH))
        assert table.rows == [
            ["1002", "银行存款", D("100.00"), None, None, None, D("100.00"), None],
            ["", "Opening-Balances", None, D("100.00"), None, None, None, D("100.00")],
        ]
        assert table.notes == [
            "试算平衡 (balanced): 期初借贷合计均为 100.00, 本期借贷合计均为 0.00, 期末借贷合计均为 100.00",
            "注意: 科目 Equity:Opening-Balances 没有科目编码, 请改记到有编码的科目 (accounts without a code)",
        ]

    def test_unknown_level_is_refused(self):
        with pytest.raises(ValueError, match="科目级次"):
            tb_lib.build({}, "2025-03", level="3")


class TestAccounts(unittest.TestCase):
    @small_ledger
    def test_by_name_code_or_chinese_name(self, entries, _, __):
        assert books.resolve_account(entries, ALIPAY) == ALIPAY
        assert books.resolve_account(entries, "101201") == ALIPAY
        assert books.resolve_account(entries, "支付宝") == ALIPAY
        assert books.resolve_account(entries, "应交税费") == TAXES  # a parent, never opened itself
        assert books.resolve_account(entries, "快递") == CLAIMS  # the one name containing it

    @small_ledger
    def test_ambiguous_lists_candidates(self, entries, _, __):
        with pytest.raises(books.BookError) as exc:
            books.resolve_account(entries, "天猫佣金")  # 其他应收款 and 销售费用 both have one
        message = str(exc.value)
        assert message.startswith("科目 “天猫佣金” 不唯一")
        assert "122101 天猫佣金 (Assets:1221-其他应收款:122101-天猫佣金)" in message
        assert "660101 天猫佣金 (Expenses:6601-销售费用:660101-天猫佣金)" in message

    @small_ledger
    def test_unknown(self, entries, _, __):
        with pytest.raises(books.BookError, match="账簿中没有科目 “现金”"):
            books.resolve_account(entries, "现金")


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def ledger_file(tmp_path):
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + LEDGER, encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_journal_by_chinese_name(ledger_file):
    result = run("book", "journal", ledger_file, "--account", "支付宝", "--month", "2025-03")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "支付宝日记账 101201 2025-03"
    assert any(line.startswith("2025-03-02  记-004  运费险") and line.endswith("5.00  2,125.00") for line in lines)


def test_cli_journal_default_is_every_cash_account(ledger_file):
    result = run("book", "journal", ledger_file, "--month", "2025-03")
    assert result.exit_code == 0, result.output
    titles = [line for line in result.output.splitlines() if "日记账" in line]
    assert titles == ["银行存款日记账 1002 2025-03", "支付宝日记账 101201 2025-03"]


def test_cli_ledger_csv_and_general_html(ledger_file, tmp_path):
    out = tmp_path / "taxes.csv"
    result = run("book", "ledger", ledger_file, "--account", "2221", "--month", "2025-03", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert "2025-03-02,记-002,销售结算,,130.00,贷,130.00" in text.decode("utf-8-sig").splitlines()
    result = run("book", "general", ledger_file, "--year", "2025", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>") and "<caption>实收资本总账 4001 2025</caption>" in result.output


def test_cli_ambiguous_account_is_refused(ledger_file):
    result = run("book", "ledger", ledger_file, "--account", "天猫积分", "--month", "2025-03")
    assert result.exit_code == 1
    assert "科目 “天猫积分” 不唯一" in result.output and "122102" in result.output and "660102" in result.output


def test_cli_needs_month_or_year(ledger_file):
    result = run("report", "trial-balance", ledger_file)
    assert result.exit_code == 2 and "--month YYYY-MM 或 --year YYYY" in result.output


def test_cli_trial_balance(ledger_file):
    result = run("report", "trial-balance", ledger_file, "--month", "2025-03", "--level", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "科目汇总表 2025-03"
    assert any(line.startswith("  222101") for line in lines)
    assert lines[-1].startswith("试算平衡 (balanced): 期初借贷合计均为 8,000.00, 本期借贷合计均为 3,820.00")


def test_cli_unbalanced_trial_balance_exits_non_zero(tmp_path):
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + (
        "2020-01-01 open Assets:1002-银行存款:100201-美元户 USD\n"
        '2025-03-05 * "银行" "美元收款"\n'
        "  Assets:1002-银行存款:100201-美元户  10.00 USD @ 7.10 CNY\n"
        "  Income:6301-营业外收入  -71.00 CNY\n"
    ), encoding="utf-8")
    result = run("report", "trial-balance", path, "--month", "2025-03")
    assert result.exit_code == 1
    assert "科目汇总表 2025-03" in result.output  # the table is shown
    assert "错误: 2025-03 科目汇总表试算不平衡: 本期借方合计 0.00 ≠ 本期贷方合计 71.00, 差额 -71.00" in result.output


def test_cli_unbalanced_entry_let_through_fails_the_check(tmp_path):
    # Beancount reports the entry (an error) but keeps it: with --allow-errors the table shows it
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + (
        '2025-03-05 * "支付宝" "不平"\n'
        "  Assets:1012-其他货币资金:101201-支付宝  10.00 CNY\n"
        "  Income:6301-营业外收入  -9.00 CNY\n"
    ), encoding="utf-8")
    result = run("report", "trial-balance", path, "--month", "2025-03", "--allow-errors")
    assert result.exit_code == 1
    assert "错误: 2025-03 科目汇总表试算不平衡: 本期借方合计 10.00 ≠ 本期贷方合计 9.00, 差额 1.00" in result.output
    result = run("book", "journal", path, "--month", "2025-03", "--allow-errors")
    assert result.exit_code == 1 and "借方合计 10.00 ≠ 贷方合计 9.00" in result.output
    assert isinstance(result.exception, SystemExit)  # a refusal, not a crash


def test_cli_refuses_a_ledger_with_errors_unless_allowed(tmp_path):
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + LEDGER.replace("balance Assets:1012-其他货币资金:101201-支付宝  2125.00",
                                                   "balance Assets:1012-其他货币资金:101201-支付宝  2126.00"),
                    encoding="utf-8")
    result = run("book", "journal", path, "--month", "2025-03")
    assert result.exit_code == 1
    assert "有 1 个错误" in result.output and "2126.00" in result.output
    result = run("book", "journal", path, "--month", "2025-03", "--allow-errors")
    assert result.exit_code == 0
    assert "注意: 账簿有 1 个错误" in result.output and "支付宝日记账 101201 2025-03" in result.output


def test_csv_cells_are_formula_safe(tmp_path):
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + (
        '2025-03-05 * "买家" "=HYPERLINK(\\"http://x\\")"\n'
        "  Assets:1012-其他货币资金:101201-支付宝  -10.00 CNY\n"
        "  Expenses:6601-销售费用:660105-售后赔付  10.00 CNY\n"
    ), encoding="utf-8")
    result = run("book", "journal", path, "--month", "2025-03", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("\ufeff银行存款日记账")  # a BOM on standard output too, for Excel
    row = next(line for line in result.output.splitlines() if "记-001" in line)
    assert row == '2025-03-05,记-001,"\'=HYPERLINK(""http://x"")",销售费用-售后赔付,,10.00,-10.00'
