"""Every page over HTTP: the small municipality's flow, permissions, bad input, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.plan.models import Action
from pes.procurement.models import Bid, Clause, Contract, Criterion, SupplierReport, Tender
from pes.procurement.selectors import procurement_dashboard
from pes.procurement.services import report_submit, tender_award
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import clause, make_bid, make_tender


class SmallMunicipalityFlowTests(ProcurementTestCase):
    """Done when: a small municipality builds a labour-intensive tender from the library,
    enters three bids, gets the ranking with the per-criterion table, awards it, and the
    supplier's reports show up against its commitments."""

    def test_the_whole_flow_through_the_pages(self):
        clerk = self.client_for(self.clerk)
        deadline = (timezone.localtime() + dt.timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")
        action = Action.objects.filter(mission__number=5).first()
        assert action is not None
        response = clerk.post(
            "/appalti/gare/nuova/",
            {
                "buyer": self.buyer.pk,
                "title": "Pulizia degli edifici comunali",
                "cig": "B123456789",
                "cup": "",
                "estimated_value": "120000",
                "procedure": "open",
                "labour_intensive": "on",
                "price_only_forbidden": "on",
                "price_formula": "bilinear",
                "bilinear_x": "0.90",
                "concave_alpha": "0.50",
                "bid_deadline": deadline,
                "impact_objectives": "Occupazione stabile",
                "actions": [action.pk],
                "mandatory_clauses": [clause("obbligo-clausola-sociale").pk],
            },
        )
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["form"].errors,
        )
        tender = Tender.objects.get(title="Pulizia degli edifici comunali")
        self.assertEqual(tender.state, "draft")
        url = f"/appalti/gare/{tender.pk}/"

        page = clerk.get(url)
        self.assertContains(page, "Add the award criteria")
        # A price weight over the cap: a clear message, nothing saved.
        response = clerk.post(url + "criteri/", {"kind": "price", "weight": "40"})
        self.assertContains(response, "at most 30 points", status_code=422)
        self.assertFalse(tender.criteria.exists())

        for data in (
            {"kind": "price", "weight": "30"},
            {"kind": "quality", "weight": "45", "label": "Progetto tecnico", "rescale": "on"},
            {"kind": "clause", "clause": clause("certificazione-parita-genere").pk, "weight": "5"},
            {"kind": "clause", "clause": clause("quota-tempo-indeterminato").pk, "weight": "10"},
            {"kind": "clause", "clause": clause("assunzione-svantaggiati").pk, "weight": "10"},
        ):
            self.assertEqual(clerk.post(url + "criteri/", data).status_code, 302, data)
        page = clerk.get(url)
        self.assertContains(page, "the tender can be published")
        self.assertEqual(clerk.post(url + "pubblica/").status_code, 302)
        tender.refresh_from_db()
        self.assertEqual(tender.state, "open")

        crit = {c.clause.code if c.clause else c.kind: c for c in tender.criteria.all()}
        bids = [
            (self.org, "90000", "0.9; 0,8; 1", "1", "90", "4"),
            (self.rival, "84000", "0.6 0.7 0.6", "0", "60", "2"),
            (self.third, "100000", "0.5 0.5 0.6", "1", "50", "1"),
        ]
        for supplier, price, quality, gender, permanent, disadvantaged in bids:
            response = clerk.post(
                url + "offerte/nuova/",
                {
                    "supplier": supplier.pk,
                    "price": price,
                    f"criterion_{crit['quality'].pk}": quality,
                    f"criterion_{crit['certificazione-parita-genere'].pk}": gender,
                    f"criterion_{crit['quota-tempo-indeterminato'].pk}": permanent,
                    f"criterion_{crit['assunzione-svantaggiati'].pk}": disadvantaged,
                },
            )
            self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(tender.bids.count(), 3)

        ranking = clerk.get(url + "graduatoria/")
        self.assertContains(ranking, "The commission's table, criterion by criterion")
        self.assertContains(ranking, "X + (1 − X)")
        self.assertContains(ranking, "Award and create the contract")
        rows = ranking.context["ranking"].rows
        # Bilinear price (discounts 25%, 30%, 16.67%; mean 23.89%), quality re-scaled to the
        # best (0.9, 0.633, 0.533), gender yes/no, permanent thresholds, disadvantaged / 4:
        # 27.55 + 45 + 5 + 10 + 10; 30 + 31.67 + 0 + 5 + 5; 18.84 + 26.67 + 5 + 5 + 2.5.
        self.assertEqual(
            [r.total for r in rows], [Decimal("97.55"), Decimal("71.67"), Decimal("58.01")]
        )
        first = rows[0].bid
        self.assertEqual(first.supplier, self.org)

        today = timezone.localdate()
        response = clerk.post(
            url + "aggiudica/",
            {
                "bid": first.pk,
                "start": (today - dt.timedelta(days=190)).isoformat(),
                "end": (today + dt.timedelta(days=540)).isoformat(),
                "report_every_months": "6",
            },
        )
        contract = Contract.objects.get(tender=tender)
        self.assertRedirects(response, f"/appalti/contratti/{contract.pk}/")

        supplier = self.client_for(self.member)
        page = supplier.get(f"/appalti/contratti/{contract.pk}/")
        self.assertContains(page, "Submit a report")
        response = supplier.post(
            f"/appalti/contratti/{contract.pk}/rapporto/",
            {
                "period": contract.start.isoformat(),
                "employed": "14",
                "permanent_share": "92",
                "reabsorbed": "0",
                "disadvantaged": "2",
                "training_hours": "12",
                "local_subcontracting": "0",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = self.client_for(self.governance).get(f"/appalti/contratti/{contract.pk}/")
        rows = {r.commitment.metric: r for r in page.context["m"].commitments}
        self.assertEqual(rows["permanent_share"].status, "on_track")
        self.assertEqual(rows["disadvantaged"].delivered, Decimal(2))
        self.assertEqual(rows["disadvantaged"].status, "pending")  # 2 of 4, contract running
        self.assertGreater(page.context["m"].social_value, 0)
        # The same period again: closed.
        response = supplier.post(
            f"/appalti/contratti/{contract.pk}/rapporto/",
            {"period": contract.start.isoformat(), "employed": "1", "permanent_share": "1"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(SupplierReport.objects.count(), 1)


class PagesTests(ProcurementTestCase):
    def setUp(self):
        self.tender = make_tender(buyer=self.buyer)
        self.draft = make_tender(buyer=self.buyer, publish=False)
        self.bid = make_bid(self.tender, self.org, price="80000", quality=["0.9"])
        make_bid(self.tender, self.rival, price="85000", quality=["0.5"])

    def test_public_pages_answer_to_visitors(self):
        client = self.client_for(None)
        for url in (
            "/appalti/",
            "/appalti/gare/",
            f"/appalti/gare/{self.tender.pk}/",
            "/appalti/clausole/",
            "/appalti/valore-sociale/",
            f"/appalti/gare/{self.tender.pk}/ocds/rilasci.json",
        ):
            self.assertEqual(client.get(url).status_code, 200, url)
        listing = client.get("/appalti/")
        self.assertContains(listing, self.tender.title)
        self.assertEqual(listing.context["page"].paginator.count, 1)  # not the draft

    def test_drafts_are_hidden_from_others(self):
        self.assertEqual(
            self.client_for(None).get(f"/appalti/gare/{self.draft.pk}/").status_code, 404
        )
        self.assertEqual(
            self.client_for(self.member).get(f"/appalti/gare/{self.draft.pk}/").status_code, 404
        )
        self.assertEqual(
            self.client_for(self.clerk).get(f"/appalti/gare/{self.draft.pk}/").status_code, 200
        )

    def test_scores_before_the_award_are_for_the_buyer_and_its_commissioners(self):
        url = f"/appalti/gare/{self.tender.pk}/graduatoria/"
        self.assertEqual(self.client_for(self.clerk).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.governance).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.member).get(url).status_code, 403)
        self.assertEqual(self.client_for(None).get(url).status_code, 403)
        self.tender.commissioners.add(self.operator)
        self.assertEqual(self.client_for(self.operator).get(url).status_code, 200)
        other = make_tender(buyer=self.buyer)
        self.assertEqual(
            self.client_for(self.operator)
            .get(f"/appalti/gare/{other.pk}/graduatoria/")
            .status_code,
            403,
        )

    def test_the_ranking_is_public_after_the_award(self):
        today = timezone.localdate()
        tender_award(
            tender=self.tender, bid=self.bid, start=today, end=today + dt.timedelta(days=30)
        )
        response = self.client_for(None).get(f"/appalti/gare/{self.tender.pk}/graduatoria/")
        self.assertContains(response, self.org.name)
        self.assertNotContains(response, "Award and create the contract")

    def test_only_the_buyer_edits_enters_bids_and_awards(self):
        for user in (self.member, self.outsider):
            client = self.client_for(user)
            self.assertEqual(
                client.get(f"/appalti/gare/{self.draft.pk}/modifica/").status_code, 404
            )
            self.assertEqual(
                client.get(f"/appalti/gare/{self.tender.pk}/offerte/nuova/").status_code, 403
            )
            self.assertEqual(
                client.post(
                    f"/appalti/gare/{self.tender.pk}/aggiudica/", {"bid": self.bid.pk}
                ).status_code,
                403,
            )
            self.assertEqual(client.get("/appalti/gare/nuova/").status_code, 403)
        self.assertEqual(self.client_for(None).get("/appalti/gare/nuova/").status_code, 302)
        self.assertFalse(Contract.objects.exists())

    def test_the_buyer_edits_a_draft(self):
        client = self.client_for(self.clerk)
        page = client.get(f"/appalti/gare/{self.draft.pk}/modifica/")
        self.assertEqual(page.status_code, 200)
        data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
        data.update(
            title="Nuovo oggetto",
            buyer=self.buyer.pk,
            actions=[],
            mandatory_clauses=[],
            bid_deadline=(timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            labour_intensive="on",
        )
        data.pop("price_only_forbidden", None)
        response = client.post(f"/appalti/gare/{self.draft.pk}/modifica/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Tender.objects.get(pk=self.draft.pk).title, "Nuovo oggetto")
        # A published tender cannot be edited.
        response = client.get(f"/appalti/gare/{self.tender.pk}/modifica/")
        self.assertEqual(response.status_code, 302)

    def test_bad_tender_input_shows_field_errors_and_saves_nothing(self):
        client = self.client_for(self.clerk)
        before = Tender.objects.count()
        response = client.post(
            "/appalti/gare/nuova/",
            {
                "buyer": self.buyer.pk,
                "title": "x",
                "cig": "123",
                "cup": "ABC",
                "estimated_value": "-5",
                "procedure": "open",
                "price_formula": "linear",
                "bilinear_x": "0.9",
                "concave_alpha": "0.5",
                "bid_deadline": "not a date",
            },
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors) >= {"cig", "cup", "estimated_value", "bid_deadline"}, True)
        self.assertEqual(Tender.objects.count(), before)

    def test_bad_bid_input_a_discount_over_100_percent_or_missing_price(self):
        client = self.client_for(self.clerk)
        url = f"/appalti/gare/{self.tender.pk}/offerte/nuova/"
        crit = {c.clause.code if c.clause else c.kind: c for c in self.tender.criteria.all()}
        base = {
            "supplier": self.third.pk,
            f"criterion_{crit['quality'].pk}": "0.5",
            f"criterion_{crit['certificazione-parita-genere'].pk}": "1",
            f"criterion_{crit['quota-tempo-indeterminato'].pk}": "50",
            f"criterion_{crit['assunzione-svantaggiati'].pk}": "1",
            f"criterion_{crit['ore-formazione'].pk}": "1",
        }
        response = client.post(url, {**base, "price": "-100"})
        self.assertContains(response, "The price must be greater than zero.", status_code=422)
        response = client.post(url, {**base, "price": ""})
        self.assertContains(response, "Enter the price offered.", status_code=422)
        response = client.post(
            url, {**base, "price": "1000", f"criterion_{crit['quality'].pk}": "7"}
        )
        self.assertContains(response, "between 0 and 1", status_code=422)
        self.assertEqual(Bid.objects.filter(supplier=self.third).count(), 0)

    def test_a_bid_after_the_deadline_is_refused_on_the_page(self):
        client = self.client_for(self.clerk)
        crit = {c.clause.code if c.clause else c.kind: c for c in self.tender.criteria.all()}
        late = timezone.localtime(self.tender.bid_deadline + dt.timedelta(hours=1))
        response = client.post(
            f"/appalti/gare/{self.tender.pk}/offerte/nuova/",
            {
                "supplier": self.third.pk,
                "price": "1000",
                "submitted_at": late.strftime("%Y-%m-%dT%H:%M"),
                f"criterion_{crit['quality'].pk}": "0.5",
                f"criterion_{crit['certificazione-parita-genere'].pk}": "1",
                f"criterion_{crit['quota-tempo-indeterminato'].pk}": "50",
                f"criterion_{crit['assunzione-svantaggiati'].pk}": "1",
                f"criterion_{crit['ore-formazione'].pk}": "1",
            },
        )
        self.assertContains(response, "The deadline for bids passed", status_code=422)

    def test_weights_not_summing_to_100_block_publishing_with_a_message(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        client = self.client_for(self.clerk)
        client.post(f"/appalti/gare/{tender.pk}/criteri/", {"kind": "price", "weight": "30"})
        response = client.post(f"/appalti/gare/{tender.pk}/pubblica/", follow=True)
        self.assertContains(response, "they must add up to 100")
        self.assertEqual(Tender.objects.get(pk=tender.pk).state, "draft")
        crit = tender.criteria.get()
        client.post(f"/appalti/gare/{tender.pk}/criteri/{crit.pk}/elimina/")
        self.assertFalse(Criterion.objects.filter(pk=crit.pk).exists())

    def test_a_buyer_adds_its_own_clause(self):
        client = self.client_for(self.clerk)
        self.assertEqual(client.get("/appalti/clausole/nuova/").status_code, 200)
        response = client.post(
            "/appalti/clausole/nuova/",
            {
                "label": "Mezzi a basse emissioni",
                "rule": "yes_no",
                "thresholds": "[]",
                "metric": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        own = Clause.objects.get(label="Mezzi a basse emissioni")
        self.assertEqual(own.owner, self.buyer)
        self.assertContains(client.get("/appalti/clausole/"), "Mezzi a basse emissioni")
        self.assertEqual(
            self.client_for(self.member).get("/appalti/clausole/nuova/").status_code, 403
        )


class ContractPagesTests(ProcurementTestCase):
    def setUp(self):
        tender = make_tender(buyer=self.buyer)
        bid = make_bid(tender, self.org, price="80000", quality=["0.9"])
        make_bid(tender, self.rival, price="85000", quality=["0.5"])
        today = timezone.localdate()
        self.contract = tender_award(
            tender=tender,
            bid=bid,
            start=today - dt.timedelta(days=400),
            end=today + dt.timedelta(days=300),
        )

    def test_a_supplier_sees_only_its_own_contracts(self):
        url = f"/appalti/contratti/{self.contract.pk}/"
        self.assertEqual(self.client_for(self.member).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.clerk).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.governance).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)
        self.assertEqual(self.client_for(None).get(url).status_code, 404)
        self.assertContains(
            self.client_for(self.member).get("/appalti/contratti/"), self.contract.tender.title
        )
        self.assertNotContains(
            self.client_for(self.outsider).get("/appalti/contratti/"), self.contract.tender.title
        )

    def test_only_the_supplier_reports(self):
        url = f"/appalti/contratti/{self.contract.pk}/rapporto/"
        self.assertEqual(self.client_for(self.clerk).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.member).get(url).status_code, 200)

    def test_late_reports_and_breaches_are_shown(self):
        page = self.client_for(self.governance).get(f"/appalti/contratti/{self.contract.pk}/")
        self.assertEqual(page.context["m"].late, 2)  # two periods ended > 30 days ago
        report_submit(
            contract=self.contract,
            period_start=self.contract.start,
            data={"employed": 10, "permanent_share": Decimal(50)},
        )
        page = self.client_for(self.governance).get(f"/appalti/contratti/{self.contract.pk}/")
        rows = {r.commitment.metric: r.status for r in page.context["m"].commitments}
        self.assertEqual(rows["permanent_share"], "breach")  # 50% delivered, 80% committed
        self.assertEqual(page.context["m"].late, 1)

    def test_the_cached_dashboard_follows_reports_and_the_calendar(self):
        board = self.client_for(self.governance).get("/appalti/cruscotto/").context["board"]
        self.assertEqual((board.late_reports, board.breaches, board.attention), (2, 0, 1))
        report_submit(
            contract=self.contract,
            period_start=self.contract.start,
            data={"employed": 10, "permanent_share": Decimal(50)},
        )
        board = self.client_for(self.governance).get("/appalti/cruscotto/").context["board"]
        self.assertEqual((board.late_reports, board.breaches), (1, 1))
        # Another day is another entry: a deadline a year ahead has passed by then.
        later = timezone.localdate() + dt.timedelta(days=365)
        with mock.patch("django.utils.timezone.localdate", return_value=later):
            board = self.client_for(self.governance).get("/appalti/cruscotto/").context["board"]
        self.assertGreater(board.late_reports, 1)

    def test_the_dashboard_is_for_governance(self):
        self.assertEqual(self.client_for(self.clerk).get("/appalti/cruscotto/").status_code, 403)
        page = self.client_for(self.governance).get("/appalti/cruscotto/")
        board = page.context["board"]
        self.assertEqual(board.tenders, 1)
        self.assertEqual(board.with_rewards, 1)
        self.assertEqual(board.late_reports, 2)
        year = timezone.localdate().year
        page = self.client_for(self.governance).get(
            f"/appalti/cruscotto/?buyer={self.buyer.pk}&year={year}"
        )
        self.assertEqual(page.context["board"].tenders, 1)
        page = self.client_for(self.governance).get("/appalti/cruscotto/?year=2001")
        self.assertEqual(page.status_code, 200)  # an unknown year is ignored, not a 500


class QueryCountTests(ProcurementTestCase):
    def make(self, n):
        for _ in range(n):
            t = make_tender(buyer=self.buyer)
            make_bid(t, self.org, price="80000", quality=["0.9"])
            bid = make_bid(t, self.rival, price="70000", quality=["0.5"], gender="0")
            today = timezone.localdate()
            from pes.procurement.ranking import tender_ranking

            winner = tender_ranking(tender=t).rows[0].bid
            tender_award(tender=t, bid=winner, start=today - dt.timedelta(days=200), end=today)
            self.assertTrue(bid.pk)

    def count(self, client, url):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_list_dashboard_and_ranking_queries_do_not_grow_with_the_data(self):
        gov = self.client_for(self.governance)
        self.make(1)
        tender = Tender.objects.first()
        assert tender is not None
        small = [
            self.count(gov, u)
            for u in ("/appalti/", "/appalti/cruscotto/", f"/appalti/gare/{tender.pk}/graduatoria/")
        ]
        self.make(3)
        large = [
            self.count(gov, u)
            for u in ("/appalti/", "/appalti/cruscotto/", f"/appalti/gare/{tender.pk}/graduatoria/")
        ]
        self.assertEqual(small, large)
        self.assertTrue(all(n <= 20 for n in large), large)


class StoredFiguresTests(ContractPagesTests):
    """The dashboard counts stored figures in SQL; they equal the monitoring computed in Python
    and a write keeps them correct."""

    def python_totals(self):
        from pes.procurement.selectors import contract_monitoring

        m = contract_monitoring(contract=Contract.objects.get(pk=self.contract.pk))
        return (len(m.commitments), m.on_track, m.breaches, m.late, m.social_value)

    def board_totals(self):
        board = procurement_dashboard()
        return (
            board.commitments,
            board.on_track,
            board.breaches,
            board.late_reports,
            board.social_value,
        )

    def test_a_report_updates_the_stored_figures_and_the_dashboard(self):
        self.assertEqual(self.board_totals(), self.python_totals())
        self.assertTrue(all(c.delivered is None for c in self.contract.commitments.all()))
        report_submit(
            contract=self.contract,
            period_start=self.contract.start,
            data={"employed": 10, "permanent_share": Decimal(50), "training_hours": Decimal(7)},
        )
        delivered = dict(self.contract.commitments.values_list("metric", "delivered"))
        self.assertEqual(delivered["permanent_share"], Decimal(50))
        self.assertEqual(self.board_totals(), self.python_totals())
        board = procurement_dashboard()
        self.assertEqual((board.breaches, board.late_reports), (1, 1))
        self.assertEqual([c.pk for c in board.monitoring], [self.contract.pk])

    def test_the_full_list_and_csv_keep_every_contract_for_governance_only(self):
        gov = self.client_for(self.governance)
        page = gov.get("/appalti/cruscotto/contratti/")
        self.assertContains(page, self.contract.tender.title)
        self.assertContains(gov.get("/appalti/cruscotto/contratti/?attenzione=1"), "1 contract.")
        csv_page = gov.get("/appalti/cruscotto/contratti.csv")
        self.assertEqual(csv_page["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(self.contract.tender.title, csv_page.content.decode())
        for url in ("/appalti/cruscotto/contratti/", "/appalti/cruscotto/contratti.csv"):
            self.assertEqual(self.client_for(self.clerk).get(url).status_code, 403)
