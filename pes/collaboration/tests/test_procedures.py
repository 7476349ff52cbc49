from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pes.collaboration.models import ExpressionOfInterest, Procedure
from pes.collaboration.tests.factories import ProcedureFactory, org_of, staff
from pes.test import BaseTestCase


class ProcedureTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.comune = org_of("PA", "Comune di San Lazzaro di Savena")
        cls.official = staff(cls.comune, "comune@example.org")
        cls.ets = org_of("APS", "APS Abitare Insieme", runts_id="123456")
        cls.ets_staff = staff(cls.ets, "aps@example.org")
        cls.unregistered = org_of("ASSOCIAZIONE", "Associazione non iscritta", runts_id="")
        cls.unregistered_staff = staff(cls.unregistered, "assoc@example.org")

    def test_a_municipality_runs_a_co_design_procedure_from_notice_to_agreement(self):
        client = self.client_for(self.official)
        deadline = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
        response = client.post(
            "/collaborazione/procedimenti/nuovo/",
            {
                "kind": "co_design",
                "title": "Servizi per l'abitare collaborativo",
                "administration": self.comune.pk,
                "subject": "Co-progettare l'accompagnamento all'abitare",
                "eligibility": "ETS del distretto",
                "requires_runts": "on",
                "deadline": deadline,
            },
        )
        procedure = Procedure.objects.get()
        self.assertRedirects(response, procedure.get_absolute_url())
        self.assertEqual(self.client_for(None).get(procedure.get_absolute_url()).status_code, 404)
        client.post(f"/collaborazione/procedimenti/{procedure.slug}/avviso/")
        procedure.refresh_from_db()
        self.assertEqual(procedure.stage, "notice")
        public = self.client_for(None).get(procedure.get_absolute_url())
        self.assertContains(public, "not a tender")

        ets_client = self.client_for(self.ets_staff)
        ets_client.post(
            f"/collaborazione/procedimenti/{procedure.slug}/manifestazioni/",
            {"organization": self.ets.pk, "statement": "Gestiamo due cohousing."},
        )
        expression = ExpressionOfInterest.objects.get()
        again = ets_client.post(
            f"/collaborazione/procedimenti/{procedure.slug}/manifestazioni/",
            {"organization": self.ets.pk, "statement": "Di nuovo"},
        )
        self.assertEqual(again.status_code, 422)

        design = client.post(f"/collaborazione/procedimenti/{procedure.slug}/coprogettazione/")
        self.assertEqual(design.status_code, 422)
        self.assertContains(design, "Check the eligibility", status_code=422)
        client.post(f"/collaborazione/manifestazioni/{expression.pk}/verifica/", {"eligible": "1"})
        client.post(f"/collaborazione/procedimenti/{procedure.slug}/coprogettazione/")
        procedure.refresh_from_db()
        self.assertEqual(procedure.stage, "design")
        table = procedure.design_table
        assert table is not None
        self.assertTrue(table.members.filter(user=self.ets_staff, organization=self.ets).exists())

        bad = client.post(
            f"/collaborazione/procedimenti/{procedure.slug}/accordo/",
            {"text": "Accordo", "budget": "120000", "months": "24", "contributions": "nessuno"},
        )
        self.assertEqual(bad.status_code, 422)
        client.post(
            f"/collaborazione/procedimenti/{procedure.slug}/accordo/",
            {
                "text": "Accordo di collaborazione",
                "budget": "120000",
                "months": "24",
                "contributions": (
                    f"{self.comune.codice_fiscale}; contributo economico; 100000\n"
                    f"{self.ets.codice_fiscale}; personale e spazi; 20000"
                ),
            },
        )
        procedure.refresh_from_db()
        self.assertEqual(procedure.stage, "agreed")
        self.assertEqual(procedure.contributions.count(), 2)
        page = self.client_for(None).get(procedure.get_absolute_url())
        self.assertContains(page, "personale e spazi")
        self.assertEqual(procedure.steps.count(), 3)

    def test_a_body_not_in_the_runts_is_refused_when_the_notice_requires_it(self):
        procedure = ProcedureFactory.create(administration=self.comune, stage="notice")
        response = self.client_for(self.unregistered_staff).post(
            f"/collaborazione/procedimenti/{procedure.slug}/manifestazioni/",
            {"organization": self.unregistered.pk, "statement": "Vorremmo partecipare"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "not registered in the RUNTS", status_code=422)
        self.assertFalse(ExpressionOfInterest.objects.exists())

    def test_the_same_body_is_accepted_when_the_notice_does_not_require_the_runts(self):
        procedure = ProcedureFactory.create(
            administration=self.comune, stage="notice", requires_runts=False
        )
        self.client_for(self.unregistered_staff).post(
            f"/collaborazione/procedimenti/{procedure.slug}/manifestazioni/",
            {"organization": self.unregistered.pk, "statement": "Vorremmo partecipare"},
        )
        self.assertTrue(ExpressionOfInterest.objects.exists())

    def test_expressions_after_the_deadline_are_refused(self):
        procedure = ProcedureFactory.create(
            administration=self.comune,
            stage="notice",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
        response = self.client_for(self.ets_staff).post(
            f"/collaborazione/procedimenti/{procedure.slug}/manifestazioni/",
            {"organization": self.ets.pk, "statement": "Tardi"},
        )
        self.assertEqual(response.status_code, 422)

    def test_only_staff_of_a_public_administration_create_procedures(self):
        self.assertEqual(
            self.client_for(self.ets_staff).get("/collaborazione/procedimenti/nuovo/").status_code,
            403,
        )

    def test_others_cannot_publish_or_check(self):
        procedure = ProcedureFactory.create(administration=self.comune, stage="notice")
        self.assertEqual(
            self.client_for(self.ets_staff)
            .post(f"/collaborazione/procedimenti/{procedure.slug}/coprogettazione/")
            .status_code,
            403,
        )

    def test_a_not_eligible_decision_needs_a_reason(self):
        procedure = ProcedureFactory.create(administration=self.comune, stage="notice")
        expression = ExpressionOfInterest.objects.create(
            procedure=procedure, organization=self.ets, statement="x"
        )
        response = self.client_for(self.official).post(
            f"/collaborazione/manifestazioni/{expression.pk}/verifica/", {"eligible": "0"}
        )
        self.assertEqual(response.status_code, 422)
        expression.refresh_from_db()
        self.assertEqual(expression.eligibility, "pending")

    def test_the_procedure_list_is_public_and_hides_drafts(self):
        ProcedureFactory.create(administration=self.comune, title="Bozza riservata")
        ProcedureFactory.create(administration=self.comune, title="Avviso aperto", stage="notice")
        page = self.client_for(None).get("/collaborazione/procedimenti/")
        self.assertContains(page, "Avviso aperto")
        self.assertNotContains(page, "Bozza riservata")
