from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.test import BaseTestCase
from pes.volunteering.documents import weasyprint_module
from pes.volunteering.models import Booking, Certificate, Shift
from pes.volunteering.selectors import dashboard
from pes.volunteering.tests.factories import (
    OpportunityFactory,
    ShiftFactory,
    VolunteerFactory,
    municipality,
    skill,
)


class VolunteeringApiTests(BaseTestCase):
    def test_opportunities_and_shifts_are_public_to_read(self):
        opportunity = OpportunityFactory(title="Orti urbani")
        shift = ShiftFactory(opportunity=opportunity)
        data = self.client.get("/api/v1/volunteering/opportunities", {"q": "orti"}).json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["results"][0]["slug"], opportunity.slug)
        shifts = self.client.get(f"/api/v1/volunteering/opportunities/{opportunity.slug}/shifts")
        self.assertEqual(shifts.json()[0]["free"], shift.capacity)
        self.assertEqual(
            self.client.get(f"/api/v1/volunteering/shifts/{shift.pk}").status_code, 200
        )
        self.assertEqual(self.client.get("/api/v1/volunteering/shifts/999999").status_code, 404)
        self.assertEqual(
            self.client.get("/api/v1/volunteering/opportunities", {"page_size": 500}).status_code,
            422,
        )

    def test_an_organisation_member_publishes_an_opportunity_and_a_shift_with_a_token(self):
        headers = self.api_headers(self.member)
        response = self.client.post(
            "/api/v1/volunteering/opportunities",
            {
                "organization_id": self.org.pk,
                "title": "Raccolta alimentare",
                "description": "Al supermercato",
                "activity": "a",
                "municipality": "037006",
                "skills": [skill().code],
            },
            content_type="application/json",
            **headers,
        )
        self.assertEqual(response.status_code, 201, response.content)
        slug = response.json()["slug"]
        starts = timezone.now() + dt.timedelta(days=5)
        shift = self.client.post(
            f"/api/v1/volunteering/opportunities/{slug}/shifts",
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
                "place": "Coop Lame",
                "capacity": 3,
            },
            content_type="application/json",
            **headers,
        )
        self.assertEqual(shift.status_code, 201, shift.content)
        bad = self.client.post(
            f"/api/v1/volunteering/opportunities/{slug}/shifts",
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts - dt.timedelta(hours=2)).isoformat(),
                "place": "x",
                "capacity": 3,
            },
            content_type="application/json",
            **headers,
        )
        self.assertEqual(bad.status_code, 422)

    def test_outsiders_cannot_write_for_an_organisation(self):
        opportunity = OpportunityFactory(organization=self.org)
        response = self.client.post(
            "/api/v1/volunteering/opportunities",
            {
                "organization_id": self.org.pk,
                "title": "Abc def",
                "description": "x",
                "activity": "a",
                "municipality": "037006",
            },
            content_type="application/json",
            **self.api_headers(self.outsider),
        )
        self.assertEqual(response.status_code, 403)
        anonymous = self.client.post(
            f"/api/v1/volunteering/opportunities/{opportunity.slug}/shifts",
            {},
            content_type="application/json",
        )
        self.assertEqual(anonymous.status_code, 401)

    def test_a_volunteer_books_lists_and_cancels_through_the_api(self):
        VolunteerFactory(user=self.outsider)
        shift = ShiftFactory()
        headers = self.api_headers(self.outsider)
        with self.captureOnCommitCallbacks(execute=True):
            booked = self.client.post(f"/api/v1/volunteering/shifts/{shift.pk}/bookings", **headers)
        self.assertEqual(booked.status_code, 201, booked.content)
        self.assertEqual(booked.json()["status"], "confirmed")
        again = self.client.post(f"/api/v1/volunteering/shifts/{shift.pk}/bookings", **headers)
        self.assertEqual(again.status_code, 422)
        mine = self.client.get("/api/v1/volunteering/me/bookings", **headers).json()
        self.assertEqual(len(mine), 1)
        other = self.client.delete(
            f"/api/v1/volunteering/bookings/{mine[0]['id']}", **self.api_headers(self.member)
        )
        self.assertEqual(other.status_code, 404)
        cancelled = self.client.delete(f"/api/v1/volunteering/bookings/{mine[0]['id']}", **headers)
        self.assertEqual(cancelled.json()["status"], "cancelled")

    def test_the_aggregates_hide_cells_under_five_people(self):
        shift = ShiftFactory(
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(hours=1),
            capacity=10,
        )
        people = [VolunteerFactory(user=UserFactory()) for _ in range(5)]
        people.append(VolunteerFactory(user=UserFactory(), municipality=municipality("037032")))
        for v in people:
            Booking.objects.create(
                shift=shift,
                volunteer=v,
                status="confirmed",
                attendance="present",
                hours=Decimal(2),
                verified_at=timezone.now(),
            )
        Shift.objects.filter(pk=shift.pk).update(booked=6)
        data = self.client.get("/api/v1/volunteering/aggregates").json()
        self.assertEqual(data["active_volunteers"], 6)
        self.assertEqual(Decimal(data["verified_hours"]), Decimal(12))
        self.assertEqual([r["people"] for r in data["by_activity"]], [6])
        self.assertEqual([r["people"] for r in data["by_age"]], [6])
        self.assertAlmostEqual(data["fill_rate"], 0.6)
        self.assertEqual(data["returning_rate"], 0.0)  # nobody came back: no one to recognise
        page = self.client.get("/volontariato/cruscotto/")
        self.assertContains(page, "60%")
        self.assertEqual(dashboard().hidden_cells, 0)

    def test_with_few_volunteers_nothing_identifying_is_shown(self):
        shift = ShiftFactory(
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
        Booking.objects.create(
            shift=shift,
            volunteer=VolunteerFactory(),
            status="confirmed",
            attendance="present",
            hours=Decimal(2),
            verified_at=timezone.now(),
        )
        data = dashboard()
        self.assertIsNone(data.active_volunteers)
        self.assertEqual(data.by_municipality, [])
        self.assertEqual(data.hidden_cells, 3)


class CertificatePdfTests(BaseTestCase):
    def test_the_certificate_pdf_carries_a_code_that_verifies(self):
        if weasyprint_module() is None:
            pytest.skip("WeasyPrint or its system libraries are missing")
        volunteer = VolunteerFactory(user=self.outsider)
        shift = ShiftFactory(
            opportunity=OpportunityFactory(organization=self.org),
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
        Booking.objects.create(
            shift=shift,
            volunteer=volunteer,
            status="confirmed",
            attendance="present",
            hours=Decimal("1.5"),
            verified_at=timezone.now(),
        )
        client = self.client_for(self.outsider)
        response = client.get(f"/volontariato/certificati/ente/{self.org.pk}/pdf/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        certificate = Certificate.objects.get()
        self.assertEqual(certificate.hours, Decimal("1.5"))
        client.get(f"/volontariato/certificati/ente/{self.org.pk}/pdf/")
        self.assertEqual(Certificate.objects.count(), 1)  # same hours, same certificate
        self.assertContains(self.client.get(certificate.get_absolute_url()), "1,5")
