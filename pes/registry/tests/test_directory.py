from __future__ import annotations

import csv
import io

import pytest

from pes.plan.models import Mission
from pes.registry.models import Activity, LegalForm, Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality

pytestmark = pytest.mark.django_db

BOLOGNA = "037006"
IMOLA = "037032"
VALSAMOGGIA = "037061"


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(istat_code=code)


def names_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [org.name for org in response.context["page"].object_list]


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


@pytest.fixture
def registry():
    """A small registry across legal forms, municipalities, activities and missions."""
    germoglio = OrganizationFactory.create(
        name="Cooperativa sociale Il Germoglio",
        legal_form=LegalForm.objects.get(code="COOP_SOC_A"),
        runts_section="d",
        head_office=municipality(BOLOGNA),
        description="Servizi educativi per la prima infanzia",
    )
    germoglio.activities.set([Activity.objects.get(letter="d")])
    germoglio.missions.set([Mission.objects.get(number=1)])
    citta = OrganizationFactory.create(
        name="Associazione Città Solidale",
        legal_form=LegalForm.objects.get(code="APS"),
        head_office=municipality(IMOLA),
        description="Doposcuola e attività ricreative",
    )
    citta.activities.set([Activity.objects.get(letter="i")])
    citta.missions.set([Mission.objects.get(number=2)])
    banca = OrganizationFactory.create(
        name="Banca di Credito Cooperativo Felsinea",
        legal_form=LegalForm.objects.get(code="BANCA"),
        runts_section="",
        head_office=municipality(VALSAMOGGIA),
        description="Credito al territorio",
    )
    OrganizationFactory.create(
        name="Associazione Germoglio Nascosto",
        head_office=municipality(BOLOGNA),
        is_published=False,
    )
    return {"germoglio": germoglio, "citta": citta, "banca": banca}


def test_the_directory_lists_published_organisations_in_name_order(client, registry):
    response = client.get("/enti/")
    assert response.status_code == 200
    assert names_in(response) == [
        "Associazione Città Solidale",
        "Banca di Credito Cooperativo Felsinea",
        "Cooperativa sociale Il Germoglio",
    ]
    assert response.context["filters_active"] is False


def test_unpublished_organisations_never_appear_in_the_directory(client, registry):
    body = client.get("/enti/").content.decode()
    assert "Germoglio Nascosto" not in body
    assert "Germoglio Nascosto" not in names_in(client.get("/enti/", {"q": "nascosto"}))


def test_search_matches_every_word_regardless_of_case_and_accents(client, registry):
    assert names_in(client.get("/enti/", {"q": "germoglio"})) == [
        "Cooperativa sociale Il Germoglio"
    ]
    assert names_in(client.get("/enti/", {"q": "GERMOGLIO cooperativa"})) == [
        "Cooperativa sociale Il Germoglio"
    ]
    # Accented and unaccented spellings find the same organisation, both ways round.
    assert names_in(client.get("/enti/", {"q": "citta solidale"})) == [
        "Associazione Città Solidale"
    ]
    assert names_in(client.get("/enti/", {"q": "CITTÀ"})) == ["Associazione Città Solidale"]


def test_search_looks_into_the_description_the_codice_fiscale_and_the_municipality(
    client, registry
):
    assert names_in(client.get("/enti/", {"q": "infanzia"})) == ["Cooperativa sociale Il Germoglio"]
    cf = registry["banca"].codice_fiscale
    assert names_in(client.get("/enti/", {"q": cf})) == ["Banca di Credito Cooperativo Felsinea"]
    assert names_in(client.get("/enti/", {"q": "imola"})) == ["Associazione Città Solidale"]


def test_search_with_a_word_no_organisation_has_finds_nothing(client, registry):
    response = client.get("/enti/", {"q": "germoglio astronave"})
    assert names_in(response) == []
    assert response.context["filters_active"] is True


def test_search_with_only_punctuation_lists_everything(client, registry):
    assert len(names_in(client.get("/enti/", {"q": "  ?! "}))) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"legal_form": "APS"}, ["Associazione Città Solidale"]),
        ({"legal_form": "COOP_SOC_A"}, ["Cooperativa sociale Il Germoglio"]),
        ({"category": "finance"}, ["Banca di Credito Cooperativo Felsinea"]),
        (
            {"category": "third_sector"},
            ["Associazione Città Solidale", "Cooperativa sociale Il Germoglio"],
        ),
        ({"municipality": IMOLA}, ["Associazione Città Solidale"]),
        ({"municipality": "037001"}, []),
        ({"district": "citta-di-bologna"}, ["Cooperativa sociale Il Germoglio"]),
        ({"district": "reno-lavino-e-samoggia"}, ["Banca di Credito Cooperativo Felsinea"]),
        ({"activity": "d"}, ["Cooperativa sociale Il Germoglio"]),
        ({"activity": "i"}, ["Associazione Città Solidale"]),
        ({"mission": "1"}, ["Cooperativa sociale Il Germoglio"]),
        ({"mission": "2"}, ["Associazione Città Solidale"]),
        ({"mission": "7"}, []),
        ({"q": "associazione", "municipality": IMOLA}, ["Associazione Città Solidale"]),
        ({"category": "third_sector", "district": "imola"}, ["Associazione Città Solidale"]),
    ],
)
def test_the_directory_filters_narrow_the_results(client, registry, params, expected):
    response = client.get("/enti/", params)
    assert response.status_code == 200
    assert names_in(response) == expected
    assert response.context["filters_active"] is True


def test_an_unknown_filter_value_does_not_break_the_page(client, registry):
    for params in ({"legal_form": "NOPE"}, {"mission": "99"}, {"mission": "abc"}):
        response = client.get("/enti/", params)
        assert response.status_code == 200
        assert response.context["form"].errors


def test_a_bad_filter_value_keeps_the_other_filters(client, registry):
    params = {"q": "germoglio", "mission": "abc", "legal_form": "NOPE"}
    assert names_in(client.get("/enti/", params)) == ["Cooperativa sociale Il Germoglio"]
    rows = csv_rows(client.get("/enti/esporta.csv", params))
    assert [row[1] for row in rows[1:]] == ["Cooperativa sociale Il Germoglio"]


def test_results_are_paginated_and_bad_page_numbers_fall_back_to_a_real_page(client, settings):
    for n in range(25):
        OrganizationFactory.create(name=f"Ente paginato {n:02d}")
    first = client.get("/enti/")
    assert len(names_in(first)) == settings.PAGE_SIZE == 20
    assert first.context["page"].paginator.count == 25
    second = client.get("/enti/", {"page": "2"})
    assert names_in(second) == [f"Ente paginato {n:02d}" for n in range(20, 25)]
    for bad in ("abc", "0", "-1", ""):
        response = client.get("/enti/", {"page": bad})
        assert response.status_code == 200
        assert response.context["page"].number in (1, 2)
    assert client.get("/enti/", {"page": "abc"}).context["page"].number == 1
    assert client.get("/enti/", {"page": "999"}).context["page"].number == 2


def test_pagination_links_keep_the_filters(client):
    for n in range(25):
        OrganizationFactory.create(name=f"Ente filtrato {n:02d}")
    response = client.get("/enti/", {"q": "filtrato", "page": "2"})
    assert response.context["query"] == "q=filtrato"
    assert len(names_in(response)) == 5


def test_an_empty_registry_says_so(client):
    response = client.get("/enti/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert names_in(response) == []
    assert response.context["filters_active"] is False
    assert "The registry has no published organisations yet." in response.content.decode()


def test_a_search_without_results_suggests_fewer_filters(client, registry):
    response = client.get("/enti/", {"q": "zzzz"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No organisation matches these filters." in response.content.decode()


def test_the_directory_is_in_italian_by_default_and_in_english_on_request(client):
    assert client.get("/enti/")["Content-Language"] == "it"
    assert client.get("/enti/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_an_htmx_request_gets_only_the_results_fragment(client, registry):
    response = client.get("/enti/", {"q": "germoglio"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    used = [t.name for t in response.templates]
    assert "registry/_results.html" in used
    assert "registry/directory.html" not in used
    body = response.content.decode()
    assert "<html" not in body
    assert "Cooperativa sociale Il Germoglio" in body
    assert "Associazione Città Solidale" not in body


def test_a_normal_request_gets_the_whole_page(client, registry):
    response = client.get("/enti/")
    assert "registry/directory.html" in [t.name for t in response.templates]
    assert "<html" in response.content.decode()


def test_the_csv_export_has_a_header_and_one_row_per_published_organisation(client, registry):
    response = client.get("/enti/esporta.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:4] == ["codice_fiscale", "denominazione", "forma_giuridica", "comune_sede"]
    names = sorted(row[1] for row in rows[1:])
    assert names == [
        "Associazione Città Solidale",
        "Banca di Credito Cooperativo Felsinea",
        "Cooperativa sociale Il Germoglio",
    ]


def test_the_csv_export_applies_the_directory_filters(client, registry):
    rows = csv_rows(client.get("/enti/esporta.csv", {"municipality": BOLOGNA}))
    assert [row[1] for row in rows[1:]] == ["Cooperativa sociale Il Germoglio"]
    germoglio = rows[1]
    header = rows[0]
    assert germoglio[header.index("comune_sede")] == BOLOGNA
    assert germoglio[header.index("attivita")] == "d"
    assert germoglio[header.index("missioni")] == "1"
    rows = csv_rows(client.get("/enti/esporta.csv", {"q": "citta"}))
    assert [row[1] for row in rows[1:]] == ["Associazione Città Solidale"]
    rows = csv_rows(client.get("/enti/esporta.csv", {"q": "nessuno"}))
    assert len(rows) == 1


def test_the_directory_links_to_the_export_with_the_current_filters(client, registry):
    body = client.get("/enti/", {"legal_form": "APS", "page": "1"}).content.decode()
    assert "/enti/esporta.csv?legal_form=APS" in body


def test_the_organisation_page_shows_its_profile(client, registry):
    org = registry["germoglio"]
    org.ateco_codes = ["88.99.09"]
    org.partita_iva = "00743110157"
    org.save()
    org.municipalities_served.set([municipality(IMOLA)])
    response = client.get(f"/enti/{org.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cooperativa sociale Il Germoglio" in body
    assert org.codice_fiscale in body and "00743110157" in body
    assert "88.99.09" in body and "assistenza sociale" in body
    assert "Imola" in body
    assert Activity.objects.get(letter="d").label in body
    assert response.context["can_edit"] is False
    assert f"/enti/{org.slug}/modifica/" not in body


def test_an_unknown_or_unpublished_organisation_page_is_not_found(client, registry):
    assert client.get("/enti/ente-che-non-esiste/").status_code == 404
    hidden = OrganizationFactory.create(name="Ente in attesa", is_published=False)
    assert client.get(f"/enti/{hidden.slug}/").status_code == 404


def test_an_unpublished_organisation_page_is_visible_to_its_members(client, registry):
    from pes.accounts.tests.factories import UserFactory

    hidden = OrganizationFactory.create(name="Ente in attesa", is_published=False)
    user = UserFactory.create(role="member")
    Membership.objects.create(user=user, organization=hidden)
    client.force_login(user)
    response = client.get(f"/enti/{hidden.slug}/")
    assert response.status_code == 200
    assert response.context["can_edit"] is True
    stranger = UserFactory.create()
    client.force_login(stranger)
    assert client.get(f"/enti/{hidden.slug}/").status_code == 404


def test_the_directory_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(30):
        org = OrganizationFactory.create(name=f"Ente numero {n}")
        org.activities.set(Activity.objects.filter(letter__in=["a", "b"]))
    with django_assert_max_num_queries(8):
        response = client.get("/enti/")
    assert len(names_in(response)) == 20
    with django_assert_max_num_queries(8):
        client.get("/enti/", {"q": "ente", "activity": "a", "page": "2"})


def test_the_csv_export_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for n in range(30):
        org = OrganizationFactory.create(name=f"Ente numero {n}")
        org.activities.set(Activity.objects.filter(letter__in=["a", "b"]))
        org.missions.set(Mission.objects.filter(number__in=[1, 3]))
    with django_assert_max_num_queries(10):
        rows = csv_rows(client.get("/enti/esporta.csv"))
    assert len(rows) == 31


def test_the_organisation_page_uses_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    org = OrganizationFactory.create(name="Ente ricco")
    org.activities.set(Activity.objects.all())
    org.missions.set(Mission.objects.all())
    org.municipalities_served.set(Municipality.objects.all())
    with django_assert_max_num_queries(6):
        response = client.get(f"/enti/{org.slug}/")
    assert response.status_code == 200
