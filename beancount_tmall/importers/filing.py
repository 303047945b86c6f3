"""``tmall-books import FILE...``: file new entries into the ledger; never overwrite anything.

Each file is identified (Alipay 账务明细 CSV or bill-download zip, Tmall 订单报表 CSV/xlsx, the
发票台账 register, the 业务明细, the goods files: 宝贝报表, 退款 and the 成本表; anything else is an
error) and extracted against the ledger as it is. Then:

* every new entry goes to ``YYYY/MM.beancount`` by its date (appended to a month file that
  exists, a new one starts with a one-line header), and ``main.beancount`` gets the missing
  ``include "YYYY/MM.beancount"`` lines, in order;
* every source is archived as beangulp does, ``documents/<account path>/<YYYY-MM-DD>.<name>``
  (a file whose content is archived already is not archived again; a different file is never
  overwritten);
* the 消费积分 of a sale is found by order id in any export: those given and those archived under
  ``documents/``. An export given after its statement was imported adds, per sale day, a
  transaction without postings that the ``consumer_points`` plugin counts::

      2025-03-15 * "天猫" "2025-03-15 消费积分 2 笔订单" #tmall-points
        source: "tmall-orders"
        consumer-points: "12.30 CNY"
        points-orders: "3321000000001 3321000000002"

  An order whose id is in any entry's ``points-orders`` (or a per-row sale's ``order-id`` with
  ``consumer-points``) is never counted again;
* the goods files are read whole (a bad one is refused) and archived; their entries come from
  ``tmall-books cogs`` and ``tmall-books returns``. The cost table is also kept as ``成本表.csv``
  beside ``main.beancount``: copied there if there is none, updated when it only adds prices,
  refused when it changes or drops a price the store's has.

All or nothing: everything is computed first; any error writes nothing. Files are written to
temporary files beside their targets and renamed into place (undone if a rename fails), so no
month is left half written. A second run with the same files adds nothing and says so. Progress
and a summary go to stderr, in Chinese.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.formats import (
    alipay_statement,
    cost_table,
    fee_invoices,
    tmall_items,
    tmall_orders,
    tmall_refunds,
)
from beancount_tmall.formats.alipay_statement import AlipayStatement
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import alipay as alipay_importer
from beancount_tmall.importers import rules as rules_lib
from beancount_tmall.importers.alipay import (
    AlipayStatementImporter,
    Existing,
    RuleError,
    load_rules,
)
from beancount_tmall.importers.extract import _is_load_error, _where, file_progress
from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter, extract_invoices
from beancount_tmall.importers.rowtext import order_id

try:  # the 业务明细 (trade detail): identified and archived; its entries come with the order work
    from beancount_tmall.formats import alipay_trade
except ImportError:  # pragma: no cover - until the exports branch is merged
    alipay_trade = None

#: Tag and metadata of the points entries of exports given after their statement.
POINTS_TAG = "tmall-points"
POINTS_KEY = "consumer-points"
POINTS_ORDERS = "points-orders"
ORDERS_SOURCE = "tmall-orders"

#: Where order exports are archived (they have no importer of their own).
ORDERS_ACCOUNT = accounts.REVENUE

MONTH_FILE = re.compile(r"^(\d{4})/(\d{2})\.beancount$")
INCLUDE_LINE = re.compile(r'^include\s+"(\d{4}/\d{2}\.beancount)"\s*(;.*)?$')

KIND_NAMES = {
    "statement": "支付宝账务明细",
    "orders": "天猫订单报表",
    "invoices": "发票台账",
    "trade": "支付宝业务明细",
    "items": "天猫宝贝报表",
    "refunds": "天猫退款报表",
    "costs": "成本表",
}

#: Where the goods files are archived: item exports and the cost table with the goods, refund
#: exports with the sales.
GOODS_ACCOUNTS = {"items": accounts.INVENTORY, "refunds": accounts.REVENUE, "costs": accounts.INVENTORY}


class PlanFailed(Exception):
    """A command that plans before it writes (import, cogs, close) cannot go on: ``messages``
    say why, nothing was written, ``status`` is the exit status."""

    def __init__(self, messages: list[str], status: int = 1):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.status = status


class ImportFailed(PlanFailed):
    """The import cannot go on; ``messages`` say why (nothing was written)."""


@dataclass
class Source:
    """One file given to ``import``: what it is, where it is archived, what it added."""

    path: Path
    kind: str
    account: str = ""
    date: datetime.date | None = None
    archive: Path | None = None  # the archive's path; None: already archived (same content)
    kept_as: Path | None = None  # where its content lies under documents/ (new or earlier copy)
    entries: int = 0
    skipped: int = 0
    review: list[int] = field(default_factory=list)  # lines of rows booked to 待核对
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """Everything an import will write: file contents and archive copies, and what to say."""

    root: Path
    ledger: Path
    writes: dict[Path, str] = field(default_factory=dict)  # target -> full new text
    copies: list[tuple[Path, Path]] = field(default_factory=list)  # (source, archive target)
    sources: list[Source] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)  # "YYYY/MM.beancount" -> new entries
    created: set[str] = field(default_factory=set)  # month files that are new
    includes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    archive: bool = True  # False: the sources are left where they are

    @property
    def entries(self) -> int:
        return sum(self.months.values())


# --- reading the ledger and the archive ----------------------------------------------------------


def load_ledger(ledger: Path) -> tuple[list[data.Directive], dict]:
    """The ledger's entries and options; raises :class:`ImportFailed` if it does not load."""
    if not ledger.exists():
        raise ImportFailed(
            [f"账簿 {ledger} 不存在: 先运行 tmall-books init 建账, 或用 --ledger 指明; ledger not found"], 2
        )
    entries, errors, options = loader.load_file(str(ledger))
    broken = [e for e in errors if _is_load_error(e)]
    if broken:
        messages = []
        for error in broken:
            text = error.message.strip().splitlines()[0] if error.message else type(error).__name__
            messages.append(f"{_where(error) or f'{ledger}: '}{text}")
        messages.append(
            f"账簿 {ledger} 无法完整读取 (见上): 无法判断哪些行已经导入, 未写入任何文件; "
            "the ledger does not load, nothing was written"
        )
        raise ImportFailed(messages, 2)
    return entries, options


def documents_dir(ledger: Path, options: dict) -> Path:
    """The archive folder: the ledger's first ``option "documents"``, else ``documents/``."""
    for folder in options.get("documents") or ():
        path = Path(folder)
        return path if path.is_absolute() else ledger.parent / path
    return ledger.parent / "documents"


def archived_files(documents: Path) -> list[Path]:
    """Every archived file under ``documents`` (not the inbox, not hidden files), sorted."""
    if not documents.is_dir():
        return []
    inbox = documents / "inbox"
    out = []
    for path in sorted(documents.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and inbox not in path.parents:
            out.append(path)
    return out


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def archive_name(documents: Path, account: str, date: datetime.date, path: Path) -> Path:
    """beangulp's archive layout: ``documents/<account with / for :>/<YYYY-MM-DD>.<name>``."""
    return documents.joinpath(*account.split(":")) / f"{date:%Y-%m-%d}.{path.name}"


# --- what the ledger already counts ----------------------------------------------------------------


def counted_orders(entries: Iterable[data.Directive]) -> set[str]:
    """Order ids whose 消费积分 the entries already count (``points-orders``, per-row sales)."""
    out: set[str] = set()
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        if POINTS_ORDERS in meta:
            out.update(str(meta[POINTS_ORDERS]).split())
        elif POINTS_KEY in meta and meta.get("order-id"):
            out.add(str(meta["order-id"]))
    return out


def _cny(number: Decimal) -> str:
    return f"{Decimal(number).quantize(Decimal('0.01'))} {accounts.CURRENCY}"


def points_entries(
    sales: dict[str, datetime.date], points: dict[str, Decimal], path: str
) -> list[data.Transaction]:
    """One posting-less ``#tmall-points`` transaction per sale day of the given orders."""
    days: dict[datetime.date, list[str]] = {}
    for tid, date in sales.items():
        days.setdefault(date, []).append(tid)
    out = []
    for date in sorted(days):
        tids = sorted(days[date])
        meta = data.new_metadata(path, 0)
        meta["source"] = ORDERS_SOURCE
        meta[POINTS_KEY] = _cny(sum((points[t] for t in tids), Decimal(0)))
        meta[POINTS_ORDERS] = " ".join(tids)
        out.append(
            data.Transaction(
                meta, date, "*", "天猫", f"{date:%Y-%m-%d} 消费积分 {len(tids)} 笔订单",
                frozenset({POINTS_TAG}), data.EMPTY_SET, [],
            )
        )
    return out


def sale_days(
    statements: Iterable[Path | str], wanted: set[str], rules, errors: list[str]
) -> dict[str, datetime.date]:
    """Order id -> date of its sale row (rule kind ``sale``) in ``statements``, for ``wanted``."""
    found: dict[str, datetime.date] = {}
    for path in statements:
        if len(found) == len(wanted):
            break
        try:
            for row in AlipayStatement(path):
                tid = order_id(row)
                if tid in wanted and tid not in found:
                    matched = rules.classify(row)
                    if len(matched) == 1 and matched[0].kind == "sale":
                        found[tid] = row.time.date()
        except SourceError as exc:
            errors.append(f"归档的账务明细无法读取: {exc}")
    return found


# --- planning ----------------------------------------------------------------------------------------


def identify(path: Path) -> str | None:
    """``statement``, ``orders``, ``invoices``, ``trade`` (业务明细), ``items`` (宝贝报表),
    ``refunds`` (退款) or ``costs`` (成本表); None if not recognised."""
    if alipay_statement.identify(path):
        return "statement"
    if tmall_orders.identify(path):
        return "orders"
    if fee_invoices.identify(path):
        return "invoices"
    if alipay_trade is not None and getattr(alipay_trade, "identify", None) and alipay_trade.identify(path):
        return "trade"
    if tmall_items.identify(path):
        return "items"
    if tmall_refunds.identify(path):
        return "refunds"
    if cost_table.identify(path):
        return "costs"
    return None


def _export_date(path: Path) -> datetime.date | None:
    """An order export's date for the archive: its latest payment (or creation) day."""
    latest = None
    for order in tmall_orders.read_orders(path):
        when = order.paid_time or order.created
        if when is not None and (latest is None or when > latest):
            latest = when
    return latest.date() if latest else None


#: The store's own rule table, beside ``main.beancount``: used when no ``--rules`` is given.
STORE_RULES = rules_lib.STORE_RULES


def plan_import(
    paths: list[str | Path],
    ledger: str | Path = "main.beancount",
    rules: str | Path | None = None,
    per_row: bool = False,
    mask: bool = True,
    accounts_map: dict[str, str] | None = None,
    log=None,
    archive: bool = True,
) -> Plan:
    """Work out every file the import writes; raises :class:`ImportFailed` (nothing written).

    ``archive=False`` leaves the sources where they are (the big demo, whose sources are not kept).
    Without ``rules``, the store's ``rules.toml`` beside the ledger extends the defaults, if any.
    """
    log = log or (lambda message: None)
    ledger = Path(ledger)
    errors: list[str] = []
    rules = rules_lib.ledger_rules(ledger, rules)  # the store's own rules, kept with its books
    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        raise ImportFailed([f"规则表 {rules}: {exc}"], 2) from None

    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            errors.append(f"{path}: 文件不存在; no such file")
            continue
        kind = identify(path)
        if kind is None:
            errors.append(
                f"{path}: 无法识别的文件 (应为支付宝账务明细 CSV/zip、天猫订单报表/宝贝报表/退款报表 CSV/xlsx、"
                "发票台账 CSV 或成本表); "
                "not a recognized file"
            )
            continue
        sources.append(Source(path, kind))
    tables = [str(s.path) for s in sources if s.kind == "costs"]
    if len(tables) > 1:
        errors.append(f"一次只能导入一个成本表, 给出了 {len(tables)} 个: {', '.join(tables)}; one cost table at a time")
    if errors:
        raise ImportFailed(errors)

    existing, options = load_ledger(ledger)
    root = ledger.parent
    documents = documents_dir(ledger, options)
    plan = Plan(root, ledger, sources=sources, archive=archive)
    archived = archived_files(documents)

    # 消费积分 by order id: the exports given and those archived.
    given_exports = [s.path for s in sources if s.kind == "orders"]
    archived_exports = [p for p in archived if tmall_orders.identify(p)]
    export_points: dict[Path, dict[str, Decimal]] = {}
    export_orders: dict[Path, int] = {}
    unreadable: set[Path] = set()
    for path in [*given_exports, *archived_exports]:
        try:
            orders = list(tmall_orders.read_orders(path))
        except SourceError as exc:
            errors.append(str(exc))
            unreadable.add(path)
            continue
        export_orders[path] = len(orders)
        export_points[path] = {o.tid: o.points_cny for o in orders if o.paid_points}
    points: dict[str, Decimal] = {}
    for found in export_points.values():
        points.update(found)
    counted = counted_orders(existing)

    new: list[data.Directive] = []
    main_additions: list[str] = []
    # Accounts adopted in this run: a second statement of the account is not adopted again, and
    # one of another account is refused, as the ledger will say once written.
    run_map: dict[str, str] = dict(accounts_map or {})
    # Statements oldest first, whatever the order given: the opening balance of a new ledger
    # comes from the earliest, and a later one never precedes it.
    def period_start(source: Source) -> datetime.datetime:
        start, end = alipay_statement.statement_period(source.path)
        return start or end or datetime.datetime.max

    for source in sorted((s for s in sources if s.kind == "statement"), key=period_start):
        log(f"读取 {source.path} …")
        importer = AlipayStatementImporter(
            rules=table, per_row=per_row, mask=mask, accounts=run_map,
            orders={t: p for t, p in points.items() if t not in counted},
        )
        try:
            with file_progress(source.path) as progress:
                result = importer.extract_file(source.path, Existing([*existing, *new]), progress=progress)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        source.account = result.account
        if result.adopt:
            main_additions.append(result.adopt)
            run_map[result.account_id] = result.account
        source.entries = len(result.entries)
        source.skipped = result.skipped
        source.review = [line for line, _ in result.review]
        plan.notes += alipay_importer.warnings(result)  # 待核对 rows, opening entry, adoption
        new.extend(result.entries)
        counted |= counted_orders(result.entries)
        source.date = importer.date(str(source.path))
        if source.date is None:  # no 终止日期 in the banner: the statement's last day
            try:
                source.date = max((r.time.date() for r in AlipayStatement(source.path)), default=None)
            except SourceError as exc:
                errors.append(str(exc))

    for source in sources:
        if source.kind == "invoices":
            try:
                found = extract_invoices(source.path, [*existing, *new])
                source.date = FeeInvoiceImporter().date(str(source.path))
            except SourceError as exc:
                errors.append(str(exc))
                continue
            source.account = FeeInvoiceImporter().account(str(source.path))
            source.entries = len(found)
            typed = [e for e in found if "invoice-type" in e.meta]
            if typed and not fee_invoices.read_rows(source.path)[0].type_given:
                source.notes.append(
                    f"台账没有专票/普票列 (发票种类): {len(typed)} 张平台发票按专票记 (invoice-type: \"专票\"); "
                    "普票请在台账加一列 发票种类 后重新导入; no invoice-type column, read as 专票"
                )
            new.extend(found)
        elif source.kind == "trade":
            try:  # only archived, but whole: its rows verified against its footers
                alipay_trade.read_rows(source.path)
            except SourceError as exc:
                errors.append(str(exc))
                continue
            source.account = accounts.ALIPAY
            source.notes.append("业务明细只归档 (对账用), 不生成分录")
        elif source.kind in GOODS_ACCOUNTS:
            source.account = GOODS_ACCOUNTS[source.kind]
            try:
                goods_file(plan, source, errors)
            except SourceError as exc:
                errors.append(str(exc))

    # Exports given now: points of orders whose sale is already in the ledger (or in the
    # statements given now but imported before) and not counted yet.
    for source in sources:
        if source.kind != "orders" or source.path in unreadable:  # its error is already said
            continue
        source.account = ORDERS_ACCOUNT
        try:
            source.date = _export_date(source.path)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        mine = export_points.get(source.path, {})
        wanted = {t for t in mine if t not in counted}
        total = export_orders.get(source.path, 0)
        if not mine:
            source.notes.append(f"{total} 笔订单, 都没有使用消费积分: 无需记账, 只归档")
            continue
        if not wanted:
            source.notes.append(f"{total} 笔订单, {len(mine)} 笔有消费积分, 已全部计入账簿")
            continue
        already = len(mine) - len(wanted)
        statements = [s.path for s in sources if s.kind == "statement"]
        statements += [p for p in archived if alipay_statement.identify(p)]
        found = sale_days(statements, wanted, table, errors)
        entries = points_entries(found, mine, str(source.path))
        new.extend(entries)
        counted |= set(found)
        source.entries = len(entries)
        missing = len(wanted) - len(found)
        parts = [f"{total} 笔订单, {len(mine)} 笔有消费积分"]
        if already:
            parts.append(f"{already} 笔已随销售计入")
        if found:
            parts.append(f"{len(found)} 笔的销售已在账簿中, 补记消费积分 {len(entries)} 笔 (#tmall-points)")
        if missing:
            parts.append(
                f"{missing} 笔在已导入的账务明细中还没有销售记录: 导入其账务明细时自动计入"
            )
        source.notes.append("; ".join(parts))

    if errors:
        raise ImportFailed(errors)

    # Archive.
    by_size: dict[int, list[Path]] = {}
    for path in archived:
        by_size.setdefault(path.stat().st_size, []).append(path)
    targets: dict[Path, Path] = {}
    for source in sources if archive else ():
        date = source.date or datetime.date.fromtimestamp(source.path.stat().st_mtime)
        target = archive_name(documents, source.account or accounts.ALIPAY, date, source.path)
        digest = _digest(source.path)
        same = [p for p in by_size.get(source.path.stat().st_size, []) if _digest(p) == digest]
        earlier = [t for t, src in targets.items() if _digest(src) == digest]
        if same or earlier:
            source.archive = None
            source.kept_as = (same or earlier)[0]
            continue
        if target.exists() or target in targets:
            errors.append(
                f"{source.path}: 归档位置 {target} 已有另一个内容不同的文件, 不覆盖; "
                "an archived file of that name differs"
            )
            continue
        targets[target] = source.path
        source.archive = source.kept_as = target
        plan.copies.append((source.path, target))
    if errors:
        raise ImportFailed(errors)
    point_to_archive(new, sources, root)

    plan_months(plan, new, options, main_additions)
    return plan


def plan_months(
    plan: Plan, new: list[data.Directive], options: dict, main_additions: list[str] = (),
    command: str = "tmall-books import",
) -> None:
    """Add to ``plan`` the month files ``new`` goes to (appended; a new file gets a header line)
    and the ``include`` lines (and ``main_additions``) main.beancount lacks."""
    loaded = {os.path.realpath(p) for p in options.get("include") or ()}
    months: dict[str, list[data.Directive]] = {}
    for entry in new:
        months.setdefault(f"{entry.date:%Y}/{entry.date:%m}.beancount", []).append(entry)
    for rel, entries in sorted(months.items()):
        entries.sort(key=data.entry_sortkey)
        target = plan.root / rel
        body = "\n".join(alipay_importer.format_entry(e) for e in entries)
        if target.exists():
            old = target.read_text(encoding="utf-8")
            sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
            plan.writes[target] = old + sep + body
        else:
            header = f"; {rel[:4]}-{rel[5:7]} 由 {command} 导入 (新分录追加在文件末尾)\n\n"
            plan.writes[target] = header + body
            plan.created.add(rel)
        plan.months[rel] = len(entries)
        if os.path.realpath(target) not in loaded:
            plan.includes.append(rel)
    if plan.includes or main_additions:
        ledger = plan.ledger
        plan.writes[ledger] = add_to_main(ledger.read_text(encoding="utf-8"), plan.includes, main_additions)


def goods_file(plan: Plan, source: Source, errors: list[str]) -> None:
    """An item or refund export, or a cost table: read whole (a bad file is refused), dated for
    the archive; the cost table is also kept as ``成本表.csv`` beside the ledger (copied there if
    none is, updated if it only adds prices, refused if it contradicts the one there)."""
    path = source.path
    if source.kind == "items":
        items = list(tmall_items.read_items(path))
        source.notes.append(
            f"{len(items)} 行宝贝, {len({i.tid for i in items})} 笔订单: 只归档, 月末由 tmall-books cogs 结转成本"
        )
        return
    if source.kind == "refunds":
        refunds = list(tmall_refunds.read_refunds(path))
        times = [t for r in refunds for t in (r.finished_time, r.applied_time) if t is not None]
        source.date = max(times).date() if times else None
        source.notes.append(f"{len(refunds)} 笔退款: 只归档 (退货由 tmall-books returns 记账)")
        return
    given = cost_table.CostTable.read(path)
    dates = [p.since for p in given]
    source.date = max(dates) if dates else None
    store = plan.root / cost_table.STORE_FILE
    new_text = None if path.suffix.lower() == ".csv" else cost_csv(given)
    if not store.exists():
        plan_store(plan, path, store, new_text)
        source.notes.append(f"{len(dates)} 个单位成本, 存为 {cost_table.STORE_FILE}")
        return
    kept = cost_table.CostTable.read(store)
    if os.path.realpath(store) == os.path.realpath(path) or given.facts() == kept.facts():
        source.notes.append(f"与 {cost_table.STORE_FILE} 相同")
        return
    old = {(sku, since): cost for sku, since, cost in kept.facts()}
    for sku, since, cost in sorted(given.facts()):
        if (sku, since) in old and old[(sku, since)] != cost:
            errors.append(
                f"{path}: 商家编码 {sku} 自 {since} 的单位成本 {cost} 与 {store} 中的 {old[(sku, since)]} 不同: "
                f"已入账的成本不应改写; 如确需更正, 请直接编辑 {cost_table.STORE_FILE}; the cost tables disagree"
            )
            return
    lost = kept.facts() - given.facts()
    if lost:
        sku, since, cost = sorted(lost)[0]
        errors.append(
            f"{path}: 缺少 {store} 中已有的 {len(lost)} 个单位成本 (如 {sku} 自 {since} 为 {cost}): "
            "不能以它替换; 请在完整的成本表上增补; the cost table lacks prices the store's has"
        )
        return
    plan_store(plan, path, store, new_text)
    source.notes.append(f"{cost_table.STORE_FILE} 增加 {len(given.facts() - kept.facts())} 个单位成本")


def cost_csv(costs: cost_table.CostTable) -> str:
    """A cost table as the CSV text kept beside the ledger (UTF-8 with a BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["商家编码", "名称", "单位成本", "生效日期"])
    for price in sorted(costs, key=lambda p: (p.sku, p.since)):
        writer.writerow([price.sku, price.name, price.cost, f"{price.since:%Y-%m-%d}"])
    return "\ufeff" + out.getvalue()


def plan_store(plan: Plan, path: Path, store: Path, text: str | None) -> None:
    """Keep ``path`` as the store's cost table: its bytes (a CSV) or ``text`` (from an xlsx)."""
    if text is None:
        plan.copies.append((path, store))
    else:
        plan.writes[store] = text


def point_to_archive(entries: list[data.Directive], sources: list[Source], root: Path) -> None:
    """Rows to review name the archived copy of their statement (``source-file``), relative to
    the ledger, not the download the import was given (which the store may delete)."""
    where = {}
    for source in sources:
        if source.kept_as is not None:
            kept = os.path.relpath(source.kept_as, root)
            where[str(source.path)] = kept
            where[str(source.path.resolve())] = kept
    if not where:
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, data.Transaction):
            continue
        postings = None
        for j, posting in enumerate(entry.postings):
            meta = posting.meta or {}
            given = meta.get("source-file")
            if given is None:
                continue
            head, bang, entry_name = str(given).partition("!")  # a zip's entry: zip!name
            if head in where:
                postings = postings or list(entry.postings)
                postings[j] = posting._replace(meta={**meta, "source-file": where[head] + bang + entry_name})
        if postings is not None:
            entries[i] = entry._replace(postings=postings)


def add_to_main(text: str, includes: list[str], additions: list[str] = ()) -> str:
    """``text`` of main.beancount with ``additions`` (directive texts) before its include lines
    and ``include`` lines for ``includes``, kept in order among the month includes there."""
    lines = text.splitlines()
    if additions:
        first = next((i for i, line in enumerate(lines) if line.startswith("include ")), len(lines))
        block = [""] if first and lines[first - 1].strip() else []
        for text_block in additions:
            block += text_block.rstrip("\n").splitlines() + [""]
        lines[first:first] = block
    for rel in sorted(includes):
        months = [(i, m.group(1)) for i, line in enumerate(lines) if (m := INCLUDE_LINE.match(line))]
        later = [i for i, name in months if name > rel]
        if later:
            lines.insert(later[0], f'include "{rel}"')
        elif months:
            lines.insert(months[-1][0] + 1, f'include "{rel}"')
        else:
            if lines and lines[-1].strip():
                lines.append("")
            lines.append("; 每月的分录 (tmall-books import 写入)")
            lines.append(f'include "{rel}"')
    return "\n".join(lines) + "\n"


# --- writing --------------------------------------------------------------------------------------


def apply_plan(plan: Plan) -> None:
    """Write the plan: temporary files beside each target first, then rename them all into place.

    If anything fails, every target is as it was (renamed files are put back, new ones removed).
    """
    staged: list[tuple[Path, Path]] = []  # (temporary, target)
    made_dirs: list[Path] = []

    def mkdirs(folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for d in reversed(missing):
            d.mkdir()
            made_dirs.append(d)

    def temp_for(target: Path) -> Path:
        return target.with_name(f".{target.name}.tmall-import.tmp")

    try:
        for src, target in plan.copies:
            mkdirs(target.parent)
            tmp = temp_for(target)
            with open(src, "rb") as fin, open(tmp, "wb") as fout:
                for block in iter(lambda: fin.read(1 << 20), b""):
                    fout.write(block)
                fout.flush()
                os.fsync(fout.fileno())
            staged.append((tmp, target))
        # Month files before main.beancount: its includes never name a missing file.
        for target in sorted(plan.writes, key=lambda p: p == plan.ledger):
            mkdirs(target.parent)
            tmp = temp_for(target)
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                f.write(plan.writes[target])
                f.flush()
                os.fsync(f.fileno())
            staged.append((tmp, target))
    except OSError:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            _rmdir(d)
        raise
    done: list[tuple[Path, bytes | None]] = []
    try:
        for tmp, target in staged:
            before = target.read_bytes() if target.exists() else None
            os.replace(tmp, target)
            done.append((target, before))
    except OSError:
        for target, before in reversed(done):
            if before is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(before)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            _rmdir(d)
        raise


def _rmdir(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


# --- the command ------------------------------------------------------------------------------------


def summary(plan: Plan, out) -> None:
    """What was imported, in Chinese, on ``out``."""
    w = lambda text: print(text, file=out)  # noqa: E731
    for source in plan.sources:
        what = KIND_NAMES[source.kind]
        parts = []
        if source.kind == "statement":
            parts.append(f"新分录 {source.entries} 条")
            if source.skipped:
                parts.append(f"{source.skipped} 行已在账簿中, 略过")
            if source.review:
                parts.append(f"待核对 {len(source.review)} 行 (见下)")
        elif source.kind == "invoices":
            parts.append(f"新发票 {source.entries} 张")
        parts += source.notes
        archived = (
            f"归档为 {os.path.relpath(source.archive, plan.root)}"
            if source.archive
            else "已归档过 (内容相同, 不重复归档)"
            if plan.archive
            else "未归档"
        )
        w(f"{what} {source.path}: {'; '.join(parts)}; {archived}")
    for note in plan.notes:
        w(f"注意: {note}")
    for rel, count in sorted(plan.months.items()):
        w(f"  {rel}: +{count} 条{' (新文件)' if rel in plan.created else ''}")
    if plan.includes:
        w(f"  {plan.ledger.name}: 加入 {', '.join(f'include {chr(34)}{r}{chr(34)}' for r in plan.includes)}")
    if plan.entries:
        review = sum(len(s.review) for s in plan.sources)
        w(
            f"导入完成: {len(plan.sources)} 个文件, 新分录 {plan.entries} 条"
            + (f", 待核对 {review} 行" if review else "")
            + f", 归档 {sum(1 for s in plan.sources if s.archive)} 个文件; 下一步: bean-check {plan.ledger.name}"
        )
    else:
        w(
            f"没有新的分录: 这些文件的内容已全部在账簿中 (归档 {sum(1 for s in plan.sources if s.archive)} 个文件); "
            "nothing new to import"
        )


def run_import(
    paths: list[str | Path],
    ledger: str | Path = "main.beancount",
    rules: str | Path | None = None,
    per_row: bool = False,
    mask: bool = True,
    out=None,
) -> int:
    """``tmall-books import``: plan, then write all or nothing. Returns the exit status."""
    out = out or sys.stderr

    def log(message: str) -> None:
        if out.isatty() if hasattr(out, "isatty") else False:
            print(message, file=out)

    try:
        plan = plan_import(paths, ledger, rules=rules, per_row=per_row, mask=mask, log=log)
    except ImportFailed as exc:
        for message in exc.messages:
            print(f"错误: {message}", file=out)
        print("未写入任何文件: 改正上面的问题后重新运行; nothing was written", file=out)
        return exc.status
    try:
        apply_plan(plan)
    except OSError as exc:
        print(f"错误: 写入失败 ({exc}); 已恢复原状, 未写入任何文件; nothing was written", file=out)
        return 1
    summary(plan, out)
    return 0
