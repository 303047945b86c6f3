"""The fee-invoice CSV: parsing (formats.fee_invoices) and entries (importers.fee_invoices)."""

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.parser import cmptest, printer
from hypothesis import given, settings
from hypothesis import strategies as st

from beancount_tmall.formats import fee_invoices as fmt
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter, extract_invoices
from beancount_tmall.ledger_init import open_directives

CSV = """\
开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率
2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,5650.00,6%
2025-04-10,="25332000000012345679",浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025/3,天猫积分,56.50,0.06

2025-04-22,25332000000012345680,杭州阿里妈妈软件服务有限公司,杭州云栖示例商贸有限公司,202503,直通车,4500.00,6%
2025-04-08,25337000000000000001,杭州云栖示例商贸有限公司,浙江天猫技术有限公司,2025年3月,消费积分,276.95,13%
2025-12-31,25339000000000000001,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025,年度技术服务费,15000.00,6%
"""

EXPECTED = """
2025-04-08 * "杭州云栖示例商贸有限公司" "2025-03 消费积分发票" #points-invoice
  invoice-no: "25337000000000000001"
  period: "2025-03"
  amount: 276.95

2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
  invoice-no: "25332000000012345678"
  period: "2025-03"
  Assets:1221-其他应收款:122101-天猫佣金  -5650.00 CNY

2025-04-10 * "浙江天猫技术有限公司" "2025-03 天猫积分发票" #invoice
  invoice-no: "25332000000012345679"
  period: "2025-03"
  Assets:1221-其他应收款:122102-天猫积分  -56.50 CNY

2025-04-22 * "杭州阿里妈妈软件服务有限公司" "2025-03 直通车发票" #invoice
  invoice-no: "25332000000012345680"
  period: "2025-03"
  Assets:1221-其他应收款:122107-直通车  -4500.00 CNY

2025-12-31 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
  invoice-no: "25339000000000000001"
  period: "2025"
  Expenses:6601-销售费用:660103-天猫年度技术服务费  14150.94 CNY
  Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额  849.06 CNY
  Assets:1221-其他应收款:122104-天猫年费  -15000.00 CNY
"""


@pytest.fixture
def invoice_csv(tmp_path):
    path = tmp_path / "发票台账_2025.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_rows_are_typed_with_lines(invoice_csv):
    rows = fmt.read_rows(invoice_csv)
    assert [r.line for r in rows] == [2, 3, 5, 6, 7]
    assert rows[0].amount == Decimal("5650.00") and rows[0].rate == Decimal("0.06")
    assert rows[1].number == "25332000000012345679"  # ="…" protection removed
    assert [r.period for r in rows] == ["2025-03"] * 4 + ["2025"]
    assert rows[3].rate == Decimal("0.13")


def test_gbk_file_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(CSV.encode("gbk"))
    assert fmt.identify(path)
    assert len(fmt.read_rows(path)) == 5


@pytest.mark.parametrize(
    "line, message",
    [
        ("2025-04-09,1,a,b,2025-03,天猫佣金,abc,6%", "价税合计 'abc' 不是以分为单位的金额"),
        # a million-digit amount once quantized; an amount below the cent; not finite
        ("2025-04-09,1,a,b,2025-03,天猫佣金,1e-999999999,6%", "价税合计 '1e-999999999' 不是以分为单位"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,1E+999999999,6%", "不是以分为单位"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,5650.005,6%", "不是以分为单位"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,NaN,6%", "价税合计 'NaN'"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,Infinity,6%", "价税合计 'Infinity'"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,1.00,1e-999999999", "税率"),
        ("9999-04-09,1,a,b,2025-03,天猫佣金,1.00,6%", "开票日期 '9999-04-09' 的年份"),
        ("2025-04-09,1,a,b,0000-03,天猫佣金,1.00,6%", "所属期间 '0000-03' 的年份"),
        ("2025-13-09,1,a,b,2025-03,天猫佣金,1.00,6%", "开票日期"),
        ("2025-04-09,1,a,b,2025-3x,天猫佣金,1.00,6%", "所属期间"),
        ("2025-04-09,1,a,b,2025-03,天猫佣金,1.00,600%", "税率"),
        ("2025-04-09,2.5332E+19,a,b,2025-03,天猫佣金,1.00,6%", "scientific notation"),
        ("2025-04-09,1,a,b,2025-03", "row has 5 cells"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(fmt.HEADER) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        fmt.read_rows(path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert message in str(info.value)


def test_duplicate_number_and_missing_header(tmp_path):
    path = tmp_path / "dup.csv"
    row = "2025-04-09,7,a,b,2025-03,天猫佣金,1.00,6%"
    path.write_text(",".join(fmt.HEADER) + f"\n{row}\n{row}\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"dup.csv:3: 发票号码 7 已在第 2 行出现; 发票号码 7 already on line 2"):
        fmt.read_rows(path)
    path.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not an invoice CSV"):
        fmt.read_rows(path)
    assert not fmt.identify(path)


class TestImporter(cmptest.TestCase):
    def test_entries(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "inv.csv"
            path.write_text(CSV, encoding="utf-8")
            importer = FeeInvoiceImporter()
            self.assertTrue(importer.identify(str(path)))
            entries = importer.extract(str(path), [])
            self.assertEqualEntries(EXPECTED, entries)
            points = entries[0]
            self.assertEqual(points.postings, [])
            self.assertEqual(points.meta["amount"], "276.95 CNY")
            self.assertEqual(entries[1].meta["lineno"], 2)

    def test_idempotent_by_invoice_no(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "inv.csv"
            path.write_text(CSV, encoding="utf-8")
            first = extract_invoices(path)
            again = extract_invoices(path, existing=first)
            self.assertEqual(again, [])
            partial = extract_invoices(path, existing=first[:2])
            self.assertEqual(len(partial), 3)


def test_unknown_kind_is_an_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(",".join(fmt.HEADER) + "\n2025-04-09,1,a,b,2025-03,停车费,1.00,6%\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"x.csv:2: 费用类型 '停车费' 不是已知的发票费用类型.*; is not a known invoice kind"):
        extract_invoices(path)
    custom = FeeInvoiceImporter(kinds={"停车费": ("Assets:1221-其他应收款:122101-天猫佣金", None)})
    assert len(custom.extract(str(path), [])) == 1


def test_entries_load_in_beancount(invoice_csv):
    """A points invoice without postings and a full-form invoice load without errors.

    (Compact invoices balance only once the ``invoices`` plugin completes them.)
    """
    entries = [e for e in extract_invoices(invoice_csv) if len(e.postings) != 1]
    assert len(entries) == 2
    text = "\n".join(open_directives(datetime.date(2025, 1, 1))) + "\n\n"
    text += "\n".join(printer.format_entry(e) for e in entries)
    loaded, errors, _ = loader.load_string(text)
    assert errors == []
    points = [e for e in loaded if "points-invoice" in getattr(e, "tags", ())]
    assert points[0].postings == [] and points[0].meta["amount"] == "276.95 CNY"


ROW = "2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖,2025-03,天猫佣金,5650.00,6%"


@pytest.mark.parametrize(
    "text, line",
    [
        ("序号," + ",".join(fmt.HEADER) + "\n1," + ROW + "\n", 2),  # a leading 序号 column
        ("2025年发票台账\n" + ",".join(fmt.HEADER) + "\n" + ROW + "\n", 3),  # a title line first
        (",".join(reversed(fmt.HEADER)) + "\n" + ",".join(reversed(ROW.split(","))) + "\n", 2),
        (",".join(fmt.HEADER) + ",备注\n" + ROW + "\n", 2),  # an empty last column left out
    ],
)
def test_header_anywhere_in_any_order(tmp_path, text, line):
    path = tmp_path / "inv.csv"
    path.write_text(text, encoding="utf-8")
    assert fmt.identify(path)
    (row,) = fmt.read_rows(path)
    assert (row.line, row.number, row.amount) == (line, "25332000000012345678", Decimal("5650.00"))


def test_a_short_row_after_a_leading_column_names_its_line(tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("序号," + ",".join(fmt.HEADER) + "\n" + ROW + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"inv.csv:2: 本行只有 8 列, 表头有 9 列: 缺少单元格; row has 8 cells, expected 9"):
        fmt.read_rows(path)


def test_a_header_lacking_a_column_is_named(tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text("2025年发票台账\n" + ",".join(fmt.HEADER[:-1]) + "\n" + ROW + "\n", encoding="utf-8")
    assert not fmt.identify(path)
    with pytest.raises(SourceError, match=r"inv.csv:2: 不是发票台账: 表头缺少 税率 .*; not an invoice CSV: header lacks 税率"):
        fmt.read_rows(path)


def test_a_cell_over_the_csv_field_limit_names_its_line(tmp_path):
    path = tmp_path / "huge.csv"
    big = "x" * 200_000
    path.write_text(CSV.replace("浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025/3", f'"{big}",b,2025/3'),
                    encoding="utf-8")
    with pytest.raises(SourceError, match=r"huge.csv:3: CSV 行无法读取"):
        fmt.read_rows(path)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(CSV.encode("gbk"))),
            st.sampled_from([b"", b"\x00", b"\xff", b'"', b",", b"\n", b"1e-999999999", b"NaN",
                             b"9999", b"%", b"E+99", b"x" * 140_000]),
            st.integers(0, 6),
        ),
        min_size=1, max_size=4,
    )
)
def test_mutated_register_ends_in_rows_or_a_source_error(mutations):
    data = bytearray(CSV.encode("gbk"))
    for at, chunk, size in mutations:
        data[at : at + size] = chunk
    try:
        rows = fmt.read_rows(bytes(data), name="inv.csv")
    except SourceError as exc:
        assert exc.path == "inv.csv"
    else:
        for row in rows:
            assert row.amount == row.amount.quantize(Decimal("0.01"))
            assert abs(row.amount) < 10**12
