"""The classification rule table of Alipay statement rows: data (``rules/alipay.toml``), not code.

A store extends or overrides the default table with a TOML of the same shape. Each row must match
exactly one rule among the matching rules of the highest ``priority``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from beancount_tmall import accounts
from beancount_tmall.formats.alipay_statement import StatementRow

KINDS = ("sale", "refund", "other")
DIRECTIONS = ("in", "out", "any")
_META_CHARS = set(".^$*+?{}[]\\|()")


class RuleError(Exception):
    """A rule table that cannot be used (bad TOML, unknown account, bad regex)."""


@dataclass(frozen=True)
class Rule:
    """One classification rule (see the header of ``rules/alipay.toml`` for the keys)."""

    name: str
    account: str
    biz_type: str | None = None
    remark: str | None = None
    order_no: str | None = None
    direction: str = "any"
    kind: str = "other"
    priority: int = 0
    _remark: tuple = field(default=(None, None), repr=False, compare=False)
    _order_no: tuple = field(default=(None, None), repr=False, compare=False)

    def matches(self, row: StatementRow) -> bool:
        direction = self.direction
        if direction != "any" and (direction == "in") != (row.amount >= 0):
            return False
        return _test(self._remark, row.remark) and _test(self._order_no, row.order_no)


def _test(test: tuple, value: str) -> bool:
    prefixes, regex = test
    if prefixes is not None and not value.startswith(prefixes):
        return False
    if regex is not None:
        if regex == "":
            return not value
        return regex.match(value) is not None
    return True


def _alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|``."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def compile_test(pattern: str | None) -> tuple:
    """A cheap test for ``re.match(pattern, value)``: literal prefixes first, regex if needed.

    Returns ``(prefixes or None, compiled regex, "" for "empty value" or None)``.
    """
    if pattern is None:
        return (None, None)
    if pattern in ("$", "^$"):
        return (None, "")
    regex = re.compile(pattern)
    prefixes, literal = [], True
    for alt in _alternatives(pattern):
        n = 0
        while n < len(alt) and alt[n] not in _META_CHARS:
            n += 1
        prefix = alt[:n]
        if n < len(alt):
            literal = False
            if alt[n] in "*?{" and prefix:
                prefix = prefix[:-1]
        if not prefix:
            return (None, regex)
        prefixes.append(prefix)
    return (tuple(prefixes), None if literal else regex)


def _account(value: str, where: str) -> str:
    if ":" in value:
        try:
            return accounts.check_valid(value)
        except ValueError as exc:
            raise RuleError(f"{where}: {exc}") from None
    account = getattr(accounts, value, None)
    if not value.isupper() or not isinstance(account, str):
        raise RuleError(
            f"{where}: unknown account {value!r}: use a constant of beancount_tmall.accounts "
            "(e.g. COMMISSION_RECEIVABLE) or a full account name"
        )
    return account


def make_rule(spec: Mapping, where: str) -> Rule:
    """A :class:`Rule` from one TOML ``[[rule]]`` table."""
    unknown = set(spec) - {
        "name", "account", "biz_type", "remark", "order_no", "direction", "kind", "priority", "disabled"
    }
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    if not spec.get("name") or not spec.get("account"):
        raise RuleError(f"{where}: a rule needs a name and an account")
    direction = spec.get("direction", "any")
    kind = spec.get("kind", "other")
    if direction not in DIRECTIONS:
        raise RuleError(f"{where}: direction {direction!r} is not one of {DIRECTIONS}")
    if kind not in KINDS:
        raise RuleError(f"{where}: kind {kind!r} is not one of {KINDS}")
    priority = spec.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise RuleError(f"{where}: priority {priority!r} is not an integer")
    try:
        if spec.get("biz_type") is not None:
            re.compile(spec["biz_type"])
        remark, order_no = compile_test(spec.get("remark")), compile_test(spec.get("order_no"))
    except re.error as exc:
        raise RuleError(f"{where}: bad regex: {exc}") from None
    return Rule(
        name=spec["name"],
        account=_account(spec["account"], where),
        biz_type=spec.get("biz_type"),
        remark=spec.get("remark"),
        order_no=spec.get("order_no"),
        direction=direction,
        kind=kind,
        priority=priority,
        _remark=remark,
        _order_no=order_no,
    )


class RuleTable:
    """The rules, with the candidates for each 业务类型 computed once."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        self._by_type: dict[str, dict[str | None, list[Rule]]] = {}

    def _index(self, biz_type: str) -> dict[str | None, list[Rule]]:
        """For one 业务类型: remark's first character -> the rules worth testing."""
        rules = [r for r in self.rules if r.biz_type is None or re.fullmatch(r.biz_type, biz_type)]
        by_char: dict[str | None, list[Rule]] = {None: [r for r in rules if r._remark[0] is None]}
        for char in {p[0] for r in rules if r._remark[0] for p in r._remark[0]}:
            by_char[char] = [
                r for r in rules if r._remark[0] is None or any(p[0] == char for p in r._remark[0])
            ]
        self._by_type[biz_type] = by_char
        return by_char

    def classify(self, row: StatementRow) -> list[Rule]:
        """The rules of the highest ``priority`` that match ``row`` (exactly one is expected)."""
        by_char = self._by_type.get(row.biz_type) or self._index(row.biz_type)
        rules = by_char.get(row.remark[:1]) or by_char[None]
        matched = [r for r in rules if r.matches(row)]
        if len(matched) > 1:
            top = max(r.priority for r in matched)
            matched = [r for r in matched if r.priority == top]
        return matched


DEFAULT_RULES = resources.files("beancount_tmall") / "rules" / "alipay.toml"


def load_rules(path: str | Path | None = None) -> RuleTable:
    """The default rule table, extended/overridden by the store's TOML at ``path``."""
    table = _read_rules(DEFAULT_RULES.read_text(encoding="utf-8"), "rules/alipay.toml")
    specs = {spec["name"]: spec for spec in table.get("rule", [])}
    if path is not None:
        store = _read_rules(Path(path).read_text(encoding="utf-8"), str(path))
        if store.get("replace_defaults"):
            specs = {}
        for spec in store.get("rule", []):
            if not spec.get("name"):
                raise RuleError(f"{path}: a rule needs a name")
            if spec.get("disabled"):
                specs.pop(spec["name"], None)
            else:
                specs[spec["name"]] = spec
    return RuleTable(make_rule(spec, f"rule {name!r}") for name, spec in specs.items())


def _read_rules(text: str, where: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{where}: {exc}") from None
