"""Companies join the network and publish openings; operators see people ranked for an
opening; a company sees only the people proposed to it, with what they agreed to share,
and accepts or declines."""

from __future__ import annotations

from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.inclusion import services
from pes.inclusion.models import NetworkMember, Opening, Proposal
from pes.inclusion.tests.factories import (
    NetworkMemberFactory,
    OpeningFactory,
    ReadyCaseFactory,
)
from pes.registry.models import LegalForm, Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase


def opening_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "role": "Magazziniere",
        "description": "Carico e scarico merci.",
        "ateco_code": "52.10",
        "municipality": Municipality.objects.get(istat_code="037006").pk,
        "contract": "fixed_term",
        "hours_per_week": "30",
        "places": "2",
        "required_skills": ["warehouse"],
        "min_italian": "",
        "min_education": "",
        "public_transport": "on",
    }
    data.update(overrides)
    return data


class Network(BaseTestCase):
    def test_a_member_joins_the_network_and_publishes_an_opening(self) -> None:
        client = self.client_for(self.member)
        self.assertContains(client.get("/lavoro/rete/"), f"Join with {self.org.name}")
        response = client.post(
            f"/lavoro/rete/aderisci/{self.org.pk}/",
            {"kind": "company", "contact_name": "Anna", "contact_email": "anna@example.org"},
        )
        self.assertRedirects(response, "/lavoro/azienda/")
        response = client.post(f"/lavoro/azienda/{self.org.pk}/nuova-offerta/", opening_form())
        opening = Opening.objects.get()
        self.assertRedirects(response, f"/lavoro/offerte/{opening.pk}/")
        self.assertEqual(opening.required_skills, ["warehouse"])
        self.assertContains(self.client.get("/lavoro/offerte/"), "Magazziniere")
        self.assertContains(self.client.get(f"/lavoro/offerte/{opening.pk}/"), "Warehouse")

    def test_a_type_b_cooperative_must_be_one_in_the_registry(self) -> None:
        response = self.client_for(self.member).post(
            f"/lavoro/rete/aderisci/{self.org.pk}/", {"kind": "coop_b"}
        )
        self.assertContains(response, "does not list this organisation as a type-B")
        coop = OrganizationFactory.create(
            name="Cooperativa sociale Il Ponte",
            legal_form=LegalForm.objects.get(code="COOP_SOC_B"),
        )
        Membership.objects.create(user=self.member, organization=coop)
        self.client_for(self.member).post(f"/lavoro/rete/aderisci/{coop.pk}/", {"kind": "coop_b"})
        self.assertEqual(NetworkMember.objects.get().kind, "coop_b")

    def test_one_cannot_join_for_an_organisation_one_does_not_work_for(self) -> None:
        other = OrganizationFactory.create()
        response = self.client_for(self.member).post(
            f"/lavoro/rete/aderisci/{other.pk}/", {"kind": "company"}
        )
        self.assertEqual(response.status_code, 403)

    def test_an_opening_with_zero_places_is_refused_and_the_form_keeps_it(self) -> None:
        NetworkMemberFactory.create(organization=self.org)
        response = self.client_for(self.member).post(
            f"/lavoro/azienda/{self.org.pk}/nuova-offerta/", opening_form(places="0")
        )
        self.assertContains(response, "at least one place")
        self.assertContains(response, 'value="Magazziniere"')
        self.assertFalse(Opening.objects.exists())

    def test_an_unknown_ateco_code_is_refused(self) -> None:
        NetworkMemberFactory.create(organization=self.org)
        response = self.client_for(self.member).post(
            f"/lavoro/azienda/{self.org.pk}/nuova-offerta/", opening_form(ateco_code="99.99.99")
        )
        self.assertContains(response, "Unknown ATECO 2025 code")
        self.assertFalse(Opening.objects.exists())

    def test_a_business_association_does_not_publish_openings(self) -> None:
        NetworkMemberFactory.create(organization=self.org, kind="association")
        response = self.client_for(self.member).post(
            f"/lavoro/azienda/{self.org.pk}/nuova-offerta/", opening_form()
        )
        self.assertContains(response, "Join the network as a company")

    def test_only_the_company_edits_and_closes_its_opening(self) -> None:
        opening = OpeningFactory.create(organization=self.org)
        self.assertEqual(
            self.client_for(self.outsider)
            .get(f"/lavoro/offerte/{opening.pk}/modifica/")
            .status_code,
            403,
        )
        response = self.client_for(self.member).post(
            f"/lavoro/offerte/{opening.pk}/modifica/", {"close": "1"}
        )
        self.assertRedirects(response, f"/lavoro/offerte/{opening.pk}/")
        opening.refresh_from_db()
        self.assertEqual(opening.status, "closed")
        self.assertEqual(self.client.get(f"/lavoro/offerte/{opening.pk}/").status_code, 404)

    def test_the_list_filters_by_skill_and_contract(self) -> None:
        OpeningFactory.create(role="Giardiniere", required_skills=["gardening"])
        OpeningFactory.create(role="Cuoco", required_skills=["kitchen"], contract="permanent")
        page = self.client.get("/lavoro/offerte/?skill=gardening")
        self.assertContains(page, "Giardiniere")
        self.assertNotContains(page, "Cuoco")
        page = self.client.get("/lavoro/offerte/?contract=permanent")
        self.assertContains(page, "Cuoco")
        self.assertNotContains(page, "Giardiniere")
        self.assertContains(self.client.get("/lavoro/offerte/?q=nessuno"), "No opening matches")


class Proposals(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        NetworkMemberFactory.create(organization=cls.org)
        cls.opening = OpeningFactory.create(organization=cls.org, role="Addetta pulizie")
        cls.case = ReadyCaseFactory.create(
            operator=cls.operator,
            person__first_name="Lucia",
            person__last_name="Ferri",
            person__email="lucia@example.org",
            person__work_history="Pulizie in ospedale.",
            person__share_with_companies=["skills"],
        )

    def test_operators_see_people_ranked_for_an_opening_with_reasons(self) -> None:
        other = UserFactory.create(role=User.Role.OPERATOR, email="altro@example.org")
        ReadyCaseFactory.create(operator=other, person__last_name="Segreto")
        page = self.client_for(self.operator).get(f"/lavoro/offerte/{self.opening.pk}/candidati/")
        self.assertContains(page, "Lucia Ferri")
        self.assertContains(page, "Has the required skills: Cleaning")
        self.assertContains(page, "another operator")
        self.assertNotContains(page, "Segreto")
        self.assertEqual(
            self.client_for(self.member)
            .get(f"/lavoro/offerte/{self.opening.pk}/candidati/")
            .status_code,
            403,
        )

    def test_the_company_sees_only_what_the_person_consented_to_share(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        page = self.client_for(self.member).get(f"/lavoro/proposte/{proposal.pk}/")
        self.assertContains(page, "Lucia Ferri")
        self.assertContains(page, "Cleaning")
        self.assertNotContains(page, "lucia@example.org")
        self.assertNotContains(page, "Pulizie in ospedale.")
        self.assertNotContains(page, self.case.person.codice_fiscale)
        desk = self.client_for(self.member).get("/lavoro/azienda/")
        self.assertContains(desk, "Lucia Ferri")

    def test_another_company_does_not_see_the_proposal(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        stranger = UserFactory.create(role=User.Role.MEMBER, email="altra@example.org")
        Membership.objects.create(user=stranger, organization=OrganizationFactory.create())
        for user in (stranger, self.governance, self.outsider):
            with self.subTest(user=user.email):
                response = self.client_for(user).get(f"/lavoro/proposte/{proposal.pk}/")
                self.assertEqual(response.status_code, 403)
        self.assertNotContains(self.client_for(stranger).get("/lavoro/azienda/"), "Lucia")

    def test_declining_needs_a_reason_and_a_decision_is_given_once(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        client = self.client_for(self.member)
        response = client.post(f"/lavoro/proposte/{proposal.pk}/", {"decision": "decline"})
        self.assertContains(response, "Say why you decline")
        client.post(
            f"/lavoro/proposte/{proposal.pk}/", {"decision": "decline", "note": "Posto coperto."}
        )
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, Proposal.Status.DECLINED)
        response = client.post(f"/lavoro/proposte/{proposal.pk}/", {"decision": "accept"})
        self.assertContains(response, "already been answered")

    def test_the_operator_cannot_answer_for_the_company(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        response = self.client_for(self.operator).post(
            f"/lavoro/proposte/{proposal.pk}/", {"decision": "accept"}
        )
        self.assertEqual(response.status_code, 403)

    def test_a_proposal_to_a_closed_opening_is_refused(self) -> None:
        self.opening.status = Opening.Status.CLOSED
        self.opening.save()
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{self.case.pk}/", {"action": "propose", "opening": self.opening.pk}
        )
        self.assertContains(response, "The opening is closed")
        self.assertFalse(Proposal.objects.exists())

    def test_a_person_not_ready_is_not_proposed_and_not_twice(self) -> None:
        services.proposal_create(case=self.case, opening=self.opening, user=self.operator)
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{self.case.pk}/", {"action": "propose", "opening": self.opening.pk}
        )
        self.assertContains(response, "already been proposed")
        self.case.outcome = "training"
        self.case.save()
        other = OpeningFactory.create(organization=self.org)
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{self.case.pk}/", {"action": "propose", "opening": other.pk}
        )
        self.assertContains(response, "Only people assessed as ready")
        self.assertEqual(Proposal.objects.count(), 1)

    def test_a_placement_needs_an_accepted_proposal(self) -> None:
        proposal = services.proposal_create(
            case=self.case, opening=self.opening, user=self.operator
        )
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{self.case.pk}/",
            {
                "action": "pathway",
                "proposal": proposal.pk,
                "pathway-kind": "fixed_term",
                "pathway-title": "Pulizie",
                "pathway-starts_on": timezone.localdate().isoformat(),
            },
        )
        self.assertContains(response, "has not accepted this proposal")
