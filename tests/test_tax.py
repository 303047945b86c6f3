"""Tax correctness: the taxpayer setting, VAT per regime, 专票/普票, accrual points (issue 10 §1).

Every expectation is computed by hand in the comments next to it.
"""

import datetime
from decimal import Decimal

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import cmptest
from conftest import chart_text, load_doc_with_chart

from beancount_tmall import accounts, tax
from beancount_tmall.formats import fee_invoices as fmt
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.fee_invoices import extract_invoices
from beancount_tmall.plugins import invoices

D = Decimal


def postings_of(entries, account, tag=None):
    return [
        p.units.number
        for e in entries
        if isinstance(e, data.Transaction) and (tag is None or tag in e.tags)
        for p in e.postings
        if p.account == account
    ]


def total(entries, account, tag=None, year=None):
    return sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction)
            and (tag is None or tag in e.tags)
            and (year is None or e.date.year == year)
            for p in e.postings
            if p.account == account
        ),
        D(0),
    )


# --------------------------------------------------------------------------- the setting


class TestTaxpayerSetting(cmptest.TestCase):
    @loader.load_doc(expect_errors=True)
    def test_latest_on_or_before_the_day_wins(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"

        2025-01-01 custom "tmall-taxpayer" "小规模纳税人"
        2025-07-01 custom "tmall-taxpayer" "小规模纳税人"
          vat-rate: "0.01"
        2026-01-01 custom "tmall-taxpayer" "一般纳税人"
        2026-06-01 custom "tmall-taxpayer" "个体户"
        2026-07-01 custom "tmall-taxpayer" "小规模纳税人"
          vat-rate: "0.05"
        """
        line = tax.timeline(entries)
        assert tax.taxpayer(entries, datetime.date(2024, 12, 31)) == tax.Taxpayer("general", D("0.13"), True)
        assert line.at(datetime.date(2025, 6, 30)).vat_rate == D("0.03")
        assert line.at(datetime.date(2025, 6, 30)).deductible_input is False
        assert line.at(datetime.date(2025, 7, 1)).vat_rate == D("0.01")
        assert line.at(datetime.date(2026, 1, 1)).kind == "general"
        # A 一般纳税人 without vat-rate takes the sales plugin's rate.
        assert line.at(datetime.date(2026, 1, 1), D("0.09")).vat_rate == D("0.09")
        # The unknown kind is ignored (the 2026-01-01 setting holds); 5% is no small levy: 3%.
        assert line.at(datetime.date(2026, 6, 15)).kind == "general"
        assert line.at(datetime.date(2026, 7, 1)).vat_rate == D("0.03")
        messages = [e.message for e in line.errors]
        assert messages == [e.message for e in errors]  # bean-check shows them (the sales plugin)
        assert len(messages) == 2
        assert "纳税人类型 '个体户'" in messages[0]
        assert "vat-rate '0.05' 不可用, 应为 0.03 或 0.01" in messages[1]

    def test_invoice_type_names(self):
        assert tax.invoice_type("增值税专用发票") == "专票"
        assert tax.invoice_type(" 数电发票（增值税专用发票） ") == "专票"
        assert tax.invoice_type("增值税电子普通发票") == "普票"
        with pytest.raises(ValueError, match="不是专票或普票"):
            tax.invoice_type("收据")
        general, small = tax.Taxpayer(), tax.Taxpayer("small", D("0.03"), False)
        assert tax.deductible(general, "专票") and tax.deductible(general, None)
        assert not tax.deductible(general, "普票") and not tax.deductible(general, "收据")
        assert not tax.deductible(small, "专票")


# --------------------------------------------------------------------------- sales


SALES = """
plugin "beancount_tmall.plugins.sales"
{setting}
2025-03-15 * "天猫" "2025-03-15 交易成功" #tmall-sale
  source: "alipay"
  Assets:1012-其他货币资金:101201-支付宝        10300.00 CNY
  Income:6001-主营业务收入                     -10300.00 CNY

2025-03-16 * "天猫" "退款" #tmall-sale
  source: "alipay"
  Income:6001-主营业务收入                        101.00 CNY
  Assets:1012-其他货币资金:101201-支付宝         -101.00 CNY
"""


@pytest.mark.parametrize(
    "setting, revenue, vat",
    [
        # 一般纳税人 13%: 10300 / 1.13 = 9115.044 → 9115.04, VAT 1184.96; refund 101 / 1.13 =
        # 89.380 → 89.38, VAT 11.62.
        ("", [D("-9115.04"), D("89.38")], [D("-1184.96"), D("11.62")]),
        # 小规模 3%: 10300 / 1.03 = 10000.00, levy 300.00; 101 / 1.03 = 98.058 → 98.06, 2.94.
        ('2025-01-01 custom "tmall-taxpayer" "小规模纳税人"',
         [D("-10000.00"), D("98.06")], [D("-300.00"), D("2.94")]),
        # 小规模 1%: 10300 / 1.01 = 10198.020 → 10198.02, levy 101.98; 101 / 1.01 = 100.00, 1.00.
        ('2025-01-01 custom "tmall-taxpayer" "小规模纳税人"\n  vat-rate: "0.01"',
         [D("-10198.02"), D("100.00")], [D("-101.98"), D("1.00")]),
    ],
)
def test_small_taxpayer_same_gross_sales_other_vat(setting, revenue, vat):
    entries, errors, _ = loader.load_string(chart_text() + SALES.format(setting=setting))
    assert errors == []
    assert postings_of(entries, accounts.REVENUE) == revenue
    assert postings_of(entries, accounts.OUTPUT_VAT) == vat
    # Gross sales (income + VAT) are 10300 − 101 = 10199.00 whatever the regime.
    assert -(sum(revenue) + sum(vat)) == D("10199.00")


# --------------------------------------------------------------------------- invoices


class TestInvoiceTypes(cmptest.TestCase):
    @load_doc_with_chart()
    def test_general_taxpayer_deducts_only_a_special_invoice(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"

        2025-03-10 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1221-其他应收款:122103-淘宝客佣金     106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "天猫" "2025-03 天猫佣金发票" #invoice
          invoice-no: "1"
          period: "2025-03"
          invoice-type: "专票"
          Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

        2025-04-10 * "阿里妈妈" "2025-03 淘宝客发票" #invoice
          invoice-no: "2"
          period: "2025-03"
          invoice-type: "普票"
          Assets:1221-其他应收款:122103-淘宝客佣金   -106.00 CNY
        """
        # 专票: 5650 / 1.06 = 5330.19 expense, 319.81 进项; 普票: 106.00 to expense, no 进项.
        self.assertIncludesEntries(
            """
            2025-04-09 * "天猫" "2025-03 天猫佣金发票" #invoice
              Expenses:6601-销售费用:660101-天猫佣金                          5330.19 CNY
              Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额    319.81 CNY
              Assets:1221-其他应收款:122101-天猫佣金                         -5650.00 CNY

            2025-04-10 * "阿里妈妈" "2025-03 淘宝客发票" #invoice
              Expenses:6601-销售费用:660104-广告宣传费:66010401-淘宝客         106.00 CNY
              Assets:1221-其他应收款:122103-淘宝客佣金                        -106.00 CNY
            """,
            entries,
        )

    @load_doc_with_chart()
    def test_small_taxpayer_expenses_every_invoice_whole(self, entries, _, __):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"
        plugin "beancount_tmall.plugins.annual_fee"

        2025-01-01 custom "tmall-taxpayer" "小规模纳税人"

        2025-03-10 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      5650.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "天猫" "2025-03 天猫佣金发票" #invoice
          invoice-no: "1"
          period: "2025-03"
          invoice-type: "专票"
          Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY
        """
        self.assertIncludesEntries(
            """
            2025-04-09 * "天猫" "2025-03 天猫佣金发票" #invoice
              Expenses:6601-销售费用:660101-天猫佣金     5650.00 CNY
              Assets:1221-其他应收款:122101-天猫佣金    -5650.00 CNY
            """,
            entries,
        )
        assert total(entries, accounts.INPUT_VAT) == 0


REGISTER = """\
开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率,{column}
2025-04-09,1001,浙江天猫技术有限公司,杭州云栖,2025-03,天猫佣金,5650.00,6%,{a}
2026-01-20,1002,浙江天猫技术有限公司,杭州云栖,2025,年度技术服务费,15000.00,6%,{b}
"""


def test_register_invoice_type_column(tmp_path):
    path = tmp_path / "发票台账.csv"
    path.write_text(REGISTER.format(column="发票种类", a="增值税专用发票", b="普票"), encoding="utf-8")
    rows = fmt.read_rows(path)
    assert [(r.invoice_type, r.type_given) for r in rows] == [("专票", True), ("普票", True)]
    commission, annual = extract_invoices(path)
    assert commission.meta["invoice-type"] == "专票" and len(commission.postings) == 1
    # The 普票 of the annual fee: 660103 takes the whole 15000.00, no 进项税额.
    assert [(p.account, p.units.number) for p in annual.postings] == [
        (accounts.ANNUAL_FEE_EXPENSE, D("15000.00")),
        (accounts.ANNUAL_FEE_RECEIVABLE, D("-15000.00")),
    ]
    # Another accepted header name; a 专票 annual fee splits 15000 / 1.06 = 14150.94 + 849.06.
    path.write_text(REGISTER.format(column="发票类型", a="专票", b="数电专票"), encoding="utf-8")
    _, annual = extract_invoices(path)
    assert [p.units.number for p in annual.postings] == [D("14150.94"), D("849.06"), D("-15000.00")]
    # The store is a 小规模纳税人 by the existing ledger: nothing deducted even on a 专票.
    small = loader.load_string('2025-01-01 custom "tmall-taxpayer" "小规模纳税人"')[0]
    _, annual = extract_invoices(path, existing=small)
    assert [p.units.number for p in annual.postings] == [D("15000.00"), D("-15000.00")]


def test_register_saved_by_excel_in_gbk_with_crlf(tmp_path):
    """The register as Excel saves a CSV on a Chinese Windows: GBK, CRLF, a 票种 column."""
    path = tmp_path / "发票台账.csv"
    text = REGISTER.format(column="票种", a="增值税专用发票", b="增值税普通发票")
    path.write_bytes(text.replace("\n", "\r\n").encode("gbk"))
    rows = fmt.read_rows(path)
    assert [(r.invoice_type, r.type_given) for r in rows] == [("专票", True), ("普票", True)]


def test_register_without_the_column_reads_special_and_says_so(tmp_path):
    path = tmp_path / "发票台账.csv"
    text = REGISTER.format(column="备注", a="", b="").replace(",备注", "").replace(",\n", "\n")
    path.write_text(text, encoding="utf-8")
    rows = fmt.read_rows(path)
    assert [(r.invoice_type, r.type_given) for r in rows] == [("专票", False), ("专票", False)]
    assert extract_invoices(path)[0].meta["invoice-type"] == "专票"


def test_register_bad_invoice_type_names_the_line(tmp_path):
    path = tmp_path / "发票台账.csv"
    path.write_text(REGISTER.format(column="票种", a="专票", b="收据"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"发票台账.csv:3: 发票种类 '收据' 不是专票或普票"):
        fmt.read_rows(path)


# --------------------------------------------------------------------------- accrual points


ACCRUAL_LEDGER = """
plugin "beancount_tmall.plugins.sales"
plugin "beancount_tmall.plugins.invoices" "{{'accrue': True, 'accrue_at': '{at}'}}"
{setting}
2025-01-15 * "支付宝" "佣金"
  Assets:1221-其他应收款:122101-天猫佣金      1060.00 CNY
  Assets:1012-其他货币资金:101201-支付宝
2025-02-09 * "天猫" "2025-01 佣金发票" #invoice
  invoice-no: "1"
  period: "2025-01"
  Assets:1221-其他应收款:122101-天猫佣金   -1060.00 CNY
2025-03-20 * "支付宝" "佣金"
  Assets:1221-其他应收款:122101-天猫佣金       212.00 CNY
  Assets:1012-其他货币资金:101201-支付宝
2025-04-09 * "天猫" "2025-03 佣金发票" #invoice
  invoice-no: "2"
  period: "2025-03"
  Assets:1221-其他应收款:122101-天猫佣金    -212.00 CNY
2025-04-30 balance Assets:1012-其他货币资金:101201-支付宝  -1272.00 CNY
"""


def accruals(entries):
    return sorted(
        (str(e.date), e.meta["period"], sorted(e.links)[0],
         tuple((p.account.rsplit(":", 1)[1], p.units.number) for p in e.postings))
        for e in entries
        if "accrual" in getattr(e, "tags", ())
    )


def test_accrual_at_month_ends_parks_vat_in_222103_and_reverses_next_day():
    entries, errors, _ = loader.load_string(chart_text() + ACCRUAL_LEDGER.format(at="month", setting=""))
    assert errors == []
    # January's 1060.00 is uninvoiced on 01-31 (invoice 02-09): 1060 / 1.06 = 1000.00 expense,
    # 60.00 to 待认证进项税额; March's 212.00 on 03-31: 200.00 + 12.00. February has nothing open.
    assert accruals(entries) == [
        ("2025-01-31", "2025-01", "accrual-122101-2025-01",
         (("660101-天猫佣金", D("1000.00")), ("222103-待认证进项税额", D("60.00")), ("122101-天猫佣金", D("-1060.00")))),
        ("2025-02-01", "2025-01", "accrual-122101-2025-01",
         (("122101-天猫佣金", D("1060.00")), ("222103-待认证进项税额", D("-60.00")), ("660101-天猫佣金", D("-1000.00")))),
        ("2025-03-31", "2025-03", "accrual-122101-2025-03",
         (("660101-天猫佣金", D("200.00")), ("222103-待认证进项税额", D("12.00")), ("122101-天猫佣金", D("-212.00")))),
        ("2025-04-01", "2025-03", "accrual-122101-2025-03",
         (("122101-天猫佣金", D("212.00")), ("222103-待认证进项税额", D("-12.00")), ("660101-天猫佣金", D("-200.00")))),
    ]
    # 其他应收款 holds nothing at either month end: the VAT is not left there.
    at_month_end = [e for e in entries if isinstance(e, data.Transaction) and e.date <= datetime.date(2025, 3, 31)]
    assert total(at_month_end, accounts.COMMISSION_RECEIVABLE) == 0
    rows = invoices.reconcile(entries, "{'accrue': True, 'accrue_at': 'month'}")
    assert [(r.month, r.status, r.accrued) for r in rows] == [
        ("2025-01", "matched", D("1060.00")),
        ("2025-03", "matched", D("212.00")),
    ]


def test_accrual_at_quarter_ends_and_for_a_small_taxpayer():
    entries, errors, _ = loader.load_string(chart_text() + ACCRUAL_LEDGER.format(at="quarter", setting=""))
    assert errors == []
    # Only 03-31 is a point: January was invoiced by then, March was not.
    assert [(d, p) for d, p, _, _ in accruals(entries)] == [("2025-03-31", "2025-03"), ("2025-04-01", "2025-03")]
    assert accruals(entries)[0][2] == "accrual-122101-2025-03"
    small = '2025-01-01 custom "tmall-taxpayer" "小规模纳税人"'
    entries, errors, _ = loader.load_string(chart_text() + ACCRUAL_LEDGER.format(at="quarter", setting=small))
    assert errors == []
    # Nothing deductible: the whole 212.00 is the expense, nothing in 222103.
    assert accruals(entries)[0][3] == (("660101-天猫佣金", D("212.00")), ("122101-天猫佣金", D("-212.00")))
    # The year setting accrues nothing before 12-31.
    entries, errors, _ = loader.load_string(chart_text() + ACCRUAL_LEDGER.format(at="year", setting=""))
    assert errors == [] and accruals(entries) == []


def test_bad_accrue_at_is_an_error():
    entries, errors, _ = loader.load_string(chart_text() + ACCRUAL_LEDGER.format(at="week", setting=""))
    assert len(errors) == 1 and "accrue_at 须为 'year', 'quarter' 或 'month'" in errors[0].message


def test_init_writes_the_tax_settings_as_their_defaults(tmp_path):
    from beancount_tmall.ledger_init import init_ledger

    main = init_ledger(tmp_path)
    entries, errors, _ = loader.load_file(str(main))
    assert errors == []
    settings, problems = tax.close_settings(entries, datetime.date(2100, 1, 1))
    assert problems == [] and settings == tax.CloseSettings()
    assert tax.taxpayer(entries, datetime.date(2100, 1, 1)) == tax.DEFAULT
    assert len([e for e in entries if isinstance(e, data.Custom) and e.type == tax.TAXPAYER_TYPE]) == 1


class TestInvoiceMetadata(cmptest.TestCase):
    @load_doc_with_chart(expect_errors=True)
    def test_vat_rate_metadata_and_bad_values(self, entries, errors, _):
        """
        plugin "beancount_tmall.plugins.sales"
        plugin "beancount_tmall.plugins.invoices"

        2025-03-10 * "支付宝" "佣金"
          Assets:1221-其他应收款:122101-天猫佣金      1030.00 CNY
          Assets:1221-其他应收款:122102-天猫积分       106.00 CNY
          Assets:1221-其他应收款:122103-淘宝客佣金     106.00 CNY
          Assets:1012-其他货币资金:101201-支付宝

        2025-04-09 * "天猫" "2025-03 佣金发票 3%" #invoice
          invoice-no: "1"
          period: "2025-03"
          vat-rate: "0.03"
          Assets:1221-其他应收款:122101-天猫佣金   -1030.00 CNY

        2025-04-09 * "天猫" "2025-03 积分发票" #invoice
          invoice-no: "2"
          period: "2025-03"
          vat-rate: "六"
          Assets:1221-其他应收款:122102-天猫积分   -106.00 CNY

        2025-04-09 * "阿里妈妈" "2025-03 淘宝客发票" #invoice
          invoice-no: "3"
          period: "2025-03"
          invoice-type: "收据"
          Assets:1221-其他应收款:122103-淘宝客佣金   -106.00 CNY
        """
        # 3%: 1030 / 1.03 = 1000.00 + 30.00; the unreadable rate falls back to 6%: 100.00 + 6.00;
        # the unknown type is not deducted: 106.00 to expense.
        assert postings_of(entries, accounts.INPUT_VAT) == [D("30.00"), D("6.00")]
        assert postings_of(entries, accounts.TAOBAOKE_EXPENSE) == [D("106.00")]
        messages = [e.message for e in errors]
        assert len(messages) == 2
        assert "vat-rate '六' 不是税率, 按 0.06 拆分" in messages[0]
        assert "发票种类 '收据' 不是专票或普票" in messages[1] and "按普票处理" in messages[1]


@pytest.mark.parametrize("column, said", [(False, True), (True, False)])
def test_import_says_when_the_register_has_no_invoice_type_column(tmp_path, column, said):
    from beancount_tmall.importers import filing
    from beancount_tmall.ledger_init import init_ledger

    main = init_ledger(tmp_path / "books")
    register = tmp_path / "发票台账.csv"
    text = REGISTER.format(column="发票种类", a="专票", b="专票")
    if not column:
        text = text.replace(",发票种类", "").replace(",专票\n", "\n")
    register.write_text(text, encoding="utf-8")
    plan = filing.plan_import([register], main, archive=False)
    notes = " ".join(n for s in plan.sources for n in s.notes)
    assert ("台账没有专票/普票列 (发票种类): 2 张平台发票按专票记" in notes) is said
