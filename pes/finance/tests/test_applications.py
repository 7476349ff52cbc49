"""Calls for you, ask-once applications with the document wallet, and the funder's review,
through HTTP as people use them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.models import AuditEntry
from pes.finance.models import Application, Call, WalletDocument
from pes.finance.tests.factories import (
    ApplicationFactory,
    CallFactory,
    ProgrammeFactory,
    WalletDocumentFactory,
    in_days,
)
from pes.plan.models import Action, Mission
from pes.registry.models import Activity, LegalForm, Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase


class FinanceTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.org.partita_iva = "01234567890"
        cls.org.email = "info@germoglio.example"
        cls.org.legal_representative = "Anna Bianchi"
        cls.org.workers = 12
        cls.org.year_founded = 2015
        cls.org.save()
        cls.funder_user = UserFactory.create(role=User.Role.MEMBER, email="funder@example.org")
        cls.programme = ProgrammeFactory.create()
        Membership.objects.create(
            user=cls.funder_user, organization=cls.programme.funder, role=Membership.Role.MANAGER
        )
        cls.call = CallFactory.create(
            programme=cls.programme,
            title="Bando welfare di comunità",
            slug="welfare-di-comunita",
            required_documents=["statute", "durc"],
        )

    def setUp(self) -> None:
        self.statute = WalletDocumentFactory.create(organization=self.org, kind="statute")
        self.durc = WalletDocumentFactory.create(
            organization=self.org,
            kind="durc",
            title="DURC",
            issued_on=timezone.localdate() - dt.timedelta(days=30),
            expires_on=timezone.localdate() + dt.timedelta(days=90),
        )

    def apply_data(self, **extra):
        data = {
            "ente": self.org.pk,
            "name": self.org.name,
            "codice_fiscale": self.org.codice_fiscale,
            "partita_iva": self.org.partita_iva,
            "email": self.org.email,
            "legal_representative": "Anna Bianchi",
            "workers": "12",
            "year_founded": "2015",
            "project_title": "Emporio solidale di quartiere",
            "summary": "Un emporio per le famiglie in difficoltà.",
            "amount_requested": "30000",
            "documents": [self.statute.pk, self.durc.pk],
        }
        data.update(extra)
        return data


class CallsForYou(FinanceTestCase):
    def test_calls_for_an_organisation_are_ranked_with_reasons_and_exclude_those_it_does_not_fit(
        self,
    ) -> None:
        aps = LegalForm.objects.get(code="APS")
        coop = LegalForm.objects.get(code="COOP_SOC_A")
        self.org.activities.add(Activity.objects.get(letter="a"))
        fitting = CallFactory.create(title="Solo per APS di Bologna", programme=self.programme)
        fitting.legal_forms.add(aps)
        fitting.municipalities.add(Municipality.objects.get(istat_code="037006"))
        fitting.activities.add(Activity.objects.get(letter="a"))
        self.org.missions.add(Mission.objects.get(number=7))
        fitting.actions.add(Action.objects.filter(mission__number=7).first())
        other_form = CallFactory.create(title="Solo cooperative", programme=self.programme)
        other_form.legal_forms.add(coop)
        CallFactory.create(title="Per le start-up", programme=self.programme, stages=["startup"])
        CallFactory.create(title="Chiuso", programme=self.programme, deadline=in_days(-1))
        response = self.client_for(self.member).get("/finanza/bandi/per-te/")
        self.assertEqual(response.status_code, 200)
        titles = [m.call.title for m in response.context["matches"]]
        self.assertEqual(titles[0], "Solo per APS di Bologna")
        self.assertIn("Bando welfare di comunità", titles)
        self.assertNotIn("Solo cooperative", titles)
        self.assertNotIn("Per le start-up", titles)  # founded in 2015: consolidation
        self.assertNotIn("Chiuso", titles)
        self.assertContains(response, "Your head office is in one of its municipalities.")
        self.assertContains(response, "Matches your activities (art. 5 CTS letters a).")
        self.assertContains(response, "Funds actions of mission 7 of the Plan")

    def test_calls_for_you_need_an_organisation(self) -> None:
        response = self.client_for(self.outsider).get("/finanza/bandi/per-te/")
        self.assertContains(response, "ask your organisation to add you")
        self.assertEqual(self.client.get("/finanza/bandi/per-te/").status_code, 302)

    def test_another_organisations_calls_cannot_be_asked_for(self) -> None:
        other = OrganizationFactory.create()
        response = self.client_for(self.member).get(f"/finanza/bandi/per-te/?ente={other.pk}")
        self.assertEqual(response.status_code, 404)

    def test_calls_for_you_take_the_same_queries_for_few_and_many_calls(self) -> None:
        client = self.client_for(self.member)
        with CaptureQueriesContext(connection) as few:
            client.get("/finanza/bandi/per-te/")
        for _n in range(15):
            call = CallFactory.create(programme=self.programme)
            call.legal_forms.add(LegalForm.objects.get(code="APS"))
        with CaptureQueriesContext(connection) as many:
            response = client.get("/finanza/bandi/per-te/")
        self.assertGreaterEqual(len(response.context["matches"]), 16)
        self.assertEqual(len(few), len(many))

    def test_deadline_alerts_reach_the_members_of_fitting_organisations_once(self) -> None:
        from pes.finance.tasks import send_deadline_alerts

        CallFactory.create(title="Scade presto", programme=self.programme, deadline=in_days(3))
        mail.outbox.clear()
        sent = send_deadline_alerts.call(7)
        self.assertEqual(sent, 1)
        self.assertEqual(mail.outbox[0].to, [self.member.email])
        self.assertIn("Scade presto", mail.outbox[0].body)
        self.assertNotIn("Bando welfare", mail.outbox[0].body)  # closes in 30 days
        self.assertEqual(send_deadline_alerts.call(7), 0)

    def test_the_alert_command_runs_the_task(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        CallFactory.create(programme=self.programme, deadline=in_days(2))
        out = StringIO()
        call_command("send_call_deadline_alerts", "--days", "5", stdout=out)
        self.assertIn("Deadline alerts sent: 1.", out.getvalue())


class AskOnce(FinanceTestCase):
    def test_the_application_form_is_pre_filled_from_the_registry_and_says_how_much(self) -> None:
        response = self.client_for(self.member).get(
            "/finanza/bandi/welfare-di-comunita/candidatura/"
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.initial["codice_fiscale"], self.org.codice_fiscale)
        self.assertEqual(form.initial["legal_representative"], "Anna Bianchi")
        self.assertEqual(form.initial["head_office"], "Bologna")
        # name, cf, p.iva, legal form, head office, e-mail, legal repr., workers, year = 9 of 16
        self.assertEqual((response.context["filled"], response.context["total"]), (9, 16))
        self.assertContains(response, "9 of 16 fields pre-filled (56%).")
        self.assertContains(response, f'value="{self.org.codice_fiscale}"')

    def test_an_organisation_applies_with_a_wallet_document_and_the_funder_approves(self) -> None:
        client = self.client_for(self.member)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                "/finanza/bandi/welfare-di-comunita/candidatura/",
                self.apply_data(phone="051 123456"),
            )
        application = Application.objects.get()
        self.assertRedirects(response, f"/finanza/candidature/{application.pk}/")
        self.assertEqual(application.status, "submitted")
        self.assertEqual(application.prefilled_fields, 9)
        self.assertEqual(application.profile["phone"], "051 123456")
        self.assertEqual(set(application.documents.all()), {self.statute, self.durc})
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), [self.funder_user.email, self.member.email]
        )
        self.assertTrue(AuditEntry.objects.filter(object_id=str(application.pk)).exists())

        funder = self.client_for(self.funder_user)
        page = funder.get(f"/finanza/candidature/{application.pk}/")
        self.assertContains(page, "Record the decision")
        self.assertContains(page, "9 of 16 fields were pre-filled")
        response = funder.post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "approve", "amount_granted": "25000", "note": ""},
        )
        self.assertEqual(response.status_code, 302)
        application.refresh_from_db()
        self.assertEqual(application.status, "approved")
        self.assertEqual(application.amount_granted, Decimal("25000"))
        self.assertIsNotNone(application.decided_at)
        # the funder may download the attached document; an outsider may not
        self.assertEqual(funder.get(f"/finanza/portafoglio/{self.durc.pk}/").status_code, 200)
        self.assertEqual(
            self.client_for(self.outsider).get(f"/finanza/portafoglio/{self.durc.pk}/").status_code,
            404,
        )

    def test_the_funder_asks_for_changes_and_the_organisation_sends_again(self) -> None:
        application = ApplicationFactory.create(call=self.call, organization=self.org)
        funder = self.client_for(self.funder_user)
        response = funder.post(
            f"/finanza/candidature/{application.pk}/", {"decision": "changes", "note": ""}
        )
        self.assertContains(response, "Say what the organisation should change.")
        funder.post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "changes", "note": "Allegate il preventivo."},
        )
        application.refresh_from_db()
        self.assertEqual(application.status, "changes")
        client = self.client_for(self.member)
        page = client.get(f"/finanza/candidature/{application.pk}/modifica/")
        self.assertContains(page, "Allegate il preventivo.")
        response = client.post(
            f"/finanza/candidature/{application.pk}/modifica/",
            self.apply_data(amount_requested="40000"),
        )
        self.assertEqual(response.status_code, 302)
        application.refresh_from_db()
        self.assertEqual((application.status, application.amount_requested), ("submitted", 40000))

    def test_a_rejection_needs_a_reason(self) -> None:
        application = ApplicationFactory.create(call=self.call, organization=self.org)
        funder = self.client_for(self.funder_user)
        response = funder.post(f"/finanza/candidature/{application.pk}/", {"decision": "reject"})
        self.assertContains(response, "Give the reason for the rejection.")
        funder.post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "reject", "note": "Fuori tema."},
        )
        application.refresh_from_db()
        self.assertEqual(application.status, "rejected")

    def test_a_grant_above_the_request_is_refused(self) -> None:
        application = ApplicationFactory.create(call=self.call, organization=self.org)
        response = self.client_for(self.funder_user).post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "approve", "amount_granted": "999999"},
        )
        self.assertContains(response, "cannot exceed the amount requested")
        application.refresh_from_db()
        self.assertEqual(application.status, "submitted")

    def test_an_application_missing_a_required_document_is_refused_and_nothing_is_saved(
        self,
    ) -> None:
        response = self.client_for(self.member).post(
            "/finanza/bandi/welfare-di-comunita/candidatura/",
            self.apply_data(documents=[self.statute.pk]),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The call requires this document: DURC")
        self.assertEqual(
            response.context["form"]["project_title"].value(), "Emporio solidale di quartiere"
        )
        self.assertFalse(Application.objects.exists())

    def test_an_expired_wallet_document_cannot_be_attached(self) -> None:
        WalletDocument.objects.filter(pk=self.durc.pk).update(
            expires_on=timezone.localdate() - dt.timedelta(days=1)
        )
        response = self.client_for(self.member).post(
            "/finanza/bandi/welfare-di-comunita/candidatura/", self.apply_data()
        )
        self.assertContains(response, "expired on")
        self.assertContains(response, "upload a valid one to your wallet")
        self.assertFalse(Application.objects.exists())

    def test_a_negative_or_out_of_range_amount_is_refused(self) -> None:
        client = self.client_for(self.member)
        response = client.post(
            "/finanza/bandi/welfare-di-comunita/candidatura/",
            self.apply_data(amount_requested="-5"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["amount_requested"])
        response = client.post(
            "/finanza/bandi/welfare-di-comunita/candidatura/",
            self.apply_data(amount_requested="900000"),
        )
        self.assertContains(response, "per project")
        self.assertFalse(Application.objects.exists())

    def test_a_closed_call_takes_no_application(self) -> None:
        Call.objects.filter(pk=self.call.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
        response = self.client_for(self.member).post(
            "/finanza/bandi/welfare-di-comunita/candidatura/", self.apply_data()
        )
        self.assertContains(response, "This call is not open for applications.")
        self.assertFalse(Application.objects.exists())

    def test_a_second_application_of_the_same_organisation_goes_to_the_first(self) -> None:
        first = ApplicationFactory.create(call=self.call, organization=self.org)
        response = self.client_for(self.member).get(
            "/finanza/bandi/welfare-di-comunita/candidatura/"
        )
        self.assertRedirects(response, f"/finanza/candidature/{first.pk}/")

    def test_only_members_apply_and_only_the_funder_or_governance_review(self) -> None:
        application = ApplicationFactory.create(call=self.call, organization=self.org)
        self.assertEqual(
            self.client_for(self.outsider)
            .get("/finanza/bandi/welfare-di-comunita/candidatura/")
            .status_code,
            403,
        )
        self.assertEqual(
            self.client_for(self.outsider)
            .get(f"/finanza/candidature/{application.pk}/")
            .status_code,
            404,
        )
        member = self.client_for(self.member)
        page = member.get(f"/finanza/candidature/{application.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Record the decision")
        response = member.post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "approve", "amount_granted": "1"},
        )
        self.assertEqual(response.status_code, 403)
        gov = self.client_for(self.governance)
        gov.post(
            f"/finanza/candidature/{application.pk}/",
            {"decision": "approve", "amount_granted": "1000"},
        )
        application.refresh_from_db()
        self.assertEqual(application.status, "approved")

    def test_the_review_list_takes_the_same_queries_for_few_and_many_applications(self) -> None:
        client = self.client_for(self.funder_user)
        ApplicationFactory.create(call=self.call)
        with CaptureQueriesContext(connection) as few:
            client.get("/finanza/candidature/")
        for _n in range(12):
            ApplicationFactory.create(call=CallFactory.create(programme=self.programme))
        with CaptureQueriesContext(connection) as many:
            response = client.get("/finanza/candidature/")
        self.assertEqual(response.context["page"].paginator.count, 13)
        self.assertEqual(len(few), len(many))


class Wallet(FinanceTestCase):
    def upload(self, **extra):
        data = {
            "ente": self.org.pk,
            "kind": "budget",
            "title": "Bilancio 2025",
            "file": SimpleUploadedFile("bilancio.pdf", b"%PDF-1.4 bilancio", "application/pdf"),
            "issued_on": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
            "expires_on": "",
        }
        data.update(extra)
        return self.client_for(self.member).post("/finanza/portafoglio/", data)

    def test_a_member_keeps_a_document_in_the_wallet_and_sees_expiry_warnings(self) -> None:
        response = self.upload()
        self.assertEqual(response.status_code, 302)
        self.assertTrue(WalletDocument.objects.filter(title="Bilancio 2025").exists())
        WalletDocument.objects.filter(pk=self.durc.pk).update(
            expires_on=timezone.localdate() + dt.timedelta(days=5)
        )
        page = self.client_for(self.member).get("/finanza/portafoglio/")
        self.assertContains(page, "Bilancio 2025")
        self.assertContains(page, "Expires soon")

    def test_an_expired_document_is_refused_with_a_clear_message(self) -> None:
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        response = self.upload(expires_on=yesterday.isoformat())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This document expired on")
        self.assertEqual(response.context["form"]["title"].value(), "Bilancio 2025")
        self.assertFalse(WalletDocument.objects.filter(title="Bilancio 2025").exists())

    def test_a_document_issued_in_the_future_is_refused(self) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = self.upload(issued_on=tomorrow.isoformat())
        self.assertContains(response, "The issue date cannot be in the future.")

    def test_a_document_attached_to_an_application_is_kept(self) -> None:
        application = ApplicationFactory.create(call=self.call, organization=self.org)
        application.documents.add(self.statute)
        client = self.client_for(self.member)
        client.post(f"/finanza/portafoglio/{self.statute.pk}/elimina/")
        self.assertTrue(WalletDocument.objects.filter(pk=self.statute.pk).exists())
        client.post(f"/finanza/portafoglio/{self.durc.pk}/elimina/")
        self.assertFalse(WalletDocument.objects.filter(pk=self.durc.pk).exists())

    def test_the_wallet_is_for_members_only(self) -> None:
        self.assertEqual(
            self.client_for(self.outsider).get("/finanza/portafoglio/").status_code, 403
        )
        self.assertEqual(
            self.client_for(self.outsider)
            .post(f"/finanza/portafoglio/{self.durc.pk}/elimina/")
            .status_code,
            404,
        )
