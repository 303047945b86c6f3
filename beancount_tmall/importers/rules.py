"""The classification rule table of Alipay statement rows: data (``rules/alipay.toml``), not code.

A store extends or overrides the default table with a TOML of the same shape. Each row must match
exactly one rule among the matching rules of the highest ``priority``; a row no rule takes goes to
``122199-待核对`` (there is no catch-all: a fee can never be booked silently as something else).

What a rule's patterns see:

* ``remark`` (备注) is tried on the whole 备注 and, for a wrapped platform deduction
  ``代扣款（扣款用途：天猫佣金（类目）{tid}扣款，付款方：…）``, on the purpose inside
  (``天猫佣金（类目）{tid}扣款，付款方：…``), so one rule serves the wrapped and the bare form;
* full-width and ASCII parentheses, colons and commas are the same character to every pattern
  (``天猫佣金（类目`` matches ``天猫佣金(类目`` and the other way round);
* ``counterparty`` is searched in 对方账号 and in 对方名称; ``description`` in 业务描述, written
  ``code|text`` when the statement codes it (``0010001|交易收款-交易收款``).

Named groups of the patterns are the rule's :meth:`Rule.captures`: the importer writes them as
posting metadata (``(?P<fee_year>\\d{4})`` -> ``fee-year: "2025"``, ``(?P<reason>…)`` ->
``reason:``), masked for personal data.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from beancount_tmall import accounts
from beancount_tmall.formats.alipay_statement import StatementRow
from beancount_tmall.importers.rowtext import WRAPPERS as _WRAPPERS
from beancount_tmall.importers.rowtext import mask, purpose

KINDS = ("sale", "refund", "other")
DIRECTIONS = ("in", "out", "any")
KEYS = frozenset({
    "name", "account", "biz_type", "remark", "order_no", "counterparty", "description",
    "direction", "kind", "priority", "disabled",
})
_META_CHARS = set(".^$*+?{}[]\\|()")
#: Characters written either full-width or ASCII in real statements: each stands for both.
_WIDTHS = {"（": "（(", "(": "（(", "）": "）)", ")": "）)", "：": "：:", ":": "：:", "，": "，,", ",": "，,"}
_NO_TEST = (None, None)


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
    counterparty: str | None = None
    description: str | None = None
    _remark: tuple = field(default=_NO_TEST, repr=False, compare=False)
    _order_no: tuple = field(default=_NO_TEST, repr=False, compare=False)
    _counterparty: re.Pattern | None = field(default=None, repr=False, compare=False)
    _description: re.Pattern | None = field(default=None, repr=False, compare=False)
    _needles: tuple[str, ...] | None = field(default=None, repr=False, compare=False)
    #: Whether any pattern has a named group (else :meth:`captures` is always ``{}``).
    has_captures: bool = field(default=False, repr=False, compare=False)

    def matches(self, row: StatementRow, remarks: tuple[str, ...] | None = None) -> bool:
        """Whether the row satisfies every key of the rule (``remarks``: see :func:`remarks`)."""
        direction = self.direction
        if direction != "any" and (direction == "in") != (row.amount >= 0):
            return False
        test = self._remark
        if test is not _NO_TEST:
            for text in remarks or _remarks(row.remark):
                if _test(test, text):
                    break
            else:
                return False
        if self._order_no is not _NO_TEST and not _test(self._order_no, row.order_no):
            return False
        if self._counterparty is not None and not _search_counterparty(self._counterparty, row):
            return False
        if self._description is not None and not self._description.search(_description(row)):
            return False
        return True

    def captures(self, row: StatementRow) -> dict[str, str]:
        """The named groups of the rule's patterns that matched ``row``, masked.

        Group ``fee_year`` -> key ``fee-year``, ``reason`` -> ``reason`` (``_`` becomes ``-``);
        groups that did not take part in the match are left out. Meant as posting metadata.
        """
        found: dict[str, str] = {}
        if not self.has_captures:
            return found
        regex = self._remark[1]
        if isinstance(regex, re.Pattern) and regex.groupindex:
            for text in _remarks(row.remark):
                m = regex.match(text)
                if m:
                    _collect(m, found)
                    break
        regex = self._order_no[1]
        if isinstance(regex, re.Pattern) and regex.groupindex:
            m = regex.match(row.order_no)
            if m:
                _collect(m, found)
        regex = self._counterparty
        if regex is not None and regex.groupindex:
            m = regex.search(row.counterparty) or regex.search(row.counterparty_name)
            if m:
                _collect(m, found)
        regex = self._description
        if regex is not None and regex.groupindex:
            m = regex.search(_description(row))
            if m:
                _collect(m, found)
        return found


def _collect(m: re.Match, found: dict[str, str]) -> None:
    for name, value in m.groupdict().items():
        if value:
            found.setdefault(name.replace("_", "-"), mask(value.strip(), lone_is_name=False))


def _remarks(remark: str) -> tuple[str, ...]:
    """The texts a ``remark`` pattern is tried on: the purpose of a wrapped deduction, then
    the whole 备注."""
    if remark.startswith(_WRAPPERS):
        return (purpose(remark), remark)
    return (remark,)


remarks = _remarks


def _description(row: StatementRow) -> str:
    code = getattr(row, "description_code", "")
    return f"{code}|{row.description}" if code else row.description


def _search_counterparty(regex: re.Pattern, row: StatementRow) -> bool:
    return bool(
        (row.counterparty and regex.search(row.counterparty))
        or (row.counterparty_name and regex.search(row.counterparty_name))
    )


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
    parts, depth, start, i, n = [], 0, 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":  # a character class: its | and ( are literal
            i += 2 if pattern[i + 1 : i + 2] == "]" else 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def tolerant(pattern: str) -> str:
    """``pattern`` rewritten so that each literal full-width or ASCII parenthesis, colon and comma
    accepts both widths (``天猫佣金（类目`` -> ``天猫佣金[（(]类目``).

    Regex syntax is left alone: groups ``(…)``, ``(?:``, ``(?P<name>``, quantifiers ``{1,2}``.
    """
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append(f"[{_WIDTHS[nxt]}]" if nxt in _WIDTHS else pattern[i : i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            head, chars = pattern[i:j], []
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\" and j + 1 < n:
                    nxt = pattern[j + 1]
                    chars.append(_WIDTHS[nxt] if nxt in "()" else pattern[j : j + 2])
                    j += 2
                else:
                    chars.append(_WIDTHS.get(pattern[j], pattern[j]))
                    j += 1
            out.append(head + "".join(chars) + "]")
            i = j + 1
        elif c == "(" and pattern.startswith("(?", i):
            m = re.compile(r"\(\?(?:P<\w+>|P=\w+\)|<[=!]|[:=!]|#[^)]*\)|[aiLmsux-]+[:)])").match(pattern, i)
            j = m.end() if m else i + 2
            out.append(pattern[i:j])
            i = j
        elif c == "{":
            m = re.compile(r"\{\d*(?:,\d*)?\}").match(pattern, i)
            j = m.end() if m else i + 1
            out.append(pattern[i:j])
            i = j
        elif c in "（）：:，,":
            out.append(f"[{_WIDTHS[c]}]")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _literal_prefix(alt: str) -> tuple[str, bool]:
    """The literal text ``alt`` starts with, and whether ``alt`` is only that text."""
    chars, i, n = [], 0, len(alt)
    while i < n:
        c = alt[i]
        if c == "\\" and i + 1 < n and not alt[i + 1].isalnum():
            chars.append(alt[i + 1])
            step = 2
        elif c in _META_CHARS:
            if c in "*?{" and chars:
                chars.pop()
            return "".join(chars), False
        else:
            chars.append(c)
            step = 1
        i += step
    return "".join(chars), True


def _widths(prefix: str) -> list[str]:
    """Every spelling of ``prefix`` with full-width or ASCII parentheses, colons and commas."""
    variants = [""]
    for c in prefix:
        variants = [v + w for v in variants for w in _WIDTHS.get(c, c)]
    return variants


def _close(pattern: str, i: int) -> int:
    """The index of the parenthesis closing the group opened at ``pattern[i]`` (-1: none)."""
    depth, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


_OPENER = re.compile(r"\((?:\?P<\w+>|\?:)?")


def _leading_literals(alt: str) -> list[str] | None:
    """Literal texts one of which every match of ``alt`` starts with (``None``: unknown).

    Looks through leading groups: ``(?P<reason>保证金理赔.*)`` -> ``["保证金理赔"]``,
    ``(?:好评返现|赔付)…`` -> ``["好评返现", "赔付"]``.
    """
    if alt.startswith("("):
        opener = _OPENER.match(alt)
        close = _close(alt, 0)
        if opener is None or close < 0 or alt[close + 1 : close + 2] in ("?", "*", "{"):
            return None
        if opener.end() == 1 and alt.startswith("(?"):
            return None  # a lookaround or flags
        found: list[str] = []
        for inner in _alternatives(alt[opener.end() : close]):
            literals = _leading_literals(inner)
            if not literals:
                return None
            found.extend(literals)
        return found
    prefix, _ = _literal_prefix(alt)
    return [prefix] if prefix else None


def compile_test(pattern: str | None) -> tuple:
    """A cheap test for ``re.match(pattern, value)``: literal prefixes first, regex if needed.

    Returns ``(prefixes or None, compiled regex, "" for "empty value" or None)``. Parentheses,
    colons and commas match in either width (:func:`tolerant`).
    """
    if pattern is None:
        return _NO_TEST
    if pattern in ("$", "^$"):
        return (None, "")
    regex = re.compile(tolerant(pattern))
    alternatives = _alternatives(pattern)
    if all(_literal_prefix(alt) == (alt, True) and alt for alt in alternatives):
        return (tuple(dict.fromkeys(w for alt in alternatives for w in _widths(alt))), None)
    prefixes = []
    for alt in alternatives:
        literals = _leading_literals(alt)
        if not literals:
            return (None, regex)
        prefixes.extend(w for lit in literals for w in _widths(lit))
    return (tuple(dict.fromkeys(prefixes)), regex)


def needles(pattern: str | None) -> tuple[str, ...] | None:
    """For a searching pattern (``.*集运``, ``.*?(?P<reason>好评返现|赔付)``): texts one of which
    a matching value contains (in either width), else ``None``."""
    if pattern is None:
        return None
    found: list[str] = []
    for alt in _alternatives(pattern):
        alt = alt.removeprefix("^")
        if not alt.startswith(".*"):
            return None
        literals = _leading_literals(alt[3:] if alt.startswith(".*?") else alt[2:])
        if not literals:
            return None
        found.extend(w for lit in literals for w in _widths(lit))
    return tuple(dict.fromkeys(found))


def _account(value: str, where: str) -> str:
    if ":" in value:
        try:
            return accounts.check_valid(value)
        except ValueError as exc:
            raise RuleError(f"{where}: {exc}") from None
    account = getattr(accounts, value, None)
    if not value.isupper() or not isinstance(account, str):
        raise RuleError(
            f"{where}: 未知科目 {value!r}; unknown account {value!r}: use a constant of "
            "beancount_tmall.accounts (e.g. COMMISSION_RECEIVABLE) or a full account name"
        )
    return account


def make_rule(spec: Mapping, where: str) -> Rule:
    """A :class:`Rule` from one TOML ``[[rule]]`` table."""
    unknown = set(spec) - KEYS
    if unknown:
        raise RuleError(f"{where}: 未知的键 {sorted(unknown)}; unknown keys {sorted(unknown)}")
    if not spec.get("name") or not spec.get("account"):
        raise RuleError(f"{where}: 规则需要 name 与 account; a rule needs a name and an account")
    direction = spec.get("direction", "any")
    kind = spec.get("kind", "other")
    if direction not in DIRECTIONS:
        raise RuleError(f"{where}: direction {direction!r} 须为 {DIRECTIONS} 之一; is not one of {DIRECTIONS}")
    if kind not in KINDS:
        raise RuleError(f"{where}: kind {kind!r} 须为 {KINDS} 之一; is not one of {KINDS}")
    priority = spec.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise RuleError(f"{where}: priority {priority!r} 须为整数; priority {priority!r} is not an integer")
    for key in ("biz_type", "remark", "order_no", "counterparty", "description"):
        if key in spec and not isinstance(spec[key], str):
            raise RuleError(f"{where}: {key} {spec[key]!r} 不是文本; is not a text (a regex)")
    try:
        if spec.get("biz_type") is not None:
            re.compile(spec["biz_type"])
        remark, order_no = compile_test(spec.get("remark")), compile_test(spec.get("order_no"))
        counterparty = spec.get("counterparty")
        counterparty = re.compile(tolerant(counterparty)) if counterparty is not None else None
        description = spec.get("description")
        description = re.compile(tolerant(description)) if description is not None else None
    except re.error as exc:
        raise RuleError(f"{where}: 正则表达式有误; bad regex: {exc}") from None
    return Rule(
        name=spec["name"],
        account=_account(spec["account"], where),
        biz_type=spec.get("biz_type"),
        remark=spec.get("remark"),
        order_no=spec.get("order_no"),
        direction=direction,
        kind=kind,
        priority=priority,
        counterparty=spec.get("counterparty"),
        description=spec.get("description"),
        _remark=remark,
        _order_no=order_no,
        _counterparty=counterparty,
        _description=description,
        _needles=needles(spec.get("remark")) if remark[0] is None else None,
        has_captures=any(
            isinstance(regex, re.Pattern) and bool(regex.groupindex)
            for regex in (remark[1], order_no[1], counterparty, description)
        ),
    )


_CACHE_LIMIT = 4096


def search_needles(pattern: str | None) -> tuple[str, ...] | None:
    """For a pattern used with ``re.search``: texts one of which a matching value contains."""
    if pattern is None:
        return None
    found: list[str] = []
    for alt in _alternatives(pattern):
        alt = alt.removeprefix("^")
        alt = alt[3:] if alt.startswith(".*?") else alt[2:] if alt.startswith(".*") else alt
        literals = _leading_literals(alt)
        if not literals:
            return None
        found.extend(w for lit in literals for w in _widths(lit))
    return tuple(found)


def _gate(words: Iterable[str]) -> re.Pattern | None:
    words = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


class RuleTable:
    """The rules, indexed so a row is tried only against the rules that may take it.

    * rules with literal 备注 or 商户订单号 prefixes are tried on the rows whose 备注 (or wrapped
      purpose) and 商户订单号 start with the right characters (the candidates of each 业务类型,
      direction and first characters are computed once);
    * rules that search the 备注 for a word (``.*集运``) are tried only when one regex of all those
      words finds one in the 备注;
    * rules keyed only on the counterparty or 业务描述 (``side`` rules) are tried only when one regex
      of their words finds one in those cells.
    """

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        self._side = [
            r for r in self.rules
            if (r._counterparty is not None or r._description is not None)
            and r._remark[0] is None and r._needles is None
        ]
        self._searching = [r for r in self.rules if r._needles is not None]
        apart = set(map(id, self._side)) | set(map(id, self._searching))
        self._main = [r for r in self.rules if id(r) not in apart]
        self._gate = _gate(n for r in self._searching for n in r._needles)
        side_words: list[str] = []
        self._side_always = False
        for r in self._side:
            words = [
                search_needles(p) for p in (r.counterparty, r.description) if p is not None
            ]
            if all(w is not None for w in words):
                side_words.extend(words[0])  # one key's words are enough to gate the rule
            else:
                self._side_always = True
        self._side_gate = _gate(side_words)
        self._searching_top = max([r.priority for r in self._searching], default=0)
        self._side_top = max([r.priority for r in self._side], default=0)
        self._candidates: dict[tuple, list[Rule]] = {}
        self._typed: dict[str, tuple[list[Rule], list[Rule]]] = {}

    def _for_type(self, biz_type: str) -> tuple[list[Rule], list[Rule]]:
        """The side and the searching rules that may take a row of this 业务类型."""
        typed = self._typed.get(biz_type)
        if typed is None:
            typed = self._typed[biz_type] = (
                [r for r in self._side if _fits(r, biz_type)],
                [r for r in self._searching if _fits(r, biz_type)],
            )
        return typed

    def _main_candidates(self, key: tuple) -> list[Rule]:
        biz_type, order_char, income = key[0], key[3], key[4]
        chars = [c for c in key[1:3] if c is not None]
        found = [
            r for r in self._main
            if _fits(r, biz_type)
            and (r.direction == "any" or (r.direction == "in") == income)
            and (r._remark[0] is None or any(c.startswith(p[:4]) for p in r._remark[0] for c in chars))
            and (r._order_no[0] is None or any(p[0] == order_char for p in r._order_no[0]))
        ]
        if len(self._candidates) >= _CACHE_LIMIT:
            self._candidates.clear()
        self._candidates[key] = found
        return found

    def _key(self, row: StatementRow) -> tuple[tuple, tuple[str, ...]]:
        remark = row.remark
        if remark.startswith(_WRAPPERS):
            texts = _remarks(remark)
            return (row.biz_type, remark[:4], texts[0][:4], row.order_no[:1], row.amount >= 0), texts
        return (row.biz_type, remark[:4], None, row.order_no[:1], row.amount >= 0), (remark,)

    def _searched(self, row: StatementRow) -> list[Rule]:
        """The searching rules worth testing on ``row`` (none unless the gate finds a word)."""
        gate = self._gate
        if gate is not None and row.remark and gate.search(row.remark):
            return self._for_type(row.biz_type)[1]
        return []

    def _sided(self, row: StatementRow) -> list[Rule]:
        """The side rules worth testing on ``row``."""
        if not self._side:
            return []
        gate = self._side_gate
        if self._side_always or (gate is not None and (
            (row.counterparty and gate.search(row.counterparty))
            or (row.counterparty_name and gate.search(row.counterparty_name))
            or (row.description and gate.search(_description(row)))
        )):
            return self._for_type(row.biz_type)[0]
        return []

    def candidates(self, row: StatementRow) -> tuple[list[Rule], tuple[str, ...]]:
        """The rules worth testing on ``row`` and the texts its ``remark`` patterns see."""
        key, texts = self._key(row)
        rules = self._candidates.get(key)
        if rules is None:
            rules = self._main_candidates(key)
        return rules + self._searched(row) + self._sided(row), texts

    def classify_all(self, row: StatementRow) -> list[Rule]:
        """Every rule that matches ``row``, whatever its priority."""
        rules, texts = self.candidates(row)
        return [r for r in rules if r.matches(row, texts)]

    def classify(self, row: StatementRow) -> list[Rule]:
        """The rules of the highest ``priority`` that match ``row`` (exactly one is expected).

        The searching and side rules are not even tried when a rule of a higher priority than
        theirs already matched (they could not change the result).
        """
        remark = row.remark
        if remark.startswith("代扣款") and remark.startswith(_WRAPPERS):
            texts = _remarks(remark)
            key = (row.biz_type, remark[:4], texts[0][:4], row.order_no[:1], row.amount >= 0)
        else:
            texts = (remark,)
            key = (row.biz_type, remark[:4], None, row.order_no[:1], row.amount >= 0)
        rules = self._candidates.get(key)
        if rules is None:
            rules = self._main_candidates(key)
        matched = [r for r in rules if r.matches(row, texts)]
        if len(matched) == 1:
            top = matched[0].priority
        else:
            top = max([r.priority for r in matched], default=None)
        if top is None or top <= self._searching_top:
            more = [r for r in self._searched(row) if r.matches(row, texts)]
            if more:
                matched += more
                top = max(r.priority for r in matched)
        if top is None or top <= self._side_top:
            matched += [r for r in self._sided(row) if r.matches(row, texts)]
        if len(matched) > 1:
            top = max(r.priority for r in matched)
            matched = [r for r in matched if r.priority == top]
        return matched


def _fits(rule: Rule, biz_type: str) -> bool:
    return rule.biz_type is None or re.fullmatch(rule.biz_type, biz_type) is not None


DEFAULT_RULES = resources.files("beancount_tmall") / "rules" / "alipay.toml"


#: The store's own rule table, kept beside ``main.beancount``.
STORE_RULES = "rules.toml"


def ledger_rules(ledger: str | Path, rules: str | Path | None = None) -> str | Path | None:
    """The rule table for an import into ``ledger``: ``rules`` if given, else the store's
    :data:`STORE_RULES` beside the ledger if there is one (else ``None``: the defaults)."""
    if rules is None and (Path(ledger).parent / STORE_RULES).is_file():
        return Path(ledger).parent / STORE_RULES
    return rules


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
                raise RuleError(f"{path}: 规则需要 name; a rule needs a name")
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


# --- rules --explain ------------------------------------------------------------------------------


@dataclass
class Taken:
    """What one rule took from a statement: rows, money in and money out."""

    rows: int = 0
    income: Decimal = Decimal(0)
    expense: Decimal = Decimal(0)


@dataclass
class Explanation:
    """How a rule table classifies every row of one statement (``tmall-books rules --explain``)."""

    path: str
    rows: int = 0
    taken: dict[str, Taken] = field(default_factory=dict)
    unmatched: list[StatementRow] = field(default_factory=list)
    ambiguous: list[tuple[StatementRow, list[str]]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every row taken by exactly one rule."""
        return not self.unmatched and not self.ambiguous


def explain(source: str | Path, table: RuleTable) -> Explanation:
    """Classify every row of the statement at ``source`` (any layout the parser reads).

    Raises :class:`~beancount_tmall.formats.common.SourceError` for a file the parser refuses.
    """
    from beancount_tmall.formats.alipay_statement import AlipayStatement

    statement = AlipayStatement(source)
    result = Explanation(str(source))
    taken = result.taken
    for row in statement:
        result.rows += 1
        matched = table.classify(row)
        if not matched:
            result.unmatched.append(row)
            continue
        if len(matched) > 1:
            result.ambiguous.append((row, [r.name for r in matched]))
            continue
        counts = taken.get(matched[0].name)
        if counts is None:
            counts = taken[matched[0].name] = Taken()
        counts.rows += 1
        if row.amount >= 0:
            counts.income += row.amount
        else:
            counts.expense += row.amount
    result.path = str(statement.path)
    return result


def _width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def render_explanation(result: Explanation, table: RuleTable, suspense: str = accounts.SUSPENSE) -> str:
    """The explanation as text for the accountant (Chinese headings)."""
    accounts_of = {r.name: r.account for r in table.rules}
    lines = [f"分类规则说明 / rules explained: {result.path}, 共 {result.rows} 行", ""]
    names = sorted(result.taken, key=lambda n: (-result.taken[n].rows, n))
    name_w = max([_width("规则")] + [_width(n) for n in names]) + 2
    account_w = max([_width("科目")] + [_width(accounts_of[n]) for n in names]) + 2
    lines.append(
        f"{_pad('规则', name_w)}{_pad('科目', account_w)}{_rpad('笔数', 8)}{_rpad('收入', 18)}"
        f"{_rpad('支出', 18)}"
    )
    total = Taken()
    for name in names:
        t = result.taken[name]
        total.rows += t.rows
        total.income += t.income
        total.expense += t.expense
        lines.append(
            f"{_pad(name, name_w)}{_pad(accounts_of[name], account_w)}{t.rows:>8}"
            f"{t.income:>18,.2f}{t.expense:>18,.2f}"
        )
    lines.append(
        f"{_pad('合计', name_w)}{_pad('', account_w)}{total.rows:>8}"
        f"{total.income:>18,.2f}{total.expense:>18,.2f}"
    )
    unused = [r.name for r in table.rules if r.name not in result.taken]
    if unused:
        lines.append(f"未用到的规则 / rules that took no row: {', '.join(unused)}")
    lines.append("")
    lines.append(
        f"无规则认领的行 / rows no rule takes: {len(result.unmatched)}"
        + (f" (导入时记入 {suspense})" if result.unmatched else "")
    )
    for row in result.unmatched:
        lines.append(_row_line(result.path, row))
    lines.append(f"被多条规则认领的行 / rows several rules take: {len(result.ambiguous)}"
                 + (" (导入会被拒绝; the import stops)" if result.ambiguous else ""))
    for row, names_ in result.ambiguous:
        lines.append(f"{_row_line(result.path, row)}  规则: {', '.join(names_)}")
    lines.append("")
    lines.append(
        "全部行均已分类 / every row is classified" if result.complete
        else "有未分类的行: 请在规则文件中补充规则 (--rules store.toml) / some rows are not classified"
    )
    return "\n".join(lines) + "\n"


def _row_line(path: str, row: StatementRow) -> str:
    remark = mask(row.remark) or "(无备注)"
    return f"  {path}:{row.line}  {row.biz_type}  {remark}  {row.amount:,.2f}"
