"""利润表 and 资产负债表: the statutory statements of a month or a year, from the ledger as it is.

The forms are data (``reports/mappings/small.toml``: 小企业会计准则 会小企01表/会小企02表, the default;
``general.toml``: 一般企业财务报表格式 会企01表/会企02表). Each line of a form is either the sum of the
accounts whose 科目编码 starts with one of its prefixes (an account goes to the line with the
longest matching prefix), or a formula of other lines (合计, 总计, 营业利润 …). An account with postings
that no line takes is an error the statement lists, never a figure dropped.

结转损益 is done here, not in the ledger (DESIGN §4): the ledger's income and expense accounts are
never closed, so the balance sheet's 未分配利润 takes 本年利润 (4103), 利润分配 (4104) and every
损益类 account (code 6…) up to the period end. Profit of earlier years that was never transferred
is in it too, so on a ledger of several years 年初余额 of 未分配利润 holds the earlier years' profit
and 期末余额 adds this year's::

    2025-01-01 * "期初余额" "期初余额表" #opening
      Assets:1002-银行存款                       200000.00 CNY
      Equity:4001-实收资本                      -200000.00 CNY
    2025-03-15 * "天猫" "交易成功" #tmall-sale
      Assets:1012-其他货币资金:101201-支付宝       1130.00 CNY
      Income:6001-主营业务收入                    -1000.00 CNY
      Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额  -130.00 CNY

    资产负债表 2025-03       期末余额     年初余额    利润表 2025-03   本年累计金额  本月金额
    货币资金 1             201,130.00  200,000.00    一、营业收入 1     1,000.00   1,000.00
    应交税费 36                130.00                四、净利润 32      1,000.00   1,000.00
    实收资本 48            200,000.00  200,000.00
    未分配利润 51            1,000.00

A ``#opening`` transaction (``tmall-books init --opening``) is the books' 期初余额: it counts as
booked at the end of the day before, so opening balances written on 01-01 are the 年初余额, not the
year's movement, and the 本年累计 profit and loss a mid-year 建账 brings is in 本年累计金额.

The balance sheet must balance, column by column (资产总计 = 负债和所有者权益总计, the form's ``check``):
an imbalance is an error naming the difference. An account whose balance is on the wrong side for
its line moves to the form's ``contra`` line (应收账款 with a credit balance is shown as 预收账款 …),
judged on the sum of the accounts under the rule's code prefix, per column; on the 小企业 form a
debit balance of 应交税费 stays on its line with a minus sign, as the form's instructions say.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from beancount_tmall.reports import balances
from beancount_tmall.reports.render import Cell, Column, Table, money

ZERO = Decimal(0)

#: The mapping files shipped with the package, by ``--standard`` name.
MAPPINGS = Path(__file__).resolve().parent / "mappings"
STANDARDS = ("small", "general")

#: The column kinds a form may use: for 利润表 a period, for 资产负债表 a point in time.
INCOME_COLUMNS = ("month", "ytd", "year", "prior_year")
BALANCE_COLUMNS = ("end", "year_start")

SIDES = {"debit": 1, "credit": -1}


class MappingError(ValueError):
    """A mapping file that cannot be used (the message names the file and the line)."""


class StatementError(ValueError):
    """The statement has errors (unmapped accounts, the balance sheet does not balance)."""


# ---------------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class LineDef:
    """One line of a form as the mapping defines it."""

    key: str
    name: str
    row: int | None
    sign: int  # +1: a debit balance is positive on this line; -1: a credit balance
    accounts: tuple[str, ...] = ()
    formula: tuple[tuple[int, str], ...] = ()
    detail: bool = False
    header: bool = False
    counter: tuple[str, ...] = ()
    half: int = 1
    parent: str | None = None  # the main line a detail line belongs to

    @property
    def computed(self) -> bool:
        return bool(self.formula)


@dataclass(frozen=True)
class Form:
    """One statement format: its lines, columns, contra rules and balance check."""

    kind: str  # "balance" | "income"
    title: str
    form: str
    columns: dict[str, tuple[tuple[str, str], ...]]  # "month" | "year" -> ((title, kind), …)
    lines: tuple[LineDef, ...]
    contra: tuple[tuple[str, str], ...] = ()  # (code prefix, line key)
    notes: tuple[tuple[str, str], ...] = ()  # (code prefix, text)
    check: tuple[str, str] | None = None
    headings: tuple[str, ...] = ()

    def line(self, key: str) -> LineDef:
        return self._by_key[key]

    @functools.cached_property
    def _by_key(self) -> dict[str, LineDef]:
        return {line.key: line for line in self.lines if not line.header}

    @functools.cached_property
    def _prefixes(self) -> list[tuple[str, LineDef]]:
        """(prefix, main line), longest prefix first."""
        pairs = [(p, line) for line in self.lines if not line.detail for p in line.accounts]
        return sorted(pairs, key=lambda pair: -len(pair[0]))

    def main_line(self, code: str) -> LineDef | None:
        """The line an account of this 科目编码 goes to (longest prefix), or None."""
        if not code:
            return None
        return next((line for prefix, line in self._prefixes if code.startswith(prefix)), None)


@dataclass(frozen=True)
class Mapping:
    """A standard's two forms, read from its mapping file."""

    standard: str
    name: str
    path: Path
    balance: Form
    income: Form


def _fail(path: Path, where: str, message: str) -> MappingError:
    return MappingError(f"{path}: {where}: {message}")


def _parse_formula(path: Path, key: str, text: str) -> tuple[tuple[int, str], ...]:
    """``"A + B - C"`` → ((1, "A"), (1, "B"), (-1, "C"))."""
    tokens = text.split()
    if not tokens or len(tokens) % 2 == 0:
        raise _fail(path, key, f"公式 {text!r} 应为 “项目 + 项目 - 项目” (formula: lines joined by + and -)")
    terms = [(1, tokens[0])]
    for op, name in zip(tokens[1::2], tokens[2::2], strict=True):
        if op not in "+-" or len(op) != 1:
            raise _fail(path, key, f"公式 {text!r} 中的 {op!r} 不是 + 或 - (formula operator)")
        terms.append((1 if op == "+" else -1, name))
    return tuple(terms)


def _form(path: Path, kind: str, raw: dict[str, Any]) -> Form:
    allowed = INCOME_COLUMNS if kind == "income" else BALANCE_COLUMNS
    columns: dict[str, tuple[tuple[str, str], ...]] = {}
    for mode in ("month", "year"):
        cols = raw.get("columns", {}).get(mode)
        if not cols:
            raise _fail(path, f"[{kind}] columns.{mode}", "缺少栏目 (columns missing)")
        for col in cols:
            if len(col) != 2 or col[1] not in allowed:
                raise _fail(path, f"[{kind}] columns.{mode}", f"{col!r}: 栏目应为 [标题, 取数], 取数为 {allowed} 之一")
        columns[mode] = tuple((str(t), str(k)) for t, k in cols)
    lines: list[LineDef] = []
    sign = parent_sign = 1
    parent: str | None = None
    for number, item in enumerate(raw.get("lines", []), start=1):
        name = item.get("name")
        if not name:
            raise _fail(path, f"[{kind}] 第 {number} 行", "缺少 name (line without a name)")
        unknown = set(item) - {"key", "name", "row", "side", "accounts", "formula", "detail", "header", "counter", "half"}
        if unknown:
            raise _fail(path, name, f"未知的字段 {sorted(unknown)} (unknown fields)")
        if item.get("header"):
            lines.append(LineDef(name, name, None, 1, header=True, half=int(item.get("half", 1))))
            continue
        if item.get("side", "debit") not in SIDES:
            raise _fail(path, name, f"side = {item['side']!r}, 应为 debit 或 credit")
        detail = bool(item.get("detail"))
        if detail:
            if parent is None:
                raise _fail(path, name, "其中项之前没有主项目 (a detail line needs a line above it)")
            line_sign = SIDES[item["side"]] if "side" in item else parent_sign
        else:
            if "side" in item:
                sign = SIDES[item["side"]]
            line_sign = sign
            parent, parent_sign = str(item.get("key", name)), sign
        formula = _parse_formula(path, name, item["formula"]) if "formula" in item else ()
        if formula and (item.get("accounts") or item.get("counter")):
            raise _fail(path, name, "一行不能同时有 formula 和 accounts/counter")
        for prefix in (*item.get("accounts", ()), *item.get("counter", ())):
            if not str(prefix).isdigit():
                raise _fail(path, name, f"科目编码前缀 {prefix!r} 应为数字 (account code prefix)")
        lines.append(
            LineDef(
                key=str(item.get("key", name)),
                name=str(name),
                row=item.get("row"),
                sign=line_sign,
                accounts=tuple(str(p) for p in item.get("accounts", ())),
                formula=formula,
                detail=detail,
                counter=tuple(str(p) for p in item.get("counter", ())),
                half=int(item.get("half", 1)),
                parent=parent if detail else None,
            )
        )
    form = Form(
        kind=kind,
        title=str(raw.get("title", "")),
        form=str(raw.get("form", "")),
        columns=columns,
        lines=tuple(lines),
        contra=tuple((str(c["code"]), str(c["to"])) for c in raw.get("contra", ())),
        notes=tuple((str(n["code"]), str(n["text"])) for n in raw.get("notes", ())),
        check=tuple(raw["check"]) if "check" in raw else None,  # type: ignore[arg-type]
        headings=tuple(raw.get("headings", ())),
    )
    _validate(path, form)
    return form


def _validate(path: Path, form: Form) -> None:
    keys = [line.key for line in form.lines if not line.header]
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise _fail(path, key, "项目名重复 (duplicate line key)")
        seen.add(key)
    rows = [line.row for line in form.lines if line.row is not None]
    if len(rows) != len(set(rows)):
        raise _fail(path, f"[{form.kind}]", "行次重复 (duplicate row numbers)")
    prefixes: dict[str, str] = {}
    for line in form.lines:
        if line.detail:
            continue
        for prefix in line.accounts:
            if prefix in prefixes:
                raise _fail(path, line.key, f"科目编码 {prefix} 已归入 {prefixes[prefix]} (code mapped twice)")
            prefixes[prefix] = line.key
    referenced = [name for line in form.lines for _, name in line.formula]
    referenced += [to for _, to in form.contra] + list(form.check or ())
    for name in referenced:
        if name not in seen:
            raise _fail(path, name, f"引用的项目 {name!r} 不存在 (no such line)")
    for code, to in form.contra:
        if form.main_line(code) is None:
            raise _fail(path, code, "contra 的科目编码不属于任何项目 (contra code maps to no line)")
        target = form.line(to)
        if target.formula or target.detail:
            raise _fail(path, to, "contra 只能改列到取科目数的主项目, 不能是公式或其中项 (contra target must be an account line)")
    for line in form.lines:
        if line.row is not None and not isinstance(line.row, int):
            raise _fail(path, line.key, f"行次 {line.row!r} 应为整数 (row must be a whole number)")

    def visit(key: str, stack: tuple[str, ...]) -> None:
        if key in stack:
            raise _fail(path, key, f"公式循环引用: {' → '.join((*stack, key))} (formula cycle)")
        for _, name in form.line(key).formula:
            visit(name, (*stack, key))

    for key in keys:
        visit(key, ())


@functools.lru_cache(maxsize=16)
def load_mapping(standard: str | Path = "small") -> Mapping:
    """The mapping of ``standard`` (``small``, ``general``, or the path of a TOML file)."""
    path = Path(standard) if str(standard).endswith(".toml") else MAPPINGS / f"{standard}.toml"
    if not path.is_file():
        raise MappingError(f"没有报表格式 {standard!r}: 应为 {', '.join(STANDARDS)} 或映射文件路径 (unknown standard)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: 不是有效的 TOML: {exc} (not valid TOML)") from exc
    for kind in ("balance", "income"):
        if kind not in raw:
            raise MappingError(f"{path}: 缺少 [{kind}] 表 (missing table)")
    return Mapping(
        standard=path.stem,
        name=str(raw.get("name", path.stem)),
        path=path,
        balance=_form(path, "balance", raw["balance"]),
        income=_form(path, "income", raw["income"]),
    )


# ---------------------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Line:
    """One printed line: its figures per column (None: nothing maps to it), the accounts behind them."""

    key: str
    name: str
    row: int | None
    kind: str  # "header" | "item" | "detail" | "total"
    half: int
    values: tuple[Decimal | None, ...]
    accounts: tuple[str, ...] = ()


@dataclass
class Statement:
    """A filled-in form: 利润表 or 资产负债表 for one period, with its errors and notes."""

    kind: str  # "income" | "balance"
    standard: str
    title: str
    form: str
    entity: str
    label: str  # the period: "2025-03" or "2025"
    date_text: str  # as printed on the form: 2025年3月31日 / 2025年3月
    columns: tuple[str, ...]
    periods: tuple[tuple[datetime.date, datetime.date], ...]  # per column, [start, end)
    lines: list[Line]
    headings: tuple[str, ...] = ()
    check: tuple[str, str] | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)

    def value(self, key: str, column: int = 0) -> Decimal:
        """A line's figure in a column (0 when nothing maps to it)."""
        return self.line(key).values[column] or ZERO

    @property
    def with_rows(self) -> bool:
        """Whether the form has a 行次 column (the 一般企业 forms have none)."""
        return any(line.row is not None for line in self.lines)

    def check_errors(self) -> None:
        """Raise :class:`StatementError` when the statement has errors."""
        if self.errors:
            raise StatementError("\n".join(self.errors))

    def table(self) -> Table:
        """The form as a :class:`render.Table` (资产负债表 side by side, as printed)."""
        head = f"{self.title}（{self.form}）" if self.form else self.title
        notes = [f"编制单位：{self.entity}    {self.date_text}    单位：元", *self.notes, *(f"错误：{e}" for e in self.errors)]
        with_rows = self.with_rows
        if self.kind == "income":
            columns = [Column("项目")] + ([Column("行次", "right")] if with_rows else [])
            columns += [Column(c, "right") for c in self.columns]
            rows = [self._cells(line, with_rows) for line in self.lines]
            return Table(head, columns, rows, [], notes)
        pairs, totals = self.sides()
        blank: list[Cell] = [None] * (1 + with_rows + len(self.columns))

        def cells(line: Line | None) -> list[Cell]:
            return blank if line is None else self._cells(line, with_rows)

        rows = [cells(a) + cells(b) for a, b in pairs]
        footer = [cells(totals[0]) + cells(totals[1])] if totals else []
        columns = []
        for heading in self.headings or ("资产", "负债和所有者权益"):
            columns += [Column(heading)] + ([Column("行次", "right")] if with_rows else [])
            columns += [Column(c, "right") for c in self.columns]
        return Table(head, columns, rows, footer, notes)

    def sides(self) -> tuple[list[tuple[Line | None, Line | None]], tuple[Line, Line] | None]:
        """资产负债表 as printed: (left line, right line) pairs, and the two totals of the last row."""
        left = [line for line in self.lines if line.half == 1]
        right = [line for line in self.lines if line.half == 2]
        totals = None
        if self.check:
            totals = (self.line(self.check[0]), self.line(self.check[1]))
            left = [x for x in left if x.key != totals[0].key]
            right = [x for x in right if x.key != totals[1].key]
        size = max(len(left), len(right))
        pairs = [(left[i] if i < len(left) else None, right[i] if i < len(right) else None) for i in range(size)]
        return pairs, totals

    @staticmethod
    def _cells(line: Line, with_rows: bool) -> list[Cell]:
        name = f"　　{line.name}" if line.kind == "detail" else line.name
        cells: list[Cell] = [name] + ([line.row] if with_rows else [])
        return cells + list(line.values)


def _clean(value: Decimal) -> Decimal:
    """``-0`` as ``0`` (a negated empty sum)."""
    return value if value else ZERO


def _openings_first(entries: Iterable[data.Directive]) -> list[data.Directive]:
    """The entries with the 建账 transaction (``#opening``) booked at the end of the day before.

    So a 期初余额表 written on 01-01 is the 年初余额; one written mid-year (books moved from another
    system on 07-01) is in 期末余额 and, for the 损益类 本年累计发生额 it brings, in 本年累计金额, but
    neither in 年初余额 nor in July's 本月金额. (``balances.activity`` treats ``#opening`` as the
    opening balance of every period; as an ordinary entry of the day before it gives the above.)
    """
    out = []
    for entry in entries:
        if balances.is_opening(entry):
            entry = entry._replace(
                date=entry.date - datetime.timedelta(days=1),
                tags=frozenset(entry.tags - {balances.OPENING_TAG}),
            )
        out.append(entry)
    return out


def _year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 1, 1)


def _column_periods(
    form: Form, mode: str, start: datetime.date, end: datetime.date
) -> list[tuple[str, str, datetime.date, datetime.date]]:
    """(title, kind, from, to) per column: a period [from, to), or for a balance the point ``to``."""
    out = []
    for title, kind in form.columns[mode]:
        if kind in ("month", "year"):
            span = (start, end)
        elif kind == "ytd":
            span = (_year_start(start), end)
        elif kind == "prior_year":
            span = (datetime.date(start.year - 1, 1, 1), _year_start(start))
        elif kind == "end":
            span = (_year_start(start), end)
        else:  # year_start
            span = (_year_start(start), _year_start(start))
        out.append((title, kind, *span))
    return out


def _date_text(kind: str, mode: str, start: datetime.date, end: datetime.date) -> str:
    last = end - datetime.timedelta(days=1)
    if kind == "balance":
        return f"{last.year}年{last.month}月{last.day}日"
    return f"{start.year}年度" if mode == "year" else f"{start.year}年{start.month}月"


def _in_scope(form: Form, account: str) -> bool:
    return form.kind == "balance" or account.split(":", 1)[0] in ("Income", "Expenses")


def build_statement(
    entries: Sequence[data.Directive],
    options: dict[str, Any] | None,
    kind: str,
    month: str | None = None,
    year: int | None = None,
    standard: str | Path = "small",
) -> Statement:
    """利润表 (``kind="income"``) or 资产负债表 (``kind="balance"``) for ``month`` or ``year``."""
    mapping = load_mapping(standard)
    form = mapping.income if kind == "income" else mapping.balance
    start, end, label = balances.period(month=month, year=year)
    mode = "month" if month else "year"
    entries = _openings_first(entries)
    specs = _column_periods(form, mode, start, end)

    figures, foreign = _column_figures(entries, specs)
    errors = [
        f"{meta.get('filename')}:{meta.get('lineno')}: {posting.account} {posting.units} "
        f"不是人民币, 未计入报表 (a posting not in CNY is left out of the statement)"
        for entry, posting in foreign
        if _in_scope(form, posting.account)
        for meta in [posting.meta or entry.meta or {}]
    ]
    accounts = sorted({acc for fig in figures for acc in fig if _in_scope(form, acc)})
    home: dict[str, LineDef] = {}
    for account in accounts:
        line = form.main_line(balances.code_of(account))
        if line is None:
            shown = ", ".join(f"{title} {money(fig.get(account, ZERO))}" for (title, *_), fig in zip(specs, figures, strict=True))
            errors.append(
                f"科目 {account} 不属于{form.title}的任何项目 ({mapping.path.name}; {shown}): 请在映射中加入它的科目编码 "
                f"(account maps to no line of the {kind} statement)"
            )
        else:
            home[account] = line
    assigned = [_with_contra(form, home, fig) for fig in figures]

    # Lines from accounts.
    values: dict[str, list[Decimal | None]] = {}
    behind: dict[str, set[str]] = defaultdict(set)
    for line in form.lines:
        if line.header or line.formula:
            continue
        column_values = []
        for col, fig in enumerate(figures):
            if line.counter:
                a, b = specs[col][2], specs[col][3]
                total, used = _counter_sum(entries, a, b, form.line(line.parent or line.key), line.counter)
                behind[line.key].update(used)
                column_values.append(_clean(-line.sign * total) if used else None)
                continue
            if line.detail:
                members = [acc for acc in home if any(balances.code_of(acc).startswith(p) for p in line.accounts)]
            else:
                members = [acc for acc, key in assigned[col].items() if key == line.key]
            shown = [acc for acc in members if fig.get(acc)]
            behind[line.key].update(shown)
            total = sum((fig[acc] for acc in shown), ZERO)
            column_values.append(_clean(line.sign * total) if shown else None)
        values[line.key] = column_values

    @functools.cache
    def evaluate(key: str, col: int) -> Decimal:
        line = form.line(key)
        if not line.formula:
            return values[key][col] or ZERO
        return _clean(sum((s * evaluate(name, col) for s, name in line.formula), ZERO))

    lines: list[Line] = []
    for line in form.lines:
        if line.header:
            lines.append(Line(line.key, line.name, None, "header", line.half, (None,) * len(specs)))
            continue
        if line.formula:
            shown = tuple(evaluate(line.key, c) for c in range(len(specs)))
            kind_of = "detail" if line.detail else "total"
        else:
            shown = tuple(values[line.key])
            kind_of = "detail" if line.detail else "item"
        lines.append(Line(line.key, line.name, line.row, kind_of, line.half, shown, tuple(sorted(behind[line.key]))))

    titles = tuple(title for title, *_ in specs)
    if form.check:
        left, right = form.check
        for col, title in enumerate(titles):
            a, b = evaluate(left, col), evaluate(right, col)
            if a != b:
                errors.append(
                    f"{form.title}不平: {title} {left} {money(a)} ≠ {right} {money(b)}, 差额 {money(a - b)} "
                    f"(the balance sheet does not balance: difference {money(a - b)})"
                )
    notes = []
    for code, text in form.notes:
        sums = [sum((v for acc, v in fig.items() if balances.code_of(acc).startswith(code)), ZERO) for fig in figures]
        if any(sums):
            notes.append(f"{text}: " + ", ".join(f"{t} {money(s)}" for t, s in zip(titles, sums, strict=True)))
    if kind == "balance":
        notes.append("未分配利润 = 本年利润 + 利润分配 + 尚未结转的损益类科目余额 (结转损益在报表中计算, 账簿不结账)")
    return Statement(
        kind=kind,
        standard=mapping.standard,
        title=form.title,
        form=form.form,
        entity=str((options or {}).get("title") or ""),
        label=label,
        date_text=_date_text(kind, mode, start, end),
        columns=titles,
        periods=tuple((a, b) for _, _, a, b in specs),
        lines=lines,
        headings=form.headings,
        check=form.check,
        errors=errors,
        notes=notes,
    )


def _column_figures(
    entries: Sequence[data.Directive], specs: list[tuple[str, str, datetime.date, datetime.date]]
) -> tuple[list[dict[str, Decimal]], list[tuple[data.Transaction, data.Posting]]]:
    """Per column, each account's figure (debit positive): the period's movement, or a balance;
    and the postings not in CNY that the figures leave out."""
    acts: dict[tuple[datetime.date, datetime.date], balances.PeriodActivity] = {}
    figures = []
    for _, kind, a, b in specs:
        if (a, b) not in acts:
            acts[(a, b)] = balances.activity(entries, a, b)
        found = acts[(a, b)]
        if kind == "end":
            figures.append({acc: x.closing for acc, x in found.items()})
        elif kind == "year_start":
            figures.append({acc: x.opening for acc, x in found.items()})
        else:
            figures.append({acc: x.closing - x.opening for acc, x in found.items()})
    foreign = {(id(e), id(p)): (e, p) for found in acts.values() for e, p in found.foreign}
    return figures, list(foreign.values())


def _with_contra(form: Form, home: dict[str, LineDef], fig: dict[str, Decimal]) -> dict[str, str]:
    """Each account's line in one column: its own, or the ``contra`` line when the accounts under
    the rule's code prefix together have a balance on the wrong side of their line."""
    where = {acc: line.key for acc, line in home.items()}
    moved: set[str] = set()
    for code, target in form.contra:
        own = form.main_line(code)
        assert own is not None  # checked when the mapping was read
        group = [
            acc for acc in home
            if acc not in moved and home[acc].key == own.key and balances.code_of(acc).startswith(code)
        ]
        if sum((fig.get(acc, ZERO) for acc in group), ZERO) * own.sign < 0:
            where.update(dict.fromkeys(group, target))
            moved.update(group)
    return where


def _counter_sum(
    entries: Sequence[data.Directive], start: datetime.date, end: datetime.date, parent: LineDef, counter: tuple[str, ...]
) -> tuple[Decimal, set[str]]:
    """The postings to ``counter`` accounts in the transactions of [start, end) that also post to
    the accounts of ``parent`` (e.g. 222104 城建税 credited by the entries that charge 6403)."""
    total, used = ZERO, set()
    if not counter:
        return total, used
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not start <= entry.date < end:
            continue
        codes = [(p, balances.code_of(p.account)) for p in entry.postings]
        if not any(code.startswith(parent.accounts) for _, code in codes if parent.accounts):
            continue
        for posting, code in codes:
            if code.startswith(counter) and posting.units is not None:
                total += posting.units.number
                used.add(posting.account)
    return total, used


def income_statement(
    entries: Sequence[data.Directive],
    options: dict[str, Any] | None = None,
    month: str | None = None,
    year: int | None = None,
    standard: str | Path = "small",
) -> Statement:
    """利润表 for ``month`` ("2025-03": 本年累计金额, 本月金额) or ``year`` (本年, 上年)."""
    return build_statement(entries, options, "income", month, year, standard)


def balance_sheet(
    entries: Sequence[data.Directive],
    options: dict[str, Any] | None = None,
    month: str | None = None,
    year: int | None = None,
    standard: str | Path = "small",
) -> Statement:
    """资产负债表 at the end of ``month`` or ``year`` (期末余额, 年初余额), 结转损益 included."""
    return build_statement(entries, options, "balance", month, year, standard)
