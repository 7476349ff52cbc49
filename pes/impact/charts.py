"""Server-rendered SVG for the impact pages: the theory-of-change diagram and horizontal bar
charts. Each SVG has a ``<title>`` and a ``<desc>``, and the page shows the same content as
text (a list or a table) next to it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

BLUE, DARK, GREY, GREEN = "#0066cc", "#1a1a1a", "#5c6f82", "#008055"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def toc_diagram(
    *, title: str, chain: list[tuple[str, str, list[str]]], chart_id: str = "toc"
) -> SafeString:
    """The chain of a theory of change as columns joined by arrows (needs → … → impact); the
    assumptions and stakeholders, not links of the chain, are left to the text version."""
    columns = [c for c in chain if c[0] not in {"assumptions", "stakeholders"}]
    col_w, gap, top, line_h = 150, 24, 44, 16
    rows = max((len(items) for _k, _l, items in columns), default=0)
    max_items = 6
    height = top + 20 + min(rows, max_items + 1) * (line_h * 2 + 6) + 20
    height = max(height, 140)
    width = len(columns) * col_w + (len(columns) - 1) * gap + 2
    desc = "; ".join(f"{label}: {', '.join(items) or '—'}" for _k, label, items in columns)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="pes-chart pes-toc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<defs><marker id="{chart_id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{GREY}"/></marker></defs>',
    ]
    for i, (_key, label, items) in enumerate(columns):
        x = 1 + i * (col_w + gap)
        parts.append(
            f'<rect x="{x}" y="1" width="{col_w}" height="{height - 2}" rx="6" fill="#f5f7fa" '
            f'stroke="{GREY}"/>'
        )
        parts.append(
            f'<text x="{x + col_w / 2}" y="26" font-size="14" font-weight="bold" '
            f'text-anchor="middle" fill="{DARK}">{escape(label)}</text>'
        )
        y = top + 10
        shown = items[:max_items]
        for item in shown:
            first, rest = item[:22], item[22:]
            parts.append(
                f'<text x="{x + 8}" y="{y}" font-size="12" fill="{DARK}">{escape(first)}</text>'
            )
            if rest:
                parts.append(
                    f'<text x="{x + 8}" y="{y + line_h}" font-size="12" fill="{DARK}">'
                    f"{escape(_clip(rest, 22))}</text>"
                )
            y += line_h * 2 + 6
        if len(items) > max_items:
            parts.append(
                f'<text x="{x + 8}" y="{y}" font-size="12" fill="{DARK}">'
                f"+{len(items) - max_items}</text>"
            )
        if i < len(columns) - 1:
            ax = x + col_w
            parts.append(
                f'<line x1="{ax + 2}" y1="{height / 2}" x2="{ax + gap - 2}" y2="{height / 2}" '
                f'stroke="{GREY}" stroke-width="2" marker-end="url(#{chart_id}-arrow)"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def hbars(
    *,
    title: str,
    rows: Sequence[tuple[str, Decimal | int | float]],
    chart_id: str = "bars",
    unit: str = "",
    colour: str = BLUE,
) -> SafeString:
    """Horizontal bars, one per row, with the value written at the end of each bar."""
    if not rows:
        return mark_safe("")  # noqa: S308 - empty string
    width, label_w, bar_h, gap = 640, 220, 22, 10
    height = len(rows) * (bar_h + gap) + gap
    top = max((abs(float(v)) for _l, v in rows), default=0.0) or 1.0
    inner = width - label_w - 110
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-title" class="pes-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(abs(float(value)) / top * inner, 1.0)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7}" font-size="12" text-anchor="end" '
            f'fill="{DARK}">{escape(_clip(label, 34))}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7}" font-size="12" '
            f'fill="{DARK}">{escape(_number(value))}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def _number(value: Decimal | int | float) -> str:
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return f"{int(d):,}".replace(",", ".")
    return f"{d:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
