"""Background tasks of the volunteering module (Django Tasks API): confirmations, promotions
from the waiting list, cancellations and reminders by e-mail.

With the immediate backend they run at once (after the booking's transaction commits), with
``django_tasks_db.DatabaseBackend`` in ``manage.py db_worker``. ``send_shift_reminders`` runs
from cron through ``manage.py send_shift_reminders``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from pes.volunteering.models import Booking, Shift

REMINDER_WINDOW = dt.timedelta(hours=48)


def _bookings(ids: list[int]) -> list[Booking]:
    return list(
        Booking.objects.filter(pk__in=ids)
        .select_related("volunteer__user", "group__manager", "shift__opportunity__organization")
        .order_by("id")
    )


def _recipient(booking: Booking) -> str:
    if booking.volunteer_id:
        return booking.volunteer.user.email  # type: ignore[union-attr]
    return booking.group.manager.email  # type: ignore[union-attr]


def _details(booking: Booking) -> dict[str, str]:
    shift = booking.shift
    site = settings.SITE_URL.rstrip("/")
    start = timezone.localtime(shift.starts_at)
    end = timezone.localtime(shift.ends_at)
    return {
        "opportunity": shift.opportunity.title,
        "organization": shift.opportunity.organization.name,
        "date": start.strftime("%d/%m/%Y"),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "place": shift.place,
        "seats": str(booking.seats),
        "calendar": site + reverse("volunteering:shift_ics", kwargs={"pk": shift.pk}),
        "link": site + reverse("volunteering:profile"),
    }


def _message(booking: Booking, subject: str, body: str) -> mail.EmailMessage:
    return mail.EmailMessage(subject=subject, body=body, to=[_recipient(booking)])


def _signature() -> str:
    return _("The volunteering service of the metropolitan Plan for the social economy")


@task()
def send_booking_confirmation(booking_id: int) -> bool:
    """Tell the person (or the group's contact) that the booking is confirmed or waiting."""
    found = _bookings([booking_id])
    if not found:
        return False
    booking = found[0]
    with translation.override(settings.LANGUAGE_CODE):
        values = {**_details(booking), "signature": _signature()}
        if booking.status == Booking.Status.WAITING:
            subject = _("On the waiting list: %(opportunity)s, %(date)s") % values
            body = (
                _(
                    "Hello,\n\nthe shift “%(opportunity)s” of %(organization)s on %(date)s, "
                    "%(start)s–%(end)s is full: you are on the waiting list. If a place becomes "
                    "free you will be booked automatically and we will write to you.\n\n"
                    "Your bookings: %(link)s\n\n%(signature)s"
                )
                % values
            )
        else:
            subject = _("Booking confirmed: %(opportunity)s, %(date)s") % values
            body = (
                _(
                    "Hello,\n\nyour booking is confirmed (%(seats)s place(s)):\n\n"
                    "%(opportunity)s — %(organization)s\n%(date)s, %(start)s–%(end)s\n%(place)s\n\n"
                    "Add it to your calendar: %(calendar)s\n"
                    "Your bookings (to cancel, if you cannot come): %(link)s\n\n%(signature)s"
                )
                % values
            )
    _message(booking, subject, body).send()
    return True


@task()
def send_booking_promoted(booking_id: int) -> bool:
    found = _bookings([booking_id])
    if not found:
        return False
    booking = found[0]
    with translation.override(settings.LANGUAGE_CODE):
        values = {**_details(booking), "signature": _signature()}
        subject = _("A place is free: you are booked for %(opportunity)s, %(date)s") % values
        body = (
            _(
                "Hello,\n\na place has become free and your booking from the waiting list is now "
                "confirmed:\n\n%(opportunity)s — %(organization)s\n%(date)s, %(start)s–%(end)s\n"
                "%(place)s\n\nAdd it to your calendar: %(calendar)s\n"
                "If you cannot come, cancel it here: %(link)s\n\n%(signature)s"
            )
            % values
        )
    _message(booking, subject, body).send()
    return True


@task()
def send_shift_cancelled(booking_ids: list[int]) -> int:
    """Tell everyone who was booked (or waiting) that the shift is cancelled, and why."""
    bookings = _bookings(booking_ids)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for booking in bookings:
            values = {
                **_details(booking),
                "reason": booking.shift.cancel_reason,
                "signature": _signature(),
            }
            subject = _("Shift cancelled: %(opportunity)s, %(date)s") % values
            body = (
                _(
                    "Hello,\n\nwe are sorry: the shift “%(opportunity)s” of %(organization)s on "
                    "%(date)s, %(start)s–%(end)s has been cancelled by the organisation.\n\n"
                    "Reason: %(reason)s\n\nYour booking has been cancelled; other opportunities "
                    "are waiting for you: %(link)s\n\n%(signature)s"
                )
                % values
            )
            messages.append(_message(booking, subject, body))
    with mail.get_connection() as connection:
        connection.send_messages(messages)
    return len(messages)


@task()
def send_shift_reminders() -> int:
    """Remind everyone confirmed on a shift that starts within 48 hours, once per booking.
    Returns the number of reminders sent."""
    now = timezone.now()
    due = list(
        Booking.objects.filter(
            status=Booking.Status.CONFIRMED,
            reminded_at__isnull=True,
            shift__status=Shift.Status.OPEN,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + REMINDER_WINDOW,
        ).values_list("id", flat=True)
    )
    sent = 0
    with mail.get_connection() as connection:
        for booking in _bookings(due):
            with transaction.atomic():
                # Claim the booking first: two workers never remind the same person twice.
                claimed = Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                    reminded_at=now
                )
                if not claimed:
                    continue
                with translation.override(settings.LANGUAGE_CODE):
                    values = {**_details(booking), "signature": _signature()}
                    subject = _("Reminder: %(opportunity)s, %(date)s at %(start)s") % values
                    body = (
                        _(
                            "Hello,\n\na reminder of your shift:\n\n%(opportunity)s — "
                            "%(organization)s\n%(date)s, %(start)s–%(end)s\n%(place)s\n\n"
                            "If you cannot come, cancel the booking so that someone on the waiting "
                            "list can take your place: %(link)s\n\n%(signature)s"
                        )
                        % values
                    )
                # A failure raises and rolls the claim back, so the reminder is retried.
                connection.send_messages([_message(booking, subject, body)])
            sent += 1
    return sent


@task()
def refresh_upcoming_shifts() -> int:
    """Recompute every opportunity's stored next shift and number of upcoming shifts. The
    writes of shifts and the public list keep them correct already; this is the safety net
    after writes that bypass both (raw SQL, restores). Returns the rows written."""
    from pes.volunteering.services import upcoming_shifts_refresh_all

    return upcoming_shifts_refresh_all()
