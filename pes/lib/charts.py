"""Small server-side SVG charts. Each chart has a title for assistive technology and is
always shown next to a data table with the same numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 640, 240, 40


def line_chart(
    *,
    title: str,
    series: list[tuple[dt.date, Decimal]],
    target: tuple[dt.date, Decimal] | None = None,
    baseline: tuple[dt.date, Decimal] | None = None,
    chart_id: str = "chart",
) -> SafeString:
    points = list(series)
    extra = [p for p in (baseline, target) if p is not None]
    if not points and not extra:
        return mark_safe("")  # noqa: S308 - empty string
    allpoints = points + extra
    xs = [p[0].toordinal() for p in allpoints]
    ys = [float(p[1]) for p in allpoints]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(min(ys), 0.0), max(ys)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y1 = y0 + 1

    def sx(d: dt.date) -> float:
        return PAD + (d.toordinal() - x0) / (x1 - x0) * (WIDTH - 2 * PAD)

    def sy(v: Decimal) -> float:
        return HEIGHT - PAD - (float(v) - y0) / (y1 - y0) * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" class="pes-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#5c6f82"/>',
        f'<text x="{PAD}" y="{HEIGHT - PAD + 16}" font-size="12" fill="#1a1a1a">'
        f"{escape(dt.date.fromordinal(x0).isoformat())}</text>",
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - PAD + 16}" font-size="12" text-anchor="end" '
        f'fill="#1a1a1a">{escape(dt.date.fromordinal(x1).isoformat())}</text>',
        f'<text x="4" y="{PAD - 8}" font-size="12" fill="#1a1a1a">{y1:g}</text>',
    ]
    if baseline is not None:
        parts.append(
            f'<circle cx="{sx(baseline[0]):.1f}" cy="{sy(baseline[1]):.1f}" r="4" fill="#5c6f82"/>'
        )
    if target is not None:
        tx, ty = sx(target[0]), sy(target[1])
        parts.append(
            f'<line x1="{PAD}" y1="{ty:.1f}" x2="{WIDTH - PAD}" y2="{ty:.1f}" stroke="#008055" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(f'<circle cx="{tx:.1f}" cy="{ty:.1f}" r="5" fill="#008055"/>')
    if points:
        path = " ".join(f"{sx(d):.1f},{sy(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0066cc" stroke-width="3"/>')
        for d, v in points:
            parts.append(f'<circle cx="{sx(d):.1f}" cy="{sy(v):.1f}" r="3.5" fill="#0066cc"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
