"""``tmall-books report …``: the accountant's monthly statements (科目汇总表, 利润表, 资产负债表).

Thin commands: each loads the ledger, calls ``beancount_tmall.reports`` and prints with
``beancount_tmall.reports.render`` (``--format text|csv|html``, ``-o FILE``).
"""

from __future__ import annotations

import click


@click.group("report")
def report() -> None:
    """会计报表: 科目汇总表 (试算平衡)、利润表、资产负债表.

    (The accountant's statements: trial balance, income statement, balance sheet.)
    """


# --- trial-balance (books) ---


# --- income, balance (statements) ---


def _statement_command(kind: str, title: str):
    """``report income`` / ``report balance``: one statement, printed or written with render."""
    from pathlib import Path

    from beancount_tmall.reports.render import FORMATS

    @click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--month", metavar="YYYY-MM", help="月报的月份 (the month, e.g. 2025-03).")
    @click.option("--year", type=int, metavar="YYYY", help="年报的年度 (the year).")
    @click.option(
        "--standard", type=click.Choice(["small", "general"]), default="small", show_default=True,
        help="报表格式: small 小企业会计准则 (会小企01/02表), general 一般企业 (会企01/02表) (statement format).",
    )
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                  help="输出格式: 终端表格、CSV (UTF-8 带 BOM)、HTML (output format).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="写入文件, 默认打印 (write to FILE).")
    def command(ledger: Path, month: str | None, year: int | None, standard: str, fmt: str, output: Path | None) -> None:
        import sys

        from beancount import loader

        from beancount_tmall.reports import render, statements

        if (month is None) == (year is None):
            raise click.UsageError("请给出 --month YYYY-MM 或 --year YYYY 之一 (give --month or --year)")
        entries, errors, options = loader.load_file(str(ledger))
        try:
            statement = statements.build_statement(entries, options, kind, month=month, year=year, standard=standard)
        except ValueError as exc:
            from beancount_tmall.cli import Refused

            raise Refused(str(exc)) from exc
        tables = [statement.table()]
        name = f"{statement.title} {statement.label}"
        text = render.html_page(tables, name) if fmt == "html" else render.render(tables, fmt)
        render.write(text, output, fmt)
        if errors:
            click.echo(f"注意: 账簿有 {len(errors)} 个错误 (运行 bean-check 查看; the ledger has errors)", err=True)
        for error in statement.errors:
            click.echo(f"错误: {error}", err=True)
        if statement.errors:
            sys.exit(1)

    command.__doc__ = title
    return report.command(kind)(command)


income = _statement_command(
    "income",
    """利润表 (小企业会计准则 会小企02表, 或 --standard general 会企02表): --month 为本年累计金额与本月金额,
    --year 为本年与上年; 损益按科目编码映射到报表项目 (reports/mappings/*.toml), 未映射的科目报错.

    (The income statement of a month or a year.)
    """,
)
balance = _statement_command(
    "balance",
    """资产负债表 (小企业会计准则 会小企01表, 或 --standard general 会企01表): 期末余额与年初余额;
    结转损益在报表中计算 (未分配利润 含本年利润与未结转的损益); 资产总计 ≠ 负债和所有者权益总计 时报错.

    (The balance sheet at the end of a month or a year; it must balance.)
    """,
)
