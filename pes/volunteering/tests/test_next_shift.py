"""The stored next shift of an opportunity (``next_shift_at``, ``upcoming_shifts``): kept
correct on every write, refreshed once it has started, and the public list ordered by it
exactly as the aggregate over every shift ordered it."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from typing import Any
from unittest import mock

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.lib.text import words
from pes.test import BaseTestCase
from pes.volunteering import selectors, services
from pes.volunteering.models import Opportunity, Shift
from pes.volunteering.selectors import OpportunityFilters
from pes.volunteering.tests.factories import (
    OpportunityFactory,
    ShiftFactory,
    VolunteerFactory,
    municipality,
    next_week,
    skill,
)


def computed(opportunity: Opportunity) -> tuple[dt.datetime | None, int]:
    """What the stored values must be, from the shifts as they are now."""
    upcoming = Shift.objects.filter(
        opportunity=opportunity, status=Shift.Status.OPEN, starts_at__gt=timezone.now()
    )
    found = upcoming.aggregate(first=Min("starts_at"), n=Count("id"))
    return found["first"], found["n"]


def stored(opportunity: Opportunity) -> tuple[dt.datetime | None, int]:
    row = Opportunity.objects.values_list("next_shift_at", "upcoming_shifts").get(pk=opportunity.pk)
    return row[0], row[1]


def old_opportunity_list(filters: OpportunityFilters) -> QuerySet[Opportunity]:
    """The list as it was computed before the stored values: an aggregate over every shift
    of every published opportunity (kept here to compare the two)."""
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
    shift_q = Q(shifts__status=Shift.Status.OPEN, shifts__starts_at__gt=timezone.now())
    if filters.date_from:
        shift_q &= Q(shifts__starts_at__date__gte=filters.date_from)
    if filters.date_to:
        shift_q &= Q(shifts__starts_at__date__lte=filters.date_to)
    if filters.with_places:
        shift_q &= Q(shifts__booked__lt=F("shifts__capacity"))
    qs = qs.annotate(
        next_shift=Min("shifts__starts_at", filter=shift_q),
        upcoming=Count("shifts", filter=shift_q),
    )
    if filters.date_from or filters.date_to or filters.with_places:
        qs = qs.filter(upcoming__gt=0)
    return qs.order_by(F("next_shift").asc(nulls_last=True), "title", "id")


def rows(qs: QuerySet[Opportunity]) -> list[tuple[int, Any, int]]:
    return [(o.pk, o.next_shift, o.upcoming) for o in qs]  # type: ignore[attr-defined]


class StoredNextShiftWriteTests(BaseTestCase):
    def setUp(self) -> None:
        self.opportunity = OpportunityFactory(organization=self.org)

    def assertStoredIsComputed(self, *opportunities: Opportunity) -> None:
        for opportunity in opportunities or (self.opportunity,):
            self.assertEqual(stored(opportunity), computed(opportunity), opportunity)

    def test_a_new_opportunity_has_no_next_shift(self):
        self.assertEqual(stored(self.opportunity), (None, 0))

    def test_the_service_and_model_saves_of_new_shifts_move_the_next_shift(self):
        later = next_week(days=10)
        services.shift_create(
            opportunity=self.opportunity,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
            place="Via Libia 3",
            capacity=4,
        )
        self.assertEqual(stored(self.opportunity), (later, 1))
        sooner = ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=2))
        self.assertEqual(stored(self.opportunity), (sooner.starts_at, 2))
        ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=20))
        self.assertEqual(stored(self.opportunity), (sooner.starts_at, 3))
        self.assertStoredIsComputed()

    def test_the_api_adds_a_shift_and_the_list_shows_it(self):
        starts = next_week(hour=15, days=3)
        response = self.client_for(self.member).post(
            f"/api/v1/volunteering/opportunities/{self.opportunity.slug}/shifts",
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
                "place": "Piazza Maggiore",
                "capacity": 3,
            },
            content_type="application/json",
            **self.api_headers(self.member),
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(stored(self.opportunity), (starts, 1))
        listed = self.client_for(None).get("/api/v1/volunteering/opportunities").json()
        mine = next(o for o in listed["results"] if o["id"] == self.opportunity.pk)
        self.assertEqual(dt.datetime.fromisoformat(mine["next_shift"]), starts)

    def test_cancelling_the_next_shift_moves_to_the_following_one_and_then_to_none(self):
        first = ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=1))
        second = ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=4))
        services.shift_cancel(shift=first, reason="Pioggia")
        self.assertEqual(stored(self.opportunity), (second.starts_at, 1))
        services.shift_cancel(shift=second, reason="Pioggia")
        self.assertEqual(stored(self.opportunity), (None, 0))

    def test_editing_moving_and_deleting_shifts_by_model_writes(self):
        other: Opportunity = OpportunityFactory.create(organization=self.org)
        first: Shift = ShiftFactory.create(
            opportunity=self.opportunity, starts_at=next_week(days=1)
        )
        second: Shift = ShiftFactory.create(
            opportunity=self.opportunity, starts_at=next_week(days=4)
        )
        first.starts_at, first.ends_at = next_week(days=6), next_week(days=6, hour=12)
        first.save()
        self.assertEqual(stored(self.opportunity), (second.starts_at, 2))
        second.opportunity = other
        second.save()
        self.assertEqual(stored(self.opportunity), (first.starts_at, 1))
        self.assertEqual(stored(other), (second.starts_at, 1))
        first.status = Shift.Status.CANCELLED
        first.save(update_fields=["status"])
        self.assertEqual(stored(self.opportunity), (None, 0))
        second.delete()
        self.assertEqual(stored(other), (None, 0))
        ShiftFactory(opportunity=other)
        Shift.objects.filter(opportunity=other).delete()
        self.assertEqual(stored(other), (None, 0))
        ShiftFactory(opportunity=other)
        other.delete()  # its shifts go with it
        self.assertFalse(Opportunity.objects.filter(pk=other.pk).exists())

    def test_the_admin_writes_keep_it(self):
        shift = ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=3))
        ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=8))
        admin = self.client_for(self.admin)
        moved = next_week(hour=10, days=12)
        local = timezone.localtime(moved)
        response = admin.post(
            f"/admin/volunteering/shift/{shift.pk}/change/",
            {
                "opportunity": self.opportunity.pk,
                "starts_at_0": local.date().isoformat(),
                "starts_at_1": "10:00:00",
                "ends_at_0": local.date().isoformat(),
                "ends_at_1": "12:00:00",
                "place": shift.place,
                "municipality": shift.municipality_id,
                "capacity": 5,
                "status": "open",
                "cancel_reason": "",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        shift.refresh_from_db()
        self.assertEqual(shift.starts_at, moved)
        self.assertStoredIsComputed()
        self.assertEqual(stored(self.opportunity), (next_week(days=8), 2))
        response = admin.post(f"/admin/volunteering/shift/{shift.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(stored(self.opportunity), (next_week(days=8), 1))

    def test_bookings_do_not_change_it_and_the_free_places_filter_still_applies(self):
        shift = ShiftFactory(opportunity=self.opportunity, capacity=1)
        with self.captureOnCommitCallbacks(execute=True):
            services.shift_book(shift=shift, volunteer=VolunteerFactory())
        self.assertEqual(stored(self.opportunity), (shift.starts_at, 1))
        default = selectors.opportunity_list(filters=OpportunityFilters())
        self.assertIn(self.opportunity, default)
        free = selectors.opportunity_list(filters=OpportunityFilters(with_places=True))
        self.assertNotIn(self.opportunity, free)

    def test_the_demo_data_is_stored_right(self):
        from pes.volunteering.demo import seed_volunteering

        seed_volunteering(volunteers=30, seed=7)
        demo = list(Opportunity.objects.filter(slug__startswith="demo-volontariato-"))
        self.assertTrue(demo)
        self.assertTrue(any(stored(o)[0] is not None for o in demo))
        self.assertStoredIsComputed(*demo)

    def test_the_command_and_the_data_migration_rebuild_every_row(self):
        ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=2))
        ShiftFactory(opportunity=self.opportunity, starts_at=next_week(days=5))
        empty = OpportunityFactory(organization=self.org)
        wrong = {"next_shift_at": timezone.now() + dt.timedelta(days=99), "upcoming_shifts": 9}
        Opportunity.objects.update(**wrong)
        out = io.StringIO()
        call_command("refresh_upcoming_shifts", stdout=out)
        self.assertIn("Opportunities refreshed: 2.", out.getvalue())
        self.assertStoredIsComputed(self.opportunity, empty)
        self.assertEqual(stored(empty), (None, 0))
        Opportunity.objects.update(**wrong)
        migration = importlib.import_module("pes.volunteering.migrations.0004_backfill_next_shift")
        migration.backfill(apps, None)
        self.assertStoredIsComputed(self.opportunity, empty)


class PassedShiftTests(BaseTestCase):
    def test_a_next_shift_that_has_started_is_refreshed_before_the_list(self):
        now = timezone.now()
        soon = OpportunityFactory(organization=self.org, title="Zz turno imminente")
        first = ShiftFactory(opportunity=soon, starts_at=now + dt.timedelta(hours=1))
        then = ShiftFactory(opportunity=soon, starts_at=now + dt.timedelta(days=3))
        middle = OpportunityFactory(organization=self.org, title="Aa turno tra due giorni")
        middle_shift = ShiftFactory(opportunity=middle, starts_at=now + dt.timedelta(days=2))
        alone = OpportunityFactory(organization=self.org, title="Mm turno unico")
        only = ShiftFactory(opportunity=alone, starts_at=now + dt.timedelta(hours=2))
        before = selectors.opportunity_list(filters=OpportunityFilters())
        self.assertEqual([o.pk for o in before], [soon.pk, alone.pk, middle.pk])
        self.assertEqual(stored(soon), (first.starts_at, 2))

        later = now + dt.timedelta(hours=3)  # the first shifts of soon and alone have started
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(services.upcoming_shifts_refresh_passed(), 2)
            self.assertEqual(services.upcoming_shifts_refresh_passed(), 0)
        # As they were before that refresh: the list itself must refresh them.
        Opportunity.objects.filter(pk=soon.pk).update(
            next_shift_at=first.starts_at, upcoming_shifts=2
        )
        Opportunity.objects.filter(pk=alone.pk).update(
            next_shift_at=only.starts_at, upcoming_shifts=1
        )
        with mock.patch("django.utils.timezone.now", return_value=later):
            listed = list(selectors.opportunity_list(filters=OpportunityFilters()))
            self.assertEqual([o.pk for o in listed], [middle.pk, soon.pk, alone.pk])
            self.assertEqual(
                rows(selectors.opportunity_list(filters=OpportunityFilters())),
                rows(old_opportunity_list(OpportunityFilters())),
            )
            self.assertEqual(stored(soon), (then.starts_at, 1))
            self.assertEqual(stored(alone), (None, 0))
            page = self.client_for(None).get("/volontariato/opportunita/")
        shown = [(o.pk, o.next_shift, o.upcoming) for o in page.context["page"].object_list]
        self.assertEqual(
            shown,
            [
                (middle.pk, middle_shift.starts_at, 1),
                (soon.pk, then.starts_at, 1),
                (alone.pk, None, 0),
            ],
        )
        self.assertContains(page, "Nessun turno in programma")  # alone's, in Italian

    def test_the_refresh_leaves_fresh_rows_alone(self):
        fresh = OpportunityFactory(organization=self.org)
        ShiftFactory(opportunity=fresh, starts_at=next_week(days=2))
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(services.upcoming_shifts_refresh_passed(), 0)
        self.assertEqual(len(queries), 1)
        self.assertNotIn("UPDATE", queries[0]["sql"])


class SameOrderAsTheAggregateTests(BaseTestCase):
    """Factory data with every case the order meets: no shift, past, cancelled, full, equal
    starts, equal titles, unpublished; each list (and its filters) equals the old query's."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        imola = municipality("037032")
        first_aid = skill()
        day = next_week(hour=9, days=3)

        def opp(title: str, **kwargs: Any) -> Opportunity:
            return OpportunityFactory.create(organization=cls.org, title=title, **kwargs)

        opp("Senza turni")
        opp("Senza turni")  # same title: id decides
        past = opp("Solo turni passati")
        ShiftFactory(
            opportunity=past,
            starts_at=now - dt.timedelta(days=2),
            ends_at=now - dt.timedelta(days=2) + dt.timedelta(hours=2),
        )
        cancelled = opp("Turno annullato")
        ShiftFactory(opportunity=cancelled, status=Shift.Status.CANCELLED)
        for title in ["Biblioteca", "Archivio", "Archivio"]:  # equal starts
            ShiftFactory(opportunity=opp(title), starts_at=day)
        full = opp("Pieno", municipality=imola)
        ShiftFactory(opportunity=full, starts_at=next_week(days=1), capacity=2, booked=2)
        ShiftFactory(opportunity=full, starts_at=next_week(days=9))
        many = opp("Tanti turni", wheelchair_accessible=True)
        many.skills.add(first_aid)
        for days in (2, 5, 11, 15):
            ShiftFactory(opportunity=many, starts_at=next_week(days=days))
        ShiftFactory(opportunity=many, starts_at=next_week(days=1), status=Shift.Status.CANCELLED)
        hidden = opp("Non pubblicata", is_published=False)
        ShiftFactory(opportunity=hidden, starts_at=next_week(days=1))
        late = opp("Tardi la sera")
        ShiftFactory(opportunity=late, starts_at=next_week(hour=23, days=4))

    def test_every_list_equals_the_aggregate(self):
        today = timezone.localdate()
        cases = [
            OpportunityFilters(),
            OpportunityFilters(municipality="037032"),
            OpportunityFilters(q="turni"),
            OpportunityFilters(accessible=True),
            OpportunityFilters(skill="primo-soccorso"),
            OpportunityFilters(with_places=True),
            OpportunityFilters(date_from=today + dt.timedelta(days=9)),
            OpportunityFilters(date_to=today + dt.timedelta(days=4)),
            OpportunityFilters(
                date_from=today + dt.timedelta(days=4), date_to=today + dt.timedelta(days=12)
            ),
            OpportunityFilters(date_from=today - dt.timedelta(days=30)),
            OpportunityFilters(date_to=today - dt.timedelta(days=1)),
            OpportunityFilters(date_from=dt.date.min, date_to=dt.date.max),
            OpportunityFilters(with_places=True, date_to=today + dt.timedelta(days=3)),
            OpportunityFilters(with_places=True, q="pieno"),
        ]
        for filters in cases:
            with self.subTest(filters=filters):
                new = rows(selectors.opportunity_list(filters=filters))
                self.assertEqual(new, rows(old_opportunity_list(filters)))
                points = selectors.opportunity_map_points(filters=filters)
                self.assertEqual(sum(n for _lat, _lon, n, _name in points), len(new))
        self.assertEqual(len(rows(selectors.opportunity_list(filters=OpportunityFilters()))), 10)

    def test_the_list_page_and_the_api_show_the_same_order(self):
        expected = [pk for pk, _n, _u in rows(old_opportunity_list(OpportunityFilters()))]
        page = self.client_for(None).get("/volontariato/opportunita/")
        self.assertEqual([o.pk for o in page.context["page"].object_list], expected)
        api = self.client_for(None).get("/api/v1/volunteering/opportunities").json()
        self.assertEqual([o["id"] for o in api["results"]], expected)


class ListQueriesTests(BaseTestCase):
    def test_the_list_page_runs_a_fixed_number_of_queries_and_never_aggregates_shifts(self):
        for days in range(1, 4):
            ShiftFactory(starts_at=next_week(days=days))
        client = self.client_for(None)
        client.get("/volontariato/opportunita/")
        with CaptureQueriesContext(connection) as few:
            client.get("/volontariato/opportunita/")
        for days in range(1, 26):
            ShiftFactory(starts_at=next_week(days=days))
        with CaptureQueriesContext(connection) as many:
            client.get("/volontariato/opportunita/")
        # filter choices (activity, municipality, district, skill), the stale check, the
        # count, the map, the page
        self.assertEqual(len(few), 8, [q["sql"] for q in few])
        self.assertEqual(len(many), 8)
        shift_table = Shift._meta.db_table
        self.assertFalse([q["sql"] for q in many if shift_table in q["sql"]])

    def test_the_api_list_runs_a_fixed_number_of_queries(self):
        for days in range(1, 4):
            ShiftFactory(starts_at=next_week(days=days))
        client = self.client_for(None)
        client.get("/api/v1/volunteering/opportunities")
        with CaptureQueriesContext(connection) as queries:
            client.get("/api/v1/volunteering/opportunities")
        # the stale check, the count, the page, the skills
        self.assertEqual(len(queries), 4, [q["sql"] for q in queries])
