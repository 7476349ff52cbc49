from __future__ import annotations

import pytest

from pes.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_home_presents_the_seven_missions_with_links(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for number in range(1, 8):
        assert f'href="/piano/missioni/{number}/"' in body
    assert "Abitare sostenibile e collaborativo" in body
    assert 'href="/enti/"' in body and 'href="/territorio/"' in body


def test_home_counts_only_published_organisations(client):
    OrganizationFactory()
    OrganizationFactory(is_published=False)
    response = client.get("/")
    assert response.context["organization_total"] == 1
    assert response.context["municipality_total"] == 55


def test_home_has_skip_link_and_landmarks(client):
    body = client.get("/").content.decode()
    assert 'href="#main"' in body
    assert '<main id="main"' in body
    assert "<header" in body and "<footer" in body and "<nav" in body


def test_home_uses_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        OrganizationFactory()
    with django_assert_max_num_queries(6):
        client.get("/")


def test_static_assets_are_served_locally_not_from_a_cdn(client):
    body = client.get("/").content.decode()
    assert "cdn" not in body.lower()
    assert "/static/css/bootstrap-italia.min.css" in body
