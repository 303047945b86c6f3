"""What ``tmall-books reconcile orders`` prints: a summary on the terminal, every finding as CSV.

Both go through :mod:`beancount_tmall.reports.render`: the terminal table aligns Chinese, the CSV is
UTF-8 with a BOM (Excel opens the Chinese right) and no cell of it can run as a formula (a leading
``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'``; plain numbers stay numbers).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from beancount_tmall.orders.engine import Result
from beancount_tmall.orders.findings import LABELS, Finding
from beancount_tmall.reports import render
from beancount_tmall.reports.render import Column, Table

#: Findings listed under the summary on the terminal (the CSV holds all).
TOP = 20

CSV_COLUMNS = [
    Column("月份"), Column("问题"), Column("类型"), Column("订单编号"), Column("应为", "right"),
    Column("实为", "right"), Column("差额", "right"), Column("文件"), Column("行", "right"),
    Column("说明"),
]


def summary_table(result: Result) -> Table:
    """Count and amount (Σ |实为 − 应为|) per month and kind, with a total."""
    rows: list[list] = []
    count, amount = 0, Decimal("0.00")
    for month, kind, n, total in result.summary():
        rows.append([month, LABELS[kind], kind, n, total])
        count += n
        amount += total
    stats = result.stats
    notes = [
        f"订单 {stats.orders:,} 笔 (核对 {stats.judged:,} 笔), 账务明细 {stats.statement_rows:,} 行 "
        f"(属于订单的 {stats.order_rows:,} 行); 结算窗口 {result.window} 个月; 引擎 {stats.engine}"
        + (f", {stats.workers} 个进程读账务明细" if stats.workers else ""),
    ]
    if stats.pending:
        notes.append(
            f"{stats.pending:,} 笔订单的结算窗口超出所给账务明细的期间, 暂不判断是否未结算 "
            "(orders whose window the statements do not reach yet)"
        )
    if stats.unclassified:
        notes.append(
            f"{stats.unclassified:,} 行带订单号的流水无规则认领 (或多条规则认领), 未计入核对; 请用 "
            "tmall-books rules --explain 查看并补充规则 (rows no rule classifies: not counted)"
        )
    if stats.duplicates:
        notes.append(f"重叠的账务明细中重复的 {stats.duplicates:,} 行只计一次 (overlapping rows counted once)")
    title = "订单核对 (order reconciliation)" + (f" {result.month}" if result.month else "")
    return Table(
        title,
        [Column("月份"), Column("问题"), Column("类型"), Column("笔数", "right"), Column("金额", "right")],
        rows,
        footer=[["合计", "", "", count, amount]] if rows else [],
        notes=notes,
    )


def finding_row(f: Finding, short: bool = False) -> list:
    """One finding as a row of :data:`CSV_COLUMNS` (``short``: the file's name without folders)."""
    file = Path(f.file).name if short else f.file
    return [f.month, f.label, f.kind, f.order_id, f.expected, f.seen, f.difference, file, f.line, f.detail]


def findings_table(findings: list[Finding], title: str = "订单核对明细 (findings)", short: bool = False) -> Table:
    """Every finding, one row each."""
    return Table(title, CSV_COLUMNS, [finding_row(f, short) for f in findings])


def render_text(result: Result, top: int = TOP) -> str:
    """The terminal summary, then the first ``top`` findings."""
    tables = [summary_table(result)]
    if result.findings:
        shown = result.findings[:top]
        table = findings_table(
            shown, f"前 {len(shown)} 条 (共 {len(result.findings):,} 条; --csv 输出全部)", short=True
        )
        tables.append(table)
    else:
        tables[0].notes.append("没有发现问题 (no findings)")
    for start, end in result.gaps:
        tables[0].notes.append(
            f"注意: {start:%Y-%m-%d %H:%M:%S} 至 {end:%Y-%m-%d %H:%M:%S} 没有账务明细 (缺少该期间的文件), "
            f"其间的结算看不到, 订单可能被误报为未结算; no statement covers this span"
        )
    return "\n".join(render.render([t], "text") for t in tables)


def write_csv(result: Result, out: Path | None) -> None:
    """All findings as CSV (UTF-8 with BOM, formula-safe; the header is the first line) to
    ``out`` (``None``: stdout)."""
    render.write(render.render([findings_table(result.findings, title="")], "csv"), out, "csv")
