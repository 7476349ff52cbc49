"""Reads from the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from pes.lib.pagination import CappedPaginator
from pes.lib.text import words
from pes.registry.models import Organization

SEARCH_CONFIG = "italian"


def search_vector() -> RawSQL:
    """The stored ``tsvector`` column PostgreSQL keeps (migration ``0003_search_index``)."""
    table = Organization._meta.db_table
    return RawSQL(f'"{table}"."search_vector"', [], output_field=SearchVectorField())  # noqa: S611


@dataclass(frozen=True)
class OrganizationFilters:
    q: str = ""
    legal_form: str = ""
    category: str = ""
    municipality: str = ""
    district: str = ""
    activity: str = ""
    mission: int | None = None
    published_only: bool = True

    def active(self) -> bool:
        return any(
            [
                self.q,
                self.legal_form,
                self.category,
                self.municipality,
                self.district,
                self.activity,
                self.mission,
            ]
        )


def _full_text(qs: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    terms = words(text)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        raw = " & ".join(f"{term}:*" for term in terms)
        query = SearchQuery(raw, config=SEARCH_CONFIG, search_type="raw")
        return (
            qs.alias(search=search_vector())
            .filter(search=query)
            .order_by(SearchRank(search_vector(), query).desc(), "name", "id")
        )
    # SQLite: every word must appear in the folded document (accent- and case-insensitive).
    for term in terms:
        qs = qs.filter(search_document__contains=term)
    return qs


def organization_list(*, filters: OrganizationFilters) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("legal_form", "head_office")
    if filters.published_only:
        qs = qs.filter(is_published=True)
    if filters.legal_form:
        qs = qs.filter(legal_form__code=filters.legal_form)
    if filters.category:
        qs = qs.filter(legal_form__category=filters.category)
    if filters.municipality:
        qs = qs.filter(head_office__istat_code=filters.municipality)
    if filters.district:
        qs = qs.filter(head_office__district__slug=filters.district)
    if filters.activity:
        qs = qs.filter(activities__letter=filters.activity)
    if filters.mission:
        qs = qs.filter(missions__number=filters.mission)
    qs = qs.order_by("name", "id")
    if filters.q:
        qs = _full_text(qs, filters.q)
    return qs


# Beyond this many matches, ranking is costly (every match is scored) and says little:
# large result sets are shown in alphabetical order, which an index serves.
RANK_LIMIT = 2000
# Counting stops here; the page says "more than …" (see ``CappedPaginator``).
COUNT_CAP = 10_000


def organization_search_page(
    *, filters: OrganizationFilters, page: Any, per_page: int
) -> tuple[Page, CappedPaginator]:
    """One page of the directory, with a capped count; ranked only when few match."""
    qs = organization_list(filters=filters)
    paginator = CappedPaginator(qs, per_page, cap=COUNT_CAP)
    if filters.q and paginator.count > RANK_LIMIT:
        paginator.object_list = qs.order_by("name", "id")
    return paginator.get_page(page), paginator


def organization_detail(*, organization: Organization) -> Organization:
    return (
        Organization.objects.select_related("legal_form", "head_office__district")
        .prefetch_related("activities", "missions", "municipalities_served")
        .get(pk=organization.pk)
    )


def organization_counts_by_municipality() -> dict[int, int]:
    rows = (
        Organization.objects.filter(is_published=True)
        .values("head_office_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["head_office_id"]: row["n"] for row in rows}


def organization_counts_by_category(*, municipality_id: int | None = None) -> list[dict]:
    qs = Organization.objects.filter(is_published=True)
    if municipality_id is not None:
        qs = qs.filter(Q(head_office_id=municipality_id))
    return list(
        qs.values("legal_form__category").annotate(n=Count("id")).order_by("legal_form__category")
    )


def organization_preview(
    *, filters: OrganizationFilters, limit: int = 10
) -> tuple[list[Organization], int]:
    """The first ``limit`` organisations matching ``filters`` and how many match in all."""
    qs = organization_list(filters=filters)
    return list(qs[:limit]), qs.count()
