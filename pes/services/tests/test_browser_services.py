"""Browser tests of the catalogue: a parent finds a service for a 14-year-old in their
district, a visitor follows a cycling route on the map, the gaps view shows districts without
offer; axe-core on every public page. Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pes.core.tests.test_browser import assert_accessible
from pes.learning.tests.factories import CourseFactory, SessionFactory, in_days
from pes.services.tests.factories import (
    RouteFactory,
    ServiceFactory,
    StayFactory,
    add_stop,
    municipality,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


@pytest.fixture
def catalogue(reference_data: None) -> None:
    ServiceFactory.create(
        title="Spazio adolescenti Bolognina", slug="spazio-bolognina", min_age=13, max_age=17
    )
    ServiceFactory.create(title="Nido condiviso", min_age=0, max_age=2)
    ServiceFactory.create(
        title="Centro giovani di Imola", min_age=18, max_age=25, municipality=municipality("037032")
    )
    route = RouteFactory.create(title="Ciclovia del Navile", slug="ciclovia-navile")
    for position, istat in enumerate(["037006", "037019", "037005"], start=1):
        add_stop(route, istat, position)
    StayFactory.create(title="Casa del viandante", slug="casa-viandante").routes.add(route)
    course = CourseFactory.create(title="Amministrazione condivisa")
    SessionFactory.create(course=course, starts_at=in_days(2), ends_at=in_days(2, 12))


def test_a_parent_finds_a_service_and_a_visitor_follows_a_cycling_route(
    page: Page, catalogue: None
) -> None:
    page.goto("/servizi/")
    assert_accessible(page, "the catalogue search with the map")
    page.locator("#id_age").fill("14")
    page.locator("#id_district").select_option("citta-di-bologna")
    page.locator("#id_what").select_option("service")
    page.locator("main form[role=search] button[type=submit]").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Spazio adolescenti Bolognina")
    expect(results).not_to_contain_text("Nido condiviso")
    expect(results).not_to_contain_text("Centro giovani di Imola")
    results.get_by_role("link", name="Spazio adolescenti Bolognina").click()
    expect(page).to_have_url(re.compile(r"/servizi/servizio/spazio-bolognina/$"))
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert_accessible(page, "a service")

    page.goto("/servizi/percorsi/?modo=cycling")
    assert_accessible(page, "the routes")
    page.get_by_role("link", name="Ciclovia del Navile").click()
    expect(page).to_have_url(re.compile(r"/servizi/percorsi/ciclovia-navile/$"))
    expect(page.locator("#route-map svg circle")).to_have_count(3)
    expect(page.locator("#stops tbody tr")).to_have_count(3)
    expect(page.locator("#stops")).to_contain_text("Castel Maggiore")
    assert_accessible(page, "a route with its map")
    page.get_by_role("link", name="Casa del viandante").click()
    assert_accessible(page, "a stay")

    page.goto("/servizi/calendario/")
    expect(page.locator("main")).to_contain_text("Amministrazione condivisa")
    assert_accessible(page, "the calendar")

    page.goto("/servizi/cruscotto/")
    gaps = page.locator("#gaps")
    imola = gaps.locator("tr", has_text="Imola")
    # The 14–17 band in Imola has no service: the cell is marked as a gap.
    teen = gaps.locator("thead th").all_inner_texts().index("14–17")
    expect(imola.locator("td").nth(teen - 1)).to_have_class(re.compile("table-warning"))
    bologna = gaps.locator("tr", has_text="Città di Bologna")
    expect(bologna.locator("td").nth(teen - 1)).not_to_have_class(re.compile("table-warning"))
    assert_accessible(page, "the offer and gaps dashboard")
