"""The ``tmall-books`` command line: a thin click group over the library."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click


@click.group()
@click.version_option(package_name="beancount-tmall")
def main() -> None:
    """Books for a Tmall/Taobao store on Beancount 3."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="天猫店铺账簿", show_default=True, help="账簿标题 (the ledger's title).")
@click.option(
    "--start",
    "--open-date",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="建账日期: 科目开户与期初余额的日期 (default 2000-01-01; required with --opening).",
)
@click.option(
    "--opening",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="期初余额表 CSV (科目编码,科目名称,借方余额,贷方余额), GBK 或 UTF-8.",
)
@click.option(
    "--alipay-account",
    "alipay_accounts",
    multiple=True,
    metavar="2088…[=ACCOUNT]",
    help="支付宝账号 (账务明细 #账号 中的 2088…) 及其科目 (默认 101201-支付宝); 可多次给出.",
)
def init(
    directory: Path,
    title: str,
    start: datetime.datetime | None,
    opening: Path | None,
    alipay_accounts: tuple[str, ...],
) -> None:
    """新建账簿: 科目表、全部插件 (设置写全)、期初余额 (Create a new ledger in DIRECTORY)."""
    from beancount_tmall.formats.common import SourceError
    from beancount_tmall.ledger_init import LedgerExistsError, init_ledger, parse_alipay_accounts

    if opening is not None and start is None:
        raise click.UsageError("给出 --opening 时须用 --start YYYY-MM-DD 指明期初日期; --start is required with --opening")
    try:
        mapping = parse_alipay_accounts(list(alipay_accounts))
        main_file = init_ledger(
            directory,
            title=title,
            open_date=start.date() if start else datetime.date(2000, 1, 1),
            opening=opening,
            alipay_accounts=mapping,
        )
    except (LedgerExistsError, SourceError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已创建 {main_file} (created)", err=True)
    if opening is not None:
        click.echo(f"期初余额: 来自 {opening}, 记在 {start:%Y-%m-%d} (#opening)", err=True)
    for alipay_id, account in mapping.items():
        click.echo(f"支付宝账号 {alipay_id} → {account}", err=True)
    click.echo(
        f"下一步: cd {directory} && tmall-books import <支付宝账务明细.csv> [订单报表 …]", err=True
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--existing",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Ledger whose entries are left out of the output (idempotent import).",
)
@click.option("--per-row", is_flag=True, help="One transaction per statement row instead of per day.")
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A TOML rule table that extends/overrides the default classification rules.",
)
@click.option("--no-mask", is_flag=True, help="Do not mask buyer names and accounts.")
def extract(files, existing, per_row, rules, no_mask) -> None:
    """Print Beancount entries for Alipay/Tmall source FILES on stdout."""
    from beancount_tmall.importers.extract import run_extract

    sys.exit(
        run_extract(
            list(files), existing=existing, per_row=per_row, rules=rules, mask=not no_mask
        )
    )


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--ledger",
    default="main.beancount",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="账簿主文件: 新分录写入它旁边的 YYYY/MM.beancount (the ledger).",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="店铺自己的规则表 TOML, 扩展/覆盖默认分类规则.",
)
@click.option("--per-row", is_flag=True, help="每行一笔分录 (默认每天一笔).")
@click.option("--no-mask", is_flag=True, help="不遮盖买家姓名和账号.")
def import_(files, ledger, rules, per_row, no_mask) -> None:
    """导入支付宝账务明细、天猫订单报表、发票台账到账簿 (File new entries of FILES into the ledger).

    新分录按日期追加到 YYYY/MM.beancount, 自动加 include 行, 原始文件归档到 documents/;
    重复导入不会重复记账; 出错时不写任何文件.
    """
    from beancount_tmall.importers.filing import run_import

    sys.exit(run_import(list(files), ledger=ledger, rules=rules, per_row=per_row, mask=not no_mask))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--orders-per-day", default=None, type=int, help="Average paid orders per day.")
@click.option("--days", default=None, type=int, help="Number of days from January 1st.")
@click.option("--seed", default=None, type=int, help="Random seed (same seed, same store).")
@click.option("--year", default=None, type=int, help="The demo store's year.")
@click.option("--force", is_flag=True, help="Replace DIRECTORY's generated ledger if it exists.")
def demo(directory, orders_per_day, days, seed, year, force) -> None:
    """Generate a fictional store's source files and build DIRECTORY as a checked ledger."""
    from beancount_tmall.demo.build import run_demo

    options = {
        k: v
        for k, v in dict(orders_per_day=orders_per_day, days=days, seed=seed, year=year).items()
        if v is not None
    }
    sys.exit(run_demo(directory, force=force, **options))


@main.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, help="The year to show (default: the last with Tmall data).")
def reconcile(ledger: Path, year: int | None) -> None:
    """Print the 天猫对账 of LEDGER: sales, fees deducted / invoiced / outstanding, by month.

    Exits non-zero when the ledger has errors (the same as bean-check), after printing them.
    """
    from beancount import loader

    from beancount_tmall.reports import annual_fee, reconciliation

    entries, errors, options = loader.load_file(str(ledger))
    report = reconciliation.monthly_report(entries, errors, options, year=year)
    click.echo(reconciliation.render_text(report), nl=False)
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        click.echo(annual_fee.render_text(progress), nl=False)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
