"""The incubation API, used as a client would: token auth, 422 field errors, 403/404."""

from __future__ import annotations

import json

from pes.accounts.tests.factories import UserFactory
from pes.incubation import services
from pes.incubation.models import CANVAS_KEYS, Application, Score
from pes.incubation.tests.factories import ApplicationFactory, CallFactory, CohortFactory
from pes.test import BaseTestCase

BASE = "/api/v1/incubation"


class ApiTests(BaseTestCase):
    def setUp(self) -> None:
        self.call = CallFactory.create(slug="api-bando", title="Bando via API")
        self.criteria = list(self.call.criteria.all())

    def post(self, user, url: str, body: dict, method: str = "post"):  # type: ignore[no-untyped-def]
        return getattr(self.client, method)(
            url, json.dumps(body), content_type="application/json", **self.api_headers(user)
        )

    def test_calls_are_public_with_criteria_and_remaining_budget(self) -> None:
        listing = self.client.get(f"{BASE}/calls?q=via%20API").json()
        self.assertEqual(listing["count"], 1)
        detail = self.client.get(f"{BASE}/calls/api-bando").json()
        self.assertEqual([c["weight"] for c in detail["criteria"]], [60, 40])
        self.assertEqual(detail["remaining"], "100000.00")
        self.assertEqual(self.client.get(f"{BASE}/calls/nessuno").status_code, 404)

    def test_an_applicant_saves_a_draft_and_sends_it(self) -> None:
        body = {
            "call": "api-bando",
            "team_name": "Giovani del borgo",
            "title": "Ostello di comunità",
            "team_members": "Sara, presidente",
        }
        response = self.post(self.outsider, f"{BASE}/applications", body)
        self.assertEqual(response.status_code, 201, response.content)
        application_id = response.json()["id"]
        response = self.post(self.outsider, f"{BASE}/applications/{application_id}/submit", {})
        self.assertEqual(response.status_code, 422)
        fields = {e["loc"][-1] for e in response.json()["detail"]}
        self.assertIn("idea", fields)
        complete = {
            "title": "Ostello di comunità",
            "idea": "Un ostello gestito dagli abitanti.",
            "team_members": "Sara, presidente",
            "municipality": "037006",
            "community_served": "Il borgo",
            "canvas": {k: "testo" for k in CANVAS_KEYS},
            "budget_total": "50000",
            "grant_requested": "20000",
            "expected_jobs": 2,
        }
        response = self.post(
            self.outsider, f"{BASE}/applications/{application_id}", complete, "put"
        )
        self.assertEqual(response.status_code, 200, response.content)
        response = self.post(self.outsider, f"{BASE}/applications/{application_id}/submit", {})
        self.assertEqual(response.json()["status"], "submitted")
        self.assertEqual(
            [
                a["id"]
                for a in self.client.get(
                    f"{BASE}/applications", **self.api_headers(self.outsider)
                ).json()
            ],
            [application_id],
        )
        # Nobody else sees it; sent, it no longer changes.
        other = self.client.get(
            f"{BASE}/applications/{application_id}", **self.api_headers(self.member)
        )
        self.assertEqual(other.status_code, 404)
        again = self.post(self.outsider, f"{BASE}/applications/{application_id}", complete, "put")
        self.assertEqual(again.status_code, 422)

    def test_bad_input_is_a_422_never_a_500(self) -> None:
        for body in (
            {"call": "api-bando", "team_name": "X", "title": "T", "budget_total": "NaN"},
            {"call": "api-bando", "team_name": "X", "title": "T", "municipality": "999999"},
            {"call": "api-bando", "team_name": "X", "title": "T", "expected_jobs": -1},
            {"call": "api-bando", "team_name": "X", "title": "T", "canvas": {"nope": "x"}},
            {"call": "api-bando", "title": "T"},
        ):
            response = self.post(self.outsider, f"{BASE}/applications", body)
            self.assertEqual(response.status_code, 422, (body, response.content))
        response = self.post(
            self.outsider,
            f"{BASE}/applications",
            {"call": "api-bando", "organization_id": self.org.pk, "title": "T"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Application.objects.exists())
        self.assertEqual(
            self.client.post(
                f"{BASE}/applications", "{}", content_type="application/json"
            ).status_code,
            401,
        )

    def test_an_evaluator_declares_and_scores_through_the_api(self) -> None:
        expert = UserFactory.create(email="valutatore@example.org")
        services.evaluator_assign(call=self.call, evaluator=expert)
        application = ApplicationFactory.create(call=self.call)
        queue = self.client.get(f"{BASE}/evaluations", **self.api_headers(expert)).json()
        self.assertEqual(queue[0]["declared"], False)
        scores = {"scores": [{"criterion_id": c.pk, "value": "7"} for c in self.criteria]}
        url = f"{BASE}/applications/{application.pk}"
        self.assertEqual(self.post(expert, f"{url}/scores", scores, "put").status_code, 422)
        self.assertEqual(self.client.get(url, **self.api_headers(expert)).status_code, 404)
        self.assertEqual(
            self.post(expert, f"{url}/declaration", {"has_conflict": False}).status_code, 201
        )
        self.assertEqual(self.client.get(url, **self.api_headers(expert)).status_code, 200)
        out = {
            "scores": [
                {"criterion_id": self.criteria[0].pk, "value": "12"},
                {"criterion_id": self.criteria[1].pk, "value": "5"},
            ]
        }
        response = self.post(expert, f"{url}/scores", out, "put")
        self.assertEqual(response.status_code, 422)
        self.assertIn("between 0 and 10", response.content.decode())
        response = self.post(expert, f"{url}/scores", scores, "put")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Score.objects.count(), 2)
        outsider = self.post(self.member, f"{url}/declaration", {"has_conflict": False})
        self.assertEqual(outsider.status_code, 404)

    def test_cohorts_projects_and_outcomes(self) -> None:
        cohort = CohortFactory.create(call=self.call)
        application = ApplicationFactory.create(call=self.call, team_lead=self.outsider)
        services.application_decide(
            application=application, admitted=True, reason="Sì", cohort=cohort, grant=1000
        )
        project = application.project
        self.assertEqual(
            self.client.get(
                f"{BASE}/cohorts/{cohort.pk}", **self.api_headers(self.outsider)
            ).status_code,
            404,
        )
        data = self.client.get(
            f"{BASE}/cohorts/{cohort.pk}", **self.api_headers(self.governance)
        ).json()
        self.assertEqual(data["projects"][0]["grant"], "1000.00")
        body = {"period": 0, "jobs_created": 3, "jobs_fragile": 1, "revenue": "2000"}
        url = f"{BASE}/projects/{project.pk}/follow-ups"
        self.assertEqual(self.post(self.governance, url, body, "put").status_code, 403)
        self.assertEqual(
            self.post(self.outsider, url, {**body, "period": 5}, "put").status_code, 422
        )
        self.assertEqual(
            self.post(self.outsider, url, {**body, "jobs_fragile": 9}, "put").status_code, 422
        )
        self.assertEqual(self.post(self.outsider, url, body, "put").status_code, 200)
        outcomes = self.client.get(f"{BASE}/outcomes?call=api-bando").json()
        self.assertEqual(
            (outcomes["admitted"], outcomes["jobs"], outcomes["jobs_fragile"]),
            (1, 3, "fewer than 5"),
        )
        showcase = self.client.get(f"{BASE}/showcase").json()
        self.assertEqual(showcase[0]["jobs"], 3)
        self.assertEqual(self.client.get(f"{BASE}/outcomes?call=nessuno").status_code, 404)
