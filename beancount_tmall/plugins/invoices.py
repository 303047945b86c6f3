"""Platform-fee receivables cleared by invoices; year-end accrual.

Seed 000 (二 to 六) books Tmall's and Alimama's fees in two steps. The deduction from Alipay goes
to a receivable, not to expense::

    借:其他应收款-淘宝客佣金            (天猫佣金 / 天猫积分 come with the sale entry)
    贷:其他货币资金-在途资金-支付宝

"当月发生的佣金支出于次月10号左右及时在天猫店铺后台向天猫做出开具佣金发票的申请,发票收到后":

    借:营业费用-店铺费用-天猫佣金
       应交税费-应交增值税(进项税额)
    贷:其他应收款-天猫佣金

and "年度之间不跨期,需进行计提" (nothing crosses the year: accrue at year end).

For each configured receivable (default: 天猫佣金, 天猫积分, 淘宝客佣金, 聚划算, 钻展, 直通车), and
each month M, the plugin checks that the amount **deducted** in M equals the amount **invoiced**
for M, to the cent:

* *deducted in M* = the net debits to the receivable dated in M, over transactions that are
  neither ``#invoice`` nor ``#accrual`` (give-backs such as 代扣交易退回积分 credit it and so
  reduce it);
* *invoiced for M* = the credits to the receivable in ``#invoice`` transactions whose ``period``
  metadata is ``"M"`` (a posting's own ``period`` overrides the transaction's), whatever their date.

Errors (each names the account, the month and the amounts): a mismatch once the invoice is due
(before that, a partial invoice is "awaiting invoice"; more invoiced than deducted is a mismatch
at once); an invoice still missing after its due day (the ``due_day`` of the next month plus
``grace_days``, judged against the last date in the ledger); an invoice for a month with no
deductions; an invoice without ``invoice-no`` or without ``period``; the same ``invoice-no`` twice.
Each is Chinese first, an English rendering after it, e.g.::

    天猫佣金 (Assets:1221-其他应收款:122101-天猫佣金) 2025-03: 扣款 5650.00 CNY, 已开票 5600.00 CNY
    (发票 25332000000012345678), 差额 50.00 CNY (deducted and invoiced differ)

**Compact invoices.** An ``#invoice`` transaction whose postings are all to configured
receivables is completed: each receivable credit (价税合计) gets its expense and 进项税额 at the
receivable's invoice VAT rate (default 6%), half-up, summing back::

    2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
      invoice-no: "25332000000012345678"
      period: "2025-03"
      Assets:1221-其他应收款:122101-天猫佣金   -5650.00 CNY

becomes::

    2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
      invoice-no: "25332000000012345678"
      period: "2025-03"
      Expenses:6601-销售费用:660101-天猫佣金                           5330.19 CNY
        invoice-split: TRUE
      Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额     319.81 CNY
        invoice-split: TRUE
      Assets:1221-其他应收款:122101-天猫佣金                          -5650.00 CNY

A full invoice (with any other posting) is left as written.

**Taxpayer type and invoice type** (``beancount_tmall.tax``). A compact invoice's VAT is 进项税额
only when it is deductible: the store is a 一般纳税人 on the invoice's day and the invoice is a 专票
(``invoice-type: "专票"``, or no ``invoice-type``: the register's default). A 普票, or any invoice
of a 小规模纳税人, goes to expense whole::

    2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
      invoice-no: "25332000000012345678"
      period: "2025-03"
      invoice-type: "普票"
      Expenses:6601-销售费用:660101-天猫佣金      5650.00 CNY
        invoice-split: TRUE
      Assets:1221-其他应收款:122101-天猫佣金     -5650.00 CNY

``vat-rate`` metadata on a compact invoice (e.g. ``"0.03"`` for a 3% invoice written by hand) sets
the rate of its split. An unreadable ``vat-rate`` or ``invoice-type`` is an error (the invoice is
then split at the receivable's rate, and an unknown type is not deducted).

**Accrual** (权责发生制; seed: "在年末或某些时点需进行审计的话,按权责发生制记账,即将当月佣金计入当月").
At each accrual point the ledger has reached (last date ≥ the point): every year end
(``accrue_at: 'year'``, the default), every quarter end (``'quarter'``) or every month end
(``'month'``), the deductions of each month up to the point not invoiced by an invoice dated on or
before it are accrued. With ``'accrue': True`` the plugin generates, per receivable and month, an
accrual on the point and its reversal on the next day, both tagged ``#accrual``, linked
``^accrual-<code>-<Y>`` (``-<YYYY-MM>`` of the point for quarter and month ends) and with
``period: "YYYY-MM"``::

    2025-12-31 * "天猫佣金 2025-12 年末计提" #accrual ^accrual-122101-2025
      period: "2025-12"
      Expenses:6601-销售费用:660101-天猫佣金                      5330.19 CNY
      Liabilities:2221-应交税费:222103-待认证进项税额               319.81 CNY
      Assets:1221-其他应收款:122101-天猫佣金                     -5650.00 CNY

    2026-01-01 * "天猫佣金 2025-12 计提冲回" #accrual ^accrual-122101-2025
      period: "2025-12"
      Assets:1221-其他应收款:122101-天猫佣金                      5650.00 CNY
      Liabilities:2221-应交税费:222103-待认证进项税额              -319.81 CNY
      Expenses:6601-销售费用:660101-天猫佣金                     -5330.19 CNY

The whole uninvoiced deduction leaves 其他应收款 (which then means only money Tmall owes the store:
deposits, refunds due); the expense is the amount *net of VAT* (``accrue_basis: 'net'``, the
default): that is the expense the invoice will book, so each period carries its own expense
exactly; the VAT waits in ``222103-待认证进项税额`` (``uncertified_vat_account``) until the invoice
makes it 进项税额. With ``'gross'``, or for a 小规模纳税人 (nothing deductible), the expense takes
the whole amount. The reversal restores the receivable, so the invoice clears it as in any other
month. Existing ``#accrual`` entries on the point crediting the receivable (hand-written, or the
link already present) are not duplicated; their credit must equal the uninvoiced amount. Without
``accrue`` and without such entries, an unaccrued year-end balance is an error (quarter and month
ends are accrued only when ``accrue`` is on).

Config (Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.invoices" "{'grace_days': 5, 'accrue': True, 'accrue_at': 'year',
      'receivables': {'Assets:1221-其他应收款:122103-淘宝客佣金': {'vat_rate': '0.06'}}}"

``receivables`` maps a receivable account to ``{'name', 'expense', 'vat_rate'}`` and is merged
over the defaults (a value of ``None`` drops a receivable).

**Plugin order.** The ``sales`` plugin adds the estimated 天猫佣金/天猫积分 deductions of
hand-written sales, so it must be listed before this one: when the ledger lists
``beancount_tmall.plugins.sales`` after ``beancount_tmall.plugins.invoices``, the plugin still
completes compact invoices and checks invoice numbers, but returns one error asking to list
``sales`` first instead of reconciling (which would report false mismatches).

``reconcile(entries, config)`` returns the per-(receivable, month) figures and status the Fava
page and the reports show; the plugin's errors are derived from it.
"""

from __future__ import annotations

import collections
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data

from beancount_tmall import accounts, tax
from beancount_tmall.plugins._common import (
    INVOICE_SPLIT_META,
    ZERO,
    PluginError,
    add_months,
    due_date,
    invoice_split,
    judged_date,
    location,
    make_error,
    month_last,
    order_error,
    parse_config,
    parse_month,
    posting,
    report_once,
    split_inclusive,
    to_decimal,
)

__plugins__ = ("invoices",)

PLUGIN = "beancount_tmall.plugins.invoices"
#: Must run before this one: it adds the estimated 122101/122102 deductions.
SALES_PLUGIN = "beancount_tmall.plugins.sales"

#: Metadata set on the expense and 进项税额 postings the plugin adds to a compact invoice.
SPLIT_META = INVOICE_SPLIT_META

#: Default receivables: account -> Chinese name and expense account (DESIGN §2).
DEFAULT_RECEIVABLES: dict[str, dict[str, Any]] = {
    accounts.COMMISSION_RECEIVABLE: {"name": "天猫佣金", "expense": accounts.COMMISSION_EXPENSE},
    accounts.POINTS_RECEIVABLE: {"name": "天猫积分", "expense": accounts.POINTS_EXPENSE},
    accounts.TAOBAOKE_RECEIVABLE: {"name": "淘宝客佣金", "expense": accounts.TAOBAOKE_EXPENSE},
    accounts.JUHUASUAN_RECEIVABLE: {"name": "聚划算", "expense": accounts.JUHUASUAN_EXPENSE},
    accounts.ZUANZHAN_RECEIVABLE: {"name": "钻展", "expense": accounts.ZUANZHAN_EXPENSE},
    accounts.ZHITONGCHE_RECEIVABLE: {"name": "直通车", "expense": accounts.ZHITONGCHE_EXPENSE},
}

DEFAULTS: dict[str, Any] = {
    "receivables": {},
    "vat_rate": "0.06",
    "due_day": 10,
    "grace_days": 5,
    "accrue": False,
    "accrue_at": "year",
    "accrue_basis": "net",
    "invoice_tag": "invoice",
    "accrual_tag": "accrual",
    "input_vat_account": accounts.INPUT_VAT,
    "uncertified_vat_account": accounts.UNCERTIFIED_INPUT_VAT,
}

# Statuses of a (receivable, month).
MATCHED = "matched"
AWAITING = "awaiting invoice"
OVERDUE = "overdue"
MISMATCH = "mismatch"
ACCRUED = "accrued"
NO_DEDUCTIONS = "no-deductions"
#: Statuses that are errors.
ERROR_STATUSES = frozenset({OVERDUE, MISMATCH, NO_DEDUCTIONS})


@dataclass(frozen=True)
class Receivable:
    """One configured receivable: its account, Chinese name, expense account and invoice VAT rate."""

    account: str
    name: str
    expense: str
    vat_rate: Decimal

    @property
    def code(self) -> str:
        """The 科目编码 of the account's leaf, e.g. ``"122101"``."""
        return account_lib.leaf(self.account).partition("-")[0]


@dataclass(frozen=True)
class MonthStatus:
    """Where one receivable stands for one month (what the 天猫对账 page shows per row).

    Amounts are positive for a deduction (a debit to the receivable).

    Attributes:
      account: the receivable account, e.g. ``Assets:1221-其他应收款:122101-天猫佣金``.
      name: its Chinese name, e.g. ``天猫佣金``.
      month: ``"YYYY-MM"``.
      deducted: net debits to the receivable dated in the month (not #invoice, not #accrual).
      invoiced: credits in #invoice transactions whose ``period`` is the month (any date).
      accrued: the latest accrual booked for the month (credit to the receivable at an accrual
        point in #accrual transactions, 价税合计), 0 if none.
      due: the day the invoice is due (``due_day`` of the next month + ``grace_days``).
      status: one of ``matched``, ``awaiting invoice``, ``overdue``, ``mismatch``, ``accrued``,
        ``no-deductions``.
      currency: the currency of the amounts (CNY).
      invoices: the #invoice transactions for the month (for links into the journal).
      deductions: the transactions that deducted in the month.
    """

    account: str
    name: str
    month: str
    deducted: Decimal
    invoiced: Decimal
    accrued: Decimal
    due: datetime.date
    status: str
    currency: str = accounts.CURRENCY
    invoices: tuple = field(default=(), repr=False, compare=False)
    deductions: tuple = field(default=(), repr=False, compare=False)

    @property
    def outstanding(self) -> Decimal:
        """Deducted but not (yet) invoiced; negative when more was invoiced."""
        return self.deducted - self.invoiced

    @property
    def is_error(self) -> bool:
        """True for ``overdue``, ``mismatch`` and ``no-deductions``."""
        return self.status in ERROR_STATUSES


# --------------------------------------------------------------------------- plugin


def invoices(entries: data.Entries, options_map: dict, config_str: str | None = None):
    """Complete compact invoices, generate year-end accruals, reconcile deductions vs invoices.

    Args:
      entries: A list of directives.
      options_map: The options map (its ``plugin`` list: the ``sales`` plugin must come first).
      config_str: A Python dict literal overriding ``DEFAULTS``.
    Returns:
      The entries (invoices completed, accruals added) and a list of errors.
    """
    config, errors = read_config(config_str)
    receivables = config["receivables"]
    payers = tax.timeline(entries)

    new_entries = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and config["invoice_tag"] in entry.tags:
            entry = _complete_invoice(entry, receivables, config, payers)
        new_entries.append(entry)

    errors.extend(_check_invoice_numbers(new_entries, receivables, config))

    wrong_order = order_error(
        options_map,
        PLUGIN,
        SALES_PLUGIN,
        "sales 插件为手工录入的销售估算天猫佣金/天猫积分扣款, 须先运行; 在此之前不核对扣款与发票, "
        "也不检查年末计提",
    )
    if wrong_order:
        errors.append(wrong_order)
        return new_entries, report_once(options_map, PLUGIN, errors)

    today = judged_date(entries, (config["accrual_tag"],))

    scan = _scan(new_entries, config)
    accruals, year_errors = _year_end(scan, config, today, payers)
    errors.extend(year_errors)
    if accruals:
        _scan(accruals, config, into=scan)
        new_entries.extend(accruals)
        new_entries.sort(key=data.entry_sortkey)

    for status in _statuses(scan, config, today):
        if status.is_error:
            errors.append(_status_error(status, today))
    return new_entries, report_once(options_map, PLUGIN, errors)


# --------------------------------------------------------------------------- config


def read_config(config: str | Mapping | None) -> tuple[dict[str, Any], list[PluginError]]:
    """Parse the plugin config (a dict literal, or an already-parsed dict) into typed values.

    ``config["receivables"]`` becomes ``{account: Receivable}``.
    """
    config, errors = parse_config(config, DEFAULTS, PLUGIN)
    source = data.new_metadata(f"<{PLUGIN}>", 0)

    def bad(message):
        errors.append(PluginError(source, f"{PLUGIN}: {message}", None))

    try:
        default_rate = to_decimal(config["vat_rate"])
    except ValueError:
        bad(
            f"vat_rate 不是税率: {config['vat_rate']!r}; 按 {DEFAULTS['vat_rate']} 处理 "
            f"(vat_rate is not a rate)"
        )
        default_rate = to_decimal(DEFAULTS["vat_rate"])
    config["vat_rate"] = default_rate
    for key in ("due_day", "grace_days"):
        if not isinstance(config[key], int) or isinstance(config[key], bool):
            bad(f"{key} 须为整数, 实为 {config[key]!r}; 按 {DEFAULTS[key]} 处理 ({key} must be an integer)")
            config[key] = DEFAULTS[key]
    if not 1 <= config["due_day"] <= 28:
        bad(
            f"due_day 须在 1 到 28 之间, 实为 {config['due_day']}; 按 {DEFAULTS['due_day']} 处理 "
            f"(due_day must be 1..28)"
        )
        config["due_day"] = DEFAULTS["due_day"]
    if config["accrue_at"] not in ACCRUAL_MONTHS:
        bad(
            f"accrue_at 须为 'year', 'quarter' 或 'month', 实为 {config['accrue_at']!r}; 按 'year' 处理 "
            f"(accrue_at must be 'year', 'quarter' or 'month')"
        )
        config["accrue_at"] = "year"
    for key in ("input_vat_account", "uncertified_vat_account"):
        if not account_lib.is_valid(config[key]):
            bad(f"{key} 不是有效科目: {config[key]!r}; 按 {DEFAULTS[key]} 处理 (not a valid account)")
            config[key] = DEFAULTS[key]
    if config["accrue_basis"] not in ("net", "gross"):
        bad(
            f"accrue_basis 须为 'net' 或 'gross', 实为 {config['accrue_basis']!r}; 按 'net' 处理 "
            f"(accrue_basis must be 'net' or 'gross')"
        )
        config["accrue_basis"] = "net"

    given = config["receivables"]
    if not isinstance(given, Mapping):
        bad(f"receivables 须为字典, 实为 {given!r} (receivables must be a dict)")
        given = {}
    merged: dict[str, dict[str, Any] | None] = {k: dict(v) for k, v in DEFAULT_RECEIVABLES.items()}
    for acct, spec in given.items():
        if spec is None:
            merged[acct] = None
        elif isinstance(spec, Mapping):
            merged[acct] = {**(merged.get(acct) or {}), **spec}
        else:
            bad(
                f"receivables[{acct!r}] 须为含 name/expense/vat_rate 的字典, 实为 {spec!r} "
                f"(must be a dict)"
            )
    receivables: dict[str, Receivable] = {}
    for acct, spec in merged.items():
        if spec is None:
            continue
        expense = spec.get("expense")
        if not account_lib.is_valid(acct) or not expense or not account_lib.is_valid(expense):
            bad(
                f"receivables[{acct!r}]: 须有有效的应收科目和 'expense' 费用科目, 实为 {spec!r} "
                f"(needs a valid receivable and expense account)"
            )
            continue
        try:
            rate = to_decimal(spec["vat_rate"]) if "vat_rate" in spec else default_rate
        except ValueError:
            bad(f"receivables[{acct!r}]: vat_rate 不是税率: {spec['vat_rate']!r} (not a rate)")
            rate = default_rate
        receivables[acct] = Receivable(
            acct, spec.get("name") or account_lib.leaf(acct), expense, rate
        )
    config["receivables"] = receivables
    return config, errors


# --------------------------------------------------------------------------- invoices


def _period_of(entry: data.Transaction, p: data.Posting | None = None) -> str | None:
    """The ``period`` of an invoice posting ("YYYY-MM"), or None if absent or unreadable."""
    value = (p.meta or {}).get("period") if p is not None else None
    if value is None:
        value = entry.meta.get("period")
    if value is None:
        return None
    try:
        year, month = parse_month(value)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}"


def _complete_invoice(
    entry: data.Transaction, receivables: dict, config: dict, payers: tax.Timeline | None = None
) -> data.Transaction:
    """Compact form (only receivable postings) → add expense + 进项税额 per receivable posting.

    The VAT is 进项税额 only when deductible (``tax.deductible``: a 一般纳税人 on the invoice's day,
    and ``invoice-type`` 专票 or not stated); otherwise the expense takes the whole 价税合计.
    ``vat-rate`` metadata on the invoice overrides the receivable's rate.
    """
    if not entry.postings or any(p.account not in receivables for p in entry.postings):
        return entry
    payer = (payers or tax.Timeline()).at(entry.date)
    deductible = tax.deductible(payer, entry.meta.get("invoice-type"))
    given = entry.meta.get("vat-rate")
    added = []
    for p in entry.postings:
        rec = receivables[p.account]
        rate = rec.vat_rate
        if given is not None:
            try:
                rate = to_decimal(given)
            except ValueError:
                pass  # reported by _check_invoice_numbers
        added += invoice_split(
            entry, p, rec.expense, config["input_vat_account"], rate, deductible
        )
    return entry._replace(postings=added + list(entry.postings))


def _check_invoice_numbers(
    entries: data.Entries, receivables: dict, config: dict
) -> list[PluginError]:
    """Every #invoice touching a receivable has an ``invoice-no`` and a ``period``; numbers unique."""
    errors = []
    seen: dict[str, data.Transaction] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or config["invoice_tag"] not in entry.tags:
            continue
        ours = [p for p in entry.postings if p.account in receivables]
        if not ours:
            continue
        names = "、".join(sorted({receivables[p.account].name for p in ours}))
        number = entry.meta.get("invoice-no")
        if number in (None, ""):
            errors.append(
                make_error(
                    entry,
                    f"{names} 发票 (开票日 {entry.date}) 缺少发票号码 invoice-no (invoice has no invoice-no)",
                )
            )
        else:
            number = str(number)
            if number in seen:
                errors.append(
                    make_error(
                        entry,
                        f"{names} 发票号码 {number} 重复: 此处和 {location(seen[number])} "
                        f"(invoice-no used twice)",
                    )
                )
            else:
                seen[number] = entry
        for p in ours:
            if _period_of(entry, p) is None:
                shown = (p.meta or {}).get("period", entry.meta.get("period"))
                errors.append(
                    make_error(
                        entry,
                        f"{receivables[p.account].name} 发票 (开票日 {entry.date}): 所属期间 period "
                        f'{"缺失" if shown is None else repr(shown)}, 应为 "YYYY-MM" '
                        f"(period missing or not a month)",
                    )
                )
        given = entry.meta.get("vat-rate")
        if given is not None:
            try:
                to_decimal(given)
            except ValueError:
                errors.append(make_error(
                    entry,
                    f"{names} 发票 (开票日 {entry.date}): vat-rate {given!r} 不是税率, 按 "
                    f"{'、'.join(sorted({str(receivables[p.account].vat_rate) for p in ours}))} 拆分 "
                    f"(vat-rate is not a rate)",
                ))
        kind = entry.meta.get("invoice-type")
        if kind is not None:
            try:
                tax.invoice_type(kind)
            except ValueError as exc:
                errors.append(make_error(entry, f"{names} 发票 (开票日 {entry.date}): {exc}; 按普票处理 (不抵扣)"))
    return errors


# --------------------------------------------------------------------------- reconciliation


@dataclass
class _Month:
    deducted: Decimal = ZERO
    invoiced: Decimal = ZERO
    invoiced_on: list = field(default_factory=list)  # (invoice date, amount)
    accruals: dict = field(default_factory=dict)  # accrual date -> receivable credit
    invoices: list = field(default_factory=list)
    deductions: list = field(default_factory=list)

    def invoiced_by(self, date: datetime.date) -> Decimal:
        """Invoiced for the month by invoices dated on or before ``date``."""
        return sum((amount for day, amount in self.invoiced_on if day <= date), ZERO)

    @property
    def accrued(self) -> Decimal:
        """The latest accrual booked for the month (the receivable credit), 0 if none."""
        return self.accruals[max(self.accruals)] if self.accruals else ZERO

    @property
    def year_end_accrued(self) -> bool:
        """Whether the month was accrued at a year end (its expense crossed into the year)."""
        return any((d.month, d.day) == (12, 31) and a for d, a in self.accruals.items())


@dataclass
class _Scan:
    months: dict  # (account, "YYYY-MM") -> _Month
    accrual_totals: dict  # (account, accrual date) -> Decimal (receivable credits that day)
    accrual_entries: dict  # (account, accrual date) -> first accrual entry
    currency: dict  # account -> currency seen


def _scan(entries: data.Entries, config: dict, into: _Scan | None = None) -> _Scan:
    """Deducted / invoiced / accrued per (receivable, month); adds to ``into`` when given.

    In an ``#accrual`` transaction a credit to the receivable is an accrual (dated at its accrual
    point), a debit its reversal (not counted).
    """
    receivables = config["receivables"]
    if into is None:
        into = _Scan(collections.defaultdict(_Month), collections.defaultdict(Decimal), {}, {})
    months, totals = into.months, into.accrual_totals
    accrual_entries, currency = into.accrual_entries, into.currency
    invoice_tag, accrual_tag = config["invoice_tag"], config["accrual_tag"]
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = month = None
        for p in entry.postings:
            if p.account not in receivables:
                continue
            if kind is None:  # once per entry, and only for entries touching a receivable
                tags = entry.tags
                kind = "invoice" if invoice_tag in tags else "accrual" if accrual_tag in tags else ""
                month = f"{entry.date.year:04d}-{entry.date.month:02d}"
            number = p.units.number
            currency.setdefault(p.account, p.units.currency)
            if kind == "invoice":
                period = _period_of(entry, p)
                if period is None:
                    continue
                m = months[(p.account, period)]
                m.invoiced -= number
                m.invoiced_on.append((entry.date, -number))
                if not m.invoices or m.invoices[-1] is not entry:
                    m.invoices.append(entry)
            elif kind == "accrual":
                if number >= 0:
                    continue  # the reversal
                key = (p.account, entry.date)
                totals[key] -= number
                accrual_entries.setdefault(key, entry)
                period = _period_of(entry, p) or month
                accruals = months[(p.account, period)].accruals
                accruals[entry.date] = accruals.get(entry.date, ZERO) - number
            else:
                m = months[(p.account, month)]
                m.deducted += number
                if not m.deductions or m.deductions[-1] is not entry:
                    m.deductions.append(entry)
    return into


def _status(m: _Month, due: datetime.date, today: datetime.date | None) -> str | None:
    d, i = m.deducted, m.invoiced
    if not d and not i:
        return ACCRUED if m.accrued else None
    if not d:
        return NO_DEDUCTIONS
    if i == d:
        return ACCRUED if m.year_end_accrued else MATCHED
    past_due = today is not None and today > due
    over = i and (i * d < 0 or abs(i) > abs(d))
    if past_due:
        return MISMATCH if i else OVERDUE
    if over:
        return MISMATCH
    return ACCRUED if m.accrued else AWAITING


def _statuses(scan: _Scan, config: dict, today: datetime.date | None) -> list[MonthStatus]:
    out = []
    receivables = config["receivables"]
    for (acct, month), m in sorted(scan.months.items()):
        due = due_date(month, config["due_day"], config["grace_days"])
        status = _status(m, due, today)
        if status is None:
            continue
        out.append(
            MonthStatus(
                acct,
                receivables[acct].name,
                month,
                m.deducted,
                m.invoiced,
                m.accrued,
                due,
                status,
                scan.currency.get(acct, accounts.CURRENCY),
                tuple(m.invoices),
                tuple(m.deductions),
            )
        )
    return out


def plugin_config(options_map: Mapping) -> str | None:
    """The config string the ledger gives this plugin (``plugin "...invoices" "{...}"``), if any.

    For callers of ``reconcile`` that hold the loader's ``options_map`` (the Fava page, reports).
    """
    for name, config in options_map.get("plugin", ()):
        if name == PLUGIN:
            return config
    return None


def reconcile(
    entries: data.Entries,
    config: str | Mapping | None = None,
    today: datetime.date | None = None,
) -> list[MonthStatus]:
    """Deducted vs invoiced vs accrued, per configured receivable and month, with a status.

    Pure: reads ``entries`` (normally the loaded entries, after this plugin ran, so compact
    invoices are completed and accruals present) and returns one ``MonthStatus`` per
    (receivable, month) with any deduction, invoice or accrual, sorted by account then month.

    Args:
      entries: directives, as returned by ``beancount.loader.load_file``.
      config: the plugin's config string (as in the ledger's ``plugin`` line; get it with
        ``plugin_config(options_map)``) or a dict with the same keys; None for the defaults.
        Invalid keys are ignored here (the plugin reports them).
      today: the day the status is judged at (due dates); default the last date in the ledger
        (accrual reversals dated after it do not count).
    Returns:
      A list of ``MonthStatus``. ``status`` is ``matched`` (invoiced == deducted), ``awaiting
      invoice`` (not yet due), ``overdue`` (nothing invoiced after the due day), ``mismatch``
      (amounts differ once due, or more invoiced than deducted), ``accrued`` (a year-end accrual
      covers the month and the amounts do not disagree), or ``no-deductions`` (invoice for a
      month with nothing deducted).

    Example::

        entries, _, options = loader.load_file("main.beancount")
        for row in reconcile(entries, plugin_config(options)):
            print(row.name, row.month, row.deducted, row.invoiced, row.status)
    """
    config, _ = read_config(config)
    if today is None:
        today = judged_date(entries, (config["accrual_tag"],))
    return _statuses(_scan(entries, config), config, today)


# --------------------------------------------------------------------------- accrual points

#: ``accrue_at`` → the months whose last day is an accrual point.
ACCRUAL_MONTHS = {"year": (12,), "quarter": (3, 6, 9, 12), "month": tuple(range(1, 13))}
_POINT_WORDS = {"year": "年末", "quarter": "季末", "month": "月末"}


def accrual_points(first: str, today: datetime.date, accrue_at: str = "year") -> list[datetime.date]:
    """The accrual points (month, quarter or year ends) from month ``first`` up to ``today``."""
    out = []
    month = first
    while True:
        last = month_last(month)
        if last > today:
            return out
        if last.month in ACCRUAL_MONTHS[accrue_at]:
            out.append(last)
        month = add_months(month, 1)


def _point_word(date: datetime.date, accrue_at: str) -> str:
    return "年末" if (date.month, date.day) == (12, 31) else _POINT_WORDS[accrue_at]


def _year_end(scan: _Scan, config: dict, today: datetime.date | None, payers=None):
    """Accruals to generate (if ``accrue``) and errors, for each accrual point the ledger reached.

    At each point D (``accrue_at``: year, quarter or month ends, D ≤ the judged day) the deductions
    of each month up to D not invoiced by an invoice dated on or before D are accrued: the
    receivable is credited with the whole uninvoiced amount (价税合计), the expense debited with the
    amount net of the invoice's VAT and ``222103-待认证进项税额`` with the VAT (``accrue_basis``
    ``'gross'``, or a taxpayer that cannot deduct, puts it all on the expense). Missing accruals
    are errors only at year ends (nothing crosses the year) when ``accrue`` is off.
    """
    if today is None or not scan.months:
        return [], []
    receivables = config["receivables"]
    accrue_at = config["accrue_at"]
    payers = payers if payers is not None else tax.Timeline()
    first = min(month for _, month in scan.months)
    points = accrual_points(first, today, accrue_at)
    # (account, D) -> [(month, uninvoiced, expense, vat, m)]
    needed: dict = collections.defaultdict(list)
    for point in points:
        deductible = payers.at(point).deductible_input and config["accrue_basis"] == "net"
        for (acct, month), m in sorted(scan.months.items()):
            if month_last(month) > point:
                continue
            uninvoiced = m.deducted - m.invoiced_by(point)
            if uninvoiced <= 0:
                continue
            rec = receivables[acct]
            expense, vat = (
                split_inclusive(uninvoiced, rec.vat_rate) if deductible else (uninvoiced, ZERO)
            )
            needed[(acct, point)].append((month, uninvoiced, expense, vat, m))

    for key in set(scan.accrual_totals) - set(needed):
        if scan.accrual_totals[key] and key[1] in points:
            needed[key] = []  # an accrual with nothing uninvoiced to accrue: checked below
    accruals, errors = [], []
    for (acct, point), items in sorted(needed.items()):
        rec = receivables[acct]
        expected = sum((uninvoiced for _, uninvoiced, _, _, _ in items), ZERO)
        currency = scan.currency.get(acct, accounts.CURRENCY)
        months = (
            ", ".join(f"{month} {uninvoiced} {currency}" for month, uninvoiced, _, _, _ in items)
            or "无"
        )
        word = _point_word(point, accrue_at)
        existing = scan.accrual_totals.get((acct, point))
        if existing is not None:
            if existing != expected:
                errors.append(
                    make_error(
                        scan.accrual_entries[(acct, point)],
                        f"{rec.name} ({acct}) {point} {word}计提贷记其他应收款 {existing} {currency}, "
                        f"应为 {expected} {currency} (未开票部分 {months} 的价税合计; 费用记不含税金额, "
                        f"税额记 {config['uncertified_vat_account']}) "
                        f"(accrual differs from the uninvoiced amount)",
                    )
                )
            continue
        if not config["accrue"]:
            if (point.month, point.day) != (12, 31):
                continue
            last = items[-1][4]
            errors.append(
                make_error(
                    last.deductions[-1] if last.deductions else None,
                    f"{rec.name} ({acct}) {point.year} 年的扣款至 {point} 未开票也未计提: {months} "
                    f"(年度之间不跨期: 在插件配置中设 'accrue': True, 或手工写 #accrual 分录) "
                    f"(deducted but neither invoiced nor accrued by year end)",
                )
            )
            continue
        for month, _, expense, vat, m in items:
            accruals.extend(_accrual_pair(rec, point, month, expense, vat, currency, config, m))
    return accruals, errors


def _accrual_pair(
    rec: Receivable, point: datetime.date, month: str, expense: Decimal, vat: Decimal,
    currency: str, config, m,
):
    """The accrual at ``point`` (Dr expense, Dr 待认证进项税额, Cr receivable) and its reversal on
    the next day, linked ``^accrual-<code>-<YYYY>`` (year ends) or ``-<YYYY-MM>`` (other points)."""
    origin = m.deductions[-1].meta if m.deductions else data.new_metadata(f"<{PLUGIN}>", 0)
    accrue_at = config["accrue_at"]
    suffix = f"{point.year}" if accrue_at == "year" else f"{point:%Y-%m}"
    link = f"accrual-{rec.code}-{suffix}"
    tags = frozenset({config["accrual_tag"]})
    word = _point_word(point, accrue_at)
    out = []
    for date, sign, narration in (
        (point, 1, f"{rec.name} {month} {word}计提"),
        (point + datetime.timedelta(days=1), -1, f"{rec.name} {month} 计提冲回"),
    ):
        meta = data.new_metadata(origin["filename"], origin["lineno"], {"period": month})
        postings = [posting(rec.expense, sign * expense, currency)]
        if vat:
            postings.append(posting(config["uncertified_vat_account"], sign * vat, currency))
        postings.append(posting(rec.account, -sign * (expense + vat), currency))
        postings = postings[::sign]  # the reversal lists the receivable first: 借 其他应收款 / 贷 费用
        out.append(
            data.Transaction(meta, date, "*", None, narration, tags, frozenset({link}), postings)
        )
    return out


def _status_error(status: MonthStatus, today: datetime.date | None) -> PluginError:
    cur = status.currency
    what = f"{status.name} ({status.account}) {status.month}"
    nos = ", ".join(str(e.meta.get("invoice-no")) for e in status.invoices)
    if status.status == NO_DEDUCTIONS:
        return make_error(
            status.invoices[0],
            f"{what}: 已开票 {status.invoiced} {cur} (发票 {nos}), 但当月没有扣款 "
            f"(invoiced but nothing was deducted that month)",
        )
    entry = (
        status.deductions[-1]
        if status.deductions
        else (status.invoices[0] if status.invoices else None)
    )
    if status.status == OVERDUE:
        return make_error(
            entry,
            f"{what}: 扣款 {status.deducted} {cur}, 截至开票截止日 {status.due} 仍无发票 "
            f"(账簿截至 {today}) (no invoice by its due day)",
        )
    return make_error(
        entry,
        f"{what}: 扣款 {status.deducted} {cur}, 已开票 {status.invoiced} {cur} (发票 {nos}), "
        f"差额 {status.outstanding} {cur} (deducted and invoiced differ)",
    )
