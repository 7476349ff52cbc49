from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.utils import timezone, translation
from django.utils.html import escape

from pes.collaboration.models import HousingInitiative, Meeting, Procedure, Proposal, TableMember
from pes.collaboration.tests.factories import (
    ActionItemFactory,
    HousingFactory,
    MeetingFactory,
    ProcedureFactory,
    ProposalFactory,
    TableFactory,
    add_member,
    municipality,
    org_of,
    staff,
)
from pes.core.models import AuditEntry
from pes.plan.models import Action, Mission
from pes.test import BaseTestCase


def shown(msgid: str) -> str:
    """A message as the interface shows it in the active language."""
    return escape(translation.gettext(msgid))


class TableEditingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.member, title="Tavolo abitare")
        self.own = add_member(self.table, self.member, self.org, "coordinator")
        self.other = add_member(self.table, self.banker, self.bank)
        self.url = f"/collaborazione/tavoli/{self.table.slug}/modifica/"

    def data(self, **extra):
        data = {
            "title": "Tavolo abitare",
            "purpose": "Nuovo scopo del tavolo",
            "mission": "",
            "action": "",
            "visibility": "members",
        }
        data.update(extra)
        return data

    def test_the_coordinator_edits_purpose_and_visibility_and_the_change_is_audited(self):
        client = self.client_for(self.member)
        page = client.get(self.table.get_absolute_url())
        self.assertContains(page, self.url)
        self.assertContains(client.get(self.url), "Tavolo abitare")
        response = client.post(self.url, self.data())
        self.assertRedirects(response, self.table.get_absolute_url())
        self.table.refresh_from_db()
        self.assertEqual(self.table.purpose, "Nuovo scopo del tavolo")
        self.assertEqual(self.table.visibility, "members")
        entry = AuditEntry.objects.filter(object_id=str(self.table.pk), action="update").get()
        self.assertEqual(entry.changes["visibility"], ["public", "members"])

    def test_governance_may_edit_and_the_action_sets_the_mission(self):
        action = Action.objects.select_related("mission").first()
        if action is None:
            self.skipTest("no Plan actions loaded")
        response = self.client_for(self.governance).post(
            self.url, self.data(action=action.pk, visibility="public")
        )
        self.assertRedirects(response, self.table.get_absolute_url())
        self.table.refresh_from_db()
        self.assertEqual(self.table.action, action)
        self.assertEqual(self.table.mission, action.mission)

    def test_an_action_of_another_mission_is_a_field_error_and_nothing_is_saved(self):
        action = Action.objects.select_related("mission").first()
        other = Mission.objects.exclude(pk=getattr(action, "mission_id", None)).first()
        if action is None or other is None:
            self.skipTest("no Plan actions loaded")
        response = self.client_for(self.member).post(
            self.url, self.data(mission=other.pk, action=action.pk)
        )
        self.assertContains(response, 'id="id_action_error"', status_code=422)
        self.table.refresh_from_db()
        self.assertEqual(self.table.visibility, "public")
        self.assertIsNone(self.table.action_id)

    def test_a_purpose_is_required(self):
        response = self.client_for(self.member).post(self.url, self.data(purpose=""))
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, 'id="id_purpose_error"', status_code=422)
        self.table.refresh_from_db()
        self.assertEqual(self.table.visibility, "public")

    def test_a_member_who_does_not_coordinate_cannot_edit_nor_sees_the_link(self):
        client = self.client_for(self.banker)
        self.assertNotContains(client.get(self.table.get_absolute_url()), self.url)
        self.assertEqual(client.get(self.url).status_code, 403)
        self.assertEqual(client.post(self.url, self.data()).status_code, 403)
        self.assertEqual(self.client_for(None).post(self.url, self.data()).status_code, 302)
        self.table.refresh_from_db()
        self.assertEqual(self.table.visibility, "public")

    def test_the_coordinator_removes_a_member(self):
        client = self.client_for(self.member)
        remove = f"/collaborazione/tavoli/{self.table.slug}/membri/{self.other.pk}/rimuovi/"
        self.assertContains(client.get(self.table.get_absolute_url()), remove)
        response = client.post(remove)
        self.assertRedirects(response, self.table.get_absolute_url())
        self.assertFalse(TableMember.objects.filter(pk=self.other.pk).exists())
        entry = AuditEntry.objects.filter(object_id=str(self.table.pk), action="update").get()
        self.assertIn("banca@example.org", entry.changes["member"][0])

    def test_the_coordinator_cannot_remove_themself(self):
        client = self.client_for(self.member)
        remove = f"/collaborazione/tavoli/{self.table.slug}/membri/{self.own.pk}/rimuovi/"
        self.assertNotContains(client.get(self.table.get_absolute_url()), remove)
        response = client.post(remove, follow=True)
        self.assertContains(response, shown("The coordinator cannot be removed from the table."))
        self.assertTrue(TableMember.objects.filter(pk=self.own.pk).exists())

    def test_a_member_with_open_action_items_is_not_removed(self):
        meeting = MeetingFactory.create(table=self.table)
        ActionItemFactory.create(meeting=meeting, owner=self.banker)
        remove = f"/collaborazione/tavoli/{self.table.slug}/membri/{self.other.pk}/rimuovi/"
        response = self.client_for(self.member).post(remove, follow=True)
        self.assertContains(
            response,
            shown("This person still owns open action items of the table: close them first."),
        )
        self.assertTrue(TableMember.objects.filter(pk=self.other.pk).exists())

    def test_only_the_coordinator_removes_members_and_only_of_their_table(self):
        remove = f"/collaborazione/tavoli/{self.table.slug}/membri/{self.own.pk}/rimuovi/"
        self.assertEqual(self.client_for(self.banker).post(remove).status_code, 403)
        self.assertEqual(self.client_for(self.member).get(remove).status_code, 405)
        elsewhere = add_member(TableFactory.create(), self.banker, self.bank)
        wrong = f"/collaborazione/tavoli/{self.table.slug}/membri/{elsewhere.pk}/rimuovi/"
        self.assertEqual(self.client_for(self.member).post(wrong).status_code, 404)
        self.assertEqual(TableMember.objects.count(), 3)


class MeetingEditingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.member)
        add_member(self.table, self.member, self.org, "coordinator")
        add_member(self.table, self.banker, self.bank)
        self.meeting = MeetingFactory.create(table=self.table)
        self.url = f"/collaborazione/riunioni/{self.meeting.pk}/modifica/"

    def data(self, **extra):
        start = timezone.localtime(self.meeting.starts_at)
        data = {
            "title": self.meeting.title,
            "agenda": self.meeting.agenda,
            "date": start.date().isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "place": self.meeting.place,
            "link": "",
        }
        data.update(extra)
        return data

    def test_changing_only_the_agenda_sends_no_new_invitation(self):
        client = self.client_for(self.member)
        self.assertContains(client.get(self.meeting.get_absolute_url()), self.url)
        self.assertContains(client.get(self.url), "Palazzo Malvezzi")
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(self.url, self.data(agenda="1. Bilancio"))
        self.assertRedirects(response, self.meeting.get_absolute_url())
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.agenda, "1. Bilancio")
        self.assertEqual(mail.outbox, [])

    def test_a_new_date_and_place_send_an_updated_invitation_with_the_ics(self):
        day = timezone.localdate() + dt.timedelta(days=10)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.member).post(
                self.url, self.data(date=day.isoformat(), place="Sala Zodiaco")
            )
        self.assertRedirects(response, self.meeting.get_absolute_url())
        self.meeting.refresh_from_db()
        self.assertEqual(timezone.localtime(self.meeting.starts_at).date(), day)
        self.assertEqual(self.meeting.place, "Sala Zodiaco")
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted([self.member.email, self.banker.email])
        )
        message = mail.outbox[0]
        self.assertIn("Sala Zodiaco", message.body)
        name, content, kind = message.attachments[0]
        self.assertEqual(kind, "text/calendar")
        ics = content.decode() if isinstance(content, bytes) else content
        self.assertIn(f"meeting-{self.meeting.pk}@", ics)
        self.assertIn("SEQUENCE:1", ics)

    def test_a_date_in_the_past_is_a_field_error_and_nothing_is_saved(self):
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.member).post(
                self.url, self.data(date=yesterday, agenda="Cambiata")
            )
        self.assertContains(response, 'id="id_date_error"', status_code=422)
        self.meeting.refresh_from_db()
        self.assertNotEqual(self.meeting.agenda, "Cambiata")
        self.assertEqual(mail.outbox, [])

    def test_a_meeting_without_place_or_link_is_refused(self):
        response = self.client_for(self.member).post(self.url, self.data(place=""))
        self.assertContains(response, 'id="id_place_error"', status_code=422)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.place, "Palazzo Malvezzi")

    def test_only_the_coordinator_edits_and_only_before_the_meeting(self):
        client = self.client_for(self.banker)
        self.assertNotContains(client.get(self.meeting.get_absolute_url()), self.url)
        self.assertEqual(client.post(self.url, self.data(agenda="X")).status_code, 403)
        past = MeetingFactory.create(
            table=self.table, starts_at=timezone.now() - dt.timedelta(days=2)
        )
        url = f"/collaborazione/riunioni/{past.pk}/modifica/"
        coordinator = self.client_for(self.member)
        self.assertNotContains(coordinator.get(past.get_absolute_url()), url)
        self.assertEqual(coordinator.get(url).status_code, 403)
        self.meeting.refresh_from_db()
        self.assertNotEqual(self.meeting.agenda, "X")
        self.assertEqual(Meeting.objects.get(pk=past.pk).agenda, past.agenda)


class ProposalEditingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")
        cls.colleague = staff(cls.org, "collega@example.org")
        cls.coordinator = staff(org_of("PA", "Comune di Prova"), "comune@example.org")

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.coordinator)
        add_member(self.table, self.member, self.org)
        add_member(self.table, self.banker, self.bank)
        self.proposal = ProposalFactory.create(
            table=self.table, author=self.member, organization=self.org, status="discussion"
        )
        self.url = f"/collaborazione/proposte/{self.proposal.pk}/modifica/"

    def data(self, **extra):
        data = {
            "kind": "instrument",
            "title": "Fondo di garanzia rivisto",
            "text": "Testo rivisto",
            "cost": "250000",
            "funders": "Fondazione",
        }
        data.update(extra)
        return data

    def test_a_colleague_of_the_author_organisation_edits_the_proposal(self):
        client = self.client_for(self.colleague)
        self.assertContains(client.get(self.proposal.get_absolute_url()), self.url)
        response = client.post(self.url, self.data())
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "Fondo di garanzia rivisto")
        self.assertEqual(self.proposal.cost, Decimal("250000"))
        self.assertEqual(self.proposal.author, self.member)
        entry = AuditEntry.objects.filter(object_id=str(self.proposal.pk), action="update").get()
        self.assertEqual(entry.changes["cost"], ["500000.00", "250000"])

    def test_the_coordinator_edits_a_draft(self):
        self.proposal.status = "draft"
        self.proposal.save()
        response = self.client_for(self.coordinator).post(self.url, self.data(title="Bozza"))
        self.assertRedirects(response, self.proposal.get_absolute_url())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "Bozza")
        self.assertEqual(self.proposal.status, "draft")

    def test_a_negative_cost_is_a_field_error_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(self.url, self.data(cost="-5"))
        self.assertContains(response, 'id="id_cost_error"', status_code=422)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.cost, Decimal("500000.00"))
        self.assertNotEqual(self.proposal.title, "Fondo di garanzia rivisto")

    def test_another_organisation_cannot_edit(self):
        client = self.client_for(self.banker)
        self.assertNotContains(client.get(self.proposal.get_absolute_url()), self.url)
        self.assertEqual(client.post(self.url, self.data()).status_code, 403)
        self.proposal.refresh_from_db()
        self.assertNotEqual(self.proposal.title, "Fondo di garanzia rivisto")

    def test_a_decided_proposal_cannot_be_edited(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(status="adopted")
        client = self.client_for(self.member)
        self.assertNotContains(client.get(self.proposal.get_absolute_url()), self.url)
        self.assertEqual(client.post(self.url, self.data()).status_code, 403)
        self.proposal.refresh_from_db()
        self.assertNotEqual(self.proposal.title, "Fondo di garanzia rivisto")


class ProcedureClosingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.comune = org_of("PA", "Comune di San Lazzaro di Savena")
        cls.official = staff(cls.comune, "comune@example.org")

    def setUp(self):
        self.procedure = ProcedureFactory.create(administration=self.comune, stage="design")
        self.url = f"/collaborazione/procedimenti/{self.procedure.slug}/chiusura/"

    def test_the_administration_closes_without_agreement_and_the_reason_is_published(self):
        client = self.client_for(self.official)
        self.assertContains(client.get(self.procedure.get_absolute_url()), self.url)
        response = client.post(self.url, {"reason": "Nessun accordo sul budget"})
        self.assertRedirects(response, self.procedure.get_absolute_url())
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.stage, Procedure.Stage.CLOSED)
        public = self.client_for(None).get(self.procedure.get_absolute_url())
        self.assertContains(public, "Nessun accordo sul budget")
        self.assertNotContains(public, self.url)
        self.assertEqual(client.post(self.url, {"reason": "Di nuovo"}).status_code, 422)
        self.assertEqual(self.procedure.steps.count(), 1)

    def test_a_reason_is_required(self):
        response = self.client_for(self.official).post(self.url, {"reason": "  "})
        self.assertContains(response, 'id="id_reason_error"', status_code=422)
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.stage, "design")
        self.assertFalse(self.procedure.steps.exists())

    def test_others_cannot_close_and_do_not_see_the_form(self):
        client = self.client_for(self.member)
        self.assertNotContains(client.get(self.procedure.get_absolute_url()), self.url)
        self.assertEqual(client.post(self.url, {"reason": "No"}).status_code, 403)
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.stage, "design")

    def test_a_draft_cannot_be_closed(self):
        draft = ProcedureFactory.create(administration=self.comune)
        url = f"/collaborazione/procedimenti/{draft.slug}/chiusura/"
        response = self.client_for(self.official).post(url, {"reason": "Ritirato"})
        self.assertEqual(response.status_code, 422)
        draft.refresh_from_db()
        self.assertEqual(draft.stage, "draft")


class HousingEditingTests(BaseTestCase):
    def setUp(self):
        self.housing = HousingFactory.create(lead=self.org, name="Cohousing Navile")
        self.url = f"/collaborazione/abitare/{self.housing.slug}/modifica/"

    def data(self, **extra):
        data = {
            "name": "Cohousing Navile",
            "description": "Venti alloggi",
            "lead": self.org.pk,
            "municipality": municipality().pk,
            "address": "Via Gobetti 1",
            "units": "22",
            "tenure": "rent",
            "monthly_rent": "550",
            "market_rent": "1000",
            "households_housed": "20",
            "target_groups": ["young"],
            "shared_services": "",
            "financing": "",
            "partners": "",
        }
        data.update(extra)
        return data

    def test_the_lead_organisation_edits_the_initiative_and_its_partners(self):
        bank = org_of("BANCA", "Banca partner")
        client = self.client_for(self.member)
        self.assertContains(client.get(self.housing.get_absolute_url()), self.url)
        self.assertContains(client.get(self.url), "Cohousing Navile")
        response = client.post(self.url, self.data(partners=bank.codice_fiscale))
        self.assertRedirects(response, self.housing.get_absolute_url())
        self.housing.refresh_from_db()
        self.assertEqual(self.housing.units, 22)
        self.assertEqual(self.housing.target_groups, ["young"])
        self.assertEqual(list(self.housing.partners.all()), [bank])
        self.assertContains(client.get(self.url), bank.codice_fiscale)

    def test_governance_edits_any_initiative(self):
        response = self.client_for(self.governance).post(self.url, self.data(units="30"))
        self.assertRedirects(response, self.housing.get_absolute_url())
        self.assertEqual(HousingInitiative.objects.get().units, 30)

    def test_a_zero_market_rent_is_a_field_error_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(
            self.url, self.data(market_rent="0", units="30")
        )
        self.assertContains(response, 'id="id_market_rent_error"', status_code=422)
        self.housing.refresh_from_db()
        self.assertEqual(self.housing.units, 20)
        self.assertEqual(self.housing.market_rent, Decimal("1000.00"))

    def test_too_many_households_is_refused(self):
        response = self.client_for(self.member).post(
            self.url, self.data(units="2", households_housed="50")
        )
        self.assertContains(response, 'id="id_households_housed_error"', status_code=422)
        self.housing.refresh_from_db()
        self.assertEqual(self.housing.units, 20)

    def test_others_cannot_edit_nor_see_the_link(self):
        other = staff(org_of("COOP", "Altra cooperativa"), "altra@example.org")
        for user in (other, self.outsider):
            client = self.client_for(user)
            self.assertNotContains(client.get(self.housing.get_absolute_url()), self.url)
            self.assertEqual(client.post(self.url, self.data(units="99")).status_code, 403)
        self.housing.refresh_from_db()
        self.assertEqual(self.housing.units, 20)
