from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pes.plan.models import Mission
from pes.registry.selectors import (
    organization_counts_by_mission,
    organization_counts_by_municipality,
)
from pes.territory.models import Municipality


def home(request: HttpRequest) -> HttpResponse:
    by_mission = organization_counts_by_mission()
    missions = list(Mission.objects.annotate(action_count=Count("actions")).order_by("number"))
    for mission in missions:
        mission.organization_count = by_mission.get(mission.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "core/home.html",
        {
            "missions": missions,
            "organization_total": sum(organization_counts_by_municipality().values()),
            "municipality_total": Municipality.objects.count(),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
