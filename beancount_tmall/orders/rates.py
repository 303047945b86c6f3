"""The store's rates for order-level reconciliation (``tmall-books reconcile orders --rates store.toml``).

Defaults are the ``sales`` plugin's own (:data:`beancount_tmall.plugins.sales.DEFAULTS`: 天猫佣金
5%, 天猫积分 0.5%, 信用卡/花呗支付服务费 1% of the card-paid part), so an order reconciles against
the same rates the ledger estimates with. Every key is optional::

    # 订单核对费率 (store.toml)
    commission_rate = "0.05"     # 天猫佣金: 结算金额 × 费率
    points_rate = "0.005"        # 天猫积分 (代扣返点积分): 结算金额 × 0.5%
    card_fee_rate = "0.01"       # 信用卡/花呗支付服务费: 支付详情中信用卡/花呗部分 × 1%
    tolerance = "0.001"          # 费率容差 (0.1 个百分点); 差额至少 0.01 元才算不符
    window = 1                   # M 月付款的订单应在 M..M+window 月内结算 (买家晚确认收货)
    rules = "rules.toml"         # 店铺自己的流水分类规则 (相对本文件), 同 tmall-books extract --rules

    [category_rates]             # 类目 -> 佣金费率, 或 {commission, points, card_fee}
    "茶具" = "0.048"
    "礼盒" = { commission = "0.052" }

    [categories]                 # 商家编码 (宝贝报表) -> 类目; 可用 * ? 通配
    "GW-*" = "茶具"
    "LH-LJBC" = "礼盒"

    [kinds]                      # 分类规则名 -> 对账种类 (见 sources.KINDS), 改写默认对应
    "software-fee" = "service"

An order's category comes from its items (``--items``, 宝贝报表 商家编码); an order whose items fall
in several categories gets the value-weighted rate. Without items every order takes
``commission_rate``. A fee is "off" when it differs from ``round_half_up(base × rate)`` by more
than ``max(0.01, base × tolerance)``.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount_tmall.plugins import sales
from beancount_tmall.plugins._common import to_decimal

FEES = ("commission", "points", "card_fee")
KEYS = frozenset({
    "commission_rate", "points_rate", "card_fee_rate", "tolerance", "window", "rules",
    "category_rates", "categories", "kinds",
})
DEFAULT_TOLERANCE = Decimal("0.001")
MAX_WINDOW = 12
#: Decimal places a rate may have.
MAX_PLACES = 8


class RatesError(ValueError):
    """A rates file that cannot be used (names the file and the key, Chinese first)."""


@dataclass(frozen=True)
class Rates:
    """The rates an order is judged by (see the module's docstring for the TOML)."""

    commission: Decimal = to_decimal(sales.DEFAULTS["commission_rate"])
    points: Decimal = to_decimal(sales.DEFAULTS["points_rate"])
    card_fee: Decimal = to_decimal(sales.DEFAULTS["card_fee_rate"])
    tolerance: Decimal = DEFAULT_TOLERANCE
    window: int = 1
    #: category -> {"commission"|"points"|"card_fee": rate}
    category_rates: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    #: 商家编码 pattern (fnmatch) -> category
    categories: Mapping[str, str] = field(default_factory=dict)
    #: rule name -> reconciliation kind (overrides :data:`sources.RULE_KINDS`)
    kinds: Mapping[str, str] = field(default_factory=dict)
    #: the store's rule table (``None``: the defaults)
    rules: str | None = None

    def rate(self, fee: str, category: str | None = None) -> Decimal:
        """The rate of ``fee`` (commission, points, card_fee) for ``category`` (or the default)."""
        if category is not None:
            special = self.category_rates.get(category)
            if special and fee in special:
                return special[fee]
        return getattr(self, fee)

    def category_of(self, sku: str) -> str | None:
        """The category of a 商家编码 by :attr:`categories` (exact name first, then patterns)."""
        found = self.categories.get(sku)
        if found is not None:
            return found
        for pattern, category in self.categories.items():
            if fnmatch.fnmatchcase(sku, pattern):
                return category
        return None

    def with_window(self, window: int | None) -> Rates:
        """These rates with another window (``None``: unchanged)."""
        if window is None or window == self.window:
            return self
        _check_window(window, "--window")
        return replace(self, window=window)


def _check_window(window: Any, where: str) -> int:
    if not isinstance(window, int) or isinstance(window, bool) or not 0 <= window <= MAX_WINDOW:
        raise RatesError(
            f"{where}: 结算窗口 window 须为 0 到 {MAX_WINDOW} 的整数 (月), 实为 {window!r}; "
            f"window must be a whole number of months 0..{MAX_WINDOW}"
        )
    return window


def _rate(value: Any, where: str) -> Decimal:
    try:
        rate = to_decimal(value)
    except ValueError:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate < 1:
        raise RatesError(f"{where}: {value!r} 不是 0 到 1 之间的费率; not a rate between 0 and 1")
    if rate.as_tuple().exponent < -MAX_PLACES:
        raise RatesError(f"{where}: {value!r} 小数位超过 {MAX_PLACES} 位; more than {MAX_PLACES} decimal places")
    return rate


def parse_rates(data: Mapping[str, Any], where: str = "rates", base: Path | None = None) -> Rates:
    """:class:`Rates` from a parsed TOML table (``base``: the directory ``rules`` is relative to)."""
    from beancount_tmall.orders.sources import KINDS

    unknown = set(data) - KEYS
    if unknown:
        raise RatesError(
            f"{where}: 未知的键 {sorted(unknown)}, 可用 {sorted(KEYS)}; unknown keys {sorted(unknown)}"
        )
    values: dict[str, Any] = {}
    for fee in FEES:
        key = f"{fee}_rate"
        if key in data:
            values[fee] = _rate(data[key], f"{where}: {key}")
    if "tolerance" in data:
        values["tolerance"] = _rate(data["tolerance"], f"{where}: tolerance")
    if "window" in data:
        values["window"] = _check_window(data["window"], f"{where}: window")
    categories: dict[str, dict[str, Decimal]] = {}
    table = data.get("category_rates", {})
    if not isinstance(table, Mapping):
        raise RatesError(f"{where}: category_rates 须为表; must be a table")
    for category, spec in table.items():
        if not isinstance(spec, Mapping):
            spec = {"commission": spec}
        bad = set(spec) - set(FEES)
        if bad:
            raise RatesError(
                f"{where}: category_rates.{category}: 未知的费用 {sorted(bad)}, 可用 {', '.join(FEES)}; "
                "unknown fee"
            )
        categories[str(category)] = {
            fee: _rate(rate, f"{where}: category_rates.{category}.{fee}") for fee, rate in spec.items()
        }
    values["category_rates"] = categories
    for key in ("categories", "kinds"):
        table = data.get(key, {})
        if not isinstance(table, Mapping) or not all(isinstance(v, str) for v in table.values()):
            raise RatesError(f"{where}: {key} 须为 名称 = \"文本\" 的表; must be a table of texts")
        values[key] = {str(k): v for k, v in table.items()}
    unknown_categories = sorted(set(values["categories"].values()) - set(categories))
    if unknown_categories:
        raise RatesError(
            f"{where}: categories 中的类目 {unknown_categories} 不在 category_rates 中; "
            "category without a rate"
        )
    bad_kinds = sorted(v for v in values["kinds"].values() if v not in KINDS)
    if bad_kinds:
        raise RatesError(f"{where}: kinds 的值 {bad_kinds} 须为 {', '.join(KINDS)} 之一; unknown kind")
    if "rules" in data:
        if not isinstance(data["rules"], str):
            raise RatesError(f"{where}: rules 须为文件路径; must be a path")
        rules = Path(data["rules"])
        values["rules"] = str(base / rules if base is not None and not rules.is_absolute() else rules)
    return Rates(**values)


def load_rates(path: str | Path | None) -> Rates:
    """The rates of a store's TOML (``None``: the defaults). Raises :class:`RatesError`."""
    if path is None:
        return Rates()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RatesError(f"{path}: 无法读取费率文件 ({exc}); cannot read the rates file") from None
    return parse_rates(data, str(path), path.parent)
