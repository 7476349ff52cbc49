"""Parallel bookings never overbook a shift: real threads, each with its own connection to
PostgreSQL. SQLite serialises writers and has no row locks, so the test is skipped there."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from pes.accounts.tests.factories import UserFactory
from pes.registry.tests.factories import OrganizationFactory
from pes.volunteering.models import Booking, Shift, Volunteer
from pes.volunteering.services import booking_cancel, shift_book
from pes.volunteering.tests.factories import OpportunityFactory, ShiftFactory, VolunteerFactory

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
