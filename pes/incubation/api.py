"""Incubation and acceleration API, mounted at ``/api/v1/incubation``: calls (public read),
applications (the applicant, token), evaluations (the evaluators, token), cohorts (the
call's managers and mentors, token) and outcomes (public aggregates and showcase; follow-up
reports by the team, token)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.incubation import selectors, services
from pes.incubation.access import (
    application_for_applicant,
    application_for_evaluator,
    application_for_user,
    applications_of,
    call_for_user,
    cohort_for_user,
    declaration_of,
    organizations_for_applicant,
    project_for_user,
    user_is_team,
)
from pes.incubation.models import CANVAS_KEYS, Application, Call, Cohort
from pes.territory.models import Municipality

router = Router()


class ErrorOut(Schema):
    detail: Any


def _finite(values: dict[str, Any]) -> None:
    bad = [k for k, v in values.items() if isinstance(v, Decimal) and not v.is_finite()]
    if bad:
        raise field_errors({name: [_("Give a finite number.")] for name in bad})


# ----------------------------------------------------------------------------- calls


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: int
    max_score: int


class CallOut(Schema):
    id: int
    slug: str
    title: str
    mission: int
    promoter_kind: str
    promoter_name: str
    targets: list[str]
    accepts_teams: bool
    opens_on: dt.date
    deadline: dt.datetime
    is_open: bool
    budget: Decimal
    max_grant: Decimal
    granted: Decimal | None = None
    remaining: Decimal | None = None
    required_documents: list[str]
    municipalities: list[str] = []
    criteria: list[CriterionOut] = []


class CallPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CallOut]


class CallFiltersIn(Schema):
    q: str = Field("", max_length=200)
    target: str = ""
    open_only: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


def _call(call: Call, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": call.pk,
        "slug": call.slug,
        "title": call.title,
        "mission": call.mission,
        "promoter_kind": call.promoter_kind,
        "promoter_name": call.promoter_name,
        "targets": call.targets,
        "accepts_teams": call.accepts_teams,
        "opens_on": call.opens_on,
        "deadline": call.deadline,
        "is_open": call.is_open,
        "budget": call.budget,
        "max_grant": call.max_grant,
        "required_documents": call.required_documents,
    }
    if detail:
        budget = selectors.call_budget(call)
        out["granted"] = budget.granted
        out["remaining"] = budget.remaining
        out["municipalities"] = list(call.municipalities.values_list("istat_code", flat=True))
        out["criteria"] = [
            {
                "id": c.pk,
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "max_score": c.max_score,
            }
            for c in call.criteria.all()
        ]
    return out


@router.get("/calls", response=CallPage, summary="Incubation calls")
def list_calls(request: HttpRequest, filters: Query[CallFiltersIn]) -> dict[str, Any]:
    qs = selectors.call_list(
        filters=selectors.CallFilters(
            q=filters.q, target=filters.target, open_only=filters.open_only
        )
    )
    page = Paginator(qs, filters.page_size).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_call(c) for c in page.object_list],
    }


@router.get("/calls/{slug}", response={200: CallOut, 404: ErrorOut}, summary="A call")
def get_call(request: HttpRequest, slug: str) -> Any:
    return _call(call_for_user(request.user, slug), detail=True)


# ----------------------------------------------------------------------------- applications


class ApplicationIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    idea: str = ""
    team_members: str = ""
    municipality: str | None = Field(None, description="ISTAT code")
    community_served: str = ""
    canvas: dict[str, str] = Field(default_factory=dict, description=", ".join(CANVAS_KEYS))
    budget_total: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    grant_requested: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    expected_jobs: int = Field(0, ge=0, le=10_000)
    expected_jobs_fragile: int = Field(0, ge=0, le=10_000)


class NewApplicationIn(ApplicationIn):
    call: str = Field(..., description="the call's slug")
    organization_id: int | None = Field(None, description="left out: an informal team")
    team_name: str = Field("", max_length=200)
    submit: bool = Field(False, description="send it now; otherwise a draft")


class ApplicationOut(Schema):
    id: int
    call: str
    status: str
    organization_id: int | None
    team_name: str
    title: str
    idea: str
    team_members: str
    municipality: str | None
    community_served: str
    canvas: dict[str, str]
    budget_total: Decimal
    grant_requested: Decimal
    expected_jobs: int
    expected_jobs_fragile: int
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str
    project_id: int | None


def _application(a: Application) -> dict[str, Any]:
    project = getattr(a, "project", None) if a.status == Application.Status.ADMITTED else None
    return {
        "id": a.pk,
        "call": a.call.slug,
        "status": a.status,
        "organization_id": a.organization_id,
        "team_name": a.team_name,
        "title": a.title,
        "idea": a.idea,
        "team_members": a.team_members,
        "municipality": a.municipality.istat_code if a.municipality else None,
        "community_served": a.community_served,
        "canvas": a.canvas,
        "budget_total": a.budget_total,
        "grant_requested": a.grant_requested,
        "expected_jobs": a.expected_jobs,
        "expected_jobs_fragile": a.expected_jobs_fragile,
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
        "decision_reason": a.decision_reason,
        "project_id": project.pk if project else None,
    }


def _data(payload: ApplicationIn) -> dict[str, Any]:
    values = payload.dict()
    _finite(values)
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
        if municipality is None:
            raise field_errors({"municipality": [_("Unknown ISTAT code.")]})
    return {
        "title": payload.title,
        "idea": payload.idea,
        "team_members": payload.team_members,
        "municipality": municipality,
        "community_served": payload.community_served,
        "canvas": payload.canvas,
        "budget_total": payload.budget_total,
        "grant_requested": payload.grant_requested,
        "expected_jobs": payload.expected_jobs,
        "expected_jobs_fragile": payload.expected_jobs_fragile,
    }


@router.get(
    "/applications",
    auth=token_auth,
    response=list[ApplicationOut],
    summary="My applications: my team's and my organisations' (token)",
)
def list_applications(request: HttpRequest) -> Any:
    qs = applications_of(request.user).select_related("call", "municipality", "project")
    return [_application(a) for a in qs.order_by("-created_at")[:200]]


@router.post(
    "/applications",
    auth=token_auth,
    response={201: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start an application (a draft, or sent at once with submit=true; token)",
)
def create_application(request: HttpRequest, payload: NewApplicationIn) -> Any:
    call = call_for_user(request.user, payload.call)
    organization = None
    if payload.organization_id is not None:
        organization = next(
            (
                o
                for o in organizations_for_applicant(request.user)
                if o.pk == payload.organization_id
            ),
            None,
        )
        if organization is None:
            raise field_errors(
                {"organization_id": [_("You are not a member of this organisation.")]}
            )
    data = _data(payload)
    try:
        application = services.application_create(
            call=call,
            user=request.user,
            organization=organization,
            team_name=payload.team_name,
            data=data,
        )
        if payload.submit:
            application = services.application_submit(application=application, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _application(application))


@router.get(
    "/applications/{application_id}",
    auth=token_auth,
    response={200: ApplicationOut, 404: ErrorOut},
    summary="An application (its applicant, the call's managers, evaluators without conflict)",
)
def get_application(request: HttpRequest, application_id: int) -> Any:
    return _application(application_for_user(request.user, application_id))


@router.put(
    "/applications/{application_id}",
    auth=token_auth,
    response={200: ApplicationOut, 404: ErrorOut, 422: ErrorOut},
    summary="Save a draft again (the applicant; token)",
)
def update_application(request: HttpRequest, application_id: int, payload: ApplicationIn) -> Any:
    application = application_for_applicant(request.user, application_id)
    try:
        application = services.application_update(application=application, data=_data(payload))
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _application(application)


@router.post(
    "/applications/{application_id}/submit",
    auth=token_auth,
    response={200: ApplicationOut, 404: ErrorOut, 422: ErrorOut},
    summary="Send a draft, checked against the call's eligibility and deadline (token)",
)
def submit_application(request: HttpRequest, application_id: int) -> Any:
    application = application_for_applicant(request.user, application_id)
    try:
        application = services.application_submit(application=application, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _application(application)


# ----------------------------------------------------------------------------- evaluations


class QueueOut(Schema):
    application_id: int
    call: str
    title: str
    applicant: str
    declared: bool
    conflict: bool
    scored: bool


class DeclarationIn(Schema):
    has_conflict: bool
    note: str = Field("", max_length=2000)


class ScoreIn(Schema):
    criterion_id: int
    value: Decimal = Field(..., max_digits=6, decimal_places=2)
    comment: str = Field("", max_length=4000)


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ScoreOut(Schema):
    criterion_id: int
    value: Decimal
    max_score: int
    comment: str


@router.get(
    "/evaluations",
    auth=token_auth,
    response=list[QueueOut],
    summary="Applications I evaluate and where I stand on each (token)",
)
def list_evaluations(request: HttpRequest) -> Any:
    return [
        {
            "application_id": i.application.pk,
            "call": i.application.call.slug,
            "title": i.application.title,
            "applicant": i.application.applicant_name,
            "declared": i.declared,
            "conflict": i.conflict,
            "scored": i.scored,
        }
        for i in selectors.evaluation_queue(request.user)
    ]


@router.post(
    "/applications/{application_id}/declaration",
    auth=token_auth,
    response={201: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Declare whether I have a conflict of interest (an evaluator; token)",
)
def declare(request: HttpRequest, application_id: int, payload: DeclarationIn) -> Any:
    application = application_for_evaluator(request.user, application_id)
    try:
        services.conflict_declare(
            application=application,
            evaluator=request.user,
            has_conflict=payload.has_conflict,
            note=payload.note,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, {"detail": "declared"})


@router.put(
    "/applications/{application_id}/scores",
    auth=token_auth,
    response={200: list[ScoreOut], 404: ErrorOut, 422: ErrorOut},
    summary="My scores, one per criterion (an evaluator without conflict; token)",
)
def score(request: HttpRequest, application_id: int, payload: ScoresIn) -> Any:
    application = application_for_evaluator(request.user, application_id)
    _finite({f"score_{s.criterion_id}": s.value for s in payload.scores})
    try:
        saved = services.application_score(
            application=application,
            evaluator=request.user,
            scores={s.criterion_id: (s.value, s.comment) for s in payload.scores},
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return [
        {
            "criterion_id": s.criterion_id,
            "value": s.value,
            "max_score": s.max_score,
            "comment": s.comment,
        }
        for s in saved
    ]


@router.get(
    "/applications/{application_id}/declaration",
    auth=token_auth,
    response={200: DeclarationIn, 404: ErrorOut},
    summary="My declaration on an application (token)",
)
def get_declaration(request: HttpRequest, application_id: int) -> Any:
    application = application_for_evaluator(request.user, application_id)
    declaration = declaration_of(request.user, application)
    if declaration is None:
        return Status(404, {"detail": "Not found."})
    return {"has_conflict": declaration.has_conflict, "note": declaration.note}


# ----------------------------------------------------------------------------- cohorts


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    reached_on: dt.date | None


class ProjectOut(Schema):
    id: int
    application_id: int
    title: str
    applicant: str
    grant: Decimal
    paid: Decimal
    milestones: list[MilestoneOut]


class CohortOut(Schema):
    id: int
    call: str
    name: str
    starts_on: dt.date
    ends_on: dt.date
    projects: list[ProjectOut]


def _project(project: Any) -> dict[str, Any]:
    money = selectors.project_money(project)
    return {
        "id": project.pk,
        "application_id": project.application_id,
        "title": project.application.title,
        "applicant": project.application.applicant_name,
        "grant": project.grant,
        "paid": money["paid"],
        "milestones": [
            {"id": m.pk, "title": m.title, "due_on": m.due_on, "reached_on": m.reached_on}
            for m in project.milestones.all()
        ],
    }


@router.get(
    "/cohorts/{cohort_id}",
    auth=token_auth,
    response={200: CohortOut, 404: ErrorOut},
    summary="A cohort and its projects (the call's managers and the mentors; token)",
)
def get_cohort(request: HttpRequest, cohort_id: int) -> Any:
    cohort: Cohort = cohort_for_user(request.user, cohort_id)
    projects = cohort.projects.select_related("application__organization").prefetch_related(
        "milestones"
    )
    return {
        "id": cohort.pk,
        "call": cohort.call.slug,
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "projects": [_project(p) for p in projects],
    }


@router.get(
    "/projects/{project_id}",
    auth=token_auth,
    response={200: ProjectOut, 404: ErrorOut},
    summary="A project (its team, its mentor, the call's managers; token)",
)
def get_project(request: HttpRequest, project_id: int) -> Any:
    return _project(project_for_user(request.user, project_id))


# ----------------------------------------------------------------------------- outcomes


class FollowUpIn(Schema):
    period: int = Field(..., description="0 (end of the programme), 12 or 36 months")
    is_active: bool = True
    incorporated: bool = False
    jobs_created: int = Field(0, ge=0, le=100_000)
    jobs_fragile: int = Field(0, ge=0, le=100_000)
    revenue: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=4000)


class FollowUpOut(FollowUpIn):
    project_id: int


class BreakdownOut(Schema):
    label: str
    applicants: int
    admitted: int
    funded: int
    jobs: int
    fragile: str


class OutcomesOut(Schema):
    applicants: int
    evaluated: int
    admitted: int
    funded: int
    surviving: int
    granted: Decimal
    disbursed: Decimal
    jobs: int
    jobs_fragile: str
    incorporated: int
    survival_1: int | None
    survival_3: int | None
    by_district: list[BreakdownOut]
    by_kind: list[BreakdownOut]


class ShowcaseOut(Schema):
    id: int
    title: str
    applicant: str
    municipality: str | None
    cohort: str
    call: str
    jobs: int | None
    active: bool | None


@router.get(
    "/outcomes",
    response={200: OutcomesOut, 404: ErrorOut},
    summary="The funnel, grants, jobs and survival (public; optionally for one call)",
)
def outcomes(request: HttpRequest, call: str = "") -> Any:
    selected = None
    if call:
        selected = Call.objects.filter(slug=call, is_published=True).first()
        if selected is None:
            return Status(404, {"detail": "Not found."})
    data = selectors.dashboard(call=selected)
    data["jobs_fragile"] = data["jobs_fragile_shown"]
    return data


@router.get("/showcase", response=list[ShowcaseOut], summary="Incubated projects (public)")
def list_showcase(request: HttpRequest, q: str = "", district: str = "") -> Any:
    return [
        {
            "id": p.pk,
            "title": p.application.title,
            "applicant": p.application.applicant_name,
            "municipality": p.application.municipality.name if p.application.municipality else None,
            "cohort": p.cohort.name,
            "call": p.cohort.call.slug,
            "jobs": p.jobs,  # type: ignore[attr-defined]
            "active": p.active,  # type: ignore[attr-defined]
        }
        for p in selectors.showcase(q=q[:200], district=district[:120])[:500]
    ]


@router.put(
    "/projects/{project_id}/follow-ups",
    auth=token_auth,
    response={200: FollowUpOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Report what the project became (its team; token)",
)
def report_follow_up(request: HttpRequest, project_id: int, payload: FollowUpIn) -> Any:
    project = project_for_user(request.user, project_id)
    if not user_is_team(request.user, project):
        return Status(403, {"detail": "You may not change this resource."})
    values = payload.dict()
    _finite(values)
    period = values.pop("period")
    try:
        follow_up = services.follow_up_report(
            project=project, period=period, data=values, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return {
        "project_id": project.pk,
        "period": follow_up.period,
        "is_active": follow_up.is_active,
        "incorporated": follow_up.incorporated,
        "jobs_created": follow_up.jobs_created,
        "jobs_fragile": follow_up.jobs_fragile,
        "revenue": follow_up.revenue,
        "note": follow_up.note,
    }
