"""``tmall-books demo DIR``: generate the demo store's sources and build a checked ledger from them.

The ledger is built exactly as a store builds its own, with the commands a new user runs::

    tmall-books init DIR --start 2025-01-01 --opening 期初余额表.csv --alipay-account 2088…
    tmall-books import <the statements> <the order exports> <the invoice register> --ledger DIR/main.beancount

which gives::

    DIR/期初余额表.csv        the store's opening balances (支付宝 and 实收资本), read by init
    DIR/main.beancount        chart, the four plugins with the demo's settings, the #opening entry,
                              Fava's options, the includes the import added
    DIR/<YYYY>/<MM>.beancount the entries of each month: daily Alipay settlements with their
                              consumer points, balance assertions, fee invoices
    DIR/documents/Assets/1012-其他货币资金/101201-支付宝/<YYYY-MM-DD>.<id>_<YYYYMM>_账务明细.csv
    DIR/documents/Income/6001-主营业务收入/<YYYY-MM-DD>.ExportOrderList<YYYYMM>.csv
    DIR/documents/Assets/1221-其他应收款/122101-天猫佣金/<YYYY-MM-DD>.发票台账_<year>.csv
                              the sources, archived by the import (a big demo keeps only the
                              ledger: its sources go with their temporary folder)
    DIR/import.py, ci/, .gitignore   the ledger-repo skeleton of ``tmall-books init``

and the goods side, as the store's accountant keeps it:

    DIR/成本表.csv             the store's cost table (商家编码,名称,单位成本,生效日期)
    DIR/验货记录.csv           the warehouse's inspection of returned parcels (退款编号,验货结果,破损单号,备注)
    DIR/售后审批单.csv         the signed approvals of money given to buyers (好评返现, 折价)
    DIR/预设问题.csv           the problems the generator planted in the sources, which
                              ``tmall-books reconcile orders`` finds (issue 9 §5)
    DIR/rates.toml             the store's commission rates by category and 商家编码 (its --rates)
    DIR/手工/采购入库.beancount  hand-written purchases into 1405-库存商品 (``sku``, ``quantity``)
    DIR/手工/破损.beancount      hand-written warehouse breakage (``breakage-no``) and the ``document``
                              entries of every 破损单's photos (``^breakage-<no>``)
    DIR/documents/破损/<no>-<n>.png   the photos
    DIR/手工/缴税.beancount      the bank payments of the taxes each month-end close accrued

then, month by month, ``tmall-books cogs`` (月末结转已销商品成本 from the 宝贝报表 and the cost
table), ``tmall-books returns import`` (退货 from the 退款 export and 验货记录), and writes each
approval of the 售后审批单 under the compensation posting it approves (``approved-by``,
``approver-role``: what the accountant types), ``tmall-books close`` each month (增值税, 附加税费,
季末所得税) and pays those taxes on the 15th of the next month. Last it loads ``main.beancount`` (every plugin
runs, as in ``bean-check``) and prints a summary with the year's income statement.
"""

from __future__ import annotations

import datetime
import itertools
import re
import shutil
import sys
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from importlib import metadata
from pathlib import Path

import click
from beancount import loader
from beancount.core import data

from beancount_tmall import accounts
from beancount_tmall.demo import generate as gen
from beancount_tmall.importers import filing
from beancount_tmall.ledger_init import PACKAGE, init_ledger
from beancount_tmall.reports import annual_fee, reconciliation

#: Above this many orders the sources go to a temporary directory (not kept next to the ledger).
BIG_ORDERS = 30 * 365

TITLE = f"天猫演示店铺 {gen.SHOP_NAME}"

#: The demo's opening balances, as a store keeps them (GBK CSV).
OPENING_TABLE = "期初余额表.csv"


def plugin_configs(orders_per_day: int = 20) -> dict[str, dict]:
    """The demo's plugin settings that differ from the plugins' defaults, by plugin module."""
    agreement = gen.DEMO_AGREEMENT
    thresholds = [(str(sales), share) for sales, share in agreement["thresholds"]]
    month, day = agreement["settlement"]
    # Daily commission / sales varies with the category mix and 基础软件服务费 (up to ±0.7 points at
    # 20 orders a day). A small store's days hold a handful of orders, and a day whose refunds
    # nearly cancel its sales has no meaningful rate, so the check is off below 20 a day.
    sales = {"check_rates": "0.01"} if orders_per_day >= 20 else {}
    return {
        "beancount_tmall.plugins.sales": sales,
        # Some invoices arrive late (the 20th-25th): 15 days' grace after the 10th.
        "beancount_tmall.plugins.invoices": {"accrue": True, "grace_days": 15},
        "beancount_tmall.plugins.annual_fee": {
            "fee": str(agreement["fee"]),
            "thresholds": thresholds,
            "settlement": f"{month:02d}-{day:02d}",
            "accrue": True,
        },
        "beancount_tmall.plugins.consumer_points": {"due_day": 10, "grace_days": 5},
    }


#: The demo store's bank balance on its first day (it pays its suppliers from the bank).
OPENING_BANK = 200000_00


def opening_table(opening_cents: int, bank_cents: int = OPENING_BANK) -> bytes:
    """The demo store's 期初余额表 (GBK): the Alipay balance its statements start from and the
    bank balance its first purchases are paid from."""
    amount = gen.money(opening_cents)
    total = gen.money(opening_cents + bank_cents)
    lines = [
        "科目编码,科目名称,借方余额,贷方余额",
        f"101201,支付宝,{amount},",
        f"1002,银行存款,{gen.money(bank_cents)},",
        f"4001,实收资本,,{total}",
        f"合计,,{total},{total}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


#: The demo store's own classification rules (its transfers between its own accounts).
DEMO_RULES = Path(__file__).parent.parent / "rules" / "demo_store.toml"


#: Top folders of ``documents/`` that the demo's archived sources live in (account roots), and
#: the folder of the 破损 photos.
ARCHIVE_ROOTS = ("Assets", "Income", "Expenses", "Liabilities", "破损")

#: The folder of the demo's hand-written entries, and its files.
HANDWRITTEN = "手工"
PURCHASES_FILE = f"{HANDWRITTEN}/采购入库.beancount"
BREAKAGE_FILE = f"{HANDWRITTEN}/破损.beancount"
RESHIP_FILE = f"{HANDWRITTEN}/补发与理赔.beancount"
TAX_PAYMENTS_FILE = f"{HANDWRITTEN}/缴税.beancount"
#: Taxes are declared and paid by the 15th of the month after the period (申报纳税期限).
TAX_DUE_DAY = 15
TAX_OFFICE = "国家税务总局杭州市西湖区税务局"
PAID_TAXES = (accounts.UNPAID_VAT, accounts.CITY_TAX, accounts.EDUCATION_SURCHARGE,
              accounts.LOCAL_EDUCATION_SURCHARGE, accounts.INCOME_TAX_PAYABLE)
#: The store's own registers, kept beside main.beancount.
COST_TABLE = "成本表.csv"
INSPECTIONS = "验货记录.csv"
APPROVALS = "售后审批单.csv"
#: Input VAT on the suppliers' invoices (13%).
PURCHASE_VAT = Decimal("0.13")
CENT = Decimal("0.01")


#: Written into the demo's main.beancount; ``--force`` replaces only a ledger that has it.
DEMO_MARK = "; Demo store: `tmall-books demo"


def _refusal(directory: Path, force: bool) -> str | None:
    """Why the demo must not be built into ``directory`` (None: go ahead).

    The demo replaces what it generated before (month files, archived sources), so it only builds
    into an empty or missing folder, or, with ``force``, over an earlier demo: never over a store's
    own books.
    """
    main = directory / "main.beancount"
    if main.exists():
        if not force:
            return f"{main} 已存在: 用 --force 重建演示账簿; {main} already exists, use --force to rebuild the demo"
        if DEMO_MARK not in main.read_text(encoding="utf-8", errors="replace"):
            return f"{main} 不是演示账簿, 不会覆盖; {main} is not a demo ledger, the demo will not overwrite it"
        return None
    if directory.exists() and any(directory.iterdir()):
        return f"{directory} 不是空文件夹: 请在新文件夹中生成演示账簿; {directory} is not empty, build the demo into a new folder"
    return None


def _cny(cents_or_amount) -> str:
    amount = cents_or_amount if isinstance(cents_or_amount, Decimal) else Decimal(cents_or_amount) / 100
    return f"{amount.quantize(CENT)} CNY"


def _posting(account: str, amount: Decimal, width: int = 56) -> str:
    number = f"{amount.quantize(CENT)} CNY"
    return f"  {account}{' ' * max(2, width - len(account) - len(number))}{number}\n"


def purchases_text(purchases: list[gen.Purchase]) -> str:
    """The hand-written purchases (采购入库): one entry per supplier and day, a 1405 posting per SKU
    with ``sku``, ``quantity`` and ``unit-cost``, the 13% input VAT of the supplier's invoice, paid
    from the bank."""
    out = [
        "; 采购入库 (手工录入): 按采购入库单与供应商发票, 每个商家编码一行, 写明 sku 与 quantity;\n",
        "; 单位成本与 成本表.csv 一致。Purchases into 库存商品, written by hand.\n\n",
    ]
    key = lambda p: (p.date, p.supplier)  # noqa: E731
    for (day, supplier), group in itertools.groupby(sorted(purchases, key=key), key=key):
        lines = list(group)
        net = sum((Decimal(p.quantity * p.unit_cost) / 100 for p in lines), Decimal(0)).quantize(CENT)
        vat = (net * PURCHASE_VAT).quantize(CENT, ROUND_HALF_UP)
        numbers = " ".join(p.number for p in lines)
        count = sum(p.quantity for p in lines)
        out.append(f'{day} * "{supplier}" "采购入库 {count} 件 ({numbers})" #purchase\n')
        for p in lines:
            out.append(_posting(accounts.INVENTORY, Decimal(p.quantity * p.unit_cost) / 100))
            out.append(f'    sku: "{p.sku}"\n    quantity: "{p.quantity}"\n    unit-cost: "{_cny(p.unit_cost)}"\n')
            out.append(f'    receipt-no: "{p.number}"\n')
        out.append(_posting(accounts.INPUT_VAT, vat))
        out.append(_posting(accounts.BANK, -(net + vat)))
        out.append("\n")
    return "".join(out)


def breakage_text(breakages: list[gen.Breakage], photos: str) -> str:
    """Warehouse breakage (破损单, charged to 640102-破损 at the cost table's price) and the
    ``document`` entries of every 破损单's photos, linked ``^breakage-<no>`` (``photos``: their
    folder relative to the hand-written file)."""
    costs = gen.unit_costs(breakages[0].date.year) if breakages else {}
    out = [
        "; 破损 (手工录入): 仓库破损单 计入 640102-破损, 写明破损单号 (breakage-no); 每张破损单的照片\n",
        "; 以 document 记录, 链接 ^breakage-<破损单号>。退货验收不合格的破损由 tmall-books returns 记账。\n\n",
    ]
    for b in breakages:
        if not b.refund_id:
            amount = Decimal(b.quantity * gen.cost_on(costs[b.sku], b.date)) / 100
            out.append(f'{b.date} * "仓库" "破损 {b.number} {b.note}" ^breakage-{b.number}\n')
            out.append(f'  breakage-no: "{b.number}"\n')
            out.append(_posting(accounts.BREAKAGE, amount))
            out.append(f'    sku: "{b.sku}"\n    quantity: "{b.quantity}"\n')
            out.append(_posting(accounts.INVENTORY, -amount))
            out.append(f'    sku: "{b.sku}"\n    quantity: "-{b.quantity}"\n\n')
        for photo in b.photos:
            out.append(f'{b.date} document {accounts.BREAKAGE} "{photos}/{photo.name}" ^breakage-{b.number}\n')
            out.append(f'  breakage-no: "{b.number}"\n')
        out.append("\n")
    return "".join(out)


def reship_text(lost: list[gen.Order], last: datetime.date) -> str:
    """Parcels the courier lost (seed 000: 核实后已丢件, 通知仓库补发, 并要求快递理赔): the reshipment's
    cost to 主营业务成本 (#reship), and the courier's claim for the goods' value as a receivable
    (122111-快递理赔, the cost recovered, the rest 营业外收入), linked ``^claim-<order>``; the courier
    pays it into Alipay (the statement's 快递理赔 row clears 122111)."""
    costs = gen.unit_costs(lost[0].paid.year) if lost else {}
    out = [
        "; 丢件补发与快递理赔 (手工录入): 补发的商品成本计入主营业务成本; 快递公司同意的理赔记为其他应收款,\n",
        "; 冲回补发成本, 多出部分计入营业外收入; 理赔款到账 (支付宝 快递理赔) 时冲销。Lost parcels, written by hand.\n\n",
    ]
    for o in sorted(lost, key=lambda o: (o.reship_at, o.tid)):
        if o.reship_at.date() > last:
            continue
        day = o.reship_at.date()
        unit = gen.cost_on(costs[o.sku], day)
        cost = Decimal(o.quantity * unit) / 100
        out.append(f'{day} * "仓库" "丢件补发 订单 {o.tid}" #reship ^claim-{o.tid}\n')
        out.append(f'  order-id: "{o.tid}"\n  reason: "丢件补发"\n')
        out.append(_posting(accounts.COST_OF_SALES, cost))
        out.append(f'    sku: "{o.sku}"\n    quantity: "{o.quantity}"\n    unit-cost: "{_cny(unit)}"\n')
        out.append(_posting(accounts.INVENTORY, -cost))
        out.append(f'    sku: "{o.sku}"\n    quantity: "-{o.quantity}"\n\n')
        if o.claim_at.date() > last:
            continue
        claim = Decimal(o.goods) / 100
        out.append(f'{o.claim_at.date()} * "{o.carrier}" "快递理赔 订单 {o.tid} 丢件" ^claim-{o.tid}\n')
        out.append(f'  order-id: "{o.tid}"\n  reason: "丢件"\n')
        out.append(_posting(accounts.COURIER_CLAIMS, claim))
        out.append(_posting(accounts.COST_OF_SALES, -cost))
        out.append(_posting(accounts.NON_OPERATING_INCOME, -(claim - cost)))
        out.append("\n")
    return "".join(out)


def _approval_lines(a: gen.Approval, indent: str) -> str:
    """The metadata lines of an approval: who, in which role, and for a quality compensation the
    order's postage the approval form names (above it the 主管 approves)."""
    text = f'{indent}approved-by: "{a.approver}"\n{indent}approver-role: "{a.role}"\n'
    if a.kind != "好评返现":
        text += f'{indent}postage: "{_cny(a.postage)}"\n'
    return text


_META_LINE = re.compile(r"^(\s{3,})[a-z][\w-]*:")


def annotate_approvals(directory: Path, approvals: list[gen.Approval]) -> int:
    """Write each approval of the 售后审批单 under what it approves, as the accountant does: under
    a 售后赔付 posting with its ``order-id`` (好评返现, 质量问题折价 paid by 转账), or on the
    ``#refund`` entry of a 折价 refund. Returns the number of approvals written."""
    from beancount.parser import parser

    by_order = {a.order_id: a for a in approvals}
    written = 0
    for path in sorted(directory.glob("[12][0-9][0-9][0-9]/[01][0-9].beancount")):
        entries, _, _ = parser.parse_file(str(path))
        inserts: list[tuple[int, str]] = []  # (0-based line index to insert before, text)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for entry in entries:
            if not isinstance(entry, data.Transaction):
                continue
            if entry.meta.get("refund-kind") == "折价" and entry.meta.get("order-id") in by_order:
                a = by_order[entry.meta["order-id"]]
                if "approved-by" not in entry.meta:
                    inserts.append((entry.meta["lineno"], _approval_lines(a, "  ")))
                continue
            for posting in entry.postings:
                meta = posting.meta or {}
                if not posting.account.startswith(accounts.COMPENSATION) or "approved-by" in meta:
                    continue
                a = by_order.get(meta.get("order-id") or entry.meta.get("order-id"))
                if a is None:
                    continue
                at = meta["lineno"]  # the posting's line (1-based): its metadata follow
                indent = "    "
                while at < len(lines) and (m := _META_LINE.match(lines[at])):
                    indent = m.group(1)
                    at += 1
                inserts.append((at, _approval_lines(a, indent)))
        for at, text in sorted(inserts, reverse=True):
            lines.insert(at, text)
        if inserts:
            path.write_text("".join(lines), encoding="utf-8")
            written += len(inserts)
    return written


def print_income_statement(entries: list[data.Directive], options: dict, year: int, out) -> None:
    """The year's 利润表 (会小企02表) as ``tmall-books report income --year`` prints it."""
    from beancount_tmall.reports import render, statements

    statement = statements.income_statement(entries, options, year=year)
    out.write(render.render([statement.table()], "text"))


def run_demo(
    directory: Path | str,
    force: bool = False,
    orders_per_day: int = 20,
    days: int = 365,
    seed: int = 1,
    year: int = 2025,
    plant_problems: bool = True,
) -> int:
    """Generate the demo sources and build ``directory`` as a checked ledger; 0 if no errors.

    Refuses (returns 1) when ``directory/main.beancount`` exists, unless ``force``.
    ``plant_problems``: the generator's planted order problems (:func:`gen.generate`); False
    builds the same store clean.
    """
    directory = Path(directory)
    main = directory / "main.beancount"
    refusal = _refusal(directory, force)
    if refusal:
        click.echo(f"错误: {refusal}", err=True)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    # What a previous build generated (archived sources, month files) goes: nothing stale stays.
    for root in ARCHIVE_ROOTS:
        shutil.rmtree(directory / "documents" / root, ignore_errors=True)
    for old in directory.glob("[12][0-9][0-9][0-9]/[01][0-9].beancount"):
        old.unlink()
    shutil.rmtree(directory / HANDWRITTEN, ignore_errors=True)
    generated = (".gitignore", "ci/bean-check.sh", "import.py", OPENING_TABLE, filing.STORE_RULES,
                 COST_TABLE, INSPECTIONS, APPROVALS, gen.PLANTED_FILE, gen.RATES_FILE)
    for old in (main, directory / "invoices.beancount", *(directory / g for g in generated)):
        old.unlink(missing_ok=True)
    big = orders_per_day * days > BIG_ORDERS
    start = datetime.date(year, 1, 1)
    with tempfile.TemporaryDirectory(prefix="tmall-demo-") as tmp:
        files = gen.generate(tmp, orders_per_day=orders_per_day, days=days, seed=seed, year=year,
                             refund_points=not big, plant_problems=plant_problems)
        # tmall-books init DIR --start … --opening 期初余额表.csv --alipay-account 2088…
        table = directory / OPENING_TABLE
        table.write_bytes(opening_table(files.totals.opening_balance))
        # The store's own rules, kept with its books (tmall-books import and import.py read them).
        shutil.copyfile(DEMO_RULES, directory / filing.STORE_RULES)
        init_ledger(
            directory, title=TITLE, open_date=start, opening=table,
            alipay_accounts={gen.ALIPAY_ACCOUNT: accounts.ALIPAY},
            plugin_configs=plugin_configs(orders_per_day), spec=_spec(),
        )
        origin = "regenerated on demand (too big to keep)" if big else "archived under documents/"
        with open(main, "a", encoding="utf-8") as f:
            f.write(
                f"\n{DEMO_MARK} --orders-per-day {orders_per_day} --days {days} "
                f"--seed {seed} --year {year}`; sources {origin}.\n"
            )
        # The store's own registers beside main.beancount, the 破损 photos, the hand-written entries.
        shutil.copyfile(files.inspections, directory / INSPECTIONS)
        shutil.copyfile(files.approvals_file, directory / APPROVALS)
        for name in (gen.PLANTED_FILE, gen.RATES_FILE):
            shutil.copyfile(Path(tmp) / name, directory / name)
        write_handwritten(directory, files)
        # tmall-books import <statements> <order exports> <item exports> <refund exports> <invoices>
        # (the import keeps the cost table beside main.beancount as 成本表.csv)
        sources = [*files.statements, *files.orders, *files.items, *files.refunds, files.invoices,
                   files.cost_table]
        try:
            plan = filing.plan_import(sources, main, archive=not big)
        except filing.ImportFailed as exc:
            _echo_refusal(exc.messages)
            return 1
        filing.apply_plan(plan)
        filing.summary(plan, sys.stderr)
        # tmall-books cogs main.beancount --month YYYY-MM, month by month; tmall-books returns import.
        # Both read the archived statements: a big demo, whose sources are not kept, has neither.
        if big:
            click.echo("大演示不保留源文件: 不结转销售成本, 不记退货; a big demo keeps no sources, "
                       "so it books no cost of sales and no returns", err=True)
        elif not book_goods(main, files, start, start + datetime.timedelta(days=days - 1)):
            return 1
    unclassified = sum(len(s.review) for s in plan.sources)
    annotate_approvals(directory, files.approvals)
    # tmall-books close main.beancount --month YYYY-MM for each month that is over (one load),
    # then the taxes it accrued are paid from the bank by the 15th of the next month.
    if not close_months(main, start, start + datetime.timedelta(days=days - 1)):
        return 1
    pay_taxes(directory, start + datetime.timedelta(days=days - 1))

    entries, errors, options = loader.load_file(str(main))
    summary(entries, errors, options, unclassified, files, big=big, directory=directory)
    return 0 if not errors and not unclassified else 1


def _echo_refusal(messages: list[str]) -> None:
    """What a refusing command (import, cogs, returns, close) says, on stderr."""
    for message in messages:
        click.echo(f"错误: {message}", err=True)


def write_handwritten(directory: Path, files: gen.DemoFiles) -> None:
    """The accountant's own files: purchases and warehouse breakage with the photos' documents
    (the photos copied under ``documents/破损/``), included from main.beancount."""
    photos = directory / "documents" / "破损"
    photos.mkdir(parents=True, exist_ok=True)
    for b in files.breakages:
        for photo in b.photos:
            shutil.copyfile(photo, photos / photo.name)
    (directory / HANDWRITTEN).mkdir(exist_ok=True)
    (directory / PURCHASES_FILE).write_text(purchases_text(files.purchases), encoding="utf-8")
    (directory / BREAKAGE_FILE).write_text(breakage_text(files.breakages, "../documents/破损"), encoding="utf-8")
    (directory / RESHIP_FILE).write_text(reship_text(files.totals.lost, files.totals.last_day), encoding="utf-8")
    main = directory / "main.beancount"
    with open(main, "a", encoding="utf-8") as f:
        f.write("\n; 手工分录 (hand-written entries)\n")
        f.write("".join(f'include "{name}"\n' for name in (PURCHASES_FILE, BREAKAGE_FILE, RESHIP_FILE)))


def months_over(first: datetime.date, last: datetime.date) -> list[str]:
    """``["2025-01", …]``: the months from ``first``'s that are over by ``last`` (the demo's last,
    partial month is not: a month is booked and closed once it is over)."""
    out = []
    month = first.replace(day=1)
    while gen.month_end(month) <= last:
        out.append(f"{month:%Y-%m}")
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def book_goods(main: Path, files: gen.DemoFiles, first: datetime.date, last: datetime.date) -> bool:
    """``tmall-books cogs`` for each month that is over, then ``tmall-books returns import`` (of the
    exports the import archived); False (messages on stderr) if one refuses."""
    from beancount_tmall.goods import cogs, returns

    for month in months_over(first, last):
        try:
            result = cogs.plan_cogs(main, month)
        except cogs.CogsFailed as exc:
            _echo_refusal(exc.messages)
            return False
        if result.plan is not None:
            filing.apply_plan(result.plan)
    try:
        plan, _ = returns.plan_returns(main)
    except filing.ImportFailed as exc:
        _echo_refusal(exc.messages)
        return False
    filing.apply_plan(plan)
    return True


def close_months(main: Path, first: datetime.date, last: datetime.date) -> bool:
    """``tmall-books close`` (月末结账: 增值税, 税金及附加, 季末所得税) for each month that is over;
    False (messages on stderr) if it refuses."""
    from beancount_tmall.reports import close

    months = months_over(first, last)
    try:
        result = close.plan_close(main, months)
    except close.CloseFailed as exc:
        _echo_refusal(exc.messages)
        return False
    if result.plan is not None:
        filing.apply_plan(result.plan)
    return True


def tax_payments_text(entries: list[data.Directive], last: datetime.date) -> str:
    """The bank payments (缴税) of what each month-end close accrued: 未交增值税 and 附加税费 every
    month, 企业所得税 after a quarter, paid on the 15th of the next month (up to ``last``)."""
    due: dict[tuple[datetime.date, str], dict[str, Decimal]] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction) or "close" not in entry.tags:
            continue
        payday = (entry.date + datetime.timedelta(days=1)).replace(day=TAX_DUE_DAY)
        if payday > last:
            continue
        owed = due.setdefault((payday, str(entry.meta.get("period", ""))), {})
        for posting in entry.postings:
            account = posting.account
            if account in PAID_TAXES and posting.units.number < 0:
                owed[account] = owed.get(account, Decimal(0)) - posting.units.number
    out = ["; 缴税 (手工录入): 按月末结账计提的税额, 次月 15 日前从银行存款缴纳 (电子缴税付款凭证)\n"]
    for (payday, period), owed in sorted(due.items()):
        total = sum(owed.values(), Decimal(0))
        if not total:
            continue
        out.append(f'\n{payday} * "{TAX_OFFICE}" "缴纳 {period} 税款" #tax-payment\n')
        out.append(f'  period: "{period}"\n')
        for account in sorted(owed):
            if owed[account]:
                out.append(_posting(account, owed[account]))
        out.append(_posting(accounts.BANK, -total))
    return "".join(out)


def pay_taxes(directory: Path, last: datetime.date) -> None:
    """Write the demo's tax payments (:func:`tax_payments_text`) and include them."""
    entries, _, _ = loader.load_file(str(directory / "main.beancount"))
    (directory / TAX_PAYMENTS_FILE).write_text(tax_payments_text(entries, last), encoding="utf-8")
    with open(directory / "main.beancount", "a", encoding="utf-8") as f:
        f.write(f'include "{TAX_PAYMENTS_FILE}"\n')


def _spec() -> str:
    """The CI script's default install source in the demo: this release (the same bytes on
    every machine, unlike the local path ``init`` would write)."""
    try:
        return f"{PACKAGE}=={metadata.version(PACKAGE)}"
    except metadata.PackageNotFoundError:
        return PACKAGE


def order_check(main: Path, options: dict, planted: list[gen.Planted]) -> str:
    """The order-level reconciliation of the archived sources (what ``tmall-books reconcile
    orders`` and the 订单核对 tab find) against the problems the generator planted."""
    from beancount_tmall.reports import orders

    result = orders.reconcile(orders.ledger_inputs(main, options))
    found = {(f.kind, f.order_id) for f in result.findings}
    expected = {(p.kind, p.order_id) for p in planted}
    verdict = "与预设问题一致 (the planted ones, no more)" if found == expected else (
        f"与预设问题不一致: 未找到 {len(expected - found)} 个, 多出 {len(found - expected)} 个 "
        "(differs from the planted problems)"
    )
    return (f"订单核对: 订单 {result.stats.orders} 笔, 流水 {result.stats.statement_rows} 行, "
            f"发现问题 {len(result.findings)} 个, {verdict}\n")


def summary(
    entries: list[data.Directive],
    errors: list,
    options: dict,
    unclassified: int,
    files: gen.DemoFiles,
    big: bool = False,
    directory: Path | None = None,
    out=None,
) -> None:
    """Print what was generated, the 天猫对账 of the year (reports/) and the bean-check result."""
    out = out or sys.stdout
    w = out.write
    txns = sum(1 for e in entries if isinstance(e, data.Transaction))
    suspense = sum(
        1 for e in entries if isinstance(e, data.Transaction)
        for p in e.postings if p.account == accounts.SUSPENSE
    )
    w(f"演示店铺: 账务明细 {len(files.statements)} 个文件 {files.totals.rows} 行, "
      f"订单 {files.totals.orders} 笔, 发票 {len(files.invoice_list)} 张"
      f"{' (源文件在临时目录, 不保留)' if big else ''}\n")
    w(f"账簿: 交易 {txns} 笔; 待核对 {suspense} 行; 未分类的账务明细行 {unclassified} 行\n")
    returns = sum(1 for e in entries if isinstance(e, data.Transaction) and "return" in e.tags)
    cogs_months = sum(1 for e in entries if isinstance(e, data.Transaction) and "cogs" in e.tags)
    approved = sum(
        1 for e in entries if isinstance(e, data.Transaction)
        for p in e.postings if p.meta and "approved-by" in p.meta
    )
    w(f"商品: 商家编码 {len(gen.SKUS)} 个, 采购入库 {len(files.purchases)} 行, 结转成本 {cogs_months} 个月, "
      f"退货 {returns} 笔, 破损单 {len(files.breakages)} 张, 已审批的售后赔付 {approved} 笔\n")
    w(f"预设问题 {len(files.planted)} 个 (订单核对应找到的问题, {gen.PLANTED_FILE}; "
      f"tmall-books reconcile orders)\n")
    if directory is not None and not big:
        w(order_check(Path(directory) / "main.beancount", options, files.planted))
    w("\n")
    report = reconciliation.monthly_report(entries, errors, options)
    w(reconciliation.render_text(report))
    w("\n")
    print_income_statement(entries, options, report.year, out)
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        w(annual_fee.render_text(progress))
    if directory is not None:
        main = Path(directory) / "main.beancount"
        verdict = "通过 (clean)" if not errors else f"{len(errors)} 个错误 (errors)"
        w(f"\nbean-check {main}: {verdict}\nfava {main}   # 侧栏 天猫对账 页\n")
