from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pes.plan.models import Mission
from pes.registry.models import Organization
from pes.territory.models import Municipality


def home(request: HttpRequest) -> HttpResponse:
    missions = Mission.objects.annotate(
        organization_count=Count("organizations", filter=Q(organizations__is_published=True)),
        action_count=Count("actions", distinct=True),
    ).order_by("number")
    return render(
        request,
        "core/home.html",
        {
            "missions": missions,
            "organization_total": Organization.objects.filter(is_published=True).count(),
            "municipality_total": Municipality.objects.count(),
        },
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
