"""The demo data: the same rows whether written in bulk (the default) or through the
enrolment service (the reference), deterministic for a seed, and added once."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from django.test import override_settings
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.core.models import AuditEntry
from pes.learning.demo import seed_learning
from pes.learning.models import Attendance, Course, Enrolment, ResearchProject, Session
from pes.registry.tests.factories import OrganizationFactory
from pes.services.selectors import dashboard
from pes.test import BaseTestCase

COURSES = 12


def wipe() -> None:
    Course.objects.all().delete()
    ResearchProject.objects.all().delete()
    AuditEntry.objects.filter(content_type__app_label="learning").delete()


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def dump(client: Any) -> dict[str, Any]:
    """Every learning row with natural keys (course slugs, people) instead of their own ids,
    the audit trail, the services dashboard and the public pages."""
    enrolments = {
        e.pk: (e.course.slug, e.user_id) for e in Enrolment.objects.select_related("course")
    }
    slugs = list(Course.objects.order_by("slug").values_list("slug", flat=True))
    return {
        "courses": list(
            Course.objects.order_by("slug").values_list(
                "slug", "title", "kind", "organizer_id", "municipality_id", "seats", "enrolled"
            )
        ),
        "sessions": list(
            Session.objects.order_by("course__slug", "starts_at", "id").values_list(
                "course__slug", "starts_at", "ends_at", "place", "municipality_id"
            )
        ),
        "enrolments": list(
            Enrolment.objects.order_by("course__slug", "created_at", "id").values_list(
                "course__slug", "user_id", "affiliation", "institution", "status"
            )
        ),
        "attendance": list(
            Attendance.objects.order_by(
                "enrolment__course__slug", "enrolment__user_id", "session__starts_at"
            ).values_list(
                "enrolment__course__slug", "enrolment__user_id", "session__starts_at", "present"
            )
        ),
        "audit": [
            (enrolments[int(a.object_id)], a.object_repr, a.action, a.changes, a.user_id)
            for a in AuditEntry.objects.filter(content_type__app_label="learning").order_by("id")
        ],
        "research": list(
            ResearchProject.objects.order_by("slug").values_list(
                "slug", "kind", "start_year", "end_year", "organization_id", "missions__number"
            )
        ),
        "dashboard": dashboard(),
        "pages": [
            page(client, url)
            for url in [
                "/formazione/",
                "/formazione/ricerca/",
                *(f"/formazione/corsi/{slug}/" for slug in slugs),
            ]
        ],
    }


@override_settings(LANGUAGE_CODE="en")
class LearningDemoTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for _ in range(3):
            OrganizationFactory.create()
        for n in range(30):
            UserFactory.create(email=f"partecipante{n}@example.org")

    def test_the_bulk_rows_are_the_rows_the_enrolment_service_writes(self):
        self.assertEqual(seed_learning(courses=COURSES, seed=5, through_services=True), COURSES)
        reference = dump(self.client)
        wipe()
        self.assertEqual(seed_learning(courses=COURSES, seed=5), COURSES)
        self.assertEqual(dump(self.client), reference)
        # Full courses have a waiting list, and past sessions have attendance.
        statuses = {status for *_rest, status in reference["enrolments"]}
        self.assertEqual(statuses, {"confirmed", "waiting"})
        self.assertTrue(reference["attendance"])

    def test_the_data_is_deterministic_added_once_and_consistent(self):
        self.assertEqual(seed_learning(courses=COURSES, seed=5), COURSES)
        first = dump(self.client)
        self.assertEqual(seed_learning(courses=COURSES, seed=5), 0)
        self.assertEqual(Course.objects.count(), COURSES)
        wipe()
        seed_learning(courses=COURSES, seed=5)
        self.assertEqual(dump(self.client), first)
        wipe()
        seed_learning(courses=COURSES, seed=6)
        self.assertNotEqual(dump(self.client)["enrolments"], first["enrolments"])
        now = timezone.now()
        for course in Course.objects.prefetch_related("sessions", "enrolments"):
            confirmed = [e for e in course.enrolments.all() if e.status == "confirmed"]
            self.assertEqual(course.enrolled, len(confirmed))
            self.assertLessEqual(course.enrolled, course.seats)
            sessions = sorted(s.starts_at for s in course.sessions.all())
            # Every session a week after the previous one, all past or all to come.
            days = [timezone.localtime(s).date() for s in sessions]
            self.assertTrue(all((b - a).days == 7 for a, b in pairwise(days)))
            self.assertIn({s < now for s in sessions}, [{True}, {False}])
            attended = Attendance.objects.filter(session__course=course).count()
            past = sessions[0] < now
            self.assertEqual(attended, len(confirmed) * len(sessions) if past else 0)
