"""Fee invoices (发票台账 CSV) → invoice entries (DESIGN §3.5, §4; CONTRACTS "Fee invoices").

Seed 000: "当月发生的佣金支出于次月10号左右及时在天猫店铺后台向天猫做出开具佣金发票的申请,发票收到后,
做如下账务分录: 借:营业费用-店铺费用-天猫佣金 应交税费-应交增值税(进项税额) 贷:其他应收款-天猫佣金".

A platform invoice to the store (Tmall, 阿里妈妈) becomes the compact form, which the ``invoices``
plugin completes into expense + 进项税额::

    2025-04-09,25332000000012345678,浙江天猫技术有限公司,杭州云栖示例商贸有限公司,2025-03,天猫佣金,5650.00,6%

    2025-04-09 * "浙江天猫技术有限公司" "2025-03 天猫佣金发票" #invoice
      invoice-no: "25332000000012345678"
      period: "2025-03"
      invoice-type: "专票"
      Assets:1221-其他应收款:122101-天猫佣金  -5650.00 CNY

Every platform invoice carries ``invoice-type: "专票"`` or ``"普票"`` (the register's 专票/普票
column; ``"专票"`` when the register has none, and the import says so). An invoice at another rate
than ``compact_rate`` (6%), and every kind mapped with an expense account (年度技术服务费 → 660103),
is written in full form instead: expense (net) + 进项税额 (tax, half-up, summing back to 价税合计)
+ the receivable credit — or, when the VAT is not deductible (a 普票, or the ledger's
``tmall-taxpayer`` setting on the invoice's day is 小规模纳税人; see ``beancount_tmall.tax``), the
expense at the whole 价税合计 and no 进项税额. The store's own 消费积分发票 to Tmall
becomes a transaction without postings, which the ``consumer_points`` plugin reads::

    2025-04-08 * "杭州云栖示例商贸有限公司" "2025-03 消费积分发票" #points-invoice
      invoice-no: "25337000000012345678"
      period: "2025-03"
      amount: "276.95 CNY"

Which receivable an invoice clears is the ``KINDS`` table (费用类型 → receivable, expense or None),
data a store can extend through ``FeeInvoiceImporter(kinds=...)``. Invoices whose number is
already in the existing entries (``invoice-no``) are left out, so importing twice adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount

from beancount_tmall import accounts, tax
from beancount_tmall.formats import fee_invoices as fmt
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import mark_duplicates
from beancount_tmall.plugins._common import ZERO, split_inclusive

#: Kind of invoice that is the store's own 消费积分发票 to Tmall (no postings, #points-invoice).
POINTS_INVOICE = "points-invoice"

#: 费用类型 → (receivable credited, expense account for the full form or None for compact).
KINDS: dict[str, tuple[str, str | None]] = {
    "天猫佣金": (accounts.COMMISSION_RECEIVABLE, None),
    "佣金": (accounts.COMMISSION_RECEIVABLE, None),
    "软件服务费": (accounts.COMMISSION_RECEIVABLE, None),
    "基础软件服务费": (accounts.COMMISSION_RECEIVABLE, None),
    "天猫积分": (accounts.POINTS_RECEIVABLE, None),
    "返点积分": (accounts.POINTS_RECEIVABLE, None),
    "淘宝客": (accounts.TAOBAOKE_RECEIVABLE, None),
    "淘宝客佣金": (accounts.TAOBAOKE_RECEIVABLE, None),
    "聚划算": (accounts.JUHUASUAN_RECEIVABLE, None),
    "钻展": (accounts.ZUANZHAN_RECEIVABLE, None),
    "直通车": (accounts.ZHITONGCHE_RECEIVABLE, None),
    "年度技术服务费": (accounts.ANNUAL_FEE_RECEIVABLE, accounts.ANNUAL_FEE_EXPENSE),
    "消费积分": (POINTS_INVOICE, None),
}

#: Tax rate of the compact form (the ``invoices`` plugin completes it at this rate).
COMPACT_RATE = Decimal("0.06")


def invoice_numbers(entries: Iterable[data.Directive]) -> set[str]:
    """The ``invoice-no`` values of existing entries."""
    return {
        str(entry.meta["invoice-no"])
        for entry in entries
        if isinstance(entry, data.Transaction) and entry.meta and "invoice-no" in entry.meta
    }


def _posting(account: str, number: Decimal) -> data.Posting:
    return data.Posting(account, Amount(number, accounts.CURRENCY), None, None, None, None)


def invoice_entry(
    row: fmt.InvoiceRow,
    filename: str,
    kinds: Mapping[str, tuple[str, str | None]] = KINDS,
    compact_rate: Decimal = COMPACT_RATE,
    payer: tax.Taxpayer = tax.DEFAULT,
) -> data.Transaction:
    """The entry for one invoice row; ``SourceError`` for a 费用类型 not in ``kinds``.

    ``payer`` is the store's taxpayer setting on the invoice's day: a full-form invoice deducts
    进项税额 only when ``tax.deductible(payer, row.invoice_type)`` (a 一般纳税人's 专票); otherwise
    the expense takes the whole 价税合计. A compact invoice carries ``invoice-type`` and the
    plugin decides.
    """
    if row.kind not in kinds:
        raise SourceError(
            filename, row.line,
            f"费用类型 {row.kind!r} 不是已知的发票费用类型 (已知: {', '.join(kinds)}); "
            f"is not a known invoice kind (known: {', '.join(kinds)})",
        )
    receivable, expense = kinds[row.kind]
    meta = data.new_metadata(filename, row.line)
    meta["invoice-no"] = row.number
    meta["period"] = row.period
    if receivable != POINTS_INVOICE:
        meta["invoice-type"] = row.invoice_type
    narration = f"{row.period} {row.kind}发票"
    if receivable == POINTS_INVOICE:
        # Text, like the importer's consumer-points: it survives Fava's import Save (fava#1607).
        meta["amount"] = f"{row.amount:.2f} {accounts.CURRENCY}"
        return data.Transaction(
            meta, row.date, "*", row.issuer, narration, frozenset({POINTS_INVOICE}),
            data.EMPTY_SET, [],
        )
    postings = []
    if expense is not None or row.rate != compact_rate:
        if expense is None:
            expense = _default_expense(receivable)
        net, vat = (row.amount, ZERO)
        if tax.deductible(payer, row.invoice_type):
            net, vat = split_inclusive(row.amount, row.rate)
        postings.append(_posting(expense, net))
        if vat:
            postings.append(_posting(accounts.INPUT_VAT, vat))
    postings.append(_posting(receivable, -row.amount))
    return data.Transaction(
        meta, row.date, "*", row.issuer, narration, frozenset({"invoice"}), data.EMPTY_SET, postings
    )


_EXPENSE_OF = {
    accounts.COMMISSION_RECEIVABLE: accounts.COMMISSION_EXPENSE,
    accounts.POINTS_RECEIVABLE: accounts.POINTS_EXPENSE,
    accounts.TAOBAOKE_RECEIVABLE: accounts.TAOBAOKE_EXPENSE,
    accounts.ANNUAL_FEE_RECEIVABLE: accounts.ANNUAL_FEE_EXPENSE,
    accounts.JUHUASUAN_RECEIVABLE: accounts.JUHUASUAN_EXPENSE,
    accounts.ZUANZHAN_RECEIVABLE: accounts.ZUANZHAN_EXPENSE,
    accounts.ZHITONGCHE_RECEIVABLE: accounts.ZHITONGCHE_EXPENSE,
}


def _default_expense(receivable: str) -> str:
    return _EXPENSE_OF[receivable]


def extract_invoices(
    path: str | Path,
    existing: Iterable[data.Directive] = (),
    kinds: Mapping[str, tuple[str, str | None]] = KINDS,
) -> list[data.Transaction]:
    """Entries for the invoices of ``path`` not already in ``existing`` (by invoice-no)."""
    existing = list(existing)
    known = invoice_numbers(existing)
    payers = tax.timeline(existing)
    filename = str(path)
    rows = fmt.read_rows(path)
    entries = [
        invoice_entry(row, filename, kinds, payer=payers.at(row.date))
        for row in rows
        if row.number not in known
    ]
    entries.sort(key=data.entry_sortkey)
    return entries


class FeeInvoiceImporter(beangulp.Importer):
    """beangulp importer for the fee-invoice CSV (``开票日期,发票号码,开票方,…``)."""

    def __init__(self, kinds: Mapping[str, tuple[str, str | None]] | None = None) -> None:
        self.kinds = dict(KINDS)
        if kinds:
            self.kinds.update(kinds)

    @property
    def name(self) -> str:
        return "beancount_tmall.fee_invoices"

    def identify(self, filepath: str) -> bool:
        return fmt.identify(filepath)

    def account(self, filepath: str) -> data.Account:
        return accounts.COMMISSION_RECEIVABLE

    def date(self, filepath: str) -> datetime.date | None:
        rows = fmt.read_rows(filepath)
        return max((row.date for row in rows), default=None)

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        return extract_invoices(filepath, existing or (), self.kinds)

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark invoices whose 发票号码 ``existing`` already holds (an invoice in two files)."""
        known = invoice_numbers(existing)
        mark_duplicates(entries, lambda entry: (entry.meta or {}).get("invoice-no") in known)
