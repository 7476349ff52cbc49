"""Browser test of work inclusion: a person fills the questionnaire on a phone-sized
screen; an operator takes the case through contact, assessment, the fragility profile and
a proposal; the company accepts; the operator records the placement and its 6-month
follow-up; the dashboard counts it. axe-core on every public page of the module and on the
pages of the flow (no serious or critical violation). Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.inclusion import stats
from pes.inclusion.models import Case, FollowUp, Pathway, Proposal
from pes.inclusion.tests.factories import (
    NetworkMemberFactory,
    OpeningFactory,
    ReadyCaseFactory,
    personal_codice_fiscale,
)
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


def test_from_the_questionnaire_to_a_placement_followed_up_at_six_months(
    page: Page, reference_data: None
) -> None:
    operator = UserFactory.create(role=User.Role.OPERATOR, email="operatore@example.org")
    member = UserFactory.create(role=User.Role.MEMBER, email="azienda@example.org")
    company = OrganizationFactory.create(name="Pulizie Emiliane srl")
    Membership.objects.create(user=member, organization=company, role=Membership.Role.MANAGER)
    NetworkMemberFactory.create(organization=company)
    opening = OpeningFactory.create(
        organization=company, role="Addetta alle pulizie", required_skills=["cleaning"]
    )
    # Four earlier placements, so that the fifth is shown on the dashboard (no cell under 5).
    for _ in range(4):
        earlier = ReadyCaseFactory.create(operator=operator, status=Case.Status.IN_PATHWAY)
        Pathway.objects.create(
            case=earlier, kind="fixed_term", title="Pulizie", starts_on=dt.date(2024, 1, 8)
        )
    stats.rebuild()  # the factories write past the services; the fifth goes through them

    # The person, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/lavoro/")
    assert_accessible(page, "the work-inclusion home on a phone")
    page.locator("main a[href='/lavoro/iscrizione/']").first.click()
    expect(page.locator("h1")).to_contain_text("Questionnaire")
    page.locator("#id_first_name").fill("Giulia")
    page.locator("#id_last_name").fill("Bianchi")
    page.locator("#id_codice_fiscale").fill(personal_codice_fiscale(777)[:-1] + "0")
    page.locator("#id_phone").fill("333 1234567")
    page.locator("#id_email").fill("giulia@example.org")
    page.locator("#id_municipality").select_option(label="Bologna")
    page.locator("label[for=id_skills_0]").click()  # cleaning
    page.locator("#id_max_travel_km").fill("25")
    page.locator("label[for=id_share_with_companies_4]").click()  # skills
    page.locator("label[for=id_consent]").click()
    assert_accessible(page, "the questionnaire on a phone")
    page.locator("main form button[type=submit]").click()
    # A mistyped codice fiscale: a clear message, nothing lost.
    expect(page.locator("#id_codice_fiscale_error")).to_be_visible()
    expect(page.locator("#id_first_name")).to_have_value("Giulia")
    expect(page.locator("#id_skills_0")).to_be_checked()
    assert_accessible(page, "the questionnaire with errors")
    page.locator("#id_codice_fiscale").fill(personal_codice_fiscale(777))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/lavoro/iscrizione/ricevuta/$"))
    case = Case.objects.get(person__last_name="Bianchi")
    expect(page.locator("#reference")).to_have_text(case.reference)
    assert_accessible(page, "the receipt")
    page.locator("#rights-link").click()
    expect(page.locator("main")).to_contain_text(case.reference)
    assert_accessible(page, "the person's data page")

    # The operator takes the case from the queue.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, operator.email)
    page.goto("/lavoro/casi/?scope=unassigned")
    assert_accessible(page, "the case queue")
    page.locator("main table").get_by_role("button", name=re.compile(case.reference)).click()
    expect(page).to_have_url(re.compile(rf"/lavoro/casi/{case.pk}/$"))
    page.locator("#id_contact-channel").select_option("phone")
    page.locator("#id_contact-note").fill("Colloquio fissato per lunedì.")
    page.locator("form:has(input[value=contact]) button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("Contacted")
    page.locator("label[for=id_assess-outcome_0]").click()
    assert_accessible(page, "the case")
    page.locator("form:has(input[value=assess]) button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Ready for placement")

    # The fragility profile, on the instrument in use.
    page.goto(f"/lavoro/casi/{case.pk}/profilo/?modifica=1")
    for select in page.locator("main form select").all():
        select.select_option("1")
    page.locator("#id_health_notes").fill("Nessuna limitazione.")
    assert_accessible(page, "the profile form")
    page.locator("main form button[type=submit]").click()
    page.locator("#id_purpose").select_option("placement")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#health-notes")).to_have_text("Nessuna limitazione.")
    assert_accessible(page, "the profile")

    # A suggested opening, with its reasons; the operator proposes.
    page.goto(f"/lavoro/casi/{case.pk}/")
    expect(page.locator("section:has(#suggested)")).to_contain_text(
        "Has the required skills: Cleaning"
    )
    page.get_by_role("button", name=re.compile("Propose")).first.click()
    proposal = Proposal.objects.get(case=case)
    assert proposal.opening == opening

    # The company accepts.
    page.context.clear_cookies()
    sign_in(page, member.email)
    page.goto(f"/lavoro/proposte/{proposal.pk}/")
    expect(page.locator("main")).to_contain_text("Giulia Bianchi")
    expect(page.locator("main")).not_to_contain_text("giulia@example.org")
    assert_accessible(page, "the proposal")
    page.locator("label[for=id_decision_0]").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#proposal-status")).to_have_text("Accepted")

    # The operator records the placement and the 6-month follow-up.
    page.context.clear_cookies()
    sign_in(page, operator.email)
    page.goto(f"/lavoro/casi/{case.pk}/")
    starts = timezone.localdate() - dt.timedelta(days=190)
    page.locator("#id_pathway-kind").select_option("permanent")
    page.locator("#id_pathway-title").fill("Addetta alle pulizie")
    page.locator("#id_pathway-starts_on").fill(starts.isoformat())
    page.locator("form:has(input[value=pathway]) button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("In a pathway")
    page.locator("summary", has_text="Record a follow-up").click()
    page.locator("#id_follow-months").select_option("6")
    page.locator("label[for=id_follow-still_employed]").click()
    page.locator("#id_follow-contract").select_option("permanent")
    page.locator("form:has(input[value=follow_up]) button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("still employed")
    follow_up = FollowUp.objects.get()
    assert follow_up.months == 6 and follow_up.still_employed

    # The dashboard counts it; every public page of the module.
    page.context.clear_cookies()
    page.goto("/lavoro/cruscotto/")
    expect(page.locator("#placed")).to_have_text("5")
    for url, label in [
        ("/lavoro/cruscotto/", "the dashboard"),
        ("/lavoro/", "the home"),
        ("/lavoro/iscrizione/", "the questionnaire"),
        ("/lavoro/privacy/", "the privacy notice"),
        ("/lavoro/offerte/", "the openings"),
        (opening.get_absolute_url(), "an opening"),
        ("/lavoro/rete/", "the network"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, label)
