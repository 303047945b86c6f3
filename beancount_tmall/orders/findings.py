"""Which orders Tmall did not settle right: the rules of order-level reconciliation (issue 9 §2).

One order's facts (its export row, and what the Alipay statements did for it, summed per kind:
:class:`OrderState`) are judged by :func:`judge` into :class:`Finding` s. Both engines (plain
Python, DuckDB) only gather the facts; the judging is here, once, so they cannot disagree.

Money: the sale row of an order settles 买家实付 plus the part paid with Tmall points (Tmall pays
that part), and refunds to the buyer come back out as 交易退款 rows. A fee is expected at
``round_half_up(base × rate)`` (base: the settled amount, or for the card fee the part paid by
credit card/花呗 per 支付详情) and is "off" when it differs by more than
``max(0.01, base × tolerance)`` (:mod:`beancount_tmall.orders.rates`).

Every finding names the order, the amounts expected and seen (CNY) and where to look: the
statement file and line of the row in question (for ``unsettled``, which has no row, the order's
line in its export). The findings (``kind``: Chinese label in :data:`LABELS`):

* ``unsettled`` — an order paid in month M has no sale row in M..M+window (expected: what should
  have settled; seen: 0). Judged only when the statements reach the end of M+window;
* ``amount`` — settled minus refunded in the statements ≠ 买家实付 + 积分 − 退款 of the exports;
* ``commission-rate`` — 天猫佣金 ≠ settled × the order's commission rate (category by its items);
* ``points`` — 天猫积分 (返点积分) missing or ≠ settled × points rate;
* ``taobaoke-untagged`` — 淘宝客佣金 on an order the export says is no 淘宝客 order;
* ``refund-fee-kept`` — a refunded order whose commission, points or 淘宝客 was not given back
  (expected: refund × the fee's rate; seen: given back);
* ``card-fee`` — a card fee on an order 支付详情 shows no credit card/花呗 for, or a card fee off
  the card part × rate (a fee not charged is the store's gain, not reported; nor is any card fee
  of an export without 支付详情);
* ``duplicate-fee`` — one fee charged in two or more rows (expected: one charge; seen: all);
* ``unknown-order`` — statement rows of an order that is in no export given.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from beancount_tmall.orders import sources
from beancount_tmall.orders.rates import Rates
from beancount_tmall.orders.sources import OrderRecord

KINDS = (
    "unsettled", "amount", "commission-rate", "points", "taobaoke-untagged", "refund-fee-kept",
    "card-fee", "duplicate-fee", "unknown-order",
)
LABELS: dict[str, str] = {
    "unsettled": "付款后未结算",
    "amount": "结算金额不符",
    "commission-rate": "佣金费率不符",
    "points": "天猫积分缺失或不符",
    "taobaoke-untagged": "非淘宝客订单扣淘宝客佣金",
    "refund-fee-kept": "退款后费用未退回",
    "card-fee": "信用卡/花呗手续费不符",
    "duplicate-fee": "费用重复扣取",
    "unknown-order": "流水的订单不在订单报表中",
}
#: Fees by kind as an accountant names them.
FEE_LABELS = {kind: sources.KIND_LABELS[kind] for kind in sources.FEE_KINDS}
_ORDER = {kind: n for n, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    """One problem of one order: amounts expected and seen (CNY), where to look."""

    kind: str
    month: str
    order_id: str
    expected: Decimal | None
    seen: Decimal | None
    file: str
    line: int | None
    detail: str

    @property
    def label(self) -> str:
        """The Chinese name of the kind."""
        return LABELS[self.kind]

    @property
    def difference(self) -> Decimal:
        """seen − expected (a missing side counts as zero)."""
        return (self.seen or Decimal(0)) - (self.expected or Decimal(0))


def sort_key(finding: Finding) -> tuple:
    """Findings sort by month, kind (in :data:`KINDS` order), order id, file, line, detail."""
    return (finding.month, _ORDER[finding.kind], finding.order_id, finding.file, finding.line or 0,
            finding.detail)


def summarize(findings: Iterable[Finding]) -> list[tuple[str, str, int, Decimal]]:
    """``(month, kind, count, amount)`` per month and kind; amount = Σ |seen − expected|."""
    sums: dict[tuple[str, str], list] = {}
    for f in findings:
        entry = sums.setdefault((f.month, f.kind), [0, Decimal("0.00")])
        entry[0] += 1
        entry[1] += abs(f.difference)
    return [(m, k, n, a) for (m, k), (n, a) in sorted(sums.items(), key=lambda i: (i[0][0], _ORDER[i[0][1]]))]


# --- what the statements did for one order ---------------------------------------------------------


class Fee:
    """One fee kind of one order: charged (cents, positive) in ``count`` rows, the first charge
    and its place, and what was given back."""

    __slots__ = ("charged", "count", "first", "file", "line", "back")

    def __init__(self) -> None:
        self.charged = 0
        self.count = 0
        self.first = 0
        self.file = ""
        self.line = 0
        self.back = 0


class OrderState:
    """An order and what the statements did for it (cents): sale rows in and out of the window,
    refunds to the buyer, each fee; ``rates``: the order's own rates by its items' categories
    (``commission``/``points``/``card_fee`` -> rate, where not the default), ``refunds``: the
    退款报表's total (``None`` when no refund export was given)."""

    __slots__ = ("order", "sale_in", "sale_out", "out_month", "sale_file", "sale_line", "refund",
                 "refund_file", "refund_line", "fees", "rates", "refunds")

    def __init__(self, order: OrderRecord) -> None:
        self.order = order
        self.sale_in = 0
        self.sale_out = 0
        self.out_month: str | None = None
        self.sale_file = ""
        self.sale_line = 0
        self.refund = 0
        self.refund_file = ""
        self.refund_line = 0
        self.fees: dict[str, Fee] | None = None
        self.rates: dict[str, Decimal] | None = None
        self.refunds: int | None = None

    def rate(self, fee: str, rates: Rates) -> Decimal:
        """The order's rate of ``fee`` (``commission``, ``points``, ``card_fee``)."""
        own = self.rates
        if own is not None and fee in own:
            return own[fee]
        return getattr(rates, fee)

    def add(self, record: sources.StatementRecord, in_window: bool) -> None:
        """Count one statement row of the order (``in_window``: dated in M..M+window)."""
        kind, amount = record.kind, record.amount
        if kind == sources.SALE:
            if in_window:
                self.sale_in += amount
            else:
                self.sale_out += amount
                if self.out_month is None:
                    self.out_month = record.month
            if not self.sale_file:
                self.sale_file, self.sale_line = record.file, record.line
        elif kind == sources.REFUND:
            self.refund -= amount
            if not self.refund_file:
                self.refund_file, self.refund_line = record.file, record.line
        elif kind in sources.FEE_KINDS:
            fees = self.fees
            if fees is None:
                fees = self.fees = {}
            fee = fees.get(kind)
            if fee is None:
                fee = fees[kind] = Fee()
            if amount > 0:
                fee.back += amount
            else:
                if not fee.count:
                    fee.first, fee.file, fee.line = -amount, record.file, record.line
                fee.charged -= amount
                fee.count += 1


# --- judging ----------------------------------------------------------------------------------------


def money(cents: int) -> Decimal:
    """Cents as a Decimal amount in CNY (two places)."""
    return Decimal(cents).scaleb(-2)


def share(base: int, rate: Decimal) -> int:
    """``round_half_up(base × rate)`` in cents."""
    return int((base * rate).to_integral_value(rounding=ROUND_HALF_UP))


def slack(base: int, rates: Rates) -> int:
    """The difference (cents) a fee on ``base`` may show before it is off: at least one cent."""
    return max(1, share(base, rates.tolerance))


def window_end(month: str, window: int) -> datetime.datetime:
    """The first moment after month M+window."""
    index = sources.month_index(month) + window + 1
    return datetime.datetime(index // 12, index % 12 + 1, 1)


def judgeable(month: str, window: int, covered_until: datetime.datetime | None) -> bool:
    """Whether statements that hold every row up to ``covered_until`` reach the end of M+window."""
    if covered_until is None:
        return False
    return covered_until + datetime.timedelta(seconds=1) >= window_end(month, window)


def _fmt(cents: int) -> str:
    return f"{money(cents):,.2f}"


def percent(rate: Decimal) -> str:
    """``Decimal("0.048")`` -> ``"4.8%"``."""
    return f"{(rate * 100).normalize():f}%"


def judge(state: OrderState, rates: Rates, settled_known: bool = True) -> list[Finding]:
    """The findings of one order. ``settled_known``: the statements reach the end of its window
    (else a missing sale is not yet a finding)."""
    order = state.order
    month = order.month
    if month is None:
        return []
    out: list[Finding] = []

    def found(kind: str, expected: int | None, seen: int | None, file: str, line: int | None,
              detail: str) -> None:
        out.append(Finding(
            kind, month, order.tid, None if expected is None else money(expected),
            None if seen is None else money(seen), file, line, detail,
        ))

    sold = state.sale_in + state.sale_out
    refund_known = state.refunds if state.refunds is not None else order.refund
    if order.closed and not sold:
        pass  # closed before the money reached the store: nothing to settle
    elif not state.sale_in:
        expected = order.gross - refund_known
        if settled_known and expected > 0:
            late = f", 结算行在 {state.out_month} ({state.sale_file}:{state.sale_line}), 超出窗口" \
                if state.sale_out else ""
            found("unsettled", expected, state.sale_in, order.file, order.line,
                  f"{month} 付款的订单在 {month}..{sources.month_name(sources.month_index(month) + rates.window)}"
                  f" 的账务明细中没有结算行{late}; 应结算 买家实付 {_fmt(order.paid)} + 积分 "
                  f"{_fmt(order.points)} − 退款 {_fmt(refund_known)}")
    else:
        expected = order.gross - refund_known
        seen = sold - state.refund
        if seen != expected:
            found("amount", expected, seen, state.sale_file, state.sale_line,
                  f"结算 {_fmt(sold)} − 退款 {_fmt(state.refund)} ≠ 买家实付 {_fmt(order.paid)} + 积分 "
                  f"{_fmt(order.points)} − 退款 {_fmt(refund_known)}")
    fees = state.fees or {}
    rate = state.rate("commission", rates)
    points_rate = state.rate("points", rates)
    for kind, fee in fees.items():
        if fee.count > 1:
            found("duplicate-fee", fee.first, fee.charged, fee.file, fee.line,
                  f"{FEE_LABELS[kind]} 扣了 {fee.count} 次, 共 {_fmt(fee.charged)}; 每单应扣一次")
    tolerance = slack(sold, rates)
    for kind, label, fee_rate in (
        (sources.COMMISSION, "commission-rate", rate),
        (sources.POINTS, "points", points_rate),
    ):
        fee = fees.get(kind)
        charge = fee.first if fee is not None else 0
        if not sold and not charge:
            continue
        expected = share(sold, fee_rate)
        if abs(charge - expected) > tolerance:
            file, line = (fee.file, fee.line) if fee is not None else (state.sale_file, state.sale_line)
            what = "未扣" if fee is None else f"扣 {_fmt(charge)}"
            found(label, expected, charge, file, line,
                  f"{FEE_LABELS[kind]}{what}, 应为结算 {_fmt(sold)} × {percent(fee_rate)} = {_fmt(expected)}")
    taobaoke = fees.get(sources.TAOBAOKE)
    if taobaoke is not None and order.taobaoke is False:
        found("taobaoke-untagged", 0, taobaoke.charged, taobaoke.file, taobaoke.line,
              f"订单报表未标为淘宝客订单, 却扣淘宝客佣金 {_fmt(taobaoke.charged)}")
    card = fees.get(sources.CARD_FEE)
    if order.card is not None and card is not None:
        charge = card.first
        card_rate = state.rate("card_fee", rates)
        expected = share(order.card, card_rate)
        if abs(charge - expected) > slack(order.card, rates):
            file, line = card.file, card.line
            why = ("支付详情中没有信用卡/花呗支付" if not order.card else
                   f"支付详情中信用卡/花呗 {_fmt(order.card)} × {percent(card_rate)} = {_fmt(expected)}")
            found("card-fee", expected, charge, file, line, f"支付服务费 {_fmt(charge)}; {why}")
    if state.refund > 0:
        for kind in (sources.COMMISSION, sources.POINTS, sources.TAOBAOKE):
            fee = fees.get(kind)
            if fee is None or not fee.first:
                continue
            if kind == sources.TAOBAOKE:
                back_rate = Decimal(fee.first) / sold if sold else Decimal(0)
            else:
                back_rate = rate if kind == sources.COMMISSION else points_rate
            expected = min(share(state.refund, back_rate), fee.first)
            if fee.back < expected - slack(state.refund, rates):
                found("refund-fee-kept", expected, fee.back, state.refund_file, state.refund_line,
                      f"退款 {_fmt(state.refund)} 后{FEE_LABELS[kind]}应退回 {_fmt(expected)}, "
                      f"实退 {_fmt(fee.back)}")
    return out


@dataclass
class Unknown:
    """Statement rows of an order in no export: the first row's place, their sum and count."""

    month: str
    file: str
    line: int
    amount: int = 0
    rows: int = 0
    kinds: set[str] = field(default_factory=set)

    def add(self, record: sources.StatementRecord) -> None:
        """Count one more row of the order."""
        self.amount += record.amount
        self.rows += 1
        self.kinds.add(record.kind)


def unknown_finding(tid: str, unknown: Unknown) -> Finding:
    """The ``unknown-order`` finding of an order id no export holds."""
    kinds = "、".join(sources.KIND_LABELS[k] for k in sources.KINDS if k in unknown.kinds)
    return Finding(
        "unknown-order", unknown.month, tid, None, money(unknown.amount), unknown.file, unknown.line,
        f"{unknown.rows} 行流水 ({kinds}) 的订单 {tid} 不在所给的任何订单报表中",
    )
