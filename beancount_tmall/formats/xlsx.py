"""Excel workbooks (.xlsx) as rows of text, the way a CSV export of the same sheet would read.

The current 千牛 exports (订单报表 ``ExportOrderList<digits>.xlsx``, 宝贝报表, 退款) are xlsx. A sheet is
streamed with openpyxl in read-only mode (``load_workbook(read_only=True, data_only=True)``), one
row at a time, so memory does not grow with the sheet. Every cell becomes the text a CSV export
would hold:

* a whole number as its digits (``186123456789012`` stays whole, never ``1.86e+14``);
* a number Excel keeps as a float beyond 15 significant digits in scientific notation, as Excel
  itself writes it (``1.86123456789012E+17``): in an id column :func:`common.clean_id` refuses it,
  its digits are lost for good;
* other numbers with Excel's 15 significant digits (``0.1 + 0.2`` is ``0.3``);
* a date or time cell as ``YYYY-MM-DD HH:MM:SS`` (rounded to the second).

Rows keep their sheet row number; messages name ``file.xlsx!Sheet1:12``. A damaged workbook (not
a zip, an encrypted or unknown-method entry, a bad CRC, a missing sheet, an entry that would
inflate beyond :data:`MAX_ENTRY_SIZE` or more than :data:`MAX_RATIO` times) is a
:class:`~beancount_tmall.formats.common.SourceError`, never a traceback.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from beancount_tmall.formats.common import SourceError, zip_entry_problem

#: What one zip entry may inflate to (a sheet of a year of a big store is far below).
MAX_ENTRY_SIZE = 512 * 1024 * 1024
#: What all entries together may inflate to.
MAX_TOTAL_SIZE = 1024 * 1024 * 1024
#: How many times an entry above :data:`RATIO_FLOOR` bytes may inflate (zip bombs go past 1000).
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
#: The longest cell accepted (csv's own field limit).
MAX_CELL = 128 * 1024

ZIP_MAGIC = b"PK\x03\x04"


def is_zip(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a zip (xlsx or Alipay's bill download)."""
    return head.startswith(ZIP_MAGIC)


def check_zip(zf: zipfile.ZipFile, display: str) -> None:
    """Refuse a zip whose entries are encrypted, of an unknown method, or would inflate too far
    (:func:`~beancount_tmall.formats.common.zip_entry_problem` with this module's bounds, and
    :data:`MAX_TOTAL_SIZE` for all entries together).

    ``zipfile`` never inflates an entry past the size its directory declares (the CRC check then
    fails), so bounding the declared sizes bounds what reading it costs.
    """
    total = 0
    for info in zf.infolist():
        problem = zip_entry_problem(info, MAX_ENTRY_SIZE, MAX_RATIO, RATIO_FLOOR)
        if problem:
            raise SourceError(display, None, f"压缩包条目 {info.filename} {problem}")
        total += info.file_size
        if total > MAX_TOTAL_SIZE:
            raise SourceError(
                display, None,
                f"压缩包解压后共 {total} 字节, 超过上限 {MAX_TOTAL_SIZE}, 疑为压缩炸弹; "
                "the zip inflates too far",
            )


def cell_text(value: object) -> str:
    """A cell value as the text a CSV export of the sheet would hold (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g").replace("e", "E")
    if isinstance(value, datetime.datetime):
        if value.microsecond >= 500_000:
            value += datetime.timedelta(microseconds=1_000_000 - value.microsecond)
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.replace(microsecond=0).isoformat()
    return str(value)


@contextmanager
def open_zip(source: str | Path | bytes, display: str, what: str = "xlsx") -> Iterator[zipfile.ZipFile]:
    """``source`` opened as a zip whose entries :func:`check_zip` accepts; else :class:`SourceError`."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError) as exc:
        raise SourceError(
            display, None, f"不是有效的 {what} 文件 (zip 已损坏); not a readable {what}: {exc}"
        ) from None
    with zf:
        check_zip(zf, display)
        yield zf


def sheet_rows(
    source: str | Path | bytes, name: str | None = None, sheet: str | None = None
) -> Iterator[tuple[str, int, list[str]]]:
    """``(display, row number, cells as text)`` for each row of a sheet (the first by default).

    ``display`` is ``file.xlsx!Sheet1``; empty rows are yielded too (as ``[]``) so numbers follow
    the sheet. Raises :class:`SourceError` for a damaged workbook, at once or at the row where
    the damage shows.
    """
    display = name or ("<bytes>" if isinstance(source, bytes) else str(source))
    with open_zip(source, display):
        pass
    # Imported here: openpyxl costs 0.3 s to import and CSV-only runs never need it.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True, data_only=True,
        )
    except Exception as exc:  # noqa: BLE001 (openpyxl raises anything on a damaged file)
        raise SourceError(display, None, _damaged(exc)) from None
    try:
        titles = workbook.sheetnames
        if not titles:
            raise SourceError(display, None, "xlsx 文件中没有工作表 (或工作表已缺失); the workbook has no sheet")
        title = sheet if sheet is not None else titles[0]
        if title not in titles:
            raise SourceError(
                display, None, f"xlsx 文件中没有工作表 {title!r} (有: {', '.join(titles)}); no such sheet"
            )
        where = f"{display}!{title}"
        number = 0
        try:
            worksheet = workbook[title]
            worksheet.reset_dimensions()  # a wrong <dimension> would cut rows or columns
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                for cell in cells:
                    if len(cell) > MAX_CELL:
                        raise SourceError(
                            where, number,
                            f"单元格长 {len(cell)} 字符, 超过上限 {MAX_CELL}; cell too long",
                        )
                yield where, number, cells
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 (a bad CRC, deflate stream or XML shows here)
            raise SourceError(where, number + 1, _damaged(exc)) from None
    finally:
        workbook.close()


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]{1,3}")


def head_rows(path: str | Path, limit: int = 20) -> list[list[str]]:
    """The text of the first ``limit`` rows of the first sheet, cheaply, for identification.

    openpyxl reads the whole sheet once when it opens a workbook whose sheet lacks a
    ``<dimension>`` (seconds for a month of orders); this reads only the start of the sheet's XML
    and as much of the shared strings as the rows use. Cells come as their raw text (no dates).
    Raises :class:`SourceError` (or a zip/XML error) for a damaged file.
    """
    display = str(path)
    with open_zip(path, display) as zf:
        sheet = _first_sheet(zf)
        rows: list[tuple[int, list[tuple[int, str, str]]]] = []
        with zf.open(sheet) as fh:
            for _event, element in ElementTree.iterparse(fh):
                if element.tag != _NS + "row":
                    continue
                cells = []
                for cell in element.iter(_NS + "c"):
                    kind = cell.get("t", "n")
                    if kind == "inlineStr":
                        value = "".join(t.text or "" for t in cell.iter(_NS + "t"))
                    else:
                        value = cell.findtext(_NS + "v") or ""
                    match = _COLUMN.match(cell.get("r", ""))
                    column = _column_index(match.group()) if match else len(cells)
                    cells.append((column, kind, value))
                rows.append((len(rows), cells))
                element.clear()
                if len(rows) >= limit:
                    break
        wanted = {int(v) for _, cells in rows for _, kind, v in cells if kind == "s" and v.isdigit()}
        shared = _shared_strings(zf, max(wanted, default=-1)) if wanted else []
    result = []
    for _, cells in rows:
        width = max((c for c, _, _ in cells), default=-1) + 1
        texts = [""] * width
        for column, kind, value in cells:
            if kind == "s":
                index = int(value) if value.isdigit() else -1
                value = shared[index] if 0 <= index < len(shared) else ""
            texts[column] = value
        result.append(texts)
    return result


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _first_sheet(zf: zipfile.ZipFile) -> str:
    """The zip path of the workbook's first sheet (``xl/worksheets/sheet1.xml`` as a rule)."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    first = workbook.find(f"{_NS}sheets/{_NS}sheet")
    if first is not None and "xl/_rels/workbook.xml.rels" in zf.namelist():
        rid = first.get(_REL_NS + "id")
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        for rel in rels:
            if rel.get("Id") == rid:
                target = rel.get("Target", "")
                return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return "xl/worksheets/sheet1.xml"


def _shared_strings(zf: zipfile.ZipFile, last: int) -> list[str]:
    """The shared strings up to index ``last``, read no further."""
    strings: list[str] = []
    if "xl/sharedStrings.xml" not in zf.namelist():
        return strings
    with zf.open("xl/sharedStrings.xml") as fh:
        for _event, element in ElementTree.iterparse(fh):
            if element.tag == _NS + "si":
                strings.append("".join(t.text or "" for t in element.iter(_NS + "t")))
                element.clear()
                if len(strings) > last:
                    break
    return strings


def _damaged(exc: Exception) -> str:
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"xlsx 文件已损坏, 无法读取 ({type(exc).__name__}: {detail}); damaged xlsx file"
