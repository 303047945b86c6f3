"""The inputs of order-level reconciliation, streamed into compact records keyed by order id.

Each source is read by its own parser (``formats/``), so everything the importers accept is
accepted here too (CSV and xlsx exports, GBK/UTF-8, statements of every layout, bill-download zips
of several parts), and a bad file stops with the parser's :class:`SourceError` (file, line):

* :func:`order_records` — 订单报表 (:mod:`~beancount_tmall.formats.tmall_orders`): one
  :class:`OrderRecord` per order, money in integer cents;
* :func:`statement_records` — 支付宝账务明细 (:mod:`~beancount_tmall.formats.alipay_statement`):
  one :class:`StatementRecord` per row that belongs to an order (a sale, a refund to the buyer, a
  fee or its give-back), with its kind. The kind comes from the importer's rule table
  (``rules/alipay.toml`` plus the store's rules): the rule's ``kind`` (``sale``/``refund``) and its
  account (``122101-天猫佣金`` → ``commission`` …) say what the row is, exactly as the import books
  it; :data:`RULE_KINDS` only separates the Tmall service fees booked with the commission. The
  order id is the importer's (:func:`beancount_tmall.importers.rowtext.order_id`: 商户订单号
  ``T200P…``/``T10000P…``, ``{}``/``[]``/``()`` in the 备注, 业务基础订单号). Rows that belong to no
  order (提现, 直通车, 年费 …) are not yielded; a row two statements both hold (overlapping
  downloads) is yielded once;
* :func:`item_values` — 宝贝报表: each item line's 商家编码 and value (the order's category rate);
* :func:`refund_totals` — 退款报表: the amount refunded to each order's buyer.

A fee kind with a positive amount is a **give-back** (天猫佣金…退款, 代扣交易退回积分, 淘宝客佣金退款):
:func:`is_give_back`.
"""

from __future__ import annotations

import datetime
import functools
import os
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from beancount_tmall import accounts
from beancount_tmall.formats import alipay_statement, tmall_items, tmall_orders, tmall_refunds
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.rowtext import order_id
from beancount_tmall.importers.rules import RuleTable

# --- kinds of statement rows ---------------------------------------------------------------------

SALE = "sale"                        # 在线支付/交易付款 T200P…: the order's money released to the store
REFUND = "refund"                    # 交易退款 / 售后退款: money back to the buyer
COMMISSION = "commission"            # 天猫佣金（类目）{tid}扣款 (positive: 退款, a give-back)
POINTS = "points"                    # 代扣返点积分tid (positive: 代扣交易退回积分)
TAOBAOKE = "taobaoke"                # 淘宝客佣金代扣款[tid] (positive: 淘宝客佣金退款)
CARD_FEE = "card-fee"                # 信用卡/花呗支付服务费[…];淘宝交易号[T200Ptid]
SERVICE = "service"                  # 基础软件服务费(tid) and other Tmall service fees of an order
CONSUMER_POINTS = "consumer-points"  # a row the store's rules book to 122109-消费积分
OTHER = "other"                      # not an order's row (not yielded)

KINDS = (SALE, REFUND, COMMISSION, POINTS, TAOBAOKE, CARD_FEE, SERVICE, CONSUMER_POINTS, OTHER)
#: The kinds as an accountant names them.
KIND_LABELS = {
    SALE: "结算", REFUND: "退款", COMMISSION: "天猫佣金", POINTS: "天猫积分", TAOBAOKE: "淘宝客佣金",
    CARD_FEE: "支付服务费", SERVICE: "天猫服务费", CONSUMER_POINTS: "消费积分", OTHER: "其他",
}
#: The kinds that are fees Tmall / 阿里妈妈 / Alipay charge on an order (positive = given back).
FEE_KINDS = (COMMISSION, POINTS, TAOBAOKE, CARD_FEE, SERVICE)

#: A rule's account -> the kind of its rows (rules of ``kind = "sale"/"refund"`` are sales/refunds).
ACCOUNT_KINDS: dict[str, str] = {
    accounts.COMMISSION_RECEIVABLE: COMMISSION,
    accounts.POINTS_RECEIVABLE: POINTS,
    accounts.TAOBAOKE_RECEIVABLE: TAOBAOKE,
    accounts.PAYMENT_FEE: CARD_FEE,
    accounts.CONSUMER_POINTS_RECEIVABLE: CONSUMER_POINTS,
}
#: Default rules whose rows go to the commission receivable but are no commission (a store's
#: rates file may add to this with ``[kinds]``).
RULE_KINDS: dict[str, str] = {
    "software-fee": SERVICE,
    "consumer-experience-fee": SERVICE,
    "tmall-service-account": SERVICE,
}


def is_give_back(kind: str, cents: int) -> bool:
    """Whether a row of ``kind`` and amount ``cents`` gives a fee back (a fee kind, money in)."""
    return cents > 0 and kind in FEE_KINDS


def cents(amount: Decimal) -> int:
    """A Decimal amount as an integer number of cents (half-up beyond the cent)."""
    scaled = amount * 100
    whole = int(scaled)
    return whole if whole == scaled else int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


def month_of(moment: datetime.datetime | datetime.date) -> str:
    """``"YYYY-MM"`` of a date or time."""
    return f"{moment.year:04d}-{moment.month:02d}"


def month_index(month: str) -> int:
    """``"2025-03"`` -> a number that grows by one a month (for window arithmetic)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_name(index: int) -> str:
    """The inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- orders ---------------------------------------------------------------------------------------

#: Order statuses of an order that never reached the store (全额退款, 交易关闭).
CLOSED_STATUSES = ("交易关闭",)
#: 支付详情 methods that are a credit card or 花呗 (the card fee's base).
CARD_METHODS = ("信用卡", "花呗")


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order of an export, money in cents.

    ``month`` is the payment month (``None``: never paid); ``card`` the part paid by credit card or
    花呗 by the 支付详情 (``None``: the export does not say); ``taobaoke`` the 淘宝客 tag (``None``:
    no such column); ``refund`` the export's 退款金额.
    """

    tid: str
    month: str | None
    paid: int
    points: int
    refund: int
    status: str
    card: int | None
    taobaoke: bool | None
    file: str
    line: int

    @property
    def closed(self) -> bool:
        """交易关闭: the money went back to the buyer before it reached the store."""
        return self.status in CLOSED_STATUSES

    @property
    def gross(self) -> int:
        """What the store should be settled: 买家实付 plus the part paid with Tmall points."""
        return self.paid + self.points


def _card_part(detail: Mapping[str, Decimal]) -> int | None:
    if not detail:
        return None
    return sum(cents(v) for k, v in detail.items() if any(m in k for m in CARD_METHODS))


def order_records(path: str | Path) -> Iterator[OrderRecord]:
    """The orders of one export (CSV or xlsx), as :class:`OrderRecord`."""
    name = str(path)
    for row in tmall_orders.read_orders(path):
        when = row.paid_time
        yield OrderRecord(
            tid=row.tid,
            month=month_of(when) if when is not None else None,
            paid=cents(row.paid),
            points=cents(row.points_cny),
            refund=cents(row.refund),
            status=row.status,
            card=_card_part(row.pay_detail),
            taobaoke=row.taobaoke,
            file=name,
            line=row.line,
        )


# --- statements -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementRecord:
    """One statement row of an order: kind, signed amount in cents, where it is."""

    tid: str
    kind: str
    month: str
    amount: int
    file: str
    line: int
    serial: str = ""


class Classifier:
    """A row's reconciliation kind from the rule table (the import's own classification)."""

    def __init__(self, table: RuleTable, kinds: Mapping[str, str] | None = None):
        self.table = table
        names = {**RULE_KINDS, **(kinds or {})}
        self._by_rule: dict[int, str] = {}
        for rule in table.rules:
            kind = names.get(rule.name)
            if kind is None:
                if rule.kind == "sale":
                    kind = SALE
                elif rule.kind == "refund":
                    kind = REFUND
                else:
                    kind = ACCOUNT_KINDS.get(rule.account, OTHER)
            self._by_rule[id(rule)] = kind

    def kind(self, row: alipay_statement.StatementRow) -> str | None:
        """The kind of ``row``; ``None`` when no rule, or several, take it (the import books such a
        row to 122199-待核对 or refuses it)."""
        matched = self.table.classify(row)
        if len(matched) != 1:
            return None
        return self._by_rule[id(matched[0])]


def _overlaps(periods: list[tuple[datetime.datetime | None, datetime.datetime | None]]) -> list[tuple]:
    """The time spans two statements' banner periods share (a file without a period shares all)."""
    lo, hi = datetime.datetime.min, datetime.datetime.max
    spans = []
    for i, (a_start, a_end) in enumerate(periods):
        for b_start, b_end in periods[i + 1:]:
            start = max(a_start or lo, b_start or lo)
            end = min(a_end or hi, b_end or hi)
            if start <= end:
                spans.append((start, end))
    return spans


@dataclass
class StatementScan:
    """What :func:`statement_records` saw besides the records: rows read, rows skipped as held by
    an earlier overlapping statement, rows with an order id that no rule (or several) classify,
    and the time up to which the statements hold every row."""

    rows: int = 0
    duplicates: int = 0
    unclassified: int = 0
    covered_until: datetime.datetime | None = None


def statement_records(
    paths: Iterable[str | Path],
    classifier: Classifier,
    scan: StatementScan | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[StatementRecord]:
    """The order rows of all statements, file by file, in each file's order.

    ``scan`` (if given) is filled as the rows go by; ``progress(bytes)`` is called with the bytes
    of the statements read so far (all files together). A row whose 账务流水号 an earlier file
    already held, in the time span the two files' banner periods share, is skipped (overlapping
    downloads); elsewhere no 账务流水号 is kept, so memory does not grow with the statements.
    """
    for block in statement_blocks(paths, classifier, scan, progress):
        yield from block.records()


@dataclass
class FileCounts:
    """What :func:`read_block` counts of one file: its rows, its unclassified order rows outside
    the shared spans, its latest row time."""

    rows: int = 0
    unclassified: int = 0
    latest: datetime.datetime | None = None

    def add_to(self, scan: StatementScan, until: datetime.datetime | None) -> None:
        """Count the file into ``scan`` (``until``: its ``covered_until``)."""
        scan.rows += self.rows
        scan.unclassified += self.unclassified
        cover(scan, until, self.latest)


def read_block(
    rows: alipay_statement.AlipayStatement,
    spans: list[tuple],
    classifier: Classifier,
    counts: FileCounts,
) -> tuple[Block, list[tuple[int, str, bool]]]:
    """One statement's order rows as a :class:`Block` (an order's row: a row with an order id
    that one rule classifies as an order's kind), and the rows inside a span two statements share
    (``spans``), whatever they are, as ``(index in the block or -1, 账务流水号, unclassified)`` in
    file order: :func:`settle` skips those an earlier file held. Rows that are neither are left
    out (an unclassified one only counted). ``rows`` is a statement not read yet; ``counts`` gets
    its rows and latest time at the end."""
    kind_of = classifier.kind
    parts = rows.parts
    starts, ends = _merged(spans)
    block = Block()
    tids, kinds, months, amounts, places, lines = (
        block.tids, block.kinds, block.months, block.amounts, block.parts, block.lines)
    file_number = block.files
    last_file, place = None, 0
    shared_rows: list[tuple[int, str, bool]] = []
    codes: dict[tuple[int, int], int] = {}
    kind_index = KIND_INDEX
    latest = None
    n = 0
    for row in rows:
        n += 1
        time = row.time
        if latest is None or time > latest:
            latest = time
        shared = None
        if starts:
            k = bisect_right(starts, time) - 1
            if k >= 0 and time <= ends[k]:
                shared = row.serial
        # order_id's first case inline (商户订单号 T200P<digits>, not 11 digits: never a phone)
        order_no = row.order_no
        if order_no[:5] == "T200P" and len(order_no) != 16 and (tid := order_no[5:]).isdigit():
            pass
        else:
            tid = order_id(row)
        kind = kind_of(row) if tid else OTHER
        if kind is None or kind == OTHER:
            if shared is not None:
                shared_rows.append((-1, shared, kind is None))
            elif kind is None:
                counts.unclassified += 1
            continue
        if shared is not None:
            shared_rows.append((len(tids), shared, False))
        key = (time.year, time.month)
        code = codes.get(key)
        if code is None:
            code = codes[key] = time.year * 12 + time.month - 1
        file = parts[row.part] if row.part < len(parts) else rows.path
        if file is not last_file:
            last_file, place = file, file_number(file)
        tids.append(tid)
        kinds.append(kind_index[kind])
        months.append(code)
        amounts.append(cents(row.amount))
        places.append(place)
        lines.append(row.line)
    counts.rows += n
    counts.latest = latest
    return block, shared_rows


def _merged(spans: list[tuple]) -> tuple[list, list]:
    """``spans`` as the starts and ends of disjoint spans, in order (for :func:`bisect_right`)."""
    starts: list = []
    ends: list = []
    for start, end in sorted(spans):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


#: A kind's index in :data:`KINDS` (a :class:`Block` holds kinds as these small numbers).
KIND_INDEX = {kind: n for n, kind in enumerate(KINDS)}


class Names:
    """Texts (file names, statuses) as small integers in typed columns, and back:
    ``names(text)`` gives a text's number (a new one the first time), ``names.name(n)`` the text."""

    __slots__ = ("names", "_index")

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: list[str] = list(names)
        self._index = {name: n for n, name in enumerate(self.names)}

    def __call__(self, text: str) -> int:
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.names)
            self.names.append(text)
        return found

    def name(self, number: int | None) -> str:
        """The text of ``number`` (``""`` for ``None``)."""
        return "" if number is None else self.names[number]

    def __getstate__(self) -> list[str]:
        return self.names

    def __setstate__(self, names: list[str]) -> None:
        self.__init__(names)


class Block:
    """One statement file's order records as columns: how the workers hand a file back (arrays
    pickle as bytes) and what the Python engine reads. ``parts`` number the files in ``files``
    (a zip's entries); ``months`` are :func:`month_index`, ``kinds`` :data:`KIND_INDEX`."""

    __slots__ = ("tids", "kinds", "months", "amounts", "parts", "lines", "files")

    def __init__(self) -> None:
        self.tids: list[str] = []
        self.kinds = bytearray()
        self.months, self.amounts = array("i"), array("q")
        self.parts, self.lines = array("H"), array("I")
        self.files = Names()

    def __len__(self) -> int:
        return len(self.tids)

    def records(self) -> Iterator[StatementRecord]:
        """The records again (``serial`` is not kept: ``""``)."""
        names = self.files.names
        for tid, k, mi, amount, part, line in zip(
            self.tids, self.kinds, self.months, self.amounts, self.parts, self.lines, strict=True
        ):
            yield StatementRecord(tid, KINDS[k], _month_name(mi), amount, names[part], line, "")

    def without(self, dropped: set[int]) -> Block:
        """The block without the rows numbered in ``dropped``."""
        keep = [n for n in range(len(self.tids)) if n not in dropped]
        kept = Block()
        kept.tids = [self.tids[n] for n in keep]
        kept.kinds = bytearray(self.kinds[n] for n in keep)
        for column in ("months", "amounts", "parts", "lines"):
            values = getattr(self, column)
            setattr(kept, column, array(values.typecode, [values[n] for n in keep]))
        kept.files = self.files
        return kept

    def __getstate__(self):
        return (self.tids, bytes(self.kinds), self.months, self.amounts, self.parts, self.lines, self.files)

    def __setstate__(self, state) -> None:
        self.tids, kinds, self.months, self.amounts, self.parts, self.lines, self.files = state
        self.kinds = bytearray(kinds)


_month_name = functools.cache(month_name)


def settle(block: Block, shared_rows: list[tuple[int, str, bool]], seen: set[str], scan: StatementScan) -> Block:
    """``block`` without the rows of a shared span an earlier file (or an earlier row) held: their
    账务流水号 is in ``seen``, which grows; counted in ``scan``."""
    dropped = set()
    for index, serial, unclassified in shared_rows:
        if serial in seen:
            scan.duplicates += 1
            if index >= 0:
                dropped.add(index)
            continue
        seen.add(serial)
        if unclassified:
            scan.unclassified += 1
    return block.without(dropped) if dropped else block


def statement_blocks(
    paths: Iterable[str | Path],
    classifier: Classifier,
    scan: StatementScan | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Block]:
    """:func:`statement_records` as a :class:`Block` per file (what the Python engine reads)."""
    scan = scan if scan is not None else StatementScan()
    paths = [Path(p) for p in paths]
    spans = statement_spans(paths)
    seen: set[str] = set()
    done = 0
    for path in paths:
        report = None
        if progress is not None:
            base = done

            def report(part: int, _total: int, base: int = base) -> None:
                progress(base + part)

        statement = alipay_statement.AlipayStatement(path, progress=report)
        counts = FileCounts()
        yield settle(*read_block(statement, spans, classifier, counts), seen, scan)
        counts.add_to(scan, statement.covered_until)
        done += _size(path)
        if progress is not None:
            progress(done)


def statement_spans(paths: list[Path]) -> list[tuple]:
    """The time spans two of the statements' banner periods share (where a row may be held twice)."""
    return _overlaps([alipay_statement.statement_period(p) for p in paths]) if len(paths) > 1 else []


#: Banner periods closer than this are contiguous (``…23:59:59`` then ``…00:00:00``).
_CONTIGUOUS = datetime.timedelta(seconds=1)


def statement_gaps(paths: Iterable[str | Path]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The spans between the first statement's start and the last one's end that no statement's
    banner period covers (a month not downloaded): its orders' settlements cannot be seen there.
    Statements without a banner period are left out (they say nothing about what they cover)."""
    periods = sorted(
        (start, end) for start, end in (alipay_statement.statement_period(p) for p in paths)
        if start is not None and end is not None
    )
    gaps = []
    reach = None
    for start, end in periods:
        if reach is not None and start - reach > _CONTIGUOUS:
            gaps.append((reach, start))
        if reach is None or end > reach:
            reach = end
    return gaps


def cover(scan: StatementScan, until: datetime.datetime | None, latest: datetime.datetime | None) -> None:
    """Extend ``scan.covered_until`` by one file's: its banner's (``until``), or its latest row
    time if later or if it has no banner period."""
    if until is None:
        until = latest
    elif latest is not None and latest > until:
        until = latest
    if until is not None and (scan.covered_until is None or until > scan.covered_until):
        scan.covered_until = until


def content_size(path: str | Path) -> int:
    """The bytes of text a statement holds: a zip's entries uncompressed (its central directory
    only is read), else the file's size (0 if it cannot be read)."""
    import zipfile

    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return os.fstat(fh.fileno()).st_size
            fh.seek(0)
            with zipfile.ZipFile(fh) as zf:
                return sum(info.file_size for info in zf.infolist())
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return _size(Path(path))


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# --- items and refunds ----------------------------------------------------------------------------


#: An item line worth more than this (cents: 10^13 CNY) is no real sale (price and quantity of
#: 12 digits each would overflow the sums' machine integers).
MAX_ITEM_CENTS = 10**15


def item_values(paths: Iterable[str | Path]) -> Iterator[tuple[str, str, int]]:
    """``(order id, 商家编码, value in cents)`` of every item line of the 宝贝报表 (price ×
    quantity), one by one; a line worth more than :data:`MAX_ITEM_CENTS` is a
    :class:`SourceError`."""
    for path in paths:
        for item in tmall_items.read_items(path):
            value = cents(item.price) * item.quantity
            if value > MAX_ITEM_CENTS:
                raise SourceError(
                    path, item.line,
                    f"宝贝金额 {item.price} × {item.quantity} 超出可能的范围 (文件已损坏?); "
                    "item value out of range",
                )
            yield item.tid, item.sku, value


#: 退款状态 of a refund that did not happen.
FAILED_REFUND = ("关闭", "拒绝", "取消", "失败")


def _refunded(refund: tmall_refunds.RefundRow) -> bool:
    """A refund that was paid: 退款成功, or finished without a status."""
    if any(w in refund.status for w in FAILED_REFUND):
        return False
    return "成功" in refund.status or (not refund.status and refund.finished_time is not None)


def refund_totals(
    paths: Iterable[str | Path], wanted: Callable[[str], bool], until: datetime.datetime | None = None
) -> dict[str, int]:
    """Order id -> cents refunded to the buyer by 退款报表 (only refunds paid: 退款成功; with
    ``until``, only those finished by then)."""
    totals: dict[str, int] = {}
    for path in paths:
        for refund in tmall_refunds.read_refunds(path):
            if not wanted(refund.tid) or not _refunded(refund):
                continue
            if until is not None and refund.finished_time is not None and refund.finished_time > until:
                continue
            totals[refund.tid] = totals.get(refund.tid, 0) + cents(refund.amount)
    return totals


# --- telling the inputs apart ----------------------------------------------------------------------

#: The input kinds of :func:`sort_inputs`, each with the format that identifies it (first match).
INPUTS = (
    ("statements", alipay_statement.identify),
    ("refunds", tmall_refunds.identify),
    ("items", tmall_items.identify),
    ("orders", tmall_orders.identify),
)


def sort_inputs(paths: Iterable[str | Path]) -> tuple[dict[str, list[Path]], list[Path]]:
    """Files (e.g. the archive under ``documents/``) sorted into ``orders``, ``statements``,
    ``items`` and ``refunds`` by their formats' ``identify`` (their first rows); and the files
    none of them takes."""
    found: dict[str, list[Path]] = {name: [] for name, _ in INPUTS}
    other: list[Path] = []
    for path in map(Path, paths):
        for name, identify in INPUTS:
            if identify(path):
                found[name].append(path)
                break
        else:
            other.append(path)
    return found, other


__all__ = [
    "KINDS", "FEE_KINDS", "OrderRecord", "StatementRecord", "StatementScan", "Classifier",
    "order_records", "statement_records", "statement_blocks", "Block", "item_values", "refund_totals", "is_give_back",
    "SourceError", "sort_inputs",
]
