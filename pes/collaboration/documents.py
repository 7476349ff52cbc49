"""Files the module hands out: a meeting as an iCalendar event."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from icalendar import Calendar, Event

from pes.collaboration.models import Meeting
from pes.core.models import AuditEntry


def meeting_sequence(meeting: Meeting) -> int:
    """How many times the meeting was rescheduled (``services.meeting_update`` audits it):
    the iCalendar SEQUENCE, so calendars replace the event rather than add a second one."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=str(meeting.pk),
        action="update",
        changes__has_key="rescheduled",
    ).count()


def meeting_ics(*, meeting: Meeting) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Citta metropolitana di Bologna//PES collaborazione//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@pes.cittametropolitana.bo.it")
    event.add("dtstamp", timezone.now())
    event.add("sequence", meeting_sequence(meeting))
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} — {meeting.table.title}")
    event.add("location", meeting.place or meeting.link)
    event.add("url", site + meeting.get_absolute_url())
    event.add("description", meeting.agenda[:2000])
    calendar.add_component(event)
    return calendar.to_ical()
