"""The Python engine's quick test (:meth:`OrderTable.suspects`) never clears an order that
:func:`findings.judge` finds something on, or that counts as ``pending``.

Hypothesis builds order tables whose sums sit on and around every boundary the judge has: the
rounding of ``base × rate`` (half-up), the tolerance ``max(1, base × tolerance)``, own rates of
up to eight places, the refund export's totals, the 淘宝客 tag and the card part. Every order
the quick test clears must give no finding and not be pending; and on a table of clean orders
the quick test clears them (so it is not a test that lets everything through).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from beancount_tmall.orders import engine, findings, sources
from beancount_tmall.orders.rates import Rates

FEES = sources.FEE_KINDS
RATES = st.builds(
    Rates,
    commission=st.sampled_from([Decimal("0.05"), Decimal("0.048"), Decimal("0.02"), Decimal("0.0555")]),
    points=st.sampled_from([Decimal("0.005"), Decimal("0.01")]),
    card_fee=st.sampled_from([Decimal("0.01"), Decimal("0.006")]),
    tolerance=st.sampled_from([Decimal("0.001"), Decimal("0"), Decimal("0.005"), Decimal("0.0001")]),
)
OWN = st.none() | st.dictionaries(
    st.sampled_from(["commission", "points", "card_fee"]),
    st.integers(1, 10**7).map(lambda n: Decimal(n).scaleb(-8)),
    min_size=1,
)
CENTS = st.integers(0, 200_000) | st.sampled_from([0, 1, 49, 50, 51, 99, 100, 101, 1999, 2000, 2001])


@st.composite
def order(draw):
    """One order's export facts and statement sums; fees near their expected value."""
    rates = draw(RATES)
    paid, points = draw(CENTS), draw(st.sampled_from([0, 0, 50, 100]))
    sale_in = draw(st.sampled_from([0, paid + points, paid + points, paid])) if draw(st.booleans()) else draw(CENTS)
    own = draw(OWN)
    fees = {}
    for kind in FEES:
        if draw(st.integers(0, 3)) == 0:
            continue
        rate = (own or {}).get(kind.replace("-", "_"), getattr(rates, kind.replace("-", "_"), rates.commission))
        near = int(sale_in * rate) + draw(st.integers(-3, 3))
        count = draw(st.sampled_from([0, 1, 1, 1, 2]))
        first = (max(0, near) if draw(st.booleans()) else draw(CENTS)) if count else 0
        fees[kind] = (count, first, draw(st.sampled_from([0, 0, 1, max(0, near)])) if count else 1)
    return {
        "rates": rates, "paid": paid, "points": points, "refund": draw(st.sampled_from([0, 0, 100])),
        "status": draw(st.sampled_from(["交易成功", "交易关闭"])),
        "card": draw(st.none() | st.sampled_from([0, paid]) | CENTS),
        "taobaoke": draw(st.sampled_from([None, True, False])),
        "sale_in": sale_in, "sale_out": draw(st.sampled_from([0, 0, 0, 100])),
        "refunded": draw(st.sampled_from([0, 0, 0, 100])), "fees": fees, "own": own,
        "refunds": draw(st.none() | st.sampled_from([0, 100])),
    }


def table_of(orders):
    table = engine.OrderTable()
    for n, o in enumerate(orders):
        table.add(f"41{n:017d}", sources.month_index("2025-03"), o["paid"], o["points"], o["refund"],
                  o["status"], o["card"], o["taobaoke"], table.files("ExportOrderList.csv"), n + 2)
    table.ready()
    for i, o in enumerate(orders):
        table.sale_in[i], table.sale_out[i], table.refunded[i] = o["sale_in"], o["sale_out"], o["refunded"]
        if o["sale_in"]:
            table.sale_line[i] = 7
        for kind, (count, first, back) in o["fees"].items():
            table.count[kind][i], table.first[kind][i] = count, first
            table.charged[kind][i], table.back[kind][i] = count * first, back
            table.fee_line[kind][i] = 9
        if o["own"]:
            table.rates[i] = o["own"]
    if any(o["refunds"] is not None for o in orders):
        table.refunds = {i: o["refunds"] for i, o in enumerate(orders) if o["refunds"]}
    return table


def flagged(table, rates, i) -> bool:
    """Whether the judge finds something on order ``i`` or counts it pending."""
    state = table.state(i)
    pending = not state.sale_in and not state.order.closed
    return bool(findings.judge(state, rates, True)) or pending


@settings(max_examples=2000, deadline=None)
@given(st.lists(order(), min_size=1, max_size=6))
def test_cleared_orders_have_no_finding(orders):
    rates = orders[0]["rates"]
    table = table_of(orders)
    suspects = set(table.suspects(rates))
    for i in range(len(table)):
        if i not in suspects:
            assert not flagged(table, rates, i), (orders[i], findings.judge(table.state(i), rates, True))


def test_clean_orders_are_cleared():
    """Orders settled in full with every fee at its rate are cleared (the test is not a pass-all)."""
    rates = Rates()
    orders = []
    for paid in (100, 12_800, 45_800, 99_999, 1):
        fees = {sources.COMMISSION: (1, findings.share(paid, rates.commission), 0),
                sources.POINTS: (1, findings.share(paid, rates.points), 0)}
        orders.append({"paid": paid, "points": 0, "refund": 0, "status": "交易成功", "card": None,
                       "taobaoke": None, "sale_in": paid, "sale_out": 0, "refunded": 0, "fees": fees,
                       "own": None, "refunds": None})
    table = table_of(orders)
    assert list(table.suspects(rates)) == []
    assert all(not flagged(table, rates, i) for i in range(len(table)))
    # a commission one cent beyond the tolerance is a finding, and is let through; one cent
    # inside it is neither (at the tolerance itself the quick test may let it through)
    slack = findings.slack(12_800, rates)
    for extra, found in ((slack - 1, False), (slack + 1, True)):
        orders[1]["fees"][sources.COMMISSION] = (1, findings.share(12_800, rates.commission) + extra, 0)
        table = table_of(orders)
        assert flagged(table, rates, 1) is found
        assert (list(table.suspects(rates)) == [1]) is found
