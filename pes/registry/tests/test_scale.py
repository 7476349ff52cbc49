"""The directory, the home page and the territory run a number of queries that does not grow
with the registry, and their cached counts follow every write."""

from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pes.plan.models import Mission
from pes.registry.models import Organization
from pes.registry.selectors import (
    COUNT_CAP,
    OrganizationFilters,
    organization_counts_by_municipality,
    organization_search_page,
)
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

URLS = [
    "/",
    "/enti/",
    "/enti/?q=prova",
    "/enti/?q=prova&category=third_sector&municipality=037006",
    "/enti/?mission=3&district=pianura-est",
    "/territorio/",
    "/territorio/bologna/",
    "/piano/missioni/3/",
    "/api/v1/organizations?q=prova",
    "/api/v1/municipalities",
]


class ScaleTests(BaseTestCase):
    def counts(self) -> dict[str, int]:
        out = {}
        for url in URLS:
            cache.clear()  # the cold page
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            out[url] = len(ctx.captured_queries)
        return out

    def add(self, n: int) -> None:
        mission = Mission.objects.get(number=3)
        for _ in range(n):
            org = OrganizationFactory.create()
            org.missions.add(mission)

    def test_the_query_counts_do_not_grow_with_the_registry(self):
        self.add(3)
        small = self.counts()
        self.add(40)
        self.assertEqual(self.counts(), small)
        for url, queries in small.items():
            self.assertLessEqual(queries, 15, url)

    def test_cached_counts_follow_a_new_organisation_at_once(self):
        bologna = Municipality.objects.get(istat_code="037006")
        before = organization_counts_by_municipality().get(bologna.pk, 0)
        OrganizationFactory.create()
        self.assertEqual(organization_counts_by_municipality()[bologna.pk], before + 1)
        response = self.client.get("/territorio/")
        self.assertContains(response, f">{before + 1}</a>")

    def test_an_unpublished_organisation_leaves_the_counts_at_once(self):
        org = OrganizationFactory.create()
        bologna = org.head_office
        before = organization_counts_by_municipality()[bologna.pk]
        org.is_published = False
        org.save()
        self.assertEqual(organization_counts_by_municipality().get(bologna.pk, 0), before - 1)

    def test_large_result_sets_are_capped_and_listed_newest_first(self):
        self.add(5)
        with mock.patch("pes.registry.selectors.COUNT_CAP", 3):
            page, paginator = organization_search_page(
                filters=OrganizationFilters(q="prova"), page=1, per_page=2
            )
        self.assertTrue(paginator.capped)
        newest = list(Organization.objects.order_by("-id").values_list("id", flat=True)[:2])
        self.assertEqual([o.pk for o in page.object_list], newest)
        self.assertEqual(COUNT_CAP, 1000)
