"""``tmall-books extract FILES``: Beancount entries for Alipay/Tmall source files on stdout.

Every file is read and verified completely (footer counts and totals, running balance) before
anything is printed: on any problem the errors go to stderr naming ``file:line`` and nothing goes
to stdout. An ``--existing`` ledger that does not load (a missing include, a syntax error) stops
the run with exit status 2; errors its plugins report are tolerated. Tmall order exports given among the files are not printed; they attach
``consumer-points`` to the sale entries of the statements. Fee-invoice CSVs (发票台账) become
invoice entries (:mod:`beancount_tmall.importers.fee_invoices`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from beancount import loader
from beancount.core import data
from beancount.parser import grammar, lexer, printer

from beancount_tmall.formats import alipay_statement, fee_invoices, tmall_orders
from beancount_tmall.formats.common import SourceError
from beancount_tmall.importers.alipay import (
    AlipayStatementImporter,
    Existing,
    RuleError,
    load_rules,
    report_unclassified,
)
from beancount_tmall.importers.fee_invoices import extract_invoices

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


def _progress_bar(path: Path):
    """A click progress bar for a big file on a terminal, else ``None`` (silent)."""
    try:
        big = Path(path).stat().st_size >= PROGRESS_MIN_BYTES
    except OSError:
        big = False
    if not (big and sys.stderr.isatty()):
        return None
    return click.progressbar(length=Path(path).stat().st_size, label=str(path), file=sys.stderr)


def run_extract(
    paths: list[str | Path],
    existing: str | Path | None = None,
    per_row: bool = False,
    rules: str | Path | None = None,
    mask: bool = True,
) -> int:
    """Extract entries from ``paths``; print them if all verified. Returns the exit status."""
    errors: list[str] = []
    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        print(f"error: rules: {exc}", file=sys.stderr)
        return 2

    statements, order_files, invoice_files = [], [], []
    for path in paths:
        if alipay_statement.identify(path):
            statements.append(path)
        elif tmall_orders.identify(path):
            order_files.append(path)
        elif fee_invoices.identify(path):
            invoice_files.append(path)
        else:
            errors.append(
                f"{path}: not a recognized file (expected an Alipay 账务明细 CSV/zip, "
                "a Tmall 订单报表 export or a 发票台账 CSV)"
            )

    ledger: list[data.Directive] = []
    if existing is not None:
        ledger, load_errors, _options = loader.load_file(str(existing))
        broken = [e for e in load_errors if _is_load_error(e)]
        if broken:
            for error in broken:
                message = error.message.strip().splitlines()[0] if error.message else type(error).__name__
                print(f"error: {_where(error) or f'{existing}: '}{message}", file=sys.stderr)
            print(
                f"error: the existing ledger {existing} does not load (errors above): without it "
                "rows already imported cannot be left out; nothing was printed",
                file=sys.stderr,
            )
            return 2
    known = Existing(ledger)

    orders = {}
    try:
        orders = tmall_orders.consumer_points(order_files)
    except SourceError as exc:
        errors.append(str(exc))

    importer = AlipayStatementImporter(rules=table, per_row=per_row, mask=mask, orders=orders)
    entries: list[data.Directive] = []
    for path in statements:
        bar = _progress_bar(path)
        progress = None
        if bar is not None:
            def progress(done, total, bar=bar):
                bar.update(done - bar.pos)
        try:
            result = importer.extract_file(path, known, progress=progress)
        except SourceError as exc:
            errors.append(str(exc))
            continue
        finally:
            if bar is not None:
                bar.render_finish()
        report_unclassified(result)
        entries.extend(result.entries)
        known = Existing([*ledger, *entries])  # overlapping files in one run add nothing twice
        if result.skipped:
            print(f"{path}: {result.skipped} rows already in the ledger, left out", file=sys.stderr)

    for path in invoice_files:
        try:
            entries.extend(extract_invoices(path, [*ledger, *entries]))  # nor twice in one run
        except SourceError as exc:
            errors.append(str(exc))

    if errors:
        for message in errors:
            print(f"error: {message}", file=sys.stderr)
        print("error: nothing was printed; fix the files above and run again", file=sys.stderr)
        return 1
    entries.sort(key=data.entry_sortkey)
    printer.print_entries(entries, file=sys.stdout)
    return 0
