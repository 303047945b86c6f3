"""销售退回 (seed 003, seed 002 第二十九条): return entries from the Tmall refund export.

``tmall-books returns import LEDGER [--refunds FILE...] [--month YYYY-MM]`` reads every refund
export (退款报表) given and archived under the ledger's ``documents/``, and files into
``YYYY/MM.beancount`` (all or nothing, through :mod:`beancount_tmall.importers.filing`) one entry
per completed refund it has not filed yet (by ``refund-id``; a second run adds nothing).

**Which refunds.** The export's 退款状态 are Tmall's refund states: ``退款成功`` (SUCCESS, the
money went back: the only completed state), ``退款关闭`` (CLOSED: no refund), and the states in
progress ``买家已经申请退款，等待卖家同意``, ``卖家已经同意退款，等待买家退货``,
``买家已经退货，等待卖家确认收货``, ``卖家拒绝退款``. Only ``退款成功`` rows are filed; the others are
counted in the summary and filed by a later run once completed. 是否需要退货 (``是``/``否``) tells a
return from a refund without return (仅退款); 货物状态 (``买家未收到货``, ``买家已收到货``,
``买家已退货``) is kept as read.

**A return with goods back** (是否需要退货 = 是, 退款成功, inspected) brings the goods back at the
cost they left with: the ``unit-cost`` of the SKU in the ``#cogs`` entry of the month the order was
settled (its sale row in the Alipay statements archived under ``documents/``, found as
``tmall-books cogs`` finds it: :func:`beancount_tmall.goods.cogs.settlements`), else — that month
not closed yet — the cost table ``成本表.csv`` in force on the settlement day, which is what the
month's ``#cogs`` will use. When the month's ``#cogs`` has several prices for the SKU (the price
changed in the month), the one the cost table gives for the settlement day. Passed inspection::

    2025-04-03 * "天猫" "退货入库 LJ-250 × 2 (验货合格)" #return
      order-id: "3321000000000001"
      refund-id: "88120000000001"
      sku: "LJ-250"
      quantity: "2"
      reason: "七天无理由退换货"
      title: "羊毛围巾 灰色"
      refund-amount: "118.00 CNY"
      inspection: "合格"
      unit-cost: "30.00 CNY"
      cost-from: "#cogs 2025-03"
      Assets:1405-库存商品            60.00 CNY
        sku: "LJ-250"
        quantity: "2"
      Expenses:6401-主营业务成本     -60.00 CNY
        sku: "LJ-250"
        quantity: "-2"

Failed inspection (not resalable): the same, but ``Expenses:6401-主营业务成本:640102-破损`` instead of
1405, the entry's ``breakage-no`` and link ``^breakage-<no>`` (the ``breakage`` plugin then wants the
photos as a ``document`` with that link). The entry's date is 退款完结时间's.

**Inspection** (验货, seed 002 §29 "仓储部收到退货 … 核对无误后, 予以签收") is the store's own file
``验货记录.csv`` beside ``main.beancount`` (UTF-8 or GBK, CSV or xlsx)::

    退款编号,验货结果,破损单号,备注,退货数量
    88120000000001,合格,,,
    88120000000002,不合格,PS-2025-004,外包装压坏,1

验货结果 ``合格`` or ``不合格``; a 不合格 row needs its 破损单号 (letters, digits, ``-_./``: it becomes the
link), a 合格 row has none; one row per 退款编号; 退货数量 (optional) is the quantity received, needed
when the exports cannot tell it. A bad row stops the run with file:line. A return without a row
is waiting for inspection: not filed, named in the summary.

**Quantity and SKU.** SKU: the refund's 商品编码 (when it is one of the order's 商家编码 in the item
export, or the order is in none), else the 商家编码 of the order's line with the same title in the
item export (宝贝报表, archived), else the order's only SKU. Quantity: 退货数量 from the
inspection, else the order's quantity of the SKU for a 全部退款, else for a 部分退款 the refund
amount divided by the item price when that is a whole number of items. Anything else is an error
asking for 退货数量.

**Orders never settled.** A refund before 交易成功 closes the order (交易关闭): the money never
reached the store's Alipay account and the monthly cost of sales never took the goods out of
stock, so nothing goes back; when the item or order export says 交易关闭 and no statement has
the sale, the refund is filed as a ``#refund`` entry without postings
(``refund-kind: "未结算退货"``). A return whose order is neither settled nor closed in the files
is not filed yet (named in the summary): its sale is in a statement not yet imported.

**A refund without return** (仅退款) only reduces revenue, which the statement's 交易退款/售后退款
row already books; it is filed as a ``#refund`` transaction without postings
(``refund-kind: "仅退款"``, or ``"折价"`` when the reason or explanation says 折价: a discount for a
quality problem, whose money is a compensation, see the ``approvals`` plugin), so the return
register lists it.

**Points paid by the buyer** (消费积分) on a refunded order go back to the buyer and reduce the
month's points part: for each completed refund of an order whose points the ledger counts (its id
in a ``points-orders``, or a sale's ``order-id``), a transaction without postings that the
``consumer_points`` plugin counts::

    2025-04-03 * "天猫" "退款退回消费积分 订单 3321000000000001" #tmall-points
      source: "tmall-refunds"
      consumer-points: "-1.20 CNY"
      refund-id: "88120000000001"
      order-id: "3321000000000001"

(all the order's points for a 全部退款; for a 部分退款 the share 买家退款金额 / 买家实际支付金额 of the
order export, rounded half up, never more than the points left). Orders whose points were never
counted are skipped.

**Cost of a run**: the archived statements are read (for the sale rows) only when a return is to
be booked, as ``tmall-books cogs`` reads them; refunds already booked are skipped first.

**Commission and Tmall points given back** are not written here: the Alipay statement carries
them as their own rows (``代扣交易退回积分`` → ``122102-天猫积分``, ``淘宝客佣金退款`` →
``122103-淘宝客佣金``, ``天猫佣金…退款`` → ``122101-天猫佣金``, rules in ``rules/alipay.toml``), which
the import already books against the receivables; writing them again would count them twice.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from beancount.core import data
from beancount.core.amount import Amount

from beancount_tmall import accounts
from beancount_tmall.formats import (
    alipay_statement,
    cost_table,
    table,
    tmall_items,
    tmall_orders,
    tmall_refunds,
)
from beancount_tmall.formats.common import SourceError, clean_id
from beancount_tmall.goods import cogs
from beancount_tmall.importers import filing
from beancount_tmall.importers.alipay import RuleError, load_rules
from beancount_tmall.importers.rules import ledger_rules

INSPECTIONS = "验货记录.csv"
COSTS = cost_table.STORE_FILE
RETURN_TAG = "return"
REFUND_TAG = "refund"
COGS_TAG = "cogs"
SOURCE = "tmall-refunds"
#: The refund state of a completed refund (Tmall's SUCCESS); see the module docstring.
COMPLETED = frozenset({"退款成功"})
PASSED, FAILED = "合格", "不合格"
ONLY_REFUND, DISCOUNT, UNSETTLED = "仅退款", "折价", "未结算退货"
#: Where refund exports given to ``returns import`` are archived (as order exports are).
REFUNDS_ACCOUNT = filing.GOODS_ACCOUNTS["refunds"]
CENT = Decimal("0.01")
_BREAKAGE_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,63}")


def _cny(number: Decimal) -> str:
    return f"{Decimal(number).quantize(CENT, ROUND_HALF_UP)} {accounts.CURRENCY}"


def parse_cny(value) -> Decimal:
    """``"30.00 CNY"`` (or a number, or an Amount) -> Decimal; ValueError otherwise."""
    number = getattr(value, "number", None)
    if number is not None:
        return Decimal(number)
    text = str(value).strip()
    if text.endswith(accounts.CURRENCY):
        text = text[: -len(accounts.CURRENCY)].strip()
    return Decimal(text)


# --- the inspection record ----------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """One row of 验货记录.csv."""

    where: str
    line: int
    refund_id: str
    passed: bool
    breakage_no: str
    remark: str
    quantity: int | None


INSPECTION_SPEC = table.TableSpec(
    what="验货记录",
    aliases={
        "refund_id": ("退款编号",),
        "result": ("验货结果",),
        "breakage_no": ("破损单号",),
        "remark": ("备注",),
        "quantity": ("退货数量", "数量"),
    },
    required=("refund_id", "result"),
)


def read_inspections(source: str | Path) -> dict[str, Inspection]:
    """退款编号 -> :class:`Inspection`; a bad row raises :class:`SourceError` (file:line)."""
    out: dict[str, Inspection] = {}
    rows = table.Table(source, INSPECTION_SPEC)
    for record in rows:
        try:
            refund_id = clean_id(record["refund_id"])
        except ValueError as exc:
            raise record.error(str(exc)) from None
        result = record["result"].strip()
        breakage_no = clean_id(record["breakage_no"]) if record["breakage_no"].strip() else ""
        if not refund_id:
            raise record.error("退款编号为空; empty refund id")
        if result not in (PASSED, FAILED):
            raise record.error(
                f"验货结果 {result[:20]!r} 应为 {PASSED} 或 {FAILED}; inspection result must be 合格 or 不合格"
            )
        if result == FAILED and not breakage_no:
            raise record.error(
                f"退款 {refund_id} 验货不合格, 需要破损单号 (破损单号 列); a failed inspection needs its breakage no"
            )
        if result == PASSED and breakage_no:
            raise record.error(
                f"退款 {refund_id} 验货合格, 却有破损单号 {breakage_no}: 合格的退货回库存, 不开破损单; "
                "a passed inspection has no breakage no"
            )
        if breakage_no and not _BREAKAGE_NO.fullmatch(breakage_no):
            raise record.error(
                f"破损单号 {breakage_no[:40]!r} 只能含字母、数字和 -_./ (它是分录的链接 ^breakage-<单号>); "
                "breakage no may hold letters, digits and -_./ only"
            )
        try:
            quantity = table.whole(record["quantity"], "退货数量") if record["quantity"].strip() else None
        except ValueError as exc:
            raise record.error(str(exc)) from None
        if quantity == 0:
            raise record.error("退货数量为 0: 没有退回货物的退款是仅退款, 不需验货记录; returned quantity is 0")
        if refund_id in out:
            raise record.error(
                f"退款 {refund_id} 已在第 {out[refund_id].line} 行验货: 每笔退款一行; refund inspected twice"
            )
        out[refund_id] = Inspection(
            record.where, record.line, refund_id, result == PASSED, breakage_no,
            record["remark"].strip(), quantity,
        )
    return out


# --- what the ledger holds ------------------------------------------------------------------------


def filed_refunds(entries: Iterable[data.Directive]) -> tuple[set[str], set[str]]:
    """Refund ids already filed: (as ``#return``/``#refund`` entries, as points give-backs)."""
    goods, points = set(), set()
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "refund-id" not in entry.meta:
            continue
        refund_id = str(entry.meta["refund-id"])
        tags = entry.tags or frozenset()
        if filing.POINTS_TAG in tags:
            points.add(refund_id)
        if RETURN_TAG in tags or REFUND_TAG in tags:
            goods.add(refund_id)
    return goods, points


def cogs_unit_costs(entries: Iterable[data.Directive]) -> dict[tuple[str, str], set[Decimal]]:
    """(``YYYY-MM``, sku) -> the unit costs of the 6401 postings of the ``#cogs`` entries."""
    out: dict[tuple[str, str], set[Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or COGS_TAG not in (entry.tags or ()):
            continue
        period = str(entry.meta.get("period") or f"{entry.date:%Y-%m}")
        for posting in entry.postings:
            meta = posting.meta or {}
            if posting.account != accounts.COST_OF_SALES or "sku" not in meta or posting.units is None:
                continue
            try:
                if "unit-cost" in meta:
                    cost = parse_cny(meta["unit-cost"])
                else:
                    cost = posting.units.number / Decimal(str(meta["quantity"]))
            except (ArithmeticError, ValueError, KeyError):
                continue  # the cogs/inventory plugins report unreadable entries
            out.setdefault((period, str(meta["sku"])), set()).add(cost)
    return out


# --- the plan ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run found: entries by kind, refunds left for later, and what to say."""

    returns: int = 0
    breakage: int = 0
    refunds: int = 0
    points: int = 0
    filed: int = 0  # completed refunds already in the ledger
    in_progress: int = 0
    waiting: list[str] = field(default_factory=list)  # refund ids awaiting inspection
    unsettled: list[str] = field(default_factory=list)  # returns whose sale is not imported yet


def _refunds(paths: Iterable[Path], errors: list[str]) -> dict[str, tuple[Path, tmall_refunds.RefundRow]]:
    """Refund id -> (file, row): a completed row wins over one in progress; two completed rows of
    one refund must agree (order, amount, return)."""
    out: dict[str, tuple[Path, tmall_refunds.RefundRow]] = {}
    for path in paths:
        try:
            rows = list(tmall_refunds.read_refunds(path))
        except SourceError as exc:
            errors.append(str(exc))
            continue
        for row in rows:
            seen = out.get(row.refund_id)
            if seen is None:
                out[row.refund_id] = (path, row)
                continue
            old_path, old = seen
            if old.status in COMPLETED and row.status in COMPLETED:
                if (old.tid, old.amount, old.needs_return) != (row.tid, row.amount, row.needs_return):
                    errors.append(
                        f"{path}:{row.line}: 退款 {row.refund_id} 与 {old_path}:{old.line} 不一致 "
                        f"(订单 {row.tid}/{old.tid}, 金额 {row.amount}/{old.amount}); "
                        "the same refund differs between exports"
                    )
            elif row.status in COMPLETED or (
                old.status not in COMPLETED and (row.finished_time or row.applied_time or datetime.datetime.min)
                > (old.finished_time or old.applied_time or datetime.datetime.min)
            ):
                out[row.refund_id] = (path, row)
    return out


def _kind(row) -> str:
    if row.needs_return:
        return "return"
    return DISCOUNT if DISCOUNT in f"{row.reason}{row.explanation}" else ONLY_REFUND


def _sku_and_quantity(row, items: list, inspection: Inspection | None) -> tuple[str, int]:
    """The returned SKU and quantity (see the module docstring); ValueError saying what is missing."""
    sku = row.sku
    if sku and items and all(i.sku != sku for i in items):
        sku = ""  # not a 商家编码 of the order (a 宝贝ID, say): the item export tells
    if not sku:
        titled = {i.sku for i in items if i.title == row.title and i.sku}
        every = {i.sku for i in items if i.sku}
        found = titled if len(titled) == 1 else every if len(every) == 1 else set()
        if not found:
            raise ValueError(
                f"退款 {row.refund_id} (订单 {row.tid}) 没有商品编码, 已归档的宝贝报表也不能确定其商家编码; "
                "no SKU for the refund"
            )
        sku = found.pop()
    lines = [i for i in items if i.sku == sku]
    sold = sum(i.quantity for i in lines)
    if inspection is not None and inspection.quantity is not None:
        if lines and inspection.quantity > sold:
            raise ValueError(
                f"{inspection.where}:{inspection.line}: 退款 {row.refund_id} 退货数量 {inspection.quantity} "
                f"多于订单 {row.tid} 中 {sku} 的购买数量 {sold}; more returned than bought"
            )
        return sku, inspection.quantity
    if not lines:
        raise ValueError(
            f"退款 {row.refund_id} (订单 {row.tid}, {sku}) 不在已归档的宝贝报表中, 无法确定退货数量: "
            f"请导入该订单的宝贝报表, 或在 {INSPECTIONS} 的 退货数量 列填写; returned quantity unknown"
        )
    if not row.partial:
        return sku, sold
    price = lines[0].price
    if price and row.amount % price == 0 and 1 <= row.amount / price <= sold:
        return sku, int(row.amount / price)
    raise ValueError(
        f"退款 {row.refund_id} (订单 {row.tid}, {sku}) 是部分退款 {row.amount}, 单价 {price}, 购买 {sold} 件: "
        f"无法确定退回几件, 请在 {INSPECTIONS} 的 退货数量 列填写; returned quantity unknown"
    )


def _meta(row, path: Path, **more: str) -> dict:
    meta = data.new_metadata(str(path), row.line)
    meta.update({"order-id": row.tid, "refund-id": row.refund_id})
    if row.reason:
        meta["reason"] = row.reason
    meta.update(more)
    return meta


def plan_returns(
    ledger: str | Path = "main.beancount",
    refunds: Iterable[str | Path] = (),
    month: str | None = None,
    archive: bool = True,
) -> tuple[filing.Plan, Outcome]:
    """Work out the entries and files of ``returns import``; :class:`filing.ImportFailed` if any
    file or row is wrong (nothing written)."""
    ledger = Path(ledger)
    errors: list[str] = []
    given = [Path(p) for p in refunds]
    for path in given:
        if not path.is_file():
            errors.append(f"{path}: 文件不存在; no such file")
        elif not tmall_refunds.identify(path):
            errors.append(f"{path}: 不是天猫退款报表 (退款编号,订单编号,…); not a refund export")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        errors.append(f"--month {month!r} 应为 YYYY-MM; month must be YYYY-MM")
    if errors:
        raise filing.ImportFailed(errors, 2)
    entries, options = filing.load_ledger(ledger)
    documents = filing.documents_dir(ledger, options)
    archived = filing.archived_files(documents)
    root = ledger.parent
    plan = filing.Plan(root, ledger, archive=archive)
    outcome = Outcome()

    refund_files = given + [p for p in archived if tmall_refunds.identify(p)]
    rows = _refunds(refund_files, errors)
    inspections: dict[str, Inspection] = {}
    if (root / INSPECTIONS).is_file():
        try:
            inspections = read_inspections(root / INSPECTIONS)
        except SourceError as exc:
            errors.append(str(exc))
    costs = None
    if (root / COSTS).is_file():
        try:
            costs = cost_table.CostTable.read(root / COSTS)
        except SourceError as exc:
            errors.append(str(exc))
    items: dict[str, list] = {}
    orders: dict = {}
    for path in archived:
        try:
            if tmall_items.identify(path):
                for item in tmall_items.read_items(path):
                    items.setdefault(item.tid, []).append(item)
            elif tmall_orders.identify(path):
                for order in tmall_orders.read_orders(path):
                    orders[order.tid] = order
        except SourceError as exc:
            errors.append(str(exc))
    if errors:
        raise filing.ImportFailed(errors)

    done_goods, done_points = filed_refunds(entries)
    counted = filing.counted_orders(entries)
    unit_costs = cogs_unit_costs(entries)

    todo = []
    for refund_id, (path, row) in sorted(rows.items(), key=lambda kv: (kv[1][1].finished_time or datetime.datetime.max, kv[0])):
        if row.status not in COMPLETED:
            outcome.in_progress += 1
            continue
        if row.finished_time is None:
            errors.append(f"{path}:{row.line}: 退款 {refund_id} 退款成功, 却没有退款完结时间; no finish time")
            continue
        if month and f"{row.finished_time:%Y-%m}" != month:
            continue
        todo.append((path, row))
    returns = [(p, r) for p, r in todo if r.needs_return and r.refund_id not in done_goods]
    statements = [p for p in archived if alipay_statement.identify(p)]
    rules_path = ledger_rules(ledger)
    try:
        rules = load_rules(rules_path)
    except (RuleError, OSError) as exc:
        raise filing.ImportFailed([f"规则表 {rules_path}: {exc}"], 2) from None
    settled = {}
    if returns:
        found, _covered = cogs.settlements(statements, rules, root, errors)
        settled = {tid: where.date for tid, where in found.items()}

    new: list[data.Directive] = []
    points_left: dict[str, Decimal] = {}
    for path, row in todo:
        date = row.finished_time.date()
        amount = _cny(row.amount)
        if row.refund_id in done_goods:
            outcome.filed += 1
        elif not row.needs_return:
            kind = _kind(row)
            meta = _meta(row, path, **{"refund-kind": kind, "refund-amount": amount, "title": row.title})
            if row.sku:
                meta["sku"] = row.sku
            new.append(data.Transaction(
                meta, date, "*", "天猫", f"{kind} 订单 {row.tid}", frozenset({REFUND_TAG}), data.EMPTY_SET, []))
            outcome.refunds += 1
        else:
            inspection = inspections.get(row.refund_id)
            tid_items = items.get(row.tid, [])
            closed = any("关闭" in i.status for i in tid_items) or "关闭" in getattr(orders.get(row.tid), "status", "")
            when = settled.get(row.tid)
            if when is None and closed:
                meta = _meta(row, path, **{"refund-kind": UNSETTLED, "refund-amount": amount, "title": row.title})
                if row.sku:
                    meta["sku"] = row.sku
                new.append(data.Transaction(
                    meta, date, "*", "天猫", f"退货 (交易关闭, 未结转成本) 订单 {row.tid}",
                    frozenset({REFUND_TAG}), data.EMPTY_SET, []))
                outcome.refunds += 1
            elif when is None:
                outcome.unsettled.append(row.refund_id)
            elif inspection is None:
                outcome.waiting.append(row.refund_id)
            else:
                try:
                    sku, quantity = _sku_and_quantity(row, tid_items, inspection)
                except ValueError as exc:
                    errors.append(f"{path}:{row.line}: {exc}")
                    continue
                period = f"{when:%Y-%m}"
                in_table = costs.unit_cost(sku, when) if costs is not None else None
                booked = unit_costs.get((period, sku), set())
                unit, source = None, f"#cogs {period}"
                if len(booked) == 1:
                    unit = next(iter(booked))
                elif in_table in booked or (in_table is not None and not booked):
                    unit, source = in_table, (source if booked else f"{COSTS} {when}")
                elif booked:
                    errors.append(
                        f"{path}:{row.line}: 退款 {row.refund_id} 的 {sku}: {period} 的结转成本有多个单位成本 "
                        f"({', '.join(str(c) for c in sorted(booked))}), {COSTS} 中 {when} 的单位成本 "
                        f"{in_table} 不在其中, 无法确定货物出库时的成本; ambiguous cost"
                    )
                    continue
                if unit is None:
                    errors.append(
                        f"{path}:{row.line}: 退款 {row.refund_id} 的 {sku}: {period} 没有结转成本 (#cogs), "
                        f"{COSTS} 中也没有 {when} 的单位成本; 请先运行 tmall-books cogs 或补全成本表; "
                        "no cost for the SKU"
                    )
                    continue
                new.append(_return_entry(path, row, inspection, sku, quantity, unit, source, amount))
                if inspection.passed:
                    outcome.returns += 1
                else:
                    outcome.breakage += 1
        # Points paid by the buyer go back with the refund.
        order = orders.get(row.tid)
        if (
            order is None or not order.paid_points or row.tid not in counted
            or row.refund_id in done_points
        ):
            continue
        if row.tid not in points_left:
            back = sum(
                (-parse_cny(e.meta[filing.POINTS_KEY]) for e in entries
                 if isinstance(e, data.Transaction) and filing.POINTS_TAG in (e.tags or ())
                 and e.meta.get("order-id") == row.tid and "refund-id" in e.meta),
                Decimal(0),
            )
            points_left[row.tid] = order.points_cny - back
        share = order.points_cny
        if row.partial and order.paid:
            share = (order.points_cny * row.amount / order.paid).quantize(CENT, ROUND_HALF_UP)
        share = min(share, points_left[row.tid])
        if share <= 0:
            continue
        points_left[row.tid] -= share
        meta = data.new_metadata(str(path), row.line)
        meta.update({"source": SOURCE, filing.POINTS_KEY: _cny(-share), "refund-id": row.refund_id,
                     "order-id": row.tid})
        new.append(data.Transaction(
            meta, date, "*", "天猫", f"退款退回消费积分 订单 {row.tid}", frozenset({filing.POINTS_TAG}),
            data.EMPTY_SET, []))
        outcome.points += 1
    if errors:
        raise filing.ImportFailed(errors)

    _archive(plan, given, documents, archived, rows, errors)
    if errors:
        raise filing.ImportFailed(errors)
    filing.plan_months(plan, new, options, command="tmall-books returns import")
    return plan, outcome


def _return_entry(path, row, inspection: Inspection, sku: str, quantity: int, unit: Decimal,
                  source: str, amount: str) -> data.Transaction:
    cost = (unit * quantity).quantize(CENT, ROUND_HALF_UP)
    meta = _meta(row, path, sku=sku, quantity=str(quantity), title=row.title, **{
        "refund-amount": amount, "inspection": PASSED if inspection.passed else FAILED,
        "unit-cost": _cny(unit), "cost-from": source,
    })
    links = data.EMPTY_SET
    if inspection.passed:
        debit, narration = accounts.INVENTORY, f"退货入库 {sku} × {quantity} (验货合格)"
    else:
        debit, narration = accounts.BREAKAGE, f"退货破损 {sku} × {quantity} (验货不合格, 破损单 {inspection.breakage_no})"
        meta["breakage-no"] = inspection.breakage_no
        links = frozenset({f"breakage-{inspection.breakage_no}"})
    if inspection.remark:
        meta["inspection-remark"] = inspection.remark
    postings = [
        data.Posting(debit, Amount(cost, accounts.CURRENCY), None, None, None,
                     {"sku": sku, "quantity": str(quantity)}),
        data.Posting(accounts.COST_OF_SALES, Amount(-cost, accounts.CURRENCY), None, None, None,
                     {"sku": sku, "quantity": str(-quantity)}),
    ]
    return data.Transaction(meta, row.finished_time.date(), "*", "天猫", narration,
                            frozenset({RETURN_TAG}), links, postings)


def _archive(plan: filing.Plan, given: list[Path], documents: Path, archived: list[Path], rows,
             errors: list[str]) -> None:
    """Refund exports given are archived as ``tmall-books import`` archives (never twice)."""
    if not plan.archive:
        return
    digests = {filing._digest(p) for p in archived}
    for path in given:
        digest = filing._digest(path)
        if digest in digests:
            continue
        digests.add(digest)
        dates = [r.finished_time or r.applied_time for p, r in rows.values() if p == path]
        dates = [d for d in dates if d is not None]
        date = max(dates).date() if dates else datetime.date.fromtimestamp(path.stat().st_mtime)
        target = filing.archive_name(documents, REFUNDS_ACCOUNT, date, path)
        if target.exists() or any(t == target for _, t in plan.copies):
            errors.append(f"{path}: 归档位置 {target} 已有另一个内容不同的文件, 不覆盖; an archived file of that name differs")
            continue
        plan.copies.append((path, target))


def summary(plan: filing.Plan, outcome: Outcome, out) -> None:
    """What ``returns import`` filed, in Chinese."""
    w = lambda text: print(text, file=out)  # noqa: E731
    parts = [f"退货入库 {outcome.returns} 笔", f"退货破损 {outcome.breakage} 笔",
             f"仅退款/未结算 {outcome.refunds} 笔", f"退回消费积分 {outcome.points} 笔"]
    if outcome.filed:
        parts.append(f"{outcome.filed} 笔已在账簿中, 略过")
    if outcome.in_progress:
        parts.append(f"{outcome.in_progress} 笔退款未完结 (退款状态不是 退款成功), 完结后再记")
    w("退款报表: " + "; ".join(parts))
    if outcome.waiting:
        w(f"注意: {len(outcome.waiting)} 笔退货尚无验货记录 ({INSPECTIONS}), 验货后再记: "
          + " ".join(outcome.waiting[:20]) + (" …" if len(outcome.waiting) > 20 else ""))
    if outcome.unsettled:
        w(f"注意: {len(outcome.unsettled)} 笔退货的订单结算不在已导入的账务明细中, 导入后再记: "
          + " ".join(outcome.unsettled[:20]) + (" …" if len(outcome.unsettled) > 20 else ""))
    for source, target in plan.copies:
        w(f"归档 {source} 为 {target.relative_to(plan.root) if target.is_relative_to(plan.root) else target}")
    for rel, count in sorted(plan.months.items()):
        w(f"  {rel}: +{count} 条{' (新文件)' if rel in plan.created else ''}")
    if plan.entries:
        w(f"完成: 新分录 {plan.entries} 条; 下一步: bean-check {plan.ledger.name}")
    else:
        w("没有新的分录: 已完结的退款都已在账簿中; nothing new")


def run_returns_import(
    ledger: str | Path, refunds: Iterable[str | Path] = (), month: str | None = None, out=None
) -> int:
    """``tmall-books returns import``: plan, then write all or nothing. Returns the exit status."""
    out = out or sys.stderr
    try:
        plan, outcome = plan_returns(ledger, refunds, month)
    except filing.ImportFailed as exc:
        for message in exc.messages:
            print(f"错误: {message}", file=out)
        print("未写入任何文件: 改正上面的问题后重新运行; nothing was written", file=out)
        return exc.status
    try:
        filing.apply_plan(plan)
    except OSError as exc:
        print(f"错误: 写入失败 ({exc}); 已恢复原状, 未写入任何文件; nothing was written", file=out)
        return 1
    summary(plan, outcome, out)
    return 0
