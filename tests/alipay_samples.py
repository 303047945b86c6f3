"""Small Alipay statements and Tmall order exports in their real byte formats, for the tests.

``python tests/alipay_samples.py`` (re)writes ``tests/fixtures/alipay/``; a test checks that the
committed fixtures still equal what this module makes.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "alipay"
BASE_SERIAL = 20250315200040011100123400000000

HEADER_12 = (
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注"
)
HEADER_16 = HEADER_12 + ",业务描述,业务账单来源,业务基础订单号,业务订单号"
HEADER_NEW = (
    "序号,入账时间,支付宝流水号,支付宝交易号,商户订单号,账务类型,收入（+元）,支出（-元）,"
    "账户余额（元）,对方账户,对方名称,备注,业务描述"
)

# (time, biz_type, remark, order_no, amount, counterparty, counterparty name)
ROWS = [
    ("2025-03-15 09:01:02", "在线支付", "", "T200P1001", "100.00", "13812341234", "张三"),
    ("2025-03-15 09:01:03", "交易付款", "天猫佣金（类目）{1001}扣款", "T200P1001", "-5.00", "", ""),
    ("2025-03-15 09:01:04", "交易付款", "代扣返点积分1001", "T200P1001", "-0.50", "", ""),
    ("2025-03-15 09:01:05", "收费", "信用卡支付服务费[2025031522001];淘宝交易号[T200P1001]", "", "-0.10", "", ""),
    ("2025-03-15 12:00:00", "在线支付", "", "T200P1002", "200.00", "lisi@example.com", "李四"),
    ("2025-03-15 12:00:01", "交易付款", "淘宝客佣金代扣款[1002]", "", "-10.00", "", ""),
    ("2025-03-16 10:00:00", "交易退款", "售后退款-1-T200P1002", "T200P1002", "-50.00", "lisi@example.com", "李四"),
    ("2025-03-16 10:00:01", "交易付款", "天猫佣金（类目）{1002}退款", "T200P1002", "2.50", "", ""),
    ("2025-03-16 10:00:02", "交易付款", "代扣交易退回积分1002", "T200P1002", "0.25", "", ""),
    ("2025-03-16 15:00:00", "提现", "提现到银行卡", "", "-100.00", "", ""),
    ("2025-03-16 16:00:00", "交易付款", "代扣款（扣款用途：直通车自动充值-1）", "", "-20.00", "", ""),
    ("2025-03-16 17:00:00", "其它", "神秘扣款", "", "-1.00", "", ""),
    ("2025-03-17 08:00:00", "转账", "天猫保证金-充值", "", "-10.00", "", ""),
    ("2025-03-17 08:10:00", "结息", "", "", "0.05", "", ""),
    ("2025-03-17 08:20:00", "交易付款", "保险承保-卖家版运费险保费收取", "", "-0.30", "", ""),
    ("2025-03-17 08:30:00", "转账", "往来款", "", "50.00", "", ""),
    ("2025-03-17 09:00:00", "交易付款", "", "T200P1003", "30.00", "13900001111", "王小明"),
    ("2025-03-17 09:10:00", "交易付款", "代扣款（扣款用途：钻展-2）", "", "-5.00", "", ""),
    ("2025-03-17 09:20:00", "交易付款", "代扣款（扣款用途：聚划算-3）", "", "-3.00", "", ""),
    ("2025-03-17 09:30:00", "交易付款", "基础软件服务费(1003)扣款", "", "-0.30", "", ""),
    ("2025-03-17 09:40:00", "交易付款", "技术服务费年费代扣2025", "", "-100.00", "", ""),
    ("2025-03-17 09:50:00", "交易付款", "淘宝客佣金退款[1002]", "", "1.00", "", ""),
    ("2025-03-17 10:00:00", "转账", "天猫保证金-解冻", "", "5.00", "", ""),
    ("2025-03-17 10:10:00", "收费", "花呗支付服务费[2025031722009];淘宝交易号[T200P1003]", "", "-0.30", "", ""),
    ("2025-03-17 10:20:00", "交易付款", "技术服务费年费返还2024", "", "10.00", "", ""),
]
UNCLASSIFIED_LINE = 17  # the 神秘扣款 row in the 16/12-column files (5 banner/header lines + 12)


def banner(
    title: str = "#支付宝账务明细查询",
    start: str = "2025年03月15日 00:00:00",
    end: str = "2025年03月18日 00:00:00",
) -> list[str]:
    return [
        title,
        "#账号：[20885012345678900156]",
        f"#起始日期：[{start}]   终止日期：[{end}]",
        "#-----------------------------------------账务明细列表----------------------------------------",
    ]


def footer(
    rows, pad: str = "", expense_sign: str = "-", expense_delta=0, count_delta=0,
    exported: str = "2025年03月18日 10:00:00",
) -> list[str]:
    amounts = [Decimal(r[4]) for r in rows]
    out = [a for a in amounts if a < 0]
    inc = [a for a in amounts if a >= 0]
    total_out = -sum(out, Decimal(0)) + expense_delta
    return [
        "#-----------------------------------------账务明细列表结束------------------------------------" + pad,
        f"#支出合计：{len(out) + count_delta}笔，共{expense_sign}{total_out:.2f}元" + pad,
        f"#收入合计：{len(inc)}笔，共{sum(inc, Decimal(0)):.2f}元" + pad,
        f"#导出时间：[{exported}]" + pad,
    ]


def data_lines(
    rows, columns: int = 16, negative_expense: bool = False, tabs: bool = True, skip=(),
    first: int = 1, opening=Decimal(0), balance_column: bool = True, newest_first: bool = False,
):
    """Statement lines of ``rows``: serials ``BASE_SERIAL + first`` on, balances from ``opening``
    (in the rows' order), optionally without the balance column or listed newest first."""
    balance = Decimal(opening)
    lines = []
    for n, (time, biz, remark, order_no, amount, party, _name) in enumerate(rows, first):
        amount = Decimal(amount)
        balance += amount
        if n in skip:
            continue
        income = f"{amount:.2f}" if amount >= 0 else ""
        expense = "" if amount >= 0 else f"{-amount if not negative_expense else amount:.2f}"
        cells = [
            str(BASE_SERIAL + n), f"2025{n:016d}", order_no, "天猫商品" if order_no else "",
            time, party, income, expense, f"{balance:.2f}", "", biz, remark,
        ]
        if columns == 16:
            base = order_no[5:] if order_no.startswith("T200P") else ""
            cells += [remark[:10], "淘宝", base, ""]
        if not balance_column:
            del cells[8]
        t = "\t" if tabs else ""
        lines.append(",".join(c + t for c in cells))
    if newest_first:
        lines.reverse()
    return lines


def statement(
    columns=16, negative_expense=False, encoding="gbk", pad="", skip=(), rows=ROWS,
    first=1, opening=Decimal(0), balance_column=True, newest_first=False, period=None,
    **footer_args,
) -> bytes:
    """A statement of ``rows``; ``period=(start, end)`` for the banner's dates (``()``: no banner
    dates), the other keywords as for :func:`data_lines` and :func:`footer`."""
    header = HEADER_16 if columns == 16 else HEADER_12
    if not balance_column:
        header = header.replace("账户余额（元）,", "")
    kept = [r for n, r in enumerate(rows, 1) if n not in skip]
    if period is None:
        top = banner()
    elif period:
        top = banner(start=period[0], end=period[1])
    else:
        top = [line for line in banner() if "日期" not in line]
    lines = top + [header] + data_lines(
        rows, columns, negative_expense, skip=skip, first=first, opening=opening,
        balance_column=balance_column, newest_first=newest_first,
    )
    lines += footer(kept, pad=pad, **footer_args)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def new_family(encoding="utf-8-sig") -> bytes:
    balance = Decimal(0)
    lines = banner() + [HEADER_NEW]
    for n, (time, biz, remark, order_no, amount, party, name) in enumerate(ROWS, 1):
        amount = Decimal(amount)
        balance += amount
        income = f"{amount:.2f}" if amount >= 0 else " "
        expense = f"-{-amount:.2f}" if amount < 0 else " "
        cells = [str(n), time, str(BASE_SERIAL + n), f"2025{n:016d}", order_no, biz, income,
                 expense, f"{balance:.2f}", party, name, remark, ""]
        lines.append(",".join(cells))
    lines += footer(ROWS, pad=",,,,,,")
    return ("\n".join(lines) + "\n").encode(encoding)


class _GbkZipInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag, as Alipay writes it."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits


def bill_zip(extra: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    """The bill-download zip; ``extra``: more ``(name, content)`` entries."""
    buf = io.BytesIO()
    prefix = "20885012345678900156_20250318"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in (
            (prefix + "_业务明细.csv", "#支付宝业务明细查询\r\n".encode("gbk")),
            (prefix + "_账务明细(汇总).csv", "#支付宝账务明细汇总\r\n".encode("gbk")),
            (prefix + "_账务明细.csv", statement()),
            (prefix + "_业务明细(汇总).csv", "#支付宝业务明细汇总\r\n".encode("gbk")),
            *extra,
        ):
            info = _GbkZipInfo(name, (2025, 3, 18, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return buf.getvalue()


def orders() -> bytes:
    header = (
        "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
        "买家实际支付金额,买家实际支付积分 ,订单状态 ,买家留言,收货人姓名,订单创建时间,订单付款时间 "
    )
    rows = [
        '="1001",zhangsan,13812341234,100.00,0.00,250,100.00,50,97.50,250,交易成功,,张三,2025-03-10 10:00:00,2025-03-10 10:01:00',
        "'1002,lisi,lisi@example.com,200.00,0.00,0,200.00,100,200.00,0,交易成功,,李四,2025-03-11 10:00:00,2025-03-11 10:01:00",
        '="1003",wangxm,13900001111,30.00,0.00,120,30.00,15,28.80,120,交易成功,,王小明,2025-03-12 10:00:00,2025-03-12 10:01:00',
    ]
    return ("\r\n".join([header, *rows]) + "\r\n").encode("gbk")


def fixtures() -> dict[str, bytes]:
    """File name -> bytes of every fixture."""
    good = statement()
    end = good.rindex(b"\r\n", 0, good.index("账务明细列表结束".encode("gbk")))
    truncated = good[: end - 20]
    excel = statement().replace(str(BASE_SERIAL + 3).encode(), b"2.0881E+15")
    bad_bytes = statement().replace("神秘扣款".encode("gbk"), b"\xff\xfe\xff")
    return {
        "statement_16col_gbk.csv": good,
        "statement_12col_negative_gbk.csv": statement(columns=12, negative_expense=True, pad=",,,,,,,,,,,"),
        "statement_16col_utf8.csv": statement(encoding="utf-8"),
        "statement_new_family_utf8bom.csv": new_family(),
        "bill_20250318.zip": bill_zip(),
        "orders_gbk.csv": orders(),
        "broken_footer_total.csv": statement(expense_delta=Decimal("1.00")),
        "broken_footer_count.csv": statement(count_delta=1),
        "broken_missing_row.csv": statement(skip=(8,)),
        "broken_truncated.csv": truncated,
        "broken_excel_id.csv": excel,
        "broken_encoding.csv": bad_bytes,
    }


def write_fixtures(directory: Path = FIXTURES) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in fixtures().items():
        (directory / name).write_bytes(content)


if __name__ == "__main__":
    write_fixtures()
