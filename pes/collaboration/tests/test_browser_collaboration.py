"""Browser tests of the collaboration module: the issue's "Done when" flow in real Chromium,
and axe-core on every public page (no serious or critical violation). Fixtures:
``pes/conftest.py``."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.collaboration.models import (
    ActionItem,
    Attendance,
    ExpressionOfInterest,
    Procedure,
    Proposal,
)
from pes.collaboration.tests.factories import (
    HousingFactory,
    MeetingFactory,
    ProposalFactory,
    TableFactory,
    add_member,
    municipality,
    org_of,
    staff,
)
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.plan.models import Action, Initiative

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


def shown(msgid: str) -> str:
    """A msgid as the Italian interface of the browser shows it."""
    with translation.override("it"):
        return translation.gettext(msgid)


def test_a_four_party_table_decides_adopts_a_proposal_and_a_municipality_runs_co_design(
    page: Page, reference_data: None
) -> None:
    coop = org_of("COOP", "Cooperativa di abitanti Dozza")
    comune = org_of("PA", "Comune di Casalecchio di Reno")
    bank = org_of("BANCA", "Banca popolare di prova")
    foundation = org_of("FOB", "Fondazione di prova")
    aps = org_of("APS", "APS Abitare Insieme", runts_id="998877")
    coordinator = staff(comune, "comune@example.org", first_name="Anna", last_name="Rossi")
    people = [
        staff(coop, "coop@example.org"),
        staff(bank, "banca@example.org"),
        staff(foundation, "fondazione@example.org"),
    ]
    aps_staff = staff(aps, "aps@example.org")
    from pes.accounts.tests.factories import UserFactory

    UserFactory.create(email="gov@example.org", role=User.Role.GOVERNANCE)
    action = Action.objects.get(mission__number=1, number=1)
    table = TableFactory.create(
        title="Piattaforma per l'abitare cooperativo",
        slug="abitare",
        coordinator=coordinator,
        action=action,
        mission=action.mission,
    )
    members = [add_member(table, coordinator, comune, "coordinator")] + [
        add_member(table, p, o) for p, o in zip(people, [coop, bank, foundation], strict=True)
    ]
    meeting = MeetingFactory.create(table=table, title="Prima riunione")
    for m in members:
        Attendance.objects.create(meeting=meeting, member=m)
    proposal = ProposalFactory.create(
        table=table, organization=coop, author=people[0], title="Fondo di garanzia per l'affitto"
    )
    HousingFactory.create(name="Cohousing Porto 15", municipality=municipality())

    # Public pages.
    page.goto("/collaborazione/")
    assert_accessible(page, "the working tables")
    page.get_by_role("link", name="Piattaforma per l'abitare cooperativo").click()
    expect(page.locator("main")).to_contain_text("Banca popolare di prova")
    expect(page.locator("main")).to_contain_text("Fondazione di prova")
    assert_accessible(page, "a table")

    # The coordinator records a decision and an action item.
    sign_in(page, coordinator.email)
    page.goto(meeting.get_absolute_url())
    page.locator("#id_text").fill("Si adotta il fondo di garanzia per l'affitto.")
    page.locator("form[action$='/decisioni/'] button").click()
    expect(page.locator("#decisions + ol")).to_contain_text("fondo di garanzia")
    form = page.locator("form[action$='/compiti/']")
    form.locator("#id_item-text").fill("Scrivere il regolamento del fondo")
    form.locator("#id_item-owner").select_option(str(people[1].pk))
    form.locator("#id_item-due_date").fill(
        (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    assert_accessible(page, "a meeting, as its coordinator")
    form.locator("button").click()
    expect(page.locator("main table")).to_contain_text("Scrivere il regolamento del fondo")
    assert ActionItem.objects.get().owner == people[1]

    # The coordinator adopts the proposal; governance makes it a Plan initiative.
    page.goto(proposal.get_absolute_url())
    page.locator("#id_status").select_option("adopted")
    page.locator("form[action$='/stato/'] button").click()
    expect(page.locator("main .lead")).to_contain_text(shown("adopted"))
    page.context.clear_cookies()
    sign_in(page, "gov@example.org")
    page.goto(proposal.get_absolute_url())
    page.locator("#id_action").select_option(str(action.pk))
    page.locator("#id_lead").select_option(str(coop.pk))
    page.locator("form[action$='/iniziativa/'] button").click()
    expect(page).to_have_url(re.compile(r"/piano/iniziative/"))
    initiative = Initiative.objects.get(title="Fondo di garanzia per l'affitto")
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ADOPTED and proposal.initiative == initiative

    # The municipality runs a co-design procedure from notice to agreement.
    page.context.clear_cookies()
    sign_in(page, coordinator.email)
    page.goto("/collaborazione/procedimenti/nuovo/")
    page.locator("#id_kind").select_option("co_design")
    page.locator("#id_title").fill("Servizi di accompagnamento all'abitare")
    page.locator("#id_administration").select_option(str(comune.pk))
    page.locator("#id_subject").fill("Co-progettare i servizi di accompagnamento all'abitare.")
    page.locator("#id_deadline").fill((timezone.localdate() + dt.timedelta(days=20)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.locator("form[action$='/avviso/'] button").click()
    expect(page.locator("main")).to_contain_text(shown("public notice open"))
    procedure = Procedure.objects.get()

    page.context.clear_cookies()
    sign_in(page, aps_staff.email)
    page.goto(procedure.get_absolute_url())
    page.locator("#id_organization").select_option(str(aps.pk))
    page.locator("#id_statement").fill("Gestiamo due cohousing nel distretto.")
    page.locator("form[action$='/manifestazioni/'] button").click()
    expect(page.locator("main table")).to_contain_text("APS Abitare Insieme")

    page.context.clear_cookies()
    sign_in(page, coordinator.email)
    page.goto(procedure.get_absolute_url())
    expression = ExpressionOfInterest.objects.get()
    page.locator(f"form[action$='/manifestazioni/{expression.pk}/verifica/'] button").click()
    page.locator("form[action$='/coprogettazione/'] button").click()
    expect(page.locator("main")).to_contain_text(shown("design table at work"))
    page.locator("#id_text").fill("Accordo di collaborazione per due anni.")
    page.locator("#id_budget").fill("120000")
    page.locator("#id_months").fill("24")
    page.locator("#id_contributions").fill(
        f"{comune.codice_fiscale}; contributo economico; 100000\n"
        f"{aps.codice_fiscale}; personale e spazi; 20000"
    )
    page.locator("form[action$='/accordo/'] button").click()
    expect(page.locator("main")).to_contain_text(shown("agreement reached"))
    procedure.refresh_from_db()
    assert procedure.stage == "agreed" and procedure.agreement_budget == Decimal("120000")

    # Public pages of the procedure, the proposal and the housing register.
    page.context.clear_cookies()
    page.goto(procedure.get_absolute_url())
    expect(page.locator("main")).to_contain_text(shown("art. 55 D.Lgs. 117/2017 — not a tender"))
    assert_accessible(page, "an agreed procedure")
    page.goto("/collaborazione/procedimenti/")
    assert_accessible(page, "the procedures")
    page.goto(proposal.get_absolute_url())
    assert_accessible(page, "an adopted proposal")
    page.goto(meeting.get_absolute_url())
    assert_accessible(page, "a meeting")
    page.goto("/collaborazione/abitare/")
    expect(page.locator("svg.pes-map circle")).to_have_count(1)
    assert_accessible(page, "the housing register with its map")
    page.get_by_role("link", name="Cohousing Porto 15").click()
    assert_accessible(page, "a housing initiative")
