"""A mutation fuzzer over the account statement parser and ``tmall-books extract`` (issue 7, item 9).

Any byte mutation of a valid statement (bytes or lines flipped, inserted, deleted, duplicated, the
file cut) ends either in a correct parse (every data line a row, the rows' balances chained, their
sum equal to closing − opening balance, the footer's totals equal to the rows') or in a
:class:`SourceError` naming the file and a line; through the CLI, in exit status 0 with entries
whose Alipay postings sum to the rows' amounts, or a non-zero exit with nothing on stdout. Never
a traceback, never a row lost without a word.

The examples are derandomized (the same in every run) so CI is stable.
"""

from __future__ import annotations

import csv
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from alipay_samples import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beancount_tmall.formats.alipay_statement import AlipayStatement, identify, looks_like_header
from beancount_tmall.formats.common import HEAD_SIZE, SourceError, sniff_encoding

SEEDS = [
    "statement_16col_gbk.csv",  # the 16-column layout with footer
    "layout_2012_gbk.csv",  # same-second groups, LF, negative expenses
    "layout_2012_newest_first_gbk.csv",  # the same, newest first
    "layout_13col_gbk.csv",  # reordered columns, coded descriptions
    "layout_entry_time_gbk.csv",  # no footer: only the chain can be verified
    "statement_16col_utf8.csv",
]
SEED_BYTES = {name: (FIXTURES / name).read_bytes() for name in SEEDS}
ALIPAY = "Assets:1012-其他货币资金:101201-支付宝"

# Bytes that matter to the format: separators, quotes, signs, digits, comment marks, GBK lead
# bytes and bytes that are never valid UTF-8.
SPECIAL = [b",", b"\n", b"\r", b"\r\n", b'"', b"#", b"\t", b" ", b"-", b".", b"0", b"9", b"E", b"e",
           b"N", b"\xff", b"\x81", b"\xb0\xa1", b"\xe4\xb8", b"\x00", b"[", "：".encode("gbk")]


@st.composite
def mutations(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(
            ["flip", "insert", "delete", "duplicate", "line_delete", "line_duplicate", "line_swap",
             "truncate", "special"]
        ))
        n = len(data)
        if n == 0:
            break
        at = draw(st.integers(0, n - 1))
        if kind == "flip":
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "special":
            data = data[:at] + draw(st.sampled_from(SPECIAL)) + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 16)) :]
        elif kind == "duplicate":
            size = draw(st.integers(1, 64))
            data = data[: at + size] + data[at : at + size] + data[at + size :]
        elif kind == "truncate":
            data = data[:at]
        else:
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "line_delete":
                del lines[i]
            elif kind == "line_duplicate":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
    return data


@st.composite
def mutated_statements(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SEEDS))
    return name, draw(mutations(SEED_BYTES[name]))


def data_lines(data: bytes) -> int:
    """Lines after the header that are neither blank nor ``#`` lines: each must be one row."""
    text = data.decode(sniff_encoding(data[:HEAD_SIZE]))
    lines = re.split(r"\r\n|\r|\n", text)
    header = next(i for i, line in enumerate(lines) if not line.lstrip(" \t\ufeff").startswith("#")
                  and looks_like_header(next(csv.reader([line]), [])))
    count = 0
    for line in lines[header + 1 :]:
        if line.lstrip(" \t\ufeff").startswith("#"):
            continue
        cells = next(csv.reader([line]), [])
        if any(c.strip() for c in cells):
            count += 1
    return count


def check_parse(name: str, data: bytes) -> list | None:
    """Parse ``data``; assert the outcome is a verified parse or a located error."""
    statement = AlipayStatement(data, name=name)
    try:
        rows = list(statement)
    except SourceError as exc:
        assert exc.path == name, str(exc)
        assert exc.line is not None and exc.line >= 1, str(exc)
        assert exc.message[:1] >= "\u4e00", f"Chinese first: {exc}"
        return None
    assert len(rows) == data_lines(data) == statement.row_count
    if rows and statement.has_balance:
        descending = bool(statement.descending)
        pairs = zip(rows, rows[1:], strict=False)
        if descending:
            assert all(a.balance - a.amount == b.balance for a, b in pairs)
            opening, closing = rows[-1].balance - rows[-1].amount, rows[0].balance
        else:
            assert all(a.balance + b.amount == b.balance for a, b in pairs)
            opening, closing = rows[0].balance - rows[0].amount, rows[-1].balance
        assert sum((r.amount for r in rows), Decimal(0)) == closing - opening
    for row in rows:
        for amount in (row.amount, row.income, row.expense, row.balance):
            assert amount is None or (amount.is_finite() and amount == amount.quantize(Decimal("0.01")))
        assert statement.start is None or statement.start <= row.time
        assert statement.end is None or row.time <= statement.end
    if statement.has_footer:
        footer = statement.footer
        assert footer.income_count + footer.expense_count == len(rows)
        assert footer.income_total - footer.expense_total == sum((r.amount for r in rows), Decimal(0))
    return rows


FUZZ = settings(
    max_examples=300,
    deadline=10_000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)


@pytest.mark.parametrize("name", SEEDS)
def test_seeds_parse(name):
    assert check_parse(name, SEED_BYTES[name])


@FUZZ
@given(mutated_statements())
def test_mutated_statements_parse_correctly_or_name_the_line(case):
    name, data = case
    check_parse(name, data)


@settings(FUZZ, max_examples=150)
@given(mutated_statements())
def test_mutated_statements_through_the_cli(capsys, case):
    from beancount.parser import parser

    from beancount_tmall.importers.extract import run_extract

    name, data = case
    capsys.readouterr()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        status = run_extract([path])
        out, err = capsys.readouterr()
        identified = identify(path)
        try:
            rows = list(AlipayStatement(data, name=name))
        except SourceError:
            rows = None
    if status != 0:
        assert out == "", "nothing on stdout when the file is refused"
        assert f"{path}" in err and "Traceback" not in err, err
        if rows is None and identified:
            assert re.search(rf"{re.escape(str(path))}:\d+: ", err), err  # file and line
        return
    assert rows is not None, f"the CLI accepted a file the parser refuses: {err}"
    entries, errors, _options = parser.parse_string(out)
    assert not errors, errors
    total = Decimal(0)
    for entry in entries:  # an opening entry (期初余额, against Equity) is no row of the file
        if hasattr(entry, "postings") and not any(p.account.startswith("Equity:") for p in entry.postings):
            total += sum((p.units.number for p in entry.postings if p.account == ALIPAY), Decimal(0))
    assert total == sum((r.amount for r in rows), Decimal(0))


ZIP_SEED = (FIXTURES / "202503_2088123456789012.zip").read_bytes()


@settings(FUZZ, max_examples=150)
@given(mutations(ZIP_SEED))
def test_mutated_bill_zips_parse_or_name_the_zip(data):
    """A damaged zip: rows that verify, or a SourceError naming the zip (and entry, line if any)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "202503_x.zip"
        path.write_bytes(data)
        identify(path)  # never raises
        statement = AlipayStatement(path)
        try:
            rows = list(statement)
        except SourceError as exc:
            assert exc.path.startswith(str(path)), str(exc)
            assert exc.message[:1] >= "\u4e00", f"Chinese first: {exc}"
            return
    assert all(a.balance + b.amount == b.balance for a, b in zip(rows, rows[1:], strict=False))
    assert statement.footer.income_count + statement.footer.expense_count == len(rows)
