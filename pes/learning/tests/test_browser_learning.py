"""Browser test of learning: a municipal officer enrols in a joint training course, the
organiser records attendance, the officer downloads the certificate and answers the survey;
axe-core on every public page. Fixtures: ``pes/conftest.py``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.core.tests.test_browser import assert_accessible, sign_in
from pes.learning.documents import weasyprint_module
from pes.learning.models import Attendance, Certificate, Course, Enrolment, Session
from pes.learning.tests.factories import CourseFactory, ResearchFactory, SessionFactory, in_days
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_restore_reference_data"),
]


@pytest.fixture
def course(reference_data: None) -> Course:
    org = OrganizationFactory.create(name="Scuola di amministrazione condivisa", slug="scuola-ac")
    organiser = UserFactory.create(role=User.Role.MEMBER, email="docente@example.org")
    Membership.objects.create(user=organiser, organization=org, role=Membership.Role.MANAGER)
    course = CourseFactory.create(
        organizer=org, title="Patti di collaborazione", slug="patti", seats=10
    )
    SessionFactory.create(course=course, starts_at=in_days(3), ends_at=in_days(3, 13))
    ResearchFactory.create(title="Cooperative di comunità in Appennino", slug="coop-comunita")
    return course


def test_an_officer_enrols_attends_and_downloads_the_certificate(
    page: Page, course: Course
) -> None:
    officer = UserFactory.create(
        email="ufficio@comune.example.org", first_name="Carla", last_name="Bassi"
    )
    page.goto("/formazione/")
    assert_accessible(page, "the course list")
    page.goto("/formazione/ricerca/")
    assert_accessible(page, "the research catalogue")

    sign_in(page, officer.email)
    page.goto("/formazione/corsi/patti/")
    page.locator("#id_affiliation").select_option("public")
    page.locator("#id_institution").fill("Comune di Casalecchio di Reno")
    assert_accessible(page, "a course with the enrolment form")
    page.locator("main form[action$='/iscrizione/'] button").click()
    expect(page.locator("#my-enrolment")).to_be_visible()
    enrolment = Enrolment.objects.get(user=officer)
    assert enrolment.status == Enrolment.Status.CONFIRMED

    # The session takes place; the organiser records attendance.
    starts = timezone.now() - dt.timedelta(hours=5)
    Session.objects.filter(course=course).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=4)
    )
    session = course.sessions.get()
    page.context.clear_cookies()
    sign_in(page, "docente@example.org")
    page.goto(f"/formazione/sessioni/{session.pk}/presenze/")
    page.locator(f"label[for=present-{enrolment.pk}]").click()
    assert_accessible(page, "the attendance form")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/formazione/corsi/patti/$"))
    assert Attendance.objects.get(enrolment=enrolment).present

    page.context.clear_cookies()
    sign_in(page, officer.email)
    page.goto("/formazione/iscrizioni/")
    assert_accessible(page, "my enrolments")
    if weasyprint_module() is not None:
        with page.expect_download() as info:
            page.locator(f"a[href$='/iscrizioni/{enrolment.pk}/attestato.pdf']").click()
        assert info.value.suggested_filename.startswith("attestato-")
    else:
        page.request.get(f"/formazione/iscrizioni/{enrolment.pk}/attestato.pdf")
    certificate = Certificate.objects.get(enrolment=enrolment)
    page.goto(f"/formazione/iscrizioni/{enrolment.pk}/questionario/")
    page.locator("#id_overall").select_option("5")
    page.locator("#id_usefulness").select_option("4")
    assert_accessible(page, "the feedback survey")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/formazione/iscrizioni/$"))

    page.context.clear_cookies()
    page.goto(f"/formazione/attestati/{certificate.code}/")
    main = page.locator("main")
    expect(main).to_contain_text("C.B.")
    expect(main).not_to_contain_text("Bassi")
    assert_accessible(page, "the certificate check")
    page.goto("/formazione/ricerca/coop-comunita/")
    assert_accessible(page, "a research entry")
