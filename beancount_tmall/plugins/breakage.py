"""破损: every breakage charged to cost carries its breakage order number and its photos.

The seed (000, 天猫费用账务处理方式)::

    破损处理:单独设破损开单,计入成本,需要备注破损单号、拍照资料。

Goods broken in the warehouse, in transit or returned unsellable are charged to
``Expenses:6401-主营业务成本:640102-破损`` on their own breakage order (破损单). Each such posting
carries the order's number as ``breakage-no`` (posting or entry metadata), and the photos are
Beancount ``document`` entries tied to that number by the link ``^breakage-<no>`` (or by
``breakage-no`` metadata on the document, or a file name holding ``breakage-<no>``)::

    2025-03-20 * "仓库" "破损: 玻璃杯 2 件运输破损" ^breakage-PS202503001
      breakage-no: "PS202503001"
      Expenses:6401-主营业务成本:640102-破损      60.00 CNY
      Assets:1405-库存商品                      -60.00 CNY
        sku: "LJ-250"
        quantity: "-2"

    2025-03-20 document Expenses:6401-主营业务成本:640102-破损 "photos/PS202503001-1.jpg" ^breakage-PS202503001

Without ``breakage-no``, ``bean-check`` prints at the posting's line::

    破损 Expenses:6401-主营业务成本:640102-破损 60.00 CNY 没有破损单号: 请在分录或该行下写
    breakage-no: "破损单号" (breakage posting without breakage-no)

and with a number but no photo::

    破损 … 60.00 CNY (破损单 PS202503001) 没有拍照资料: 请添加 document 分录, 如 2025-03-20
    document Expenses:6401-主营业务成本:640102-破损 "photos/PS202503001.jpg" ^breakage-PS202503001
    (breakage PS202503001 has no photo document)

(Beancount itself reports a ``document`` whose file does not exist.) A breakage number must be a
plain text (letters, digits, ``-``, ``_``, ``.``, ``/``), since it is also written in a link.

Config keys (a Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.breakage" "{'accounts': ['Expenses:6401-主营业务成本:640102-破损']}"

``accounts``     the breakage accounts (default ``['Expenses:6401-主营业务成本:640102-破损']``)
``subaccounts``  also their sub-accounts (default True)
``link_prefix``  the link tying photos to a breakage order (default ``'breakage-'``)
``require_photo`` whether a photo ``document`` is required (default True)

``breakage_orders(entries, config)`` is the pure computation (breakage orders, their postings and
photos) a report may list.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    PluginError,
    account_matcher,
    make_error,
    parse_config,
    read_accounts,
    report_once,
)

__plugins__ = ("breakage",)

PLUGIN = "beancount_tmall.plugins.breakage"
NUMBER_KEY = "breakage-no"

DEFAULTS: dict[str, Any] = {
    "accounts": [accounts.BREAKAGE],
    "subaccounts": True,
    "link_prefix": "breakage-",
    "require_photo": True,
}

#: What a breakage number may hold (it is written in a link ``^breakage-<no>``).
_NUMBER = re.compile(r"^[A-Za-z0-9\-_./]+$")


@dataclass
class BreakageOrder:
    """One breakage order (破损单): its postings and its photo documents."""

    number: str
    postings: list[tuple[data.Transaction, data.Posting]] = field(default_factory=list)
    photos: list[data.Document] = field(default_factory=list)


def read_config(config_str: str | dict | None) -> tuple[dict[str, Any], list[PluginError]]:
    """The plugin's config, checked: bad values are errors and fall back to the defaults."""
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    errors += read_accounts(config, DEFAULTS, PLUGIN)
    return config, errors


def _number(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _photo_numbers(doc: data.Document, prefix: str, known) -> set[str]:
    """The breakage numbers (of ``known``) a document is a photo of: by its links, its
    ``breakage-no`` metadata, or its file name holding ``<prefix><no>`` (not followed by a letter
    or digit: Beancount's ``documents`` folders name files ``2025-03-20.breakage-PS001-1.jpg``)."""
    numbers = {link[len(prefix):] for link in doc.links or () if link.startswith(prefix)}
    meta = _number((doc.meta or {}).get(NUMBER_KEY))
    if meta:
        numbers.add(meta)
    name = os.path.basename(doc.filename or "")
    if prefix in name:
        numbers.update(
            n for n in known if re.search(re.escape(prefix + n) + r"(?![A-Za-z0-9])", name)
        )
    return numbers & known


def breakage_orders(
    entries: list[data.Directive], config: str | dict | None = None
) -> tuple[dict[str, BreakageOrder], list[tuple[data.Transaction, data.Posting]]]:
    """``({number: BreakageOrder}, postings without a number)`` of the breakage accounts.

    Pure: the entries are not changed. A document counts as a photo of every number it names.
    """
    if not isinstance(config, dict) or not isinstance(config.get("accounts"), tuple):
        config, _ = read_config(config)
    watched = account_matcher(config["accounts"], config["subaccounts"])
    prefix = config["link_prefix"]
    orders: dict[str, BreakageOrder] = {}
    missing: list[tuple[data.Transaction, data.Posting]] = []
    photos: list[data.Document] = []
    for entry in entries:
        if isinstance(entry, data.Document):
            photos.append(entry)
            continue
        if not isinstance(entry, data.Transaction):
            continue
        for p in entry.postings:
            if not watched(p.account) or p.units is None or not p.units.number:
                continue
            number = _number((p.meta or {}).get(NUMBER_KEY)) or _number(entry.meta.get(NUMBER_KEY))
            if number is None:
                missing.append((entry, p))
                continue
            orders.setdefault(number, BreakageOrder(number)).postings.append((entry, p))
    for doc in photos:
        for number in _photo_numbers(doc, prefix, orders.keys()):
            orders[number].photos.append(doc)
    return orders, missing


def _where(entry: data.Transaction, p: data.Posting) -> dict | None:
    return p.meta if (p.meta or {}).get("filename") else None


def breakage(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Report breakage postings without ``breakage-no`` or without a photo ``document``.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: A Python dict literal (see the module docstring).
    Returns:
      The entries, unchanged, and a list of errors.
    """
    config, errors = read_config(config_str)
    orders, missing = breakage_orders(entries, config)
    prefix = config["link_prefix"]
    for entry, p in missing:
        errors.append(
            make_error(
                entry,
                f"破损 {p.account} {p.units} ({entry.date} \"{entry.narration}\") 没有破损单号: 请在分录或该行下写 "
                f'{NUMBER_KEY}: "破损单号", 并以 document 分录附上拍照资料 ^{prefix}<破损单号> '
                f"(breakage posting without {NUMBER_KEY})",
                _where(entry, p),
            )
        )
    for number, order in orders.items():
        for entry, p in order.postings:
            if not _NUMBER.match(number):
                errors.append(
                    make_error(
                        entry,
                        f'破损单号 {number!r} 只能由字母、数字和 - _ . / 组成 (它也写在链接 ^{prefix}… 中) '
                        f"(breakage number not usable in a link)",
                        _where(entry, p),
                    )
                )
            elif config["require_photo"] and not order.photos:
                errors.append(
                    make_error(
                        entry,
                        f"破损 {p.account} {p.units} (破损单 {number}) 没有拍照资料: 请添加 document 分录, 如 "
                        f'{entry.date} document {p.account} "photos/{number}.jpg" ^{prefix}{number} '
                        f"(breakage {number} has no photo document)",
                        _where(entry, p),
                    )
                )
    return entries, report_once(options_map, PLUGIN, errors)
