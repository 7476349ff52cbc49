"""The reporting cycle, end to end through the browser's HTTP requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from pes.core.models import AuditEntry
from pes.plan.models import IndicatorTarget, InitiativeStatus, Measurement, Report, ReportingPeriod
from pes.plan.selectors import reports_overdue
from pes.plan.services import report_approve, report_submit
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.test import BaseTestCase


class ReportingCycleTests(BaseTestCase):
    def setUp(self) -> None:
        self.initiative = InitiativeFactory(lead=self.org, title="Insieme per il lavoro 2025")
        self.indicator = IndicatorFactory(
            action=None, initiative=self.initiative, code="inseriti", name="Persone inserite"
        )
        IndicatorTarget.objects.create(indicator=self.indicator, year=2027, value=Decimal(100))
        self.period = ReportingPeriod.objects.get(start=dt.date(2025, 1, 1))
        self.in_progress = InitiativeStatus.objects.get(key="in-progress")

    def submit_as_lead(self, **extra):
        data = {
            "period": self.period.pk,
            "status": self.in_progress.pk,
            "progress": "40",
            "narrative": "Colloqui svolti con 120 persone, 35 inserimenti.",
            "spent": "15000",
            f"indicator_{self.indicator.pk}": "35",
            **extra,
        }
        return self.client_for(self.member).post(
            f"/piano/iniziative/{self.initiative.slug}/rapporto/", data
        )

    def test_a_lead_submits_a_report_governance_approves_and_the_public_pages_update(self):
        response = self.submit_as_lead()
        self.assertEqual(response.status_code, 302)
        report = Report.objects.get(initiative=self.initiative)
        self.assertEqual(report.state, Report.State.SUBMITTED)
        self.assertTrue(Measurement.objects.get(report=report).provisional)

        queue = self.client_for(self.governance).get("/piano/rapporti/")
        self.assertContains(queue, "Insieme per il lavoro 2025")
        decision = self.client_for(self.governance).post(
            f"/piano/rapporti/{report.pk}/", {"decision": "approve", "comment": "Bene."}
        )
        self.assertEqual(decision.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.APPROVED)
        self.initiative.refresh_from_db()
        self.assertEqual(self.initiative.status, self.in_progress)
        self.assertEqual(self.initiative.progress(), Decimal(40))
        self.assertFalse(Measurement.objects.get(report=report).provisional)

        public = self.client_for(None)
        page = public.get(self.initiative.get_absolute_url())
        self.assertContains(page, "In corso")
        self.assertContains(page, 'aria-valuenow="40"')
        self.assertContains(page, "Colloqui svolti")
        action_page = public.get(self.initiative.action.get_absolute_url())
        self.assertContains(action_page, 'aria-valuenow="40"')
        mission_page = public.get(self.initiative.action.mission.get_absolute_url())
        self.assertContains(mission_page, 'aria-valuenow="40"')
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(self.initiative.pk), action="update").exists()
        )

    def test_a_report_cannot_be_submitted_twice_for_one_period(self):
        self.assertEqual(self.submit_as_lead().status_code, 302)
        again = self.submit_as_lead()
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.context["form"].non_field_errors())
        self.assertEqual(Report.objects.count(), 1)

    def test_an_approved_report_cannot_be_approved_again(self):
        report = report_submit(
            initiative=self.initiative,
            period=self.period,
            data={"status": self.in_progress, "progress": Decimal(10), "narrative": "x"},
            user=self.member,
        )
        report_approve(report=report, user=self.governance)
        with self.assertRaises(ValidationError):
            report_approve(report=report, user=self.governance)
        response = self.client_for(self.governance).post(
            f"/piano/rapporti/{report.pk}/", {"decision": "approve"}
        )
        self.assertEqual(response.status_code, 200)

    def test_a_returned_report_needs_a_comment_and_can_be_resubmitted(self):
        self.submit_as_lead()
        report = Report.objects.get()
        empty = self.client_for(self.governance).post(
            f"/piano/rapporti/{report.pk}/", {"decision": "return", "comment": ""}
        )
        self.assertEqual(empty.status_code, 200)
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.SUBMITTED)
        self.client_for(self.governance).post(
            f"/piano/rapporti/{report.pk}/", {"decision": "return", "comment": "Mancano i dati."}
        )
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.RETURNED)
        self.assertEqual(self.submit_as_lead(narrative="Dati completati.").status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.state, Report.State.SUBMITTED)
        self.assertEqual(Measurement.objects.filter(report=report).count(), 1)

    def test_a_non_numeric_indicator_value_is_a_field_error(self):
        response = self.submit_as_lead(**{f"indicator_{self.indicator.pk}": "tanti"})
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"indicator_{self.indicator.pk}", response.context["form"].errors)
        self.assertFalse(Report.objects.exists())

    def test_outsiders_cannot_report_and_only_governance_reviews(self):
        url = f"/piano/iniziative/{self.initiative.slug}/rapporto/"
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)
        self.assertEqual(self.client_for(self.member).get("/piano/rapporti/").status_code, 403)
        self.assertEqual(self.client_for(None).get(url).status_code, 302)

    def test_overdue_reports_are_listed_for_governance(self):
        overdue = reports_overdue(today=dt.date(2025, 8, 15))
        self.assertIn((self.initiative, self.period), overdue)
        self.submit_as_lead()
        self.assertNotIn(
            (self.initiative, self.period), reports_overdue(today=dt.date(2025, 8, 15))
        )
