"""Write approvals into a ledger: ``approved-by`` / ``approver-role`` under imported postings.

The Alipay importer books each payment to a buyer (售后赔付) as a posting of its own carrying its
``alipay-serial``; the ``approvals`` plugin reports it until its approval is written under it.
``approve_text`` does that edit on a ledger file's text, found by the serial, so that the
accountant (``tmall-books approve``) or a script (the demo) need not edit by hand::

    Expenses:6601-销售费用:660105-售后赔付              12.00 CNY
      alipay-serial: "20250315200040011100123400000004"
      reason: "质量问题折价"
      memo: "转账 质量问题折价 订单号:4012345678901234"
      approved-by: "王芳"          <- added
      approver-role: "主管"        <- added

An existing ``approved-by`` / ``approver-role`` of that posting is replaced. Nothing else of the
text changes (its comments, order and spacing stay as they are).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from beancount_tmall.plugins.approvals import APPROVER_KEY, ROLE_KEY

_SERIAL = re.compile(r'^([ \t]+)alipay-serial:[ \t]*"([^"]+)"[ \t]*(?:;.*)?$')
_META = re.compile(r"^([ \t]+)[a-z][a-zA-Z0-9_-]*:")


def _quote(value: str) -> str:
    text = str(value).strip()
    if not text or '"' in text or "\\" in text or "\n" in text:
        raise ValueError(f"审批人或职务不能为空, 也不能含引号或换行: {value!r}; not a plain name")
    return f'"{text}"'


def approve_text(text: str, approvals: Mapping[str, tuple[str, str]]) -> tuple[str, set[str]]:
    """``text`` with ``approved-by``/``approver-role`` under each posting whose ``alipay-serial``
    is a key of ``approvals`` (``{serial: (name, role)}``); and the serials found.

    Only posting metadata of an income or expense posting counts (an ``alipay-serial`` indented
    deeper than its transaction's postings, as the importer writes it under a 售后赔付 posting),
    not an entry's own, nor a 待核对 row's.
    """
    for name, role in approvals.values():
        _quote(name), _quote(role)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    found: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _SERIAL.match(line.rstrip("\r\n"))
        if not m or m.group(2) not in approvals or len(m.group(1).expandtabs()) <= 2:
            out.append(line)
            i += 1
            continue
        indent, serial = m.group(1), m.group(2)
        # The posting's metadata block: the lines of the same indent around this one.
        start = len(out)
        while start > 0 and _same(out[start - 1], indent):
            start -= 1
        j = i + 1
        while j < len(lines) and _same(lines[j], indent):
            j += 1
        posting = out[start - 1].split() if start > 0 else []
        account = next((t for t in posting if ":" in t), "")
        if not account.startswith(("Expenses:", "Income:")):  # e.g. a 待核对 row: not approved here
            out.append(line)
            i += 1
            continue
        block = out[start:] + lines[i:j]
        del out[start:]
        block = [b for b in block if not _is_key(b, indent, (APPROVER_KEY, ROLE_KEY))]
        newline = "\r\n" if line.endswith("\r\n") else "\n"
        if block and not block[-1].endswith(("\n", "\r")):
            block[-1] += newline
        name, role = approvals[serial]
        block.append(f"{indent}{APPROVER_KEY}: {_quote(name)}{newline}")
        block.append(f"{indent}{ROLE_KEY}: {_quote(role)}{newline}")
        out += block
        found.add(serial)
        i = j
    return "".join(out), found


def _same(line: str, indent: str) -> bool:
    m = _META.match(line)
    return bool(m) and m.group(1) == indent


def _is_key(line: str, indent: str, keys: tuple[str, ...]) -> bool:
    return any(line.startswith(f"{indent}{key}:") for key in keys)


def approve_files(paths: list[Path], approvals: Mapping[str, tuple[str, str]]) -> dict[Path, set[str]]:
    """Apply :func:`approve_text` to each file (UTF-8), writing back those that change.

    Returns ``{path: serials approved in it}`` for the files written.
    """
    written: dict[Path, set[str]] = {}
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        new, found = approve_text(text, approvals)
        if found and new != text:
            Path(path).write_text(new, encoding="utf-8")
            written[Path(path)] = found
    return written
