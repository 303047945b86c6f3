"""``tmall-books reconcile orders``, and ``reconcile`` as a group that still takes ``reconcile LEDGER``.

The ledger form (``tmall-books reconcile LEDGER [--year N]``) is the command it always was, now the
group's ``ledger`` subcommand: a first argument that names no subcommand is read as that form, so
every existing call works unchanged (a ledger file named ``orders`` must be written ``./orders``).

Exit status of ``reconcile orders``: 0 when no finding, 1 when there are findings (an accountant's
CI can fail on them, as bean-check fails on errors), 2 when an input cannot be read (the file and
line named on stderr) or an option is wrong.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

#: Options taking several files after one flag (``--orders A.csv B.csv``), as well as repeated.
FILE_OPTIONS = ("--orders", "--statements", "--items", "--refunds")
#: The name of the ledger form inside the group.
LEDGER_COMMAND = "ledger"
#: Inputs smaller than this together draw no progress bar.
PROGRESS_MIN_BYTES = 4 * 1024 * 1024


def spread_files(args: list[str], options: tuple[str, ...] = FILE_OPTIONS) -> list[str]:
    """``--orders a b --statements c`` -> ``--orders a --orders b --statements c``: every word
    after a file option, up to the next option, is one more value of it."""
    out: list[str] = []
    current: str | None = None
    rest = iter(args)
    for word in rest:
        if word == "--":
            out.append(word)
            out.extend(rest)
            break
        if word.startswith("-") and len(word) > 1:
            current = word if word in options else None
            out.append(word)
            continue
        if current is not None and out and out[-1] != current:
            out.append(current)
        out.append(word)
    return out


class FilesCommand(click.Command):
    """A command whose :data:`FILE_OPTIONS` take several files after one flag."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_files(list(args)))


class ReconcileGroup(click.Group):
    """``reconcile`` subcommands; a first argument that is none of them is the ledger form."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [LEDGER_COMMAND, *args]
        return super().parse_args(ctx, args)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """``progress(done, total)`` drawing one click progress bar over all inputs on a terminal
    (when they are big enough to wait for), else ``None``."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total < PROGRESS_MIN_BYTES:
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.update(max(0, done - bar.pos))

    try:
        yield progress
    finally:
        if bar is not None:
            bar.render_finish()


_FILES = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("orders", cls=FilesCommand)
@click.option("--orders", "orders", multiple=True, required=True, type=_FILES,
              help="订单报表 ExportOrderList (CSV/xlsx), 可给多个 (order exports).")
@click.option("--statements", multiple=True, required=True, type=_FILES,
              help="支付宝账务明细 (CSV 或下载的 zip), 可给多个 (Alipay statements).")
@click.option("--items", multiple=True, type=_FILES,
              help="宝贝报表: 按商家编码定类目佣金率 (item exports, for category rates).")
@click.option("--refunds", multiple=True, type=_FILES, help="退款报表 (refund exports).")
@click.option("--month", metavar="YYYY-MM", help="只核对该月付款的订单 (only orders paid in this month).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="全部问题写入 CSV (UTF-8 BOM; every finding to this CSV file).")
@click.option("--rates", type=_FILES,
              help="费率文件 store.toml: 佣金/积分/手续费率, 类目费率, 容差, 窗口 (store's rates).")
@click.option("--rules", type=_FILES, help="店铺的流水分类规则 rules.toml (the store's rule table).")
@click.option("--window", type=click.IntRange(0, 12),
              help="结算窗口: 付款月之后几个月内应结算, 默认 1 (months a settlement may take).")
@click.option("--engine", type=click.Choice(("python", "duckdb")),
              help="计算引擎, 默认见 bench/RESULTS.md (engine).")
@click.option("--workers", type=click.IntRange(0, 64),
              help="读取支付宝账务明细的进程数, 2 及以上时与读订单报表同时进行; 默认自动: 账务明细达 64 MB 时"
                   "每个 CPU 一个 (最多 4), 0 为不用 (processes reading the statements side by side, "
                   "Python engine; default: automatic, 0: none).")
def orders_command(
    orders: tuple[Path, ...],
    statements: tuple[Path, ...],
    items: tuple[Path, ...],
    refunds: tuple[Path, ...],
    month: str | None,
    csv_out: Path | None,
    rates: Path | None,
    rules: Path | None,
    window: int | None,
    engine: str | None,
    workers: int | None,
) -> None:
    """逐单核对: 哪些订单天猫没有结算对 (未结算、金额不符、佣金/积分/淘宝客/手续费不符、退款未退费、
    重复扣费、流水的订单不在报表中). 终端显示按月汇总与前 20 条, --csv 写出全部.
    退出状态: 无问题 0, 有问题 1, 输入有误 2.

    (Which orders Tmall did not settle right: a summary per month and kind on the terminal, every
    finding with --csv. Exit status 0 without findings, 1 with findings, 2 on bad input.)
    """
    from beancount_tmall.formats.common import SourceError
    from beancount_tmall.importers.rules import RuleError
    from beancount_tmall.orders import report
    from beancount_tmall.orders.engine import reconcile
    from beancount_tmall.orders.rates import RatesError, load_rates

    try:
        store_rates = load_rates(rates)
        with progress_bar("订单核对") as progress:
            result = reconcile(
                orders, statements, items, refunds, month=month, window=window, rates=store_rates,
                engine=engine, progress=progress, rules=rules, workers=workers,
            )
    except (SourceError, RatesError, RuleError) as exc:
        click.echo(f"错误: {exc}", err=True)
        sys.exit(2)
    click.echo(report.render_text(result), nl=False)
    if csv_out is not None:
        report.write_csv(result, csv_out)
        click.echo(f"已写出 {len(result.findings):,} 条到 {csv_out} (findings written)")
    sys.exit(1 if result.findings else 0)


def as_group(ledger_command: click.Command) -> click.Group:
    """The ``reconcile`` group: ``orders`` and the ledger form ``ledger_command``."""
    group = ReconcileGroup(
        "reconcile",
        help=(
            "天猫对账. `reconcile LEDGER [--year N]`: 账簿的按月对账 (同 `reconcile ledger`); "
            "`reconcile orders --orders … --statements …`: 逐单核对源文件.\n\n"
            "(Reconciliation: the ledger's monthly view, or order by order from the source files.)"
        ),
    )
    group.add_command(ledger_command, LEDGER_COMMAND)
    group.add_command(orders_command)
    return group
