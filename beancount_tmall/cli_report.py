"""``tmall-books report …``: the accountant's monthly statements (科目汇总表, 利润表, 资产负债表).

Thin commands: each loads the ledger, calls ``beancount_tmall.reports`` and prints with
``beancount_tmall.reports.render`` (``--format text|csv|html``, ``-o FILE``).
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group("report")
def report() -> None:
    """会计报表: 科目汇总表 (试算平衡)、利润表、资产负债表.

    (The accountant's statements: trial balance, income statement, balance sheet.)
    """


# --- trial-balance (books) ---


def load_ledger(ledger: Path, allow_errors: bool = False) -> tuple[list, dict]:
    """The entries and options of LEDGER for a book or a statement.

    A ledger with errors (those ``bean-check`` prints: a failed balance assertion, a plugin's
    rule) is refused: books and statements printed from it would be wrong. ``allow_errors``
    prints the errors on standard error first and goes on (a month still in progress).
    """
    from beancount import loader
    from beancount.parser import printer

    from beancount_tmall.cli import Refused

    entries, errors, options = loader.load_file(str(ledger))
    if errors:
        shown = "".join(printer.format_error(e) for e in errors[:20]).rstrip()
        more = f"\n… 另有 {len(errors) - 20} 个错误" if len(errors) > 20 else ""
        if not allow_errors:
            raise Refused(
                f"账簿 {ledger} 有 {len(errors)} 个错误 (与 bean-check 相同), 改正后再打印; "
                f"确需打印请加 --allow-errors (the ledger has errors):\n{shown}{more}"
            )
        click.echo(f"注意: 账簿有 {len(errors)} 个错误, 以下数字可能不对 (the ledger has errors):\n{shown}{more}", err=True)
    return entries, options


def period_of(month: str | None, year: int | None) -> tuple:
    """``balances.period`` for ``--month`` / ``--year``, as a usage error when wrong."""
    from beancount_tmall.reports import balances

    try:
        return balances.period(month=month, year=year)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def output_options(command):
    """``--month``, ``--year``, ``--format``, ``-o`` and ``--allow-errors`` of a book or report."""
    from beancount_tmall.reports.render import FORMATS

    for option in reversed((
        click.option("--month", metavar="YYYY-MM", help="月份, 如 2025-03 (the month)."),
        click.option("--year", type=int, help="年度, 如 2025 (the year)."),
        click.option(
            "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
            help="text: 终端表格; csv: UTF-8 (带 BOM) 可用 Excel 打开; html: 可打印的网页 (output format).",
        ),
        click.option(
            "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
            help="写入文件, 默认为标准输出 (write to FILE).",
        ),
        click.option(
            "--allow-errors", is_flag=True,
            help="账簿有错误时仍然打印 (先列出错误) (print even when the ledger has errors).",
        ),
    )):
        command = option(command)
    return command


def emit(tables: list, fmt: str, output: Path | None, title: str) -> None:
    """Print or save the tables (``html``: a whole printable page; ``csv`` with a BOM for Excel,
    also on standard output, so ``> file.csv`` opens in Excel too)."""
    from beancount_tmall.reports import render

    text = render.html_page(tables, title) if fmt == "html" else render.render(tables, fmt)
    if fmt == "csv" and output is None:
        text = "\ufeff" + text
    render.write(text, output, fmt)


@report.command("trial-balance")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--level", type=click.Choice(["1", "2", "all"]), default="1", show_default=True,
    help="科目级次: 1 一级科目, 2 一级和二级, all 所有明细科目 (account level).",
)
@output_options
def trial_balance_command(
    ledger: Path, level: str, month: str | None, year: int | None, fmt: str, output: Path | None,
    allow_errors: bool,
) -> None:
    """科目汇总表 (试算平衡): 每个科目的期初、本期借方、本期贷方、期末 (借方/贷方栏), 合计;
    借贷不平衡时在表后报错并以非零状态退出. 账簿有错误 (bean-check) 时不打印, 除非 --allow-errors.

    (Trial balance per account in code order; exits non-zero when debits and credits differ or,
    without --allow-errors, when the ledger has errors.)
    """
    from beancount_tmall.cli import Refused
    from beancount_tmall.reports import trial_balance

    entries, _ = load_ledger(ledger, allow_errors)
    start, end, label = period_of(month, year)
    tb = trial_balance.trial_balance(entries, start, end, label, level)
    emit([trial_balance.to_table(tb)], fmt, output, f"科目汇总表 {label}")
    try:
        tb.check()
    except trial_balance.Unbalanced as exc:
        raise Refused(str(exc)) from None


# --- income, balance (statements) ---


def _statement_command(kind: str, doc: str):
    """``report income`` / ``report balance``: one statement of ``reports.statements``."""

    @click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--standard", type=click.Choice(["small", "general"]), default="small", show_default=True,
        help="报表格式: small 小企业会计准则 (会小企01/02表), general 一般企业 (会企01/02表) (statement format).",
    )
    @output_options
    def command(
        ledger: Path, standard: str, month: str | None, year: int | None, fmt: str, output: Path | None,
        allow_errors: bool,
    ) -> None:
        from beancount_tmall.cli import Refused
        from beancount_tmall.reports import statements

        period_of(month, year)
        entries, options = load_ledger(ledger, allow_errors)
        statement = statements.build_statement(entries, options, kind, month=month, year=year, standard=standard)
        emit([statement.table()], fmt, output, f"{statement.title} {statement.label}")
        if statement.errors:
            raise Refused("\n".join(statement.errors))

    command.__doc__ = doc
    return report.command(kind)(command)


income = _statement_command(
    "income",
    """利润表 (小企业会计准则 会小企02表, 或 --standard general 会企02表): --month 为本年累计金额与本月金额,
    --year 为本年与上年; 损益按科目编码映射到报表项目 (reports/mappings/*.toml), 未映射的科目报错.
    账簿有错误 (bean-check) 时不打印, 除非 --allow-errors.

    (The income statement of a month or a year.)
    """,
)
balance = _statement_command(
    "balance",
    """资产负债表 (小企业会计准则 会小企01表, 或 --standard general 会企01表): 期末余额与年初余额;
    结转损益在报表中计算 (未分配利润 含本年利润与未结转的损益); 资产总计 ≠ 负债和所有者权益总计 时
    在表后报错并以非零状态退出. 账簿有错误 (bean-check) 时不打印, 除非 --allow-errors.

    (The balance sheet at the end of a month or a year; it must balance.)
    """,
)
