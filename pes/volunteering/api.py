"""Volunteering API, mounted at ``/api/v1/volunteering``: opportunities and shifts (public
read, organisation write with a token), the volunteer's own bookings, public aggregates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.registry.access import organization_for_user_edit
from pes.registry.models import Activity
from pes.territory.models import Municipality
from pes.volunteering import selectors, services
from pes.volunteering.access import (
    booking_for_user,
    opportunity_for_user,
    opportunity_for_user_edit,
    shift_for_user,
    volunteer_of,
)
from pes.volunteering.models import Booking, Opportunity, Shift, Skill

router = Router()


class ErrorOut(Schema):
    detail: Any


class FiltersIn(Schema):
    q: str = Field("", max_length=200)
    activity: str = Field("", max_length=1, description="art. 5 CTS letter")
    municipality: str = Field("", description="ISTAT code")
    district: str = Field("", description="district slug")
    skill: str = Field("", description="skill code")
    kind: str = Field("", description="one_off or recurring")
    accessible: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    with_places: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class ShiftOut(Schema):
    id: int
    opportunity_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    municipality_istat: str
    capacity: int
    booked: int
    free: int
    status: str


class OpportunityOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    organization_id: int
    organization: str
    activity: str
    kind: str
    municipality_istat: str
    municipality: str
    skills: list[str]
    wheelchair_accessible: bool
    accessibility: str
    min_age: int
    insurance_note: str
    next_shift: dt.datetime | None = None


class OpportunityPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OpportunityOut]


class OpportunityIn(Schema):
    organization_id: int
    title: str = Field(..., min_length=3, max_length=200)
    description: str = Field(..., min_length=1)
    activity: str = Field(..., max_length=1, description="art. 5 CTS letter")
    kind: str = "one_off"
    municipality: str = Field(..., description="ISTAT code")
    skills: list[str] = Field(default_factory=list, description="skill codes")
    wheelchair_accessible: bool = False
    accessibility: str = ""
    min_age: int = Field(18, ge=14, le=99)
    insurance_note: str = ""
    is_published: bool = True


class ShiftIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = Field(..., min_length=1, max_length=255)
    capacity: int = Field(..., ge=1, le=10_000)
    municipality: str | None = Field(None, description="ISTAT code; the opportunity's if empty")


class BookingOut(Schema):
    id: int
    shift_id: int
    opportunity: str
    starts_at: dt.datetime
    status: str
    attendance: str
    hours: Decimal | None
    verified: bool


class AggregateRow(Schema):
    label: str
    people: int
    hours: Decimal | None


class AggregatesOut(Schema):
    min_cell: int
    active_volunteers: int | None
    organizations: int
    opportunities: int
    verified_hours: Decimal
    fill_rate: float | None
    returning_rate: float | None
    by_activity: list[AggregateRow]
    by_municipality: list[AggregateRow]
    by_age: list[AggregateRow]


def _opportunity(o: Opportunity) -> dict[str, Any]:
    return {
        "id": o.pk,
        "slug": o.slug,
        "title": o.title,
        "description": o.description,
        "organization_id": o.organization_id,
        "organization": o.organization.name,
        "activity": o.activity.letter,
        "kind": o.kind,
        "municipality_istat": o.municipality.istat_code,
        "municipality": o.municipality.name,
        "skills": [s.code for s in o.skills.all()],
        "wheelchair_accessible": o.wheelchair_accessible,
        "accessibility": o.accessibility,
        "min_age": o.min_age,
        "insurance_note": o.insurance_note,
        "next_shift": getattr(o, "next_shift", None),
    }


def _shift(s: Shift) -> dict[str, Any]:
    return {
        "id": s.pk,
        "opportunity_id": s.opportunity_id,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "municipality_istat": s.municipality.istat_code,
        "capacity": s.capacity,
        "booked": s.booked,
        "free": s.free,
        "status": s.status,
    }


def _booking(b: Booking) -> dict[str, Any]:
    return {
        "id": b.pk,
        "shift_id": b.shift_id,
        "opportunity": b.shift.opportunity.title,
        "starts_at": b.shift.starts_at,
        "status": b.status,
        "attendance": b.attendance,
        "hours": b.hours,
        "verified": b.verified_at is not None,
    }


@router.get("/opportunities", response=OpportunityPage, summary="Search opportunities")
def list_opportunities(request: HttpRequest, filters: Query[FiltersIn]) -> dict[str, Any]:
    data = filters.dict()
    page_number, page_size = data.pop("page"), data.pop("page_size")
    qs = selectors.opportunity_list(filters=selectors.OpportunityFilters(**data))
    page = Paginator(qs.prefetch_related("skills"), page_size).get_page(page_number)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_opportunity(o) for o in page.object_list],
    }


@router.get("/opportunities/{slug}", response={200: OpportunityOut, 404: ErrorOut})
def get_opportunity(request: HttpRequest, slug: str) -> Any:
    return _opportunity(opportunity_for_user(request.user, slug))


@router.post(
    "/opportunities",
    auth=token_auth,
    response={201: OpportunityOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish an opportunity for one's organisation (token)",
)
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> Any:
    organization = organization_for_user_edit(request.user, pk=payload.organization_id)
    activity = Activity.objects.filter(letter=payload.activity).first()
    municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
    skills = list(Skill.objects.filter(code__in=payload.skills))
    errors: dict[str, list[str]] = {}
    if activity is None:
        errors["activity"] = ["Unknown activity letter."]
    if municipality is None:
        errors["municipality"] = ["Unknown ISTAT code."]
    if len(skills) != len(set(payload.skills)):
        errors["skills"] = ["Unknown skill codes."]
    if payload.kind not in Opportunity.Kind.values:
        errors["kind"] = [f"One of {Opportunity.Kind.values}."]
    if errors:
        raise field_errors(errors)
    try:
        opportunity = services.opportunity_create(
            data={
                "organization": organization,
                "title": payload.title,
                "description": payload.description,
                "activity": activity,
                "kind": payload.kind,
                "municipality": municipality,
                "wheelchair_accessible": payload.wheelchair_accessible,
                "accessibility": payload.accessibility,
                "min_age": payload.min_age,
                "insurance_note": payload.insurance_note,
                "is_published": payload.is_published,
            },
            skills=skills,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _opportunity(opportunity))


@router.get("/opportunities/{slug}/shifts", response={200: list[ShiftOut], 404: ErrorOut})
def list_shifts(request: HttpRequest, slug: str) -> Any:
    opportunity = opportunity_for_user(request.user, slug)
    return [_shift(s) for s in selectors.opportunity_shifts(opportunity=opportunity)]


@router.post(
    "/opportunities/{slug}/shifts",
    auth=token_auth,
    response={201: ShiftOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a shift to one's opportunity (token)",
)
def create_shift(request: HttpRequest, slug: str, payload: ShiftIn) -> Any:
    opportunity = opportunity_for_user_edit(request.user, slug=slug)
    municipality = None
    if payload.municipality:
        municipality = Municipality.objects.filter(istat_code=payload.municipality).first()
        if municipality is None:
            raise field_errors({"municipality": ["Unknown ISTAT code."]})
    if timezone.is_naive(payload.starts_at) or timezone.is_naive(payload.ends_at):
        raise field_errors({"starts_at": ["Give times with their UTC offset."]})
    try:
        shift = services.shift_create(
            opportunity=opportunity,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            place=payload.place,
            capacity=payload.capacity,
            municipality=municipality,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    shift = Shift.objects.select_related("municipality").get(pk=shift.pk)
    return Status(201, _shift(shift))


@router.get("/shifts/{shift_id}", response={200: ShiftOut, 404: ErrorOut})
def get_shift(request: HttpRequest, shift_id: int) -> Any:
    return _shift(shift_for_user(request.user, shift_id))


@router.get(
    "/me/bookings", auth=token_auth, response={200: list[BookingOut]}, summary="My bookings"
)
def my_bookings(request: HttpRequest) -> Any:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return []
    return [_booking(b) for b in selectors.volunteer_bookings(volunteer=volunteer)]


@router.post(
    "/shifts/{shift_id}/bookings",
    auth=token_auth,
    response={201: BookingOut, 404: ErrorOut, 422: ErrorOut},
    summary="Book a shift for myself (token); full shifts put me on the waiting list",
)
def book_shift(request: HttpRequest, shift_id: int) -> Any:
    shift = shift_for_user(request.user, shift_id)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise field_errors({"__all__": ["Complete your volunteer profile first."]})
    try:
        booking = services.shift_book(shift=shift, volunteer=volunteer, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    booking.shift = shift
    return Status(201, _booking(booking))


@router.delete(
    "/bookings/{booking_id}",
    auth=token_auth,
    response={200: BookingOut, 404: ErrorOut, 422: ErrorOut},
    summary="Cancel my booking (token)",
)
def cancel_booking(request: HttpRequest, booking_id: int) -> Any:
    booking = booking_for_user(request.user, booking_id)
    volunteer = volunteer_of(request.user)
    own_group = booking.group_id and booking.group.manager_id == request.user.pk  # type: ignore[union-attr]
    if not ((volunteer and booking.volunteer_id == volunteer.pk) or own_group):
        raise Http404
    try:
        services.booking_cancel(booking=booking, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _booking(booking)


@router.get("/aggregates", response=AggregatesOut, summary="Public aggregates (no cell under 5)")
def aggregates(request: HttpRequest) -> dict[str, Any]:
    data = selectors.dashboard()

    def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"label": str(r["label"]), "people": r["people"], "hours": r["hours"]} for r in items
        ]

    return {
        "min_cell": selectors.MIN_CELL,
        "active_volunteers": data.active_volunteers,
        "organizations": data.organizations,
        "opportunities": data.opportunities,
        "verified_hours": data.verified_hours,
        "fill_rate": data.fill_rate,
        "returning_rate": data.returning_rate,
        "by_activity": rows(data.by_activity),
        "by_municipality": rows(data.by_municipality),
        "by_age": rows(data.by_age),
    }
