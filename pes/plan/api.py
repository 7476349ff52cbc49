"""``/api/v1/plan/…``: the Plan, its initiatives and indicators. Public read; writes for the
lead organisation's members and governance (token)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.plan.access import initiative_for_user_edit, user_can_edit_initiative
from pes.plan.models import Action, Indicator, Initiative, Mission, Plan
from pes.plan.rollup import stored_tree
from pes.plan.selectors import (
    InitiativeFilters,
    indicator_tidy_rows,
    indicator_views,
    initiative_list,
)
from pes.plan.services import ConcurrentEditError, initiative_update, measurement_record
from pes.territory.models import Municipality

router = Router()


class NodeOut(Schema):
    progress: Decimal | None
    financial_progress: Decimal | None
    initiatives: int
    committed: Decimal
    public_committed: Decimal
    public_spent: Decimal


class ActionOut(Schema):
    id: int
    code: str
    text: str
    direction: str | None
    progress: NodeOut


class MissionOut(Schema):
    number: int
    title: str
    kind: str
    progress: NodeOut
    actions: list[ActionOut]


class PlanOut(Schema):
    title: str
    start_year: int
    end_year: int
    progress: NodeOut
    missions: list[MissionOut]


class InitiativeSummary(Schema):
    id: int
    slug: str
    title: str
    action: str
    lead: str
    lead_id: int
    status: str
    progress: Decimal | None
    committed: Decimal
    version: int


class InitiativePage(Schema):
    count: int
    page: int
    pages: int
    results: list[InitiativeSummary]


class InitiativePatch(Schema):
    version: int = Field(..., description="the version you read; a stale one gets 409")
    title: str | None = None
    description: str | None = None
    status: str | None = Field(None, description="status key")
    progress_override: Decimal | None = Field(None, ge=0, le=100)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    cup: str | None = None


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    direction: str
    baseline_value: Decimal | None
    baseline_date: dt.date | None
    latest_value: Decimal | None
    latest_date: dt.date | None
    target_value: Decimal | None
    target_year: int | None
    status: str


class MeasurementIn(Schema):
    date: dt.date
    value: str = Field(..., max_length=40)
    municipality: str | None = Field(None, description="ISTAT code")
    gender: str = ""
    source: str = ""
    note: str = ""
    provisional: bool = False


class ErrorOut(Schema):
    detail: Any


def _node(node: Any) -> dict[str, Any]:
    return {
        "progress": node.progress,
        "financial_progress": node.financial_progress,
        "initiatives": node.count,
        "committed": node.committed,
        "public_committed": node.public_committed,
        "public_spent": node.public_spent,
    }


def _summary(i: Initiative) -> dict[str, Any]:
    return {
        "id": i.pk,
        "slug": i.slug,
        "title": i.title,
        "action": i.action.code,
        "lead": i.lead.name,
        "lead_id": i.lead_id,
        "status": i.status.key,
        "progress": i.progress(),
        "committed": i.committed_total,
        "version": i.version,
    }


@router.get("", response=PlanOut, summary="The Plan with progress at every level")
def get_plan(request: HttpRequest) -> dict[str, Any]:
    plan = Plan.objects.get()
    tree = stored_tree(plan)
    actions_by_mission: dict[int, list[dict[str, Any]]] = {}
    for a in Action.objects.select_related("mission", "direction").order_by(
        "mission__number", "number"
    ):
        actions_by_mission.setdefault(a.mission_id, []).append(
            {
                "id": a.pk,
                "code": a.code,
                "text": a.text,
                "direction": a.direction.title if a.direction else None,
                "progress": _node(tree.actions[a.pk]),
            }
        )
    return {
        "title": plan.title,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "progress": _node(tree.plan),
        "missions": [
            {
                "number": m.number,
                "title": m.title,
                "kind": m.kind,
                "progress": _node(tree.missions[m.pk]),
                "actions": actions_by_mission.get(m.pk, []),
            }
            for m in Mission.objects.filter(plan=plan).order_by("number")
        ],
    }


class InitiativeQuery(Schema):
    q: str = Field("", max_length=200)
    mission: int | None = Field(None, ge=1, le=7)
    action: int | None = None
    status: str = ""
    municipality: str = ""
    district: str = ""
    organization: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/initiatives", response=InitiativePage, summary="Initiatives, filtered")
def list_initiatives(request: HttpRequest, query: Query[InitiativeQuery]) -> dict[str, Any]:
    qs = initiative_list(
        filters=InitiativeFilters(
            q=query.q,
            mission=query.mission,
            action=query.action,
            status=query.status,
            municipality=query.municipality,
            district=query.district,
            organization=query.organization,
        )
    )
    paginator = Paginator(qs, query.page_size)
    page = paginator.get_page(query.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [_summary(i) for i in page.object_list],
    }


@router.get(
    "/initiatives/{initiative_id}",
    response={200: InitiativeSummary, 404: ErrorOut},
    summary="One initiative",
)
def get_initiative(request: HttpRequest, initiative_id: int) -> Any:
    initiative = (
        Initiative.objects.select_related("action__mission", "lead", "status")
        .filter(pk=initiative_id)
        .first()
    )
    if initiative is None:
        return Status(404, {"detail": "Not found."})
    return _summary(initiative)


@router.patch(
    "/initiatives/{initiative_id}",
    auth=token_auth,
    response={200: InitiativeSummary, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Update an initiative (lead organisation or governance)",
)
def patch_initiative(request: HttpRequest, initiative_id: int, payload: InitiativePatch) -> Any:
    slug = get_object_or_404(Initiative.objects.only("slug"), pk=initiative_id).slug
    initiative = initiative_for_user_edit(request.user, slug)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "status" in changes:
        from pes.plan.models import InitiativeStatus

        status = InitiativeStatus.objects.filter(key=changes.pop("status")).first()
        if status is None:
            raise field_errors({"status": ["Unknown status key."]})
        changes["status_id"] = status.pk
    try:
        initiative = initiative_update(
            initiative=initiative, data=changes, expected_version=version, user=request.user
        )
    except ConcurrentEditError as exc:
        return Status(409, {"detail": exc.messages[0]})
    except ValidationError as exc:
        raise service_errors(exc) from exc
    initiative = Initiative.objects.select_related("action__mission", "lead", "status").get(
        pk=initiative.pk
    )
    return _summary(initiative)


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators with their status")
def list_indicators(request: HttpRequest, action: int | None = None) -> list[dict[str, Any]]:
    qs = Indicator.objects.all()
    if action is not None:
        qs = qs.filter(action_id=action)
    return [
        {
            "code": v.indicator.code,
            "name": v.indicator.name,
            "unit": v.indicator.unit,
            "direction": v.indicator.direction,
            "baseline_value": v.indicator.baseline_value,
            "baseline_date": v.indicator.baseline_date,
            "latest_value": v.latest_value,
            "latest_date": v.latest_date,
            "target_value": v.target_value,
            "target_year": v.target_year,
            "status": str(v.status),
        }
        for v in indicator_views(list(qs))
    ]


@router.get("/indicators/{code}/measurements", summary="An indicator's tidy series")
def indicator_series(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return indicator_tidy_rows(get_object_or_404(Indicator, code=code))


@router.post(
    "/indicators/{code}/measurements",
    auth=token_auth,
    response={201: dict, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a measurement (lead organisation or governance)",
)
def post_measurement(request: HttpRequest, code: str, payload: MeasurementIn) -> Any:
    indicator = get_object_or_404(
        Indicator.objects.select_related("initiative__lead", "action"), code=code
    )
    from pes.registry.access import user_is_governance

    allowed = user_is_governance(request.user) or (
        indicator.initiative is not None
        and user_can_edit_initiative(request.user, indicator.initiative)
    )
    if not allowed:
        return Status(403, {"detail": "You may not record values for this indicator."})
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
        if municipality is None:
            raise field_errors({"municipality": ["Unknown ISTAT code."]})
    try:
        m = measurement_record(
            indicator=indicator,
            date=payload.date,
            value=payload.value,
            municipality=municipality,
            gender=payload.gender,
            source=payload.source,
            note=payload.note,
            provisional=payload.provisional,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, {"id": m.pk, "date": m.date.isoformat(), "value": str(m.value)})
