"""The stored roll-ups (``pes.plan.rollup``) stay equal to what ``plan_tree`` and the
measurements say after every kind of write, and the Plan's pages run a number of queries
that does not grow with the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pes.plan.models import (
    Action,
    IndicatorPoint,
    Initiative,
    InitiativeStatus,
    Measurement,
    Mission,
    Plan,
)
from pes.plan.progress import plan_tree
from pes.plan.rollup import deferred, indicator_points_refresh, stored_tree
from pes.plan.selectors import indicator_views
from pes.plan.services import budget_line_save, initiative_update
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

MAX_QUERIES = 15


class RollupTests(BaseTestCase):
    def assert_stored_equals_computed(self) -> None:
        plan = Plan.objects.get()
        computed = plan_tree(plan)
        stored = stored_tree(plan)
        self.assertEqual(stored.plan.progress, computed.plan.progress)
        self.assertEqual(stored.plan.committed, computed.plan.committed)
        self.assertEqual(stored.plan.count, computed.plan.count)
        for pk, node in computed.missions.items():
            self.assertEqual(
                (stored.missions[pk].progress, stored.missions[pk].count),
                (node.progress, node.count),
            )
        for pk, node in computed.actions.items():
            got = stored.actions[pk]
            self.assertEqual(
                (got.progress, got.count, got.committed, got.public_spent),
                (node.progress, node.count, node.committed, node.public_spent),
            )

    def test_a_new_initiative_updates_its_action_mission_and_the_plan(self):
        action = Action.objects.get(mission__number=2, number=1)
        before = Action.objects.get(pk=action.pk).rollup_count
        InitiativeFactory.create(status=InitiativeStatus.objects.get(key="completed"))
        action.refresh_from_db()
        self.assertEqual(action.rollup_count, before + 1)
        self.assertEqual(action.rollup_progress, Decimal(100))
        self.assertEqual(Mission.objects.get(pk=action.mission_id).rollup_count, before + 1)
        self.assert_stored_equals_computed()

    def test_an_update_through_the_service_updates_the_roll_up(self):
        initiative = InitiativeFactory.create()
        InitiativeFactory.create()
        initiative_update(
            initiative=initiative,
            data={"progress_override": Decimal(80)},
            user=self.governance,
        )
        action = Action.objects.get(pk=initiative.action_id)
        self.assertIsNotNone(action.rollup_progress)
        self.assert_stored_equals_computed()

    def test_budget_lines_update_the_money_of_every_level(self):
        initiative = InitiativeFactory.create()
        budget_line_save(
            initiative=initiative,
            data={"source": "regional", "committed": Decimal(1_000), "spent": Decimal(250)},
            user=self.governance,
        )
        plan = Plan.objects.get()
        self.assertEqual(plan.rollup_committed, Decimal(1_000))
        self.assertEqual(plan.rollup_public_spent, Decimal(250))
        self.assert_stored_equals_computed()

    def test_deleting_an_initiative_updates_the_roll_up(self):
        initiative = InitiativeFactory.create()
        initiative.delete()
        self.assertEqual(Plan.objects.get().rollup_count, 0)
        self.assert_stored_equals_computed()

    def test_every_write_changes_the_plan_data_version(self):
        version = Plan.objects.get().data_version
        InitiativeFactory.create()
        self.assertNotEqual(Plan.objects.get().data_version, version)

    def test_a_bulk_load_in_deferred_refreshes_once_and_right(self):
        with deferred():
            for _ in range(5):
                InitiativeFactory.create()
            self.assertEqual(Plan.objects.get().rollup_count, 0)  # not yet
        self.assertEqual(Plan.objects.get().rollup_count, 5)
        self.assert_stored_equals_computed()


class IndicatorPointTests(BaseTestCase):
    def test_a_measurement_updates_the_series_point_and_the_latest_value(self):
        indicator = IndicatorFactory.create()
        bologna = Municipality.objects.get(name="Bologna")
        imola = Municipality.objects.get(name="Imola")
        date = dt.date(2025, 6, 30)
        Measurement.objects.create(
            indicator=indicator, date=date, value=Decimal(3), municipality=bologna
        )
        Measurement.objects.create(
            indicator=indicator, date=date, value=Decimal(4), municipality=imola
        )
        point = IndicatorPoint.objects.get(indicator=indicator, date=date)
        self.assertEqual((point.headline, point.parts, point.measurements), (None, Decimal(7), 2))
        indicator.refresh_from_db()
        self.assertEqual((indicator.latest_date, indicator.latest_value), (date, Decimal(7)))
        # A value without breakdown is the headline and wins over the parts.
        Measurement.objects.create(indicator=indicator, date=date, value=Decimal(10))
        [view] = indicator_views([indicator])
        self.assertEqual(view.series, [(date, Decimal(10))])

    def test_editing_and_deleting_measurements_keeps_the_points_right(self):
        indicator = IndicatorFactory.create()
        m = Measurement.objects.create(indicator=indicator, date=dt.date(2025, 6, 30), value=1)
        m.date = dt.date(2025, 12, 31)
        m.save()
        self.assertEqual(
            list(IndicatorPoint.objects.filter(indicator=indicator).values_list("date", flat=True)),
            [dt.date(2025, 12, 31)],
        )
        m.delete()
        self.assertFalse(IndicatorPoint.objects.filter(indicator=indicator).exists())
        indicator.refresh_from_db()
        self.assertIsNone(indicator.latest_date)

    def test_the_points_equal_a_rebuild_from_the_measurements(self):
        indicator = IndicatorFactory.create()
        places = list(Municipality.objects.order_by("name")[:3])
        with deferred():
            Measurement.objects.bulk_create(
                Measurement(
                    indicator=indicator,
                    date=dt.date(2025, month, 28),
                    value=Decimal(month * 10 + n),
                    municipality=place,
                )
                for month in (1, 2, 3)
                for n, place in enumerate(places)
            )
            indicator_points_refresh(indicator_ids=[indicator.pk])
        [view] = indicator_views([indicator])
        self.assertEqual(
            view.series,
            [(dt.date(2025, m, 28), Decimal(m * 30 + 3)) for m in (1, 2, 3)],
        )
        self.assertEqual(view.latest_value, Decimal(93))


class PlanPageQueryTests(BaseTestCase):
    """The Plan's pages run the same number of queries, at most 15, however many initiatives
    and measurements there are."""

    URLS = [
        "/piano/",
        "/piano/missioni/2/",
        "/piano/iniziative/",
        "/piano/iniziative/?mission=2&status=started",
        "/api/v1/plan",
        "/api/v1/plan/initiatives",
    ]

    def counts(self) -> dict[str, int]:
        out = {}
        action = Action.objects.get(mission__number=2, number=1)
        urls = [*self.URLS, f"/piano/azioni/{action.pk}/"]
        client = self.client_for(self.governance)
        for url in [*urls, "/piano/cruscotto/"]:
            cache.clear()  # the cold page
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            self.assertEqual(response.status_code, 200, url)
            out[url] = len(ctx.captured_queries)
        return out

    def grow(self, initiatives: int, measurements: int) -> None:
        places = list(Municipality.objects.order_by("name")[:5])
        indicator = IndicatorFactory.create()
        for n in range(initiatives):
            initiative = InitiativeFactory.create()
            initiative.municipalities.set(places[: 1 + n % 5])
        with deferred():
            Measurement.objects.bulk_create(
                Measurement(
                    indicator=indicator,
                    date=dt.date(2025, 1 + n % 12, 28),
                    value=Decimal(n),
                    municipality=places[n % 5],
                )
                for n in range(measurements)
            )
            indicator_points_refresh(indicator_ids=[indicator.pk])

    def test_the_query_counts_do_not_grow_with_the_data(self):
        self.grow(initiatives=2, measurements=10)
        small = self.counts()
        self.grow(initiatives=25, measurements=2_000)
        self.assertEqual(Initiative.objects.count(), 27)
        self.assertEqual(self.counts(), small)
        for url, queries in small.items():
            self.assertLessEqual(queries, MAX_QUERIES, url)
