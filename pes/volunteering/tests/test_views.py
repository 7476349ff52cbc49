from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.registry.models import Activity
from pes.test import BaseTestCase
from pes.volunteering.models import Booking, Certificate, Group, Opportunity, Shift, Volunteer
from pes.volunteering.tests.factories import (
    GroupFactory,
    OpportunityFactory,
    ShiftFactory,
    VolunteerFactory,
    municipality,
    next_week,
    skill,
)


def profile_data(**extra):
    data = {
        "municipality": municipality().pk,
        "max_distance_km": "15",
        "age_bracket": "30-44",
        "guardian_name": "",
        "interests": [Activity.objects.get(letter="a").pk],
        "skills": [skill().pk],
        "languages": ["it", "en"],
        "available_days": ["5", "6"],
        "time_slots": ["morning"],
        "privacy_consent": "on",
    }
    data.update(extra)
    return data


class VolunteerPagesTests(BaseTestCase):
    def test_a_visitor_is_asked_to_sign_in_before_the_profile(self):
        response = self.client_for(None).get("/volontariato/iscrizione/")
        self.assertContains(response, "/auth/signup/?next=/volontariato/iscrizione/")
        self.assertEqual(self.client_for(None).get("/volontariato/profilo/").status_code, 302)

    def test_a_signed_in_citizen_signs_up_and_sees_the_profile(self):
        client = self.client_for(self.outsider)
        response = client.post("/volontariato/iscrizione/", profile_data())
        self.assertRedirects(response, "/volontariato/profilo/")
        volunteer = Volunteer.objects.get(user=self.outsider)
        self.assertEqual(volunteer.languages, ["it", "en"])
        self.assertEqual(volunteer.available_days, [5, 6])
        self.assertIsNotNone(volunteer.privacy_consent_at)
        page = client.get("/volontariato/profilo/")
        self.assertContains(page, volunteer.municipality.name)
        self.assertRedirects(client.get("/volontariato/iscrizione/"), "/volontariato/profilo/")
        edit = client.post(
            "/volontariato/profilo/modifica/",
            profile_data(max_distance_km="40", privacy_consent=""),
        )
        self.assertEqual(edit.status_code, 302)
        volunteer.refresh_from_db()
        self.assertEqual(volunteer.max_distance_km, 40)

    def test_a_minor_without_guardian_consent_and_no_privacy_consent_are_field_errors(self):
        response = self.client_for(self.outsider).post(
            "/volontariato/iscrizione/",
            profile_data(age_bracket="14-15", privacy_consent=""),
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("guardian_consent", errors)
        self.assertIn("guardian_name", errors)
        self.assertIn("privacy_consent", errors)
        self.assertFalse(Volunteer.objects.exists())
        ok = self.client_for(self.outsider).post(
            "/volontariato/iscrizione/",
            profile_data(age_bracket="14-15", guardian_consent="on", guardian_name="Anna Rossi"),
        )
        self.assertEqual(ok.status_code, 302)

    def test_a_volunteer_books_cancels_and_gets_the_calendar_file(self):
        volunteer = VolunteerFactory(user=self.outsider)
        shift = ShiftFactory(capacity=1)
        client = self.client_for(self.outsider)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(f"/volontariato/turni/{shift.pk}/prenota/")
        self.assertRedirects(response, "/volontariato/profilo/")
        booking = Booking.objects.get(volunteer=volunteer)
        self.assertEqual(booking.status, Booking.Status.CONFIRMED)
        self.assertEqual(len(mail.outbox), 1)
        ics = client.get(f"/volontariato/turni/{shift.pk}/calendario.ics")
        self.assertEqual(ics["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn(b"BEGIN:VEVENT", ics.content)
        self.assertIn(shift.opportunity.title.encode(), ics.content)
        again = client.post(f"/volontariato/turni/{shift.pk}/prenota/", follow=True)
        self.assertIn("error", [m.level_tag for m in again.context["messages"]])
        self.assertEqual(Booking.objects.filter(volunteer=volunteer).count(), 1)
        client.post(f"/volontariato/prenotazioni/{booking.pk}/annulla/")
        booking.refresh_from_db()
        self.assertEqual(booking.status, Booking.Status.CANCELLED)

    def test_booking_without_a_profile_leads_to_the_sign_up(self):
        shift = ShiftFactory()
        response = self.client_for(self.outsider).post(f"/volontariato/turni/{shift.pk}/prenota/")
        self.assertTrue(response["Location"].startswith("/volontariato/iscrizione/?next="))

    def test_someone_else_cannot_cancel_a_booking(self):
        booking = Booking.objects.create(
            shift=ShiftFactory(), volunteer=VolunteerFactory(), status="confirmed"
        )
        response = self.client_for(self.outsider).post(
            f"/volontariato/prenotazioni/{booking.pk}/annulla/"
        )
        self.assertEqual(response.status_code, 404)
        booking.refresh_from_db()
        self.assertEqual(booking.status, "confirmed")


class PublicPagesTests(BaseTestCase):
    def test_the_public_pages_answer(self):
        opportunity = OpportunityFactory(organization=self.org, title="Orti urbani al Navile")
        shift = ShiftFactory(opportunity=opportunity)
        client = self.client_for(None)
        for url in [
            "/volontariato/",
            "/volontariato/opportunita/",
            opportunity.get_absolute_url(),
            shift.get_absolute_url(),
            "/volontariato/cruscotto/",
            "/volontariato/iscrizione/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 200)
        self.assertContains(client.get("/volontariato/opportunita/"), "Orti urbani al Navile")

    def test_the_search_filters_and_the_map(self):
        OpportunityFactory(title="Doposcuola a Imola", municipality=municipality("037032"))
        ShiftFactory(opportunity=OpportunityFactory(title="Mensa di quartiere"))
        client = self.client_for(None)
        response = client.get("/volontariato/opportunita/", {"municipality": "037032"})
        self.assertContains(response, "Doposcuola a Imola")
        self.assertNotContains(response, "Mensa di quartiere")
        self.assertContains(response, "<svg")
        free = client.get("/volontariato/opportunita/", {"with_places": "on"})
        self.assertContains(free, "Mensa di quartiere")
        self.assertNotContains(free, "Doposcuola a Imola")
        bad = client.get("/volontariato/opportunita/", {"date_from": "ieri", "q": "mensa"})
        self.assertEqual(bad.status_code, 200)
        self.assertContains(bad, "Mensa di quartiere")

    def test_the_list_page_runs_a_bounded_number_of_queries(self):
        for _ in range(3):
            ShiftFactory()
        client = self.client_for(None)
        client.get("/volontariato/opportunita/")
        with CaptureQueriesContext(connection) as few:
            client.get("/volontariato/opportunita/")
        for _ in range(15):
            ShiftFactory()
        with CaptureQueriesContext(connection) as many:
            client.get("/volontariato/opportunita/")
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 15)

    def test_an_unpublished_opportunity_is_hidden_from_the_public(self):
        opportunity = OpportunityFactory(organization=self.org, is_published=False)
        self.assertEqual(self.client_for(None).get(opportunity.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client_for(self.member).get(opportunity.get_absolute_url()).status_code, 200
        )

    def test_an_unknown_certificate_code_is_a_clear_404(self):
        response = self.client_for(None).get("/volontariato/certificati/nonesiste/")
        self.assertEqual(response.status_code, 404)


class OrganisationPagesTests(BaseTestCase):
    def test_a_member_publishes_an_opportunity_and_adds_weekly_shifts(self):
        client = self.client_for(self.member)
        response = client.post(
            "/volontariato/opportunita/nuova/",
            {
                "organization": self.org.pk,
                "title": "Accompagnamento in biblioteca",
                "description": "Leggere ad alta voce per persone anziane.",
                "activity": Activity.objects.get(letter="i").pk,
                "kind": "recurring",
                "municipality": municipality().pk,
                "skills": [skill().pk],
                "min_age": "16",
                "insurance_note": "Polizza dell'ente",
                "is_published": "on",
            },
        )
        opportunity = Opportunity.objects.get(title="Accompagnamento in biblioteca")
        self.assertRedirects(response, f"/volontariato/opportunita/{opportunity.slug}/turni/nuovo/")
        day = timezone.localdate() + dt.timedelta(days=3)
        response = client.post(
            f"/volontariato/opportunita/{opportunity.slug}/turni/nuovo/",
            {
                "date": day.isoformat(),
                "start_time": "15:00",
                "end_time": "17:30",
                "place": "Biblioteca Salaborsa",
                "municipality": municipality().pk,
                "capacity": "4",
                "repeat_weeks": "3",
            },
        )
        self.assertRedirects(response, opportunity.get_absolute_url())
        self.assertEqual(opportunity.shifts.count(), 3)
        self.assertEqual(opportunity.shifts.all()[0].duration_hours, 2.5)
        edit = client.post(
            f"/volontariato/opportunita/{opportunity.slug}/modifica/",
            {
                "title": "Letture in biblioteca",
                "description": "x",
                "activity": opportunity.activity_id,
                "kind": "recurring",
                "municipality": municipality().pk,
                "min_age": "16",
            },
        )
        self.assertEqual(edit.status_code, 302)
        opportunity.refresh_from_db()
        self.assertEqual(
            (opportunity.title, opportunity.is_published), ("Letture in biblioteca", False)
        )

    def test_a_shift_in_the_past_or_ending_before_it_starts_is_a_field_error(self):
        opportunity = OpportunityFactory(organization=self.org)
        response = self.client_for(self.member).post(
            f"/volontariato/opportunita/{opportunity.slug}/turni/nuovo/",
            {
                "date": "2020-01-01",
                "start_time": "15:00",
                "end_time": "14:00",
                "place": "x",
                "municipality": municipality().pk,
                "capacity": "0",
                "repeat_weeks": "1",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"date", "end_time", "capacity"})
        self.assertFalse(Shift.objects.exists())

    def test_outsiders_cannot_manage_an_organisations_opportunities(self):
        opportunity = OpportunityFactory(organization=self.org)
        shift = ShiftFactory(opportunity=opportunity)
        client = self.client_for(self.outsider)
        self.assertEqual(client.get("/volontariato/opportunita/nuova/").status_code, 403)
        for url in [
            f"/volontariato/opportunita/{opportunity.slug}/modifica/",
            f"/volontariato/opportunita/{opportunity.slug}/turni/nuovo/",
            f"/volontariato/opportunita/{opportunity.slug}/volontari-suggeriti/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 403)
        self.assertEqual(
            client.post(f"/volontariato/turni/{shift.pk}/annulla/", {"reason": "x"}).status_code,
            403,
        )
        governance = self.client_for(self.governance)
        self.assertEqual(
            governance.get(f"/volontariato/opportunita/{opportunity.slug}/modifica/").status_code,
            200,
        )

    def test_the_organisation_cancels_a_shift_and_people_are_told(self):
        shift = ShiftFactory(opportunity=OpportunityFactory(organization=self.org))
        volunteer = VolunteerFactory()
        Booking.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
        Shift.objects.filter(pk=shift.pk).update(booked=1)
        client = self.client_for(self.member)
        self.assertContains(client.get(shift.get_absolute_url()), volunteer.display_name)
        with self.captureOnCommitCallbacks(execute=True):
            client.post(f"/volontariato/turni/{shift.pk}/annulla/", {"reason": "Neve"})
        self.assertEqual(mail.outbox[0].to, [volunteer.user.email])
        again = client.post(
            f"/volontariato/turni/{shift.pk}/annulla/", {"reason": "Neve"}, follow=True
        )
        self.assertEqual(again.status_code, 200)
        self.assertIn("error", [m.level_tag for m in again.context["messages"]])

    def test_the_organisation_marks_attendance_once_and_the_volunteer_gets_a_certificate(self):
        shift = ShiftFactory(
            opportunity=OpportunityFactory(organization=self.org),
            starts_at=timezone.now() - dt.timedelta(hours=3),
            ends_at=timezone.now() - dt.timedelta(hours=1),
        )
        volunteer = VolunteerFactory(user=self.outsider)
        booking = Booking.objects.create(shift=shift, volunteer=volunteer, status="confirmed")
        client = self.client_for(self.member)
        self.assertContains(client.get(shift.get_absolute_url()), f"present-{booking.pk}")
        client.post(
            f"/volontariato/prenotazioni/{booking.pk}/presenza/", {"present": "yes", "hours": "2"}
        )
        booking.refresh_from_db()
        self.assertEqual(booking.hours, 2)
        twice = client.post(
            f"/volontariato/prenotazioni/{booking.pk}/presenza/",
            {"present": "no"},
            follow=True,
        )
        self.assertIn("error", [m.level_tag for m in twice.context["messages"]])
        booking.refresh_from_db()
        self.assertEqual(booking.attendance, "present")
        # The volunteer cannot mark their own attendance.
        own = self.client_for(self.outsider).post(
            f"/volontariato/prenotazioni/{booking.pk}/presenza/", {"present": "yes"}
        )
        self.assertEqual(own.status_code, 403)

        volunteer_client = self.client_for(self.outsider)
        self.assertContains(volunteer_client.get("/volontariato/profilo/"), "certificati/ente/")
        with mock.patch("pes.volunteering.views.weasyprint_module", return_value=None):
            unavailable = volunteer_client.get(f"/volontariato/certificati/ente/{self.org.pk}/pdf/")
        self.assertEqual(unavailable.status_code, 503)
        certificate = Certificate.objects.get()
        self.assertGreaterEqual(len(certificate.code), 16)
        public = self.client_for(None).get(certificate.get_absolute_url())
        self.assertContains(public, self.org.name)
        self.assertContains(public, certificate.initials)
        self.assertNotContains(public, self.outsider.last_name)

    def test_no_certificate_without_verified_hours(self):
        VolunteerFactory(user=self.outsider)
        response = self.client_for(self.outsider).get(
            f"/volontariato/certificati/ente/{self.org.pk}/pdf/"
        )
        self.assertRedirects(response, "/volontariato/profilo/")
        self.assertFalse(Certificate.objects.exists())


class GroupPagesTests(BaseTestCase):
    def test_a_school_registers_a_group_and_books_a_shift(self):
        shift = ShiftFactory(opportunity=OpportunityFactory(min_age=14), capacity=30)
        client = self.client_for(self.outsider)
        bad = client.post(
            "/volontariato/gruppi/nuovo/",
            {
                "kind": "school",
                "name": "Classe 3B",
                "institution": "IIS Belluzzi-Fioravanti",
                "municipality": municipality().pk,
                "size": "22",
                "includes_minors": "on",
            },
        )
        self.assertIn("guardian_consents", bad.context["form"].errors)
        response = client.post(
            "/volontariato/gruppi/nuovo/",
            {
                "kind": "school",
                "name": "Classe 3B",
                "institution": "IIS Belluzzi-Fioravanti",
                "municipality": municipality().pk,
                "size": "22",
                "includes_minors": "on",
                "guardian_consents": "on",
            },
        )
        group = Group.objects.get(name="Classe 3B")
        self.assertRedirects(response, group.get_absolute_url())
        too_many = client.post(group.get_absolute_url(), {"shift": shift.pk, "seats": "40"})
        self.assertEqual(too_many.status_code, 200)
        self.assertTrue(too_many.context["form"].errors)
        with self.captureOnCommitCallbacks(execute=True):
            ok = client.post(group.get_absolute_url(), {"shift": shift.pk, "seats": "22"})
        self.assertRedirects(ok, group.get_absolute_url())
        shift.refresh_from_db()
        self.assertEqual(shift.booked, 22)
        self.assertContains(client.get("/volontariato/gruppi/"), "Classe 3B")

    def test_only_the_contact_or_governance_sees_a_group(self):
        group = GroupFactory(manager=self.member)
        self.assertEqual(
            self.client_for(self.outsider).get(group.get_absolute_url()).status_code, 404
        )
        self.assertEqual(
            self.client_for(self.governance).get(group.get_absolute_url()).status_code, 200
        )


class MatchingPagesTests(BaseTestCase):
    def test_recommendations_and_suggestions_show_their_reasons(self):
        first_aid = skill()
        volunteer = VolunteerFactory(user=self.outsider)
        volunteer.interests.add(Activity.objects.get(letter="a"))
        volunteer.skills.add(first_aid)
        near = OpportunityFactory(organization=self.org, title="Ambulatorio solidale")
        near.skills.add(first_aid)
        ShiftFactory(opportunity=near, starts_at=next_week(hour=10))
        far = OpportunityFactory(title="Rifugio in Appennino", municipality=municipality("037033"))
        ShiftFactory(opportunity=far, municipality=municipality("037033"))
        page = self.client_for(self.outsider).get("/volontariato/profilo/")
        recommended = [s.opportunity.title for s, _m in page.context["recommended"]]
        self.assertEqual(recommended, ["Ambulatorio solidale"])
        reasons = page.context["recommended"][0][1].reasons
        self.assertEqual(len(reasons), 4)
        suggestions = self.client_for(self.member).get(
            f"/volontariato/opportunita/{near.slug}/volontari-suggeriti/"
        )
        self.assertContains(suggestions, volunteer.initials)
        self.assertEqual(suggestions.context["suggestions"][0][0], volunteer)
