"""Browser test of the procurement flow (Playwright + axe-core), in Italian as users see it.

A small municipality builds a labour-intensive tender from the clause library, enters three
bids, reads the ranking with the per-criterion table, awards it; the supplier reports and its
report shows up against its commitments. axe-core runs on every public page of the module.
The fixtures (``page``, ``reference_data``, ``_restore_reference_data``) are in
``pes/conftest.py``; ``_restore_clause_library`` in this folder's ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.procurement.library import load_library
from pes.procurement.models import Clause, Contract, Tender
from pes.procurement.tests.factories import BuyerFactory, SupplierFactory
from pes.registry.models import Membership
from pes.test import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data", "_restore_clause_library"),
]

SERIOUS = {"serious", "critical"}


def sign_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/auth/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/profilo/$"))


def assert_accessible(page: Page, label: str) -> None:
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in SERIOUS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['html'][:160] for n in v['nodes'][:3]]}"
        for v in serious
    )
    assert not serious, f"axe on {label}:\n{report}"


@pytest.fixture
def people(reference_data: None) -> dict[str, Any]:
    load_library()
    buyer = BuyerFactory.create(name="Comune di Monte San Pietro", slug="monte-san-pietro")
    clerk = UserFactory.create(role=User.Role.MEMBER, email="rup@example.org")
    Membership.objects.create(user=clerk, organization=buyer)
    coop = SupplierFactory.create(name="Cooperativa sociale Il Germoglio", slug="il-germoglio")
    worker = UserFactory.create(role=User.Role.MEMBER, email="member@example.org")
    Membership.objects.create(user=worker, organization=coop)
    rival = SupplierFactory.create(name="Cooperativa sociale La Quercia", slug="la-quercia")
    third = SupplierFactory.create(name="Servizi Riuniti srl", slug="servizi-riuniti")
    return {
        "buyer": buyer,
        "clerk": clerk,
        "coop": coop,
        "worker": worker,
        "rival": rival,
        "third": third,
    }


def tick(page: Page, input_id: str) -> None:
    """Bootstrap Italia draws the box on the label, which takes the click."""
    page.locator(f"label[for='{input_id}']").click()
    expect(page.locator(f"#{input_id}")).to_be_checked()


def add_criterion(page: Page, kind: str, weight: str, *, clause: str = "", label: str = "") -> None:
    page.locator("#id_kind").select_option(kind)
    if clause:
        page.locator("#id_clause").select_option(label=clause)
    if label:
        page.locator("#id_label").fill(label)
    page.locator("#id_weight").fill(weight)
    page.locator("form[action$='/criteri/'] button[type=submit]").click()


def test_a_small_municipality_runs_an_impact_tender(page: Page, people: dict[str, Any]) -> None:
    # Public pages, before anyone signs in.
    for url, label in (
        ("/appalti/", "the tender list"),
        ("/appalti/clausole/", "the clause library"),
        ("/appalti/valore-sociale/", "the social-value proxies"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, label)

    sign_in(page, "rup@example.org")
    page.goto("/appalti/")
    page.locator("main a[href='/appalti/gare/nuova/']").click()
    page.locator("#id_buyer").select_option(label="Comune di Monte San Pietro")
    page.locator("#id_title").fill("Pulizia degli edifici comunali")
    page.locator("#id_cig").fill("B123456789")
    page.locator("#id_estimated_value").fill("120000")
    page.locator("#id_procedure").select_option("open")
    tick(page, "id_labour_intensive")
    tick(page, "id_price_only_forbidden")
    deadline = timezone.localtime() + dt.timedelta(days=15)
    page.locator("#id_bid_deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    mandatory = Clause.objects.get(code="obbligo-clausola-sociale")
    box = page.locator(f"input[name=mandatory_clauses][value='{mandatory.pk}']")
    tick(page, box.get_attribute("id") or "")
    assert_accessible(page, "the new-tender form")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/appalti/gare/\d+/$"))
    tender = Tender.objects.get(title="Pulizia degli edifici comunali")

    # Too many points to price: a clear message, nothing saved.
    add_criterion(page, "price", "40")
    expect(page.locator("#id_weight_error")).to_contain_text("30")
    assert not tender.criteria.exists()
    assert_accessible(page, "the tender with a criterion error")

    add_criterion(page, "price", "30")
    add_criterion(page, "quality", "45", label="Progetto tecnico")
    add_criterion(
        page, "clause", "5", clause="Certificazione della parità di genere (UNI/PdR 125:2022)"
    )
    add_criterion(page, "clause", "10", clause="Quota di contratti a tempo indeterminato")
    add_criterion(
        page, "clause", "10", clause="Assunzione di persone svantaggiate o con disabilità"
    )
    expect(page.locator("#rule-problems")).to_have_class(re.compile("alert-success"))
    page.locator(f"form[action='/appalti/gare/{tender.pk}/pubblica/'] button").click()
    tender.refresh_from_db()
    assert tender.state == "open"
    assert_accessible(page, "the published tender")

    crit = {c.clause.code if c.clause else c.kind: c.pk for c in tender.criteria.all()}
    bids = (
        ("Cooperativa sociale Il Germoglio", "90000", "0.9; 0.8; 1", True, "90", "4"),
        ("Cooperativa sociale La Quercia", "84000", "0.6 0.7 0.6", False, "60", "2"),
        ("Servizi Riuniti srl", "100000", "0.5 0.5 0.6", True, "50", "1"),
    )
    for name, price, quality, gender, permanent, disadvantaged in bids:
        page.goto(f"/appalti/gare/{tender.pk}/offerte/nuova/")
        page.locator("#id_supplier").select_option(label=name)
        page.locator("#id_price").fill(price)
        page.locator(f"#id_criterion_{crit['quality']}").fill(quality)
        yes_no = 0 if gender else 1
        tick(page, f"id_criterion_{crit['certificazione-parita-genere']}_{yes_no}")
        page.locator(f"#id_criterion_{crit['quota-tempo-indeterminato']}").fill(permanent)
        page.locator(f"#id_criterion_{crit['assunzione-svantaggiati']}").fill(disadvantaged)
        if name.startswith("Servizi"):
            assert_accessible(page, "the bid form")
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/appalti/gare/{tender.pk}/$"))
    assert tender.bids.count() == 3

    page.locator(f"a[href='/appalti/gare/{tender.pk}/graduatoria/']").click()
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(3)
    expect(ranking.first).to_contain_text("Il Germoglio")
    expect(ranking.first).to_contain_text("90,50")  # linear price 25 + quality 40.5 + 25
    expect(page.locator("main table.table-bordered")).to_have_count(3)
    assert_accessible(page, "the ranking")
    page.locator(f"form[action='/appalti/gare/{tender.pk}/aggiudica/'] button").click()
    expect(page).to_have_url(re.compile(r"/appalti/contratti/\d+/$"))
    contract = Contract.objects.get(tender=tender)
    expect(page.locator("#commitments tbody tr")).to_have_count(2)

    # The supplier reports; its report shows up against its commitments.
    sign_in(page, "member@example.org")
    page.goto(f"/appalti/contratti/{contract.pk}/")
    assert_accessible(page, "the contract, for the supplier")
    page.locator(f"a[href='/appalti/contratti/{contract.pk}/rapporto/']").click()
    page.locator("#id_employed").fill("14")
    page.locator("#id_permanent_share").fill("92")
    page.locator("#id_disadvantaged").fill("2")
    assert_accessible(page, "the report form")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/appalti/contratti/{contract.pk}/$"))
    rows = page.locator("#commitments tbody tr")
    expect(rows.nth(0)).to_contain_text("92")
    expect(rows.nth(0).locator(".badge")).to_have_class(re.compile("bg-success"))
    expect(rows.nth(1)).to_contain_text("2")

    # The public pages after the award: tender and ranking.
    page.context.clear_cookies()
    page.goto(f"/appalti/gare/{tender.pk}/")
    assert_accessible(page, "the awarded tender, public")
    page.goto(f"/appalti/gare/{tender.pk}/graduatoria/")
    expect(page.locator("#ranking tbody tr")).to_have_count(3)
    assert_accessible(page, "the public ranking")


def test_governance_dashboard_is_accessible(page: Page, people: dict[str, Any]) -> None:
    UserFactory.create(role=User.Role.GOVERNANCE, email="gov@example.org")
    sign_in(page, "gov@example.org")
    page.goto("/appalti/cruscotto/")
    expect(page.locator("#headline")).to_be_visible()
    assert_accessible(page, "the procurement dashboard")
