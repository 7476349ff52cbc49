from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pes.registry.selectors import OrganizationFilters, organization_preview
from pes.territory.models import Municipality
from pes.territory.selectors import districts_with_municipalities


def municipality_index(request: HttpRequest) -> HttpResponse:
    districts = districts_with_municipalities()
    return render(
        request,
        "territory/municipality_list.html",
        {
            "districts": districts,
            "municipality_total": sum(len(d.rows) for d in districts),  # type: ignore[attr-defined,misc]
            "organization_total": sum(d.total for d in districts),  # type: ignore[attr-defined]
        },
    )


def municipality_detail(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = get_object_or_404(
        Municipality.objects.select_related("district", "union"), slug=slug
    )
    organizations, count, capped = organization_preview(
        filters=OrganizationFilters(municipality=municipality.istat_code)
    )
    neighbours = Municipality.objects.filter(district=municipality.district).exclude(
        pk=municipality.pk
    )
    return render(
        request,
        "territory/municipality_detail.html",
        {
            "municipality": municipality,
            "organizations": organizations,
            "organization_count": count,
            "organization_count_capped": capped,
            "neighbours": neighbours,
        },
    )
