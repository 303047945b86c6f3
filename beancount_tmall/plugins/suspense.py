"""待核对: statement rows no rule explained must be reviewed within ``max_days`` days.

The rule (issue 7, "unreviewed rows cannot be missed")::

    一笔没有任何规则能解释的支付宝流水,入 其他应收款-待核对 (122199),分录标 "!";
    待核对 的流水超过规定天数 (默认 30 天) 仍未核对,bean-check 报错。

The Alipay importer books each such row as one posting to ``Assets:1221-其他应收款:122199-待核对``
with the row's source (``source-file``, ``source-line``, ``alipay-serial``, ``memo``), in a
transaction flagged ``!``. Before::

    2025-03-02 ! "支付宝" "2025-03-02 支付宝结算 1 笔"
      Assets:1012-其他货币资金:101201-支付宝       -120.00 CNY
      Assets:1221-其他应收款:122199-待核对           120.00 CNY
        source-file: "statements/2025-03.csv"
        source-line: "57"
        alipay-serial: "20250302123456"
        memo: "转账 代扣款（扣款用途：某服务费）"

    2025-04-20 balance Assets:1012-其他货币资金:101201-支付宝  880.00 CNY

The ledger is judged on 2025-04-20 (its last transaction or balance, as every plugin of this
package), 49 days after the row: ``bean-check`` prints, at the posting's line::

    待核对 Assets:1221-其他应收款:122199-待核对: 2025-03-02 的 120.00 CNY 已 49 天未核对
    (超过 30 天): 来源 statements/2025-03.csv 第 57 行, 支付宝流水号 20250302123456,
    摘要 "转账 代扣款（扣款用途：某服务费）"; 查明后转入正确科目 (unreviewed suspense row, 49 days old)

After review the accountant moves the amount to where it belongs. The entry clears the row when
it posts the opposite amount to the same 待核对 account; linking ``^review-<serial>`` says which
row it clears (otherwise the oldest open rows are cleared first)::

    2025-03-20 * "支付宝" "核对: 某服务费" ^review-20250302123456
      Expenses:6601-销售费用:660101-天猫佣金            120.00 CNY
      Assets:1221-其他应收款:122199-待核对             -120.00 CNY

and the row is no longer reported. (Editing the imported entry instead, so that its posting goes
to the right account, works too: there is then nothing in 待核对.)

**The rule** (per account: 待核对 and each of its sub-accounts is cleared on its own):

* A statement row (a posting with ``alipay-serial``) always opens a row: its date, amount,
  source and serial. Rows of both signs may be open at once (money in and money out that no
  rule explains): one is never taken for the review of the other.
* Any other posting (the accountant's) clears open rows of the opposite sign: first those whose
  ``alipay-serial`` the transaction links as ``^review-<serial>``, then the oldest (first in,
  first out); a row may be cleared in part. What is left over opens a row of its own sign.
* So a row is open exactly while the account's running balance still holds it: the open rows
  always sum to the account's balance.
* On the judged day (the ledger's last transaction or balance; ``#accrual`` entries ignored) an
  open row older than ``max_days`` days is an error, reported once at the row's posting, naming
  the source file and line, the serial, the amount still open, the memo and the age. An empty
  ledger is never judged.

Config keys (a Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.suspense" "{'max_days': 30}"

``max_days``     days a row may stay open (default 30; 0 reports every open row older than a day)
``accounts``     the 待核对 accounts (default ``['Assets:1221-其他应收款:122199-待核对']``)
``subaccounts``  also their sub-accounts (default True)
``link_prefix``  the link naming the row a review clears (default ``'review-'``)

``open_rows(entries, config, today)`` is the pure computation that ``tmall-books reconcile`` and
the Fava page list first.
"""

from __future__ import annotations

import datetime
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    PluginError,
    account_matcher,
    judged_date,
    make_error,
    parse_config,
    read_accounts,
    report_once,
)

__plugins__ = ("suspense",)

PLUGIN = "beancount_tmall.plugins.suspense"

DEFAULTS: dict[str, Any] = {
    "max_days": 30,
    "accounts": [accounts.SUSPENSE],
    "subaccounts": True,
    "link_prefix": "review-",
}


@dataclass
class OpenRow:
    """One 待核对 row still open on the judged day (``amount`` is what is left of it)."""

    account: str
    date: datetime.date
    amount: Decimal
    original: Decimal
    currency: str
    serial: str | None
    source_file: str | None
    source_line: str | None
    memo: str | None
    entry: data.Transaction
    posting: data.Posting
    age: int = 0
    overdue: bool = False

    @property
    def filename(self) -> str | None:
        """The ledger file of the row's posting (or of its entry)."""
        return self._meta().get("filename")

    @property
    def lineno(self) -> int | None:
        """The ledger line of the row's posting (or of its entry)."""
        return self._meta().get("lineno")

    def _meta(self) -> dict:
        meta = self.posting.meta or {}
        return meta if meta.get("filename") else (self.entry.meta or {})

    @property
    def source(self) -> str:
        """``statements/2025-03.csv 第 57 行``, or ``来源不明`` for a hand-written posting."""
        if not self.source_file:
            return "来源不明"
        return f"{self.source_file} 第 {self.source_line} 行" if self.source_line else self.source_file


def read_config(config_str: str | dict | None) -> tuple[dict[str, Any], list[PluginError]]:
    """The plugin's config, checked: bad values are errors and fall back to the defaults."""
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    source = data.new_metadata(f"<{PLUGIN}>", 0)
    max_days = config["max_days"]
    if not isinstance(max_days, int) or isinstance(max_days, bool) or max_days < 0:
        errors.append(
            PluginError(
                source,
                f"{PLUGIN}: max_days 须为非负整数, 实为 {max_days!r}; 按 {DEFAULTS['max_days']} 处理 "
                f"(max_days must be a whole number of days)",
                None,
            )
        )
        config["max_days"] = DEFAULTS["max_days"]
    errors += read_accounts(config, DEFAULTS, PLUGIN)
    return config, errors


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def open_rows(
    entries: list[data.Directive],
    config: str | dict | None = None,
    today: datetime.date | None = None,
) -> list[OpenRow]:
    """The 待核对 rows still open at the end of ``entries``, oldest first, with age on ``today``.

    ``config`` is the plugin's config string or dict (missing keys take ``DEFAULTS``); ``today``
    defaults to the judged day (``judged_date``). Pure: the entries are not changed.
    """
    if not isinstance(config, dict) or not isinstance(config.get("accounts"), tuple):
        config, _ = read_config(config)
    watched = account_matcher(config["accounts"], config["subaccounts"])
    prefix = config["link_prefix"]
    lots: dict[tuple[str, str], deque[OpenRow]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for p in entry.postings:
            if p.units is None or p.units.number is None or not watched(p.account):
                continue
            number = p.units.number
            if not number:
                continue
            queue = lots.setdefault((p.account, p.units.currency), deque())
            meta = p.meta or {}
            if queue and "alipay-serial" not in meta:
                number = _clear(queue, number, entry, prefix)
            if number:
                queue.append(
                    OpenRow(
                        account=p.account,
                        date=entry.date,
                        amount=number,
                        original=p.units.number,
                        currency=p.units.currency,
                        serial=_text(meta.get("alipay-serial")),
                        source_file=_text(meta.get("source-file")),
                        source_line=_text(meta.get("source-line")),
                        memo=_text(meta.get("memo")),
                        entry=entry,
                        posting=p,
                    )
                )
    if today is None:
        today = judged_date(entries)
    rows = sorted((row for queue in lots.values() for row in queue), key=lambda r: (r.date, r.account))
    for row in rows:
        row.age = (today - row.date).days if today else 0
        row.overdue = today is not None and row.age > config["max_days"]
    return rows


def _clear(queue: deque[OpenRow], number: Decimal, entry: data.Transaction, prefix: str) -> Decimal:
    """Apply ``number`` (opposite in sign to the open rows) to them; return what is left over."""
    serials = {link[len(prefix):] for link in entry.links or () if link.startswith(prefix)}
    targets = [row for row in queue if row.serial in serials] if serials else []
    for row in targets + list(queue):
        if not number:
            break
        if not row.amount or (row.amount > 0) == (number > 0):
            continue
        applied = -number if abs(number) <= abs(row.amount) else row.amount
        row.amount -= applied
        number += applied
    for row in [r for r in queue if not r.amount]:
        queue.remove(row)
    return number


def message(row: OpenRow, max_days: int) -> str:
    """The error text of an open row (Chinese, then English)."""
    amount = f"{row.amount:.2f} {row.currency}"
    part = "" if row.amount == row.original else f" (原额 {row.original:.2f}, 已核对部分已扣除)"
    serial = f", 支付宝流水号 {row.serial}" if row.serial else ""
    memo = f', 摘要 "{row.memo}"' if row.memo else ""
    return (
        f"待核对 {row.account}: {row.date} 的 {amount}{part} 已 {row.age} 天未核对 (超过 {max_days} 天): "
        f"{'来源 ' if row.source_file else ''}{row.source}{serial}{memo}; 查明后转入正确科目 (unreviewed suspense row, "
        f"{row.age} days old)"
    )


def suspense(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Report every 待核对 row still open ``max_days`` days after its date.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: A Python dict literal (see the module docstring).
    Returns:
      The entries, unchanged, and a list of errors.
    """
    config, errors = read_config(config_str)
    for row in open_rows(entries, config):
        if row.overdue:
            source = row.posting.meta if (row.posting.meta or {}).get("filename") else None
            errors.append(make_error(row.entry, message(row, config["max_days"]), source))
    return entries, report_once(options_map, PLUGIN, errors)
