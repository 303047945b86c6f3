"""``tmall-books import``: a new ledger from init to a green bean-check, filed by month, idempotent.

The statements and order exports are written here byte for byte as Alipay and Tmall write them
(GBK, ``#`` banner and footer, TAB after each cell, CRLF): small files whose rows this test states.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner

from beancount_tmall import accounts
from beancount_tmall.cli import main
from beancount_tmall.importers import filing
from beancount_tmall.ledger_init import init_ledger, read_opening

ALIPAY_ID = "20885012345678900156"
HEADER = (
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注"
)


def _cn(when: datetime.datetime) -> str:
    return f"{when:%Y}年{when:%m}月{when:%d}日 {when:%H:%M:%S}"


def sale(serial: int, when: str, tid: str, amount: str, commission: str) -> list[tuple]:
    """A sale row and its 天猫佣金 deduction one second later."""
    t = datetime.datetime.fromisoformat(when)
    return [
        (serial, t, f"T200P{tid}", Decimal(amount), "在线支付", ""),
        (serial + 1, t + datetime.timedelta(seconds=1), f"T200P{tid}", -Decimal(commission),
         "交易付款", f"天猫佣金（类目）{{{tid}}}扣款"),
    ]


def write_statement(path: Path, opening: str, rows: list[tuple], start: str, end: str) -> Path:
    """A 12-column 支付宝账务明细 in GBK: banner, rows with running balances, footer."""
    balance = Decimal(opening)
    out = [
        "#支付宝账务明细查询",
        f"#账号：[{ALIPAY_ID}]",
        f"#起始日期：[{_cn(datetime.datetime.fromisoformat(start))}]   "
        f"终止日期：[{_cn(datetime.datetime.fromisoformat(end))}]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        HEADER,
    ]
    n_in = n_out = 0
    t_in = t_out = Decimal(0)
    for serial, when, order_no, amount, biz, remark in rows:
        balance += amount
        income, expense = (f"{amount:.2f}", "") if amount >= 0 else ("", f"{-amount:.2f}")
        if amount >= 0:
            n_in, t_in = n_in + 1, t_in + amount
        else:
            n_out, t_out = n_out + 1, t_out - amount
        cells = [f"2025{serial:028d}", f"2025{serial:016d}", order_no, "天猫商品" if order_no else "",
                 f"{when:%Y-%m-%d %H:%M:%S}", "", income, expense, f"{balance:.2f}", "", biz, remark]
        out.append(",".join(c + "\t" for c in cells))
    out += [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        f"#支出合计：{n_out}笔，共{t_out:.2f}元",
        f"#收入合计：{n_in}笔，共{t_in:.2f}元",
        f"#导出时间：[{_cn(datetime.datetime.fromisoformat(end) + datetime.timedelta(hours=9))}]",
    ]
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("gbk"))
    return path


ORDER_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,订单创建时间,订单付款时间"
)


def write_orders(path: Path, orders: list[tuple[str, str, int, str]]) -> Path:
    """A 订单报表 (GBK): (order id, total, points paid (100 = 1 CNY), paid time)."""
    lines = [ORDER_HEADER]
    for tid, total, points, paid in orders:
        cash = Decimal(total) - Decimal(points) / 100
        lines.append(
            f'="{tid}",buyer{tid[-2:]},138****0000,{total},0.00,{points},{total},0,{cash:.2f},{points},'
            f"交易成功,,张*,{paid},{paid}"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


# March, first half: two sales (orders 1001, 1002) on 03-03 and 03-05; a sale of order 1003 on 03-20
# comes in the second half's statement.
FIRST_HALF = sale(1, "2025-03-03 10:00:00", "1001", "100.00", "5.00") + sale(
    3, "2025-03-05 11:00:00", "1002", "200.00", "10.00"
)
SECOND_HALF = sale(5, "2025-03-20 09:00:00", "1003", "50.00", "2.50")


@pytest.fixture
def files(tmp_path):
    src = tmp_path / "downloads"
    src.mkdir()
    first = write_statement(
        src / f"{ALIPAY_ID}_20250301_20250315_账务明细.csv", "1000.00", FIRST_HALF,
        "2025-03-01 00:00:00", "2025-03-16 00:00:00",
    )
    second = write_statement(
        src / f"{ALIPAY_ID}_20250316_20250331_账务明细.csv", "1285.00", SECOND_HALF,
        "2025-03-16 00:00:00", "2025-04-01 00:00:00",
    )
    orders = write_orders(
        src / "ExportOrderList202503.csv",
        [("1001", "100.00", 250, "2025-03-02 09:00:00"), ("1002", "200.00", 0, "2025-03-04 09:00:00"),
         ("1003", "50.00", 120, "2025-03-18 09:00:00")],
    )
    return {"first": first, "second": second, "orders": orders, "dir": src}


@pytest.fixture
def books(tmp_path):
    init_ledger(tmp_path / "books", open_date=datetime.date(2025, 1, 1))
    return tmp_path / "books"


def run(books: Path, *paths, capsys=None) -> tuple[int, str]:
    status = filing.run_import([str(p) for p in paths], ledger=books / "main.beancount")
    err = capsys.readouterr().err if capsys else ""
    return status, err


def check(books: Path) -> list[data.Directive]:
    entries, errors, _ = loader.load_file(str(books / "main.beancount"))
    assert errors == [], [e.message for e in errors]
    return entries


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def points_by_month(entries) -> dict[str, Decimal]:
    from beancount_tmall.plugins.consumer_points import monthly_points

    return {k: m.points for k, m in monthly_points(entries).items()}


def test_first_import_into_a_new_ledger_is_green_with_an_opening_entry(books, files, capsys):
    status, err = run(books, files["first"], capsys=capsys)
    assert status == 0, err
    assert "期初余额" in err and "1000.00" in err  # the opening entry is announced
    main_text = (books / "main.beancount").read_text(encoding="utf-8")
    assert 'include "2025/03.beancount"' in main_text
    month = (books / "2025" / "03.beancount").read_text(encoding="utf-8")
    assert month.startswith("; 2025-03 ")
    entries = check(books)
    alipay = [e for e in entries if isinstance(e, data.Balance) and e.account == accounts.ALIPAY]
    assert [(b.date, b.amount.number) for b in alipay][-1] == (datetime.date(2025, 3, 6), Decimal("1285.00"))
    archived = books / "documents" / "Assets" / "1012-其他货币资金" / "101201-支付宝"
    assert [p.name for p in archived.iterdir()] == [f"2025-03-15.{files['first'].name}"]
    assert (archived / f"2025-03-15.{files['first'].name}").read_bytes() == files["first"].read_bytes()
    assert files["first"].exists()  # the download is copied, never moved or changed


def test_init_with_an_opening_table_then_import_is_green(tmp_path, files, capsys):
    table = tmp_path / "期初余额表.csv"
    table.write_bytes(
        "科目编码,科目名称,借方余额,贷方余额\r\n101201,支付宝,1000.00,\r\n1002,银行存款,500.00,\r\n"
        "4001,实收资本,,1500.00\r\n".encode("gbk")
    )
    result = CliRunner().invoke(
        main, ["init", str(tmp_path / "b"), "--opening", str(table), "--start", "2025-03-01",
               "--alipay-account", ALIPAY_ID],
    )
    assert result.exit_code == 0, result.output
    books = tmp_path / "b"
    text = (books / "main.beancount").read_text(encoding="utf-8")
    assert "#opening" in text and f'alipay-account: "{ALIPAY_ID}"' in text
    status, err = run(books, files["first"], files["second"], capsys=capsys)
    assert status == 0, err
    assert "没有期初余额" not in err  # the table's opening balance is used, none is made up
    entries = check(books)
    opening = [e for e in entries if isinstance(e, data.Transaction) and "opening" in e.tags]
    assert len(opening) == 1


def test_two_statements_of_one_month_both_land(books, files, capsys):
    assert run(books, files["first"], capsys=capsys)[0] == 0
    first = (books / "2025" / "03.beancount").read_text(encoding="utf-8")
    status, err = run(books, files["second"], capsys=capsys)
    assert status == 0, err
    month = (books / "2025" / "03.beancount").read_text(encoding="utf-8")
    assert month.startswith(first)  # appended, nothing rewritten
    assert month.count("; 2025-03 ") == 1
    entries = check(books)
    days = sorted(e.date for e in entries if isinstance(e, data.Transaction) and "alipay-first" in e.meta)
    assert days == [datetime.date(2025, 3, 3), datetime.date(2025, 3, 5), datetime.date(2025, 3, 20)]
    main_text = (books / "main.beancount").read_text(encoding="utf-8")
    assert main_text.count('include "2025/03.beancount"') == 1


def test_a_second_run_adds_nothing_and_says_so(books, files, capsys):
    assert run(books, files["first"], files["orders"], capsys=capsys)[0] == 0
    before = snapshot(books)
    status, err = run(books, files["first"], files["orders"], capsys=capsys)
    assert status == 0
    assert "没有新的分录" in err and "已归档过" in err
    assert snapshot(books) == before


def test_orders_with_the_statement(books, files, capsys):
    status, err = run(books, files["first"], files["second"], files["orders"], capsys=capsys)
    assert status == 0, err
    entries = check(books)
    sales = {e.date: e.meta for e in entries if isinstance(e, data.Transaction) and "alipay-first" in e.meta}
    assert sales[datetime.date(2025, 3, 3)]["consumer-points"] == "2.50 CNY"
    assert sales[datetime.date(2025, 3, 3)]["points-orders"] == "1001"
    assert sales[datetime.date(2025, 3, 20)]["points-orders"] == "1003"
    assert not [e for e in entries if isinstance(e, data.Transaction) and "tmall-points" in e.tags]
    assert points_by_month(entries) == {"2025-03": Decimal("3.70")}


def test_orders_before_the_statement(books, files, capsys):
    status, err = run(books, files["orders"], capsys=capsys)
    assert status == 0
    assert "还没有销售记录" in err and "归档为" in err  # said, and archived
    assert not (books / "2025").exists()
    status, err = run(books, files["first"], capsys=capsys)  # the archived export gives the points
    assert status == 0, err
    entries = check(books)
    assert points_by_month(entries) == {"2025-03": Decimal("2.50")}
    status, err = run(books, files["second"], capsys=capsys)
    assert status == 0, err
    assert points_by_month(check(books)) == {"2025-03": Decimal("3.70")}


def test_orders_after_the_statement_add_points_entries_once(books, files, capsys):
    assert run(books, files["first"], files["second"], capsys=capsys)[0] == 0
    assert points_by_month(check(books)) == {}
    status, err = run(books, files["orders"], capsys=capsys)
    assert status == 0, err
    assert "补记消费积分 2 笔" in err
    entries = check(books)
    points = [e for e in entries if isinstance(e, data.Transaction) and "tmall-points" in e.tags]
    assert [(e.date, e.meta["consumer-points"], e.meta["points-orders"], e.postings) for e in points] == [
        (datetime.date(2025, 3, 3), "2.50 CNY", "1001", []),
        (datetime.date(2025, 3, 20), "1.20 CNY", "1003", []),
    ]
    assert points_by_month(entries) == {"2025-03": Decimal("3.70")}
    before = snapshot(books)
    # The same export again, or under another name, or with a statement again: nothing twice.
    again = files["dir"] / "ExportOrderList202503-copy.csv"
    again.write_bytes(files["orders"].read_bytes())
    status, err = run(books, again, files["first"], capsys=capsys)
    assert status == 0 and "没有新的分录" in err
    assert snapshot(books) == before


def test_an_order_export_without_points_is_said_and_archived(books, files, capsys):
    plain = write_orders(files["dir"] / "ExportOrderList202504.csv", [("2001", "10.00", 0, "2025-04-02 10:00:00")])
    status, err = run(books, plain, capsys=capsys)
    assert status == 0
    assert "没有使用消费积分" in err
    assert (books / "documents" / "Income" / "6001-主营业务收入" / "2025-04-02.ExportOrderList202504.csv").exists()


def test_nothing_is_written_on_error(books, files, tmp_path, capsys):
    before = snapshot(books)
    unknown = tmp_path / "notes.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    status, err = run(books, files["first"], unknown, capsys=capsys)
    assert status == 1
    assert "无法识别" in err and "未写入任何文件" in err
    assert snapshot(books) == before
    broken = files["dir"] / "broken_账务明细.csv"
    broken.write_bytes(files["second"].read_bytes().replace(b"1335.00\t", b"1335.01\t", 1))
    status, err = run(books, files["first"], broken, capsys=capsys)
    assert status == 1 and str(broken) in err
    assert snapshot(books) == before


def test_a_failure_while_writing_leaves_the_ledger_as_it_was(books, files, monkeypatch, capsys):
    assert run(books, files["first"], capsys=capsys)[0] == 0
    before = snapshot(books)
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(filing.os, "replace", failing)
    status, err = run(books, files["second"], files["orders"], capsys=capsys)
    assert status == 1 and "已恢复原状" in err
    assert snapshot(books) == before
    assert not list(books.rglob(".*.tmall-import.tmp"))


def test_archive_never_overwrites_a_different_file(books, files, capsys):
    assert run(books, files["first"], capsys=capsys)[0] == 0
    target = next((books / "documents" / "Assets").rglob("2025-03-15.*"))
    target.write_bytes(target.read_bytes() + b"\r\n")  # someone changed the archived copy
    before = snapshot(books)
    status, err = run(books, files["first"], capsys=capsys)
    assert status == 1 and "不覆盖" in err
    assert snapshot(books) == before


def test_include_lines_are_added_in_order():
    text = 'option "title" "x"\n\ninclude "2025/01.beancount"\ninclude "2025/04.beancount"\n'
    out = filing.add_to_main(text, ["2025/05.beancount", "2025/02.beancount"])
    assert out.splitlines()[-4:] == [
        'include "2025/01.beancount"', 'include "2025/02.beancount"',
        'include "2025/04.beancount"', 'include "2025/05.beancount"',
    ]


def test_import_command_line(books, files):
    result = CliRunner().invoke(
        main, ["import", str(files["first"]), "--ledger", str(books / "main.beancount")]
    )
    assert result.exit_code == 0, result.output
    assert "导入完成" in result.output
    check(books)


def test_opening_table_errors_name_the_line(tmp_path):
    def table(body: str) -> Path:
        path = tmp_path / "t.csv"
        path.write_bytes(("科目编码,科目名称,借方余额,贷方余额\r\n" + body).encode("gbk"))
        return path

    from beancount_tmall.formats.common import SourceError

    with pytest.raises(SourceError, match=r"试算不平衡: 借方合计 1,000.00, 贷方合计 900.00"):
        read_opening(table("101201,支付宝,1000.00,\r\n4001,实收资本,,900.00\r\n"))
    with pytest.raises(SourceError, match=r"t.csv:3: 科目编码 1122 .*不在科目表中"):
        read_opening(table("101201,支付宝,1000.00,\r\n1122,应收账款,5.00,\r\n"))
    with pytest.raises(SourceError, match=r"t.csv:2: 科目 101201 的余额无法读取"):
        read_opening(table("101201,支付宝,abc,\r\n"))
    with pytest.raises(SourceError, match=r"t.csv:2: .*同时有借方余额"):
        read_opening(table("101201,支付宝,1.00,1.00\r\n"))
    with pytest.raises(SourceError, match=r"t.csv:2: .*汇总科目"):
        read_opening(table("1012,其他货币资金,1.00,\r\n"))
    ok = read_opening(table("10120101,支付宝二店,10.00,\r\n4001,实收资本,,10.00\r\n"))
    assert ok.new_accounts[0].account == f"{accounts.ALIPAY}:10120101-支付宝二店"


def test_a_new_ledger_adopts_the_first_account_and_refuses_another(books, files, capsys):
    other = files["dir"] / "other_账务明细.csv"
    other.write_bytes(files["second"].read_bytes().replace(ALIPAY_ID.encode(), b"20889999999999990000"))
    before = snapshot(books)
    status, err = run(books, files["first"], other, capsys=capsys)
    assert status == 1 and "20889999999999990000" in err and "未写入任何文件" in err
    assert snapshot(books) == before
    status, err = run(books, files["first"], files["second"], capsys=capsys)
    assert status == 0, err
    text = (books / "main.beancount").read_text(encoding="utf-8")
    assert text.count(f'custom "tmall-alipay-account" "{ALIPAY_ID}"') == 1
    assert text.index("tmall-alipay-account") < text.index('include "2025/03.beancount"')
    check(books)
    status, err = run(books, other, capsys=capsys)  # the ledger now maps its account: refused
    assert status == 1 and "未映射" in err


def test_per_row_sales_count_their_orders_points_once(books, files, capsys):
    status = filing.run_import(
        [str(files["first"]), str(files["orders"])], ledger=books / "main.beancount", per_row=True
    )
    assert status == 0, capsys.readouterr().err
    assert points_by_month(check(books)) == {"2025-03": Decimal("2.50")}
    status = filing.run_import([str(files["orders"])], ledger=books / "main.beancount", per_row=True)
    assert status == 0
    assert "没有新的分录" in capsys.readouterr().err
    assert points_by_month(check(books)) == {"2025-03": Decimal("2.50")}


def test_a_missing_ledger_is_an_error_in_chinese(tmp_path, files, capsys):
    status, err = run(tmp_path / "nowhere", files["first"], capsys=capsys)
    assert status == 2 and "tmall-books init" in err and "不存在" in err
    assert not (tmp_path / "nowhere").exists()


def test_statements_given_newest_first_open_the_ledger_from_the_earliest(books, files, capsys):
    status, err = run(books, files["second"], files["first"], capsys=capsys)
    assert status == 0, err
    entries = check(books)  # green: the opening balance comes before every balance assertion
    (opening,) = [e for e in entries if isinstance(e, data.Transaction) and "opening" in e.tags]
    assert opening.date == datetime.date(2025, 3, 3)
    alipay = [p for p in opening.postings if p.account == accounts.ALIPAY]
    assert alipay[0].units.number == Decimal("1000.00")


def test_rows_to_review_name_the_archived_statement(books, tmp_path, capsys):
    rows = FIRST_HALF + [(9, datetime.datetime(2025, 3, 6, 8, 0), "", Decimal("-3.00"), "转账", "神秘扣款")]
    statement = write_statement(
        tmp_path / f"{ALIPAY_ID}_20250301_20250315_账务明细.csv", "1000.00", rows,
        "2025-03-01 00:00:00", "2025-03-16 00:00:00",
    )
    status, err = run(books, statement, capsys=capsys)
    assert status == 0, err
    assert "待核对" in err
    entries = check(books)
    (posting,) = [
        p for e in entries if isinstance(e, data.Transaction) for p in e.postings
        if p.account == accounts.SUSPENSE
    ]
    archived = f"documents/Assets/1012-其他货币资金/101201-支付宝/2025-03-15.{statement.name}"
    assert posting.meta["source-file"] == archived
    assert (books / archived).read_bytes() == statement.read_bytes()
    assert posting.meta["source-line"] == "10"  # 4 banner lines, the header, 4 rows before it
