"""Statements in the layouts real stores download (issue 7), written byte for byte.

``python tests/real_layouts.py`` (re)writes the fixtures below into ``tests/fixtures/alipay/``; a
test checks that the committed files still equal what this module makes. Every file is GBK (as
Alipay writes them) and has the quirk that made real files fail: rows of one second written in
账务流水号 order, which is not the order of the running balance.

* ``layout_2012_gbk.csv``: the 12-column layout as written in 2012 (TAB only after id and text
  cells, ``0.00`` in the unused amount column, negative expenses and a negative 支出合计, LF line
  endings, counterparty cells ``name (account)``);
* ``layout_2012_newest_first_gbk.csv``: the same rows listed newest first;
* ``layout_13col_gbk.csv``: the 13-column layout with reordered columns and 业务描述 coded
  ``0010001|交易收款-交易收款``, 支出 written ``0``;
* ``layout_entry_time_gbk.csv``: the ``序号,入账时间,…`` family: ``#账号：name[2088…]``, banner dates
  without brackets, a leading TAB in cells, single-space empty cells, 支出 positive, no footer;
* ``202503_2088123456789012.zip``: a bill download with the statement in two parts
  (``…_账务明细_1.csv``, ``…_账务明细_2.csv``, each with banner, header and footer, a second cut
  between them), its ``(汇总)`` and a ``业务明细`` entry, names in GBK without the UTF-8 flag.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "alipay"

HEADER_12 = (
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注"
)
HEADER_13 = (
    "账务流水号,业务流水号,商品名称,发生时间,收入金额（+元）,支出金额（-元）,账户余额（元）,业务类型,"
    "备注,商户订单号,对方账号,业务描述,业务基础订单号"
)
HEADER_16 = HEADER_12 + ",业务描述,业务账单来源,业务基础订单号,业务订单号"
HEADER_ENTRY_TIME = (
    "序号,入账时间,支付宝交易号,支付宝流水号,商户订单号,账务类型,收入（+元）,支出（-元）,账户余额（元）,"
    "对方账户,对方名称,备注,业务描述"
)

TMALL = ("浙江天猫技术有限公司", "pinpaiticheng@service.taobao.com")
POINTS = ("浙江天猫技术有限公司", "jifenb2c@service.taobao.com")
TAOBAOKE = ("杭州阿里妈妈软件服务有限公司", "r-taobaoke@taobao.com")
ALIPAY = ("支付宝（中国）网络技术有限公司", "systemrevenue@alipay.com")


def events_2012():
    """``(time, serial rank, amount, 业务类型, 备注, 商户订单号, (name, account))`` in balance order.

    The serial rank orders the rows of one second as the file writes them (账务流水号 order); it
    differs from the balance order in every group of more than one row.
    """
    t1, t2, t3, t4 = (
        "2012-11-14 21:21:26", "2012-11-14 21:30:05", "2012-11-15 09:12:40", "2012-11-15 10:00:00"
    )
    return [
        ("2012-11-14 20:01:10", 1, "58.00", "在线支付", "", "T200P210000001", ("张三", "zhangsan@163.com")),
        # A sale and its deductions in one second; Alipay numbered the deductions first.
        (t1, 6, "128.00", "在线支付", "", "T200P210000002", ("李四", "13812345678")),
        (t1, 2, "-6.40", "转账", "代扣款（扣款用途：新online佣金服务，{210000002}扣款，2012-11-14 21:21:26）",
         "", TMALL),
        (t1, 3, "-0.64", "转账", "代扣款（扣款用途：代扣返点积分210000002）", "", POINTS),
        (t1, 4, "-2.56", "转账", "代扣款（扣款用途：淘宝客佣金代扣款[210000002]）", "", TAOBAOKE),
        (t1, 5, "-1.28", "收费", "信用卡支付服务费[2012111421001];淘宝交易号[T200P210000002]", "", ALIPAY),
        # Two equal deductions and a refund that cancels a sale of the same second (a cycle).
        (t2, 9, "35.00", "在线支付", "", "T200P210000003", ("王五", "wangwu@126.com")),
        (t2, 8, "-35.00", "交易退款", "售后退款-1-T200P210000003", "T200P210000003", ("王五", "wangwu@126.com")),
        (t3, 12, "-1.75", "转账", "代扣款（扣款用途：新online佣金服务，{210000004}扣款，2012-11-15 09:12:40）",
         "", TMALL),
        (t3, 11, "-1.75", "转账", "代扣款（扣款用途：新online佣金服务，{210000005}扣款，2012-11-15 09:12:40）",
         "", TMALL),
        (t3, 10, "70.00", "在线支付", "", "T200P210000004", ("赵六", "zhaoliu@sina.com")),
        (t4, 13, "-100.00", "提现", "提现到银行卡", "", ("", "")),
    ]


OPENING_2012 = Decimal("1000.00")


def chained(events, opening):
    """The events with their balance after each, in balance order."""
    balance = Decimal(opening)
    out = []
    for event in events:
        balance += Decimal(event[2])
        out.append((*event, balance))
    return out


def file_order(rows, newest_first=False):
    """Rows as the file lists them: by time, then by serial (both reversed when newest first)."""
    return sorted(rows, key=lambda r: (r[0], r[1]), reverse=newest_first)


def totals(rows):
    amounts = [Decimal(r[2]) for r in rows]
    out = [a for a in amounts if a < 0]
    inc = [a for a in amounts if a >= 0]
    return len(out), -sum(out, Decimal(0)), len(inc), sum(inc, Decimal(0))


def layout_2012(newest_first=False) -> bytes:
    rows = file_order(chained(events_2012(), OPENING_2012), newest_first)
    lines = [
        "#支付宝账务明细查询",
        "#账号：[20880123456789010156]",
        "#起始日期：[2012年11月14日 00:00:00]    终止日期：[2012年11月16日 00:00:00]",
        "#---------------------------------账务明细列表----------------------------",
        HEADER_12,
    ]
    for time, rank, amount, biz, remark, order, (name, account), balance in rows:
        amount = Decimal(amount)
        income = f"{amount:.2f}" if amount >= 0 else "0.00"
        expense = f"{amount:.2f}" if amount < 0 else "0.00"  # negative, as in 2012
        party = f"{name} ({account})" if account else ""
        ids = [f"2012111400{rank:010d}", f"2012111411{rank:012d}", order, "天猫商品" if order else "",
               time, party]
        lines.append(
            ",".join(c + "\t" for c in ids) + f",{income},{expense},{balance:.2f},"
            + ",".join(c + "\t" for c in ("", biz, remark))
        )
    n_out, out, n_in, inc = totals(rows)
    lines += [
        "#---------------------------------账务明细列表结束--------------------------",
        f"#支出合计：{n_out}笔，共-{out:.2f}元",
        f"#收入合计：{n_in}笔，共{inc:.2f}元",
        "#导出时间：[2012年11月16日 09:12:33]",
    ]
    return ("\n".join(lines) + "\n").encode("gbk")


def layout_13col() -> bytes:
    rows = file_order(chained(events_2012(), OPENING_2012))
    lines = [
        "#支付宝账务明细查询",
        "#账号：[20880123456789010156]",
        "#起始日期：[2012年11月14日 00:00:00]   终止日期：[2012年11月16日 00:00:00]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        HEADER_13,
    ]
    for time, rank, amount, biz, remark, order, (_name, account), balance in rows:
        amount = Decimal(amount)
        income = f"{amount:.2f}" if amount >= 0 else "0"
        expense = f"{-amount:.2f}" if amount < 0 else "0"
        description = "0010001|交易收款-交易收款" if amount >= 0 else "3011002|交易付款-服务费"
        base = order[5:] if order.startswith("T200P") else ""
        cells = [f"2012111400{rank:010d}", f"2012111411{rank:012d}", "天猫商品" if order else "", time,
                 income, expense, f"{balance:.2f}", biz, remark, order, account, description, base]
        lines.append(",".join(c + "\t" for c in cells))
    n_out, out, n_in, inc = totals(rows)
    lines += [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        f"#支出合计：{n_out}笔，共{out:.2f}元",
        f"#收入合计：{n_in}笔，共{inc:.2f}元",
        "#导出时间：[2012年11月16日 09:12:33]",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def events_2025():
    t1, t2 = "2025-03-15 14:02:11", "2025-03-16 08:00:00"
    return [
        ("2025-03-01 10:00:00", 1, "100.00", "在线支付", "", "T200P4001", ("张*", "buyer1@example.com")),
        ("2025-03-01 10:05:00", 2, "-5.00", "转账",
         "代扣款（扣款用途：天猫佣金（类目）{4001}扣款，付款方：浙江天猫技术有限公司）", "", TMALL),
        (t1, 5, "200.00", "交易付款", "", "T200P4002", ("李*", "138****5678")),
        (t1, 3, "-10.00", "转账",
         "代扣款（扣款用途：天猫佣金（类目）{4002}扣款，付款方：浙江天猫技术有限公司）", "", TMALL),
        (t1, 4, "-1.00", "转账",
         "代扣款（扣款用途：淘宝联盟佣金代扣 tradeid:4002 memberid:88 fee:1.00，付款方：杭州阿里妈妈淘联信息"
         "技术有限公司）", "", TAOBAOKE),
        (t2, 7, "-50.00", "交易退款", "售后退款-1-T200P4002", "T200P4002", ("李*", "138****5678")),
        (t2, 6, "2.50", "转账", "天猫佣金（类目）{4002}退款", "", TMALL),
        ("2025-03-31 23:59:59", 8, "-100.00", "提现", "提现到银行卡", "", ("", "")),
    ]


OPENING_2025 = Decimal("500.00")


def layout_entry_time() -> bytes:
    rows = file_order(chained(events_2025(), OPENING_2025))
    lines = [
        "#支付宝账务明细查询",
        "#账号：杭州某某旗舰店[2088123456789012]",
        "#起始日期：2025-03-01 00:00:00  终止日期：2025-04-01 00:00:00",
        HEADER_ENTRY_TIME,
    ]
    for n, (time, rank, amount, biz, remark, order, (name, account), balance) in enumerate(rows, 1):
        amount = Decimal(amount)
        income = f"{amount:.2f}" if amount >= 0 else " "
        expense = f"{-amount:.2f}" if amount < 0 else " "  # positive in this family
        cells = [str(n), time, f"2025031522001{rank:07d}", f"2025031520004{rank:012d}", order or " ",
                 biz, income, expense, f"{balance:.2f}", account or " ", name or " ", remark or " ", " "]
        lines.append(",".join(c if c == " " else "\t" + c for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def bill_part(rows, part_end_note="") -> bytes:
    """One part of the monthly bill download: the 16-column layout with banner and footer."""
    lines = [
        "#支付宝账务明细查询",
        "#账号：[2088123456789012]",
        "#起始日期：[2025年03月01日 00:00:00]   终止日期：[2025年04月01日 00:00:00]",
        "#-----------------------------------------账务明细列表----------------------------------------",
        HEADER_16,
    ]
    for time, rank, amount, biz, remark, order, (_name, account), balance in rows:
        amount = Decimal(amount)
        income = f"{amount:.2f}" if amount >= 0 else ""
        expense = f"-{-amount:.2f}" if amount < 0 else ""
        base = order[5:] if order.startswith("T200P") else ""
        cells = [f"2025031520004{rank:012d}", f"2025031522001{rank:07d}", order, "天猫商品" if order else "",
                 time, account, income, expense, f"{balance:.2f}", "", biz, remark, "", "淘宝", base, ""]
        lines.append(",".join(c + "\t" for c in cells))
    n_out, out, n_in, inc = totals(rows)
    lines += [
        "#-----------------------------------------账务明细列表结束------------------------------------",
        f"#支出合计：{n_out}笔，共-{out:.2f}元",
        f"#收入合计：{n_in}笔，共{inc:.2f}元",
        "#导出时间：[2025年04月02日 09:00:00]",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


class GbkZipInfo(zipfile.ZipInfo):
    """A zip entry whose name is stored in GBK without the UTF-8 flag, as Alipay writes it."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits


def make_zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in entries:
            info = GbkZipInfo(name, (2025, 4, 2, 9, 0, 0))
            info.compress_type = compression
            zf.writestr(info, content)
    return buf.getvalue()


BILL_PREFIX = "2088123456789012_202503"


def bill_parts() -> list[bytes]:
    """The two parts of March; the cut falls inside the second 14:02:11 (rows 1-4 | 5-8)."""
    rows = file_order(chained(events_2025(), OPENING_2025))
    return [bill_part(rows[:4]), bill_part(rows[4:])]


def bill_zip() -> bytes:
    first, second = bill_parts()
    return make_zip([
        (f"{BILL_PREFIX}_账务明细(汇总)_1.csv", "#支付宝账务明细汇总\r\n".encode("gbk")),
        (f"{BILL_PREFIX}_账务明细_2.csv", second),
        (f"{BILL_PREFIX}_业务明细_1.csv", "#支付宝业务明细查询\r\n".encode("gbk")),
        (f"{BILL_PREFIX}_账务明细_1.csv", first),
    ])


def fixtures() -> dict[str, bytes]:
    """File name -> bytes of every fixture of this module."""
    return {
        "layout_2012_gbk.csv": layout_2012(),
        "layout_2012_newest_first_gbk.csv": layout_2012(newest_first=True),
        "layout_13col_gbk.csv": layout_13col(),
        "layout_entry_time_gbk.csv": layout_entry_time(),
        "202503_2088123456789012.zip": bill_zip(),
    }


def write_fixtures(directory: Path = FIXTURES) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in fixtures().items():
        (directory / name).write_bytes(content)


if __name__ == "__main__":
    write_fixtures()
