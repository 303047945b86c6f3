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

then loads ``main.beancount`` (every plugin runs, as in ``bean-check``) and prints a summary.
"""

from __future__ import annotations

import datetime
import shutil
import sys
import tempfile
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


def opening_table(opening_cents: int) -> bytes:
    """The demo store's 期初余额表 (GBK): the Alipay balance its statements start from."""
    amount = gen.money(opening_cents)
    lines = [
        "科目编码,科目名称,借方余额,贷方余额",
        f"101201,支付宝,{amount},",
        f"4001,实收资本,,{amount}",
        f"合计,,{amount},{amount}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


#: The demo store's own classification rules (its transfers between its own accounts).
DEMO_RULES = Path(__file__).parent.parent / "rules" / "demo_store.toml"


#: Top folders of ``documents/`` that the demo's archived sources live in (account roots).
ARCHIVE_ROOTS = ("Assets", "Income")


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


def run_demo(
    directory: Path | str,
    force: bool = False,
    orders_per_day: int = 20,
    days: int = 365,
    seed: int = 1,
    year: int = 2025,
) -> int:
    """Generate the demo sources and build ``directory`` as a checked ledger; 0 if no errors.

    Refuses (returns 1) when ``directory/main.beancount`` exists, unless ``force``.
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
    generated = (".gitignore", "ci/bean-check.sh", "import.py", OPENING_TABLE, filing.STORE_RULES)
    for old in (main, directory / "invoices.beancount", *(directory / g for g in generated)):
        old.unlink(missing_ok=True)
    big = orders_per_day * days > BIG_ORDERS
    start = datetime.date(year, 1, 1)
    with tempfile.TemporaryDirectory(prefix="tmall-demo-") as tmp:
        files = gen.generate(tmp, orders_per_day=orders_per_day, days=days, seed=seed, year=year)
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
        # tmall-books import <statements> <order exports> <invoice register>
        sources = [*files.statements, *files.orders, files.invoices]
        try:
            plan = filing.plan_import(sources, main, archive=not big)
        except filing.ImportFailed as exc:
            for message in exc.messages:
                click.echo(f"错误: {message}", err=True)
            return 1
        filing.apply_plan(plan)
        filing.summary(plan, sys.stderr)
    unclassified = sum(len(s.review) for s in plan.sources)

    entries, errors, options = loader.load_file(str(main))
    summary(entries, errors, options, unclassified, files, big=big, directory=directory)
    return 0 if not errors and not unclassified else 1


def _spec() -> str:
    """The CI script's default install source in the demo: this release (the same bytes on
    every machine, unlike the local path ``init`` would write)."""
    try:
        return f"{PACKAGE}=={metadata.version(PACKAGE)}"
    except metadata.PackageNotFoundError:
        return PACKAGE


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
    w(f"账簿: 交易 {txns} 笔; 待核对 {suspense} 行; 未分类的账务明细行 {unclassified} 行\n\n")
    report = reconciliation.monthly_report(entries, errors, options)
    w(reconciliation.render_text(report))
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        w(annual_fee.render_text(progress))
    if directory is not None:
        main = Path(directory) / "main.beancount"
        verdict = "通过 (clean)" if not errors else f"{len(errors)} 个错误 (errors)"
        w(f"\nbean-check {main}: {verdict}\nfava {main}   # 侧栏 天猫对账 页\n")
