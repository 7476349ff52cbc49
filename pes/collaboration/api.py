"""Collaboration API, mounted at ``/api/v1/collaboration``: tables, meetings, proposals,
procedures and housing initiatives, honouring visibility (members-only tables are seen by
their members and governance, with a token); supporting a proposal and scheduling a meeting
with a token."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from pes.api.api import field_errors, token_auth
from pes.collaboration import selectors, services
from pes.collaboration.access import (
    meeting_for_user,
    procedure_for_user,
    proposal_for_user,
    table_for_manager,
    table_for_user,
)
from pes.collaboration.models import HousingInitiative, Meeting, Proposal, WorkingTable
from pes.registry.access import organization_for_user_edit

router = Router()


class ErrorOut(Schema):
    detail: Any


class TableOut(Schema):
    slug: str
    title: str
    purpose: str
    mission: int | None
    action: str | None
    visibility: str
    members: int


class MemberOut(Schema):
    organization: str
    organization_id: int
    role: str


class TableDetailOut(TableOut):
    member_list: list[MemberOut]


class MeetingOut(Schema):
    id: int
    table: str
    title: str
    agenda: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    link: str
    minutes: str
    decisions: list[str]


class ProposalOut(Schema):
    id: int
    table: str
    kind: str
    title: str
    text: str
    cost: Decimal | None
    funders: str
    status: str
    organization: str
    supports: int
    initiative: str | None


class ProcedureOut(Schema):
    slug: str
    kind: str
    title: str
    administration: str
    stage: str
    deadline: dt.date
    requires_runts: bool
    agreement_budget: Decimal | None
    agreement_months: int | None


class HousingOut(Schema):
    slug: str
    name: str
    lead: str
    municipality_istat: str
    municipality: str
    units: int
    tenure: str
    monthly_rent: Decimal
    market_rent: Decimal
    rent_reduction: Decimal
    households_housed: int
    target_groups: list[str]


class HousingPage(Schema):
    count: int
    page: int
    pages: int
    units: int
    households: int
    average_reduction: Decimal | None
    results: list[HousingOut]


class MeetingIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    agenda: str = Field(..., min_length=1)
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = Field("", max_length=255)
    link: str = Field("", max_length=200)


class SupportIn(Schema):
    organization_id: int


def _table(t: WorkingTable, members: int | None = None) -> dict[str, Any]:
    return {
        "slug": t.slug,
        "title": t.title,
        "purpose": t.purpose,
        "mission": t.mission.number if t.mission else None,
        "action": t.action.code if t.action else None,
        "visibility": t.visibility,
        "members": members if members is not None else getattr(t, "n_members", 0),
    }


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "table": m.table.slug,
        "title": m.title,
        "agenda": m.agenda,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "place": m.place,
        "link": m.link,
        "minutes": m.minutes,
        "decisions": [d.text for d in m.decisions.all()],
    }


def _proposal(p: Proposal, supports: int) -> dict[str, Any]:
    return {
        "id": p.pk,
        "table": p.table.slug,
        "kind": p.kind,
        "title": p.title,
        "text": p.text,
        "cost": p.cost,
        "funders": p.funders,
        "status": p.status,
        "organization": p.organization.name,
        "supports": supports,
        "initiative": p.initiative.slug if p.initiative else None,
    }


def _anonymous(request: HttpRequest) -> bool:
    return True


optional_auth = [token_auth, _anonymous]


def _viewer(request: HttpRequest) -> Any:
    return request.user


@router.get("/tables", response=list[TableOut], auth=optional_auth)
def tables(request: HttpRequest) -> list[dict[str, Any]]:
    return [_table(t) for t in selectors.table_list(user=_viewer(request))[:500]]


@router.get("/tables/{slug}", response=TableDetailOut, auth=optional_auth)
def table(request: HttpRequest, slug: str) -> dict[str, Any]:
    t = table_for_user(_viewer(request), slug)
    members = selectors.table_members(table=t)
    return {
        **_table(t, len(members)),
        "member_list": [
            {
                "organization": m.organization.name,
                "organization_id": m.organization_id,
                "role": m.role,
            }
            for m in members
        ],
    }


@router.get("/tables/{slug}/meetings", response=list[MeetingOut], auth=optional_auth)
def table_meetings(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    t = table_for_user(_viewer(request), slug)
    return [_meeting(m) for m in t.meetings.select_related("table").prefetch_related("decisions")]


@router.post(
    "/tables/{slug}/meetings",
    response={201: MeetingOut, 403: ErrorOut, 404: ErrorOut},
    auth=token_auth,
)
def meeting_create(request: HttpRequest, slug: str, payload: MeetingIn) -> Any:
    t = table_for_manager(request.user, slug)
    try:
        meeting = services.meeting_create(table=t, data=payload.dict(), user=request.user)
    except ValidationError as exc:
        raise field_errors(exc.message_dict) from exc
    return Status(201, _meeting(meeting))


@router.get("/meetings/{pk}", response=MeetingOut, auth=optional_auth)
def meeting(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _meeting(meeting_for_user(_viewer(request), pk))


@router.get("/tables/{slug}/proposals", response=list[ProposalOut], auth=optional_auth)
def table_proposals(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    t = table_for_user(_viewer(request), slug)
    return [
        _proposal(p, p.n_supports)  # type: ignore[attr-defined]
        for p in selectors.table_proposals(table=t, user=_viewer(request))
    ]


@router.get("/proposals/{pk}", response=ProposalOut, auth=optional_auth)
def proposal(request: HttpRequest, pk: int) -> dict[str, Any]:
    p = proposal_for_user(_viewer(request), pk)
    return _proposal(p, p.supports.count())


@router.post(
    "/proposals/{pk}/support",
    response={201: ProposalOut, 403: ErrorOut, 404: ErrorOut},
    auth=token_auth,
)
def proposal_support(request: HttpRequest, pk: int, payload: SupportIn) -> Any:
    p = proposal_for_user(request.user, pk)
    try:
        organization = organization_for_user_edit(request.user, pk=payload.organization_id)
    except PermissionDenied as exc:
        raise field_errors(
            {"organization_id": [gettext("You may not act on behalf of this organisation.")]}
        ) from exc
    try:
        services.proposal_support(proposal=p, organization=organization, user=request.user)
    except ValidationError as exc:
        errors = exc.message_dict
        raise field_errors({"organization_id": errors.get("organization", [])}) from exc
    return Status(201, _proposal(p, p.supports.count()))


@router.get("/procedures", response=list[ProcedureOut], auth=optional_auth)
def procedures(request: HttpRequest) -> list[Any]:
    return [
        {
            **{f: getattr(p, f) for f in ProcedureOut.model_fields if f != "administration"},
            "administration": p.administration.name,
        }
        for p in selectors.procedure_list(user=_viewer(request))[:500]
    ]


@router.get("/procedures/{slug}", response=ProcedureOut, auth=optional_auth)
def procedure(request: HttpRequest, slug: str) -> dict[str, Any]:
    p = procedure_for_user(_viewer(request), slug)
    return {
        **{f: getattr(p, f) for f in ProcedureOut.model_fields if f != "administration"},
        "administration": p.administration.name,
    }


def _housing(h: HousingInitiative) -> dict[str, Any]:
    return {
        "slug": h.slug,
        "name": h.name,
        "lead": h.lead.name,
        "municipality_istat": h.municipality.istat_code,
        "municipality": h.municipality.name,
        "units": h.units,
        "tenure": h.tenure,
        "monthly_rent": h.monthly_rent,
        "market_rent": h.market_rent,
        "rent_reduction": h.rent_reduction,
        "households_housed": h.households_housed,
        "target_groups": h.target_groups,
    }


@router.get("/housing", response=HousingPage, auth=None)
def housing(
    request: HttpRequest,
    tenure: str = "",
    municipality: str = "",
    page: int = 1,
) -> dict[str, Any]:
    qs = selectors.housing_list(tenure=tenure[:12], municipality=municipality[:6])
    paginator = Paginator(qs, 50)
    current = paginator.get_page(max(page, 1))
    indicators = selectors.housing_indicators(qs)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "units": indicators["units"],
        "households": indicators["households"],
        "average_reduction": indicators["average_reduction"],
        "results": [_housing(h) for h in current.object_list],
    }
