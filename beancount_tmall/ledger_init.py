"""``tmall-books init DIR``: a new ledger a store can run, and the ledger-repo skeleton.

``main.beancount`` gets the chart of accounts, every plugin with all its settings written out
(the values are the plugins' own ``DEFAULTS``, read from the modules, so the ledger states the
rules that run) and commented in Chinese, Fava's page and import config, and, from a 期初余额表
(``--opening``), the opening balances as one ``#opening`` transaction::

    科目编码,科目名称,借方余额,贷方余额
    101201,支付宝,52000.00,
    4001,实收资本,,52000.00

Every code must be an account of the chart, or a sub-account of one by code (``10120101`` under
``101201``, opened with its name); the table must balance (试算平衡: Σ借方 = Σ贷方). Any bad cell is
refused with ``file:line``. Beside it: ``.gitignore``, ``ci/bean-check.sh`` (installs
beancount-tmall from ``BEANCOUNT_TMALL_SPEC``, by default the source the running package was
installed from, then runs ``bean-check``), ``import.py`` and ``documents/inbox/``.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from beancount.core import account as account_lib

from beancount_tmall import accounts
from beancount_tmall.formats.common import SourceError, decode, parse_amount
from beancount_tmall.plugins import PLUGINS

#: The release the ledger's pre-commit hook and CI pin by default.
PACKAGE = "beancount-tmall"

HEADER = """\
; beancount-tmall 账簿: {title}
;
; 导入 (每月下载的支付宝账务明细、天猫订单报表、发票台账; 可一次给多个文件):
;   tmall-books import ~/Downloads/20880…_202503_账务明细.csv ExportOrderList202503.xlsx
;   新分录按日期写入 YYYY/MM.beancount (追加, 不覆盖), include 行自动加在本文件末尾,
;   原始文件归档到 documents/<科目>/<日期>.<文件名>; 重复导入不会重复记账。
; 检查: bean-check main.beancount (下面每个插件都在检查时运行)
; 查看: fava main.beancount (侧栏 "天猫对账" 页, 导入页读 documents/inbox)

option "title" "{title}"
option "operating_currency" "CNY"
option "booking_method" "STRICT"
"""

#: The import configuration template: this repository's ``importers/import.py``, packaged.
IMPORT_CONFIG_TEMPLATE = "import_config.py.txt"


def import_config_text() -> str:
    """The text of a store's ``import.py`` (beangulp ``Ingest`` and Fava's ``CONFIG``)."""
    return (resources.files("beancount_tmall") / "templates" / IMPORT_CONFIG_TEMPLATE).read_text(
        encoding="utf-8"
    )


class LedgerExistsError(Exception):
    """Raised when ``init`` would overwrite an existing ledger."""


# --- plugins -----------------------------------------------------------------------------------

#: What each plugin does, and each config key, in Chinese (for the comments of main.beancount).
PLUGIN_NOTES: dict[str, tuple[str, dict[str, str]]] = {
    "beancount_tmall.plugins.sales": (
        "销售: 含税销售额拆分为主营业务收入与销项税额; 手写的销售按费率估算平台扣费",
        {
            "vat_rate": "销项增值税税率 (商品 13%)",
            "commission_rate": "天猫佣金费率, 估算手写销售的佣金 (5%)",
            "points_rate": "天猫积分 (返点积分) 费率 (0.5%)",
            "card_fee_rate": "信用卡/花呗支付手续费率, 按 card-paid 金额 (1%)",
            "category_rates": "按类目的费率, 如 {'服装': {'commission_rate': '0.05'}}",
            "check_rates": "每日实扣佣金率与 commission_rate 的允许偏差, 如 '0.01'; None: 不检查",
            "estimate": "是否为手写销售估算佣金、积分、手续费",
            "tag": "销售分录的标签",
            "split_tags": "同样拆分收入与销项税额的收入冲减标签 (消费积分打款冲减)",
            "income_account": "主营业务收入科目",
            "output_vat_account": "销项税额科目",
            "alipay_account": "支付宝科目",
            "commission_account": "天猫佣金 (其他应收款) 科目",
            "points_account": "天猫积分 (其他应收款) 科目",
            "card_fee_account": "支付手续费科目",
        },
    ),
    "beancount_tmall.plugins.invoices": (
        "平台费用发票: 每月扣费 = 次月所开发票 (按所属期间); 逾期未开票报错; 年末计提",
        {
            "receivables": "增加或修改核对的应收科目: {科目: {'name', 'expense', 'vat_rate'}}",
            "vat_rate": "平台服务费发票的增值税税率 (6%)",
            "due_day": "发票应在次月几号前收到",
            "grace_days": "到期日后的宽限天数",
            "accrue": "True: 自动计提未开票费用 (#accrual), 次日冲回; False: 缺年末计提即报错",
            "accrue_at": "计提时点: 'year' 年末, 'quarter' 季末, 'month' 月末",
            "accrue_basis": "计提金额: 'net' 不含税, 'gross' 价税合计",
            "invoice_tag": "发票分录的标签",
            "accrual_tag": "计提分录的标签",
            "input_vat_account": "进项税额科目",
            "uncertified_vat_account": "计提时费用所含增值税暂记的待认证进项税额科目",
        },
    ),
    "beancount_tmall.plugins.annual_fee": (
        "年度技术服务费 (年费): 按全年销售额与协议门槛核对返还与费用",
        {
            "fee": "协议年费, 如 '30000' 或 '60000'; None: 以当年实扣为准",
            "thresholds": "返还门槛 [(年销售额, 返还比例), …], 如 [('180000', '0.5'), ('600000', '1.0')]",
            "settlement": "结算日 'MM-DD' (或 'YYYY-MM-DD')",
            "grace_days": "结算日后的宽限天数",
            "closed": "关店日 'YYYY-MM-DD' (按天数折算年费); None: 未关店",
            "opened": "开店日 'YYYY-MM-DD' (年中开店); None: 年初已开",
            "prorate_thresholds": "年中开/关店时门槛是否按天数折算",
            "years": "按年覆盖以上设置, 如 {'2026': {'fee': '60000'}}",
            "receivable": "年费 (其他应收款) 科目",
            "expense": "年度技术服务费 (销售费用) 科目",
            "refund_accounts": "年费返还到账的科目",
            "sales_tag": "计入年销售额的分录标签",
            "ignore_tags": "不计入的分录标签",
            "invoice_tag": "发票分录的标签",
            "vat_rate": "年费发票的增值税税率 (6%)",
            "accrue": "True: 年末自动计提年费费用; False: 缺计提即报错",
            "accrue_basis": "计提金额: 'net' 不含税, 'gross' 价税合计",
        },
    ),
    "beancount_tmall.plugins.consumer_points": (
        "消费积分: 每月销售中积分抵扣的部分, 次月开具消费积分发票或打款冲减收入",
        {
            "due_day": "消费积分发票应在次月几号前开具",
            "grace_days": "到期日后的宽限天数",
            "receivable": "消费积分 (其他应收款) 科目",
            "sales_tag": "销售分录的标签",
            "invoice_tag": "消费积分发票的标签",
            "payback_tag": "打款冲减收入的标签",
            "record_invoiceable": "在每笔销售上记下可给买家开票的金额 (invoiceable)",
        },
    ),
    "beancount_tmall.plugins.breakage": (
        "破损: 计入 640102-破损 的每笔须有破损单号 (breakage-no) 和拍照资料 (document ^breakage-<单号>)",
        {
            "accounts": "破损科目",
            "subaccounts": "是否包括其明细科目",
            "link_prefix": "拍照资料 document 用来指明破损单的链接前缀 (^breakage-…)",
            "require_photo": "是否要求拍照资料 (document 分录)",
        },
    ),
    "beancount_tmall.plugins.approvals": (
        "售后赔付审批: 每笔赔付/折价须有 approved-by 与 approver-role, 按金额核决权限 (1000元以下 销售经理, "
        "1000-5000元 副总经理, 5000元以上 总经理); 质量问题补偿超过邮费须主管或更高",
        {
            "accounts": "售后赔付科目 (其借方每笔须审批)",
            "subaccounts": "是否包括其明细科目",
            "reason_keywords": "reason 含这些词的收入/费用借方也须审批 (折价冲减收入)",
            "roles": "职务, 权限由低到高; 高职务可审批低档金额",
            "bands": "核决权限 [(金额上限 (含), 职务), …], 上限递增, 最后一档 None 表示无上限",
            "quality_keywords": "reason 含这些词即为质量问题补偿",
            "quality_role": "质量问题补偿超过邮费时至少须此职务审批 (主管)",
            "default_postage": "分录未写 postage 时的邮费, 如 '10'; None: 邮费不明, 按超过邮费处理",
            "output_vat_account": "销项税额科目 (折价冲减收入时连同销项税额计算金额)",
        },
    ),
    "beancount_tmall.plugins.suspense": (
        "待核对: 没有规则能解释的账务明细行记入待核对, 须在期限内核对清楚",
        {
            "max_days": "待核对行最多可挂账的天数, 超过即报错",
            "accounts": "待核对科目",
            "subaccounts": "是否包括其明细科目",
            "link_prefix": "核对分录用来指明所核对行的链接前缀 (^review-…)",
        },
    ),
    "beancount_tmall.plugins.inventory": (
        "库存商品: 合计及每个商家编码 (sku) 的数量与金额, 每日终了不得为负; 采购与结转须带 sku 与 quantity",
        {
            "accounts": "库存商品科目",
            "subaccounts": "是否包括其明细科目",
            "per_sku": "是否逐个商家编码 (sku 元数据) 核对数量与金额",
        },
    ),
}


def plugin_defaults(name: str) -> dict[str, Any] | None:
    """The plugin module's ``DEFAULTS`` (its config keys and the values it uses when not given)."""
    module = importlib.import_module(name)
    defaults = getattr(module, "DEFAULTS", None)
    return dict(defaults) if isinstance(defaults, dict) else None


def _literal(value: Any) -> str:
    text = repr(value)
    if '"' in text or "\\" in text:  # the config is a Beancount string: keep it plain
        raise ValueError(f"config value {value!r} cannot be written into a plugin line")
    return text


def plugin_block(name: str, overrides: dict[str, Any] | None = None) -> list[str]:
    """The ``plugin`` directive of ``name`` with every setting written out, one per line."""
    about, notes = PLUGIN_NOTES.get(name, ("", {}))
    defaults = plugin_defaults(name)
    lines = [f"; {about}" if about else f"; {name}"]
    if defaults is None:
        lines.append(f'plugin "{name}"')
        return lines
    values = {**defaults, **(overrides or {})}
    lines.append(f'plugin "{name}" "{{')
    for key, value in values.items():
        note = notes.get(key, "")
        changed = key in (overrides or {}) and overrides[key] != defaults.get(key)
        if changed:
            note = (note + "; " if note else "") + f"默认 {_literal(defaults.get(key))}"
        item = f"    {_literal(key)}: {_literal(value)},"
        lines.append(f"{item}  # {note}" if note else item)
    lines.append('}"')
    return lines


def plugin_lines(configs: dict[str, dict[str, Any] | str] | None = None) -> list[str]:
    """``plugin`` directives for every project plugin, in the order they must run.

    ``configs`` maps a plugin to the settings that differ from its defaults (a dict, or the text
    of a Python dict literal).
    """
    import ast

    lines: list[str] = []
    for name in PLUGINS:
        config = (configs or {}).get(name)
        if isinstance(config, str):
            config = ast.literal_eval(config) if config.strip() else None
        if lines:
            lines.append("")
        lines += plugin_block(name, config)
    return lines


# --- chart and opening balances ------------------------------------------------------------------


def open_directives(
    date: datetime.date,
    extra: list[accounts.ChartAccount] = (),
    meta: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """``open`` directives for the default chart (and ``extra`` accounts), with ``code``/``name``.

    ``meta`` adds metadata to an account's directive (``alipay-account`` on an Alipay account).
    """
    out = []
    for acc in [*accounts.CHART, *extra]:
        accounts.check_valid(acc.account)
        out.append(f"{date:%Y-%m-%d} open {acc.account} {accounts.CURRENCY}")
        out.append(f'  code: "{acc.code}"')
        out.append(f'  name: "{acc.name}"')
        for key, value in ((meta or {}).get(acc.account) or {}).items():
            out.append(f'  {key}: "{value}"')
    return out


@dataclass(frozen=True)
class OpeningLine:
    """One account's opening balance: debit positive, credit negative."""

    line: int
    account: str
    amount: Decimal


@dataclass(frozen=True)
class OpeningBalances:
    """A 期初余额表 read and checked: its lines and the sub-accounts it adds to the chart."""

    path: str
    lines: tuple[OpeningLine, ...]
    new_accounts: tuple[accounts.ChartAccount, ...]
    debit: Decimal
    credit: Decimal


OPENING_HEADER = ("科目编码", "科目名称", "借方余额", "贷方余额")

CENT = Decimal("0.01")

_CODE = re.compile(r"^\d{4,}$")


def _money(cell: str) -> Decimal:
    """A balance cell: empty is zero; a finite amount in cents below 10**12, else ValueError."""
    value = parse_amount(cell)
    if abs(value) >= 10**12 or value.as_tuple().exponent < -2 and value != value.quantize(CENT):
        raise ValueError(f"金额 {cell!r} 不是以分为单位的金额; not an amount in cents")
    return value.quantize(CENT)


def chart_account(account: str) -> accounts.ChartAccount:
    """``Assets:1012-其他货币资金:101202-支付宝二店`` → its code ``101202`` and name ``支付宝二店``."""
    leaf = account_lib.leaf(account)
    code, _, name = leaf.partition("-")
    return accounts.ChartAccount(account, code, name or leaf)


def read_opening(
    path: str | Path, extra: Iterable[accounts.ChartAccount] = ()
) -> OpeningBalances:
    """Read a 期初余额表 (CSV, GBK or UTF-8); refuse it with ``file:line`` for any bad cell.

    Codes must be accounts of the chart or sub-accounts of one by code; a row gives a debit or a
    credit balance (not both); the table must balance (试算平衡).
    """
    path = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(path, None, f"无法读取期初余额表: {exc}; cannot read") from None
    text = decode(raw, path)
    known = [*accounts.CHART, *extra]
    chart = {acc.code: acc for acc in known}
    parents = {
        code.split("-", 1)[0]
        for acc in known
        for code in acc.account.split(":")[1:-1]
    }
    index = None
    lines: list[OpeningLine] = []
    new: dict[str, accounts.ChartAccount] = {}
    seen: dict[str, int] = {}
    debit = credit = Decimal(0)
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        line = reader.line_num
        cells = [c.strip().strip("\t").strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if index is None:
            names = [c.replace(" ", "") for c in cells]
            if all(h in names for h in OPENING_HEADER):
                index = [names.index(h) for h in OPENING_HEADER]
                continue
            if line > 20:
                break
            continue
        if len(cells) <= max(index):
            raise SourceError(path, line, f"本行只有 {len(cells)} 列, 表头有 {max(index) + 1} 列; row is short")
        code, name, dr, cr = (cells[i] for i in index)
        if code.startswith(("合计", "总计")) or name.startswith(("合计", "总计")):
            continue
        if not _CODE.match(code):
            raise SourceError(path, line, f"科目编码 {code!r} 不是数字编码; not an account code")
        if code in seen:
            raise SourceError(path, line, f"科目编码 {code} 已在第 {seen[code]} 行出现; duplicate code")
        seen[code] = line
        try:
            dr_value, cr_value = _money(dr), _money(cr)
        except ValueError as exc:
            raise SourceError(path, line, f"科目 {code} 的余额无法读取: {exc}") from None
        if dr_value and cr_value:
            raise SourceError(
                path, line,
                f"科目 {code} 同时有借方余额 {dr_value} 和贷方余额 {cr_value}, 只能填一个; "
                "give either a debit or a credit balance",
            )
        if code in chart:
            account = chart[code].account
        elif code in parents:
            raise SourceError(
                path, line,
                f"科目 {code} ({name}) 是汇总科目, 请按明细科目填写 (如 "
                f"{', '.join(sorted(c for c in chart if c.startswith(code))[:3])}); "
                "give the detail accounts, not their total",
            )
        else:
            parent = next(
                (chart[code[:n]] for n in range(len(code) - 1, 3, -1) if code[:n] in chart), None
            )
            if parent is None:
                raise SourceError(
                    path, line,
                    f"科目编码 {code} ({name}) 不在科目表中, 也不是科目表中某科目的明细科目; "
                    "not an account of the chart",
                )
            if not name:
                raise SourceError(path, line, f"明细科目 {code} 没有科目名称; the new sub-account needs a name")
            account = f"{parent.account}:{code}-{name}"
            if not account_lib.is_valid(account):
                raise SourceError(
                    path, line, f"明细科目名称 {name!r} 不能用作科目名 ({account}); invalid account name"
                )
            new[code] = accounts.ChartAccount(account, code, name)
        debit += dr_value
        credit += cr_value
        if dr_value or cr_value:
            lines.append(OpeningLine(line, account, dr_value - cr_value))
    if index is None:
        raise SourceError(
            path, None, "没有找到表头 科目编码,科目名称,借方余额,贷方余额; no header found"
        )
    if debit != credit:
        raise SourceError(
            path, None,
            f"试算不平衡: 借方合计 {debit:,.2f}, 贷方合计 {credit:,.2f}, 相差 {debit - credit:,.2f}; "
            "the opening balances do not balance",
        )
    return OpeningBalances(path, tuple(lines), tuple(new.values()), debit, credit)


def opening_text(opening: OpeningBalances, date: datetime.date) -> str:
    """The ``#opening`` transaction of a 期初余额表 (one posting per account with a balance)."""
    width = max((len(x.account) for x in opening.lines), default=0)
    out = [
        f"; 期初余额 (来自 {Path(opening.path).name}): 借方合计 {opening.debit:.2f}, "
        f"贷方合计 {opening.credit:.2f}",
        f'{date:%Y-%m-%d} * "期初余额" "期初余额表" #opening',
    ]
    for item in opening.lines:
        out.append(f"  {item.account:<{width}}  {item.amount:.2f} {accounts.CURRENCY}")
    return "\n".join(out) + "\n"


def tax_lines(date: datetime.date) -> list[str]:
    """The taxpayer setting and the month-end close rates (``beancount_tmall.tax``), defaults
    written out so the accountant sees and edits them."""
    from beancount_tmall import tax

    rates = tax.CloseSettings()
    lines = [
        "",
        '; 纳税人类型: "一般纳税人" (商品 13%, 仅专票进项可抵扣) 或 "小规模纳税人" (征收率 vat-rate: "0.03" '
        '或 "0.01", 无进项抵扣); 类型改变时另写一条, 日期为生效日',
        f'{date:%Y-%m-%d} custom "{tax.TAXPAYER_TYPE}" "一般纳税人"',
        "; 月末结账 (tmall-books close) 的税率: 城建税、教育费附加、地方教育附加 (六税两费减半: auto 即小规模减半), "
        "企业所得税 (小型微利企业: small-profit TRUE)",
        f'{date:%Y-%m-%d} custom "{tax.CLOSE_TYPE}" "税率"',
        f'  city-rate: "{rates.city_rate}"',
        f'  education-rate: "{rates.education_rate}"',
        f'  local-education-rate: "{rates.local_education_rate}"',
        f'  surtax-halving: "{rates.surtax_halving}"',
        f'  income-tax-rate: "{rates.income_tax_rate}"',
        f"  small-profit: {'TRUE' if rates.small_profit else 'FALSE'}",
        f'  small-profit-rate: "{rates.small_profit_rate}"',
        f'  small-profit-limit: "{rates.small_profit_limit}"',
    ]
    return lines


def fava_lines(date: datetime.date, import_config: str | None) -> list[str]:
    """Fava: the 天猫对账 page, Chinese, and Fava's import page wired to the import config."""
    lines = ["", "; Fava: 中文界面, 天猫对账页; 导入页用 import.py 读取 documents/inbox 中的文件"]
    lines.append(f'{date:%Y-%m-%d} custom "fava-option" "language" "zh_CN"')
    lines.append(f'{date:%Y-%m-%d} custom "fava-extension" "beancount_tmall.fava"')
    if import_config:
        lines.append(f'{date:%Y-%m-%d} custom "fava-option" "import-config" "{import_config}"')
        lines.append(f'{date:%Y-%m-%d} custom "fava-option" "import-dirs" "documents/inbox"')
    return lines


def parse_alipay_accounts(specs: list[str]) -> dict[str, str]:
    """``2088…`` or ``2088…=ACCOUNT`` → {Alipay id: account}; the default account if none given."""
    out: dict[str, str] = {}
    for spec in specs:
        alipay_id, _, account = spec.partition("=")
        alipay_id, account = alipay_id.strip(), (account.strip() or accounts.ALIPAY)
        if not alipay_id:
            raise ValueError(f"--alipay-account {spec!r}: 缺少支付宝账号; no Alipay id")
        if account in out.values() and out.get(alipay_id) != account:
            raise ValueError(f"--alipay-account: {account} 已对应另一个支付宝账号; account used twice")
        accounts.check_valid(account)
        if not account.startswith("Assets:"):
            raise ValueError(f"--alipay-account {spec!r}: {account} 不是资产科目; not an Assets account")
        out[alipay_id] = account
    return out


def main_text(
    title: str,
    open_date: datetime.date,
    includes: list[str] = (),
    plugin_configs: dict[str, dict[str, Any] | str] | None = None,
    import_config: str | None = "import.py",
    documents: str | None = None,
    opening: OpeningBalances | None = None,
    alipay_accounts: dict[str, str] | None = None,
    plugins: bool = True,
) -> str:
    """The text of a new ``main.beancount`` (``plugins=False``: without the plugin directives).

    ``import_config`` is the path of the beangulp import configuration, relative to the ledger
    (``None``: no Fava import page); ``documents`` the folder of archived source files
    (``option "documents"``; it must exist when the ledger loads); ``opening`` a read 期初余额表;
    ``alipay_accounts`` maps Alipay ids (``2088…``) to their accounts (``alipay-account`` on the
    account's ``open``; an account outside the chart is opened too).
    """
    parts = [HEADER.format(title=title).rstrip("\n")]
    if documents:
        parts.append(f'option "documents" "{documents}"')
    if plugins:
        parts += ["", "; 插件: 每次 bean-check 都运行; 设置写全, 数值即插件当前默认值, 可按店铺协议修改", ""]
        parts += plugin_lines(plugin_configs)
    parts += tax_lines(open_date)
    parts += fava_lines(open_date, import_config)
    chart = {acc.account for acc in accounts.CHART}
    extra = list(opening.new_accounts) if opening else []
    meta: dict[str, dict[str, str]] = {}
    for alipay_id, account in (alipay_accounts or {}).items():
        meta.setdefault(account, {})["alipay-account"] = alipay_id
        if account not in chart and all(a.account != account for a in extra):
            extra.append(chart_account(account))
    parts += ["", "; 科目表: 科目编码-科目名称 (code, name)"]
    parts += open_directives(open_date, extra, meta)
    if opening is not None:
        parts += ["", opening_text(opening, open_date).rstrip("\n")]
    if includes:
        parts.append("")
        parts += [f'include "{inc}"' for inc in includes]
    return "\n".join(parts) + "\n"


# --- the ledger repository -----------------------------------------------------------------------

REPO_GITIGNORE = """\
# beancount-tmall 账簿仓库
.*.picklecache
__pycache__/
.venv/
# documents/ 存放 `tmall-books import` 归档的原始文件 (支付宝账务明细、订单报表、发票台账);
# 其中含买家个人信息, 若仓库会被分享, 请把下一行的 # 去掉, 不提交原始文件:
# documents/
# documents/inbox/ 是 Fava 导入页读取的待导入文件夹: 导入并归档后的文件不必提交
documents/inbox/*
!documents/inbox/.gitkeep
"""


def package_spec() -> str:
    """Where the running beancount-tmall came from, as a pip requirement that pins it.

    From the distribution's PEP 610 ``direct_url.json``: a VCS URL with its commit
    (``git+https://…@<commit>``), an archive URL, or a local directory; a distribution installed
    from an index gives ``beancount-tmall==<version>``.
    """
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        return PACKAGE
    try:
        direct = json.loads(dist.read_text("direct_url.json") or "null")
    except (ValueError, OSError):
        direct = None
    if not isinstance(direct, dict) or not direct.get("url"):
        return f"{PACKAGE}=={dist.version}"
    url = str(direct["url"])
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs"):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        spec = f"{vcs['vcs']}+{url}" if not url.startswith(f"{vcs['vcs']}+") else url
        return f"{PACKAGE} @ {spec}@{commit}" if commit else f"{PACKAGE} @ {spec}"
    if url.startswith("file://") and "dir_info" in direct:
        return url[len("file://"):]  # a local checkout: pip installs the directory
    return f"{PACKAGE} @ {url}"


REPO_CI = """\
#!/usr/bin/env bash
# 每次提交时由 CI 运行 (本地也可运行): 安装 beancount-tmall 并检查账簿。
# 店铺的每条记账规则都是插件, 检查失败时会指出需要修改的分录。
#
# 安装来源: 环境变量 BEANCOUNT_TMALL_SPEC (pip 能安装的任何写法), 默认是 init 时所用的版本:
#   {spec}
# 例: BEANCOUNT_TMALL_SPEC='beancount-tmall @ git+https://example.com/beancount-tmall.git@v0.4.0'
# 已安装 beancount-tmall 的环境不再安装 (BEANCOUNT_TMALL_REINSTALL=1 强制重装);
# PYTHON 指定所用的 python (默认 python3)。
set -euo pipefail
cd "$(dirname "$0")/.."
export BEANCOUNT_DISABLE_LOAD_CACHE=1
PYTHON="${{PYTHON:-python3}}"
SPEC="${{BEANCOUNT_TMALL_SPEC:-{spec}}}"
if [ "${{BEANCOUNT_TMALL_REINSTALL:-0}}" = 1 ] || ! "$PYTHON" -c "import beancount_tmall" 2>/dev/null; then
  echo "安装 beancount-tmall: $SPEC"
  "$PYTHON" -m pip install --quiet "$SPEC"
fi
"$PYTHON" -m beancount.scripts.check main.beancount
echo "bean-check main.beancount: 通过 (OK)"
"""


def ci_script(spec: str | None = None) -> str:
    """``ci/bean-check.sh``, installing from ``spec`` (default: :func:`package_spec`)."""
    spec = spec or package_spec()
    if "'" in spec or '"' in spec or "$" in spec or "`" in spec:
        raise ValueError(f"package spec {spec!r} cannot be written into the CI script")
    return REPO_CI.format(spec=spec)


def write_repo_files(directory: Path, spec: str | None = None) -> None:
    """The ledger-repo skeleton beside ``main.beancount``; existing files are left alone.

    A ``.gitignore``, ``ci/bean-check.sh`` (the script to run in the store's CI), ``import.py``
    (the import configuration for beangulp and Fava's import page) and ``documents/inbox/`` where
    downloaded files wait for import.
    """
    directory = Path(directory)
    files = (
        (".gitignore", REPO_GITIGNORE),
        ("ci/bean-check.sh", ci_script(spec)),
        ("import.py", import_config_text()),
    )
    for path, text in files:
        target = directory / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            if path.endswith(".sh"):
                target.chmod(0o755)
    (directory / "documents" / "inbox").mkdir(parents=True, exist_ok=True)
    (directory / "documents" / "inbox" / ".gitkeep").touch()


def init_ledger(
    directory: Path,
    title: str = "天猫店铺账簿",
    open_date: datetime.date = datetime.date(2000, 1, 1),
    repo_files: bool = True,
    opening: str | Path | OpeningBalances | None = None,
    alipay_accounts: dict[str, str] | None = None,
    spec: str | None = None,
    **kwargs,
) -> Path:
    """Create ``directory/main.beancount`` (and the ledger-repo skeleton); never overwrite.

    ``opening`` is a 期初余额表 (path or read): its balances are written on ``open_date``. It is
    read and checked before anything is written (a :class:`SourceError` leaves no file).
    """
    directory = Path(directory)
    main = directory / "main.beancount"
    if main.exists():
        raise LedgerExistsError(f"{main} 已存在, 不覆盖已有账簿; {main} already exists, refusing to overwrite a ledger")
    if opening is not None and not isinstance(opening, OpeningBalances):
        chart = {acc.account for acc in accounts.CHART}
        extra = [chart_account(a) for a in (alipay_accounts or {}).values() if a not in chart]
        opening = read_opening(opening, extra)
    kwargs.setdefault("documents", "documents" if repo_files else None)
    text = main_text(title, open_date, opening=opening, alipay_accounts=alipay_accounts, **kwargs)
    directory.mkdir(parents=True, exist_ok=True)
    if repo_files:
        write_repo_files(directory, spec)
    main.write_text(text, encoding="utf-8")
    return main
