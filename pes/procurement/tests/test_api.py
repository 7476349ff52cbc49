"""The procurement API: tenders, scores, contracts and reports, with their permissions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pes.procurement.models import SupplierReport
from pes.procurement.services import tender_award
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import make_bid, make_tender

API = "/api/v1/procurement"


class TenderApiTests(ProcurementTestCase):
    def setUp(self):
        self.tender = make_tender(buyer=self.buyer)
        self.draft = make_tender(buyer=self.buyer, publish=False)
        self.bid = make_bid(self.tender, self.org, price="80000", quality=["0.9"])
        make_bid(self.tender, self.rival, price="85000", quality=["0.5"], gender="0")

    def test_the_public_lists_published_tenders_only(self):
        body = self.client.get(f"{API}/tenders").json()
        self.assertEqual([t["id"] for t in body["results"]], [self.tender.pk])
        self.assertTrue(body["results"][0]["has_reward_clauses"])
        staff = self.client.get(f"{API}/tenders", **self.api_headers(self.clerk)).json()
        self.assertEqual(staff["count"], 2)
        detail = self.client.get(f"{API}/tenders/{self.tender.pk}").json()
        self.assertEqual(sum(float(c["weight"]) for c in detail["criteria"]), 100)
        self.assertEqual(self.client.get(f"{API}/tenders/{self.draft.pk}").status_code, 404)

    def test_scores_before_the_award_only_for_the_buyer_and_its_commissioners(self):
        url = f"{API}/tenders/{self.tender.pk}/scores"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(url, **self.api_headers(self.member)).status_code, 403)
        self.tender.commissioners.add(self.operator)
        response = self.client.get(url, **self.api_headers(self.operator))
        self.assertEqual(response.status_code, 200)
        ranking = response.json()
        self.assertEqual(ranking[0]["bidder"], self.org.name)
        self.assertEqual(len(ranking[0]["scores"]), 6)
        other = make_tender(buyer=self.buyer)
        response = self.client.get(
            f"{API}/tenders/{other.pk}/scores", **self.api_headers(self.operator)
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(url, **self.api_headers(self.clerk)).status_code, 200)

    def test_scores_are_public_after_the_award(self):
        today = timezone.localdate()
        tender_award(tender=self.tender, bid=self.bid, start=today, end=today)
        self.assertEqual(self.client.get(f"{API}/tenders/{self.tender.pk}/scores").status_code, 200)


class ContractApiTests(ProcurementTestCase):
    def setUp(self):
        tender = make_tender(buyer=self.buyer)
        bid = make_bid(tender, self.org, price="80000", quality=["0.9"])
        make_bid(tender, self.rival, price="85000", quality=["0.5"])
        today = timezone.localdate()
        self.contract = tender_award(
            tender=tender,
            bid=bid,
            start=today - dt.timedelta(days=100),
            end=today + dt.timedelta(days=600),
        )
        other = make_tender(buyer=self.buyer)
        won = make_bid(other, self.rival, price="70000", quality=["1"])
        make_bid(other, self.third, price="90000", quality=["0.1"])
        self.other = tender_award(tender=other, bid=won, start=today, end=today)

    def test_a_supplier_sees_only_its_own_contracts(self):
        mine = self.client.get(f"{API}/contracts", **self.api_headers(self.member)).json()
        self.assertEqual([c["id"] for c in mine], [self.contract.pk])
        response = self.client.get(
            f"{API}/contracts/{self.other.pk}", **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 403)
        everything = self.client.get(f"{API}/contracts", **self.api_headers(self.governance))
        self.assertEqual(len(everything.json()), 2)
        self.assertEqual(self.client.get(f"{API}/contracts").status_code, 401)

    def test_the_supplier_reports_and_sees_committed_against_delivered(self):
        headers = self.api_headers(self.member)
        url = f"{API}/contracts/{self.contract.pk}/reports"
        payload = {
            "period_start": self.contract.start.isoformat(),
            "employed": 10,
            "permanent_share": "85",
            "disadvantaged": 3,
            "training_hours": "25",
        }
        response = self.client.post(url, payload, content_type="application/json", **headers)
        self.assertEqual(response.status_code, 201, response.content)
        detail = self.client.get(f"{API}/contracts/{self.contract.pk}", **headers).json()
        status = {c["metric"]: c["status"] for c in detail["commitments"]}
        self.assertEqual(
            status,
            {
                "permanent_share": "on_track",
                "disadvantaged": "on_track",
                "training_hours": "on_track",
            },
        )
        self.assertEqual(len(self.client.get(url, **headers).json()), 1)

    def test_bad_reports_get_field_errors_and_nothing_is_saved(self):
        headers = self.api_headers(self.member)
        url = f"{API}/contracts/{self.contract.pk}/reports"
        good = {
            "period_start": self.contract.start.isoformat(),
            "employed": 10,
            "permanent_share": "85",
        }
        for bad in (
            {**good, "permanent_share": "120"},
            {**good, "employed": -1},
            {**good, "period_start": (self.contract.start + dt.timedelta(days=1)).isoformat()},
            {k: v for k, v in good.items() if k != "employed"},
        ):
            response = self.client.post(url, bad, content_type="application/json", **headers)
            self.assertEqual(response.status_code, 422, bad)
        self.client.post(url, good, content_type="application/json", **headers)
        response = self.client.post(
            url, good, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
        )
        self.assertEqual(response.status_code, 422)
        error = response.json()["detail"][0]
        self.assertEqual(error["loc"], ["body", "period_start"])
        self.assertIn("This period is closed", error["msg"])
        self.assertEqual(SupplierReport.objects.count(), 1)

    def test_only_the_supplier_posts_reports(self):
        url = f"{API}/contracts/{self.contract.pk}/reports"
        payload = {
            "period_start": self.contract.start.isoformat(),
            "employed": 1,
            "permanent_share": 1,
        }
        for user in (self.clerk, self.outsider):
            response = self.client.post(
                url, payload, content_type="application/json", **self.api_headers(user)
            )
            self.assertEqual(response.status_code, 403, user)
        self.assertFalse(SupplierReport.objects.exists())
