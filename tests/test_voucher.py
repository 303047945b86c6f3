"""记账凭证 (beancount_tmall.reports.voucher, ``tmall-books voucher``): numbering, rows, totals,
capitals and attachments on ledgers written in the tests, the demo's March, and the PDF."""

from __future__ import annotations

import datetime
import os
import re
import unittest
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from click.testing import CliRunner
from conftest import load_doc_with_chart

from beancount_tmall.cli import main
from beancount_tmall.reports import balances
from beancount_tmall.reports import voucher as voucher_lib

REPO = Path(__file__).resolve().parent.parent
DEMO = Path(os.environ.get("TMALL_DEMO_DIR") or REPO / "ledgers" / "demo")

D = Decimal
ALIPAY = "Assets:1012-其他货币资金:101201-支付宝"


def row(voucher, i):
    r = voucher.rows[i]
    return (r.top, r.detail, r.debit, r.credit)


class TestVouchers(unittest.TestCase):
    @load_doc_with_chart(files=["破损/PS-1-1.png", "破损/PS-1-2.png"])
    def test_month(self, entries, errors, options):
        """
        2025-02-28 * "支付宝" "上月的分录, 不是三月的凭证"
          Assets:1002-银行存款                          1.00 CNY
          Income:6001-主营业务收入                       -1.00 CNY

        2025-03-05 * "结转" "2025-03 结转已销商品成本"
          Expenses:6401-主营业务成本                     40.00 CNY
          Assets:1405-库存商品                          -40.00 CNY
          Expenses:6401-主营业务成本                     15.00 CNY
          Assets:1405-库存商品                          -15.00 CNY

        2025-03-05 * "天猫" "退货破损 GW-SC × 1 (破损单 PS-1)" ^breakage-PS-1
          Expenses:6401-主营业务成本:640102-破损          55.00 CNY
          Assets:1405-库存商品                          -55.00 CNY
            source-file: "documents/2025-03.csv"

        2025-03-05 document Expenses:6401-主营业务成本:640102-破损 "破损/PS-1-1.png" ^breakage-PS-1
        2025-03-05 document Expenses:6401-主营业务成本:640102-破损 "破损/PS-1-2.png" ^breakage-PS-1

        2025-03-05 * "天猫" "折价 订单 4100 的审批 (没有金额)"
          approved-by: "李婷"

        2025-03-06 balance Assets:1405-库存商品         -110.00 CNY

        2025-03-31 * "银行" "利息"
          Assets:1002-银行存款                          0.06 CNY
          Expenses:6603-财务费用:660302-利息收入         -0.06 CNY

        2025-03-01 * "支付宝" "2025-03-01 支付宝结算 3 笔"
          Assets:1012-其他货币资金:101201-支付宝        1000.00 CNY
          Assets:1221-其他应收款:122101-天猫佣金          50.00 CNY
          Expenses:6601-销售费用:660105-售后赔付          10.00 CNY
          Income:6001-主营业务收入                     -960.18 CNY
          Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -124.82 CNY
          Income:6001-主营业务收入                       20.00 CNY
          Expenses:6601-销售费用:660105-售后赔付           5.00 CNY

        2025-04-01 * "支付宝" "下月"
          Assets:1002-银行存款                          2.00 CNY
          Income:6001-主营业务收入                       -2.00 CNY
        """
        vouchers = voucher_lib.vouchers(entries, "2025-03", options)
        self.assertEqual(
            [(v.number, v.date, v.summary) for v in vouchers],
            [
                ("记-001", datetime.date(2025, 3, 1), "支付宝结算 3 笔"),
                ("记-002", datetime.date(2025, 3, 5), "2025-03 结转已销商品成本"),
                ("记-003", datetime.date(2025, 3, 5), "天猫 退货破损 GW-SC × 1 (破损单 PS-1)"),
                ("记-004", datetime.date(2025, 3, 31), "银行 利息"),
            ],
        )
        settlement, cogs, breakage, interest = vouchers
        # debits first in the order the accounts appear; 售后赔付 10.00 + 5.00 merged; the
        # refund's debit to 主营业务收入 is its own row beside the credit
        self.assertEqual(
            [row(settlement, i) for i in range(len(settlement.rows))],
            [
                ("1012 其他货币资金", "101201 支付宝", D("1000.00"), None),
                ("1221 其他应收款", "122101 天猫佣金", D("50.00"), None),
                ("6601 销售费用", "660105 售后赔付", D("15.00"), None),
                ("6001 主营业务收入", "", D("20.00"), None),
                ("6001 主营业务收入", "", None, D("960.18")),
                ("2221 应交税费", "22210102 应交增值税-销项税额", None, D("124.82")),
            ],
        )
        self.assertEqual((settlement.debit_total, settlement.credit_total), (D("1085.00"), D("1085.00")))
        self.assertEqual(settlement.total_in_words, "壹仟零捌拾伍元整")
        self.assertEqual(settlement.attachments, 0)
        # two pairs of postings print as two rows
        self.assertEqual(
            [row(cogs, i) for i in range(2)],
            [("6401 主营业务成本", "", D("55.00"), None), ("1405 库存商品", "", None, D("55.00"))],
        )
        self.assertEqual(cogs.total_in_words, "伍拾伍元整")
        # two photos linked by ^breakage-PS-1 and the statement the posting names
        self.assertEqual(breakage.attachments, 3)
        self.assertEqual(row(breakage, 0), ("6401 主营业务成本", "640102 破损", D("55.00"), None))
        self.assertEqual(interest.total_in_words, "陆分")
        self.assertEqual(row(interest, 1), ("6603 财务费用", "660302 利息收入", None, D("0.06")))
        for v in vouchers:
            self.assertEqual(v.debit_total, v.credit_total)

    @load_doc_with_chart()
    def test_pages_and_tables(self, entries, errors, options):
        """
        2025-05-31 * "结转" "多行的凭证"
          Assets:1221-其他应收款:122101-天猫佣金          1.00 CNY
          Assets:1221-其他应收款:122102-天猫积分          2.00 CNY
          Assets:1221-其他应收款:122103-淘宝客佣金        3.00 CNY
          Assets:1221-其他应收款:122104-天猫年费          4.00 CNY
          Assets:1221-其他应收款:122105-聚划算            5.00 CNY
          Assets:1221-其他应收款:122106-钻展              6.00 CNY
          Assets:1221-其他应收款:122107-直通车            7.00 CNY
          Assets:1002-银行存款                         -28.00 CNY
        """
        (voucher,) = voucher_lib.vouchers(entries, "2025-05", options)
        pages = voucher_lib.pages(voucher, rows=3)
        self.assertEqual([p.label for p in pages], ["记-001 1/3", "记-001 2/3", "记-001 3/3"])
        self.assertEqual([len(p.rows) for p in pages], [3, 3, 2])
        self.assertEqual([(p.debit, p.credit) for p in pages],
                         [(D("6.00"), 0), (D("15.00"), 0), (D("7.00"), D("28.00"))])
        document = voucher_lib.html_document([voucher], rows=3)
        self.assertEqual(document.count('<section class="voucher">'), 3)
        self.assertEqual(document.count("转下页"), 2)
        self.assertEqual(document.count("合计: 人民币(大写)"), 1)
        self.assertIn("贰拾捌元整", document)
        self.assertIn("@page { size: A5 landscape", document)
        for box in ("制单", "审核", "记账", "出纳"):
            self.assertEqual(document.count(f"<span>{box}:</span>"), 3)
        text = voucher_lib.tables([voucher])[0]
        self.assertEqual(text.footer, [["合计", None, None, D("28.00"), D("28.00")]])
        self.assertEqual(text.notes, ["合计: 人民币(大写) 贰拾捌元整"])
        with self.assertRaisesRegex(ValueError, "每页行数"):
            voucher_lib.pages(voucher, rows=11)

    @load_doc_with_chart()
    def test_foreign_currency_refused(self, entries, errors, options):
        """
        2025-01-01 open Assets:Cash-USD USD
        2025-06-02 * "换汇" "美元"
          Assets:Cash-USD                    10.00 USD @ 7.10 CNY
          Assets:1002-银行存款              -71.00 CNY

        2025-06-03 * "换汇" "美元"
          Assets:Cash-USD                    -1.00 USD
          Assets:Cash-USD                     1.00 USD
        """
        with self.assertRaisesRegex(voucher_lib.VoucherError, r"<string>:\d+: Assets:Cash-USD 的金额 -1.00 USD 不是人民币"):
            voucher_lib.vouchers(entries, "2025-06", options)


def test_names_from_open_metadata_and_summary_cut():
    entries, errors, options = loader.load_string(
        """
        2025-01-01 open Assets:1012-其他货币资金:101201-支付宝 CNY
          code: "101201"
          name: "支付宝 (店铺主账户)"
        2025-01-01 open Income:6001-主营业务收入 CNY
        2025-07-01 * "一个很长很长的付款方名称有限公司" "一段非常长的摘要文字说明这一笔分录的来龙去脉以及备注"
          Assets:1012-其他货币资金:101201-支付宝   9.99 CNY
          Income:6001-主营业务收入                -9.99 CNY
        """,
        dedent=True,
    )
    assert not errors
    (voucher,) = voucher_lib.vouchers(entries, "2025-07", options)
    assert voucher.rows[0].detail == "101201 支付宝 (店铺主账户)"
    # 40 display columns: 16 CJK (32) + space + 一段非 (6) + "…" (1)
    assert voucher.summary == "一个很长很长的付款方名称有限公司 一段非…"
    assert voucher.full_summary.endswith("以及备注")
    assert voucher.total_in_words == "玖元玖角玖分"


# --- the demo's March ---


@pytest.fixture(scope="module")
def demo():
    entries, errors, options = loader.load_file(str(DEMO / "main.beancount"))
    assert not errors
    return entries, options


def test_demo_march(demo):
    entries, options = demo
    vouchers = voucher_lib.vouchers(entries, "2025-03", options)
    assert [v.number for v in vouchers] == [f"记-{i:03d}" for i in range(1, len(vouchers) + 1)]
    assert [v.date for v in vouchers] == sorted(v.date for v in vouchers)
    assert all(datetime.date(2025, 3, 1) <= v.date <= datetime.date(2025, 3, 31) for v in vouchers)
    for v in vouchers:
        assert v.debit_total == v.credit_total > 0, v.number
        assert v.debit_total == sum(r.debit or 0 for r in v.rows)
        assert all((r.debit is None) != (r.credit is None) for r in v.rows)
        keys = [(r.account, r.debit is None) for r in v.rows]
        assert len(keys) == len(set(keys)), f"{v.number}: one row per account and side"
    # the month's debits on the vouchers are the month's debits of the trial balance
    start, end, _ = balances.period(month="2025-03")
    acts = balances.activity(entries, start, end)
    assert sum(v.debit_total for v in vouchers) == sum(a.debit for a in acts.values())
    assert sum(v.credit_total for v in vouchers) == sum(a.credit for a in acts.values())
    # the first of March's settlements is 记-001 (its file comes before the hand-kept files)
    assert vouchers[0].date == datetime.date(2025, 3, 1) and "支付宝结算" in vouchers[0].summary
    # the cost of goods sold entry (pairs per SKU) prints as two rows on one voucher
    (cogs,) = [v for v in vouchers if "结转已销商品成本" in v.summary]
    assert [(r.top, r.debit is not None) for r in cogs.rows] == [
        ("6401 主营业务成本", True), ("1405 库存商品", False)]


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (fonts hide in object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end():]))
        except zlib.error:
            continue
    return b"".join(parts)


def test_cli_pdf_html_text(tmp_path, demo):
    runner = CliRunner()
    ledger = str(DEMO / "main.beancount")
    out = tmp_path / "2025-03.pdf"
    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-03", "--format", "pdf",
                                  "-o", str(out), "--date-in-words"])
    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    inflated = _pdf_text(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+WenQuanYi-Zen-Hei", inflated)
    assert b"/FontFile2" in inflated  # the font is embedded, not only named

    html_out = tmp_path / "2025-03.html"
    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-03", "--format", "html",
                                  "-o", str(html_out), "--date-in-words"])
    assert result.exit_code == 0, result.output
    document = html_out.read_text(encoding="utf-8")
    vouchers = voucher_lib.vouchers(demo[0], "2025-03", demo[1])
    n_pages = sum(len(voucher_lib.pages(v)) for v in vouchers)
    assert document.count('<section class="voucher">') == n_pages
    assert "贰零贰伍年叁月零壹日" in document
    # every voucher page fits one A5 sheet: WeasyPrint lays out exactly one sheet per page
    from weasyprint import HTML

    assert len(HTML(string=document).render().pages) == n_pages

    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-03"])
    assert result.exit_code == 0
    assert result.output.count("记账凭证 记-") == len(vouchers)
    assert "合计: 人民币(大写)" in result.output

    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-03", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.count("\n合计,,,") == len(vouchers)

    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-03", "--format", "html",
                                  "--rows", "11"])
    assert result.exit_code == 1 and "每页行数须在 1 至 10 之间" in result.output

    result = runner.invoke(main, ["voucher", ledger, "--month", "2025-13"])
    assert result.exit_code == 1 and "月份" in result.output

    result = runner.invoke(main, ["voucher", ledger, "--month", "2024-01", "--format", "pdf",
                                  "-o", str(tmp_path / "empty.pdf")])
    assert result.exit_code == 1 and "2024-01 没有记账凭证" in result.output
    assert not (tmp_path / "empty.pdf").exists()


def test_cli_refuses_a_ledger_with_errors_and_lists_them(tmp_path):
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        "2025-01-01 open Assets:1002-银行存款 CNY\n"
        "2025-01-31 balance Assets:1002-银行存款 100.00 CNY\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["voucher", str(ledger), "--month", "2025-01"])
    assert result.exit_code == 1
    assert "有 1 个错误" in result.output and "Balance failed" in result.output


def test_fullest_page_fits_a5():
    """Ten rows with the longest names and a two-line 摘要 still fit one A5 sheet."""
    from weasyprint import HTML

    longest = voucher_lib.Row(
        "Expenses:6601-销售费用:660104-广告宣传费:66010404-直通车",
        "6601 销售费用", "66010404 广告宣传费-直通车推广服务费用明细科目名称很长", D("99999999.99"), None,
    )
    v = voucher_lib.Voucher(
        number="记-001", date=datetime.date(2025, 12, 31), summary="很长的摘要" * 4,
        full_summary="很长的摘要" * 4, rows=[longest] * 10, attachments=12, filename="x", lineno=1,
        debit_total=D("999999999.90"), credit_total=D("999999999.90"),
    )
    document = voucher_lib.html_document([v], date_in_words=True)
    assert len(HTML(string=document).render().pages) == 1
