"""Browser test of impact evaluation: a small municipality fills in the template for one
project (theory of change, indicators, one SROI outcome), writes the report and downloads the
PDF; a stakeholder answers a survey by link without signing in; axe-core on every public page
of the module (no serious or critical violation). Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.impact.models import Campaign, Indicator, Measure, Outcome, Proxy, Report
from pes.impact.services import (
    answers_save,
    campaign_create,
    campaign_set_status,
    survey_create,
    survey_tokens_issue,
)
from pes.impact.tests.factories import make_method
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data", "_restore_impact_library"),
]


def test_a_small_municipality_evaluates_a_project_and_a_stakeholder_answers_a_survey(
    page: Page, impact_library: None
) -> None:
    comune = OrganizationFactory.create(name="Comune di Monzuno")
    officer = UserFactory.create(role=User.Role.MEMBER, email="ufficio@comune.example")
    Membership.objects.create(user=officer, organization=comune, role=Membership.Role.MANAGER)

    sign_in(page, officer.email)
    page.goto("/impatto/")
    assert_accessible(page, "the impact home (signed in)")
    page.locator("main a[href='/impatto/modello-piccoli-comuni/']").click()
    page.locator("#id_organization").select_option(str(comune.pk))
    page.locator("#id_title").fill("Orti sociali di Monzuno")
    page.locator("#id_municipality").select_option(label="Monzuno")
    page.locator("#id_needs").fill("Solitudine degli anziani")
    page.locator("#id_activities").fill("Laboratori di orticoltura")
    page.locator("#id_outcomes").fill("Meno solitudine")
    page.locator("#id_investment").fill("0")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_investment_error")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("Orti sociali di Monzuno")
    assert_accessible(page, "the template with an error")
    page.locator("#id_investment").fill("12000")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/impatto/rapporti/\d+/indicatori/$"))
    report = Report.objects.get()

    for code, value in [("CORE-03", "420"), ("CORE-06", "11800"), ("CORE-07", "86")]:
        page.locator("#id_indicator").select_option(str(Indicator.objects.get(code=code).pk))
        page.locator("#id_target").fill("80" if code == "CORE-07" else "")
        page.locator("#id_value").fill(value)
        page.locator("#save-measure").click()
        expect(page.locator("#measures")).to_contain_text(code)
    page.locator("#id_indicator").select_option(str(Indicator.objects.get(code="CORE-01").pk))
    page.locator("#id_women").fill("14")
    page.locator("#id_men").fill("11")
    page.locator("#save-measure").click()
    expect(page.locator("#measures")).to_contain_text("CORE-01")
    assert Measure.objects.filter(report=report).count() == 4
    assert_accessible(page, "the indicators of the report")

    page.locator("#value-outcome").click()
    page.locator("#id_description").fill("Meno solitudine tra gli anziani")
    page.locator("#id_stakeholder").fill("Anziani")
    page.locator("#id_quantity").fill("25")
    page.locator("#id_proxy").select_option(str(Proxy.objects.get(code="BONUS-PSICOLOGO").pk))
    page.locator("#id_deadweight").fill("20")
    page.locator("#id_attribution").fill("25")
    page.locator("#id_duration").fill("2")
    page.locator("#add-outcome-button").click()
    expect(page.locator("#sroi-ratio")).to_be_visible()
    expect(page.locator("#sensitivity tbody tr")).to_have_count(12)
    assert Outcome.objects.get().value_per_unit == 50
    assert_accessible(page, "the SROI analysis")

    page.goto(report.get_absolute_url())
    page.locator("#write-phases").click()
    expect(page.locator("#id_context")).to_have_value("Solitudine degli anziani")
    assert_accessible(page, "a phase of the report")
    page.locator("#next-step").click()
    expect(page).to_have_url(re.compile(r"/fase/objectives/$"))
    page.goto(f"/impatto/rapporti/{report.pk}/fase/evaluation/")
    page.locator("#id_evaluation").fill("Gli anziani coinvolti si sentono meno soli.")
    page.locator("main form button[name=finish]").click()
    expect(page).to_have_url(re.compile(rf"/impatto/rapporti/{report.pk}/$"))
    expect(page.locator("#measures")).to_contain_text("14")
    assert_accessible(page, "the report")
    pdf = page.request.get(f"/impatto/rapporti/{report.pk}/pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    page.locator("#publish-button").click()
    expect(page.locator("main input[name=publish]")).to_have_value("0")
    report.refresh_from_db()
    assert report.is_published

    # A validated campaign answered by three organisations, and a survey answered by link.
    orgs = [comune, OrganizationFactory.create(), OrganizationFactory.create()]
    campaign = campaign_create(
        method=make_method("Rilevazione"),
        data={"title": "Rilevazione", "year": 2025},
        organizations=orgs,
    )
    core3 = Indicator.objects.get(code="CORE-03")
    for n, participant in enumerate(campaign.participants.all(), start=1):
        answers_save(participant=participant, values={core3.pk: 10 * n})
    survey = survey_create(
        campaign=campaign,
        data={"title": "Ascolto degli anziani", "stakeholder": "Anziani"},
        questions=[("Si sente meno solo?", "scale"), ("Tornerebbe?", "yes_no")],
    )
    [token] = survey_tokens_issue(survey=survey, count=1)
    first, second = survey.questions.all()
    page.context.clear_cookies()
    page.goto(f"/impatto/q/{token}/")
    assert_accessible(page, "the survey")
    page.locator(f"label[for=id_q_{first.pk}_3]").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    page.locator(f"label[for=id_q_{second.pk}_0]").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    page.goto(f"/impatto/q/{token}/")
    expect(page.locator("main [role=alert]")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page, "a used survey link")
    campaign_set_status(campaign=campaign, status=Campaign.Status.CLOSED)
    campaign_set_status(campaign=campaign, status=Campaign.Status.VALIDATED)

    for url, label in [
        ("/impatto/", "the impact home"),
        ("/impatto/indicatori/", "the indicator library"),
        ("/impatto/indicatori/?core=on&data_type=gender_count", "the filtered library"),
        ("/impatto/proxy/", "the proxy table"),
        ("/impatto/metodi/", "the methods"),
        (campaign.method.get_absolute_url(), "a method"),
        ("/impatto/rapporti/", "the reports"),
        (report.get_absolute_url(), "a published report"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, label)
    page.goto(campaign.get_absolute_url())
    assert_accessible(page, "a validated campaign")
    expect(page.locator("#results")).to_contain_text("60")  # 10 + 20 + 30 volunteer hours
