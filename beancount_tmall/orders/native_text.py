"""A source file's text for DuckDB's own CSV reader (the native reading of ``engine_duckdb``).

DuckDB reads UTF-8 only (its ``encodings`` extension cannot be installed offline), and it must
split a file into exactly the cells Python's :mod:`csv` gives the strict parsers
(``formats/``). :func:`plain_text` decodes a file as the parsers do
(:func:`~beancount_tmall.formats.common.sniff_encoding`) and hands it on only when nothing in it
could be split differently: no zip (xlsx, bill zip), no undecodable byte, no NUL, no carriage
return outside ``\\r\\n``, no cell that starts with a quote (Python's csv treats a quote only
there; DuckDB reads the text unquoted). Anything else is ``None``: the caller reads the file with
its strict parser, which reads it or says what is wrong with it (file, line).

:func:`write_lines` writes a run of those lines as a UTF-8 file for ``read_csv``.
"""

from __future__ import annotations

from pathlib import Path

from beancount_tmall.formats.common import HEAD_SIZE, sniff_encoding

#: Files above this size are not read whole into memory for the native path (the parsers stream).
MAX_BYTES = 1 << 30


def plain_text(path: str | Path) -> str | None:
    """The decoded text of a CSV file DuckDB may split like Python's csv, else ``None``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_BYTES or data[:2] == b"PK":
        return None
    # The bytes of NUL, CR, LF, quote and comma are those characters only, in UTF-8 and in GB18030
    # (its other bytes of a character are 0x30-0x39 or 0x40-0xFE): looked for in the bytes, where
    # it is fast, not in the text (``rfind``: faster than ``in`` for these, CPython 3.11). A cell
    # that starts with a quote: after a comma or a line end here, at the start of the text below.
    if (b"\x00" in data or data.count(b"\r") != data.count(b"\r\n") or data.rfind(b',"') >= 0
            or data.rfind(b'\n"') >= 0):
        return None
    try:
        text = data.decode(sniff_encoding(data[:HEAD_SIZE]))
    except (UnicodeDecodeError, LookupError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.startswith('"'):
        return None
    return text


def write_lines(lines: list[str], path: Path) -> Path:
    """``lines`` (without their ends) as a UTF-8 file, one per line."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines))
        fh.write("\n")
    return path
