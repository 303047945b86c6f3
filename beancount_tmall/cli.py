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
@click.option("--title", default="天猫店铺账簿", show_default=True, help="The ledger's title.")
@click.option(
    "--open-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2000-01-01",
    show_default=True,
    help="Date of the open directives.",
)
def init(directory: Path, title: str, open_date: datetime.datetime) -> None:
    """Create a new ledger in DIRECTORY with the default chart of accounts."""
    from beancount_tmall.ledger_init import LedgerExistsError, init_ledger

    try:
        main_file = init_ledger(directory, title=title, open_date=open_date.date())
    except LedgerExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {main_file}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--existing",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="已有账簿 (main.beancount)：其中已有的行不再输出，支付宝账号映射与期初余额按它判断; "
    "the ledger whose entries are left out (idempotent import).",
)
@click.option("--per-row", is_flag=True, help="每行一笔分录（默认每天一笔）; one transaction per row.")
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="店铺自己的分类规则表 (TOML)，扩展/覆盖默认规则; a TOML rule table extending the defaults.",
)
@click.option("--no-mask", is_flag=True, help="不遮蔽买家姓名与账号; do not mask buyer names and accounts.")
@click.option(
    "--account",
    "account_map",
    multiple=True,
    metavar="账号=科目",
    help="把账务明细的 #账号 记入某个支付宝科目 (可重复)，如 2088…=Assets:1012-其他货币资金:101202-支付宝二; "
    "map a statement account id to an Alipay account.",
)
def extract(files, existing, per_row, rules, no_mask, account_map) -> None:
    """把支付宝/天猫源文件转成 Beancount 分录，输出到 stdout; print entries for FILES.

    全部文件核对无误才输出；有错时只在 stderr 列出 文件:行 与原因，stdout 为空。
    没有 --existing 时按新账簿输出：首次导入的支付宝账号映射 (custom "tmall-alipay-account")
    与期初余额分录 (#opening) 一并输出。
    """
    from beancount_tmall.importers.extract import run_extract

    accounts = {}
    for item in account_map:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"应写成 账号=科目，而不是 {item!r}; expected ID=ACCOUNT", param_hint="--account")
        accounts[key.strip()] = value.strip()
    sys.exit(
        run_extract(
            list(files), existing=existing, per_row=per_row, rules=rules, mask=not no_mask,
            accounts=accounts or None,
        )
    )


@main.command()
@click.option(
    "--explain",
    "statement",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An Alipay statement (账务明细 CSV or bill-download zip) to classify row by row.",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The store's TOML rule table that extends/overrides the default rules.",
)
def rules(statement: Path, rules: Path | None) -> None:
    """Show how the rule table classifies every row of a statement (分类规则说明).

    Prints per rule the rows and money it took, then the rows no rule takes (they would go to
    待核对) and the rows several rules take (the import would stop). Exit status 0 when every
    row is taken by exactly one rule, 1 otherwise, 2 when the file or the rules cannot be read.
    """
    from beancount_tmall.formats.common import SourceError
    from beancount_tmall.importers.rules import RuleError, explain, load_rules, render_explanation

    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        click.echo(f"错误: 规则文件 / rules: {exc}", err=True)
        sys.exit(2)
    try:
        result = explain(statement, table)
    except SourceError as exc:
        click.echo(f"错误 / error: {exc}", err=True)
        sys.exit(2)
    click.echo(render_explanation(result, table), nl=False)
    sys.exit(0 if result.complete else 1)


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
@click.option(
    "--year", type=int, help="显示的年度, 默认为有天猫数据的最后一年 (the year to show)."
)
def reconcile(ledger: Path, year: int | None) -> None:
    """打印 LEDGER 的天猫对账: 先列出尚未核对的待核对流水 (天数、来源文件与行),
    再按月列出销售与平台费用的扣款/开票/未开票, 最后是年费进度;
    账本有错误时 (与 bean-check 相同) 列出错误并以非零状态退出.

    (Print the 天猫对账 of LEDGER: unreviewed 待核对 rows first, then sales and fees by month, then
    the annual fee; exits non-zero when the ledger has errors.)
    """
    from beancount import loader

    from beancount_tmall.reports import annual_fee, reconciliation, suspense

    entries, errors, options = loader.load_file(str(ledger))
    report = reconciliation.monthly_report(entries, errors, options, year=year)
    click.echo(suspense.render_text(suspense.suspense_report(entries, options, report.as_of)), nl=False)
    click.echo(reconciliation.render_text(report), nl=False)
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        click.echo(annual_fee.render_text(progress), nl=False)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
