"""After-sales money from the statement: each payment to a buyer is a posting of its own.

Rows booked to 售后赔付 (660105) are approved one by one (the ``approvals`` plugin), so the importer
never sums them into one posting per day: each carries its ``alipay-serial``, ``order-id``,
``reason`` (the rule's capture) and ``memo``, as 待核对 rows do. The day's total is unchanged.
"""

from __future__ import annotations

import io
from decimal import Decimal

import alipay_samples
import pytest
from beancount import loader
from beancount.core import data
from beancount.core.amount import A
from beancount.parser import printer

from beancount_tmall import accounts
from beancount_tmall.importers.alipay import AlipayStatementImporter
from beancount_tmall.ledger_init import main_text

DAY = ("2025年03月15日 00:00:00", "2025年03月16日 00:00:00")
SERIAL = alipay_samples.BASE_SERIAL

ROWS = [
    ("2025-03-15 09:01:02", "在线支付", "", "T200P4012345678901234", "300.00", "13812341234", "张三"),
    ("2025-03-15 10:00:00", "转账", "好评返现{4012345678901234}", "", "-5.00", "13812341234", "张三"),
    ("2025-03-15 10:05:00", "转账", "好评返现{4012345678901299}", "", "-5.00", "lisi@example.com", "李四"),
    ("2025-03-15 11:00:00", "转账", "质量问题折价 订单号:4012345678901234", "", "-12.00", "13812341234", "张三"),
    ("2025-03-15 12:00:00", "转账", "天猫保证金-充值（代扣）-延迟发货", "", "-30.00", "", ""),
    ("2025-03-15 13:00:00", "转账", "快递理赔-中通 4012345678901234", "", "20.00", "", "中通快递"),
]


def _extract(**kw):
    source = alipay_samples.statement(rows=ROWS, period=DAY)
    return AlipayStatementImporter(**kw).extract_file(source, name="s.csv")


def _postings(entries, account):
    return [
        (p.units, p.meta) for t in entries if isinstance(t, data.Transaction)
        for p in t.postings if p.account == account
    ]


@pytest.mark.parametrize("per_row", [False, True])
def test_each_compensation_row_is_a_posting_with_serial_order_reason_and_memo(per_row):
    entries = _extract(per_row=per_row).entries
    assert _postings(entries, accounts.COMPENSATION) == [
        (A("5.00 CNY"), {"alipay-serial": str(SERIAL + 2), "order-id": "4012345678901234",
                         "reason": "好评返现", "memo": "转账 好评返现{4012345678901234}"}),
        (A("5.00 CNY"), {"alipay-serial": str(SERIAL + 3), "order-id": "4012345678901299",
                         "reason": "好评返现", "memo": "转账 好评返现{4012345678901299}"}),
        (A("12.00 CNY"), {"alipay-serial": str(SERIAL + 4), "order-id": "4012345678901234",
                          "reason": "质量问题折价", "memo": "转账 质量问题折价 订单号:4012345678901234"}),
        (A("30.00 CNY"), {"alipay-serial": str(SERIAL + 5), "reason": "延迟发货",
                          "memo": "转账 天猫保证金-充值（代扣）-延迟发货"}),
    ]
    if not per_row:  # one day entry, not flagged: nothing to review
        (day,) = [t for t in entries if isinstance(t, data.Transaction)]
        assert day.flag == "*" and day.meta["rows"] == "6"
        alipay = [p.units for p in day.postings if p.account == accounts.ALIPAY]
        assert alipay == [A("268.00 CNY")]  # 300 - 5 - 5 - 12 - 30 + 20
    # The courier's payment clears the claim receivable (one posting: not kept apart by default).
    assert [u for u, _ in _postings(entries, accounts.COURIER_CLAIMS)] == [A("-20.00 CNY")]


def test_a_buyer_named_in_the_memo_is_masked():
    rows = [*ROWS[:1], ("2025-03-15 10:00:00", "转账", "好评返现 138 1234 5678 王店生", "", "-5.00", "", "")]
    source = alipay_samples.statement(rows=rows, period=DAY)
    (posting,) = _postings(AlipayStatementImporter().extract_file(source, name="s.csv").entries,
                           accounts.COMPENSATION)
    assert posting[1]["memo"] == "转账 好评返现 138****5678 王**"
    assert "王店生" not in str(posting) and "1234 5678" not in str(posting)


def test_row_accounts_choose_what_is_kept_apart():
    """``row_accounts=()`` sums the day's compensations by reason (as before); another account
    listed (快递理赔) is kept apart too."""
    summed = _postings(_extract(row_accounts=()).entries, accounts.COMPENSATION)
    assert sorted((u, m["reason"]) for u, m in summed) == [
        (A("10.00 CNY"), "好评返现"), (A("12.00 CNY"), "质量问题折价"), (A("30.00 CNY"), "延迟发货"),
    ]
    both = _extract(row_accounts=(accounts.COMPENSATION, accounts.COURIER_CLAIMS)).entries
    ((units, meta),) = _postings(both, accounts.COURIER_CLAIMS)
    assert units == A("-20.00 CNY") and meta["alipay-serial"] == str(SERIAL + 6)
    assert meta["order-id"] == "4012345678901234"
    with pytest.raises(ValueError):
        AlipayStatementImporter(row_accounts=("not an account",))


def test_sub_accounts_of_a_kept_account_are_kept_apart():
    sub = accounts.COMPENSATION + ":66010501-好评返现"
    importer = AlipayStatementImporter()
    assert importer._kept_apart(sub) and importer._kept_apart(accounts.COMPENSATION)
    assert not importer._kept_apart(accounts.COMPENSATION + "X")


def test_compensation_entries_load_and_reimport_adds_nothing():
    result = _extract()
    out = io.StringIO()
    printer.print_entries(result.entries, file=out)
    text = main_text("测试", alipay_samples_date(), plugins=False) + "\n" + out.getvalue()
    loaded, errors, _ = loader.load_string(text)
    assert errors == []
    again = AlipayStatementImporter().extract_file(
        alipay_samples.statement(rows=ROWS, period=DAY), loaded, name="s.csv"
    )
    assert [e for e in again.entries if isinstance(e, data.Transaction)] == []
    total = sum((u.number for u, _ in _postings(loaded, accounts.COMPENSATION)), Decimal(0))
    assert total == Decimal("52.00")


def alipay_samples_date():
    import datetime

    return datetime.date(2025, 1, 1)


def _row(biz_type, remark, amount, name="", party=""):
    import datetime

    from beancount_tmall.formats.alipay_statement import StatementRow

    amount = Decimal(amount)
    return StatementRow(
        line=9, serial="1", time=datetime.datetime(2025, 3, 15, 9), amount=amount,
        income=max(amount, 0), expense=max(-amount, 0), balance=None, biz_type=biz_type,
        remark=remark, order_no="", counterparty=party, counterparty_name=name,
    )


@pytest.mark.parametrize(
    "row, rule, account, reason",
    [
        (_row("转账", "质量问题折价", "-12.00"), "buyer-compensation", accounts.COMPENSATION, "质量问题折价"),
        (_row("转账", "质量补偿", "-12.00"), "buyer-compensation", accounts.COMPENSATION, "质量补偿"),
        (_row("转账", "买家质量问题补偿-张三", "-12.00"), "buyer-compensation", accounts.COMPENSATION, "质量问题补偿"),
        (_row("转账", "补运费-退货运费", "-8.00"), "buyer-compensation", accounts.COMPENSATION, "补运费"),
        (_row("转账", "好评返现", "-5.00"), "buyer-compensation", accounts.COMPENSATION, "好评返现"),
        # A courier pays a claim: 122111-快递理赔 is cleared.
        (_row("转账", "快递理赔-中通", "20.00"), "courier-claim", accounts.COURIER_CLAIMS, None),
    ],
)
def test_after_sales_rules(row, rule, account, reason):
    from beancount_tmall.importers.rules import load_rules

    (matched,) = load_rules(None).classify(row)
    assert (matched.name, matched.account) == (rule, account)
    assert matched.captures(row).get("reason") == reason


def test_the_readme_examples_of_after_sales_entries_pass_bean_check(tmp_path):
    """The complete entries of README's 售后与审批 section load clean with every plugin."""
    import re

    from conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 售后与审批"):]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    ledger = [b for b in blocks if re.match(r"\d{4}-\d\d-\d\d ", b) and "..." not in b]
    assert len(ledger) == 4  # breakage, reshipment, claim, monthly bill
    text = "\n".join(ledger)
    for photo in re.findall(r'document \S+ "([^"]+)"', text):
        (tmp_path / photo).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / photo).write_bytes(b"photo")
    main = tmp_path / "main.beancount"
    main.write_text(main_text("测试", alipay_samples_date()) + "\n" + text, encoding="utf-8")
    entries, errors, _ = loader.load_file(str(main))
    assert [e.message for e in errors] == []
    balances = {}
    for t in entries:
        if isinstance(t, data.Transaction):
            for p in t.postings:
                balances[p.account] = balances.get(p.account, Decimal(0)) + p.units.number
    assert balances[accounts.COURIER_CLAIMS] == 0  # the claim, agreed then deducted from the bill
    # The approved posting of the README passes the approvals plugin.
    posting = next(b for b in blocks if b.startswith("  Expenses") and "approved-by" in b)
    entry = '2025-03-15 * "支付宝" "结算"\n  Assets:1012-其他货币资金:101201-支付宝  -12.00 CNY\n' + posting
    main.write_text(main_text("测试", alipay_samples_date()) + "\n" + entry, encoding="utf-8")
    _, errors, _ = loader.load_file(str(main))
    assert [e.message for e in errors] == []
    # As imported (no approval, no postage): the error the README shows, word for word.
    imported = "\n".join(line for line in entry.splitlines() if "approve" not in line and "postage" not in line)
    main.write_text(main_text("测试", alipay_samples_date()) + "\n" + imported + "\n", encoding="utf-8")
    _, errors, _ = loader.load_file(str(main))
    (error,) = errors
    assert f"\n{error.message}\n" in section


def test_the_compensation_rule_keeps_the_fast_path():
    """Every alternative of its 备注 pattern begins with a literal: the rule table looks for those
    texts before running the regex (the importer's speed on 1.5M rows depends on it)."""
    from beancount_tmall.importers.rules import load_rules

    (rule,) = [r for r in load_rules(None).rules if r.name == "buyer-compensation"]
    assert rule._needles is not None and "质量问题" in rule._needles


@pytest.mark.parametrize(
    "row, rule, account",
    [
        (_row("转账", "丢件赔偿 4012345678901234", "35.00", name="上海中通吉网络技术有限公司"),
         "courier-payment", accounts.COURIER_CLAIMS),
        (_row("转账", "快递理赔-中通", "20.00", name="中通快递"), "courier-payment", accounts.COURIER_CLAIMS),
        # Money out, or from someone else: not the courier paying.
        (_row("转账", "丢件赔偿", "-35.00", name="顺丰速运有限公司"), None, accounts.SUSPENSE),
        (_row("转账", "赔偿", "35.00", name="张三"), None, accounts.SUSPENSE),
    ],
)
def test_the_readme_store_rule_for_a_courier_paying_a_claim(tmp_path, row, rule, account):
    """README's example ``courier-payment`` rule, as a store's rules.toml, takes the courier's
    payments (and only them) to 122111-快递理赔."""
    import re

    from conftest import REPO

    from beancount_tmall.importers.rules import load_rules

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 售后与审批"):]
    (toml,) = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    store = tmp_path / "rules.toml"
    store.write_text(toml, encoding="utf-8")
    matched = load_rules(store).classify(row)
    assert [(r.name, r.account) for r in matched] == ([(rule, account)] if rule else [])
