"""``tmall-books demo DIR``: generate the demo store's sources and build a checked ledger from them.

The ledger is built exactly as a store would build its own, with the project's importers::

    DIR/documents/Assets/1012-其他货币资金/101201-支付宝/<YYYY-MM-DD>.<id>_<YYYYMM>_账务明细.csv
    DIR/documents/Income/6001-主营业务收入/<YYYY-MM-DD>.ExportOrderList<YYYYMM>.csv
    DIR/documents/Assets/1221-其他应收款/122101-天猫佣金/<YYYY-MM-DD>.发票台账_<year>.csv
                              the generated sources, filed as beangulp's archive does (a big demo
                              keeps only the ledger: its sources go with their temporary folder)
    DIR/main.beancount        chart, the four plugins with the demo's config, 期初余额, includes,
                              option "documents" (so Fava lists the sources by account)
    DIR/import.py, ci/, .gitignore   the ledger-repo skeleton of ``tmall-books init``
    DIR/<YYYY>/<MM>.beancount one file per month: the Alipay statement, daily mode, consumer points
                              from the order export
    DIR/invoices.beancount    the fee invoices (compact form) and the store's 消费积分发票

then loads ``main.beancount`` (every plugin runs, as in ``bean-check``) and prints a summary.
"""

from __future__ import annotations

import datetime
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click
from beancount import loader
from beancount.core import data
from beancount.parser import printer

from beancount_tmall import accounts
from beancount_tmall.demo import generate as gen
from beancount_tmall.importers.fee_invoices import extract_invoices
from beancount_tmall.ledger_init import main_text, write_repo_files
from beancount_tmall.reports import annual_fee, reconciliation

#: Above this many orders the sources go to a temporary directory (not kept next to the ledger).
BIG_ORDERS = 30 * 365

TITLE = f"天猫演示店铺 {gen.SHOP_NAME}"


def plugin_configs(orders_per_day: int = 20) -> dict[str, str]:
    """The demo's plugin config strings (Python dict literals), by plugin module."""
    agreement = gen.DEMO_AGREEMENT
    thresholds = [(str(sales), share) for sales, share in agreement["thresholds"]]
    month, day = agreement["settlement"]
    # Daily commission / sales varies with the category mix and 基础软件服务费 (up to ±0.7 points at
    # 20 orders a day). A small store's days hold a handful of orders, and a day whose refunds
    # nearly cancel its sales has no meaningful rate, so the check is off below 20 a day.
    sales = "{'check_rates': '0.01'}" if orders_per_day >= 20 else "{}"
    return {
        "beancount_tmall.plugins.sales": sales,
        # Some invoices arrive late (the 20th-25th): 15 days' grace after the 10th.
        "beancount_tmall.plugins.invoices": "{'accrue': True, 'grace_days': 15}",
        "beancount_tmall.plugins.annual_fee": (
            f"{{'fee': '{agreement['fee']}', 'thresholds': {thresholds!r}, "
            f"'settlement': '{month:02d}-{day:02d}', 'accrue': True}}"
        ),
        "beancount_tmall.plugins.consumer_points": "{'due_day': 10, 'grace_days': 5}",
    }


def opening_text(date: datetime.date, alipay_cents: int) -> str:
    """The opening-balance entry: the Alipay balance the statements start from."""
    return (
        f'{date:%Y-%m-%d} * "期初余额" "支付宝期初余额 (账务明细期初)"\n'
        f"  {accounts.ALIPAY}  {gen.money(alipay_cents)} {accounts.CURRENCY}\n"
        f"  {accounts.PAID_IN_CAPITAL}  {gen.money(-alipay_cents)} {accounts.CURRENCY}\n"
    )


#: The demo store's own classification rules (its transfers between its own accounts).
DEMO_RULES = Path(__file__).parent.parent / "rules" / "demo_store.toml"


def import_statements(
    statements: Iterable[Path], order_files: Iterable[Path]
) -> tuple[dict[str, list[data.Directive]], int]:
    """Entries of each statement file (by ``YYYY-MM`` of its rows) and the unclassified count.

    This is the one place the demo calls the Alipay importer (daily mode, buyers masked), with the
    order exports for ``consumer-points``.
    """
    from beancount_tmall.formats import tmall_orders
    from beancount_tmall.importers.alipay import AlipayStatementImporter

    points = tmall_orders.consumer_points(list(order_files))
    importer = AlipayStatementImporter(orders=points, rules=DEMO_RULES)
    months: dict[str, list[data.Directive]] = {}
    unclassified = 0
    for path in statements:
        result = importer.extract_file(path)
        unclassified += len(result.unclassified)
        txns = [e for e in result.entries if isinstance(e, data.Transaction)]
        if not txns:
            continue
        month = f"{txns[0].date:%Y-%m}"
        months.setdefault(month, []).extend(result.entries)
    return months, unclassified


#: Top folders of ``documents/`` that the demo's archived sources live in (account roots).
ARCHIVE_ROOTS = ("Assets", "Income")


def archive_sources(files: gen.DemoFiles, documents: Path) -> list[Path]:
    """File the generated sources under ``documents/`` as beangulp's ``archive`` command does.

    ``documents/<account path>/<YYYY-MM-DD>.<name>``: statements under the Alipay account dated
    their last day, the invoice register under its importer's account, and the order exports
    (no importer of their own) under 主营业务收入 dated their month's last day, so that
    ``option "documents"`` shows each one in Fava beside its account.
    """
    from beangulp import archive

    from beancount_tmall.importers.alipay import AlipayStatementImporter
    from beancount_tmall.importers.fee_invoices import FeeInvoiceImporter

    moves = [(p, archive.filepath(AlipayStatementImporter(), str(p))) for p in files.statements]
    moves.append((files.invoices, archive.filepath(FeeInvoiceImporter(), str(files.invoices))))
    revenue_dir = Path(*accounts.REVENUE.split(":"))
    for path in files.orders:
        month = datetime.datetime.strptime(path.stem[-6:], "%Y%m").date()
        end = min(gen.month_end(month), files.totals.last_day or gen.month_end(month))
        moves.append((path, str(revenue_dir / f"{end:%Y-%m-%d}.{path.name}")))
    out = []
    for src, rel in moves:
        dst = documents / rel
        archive.move(str(src), str(dst))
        out.append(dst)
    return out


def _entries_text(entries: Iterable[data.Directive], header: str) -> str:
    parts = [header, ""]
    parts += [printer.format_entry(entry) for entry in entries]
    return "\n".join(parts)


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
            return f"{main} already exists; use --force to rebuild the demo"
        if DEMO_MARK not in main.read_text(encoding="utf-8", errors="replace"):
            return f"{main} is not a demo ledger; the demo will not overwrite it"
        return None
    if directory.exists() and any(directory.iterdir()):
        return f"{directory} is not empty; build the demo into a new folder"
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
        click.echo(f"error: {refusal}", err=True)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    # What a previous build generated (archived sources, month files) goes: nothing stale stays.
    for root in ARCHIVE_ROOTS:
        shutil.rmtree(directory / "documents" / root, ignore_errors=True)
    for old in directory.glob("[12][0-9][0-9][0-9]/[01][0-9].beancount"):
        old.unlink()
    big = orders_per_day * days > BIG_ORDERS
    with tempfile.TemporaryDirectory(prefix="tmall-demo-") as tmp:
        files = gen.generate(tmp, orders_per_day=orders_per_day, days=days, seed=seed, year=year)
        months, unclassified = import_statements(files.statements, files.orders)
        invoices = extract_invoices(files.invoices)
        if not big:
            archive_sources(files, directory / "documents")

    includes = []
    for month, entries in sorted(months.items()):
        y, m = month.split("-")
        rel = f"{y}/{m}.beancount"
        (directory / y).mkdir(exist_ok=True)
        source = gen.statement_filename(datetime.date(int(y), int(m), 1))
        header = (
            f"; {month} 支付宝账务明细 ({source}), imported by tmall-books (daily mode).\n"
            "; Generated by `tmall-books demo`: do not edit; rebuild with --force."
        )
        (directory / rel).write_text(_entries_text(entries, header), encoding="utf-8")
        includes.append(rel)
    (directory / "invoices.beancount").write_text(
        _entries_text(
            invoices,
            f"; 发票台账_{year}.csv: fee invoices (compact form, completed by the invoices plugin)\n"
            "; and the store's 消费积分发票 to Tmall. Generated by `tmall-books demo`.",
        ),
        encoding="utf-8",
    )
    includes.append("invoices.beancount")

    start = datetime.date(year, 1, 1)
    text = ledger_main_text(start, includes, files.totals.opening_balance, orders_per_day, seed, days, big)
    main.write_text(text, encoding="utf-8")
    write_repo_files(directory)

    entries, errors, options = loader.load_file(str(main))
    summary(entries, errors, options, unclassified, files, big=big, directory=directory)
    return 0 if not errors and not unclassified else 1


def ledger_main_text(
    start: datetime.date,
    includes: list[str],
    opening_cents: int,
    orders_per_day: int,
    seed: int,
    days: int,
    big: bool,
) -> str:
    """``main.beancount`` of the demo: chart, plugins with config, 期初余额, includes."""
    text = main_text(
        TITLE, start, includes=includes, plugin_configs=plugin_configs(orders_per_day),
        documents="documents",
    )
    origin = (
        "regenerated on demand (too big to keep)" if big else "kept under documents/"
    )
    text += (
        f"\n{DEMO_MARK} --orders-per-day {orders_per_day} --days {days} "
        f"--seed {seed} --year {start.year}`; sources {origin}.\n"
        + opening_text(start, opening_cents)
    )
    return text


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
    w(f"demo: {len(files.statements)} statement files, {files.totals.rows} rows, "
      f"{files.totals.orders} orders, {len(files.invoice_list)} invoices"
      f"{' (sources in a temporary directory, not kept)' if big else ''}\n")
    w(f"ledger: {txns} transactions; 待核对 postings: {suspense}; "
      f"unclassified statement rows: {unclassified}\n\n")
    report = reconciliation.monthly_report(entries, errors, options)
    w(reconciliation.render_text(report))
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        w(annual_fee.render_text(progress))
    if directory is not None:
        main = Path(directory) / "main.beancount"
        verdict = "clean" if not errors else f"{len(errors)} errors"
        w(f"\nbean-check {main}: {verdict}\nfava {main}   # the 天猫对账 page\n")
