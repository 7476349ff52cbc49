from __future__ import annotations

from typing import Any

from stdnum import luhn

from pes.plan.models import Mission
from pes.registry.models import Activity, LegalForm, Membership, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

PIVA = "00743110157"


def new_codice_fiscale(n: int = 1) -> str:
    body = f"8{n:06d}037"
    return body + luhn.calc_check_digit(body)


def form_data(org: Organization | None = None, **overrides: Any) -> dict[str, Any]:
    """The POST data of the organisation form: the organisation's values, then overrides."""
    if org is None:
        data: dict[str, Any] = {
            "name": "Cooperativa sociale La Quercia",
            "legal_form": LegalForm.objects.get(code="COOP_SOC_B").pk,
            "codice_fiscale": new_codice_fiscale(),
            "partita_iva": "",
            "runts_section": "d",
            "runts_id": "",
            "ateco_codes": "88.99.09",
            "head_office": Municipality.objects.get(istat_code="037032").pk,
            "description": "Inserimento lavorativo",
        }
    else:
        data = {
            "name": org.name,
            "legal_form": org.legal_form_id,
            "codice_fiscale": org.codice_fiscale,
            "partita_iva": org.partita_iva,
            "runts_section": org.runts_section,
            "runts_id": org.runts_id,
            "ateco_codes": ", ".join(org.ateco_codes),
            "head_office": org.head_office_id,
            "description": org.description,
        }
    for key in ("address", "email", "pec", "phone", "website"):
        data.setdefault(key, "")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class EditingAnOrganisationTests(BaseTestCase):
    def edit_url(self, org: Organization | None = None) -> str:
        return f"/enti/{(org or self.org).slug}/modifica/"

    def test_a_member_sees_the_edit_form_of_their_own_organisation(self) -> None:
        response = self.client_for(self.member).get(self.edit_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].instance, self.org)

    def test_a_member_edits_their_own_organisation(self) -> None:
        data = form_data(
            self.org,
            description="Nuova descrizione",
            partita_iva="IT 00743110157",
            ateco_codes="88.99.09; 94.99.20",
            activities=[Activity.objects.get(letter="a").pk, Activity.objects.get(letter="d").pk],
            missions=[Mission.objects.get(number=3).pk],
            municipalities_served=[Municipality.objects.get(istat_code="037006").pk],
            workers="12",
        )
        response = self.client_for(self.member).post(self.edit_url(), data)
        self.assertEqual(response.status_code, 302)
        self.org.refresh_from_db()
        self.assertRedirects(response, self.org.get_absolute_url())
        self.assertEqual(self.org.description, "Nuova descrizione")
        self.assertEqual(self.org.partita_iva, PIVA)
        self.assertEqual(self.org.ateco_codes, ["88.99.09", "94.99.20"])
        self.assertEqual(self.org.workers, 12)
        self.assertEqual(sorted(self.org.activities.values_list("letter", flat=True)), ["a", "d"])
        self.assertEqual(list(self.org.missions.values_list("number", flat=True)), [3])
        self.assertIn("nuova descrizione", self.org.search_document)

    def test_renaming_an_organisation_changes_its_address_and_search_document(self) -> None:
        data = form_data(self.org, name="Cooperativa sociale Il Germoglio Nuovo")
        response = self.client_for(self.member).post(self.edit_url(), data)
        self.org.refresh_from_db()
        self.assertEqual(self.org.slug, "cooperativa-sociale-il-germoglio-nuovo")
        self.assertRedirects(response, "/enti/cooperativa-sociale-il-germoglio-nuovo/")
        self.assertIn("nuovo", self.org.search_document)

    def test_a_member_cannot_publish_or_unpublish(self) -> None:
        data = form_data(self.org, is_published_present="1")  # the box is left unticked
        self.client_for(self.member).post(self.edit_url(), data)
        self.org.refresh_from_db()
        self.assertTrue(self.org.is_published)

    def test_an_outsider_may_not_edit_an_organisation(self) -> None:
        client = self.client_for(self.outsider)
        self.assertEqual(client.get(self.edit_url()).status_code, 403)
        response = client.post(self.edit_url(), form_data(self.org, description="Vandalismo"))
        self.assertEqual(response.status_code, 403)
        self.org.refresh_from_db()
        self.assertNotEqual(self.org.description, "Vandalismo")

    def test_an_operator_is_not_an_editor_of_organisations(self) -> None:
        self.assertEqual(self.client_for(self.operator).get(self.edit_url()).status_code, 403)

    def test_a_member_may_not_edit_another_organisation(self) -> None:
        other = OrganizationFactory.create(name="Altro ente")
        self.assertEqual(self.client_for(self.member).get(self.edit_url(other)).status_code, 403)

    def test_an_anonymous_visitor_is_sent_to_the_login_page(self) -> None:
        response = self.client_for(None).get(self.edit_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/auth/login/", response["Location"])
        self.assertIn("next=", response["Location"])
        response = self.client_for(None).post(self.edit_url(), form_data(self.org))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/auth/login/", response["Location"])

    def test_editing_an_unknown_organisation_is_not_found(self) -> None:
        response = self.client_for(self.governance).get("/enti/non-esiste/modifica/")
        self.assertEqual(response.status_code, 404)

    def test_the_plans_office_edits_any_organisation(self) -> None:
        other = OrganizationFactory.create(name="Ente qualunque")
        response = self.client_for(self.governance).post(
            self.edit_url(other), form_data(other, description="Rivisto dall'ufficio")
        )
        self.assertEqual(response.status_code, 302)
        other.refresh_from_db()
        self.assertEqual(other.description, "Rivisto dall'ufficio")

    def test_the_plans_office_unpublishes_and_publishes_an_organisation(self) -> None:
        client = self.client_for(self.governance)
        client.post(self.edit_url(), form_data(self.org, is_published_present="1"))
        self.org.refresh_from_db()
        self.assertFalse(self.org.is_published)
        self.assertEqual(self.client_for(None).get(f"/enti/{self.org.slug}/").status_code, 404)
        self.assertEqual(
            self.client_for(self.member).get(f"/enti/{self.org.slug}/").status_code, 200
        )
        client.post(
            self.edit_url(), form_data(self.org, is_published_present="1", is_published="on")
        )
        self.org.refresh_from_db()
        self.assertTrue(self.org.is_published)
        self.assertEqual(self.client_for(None).get(f"/enti/{self.org.slug}/").status_code, 200)

    def test_saving_without_the_publish_box_leaves_publication_alone(self) -> None:
        self.client_for(self.governance).post(self.edit_url(), form_data(self.org))
        self.org.refresh_from_db()
        self.assertTrue(self.org.is_published)

    def test_the_codice_fiscale_of_another_organisation_is_a_field_error(self) -> None:
        other = OrganizationFactory.create(name="Ente già presente")
        response = self.client_for(self.member).post(
            self.edit_url(), form_data(self.org, codice_fiscale=other.codice_fiscale)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("codice_fiscale", response.context["form"].errors)
        self.org.refresh_from_db()
        self.assertNotEqual(self.org.codice_fiscale, other.codice_fiscale)

    def test_keeping_ones_own_codice_fiscale_is_not_a_duplicate(self) -> None:
        response = self.client_for(self.member).post(self.edit_url(), form_data(self.org))
        self.assertEqual(response.status_code, 302)

    def test_a_bad_codice_fiscale_is_a_field_error(self) -> None:
        response = self.client_for(self.member).post(
            self.edit_url(), form_data(self.org, codice_fiscale="12345")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("codice_fiscale", response.context["form"].errors)

    def test_a_bad_partita_iva_is_a_field_error(self) -> None:
        for bad in ("00743110158", "123", "ABCDEFGHIJK"):
            response = self.client_for(self.member).post(
                self.edit_url(), form_data(self.org, partita_iva=bad)
            )
            self.assertEqual(response.status_code, 200)
            self.assertEqual(list(response.context["form"].errors), ["partita_iva"])
        self.org.refresh_from_db()
        self.assertEqual(self.org.partita_iva, "")

    def test_an_unknown_ateco_code_is_a_field_error(self) -> None:
        response = self.client_for(self.member).post(
            self.edit_url(), form_data(self.org, ateco_codes="88.99.09, 12.34.56")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("ateco_codes", response.context["form"].errors)
        self.assertIn("12.34.56", response.context["form"].errors["ateco_codes"][0])

    def test_a_legal_form_outside_the_third_sector_cannot_have_a_runts_section(self) -> None:
        response = self.client_for(self.member).post(
            self.edit_url(),
            form_data(self.org, legal_form=LegalForm.objects.get(code="IMPRESA").pk),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("runts_section", response.context["form"].errors)
        response = self.client_for(self.member).post(
            self.edit_url(),
            form_data(
                self.org, legal_form=LegalForm.objects.get(code="IMPRESA").pk, runts_section=""
            ),
        )
        self.assertEqual(response.status_code, 302)

    def test_a_runts_number_without_a_section_is_a_section_error(self) -> None:
        response = self.client_for(self.member).post(
            self.edit_url(), form_data(self.org, runts_section="", runts_id="12345")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("runts_section", response.context["form"].errors)

    def test_a_form_with_errors_marks_the_fields_for_screen_readers(self) -> None:
        response = self.client_for(self.member).post(
            self.edit_url(), form_data(self.org, partita_iva="123")
        )
        widget = response.context["form"].fields["partita_iva"].widget
        self.assertEqual(widget.attrs["aria-invalid"], "true")
        self.assertIn("id_partita_iva_error", widget.attrs["aria-describedby"])


class CreatingAnOrganisationTests(BaseTestCase):
    def test_an_anonymous_visitor_is_sent_to_the_login_page(self) -> None:
        response = self.client_for(None).get("/enti/nuovo/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/auth/login/", response["Location"])

    def test_a_signed_up_user_creates_an_unpublished_organisation_and_becomes_its_manager(
        self,
    ) -> None:
        client = self.client_for(self.outsider)
        self.assertEqual(client.get("/enti/nuovo/").status_code, 200)
        response = client.post("/enti/nuovo/", form_data())
        self.assertEqual(response.status_code, 302)
        org = Organization.objects.get(codice_fiscale=new_codice_fiscale())
        self.assertRedirects(response, org.get_absolute_url())
        self.assertFalse(org.is_published)
        self.assertEqual(org.slug, "cooperativa-sociale-la-quercia")
        membership = Membership.objects.get(organization=org)
        self.assertEqual(membership.user, self.outsider)
        self.assertEqual(membership.role, Membership.Role.MANAGER)
        self.assertEqual(org.ateco_codes, ["88.99.09"])
        # The creator sees and edits it; the public does not see it yet.
        self.assertEqual(client.get(org.get_absolute_url()).status_code, 200)
        self.assertEqual(client.get(f"/enti/{org.slug}/modifica/").status_code, 200)
        self.assertEqual(self.client_for(None).get(org.get_absolute_url()).status_code, 404)
        directory = self.client_for(None).get("/enti/", {"q": "quercia"})
        self.assertNotIn(org, list(directory.context["page"].object_list))

    def test_an_organisation_created_by_the_plans_office_is_published_at_once(self) -> None:
        response = self.client_for(self.governance).post("/enti/nuovo/", form_data())
        self.assertEqual(response.status_code, 302)
        org = Organization.objects.get(codice_fiscale=new_codice_fiscale())
        self.assertTrue(org.is_published)
        self.assertEqual(self.client_for(None).get(org.get_absolute_url()).status_code, 200)

    def test_two_organisations_with_the_same_name_get_different_addresses(self) -> None:
        client = self.client_for(self.governance)
        client.post("/enti/nuovo/", form_data(codice_fiscale=new_codice_fiscale(1)))
        client.post("/enti/nuovo/", form_data(codice_fiscale=new_codice_fiscale(2)))
        slugs = sorted(
            Organization.objects.filter(name="Cooperativa sociale La Quercia").values_list(
                "slug", flat=True
            )
        )
        self.assertEqual(
            slugs, ["cooperativa-sociale-la-quercia", "cooperativa-sociale-la-quercia-2"]
        )

    def test_creating_with_an_existing_codice_fiscale_is_a_field_error(self) -> None:
        response = self.client_for(self.outsider).post(
            "/enti/nuovo/", form_data(codice_fiscale=self.org.codice_fiscale)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("codice_fiscale", response.context["form"].errors)
        self.assertEqual(Organization.objects.count(), 1)
        self.assertFalse(Membership.objects.filter(user=self.outsider).exists())

    def test_creating_with_the_same_codice_fiscale_written_differently_is_a_duplicate(
        self,
    ) -> None:
        spaced = " ".join(self.org.codice_fiscale[i : i + 4] for i in range(0, 11, 4))
        response = self.client_for(self.outsider).post(
            "/enti/nuovo/", form_data(codice_fiscale=spaced)
        )
        self.assertIn("codice_fiscale", response.context["form"].errors)

    def test_creating_with_missing_required_fields_lists_each_one(self) -> None:
        response = self.client_for(self.outsider).post(
            "/enti/nuovo/", {"name": "", "codice_fiscale": ""}
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        for field in ("name", "legal_form", "codice_fiscale", "head_office"):
            self.assertIn(field, errors)
        self.assertEqual(Organization.objects.count(), 1)
