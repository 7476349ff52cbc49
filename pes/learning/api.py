"""Learning API, mounted at ``/api/v1/learning``: courses and events with sessions (public
read, organisers write with a token), enrolment of the token's user, the research catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.learning import services
from pes.learning.access import course_for_user, enrolment_for_user, research_for_user
from pes.learning.models import MAX_AGE, Course, Enrolment, ResearchProject, Session
from pes.plan.models import Action, Mission
from pes.registry.access import organization_for_user_edit
from pes.territory.models import Municipality

router = Router()


class ErrorOut(Schema):
    detail: Any


class SessionOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    municipality_istat: str


class CourseOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    kind: str
    organizer_id: int
    organizer: str
    audience: str
    min_age: int
    max_age: int
    municipality_istat: str
    seats: int
    free_seats: int
    is_free: bool
    fee: Decimal | None
    wheelchair_accessible: bool
    min_attendance: int
    action_id: int | None
    sessions: list[SessionOut]


class CourseIn(Schema):
    organizer_id: int
    title: str = Field(..., min_length=3, max_length=200)
    description: str = Field(..., min_length=1)
    kind: str
    audience: str = Field(..., min_length=1, max_length=255)
    min_age: int = Field(16, ge=0, le=MAX_AGE)
    max_age: int = Field(MAX_AGE, ge=0, le=MAX_AGE)
    municipality: str = Field(..., description="ISTAT code")
    seats: int = Field(..., ge=1, le=100_000)
    is_free: bool = True
    fee: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    wheelchair_accessible: bool = False
    min_attendance: int = Field(75, ge=1, le=100)
    action_id: int | None = None
    is_published: bool = True


class SessionIn(Schema):
    title: str = Field("", max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = Field(..., min_length=1, max_length=255)
    municipality: str | None = Field(None, description="ISTAT code; the course's if empty")


class EnrolIn(Schema):
    affiliation: str = Field(..., description="public, social_economy, university, school, citizen")
    institution: str = Field("", max_length=200)


class EnrolmentOut(Schema):
    id: int
    course: str
    status: str
    affiliation: str


def _session(s: Session) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "municipality_istat": s.municipality.istat_code,
    }


def _course(c: Course) -> dict[str, Any]:
    return {
        "id": c.pk,
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "kind": c.kind,
        "organizer_id": c.organizer_id,
        "organizer": c.organizer.name,
        "audience": c.audience,
        "min_age": c.min_age,
        "max_age": c.max_age,
        "municipality_istat": c.municipality.istat_code,
        "seats": c.seats,
        "free_seats": c.free_seats,
        "is_free": c.is_free,
        "fee": c.fee,
        "wheelchair_accessible": c.wheelchair_accessible,
        "min_attendance": c.min_attendance,
        "action_id": c.action_id,
        "sessions": [_session(s) for s in c.sessions.all()],
    }


def _courses_qs() -> Any:
    return Course.objects.select_related("organizer", "municipality").prefetch_related(
        "sessions__municipality"
    )


def _course_data(payload: CourseIn) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if payload.kind not in Course.Kind.values:
        errors["kind"] = [_("One of: %(values)s.") % {"values": ", ".join(Course.Kind.values)}]
    municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
    if municipality is None:
        errors["municipality"] = [_("Unknown ISTAT code.")]
    action = None
    if payload.action_id is not None:
        action = Action.objects.filter(pk=payload.action_id).first()
        if action is None:
            errors["action_id"] = [_("Unknown Plan action.")]
    if errors:
        raise field_errors(errors)
    data = payload.dict(exclude={"organizer_id", "municipality", "action_id"})
    data.update(municipality=municipality, action=action)
    return data


@router.get("/courses", response=list[CourseOut], summary="List courses and events")
def list_courses(request: HttpRequest, kind: str = "", page: int = 1) -> Any:
    qs = _courses_qs().filter(is_published=True).order_by("title", "id")
    if kind:
        qs = qs.filter(kind=kind)
    return [_course(c) for c in Paginator(qs, 50).get_page(page).object_list]


@router.get("/courses/{slug}", response={200: CourseOut, 404: ErrorOut})
def get_course(request: HttpRequest, slug: str) -> Any:
    course = course_for_user(request.user, slug)
    return _course(_courses_qs().get(pk=course.pk))


@router.post(
    "/courses",
    auth=token_auth,
    response={201: CourseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish a course of one's organisation (token)",
)
def create_course(request: HttpRequest, payload: CourseIn) -> Any:
    organizer = organization_for_user_edit(request.user, pk=payload.organizer_id)
    data = _course_data(payload)
    try:
        course = services.course_create(data={**data, "organizer": organizer}, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _course(_courses_qs().get(pk=course.pk)))


@router.put(
    "/courses/{slug}",
    auth=token_auth,
    response={200: CourseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace one's own course (token)",
)
def update_course(request: HttpRequest, slug: str, payload: CourseIn) -> Any:
    course = course_for_user(request.user, slug, edit=True)
    organizer = organization_for_user_edit(request.user, pk=payload.organizer_id)
    data = _course_data(payload)
    try:
        services.course_update(
            course=course, data={**data, "organizer": organizer}, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _course(_courses_qs().get(pk=course.pk))


@router.post(
    "/courses/{slug}/sessions",
    auth=token_auth,
    response={201: SessionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a session to one's course (token)",
)
def create_session(request: HttpRequest, slug: str, payload: SessionIn) -> Any:
    course = course_for_user(request.user, slug, edit=True)
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
        if municipality is None:
            raise field_errors({"municipality": [_("Unknown ISTAT code.")]})
    if timezone.is_naive(payload.starts_at) or timezone.is_naive(payload.ends_at):
        raise field_errors({"starts_at": [_("Give times with their UTC offset.")]})
    try:
        session = services.session_create(
            course=course,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            place=payload.place,
            municipality=municipality,
            title=payload.title,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _session(Session.objects.select_related("municipality").get(pk=session.pk)))


@router.post(
    "/courses/{slug}/enrolments",
    auth=token_auth,
    response={201: EnrolmentOut, 404: ErrorOut, 422: ErrorOut},
    summary="Enrol the token's user (confirmed or on the waiting list)",
)
def enrol(request: HttpRequest, slug: str, payload: EnrolIn) -> Any:
    course = course_for_user(request.user, slug)
    try:
        enrolment = services.course_enrol(
            course=course,
            user=request.user,
            affiliation=payload.affiliation,
            institution=payload.institution,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(
        201,
        {
            "id": enrolment.pk,
            "course": course.slug,
            "status": enrolment.status,
            "affiliation": enrolment.affiliation,
        },
    )


@router.get(
    "/enrolments",
    auth=token_auth,
    response=list[EnrolmentOut],
    summary="The token user's enrolments",
)
def my_enrolments(request: HttpRequest) -> Any:
    return [
        {"id": e.pk, "course": e.course.slug, "status": e.status, "affiliation": e.affiliation}
        for e in Enrolment.objects.filter(user=request.user).select_related("course")[:500]  # type: ignore[misc]
    ]


@router.delete(
    "/enrolments/{enrolment_id}",
    auth=token_auth,
    response={200: EnrolmentOut, 404: ErrorOut, 422: ErrorOut},
    summary="Cancel an enrolment",
)
def cancel_enrolment(request: HttpRequest, enrolment_id: int) -> Any:
    enrolment = enrolment_for_user(request.user, enrolment_id)
    try:
        enrolment = services.enrolment_cancel(enrolment=enrolment, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return {
        "id": enrolment.pk,
        "course": enrolment.course.slug,
        "status": enrolment.status,
        "affiliation": enrolment.affiliation,
    }


# ----------------------------------------------------------------------------- research


class ResearchOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    university: str
    department: str
    people: str
    start_year: int
    end_year: int | None
    summary: str
    publications: list[str]
    missions: list[int]


class ResearchIn(Schema):
    organization_id: int
    title: str = Field(..., min_length=3, max_length=255)
    kind: str
    university: str = Field(..., min_length=1, max_length=200)
    department: str = Field("", max_length=200)
    people: str = Field(..., min_length=1, max_length=500)
    start_year: int = Field(..., ge=1900, le=2100)
    end_year: int | None = Field(None, ge=1900, le=2100)
    summary: str = Field(..., min_length=1)
    publications: list[str] = Field(default_factory=list)
    missions: list[int] = Field(default_factory=list, description="mission numbers")
    is_published: bool = True


def _research(p: ResearchProject) -> dict[str, Any]:
    return {
        "id": p.pk,
        "slug": p.slug,
        "title": p.title,
        "kind": p.kind,
        "university": p.university,
        "department": p.department,
        "people": p.people,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "summary": p.summary,
        "publications": p.publication_list(),
        "missions": [m.number for m in p.missions.all()],
    }


def _research_data(payload: ResearchIn) -> tuple[dict[str, Any], list[Mission]]:
    errors: dict[str, list[str]] = {}
    if payload.kind not in ResearchProject.Kind.values:
        errors["kind"] = [
            _("One of: %(values)s.") % {"values": ", ".join(ResearchProject.Kind.values)}
        ]
    missions = list(Mission.objects.filter(number__in=payload.missions))
    if len({m.number for m in missions}) != len(set(payload.missions)):
        errors["missions"] = [_("Unknown mission numbers.")]
    if errors:
        raise field_errors(errors)
    data = payload.dict(exclude={"organization_id", "missions", "publications"})
    data.update(publications="\n".join(payload.publications))
    return data, missions


@router.get("/research", response=list[ResearchOut], summary="List research projects and theses")
def list_research(request: HttpRequest, mission: int | None = None, page: int = 1) -> Any:
    qs = ResearchProject.objects.filter(is_published=True).prefetch_related("missions")
    if mission is not None:
        qs = qs.filter(missions__number=mission)
    return [_research(p) for p in Paginator(qs, 50).get_page(page).object_list]


@router.get("/research/{slug}", response={200: ResearchOut, 404: ErrorOut})
def get_research(request: HttpRequest, slug: str) -> Any:
    return _research(research_for_user(request.user, slug))


@router.post(
    "/research",
    auth=token_auth,
    response={201: ResearchOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a research entry kept by one's organisation (token)",
)
def create_research(request: HttpRequest, payload: ResearchIn) -> Any:
    organization = organization_for_user_edit(request.user, pk=payload.organization_id)
    data, missions = _research_data(payload)
    try:
        project = services.research_create(
            data={**data, "organization": organization}, missions=missions, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _research(project))


@router.put(
    "/research/{slug}",
    auth=token_auth,
    response={200: ResearchOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace a research entry kept by one's organisation (token)",
)
def update_research(request: HttpRequest, slug: str, payload: ResearchIn) -> Any:
    project = research_for_user(request.user, slug, edit=True)
    organization = organization_for_user_edit(request.user, pk=payload.organization_id)
    data, missions = _research_data(payload)
    try:
        services.research_update(
            project=project,
            data={**data, "organization": organization},
            missions=missions,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _research(ResearchProject.objects.prefetch_related("missions").get(pk=project.pk))
