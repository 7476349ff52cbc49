"""Browser test of the finance module: an organisation sees the calls that fit it, applies
with its profile pre-filled and a document from its wallet, the funder decides; axe-core on
every public page of the module (no serious or critical violation). Fixtures:
``pes/conftest.py``; one browser, few page loads."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.finance.models import Application
from pes.finance.tests.factories import (
    CallFactory,
    CaseFactory,
    ProductFactory,
    ProgrammeFactory,
    WalletDocumentFactory,
)
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


def test_an_organisation_applies_to_a_call_that_fits_it_and_the_funder_approves(
    page: Page, reference_data: None
) -> None:
    org = OrganizationFactory.create(
        name="Cooperativa sociale Il Germoglio", legal_representative="Anna Bianchi"
    )
    member = UserFactory.create(role=User.Role.MEMBER, email="member@example.org")
    Membership.objects.create(user=member, organization=org, role=Membership.Role.MANAGER)
    funder = UserFactory.create(role=User.Role.MEMBER, email="funder@example.org")
    programme = ProgrammeFactory.create(title="Welfare di comunità")
    Membership.objects.create(
        user=funder, organization=programme.funder, role=Membership.Role.MANAGER
    )
    call = CallFactory.create(
        programme=programme,
        title="Bando empori solidali",
        slug="empori-solidali",
        required_documents=["statute"],
    )
    statute = WalletDocumentFactory.create(organization=org, title="Statuto 2019")
    ProductFactory.create(name="Microcredito sociale")
    case = CaseFactory.create(title="Peterborough", slug="peterborough")

    # The organisation sees the calls that fit it, and applies to one.
    sign_in(page, member.email)
    page.goto("/finanza/bandi/per-te/")
    expect(
        page.locator("main").get_by_role("link", name="Bando empori solidali", exact=True)
    ).to_be_visible()
    assert_accessible(page, "the calls for you")
    page.locator("main a[href*='/bandi/empori-solidali/candidatura/']").click()
    expect(page).to_have_url(re.compile(r"/finanza/bandi/empori-solidali/candidatura/"))
    expect(page.locator("#id_codice_fiscale")).to_have_value(org.codice_fiscale)
    expect(page.locator("#id_legal_representative")).to_have_value("Anna Bianchi")
    expect(page.locator("main [role=progressbar]")).to_be_visible()
    page.locator("#id_project_title").fill("Emporio solidale di quartiere")
    page.locator("#id_summary").fill("Un emporio per le famiglie in difficoltà.")
    page.locator("#id_amount_requested").fill("30000")
    page.locator("label[for=id_documents_0]").click()
    expect(page.locator("#id_documents_0")).to_be_checked()
    assert_accessible(page, "the application form")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/finanza/candidature/\d+/$"))
    application = Application.objects.get()
    assert application.status == "submitted"
    assert list(application.documents.all()) == [statute]
    assert application.profile["legal_representative"] == "Anna Bianchi"
    assert_accessible(page, "the application")
    page.goto("/finanza/portafoglio/")
    expect(page.locator("main table")).to_contain_text("Statuto 2019")
    assert_accessible(page, "the document wallet")

    # The funder decides.
    page.context.clear_cookies()
    sign_in(page, funder.email)
    page.goto(f"/finanza/candidature/{application.pk}/")
    page.locator("label[for=id_decision_0]").click()
    page.locator("#id_amount_granted").fill("25000")
    assert_accessible(page, "the review form")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_decision_0")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == "approved"
    assert str(application.amount_granted) == "25000.00"

    # Every public page of the module.
    page.context.clear_cookies()
    for url, label in [
        ("/finanza/", "the finance home"),
        ("/finanza/bandi/", "the calls"),
        (call.get_absolute_url(), "a call"),
        ("/finanza/prodotti/", "the products"),
        ("/finanza/impact-investing/", "the case library"),
        (case.get_absolute_url(), "a case"),
        ("/finanza/simulatori/fondo-di-garanzia/", "the guarantee-fund simulator"),
        ("/finanza/simulatori/pagamenti-a-risultato/", "the outcome-payment simulator"),
        ("/finanza/cruscotto/", "the dashboard"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, label)
    expect(page.locator("#by-source")).to_contain_text("25")
