"""``tmall-books cogs LEDGER --month YYYY-MM``: 月末结转已销商品成本, one ``#cogs`` entry a month.

What was sold in a month is what was **settled** in it: the orders whose sale row (rule kind
``sale``) is in the Alipay statements archived under the ledger's ``documents/``, dated in the
month (an order paid in March and settled on April 2 is April's). Their goods are the item lines
of the 宝贝报表 (item exports given with ``--items`` and those archived under ``documents/``),
counted per 商家编码 (every item line of a settled order, whatever its 订单状态: goods that come
back are booked by their return); each is costed at the unit cost of the cost table (``成本表.csv`` beside
``main.beancount``, or ``--costs``) in force on the day the order was settled. One entry, dated
the month's last day, one pair of postings per SKU and unit cost (a SKU whose price changed in
the month has a pair for each price)::

    2025-03-31 * "结转" "2025-03 结转已销商品成本 43 件" #cogs
      period: "2025-03"
      Expenses:6401-主营业务成本   1200.00 CNY
        sku: "LJ-250"
        quantity: "40"
        unit-cost: "30.00 CNY"
      Assets:1405-库存商品        -1200.00 CNY
        sku: "LJ-250"
        quantity: "-40"
      ...

Each amount is ``quantity × unit cost`` rounded to cents (ROUND_HALF_UP). The entry is appended to
``YYYY/MM.beancount`` (``include`` added to main.beancount if missing), all or nothing, like
``tmall-books import``. A month that has a ``#cogs`` entry with the same figures gets nothing; one
with other figures is refused naming that entry (delete it to compute the month again). Refused,
with nothing written: an order settled in the month without items in any export (named with its
statement line), a month the archived statements do not cover to its last day (orders may
still be settled in it), an item line without 商家编码, a SKU without a cost on the day (named with its
orders), two exports that disagree on an order's items. Returned goods are booked by
``tmall-books returns``, not here.
"""

from __future__ import annotations

import calendar
import datetime
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import click
from beancount.core import amount as bamount
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.formats import alipay_statement, cost_table, tmall_items
from beancount_tmall.formats.alipay_statement import AlipayStatement
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers import filing
from beancount_tmall.importers.alipay import RuleError, load_rules
from beancount_tmall.importers.rowtext import order_id
from beancount_tmall.importers.rules import ledger_rules

TAG = "cogs"
PERIOD = "period"
CENT = Decimal("0.01")
#: The first order ids named in a message (the rest are counted).
SHOWN_ORDERS = 10


class CogsFailed(filing.PlanFailed):
    """The cost of sales cannot be computed; ``messages`` say why (nothing was written)."""


@dataclass(frozen=True)
class Settlement:
    """Where an order was settled: the day and the statement line of its sale row."""

    date: datetime.date
    where: str  # ``path:line``


@dataclass
class Line:
    """One SKU at one unit cost in a month: the pieces sold and the orders they came from."""

    sku: str
    unit_cost: Decimal
    since: datetime.date
    quantity: int = 0
    orders: list[str] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return (self.unit_cost * self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Result:
    """A month's cost of sales: its lines, the entry, and what happened."""

    month: str
    lines: list[Line]
    entry: data.Transaction | None
    orders: int = 0
    existing: data.Transaction | None = None  # the same entry already in the ledger
    plan: filing.Plan | None = None

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def month_range(month: str) -> tuple[datetime.date, datetime.date]:
    """``"2025-03"`` -> (2025-03-01, 2025-03-31); ValueError (Chinese) for anything else."""
    try:
        first = datetime.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份 {month!r} 应写作 YYYY-MM (如 2025-03); month must be YYYY-MM") from None
    if len(month) != 7:
        raise ValueError(f"月份 {month!r} 应写作 YYYY-MM (如 2025-03); month must be YYYY-MM")
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _where(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)


def settlements(
    statements: Iterable[Path], rules, root: Path, errors: list[str],
    progress: Callable[[Path], None] | None = None,
) -> tuple[dict[str, Settlement], datetime.date | None]:
    """Order id -> its earliest sale row (rule kind ``sale``) over ``statements``; and the last
    day the statements cover completely (by their 终止日期, else the day before their last row)."""
    found: dict[str, Settlement] = {}
    covered: datetime.date | None = None
    for path in statements:
        if progress:
            progress(path)
        end = alipay_statement.statement_end(path)
        if end is not None and (covered is None or end > covered):
            covered = end
        try:
            for row in AlipayStatement(path):
                before = row.time.date() - datetime.timedelta(days=1)
                if end is None and (covered is None or before > covered):
                    covered = before
                tid = order_id(row)
                if not tid:
                    continue
                matched = rules.classify(row)
                if len(matched) != 1 or matched[0].kind != "sale":
                    continue
                day = row.time.date()
                if tid not in found or day < found[tid].date:
                    found[tid] = Settlement(day, f"{_where(path, root)}:{row.line}")
        except SourceError as exc:
            errors.append(f"归档的账务明细无法读取: {exc}")
    return found, covered


def order_items(
    exports: Iterable[Path], wanted: set[str], root: Path, errors: list[str],
    progress: Callable[[Path], None] | None = None,
) -> dict[str, tuple[str, list[tmall_items.ItemRow]]]:
    """Order id -> (export, its item lines) for the ``wanted`` orders, over ``exports``.

    An order in two exports must have the same items (SKU and quantity) in both.
    """
    found: dict[str, tuple[str, list[tmall_items.ItemRow]]] = {}
    for path in exports:
        if progress:
            progress(path)
        mine: dict[str, list[tmall_items.ItemRow]] = {}
        try:
            for item in tmall_items.read_items(path):
                if item.tid in wanted:
                    mine.setdefault(item.tid, []).append(item)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        where = _where(path, root)
        for tid, items in mine.items():
            if tid not in found:
                found[tid] = (where, items)
                continue
            other, before = found[tid]
            if sorted((i.sku, i.quantity) for i in before) != sorted((i.sku, i.quantity) for i in items):
                errors.append(
                    f"订单 {tid} 的宝贝在 {other} 与 {where} 中不同 "
                    f"({_goods(before)} / {_goods(items)}): 请核对后只保留正确的导出; "
                    "two item exports disagree on an order"
                )
    return found


def _goods(items: list[tmall_items.ItemRow]) -> str:
    return " ".join(f"{i.sku or '?'}×{i.quantity}" for i in items)


def _orders_text(tids: list[str]) -> str:
    shown = " ".join(tids[:SHOWN_ORDERS])
    return shown + (f" 等 {len(tids)} 笔" if len(tids) > SHOWN_ORDERS else "")


def cost_lines(
    settled: dict[str, Settlement], items: dict[str, tuple[str, list[tmall_items.ItemRow]]],
    costs: cost_table.CostTable, errors: list[str],
) -> list[Line]:
    """The month's lines (by SKU, then 生效日期), from the settled orders' items and the costs."""
    lines: dict[tuple[str, datetime.date], Line] = {}
    no_cost: dict[str, list[str]] = {}
    for tid in sorted(settled, key=lambda t: (settled[t].date, t)):
        settlement = settled[tid]
        if tid not in items:
            errors.append(
                f"订单 {tid} 在 {settlement.date} 结算 ({settlement.where}), 但任何宝贝报表中都没有它的宝贝: "
                "请导入含此订单的宝贝报表 (tmall-books import 或 --items); "
                "an order settled in the month has no items in any item export"
            )
            continue
        where, rows = items[tid]
        for item in rows:
            if not item.sku:
                errors.append(
                    f"{where}:{item.line}: 订单 {tid} 的宝贝 {item.title!r} 没有商家编码, 无法计算成本; "
                    "an item without SKU"
                )
                continue
            price = costs.price(item.sku, settlement.date)
            if price is None:
                no_cost.setdefault(item.sku, []).append(tid)
                continue
            line = lines.setdefault((item.sku, price.since), Line(item.sku, price.cost, price.since))
            line.quantity += item.quantity
            if tid not in line.orders:
                line.orders.append(tid)
    for sku, tids in sorted(no_cost.items()):
        errors.append(
            f"商家编码 {sku} 在成本表 {costs.where} 中没有结算日适用的单位成本, 涉及订单 "
            f"{_orders_text(sorted(set(tids)))}: 请在成本表中补上 (生效日期不晚于结算日); "
            "a SKU has no unit cost"
        )
    return [lines[key] for key in sorted(lines)]


def cogs_entry(month: str, lines: list[Line], source: str = "") -> data.Transaction:
    """The month's ``#cogs`` transaction (dated its last day), one posting pair per line."""
    _, last = month_range(month)
    meta = data.new_metadata(source or "<tmall-books cogs>", 0)
    meta[PERIOD] = month
    postings = []
    for line in lines:
        amount = line.amount
        postings.append(data.Posting(
            accounts.COST_OF_SALES, bamount.Amount(amount, accounts.CURRENCY), None, None, None,
            {"sku": line.sku, "quantity": str(line.quantity), "unit-cost": f"{line.unit_cost} {accounts.CURRENCY}"},
        ))
        postings.append(data.Posting(
            accounts.INVENTORY, bamount.Amount(-amount, accounts.CURRENCY), None, None, None,
            {"sku": line.sku, "quantity": str(-line.quantity)},
        ))
    quantity = sum(line.quantity for line in lines)
    return data.Transaction(
        meta, last, "*", "结转", f"{month} 结转已销商品成本 {quantity} 件",
        frozenset({TAG}), data.EMPTY_SET, postings,
    )


def figures(entry: data.Transaction) -> list[tuple]:
    """What a ``#cogs`` entry says, to compare two: (account, amount, sku, quantity, unit cost)."""
    out = []
    for posting in entry.postings:
        meta = posting.meta or {}
        out.append((
            posting.account, posting.units.number if posting.units else None,
            str(meta.get("sku", "")), str(meta.get("quantity", "")), str(meta.get("unit-cost", "")),
        ))
    return sorted(out, key=str)


def month_entries(entries: Iterable[data.Directive], month: str) -> list[data.Transaction]:
    """The ``#cogs`` transactions of ``month`` already in the ledger (by their ``period``
    metadata, else by their date)."""
    out = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and TAG in (entry.tags or ()):
            period = (entry.meta or {}).get(PERIOD)
            if (str(period) if period is not None else f"{entry.date:%Y-%m}") == month:
                out.append(entry)
    return out


class _Progress:
    """A click progress bar over the files read, on a terminal; silent otherwise."""

    def __init__(self, label: str, total: int):
        self.bar = None
        if total and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.render_progress()

    def step(self, _path: Path) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


def plan_cogs(
    ledger: str | Path, month: str, costs: str | Path | None = None,
    items: Iterable[str | Path] = (), rules: str | Path | None = None,
) -> Result:
    """Compute ``month``'s cost of sales against the ledger; raises :class:`CogsFailed`."""
    try:
        month_range(month)
    except ValueError as exc:
        raise CogsFailed([str(exc)], 2) from None
    ledger = Path(ledger)
    try:
        existing, options = filing.load_ledger(ledger)
    except filing.ImportFailed as exc:
        raise CogsFailed(exc.messages, exc.status) from None
    root = ledger.parent
    rules = ledger_rules(ledger, rules)
    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        raise CogsFailed([f"规则表 {rules}: {exc}"], 2) from None
    costs_path = Path(costs) if costs else root / cost_table.STORE_FILE
    if not costs_path.is_file():
        raise CogsFailed([
            f"成本表 {costs_path} 不存在: 把成本表 (商家编码,名称,单位成本,生效日期) 存为 "
            f"{root / cost_table.STORE_FILE} 或用 --costs 指明; no cost table"
        ], 2)
    try:
        price_table = cost_table.CostTable.read(costs_path)
    except SourceError as exc:
        raise CogsFailed([str(exc)]) from None

    errors: list[str] = []
    given = [Path(p) for p in items]
    for path in given:
        if not path.is_file():
            errors.append(f"{path}: 文件不存在; no such file")
        elif not tmall_items.identify(path):
            errors.append(f"{path}: 不是天猫宝贝报表 (订单编号,标题,价格,购买数量,…,商家编码); not an item export")
    if errors:
        raise CogsFailed(errors, 2)
    archived = filing.archived_files(filing.documents_dir(ledger, options))
    statements = [p for p in archived if alipay_statement.identify(p)]
    exports = given + [p for p in archived if tmall_items.identify(p)]

    first, last = month_range(month)
    progress = _Progress(f"{month} 读取账务明细与宝贝报表", len(statements) + len(exports))
    try:
        settled_all, covered = settlements(statements, table, root, errors, progress.step)
        settled = {t: s for t, s in settled_all.items() if first <= s.date <= last}
        found = order_items(exports, set(settled), root, errors, progress.step)
    finally:
        progress.close()
    if errors:
        raise CogsFailed(errors)
    if covered is None or covered < last:
        raise CogsFailed([
            f"已归档的账务明细只到 {covered}, 未覆盖 {month} 全月 (到 {last}): 月末还可能有订单结算; "
            f"先导入到 {last} 的账务明细再结转; the statements do not cover the whole month"
        ])
    lines = cost_lines(settled, found, price_table, errors)
    if errors:
        raise CogsFailed(errors)
    result = Result(month, lines, cogs_entry(month, lines) if lines else None, orders=len(settled))
    if result.entry is None:
        return result
    before = month_entries(existing, month)
    for old in before:
        if figures(old) == figures(result.entry):
            result.existing = old
            return result
    if before:
        old = before[0]
        where = f"{old.meta.get('filename')}:{old.meta.get('lineno')}"
        raise CogsFailed([
            f"{where}: {month} 已有结转已销商品成本分录 (#cogs), 与现在算出的不同 "
            f"(现在: {result.quantity} 件, {result.total} CNY; 已有: {_entry_total(old)} CNY): "
            "如需重算, 先删除该分录再运行; a different #cogs entry exists for the month"
        ])
    plan = filing.Plan(root, ledger)
    filing.plan_months(plan, [result.entry], options, command="tmall-books")
    result.plan = plan
    return result


def _entry_total(entry: data.Transaction) -> Decimal:
    return sum(
        (p.units.number for p in entry.postings if p.account == accounts.COST_OF_SALES and p.units),
        Decimal("0.00"),
    )


def run_cogs(
    ledger: str | Path, month: str, costs: str | Path | None = None,
    items: Iterable[str | Path] = (), out=None,
) -> int:
    """``tmall-books cogs``: compute, then write all or nothing. Returns the exit status."""
    out = out or sys.stderr
    try:
        result = plan_cogs(ledger, month, costs=costs, items=items)
    except CogsFailed as exc:
        for message in exc.messages:
            print(f"错误: {message}", file=out)
        print("未写入任何文件: 改正上面的问题后重新运行; nothing was written", file=out)
        return exc.status
    if result.entry is None:
        print(f"{month} 没有结算的订单: 无需结转已销商品成本; no order settled in the month", file=out)
        return 0
    for line in result.lines:
        print(
            f"  {line.sku}: {line.quantity} 件 × {line.unit_cost} = {line.amount} CNY "
            f"({len(line.orders)} 笔订单, 单位成本自 {line.since})",
            file=out,
        )
    if result.existing is not None:
        where = f"{result.existing.meta.get('filename')}:{result.existing.meta.get('lineno')}"
        print(f"{month} 的结转分录已在账簿中 ({where}), 数字相同: 未写入任何内容; already booked", file=out)
        return 0
    try:
        filing.apply_plan(result.plan)
    except OSError as exc:
        print(f"错误: 写入失败 ({exc}); 已恢复原状, 未写入任何文件; nothing was written", file=out)
        return 1
    rel = next(iter(result.plan.months))
    print(
        f"结转 {month} 已销商品成本: {result.orders} 笔订单, {result.quantity} 件, {result.total} CNY, "
        f"写入 {rel}" + (f"; {Path(ledger).name} 加入 include \"{rel}\"" if result.plan.includes else ""),
        file=out,
    )
    return 0
