"""Writing approvals under imported compensation postings (``approve_text``, ``tmall-books approve``)."""

from __future__ import annotations

import textwrap

import pytest
from beancount import loader
from click.testing import CliRunner

from beancount_tmall.approve import approve_text
from beancount_tmall.cli import main
from beancount_tmall.ledger_init import init_ledger

DAY = textwrap.dedent('''\
    2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔"
      alipay-serial: "S-ENTRY"
      Assets:1012-其他货币资金:101201-支付宝  -17.00 CNY
      Expenses:6601-销售费用:660105-售后赔付    5.00 CNY
        alipay-serial: "S1"
        reason: "好评返现"
        memo: "转账 好评返现"
      Expenses:6601-销售费用:660105-售后赔付   12.00 CNY
        alipay-serial: "S2"   ; a comment stays
        reason: "质量问题折价"
        approved-by: "张伟"
        approver-role: "销售经理"
        memo: "转账 质量问题折价"
      Assets:1221-其他应收款:122199-待核对      0.00 CNY
        alipay-serial: "S3"
    ''')


def test_approvals_are_written_under_the_postings_of_their_serials():
    text, found = approve_text(DAY, {"S1": ("张伟", "销售经理"), "S2": ("王芳", "主管"), "S3": ("x", "y"),
                                     "S-ENTRY": ("x", "y"), "S9": ("x", "y")})
    assert found == {"S1", "S2"}
    assert text == DAY.replace(
        '    memo: "转账 好评返现"\n',
        '    memo: "转账 好评返现"\n    approved-by: "张伟"\n    approver-role: "销售经理"\n',
    ).replace(
        '    approved-by: "张伟"\n    approver-role: "销售经理"\n    memo: "转账 质量问题折价"\n',
        '    memo: "转账 质量问题折价"\n    approved-by: "王芳"\n    approver-role: "主管"\n',
    )
    assert approve_text(text, {"S1": ("张伟", "销售经理")})[0] == text  # idempotent
    with pytest.raises(ValueError):
        approve_text(DAY, {"S1": ('张"伟', "销售经理")})


def test_the_approve_command_edits_the_included_file_and_lists_what_still_fails(tmp_path):
    main_file = init_ledger(tmp_path, repo_files=False)
    (tmp_path / "2025").mkdir()
    month = tmp_path / "2025" / "03.beancount"
    month.write_text(DAY.replace("      Assets:1221-其他应收款:122199-待核对      0.00 CNY\n        alipay-serial: \"S3\"\n", ""),
                     encoding="utf-8")
    with main_file.open("a", encoding="utf-8") as f:
        f.write('include "2025/03.beancount"\n')
    runner = CliRunner()
    result = runner.invoke(main, ["approve", str(main_file), "--serial", "S1", "--by", "张伟", "--role", "销售经理"])
    assert "已审批 1 行 (张伟, 销售经理)" in result.output
    # S2: a 质量问题折价 of 12.00 with no postage, approved by a 销售经理: still failing.
    assert result.exit_code == 1 and "需 主管 或更高职务审批" in result.output
    result = runner.invoke(main, ["approve", str(main_file), "--serial", "S2", "--by", "王芳", "--role", "主管",
                                  "--serial", "S7"])
    assert result.exit_code == 1 and "未找到支付宝流水号 S7" in result.output
    _, errors, _ = loader.load_file(str(main_file))
    assert errors == []
