"""Public pages, publishing calls, the simulators' pages, the dashboard, the demo data and
the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.finance.demo import seed_finance
from pes.finance.models import Application, Call, FinancialProduct, ImpactCase, Programme
from pes.finance.tests.factories import (
    ApplicationFactory,
    CallFactory,
    CaseFactory,
    ProductFactory,
    ProgrammeFactory,
    WalletDocumentFactory,
    in_days,
)
from pes.registry.models import LegalForm, Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase


class PublicPages(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.call = CallFactory.create(title="Bando cooperative di comunità", slug="coop-comunita")
        cls.product = ProductFactory.create(name="Microcredito sociale")
        cls.case = CaseFactory.create(title="Peterborough", slug="peterborough")

    def test_every_public_page_answers(self) -> None:
        for url, text in [
            ("/finanza/", "Bando cooperative di comunità"),
            ("/finanza/bandi/", "Bando cooperative di comunità"),
            ("/finanza/bandi/coop-comunita/", "Who may apply"),
            ("/finanza/prodotti/", "Microcredito sociale"),
            ("/finanza/impact-investing/", "Peterborough"),
            ("/finanza/impact-investing/peterborough/", "Ministry of Justice"),
            ("/finanza/simulatori/fondo-di-garanzia/", "Results side by side"),
            ("/finanza/simulatori/pagamenti-a-risultato/", "10.00%"),
            ("/finanza/cruscotto/", "Money granted by source"),
        ]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), text)

    def test_unknown_and_unpublished_records_are_not_found(self) -> None:
        CallFactory.create(slug="bozza", is_published=False)
        self.assertEqual(self.client.get("/finanza/bandi/bozza/").status_code, 404)
        self.assertEqual(self.client.get("/finanza/bandi/nessuno/").status_code, 404)
        self.assertEqual(self.client.get("/finanza/impact-investing/nessuno/").status_code, 404)

    def test_calls_are_filtered_and_closed_ones_shown_on_request(self) -> None:
        CallFactory.create(title="Bando chiuso", deadline=in_days(-5))
        CallFactory.create(title="Prestiti agevolati", instrument="loan")
        response = self.client.get("/finanza/bandi/")
        self.assertNotContains(response, "Bando chiuso")
        self.assertContains(self.client.get("/finanza/bandi/?closed=on"), "Bando chiuso")
        response = self.client.get("/finanza/bandi/?instrument=loan")
        self.assertContains(response, "Prestiti agevolati")
        self.assertNotContains(response, "Bando cooperative di comunità")
        self.assertEqual(self.client.get("/finanza/bandi/?source=nope&page=x").status_code, 200)

    def test_the_call_list_takes_the_same_queries_for_few_and_many_calls(self) -> None:
        with CaptureQueriesContext(connection) as few:
            self.client.get("/finanza/bandi/")
        CallFactory.create_batch(30)
        with CaptureQueriesContext(connection) as many:
            self.client.get("/finanza/bandi/")
        self.assertEqual(len(few), len(many))

    def test_products_are_filtered_by_kind_and_stage(self) -> None:
        ProductFactory.create(name="Equity paziente", kind="equity", stages=["growth"])
        response = self.client.get("/finanza/prodotti/?stage=growth")
        self.assertContains(response, "Equity paziente")
        self.assertNotContains(response, "Microcredito sociale")
        response = self.client.get("/finanza/prodotti/?kind=loan")
        self.assertContains(response, "Microcredito sociale")
        self.assertNotContains(response, "Equity paziente")


class PublishingCalls(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.programme = ProgrammeFactory.create(funder=cls.org)

    def data(self, **extra):
        data = {
            "programme": self.programme.pk,
            "title": "Bando per l'abitare collaborativo",
            "description": "Contributi per progetti di coabitazione.",
            "instrument": "grant",
            "opens_on": timezone.localdate().isoformat(),
            "deadline": (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
            "budget": "200000",
            "min_amount": "5000",
            "max_amount": "40000",
            "co_financing_pct": "10",
            "legal_forms": [LegalForm.objects.get(code="APS").pk],
            "municipalities": [Municipality.objects.get(istat_code="037006").pk],
            "required_documents": ["statute"],
        }
        data.update(extra)
        return data

    def test_the_funders_member_publishes_a_call(self) -> None:
        response = self.client_for(self.member).post("/finanza/bandi/nuovo/", self.data())
        call = Call.objects.get()
        self.assertRedirects(response, f"/finanza/bandi/{call.slug}/")
        self.assertEqual(call.required_documents, ["statute"])
        self.assertEqual(list(call.legal_forms.values_list("code", flat=True)), ["APS"])

    def test_a_deadline_in_the_past_is_refused(self) -> None:
        past = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        response = self.client_for(self.member).post(
            "/finanza/bandi/nuovo/", self.data(deadline=past, opens_on="2020-01-01")
        )
        self.assertContains(response, "The deadline is in the past")
        self.assertEqual(
            response.context["form"]["title"].value(), "Bando per l'abitare collaborativo"
        )
        self.assertFalse(Call.objects.exists())

    def test_negative_amounts_and_a_co_financing_over_100_are_refused(self) -> None:
        response = self.client_for(self.member).post(
            "/finanza/bandi/nuovo/",
            self.data(budget="-1", min_amount="-5", co_financing_pct="120"),
        )
        form = response.context["form"]
        self.assertIn("budget", form.errors)
        self.assertIn("min_amount", form.errors)
        self.assertIn("co_financing_pct", form.errors)
        self.assertFalse(Call.objects.exists())

    def test_a_minimum_above_the_maximum_is_refused(self) -> None:
        response = self.client_for(self.member).post(
            "/finanza/bandi/nuovo/", self.data(min_amount="50000", max_amount="40000")
        )
        self.assertContains(response, "The minimum cannot be above the maximum.")
        self.assertFalse(Call.objects.exists())

    def test_only_funders_and_governance_publish_calls(self) -> None:
        self.assertEqual(
            self.client_for(self.outsider).get("/finanza/bandi/nuovo/").status_code, 403
        )
        other = ProgrammeFactory.create()
        response = self.client_for(self.member).post(
            "/finanza/bandi/nuovo/", self.data(programme=other.pk)
        )
        self.assertIn("programme", response.context["form"].errors)
        self.assertEqual(
            self.client_for(self.governance).get("/finanza/bandi/nuovo/").status_code, 200
        )


class SimulatorPages(BaseTestCase):
    def test_several_guarantee_scenarios_are_compared_with_a_chart_and_a_table(self) -> None:
        response = self.client.get("/finanza/simulatori/fondo-di-garanzia/")
        self.assertContains(response, 'role="img"')
        self.assertContains(
            response, "<caption>Guarantee-fund scenarios (euros)</caption>", html=True
        )
        self.assertEqual(len(response.context["results"]), 3)

    def test_the_guarantee_page_gives_the_hand_computed_case(self) -> None:
        query = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "A",
            "form-0-fund": "1000000",
            "form-0-multiplier": "4",
            "form-0-coverage_pct": "50",
            "form-0-default_pct": "5",
            "form-0-recovery_pct": "30",
            "form-0-average_loan": "25000",
            "form-0-horizon_years": "3",
        }
        response = self.client.get("/finanza/simulatori/fondo-di-garanzia/", query)
        _name, result = response.context["results"][0]
        self.assertEqual(result.expected_losses, Decimal("199675.00"))
        self.assertContains(response, "800,325.00")

    def test_a_coverage_ratio_over_100_percent_gets_a_clear_message(self) -> None:
        query = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "A",
            "form-0-fund": "1000000",
            "form-0-multiplier": "4",
            "form-0-coverage_pct": "120",
            "form-0-default_pct": "5",
            "form-0-recovery_pct": "30",
            "form-0-average_loan": "-3",
            "form-0-horizon_years": "3",
        }
        response = self.client.get("/finanza/simulatori/fondo-di-garanzia/", query)
        self.assertEqual(response.status_code, 200)
        errors = response.context["formset"].forms[0].errors
        self.assertIn("coverage_pct", errors)
        self.assertIn("average_loan", errors)
        self.assertEqual(response.context["results"], [])

    def test_the_outcome_page_refuses_mismatched_years_and_text(self) -> None:
        base = {
            "capital": "1000",
            "price_per_outcome": "10",
            "threshold_pct": "0",
            "cap_pct": "100",
        }
        response = self.client.get(
            "/finanza/simulatori/pagamenti-a-risultato/",
            {**base, "targets": "10; 20", "achieved": "5"},
        )
        self.assertContains(response, "Give one achieved figure for every target.")
        response = self.client.get(
            "/finanza/simulatori/pagamenti-a-risultato/",
            {**base, "targets": "dieci", "achieved": "5"},
        )
        self.assertContains(response, "Give numbers separated by semicolons.")
        response = self.client.get(
            "/finanza/simulatori/pagamenti-a-risultato/",
            {**base, "capital": "-1", "targets": "10", "achieved": "5"},
        )
        self.assertIn("capital", response.context["form"].errors)


class Dashboard(BaseTestCase):
    def test_the_dashboard_sums_money_by_source_and_instrument_with_success_rate_and_days(
        self,
    ) -> None:
        regional = CallFactory.create(programme=ProgrammeFactory.create(source="regional"))
        bank = CallFactory.create(
            programme=ProgrammeFactory.create(source="bank"), instrument="loan"
        )
        now = timezone.now()
        ApplicationFactory.create(
            call=regional,
            status="approved",
            amount_granted=Decimal("10000"),
            submitted_at=now - dt.timedelta(days=30),
            decided_at=now,
        )
        ApplicationFactory.create(
            call=bank,
            status="approved",
            amount_granted=Decimal("5000"),
            submitted_at=now - dt.timedelta(days=10),
            decided_at=now,
        )
        ApplicationFactory.create(
            call=bank, status="rejected", submitted_at=now - dt.timedelta(days=20), decided_at=now
        )
        ApplicationFactory.create(call=bank)
        response = self.client.get("/finanza/cruscotto/")
        data = response.context["data"]
        self.assertEqual(data["mobilised"], Decimal("15000"))
        self.assertEqual(data["success_rate"], 67)
        self.assertEqual(data["days_to_decision"], 20.0)
        self.assertEqual(data["applications"], 4)
        self.assertEqual(
            response.context["by_source"],
            [("Regional", Decimal("10000.00"), 1), ("Bank", Decimal("5000.00"), 1)],
        )
        self.assertEqual(response.context["by_instrument"][1][0], "Loan")
        self.assertEqual(data["by_district"][0]["n"], 2)

    def test_the_dashboard_takes_the_same_queries_for_few_and_many_applications(self) -> None:
        call = CallFactory.create()
        ApplicationFactory.create(call=call, status="rejected", decided_at=timezone.now())
        with CaptureQueriesContext(connection) as few:
            self.client.get("/finanza/cruscotto/")
        for _n in range(10):
            ApplicationFactory.create(
                call=call, status="approved", amount_granted=1, decided_at=timezone.now()
            )
        with CaptureQueriesContext(connection) as many:
            self.client.get("/finanza/cruscotto/")
        self.assertEqual(len(few), len(many))


class Demo(BaseTestCase):
    def test_the_demo_is_deterministic_and_adds_nothing_the_second_time(self) -> None:
        OrganizationFactory.create_batch(6)
        self.assertEqual(seed_finance(calls=8, seed=7), 8)
        counts = (
            Programme.objects.count(),
            Call.objects.count(),
            Application.objects.count(),
            FinancialProduct.objects.count(),
            ImpactCase.objects.count(),
        )
        self.assertEqual(seed_finance(calls=8, seed=7), 0)
        self.assertEqual(
            counts,
            (
                Programme.objects.count(),
                Call.objects.count(),
                Application.objects.count(),
                FinancialProduct.objects.count(),
                ImpactCase.objects.count(),
            ),
        )
        self.assertGreater(Application.objects.filter(status="approved").count(), 0)
        self.assertEqual(self.client.get("/finanza/cruscotto/").status_code, 200)


class Api(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.funder_user = UserFactory.create(role=User.Role.MEMBER, email="funder@example.org")
        cls.programme = ProgrammeFactory.create()
        Membership.objects.create(
            user=cls.funder_user, organization=cls.programme.funder, role=Membership.Role.MANAGER
        )
        cls.call = CallFactory.create(
            programme=cls.programme, slug="bando-api", required_documents=["statute"]
        )

    def post(self, url: str, body: dict, user: User | None = None):
        headers = self.api_headers(user) if user else {}
        return self.client.post(url, json.dumps(body), content_type="application/json", **headers)

    def test_programmes_calls_products_and_cases_are_public(self) -> None:
        ProductFactory.create()
        CaseFactory.create()
        self.assertEqual(self.client.get("/api/v1/finance/programmes").json()[0]["calls"], 1)
        calls = self.client.get("/api/v1/finance/calls").json()
        self.assertEqual(calls["count"], 1)
        self.assertEqual(calls["results"][0]["slug"], "bando-api")
        self.assertEqual(self.client.get("/api/v1/finance/calls/bando-api").json()["is_open"], True)
        self.assertEqual(self.client.get("/api/v1/finance/calls/nope").status_code, 404)
        self.assertEqual(len(self.client.get("/api/v1/finance/products").json()), 1)
        self.assertEqual(len(self.client.get("/api/v1/finance/cases").json()), 1)

    def test_calls_for_an_organisation_need_its_member(self) -> None:
        url = f"/api/v1/finance/organizations/{self.org.pk}/calls"
        self.assertEqual(self.client.get(url).status_code, 401)
        self.assertEqual(self.client.get(url, **self.api_headers(self.outsider)).status_code, 403)
        matches = self.client.get(url, **self.api_headers(self.member)).json()
        self.assertEqual(matches[0]["call"]["slug"], "bando-api")
        self.assertTrue(matches[0]["reasons"])

    def test_an_application_through_the_api_is_pre_filled_and_decided_by_the_funder(self) -> None:
        statute = WalletDocumentFactory.create(organization=self.org)
        body = {
            "call": "bando-api",
            "organization_id": self.org.pk,
            "project_title": "Orti condivisi",
            "summary": "Orti per il quartiere.",
            "amount_requested": "10000",
            "document_ids": [statute.pk],
        }
        self.assertEqual(
            self.post("/api/v1/finance/applications", body, self.outsider).status_code, 403
        )
        response = self.post("/api/v1/finance/applications", body, self.member)
        self.assertEqual(response.status_code, 201, response.content)
        created = response.json()
        self.assertEqual(created["profile"]["codice_fiscale"], self.org.codice_fiscale)
        self.assertEqual(created["documents"], [statute.pk])
        url = f"/api/v1/finance/applications/{created['id']}"
        self.assertEqual(self.client.get(url, **self.api_headers(self.outsider)).status_code, 404)
        self.assertEqual(
            self.client.get(url, **self.api_headers(self.funder_user)).status_code, 200
        )
        review = self.post(
            f"{url}/review", {"decision": "approve", "amount_granted": "8000"}, self.member
        )
        self.assertEqual(review.status_code, 403)
        review = self.post(
            f"{url}/review", {"decision": "approve", "amount_granted": "-1"}, self.funder_user
        )
        self.assertEqual(review.status_code, 422)
        review = self.post(
            f"{url}/review", {"decision": "approve", "amount_granted": "8000"}, self.funder_user
        )
        self.assertEqual(review.json()["status"], "approved")
        listed = self.client.get("/api/v1/finance/applications", **self.api_headers(self.member))
        self.assertEqual([a["id"] for a in listed.json()], [created["id"]])

    def test_api_applications_with_bad_input_get_field_errors_and_nothing_is_saved(self) -> None:
        expired = WalletDocumentFactory.create(
            organization=self.org,
            issued_on=timezone.localdate() - dt.timedelta(days=800),
            expires_on=timezone.localdate() - dt.timedelta(days=1),
        )
        body = {
            "call": "bando-api",
            "organization_id": self.org.pk,
            "project_title": "Orti",
            "summary": "Orti.",
            "amount_requested": "-10",
            "document_ids": [expired.pk],
        }
        response = self.post("/api/v1/finance/applications", body, self.member)
        self.assertEqual(response.status_code, 422)
        fields = {e["loc"][-1] for e in response.json()["detail"]}
        self.assertEqual(fields, {"amount_requested", "documents"})
        response = self.post(
            "/api/v1/finance/applications", {**body, "document_ids": [999999]}, self.member
        )
        self.assertEqual(response.status_code, 422)
        response = self.post(
            "/api/v1/finance/applications",
            {**body, "amount_requested": "NaN", "document_ids": []},
            self.member,
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Application.objects.exists())

    def test_the_simulators_answer_through_the_api(self) -> None:
        response = self.post(
            "/api/v1/finance/simulators/guarantee-fund",
            {
                "fund": "1000000",
                "multiplier": "4",
                "coverage_pct": "50",
                "default_pct": "5",
                "recovery_pct": "30",
                "average_loan": "25000",
                "horizon_years": 3,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Decimal(response.json()["expected_losses"]), Decimal("199675"))
        response = self.post(
            "/api/v1/finance/simulators/outcome-payments",
            {
                "capital": "1000000",
                "price_per_outcome": "5000",
                "targets": ["100", "110"],
                "achieved": ["110", "121"],
                "threshold_pct": "50",
                "cap_pct": "120",
            },
        )
        self.assertEqual(Decimal(response.json()["irr"]), Decimal("0.1"))

    def test_the_simulators_refuse_bad_input_with_field_errors(self) -> None:
        response = self.post(
            "/api/v1/finance/simulators/guarantee-fund",
            {
                "fund": "1000000",
                "multiplier": "4",
                "coverage_pct": "150",
                "default_pct": "5",
                "recovery_pct": "30",
                "average_loan": "25000",
                "horizon_years": 3,
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "coverage_pct"])
        response = self.post(
            "/api/v1/finance/simulators/outcome-payments",
            {"capital": "NaN", "price_per_outcome": "1", "targets": ["1"], "achieved": ["1"]},
        )
        self.assertEqual(response.status_code, 422)
        response = self.post(
            "/api/v1/finance/simulators/outcome-payments",
            {"capital": "10", "price_per_outcome": "1", "targets": ["1", "2"], "achieved": ["1"]},
        )
        self.assertEqual(response.status_code, 422)


class HostileInput(BaseTestCase):
    def test_huge_numbers_and_broken_formsets_never_give_a_500(self) -> None:
        response = self.client.get(
            "/finanza/simulatori/pagamenti-a-risultato/",
            {
                "capital": "1000",
                "price_per_outcome": "1",
                "targets": "1e999999",
                "achieved": "1e999999",
                "threshold_pct": "0",
                "cap_pct": "100",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("targets", response.context["form"].errors)
        response = self.client.get(
            "/finanza/simulatori/fondo-di-garanzia/",
            {"form-TOTAL_FORMS": "5000", "form-INITIAL_FORMS": "x"},
        )
        self.assertEqual(response.status_code, 200)
        response = self.client.post(
            "/api/v1/finance/simulators/guarantee-fund",
            json.dumps(
                {
                    "fund": "1e40",
                    "multiplier": "4",
                    "coverage_pct": "50",
                    "default_pct": "5",
                    "recovery_pct": "30",
                    "average_loan": "25000",
                    "horizon_years": 3,
                }
            ),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
