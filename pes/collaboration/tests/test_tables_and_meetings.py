from __future__ import annotations

import datetime as dt

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.collaboration.models import ActionItem, Attendance, Meeting, WorkingTable
from pes.collaboration.tasks import send_overdue_reminders
from pes.collaboration.tests.factories import (
    ActionItemFactory,
    MeetingFactory,
    TableFactory,
    add_member,
    next_week,
    org_of,
    staff,
)
from pes.test import BaseTestCase


class TableTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.coop = cls.org
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")

    def test_a_member_creates_a_table_and_becomes_its_coordinator(self):
        client = self.client_for(self.member)
        response = client.post(
            "/collaborazione/tavoli/nuovo/",
            {
                "title": "Tavolo abitare",
                "purpose": "Politiche per l'abitare",
                "visibility": "public",
                "organization": self.org.pk,
            },
        )
        table = WorkingTable.objects.get(title="Tavolo abitare")
        self.assertRedirects(response, table.get_absolute_url())
        self.assertEqual(table.coordinator, self.member)
        self.assertEqual(table.members.get().organization, self.org)

    def test_a_visitor_without_organisation_cannot_create_a_table(self):
        self.assertEqual(
            self.client_for(self.outsider).get("/collaborazione/tavoli/nuovo/").status_code, 403
        )

    def test_a_members_only_table_is_hidden_from_outsiders_and_shown_to_members(self):
        table = TableFactory.create(visibility="members", coordinator=self.member)
        url = table.get_absolute_url()
        self.assertEqual(self.client_for(None).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.member).get(url).status_code, 200)
        self.assertEqual(self.client_for(self.governance).get(url).status_code, 200)
        home = self.client_for(None).get("/collaborazione/")
        self.assertNotContains(home, table.title)

    def test_the_coordinator_adds_a_member_from_a_bank(self):
        table = TableFactory.create(coordinator=self.member)
        client = self.client_for(self.member)
        response = client.post(
            f"/collaborazione/tavoli/{table.slug}/membri/",
            {
                "email": self.banker.email,
                "organization": self.bank.codice_fiscale,
                "role": "member",
            },
        )
        self.assertRedirects(response, table.get_absolute_url())
        page = client.get(table.get_absolute_url())
        self.assertContains(page, "Banca di Prova")
        again = client.post(
            f"/collaborazione/tavoli/{table.slug}/membri/",
            {
                "email": self.banker.email,
                "organization": self.bank.codice_fiscale,
                "role": "member",
            },
        )
        self.assertEqual(again.status_code, 422)
        self.assertContains(again, "already a member", status_code=422)

    def test_a_member_must_be_on_the_staff_of_the_organisation_given(self):
        table = TableFactory.create(coordinator=self.member)
        response = self.client_for(self.member).post(
            f"/collaborazione/tavoli/{table.slug}/membri/",
            {
                "email": self.outsider.email,
                "organization": self.bank.codice_fiscale,
                "role": "member",
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(table.members.count(), 0)

    def test_only_the_coordinator_adds_members(self):
        table = TableFactory.create(coordinator=self.member)
        response = self.client_for(self.banker).post(
            f"/collaborazione/tavoli/{table.slug}/membri/",
            {
                "email": self.banker.email,
                "organization": self.bank.codice_fiscale,
                "role": "member",
            },
        )
        self.assertEqual(response.status_code, 403)

    def test_the_table_list_takes_the_same_queries_for_few_and_many_tables(self):
        TableFactory.create()
        client = self.client_for(self.member)
        client.get("/collaborazione/")
        with CaptureQueriesContext(connection) as few:
            client.get("/collaborazione/")
        for _ in range(8):
            t = TableFactory.create()
            add_member(t, self.member, self.org)
        with CaptureQueriesContext(connection) as many:
            client.get("/collaborazione/")
        self.assertEqual(len(few), len(many))

    def test_the_table_page_takes_the_same_queries_for_small_and_larger_tables(self):
        table = TableFactory.create(coordinator=self.member)
        add_member(table, self.member, self.org)
        MeetingFactory.create(table=table)
        client = self.client_for(self.member)
        client.get(table.get_absolute_url())
        with CaptureQueriesContext(connection) as few:
            client.get(table.get_absolute_url())
        for n in range(5):
            person = staff(self.bank, f"p{n}@example.org")
            add_member(table, person, self.bank)
            ActionItemFactory.create(meeting=MeetingFactory.create(table=table), owner=person)
        with CaptureQueriesContext(connection) as many:
            client.get(table.get_absolute_url())
        self.assertEqual(len(few), len(many))


class MeetingTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bank = org_of("BANCA", "Banca di Prova")
        cls.banker = staff(cls.bank, "banca@example.org")

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.member)
        add_member(self.table, self.member, self.org, "coordinator")
        add_member(self.table, self.banker, self.bank)

    def meeting_data(self, **extra):
        day = timezone.localdate() + dt.timedelta(days=5)
        data = {
            "title": "Prima riunione",
            "agenda": "Presentazioni",
            "date": day.isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "place": "Palazzo Malvezzi",
            "link": "",
        }
        data.update(extra)
        return data

    def test_the_coordinator_schedules_a_meeting_and_every_member_is_invited_with_an_ics(self):
        client = self.client_for(self.member)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                f"/collaborazione/tavoli/{self.table.slug}/riunioni/nuova/", self.meeting_data()
            )
        meeting = Meeting.objects.get()
        self.assertRedirects(response, meeting.get_absolute_url())
        self.assertEqual(Attendance.objects.filter(meeting=meeting).count(), 2)
        recipients = sorted(m.to[0] for m in mail.outbox)
        self.assertEqual(recipients, sorted([self.member.email, self.banker.email]))
        self.assertEqual(mail.outbox[0].attachments[0][2], "text/calendar")
        ics = client.get(f"/collaborazione/riunioni/{meeting.pk}/calendario.ics")
        self.assertIn(b"BEGIN:VEVENT", ics.content)

    def test_a_meeting_in_the_past_is_refused_and_nothing_is_saved(self):
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        response = self.client_for(self.member).post(
            f"/collaborazione/tavoli/{self.table.slug}/riunioni/nuova/",
            self.meeting_data(date=yesterday),
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "cannot be scheduled in the past", status_code=422)
        self.assertFalse(Meeting.objects.exists())

    def test_a_meeting_needs_a_place_or_a_link_and_an_end_after_the_start(self):
        client = self.client_for(self.member)
        url = f"/collaborazione/tavoli/{self.table.slug}/riunioni/nuova/"
        self.assertEqual(client.post(url, self.meeting_data(place="")).status_code, 422)
        self.assertEqual(client.post(url, self.meeting_data(end_time="09:00")).status_code, 422)
        self.assertFalse(Meeting.objects.exists())

    def test_a_member_who_does_not_coordinate_cannot_schedule(self):
        response = self.client_for(self.banker).post(
            f"/collaborazione/tavoli/{self.table.slug}/riunioni/nuova/", self.meeting_data()
        )
        self.assertEqual(response.status_code, 403)

    def test_minutes_attendance_decision_and_action_item_are_recorded(self):
        meeting = MeetingFactory.create(table=self.table)
        rows = [
            Attendance.objects.create(meeting=meeting, member=m) for m in self.table.members.all()
        ]
        client = self.client_for(self.member)
        base = f"/collaborazione/riunioni/{meeting.pk}/"
        client.post(base + "verbale/", {"minutes": "Si è discusso.", "present": [rows[0].pk]})
        rows[0].refresh_from_db()
        rows[1].refresh_from_db()
        self.assertTrue(rows[0].present)
        self.assertFalse(rows[1].present)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            client.post(base + "decisioni/", {"text": "Si adotta il fondo di garanzia."})
        self.assertEqual(meeting.decisions.get().text, "Si adotta il fondo di garanzia.")
        self.assertEqual(len(mail.outbox), 2)
        due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        client.post(
            base + "compiti/",
            {
                "item-text": "Scrivere il regolamento",
                "item-owner": self.banker.pk,
                "item-due_date": due,
            },
        )
        item = ActionItem.objects.get()
        self.assertEqual(item.owner, self.banker)
        page = client.get(base)
        self.assertContains(page, "Scrivere il regolamento")
        self.assertContains(page, "Si adotta il fondo di garanzia.")

    def test_an_action_item_owner_must_be_a_member(self):
        meeting = MeetingFactory.create(table=self.table)
        due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        response = self.client_for(self.member).post(
            f"/collaborazione/riunioni/{meeting.pk}/compiti/",
            {"item-text": "x", "item-owner": self.outsider.pk, "item-due_date": due},
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(ActionItem.objects.exists())

    def test_the_owner_closes_an_action_item_and_others_cannot(self):
        item = ActionItemFactory.create(
            meeting=MeetingFactory.create(table=self.table), owner=self.banker
        )
        url = f"/collaborazione/compiti/{item.pk}/fatto/"
        self.assertEqual(self.client_for(self.outsider).post(url).status_code, 403)
        self.client_for(self.banker).post(url)
        item.refresh_from_db()
        self.assertIsNotNone(item.done_at)

    def test_overdue_items_are_shown_to_the_coordinator_and_reminded_once(self):
        item = ActionItemFactory.create(
            meeting=MeetingFactory.create(table=self.table),
            owner=self.banker,
            due_date=timezone.localdate() - dt.timedelta(days=2),
        )
        page = self.client_for(self.member).get("/collaborazione/")
        self.assertContains(page, "Overdue action items")
        self.assertContains(page, item.text)
        self.assertNotContains(
            self.client_for(self.banker).get("/collaborazione/"), "Overdue action items"
        )
        mail.outbox.clear()
        send_overdue_reminders.call()
        self.assertEqual(sorted(mail.outbox[0].to), [self.banker.email])
        self.assertEqual(len(mail.outbox), 2)
        send_overdue_reminders.call()
        self.assertEqual(len(mail.outbox), 2)

    def test_a_person_who_turned_invitations_off_gets_none(self):
        self.client_for(self.banker).post(
            "/collaborazione/preferenze/", {"proposals": "on", "decisions": "on", "overdue": "on"}
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.client_for(self.member).post(
                f"/collaborazione/tavoli/{self.table.slug}/riunioni/nuova/", self.meeting_data()
            )
        self.assertEqual([m.to[0] for m in mail.outbox], [self.member.email])

    def test_a_visitor_sees_a_public_meeting_but_no_forms(self):
        meeting = MeetingFactory.create(table=self.table, starts_at=next_week())
        page = self.client_for(None).get(meeting.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Record the decision")
