from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pes.plan.models import BudgetLine, InitiativeStatus
from pes.plan.services import (
    ConcurrentEditError,
    budget_line_save,
    indicator_set_targets,
    initiative_update,
    measurement_record,
)
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.test import BaseTestCase


class InitiativeTests(BaseTestCase):
    def test_a_lead_member_creates_an_initiative_from_the_form(self):
        status = InitiativeStatus.objects.get(key="planned")
        response = self.client_for(self.member).post(
            "/piano/iniziative/nuova/",
            {
                "title": "Scuole aperte a Budrio",
                "action": self.action().pk,
                "lead": self.org.pk,
                "status": status.pk,
                "start_date": "2025-09-01",
                "end_date": "2026-06-30",
                "weight": "1",
                "cup": "",
            },
        )
        self.assertEqual(
            response.status_code,
            302,
            getattr(response, "context", None) and response.context["form"].errors,
        )
        page = self.client_for(None).get(response["Location"])
        self.assertContains(page, "Scuole aperte a Budrio")

    def test_dates_in_the_wrong_order_and_a_bad_cup_are_field_errors(self):
        status = InitiativeStatus.objects.get(key="planned")
        response = self.client_for(self.member).post(
            "/piano/iniziative/nuova/",
            {
                "title": "X",
                "action": self.action().pk,
                "lead": self.org.pk,
                "status": status.pk,
                "start_date": "2026-01-01",
                "end_date": "2025-01-01",
                "weight": "1",
                "cup": "ABC",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("end_date", response.context["form"].errors)

    def test_two_people_editing_at_once_never_lose_a_change_silently(self):
        initiative = InitiativeFactory(lead=self.org)
        opened_version = initiative.version
        initiative_update(
            initiative=initiative,
            data={"title": "Prima modifica"},
            user=self.member,
            expected_version=opened_version,
        )
        stale = type(initiative).objects.get(pk=initiative.pk)
        with self.assertRaises(ConcurrentEditError):
            initiative_update(
                initiative=stale,
                data={"title": "Seconda modifica"},
                user=self.governance,
                expected_version=opened_version,
            )
        stale.refresh_from_db()
        self.assertEqual(stale.title, "Prima modifica")
        url = f"/piano/iniziative/{stale.slug}/modifica/"
        response = self.client_for(self.governance).post(
            url,
            {
                "title": "Terza",
                "action": initiative.action_id,
                "lead": self.org.pk,
                "status": initiative.status_id,
                "weight": "1",
                "version": opened_version,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())

    def test_budget_lines_update_totals_and_financial_progress(self):
        initiative = InitiativeFactory(lead=self.org)
        budget_line_save(
            initiative=initiative,
            data={"source": "regional", "committed": Decimal(1000), "spent": Decimal(250)},
            user=self.governance,
        )
        budget_line_save(
            initiative=initiative,
            data={"source": "own", "committed": Decimal(500), "spent": Decimal(500)},
            user=self.governance,
        )
        initiative.refresh_from_db()
        self.assertEqual(initiative.committed_total, Decimal(1500))
        self.assertEqual(initiative.financial_progress(), Decimal("25.0"))
        with self.assertRaises(ValidationError):
            budget_line_save(
                initiative=initiative,
                data={"source": "eu", "committed": Decimal(10), "spent": Decimal(20)},
                user=self.governance,
            )
        self.assertEqual(BudgetLine.objects.count(), 2)

    def test_measurements_and_targets_outside_the_plan_are_refused(self):
        indicator = IndicatorFactory()
        with self.assertRaises(ValidationError) as err:
            measurement_record(
                indicator=indicator, date=dt.date(2040, 1, 1), value="3", user=self.governance
            )
        self.assertIn("date", err.exception.message_dict)
        with self.assertRaises(ValidationError) as err:
            measurement_record(
                indicator=indicator, date=dt.date(2026, 1, 1), value="tre", user=self.governance
            )
        self.assertIn("value", err.exception.message_dict)
        with self.assertRaises(ValidationError):
            indicator_set_targets(indicator=indicator, targets={2050: Decimal(1)}, user=None)
        m = measurement_record(
            indicator=indicator, date=dt.date(2026, 1, 1), value="3,5", user=self.governance
        )
        self.assertEqual(m.value, Decimal("3.5"))

    def test_public_pages_make_a_bounded_number_of_queries(self):
        for _ in range(3):
            InitiativeFactory(lead=self.org)
        indicator = IndicatorFactory()
        measurement_record(indicator=indicator, date=dt.date(2026, 1, 1), value="3", user=None)
        client = self.client_for(None)
        urls = [
            "/piano/",
            "/piano/missioni/2/",
            f"/piano/azioni/{self.action().pk}/",
            "/piano/iniziative/",
            f"/piano/indicatori/{indicator.code}/",
        ]

        def counts() -> dict[str, int]:
            out = {}
            for url in urls:
                with CaptureQueriesContext(connection) as ctx:
                    self.assertEqual(client.get(url).status_code, 200)
                out[url] = len(ctx)
            return out

        before = counts()
        for _ in range(10):
            InitiativeFactory(lead=self.org)
        after = counts()
        self.assertEqual(before, after)
        self.assertTrue(all(n <= 15 for n in after.values()), after)

    def test_the_indicator_series_downloads_as_tidy_csv(self):
        indicator = IndicatorFactory(code="inseriti-csv", by_municipality=True)
        from pes.territory.models import Municipality

        measurement_record(
            indicator=indicator,
            date=dt.date(2026, 1, 1),
            value="3",
            municipality=Municipality.objects.get(name="Imola"),
            user=None,
        )
        response = self.client_for(None).get("/piano/indicatori/inseriti-csv/dati.csv")
        body = response.content.decode()
        self.assertEqual(
            body.splitlines()[0],
            "indicator,year,date,municipality,municipality_name,gender,unit,value,provisional,source",
        )
        self.assertIn("inseriti-csv,2026,2026-01-01,037032,Imola,,persone,3,0,", body)

    @staticmethod
    def action():
        from pes.plan.models import Action

        return Action.objects.get(mission__number=2, number=1)
