"""The default rule table on rows written as real statements write them (issue 7, item 2).

Each row below is copied in the shape a real 账务明细 gives it (业务类型, 备注, 商户订单号, 对方账号 /
对方名称, 业务描述); every default rule is exercised by at least one of them, and a 转账 that no
specific rule explains is taken by none (it goes to 待核对).
"""

from __future__ import annotations

import datetime
import types
from decimal import Decimal

import pytest

from beancount_tmall import accounts
from beancount_tmall.formats.alipay_statement import StatementRow
from beancount_tmall.importers.rowtext import order_id, purpose
from beancount_tmall.importers.rules import (
    DEFAULT_RULES,
    compile_test,
    load_rules,
    needles,
    tolerant,
)

TID = "2987654321098765432"  # 19 digits, as current Tmall order ids
OLD_TID = "183345678901234"  # 15 digits (2012)
TMALL = "浙江天猫技术有限公司"


def row(biz_type, remark="", order_no="", amount="-1.00", **kw) -> StatementRow:
    amount = Decimal(amount)
    return StatementRow(
        line=kw.pop("line", 9), serial=kw.pop("serial", "1"), time=datetime.datetime(2025, 3, 15, 9),
        amount=amount, income=max(amount, 0), expense=max(-amount, 0), balance=None,
        biz_type=biz_type, remark=remark, order_no=order_no, **kw,
    )


def coded(description, code, **kw):
    """A row of a parser that splits 业务描述 ``0010001|交易收款-交易收款`` into text and code."""
    base = row(**kw)
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    return types.SimpleNamespace(**{**fields, "description": description, "description_code": code})


RULES = load_rules()

# (row, the rule that takes it, its account)
REAL_ROWS = [
    # 2012 layout: fees as 转账 with the purpose wrapped, counterparty `name (account)`
    (row("转账", f"代扣款（扣款用途：新online佣金服务，{{{OLD_TID}}}扣款，2012-11-14 21:21:26）",
         counterparty=f"{TMALL} (pinpaiticheng@taobao.com)"), "commission", accounts.COMMISSION_RECEIVABLE),
    (row("转账", f"代扣款（扣款用途：代扣返点积分{OLD_TID}）", counterparty=f"{TMALL} (jifenb2c@taobao.com)"),
     "tmall-points", accounts.POINTS_RECEIVABLE),
    (row("转账", f"代扣款（扣款用途：淘宝客佣金代扣款[{OLD_TID}]）",
         counterparty="淘宝（中国）软件有限公司 (r-taobaoke@taobao.com)"), "taobaoke", accounts.TAOBAOKE_RECEIVABLE),
    # newer files: the payer named inside the purpose
    (row("转账", f"代扣款（扣款用途：天猫佣金（类目）{{{TID}}}扣款，付款方：{TMALL}）"),
     "commission", accounts.COMMISSION_RECEIVABLE),
    (row("转账", f"代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:{TID} memberid:123456789 fee:0.49，"
                 "付款方：杭州阿里妈妈淘联信息技术有限公司）"), "taobaoke", accounts.TAOBAOKE_RECEIVABLE),
    (row("转账", f"代扣款（扣款用途：聚划算佣金({TID})扣款，付款方：{TMALL}，Email：ju.tuangou@service.taobao.com）"),
     "juhuasuan", accounts.JUHUASUAN_RECEIVABLE),
    (row("转账", f"代扣款（扣款用途：消费者体验提升计划服务费_订单号:{TID}，付款方：{TMALL}）"),
     "consumer-experience-fee", accounts.COMMISSION_RECEIVABLE),
    # ASCII punctuation, and the purpose bare
    (row("转账", f"代扣款(扣款用途:天猫佣金(类目){{{TID}}}扣款,付款方:{TMALL})"),
     "commission", accounts.COMMISSION_RECEIVABLE),
    (row("交易付款", f"天猫佣金(类目系统){{{TID}}}扣款"), "commission", accounts.COMMISSION_RECEIVABLE),
    (row("转账", f"基础软件服务费({TID})扣款"), "software-fee", accounts.COMMISSION_RECEIVABLE),
    (row("转账", f"代扣交易退回积分{TID}", amount="0.50"), "tmall-points", accounts.POINTS_RECEIVABLE),
    (row("转账", "淘宝联盟推广佣金返还", amount="3.20"), "taobaoke", accounts.TAOBAOKE_RECEIVABLE),
    (row("转账", "代扣款（扣款用途：直通车自动充值-2025031500001）"), "zhitongche", accounts.ZHITONGCHE_RECEIVABLE),
    (row("转账", "代扣款（扣款用途：钻展-2025031500002）"), "zuanzhan", accounts.ZUANZHAN_RECEIVABLE),
    # the counterparty alone tells the fee (备注 empty or unknown)
    (row("转账", "", counterparty="pinpaiticheng@taobao.com"), "commission-account", accounts.COMMISSION_RECEIVABLE),
    (row("转账", "扣款", counterparty_name=f"{TMALL}(jifenb2c@taobao.com)"), "points-account",
     accounts.POINTS_RECEIVABLE),
    (row("转账", "", counterparty="r-taobaoke@taobao.com"), "taobaoke-account", accounts.TAOBAOKE_RECEIVABLE),
    (row("转账", "服务费", counterparty="支付宝（中国）网络技术有限公司 (systemrevenue@alipay.com)"),
     "payment-fee-account", accounts.PAYMENT_FEE),
    (row("转账", "", counterparty="p-tmall-kefujifen@service.taobao.com"), "tmall-service-account",
     accounts.COMMISSION_RECEIVABLE),
    # 商户订单号 shapes
    (row("转账", "", "HJCOM==3200060031==1177511603950919==1029663363085314"), "commission-order",
     accounts.COMMISSION_RECEIVABLE),
    (row("转账", "", "CAE_POINT_88000123"), "points-order", accounts.POINTS_RECEIVABLE),
    # sales: T200P, T10000P (presale), 备注 订单收款, coded 业务描述
    (row("在线支付", "", f"T200P{TID}", "128.00"), "sale", accounts.REVENUE),
    (row("在线支付", "", f"T10000P{TID}", "128.00"), "sale", accounts.REVENUE),
    (row("交易付款", "订单收款", f"T200P{TID}", "128.00"), "sale", accounts.REVENUE),
    (row("交易", "", f"T200P{TID}", "128.00", description="0010001|交易收款-交易收款"),
     "sale-by-description", accounts.REVENUE),
    (coded("交易收款-交易收款", "0010001", biz_type="交易", order_no=f"T200P{TID}", amount="128.00"),
     "sale-by-description", accounts.REVENUE),
    (row("交易退款", f"售后退款-1-T200P{TID}", f"T200P{TID}", "-128.00"), "after-sale-refund", accounts.REVENUE),
    (row("交易退款", "", f"T200P{TID}", "-128.00"), "refund", accounts.REVENUE),
    # payment service fees
    (row("收费", "线上支付服务费——信用卡快捷支付"), "payment-fee", accounts.PAYMENT_FEE),
    (row("收费", "线上支付服务费——大额网关"), "payment-fee", accounts.PAYMENT_FEE),
    (row("收费", f"花呗支付服务费[2025031522009];淘宝交易号[T200P{TID}]"), "payment-fee", accounts.PAYMENT_FEE),
    # money paid to buyers: 售后赔付
    (row("转账", "好评返现", counterparty="13912345678"), "buyer-compensation", accounts.COMPENSATION),
    (row("转账", "售后补偿-张三", counterparty="zhangsan@163.com"), "buyer-compensation", accounts.COMPENSATION),
    (row("转账", f"订单{TID}赔付"), "buyer-compensation", accounts.COMPENSATION),
    (row("转账", "质量问题折价"), "buyer-compensation", accounts.COMPENSATION),
    (row("转账", "天猫保证金-充值（代扣）-延迟发货"), "deposit-compensation", accounts.COMPENSATION),
    (row("转账", "保证金理赔"), "deposit-claim", accounts.COMPENSATION),
    # deposit, annual fee, insurance, logistics, donations, the shop
    (row("转账", "天猫保证金-充值"), "deposit", accounts.DEPOSIT),
    (row("转账", "天猫保证金-解冻", amount="5000.00"), "deposit", accounts.DEPOSIT),
    (row("交易付款", "技术服务费年费代扣2025"), "annual-fee", accounts.ANNUAL_FEE_RECEIVABLE),
    (row("转账", "年费代扣2025"), "annual-fee-short", accounts.ANNUAL_FEE_RECEIVABLE),
    (row("交易付款", "保险承保-卖家版运费险保费收取"), "shipping-insurance", accounts.SHIPPING_INSURANCE),
    (row("转账", "集运物流费用扣款"), "logistics", accounts.LOGISTICS),
    (row("转账", "代扣款（扣款用途：集运物流-新疆集运）"), "logistics", accounts.LOGISTICS),
    (row("转账", f"公益宝贝捐赠-{TID}", amount="-0.02"), "donation", accounts.DONATION),
    (row("转账", "店铺过户"), "shop-transfer", accounts.ADMIN_EXPENSE),
    (row("转账", "支付宝转账小额打款", amount="-0.01"), "verification-transfer", accounts.ADMIN_EXPENSE),
    (row("转账", "快递理赔-中通", amount="12.00"), "courier-claim", accounts.COURIER_CLAIMS),
    (row("提现", "提现到银行卡", amount="-1000.00"), "withdrawal", accounts.BANK),
    (row("结息", "", amount="0.05"), "interest", accounts.INTEREST),
]


@pytest.mark.parametrize("statement_row, name, account", REAL_ROWS)
def test_real_rows_are_taken_by_exactly_one_rule(statement_row, name, account):
    assert [(r.name, r.account) for r in RULES.classify(statement_row)] == [(name, account)]


def test_every_default_rule_has_a_real_row():
    assert {r.name for r in RULES.rules} == {name for _, name, _ in REAL_ROWS}


@pytest.mark.parametrize("biz_type", ["转账", "交易付款", "其它", "收费"])
def test_a_wrapped_fee_is_taken_whatever_its_biz_type(biz_type):
    statement_row = row(biz_type, f"代扣款（扣款用途：天猫佣金（类目）{{{TID}}}扣款，付款方：{TMALL}）")
    assert [r.name for r in RULES.classify(statement_row)] == ["commission"]


@pytest.mark.parametrize(
    "statement_row",
    [
        row("转账", "往来款", amount="50.00"),
        row("转账", "", amount="-50.00"),
        row("转账", "代扣款（扣款用途：神秘服务费）"),
        row("转账", "转账到企业支付宝-备用金", counterparty="杭州云栖示例商贸有限公司"),
        row("转账", "", "T200P123", "-3.00"),
        row("在线支付", "货款", f"T200P{TID}", "9.00"),  # a sale with an unknown 备注 is not guessed
        row("转账", "店铺过户", amount="100.00"),  # money in for a shop handover: a person decides
    ],
)
def test_a_row_nothing_explains_is_taken_by_no_rule(statement_row):
    assert RULES.classify(statement_row) == []


def test_the_counterparty_gives_way_to_the_remark():
    """pinpaiticheng@ takes fees the 备注 does not name; a named 备注 wins (priority)."""
    statement_row = row("转账", f"代扣返点积分{TID}", counterparty="pinpaiticheng@taobao.com")
    assert [r.name for r in RULES.classify(statement_row)] == ["tmall-points"]
    assert {r.name for r in RULES.classify_all(statement_row)} == {"tmall-points", "commission-account"}


@pytest.mark.parametrize(
    "statement_row, captures",
    [
        (row("交易付款", "技术服务费年费代扣2025"), {"fee-year": "2025"}),
        (row("交易付款", "技术服务费年费返还2024", amount="30000.00"), {"fee-year": "2024"}),
        (row("转账", "代扣款（扣款用途：技术服务费年费代扣2026）"), {"fee-year": "2026"}),
        (row("转账", "年费代扣2025"), {"fee-year": "2025"}),
        (row("交易付款", "技术服务费年费代扣"), {}),
        (row("转账", "天猫保证金-充值（代扣）-延迟发货"), {"reason": "延迟发货"}),
        (row("转账", "天猫保证金-充值(代扣)-虚假发货"), {"reason": "虚假发货"}),
        (row("转账", "好评返现"), {"reason": "好评返现"}),
        (row("转账", "售后补偿-张三-13912345678"), {"reason": "售后补偿"}),
        (row("转账", "保证金理赔-退款给张三-13912345678"), {"reason": "保证金理赔-退款给张*-139****5678"}),
        (row("在线支付", "", f"T200P{TID}", "9.00"), {}),
    ],
)
def test_captures_are_the_named_groups_masked(statement_row, captures):
    (rule,) = RULES.classify(statement_row)
    assert rule.captures(statement_row) == captures


def test_store_rules_with_captures_and_counterparty(tmp_path):
    store = tmp_path / "store.toml"
    store.write_text(
        """
[[rule]]
name = "own-transfer"
biz_type = "转账"
counterparty = "^杭州云栖示例商贸有限公司$|finance@example-store\\\\.com"
account = "TRANSFERS"

[[rule]]
name = "courier"
remark = "物流赔偿_(?P<courier_name>[^_]+)_(?P<reason>.+)"
direction = "in"
account = "COURIER_CLAIMS"
""",
        encoding="utf-8",
    )
    rules = load_rules(store)
    own = row("转账", "转账到企业支付宝-备用金", counterparty="杭州云栖示例商贸有限公司")
    assert [r.account for r in rules.classify(own)] == [accounts.TRANSFERS]
    other = row("转账", "转账到企业支付宝-备用金", counterparty="杭州云栖示例商贸有限公司二店")
    assert rules.classify(other) == []
    claim = row("转账", "物流赔偿_中通_破损", amount="20.00")
    (rule,) = rules.classify(claim)
    assert rule.captures(claim) == {"courier-name": "中通", "reason": "破损"}


def test_the_demo_store_rules_take_its_own_transfers():
    rules = load_rules(DEFAULT_RULES.parent / "demo_store.toml")
    for remark, amount in (("转账到企业支付宝-备用金", "-5000.00"), ("企业支付宝转入-备用金归还", "5000.00")):
        statement_row = row("转账", remark, amount=amount, counterparty="杭州云栖示例商贸有限公司")
        assert [r.name for r in rules.classify(statement_row)] == ["own-transfer"]


@pytest.mark.parametrize(
    "pattern, value, matches",
    [
        ("天猫佣金（类目）", "天猫佣金(类目)", True),
        ("天猫佣金\\(类目\\)", "天猫佣金（类目）", True),
        ("付款方：浙江", "付款方:浙江", True),
        ("a，b", "a,b", True),
        ("[（(]x", "(x", True),
        ("(?:ab){1,2}c", "ababc", True),
        ("(?P<y>\\d{4})年", "2025年", True),
        ("天猫佣金（类目）", "天猫佣金类目", False),
    ],
)
def test_patterns_accept_either_width(pattern, value, matches):
    import re

    assert (re.match(tolerant(pattern), value) is not None) is matches
    prefixes, regex = compile_test(pattern)
    found = (prefixes is None or value.startswith(prefixes)) and (regex is None or bool(regex.match(value)))
    assert found is matches


def test_literal_prefixes_reach_inside_leading_groups():
    assert compile_test("(?P<reason>保证金理赔.*)")[0] == ("保证金理赔",)
    assert compile_test("(?:好评返现|赔付)x")[0] == ("好评返现", "赔付")
    assert compile_test("(?:好评返现)?x")[0] is None
    assert compile_test("(?=天猫)天")[0] is None
    assert needles(".*?(?P<reason>(?:好评返现|补偿)[^-]*)") == ("好评返现", "补偿")
    assert needles("集运") is None


@pytest.mark.parametrize(
    "statement_row, tid",
    [
        (row("转账", f"代扣款（扣款用途：新online佣金服务，{{{OLD_TID}}}扣款，2012-11-14 21:21:26）"), OLD_TID),
        (row("转账", "", "HJCOM==3200060031==1177511603950919==1029663363085314"), "1029663363085314"),
        (row("在线支付", "", f"T10000P{TID}", "9.00"), TID),
        (row("转账", f"代扣款（扣款用途：消费者体验提升计划服务费_订单号:{TID}，付款方：{TMALL}）"), TID),
        (row("转账", f"代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:{TID} memberid:123456789 fee:0.49）"), TID),
        (row("转账", "", "CAE_POINT_88000123"), None),
    ],
)
def test_order_ids_of_real_rows(statement_row, tid):
    assert order_id(statement_row) == tid


def test_the_readme_example_rule_file_loads(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The rule table", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    store = tmp_path / "store.toml"
    store.write_text(example, encoding="utf-8")
    rules = load_rules(store)
    names = {r.name for r in rules.rules}
    assert {"own-transfer", "gift-card"} <= names and "interest" not in names
    gift = row("交易付款", "购物卡抵扣", f"T200P{TID}", description="购物卡")
    (rule,) = rules.classify(gift)
    assert rule.name == "gift-card" and rule.captures(gift) == {"reason": "抵扣"}


def test_only_rules_with_named_groups_have_captures():
    with_groups = {r.name for r in RULES.rules if r.has_captures}
    assert with_groups == {"annual-fee", "annual-fee-short", "buyer-compensation", "deposit-compensation",
                           "deposit-claim"}


def test_alternatives_of_a_pattern_with_character_classes():
    prefixes, regex = compile_test("退款[(|]x|补偿")
    assert prefixes == ("退款", "补偿") and regex.match("退款|x") and regex.match("退款（x")


_ASCII = str.maketrans("（）：，", "():,")
_FULL = str.maketrans("():,", "（）：，")


@pytest.mark.parametrize("statement_row, name, account", REAL_ROWS)
def test_the_width_of_punctuation_and_the_wrapper_change_nothing(statement_row, name, account):
    """A 备注 written with ASCII or full-width punctuation, wrapped in 代扣款（扣款用途：…） or bare,
    is taken by the same rule (but rows whose shape is the 业务类型 or the counterparty alone)."""
    import dataclasses

    if not isinstance(statement_row, StatementRow) or not statement_row.remark:
        return
    remark = statement_row.remark
    bare = purpose(remark)
    for variant in {remark.translate(_ASCII), remark.translate(_FULL), bare, f"代扣款(扣款用途:{bare})"}:
        changed = dataclasses.replace(statement_row, remark=variant)
        assert [r.name for r in RULES.classify(changed)] == [name], variant


def test_a_real_store_statement_imports_fees_to_their_receivables_and_nothing_to_transfers():
    """Through the importer: the wrapped fees of a real statement reach their receivables, the
    buyer's compensation 售后赔付 and the one unexplained 转账 待核对; nothing goes to 往来转账."""
    import alipay_samples
    from beancount.core import data
    from test_rules_explain import REAL_ROWS as FILE_ROWS

    from beancount_tmall.importers.alipay import AlipayStatementImporter

    result = AlipayStatementImporter().extract_file(alipay_samples.statement(rows=FILE_ROWS), name="s.csv")
    postings = {}
    for txn in (e for e in result.entries if isinstance(e, data.Transaction)):
        for p in txn.postings:
            postings[p.account] = postings.get(p.account, 0) + p.units.number
    assert postings[accounts.COMMISSION_RECEIVABLE] == Decimal("8.40")  # wrapped + HJCOM
    assert postings[accounts.POINTS_RECEIVABLE] == Decimal("0.64")
    assert postings[accounts.TAOBAOKE_RECEIVABLE] == Decimal("0.49")
    assert postings[accounts.PAYMENT_FEE] == Decimal("1.28")
    assert postings[accounts.COMPENSATION] == Decimal("8.00")
    assert postings[accounts.SUSPENSE] == Decimal("20.00")
    assert postings[accounts.REVENUE] == Decimal("-178.00")
    assert accounts.TRANSFERS not in postings
    assert [line for line, _ in result.unclassified] == [15]
