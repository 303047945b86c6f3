"""利润表 and 资产负债表 (reports/statements.py): hand-computed figures on ledgers in the test."""

from __future__ import annotations

import io
import re
import unittest
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from click.testing import CliRunner
from conftest import chart_text, load_doc_with_chart

from beancount_tmall import accounts
from beancount_tmall.cli import main as cli
from beancount_tmall.reports import balances, render, statements
from beancount_tmall.reports.statements import (
    MappingError,
    balance_sheet,
    income_statement,
    load_mapping,
)

D = Decimal

#: Two years of a small store. 2024: opening balances, goods bought, one sale and its cost
#: (profit 6,000.00, never closed in the ledger). 2025 Q1: sales, fees and their invoices, interest,
#: a courier's surplus (营业外收入), cost of sales with breakage, the surtaxes and income tax at
#: March end, a 待核对 row.
LEDGER = """
2024-01-01 * "期初余额" "期初余额表" #opening
  Assets:1002-银行存款                 100000.00 CNY
  Equity:4001-实收资本                -100000.00 CNY

2024-01-05 * "供应商" "采购入库"
  Assets:1405-库存商品                   8000.00 CNY
  Assets:1002-银行存款                  -8000.00 CNY

2024-06-30 * "天猫" "2024 销售" #tmall-sale
  Assets:1012-其他货币资金:101201-支付宝   11300.00 CNY
  Income:6001-主营业务收入               -10000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -1300.00 CNY

2024-06-30 * "结转成本" "2024-06" #cogs
  Expenses:6401-主营业务成本             4000.00 CNY
  Assets:1405-库存商品                  -4000.00 CNY

2025-01-15 * "天猫" "2025-01-15 交易成功" #tmall-sale
  Assets:1012-其他货币资金:101201-支付宝   10678.50 CNY
  Assets:1221-其他应收款:122101-天猫佣金      565.00 CNY
  Assets:1221-其他应收款:122102-天猫积分       56.50 CNY
  Income:6001-主营业务收入               -10000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -1300.00 CNY

2025-02-10 * "浙江天猫技术有限公司" "1月佣金发票" #invoice
  Expenses:6601-销售费用:660101-天猫佣金     533.02 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额  31.98 CNY
  Assets:1221-其他应收款:122101-天猫佣金     -565.00 CNY

2025-03-05 * "支付宝" "结息"
  Assets:1012-其他货币资金:101201-支付宝      12.34 CNY
  Expenses:6603-财务费用:660302-利息收入     -12.34 CNY

2025-03-10 * "快递" "理赔多收"
  Assets:1012-其他货币资金:101201-支付宝     200.00 CNY
  Income:6301-营业外收入                   -200.00 CNY

2025-03-15 * "支付宝" "直通车充值"
  Assets:1221-其他应收款:122107-直通车      1000.00 CNY
  Assets:1012-其他货币资金:101201-支付宝   -1000.00 CNY

2025-03-20 * "天猫" "2025-03-20 交易成功" #tmall-sale
  Assets:1012-其他货币资金:101201-支付宝    2260.00 CNY
  Income:6001-主营业务收入                -2000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -260.00 CNY

2025-03-22 * "买家" "售后赔付"
  Expenses:6601-销售费用:660105-售后赔付      30.00 CNY
  Assets:1012-其他货币资金:101201-支付宝     -30.00 CNY

2025-03-25 * "阿里妈妈" "直通车发票" #invoice
  Expenses:6601-销售费用:660104-广告宣传费:66010404-直通车  943.40 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额  56.60 CNY
  Assets:1221-其他应收款:122107-直通车     -1000.00 CNY

2025-03-28 * "支付宝" "未识别的转入"
  Assets:1012-其他货币资金:101201-支付宝      50.00 CNY
  Assets:1221-其他应收款:122199-待核对       -50.00 CNY

2025-03-31 * "结转成本" "2025-03" #cogs
  Expenses:6401-主营业务成本             3000.00 CNY
  Expenses:6401-主营业务成本:640102-破损    100.00 CNY
  Assets:1405-库存商品                  -3100.00 CNY

2025-03-31 * "税金及附加" "2025-03 附加税" #close
  period: "2025-03"
  close: "surtax"
  Expenses:6403-税金及附加                183.36 CNY
  Liabilities:2221-应交税费:222104-应交城市维护建设税  -106.96 CNY
  Liabilities:2221-应交税费:222105-应交教育费附加      -45.84 CNY
  Liabilities:2221-应交税费:222106-应交地方教育附加    -30.56 CNY

2025-03-31 * "所得税" "2025 Q1" #close
  period: "2025-03"
  close: "income-tax"
  Expenses:6801-所得税费用                 500.00 CNY
  Liabilities:2221-应交税费:222107-应交企业所得税  -500.00 CNY
"""


def load(text: str = LEDGER):
    entries, errors, options = loader.load_string(chart_text() + text)
    assert not errors, errors
    return entries, options


def figures(statement, column: int) -> dict[str, Decimal | None]:
    return {line.key: line.values[column] for line in statement.lines if line.kind != "header"}


def test_income_statement_small_month():
    """会小企02表 for 2025-03: 本年累计金额 (Jan–Mar) then 本月金额 (March), by hand."""
    entries, options = load()
    st = income_statement(entries, options, month="2025-03")
    assert st.columns == ("本年累计金额", "本月金额") and st.form == "会小企02表" and not st.errors
    assert [(x.row, x.name) for x in st.lines[:3]] == [(1, "一、营业收入"), (2, "减：营业成本"), (3, "税金及附加")]
    rows = {x.key: x.row for x in st.lines}
    assert (rows["销售费用"], rows["管理费用"], rows["财务费用"], rows["投资收益"], rows["营业利润"]) == (11, 14, 18, 20, 21)
    assert (rows["营业外收入"], rows["营业外支出"], rows["利润总额"], rows["所得税费用"], rows["净利润"]) == (22, 24, 30, 31, 32)
    month = figures(st, 1)
    assert month["营业收入"] == D("2000.00")
    assert month["营业成本"] == D("3100.00")  # 3,000.00 + 破损 100.00
    assert month["税金及附加"] == D("183.36")
    assert month["城市维护建设税"] == D("106.96")  # from the 222104 credit of the 6403 entry
    assert month["教育费附加、矿产资源补偿费、排污费"] == D("76.40")  # 45.84 + 30.56
    assert month["消费税"] is None  # nothing maps to it: blank, as on a filled-in form
    assert month["销售费用"] == D("973.40")  # 943.40 + 30.00
    assert month["广告费和业务宣传费"] == D("943.40")
    assert month["管理费用"] is None
    assert month["财务费用"] == D("-12.34") and month["利息费用"] == D("-12.34")
    # 2,000.00 - 3,100.00 - 183.36 - 973.40 + 12.34
    assert month["营业利润"] == D("-2244.42")
    assert month["营业外收入"] == D("200.00")
    assert month["利润总额"] == D("-2044.42")
    assert month["所得税费用"] == D("500.00")
    assert month["净利润"] == D("-2544.42")
    ytd = figures(st, 0)
    assert ytd["营业收入"] == D("12000.00")
    assert ytd["销售费用"] == D("1506.42")  # 533.02 + 943.40 + 30.00
    # 12,000.00 - 3,100.00 - 183.36 - 1,506.42 + 12.34 = 7,222.56; + 200.00; - 500.00
    assert ytd["营业利润"] == D("7222.56") and ytd["利润总额"] == D("7422.56") and ytd["净利润"] == D("6922.56")


def test_income_statement_year_has_last_year_beside_it():
    entries, options = load()
    st = income_statement(entries, options, year=2025)
    assert st.columns == ("本年累计金额", "上年金额") and st.date_text == "2025年度"
    assert st.value("净利润", 0) == D("6922.56")
    last = figures(st, 1)
    assert (last["营业收入"], last["营业成本"], last["净利润"]) == (D("10000.00"), D("4000.00"), D("6000.00"))


def test_balance_sheet_small_month_closes_profit_into_retained_earnings():
    """会小企01表 at 2025-03-31: 未分配利润 = 2024's unclosed 6,000.00 + 2025's 6,922.56."""
    entries, options = load()
    st = balance_sheet(entries, options, month="2025-03")
    assert st.columns == ("期末余额", "年初余额") and st.date_text == "2025年3月31日" and not st.errors
    rows = {x.key: x.row for x in st.lines}
    assert [rows[k] for k in ("货币资金", "短期投资", "应收票据", "应收账款", "预付账款", "应收股利", "应收利息", "其他应收款", "存货")] == list(range(1, 10))
    assert (rows["流动资产合计"], rows["资产总计"], rows["短期借款"], rows["应交税费"], rows["负债合计"]) == (15, 30, 31, 36, 47)
    assert (rows["实收资本（或股本）"], rows["未分配利润"], rows["负债和所有者权益总计"]) == (48, 51, 53)
    end = figures(st, 0)
    # 银行 92,000.00; 支付宝 11,300.00 + 10,678.50 + 12.34 + 200.00 - 1,000.00 + 2,260.00 - 30.00 + 50.00
    assert end["货币资金"] == D("115470.84")
    assert end["其他应收款"] == D("6.50")  # 积分 56.50, 待核对 -50.00
    assert end["存货"] == D("900.00") and end["库存商品"] == D("900.00")
    assert end["流动资产合计"] == end["资产总计"] == D("116377.34")
    # 销项 -2,860.00, 进项 88.58, 附加税 -183.36, 所得税 -500.00
    assert end["应交税费"] == D("3454.78")
    assert end["实收资本（或股本）"] == D("100000.00")
    assert end["未分配利润"] == D("12922.56")
    assert end["负债合计"] == D("3454.78")
    assert end["负债和所有者权益总计"] == D("116377.34")
    start = figures(st, 1)
    assert (start["货币资金"], start["存货"], start["资产总计"]) == (D("103300.00"), D("4000.00"), D("107300.00"))
    assert (start["应交税费"], start["未分配利润"], start["负债和所有者权益总计"]) == (D("1300.00"), D("6000.00"), D("107300.00"))
    assert any("待核对" in note and "-50.00" in note for note in st.notes)


def test_opening_balances_are_the_first_year_start():
    """The #opening entry of 2024-01-01 is 2024's 年初余额, not 2024's movement."""
    entries, options = load()
    st = balance_sheet(entries, options, year=2024)
    start, end = figures(st, 1), figures(st, 0)
    assert start["货币资金"] == start["实收资本（或股本）"] == D("100000.00")
    assert end["货币资金"] == D("103300.00") and end["未分配利润"] == D("6000.00")
    assert end["资产总计"] == end["负债和所有者权益总计"] == D("107300.00")


def test_general_format_same_ledger():
    """会企01/02表: 本期金额 (month) and 本年累计金额; 利息收入 as a positive 其中 line; no 行次."""
    entries, options = load()
    st = income_statement(entries, options, month="2025-03", standard="general")
    assert st.columns == ("本期金额", "本年累计金额") and st.form == "会企02表" and not st.errors
    assert all(x.row is None for x in st.lines)
    month = figures(st, 0)
    assert month["营业收入"] == D("2000.00") and month["研发费用"] is None
    assert month["财务费用"] == D("-12.34") and month["利息收入"] == D("12.34")
    assert month["营业利润"] == D("-2244.42") and month["净利润"] == D("-2544.42")
    assert month["持续经营净利润"] == D("-2544.42") and month["综合收益总额"] == D("-2544.42")
    assert figures(st, 1)["净利润"] == D("6922.56")
    bs = balance_sheet(entries, options, month="2025-03", standard="general")
    assert bs.columns == ("期末余额", "上年年末余额") and not bs.errors
    end = figures(bs, 0)
    assert end["货币资金"] == D("115470.84") and end["应交税费"] == D("3454.78")
    assert end["资产总计"] == end["负债和所有者权益总计"] == D("116377.34")
    text = render.render([bs.table()], "text")
    assert "行次" not in text and "上年年末余额" in text
    year = income_statement(entries, options, year=2025, standard="general")
    assert year.columns == ("本期金额", "上期金额")
    assert (year.value("净利润", 0), year.value("净利润", 1)) == (D("6922.56"), D("6000.00"))


CONTRA = """
2025-01-01 * "期初余额" "期初余额表" #opening
  Assets:1002-银行存款                 10000.00 CNY
  Equity:4001-实收资本                -10000.00 CNY

2025-01-20 * "阿里妈妈" "淘宝客发票 (本月无销售)" #invoice
  Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客  100.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额  6.00 CNY
  Assets:1002-银行存款                   -106.00 CNY

2025-01-25 * "支付宝" "转账 (往来)"
  Assets:1002-银行存款                    300.00 CNY
  Assets:1221-其他应收款:122110-往来转账    -300.00 CNY
"""


def test_balances_on_the_wrong_side():
    """应交增值税 with a debit (留抵) balance: 小企业 shows 应交税费 -6.00; 一般企业 lists it under
    其他流动资产. 其他应收款 with a credit balance goes to 其他应付款 in both."""
    entries, options = load(CONTRA)
    small = figures(balance_sheet(entries, options, month="2025-01"), 0)
    assert small["应交税费"] == D("-6.00") and small["其他流动资产"] is None
    assert small["其他应收款"] is None and small["其他应付款"] == D("300.00")
    # 银行 10,194.00; 负债 -6.00 + 300.00; 权益 10,000.00 - 100.00
    assert small["资产总计"] == small["负债和所有者权益总计"] == D("10194.00")
    general = figures(balance_sheet(entries, options, month="2025-01", standard="general"), 0)
    assert general["应交税费"] is None and general["其他流动资产"] == D("6.00")
    assert general["其他应付款"] == D("300.00")
    assert general["资产总计"] == general["负债和所有者权益总计"] == D("10200.00")


class UnmappedAccounts(unittest.TestCase):
    @load_doc_with_chart()
    def test_an_account_no_line_takes_is_an_error_never_dropped(self, entries, errors, options):
        """
        2025-01-01 open Assets:1999-奇怪资产
        2025-01-01 open Income:Misc

        2025-01-10 * "x" "y"
          Assets:1999-奇怪资产              50.00 CNY
          Assets:1002-银行存款              50.00 CNY
          Income:Misc                     -100.00 CNY
        """
        bs = balance_sheet(entries, options, month="2025-01")
        messages = "\n".join(bs.errors)
        self.assertIn("Assets:1999-奇怪资产", messages)
        self.assertIn("Income:Misc", messages)
        self.assertIn("small.toml", messages)
        # Left out, they unbalance the sheet: 资产 50.00 (银行) vs 权益 0.00; the difference is named.
        self.assertIn("差额 50.00", messages)
        self.assertIn("不平", messages)
        inc = income_statement(entries, options, month="2025-01")
        self.assertEqual(len(inc.errors), 1)
        self.assertIn("Income:Misc", inc.errors[0])
        with self.assertRaises(statements.StatementError):
            inc.check_errors()
        self.assertIn("错误：", render.render([inc.table()], "text"))

    @load_doc_with_chart()
    def test_a_posting_in_another_currency_is_reported(self, entries, errors, options):
        """
        2025-01-01 open Assets:1002-银行存款:100201-美元户
        2025-01-01 open Income:6051-其他业务收入

        2025-01-10 * "x" "美元收入"
          Assets:1002-银行存款:100201-美元户      10.00 USD
          Income:6051-其他业务收入               -10.00 USD
        """
        st = balance_sheet(entries, options, month="2025-01")
        self.assertTrue(any("10.00 USD" in e and "不是人民币" in e for e in st.errors))


def test_every_account_of_the_chart_maps_to_a_line():
    """Every account of DESIGN §2 (accounts.CHART) has its line on both forms of both standards."""
    for standard in statements.STANDARDS:
        mapping = load_mapping(standard)
        for item in accounts.CHART:
            line = mapping.balance.main_line(item.code)
            assert line is not None, (standard, item.account)
            if item.account.startswith(("Income:", "Expenses:")):
                assert line.key == "未分配利润"
                assert mapping.income.main_line(item.code) is not None, (standard, item.account)
    small = load_mapping("small")
    assert small.balance.main_line("122199").key == "其他应收款"
    assert small.balance.main_line("222103").key == "应交税费"
    assert small.balance.main_line("410415").key == "未分配利润"
    assert small.income.main_line("640102").key == "营业成本"
    assert small.income.main_line("6403").key == "税金及附加"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('formula = "货币资金 + 短期投资"', "流动资产合计"),  # unchanged: the valid file loads
        ('formula = "货币资金 + 不存在的项目"', "不存在的项目"),
        ('formula = "货币资金 * 短期投资"', "不是 + 或 -"),
    ],
)
def test_mapping_file_errors_name_the_file_and_line(tmp_path, change, message):
    text = (statements.MAPPINGS / "small.toml").read_text(encoding="utf-8")
    old = 'formula = "货币资金 + 短期投资 + 应收票据 + 应收账款 + 预付账款 + 应收股利 + 应收利息 + 其他应收款 + 存货 + 其他流动资产"'
    assert old in text
    path = tmp_path / "mine.toml"
    path.write_text(text.replace(old, change), encoding="utf-8")
    if "不存在" not in change and "*" not in change:
        assert load_mapping(path).balance.line("流动资产合计").formula[1] == (1, "短期投资")
        return
    with pytest.raises(MappingError, match=re.escape(message)) as info:
        load_mapping(path)
    assert "mine.toml" in str(info.value)


def test_mapping_rejects_a_contra_to_a_formula_line(tmp_path):
    text = (statements.MAPPINGS / "small.toml").read_text(encoding="utf-8")
    path = tmp_path / "contra.toml"
    path.write_text(text.replace('{ code = "1122", to = "预收账款" }', '{ code = "1122", to = "流动负债合计" }'), encoding="utf-8")
    with pytest.raises(MappingError, match="contra"):
        load_mapping(path)


def test_mid_year_opening_carries_the_years_profit_and_loss():
    """Books opened on 2025-07-01 from an old system: the 期初余额表 brings 6001 and 6401 本年累计
    (Jan–Jun) with the balances. They are in 本年累计金额, not in July's 本月金额."""
    entries, options = load("""
2025-07-01 * "期初余额" "期初余额表" #opening
  Assets:1002-银行存款              56500.00 CNY
  Income:6001-主营业务收入          -50000.00 CNY
  Expenses:6401-主营业务成本         30000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -6500.00 CNY
  Equity:4001-实收资本              -30000.00 CNY

2025-07-20 * "天猫" "7月销售" #tmall-sale
  Assets:1012-其他货币资金:101201-支付宝   1130.00 CNY
  Income:6001-主营业务收入               -1000.00 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -130.00 CNY
""")
    st = income_statement(entries, options, month="2025-07")
    assert (st.value("营业收入", 0), st.value("营业收入", 1)) == (D("51000.00"), D("1000.00"))
    assert (st.value("净利润", 0), st.value("净利润", 1)) == (D("21000.00"), D("1000.00"))
    bs = balance_sheet(entries, options, month="2025-07")
    assert bs.value("未分配利润", 0) == D("21000.00") and not bs.errors
    assert bs.value("资产总计", 0) == D("57630.00") == bs.value("负债和所有者权益总计", 0)


def test_mapping_rejects_a_code_on_two_lines(tmp_path):
    text = (statements.MAPPINGS / "general.toml").read_text(encoding="utf-8")
    path = tmp_path / "twice.toml"
    path.write_text(text.replace('accounts = ["2001"]', 'accounts = ["1002"]'), encoding="utf-8")
    with pytest.raises(MappingError, match="1002"):
        load_mapping(path)


def write_ledger(tmp_path: Path, text: str = LEDGER) -> Path:
    path = tmp_path / "main.beancount"
    path.write_text('option "title" "测试店"\noption "operating_currency" "CNY"\n' + chart_text() + text, encoding="utf-8")
    return path


def test_cli_income_balance_formats(tmp_path):
    ledger = write_ledger(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "income", str(ledger), "--month", "2025-03"])
    assert result.exit_code == 0, result.output
    assert "利润表（会小企02表）" in result.output and "编制单位：测试店" in result.output
    assert "-2,544.42" in result.output and "6,922.56" in result.output
    out = tmp_path / "bs.csv"
    result = runner.invoke(cli, ["report", "balance", str(ledger), "--month", "2025-03", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "资产总计,30,116377.34,107300.00,负债和所有者权益（或股东权益）总计,53,116377.34,107300.00" in raw.decode("utf-8-sig")
    result = runner.invoke(cli, ["report", "balance", str(ledger), "--year", "2025", "--standard", "general", "--format", "html"])
    assert result.exit_code == 0 and "<table" in result.output and "会企01表" in result.output
    result = runner.invoke(cli, ["report", "balance", str(ledger)])
    assert result.exit_code == 2 and "--month" in result.output
    result = runner.invoke(cli, ["report", "income", str(ledger), "--month", "2025-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
    # A ledger bean-check rejects is refused, unless --allow-errors.
    broken = write_ledger(tmp_path, LEDGER + "2025-03-31 balance Assets:1002-银行存款  1.00 CNY\n")
    result = runner.invoke(cli, ["report", "income", str(broken), "--month", "2025-03"])
    assert result.exit_code == 1 and "错误" in result.output and "利润表" not in result.output
    result = runner.invoke(cli, ["report", "income", str(broken), "--month", "2025-03", "--allow-errors"])
    assert result.exit_code == 0 and "-2,544.42" in result.output


def test_cli_exits_nonzero_on_an_unmapped_account(tmp_path):
    ledger = write_ledger(tmp_path, '2025-01-01 open Assets:1999-奇怪资产\n2025-01-10 * "x"\n  Assets:1999-奇怪资产  5.00 CNY\n  Equity:4001-实收资本  -5.00 CNY\n')
    result = CliRunner().invoke(cli, ["report", "balance", str(ledger), "--month", "2025-01"])
    assert result.exit_code == 1
    assert "Assets:1999-奇怪资产" in result.output and "差额 -5.00" in result.output


# ----------------------------------------------------------------------------------- the demo year

from test_fava import DEMO  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    if not DEMO.exists():
        pytest.skip("ledgers/demo/main.beancount not built yet")
    entries, errors, options = loader.load_file(str(DEMO))
    return entries, options


def _year_of(entries) -> int:
    return max(e.date for e in entries if "tmall-sale" in getattr(e, "tags", ())).year


@pytest.mark.parametrize("standard", statements.STANDARDS)
def test_demo_year_profit_is_the_change_in_retained_earnings(demo, standard):
    entries, options = demo
    year = _year_of(entries)
    inc = income_statement(entries, options, year=year, standard=standard)
    bs = balance_sheet(entries, options, year=year, standard=standard)
    assert not inc.errors and not bs.errors
    # 未分配利润 here is 利润分配 + 本年利润 + the unclosed profit; nothing else moves equity in the demo.
    change = bs.value("未分配利润", 0) - bs.value("未分配利润", 1)
    assert inc.value("净利润", 0) == change != 0
    for col in (0, 1):
        assert bs.value("资产总计", col) == bs.value("负债和所有者权益总计", col)
    # Every month of the year balances too, and the months' 本月 add up to the year.
    months = [income_statement(entries, options, month=f"{year}-{m:02d}", standard=standard) for m in range(1, 13)]
    column = 1 if standard == "small" else 0
    assert sum(m.value("净利润", column) for m in months) == inc.value("净利润", 0)
    sheet = balance_sheet(entries, options, month=f"{year}-06", standard=standard)
    assert not sheet.errors


def test_demo_revenue_and_cost_match_the_ledger_and_the_build_summary(demo):
    """营业收入/营业成本 equal the year's 6001 and 6401 postings summed here by hand, and the demo
    build's summary prints this income statement."""
    from beancount.core import data

    from beancount_tmall.demo import build

    entries, options = demo
    year = _year_of(entries)
    revenue = cost = D(0)
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date.year == year:
            for p in entry.postings:
                if balances.code_of(p.account).startswith("6001"):
                    revenue -= p.units.number
                elif balances.code_of(p.account).startswith("6401"):
                    cost += p.units.number
    inc = income_statement(entries, options, year=year)
    assert inc.value("营业收入") == revenue > 0 and inc.value("营业成本") == cost > 0
    out = io.StringIO()
    build.print_income_statement(entries, options, year, out)
    text = out.getvalue()
    assert "利润表（会小企02表）" in text
    assert render.money(revenue) in text and render.money(cost) in text
