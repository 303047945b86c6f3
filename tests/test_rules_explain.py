"""``tmall-books rules --explain FILE [--rules store.toml]``: every row of a statement, classified."""

from __future__ import annotations

import alipay_samples
import pytest
from alipay_samples import FIXTURES
from click.testing import CliRunner

from beancount_tmall.cli import main

STATEMENT = FIXTURES / "statement_16col_gbk.csv"
TID = "2987654321098765432"
TMALL = "浙江天猫技术有限公司"

# (time, biz_type, remark, order_no, amount, counterparty, counterparty name) as a real store's
# statement writes them: fees as 转账 with the purpose wrapped, one same-second group.
REAL_ROWS = [
    ("2025-03-15 09:01:02", "在线支付", "", f"T200P{TID}", "128.00", "13912345678", ""),
    ("2025-03-15 09:01:02", "转账", f"代扣款（扣款用途：天猫佣金（类目）{{{TID}}}扣款，付款方：{TMALL}）", "",
     "-6.40", "pinpaiticheng@taobao.com", ""),
    ("2025-03-15 09:01:02", "转账", f"代扣款（扣款用途：代扣返点积分{TID}）", "", "-0.64", "jifenb2c@taobao.com", ""),
    ("2025-03-15 09:01:02", "转账", f"代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:{TID} memberid:123456789 "
     "fee:0.49，付款方：杭州阿里妈妈淘联信息技术有限公司）", "", "-0.49", "r-taobaoke@taobao.com", ""),
    ("2025-03-15 09:01:02", "收费", "线上支付服务费——信用卡快捷支付", "", "-1.28", "systemrevenue@alipay.com", ""),
    ("2025-03-15 10:00:00", "在线支付", "", f"T10000P{TID[:-1]}1", "50.00", "", ""),
    ("2025-03-15 11:00:00", "转账", "好评返现-王店生", "", "-5.00", "13812345678", ""),
    ("2025-03-15 12:00:00", "转账", "天猫保证金-充值（代扣）-延迟发货", "", "-3.00", "", ""),
    ("2025-03-15 13:00:00", "转账", "", "HJCOM==3200060031==1177511603950919==1029663363085314", "-2.00", "", ""),
    ("2025-03-15 14:00:00", "转账", "退款给赵六-139 8765 4321", "", "-20.00", "13987654321", ""),
]


def explain(*args):
    return CliRunner().invoke(main, ["rules", "--explain", *map(str, args)])


def test_the_sample_statement_lists_per_rule_counts_and_the_rows_nothing_took():
    result = explain(STATEMENT)
    assert result.exit_code == 1
    out = result.stdout
    assert "分类规则说明" in out and "共 25 行" in out
    commission = next(line for line in out.splitlines() if line.startswith("commission "))
    assert commission.split()[1:] == ["Assets:1221-其他应收款:122101-天猫佣金", "2", "2.50", "-5.00"]
    assert "合计" in out and "23" in out.split("合计")[1].split()[0]
    assert "无规则认领的行 / rows no rule takes: 2" in out
    assert f"{STATEMENT}:17  其它  神秘扣款  -1.00" in out
    assert f"{STATEMENT}:21  转账  往来款  50.00" in out
    assert "被多条规则认领的行 / rows several rules take: 0" in out


def test_a_store_rule_file_that_explains_every_row_exits_0(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text(
        '[[rule]]\nname = "mystery"\nremark = "神秘扣款"\naccount = "COMPENSATION"\n'
        '[[rule]]\nname = "own-transfer"\nbiz_type = "转账"\nremark = "往来款"\naccount = "TRANSFERS"\n',
        encoding="utf-8",
    )
    result = explain(STATEMENT, "--rules", store)
    assert result.exit_code == 0, result.output
    assert "无规则认领的行 / rows no rule takes: 0" in result.stdout
    assert "全部行均已分类" in result.stdout
    assert any(line.startswith("own-transfer ") for line in result.stdout.splitlines())


def test_rows_several_rules_take_are_listed_with_the_rules(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text('[[rule]]\nname = "fees"\nremark = "天猫佣金"\naccount = "COMPENSATION"\n', encoding="utf-8")
    result = explain(STATEMENT, "--rules", store)
    assert result.exit_code == 1
    assert "被多条规则认领的行 / rows several rules take: 2" in result.stdout
    assert "规则: commission, fees" in result.stdout


def test_a_real_store_statement_with_wrapped_fees_and_masked_rows(tmp_path):
    path = tmp_path / "账务明细.csv"
    path.write_bytes(alipay_samples.statement(rows=REAL_ROWS))
    result = explain(path)
    out = result.stdout
    taken = {line.split()[0]: line.split()[2] for line in out.splitlines() if line[:1].isascii() and
             len(line.split()) == 5}
    assert taken == {
        "sale": "2", "commission": "1", "tmall-points": "1", "taobaoke": "1", "payment-fee": "1",
        "buyer-compensation": "1", "deposit-compensation": "1", "commission-order": "1",
    }
    # the one row nothing explains: a 转账 to a person, shown masked
    assert "无规则认领的行 / rows no rule takes: 1" in out
    assert f"{path}:15  转账  退款给赵*-139****4321  -20.00" in out
    assert "赵六" not in out and "8765" not in out and "王店生" not in out
    assert result.exit_code == 1


@pytest.mark.parametrize("name", ["statement_new_family_utf8bom.csv", "statement_12col_negative_gbk.csv",
                                  "bill_20250318.zip"])
def test_any_layout_the_parser_reads(name):
    result = explain(FIXTURES / name)
    assert result.exit_code == 1  # 神秘扣款 and 往来款
    assert "无规则认领的行 / rows no rule takes: 2" in result.stdout


def test_a_file_the_parser_refuses_names_file_and_line_and_prints_nothing():
    result = explain(FIXTURES / "broken_missing_row.csv")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "broken_missing_row.csv" in result.stderr and "错误" in result.stderr


def test_bad_rules_exit_2(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text('[[rule]]\nname = "x"\naccount = "NOPE"\n', encoding="utf-8")
    result = explain(STATEMENT, "--rules", store)
    assert result.exit_code == 2 and result.stdout == ""
    assert "未知科目" in result.stderr
