"""Open-data exports of the Plan: the whole structure as JSON, and tidy CSV tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pes.plan.models import Action, Indicator, Initiative, Measurement, Mission, Plan
from pes.plan.rollup import stored_tree

INITIATIVE_COLUMNS = [
    "id",
    "slug",
    "title",
    "mission",
    "action",
    "lead",
    "lead_codice_fiscale",
    "status",
    "progress",
    "financial_progress",
    "start_date",
    "end_date",
    "cup",
    "committed",
    "public_committed",
    "public_spent",
    "municipalities",
]
INDICATOR_COLUMNS = [
    "code",
    "name",
    "unit",
    "direction",
    "action",
    "initiative",
    "baseline_value",
    "baseline_date",
    "frequency",
    "targets",
]
MEASUREMENT_COLUMNS = [
    "indicator",
    "year",
    "date",
    "municipality",
    "gender",
    "unit",
    "value",
    "provisional",
    "source",
]


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def plan_json() -> dict[str, Any]:
    plan = Plan.objects.get()
    tree = stored_tree(plan)
    actions: dict[int, list[dict[str, Any]]] = {}
    for a in Action.objects.select_related("direction").order_by("number"):
        node = tree.actions[a.pk]
        actions.setdefault(a.mission_id, []).append(
            {
                "code": a.code,
                "direction": a.direction.title if a.direction else None,
                "text": a.text,
                "progress": _str(node.progress) or None,
                "initiatives": node.count,
            }
        )
    return {
        "title": plan.title,
        "period": [plan.start_year, plan.end_year],
        "focus": [plan.focus_start_year, plan.focus_end_year],
        "progress": _str(tree.plan.progress) or None,
        "financial_progress": _str(tree.plan.financial_progress) or None,
        "missions": [
            {
                "number": m.number,
                "title": m.title,
                "kind": m.kind,
                "progress": _str(tree.missions[m.pk].progress) or None,
                "actions": actions.get(m.pk, []),
            }
            for m in Mission.objects.filter(plan=plan).order_by("number")
        ],
    }


def initiative_rows() -> Iterator[list[str]]:
    yield INITIATIVE_COLUMNS
    qs = (
        Initiative.objects.select_related("action__mission", "lead", "status")
        .prefetch_related("municipalities")
        .order_by("id")
    )
    for i in qs.iterator(chunk_size=1000):
        yield [
            str(i.pk),
            i.slug,
            i.title,
            str(i.action.mission.number),
            i.action.code,
            i.lead.name,
            i.lead.codice_fiscale,
            i.status.key,
            _str(i.progress()),
            _str(i.financial_progress()),
            _str(i.start_date),
            _str(i.end_date),
            i.cup,
            str(i.committed_total),
            str(i.public_committed_total),
            str(i.public_spent_total),
            ";".join(m.istat_code for m in i.municipalities.all()),
        ]


def indicator_rows() -> Iterator[list[str]]:
    yield INDICATOR_COLUMNS
    qs = Indicator.objects.select_related("action__mission", "initiative").prefetch_related(
        "targets"
    )
    for ind in qs.order_by("code"):
        yield [
            ind.code,
            ind.name,
            ind.unit,
            ind.direction,
            ind.action.code if ind.action else "",
            ind.initiative.slug if ind.initiative else "",
            _str(ind.baseline_value),
            _str(ind.baseline_date),
            ind.frequency,
            ";".join(f"{t.year}:{t.value.normalize()}" for t in ind.targets.all()),
        ]


def measurement_rows() -> Iterator[list[str]]:
    yield MEASUREMENT_COLUMNS
    qs = Measurement.objects.select_related("indicator", "municipality").order_by(
        "indicator__code", "date", "id"
    )
    for m in qs.iterator(chunk_size=5000):
        yield [
            m.indicator.code,
            str(m.date.year),
            m.date.isoformat(),
            m.municipality.istat_code if m.municipality else "",
            m.gender,
            m.indicator.unit,
            str(m.value.normalize()),
            "1" if m.provisional else "0",
            m.source,
        ]
