"""Browser tests: real Chromium through Playwright against the live server, plus axe-core.

Skipped with a message where ``/usr/bin/chromium`` is missing; ``make test-fast`` leaves them
out (``-m "not browser"``). The fixtures are in ``conftest.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.plan.models import Mission
from pes.registry.models import LegalForm, Membership, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.test import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]

SERIOUS = {"serious", "critical"}


@pytest.fixture
def member(reference_data: None) -> User:
    return UserFactory.create(role=User.Role.MEMBER, email="member@example.org")


@pytest.fixture
def germoglio(reference_data: None, member: User) -> Organization:
    org = OrganizationFactory.create(
        name="Cooperativa sociale Il Germoglio",
        slug="il-germoglio",
        legal_form=LegalForm.objects.get(code="COOP_SOC_A"),
        runts_section="d",
        description="Servizi educativi per l'infanzia.",
    )
    org.missions.add(Mission.objects.get(number=1))
    Membership.objects.create(user=member, organization=org, role=Membership.Role.MANAGER)
    return org


@pytest.fixture
def others(reference_data: None) -> list[Organization]:
    return [
        OrganizationFactory.create(name="Cooperativa sociale La Quercia"),
        OrganizationFactory.create(name="Associazione Amici del Reno"),
    ]


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/profilo/$"))


def axe_report(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append(f"      {node.get('failureSummary', '').strip()[:400]}")
    return "\n".join(lines)


def assert_accessible(page: Page, label: str) -> None:
    """No axe-core violation of impact "serious" or "critical" on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not serious, f"axe on {label}:\n{axe_report(serious)}"


def test_sign_in_lands_on_the_profile(page: Page, member: User, germoglio: Organization) -> None:
    sign_in(page, member.email)
    main = page.locator("main")
    expect(main).to_contain_text(member.email)
    expect(main.get_by_role("link", name=germoglio.name)).to_be_visible()
    assert_accessible(page, "the profile")


def test_directory_search_and_filter(
    page: Page, germoglio: Organization, others: list[Organization]
) -> None:
    page.goto("/enti/")
    count = page.locator("#result-count")
    results = page.locator("#results")
    expect(count).to_have_text(re.compile(r"^\s*3\b"))

    search = page.locator("#id_q")
    search.fill("cooperativa sociale")
    search.press("Enter")
    expect(count).to_have_text(re.compile(r"^\s*2\b"))
    expect(results.get_by_role("link", name=germoglio.name)).to_be_visible()
    expect(results.get_by_role("link", name="Cooperativa sociale La Quercia")).to_be_visible()
    expect(results.get_by_role("link", name="Associazione Amici del Reno")).to_have_count(0)

    page.locator("#id_legal_form").select_option("COOP_SOC_A")
    expect(count).to_have_text(re.compile(r"^\s*1\b"))
    expect(results.get_by_role("link", name="Cooperativa sociale La Quercia")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"legal_form=COOP_SOC_A"))
    expect(search).to_have_value("cooperativa sociale")
    assert_accessible(page, "the filtered directory")

    results.get_by_role("link", name=germoglio.name).click()
    expect(page).to_have_url(re.compile(rf"/enti/{germoglio.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(germoglio.name)


def test_member_edits_the_description(page: Page, member: User, germoglio: Organization) -> None:
    sign_in(page, member.email)
    page.goto(f"/enti/{germoglio.slug}/modifica/")
    page.locator("#id_description").fill("Nidi e centri estivi a Bologna.\nDal 1998.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/enti/{germoglio.slug}/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Nidi e centri estivi a Bologna.")
    expect(main).to_contain_text("Dal 1998.")
    expect(main).not_to_contain_text("Servizi educativi per l'infanzia.")
    germoglio.refresh_from_db()
    # Browsers send a textarea's line breaks as CRLF.
    assert germoglio.description.splitlines() == ["Nidi e centri estivi a Bologna.", "Dal 1998."]


def test_bad_partita_iva_is_shown_inline(page: Page, member: User, germoglio: Organization) -> None:
    sign_in(page, member.email)
    page.goto(f"/enti/{germoglio.slug}/modifica/")
    page.locator("#id_partita_iva").fill("12345678901")
    page.locator("#id_description").fill("Testo nuovo da non perdere.")
    page.locator("#id_phone").fill("051 123456")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/enti/{germoglio.slug}/modifica/$"))
    vat = page.locator("#id_partita_iva")
    expect(vat).to_have_attribute("aria-invalid", "true")
    expect(vat).to_have_attribute("aria-describedby", re.compile(r"\bid_partita_iva_error\b"))
    expect(page.locator("#id_partita_iva_error")).to_be_visible()
    expect(page.locator("main .alert-danger")).to_be_visible()
    expect(vat).to_have_value("12345678901")
    expect(page.locator("#id_description")).to_have_value("Testo nuovo da non perdere.")
    expect(page.locator("#id_phone")).to_have_value("051 123456")
    expect(page.locator("#id_name")).to_have_value(germoglio.name)
    assert_accessible(page, "the organisation form with an error")
    germoglio.refresh_from_db()
    assert germoglio.description == "Servizi educativi per l'infanzia."


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/enti/",
        "/enti/il-germoglio/",
        "/territorio/",
        "/territorio/bologna/",
        "/piano/missioni/1/",
        "/auth/login/",
    ],
)
def test_no_serious_accessibility_violations(
    page: Page, germoglio: Organization, others: list[Organization], path: str
) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.ok, f"{path}: HTTP {response.status}"
    assert_accessible(page, path)
