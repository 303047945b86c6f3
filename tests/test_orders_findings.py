"""Order-level reconciliation (issue 9 §2): one test per finding, amounts computed by hand.

The clean store of :mod:`orders_samples` (GBK statement, GBK order export) gives no finding; each
test changes one row or order and states the one finding it must give.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from orders_samples import (
    CLEAN_ORDERS,
    CLEAN_ROWS,
    O1,
    O2,
    O3,
    O5,
    UNKNOWN,
    item_csv,
    line_of,
    order_csv,
    order_xlsx,
    refund_csv,
    statement,
    write,
)

from beancount_tmall.formats.common import SourceError
from beancount_tmall.orders.engine import reconcile
from beancount_tmall.orders.findings import LABELS, Finding
from beancount_tmall.orders.rates import Rates, RatesError, load_rates

D = Decimal


def run(tmp_path, rows=CLEAN_ROWS, orders=CLEAN_ORDERS, export=None, **kwargs):
    """Reconcile ``orders`` (GBK CSV, or ``export`` bytes as xlsx) with one statement of ``rows``."""
    if export is None:
        orders_path = write(tmp_path, "ExportOrderList202503.csv", order_csv(orders))
    else:
        orders_path = write(tmp_path, "ExportOrderList202503.xlsx", export)
    statement_path = write(tmp_path, "20885012345678900156_202503_账务明细.csv", statement(rows))
    return reconcile([orders_path], [statement_path], **kwargs), orders_path, statement_path


def only(result) -> Finding:
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def replace(rows, index, **cells):
    """``rows`` with row ``index`` changed (keys: time, biz, remark, order_no, amount, base)."""
    names = ("time", "biz", "remark", "order_no", "amount", "base")
    out = list(rows)
    row = dict(zip(names, out[index], strict=True))
    row.update(cells)
    out[index] = tuple(row[n] for n in names)
    return out


def test_a_clean_store_gives_no_finding(tmp_path):
    result, _, _ = run(tmp_path)
    assert result.findings == []
    assert result.summary() == []
    assert result.stats.orders == 4
    assert result.stats.statement_rows == len(CLEAN_ROWS)
    assert result.stats.order_rows == len(CLEAN_ROWS) - 2  # not the 提现 and 直通车 rows
    assert result.stats.pending == 0


def test_unsettled_order(tmp_path):
    orders = [*CLEAN_ORDERS, (O5, "60.00", 0, "卖家已发货，等待买家确认", "2025-03-05 08:00:00", "0.00")]
    result, orders_path, _ = run(tmp_path, orders=orders)
    f = only(result)
    assert (f.kind, f.month, f.order_id, f.expected, f.seen) == ("unsettled", "2025-03", O5, D("60.00"), D("0.00"))
    assert (f.file, f.line) == (str(orders_path), 6)  # the order's own line in the export
    assert "2025-03..2025-04" in f.detail
    assert result.summary() == [("2025-03", "unsettled", 1, D("60.00"))]


def test_window_settled_in_the_month_after_but_not_two_months_after(tmp_path):
    # O2 paid 03-28 and settled 04-02 (M+1) is fine (the clean store). Settled in May (M+2): late.
    rows = [("2025-05-02 08:00:00", *r[1:]) if r[0].startswith("2025-04") else r for r in CLEAN_ROWS]
    path = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    may = write(tmp_path, "s.csv", statement(rows, period=("2025年03月01日 00:00:00", "2025年06月01日 00:00:00")))
    f = only(reconcile([path], [may]))
    assert (f.kind, f.order_id, f.expected, f.seen) == ("unsettled", O2, D("205.00"), D("0.00"))
    assert "2025-05" in f.detail
    # a window of two months takes it
    assert reconcile([path], [may], window=2).findings == []
    assert reconcile([path], [may], rates=Rates(window=2)).findings == []


def test_an_order_whose_window_the_statements_do_not_reach_is_pending(tmp_path):
    # Statements of March only: O2 (paid 03-28, settled in April) cannot be judged yet.
    march = [r for r in CLEAN_ROWS if r[0] < "2025-04"]
    path = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    s = write(tmp_path, "s.csv", statement(march, period=("2025年03月01日 00:00:00", "2025年04月01日 00:00:00")))
    result = reconcile([path], [s])
    assert result.findings == []
    assert result.stats.pending == 1  # O2 (O1 and O3 settled in March, O4 is closed)


def test_settled_amount_differs_from_the_order(tmp_path):
    # O1 settled 99.00 for 买家实付 100.00; its fees on 99.00: 4.95 and 0.495 -> 0.50
    rows = replace(CLEAN_ROWS, 0, amount="99.00")
    rows = replace(rows, 1, amount="-4.95")
    result, _, statement_path = run(tmp_path, rows)
    f = only(result)
    assert (f.kind, f.order_id, f.expected, f.seen) == ("amount", O1, D("100.00"), D("99.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, 0))


def test_amount_is_net_of_refunds_and_includes_points(tmp_path):
    # O3: 300.00 settled, 100.00 refunded; the export says 120.00 refunded -> expected 180.00
    orders = [o if o[0] != O3 else (O3, "300.00", 0, "交易成功", "2025-03-12 09:00:00", "120.00")
              for o in CLEAN_ORDERS]
    f = only(run(tmp_path, orders=orders)[0])
    assert (f.kind, f.order_id, f.expected, f.seen) == ("amount", O3, D("180.00"), D("200.00"))


def test_commission_off_the_rate(tmp_path):
    rows = replace(CLEAN_ROWS, 1, amount="-6.00")  # 6% of 100.00
    result, _, statement_path = run(tmp_path, rows)
    f = only(result)
    assert (f.kind, f.order_id, f.expected, f.seen) == ("commission-rate", O1, D("5.00"), D("6.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, 1))
    assert result.summary() == [("2025-03", "commission-rate", 1, D("1.00"))]


def test_commission_within_the_tolerance(tmp_path):
    # 5.11 for 100.00: 0.11 off. Default tolerance 0.1% of 100.00 = 0.10: off; 0.2% = 0.20: fine
    rows = replace(CLEAN_ROWS, 1, amount="-5.11")
    assert run(tmp_path, rows, rates=Rates(tolerance=D("0.002")))[0].findings == []
    f = only(run(tmp_path, rows)[0])
    assert (f.kind, f.expected, f.seen) == ("commission-rate", D("5.00"), D("5.11"))
    assert run(tmp_path, replace(CLEAN_ROWS, 1, amount="-5.10"))[0].findings == []


def test_commission_of_a_category_by_the_items(tmp_path):
    # O1 is 茶具 (4.8%): 4.80 is right, 5.00 is not; O3 (no item line) stays at 5%
    rows = replace(CLEAN_ROWS, 1, amount="-4.80")
    items = write(tmp_path, "ExportOrderDetailList202503.csv", item_csv([(O1, "50.00", 2, "GW-SC")]))
    rates_path = tmp_path / "store.toml"
    rates_path.write_text('[category_rates]\n"茶具" = "0.048"\n[categories]\n"GW-*" = "茶具"\n', encoding="utf-8")
    rates = load_rates(rates_path)
    assert run(tmp_path, rows, items=[items], rates=rates)[0].findings == []
    f = only(run(tmp_path, CLEAN_ROWS, items=[items], rates=rates)[0])
    assert (f.kind, f.order_id, f.expected, f.seen) == ("commission-rate", O1, D("4.80"), D("5.00"))
    # without the items every order takes the default 5%
    f = only(run(tmp_path, rows, rates=rates)[0])
    assert (f.kind, f.expected, f.seen) == ("commission-rate", D("5.00"), D("4.80"))


def test_an_order_of_two_categories_takes_the_value_weighted_rates(tmp_path):
    # O1 (100.00): 60.00 of 茶具 (commission 4.8%, points 0.4%) and 40.00 of the default (5%, 0.5%):
    # commission (60 × 4.8% + 40 × 5%) = 4.88, points (60 × 0.4% + 40 × 0.5%) = 0.44
    items = write(tmp_path, "ExportOrderDetailList202503.csv",
                  item_csv([(O1, "60.00", 1, "GW-SC"), (O1, "40.00", 1, "LJ-250")]))
    rates_path = tmp_path / "store.toml"
    rates_path.write_text('tolerance = "0"\n[category_rates]\n"茶具" = { commission = "0.048", points = "0.004" }\n'
                          '[categories]\n"GW-*" = "茶具"\n', encoding="utf-8")  # off by more than a cent
    rates = load_rates(rates_path)
    rows = replace(replace(CLEAN_ROWS, 1, amount="-4.88"), 2, amount="-0.44")
    assert run(tmp_path, rows, items=[items], rates=rates)[0].findings == []
    found = run(tmp_path, CLEAN_ROWS, items=[items], rates=rates)[0].findings
    assert [(f.kind, f.expected, f.seen) for f in found] == [
        ("commission-rate", D("4.88"), D("5.00")), ("points", D("0.44"), D("0.50")),
    ]
    assert "4.88%" in found[0].detail


def test_points_missing(tmp_path):
    rows = [r for i, r in enumerate(CLEAN_ROWS) if i != 2]
    f = only(run(tmp_path, rows)[0])
    assert (f.kind, f.order_id, f.expected, f.seen) == ("points", O1, D("0.50"), D("0.00"))


def test_points_off(tmp_path):
    rows = replace(CLEAN_ROWS, 13, amount="-2.05")  # O2: 1% of 205.00 instead of 0.5% (1.03)
    f = only(run(tmp_path, rows)[0])
    assert (f.kind, f.order_id, f.expected, f.seen) == ("points", O2, D("1.03"), D("2.05"))


def test_taobaoke_on_an_order_the_export_says_is_no_taobaoke_order(tmp_path):
    rows = [*CLEAN_ROWS,
            ("2025-03-18 12:00:00", "交易付款", f"淘宝客佣金代扣款[{O1}]", "", "-3.00", ""),
            ("2025-03-22 12:00:00", "交易付款", f"淘宝客佣金代扣款[{O3}]", "", "-9.00", ""),
            ("2025-03-25 11:00:01", "交易付款", f"淘宝客佣金退款[{O3}]", "", "3.00", "")]
    export = order_xlsx(CLEAN_ORDERS, {}, taobaoke={O1: "否", O3: "是"})
    result, _, statement_path = run(tmp_path, rows, export=export)
    f = only(result)
    assert (f.kind, f.order_id, f.expected, f.seen) == ("taobaoke-untagged", O1, D("0.00"), D("3.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, len(CLEAN_ROWS)))
    # An export without the column says nothing: no finding
    assert run(tmp_path, rows, export=order_xlsx(CLEAN_ORDERS, {}))[0].findings == []


def test_refund_whose_commission_was_not_given_back(tmp_path):
    rows = [r for i, r in enumerate(CLEAN_ROWS) if i != 7]  # O3's 天猫佣金…退款 5.00 missing
    result, _, statement_path = run(tmp_path, rows)
    f = only(result)
    assert (f.kind, f.order_id, f.expected, f.seen) == ("refund-fee-kept", O3, D("5.00"), D("0.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, 6))  # the refund row
    assert "天猫佣金" in f.detail


def test_refund_whose_points_and_taobaoke_were_not_given_back(tmp_path):
    # O3 also paid 淘宝客 9.00 (3% of 300.00); the refund of 100.00 should give 3.00 back
    rows = [r for i, r in enumerate(CLEAN_ROWS) if i != 8]  # O3's 代扣交易退回积分 0.50 missing
    rows.insert(6, ("2025-03-22 12:00:00", "交易付款", f"淘宝客佣金代扣款[{O3}]", "", "-9.00", ""))
    found = run(tmp_path, rows)[0].findings
    assert [(f.kind, f.order_id, f.expected, f.seen) for f in found] == [
        ("refund-fee-kept", O3, D("0.50"), D("0.00")),
        ("refund-fee-kept", O3, D("3.00"), D("0.00")),
    ]
    assert ["天猫积分" in found[0].detail, "淘宝客" in found[1].detail] == [True, True]


def test_card_fee_without_a_card_payment(tmp_path):
    details = {
        O1: "支付方式：支付宝，金额：100.00；",
        O3: "支付方式：花呗，金额：200.00；支付方式：支付宝，金额：100.00；",
    }
    rows = [*CLEAN_ROWS,
            ("2025-03-14 09:00:01", "收费", f"信用卡支付服务费[2025031422001];淘宝交易号[T200P{O1}]", "", "-1.00", ""),
            ("2025-03-20 10:00:01", "收费", f"花呗支付服务费[2025032022009];淘宝交易号[T200P{O3}]", "", "-2.00", "")]
    result, _, statement_path = run(tmp_path, rows, export=order_xlsx(CLEAN_ORDERS, details))
    f = only(result)
    assert (f.kind, f.order_id, f.expected, f.seen) == ("card-fee", O1, D("0.00"), D("1.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, len(CLEAN_ROWS)))
    assert "没有信用卡/花呗" in f.detail


def test_card_fee_off_the_card_part(tmp_path):
    details = {O3: "支付方式：花呗，金额：200.00；支付方式：支付宝，金额：100.00；"}
    rows = [*CLEAN_ROWS,
            ("2025-03-20 10:00:01", "收费", f"花呗支付服务费[2025032022009];淘宝交易号[T200P{O3}]", "", "-3.00", "")]
    f = only(run(tmp_path, rows, export=order_xlsx(CLEAN_ORDERS, details))[0])
    assert (f.kind, f.order_id, f.expected, f.seen) == ("card-fee", O3, D("2.00"), D("3.00"))
    # no fee charged on the card part: the store's gain, not a finding
    assert run(tmp_path, CLEAN_ROWS, export=order_xlsx(CLEAN_ORDERS, details))[0].findings == []


def test_a_fee_charged_twice(tmp_path):
    rows = [*CLEAN_ROWS[:2], CLEAN_ROWS[1], *CLEAN_ROWS[2:]]  # O1's commission twice (two serials)
    result, _, statement_path = run(tmp_path, rows)
    f = only(result)  # not also a commission-rate finding: the first charge is right
    assert (f.kind, f.order_id, f.expected, f.seen) == ("duplicate-fee", O1, D("5.00"), D("10.00"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, 1))
    assert "2 次" in f.detail


def test_the_same_statement_given_twice_counts_once(tmp_path):
    path = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    s = write(tmp_path, "a.csv", statement())
    copy = write(tmp_path, "b.csv", statement())
    result = reconcile([path], [s, copy])
    assert result.findings == []
    assert result.stats.duplicates == len(CLEAN_ROWS)


def test_rows_of_an_order_in_no_export(tmp_path):
    rows = [*CLEAN_ROWS,
            ("2025-03-30 10:00:00", "在线支付", "", f"T200P{UNKNOWN}", "50.00", UNKNOWN),
            ("2025-03-30 10:00:00", "交易付款", f"天猫佣金（类目）{{{UNKNOWN}}}扣款", "", "-2.50", "")]
    result, _, statement_path = run(tmp_path, rows)
    f = only(result)
    assert (f.kind, f.month, f.order_id, f.expected, f.seen) == ("unknown-order", "2025-03", UNKNOWN, None, D("47.50"))
    assert (f.file, f.line) == (str(statement_path), line_of(rows, len(CLEAN_ROWS)))
    assert result.summary() == [("2025-03", "unknown-order", 1, D("47.50"))]


def test_month_judges_that_month_only(tmp_path):
    # an order paid in April, never settled: not judged for March; and a row of April of an
    # unknown order is not March's
    orders = [*CLEAN_ORDERS, (O5, "60.00", 0, "交易成功", "2025-04-01 08:00:00", "0.00")]
    rows = [*CLEAN_ROWS, ("2025-04-03 10:00:00", "在线支付", "", f"T200P{UNKNOWN}", "50.00", "")]
    result = run(tmp_path, rows, orders=orders, month="2025-03")[0]
    assert result.findings == []
    assert result.stats.judged == 4
    result = run(tmp_path, rows, orders=orders, month="2025-04")[0]
    assert [(f.kind, f.order_id) for f in result.findings] == [("unknown-order", UNKNOWN)]
    assert result.stats.pending == 1  # O5: its window (April-May) is not covered


def test_findings_are_sorted_by_month_kind_and_order(tmp_path):
    rows = replace(CLEAN_ROWS, 1, amount="-6.00")
    rows = [r for i, r in enumerate(rows) if i != 5]  # O3's points missing
    rows += [("2025-03-30 10:00:00", "在线支付", "", f"T200P{UNKNOWN}", "50.00", "")]
    found = run(tmp_path, rows)[0].findings
    assert [(f.kind, f.order_id) for f in found] == [
        ("commission-rate", O1), ("points", O3), ("unknown-order", UNKNOWN),
    ]
    assert all(f.label == LABELS[f.kind] for f in found)


def test_refund_export_gives_the_refunded_amount(tmp_path):
    # The refund export says 100.00 (退款成功) and another 30.00 still in progress: expected 200.00
    refunds = write(tmp_path, "ExportRefundList202503.csv", refund_csv([
        ("9001", O3, "2025-03-25 11:00:00", "300.00", "100.00", "退款成功"),
        ("9002", O3, "", "300.00", "30.00", "卖家已经同意退款，等待买家退货"),
    ]))
    orders = [o if o[0] != O3 else (O3, "300.00", 0, "交易成功", "2025-03-12 09:00:00", "0.00")
              for o in CLEAN_ORDERS]
    assert run(tmp_path, orders=orders, refunds=[refunds])[0].findings == []
    f = only(run(tmp_path, orders=orders)[0])  # without it the export's 退款金额 (0.00) counts
    assert (f.kind, f.order_id, f.expected, f.seen) == ("amount", O3, D("300.00"), D("200.00"))


def test_xlsx_and_csv_exports_agree(tmp_path):
    csv_result = run(tmp_path, replace(CLEAN_ROWS, 1, amount="-6.00"))[0]
    xlsx_result = run(tmp_path, replace(CLEAN_ROWS, 1, amount="-6.00"), export=order_xlsx(CLEAN_ORDERS, {}))[0]
    strip = [(f.kind, f.order_id, f.expected, f.seen, f.line) for f in csv_result.findings]
    assert strip == [(f.kind, f.order_id, f.expected, f.seen, f.line) for f in xlsx_result.findings]


def test_a_bad_file_names_file_and_line(tmp_path):
    rows = replace(CLEAN_ROWS, 3, time="2025-06-20 10:00:00")  # after the banner's 终止日期
    with pytest.raises(SourceError) as info:
        run(tmp_path, rows)
    assert "账务明细" in info.value.path
    assert info.value.line == line_of(rows, 3)


@pytest.mark.parametrize("month", ["2025-3", "2025-13", "March"])
def test_a_bad_month_is_refused(tmp_path, month):
    with pytest.raises(RatesError, match="YYYY-MM"):
        run(tmp_path, month=month)


def test_progress_reports_bytes_read_up_to_the_total(tmp_path):
    calls = []
    run(tmp_path, progress=lambda done, total: calls.append((done, total)))
    totals = {total for _, total in calls}
    (total,) = totals
    assert total == sum(p.stat().st_size for p in tmp_path.iterdir())
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == total


def test_statements_in_a_bill_download_zip(tmp_path):
    import io
    import zipfile

    from alipay_samples import _GbkZipInfo

    rows = replace(CLEAN_ROWS, 1, amount="-6.00")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in (("20885012345678900156_20250501_账务明细.csv", statement(rows)),
                              ("20885012345678900156_20250501_业务明细.csv", "#支付宝业务明细查询\r\n".encode("gbk"))):
            zf.writestr(_GbkZipInfo(name, (2025, 5, 2, 10, 0, 0)), content)
    bill = write(tmp_path, "202505_2088501234567890.zip", buf.getvalue())
    orders = write(tmp_path, "ExportOrderList202503.csv", order_csv())
    f = only(reconcile([orders], [bill]))
    assert (f.kind, f.order_id, f.expected, f.seen, f.line) == ("commission-rate", O1, D("5.00"), D("6.00"), line_of(rows, 1))
    assert f.file.endswith("账务明细.csv") and "202505_2088501234567890.zip" in f.file


def test_an_order_in_two_exports_takes_the_later_one(tmp_path):
    # An export made in March shows O3 not yet refunded; the one made later shows the refund
    early = [o if o[0] != O3 else (O3, "300.00", 0, "卖家已发货，等待买家确认", "2025-03-12 09:00:00", "0.00")
             for o in CLEAN_ORDERS]
    first = write(tmp_path, "ExportOrderList20250315.csv", order_csv(early))
    later = write(tmp_path, "ExportOrderList20250430.csv", order_csv())
    s = write(tmp_path, "s.csv", statement())
    assert reconcile([first, later], [s]).findings == []
    f = only(reconcile([later, first], [s]))
    assert (f.kind, f.order_id, f.expected, f.seen) == ("amount", O3, D("300.00"), D("200.00"))
    assert f.file == str(s)


def test_item_rates_of_a_category_mix():
    from beancount_tmall.orders.engine import _set_rate, item_rates
    from beancount_tmall.orders.findings import OrderState
    from beancount_tmall.orders.sources import OrderRecord

    rates = Rates(category_rates={"茶具": {"commission": D("0.048"), "points": D("0.004")}})
    # 60.00 of 茶具 and 40.00 without a category: 4.88% and 0.44%; the card fee stays the default
    assert item_rates({"茶具": 6000, "": 4000}, rates) == {"commission": D("0.0488"), "points": D("0.0044")}
    assert item_rates({"": 4000}, rates) is None
    state = OrderState(OrderRecord(O1, "2025-03", 10000, 0, 0, "交易成功", None, None, "x", 2))
    _set_rate(state, {"茶具": 10000}, rates)
    assert (state.rate("commission", rates), state.rate("card_fee", rates)) == (D("0.048"), D("0.01"))


def copies(prefix: str) -> dict[str, object]:
    """This module's tests under new names (``test_x`` -> ``{prefix}x``), for a module that runs
    them all again in another setting (another engine, worker processes)."""
    return {
        f"{prefix}{name[5:]}": test
        for name, test in globals().items()
        if name.startswith("test_") and callable(test)
    }
