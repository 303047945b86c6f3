"""The composite sale entry: split tax-inclusive sales into revenue and output VAT, estimate fees.

Seed 000 (二、天猫店铺的佣金; 三、天猫积分; 四、信用卡刷卡费) books a completed sale as one
composite entry::

    借:其他货币资金-在途资金-支付宝
       其他应收款-天猫佣金
       其他应收款-天猫积分
       财务费用-POS手续费
    贷:主营业务收入
       应交税费-应交增值税(销项税额)

with "天猫平台按收入的金额计提5%做为其佣金收入" and "天猫按收入金额的0.5%计提天猫积分".

What the plugin does, for every transaction tagged ``#tmall-sale``:

1. **VAT split (always).** Each posting to ``Income:6001-主营业务收入`` is tax-inclusive (价税合计,
   as the Alipay statement and the importer give it). It is replaced by the revenue at
   ``gross / (1 + vat_rate)`` and an output VAT posting (``22210102-销项税额``) for the rest,
   both rounded half-up to the cent and summing exactly to the original posting (the rounding
   remainder goes on the larger part). Both parts get the posting metadata ``vat-split: TRUE``.
   Refunds to buyers (debits to income) split the same way, and so do the income reductions of
   the ``split_tags`` transactions (default ``#points-payback``: the 消费积分 paid back to Tmall
   instead of invoicing it, seed "打款给天猫公司进行收入冲减处理", which reduces revenue and
   output VAT like a sales discount); those get no fee estimates. Idempotent: postings already marked
   ``vat-split`` are not split again. A transaction that already holds a 销项税额 posting not
   made by this plugin (a hand-written, fully split entry) is not split again when that VAT is
   the VAT of its tax-inclusive amount: ``|VAT − round((income + VAT) × r / (1 + r))|`` at most
   0.01 CNY per (unsplit) income posting; otherwise it is an error giving the VAT written and the
   VAT expected, and the entry is left as written (no split, no estimates).

   Currency: the split and the estimates are in CNY. A ``#tmall-sale`` with an income or 销项税额
   posting in another currency is an error ("book #tmall-sale income in CNY") and is left as
   written (nor does it count in the rate check).

2. **Fee estimates (hand-written / order-side entries only).** A transaction *without* ``source``
   metadata (so not imported from a statement), with a positive gross and exactly one Alipay
   posting, gets the fees it does not state: 天猫佣金 ``commission_rate`` (5%) and 天猫积分
   ``points_rate`` (0.5%) of the gross, and 支付手续费 ``card_fee_rate`` (1%) of its
   ``card-paid`` metadata (zero, so no posting, without it). ``category`` metadata picks rates
   from ``category_rates``. Each added posting is marked ``estimated: TRUE`` and the Alipay
   posting is reduced by their sum. A fee account that already has a posting in the transaction
   is an actual amount and is never changed or estimated; entries with ``source`` metadata
   (imported facts) never get estimates.

3. **Rate check (optional).** With ``check_rates`` set to a tolerance (e.g. ``'0.002'``, i.e. 0.2
   percentage points), for each day of imported entries (``source`` metadata) holding both sales
   and commission: rate = commission receivable debits of the day / gross sales of the day
   (#tmall-sale income, tax-inclusive, net of refunds). A rate farther than the tolerance from
   the configured one is an error naming the day, the rate seen and the rate expected.

Example (default config)::

    plugin "beancount_tmall.plugins.sales"

    2025-03-15 * "天猫" "订单 3321" #tmall-sale
      card-paid: 1000.00 CNY
      Assets:1012-其他货币资金:101201-支付宝        11300.00 CNY
      Income:6001-主营业务收入                     -11300.00 CNY

becomes::

    2025-03-15 * "天猫" "订单 3321" #tmall-sale
      card-paid: 1000.00 CNY
      Assets:1012-其他货币资金:101201-支付宝        10668.50 CNY
      Assets:1221-其他应收款:122101-天猫佣金           565.00 CNY
        estimated: TRUE
      Assets:1221-其他应收款:122102-天猫积分            56.50 CNY
        estimated: TRUE
      Expenses:6603-财务费用:660301-支付手续费          10.00 CNY
        estimated: TRUE
      Income:6001-主营业务收入                     -10000.00 CNY
        vat-split: TRUE
      Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -1300.00 CNY
        vat-split: TRUE

Config (a Python dict literal; every key optional)::

    plugin "beancount_tmall.plugins.sales" "{
      'vat_rate': '0.13', 'commission_rate': '0.05', 'points_rate': '0.005',
      'card_fee_rate': '0.01', 'category_rates': {'食品': '0.02', '服饰': {'commission': '0.05'}},
      'check_rates': '0.002', 'estimate': True}"

``category_rates`` maps a ``category`` value to its commission rate, or to a dict overriding any of
``commission``, ``points``, ``card_fee``. Accounts (``income_account``, ``output_vat_account``,
``alipay_account``, ``commission_account``, ``points_account``, ``card_fee_account``) and the
``tag`` can be overridden too; defaults come from ``beancount_tmall.accounts``.

**Taxpayer type** (``beancount_tmall.tax``): the rate of the split is the ledger's setting on the
sale's day. A 一般纳税人 (the default) splits at ``vat_rate`` (13%) unless its ``tmall-taxpayer``
directive gives ``vat-rate``; a 小规模纳税人 splits at its levy (3%, or 1% with ``vat-rate: "0.01"``)
into the same 销项税额 account (see ``tax`` for why), so gross sales are the same in both regimes::

    2025-01-01 custom "tmall-taxpayer" "小规模纳税人"

    2025-03-15 * "天猫" "订单 3321" #tmall-sale
      source: "alipay"
      Assets:1012-其他货币资金:101201-支付宝        10300.00 CNY
      Income:6001-主营业务收入                     -10300.00 CNY

splits into ``Income:6001-主营业务收入 -10000.00 CNY`` and ``…22210102-销项税额 -300.00 CNY``. A bad
``tmall-taxpayer`` directive is reported by this plugin. Each posting is rounded on its own; the
month's VAT on the month's tax-inclusive sales is trued up by ``tmall-books close`` (``close:
"vat-rounding"``).

Note on half-cent ties: at 13% (and 6%, 9%, 3%, 1%) a gross in whole cents never puts the revenue or
the VAT exactly on half a cent, so "round the revenue half-up, VAT is the rest" and "round both
half-up, remainder on the larger" give the same books. Fee estimates do land on ties (0.5% of
101.00 = 0.505 → 0.51).
"""

from __future__ import annotations

import collections
import datetime
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data

from beancount_tmall import accounts, tax
from beancount_tmall.plugins._common import (
    CENT,
    ZERO,
    PluginError,
    is_true,
    location,
    make_error,
    parse_config,
    posting,
    report_once,
    round_cents,
    split_inclusive,
    to_decimal,
)

__plugins__ = ("sales",)

PLUGIN = "beancount_tmall.plugins.sales"

#: Metadata set on the two parts of a split income posting.
SPLIT_META = "vat-split"
#: Metadata set on fee postings the plugin estimated.
ESTIMATED_META = "estimated"

DEFAULTS: dict[str, Any] = {
    "vat_rate": "0.13",
    "commission_rate": "0.05",
    "points_rate": "0.005",
    "card_fee_rate": "0.01",
    "category_rates": {},
    "check_rates": None,
    "estimate": True,
    "tag": "tmall-sale",
    # Income reductions that are split like a refund (VAT included), but get no fee estimates:
    # the 消费积分 paid back to Tmall instead of invoicing it (seed: 打款给天猫公司进行收入冲减).
    "split_tags": ["points-payback"],
    "income_account": accounts.REVENUE,
    "output_vat_account": accounts.OUTPUT_VAT,
    "alipay_account": accounts.ALIPAY,
    "commission_account": accounts.COMMISSION_RECEIVABLE,
    "points_account": accounts.POINTS_RECEIVABLE,
    "card_fee_account": accounts.PAYMENT_FEE,
}

_RATE_KEYS = ("vat_rate", "commission_rate", "points_rate", "card_fee_rate")
#: Fee kinds, in the order their postings are added: (rate name, account key, base).
_FEES = (
    ("commission", "commission_account", "gross"),
    ("points", "points_account", "gross"),
    ("card_fee", "card_fee_account", "card-paid"),
)


def sales(entries: data.Entries, options_map: dict, config_str: str | None = None):
    """Split #tmall-sale income into revenue + 销项税额; estimate missing fees; check rates.

    Args:
      entries: A list of directives.
      options_map: The options map (unused).
      config_str: A Python dict literal overriding ``DEFAULTS``.
    Returns:
      The entries, with #tmall-sale transactions completed, and a list of errors.
    """
    config, errors = read_config(config_str)
    payers = tax.timeline(entries)
    errors.extend(payers.errors)
    tag = config["tag"]
    split_tags = frozenset(config["split_tags"] or ()) | {tag}
    estimate = config["estimate"]
    new_entries = []
    skipped: set[int] = set()  # ids of sales left as written because of an error
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.tags and not split_tags.isdisjoint(entry.tags):
            problem = None
            rate = payers.at(entry.date, config["vat_rate"]).vat_rate
            if estimate and tag in entry.tags and "source" not in entry.meta:
                # Hand-written: check before estimating (an entry in error is left as written).
                gross, problem = _inspect(entry, config, rate)
                if problem is None:
                    entry, fee_errors = _estimate_fees(entry, config, gross)
                    errors.extend(fee_errors)
            if problem is None:
                entry, problem = _split_vat(entry, config, rate)
            if problem is not None:
                errors.append(problem)
                skipped.add(id(entry))
        new_entries.append(entry)
    if config["check_rates"] is not None:
        errors.extend(_check_rates(new_entries, config, skipped))
    return new_entries, report_once(options_map, PLUGIN, errors)


# --------------------------------------------------------------------------- config


def read_config(config_str: str | None) -> tuple[dict[str, Any], list[PluginError]]:
    """The plugin config, typed (rates as Decimal), and the errors reading it."""
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    source = data.new_metadata(f"<{PLUGIN}>", 0)

    def bad(message):
        errors.append(PluginError(source, f"{PLUGIN}: {message}", None))

    for key in _RATE_KEYS:
        try:
            config[key] = to_decimal(config[key])
        except ValueError:
            bad(f"{key} 不是比率: {config[key]!r}; 按 {DEFAULTS[key]} 处理 ({key} is not a rate)")
            config[key] = to_decimal(DEFAULTS[key])
    if config["check_rates"] is not None:
        try:
            config["check_rates"] = to_decimal(config["check_rates"])
        except ValueError:
            bad(
                f"check_rates 不是容差: {config['check_rates']!r}; 不检查佣金率 "
                f"(check_rates is not a tolerance; rate check off)"
            )
            config["check_rates"] = None
    categories = {}
    if not isinstance(config["category_rates"], dict):
        bad(f"category_rates 须为字典, 实为 {config['category_rates']!r} (category_rates must be a dict)")
        config["category_rates"] = {}
    for category, rates in config["category_rates"].items():
        if not isinstance(rates, dict):
            rates = {"commission": rates}
        try:
            categories[category] = {
                kind: to_decimal(rates[kind])
                for kind in ("commission", "points", "card_fee")
                if kind in rates
            }
        except ValueError:
            bad(f"category_rates[{category!r}] 不是比率: {rates!r} (not a rate)")
            continue
        unknown = set(rates) - {"commission", "points", "card_fee"}
        if unknown:
            bad(
                f"category_rates[{category!r}]: 未知的费用 {sorted(unknown)}, 可用 commission, points, "
                f"card_fee (unknown fee)"
            )
    config["category_rates"] = categories
    for key in DEFAULTS:
        if key.endswith("_account") and not account_lib.is_valid(config[key]):
            bad(
                f"{key} 不是有效科目: {config[key]!r}; 按 {DEFAULTS[key]} 处理 "
                f"({key} is not a valid account)"
            )
            config[key] = DEFAULTS[key]
    config["_income_prefix"] = config["income_account"] + ":"
    return config, errors


def fee_rates(entry: data.Transaction, config: dict[str, Any]) -> dict[str, Decimal]:
    """The fee rates for a transaction: defaults, overridden by its ``category`` metadata."""
    rates = {
        "commission": config["commission_rate"],
        "points": config["points_rate"],
        "card_fee": config["card_fee_rate"],
    }
    rates.update(config["category_rates"].get(entry.meta.get("category"), {}))
    return rates


# --------------------------------------------------------------------------- accounting


def gross_sales(entry: data.Transaction, config: dict[str, Any]) -> Decimal:
    """Tax-inclusive sales of a transaction: -(income postings + output VAT postings).

    The same before and after the VAT split (and for a hand-written, fully split entry).
    """
    income, prefix, vat = config["income_account"], config["_income_prefix"], config["output_vat_account"]
    total = ZERO
    for p in entry.postings:
        account = p.account
        if account == income or account == vat or account.startswith(prefix):
            total += p.units.number
    return -total


def _inspect(
    entry: data.Transaction, config: dict[str, Any], rate: Decimal
) -> tuple[Decimal, PluginError | None]:
    """``(gross_sales, error)`` of a sale in one pass; the error is ``_split_vat``'s (see there)."""
    income, prefix, vat = config["income_account"], config["_income_prefix"], config["output_vat_account"]
    total = hand_income = hand_vat = ZERO
    n_income = 0
    has_hand_vat = False
    for p in entry.postings:
        account = p.account
        is_vat = account == vat
        if not (is_vat or account == income or account.startswith(prefix)):
            continue
        units = p.units
        if units.currency != accounts.CURRENCY:
            return ZERO, _currency_error(entry, p, config)
        total += units.number
        if p.meta and is_true(p.meta.get(SPLIT_META)):
            continue
        if is_vat:
            has_hand_vat = True
            hand_vat += units.number
        else:
            n_income += 1
            hand_income += units.number
    if has_hand_vat:
        return -total, _hand_split_error(entry, rate, hand_income, hand_vat, n_income)
    return -total, None


def _currency_error(entry: data.Transaction, p: data.Posting, config: dict[str, Any]) -> PluginError:
    tag, currency = config["tag"], accounts.CURRENCY
    return make_error(
        entry,
        f"#{tag} 分录的 {p.account} {p.units} (位于 {location(p.meta or entry)}) 币种为 "
        f"{p.units.currency}: #{tag} 的收入须以 {currency} 记账; 本分录未拆分销项税额, 也未估算费用 "
        f"(book #{tag} income in {currency}; VAT split and fee estimates skipped)",
    )


def _hand_split_error(
    entry: data.Transaction, rate: Decimal, income: Decimal, vat: Decimal, n_income: int
) -> PluginError | None:
    """None when a hand-written 销项税额 is the VAT of the amount it splits (±0.01 per posting)."""
    currency = accounts.CURRENCY
    expected = round_cents((income + vat) * rate / (1 + rate))
    if abs(vat - expected) <= CENT * max(n_income, 1):
        return None
    return make_error(
        entry,
        f"手工填写的销项税额 {vat} {currency} 不是含税金额 {-(income + vat)} {currency} 按 {rate:%} "
        f"计算的税额: 应为 {expected} {currency} (每个收入分录允许差 0.01); 本分录保持原样 "
        f"(请更正销项税额行, 或删去该行由插件拆分收入) (hand-written output VAT is not the VAT "
        f"of the tax-inclusive amount)",
    )


def _estimate_fees(entry: data.Transaction, config: dict[str, Any], gross: Decimal):
    """Add estimated fee postings for the fees the entry does not state; reduce the Alipay leg."""
    alipay = [i for i, p in enumerate(entry.postings) if p.account == config["alipay_account"]]
    if gross <= 0 or len(alipay) != 1:
        return entry, []
    present = {p.account for p in entry.postings}
    rates = fee_rates(entry, config)
    alipay_posting = entry.postings[alipay[0]]
    currency = alipay_posting.units.currency
    errors = []
    added = []
    for kind, account_key, base_name in _FEES:
        account = config[account_key]
        if account in present:
            continue
        if base_name == "gross":
            base = gross
        else:
            value = entry.meta.get(base_name)
            if value is None:
                continue
            try:
                base = value.number if isinstance(value, data.Amount) else to_decimal(value)
            except ValueError:
                errors.append(
                    make_error(entry, f"{base_name} 不是金额: {value!r} ({base_name} is not an amount)")
                )
                continue
        number = round_cents(base * rates[kind])
        if number:
            meta = data.new_metadata(
                entry.meta["filename"], entry.meta["lineno"], {ESTIMATED_META: True}
            )
            added.append(posting(account, number, currency, meta))
    if not added:
        return entry, errors
    total = sum((p.units.number for p in added), ZERO)
    postings = list(entry.postings)
    postings[alipay[0]] = alipay_posting._replace(
        units=data.Amount(alipay_posting.units.number - total, currency)
    )
    postings[alipay[0] + 1 : alipay[0] + 1] = added
    return entry._replace(postings=postings), errors


def _split_vat(
    entry: data.Transaction, config: dict[str, Any], rate: Decimal
) -> tuple[data.Transaction, PluginError | None]:
    """Replace each tax-inclusive income posting by revenue + 销项税额 (both ``vat-split: TRUE``).

    Returns ``(entry, error)``; on an error the entry is returned as written. Errors: an income
    or 销项税额 posting not in CNY; a hand-written 销项税额 (no ``vat-split``) that is not the VAT
    of the tax-inclusive amount it splits, ``round((income + VAT) × r / (1 + r))`` within 0.01 CNY
    per unsplit income posting (each posting split alone may round a cent apart). A hand split
    within that tolerance is kept as written.
    """
    output_vat, currency = config["output_vat_account"], accounts.CURRENCY
    income, prefix = config["income_account"], config["_income_prefix"]
    postings = []
    hand_vat = hand_income = None
    n_income = 0
    for p in entry.postings:
        account = p.account
        is_vat = account == output_vat
        if not is_vat and account != income and not account.startswith(prefix):
            postings.append(p)
            continue
        units = p.units
        if units.currency != currency:
            return entry, _currency_error(entry, p, config)
        meta = p.meta or {}
        if is_true(meta.get(SPLIT_META)):
            postings.append(p)
            continue
        if is_vat:
            hand_vat = (hand_vat or ZERO) + units.number
            continue
        n_income += 1
        hand_income = (hand_income or ZERO) + units.number
        if hand_vat is not None:
            continue  # a hand split: nothing more to build
        net, tax = split_inclusive(units.number, rate)
        postings.append(
            data.Posting(
                account, data.Amount(net, currency), p.cost, p.price, p.flag,
                {**meta, SPLIT_META: True},
            )
        )
        if tax:
            vat_meta = {
                "filename": meta.get("filename", entry.meta["filename"]),
                "lineno": meta.get("lineno", entry.meta["lineno"]),
                SPLIT_META: True,
            }
            postings.append(
                data.Posting(output_vat, data.Amount(tax, currency), None, None, None, vat_meta)
            )
    if hand_vat is not None:
        return entry, _hand_split_error(entry, rate, hand_income or ZERO, hand_vat, n_income)
    return (entry._replace(postings=postings) if n_income else entry), None


def _check_rates(
    entries: data.Entries, config: dict[str, Any], skipped: set[int] = frozenset()
) -> list[PluginError]:
    """Per day of imported entries: actual commission rate vs the configured one.

    Sales in ``skipped`` (ids of entries already in error: foreign currency, bad hand split) are
    left out of the day's gross.
    """
    tag = config["tag"]
    commission: dict[datetime.date, Decimal] = collections.defaultdict(Decimal)
    gross: dict[datetime.date, Decimal] = collections.defaultdict(Decimal)
    first_sale: dict[datetime.date, data.Transaction] = {}
    categories: dict[datetime.date, set] = collections.defaultdict(set)
    commission_account = config["commission_account"]
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "source" not in entry.meta:
            continue
        for p in entry.postings:
            if p.account == commission_account:
                commission[entry.date] += p.units.number
        if tag in entry.tags and id(entry) not in skipped:
            gross[entry.date] += gross_sales(entry, config)
            first_sale.setdefault(entry.date, entry)
            categories[entry.date].add(entry.meta.get("category"))
    errors = []
    tolerance = config["check_rates"]
    for date in sorted(first_sale):
        if not commission.get(date) or not gross[date]:
            continue
        rate = commission[date] / gross[date]
        expected = config["commission_rate"]
        if len(categories[date]) == 1:
            (category,) = categories[date]
            expected = config["category_rates"].get(category, {}).get("commission", expected)
        if abs(rate - expected) > tolerance:
            errors.append(
                make_error(
                    first_sale[date],
                    f"{date}: 天猫佣金率 {rate:.3%} (佣金 {commission[date]} / 含税销售额 "
                    f"{gross[date]} {accounts.CURRENCY}, {config['commission_account']}) 与预期的 "
                    f"{expected:.3%} 相差超过 {tolerance:.3%} (commission rate differs from the "
                    f"expected rate)",
                )
            )
    return errors
