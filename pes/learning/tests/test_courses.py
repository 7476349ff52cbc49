from __future__ import annotations

import datetime as dt
import json
from unittest import mock

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.learning.models import (
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Feedback,
    ResearchProject,
    Session,
)
from pes.learning.tests.factories import (
    CourseFactory,
    ResearchFactory,
    SessionFactory,
    in_days,
    municipality,
)
from pes.plan.models import Mission
from pes.test import BaseTestCase


def enrol(client, course, affiliation="public", institution="Comune di Bologna"):
    return client.post(
        f"/formazione/corsi/{course.slug}/iscrizione/",
        {"affiliation": affiliation, "institution": institution},
    )


def start_course(course: Course) -> None:
    """Move every session of ``course`` into the past."""
    for n, session in enumerate(course.sessions.order_by("starts_at")):
        starts = timezone.now() - dt.timedelta(days=10 - n, hours=3)
        Session.objects.filter(pk=session.pk).update(
            starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
        )


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class CourseTests(BaseTestCase):
    def setUp(self) -> None:
        self.course = CourseFactory.create(
            organizer=self.org, title="Amministrazione condivisa", seats=2
        )
        SessionFactory.create(course=self.course, starts_at=in_days(7), ends_at=in_days(7, 12))
        SessionFactory.create(course=self.course, starts_at=in_days(14), ends_at=in_days(14, 12))

    def test_the_course_pages_are_public_and_carry_json_ld(self):
        self.assertContains(self.client.get("/formazione/"), "Amministrazione condivisa")
        page = self.client.get(self.course.get_absolute_url())
        self.assertContains(page, '"@type": "Course"')
        self.assertContains(page, '"@type": "Event"')
        self.assertContains(page, "Sign in to enrol")
        self.assertContains(page, "<caption>Sessions of the course</caption>", html=False)

    def test_a_municipal_officer_enrols_and_gets_a_confirmation(self):
        client = self.client_for(self.outsider)
        with self.captureOnCommitCallbacks(execute=True):
            response = enrol(client, self.course)
        self.assertRedirects(response, self.course.get_absolute_url())
        enrolment = Enrolment.objects.get(user=self.outsider)
        self.assertEqual(enrolment.status, "confirmed")
        self.assertEqual(enrolment.affiliation, "public")
        self.course.refresh_from_db()
        self.assertEqual(self.course.enrolled, 1)
        self.assertTrue(any("Amministrazione condivisa" in m.subject for m in mail.outbox))
        self.assertContains(client.get(self.course.get_absolute_url()), "You are enrolled.")

    def test_a_full_course_puts_people_on_the_waiting_list_and_a_cancellation_promotes_them(self):
        first, second, third = (UserFactory.create() for _ in range(3))
        for user in (first, second, third):
            enrol(self.client_for(user), self.course)
        statuses = dict(Enrolment.objects.values_list("user_id", "status"))
        self.assertEqual(statuses[third.pk], "waiting")
        page = self.client_for(third).get(self.course.get_absolute_url())
        self.assertContains(page, "waiting list, in position 1")
        mine = Enrolment.objects.get(user=first)
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(first).post(f"/formazione/iscrizioni/{mine.pk}/annulla/")
        self.assertEqual(Enrolment.objects.get(user=third).status, "confirmed")
        self.course.refresh_from_db()
        self.assertEqual(self.course.enrolled, 2)
        self.assertTrue(any("A seat for you" in m.subject for m in mail.outbox))

    def test_enrolment_to_a_started_course_or_twice_is_refused_with_a_message(self):
        client = self.client_for(self.outsider)
        enrol(client, self.course)
        response = client.post(
            f"/formazione/corsi/{self.course.slug}/iscrizione/",
            {"affiliation": "public"},
            follow=True,
        )
        self.assertContains(response, "already enrolled")
        self.assertEqual(Enrolment.objects.count(), 1)
        start_course(self.course)
        other = self.client_for(self.governance)
        response = other.post(
            f"/formazione/corsi/{self.course.slug}/iscrizione/",
            {"affiliation": "public"},
            follow=True,
        )
        self.assertContains(response, "already started")
        self.assertEqual(Enrolment.objects.count(), 1)

    def test_a_bad_affiliation_is_refused_and_nothing_is_saved(self):
        response = self.client_for(self.outsider).post(
            f"/formazione/corsi/{self.course.slug}/iscrizione/",
            {"affiliation": "alien"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Enrolment.objects.exists())

    def test_the_organiser_records_attendance_and_the_participant_downloads_a_certificate(self):
        client = self.client_for(self.outsider)
        enrol(client, self.course)
        enrolment = Enrolment.objects.get()
        session = self.course.sessions.first()
        organiser = self.client_for(self.member)
        early = organiser.post(
            f"/formazione/sessioni/{session.pk}/presenze/", {f"present-{enrolment.pk}": "on"}
        )
        self.assertContains(early, "once the session has started")
        self.assertFalse(Attendance.objects.exists())
        start_course(self.course)
        for s in self.course.sessions.all():
            page = organiser.get(f"/formazione/sessioni/{s.pk}/presenze/")
            self.assertContains(page, enrolment.display_name)
            organiser.post(
                f"/formazione/sessioni/{s.pk}/presenze/", {f"present-{enrolment.pk}": "on"}
            )
        self.assertEqual(Attendance.objects.filter(present=True).count(), 2)
        self.assertEqual(
            self.client_for(self.outsider)
            .get(f"/formazione/sessioni/{session.pk}/presenze/")
            .status_code,
            403,
        )
        mine = client.get("/formazione/iscrizioni/")
        self.assertContains(mine, "Download the certificate")
        with mock.patch("pes.learning.views.weasyprint_module", return_value=None):
            response = client.get(f"/formazione/iscrizioni/{enrolment.pk}/attestato.pdf")
        self.assertEqual(response.status_code, 503)
        certificate = Certificate.objects.get()
        self.assertEqual(certificate.sessions_attended, 2)
        self.assertEqual(str(certificate.hours), "6.00")
        verify = self.client.get(f"/formazione/attestati/{certificate.code}/")
        self.assertContains(verify, "This certificate is valid")
        self.assertEqual(self.client.get("/formazione/attestati/nope/").status_code, 404)
        # Someone else cannot download it.
        other = self.client_for(self.governance).get(
            f"/formazione/iscrizioni/{enrolment.pk}/attestato.pdf"
        )
        self.assertEqual(other.status_code, 404)

    def test_the_certificate_pdf_is_a_pdf_where_weasyprint_is_installed(self):
        from pes.learning.documents import weasyprint_module

        if weasyprint_module() is None:
            self.skipTest("WeasyPrint is not available")
        client = self.client_for(self.outsider)
        enrol(client, self.course)
        enrolment = Enrolment.objects.get()
        start_course(self.course)
        for s in self.course.sessions.all():
            Attendance.objects.create(enrolment=enrolment, session=s, present=True)
        response = client.get(f"/formazione/iscrizioni/{enrolment.pk}/attestato.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_too_little_attendance_gives_no_certificate(self):
        client = self.client_for(self.outsider)
        enrol(client, self.course)
        enrolment = Enrolment.objects.get()
        start_course(self.course)
        Attendance.objects.create(
            enrolment=enrolment, session=self.course.sessions.first(), present=True
        )
        response = client.get(f"/formazione/iscrizioni/{enrolment.pk}/attestato.pdf", follow=True)
        self.assertContains(response, "You attended 1 of 2 sessions")
        self.assertFalse(Certificate.objects.exists())

    def test_the_feedback_survey_opens_after_attending_and_takes_one_answer(self):
        client = self.client_for(self.outsider)
        enrol(client, self.course)
        enrolment = Enrolment.objects.get()
        url = f"/formazione/iscrizioni/{enrolment.pk}/questionario/"
        response = client.post(url, {"overall": "5", "usefulness": "4"})
        self.assertContains(response, "opens once you have attended")
        start_course(self.course)
        Attendance.objects.create(
            enrolment=enrolment, session=self.course.sessions.first(), present=True
        )
        self.assertContains(
            client.post(url, {"overall": "9", "usefulness": "4"}), "invalid-feedback"
        )
        self.assertRedirects(
            client.post(url, {"overall": "5", "usefulness": "4", "comment": "Utile"}),
            "/formazione/iscrizioni/",
        )
        self.assertEqual(Feedback.objects.get().overall, 5)
        self.assertContains(
            client.post(url, {"overall": "3", "usefulness": "3"}), "already answered"
        )

    def test_the_organiser_adds_sessions_and_a_session_that_ends_before_it_starts_is_refused(self):
        client = self.client_for(self.member)
        url = f"/formazione/corsi/{self.course.slug}/sessioni/nuova/"
        day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        bad = client.post(
            url, {"date": day, "start_time": "15:00", "end_time": "14:00", "place": "Sala"}
        )
        self.assertContains(bad, "must end after it starts")
        past = client.post(
            url, {"date": "2020-01-01", "start_time": "9:00", "end_time": "10:00", "place": "Sala"}
        )
        self.assertContains(past, "must start in the future")
        self.assertEqual(self.course.sessions.count(), 2)
        ok = client.post(
            url, {"date": day, "start_time": "9:00", "end_time": "13:00", "place": "Sala"}
        )
        self.assertRedirects(ok, url)
        self.assertEqual(self.course.sessions.count(), 3)
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)

    def test_a_member_publishes_a_course_and_bad_values_are_refused(self):
        client = self.client_for(self.member)
        data = {
            "organizer": self.org.pk,
            "title": "Fare impresa sociale",
            "description": "Corso di base",
            "kind": "entrepreneurship",
            "audience": "Giovani",
            "min_age": "30",
            "max_age": "18",
            "municipality": municipality().pk,
            "seats": "25",
            "is_free": "on",
            "min_attendance": "75",
            "is_published": "on",
        }
        self.assertContains(client.post("/formazione/corsi/nuovo/", data), "upside down")
        data.update(min_age="18", max_age="35")
        response = client.post("/formazione/corsi/nuovo/", data)
        course = Course.objects.get(title="Fare impresa sociale")
        self.assertRedirects(response, f"/formazione/corsi/{course.slug}/sessioni/nuova/")
        edit = client.post(f"/formazione/corsi/{course.slug}/modifica/", {**data, "seats": "0"})
        self.assertEqual(edit.status_code, 200)
        self.assertEqual(
            self.client_for(self.outsider)
            .get(f"/formazione/corsi/{course.slug}/modifica/")
            .status_code,
            403,
        )

    def test_seats_cannot_drop_below_the_people_already_enrolled(self):
        enrol(self.client_for(self.outsider), self.course)
        enrol(self.client_for(self.governance), self.course)
        from pes.learning import services

        with self.assertRaisesMessage(Exception, "at least 2 seats"):
            services.course_update(course=self.course, data={"seats": 1})

    def test_the_course_list_uses_the_same_number_of_queries_for_more_courses(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(
                    self.client_for(self.outsider).get("/formazione/").status_code, 200
                )
            return len(ctx.captured_queries)

        small = count()
        for _ in range(6):
            SessionFactory.create(course=CourseFactory.create())
        self.assertEqual(count(), small)


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class ResearchTests(BaseTestCase):
    def test_the_research_catalogue_lists_and_filters_by_mission(self):
        mission = Mission.objects.get(number=6)
        project = ResearchFactory.create(title="Imprese sociali e università")
        project.missions.add(mission)
        ResearchFactory.create(title="Abitare collaborativo")
        response = self.client.get("/formazione/ricerca/", {"missione": "6"})
        self.assertContains(response, "Imprese sociali e università")
        self.assertNotContains(response, "Abitare collaborativo")
        detail = self.client.get(project.get_absolute_url())
        self.assertContains(detail, "application/ld+json")
        self.assertContains(detail, f"{mission.number}. Cultura")
        self.assertEqual(
            self.client.get("/formazione/ricerca/", {"missione": "x", "page": "y"}).status_code, 200
        )

    def test_a_member_adds_research_and_a_period_upside_down_is_refused(self):
        client = self.client_for(self.member)
        data = {
            "organization": self.org.pk,
            "title": "Tesi sulle cooperative di comunità",
            "kind": "master",
            "university": "Università di Bologna",
            "people": "Anna Verdi",
            "start_year": "2025",
            "end_year": "2023",
            "summary": "Studio di caso",
            "missions": [Mission.objects.get(number=3).pk],
            "is_published": "on",
        }
        self.assertContains(client.post("/formazione/ricerca/nuova/", data), "upside down")
        self.assertFalse(ResearchProject.objects.exists())
        data["end_year"] = "2026"
        response = client.post("/formazione/ricerca/nuova/", data)
        project = ResearchProject.objects.get()
        self.assertRedirects(response, project.get_absolute_url())
        self.assertRedirects(
            self.client_for(self.outsider).get("/formazione/ricerca/nuova/"), "/formazione/ricerca/"
        )


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class LearningApiTests(BaseTestCase):
    def post(self, url, payload, user=None):
        return self.client.post(
            url,
            json.dumps(payload),
            content_type="application/json",
            **self.api_headers(user or self.member),
        )

    def test_an_organiser_publishes_a_course_with_sessions_and_a_person_enrols(self):
        response = self.post(
            "/api/v1/learning/courses",
            {
                "organizer_id": self.org.pk,
                "title": "Co-progettazione art. 55 CTS",
                "description": "Formazione congiunta",
                "kind": "joint_training",
                "audience": "PA ed ETS",
                "municipality": "037006",
                "seats": 1,
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        slug = response.json()["slug"]
        starts = in_days(10)
        bad = self.post(
            f"/api/v1/learning/courses/{slug}/sessions",
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts - dt.timedelta(hours=1)).isoformat(),
                "place": "Sala",
            },
        )
        self.assertEqual(bad.status_code, 422)
        ok = self.post(
            f"/api/v1/learning/courses/{slug}/sessions",
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
                "place": "Sala",
            },
        )
        self.assertEqual(ok.status_code, 201, ok.content)
        first = self.post(
            f"/api/v1/learning/courses/{slug}/enrolments", {"affiliation": "public"}, self.outsider
        )
        self.assertEqual(first.json()["status"], "confirmed")
        second = self.post(
            f"/api/v1/learning/courses/{slug}/enrolments",
            {"affiliation": "social_economy"},
            self.governance,
        )
        self.assertEqual(second.json()["status"], "waiting")
        again = self.post(
            f"/api/v1/learning/courses/{slug}/enrolments", {"affiliation": "public"}, self.outsider
        )
        self.assertEqual(again.status_code, 422)
        course = self.client.get(f"/api/v1/learning/courses/{slug}").json()
        self.assertEqual(course["free_seats"], 0)
        self.assertEqual(len(course["sessions"]), 1)
        cancel = self.client.delete(
            f"/api/v1/learning/enrolments/{first.json()['id']}", **self.api_headers(self.outsider)
        )
        self.assertEqual(cancel.json()["status"], "cancelled")
        self.assertEqual(Enrolment.objects.get(pk=second.json()["id"]).status, "confirmed")

    def test_the_api_refuses_bad_courses_and_other_organisations(self):
        other = CourseFactory.create()
        payload = {
            "organizer_id": other.organizer_id,
            "title": "Corso",
            "description": "x",
            "kind": "joint_training",
            "audience": "tutti",
            "municipality": "037006",
            "seats": 10,
        }
        self.assertEqual(self.post("/api/v1/learning/courses", payload).status_code, 403)
        payload.update(organizer_id=self.org.pk, min_age=40, max_age=20, kind="nope")
        response = self.post("/api/v1/learning/courses", payload)
        self.assertEqual(response.status_code, 422)
        payload.update(kind="joint_training")
        response = self.post("/api/v1/learning/courses", payload)
        self.assertEqual(response.status_code, 422)
        self.assertIn("max_age", json.dumps(response.json()))
        self.assertEqual(Course.objects.count(), 1)

    def test_research_is_listed_and_added_through_the_api(self):
        response = self.post(
            "/api/v1/learning/research",
            {
                "organization_id": self.org.pk,
                "title": "Valutare l'impatto sociale",
                "kind": "phd",
                "university": "Università di Bologna",
                "people": "Paolo Neri",
                "start_year": 2024,
                "end_year": 2022,
                "summary": "Metodi",
                "missions": [5],
            },
        )
        self.assertEqual(response.status_code, 422)
        response = self.post(
            "/api/v1/learning/research",
            {
                "organization_id": self.org.pk,
                "title": "Valutare l'impatto sociale",
                "kind": "phd",
                "university": "Università di Bologna",
                "people": "Paolo Neri",
                "start_year": 2024,
                "summary": "Metodi",
                "publications": ["Neri P. (2025), Impatto, Il Mulino"],
                "missions": [5],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        listed = self.client.get("/api/v1/learning/research", {"mission": 5}).json()
        self.assertEqual(listed[0]["publications"], ["Neri P. (2025), Impatto, Il Mulino"])
        self.assertEqual(len(self.client.get("/api/v1/learning/courses").json()), 0)
