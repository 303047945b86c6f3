"""``tmall-books extract``: golden output, all-or-nothing errors, idempotence through --existing.

Set UPDATE_GOLDEN=1 to rewrite tests/golden/ after an intended change of the output.
"""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import alipay_samples
import pytest
from alipay_samples import FIXTURES
from beancount import loader
from click.testing import CliRunner

from beancount_tmall import accounts
from beancount_tmall.cli import main
from beancount_tmall.importers.extract import run_extract
from beancount_tmall.ledger_init import main_text

GOLDEN = Path(__file__).parent / "golden"
STATEMENT = str(FIXTURES / "statement_16col_gbk.csv")
ORDERS = str(FIXTURES / "orders_gbk.csv")


def extract(*args):
    return CliRunner().invoke(main, ["extract", *map(str, args)])


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path} (UPDATE_GOLDEN=1 to accept)"


def ledger(tmp_path: Path, entries_text: str) -> Path:
    """A main.beancount without plugins holding ``entries_text``."""
    main_file = tmp_path / "main.beancount"
    text = main_text("测试", datetime.date(2025, 1, 1), plugins=False)
    main_file.write_text(text + "\n" + entries_text, encoding="utf-8")
    return main_file


@pytest.mark.parametrize(
    "golden, args",
    [
        ("alipay_daily.beancount", [STATEMENT, ORDERS]),
        ("alipay_per_row.beancount", ["--per-row", str(FIXTURES / "statement_new_family_utf8bom.csv"), ORDERS]),
    ],
)
def test_golden_output(golden, args, tmp_path):
    result = extract(*args)
    assert result.exit_code == 0, result.stderr
    check_golden(golden, result.stdout.replace(f'"{FIXTURES}/', '"'))  # not this machine's paths
    assert "2 行记入待核对" in result.stderr and "第 17, 21 行" in result.stderr  # 神秘扣款, 往来款
    _, errors, _ = loader.load_file(str(ledger(tmp_path, result.stdout)))
    assert errors == []


def test_every_good_variant_gives_the_same_daily_entries():
    outputs = {
        name: extract(FIXTURES / name).stdout
        for name in (
            "statement_16col_gbk.csv",
            "statement_12col_negative_gbk.csv",
            "statement_16col_utf8.csv",
            "statement_new_family_utf8bom.csv",
            "bill_20250318.zip",
        )
    }
    # The same but for where the row to review comes from (``source-file`` of its posting).
    outputs = {k: re.sub(r'source-file: ".*"', "", v) for k, v in outputs.items()}
    assert len(set(outputs.values())) == 1, outputs.keys()


def test_run_extract_api(capsys):
    assert run_extract([STATEMENT], per_row=True, mask=False) == 0
    out = capsys.readouterr().out
    assert 'counterparty: "13812341234"' in out


@pytest.mark.parametrize(
    "name, where",
    [
        ("broken_footer_total.csv", ":32: 合计行记 支出 15 笔"),
        ("broken_missing_row.csv", ":13: 余额 237.15 与上一行余额 234.40 加金额 0.25"),
        ("broken_truncated.csv", ":30: 此行有 13 个单元格"),
        ("broken_excel_id.csv", ":8: 编号 '2.0881E+15' 已被 Excel 改写"),
        ("broken_encoding.csv", ":17: 字节"),
    ],
)
def test_any_broken_file_prints_nothing(name, where):
    result = extract(STATEMENT, FIXTURES / name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{FIXTURES / name}{where}" in result.stderr
    assert "未输出任何内容" in result.stderr


def test_unknown_file_is_an_error(tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    result = extract(other)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{other}: 无法识别的文件" in result.stderr


def test_existing_ledger_makes_the_import_idempotent(tmp_path):
    first = extract(STATEMENT)
    main_file = ledger(tmp_path, first.stdout)
    again = extract("--existing", main_file, STATEMENT, FIXTURES / "bill_20250318.zip")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == ""
    assert "25 行已在账簿中" in again.stderr


def test_store_rules_file(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nname = "mystery"\nbiz_type = "其它"\naccount = "COMPENSATION"\n'
        '[[rule]]\nname = "own-transfer"\nbiz_type = "转账"\nremark = "往来款"\naccount = "TRANSFERS"\n',
        encoding="utf-8",
    )
    result = extract("--rules", rules, STATEMENT)
    assert result.exit_code == 0
    assert "Expenses:6601-销售费用:660105-售后赔付" in result.stdout
    assert "match no rule" not in result.stderr


def test_the_rules_toml_beside_the_existing_ledger_is_read(tmp_path):
    (tmp_path / "rules.toml").write_text(
        '[[rule]]\nname = "own-transfer"\nbiz_type = "转账"\nremark = "往来款"\naccount = "TRANSFERS"\n',
        encoding="utf-8",
    )
    result = extract("--existing", ledger(tmp_path, ""), STATEMENT)
    assert result.exit_code == 0, result.stderr
    assert "Assets:1221-其他应收款:122110-往来转账" in result.stdout
    assert "1 行记入待核对" in result.stderr  # only 神秘扣款 is left to review


def test_bad_rules_file(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "x"\naccount = "NOPE"\n', encoding="utf-8")
    result = extract("--rules", rules, STATEMENT)
    assert result.exit_code == 2 and result.stdout == ""
    assert "unknown account 'NOPE'" in result.stderr


def test_no_progress_bar_when_not_on_a_terminal():
    result = extract(STATEMENT)
    assert "%" not in result.stderr


def test_fee_invoices_are_extracted_with_the_statement(tmp_path):
    invoices = tmp_path / "发票台账_2025.csv"
    invoices.write_text(
        "开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率\n"
        "2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,2.80,6%\n",
        encoding="utf-8",
    )
    result = extract(STATEMENT, invoices)
    assert result.exit_code == 0, result.stderr
    assert 'invoice-no: "25332000000012345678"' in result.stdout
    main_file = ledger(tmp_path, result.stdout)
    again = extract("--existing", main_file, invoices)
    assert again.exit_code == 0 and again.stdout.strip() == ""
    # The same register given twice in one run (a copy in another folder): each invoice once.
    copy = tmp_path / "copy" / invoices.name
    copy.parent.mkdir()
    copy.write_bytes(invoices.read_bytes())
    twice = extract(invoices, copy)
    assert twice.exit_code == 0 and twice.stdout.count("invoice-no:") == 1


def test_overlapping_files_in_one_run_are_imported_once():
    both = extract(STATEMENT, FIXTURES / "bill_20250318.zip")
    assert both.exit_code == 0
    assert both.stdout == extract(STATEMENT).stdout


@pytest.mark.parametrize(
    "broken, where",
    [
        ('include "2025/03.beancout"\n', 'File glob "2025/03.beancout" does not match any files'),
        ('2025-03-20 * "x" oops\n', "main.beancount:{line}: "),
    ],
)
def test_an_existing_ledger_that_does_not_load_stops_the_run(tmp_path, broken, where):
    first = extract(STATEMENT)
    main_file = ledger(tmp_path, first.stdout + broken)
    line = len(main_file.read_text(encoding="utf-8").splitlines())
    again = extract("--existing", main_file, STATEMENT)
    assert again.exit_code == 2
    assert again.stdout == ""
    assert where.format(line=line) in again.stderr
    assert "无法读入" in again.stderr


def test_plugin_errors_of_the_existing_ledger_are_tolerated(tmp_path):
    first = extract(STATEMENT)
    main_file = ledger(
        tmp_path,
        'plugin "beancount_tmall.no_such_plugin"\n' + first.stdout
        + f"2025-03-20 balance {accounts.ALIPAY}  1.00 CNY\n",  # fails: a validation error
    )
    _, errors, _ = loader.load_file(str(main_file))
    assert len(errors) == 2
    again = extract("--existing", main_file, STATEMENT)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == ""
    assert "25 行已在账簿中" in again.stderr


# --- issue 7: overlapping downloads, accounts, opening balance, messages ---------------------

ROWS = alipay_samples.ROWS
DAY = ("2025年03月15日 00:00:00", "2025年03月16日 00:00:00")
OTHER_ID = "2088777777777777"


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _swapped(content: bytes) -> bytes:
    """Rows 3 and 6 exchange their serials: serials do not follow time."""
    s3, s6 = (str(alipay_samples.BASE_SERIAL + n).encode() for n in (3, 6))
    return content.replace(s3, b"X").replace(s6, s3).replace(b"X", s6)


def _day_files(tmp_path):
    morning = _write(tmp_path, "morning.csv", _swapped(alipay_samples.statement(
        rows=ROWS[:4], period=("2025年03月15日 00:00:00", "2025年03月15日 12:00:00"),
        exported="2025年03月15日 12:30:00", opening=Decimal("1000.00"),
    )))
    whole = _write(tmp_path, "whole.csv", _swapped(alipay_samples.statement(
        rows=ROWS[:6], period=DAY, opening=Decimal("1000.00"),
    )))
    return morning, whole


def _rows_of(stdout: str) -> int:
    return sum(int(n) for n in re.findall(r'\brows: "(\d+)"', stdout))


@pytest.mark.parametrize("order", ["morning-first", "whole-first"])
def test_two_downloads_of_one_day_in_one_run_or_two(tmp_path, order):
    morning, whole = _day_files(tmp_path)
    files = [morning, whole] if order == "morning-first" else [whole, morning]
    one_run = extract(*files)
    assert one_run.exit_code == 0, one_run.stderr
    assert _rows_of(one_run.stdout) == 6
    # The opening balance comes from the earliest statement, whatever the order given.
    assert one_run.stdout.count("#opening") == 1 and "1000.00 CNY" in one_run.stdout
    main_file = ledger(tmp_path, one_run.stdout)
    _, errors, _ = loader.load_file(str(main_file))
    assert errors == []
    # Two runs: the second adds exactly the rows not yet there.
    first = extract(files[0])
    main_file = ledger(tmp_path, first.stdout)
    second = extract("--existing", main_file, files[1])
    assert second.exit_code == 0, second.stderr
    assert _rows_of(first.stdout) + _rows_of(second.stdout) == 6
    assert "#opening" not in second.stdout and "custom" not in second.stdout
    main_file.write_text(main_file.read_text(encoding="utf-8") + second.stdout, encoding="utf-8")
    _, errors, _ = loader.load_file(str(main_file))
    assert errors == []


def test_a_new_ledger_gets_the_adoption_and_a_commented_opening_entry(tmp_path):
    _, whole = _day_files(tmp_path)
    result = extract(whole)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "\n; 支付宝账号 20885012345678900156 的账务明细记入 Assets:1012-其他货币资金:101201-支付宝（首次导入时写入）。"
    )
    assert 'custom "tmall-alipay-account" "20885012345678900156" Assets:1012-其他货币资金:101201-支付宝' in result.stdout
    assert "; 如有期初余额表，请删除此分录，改用 tmall-books init --opening FILE" in result.stdout
    assert '2025-03-15 ! "期初余额"' in result.stdout
    assert "写入期初余额分录" in result.stderr and "未给 --existing" in result.stderr
    # Another account's statement is then refused, naming the id and how to map it.
    main_file = ledger(tmp_path, result.stdout)
    other = _write(tmp_path, "other.csv", alipay_samples.statement().replace(
        b"20885012345678900156", OTHER_ID.encode()))
    refused = extract("--existing", main_file, other)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert f"{other}: 支付宝账号 {OTHER_ID}" in refused.stderr
    assert f'alipay-account: "{OTHER_ID}"' in refused.stderr


def test_a_second_accounts_statement_is_booked_to_its_own_account(tmp_path):
    second = "Assets:1012-其他货币资金:101202-支付宝二"
    first = extract(STATEMENT)
    main_file = ledger(
        tmp_path, f'2025-01-01 open {second} CNY\n  alipay-account: "{OTHER_ID}"\n' + first.stdout
    )
    other = _write(tmp_path, "other.csv", alipay_samples.statement().replace(
        b"20885012345678900156", OTHER_ID.encode()))
    result = extract("--existing", main_file, other)
    assert result.exit_code == 0, result.stderr
    assert _rows_of(result.stdout) == 25  # the same serials, another account: nothing dropped
    assert result.stdout.count(f"balance {second}") == 3
    main_file.write_text(main_file.read_text(encoding="utf-8") + result.stdout, encoding="utf-8")
    _, errors, _ = loader.load_file(str(main_file))
    assert errors == []


def test_a_refused_overlap_names_both_places(tmp_path):
    _, whole = _day_files(tmp_path)
    main_file = ledger(tmp_path, extract(whole).stdout.replace('rows: "6"', 'rows: "5"'))
    result = extract("--existing", main_file, whole)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{whole}:6: 2025-03-15 09:01:02–12:00:01 的行与账簿中已导入的条目 {main_file}:" in result.stderr
    assert "本文件在该时段有 6 行，账簿条目记有 5 行" in result.stderr


@pytest.mark.parametrize("cell", [b"Infinity", b"-Infinity", b"inf"])
def test_a_non_finite_amount_never_reaches_the_output(tmp_path, cell):
    content = alipay_samples.statement().replace(b",100.00\t,", b"," + cell + b"\t,", 1)
    path = _write(tmp_path, "inf.csv", content)
    for args in ([path], ["--per-row", path]):
        result = extract(*args)
        assert result.exit_code == 1, result.stdout
        assert result.stdout == "" and "Infinity CNY" not in result.stderr
        assert f"{path}:" in result.stderr and "未输出任何内容" in result.stderr


def test_account_option_maps_a_statement_account(tmp_path):
    second = "Assets:1012-其他货币资金:101202-支付宝二"
    result = extract("--account", f"20885012345678900156={second}", STATEMENT)
    assert result.exit_code == 0, result.stderr
    assert f"balance {second}" in result.stdout and "custom" not in result.stdout
    bad = extract("--account", "20885012345678900156=支付宝", STATEMENT)
    assert bad.exit_code == 2 and bad.stdout == "" and "不是有效的 Beancount 科目名" in bad.stderr
    assert extract("--account", "oops", STATEMENT).exit_code == 2


def test_redirecting_over_a_file_of_the_ledger_is_refused(tmp_path):
    """The README's old ``extract … > 2025/03.beancount``: the shell empties the month first."""
    import subprocess
    import sys

    month = tmp_path / "03.beancount"
    month.write_text(extract(STATEMENT).stdout, encoding="utf-8")
    main_file = ledger(tmp_path, 'include "03.beancount"\n')
    command = [sys.executable, "-m", "beancount_tmall.cli", "extract", "--existing", str(main_file), STATEMENT]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    with month.open("w") as out:  # > 03.beancount
        run = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    assert run.returncode == 2 and month.read_text() == ""
    assert f"输出被 > 重定向到账簿自己的文件 {month}" in run.stderr
    month.write_text(extract(STATEMENT).stdout, encoding="utf-8")
    with month.open("a") as out:  # >> 03.beancount: appends what is new (nothing)
        run = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert "25 行已在账簿中" in run.stderr


def test_an_order_export_alone_is_not_a_silent_no_op():
    result = extract(ORDERS)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{ORDERS}: 天猫订单报表单独给出时没有可输出的分录" in result.stderr


def test_a_zip_with_two_statements_prints_nothing(tmp_path):
    zipped = tmp_path / "bill.zip"
    zipped.write_bytes(alipay_samples.bill_zip(extra=(("x_账务明细.csv", alipay_samples.statement()),)))
    result = extract(zipped)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{zipped}: 压缩包中有 2 个账务明细条目" in result.stderr
