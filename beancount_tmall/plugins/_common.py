"""Helpers shared by the beancount-tmall plugins: config, money, months, errors.

Every plugin of this package follows the same shape (see ``beancount/plugins/check_closing.py``):
one top-level function ``(entries, options_map, config_str=None) -> (entries, errors)``. This
module holds what they have in common, so each plugin reads as its accounting rule only:

* **Config** — ``parse_config(config_str, defaults, plugin)``: the plugin's config string is a
  Python dict literal (``ast.literal_eval``), merged over the plugin's defaults; unknown keys and
  unreadable strings are errors, never exceptions. ``to_decimal`` turns ``'0.13'``/``0.13``/``13``
  into a ``Decimal`` through ``str`` (never through a binary float).
* **Money** — ``round_cents`` quantizes to 0.01 with ``ROUND_HALF_UP`` (the Chinese bookkeeping
  convention; Decimal's HALF_UP rounds away from zero, so credits and debits round alike).
  ``split_total`` splits an amount into parts proportional to weights, each part rounded half-up,
  with the rounding remainder put on the largest part so the parts sum exactly to the total.
  ``split_inclusive`` is the tax-inclusive case: 价税合计 → (不含税金额, 税额).
* **Months** — periods are ``"YYYY-MM"`` strings, as in the ledger's ``period`` metadata:
  ``month_of``, ``parse_month``, ``add_months``, ``month_first``, ``month_last``, ``due_date``.
* **Errors** — ``PluginError`` is the Beancount error namedtuple ``(source, message, entry)``;
  ``make_error`` builds one from an entry so ``bean-check`` prints ``file:line: message``.
  Messages are Chinese first (the accountant reads them), an English rendering in parentheses
  after. ``report_once`` drops what the same plugin already reported during this load, so a
  plugin listed twice in a ledger reports each error once.
"""

from __future__ import annotations

import ast
import collections
import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data

#: The error every plugin of this package returns (Beancount's error shape).
PluginError = collections.namedtuple("PluginError", "source message entry")

CENT = Decimal("0.01")
ZERO = Decimal("0")

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


# --------------------------------------------------------------------------- errors


def location(entry: Any) -> str:
    """``"file:line"`` of an entry (or of a meta dict), for messages that cite another entry."""
    meta = entry if isinstance(entry, Mapping) else getattr(entry, "meta", None) or {}
    return f"{meta.get('filename', '<unknown>')}:{meta.get('lineno', 0)}"


def make_error(entry: Any, message: str, source: Mapping | None = None) -> PluginError:
    """A ``PluginError`` whose source is the entry's meta (so Beancount prints its file:line)."""
    if source is None:
        source = getattr(entry, "meta", None) or data.new_metadata("<beancount_tmall>", 0)
    return PluginError(source, message, entry)


class _Reported(set):
    """The errors already reported during one load (kept short when Fava prints the options)."""

    def __repr__(self) -> str:
        return f"<beancount_tmall: {len(self)} plugin errors reported>"

    __str__ = __repr__


#: The ``options_map`` key under which ``report_once`` remembers what was reported.
REPORTED_KEY = "beancount_tmall_reported"


def report_once(options_map: Any, plugin: str, errors: list[PluginError]) -> list[PluginError]:
    """``errors`` less those this plugin already reported during this load.

    A plugin listed twice runs twice on the same ``options_map`` (Beancount passes one options
    map to every plugin of a load); each run would report the same errors. The errors are
    remembered by (plugin, file, line, message) in the options map, so the second run returns
    only what the first did not report. Without an options map nothing is filtered.
    """
    if not isinstance(options_map, dict):
        return errors
    seen = options_map.get(REPORTED_KEY)
    if not isinstance(seen, _Reported):
        seen = options_map[REPORTED_KEY] = _Reported()
    out = []
    for error in errors:
        source = error.source or {}
        key = (plugin, source.get("filename"), source.get("lineno"), error.message)
        if key not in seen:
            seen.add(key)
            out.append(error)
    return out


def order_error(options_map: Mapping | None, plugin: str, needs: str, why: str) -> PluginError | None:
    """An error when the ledger lists plugin ``needs`` after ``plugin`` (which reads its output).

    ``options_map["plugin"]`` holds the ledger's ``(name, config)`` pairs in the order they run.
    Nothing when either is not listed, or when the first ``needs`` comes before the first
    ``plugin`` (a plugin listed twice runs twice: the first run is the one that must be preceded).
    """
    names = [name for name, _ in (options_map or {}).get("plugin", ()) or ()]
    if plugin not in names or needs not in names or names.index(needs) < names.index(plugin):
        return None
    source = data.new_metadata((options_map or {}).get("filename") or f"<{plugin}>", 0)
    return PluginError(
        source,
        f"{plugin}: 请把 plugin \"{needs}\" 写在 plugin \"{plugin}\" 之前 (插件按 plugin 行的顺序运行; "
        f"{why}) (list {needs} before {plugin})",
        None,
    )


# --------------------------------------------------------------------------- config


def to_decimal(value: Any) -> Decimal:
    """``Decimal(str(value))``: accepts ``'0.13'``, ``0.13``, ``13``, a ``Decimal``.

    Raises ``ValueError`` for anything else (``parse_config`` callers turn it into an error).
    """
    if isinstance(value, bool):
        raise ValueError(f"不是数字 (not a number): {value!r}")
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"不是数字 (not a number): {value!r}") from exc


def parse_config(
    config_str: str | Mapping | None,
    defaults: Mapping[str, Any],
    plugin: str,
    allow_unknown: bool = False,
) -> tuple[dict[str, Any], list[PluginError]]:
    """Merge the plugin's config string (a Python dict literal) over ``defaults``.

    ``config_str`` may also be an already-parsed dict (e.g. from a report that holds one).
    Returns ``(config, errors)``. On an unreadable string or a non-dict, the defaults are used and
    one error is returned; unknown keys are errors unless ``allow_unknown``. Values are not
    converted here (each plugin knows which keys are rates): use ``to_decimal`` on them.

    >>> parse_config("{'vat_rate': '0.09'}", {'vat_rate': '0.13'}, 'sales')[0]
    {'vat_rate': '0.09'}
    """
    config = dict(defaults)
    errors: list[PluginError] = []
    source = data.new_metadata(f"<{plugin}>", 0)
    if isinstance(config_str, Mapping):
        given = dict(config_str)
    elif config_str is None or not str(config_str).strip():
        return config, errors
    else:
        try:
            given = ast.literal_eval(config_str)
        except (ValueError, SyntaxError) as exc:
            message = (
                f"{plugin}: 配置不是 Python 字典写法, 例如 {{'grace_days': 5}}: {config_str!r} ({exc}) "
                f"(config is not a Python dict literal)"
            )
            errors.append(PluginError(source, message, None))
            return config, errors
    if not isinstance(given, dict):
        errors.append(
            PluginError(
                source, f"{plugin}: 配置须为字典, 实为 {config_str!r} (config must be a dict)", None
            )
        )
        return config, errors
    for key, value in given.items():
        if key not in defaults and not allow_unknown:
            errors.append(
                PluginError(
                    source,
                    f"{plugin}: 未知的配置项 {key!r} (可用: {', '.join(sorted(defaults))}) "
                    f"(unknown config key)",
                    None,
                )
            )
            continue
        config[key] = value
    return config, errors


def read_accounts(
    config: dict[str, Any], defaults: Mapping[str, Any], plugin: str, key: str = "accounts"
) -> list[PluginError]:
    """Check ``config[key]``: a list of valid account names (one name alone is accepted).

    Stores it as a tuple; on a bad value, the default (and one error naming both).
    """
    names = config[key]
    if isinstance(names, str):
        names = [names]
    if isinstance(names, (list, tuple)) and all(
        isinstance(n, str) and account_lib.is_valid(n) for n in names
    ):
        config[key] = tuple(names)
        return []
    config[key] = tuple(defaults[key])
    return [
        PluginError(
            data.new_metadata(f"<{plugin}>", 0),
            f"{plugin}: {key} 须为科目列表, 实为 {names!r}; 按默认 {list(defaults[key])} 处理 "
            f"({key} must be a list of accounts)",
            None,
        )
    ]


def account_matcher(bases: Sequence[str], subaccounts: bool = True):
    """A test ``account -> bool``: one of ``bases``, or (``subaccounts``) below one of them."""
    exact = frozenset(bases)
    prefixes = tuple(b + ":" for b in bases) if subaccounts else ()
    cache: dict[str, bool] = {}

    def matches(account: str) -> bool:
        hit = cache.get(account)
        if hit is None:
            hit = cache[account] = account in exact or bool(prefixes and account.startswith(prefixes))
        return hit

    return matches


# --------------------------------------------------------------------------- money


def round_cents(number: Decimal) -> Decimal:
    """Round to the cent, half-up (away from zero): 0.005 → 0.01, -0.005 → -0.01."""
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def split_total(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` into parts proportional to ``weights``, summing exactly to ``total``.

    Each part is ``round_cents(total * w / sum(weights))``; whatever the rounding leaves over
    (at most a few cents) is added to the part largest in absolute value (the first one on ties).

    >>> split_total(Decimal('11300.00'), [Decimal('1'), Decimal('0.13')])
    [Decimal('10000.00'), Decimal('1300.00')]
    >>> split_total(Decimal('0.10'), [Decimal('1'), Decimal('1'), Decimal('1')])
    [Decimal('0.04'), Decimal('0.03'), Decimal('0.03')]
    """
    total = Decimal(total)
    weights = [Decimal(w) for w in weights]
    if not weights:
        raise ValueError("split_total needs at least one weight")
    wsum = sum(weights, ZERO)
    if wsum == 0:
        raise ValueError("split_total: weights sum to zero")
    parts = [round_cents(total * w / wsum) for w in weights]
    remainder = round_cents(total) - sum(parts, ZERO)
    if remainder:
        largest = max(range(len(parts)), key=lambda i: (abs(parts[i]), -i))
        parts[largest] += remainder
    return parts


def split_inclusive(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """Split a tax-inclusive amount (价税合计) into (不含税金额, 税额) at ``rate``.

    Net = gross / (1 + rate), tax = gross × rate / (1 + rate), each half-up, remainder on the
    larger part (the net, for any rate below 100%), so ``net + tax == gross``.

    >>> split_inclusive(Decimal('11300.00'), Decimal('0.13'))
    (Decimal('10000.00'), Decimal('1300.00'))
    >>> split_inclusive(Decimal('5650.00'), Decimal('0.06'))
    (Decimal('5330.19'), Decimal('319.81'))
    """
    # split_total(gross, [1, rate]) for two parts, written out: it runs for every sale posting.
    gross = Decimal(gross)
    rate = Decimal(rate)
    divisor = 1 + rate
    net = (gross / divisor).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (gross * rate / divisor).quantize(CENT, rounding=ROUND_HALF_UP)
    remainder = gross.quantize(CENT, rounding=ROUND_HALF_UP) - net - tax
    if remainder:
        if abs(net) >= abs(tax):
            net += remainder
        else:
            tax += remainder
    return net, tax


# --------------------------------------------------------------------------- months


def month_of(date: datetime.date) -> str:
    """``datetime.date(2025, 3, 15)`` → ``"2025-03"``."""
    return f"{date.year:04d}-{date.month:02d}"


def parse_month(text: Any) -> tuple[int, int]:
    """``"2025-03"`` → ``(2025, 3)``; raises ``ValueError`` on anything else.

    Also accepts a ``datetime.date`` (its month), since the parser turns an unquoted
    ``period: 2025-03-01`` into a date.
    """
    if isinstance(text, datetime.date):
        return text.year, text.month
    match = _MONTH_RE.match(str(text).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"not a month (expected YYYY-MM): {text!r}")
    return int(match.group(1)), int(match.group(2))


def add_months(month: str, n: int) -> str:
    """``add_months("2025-12", 1)`` → ``"2026-01"``; n may be negative."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_first(month: str) -> datetime.date:
    """First day of ``"YYYY-MM"``."""
    year, mon = parse_month(month)
    return datetime.date(year, mon, 1)


def month_last(month: str) -> datetime.date:
    """Last day of ``"YYYY-MM"``."""
    return month_first(add_months(month, 1)) - datetime.timedelta(days=1)


def due_date(month: str, day: int = 10, grace_days: int = 0) -> datetime.date:
    """The day an invoice for ``month`` is due: ``day`` of the next month plus ``grace_days``.

    >>> due_date("2025-03")
    datetime.date(2025, 4, 10)
    >>> due_date("2025-12", grace_days=5)
    datetime.date(2026, 1, 15)
    """
    return month_first(add_months(month, 1)).replace(day=day) + datetime.timedelta(days=grace_days)


# --------------------------------------------------------------------------- entries


def is_true(value: Any) -> bool:
    """A metadata flag: ``TRUE`` (parsed as bool), or the strings "true"/"yes"/"1"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return False


def judged_date(entries: Iterable[data.Directive], ignore_tags=("accrual",)) -> datetime.date | None:
    """The day a ledger is judged at (due dates, settlement): its latest transaction or balance.

    Transactions tagged ``ignore_tags`` (year-end accruals and their 01-01 reversals) do not count,
    nor do other directives (events, prices, notes, the plugins' own ``custom`` summaries): they
    would move the ledger into days it has no facts for. Every plugin and report uses this one.
    """
    ignore = set(ignore_tags)
    return max(
        (
            e.date
            for e in entries
            if isinstance(e, data.Balance)
            or (isinstance(e, data.Transaction) and not (e.tags and ignore & e.tags))
        ),
        default=None,
    )


#: Metadata on the expense and 进项税额 lines a plugin adds to a compact invoice.
INVOICE_SPLIT_META = "invoice-split"


def invoice_split(
    entry: data.Transaction, credit: data.Posting, expense: str, input_vat: str, rate: Decimal,
    deductible: bool = True,
) -> list[data.Posting]:
    """The lines that complete one receivable credit of a compact invoice (价税合计).

    The expense at the net amount and 进项税额 for the tax (no line for a zero tax), split half-up
    at ``rate`` and summing back to the credit; both marked ``invoice-split`` and carrying the
    credit line's own ``period`` if it has one. Not ``deductible`` (a 小规模纳税人, or a 普票; see
    ``beancount_tmall.tax.deductible``): the expense takes the whole 价税合计, no 进项税额 line.
    Used by the ``invoices`` and ``annual_fee`` plugins.
    """
    net, tax = split_inclusive(-credit.units.number, rate) if deductible else (-credit.units.number, ZERO)
    extra: dict[str, Any] = {INVOICE_SPLIT_META: True}
    period = (credit.meta or {}).get("period")
    if period is not None:
        extra["period"] = period
    currency = credit.units.currency
    filename, lineno = entry.meta["filename"], entry.meta["lineno"]
    lines = [posting(expense, net, currency, data.new_metadata(filename, lineno, dict(extra)))]
    if tax:
        lines.append(posting(input_vat, tax, currency, data.new_metadata(filename, lineno, dict(extra))))
    return lines


def posting(account: str, number: Decimal, currency: str, meta: dict | None = None) -> data.Posting:
    """A simple posting ``account number currency`` (no cost, no price)."""
    return data.Posting(account, data.Amount(number, currency), None, None, None, meta)
