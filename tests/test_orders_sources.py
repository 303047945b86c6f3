"""The inputs of order-level reconciliation: order ids and kinds of statement rows, order records."""

from __future__ import annotations

from decimal import Decimal

from orders_samples import (
    CLEAN_ORDERS,
    O1,
    O2,
    O3,
    line_of,
    order_csv,
    order_xlsx,
    statement,
    write,
)

from beancount_tmall.importers.rules import load_rules
from beancount_tmall.orders import sources
from beancount_tmall.orders.sources import (
    Classifier,
    StatementScan,
    order_records,
    statement_records,
)

T = "4100000000000000777"

# (time, 业务类型, 备注, 商户订单号, amount, 业务基础订单号) -> (kind, order id)
ROWS = [
    (("2025-03-02 10:00:00", "在线支付", "", f"T200P{T}", "100.00", ""), ("sale", T)),
    (("2025-03-02 10:00:01", "交易付款", "", f"T10000P{T}", "20.00", ""), ("sale", T)),  # presale
    (("2025-03-02 10:00:02", "交易付款", f"天猫佣金（类目）{{{T}}}扣款", "", "-5.00", ""), ("commission", T)),
    (("2025-03-02 10:00:03", "交易付款", f"天猫佣金(类目系统){{{T}}}扣款", "", "-1.00", ""), ("commission", T)),
    (("2025-03-02 10:00:04", "转账", f"代扣款（扣款用途：淘宝客佣金代扣款[{T}]）", "", "-3.00", ""), ("taobaoke", T)),
    (("2025-03-02 10:00:05", "交易付款", f"基础软件服务费({T})扣款", "", "-0.60", ""), ("service", T)),
    (("2025-03-02 10:00:06", "交易付款", "代扣返点积分", "", "-0.50", T), ("points", T)),  # 业务基础订单号
    (("2025-03-02 10:00:07", "收费", f"花呗支付服务费[2025030222001];淘宝交易号[T200P{T}]", "", "-0.80", ""),
     ("card-fee", T)),
    (("2025-03-03 09:00:00", "交易退款", f"售后退款-1-T200P{T}", f"T200P{T}", "-40.00", ""), ("refund", T)),
    (("2025-03-03 09:00:01", "交易付款", f"天猫佣金（类目）{{{T}}}退款", "", "2.00", ""), ("commission", T)),
    (("2025-03-03 09:00:02", "交易付款", f"代扣交易退回积分{T}", "", "0.20", ""), ("points", T)),
    (("2025-03-03 09:00:03", "交易付款", f"淘宝客佣金退款[{T}]", "", "1.20", ""), ("taobaoke", T)),
    (("2025-03-04 09:00:00", "提现", "提现到银行卡", "", "-50.00", ""), None),
    (("2025-03-04 09:00:01", "交易付款", "代扣款（扣款用途：直通车自动充值-1）", "", "-5.00", ""), None),
    (("2025-03-04 09:00:02", "转账", f"好评返现[{T}]", "", "-2.00", ""), None),  # not a fee of the order
    (("2025-03-04 09:00:03", "其它", "神秘扣款", "", "-1.00", ""), None),  # no rule takes it
    (("2025-03-04 09:00:04", "其它", f"神秘扣款{{{T}}}", "", "-1.00", ""), None),  # nor this one, of an order
]


def test_kinds_and_order_ids_of_statement_rows(tmp_path):
    path = write(tmp_path, "s.csv", statement([r for r, _ in ROWS]))
    scan = StatementScan()
    records = list(statement_records([path], Classifier(load_rules()), scan))
    expected = [(n, want) for n, (_, want) in enumerate(ROWS) if want is not None]
    assert [(r.kind, r.tid) for r in records] == [want for _, want in expected]
    assert [r.line for r in records] == [line_of(ROWS, n) for n, _ in expected]
    assert [r.amount for r in records][:3] == [10000, 2000, -500]
    assert {r.month for r in records} == {"2025-03"}
    assert (scan.rows, scan.unclassified) == (len(ROWS), 1)
    assert str(scan.covered_until) == "2025-05-01 00:00:00"  # the banner's 终止日期


def test_give_backs_are_fee_kinds_with_money_in():
    assert sources.is_give_back("commission", 200)
    assert not sources.is_give_back("commission", -500)
    assert not sources.is_give_back("sale", 100)
    assert not sources.is_give_back("refund", -100)


def test_a_store_rates_file_can_name_the_kind_of_a_rule(tmp_path):
    path = write(tmp_path, "s.csv", statement([ROWS[5][0]]))  # 基础软件服务费
    classifier = Classifier(load_rules(), {"software-fee": "commission"})
    assert [r.kind for r in statement_records([path], classifier)] == ["commission"]


def test_order_records_in_cents_from_csv_and_xlsx(tmp_path):
    csv_path = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    details = {O3: "支付方式：信用卡，金额：120.00；支付方式：支付宝，金额：180.00；"}
    xlsx_path = write(tmp_path, "ExportOrderList202503.xlsx", order_xlsx(CLEAN_ORDERS, details, {O1: "是"}))
    by_csv = {o.tid: o for o in order_records(csv_path)}
    by_xlsx = {o.tid: o for o in order_records(xlsx_path)}
    o2 = by_csv[O2]
    assert (o2.month, o2.paid, o2.points, o2.gross, o2.card, o2.taobaoke) == ("2025-03", 20000, 500, 20500, None, None)
    assert by_csv[O3].refund == 10000 and by_csv["4100000000000000104"].closed
    assert (by_xlsx[O3].card, by_xlsx[O3].taobaoke, by_xlsx[O1].taobaoke) == (12000, False, True)
    assert by_xlsx[O1].card is None  # no 支付详情: unknown, not "no card"
    assert (by_csv[O1].file, by_csv[O1].line) == (str(csv_path), 2)


def test_cents():
    assert sources.cents(Decimal("-12.34")) == -1234
    assert sources.cents(Decimal("0.5")) == 50
    assert sources.month_name(sources.month_index("2025-12") + 1) == "2026-01"


def test_inputs_are_told_apart_by_their_content(tmp_path):
    from orders_samples import item_csv, refund_csv

    files = {
        "a.csv": statement(),
        "b.csv": order_csv(),
        "c.xlsx": order_xlsx(CLEAN_ORDERS, {}),
        "d.csv": item_csv([(O1, "50.00", 2, "GW-SC")]),
        "e.csv": refund_csv([("9001", O3, "2025-03-25 11:00:00", "300.00", "100.00", "退款成功")]),
        "f.txt": "其他文件\r\n".encode("gbk"),
    }
    paths = [write(tmp_path, name, content) for name, content in files.items()]
    found, other = sources.sort_inputs(paths)
    names = {kind: [p.name for p in found[kind]] for kind in found}
    assert names == {"statements": ["a.csv"], "refunds": ["e.csv"], "items": ["d.csv"], "orders": ["b.csv", "c.xlsx"]}
    assert [p.name for p in other] == ["f.txt"]


def test_a_taobaoke_tag_that_is_no_yes_or_no_is_refused(tmp_path):
    import pytest

    from beancount_tmall.formats.common import SourceError

    path = write(tmp_path, "ExportOrderList202503.xlsx", order_xlsx(CLEAN_ORDERS[:1], {}, {O1: "也许"}))
    with pytest.raises(SourceError, match="是否淘宝客订单") as info:
        list(order_records(path))
    assert info.value.line == 2


def test_order_ids_of_sale_rows_are_order_ids_whatever_the_number(tmp_path):
    """The statement reader's inline case of 商户订单号 ``T200P<digits>`` gives what
    :func:`order_id` gives, on the numbers around it: an 11-digit number of a phone's shape is no
    order (then nothing), one of another shape is, full-width digits are digits, no digits is not."""
    from beancount_tmall.formats.alipay_statement import AlipayStatement
    from beancount_tmall.importers.rowtext import order_id

    numbers = [T, "13912345678", "20000000000", "123", "４１００００００", "", "12345678901234567890"]
    rows = [(f"2025-03-02 10:00:{n:02d}", "在线支付", "", f"T200P{number}", "100.00", "")
            for n, number in enumerate(numbers)]
    path = write(tmp_path, "s.csv", statement(rows))
    tids = [r.tid for r in statement_records([path], Classifier(load_rules()))]
    assert tids == [t for t in map(order_id, AlipayStatement(path)) if t]
    assert tids == [T, "20000000000", "123", "４１００００００", "12345678901234567890"]
