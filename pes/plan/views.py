from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pes.plan.models import Mission
from pes.registry.selectors import OrganizationFilters, organization_list


def mission_detail(request: HttpRequest, number: int) -> HttpResponse:
    mission = get_object_or_404(Mission.objects.prefetch_related("actions"), number=number)
    organizations = organization_list(filters=OrganizationFilters(mission=mission.number))
    return render(
        request,
        "plan/mission_detail.html",
        {
            "mission": mission,
            "organizations": organizations[:10],
            "organization_count": organizations.count(),
        },
    )
