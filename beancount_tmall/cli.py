"""The ``tmall-books`` command line: a thin click group over the library."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import click


class Refused(click.ClickException):
    """An error the accountant reads: printed ``错误: …`` (Chinese first), exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"错误: {self.format_message()}", file=file, err=file is None)


@click.group()
@click.version_option(package_name="beancount-tmall")
def main() -> None:
    """天猫/淘宝店铺的复式账簿 (Beancount 3): 导入、核对、对账 (books for a Tmall store)."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="天猫店铺账簿", show_default=True, help="账簿标题 (the ledger's title).")
@click.option(
    "--start",
    "--open-date",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="建账日期: 科目开户与期初余额的日期 (default 2000-01-01; required with --opening).",
)
@click.option(
    "--opening",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="期初余额表 CSV (科目编码,科目名称,借方余额,贷方余额), GBK 或 UTF-8.",
)
@click.option(
    "--alipay-account",
    "alipay_accounts",
    multiple=True,
    metavar="2088…[=ACCOUNT]",
    help="支付宝账号 (账务明细 #账号 中的 2088…) 及其科目 (默认 101201-支付宝); 可多次给出.",
)
def init(
    directory: Path,
    title: str,
    start: datetime.datetime | None,
    opening: Path | None,
    alipay_accounts: tuple[str, ...],
) -> None:
    """新建账簿: 科目表、全部插件 (设置写全)、期初余额 (Create a new ledger in DIRECTORY)."""
    from beancount_tmall.formats.common import SourceError
    from beancount_tmall.ledger_init import LedgerExistsError, init_ledger, parse_alipay_accounts

    if opening is not None and start is None:
        raise click.UsageError("给出 --opening 时须用 --start YYYY-MM-DD 指明期初日期; --start is required with --opening")
    try:
        mapping = parse_alipay_accounts(list(alipay_accounts))
        main_file = init_ledger(
            directory,
            title=title,
            open_date=start.date() if start else datetime.date(2000, 1, 1),
            opening=opening,
            alipay_accounts=mapping,
        )
    except (LedgerExistsError, SourceError, ValueError) as exc:
        raise Refused(str(exc)) from exc
    click.echo(f"已创建 {main_file} (created)", err=True)
    if opening is not None:
        click.echo(f"期初余额: 来自 {opening}, 记在 {start:%Y-%m-%d} (#opening)", err=True)
    for alipay_id, account in mapping.items():
        click.echo(f"支付宝账号 {alipay_id} → {account}", err=True)
    click.echo(
        f"下一步: cd {directory} && tmall-books import <支付宝账务明细.csv> [订单报表 …]", err=True
    )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--existing",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="已有账簿 (main.beancount)：其中已有的行不再输出，支付宝账号映射与期初余额按它判断; "
    "the ledger whose entries are left out (idempotent import).",
)
@click.option("--per-row", is_flag=True, help="每行一笔分录（默认每天一笔）; one transaction per row.")
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="店铺自己的分类规则表 (TOML)，扩展/覆盖默认规则; a TOML rule table extending the defaults.",
)
@click.option("--no-mask", is_flag=True, help="不遮蔽买家姓名与账号; do not mask buyer names and accounts.")
@click.option(
    "--account",
    "account_map",
    multiple=True,
    metavar="账号=科目",
    help="把账务明细的 #账号 记入某个支付宝科目 (可重复)，如 2088…=Assets:1012-其他货币资金:101202-支付宝二; "
    "map a statement account id to an Alipay account.",
)
def extract(files, existing, per_row, rules, no_mask, account_map) -> None:
    """把支付宝/天猫源文件转成 Beancount 分录，输出到 stdout; print entries for FILES.

    全部文件核对无误才输出；有错时只在 stderr 列出 文件:行 与原因，stdout 为空。
    没有 --existing 时按新账簿输出：首次导入的支付宝账号映射 (custom "tmall-alipay-account")
    与期初余额分录 (#opening) 一并输出。
    """
    from beancount_tmall.importers.extract import run_extract

    accounts = {}
    for item in account_map:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(f"应写成 账号=科目，而不是 {item!r}; expected ID=ACCOUNT", param_hint="--account")
        accounts[key.strip()] = value.strip()
    sys.exit(
        run_extract(
            list(files), existing=existing, per_row=per_row, rules=rules, mask=not no_mask,
            accounts=accounts or None,
        )
    )


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--ledger",
    default="main.beancount",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="账簿主文件: 新分录写入它旁边的 YYYY/MM.beancount (the ledger).",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="店铺自己的规则表 TOML, 扩展/覆盖默认分类规则.",
)
@click.option("--per-row", is_flag=True, help="每行一笔分录 (默认每天一笔).")
@click.option("--no-mask", is_flag=True, help="不遮盖买家姓名和账号.")
def import_(files, ledger, rules, per_row, no_mask) -> None:
    """导入支付宝账务明细、天猫订单报表、发票台账到账簿 (File new entries of FILES into the ledger).

    新分录按日期追加到 YYYY/MM.beancount, 自动加 include 行, 原始文件归档到 documents/;
    重复导入不会重复记账; 出错时不写任何文件.
    """
    from beancount_tmall.importers.filing import run_import

    sys.exit(run_import(list(files), ledger=ledger, rules=rules, per_row=per_row, mask=not no_mask))


@main.command()
@click.option(
    "--explain",
    "statement",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="要逐行分类的支付宝账务明细 (CSV 或账单下载 zip); the statement to classify.",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="店铺自己的规则表 TOML, 扩展/覆盖默认分类规则 (the store's rule table).",
)
def rules(statement: Path, rules: Path | None) -> None:
    """逐行说明规则表如何分类一份账务明细 (how the rule table classifies every row).

    按规则列出认领的笔数和金额, 再列出无规则认领的行 (导入时记入待核对) 和被多条规则认领的行
    (导入会停止)。全部行各被一条规则认领时退出码 0, 否则 1; 文件或规则表无法读取时 2.
    """
    from beancount_tmall.formats.common import SourceError
    from beancount_tmall.importers.rules import RuleError, explain, load_rules, render_explanation

    try:
        table = load_rules(rules)
    except (RuleError, OSError) as exc:
        click.echo(f"错误: 规则文件 / rules: {exc}", err=True)
        sys.exit(2)
    try:
        result = explain(statement, table)
    except SourceError as exc:
        click.echo(f"错误 / error: {exc}", err=True)
        sys.exit(2)
    click.echo(render_explanation(result, table), nl=False)
    sys.exit(0 if result.complete else 1)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--orders-per-day", default=None, type=int, help="每天平均付款订单数 (orders per day).")
@click.option("--days", default=None, type=int, help="从 1 月 1 日起的天数 (days).")
@click.option("--seed", default=None, type=int, help="随机种子: 同一种子生成同一店铺 (seed).")
@click.option("--year", default=None, type=int, help="演示店铺的年份 (year).")
@click.option("--force", is_flag=True, help="覆盖 DIRECTORY 中以前生成的演示账簿 (replace an earlier demo).")
def demo(directory, orders_per_day, days, seed, year, force) -> None:
    """生成演示店铺一年的源文件, 在 DIRECTORY 建好并检查账簿 (build the demo books)."""
    from beancount_tmall.demo.build import run_demo

    options = {
        k: v
        for k, v in dict(orders_per_day=orders_per_day, days=days, seed=seed, year=year).items()
        if v is not None
    }
    sys.exit(run_demo(directory, force=force, **options))


@main.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--year", type=int, help="显示的年度, 默认为有天猫数据的最后一年 (the year to show)."
)
def reconcile(ledger: Path, year: int | None) -> None:
    """打印 LEDGER 的天猫对账: 先列出尚未核对的待核对流水 (天数、来源文件与行),
    再按月列出销售与平台费用的扣款/开票/未开票, 最后是年费进度;
    账本有错误时 (与 bean-check 相同) 列出错误并以非零状态退出.

    (Print the 天猫对账 of LEDGER: unreviewed 待核对 rows first, then sales and fees by month, then
    the annual fee; exits non-zero when the ledger has errors.)
    """
    from beancount import loader

    from beancount_tmall.reports import annual_fee, reconciliation, suspense

    entries, errors, options = loader.load_file(str(ledger))
    report = reconciliation.monthly_report(entries, errors, options, year=year)
    click.echo(suspense.render_text(suspense.suspense_report(entries, options, report.as_of)), nl=False)
    click.echo(reconciliation.render_text(report), nl=False)
    progress = annual_fee.annual_fee_progress(entries, options, report.year)
    if progress is not None:
        click.echo(annual_fee.render_text(progress), nl=False)
    sys.exit(1 if errors else 0)


@main.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--month", required=True, metavar="YYYY-MM", help="结转的月份 (the month, e.g. 2025-03).")
@click.option(
    "--costs",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="成本表 (商家编码,名称,单位成本,生效日期); 默认为账簿旁的 成本表.csv.",
)
@click.option(
    "--items",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="宝贝报表 (CSV/xlsx), 可多次给出; documents/ 下已归档的也会读取.",
)
def cogs(ledger: Path, month: str, costs: Path | None, items: tuple[Path, ...]) -> None:
    """月末结转已销商品成本: 当月结算订单的宝贝数量 × 结算日的单位成本, 一条 #cogs 分录.

    写入 YYYY/MM.beancount (全部成功或不写); 已有相同分录时不重复写; 已有不同分录时报错.
    (Book the month's cost of sales from the orders settled in it.)
    """
    from beancount_tmall.goods.cogs import run_cogs

    sys.exit(run_cogs(ledger, month, costs=costs, items=list(items)))


@main.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("words", nargs=-1, required=True, metavar="[import] LEDGER")
@click.option("--month", help="只看/只记这个月 YYYY-MM (one month).")
@click.option("--year", type=int, help="只看这一年 (one year; the register and rates).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True,
    help="csv: UTF-8 (带 BOM) 的 CSV, 可用 Excel 打开.",
)
@click.option(
    "--refunds", multiple=True, type=click.Path(path_type=Path),
    help="returns import: 新的天猫退款报表 (可多次); 已归档在 documents/ 下的也会读取.",
)
def returns(words, month, year, fmt, refunds) -> None:
    """退货: `returns LEDGER` 打印退货登记簿和退货率 (按商家编码、原因、周);
    `returns import LEDGER` 从退款报表记退货分录 (#return: 验货合格回库存, 不合格记破损),
    仅退款 (#refund), 退回的消费积分 (#tmall-points); 按退款编号不重复记账, 出错时不写任何文件.

    (The return register and return rates; `import` files the returns of the refund exports.)
    """
    if words[0] == "import":
        if len(words) != 2:
            raise click.UsageError("用法: tmall-books returns import LEDGER [--refunds FILE]...")
        from beancount_tmall.goods.returns import run_returns_import

        sys.exit(run_returns_import(Path(words[1]), refunds, month))
    if len(words) != 1 or refunds:
        raise click.UsageError("用法: tmall-books returns LEDGER [--month M] [--format csv]")
    ledger = Path(words[0])
    if not ledger.is_file():
        raise click.UsageError(f"账簿 {ledger} 不存在; no such ledger")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"{month!r} 应为 YYYY-MM (如 2025-04)", param_hint="--month")
    from beancount import loader

    from beancount_tmall.reports import returns as report_lib

    entries, errors, _ = loader.load_file(str(ledger))
    report = report_lib.returns_report(entries, year=year, month=month)
    if fmt == "csv":
        click.echo(("\ufeff" + report_lib.render_csv(report)).encode("utf-8"), nl=False)
    else:
        click.echo(report_lib.render_text(report), nl=False)
    if errors:
        click.echo(f"注意: 账簿有 {len(errors)} 个错误 (运行 bean-check 查看)", err=True)


@main.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--serial", "serials", multiple=True, required=True,
              help="所审批赔付行的支付宝流水号 alipay-serial, 可多次给出 (the rows' serials).")
@click.option("--by", "approver", required=True, help="审批人姓名 (approved-by).")
@click.option("--role", required=True, help="审批人职务, 如 销售经理/主管/副总经理/总经理 (approver-role).")
def approve(ledger: Path, serials: tuple[str, ...], approver: str, role: str) -> None:
    """在 LEDGER (及其 include 的文件) 中, 给支付宝流水号为 SERIAL 的售后赔付行写上审批人与职务
    (approved-by, approver-role), 然后列出仍未通过审批检查的赔付.

    (Write approved-by / approver-role under the compensation postings with these serials, in
    LEDGER and its includes; then list the approvals still failing.)
    """
    from beancount import loader

    from beancount_tmall.approve import approve_files
    from beancount_tmall.plugins import approvals

    _, _, options = loader.load_file(str(ledger))
    files = [Path(f) for f in options.get("include") or [str(ledger)]]
    try:
        written = approve_files(files, {s: (approver, role) for s in serials})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    done = set().union(*written.values()) if written else set()
    for path, found in written.items():
        click.echo(f"{path}: 已审批 {len(found)} 行 ({approver}, {role}); approved")
    missing = [s for s in serials if s not in done]
    entries, _, options = loader.load_file(str(ledger))
    config = next((c for name, c in options.get("plugin", ()) if name == approvals.PLUGIN), None)
    checks, _ = approvals.approval_checks(entries, config)
    failing = [c for c in checks if not c.approved]
    for check in failing:
        meta = check.posting.meta or check.entry.meta
        click.echo(f"{meta.get('filename')}:{meta.get('lineno')}: {approvals.message(check, approvals.read_config(config)[0]['roles'])}")
    if missing:
        click.echo(f"未找到支付宝流水号 {', '.join(missing)} 的售后赔付行; serials not found", err=True)
    sys.exit(1 if missing or failing else 0)


from beancount_tmall.cli_report import report  # noqa: E402

main.add_command(report)


# --- book (books) ---

from beancount_tmall.cli_report import output_options  # noqa: E402


@main.group("book")
def book() -> None:
    """账簿: 日记账 (现金、银行存款、支付宝, 日清月结)、三栏式明细账、总账.

    账簿有错误 (与 bean-check 相同) 时不打印, 先列出错误并以非零状态退出; --allow-errors 照样打印.
    科目可写完整科目名、科目编码 (101201) 或中文名 (支付宝); 不唯一时列出可能的科目.

    (Books of account; a ledger with errors is refused unless --allow-errors.)
    """


def _print_books(kind: str, ledger: Path, account: str | None, month, year, fmt, output, allow_errors) -> None:
    from beancount_tmall.cli_report import emit, load_ledger, period_of
    from beancount_tmall.reports import books, trial_balance, voucher

    entries, options = load_ledger(ledger, allow_errors)
    start, end, label = period_of(month, year)
    try:
        chosen = [books.resolve_account(entries, account)] if account else None
        if kind == "general":
            result = books.general(entries, start, end, label, chosen)
        else:
            if chosen is None:
                chosen = books.journal_accounts(entries)
                if not chosen:
                    raise books.BookError("账簿中没有库存现金、银行存款或其他货币资金科目, 请用 --account 指定")
            build = books.journal if kind == "journal" else books.ledger
            result = [build(entries, a, start, end, label, options) for a in chosen]
    except (books.BookError, trial_balance.Unbalanced, voucher.VoucherError) as exc:
        raise Refused(str(exc)) from None
    title = result[0].title if len(result) == 1 else f"{books.KINDS[kind]} {label}"
    emit([books.to_table(b) for b in result], fmt, output, title)


@book.command("journal")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--account",
    help="科目: 完整科目名、科目编码 (101201) 或中文名 (支付宝); 默认为全部现金、银行、支付宝科目 "
    "(the account; default every cash, bank and Alipay account).",
)
@output_options
def book_journal(ledger, account, month, year, fmt, output, allow_errors) -> None:
    """日记账: 每笔一行 (凭证号、摘要、对方科目、借方、贷方、余额), 本日合计, 本月合计, 本年累计.

    (Cash, bank and Alipay journals with daily and monthly totals.)
    """
    _print_books("journal", ledger, account, month, year, fmt, output, allow_errors)


@book.command("ledger")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--account", required=True, help="科目: 完整科目名、科目编码或中文名 (the account).")
@output_options
def book_ledger(ledger, account, month, year, fmt, output, allow_errors) -> None:
    """三栏式明细账: 期初余额, 每笔一行 (借方、贷方、借或贷、余额), 本月合计, 本年累计.

    (The three-column subsidiary ledger of any account.)
    """
    _print_books("ledger", ledger, account, month, year, fmt, output, allow_errors)


@book.command("general")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--account", help="科目 (默认为全部一级科目) (the account; default every 一级科目).")
@output_options
def book_general(ledger, account, month, year, fmt, output, allow_errors) -> None:
    """总账: 按月据科目汇总表登记 (期初、本月借方、本月贷方、余额), 本年累计.

    (The general ledger, monthly from the trial balance.)
    """
    _print_books("general", ledger, account, month, year, fmt, output, allow_errors)


# --- daxie, voucher (voucher) ---


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("amount", required=False)
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="写日期的大写 (write a date in capitals).")
@click.option("--positions", is_flag=True,
              help="有金额位的大写 (仟万至分, 最高位之前每个金额位填 ⊕) (the form with printed digit positions).")
@click.option("--compact", is_flag=True,
              help="与 --positions 同用: 按种子示例只写一个 ⊕ (one ⊕ for the blank places, as the seed prints).")
def daxie(amount: str | None, date_text: str | None, positions: bool, compact: bool) -> None:
    """金额或日期的大写: tmall-books daxie 1100200.06, tmall-books daxie --date 2013-01-10.

    (Amounts and dates in Chinese capitals, by the rules of seed 000.)
    """
    from decimal import Decimal, InvalidOperation

    from beancount_tmall.reports import daxie as daxie_lib

    if (amount is None) == (date_text is None):
        raise click.UsageError("请给出金额或 --date 日期之一 (give an AMOUNT or --date)")
    if date_text is not None:
        try:
            day = datetime.date.fromisoformat(date_text)
        except ValueError:
            raise Refused(f"日期 {date_text!r} 不是 YYYY-MM-DD (not a date)") from None
        click.echo(daxie_lib.date_in_words(day))
        return
    text = amount.replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise Refused(f"金额 {amount!r} 不是数字 (not a number)") from None
    try:
        if positions:
            cells = daxie_lib.amount_in_positions(value)
            click.echo(daxie_lib.positions_text(cells, compact=compact))
        else:
            click.echo(daxie_lib.amount_in_words(value))
    except ValueError as exc:
        raise Refused(str(exc)) from None


@main.command()
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--month", required=True, metavar="YYYY-MM", help="凭证所属月份 (the month).")
@click.option("--format", "fmt", type=click.Choice(("text", "csv", "html", "pdf")), default="text",
              show_default=True,
              help="输出格式: 终端表格、CSV、A5 横向打印的 HTML、PDF (output format).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件 (默认标准输出) (write to FILE instead of standard output).")
@click.option("--rows", type=click.IntRange(1), default=None,
              help="每页科目行数 (默认且最多 10), 多出的行续页 记-001 1/2 … (account rows per page).")
@click.option("--date-in-words", is_flag=True, help="日期下加大写日期 (print the date in capitals too).")
def voucher(ledger: Path, month: str, fmt: str, output: Path | None, rows: int | None,
            date_in_words: bool) -> None:
    """打印 LEDGER 某月的记账凭证: 每笔分录一张, 编号 记-001…, 借贷合计及大写, 附件数, 签章栏.

    (Print the month's 记账凭证, one per transaction: terminal, A5 landscape HTML or PDF.)
    """
    from beancount_tmall.cli_report import load_ledger
    from beancount_tmall.reports import render
    from beancount_tmall.reports import voucher as voucher_lib

    entries, options = load_ledger(ledger)  # refuses a ledger with errors, listing them
    try:
        items = voucher_lib.vouchers(entries, month, options)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if not items:
        raise Refused(f"{month} 没有记账凭证: 账簿在该月没有带金额的交易 (no vouchers in {month})")
    title = f"{options.get('title') or '记账凭证'} {month} 记账凭证"
    if fmt in ("text", "csv"):
        render.write(render.render(voucher_lib.tables(items), fmt), output, fmt)
        return
    try:
        document = voucher_lib.html_document(
            items, title, rows or voucher_lib.ROWS_PER_PAGE, date_in_words
        )
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if fmt == "html":
        render.write(document, output, "html")
        return
    pdf = voucher_lib.pdf_bytes(document, ledger.parent)
    if output is None:
        click.get_binary_stream("stdout").write(pdf)
    else:
        output.write_bytes(pdf)
        click.echo(f"{output}: {len(items)} 张记账凭证 (vouchers)", err=True)


# --- close (tax) ---


@main.command("close")
@click.argument("ledger", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--month", required=True, metavar="YYYY-MM", help="结账的月份 (the month to close, e.g. 2025-03).")
@click.option("--dry-run", is_flag=True, help="只显示, 不写入 (show, write nothing).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "html"]), default="text", show_default=True,
    help="输出格式 (output format).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="写入文件 (write the report to a file).")
def close(ledger: Path, month: str, dry_run: bool, fmt: str, output: Path | None) -> None:
    """月末结账: 销项税额尾差、转出未交增值税、税金及附加, 季末计提企业所得税; 显示增值税申报数字.

    写入 YYYY/MM.beancount (#close 分录, 全部成功或不写); 再次运行不重复写; 账簿有 bean-check 错误时拒绝;
    结账后账簿变动 (数字不同) 时报告而不写. 税率见 custom "tmall-close" (beancount_tmall.tax).
    (Month-end close: VAT rounding, VAT payable, surtaxes, quarter-end income tax.)
    """
    from beancount_tmall.reports.close import run_close

    sys.exit(run_close(ledger, month, dry_run=dry_run, fmt=fmt, output=output))


# --- reconcile orders (orders): `reconcile` becomes a group that still takes `reconcile LEDGER` ---
from beancount_tmall.orders.cli import as_group  # noqa: E402

main.add_command(as_group(main.commands.pop("reconcile")))


# New commands go above this line (one block per branch).


if __name__ == "__main__":  # pragma: no cover
    main()
