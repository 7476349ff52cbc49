from __future__ import annotations

import json
from typing import Any

from django.test import Client

from pes.plan.models import Mission
from pes.registry.models import Activity, LegalForm, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

PIVA = "00743110157"


def error_fields(response: Any) -> set[str]:
    """The fields named by a 422 response, whichever part of the request they came from."""
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


class ListingOrganisationsTests(BaseTestCase):
    citta: Organization
    banca: Organization
    hidden: Organization

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Descriptions are fixed so that random words cannot match the searches below.
        Organization.objects.filter(pk=cls.org.pk).update(
            description="", search_document="cooperativa sociale il germoglio"
        )
        cls.org.activities.set([Activity.objects.get(letter="d")])
        cls.org.missions.set([Mission.objects.get(number=1)])
        cls.citta = OrganizationFactory.create(
            name="Associazione Città Solidale",
            description="",
            head_office=Municipality.objects.get(istat_code="037032"),
        )
        cls.citta.activities.set([Activity.objects.get(letter="i")])
        cls.banca = OrganizationFactory.create(
            name="Banca Felsinea",
            description="",
            legal_form=LegalForm.objects.get(code="BANCA"),
            runts_section="",
            head_office=Municipality.objects.get(istat_code="037061"),
        )
        cls.hidden = OrganizationFactory.create(
            name="Associazione Nascosta", description="", is_published=False
        )

    def names(self, **params: Any) -> list[str]:
        response = self.client.get("/api/v1/organizations", params)
        self.assertEqual(response.status_code, 200, response.content)
        return [item["name"] for item in response.json()["results"]]

    def test_the_list_has_published_organisations_with_their_summary(self) -> None:
        response = self.client.get("/api/v1/organizations")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["count"], 3)
        self.assertEqual((data["page"], data["pages"]), (1, 1))
        names = [item["name"] for item in data["results"]]
        self.assertEqual(
            names,
            ["Associazione Città Solidale", "Banca Felsinea", "Cooperativa sociale Il Germoglio"],
        )
        citta = data["results"][0]
        self.assertEqual(citta["id"], self.citta.pk)
        self.assertEqual(citta["codice_fiscale"], self.citta.codice_fiscale)
        self.assertEqual(citta["legal_form"], "APS")
        self.assertEqual(citta["municipality"], "Imola")
        self.assertEqual(citta["municipality_istat"], "037032")
        self.assertEqual(citta["url"], f"http://testserver/enti/{self.citta.slug}/")

    def test_the_list_searches_words_regardless_of_case_and_accents(self) -> None:
        self.assertEqual(self.names(q="CITTA"), ["Associazione Città Solidale"])
        self.assertEqual(self.names(q="città solidale"), ["Associazione Città Solidale"])
        self.assertEqual(self.names(q="germoglio"), ["Cooperativa sociale Il Germoglio"])
        self.assertEqual(self.names(q="nascosta"), [])
        self.assertEqual(self.names(q="nessuna parola simile"), [])

    def test_the_list_has_the_same_filters_as_the_directory(self) -> None:
        self.assertEqual(self.names(legal_form="BANCA"), ["Banca Felsinea"])
        self.assertEqual(self.names(category="finance"), ["Banca Felsinea"])
        self.assertEqual(self.names(municipality="037032"), ["Associazione Città Solidale"])
        self.assertEqual(self.names(district="reno-lavino-e-samoggia"), ["Banca Felsinea"])
        self.assertEqual(self.names(activity="d"), ["Cooperativa sociale Il Germoglio"])
        self.assertEqual(self.names(mission=1), ["Cooperativa sociale Il Germoglio"])
        self.assertEqual(
            self.names(q="associazione", municipality="037032"), ["Associazione Città Solidale"]
        )
        self.assertEqual(self.names(legal_form="NOPE"), [])

    def test_the_list_is_paginated_with_a_page_size_limit(self) -> None:
        for n in range(7):
            OrganizationFactory.create(name=f"Ente in pagina {n}")
        response = self.client.get("/api/v1/organizations", {"page_size": 4, "page": 2})
        data = response.json()
        self.assertEqual((data["count"], data["page"], data["pages"]), (10, 2, 3))
        self.assertEqual(len(data["results"]), 4)
        last = self.client.get("/api/v1/organizations", {"page_size": 4, "page": 3}).json()
        self.assertEqual(len(last["results"]), 2)
        beyond = self.client.get("/api/v1/organizations", {"page_size": 4, "page": 99}).json()
        self.assertEqual(beyond["page"], 3)
        big = self.client.get("/api/v1/organizations", {"page_size": 100}).json()
        self.assertEqual(len(big["results"]), 10)

    def test_bad_list_parameters_are_422_with_the_field_named(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"page_size": 101}, "page_size"),
            ({"page_size": 0}, "page_size"),
            ({"page": 0}, "page"),
            ({"page": "abc"}, "page"),
            ({"mission": 8}, "mission"),
            ({"mission": "uno"}, "mission"),
            ({"activity": "ab"}, "activity"),
            ({"q": "x" * 201}, "q"),
        ]
        for params, field in cases:
            response = self.client.get("/api/v1/organizations", params)
            self.assertEqual(response.status_code, 422, params)
            self.assertIn(field, error_fields(response), params)

    def test_the_list_uses_a_constant_number_of_queries(self) -> None:
        for n in range(30):
            OrganizationFactory.create(name=f"Ente {n}")
        with self.assertNumQueries(2):
            response = self.client.get("/api/v1/organizations", {"page_size": 50})
        self.assertEqual(len(response.json()["results"]), 33)


class ReadingOneOrganisationTests(BaseTestCase):
    def test_a_published_organisation_is_returned_in_full(self) -> None:
        self.org.activities.set(Activity.objects.filter(letter__in=["a", "d"]))
        self.org.missions.set(Mission.objects.filter(number__in=[2]))
        self.org.municipalities_served.set(Municipality.objects.filter(istat_code="037032"))
        response = self.client.get(f"/api/v1/organizations/{self.org.pk}")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["name"], "Cooperativa sociale Il Germoglio")
        self.assertEqual(data["activities"], ["a", "d"])
        self.assertEqual(data["missions"], [2])
        self.assertEqual(data["municipalities_served"], ["037032"])
        self.assertTrue(data["is_published"])
        self.assertIn("updated_at", data)

    def test_an_unknown_organisation_is_404(self) -> None:
        response = self.client.get("/api/v1/organizations/999999")
        self.assertEqual(response.status_code, 404)
        self.assertIn("detail", response.json())

    def test_an_unpublished_organisation_is_hidden_from_the_public(self) -> None:
        hidden = OrganizationFactory.create(name="Ente nascosto", is_published=False)
        self.assertEqual(self.client.get(f"/api/v1/organizations/{hidden.pk}").status_code, 404)
        outsider = self.client_for(self.outsider)
        self.assertEqual(outsider.get(f"/api/v1/organizations/{hidden.pk}").status_code, 404)
        self.assertEqual(
            self.client_for(self.governance).get(f"/api/v1/organizations/{hidden.pk}").status_code,
            200,
        )

    def test_the_openapi_schema_is_served(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertIn("/api/v1/organizations", schema["paths"])
        self.assertIn("/api/v1/organizations/{org_id}", schema["paths"])
        self.assertIn("patch", schema["paths"]["/api/v1/organizations/{org_id}"])
        self.assertEqual(schema["info"]["title"], "PES API")


class UpdatingAnOrganisationTests(BaseTestCase):
    def patch(self, org_id: int, payload: dict[str, Any], **headers: Any) -> Any:
        return Client().patch(
            f"/api/v1/organizations/{org_id}",
            data=json.dumps(payload),
            content_type="application/json",
            **headers,
        )

    def test_a_member_updates_their_own_organisation_with_a_token(self) -> None:
        response = self.patch(
            self.org.pk,
            {
                "description": "Aggiornata via API",
                "partita_iva": f"IT {PIVA}",
                "ateco_codes": ["88.99.09"],
                "activities": ["b", "a"],
                "missions": [4],
                "municipalities_served": ["037006", "037032"],
                "workers": 7,
            },
            **self.api_headers(self.member),
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["description"], "Aggiornata via API")
        self.assertEqual(data["partita_iva"], PIVA)
        self.assertEqual(sorted(data["activities"]), ["a", "b"])
        self.org.refresh_from_db()
        self.assertEqual(self.org.description, "Aggiornata via API")
        self.assertEqual(self.org.partita_iva, PIVA)
        self.assertEqual(self.org.ateco_codes, ["88.99.09"])
        self.assertEqual(self.org.workers, 7)
        self.assertEqual(list(self.org.missions.values_list("number", flat=True)), [4])
        self.assertEqual(self.org.municipalities_served.count(), 2)
        self.assertIn("aggiornata", self.org.search_document)

    def test_a_partial_update_leaves_the_other_fields_alone(self) -> None:
        self.org.activities.set(Activity.objects.filter(letter="d"))
        Organization.objects.filter(pk=self.org.pk).update(
            partita_iva=PIVA, ateco_codes=["94.99.20"], address="Via Roma 1"
        )
        response = self.patch(self.org.pk, {"phone": "051 123456"}, **self.api_headers(self.member))
        self.assertEqual(response.status_code, 200, response.content)
        self.org.refresh_from_db()
        self.assertEqual(self.org.phone, "051 123456")
        self.assertEqual(self.org.partita_iva, PIVA)
        self.assertEqual(self.org.ateco_codes, ["94.99.20"])
        self.assertEqual(self.org.address, "Via Roma 1")
        self.assertEqual(list(self.org.activities.values_list("letter", flat=True)), ["d"])
        self.assertEqual(self.org.name, "Cooperativa sociale Il Germoglio")

    def test_renaming_through_the_api_changes_the_address(self) -> None:
        response = self.patch(
            self.org.pk, {"name": "Il Germoglio Due"}, **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["slug"], "il-germoglio-due")

    def test_without_a_token_the_update_is_401(self) -> None:
        response = self.patch(self.org.pk, {"description": "Anonimo"})
        self.assertEqual(response.status_code, 401)
        response = self.patch(
            self.org.pk, {"description": "Anonimo"}, HTTP_AUTHORIZATION="Bearer pes_sbagliato"
        )
        self.assertEqual(response.status_code, 401)
        self.org.refresh_from_db()
        self.assertNotEqual(self.org.description, "Anonimo")

    def test_a_logged_in_session_is_not_enough_without_a_token(self) -> None:
        client = self.client_for(self.member)
        response = client.patch(
            f"/api/v1/organizations/{self.org.pk}",
            data=json.dumps({"description": "Sessione"}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 401)

    def test_a_revoked_token_no_longer_works(self) -> None:
        headers = self.api_headers(self.member)
        self.member.api_tokens.all().delete()
        self.assertEqual(self.patch(self.org.pk, {"phone": "1"}, **headers).status_code, 401)

    def test_a_token_of_an_inactive_user_no_longer_works(self) -> None:
        headers = self.api_headers(self.member)
        self.member.is_active = False
        self.member.save(update_fields=["is_active"])
        self.assertEqual(self.patch(self.org.pk, {"phone": "1"}, **headers).status_code, 401)

    def test_another_organisation_cannot_be_updated(self) -> None:
        other = OrganizationFactory.create(name="Altro ente", description="Originale")
        for user in (self.member, self.outsider, self.operator):
            response = self.patch(other.pk, {"description": "Intrusione"}, **self.api_headers(user))
            self.assertEqual(response.status_code, 403)
        other.refresh_from_db()
        self.assertEqual(other.description, "Originale")

    def test_the_plans_office_updates_any_organisation(self) -> None:
        other = OrganizationFactory.create(name="Altro ente")
        response = self.patch(
            other.pk, {"description": "Dall'ufficio"}, **self.api_headers(self.governance)
        )
        self.assertEqual(response.status_code, 200)

    def test_an_unknown_organisation_is_404(self) -> None:
        response = self.patch(999999, {"phone": "1"}, **self.api_headers(self.member))
        self.assertEqual(response.status_code, 404)

    def test_a_bad_partita_iva_is_422_with_the_field_named(self) -> None:
        response = self.patch(
            self.org.pk, {"partita_iva": "00743110158"}, **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"partita_iva"})
        self.org.refresh_from_db()
        self.assertEqual(self.org.partita_iva, "")

    def test_unknown_activity_letters_are_422_with_the_field_named(self) -> None:
        response = self.patch(
            self.org.pk, {"activities": ["a", "zz", "9"]}, **self.api_headers(self.member)
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"activities"})
        message = response.json()["detail"][0]["msg"]
        self.assertIn("zz", message)
        self.assertEqual(self.org.activities.count(), 0)

    def test_unknown_missions_and_municipalities_are_422(self) -> None:
        headers = self.api_headers(self.member)
        self.assertEqual(
            error_fields(self.patch(self.org.pk, {"missions": [9]}, **headers)), {"missions"}
        )
        self.assertEqual(
            error_fields(self.patch(self.org.pk, {"municipalities_served": ["036023"]}, **headers)),
            {"municipalities_served"},
        )

    def test_other_invalid_values_are_422_with_each_field_named(self) -> None:
        headers = self.api_headers(self.member)
        response = self.patch(
            self.org.pk,
            {"ateco_codes": ["12.34.56"], "email": "non-una-mail", "name": None},
            **headers,
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"ateco_codes", "email", "name"})
        response = self.patch(self.org.pk, {"workers": "molti"}, **headers)
        self.assertEqual(response.status_code, 422)
        self.assertIn("workers", error_fields(response))
        response = self.patch(self.org.pk, {"year_founded": 1700}, **headers)
        self.assertEqual(response.status_code, 422)

    def test_a_runts_section_on_a_non_ets_organisation_is_422(self) -> None:
        other = OrganizationFactory.create(
            name="Impresa", legal_form=LegalForm.objects.get(code="IMPRESA"), runts_section=""
        )
        response = self.patch(other.pk, {"runts_section": "b"}, **self.api_headers(self.governance))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(error_fields(response), {"runts_section"})
