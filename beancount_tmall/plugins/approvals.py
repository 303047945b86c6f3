"""售后赔付审批: every compensation or discount to a buyer is approved by someone entitled to.

The seeds. 002 第二十七条 客户投诉金额核决权限::

    客户投诉金额   1000元以下      1000-5000元   5000元以上
    核决权限       销售部门经理     副总经理       总经理

and 000 (售后流程, 折价)::

    折价:商品有质量问题。但是影响不大。客户也不原因耽误时间换货。我们可以给客户点补偿。
    但是补偿通常不能超过邮费。要是实在不行的话可以请示下主管。主管同意得花可以再后面备注:
    什么质量问题、补偿金额、处理人、时间。

**What is checked.** Every debit posting to ``Expenses:6601-销售费用:660105-售后赔付`` (and its
sub-accounts; ``accounts``), and every debit posting to an income or expense account whose
``reason`` (posting, else entry metadata) contains a ``reason_keywords`` word (default ``折价``: a
discount given as a partial refund, booked against revenue). The amount is the posting's; for a
revenue posting that the ``sales`` plugin split into revenue and 销项税额, the two together (what
the buyer got). Credits (a reversal, money recovered) are not checked.

**Who may approve.** ``approved-by`` (a name) and ``approver-role`` (a role), on the posting or on
the entry (then for each of its postings). ``roles`` lists the roles from the least authority to
the most (default ``销售经理 < 主管 < 副总经理 < 总经理``); a role may approve whatever a lower
role may. ``bands`` give the role an amount needs: up to 1000.00 ``销售经理``, up to 5000.00
``副总经理``, above ``总经理``. A quality-issue compensation (``reason`` containing ``质量``) above
the order's postage (``postage`` metadata on the posting or entry, e.g. ``postage: "10.00 CNY"``,
else ``default_postage``; unknown postage counts as exceeded) needs at least ``主管`` (the seed's
supervisor: 补偿通常不能超过邮费, 实在不行请示主管). ``主管`` stands above 销售经理 by default so that this
rule bites: a sales manager alone approves an ordinary compensation up to 1000, not a quality
discount above the postage; a store whose 主管 ranks otherwise reorders ``roles``.

Imported compensation rows (one posting per payment, with ``alipay-serial``, ``order-id``,
``reason``, ``memo``) come without approval, so ``bean-check`` reports each until the accountant
writes the approval under it. Before::

    2025-03-15 * "支付宝" "2025-03-15 支付宝结算 6 笔"
      Assets:1012-其他货币资金:101201-支付宝             -12.00 CNY
      Expenses:6601-销售费用:660105-售后赔付              12.00 CNY
        alipay-serial: "20250315200040011100123400000004"
        order-id: "4012345678901234"
        reason: "质量问题折价"
        memo: "转账 质量问题折价 订单号:4012345678901234"

``bean-check`` prints, at the posting's line::

    售后赔付审批 Expenses:6601-销售费用:660105-售后赔付 12.00 CNY (订单 4012345678901234, 原因
    "质量问题折价"): 没有审批; 需 主管 或更高职务审批 (质量问题补偿 12.00 超过邮费 (未写明邮费)):
    请在该行下加 approved-by: "姓名" 和 approver-role: "主管" (或更高: 副总经理, 总经理)
    (compensation of 12.00 CNY not approved; needs 主管 or higher)

After (the accountant adds the two lines)::

      Expenses:6601-销售费用:660105-售后赔付              12.00 CNY
        ...
        approved-by: "王芳"
        approver-role: "主管"

An approval by a role below the one required names the amount, the role given and the role
required; an ``approver-role`` not among ``roles`` is an error listing them.

Config keys (a Python dict literal, every key optional)::

    plugin "beancount_tmall.plugins.approvals" "{'bands': [('1000', '销售经理'), ('5000', '副总经理'), (None, '总经理')]}"

``accounts``         the compensation accounts (default ``['Expenses:6601-销售费用:660105-售后赔付']``)
``subaccounts``      also their sub-accounts (default True)
``reason_keywords``  a ``reason`` holding one of these makes any income/expense debit a discount to check (``['折价']``)
``roles``            roles from the least authority to the most
``bands``            ``[(upper limit or None, role), …]`` in increasing limits; an amount up to a limit (inclusive)
                     needs its role (above the last limit, the last band's)
``quality_keywords`` a ``reason`` holding one of these is a quality-issue compensation (``['质量']``)
``quality_role``     the role a quality-issue compensation above the postage needs (``'主管'``)
``default_postage``  the postage when the posting and its entry give none (``None``: unknown, the rule applies)
``output_vat_account`` the 销项税额 account the ``sales`` plugin splits revenue into

``approval_checks(entries, config)`` is the pure computation (each checked posting, the role it
needs and whether its approval suffices) a report may list.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import account as account_lib
from beancount.core import data
from beancount.core.amount import Amount

from beancount_tmall import accounts
from beancount_tmall.plugins._common import (
    PluginError,
    account_matcher,
    make_error,
    parse_config,
    read_accounts,
    report_once,
    to_decimal,
)

__plugins__ = ("approvals",)

PLUGIN = "beancount_tmall.plugins.approvals"
APPROVER_KEY = "approved-by"
ROLE_KEY = "approver-role"
POSTAGE_KEY = "postage"
SPLIT_META = "vat-split"

DEFAULTS: dict[str, Any] = {
    "accounts": [accounts.COMPENSATION],
    "subaccounts": True,
    "reason_keywords": ["折价"],
    "roles": ["销售经理", "主管", "副总经理", "总经理"],
    "bands": [("1000", "销售经理"), ("5000", "副总经理"), (None, "总经理")],
    "quality_keywords": ["质量"],
    "quality_role": "主管",
    "default_postage": None,
    "output_vat_account": accounts.OUTPUT_VAT,
}


@dataclass
class Check:
    """One compensation or discount posting and the approval it needs."""

    entry: data.Transaction
    posting: data.Posting
    amount: Decimal
    currency: str
    required: str
    why: str
    approver: str | None
    role: str | None
    reason: str | None
    order_id: str | None
    problem: str | None = None  # None: approved as required

    @property
    def approved(self) -> bool:
        return self.problem is None


class ConfigError(ValueError):
    """A config value the plugin cannot use."""


def read_config(config_str: str | dict | None) -> tuple[dict[str, Any], list[PluginError]]:
    """The plugin's config, checked; on a bad value the defaults are used and an error returned."""
    config, errors = parse_config(config_str, DEFAULTS, PLUGIN)
    try:
        config = _checked(config)
    except (ConfigError, ValueError, TypeError) as exc:
        errors.append(
            PluginError(
                data.new_metadata(f"<{PLUGIN}>", 0),
                f"{PLUGIN}: 配置有误: {exc}; 按默认设置检查 (bad config, defaults used)",
                None,
            )
        )
        config = _checked(dict(DEFAULTS))
    return config, errors


def _words(value: Any, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{key} 须为文字列表, 实为 {value!r}")
    return tuple(value)


def _checked(config: dict[str, Any]) -> dict[str, Any]:
    out = dict(config)
    if read_accounts(out, DEFAULTS, PLUGIN):
        raise ConfigError(f"accounts 须为科目列表, 实为 {config['accounts']!r}")
    for key in ("reason_keywords", "quality_keywords"):  # empty or None: none
        out[key] = _words(config[key], key) if config[key] else ()
    roles = _words(config["roles"], "roles")
    if len(set(roles)) != len(roles):
        raise ConfigError(f"roles 有重复: {roles!r}")
    out["roles"] = roles
    bands = []
    last = None
    for item in config["bands"] or ():
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ConfigError(f"bands 的每项须为 (上限, 职务), 实为 {item!r}")
        limit, role = item
        if role not in roles:
            raise ConfigError(f"bands 中的职务 {role!r} 不在 roles {list(roles)} 中")
        if limit is not None:
            limit = to_decimal(limit)
            if last is not None and limit <= last:
                raise ConfigError(f"bands 的上限须递增: {config['bands']!r}")
            last = limit
        elif bands and bands[-1][0] is None:
            raise ConfigError("bands 中只能有一个无上限 (None) 的档")
        if bands and roles.index(role) < roles.index(bands[-1][1]):
            raise ConfigError(f"bands 中金额越高职务不能越低: {config['bands']!r}")
        bands.append((limit, role))
    if not bands:
        raise ConfigError("bands 不能为空")
    if any(limit is None for limit, _ in bands[:-1]):
        raise ConfigError("无上限 (None) 的档须放在最后")
    out["bands"] = tuple(bands)
    if config["quality_role"] is not None and config["quality_role"] not in roles:
        raise ConfigError(f"quality_role {config['quality_role']!r} 不在 roles {list(roles)} 中")
    if config["default_postage"] is not None:
        out["default_postage"] = to_decimal(config["default_postage"])
    if not account_lib.is_valid(config["output_vat_account"]):
        raise ConfigError(f"output_vat_account {config['output_vat_account']!r} 不是科目")
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _money(value: Any) -> Decimal:
    """``"10.00 CNY"``, an Amount, or a number; ``ValueError`` otherwise."""
    if isinstance(value, str) and " " in value.strip():
        value = Amount.from_string(value.strip())
    if isinstance(value, Amount):
        return to_decimal(value.number)
    return to_decimal(value)


def _band_role(amount: Decimal, bands) -> tuple[str, str]:
    """The role the band of ``amount`` needs, and the band in the seed's words (1000元以下 …)."""
    low = None
    for limit, role in bands:
        if limit is None or amount <= limit:
            if limit is None:
                words = f"{low:.2f}元以上" if low is not None else "任何金额"
            elif low is None:
                words = f"{limit:.2f}元以下"
            else:
                words = f"{low:.2f}-{limit:.2f}元"
            return role, words
        low = limit
    return bands[-1][1], f"{low:.2f}元以上"  # no open band: the highest band's role


def _is_pl(account: str) -> bool:
    return account.startswith(("Income:", "Expenses:"))


def approval_checks(
    entries: list[data.Directive], config: str | dict | None = None
) -> tuple[list[Check], list[PluginError]]:
    """Every compensation or discount posting with the role it needs and what is wrong, if any.

    Returns ``(checks, errors)``: ``errors`` are metadata that cannot be read (a ``postage`` that
    is not an amount). Pure: the entries are not changed.
    """
    errors: list[PluginError] = []
    if not isinstance(config, dict) or not isinstance(config.get("roles"), tuple):
        config, errors = read_config(config)
    watched = account_matcher(config["accounts"], config["subaccounts"])
    roles = config["roles"]
    rank = {role: i for i, role in enumerate(roles)}
    vat = config["output_vat_account"]
    keywords = config["reason_keywords"]
    checks: list[Check] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        emeta = entry.meta or {}
        postings = entry.postings
        for i, p in enumerate(postings):
            if p.units is None or p.units.number is None or p.units.number <= 0:
                continue
            account = p.account
            compensation = watched(account)
            if not compensation and not (keywords and _is_pl(account)):
                continue
            meta = p.meta or {}
            reason = _text(meta.get("reason")) or _text(emeta.get("reason"))
            discount = not compensation and reason is not None and any(k in reason for k in keywords)
            if not (compensation or discount):
                continue
            amount = p.units.number
            if discount and i + 1 < len(postings):  # revenue split by the sales plugin: + its VAT
                nxt = postings[i + 1]
                if (
                    nxt.account == vat
                    and (nxt.meta or {}).get(SPLIT_META)
                    and nxt.units is not None
                    and nxt.units.currency == p.units.currency
                    and (nxt.meta or {}).get("lineno") == meta.get("lineno")
                ):
                    amount += nxt.units.number
            required, band = _band_role(amount, config["bands"])
            why = f"核决权限 {band}"
            quality_role = config["quality_role"]
            if quality_role and reason and any(k in reason for k in config["quality_keywords"]):
                raw = meta.get(POSTAGE_KEY, emeta.get(POSTAGE_KEY))
                postage = config["default_postage"]
                if raw is not None:
                    try:
                        postage = _money(raw)
                    except ValueError:
                        errors.append(
                            make_error(
                                entry,
                                f'{POSTAGE_KEY} {raw!r} 不是金额, 应为如 {POSTAGE_KEY}: "10.00 CNY" '
                                f"(postage unreadable)",
                                p.meta if meta.get("filename") else None,
                            )
                        )
                        postage = None
                if postage is None or amount > postage:
                    seen = "未写明邮费" if postage is None else f"邮费 {postage:.2f}"
                    if rank[quality_role] > rank[required]:  # else the band's role covers it
                        required = quality_role
                        why = f"质量问题补偿 {amount:.2f} 超过邮费 ({seen})"
            approver = _text(meta.get(APPROVER_KEY)) or _text(emeta.get(APPROVER_KEY))
            role = _text(meta.get(ROLE_KEY)) or _text(emeta.get(ROLE_KEY))
            check = Check(
                entry, p, amount, p.units.currency, required, why, approver, role, reason,
                _text(meta.get("order-id")) or _text(emeta.get("order-id")),
            )
            if not approver or not role:
                check.problem = "missing"
            elif role not in rank:
                check.problem = "unknown-role"
            elif rank[role] < rank[required]:
                check.problem = "insufficient"
            checks.append(check)
    return checks, errors


def message(check: Check, roles: tuple[str, ...]) -> str:
    """The error text of a check that failed (Chinese, then English)."""
    what = [f"订单 {check.order_id}"] if check.order_id else []
    if check.reason:
        what.append(f'原因 "{check.reason}"')
    head = (
        f"售后赔付审批 {check.posting.account} {check.amount:.2f} {check.currency}"
        + (f" ({', '.join(what)})" if what else "")
    )
    higher = list(roles[roles.index(check.required) + 1:])
    need = f"{check.required} 或更高职务" if higher else check.required
    add = (
        f'请在该行下加 {APPROVER_KEY}: "姓名" 和 {ROLE_KEY}: "{check.required}"'
        + (f" (或更高: {', '.join(higher)})" if higher else "")
    )
    english = f"{check.amount:.2f} {check.currency}"
    if check.problem == "missing":
        given = []
        if check.approver:
            given.append(f"{APPROVER_KEY} {check.approver}")
        if check.role:
            given.append(f"{ROLE_KEY} {check.role}")
        seen = f"审批不完整 (只有 {', '.join(given)})" if given else "没有审批"
        return (
            f"{head}: {seen}; 需 {need}审批 ({check.why}): {add} "
            f"(compensation of {english} not approved; needs {check.required} or higher)"
        )
    if check.problem == "unknown-role":
        return (
            f"{head}: 审批职务 {check.role!r} 不在职务表 {' < '.join(roles)} 中; 需 {need}审批 "
            f"({check.why}): {add} (unknown approver role {check.role!r}; needs {check.required})"
        )
    return (
        f"{head}: 审批人 {check.approver} ({check.role}) 权限不足, 需 {need}审批 ({check.why}): "
        f"{add} (approval by {check.role} insufficient for {english}; needs {check.required} or higher)"
    )


def approvals(
    entries: list[data.Directive], options_map: dict, config_str: str | None = None
) -> tuple[list[data.Directive], list[PluginError]]:
    """Report compensation and discount postings without a sufficient approval.

    Args:
      entries: A list of directives.
      options_map: An options map.
      config_str: A Python dict literal (see the module docstring).
    Returns:
      The entries, unchanged, and a list of errors.
    """
    config, errors = read_config(config_str)
    checks, read_errors = approval_checks(entries, config)
    errors.extend(read_errors)
    for check in checks:
        if check.approved:
            continue
        source = check.posting.meta if (check.posting.meta or {}).get("filename") else None
        errors.append(make_error(check.entry, message(check, config["roles"]), source))
    return entries, report_once(options_map, PLUGIN, errors)
