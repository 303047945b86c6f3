"""Benchmark the Alipay statement import against Python's csv module merely reading the file.

    .venv/bin/python bench/bench_import.py --rows 1500000    # a big store's year (DESIGN §6)
    .venv/bin/python bench/bench_import.py --rows 50000      # quick run

The statement is written by the demo generator (``beancount_tmall.demo``: one GBK 账务明细 file
of the whole period); if that is not importable, a small local writer of the same format is used.
Prints the importer's time as a ratio to ``csv.reader`` iterating the same decoded file (target
<= 4), and the importer's peak traced memory for two sizes (it must not grow with the file: rows
are streamed and aggregated per day).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import multiprocessing
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROWS_PER_ORDER = 4.1  # about what the demo store produces per paid order


def write_local(path: Path, rows: int) -> int:
    """A statement of ``rows`` rows in the 16-column GBK format (sale, commission, points, fee)."""
    header = (
        "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
        "账户余额（元）,交易渠道,业务类型,备注,业务描述,业务账单来源,业务基础订单号,业务订单号"
    )
    balance = Decimal("1000.00")
    start = datetime.datetime(2025, 1, 1)
    income_n = expense_n = 0
    income = expense = Decimal(0)
    with open(path, "w", encoding="gbk", newline="") as f:
        f.write("#支付宝账务明细查询\r\n#账号：[20880012345678900156]\r\n")
        f.write("#-----------------------------------------账务明细列表------------------\r\n")
        f.write(header + "\r\n")
        for n in range(rows):
            tid = 3000000000000000 + n // 4
            kind = n % 4
            when = start + datetime.timedelta(seconds=n * 20)
            if kind == 0:
                amount, biz, remark, order = Decimal("128.00"), "在线支付", "", f"T200P{tid}"
            elif kind == 1:
                amount, biz, remark, order = Decimal("-6.40"), "交易付款", f"天猫佣金（类目）{{{tid}}}扣款", f"T200P{tid}"
            elif kind == 2:
                amount, biz, remark, order = Decimal("-0.64"), "交易付款", f"代扣返点积分{tid}", f"T200P{tid}"
            else:
                amount, biz = Decimal("-1.28"), "收费"
                remark, order = f"信用卡支付服务费[{tid}1];淘宝交易号[T200P{tid}]", ""
            balance += amount
            if amount >= 0:
                income_n, income = income_n + 1, income + amount
                inc, exp = f"{amount}", ""
            else:
                expense_n, expense = expense_n + 1, expense - amount
                inc, exp = "", f"{amount}"
            f.write(
                f"{20250101200040011100000000000000 + n}\t,2025{n:016d}\t,{order}\t,云栖龙井\t,"
                f"{when:%Y-%m-%d %H:%M:%S}\t,13812341234\t,{inc}\t,{exp}\t,{balance}\t,\t,{biz}\t,"
                f"{remark}\t,\t,淘宝\t,{tid}\t,\t\r\n"
            )
        f.write("#-----------------------------------------账务明细列表结束--------------\r\n")
        f.write(f"#支出合计：{expense_n}笔，共-{expense}元\r\n#收入合计：{income_n}笔，共{income}元\r\n")
    return rows


def make_statement(path: Path, rows: int) -> tuple[int, str]:
    """Write a statement of about ``rows`` rows; returns (rows written, writer used)."""
    try:
        from beancount_tmall.demo.generate import generate_statement_file
    except ImportError:
        return write_local(path, rows), "local writer"
    per_day = max(5, round(rows / 365 / ROWS_PER_ORDER))
    days = min(365, max(7, round(rows / per_day / ROWS_PER_ORDER)))
    generate_statement_file(path, orders_per_day=per_day, days=days)
    with open(path, "rb") as fh:
        written = sum(1 for line in fh if line[:1].isdigit())
    return written, f"beancount_tmall.demo ({per_day} orders/day, {days} days)"


def time_csv(path: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) for csv.reader merely iterating the decoded file."""
    cpu, wall = time.process_time(), time.perf_counter()
    with open(path, encoding="gb18030", newline="") as fh:
        for _ in csv.reader(fh):
            pass
    return time.process_time() - cpu, time.perf_counter() - wall


def time_import(path: Path) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, entries) for the daily import of the file."""
    from beancount_tmall.importers.alipay import AlipayStatementImporter

    importer = AlipayStatementImporter()
    cpu, wall = time.process_time(), time.perf_counter()
    result = importer.extract_file(path)
    return time.process_time() - cpu, time.perf_counter() - wall, len(result.entries)


def _peak(path: str, queue) -> None:
    from beancount_tmall.importers.alipay import AlipayStatementImporter

    importer = AlipayStatementImporter()
    tracemalloc.start()
    importer.extract_file(path)
    queue.put(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()


def peak_memory(path: Path) -> int:
    """Peak traced memory (bytes) of one import, in a fresh process."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_peak, args=(str(path), queue))
    proc.start()
    peak = queue.get()
    proc.join()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_500_000, help="statement rows (about)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.csv", Path(tmp) / "small.csv"
        t0 = time.perf_counter()
        rows, writer = make_statement(big, args.rows)
        size = big.stat().st_size
        print(f"statement: {rows} rows, {size / 1e6:.1f} MB, by {writer} in {time.perf_counter() - t0:.1f} s")
        # Best of two runs each: the machine is shared, a single run measures the neighbours too.
        c_csv, w_csv = min(time_csv(big) for _ in range(2))
        c_imp, w_imp, n_entries = min(time_import(big) for _ in range(2))
        print(f"csv.reader alone: {c_csv:.2f} s CPU, {w_csv:.2f} s wall ({rows / c_csv:,.0f} rows/s)")
        print(
            f"importer (daily): {c_imp:.2f} s CPU, {w_imp:.2f} s wall ({rows / c_imp:,.0f} rows/s), "
            f"{n_entries} entries"
        )
        print(f"ratio importer / csv: {c_imp / c_csv:.2f} CPU, {w_imp / w_csv:.2f} wall (target <= 4)")
        if not args.no_memory:
            small_rows, _ = make_statement(small, max(1000, args.rows // 4))
            for label, path, n in (("small", small, small_rows), ("big", big, rows)):
                print(f"peak memory ({label}, {n} rows): {peak_memory(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
