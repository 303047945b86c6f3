"""Small server-side SVG charts for the 天猫对账 page (no JavaScript, no CDN).

Three shapes cover the page: ``stacked_bars`` (fees as a share of sales, receivables by account),
``grouped_bars`` (sales vs refunds) and ``lines``. Each returns an inline ``<svg>`` as ``Markup``;
every bar has a ``<title>`` tooltip with its exact value, and bars may link to a URL. Colours
come from a fixed palette so a series keeps its colour across charts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from babel.numbers import format_compact_decimal
from markupsafe import Markup

PALETTE = (
    "#3b82c4", "#e8833a", "#4fae5b", "#c44e52", "#8172b2",
    "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd",
)

WIDTH = 640
HEIGHT = 250
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 58


@dataclass(frozen=True)
class Series:
    """A named row of values, one per category (None = no value)."""

    name: str
    values: Sequence[Decimal | float | None]
    links: Sequence[str | None] | None = None
    dashed: bool = False


def _fmt(value: float, percent: bool) -> str:
    """An axis label: ``7.5%``, or a compact Chinese number (``125万``, ``2.5万``, ``1亿``, ``5000``).

    Compact numbers come from Babel (which Fava ships), in the ``zh_CN`` locale.
    """
    if percent:
        return f"{value:.1f}%"
    return format_compact_decimal(value, locale="zh_CN", fraction_digits=2)


def _nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exp = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp  # pragma: no cover


def _frame(lo: float, hi: float, percent: bool, categories: Sequence[str], title: str) -> tuple[list[str], Callable[[float], float], float]:
    plot_h = HEIGHT - TOP - BOTTOM
    span = (hi - lo) or 1.0

    def y(v: float) -> float:
        return TOP + plot_h * (hi - v) / span

    parts = [
        f'<svg class="tmall-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        v = lo + span * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{_fmt(v, percent)}</text>'
        )
    step = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    for i, cat in enumerate(categories):
        parts.append(
            f'<text class="axis" x="{LEFT + step * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{escape(cat)}</text>'
        )
    return parts, y, step


def _legend(series: Sequence[Series], parts: list[str]) -> None:
    """Swatches and names under the plot, wrapping to a second row when they do not fit."""
    items, x, row = [], LEFT, 0
    for i, s in enumerate(series):
        width = 24 + 12 * len(s.name)
        if x + width > WIDTH - RIGHT and x > LEFT:
            x, row = LEFT, row + 1
        items.append((x, row, PALETTE[i % len(PALETTE)], s.name))
        x += width
    rows = row + 1
    for x, row, colour, name in items:
        y = HEIGHT - 5 - 15 * (rows - 1 - row)
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text class="legend" x="{x + 14}" y="{y}">{escape(name)}</text>'
        )


def _bar(parts: list[str], x: float, y0: float, y1: float, w: float, colour: str, tip: str, link: str | None) -> None:
    top, height = min(y0, y1), abs(y1 - y0)
    rect = (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{w:.1f}" height="{max(height, 0.5):.1f}" '
        f'fill="{colour}"><title>{escape(tip)}</title></rect>'
    )
    parts.append(f'<a href="{escape(link)}">{rect}</a>' if link else rect)


def _num(v: Decimal | float | None) -> float:
    return float(v) if v is not None else 0.0


def stacked_bars(
    categories: Sequence[str], series: Sequence[Series], title: str, percent: bool = False
) -> Markup:
    """Bars stacked per category; negative values stack below zero."""
    pos = [sum(max(_num(s.values[i]), 0) for s in series) for i in range(len(categories))]
    neg = [sum(min(_num(s.values[i]), 0) for s in series) for i in range(len(categories))]
    hi = _nice_max(max(pos, default=0))
    lo = -_nice_max(-min(neg, default=0)) if min(neg, default=0) < 0 else 0.0
    parts, y, step = _frame(lo, hi, percent, categories, title)
    width = step * 0.6
    for i, cat in enumerate(categories):
        up = down = 0.0
        x = LEFT + step * i + (step - width) / 2
        for k, s in enumerate(series):
            v = _num(s.values[i])
            if not v:
                continue
            base = up if v > 0 else down
            link = s.links[i] if s.links else None
            _bar(parts, x, y(base), y(base + v), width, PALETTE[k % len(PALETTE)],
                 f"{cat} {s.name}: {_fmt(v, percent) if percent else f'{v:,.2f}'}", link)
            if v > 0:
                up += v
            else:
                down += v
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    _legend(series, parts)
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bars(categories: Sequence[str], series: Sequence[Series], title: str) -> Markup:
    """Bars side by side per category (e.g. sales vs refunds)."""
    values = [_num(v) for s in series for v in s.values]
    hi = _nice_max(max(values, default=0))
    lo = -_nice_max(-min(values, default=0)) if min(values, default=0) < 0 else 0.0
    parts, y, step = _frame(lo, hi, False, categories, title)
    width = step * 0.7 / max(len(series), 1)
    for i, cat in enumerate(categories):
        for k, s in enumerate(series):
            v = _num(s.values[i])
            if not v:
                continue
            x = LEFT + step * i + step * 0.15 + width * k
            link = s.links[i] if s.links else None
            _bar(parts, x, y(0), y(v), width, PALETTE[k % len(PALETTE)], f"{cat} {s.name}: {v:,.2f}", link)
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    _legend(series, parts)
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(categories: Sequence[str], series: Sequence[Series], title: str) -> Markup:
    """One polyline per series with a dot per value (None values break nothing: they are skipped)."""
    values = [_num(v) for s in series for v in s.values if v is not None]
    hi = _nice_max(max(values, default=0))
    lo = -_nice_max(-min(values, default=0)) if min(values, default=0) < 0 else 0.0
    parts, y, step = _frame(lo, hi, False, categories, title)
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (LEFT + step * (i + 0.5), y(_num(v)), v, categories[i])
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{path}"/>')
        for px, py, v, cat in [] if s.dashed else points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(cat)} {escape(s.name)}: {_num(v):,.2f}</title></circle>"
            )
    _legend(series, parts)
    parts.append("</svg>")
    return Markup("".join(parts))
