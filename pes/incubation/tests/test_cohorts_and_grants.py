"""Cohorts, milestones, mentoring, grants and tranches, follow-up reports, the showcase and
the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pes.incubation import selectors, services
from pes.incubation.models import FollowUp, Project, Tranche
from pes.incubation.tests.factories import ApplicationFactory, CallFactory, CohortFactory
from pes.test import BaseTestCase


class GrantTests(BaseTestCase):
    def setUp(self) -> None:
        self.call = CallFactory.create(
            slug="con-fondi", budget=Decimal("30000"), max_grant=Decimal("20000")
        )
        self.cohort = CohortFactory.create(call=self.call, name="Prima coorte")
        self.application = ApplicationFactory.create(call=self.call, team_lead=self.outsider)
        services.application_decide(
            application=self.application,
            admitted=True,
            reason="Ammesso",
            cohort=self.cohort,
            grant=Decimal("20000"),
        )
        self.project = Project.objects.get()
        self.url = self.project.get_absolute_url()

    def test_grants_never_exceed_the_calls_budget(self) -> None:
        other = ApplicationFactory.create(call=self.call)
        with self.assertRaisesMessage(ValidationError, "remaining budget is € 10000.00"):
            services.application_decide(
                application=other,
                admitted=True,
                reason="Ammesso",
                cohort=self.cohort,
                grant=Decimal("15000"),
            )
        other.refresh_from_db()
        self.assertEqual(other.status, "submitted")
        self.assertEqual(selectors.call_budget(self.call).remaining, Decimal("10000"))

    def test_a_tranche_over_the_grant_is_refused_with_a_clear_message(self) -> None:
        client = self.client_for(self.governance)
        client.post(self.url, {"form": "tranche", "tranche-amount": "12000"})
        response = client.post(self.url, {"form": "tranche", "tranche-amount": "9000"})
        self.assertContains(response, "can be at most € 8000.00", status_code=422)
        self.assertContains(response, 'value="9000"', status_code=422)
        self.assertEqual(list(Tranche.objects.values_list("amount", flat=True)), [Decimal("12000")])

    def test_a_tranche_is_paid_only_once_its_milestone_is_reached(self) -> None:
        client = self.client_for(self.governance)
        client.post(
            self.url, {"form": "milestone", "title": "Costituzione", "due_on": "2026-03-01"}
        )
        milestone = self.project.milestones.get()
        client.post(
            self.url,
            {"form": "tranche", "tranche-amount": "8000", "tranche-milestone": milestone.pk},
        )
        tranche = Tranche.objects.get()
        today = timezone.localdate().isoformat()
        response = client.post(
            self.url,
            {"form": "payment", "tranche": tranche.pk, "paid_on": today, "reference": "CRO 1"},
        )
        self.assertContains(response, "has not been reached yet", status_code=422)
        client.post(
            self.url,
            {
                "form": "reach",
                "reach-milestone": milestone.pk,
                "reach-reached_on": today,
                "evidence": "Atto notarile",
            },
        )
        response = client.post(
            self.url,
            {"form": "payment", "tranche": tranche.pk, "paid_on": today, "reference": "CRO 1"},
        )
        self.assertRedirects(response, self.url)
        tranche.refresh_from_db()
        self.assertEqual(tranche.payment_reference, "CRO 1")
        self.assertEqual(selectors.call_budget(self.call).disbursed, Decimal("8000"))

    def test_the_grant_cannot_drop_below_its_tranches(self) -> None:
        services.tranche_add(project=self.project, amount=Decimal("15000"))
        with self.assertRaisesMessage(ValidationError, "cannot be smaller"):
            services.project_set_grant(project=self.project, grant=Decimal("10000"))

    def test_the_database_refuses_a_negative_grant_or_tranche(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Project.objects.filter(pk=self.project.pk).update(grant=Decimal("-1"))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Tranche.objects.create(project=self.project, amount=Decimal(0))

    def test_mentoring_sessions_are_logged_by_the_mentor(self) -> None:
        client = self.client_for(self.governance)
        client.post(self.url, {"form": "mentor", "email": self.operator.email})
        mentor = self.client_for(self.operator)
        yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        response = mentor.post(
            self.url,
            {"form": "session", "held_on": yesterday, "hours": "2.5", "topics": "Piano economico"},
        )
        self.assertRedirects(response, self.url)
        response = mentor.post(
            self.url, {"form": "session", "held_on": yesterday, "hours": "30", "topics": "Troppo"}
        )
        self.assertContains(response, "at most 12 hours", status_code=422)
        self.assertEqual(self.project.sessions.count(), 1)
        self.assertEqual(
            mentor.post(self.url, {"form": "tranche", "tranche-amount": "1"}).status_code, 403
        )

    def test_the_team_sees_its_project_and_reports_outcomes(self) -> None:
        team = self.client_for(self.outsider)
        self.assertEqual(team.get(self.url).status_code, 200)
        response = team.post(
            self.url,
            {
                "form": "follow_up",
                "period": "12",
                "is_active": "on",
                "jobs_created": "2",
                "jobs_fragile": "3",
                "revenue": "1000",
            },
        )
        self.assertContains(response, "they cannot be more", status_code=422)
        response = team.post(
            self.url,
            {
                "form": "follow_up",
                "period": "12",
                "is_active": "on",
                "jobs_created": "4",
                "jobs_fragile": "1",
                "revenue": "52000",
            },
        )
        self.assertRedirects(response, self.url)
        self.assertEqual(FollowUp.objects.get().jobs_created, 4)
        self.assertEqual(team.post(self.url, {"form": "grant", "grant": "1"}).status_code, 403)
        self.assertEqual(self.client_for(self.member).get(self.url).status_code, 404)

    def test_the_showcase_and_dashboard_show_the_outcomes(self) -> None:
        services.follow_up_report(
            project=self.project,
            period=FollowUp.Period.YEAR_1,
            data={
                "is_active": True,
                "jobs_created": 6,
                "jobs_fragile": 2,
                "revenue": Decimal(80000),
            },
        )
        m = services.milestone_add(
            project=self.project, title="Apertura", due_on=timezone.localdate()
        )
        t = services.tranche_add(project=self.project, amount=Decimal("5000"), milestone=m)
        services.milestone_reach(milestone=m, reached_on=timezone.localdate())
        services.tranche_pay(tranche=t, paid_on=timezone.localdate(), reference="CRO 7")
        client = self.client_for(None)
        showcase = client.get("/incubazione/vetrina/")
        self.assertContains(showcase, self.application.title)
        self.assertContains(showcase, "6 jobs created")
        self.assertEqual(client.get(f"/incubazione/vetrina/{self.project.pk}/").status_code, 200)
        with self.assertNumQueries(11):  # the data version, then the figures
            data = selectors.dashboard()
        with self.assertNumQueries(1):  # nothing written since: from the cache
            self.assertEqual(selectors.dashboard(), data)
        self.assertEqual(
            (data["applicants"], data["admitted"], data["funded"], data["surviving"]), (1, 1, 1, 1)
        )
        self.assertEqual(data["disbursed"], Decimal("5000"))
        self.assertEqual(data["jobs"], 6)
        self.assertEqual(data["jobs_fragile_shown"], "fewer than 5")
        page = client.get("/incubazione/cruscotto/")
        self.assertContains(page, "fewer than 5")
        self.assertNotContains(page, ">2<")
        self.project.in_showcase = False
        self.project.save()
        self.assertNotContains(client.get("/incubazione/vetrina/"), self.application.title)
        csv = client.get("/incubazione/cruscotto/?format=csv").content.decode()
        self.assertIn("by_district", csv)
        # A write to what it counts shows at once, though the figures are cached.
        services.tranche_pay(
            tranche=services.tranche_add(project=self.project, amount=Decimal("2500")),
            paid_on=timezone.localdate(),
            reference="CRO 8",
        )
        self.assertEqual(selectors.dashboard()["disbursed"], Decimal("7500"))
