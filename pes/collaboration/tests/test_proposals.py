from __future__ import annotations

from django.core import mail

from pes.collaboration.models import Proposal, ProposalSupport
from pes.collaboration.tests.factories import (
    ProposalFactory,
    TableFactory,
    add_member,
    org_of,
    staff,
)
from pes.plan.models import Action, Initiative
from pes.test import BaseTestCase


class ProposalTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")
        cls.action = Action.objects.get(mission__number=1, number=1)

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.member, action=self.action)
        add_member(self.table, self.member, self.org, "coordinator")
        add_member(self.table, self.banker, self.bank)

    def test_a_member_puts_forward_a_proposal_and_the_others_are_told(self):
        client = self.client_for(self.banker)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                f"/collaborazione/tavoli/{self.table.slug}/proposte/nuova/",
                {
                    "kind": "instrument",
                    "title": "Fondo di garanzia",
                    "text": "Garanzie per l'affitto",
                    "cost": "250000",
                    "funders": "Banca e fondazione",
                    "status": "discussion",
                    "organization": self.bank.pk,
                },
            )
        proposal = Proposal.objects.get()
        self.assertRedirects(response, proposal.get_absolute_url())
        self.assertEqual([m.to[0] for m in mail.outbox], [self.member.email])

    def test_a_negative_cost_is_refused(self):
        response = self.client_for(self.banker).post(
            f"/collaborazione/tavoli/{self.table.slug}/proposte/nuova/",
            {
                "kind": "policy",
                "title": "X",
                "text": "Y",
                "cost": "-5",
                "status": "discussion",
                "organization": self.bank.pk,
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Proposal.objects.exists())

    def test_an_outsider_cannot_put_forward_a_proposal(self):
        url = f"/collaborazione/tavoli/{self.table.slug}/proposte/nuova/"
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)

    def test_an_organisation_supports_once_and_the_second_time_gets_a_clear_message(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.org, author=self.member
        )
        client = self.client_for(self.banker)
        url = f"/collaborazione/proposte/{proposal.pk}/sostegno/"
        self.assertRedirects(
            client.post(url, {"organization": self.bank.pk}), proposal.get_absolute_url()
        )
        again = client.post(url, {"organization": self.bank.pk})
        self.assertEqual(again.status_code, 422)
        self.assertContains(again, "already supports", status_code=422)
        self.assertEqual(ProposalSupport.objects.count(), 1)

    def test_support_only_on_behalf_of_ones_own_organisation(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.org, author=self.member
        )
        response = self.client_for(self.banker).post(
            f"/collaborazione/proposte/{proposal.pk}/sostegno/", {"organization": self.org.pk}
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(ProposalSupport.objects.exists())

    def test_members_comment(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.org, author=self.member
        )
        self.client_for(self.banker).post(
            f"/collaborazione/proposte/{proposal.pk}/commenti/", {"text": "Siamo d'accordo"}
        )
        self.assertContains(
            self.client_for(None).get(proposal.get_absolute_url()), "Siamo d&#x27;accordo"
        )
        self.assertEqual(
            self.client_for(self.outsider)
            .post(f"/collaborazione/proposte/{proposal.pk}/commenti/", {"text": "x"})
            .status_code,
            403,
        )

    def test_the_coordinator_adopts_and_governance_creates_the_plan_initiative(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.org, author=self.member
        )
        ProposalSupport.objects.create(proposal=proposal, organization=self.bank)
        self.assertEqual(
            self.client_for(self.banker)
            .post(f"/collaborazione/proposte/{proposal.pk}/stato/", {"status": "adopted"})
            .status_code,
            403,
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.member).post(
                f"/collaborazione/proposte/{proposal.pk}/stato/", {"status": "adopted"}
            )
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, "adopted")
        self.assertTrue(any("adopted" in m.subject for m in mail.outbox))
        url = f"/collaborazione/proposte/{proposal.pk}/iniziativa/"
        data = {"action": self.action.pk, "lead": self.org.pk, "title": ""}
        self.assertEqual(self.client_for(self.member).post(url, data).status_code, 403)
        response = self.client_for(self.governance).post(url, data)
        initiative = Initiative.objects.get(title=proposal.title)
        self.assertRedirects(response, initiative.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(initiative.action, self.action)
        self.assertEqual(initiative.lead, self.org)
        self.assertTrue(initiative.partners.filter(organization=self.bank).exists())
        proposal.refresh_from_db()
        self.assertEqual(proposal.initiative, initiative)
        again = self.client_for(self.governance).post(url, data)
        self.assertEqual(again.status_code, 422)
        self.assertEqual(Initiative.objects.filter(title=proposal.title).count(), 1)

    def test_a_proposal_not_adopted_cannot_become_an_initiative(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.org, author=self.member
        )
        response = self.client_for(self.governance).post(
            f"/collaborazione/proposte/{proposal.pk}/iniziativa/",
            {"action": self.action.pk, "lead": self.org.pk},
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Initiative.objects.filter(title=proposal.title).exists())

    def test_a_draft_is_seen_only_by_its_author_and_the_coordinator(self):
        proposal = ProposalFactory.create(
            table=self.table, organization=self.bank, author=self.banker, status="draft"
        )
        self.assertEqual(self.client_for(None).get(proposal.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client_for(self.banker).get(proposal.get_absolute_url()).status_code, 200
        )
        self.assertEqual(
            self.client_for(self.member).get(proposal.get_absolute_url()).status_code, 200
        )
