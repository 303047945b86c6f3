"""The Alipay merchant account statement (支付宝账务明细, "signcustomer"): bytes -> typed rows.

DESIGN §3.1. Accepted variants, all located by the header's content, never by a line count:

* the 12-column header
  ``账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,账户余额（元）,交易渠道,业务类型,备注``
  and the 16-column one that appends ``业务描述,业务账单来源,业务基础订单号,业务订单号``;
* the newer family ``入账时间,支付宝流水号,商户订单号,账务类型,收入（+元）,支出（-元）,…`` where an
  empty amount may be a single space;
* the bill-download zip, of which the ``…_账务明细.csv`` entry (not ``(汇总)``) is read; a zip
  holding several such entries is an error (unzip them and import each).

``#`` banner lines come before the header and after the rows::

    #支出合计：12笔，共345.60元
    #收入合计：20笔，共1234.00元

Reading is a generator (memory does not grow with the file); the footer's counts and totals and
the running balance are verified as the rows go by and at the end, so a caller must consume all
rows before trusting any. A file without footer, a cut row, a balance that does not follow, an id
Excel mangled (``2.0881E+15``) all raise :class:`SourceError` naming the file and line.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats.common import (
    SourceError,
    clean_id,
    fast_init,
    head_text,
    locate_decode_error,
    normalize_header,
    open_text,
    parse_amount,
    parse_datetime,
    read_head,
)

#: Field name -> the header names (normalized) that may hold it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("账务流水号", "支付宝流水号"),
    "biz_serial": ("业务流水号", "支付宝交易号"),
    "order_no": ("商户订单号",),
    "item": ("商品名称",),
    "time": ("发生时间", "入账时间"),
    "counterparty": ("对方账号", "对方账户"),
    "counterparty_name": ("对方名称",),
    "income": ("收入金额（+元）", "收入（+元）"),
    "expense": ("支出金额（-元）", "支出（-元）"),
    "balance": ("账户余额（元）", "余额（元）"),
    "channel": ("交易渠道",),
    "biz_type": ("业务类型", "账务类型"),
    "remark": ("备注",),
    "description": ("业务描述",),
    "bill_source": ("业务账单来源",),
    "base_order_no": ("业务基础订单号",),
    "biz_order_no": ("业务订单号",),
}
REQUIRED = ("serial", "time", "income", "expense", "biz_type")

_FOOTER = re.compile(
    r"#\s*(支出|收入)合计\s*[：:]\s*(\d+)\s*笔\s*[，,]?\s*共\s*([-+]?[\d,]*\.?\d*)\s*元"
)


@fast_init
@dataclass(frozen=True)
class StatementRow:
    """One row of the statement. ``amount`` is income − |expense| (signed, CNY)."""

    line: int
    serial: str
    time: datetime.datetime
    amount: Decimal
    income: Decimal
    expense: Decimal
    balance: Decimal | None
    biz_type: str
    remark: str
    order_no: str
    biz_serial: str = ""
    item: str = ""
    counterparty: str = ""
    counterparty_name: str = ""
    channel: str = ""
    description: str = ""
    bill_source: str = ""
    base_order_no: str = ""
    biz_order_no: str = ""

    @property
    def date(self) -> datetime.date:
        return self.time.date()


@dataclass(frozen=True)
class Footer:
    """The statement's own counts and totals (expense total as a positive amount)."""

    expense_count: int
    expense_total: Decimal
    income_count: int
    income_total: Decimal


def statement_entries(names: list[str]) -> list[str]:
    """The ``…_账务明细.csv`` entries of an Alipay bill-download zip (never the ``(汇总)`` ones)."""
    found = []
    for name in sorted(names):
        base = name.rsplit("/", 1)[-1]
        if base.endswith("账务明细.csv") and "汇总" not in base:
            found.append(name)
    return found


def pick_zip_entry(names: list[str]) -> str | None:
    """The one ``…_账务明细.csv`` entry of a bill-download zip, ``None`` if there is none.

    Raises ``ValueError`` when the zip holds several (reading only the first would silently leave
    the others out); :func:`~beancount_tmall.formats.common.open_text` words it as a
    :class:`SourceError` naming the zip.
    """
    found = statement_entries(names)
    if len(found) > 1:
        raise ValueError(
            f"{len(found)} 账务明细 entries in the zip: {', '.join(found)}; unzip them and import each"
        )
    return found[0] if found else None


def _first_entry(names: list[str]) -> str | None:
    """For identification only: the first ``…_账务明细.csv`` entry (several are an error later)."""
    found = statement_entries(names)
    return found[0] if found else None


def looks_like_header(cells: list[str]) -> bool:
    names = {normalize_header(c) for c in cells}
    return ("账务流水号" in names and "业务类型" in names) or (
        "入账时间" in names and ("支付宝流水号" in names or "账务类型" in names)
    )


def identify(path: str | Path) -> bool:
    """True if ``path`` looks like an account statement (or its bill zip); cheap."""
    try:
        text = head_text(read_head(path, _first_entry))
    except OSError:
        return False
    for line in text.splitlines()[:200]:
        if line.startswith("#"):
            continue
        if looks_like_header(line.split(",")):
            return True
    return False


_BANNER_TIME = re.compile(
    r"(起始日期|终止日期|导出时间)\s*[：:]\s*\[\s*(\d{4})\s*[年/-]\s*(\d{1,2})\s*[月/-]\s*(\d{1,2})\s*日?"
    r"\s*(?:(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def banner_times(text: str) -> dict[str, datetime.datetime]:
    """``起始日期`` / ``终止日期`` / ``导出时间`` of the ``#`` lines in ``text``, as datetimes.

    A date without a time is its midnight. Alipay writes the end as the next midnight
    (``终止日期：[2025年03月18日 00:00:00]`` covers 03-17 completely).
    """
    found: dict[str, datetime.datetime] = {}
    for m in _BANNER_TIME.finditer(text):
        which, *numbers = m.groups()
        try:
            found.setdefault(which, datetime.datetime(*(int(n or 0) for n in numbers)))
        except ValueError:
            continue
    return found


def parse_period(text: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``(start, end)``: the banner's ``#起始日期：[…]   终止日期：[…]`` (``None`` if absent)."""
    found = banner_times(text)
    return found.get("起始日期"), found.get("终止日期")


def statement_period(path: str | Path) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``(start, end)`` datetimes of a statement's banner (:func:`parse_period`); cheap."""
    try:
        return parse_period(head_text(read_head(path, _first_entry)))
    except OSError:
        return None, None


def covers_day(end: datetime.datetime | None, day: datetime.date) -> bool:
    """Whether a statement ending at ``end`` (its 终止日期) holds every row of ``day``.

    ``[…03月18日 00:00:00]`` and ``[…03月17日 23:59:59]`` both cover 03-17; no end covers nothing.
    """
    if end is None:
        return False
    return end + datetime.timedelta(seconds=1) >= datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time()
    )


def statement_end(path: str | Path) -> datetime.date | None:
    """The last day a statement covers, from its ``#…终止日期：[…]`` banner; cheap.

    Alipay writes the end as the next midnight (``[2025年04月01日 00:00:00]`` for March), so a
    midnight end counts as the day before. ``None`` when the banner has no end date.
    """
    end = statement_period(path)[1]
    if end is None:
        return None
    if end.time() == datetime.time():
        return end.date() - datetime.timedelta(days=1)
    return end.date()


class AlipayStatement:
    """An iterable (once) of :class:`StatementRow` with the statement's facts after it.

    After a complete iteration: ``footer``, ``descending`` (rows newest first, from the running
    balance; ``None`` without one), ``account`` (the Alipay account of the banner, if any),
    ``start`` / ``end`` (the banner's 起始日期 / 终止日期 as datetimes, if any), ``exported`` (the
    footer's 导出时间, if any) and ``row_count`` are set; ``covered_until`` is the time up to which
    the file holds every row (see :func:`covers_day`). ``progress(done, total)`` is
    called now and then with the bytes read.
    """

    def __init__(
        self,
        source: str | Path | bytes,
        name: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.source = source
        self.name = name
        self.progress = progress
        self.footer: Footer | None = None
        self.descending: bool | None = None
        self.account: str | None = None
        self.start: datetime.datetime | None = None
        self.end: datetime.datetime | None = None
        self.exported: datetime.datetime | None = None
        self.has_balance = False
        self.row_count = 0
        self.path = name or ("<bytes>" if isinstance(source, bytes) else str(source))

    @property
    def covered_until(self) -> datetime.datetime | None:
        """The banner's 终止日期, or the 导出时间 if earlier (a download of a period not yet
        over); ``None`` without a 终止日期."""
        if self.end is None:
            return None
        if self.exported is not None and self.exported < self.end:
            return self.exported
        return self.end

    def __iter__(self) -> Iterator[StatementRow]:
        encoding = None
        with open_text(self.source, self.name, pick_zip_entry) as (text, binary, size, path):
            self.path = path
            try:
                yield from self._rows(csv.reader(text), binary, size, path)
            except UnicodeDecodeError:
                encoding = text.encoding
        if encoding:
            raise locate_decode_error(self.source, self.name, pick_zip_entry, encoding)

    def _error(self, line: int, message: str) -> SourceError:
        return SourceError(self.path, line, message)

    def _rows(self, reader, binary, size, path) -> Iterator[StatementRow]:
        index = self._header(reader)
        width = max(index.values()) + 1
        # A missing optional column reads the "" appended to every row (index -1).
        (i_serial, i_time, i_income, i_expense, i_biz_type, i_remark, i_order_no, i_biz_serial,
         i_item, i_counterparty, i_counterparty_name, i_channel, i_description, i_bill_source,
         i_base_order_no, i_biz_order_no) = (index.get(f, -1) for f in (
            "serial", "time", "income", "expense", "biz_type", "remark", "order_no", "biz_serial",
            "item", "counterparty", "counterparty_name", "channel", "description", "bill_source",
            "base_order_no", "biz_order_no"))
        i_balance = index.get("balance")
        self.has_balance = i_balance is not None
        footer_cells: list[tuple[int, str]] = []
        count = income_count = expense_count = 0
        income_total = expense_total = Decimal(0)
        prev_balance = prev_amount = None
        descending = None
        progress = self.progress
        time_of, Row, D, zero = parse_datetime, StatementRow, Decimal, Decimal(0)
        i_amounts = (i_income, i_expense, i_balance if i_balance is not None else -1)
        line = reader.line_num
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            first = cells[0]
            if first[:1] == "#" or (first[:1] in " \t\ufeff" and first.lstrip(" \t\ufeff")[:1] == "#"):
                footer_cells.append((line, ",".join(cells).rstrip(", \t")))
                continue
            if footer_cells:
                if not any(c.strip() for c in cells):
                    continue
                raise self._error(line, "statement row after the footer lines")
            if len(cells) < width:
                if not any(c.strip() for c in cells):
                    continue
                raise self._error(
                    line,
                    f"row has {len(cells)} cells, the header has {width}: the file is cut or damaged",
                )
            cells.append("")
            # Fast paths for the common cells; the rare ones (="…", 1,234.50, 2.08E+15) go through
            # clean_id / parse_amount, which also word the errors.
            serial = cells[i_serial].strip()
            order_no = cells[i_order_no].strip()
            biz_serial = cells[i_biz_serial].strip()
            counterparty = cells[i_counterparty].strip()
            base_order_no = cells[i_base_order_no].strip()
            biz_order_no = cells[i_biz_order_no].strip()
            try:
                ids = serial + order_no + biz_serial + counterparty + base_order_no + biz_order_no
                if "=" in ids or "'" in ids or "E+" in ids or "e+" in ids or "E-" in ids:
                    serial, order_no, biz_serial, counterparty, base_order_no, biz_order_no = map(
                        clean_id,
                        (serial, order_no, biz_serial, counterparty, base_order_no, biz_order_no),
                    )
                if not serial:
                    raise ValueError("empty 账务流水号")
                time = time_of(cells[i_time])
                try:
                    text = cells[i_income].strip()
                    income = D(text) if text else zero
                    text = cells[i_expense].strip()
                    expense = D(text) if text else zero
                    if i_balance is not None:
                        text = cells[i_balance].strip()
                        balance = D(text) if text else zero
                    else:
                        balance = None
                except ArithmeticError:
                    income, expense, balance = (parse_amount(cells[i]) for i in i_amounts)
                    if i_balance is None:
                        balance = None
            except ValueError as exc:
                raise self._error(line, str(exc)) from None
            if expense < 0:
                expense = -expense
            if income < 0:
                raise self._error(line, f"negative income {income}")
            amount = income - expense
            if expense:
                expense_count += 1
                expense_total += expense
            else:
                income_count += 1
                income_total += income
            if balance is not None:
                if prev_balance is not None:
                    if descending is None:
                        ascending_ok = balance == prev_balance + amount
                        descending_ok = prev_balance == balance + prev_amount
                        if ascending_ok != descending_ok:
                            descending = descending_ok
                        elif not ascending_ok:
                            raise self._balance_error(line, prev_balance, amount, balance)
                    elif descending:
                        if prev_balance != balance + prev_amount:
                            raise self._error(
                                line,
                                f"balance {balance} does not lead to the next row's "
                                f"{prev_balance} (amount {prev_amount}): a row is missing or altered",
                            )
                    elif balance != prev_balance + amount:
                        raise self._balance_error(line, prev_balance, amount, balance)
                prev_balance, prev_amount = balance, amount
            count += 1
            if progress is not None and not count & 0x3FFF:
                progress(binary.tell(), size)
            yield Row(
                line, serial, time, amount, income, expense, balance, cells[i_biz_type].strip(),
                cells[i_remark].strip(), order_no, biz_serial, cells[i_item].strip(), counterparty,
                cells[i_counterparty_name].strip(), cells[i_channel].strip(),
                cells[i_description].strip(), cells[i_bill_source].strip(), base_order_no,
                biz_order_no,
            )
        self.descending = descending
        self.row_count = count
        self._check_footer(footer_cells, line, count, income_count, income_total,
                           expense_count, expense_total)
        if progress is not None:
            progress(size, size)

    def _balance_error(self, line, prev_balance, amount, balance) -> SourceError:
        return self._error(
            line,
            f"balance {balance} does not follow: previous balance {prev_balance} + amount "
            f"{amount} = {prev_balance + amount}; a row is missing or altered",
        )

    def _header(self, reader) -> dict[str, int]:
        for cells in reader:
            if not cells:
                continue
            first = cells[0].strip()
            if first.startswith("#"):
                if first.startswith("#账号") and "[" in first:
                    self.account = first.split("[", 1)[1].split("]", 1)[0].strip()
                elif "日期" in first:
                    start, end = parse_period(",".join(cells))
                    self.start = start or self.start
                    self.end = end or self.end
                continue
            if looks_like_header(cells):
                names = [normalize_header(c) for c in cells]
                index = {}
                for field, aliases in COLUMNS.items():
                    for alias in aliases:
                        if alias in names:
                            index[field] = names.index(alias)
                            break
                missing = [COLUMNS[f][0] for f in REQUIRED if f not in index]
                if missing:
                    raise self._error(reader.line_num, f"header lacks the columns {missing}")
                return index
            if reader.line_num > 200:
                break
        raise self._error(
            None,
            "no statement header found (expected a row with 账务流水号…业务类型 or "
            "入账时间,支付宝流水号…账务类型): not an Alipay account statement?",
        )

    def _check_footer(self, footer_cells, last_line, count, income_count, income_total,
                      expense_count, expense_total) -> None:
        seen = {}
        for line, text in footer_cells:
            if "导出时间" in text:
                self.exported = banner_times(text).get("导出时间", self.exported)
                continue
            m = _FOOTER.match(text.strip())
            if m:
                kind, n, total = m.groups()
                total = parse_amount(total) if total.strip(",.") else Decimal(0)
                seen[kind] = (line, int(n), abs(total))
        if "支出" not in seen or "收入" not in seen:
            raise self._error(
                last_line,
                "the footer (#支出合计：N笔，共X元 / #收入合计：N笔，共Y元) is missing: "
                "the file is truncated; download it again",
            )
        for kind, n, total in (("支出", expense_count, expense_total), ("收入", income_count, income_total)):
            line, want_n, want_total = seen[kind]
            if (want_n, want_total) != (n, total):
                raise self._error(
                    line,
                    f"footer says {kind} {want_n} rows totalling {want_total}, "
                    f"the rows give {n} totalling {total}: rows are missing or altered",
                )
        self.footer = Footer(seen["支出"][1], seen["支出"][2], seen["收入"][1], seen["收入"][2])


def read_rows(source: str | Path | bytes, name: str | None = None) -> list[StatementRow]:
    """All rows of a (small) statement, verified; convenience for tests and small files."""
    return list(AlipayStatement(source, name))
