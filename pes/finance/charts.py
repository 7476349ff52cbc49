"""A grouped bar chart in server-side SVG, for the guarantee-fund scenarios side by side.
Like ``pes.lib.charts``, it carries a title for assistive technology and is always shown
next to a table with the same numbers."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 640, 260, 44
COLOURS = ["#0066cc", "#d9364f", "#008758", "#a66300"]  # contrast ≥ 3:1 on white


def grouped_bars(
    *,
    title: str,
    groups: list[str],
    series: list[tuple[str, list[Decimal]]],
    chart_id: str = "bars",
) -> SafeString:
    """``groups`` along the x axis; for each, one bar per series (name, values by group)."""
    if not groups or not series:
        return mark_safe("")  # noqa: S308 - empty string
    top = max([float(v) for _name, values in series for v in values] + [1.0])
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD - 20
    group_w = inner_w / len(groups)
    bar_w = group_w * 0.8 / len(series)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" class="pes-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{PAD + inner_h}" x2="{WIDTH - PAD}" y2="{PAD + inner_h}" '
        'stroke="#5c6f82"/>',
        f'<text x="4" y="{PAD - 10}" font-size="12" fill="#1a1a1a">{top:,.0f} €</text>',
    ]
    for g, group in enumerate(groups):
        x0 = PAD + g * group_w + group_w * 0.1
        for s, (_name, values) in enumerate(series):
            value = max(float(values[g]), 0.0)
            h = value / top * inner_h
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{PAD + inner_h - h:.1f}" '
                f'width="{bar_w * 0.9:.1f}" height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"/>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{PAD + inner_h + 16}" font-size="12" '
            f'text-anchor="middle" fill="#1a1a1a">{escape(group[:24])}</text>'
        )
    for s, (name, _values) in enumerate(series):
        x = PAD + s * 190
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" '
            f'fill="{COLOURS[s % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}" font-size="12" fill="#1a1a1a">'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
