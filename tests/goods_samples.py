"""Writes the fixtures of the goods files (issue 8), byte for byte: 宝贝报表, 退款, 成本表.

Run ``python tests/goods_samples.py`` to rewrite ``tests/fixtures/goods/``; the bytes are committed
too (``test_goods_formats`` checks they are what this script writes). Layouts as issue 8 gives them:

* 宝贝报表 (ExportOrderDetailList): the GBK CSV Excel re-saves (``'`` ids, header names with
  trailing spaces, CRLF), the raw download (every cell ``="…"``, UTF-8 with BOM), and the xlsx
  (a 15-digit id as a whole number, a float price);
* 退款 (ExportRefundList): the GBK CSV (``="…"`` ids, Excel's ``2016/5/23 22:02`` times, extra
  columns in the middle) and the xlsx (datetime cells);
* 成本表: GBK CSV saved by Excel (``2025/3/16``), UTF-8 CSV, xlsx (date cells).

Every ``broken_*`` file holds one refusal; its line is in its name's comment below.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from export_samples import workbook

GOODS = Path(__file__).parent / "fixtures" / "goods"

# --- 宝贝报表 -------------------------------------------------------------------------------------

ITEM_HEADER = ["订单编号", "标题 ", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
               "订单状态 ", "商家编码 "]
ITEMS = [
    # order, title, price, quantity, attributes, status, sku
    ("3901234567890123456", "云栖 龙井茶 250g", "128.00", 2, "重量:250g", "交易成功", "LJ-250"),
    ("3901234567890123456", "云栖 白茶 100g", "66.50", 1, "重量:100g", "交易成功", "BC-100"),
    ("3901234567890123457", "云栖 龙井茶 250g", "128.00", 1, "重量:250g", "卖家已发货,等待买家确认", "LJ-250"),
    ("123456789012345", "云栖 红茶 50g, 礼盒", "30.00", 3, "", "交易关闭", "HC-050"),
]


def item_csv_resaved(rows=ITEMS) -> bytes:
    """As Excel re-saves it: GBK, CRLF, ``'`` ids, cells with a comma quoted."""
    lines = [",".join(ITEM_HEADER)]
    for tid, title, price, qty, attrs, status, sku in rows:
        cells = [f"'{tid}", title, price, str(qty), "", attrs, "", "", status, sku]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def item_csv_download() -> bytes:
    """The raw download: every cell ``="…"`` (quoted when it holds a comma), UTF-8 with a BOM."""
    lines = [",".join(ITEM_HEADER)]
    for tid, title, price, qty, attrs, status, sku in ITEMS:
        cells = [tid, title, price, str(qty), "", attrs, "", "", status, sku]
        lines.append(",".join(f'"=""{c}"""' if "," in c else f'="{c}"' for c in cells))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def item_xlsx() -> bytes:
    rows = []
    for n, (tid, title, price, qty, attrs, status, sku) in enumerate(ITEMS):
        rows.append([int(tid) if len(tid) <= 15 else tid, title, float(price) if n == 1 else price, qty, None,
                     attrs or None, None, None, status, sku])
    return workbook(ITEM_HEADER, rows)


def _items_broken(index: int, field: int, value: str) -> bytes:
    rows = [list(r) for r in ITEMS]
    rows[index][field] = value
    return item_csv_resaved([tuple(r) for r in rows])


# --- 退款 ------------------------------------------------------------------------------------------

REFUND_HEADER = [
    "退款编号", "订单编号 ", "支付宝交易号", "订单付款时间", "商品编码", "退款完结时间", "买家实际支付金额",
    "宝贝标题", "买家退款金额", "手工退款/系统退款", "是否需要退货", "退款的申请时间", "超时时间",
    "退款状态", "货物状态", "退货物流单号", "退货物流公司", "客服介入状态", "售中或售后",
    "买家退款原因", "买家退款说明", "部分退款/全部退款",
]
REFUNDS = [
    ("81234567890123456", "3901234567890123456", "2025031022001412345678901234", "2025/3/10 10:01",
     "LJ-250", "2025/3/20 9:30", "322.50", "云栖 龙井茶 250g", "128.00", "系统退款", "是",
     "2025/3/16 14:02", "", "退款成功", "买家已退货", "YT0000000009", "圆通速递", "无",
     "售后", "质量问题", "茶叶受潮结块", "部分退款"),
    ("81234567890123457", "123456789012345", "2025031222001412345678901236", "2025/3/12 10:01",
     "", "2025/3/13 8:00", "90.00", "云栖 红茶 50g", "90.00", "手工退款", "否", "2025/3/12 18:40", "",
     "退款成功", "买家未收到货", "", "", "无", "售中", "缺货", "", "全部退款"),
]


def refund_csv(rows=REFUNDS) -> bytes:
    lines = [",".join(REFUND_HEADER)]
    for row in rows:
        cells = [f'="{row[0]}"', f'="{row[1]}"', f'="{row[2]}"', *row[3:]]
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def refund_xlsx() -> bytes:
    def when(text):
        return datetime.datetime.strptime(text, "%Y/%m/%d %H:%M") if text else None

    rows = []
    for row in REFUNDS:
        cells = list(row)
        for i in (3, 5, 11):
            cells[i] = when(cells[i])
        cells[6], cells[8] = float(cells[6]), float(cells[8])
        rows.append([c if c != "" else None for c in cells])
    return workbook(REFUND_HEADER, rows)


def _refunds_broken(index: int, field: int, value: str) -> bytes:
    rows = [list(r) for r in REFUNDS]
    rows[index][field] = value
    return refund_csv([tuple(r) for r in rows])


# --- 成本表 ----------------------------------------------------------------------------------------

COST_HEADER = ["商家编码", "名称", "单位成本", "生效日期"]
COSTS = [
    ("LJ-250", "云栖 龙井茶 250g", "30.00", "2025/1/1"),
    ("LJ-250", "云栖 龙井茶 250g", "32.50", "2025/3/16"),
    ("BC-100", "云栖 白茶 100g", "18.1234", "2025/1/1"),
    ("HC-050", "云栖 红茶 50g", "9", "2025/2/1"),
]


def cost_csv(rows=COSTS, encoding: str = "gbk", header=COST_HEADER) -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    bom = "\ufeff" if encoding == "utf-8" else ""
    return (bom + "\r\n".join(lines) + "\r\n").encode(encoding)


def cost_xlsx() -> bytes:
    rows = [[sku, name, float(cost), datetime.datetime.strptime(since, "%Y/%m/%d")]
            for sku, name, cost, since in COSTS]
    return workbook(COST_HEADER, rows)


def _costs_broken(index: int, field: int, value: str) -> bytes:
    rows = [list(r) for r in COSTS]
    rows[index][field] = value
    return cost_csv([tuple(r) for r in rows])


def fixtures() -> dict[Path, bytes]:
    files = {
        "items_excel_resaved_gbk.csv": item_csv_resaved(),
        "items_download_utf8.csv": item_csv_download(),
        "ExportOrderDetailList202504011030.xlsx": item_xlsx(),
        "broken_items_quantity_zero.csv": _items_broken(2, 3, "0"),  # line 4
        "broken_items_price_nan.csv": _items_broken(1, 2, "NaN"),  # line 3
        "broken_items_id_mangled.csv": _items_broken(3, 0, "3.90123E+18"),  # line 5
        "refunds_gbk.csv": refund_csv(),
        "ExportRefundList202504011030.xlsx": refund_xlsx(),
        "broken_refunds_exceeds_paid.csv": _refunds_broken(1, 8, "90.01"),  # line 3
        "broken_refunds_needs_return.csv": _refunds_broken(0, 10, "需要"),  # line 2
        "broken_refunds_duplicate.csv": refund_csv([REFUNDS[0], REFUNDS[1], REFUNDS[0]]),  # line 4
        "broken_refunds_time.csv": _refunds_broken(1, 5, "2025/13/40 8:00"),  # line 3
        "costs_gbk.csv": cost_csv(),
        "costs_utf8.csv": cost_csv(encoding="utf-8"),
        "成本表.xlsx": cost_xlsx(),
        "broken_costs_two_prices_one_day.csv": cost_csv([*COSTS, ("LJ-250", "云栖 龙井茶 250g", "31.00", "2025-03-16")]),  # line 6
        "broken_costs_negative.csv": _costs_broken(2, 2, "-1.00"),  # line 4
        "broken_costs_five_places.csv": _costs_broken(2, 2, "18.12345"),  # line 4
        "broken_costs_empty_sku.csv": _costs_broken(3, 0, ""),  # line 5
        "broken_costs_time_of_day.csv": _costs_broken(1, 3, "2025/3/16 9:00"),  # line 3
    }
    return {GOODS / name: content for name, content in files.items()}


def write_fixtures() -> None:
    for path, content in fixtures().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


if __name__ == "__main__":
    write_fixtures()
