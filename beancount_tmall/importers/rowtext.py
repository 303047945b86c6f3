"""What the text of a statement row says: the Tmall order id, and personal data to mask."""

from __future__ import annotations

import re

from beancount_tmall.formats.alipay_statement import StatementRow

_T200P = re.compile(r"T200P(\d+)")
_BRACKETED = re.compile(r"[{\[(（【｛［](\d{4,})[}\])）】｝］]")
_TRAILING = re.compile(r"(\d{10,})$")


def order_id(row: StatementRow) -> str | None:
    """The Tmall order id (tid) of a row: ``T200P<tid>``, ``{tid}``, ``[tid]``, ``(tid)``, …

    Brackets may be ASCII or full-width (``（）【】｛｝［］``). In ``信用卡支付服务费[…]`` and
    ``花呗支付服务费[…]`` the bracket holds the fee's own bill number, so there only
    ``淘宝交易号[T200P<tid>]`` (or the 业务基础订单号 column) names the order.
    """
    order_no = row.order_no
    if order_no.startswith("T200P") and order_no[5:]:
        return order_no[5:]
    remark = row.remark
    if "T200P" in remark:
        m = _T200P.search(remark)
        if m:
            return m.group(1)
    if "支付服务费" not in remark:
        m = _BRACKETED.search(remark)
        if m:
            return m.group(1)
        m = _TRAILING.search(remark)
        if m:
            return m.group(1)
    return row.base_order_no or None


_DIGITS = re.compile(r"\d{7,}")
_EMAIL = re.compile(r"([^\s@()（）]{1,2})[^\s@()（）]*@")
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,}")
#: Words that make a name a business's, not a person's (left unmasked).
_NOT_PERSONAL = (
    "公司", "有限", "集团", "中心", "银行", "商行", "工作室", "经营部", "门市部", "批发部", "商店",
    "厂", "超市", "合作社", "事务所", "店", "商贸", "贸易", "科技", "医院", "学校", "协会",
    "研究所", "天猫", "淘宝", "支付宝", "阿里",
)
#: In a narration, words after 给 that are a role, not a name.
_ROLES = ("买家", "卖家", "商家", "用户", "客户", "本人", "银行卡", "账户")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_NARRATION_EMAIL = re.compile(r"([A-Za-z0-9._+-]{1,2})[A-Za-z0-9._+-]*@(?=[A-Za-z0-9-]+\.)")
_GIVEN_TO = re.compile(r"(?<=给)[\u4e00-\u9fff·]{2,}")


def mask(text: str) -> str:
    """Personal data masked: ``13812341234`` -> ``138****1234``, ``张三`` -> ``张*``, e-mail user.

    A name is masked whole (``迪丽热巴·迪力木拉提`` -> ``迪*********``); a business name (with
    公司, 商行, 工作室, 店, … in it) is left as it is, but for its long digit runs.
    """
    if not text:
        return text
    text = _DIGITS.sub(_mask_digits, text)
    if any(w in text for w in _NOT_PERSONAL):
        return text
    text = _EMAIL.sub(lambda m: m.group(1) + "***@", text)
    return _NAME.sub(_mask_name, text)


def mask_narration(text: str) -> str:
    """A row's narration (业务类型 and 备注) with phone numbers, e-mail users and the name after
    给 (``退款给欧阳娜娜-13812345678`` -> ``退款给欧***-138****5678``) masked.

    Conservative: order ids and bill numbers (other digit runs) and other words stay readable.
    """
    if not text:
        return text
    text = _PHONE.sub(r"\1****\2", text)
    if "@" in text:
        text = _NARRATION_EMAIL.sub(lambda m: m.group(1) + "***@", text)
    if "给" in text:
        text = _GIVEN_TO.sub(_mask_given_to, text)
    return text


def _mask_given_to(m: re.Match) -> str:
    name = m.group(0)
    if any(w in name for w in _NOT_PERSONAL) or name.startswith(_ROLES):
        return name
    return _mask_name(m)


def _mask_name(m: re.Match) -> str:
    name = m.group(0)
    return name[0] + "*" * (len(name) - 1)


def _mask_digits(m: re.Match) -> str:
    digits = m.group(0)
    return digits[:3] + "****" + digits[-4:]
