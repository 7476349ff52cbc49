"""Work inclusion API, mounted at ``/api/v1/inclusion``, with the permissions of the pages:

* openings: public read; companies publish, change and close theirs (token);
* proposals: the company sees those made to it, with the data the person agreed to share,
  and accepts or declines them (token);
* cases: operators list, read and work their own cases, see ranked openings and propose,
  record pathways and their follow-ups (token); nobody else reads a case;
* aggregates: the dashboard's figures (public; no cell under 5 people).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.inclusion import matching_data, selectors, services
from pes.inclusion.access import (
    case_for_user,
    opening_for_editor,
    opening_for_user,
    proposal_for_company,
    require_operator,
)
from pes.inclusion.models import (
    FOLLOW_UP_MONTHS,
    Case,
    ContactLog,
    Contract,
    Opening,
    Pathway,
    Proposal,
    Shift,
    Skill,
)
from pes.registry.access import organization_for_user_edit
from pes.territory.models import Municipality

router = Router()


class ErrorOut(Schema):
    detail: Any


# ----------------------------------------------------------------------------- openings


class OpeningOut(Schema):
    id: int
    role: str
    description: str
    organization_id: int
    organization: str
    municipality: str
    istat_code: str
    ateco_code: str
    contract: str
    hours_per_week: int
    shifts: list[str]
    required_skills: list[str]
    desirable_skills: list[str]
    requirements: str
    needs_driving_licence: bool
    min_italian: str
    step_free_access: bool
    public_transport: bool
    places: int
    status: str
    created_at: dt.datetime


class OpeningPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OpeningOut]


class OpeningIn(Schema):
    role: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    ateco_code: str = ""
    istat_code: str = Field(..., description="ISTAT code of the workplace's municipality")
    contract: str = Field(..., description="internship, apprenticeship, fixed_term, permanent")
    hours_per_week: int
    places: int
    shifts: list[str] = Field(default_factory=list)
    required_skills: list[str] = Field(default_factory=list)
    desirable_skills: list[str] = Field(default_factory=list)
    requirements: str = ""
    needs_driving_licence: bool = False
    min_italian: str = ""
    step_free_access: bool = False
    public_transport: bool = True
    accessibility_note: str = ""


def _opening(o: Opening) -> dict[str, Any]:
    return {
        "id": o.pk,
        "role": o.role,
        "description": o.description,
        "organization_id": o.organization_id,
        "organization": o.organization.name,
        "municipality": o.municipality.name,
        "istat_code": o.municipality.istat_code,
        "ateco_code": o.ateco_code,
        "contract": o.contract,
        "hours_per_week": o.hours_per_week,
        "shifts": o.shifts,
        "required_skills": o.required_skills,
        "desirable_skills": o.desirable_skills,
        "requirements": o.requirements,
        "needs_driving_licence": o.needs_driving_licence,
        "min_italian": o.min_italian,
        "step_free_access": o.step_free_access,
        "public_transport": o.public_transport,
        "places": o.places,
        "status": o.status,
        "created_at": o.created_at,
    }


def _opening_data(payload: OpeningIn) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    municipality = Municipality.objects.filter(istat_code=payload.istat_code).first()
    if municipality is None:
        errors["istat_code"] = [
            _("Choose one of the 55 municipalities of the Città metropolitana di Bologna.")
        ]
    if payload.contract not in Contract.values:
        errors["contract"] = [_("Unknown contract.")]
    for name, allowed in (
        ("shifts", Shift.values),
        ("required_skills", Skill.values),
        ("desirable_skills", Skill.values),
    ):
        if set(getattr(payload, name)) - set(allowed):
            errors[name] = [_("Unknown codes.")]
    if errors:
        raise field_errors(errors)
    data = payload.dict()
    data.pop("istat_code")
    data["municipality"] = municipality
    return data


class OpeningFilterIn(Schema):
    q: str = Field("", max_length=100)
    contract: str = ""
    skill: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


@router.get("/openings", response=OpeningPage, summary="Open openings of the network")
def list_openings(request: HttpRequest, filters: Query[OpeningFilterIn]) -> dict[str, Any]:
    qs = selectors.opening_list(
        filters=selectors.OpeningFilters(
            q=filters.q, contract=filters.contract, skill=filters.skill
        )
    )
    page = Paginator(qs, filters.page_size).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_opening(o) for o in page.object_list],
    }


@router.get("/openings/{opening_id}", response={200: OpeningOut, 404: ErrorOut})
def get_opening(request: HttpRequest, opening_id: int) -> Any:
    return _opening(opening_for_user(request.user, opening_id))


@router.post(
    "/organizations/{organization_id}/openings",
    auth=token_auth,
    response={201: OpeningOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish an opening for a company one works for (token)",
)
def create_opening(request: HttpRequest, organization_id: int, payload: OpeningIn) -> Any:
    organization = organization_for_user_edit(request.user, pk=organization_id)
    data = _opening_data(payload)
    try:
        opening = services.opening_create(organization=organization, data=data, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _opening(opening))


@router.put(
    "/openings/{opening_id}",
    auth=token_auth,
    response={200: OpeningOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change an opening of one's company (token)",
)
def update_opening(request: HttpRequest, opening_id: int, payload: OpeningIn) -> Any:
    opening = opening_for_editor(request.user, opening_id)
    data = _opening_data(payload)
    try:
        services.opening_update(opening=opening, data=data, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _opening(opening)


@router.post(
    "/openings/{opening_id}/close",
    auth=token_auth,
    response={200: OpeningOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def close_opening(request: HttpRequest, opening_id: int) -> Any:
    opening = opening_for_editor(request.user, opening_id)
    try:
        services.opening_close(opening=opening, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _opening(opening)


class ReasonOut(Schema):
    code: str
    kind: str
    text: str


class CandidateOut(Schema):
    case_id: int
    reference: str
    score: float
    distance_km: float
    reasons: list[ReasonOut]


@router.get(
    "/openings/{opening_id}/candidates",
    auth=token_auth,
    response={200: list[CandidateOut], 403: ErrorOut, 404: ErrorOut},
    summary="People ready for placement ranked for an opening, with reasons (operators)",
)
def opening_candidates(request: HttpRequest, opening_id: int, limit: int = 20) -> Any:
    require_operator(request.user)
    opening = opening_for_user(request.user, opening_id)
    return [
        {
            "case_id": r.case.pk,  # type: ignore[union-attr]
            "reference": r.case.reference,  # type: ignore[union-attr]
            "score": r.match.score,
            "distance_km": r.match.distance_km,
            "reasons": matching_data.with_texts(r.match.reasons),
        }
        for r in matching_data.rank_people(opening=opening, limit=max(1, min(limit, 100)))
    ]


# ----------------------------------------------------------------------------- proposals


class ProposalOut(Schema):
    id: int
    opening_id: int
    opening: str
    organization: str
    status: str
    score: float
    reasons: list[ReasonOut]
    person: dict[str, Any]
    note: str
    decision_note: str
    proposed_at: dt.datetime
    decided_at: dt.datetime | None = None


class DecisionIn(Schema):
    accept: bool
    note: str = ""


def _proposal(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "opening_id": p.opening_id,
        "opening": p.opening.role,
        "organization": p.opening.organization.name,
        "status": p.status,
        "score": p.score,
        "reasons": matching_data.with_texts(p.reasons),
        "person": p.shared,
        "note": p.note,
        "decision_note": p.decision_note,
        "proposed_at": p.proposed_at,
        "decided_at": p.decided_at,
    }


@router.get(
    "/proposals",
    auth=token_auth,
    response=list[ProposalOut],
    summary="People proposed to my companies, with what they agreed to share (token)",
)
def list_proposals(request: HttpRequest) -> Any:
    return [_proposal(p) for p in selectors.proposals_for_company(user=request.user)[:200]]


@router.post(
    "/proposals/{proposal_id}/decision",
    auth=token_auth,
    response={200: ProposalOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Accept or decline a proposal (the company, token)",
)
def decide_proposal(request: HttpRequest, proposal_id: int, payload: DecisionIn) -> Any:
    proposal = proposal_for_company(request.user, proposal_id)
    try:
        proposal = services.proposal_decide(
            proposal=proposal, accept=payload.accept, note=payload.note, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _proposal(proposal)


# ----------------------------------------------------------------------------- cases


class CaseOut(Schema):
    id: int
    reference: str
    status: str
    outcome: str
    person: str
    municipality: str
    registered_at: dt.datetime
    first_contact_due: dt.date
    first_contact_at: dt.datetime | None = None
    late: bool
    closed_at: dt.datetime | None = None
    closing_reason: str


def _case(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "status": c.status,
        "outcome": c.outcome,
        "person": str(c.person),
        "municipality": c.person.municipality.name,
        "registered_at": c.registered_at,
        "first_contact_due": c.first_contact_due,
        "first_contact_at": c.first_contact_at,
        "late": c.is_late,
        "closed_at": c.closed_at,
        "closing_reason": c.closing_reason,
    }


class CaseFilterIn(Schema):
    scope: str = Field("mine", description="mine, unassigned, late, team")
    status: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseOut]


@router.get(
    "/cases",
    auth=token_auth,
    response={200: CasePage, 403: ErrorOut},
    summary="The operator's queue (token; operators only)",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilterIn]) -> Any:
    require_operator(request.user)
    if filters.scope not in ("mine", "unassigned", "late", "team"):
        raise field_errors({"scope": [_("Unknown scope.")]})
    qs = selectors.case_queue(
        user=request.user,
        filters=selectors.QueueFilters(scope=filters.scope, status=filters.status),
    )
    page = Paginator(qs, filters.page_size).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_case(c) for c in page.object_list],
    }


@router.get(
    "/cases/{case_id}",
    auth=token_auth,
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut},
    summary="A case of one's own (token; its operator and their supervisor)",
)
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _case(case_for_user(request.user, case_id))


class ContactIn(Schema):
    at: dt.datetime | None = None
    channel: str = Field(..., description="phone, email, in_person, video")
    reached: bool = True
    note: str = ""


@router.post(
    "/cases/{case_id}/contacts",
    auth=token_auth,
    response={201: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Log a contact (the first that reaches the person stops the clock)",
)
def add_contact(request: HttpRequest, case_id: int, payload: ContactIn) -> Any:
    case = case_for_user(request.user, case_id)
    if payload.channel not in ContactLog.Channel.values:
        raise field_errors({"channel": [_("Unknown channel.")]})
    try:
        services.contact_add(case=case, data=payload.dict(), user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _case(case))


class AssessmentIn(Schema):
    outcome: str = Field(..., description="ready, training, referred, not_eligible")
    note: str = ""


@router.post(
    "/cases/{case_id}/assessment",
    auth=token_auth,
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def assess_case(request: HttpRequest, case_id: int, payload: AssessmentIn) -> Any:
    case = case_for_user(request.user, case_id)
    try:
        services.case_assess(
            case=case, outcome=payload.outcome, note=payload.note, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _case(case)


class RankedOpeningOut(Schema):
    opening: OpeningOut
    score: float
    distance_km: float
    reasons: list[ReasonOut]


@router.get(
    "/cases/{case_id}/openings",
    auth=token_auth,
    response={200: list[RankedOpeningOut], 403: ErrorOut, 404: ErrorOut},
    summary="Open openings ranked for the person of a case, with reasons",
)
def case_openings(request: HttpRequest, case_id: int, limit: int = 20) -> Any:
    case = case_for_user(request.user, case_id)
    return [
        {
            "opening": _opening(r.opening),  # type: ignore[arg-type]
            "score": r.match.score,
            "distance_km": r.match.distance_km,
            "reasons": matching_data.with_texts(r.match.reasons),
        }
        for r in matching_data.rank_openings(case=case, limit=max(1, min(limit, 100)))
    ]


class ProposeIn(Schema):
    opening_id: int
    note: str = ""


@router.post(
    "/cases/{case_id}/proposals",
    auth=token_auth,
    response={201: ProposalOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Propose the person of a case for an opening",
)
def propose(request: HttpRequest, case_id: int, payload: ProposeIn) -> Any:
    case = case_for_user(request.user, case_id)
    opening = Opening.objects.select_related("organization").filter(pk=payload.opening_id).first()
    if opening is None:
        raise field_errors({"opening_id": [_("The opening does not exist.")]})
    try:
        proposal = services.proposal_create(
            case=case, opening=opening, user=request.user, note=payload.note
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _proposal(proposal))


# ----------------------------------------------------------------------------- pathways


class FollowUpOut(Schema):
    id: int
    months: int
    done_on: dt.date
    still_employed: bool
    contract: str
    note: str


class FollowUpDueOut(Schema):
    months: int
    due_on: dt.date
    done: bool


class PathwayOut(Schema):
    id: int
    kind: str
    title: str
    organization_id: int | None = None
    proposal_id: int | None = None
    starts_on: dt.date
    ends_on: dt.date | None = None
    is_placement: bool
    follow_ups: list[FollowUpOut]
    follow_ups_due: list[FollowUpDueOut]


def _pathway(w: Pathway) -> dict[str, Any]:
    done = {f.months: f for f in w.follow_ups.all()}
    return {
        "id": w.pk,
        "kind": w.kind,
        "title": w.title,
        "organization_id": w.organization_id,
        "proposal_id": w.proposal_id,
        "starts_on": w.starts_on,
        "ends_on": w.ends_on,
        "is_placement": w.is_placement,
        "follow_ups": [
            {
                "id": f.pk,
                "months": f.months,
                "done_on": f.done_on,
                "still_employed": f.still_employed,
                "contract": f.contract,
                "note": f.note,
            }
            for f in sorted(done.values(), key=lambda f: f.months)
        ],
        "follow_ups_due": [
            {"months": m, "due_on": w.follow_up_due(m), "done": m in done} for m in FOLLOW_UP_MONTHS
        ],
    }


class PathwayIn(Schema):
    kind: str = Field(
        ..., description="training, internship, apprenticeship, fixed_term, permanent"
    )
    title: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    proposal_id: int | None = Field(
        None, description="the accepted proposal the placement comes from, if any"
    )


class FollowUpIn(Schema):
    months: int = Field(..., description="3, 6 or 12")
    done_on: dt.date
    still_employed: bool
    contract: str = Field("", description="the contract now, required if still employed")
    note: str = ""


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()})


@router.get(
    "/cases/{case_id}/pathways",
    auth=token_auth,
    response={200: list[PathwayOut], 403: ErrorOut, 404: ErrorOut},
    summary="The pathways of a case with their follow-ups (its operator and their supervisor)",
)
def list_pathways(request: HttpRequest, case_id: int) -> Any:
    case = case_for_user(request.user, case_id)
    return [_pathway(w) for w in case.pathways.prefetch_related("follow_ups")]


@router.post(
    "/cases/{case_id}/pathways",
    auth=token_auth,
    response={201: PathwayOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a training course, internship or contract with its dates",
)
def create_pathway(request: HttpRequest, case_id: int, payload: PathwayIn) -> Any:
    case = case_for_user(request.user, case_id)
    errors: dict[str, list[str]] = {}
    if payload.kind not in Pathway.Kind.values:
        errors["kind"] = [_("Unknown kind of pathway.")]
    if not payload.title.strip():
        errors["title"] = [_("This field is required.")]
    data: dict[str, Any] = {
        "kind": payload.kind,
        "title": payload.title.strip(),
        "starts_on": payload.starts_on,
        "ends_on": payload.ends_on,
    }
    if payload.proposal_id is not None:
        data["proposal"] = (
            Proposal.objects.select_related("opening__organization")
            .filter(pk=payload.proposal_id, case=case)
            .first()
        )
        if data["proposal"] is None:
            errors["proposal_id"] = [_("The proposal belongs to another case.")]
    if errors:
        raise field_errors(errors)
    try:
        pathway = services.pathway_create(case=case, data=data, user=request.user)
    except ValidationError as exc:
        raise service_errors(_renamed(exc, {"proposal": "proposal_id"})) from exc
    return Status(201, _pathway(pathway))


@router.post(
    "/cases/{case_id}/pathways/{pathway_id}/follow-ups",
    auth=token_auth,
    response={201: PathwayOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record the follow-up at 3, 6 or 12 months of a pathway",
)
def record_follow_up(
    request: HttpRequest, case_id: int, pathway_id: int, payload: FollowUpIn
) -> Any:
    case = case_for_user(request.user, case_id)
    pathway = case.pathways.filter(pk=pathway_id).first()
    if pathway is None:
        raise Http404
    if payload.contract and payload.contract not in Contract.values:
        raise field_errors({"contract": [_("Unknown contract.")]})
    try:
        services.follow_up_record(pathway=pathway, data=payload.dict(), user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    pathway = case.pathways.prefetch_related("follow_ups").get(pk=pathway.pk)
    return Status(201, _pathway(pathway))


# ----------------------------------------------------------------------------- aggregates


@router.get(
    "/aggregates",
    response=dict[str, Any],
    summary="The service's aggregates; counts under 5 people are null (hidden)",
)
def aggregates(request: HttpRequest) -> Any:
    data = selectors.dashboard()
    data = dict(data)
    data["per_month"] = [
        {"month": r["month"].strftime("%Y-%m"), "n": r["n"]} for r in data["per_month"]
    ]
    data["retention"] = {str(k): v for k, v in data["retention"].items()}
    return data
