"""Operators and their cases: the queue with the service clock, taking a case, the contact
log, the assessment, the fragility profile (encrypted, readable only by the case's operator
and their supervisor, every read logged), proposals, pathways and follow-ups — and the
personas that may not see any of it."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.inclusion import services
from pes.inclusion.models import (
    Case,
    ContactLog,
    FollowUp,
    FragilityProfile,
    Pathway,
    Proposal,
    SpecialAccessLog,
)
from pes.inclusion.tests.factories import (
    CaseFactory,
    OpeningFactory,
    ReadyCaseFactory,
    TeamFactory,
)
from pes.test import BaseTestCase


def all_answers(value: int = 2) -> dict[str, str]:
    definition = services.instrument_current().definition
    return {f"item_{item['code']}": str(value) for item in definition["items"]}


class Queue(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.colleague = UserFactory.create(role=User.Role.OPERATOR, email="collega@example.org")
        cls.mine = CaseFactory.create(operator=cls.operator, person__last_name="Rossi")
        cls.theirs = CaseFactory.create(operator=cls.colleague, person__last_name="Verdi")
        registered = timezone.now() - dt.timedelta(days=40)
        cls.late = CaseFactory.create(registered_at=registered, person__last_name="Neri")
        cls.fresh = CaseFactory.create(person__last_name="Gialli")

    def test_the_queue_shows_my_cases_and_the_unassigned_ones_with_the_clock(self) -> None:
        client = self.client_for(self.operator)
        mine = client.get("/lavoro/casi/")
        self.assertContains(mine, self.mine.reference)
        self.assertNotContains(mine, self.theirs.reference)
        self.assertContains(mine, "35 days left")
        unassigned = client.get("/lavoro/casi/?scope=unassigned")
        self.assertContains(unassigned, self.late.reference)
        self.assertContains(unassigned, self.fresh.reference)
        self.assertNotContains(unassigned, self.theirs.reference)
        self.assertContains(unassigned, "overdue")
        self.assertNotContains(unassigned, "Neri")  # no name before the case is taken
        self.assertNotContains(
            client.get("/lavoro/casi/?scope=unassigned&q=Neri"), self.late.reference
        )
        self.assertContains(unassigned, "First contact overdue: 1")
        late = client.get("/lavoro/casi/?scope=late")
        self.assertContains(late, self.late.reference)
        self.assertNotContains(late, self.fresh.reference)

    def test_the_queue_is_for_operators_only(self) -> None:
        for user in (self.governance, self.member, self.outsider):
            with self.subTest(user=user.email):
                self.assertEqual(self.client_for(user).get("/lavoro/casi/").status_code, 403)
        self.assertEqual(self.client.get("/lavoro/casi/").status_code, 302)

    def test_an_operator_takes_an_unassigned_case(self) -> None:
        client = self.client_for(self.operator)
        response = client.post(f"/lavoro/casi/{self.fresh.pk}/prendi/")
        self.assertRedirects(response, f"/lavoro/casi/{self.fresh.pk}/")
        self.fresh.refresh_from_db()
        self.assertEqual(self.fresh.operator, self.operator)

    def test_an_operator_cannot_take_or_open_another_operators_case(self) -> None:
        client = self.client_for(self.operator)
        self.assertEqual(client.get(f"/lavoro/casi/{self.theirs.pk}/").status_code, 403)
        self.assertEqual(client.post(f"/lavoro/casi/{self.theirs.pk}/prendi/").status_code, 403)
        self.assertEqual(client.get(f"/lavoro/casi/{self.theirs.pk}/profilo/").status_code, 403)
        self.theirs.refresh_from_db()
        self.assertEqual(self.theirs.operator, self.colleague)

    def test_governance_members_and_visitors_never_open_a_case(self) -> None:
        for user in (self.governance, self.member, self.outsider, self.admin):
            with self.subTest(user=user.email):
                client = self.client_for(user)
                self.assertEqual(client.get(f"/lavoro/casi/{self.mine.pk}/").status_code, 403)
                self.assertEqual(
                    client.get(f"/lavoro/casi/{self.mine.pk}/profilo/").status_code, 403
                )

    def test_an_unknown_case_is_not_found(self) -> None:
        self.assertEqual(
            self.client_for(self.operator).get("/lavoro/casi/999999/").status_code, 404
        )

    def test_a_supervisor_opens_the_cases_of_the_team_and_assigns_them(self) -> None:
        team = TeamFactory.create(supervisor=self.operator)
        team.operators.add(self.colleague)
        client = self.client_for(self.operator)
        self.assertEqual(client.get(f"/lavoro/casi/{self.theirs.pk}/").status_code, 200)
        response = client.post(
            f"/lavoro/casi/{self.mine.pk}/",
            {"action": "assign", "assign-operator": self.colleague.pk},
        )
        self.assertEqual(response.status_code, 302)
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.operator, self.colleague)
        # The colleague, who supervises nobody, cannot open the supervisor's own cases.
        other = CaseFactory.create(operator=self.operator)
        self.assertEqual(
            self.client_for(self.colleague).get(f"/lavoro/casi/{other.pk}/").status_code, 403
        )


class Pathway_(BaseTestCase):
    """The whole pathway of one case, through the pages."""

    def test_contact_assessment_profile_proposal_placement_and_follow_up(self) -> None:
        case = CaseFactory.create(operator=self.operator)
        opening = OpeningFactory.create(organization=self.org, role="Addetta alle pulizie")
        from pes.inclusion.models import NetworkMember

        NetworkMember.objects.get_or_create(organization=self.org, defaults={"kind": "company"})
        client = self.client_for(self.operator)
        url = f"/lavoro/casi/{case.pk}/"

        # Assessment before any contact is refused with a message.
        response = client.post(url, {"action": "assess", "assess-outcome": "ready"})
        self.assertContains(response, "Log the first contact")

        response = client.post(
            url,
            {
                "action": "contact",
                "contact-at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "contact-channel": "phone",
                "contact-reached": "on",
                "contact-note": "Fissato il colloquio.",
            },
        )
        self.assertRedirects(response, url)
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.CONTACTED)
        self.assertIsNotNone(case.first_contact_at)
        self.assertFalse(case.is_late)

        response = client.post(url, {"action": "assess", "assess-outcome": "ready"})
        self.assertRedirects(response, url)
        case.refresh_from_db()
        self.assertEqual(case.outcome, Case.Outcome.READY)

        response = client.post(
            f"/lavoro/casi/{case.pk}/profilo/",
            {**all_answers(3), "health_notes": "Diabete di tipo 1.", "disability_notes": ""},
        )
        self.assertRedirects(response, f"/lavoro/casi/{case.pk}/profilo/")
        profile = FragilityProfile.objects.get(case=case)
        self.assertEqual(profile.band, "high")

        page = client.get(url)
        self.assertContains(page, "Suggested openings")
        self.assertContains(page, "Addetta alle pulizie")
        self.assertContains(page, "Has the required skills: Cleaning")
        response = client.post(url, {"action": "propose", "opening": opening.pk})
        self.assertRedirects(response, url)
        proposal = Proposal.objects.get()
        self.assertGreater(proposal.score, 0)
        self.assertNotIn("Diabete", str(proposal.shared))

        # The company accepts.
        company = self.client_for(self.member)
        response = company.post(
            f"/lavoro/proposte/{proposal.pk}/", {"decision": "accept", "note": ""}
        )
        self.assertRedirects(response, f"/lavoro/proposte/{proposal.pk}/")
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, Proposal.Status.ACCEPTED)

        starts = timezone.localdate() - dt.timedelta(days=200)
        response = client.post(
            url,
            {
                "action": "pathway",
                "proposal": proposal.pk,
                "pathway-kind": "fixed_term",
                "pathway-title": "Addetta alle pulizie",
                "pathway-starts_on": starts.isoformat(),
            },
        )
        self.assertRedirects(response, url)
        pathway = Pathway.objects.get()
        self.assertEqual(pathway.organization, self.org)
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.IN_PATHWAY)

        response = client.post(
            url,
            {
                "action": "follow_up",
                "pathway": pathway.pk,
                "follow-months": "6",
                "follow-done_on": timezone.localdate().isoformat(),
                "follow-still_employed": "on",
                "follow-contract": "permanent",
            },
        )
        self.assertRedirects(response, url)
        follow_up = FollowUp.objects.get()
        self.assertTrue(follow_up.still_employed)
        self.assertEqual(follow_up.contract, "permanent")
        self.assertContains(client.get(url), "still employed")

        # The same follow-up twice is refused, and the form keeps the answers.
        response = client.post(
            url,
            {
                "action": "follow_up",
                "pathway": pathway.pk,
                "follow-months": "6",
                "follow-done_on": timezone.localdate().isoformat(),
            },
        )
        self.assertContains(response, "already been recorded")
        self.assertEqual(FollowUp.objects.count(), 1)

        response = client.post(url, {"action": "close", "close-reason": "employed"})
        self.assertRedirects(response, url)
        case.refresh_from_db()
        self.assertEqual(case.closing_reason, "employed")

    def test_not_eligible_closes_the_case_with_that_reason(self) -> None:
        case = CaseFactory.create(operator=self.operator, first_contact_at=timezone.now())
        services.case_assess(case=case, outcome="not_eligible", user=self.operator)
        case.refresh_from_db()
        self.assertEqual(case.status, Case.Status.CLOSED)
        self.assertEqual(case.closing_reason, "not_eligible")

    def test_a_late_first_contact_is_flagged_for_good(self) -> None:
        registered = timezone.now() - dt.timedelta(days=50)
        case = CaseFactory.create(operator=self.operator, registered_at=registered)
        self.assertTrue(case.is_late)
        services.contact_add(
            case=case, data={"channel": ContactLog.Channel.PHONE}, user=self.operator
        )
        case.refresh_from_db()
        self.assertTrue(case.is_late)

    def test_a_contact_in_the_future_is_refused_and_the_form_keeps_it(self) -> None:
        case = CaseFactory.create(operator=self.operator)
        future = timezone.localtime() + dt.timedelta(days=3)
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{case.pk}/",
            {
                "action": "contact",
                "contact-at": future.strftime("%Y-%m-%dT%H:%M"),
                "contact-channel": "email",
                "contact-note": "Nota da non perdere",
            },
        )
        self.assertContains(response, "cannot be in the future")
        self.assertContains(response, "Nota da non perdere")
        self.assertFalse(ContactLog.objects.exists())


class SpecialCategoryData(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.supervisor = UserFactory.create(role=User.Role.OPERATOR, email="capo@example.org")
        cls.colleague = UserFactory.create(role=User.Role.OPERATOR, email="collega@example.org")
        team = TeamFactory.create(supervisor=cls.supervisor)
        team.operators.add(cls.operator)
        cls.case = ReadyCaseFactory.create(operator=cls.operator)
        answers = {k.removeprefix("item_"): int(v) for k, v in all_answers(1).items()}
        services.fragility_profile_save(
            case=cls.case,
            answers=answers,
            health_notes="Epilessia controllata.",
            disability_notes="Invalidità civile 46%.",
            user=cls.operator,
        )

    def test_the_profile_is_encrypted_at_rest(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT health_notes, disability_notes, band, answers FROM "
                "inclusion_fragilityprofile"
            )
            row = cursor.fetchone()
        self.assertNotIn("Epilessia", row[0])
        self.assertNotIn("46%", row[1])
        self.assertNotIn("low", row[2])
        self.assertNotIn("work_experience", row[3])
        self.assertEqual(FragilityProfile.objects.get().health_notes, "Epilessia controllata.")

    def test_reading_needs_a_purpose_and_is_logged(self) -> None:
        client = self.client_for(self.operator)
        page = client.get(f"/lavoro/casi/{self.case.pk}/profilo/")
        self.assertNotContains(page, "Epilessia")
        self.assertFalse(SpecialAccessLog.objects.filter(action="read").exists())
        page = client.get(f"/lavoro/casi/{self.case.pk}/profilo/?purpose=placement")
        self.assertContains(page, "Epilessia controllata.")
        entry = SpecialAccessLog.objects.get(action="read")
        self.assertEqual(
            (entry.user, entry.case, entry.purpose), (self.operator, self.case, "placement")
        )

    def test_the_supervisor_reads_it_too_and_the_read_is_logged_under_their_name(self) -> None:
        page = self.client_for(self.supervisor).get(
            f"/lavoro/casi/{self.case.pk}/profilo/?purpose=supervision"
        )
        self.assertContains(page, "Invalidità civile 46%.")
        self.assertTrue(
            SpecialAccessLog.objects.filter(user=self.supervisor, purpose="supervision").exists()
        )

    def test_nobody_else_reads_it_whatever_their_role(self) -> None:
        for user in (self.colleague, self.governance, self.admin, self.member):
            with self.subTest(user=user.email):
                response = self.client_for(user).get(
                    f"/lavoro/casi/{self.case.pk}/profilo/?purpose=placement"
                )
                self.assertEqual(response.status_code, 403)
        self.assertFalse(SpecialAccessLog.objects.filter(action="read").exists())

    def test_the_admin_never_shows_the_encrypted_fields(self) -> None:
        profile = FragilityProfile.objects.get()
        page = self.client_for(self.admin).get(
            f"/admin/inclusion/fragilityprofile/{profile.pk}/change/"
        )
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Epilessia")

    def test_the_profile_is_scored_on_the_versioned_instrument(self) -> None:
        profile = FragilityProfile.objects.select_related("instrument").get()
        self.assertEqual(profile.instrument.version, "1.0")
        self.assertEqual(profile.band, "low")  # every item at 1 of 3: 33%

    def test_an_answer_outside_the_scale_is_refused(self) -> None:
        response = self.client_for(self.operator).post(
            f"/lavoro/casi/{self.case.pk}/profilo/", {**all_answers(2), "item_work_skills": "7"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        self.assertEqual(FragilityProfile.objects.get().band, "low")
