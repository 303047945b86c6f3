"""Personal data never reaches the ledger (issue 7, item 9: "personal data leaks").

:func:`rowtext.mask` is the one function the importer calls for any free text; buyers' phone
numbers (any spelling), e-mails, Alipay ids and names are masked, business names, fee words and
order ids stay readable; :func:`rowtext.order_id` never returns a phone number.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import alipay_samples
import pytest
from beancount.core import data
from beancount.parser import printer
from hypothesis import given, settings
from hypothesis import strategies as st

from beancount_tmall.formats.alipay_statement import StatementRow
from beancount_tmall.importers.alipay import AlipayStatementImporter
from beancount_tmall.importers.rowtext import mask, mask_narration, order_id

TID = "2987654321098765432"


def row(biz_type, remark="", order_no="", amount="-1.00", **kw) -> StatementRow:
    amount = Decimal(amount)
    return StatementRow(
        line=9, serial="1", time=datetime.datetime(2025, 3, 15, 9), amount=amount,
        income=max(amount, 0), expense=max(-amount, 0), balance=None, biz_type=biz_type,
        remark=remark, order_no=order_no, **kw,
    )


@pytest.mark.parametrize(
    "text, masked",
    [
        # the examples
        ("退款给张三-13912345678", "退款给张*-139****5678"),
        ("138 1234 5678", "138****5678"),
        ("139-8765-4321", "139****4321"),
        ("+8613700001111", "+86137****1111"),
        ("John Smith", "J*** S****"),
        ("王店生", "王**"),
        ("赵六", "赵*"),
        # more spellings of a phone
        ("0086 13700001111", "0086137****1111"),
        ("+86 137-0000-1111", "+86137****1111"),
        ("(+86)13700001111", "(+86)137****1111"),
        ("好评返现 138 1234 5678 王店生", "好评返现 138****5678 王**"),
        ("联系电话:13912345678。", "联系电话:139****5678。"),
        # names where a person is named
        ("售后补偿-赵六-13912345678", "售后补偿-赵*-139****5678"),
        ("好评返现_王店生", "好评返现_王**"),
        ("付款方：钟离", "付款方：钟*"),
        ("买家李四好评返现", "买家李*好评返现"),
        ("赔付王小明", "赔付王**"),
        ("转账给欧阳娜娜", "转账给欧***"),
        ("退款给买家", "退款给买家"),
        ("张三 (13812345678)", "张* (138****5678)"),
        ("Mary Jane Watson 退款", "M*** J*** W***** 退款"),
        ("迪丽热巴·迪力木拉提", "迪*********"),
        # e-mails and Alipay ids of persons; platform accounts stay
        ("zhangsan@163.com", "zh***@163.com"),
        ("转账给zhangsan@163.com", "转账给zh***@163.com"),
        ("转账给2088123456789012", "转账给2088****9012"),
        ("2088123456789012", "208****9012"),
        ("浙江天猫技术有限公司 (pinpaiticheng@taobao.com)", "浙江天猫技术有限公司 (pinpaiticheng@taobao.com)"),
        ("支付宝（中国）网络技术有限公司(systemrevenue@alipay.com)",
         "支付宝（中国）网络技术有限公司(systemrevenue@alipay.com)"),
        ("浙江天猫技术有限公司 (2088001408364260)", "浙江天猫技术有限公司 (2088001408364260)"),
        # fee words, business names and order ids stay readable
        (f"代扣款（扣款用途：天猫佣金（类目）{{{TID}}}扣款，付款方：浙江天猫技术有限公司）",
         f"代扣款（扣款用途：天猫佣金（类目）{{{TID}}}扣款，付款方：浙江天猫技术有限公司）"),
        (f"代扣款（扣款用途：聚划算佣金({TID})扣款，付款方：浙江天猫技术有限公司，Email：ju.tuangou@service.taobao.com）",
         f"代扣款（扣款用途：聚划算佣金({TID})扣款，付款方：浙江天猫技术有限公司，Email：ju.tuangou@service.taobao.com）"),
        (f"代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:{TID} memberid:123456789 fee:0.49，付款方：杭州阿里妈妈淘联信息技术有限公司）",
         f"代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:{TID} memberid:123456789 fee:0.49，付款方：杭州阿里妈妈淘联信息技术有限公司）"),
        ("天猫保证金-充值（代扣）-延迟发货", "天猫保证金-充值（代扣）-延迟发货"),
        ("交易退款 售后退款-1-T200P13812345678", "交易退款 售后退款-1-T200P13812345678"),
        ("收费 花呗支付服务费[2025031722009];淘宝交易号[T200P1003]",
         "收费 花呗支付服务费[2025031722009];淘宝交易号[T200P1003]"),
        ("转账到企业支付宝-备用金", "转账到企业支付宝-备用金"),
        ("集运物流费用扣款", "集运物流费用扣款"),
        ("某某五金经营部", "某某五金经营部"),
        ("Apple Store", "Apple Store"),
        ("", ""),
    ],
)
def test_mask(text, masked):
    assert mask(text) == masked
    assert mask_narration(text) == masked


@pytest.mark.parametrize(
    "statement_row, tid",
    [
        (row("转账", "退款给张三-13912345678"), None),
        (row("转账", "退款给张三 13912345678"), None),
        (row("转账", "退款给张三+8613912345678"), None),
        (row("转账", "补偿[13912345678]"), None),
        (row("转账", f"退款给张三-13912345678 订单号:{TID}"), TID),
        (row("转账", "退款给张三-13912345678", base_order_no=TID), TID),
        (row("交易退款", "售后退款-1-T200P13812345678"), None),  # 11 digits 1[3-9]…: never an order id
        (row("在线支付", "", "T200P13812345678", "1.00"), None),
        (row("转账", f"好评返现{TID}"), TID),
    ],
)
def test_order_id_is_never_a_phone_number(statement_row, tid):
    assert order_id(statement_row) == tid


_PHONES = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"), st.integers(0, 999_999_999),
)
_TEXT = st.text(
    alphabet=st.sampled_from(list("张王李赵欧阳娜六店生退款给买家好评返现转账补偿-_ ()（）:：,，@.ab XYZ0123456789")),
    max_size=12,
)


def _spell(phone: str, how: int) -> str:
    a, b, c = phone[:3], phone[3:7], phone[7:]
    return [
        phone, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86{phone}", f"+86 {phone}", f"0086{phone}",
        f"86{phone}", f"(+86){phone}", f"{a}-{b} {c}",
    ][how]


@settings(max_examples=300, deadline=None)
@given(_TEXT, _PHONES, st.integers(0, 8), _TEXT)
def test_a_phone_number_anywhere_in_a_text_never_survives_mask(before, phone, how, after):
    """Wherever a phone number stands (not glued to a letter or digit, which makes it part of an
    order id such as T200P…), in whatever spelling, ``mask`` leaves none of it readable."""
    spelled = _spell(phone, how)
    if before and before[-1].isalnum() and before[-1].isascii():
        before += " "
    if after and after[0].isdigit():
        after = " " + after
    masked = mask(before + spelled + after)
    assert phone not in masked and spelled not in masked, masked
    if not after.startswith("@"):  # 13800000000@x.cn is masked as the e-mail it is: 13***@x.cn
        assert f"{phone[:3]}****{phone[-4:]}" in masked


@settings(max_examples=200, deadline=None)
@given(_TEXT, _PHONES, _TEXT)
def test_order_id_never_returns_a_phone_number(before, phone, after):
    tid = order_id(row("转账", before + phone + after))
    assert tid is None or phone not in tid or len(tid) > 11


def test_per_row_entries_carry_no_personal_data():
    """The issue's leaks, through the importer in --per-row mode: no phone, e-mail user or name
    in narration, payee, counterparty or order-id."""
    rows = [
        ("2025-03-15 09:01:02", "转账", "退款给张三-13912345678", "", "-50.00", "13912345678", "张三"),
        ("2025-03-15 09:02:02", "转账", "好评返现 138 1234 5678 王店生", "", "-5.00", "lisi@example.com", "赵六"),
        ("2025-03-15 09:03:02", "转账", "售后补偿 139-8765-4321", "", "-5.00", "+8613700001111", "John Smith"),
    ]
    source = alipay_samples.statement(rows=rows)
    entries = AlipayStatementImporter(per_row=True).extract_file(source, name="s.csv").entries
    text = "".join(printer.format_entry(e) for e in entries if isinstance(e, data.Transaction))
    for secret in ("13912345678", "1234 5678", "8765-4321", "13700001111", "张三", "王店生", "赵六",
                   "John", "Smith", "lisi@"):
        assert secret not in text, secret
    assert "退款给张*-139****5678" in text


@pytest.mark.parametrize(
    "text, cell, free",
    [
        ("神通", "神*", "神通"),  # alone a short unknown run is a name; as a captured reason it is not
        ("钟离", "钟*", "钟*"),  # a common surname is a name anywhere
        ("仝卓", "仝*", "仝卓"),
        ("好评返现-仝卓", "好评返现-仝*", "好评返现-仝卓"),
        ("延迟发货", "延迟发货", "延迟发货"),
    ],
)
def test_a_lone_word_is_a_name_only_where_names_stand(text, cell, free):
    assert mask(text) == cell
    assert mask(text, lone_is_name=False) == free


@pytest.mark.parametrize(
    "text, hidden, kept",
    [
        ("好评返现-JOHN SMITH", ["JOHN", "SMITH"], ["好评返现"]),
        ("赔付给 Smith, John", ["Smith", "John"], ["赔付给"]),
        ("好评返现-王小明先生", ["小明"], ["好评返现", "先生"]),
        ("退款给 陈 晓", ["晓"], ["退款给 陈"]),
        ("售后补偿 QQ 12345678", ["12345678"], ["售后补偿"]),
        ("qq号:123456 补运费", ["123456"], ["补运费"]),
    ],
)
def test_names_and_numbers_written_otherwise_are_masked(text, hidden, kept):
    masked = mask(text)
    for secret in hidden:
        assert secret not in masked, masked
    for word in kept:
        assert word in masked, masked


@pytest.mark.parametrize("text", ["微信", "VIP 会员", "HJCOM=123=456", "Hangzhou, China", "天猫 佣金"])
def test_words_and_codes_that_are_no_names_stay(text):
    assert mask(text) == text
