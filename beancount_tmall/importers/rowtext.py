"""What the text of a statement row says: the Tmall order id, and personal data to mask.

Buyers' phone numbers, e-mail addresses, Alipay user ids and names are personal data (DESIGN §6):
:func:`mask` hides them in any text that reaches the ledger (备注, 对方账号, 对方名称, captured
reasons), by default and in every mode, and leaves business names, fee words and order ids readable::

    退款给张三-13912345678          -> 退款给张*-139****5678
    好评返现 138 1234 5678 王店生    -> 好评返现 138****5678 王**
    zhangsan@163.com               -> zh***@163.com
    John Smith                     -> J*** S****
    浙江天猫技术有限公司 (pinpaiticheng@taobao.com)   unchanged
"""

from __future__ import annotations

import re

from beancount_tmall.formats.alipay_statement import StatementRow

# --- the order id -------------------------------------------------------------------------------

#: The wrapper of a platform deduction's purpose (all four spellings have 9 characters).
WRAPPERS = tuple(f"代扣款{o}扣款用途{c}" for o in "（(" for c in "：:")


def purpose(remark: str) -> str:
    """The purpose inside ``代扣款（扣款用途：…）`` (either width), else the 备注 itself."""
    if remark.startswith(WRAPPERS):
        inner = remark[9:]
        if inner.endswith(("）", ")")):
            inner = inner[:-1]
        return inner.strip()
    return remark


_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[A-Z]")
_T_ORDER = re.compile(r"T\d+P(\d+)")
_BRACKETED = re.compile(r"[{\[(（【｛［](\d{4,})[}\])）】｝］]")
_KEYWORD = re.compile(r"(?:tradeid|订单号|订单编号|交易号)\s*[:：=]?\s*[\[{(（【]?(?:T\d+P)?(\d{6,})", re.IGNORECASE)
_TRAILING = re.compile(r"(?<!\d)(\d{10,19})$")
_A_PHONE = re.compile(r"1[3-9]\d{9}")


def order_id(row: StatementRow) -> str | None:
    """The Tmall order id (tid) of a row, never a phone number.

    From the 商户订单号 (``T200P<tid>``, presale ``T10000P<tid>``, ``HJCOM==…==<tid>``), else from
    the 备注 or the purpose of a wrapped deduction: ``淘宝交易号[T200P<tid>]``, ``{tid}``, ``[tid]``,
    ``(tid)`` (ASCII or full-width brackets), ``tradeid:<tid>``, ``订单号:<tid>``, or a trailing
    run of 10-19 digits; else the 业务基础订单号 column. In ``信用卡支付服务费[…]`` and
    ``花呗支付服务费[…]`` the bracket holds the fee's own bill number, so there only the
    ``淘宝交易号`` names the order. Phone numbers in any spelling are removed from the 备注 before
    it is read, and an 11-digit number of a phone's shape is never returned.
    """
    tid = _order_id(row)
    if tid and len(tid) == 11 and _A_PHONE.fullmatch(tid):
        return None
    return tid


def _order_id(row: StatementRow) -> str | None:
    order_no = row.order_no
    if order_no.startswith("T"):
        if order_no.startswith("T200P"):
            if order_no[5:].isdigit():
                return order_no[5:]
        else:
            m = _T_ORDER.fullmatch(order_no)
            if m:
                return m.group(1)
    elif order_no.startswith("HJCOM="):
        last = order_no.rstrip("=").rsplit("=", 1)[-1]
        if last.isdigit() and 10 <= len(last) <= 19:
            return last
    remark = row.remark
    if remark and _DIGIT.search(remark):
        text = _PHONE.sub(" ", purpose(remark))
        tid = _remark_order_id(text)
        if tid and not (len(tid) == 11 and _A_PHONE.fullmatch(tid)):
            return tid
    return row.base_order_no or None


def _remark_order_id(text: str) -> str | None:
    m = _T_ORDER.search(text)
    if m:
        return m.group(1)
    if "支付服务费" in text:
        return None
    for regex in (_BRACKETED, _KEYWORD, _TRAILING):
        m = regex.search(text)
        if m:
            return m.group(1)
    return None


# --- masking ------------------------------------------------------------------------------------

#: A mainland mobile number: 11 digits 1[3-9]…, optionally +86 / 0086 / 86 before it, in groups
#: separated by spaces or hyphens (``138 1234 5678``, ``139-8765-4321``, ``+8613700001111``).
_PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?P<cc>(?:\+|00)?86[-\s]?|\(\+?86\)\s?)?"
    r"(?P<a>1[3-9]\d)[-\s]?(?P<b>\d{4})[-\s]?(?P<c>\d{4})(?!\d)"
)
#: A mobile number glued to letters (Taobao's default nickname ``tb13812345678``, ``tel…``), but
#: not the tid of an order id ``T200P…`` / ``T10000P…``.
_GLUED_PHONE = re.compile(r"(?<=[A-Za-z])(?<!\dP)(?P<cc>)(?P<a>1[3-9]\d)(?P<b>\d{4})(?P<c>\d{4})(?!\d)")
#: An Alipay user id (2088 and 12 digits).
_ALIPAY_ID = re.compile(r"(?<![0-9A-Za-z])2088\d{8}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
#: E-mail domains of the platforms: their accounts (pinpaiticheng@taobao.com …) are not personal.
_PLATFORM_DOMAINS = (
    "taobao.com", "tmall.com", "alipay.com", "alibaba-inc.com", "alimama.com", "aliyun.com",
    "antgroup.com", "alibaba.com", "cainiao.com",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·•]+")
_LATIN_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)+\b")
_LATIN_BUSINESS = frozenset({
    "Inc", "Ltd", "Co", "Corp", "Company", "Limited", "Group", "Store", "Shop", "Trading", "Bank",
    "Technology", "Technologies", "Network", "Service", "Services", "Alipay", "Tmall", "Taobao",
    "Alibaba", "Email", "China", "Hangzhou", "Zhejiang", "Shanghai", "Beijing", "Shenzhen",
    "Guangzhou", "Hong", "Kong", "Online", "Mall", "Official", "Flagship",
})

#: Words that make a CJK run a business's name, not a person's (the run is left as it is).
_BUSINESS = (
    "公司", "有限", "集团", "中心", "银行", "商行", "工作室", "经营部", "门市部", "批发部", "商店",
    "超市", "合作社", "事务所", "商贸", "贸易", "科技", "医院", "学校", "协会", "研究所", "天猫",
    "淘宝", "支付宝", "阿里", "网络", "技术", "旗舰店", "专营店", "专卖店", "实业", "电子商务",
    "基金", "保险", "物流", "快递", "菜鸟", "政府", "委员会",
)
#: Endings of a business name (``某某服装厂``, ``某某小店``).
_BUSINESS_ENDINGS = ("店", "厂", "行", "社", "所", "部", "馆", "室", "局", "院", "场", "站", "处")
#: Words after which a person is named (the text after the last of them is a name unless a role).
_TRIGGERS = ("付款方", "收款方", "收款人", "付款人", "收货人", "联系人", "买家", "顾客", "客户", "给")
#: Words that are not names (fee words, reasons, roles, couriers): never masked, and stripped from
#: the start and end of a run before what is left is judged.
_WORDS = tuple(sorted({
    "转账", "退款", "提现", "充值", "代扣", "扣款", "收款", "付款", "货款", "往来款", "备用金",
    "保证金", "结息", "收费", "返现", "好评返现", "好评", "售后", "售后补偿", "补偿", "赔付", "赔偿",
    "折价", "补差价", "差价", "退差价", "补运费", "运费", "运费险", "运费补偿", "延迟发货", "虚假发货",
    "发货", "缺货", "质量问题", "质量", "问题", "破损", "少件", "错发", "漏发", "服务费", "手续费",
    "年费", "佣金", "积分", "返点", "订单", "订单号", "交易", "交易号", "在线支付", "交易付款",
    "交易退款", "售后退款", "理赔", "快递理赔", "集运", "集运物流", "店铺", "过户", "店铺过户", "小额",
    "打款", "小额打款", "捐赠", "公益", "宝贝", "解冻", "冻结", "买家", "卖家", "商家", "用户",
    "客户", "顾客", "本人", "银行卡", "账户", "余额", "支付", "花呗", "信用卡", "扣款用途", "付款方",
    "收款方", "中通", "圆通", "申通", "韵达", "顺丰", "邮政", "京东", "极兔", "德邦", "百世", "返还",
    "归还", "转入", "转出", "企业", "个人", "其他", "其它", "神秘", "扣除", "奖励", "红包", "活动",
    "推广", "代付", "预售", "定金", "尾款", "类目", "系统", "新疆", "西藏", "偏远", "地区", "成功",
    "失败", "退回", "退还", "到账", "结算", "分账", "收入", "支出", "费用", "押金", "赠品", "礼品",
    "退货", "换货", "维修", "补发", "补贴", "手机", "号码", "备注", "说明", "原因", "金额", "技术",
    "服务", "年度", "代扣款", "充值代扣", "基础软件", "软件", "消费者", "体验", "提升", "计划",
    "聚划算", "直通车", "钻展", "淘宝客", "淘宝联盟", "联盟", "新online", "信用卡快捷支付", "快捷",
    "大额网关", "网关", "线上", "承保", "保费", "卖家版", "收取", "支付服务费", "交易分账", "自动", "自动充值", "扣款成功", "退款成功", "转账成功", "付款成功", "交易成功",
    "交易关闭", "部分退款", "全额退款", "全部退款", "仅退款", "退货退款", "缺件", "漏件", "少发",
    "发错", "错件", "破损补偿", "差评", "返利", "返款", "押金退还", "保证金退还", "提现到",
    "银行", "银行卡号", "余额宝", "理财", "收益", "利息", "手续", "技术服务费", "服务费用",
    "软件服务费", "基础服务费", "推广费", "广告费", "营销", "营销费", "平台", "平台服务费",
    "商品", "货品", "样品", "邮费", "快递费", "物流费", "包邮", "补邮费", "邮费补偿", "赔款",
    "罚款", "违约金", "违规", "扣分", "延迟", "虚假", "描述不符", "未发货", "超时", "超时发货",
    "退运费", "运费退还", "差价补偿", "价保", "保价", "补差", "抵扣", "抵用", "优惠", "优惠券",
    "红包返还", "代金券", "购物金", "会员", "积分兑换", "还款", "借款", "贷款", "花呗分期", "分期",
    "测试", "验证", "认证", "实名认证", "打款验证", "返还款", "归还款", "往来", "调拨", "内部",
    "工资", "报销", "备用", "零钱", "零用金", "货款结算", "月结", "对账", "结余", "扣费", "收款码",
    "二维码", "扫码", "扫码支付", "当面付", "转账到", "支付宝转账", "余额支付", "账户余额",
    "流水号", "订单编号", "业务", "明细", "账单", "合计", "共计", "总计", "联系",
    "电话", "联系电话", "手机号", "联系方式", "地址", "收货", "收货人", "中国", "差旅", "差旅费",
    "办公", "办公费", "房租", "水电", "水电费", "网费", "话费", "税费", "税款", "社保", "公积金",
    # forms of address after a name (王小明先生): stripped, so the name before them is judged
    "先生", "女士", "小姐", "同学", "老师", "师傅", "阿姨", "老板", "亲",
    "微信", "旺旺", "阿里旺旺", "淘宝网", "天猫店", "旗舰店",
}, key=len, reverse=True))
_WORD_SET = frozenset(_WORDS)
#: Common Chinese surnames (single characters that rarely begin an ordinary word) and compound ones.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范石廖贾夏韦邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔汤温康施牛樊葛邢乔伍庞颜倪庄聂章鲁岳翟殷詹欧耿兰焦俞左柳甘祝舒阮柯纪梅童凌毕季裴霍涂苗"
    "谷盛翁冉骆蓝游辛靳柴蒙鲍喻祁蒲滕屈饶牟艾尤穆卓缪简麦褚娄窦戚岑宫卜晏席卫柏瞿桂佟臧闵苟邬"
    "卞姬仇栾隋刁巫寇桑郎甄虞敖巩佘邝鞠荆冀郁胥栗燕鄢谌奚粟冼蔺阚屠朴禹芮扈晁邸雍辜裘亓邰赫"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
                      "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延")


#: A surname, spaces, and a given name of one or two characters: ``陈 晓``, ``王　小明``.
_SPACED_NAME = re.compile(
    r"(?<![\u4e00-\u9fff])([" + "".join(sorted(_SURNAMES)) + r"])([ \t\u3000]+)([\u4e00-\u9fff]{1,2})(?![\u4e00-\u9fff])"
)
#: Latin names written in capitals (``JOHN SMITH``) or surname first (``Smith, John``).
_CAPS_NAME = re.compile(r"\b[A-Z]{2,12}(?:[ \t]+[A-Z]{2,12})+\b")
_COMMA_NAME = re.compile(r"\b[A-Z][a-z]+,[ \t]*[A-Z][a-z]+\b")
#: Capitalised words that are no names (codes, currencies, couriers, platforms).
_CAPS_WORDS = frozenset({
    "VIP", "QQ", "ID", "CNY", "RMB", "USD", "APP", "PC", "SKU", "EMS", "SF", "ZTO", "YTO", "STO",
    "JD", "POS", "ATM", "VAT", "TMALL", "ALIPAY", "TAOBAO", "HJCOM", "CAE", "POINT", "NO", "OK",
    "LTD", "CO", "INC", "CORP", "LIMITED", "COMPANY", "GROUP", "STORE", "SHOP", "TRADING", "BANK",
    "CHINA", "EMAIL", "TEL", "FAX", "URL", "WWW", "COM", "CN", "HTTP", "HTTPS", "NFC", "API",
})
#: A QQ number: ``QQ 12345678``, ``qq号:12345678``.
_QQ = re.compile(r"(?i)(qq[号]?[\s:：]*)(\d{5,12})(?!\d)")


def mask(text: str, *, lone_is_name: bool = True) -> str:
    """``text`` with every buyer identifier masked; business names, fee words and order ids kept.

    * phone numbers in any spelling: ``13812345678``, ``138 1234 5678``, ``139-8765-4321``,
      ``+8613700001111`` -> ``138****5678`` (``+86`` kept);
    * e-mail addresses: ``zhangsan@163.com`` -> ``zh***@163.com`` (platform accounts such as
      ``pinpaiticheng@taobao.com`` stay readable);
    * Alipay user ids ``2088…`` -> ``2088****1234`` (not in a text naming a business), and a text
      that is only an account number of 7 or more digits;
    * Chinese names: 2-4 CJK characters (any length with ``·``) after 给 / 付款方 / 收款方 / 买家 …,
      or standing alone between separators (``-``, ``_``, spaces, brackets, digits; the whole
      text, as a 对方名称 cell), or beginning with a common surname next to fee words
      (``赔付王小明``): ``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧***``. A run with a business word
      (公司, 商行, 工作室, …店) and the known fee and reason words (转账, 延迟发货, …) stay;
      ``lone_is_name=False`` (for a captured reason) asks a lone run for a common surname too;
    * Latin names, capitalised word pairs: ``John Smith`` -> ``J*** S****``.
    """
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub(_mask_email, text)
    if _DIGIT.search(text):
        text = _PHONE.sub(_mask_phone, text)
        text = _GLUED_PHONE.sub(_mask_phone, text)
        stripped = text.strip()
        if stripped.isdigit() and len(stripped) >= 7:
            return text.replace(stripped, _mask_digits(stripped))
        if "2088" in text and not _is_business(text):
            text = _ALIPAY_ID.sub(r"2088****\1", text)
        if "q" in text or "Q" in text:
            text = _QQ.sub(lambda m: m.group(1) + _mask_qq(m.group(2)), text)
    if _UPPER.search(text):
        text = _LATIN_NAME.sub(_mask_latin, text)
        text = _COMMA_NAME.sub(_mask_latin, text)
        text = _CAPS_NAME.sub(_mask_caps, text)
    if " " in text or "\t" in text or "\u3000" in text:
        text = _SPACED_NAME.sub(_mask_spaced, text)
    return _mask_names(text, lone_is_name)


def _mask_qq(digits: str) -> str:
    return _mask_digits(digits) if len(digits) >= 8 else digits[:2] + "*" * (len(digits) - 2)


def _mask_caps(m: re.Match) -> str:
    words = m.group(0).split()
    if any(w in _CAPS_WORDS for w in words):
        return m.group(0)
    return re.sub(r"[A-Z]+", lambda w: w.group(0)[0] + "*" * (len(w.group(0)) - 1), m.group(0))


def _mask_spaced(m: re.Match) -> str:
    surname, space, given = m.groups()
    if given in _WORD_SET or (surname + given) in _WORD_SET:
        return m.group(0)
    return surname + space + "*" * len(given)


def mask_narration(text: str) -> str:
    """A row's narration (业务类型 and 备注) masked: the same as :func:`mask`."""
    return mask(text)


def _mask_phone(m: re.Match) -> str:
    return f"{(m.group('cc') or '').strip()}{m.group('a')}****{m.group('c')}"


def _mask_email(m: re.Match) -> str:
    user, domain = m.group(1), m.group(2)
    if domain.lower().endswith(_PLATFORM_DOMAINS):
        return m.group(0)
    return f"{user[:2]}***@{domain}"


def _mask_digits(digits: str) -> str:
    return digits[:3] + "****" + digits[-4:]


def _mask_latin(m: re.Match) -> str:
    words = m.group(0).split()
    if any(w in _LATIN_BUSINESS for w in words):
        return m.group(0)
    return re.sub(r"[A-Za-z]+", lambda w: w.group(0)[0] + "*" * (len(w.group(0)) - 1), m.group(0))


_BUSINESS_RE = re.compile("|".join(map(re.escape, _BUSINESS)))
_LAST_TRIGGER = re.compile(".*(?:" + "|".join(map(re.escape, _TRIGGERS)) + ")")


def _is_business(run: str) -> bool:
    return _BUSINESS_RE.search(run) is not None or (len(run) > 2 and run.endswith(_BUSINESS_ENDINGS))


def _hide(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


_ALTS = "|".join(map(re.escape, _WORDS))
_SPLIT = re.compile(f"((?:{_ALTS})*)(.*?)((?:{_ALTS})*)")
_AFTER_TRIGGER = re.compile(r"[\s:：]*")


def _strip_words(run: str) -> tuple[str, str, str]:
    """``run`` as (known words before, the rest, known words after)."""
    head, rest, tail = _SPLIT.fullmatch(run).groups()
    return head, rest, tail


def _looks_like_name(name: str, alone: bool) -> bool:
    """Whether ``name`` (a CJK run stripped of known words) is a person's name."""
    if name in _WORD_SET or _is_business(name):
        return False
    if "·" in name or "•" in name:
        return len(name) >= 3
    if not 2 <= len(name) <= 4:
        return False
    return alone or name[0] in _SURNAMES or name.startswith(_COMPOUND_SURNAMES)


def _mask_names(text: str, lone_is_name: bool = True) -> str:
    """Every run of CJK characters of ``text`` with the person's name in it masked."""
    out, end, named = [], 0, False
    if lone_is_name and _BUSINESS_RE.search(text):
        lone_is_name = False  # a business's name: its short parts (（中国）) are no persons
    for m in _CJK.finditer(text):
        gap = text[end : m.start()]
        out.append(gap)
        if named and not _AFTER_TRIGGER.fullmatch(gap):
            named = False
        run = m.group(0)
        out.append(_mask_run(run, named or lone_is_name))
        named = run.endswith(_TRIGGERS)
        end = m.end()
    out.append(text[end:])
    return "".join(out)


def _mask_run(run: str, alone: bool) -> str:
    """One run of CJK characters with the person's name in it masked; ``alone``: a run of 2-4
    characters that is no known word is a name even without a common surname."""
    if run in _WORD_SET or _is_business(run):
        return run
    last = _LAST_TRIGGER.match(run)
    if last:
        cut = last.end()
        head, name, tail = _strip_words(run[cut:])
        if name and _looks_like_name(name, True):
            return run[:cut] + head + _hide(name) + tail
        return run
    head, name, tail = _strip_words(run)
    if alone and name == run and _looks_like_name(run, True):
        return _hide(run)
    if name and _looks_like_name(name, False):
        return head + _hide(name) + tail
    return run
