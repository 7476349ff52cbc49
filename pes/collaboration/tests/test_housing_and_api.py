from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from pes.collaboration.demo import seed_collaboration
from pes.collaboration.models import HousingInitiative, ProposalSupport, WorkingTable
from pes.collaboration.tests.factories import (
    HousingFactory,
    MeetingFactory,
    ProcedureFactory,
    ProposalFactory,
    TableFactory,
    add_member,
    municipality,
    next_week,
    org_of,
)
from pes.test import BaseTestCase


class HousingTests(BaseTestCase):
    def test_the_register_shows_indicators_the_map_and_its_table(self):
        HousingFactory.create(
            units=20, monthly_rent=Decimal(600), market_rent=Decimal(1000), households_housed=18
        )
        HousingFactory.create(
            units=10,
            monthly_rent=Decimal(800),
            market_rent=Decimal(1000),
            households_housed=9,
            municipality=municipality("037054"),
        )
        page = self.client_for(None).get("/collaborazione/abitare/")
        self.assertContains(page, "<svg")
        self.assertContains(page, gettext("Housing units by municipality"))
        # (40*20 + 20*10) / 30, in either language's number format
        self.assertRegex(page.content.decode(), r"33[.,]3\s?%")
        self.assertContains(page, ">27<")

    def test_the_register_filters_by_tenure(self):
        HousingFactory.create(name="Per studenti", tenure="student")
        HousingFactory.create(name="In affitto", tenure="rent")
        page = self.client_for(None).get("/collaborazione/abitare/?tenure=student")
        self.assertContains(page, "Per studenti")
        self.assertNotContains(page, "In affitto")

    def test_a_member_adds_an_initiative_and_bad_rents_are_refused(self):
        data = {
            "name": "Cohousing Savena",
            "lead": self.org.pk,
            "municipality": municipality().pk,
            "units": "12",
            "tenure": "undivided",
            "monthly_rent": "500",
            "market_rent": "900",
            "households_housed": "11",
            "target_groups": ["elderly", "young"],
            "partners": "",
        }
        client = self.client_for(self.member)
        bad = client.post("/collaborazione/abitare/nuova/", {**data, "market_rent": "0"})
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(HousingInitiative.objects.exists())
        unknown = client.post("/collaborazione/abitare/nuova/", {**data, "partners": "XYZ"})
        self.assertContains(unknown, "No organisation with this codice fiscale", status_code=422)
        bank = org_of("BANCA", "Banca partner")
        response = client.post(
            "/collaborazione/abitare/nuova/", {**data, "partners": bank.codice_fiscale}
        )
        housing = HousingInitiative.objects.get()
        self.assertEqual(list(housing.partners.all()), [bank])
        self.assertRedirects(response, housing.get_absolute_url())
        self.assertContains(client.get(housing.get_absolute_url()), "older people")
        self.assertEqual(
            self.client_for(self.outsider).get("/collaborazione/abitare/nuova/").status_code, 403
        )

    def test_the_register_takes_the_same_queries_for_few_and_many_initiatives(self):
        HousingFactory.create()
        client = self.client_for(None)
        client.get("/collaborazione/abitare/")
        with CaptureQueriesContext(connection) as few:
            client.get("/collaborazione/abitare/")
        for _ in range(10):
            HousingFactory.create()
        with CaptureQueriesContext(connection) as many:
            client.get("/collaborazione/abitare/")
        self.assertEqual(len(few), len(many))


class ApiTests(BaseTestCase):
    def test_tables_honour_visibility(self):
        TableFactory.create(title="Pubblico", slug="pubblico")
        hidden = TableFactory.create(title="Riservato", slug="riservato", visibility="members")
        add_member(hidden, self.member, self.org)
        anonymous = self.client.get("/api/v1/collaboration/tables").json()
        self.assertEqual([t["slug"] for t in anonymous], ["pubblico"])
        self.assertEqual(self.client.get("/api/v1/collaboration/tables/riservato").status_code, 404)
        mine = self.client.get(
            "/api/v1/collaboration/tables", **self.api_headers(self.member)
        ).json()
        self.assertEqual(sorted(t["slug"] for t in mine), ["pubblico", "riservato"])
        detail = self.client.get(
            "/api/v1/collaboration/tables/riservato", **self.api_headers(self.member)
        ).json()
        self.assertEqual(detail["member_list"][0]["organization"], self.org.name)

    def test_meetings_and_proposals_are_listed(self):
        table = TableFactory.create(slug="t")
        meeting = MeetingFactory.create(table=table)
        meeting.decisions.create(text="Deciso")
        ProposalFactory.create(table=table)
        meetings = self.client.get("/api/v1/collaboration/tables/t/meetings").json()
        self.assertEqual(meetings[0]["decisions"], ["Deciso"])
        self.assertEqual(
            self.client.get(f"/api/v1/collaboration/meetings/{meeting.pk}").status_code, 200
        )
        proposals = self.client.get("/api/v1/collaboration/tables/t/proposals").json()
        self.assertEqual(proposals[0]["supports"], 0)

    def test_the_coordinator_schedules_a_meeting_with_a_token_and_a_past_one_is_a_422(self):
        table = TableFactory.create(slug="t", coordinator=self.member)
        start = next_week()
        payload = {
            "title": "Riunione",
            "agenda": "Punti",
            "starts_at": start.isoformat(),
            "ends_at": (start.replace(hour=12)).isoformat(),
            "place": "Bologna",
        }
        url = "/api/v1/collaboration/tables/t/meetings"
        response = self.client.post(
            url, payload, content_type="application/json", **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 201, response.content)
        past = {
            **payload,
            "starts_at": "2020-01-01T10:00:00+01:00",
            "ends_at": "2020-01-01T12:00:00+01:00",
        }
        bad = self.client.post(
            url, past, content_type="application/json", **self.api_headers(self.member)
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["body", "starts_at"])
        self.assertEqual(table.meetings.count(), 1)
        other = self.client.post(
            url, payload, content_type="application/json", **self.api_headers(self.outsider)
        )
        self.assertEqual(other.status_code, 403)

    def test_support_through_the_api_once_per_organisation(self):
        proposal = ProposalFactory.create()
        url = f"/api/v1/collaboration/proposals/{proposal.pk}/support"
        headers = self.api_headers(self.member)
        first = self.client.post(
            url, {"organization_id": self.org.pk}, content_type="application/json", **headers
        )
        self.assertEqual(first.status_code, 201)
        second = self.client.post(
            url, {"organization_id": self.org.pk}, content_type="application/json", **headers
        )
        self.assertEqual(second.status_code, 422)
        self.assertEqual(second.json()["detail"][0]["loc"], ["body", "organization_id"])
        other = org_of("BANCA", "Banca altrui")
        third = self.client.post(
            url, {"organization_id": other.pk}, content_type="application/json", **headers
        )
        self.assertEqual(third.status_code, 422)
        self.assertEqual(ProposalSupport.objects.count(), 1)

    def test_procedures_and_housing_are_public(self):
        comune = org_of("PA", "Comune X")
        ProcedureFactory.create(administration=comune, stage="notice", slug="avviso")
        ProcedureFactory.create(administration=comune, slug="bozza")
        slugs = [p["slug"] for p in self.client.get("/api/v1/collaboration/procedures").json()]
        self.assertEqual(slugs, ["avviso"])
        self.assertEqual(self.client.get("/api/v1/collaboration/procedures/bozza").status_code, 404)
        HousingFactory.create()
        data = self.client.get("/api/v1/collaboration/housing").json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["results"][0]["rent_reduction"], "40.0")


class DemoTests(BaseTestCase):
    def test_the_demo_is_deterministic_and_idempotent(self):
        org_of("PA", "Comune demo")
        org_of("BANCA", "Banca demo")
        org_of("FOB", "Fondazione demo")
        org_of("COOP", "Cooperativa demo")
        self.assertEqual(seed_collaboration(tables=3, seed=7), 3)
        self.assertEqual(seed_collaboration(tables=3, seed=7), 0)
        self.assertEqual(WorkingTable.objects.count(), 3)
        self.assertEqual(HousingInitiative.objects.count(), 3)
        self.assertEqual(self.client.get("/collaborazione/abitare/").status_code, 200)
