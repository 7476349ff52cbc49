"""Reads of the collaboration module: lists with a constant number of queries, the housing
register's indicators and map points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from pes.collaboration.access import procedures_visible_to, tables_visible_to
from pes.collaboration.models import (
    ActionItem,
    DocumentVersion,
    HousingInitiative,
    Meeting,
    Procedure,
    Proposal,
    TableMember,
    WorkingTable,
)


def table_list(*, user: Any) -> QuerySet[WorkingTable]:
    return (
        tables_visible_to(user)
        .select_related("mission", "action__mission", "coordinator")
        .annotate(n_members=Count("members", distinct=True))
        .order_by("title", "id")
    )


def table_members(*, table: WorkingTable) -> list[TableMember]:
    return list(
        table.members.select_related("user", "organization__legal_form").order_by(
            "organization__name", "id"
        )
    )


def table_meetings(*, table: WorkingTable) -> list[Meeting]:
    return list(table.meetings.annotate(n_decisions=Count("decisions")).order_by("-starts_at"))


def table_documents(*, table: WorkingTable) -> list[Any]:
    return list(
        table.documents.prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            )
        ).order_by("title")
    )


def table_proposals(*, table: WorkingTable, user: Any) -> list[Proposal]:
    qs = table.proposals.select_related("organization", "initiative").annotate(
        n_supports=Count("supports", distinct=True)
    )
    uid = getattr(user, "pk", None)
    return [p for p in qs if p.status != Proposal.Status.DRAFT or p.author_id == uid]


def open_action_items(*, table: WorkingTable) -> list[ActionItem]:
    return list(
        ActionItem.objects.filter(meeting__table=table, done_at__isnull=True)
        .select_related("owner", "meeting")
        .order_by("due_date", "id")
    )


def overdue_items_for_coordinator(*, user: Any) -> list[ActionItem]:
    if not (user and user.is_authenticated):
        return []
    return list(
        ActionItem.objects.filter(
            meeting__table__coordinator=user,
            done_at__isnull=True,
            due_date__lt=timezone.localdate(),
        )
        .select_related("owner", "meeting__table")
        .order_by("due_date", "id")
    )


def procedure_list(*, user: Any) -> QuerySet[Procedure]:
    return (
        procedures_visible_to(user)
        .select_related("administration", "action__mission")
        .annotate(n_expressions=Count("expressions"))
        .order_by("-created_at", "-id")
    )


def housing_list(*, tenure: str = "", municipality: str = "") -> QuerySet[HousingInitiative]:
    qs = HousingInitiative.objects.filter(is_published=True).select_related("lead", "municipality")
    if tenure:
        qs = qs.filter(tenure=tenure)
    if municipality:
        qs = qs.filter(municipality__istat_code=municipality)
    return qs.order_by("name", "id")


def housing_indicators(qs: QuerySet[HousingInitiative]) -> dict[str, Any]:
    """Households housed, units, and the average rent reduction against the local market,
    weighted by units (each home counts once)."""
    totals = qs.aggregate(
        initiatives=Count("id"), units=Sum("units"), households=Sum("households_housed")
    )
    weighted = Decimal(0)
    units = 0
    for monthly, market, n in qs.values_list("monthly_rent", "market_rent", "units"):
        weighted += (market - monthly) * 100 / market * n
        units += n
    reduction = (weighted / units).quantize(Decimal("0.1")) if units else None
    return {
        "initiatives": totals["initiatives"] or 0,
        "units": totals["units"] or 0,
        "households": totals["households"] or 0,
        "average_reduction": reduction,
    }


def housing_map_points(qs: QuerySet[HousingInitiative]) -> list[tuple[Any, Any, int, str]]:
    rows = (
        qs.order_by()
        .values("municipality__name", "municipality__latitude", "municipality__longitude")
        .annotate(units=Sum("units"))
        .order_by("municipality__name")
    )
    return [
        (
            r["municipality__latitude"],
            r["municipality__longitude"],
            r["units"] or 0,
            r["municipality__name"],
        )
        for r in rows
    ]
