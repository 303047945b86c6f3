"""The Tmall refund export (退款, ExportRefundList): CSV or xlsx -> one row per refund.

Header (issue 8): ``退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,
宝贝标题,买家退款金额,手工退款/系统退款,是否需要退货,退款的申请时间,退款状态,货物状态,…,买家退款原因,
买家退款说明,部分退款/全部退款``; read like the order export (:mod:`beancount_tmall.formats.table`):
header by content, trailing spaces, any column order, ``="…"``/``'…`` ids, Excel's
``2016/5/23 22:02`` times or xlsx datetimes, CSV in GBK or UTF-8.

Strict where money is at stake: amounts are finite cents, a refund larger than what the buyer
paid is refused, a ``退款编号`` seen twice in one export is refused; ``是否需要退货`` is 是/否 (or
empty, read as 否) and ``部分退款/全部退款`` is 部分退款/全部退款 (or empty, read as 全部退款).
Anything else is a :class:`~beancount_tmall.formats.common.SourceError` naming file and line.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount_tmall.formats import table
from beancount_tmall.formats.common import clean_id

#: Field -> the header names that may hold it (the first one found is used).
COLUMNS: dict[str, tuple[str, ...]] = {
    "refund_id": ("退款编号",),
    "tid": ("订单编号",),
    "alipay_no": ("支付宝交易号",),
    "paid_time": ("订单付款时间",),
    "sku": ("商品编码", "商家编码"),
    "finished_time": ("退款完结时间",),
    "paid": ("买家实际支付金额", "买家实付金额"),
    "title": ("宝贝标题", "商品标题"),
    "amount": ("买家退款金额", "退款金额"),
    "manual": ("手工退款/系统退款",),
    "needs_return": ("是否需要退货",),
    "applied_time": ("退款的申请时间", "退款申请时间"),
    "status": ("退款状态",),
    "goods_status": ("货物状态",),
    "reason": ("买家退款原因", "退款原因"),
    "explanation": ("买家退款说明", "退款说明"),
    "partial": ("部分退款/全部退款",),
}

SPEC = table.TableSpec(
    what="天猫退款报表",
    aliases=COLUMNS,
    required=("refund_id", "tid", "amount"),
)

_YES = {"是": True, "否": False, "": False}
_PARTIAL = {"部分退款": True, "全部退款": False, "": False}


@dataclass(frozen=True, slots=True)
class RefundRow:
    """One refund (amounts in CNY; ``sku`` is 商品编码, may be empty)."""

    line: int
    refund_id: str
    tid: str
    alipay_no: str
    paid_time: datetime.datetime | None
    sku: str
    finished_time: datetime.datetime | None
    paid: Decimal
    title: str
    amount: Decimal
    manual: str
    needs_return: bool
    applied_time: datetime.datetime | None
    status: str
    goods_status: str
    reason: str
    explanation: str
    partial: bool


def identify(path: str | Path) -> bool:
    """True if ``path`` is a refund export (CSV or xlsx), looking at its first rows only."""
    return table.identify(path, SPEC)


def _choice(cell: str, values: dict[str, bool], what: str) -> bool:
    text = table.unprotect(cell.strip())
    if text not in values:
        allowed = "/".join(v for v in values if v)
        raise ValueError(f"{what} {text[:40]!r} 应为 {allowed}; expected one of {allowed}")
    return values[text]


def _refund(line: int, cells: tuple[str, ...]) -> RefundRow:
    (refund_id, tid, alipay_no, paid_time, sku, finished_time, paid, title, amount, manual,
     needs_return, applied_time, status, goods_status, reason, explanation, partial) = cells
    refund_id, tid = clean_id(refund_id), clean_id(tid)
    if not refund_id:
        raise ValueError("退款编号为空; empty refund id")
    if not tid:
        raise ValueError("订单编号为空; empty order id")
    paid_cny = table.money(paid, "买家实际支付金额")
    amount_cny = table.money(amount, "买家退款金额")
    if amount_cny < 0 or paid_cny < 0:
        raise ValueError(f"金额为负 (退款 {amount_cny}, 实付 {paid_cny}); negative amount")
    if paid.strip() and amount_cny > paid_cny:
        raise ValueError(
            f"买家退款金额 {amount_cny} 大于买家实际支付金额 {paid_cny}; refund exceeds what the buyer paid"
        )
    moment = table.moment
    return RefundRow(
        line=line,
        refund_id=refund_id,
        tid=tid,
        alipay_no=clean_id(alipay_no),
        paid_time=moment(paid_time, "订单付款时间"),
        sku=clean_id(sku),
        finished_time=moment(finished_time, "退款完结时间"),
        paid=paid_cny,
        title=table.text(title),
        amount=amount_cny,
        manual=table.text(manual),
        needs_return=_choice(needs_return, _YES, "是否需要退货"),
        applied_time=moment(applied_time, "退款的申请时间"),
        status=table.text(status),
        goods_status=table.text(goods_status),
        reason=table.text(reason),
        explanation=table.text(explanation),
        partial=_choice(partial, _PARTIAL, "部分退款/全部退款"),
    )


def read_refunds(source: str | Path | bytes, name: str | None = None) -> Iterator[RefundRow]:
    """The refunds of an export (CSV or xlsx, path or bytes), one by one.

    Problems raise :class:`~beancount_tmall.formats.common.SourceError` with file and line.
    """
    rows = table.Table(source, SPEC, name)
    cells_of = rows.getter(list(COLUMNS))
    seen: dict[str, int] = {}
    for record in rows:
        try:
            refund = _refund(record.line, cells_of(record.cells))
        except ValueError as exc:
            raise record.error(str(exc)) from None
        if refund.refund_id in seen:
            raise record.error(
                f"退款编号 {refund.refund_id} 已在第 {seen[refund.refund_id]} 行出现: 同一退款不应出现两次; "
                "refund id already on an earlier line"
            )
        seen[refund.refund_id] = record.line
        yield refund
