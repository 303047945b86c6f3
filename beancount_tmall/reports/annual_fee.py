"""年费进度: the year's sales against the annual-fee refund thresholds, and the expected refund.

Read-only. The figures are the ``annual_fee`` plugin's own (``annual_fee_years`` with the ledger's
plugin config), so the page and ``bean-check`` agree; the ``status`` is the one the plugin wrote
on its ``custom "tmall-annual-fee"`` summary entry (``open`` / ``settled`` / ``unsettled``).
On top of that this module adds what a person asks in the middle of the year: every threshold
(pro-rated like the plugin does), how far the sales are from the next one, and the cumulative
sales month by month.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins import annual_fee
from beancount_tmall.plugins._common import parse_config, round_cents, to_decimal
from beancount_tmall.reports.reconciliation import (
    SALE_TAG,
    ZERO,
    Figure,
    account_regex,
    plugin_config,
)

ANNUAL_FEE_PLUGIN = "beancount_tmall.plugins.annual_fee"

#: The status of a fee year in Chinese (the plugin's ``status`` values).
STATUS_LABELS = {"open": "进行中", "settled": "已结算", "unsettled": "未按协议结算"}


@dataclass(frozen=True)
class Threshold:
    """One step of the agreement: sales to reach, the share of the fee refunded, reached or not."""

    sales: Decimal
    share: Decimal
    refund: Decimal
    reached: bool
    remaining: Decimal


@dataclass(frozen=True)
class AnnualFeeProgress:
    """One fee year on the judging day."""

    year: int
    fee: Decimal
    sales: Figure
    deducted: Figure
    refunded: Decimal
    invoiced: Decimal
    outstanding: Decimal
    thresholds: tuple[Threshold, ...]
    refund_share: Decimal
    expected_refund: Decimal
    expected_expense: Decimal
    status: str
    settlement: datetime.date | None
    days_open: int
    days_in_year: int
    months: tuple[str, ...]
    cumulative_sales: tuple[Decimal, ...]

    @property
    def next_threshold(self) -> Threshold | None:
        return next((t for t in self.thresholds if not t.reached), None)

    @property
    def progress(self) -> Decimal:
        """Sales as a percentage of the highest threshold (capped at 100)."""
        top = max((t.sales for t in self.thresholds), default=ZERO)
        if not top:
            return Decimal(100)
        return min(Decimal(100), round_cents(self.sales.amount * 100 / top))


def _config(options: Mapping[str, Any] | None) -> dict[str, Any]:
    text = plugin_config(options, ANNUAL_FEE_PLUGIN)
    config, _ = parse_config(text, annual_fee.DEFAULTS, annual_fee.PLUGIN)
    return config


def _year_value(config: dict[str, Any], year: int, key: str) -> Any:
    years = config.get("years") or {}
    override = years.get(year) or years.get(str(year)) or {}
    return override.get(key, config.get(key))


def _status(entries: Sequence[data.Directive], year: int) -> str | None:
    for entry in entries:
        if (
            isinstance(entry, data.Custom)
            and entry.type == annual_fee.CUSTOM_TYPE
            and entry.values
            and str(entry.values[0].value) == str(year)
        ):
            return str(entry.meta.get("status", "open"))
    return None


def sales_year_query(year: int) -> str:
    """BQL whose rows sum to the year's tax-inclusive sales (negated: income is a credit)."""
    return (
        "SELECT date, narration, account, position, balance "
        f"WHERE '{SALE_TAG}' IN tags AND ({account_regex(accounts.REVENUE)} "
        f"OR account = '{accounts.OUTPUT_VAT}') AND year = {year} ORDER BY date"
    )


def receivable_query(account: str, year: int) -> str:
    """BQL whose rows sum to the fee year's 年费 deductions, the 已扣 figure: debits to the
    receivable (accruals aside) of that fee year — its ``fee-year`` (posting, else transaction
    metadata), else the year of its date, as the plugin attributes them."""
    fee_year = "coalesce(str(meta('fee-year')), str(entry_meta('fee-year')), str(year))"
    return (
        "SELECT date, narration, position, balance "
        f"WHERE account = '{account}' AND number > 0 AND {fee_year} = '{year}' "
        "AND NOT ('accrual' IN tags) ORDER BY date"
    )


def annual_fee_progress(
    entries: Sequence[data.Directive], options: Mapping[str, Any] | None, year: int
) -> AnnualFeeProgress | None:
    """The fee year ``year`` as the plugin sees it, or None when the ledger has none."""
    config = _config(options)
    try:
        fy = annual_fee.annual_fee_years(list(entries), config).get(year)
    except (ValueError, TypeError):  # a bad config: the plugin reports it as an error
        return None
    if fy is None:
        return None
    ratio = Decimal(fy.days_open) / Decimal(fy.days_in_year or 1)
    steps = []
    for raw_sales, raw_share in sorted(
        (to_decimal(t), to_decimal(s)) for t, s in _year_value(config, year, "thresholds") or ()
    ):
        sales = round_cents(raw_sales * ratio) if _year_value(config, year, "prorate_thresholds") else raw_sales
        steps.append(
            Threshold(
                sales=sales,
                share=raw_share,
                refund=fy.fee - round_cents(fy.incurred * (1 - raw_share)),
                reached=fy.sales >= sales,
                remaining=max(sales - fy.sales, ZERO),
            )
        )
    months = tuple(f"{year:04d}-{m:02d}" for m in range(1, 13))
    monthly = dict.fromkeys(months, ZERO)
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date.year == year and SALE_TAG in entry.tags:
            monthly[f"{year:04d}-{entry.date.month:02d}"] += annual_fee.sale_gross(entry)
    cumulative, running = [], ZERO
    for month in months:
        running += monthly[month]
        cumulative.append(running)
    receivable = config["receivable"]
    return AnnualFeeProgress(
        year=year,
        fee=fy.fee,
        sales=Figure(fy.sales, sales_year_query(year)),
        deducted=Figure(fy.deducted, receivable_query(receivable, year)),
        refunded=fy.refunded,
        invoiced=fy.invoiced,
        outstanding=fy.outstanding,
        thresholds=tuple(steps),
        refund_share=fy.refund_share,
        expected_refund=fy.expected_refund,
        expected_expense=fy.expected_expense,
        status=_status(entries, year) or fy.status,
        settlement=fy.settlement,
        days_open=fy.days_open,
        days_in_year=fy.days_in_year,
        months=months,
        cumulative_sales=tuple(cumulative),
    )


def render_text(progress: AnnualFeeProgress) -> str:
    """The 年费进度 of one year as a few lines of text (``tmall-books reconcile``, the demo)."""
    money = "{:,.2f}".format
    steps = ", ".join(
        f"{money(t.sales)} → {t.share:.0%}{' ✓' if t.reached else ''}" for t in progress.thresholds
    )
    status = STATUS_LABELS.get(progress.status, progress.status)
    return (
        f"年度技术服务费 {progress.year}: 协议年费 {money(progress.fee)}; 含税销售额 "
        f"{money(progress.sales.amount)} (返还门槛 {steps or '未配置'})\n"
        f"  预计返还 {money(progress.expected_refund)}, 预计费用 {money(progress.expected_expense)}; "
        f"已返还 {money(progress.refunded)}, 已开票 {money(progress.invoiced)}, "
        f"未清 {money(progress.outstanding)}; 状态 {status}\n"
        f"  (fee {money(progress.fee)}; expected refund {money(progress.expected_refund)}, expense "
        f"{money(progress.expected_expense)}; status {progress.status})\n"
    )
