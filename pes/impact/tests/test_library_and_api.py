"""The indicator library and proxy table (curated seed, filters, CSV, own entries), and the
API for methods, indicators, campaigns, answers and SROI calculations."""

from __future__ import annotations

import json
from decimal import Decimal

from django.urls import reverse

from pes.impact.library import indicator_rows, load_library, proxy_rows
from pes.impact.models import Campaign, Indicator, Outcome, Proxy
from pes.impact.services import campaign_create
from pes.impact.tests.factories import SroiFactory, TheoryFactory, make_method
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase


class LibraryTests(BaseTestCase):
    def test_the_curated_library_is_loaded_with_a_core_set_and_only_real_looking_iris_ids(self):
        rows = indicator_rows()
        self.assertEqual(Indicator.objects.filter(organization__isnull=True).count(), len(rows))
        self.assertEqual(Indicator.objects.filter(is_core=True).count(), 8)
        self.assertTrue(Indicator.objects.filter(data_type="gender_count", is_core=True).exists())
        for ind in Indicator.objects.exclude(iris_id=""):
            self.assertRegex(ind.iris_id, r"^(PI|OI)\d{4}$")
        for ind in Indicator.objects.exclude(sdg_target=""):
            self.assertRegex(ind.sdg_target, r"^\d{1,2}\.[0-9a-z]{1,2}$")
        # Loading again updates, never duplicates.
        load_library()
        self.assertEqual(Indicator.objects.count(), len(rows))
        self.assertEqual(Proxy.objects.count(), len(proxy_rows()))
        self.assertFalse(Proxy.objects.filter(source="").exists())

    def test_the_library_page_filters_and_exports_csv(self):
        page = self.client.get(reverse("impact:indicators"), {"core": "on"})
        self.assertContains(page, "8 indicators")
        page = self.client.get(reverse("impact:indicators"), {"q": "volontariato"})
        self.assertContains(page, "OI1166")
        self.assertNotContains(page, "CORE-08")
        page = self.client.get(
            reverse("impact:indicators"), {"data_type": "percentage", "page": "99"}
        )
        self.assertEqual(page.status_code, 200)
        csv = self.client.get(reverse("impact:indicators"), {"format": "csv", "core": "on"})
        self.assertEqual(csv["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(len(csv.content.decode().strip().splitlines()), 9)

    def test_a_member_adds_an_indicator_for_the_organisation(self):
        client = self.client_for(self.member)
        response = client.post(
            reverse("impact:indicator_new"),
            {
                "organization": self.org.pk,
                "name": "Pasti distribuiti",
                "definition": "Pasti all'anno",
                "unit": "pasti",
                "data_type": "integer",
                "iris_id": "xx",
            },
        )
        self.assertContains(response, "An IRIS+ id is two letters", status_code=422)
        self.assertContains(response, "Pasti distribuiti", status_code=422)
        response = client.post(
            reverse("impact:indicator_new"),
            {
                "organization": self.org.pk,
                "name": "Pasti distribuiti",
                "definition": "Pasti all'anno",
                "unit": "pasti",
                "data_type": "integer",
            },
        )
        indicator = Indicator.objects.get(name="Pasti distribuiti")
        self.assertEqual((indicator.organization, indicator.is_core), (self.org, False))
        self.assertEqual(
            self.client_for(self.outsider).get(reverse("impact:indicator_new")).status_code, 403
        )

    def test_a_proxy_without_a_source_is_refused_and_the_form_keeps_the_value(self):
        response = self.client_for(self.member).post(
            reverse("impact:proxy_new"),
            {
                "organization": self.org.pk,
                "name": "Pasto",
                "unit": "pasto",
                "euro_per_unit": "6.50",
                "source": " ",
            },
        )
        self.assertContains(response, "A financial proxy needs its source.", status_code=422)
        self.assertContains(response, 'value="6.50"', status_code=422)
        self.assertFalse(Proxy.objects.filter(name="Pasto").exists())
        page = self.client.get(reverse("impact:proxies"))
        self.assertContains(page, "to be checked")
        self.assertContains(page, "D.L. 4 maggio 2023 n. 48")


class ApiTests(BaseTestCase):
    def test_indicators_methods_and_proxies_are_public(self):
        data = self.client.get("/api/v1/impact/indicators", {"core": "true"}).json()
        self.assertEqual(data["count"], 8)
        self.assertEqual(data["results"][0]["code"], "CORE-01")
        self.assertEqual(data["results"][0]["iris_id"], "PI4060")
        method = make_method("Metodo API")
        methods = self.client.get("/api/v1/impact/methods").json()
        self.assertEqual(methods[0]["indicators"][:2], ["CORE-01", "CORE-02"])
        self.assertEqual(
            self.client.get(f"/api/v1/impact/methods/{method.pk}").json()["version"], 1
        )
        self.assertEqual(self.client.get("/api/v1/impact/methods/99999").status_code, 404)
        proxies = self.client.get("/api/v1/impact/proxies").json()
        self.assertTrue(all(p["source"] for p in proxies))

    def test_an_organisation_adds_an_indicator_through_the_api(self):
        url = "/api/v1/impact/indicators"
        body = {
            "organization_id": self.org.pk,
            "name": "Km di sentieri",
            "definition": "Sentieri curati",
            "unit": "km",
            "data_type": "decimal",
        }
        self.assertEqual(
            self.client.post(url, body, content_type="application/json").status_code, 401
        )
        response = self.client.post(
            url, body, content_type="application/json", **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 201)
        bad = self.client.post(
            url,
            {**body, "data_type": "colour"},
            content_type="application/json",
            **self.api_headers(self.member),
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["body", "data_type"])
        other = OrganizationFactory.create()
        forbidden = self.client.post(
            url,
            {**body, "organization_id": other.pk},
            content_type="application/json",
            **self.api_headers(self.member),
        )
        self.assertEqual(forbidden.status_code, 403)

    def test_a_participant_puts_answers_by_code_and_reads_them_back(self):
        campaign = campaign_create(
            method=make_method(), data={"title": "API", "year": 2025}, organizations=[self.org]
        )
        participant = campaign.participants.get()
        url = f"/api/v1/impact/participants/{participant.pk}/answers"
        headers = self.api_headers(self.member)
        bad = self.client.put(
            url,
            {"answers": {"CORE-07": 101, "CORE-01": {"women": "x"}}},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual({e["loc"][1] for e in bad.json()["detail"]}, {"CORE-07", "CORE-01"})
        unknown = self.client.put(
            url, {"answers": {"NOPE": 1}}, content_type="application/json", **headers
        )
        self.assertEqual(unknown.status_code, 422)
        ok = self.client.put(
            url,
            {"answers": {"CORE-07": 85.5, "CORE-01": {"women": 3, "men": 2}}},
            content_type="application/json",
            **headers,
        )
        self.assertEqual(ok.status_code, 200, ok.content)
        got = {a["indicator"]: a for a in self.client.get(url, **headers).json()}
        self.assertEqual(Decimal(got["CORE-07"]["value"]), Decimal("85.5"))
        self.assertEqual((got["CORE-01"]["value"], got["CORE-01"]["women"]), (5, 3))
        self.assertEqual(self.client.get(url, **self.api_headers(self.outsider)).status_code, 404)
        live = self.client.get(
            f"/api/v1/impact/campaigns/{campaign.pk}/results/live", **headers
        ).json()
        self.assertEqual(live["participants"], 1)
        self.assertEqual(
            self.client.get(f"/api/v1/impact/campaigns/{campaign.pk}/results").status_code, 404
        )
        Campaign.objects.filter(pk=campaign.pk).update(status="validated")
        public = self.client.get(f"/api/v1/impact/campaigns/{campaign.pk}/results").json()
        people = next(r for r in public["results"] if r["indicator"] == "CORE-01")
        self.assertEqual((people["total"], people["women"], people["men"]), ("5", 3, 2))
        self.assertEqual(len(self.client.get("/api/v1/impact/campaigns", **headers).json()), 1)

    def test_the_sroi_calculator_and_a_stored_analysis(self):
        body = {
            "investment": "10000",
            "outcomes": [
                {
                    "name": "a",
                    "quantity": "10",
                    "value_per_unit": "1000",
                    "deadweight": "20",
                    "attribution": "10",
                    "drop_off": "50",
                    "duration": 3,
                }
            ],
        }
        data = self.client.post(
            "/api/v1/impact/sroi/calculate", body, content_type="application/json"
        ).json()
        self.assertEqual(
            (data["present_value"], data["ratio"], data["payback_years"]),
            ("11940.66", "1.19", "1.9"),
        )
        self.assertEqual(data["discount_rate"], "3.5")
        self.assertTrue(data["sensitivity"])
        bad = json.loads(json.dumps(body))
        bad["outcomes"][0]["duration"] = 0
        bad["outcomes"][0]["deadweight"] = "150"
        response = self.client.post(
            "/api/v1/impact/sroi/calculate", bad, content_type="application/json"
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            {e["loc"][1] for e in response.json()["detail"]},
            {"outcomes.0.duration", "outcomes.0.deadweight"},
        )
        nan = self.client.post(
            "/api/v1/impact/sroi/calculate",
            {**body, "investment": "NaN"},
            content_type="application/json",
        )
        self.assertEqual(nan.status_code, 422)

        sroi = SroiFactory.create(theory=TheoryFactory.create(organization=self.org))
        headers = self.api_headers(self.member)
        self.assertEqual(
            self.client.get(f"/api/v1/impact/sroi/{sroi.pk}", **headers).status_code, 422
        )
        Outcome.objects.create(
            sroi=sroi,
            description="x",
            stakeholder="y",
            quantity=2,
            value_per_unit=6000,
            proxy_source="D.L. 48/2023",
            duration=1,
        )
        stored = self.client.get(f"/api/v1/impact/sroi/{sroi.pk}", **headers).json()
        self.assertEqual(stored["present_value"], "11594.20")
        self.assertEqual(
            self.client.get(
                f"/api/v1/impact/sroi/{sroi.pk}", **self.api_headers(self.outsider)
            ).status_code,
            404,
        )
