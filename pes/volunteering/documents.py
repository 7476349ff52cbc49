"""Files the module hands out: a shift as an iCalendar event, a certificate as a PDF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event

from pes.volunteering.models import Certificate, Shift


def shift_ics(*, shift: Shift) -> bytes:
    """One VEVENT with the shift's times (UTC), place and a link back to the opportunity."""
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Citta metropolitana di Bologna//PES volontariato//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"shift-{shift.pk}@pes.cittametropolitana.bo.it")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", f"{shift.opportunity.title} — {shift.opportunity.organization.name}")
    event.add("location", f"{shift.place}, {shift.municipality.name}")
    event.add("url", site + shift.opportunity.get_absolute_url())
    event.add("description", shift.opportunity.description[:1000])
    if shift.is_cancelled:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def weasyprint_module() -> Any:
    """The WeasyPrint module, or None where it or its system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    return weasyprint


def certificate_pdf(*, certificate: Certificate, weasyprint: Any) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    html = render_to_string(
        "volunteering/certificate_pdf.html",
        {
            "certificate": certificate,
            "volunteer": certificate.volunteer,
            "verify_url": site + certificate.get_absolute_url(),
        },
    )
    # Only local resources: the fetcher refuses any scheme but file: and data:.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, timeout=1)
    return bytes(weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf())
