"""Reads of the services module: the one search across the catalogues (services, courses and
events, routes, stays), its calendar, map and ICS feed, and the dashboard of offer and gaps.

Every read is a fixed number of queries whatever the data size: each catalogue is one count
and one aggregate by municipality, and the merged list fetches only the rows of the page shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pes.learning.models import Attendance, Course, Enrolment, Session
from pes.services.models import Route, Service, Stay
from pes.territory.models import District, Municipality

MIN_CELL = 5

WHAT = [
    ("service", gettext_lazy("Services")),
    ("course", gettext_lazy("Courses and events")),
    ("route", gettext_lazy("Routes")),
    ("stay", gettext_lazy("Stays")),
]

AGE_BANDS: list[tuple[int, int, str]] = [
    (0, 2, "0–2"),
    (3, 5, "3–5"),
    (6, 10, "6–10"),
    (11, 13, "11–13"),
    (14, 17, "14–17"),
    (18, 24, "18–24"),
    (25, 64, "25–64"),
    (65, 120, "65+"),
]


def kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Kinds grouped by catalogue, as ``<catalogue>:<kind>`` values."""
    return [
        (str(_("Services")), [(f"service:{v}", str(lbl)) for v, lbl in Service.Kind.choices]),
        (
            str(_("Courses and events")),
            [(f"course:{v}", str(lbl)) for v, lbl in Course.Kind.choices],
        ),
        (str(_("Routes")), [(f"route:{v}", str(lbl)) for v, lbl in Route.Mode.choices]),
        (str(_("Stays")), [(f"stay:{v}", str(lbl)) for v, lbl in Stay.Kind.choices]),
    ]


@dataclass
class Filters:
    q: str = ""
    what: str = ""
    kind: str = ""
    age: int | None = None
    municipality: Municipality | None = None
    district: District | None = None
    date: dt.date | None = None
    free: bool = False
    accessible: bool = False

    def active(self) -> bool:
        return any(
            [
                self.q,
                self.what,
                self.kind,
                self.age is not None,
                self.municipality,
                self.district,
                self.date,
                self.free,
                self.accessible,
            ]
        )

    def wants(self, catalogue: str) -> bool:
        if self.what and self.what != catalogue:
            return False
        if self.kind and not self.kind.startswith(f"{catalogue}:"):
            return False
        # Routes and stays are for everyone: an age or accessibility filter looks for
        # services and courses (stays say whether they are accessible).
        if catalogue == "route" and (self.age is not None or self.accessible):
            return False
        return not (catalogue == "stay" and self.age is not None)

    @property
    def kind_value(self) -> str:
        return self.kind.split(":", 1)[1] if ":" in self.kind else ""


@dataclass
class Item:
    catalogue: str
    catalogue_label: str
    title: str
    url: str
    provider: str
    place: str
    kind_label: str
    details: list[str] = field(default_factory=list)
    is_free: bool = True
    accessible: bool = False
    when: dt.datetime | dt.date | None = None


def _text(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
    if not q:
        return qs
    return qs.filter(Q(title__icontains=q) | Q(description__icontains=q))


def services_qs(filters: Filters) -> QuerySet[Service]:
    qs = Service.objects.filter(is_published=True)
    qs = _text(qs, filters.q)
    if filters.kind_value:
        qs = qs.filter(kind=filters.kind_value)
    if filters.age is not None:
        qs = qs.filter(min_age__lte=filters.age, max_age__gte=filters.age)
    if filters.municipality:
        ids = Service.other_municipalities.through.objects.filter(
            municipality=filters.municipality
        ).values("service_id")
        qs = qs.filter(Q(municipality=filters.municipality) | Q(pk__in=ids))
    if filters.district:
        ids = Service.other_municipalities.through.objects.filter(
            municipality__district=filters.district
        ).values("service_id")
        qs = qs.filter(Q(municipality__district=filters.district) | Q(pk__in=ids))
    if filters.date:
        qs = qs.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=filters.date),
            Q(ends_on__isnull=True) | Q(ends_on__gte=filters.date),
        )
    if filters.free:
        qs = qs.filter(is_free=True)
    if filters.accessible:
        qs = qs.filter(wheelchair_accessible=True)
    return qs


def courses_qs(filters: Filters) -> QuerySet[Course]:
    qs = Course.objects.filter(is_published=True)
    qs = _text(qs, filters.q)
    if filters.kind_value:
        qs = qs.filter(kind=filters.kind_value)
    if filters.age is not None:
        qs = qs.filter(min_age__lte=filters.age, max_age__gte=filters.age)
    if filters.municipality:
        ids = Session.objects.filter(municipality=filters.municipality).values("course_id")
        qs = qs.filter(Q(municipality=filters.municipality) | Q(pk__in=ids))
    if filters.district:
        ids = Session.objects.filter(municipality__district=filters.district).values("course_id")
        qs = qs.filter(Q(municipality__district=filters.district) | Q(pk__in=ids))
    if filters.date:
        start = timezone.make_aware(dt.datetime.combine(filters.date, dt.time.min))
        ids = Session.objects.filter(
            starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        ).values("course_id")
        qs = qs.filter(pk__in=ids)
    if filters.free:
        qs = qs.filter(is_free=True)
    if filters.accessible:
        qs = qs.filter(wheelchair_accessible=True)
    return qs


def routes_qs(filters: Filters) -> QuerySet[Route]:
    qs = Route.objects.filter(is_published=True)
    qs = _text(qs, filters.q)
    if filters.kind_value:
        qs = qs.filter(mode=filters.kind_value)
    if filters.municipality:
        qs = qs.filter(
            pk__in=Route.objects.filter(stops__municipality=filters.municipality).values("pk")
        )
    if filters.district:
        qs = qs.filter(
            pk__in=Route.objects.filter(stops__municipality__district=filters.district).values("pk")
        )
    return qs


def stays_qs(filters: Filters) -> QuerySet[Stay]:
    qs = Stay.objects.filter(is_published=True)
    qs = _text(qs, filters.q)
    if filters.kind_value:
        qs = qs.filter(kind=filters.kind_value)
    if filters.municipality:
        qs = qs.filter(municipality=filters.municipality)
    if filters.district:
        qs = qs.filter(municipality__district=filters.district)
    if filters.free:
        qs = qs.filter(Q(price_per_night__isnull=True) | Q(price_per_night=0))
    if filters.accessible:
        qs = qs.filter(wheelchair_accessible=True)
    return qs


def _age_label(lo: int, hi: int) -> str:
    if hi >= 120:
        return _("from %(lo)d years") % {"lo": lo}
    return _("%(lo)d–%(hi)d years") % {"lo": lo, "hi": hi}


def _service_item(s: Service) -> Item:
    return Item(
        "service",
        str(_("Service")),
        s.title,
        s.get_absolute_url(),
        s.provider.name,
        s.municipality.name,
        s.get_kind_display(),
        [_age_label(s.min_age, s.max_age), s.schedule],
        s.is_free,
        s.wheelchair_accessible,
        s.starts_on,
    )


def _course_item(c: Course) -> Item:
    return Item(
        "course",
        str(_("Course or event")),
        c.title,
        c.get_absolute_url(),
        c.organizer.name,
        c.municipality.name,
        c.get_kind_display(),
        [c.audience],
        c.is_free,
        c.wheelchair_accessible,
        c.next_session,  # type: ignore[attr-defined]
    )


def _route_item(r: Route) -> Item:
    return Item(
        "route",
        str(_("Route")),
        r.title,
        r.get_absolute_url(),
        r.provider.name,
        _("%(n)d stops") % {"n": r.n_stops},  # type: ignore[attr-defined]
        r.get_mode_display(),
        [f"{r.length_km} km", r.get_difficulty_display()],
    )


def _stay_item(st: Stay) -> Item:
    return Item(
        "stay",
        str(_("Stay")),
        st.title,
        st.get_absolute_url(),
        st.provider.name,
        st.municipality.name,
        st.get_kind_display(),
        [_("%(n)d beds") % {"n": st.beds}],
        not st.price_per_night,
        st.wheelchair_accessible,
    )


class SearchResults(Sequence[Item]):
    """The merged list (services, then courses, routes and stays, each in its own order) as a
    lazy sequence: ``len`` is the sum of four counts, and a slice (a page) fetches only the rows
    it shows, from the one or two catalogues it spans. So a page costs the same whatever the
    number of matches, and every match can be reached by paging."""

    def __init__(self, parts: list[tuple[QuerySet[Any], Callable[[Any], Item]]]) -> None:
        self.parts = [(qs, build, qs.count()) for qs, build in parts]

    def __len__(self) -> int:
        return sum(n for _qs, _build, n in self.parts)

    def count(self, value: Any = None) -> int:  # type: ignore[override]
        # Paginator calls ``count()`` with no argument; Sequence.count(value) counts a value.
        if value is not None:
            return super().count(value)
        return len(self)

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...

    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, int):
            if index < 0:
                index += len(self)
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self[start:stop])[::step]
        out: list[Item] = []
        offset = 0
        for qs, build, n in self.parts:
            lo, hi = max(start - offset, 0), min(stop - offset, n)
            if lo < hi:
                out.extend(build(row) for row in qs[lo:hi])
            offset += n
        return out


def search(*, filters: Filters) -> tuple[SearchResults, int]:
    """The merged list (services and courses first by title, then routes and stays) and the
    total number of matches; rows are fetched only for the slice asked for."""
    parts: list[tuple[QuerySet[Any], Callable[[Any], Item]]] = []
    now = timezone.now()
    if filters.wants("service"):
        parts.append(
            (services_qs(filters).select_related("provider", "municipality"), _service_item)
        )
    if filters.wants("course"):
        courses = courses_qs(filters).select_related("organizer", "municipality")
        next_session = Min("sessions__starts_at", filter=Q(sessions__starts_at__gte=now))
        parts.append((courses.annotate(next_session=next_session), _course_item))
    if filters.wants("route"):
        routes = routes_qs(filters).select_related("provider").annotate(n_stops=Count("stops"))
        parts.append((routes, _route_item))
    if filters.wants("stay"):
        parts.append((stays_qs(filters).select_related("provider", "municipality"), _stay_item))
    results = SearchResults(parts)
    return results, len(results)


def map_points(*, filters: Filters) -> list[tuple[Decimal, Decimal, int, str]]:
    """(latitude, longitude, entries, municipality) of every municipality with an entry;
    routes count at each municipality they stop in."""
    counts: dict[int, int] = defaultdict(int)
    sources: list[QuerySet[Any]] = []
    if filters.wants("service"):
        sources.append(services_qs(filters).values("municipality_id"))
    if filters.wants("course"):
        sources.append(courses_qs(filters).values("municipality_id"))
    if filters.wants("stay"):
        sources.append(stays_qs(filters).values("municipality_id"))
    for qs in sources:
        for row in qs.order_by().annotate(n=Count("id")):
            counts[row["municipality_id"]] += row["n"]
    if filters.wants("route"):
        rows = (
            routes_qs(filters)
            .order_by()
            .values("stops__municipality_id")
            .annotate(n=Count("id", distinct=True))
        )
        for row in rows:
            if row["stops__municipality_id"]:
                counts[row["stops__municipality_id"]] += row["n"]
    municipalities = Municipality.objects.filter(pk__in=counts).order_by("name")
    return [(m.latitude, m.longitude, counts[m.pk], m.name) for m in municipalities]


# ----------------------------------------------------------------------------- calendar


@dataclass
class CalendarEntry:
    starts: dt.datetime | dt.date
    ends: dt.datetime | dt.date | None
    title: str
    url: str
    place: str
    provider: str
    uid: str
    all_day: bool = False


def calendar_entries(
    *, filters: Filters, start: dt.date, end: dt.date, limit: int = 500
) -> list[CalendarEntry]:
    """Dated entries between ``start`` (inclusive) and ``end`` (exclusive): the sessions of
    courses and events, and the first day of services that start on a date."""
    entries: list[CalendarEntry] = []
    if filters.wants("course"):
        lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        hi = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
        sessions = (
            Session.objects.filter(
                course__in=courses_qs(filters), starts_at__gte=lo, starts_at__lt=hi
            )
            .select_related("course__organizer", "municipality")
            .order_by("starts_at", "id")[:limit]
        )
        for s in sessions:
            entries.append(
                CalendarEntry(
                    s.starts_at,
                    s.ends_at,
                    s.course.title + (f" — {s.title}" if s.title else ""),
                    s.course.get_absolute_url(),
                    f"{s.place}, {s.municipality.name}",
                    s.course.organizer.name,
                    f"session-{s.pk}",
                )
            )
    if filters.wants("service"):
        services = (
            services_qs(filters)
            .filter(starts_on__gte=start, starts_on__lt=end)
            .select_related("provider", "municipality")
            .order_by("starts_on", "id")[:limit]
        )
        for sv in services:
            entries.append(
                CalendarEntry(
                    sv.starts_on or start,
                    None,
                    _("Starts: %(title)s") % {"title": sv.title},
                    sv.get_absolute_url(),
                    sv.municipality.name,
                    sv.provider.name,
                    f"service-{sv.pk}",
                    all_day=True,
                )
            )

    def key(e: CalendarEntry) -> dt.datetime:
        if isinstance(e.starts, dt.datetime):
            return timezone.localtime(e.starts).replace(tzinfo=None)
        return dt.datetime.combine(e.starts, dt.time.min)

    return sorted(entries, key=key)


# ----------------------------------------------------------------------------- dashboard


def _suppress(n: int) -> int | None:
    return n if n >= MIN_CELL else None


def dashboard() -> dict[str, Any]:
    districts = list(District.objects.order_by("name"))
    # (service, district) pairs from the main place and the other places, counted once.
    rows = Service.objects.filter(is_published=True).values_list(
        "pk", "municipality__district_id", "kind", "min_age", "max_age"
    )
    other = (
        Service.other_municipalities.through.objects.filter(service__is_published=True)
        .values_list(
            "service_id",
            "municipality__district_id",
            "service__kind",
            "service__min_age",
            "service__max_age",
        )
        .order_by()
    )
    seen: set[tuple[int, int]] = set()
    by_kind: dict[tuple[int, str], int] = defaultdict(int)
    by_band: dict[tuple[int, int], int] = defaultdict(int)
    for pk, district_id, kind, lo, hi in [*rows, *other]:
        if (pk, district_id) in seen:
            continue
        seen.add((pk, district_id))
        by_kind[(district_id, kind)] += 1
        for i, (blo, bhi, _label) in enumerate(AGE_BANDS):
            if lo <= bhi and hi >= blo:
                by_band[(district_id, i)] += 1
    kinds = list(Service.Kind.choices)
    offer = [
        {
            "district": d,
            "cells": [by_kind[(d.pk, k)] for k, _l in kinds],
            "total": sum(by_kind[(d.pk, k)] for k, _l in kinds),
        }
        for d in districts
    ]
    gaps = [
        {"district": d, "cells": [by_band[(d.pk, i)] for i in range(len(AGE_BANDS))]}
        for d in districts
    ]
    gap_list = [
        (d.name, label)
        for d in districts
        for i, (_lo, _hi, label) in enumerate(AGE_BANDS)
        if by_band[(d.pk, i)] == 0
    ]

    enrol_rows = (
        Enrolment.objects.values("course__kind", "status").order_by().annotate(n=Count("id"))
    )
    enrol: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in enrol_rows:
        enrol[row["course__kind"]][row["status"]] += row["n"]
    attend_rows = (
        Attendance.objects.values("session__course__kind")
        .order_by()
        .annotate(total=Count("id"), present=Count("id", filter=Q(present=True)))
    )
    attend = {r["session__course__kind"]: r for r in attend_rows}
    by_affiliation = dict(
        Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED)
        .values_list("affiliation")
        .order_by()
        .annotate(n=Count("id"))
    )
    learning = []
    for value, label in Course.Kind.choices:
        a = attend.get(value)
        learning.append(
            {
                "label": label,
                "confirmed": _suppress(enrol[value]["confirmed"]),
                "waiting": _suppress(enrol[value]["waiting"]),
                "attendance": round(a["present"] * 100 / a["total"])
                if a and a["total"] >= MIN_CELL
                else None,
            }
        )
    return {
        "kinds": [label for _v, label in kinds],
        "bands": [label for _lo, _hi, label in AGE_BANDS],
        "offer": offer,
        "gaps": gaps,
        "gap_list": gap_list,
        "learning": learning,
        "affiliations": [
            (label, _suppress(by_affiliation.get(value, 0)))
            for value, label in Enrolment.Affiliation.choices
        ],
        "services": Service.objects.filter(is_published=True).count(),
        "courses": Course.objects.filter(is_published=True).count(),
        "routes": Route.objects.filter(is_published=True).count(),
        "stays": Stay.objects.filter(is_published=True).count(),
    }
