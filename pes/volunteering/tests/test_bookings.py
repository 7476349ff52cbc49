from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pes.core.models import AuditEntry
from pes.test import BaseTestCase
from pes.volunteering.models import Booking, Opportunity, Shift
from pes.volunteering.services import (
    BookingError,
    booking_cancel,
    booking_confirm_attendance,
    shift_book,
    shift_book_group,
    shift_cancel,
)
from pes.volunteering.tests.factories import (
    GroupFactory,
    OpportunityFactory,
    ShiftFactory,
    VolunteerFactory,
    next_week,
)


class BookingTests(BaseTestCase):
    def setUp(self) -> None:
        self.opportunity: Opportunity = OpportunityFactory.create(organization=self.org)
        self.shift: Shift = ShiftFactory.create(opportunity=self.opportunity, capacity=2)

    @contextlib.contextmanager
    def refused(self, code: str):
        with self.assertRaises(BookingError) as caught:
            yield
        self.assertEqual(caught.exception.code, code, caught.exception.messages)

    def book(self, volunteer, shift=None) -> Booking:
        with self.captureOnCommitCallbacks(execute=True):
            return shift_book(shift=shift or self.shift, volunteer=volunteer)

    def test_a_booking_is_confirmed_e_mailed_and_audited(self):
        booking = self.book(VolunteerFactory())
        self.assertEqual(booking.status, Booking.Status.CONFIRMED)
        self.shift.refresh_from_db()
        self.assertEqual(self.shift.booked, 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(self.opportunity.title, mail.outbox[0].subject)
        self.assertIn("calendario.ics", mail.outbox[0].body)
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(booking.pk), action="create").exists()
        )

    def test_a_full_shift_puts_people_on_the_waiting_list_and_a_cancellation_promotes_the_first(
        self,
    ):
        first, second, third, fourth = (VolunteerFactory() for _ in range(4))
        a = self.book(first)
        self.book(second)
        waiting = self.book(third)
        later = self.book(fourth)
        self.assertEqual(waiting.status, Booking.Status.WAITING)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            promoted = booking_cancel(booking=a, user=first.user)
        self.assertEqual([b.pk for b in promoted], [waiting.pk])
        waiting.refresh_from_db()
        later.refresh_from_db()
        self.assertEqual(waiting.status, Booking.Status.CONFIRMED)
        self.assertEqual(later.status, Booking.Status.WAITING)
        self.shift.refresh_from_db()
        self.assertEqual(self.shift.booked, 2)
        self.assertEqual(mail.outbox[0].to, [third.user.email])

    def test_cancelling_twice_is_refused_and_changes_nothing(self):
        booking = self.book(VolunteerFactory())
        booking_cancel(booking=booking)
        with self.assertRaises(BookingError):
            booking_cancel(booking=booking)
        self.shift.refresh_from_db()
        self.assertEqual(self.shift.booked, 0)

    def test_a_past_shift_cannot_be_booked(self):
        past = ShiftFactory(
            opportunity=self.opportunity, starts_at=timezone.now() - dt.timedelta(hours=2)
        )
        with self.refused("past"):
            shift_book(shift=past, volunteer=VolunteerFactory())
        self.assertFalse(Booking.objects.filter(shift=past).exists())

    def test_the_same_person_cannot_book_a_shift_twice_or_two_overlapping_shifts(self):
        volunteer = VolunteerFactory()
        self.book(volunteer)
        with self.refused("duplicate"):
            shift_book(shift=self.shift, volunteer=volunteer)
        overlapping = ShiftFactory(
            starts_at=self.shift.starts_at + dt.timedelta(hours=1),
            ends_at=self.shift.ends_at + dt.timedelta(hours=1),
        )
        with self.refused("overlap"):
            shift_book(shift=overlapping, volunteer=volunteer)
        after = ShiftFactory(
            starts_at=self.shift.ends_at, ends_at=self.shift.ends_at + dt.timedelta(hours=1)
        )
        self.assertEqual(self.book(volunteer, after).status, Booking.Status.CONFIRMED)

    def test_a_minor_cannot_book_an_adults_only_opportunity(self):
        minor = VolunteerFactory(
            age_bracket="16-17", guardian_consent=True, guardian_name="Anna Rossi"
        )
        with self.refused("age"):
            shift_book(shift=self.shift, volunteer=minor)
        teen = ShiftFactory(opportunity=OpportunityFactory(min_age=16))
        self.assertEqual(self.book(minor, teen).status, Booking.Status.CONFIRMED)

    def test_a_minor_without_consent_cannot_exist_in_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            VolunteerFactory(age_bracket="14-15", guardian_consent=False)

    def test_the_database_refuses_an_overbooked_shift(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Shift.objects.filter(pk=self.shift.pk).update(booked=3)

    def test_a_cancelled_shift_tells_everyone_booked_and_frees_nobody_twice(self):
        people = [VolunteerFactory() for _ in range(3)]
        for person in people:
            self.book(person)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            told = shift_cancel(shift=self.shift, reason="Allerta meteo rossa", user=self.member)
        self.assertEqual(told, 3)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted(p.user.email for p in people))
        self.assertIn("Allerta meteo rossa", mail.outbox[0].body)
        self.assertEqual(
            set(Booking.objects.filter(shift=self.shift).values_list("status", flat=True)),
            {Booking.Status.SHIFT_CANCELLED},
        )
        self.shift.refresh_from_db()
        self.assertEqual((self.shift.status, self.shift.booked), (Shift.Status.CANCELLED, 0))
        with self.refused("cancelled"):
            shift_cancel(shift=self.shift, reason="again")
        with self.refused("cancelled"):
            shift_book(shift=self.shift, volunteer=VolunteerFactory())
        with self.assertRaises(ValidationError):
            shift_cancel(shift=ShiftFactory(), reason="  ")

    def test_attendance_is_recorded_once_and_verifies_the_hours(self):
        started = ShiftFactory(
            opportunity=self.opportunity,
            starts_at=timezone.now() + dt.timedelta(minutes=1),
        )
        booking = self.book(VolunteerFactory(), started)
        with self.refused("future"):
            booking_confirm_attendance(booking=booking, present=True, user=self.member)
        Shift.objects.filter(pk=started.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(minutes=1),
        )
        booking.refresh_from_db()
        with self.assertRaises(ValidationError):
            booking_confirm_attendance(
                booking=booking, present=True, hours=Decimal(9), user=self.member
            )
        booking_confirm_attendance(booking=booking, present=True, user=self.member)
        booking.refresh_from_db()
        self.assertEqual(booking.attendance, Booking.Attendance.PRESENT)
        self.assertIsNotNone(booking.verified_at)
        self.assertGreater(booking.hours, Decimal("2.9"))
        with self.refused("twice"):
            booking_confirm_attendance(booking=booking, present=False, user=self.member)
        booking.refresh_from_db()
        self.assertEqual(booking.attendance, Booking.Attendance.PRESENT)

    def test_a_group_books_several_places_within_capacity_only(self):
        shift = ShiftFactory(opportunity=OpportunityFactory(min_age=14), capacity=25)
        school = GroupFactory(size=20, includes_minors=True, guardian_consents=True)
        with self.refused("seats"):
            shift_book_group(shift=shift, group=school, seats=21)
        with self.captureOnCommitCallbacks(execute=True):
            booking = shift_book_group(shift=shift, group=school, seats=20, user=school.manager)
        self.assertEqual((booking.seats, booking.status), (20, Booking.Status.CONFIRMED))
        self.assertEqual(mail.outbox[-1].to, [school.manager.email])
        other = GroupFactory(size=10, kind="company")
        with self.refused("full"):
            shift_book_group(shift=shift, group=other, seats=10)
        shift.refresh_from_db()
        self.assertEqual(shift.booked, 20)
        with self.refused("duplicate"):
            shift_book_group(shift=shift, group=school, seats=2)

    def test_a_school_group_with_minors_cannot_book_an_adults_only_shift(self):
        school = GroupFactory(includes_minors=True, guardian_consents=True)
        with self.refused("age"):
            shift_book_group(shift=self.shift, group=school, seats=2)

    def test_reminders_go_once_to_people_booked_on_shifts_within_two_days(self):
        from pes.volunteering.tasks import send_shift_reminders

        soon = ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=1))
        self.book(VolunteerFactory(), soon)
        self.book(VolunteerFactory())  # next week: not yet
        mail.outbox.clear()
        self.assertEqual(send_shift_reminders.call(), 1)
        self.assertEqual(send_shift_reminders.call(), 0)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(self.opportunity.title, mail.outbox[0].subject)

    def test_the_reminder_command_runs_the_task(self):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("send_shift_reminders", stdout=out)
        self.assertIn("Shift reminders sent: 0", out.getvalue())


class DemoTests(BaseTestCase):
    def test_the_demo_data_is_deterministic_and_consistent(self):
        from pes.volunteering.demo import seed_volunteering

        self.assertEqual(seed_volunteering(volunteers=20, seed=7), 20)
        self.assertEqual(seed_volunteering(volunteers=20, seed=7), 0)
        for shift in Shift.objects.all():
            live = Booking.objects.filter(shift=shift, status="confirmed").count()
            self.assertEqual(shift.booked, live)
            self.assertLessEqual(shift.booked, shift.capacity)
