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

**Year end.** For each year Y the ledger has reached (last date ≥ Y-12-31), the deductions of each
month of Y not invoiced by an invoice dated on or before Y-12-31 must be accrued. With
``'accrue': True`` the plugin generates, per receivable and month, an accrual on Y-12-31 and
its reversal on Y+1-01-01, both tagged ``#accrual``, linked ``^accrual-<code>-<Y>`` and with
``period: "YYYY-MM"``::

    2025-12-31 * "天猫佣金 2025-12 年末计提" #accrual ^accrual-122101-2025
      period: "2025-12"
      Expenses:6601-销售费用:660101-天猫佣金    5330.19 CNY
      Assets:1221-其他应收款:122101-天猫佣金   -5330.19 CNY

    2026-01-01 * "天猫佣金 2025-12 计提冲回" #accrual ^accrual-122101-2025
      period: "2025-12"
      Assets:1221-其他应收款:122101-天猫佣金    5330.19 CNY
      Expenses:6601-销售费用:660101-天猫佣金   -5330.19 CNY

The accrual is the amount *net of VAT* (``accrue_basis: 'net'``, the default): that is the
expense the January invoice will book, so each year carries its own expense exactly, and the VAT
part stays in 其他应收款 until the invoice makes it 进项税额. (``'gross'`` accrues the whole
deduction instead.) The reversal restores the receivable, so the January invoice clears it as in
any other month. Existing ``#accrual`` entries on Y-12-31 for the receivable (hand-written, or the
link already present) are not duplicated; their total must equal the expected accrual. Without
``accrue`` and without such entries, an unaccrued year-end balance is an error.

Config (Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.invoices" "{'grace_days': 5, 'accrue': True,
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

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    INVOICE_SPLIT_META,
    ZERO,
    PluginError,
    due_date,
    invoice_split,
    judged_date,
    location,
    make_error,
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
    "accrue_basis": "net",
    "invoice_tag": "invoice",
    "accrual_tag": "accrual",
    "input_vat_account": accounts.INPUT_VAT,
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
      accrued: year-end accrual booked for the month (credit to the receivable on 12-31 in
        #accrual transactions), 0 if none.
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

    new_entries = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and config["invoice_tag"] in entry.tags:
            entry = _complete_invoice(entry, receivables, config)
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
    accruals, year_errors = _year_end(scan, config, today)
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


def _complete_invoice(entry: data.Transaction, receivables: dict, config: dict) -> data.Transaction:
    """Compact form (only receivable postings) → add expense + 进项税额 per receivable posting."""
    if not entry.postings or any(p.account not in receivables for p in entry.postings):
        return entry
    added = []
    for p in entry.postings:
        rec = receivables[p.account]
        added += invoice_split(entry, p, rec.expense, config["input_vat_account"], rec.vat_rate)
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
    return errors


# --------------------------------------------------------------------------- reconciliation


@dataclass
class _Month:
    deducted: Decimal = ZERO
    invoiced: Decimal = ZERO
    invoiced_by_year_end: Decimal = ZERO
    accrued: Decimal = ZERO
    invoices: list = field(default_factory=list)
    deductions: list = field(default_factory=list)


@dataclass
class _Scan:
    months: dict  # (account, "YYYY-MM") -> _Month
    accrual_totals: dict  # (account, year) -> Decimal (credits on Y-12-31)
    accrual_entries: dict  # (account, year) -> first accrual entry
    currency: dict  # account -> currency seen


def _scan(entries: data.Entries, config: dict, into: _Scan | None = None) -> _Scan:
    """Deducted / invoiced / accrued per (receivable, month); adds to ``into`` when given."""
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
                if entry.date.year <= int(period[:4]):
                    m.invoiced_by_year_end -= number
                if not m.invoices or m.invoices[-1] is not entry:
                    m.invoices.append(entry)
            elif kind == "accrual":
                if (entry.date.month, entry.date.day) != (12, 31):
                    continue  # the reversal
                key = (p.account, entry.date.year)
                totals[key] -= number
                accrual_entries.setdefault(key, entry)
                period = _period_of(entry, p) or f"{entry.date.year:04d}-12"
                months[(p.account, period)].accrued -= number
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
        return ACCRUED if m.accrued else MATCHED
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


# --------------------------------------------------------------------------- year end


def _year_end(scan: _Scan, config: dict, today: datetime.date | None):
    """Accruals to generate (if ``accrue``) and errors, for each year the ledger has reached."""
    if today is None:
        return [], []
    receivables = config["receivables"]
    needed: dict = collections.defaultdict(
        list
    )  # (account, year) -> [(month, uninvoiced, expected)]
    for (acct, month), m in sorted(scan.months.items()):
        year = parse_month(month)[0]
        if today < datetime.date(year, 12, 31):
            continue
        uninvoiced = m.deducted - m.invoiced_by_year_end
        if uninvoiced <= 0:
            continue
        rec = receivables[acct]
        amount = (
            split_inclusive(uninvoiced, rec.vat_rate)[0]
            if config["accrue_basis"] == "net"
            else uninvoiced
        )
        needed[(acct, year)].append((month, uninvoiced, amount, m))

    accruals, errors = [], []
    for key in set(scan.accrual_totals) - set(needed):
        acct, year = key
        if scan.accrual_totals[key]:
            needed[key] = []  # an accrual with nothing uninvoiced to accrue: checked below
    for (acct, year), items in sorted(needed.items()):
        rec = receivables[acct]
        expected = sum((amount for _, _, amount, _ in items), ZERO)
        currency = scan.currency.get(acct, accounts.CURRENCY)
        months = (
            ", ".join(f"{month} {uninvoiced} {currency}" for month, uninvoiced, _, _ in items)
            or "无"
        )
        existing = scan.accrual_totals.get((acct, year))
        if existing is not None:
            if existing != expected:
                errors.append(
                    make_error(
                        scan.accrual_entries[(acct, year)],
                        f"{rec.name} ({acct}) {year}-12-31 年末计提 {existing} {currency}, 应为 "
                        f"{expected} {currency} (未开票部分 {months} 的"
                        f"{'不含税金额' if config['accrue_basis'] == 'net' else '价税合计'}) "
                        f"(accrual differs from the uninvoiced amount)",
                    )
                )
            continue
        if not config["accrue"]:
            last = items[-1][3]
            errors.append(
                make_error(
                    last.deductions[-1] if last.deductions else None,
                    f"{rec.name} ({acct}) {year} 年的扣款至 {year}-12-31 未开票也未计提: {months} "
                    f"(年度之间不跨期: 在插件配置中设 'accrue': True, 或手工写 #accrual 分录) "
                    f"(deducted but neither invoiced nor accrued by year end)",
                )
            )
            continue
        for month, _, amount, m in items:
            accruals.extend(_accrual_pair(rec, year, month, amount, currency, config, m))
    return accruals, errors


def _accrual_pair(
    rec: Receivable, year: int, month: str, amount: Decimal, currency: str, config, m
):
    """The 12-31 accrual (Dr expense, Cr receivable) and its 01-01 reversal, linked."""
    origin = m.deductions[-1].meta if m.deductions else data.new_metadata(f"<{PLUGIN}>", 0)
    link = f"accrual-{rec.code}-{year}"
    tags = frozenset({config["accrual_tag"]})
    out = []
    for date, sign, narration in (
        (datetime.date(year, 12, 31), 1, f"{rec.name} {month} 年末计提"),
        (datetime.date(year + 1, 1, 1), -1, f"{rec.name} {month} 计提冲回"),
    ):
        meta = data.new_metadata(origin["filename"], origin["lineno"], {"period": month})
        postings = [
            posting(rec.expense, sign * amount, currency),
            posting(rec.account, -sign * amount, currency),
        ][::sign]  # the reversal lists the receivable first: 借 其他应收款 / 贷 费用
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
