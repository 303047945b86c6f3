"""Helpers shared by the format parsers: decoding, cell and id cleaning, amounts, errors.

The files Alipay and Tmall let a seller download are GBK (read as gb18030, its superset) or UTF-8
with or without a BOM; their cells carry trailing tabs and spaces, ids are protected from Excel as
``="123"`` or ``'123``, and an id Excel already rewrote as ``2.0881E+15`` has lost its digits for
good. Every problem is a :class:`SourceError` naming the file and line.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import re
import zipfile
import zlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

#: How many bytes are looked at to guess the encoding and identify a file.
HEAD_SIZE = 64 * 1024


def fast_init(cls: type) -> type:
    """Give a frozen dataclass (without slots) an ``__init__`` that sets all fields at once.

    The ``__init__`` dataclasses generate for frozen classes calls ``object.__setattr__`` once per
    field, which costs more than reading the CSV row itself when a statement has millions of rows.
    Equality, hashing, ``repr`` and immutability stay those of the dataclass.
    """
    fields = dataclasses.fields(cls)
    params = [f.name if f.default is dataclasses.MISSING else f"{f.name}=_d_{f.name}" for f in fields]
    values = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    namespace = {f"_d_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    exec(  # noqa: S102 (code built from the dataclass's own field names)
        f"def __init__(self, {', '.join(params)}):\n"
        f"    object.__setattr__(self, '__dict__', {{{values}}})\n",
        namespace,
    )
    cls.__init__ = namespace["__init__"]
    return cls


class SourceError(Exception):
    """A problem in a source file; ``str()`` is ``file:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        super().__init__(path, line, message)
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def sniff_encoding(head: bytes) -> str:
    """The codec for a file starting with ``head``: utf-8-sig, utf-8 or gb18030.

    A head that holds the words of our headers (账务明细, 订单编号 …) in one encoding only is in
    that encoding, however damaged elsewhere. Otherwise, a head that is UTF-8 but for a few bytes (a damaged UTF-8 file: at most 2 bad sequences, or
    one per 200 good non-ASCII characters; adjacent bad bytes, such as a character whose lead
    byte was changed, count as one) is UTF-8, so that reading it names the line of the bad
    bytes; GBK text read as UTF-8 is almost all errors.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # An incremental decoder accepts a multi-byte sequence cut at the end of ``head``.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # The words every export of ours has, found in one encoding only, say which it is.
    in_utf8 = any(word in head for word in _ANCHORS_UTF8)
    if in_utf8 != any(word in head for word in _ANCHORS_GBK):
        return "utf-8" if in_utf8 else "gb18030"
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(head, final=False)
    wide = len(_NON_ASCII.findall(text)) - text.count("\ufffd")
    bad = len(_BAD_RUN.findall(text))
    if bad <= max(2, wide // 200):
        return "utf-8"
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
    except UnicodeDecodeError:
        # Neither decodes. A burst of garbage in one line of a small UTF-8 file is a few damaged
        # sequences on that line only: UTF-8, so that reading names the line.
        if len({text.count("\n", 0, m.start()) for m in _BAD_RUN.finditer(text)}) == 1:
            return "utf-8"
    return "gb18030"


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
#: Words of the statement, trade detail, order export, invoice register and 期初余额表 headers.
_ANCHORS = ("账务明细", "业务明细", "账务流水号", "入账时间", "订单编号", "发票号码", "科目编码")
_ANCHORS_UTF8 = tuple(word.encode() for word in _ANCHORS)
_ANCHORS_GBK = tuple(word.encode("gbk") for word in _ANCHORS)
_BAD_RUN = re.compile("\ufffd+")


def decode(data: bytes, path: str | Path = "<bytes>") -> str:
    """Decode a whole small file; undecodable bytes are a :class:`SourceError` with the line."""
    encoding = sniff_encoding(data[:HEAD_SIZE])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, decode_message(encoding, exc)) from None


def decode_message(encoding: str, exc: UnicodeDecodeError) -> str:
    """What to tell a person whose file does not decode."""
    bad = exc.object[exc.start : exc.start + 4]
    return (
        f"字节 {bad!r} 不是有效的 {encoding} 编码 (文件被另存为其他编码或被截断?); "
        f"bytes {bad!r} are not valid {encoding}: expected a GBK/GB18030 or UTF-8 file "
        "as Alipay/Tmall export it (was the file re-saved in another encoding or cut?)"
    )


#: The most a zip entry may inflate to, and by how much it may inflate (CSV compresses 5-15 times).
MAX_ENTRY_SIZE = 2 * 1024**3
MAX_RATIO = 50
#: Entries up to this size are not held to :data:`MAX_RATIO` (tiny files compress oddly).
RATIO_FREE_SIZE = 1024**2
#: Errors a zip entry may raise while it is read (bad CRC, corrupt deflate stream, cut file, an
#: offset outside the file).
ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


def zip_entry_problem(
    info: zipfile.ZipInfo,
    max_size: int = MAX_ENTRY_SIZE,
    max_ratio: int = MAX_RATIO,
    ratio_free: int = RATIO_FREE_SIZE,
) -> str | None:
    """What makes an entry unfit to read: encrypted, compressed by an unknown method, or a zip
    bomb (inflating past ``max_size``, or above ``ratio_free`` bytes by more than ``max_ratio``
    times); ``None`` if nothing. The text follows the words that name the entry.

    Only stored and deflated entries are read: zipfile bounds their output by the declared size,
    so the caps hold.
    """
    size, packed = info.file_size, max(info.compress_size, 1)
    if info.flag_bits & 0x1:
        return "已加密, 无法读取; the entry is encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return (
            f"的压缩方式 {info.compress_type} 不受支持 (只支持 stored/deflate); "
            f"unknown compression method {info.compress_type}"
        )
    if size > max_size:
        return f"解压后 {size} 字节, 超过上限 {max_size}, 疑为压缩炸弹; entry too large"
    if size > ratio_free and size > max_ratio * packed:
        return (
            f"压缩比异常 ({info.compress_size} 字节解压为 {size} 字节, 上限 {max_ratio} 倍), "
            f"疑为压缩炸弹, 不是导出的文件; compression ratio above {max_ratio}: not an export "
            "(a zip bomb?)"
        )
    return None


def check_zip_entry(info: zipfile.ZipInfo, display: str) -> None:
    """Refuse an entry of an Alipay bill zip that :func:`zip_entry_problem` finds unfit.

    ``display`` names the zip and entry (``bill.zip!x.csv``).
    """
    problem = zip_entry_problem(info)
    if problem:
        raise SourceError(display, None, "压缩包条目" + problem)


def zip_read_message(exc: BaseException) -> str:
    """What to tell a person whose zip entry does not inflate (the entry is named before it:
    zipfile's own wording would repeat its name undecoded)."""
    exc = re.sub(r" for file '.*'$", "", str(exc))
    return f"压缩包条目已损坏 ({exc}), 请重新下载; the zip entry is damaged: {exc}"


def entry_name(info: zipfile.ZipInfo) -> str:
    """A zip entry's name decoded properly: Alipay writes it in GBK without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def zip_names(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Entry names of a zip decoded properly: Alipay writes them in GBK without the UTF-8 flag.

    Two entries of one name are a ``ValueError``: reading one of them would lose the other.
    """
    names = {}
    for info in zf.infolist():
        name = entry_name(info)
        if name in names:
            raise ValueError(
                f"压缩包中有两个同名条目 {name}, 无法确定读哪一个, 请重新下载; "
                f"the zip holds two entries named {name}"
            )
        names[name] = info
    return names


def read_head(path: str | Path, pick: Callable[[list[str]], str | None] | None = None) -> bytes:
    """The first bytes of a file, or of the zip entry ``pick`` chooses among the names."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_SIZE)
    if head.startswith(b"PK\x03\x04") and pick is not None:
        try:
            with zipfile.ZipFile(path) as zf:
                names = zip_names(zf)
                name = pick(list(names))
                if name is None:
                    return b""
                info = names[name]
                check_zip_entry(info, f"{path}!{name}")
                with zf.open(info) as entry:
                    return entry.read(HEAD_SIZE)
        except (SourceError, RuntimeError, NotImplementedError, ValueError, *ZIP_READ_ERRORS):
            return b""
    return head


def head_text(head: bytes) -> str:
    """``head`` decoded leniently, for identification only."""
    return head.decode(sniff_encoding(head), errors="replace")


def decode_error_at(binary: BinaryIO, encoding: str, where: str) -> SourceError:
    """The :class:`SourceError` naming the first line of ``binary`` that is not ``encoding``
    (b"\\n" is never part of a GBK or UTF-8 character, so lines are counted on the bytes)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    number = 1
    for number, line in enumerate(binary, 1):
        try:
            decoder.decode(line)
        except UnicodeDecodeError as exc:
            return SourceError(where, number, decode_message(encoding, exc))
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # a character cut at the end of the file
        return SourceError(where, number, decode_message(encoding, exc))
    return SourceError(where, None, f"不是有效的 {encoding} 文本; not valid {encoding}")


def clean(cell: str) -> str:
    """A cell without the tabs and spaces around it."""
    return cell.strip()


_MANGLED = re.compile(r"[+-]?\d+(?:\.\d+)?[Ee][+-]?\d+")


def clean_id(cell: str) -> str:
    """An id cell cleaned of ``="…"``, a leading ``'`` and whitespace.

    Raises ``ValueError`` for an id Excel rewrote in scientific notation (``2.0881E+15``): its
    digits are lost and only the original export can give them back.
    """
    cell = cell.strip()
    if not cell:
        return cell
    first = cell[0]
    if first == "=" and cell[1:2] == '"' and cell[-1] == '"':
        cell = cell[2:-1].strip()
    elif first == "'":
        cell = cell[1:].strip()
    if ("E+" in cell or "e+" in cell or "E-" in cell) and _MANGLED.fullmatch(cell):
        raise ValueError(
            f"编号 {cell!r} 已被 Excel 改写为科学计数法, 数字已丢失, 请使用原始导出文件; "
            f"id {cell!r} was mangled by Excel into scientific notation; "
            "use the original export (do not open and save it in Excel)"
        )
    return cell


#: Amounts must be smaller than this in absolute value (a store's turnover is far below).
AMOUNT_LIMIT = 10**12
_CENT = Decimal("0.01")
_ONE = Decimal(1)


def parse_amount(cell: str) -> Decimal:
    """A money cell as ``Decimal``; empty (or a single space) is zero.

    Only finite decimals with at most two places (more only as trailing zeros, ``1.500``) and
    ``|x| < 10**12`` are amounts; anything else (``NaN``, ``Infinity``, ``1E+999999999``,
    ``1e-999999999``, ``0.001``) raises ``ValueError`` worded in Chinese first.
    """
    cell = cell.strip()
    if not cell:
        return Decimal(0)
    if "," in cell:
        cell = cell.replace(",", "")
    if len(cell) > 40 or "_" in cell:
        raise ValueError(f"金额 {cell[:40]!r} 不是数字; amount {cell[:40]!r} is not a number")
    try:
        value = Decimal(cell)
    except InvalidOperation:
        raise ValueError(f"金额 {cell!r} 不是数字; amount {cell!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"金额 {cell!r} 不是有限数; amount {cell!r} is not a number")
    if value and value.adjusted() >= 12:  # |value| >= AMOUNT_LIMIT
        raise ValueError(
            f"金额 {cell!r} 超出范围 (绝对值须小于 10^12); amount {cell!r} is out of range"
        )
    _sign, digits, exponent = value.as_tuple()
    if exponent < -2:
        drop = -2 - exponent
        if drop > len(digits) or any(digits[-drop:]):
            raise ValueError(
                f"金额 {cell!r} 超过两位小数 (金额以分为单位); amount {cell!r} has more than two "
                "decimal places"
            )
        value = value.quantize(_CENT)
    elif exponent > 0:
        value = value.quantize(_ONE)
    return value


def parse_datetime(cell: str) -> datetime.datetime:
    """``2025-03-15 10:23:45`` (also with ``/`` or no seconds); ``ValueError`` if not a time."""
    cell = cell.strip()
    try:
        value = datetime.datetime.fromisoformat(cell)
    except ValueError:
        pass
    else:
        if value.tzinfo is None:
            return value
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(cell.replace("/", "-"), fmt)
        except ValueError:
            pass
    raise ValueError(
        f"时间 {cell[:40]!r} 不是 2025-03-15 10:23:45 这样的日期时间; "
        f"time {cell[:40]!r} is not a date and time like 2025-03-15 10:23:45"
    ) from None


def normalize_header(cell: str) -> str:
    """A header name cleaned, with ASCII parentheses turned full-width as Alipay writes them."""
    return cell.strip().lstrip("\ufeff").replace("(", "（").replace(")", "）")
