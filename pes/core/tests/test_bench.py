"""The benchmark code runs (so it cannot rot): the page measurements of ``bench.pages`` on
tiny demo data, and the demo sizes DESIGN.md sets. Timings are never asserted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from bench.pages import GOVERNANCE, PAGES, PUBLIC, measure
from pes.core.demo import MEASUREMENTS, TENDERS, VOLUNTEERS
from pes.plan.models import Indicator, IndicatorPoint, Measurement, Plan
from pes.plan.progress import plan_tree
from pes.volunteering.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(settings):
    settings.LANGUAGE_CODE = "en"
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("seed_demo", "--size", "tiny", "--seed", "11", verbosity=0)


def test_every_page_of_the_bench_answers_and_has_a_floor_on_tiny_data(tiny):
    results = measure(repeats=1, warmup=0)
    assert set(results) == {p.name for p in PAGES}
    for name, figures in results.items():
        assert "skipped" not in figures, name
        assert figures["status"] == 200, (name, figures["url"])
        assert 0 < figures["queries"] <= 15, (name, figures["queries"])
        assert figures["floor_bytes"] > 2, name  # the floor found rows: not an empty list
        assert figures["ratio"] is not None
    assert {p.who for p in PAGES} == {PUBLIC, GOVERNANCE}


def test_the_tiny_seed_is_consistent(tiny):
    assert Measurement.objects.count() == MEASUREMENTS["tiny"]
    # Every measured indicator has its series points and latest value.
    measured = Indicator.objects.filter(measurements__isnull=False).distinct()
    assert measured.exists()
    for indicator in measured:
        dates = set(indicator.measurements.values_list("date", flat=True))
        assert (
            set(IndicatorPoint.objects.filter(indicator=indicator).values_list("date", flat=True))
            == dates
        )
        assert indicator.latest_date == max(dates)
    # The stored roll-ups equal the computed tree.
    plan = Plan.objects.get()
    computed = plan_tree(plan)
    assert (plan.rollup_progress, plan.rollup_count) == (
        computed.plan.progress,
        computed.plan.count,
    )
    assert Volunteer.objects.count() == VOLUNTEERS["tiny"]


def test_the_demo_sizes_are_those_of_design_md():
    assert (MEASUREMENTS["metro"], MEASUREMENTS["national"]) == (50_000, 1_000_000)
    assert (VOLUNTEERS["metro"], VOLUNTEERS["national"]) == (10_000, 100_000)
    assert TENDERS["national"] == 10_000


def test_the_matching_benchmark_proves_the_optimum_and_reports_each_exact_run():
    from bench import matching

    result = matching.run(people=900, places=300, seed=4, limits=[3], exact_repeats=2)
    run = result["runs"][0]
    exact = run["exact"]
    assert exact["proved_optimal"] and len(exact["runs_seconds"]) == 2
    assert exact["total_score"] >= run["total_score"] >= run["greedy_total_score"]
    assert exact["seconds"] in exact["runs_seconds"] and exact["warm_start_load_seconds"] >= 0
    assert all(c["capacities_ok"] for c in run["checks"].values())
