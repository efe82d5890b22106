"""Charts as SVG drawn on the server: no JavaScript, no CDN, no inline style (CSP).

:func:`svg_chart` draws a report's :class:`core.analytics.reports.Chart` (grouped bars or
lines, one series per value of the chart's ``series`` column) with presentation attributes
only. Every text is escaped. Amounts stay integers: ticks are whole multiples of a step in
the smallest unit, formatted with the asset's decimals by :func:`format_amount`.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from core.analytics.reports import ReportResult
from core.i18n import current_language
from core.wallets.amounts import format_amount as _format_amount

__all__ = ["MONEY_COLUMNS", "format_amount", "format_cell", "svg_chart"]

MONEY_COLUMNS = frozenset(
    {"balance", "remitted", "amount", "total", "average_basket", "refilled", "unspent"}
)
COLOURS = ("#2f6f4f", "#c0713a", "#3a6fc0", "#a03a8c", "#8c8c2f", "#3aa0a0", "#6b4f2f")
W, H = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 90, 16, 16, 64


def format_amount(value: int, decimals: int) -> str:
    """An amount in the smallest unit as text in the reader's language (``1 234,56``)."""
    return _format_amount(int(value), decimals, lang=current_language())


def format_cell(column: str, value: Any, row: dict[str, Any]) -> str:
    """A table cell as shown on the page (amounts with their asset's decimals)."""
    if value is None:
        return ""
    if column in MONEY_COLUMNS and isinstance(value, int):
        return format_amount(value, int(row.get("decimals") or 0))
    return str(value)


def _nice_step(top: int) -> int:
    raw = max(1, top // 4)
    magnitude = 10 ** (len(str(raw)) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def svg_chart(result: ReportResult, title: str) -> Markup:
    """The report's chart as an ``<svg>`` element (empty text when there is nothing to draw)."""
    chart = result.chart
    cols = result.columns
    if not result.rows or chart.x not in cols or chart.y not in cols:
        return Markup("")
    xi, yi = cols.index(chart.x), cols.index(chart.y)
    si = cols.index(chart.series) if chart.series in cols else None
    di = cols.index("decimals") if "decimals" in cols else None
    xs: list[str] = []
    series: list[str] = []
    values: dict[tuple[str, str], float] = {}
    decimals = 0
    for row in result.rows:
        x, s = str(row[xi]), str(row[si]) if si is not None else ""
        if x not in xs:
            xs.append(x)
        if s not in series:
            series.append(s)
        y = row[yi] or 0
        values[(x, s)] = values.get((x, s), 0) + y
        if di is not None and row[di] is not None:
            decimals = int(row[di])
    money = chart.y in MONEY_COLUMNS
    top = max([0, *values.values()])
    bottom = min([0, *values.values()])
    integral = all(isinstance(v, int) for v in values.values())
    step = _nice_step(int(max(top - bottom, 1))) if integral else max((top - bottom) / 4, 1)
    lo = (int(bottom // step) * step) if bottom < 0 else 0
    hi = (int(-(-top // step)) * step) if top > 0 else step
    span = (hi - lo) or 1
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def y_of(v: float) -> float:
        return TOP + plot_h * (hi - v) / span

    def label(v: float) -> str:
        if money and isinstance(v, int):
            return format_amount(v, decimals)
        return f"{v:g}" if not isinstance(v, int) else f"{v:,}".replace(",", "\u202f")

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {W} {H + 20 * ((len(series) + 3) // 4)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    tick = lo
    while tick <= hi:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#ddd" stroke-width="1"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#444">{escape(label(tick))}</text>')  # fmt: skip
        tick += step
    band = plot_w / max(len(xs), 1)
    every = max(1, len(xs) // 12)
    for i, x in enumerate(xs):
        if i % every == 0:
            cx = LEFT + band * (i + 0.5)
            parts.append(f'<text x="{cx:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#444">{escape(x[:12])}</text>')  # fmt: skip
    if chart.kind == "line":
        for k, s in enumerate(series):
            points = " ".join(
                f"{LEFT + band * (i + 0.5):.1f},{y_of(values.get((x, s), 0)):.1f}"
                for i, x in enumerate(xs)
            )
            colour = COLOURS[k % len(COLOURS)]
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')  # fmt: skip
            for i, x in enumerate(xs):  # a mark per point: a one-period line still shows
                v = values.get((x, s), 0)
                parts.append(
                    f'<circle cx="{LEFT + band * (i + 0.5):.1f}" cy="{y_of(v):.1f}" r="3.5" '
                    f'fill="{colour}"><title>{escape(x)} {escape(s)}: {escape(label(v))}'
                    "</title></circle>"
                )
    else:
        width = band * 0.8 / max(len(series), 1)
        for i, x in enumerate(xs):
            for k, s in enumerate(series):
                v = values.get((x, s), 0)
                y0, y1 = sorted((y_of(0), y_of(v)))
                bx = LEFT + band * i + band * 0.1 + width * k
                parts.append(
                    f'<rect x="{bx:.1f}" y="{y0:.1f}" width="{max(width - 1, 1):.1f}" '
                    f'height="{max(y1 - y0, 0.5):.1f}" fill="{COLOURS[k % len(COLOURS)]}">'
                    f"<title>{escape(x)} {escape(s)}: {escape(label(v))}</title></rect>"
                )
    parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" '
                 'stroke="#888" stroke-width="1"/>')  # fmt: skip
    if si is not None:
        for k, s in enumerate(series):
            lx = LEFT + (k % 4) * 150
            ly = H - 20 + 20 * (k // 4)
            parts.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
                         f'fill="{COLOURS[k % len(COLOURS)]}"/>')  # fmt: skip
            parts.append(f'<text x="{lx + 18}" y="{ly}" font-size="12" fill="#222">'
                         f"{escape(s)}</text>")  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))
