"""What the module hands out besides pages: an iCalendar feed, schema.org JSON-LD for search
engines, and the SVG map of a route's stops."""

from __future__ import annotations

import datetime as dt
import json
import math
from html import escape
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from icalendar import Calendar, Event

from pes.services.selectors import CalendarEntry


def calendar_ics(*, entries: list[CalendarEntry], name: str) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Citta metropolitana di Bologna//PES servizi e corsi//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.uid}@pes.cittametropolitana.bo.it")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts)
        if entry.ends is not None:
            event.add("dtend", entry.ends)
        elif isinstance(entry.starts, dt.date) and not isinstance(entry.starts, dt.datetime):
            event.add("dtend", entry.starts + dt.timedelta(days=1))
        event.add("summary", entry.title)
        event.add("location", entry.place)
        event.add("description", entry.provider)
        event.add("url", site + entry.url)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def json_ld(data: dict[str, Any]) -> SafeString:
    """A ``<script type="application/ld+json">`` block, safe inside HTML."""
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def place_ld(name: str, municipality: Any, address: str = "") -> dict[str, Any]:
    return {
        "@type": "Place",
        "name": name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": address,
            "addressLocality": municipality.name,
            "addressRegion": "BO",
            "addressCountry": "IT",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(municipality.latitude),
            "longitude": float(municipality.longitude),
        },
    }


def route_map(
    *, title: str, stops: list[Any], chart_id: str = "route-map", width: int = 640
) -> SafeString:
    """The stops in order, joined by a line, numbered; each stop has a ``<title>``."""
    if not stops:
        return mark_safe("")  # noqa: S308 - empty string
    lats = [float(s.latitude) for s in stops]
    lons = [float(s.longitude) for s in stops]
    scale_x = math.cos(math.radians((min(lats) + max(lats)) / 2))
    xs = [lon * scale_x for lon in lons]
    x0, x1, y0, y1 = min(xs), max(xs), min(lats), max(lats)
    span_x, span_y = (x1 - x0) or 1e-3, (y1 - y0) or 1e-3
    margin = 30
    inner = width - 2 * margin
    unit = inner / max(span_x, span_y)
    height = max(round(span_y * unit + 2 * margin), 120)

    def point(i: int) -> tuple[float, float]:
        cx = margin + (xs[i] - x0) * unit + (inner - span_x * unit) / 2
        cy = margin + (y1 - lats[i]) * unit
        return cx, cy

    coords = [point(i) for i in range(len(stops))]
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" class="pes-chart pes-map">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f5f7fa"/>',
    ]
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#0066cc" stroke-width="3" '
            'stroke-dasharray="8 4"/>'
        )
    for stop, (x, y) in zip(stops, coords, strict=True):
        parts.append(
            f"<g><title>{escape(f'{stop.position}. {stop.name} ({stop.municipality.name})')}"
            f'</title><circle cx="{x:.1f}" cy="{y:.1f}" r="11" fill="#004d99"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" text-anchor="middle" '
            f'fill="#ffffff">{stop.position}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
