"""大写 (beancount_tmall.reports.daxie): seed 000's examples verbatim, then every amount and date
against references written differently here (whole-form text reduced by rewriting rules, digit
arithmetic per place) and parsers that read the capitals back to the number or date."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from beancount_tmall.cli import main
from beancount_tmall.reports.daxie import (
    POSITIONS,
    amount_in_positions,
    amount_in_words,
    date_in_words,
    positions_text,
)

# --- seed 000, lines 182-184, verbatim (正(整) written as 整) ---

SEED_AMOUNTS = [
    ("1100200.06", "壹佰壹拾万零贰佰元零陆分", "⊕仟壹佰壹拾零万零仟贰佰零拾零元零角陆分"),
    ("3402000.60", "叁佰肆拾万零贰仟元零陆角整", "⊕仟叁佰肆拾零万贰仟零佰零拾零元陆角零分"),
    ("56789.00", "伍万陆仟柒佰捌拾玖元整", "⊕拾伍万陆仟柒佰捌拾玖元零角零分"),
]


@pytest.mark.parametrize(("amount", "words", "positions"), SEED_AMOUNTS)
def test_seed_amounts(amount, words, positions):
    assert amount_in_words(Decimal(amount)) == words
    assert positions_text(amount_in_positions(Decimal(amount)), compact=True) == positions


def test_seed_amount_50000():
    # 无金额位 → 人民币(大写):伍万元正(整)
    assert amount_in_words(Decimal("50000.00")) == "伍万元整"


def test_seed_dates():
    assert date_in_words(datetime.date(2013, 1, 10)) == "贰零壹叁年零壹月零壹拾日"
    # The seed writes 2013年7月1日 as 贰零壹叁年柒月壹日, against its own rule for days 1-9;
    # issue 10 follows the rule.
    assert date_in_words(datetime.date(2013, 7, 1)) == "贰零壹叁年柒月零壹日"
    assert date_in_words(datetime.date(2012, 10, 19)) == "贰零壹贰年零壹拾月壹拾玖日"


def test_positions_every_place_of_the_seed_example():
    cells = amount_in_positions(Decimal("56789.00"))
    assert [place for place, _ in cells] == list(POSITIONS)
    assert "".join(char for _, char in cells) == "⊕⊕⊕伍陆柒捌玖零零"
    assert positions_text(cells, compact=False) == "⊕仟⊕佰⊕拾伍万陆仟柒佰捌拾玖元零角零分"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.50", "伍角整"),
        ("0.05", "伍分"),
        ("0.56", "伍角陆分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("10.50", "壹拾元零伍角整"),
        ("11.05", "壹拾壹元零伍分"),
        ("100000001", "壹亿零壹元整"),
        ("100000000.05", "壹亿元零伍分"),
        ("10002000", "壹仟万零贰仟元整"),
        ("-1100200.06", "负壹佰壹拾万零贰佰元零陆分"),
        ("-0.05", "负伍分"),
        ("1.500", "壹元伍角整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_edge_amounts(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("amount", "message"),
    [("1.005", "超过两位小数"), ("1000000000000", "超过大写支持的最大单位"), ("NaN", "不是有限数")],
)
def test_refused_amounts(amount, message):
    with pytest.raises(ValueError, match=message):
        amount_in_words(Decimal(amount))


def test_positions_refusals_and_small_amounts():
    with pytest.raises(ValueError, match="超过最高金额位仟万"):
        amount_in_positions(Decimal("100000000"))
    with pytest.raises(ValueError, match="负数"):
        amount_in_positions(Decimal("-1"))
    with pytest.raises(ValueError, match="相连"):
        amount_in_positions(Decimal("1"), ("万", "元", "角", "分"))
    assert positions_text(amount_in_positions(Decimal("0.50")), compact=True) == "⊕元伍角零分"
    assert positions_text(amount_in_positions(Decimal("0")), compact=True) == "⊕拾零元零角零分"
    assert amount_in_positions(Decimal("12345678.90"))[0] == ("仟万", "壹")
    short = amount_in_positions(Decimal("5.06"), ("佰", "拾", "元", "角", "分"))
    assert short == [("佰", "⊕"), ("拾", "⊕"), ("元", "伍"), ("角", "零"), ("分", "陆")]


# --- independent references ---

DIG = "零壹贰叁肆伍陆柒捌玖"
UNITS14 = "仟佰拾亿仟佰拾万仟佰拾元角分"


def reference_words(amount: Decimal) -> str:
    """Write every place (壹佰壹拾零万零仟…), then reduce the text by rewriting until stable."""
    cents = int(amount * 100)
    if cents == 0:
        return "零元整"
    pairs = [DIG[int(d)] + u for d, u in zip(f"{abs(cents):014d}", UNITS14, strict=True)]
    while pairs[0][0] == "零":  # nothing is written above the highest digit
        pairs.pop(0)
    text = "".join(pairs)
    text = re.sub("零[仟佰拾角分]", "零", text)  # a zero digit loses its place
    previous = None
    while text != previous:
        previous = text
        text = re.sub("零+", "零", text)
        text = re.sub("零([亿万元])", r"\1零", text)  # section units stay, the zero after them
        text = text.replace("亿万", "亿")  # an empty 万 section has no 万
    text = text.rstrip("零")
    return ("负" if cents < 0 else "") + text + ("" if text.endswith("分") else "整")


def parse_words(text: str) -> Decimal:
    """Read capitals back to the amount (the inverse of the written form)."""
    sign = -1 if text.startswith("负") else 1
    total = section = digit = Decimal(0)
    places = {"仟": 1000, "佰": 100, "拾": 10}
    for char in text.lstrip("负").removesuffix("整"):
        if char in DIG:
            digit = Decimal(DIG.index(char))
        elif char in places:
            section += digit * places[char]
            digit = Decimal(0)
        elif char in "亿万元":
            total += (section + digit) * {"亿": 10**8, "万": 10**4, "元": 1}[char]
            section = digit = Decimal(0)
        elif char == "角":
            total += digit / 10
            digit = Decimal(0)
        elif char == "分":
            total += digit / 100
            digit = Decimal(0)
        else:
            raise AssertionError(f"unexpected {char!r} in {text}")
    assert digit == 0 and section == 0, text
    return sign * total


POWER = {"仟万": 9, "佰万": 8, "拾万": 7, "万": 6, "仟": 5, "佰": 4, "拾": 3, "元": 2, "角": 1, "分": 0}


def reference_positions(amount: Decimal) -> list[tuple[str, str]]:
    """Per place, its digit by arithmetic; ⊕ where the amount is below the place's weight."""
    cents = int(amount * 100)
    out = []
    for place in POSITIONS:
        weight = 10 ** POWER[place]
        if cents < weight and not (cents == 0 and weight <= 100):
            out.append((place, "⊕"))
        else:
            out.append((place, DIG[cents // weight % 10]))
    return out


# amounts with many zeros (the hard part), and plain random ones, in cents
zeroy_cents = st.lists(st.sampled_from("00000123456789"), min_size=1, max_size=14).map(
    lambda ds: int("".join(ds))
)
any_cents = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)
cents_strategy = st.one_of(zeroy_cents, any_cents, zeroy_cents.map(lambda c: -c))


@settings(max_examples=3000, deadline=None)
@given(cents_strategy)
def test_words_against_reference(cents):
    amount = Decimal(cents).scaleb(-2)
    words = amount_in_words(amount)
    assert words == reference_words(amount)
    assert parse_words(words) == amount
    body = words.lstrip("负")
    assert "零零" not in body
    assert not body.startswith("零") or body == "零元整"
    assert body.endswith("分") != body.endswith("整")
    assert body.endswith("分") == (abs(cents) % 10 != 0)
    assert not re.search("零[仟佰拾万亿元角分整]", body) or body == "零元整"


@settings(max_examples=2000, deadline=None)
@given(st.one_of(zeroy_cents.filter(lambda c: c < 10**10), st.integers(0, 10**10 - 1)))
def test_positions_against_reference(cents):
    amount = Decimal(cents).scaleb(-2)
    cells = amount_in_positions(amount)
    assert cells == reference_positions(amount)
    value = sum(DIG.index(c) * 10 ** POWER[p] for p, c in cells if c != "⊕")
    assert Decimal(value).scaleb(-2) == amount
    blanks = [c == "⊕" for _, c in cells]
    assert blanks == sorted(blanks, reverse=True)  # every ⊕ comes before every figure
    full = positions_text(cells, compact=False)
    compact = positions_text(cells, compact=True)
    assert full.endswith(compact)
    assert compact.count("⊕") == (1 if any(blanks) else 0)


MONTHS = ["零壹", "零贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖", "零壹拾", "壹拾壹", "壹拾贰"]


def reference_day(d: int) -> str:
    if d < 10:
        return "零" + DIG[d]
    if d % 10 == 0:
        return "零" + DIG[d // 10] + "拾"
    if d < 20:
        return "壹拾" + DIG[d - 10]
    return DIG[d // 10] + "拾" + DIG[d % 10]


def parse_date(text: str) -> datetime.date:
    year, rest = text.split("年")
    month, day = rest.removesuffix("日").split("月")

    def number(part: str) -> int:
        part = part.removeprefix("零")
        if "拾" in part:
            tens, ones = part.split("拾")
            return DIG.index(tens) * 10 + (DIG.index(ones) if ones else 0)
        return DIG.index(part)

    return datetime.date(int("".join(str(DIG.index(c)) for c in year)), number(month), number(day))


@pytest.mark.parametrize("year", [2000, 2013, 2024, 2025, 2026])
def test_every_date_of_the_year(year):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        words = date_in_words(day)
        expected_year = "".join(DIG[int(c)] for c in str(year))
        assert words == f"{expected_year}年{MONTHS[day.month - 1]}月{reference_day(day.day)}日"
        assert parse_date(words) == day
        day += datetime.timedelta(days=1)


def test_cli_daxie():
    runner = CliRunner()
    assert runner.invoke(main, ["daxie", "1100200.06"]).output == "壹佰壹拾万零贰佰元零陆分\n"
    assert runner.invoke(main, ["daxie", "¥3,402,000.60"]).output == "叁佰肆拾万零贰仟元零陆角整\n"
    assert runner.invoke(main, ["daxie", "-12.5"]).output == "负壹拾贰元伍角整\n"
    result = runner.invoke(main, ["daxie", "--positions", "56789"])
    assert result.output == "⊕仟⊕佰⊕拾伍万陆仟柒佰捌拾玖元零角零分\n"
    result = runner.invoke(main, ["daxie", "--positions", "--compact", "56789"])
    assert result.output == "⊕拾伍万陆仟柒佰捌拾玖元零角零分\n"
    assert runner.invoke(main, ["daxie", "--date", "2013-01-10"]).output == "贰零壹叁年零壹月零壹拾日\n"
    bad = runner.invoke(main, ["daxie", "1.005"])
    assert bad.exit_code == 1 and "超过两位小数" in bad.output
    bad = runner.invoke(main, ["daxie", "--date", "2013-13-01"])
    assert bad.exit_code == 1 and "不是 YYYY-MM-DD" in bad.output
    assert runner.invoke(main, ["daxie"]).exit_code == 2
