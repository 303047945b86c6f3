"""记账凭证: one voucher per transaction of a month, for print (A5 landscape HTML, PDF) or a terminal.

Seed 000 (line 182): 填制或取得原始凭证 → 审核原始凭证 → 填制记账凭证 → 审核记账凭证 → 登记会计账簿.
The ledger's transactions are the vouchers; this module prints them as the 通用记账凭证 the boss
signs. Read-only.

- **Which and in what order**: every transaction dated in the month (after the plugins ran, so a
  settlement shows its 销项税额 split), in (date, file order) order: the order of the ledger's
  files (``include`` order, the main file first) and the line inside the file. Numbered 记-001,
  记-002, … per month. ``balance``, ``pad`` (and the padding transactions it generates),
  ``document`` and ``custom`` entries are not vouchers, nor is a transaction without any amount
  (the demo's 折价 approval records: metadata only, nothing to post).
- **摘要**: payee and narration; the payee is left out when the narration already names it, a
  leading date equal to the voucher's date is dropped (the voucher shows its date), and a summary
  longer than :data:`SUMMARY_WIDTH` display columns is cut with "…" (the full text stays in the
  ledger and in the HTML cell's title).
- **Rows**: one per account and side, debits first (先借后贷), each side in the order the accounts
  first appear in the transaction. A positive posting is a debit (借方), a negative one a credit
  (贷方), in every account type. **Postings of one account on the same side of one transaction are
  merged into one row** (a settlement's ten 售后赔付 postings print as one 借 row, the cost of goods
  sold entry's ten pairs as two rows); an account with postings on both sides keeps two rows. The
  amount of a posting is its weight (units, or the cost or price in CNY). A posting whose weight is
  not CNY is refused with file and line (a voucher is in 人民币). Zero postings print nothing.
- **科目**: 一级科目 is the first component under the root (``1221 其他应收款``); 明细科目 the leaf's
  code and the names of the levels below the 一级科目 (``22210102 应交增值税-销项税额``), the leaf's
  name from its ``open`` directive's ``name`` metadata (:func:`balances.name_of`). An account that
  is itself a 一级科目 has no 明细科目.
- **Totals**: 合计 in figures and 人民币(大写) (:func:`daxie.amount_in_words`); debits equal credits
  on every voucher (a transaction that does not balance cannot load).
- **附件**: the number of distinct documents linked to the transaction: ``document`` entries that
  share one of its links (``^breakage-PS2025-002``), and files named by ``document`` or
  ``source-file`` metadata on the transaction or its postings (the archived statement a row under
  review came from). Statements that only sit under ``documents/`` by account and date are not
  counted: they belong to the month, not to one voucher.
- **Pages**: at most ``rows`` rows (default :data:`ROWS_PER_PAGE`) per page; a longer voucher
  continues on more pages numbered 记-001 1/2, 记-001 2/2 (分数编号). Each page repeats the
  date, 摘要 and 附件; 合计 in figures and capitals is printed on the last page only, earlier pages
  end with "转下页" and their page sum. Signature boxes 制单, 审核, 记账, 出纳 on every page.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import convert, data

from beancount_tmall.reports import balances, daxie
from beancount_tmall.reports.render import Column, Table, money, width

#: Rows of accounts on one printed page (A5 landscape): the default, and the most that fit.
ROWS_PER_PAGE = 10
MAX_ROWS_PER_PAGE = 10

#: The longest 摘要 printed, in display columns (a CJK character is 2).
SUMMARY_WIDTH = 40

#: Voucher word: 记 (通用记账凭证).
PREFIX = "记"

#: The signature boxes at the foot of every voucher.
SIGNATURES = ("制单", "审核", "记账", "出纳")

_ZERO = Decimal("0")


class VoucherError(ValueError):
    """A transaction that cannot be printed as a voucher (the message names file and line)."""


@dataclass(frozen=True)
class Row:
    """One line of a voucher: 一级科目, 明细科目 and the amount on its side."""

    account: str
    top: str  # "1221 其他应收款"
    detail: str  # "122101 天猫佣金" or ""
    debit: Decimal | None
    credit: Decimal | None


@dataclass
class Voucher:
    """One transaction as a 记账凭证."""

    number: str  # "记-001"
    date: datetime.date
    summary: str
    full_summary: str
    rows: list[Row]
    attachments: int
    filename: str
    lineno: int
    debit_total: Decimal = _ZERO
    credit_total: Decimal = _ZERO
    #: the transaction printed (the books look their 凭证号 up by it)
    entry: data.Transaction | None = None

    @property
    def total_in_words(self) -> str:
        """合计 in capitals (人民币大写, no digit positions)."""
        return daxie.amount_in_words(self.debit_total)


@dataclass
class Page:
    """One printed page of a voucher: its rows and, on the last page, the totals."""

    voucher: Voucher
    page: int
    pages: int
    rows: list[Row] = field(default_factory=list)

    @property
    def label(self) -> str:
        """记-001, or 记-001 1/2 on a voucher of more than one page."""
        number = self.voucher.number
        return number if self.pages == 1 else f"{number} {self.page}/{self.pages}"

    @property
    def last(self) -> bool:
        return self.page == self.pages

    @property
    def debit(self) -> Decimal:
        return sum((r.debit or _ZERO for r in self.rows), _ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((r.credit or _ZERO for r in self.rows), _ZERO)


def _file_order(options: dict | None, entries: Sequence[data.Directive]) -> dict[str, int]:
    files = list((options or {}).get("include") or ())
    if options and options.get("filename") and options["filename"] not in files:
        files.insert(0, options["filename"])
    order = {name: i for i, name in enumerate(files)}
    for entry in entries:  # files the options do not name (a load_doc string): in first-seen order
        name = str((entry.meta or {}).get("filename", ""))
        order.setdefault(name, len(order))
    return order


def summary_of(entry: data.Transaction) -> str:
    """摘要 in full: payee and narration, the payee left out when the narration names it, and a
    leading date equal to the entry's dropped."""
    narration = (entry.narration or "").strip()
    day = entry.date.isoformat()
    if narration.startswith(day):
        narration = narration[len(day):].strip()
    payee = (entry.payee or "").strip()
    if payee and payee not in narration:
        return f"{payee} {narration}".strip()
    return narration or payee


def shorten(text: str, limit: int = SUMMARY_WIDTH) -> str:
    """``text`` cut to ``limit`` display columns, ending with "…" when cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        if used + width(char) > limit - 1:
            break
        out.append(char)
        used += width(char)
    return "".join(out).rstrip() + "…"


def subject(account: str, names: dict[str, str]) -> tuple[str, str]:
    """(一级科目, 明细科目) as "code name" texts; 明细科目 is "" for a 一级科目 itself."""
    top_account = balances.parent_at(account, 1)
    top = f"{balances.code_of(top_account)} {balances.name_of(top_account)}".strip()
    if top_account == account:
        return top, ""
    parts = account.split(":")
    middle = [balances.name_of(":".join(parts[: i + 1])) for i in range(2, len(parts) - 1)]
    leaf = balances.name_of(account, names)
    return top, f"{balances.code_of(account)} {'-'.join([*middle, leaf])}".strip()


def _where(entry: data.Directive, posting: data.Posting | None = None) -> str:
    meta = (posting.meta if posting is not None and posting.meta else None) or entry.meta or {}
    return f"{meta.get('filename', '?')}:{meta.get('lineno', '?')}"


def rows_of(entry: data.Transaction, names: dict[str, str]) -> list[Row]:
    """The voucher rows of a transaction: merged per account and side, debits first."""
    sums: dict[tuple[bool, str], Decimal] = {}
    for posting in entry.postings:
        weight = convert.get_weight(posting)
        if weight is None or weight.number is None:
            raise VoucherError(f"{_where(entry, posting)}: {posting.account} 的金额缺失 (missing amount)")
        if weight.currency != balances.CURRENCY:
            raise VoucherError(
                f"{_where(entry, posting)}: {posting.account} 的金额 {weight} 不是人民币 CNY, "
                "记账凭证只记人民币 (a voucher is in CNY)"
            )
        if weight.number == 0:
            continue
        key = (weight.number < 0, posting.account)
        sums[key] = sums.get(key, _ZERO) + weight.number
    rows = []
    for credit_side in (False, True):
        for (side, account), number in sums.items():
            if side != credit_side:
                continue
            top, detail = subject(account, names)
            if credit_side:
                rows.append(Row(account, top, detail, None, -number))
            else:
                rows.append(Row(account, top, detail, number, None))
    return rows


def attachments_of(entry: data.Transaction, documents_by_link: dict[str, set[str]]) -> int:
    """附件张数: distinct documents sharing a link with the entry, or named in its metadata."""
    files: set[str] = set()
    for link in entry.links or ():
        files |= documents_by_link.get(link, set())
    for meta in [entry.meta or {}, *((p.meta or {}) for p in entry.postings)]:
        for key in ("document", "source-file"):
            value = meta.get(key)
            if value:
                files.add(str(value))
    return len(files)


def vouchers(
    entries: Iterable[data.Directive], month: str, options: dict | None = None
) -> list[Voucher]:
    """The month's vouchers (``month`` "YYYY-MM"), numbered 记-001… in (date, file order)."""
    entries = list(entries)
    start, end, _ = balances.period(month=month)
    names = balances.account_names(entries)
    documents_by_link: dict[str, set[str]] = {}
    for entry in entries:
        if isinstance(entry, data.Document):
            for link in entry.links or ():
                documents_by_link.setdefault(link, set()).add(entry.filename)
    order = _file_order(options, entries)
    month_entries = [
        e for e in entries
        if isinstance(e, data.Transaction) and start <= e.date < end and e.flag != "P"
        and not balances.is_opening(e)  # 建账: the opening balance, not a voucher
    ]
    month_entries.sort(
        key=lambda e: (e.date, order.get(str(e.meta.get("filename", "")), len(order)),
                       e.meta.get("lineno", 0))
    )
    result: list[Voucher] = []
    for entry in month_entries:
        rows = rows_of(entry, names)
        if not rows:  # a record without money (an approval note): nothing to post
            continue
        full = summary_of(entry)
        voucher = Voucher(
            number=f"{PREFIX}-{len(result) + 1:03d}",
            date=entry.date,
            summary=shorten(full),
            full_summary=full,
            rows=rows,
            attachments=attachments_of(entry, documents_by_link),
            filename=str(entry.meta.get("filename", "")),
            lineno=int(entry.meta.get("lineno", 0) or 0),
            debit_total=sum((r.debit or _ZERO for r in rows), _ZERO),
            credit_total=sum((r.credit or _ZERO for r in rows), _ZERO),
            entry=entry,
        )
        if voucher.debit_total != voucher.credit_total:  # cannot happen after a clean load
            raise VoucherError(
                f"{voucher.filename}:{voucher.lineno}: 借方合计 {money(voucher.debit_total)} ≠ "
                f"贷方合计 {money(voucher.credit_total)} (debits ≠ credits)"
            )
        result.append(voucher)
    return result


def pages(voucher: Voucher, rows: int = ROWS_PER_PAGE) -> list[Page]:
    """The printed pages of a voucher, ``rows`` account rows each (at least one page)."""
    if not 1 <= rows <= MAX_ROWS_PER_PAGE:
        raise ValueError(
            f"每页行数须在 1 至 {MAX_ROWS_PER_PAGE} 之间, 给出 {rows} (rows per page out of range)"
        )
    chunks = [voucher.rows[i: i + rows] for i in range(0, len(voucher.rows), rows)] or [[]]
    return [Page(voucher, i, len(chunks), chunk) for i, chunk in enumerate(chunks, 1)]


# --- output ---


def figures_date(day: datetime.date) -> str:
    """The date in figures as printed on the voucher: 2025年03月01日."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def tables(items: Sequence[Voucher]) -> list[Table]:
    """The vouchers as :class:`render.Table` (terminal text, CSV): one table per voucher, all its
    rows (pages are for print only)."""
    columns = [Column("摘要"), Column("一级科目"), Column("明细科目"),
               Column("借方金额", "right"), Column("贷方金额", "right")]
    out = []
    for v in items:
        body = [[v.summary if i == 0 else None, r.top, r.detail or None, r.debit, r.credit]
                for i, r in enumerate(v.rows)]
        out.append(Table(
            title=f"记账凭证 {v.number}  {figures_date(v.date)}  附件 {v.attachments} 张",
            columns=columns,
            rows=body,
            footer=[["合计", None, None, v.debit_total, v.credit_total]],
            notes=[f"合计: 人民币(大写) {v.total_in_words}"],
        ))
    return out


CSS = """
@page { size: A5 landscape; margin: 8mm 10mm; }
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
       font-size: 9pt; color: #000; margin: 0; }
.voucher { page-break-after: always; break-after: page; }
.voucher:last-child { page-break-after: auto; break-after: auto; }
.voucher h1 { text-align: center; font-size: 15pt; letter-spacing: .6em; margin: 0;
              text-decoration: underline double; }
.head { display: flex; justify-content: space-between; align-items: flex-end; margin: 2mm 0 1.5mm; }
.head .date { text-align: center; flex: 1; }
.head .daxie { font-size: 8pt; color: #333; }
table.voucher-rows { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.voucher-rows th, table.voucher-rows td { border: 1px solid #000; padding: 1mm 1.5mm;
              height: 6mm; vertical-align: middle; overflow: hidden; line-height: 1.15; }
table.voucher-rows th { font-weight: normal; letter-spacing: .2em; }
table.voucher-rows td.account { white-space: nowrap; text-overflow: ellipsis; }
table.voucher-rows td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.voucher-rows col.summary { width: 25%; }
table.voucher-rows col.top { width: 17%; }
table.voucher-rows col.detail { width: 30%; }
table.voucher-rows col.amount { width: 14%; }
table.voucher-rows tr.total td { font-weight: bold; }
table.voucher-rows td.words { font-weight: normal; }
.side { display: flex; justify-content: flex-end; }
.signatures { display: flex; justify-content: space-between; margin-top: 2mm; }
.signatures span { flex: 1; }
"""


def _page_html(page: Page, rows: int, date_in_words: bool) -> str:
    v = page.voucher
    esc = html.escape
    lines = [
        '<section class="voucher">',
        "<h1>记账凭证</h1>",
        '<div class="head">',
        f'<span class="number">凭证号: {esc(page.label)}</span>',
        f'<span class="date">{figures_date(v.date)}'
        + (f'<br><span class="daxie">{esc(daxie.date_in_words(v.date))}</span>' if date_in_words else "")
        + "</span>",
        f'<span class="attachments">附件 {v.attachments} 张</span>',
        "</div>",
        '<table class="voucher-rows"><colgroup><col class="summary"><col class="top">'
        '<col class="detail"><col class="amount"><col class="amount"></colgroup>',
        "<thead><tr><th>摘要</th><th>一级科目</th><th>明细科目</th><th>借方金额</th><th>贷方金额</th>"
        "</tr></thead><tbody>",
    ]
    for i, row in enumerate(page.rows):
        summary = f'<td title="{esc(v.full_summary)}">{esc(v.summary)}</td>' if i == 0 else "<td></td>"
        lines.append(
            f'<tr>{summary}<td class="account">{esc(row.top)}</td>'
            f'<td class="account" title="{esc(row.account)}">{esc(row.detail)}</td>'
            f'<td class="num">{money(row.debit) if row.debit is not None else ""}</td>'
            f'<td class="num">{money(row.credit) if row.credit is not None else ""}</td></tr>'
        )
    for _ in range(rows - len(page.rows)):
        lines.append("<tr><td></td><td></td><td></td><td></td><td></td></tr>")
    if page.last:
        lines.append(
            f'<tr class="total"><td colspan="3">合计: 人民币(大写) '
            f'<span class="words">{esc(v.total_in_words)}</span></td>'
            f'<td class="num">¥{money(v.debit_total)}</td><td class="num">¥{money(v.credit_total)}</td></tr>'
        )
    else:
        lines.append(
            f'<tr class="total"><td colspan="3">转下页 (本页小计)</td>'
            f'<td class="num">{money(page.debit)}</td><td class="num">{money(page.credit)}</td></tr>'
        )
    lines.append("</tbody></table>")
    lines.append('<div class="signatures">' + "".join(f"<span>{s}:</span>" for s in SIGNATURES) + "</div>")
    lines.append("</section>")
    return "\n".join(lines)


def html_document(
    items: Sequence[Voucher], title: str = "记账凭证", rows: int = ROWS_PER_PAGE,
    date_in_words: bool = False,
) -> str:
    """A printable HTML document, A5 landscape, one voucher page per sheet."""
    body = "\n".join(
        _page_html(page, rows, date_in_words) for v in items for page in pages(v, rows)
    )
    if not items:
        body = '<section class="voucher"><p>本月没有记账凭证 (no vouchers this month)</p></section>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def pdf_bytes(document: str, base: Path | None = None) -> bytes:
    """The HTML document as PDF (WeasyPrint; CJK text in the "WenQuanYi Zen Hei" font)."""
    from weasyprint import HTML

    return HTML(string=document, base_url=str(base) if base else None).write_pdf()
