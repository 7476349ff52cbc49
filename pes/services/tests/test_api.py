from __future__ import annotations

import json

from django.test import override_settings

from pes.services.models import Route, RouteStop, Service
from pes.services.tests.factories import RouteFactory, ServiceFactory, add_stop
from pes.test import BaseTestCase


def service_payload(org_id: int, **extra):
    data = {
        "provider_id": org_id,
        "title": "Sportello genitori",
        "description": "Ascolto e consulenza",
        "kind": "parenting",
        "min_age": 0,
        "max_age": 17,
        "family_situations": ["single_parent"],
        "municipality": "037006",
        "other_municipalities": ["037032"],
        "schedule": "giovedì 16–19",
        "how_to_access": "Su appuntamento",
    }
    data.update(extra)
    return data


# Pages in English: the assertions do not depend on the Italian catalogue.
@override_settings(LANGUAGE_CODE="en")
class ServicesApiTests(BaseTestCase):
    def post(self, url, payload, user=None):
        headers = self.api_headers(user or self.member)
        return self.client.post(
            url, json.dumps(payload), content_type="application/json", **headers
        )

    def test_the_catalogue_search_is_public_and_filters_by_age(self):
        ServiceFactory.create(title="Spazio 14-17", min_age=14, max_age=17)
        ServiceFactory.create(title="Nido", min_age=0, max_age=2)
        response = self.client.get("/api/v1/services/search", {"age": 14, "what": "service"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual([r["title"] for r in response.json()["results"]], ["Spazio 14-17"])
        bad = self.client.get("/api/v1/services/search", {"district": "atlantide", "kind": "x"})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(self.client.get("/api/v1/services/search", {"age": -1}).status_code, 422)

    def test_a_provider_publishes_and_replaces_a_service_with_a_token(self):
        response = self.post("/api/v1/services/services", service_payload(self.org.pk))
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["other_municipalities"], ["037032"])
        slug = body["slug"]
        self.assertEqual(self.client.get(f"/api/v1/services/services/{slug}").status_code, 200)
        headers = self.api_headers(self.member)
        put = self.client.put(
            f"/api/v1/services/services/{slug}",
            json.dumps(
                service_payload(
                    self.org.pk, title="Sportello famiglie", is_free=False, cost="12.50"
                )
            ),
            content_type="application/json",
            **headers,
        )
        self.assertEqual(put.status_code, 200, put.content)
        self.assertEqual(put.json()["cost"], "12.50")
        listed = self.client.get("/api/v1/services/services").json()
        self.assertEqual(listed["count"], 1)

    def test_the_api_refuses_bad_services_with_field_errors_and_saves_nothing(self):
        response = self.post(
            "/api/v1/services/services", service_payload(self.org.pk, min_age=15, max_age=3)
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("max_age", json.dumps(response.json()))
        response = self.post(
            "/api/v1/services/services",
            service_payload(self.org.pk, kind="circo", municipality="999999"),
        )
        self.assertEqual(response.status_code, 422)
        fields = {e["loc"][-1] for e in response.json()["detail"]}
        self.assertEqual(fields, {"kind", "municipality"})
        self.assertFalse(Service.objects.exists())

    def test_nobody_writes_on_another_providers_entries(self):
        other = ServiceFactory.create()
        response = self.post("/api/v1/services/services", service_payload(other.provider_id))
        self.assertEqual(response.status_code, 403)
        headers = self.api_headers(self.member)
        put = self.client.put(
            f"/api/v1/services/services/{other.slug}",
            json.dumps(service_payload(self.org.pk)),
            content_type="application/json",
            **headers,
        )
        self.assertEqual(put.status_code, 403)
        anonymous = self.client.post(
            "/api/v1/services/services",
            json.dumps(service_payload(self.org.pk)),
            content_type="application/json",
        )
        self.assertEqual(anonymous.status_code, 401)

    def test_a_provider_builds_a_route_and_a_stop_outside_the_area_is_refused(self):
        response = self.post(
            "/api/v1/services/routes",
            {
                "provider_id": self.org.pk,
                "title": "Via della Lana e della Seta",
                "description": "A piedi da Bologna a Prato",
                "mode": "walking",
                "length_km": "130",
                "difficulty": "hard",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        slug = response.json()["slug"]
        ok = self.post(
            f"/api/v1/services/routes/{slug}/stops",
            {"name": "Piazza Maggiore", "municipality": "037006"},
        )
        self.assertEqual(ok.status_code, 201, ok.content)
        far = self.post(
            f"/api/v1/services/routes/{slug}/stops",
            {
                "name": "Prato",
                "municipality": "037006",
                "latitude": "43.8777",
                "longitude": "11.1023",
            },
        )
        self.assertEqual(far.status_code, 422)
        self.assertIn("outside the metropolitan area", json.dumps(far.json()))
        self.assertEqual(RouteStop.objects.count(), 1)
        route = self.client.get(f"/api/v1/services/routes/{slug}").json()
        self.assertEqual([s["position"] for s in route["stops"]], [1])
        self.assertEqual(len(self.client.get("/api/v1/services/routes").json()), 1)

    def test_bad_routes_and_stays_get_field_errors(self):
        response = self.post(
            "/api/v1/services/routes",
            {
                "provider_id": self.org.pk,
                "title": "Percorso",
                "description": "x",
                "mode": "teleport",
                "length_km": "0",
                "difficulty": "easy",
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Route.objects.exists())
        route = RouteFactory.create(provider=self.org)
        add_stop(route, "037006", 1)
        stay = self.post(
            "/api/v1/services/stays",
            {
                "provider_id": self.org.pk,
                "title": "Casa",
                "kind": "farm",
                "description": "Agriturismo sociale",
                "municipality": "037006",
                "beds": 6,
                "how_to_book": "Telefonare",
                "routes": [route.slug],
            },
        )
        self.assertEqual(stay.status_code, 201, stay.content)
        self.assertEqual(len(self.client.get("/api/v1/services/stays").json()), 1)

    def test_the_gaps_endpoint_lists_districts_without_offer(self):
        ServiceFactory.create(min_age=14, max_age=17)
        body = self.client.get("/api/v1/services/gaps").json()
        self.assertIn("14–17", body["age_bands"])
        self.assertIn(["Imola", "14–17"], body["gaps"])
        self.assertNotIn(["Città di Bologna", "14–17"], body["gaps"])
