"""Governance edits the catalogue on the site: funding programmes, financial products and
impact-investing cases. Governance users are not Django staff, so these pages are the only
way they have; every write is validated by the services and audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from pes.core.models import AuditEntry
from pes.finance.models import FinancialProduct, ImpactCase, Programme
from pes.finance.tests.factories import CaseFactory, ProductFactory, ProgrammeFactory
from pes.test import BaseTestCase


def programme_data(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Fondo regionale per l'economia sociale",
        "source": "regional",
        "funder_name": "Regione Emilia-Romagna",
        "funder": "",
        "description": "Sostegno alle imprese sociali.",
        "budget": "2000000",
        "url": "",
        **extra,
    }


def product_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Prestito per la crescita",
        "kind": "loan",
        "provider_kind": "bank",
        "provider_name": "Banca Etica",
        "stages": ["growth"],
        "description": "",
        "min_amount": "10000",
        "max_amount": "200000",
        "rate_pct": "3.5",
        "term_months": "60",
        "url": "",
        "is_published": "on",
        **extra,
    }


def case_data(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Lavoro per i giovani NEET",
        "country": "Italia",
        "territory": "Bologna",
        "sector": "Occupazione",
        "year_launched": "2021",
        "instrument": "social_impact_bond",
        "outcome_metrics": "Giovani occupati a 12 mesi",
        "outcome_payer": "Comune",
        "investors": "Fondazioni bancarie",
        "capital": "1500000",
        "maturity_years": "4",
        "max_return_pct": "5",
        "results": "",
        "source_url": "",
        **extra,
    }


def audited(instance: Any, action: str) -> AuditEntry | None:
    return AuditEntry.objects.filter(object_id=str(instance.pk), action=action).first()


class CatalogueAccess(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.programme = ProgrammeFactory.create(slug="fondo")
        cls.product = ProductFactory.create(slug="prestito")
        cls.case = CaseFactory.create(slug="peterborough")

    def test_governance_is_not_django_staff_yet_reaches_every_page(self) -> None:
        self.assertFalse(self.governance.is_staff)
        client = self.client_for(self.governance)
        for url in [
            "/finanza/programmi/",
            "/finanza/programmi/nuovo/",
            "/finanza/programmi/fondo/modifica/",
            "/finanza/prodotti/nuovo/",
            "/finanza/prodotti/prestito/modifica/",
            "/finanza/impact-investing/nuovo/",
            "/finanza/impact-investing/peterborough/modifica/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 200)

    def test_others_are_refused_and_nothing_is_saved(self) -> None:
        pages = [
            ("/finanza/programmi/", {}),
            ("/finanza/programmi/nuovo/", programme_data(title="Intruso")),
            ("/finanza/programmi/fondo/modifica/", programme_data(title="Intruso")),
            ("/finanza/prodotti/nuovo/", product_data(name="Intruso")),
            ("/finanza/prodotti/prestito/modifica/", product_data(name="Intruso")),
            ("/finanza/impact-investing/nuovo/", case_data(title="Intruso")),
            ("/finanza/impact-investing/peterborough/modifica/", case_data(title="Intruso")),
        ]
        for user in (self.member, self.outsider, self.operator):
            client = self.client_for(user)
            for url, data in pages:
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(client.get(url).status_code, 403)
                    self.assertEqual(client.post(url, data).status_code, 403)
        anonymous = self.client_for(None)
        for url, _data in pages:
            with self.subTest(url=url):
                self.assertEqual(anonymous.get(url).status_code, 302)
        self.assertFalse(Programme.objects.filter(title="Intruso").exists())
        self.assertFalse(FinancialProduct.objects.filter(name="Intruso").exists())
        self.assertFalse(ImpactCase.objects.filter(title="Intruso").exists())

    def test_the_funder_of_a_programme_cannot_edit_it_on_these_pages(self) -> None:
        from pes.registry.models import Membership

        Membership.objects.create(user=self.member, organization=self.programme.funder)
        client = self.client_for(self.member)
        self.assertEqual(client.get("/finanza/programmi/fondo/modifica/").status_code, 403)

    def test_an_unknown_record_is_not_found(self) -> None:
        client = self.client_for(self.governance)
        for url in [
            "/finanza/programmi/nessuno/modifica/",
            "/finanza/prodotti/nessuno/modifica/",
            "/finanza/impact-investing/nessuno/modifica/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 404)

    def test_edit_links_are_shown_to_governance_only(self) -> None:
        links = [
            ("/finanza/", "/finanza/programmi/"),
            ("/finanza/prodotti/", "/finanza/prodotti/nuovo/"),
            ("/finanza/prodotti/", "/finanza/prodotti/prestito/modifica/"),
            ("/finanza/impact-investing/", "/finanza/impact-investing/nuovo/"),
            ("/finanza/impact-investing/", "/finanza/impact-investing/peterborough/modifica/"),
            ("/finanza/impact-investing/peterborough/", "/impact-investing/peterborough/modifica/"),
        ]
        governance = self.client_for(self.governance)
        for client in (self.client_for(None), self.client_for(self.member), governance):
            for page, link in links:
                with self.subTest(page=page, link=link):
                    response = client.get(page)
                    if client is governance:
                        self.assertContains(response, link)
                    else:
                        self.assertNotContains(response, link)

    def test_governance_sees_unpublished_products_to_edit_them(self) -> None:
        ProductFactory.create(name="Prodotto in preparazione", is_published=False)
        self.assertNotContains(self.client.get("/finanza/prodotti/"), "Prodotto in preparazione")
        response = self.client_for(self.governance).get("/finanza/prodotti/")
        self.assertContains(response, "Prodotto in preparazione")
        self.assertContains(response, "not published")


class Programmes(BaseTestCase):
    def test_governance_creates_a_programme_and_it_is_audited(self) -> None:
        client = self.client_for(self.governance)
        response = client.post(
            "/finanza/programmi/nuovo/", programme_data(funder=self.org.pk, url="https://a.it")
        )
        self.assertRedirects(response, "/finanza/programmi/")
        programme = Programme.objects.get(title="Fondo regionale per l'economia sociale")
        self.assertEqual(programme.slug, "fondo-regionale-per-leconomia-sociale")
        self.assertEqual(programme.funder, self.org)
        self.assertEqual(programme.budget, Decimal("2000000"))
        entry = audited(programme, "create")
        assert entry is not None
        self.assertEqual(entry.user, self.governance)
        self.assertEqual(entry.changes["budget"], [None, "2000000.00"])
        self.assertContains(client.get("/finanza/programmi/"), "Regione Emilia-Romagna")

    def test_governance_edits_a_programme_and_the_change_is_audited(self) -> None:
        programme = ProgrammeFactory.create(slug="fondo", budget=Decimal("1000"))
        response = self.client_for(self.governance).post(
            "/finanza/programmi/fondo/modifica/", programme_data(title="Fondo rinnovato")
        )
        self.assertRedirects(response, "/finanza/programmi/")
        programme.refresh_from_db()
        self.assertEqual(programme.title, "Fondo rinnovato")
        self.assertEqual(programme.slug, "fondo")
        entry = audited(programme, "update")
        assert entry is not None
        self.assertEqual(entry.changes["budget"], ["1000.00", "2000000.00"])
        self.assertEqual(entry.changes["funder_id"][1], None)

    def test_saving_a_programme_unchanged_records_no_change(self) -> None:
        data = programme_data(budget="1000")
        programme = ProgrammeFactory.create(
            slug="fondo", **data | {"funder": None, "budget": Decimal("1000")}
        )
        response = self.client_for(self.governance).post(
            "/finanza/programmi/fondo/modifica/", programme_data(budget="1000")
        )
        self.assertRedirects(response, "/finanza/programmi/")
        self.assertIsNone(audited(programme, "update"))

    def test_a_negative_budget_is_a_field_error_and_nothing_is_saved(self) -> None:
        client = self.client_for(self.governance)
        response = client.post("/finanza/programmi/nuovo/", programme_data(budget="-1"))
        self.assertEqual(response.status_code, 200)
        self.assertFormError(response.context["form"], "budget", "An amount cannot be negative.")
        self.assertFalse(Programme.objects.exists())
        programme = ProgrammeFactory.create(slug="fondo", budget=Decimal("1000"))
        response = client.post(
            "/finanza/programmi/fondo/modifica/", programme_data(title="No", budget="-5")
        )
        self.assertFormError(response.context["form"], "budget", "An amount cannot be negative.")
        programme.refresh_from_db()
        self.assertEqual((programme.title, programme.budget), (programme.title, Decimal("1000")))
        self.assertNotEqual(programme.title, "No")
        self.assertIsNone(audited(programme, "update"))

    def test_a_title_that_would_clash_with_a_page_gets_another_slug(self) -> None:
        self.client_for(self.governance).post(
            "/finanza/impact-investing/nuovo/", case_data(title="Nuovo")
        )
        self.assertEqual(ImpactCase.objects.get(title="Nuovo").slug, "nuovo-2")


class Products(BaseTestCase):
    def test_governance_creates_and_edits_a_product(self) -> None:
        client = self.client_for(self.governance)
        self.assertRedirects(
            client.post("/finanza/prodotti/nuovo/", product_data()), "/finanza/prodotti/"
        )
        product = FinancialProduct.objects.get(name="Prestito per la crescita")
        self.assertEqual(product.stages, ["growth"])
        self.assertIsNotNone(audited(product, "create"))
        data = product_data(rate_pct="4", is_published="")
        response = client.post(f"/finanza/prodotti/{product.slug}/modifica/", data)
        self.assertRedirects(response, "/finanza/prodotti/")
        product.refresh_from_db()
        self.assertEqual(product.rate_pct, Decimal("4"))
        self.assertFalse(product.is_published)
        entry = audited(product, "update")
        assert entry is not None
        self.assertEqual(entry.changes["rate_pct"], ["3.50", "4.00"])
        self.assertEqual(entry.changes["is_published"], [True, False])

    def test_bad_amounts_and_rates_are_field_errors_and_nothing_is_saved(self) -> None:
        client = self.client_for(self.governance)
        for data, field, message in [
            (product_data(min_amount="-1"), "min_amount", "An amount cannot be negative."),
            (product_data(max_amount="-1"), "max_amount", "An amount cannot be negative."),
            (
                product_data(min_amount="300000"),
                "min_amount",
                "The minimum cannot be above the maximum.",
            ),
            (product_data(rate_pct="-0.5"), "rate_pct", "A percentage is between 0 and 100."),
            (product_data(rate_pct="120"), "rate_pct", "A percentage is between 0 and 100."),
            (product_data(stages=["forever"]), "stages", None),
            (product_data(term_months="-3"), "term_months", None),
        ]:
            with self.subTest(field=field, data=data[field]):
                response = client.post("/finanza/prodotti/nuovo/", data)
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                self.assertIn(field, form.errors)
                if message:
                    self.assertFormError(form, field, message)
                self.assertFalse(FinancialProduct.objects.exists())

    def test_an_edit_with_a_bad_rate_changes_nothing(self) -> None:
        product = ProductFactory.create(slug="prestito")
        response = self.client_for(self.governance).post(
            "/finanza/prodotti/prestito/modifica/", product_data(name="Altro", rate_pct="101")
        )
        self.assertFormError(
            response.context["form"], "rate_pct", "A percentage is between 0 and 100."
        )
        product.refresh_from_db()
        self.assertEqual(product.rate_pct, Decimal("3.5"))
        self.assertNotEqual(product.name, "Altro")
        self.assertIsNone(audited(product, "update"))


class Cases(BaseTestCase):
    def test_governance_creates_and_edits_a_case(self) -> None:
        client = self.client_for(self.governance)
        response = client.post("/finanza/impact-investing/nuovo/", case_data())
        case = ImpactCase.objects.get(title="Lavoro per i giovani NEET")
        self.assertRedirects(response, f"/finanza/impact-investing/{case.slug}/")
        self.assertIsNotNone(audited(case, "create"))
        response = client.post(
            f"/finanza/impact-investing/{case.slug}/modifica/",
            case_data(results="60% dei giovani occupati"),
        )
        self.assertRedirects(response, f"/finanza/impact-investing/{case.slug}/")
        case.refresh_from_db()
        self.assertEqual(case.results, "60% dei giovani occupati")
        entry = audited(case, "update")
        assert entry is not None
        self.assertEqual(entry.changes, {"results": ["", "60% dei giovani occupati"]})

    def test_bad_values_are_field_errors_and_nothing_is_saved(self) -> None:
        client = self.client_for(self.governance)
        next_year = str(timezone.localdate().year + 1)
        for data, field, message in [
            (case_data(capital="-10"), "capital", "An amount cannot be negative."),
            (
                case_data(maturity_years="0"),
                "maturity_years",
                "The maturity must be greater than zero.",
            ),
            (
                case_data(max_return_pct="150"),
                "max_return_pct",
                "A percentage is between 0 and 100.",
            ),
            (
                case_data(max_return_pct="-1"),
                "max_return_pct",
                "A percentage is between 0 and 100.",
            ),
            (case_data(year_launched=next_year), "year_launched", None),
            (case_data(year_launched="1200"), "year_launched", None),
        ]:
            with self.subTest(field=field, data=data[field]):
                response = client.post("/finanza/impact-investing/nuovo/", data)
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                self.assertIn(field, form.errors)
                if message:
                    self.assertFormError(form, field, message)
                self.assertFalse(ImpactCase.objects.exists())

    def test_an_edit_with_a_bad_maturity_changes_nothing(self) -> None:
        case = CaseFactory.create(slug="peterborough")
        response = self.client_for(self.governance).post(
            "/finanza/impact-investing/peterborough/modifica/",
            case_data(title="Altro", maturity_years="-1"),
        )
        self.assertIn("maturity_years", response.context["form"].errors)
        case.refresh_from_db()
        self.assertEqual(case.maturity_years, Decimal("7"))
        self.assertNotEqual(case.title, "Altro")
        self.assertIsNone(audited(case, "update"))
