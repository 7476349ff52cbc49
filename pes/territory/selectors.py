"""Reads from the territory, with organisation counts."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from pes.territory.models import District, Municipality


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("district", "union").annotate(
        organization_count=Count("organizations", filter=Q(organizations__is_published=True))
    )


def districts_with_municipalities() -> list[District]:
    """Districts, each with ``.rows`` (its municipalities with counts) and ``.total``."""
    districts = list(District.objects.order_by("name"))
    by_district: dict[int, list[Municipality]] = {d.pk: [] for d in districts}
    for m in municipality_list().order_by("name"):
        by_district[m.district_id].append(m)
    for d in districts:
        d.rows = by_district[d.pk]  # type: ignore[attr-defined]
        d.total = sum(m.organization_count for m in d.rows)  # type: ignore[attr-defined]
        d.population = sum(m.population for m in d.rows)  # type: ignore[attr-defined]
    return districts
