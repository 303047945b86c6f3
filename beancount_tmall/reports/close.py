"""``tmall-books close LEDGER --month YYYY-MM``: 月末结账 — VAT, surtaxes, income tax.

Seed 000 (会计手工做账流程): "月末还要提取税金及附加 … 城建税, 教育费附加等" and "转入后如果差额在贷方则
说明盈利需交所得税, 计算方法, 所得税=贷方差额*所得税税率 … 借所得税 贷应交税金--应交所得税". 结转损益
itself is never written: the statements compute it (DESIGN §4).

For the month the close computes, from the loaded ledger (after the plugins), and writes into
``YYYY/MM.beancount`` (``include``d by main.beancount, as ``tmall-books cogs`` does) up to four
entries dated the month's last day, tagged ``#close``, with ``period: "YYYY-MM"`` and ``close``:

1. ``close: "vat-rounding"`` — 销项税额尾差. The ``sales`` plugin rounds each posting's VAT on its
   own; the VAT return computes it on the month's tax-inclusive sales. Gross sales of the month =
   −(postings to ``Income:6001-主营业务收入`` and ``22210102-销项税额`` dated in the month): sales,
   refunds, points paid back, returns, in every mode (daily aggregation or ``--per-row``). Output
   VAT = round_half_up(gross × r / (1 + r)) at the rate of the taxpayer setting on each posting's
   day (``beancount_tmall.tax``); the difference from the VAT booked moves between 销项税额 and
   主营业务收入 (gross unchanged). 100 sales of 1.00 split one by one book 100 × 0.12 = 12.00 of
   VAT; 13/113 × 100.00 = 11.504 → 11.50, so::

       2025-03-31 * "结账" "2025-03 销项税额尾差调整" #close
         period: "2025-03"
         close: "vat-rounding"
         Liabilities:2221-应交税费:222101-应交增值税:22210102-销项税额     0.50 CNY
         Income:6001-主营业务收入                                        -0.50 CNY

2. ``close: "vat"`` — 转出未交增值税. 应纳税额 = 销项税额 − 进项税额 + 进项税额转出 − 上期留抵税额
   (a 小规模纳税人: the levy, nothing deducted). The balances of 销项税额 and (一般纳税人) 进项税额 are
   cleared and the payable credited to ``222102-未交增值税``. When it is not positive nothing is
   payable: no entry, and the balances stay (期末留抵税额, carried into next month's 上期留抵).
   进项税额 = the debits to ``22210101`` in the month, 进项税额转出 = its credits (red-letter
   invoices, 转出), 上期留抵 = the debit balance of 22210101 + 22210102 before the month.
3. ``close: "surtax"`` — 税金及附加 on the VAT payable: 城市维护建设税 7% (``222104``), 教育费附加
   3% (``222105``), 地方教育附加 2% (``222106``), each rounded half-up, debited together to
   ``Expenses:6403-税金及附加``; halved (六税两费减半) when configured.
4. ``close: "income-tax"`` — at a quarter end (March, June, September, December): 企业所得税 预缴
   on the profit of the year to date (income − expenses from 01-01, this close's entries included,
   所得税费用 excluded) × the rate, less the income tax already booked in the year; debited to
   ``Expenses:6801-所得税费用``, credited to ``222107-应交企业所得税``. With every quarter profitable
   this is the quarter's profit × the rate; a loss is carried inside the year; nothing is booked
   when the result is not positive (a prepayment is not refunded in the year).

The rates come from the ledger's ``custom "tmall-close"`` directive (see ``beancount_tmall.tax``:
``city-rate``, ``education-rate``, ``local-education-rate``, ``surtax-halving`` (auto: halved for
a 小规模纳税人), ``income-tax-rate`` (25%), ``small-profit`` with ``small-profit-rate`` (5%) up to
``small-profit-limit`` (3,000,000 of year-to-date profit)).

Safety: a ledger with any bean-check error is refused (the errors listed); so is a month the
ledger has not reached (no transaction or balance on or after its last day), and a month whose
opening 应交增值税 has a credit balance (an earlier month was not closed: close the months in
order; a credit the 期初余额表 brought in, ``#opening``, is payable with the first month closed). Idempotent: the close entries already in the ledger for the month (``#close`` with its
``period``) are left out of the computation and compared with it, kind by kind: the same figures
add nothing; different figures (the ledger changed after the close, e.g. a re-import) are reported
with both amounts and nothing is written — delete that month's ``#close`` entries to close it
again.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.core import data

from beancount_tmall import accounts, tax
from beancount_tmall.importers import filing
from beancount_tmall.plugins import sales
from beancount_tmall.plugins._common import (
    ZERO,
    judged_date,
    month_first,
    month_last,
    parse_month,
    posting,
    round_cents,
)
from beancount_tmall.reports.render import Column, Table, html_page, render, write

TAG = "close"
PERIOD = "period"
KIND = "close"
#: The kinds of close entries, in the order they are computed and written.
KINDS = ("vat-rounding", "vat", "surtax", "income-tax")
LABELS = {
    "vat-rounding": "销项税额尾差调整",
    "vat": "转出未交增值税",
    "surtax": "计提税金及附加",
    "income-tax": "计提企业所得税",
}
PAYEE = "结账"
#: Errors listed before "… and N more" when the ledger has errors.
SHOWN_ERRORS = 20


class CloseFailed(filing.PlanFailed):
    """The month cannot be closed; ``messages`` say why (nothing was written)."""


@dataclass
class VatReturn:
    """The 增值税申报 summary figures of a month (positive amounts)."""

    month: str
    taxpayer: tax.Taxpayer
    gross: Decimal = ZERO  # 含税销售额 (net of refunds)
    sales: Decimal = ZERO  # 销售额 (不含税)
    output: Decimal = ZERO  # 销项税额 (小规模: 应纳税额 before deductions) on the month's gross
    booked_output: Decimal = ZERO  # as booked per posting, before the rounding entry
    input: Decimal = ZERO  # 进项税额
    transfer_out: Decimal = ZERO  # 进项税额转出
    carried_in: Decimal = ZERO  # 上期留抵税额
    payable: Decimal = ZERO  # 应纳税额 (本期应补 / 未交增值税)
    carried_out: Decimal = ZERO  # 期末留抵税额
    rates: tuple = ()  # the rates the month's sales were taxed at
    opening_output: Decimal = ZERO  # balance of 22210102 before the month (credit negative)
    opening_input: Decimal = ZERO  # balance of 22210101 before the month (一般纳税人)
    from_opening: Decimal = ZERO  # the part of those balances the 期初余额表 (#opening) brought

    @property
    def rounding(self) -> Decimal:
        """Output VAT to add (negative: to take off) so the ledger matches the return."""
        return self.output - self.booked_output


@dataclass
class MonthClose:
    """One month's close: the return, the entries computed, and how they compare with the ledger."""

    month: str
    vat: VatReturn
    settings: tax.CloseSettings
    entries: list[data.Transaction] = field(default_factory=list)  # computed, in KINDS order
    existing: dict = field(default_factory=dict)  # kind -> entry already in the ledger (same figures)
    new: list[data.Transaction] = field(default_factory=list)  # to write
    changed: list[str] = field(default_factory=list)  # messages: the ledger differs
    profit: Decimal | None = None  # year-to-date profit at a quarter end
    income_tax_rate: Decimal | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class CloseResult:
    """What ``plan_close`` computed for the months, and the plan that writes the new entries."""

    months: list[MonthClose]
    plan: filing.Plan | None = None


# --------------------------------------------------------------------------- computation


def _is_close(entry: data.Directive, month: str | None = None) -> bool:
    if not isinstance(entry, data.Transaction) or TAG not in (entry.tags or ()):
        return False
    if month is None:
        return True
    period = (entry.meta or {}).get(PERIOD)
    return (str(period) if period is not None else f"{entry.date:%Y-%m}") == month


def _general_rate(options: dict) -> Decimal:
    """The ``sales`` plugin's ``vat_rate`` as the ledger configures it (13% by default)."""
    for name, config in options.get("plugin", ()) or ():
        if name == sales.PLUGIN:
            return sales.read_config(config)[0]["vat_rate"]
    return tax.GENERAL_RATE


def _entry(month: str, kind: str, postings: list[data.Posting]) -> data.Transaction:
    meta = data.new_metadata("<tmall-books close>", 0)
    meta[PERIOD] = month
    meta[KIND] = kind
    return data.Transaction(
        meta, month_last(month), "*", PAYEE, f"{month} {LABELS[kind]}",
        frozenset({TAG}), data.EMPTY_SET, postings,
    )


def _cny(account: str, number: Decimal) -> data.Posting:
    return posting(account, number, accounts.CURRENCY)


def vat_return(entries: Sequence[data.Directive], month: str, general_rate: Decimal = tax.GENERAL_RATE) -> VatReturn:
    """The month's VAT figures from ``entries`` (which must not hold this month's close entries)."""
    first, last = month_first(month), month_last(month)
    payers = tax.timeline(entries)
    payer = payers.at(last, general_rate)
    ret = VatReturn(month, payer)
    gross_by_rate: dict[Decimal, Decimal] = {}
    opening_out = opening_in = ZERO  # balances of 22210102 and (deductible) 22210101 before the month
    revenue, prefix = accounts.REVENUE, accounts.REVENUE + ":"
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > last:
            continue
        from_opening = "opening" in (entry.tags or ())  # the 期初余额表's entry: balances, not activity
        before = entry.date < first or from_opening
        for p in entry.postings:
            account = p.account
            if p.units is None or p.units.currency != accounts.CURRENCY:
                continue
            number = p.units.number
            if before:
                if account == accounts.OUTPUT_VAT:
                    opening_out += number
                elif account == accounts.INPUT_VAT and payer.deductible_input:
                    opening_in += number
                else:
                    continue
                if from_opening:
                    ret.from_opening += number
                continue
            if account == accounts.OUTPUT_VAT:
                ret.booked_output -= number
            elif account == accounts.INPUT_VAT:
                if number > 0:
                    ret.input += number
                else:
                    ret.transfer_out -= number
                continue
            elif not (account == revenue or account.startswith(prefix)):
                continue
            rate = payers.at(entry.date, general_rate).vat_rate
            gross_by_rate[rate] = gross_by_rate.get(rate, ZERO) - number
    ret.rates = tuple(sorted(gross_by_rate))
    ret.gross = sum(gross_by_rate.values(), ZERO)
    ret.output = sum(
        (round_cents(gross * rate / (1 + rate)) for rate, gross in gross_by_rate.items()), ZERO
    )
    ret.sales = ret.gross - ret.output
    if not payer.deductible_input:
        ret.input = ret.transfer_out = ZERO
    opening = opening_out + opening_in
    ret.opening_output, ret.opening_input = opening_out, opening_in
    if opening - ret.from_opening < 0:
        raise CloseFailed([
            f"{month} 月初应交增值税 (销项税额与进项税额) 有贷方余额 {-opening} CNY: 之前的月份未结账 "
            f"(未转出未交增值税); 请按月份顺序结账 (tmall-books close --month 上一个月); "
            f"an earlier month is not closed"
        ])
    ret.carried_in = max(opening, ZERO)
    balance = opening - ret.output + ret.input - ret.transfer_out  # debit positive
    ret.payable = max(-balance, ZERO)
    ret.carried_out = max(balance, ZERO)
    return ret


def vat_entries(ret: VatReturn) -> list[data.Transaction]:
    """The ``vat-rounding`` and ``vat`` close entries of a month's return (none when zero)."""
    out = []
    if ret.rounding:
        out.append(_entry(ret.month, "vat-rounding", [
            _cny(accounts.OUTPUT_VAT, -ret.rounding),
            _cny(accounts.REVENUE, ret.rounding),
        ]))
    if ret.payable > 0:
        # Clear 销项税额 (its credit balance: carried output included) and, for a 一般纳税人,
        # 进项税额 (its debit balance: carried input included); the difference is payable.
        output_balance = ret.output - ret.opening_output  # credit balance of 22210102
        postings = [_cny(accounts.OUTPUT_VAT, output_balance)]
        if ret.taxpayer.deductible_input:
            input_balance = ret.opening_input + ret.input - ret.transfer_out  # debit of 22210101
            if input_balance:
                postings.append(_cny(accounts.INPUT_VAT, -input_balance))
        postings.append(_cny(accounts.UNPAID_VAT, -ret.payable))
        out.append(_entry(ret.month, "vat", postings))
    return out


SURTAXES = (
    ("城市维护建设税", "city_rate", accounts.CITY_TAX),
    ("教育费附加", "education_rate", accounts.EDUCATION_SURCHARGE),
    ("地方教育附加", "local_education_rate", accounts.LOCAL_EDUCATION_SURCHARGE),
)


def surtaxes(base: Decimal, settings: tax.CloseSettings, payer: tax.Taxpayer) -> list[tuple[str, Decimal, Decimal, str]]:
    """``(name, rate, amount, account)`` of each surtax on ``base`` (the VAT payable)."""
    factor = Decimal("0.5") if settings.halved(payer) else Decimal(1)
    out = []
    for name, key, account in SURTAXES:
        rate = getattr(settings, key)
        out.append((name, rate * factor, round_cents(base * rate * factor), account))
    return out


def surtax_entry(month: str, lines: list[tuple[str, Decimal, Decimal, str]]) -> data.Transaction | None:
    """The ``surtax`` close entry (None when nothing is due)."""
    total = sum((amount for _, _, amount, _ in lines), ZERO)
    if not total:
        return None
    postings = [_cny(accounts.TAXES_AND_SURCHARGES, total)]
    postings += [_cny(account, -amount) for _, _, amount, account in lines if amount]
    return _entry(month, "surtax", postings)


def year_profit(entries: Iterable[data.Directive], last: datetime.date) -> tuple[Decimal, Decimal]:
    """``(profit before income tax, income tax booked)`` from 01-01 of ``last``'s year to ``last``."""
    first = datetime.date(last.year, 1, 1)
    profit = booked = ZERO
    for entry in entries:
        if not isinstance(entry, data.Transaction) or not first <= entry.date <= last:
            continue
        for p in entry.postings:
            if p.units is None or p.units.currency != accounts.CURRENCY:
                continue
            account = p.account
            if account == accounts.INCOME_TAX or account.startswith(accounts.INCOME_TAX + ":"):
                booked += p.units.number
            elif account.startswith(("Income:", "Expenses:")):
                profit -= p.units.number
    return profit, booked


def close_month(
    entries: list[data.Directive], month: str, general_rate: Decimal = tax.GENERAL_RATE
) -> MonthClose:
    """Compute ``month``'s close from ``entries`` and compare with the close entries already there."""
    parse_month(month)
    last = month_last(month)
    existing = [e for e in entries if _is_close(e, month)]
    others = [e for e in entries if not _is_close(e, month)]
    ret = vat_return(others, month, general_rate)
    settings, problems = tax.close_settings(others, last)
    if problems:
        raise CloseFailed(problems, 2)
    result = MonthClose(month, ret, settings)
    result.entries = vat_entries(ret)
    lines = surtaxes(ret.payable, settings, ret.taxpayer)
    surtax = surtax_entry(month, lines)
    if surtax is not None:
        result.entries.append(surtax)
    if last.month % 3 == 0:
        profit, booked = year_profit([*others, *result.entries], last)
        rate = settings.income_tax_rate
        if settings.small_profit and profit <= settings.small_profit_limit:
            rate = settings.small_profit_rate
        due = round_cents(max(profit, ZERO) * rate) - booked
        result.profit, result.income_tax_rate = profit, rate
        if due > 0:
            result.entries.append(_entry(month, "income-tax", [
                _cny(accounts.INCOME_TAX, due), _cny(accounts.INCOME_TAX_PAYABLE, -due),
            ]))
        elif due < 0:
            result.notes.append(
                f"本年累计应纳所得税 {round_cents(max(profit, ZERO) * rate)} 少于已计提的 {booked}: "
                f"预缴不退, 本季不再计提; income tax already booked exceeds the year-to-date amount"
            )
    _compare(result, existing)
    return result


def figures(entry: data.Transaction) -> list[tuple[str, Decimal]]:
    """What a close entry says: its (account, amount) pairs, sorted."""
    return sorted((p.account, p.units.number) for p in entry.postings if p.units is not None)


def _compare(result: MonthClose, existing: list[data.Transaction]) -> None:
    by_kind: dict[str, list[data.Transaction]] = {}
    for entry in existing:
        by_kind.setdefault(str(entry.meta.get(KIND, "")), []).append(entry)
    computed = {str(e.meta[KIND]): e for e in result.entries}
    for kind in [*KINDS, *sorted(set(by_kind) - set(KINDS))]:
        new, old = computed.get(kind), by_kind.get(kind, [])
        if new is not None and len(old) == 1 and figures(old[0]) == figures(new):
            result.existing[kind] = old[0]
        elif new is not None and not old:
            result.new.append(new)
        elif old or new is not None:
            where = ", ".join(f"{e.meta.get('filename')}:{e.meta.get('lineno')}" for e in old)
            was = "; ".join(" ".join(f"{a} {n}" for a, n in figures(e)) for e in old) or "无"
            now = " ".join(f"{a} {n}" for a, n in figures(new)) if new is not None else "无 (不需要)"
            result.changed.append(
                f"{where or '账簿'}: {result.month} 的结账分录 close: \"{kind}\" ({LABELS.get(kind, kind)}) "
                f"与现在算出的不同 — 账簿中: {was}; 现在: {now}. 账簿在结账后有变动 (如重新导入); "
                f"核对后删除该月的 #close 分录再运行 close "
                f"(the ledger changed after the close: a {kind} close entry differs)"
            )


# --------------------------------------------------------------------------- the command


def ledger_errors(errors: list) -> list[str]:
    """bean-check's errors as ``file:line: message`` lines (the first ``SHOWN_ERRORS``)."""
    out = []
    for error in errors[:SHOWN_ERRORS]:
        source = getattr(error, "source", None) or {}
        text = (error.message or type(error).__name__).strip().splitlines()[0]
        out.append(f"{source.get('filename', '?')}:{source.get('lineno', 0)}: {text}")
    if len(errors) > SHOWN_ERRORS:
        out.append(f"… 另有 {len(errors) - SHOWN_ERRORS} 个错误 (and {len(errors) - SHOWN_ERRORS} more)")
    return out


def plan_close(ledger: str | Path, months: Sequence[str]) -> CloseResult:
    """Close ``months`` (in order) against the ledger; raises :class:`CloseFailed`.

    The ledger is loaded once; each month's new entries are added to the entries before the next
    month is computed. ``CloseResult.plan`` writes them (None when there is nothing new).
    """
    ledger = Path(ledger)
    for month in months:
        try:
            parse_month(month)
        except ValueError:
            raise CloseFailed([f"--month {month!r} 不是月份, 应为 YYYY-MM; not a month"], 2) from None
    if not ledger.is_file():
        raise CloseFailed([f"账簿 {ledger} 不存在; ledger not found"], 2)
    entries, errors, options = loader.load_file(str(ledger))
    if errors:
        raise CloseFailed([
            *ledger_errors(errors),
            f"账簿 {ledger} 有 {len(errors)} 个 bean-check 错误 (见上): 改正后再结账; "
            f"the ledger has errors, the month is not closed",
        ])
    today = judged_date(entries)
    general_rate = _general_rate(options)
    results = []
    entries = list(entries)
    for month in months:
        last = month_last(month)
        if today is None or today < last:
            raise CloseFailed([
                f"账簿只记到 {today}, {month} 尚未结束 (到 {last}): 先导入到月末的账务明细再结账; "
                f"the ledger does not reach the month's end"
            ])
        result = close_month(entries, month, general_rate)
        results.append(result)
        if result.changed:
            raise CloseFailed(result.changed)
        entries.extend(result.new)
    new = [e for r in results for e in r.new]
    plan = None
    if new:
        plan = filing.Plan(ledger.parent, ledger)
        filing.plan_months(plan, new, options, command="tmall-books close")
    return CloseResult(results, plan)


def tables(result: MonthClose) -> list[Table]:
    """The 增值税申报 summary and the close entries, as report tables."""
    ret = result.vat
    payer = ret.taxpayer
    rates = "、".join(f"{r:.0%}" if r * 100 == int(r * 100) else f"{r:%}" for r in ret.rates) or f"{payer.vat_rate:.0%}"
    rows: list[list] = [
        ["销售额 (不含税)", ret.sales],
        ["含税销售额 (扣除退款)", ret.gross],
    ]
    if payer.deductible_input:
        rows += [
            [f"销项税额 ({rates})", ret.output],
            ["  其中: 尾差调整", ret.rounding],
            ["进项税额", ret.input],
            ["进项税额转出", ret.transfer_out],
            ["上期留抵税额", ret.carried_in],
            ["应纳税额", ret.payable],
            ["期末留抵税额", ret.carried_out],
        ]
    else:
        rows += [
            [f"本期应纳税额 (征收率 {rates})", ret.output],
            ["  其中: 尾差调整", ret.rounding],
            ["上期结余 (可抵减)", ret.carried_in],
            ["应纳税额", ret.payable],
            ["期末结余 (可抵减)", ret.carried_out],
        ]
    summary = Table(
        f"增值税申报 {ret.month} ({payer.label})", [Column("项目"), Column("金额", "right")], rows,
    )
    lines = []
    for entry in result.entries:
        kind = str(entry.meta[KIND])
        status = "已在账簿中" if kind in result.existing else "新增"
        for p in entry.postings:
            number = p.units.number
            lines.append([
                LABELS[kind], p.account, number if number > 0 else None,
                -number if number < 0 else None, status,
            ])
    notes = list(result.notes)
    if result.profit is not None:
        notes.append(
            f"本年累计利润总额 {result.profit} CNY, 所得税税率 {result.income_tax_rate:%} (季末预缴)"
        )
    if not result.entries:
        notes.append("本月无结账分录 (应纳税额为零, 无尾差)")
    booked = Table(
        f"结账分录 {ret.month}-{month_last(ret.month).day} #close",
        [Column("分录"), Column("科目"), Column("借方", "right"), Column("贷方", "right"), Column("状态")],
        lines, notes=notes,
    )
    return [summary, booked]


def run_close(
    ledger: str | Path, month: str, dry_run: bool = False, fmt: str = "text", output: Path | None = None
) -> int:
    """``tmall-books close``: compute, show (on stdout, or into ``output``), then write the entries
    (unless ``dry_run``). Messages go to stderr. Returns the exit status."""
    try:
        result = plan_close(ledger, [month])
    except CloseFailed as exc:
        for message in exc.messages:
            print(f"错误: {message}", file=sys.stderr)
        print("未写入任何文件 (nothing was written)", file=sys.stderr)
        return exc.status
    (closed,) = result.months
    shown = tables(closed)
    text = html_page(shown, f"月末结账 {month}") if fmt == "html" else render(shown, fmt)
    write(text if text.endswith("\n") else text + "\n", output, fmt)
    if result.plan is None:
        if closed.existing:
            print(f"{month} 的结账分录已在账簿中, 未写入任何内容; already closed", file=sys.stderr)
        else:
            print(f"{month} 没有需要写入的结账分录; nothing to book", file=sys.stderr)
        return 0
    if dry_run:
        print(f"--dry-run: 未写入 {len(closed.new)} 条结账分录; nothing was written", file=sys.stderr)
        return 0
    try:
        filing.apply_plan(result.plan)
    except OSError as exc:
        print(f"错误: 写入失败 ({exc}); 已恢复原状, 未写入任何文件; nothing was written", file=sys.stderr)
        return 1
    rel = next(iter(result.plan.months))
    print(
        f"结账 {month}: 写入 {len(closed.new)} 条分录到 {rel}"
        + (f"; {Path(ledger).name} 加入 include \"{rel}\"" if result.plan.includes else ""),
        file=sys.stderr,
    )
    return 0
