from __future__ import annotations

import datetime as dt
import json

from django.test import override_settings
from django.utils import timezone

from pes.learning.models import ResearchProject, Session
from pes.learning.tests.factories import (
    CourseFactory,
    ResearchFactory,
    SessionFactory,
    in_days,
    municipality,
)
from pes.plan.models import Mission
from pes.test import BaseTestCase


def session_form(days: int = 10, **extra):
    day = timezone.localdate() + dt.timedelta(days=days)
    data = {
        "title": "Secondo incontro",
        "date": day.isoformat(),
        "start_time": "14:30",
        "end_time": "17:30",
        "place": "Biblioteca Salaborsa",
        "municipality": municipality("037032").pk,
    }
    data.update(extra)
    return data


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class SessionEditingTests(BaseTestCase):
    def setUp(self) -> None:
        self.course = CourseFactory.create(organizer=self.org)
        self.session = SessionFactory.create(
            course=self.course, starts_at=in_days(7), ends_at=in_days(7, 12)
        )
        self.url = f"/formazione/sessioni/{self.session.pk}/modifica/"

    def test_the_organiser_moves_a_session_that_has_not_started(self):
        client = self.client_for(self.member)
        page = client.get(self.url)
        self.assertContains(page, "Palazzo Malvezzi")
        self.assertContains(page, 'value="09:00"')
        response = client.post(self.url, session_form())
        self.assertRedirects(response, self.course.get_absolute_url())
        self.session.refresh_from_db()
        starts = timezone.localtime(self.session.starts_at)
        self.assertEqual(starts.date(), timezone.localdate() + dt.timedelta(days=10))
        self.assertEqual((starts.hour, starts.minute), (14, 30))
        self.assertEqual(self.session.hours, 3)
        self.assertEqual(self.session.place, "Biblioteca Salaborsa")
        self.assertEqual(self.session.municipality.istat_code, "037032")

    def test_the_edit_link_is_shown_only_to_the_organiser(self):
        self.assertContains(
            self.client_for(self.member).get(self.course.get_absolute_url()), self.url
        )
        for user in (None, self.outsider):
            self.assertNotContains(
                self.client_for(user).get(self.course.get_absolute_url()), self.url
            )

    def test_others_cannot_edit_a_session(self):
        self.assertEqual(self.client_for(self.outsider).get(self.url).status_code, 403)
        self.assertEqual(
            self.client_for(self.outsider).post(self.url, session_form()).status_code, 403
        )
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.session.refresh_from_db()
        self.assertEqual(self.session.place, "Palazzo Malvezzi, Sala del Consiglio")

    def test_bad_times_are_field_errors_and_nothing_is_saved(self):
        client = self.client_for(self.member)
        response = client.post(self.url, session_form(end_time="13:00"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["end_time"], ["The session must end after it starts."]
        )
        past = client.post(self.url, session_form(days=-2))
        self.assertEqual(
            past.context["form"].errors["date"], ["A session must start in the future."]
        )
        self.session.refresh_from_db()
        self.assertEqual(self.session.starts_at, in_days(7))

    def test_a_session_that_has_started_can_no_longer_be_changed(self):
        started = timezone.now() - dt.timedelta(hours=1)
        Session.objects.filter(pk=self.session.pk).update(
            starts_at=started, ends_at=started + dt.timedelta(hours=3)
        )
        client = self.client_for(self.member)
        response = client.post(self.url, session_form(), follow=True)
        self.assertRedirects(response, self.course.get_absolute_url())
        self.assertContains(response, "This session has started")
        self.assertNotContains(response, self.url)
        self.session.refresh_from_db()
        self.assertEqual(self.session.starts_at, started)


@override_settings(LANGUAGE_CODE="en")
class ResearchEditingTests(BaseTestCase):
    def setUp(self) -> None:
        self.project = ResearchFactory.create(
            organization=self.org, title="Cooperative di comunità"
        )
        self.url = f"/formazione/ricerca/{self.project.slug}/modifica/"

    def form(self, **extra):
        data = {
            "organization": self.org.pk,
            "title": "Cooperative di comunità in Appennino",
            "kind": "phd",
            "university": "Università di Bologna",
            "department": "",
            "people": "Anna Verdi",
            "start_year": "2023",
            "end_year": "2027",
            "summary": "Tesi di dottorato.",
            "publications": "Un articolo\nUn libro",
            "missions": [Mission.objects.order_by("number")[0].pk],
            "is_published": "on",
        }
        data.update(extra)
        return data

    def test_the_organisation_edits_its_research_entry(self):
        client = self.client_for(self.member)
        self.assertContains(client.get(self.project.get_absolute_url()), self.url)
        response = client.post(self.url, self.form())
        self.assertRedirects(response, self.project.get_absolute_url())
        self.project.refresh_from_db()
        self.assertEqual(self.project.title, "Cooperative di comunità in Appennino")
        self.assertEqual(self.project.kind, "phd")
        self.assertEqual(self.project.publication_list(), ["Un articolo", "Un libro"])
        self.assertEqual(self.project.missions.count(), 1)

    def test_others_cannot_edit_a_research_entry_nor_see_the_link(self):
        self.assertNotContains(
            self.client_for(self.outsider).get(self.project.get_absolute_url()), self.url
        )
        self.assertEqual(self.client_for(self.outsider).get(self.url).status_code, 403)
        self.assertEqual(
            self.client_for(self.outsider).post(self.url, self.form()).status_code, 403
        )
        self.project.refresh_from_db()
        self.assertEqual(self.project.title, "Cooperative di comunità")

    def test_a_period_upside_down_is_a_field_error_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(
            self.url, self.form(start_year="2025", end_year="2020")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["end_year"],
            ["The period is upside down: it ends before it starts."],
        )
        self.project.refresh_from_db()
        self.assertEqual(
            (self.project.title, self.project.start_year), ("Cooperative di comunità", 2024)
        )


@override_settings(LANGUAGE_CODE="en")
class ResearchApiEditingTests(BaseTestCase):
    def put(self, url, payload, user=None):
        headers = self.api_headers(user or self.member)
        return self.client.put(url, json.dumps(payload), content_type="application/json", **headers)

    def payload(self, **extra):
        data = {
            "organization_id": self.org.pk,
            "title": "Welfare culturale in città",
            "kind": "master",
            "university": "Università di Bologna",
            "people": "Paolo Neri",
            "start_year": 2025,
            "end_year": 2026,
            "summary": "Tesi magistrale.",
            "publications": ["Una tesi"],
            "missions": [Mission.objects.order_by("number")[0].number],
        }
        data.update(extra)
        return data

    def test_a_member_replaces_a_research_entry_with_a_token(self):
        project = ResearchFactory.create(organization=self.org)
        response = self.put(f"/api/v1/learning/research/{project.slug}", self.payload())
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual((body["title"], body["kind"]), ("Welfare culturale in città", "master"))
        self.assertEqual(body["publications"], ["Una tesi"])
        self.assertEqual(len(body["missions"]), 1)

    def test_others_are_refused_and_bad_entries_get_field_errors(self):
        other = ResearchFactory.create(title="Altrui")
        self.assertEqual(
            self.put(f"/api/v1/learning/research/{other.slug}", self.payload()).status_code, 403
        )
        mine = ResearchFactory.create(organization=self.org, title="Mia ricerca")
        bad = self.put(
            f"/api/v1/learning/research/{mine.slug}", self.payload(kind="essay", missions=[99])
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual({e["loc"][-1] for e in bad.json()["detail"]}, {"kind", "missions"})
        upside_down = self.put(
            f"/api/v1/learning/research/{mine.slug}", self.payload(start_year=2026, end_year=2020)
        )
        self.assertEqual(upside_down.status_code, 422)
        self.assertIn("end_year", json.dumps(upside_down.json()))
        anonymous = self.client.put(
            f"/api/v1/learning/research/{mine.slug}",
            json.dumps(self.payload()),
            content_type="application/json",
        )
        self.assertEqual(anonymous.status_code, 401)
        self.assertEqual(
            sorted(ResearchProject.objects.values_list("title", flat=True)),
            ["Altrui", "Mia ricerca"],
        )
