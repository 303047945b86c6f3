"""月度对账: per month, where the store stands with Tmall (sales, fees deducted vs invoiced).

Read-only (DESIGN §5): it reads a loaded ledger — the entries *after* the project's plugins ran —
and returns plain dataclasses that the Fava page "天猫对账", the CLI and the tests share.

For each month of a year:

* **sales** of the ``#tmall-sale`` transactions: 含税销售额 (gross = revenue + output VAT, net of
  refunds to buyers), 主营业务收入 (revenue) and 销项税额 (output VAT), and the refunds the ledger
  shows as debits to 主营业务收入;
* **fees**, per platform-fee receivable of the ``invoices`` plugin (天猫佣金, 天猫积分, 淘宝客佣金,
  聚划算, 钻展, 直通车 by default): deducted in the month, invoiced for it (``#invoice`` with
  ``period``), accrued at year end (``#accrual``), outstanding, and the status that
  ``beancount_tmall.plugins.invoices.reconcile`` gives it — ``matched``, ``awaiting invoice``,
  ``accrued``, ``overdue``, ``mismatch``, ``no-deductions`` — or ``empty`` when nothing happened.
  The judging day (``as_of``) is the one the plugin uses: the last date in the ledger.

* **errors**: the ledger's errors (plugins' and Beancount's) whose entry falls in the month.

Every figure carries the BQL query that reproduces it (``Figure.query``), so the page links each
number to Fava's query page and ``bean-query`` users can paste it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins import invoices
from beancount_tmall.plugins._common import add_months, due_date, judged_date, month_of
from beancount_tmall.reports.render import width

ZERO = Decimal("0.00")

SALE_TAG = "tmall-sale"
INVOICE_TAG = "invoice"
ACCRUAL_TAG = "accrual"

#: Status values of a fee cell; ``invoices`` plugin's values plus ``empty`` (nothing happened).
MATCHED = invoices.MATCHED
AWAITING = invoices.AWAITING
ACCRUED = invoices.ACCRUED
OVERDUE = invoices.OVERDUE
MISMATCH = invoices.MISMATCH
NO_DEDUCTIONS = invoices.NO_DEDUCTIONS
EMPTY = "empty"

STATUS_LABELS = {
    MATCHED: "已匹配",
    AWAITING: "待开票",
    ACCRUED: "已预提",
    OVERDUE: "逾期未开票",
    MISMATCH: "金额不符",
    NO_DEDUCTIONS: "无扣款有发票",
    EMPTY: "—",
}

#: Worst first: the status a month (or a year) shows when its cells differ.
STATUS_ORDER = (MISMATCH, NO_DEDUCTIONS, OVERDUE, AWAITING, ACCRUED, MATCHED, EMPTY)

INVOICES_PLUGIN = "beancount_tmall.plugins.invoices"


def plugin_config(options: Mapping[str, Any] | None, module: str) -> str | None:
    """The config string of ``plugin "<module>" "<config>"`` in the ledger, or None."""
    for name, config in (options or {}).get("plugin", ()) or ():
        if name == module:
            return config
    return None


def label(account: str) -> str:
    """The Chinese name of an account: ``…:122101-天猫佣金`` → ``天猫佣金``."""
    leaf = account.rsplit(":", 1)[-1]
    return leaf.partition("-")[2] or leaf


# --------------------------------------------------------------------------- figures and BQL


@dataclass(frozen=True)
class Figure:
    """An amount shown on the page and the BQL query whose rows produce it."""

    amount: Decimal
    query: str

    def __bool__(self) -> bool:
        return bool(self.amount)


def month_clause(month: str) -> str:
    """BQL ``date >= 2025-03-01 AND date < 2025-04-01`` for ``"2025-03"``."""
    return f"date >= {month}-01 AND date < {add_months(month, 1)}-01"


def account_regex(account: str) -> str:
    """BQL matching ``account`` and its sub-accounts."""
    return f"account ~ '^{account}(:|$)'"


def _select(where: str) -> str:
    return f"SELECT date, payee, narration, account, position, balance WHERE {where} ORDER BY date"


def sales_query(month: str, which: str) -> str:
    """BQL for the month's sales: ``which`` is gross, revenue, output_vat or refunds."""
    income = account_regex(accounts.REVENUE)
    vat = f"account = '{accounts.OUTPUT_VAT}'"
    where = {
        "gross": f"({income} OR {vat})",
        "revenue": income,
        "output_vat": vat,
        "refunds": f"({income} OR {vat}) AND number > 0",
    }[which]
    return _select(f"'{SALE_TAG}' IN tags AND {where} AND {month_clause(month)}")


def deducted_query(account: str, month: str) -> str:
    """BQL for what the platform deducted to ``account`` in ``month`` (invoices and accruals excluded)."""
    return _select(
        f"account = '{account}' AND NOT ('{INVOICE_TAG}' IN tags) "
        f"AND NOT ('{ACCRUAL_TAG}' IN tags) AND {month_clause(month)}"
    )


def invoiced_query(account: str, month: str) -> str:
    """BQL for the invoices of ``month`` that cleared ``account``."""
    return _select(
        f"account = '{account}' AND '{INVOICE_TAG}' IN tags AND coalesce(meta('period'), entry_meta('period')) = '{month}'"
    )


def accrued_query(account: str, month: str) -> str:
    """BQL for the year-end accrual of ``account`` for ``month`` (the 12-31 credit, not the reversal)."""
    return _select(
        f"account = '{account}' AND '{ACCRUAL_TAG}' IN tags AND number < 0 "
        f"AND coalesce(meta('period'), entry_meta('period')) = '{month}'"
    )


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Sales:
    """A month's #tmall-sale figures (gross and refunds positive, CNY)."""

    gross: Figure
    revenue: Figure
    output_vat: Figure
    refunds: Figure
    entries: int = 0


@dataclass(frozen=True)
class FeeCell:
    """One receivable in one month: deducted vs invoiced, and where it stands."""

    account: str
    name: str
    month: str
    deducted: Figure
    invoiced: Figure
    accrued: Figure
    outstanding: Decimal
    due: datetime.date
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def css(self) -> str:
        """The status as a CSS class suffix (``awaiting invoice`` → ``awaiting-invoice``)."""
        return self.status.replace(" ", "-")


@dataclass(frozen=True)
class ErrorLine:
    """A ledger error, placed in the month of its entry."""

    month: str | None
    message: str
    filename: str | None
    lineno: int | None
    kind: str


@dataclass(frozen=True)
class MonthRow:
    """Everything the 月度对账 tab shows for one month."""

    month: str
    sales: Sales
    fees: tuple[FeeCell, ...]
    errors: tuple[ErrorLine, ...]

    @property
    def fees_deducted(self) -> Decimal:
        return sum((c.deducted.amount for c in self.fees), ZERO)

    @property
    def fees_invoiced(self) -> Decimal:
        return sum((c.invoiced.amount for c in self.fees), ZERO)

    @property
    def fees_outstanding(self) -> Decimal:
        return sum((c.outstanding for c in self.fees), ZERO)

    @property
    def status(self) -> str:
        """The worst status of the month's fee cells."""
        return worst_status(c.status for c in self.fees)

    def fee(self, account: str) -> FeeCell | None:
        return next((c for c in self.fees if c.account == account), None)


@dataclass(frozen=True)
class MonthlyReport:
    """The 月度对账 of one year."""

    year: int
    as_of: datetime.date | None
    fee_accounts: tuple[str, ...]
    fee_names: tuple[str, ...]
    months: tuple[MonthRow, ...]
    other_errors: tuple[ErrorLine, ...] = ()
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(m.sales.entries or any(c.status != EMPTY for c in m.fees) for m in self.months)

    def month(self, month: str) -> MonthRow:
        return next(m for m in self.months if m.month == month)

    def total(self, attr: str) -> Decimal:
        """Sum over the months of ``sales.<attr>`` (gross, revenue, output_vat, refunds)."""
        return sum((getattr(m.sales, attr).amount for m in self.months), ZERO)


# --------------------------------------------------------------------------- computation


def cny_amount(posting: data.Posting) -> Decimal:
    """The posting's number if it is in CNY, else 0."""
    units = posting.units
    if units is None or units.currency != accounts.CURRENCY or units.number is None:
        return ZERO
    return units.number


def ledger_years(entries: Iterable[data.Directive], fee_accounts: Iterable[str] | None = None) -> list[int]:
    """The years with Tmall sales or fee deductions (not invoices, not accruals), ascending."""
    receivables = set(fee_accounts if fee_accounts is not None else invoices.DEFAULT_RECEIVABLES)
    years = set()
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date.year in years:
            continue
        if SALE_TAG in entry.tags or (
            not entry.tags & {INVOICE_TAG, ACCRUAL_TAG}
            and any(p.account in receivables for p in entry.postings)
        ):
            years.add(entry.date.year)
    return sorted(years)


def last_date(entries: Sequence[data.Directive]) -> datetime.date | None:
    """The day the ledger is judged at (due dates): the plugins' own rule, so page and
    ``bean-check`` agree (its last transaction or balance, not counting #accrual entries)."""
    return judged_date(entries, (ACCRUAL_TAG,))


def worst_status(statuses: Iterable[str]) -> str:
    """The first of ``STATUS_ORDER`` among ``statuses`` (``empty`` if none)."""
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), EMPTY)


def error_month(error: Any) -> str | None:
    """The month of the entry an error is about, or None."""
    entry = getattr(error, "entry", None)
    date = getattr(entry, "date", None)
    return month_of(date) if isinstance(date, datetime.date) else None


def error_line(error: Any) -> ErrorLine:
    """A ledger error as plain data (message, file, line, where it comes from)."""
    source = getattr(error, "source", None) or {}
    entry = getattr(error, "entry", None)
    if not source.get("filename") and entry is not None:
        source = getattr(entry, "meta", None) or {}
    module = type(error).__module__ or ""
    if module.startswith("beancount_tmall"):
        kind = "plugin"
    elif module.startswith("beancount"):
        kind = "beancount"
    else:
        kind = type(error).__name__
    lineno = source.get("lineno")
    return ErrorLine(
        month=error_month(error),
        message=str(getattr(error, "message", error)),
        filename=source.get("filename"),
        lineno=int(lineno) if isinstance(lineno, int) else None,
        kind=kind,
    )


def _sales_by_month(entries: Sequence[data.Directive], year: int) -> dict[str, dict[str, Decimal]]:
    """One pass over the #tmall-sale transactions of ``year``: gross, revenue, VAT, refunds."""
    out: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"gross": ZERO, "revenue": ZERO, "output_vat": ZERO, "refunds": ZERO, "entries": 0}
    )
    revenue, prefix, vat = accounts.REVENUE, accounts.REVENUE + ":", accounts.OUTPUT_VAT
    transaction = data.Transaction
    for entry in entries:
        if type(entry) is not transaction or SALE_TAG not in entry.tags or entry.date.year != year:
            continue
        figures = out[month_of(entry.date)]
        figures["entries"] += 1
        for p in entry.postings:
            account = p.account
            if account == vat:
                key = "output_vat"
            elif account == revenue or account.startswith(prefix):
                key = "revenue"
            else:
                continue
            number = cny_amount(p)
            figures[key] -= number
            figures["gross"] -= number
            if number > 0:
                figures["refunds"] += number
    return out


def monthly_report(
    entries: Sequence[data.Directive],
    errors: Sequence[Any] = (),
    options: Mapping[str, Any] | None = None,
    year: int | None = None,
    as_of: datetime.date | None = None,
) -> MonthlyReport:
    """Compute the 月度对账 of ``year`` (default: the last year with Tmall data).

    The fee cells come from ``beancount_tmall.plugins.invoices.reconcile`` with the ledger's own
    ``invoices`` plugin config (receivables, due day, grace), so the page, the CLI and
    ``bean-check`` agree on every status. ``as_of`` defaults to the day the plugin judges at.
    """
    config_str = plugin_config(options, INVOICES_PLUGIN)
    config, _ = invoices.read_config(config_str)
    receivables = config["receivables"]
    if year is None:
        years = ledger_years(entries, receivables)
        year = years[-1] if years else (last_date(entries) or datetime.date.today()).year
    if as_of is None:
        as_of = last_date(entries)
    statuses = invoices.reconcile(entries, config_str, today=as_of)
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    month_set = set(months)
    by_cell = {(st.account, st.month): st for st in statuses if st.month in month_set}
    sales = _sales_by_month(entries, year)

    by_month: dict[str | None, list[ErrorLine]] = defaultdict(list)
    for error in errors:
        line = error_line(error)
        if line.month is None or line.month in month_set:
            by_month[line.month].append(line)

    rows = []
    counts: dict[str, int] = defaultdict(int)
    for month in months:
        figures = sales.get(month) or defaultdict(lambda: ZERO)
        month_sales = Sales(
            gross=Figure(figures["gross"], sales_query(month, "gross")),
            revenue=Figure(figures["revenue"], sales_query(month, "revenue")),
            output_vat=Figure(figures["output_vat"], sales_query(month, "output_vat")),
            refunds=Figure(figures["refunds"], sales_query(month, "refunds")),
            entries=int(figures["entries"] or 0),
        )
        cells = []
        for account, receivable in receivables.items():
            st = by_cell.get((account, month))
            due = st.due if st else due_date(month, config["due_day"], config["grace_days"])
            status = st.status if st else EMPTY
            counts[status] += 1
            cells.append(
                FeeCell(
                    account=account,
                    name=receivable.name,
                    month=month,
                    deducted=Figure(st.deducted if st else ZERO, deducted_query(account, month)),
                    invoiced=Figure(st.invoiced if st else ZERO, invoiced_query(account, month)),
                    accrued=Figure(st.accrued if st else ZERO, accrued_query(account, month)),
                    outstanding=st.outstanding if st else ZERO,
                    due=due,
                    status=status,
                )
            )
        rows.append(MonthRow(month, month_sales, tuple(cells), tuple(by_month.get(month, ()))))
    return MonthlyReport(
        year=year,
        as_of=as_of,
        fee_accounts=tuple(receivables),
        fee_names=tuple(r.name for r in receivables.values()),
        months=tuple(rows),
        other_errors=tuple(by_month.get(None, ())),
        status_counts=dict(counts),
    )


def text_table(rows: list[list[str]], left: Iterable[int] = (0,)) -> list[str]:
    """Right-aligned columns (those in ``left`` left-aligned), padded by display width."""
    left = frozenset(left)
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell + " " * (w - width(cell)) if i in left else " " * (w - width(cell)) + cell
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def render_text(report: MonthlyReport) -> str:
    """The 月度对账 as plain text: the months, then each fee type over the year.

    Used by ``tmall-books reconcile`` and the demo's summary; the same figures as the Fava page.
    """
    money = "{:,.2f}".format
    judged = (
        f"判断日 {report.as_of}, 即账簿最后日期 (judged at the ledger's last date)"
        if report.as_of
        else "账本中尚无交易 (the ledger has no transactions yet)"
    )
    lines = [f"天猫对账 {report.year}  {judged}", ""]
    rows = [["月份", "含税销售额", "退款", "主营业务收入", "销项税额", "平台扣费", "已开票", "未开票", "状态"]]
    for m in report.months:
        if not m.sales.entries and m.status == EMPTY and not m.errors:
            continue
        rows.append([
            m.month, money(m.sales.gross.amount), money(m.sales.refunds.amount),
            money(m.sales.revenue.amount), money(m.sales.output_vat.amount),
            money(m.fees_deducted), money(m.fees_invoiced), money(m.fees_outstanding),
            STATUS_LABELS.get(m.status, m.status) if m.status != EMPTY else "-",
        ])
    if len(rows) == 1:
        return "\n".join(lines + ["本年没有天猫销售或平台费用记录 (no Tmall data in this year)"]) + "\n"
    lines += text_table(rows)
    lines.append(
        "含税销售额 = 价税合计, 已减退款 (tax-inclusive sales net of refunds); "
        "平台扣费 = 下表各项费用 (the fees below)"
    )
    lines.append("")
    rows = [["费用", "扣费", "已开票", "计提", "未开票", "逾期/不符"]]
    for i, name in enumerate(report.fee_names):
        cells = [m.fees[i] for m in report.months]
        if all(c.status == EMPTY for c in cells):
            continue
        bad = sum(1 for c in cells if c.status in (OVERDUE, MISMATCH, NO_DEDUCTIONS))
        rows.append([
            name, money(sum((c.deducted.amount for c in cells), ZERO)),
            money(sum((c.invoiced.amount for c in cells), ZERO)),
            money(sum((c.accrued.amount for c in cells), ZERO)),
            money(sum((c.outstanding for c in cells), ZERO)), str(bad),
        ])
    lines += text_table(rows)
    errors = [e for m in report.months for e in m.errors] + list(report.other_errors)
    lines.append("")
    lines.append(f"错误 {len(errors)} 个 (errors: {len(errors)})")
    lines += [f"  {e.filename}:{e.lineno}: {e.message}" for e in errors[:50]]
    return "\n".join(lines) + "\n"
