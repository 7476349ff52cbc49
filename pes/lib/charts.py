"""Small server-side SVG charts. Each chart has a title for assistive technology and is
always shown next to a data table with the same numbers."""

from __future__ import annotations

import datetime as dt
import math
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


def dot_map(
    *,
    title: str,
    points: list[tuple[float | Decimal, float | Decimal, float | Decimal, str]],
    chart_id: str = "map",
    width: int = 640,
    max_radius: float = 24.0,
) -> SafeString:
    """Dots on places: ``points`` are ``(latitude, longitude, value, label)``.

    An equirectangular projection (longitude scaled by the cosine of the mean latitude) fitted
    to the points; each dot's *area* is proportional to its value, a value of zero is an empty
    ring so that every place stays visible. Every dot has a ``<title>`` with its label.
    """
    if not points:
        return mark_safe("")  # noqa: S308 - empty string
    lats = [float(p[0]) for p in points]
    lons = [float(p[1]) for p in points]
    values = [max(float(p[2]), 0.0) for p in points]
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [lon * scale_x for lon in lons]
    x0, x1, y0, y1 = min(xs), max(xs), min(lats), max(lats)
    span_x, span_y = (x1 - x0) or 1e-6, (y1 - y0) or 1e-6
    margin = max_radius + 2
    inner = width - 2 * margin
    unit = inner / max(span_x, span_y)
    height = round(span_y * unit + 2 * margin)
    top = max(values) or 1.0

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" class="pes-chart pes-map">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f5f7fa"/>',
    ]
    # Biggest first, so that small dots stay on top and can be pointed at.
    order = sorted(range(len(points)), key=lambda i: -values[i])
    for i in order:
        cx = margin + (xs[i] - x0) * unit + (inner - span_x * unit) / 2
        cy = margin + (y1 - lats[i]) * unit
        label = escape(points[i][3])
        if values[i] > 0:
            r = max(max_radius * math.sqrt(values[i] / top), 2.0)
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" fill="#0066cc" '
                f'fill-opacity="0.55" stroke="#004d99" stroke-width="1">'
                f"<title>{label}</title></circle>"
            )
        else:
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="#ffffff" '
                f'stroke="#5c6f82" stroke-width="1"><title>{label}</title></circle>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
