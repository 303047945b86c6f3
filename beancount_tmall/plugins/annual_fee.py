"""年度技术服务费: settle the Tmall annual fee against the year's sales (seed 000, section 一).

The seed::

    一、天猫店铺的年度技术服务费:
    1、性质:天猫年度技术服务费类似于店铺的年度天猫平台使用费用,一般为30000元/年;通常为年初的
    时候从余额中通过相关支付协议扣减,扣减时账务处理分录:
        借:其他应收款-浙江天猫科技有限公司 30000
        贷:其他货币资金-在途资金-支付宝 30000
    2、后续处理方式:
    (1)、年度技术服务费当店铺达到协议销量的同时,该费用将给予返还。
        借:其他货币资金-在途资金-支付宝 30000
        贷:其他应收款-浙江天猫科技有限公司 30000
    (2)、年度技术服务费当店铺没有达到协议销量的同时,该费用将扣减,同时需要向天猫申请开具年度
    技术服务费发票,及时催收发票,收到发票后及时作如下财务处理:
        借:营业费用-店铺费用-天猫年度技术服务费
            应交税费-应交增值税(进项税额)
        贷:其他应收款-浙江天猫科技有限公司
    备注:年度运营中如有店铺关停现象,按实际发生的技术服务费扣减,同时冲减费用和其他应收款。
    如年度根据协议销量可以确定当年度需承担技术服务费,则应在当年度即确认该笔费用

The deduction sits in ``Assets:1221-其他应收款:122104-天猫年费``. With the agreement configured::

    plugin "beancount_tmall.plugins.annual_fee" "{'fee': '30000',
        'thresholds': [('180000', '0.5'), ('600000', '1.0')], 'settlement': '12-31',
        'accrue': True}"

this ledger (the Alipay import books the deduction, the refund and Tmall's fee invoice)::

    2025-01-02 * "支付宝" "技术服务费年费代扣2025"
      Assets:1221-其他应收款:122104-天猫年费       30000.00 CNY
      Assets:1012-其他货币资金:101201-支付宝      -30000.00 CNY
    ...  #tmall-sale transactions: 250000.00 CNY of tax-inclusive sales in 2025 ...
    2026-01-20 * "支付宝" "技术服务费年费返还2025"
      Assets:1012-其他货币资金:101201-支付宝       15000.00 CNY
      Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY
    2026-02-05 * "浙江天猫技术有限公司" "2025 年度技术服务费发票" #invoice
      Expenses:6601-销售费用:660103-天猫年度技术服务费   14150.94 CNY
      Liabilities:2221-应交税费:222101-应交增值税:22210101-进项税额   849.06 CNY
      Assets:1221-其他应收款:122104-天猫年费      -15000.00 CNY

gains the year-end accrual of the 2025 expense, since its invoice is dated 2026 (see *Year end*
below; net of the invoice's 6% VAT: 15000.00 / 1.06 = 14150.94)::

    2025-12-31 * "天猫年费 2025 年末计提" #accrual ^accrual-122104-2025
      period: "2025"
      Expenses:6601-销售费用:660103-天猫年度技术服务费   14150.94 CNY
      Assets:1221-其他应收款:122104-天猫年费          -14150.94 CNY

    2026-01-01 * "天猫年费 2025 计提冲回" #accrual ^accrual-122104-2025
      period: "2025"
      Assets:1221-其他应收款:122104-天猫年费           14150.94 CNY
      Expenses:6601-销售费用:660103-天猫年度技术服务费  -14150.94 CNY

and one summary entry per fee year (dated the last day of the year, or the closing day), which
the Fava page and the reports read::

    2025-12-31 custom "tmall-annual-fee" "2025" 30000.00 CNY 250000.00 CNY 15000.00 CNY 15000.00 CNY
      status: "settled"
      threshold: 180000.00 CNY
      refund-share: 0.5
      deducted: 30000.00 CNY
      refunded: 15000.00 CNY
      invoiced: 15000.00 CNY
      other: 0.00 CNY
      outstanding: 0.00 CNY
      accrued: 14150.94 CNY
      settlement: 2025-12-31
      days-open: 365
      days-in-year: 365

Custom-entry layout: values are, in order, the fee year (string), the agreement fee, the year's
sales, the expected refund, the expected expense (all ``Amount`` in CNY). Metadata:
``status`` (``"open"`` while the ledger's last date is on or before the settlement date plus
grace, ``"settled"`` after it when every check passes, ``"unsettled"`` otherwise); ``threshold``
(the sales threshold reached, pro-rated when the shop was open part of the year; absent when none
was reached); ``refund-share`` (0 to 1); ``deducted``, ``refunded``, ``invoiced``, ``other``
(credits to 122104 that are neither refund nor invoice) and ``outstanding`` (the 122104 balance
of that fee year, accruals aside) as amounts; ``accrued`` (the year-end accrual, generated or
hand-written; absent when none); ``settlement`` (date, grace included); ``days-open`` and
``days-in-year`` (numbers). The entry has no account, so it changes no balance; it is added even
when the year has errors. Dated in the future while the year runs (12-31), like a budget line.
A fee year that already has its ``tmall-annual-fee`` entry (the plugin listed twice) is skipped:
no second summary, accrual or error.

Definitions (explicit, since the agreement words them loosely):

* **Sales of the year** — the tax-inclusive gross of the ``#tmall-sale`` transactions dated in the
  year: minus the sum of their postings to ``Income:6001-主营业务收入`` (and sub-accounts) and to
  ``…22210102-销项税额``. It is the same whether or not the ``sales`` plugin has already split the
  income into revenue and output VAT. Refunds to buyers in those transactions reduce it.
* **Shop closed (or opened) mid-year** — ``days-open`` counts the days from 01-01 (or ``opened``)
  to ``closed`` (the last day of business), both included. The fee actually incurred is
  ``round_half_up(fee × days-open / days-in-year)``; the rest is refunded in any case. The sales
  thresholds are pro-rated by the same ratio (``prorate_thresholds``).
* **Expected expense** = ``round_half_up(incurred × (1 − refund-share))``, where refund-share is the
  share of the highest threshold the year's sales reached (0 when none). **Expected refund** =
  ``fee − expected expense``, so the two always sum to the fee. The expense is the invoice's
  价税合计 (the 122104 credit of the invoice); ``660103`` receives it net of 进项税额.

Each credit to 122104 is classified by its transaction: an **invoice** when the transaction posts
to the expense account (660103), a **refund** when it posts to Alipay (``refund_accounts``),
``other`` otherwise. Debits (deductions) belong to the year of their date; credits to the oldest
fee year still open on 122104 (a refund in January clears last year's fee, not this year's).
``fee-year: "2024"`` metadata on the posting or the transaction overrides both. Transactions
tagged ``#accrual`` (year-end accruals, this plugin's or hand-written, and their reversals) are
ignored here: they change neither deducted / refunded / invoiced nor the status.

A compact fee invoice (``#invoice`` whose only postings are credits to 122104, as the invoice
importer writes it) is completed like the ``invoices`` plugin does for the monthly fees: 660103
gets the amount net of VAT and 进项税额 the tax (``vat_rate``, half-up, summing back), both
postings marked ``invoice-split: TRUE``; when the VAT is not deductible (a 小规模纳税人, or an
``invoice-type: "普票"``; see ``beancount_tmall.tax``) 660103 gets the whole 价税合计.

Once the ledger's last date (its latest transaction or balance, ``#accrual`` ignored) is after the
settlement date plus ``grace_days``, for each fee year it is an error when the 122104 balance of that
year is not zero, when the refund received differs from the expected refund, or when the invoiced
expense differs from the expected expense — each message gives the amounts seen and expected.

**Year end** (权责发生制; seed: "如年度根据协议销售量可以确定当年度需承担技术服务费,则应在当年度
即确认该笔费用"; DESIGN §4: nothing crosses the year). Once the ledger's last date is on or after
12-31 of a fee year, the year's sales are known, and so is its expected expense. The part of it
not invoiced by an invoice dated on or before 12-31 (``expected expense − invoiced by 12-31``, 价税
合计) must be accrued on 12-31. With ``'accrue': True`` the plugin generates the accrual (Dr
660103, Cr 122104) on 12-31 and its reversal on 01-01, both tagged ``#accrual``, linked
``^accrual-122104-<Y>`` and with ``period: "<Y>"`` (as the ``invoices`` plugin does for the monthly
fees). The amount is net of VAT (``accrue_basis: 'net'``, the default, at ``vat_rate``), the same
choice as the ``invoices`` plugin: that is the expense the next year's invoice books, so each year
carries its own expense exactly, and the VAT part waits in ``222103-待认证进项税额`` until the
invoice turns it into 进项税额 (deductible only with the invoice), so the accrual credits 122104
with the whole 价税合计 and 122104 then holds only the refund Tmall owes; ``'gross'`` (or a
小规模纳税人, who deducts nothing) accrues the whole 价税合计 to expense. The reversal
restores 122104, so the invoice (and the refund) clear it as if there had been no accrual. A
hand-written ``#accrual`` dated 12-31 debiting 660103 (``fee-year`` to attribute it elsewhere) is
used instead, and its amount must equal the expected one. Without ``accrue`` and without such an
entry it is an error naming the year, the expected expense and the amount invoiced by 12-31. (The
refund part needs no accrual: it stays a receivable until Tmall pays it.)

Config keys (a Python dict literal; top-level values apply to every year, ``years`` overrides per
year, e.g. ``{'fee': '30000', 'years': {'2026': {'fee': '60000'}}}``):

``fee``                 agreement fee (None: the year's deductions are the fee)
``thresholds``          ``[(sales, refund share), ...]`` (default ``[]``: nothing is refunded)
``settlement``          ``'MM-DD'`` in the fee year, or a full ``'YYYY-MM-DD'`` (default ``'12-31'``)
``grace_days``          days after the settlement date before checking (default 0)
``closed``, ``opened``  ``'YYYY-MM-DD'``: last / first day of business (default None); each
                        applies to the year it falls in
``prorate_thresholds``  pro-rate thresholds by days open (default True)
``years``               ``{year: {key: value}}`` per-year overrides of the keys above
``vat_rate``            VAT on the fee invoice, to complete a compact one and to accrue net of it
                        (default ``'0.06'``)
``accrue``              generate the year-end accrual (default False: a missing one is an error)
``accrue_basis``        ``'net'`` (default) or ``'gross'`` of VAT
``receivable``, ``expense``, ``refund_accounts``, ``sales_tag``, ``ignore_tags``, ``invoice_tag``:
                        the accounts and tags (defaults from ``beancount_tmall.accounts``;
                        ``'tmall-sale'``, ``['accrual']``, ``'invoice'``)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType

from beancount_tmall import accounts, tax
from beancount_tmall.plugins._common import (
    INVOICE_SPLIT_META,
    ZERO,
    PluginError,
    invoice_split,
    is_true,
    judged_date,
    location,
    make_error,
    parse_config,
    posting,
    report_once,
    round_cents,
    split_inclusive,
    to_decimal,
)

__plugins__ = ("annual_fee",)

PLUGIN = "annual_fee"
CUSTOM_TYPE = "tmall-annual-fee"
#: Metadata on the postings added to a compact invoice (as in the ``invoices`` plugin).
SPLIT_META = INVOICE_SPLIT_META

DEFAULTS: dict[str, Any] = {
    "fee": None,
    "thresholds": [],
    "settlement": "12-31",
    "grace_days": 0,
    "closed": None,
    "opened": None,
    "prorate_thresholds": True,
    "years": {},
    "receivable": accounts.ANNUAL_FEE_RECEIVABLE,
    "expense": accounts.ANNUAL_FEE_EXPENSE,
    "refund_accounts": [accounts.ALIPAY],
    "sales_tag": "tmall-sale",
    "ignore_tags": ["accrual"],
    "invoice_tag": "invoice",
    "vat_rate": "0.06",
    "accrue": False,
    "accrue_basis": "net",
}

#: The tag of year-end accruals (this plugin's and the ``invoices`` plugin's): always ignored.
ACCRUAL_TAG = "accrual"

#: Keys that may differ from one fee year to the next.
YEAR_KEYS = (
    "fee",
    "thresholds",
    "settlement",
    "grace_days",
    "closed",
    "opened",
    "prorate_thresholds",
)


@dataclass
class FeeYear:
    """One fee year: what the ledger holds and what the agreement expects."""

    year: int
    fee: Decimal = ZERO
    sales: Decimal = ZERO
    deducted: Decimal = ZERO
    refunded: Decimal = ZERO
    invoiced: Decimal = ZERO
    invoiced_by_year_end: Decimal = ZERO
    other: Decimal = ZERO
    accrued: Decimal = ZERO
    threshold: Decimal | None = None
    refund_share: Decimal = ZERO
    incurred: Decimal = ZERO
    expected_refund: Decimal = ZERO
    expected_expense: Decimal = ZERO
    days_open: int = 0
    days_in_year: int = 0
    end: datetime.date | None = None
    settlement: datetime.date | None = None
    status: str = "open"
    deductions: list[data.Transaction] = field(default_factory=list)
    refunds: list[data.Transaction] = field(default_factory=list)
    invoices: list[data.Transaction] = field(default_factory=list)
    movements: list[data.Transaction] = field(default_factory=list)
    accruals: list[data.Transaction] = field(default_factory=list)

    @property
    def outstanding(self) -> Decimal:
        """The 122104 balance of this fee year."""
        return self.deducted - self.refunded - self.invoiced - self.other


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _year_config(config: dict[str, Any], year: int) -> dict[str, Any]:
    """The agreement for ``year``: top-level keys overridden by ``years[year]``."""
    years = config.get("years") or {}
    override = years.get(year) or years.get(str(year)) or {}
    merged = {key: config[key] for key in YEAR_KEYS}
    merged.update(override)
    return merged


def _settlement_date(value: Any, year: int) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) == 5:  # MM-DD
        return datetime.date.fromisoformat(f"{year:04d}-{text}")
    return datetime.date.fromisoformat(text)


def sale_gross(entry: data.Transaction, currency: str = accounts.CURRENCY) -> Decimal:
    """Tax-inclusive gross of a sale: minus its Income:6001 and 销项税额 postings (split or not)."""
    total = ZERO
    for p in entry.postings:
        acc = p.account
        if acc == _REVENUE or acc == _OUTPUT_VAT or acc.startswith(_REVENUE_PREFIX):
            units = p.units
            if units is not None and units.currency == currency:
                total -= units.number
    return total


_REVENUE, _OUTPUT_VAT, _REVENUE_PREFIX = accounts.REVENUE, accounts.OUTPUT_VAT, accounts.REVENUE + ":"


def _fee_year_meta(*metas: Any) -> int | None:
    for meta in metas:
        if meta and meta.get("fee-year") is not None:
            return int(str(meta["fee-year"]).strip())
    return None


def _collect(
    entries: list[data.Directive], config: dict[str, Any]
) -> tuple[dict[int, FeeYear], list[PluginError]]:
    """Walk the ledger once: 122104 movements per fee year, and sales per calendar year."""
    years: dict[int, FeeYear] = {}
    sales: dict[int, Decimal] = {}
    errors: list[PluginError] = []
    receivable, expense = config["receivable"], config["expense"]
    refund_accounts = set(config["refund_accounts"])
    ignore = set(config["ignore_tags"] or ()) | {ACCRUAL_TAG}
    currency = accounts.CURRENCY
    accrued: dict[int, list] = {}  # year -> [expense accrued on 12-31, accrual entries]

    def fee_year(year: int) -> FeeYear:
        return years.setdefault(year, FeeYear(year))

    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if entry.tags and ignore & entry.tags:
            if ACCRUAL_TAG in entry.tags and (entry.date.month, entry.date.day) == (12, 31):
                _add_accrual(entry, expense, accrued, errors)
            continue
        if config["sales_tag"] in (entry.tags or ()):
            sales[entry.date.year] = sales.get(entry.date.year, ZERO) + sale_gross(entry, currency)
        postings = [
            p
            for p in entry.postings
            if p.account == receivable and p.units and p.units.currency == currency
        ]
        if not postings:
            continue
        other_accounts = {p.account for p in entry.postings}
        kind = (
            "invoiced"
            if expense in other_accounts
            else "refunded"
            if refund_accounts & other_accounts
            else "other"
        )
        for p in postings:
            number = p.units.number
            try:
                year = _fee_year_meta(p.meta, entry.meta)
            except ValueError:
                errors.append(
                    make_error(
                        entry,
                        f"{receivable}: fee-year 不是年份: "
                        f"{(p.meta or {}).get('fee-year', entry.meta.get('fee-year'))!r}, 应为如 \"2025\" "
                        f"(fee-year is not a year)",
                    )
                )
                year = None
            if number >= 0:
                fy = fee_year(year or entry.date.year)
                fy.deducted += number
                fy.deductions.append(entry)
                fy.movements.append(entry)
                continue
            if year is None:
                open_years = [y for y in sorted(years) if years[y].outstanding > 0]
                year = open_years[0] if open_years else entry.date.year
            fy = fee_year(year)
            setattr(fy, kind, getattr(fy, kind) - number)
            fy.movements.append(entry)
            if kind == "invoiced":
                fy.invoices.append(entry)
                if entry.date.year <= year:
                    fy.invoiced_by_year_end -= number
            elif kind == "refunded":
                fy.refunds.append(entry)
    for year, fy in years.items():
        fy.sales = sales.get(year, ZERO)
        if year in accrued:
            fy.accrued, fy.accruals = accrued[year]
    return years, errors


def _add_accrual(
    entry: data.Transaction, expense: str, accrued: dict[int, list], errors: list[PluginError]
) -> None:
    """A 12-31 ``#accrual`` entry: its debits to the 年费 expense count as that year's accrual."""
    number = sum(
        (
            p.units.number
            for p in entry.postings
            if p.account == expense and p.units and p.units.currency == accounts.CURRENCY
        ),
        ZERO,
    )
    if not number:
        return
    try:
        year = _fee_year_meta(entry.meta) or entry.date.year
    except ValueError:
        errors.append(
            make_error(
                entry,
                f"{expense}: fee-year 不是年份: {entry.meta.get('fee-year')!r}, 应为如 \"2025\" "
                f"(fee-year is not a year)",
            )
        )
        return
    total = accrued.setdefault(year, [ZERO, []])
    total[0] += number
    total[1].append(entry)


def _expect(fy: FeeYear, agreement: dict[str, Any]) -> None:
    """Fill the agreement's expectations into ``fy`` (fee, pro rata, threshold, refund, expense)."""
    year = fy.year
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    opened, closed = _date(agreement["opened"]), _date(agreement["closed"])
    start = opened if opened and opened.year == year else first
    end = closed if closed and closed.year == year else last
    fy.days_in_year = (last - first).days + 1
    fy.days_open = max((end - start).days + 1, 0)
    fy.end = end
    fy.fee = (
        round_cents(to_decimal(agreement["fee"])) if agreement["fee"] is not None else fy.deducted
    )
    ratio_num, ratio_den = Decimal(fy.days_open), Decimal(fy.days_in_year)
    fy.incurred = round_cents(fy.fee * ratio_num / ratio_den)
    fy.threshold, fy.refund_share = None, ZERO
    for threshold, share in sorted(
        (to_decimal(t), to_decimal(s)) for t, s in agreement["thresholds"]
    ):
        if agreement["prorate_thresholds"]:
            threshold = round_cents(threshold * ratio_num / ratio_den)
        if fy.sales >= threshold and share >= fy.refund_share:
            fy.threshold, fy.refund_share = threshold, share
    fy.expected_expense = round_cents(fy.incurred * (1 - fy.refund_share))
    fy.expected_refund = fy.fee - fy.expected_expense
    fy.settlement = _settlement_date(agreement["settlement"], year) + datetime.timedelta(
        days=int(agreement["grace_days"] or 0)
    )


def annual_fee_years(
    entries: list[data.Directive], config: dict[str, Any] | None = None
) -> dict[int, FeeYear]:
    """Every fee year of the ledger with its sales, 122104 movements and expected settlement.

    ``config`` is a dict of this module's keys (missing keys take ``DEFAULTS``); ``status`` is
    left ``"open"`` — ``annual_fee`` judges it. Pure: the entries are not changed.
    """
    merged = {**DEFAULTS, **(config or {})}
    years, _ = _collect(entries, merged)
    for year, fy in years.items():
        _expect(fy, _year_config(merged, year))
    return dict(sorted(years.items()))


def _check(fy: FeeYear, receivable: str, expense: str) -> list[PluginError]:
    """Errors of a fee year past its settlement date."""
    anchor = (fy.deductions or fy.movements)[0]
    where = f"(扣款分录 {location(anchor)})"
    amounts = (
        f"已扣 {fy.deducted:.2f}, 已返还 {fy.refunded:.2f}, 已开票 {fy.invoiced:.2f}, "
        f"其他 {fy.other:.2f}; 协议年费 {fy.fee:.2f}, 含税销售额 {fy.sales:.2f} CNY"
    )
    errors = []
    if fy.outstanding != 0:
        errors.append(
            make_error(
                anchor,
                f"{receivable} 年费 {fy.year}: 结算日 {fy.settlement} 之后余额 {fy.outstanding:.2f} CNY, "
                f"应为 0.00 ({amounts}) {where} (balance not cleared after settlement)",
            )
        )
    if fy.refunded != fy.expected_refund:
        entry = fy.refunds[-1] if fy.refunds else anchor
        errors.append(
            make_error(
                entry,
                f"{receivable} 年费 {fy.year}: 返还到支付宝 {fy.refunded:.2f} CNY, 应为 "
                f"{fy.expected_refund:.2f} CNY (含税销售额 {fy.sales:.2f} 对应返还比例 {fy.refund_share}, "
                f"营业 {fy.days_open}/{fy.days_in_year} 天) {where} (refund differs from the agreement)",
            )
        )
    if fy.invoiced != fy.expected_expense:
        entry = fy.invoices[-1] if fy.invoices else anchor
        errors.append(
            make_error(
                entry,
                f"{expense} 年费 {fy.year}: 已开票 {fy.invoiced:.2f} CNY (价税合计), 应为 "
                f"{fy.expected_expense:.2f} CNY (实际承担的年费 {fy.incurred:.2f} × "
                f"(1 − {fy.refund_share})) {where} (invoiced fee differs from the agreement)",
            )
        )
    return errors


def _year_end(
    fy: FeeYear, config: dict[str, Any]
) -> tuple[list[data.Transaction], list[PluginError]]:
    """Year-end cut-off of a fee year the ledger has reached (judged on or after its 12-31).

    The expected expense not invoiced by 12-31 must be accrued on 12-31: generated (``accrue``)
    or hand-written (``#accrual`` on 12-31 debiting the expense); otherwise an error.
    """
    expense, receivable = config["expense"], config["receivable"]
    uninvoiced = max(fy.expected_expense - fy.invoiced_by_year_end, ZERO)
    rate = to_decimal(config["vat_rate"])
    payer = config.get("_payers", tax.Timeline()).at(datetime.date(fy.year, 12, 31))
    gross_basis = config["accrue_basis"] == "gross" or not payer.deductible_input
    amount = uninvoiced if gross_basis else split_inclusive(uninvoiced, rate)[0]
    vat = uninvoiced - amount
    basis = "价税合计" if gross_basis else f"扣除 {rate:%} 增值税后的金额"
    year_end = datetime.date(fy.year, 12, 31)
    seen = (
        f"预计费用 {fy.expected_expense:.2f} CNY (价税合计), 截至 {year_end} 已开票 "
        f"{fy.invoiced_by_year_end:.2f} CNY"
    )
    if fy.accruals:
        if fy.accrued == amount:
            return [], []
        return [], [
            make_error(
                fy.accruals[0],
                f"{expense} 年费 {fy.year}: {year_end} 年末计提 {fy.accrued:.2f} CNY, 应为 "
                f"{amount:.2f} CNY ({year_end} 前未开票的 {uninvoiced:.2f} CNY 的{basis}; "
                f"{seen}) (accrual differs from the expected amount)",
            )
        ]
    if not amount:
        return [], []
    anchor = (fy.deductions or fy.movements)[0]
    if not is_true(config["accrue"]):
        return [], [
            make_error(
                anchor,
                f"{expense} 年费 {fy.year}: {seen}: {fy.year} 年年费中 {uninvoiced:.2f} CNY 至 "
                f"{year_end} 既未开票也未计提 (年度之间不跨期: 在插件配置中设 'accrue': True, 或在 "
                f"{year_end} 手工写 #accrual 分录, 借记 {expense} {amount:.2f} CNY, 即{basis}) "
                f"(扣款分录 {location(anchor)}) (neither invoiced nor accrued by year end)",
            )
        ]
    link = frozenset({f"accrual-{account_lib.leaf(receivable).partition('-')[0]}-{fy.year}"})
    tags = frozenset({ACCRUAL_TAG})
    out = []
    for date, sign, narration in (
        (year_end, 1, f"天猫年费 {fy.year} 年末计提"),
        (year_end + datetime.timedelta(days=1), -1, f"天猫年费 {fy.year} 计提冲回"),
    ):
        meta = data.new_metadata(
            anchor.meta["filename"], anchor.meta["lineno"], {"period": str(fy.year)}
        )
        postings = [posting(expense, sign * amount, accounts.CURRENCY)]
        if vat:  # the VAT waits for the invoice in 待认证进项税额, not in 其他应收款
            postings.append(posting(accounts.UNCERTIFIED_INPUT_VAT, sign * vat, accounts.CURRENCY))
        postings.append(posting(receivable, -sign * (amount + vat), accounts.CURRENCY))
        postings = postings[::sign]  # the reversal lists the receivable first: 借 其他应收款 / 贷 费用
        out.append(data.Transaction(meta, date, "*", None, narration, tags, link, postings))
    fy.accrued = amount
    return out, []


def _custom(fy: FeeYear) -> data.Custom:
    def cny(number: Decimal) -> Amount:
        return Amount(round_cents(number), accounts.CURRENCY)

    meta = data.new_metadata(f"<{PLUGIN}>", 0)
    meta["status"] = fy.status
    if fy.threshold is not None:
        meta["threshold"] = cny(fy.threshold)
    meta["refund-share"] = fy.refund_share
    for key in ("deducted", "refunded", "invoiced", "other", "outstanding"):
        meta[key] = cny(getattr(fy, key))
    if fy.accrued:
        meta["accrued"] = cny(fy.accrued)
    meta["settlement"] = fy.settlement
    meta["days-open"] = Decimal(fy.days_open)
    meta["days-in-year"] = Decimal(fy.days_in_year)
    values = [ValueType(str(fy.year), str)] + [
        ValueType(cny(n), Amount)
        for n in (fy.fee, fy.sales, fy.expected_refund, fy.expected_expense)
    ]
    return data.Custom(meta, fy.end, CUSTOM_TYPE, values)


def complete_invoice(
    entry: data.Directive, config: dict[str, Any], payers: tax.Timeline | None = None
) -> data.Directive:
    """A compact 年费 invoice (only 122104 credits) → add 660103 (net) and 进项税额 (tax).

    Not deductible (``tax.deductible``: a 小规模纳税人 on the invoice's day, or ``invoice-type``
    普票): 660103 takes the whole 价税合计. ``vat-rate`` metadata overrides ``vat_rate``.
    """
    if (
        not isinstance(entry, data.Transaction)
        or config["invoice_tag"] not in (entry.tags or ())
        or not entry.postings
        or any(p.account != config["receivable"] or p.units is None for p in entry.postings)
    ):
        return entry
    rate = to_decimal(config["vat_rate"])
    if entry.meta.get("vat-rate") is not None:
        try:
            rate = to_decimal(entry.meta["vat-rate"])
        except ValueError:
            pass
    deductible = tax.deductible((payers or tax.Timeline()).at(entry.date), entry.meta.get("invoice-type"))
    added = []
    for p in entry.postings:
        added += invoice_split(entry, p, config["expense"], accounts.INPUT_VAT, rate, deductible)
    return entry._replace(postings=added + list(entry.postings))


def annual_fee(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Add a ``tmall-annual-fee`` summary per fee year; error on a fee year not settled as agreed.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: The agreement, a Python dict literal (see the module docstring).
    Returns:
      The entries with the summaries added, and a list of errors.
    """
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    source = data.new_metadata(f"<{PLUGIN}>", 0)
    if config["accrue_basis"] not in ("net", "gross"):
        errors.append(
            PluginError(
                source,
                f"{PLUGIN}: accrue_basis 须为 'net' 或 'gross', 实为 {config['accrue_basis']!r}; "
                "按 'net' 处理 (accrue_basis must be 'net' or 'gross')",
                None,
            )
        )
        config["accrue_basis"] = "net"
    done: set[str] = set()  # fee years already summarized (the plugin listed twice)
    completed = []
    payers = config["_payers"] = tax.timeline(entries)
    try:
        config["vat_rate"] = to_decimal(config["vat_rate"])
        for entry in entries:
            if isinstance(entry, data.Custom):
                if entry.type == CUSTOM_TYPE and entry.values:
                    done.add(str(entry.values[0].value))
            else:
                entry = complete_invoice(entry, config, payers)
            completed.append(entry)
        entries = completed
        years, collect_errors = _collect(entries, config)
        errors.extend(collect_errors)
        for year, fy in years.items():
            _expect(fy, _year_config(config, year))
    except (ValueError, TypeError) as exc:
        errors.append(
            PluginError(source, f"{PLUGIN}: 配置有误 {config_str!r}: {exc} (bad config)", None)
        )
        return entries, report_once(options_map, PLUGIN, errors)
    judged = judged_date(entries, {ACCRUAL_TAG, *(config["ignore_tags"] or ())})
    new_entries = []
    for fy in years.values():
        if str(fy.year) in done:
            continue
        if judged is not None and judged > fy.settlement:
            year_errors = _check(fy, config["receivable"], config["expense"])
            fy.status = "unsettled" if year_errors else "settled"
            errors.extend(year_errors)
        if judged is not None and judged >= datetime.date(fy.year, 12, 31):
            accruals, year_errors = _year_end(fy, config)
            new_entries.extend(accruals)
            errors.extend(year_errors)
        new_entries.append(_custom(fy))
    return data.sorted(entries + new_entries), report_once(options_map, PLUGIN, errors)
