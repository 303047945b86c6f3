"""beangulp importers: typed rows from ``formats`` turned into Beancount entries."""

from __future__ import annotations

from collections.abc import Callable

from beancount.core import data
from beangulp.extract import DUPLICATE


def mark_duplicates(
    entries: list[data.Directive], is_known: Callable[[data.Directive], bool]
) -> None:
    """Mark, the way beangulp does, the entries ``is_known`` says the ledger already holds.

    beangulp calls ``Importer.deduplicate(entries, existing)`` for each file, with the ledger's
    entries plus those of the files extracted before it in the same run; a marked entry is
    printed commented out (beangulp) or left out (Fava). ``extract`` already leaves out what the
    ledger holds, so this catches the same statement or invoice given twice in one run.
    """
    for i, entry in enumerate(entries):
        if is_known(entry):
            entries[i] = entry._replace(meta={**entry.meta, DUPLICATE: True})
