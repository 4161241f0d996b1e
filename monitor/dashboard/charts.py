"""Charts for the dashboard, drawn on the server as SVG: no script, no CDN, readable on an office intranet."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = "#c0392b"
GOOD = "#2e7d32"
ROW = 26  # pixels per bar
LABEL = 150  # pixels for a bar's label
COLUMN = 70  # pixels, at most, for one column over time


def bars(rows: list[tuple[str, float]], width: int = 560, unit: str = "", color: str = BAR) -> Markup:
    """Horizontal bars, one per (label, value), the value written at the bar's end."""
    if not rows:
        return Markup("")
    top = max(value for _, value in rows) or 1
    span = width - LABEL - 60
    parts = [f'<svg class="chart" role="img" width="{width}" height="{ROW * len(rows) + 4}">']
    for index, (label, value) in enumerate(rows):
        y = index * ROW + 2
        length = max(1.0, span * value / top)
        parts.append(f'<text x="{LABEL - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 4}" width="{length:.1f}" height="{ROW - 8}" fill="{color}"/>')
        parts.append(f'<text x="{LABEL + length + 6:.1f}" y="{y + 17}">{value:g}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    points: list[tuple[str, float | None]], width: int = 560, height: int = 180, unit: str = "", top: float = 0
) -> Markup:
    """Vertical columns over time, one per (label, value); a missing value leaves its place empty.

    ``top`` is the value of a full-height column (100 for a percentage); by default the largest value.
    """
    if not points:
        return Markup("")
    step = min(width / len(points), COLUMN)
    top = top or max((v for _, v in points if v is not None), default=0) or 1
    base = height - 24
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}">']
    for index, (label, value) in enumerate(points):
        x = index * step + step * 0.2
        parts.append(f'<text x="{x + step * 0.3:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>')
        if value is None:
            continue
        tall = (base - 20) * value / top
        parts.append(
            f'<rect x="{x:.1f}" y="{base - tall:.1f}" width="{step * 0.6:.1f}" height="{tall:.1f}" fill="{GOOD}"/>'
        )
        middle = x + step * 0.3
        parts.append(
            f'<text x="{middle:.1f}" y="{base - tall - 4:.1f}" text-anchor="middle">{value:g}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
