"""Reads from the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.cache import cache
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from pes.lib.pagination import CappedPaginator
from pes.lib.text import words
from pes.registry.models import Activity, LegalForm, Organization
from pes.territory.models import Municipality

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


def _ids(qs: QuerySet[Any]) -> list[int]:
    return list(qs.values_list("id", flat=True))


def _mission_model() -> Any:
    return Organization.missions.field.related_model  # plan.Mission, without an app cycle


def organization_list(*, filters: OrganizationFilters) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("legal_form", "head_office")
    if filters.published_only:
        qs = qs.filter(is_published=True)
    # Reference filters resolved to ids first (small tables, one quick query each): on the
    # organisation's own columns the planner knows from its statistics how many rows match
    # and picks the right index, which it cannot guess through a join on a code or a slug.
    if filters.legal_form:
        qs = qs.filter(legal_form_id__in=_ids(LegalForm.objects.filter(code=filters.legal_form)))
    if filters.category:
        qs = qs.filter(legal_form_id__in=_ids(LegalForm.objects.filter(category=filters.category)))
    if filters.municipality:
        places = Municipality.objects.filter(istat_code=filters.municipality)
        qs = qs.filter(head_office_id__in=_ids(places))
    if filters.district:
        places = Municipality.objects.filter(district__slug=filters.district)
        qs = qs.filter(head_office_id__in=_ids(places))
    # Many-to-many filters as ``EXISTS`` rather than joins: the planner can then walk the
    # name index and stop at the first page instead of joining every match. The activity or
    # mission is resolved to its id first, so the planner reads from the link table's
    # statistics how common it is (through a join on a letter or a number it guesses).
    if filters.activity:
        activities = Organization.activities.through.objects.filter(
            organization_id=OuterRef("pk"),
            activity_id__in=_ids(Activity.objects.filter(letter=filters.activity)),
        )
        qs = qs.filter(Exists(activities))
    if filters.mission:
        missions = Organization.missions.through.objects.filter(
            organization_id=OuterRef("pk"),
            mission_id__in=_ids(_mission_model().objects.filter(number=filters.mission)),
        )
        qs = qs.filter(Exists(missions))
    qs = qs.order_by("name", "id")
    if filters.q:
        qs = _full_text(qs, filters.q)
    return qs


# Counting stops here; the page says "more than …" (see ``CappedPaginator``). Counting every
# match of a common word is most of the cost of a search, and fifty pages are enough to browse.
COUNT_CAP = 1000
# Up to ``COUNT_CAP`` matches the words' rank orders the results (every match is scored).
# Beyond it ranking is costly and says little: the matches are listed newest first, which the
# primary key's index serves at once however the matches are spread (alphabetical order would
# walk the name index past every non-matching name before the first page).
LARGE_RESULT_ORDER = ("-id",)


class _DirectoryPaginator(CappedPaginator):
    """Counts without the ``ORDER BY``: in a capped count the order decides nothing, and a
    ranked order would score every match just to count them."""

    @cached_property
    def count(self) -> int:
        qs: QuerySet[Organization] = self.object_list  # type: ignore[assignment]
        counted = qs.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def organization_search_page(
    *, filters: OrganizationFilters, page: Any, per_page: int
) -> tuple[Page, CappedPaginator]:
    """One page of the directory, with a capped count; ranked only when few match."""
    qs = organization_list(filters=filters)
    paginator = _DirectoryPaginator(qs, per_page, cap=COUNT_CAP)
    if filters.q and paginator.count and paginator.capped:
        paginator.object_list = qs.order_by(*LARGE_RESULT_ORDER)
    return paginator.get_page(page), paginator


def organization_detail(*, organization: Organization) -> Organization:
    return (
        Organization.objects.select_related("legal_form", "head_office__district")
        .prefetch_related("activities", "missions", "municipalities_served")
        .get(pk=organization.pk)
    )


# Counts over the whole registry (the home page, the territory) are cached under the
# registry's version: the last time an organisation was written (``updated_at``, indexed), so
# any save or import shows at once; a deletion shows when the entry expires.
COUNTS_CACHE_SECONDS = 600


def registry_version() -> str:
    last = Organization.objects.aggregate(last=Max("updated_at"))["last"]
    return last.isoformat() if last else "empty"


def _cached(name: str, compute: Any) -> Any:
    key = f"registry:{name}:{registry_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, COUNTS_CACHE_SECONDS)
    return value


def organization_counts_by_municipality() -> dict[int, int]:
    """Published organisations by head-office municipality (cached, see above)."""

    def compute() -> dict[int, int]:
        rows = (
            Organization.objects.filter(is_published=True)
            .values("head_office_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["head_office_id"]: row["n"] for row in rows}

    return dict(_cached("by-municipality", compute))


def organization_counts_by_mission() -> dict[int, int]:
    """Published organisations working on each mission of the Plan (cached, see above)."""

    def compute() -> dict[int, int]:
        through = Organization.missions.through
        rows = (
            through.objects.filter(organization__is_published=True)
            .values("mission_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row["mission_id"]: row["n"] for row in rows}

    return dict(_cached("by-mission", compute))


def organization_counts_by_category(*, municipality_id: int | None = None) -> list[dict]:
    qs = Organization.objects.filter(is_published=True)
    if municipality_id is not None:
        qs = qs.filter(Q(head_office_id=municipality_id))
    return list(
        qs.values("legal_form__category").annotate(n=Count("id")).order_by("legal_form__category")
    )


# Previews on other pages (a mission, a municipality) count at most this many.
PREVIEW_COUNT_CAP = 1000


def organization_preview(
    *, filters: OrganizationFilters, limit: int = 10
) -> tuple[list[Organization], int, bool]:
    """The first ``limit`` organisations matching ``filters``, how many match (counted up to
    ``PREVIEW_COUNT_CAP``) and whether the count stopped there."""
    qs = organization_list(filters=filters)
    counted = qs.order_by()[: PREVIEW_COUNT_CAP + 1].count()
    return list(qs[:limit]), min(counted, PREVIEW_COUNT_CAP), counted > PREVIEW_COUNT_CAP
