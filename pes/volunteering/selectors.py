"""Reads of the volunteering module: search, map, matching, a volunteer's record, aggregates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from pes.lib.text import words
from pes.territory.models import Municipality
from pes.volunteering import services
from pes.volunteering.matching import Match, Offer, Profile, match
from pes.volunteering.models import (
    AgeBracket,
    Booking,
    Opportunity,
    Shift,
    Volunteer,
)

# Aggregates shown to the public never identify a person: a cell with fewer people is hidden.
MIN_CELL = 5


@dataclass(frozen=True)
class OpportunityFilters:
    q: str = ""
    activity: str = ""
    municipality: str = ""
    district: str = ""
    skill: str = ""
    kind: str = ""
    accessible: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    with_places: bool = False

    def active(self) -> bool:
        return any(
            [
                self.q,
                self.activity,
                self.municipality,
                self.district,
                self.skill,
                self.kind,
                self.accessible,
                self.date_from,
                self.date_to,
                self.with_places,
            ]
        )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _matching_shifts(filters: OpportunityFilters, now: dt.datetime) -> QuerySet[Shift] | None:
    """The upcoming open shifts a date or free-places filter asks for, correlated to the outer
    opportunity; ``None`` without such filters. Dates are local days, compared as moments so
    that the shifts' index serves them."""
    if not (filters.date_from or filters.date_to or filters.with_places):
        return None
    shifts = Shift.objects.filter(
        opportunity=OuterRef("pk"), status=Shift.Status.OPEN, starts_at__gt=now
    )
    today = timezone.localdate(now)
    if filters.date_from and filters.date_from > today:
        shifts = shifts.filter(starts_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        if filters.date_to < today:
            return shifts.none()  # an upcoming shift starts today or later
        if filters.date_to < dt.date.max:
            shifts = shifts.filter(starts_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.with_places:
        shifts = shifts.filter(booked__lt=F("capacity"))
    return shifts


def _opportunities(
    filters: OpportunityFilters, now: dt.datetime
) -> tuple[QuerySet[Opportunity], QuerySet[Shift] | None]:
    """The published opportunities the filters select (with a matching shift, when a date or
    free-places filter is given), and those matching shifts."""
    qs = Opportunity.objects.filter(is_published=True)
    if filters.activity:
        qs = qs.filter(activity__letter=filters.activity)
    if filters.municipality:
        qs = qs.filter(municipality__istat_code=filters.municipality)
    if filters.district:
        qs = qs.filter(municipality__district__slug=filters.district)
    if filters.skill:
        qs = qs.filter(skills__code=filters.skill)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.accessible:
        qs = qs.filter(wheelchair_accessible=True)
    for term in words(filters.q):
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(organization__name__icontains=term)
        )
    shifts = _matching_shifts(filters, now)
    if shifts is not None:
        qs = qs.filter(Exists(shifts))
    return qs, shifts


def opportunity_list(*, filters: OpportunityFilters) -> QuerySet[Opportunity]:
    """Published opportunities, the next shift first (those without one last), then by title.
    Each carries ``next_shift`` and ``upcoming``: the start and number of its upcoming open
    shifts, those matching the date and free-places filters when given.

    Without those filters both are the stored ``next_shift_at`` and ``upcoming_shifts`` (the
    rows whose next shift has started are refreshed first) and the list walks the index of
    its order; with them they are computed from the matching shifts."""
    now = timezone.now()
    qs, shifts = _opportunities(filters, now)
    qs = qs.select_related("organization", "activity", "municipality")
    if shifts is None:
        services.upcoming_shifts_refresh_passed(now=now)
        qs = qs.annotate(next_shift=F("next_shift_at"), upcoming=F("upcoming_shifts"))
        order = F("next_shift_at")
    else:
        qs = qs.annotate(
            next_shift=Subquery(shifts.order_by("starts_at").values("starts_at")[:1]),
            upcoming=Subquery(
                shifts.order_by().values("opportunity").annotate(n=Count("pk")).values("n")
            ),
        )
        order = F("next_shift")
    return qs.order_by(order.asc(nulls_last=True), "title", "id")


def opportunity_map_points(
    *, filters: OpportunityFilters
) -> list[tuple[Decimal, Decimal, int, str]]:
    """(latitude, longitude, count, name) per municipality with matching opportunities."""
    ids, _shifts = _opportunities(filters, timezone.now())
    rows = (
        Opportunity.objects.filter(pk__in=ids.values("id"))
        .values("municipality__name", "municipality__latitude", "municipality__longitude")
        .annotate(n=Count("id"))
        .order_by("municipality__name")
    )
    return [
        (
            r["municipality__latitude"],
            r["municipality__longitude"],
            r["n"],
            r["municipality__name"],
        )
        for r in rows
    ]


def opportunity_shifts(*, opportunity: Opportunity, upcoming_only: bool = True) -> list[Shift]:
    qs = Shift.objects.filter(opportunity=opportunity).select_related("municipality")
    if upcoming_only:
        qs = qs.filter(starts_at__gt=timezone.now())
    return list(qs.order_by("starts_at", "id")[:100])


def shift_bookings(*, shift: Shift) -> list[Booking]:
    return list(
        Booking.objects.filter(shift=shift)
        .select_related("volunteer__user", "group")
        .order_by("status", "created_at", "id")
    )


def volunteer_bookings(*, volunteer: Volunteer) -> list[Booking]:
    return list(
        Booking.objects.filter(volunteer=volunteer)
        .select_related("shift__opportunity__organization", "shift__municipality")
        .order_by("-shift__starts_at", "-id")[:200]
    )


def volunteer_hours_by_organization(*, volunteer: Volunteer) -> list[dict[str, Any]]:
    return list(
        Booking.objects.filter(volunteer=volunteer, verified_at__isnull=False)
        .values("shift__opportunity__organization_id", "shift__opportunity__organization__name")
        .annotate(hours=Sum("hours"), shifts=Count("id"))
        .order_by("shift__opportunity__organization__name")
    )


def group_bookings(*, group: Any) -> list[Booking]:
    return list(
        Booking.objects.filter(group=group)
        .select_related("shift__opportunity__organization")
        .order_by("-shift__starts_at", "-id")
    )


def bookable_shifts(*, limit: int = 200) -> list[Shift]:
    return list(
        Shift.objects.filter(
            status=Shift.Status.OPEN,
            starts_at__gt=timezone.now(),
            opportunity__is_published=True,
            booked__lt=F("capacity"),
        )
        .select_related("opportunity", "municipality")
        .order_by("starts_at", "id")[:limit]
    )


# ----------------------------------------------------------------------------- matching


def _profile(volunteer: Volunteer) -> Profile:
    return Profile(
        municipality_id=volunteer.municipality_id,
        latitude=volunteer.municipality.latitude,
        longitude=volunteer.municipality.longitude,
        max_distance_km=volunteer.max_distance_km,
        interests=frozenset(volunteer.interests.values_list("id", flat=True)),
        skills=frozenset(volunteer.skills.values_list("id", flat=True)),
        days=frozenset(int(d) for d in volunteer.available_days or []),
        slots=frozenset(volunteer.time_slots or []),
    )


# Matching looks at the next shifts only: enough to recommend, constant in the data size.
CANDIDATE_SHIFTS = 500
CANDIDATE_VOLUNTEERS = 2000


def recommended_shifts(*, volunteer: Volunteer, limit: int = 10) -> list[tuple[Shift, Match]]:
    """Upcoming shifts with room, best first, each with the reasons of its score."""
    profile = _profile(volunteer)
    shifts = list(
        Shift.objects.filter(
            status=Shift.Status.OPEN,
            starts_at__gt=timezone.now(),
            opportunity__is_published=True,
            opportunity__min_age__lte=volunteer.min_age,
            booked__lt=F("capacity"),
        )
        .exclude(bookings__volunteer=volunteer, bookings__status__in=["confirmed", "waiting"])
        .select_related("opportunity__organization", "municipality")
        .order_by("starts_at", "id")[:CANDIDATE_SHIFTS]
    )
    skill_rows = Opportunity.skills.through.objects.filter(
        opportunity_id__in={s.opportunity_id for s in shifts}
    ).values_list("opportunity_id", "skill_id", "skill__label")
    skills: dict[int, set[int]] = {}
    labels: dict[int, str] = {}
    for opp_id, skill_id, label in skill_rows:
        skills.setdefault(opp_id, set()).add(skill_id)
        labels[skill_id] = label
    scored = []
    for shift in shifts:
        found = match(
            profile,
            Offer(
                municipality_id=shift.municipality_id,
                latitude=shift.municipality.latitude,
                longitude=shift.municipality.longitude,
                activity_id=shift.opportunity.activity_id,
                skills=frozenset(skills.get(shift.opportunity_id, set())),
                skill_labels=labels,
                starts_at=shift.starts_at,
            ),
        )
        if found is not None:
            scored.append((shift, found))
    scored.sort(key=lambda pair: (-pair[1].score, pair[1].distance_km, pair[0].starts_at))
    return scored[:limit]


def suggested_volunteers(
    *, opportunity: Opportunity, limit: int = 20
) -> list[tuple[Volunteer, Match]]:
    """Volunteers to invite: those with the interest or a wanted skill, within their distance."""
    wanted = set(opportunity.skills.values_list("id", flat=True))
    labels = dict(opportunity.skills.values_list("id", "label"))
    candidates = list(
        Volunteer.objects.filter(Q(interests=opportunity.activity_id) | Q(skills__in=wanted))
        .exclude(user__is_active=False)
        .select_related("user", "municipality")
        .distinct()
        .order_by("id")[:CANDIDATE_VOLUNTEERS]
    )
    ids = [v.pk for v in candidates]
    interests: dict[int, set[int]] = {}
    for vid, aid in Volunteer.interests.through.objects.filter(volunteer_id__in=ids).values_list(
        "volunteer_id", "activity_id"
    ):
        interests.setdefault(vid, set()).add(aid)
    skills: dict[int, set[int]] = {}
    for vid, sid in Volunteer.skills.through.objects.filter(volunteer_id__in=ids).values_list(
        "volunteer_id", "skill_id"
    ):
        skills.setdefault(vid, set()).add(sid)
    offer = Offer(
        municipality_id=opportunity.municipality_id,
        latitude=opportunity.municipality.latitude,
        longitude=opportunity.municipality.longitude,
        activity_id=opportunity.activity_id,
        skills=frozenset(wanted),
        skill_labels=labels,
    )
    scored = []
    for v in candidates:
        if v.min_age < opportunity.min_age:
            continue
        profile = Profile(
            municipality_id=v.municipality_id,
            latitude=v.municipality.latitude,
            longitude=v.municipality.longitude,
            max_distance_km=v.max_distance_km,
            interests=frozenset(interests.get(v.pk, set())),
            skills=frozenset(skills.get(v.pk, set())),
            days=frozenset(),
            slots=frozenset(),
        )
        found = match(profile, offer)
        if found is not None:
            scored.append((v, found))
    scored.sort(key=lambda pair: (-pair[1].score, pair[1].distance_km, pair[0].pk))
    return scored[:limit]


# ----------------------------------------------------------------------------- dashboard


def _suppress(rows: list[dict[str, Any]], *, people: str = "people") -> list[dict[str, Any]]:
    """Rows with fewer than ``MIN_CELL`` people are hidden (their hours too)."""
    return [r for r in rows if (r.get(people) or 0) >= MIN_CELL]


@dataclass
class Dashboard:
    active_volunteers: int | None
    volunteers: int | None
    organizations: int
    opportunities: int
    verified_hours: Decimal
    fill_rate: float | None
    returning_rate: float | None
    by_activity: list[dict[str, Any]]
    by_municipality: list[dict[str, Any]]
    by_age: list[dict[str, Any]]
    hidden_cells: int


def _or_hidden(n: int) -> int | None:
    return n if n >= MIN_CELL else None


def dashboard(*, today: dt.date | None = None) -> Dashboard:
    """Aggregates only; every count of people under ``MIN_CELL`` is hidden."""
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    verified = Booking.objects.filter(verified_at__isnull=False)
    active = (
        Booking.objects.filter(
            volunteer__isnull=False,
            status=Booking.Status.CONFIRMED,
            shift__starts_at__gte=year_ago,
        )
        .values("volunteer_id")
        .distinct()
        .count()
    )
    total_hours = verified.aggregate(
        h=Sum(
            ExpressionWrapper(
                F("hours") * F("seats"), output_field=DecimalField(max_digits=12, decimal_places=2)
            )
        )
    )["h"]
    by_activity = list(
        verified.filter(volunteer__isnull=False)
        .values(
            label=F("shift__opportunity__activity__label"),
            letter=F("shift__opportunity__activity__letter"),
        )
        .annotate(people=Count("volunteer_id", distinct=True), hours=Sum("hours"))
        .order_by("letter")
    )
    by_municipality = list(
        verified.filter(volunteer__isnull=False)
        .values(label=F("shift__municipality__name"))
        .annotate(people=Count("volunteer_id", distinct=True), hours=Sum("hours"))
        .order_by("label")
    )
    age_labels = dict(AgeBracket.choices)
    by_age = [
        {**row, "label": age_labels.get(row["bracket"], row["bracket"])}
        for row in verified.filter(volunteer__isnull=False)
        .values(bracket=F("volunteer__age_bracket"))
        .annotate(people=Count("volunteer_id", distinct=True), hours=Sum("hours"))
        .order_by("bracket")
    ]
    past = Shift.objects.filter(status=Shift.Status.OPEN, starts_at__lte=now).aggregate(
        booked=Sum("booked"), capacity=Sum("capacity")
    )
    fill_rate = (past["booked"] or 0) / past["capacity"] if past["capacity"] else None
    attended = (
        Booking.objects.filter(volunteer__isnull=False, attendance=Booking.Attendance.PRESENT)
        .values("volunteer_id")
        .annotate(n=Count("id"))
    )
    first_timers = attended.count()
    returning = attended.filter(n__gte=2).count()
    # A share of fewer than MIN_CELL people (but not none) could point at someone: hidden.
    hide = first_timers < MIN_CELL or 0 < returning < MIN_CELL
    returning_rate = None if hide else returning / first_timers
    tables = [by_activity, by_municipality, by_age]
    hidden = sum(1 for t in tables for r in t if r["people"] < MIN_CELL)
    return Dashboard(
        active_volunteers=_or_hidden(active),
        volunteers=_or_hidden(Volunteer.objects.count()),
        organizations=Opportunity.objects.filter(is_published=True)
        .values("organization_id")
        .distinct()
        .count(),
        opportunities=Opportunity.objects.filter(is_published=True).count(),
        verified_hours=total_hours or Decimal(0),
        fill_rate=fill_rate,
        returning_rate=returning_rate,
        by_activity=_suppress(by_activity),
        by_municipality=_suppress(by_municipality),
        by_age=_suppress(by_age),
        hidden_cells=hidden,
    )


def municipalities_for_map() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name")
