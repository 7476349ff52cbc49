"""Applications through the pages: drafts, eligibility at submission, the deadline, and who
sees what."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from pes.incubation import services
from pes.incubation.models import CANVAS_KEYS, Application, Call
from pes.incubation.tests.factories import ApplicationFactory, CallFactory, in_days
from pes.registry.models import LegalForm
from pes.territory.models import Municipality
from pes.test import BaseTestCase


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "applicant": "team",
        "team_name": "Amici della Valle",
        "team_members": "Anna Rossi, coordinatrice",
        "title": "Bottega di comunità",
        "idea": "Un negozio e un presidio di servizi nella frazione.",
        "municipality": Municipality.objects.get(istat_code="037006").pk,
        "community_served": "Gli abitanti della frazione, 400 persone",
        "budget_total": "40000",
        "grant_requested": "18000",
        "expected_jobs": "3",
        "expected_jobs_fragile": "1",
    }
    for key in CANVAS_KEYS:
        data[f"canvas_{key}"] = f"Testo per {key}"
    data.update(overrides)
    return data


class ApplyTests(BaseTestCase):
    def setUp(self) -> None:
        self.call = CallFactory.create(slug="comunita")

    def test_a_team_saves_a_draft_then_sends_it(self) -> None:
        client = self.client_for(self.outsider)
        data = form_data(idea="", action="save")
        response = client.post("/incubazione/bandi/comunita/candidatura/", data)
        application = Application.objects.get()
        self.assertRedirects(response, application.get_absolute_url())
        self.assertEqual(application.status, "draft")
        self.assertEqual(application.team_name, "Amici della Valle")
        page = client.get(application.get_absolute_url())
        self.assertContains(page, "Describe the idea.")
        response = client.post(
            f"/incubazione/candidature/{application.pk}/modifica/",
            form_data(action="submit"),
        )
        self.assertRedirects(response, application.get_absolute_url())
        application.refresh_from_db()
        self.assertEqual(application.status, "submitted")
        self.assertIsNotNone(application.submitted_at)
        self.assertEqual(application.canvas["key_partners"], "Testo per key_partners")

    def test_an_incomplete_application_is_not_sent_and_nothing_is_lost(self) -> None:
        client = self.client_for(self.outsider)
        data = form_data(canvas_revenue_streams="", action="submit")
        response = client.post("/incubazione/bandi/comunita/candidatura/", data)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "This block is empty.", status_code=422)
        self.assertContains(response, "Bottega di comunità", status_code=422)
        application = Application.objects.get()
        self.assertEqual(application.status, "draft")
        self.assertEqual(application.idea, "Un negozio e un presidio di servizi nella frazione.")

    def test_a_submission_after_the_deadline_is_refused_with_a_clear_message(self) -> None:
        application = ApplicationFactory.create(
            call=self.call, team_lead=self.outsider, status="draft", submitted_at=None
        )
        Application.objects.filter(pk=application.pk).update(idea="Idea conservata")
        Call.objects.filter(pk=self.call.pk).update(
            deadline=timezone.now() - dt.timedelta(minutes=1)
        )
        response = self.client_for(self.outsider).post(
            f"/incubazione/candidature/{application.pk}/modifica/",
            form_data(idea="Idea aggiornata", action="submit"),
        )
        self.assertContains(response, "The deadline of the call has passed", status_code=422)
        application.refresh_from_db()
        self.assertEqual(application.status, "draft")
        self.assertEqual(application.idea, "Idea aggiornata")

    def test_an_organisation_with_a_legal_form_the_call_excludes_cannot_send(self) -> None:
        self.call.legal_forms.set([LegalForm.objects.get(code="COOP_COMUNITA")])
        client = self.client_for(self.member)
        response = client.post(
            "/incubazione/bandi/comunita/candidatura/",
            form_data(applicant=str(self.org.pk), action="submit"),
        )
        self.assertContains(
            response, "not open to the legal form of this organisation", status_code=422
        )
        application = Application.objects.get()
        self.assertEqual(application.organization, self.org)
        self.assertEqual(application.status, "draft")

    def test_a_call_for_organisations_only_refuses_a_team(self) -> None:
        self.call.accepts_teams = False
        self.call.save()
        response = self.client_for(self.outsider).post(
            "/incubazione/bandi/comunita/candidatura/", form_data(action="save")
        )
        self.assertContains(response, "accepts only organisations", status_code=422)
        self.assertFalse(Application.objects.exists())

    def test_jobs_for_fragile_people_cannot_exceed_jobs_expected(self) -> None:
        response = self.client_for(self.outsider).post(
            "/incubazione/bandi/comunita/candidatura/",
            form_data(expected_jobs="1", expected_jobs_fragile="2", action="save"),
        )
        self.assertContains(response, "they cannot be more", status_code=422)
        self.assertFalse(Application.objects.exists())

    def test_a_grant_above_the_calls_maximum_is_refused_at_submission(self) -> None:
        response = self.client_for(self.outsider).post(
            "/incubazione/bandi/comunita/candidatura/",
            form_data(budget_total="90000", grant_requested="50000", action="submit"),
        )
        self.assertContains(response, "grants at most", status_code=422)

    def test_the_applicant_follows_the_status_and_others_do_not_see_the_draft(self) -> None:
        application = ApplicationFactory.create(
            call=self.call, team_lead=self.outsider, status="draft", submitted_at=None
        )
        self.assertContains(
            self.client_for(self.outsider).get("/incubazione/candidature/"), application.title
        )
        for user in (self.member, self.operator, self.governance):
            response = self.client_for(user).get(application.get_absolute_url())
            self.assertEqual(response.status_code, 404, user)

    def test_a_sent_application_cannot_change(self) -> None:
        application = ApplicationFactory.create(call=self.call, team_lead=self.outsider)
        response = self.client_for(self.outsider).post(
            f"/incubazione/candidature/{application.pk}/modifica/", form_data(title="Altro")
        )
        self.assertRedirects(response, application.get_absolute_url())
        with self.assertRaises(ValidationError):
            services.application_update(application=application, data={"title": "Altro"})
        application.refresh_from_db()
        self.assertNotEqual(application.title, "Altro")

    def test_a_closed_call_takes_no_new_application(self) -> None:
        CallFactory.create(slug="chiuso", deadline=in_days(-1))
        response = self.client_for(self.outsider).get("/incubazione/bandi/chiuso/candidatura/")
        self.assertRedirects(response, "/incubazione/bandi/chiuso/")

    def test_an_organisation_applies_once_per_call(self) -> None:
        ApplicationFactory.create(call=self.call, organization=self.org, team_name="")
        response = self.client_for(self.member).post(
            "/incubazione/bandi/comunita/candidatura/",
            form_data(applicant=str(self.org.pk), action="save"),
        )
        self.assertContains(response, "already applied", status_code=422)
        self.assertEqual(Application.objects.count(), 1)


class CallPagesTests(BaseTestCase):
    def test_the_public_pages_answer_and_list_the_call(self) -> None:
        call = CallFactory.create(
            title="Comunità in Appennino", slug="appennino", description="Borghi e frazioni."
        )
        client = self.client_for(None)
        for url in (
            "/incubazione/",
            "/incubazione/bandi/",
            "/incubazione/bandi/appennino/",
            "/incubazione/vetrina/",
            "/incubazione/cruscotto/",
        ):
            self.assertEqual(client.get(url).status_code, 200, url)
        self.assertContains(client.get("/incubazione/bandi/?q=appennino"), call.title)
        self.assertNotContains(client.get("/incubazione/bandi/?q=zanzibar"), call.title)
        self.assertContains(client.get("/incubazione/bandi/?target=networks"), "0 calls found")
        self.assertContains(client.get("/incubazione/bandi/?page=abc"), call.title)

    def test_an_unpublished_call_is_hidden_from_the_public(self) -> None:
        CallFactory.create(slug="bozza", is_published=False)
        self.assertEqual(self.client_for(None).get("/incubazione/bandi/bozza/").status_code, 404)
        self.assertEqual(
            self.client_for(self.governance).get("/incubazione/bandi/bozza/").status_code, 200
        )

    def test_governance_creates_a_call_with_criteria_and_phases(self) -> None:
        deadline = (timezone.localtime() + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
        data = {
            "title": "Cooperative di comunità 2026",
            "description": "Incubazione di nuove cooperative di comunità.",
            "mission": "3",
            "promoter_kind": "public",
            "promoter_name": "Città metropolitana di Bologna",
            "targets": ["community_coops"],
            "accepts_teams": "on",
            "opens_on": timezone.localdate().isoformat(),
            "deadline": deadline,
            "budget": "140000",
            "max_grant": "20000",
            "disagreement_threshold": "20",
            "is_published": "on",
            "documents": "Statuto\nBilancio",
            "criteria_text": "Impatto | 50 | 10\nSostenibilità | 30 | 10\nSquadra | 20 | 5",
            "phases_text": "Candidature | 2026-01-01 | 2026-02-01",
        }
        client = self.client_for(self.governance)
        response = client.post("/incubazione/bandi/nuovo/", data)
        self.assertRedirects(response, "/incubazione/bandi/cooperative-di-comunita-2026/")
        created = Call.objects.get(slug="cooperative-di-comunita-2026")
        self.assertEqual(
            [(c.name, c.weight, c.max_score) for c in created.criteria.all()],
            [("Impatto", 50, 10), ("Sostenibilità", 30, 10), ("Squadra", 20, 5)],
        )
        self.assertEqual(created.required_documents, ["Statuto", "Bilancio"])
        self.assertEqual(created.phases.count(), 1)

    def test_a_call_form_with_bad_input_keeps_what_was_typed(self) -> None:
        data = {
            "title": "Bando sbagliato",
            "description": "x",
            "mission": "3",
            "promoter_kind": "public",
            "promoter_name": "Comune",
            "targets": ["community_coops"],
            "opens_on": timezone.localdate().isoformat(),
            "deadline": "2001-01-01T10:00",
            "budget": "1000",
            "max_grant": "5000",
            "disagreement_threshold": "20",
            "criteria_text": "Impatto senza peso",
        }
        response = self.client_for(self.governance).post("/incubazione/bandi/nuovo/", data)
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "The deadline is in the past", status_code=422)
        self.assertContains(response, "cannot be above the call", status_code=422)
        self.assertContains(response, "Line 1", status_code=422)
        self.assertContains(response, "Bando sbagliato", status_code=422)

    def test_only_governance_creates_calls(self) -> None:
        for user in (self.member, self.operator, self.outsider):
            self.assertEqual(
                self.client_for(user).get("/incubazione/bandi/nuovo/").status_code, 403
            )
