from __future__ import annotations

import pytest

from pes.plan.models import Action, Mission, Plan
from pes.plan.seed import parse_seed

pytestmark = pytest.mark.django_db

TITLES = {
    1: "Abitare sostenibile e collaborativo",
    2: "Qualità e Senso del lavoro",
    3: "Welfare di prossimità ed educazione",
    4: "Turismo sostenibile e sviluppo del territorio",
    5: "Public procurement, amministrazione condivisa e valutazione di impatto",
    6: "Cultura, conoscenza, comunicazione e promozione delle Organizzazioni dell'economia sociale",
    7: "Nuove strategie di finanziamento e collaborazione con gli istituti di credito",
}


def test_the_plan_has_seven_missions_with_their_exact_italian_titles():
    plan = Plan.objects.get()
    assert (plan.start_year, plan.end_year) == (2025, 2034)
    assert (plan.focus_start_year, plan.focus_end_year) == (2025, 2027)
    assert dict(Mission.objects.values_list("number", "title")) == TITLES
    kinds = dict(Mission.objects.values_list("number", "kind"))
    assert [n for n, k in kinds.items() if k == "thematic"] == [1, 2, 3, 4]


def test_every_action_of_the_seed_is_loaded_with_its_full_text():
    assert Action.objects.count() == 19
    per_mission = {m.number: m.actions.count() for m in Mission.objects.all()}
    assert per_mission == {1: 1, 2: 1, 3: 4, 4: 3, 5: 4, 6: 3, 7: 3}
    first = Action.objects.get(mission__number=2, number=1)
    assert first.text.startswith("Rafforzare e promuovere i percorsi di inserimento lavorativo")
    assert "Insieme per il lavoro" in first.text
    assert first.code == "2.1"


def test_parsing_the_seed_is_stable():
    missions = parse_seed()
    assert [m.number for m in missions] == [1, 2, 3, 4, 5, 6, 7]
    assert sum(len(m.actions) for m in missions) == 19


def test_a_mission_page_shows_its_actions(client):
    response = client.get("/piano/missioni/3/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Welfare di prossimità ed educazione" in body
    assert "Centro Servizi Volontariato" in body
    assert client.get("/piano/missioni/8/").status_code == 404
