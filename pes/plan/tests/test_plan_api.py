from __future__ import annotations

import datetime as dt

from pes.plan.models import Measurement
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.test import BaseTestCase


class PlanApiTests(BaseTestCase):
    def test_the_plan_is_public_with_progress_at_every_level(self):
        InitiativeFactory(lead=self.org)
        data = self.client.get("/api/v1/plan").json()
        self.assertEqual(len(data["missions"]), 7)
        mission2 = data["missions"][1]
        self.assertEqual(mission2["title"], "Qualità e Senso del lavoro")
        self.assertEqual(mission2["progress"]["initiatives"], 1)
        self.assertEqual(mission2["progress"]["progress"], "10.0")

    def test_initiatives_are_listed_filtered_and_paginated(self):
        InitiativeFactory(lead=self.org, title="Abitare insieme")
        InitiativeFactory(lead=self.org, title="Lavoro e dignità")
        data = self.client.get("/api/v1/plan/initiatives", {"q": "abitare"}).json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(
            self.client.get("/api/v1/plan/initiatives", {"page_size": 500}).status_code, 422
        )
        self.assertEqual(self.client.get("/api/v1/plan/initiatives/999999").status_code, 404)

    def test_the_lead_patches_an_initiative_with_its_version(self):
        initiative = InitiativeFactory(lead=self.org)
        headers = self.api_headers(self.member)
        url = f"/api/v1/plan/initiatives/{initiative.pk}"
        ok = self.client.patch(
            url,
            {"version": 1, "status": "in-progress", "progress_override": "55"},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(ok.json()["progress"], "55.00")
        stale = self.client.patch(
            url, {"version": 1, "title": "Vecchio"}, content_type="application/json", **headers
        )
        self.assertEqual(stale.status_code, 409)
        bad = self.client.patch(
            url, {"version": 2, "status": "boh"}, content_type="application/json", **headers
        )
        self.assertEqual(bad.status_code, 422)
        outsider = self.client.patch(
            url,
            {"version": 2, "title": "X"},
            content_type="application/json",
            **self.api_headers(self.outsider),
        )
        self.assertEqual(outsider.status_code, 403)
        self.assertEqual(
            self.client.patch(url, {"version": 2}, content_type="application/json").status_code, 401
        )

    def test_measurements_are_recorded_by_the_lead_and_refused_when_bad(self):
        initiative = InitiativeFactory(lead=self.org)
        IndicatorFactory(action=None, initiative=initiative, code="api-ind")
        url = "/api/v1/plan/indicators/api-ind/measurements"
        headers = self.api_headers(self.member)
        ok = self.client.post(
            url, {"date": "2026-03-31", "value": "12"}, content_type="application/json", **headers
        )
        self.assertEqual(ok.status_code, 201, ok.content)
        late = self.client.post(
            url, {"date": "2041-01-01", "value": "12"}, content_type="application/json", **headers
        )
        self.assertEqual(late.status_code, 422)
        text = self.client.post(
            url,
            {"date": "2026-03-31", "value": "dodici"},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(text.status_code, 422)
        self.assertEqual(Measurement.objects.count(), 1)
        series = self.client.get(url).json()
        self.assertEqual(series[0]["date"], dt.date(2026, 3, 31).isoformat())
        forbidden = self.client.post(
            url,
            {"date": "2026-03-31", "value": "1"},
            content_type="application/json",
            **self.api_headers(self.outsider),
        )
        self.assertEqual(forbidden.status_code, 403)
