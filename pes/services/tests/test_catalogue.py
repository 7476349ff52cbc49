from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.learning.tests.factories import CourseFactory, SessionFactory, in_days
from pes.services.models import Route, RouteStop, Service, Stay
from pes.services.tests.factories import (
    RouteFactory,
    ServiceFactory,
    StayFactory,
    add_stop,
    municipality,
)
from pes.test import BaseTestCase

IMOLA = "037032"


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class SearchTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.teen = ServiceFactory.create(
            title="Spazio adolescenti Navile", min_age=13, max_age=17, wheelchair_accessible=True
        )
        cls.toddlers = ServiceFactory.create(title="Nido condiviso", min_age=0, max_age=2)
        cls.paid = ServiceFactory.create(
            title="Teatro per ragazzi", is_free=False, cost=Decimal("25.00"), min_age=10
        )
        cls.elsewhere = ServiceFactory.create(
            title="Centro giovani di Imola", municipality=municipality("037032")
        )
        cls.route = RouteFactory.create(title="Ciclovia del Navile")
        add_stop(cls.route, "037006", 1)
        add_stop(cls.route, "037019", 2)
        cls.stay = StayFactory.create(title="Casa del viandante")
        cls.course = CourseFactory.create(title="Amministrazione condivisa per tutti")
        SessionFactory.create(course=cls.course, starts_at=in_days(3), ends_at=in_days(3, 12))

    def test_a_parent_finds_a_service_for_a_14_year_old_in_their_district(self):
        response = self.client.get(
            "/servizi/", {"age": "14", "district": "citta-di-bologna", "what": "service"}
        )
        self.assertContains(response, "Spazio adolescenti Navile")
        self.assertContains(response, "Teatro per ragazzi")
        self.assertNotContains(response, "Nido condiviso")
        self.assertNotContains(response, "Centro giovani di Imola")
        self.assertNotContains(response, "Ciclovia del Navile")

    def test_a_service_offered_in_another_municipality_too_is_found_there(self):
        self.toddlers.other_municipalities.add(municipality("037032"))
        response = self.client.get("/servizi/", {"municipality": "037032", "what": "service"})
        self.assertContains(response, "Nido condiviso")
        self.assertContains(response, "Centro giovani di Imola")
        self.assertNotContains(response, "Spazio adolescenti Navile")

    def test_free_and_accessible_filters_narrow_the_results(self):
        response = self.client.get("/servizi/", {"free": "on", "what": "service"})
        self.assertNotContains(response, "Teatro per ragazzi")
        self.assertContains(response, "Nido condiviso")
        response = self.client.get("/servizi/", {"accessible": "on"})
        self.assertContains(response, "Spazio adolescenti Navile")
        self.assertNotContains(response, "Nido condiviso")
        self.assertNotContains(response, "Ciclovia del Navile")

    def test_the_search_runs_across_services_courses_routes_and_stays(self):
        response = self.client.get("/servizi/", {"q": "Navile"})
        self.assertContains(response, "Spazio adolescenti Navile")
        self.assertContains(response, "Ciclovia del Navile")
        everything = self.client.get("/servizi/")
        for title in ["Casa del viandante", "Amministrazione condivisa per tutti"]:
            self.assertContains(everything, title)
        self.assertContains(everything, "<caption>", count=1)

    def test_a_kind_filter_and_a_date_filter_pick_the_right_entries(self):
        response = self.client.get("/servizi/", {"kind": "route:cycling"})
        self.assertContains(response, "Ciclovia del Navile")
        self.assertNotContains(response, "Nido condiviso")
        day = timezone.localdate() + dt.timedelta(days=3)
        response = self.client.get("/servizi/", {"date": day.isoformat(), "what": "course"})
        self.assertContains(response, "Amministrazione condivisa per tutti")
        response = self.client.get(
            "/servizi/", {"date": (day + dt.timedelta(days=1)).isoformat(), "what": "course"}
        )
        self.assertNotContains(response, "Amministrazione condivisa per tutti")

    def test_bad_filters_show_field_errors_never_a_500(self):
        response = self.client.get(
            "/servizi/", {"age": "-4", "date": "31/31/2026", "district": "atlantide", "kind": "x"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "invalid-feedback", count=4)
        self.assertEqual(self.client.get("/servizi/", {"page": "zzz"}).status_code, 200)

    def test_the_search_page_has_a_map_with_the_same_numbers_in_a_table(self):
        response = self.client.get("/servizi/")
        self.assertContains(response, 'class="pes-chart pes-map"')
        self.assertContains(response, '<th scope="row">Imola</th>', html=False)

    def test_the_search_page_uses_the_same_number_of_queries_for_more_data(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get("/servizi/").status_code, 200)
            return len(ctx.captured_queries)

        small = count()
        for n in range(8):
            ServiceFactory.create(municipality=municipality(["037006", "037032"][n % 2]))
            route = RouteFactory.create()
            add_stop(route, "037006", 1)
            StayFactory.create()
            course = CourseFactory.create()
            SessionFactory.create(course=course)
        # A page reads only the catalogues it spans: with more rows it spans fewer, never more.
        self.assertLessEqual(count(), small)
        self.assertLessEqual(small, 15)
        # Every match can be reached by paging: the pages hold all the matches, none twice.
        response = self.client.get("/servizi/")
        total = response.context["total"]
        seen = []
        for n in response.context["page"].paginator.page_range:
            seen += [i.url for i in self.client.get("/servizi/", {"page": n}).context["page"]]
        self.assertEqual(len(seen), total)
        self.assertEqual(len(set(seen)), total)

    def test_the_calendar_lists_the_sessions_of_the_month_and_filters(self):
        day = in_days(3)
        month = timezone.localtime(day).strftime("%Y-%m")
        response = self.client.get("/servizi/calendario/", {"mese": month})
        self.assertContains(response, "Amministrazione condivisa per tutti")
        response = self.client.get("/servizi/calendario/", {"mese": month, "what": "service"})
        self.assertNotContains(response, "Amministrazione condivisa per tutti")
        self.assertEqual(
            self.client.get("/servizi/calendario/", {"mese": "2026-99"}).status_code, 200
        )

    def test_the_ics_feed_follows_the_filters(self):
        response = self.client.get("/servizi/calendario.ics", {"what": "course"})
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        body = response.content.decode()
        self.assertIn("BEGIN:VEVENT", body)
        self.assertIn("Amministrazione condivisa per tutti", body)
        empty = self.client.get("/servizi/calendario.ics", {"what": "route"}).content.decode()
        self.assertNotIn("BEGIN:VEVENT", empty)

    def test_detail_pages_carry_schema_org_json_ld(self):
        response = self.client.get(self.teen.get_absolute_url())
        self.assertContains(response, '<script type="application/ld+json">')
        self.assertContains(response, '"@type": "Service"')
        self.assertContains(response, '"suggestedMinAge": 13')
        route = self.client.get(self.route.get_absolute_url())
        self.assertContains(route, '"@type": "TouristTrip"')
        self.assertContains(route, "<caption>Stops, in order</caption>", html=False)
        self.assertContains(self.client.get(self.stay.get_absolute_url()), "LodgingBusiness")

    def test_unpublished_entries_are_hidden_from_the_public_but_not_the_provider(self):
        self.teen.is_published = False
        self.teen.save()
        self.assertEqual(self.client.get(self.teen.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get("/servizi/"), "Spazio adolescenti Navile")
        self.teen.provider.memberships.create(user=self.member, role="manager")
        page = self.client_for(self.member).get(self.teen.get_absolute_url())
        self.assertContains(page, "Not published")


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class PublishingTests(BaseTestCase):
    def service_data(self, **extra):
        data = {
            "provider": self.org.pk,
            "title": "Centro per le famiglie",
            "description": "Sostegno alla genitorialità",
            "kind": "parenting",
            "min_age": "0",
            "max_age": "17",
            "family_situations": ["single_parent"],
            "municipality": municipality().pk,
            "schedule": "lunedì 9–12",
            "is_free": "on",
            "how_to_access": "Telefonare",
            "is_published": "on",
        }
        data.update(extra)
        return data

    def test_a_member_publishes_a_service_for_the_organisation(self):
        client = self.client_for(self.member)
        response = client.post("/servizi/servizio/nuovo/", self.service_data())
        service = Service.objects.get()
        self.assertRedirects(response, service.get_absolute_url())
        self.assertEqual(service.provider, self.org)
        self.assertEqual(service.family_situations, ["single_parent"])
        self.assertContains(client.get(service.get_absolute_url()), "single-parent families")

    def test_an_age_range_upside_down_is_refused_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(
            "/servizi/servizio/nuovo/", self.service_data(min_age="15", max_age="12")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The age range is upside down")
        self.assertFalse(Service.objects.exists())

    def test_cost_must_agree_with_free_of_charge(self):
        client = self.client_for(self.member)
        response = client.post("/servizi/servizio/nuovo/", self.service_data(cost="10"))
        self.assertContains(response, "A free service has no cost")
        response = client.post("/servizi/servizio/nuovo/", self.service_data(is_free="", cost=""))
        self.assertContains(response, "Give the cost in euros")
        self.assertFalse(Service.objects.exists())

    def test_a_service_cannot_end_before_it_starts(self):
        response = self.client_for(self.member).post(
            "/servizi/servizio/nuovo/",
            self.service_data(starts_on="2026-09-01", ends_on="2026-06-01"),
        )
        self.assertContains(response, "cannot end before it starts")
        self.assertFalse(Service.objects.exists())

    def test_only_members_of_the_provider_edit_a_service(self):
        service = ServiceFactory.create(provider=self.org)
        url = f"/servizi/servizio/{service.slug}/modifica/"
        self.assertEqual(self.client_for(self.outsider).get(url).status_code, 403)
        self.assertEqual(self.client.get(url).status_code, 302)
        response = self.client_for(self.member).post(url, self.service_data(title="Nuovo nome"))
        self.assertRedirects(response, service.get_absolute_url())
        service.refresh_from_db()
        self.assertEqual(service.title, "Nuovo nome")
        self.assertEqual(self.client_for(self.governance).get(url).status_code, 200)

    def test_a_citizen_without_an_organisation_cannot_publish(self):
        response = self.client_for(self.outsider).get("/servizi/servizio/nuovo/")
        self.assertRedirects(response, "/servizi/")
        response = self.client_for(self.outsider).post(
            "/servizi/servizio/nuovo/", self.service_data()
        )
        self.assertFalse(Service.objects.exists())

    def test_a_member_creates_a_route_and_adds_stops_in_order(self):
        client = self.client_for(self.member)
        response = client.post(
            "/servizi/percorsi/nuovo/",
            {
                "provider": self.org.pk,
                "title": "Ciclovia del Navile",
                "description": "Lungo il canale",
                "mode": "cycling",
                "length_km": "36",
                "difficulty": "easy",
                "is_published": "on",
            },
        )
        route = Route.objects.get()
        self.assertRedirects(response, f"/servizi/percorsi/{route.slug}/tappe/nuova/")
        url = f"/servizi/percorsi/{route.slug}/tappe/nuova/"
        service = ServiceFactory.create()
        client.post(
            url, {"name": "Porta Lame", "municipality": municipality().pk, "services": [service.pk]}
        )
        client.post(
            url,
            {
                "name": "Castel Maggiore",
                "municipality": municipality("037019").pk,
                "latitude": "44.5770",
                "longitude": "11.3600",
            },
        )
        stops = list(route.stops.order_by("position"))
        self.assertEqual(
            [(s.position, s.name) for s in stops], [(1, "Porta Lame"), (2, "Castel Maggiore")]
        )
        page = self.client.get(route.get_absolute_url())
        self.assertContains(page, "Map of the stops of Ciclovia del Navile")
        self.assertContains(page, service.title)

    def test_a_stop_outside_the_area_is_refused_with_a_clear_message(self):
        route = RouteFactory.create(provider=self.org)
        response = self.client_for(self.member).post(
            f"/servizi/percorsi/{route.slug}/tappe/nuova/",
            {
                "name": "Firenze",
                "municipality": municipality().pk,
                "latitude": "43.7696",
                "longitude": "11.2558",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "outside the metropolitan area of Bologna")
        self.assertFalse(RouteStop.objects.exists())
        response = self.client_for(self.member).post(
            f"/servizi/percorsi/{route.slug}/tappe/nuova/",
            {"name": "Metà", "municipality": municipality().pk, "latitude": "44.5"},
        )
        self.assertContains(response, "Give both latitude and longitude")
        self.assertFalse(RouteStop.objects.exists())

    def test_someone_else_cannot_add_stops_to_a_route(self):
        route = RouteFactory.create()
        url = f"/servizi/percorsi/{route.slug}/tappe/nuova/"
        self.assertEqual(self.client_for(self.member).get(url).status_code, 403)

    def test_a_member_publishes_a_stay_along_a_route(self):
        route = RouteFactory.create()
        response = self.client_for(self.member).post(
            "/servizi/soggiorni/nuovo/",
            {
                "provider": self.org.pk,
                "title": "Foresteria della cooperativa",
                "kind": "community_hostel",
                "description": "Letti a castello",
                "municipality": municipality().pk,
                "beds": "0",
                "how_to_book": "Telefonare",
                "routes": [route.pk],
                "is_published": "on",
            },
        )
        self.assertContains(response, "at least one bed")
        self.assertFalse(Stay.objects.exists())
        response = self.client_for(self.member).post(
            "/servizi/soggiorni/nuovo/",
            {
                "provider": self.org.pk,
                "title": "Foresteria della cooperativa",
                "kind": "community_hostel",
                "description": "Letti a castello",
                "municipality": municipality().pk,
                "beds": "8",
                "how_to_book": "Telefonare",
                "routes": [route.pk],
                "is_published": "on",
            },
        )
        stay = Stay.objects.get()
        self.assertRedirects(response, stay.get_absolute_url())
        self.assertContains(
            self.client.get(route.get_absolute_url()), "Foresteria della cooperativa"
        )

    def test_the_route_list_filters_by_mode(self):
        RouteFactory.create(title="A piedi sui colli", mode="walking")
        RouteFactory.create(title="In bici in pianura", mode="cycling")
        response = self.client.get("/servizi/percorsi/", {"modo": "walking"})
        self.assertContains(response, "A piedi sui colli")
        self.assertNotContains(response, "In bici in pianura")


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class DashboardTests(BaseTestCase):
    def test_the_gaps_view_shows_districts_with_no_offer_for_an_age_band(self):
        ServiceFactory.create(min_age=14, max_age=17)  # Bologna only
        ServiceFactory.create(min_age=0, max_age=5, municipality=municipality("037032"))
        response = self.client.get("/servizi/cruscotto/")
        self.assertEqual(response.status_code, 200)
        data = response.context["data"]
        bands = data["bands"]
        teen = bands.index("14–17")
        rows = {row["district"].slug: row["cells"] for row in data["gaps"]}
        self.assertEqual(rows["citta-di-bologna"][teen], 1)
        self.assertEqual(rows["imola"][teen], 0)
        self.assertEqual(rows["imola"][0], 1)
        self.assertIn(("Imola", "14–17"), data["gap_list"])
        self.assertNotIn(("Città di Bologna", "14–17"), data["gap_list"])
        self.assertContains(
            response, "<caption>Services by district and age band</caption>", html=False
        )

    def test_small_enrolment_numbers_are_not_shown(self):
        from pes.learning.models import Enrolment

        course = CourseFactory.create()
        Enrolment.objects.create(
            course=course, user=self.outsider, affiliation="public", status="confirmed"
        )
        response = self.client.get("/servizi/cruscotto/")
        row = next(
            r
            for r in response.context["data"]["learning"]
            if r["label"] == course.get_kind_display()
        )
        self.assertIsNone(row["confirmed"])
