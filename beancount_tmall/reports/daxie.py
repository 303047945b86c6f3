"""大写: amounts and dates in Chinese capitals, by the rules of seed 000 (lines 182-184).

Seed 000, 金额的填写::

    ¥1100200.06 无金额位的大写:壹佰壹拾万零贰佰元零陆分
                有金额位的大写:⊕仟壹佰壹拾零万零仟贰佰零拾零元零角陆分
    ¥3402000.60 无金额位的大写:叁佰肆拾万零贰仟元零陆角正(整)
                有金额位的大写:⊕仟叁佰肆拾零万贰仟零佰零拾零元陆角零分
    ¥56789.00   无金额位的大写:伍万陆仟柒佰捌拾玖元正(整)
                有金额位的大写:⊕拾伍万陆仟柒佰捌拾玖元零角零分
    ●无金额位的金额大写时,如果金额有"角"有"分"的,不得写"正"或"整";如果金额有"角"无"分"的,
     应当在"角"位后写上"正"或"整";如果金额无"角"无"分"的,必须在"元"位后写上"正"或"整"。
     金额中间有几个"零"的,只需写一个"零"。
    ●有金额位的金额大写时,需要在最高金额位前的金额位中填写"⊕",最低金额位后的金额位中填写"零"。

Amounts without printed digit positions (:func:`amount_in_words`) are read digit by digit from the
highest: a digit is written with its place (仟, 佰, 拾) and each section ends with its unit (亿, 万
when the section has a digit, 元 when the amount has whole yuan); a run of zeros between two written
digits becomes one 零, also across a section unit (叁佰肆拾万零贰仟元) and across 元 (元零陆角, the
seed's 壹佰壹拾万零贰佰元零陆分): so a 零 follows 元 whenever the 元 digit is zero and 角 or 分
follow. 拾 is always written with its digit (壹拾元, 壹佰壹拾万), as on cheques. 整 follows 角 when
there is no 分 and 元 when there is neither; never with a 分. Below one yuan there is no 元
(0.50 → 伍角整, 0.05 → 伍分, 0.56 → 伍角陆分): the 元 and the 零 after it would only say "nothing",
and no rule asks for them. Zero is 零元整; a negative amount is 负 and the capitals of its size.
We write 整 (the seed allows 正 or 整). The largest unit supported is 仟亿 (below 10¹² yuan); an
amount with a part smaller than a 分 is refused.

Amounts with printed digit positions (:func:`amount_in_positions`) fill every position of the form:
the position's digit, 零 for a zero below the highest digit, ⊕ in every position above it (the
form's printed places from 仟万 down to 分 by default). The seed writes its examples as a line that
starts at the ⊕ just above the highest digit (``⊕拾伍万…`` for 56789.00 on a form whose places
begin at 仟万). The issue asks for ⊕ in every position above the highest digit, so
:func:`positions_text` prints every place by default (``⊕仟⊕佰⊕拾伍万…``); ``compact=True`` prints
the seed's line, one ⊕ for the blank places above.

Dates (:func:`date_in_words`), seed 000 日期的填写::

    2013年1月10日 贰零壹叁年零壹月零壹拾日
    当填写"月份"时,如果是1,2,10月份,要在前面加"零"。
    当填写"日"时,如果是1-9,10,20,30日,要在前面加"零"。当日为11-19时,还要在前面加"壹"。

The year is written digit by digit (零 for 0). Months 11 and 12 are 壹拾壹月 and 壹拾贰月 (the 壹
before 拾 as for days 11-19). The seed's own first example, "2013年7月1日 大写:贰零壹叁年柒月壹日",
contradicts its rule for days 1-9; issue 10 follows the rule, so 2013-07-01 is 贰零壹叁年柒月零壹日.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

#: The capital digits 零 … 玖.
DIGITS = "零壹贰叁肆伍陆柒捌玖"

#: Place inside a four-digit section, from its highest digit.
PLACES = ("仟", "佰", "拾", "")

#: Section units from the lowest: 元, 万, 亿 (so at most 12 whole digits: 仟亿).
SECTIONS = ("元", "万", "亿")

#: The largest amount written (one below 1 万亿).
LIMIT = Decimal(10) ** (4 * len(SECTIONS))

#: A blank position above the highest digit on a form with printed digit positions.
BLANK = "⊕"

#: The printed positions of the usual form (seed 000's examples): 仟万 down to 分.
POSITIONS: tuple[str, ...] = ("仟万", "佰万", "拾万", "万", "仟", "佰", "拾", "元", "角", "分")

#: Every position a form may print, from the highest.
ALL_POSITIONS: tuple[str, ...] = (
    "仟亿", "佰亿", "拾亿", "亿", "仟万", "佰万", "拾万", "万", "仟", "佰", "拾", "元", "角", "分",
)

_CENT = Decimal("0.01")


def _cents(amount: Decimal) -> int:
    """The amount in whole 分, refusing a part below a 分, a non-finite value and the too large."""
    if not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation:
            raise ValueError(f"金额 {amount!r} 不是数字 (not a number)") from None
    if not amount.is_finite():
        raise ValueError(f"金额 {amount} 不是有限数 (not a finite amount)")
    if abs(amount) >= LIMIT:
        raise ValueError(
            f"金额 {amount} 超过大写支持的最大单位仟亿 (须小于 {LIMIT:,}) (amount beyond 仟亿)"
        )
    if amount != amount.quantize(_CENT):
        raise ValueError(f"金额 {amount} 超过两位小数 (分以下), 不能写大写 (more than 2 decimals)")
    return int(amount.scaleb(2))


def amount_in_words(amount: Decimal) -> str:
    """人民币大写 without printed digit positions: 1100200.06 → 壹佰壹拾万零贰佰元零陆分."""
    cents = _cents(amount)
    if cents == 0:
        return "零元整"
    sign = "负" if cents < 0 else ""
    cents = abs(cents)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    out: list[str] = []
    zero = False  # a zero seen since the last written digit

    def digit(d: int, place: str) -> None:
        nonlocal zero
        if d == 0:
            zero = True
            return
        if zero and out:
            out.append("零")
        zero = False
        out.append(DIGITS[d] + place)

    text = f"{yuan:0{4 * len(SECTIONS)}d}"
    for index, unit in enumerate(reversed(SECTIONS)):
        section = text[4 * index: 4 * index + 4]
        for d, place in zip(section, PLACES, strict=True):
            digit(int(d), place)
        if unit == "元":
            if yuan:
                out.append("元")
        elif int(section):
            out.append(unit)
    digit(jiao, "角")
    digit(fen, "分")
    if not fen:
        out.append("整")
    return sign + "".join(out)


def amount_in_positions(
    amount: Decimal, positions: Sequence[str] = POSITIONS
) -> list[tuple[str, str]]:
    """人民币大写 on a form with printed digit positions: one (position, character) per position.

    ``positions`` are the form's printed places, consecutive from the highest (``POSITIONS``:
    仟万 … 分). Every place above the amount's highest digit holds ⊕; below it, the digit or 零.
    Below one yuan the 元 place is above the highest digit too (0.50: ⊕元伍角零分); zero, which
    has no highest digit, is 零元零角零分 with ⊕ above 元. A negative amount is refused (a form with digit
    positions has no place for a sign: write it in red or without positions).
    """
    cents = _cents(amount)
    if cents < 0:
        raise ValueError(f"金额 {amount} 为负数, 有金额位的大写不能写负数 (negative amount)")
    places = list(positions)
    start = _start(places)
    if places != list(ALL_POSITIONS[start: start + len(places)]) or places[-1] != "分":
        raise ValueError(
            f"金额位 {''.join(places)} 须是从高到低相连、以分结尾的位 (如 {''.join(POSITIONS)})"
        )
    digits = f"{cents:0{len(places)}d}"
    if len(digits) > len(places):
        raise ValueError(
            f"金额 {amount} 超过最高金额位{places[0]} (amount beyond the form's highest position)"
        )
    highest = next((i for i, d in enumerate(digits) if d != "0"), len(places) - 3)
    return [
        (place, BLANK if i < highest else DIGITS[int(d)])
        for i, (place, d) in enumerate(zip(places, digits, strict=True))
    ]


def _start(places: list[str]) -> int:
    if not places or places[0] not in ALL_POSITIONS:
        raise ValueError(f"金额位 {''.join(places)} 不是 {'、'.join(ALL_POSITIONS)} 中的位")
    return ALL_POSITIONS.index(places[0])


def positions_text(cells: Sequence[tuple[str, str]], compact: bool = False) -> str:
    """One line of :func:`amount_in_positions`: each character, then its place's printed unit.

    By default every place: ``⊕仟⊕佰⊕拾伍万陆仟柒佰捌拾玖元零角零分``; ``compact`` (the way the
    seed prints its examples) writes one ⊕ for the blank places above the highest digit:
    ``⊕拾伍万陆仟柒佰捌拾玖元零角零分``.
    """
    if compact:
        first = next((i for i, (_, c) in enumerate(cells) if c != BLANK), len(cells))
        cells = list(cells[max(first - 1, 0):])
    return "".join(char + place[0] for place, char in cells)


def _number(n: int) -> str:
    """1-31 written as on a date: 壹拾 for 10, 壹拾壹 for 11, 贰拾 for 20, 叁拾壹 for 31."""
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] + "拾" if tens else "") + (DIGITS[ones] if ones else "")


def date_in_words(date: datetime.date) -> str:
    """日期大写: 2013-01-10 → 贰零壹叁年零壹月零壹拾日 (零 before months 1, 2, 10 and days 1-10, 20, 30)."""
    year = "".join(DIGITS[int(d)] for d in f"{date.year:04d}")
    month = ("零" if date.month in (1, 2, 10) else "") + _number(date.month)
    day = ("零" if date.day <= 10 or date.day in (20, 30) else "") + _number(date.day)
    return f"{year}年{month}月{day}日"
