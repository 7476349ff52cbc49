"""The person's rights: see and download their data (the special-category read logged),
ask for erasure; the retention run anonymises the expired cases, from a command and a
background task."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from pes.inclusion import services
from pes.inclusion.models import Case, FragilityProfile, Person, SpecialAccessLog
from pes.inclusion.tests.factories import CaseFactory, ReadyCaseFactory
from pes.inclusion.tests.test_intake import answers
from pes.test import BaseTestCase


class Rights(BaseTestCase):
    def _register(self) -> tuple[Case, str]:
        self.client.post("/lavoro/iscrizione/", answers())
        link = self.client.session["inclusion_receipt"]["token"]
        return Case.objects.get(), f"/lavoro/i-miei-dati/{link}/"

    def test_the_private_link_shows_and_downloads_the_data(self) -> None:
        case, url = self._register()
        page = self.client_for(None).get(url)
        self.assertContains(page, "Giulia")
        self.assertContains(page, case.reference)
        download = self.client_for(None).get(url + "?formato=json")
        self.assertEqual(download["Content-Type"], "application/json")
        data = json.loads(download.content)
        self.assertEqual(data["codice_fiscale"], case.person.codice_fiscale)
        self.assertEqual(data["cases"][0]["reference"], case.reference)

    def test_a_wrong_link_finds_nothing(self) -> None:
        self._register()
        self.assertEqual(self.client.get("/lavoro/i-miei-dati/sbagliato/").status_code, 404)

    def test_the_download_includes_the_profile_and_logs_the_read(self) -> None:
        case, url = self._register()
        case.operator = self.operator
        case.first_contact_at = timezone.now()
        case.save()
        services.fragility_profile_save(
            case=case,
            answers={i["code"]: 0 for i in services.instrument_current().definition["items"]},
            health_notes="Asma.",
            user=self.operator,
        )
        data = json.loads(self.client_for(None).get(url + "?formato=json").content)
        self.assertEqual(data["cases"][0]["fragility_profile"]["health_notes"], "Asma.")
        self.assertTrue(SpecialAccessLog.objects.filter(purpose="rights", action="read").exists())

    def test_asking_for_erasure_closes_the_case_and_anonymises_the_person(self) -> None:
        case, url = self._register()
        client = self.client_for(None)
        response = client.post(url, {})
        self.assertEqual(Person.objects.filter(anonymised_at__isnull=True).count(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(url, {"confirm": "yes"})
        self.assertRedirects(response, "/lavoro/")
        case.refresh_from_db()
        self.assertEqual(case.closing_reason, "erasure")
        person = Person.objects.get()
        self.assertIsNotNone(person.anonymised_at)
        self.assertIsNone(person.codice_fiscale)
        self.assertEqual((person.first_name, person.email, person.work_history), ("", "", ""))
        self.assertEqual(client.get(url).status_code, 404)

    def test_signed_out_visitors_are_asked_to_sign_in_for_their_data(self) -> None:
        self.assertEqual(self.client.get("/lavoro/i-miei-dati/").status_code, 302)
        self.assertEqual(
            self.client_for(self.outsider).get("/lavoro/i-miei-dati/").status_code, 404
        )


class Retention(BaseTestCase):
    def test_cases_closed_longer_than_the_retention_period_are_anonymised(self) -> None:
        old = ReadyCaseFactory.create(operator=self.operator)
        services.fragility_profile_save(
            case=old,
            answers={i["code"]: 1 for i in services.instrument_current().definition["items"]},
            health_notes="Da cancellare.",
            user=self.operator,
        )
        Case.objects.filter(pk=old.pk).update(
            status="closed",
            closed_at=timezone.now() - dt.timedelta(days=800),
            closing_reason="employed",
        )
        recent = CaseFactory.create(
            status="closed",
            closed_at=timezone.now() - dt.timedelta(days=10),
            closing_reason="withdrew",
        )
        active = CaseFactory.create()
        call_command("anonymise_inclusion", stdout=open("/dev/null", "w"))  # noqa: SIM115
        old.person.refresh_from_db()
        self.assertIsNotNone(old.person.anonymised_at)
        self.assertEqual(old.person.last_name, "")
        self.assertIsNone(FragilityProfile.objects.get(case=old).health_notes)
        self.assertEqual(FragilityProfile.objects.get(case=old).band, "low")  # statistics remain
        for kept in (recent, active):
            kept.person.refresh_from_db()
            self.assertIsNone(kept.person.anonymised_at)

    @override_settings(INCLUSION_RETENTION_DAYS=5)
    def test_the_retention_period_is_a_setting(self) -> None:
        case = CaseFactory.create(
            status="closed",
            closed_at=timezone.now() - dt.timedelta(days=10),
            closing_reason="withdrew",
        )
        self.assertEqual(services.anonymise_due(), 1)
        case.person.refresh_from_db()
        self.assertIsNotNone(case.person.anonymised_at)

    def test_a_person_with_a_recent_case_keeps_their_data(self) -> None:
        case = CaseFactory.create(
            status="closed",
            closed_at=timezone.now() - dt.timedelta(days=900),
            closing_reason="withdrew",
        )
        CaseFactory.create(person=case.person)
        self.assertEqual(services.anonymise_due(), 0)
