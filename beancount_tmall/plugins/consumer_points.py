"""消费积分: the points part of sales, settled monthly by the store (seed 000, section 三.2).

The seed::

    2、天猫店铺的消费积分是指客户在天猫店铺购买商品用自己账户拥有的天猫积分进行充抵部分货款,当
    交易形成时,一般会形成货币支付和积分支付两种途径。简单来说,客户支付一部份现金,那一部分由
    天猫积分支付形成一笔完整的交易。
    后续处理方式:由客户消费积分形成的相关交易,于次月10号左右需向天猫公司开具所售商品的专用发票。
    店铺如若不开具发票给开猫公司,也可选择打款给天猫公司进行收入冲减处理。
    备注:给顾客的开发票金额,需要减掉消费积分后的金额,开票。

A sale paid partly with Tmall points carries the points part as ``consumer-points`` metadata (the
Alipay importer sums the order export's 买家实际支付积分, 100 points = 1 CNY) or as a debit to
``Assets:1221-其他应收款:122109-消费积分``. Each month's points part must be settled by the
next month's due day (the 10th, plus ``grace_days``) by the store's 消费积分发票 to Tmall
(``#points-invoice``, which may have no postings) and/or a payback reducing revenue
(``#points-payback``). Before::

    2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔" #tmall-sale
      consumer-points: 12.30 CNY
      Assets:1012-其他货币资金:101201-支付宝     1130.00 CNY
      Income:6001-主营业务收入                 -1130.00 CNY

    2025-04-08 * "天猫" "2025-03 消费积分发票" #points-invoice
      invoice-no: "25330000000000001234"
      period: "2025-03"
      amount: 10.00 CNY

    2025-04-09 * "天猫" "2025-03 消费积分打款" #points-payback
      period: "2025-03"
      Income:6001-主营业务收入                     2.30 CNY
      Assets:1012-其他货币资金:101201-支付宝       -2.30 CNY

After, the sale states what the buyer may be invoiced for (gross minus points)::

    2025-03-15 * "支付宝" "2025-03-15 支付宝结算 3 笔" #tmall-sale
      consumer-points: 12.30 CNY
      invoiceable: 1117.70 CNY
      ...

and March is settled: 12.30 = 10.00 invoiced + 2.30 paid back. Without the payback, once the
ledger's last date passes 2025-04-15 (the 10th plus 5 days' grace) the plugin reports::

    消费积分 2025-03: 销售中的积分部分 12.30 CNY, 已开票 10.00, 已退回 0.00: 2.30 CNY 于 2025-04-15
    前未结清 (请开具消费积分发票 #points-invoice 或打款 #points-payback, period: "2025-03")
    (points not settled)

Rules:

* Points part of a transaction: its ``consumer-points`` metadata (an amount or a number, CNY) if
  present, else the sum of its postings to the points receivable. Negative on a refund.
* Gross of a sale: minus its postings to ``Income:6001-主营业务收入`` (and sub-accounts) and
  ``…22210102-销项税额`` — the same before or after the ``sales`` plugin's VAT split.
  ``invoiceable`` = gross − points is added to every ``#tmall-sale`` transaction (and any
  transaction carrying points) that has no ``invoiceable`` yet; ``consumer-points`` is kept.
* Invoiced: the ``amount`` metadata of ``#points-invoice`` entries (else their postings to the
  points receivable), by ``period: "YYYY-MM"``. Paid back: the ``amount`` metadata of
  ``#points-payback`` entries, else their debits to Income:6001 / 销项税额.
* A month's points part is *net*: refunds of points-paid orders give points back and reduce it,
  so it may be negative (a month whose refunds gave back more points than its sales took, e.g. a
  March order refunded in April after March was invoiced). Invoiced + paid back for the period
  must equal it, whatever its sign: a negative month means the store owes Tmall less, settled by
  a red-letter (负数) 消费积分发票 (``#points-invoice`` with a negative ``amount`` and that
  ``period``), or netted against another month's invoice by recording the netted part as a
  ``#points-invoice`` (or ``#points-payback``) with ``period`` of the negative month.
* Errors: a month whose points part differs from invoiced + paid back after its due day (to the
  cent; for a negative month the message asks for the red-letter invoice or the netting); more
  invoiced + paid back than the points part, or settled with the opposite sign (at once); an
  invoice or payback for a month without points (net zero); a ``#points-invoice``/``#points-payback`` without a readable ``period``
  or amount; unreadable ``consumer-points``. The ledger's last date is its latest transaction or
  balance (``#accrual`` entries, generated at year end by the ``invoices`` plugin, ignored).

Config keys (a Python dict literal), with defaults: ``due_day`` 10, ``grace_days`` 5 (as the ``invoices`` plugin),
``receivable`` ``Assets:1221-其他应收款:122109-消费积分``, ``sales_tag`` ``'tmall-sale'``,
``invoice_tag`` ``'points-invoice'``, ``payback_tag`` ``'points-payback'``,
``record_invoiceable`` True.

``monthly_points(entries, config)`` is the pure computation the reports reuse.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    ZERO,
    PluginError,
    due_date,
    judged_date,
    make_error,
    month_of,
    parse_config,
    parse_month,
    report_once,
    round_cents,
    to_decimal,
)
from beancount_tmall.plugins.annual_fee import sale_gross

__plugins__ = ("consumer_points",)

PLUGIN = "consumer_points"
POINTS_KEY = "consumer-points"
INVOICEABLE_KEY = "invoiceable"

DEFAULTS: dict[str, Any] = {
    "due_day": 10,
    "grace_days": 5,
    "receivable": accounts.CONSUMER_POINTS_RECEIVABLE,
    "sales_tag": "tmall-sale",
    "invoice_tag": "points-invoice",
    "payback_tag": "points-payback",
    "record_invoiceable": True,
}


@dataclass
class MonthPoints:
    """One month of consumer points: the points part of its sales and how it was settled."""

    period: str
    due: datetime.date
    points: Decimal = ZERO
    invoiced: Decimal = ZERO
    paid_back: Decimal = ZERO
    sales: list[data.Transaction] = field(default_factory=list)
    invoices: list[data.Transaction] = field(default_factory=list)
    paybacks: list[data.Transaction] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        """Points part not yet invoiced or paid back (negative when too much was settled)."""
        return self.points - self.invoiced - self.paid_back


def _cny(value: Any) -> Decimal:
    """A metadata amount (``12.30 CNY``) or number as a Decimal; ValueError otherwise.

    Also the text ``"12.30 CNY"``: what Fava's import page saves an amount as.
    """
    if isinstance(value, str) and " " in value.strip():
        value = Amount.from_string(value.strip())
    if isinstance(value, Amount):
        if value.currency != accounts.CURRENCY:
            raise ValueError(f"not in {accounts.CURRENCY}: {value}")
        return to_decimal(value.number)
    return to_decimal(value)


def _sum(entry: data.Transaction, wanted, sign: int = 1) -> Decimal:
    """Sum of ``sign × number`` of the CNY postings whose account satisfies ``wanted``."""
    return sum(
        (
            sign * p.units.number
            for p in entry.postings
            if p.units is not None and p.units.currency == accounts.CURRENCY and wanted(p.account)
        ),
        ZERO,
    )


def _is_income(account: str) -> bool:
    return (
        account == accounts.REVENUE
        or account.startswith(accounts.REVENUE + ":")
        or account == accounts.OUTPUT_VAT
    )


def _collect(
    entries: list[data.Directive], config: dict[str, Any]
) -> tuple[dict[str, MonthPoints], dict[int, Decimal], list[PluginError]]:
    """Months of points, the points part per sale (by ``id``), and reading errors."""
    months: dict[str, MonthPoints] = {}
    per_sale: dict[int, Decimal] = {}
    errors: list[PluginError] = []
    receivable = config["receivable"]
    due_day, grace = int(config["due_day"]), int(config["grace_days"] or 0)

    def month(period: str) -> MonthPoints:
        if period not in months:
            months[period] = MonthPoints(period, due_date(period, due_day, grace))
        return months[period]

    labels = {"invoice": "消费积分发票", "payback": "消费积分打款"}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        tags = entry.tags or frozenset()
        kind = (
            "invoice"
            if config["invoice_tag"] in tags
            else "payback"
            if config["payback_tag"] in tags
            else None
        )
        if kind:
            try:
                year, mon = parse_month(entry.meta.get("period"))
            except ValueError:
                errors.append(
                    make_error(
                        entry,
                        f"{labels[kind]}: 所属期间 period {entry.meta.get('period')!r} 不是月份, "
                        f'应为 period: "YYYY-MM" (period is not a month)',
                    )
                )
                continue
            try:
                if "amount" in entry.meta:
                    amount = _cny(entry.meta["amount"])
                elif kind == "invoice":
                    amount = -_sum(entry, lambda a: a == receivable)
                else:
                    amount = _sum(entry, _is_income)
            except ValueError as exc:
                errors.append(
                    make_error(entry, f"{labels[kind]}: 金额无法读取: {exc} (amount unreadable)")
                )
                continue
            if not amount:
                errors.append(
                    make_error(
                        entry,
                        f"{labels[kind]} {year:04d}-{mon:02d}: 没有金额, 请写 amount: 12.30 CNY "
                        f"(no amount)",
                    )
                )
                continue
            m = month(f"{year:04d}-{mon:02d}")
            if kind == "invoice":
                m.invoiced += amount
                m.invoices.append(entry)
            else:
                m.paid_back += amount
                m.paybacks.append(entry)
            continue
        if POINTS_KEY in entry.meta:
            try:
                points = _cny(entry.meta[POINTS_KEY])
            except ValueError as exc:
                errors.append(
                    make_error(
                        entry,
                        f"{POINTS_KEY} 无法读取: {exc}; 应为如 {POINTS_KEY}: \"12.30 CNY\" "
                        f"({POINTS_KEY} unreadable)",
                    )
                )
                continue
        else:
            points = _sum(entry, lambda a: a == receivable)
        if points or config["sales_tag"] in tags:
            per_sale[id(entry)] = points
        if points:
            m = month(month_of(entry.date))
            m.points += points
            m.sales.append(entry)
    return dict(sorted(months.items())), per_sale, errors


def monthly_points(
    entries: list[data.Directive], config: dict[str, Any] | None = None
) -> dict[str, MonthPoints]:
    """``{"YYYY-MM": MonthPoints}`` for every month with points, invoices or paybacks.

    ``config`` is a dict of this module's keys (missing keys take ``DEFAULTS``). Pure: the entries
    are not changed; unreadable entries are skipped (the plugin reports them).
    """
    months, _, _ = _collect(entries, {**DEFAULTS, **(config or {})})
    return months


def _check(m: MonthPoints, judged: datetime.date | None) -> list[PluginError]:
    """Errors of one month: its net points part (either sign) must equal invoiced + paid back."""
    seen = f"销售中的积分部分 {m.points:.2f} CNY, 已开票 {m.invoiced:.2f}, 已退回 {m.paid_back:.2f}"
    settlements = m.invoices + m.paybacks
    if not m.points:
        return [
            make_error(
                entry,
                f"消费积分 {m.period}: 该月没有积分, 却有消费积分发票或打款 ({seen}) "
                f"(invoice or payback for a month without points)",
            )
            for entry in settlements
        ]
    settled = m.invoiced + m.paid_back
    outstanding = round_cents(m.outstanding)
    if not outstanding:
        return []
    # More settled than the points part (or settled with the other sign): an error at once.
    if settled and (settled * m.points < 0 or abs(settled) > abs(m.points)):
        what = (
            "结清金额与积分部分符号相反 (settled with the opposite sign of the points part)"
            if settled * m.points < 0
            else f"结清金额比积分部分多 {abs(outstanding):.2f} CNY (more settled than the points part)"
        )
        return [make_error((settlements or m.sales)[-1], f"消费积分 {m.period}: {seen}: {what}")]
    if judged is None or judged <= m.due:
        return []
    if m.points > 0:
        how = f'请开具消费积分发票 #points-invoice 或打款 #points-payback, period: "{m.period}"'
    else:
        how = (
            f"退款退回的积分多于当月销售所用积分, 店铺少欠天猫 {-outstanding:.2f} CNY: 请开具 "
            f'{outstanding:.2f} CNY 的红字 (负数) 消费积分发票, period "{m.period}" (#points-invoice, '
            f"amount: {outstanding:.2f} CNY), 或与其他月份的发票相抵, 相抵部分记 "
            f'period: "{m.period}"'
        )
    return [
        make_error(
            (m.sales or settlements)[-1],
            f"消费积分 {m.period}: {seen}: {outstanding:.2f} CNY 于 {m.due} 前未结清 ({how}) "
            f"(points not settled)",
        )
    ]


def consumer_points(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Add ``invoiceable`` to sales; error on a month's points part not settled by its due day.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: A Python dict literal (see the module docstring).
    Returns:
      The entries, sales completed with ``invoiceable``, and a list of errors.
    """
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    try:
        months, per_sale, collect_errors = _collect(entries, config)
    except (ValueError, TypeError) as exc:
        source = data.new_metadata(f"<{PLUGIN}>", 0)
        errors.append(
            PluginError(source, f"{PLUGIN}: 配置有误 {config_str!r}: {exc} (bad config)", None)
        )
        return entries, report_once(options_map, PLUGIN, errors)
    errors.extend(collect_errors)
    judged = judged_date(entries)
    for m in months.values():
        errors.extend(_check(m, judged))
    if not config["record_invoiceable"]:
        return entries, report_once(options_map, PLUGIN, errors)
    new_entries = []
    for entry in entries:
        points = per_sale.get(id(entry))
        if points is not None and INVOICEABLE_KEY not in entry.meta:
            gross = sale_gross(entry)
            if gross:
                meta = dict(entry.meta)
                meta[INVOICEABLE_KEY] = Amount(round_cents(gross - points), accounts.CURRENCY)
                entry = entry._replace(meta=meta)
        new_entries.append(entry)
    return new_entries, report_once(options_map, PLUGIN, errors)
