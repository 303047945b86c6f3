"""The Alipay trade detail (支付宝业务明细): bytes -> typed rows, footer verified.

DESIGN §3.2. GBK (or UTF-8), one row per payment (业务类型 ``交易``) or refund (``退款``)::

    #支付宝业务明细查询
    #账号：[20881234567890120156]
    #起始日期：[2025年03月01日 00:00:00]   终止日期：[2025年04月01日 00:00:00]
    #-----------------------------------------业务明细列表----------------------------------------
    支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,合作伙伴,对方账户,订单金额（元）,商家实收（元）,…,服务费（元）,分润（元）,备注
    2025031022001412345678901234\t,T200P3901234567890123456\t,交易\t,…
    #-----------------------------------------业务明细列表结束------------------------------------
    #交易合计：3笔，商家实收共331.00元，商家优惠共5.00元
    #退款合计：1笔，商家实收退款共-34.80元，商家优惠退款共0.00元
    #导出时间：[2025年04月01日 06:27:10]

The columns (:data:`COLUMNS`) may come in any order and any subset holding 支付宝交易号, 业务类型 and
商家实收; the header is found by its content. Cells carry trailing tabs; ids may be ``="…"``.
The bill-download zip (``<yyyyMM>_<pid>.zip``) is read too: its ``<pid>_<yyyyMM>_业务明细_1.csv``,
``_2`` … entries are the parts of one file, read in order; ``(汇总)`` entries are not rows; entry
names are GBK without the UTF-8 flag.

Every row is accounted for: the footer's counts and totals (商家实收, 商家优惠, and 订单金额, 服务费,
分润 when named) must equal the rows' (a footer verifies the rows since the previous one, so a
footer per part works as well as one at the end); a file without footer, a row after the last
footer, a 业务类型 other than 交易/退款, an amount not in cents, a time outside the banner's period
are each a :class:`SourceError` naming the file and line.
"""

from __future__ import annotations

import datetime
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import table, xlsx
from beancount_tmall.formats.common import (
    HEAD_SIZE,
    SourceError,
    clean_id,
    head_text,
    zip_names,
)

BANNER = "#支付宝业务明细查询"

#: Field -> the header names (normalised) that may hold it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "trade_no": ("支付宝交易号",),
    "order_no": ("商户订单号",),
    "biz_type": ("业务类型",),
    "item": ("商品名称",),
    "created": ("创建时间",),
    "finished": ("完成时间",),
    "store_no": ("门店编号",),
    "store_name": ("门店名称",),
    "operator": ("操作员",),
    "terminal": ("终端号",),
    "partner": ("合作伙伴",),
    "counterparty": ("对方账户",),
    "amount": ("订单金额（元）",),
    "received": ("商家实收（元）",),
    "red_packet": ("支付宝红包（元）",),
    "jifenbao": ("集分宝（元）",),
    "alipay_discount": ("支付宝优惠（元）",),
    "merchant_discount": ("商家优惠（元）",),
    "coupon": ("券核销金额（元）",),
    "coupon_name": ("券名称",),
    "merchant_red_packet": ("商家红包消费金额（元）",),
    "card": ("卡消费金额（元）",),
    "refund_no": ("退款批次号/请求号",),
    "service_fee": ("服务费（元）",),
    "profit_share": ("分润（元）",),
    "remark": ("备注",),
}

SPEC = table.TableSpec(
    what="支付宝业务明细",
    aliases=COLUMNS,
    required=("trade_no", "biz_type", "received"),
)

AMOUNTS = (
    "amount", "received", "red_packet", "jifenbao", "alipay_discount", "merchant_discount",
    "coupon", "merchant_red_packet", "card", "service_fee", "profit_share",
)
TEXTS = ("biz_type", "item", "store_no", "store_name", "operator", "terminal", "partner",
         "counterparty", "coupon_name", "remark")
IDS = ("trade_no", "order_no", "refund_no")

#: 业务类型 -> the footer line that counts it.
KINDS = {"交易": "交易", "退款": "退款"}

#: A footer total's label -> the field it sums (``商家实收退款`` is 商家实收 of the refunds).
FOOTER_LABELS = {
    "商家实收": "received",
    "商家优惠": "merchant_discount",
    "订单金额": "amount",
    "服务费": "service_fee",
    "分润": "profit_share",
}

_FOOTER = re.compile(r"#+\s*(交易|退款)合计\s*[：:]\s*(\d{1,12})\s*笔(.*)")
_FOOTER_TOTAL = re.compile(r"([^，,；;：:\d\s]+?)(?:退款)?共\s*([-+]?[\d,]*\.?\d*)\s*元")
_ACCOUNT = re.compile(r"#\s*账号\s*[：:]\s*(.*?)\[([^\]]*)\]")
_PERIOD = re.compile(r"(起始日期|终止日期)\s*[：:]\s*\[([^\]]+)\]")
_PART = re.compile(r"^(?P<base>.*_业务明细)(?:_(?P<part>\d+))?\.csv$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One row of the trade detail: amounts in CNY (refunds negative, as in the file)."""

    line: int
    trade_no: str
    biz_type: str
    received: Decimal
    order_no: str = ""
    item: str = ""
    created: datetime.datetime | None = None
    finished: datetime.datetime | None = None
    store_no: str = ""
    store_name: str = ""
    operator: str = ""
    terminal: str = ""
    partner: str = ""
    counterparty: str = ""
    amount: Decimal = Decimal("0.00")
    red_packet: Decimal = Decimal("0.00")
    jifenbao: Decimal = Decimal("0.00")
    alipay_discount: Decimal = Decimal("0.00")
    merchant_discount: Decimal = Decimal("0.00")
    coupon: Decimal = Decimal("0.00")
    coupon_name: str = ""
    merchant_red_packet: Decimal = Decimal("0.00")
    card: Decimal = Decimal("0.00")
    refund_no: str = ""
    service_fee: Decimal = Decimal("0.00")
    profit_share: Decimal = Decimal("0.00")
    remark: str = ""
    #: The file (or ``zip!entry`` of a part) the row is in; ``line`` is within it.
    where: str = field(default="", compare=False)

    @property
    def is_refund(self) -> bool:
        return self.biz_type == "退款"


@dataclass(frozen=True, slots=True)
class Footer:
    """One ``#交易合计`` / ``#退款合计`` line: kind, count and the totals it names (field -> CNY)."""

    where: str
    line: int
    kind: str
    count: int
    totals: dict[str, Decimal]


def part_entries(names: list[str]) -> list[str]:
    """The ``…_业务明细[_n].csv`` entries of a bill zip, parts in order (never ``(汇总)``).

    Raises ``ValueError`` if the zip holds the trade detail of several accounts or months.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        base = name.rsplit("/", 1)[-1]
        match = _PART.match(base)
        if match and "汇总" not in base:
            groups.setdefault(match["base"], []).append((int(match["part"] or 0), name))
    if len(groups) > 1:
        raise ValueError(
            f"压缩包中有多份业务明细 ({', '.join(sorted(groups))}): 请解压后分别导入; "
            "several trade details in one zip"
        )
    if not groups:
        return []
    parts = sorted(next(iter(groups.values())))
    numbers = [n for n, _ in parts]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))) or numbers[0] > 1:
        raise ValueError(
            f"业务明细的分卷不连续 ({', '.join(n for _, n in parts)}): 缺少一卷?; parts missing"
        )
    return [n for _, n in parts]


def identify(path: str | Path) -> bool:
    """True if ``path`` is a 业务明细 CSV, or a bill zip holding one; cheap, never raises."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_SIZE)
    except OSError:
        return False
    if xlsx.is_zip(head):
        try:
            with zipfile.ZipFile(path) as zf:
                names = list(zip_names(zf))
        except Exception:  # noqa: BLE001 (a damaged zip is not identified)
            return False
        try:
            return bool(part_entries(names))
        except ValueError:  # several trade details, parts missing: taken, so that reading says so
            return True
    text = head_text(head)
    if text.lstrip("\ufeff").startswith(BANNER):
        return True
    return table.identify(path, SPEC)


def _period_time(text: str) -> datetime.datetime | None:
    digits = re.findall(r"\d+", text)
    if len(digits) < 3:
        return None
    try:
        return datetime.datetime(*(int(d) for d in digits[:6]))
    except (ValueError, OverflowError):
        return None


class TradeDetail:
    """A trade detail (CSV, or the parts of a bill zip) read row by row, verified at the end.

    Consume all rows before trusting any: the footer check happens as they go by and at the end.
    After iteration: ``account`` (the id inside ``#账号：[…]``), ``start`` and ``end`` (the banner's
    period), ``footers``.
    """

    def __init__(self, source: str | Path | bytes, name: str | None = None):
        self.source = source
        self.name = name
        self.display = name or ("<bytes>" if isinstance(source, bytes) else str(source))
        self.account: str | None = None
        self.account_name: str | None = None
        self.start: datetime.datetime | None = None
        self.end: datetime.datetime | None = None
        self.footers: list[Footer] = []
        self._last: tuple[str, int] = (self.display, 0)

    def _parts(self) -> Iterator[Iterator[table.Row]]:
        if not table.is_xlsx(self.source):
            yield table.csv_rows(self.source, self.name)
            return
        with xlsx.open_zip(self.source, self.display, "zip") as zf:
            try:
                names = zip_names(zf)
                parts = part_entries(list(names))
            except ValueError as exc:
                raise SourceError(self.display, None, str(exc)) from None
            if not parts:
                raise SourceError(
                    self.display, None, "压缩包中没有 …_业务明细.csv; no trade detail entry in the zip"
                )
            for part in parts:
                yield table.stream_rows(
                    lambda info=names[part]: zf.open(info), f"{self.display}!{part}"
                )

    def __iter__(self) -> Iterator[TradeRow]:
        pending = {kind: _Pending() for kind in KINDS.values()}
        for rows in self._parts():
            try:
                yield from self._part(rows, pending)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                    NotImplementedError, RuntimeError) as exc:  # a bad CRC, deflate stream, offset
                raise SourceError(self.display, None, f"压缩包已损坏 ({exc}); damaged zip") from None
        unverified = [(k, p) for k, p in pending.items() if p.count]
        if unverified:
            kind, p = unverified[0]
            raise SourceError(
                p.where, p.last_line,
                f"{p.count} 行{kind}没有合计行核对 (缺少 #{kind}合计, 文件不完整?); "
                f"{p.count} {kind} rows after the last footer: file cut?",
            )
        if not self.footers:
            where, line = self._last
            raise SourceError(
                where, line or None, "没有 #交易合计 行: 文件不完整?; no footer, the file may be cut"
            )

    def _part(self, rows: Iterator[table.Row], pending: dict[str, _Pending]) -> Iterator[TradeRow]:
        columns = None
        where = self.display
        for where, line, cells in rows:
            self._last = (where, line)
            first = cells[0].strip().lstrip("\ufeff") if cells else ""
            if first.startswith("#"):
                text = ",".join(cells).strip().lstrip("\ufeff")
                self._comment(where, line, text, pending, columns or {})
                continue
            if columns is None:
                columns = SPEC.match(cells)
                if columns is None and any(c.strip() for c in cells):
                    raise SourceError(
                        where, line,
                        f"不是支付宝业务明细的表头 (应含 {SPEC.expected()}); not a trade detail header",
                    )
                width = max(columns.values()) + 1 if columns else 0
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < width:
                raise SourceError(
                    where, line,
                    f"本行只有 {len(cells)} 列, 表头有 {width} 列: 行被截断?; row has {len(cells)} cells",
                )
            record = table.Record(where, line, cells, columns)
            try:
                row = self._row(record)
            except ValueError as exc:
                raise record.error(str(exc)) from None
            p = pending[KINDS[row.biz_type]]
            p.add(row)
            yield row
        if columns is None:
            raise SourceError(
                where, None, f"没有支付宝业务明细的表头 ({SPEC.expected()},…); no trade detail header"
            )

    def _comment(
        self, where: str, line: int, text: str, pending: dict[str, _Pending], columns: dict[str, int]
    ) -> None:
        match = _FOOTER.match(text)
        if match:
            kind, count = match[1], int(match[2])
            totals = {}
            for label, value in _FOOTER_TOTAL.findall(match[3]):
                target = FOOTER_LABELS.get(label.strip())
                if target is None or target not in columns:  # a total the layout cannot show
                    continue
                try:
                    totals[target] = table.money(value, f"#{kind}合计 {label}")
                except ValueError as exc:
                    raise SourceError(where, line, str(exc)) from None
            footer = Footer(where, line, kind, count, totals)
            pending[kind].verify(footer)
            self.footers.append(footer)
            return
        account = _ACCOUNT.match(text)
        if account and self.account is None:
            self.account_name = account[1].strip() or None
            self.account = account[2].strip() or None
        for label, value in _PERIOD.findall(text):
            moment = _period_time(value)
            if label == "起始日期":
                self.start = self.start or moment
            else:
                self.end = self.end or moment

    def _row(self, record: table.Record) -> TradeRow:
        values: dict[str, object] = {f: clean_id(record[f]) for f in IDS if f in record.columns}
        if not values["trade_no"]:
            raise ValueError("支付宝交易号为空; empty trade number")
        for f in TEXTS:
            if f in record.columns:
                values[f] = record[f].strip()
        kind = values["biz_type"]
        if kind not in KINDS:
            raise ValueError(
                f"业务类型 {str(kind)[:40]!r} 不是 交易 或 退款; unknown business type"
            )
        for f in AMOUNTS:
            if f in record.columns:
                values[f] = table.money(record[f], SPEC.aliases[f][0])
        for f in ("created", "finished"):
            if f in record.columns:
                values[f] = table.moment(record[f], SPEC.aliases[f][0])
        self._check_period(values.get("finished") or values.get("created"))
        return TradeRow(line=record.line, where=record.where, **values)

    def _check_period(self, moment: datetime.datetime | None) -> None:
        if moment is None or self.start is None or self.end is None:
            return
        if not self.start <= moment <= self.end:
            raise ValueError(
                f"时间 {moment} 不在文件的起止日期 {self.start} 至 {self.end} 之内; "
                "time outside the file's period"
            )


class _Pending:
    """The rows of one kind since its last footer line."""

    __slots__ = ("count", "totals", "where", "last_line")

    def __init__(self) -> None:
        self.count = 0
        self.totals = {f: Decimal(0) for f in FOOTER_LABELS.values()}
        self.where = ""
        self.last_line = 0

    def add(self, row: TradeRow) -> None:
        self.count += 1
        for f in self.totals:
            self.totals[f] += getattr(row, f)
        self.where, self.last_line = row.where, row.line

    def verify(self, footer: Footer) -> None:
        if footer.count != self.count:
            raise SourceError(
                footer.where, footer.line,
                f"#{footer.kind}合计 写 {footer.count} 笔, 文件中有 {self.count} 行{footer.kind}; "
                f"footer says {footer.count} rows, the file has {self.count}",
            )
        for f, total in footer.totals.items():
            if total != self.totals[f]:
                raise SourceError(
                    footer.where, footer.line,
                    f"#{footer.kind}合计 的 {SPEC.aliases[f][0]} 共 {total} 元, 各行合计 "
                    f"{self.totals[f]} 元, 不符; footer total {total} != rows' {self.totals[f]}",
                )
        self.__init__()


def read_rows(source: str | Path | bytes, name: str | None = None) -> list[TradeRow]:
    """All rows of a trade detail, verified; :class:`SourceError` on any problem."""
    return list(TradeDetail(source, name))
