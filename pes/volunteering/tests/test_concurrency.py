"""Parallel bookings never overbook a shift: real threads, each with its own connection to
PostgreSQL. SQLite serialises writers and has no row locks, so the test is skipped there."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.registry.tests.factories import OrganizationFactory
from pes.volunteering.models import Booking, Opportunity, Shift, Volunteer
from pes.volunteering.services import (
    booking_cancel,
    shift_book,
    shift_create,
    upcoming_shifts_refresh_passed,
)
from pes.volunteering.tests.factories import (
    OpportunityFactory,
    ShiftFactory,
    VolunteerFactory,
    next_week,
)

# Transactional tests flush the tables: ``reference_data`` loads the migrations' data first and
# ``_restore_reference_data`` puts it back for the tests after this module (``pes/conftest.py``).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "_restore_reference_data", "_restore_skills"),
]

PEOPLE = 12
CAPACITY = 5


def run_in_threads(target, items) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(items))

    def worker(item) -> None:
        try:
            barrier.wait()
            target(item)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises writers",
)
def test_parallel_sign_ups_never_overbook_and_the_rest_wait_in_line():
    org = OrganizationFactory()
    shift = ShiftFactory(opportunity=OpportunityFactory(organization=org), capacity=CAPACITY)
    people = [VolunteerFactory(user=UserFactory()) for _ in range(PEOPLE)]

    errors = run_in_threads(lambda v: shift_book(shift=Shift(pk=shift.pk), volunteer=v), people)

    assert errors == []
    shift.refresh_from_db()
    statuses = list(Booking.objects.filter(shift=shift).values_list("status", flat=True))
    assert shift.booked == CAPACITY
    assert statuses.count(Booking.Status.CONFIRMED) == CAPACITY
    assert statuses.count(Booking.Status.WAITING) == PEOPLE - CAPACITY


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises writers",
)
def test_parallel_cancellations_promote_exactly_as_many_as_they_free():
    shift = ShiftFactory(capacity=CAPACITY)
    people = [VolunteerFactory(user=UserFactory()) for _ in range(PEOPLE)]
    for v in people:
        shift_book(shift=shift, volunteer=v)
    confirmed = list(Booking.objects.filter(shift=shift, status=Booking.Status.CONFIRMED))

    errors = run_in_threads(lambda b: booking_cancel(booking=b), confirmed[:3])

    assert errors == []
    shift.refresh_from_db()
    assert shift.booked == CAPACITY
    assert Booking.objects.filter(shift=shift, status=Booking.Status.CONFIRMED).count() == CAPACITY
    assert Booking.objects.filter(shift=shift, status=Booking.Status.WAITING).count() == (
        PEOPLE - CAPACITY - 3
    )
    assert Volunteer.objects.count() == PEOPLE


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises writers",
)
def test_parallel_new_shifts_leave_the_stored_next_shift_right():
    opportunity = OpportunityFactory()
    starts = [next_week(hour=8 + n, days=2 + n) for n in range(8)]

    def add(start):
        # One transaction per writer (as in the admin), committed late: the others' refreshes
        # run while this shift is not yet visible to them.
        with transaction.atomic():
            shift_create(
                opportunity=Opportunity.objects.get(pk=opportunity.pk),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                place="Via Zamboni 1",
                capacity=3,
            )
            time.sleep(0.2)

    errors = run_in_threads(add, starts)

    assert errors == []
    opportunity.refresh_from_db()
    assert (opportunity.next_shift_at, opportunity.upcoming_shifts) == (min(starts), len(starts))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises writers",
)
def test_parallel_lists_refresh_a_started_next_shift_once():
    opportunity = OpportunityFactory()
    later = ShiftFactory(opportunity=opportunity, starts_at=next_week(days=3))
    # As if time had passed the stored next shift.
    Opportunity.objects.filter(pk=opportunity.pk).update(
        next_shift_at=timezone.now() - dt.timedelta(minutes=5), upcoming_shifts=2
    )
    written: list[int] = []

    errors = run_in_threads(lambda _n: written.append(upcoming_shifts_refresh_passed()), range(6))

    assert errors == []
    assert sum(written) == 1
    opportunity.refresh_from_db()
    assert (opportunity.next_shift_at, opportunity.upcoming_shifts) == (later.starts_at, 1)
    # Its own transaction committed without waiting for the disk; the setting did not stay.
    Opportunity.objects.filter(pk=opportunity.pk).update(next_shift_at=timezone.now())
    assert upcoming_shifts_refresh_passed() == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
