from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pes.plan.models import BudgetLine, Indicator, Measurement, Partner, TimelineEntry
from pes.plan.tests.factories import InitiativeFactory
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase


class InitiativeWorkbenchTests(BaseTestCase):
    def setUp(self) -> None:
        self.initiative = InitiativeFactory(lead=self.org)
        self.url = f"/piano/iniziative/{self.initiative.slug}/gestisci/"
        self.client_ = self.client_for(self.member)

    def post(self, form: str, **fields):
        data = {"form": form, **{f"{form}-{k}": v for k, v in fields.items()}}
        return self.client_.post(self.url, data)

    def test_the_lead_adds_budget_partners_timeline_indicators_and_values(self):
        self.assertEqual(self.client_.get(self.url).status_code, 200)
        ok = self.post("budget", source="regional", committed="10000", spent="2500")
        self.assertEqual(ok.status_code, 302)
        self.initiative.refresh_from_db()
        self.assertEqual(self.initiative.financial_progress(), Decimal("25.0"))
        bank = OrganizationFactory(name="Banca di comunità")
        self.assertEqual(
            self.post("partner", organization=bank.codice_fiscale, role="bank").status_code, 302
        )
        self.assertTrue(Partner.objects.filter(organization=bank, role="bank").exists())
        self.assertEqual(
            self.post(
                "timeline", date="2026-03-01", text="Primo incontro", progress="5"
            ).status_code,
            302,
        )
        self.assertEqual(TimelineEntry.objects.filter(initiative=self.initiative).count(), 1)
        created = self.post(
            "indicator",
            code="famiglie-accolte",
            name="Famiglie accolte",
            unit="famiglie",
            direction="increase",
            baseline_value="0",
            baseline_date="2025-01-01",
            frequency="semester",
            targets="2027: 40, 2030: 100",
        )
        self.assertEqual(created.status_code, 302)
        indicator = Indicator.objects.get(code="famiglie-accolte")
        self.assertEqual(
            {t.year: t.value for t in indicator.targets.all()},
            {2027: Decimal(40), 2030: Decimal(100)},
        )
        value = self.post("measurement", indicator=indicator.pk, date="2026-06-30", value="12")
        self.assertEqual(value.status_code, 302)
        self.assertEqual(Measurement.objects.get(indicator=indicator).date, dt.date(2026, 6, 30))

    def test_bad_input_is_reported_on_the_form_and_nothing_is_saved(self):
        too_much = self.post("budget", source="eu", committed="100", spent="200")
        self.assertEqual(too_much.status_code, 200)
        self.assertEqual(BudgetLine.objects.count(), 0)
        itself = self.post("partner", organization=self.org.codice_fiscale, role="partner")
        self.assertEqual(itself.status_code, 200)
        self.assertFalse(Partner.objects.exists())
        bad_targets = self.post(
            "indicator",
            code="x",
            name="X",
            unit="u",
            direction="increase",
            frequency="yearly",
            targets="prossimo anno: tanti",
        )
        self.assertEqual(bad_targets.status_code, 200)
        self.assertFalse(Indicator.objects.filter(code="x").exists())
        out_of_plan = self.post(
            "indicator",
            code="y",
            name="Y",
            unit="u",
            direction="increase",
            frequency="yearly",
            targets="2050: 3",
        )
        self.assertEqual(out_of_plan.status_code, 200)
        self.assertFalse(Indicator.objects.filter(code="y").exists())

    def test_only_the_lead_and_governance_may_manage(self):
        self.assertEqual(self.client_for(self.outsider).get(self.url).status_code, 403)
        self.assertEqual(self.client_for(self.governance).get(self.url).status_code, 200)
        self.assertEqual(self.client_for(None).get(self.url).status_code, 302)
