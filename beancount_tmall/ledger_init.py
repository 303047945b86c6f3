"""``tmall-books init DIR``: a new ledger with the default chart of accounts and the plugins."""

from __future__ import annotations

import datetime
from importlib import resources
from pathlib import Path

from beancount_tmall import accounts
from beancount_tmall.plugins import PLUGINS

HEADER = """\
; beancount-tmall ledger: {title}
;
; How to import (see the README of beancount-tmall):
;   tmall-books extract 支付宝账务明细.csv --existing main.beancount > 2025/03.beancount
;   (and add  include "2025/03.beancount"  below)
;   bean-check main.beancount
; Fee invoices (CSV 开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率) import the same way.
; Every rule of seed 000 runs as a plugin on each bean-check; open the books with `fava main.beancount`.

option "title" "{title}"
option "operating_currency" "CNY"
option "booking_method" "STRICT"
"""


#: The import configuration template: this repository's ``importers/import.py``, packaged.
IMPORT_CONFIG_TEMPLATE = "import_config.py.txt"


def import_config_text() -> str:
    """The text of a store's ``import.py`` (beangulp ``Ingest`` and Fava's ``CONFIG``)."""
    return (resources.files("beancount_tmall") / "templates" / IMPORT_CONFIG_TEMPLATE).read_text(
        encoding="utf-8"
    )


class LedgerExistsError(Exception):
    """Raised when ``init`` would overwrite an existing ledger."""


def plugin_lines(configs: dict[str, str] | None = None) -> list[str]:
    """``plugin`` directives for every project plugin, in the order they must run."""
    lines = []
    for name in PLUGINS:
        config = (configs or {}).get(name)
        lines.append(f'plugin "{name}"' + (f' "{config}"' if config else ""))
    return lines


def open_directives(date: datetime.date) -> list[str]:
    """``open`` directives for the whole default chart, with ``code`` and ``name`` metadata."""
    out = []
    for acc in accounts.CHART:
        accounts.check_valid(acc.account)
        out.append(f"{date:%Y-%m-%d} open {acc.account} {accounts.CURRENCY}")
        out.append(f'  code: "{acc.code}"')
        out.append(f'  name: "{acc.name}"')
    return out


def fava_lines(date: datetime.date, import_config: str | None) -> list[str]:
    """Fava: the 天猫对账 page, and Fava's import page wired to the store's import config."""
    lines = ["", "; Fava: the 天猫对账 page; the import page reads documents/inbox with import.py"]
    lines.append(f'{date:%Y-%m-%d} custom "fava-extension" "beancount_tmall.fava"')
    if import_config:
        lines.append(f'{date:%Y-%m-%d} custom "fava-option" "import-config" "{import_config}"')
        lines.append(f'{date:%Y-%m-%d} custom "fava-option" "import-dirs" "documents/inbox"')
    return lines


def main_text(
    title: str,
    open_date: datetime.date,
    includes: list[str] = (),
    plugin_configs: dict[str, str] | None = None,
    import_config: str | None = "import.py",
    documents: str | None = None,
) -> str:
    """The text of a new ``main.beancount``.

    ``import_config`` is the path of the beangulp import configuration, relative to the ledger
    (``None``: no Fava import page); ``documents`` the folder of archived source files
    (``option "documents"``; it must exist when the ledger loads).
    """
    parts = [HEADER.format(title=title).rstrip("\n")]
    if documents:
        parts.append(f'option "documents" "{documents}"')
    parts.append("")
    parts += plugin_lines(plugin_configs)
    parts += fava_lines(open_date, import_config)
    parts += ["", "; 科目表 (DESIGN §2): 编码-名称"]
    parts += open_directives(open_date)
    if includes:
        parts.append("")
        parts += [f'include "{inc}"' for inc in includes]
    return "\n".join(parts) + "\n"


REPO_GITIGNORE = """\
# beancount-tmall ledger repository
.*.picklecache
__pycache__/
.venv/
# raw statements are archived under documents/ by `bean-extract archive`; keep them out of git
# if they hold buyers' personal data you must not share:
# documents/
"""

REPO_CI = """\
#!/usr/bin/env bash
# Run by your CI on every push (and usable locally): installs beancount-tmall and checks the books.
# Every accounting rule of the store runs as a plugin, so a red run names the entry to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
export BEANCOUNT_DISABLE_LOAD_CACHE=1
if ! python3 -c "import beancount_tmall" 2>/dev/null; then
  python3 -m pip install --quiet "${BEANCOUNT_TMALL_SPEC:-beancount-tmall}"
fi
bean-check main.beancount
echo "bean-check main.beancount: OK"
"""


def write_repo_files(directory: Path) -> None:
    """The ledger-repo skeleton beside ``main.beancount``; existing files are left alone.

    A ``.gitignore``, ``ci/bean-check.sh`` (the script to run in the store's CI), ``import.py``
    (the import configuration for beangulp and Fava's import page) and ``documents/inbox/`` where
    downloaded files wait for import.
    """
    directory = Path(directory)
    files = (
        (".gitignore", REPO_GITIGNORE),
        ("ci/bean-check.sh", REPO_CI),
        ("import.py", import_config_text()),
    )
    for path, text in files:
        target = directory / path
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            if path.endswith(".sh"):
                target.chmod(0o755)
    (directory / "documents" / "inbox").mkdir(parents=True, exist_ok=True)
    (directory / "documents" / "inbox" / ".gitkeep").touch()


def init_ledger(
    directory: Path,
    title: str = "天猫店铺账簿",
    open_date: datetime.date = datetime.date(2000, 1, 1),
    repo_files: bool = True,
    **kwargs,
) -> Path:
    """Create ``directory/main.beancount`` (and the ledger-repo skeleton); never overwrite."""
    directory = Path(directory)
    main = directory / "main.beancount"
    if main.exists():
        raise LedgerExistsError(f"{main} already exists; refusing to overwrite a ledger")
    directory.mkdir(parents=True, exist_ok=True)
    if repo_files:
        write_repo_files(directory)
        kwargs.setdefault("documents", "documents")
    main.write_text(main_text(title, open_date, **kwargs), encoding="utf-8")
    return main
