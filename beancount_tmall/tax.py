"""The store's tax settings: taxpayer type (纳税人类型) and the month-end close rates.

One ledger setting switches every plugin and report between the two VAT regimes::

    2025-01-01 custom "tmall-taxpayer" "一般纳税人"          ; the default when absent: 13% on goods,
                                                            ; 进项 on 专票 deductible
    2026-01-01 custom "tmall-taxpayer" "小规模纳税人"
      vat-rate: "0.01"                                      ; 3% when absent (the reduced 1% levy)

The latest directive dated on or before a day is the setting of that day (a store that becomes a
一般纳税人 mid-year writes a second directive). ``vat-rate`` on a 一般纳税人 directive sets the rate
on its goods (e.g. ``"0.09"``); without it the ``sales`` plugin's ``vat_rate`` (13%) applies.

* **一般纳税人** (``general``): sales are split into revenue and 销项税额 at the goods rate; a fee
  invoice's VAT is deductible 进项税额 only on a 增值税专用发票 (专票). A 普票's VAT is part of the
  expense (``deductible(taxpayer, "普票")`` is False).
* **小规模纳税人** (``small``): the 3% (or 1%) levy is computed on sales the same way (价税合计 /
  (1 + rate)) and booked to the same account as the general taxpayer's output VAT,
  ``应交税费-应交增值税-销项税额`` (``22210102``): the account holds "VAT charged on sales" in both
  regimes, so every report that computes gross sales (income + that account: the annual fee, the
  consumer points, the 天猫对账 page) reads one account; the statements show it inside 应交税费 and
  the month-end close moves it to ``222102-未交增值税``. Nothing is deductible: fee invoices go to
  expense whole (价税合计), the year-end accrual too.

Month-end close rates (``tmall-books close``) are a second dated directive, every key optional::

    2025-01-01 custom "tmall-close" "税率"
      city-rate: "0.07"              ; 城市维护建设税 (7% in a city; 5% county town, 1% elsewhere)
      education-rate: "0.03"         ; 教育费附加
      local-education-rate: "0.02"   ; 地方教育附加
      surtax-halving: "auto"         ; 六税两费减半: "auto" (halved for a 小规模纳税人), TRUE, FALSE
      income-tax-rate: "0.25"        ; 企业所得税税率, accrued at each quarter end
      small-profit: FALSE            ; 小型微利企业: TRUE uses small-profit-rate up to the limit
      small-profit-rate: "0.05"      ; effective rate (25% of the income × 20%)
      small-profit-limit: "3000000"  ; 应纳税所得额 (year to date) up to which the rate applies

Parsing lives here only: plugins and reports call :func:`taxpayer` / :func:`timeline` and
:func:`close_settings`; a bad directive is reported by the ``sales`` plugin (:func:`errors`).
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from beancount_tmall.plugins._common import PluginError, is_true, make_error, to_decimal

TAXPAYER_TYPE = "tmall-taxpayer"
CLOSE_TYPE = "tmall-close"

GENERAL, SMALL = "general", "small"
#: The directive's value (Chinese, or the English code) → kind.
KINDS = {"一般纳税人": GENERAL, "general": GENERAL, "小规模纳税人": SMALL, "small": SMALL}
LABELS = {GENERAL: "一般纳税人", SMALL: "小规模纳税人"}

GENERAL_RATE = Decimal("0.13")
SMALL_RATE = Decimal("0.03")
#: The levies a 小规模纳税人 may apply (3%, and the reduced 1%).
SMALL_RATES = (Decimal("0.03"), Decimal("0.01"))

#: Invoice types (发票种类) of the invoice register and the ``invoice-type`` metadata.
SPECIAL, ORDINARY = "专票", "普票"
_INVOICE_TYPES = {
    "专票": SPECIAL, "专用发票": SPECIAL, "增值税专用发票": SPECIAL, "增值税电子专用发票": SPECIAL,
    "电子专票": SPECIAL, "数电专票": SPECIAL, "全电专票": SPECIAL,
    "数电发票(增值税专用发票)": SPECIAL, "电子发票(增值税专用发票)": SPECIAL,
    "普票": ORDINARY, "普通发票": ORDINARY, "增值税普通发票": ORDINARY, "增值税电子普通发票": ORDINARY,
    "电子普票": ORDINARY, "数电普票": ORDINARY, "全电普票": ORDINARY,
    "数电发票(普通发票)": ORDINARY, "电子发票(普通发票)": ORDINARY,
}


@dataclass(frozen=True)
class Taxpayer:
    """The taxpayer setting of one day.

    Attributes:
      kind: ``"general"`` (一般纳税人) or ``"small"`` (小规模纳税人).
      vat_rate: the rate on sales (goods rate, or the small levy).
      deductible_input: whether fee invoices' VAT can be deducted (general only, and on a 专票).
      rate_given: whether the directive set ``vat-rate`` (else a general taxpayer's plugin rate holds).
    """

    kind: str = GENERAL
    vat_rate: Decimal = GENERAL_RATE
    deductible_input: bool = True
    rate_given: bool = False

    @property
    def label(self) -> str:
        """一般纳税人 / 小规模纳税人."""
        return LABELS[self.kind]


DEFAULT = Taxpayer()


def invoice_type(text: object) -> str:
    """``"专票"`` or ``"普票"`` from a register cell or metadata value; ``ValueError`` otherwise."""
    key = "".join(str(text).split()).replace("（", "(").replace("）", ")")
    if key in _INVOICE_TYPES:
        return _INVOICE_TYPES[key]
    raise ValueError(
        f"发票种类 {str(text)[:40]!r} 不是专票或普票 (如 专票, 增值税专用发票, 普票, 增值税普通发票); "
        f"is not a 专票 or 普票"
    )


def deductible(payer: Taxpayer, kind: object = None) -> bool:
    """Whether a fee invoice's VAT is deductible 进项: a 一般纳税人's 专票.

    ``kind`` is the invoice's ``invoice-type`` (``None``: not stated, taken as 专票 — the platform's
    invoices to a 一般纳税人 are 专票 on request; the register says so when it has no such column).
    An unreadable ``kind`` counts as 普票 (nothing deducted that the ledger cannot show).
    """
    if not payer.deductible_input:
        return False
    if kind is None:
        return True
    try:
        return invoice_type(kind) == SPECIAL
    except ValueError:
        return False


@dataclass
class Timeline:
    """The dated settings of a ledger; :meth:`at` gives the one of a day."""

    dates: list[datetime.date] = field(default_factory=list)
    settings: list[Taxpayer] = field(default_factory=list)
    errors: list[PluginError] = field(default_factory=list)

    def at(self, date: datetime.date, general_rate: Decimal | None = None) -> Taxpayer:
        """The setting in force on ``date``; ``general_rate`` is a 一般纳税人's rate when the
        directive does not give one (the ``sales`` plugin's ``vat_rate``)."""
        i = bisect.bisect_right(self.dates, date)
        payer = self.settings[i - 1] if i else DEFAULT
        if payer.kind == GENERAL and not payer.rate_given and general_rate is not None:
            return Taxpayer(GENERAL, general_rate, True, False)
        return payer


def timeline(entries: Iterable[data.Directive]) -> Timeline:
    """Every ``tmall-taxpayer`` directive of the ledger, in date order; bad ones in ``errors``."""
    out = Timeline()
    found = sorted(
        (e for e in entries if isinstance(e, data.Custom) and e.type == TAXPAYER_TYPE),
        key=lambda e: e.date,
    )
    for entry in found:
        value = entry.values[0].value if entry.values else None
        kind = KINDS.get(str(value).strip()) if value is not None else None
        if kind is None:
            out.errors.append(make_error(
                entry,
                f'纳税人类型 {value!r} 不是 "一般纳税人" 或 "小规模纳税人"; 本条设置不生效 '
                f"(taxpayer type must be 一般纳税人 or 小规模纳税人; ignored)",
            ))
            continue
        rate_text = entry.meta.get("vat-rate")
        rate, given = (SMALL_RATE if kind == SMALL else GENERAL_RATE), False
        if rate_text is not None:
            try:
                rate, given = to_decimal(rate_text), True
                if not 0 < rate < 1 or (kind == SMALL and rate not in SMALL_RATES):
                    raise ValueError(rate_text)
            except ValueError:
                allowed = "0.03 或 0.01" if kind == SMALL else "0 到 1 之间的税率"
                out.errors.append(make_error(
                    entry,
                    f"{LABELS[kind]} 的 vat-rate {rate_text!r} 不可用, 应为 {allowed}; 按 "
                    f"{SMALL_RATE if kind == SMALL else GENERAL_RATE} 处理 (vat-rate not allowed)",
                ))
                rate, given = (SMALL_RATE if kind == SMALL else GENERAL_RATE), False
        out.dates.append(entry.date)
        out.settings.append(Taxpayer(kind, rate, kind == GENERAL, given or kind == SMALL))
    return out


def taxpayer(
    entries: Iterable[data.Directive], date: datetime.date, general_rate: Decimal | None = None
) -> Taxpayer:
    """The taxpayer setting in force on ``date`` (the latest directive on or before it)."""
    return timeline(entries).at(date, general_rate)


# --------------------------------------------------------------------------- month-end close


@dataclass(frozen=True)
class CloseSettings:
    """The month-end close rates in force on a day (see the module docstring)."""

    city_rate: Decimal = Decimal("0.07")
    education_rate: Decimal = Decimal("0.03")
    local_education_rate: Decimal = Decimal("0.02")
    surtax_halving: str = "auto"  # "auto" | "yes" | "no"
    income_tax_rate: Decimal = Decimal("0.25")
    small_profit: bool = False
    small_profit_rate: Decimal = Decimal("0.05")
    small_profit_limit: Decimal = Decimal("3000000")

    def halved(self, payer: Taxpayer) -> bool:
        """Whether the surtaxes are halved (六税两费减半) for this taxpayer."""
        if self.surtax_halving == "auto":
            return payer.kind == SMALL
        return self.surtax_halving == "yes"


_CLOSE_RATES = {
    "city-rate": "city_rate",
    "education-rate": "education_rate",
    "local-education-rate": "local_education_rate",
    "income-tax-rate": "income_tax_rate",
    "small-profit-rate": "small_profit_rate",
    "small-profit-limit": "small_profit_limit",
}


def close_settings(
    entries: Iterable[data.Directive], date: datetime.date
) -> tuple[CloseSettings, list[str]]:
    """The ``tmall-close`` settings in force on ``date`` and the problems found reading them."""
    found = [
        e for e in entries
        if isinstance(e, data.Custom) and e.type == CLOSE_TYPE and e.date <= date
    ]
    if not found:
        return CloseSettings(), []
    entry = max(found, key=lambda e: e.date)
    where = f"{entry.meta.get('filename')}:{entry.meta.get('lineno')}"
    values: dict = {}
    problems = []
    for key, name in _CLOSE_RATES.items():
        if key in entry.meta:
            try:
                value = to_decimal(entry.meta[key])
                if value < 0 or (name != "small_profit_limit" and value >= 1):
                    raise ValueError(value)
                values[name] = value
            except ValueError:
                problems.append(f"{where}: {key} {entry.meta[key]!r} 不是税率; not a rate")
    if "surtax-halving" in entry.meta:
        raw = entry.meta["surtax-halving"]
        if isinstance(raw, str) and raw.strip().lower() == "auto":
            values["surtax_halving"] = "auto"
        elif isinstance(raw, bool) or str(raw).strip().lower() in ("true", "false", "yes", "no", "1", "0"):
            values["surtax_halving"] = "yes" if is_true(raw) else "no"
        else:
            problems.append(f"{where}: surtax-halving {raw!r} 应为 auto, TRUE 或 FALSE")
    if "small-profit" in entry.meta:
        values["small_profit"] = is_true(entry.meta["small-profit"])
    unknown = set(entry.meta) - set(_CLOSE_RATES) - {"surtax-halving", "small-profit", "filename", "lineno"}
    problems += [f"{where}: 未知的设置 {key} (unknown key)" for key in sorted(unknown)]
    return CloseSettings(**values), problems
