"""A lean reading of the common statement for order reconciliation, or none at all.

:func:`statement_rows` reads a 支付宝账务明细 of the layout the bill download writes (one CSV file,
the banner ``#起始日期…终止日期``, the 16-column classic header, rows oldest first, the footer
``#支出合计 / #收入合计``) in one go: the decoded text split into lines and cells (no quotes in the
file, so a line's cells are its text split at the commas, as ``csv.reader`` reads it), each
amount checked and counted in integer cents. It returns the file's
:class:`~beancount_tmall.formats.alipay_statement.StatementRow` objects, field for field those
:class:`~beancount_tmall.formats.alipay_statement.AlipayStatement` yields (same cells stripped,
same ``Decimal`` amounts, same counterparty split and 业务描述 code, same lines), with the facts
the reconciliation needs (banner period, 导出时间, the time up to which the file holds every row).

It verifies, in integers, what the strict parser verifies for such a file: the balance chain
row after row *in the file's own order*, the footer's counts and totals, every time inside the
banner period and not after the 导出时间, ids without Excel damage (``=``, ``'``, ``E+``),
amounts written ``\\d+.\\d\\d`` (expense with an optional ``-``).

Whatever it does not recognise makes it **decline** (return ``None``) for the whole file, before
any row is used: then the caller reads the file with the strict parser, which accepts it (a
layout or spelling this reader does not handle: quotes, blank lines, rows newest first, rows of
one second out of chain order, another header, a zip, UTF-8 BOM text with \\r alone …) or refuses
it with its own message (a broken chain, a row too many, a cut footer, a bad amount). So a file
is read either wholly here or wholly by the strict parser, and nothing it would refuse is ever
accepted here.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import alipay_statement as strict
from beancount_tmall.formats.common import HEAD_SIZE, normalize_header, sniff_encoding
from beancount_tmall.importers.rowtext import WRAPPERS
from beancount_tmall.importers.rules import RuleTable

#: The header this reader takes (the classic 16 columns, in their order).
HEADER = strict._CLASSIC_ORDER[:16]
_INCOME = re.compile(r"\d{1,12}\.\d\d").fullmatch
_EXPENSE = re.compile(r"-?\d{1,12}\.\d\d").fullmatch
_BALANCE = re.compile(r"-?\d{1,15}\.\d\d").fullmatch
_TOTAL = re.compile(r"-?\d{1,15}\.\d\d").fullmatch
#: Longest line taken (csv's default field limit is 131072 characters).
MAX_TEXT_LINE = 100_000
_ID_DAMAGE = ("=", "'", "E+", "e+", "E-")


class Decline(Exception):
    """The file is not one this reader takes: read it with the strict parser instead."""


@dataclass
class FastStatement:
    """One statement file for :func:`statement_rows`: iterate it (once) for its rows; after a
    complete iteration its banner and footer facts are set. Iterating raises :class:`Decline` on
    anything this reader does not take, possibly after some rows: the caller must hold the rows
    back until the iteration ends."""

    path: str
    lines: list[str]
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    exported: datetime.datetime | None = None

    def __iter__(self) -> Iterator[Cells]:
        lines, self.lines = self.lines, []
        yield from _read(self, lines)

    @property
    def covered_until(self) -> datetime.datetime | None:
        """As :attr:`AlipayStatement.covered_until`: 终止日期, or the 导出时间 if earlier."""
        if self.end is None:
            return None
        if self.exported is not None and self.exported < self.end:
            return self.exported
        return self.end


def statement_rows(path: str | Path) -> FastStatement | None:
    """The statement at ``path`` to be read the lean way, or ``None`` when its bytes already
    show it is not one for this reader (see the module)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if data[:4] == b"PK\x03\x04":
        return None
    encoding = sniff_encoding(data[:HEAD_SIZE])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    del data
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    del text
    if lines and lines[-1] == "":
        lines.pop()
    return FastStatement(str(path), lines)


#: What :class:`FastStatement` yields for each row: the cells the reconciliation reads, stripped
#: and split as :class:`AlipayStatement` does, the amount in cents; :func:`row_of` makes it a
#: StatementRow.
Cells = tuple


def row_of(cells: Cells) -> strict.StatementRow:
    """The :class:`StatementRow` the strict parser makes of the same row (same Decimals)."""
    (line, serial, time, _cents, biz_type, remark, order_no, counterparty, party_name, description,
     code, base_order_no, biz_serial, item, channel, bill_source, biz_order_no, income, expense,
     balance) = cells
    income_d = Decimal(income) if income else Decimal(0)
    expense_d = Decimal(expense) if expense else Decimal(0)
    if expense_d < 0:
        expense_d = -expense_d
    return strict.StatementRow(
        line, serial, time, income_d - expense_d, income_d, expense_d, Decimal(balance), biz_type,
        remark, order_no, biz_serial, item, counterparty, party_name, channel, description,
        bill_source, base_order_no, biz_order_no, code, 0,
    )


def _read(facts: FastStatement, lines: list[str]) -> Iterator[Cells]:
    # --- banner and header (as AlipayStatement._header reads them) ---
    times: dict[str, datetime.datetime] = {}
    at = None
    for i, line in enumerate(lines[: strict.MAX_HEADER_LINES]):
        if not line:
            continue
        cells = line.split(",")
        if cells[0].strip().startswith("#"):
            for which, when in strict.banner_times(line).items():
                times.setdefault(which, when)
            continue
        if [normalize_header(c) for c in cells] != HEADER:
            raise Decline
        at = i
        break
    if at is None:
        raise Decline
    start, end = times.get("起始日期"), times.get("终止日期")
    if start is None or end is None:
        raise Decline
    exported = times.get("导出时间")

    # --- rows ---
    facts.start, facts.end, facts.exported = start, end, exported
    first = None
    fromiso, party = datetime.datetime.fromisoformat, strict._PARTY
    income_count = expense_count = income_total = expense_total = 0
    ref = None
    time_text, time, group = None, None, 0
    n = len(lines)
    i = at + 1
    while i < n:
        line = lines[i]
        if not line or len(line) > MAX_TEXT_LINE:
            raise Decline
        if line[0] == "#":
            break
        cells = line.split(",")
        if len(cells) != 16:
            raise Decline
        (serial, biz_serial, order_no, item, when, counterparty, income, expense, balance, channel,
         biz_type, remark, description, bill_source, base_order_no, biz_order_no) = (
            c.strip() for c in cells)
        if serial[:1] == "#" or cells[0][:1] in " \t\ufeff":
            raise Decline
        ids = serial + order_no + biz_serial + counterparty + base_order_no + biz_order_no
        if not serial or any(d in ids for d in _ID_DAMAGE):
            raise Decline
        if when != time_text:
            try:
                moment = fromiso(when)
            except ValueError:
                raise Decline from None
            if moment.tzinfo is not None or not start <= moment <= end:
                raise Decline
            if time is not None and moment < time:
                raise Decline  # rows newest first, or out of time order
            time_text, time, group = when, moment, 0
        group += 1
        if group > strict.MAX_GROUP:
            raise Decline
        # amounts in cents: income (no sign), expense (optional -), balance
        if income:
            if not _INCOME(income):
                raise Decline
            in_cents = int(income.replace(".", ""))
        else:
            in_cents = 0
        if expense:
            if not _EXPENSE(expense):
                raise Decline
            out_cents = abs(int(expense.replace(".", "")))
        else:
            out_cents = 0
        if not _BALANCE(balance):
            raise Decline
        bal_cents = int(balance.replace(".", ""))
        amount_cents = in_cents - out_cents
        if ref is not None and bal_cents != ref + amount_cents:
            raise Decline  # the chain in the file's order breaks: the strict parser decides
        ref = bal_cents
        if out_cents:
            expense_count += 1
            expense_total += out_cents
        else:
            income_count += 1
            income_total += in_cents
        party_name = ""
        if counterparty and counterparty[-1] in ")）":
            m = party(counterparty)
            if m:
                party_name, counterparty = m.groups()
        code = ""
        if "|" in description:
            head, _, rest = description.partition("|")
            if head.isdigit():
                code, description = head, rest.strip()
        row = (i + 1, serial, time, amount_cents, biz_type, remark, order_no, counterparty, party_name,
               description, code, base_order_no, biz_serial, item, channel, bill_source, biz_order_no,
               income, expense, balance)
        if first is None:
            first = time
        yield row
        i += 1
    if first is None or first == time:
        raise Decline  # one time only: the strict parser orders such a file

    # --- footer (as AlipayStatement._check_footer reads it) ---
    footer = lines[i:]
    if len(footer) > strict.MAX_FOOTER_LINES:
        raise Decline
    seen: dict[str, tuple[int, int]] = {}
    for line in footer:
        if line[:1] != "#":
            raise Decline
        text = line.rstrip(", \t")
        if "导出时间" in text:
            exported = strict.banner_times(text).get("导出时间", exported)
            continue
        m = strict._FOOTER.match(text.strip())
        if m:
            kind, count, total = m.groups()
            if kind in seen or not _TOTAL(total):
                raise Decline
            seen[kind] = (int(count), abs(int(total.replace(".", ""))))
        elif sum(1 for c in text.lstrip(" \t\ufeff#").split(",") if c.strip()) >= 3:
            raise Decline
    if seen.get("支出") != (expense_count, expense_total) or seen.get("收入") != (income_count, income_total):
        raise Decline
    if exported is not None and time > exported:
        raise Decline
    facts.exported = exported


# --- classification memo: when the rules cannot tell one digit from another ----------------------

#: ASCII digits -> "0": the 备注 and 商户订单号 of a memo key.
DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_ASCII_DIGITS = frozenset(range(48, 58))


def digit_blind(table: RuleTable) -> bool:
    """Whether ``table.classify`` gives the same rules for two rows that differ only in which ASCII
    digits their 备注 and 商户订单号 hold (each digit at the same place, so the same lengths).

    Shown from the patterns, not by trying rows: every test the table makes on those two cells
    is a ``startswith`` of a rule's literal prefixes, a rule's remark/order_no regex, or the
    searching rules' gate; the prefixes must hold no digit, and each regex must treat all ASCII
    digits alike (:func:`_blind_pattern`: no digit literal, character ranges holding all ten
    digits or none, no backreference). A rule's regex is only used by ``match`` (a prefix), so
    its trailing parts that may match nothing (``(?P<fee_year>(?:19|20)\\d\\d)?``) cannot change
    whether it matches and are not looked at. Everything else a rule reads (业务类型, direction, 对方,
    业务描述) is part of the memo key unchanged; the wrappers and :func:`purpose` cut the 备注 at
    fixed places, whatever its digits.
    """
    regexes = [(table._gate, False)]
    for rule in table.rules:
        for prefixes, regex in (rule._remark, rule._order_no):
            if prefixes is not None and any(ch.isdigit() for p in prefixes for ch in p):
                return False
            regexes.append((regex, True))
    for regex, match_only in regexes:
        if regex is None or isinstance(regex, str) and regex == "":
            continue
        if not isinstance(regex, re.Pattern) or not _blind_pattern(regex, match_only):
            return False
    return not any(ch.isdigit() for w in WRAPPERS for ch in w)


def _blind_pattern(regex: re.Pattern, match_only: bool = False) -> bool:
    """Whether ``regex`` treats every ASCII digit alike (``match_only``: as far as whether
    ``regex.match`` succeeds)."""
    try:
        import re._parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse as parser  # type: ignore[no-redef]
    try:
        parsed = parser.parse(regex.pattern, regex.flags & ~re.UNICODE)
    except Exception:  # noqa: BLE001 - a pattern we cannot read is not shown blind
        return False
    items = list(parsed)
    if match_only:
        while items and str(items[-1][0]) in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") \
                and items[-1][1][0] == 0:
            items.pop()  # may match nothing, at the end of a match: cannot decide it
    return _blind_items(items)


def _blind_items(items) -> bool:
    for op, arg in items:
        name = str(op)
        if name in ("LITERAL", "NOT_LITERAL"):
            if arg in _ASCII_DIGITS:
                return False
        elif name == "IN":
            for sub_op, sub_arg in arg:
                sub = str(sub_op)
                if sub in ("LITERAL", "NOT_LITERAL"):
                    if sub_arg in _ASCII_DIGITS:
                        return False
                elif "RANGE" in sub:
                    low, high = sub_arg
                    held = sum(1 for d in _ASCII_DIGITS if low <= d <= high)
                    if 0 < held < 10:
                        return False
                elif sub not in ("CATEGORY", "NEGATE"):
                    return False
        elif name in ("ANY", "AT", "CATEGORY"):
            continue
        elif name == "BRANCH":
            if not all(_blind_items(list(b)) for b in arg[1]):
                return False
        elif name == "SUBPATTERN":
            if not _blind_items(list(arg[-1])):
                return False
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            if not _blind_items(list(arg[2])):
                return False
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _blind_items(list(arg[1])):
                return False
        elif name == "ATOMIC_GROUP":
            if not _blind_items(list(arg)):
                return False
        else:  # GROUPREF (a backreference compares digits), GROUPREF_EXISTS, anything new
            return False
    return True
