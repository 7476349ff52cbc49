"""Writes of the volunteering module. Views, forms, the API and the demo call these.

Capacity is enforced under concurrency: every booking, cancellation and promotion locks the
shift row (``select_for_update``) inside a transaction and moves the ``booked`` counter with
it; the database refuses ``booked > capacity`` (``shift_never_overbooked``) should anything
slip past. Locks are always taken shift first, then the person or group, so two requests
never wait on each other in opposite order.

Bookings and attendance are audited (``pes.core.audit``). E-mails go out through background
tasks (``tasks.py``) once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record
from pes.registry.models import Organization
from pes.volunteering.models import (
    LIVE_STATES,
    Booking,
    Certificate,
    Group,
    Opportunity,
    Shift,
    Volunteer,
)


class BookingError(ValidationError):
    """A booking, cancellation or attendance that the rules refuse; nothing was changed."""


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


# ----------------------------------------------------------------------------- volunteers


def volunteer_save(
    *,
    user: Any,
    data: dict[str, Any],
    interests: list[Any] | None = None,
    skills: list[Any] | None = None,
) -> Volunteer:
    """Create or update the volunteer profile of ``user``. ``data`` holds the model fields;
    a minor needs the guardian's consent and name, everyone the privacy consent."""
    volunteer = Volunteer.objects.filter(user=user).first() or Volunteer(user=user)
    privacy = data.pop("privacy_consent", None)
    for key, value in data.items():
        setattr(volunteer, key, value)
    if not volunteer.privacy_consent_at:
        if not privacy:
            raise ValidationError(
                {"privacy_consent": _("Accept the privacy notice to sign up.")}, code="privacy"
            )
        volunteer.privacy_consent_at = timezone.now()
    if volunteer.is_minor and not (volunteer.guardian_consent and volunteer.guardian_name):
        raise ValidationError(
            {
                "guardian_consent": _(
                    "A volunteer under 18 needs the consent of a parent or guardian, "
                    "with the guardian's name."
                )
            },
            code="guardian",
        )
    if not volunteer.is_minor:
        volunteer.guardian_consent, volunteer.guardian_name = False, ""
    with transaction.atomic():
        volunteer.save()
        if interests is not None:
            volunteer.interests.set(interests)
        if skills is not None:
            volunteer.skills.set(skills)
    return volunteer


# ----------------------------------------------------------------------------- opportunities


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "opportunita"
    slug, n = base, 2
    while Opportunity.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def opportunity_create(
    *, data: dict[str, Any], skills: list[Any] | None = None, user: Any = None
) -> Opportunity:
    opportunity = Opportunity(**data, created_by=user if getattr(user, "pk", None) else None)
    opportunity.slug = _unique_slug(opportunity.title)
    opportunity.full_clean(exclude=["slug", "created_by"])
    opportunity.save()
    if skills:
        opportunity.skills.set(skills)
    audit_record(user=user, instance=opportunity, action="create")
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    data: dict[str, Any],
    skills: list[Any] | None = None,
    user: Any = None,
) -> Opportunity:
    for key, value in data.items():
        setattr(opportunity, key, value)
    opportunity.full_clean(exclude=["slug", "created_by"])
    opportunity.save()
    if skills is not None:
        opportunity.skills.set(skills)
    audit_record(user=user, instance=opportunity, action="update")
    return opportunity


def shift_create(
    *,
    opportunity: Opportunity,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    capacity: int,
    municipality: Any = None,
    user: Any = None,
) -> Shift:
    if ends_at <= starts_at:
        raise ValidationError({"end_time": _("The shift must end after it starts.")})
    if starts_at <= timezone.now():
        raise ValidationError({"date": _("A new shift must start in the future.")})
    if capacity < 1:
        raise ValidationError({"capacity": _("A shift has room for at least one person.")})
    shift = Shift(
        opportunity=opportunity,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        municipality=municipality or opportunity.municipality,
    )
    shift.full_clean()
    shift.save()
    audit_record(user=user, instance=shift, action="create")
    return shift


# ----------------------------------------------------------------------------- next shift
#
# ``Opportunity.next_shift_at`` and ``upcoming_shifts`` are the start and number of the open
# shifts that have not started yet, stored so that the public list orders and shows them
# without aggregating every shift. They change when a shift is written (the receivers in
# ``signals.py`` for model saves and deletes, the admin's included; ``shift_cancel`` here, as
# it writes with ``update``; bulk loads call ``upcoming_shifts_refresh`` themselves) and when
# time passes the next shift's start: ``upcoming_shifts_refresh_passed`` rewrites only those
# rows, before the list is read; ``manage.py refresh_upcoming_shifts`` rewrites them all.

REFRESH_BATCH = 500


def _refresh(opportunities: QuerySet[Opportunity], now: dt.datetime) -> int:
    upcoming = Shift.objects.filter(
        opportunity=OuterRef("pk"), status=Shift.Status.OPEN, starts_at__gt=now
    )
    return opportunities.update(
        next_shift_at=Subquery(upcoming.order_by("starts_at").values("starts_at")[:1]),
        upcoming_shifts=Coalesce(
            Subquery(upcoming.order_by().values("opportunity").annotate(n=Count("pk")).values("n")),
            0,
        ),
    )


def upcoming_shifts_refresh(*, opportunity_ids: Iterable[int | None]) -> int:
    """Recompute the stored next shift of these opportunities; returns the rows written.

    The rows are locked first, so the recomputation reads the shifts as they are once any
    concurrent writer of the same opportunities has committed (under READ COMMITTED each
    statement sees what was committed before it started)."""
    ids = sorted({pk for pk in opportunity_ids if pk is not None})
    if not ids:
        return 0
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), REFRESH_BATCH):
            locked = list(
                Opportunity.objects.select_for_update()
                .filter(pk__in=ids[start : start + REFRESH_BATCH])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            written += _refresh(Opportunity.objects.filter(pk__in=locked), timezone.now())
    return written


def upcoming_shifts_refresh_passed(*, now: dt.datetime | None = None) -> int:
    """Recompute the opportunities whose stored next shift has started (an index range scan
    of ``next_shift_at``, usually empty or a few rows). Rows another transaction is writing
    are skipped: that writer stores the fresh value. Returns the rows written."""
    now = now or timezone.now()
    stale = Opportunity.objects.filter(next_shift_at__lte=now)
    if not stale.exists():
        return 0
    # A derived value, recomputed whenever found stale: when the transaction is its own, its
    # commit need not wait for the disk (a crash loses at most this refresh, redone then).
    relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
    written = 0
    while True:
        with transaction.atomic():
            if relaxed:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            locked = list(
                stale.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:REFRESH_BATCH]
            )
            if locked:
                # Rewritten rows no longer match ``stale``: the loop ends.
                written += _refresh(Opportunity.objects.filter(pk__in=locked), now)
        if len(locked) < REFRESH_BATCH:
            return written


def upcoming_shifts_refresh_all(*, batch: int = REFRESH_BATCH) -> int:
    """Recompute every opportunity, ``batch`` rows per transaction. Returns the rows written."""
    written, last = 0, 0
    while True:
        ids = list(
            Opportunity.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return written
        written += upcoming_shifts_refresh(opportunity_ids=ids)
        last = ids[-1]


# ----------------------------------------------------------------------------- bookings


def _lock_shift(shift_id: int) -> Shift:
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("opportunity__organization")
        .get(pk=shift_id)
    )


def _check_bookable(shift: Shift) -> None:
    if shift.is_cancelled:
        raise BookingError(_("This shift has been cancelled."), code="cancelled")
    if shift.is_past:
        raise BookingError(_("This shift has already started: it cannot be booked."), code="past")
    if not shift.opportunity.is_published:
        raise BookingError(_("This opportunity is not open to bookings."), code="unpublished")


def _overlapping(qs: Any, shift: Shift) -> bool:
    return bool(
        qs.filter(
            status__in=LIVE_STATES,
            shift__status=Shift.Status.OPEN,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift_id=shift.pk)
        .exists()
    )


def shift_book(*, shift: Shift, volunteer: Volunteer, user: Any = None) -> Booking:
    """Book a seat for ``volunteer``: confirmed while there is room, else on the waiting list.

    Refused (``BookingError``, nothing written) for a cancelled, past or unpublished shift, a
    volunteer younger than the opportunity allows, a minor without consent, a second booking
    of the same shift and a shift that overlaps another of the same person's."""
    from pes.volunteering import tasks

    with transaction.atomic():
        locked = _lock_shift(shift.pk)
        _check_bookable(locked)
        person = Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)
        if person.is_minor and not person.guardian_consent:
            raise BookingError(
                _("A volunteer under 18 needs the consent of a parent or guardian."),
                code="guardian",
            )
        if person.min_age < locked.opportunity.min_age:
            raise BookingError(
                _("This opportunity is open to people aged %(age)s or over.")
                % {"age": locked.opportunity.min_age},
                code="age",
            )
        if person.bookings.filter(shift=locked, status__in=LIVE_STATES).exists():
            raise BookingError(_("You have already booked this shift."), code="duplicate")
        if _overlapping(person.bookings.all(), locked):
            raise BookingError(
                _("You have another shift at the same time: cancel it first."), code="overlap"
            )
        if locked.booked < locked.capacity:
            Shift.objects.filter(pk=locked.pk).update(booked=F("booked") + 1)
            status = Booking.Status.CONFIRMED
        else:
            status = Booking.Status.WAITING
        booking = Booking.objects.create(
            shift=locked, volunteer=person, seats=1, status=status, created_at=timezone.now()
        )
        audit_record(
            user=user or person.user,
            instance=booking,
            action="create",
            changes={"status": [None, status], "shift": [None, locked.pk]},
        )
        _after_commit(tasks.send_booking_confirmation, booking.pk)
    shift.refresh_from_db(fields=["booked"])
    return booking


def shift_book_group(*, shift: Shift, group: Group, seats: int, user: Any = None) -> Booking:
    """Book ``seats`` places for a group as one booking, within the free places (a group is
    never put on the waiting list: it needs every seat at once)."""
    from pes.volunteering import tasks

    if seats < 1:
        raise BookingError(_("Book at least one place."), code="seats")
    if seats > group.size:
        raise BookingError(
            _("The group has %(size)s people: book at most that many places.")
            % {"size": group.size},
            code="seats",
        )
    with transaction.atomic():
        locked = _lock_shift(shift.pk)
        _check_bookable(locked)
        team = Group.objects.select_for_update().get(pk=group.pk)
        if team.includes_minors and not team.guardian_consents:
            raise BookingError(
                _("The guardians of the minors in the group must give their consent."),
                code="guardian",
            )
        if team.includes_minors and locked.opportunity.min_age >= 18:
            raise BookingError(
                _("This opportunity is open to people aged %(age)s or over.")
                % {"age": locked.opportunity.min_age},
                code="age",
            )
        if team.bookings.filter(shift=locked, status__in=LIVE_STATES).exists():
            raise BookingError(_("The group has already booked this shift."), code="duplicate")
        if _overlapping(team.bookings.all(), locked):
            raise BookingError(_("The group has another shift at the same time."), code="overlap")
        if locked.booked + seats > locked.capacity:
            raise BookingError(
                _("Only %(free)s places are left on this shift.") % {"free": locked.free},
                code="full",
            )
        Shift.objects.filter(pk=locked.pk).update(booked=F("booked") + seats)
        booking = Booking.objects.create(
            shift=locked,
            group=team,
            seats=seats,
            status=Booking.Status.CONFIRMED,
            created_at=timezone.now(),
        )
        audit_record(
            user=user,
            instance=booking,
            action="create",
            changes={"status": [None, booking.status], "seats": [None, seats]},
        )
        _after_commit(tasks.send_booking_confirmation, booking.pk)
    shift.refresh_from_db(fields=["booked"])
    return booking


def _promote_waiting(shift: Shift, *, user: Any) -> list[Booking]:
    """Confirm people from the waiting list, first come first served, while there is room.
    The caller holds the lock on ``shift`` (with a fresh ``booked``)."""
    from pes.volunteering import tasks

    free = shift.capacity - shift.booked
    if free <= 0:
        return []
    promoted = list(
        Booking.objects.select_for_update()
        .filter(shift=shift, status=Booking.Status.WAITING)
        .order_by("created_at", "id")[:free]
    )
    if not promoted:
        return []
    Booking.objects.filter(pk__in=[b.pk for b in promoted]).update(status=Booking.Status.CONFIRMED)
    Shift.objects.filter(pk=shift.pk).update(booked=F("booked") + len(promoted))
    for booking in promoted:
        booking.status = Booking.Status.CONFIRMED
        audit_record(
            user=user,
            instance=booking,
            action="update",
            changes={"status": [Booking.Status.WAITING, Booking.Status.CONFIRMED]},
        )
        _after_commit(tasks.send_booking_promoted, booking.pk)
    return promoted


def booking_cancel(*, booking: Booking, user: Any = None) -> list[Booking]:
    """Cancel a booking before the shift starts; a freed seat goes to the first person on the
    waiting list. Returns the bookings promoted."""
    with transaction.atomic():
        shift = _lock_shift(booking.shift_id)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if not current.is_live:
            raise BookingError(_("This booking has already been cancelled."), code="cancelled")
        if shift.is_past:
            raise BookingError(
                _("The shift has already started: the booking can no longer be cancelled."),
                code="past",
            )
        was_confirmed = current.status == Booking.Status.CONFIRMED
        before = current.status
        current.status = Booking.Status.CANCELLED
        current.save(update_fields=["status"])
        if was_confirmed:
            Shift.objects.filter(pk=shift.pk).update(booked=F("booked") - current.seats)
            shift.refresh_from_db(fields=["booked"])
        audit_record(
            user=user,
            instance=current,
            action="update",
            changes={"status": [before, current.status]},
        )
        promoted = _promote_waiting(shift, user=user)
    booking.status = current.status
    return promoted


def shift_cancel(*, shift: Shift, reason: str, user: Any = None) -> int:
    """Cancel a shift: every live booking becomes "shift cancelled" and each person (or group
    contact) is told by e-mail. Returns how many bookings were cancelled."""
    from pes.volunteering import tasks

    if not reason.strip():
        raise ValidationError({"reason": _("Say why the shift is cancelled: people will be told.")})
    with transaction.atomic():
        locked = _lock_shift(shift.pk)
        if locked.is_cancelled:
            raise BookingError(_("This shift has already been cancelled."), code="cancelled")
        if locked.is_past:
            raise BookingError(_("A shift that has started cannot be cancelled."), code="past")
        live = list(
            Booking.objects.select_for_update().filter(shift=locked, status__in=LIVE_STATES)
        )
        Booking.objects.filter(pk__in=[b.pk for b in live]).update(
            status=Booking.Status.SHIFT_CANCELLED
        )
        Shift.objects.filter(pk=locked.pk).update(
            status=Shift.Status.CANCELLED, booked=0, cancel_reason=reason.strip()[:500]
        )
        upcoming_shifts_refresh(opportunity_ids=[locked.opportunity_id])
        audit_record(
            user=user,
            instance=locked,
            action="update",
            changes={
                "status": [Shift.Status.OPEN, Shift.Status.CANCELLED],
                "bookings": [len(live), 0],
            },
        )
        if live:
            _after_commit(tasks.send_shift_cancelled, [b.pk for b in live])
    shift.refresh_from_db()
    return len(live)


def booking_confirm_attendance(
    *, booking: Booking, present: bool, hours: Decimal | None = None, user: Any = None
) -> Booking:
    """The organisation records attendance once; a present person's hours become verified.
    ``hours`` (per person) defaults to the length of the shift and cannot exceed it."""
    shift = booking.shift
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingError(
            _("Attendance can only be recorded for a confirmed booking."), code="status"
        )
    if shift.starts_at > timezone.now():
        raise BookingError(
            _("Attendance can be recorded once the shift has started."), code="future"
        )
    if present:
        hours = shift.duration_hours if hours is None else Decimal(hours)
        if hours <= 0 or hours > shift.duration_hours:
            raise ValidationError(
                {
                    "hours": _("Give between 0 and %(max)s hours: the length of the shift.")
                    % {"max": shift.duration_hours}
                }
            )
    now = timezone.now()
    values = {
        "attendance": Booking.Attendance.PRESENT if present else Booking.Attendance.ABSENT,
        "hours": hours if present else None,
        "verified_at": now if present else None,
        "verified_by": user if getattr(user, "pk", None) else None,
    }
    with transaction.atomic():
        # Conditional update: of two confirmations at once, exactly one wins.
        updated = Booking.objects.filter(pk=booking.pk, attendance="").update(**values)
        if not updated:
            raise BookingError(
                _("Attendance for this booking has already been recorded."), code="twice"
            )
        booking.refresh_from_db()
        audit_record(
            user=user,
            instance=booking,
            action="update",
            changes={
                "attendance": ["", booking.attendance],
                "hours": [None, str(booking.hours) if booking.hours is not None else None],
            },
        )
    return booking


# ----------------------------------------------------------------------------- groups


def group_create(*, data: dict[str, Any], manager: Any) -> Group:
    group = Group(**data, manager=manager)
    if group.includes_minors and not group.guardian_consents:
        raise ValidationError(
            {"guardian_consents": _("Confirm that the guardians of every minor have consented.")}
        )
    group.full_clean(exclude=["manager"])
    group.save()
    audit_record(user=manager, instance=group, action="create")
    return group


# ----------------------------------------------------------------------------- certificates


def certificate_issue(*, volunteer: Volunteer, organization: Organization) -> Certificate:
    """A certificate of the volunteer's verified hours with ``organization``. The same figures
    give back the same certificate (and code) instead of a new one each download."""
    verified = Booking.objects.filter(
        volunteer=volunteer,
        verified_at__isnull=False,
        shift__opportunity__organization=organization,
    )
    totals = verified.aggregate(
        hours=Sum("hours"),
        shifts=Count("id"),
        first=Min("shift__starts_at"),
        last=Max("shift__starts_at"),
    )
    hours = totals["hours"] or Decimal(0)
    if hours <= 0:
        raise ValidationError(
            _("There are no verified hours with this organisation yet."), code="no_hours"
        )
    first = timezone.localtime(totals["first"]).date()
    last = timezone.localtime(totals["last"]).date()
    existing = Certificate.objects.filter(
        volunteer=volunteer,
        organization=organization,
        hours=hours,
        shifts=totals["shifts"],
        last_date=last,
    ).first()
    if existing:
        return existing
    certificate = Certificate.objects.create(
        volunteer=volunteer,
        organization=organization,
        hours=hours,
        shifts=totals["shifts"],
        first_date=first,
        last_date=last,
        initials=volunteer.initials,
    )
    audit_record(user=volunteer.user, instance=certificate, action="create")
    return certificate
