from __future__ import annotations

import csv
import datetime as dt
import io

from pes.plan.models import Action, StrategicDirection
from pes.plan.services import measurement_record
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.test import BaseTestCase


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


class ExportTests(BaseTestCase):
    def test_the_whole_plan_exports_as_json_and_tables_as_csv(self):
        initiative = InitiativeFactory(lead=self.org, title="Abitare collaborativo a Imola")
        indicator = IndicatorFactory(code="alloggi")
        measurement_record(indicator=indicator, date=dt.date(2026, 1, 1), value="7", user=None)
        data = self.client.get("/piano/dati/piano.json").json()
        self.assertEqual([m["number"] for m in data["missions"]], [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual(data["missions"][1]["actions"][0]["initiatives"], 1)
        rows = _csv(self.client.get("/piano/dati/iniziative.csv"))
        self.assertEqual(rows[0]["title"], "Abitare collaborativo a Imola")
        self.assertEqual(rows[0]["lead_codice_fiscale"], self.org.codice_fiscale)
        self.assertEqual(rows[0]["id"], str(initiative.pk))
        self.assertEqual(_csv(self.client.get("/piano/dati/indicatori.csv"))[0]["code"], "alloggi")
        measurements = _csv(self.client.get("/piano/dati/misurazioni.csv"))
        self.assertEqual(measurements[0]["value"], "7")
        self.assertEqual(self.client.get("/piano/dati/altro.csv").status_code, 404)

    def test_governance_adds_directions_and_actions_through_the_site(self):
        client = self.client_for(self.governance)
        response = client.post(
            "/piano/missioni/1/nuova-linea/", {"number": 1, "title": "Politiche abitative"}
        )
        self.assertEqual(response.status_code, 302)
        direction = StrategicDirection.objects.get(mission__number=1)
        response = client.post(
            "/piano/missioni/1/nuova-azione/",
            {
                "number": 2,
                "direction": direction.pk,
                "title": "Fondo per l'abitare",
                "text": "Un fondo rotativo per l'abitare cooperativo.",
                "weight": "1",
                "weighting": "equal",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Action.objects.filter(mission__number=1, number=2).exists())
        duplicate = client.post(
            "/piano/missioni/1/nuova-azione/",
            {"number": 1, "text": "Doppione", "weight": "1", "weighting": "equal"},
        )
        self.assertEqual(duplicate.status_code, 200)
        self.assertEqual(
            self.client_for(self.member).get("/piano/missioni/1/nuova-azione/").status_code, 403
        )
