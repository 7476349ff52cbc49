"""Browser test of the incubation module: a call collects three applications (one sent
through the form), two evaluators score them (one through the form, after declaring no
conflict), two projects are admitted into a cohort, one reaches a milestone and receives a
tranche, and the dashboard and the showcase show it; axe-core on every page visited (no
serious or critical violation). Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.incubation import services
from pes.incubation.models import CANVAS_KEYS, Application, Project, Tranche
from pes.incubation.tests.factories import ApplicationFactory, CallFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


def test_a_call_runs_from_applications_to_a_paid_tranche(page: Page, reference_data: None) -> None:
    governance = UserFactory.create(role=User.Role.GOVERNANCE, email="gov@example.org")
    operator = UserFactory.create(role=User.Role.OPERATOR, email="operator@example.org")
    expert = UserFactory.create(email="expert@example.org")
    lead = UserFactory.create(email="lead@example.org")
    call = CallFactory.create(title="Cooperative di comunità in Appennino", slug="appennino")
    services.evaluator_assign(call=call, evaluator=operator)
    services.evaluator_assign(call=call, evaluator=expert)
    others = [
        ApplicationFactory.create(call=call, title=t) for t in ("Ostello diffuso", "Mensa solidale")
    ]

    # A team lead applies through the form: a draft first, then sent.
    sign_in(page, lead.email)
    page.goto("/incubazione/bandi/appennino/")
    assert_accessible(page, "a call")
    page.locator("main a[href$='/candidatura/']").click()
    page.locator("#id_applicant").select_option("team")
    page.locator("#id_team_name").fill("Amici della Valle")
    page.locator("#id_title").fill("Bottega di comunità")
    page.locator("button[value=save]").click()
    expect(page.locator("#application-status")).to_have_attribute("data-status", "draft")
    assert_accessible(page, "a draft application")
    page.locator("main a[href$='/modifica/']").click()
    page.locator("#id_team_members").fill("Anna Rossi, coordinatrice")
    page.locator("#id_idea").fill("Un negozio e un presidio di servizi nella frazione.")
    page.locator("#id_municipality").select_option(label="Bologna")
    page.locator("#id_community_served").fill("Gli abitanti della frazione")
    for key in CANVAS_KEYS:
        page.locator(f"#id_canvas_{key}").fill(f"Testo {key}")
    page.locator("#id_budget_total").fill("40000")
    page.locator("#id_grant_requested").fill("15000")
    page.locator("#id_expected_jobs").fill("3")
    page.locator("#id_expected_jobs_fragile").fill("1")
    assert_accessible(page, "the application form")
    page.locator("button[value=submit]").click()
    expect(page.locator("#application-status")).to_have_attribute("data-status", "submitted")
    mine = Application.objects.get(title="Bottega di comunità")

    # The operator declares no conflict and scores it; the rest is scored by the services.
    page.context.clear_cookies()
    sign_in(page, operator.email)
    page.goto("/incubazione/valutazioni/")
    assert_accessible(page, "the evaluation queue")
    page.goto(f"/incubazione/candidature/{mine.pk}/valutazione/")
    page.locator("label[for=id_has_conflict_0]").click()
    assert_accessible(page, "the declaration")
    page.locator("main form button[type=submit]").click()
    impact, economy = list(call.criteria.all())
    page.locator(f"#id_score_{impact.pk}").fill("11")
    page.locator(f"#id_score_{economy.pk}").fill("8")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(f"#id_score_{impact.pk}_error")).to_be_visible()
    page.locator(f"#id_score_{impact.pk}").fill("9")
    assert_accessible(page, "the score form with an error")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/incubazione/valutazioni/$"))
    for application, marks in ((mine, (8, 8)), (others[0], (7, 6)), (others[1], (3, 4))):
        for evaluator in (operator, expert):
            if evaluator == operator and application == mine:
                continue
            services.conflict_declare(
                application=application, evaluator=evaluator, has_conflict=False
            )
            services.application_score(
                application=application,
                evaluator=evaluator,
                scores={impact.pk: (marks[0], ""), economy.pk: (marks[1], "")},
            )

    # Governance ranks, creates a cohort and admits two projects.
    page.context.clear_cookies()
    sign_in(page, governance.email)
    page.goto("/incubazione/bandi/appennino/graduatoria/")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("Bottega di comunità")
    page.locator("#id_name").fill("Coorte 2026")
    page.locator("#id_starts_on").fill("2026-03-01")
    page.locator("#id_ends_on").fill("2026-09-30")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "the ranking")
    for application, grant in ((mine, "15000"), (others[0], "12000")):
        page.goto(application.get_absolute_url())
        page.locator("label[for=id_decision_0]").click()
        page.locator("#id_reason").fill("Progetto solido e radicato nella comunità.")
        page.locator("#id_cohort").select_option(label="Coorte 2026")
        page.locator("#id_grant").fill(grant)
        if application == mine:
            assert_accessible(page, "the decision form")
        page.locator("#decision-heading ~ form button[type=submit]").click()
        expect(page.locator("#application-status")).to_have_attribute("data-status", "admitted")
    assert Project.objects.count() == 2

    # One project reaches a milestone and receives a tranche.
    project = Project.objects.get(application=mine)
    page.goto(project.get_absolute_url())
    page.locator("#id_title").fill("Costituzione")
    page.locator("#id_due_on").fill("2026-04-01")
    page.locator("form:has(input[value=milestone]) button").click()
    page.locator("#id_reach-milestone").select_option(label="Costituzione")
    page.locator("form:has(input[value=reach]) button").click()
    page.locator("#id_tranche-amount").fill("20000")
    page.locator("form:has(input[value=tranche]) button").click()
    expect(page.locator("#id_tranche-amount_error")).to_contain_text("15000.00")
    page.locator("#id_tranche-amount").fill("6000")
    page.locator("form:has(input[value=tranche]) button").click()
    tranche = Tranche.objects.get()
    page.locator(f"#reference-{tranche.pk}").fill("CRO 0001")
    assert_accessible(page, "the project page")
    page.locator("form:has(input[value=payment]) button").click()
    expect(page.locator("#paid")).to_contain_text(re.compile(r"6[.,]000"))
    tranche.refresh_from_db()
    assert tranche.paid_on is not None

    # The dashboard and the showcase show it, to anyone.
    page.context.clear_cookies()
    for url, label in [
        ("/incubazione/", "the incubation home"),
        ("/incubazione/bandi/", "the calls"),
        ("/incubazione/vetrina/", "the showcase"),
        (f"/incubazione/vetrina/{project.pk}/", "a showcased project"),
        ("/incubazione/cruscotto/", "the dashboard"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, label)
    expect(page.locator("#disbursed")).to_contain_text(re.compile(r"6[.,]000"))
    funnel = page.locator("#funnel tbody")
    expect(funnel.locator("tr").nth(0)).to_contain_text("3")
    expect(funnel.locator("tr").nth(2)).to_contain_text("2")
    expect(funnel.locator("tr").nth(3)).to_contain_text("1")
    page.goto("/incubazione/vetrina/")
    expect(page.locator("main")).to_contain_text("Bottega di comunità")
    expect(page.locator("main")).to_contain_text("Ostello diffuso")
    assert Decimal(str(Project.objects.get(pk=project.pk).grant)) == Decimal("15000")
