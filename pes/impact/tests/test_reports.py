"""A small municipality evaluates one project with the template: theory of change, four
indicators, one SROI calculation, the report phase by phase, and the PDF."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from pes.core.models import AuditEntry
from pes.impact.models import REPORT_PHASES, Indicator, Measure, Outcome, Proxy, Report, Theory
from pes.impact.tests.factories import SroiFactory, TheoryFactory
from pes.impact.views import _weasyprint
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

TEMPLATE = {
    "title": "Orti sociali di Monzuno",
    "year": "2025",
    "needs": "Solitudine degli anziani\nOrti comunali abbandonati",
    "activities": "Laboratori di orticoltura\nMercatino mensile",
    "outcomes": "Meno solitudine\nPiù cura degli spazi comuni",
    "stakeholders": "Anziani\nScuole",
    "investment": "12000",
}


class SmallTemplateTests(BaseTestCase):
    def setUp(self):
        self.client = self.client_for(self.member)
        self.municipality = Municipality.objects.order_by("name")[0]

    def start(self, **changes):
        data = {
            **TEMPLATE,
            "organization": self.org.pk,
            "municipality": self.municipality.pk,
            **changes,
        }
        return self.client.post(reverse("impact:small_template"), data)

    def test_a_municipality_completes_the_template_and_downloads_the_pdf(self):
        response = self.start()
        report = Report.objects.get()
        self.assertRedirects(response, reverse("impact:report_measures", args=[report.pk]))
        theory = report.theory
        self.assertEqual(theory.organization, self.org)
        self.assertEqual(
            theory.items("needs"), ["Solitudine degli anziani", "Orti comunali abbandonati"]
        )
        self.assertTrue(report.small_template)
        sroi = report.sroi
        assert sroi is not None
        self.assertEqual(sroi.discount_rate, Decimal("3.5"))
        self.assertIn("DM 23 July 2019", report.method)

        # Four indicators of the core set, one of them by gender.
        for code, data in [
            (
                "CORE-01",
                {"baseline": "0", "target": "30", "women": "14", "men": "11", "other": "0"},
            ),
            ("CORE-03", {"baseline": "0", "target": "400", "value": "420"}),
            ("CORE-06", {"value": "11800"}),
            ("CORE-07", {"target": "80", "value": "86"}),
        ]:
            indicator = Indicator.objects.get(code=code)
            response = self.client.post(
                reverse("impact:report_measures", args=[report.pk]),
                {"indicator": indicator.pk, **data},
            )
            self.assertEqual(response.status_code, 302, response.content[:500])
        self.assertEqual(report.measures.count(), 4)
        people = Measure.objects.get(report=report, indicator__code="CORE-01")
        self.assertEqual((people.value, people.women, people.men), (Decimal(25), 14, 11))

        # One SROI outcome valued with a proxy from the table.
        proxy = Proxy.objects.get(code="BONUS-PSICOLOGO")
        response = self.client.post(
            reverse("impact:sroi", args=[sroi.pk]),
            {
                "description": "Meno solitudine tra gli anziani",
                "stakeholder": "Anziani",
                "quantity": "25",
                "proxy": proxy.pk,
                "value_per_unit": "",
                "proxy_source": "",
                "deadweight": "20",
                "displacement": "0",
                "attribution": "25",
                "drop_off": "50",
                "duration": "2",
            },
        )
        self.assertEqual(response.status_code, 302)
        outcome = Outcome.objects.get()
        self.assertEqual(outcome.value_per_unit, Decimal("50.00"))
        self.assertEqual(outcome.proxy_source, proxy.source)
        page = self.client.get(reverse("impact:sroi", args=[sroi.pk]))
        self.assertContains(page, 'id="sroi-ratio"')
        self.assertContains(page, "Sensitivity")

        # The phases, one by one, then the report is complete and published.
        for key, _label in REPORT_PHASES:
            response = self.client.post(
                reverse("impact:report_phase", args=[report.pk, key]),
                {key: f"Testo della fase {key}."},
            )
            self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.phases_done(), len(REPORT_PHASES))
        self.client.post(reverse("impact:report_publish", args=[report.pk]), {"publish": "1"})
        report.refresh_from_db()
        self.assertTrue(report.is_published)

        html = self.client_for(None).get(report.get_absolute_url())
        self.assertContains(html, "Orti sociali di Monzuno")
        self.assertContains(
            html, 'class="pes-chart', count=4
        )  # diagram, targets, SROI by year, by outcome
        self.assertContains(html, "women 14, men 11, other 0")

        if _weasyprint() is None:
            self.skipTest("WeasyPrint is not installed")
        pdf = self.client.get(reverse("impact:report_pdf", args=[report.pk]))
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))

    def test_bad_template_answers_re_render_with_everything_typed(self):
        response = self.start(investment="0", title="")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Orti comunali abbandonati", status_code=422)
        self.assertFalse(Theory.objects.exists())

    def test_a_wrong_indicator_value_is_refused_and_the_form_keeps_it(self):
        self.start()
        report = Report.objects.get()
        satisfied = Indicator.objects.get(code="CORE-07")
        response = self.client.post(
            reverse("impact:report_measures", args=[report.pk]),
            {"indicator": satisfied.pk, "value": "140", "note": "questionario finale"},
        )
        self.assertContains(response, "A percentage is between 0 and 100.", status_code=422)
        self.assertContains(response, "questionario finale", status_code=422)
        response = self.client.post(
            reverse("impact:report_measures", args=[report.pk]),
            {"indicator": Indicator.objects.get(code="CORE-01").pk, "women": "tre"},
        )
        self.assertContains(response, "Counts are whole numbers", status_code=422)
        self.assertFalse(Measure.objects.exists())

    def test_outcomes_with_bad_percentages_zero_duration_or_no_source_are_refused(self):
        sroi = SroiFactory.create(theory=TheoryFactory.create(organization=self.org))
        url = reverse("impact:sroi", args=[sroi.pk])
        base = {
            "description": "Occupazione",
            "stakeholder": "Giovani",
            "quantity": "4",
            "value_per_unit": "1000",
            "proxy_source": "INPS",
            "deadweight": "10",
            "displacement": "0",
            "attribution": "0",
            "drop_off": "0",
            "duration": "1",
        }
        for change, message in [
            ({"deadweight": "120"}, "A percentage is between 0 and 100."),
            ({"duration": "0"}, "The duration is from 1 to 50 years."),
            ({"proxy_source": ""}, "A value per unit needs its source."),
        ]:
            response = self.client.post(url, {**base, **change})
            self.assertContains(response, message, status_code=422)
            self.assertContains(response, 'value="Occupazione"', status_code=422)
        self.assertFalse(Outcome.objects.exists())

    def test_a_report_cannot_be_published_before_every_phase_is_written(self):
        self.start()
        report = Report.objects.get()
        report.evaluation = ""
        report.save()
        response = self.client.post(
            reverse("impact:report_publish", args=[report.pk]), {"publish": "1"}, follow=True
        )
        self.assertContains(response, "Complete every phase")
        report.refresh_from_db()
        self.assertFalse(report.is_published)


class TheoryTests(BaseTestCase):
    def test_a_member_writes_a_theory_of_change_step_by_step_and_sees_the_diagram(self):
        client = self.client_for(self.member)
        response = client.post(
            reverse("impact:theory_new"),
            {"title": "Emporio solidale", "subject": "organization", "organization": self.org.pk},
        )
        theory = Theory.objects.get()
        self.assertRedirects(response, reverse("impact:theory_step", args=[theory.pk, "needs"]))
        response = client.post(
            reverse("impact:theory_step", args=[theory.pk, "needs"]),
            {"needs": "Povertà alimentare"},
        )
        self.assertRedirects(
            response, reverse("impact:theory_step", args=[theory.pk, "stakeholders"])
        )
        client.post(
            reverse("impact:theory_step", args=[theory.pk, "outcomes"]),
            {"outcomes": "Famiglie sostenute", "finish": "1"},
        )
        page = client.get(theory.get_absolute_url())
        self.assertContains(page, "<svg")
        self.assertContains(page, "<desc")
        self.assertContains(page, "<li>Povertà alimentare</li>", html=True)
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(theory.pk), action="update").exists()
        )

    def test_a_theory_about_a_programme_needs_its_name_and_an_unknown_step_is_404(self):
        client = self.client_for(self.governance)
        response = client.post(
            reverse("impact:theory_new"), {"title": "Programma", "subject": "programme"}
        )
        self.assertContains(
            response, "Give the record the theory of change is about.", status_code=422
        )
        theory = TheoryFactory.create(organization=self.org)
        self.assertEqual(client.get(f"/impatto/teorie/{theory.pk}/passo/nope/").status_code, 404)

    def test_only_members_and_governance_see_a_theory_and_a_draft_report(self):
        theory = TheoryFactory.create(organization=self.org)
        report = Report.objects.create(theory=theory, title="Bozza", year=2025)
        other = OrganizationFactory.create()
        foreign = TheoryFactory.create(organization=other)
        for user, status in [
            (self.member, 200),
            (self.governance, 200),
            (self.outsider, 404),
            (self.operator, 404),
        ]:
            self.assertEqual(
                self.client_for(user).get(theory.get_absolute_url()).status_code, status, user
            )
            self.assertEqual(
                self.client_for(user).get(report.get_absolute_url()).status_code, status, user
            )
        self.assertEqual(self.client_for(None).get(report.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client_for(self.member).get(foreign.get_absolute_url()).status_code, 404
        )
        self.assertEqual(
            self.client_for(self.outsider)
            .post(reverse("impact:report_publish", args=[report.pk]))
            .status_code,
            404,
        )
        self.assertEqual(
            self.client_for(self.outsider).get(reverse("impact:small_template")).status_code, 403
        )
