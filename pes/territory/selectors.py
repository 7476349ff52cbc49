"""Reads from the territory, with organisation counts."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from pes.registry.selectors import organization_counts_by_municipality
from pes.territory.models import District, Municipality


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("district", "union")


def with_organization_counts(municipalities: Iterable[Municipality]) -> list[Municipality]:
    """The municipalities, each with ``organization_count`` (published organisations with
    their head office there), from the registry's cached counts."""
    counts = organization_counts_by_municipality()
    out = []
    for m in municipalities:
        m.organization_count = counts.get(m.pk, 0)  # type: ignore[attr-defined]
        out.append(m)
    return out


def districts_with_municipalities() -> list[District]:
    """Districts, each with ``.rows`` (its municipalities with counts) and ``.total``."""
    districts = list(District.objects.order_by("name"))
    by_district: dict[int, list[Municipality]] = {d.pk: [] for d in districts}
    for m in with_organization_counts(municipality_list().order_by("name")):
        by_district[m.district_id].append(m)
    for d in districts:
        d.rows = by_district[d.pk]  # type: ignore[attr-defined]
        d.total = sum(m.organization_count for m in d.rows)  # type: ignore[attr-defined]
        d.population = sum(m.population for m in d.rows)  # type: ignore[attr-defined]
    return districts
