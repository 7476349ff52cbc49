"""The Plan's demo data: the same rows and roll-ups whether written in bulk (the default) or
row by row through the models' saves and their signals (the reference), roll-ups equal to a
full recomputation, and series points equal to a rebuild from the measurements."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.core.cache import cache

from pes.plan.demo import INDICATORS, seed_measurements, seed_plan
from pes.plan.models import (
    Action,
    BudgetLine,
    Indicator,
    IndicatorPoint,
    IndicatorTarget,
    Initiative,
    Measurement,
    Mission,
    Partner,
    Plan,
    Report,
    TimelineEntry,
)
from pes.plan.progress import plan_tree
from pes.plan.rollup import ROLLUP_FIELDS, deferred, indicator_points_refresh, stored_tree
from pes.plan.selectors import indicator_views
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase

INITIATIVES = 40


def wipe() -> None:
    with deferred():
        Initiative.objects.filter(external_id__startswith="demo-").delete()
        Indicator.objects.filter(code__in=[code for code, *_rest in INDICATORS]).delete()
    assert not Initiative.objects.exists()


def page(client: Any, url: str) -> str:
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def series() -> dict[str, Any]:
    """The indicators' stored series points, latest values and statuses."""
    return {
        "points": list(
            IndicatorPoint.objects.order_by("indicator__code", "date").values_list(
                "indicator__code", "date", "headline", "parts", "measurements"
            )
        ),
        "indicators": list(
            Indicator.objects.order_by("code").values_list(
                "code", "latest_date", "latest_value", "status"
            )
        ),
    }


def dump(client: Any) -> dict[str, Any]:
    """Every row the demo writes, with external ids and codes instead of their own ids, the
    stored roll-ups, and the Plan's pages."""
    by_initiative = "initiative__external_id"
    rollups = {
        model.__name__: list(model.objects.order_by("pk").values_list("pk", *ROLLUP_FIELDS))
        for model in (Action, Mission, Plan)
    }
    slugs = Initiative.objects.order_by("external_id").values_list("slug", flat=True)[:5]
    return {
        "initiatives": list(
            Initiative.objects.order_by("external_id").values_list(
                "external_id",
                "title",
                "slug",
                "description",
                "action_id",
                "parent_id",
                "lead_id",
                "status_id",
                "progress_override",
                "start_date",
                "end_date",
                "cup",
                "weight",
                "committed_total",
                "public_committed_total",
                "public_spent_total",
                "version",
            )
        ),
        "places": sorted(
            Initiative.municipalities.through.objects.values_list(by_initiative, "municipality_id")
        ),
        "partners": sorted(Partner.objects.values_list(by_initiative, "organization_id", "role")),
        "budget": list(
            BudgetLine.objects.order_by(by_initiative, "id").values_list(
                by_initiative, "source", "description", "committed", "spent"
            )
        ),
        "timeline": list(
            TimelineEntry.objects.order_by(by_initiative).values_list(
                by_initiative, "date", "text", "progress"
            )
        ),
        "reports": list(
            Report.objects.order_by(by_initiative).values_list(
                by_initiative,
                "period_id",
                "state",
                "status_id",
                "progress",
                "narrative",
                "spent",
                "submitted_by_id",
                "submitted_at",
            )
        ),
        "targets": list(
            IndicatorTarget.objects.order_by("indicator__code", "year").values_list(
                "indicator__code", "year", "value"
            )
        ),
        "measurements": list(
            Measurement.objects.order_by("indicator__code", "date", "id").values_list(
                "indicator__code", "date", "value", "municipality_id", "source"
            )
        ),
        **series(),
        "rollups": rollups,
        "pages": [
            page(client, url)
            for url in [
                "/piano/",
                "/piano/missioni/2/",
                "/piano/iniziative/",
                "/api/v1/plan",
                *(f"/piano/iniziative/{slug}/" for slug in slugs),
            ]
        ],
    }


class PlanDemoTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for _ in range(6):
            OrganizationFactory.create()

    def assert_rollups_equal_a_recomputation(self) -> None:
        plan = Plan.objects.get()
        computed = plan_tree(plan)
        stored = stored_tree(plan)
        nodes = [(stored.plan, computed.plan)]
        nodes += [(stored.missions[pk], node) for pk, node in computed.missions.items()]
        nodes += [(stored.actions[pk], node) for pk, node in computed.actions.items()]
        for got, expected in nodes:
            fields = ["progress", "committed", "public_committed", "public_spent", "count"]
            self.assertEqual(
                [getattr(got, f) for f in fields], [getattr(expected, f) for f in fields]
            )
        self.assertEqual(stored.plan.count, Initiative.objects.count())

    def test_the_bulk_rows_are_the_rows_written_one_by_one(self):
        self.assertEqual(seed_plan(initiatives=INITIATIVES, seed=3, one_by_one=True), INITIATIVES)
        reference = dump(self.client)
        self.assertEqual(len(reference["initiatives"]), INITIATIVES)
        self.assertTrue(reference["reports"] and reference["partners"])
        wipe()
        self.assertEqual(Plan.objects.get().rollup_count, 0)
        self.assertEqual(seed_plan(initiatives=INITIATIVES, seed=3), INITIATIVES)
        self.assertEqual(dump(self.client), reference)
        self.assert_rollups_equal_a_recomputation()

    def test_the_roll_ups_equal_a_recomputation_and_a_second_run_adds_nothing(self):
        version = Plan.objects.get().data_version
        seed_plan(initiatives=INITIATIVES, seed=3)
        self.assertNotEqual(Plan.objects.get().data_version, version)
        self.assert_rollups_equal_a_recomputation()
        first = dump(self.client)
        self.assertEqual(seed_plan(initiatives=INITIATIVES + 5, seed=3), 5)
        self.assertEqual(Initiative.objects.count(), INITIATIVES + 5)
        self.assert_rollups_equal_a_recomputation()
        wipe()
        seed_plan(initiatives=INITIATIVES, seed=3)
        self.assertEqual(dump(self.client), first)

    def test_the_measurements_points_and_statuses_equal_a_rebuild(self):
        seed_plan(initiatives=INITIATIVES, seed=3)
        version = Plan.objects.get().data_version
        made = seed_measurements(count=4_000, seed=3)
        self.assertEqual(made["measurements"], 4_000)
        self.assertEqual(
            Measurement.objects.filter(indicator__code__startswith="mis-").count(), 4_000
        )
        self.assertNotEqual(Plan.objects.get().data_version, version)
        stored = series()
        self.assertTrue(stored["points"])
        self.assertTrue(any(status != "not_available" for *_r, status in stored["indicators"]))
        # Computed here from the measurements: the points, the latest values, the statuses.
        points: dict[tuple[str, Any], list[Any]] = defaultdict(lambda: [None, None, 0])
        for code, date, value, place, gender in Measurement.objects.values_list(
            "indicator__code", "date", "value", "municipality_id", "gender"
        ):
            point = points[code, date]
            if place is None and not gender:
                point[0] = value if point[0] is None else max(point[0], value)
            else:
                point[1] = (point[1] or 0) + value
            point[2] += 1
        self.assertEqual(stored["points"], [(*key, *points[key]) for key in sorted(points)])
        latest = {}
        for (code, date), (headline, parts, _n) in sorted(points.items()):
            if headline is not None or parts is not None:
                latest[code] = (date, headline if headline is not None else parts)
        indicators = list(Indicator.objects.order_by("code"))
        views = indicator_views(indicators)
        self.assertEqual(
            stored["indicators"],
            [
                (i.code, *latest.get(i.code, (None, None)), view.status.value)
                for i, view in zip(indicators, views, strict=True)
            ],
        )
        # Rebuilt from scratch, outside any bulk load: nothing changes.
        IndicatorPoint.objects.all().delete()
        Indicator.objects.update(latest_date=None, latest_value=None, status="not_available")
        indicator_points_refresh(indicator_ids=Indicator.objects.values_list("pk", flat=True))
        self.assertEqual(series(), stored)
        # The demo's rows carry the model's defaults, as a row saved by the model would.
        demo = Measurement.objects.filter(indicator__code__startswith="mis-").earliest("id")
        saved = Measurement.objects.create(
            indicator=demo.indicator, date=demo.date, value=demo.value, source=demo.source
        )
        fields = ["gender", "note", "provisional", "recorded_by_id", "report_id", "source"]
        self.assertEqual([getattr(demo, f) for f in fields], [getattr(saved, f) for f in fields])
        self.assertIsNotNone(demo.created_at)
        self.assertEqual(seed_measurements(count=4_000, seed=3)["measurements"], 0)
