"""The global allocation is a recommendation: operators or governance run it, each
operator confirms or overrides the suggestions for their own cases, an override keeps its
reason; governance sees the aggregates of a run, never the people."""

from __future__ import annotations

from django.db import IntegrityError

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.inclusion import services
from pes.inclusion.models import AllocationRun, Proposal, Suggestion
from pes.inclusion.tests.factories import NetworkMemberFactory, OpeningFactory, ReadyCaseFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase


class Allocation(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        NetworkMemberFactory.create(organization=cls.org)
        cls.colleague = UserFactory.create(role=User.Role.OPERATOR, email="collega@example.org")
        imola = Municipality.objects.get(name="Imola")
        cls.near = OpeningFactory.create(organization=cls.org, role="Pulizie Bologna", places=1)
        cls.far = OpeningFactory.create(
            organization=cls.org, role="Pulizie Imola", places=1, municipality=imola
        )
        cls.mine = ReadyCaseFactory.create(
            operator=cls.operator, person__last_name="Mio", person__max_travel_km=60
        )
        cls.theirs = ReadyCaseFactory.create(
            operator=cls.colleague, person__last_name="Altrui", person__max_travel_km=60
        )
        cls.untrained = ReadyCaseFactory.create(
            operator=cls.operator, person__skills=["kitchen"], person__last_name="Cuoco"
        )

    def test_a_run_suggests_the_best_total_and_is_never_below_greedy(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        self.assertEqual(run.people, 3)
        self.assertEqual(run.places, 2)
        self.assertGreaterEqual(run.total_score, run.greedy_score)
        suggested = set(run.suggestions.values_list("case_id", flat=True))
        self.assertEqual(suggested, {self.mine.pk, self.theirs.pk})  # the cook lacks the skill

    def test_the_distance_limit_is_respected(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=5)
        self.assertEqual(set(run.suggestions.values_list("opening_id", flat=True)), {self.near.pk})

    def test_an_operator_sees_and_reviews_only_the_suggestions_of_their_cases(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        page = self.client_for(self.operator).get(f"/lavoro/allocazione/{run.pk}/")
        self.assertContains(page, "Mio")
        self.assertNotContains(page, "Altrui")
        theirs = run.suggestions.get(case=self.theirs)
        response = self.client_for(self.operator).post(
            f"/lavoro/allocazione/{run.pk}/", {"suggestion": theirs.pk, "action": "confirm"}
        )
        self.assertEqual(response.status_code, 403)

    def test_confirming_makes_a_proposal_to_the_company(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        mine = run.suggestions.get(case=self.mine)
        response = self.client_for(self.operator).post(
            f"/lavoro/allocazione/{run.pk}/", {"suggestion": mine.pk, "action": "confirm"}
        )
        self.assertRedirects(response, f"/lavoro/allocazione/{run.pk}/")
        mine.refresh_from_db()
        self.assertEqual(mine.decision, Suggestion.Decision.CONFIRMED)
        self.assertEqual(mine.proposal, Proposal.objects.get(case=self.mine))

    def test_overriding_needs_a_reason_which_is_kept(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        mine = run.suggestions.get(case=self.mine)
        client = self.client_for(self.operator)
        response = client.post(
            f"/lavoro/allocazione/{run.pk}/",
            {"suggestion": mine.pk, "action": "override", "reason": ""},
        )
        self.assertContains(response, "This field is required")
        other = self.far if mine.opening_id == self.near.pk else self.near
        response = client.post(
            f"/lavoro/allocazione/{run.pk}/",
            {
                "suggestion": mine.pk,
                "action": "override",
                "reason": "Preferisce lavorare vicino alla scuola dei figli.",
                "opening": other.pk,
            },
        )
        self.assertRedirects(response, f"/lavoro/allocazione/{run.pk}/")
        mine.refresh_from_db()
        self.assertEqual(mine.decision, Suggestion.Decision.OVERRIDDEN)
        self.assertIn("scuola", mine.override_reason)
        self.assertEqual(mine.proposal.opening, other)  # type: ignore[union-attr]

    def test_the_database_refuses_an_override_without_reason(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        with self.assertRaises(IntegrityError):
            run.suggestions.filter(case=self.mine).update(decision="overridden")

    def test_governance_runs_it_and_sees_only_aggregates(self) -> None:
        client = self.client_for(self.governance)
        response = client.post("/lavoro/allocazione/", {"max_distance_km": "50"})
        run = AllocationRun.objects.get()
        self.assertRedirects(response, f"/lavoro/allocazione/{run.pk}/")
        page = client.get(f"/lavoro/allocazione/{run.pk}/")
        self.assertContains(page, "Total score of a greedy allocation")
        self.assertNotContains(page, "Mio")
        self.assertNotContains(page, self.mine.reference)

    def test_members_and_visitors_cannot_run_it(self) -> None:
        for user in (self.member, self.outsider):
            with self.subTest(user=user.email):
                client = self.client_for(user)
                self.assertEqual(client.get("/lavoro/allocazione/").status_code, 403)
                self.assertEqual(
                    client.post("/lavoro/allocazione/", {"max_distance_km": "50"}).status_code, 403
                )
        self.assertFalse(AllocationRun.objects.exists())

    def test_a_malformed_or_foreign_suggestion_is_not_found_and_changes_nothing(self) -> None:
        run = services.allocation_run(user=self.operator, max_distance_km=50)
        other = services.allocation_run(user=self.operator, max_distance_km=50)
        mine = other.suggestions.get(case=self.mine)
        client = self.client_for(self.operator)
        for value in ("abc", "", "-1", str(mine.pk)):
            with self.subTest(value=value):
                response = client.post(
                    f"/lavoro/allocazione/{run.pk}/", {"suggestion": value, "action": "confirm"}
                )
                self.assertEqual(response.status_code, 404)
        mine.refresh_from_db()
        self.assertEqual(mine.decision, Suggestion.Decision.PENDING)

    def test_a_bad_distance_is_a_field_error(self) -> None:
        response = self.client_for(self.operator).post(
            "/lavoro/allocazione/", {"max_distance_km": "0"}
        )
        self.assertContains(response, "greater than or equal to 1")
        self.assertFalse(AllocationRun.objects.exists())
