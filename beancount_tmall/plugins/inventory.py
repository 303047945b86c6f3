"""库存商品: the stock of goods may never be negative, in total or for any SKU, day by day.

The rule (issue 8, "Purchases into 库存商品 are hand-written entries; a negative 库存商品 balance is
an error")::

    购进商品记入 库存商品 (1405), 写明商家编码 (sku) 与数量 (quantity);
    月末按已销商品结转 主营业务成本 (6401), 同样逐个商家编码贷记 库存商品;
    库存商品 的余额 (合计, 以及每个商家编码的数量和金额) 在任何一天结束时都不得为负。

Goods come in by a hand-written purchase, each SKU a posting with ``sku`` and ``quantity``
metadata (opening stock too: write it per SKU, the same way), and leave by the month's ``#cogs``
entry of ``tmall-books cogs`` (and come back by ``#return`` entries). Before::

    2025-03-01 * "龙井茶厂" "采购 龙井茶 250g 40 件"
      Assets:1405-库存商品                          1200.00 CNY
        sku: "LJ-250"
        quantity: "40"
      Assets:1002-银行存款                        -1200.00 CNY

    2025-03-31 * "结转" "2025-03 结转已销商品成本 45 件" #cogs
      period: "2025-03"
      Expenses:6401-主营业务成本   1350.00 CNY
        sku: "LJ-250"
        quantity: "45"
        unit-cost: "30.00 CNY"
      Assets:1405-库存商品        -1350.00 CNY
        sku: "LJ-250"
        quantity: "-45"

45 pieces left when 40 came in: at the end of 2025-03-31 LJ-250 stands at -5 pieces,
-150.00 CNY, and so does the account. ``bean-check`` prints, at the ``#cogs`` entry::

    库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 商家编码 LJ-250 数量 -5, 金额 -150.00 CNY;
    先记入采购 (借 库存商品, 带 sku 与 quantity) 或更正该分录 (stock of a SKU goes negative)
    库存商品 Assets:1405-库存商品 2025-03-31 日终余额为负: 合计 -150.00 CNY; 先记入采购 … (stock goes negative)

**The rule**:

* Balances are taken at the end of each day (all of a day's entries count, in whatever order
  they are written): the account's total per currency, and per ``sku`` the quantity (sum of the
  ``quantity`` metadata) and the amount.
* A negative total, or a SKU with a negative quantity or amount, is an error at the last entry of
  that day that touched it, naming the day, the SKU and the balance. It is reported once when the
  balance turns negative, again only after it has come back to zero or above.
* A posting with ``sku`` must have a ``quantity`` (a number of the posting's sign, or 0 with an
  amount of 0); a ``quantity`` without ``sku`` is an error too. Postings without either count
  only in the total.

Config keys (a Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.inventory" "{'accounts': ['Assets:1405-库存商品']}"

``accounts``     the stock accounts (default ``['Assets:1405-库存商品']``)
``subaccounts``  also their sub-accounts (default True)
``per_sku``      also judge each SKU (default True)

``check(entries, config)`` is the computation, without the config parsing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    PluginError,
    account_matcher,
    make_error,
    parse_config,
    report_once,
)

__plugins__ = ("inventory",)

PLUGIN = "beancount_tmall.plugins.inventory"

DEFAULTS: dict[str, Any] = {
    "accounts": [accounts.INVENTORY],
    "subaccounts": True,
    "per_sku": True,
}

ZERO = Decimal(0)


@dataclass
class Balance:
    """A running balance: quantity (SKUs only) and amount per currency."""

    quantity: Decimal = ZERO
    amounts: dict[str, Decimal] = field(default_factory=dict)
    negative: bool = False  # reported as negative and not back to zero yet

    def is_negative(self) -> bool:
        return self.quantity < 0 or any(v < 0 for v in self.amounts.values())

    def text(self, with_quantity: bool) -> str:
        parts = [f"数量 {self.quantity}"] if with_quantity else []
        parts += [f"金额 {v:.2f} {c}" if with_quantity else f"合计 {v:.2f} {c}" for c, v in sorted(self.amounts.items())]
        return ", ".join(parts)


def read_config(config_str: str | dict | None) -> tuple[dict[str, Any], list[PluginError]]:
    """The plugin's config, checked: bad values are errors and fall back to the defaults."""
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    names = config["accounts"]
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (list, tuple)) or not names or not all(
        isinstance(n, str) and account_lib.is_valid(n) for n in names
    ):
        errors.append(PluginError(
            data.new_metadata(f"<{PLUGIN}>", 0),
            f"{PLUGIN}: accounts 须为科目名列表, 实为 {config['accounts']!r}; 按默认处理 (accounts must be a list)",
            None,
        ))
        names = DEFAULTS["accounts"]
    config["accounts"] = tuple(names)
    return config, errors


def _quantity(posting: data.Posting, entry: data.Transaction) -> tuple[str | None, Decimal | None, str | None]:
    """(sku, quantity, problem) of a stock posting; ``problem`` is the Chinese message, if any."""
    meta = posting.meta or {}
    sku = meta.get("sku")
    raw = meta.get("quantity")
    sku = str(sku).strip() if sku is not None else None
    if not sku and raw is None:
        return None, None, None
    if not sku:
        return None, None, f"有 quantity {raw!r} 但没有 sku (商家编码); quantity without sku"
    if raw is None:
        return sku, None, f"商家编码 {sku} 没有 quantity (数量); a posting with sku needs quantity"
    try:
        quantity = Decimal(str(raw).strip())
        if not quantity.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return sku, None, f"商家编码 {sku} 的 quantity {raw!r} 不是数字; quantity is not a number"
    number = posting.units.number if posting.units is not None else None
    if number is not None and ((quantity > 0 and number < 0) or (quantity < 0 and number > 0)
                               or (quantity == 0 and number != 0)):
        return sku, None, (
            f"商家编码 {sku} 的 quantity {quantity} 与金额 {number} 方向不符; quantity and amount differ in sign"
        )
    return sku, quantity, None


def _posting_error(entry: data.Transaction, posting: data.Posting, problem: str) -> PluginError:
    source = posting.meta if (posting.meta or {}).get("filename") else None
    return make_error(entry, f"库存商品 {posting.account}: {problem}", source)


def inventory(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Report each day on which 库存商品, or one SKU of it, ends below zero.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: A Python dict literal (see the module docstring).
    Returns:
      The entries, unchanged, and a list of errors.
    """
    config, errors = read_config(config_str)
    errors += check(entries, config)
    return entries, report_once(options_map, PLUGIN, errors)


def check(entries: Iterable[data.Directive], config: dict[str, Any]) -> list[PluginError]:
    """The errors of the rule over ``entries`` (sorted, as a plugin receives them)."""
    errors: list[PluginError] = []
    total = Balance()
    skus: dict[str, Balance] = {}
    day: datetime.date | None = None
    touched: dict[str | None, data.Transaction] = {}  # sku (None: the total) -> last entry today
    is_stock = account_matcher(config["accounts"], config["subaccounts"])

    def close_day() -> None:
        for sku in sorted(k for k in touched if k is not None) + ([None] if None in touched else []):
            entry = touched[sku]
            balance = total if sku is None else skus[sku]
            if balance.is_negative():
                if not balance.negative:
                    what = f"商家编码 {sku} {balance.text(True)}" if sku else balance.text(False)
                    errors.append(make_error(entry, (
                        f"库存商品 {config['accounts'][0]} {day} 日终余额为负: {what}; "
                        "先记入采购 (借 库存商品, 带 sku 与 quantity) 或更正该分录 "
                        + ("(stock of a SKU goes negative)" if sku else "(stock goes negative)")
                    )))
                balance.negative = True
            else:
                balance.negative = False
        touched.clear()

    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if entry.date != day:
            close_day()
            day = entry.date
        for posting in entry.postings:
            if not is_stock(posting.account) or posting.units is None:
                continue
            number, currency = posting.units.number, posting.units.currency
            if number is None:
                continue
            total.amounts[currency] = total.amounts.get(currency, ZERO) + number
            touched[None] = entry
            if not config["per_sku"]:
                continue
            sku, quantity, problem = _quantity(posting, entry)
            if problem:
                errors.append(_posting_error(entry, posting, problem))
            if sku is None or quantity is None:
                continue
            balance = skus.setdefault(sku, Balance())
            balance.quantity += quantity
            balance.amounts[currency] = balance.amounts.get(currency, ZERO) + number
            touched[sku] = entry
    close_day()
    return errors
