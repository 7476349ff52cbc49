"""Files the module hands out: a meeting as an iCalendar event."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from pes.collaboration.models import Meeting


def meeting_ics(*, meeting: Meeting) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Citta metropolitana di Bologna//PES collaborazione//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@pes.cittametropolitana.bo.it")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} — {meeting.table.title}")
    event.add("location", meeting.place or meeting.link)
    event.add("url", site + meeting.get_absolute_url())
    event.add("description", meeting.agenda[:2000])
    calendar.add_component(event)
    return calendar.to_ical()
