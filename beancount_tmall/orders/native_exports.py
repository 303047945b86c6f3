"""The order export (订单报表) and the item export (宝贝报表) read by DuckDB's own CSV reader.

The fast path of ``engine_duckdb``: :func:`load_orders` and :func:`load_items` put into its
``orders`` and ``items`` tables exactly the rows :func:`~beancount_tmall.orders.sources.order_records`
and :func:`~beancount_tmall.orders.sources.item_values` give, or nothing and ``None``: the caller
then reads the file with the strict parser (``formats/``), which reads it or says what is wrong
with it (file, line). The fast path never accepts what the strict parser refuses nor reads a
value differently; anything it cannot vouch for is declined, not guessed:

* the text is :func:`~beancount_tmall.orders.native_text.plain_text`'s (a CSV DuckDB splits like
  Python's csv: no xlsx, no quoted cell, …), not named ``.xlsx``, no line over csv's field limit;
* the header is found as :class:`~beancount_tmall.formats.table.Table` finds it (the format's own
  :class:`~beancount_tmall.formats.table.TableSpec`, the first ``header_rows`` lines), and every
  row has exactly the header's number of cells (DuckDB's ``strict_mode``; a cut row, extra cells
  or a blank row full of commas decline);
* every cell the strict parser reads is checked in SQL against what that parser takes the same
  way: ids ``="123"``, ``'123`` or ``123`` (digits only), amounts ``123``/``123.4``/``123.45`` of at most 12
  integer digits, whole numbers of at most 12 digits (``购买数量`` at least 1), times
  ``YYYY-MM-DD HH:MM:SS`` of a real day in the parser's span of years, texts the parser strips
  without spaces at their ends (Python's ``str.strip`` spaces, full-width and the like included),
  no id an Excel ``1.86E+17`` could be, no ``支付详情`` (any non-empty cell declines), 是/否 cells
  as written; an order id twice declines (the parser refuses it).

Line numbers are the strict parser's (the header's line + k, blank lines counted), written into
the temporary file beside each line since DuckDB's reader has no line number.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from beancount_tmall.formats import table, tmall_items, tmall_orders
from beancount_tmall.orders.native_text import plain_text, write_lines

try:
    import duckdb
except ImportError:  # engine_duckdb runs the Python engine then; nothing here is called
    duckdb = None

#: The characters Python's ``str.strip()`` removes (none lies above U+3000), as an RE2 class.
_SPACES = "".join(f"\\x{{{i:x}}}" for i in range(0x3001) if chr(i).isspace())
_WS = f"[{_SPACES}]"
#: An id Excel may have turned into scientific notation (``clean_id`` refuses such a cell).
_MANGLED = r"\p{Nd}[Ee][+-]\p{Nd}"
#: An order id as the exports write it: ``="123"``, ``'123`` (Excel) or ``123``.
_ID = '="[0-9]+"|\'[0-9]+|[0-9]+'
#: SQL: the order id of a cell of the shape :data:`_ID`.
_TID = ("CASE WHEN starts_with(tid, '=') THEN substr(tid, 3, length(tid) - 3)"
        " WHEN starts_with(tid, '''') THEN substr(tid, 2) ELSE tid END")
_MONEY = r"(?:[0-9]{1,12}(?:\.[0-9]{1,2})?)?"
_WHOLE = "(?:[0-9]{1,12})?"
_TIME = (r"(?:[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]) "
         r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?")
_YES_NO = "是|否|[YyNn01]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|"


def _lit(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _stripped(c: str) -> str:
    """SQL: cell ``c`` reads the same after Python's ``strip()``."""
    return f"NOT regexp_matches({c}, {_lit(f'^{_WS}|{_WS}$')})"


def _id_ok(c: str) -> str:
    """SQL: id cell ``c`` (``clean_id``) is read without refusal; its value is not needed."""
    return f"NOT regexp_matches({c}, {_lit(_MANGLED)})"


def _shapes(patterns: dict[str, str]) -> str:
    """SQL: each cell fully matches its RE2 pattern (one match over the cells joined by commas,
    which no cell holds)."""
    pattern = ",".join(f"(?:{p})" for p in patterns.values())
    return f"regexp_full_match(concat_ws(',', {', '.join(patterns)}), {_lit(pattern)})"


def _cents(c: str) -> str:
    """SQL: the integer cents of money cell ``c`` (of the shape :data:`_MONEY`)."""
    return f"CAST(coalesce(TRY_CAST(nullif({c}, '') AS DECIMAL(14, 2)), 0) * 100 AS BIGINT)"


def _day_ok(c: str) -> str:
    """SQL: time cell ``c`` (of the shape :data:`_TIME`, or empty) is on a real day in the
    parser's span of years."""
    return (
        f"({c} = '' OR ((substr({c}, 9, 2) <= '28' OR TRY_CAST(substr({c}, 1, 10) AS DATE) IS NOT NULL)"
        f" AND substr({c}, 1, 4) BETWEEN '{table.FIRST_YEAR:04d}' AND '{table._LAST_YEAR:04d}'))"
    )


def _sku(c: str) -> tuple[str, str]:
    """SQL: whether ``clean_id`` takes 商家编码 cell ``c`` in a way known here (as it is, or
    written ``="…"`` or ``'…``, nothing to strip), and its value."""
    inner = f"regexp_extract({c}, '^=\"(.+)\"$', 1)"
    quoted = f"substr({c}, 2)"
    general = (
        f"({c} = '' OR (NOT regexp_matches({c}, '^[='']') AND {_stripped(c)})"
        f" OR (regexp_full_match({c}, '=\"(.+)\"') AND {_stripped(inner)})"
        f" OR (regexp_full_match({c}, '''.+') AND {_stripped(quoted)}))"
    )
    # (most are plain like ZS-200: one simple match spares them the general checks)
    ok = (f"CASE WHEN regexp_full_match({c}, '[0-9A-Za-z_.-]+') THEN {_id_ok(c)}"
          f" ELSE {general} AND {_id_ok(c)} END")
    value = (f"CASE WHEN starts_with({c}, '=') THEN {inner}"
             f" WHEN starts_with({c}, '''') THEN {quoted} ELSE {c} END")
    return ok, value


def _read(path: str | Path, spec: table.TableSpec, tmp: Path) -> tuple[Path, dict[str, int], int, int] | None:
    """The data lines of a CSV export as a UTF-8 file for ``read_csv`` (each line preceded by its
    number), the header's columns and width, and the number of lines; ``None``: not for here."""
    if str(path).lower().endswith((".xlsx", ".xlsm")):  # the parser refuses it (not a zip)
        return None
    text = plain_text(path)
    if text is None:
        return None
    # Split as csv splits (``\r`` is only ever before ``\n``); the ``\r`` stays at the end of
    # the lines: DuckDB reads ``\r\n`` files (and refuses a file of mixed line ends: declined).
    lines = text.split("\n")
    if lines[-1] == "":  # the end of the last line
        lines.pop()
    if not lines or max(map(len, lines)) > csv.field_size_limit():
        return None
    found = _header(lines, spec)
    if found is None:
        return None
    head, columns, width = found
    crlf = lines[head].endswith("\r")
    if crlf and not lines[-1].endswith("\r"):  # a last line without its line end
        lines[-1] += "\r"
    # Empty lines are skipped by the parser (and by DuckDB); a blank line of commas is not
    # written apart: its empty order id declines the file.
    empty = "\r" if crlf else ""
    rows = [f"{n},{line}" for n, line in enumerate(lines[head + 1:], head + 2) if line and line != empty]
    fd, name = tempfile.mkstemp(suffix=".csv", dir=tmp)
    os.close(fd)
    return write_lines(rows, Path(name)), columns, width, len(rows)


def _header(lines: list[str], spec: table.TableSpec) -> tuple[int, dict[str, int], int] | None:
    """The header's index among ``lines``, its columns and width, found as ``Table`` finds it."""
    for head, line in enumerate(lines[: spec.header_rows]):
        cells = (line[:-1] if line.endswith("\r") else line).split(",")
        columns = spec.match(cells)
        if columns is not None:
            return head, columns, len(cells)
    return None


def _source(file: Path, width: int, columns: dict[str, int], fields: list[str]) -> str:
    """SQL: ``n`` (the line) and each field's cell (``''`` for a field without a column)."""
    types = ", ".join(["'n': 'BIGINT'", *(f"'c{i}': 'VARCHAR'" for i in range(width))])
    # An empty cell is NULL for read_csv (its ``force_not_null`` is lost when DuckDB reads only
    # some of the columns): coalesced.
    cells = ", ".join(
        f"coalesce(c{columns[f]}, '') AS {f}" if f in columns else f"'' AS {f}" for f in fields
    )
    return (
        f"SELECT n, {cells} FROM read_csv({_lit(str(file))}, delim = ',', quote = '', escape = '',"
        " header = false, auto_detect = false, encoding = 'utf-8',"
        " strict_mode = true, null_padding = false,"
        f" columns = {{{types}}})"
    )


def _load(con, path: Path, spec: table.TableSpec, tmp: Path, sql_of, params: dict) -> int | None:
    """Read ``path`` (:func:`_read`) and run the INSERT ``sql_of(file, columns, width)`` gives:
    the number of rows inserted, or ``None`` (nothing inserted: declined)."""
    read = _read(path, spec, tmp)
    if read is None:
        return None
    file, columns, width, rows = read
    try:
        if not rows:
            return 0
        inserted = con.execute(sql_of(file, columns, width), params).fetchone()[0]
    except duckdb.InvalidInputException:  # a row of another width: the parser refuses or pads it
        return None
    except duckdb.Error:  # anything else DuckDB cannot do with the file (nothing was inserted):
        return None       # the strict parser reads it or says what is wrong with it
    finally:
        file.unlink(missing_ok=True)
    return rows if inserted == rows else None


ORDER_FIELDS = list(tmall_orders.COLUMNS)
#: SQL: the cells of an order are read by the strict parser as they are here.
_ORDER_OK = " AND ".join([
    _shapes({
        "tid": _ID, "pay_detail": "",
        **dict.fromkeys(("goods", "postage", "total", "paid", "refund"), _MONEY),
        **dict.fromkeys(("points_used", "rebate_points", "paid_points"), _WHOLE),
        **dict.fromkeys(("created", "paid_time", "confirmed_time"), _TIME),
        "taobaoke": _YES_NO,
    }),
    *(_day_ok(f) for f in ("created", "paid_time", "confirmed_time")),
    _id_ok("buyer_alipay"), _id_ok("pay_no"), _stripped("status"),
])
#: SQL: the month index of the payment (``sources.month_index``), NULL if never paid.
_MONTH_OF = ("CASE WHEN paid_time = '' THEN NULL ELSE TRY_CAST(substr(paid_time, 1, 4) AS INTEGER) * 12"
             " + TRY_CAST(substr(paid_time, 6, 2) AS INTEGER) - 1 END")
_TAOBAOKE = "(taobaoke IN ('是', 'Y', 'y', '1') OR upper(taobaoke) = 'TRUE')"


def load_orders(con, path: Path, file_id: int, seq0: int, month: int | None, tmp: Path) -> int | None:
    """Insert the orders of one order export into ``orders`` as ``engine_duckdb`` does from
    :func:`~beancount_tmall.orders.sources.order_records` (``seq`` = ``seq0`` + 1, … in file order;
    ``judged``: paid, in month index ``month`` unless it is ``None``); the number of orders, or
    ``None`` with nothing inserted when the strict parser must read the file.

    ``con`` is in autocommit mode: the one INSERT is all or nothing.
    """

    def sql(file: Path, columns: dict[str, int], width: int) -> str:
        taobaoke = _TAOBAOKE if "taobaoke" in columns else "NULL::BOOLEAN"
        return f"""
        INSERT INTO orders
        WITH cells AS ({_source(file, width, columns, ORDER_FIELDS)}),
        v AS MATERIALIZED (
            SELECT n, {_ORDER_OK} AS ok, {_TID} AS tid, {_MONTH_OF} AS mi, {_cents('paid')} AS paid,
                   coalesce(TRY_CAST(nullif(paid_points, '') AS BIGINT), 0) AS points,
                   {_cents('refund')} AS refund, status, {taobaoke} AS taobaoke
            FROM cells
        ),
        good AS (SELECT bool_and(ok IS TRUE) AND count(*) = count(DISTINCT tid) AS good FROM v)
        SELECT tid, mi, mi IS NOT NULL AND ($month IS NULL OR mi = $month), paid, points, refund,
               status, NULL, taobaoke, $file, n, $seq0 + row_number() OVER (ORDER BY n)
        FROM v, good WHERE good.good
        """

    params = {"month": month, "file": file_id, "seq0": seq0}
    return _load(con, path, tmall_orders.SPEC, tmp, sql, params)


ITEM_FIELDS = list(tmall_items.COLUMNS)
_SKU_OK, _SKU = _sku("sku")
#: SQL: the cells of an item line are read by the strict parser as they are here.
_ITEM_OK = " AND ".join([
    _shapes({"tid": _ID, "price": _MONEY, "quantity": "[0-9]{1,12}"}),
    "TRY_CAST(quantity AS BIGINT) > 0", _id_ok("external_no"), _SKU_OK,
])
#: SQL: price x quantity in cents, NULL past BIGINT (cents below 10^15 times a BIGINT count: no
#: HUGEINT overflow whatever the cells).
_VALUE = f"TRY_CAST(CAST({_cents('price')} AS HUGEINT) * TRY_CAST(quantity AS BIGINT) AS BIGINT)"


def load_items(con, path: Path, tmp: Path) -> int | None:
    """Insert ``(tid, sku, cents)`` of every item line of one item export into ``items``, as
    :func:`~beancount_tmall.orders.sources.item_values` yields them; the number of lines, or
    ``None`` with nothing inserted when the strict parser must read the file.

    ``con`` is in autocommit mode: the one INSERT is all or nothing.
    """

    def sql(file: Path, columns: dict[str, int], width: int) -> str:
        return f"""
        INSERT INTO items
        WITH cells AS ({_source(file, width, columns, ITEM_FIELDS)}),
        v AS MATERIALIZED (
            SELECT {_ITEM_OK} AND value IS NOT NULL AS ok, {_TID} AS tid, {_SKU} AS sku, value
            FROM (SELECT *, {_VALUE} AS value FROM cells)
        ),
        good AS (SELECT bool_and(ok IS TRUE) AS good FROM v)
        SELECT tid, sku, value FROM v, good WHERE good.good
        """

    return _load(con, path, tmall_items.SPEC, tmp, sql, {})
