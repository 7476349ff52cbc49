"""The governance dashboard and its API (aggregates only, no cell under 5 people), the
API for openings, proposals and cases with the pages' permissions, and the demo data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.inclusion import selectors, services, stats
from pes.inclusion.demo import seed_inclusion
from pes.inclusion.models import (
    Case,
    FollowUp,
    FragilityProfile,
    NetworkMember,
    Opening,
    Pathway,
    Person,
    Proposal,
)
from pes.inclusion.tests.factories import (
    CaseFactory,
    NetworkMemberFactory,
    OpeningFactory,
    ReadyCaseFactory,
)
from pes.test import BaseTestCase


def place(case: Case, kind: str, months_ago: int = 8, employed_at_6: bool | None = True) -> None:
    starts = timezone.localdate() - dt.timedelta(days=30 * months_ago)
    pathway = Pathway.objects.create(case=case, kind=kind, title="Lavoro", starts_on=starts)
    if employed_at_6 is not None:
        FollowUp.objects.create(
            pathway=pathway,
            months=6,
            done_on=starts + dt.timedelta(days=185),
            still_employed=employed_at_6,
            contract=kind if employed_at_6 else "",
        )


class Suppression(BaseTestCase):
    def test_cells_of_one_to_four_people_are_hidden_with_their_complement(self) -> None:
        self.assertEqual(
            selectors.suppress_row({"a": 3, "b": 7, "c": 9, "d": 0}),
            {"a": None, "b": None, "c": 9, "d": 0},
        )
        self.assertEqual(
            selectors.suppress_row({"a": 3, "b": 2, "c": 9}), {"a": None, "b": None, "c": 9}
        )
        self.assertEqual(selectors.suppress_row({"a": 5, "b": 6}), {"a": 5, "b": 6})

    def test_a_share_needs_five_people_on_each_side(self) -> None:
        self.assertIsNone(selectors._share(4, 20))
        self.assertIsNone(selectors._share(18, 20))
        self.assertEqual(selectors._share(10, 20), 50)
        self.assertEqual(selectors._share(0, 20), 0)


class Dashboard(BaseTestCase):
    def test_four_placements_are_not_shown_five_are(self) -> None:
        cases = [ReadyCaseFactory.create(operator=self.operator) for _ in range(5)]
        for case in cases[:4]:
            place(case, "permanent")
        stats.rebuild()  # the factories write past the services
        page = self.client.get("/lavoro/cruscotto/")
        self.assertContains(page, "No figure about fewer than 5 people is shown")
        self.assertEqual(selectors.dashboard()["placed"], None)
        self.assertContains(page, '<p class="fs-3 fw-semibold" id="placed"><span title')
        place(cases[4], "fixed_term")
        stats.rebuild()
        data = selectors.dashboard()
        self.assertEqual(data["placed"], 5)
        self.assertEqual(data["by_contract"]["permanent"], None)  # 4 people
        self.assertEqual(data["by_contract"]["fixed_term"], None)  # its complement
        self.assertEqual(data["retention"][6]["n"], 5)
        self.assertEqual(data["retention"][6]["share"], 100)  # 5 of 5; the other side is 0

    def test_it_counts_registrations_contacts_and_late_cases(self) -> None:
        long_ago = timezone.now() - dt.timedelta(days=60)
        for _ in range(6):
            CaseFactory.create(registered_at=long_ago)  # late, no contact
        for days in (3, 5, 10, 20, 30):
            CaseFactory.create(
                registered_at=long_ago, first_contact_at=long_ago + dt.timedelta(days=days)
            )
        stats.rebuild()  # the factories write past the services
        data = selectors.dashboard()
        self.assertEqual(data["registered"], 11)
        self.assertEqual(data["late"], 6)
        self.assertEqual(data["days_to_contact"]["median"], 10)
        self.assertEqual(data["per_month"][-1]["n"], 11)

    def test_the_bands_are_counted_from_the_encrypted_profiles(self) -> None:
        items = services.instrument_current().definition["items"]
        for _ in range(5):
            case = ReadyCaseFactory.create(operator=self.operator)
            services.fragility_profile_save(
                case=case, answers={i["code"]: 3 for i in items}, user=self.operator
            )
        bands = {r["band"]: r for r in selectors.dashboard()["by_band"]}
        self.assertEqual(bands["high"]["assessed"], 5)
        self.assertEqual(bands["high"]["placed"], 0)

    def test_the_page_answers_with_a_constant_number_of_queries(self) -> None:
        for _ in range(3):
            place(ReadyCaseFactory.create(), "permanent")
        stats.rebuild()
        cache.clear()  # the uncached path both times
        with CaptureQueriesContext(connection) as small:
            self.client.get("/lavoro/cruscotto/")
        for _ in range(10):
            place(ReadyCaseFactory.create(), "internship")
        stats.rebuild()
        cache.clear()
        with CaptureQueriesContext(connection) as large:
            self.client.get("/lavoro/cruscotto/")
        self.assertEqual(len(small), len(large))
        self.assertLessEqual(len(large), 15)

    def test_governance_downloads_the_tables_as_csv_others_get_the_page(self) -> None:
        csv = self.client_for(self.governance).get("/lavoro/cruscotto/?formato=csv")
        self.assertEqual(csv["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("table,row,column,value", csv.content.decode())
        page = self.client.get("/lavoro/cruscotto/?formato=csv")
        self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")


class Api(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        NetworkMemberFactory.create(organization=cls.org)
        cls.opening = OpeningFactory.create(organization=cls.org, role="Magazziniere")
        cls.case = ReadyCaseFactory.create(operator=cls.operator, person__skills=["cleaning"])
        stats.rebuild()  # the factories write past the services

    def _json(self, response: Any) -> Any:
        return json.loads(response.content)

    def opening_payload(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "role": "Aiuto cuoco",
            "istat_code": "037006",
            "contract": "apprenticeship",
            "hours_per_week": 30,
            "places": 1,
            "required_skills": ["kitchen"],
        }
        data.update(overrides)
        return data

    def test_openings_are_public_to_read(self) -> None:
        data = self._json(self.client.get("/api/v1/inclusion/openings"))
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["results"][0]["role"], "Magazziniere")
        one = self._json(self.client.get(f"/api/v1/inclusion/openings/{self.opening.pk}"))
        self.assertEqual(one["istat_code"], "037006")
        self.assertEqual(self.client.get("/api/v1/inclusion/openings/99999").status_code, 404)

    def test_a_company_publishes_an_opening_and_bad_input_is_a_field_error(self) -> None:
        headers = self.api_headers(self.member)
        url = f"/api/v1/inclusion/organizations/{self.org.pk}/openings"
        response = self.client.post(
            url, self.opening_payload(), content_type="application/json", **headers
        )
        self.assertEqual(response.status_code, 201, response.content)
        for payload, field in [
            (self.opening_payload(places=0), "places"),
            (self.opening_payload(istat_code="058091"), "istat_code"),
            (self.opening_payload(contract="forever"), "contract"),
            (self.opening_payload(required_skills=["flying"]), "required_skills"),
        ]:
            with self.subTest(field=field):
                response = self.client.post(
                    url, payload, content_type="application/json", **headers
                )
                self.assertEqual(response.status_code, 422)
                self.assertIn(field, json.dumps(self._json(response)))
        self.assertEqual(Opening.objects.count(), 2)
        outsider = self.client.post(
            url,
            self.opening_payload(),
            content_type="application/json",
            **self.api_headers(self.outsider),
        )
        self.assertEqual(outsider.status_code, 403)
        self.assertEqual(self.client.post(url, self.opening_payload()).status_code, 401)

    def test_operators_work_their_cases_through_the_api(self) -> None:
        headers = self.api_headers(self.operator)
        listed = self._json(self.client.get("/api/v1/inclusion/cases", **headers))
        self.assertEqual([c["id"] for c in listed["results"]], [self.case.pk])
        ranked = self._json(
            self.client.get(f"/api/v1/inclusion/cases/{self.case.pk}/openings", **headers)
        )
        self.assertEqual(ranked[0]["opening"]["id"], self.opening.pk)
        self.assertTrue(ranked[0]["reasons"][0]["text"])
        response = self.client.post(
            f"/api/v1/inclusion/cases/{self.case.pk}/proposals",
            {"opening_id": self.opening.pk},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(response.status_code, 201)
        again = self.client.post(
            f"/api/v1/inclusion/cases/{self.case.pk}/proposals",
            {"opening_id": self.opening.pk},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(again.status_code, 422)
        candidates = self._json(
            self.client.get(f"/api/v1/inclusion/openings/{self.opening.pk}/candidates", **headers)
        )
        self.assertEqual(candidates[0]["case_id"], self.case.pk)

    def test_nobody_but_the_operator_reads_a_case_through_the_api(self) -> None:
        colleague = UserFactory.create(role=User.Role.OPERATOR, email="collega@example.org")
        url = f"/api/v1/inclusion/cases/{self.case.pk}"
        self.assertEqual(self.client.get(url, **self.api_headers(self.operator)).status_code, 200)
        for user in (colleague, self.governance, self.member, self.admin):
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(url, **self.api_headers(user)).status_code, 403)
        self.assertEqual(
            self.client.get(
                "/api/v1/inclusion/cases", **self.api_headers(self.governance)
            ).status_code,
            403,
        )
        self.assertEqual(self.client.get(url).status_code, 401)

    def test_a_contact_and_an_assessment_through_the_api(self) -> None:
        case = CaseFactory.create(operator=self.operator)
        headers = self.api_headers(self.operator)
        bad = self.client.post(
            f"/api/v1/inclusion/cases/{case.pk}/assessment",
            {"outcome": "ready"},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(bad.status_code, 422)
        response = self.client.post(
            f"/api/v1/inclusion/cases/{case.pk}/contacts",
            {"channel": "phone"},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(self._json(response)["status"], "contacted")
        response = self.client.post(
            f"/api/v1/inclusion/cases/{case.pk}/assessment",
            {"outcome": "training"},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(self._json(response)["outcome"], "training")

    def test_the_company_answers_proposals_and_sees_only_consented_data(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        headers = self.api_headers(self.member)
        listed = self._json(self.client.get("/api/v1/inclusion/proposals", **headers))
        self.assertEqual(listed[0]["id"], proposal.pk)
        self.assertNotIn("email", listed[0]["person"])
        self.assertNotIn("codice_fiscale", json.dumps(listed))
        response = self.client.post(
            f"/api/v1/inclusion/proposals/{proposal.pk}/decision",
            {"accept": False},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(response.status_code, 422)
        response = self.client.post(
            f"/api/v1/inclusion/proposals/{proposal.pk}/decision",
            {"accept": True},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(self._json(response)["status"], "accepted")
        self.assertEqual(
            self._json(
                self.client.get("/api/v1/inclusion/proposals", **self.api_headers(self.outsider))
            ),
            [],
        )
        forbidden = self.client.post(
            f"/api/v1/inclusion/proposals/{proposal.pk}/decision",
            {"accept": True},
            content_type="application/json",
            **self.api_headers(self.operator),
        )
        self.assertEqual(forbidden.status_code, 403)

    def test_the_aggregates_hide_small_cells(self) -> None:
        data = self._json(self.client.get("/api/v1/inclusion/aggregates"))
        self.assertIsNone(data["registered"])  # one case
        self.assertEqual(data["min_cell"], 5)


class Demo(BaseTestCase):
    def test_the_tiny_demo_is_consistent_and_runs_once(self) -> None:
        from pes.core.demo import seed_users

        seed_users()
        result = seed_inclusion(size="tiny", seed=7)
        self.assertEqual((result["people"], result["openings"]), (60, 20))
        self.assertEqual(Person.objects.count(), 60)
        self.assertEqual(Case.objects.count(), 60)
        self.assertEqual(Opening.objects.count(), 20)
        self.assertTrue(NetworkMember.objects.exists())
        # Every person's codice fiscale is valid, every case is consistent.
        from stdnum.it import codicefiscale

        self.assertTrue(
            all(
                codicefiscale.is_valid(cf)
                for cf in Person.objects.values_list("codice_fiscale", flat=True)
            )
        )
        self.assertFalse(Case.objects.filter(outcome="", status="assessed").exists())
        self.assertFalse(Case.objects.filter(status="closed", closing_reason="").exists())
        self.assertFalse(
            Case.objects.filter(first_contact_at__isnull=True).exclude(status="new").exists()
        )
        for proposal in Proposal.objects.select_related("case"):
            self.assertEqual(proposal.case.outcome, "ready")
        self.assertEqual(FragilityProfile.objects.count(), Case.objects.exclude(outcome="").count())
        self.assertTrue(
            Case.objects.filter(status="in_pathway").exists() or Case.objects.count() == 60
        )
        self.assertEqual(seed_inclusion(size="tiny", seed=7)["people"], 0)
        self.assertEqual(Person.objects.count(), 60)
        # The demo operator sees the queue.
        operator = User.objects.get(email="operator@pes.example")
        self.assertEqual(self.client_for(operator).get("/lavoro/casi/").status_code, 200)

    def test_the_same_seed_gives_the_same_people(self) -> None:
        seed_inclusion(size="tiny", seed=3)
        first = list(Person.objects.order_by("pk").values_list("last_name", "codice_fiscale"))
        Person.objects.all().delete()
        Opening.objects.all().delete()
        seed_inclusion(size="tiny", seed=3)
        second = list(Person.objects.order_by("pk").values_list("last_name", "codice_fiscale"))
        self.assertEqual([p[0] for p in first], [p[0] for p in second])
