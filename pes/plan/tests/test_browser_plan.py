"""Browser tests of the Plan's monitoring: the reporting cycle, a concurrent edit, and axe-core on
every page of the module.

Real Chromium through Playwright against the live server, in Italian: elements are found by
role, href, form field name or data (titles, statuses, periods), never by English text. The
fixtures (``page``, ``reference_data``, ``_restore_reference_data``) are in ``pes/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.plan.models import (
    Action,
    Indicator,
    IndicatorTarget,
    Initiative,
    InitiativeStatus,
    Measurement,
    Report,
    ReportingPeriod,
)
from pes.plan.services import budget_line_save, initiative_update, report_submit
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.registry.models import Membership, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.test import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]

SERIOUS = {"serious", "critical"}
TITLE = "Insieme per il lavoro 2025"
NARRATIVE = "Colloqui svolti con 120 persone, 35 inserimenti al lavoro."


@dataclass
class Scenario:
    member: User
    governance: User
    lead: Organization
    initiative: Initiative
    indicator: Indicator
    action_indicator: Indicator

    @property
    def action(self) -> Action:
        return self.initiative.action


@pytest.fixture
def scenario(reference_data: None) -> Scenario:
    """An initiative on action 2.1 led by the member's organisation, with an indicator of its
    own (target 100 in 2027) and one on the action with a measurement, so that charts show."""
    member = UserFactory.create(role=User.Role.MEMBER, email="member@example.org")
    governance = UserFactory.create(role=User.Role.GOVERNANCE, email="gov@example.org")
    lead = OrganizationFactory.create(name="Cooperativa sociale Il Germoglio", slug="il-germoglio")
    Membership.objects.create(user=member, organization=lead, role=Membership.Role.MANAGER)
    initiative = InitiativeFactory.create(
        lead=lead, title=TITLE, slug="insieme-per-il-lavoro-2025", description="Inserimenti."
    )
    budget_line_save(
        initiative=initiative,
        data={"source": "metropolitan", "committed": Decimal(50_000), "spent": Decimal(10_000)},
        user=governance,
    )
    indicator = IndicatorFactory.create(
        action=None, initiative=initiative, code="inseriti", name="Persone inserite"
    )
    IndicatorTarget.objects.create(indicator=indicator, year=2027, value=Decimal(100))
    action_indicator = IndicatorFactory.create(code="percorsi-attivati", name="Percorsi attivati")
    IndicatorTarget.objects.create(indicator=action_indicator, year=2027, value=Decimal(50))
    Measurement.objects.create(
        indicator=action_indicator, date=dt.date(2025, 6, 30), value=Decimal(12)
    )
    return Scenario(member, governance, lead, initiative, indicator, action_indicator)


@pytest.fixture
def submitted(scenario: Scenario) -> Report:
    """A report on the first semester of 2025, waiting for the Plan's office."""
    return report_submit(
        initiative=scenario.initiative,
        period=ReportingPeriod.objects.get(start=dt.date(2025, 1, 1)),
        data={
            "status": InitiativeStatus.objects.get(key="in-progress"),
            "progress": Decimal(40),
            "narrative": NARRATIVE,
        },
        values=[{"indicator": scenario.indicator, "value": Decimal(35)}],
        user=scenario.member,
    )


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/profilo/$"))


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def log_in_as(page: Page, user: User, base_url: str) -> None:
    """A session cookie without the sign-in form, for the pages that only need a user."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )


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


def physical_progress(page: Page) -> Any:
    """The first progress bar of the page: physical progress on every page of the Plan."""
    return page.locator("main [role=progressbar]").first


def test_a_report_goes_from_the_lead_to_governance_to_the_public_pages(
    page: Page, scenario: Scenario
) -> None:
    initiative = scenario.initiative
    # The lead organisation's member reports on the first semester of 2025.
    sign_in(page, scenario.member.email)
    page.goto(initiative.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    page.locator(f'main a[href="/piano/iniziative/{initiative.slug}/rapporto/"]').click()
    expect(page).to_have_url(re.compile(rf"/piano/iniziative/{initiative.slug}/rapporto/$"))
    form = page.locator("main form[method=post]")
    form.locator("select[name=period]").select_option(label="1º semestre 2025")
    form.locator("select[name=status]").select_option(label="In corso")
    form.locator("input[name=progress]").fill("40")
    form.locator("textarea[name=narrative]").fill(NARRATIVE)
    form.locator(f"input[name=indicator_{scenario.indicator.pk}]").fill("35")
    assert_accessible(page, "the report form")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/piano/iniziative/{initiative.slug}/$"))
    report = Report.objects.get(initiative=initiative)
    assert report.state == Report.State.SUBMITTED
    assert report.period.start == dt.date(2025, 1, 1)
    assert report.progress == Decimal(40)
    # Nothing is public before the Plan's office approves it.
    expect(physical_progress(page)).to_have_attribute("aria-valuenow", "10")

    # The Plan's office approves it.
    sign_out(page)
    sign_in(page, scenario.governance.email)
    page.goto("/piano/rapporti/")
    review_link = page.locator(f'main a[href="/piano/rapporti/{report.pk}/"]')
    expect(review_link).to_have_text(TITLE)
    review_link.click()
    expect(page).to_have_url(re.compile(rf"/piano/rapporti/{report.pk}/$"))
    expect(page.locator("main")).to_contain_text(NARRATIVE)
    page.locator("main input[name=decision][value=approve]").check(force=True)
    page.locator("main textarea[name=comment]").fill("Bene, grazie.")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/piano/rapporti/$"))
    expect(page.locator(f'main a[href="/piano/rapporti/{report.pk}/"]')).to_have_count(0)
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED
    assert report.review_comment == "Bene, grazie."

    # The public pages show the new progress and value.
    sign_out(page)
    page.goto(initiative.get_absolute_url())
    expect(physical_progress(page)).to_have_attribute("aria-valuenow", "40")
    expect(page.locator("main")).to_contain_text("In corso")
    expect(page.locator("main")).to_contain_text(NARRATIVE)
    page.locator(f'main a[href="{scenario.action.get_absolute_url()}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/piano/azioni/{scenario.action.pk}/$"))
    expect(physical_progress(page)).to_have_attribute("aria-valuenow", "40")
    expect(
        page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    ).to_contain_text("40%")
    page.goto(scenario.action.mission.get_absolute_url())
    expect(physical_progress(page)).to_have_attribute("aria-valuenow", "40")

    page.goto(scenario.indicator.get_absolute_url())
    table = page.locator("main figure table")
    row = table.locator("tbody tr").filter(
        has=page.locator("td", has_text=re.compile(r"^\s*35\s*$"))
    )
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text("2025")
    assert_accessible(page, "the indicator page after the approval")


def test_a_concurrent_edit_is_reported_and_the_typed_values_are_kept(
    page: Page, scenario: Scenario
) -> None:
    initiative = scenario.initiative
    sign_in(page, scenario.member.email)
    page.goto(f"/piano/iniziative/{initiative.slug}/modifica/")
    form = page.locator("main form[method=post]")
    form.locator("textarea[name=description]").fill("Testo nuovo da non perdere.")
    form.locator("input[name=progress_override]").fill("55")
    form.locator("input[name=cup]").fill("J41B21000000001")

    # Meanwhile the Plan's office saves the same initiative.
    initiative_update(
        initiative=Initiative.objects.get(pk=initiative.pk),
        data={"description": "Modifica dell'ufficio di Piano."},
        user=scenario.governance,
    )
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/piano/iniziative/{initiative.slug}/modifica/$"))
    with translation.override("it"):
        message = translation.gettext(
            "Someone else saved this initiative while you were editing it. "
            "Reload the page to see their changes; yours were not saved."
        )
    alert = page.locator("main .alert-danger")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(message)
    expect(form.locator("textarea[name=description]")).to_have_value("Testo nuovo da non perdere.")
    expect(form.locator("input[name=progress_override]")).to_have_value("55")
    expect(form.locator("input[name=cup]")).to_have_value("J41B21000000001")
    expect(form.locator("input[name=title]")).to_have_value(TITLE)
    assert_accessible(page, "the initiative form after a concurrent edit")
    initiative.refresh_from_db()
    assert initiative.description == "Modifica dell'ufficio di Piano."
    assert initiative.progress_override is None


PUBLIC_PAGES = {
    "overview": lambda s: "/piano/",
    "mission": lambda s: "/piano/missioni/2/",
    "action": lambda s: f"/piano/azioni/{s.action.pk}/",
    "initiatives": lambda s: "/piano/iniziative/",
    "initiatives filtered": lambda s: "/piano/iniziative/?mission=2&status=started&q=insieme",
    "initiatives, no match": lambda s: "/piano/iniziative/?status=completed",
    "initiative": lambda s: s.initiative.get_absolute_url(),
    "indicator": lambda s: s.indicator.get_absolute_url(),
    "action indicator": lambda s: s.action_indicator.get_absolute_url(),
}


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_public_pages_have_no_serious_accessibility_violations(
    page: Page, scenario: Scenario, name: str
) -> None:
    path = PUBLIC_PAGES[name](scenario)
    response = page.goto(path)
    assert response is not None, path
    assert response.ok, f"{path}: HTTP {response.status}"
    if name == "initiatives filtered":
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page, path)


GOVERNANCE_PAGES = {
    "report queue": lambda r: "/piano/rapporti/",
    "report review": lambda r: f"/piano/rapporti/{r.pk}/",
    "initiative with its history": lambda r: r.initiative.get_absolute_url(),
    "decidim": lambda r: "/piano/decidim/",
    "dashboard": lambda r: "/piano/cruscotto/",
}


@pytest.mark.parametrize("name", list(GOVERNANCE_PAGES))
def test_governance_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: Any, scenario: Scenario, submitted: Report, name: str
) -> None:
    log_in_as(page, scenario.governance, live_server.url)
    path = GOVERNANCE_PAGES[name](submitted)
    response = page.goto(path)
    assert response is not None, path
    if response.status == 404 and name in {"decidim", "dashboard"}:
        pytest.skip(f"{path} does not exist yet")
    assert response.ok, f"{path}: HTTP {response.status}"
    assert_accessible(page, path)
