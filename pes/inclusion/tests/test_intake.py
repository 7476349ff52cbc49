"""The public questionnaire: a complete answer opens a case with its service clock and a
receipt; every kind of bad input gets a clear message, keeps what was typed and writes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from pes.inclusion.models import Case, Person
from pes.inclusion.tests.factories import CaseFactory, personal_codice_fiscale
from pes.registry.tests.factories import numeric_codice_fiscale
from pes.territory.models import Municipality
from pes.test import BaseTestCase

CF = personal_codice_fiscale(4242)


def answers(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Giulia",
        "last_name": "Bianchi",
        "codice_fiscale": CF.lower(),
        "email": "giulia@example.org",
        "phone": "333 1234567",
        "municipality": Municipality.objects.get(istat_code="037006").pk,
        "education": "upper_secondary",
        "italian_level": "fluent",
        "languages": ["en"],
        "work_history": "Commessa per due anni.",
        "skills": ["retail", "customer_service"],
        "max_hours_per_week": "30",
        "min_hours_per_week": "10",
        "shifts": ["morning"],
        "max_travel_km": "20",
        "has_car": "on",
        "share_with_companies": ["skills", "work_history"],
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class Intake(BaseTestCase):
    def test_a_complete_questionnaire_opens_a_case_with_a_35_day_clock_and_a_receipt(
        self,
    ) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/lavoro/iscrizione/", answers())
        self.assertRedirects(response, "/lavoro/iscrizione/ricevuta/")
        case = Case.objects.get()
        self.assertEqual(case.status, Case.Status.NEW)
        self.assertEqual(case.first_contact_due, timezone.localdate() + dt.timedelta(days=35))
        person = case.person
        self.assertEqual(person.codice_fiscale, CF)
        self.assertEqual(person.skills, ["retail", "customer_service"])
        self.assertEqual(person.privacy_notice_version, "2025-1")
        self.assertIsNotNone(person.birth_date)
        receipt = self.client.get("/lavoro/iscrizione/ricevuta/")
        self.assertContains(receipt, case.reference)
        self.assertContains(receipt, "/lavoro/i-miei-dati/")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(case.reference, mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].to, ["giulia@example.org"])

    def test_the_questionnaire_page_answers_with_every_section(self) -> None:
        response = self.client.get("/lavoro/iscrizione/")
        for text in ["Who you are", "Availability", "Constraints", "Privacy notice"]:
            self.assertContains(response, text)

    def test_an_invalid_codice_fiscale_is_explained_and_the_answers_are_kept(self) -> None:
        response = self.client.post(
            "/lavoro/iscrizione/", answers(codice_fiscale=CF[:-1] + ("A" if CF[-1] != "A" else "B"))
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "its check character is wrong")
        self.assertContains(response, 'value="Giulia"')
        self.assertContains(response, "Commessa per due anni.")
        self.assertFalse(Person.objects.exists())

    def test_a_company_codice_fiscale_is_not_a_person(self) -> None:
        response = self.client.post(
            "/lavoro/iscrizione/", answers(codice_fiscale=numeric_codice_fiscale(7))
        )
        self.assertContains(response, "has 16 characters")
        self.assertFalse(Case.objects.exists())

    def test_a_second_registration_of_an_open_case_is_refused(self) -> None:
        self.client.post("/lavoro/iscrizione/", answers())
        response = self.client.post("/lavoro/iscrizione/", answers(first_name="Altra"))
        self.assertContains(response, "already registered and its case is open")
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(Person.objects.get().first_name, "Giulia")

    def test_after_a_closed_case_the_same_person_registers_again(self) -> None:
        first = CaseFactory.create(
            person__codice_fiscale=CF,
            status=Case.Status.CLOSED,
            closed_at=timezone.now(),
            closing_reason="withdrew",
        )
        self.assertRedirects(
            self.client.post("/lavoro/iscrizione/", answers()), "/lavoro/iscrizione/ricevuta/"
        )
        self.assertEqual(Person.objects.count(), 1)
        self.assertEqual(first.person.cases.count(), 2)

    def test_a_municipality_outside_the_area_is_refused(self) -> None:
        response = self.client.post("/lavoro/iscrizione/", answers(municipality="999999"))
        self.assertContains(response, "Choose one of the 55 municipalities")
        self.assertFalse(Case.objects.exists())

    def test_someone_already_in_an_active_measure_is_told_they_are_not_eligible(self) -> None:
        response = self.client.post("/lavoro/iscrizione/", answers(in_active_measure="on"))
        self.assertContains(response, "already in an active labour-policy measure")
        self.assertFalse(Case.objects.exists())

    def test_without_consent_to_the_privacy_notice_nothing_is_written(self) -> None:
        response = self.client.post("/lavoro/iscrizione/", answers(consent=None))
        self.assertContains(response, "accept it to register")
        self.assertFalse(Person.objects.exists())

    def test_an_incomplete_questionnaire_lists_what_is_missing(self) -> None:
        response = self.client.post(
            "/lavoro/iscrizione/", answers(last_name="", phone="", education="")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Some answers need your attention")
        self.assertContains(response, 'href="#id_last_name"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(Person.objects.exists())

    def test_fewer_hours_wanted_than_available_is_checked(self) -> None:
        response = self.client.post(
            "/lavoro/iscrizione/", answers(min_hours_per_week="40", max_hours_per_week="20")
        )
        self.assertContains(response, "cannot be more than the most hours")

    def test_the_receipt_is_not_shown_to_someone_else(self) -> None:
        self.client.post("/lavoro/iscrizione/", answers())
        self.assertEqual(self.client_for(None).get("/lavoro/iscrizione/ricevuta/").status_code, 404)

    def test_a_signed_in_person_is_linked_to_their_registration(self) -> None:
        client = self.client_for(self.outsider)
        client.post("/lavoro/iscrizione/", answers())
        self.assertEqual(Person.objects.get().user, self.outsider)
        self.assertContains(client.get("/lavoro/i-miei-dati/"), CF)
