"""Shared test setup: no pickle cache, paths to the repository."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
# The 订单核对 tab's disk cache: the tests' own folder, not the user's ~/.cache.
os.environ.setdefault("TMALL_CACHE_DIR", tempfile.mkdtemp(prefix="tmall-test-cache-"))

REPO = Path(__file__).resolve().parent.parent


def chart_text() -> str:
    """``open`` directives for the default chart (beancount_tmall.accounts), dated 2020-01-01."""
    import datetime

    from beancount_tmall import ledger_init

    return "\n".join(ledger_init.open_directives(datetime.date(2020, 1, 1))) + "\n"


def load_doc_with_chart(expect_errors=False, files=()):
    """``beancount.loader.load_doc``, with the default chart of accounts opened first.

    The test's docstring is its ledger; the ``open`` directives of ``beancount_tmall.accounts``
    (dated 2020-01-01) come before it, so a test shows only the entries it is about. With
    ``files`` (paths relative to the ledger, e.g. the photos a ``document`` names, which must
    exist), the ledger is written as ``main.beancount`` into a temporary folder holding them and
    loaded from there.
    """
    import functools
    import io
    import tempfile
    import textwrap

    from beancount import loader
    from beancount.parser import printer

    def load(text):
        if not files:
            return loader.load_string(text)
        with tempfile.TemporaryDirectory() as folder:
            for name in files:
                path = Path(folder) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"\xff\xd8\xff\xe0 photo")
            main = Path(folder) / "main.beancount"
            main.write_text(text, encoding="utf-8")
            return loader.load_file(str(main))

    def decorator(fun):
        @functools.wraps(fun)
        def wrapper(self):
            entries, errors, options_map = load(chart_text() + textwrap.dedent(fun.__doc__))
            if expect_errors is False and errors:
                oss = io.StringIO()
                printer.print_errors(errors, file=oss)
                self.fail("Unexpected errors found:\n" + oss.getvalue())
            if expect_errors is True and not errors:
                self.fail("Expected errors, none found")
            return fun(self, entries, errors, options_map)

        return wrapper

    return decorator
