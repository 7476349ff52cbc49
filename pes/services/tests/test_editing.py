from __future__ import annotations

import json
from decimal import Decimal

from django.test import override_settings

from pes.core.models import AuditEntry
from pes.services.models import Route, RouteStop, Stay
from pes.services.tests.factories import RouteFactory, StayFactory, add_stop, municipality
from pes.test import BaseTestCase


def route_form(org_id: int, **extra):
    data = {
        "provider": org_id,
        "title": "Ciclovia del Navile",
        "description": "Lungo il canale, fino alla pianura",
        "mode": "walking",
        "length_km": "41.5",
        "difficulty": "medium",
        "is_published": "on",
    }
    data.update(extra)
    return data


def stay_form(org_id: int, **extra):
    data = {
        "provider": org_id,
        "title": "Foresteria rinnovata",
        "kind": "community_hostel",
        "description": "Letti e cucina comune",
        "municipality": municipality().pk,
        "beds": "10",
        "price_per_night": "25.00",
        "how_to_book": "Scrivere alla cooperativa",
        "is_published": "on",
    }
    data.update(extra)
    return data


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class RouteEditingTests(BaseTestCase):
    def setUp(self) -> None:
        self.route = RouteFactory.create(provider=self.org, title="Ciclovia della pianura")
        self.edit_url = f"/servizi/percorsi/{self.route.slug}/modifica/"
        self.stops_url = f"/servizi/percorsi/{self.route.slug}/tappe/nuova/"

    def names(self) -> list[tuple[int, str]]:
        return [(s.position, s.name) for s in self.route.stops.order_by("position")]

    def test_a_member_edits_title_mode_length_difficulty_and_description(self):
        client = self.client_for(self.member)
        self.assertContains(client.get(self.edit_url), "Ciclovia della pianura")
        response = client.post(self.edit_url, route_form(self.org.pk))
        self.assertRedirects(response, self.route.get_absolute_url())
        self.route.refresh_from_db()
        self.assertEqual(self.route.title, "Ciclovia del Navile")
        self.assertEqual(self.route.mode, "walking")
        self.assertEqual(self.route.length_km, Decimal("41.5"))
        self.assertEqual(self.route.difficulty, "medium")
        self.assertEqual(self.route.description, "Lungo il canale, fino alla pianura")
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(self.route.pk), action="update").exists()
        )

    def test_governance_may_edit_a_route_too(self):
        response = self.client_for(self.governance).post(self.edit_url, route_form(self.org.pk))
        self.assertRedirects(response, self.route.get_absolute_url())

    def test_the_edit_links_are_shown_only_to_those_allowed(self):
        self.assertContains(
            self.client_for(self.member).get(self.route.get_absolute_url()), self.edit_url
        )
        for user in (None, self.outsider):
            page = self.client_for(user).get(self.route.get_absolute_url())
            self.assertNotContains(page, self.edit_url)
            self.assertNotContains(page, self.stops_url)

    def test_others_cannot_edit_a_route(self):
        self.assertEqual(self.client_for(self.outsider).get(self.edit_url).status_code, 403)
        response = self.client_for(self.outsider).post(self.edit_url, route_form(self.org.pk))
        self.assertEqual(response.status_code, 403)
        anonymous = self.client.post(self.edit_url, route_form(self.org.pk))
        self.assertEqual(anonymous.status_code, 302)
        self.route.refresh_from_db()
        self.assertEqual(self.route.title, "Ciclovia della pianura")

    def test_a_bad_length_is_a_field_error_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(
            self.edit_url, route_form(self.org.pk, length_km="0", title="Nuovo titolo")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The length must be more than zero km.")
        self.assertEqual(
            response.context["form"].errors["length_km"], ["The length must be more than zero km."]
        )
        bad_mode = self.client_for(self.member).post(
            self.edit_url, route_form(self.org.pk, mode="teleport")
        )
        self.assertIn("mode", bad_mode.context["form"].errors)
        self.route.refresh_from_db()
        self.assertEqual(self.route.title, "Ciclovia della pianura")
        self.assertEqual(self.route.length_km, Decimal("32.5"))

    def test_stops_are_reordered_and_removed_keeping_positions_in_sequence(self):
        a = add_stop(self.route, "037006", 1)
        b = add_stop(self.route, "037019", 2)
        c = add_stop(self.route, "037032", 3)
        client = self.client_for(self.member)
        page = client.get(self.stops_url)
        self.assertContains(page, "Move up")
        self.assertContains(page, "Remove")
        move = f"/servizi/percorsi/{self.route.slug}/tappe/{c.pk}/sposta/"
        self.assertRedirects(client.post(move, {"direction": "up"}), self.stops_url)
        self.assertEqual(self.names(), [(1, a.name), (2, c.name), (3, b.name)])
        client.post(
            f"/servizi/percorsi/{self.route.slug}/tappe/{a.pk}/sposta/", {"direction": "down"}
        )
        self.assertEqual(self.names(), [(1, c.name), (2, a.name), (3, b.name)])
        # The first stop cannot go further up: nothing changes.
        client.post(move, {"direction": "up"})
        self.assertEqual(self.names(), [(1, c.name), (2, a.name), (3, b.name)])
        remove = f"/servizi/percorsi/{self.route.slug}/tappe/{a.pk}/elimina/"
        self.assertRedirects(client.post(remove), self.stops_url)
        self.assertEqual(self.names(), [(1, c.name), (2, b.name)])
        # A stop added afterwards goes at the end.
        client.post(self.stops_url, {"name": "Porta Lame", "municipality": municipality().pk})
        self.assertEqual(self.names(), [(1, c.name), (2, b.name), (3, "Porta Lame")])

    def test_a_bad_direction_changes_nothing(self):
        a = add_stop(self.route, "037006", 1)
        b = add_stop(self.route, "037019", 2)
        response = self.client_for(self.member).post(
            f"/servizi/percorsi/{self.route.slug}/tappe/{b.pk}/sposta/",
            {"direction": "sideways"},
            follow=True,
        )
        self.assertContains(response, "Move a stop up or down.")
        self.assertEqual(self.names(), [(1, a.name), (2, b.name)])

    def test_a_stop_outside_the_area_stays_refused_on_the_stops_page(self):
        add_stop(self.route, "037006", 1)
        response = self.client_for(self.member).post(
            self.stops_url,
            {
                "name": "Firenze",
                "municipality": municipality().pk,
                "latitude": "43.7696",
                "longitude": "11.2558",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("latitude", response.context["form"].errors)
        self.assertContains(response, "outside the metropolitan area of Bologna")
        self.assertEqual(RouteStop.objects.count(), 1)

    def test_others_cannot_move_or_remove_stops(self):
        stop = add_stop(self.route, "037006", 1)
        add_stop(self.route, "037019", 2)
        outsider = self.client_for(self.outsider)
        base = f"/servizi/percorsi/{self.route.slug}/tappe/{stop.pk}"
        self.assertEqual(outsider.post(f"{base}/sposta/", {"direction": "down"}).status_code, 403)
        self.assertEqual(outsider.post(f"{base}/elimina/").status_code, 403)
        # A stop of another route, through one's own route: not found.
        other = RouteFactory.create()
        foreign = add_stop(other, "037006", 1)
        member = self.client_for(self.member)
        url = f"/servizi/percorsi/{self.route.slug}/tappe/{foreign.pk}/elimina/"
        self.assertEqual(member.post(url).status_code, 404)
        # Only POST.
        self.assertEqual(member.get(f"{base}/elimina/").status_code, 405)
        self.assertEqual(RouteStop.objects.count(), 3)
        self.assertEqual(self.names()[0], (1, stop.name))


@override_settings(LANGUAGE_CODE="en")
class StayEditingTests(BaseTestCase):
    def setUp(self) -> None:
        self.stay = StayFactory.create(provider=self.org, title="Casa del viandante")
        self.edit_url = f"/servizi/soggiorni/{self.stay.slug}/modifica/"

    def test_a_member_edits_a_stay_and_its_routes(self):
        route = RouteFactory.create(provider=self.org)
        client = self.client_for(self.member)
        self.assertContains(client.get(self.stay.get_absolute_url()), self.edit_url)
        response = client.post(self.edit_url, stay_form(self.org.pk, routes=[route.pk]))
        self.assertRedirects(response, self.stay.get_absolute_url())
        self.stay.refresh_from_db()
        self.assertEqual(self.stay.title, "Foresteria rinnovata")
        self.assertEqual(self.stay.beds, 10)
        self.assertEqual(list(self.stay.routes.all()), [route])

    def test_others_cannot_edit_a_stay_nor_see_the_link(self):
        self.assertNotContains(
            self.client_for(self.outsider).get(self.stay.get_absolute_url()), self.edit_url
        )
        self.assertEqual(self.client_for(self.outsider).get(self.edit_url).status_code, 403)
        response = self.client_for(self.outsider).post(self.edit_url, stay_form(self.org.pk))
        self.assertEqual(response.status_code, 403)
        self.stay.refresh_from_db()
        self.assertEqual(self.stay.title, "Casa del viandante")

    def test_a_stay_without_beds_is_a_field_error_and_nothing_is_saved(self):
        response = self.client_for(self.member).post(
            self.edit_url, stay_form(self.org.pk, beds="0")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["beds"], ["A stay has at least one bed."])
        self.stay.refresh_from_db()
        self.assertEqual((self.stay.title, self.stay.beds), ("Casa del viandante", 4))


@override_settings(LANGUAGE_CODE="en")
class EditingApiTests(BaseTestCase):
    def put(self, url, payload, user=None):
        headers = self.api_headers(user or self.member)
        return self.client.put(url, json.dumps(payload), content_type="application/json", **headers)

    def route_payload(self, **extra):
        data = {
            "provider_id": self.org.pk,
            "title": "Via degli Dei",
            "description": "A piedi verso l'Appennino",
            "mode": "walking",
            "length_km": "62.0",
            "difficulty": "hard",
        }
        data.update(extra)
        return data

    def stay_payload(self, **extra):
        data = {
            "provider_id": self.org.pk,
            "title": "Fattoria sociale",
            "kind": "farm",
            "description": "Camere in fattoria",
            "municipality": "037006",
            "beds": 6,
            "how_to_book": "Telefonare",
        }
        data.update(extra)
        return data

    def test_a_provider_replaces_a_route_and_keeps_its_stops(self):
        route = RouteFactory.create(provider=self.org)
        add_stop(route, "037006", 1)
        response = self.put(f"/api/v1/services/routes/{route.slug}", self.route_payload())
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            (body["title"], body["mode"], body["length_km"]), ("Via degli Dei", "walking", "62.0")
        )
        self.assertEqual([s["position"] for s in body["stops"]], [1])
        route.refresh_from_db()
        self.assertEqual(route.difficulty, "hard")

    def test_routes_of_others_are_refused_and_bad_routes_get_field_errors(self):
        other = RouteFactory.create(title="Altrui")
        self.assertEqual(
            self.put(f"/api/v1/services/routes/{other.slug}", self.route_payload()).status_code, 403
        )
        mine = RouteFactory.create(provider=self.org, title="Mio percorso")
        # Moving one's route to an organisation one does not belong to: refused.
        moved = self.put(
            f"/api/v1/services/routes/{mine.slug}",
            self.route_payload(provider_id=other.provider_id),
        )
        self.assertEqual(moved.status_code, 403)
        bad = self.put(
            f"/api/v1/services/routes/{mine.slug}",
            self.route_payload(mode="teleport", difficulty="extreme"),
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual({e["loc"][-1] for e in bad.json()["detail"]}, {"mode", "difficulty"})
        zero = self.put(f"/api/v1/services/routes/{mine.slug}", self.route_payload(length_km="0"))
        self.assertEqual(zero.status_code, 422)
        anonymous = self.client.put(
            f"/api/v1/services/routes/{mine.slug}",
            json.dumps(self.route_payload()),
            content_type="application/json",
        )
        self.assertEqual(anonymous.status_code, 401)
        self.assertEqual(
            sorted(Route.objects.values_list("title", flat=True)), ["Altrui", "Mio percorso"]
        )

    def test_a_provider_replaces_a_stay(self):
        stay = StayFactory.create(provider=self.org)
        route = RouteFactory.create(provider=self.org)
        response = self.put(
            f"/api/v1/services/stays/{stay.slug}", self.stay_payload(routes=[route.slug])
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["routes"], [route.slug])
        stay.refresh_from_db()
        self.assertEqual((stay.title, stay.kind, stay.beds), ("Fattoria sociale", "farm", 6))

    def test_stays_of_others_are_refused_and_bad_stays_get_field_errors(self):
        other = StayFactory.create(title="Altrui")
        self.assertEqual(
            self.put(f"/api/v1/services/stays/{other.slug}", self.stay_payload()).status_code, 403
        )
        mine = StayFactory.create(provider=self.org, title="Mia casa")
        bad = self.put(
            f"/api/v1/services/stays/{mine.slug}",
            self.stay_payload(kind="castle", municipality="999999", routes=["nessuno"]),
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(
            {e["loc"][-1] for e in bad.json()["detail"]}, {"kind", "municipality", "routes"}
        )
        no_beds = self.put(f"/api/v1/services/stays/{mine.slug}", self.stay_payload(beds=0))
        self.assertEqual(no_beds.status_code, 422)
        self.assertEqual(
            sorted(Stay.objects.values_list("title", flat=True)), ["Altrui", "Mia casa"]
        )
