"""``tmall-books extract FILES``: Beancount entries for Alipay/Tmall source files on stdout.

Every file is read and verified completely (footer counts and totals, running balance) before
anything is printed: on any problem the errors go to stderr naming ``file:line`` (Chinese first)
and nothing goes to stdout. An ``--existing`` ledger that does not load (a missing include, a
syntax error) stops the run with exit status 2; errors its plugins report are tolerated.

Each statement is booked to the Alipay account its ``#账号`` maps to in the ledger (or
``--account ID=ACCOUNT``); rows the ledger holds already are left out exactly, per account
(:mod:`beancount_tmall.importers.alipay`), and so are rows of an earlier file of the same run.
Without ``--existing`` the output is for a new ledger: the adopted account's ``custom``
directive comes first, and each Alipay account gets one opening entry, from its earliest
statement of the run. Tmall order exports given among the files are not printed; they attach
``consumer-points`` to the sale entries of the statements. Fee-invoice CSVs (发票台账) become
invoice entries (:mod:`beancount_tmall.importers.fee_invoices`).
"""

from __future__ import annotations

import fcntl
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from beancount import loader
from beancount.core import data
from beancount.parser import grammar, lexer, parser

from beancount_tmall.formats import alipay_statement, alipay_trade, fee_invoices, tmall_orders
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.alipay import (
    AlipayStatementImporter,
    Existing,
    RuleError,
    is_opening,
    load_rules,
    print_entries,
    report,
)
from beancount_tmall.importers.fee_invoices import extract_invoices
from beancount_tmall.importers.rules import ledger_rules

#: Files bigger than this show a progress bar when stderr is a terminal.
PROGRESS_MIN_BYTES = 4 * 1024 * 1024

#: Errors of the existing ledger that mean it was not read completely (a missing include, a
#: syntax error): what it holds cannot be trusted to leave out rows already imported.
LOAD_ERRORS = (loader.LoadError, grammar.ParserError, grammar.ParserSyntaxError, lexer.LexerError)


def _is_load_error(error) -> bool:
    """A parse/include error, as opposed to a plugin's (the store's rules failing, a balance
    that does not hold …), which leaves every entry in place and is tolerated."""
    if not isinstance(error, LOAD_ERRORS):
        return False
    # The loader also reports a plugin that cannot be imported or raises as a LoadError; the
    # entries it was given are kept.
    return not error.message.startswith(("Error importing ", "Error applying plugin "))


def _where(error) -> str:
    source = error.source or {}
    filename, lineno = source.get("filename"), source.get("lineno")
    if not filename or filename.startswith("<"):
        return ""
    return f"{filename}:{lineno}: " if lineno else f"{filename}: "


def _truncated_ledger_file(files: list[str]) -> str | None:
    """The ledger file stdout writes to if it was opened truncating (``> file``), else ``None``.

    ``extract … --existing main.beancount > 2025/03.beancount``: the shell empties the month's
    file before the ledger is read, so its entries are lost and would not even be left out.
    ``>>`` (append) is fine.
    """
    try:
        fd = sys.stdout.fileno()
        out = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    if not stat.S_ISREG(out.st_mode) or fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND:
        return None
    for name in files:
        try:
            st = os.stat(name)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino):
            return name
    return None


@contextmanager
def file_progress(path: Path) -> Iterator[Callable[[int, int], None] | None]:
    """``progress(done, total)`` drawing a click progress bar for a big file on a terminal (the
    bar finished on leaving), else ``None`` (silent)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = 0
    if size < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    bar = click.progressbar(length=size, label=str(path), file=sys.stderr)
    try:
        yield lambda done, total: bar.update(done - bar.pos)
    finally:
        bar.render_finish()


def run_extract(
    paths: list[str | Path],
    existing: str | Path | None = None,
    per_row: bool = False,
    rules: str | Path | None = None,
    mask: bool = True,
    accounts: dict[str, str] | None = None,
) -> int:
    """Extract entries from ``paths``; print them if all verified. Returns the exit status.

    Without ``existing`` the output is for a new ledger: the statement's account is adopted
    (its ``custom "tmall-alipay-account"`` directive is printed first) and the opening balance
    of each Alipay account is written from its earliest statement. Without ``rules``, the
    store's ``rules.toml`` beside the ``existing`` ledger extends the default rules, if any.
    """
    errors: list[str] = []
    if existing is not None:
        rules = ledger_rules(existing, rules)  # the store's rules, as import reads them
    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        print(f"错误: 规则表 {rules}: {exc}; error: rules", file=sys.stderr)
        return 2

    statements, order_files, invoice_files = [], [], []
    for path in paths:
        if alipay_statement.identify(path):
            statements.append(path)
        elif tmall_orders.identify(path):
            order_files.append(path)
        elif fee_invoices.identify(path):
            invoice_files.append(path)
        elif alipay_trade.identify(path):
            errors.append(
                f"{path}: 支付宝业务明细只用于对账, 不生成分录; 请用 tmall-books import 归档; "
                "a trade detail gives no entries: file it with tmall-books import"
            )
        else:
            errors.append(
                f"{path}: 无法识别的文件（应为支付宝账务明细 CSV/zip、天猫订单报表或发票台账 CSV）; "
                "not a recognized file"
            )

    ledger: list[data.Directive] = []
    if existing is not None:
        ledger, load_errors, options = loader.load_file(str(existing))
        truncated = _truncated_ledger_file(options.get("include") or [str(existing)])
        if truncated:
            print(
                f"错误: 输出被 > 重定向到账簿自己的文件 {truncated}：shell 在运行前已把它清空，"
                "其中原有的分录已丢失（请用 git 恢复）。向账簿追加请用 >>，或用 tmall-books import "
                "(它按月份追加并加 include); stdout truncates a file of the ledger; nothing was printed",
                file=sys.stderr,
            )
            return 2
        broken = [e for e in load_errors if _is_load_error(e)]
        if broken:
            for error in broken:
                message = error.message.strip().splitlines()[0] if error.message else type(error).__name__
                print(f"错误: {_where(error) or f'{existing}: '}{message}", file=sys.stderr)
            print(
                f"错误: 已有账簿 {existing} 无法读入（见上）：无法排除已导入的行，未输出任何内容; "
                "the existing ledger does not load; nothing was printed",
                file=sys.stderr,
            )
            return 2

    if order_files and not statements:
        for path in order_files:
            errors.append(
                f"{path}: 天猫订单报表单独给出时没有可输出的分录（extract 只把其中的消费积分并入同时给出的"
                "账务明细的销售分录）；请与账务明细一起给出，或用 tmall-books import; an order export "
                "alone gives no entries"
            )
    orders = {}
    try:
        orders = tmall_orders.consumer_points(order_files)
    except SourceError as exc:
        errors.append(str(exc))

    try:
        importer = AlipayStatementImporter(
            rules=table, per_row=per_row, mask=mask, orders=orders, accounts=accounts
        )
    except ValueError as exc:
        print(f"错误: --account 的科目不是有效的 Beancount 科目名: {exc}", file=sys.stderr)
        return 2
    entries: list[data.Directive] = []
    adopted: list[data.Directive] = []  # the custom directives of accounts adopted in this run
    adopt_texts: list[str] = []
    openings: dict[str, tuple] = {}  # account -> (first row time, opening entry, result)
    results = []
    for path in statements:
        # Overlapping files in one run add nothing twice; the opening balance is judged on the
        # ledger alone (the earliest statement of the run gives it).
        known = Existing([*ledger, *adopted, *entries], history=ledger)
        try:
            with file_progress(path) as progress:
                result = importer.extract_file(path, known, progress=progress)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        results.append(result)
        if result.adopt:
            adopt_texts.append(result.adopt)
            adopted.extend(parser.parse_string(result.adopt)[0])
        if result.opening is not None:
            before = openings.get(result.account)
            if before is None or result.first_time < before[0]:
                if before is not None:
                    before[2].opening = None
                openings[result.account] = (result.first_time, result.opening, result)
            else:
                result.opening = None
        entries.extend(result.entries)
    kept = {id(opening) for _, opening, _ in openings.values()}
    entries = [e for e in entries if not is_opening(e) or id(e) in kept]

    for path in invoice_files:
        try:
            entries.extend(extract_invoices(path, [*ledger, *entries]))  # nor twice in one run
        except SourceError as exc:
            errors.append(str(exc))

    if errors:
        for message in errors:
            print(f"错误: {message}", file=sys.stderr)
        print("错误: 未输出任何内容；请修正以上文件后重新运行; nothing was printed", file=sys.stderr)
        return 1
    for result in results:
        report(result)
    if existing is None and openings:
        print(
            "提示: 未给 --existing，按没有历史记录的新账簿输出（含期初余额分录）；向已有账簿导入请加 "
            "--existing main.beancount 或用 tmall-books import; no --existing: output for a new ledger",
            file=sys.stderr,
        )
    entries.sort(key=data.entry_sortkey)
    for text in adopt_texts:
        sys.stdout.write("\n" + text)
    print_entries(entries, sys.stdout)
    return 0
