from __future__ import annotations

from django.test import override_settings

from pes.learning.demo import seed_learning
from pes.learning.models import Course, Enrolment, ResearchProject
from pes.registry.tests.factories import OrganizationFactory
from pes.services.demo import seed_services
from pes.services.models import Route, Service, Stay
from pes.services.selectors import dashboard
from pes.test import BaseTestCase


@override_settings(LANGUAGE_CODE="en")
class DemoTests(BaseTestCase):
    def test_the_demo_data_is_deterministic_and_adds_nothing_the_second_time(self):
        for _ in range(3):
            OrganizationFactory.create()
        self.assertEqual(seed_services(services=20, seed=7), 20)
        self.assertEqual(seed_learning(courses=6, seed=7), 6)
        counts = (Service.objects.count(), Route.objects.count(), Stay.objects.count())
        self.assertEqual(counts, (20, 3, 3))
        self.assertEqual(seed_services(services=20, seed=7), 0)
        self.assertEqual(seed_learning(courses=6, seed=7), 0)
        self.assertEqual(Course.objects.count(), 6)
        self.assertTrue(ResearchProject.objects.exists())
        for course in Course.objects.all():
            confirmed = Enrolment.objects.filter(course=course, status="confirmed").count()
            self.assertEqual(course.enrolled, confirmed)
        # One district is left without services for adolescents: the gaps view shows it.
        self.assertTrue(any(band == "14–17" for _d, band in dashboard()["gap_list"]))
        for url in ["/servizi/", "/servizi/cruscotto/", "/formazione/", "/formazione/ricerca/"]:
            self.assertEqual(self.client.get(url).status_code, 200)
