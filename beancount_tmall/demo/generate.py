"""A fictional Tmall store's year of source files, in the real formats (DESIGN §3).

The store (杭州云栖示例商贸有限公司, a tea shop on Tmall) sells ``orders_per_day`` orders a day on
average. Everything is drawn from one ``random.Random(seed)``, so the same parameters give the same
bytes. What it writes:

* **Alipay account statements** (支付宝账务明细, the 16-column "signcustomer" family, GBK), one
  file per month as Alipay exports them: ``20880012345678900156_202503_账务明细.csv``. ``#`` banner
  lines, the header, rows with trailing tabs, the dashed end line and the footers
  ``#支出合计：N笔，共X元`` / ``#收入合计：N笔，共Y元`` / ``#导出时间：[…]``. 账务流水号 increases
  through the year; 账户余额 is the running balance to the cent. The rows have exactly the shapes of
  CONTRACTS.md "Alipay statement rows the demo generates":

  - an order is paid (money held by Alipay, nothing in the statement), shipped, and some days later
    交易成功: the sale row (在线支付, gross incl. what the buyer paid with Tmall points) and, at the
    same second, 天猫佣金（类目）{tid}扣款 (category rate around 5%), sometimes 基础软件服务费(tid)扣款,
    代扣返点积分tid (0.5%), and for card/花呗-paid orders the 1% 信用卡/花呗支付服务费;
  - 淘宝客佣金代扣款[tid] within a week after success for orders that came through a 淘宝客;
  - 售后退款 after success: 交易退款 售后退款-1-T200Ptid, with the commission, points and 淘宝客
    give-backs (天猫佣金（类目）{tid}退款, 代扣交易退回积分tid, 淘宝客佣金退款[tid]);
  - 保险承保-卖家版运费险保费收取 when some orders ship;
  - weekly 提现 to the bank, 直通车 top-ups, 钻展 and 聚划算 fees, a 保证金 recharge, a transfer
    to and back from the company's other Alipay account, quarterly 结息;
  - the 30000 年度技术服务费 deducted in January and, on 12-31, its refund by the agreement's
    thresholds (50% at ``DEMO_AGREEMENT`` first threshold, which the default demo reaches).

* **Tmall order export** (订单报表 ``ExportOrderList<YYYYMM>.csv``, GBK, by payment month, ids
  written ``="…"``), with 买家实际支付积分 (100 points = 1 CNY) for orders partly paid with points.

* **Fee invoices** (``发票台账_<year>.csv``, UTF-8, ``开票日期,发票号码,开票方,受票方,所属期间,
  费用类型,价税合计,税率``): for each month M, Tmall's 天猫佣金 and 天猫积分 invoices and 阿里妈妈's
  淘宝客 / 直通车 / 钻展 / 聚划算 invoices, each exactly that receivable's net deductions in M, dated
  the 9th–10th of M+1 (some late, the 20th–25th); the store's 消费积分 invoice to Tmall; the
  年度技术服务费 invoice for the part not refunded, dated 12-31. Only invoices dated on or before the
  last generated day are written (so December's arrive "next year" and are accrued by the plugin).

* **The goods side** (issue 8). Ten SKUs (``SKUS``: 商家编码, 商品属性, unit costs by 生效日期,
  three of them dearer from a day of the year); each order holds one SKU. From a second random
  stream (``aftersales-<seed>``), so the rows above do not depend on it:

  - the **item export** (宝贝报表 ``ExportOrderDetailList<YYYYMM>.csv``, GBK, by payment month):
    a line per order of the order export, its unit price, quantity, status and 商家编码;
  - the **refund export** (退款 ``ExportRefundList<YYYYMM>.csv``, GBK, by 退款完结时间): the refunds
    of closed orders (售中, never in the statement) and every 售后退款 of the statements (same
    order, time and amount): a full refund is a return (是否需要退货 是, 买家已退货), a partial one a
    折价 for a small quality problem (仅退款, 质量问题, "…协商折价补偿");
  - ``成本表.csv`` (UTF-8), ``验货记录.csv`` (the inspection of each returned parcel: 合格, or
    不合格 with its 破损单号), ``售后审批单.csv`` (who approved each 好评返现 and 折价, in which role,
    with the order's postage), the 破损 photos (small PNGs, ``goods/破损/<no>-<n>.png``);
  - statement rows the store pays or receives: 好评返现 and 质量问题折价 paid by 转账 to the buyer
    (``好评返现[tid]``), and the courier's 快递理赔 for a lost parcel (``快递理赔[tid]``, money in);
  - what the build writes by hand: the purchases (``Purchase``: on the 1st of each month, enough for
    the month's settled sales, breakage and reshipments), the warehouse's 破损单 (``Breakage``) and
    the lost parcels (``Totals.lost``: reshipped, then claimed from the courier);
  - the points a buyer paid with on a refunded order leave that month's 消费积分 invoice.

* **Planted problems** (issue 9 §5, ``plant_problems``: on in the demo build, off by default
  here so a benchmark or test gets clean sources unless it asks): a few orders of the year
  are not settled right, for ``tmall-books reconcile orders`` to find: a paid order (交易成功 in
  the export) whose settlement rows are missing, a commission over-charged by 3 points, a refund
  whose commission never comes back, a card fee charged twice, and a 淘宝客 charge for an order id
  no export holds (``PLANT_KINDS``). Each kind is planted in the first order that fits it paid on
  or after 12%, 45% and 78% of the period; the list is ``DemoFiles.planted`` and ``预设问题.csv``.
  Planting draws nothing from the main random stream: switched off, the same orders and rows
  come out without those changes (clean sources, no findings).

Big runs stream: rows go to disk as they are produced (``orders_per_day=1000`` makes ~1.5M rows).
``generate_statement_file`` writes the whole year as a single statement file for benchmarks.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import heapq
import itertools
import os
import random
import struct
import sys
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import click

from beancount_tmall.formats.fee_invoices import InvoiceRow

ALIPAY_ACCOUNT = "20880012345678900156"
STORE_NAME = "杭州云栖示例商贸有限公司"
SHOP_NAME = "云栖茶事旗舰店"
TMALL = "浙江天猫技术有限公司"
ALIMAMA = "杭州阿里妈妈软件服务有限公司"

#: The demo's annual-fee agreement: the fee, refund share by yearly sales (tax-inclusive, net of
#: refunds to buyers), and the settlement day (month, day) of the year.
DEMO_AGREEMENT = {
    "fee": 30000,
    "thresholds": ((600000, "0.5"), (3000000, "1")),
    "settlement": (12, 31),
}

STATEMENT_HEADER = (
    "账务流水号,业务流水号,商户订单号,商品名称,发生时间,对方账号,收入金额（+元）,支出金额（-元）,"
    "账户余额（元）,交易渠道,业务类型,备注,业务描述,业务账单来源,业务基础订单号,业务订单号"
)
ORDER_HEADER = (
    "订单编号,买家会员名,买家支付宝账号,买家应付货款,买家应付邮费,买家支付积分,总金额,返点积分,"
    "买家实际支付金额,买家实际支付积分,订单状态,买家留言,收货人姓名,收货地址 ,运送方式,联系手机 ,"
    "订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,物流单号 ,物流公司,订单备注,宝贝总数量,"
    "店铺名称,订单关闭原因,退款金额,确认收货时间,打款商家金额"
)
INVOICE_HEADER = "开票日期,发票号码,开票方,受票方,所属期间,费用类型,价税合计,税率"

# (title, price in cents, category, commission basis points)
CATALOG = (
    ("云栖明前龙井茶 250g 礼盒装", 29800, "茶叶", 500),
    ("云栖明前龙井茶 100g 罐装", 12800, "茶叶", 500),
    ("安吉白茶 特级 125g", 16800, "茶叶", 500),
    ("正山小种红茶 200g", 8900, "茶叶", 500),
    ("云南普洱熟茶饼 357g", 13800, "茶叶", 500),
    ("茉莉花茶 袋泡 30包", 3990, "茶叶", 500),
    ("青瓷盖碗 三才碗", 6900, "茶具", 480),
    ("便携旅行茶具套装", 15900, "茶具", 480),
    ("手工紫砂壶 西施壶", 39900, "茶具", 480),
    ("新春茶礼组合 龙井+白茶", 45800, "礼盒", 520),
)
PRODUCT_WEIGHTS = (14, 16, 10, 12, 8, 14, 8, 6, 4, 8)

# One SKU per CATALOG product: (商家编码, 商品属性, unit costs excl. VAT in cents by effective
# (month, day) of each year: the supplier's price rises once during the year for three of them).
SKUS = (
    ("LJ-250", "净含量:250g;包装:礼盒装", ((1, 1, 11800), (7, 1, 12600))),
    ("LJ-100", "净含量:100g;包装:罐装", ((1, 1, 5200),)),
    ("BC-125", "净含量:125g;等级:特级", ((1, 1, 6600),)),
    ("ZS-200", "净含量:200g", ((1, 1, 3400), (5, 1, 3650))),
    ("PE-357", "净含量:357g;形态:饼茶", ((1, 1, 5500),)),
    ("MH-30", "规格:30包", ((1, 1, 1420),)),
    ("GW-SC", "款式:三才碗", ((1, 1, 2400),)),
    ("LX-TZ", "款式:旅行套装", ((1, 1, 6100),)),
    ("ZSH-XS", "款式:西施壶;容量:220ml", ((1, 1, 16800), (9, 1, 17500))),
    ("LH-LJBC", "套装:龙井+白茶", ((1, 1, 18200),)),
)
#: The suppliers the store buys each SKU from (采购入库 entries).
SUPPLIERS = {
    "LJ-250": "杭州龙坞茶叶专业合作社", "LJ-100": "杭州龙坞茶叶专业合作社",
    "BC-125": "安吉县溪龙白茶有限公司", "ZS-200": "武夷山桐木茶业有限公司",
    "PE-357": "勐海县云茶茶厂", "MH-30": "福州春伦花茶有限公司",
    "GW-SC": "景德镇青瓷坊陶瓷有限公司", "LX-TZ": "景德镇青瓷坊陶瓷有限公司",
    "ZSH-XS": "宜兴市丁蜀紫砂工艺厂", "LH-LJBC": "杭州龙坞茶叶专业合作社",
}
#: Reasons of refunds with the goods sent back (买家退款原因) and the inspection's notes.
RETURN_REASONS = ("七天无理由退换货", "七天无理由退换货", "质量问题", "收到商品破损", "与商品描述不符")
#: Refunds without return: a 折价 (a discount for a small quality problem, 仅退款).
DISCOUNT_NOTES = ("茶叶有少量碎末，协商折价补偿", "包装盒压痕，协商折价补偿", "茶具釉面有小瑕疵，协商折价补偿",
                  "礼盒缺少手提袋，协商折价补偿")
#: Who approves after-sales money (seed 002 第二十七条), by role.
APPROVERS = {"主管": "李婷", "销售经理": "周敏", "副总经理": "陈立", "总经理": "王建华"}
REFUND_HEADER = (
    "退款编号,订单编号,支付宝交易号,订单付款时间,商品编码,退款完结时间,买家实际支付金额,宝贝标题,"
    "买家退款金额,手工退款/系统退款,是否需要退货,退款的申请时间,退款状态,货物状态,超时时间,"
    "退货物流公司,退货物流单号,客服介入状态,售中或售后,买家退款原因,买家退款说明,部分退款/全部退款"
)
ITEM_HEADER = "订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码"
COST_HEADER = "商家编码,名称,单位成本,生效日期"
INSPECTION_HEADER = "退款编号,验货结果,破损单号,备注"
APPROVAL_HEADER = "审批单号,订单编号,类型,金额,邮费,原因,审批人,审批角色,审批日期"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CITIES = ("浙江省 杭州市 西湖区", "上海 上海市 浦东新区", "北京 北京市 朝阳区", "广东省 深圳市 南山区",
          "江苏省 南京市 鼓楼区", "四川省 成都市 武侯区", "湖北省 武汉市 洪山区")
CARRIERS = ("顺丰速运", "中通快递", "圆通速递", "韵达快递")

# Receivable kinds that are invoiced monthly: (费用类型, 开票方, statement kinds, sign per kind).
INVOICED = (
    ("天猫佣金", TMALL, {"commission": 1, "software": 1, "commission_back": -1}),
    ("天猫积分", TMALL, {"points": 1, "points_back": -1}),
    ("淘宝客", ALIMAMA, {"taobaoke": 1, "taobaoke_back": -1}),
    ("直通车", ALIMAMA, {"zhitongche": 1}),
    ("钻展", ALIMAMA, {"zuanzhan": 1}),
    ("聚划算", ALIMAMA, {"juhuasuan": 1}),
)


class StatementRow(NamedTuple):
    """One row of the 支付宝账务明细, amounts in integer cents (``amount`` signed: + income)."""

    serial: str
    bizno: str
    merchant_order: str
    goods: str
    time: datetime.datetime
    counterparty: str
    amount: int
    balance: int
    channel: str
    biztype: str
    remark: str
    description: str
    bill_source: str
    base_order: str
    order_no: str
    kind: str  # the generator's own classification (not written), e.g. "commission"


@dataclasses.dataclass
class Order:
    """One Tmall order, with its whole fate decided when it is paid."""

    tid: str
    tradeno: str
    buyer: str
    buyer_alipay: str
    product: int
    quantity: int
    goods: int  # cents
    postage: int
    points: int  # Tmall points paid (100 = 1 CNY)
    created: datetime.datetime
    paid: datetime.datetime
    card: str  # "" / "信用卡" / "花呗"
    closed: bool = False  # refunded before shipping: 交易关闭, never in the statement
    released: datetime.datetime | None = None
    taobaoke_bp: int = 0
    taobaoke_at: datetime.datetime | None = None
    software_bp: int = 0
    refund: int = 0  # cents refunded after success
    refund_at: datetime.datetime | None = None
    insurance: int = 0
    # after sales (drawn from the store's second random stream: the statement stays the same)
    refund_id: str = ""
    refund_applied: datetime.datetime | None = None
    returned: bool = False  # 退货退款: the goods come back
    damaged: bool = False  # a returned parcel that fails inspection (破损)
    refund_reason: str = ""
    refund_note: str = ""
    cashback: int = 0  # 好评返现 or 质量问题折价 (cents), paid by 转账 from the store's Alipay
    cashback_at: datetime.datetime | None = None
    cashback_kind: str = ""  # 好评返现 / 质量问题折价
    # a parcel lost by the courier: reshipped (补发), the courier's claim agreed, then paid (快递理赔)
    carrier: str = ""
    reship_at: datetime.datetime | None = None
    claim_at: datetime.datetime | None = None
    claim_paid_at: datetime.datetime | None = None
    # a problem planted in this order's statement rows (``PLANT_KINDS``), "" for none
    plant: str = ""

    @property
    def sku(self) -> str:
        return SKUS[self.product][0]

    @property
    def gross(self) -> int:
        return self.goods + self.postage

    @property
    def points_cents(self) -> int:
        return self.points  # 100 points = 1 CNY = 100 cents

    @property
    def cash(self) -> int:
        return self.gross - self.points_cents


@dataclasses.dataclass
class Totals:
    """What the generator wrote, summed by month (cents), for invoices and the tests."""

    by_kind: dict = dataclasses.field(default_factory=lambda: defaultdict(int))  # (month, kind)
    count_kind: dict = dataclasses.field(default_factory=lambda: defaultdict(int))
    consumer_points: dict = dataclasses.field(default_factory=lambda: defaultdict(int))  # month
    rows: int = 0
    orders: int = 0
    opening_balance: int = 0
    closing_balance: int = 0
    sales: int = 0  # yearly: sale rows minus refunds to buyers
    annual_refund: dict = dataclasses.field(default_factory=dict)  # year -> refund (cents)
    sales_by_year: dict = dataclasses.field(default_factory=lambda: defaultdict(int))
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    sold: dict = dataclasses.field(default_factory=lambda: defaultdict(int))  # (month, sku) -> qty
    refunds: list = dataclasses.field(default_factory=list)  # orders with a refund, payment order
    cashbacks: list = dataclasses.field(default_factory=list)  # orders paid 好评返现, in time order
    lost: list = dataclasses.field(default_factory=list)  # orders whose parcel was lost, payment order

    def month_net(self, month: str, kinds: dict) -> int:
        return sum(sign * self.by_kind.get((month, kind), 0) for kind, sign in kinds.items())


#: The problems the demo plants in its statements (issue 9 §5), by the finding kind the order
#: reconciliation (``tmall-books reconcile orders``) gives them, with what each is.
PLANT_KINDS = {
    "unsettled": "已付款订单未结算: 订单报表 交易成功, 账务明细中没有它的结算行",
    "commission-rate": "佣金多扣: 天猫佣金按 类目费率 + 3 个百分点 扣款",
    "refund-fee-kept": "退款未退佣金: 售后退款后 天猫佣金 没有退回",
    "duplicate-fee": "重复扣费: 同一订单的 信用卡/花呗支付服务费 扣了两次",
    "unknown-order": "不明流水: 淘宝客佣金代扣款 的订单号不在任何订单报表中",
}
#: Where in the generated period the problems are planted: for each kind, the first order that
#: fits it paid on or after these fractions of the period (shifted a day per kind).
PLANT_AT = (0.12, 0.45, 0.78)
#: The over-charge of a planted commission (basis points on top of the category rate).
PLANT_OVERCHARGE_BP = 300
PLANTED_HEADER = "问题类型,订单编号,月份,发生时间,金额,说明"
#: The file ``generate`` lists them in (beside alipay/ and tmall/).
PLANTED_FILE = "预设问题.csv"
#: The store's rates for ``tmall-books reconcile orders --rates`` (the Fava 订单核对 tab reads the
#: file of this name beside main.beancount).
RATES_FILE = "rates.toml"


@dataclasses.dataclass(frozen=True)
class Planted:
    """One problem planted in the demo's sources: the finding ``tmall-books reconcile orders``
    must give, and nothing else on clean data.

    ``month``: the order's payment month (an unknown row: the row's month); ``when``: the time of
    the statement row concerned (the row missing, over-charged, duplicated or unknown); ``amount``:
    cents of that row (the order's gross for an unsettled order, the over-charge, the commission
    not given back, the second fee, the unknown charge)."""

    kind: str
    order_id: str
    month: str
    when: datetime.datetime
    amount: int
    detail: str


def rates_toml() -> str:
    """The demo store's rates file (``beancount_tmall.orders.rates``): each category's commission
    rate and each 商家编码's category, from ``CATALOG`` and ``SKUS``."""
    rates = {category: bp for _, _, category, bp in CATALOG}
    lines = ["# 订单核对费率: 云栖茶事旗舰店 (演示店铺); tmall-books reconcile orders --rates rates.toml",
             'commission_rate = "0.05"', "", "[category_rates]"]
    lines += [f'"{category}" = "{Decimal(bp) / 10000}"' for category, bp in rates.items()]
    lines += ["", "[categories]  # 商家编码 (宝贝报表) -> 类目"]
    lines += [f'"{sku}" = "{category}"' for (sku, _, _), (_, _, category, _) in zip(SKUS, CATALOG, strict=True)]
    return "\n".join(lines) + "\n"


def write_planted(path: Path | str, planted: Iterable[Planted]) -> None:
    """The planted problems as a UTF-8 CSV (``问题类型,订单编号,月份,发生时间,金额,说明``)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(PLANTED_HEADER + "\n")
        for p in planted:
            f.write(f"{p.kind},{p.order_id},{p.month},{p.when:%Y-%m-%d %H:%M:%S},{money(p.amount)},{p.detail}\n")


def half_up(cents: int, bp: int) -> int:
    """``cents × bp / 10000`` rounded half-up to the cent (non-negative inputs)."""
    return (cents * bp + 5000) // 10000


def money(cents: int) -> str:
    """``-1234`` → ``"-12.34"``."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


# --------------------------------------------------------------------------- the simulation


class Store:
    """The simulated store: ``rows()`` yields the statement rows in time order.

    ``on_order`` (if given) is called with every paid order once its fate is decided (payment
    order), for the order export; ``totals`` is filled as rows are produced; ``refund_points``: see
    :func:`generate`. ``plant_problems``: plant the problems of ``PLANT_KINDS`` (listed in
    ``planted``); they take nothing from the main random stream, so the rows of a planted store are
    those of the clean one with the planted changes only.
    """

    def __init__(
        self,
        orders_per_day: int = 20,
        days: int = 365,
        seed: int = 1,
        year: int = 2025,
        on_order: Callable[[Order, datetime.date], None] | None = None,
        refund_points: bool = True,
        plant_problems: bool = False,
    ) -> None:
        self.orders_per_day = orders_per_day
        self.days = days
        self.year = year
        self.start = datetime.date(year, 1, 1)
        self.end = self.start + datetime.timedelta(days=days - 1)  # last generated day
        self.rng = random.Random(seed)
        # After-sales details (refund ids, reasons, returns, 好评返现) come from a second stream,
        # so the statement rows of the main stream do not depend on them.
        self.after = random.Random(f"aftersales-{seed}")
        self.on_order = on_order
        self.refund_points = refund_points
        self.scale = max(1.0, orders_per_day / 20)
        self.totals = Totals()
        self.totals.opening_balance = 80000_00 + int(20000_00 * (self.scale - 1))
        self.balance = self.totals.opening_balance
        self.reserve = 20000_00 + int(1000_00 * (self.scale - 1))
        self._serial = 0
        self._seq = itertools.count()
        self._heap: list = []
        self._order_no = 0
        self._counters = defaultdict(int)
        self.planted: list[Planted] = []
        self._plant_due: dict[str, deque] = {}
        if plant_problems:
            for k, kind in enumerate(PLANT_KINDS):
                days_in = sorted({min(days - 1, int(days * f) + k) for f in PLANT_AT})
                self._plant_due[kind] = deque(self.start + datetime.timedelta(days=d) for d in days_in)
        self._plant_rng = random.Random(f"plant-{seed}")

    # ids -----------------------------------------------------------------------------------
    def _next_serial(self, day: datetime.date) -> str:
        self._serial += 1
        return f"{day:%Y%m%d}20004001110{self._serial:013d}"

    def _bizno(self, when: datetime.datetime, prefix: str = "22001") -> str:
        self._counters["bizno"] += 1
        return f"{when:%Y%m%d}{prefix}{self._counters['bizno']:010d}{self.rng.randrange(100000):05d}"

    def _plant_bizno(self, when: datetime.datetime, prefix: str) -> str:
        """A 业务流水号 for a planted row, from the planting's own stream."""
        self._counters["plant"] += 1
        return f"{when:%Y%m%d}{prefix}9{self._counters['plant']:09d}{self._plant_rng.randrange(100000):05d}"

    # planted problems ------------------------------------------------------------------------
    def _fits(self, kind: str, o: Order) -> bool:
        """Whether ``o`` can carry the planted problem ``kind`` alone (no other row of the order
        could explain or blur it), its rows inside the generated period and the reconciliation's
        window (payment month and the next)."""
        plain = not (o.refund or o.taobaoke_bp or o.software_bp or o.cashback or o.carrier or o.points)
        if kind == "unsettled":  # judged once the statements cover the month after its payment
            after = (o.paid.date().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            return plain and not o.insurance and month_end(after) <= self.end
        if kind in ("commission-rate", "unknown-order"):
            return plain and (o.released + datetime.timedelta(hours=2)).date() <= self.end
        if kind == "duplicate-fee":
            return plain and bool(o.card) and half_up(o.cash, 100) > 0
        if kind == "refund-fee-kept":
            if not o.refund:
                return False
            months = (o.refund_at.year - o.paid.year) * 12 + o.refund_at.month - o.paid.month
            return (o.refund_at.date() <= self.end and months <= 1 and not o.taobaoke_bp and not o.software_bp
                    and half_up(o.refund, CATALOG[o.product][3]) > 0)
        return False

    def _plant(self, o: Order) -> None:
        """Plant the next due problem in ``o`` if it fits (at most one per order)."""
        if o.closed or o.released is None or o.released.date() > self.end:
            return
        day = o.paid.date()
        for kind, due in self._plant_due.items():
            if not due or due[0] > day or not self._fits(kind, o):
                continue
            due.popleft()
            o.plant = kind
            bp = CATALOG[o.product][3]
            month, when, tid = f"{o.paid:%Y-%m}", o.released, o.tid
            if kind == "unsettled":
                amount = o.gross
            elif kind == "commission-rate":
                amount = half_up(o.gross, bp + PLANT_OVERCHARGE_BP) - half_up(o.gross, bp)
            elif kind == "duplicate-fee":
                amount = half_up(o.cash, 100)
            elif kind == "refund-fee-kept":
                when, amount = o.refund_at, half_up(o.refund, bp)
            else:  # unknown-order: a 淘宝客 charge for an order id no export holds
                when = o.released + datetime.timedelta(hours=2)
                tid = str(int(o.tid) - int(o.tid) % 1000 + (int(o.tid) % 1000 + 500) % 1000)
                month, amount = f"{when:%Y-%m}", half_up(o.gross, 500)
                self._at(when, "unknown_taobaoke", (tid, amount))
            self.planted.append(Planted(kind, tid, month, when, amount, PLANT_KINDS[kind]))
            return

    # scheduling ------------------------------------------------------------------------------
    def _at(self, when: datetime.datetime, kind: str, payload) -> None:
        heapq.heappush(self._heap, (when, next(self._seq), kind, payload))

    def _day_factor(self, day: datetime.date) -> float:
        factor = 1.2 if day.weekday() >= 5 else 1.0
        if day.month == 6 and day.day <= 18:
            factor *= 1.5
        if day.month == 11 and day.day <= 11:
            factor *= 2.5 if day.day >= 10 else 1.6
        if day.month == 12 and 10 <= day.day <= 12:
            factor *= 1.5
        if (day.month == 1 and day.day >= 25) or (day.month == 2 and day.day <= 5):
            factor *= 0.5
        return factor

    def _new_order(self, day: datetime.date) -> Order:
        rng = self.rng
        self._order_no += 1
        product = rng.choices(range(len(CATALOG)), PRODUCT_WEIGHTS)[0]
        quantity = rng.choices((1, 2, 3), (80, 15, 5))[0]
        goods = CATALOG[product][1] * quantity
        if rng.random() < 0.25:  # shop coupon
            goods -= rng.choice((500, 1000, 2000)) if goods > 5000 else 0
        postage = 1000 if goods < 4900 and rng.random() < 0.5 else 0
        seconds = int(rng.triangular(7 * 3600, 86399, 21 * 3600))
        paid = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=seconds)
        created = paid - datetime.timedelta(seconds=rng.randrange(15, 600))
        points = 0
        if rng.random() < 0.06:
            points = min(rng.choice((100, 200, 500, 1000, 1500, 3000)), goods // 2)
        card = ""
        if rng.random() < 0.25:
            card = rng.choice(("信用卡", "花呗"))
        nick = f"tb{rng.randrange(10**9, 10**10)}"
        order = Order(
            tid=str(4100000000000000000 + self._order_no * 1000 + rng.randrange(1000)),
            tradeno=self._bizno(paid),
            buyer=nick,
            buyer_alipay=f"1{rng.randrange(30, 90)}****{rng.randrange(10000):04d}",
            product=product,
            quantity=quantity,
            goods=goods,
            postage=postage,
            points=points,
            created=created,
            paid=paid,
            card=card,
        )
        r = rng.random()
        if r < 0.02:
            order.closed = True
            self._after_sales(order)
            return order
        ship = paid + datetime.timedelta(hours=rng.uniform(4, 40))
        order.released = ship + datetime.timedelta(days=rng.uniform(2, 9))
        if rng.random() < 0.3:
            order.insurance = rng.choice((30, 50, 80, 110, 150))
            self._at(ship, "insurance", order)
        if rng.random() < 0.05:
            order.software_bp = 60
        if rng.random() < 0.12:
            order.taobaoke_bp = rng.choice((300, 500, 800, 1000, 1500))
            order.taobaoke_at = order.released + datetime.timedelta(days=rng.uniform(0.5, 6.5))
        if rng.random() < 0.04:
            order.refund = order.cash if rng.random() < 0.5 else max(1, order.cash * rng.randrange(10, 60) // 100)
            after = max(order.released, order.taobaoke_at or order.released)
            order.refund_at = after + datetime.timedelta(days=rng.uniform(1, 20))
        self._after_sales(order)
        self._at(order.released, "release", order)
        if order.cashback_at:
            self._at(order.cashback_at, "cashback", order)
        if order.claim_paid_at:
            self._at(order.claim_paid_at, "courier_claim", order)
        if order.taobaoke_at:
            self._at(order.taobaoke_at, "taobaoke", order)
        if order.refund_at:
            self._at(order.refund_at, "refund", order)
        if self._plant_due:
            self._plant(order)
        return order

    def _after_sales(self, order: Order) -> None:
        """Decide the order's refund details (refund export) and 好评返现, from ``self.after``."""
        a = self.after
        if order.closed:  # refunded before shipping (售中): 仅退款, all of it
            order.refund_id = self._refund_id()
            order.refund_applied = order.paid + datetime.timedelta(minutes=a.uniform(5, 300))
            order.refund_at = order.refund_applied + datetime.timedelta(minutes=a.uniform(10, 600))
            order.refund_reason = a.choice(("拍错/多拍/不想要", "协商一致退款", "未按约定时间发货"))
            self.totals.refunds.append(order)
        elif order.refund:
            order.refund_id = self._refund_id()
            order.refund_applied = order.refund_at - datetime.timedelta(days=a.uniform(1, 6))
            if order.refund == order.cash:  # 退货退款: the goods come back and are inspected
                order.returned = True
                order.refund_reason = a.choice(RETURN_REASONS)
                order.damaged = a.random() < (0.6 if order.refund_reason == "收到商品破损" else 0.15)
            else:  # 仅退款: a 折价 for a small quality problem
                order.refund_reason = "质量问题"
                order.refund_note = a.choice(DISCOUNT_NOTES)
            self.totals.refunds.append(order)
        elif order.released:
            r = a.random()
            if r < 0.03:  # 好评返现: a few yuan for a good review, paid by the shop manager
                order.cashback_kind = "好评返现"
                order.cashback = a.choice((300, 500, 500, 800, 1000))
                order.cashback_at = order.released + datetime.timedelta(days=a.uniform(0.2, 4))
            elif r < 0.04:  # 折价 paid to the buyer's Alipay (the seed's "支付宝形式进行补偿")
                order.cashback_kind = "质量问题折价"
                order.refund_note = a.choice(DISCOUNT_NOTES)
                order.cashback = max(500, min(order.goods // 5, a.choice((1000, 1500, 2000, 3000))))
                order.cashback_at = order.released + datetime.timedelta(days=a.uniform(1, 6))
            elif r < 0.042:  # the courier lost the parcel: 补发, and the courier pays the goods' value
                order.carrier = a.choice(CARRIERS)
                order.reship_at = order.paid + datetime.timedelta(days=a.uniform(3, 5))
                order.claim_at = order.reship_at + datetime.timedelta(days=a.uniform(2, 6))
                order.claim_paid_at = order.claim_at + datetime.timedelta(days=a.uniform(7, 20))
                self.totals.lost.append(order)

    def _refund_id(self) -> str:
        self._counters["refund"] += 1
        return str(160000000000000000 + self._counters["refund"] * 7919 + self.after.randrange(7919))

    def _store_ops(self, day: datetime.date) -> None:
        """Schedule the day's non-order rows."""
        rng = self.rng
        base = datetime.datetime.combine(day, datetime.time())
        scale = self.scale

        def at(hour: float, kind: str, payload=None) -> None:
            self._at(base + datetime.timedelta(seconds=int(hour * 3600) + rng.randrange(600)), kind, payload)

        if (day.month, day.day) == (1, 2):
            at(0.5, "annual_fee", DEMO_AGREEMENT["fee"] * 100)
        if day.weekday() == 0:
            at(10, "withdrawal")
        if rng.random() < 0.2:
            at(rng.uniform(8, 20), "zhitongche", rng.choice((500_00, 1000_00)) * int(scale))
        if day.day == 8 and day.month % 2 == 0:
            at(11, "zuanzhan", rng.choice((1500_00, 2000_00, 3000_00)) * int(scale))
        if (day.month, day.day) in ((5, 20), (10, 25)):
            at(15, "juhuasuan", 3000_00 * int(scale))
        if (day.month, day.day) == (2, 17):
            at(14, "deposit", 10000_00)
        if (day.month, day.day) == (6, 3):
            at(16, "transfer", (-5000_00, "转账到企业支付宝-备用金"))
        if (day.month, day.day) == (7, 15):
            at(16, "transfer", (5000_00, "企业支付宝转入-备用金归还"))
        if day.month in (3, 6, 9, 12) and day.day == 21:
            at(2, "interest")
        month, dom = DEMO_AGREEMENT["settlement"]
        if (day.month, day.day) == (month, dom):
            self._at(base + datetime.timedelta(hours=23, minutes=30), "annual_refund", None)

    # rows ----------------------------------------------------------------------------------
    def _row(self, when, kind, amount, biztype, remark, merchant="", bizno="", goods="",
             counterparty="", tid="", source="", skip=False) -> StatementRow | None:
        """The row (balance and totals updated); None if ``skip`` (a planted missing row: its
        业务流水号 is still drawn, so the random stream is that of the clean store)."""
        bizno = bizno or self._bizno(when, "30001")
        if skip:
            return None
        self.balance += amount
        totals = self.totals
        totals.rows += 1
        key = (f"{when:%Y-%m}", kind)
        totals.by_kind[key] += abs(amount)
        totals.count_kind[key] += 1
        return StatementRow(
            serial=self._next_serial(when.date()),
            bizno=bizno,
            merchant_order=merchant,
            goods=goods,
            time=when,
            counterparty=counterparty,
            amount=amount,
            balance=self.balance,
            channel="",
            biztype=biztype,
            remark=remark,
            description="",
            bill_source=source,
            base_order=tid,
            order_no=tid,
            kind=kind,
        )

    def _event_rows(self, when: datetime.datetime, kind: str, payload) -> Iterator[StatementRow]:
        if kind == "release":
            o: Order = payload
            tid, mo = o.tid, f"T200P{o.tid}"
            title = CATALOG[o.product][0]
            skip = o.plant == "unsettled"  # planted: the order is never settled
            if not skip:
                self.totals.sales += o.gross
                self.totals.sales_by_year[when.year] += o.gross
                self.totals.consumer_points[f"{when:%Y-%m}"] += o.points_cents
                self.totals.sold[(f"{when:%Y-%m}", o.sku)] += o.quantity
            yield self._row(when, "sale", o.gross, "在线支付", "", mo, o.tradeno, title,
                            o.buyer_alipay, tid, "天猫", skip=skip)
            bp = CATALOG[o.product][3] + (PLANT_OVERCHARGE_BP if o.plant == "commission-rate" else 0)
            yield self._row(when, "commission", -half_up(o.gross, bp), "交易付款",
                            f"天猫佣金（类目）{{{tid}}}扣款", mo, goods=title,
                            counterparty=TMALL, tid=tid, source="天猫", skip=skip)
            if o.software_bp:
                yield self._row(when, "software", -half_up(o.gross, o.software_bp), "交易付款",
                                f"基础软件服务费({tid})扣款", mo, counterparty=TMALL, tid=tid,
                                source="天猫", skip=skip)
            points = half_up(o.gross, 50)
            if points:
                yield self._row(when, "points", -points, "交易付款", f"代扣返点积分{tid}", mo,
                                counterparty=TMALL, tid=tid, source="天猫", skip=skip)
            if o.card:
                fee = half_up(o.cash, 100)
                if fee:
                    name = "信用卡支付服务费" if o.card == "信用卡" else "花呗支付服务费"
                    yield self._row(when, "card_fee", -fee, "收费",
                                    f"{name}[{self._bizno(when, '30002')}];淘宝交易号[{mo}]",
                                    counterparty="支付宝（中国）网络技术有限公司", tid=tid, skip=skip)
                    if o.plant == "duplicate-fee":  # planted: the same fee charged a second time
                        yield self._row(when, "card_fee", -fee, "收费",
                                        f"{name}[{self._plant_bizno(when, '30002')}];淘宝交易号[{mo}]",
                                        bizno=self._plant_bizno(when, "30001"),
                                        counterparty="支付宝（中国）网络技术有限公司", tid=tid)
        elif kind == "unknown_taobaoke":  # planted: a 淘宝客 charge for an order in no export
            tid, fee = payload
            yield self._row(when, "taobaoke", -fee, "交易付款", f"淘宝客佣金代扣款[{tid}]",
                            bizno=self._plant_bizno(when, "30001"), counterparty=ALIMAMA, tid=tid,
                            source="淘宝联盟")
        elif kind == "courier_claim":
            o = payload
            self._counters["bizno"] += 1
            bizno = f"{when:%Y%m%d}20001{self._counters['bizno']:010d}{self.after.randrange(100000):05d}"
            yield self._row(when, "courier_claim", o.goods, "转账", f"快递理赔[{o.tid}]", bizno=bizno,
                            counterparty=o.carrier)
        elif kind == "cashback":
            o = payload
            self.totals.cashbacks.append(o)
            self._counters["bizno"] += 1
            bizno = f"{when:%Y%m%d}20001{self._counters['bizno']:010d}{self.after.randrange(100000):05d}"
            yield self._row(when, "cashback", -o.cashback, "转账", f"{o.cashback_kind}[{o.tid}]", bizno=bizno,
                            counterparty=o.buyer_alipay)
        elif kind == "taobaoke":
            o = payload
            fee = half_up(o.gross, o.taobaoke_bp)
            if fee:
                yield self._row(when, "taobaoke", -fee, "交易付款", f"淘宝客佣金代扣款[{o.tid}]",
                                counterparty=ALIMAMA, tid=o.tid, source="淘宝联盟")
        elif kind == "refund":
            o = payload
            tid, mo = o.tid, f"T200P{o.tid}"
            self.totals.sales -= o.refund
            self.totals.sales_by_year[when.year] -= o.refund
            if o.points and self.refund_points:  # the buyer's points go back: not the month's 消费积分
                share = o.points_cents if o.refund == o.cash else (2 * o.points_cents * o.refund + o.cash) // (2 * o.cash)
                self.totals.consumer_points[f"{when:%Y-%m}"] -= share
            yield self._row(when, "refund", -o.refund, "交易退款", f"售后退款-1-{mo}", mo,
                            goods=CATALOG[o.product][0], counterparty=o.buyer_alipay, tid=tid,
                            source="天猫")
            back = half_up(o.refund, CATALOG[o.product][3])
            if back:  # (planted refund-fee-kept: the commission never comes back)
                yield self._row(when, "commission_back", back, "交易付款",
                                f"天猫佣金（类目）{{{tid}}}退款", mo, counterparty=TMALL, tid=tid,
                                source="天猫", skip=o.plant == "refund-fee-kept")
            back = half_up(o.refund, 50)
            if back:
                yield self._row(when, "points_back", back, "交易付款", f"代扣交易退回积分{tid}",
                                mo, counterparty=TMALL, tid=tid, source="天猫")
            if o.taobaoke_bp:
                back = min(half_up(o.refund, o.taobaoke_bp), half_up(o.gross, o.taobaoke_bp))
                if back:
                    yield self._row(when, "taobaoke_back", back, "交易付款",
                                    f"淘宝客佣金退款[{tid}]", counterparty=ALIMAMA, tid=tid,
                                    source="淘宝联盟")
        elif kind == "insurance":
            o = payload
            yield self._row(when, "insurance", -o.insurance, "交易付款", "保险承保-卖家版运费险保费收取",
                            counterparty="众安在线财产保险股份有限公司", tid=o.tid)
        elif kind == "withdrawal":
            amount = (self.balance - self.reserve) // 100_00 * 100_00
            if amount > 0:
                yield self._row(when, "withdrawal", -amount, "提现", "提现到银行卡",
                                counterparty="招商银行(尾号8866)")
        elif kind in ("zhitongche", "zuanzhan", "juhuasuan"):
            if self.balance - payload < 0:
                return
            self._counters[kind] += 1
            purpose = {"zhitongche": "直通车自动充值", "zuanzhan": "钻展", "juhuasuan": "聚划算"}[kind]
            yield self._row(when, kind, -payload, "交易付款",
                            f"代扣款（扣款用途：{purpose}-{when:%Y%m%d}{self._counters[kind]:04d}）",
                            counterparty=ALIMAMA, source="阿里妈妈")
        elif kind == "deposit":
            yield self._row(when, "deposit", -payload, "转账", "天猫保证金-充值", counterparty=TMALL)
        elif kind == "transfer":
            amount, remark = payload
            yield self._row(when, "transfer", amount, "转账", remark, counterparty=STORE_NAME)
        elif kind == "interest":
            amount = max(1, self.balance * 35 // 40000)  # ~0.35% a year on the balance, a quarter
            yield self._row(when, "interest", amount, "结息", "", counterparty="支付宝")
        elif kind == "annual_fee":
            yield self._row(when, "annual_fee", -payload, "交易付款", f"技术服务费年费代扣{when.year}",
                            counterparty=TMALL)
        elif kind == "annual_refund":
            # Each year's fee is settled on that year's sales (a year that started after 01-02
            # had no fee deducted and gets nothing back).
            if not self.totals.by_kind.get((f"{when.year}-01", "annual_fee")):
                return
            refund = annual_fee_refund(self.totals.sales_by_year[when.year])
            self.totals.annual_refund[when.year] = refund
            if refund:
                yield self._row(when, "annual_refund", refund, "交易付款",
                                f"技术服务费年费返还{when.year}", counterparty=TMALL)

    def rows(self) -> Iterator[StatementRow]:
        """The statement rows of ``days`` days from January 1st, in time (and serial) order."""
        self.totals.first_day, self.totals.last_day = self.start, self.end
        progress = None
        if sys.stderr.isatty():
            progress = click.progressbar(length=self.days, label="demo", file=sys.stderr)
            progress.__enter__()
        try:
            for n in range(self.days):
                day = self.start + datetime.timedelta(days=n)
                count = round(self.orders_per_day * self._day_factor(day) * self.rng.uniform(0.8, 1.2))
                for _ in range(count):
                    order = self._new_order(day)
                    self.totals.orders += 1
                    if self.on_order:
                        self.on_order(order, self.end)
                self._store_ops(day)
                limit = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
                heap = self._heap
                while heap and heap[0][0] < limit:
                    when, _, kind, payload = heapq.heappop(heap)
                    for row in self._event_rows(when, kind, payload):
                        if row is not None:
                            yield row
                if progress:
                    progress.update(1)
        finally:
            if progress:
                progress.__exit__(None, None, None)
        self.totals.closing_balance = self.balance


def annual_fee_refund(sales_cents: int, agreement: dict = DEMO_AGREEMENT) -> int:
    """The refund (cents) of the annual fee for the year's sales, by the agreement's thresholds."""
    share = "0"
    for threshold, part in agreement["thresholds"]:
        if sales_cents >= threshold * 100:
            share = part
    numerator, denominator = {"0": (0, 1), "0.5": (1, 2), "1": (1, 1)}.get(share, (0, 1))
    return agreement["fee"] * 100 * numerator // denominator


# --------------------------------------------------------------------------- writers


def _cn_time(when: datetime.datetime) -> str:
    return f"{when:%Y}年{when:%m}月{when:%d}日 {when:%H:%M:%S}"


def write_statement(
    path: Path | str,
    rows: Iterable[StatementRow],
    start: datetime.date,
    end: datetime.date,
    account: str = ALIPAY_ACCOUNT,
    exported: datetime.datetime | None = None,
) -> tuple[int, int]:
    """Write one 支付宝账务明细 file (GBK) of ``rows`` for the days ``start``..``end``.

    ``rows`` may be any iterable (a generator streams straight to disk). Returns
    ``(row count, last balance in cents)``.
    """
    exported = exported or datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(9, 12, 37))
    out_n = in_n = out_total = in_total = count = 0
    balance = 0
    with open(path, "w", encoding="gbk", newline="") as f:
        f.write("#支付宝账务明细查询\r\n")
        f.write(f"#账号：[{account}]\r\n")
        f.write(
            f"#起始日期：[{_cn_time(datetime.datetime.combine(start, datetime.time()))}]   "
            f"终止日期：[{_cn_time(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))}]\r\n"
        )
        f.write("#-----------------------------------------账务明细列表----------------------------------------\r\n")
        f.write(STATEMENT_HEADER + "\r\n")
        write = f.write
        for r in rows:
            count += 1
            if r.amount >= 0:
                in_n += 1
                in_total += r.amount
                income, expense = money(r.amount), ""
            else:
                out_n += 1
                out_total -= r.amount
                income, expense = "", money(r.amount)
            balance = r.balance
            write(
                f"{r.serial}\t,{r.bizno}\t,{r.merchant_order}\t,{r.goods}\t,"
                f"{r.time:%Y-%m-%d %H:%M:%S}\t,{r.counterparty}\t,{income}\t,{expense}\t,"
                f"{money(r.balance)}\t,{r.channel}\t,{r.biztype}\t,{r.remark}\t,{r.description}\t,"
                f"{r.bill_source}\t,{r.base_order}\t,{r.order_no}\t\r\n"
            )
        f.write("#-----------------------------------------账务明细列表结束------------------------------------\r\n")
        f.write(f"#支出合计：{out_n}笔，共{money(out_total)}元\r\n")
        f.write(f"#收入合计：{in_n}笔，共{money(in_total)}元\r\n")
        f.write(f"#导出时间：[{_cn_time(exported)}]\r\n")
    return count, balance


def statement_filename(month: datetime.date, account: str = ALIPAY_ACCOUNT) -> str:
    """``20880012345678900156_202503_账务明细.csv``."""
    return f"{account}_{month:%Y%m}_账务明细.csv"


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def generate_statement_file(
    path: Path | str, orders_per_day: int = 1000, days: int = 365, seed: int = 1, year: int = 2025
) -> Totals:
    """Write the store's whole statement of ``days`` days as ONE 账务明细 file (for benchmarks).

    Rows stream to disk; memory stays flat whatever ``orders_per_day``. Returns the totals
    (``totals.rows`` rows, opening/closing balance in cents).
    """
    store = Store(orders_per_day, days, seed, year)
    write_statement(path, store.rows(), store.start, store.end)
    return store.totals


# --------------------------------------------------------------------------- order export


def _order_status(o: Order, asof: datetime.date) -> tuple[str, str]:
    if o.closed:
        return "交易关闭", ""
    if o.released and o.released.date() <= asof:
        return "交易成功", o.released.strftime("%Y-%m-%d %H:%M:%S")
    return "卖家已发货，等待买家确认", ""


class _MonthlyExport:
    """One GBK export file per payment month (``<prefix>202503.csv``), written line by line."""

    prefix = header = ""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.files: list[Path] = []
        self._month = None
        self._f = None

    def _file_of(self, o: Order):
        """The open file of ``o``'s payment month (the previous month's closed)."""
        month = o.paid.strftime("%Y%m")
        if month != self._month:
            self.close()
            path = self.directory / f"{self.prefix}{month}.csv"
            self.files.append(path)
            self._f = open(path, "w", encoding="gbk", newline="")
            self._f.write(self.header + "\r\n")
            self._month = month
        return self._f

    def close(self) -> None:
        if self._f:
            self._f.close()
            self._f = None


class OrderExportWriter(_MonthlyExport):
    """Streams orders to one 订单报表 file per payment month (``ExportOrderList202503.csv``)."""

    prefix, header = "ExportOrderList", ORDER_HEADER

    def __init__(self, directory: Path, rng: random.Random) -> None:
        super().__init__(directory)
        self.rng = rng

    def __call__(self, o: Order, asof: datetime.date) -> None:
        f = self._file_of(o)
        status, confirmed = _order_status(o, asof)
        rng = self.rng
        title, _, _, _ = CATALOG[o.product]
        refund = o.cash if o.closed else (o.refund if (o.refund_at and o.refund_at.date() <= asof) else 0)
        paid_to_store = (o.gross - (o.refund if refund and not o.closed else 0)) if status == "交易成功" else 0
        name = rng.choice(SURNAMES) + "*"
        cells = [
            f'="{o.tid}"', o.buyer, o.buyer_alipay, money(o.goods), money(o.postage), str(o.points),
            money(o.gross), str(o.gross // 200), money(o.cash), str(o.points), status, "", name,
            rng.choice(CITIES) + " ***", "快递", f"1{rng.randrange(30, 90)}****{rng.randrange(10000):04d}",
            o.created.strftime("%Y-%m-%d %H:%M:%S"), o.paid.strftime("%Y-%m-%d %H:%M:%S"), title,
            "1", "" if o.closed else f'="{rng.randrange(10**11, 10**12)}"',
            # (the carrier is drawn for every shipped order, so the stream stays the same)
            "" if o.closed else [rng.choice(CARRIERS), o.carrier][bool(o.carrier)], "", str(o.quantity), SHOP_NAME,
            "买家申请退款" if o.closed else "", money(refund), confirmed, money(paid_to_store),
        ]
        f.write(",".join(cells) + "\r\n")


class ItemExportWriter(_MonthlyExport):
    """Streams orders to one 宝贝报表 file per payment month (``ExportOrderDetailList202503.csv``,
    GBK): a line per order (the demo's orders hold one product), with the unit price, the quantity,
    the order's status as in the 订单报表 and the 商家编码."""

    prefix, header = "ExportOrderDetailList", ITEM_HEADER

    def __init__(self, directory: Path, last: datetime.date) -> None:
        super().__init__(directory)
        self.last = last

    def __call__(self, o: Order, asof: datetime.date) -> None:
        f = self._file_of(o)
        title, price, _, _ = CATALOG[o.product]
        sku, attributes, _ = SKUS[o.product]
        status, _ = _order_status(o, asof)
        cells = [f'="{o.tid}"', title, money(price), str(o.quantity), "", attributes, "", "", status, sku]
        f.write(",".join(cells) + "\r\n")

    def close(self) -> None:
        if self._f:
            super().close()
            # The export has no date of its own: it is dated (its mtime, which the import's archive
            # name takes) the last day of its month, so the demo's archive is the same every run.
            path = self.files[-1]
            month = datetime.date(int(path.stem[-6:-2]), int(path.stem[-2:]), 1)
            when = datetime.datetime.combine(min(month_end(month), self.last), datetime.time(12))
            os.utime(path, (when.timestamp(), when.timestamp()))


# --------------------------------------------------------------------------- goods


def unit_costs(year: int) -> dict[str, list[tuple[datetime.date, int]]]:
    """The cost table: each SKU's unit costs (cents, excl. VAT) by effective date."""
    return {sku: [(datetime.date(year, m, d), cents) for m, d, cents in costs] for sku, _, costs in SKUS}


def cost_on(costs: list[tuple[datetime.date, int]], day: datetime.date) -> int:
    """The unit cost in force on ``day`` (the latest effective on or before it, else the first)."""
    found = costs[0][1]
    for effective, cents in costs:
        if effective <= day:
            found = cents
    return found


def write_cost_table(path: Path | str, year: int) -> None:
    """成本表.csv (UTF-8, kept by the store beside main.beancount): ``商家编码,名称,单位成本,生效日期``."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(COST_HEADER + "\n")
        for (sku, _, _), (title, _, _, _) in zip(SKUS, CATALOG, strict=True):
            for effective, cents in unit_costs(year)[sku]:
                f.write(f"{sku},{title},{money(cents)},{effective:%Y-%m-%d}\n")


def write_refunds(directory: Path, refunds: Iterable[Order], asof: datetime.date, seed: int) -> list[Path]:
    """The 退款 export, one GBK file per month of 退款完结时间 (``ExportRefundList202503.csv``):
    refunds of closed orders (售中, the money never reached the store) and after-sale refunds (the
    statement's 售后退款 rows: same order, time and amount), finished on or before ``asof``."""
    rng = random.Random(f"refunds-{seed}")
    done = sorted((o for o in refunds if o.refund_at.date() <= asof), key=lambda o: (o.refund_at, o.refund_id))
    files = []
    for month, group in itertools.groupby(done, key=lambda o: o.refund_at.strftime("%Y%m")):
        path = directory / f"ExportRefundList{month}.csv"
        files.append(path)
        with open(path, "w", encoding="gbk", newline="") as f:
            f.write(REFUND_HEADER + "\r\n")
            for o in group:
                amount = o.cash if o.closed else o.refund
                goods_status = "买家未收到货" if o.closed else ("买家已退货" if o.returned else "买家已收到货")
                carrier = number = ""
                if o.returned:
                    carrier, number = rng.choice(CARRIERS), f'="{rng.randrange(10**11, 10**12)}"'
                cells = [
                    o.refund_id, f'="{o.tid}"', f'="{o.tradeno}"', f"{o.paid:%Y-%m-%d %H:%M:%S}", o.sku,
                    f"{o.refund_at:%Y-%m-%d %H:%M:%S}", money(o.cash), CATALOG[o.product][0], money(amount),
                    "系统退款", "是" if o.returned else "否", f"{o.refund_applied:%Y-%m-%d %H:%M:%S}",
                    "退款成功", goods_status, "", carrier, number, "客服未介入", "售中" if o.closed else "售后",
                    o.refund_reason, o.refund_note, "全部退款" if amount == o.cash else "部分退款",
                ]
                f.write(",".join(cells) + "\r\n")
    return files


@dataclasses.dataclass(frozen=True)
class Breakage:
    """A 破损单: goods that cannot be sold (a returned parcel that failed inspection, or broken in
    the warehouse), with its photos."""

    number: str  # 破损单号, e.g. PS2025-003
    date: datetime.date
    sku: str
    quantity: int
    note: str
    photos: tuple[Path, ...]
    refund_id: str = ""  # a returned parcel: its 退款编号
    order_id: str = ""


@dataclasses.dataclass(frozen=True)
class Purchase:
    """One line of a 采购入库单 (a purchase of one SKU, booked by hand into 库存商品)."""

    number: str  # 入库单号
    date: datetime.date
    supplier: str
    sku: str
    quantity: int
    unit_cost: int  # cents, excl. VAT


@dataclasses.dataclass(frozen=True)
class Approval:
    """A signed 售后审批单 for money given to a buyer (好评返现, 折价)."""

    number: str
    date: datetime.date
    order_id: str
    kind: str  # 好评返现 / 质量问题折价 / 折价退款
    amount: int  # cents
    reason: str
    approver: str
    role: str
    postage: int = 0  # the order's postage (cents): a quality compensation above it needs the 主管


#: Warehouse breakages (month, day, sku index, quantity, note) of each year the demo covers.
WAREHOUSE_BREAKAGE = (
    (2, 20, 8, 2, "入库验收: 紫砂壶壶盖碎裂"),
    (5, 14, 6, 3, "仓库搬运: 盖碗跌落碎裂"),
    (8, 9, 0, 2, "仓库漏雨: 礼盒受潮"),
    (11, 13, 7, 1, "双十一打包: 旅行茶具套装摔碎"),
)


def png(width: int, height: int, seed: str) -> bytes:
    """A small grey PNG with a dark crack across it (a stand-in for a 破损 photo), deterministic."""
    rng = random.Random(seed)
    y = rng.randrange(height)
    rows = []
    for row in range(height):
        line = bytearray([0])  # filter: none
        for col in range(width):
            shade = 200 + (row * 7 + col * 3) % 40
            if abs(row - y - (col * (height // 2)) // width) <= 1:
                shade = 40
            line.append(shade)
        rows.append(bytes(line))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def breakages_for(totals: Totals, start: datetime.date, end: datetime.date, photos: Path) -> list[Breakage]:
    """The year's 破损单 (returns that failed inspection and warehouse breakage), numbered in date
    order, with one or two photos each written under ``photos``."""
    events = []
    for o in totals.refunds:
        if o.returned and o.damaged and o.refund_at.date() <= end:
            events.append((o.refund_at.date(), o.refund_id, o.sku, o.quantity, "退货验收: 商品破损，不能二次销售",
                           o.refund_id, o.tid))
    for y in range(start.year, end.year + 1):
        for m, d, product, quantity, note in WAREHOUSE_BREAKAGE:
            day = datetime.date(y, m, d)
            if start <= day <= end:
                events.append((day, "", SKUS[product][0], quantity, note, "", ""))
    events.sort()
    out = []
    counters: dict[int, int] = defaultdict(int)
    for day, _, sku, quantity, note, refund_id, tid in events:
        counters[day.year] += 1
        number = f"PS{day.year}-{counters[day.year]:03d}"
        paths = []
        for k in range(1 + (counters[day.year] % 2)):
            path = photos / f"{number}-{k + 1}.png"
            path.write_bytes(png(48, 32, f"{number}-{k}"))
            paths.append(path)
        out.append(Breakage(number, day, sku, quantity, note, tuple(paths), refund_id, tid))
    return out


def write_inspections(path: Path | str, totals: Totals, breakages: list[Breakage], asof: datetime.date) -> int:
    """验货记录.csv (UTF-8, the warehouse's register of returned parcels): ``退款编号,验货结果,破损单号,
    备注``; a parcel that fails is 破损 with its 破损单号. Returns the number of lines."""
    numbers = {b.refund_id: b for b in breakages if b.refund_id}
    returned = sorted((o for o in totals.refunds if o.returned and o.refund_at.date() <= asof),
                      key=lambda o: (o.refund_at, o.refund_id))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(INSPECTION_HEADER + "\n")
        for o in returned:
            b = numbers.get(o.refund_id)
            if b:
                f.write(f"{o.refund_id},不合格,{b.number},{b.note.split(': ', 1)[-1]}\n")
            else:
                f.write(f"{o.refund_id},合格,,包装完好 重新入库\n")
    return len(returned)


#: Roles from the least authority to the most (the approvals plugin's default order).
ROLES = ("销售经理", "主管", "副总经理", "总经理")


def approval_role(amount: int, quality: bool = False, postage: int = 0) -> str:
    """The role that approves ``amount`` cents given to a buyer: seed 002 第二十七条 (up to 1000
    销售经理, up to 5000 副总经理, above 总经理), and seed 000's 折价 (a quality-issue compensation
    above the order's postage needs the 主管)."""
    role = "销售经理" if amount <= 1000_00 else "副总经理" if amount <= 5000_00 else "总经理"
    if quality and amount > postage and ROLES.index(role) < ROLES.index("主管"):
        role = "主管"
    return role


def approvals_for(totals: Totals, asof: datetime.date) -> list[Approval]:
    """The 售后审批单 of the money given to buyers: each 好评返现, each 质量问题折价 paid to the
    buyer's Alipay and each 折价退款 (a partial refund for a quality problem), approved the day it
    is paid."""
    items = [(o.cashback_at, o, o.cashback_kind, o.cashback,
              o.cashback_kind if o.cashback_kind == "好评返现" else f"质量问题: {o.refund_note}")
             for o in totals.cashbacks]
    items += [(o.refund_at, o, "折价退款", o.refund, f"质量问题: {o.refund_note}")
              for o in totals.refunds if not o.closed and not o.returned and o.refund_at.date() <= asof]
    items.sort(key=lambda i: (i[0], i[1].tid))
    out = []
    for n, (when, o, kind, amount, reason) in enumerate(items, 1):
        role = approval_role(amount, quality=kind != "好评返现", postage=o.postage)
        out.append(Approval(f"SP{when:%Y}{n:04d}", when.date(), o.tid, kind, amount, reason, APPROVERS[role], role,
                            o.postage))
    return out


def write_approvals(path: Path | str, approvals: Iterable[Approval]) -> None:
    """售后审批单.csv (UTF-8): ``审批单号,订单编号,类型,金额,邮费,原因,审批人,审批角色,审批日期``."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(APPROVAL_HEADER + "\n")
        for a in approvals:
            f.write(f"{a.number},{a.order_id},{a.kind},{money(a.amount)},{money(a.postage)},{a.reason},"
                    f"{a.approver},{a.role},"
                    f"{a.date:%Y-%m-%d}\n")


def purchases_for(totals: Totals, breakages: list[Breakage], start: datetime.date,
                  end: datetime.date) -> list[Purchase]:
    """The store's purchases: on the 1st of each month, for each SKU, enough to cover the month's
    settled sales and breakage with a margin (stock never runs out; returned goods only add)."""
    costs = unit_costs(start.year)
    broken: dict = defaultdict(int)
    for b in breakages:
        if not b.refund_id:
            broken[(f"{b.date:%Y-%m}", b.sku)] += b.quantity
    for o in totals.lost:  # the reshipped goods leave the warehouse a second time
        broken[(f"{o.reship_at:%Y-%m}", o.sku)] += o.quantity
    stock: dict[str, int] = defaultdict(int)
    out = []
    month = start.replace(day=1)
    numbers: dict[int, int] = defaultdict(int)
    while month <= end:
        key = f"{month:%Y-%m}"
        for sku, _, _ in SKUS:
            need = totals.sold.get((key, sku), 0) + broken.get((key, sku), 0)
            target = need + (need * 3 + 9) // 10 + 10
            quantity = -(-max(0, target - stock[sku]) // 10) * 10
            if quantity:
                numbers[month.year] += 1
                out.append(Purchase(f"CG{month:%Y%m}-{numbers[month.year]:03d}", max(month, start),
                                    SUPPLIERS[sku], sku, quantity, cost_on(costs[sku], month)))
            stock[sku] += quantity - need
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


# --------------------------------------------------------------------------- invoices


def _invoice(date, number, issuer, receiver, period, kind, cents: int, rate: str) -> InvoiceRow:
    return InvoiceRow(0, date, number, issuer, receiver, period, kind, Decimal(cents) / 100, Decimal(rate))


def invoices_for(totals: Totals, year: int, seed: int) -> list[InvoiceRow]:
    """The fee invoices (and the store's 消费积分 invoices) for the months the totals cover."""
    rng = random.Random(f"invoices-{seed}")
    out: list[InvoiceRow] = []
    numbers = itertools.count(1)
    months = sorted({month for month, _ in totals.by_kind} | set(totals.consumer_points))
    yy = f"{year % 100:02d}"
    for month in months:
        y, m = map(int, month.split("-"))
        next_first = datetime.date(y + (m == 12), m % 12 + 1, 1)
        for kind, issuer, kinds in INVOICED:
            net = totals.month_net(month, kinds)
            if net == 0:
                continue
            late = rng.random() < 0.15
            day = rng.randint(20, 25) if late else rng.choice((9, 10))
            out.append(_invoice(next_first.replace(day=day), f"{yy}332000{next(numbers) * 7919:012d}",
                                   issuer, STORE_NAME, month, kind, net, "0.06"))
        points = totals.consumer_points.get(month, 0)
        if points:
            out.append(_invoice(next_first.replace(day=rng.choice((8, 9, 10))),
                                   f"{yy}337000{next(numbers) * 7919:012d}",
                                   STORE_NAME, TMALL, month, "消费积分", points, "0.13"))
    fee = DEMO_AGREEMENT["fee"] * 100
    month, dom = DEMO_AGREEMENT["settlement"]
    for fee_year, refund in sorted(totals.annual_refund.items()):
        rest = fee - refund
        if rest:
            settle = datetime.date(fee_year, month, dom)
            out.append(_invoice(settle, f"{fee_year % 100:02d}339000{next(numbers) * 7919:012d}",
                                TMALL, STORE_NAME, f"{fee_year}", "年度技术服务费", rest, "0.06"))
    last = totals.last_day or datetime.date(year, 12, 31)
    return sorted((i for i in out if i.date <= last), key=lambda i: (i.date, i.number))


def write_invoices(path: Path | str, invoices: Iterable[InvoiceRow]) -> int:
    """Write the invoice ledger CSV (UTF-8); returns the number of invoices."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(INVOICE_HEADER + "\n")
        for inv in invoices:
            n += 1
            f.write(f"{inv.date:%Y-%m-%d},{inv.number},{inv.issuer},{inv.receiver},{inv.period},"
                    f"{inv.kind},{inv.amount:.2f},{(inv.rate * 100).normalize():f}%\n")
    return n


# --------------------------------------------------------------------------- everything


@dataclasses.dataclass
class DemoFiles:
    """The files ``generate`` wrote and what they add up to."""

    statements: list[Path]
    orders: list[Path]
    invoices: Path
    totals: Totals
    invoice_list: list[InvoiceRow]
    items: list[Path] = dataclasses.field(default_factory=list)
    refunds: list[Path] = dataclasses.field(default_factory=list)
    cost_table: Path | None = None
    inspections: Path | None = None
    approvals_file: Path | None = None
    breakages: list[Breakage] = dataclasses.field(default_factory=list)
    purchases: list[Purchase] = dataclasses.field(default_factory=list)
    approvals: list[Approval] = dataclasses.field(default_factory=list)
    planted: list[Planted] = dataclasses.field(default_factory=list)
    planted_file: Path | None = None


def generate(
    directory: Path | str,
    orders_per_day: int = 20,
    days: int = 365,
    seed: int = 1,
    year: int = 2025,
    refund_points: bool = True,
    plant_problems: bool = False,
) -> DemoFiles:
    """Write the demo store's source files under ``directory``: alipay/ (statements), tmall/ (order,
    item and refund exports), invoices/ (发票台账), goods/ (成本表, 验货记录, 售后审批单 and the 破损
    photos under goods/破损/); the purchases are returned (the build writes them by hand).

    ``refund_points``: the points a buyer paid with on a refunded order go back to the buyer and
    leave the month's 消费积分 invoice (the ledger's returns give them back); False keeps them
    invoiced (a ledger without returns booked: the big demo).

    ``plant_problems``: plant the problems of ``PLANT_KINDS`` in the statements (a few of each, at
    ``PLANT_AT`` of the period), listed in ``DemoFiles.planted`` and ``预设问题.csv``: what
    ``tmall-books reconcile orders`` must find, exactly (the demo build plants them). False: clean
    sources, no findings (``预设问题.csv`` has its header only)."""
    directory = Path(directory)
    for sub in ("alipay", "tmall", "invoices", "goods/破损"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    order_writer = OrderExportWriter(directory / "tmall", random.Random(f"orders-{seed}"))
    item_writer = ItemExportWriter(directory / "tmall", datetime.date(year, 1, 1) + datetime.timedelta(days=days - 1))

    def on_order(order: Order, asof: datetime.date) -> None:
        order_writer(order, asof)
        item_writer(order, asof)

    store = Store(orders_per_day, days, seed, year, on_order=on_order, refund_points=refund_points,
                  plant_problems=plant_problems)
    statements = []
    try:
        by_month = itertools.groupby(store.rows(), key=lambda r: r.time.date().replace(day=1))
        for month_start, month_rows in by_month:
            path = directory / "alipay" / statement_filename(month_start)
            end = min(month_end(month_start), store.end)
            write_statement(path, month_rows, month_start, end)
            statements.append(path)
    finally:
        order_writer.close()
        item_writer.close()
    totals = store.totals
    invoice_list = invoices_for(totals, year, seed)
    invoices = directory / "invoices" / f"发票台账_{year}.csv"
    write_invoices(invoices, invoice_list)
    goods = directory / "goods"
    refunds = write_refunds(directory / "tmall", totals.refunds, store.end, seed)
    cost_table = goods / "成本表.csv"
    write_cost_table(cost_table, year)
    breakages = breakages_for(totals, store.start, store.end, goods / "破损")
    inspections = goods / "验货记录.csv"
    write_inspections(inspections, totals, breakages, store.end)
    approvals = approvals_for(totals, store.end)
    approvals_file = goods / "售后审批单.csv"
    write_approvals(approvals_file, approvals)
    purchases = purchases_for(totals, breakages, store.start, store.end)
    planted = sorted(store.planted, key=lambda p: (p.when, p.kind, p.order_id))
    planted_file = directory / PLANTED_FILE
    write_planted(planted_file, planted)
    (directory / RATES_FILE).write_text(rates_toml(), encoding="utf-8")
    return DemoFiles(statements, order_writer.files, invoices, totals, invoice_list, item_writer.files,
                     refunds, cost_table, inspections, approvals_file, breakages, purchases, approvals,
                     planted, planted_file)
