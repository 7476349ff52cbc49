"""Browser tests of the volunteering module: the main flows in real Chromium, and axe-core on
every public page (no serious or critical violation). Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.registry.models import Membership, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.volunteering.models import Booking, Certificate, Group, Shift
from pes.volunteering.reference import load_skills
from pes.volunteering.tests.factories import OpportunityFactory, ShiftFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data", "_restore_skills"),
]


def tick(page: Page, field_id: str) -> None:
    """Bootstrap Italia draws the checkbox on its label: click the label, as a person does."""
    page.locator(f"label[for={field_id}]").click()
    expect(page.locator(f"#{field_id}")).to_be_checked()


@pytest.fixture
def org(reference_data: None) -> Organization:
    load_skills()
    org = OrganizationFactory.create(name="Centro Servizi Volontariato Bologna", slug="csv-bo")
    member = UserFactory.create(role=User.Role.MEMBER, email="csv@example.org")
    Membership.objects.create(user=member, organization=org, role=Membership.Role.MANAGER)
    return org


@pytest.fixture
def shift(org: Organization) -> Shift:
    opportunity = OpportunityFactory.create(
        organization=org, title="Spesa sospesa al mercato", slug="spesa-sospesa", min_age=14
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10)))
    return ShiftFactory.create(
        opportunity=opportunity,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=30,
    )


def test_a_volunteer_signs_up_books_is_marked_present_and_verifies_the_certificate(
    page: Page, org: Organization, shift: Shift
) -> None:
    volunteer = UserFactory.create(
        email="giulia@example.org", first_name="Giulia", last_name="Neri"
    )
    page.goto("/volontariato/")
    assert_accessible(page, "the volunteering home")
    page.goto("/volontariato/iscrizione/")
    assert_accessible(page, "the sign-up invitation")

    sign_in(page, volunteer.email)
    page.goto("/volontariato/iscrizione/")
    page.locator("#id_municipality").select_option(label="Bologna")
    page.locator("#id_age_bracket").select_option("30-44")
    tick(page, "id_interests_0")
    tick(page, "id_skills_0")
    tick(page, "id_available_days_5")
    tick(page, "id_privacy_consent")
    assert_accessible(page, "the volunteer form")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/volontariato/profilo/$"))

    page.goto("/volontariato/opportunita/")
    assert_accessible(page, "the opportunities with the map")
    page.get_by_role("link", name="Spesa sospesa al mercato").click()
    expect(page).to_have_url(re.compile(r"/volontariato/opportunita/spesa-sospesa/$"))
    assert_accessible(page, "an opportunity")
    page.locator("main form[action$='/prenota/'] button").first.click()
    expect(page).to_have_url(re.compile(r"/volontariato/profilo/$"))
    booking = Booking.objects.get(volunteer__user=volunteer)
    assert booking.status == Booking.Status.CONFIRMED
    assert any("Spesa sospesa al mercato" in m.subject for m in mail.outbox)
    page.goto(f"/volontariato/turni/{shift.pk}/")
    assert_accessible(page, "a shift")

    # The shift takes place; the organisation confirms attendance.
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=4),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    page.context.clear_cookies()
    sign_in(page, "csv@example.org")
    page.goto(f"/volontariato/turni/{shift.pk}/")
    page.locator(f"#present-{booking.pk}").select_option("yes")
    page.locator(f"form[action$='/prenotazioni/{booking.pk}/presenza/'] button").click()
    expect(page.locator(f"#present-{booking.pk}")).to_have_count(0)
    booking.refresh_from_db()
    assert booking.verified_at is not None

    page.context.clear_cookies()
    sign_in(page, volunteer.email)
    page.goto("/volontariato/profilo/")
    link = page.locator(f"a[href$='/certificati/ente/{org.pk}/pdf/']")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.startswith("attestato-")
    certificate = Certificate.objects.get()
    page.context.clear_cookies()
    page.goto(f"/volontariato/certificati/{certificate.code}/")
    main = page.locator("main")
    expect(main).to_contain_text("Centro Servizi Volontariato Bologna")
    expect(main).to_contain_text("G.N.")
    expect(main).not_to_contain_text("Neri")
    assert_accessible(page, "the certificate check")
    page.goto("/volontariato/cruscotto/")
    assert_accessible(page, "the dashboard")


def test_a_school_registers_a_class_and_books_a_shift(page: Page, shift: Shift) -> None:
    teacher = UserFactory.create(email="prof@example.org")
    sign_in(page, teacher.email)
    page.goto("/volontariato/gruppi/nuovo/")
    page.locator("#id_kind").select_option("school")
    page.locator("#id_name").fill("Classe 4B")
    page.locator("#id_institution").fill("Liceo Laura Bassi")
    page.locator("#id_municipality").select_option(label="Bologna")
    page.locator("#id_size").fill("24")
    tick(page, "id_includes_minors")
    tick(page, "id_guardian_consents")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/volontariato/gruppi/\d+/$"))
    page.locator("#id_shift").select_option(str(shift.pk))
    page.locator("#id_seats").fill("24")
    assert_accessible(page, "the group page")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main table")).to_contain_text("Spesa sospesa al mercato")
    group = Group.objects.get(name="Classe 4B")
    booking = Booking.objects.get(group=group)
    assert booking.seats == 24
    shift.refresh_from_db()
    assert shift.booked == 24
