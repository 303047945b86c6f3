"""待核对 list (reports.suspense) and ``tmall-books reconcile``: open rows come first."""

import textwrap

from beancount import loader
from click.testing import CliRunner
from conftest import chart_text

from beancount_tmall.cli import main
from beancount_tmall.reports import suspense

LEDGER = """
plugin "beancount_tmall.plugins.sales"
plugin "beancount_tmall.plugins.suspense" "{'max_days': 20}"

2025-03-02 ! "支付宝" "2025-03-02 支付宝结算 1 笔"
  Assets:1012-其他货币资金:101201-支付宝       -120.00 CNY
  Assets:1221-其他应收款:122199-待核对           120.00 CNY
    source-file: "statements/2025-03.csv"
    source-line: "57"
    alipay-serial: "20250302123456"
    memo: "转账 代扣款（扣款用途：某服务费）"

2025-03-20 ! "支付宝" "2025-03-20 支付宝结算 1 笔"
  Assets:1012-其他货币资金:101201-支付宝         -7.00 CNY
  Assets:1221-其他应收款:122199-待核对             7.00 CNY
    source-file: "statements/2025-03.csv"
    source-line: "301"
    alipay-serial: "20250320000009"
    memo: "转账"

2025-03-25 * "天猫" "订单" #tmall-sale
  Assets:1012-其他货币资金:101201-支付宝        1130.00 CNY
  Income:6001-主营业务收入                     -1130.00 CNY
"""


def write_ledger(tmp_path, text=LEDGER):
    path = tmp_path / "main.beancount"
    path.write_text(chart_text() + textwrap.dedent(text), encoding="utf-8")
    return path


def test_report_lists_open_rows_oldest_first_with_age_and_source(tmp_path):
    entries, errors, options = loader.load_file(str(write_ledger(tmp_path)))
    report = suspense.suspense_report(entries, options)
    assert report.max_days == 20 and str(report.as_of) == "2025-03-25"
    assert [(str(r.date), str(r.amount), r.age, r.overdue, r.source, r.serial) for r in report.rows] == [
        ("2025-03-02", "120.00", 23, True, "statements/2025-03.csv 第 57 行", "20250302123456"),
        ("2025-03-20", "7.00", 5, False, "statements/2025-03.csv 第 301 行", "20250320000009"),
    ]
    assert report.rows[0].filename.endswith("main.beancount") and report.rows[0].lineno
    assert [e.message[:4] for e in errors] == ["待核对 "]  # only the overdue row is an error


def test_reconcile_prints_open_rows_before_the_monthly_table(tmp_path):
    result = CliRunner().invoke(main, ["reconcile", str(write_ledger(tmp_path))])
    out = result.output
    assert result.exit_code == 1, out  # the overdue row is a bean-check error
    assert out.startswith("待核对: 2 笔未核对, 合计 127.00, 其中 1 笔超过 20 天")
    first_row = out.splitlines()[2]
    assert first_row.split()[:5] == ["2025-03-02", "120.00", "23", "!", "statements/2025-03.csv"]
    assert out.index("20250320000009") < out.index("天猫对账 2025") < out.index("月份")
    assert "判断日 2025-03-25" in out and "错误 1 个" in out


def test_reconcile_on_a_ledger_without_transactions(tmp_path):
    path = write_ledger(tmp_path, 'plugin "beancount_tmall.plugins.suspense"\n')
    result = CliRunner().invoke(main, ["reconcile", str(path)])
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert "待核对: 没有未核对的流水" in result.output and "账本中尚无交易" in result.output
