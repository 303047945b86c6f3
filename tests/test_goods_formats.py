"""The goods files of issue 8: 宝贝报表 (formats.tmall_items), 退款 (formats.tmall_refunds), 成本表
(formats.cost_table). Fixtures: ``tests/fixtures/goods/`` (written by ``tests/goods_samples.py``).
"""

import datetime
import time
from decimal import Decimal
from pathlib import Path

import goods_samples
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beancount_tmall.formats import cost_table, tmall_items, tmall_orders, tmall_refunds
from beancount_tmall.formats.common import SourceError

GOODS = Path(__file__).parent / "fixtures" / "goods"
ORDERS_XLSX = Path(__file__).parent / "fixtures" / "orders" / "ExportOrderList202504011030.xlsx"


def test_committed_fixtures_are_what_the_script_writes():
    for path, content in goods_samples.fixtures().items():
        assert path.read_bytes() == content, f"{path} differs: run python tests/goods_samples.py"


# --- 宝贝报表 -------------------------------------------------------------------------------------

ITEM_FILES = ["items_excel_resaved_gbk.csv", "items_download_utf8.csv", "ExportOrderDetailList202504011030.xlsx"]


@pytest.mark.parametrize("name", ITEM_FILES)
def test_item_export_layouts_read_alike(name):
    items = list(tmall_items.read_items(GOODS / name))
    assert [(i.line, i.tid, i.sku, i.quantity, i.price) for i in items] == [
        (2, "3901234567890123456", "LJ-250", 2, Decimal("128.00")),
        (3, "3901234567890123456", "BC-100", 1, Decimal("66.50")),
        (4, "3901234567890123457", "LJ-250", 1, Decimal("128.00")),
        (5, "123456789012345", "HC-050", 3, Decimal("30.00")),
    ]
    # ="…" protections and quoted commas are gone from the text cells too
    assert items[3].title == "云栖 红茶 50g, 礼盒"
    assert items[2].status == "卖家已发货,等待买家确认"
    assert items[0].attributes == "重量:250g" and items[0].package == ""


def test_identify_tells_the_exports_apart():
    for name in ITEM_FILES:
        assert tmall_items.identify(GOODS / name)
        assert not tmall_orders.identify(GOODS / name)
        assert not tmall_refunds.identify(GOODS / name)
        assert not cost_table.identify(GOODS / name)
    for name in ("refunds_gbk.csv", "ExportRefundList202504011030.xlsx"):
        assert tmall_refunds.identify(GOODS / name)
        assert not tmall_items.identify(GOODS / name) and not tmall_orders.identify(GOODS / name)
        assert not cost_table.identify(GOODS / name)
    for name in ("costs_gbk.csv", "costs_utf8.csv", "成本表.xlsx"):
        assert cost_table.identify(GOODS / name)
        assert not tmall_items.identify(GOODS / name) and not tmall_refunds.identify(GOODS / name)
    assert not tmall_items.identify(ORDERS_XLSX) and not tmall_refunds.identify(ORDERS_XLSX)


REFUSED = [
    ("broken_items_quantity_zero.csv", 4, "购买数量 '0' 不是正整数"),
    ("broken_items_price_nan.csv", 3, "价格 'NaN' 不是以分为单位的金额"),
    ("broken_items_id_mangled.csv", 5, "编号 '3.90123E+18' 已被 Excel 改写为科学计数法"),
    ("broken_refunds_exceeds_paid.csv", 3, "买家退款金额 90.01 大于买家实际支付金额 90.00"),
    ("broken_refunds_needs_return.csv", 2, "是否需要退货 '需要' 应为 是/否"),
    ("broken_refunds_duplicate.csv", 4, "退款编号 81234567890123456 已在第 2 行出现"),
    ("broken_refunds_time.csv", 3, "退款完结时间 '2025/13/40 8:00' 不是日期时间"),
    ("broken_costs_two_prices_one_day.csv", 6, "商家编码 LJ-250 在 2025-03-16 已有第 3 行的单位成本 32.50, 本行又给出 31.00"),
    ("broken_costs_negative.csv", 4, "单位成本 '-1.00' 不是最多 4 位小数的非负金额"),
    ("broken_costs_five_places.csv", 4, "单位成本 '18.12345' 不是最多 4 位小数的非负金额"),
    ("broken_costs_empty_sku.csv", 5, "商家编码为空"),
    ("broken_costs_time_of_day.csv", 3, "生效日期 '2025/3/16 9:00' 带有时刻"),
]


def _read(path):
    name = Path(path).name
    if "items" in name:
        return list(tmall_items.read_items(path))
    if "refunds" in name:
        return list(tmall_refunds.read_refunds(path))
    return list(cost_table.CostTable.read(path))


@pytest.mark.parametrize("name, line, message", REFUSED)
def test_refused_with_file_and_line_chinese_first(name, line, message):
    with pytest.raises(SourceError) as caught:
        _read(GOODS / name)
    text = str(caught.value)
    assert text.startswith(f"{GOODS / name}:{line}: {message}"), text
    assert caught.value.line == line


def test_an_item_row_without_order_id_is_refused():
    data = goods_samples.item_csv_resaved([("", "茶", "1.00", 1, "", "交易成功", "X")])
    with pytest.raises(SourceError, match=r"^i.csv:2: 订单编号为空"):
        list(tmall_items.read_items(data, name="i.csv"))


def test_an_item_export_without_sku_column_names_what_it_lacks():
    data = ",".join(goods_samples.ITEM_HEADER[:-1]).encode("gbk") + b"\r\n"
    with pytest.raises(SourceError, match=r"^i.csv:1: 天猫宝贝报表的表头缺少 商家编码"):
        list(tmall_items.read_items(data, name="i.csv"))


# --- 退款 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["refunds_gbk.csv", "ExportRefundList202504011030.xlsx"])
def test_refund_export_layouts_read_alike(name):
    first, second = tmall_refunds.read_refunds(GOODS / name)
    assert first.refund_id == "81234567890123456" and first.tid == "3901234567890123456"
    assert first.alipay_no == "2025031022001412345678901234"
    assert first.paid_time == datetime.datetime(2025, 3, 10, 10, 1)  # Excel's 2025/3/10 10:01
    assert first.finished_time == datetime.datetime(2025, 3, 20, 9, 30)
    assert (first.paid, first.amount) == (Decimal("322.50"), Decimal("128.00"))
    assert (first.needs_return, first.partial, first.sku) == (True, True, "LJ-250")
    assert (first.reason, first.explanation, first.goods_status) == ("质量问题", "茶叶受潮结块", "买家已退货")
    assert (second.needs_return, second.partial, second.sku, second.manual) == (False, False, "", "手工退款")
    assert second.tid == "123456789012345"


# --- 成本表 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["costs_gbk.csv", "costs_utf8.csv", "成本表.xlsx"])
def test_cost_table_prices_over_time(name):
    costs = cost_table.CostTable.read(GOODS / name)
    day = datetime.date
    assert costs.unit_cost("LJ-250", day(2024, 12, 31)) is None  # before the first price
    assert costs.unit_cost("LJ-250", day(2025, 1, 1)) == Decimal("30.00")
    assert costs.unit_cost("LJ-250", day(2025, 3, 15)) == Decimal("30.00")
    assert costs.unit_cost("LJ-250", day(2025, 3, 16)) == Decimal("32.50")  # in force from its day
    assert costs.unit_cost("LJ-250", day(2026, 1, 1)) == Decimal("32.50")
    assert costs.unit_cost("BC-100", day(2025, 3, 1)) == Decimal("18.1234")  # four places kept
    assert costs.unit_cost("HC-050", day(2025, 3, 1)) == Decimal("9.00")  # "9" is 9.00
    assert costs.unit_cost("NOPE", day(2025, 3, 1)) is None
    assert costs.price("LJ-250", day(2025, 4, 1)).line == 3


def test_cost_table_header_in_any_order_with_spaces():
    data = "名称 , 生效日期,单位成本 ,商家编码\r\n龙井,2025-01-01,\"1,030.5\",'LJ-250\r\n".encode("gbk")
    costs = cost_table.CostTable.read(data, name="c.csv")
    assert costs.unit_cost("LJ-250", datetime.date(2025, 1, 1)) == Decimal("1030.50")


@pytest.mark.parametrize("cell", ["NaN", "Infinity", "1E+3", "1e999999", "1.2.3", "", "1234567890123"])
def test_cost_must_be_a_finite_bounded_decimal(cell):
    with pytest.raises(ValueError, match="单位成本"):
        cost_table.parse_cost(cell)


# --- fuzz: a mutated CSV ends in rows or a located error ------------------------------------------

CHUNKS = [b"", b"\x00", b"\xff", b'"', b",", b"\r\n", b"'", b'="', b"E+999999999", b"NaN", b"9999", b"-",
          b".", b"x" * 140_000, b"\xd6\xa7", "是".encode("gbk")]
MUTATIONS = st.lists(
    st.tuples(st.integers(0, 2000), st.sampled_from(["delete", "insert", "replace"]),
              st.sampled_from(CHUNKS), st.integers(1, 8)),
    min_size=1, max_size=4,
)


def _mutate(base: bytes, mutations) -> bytes:
    data = bytearray(base)
    for at, op, chunk, size in mutations:
        at = min(at, len(data))
        if op == "delete":
            del data[at : at + size]
        elif op == "insert":
            data[at:at] = chunk
        else:
            data[at : at + size] = chunk
    return bytes(data)


def _fuzz(read, base, mutations, check):
    start = time.monotonic()
    try:
        rows = read(_mutate(base, mutations))
    except SourceError as exc:
        assert exc.path == "f.csv" and (exc.line or "表头" in str(exc) or "不是" in str(exc)), str(exc)
    else:
        check(rows)
    assert time.monotonic() - start < 2


FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(MUTATIONS)
def test_mutated_item_csv(mutations):
    def check(items):
        assert all(i.tid and i.quantity >= 1 and i.price.as_tuple().exponent == -2 for i in items)

    _fuzz(lambda b: list(tmall_items.read_items(b, name="f.csv")), goods_samples.item_csv_resaved(),
          mutations, check)


@FUZZ
@given(MUTATIONS)
def test_mutated_refund_csv(mutations):
    def check(refunds):
        assert all(r.refund_id and r.tid and r.amount <= r.paid or not r.paid for r in refunds)
        assert len({r.refund_id for r in refunds}) == len(refunds)

    _fuzz(lambda b: list(tmall_refunds.read_refunds(b, name="f.csv")), goods_samples.refund_csv(),
          mutations, check)


@FUZZ
@given(MUTATIONS)
def test_mutated_cost_table(mutations):
    def check(costs):
        seen = set()
        for price in costs:
            assert price.sku and price.cost >= 0 and -price.cost.as_tuple().exponent <= 4
            assert (price.sku, price.since) not in seen
            seen.add((price.sku, price.since))

    _fuzz(lambda b: cost_table.CostTable.read(b, name="f.csv"), goods_samples.cost_csv(), mutations, check)
