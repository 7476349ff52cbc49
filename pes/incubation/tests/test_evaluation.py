"""Evaluation: evaluators assigned per call declare conflicts of interest before seeing an
application, score each criterion within its range, and the managers see average, spread,
disagreement flags and the ranking, then decide with reasons sent to the applicant."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pes.accounts.tests.factories import UserFactory
from pes.incubation import selectors, services
from pes.incubation.models import Application, ConflictDeclaration, Criterion, Score
from pes.incubation.tests.factories import ApplicationFactory, CallFactory, CohortFactory
from pes.test import BaseTestCase


class EvaluationTests(BaseTestCase):
    def setUp(self) -> None:
        self.call = CallFactory.create(slug="valutata")
        self.impact, self.economy = list(self.call.criteria.all())
        self.expert = UserFactory.create(email="esperta@example.org")
        services.evaluator_assign(call=self.call, evaluator=self.operator)
        services.evaluator_assign(call=self.call, evaluator=self.expert)
        self.application = ApplicationFactory.create(call=self.call, team_lead=self.outsider)

    def scores(self, impact: str, economy: str) -> dict[str, str]:
        return {
            f"score_{self.impact.pk}": impact,
            f"comment_{self.impact.pk}": "Buon radicamento",
            f"score_{self.economy.pk}": economy,
            f"comment_{self.economy.pk}": "",
        }

    def test_an_external_expert_is_marked_as_such(self) -> None:
        kinds = dict(self.call.assignments.values_list("evaluator__email", "is_external"))
        self.assertEqual(kinds, {"operator@example.org": False, "esperta@example.org": True})

    def test_the_evaluator_declares_before_seeing_the_application(self) -> None:
        client = self.client_for(self.operator)
        url = f"/incubazione/candidature/{self.application.pk}/valutazione/"
        page = client.get(url)
        self.assertContains(page, "Do you have a conflict of interest")
        self.assertNotContains(page, self.application.idea[:30])
        self.assertEqual(client.get(self.application.get_absolute_url()).status_code, 302)
        client.post(url, {"has_conflict": "no"})
        page = client.get(url)
        self.assertContains(page, self.application.canvas["value_proposition"])
        response = client.post(url, self.scores("8", "6"))
        self.assertRedirects(response, "/incubazione/valutazioni/")
        self.assertEqual(Score.objects.filter(evaluator=self.operator).count(), 2)

    def test_a_score_outside_the_range_is_refused_and_the_other_is_kept_on_the_form(self) -> None:
        client = self.client_for(self.operator)
        url = f"/incubazione/candidature/{self.application.pk}/valutazione/"
        client.post(url, {"has_conflict": "no"})
        response = client.post(url, self.scores("11", "6"))
        self.assertContains(response, "is between 0 and 10", status_code=422)
        self.assertContains(response, "Buon radicamento", status_code=422)
        self.assertFalse(Score.objects.exists())

    def test_the_database_refuses_a_score_above_its_range(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            Score.objects.create(
                application=self.application,
                evaluator=self.operator,
                criterion=self.impact,
                value=Decimal("10.5"),
                max_score=10,
            )

    def test_an_evaluator_with_a_conflict_cannot_see_or_score(self) -> None:
        client = self.client_for(self.expert)
        url = f"/incubazione/candidature/{self.application.pk}/valutazione/"
        client.post(url, {"has_conflict": "yes", "note": "Parente del proponente"})
        page = client.get(url)
        self.assertContains(page, "you cannot see or score it")
        self.assertNotContains(page, self.application.canvas["value_proposition"])
        response = client.post(url, self.scores("8", "8"))
        self.assertNotContains(response, "Your scores have been saved", status_code=200)
        self.assertFalse(Score.objects.exists())
        with self.assertRaisesMessage(ValidationError, "declared a conflict of interest"):
            services.application_score(
                application=self.application,
                evaluator=self.expert,
                scores={self.impact.pk: (8, ""), self.economy.pk: (8, "")},
            )
        self.assertEqual(
            self.client_for(self.expert).get(self.application.get_absolute_url()).status_code,
            302,
        )

    def test_scoring_without_a_declaration_is_refused(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Declare whether"):
            services.application_score(
                application=self.application,
                evaluator=self.operator,
                scores={self.impact.pk: (8, ""), self.economy.pk: (8, "")},
            )

    def test_someone_not_assigned_cannot_evaluate(self) -> None:
        url = f"/incubazione/candidature/{self.application.pk}/valutazione/"
        self.assertEqual(self.client_for(self.member).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.governance).get(url).status_code, 404)

    def test_average_spread_disagreement_and_ranking(self) -> None:
        other = ApplicationFactory.create(call=self.call)
        for application in (self.application, other):
            for evaluator in (self.operator, self.expert):
                services.conflict_declare(
                    application=application, evaluator=evaluator, has_conflict=False
                )
        # weights 60/40 on 10 points: 8 and 6 → 72; 9 and 9 → 90; 2 and 4 → 28.
        services.application_score(
            application=self.application,
            evaluator=self.operator,
            scores={self.impact.pk: (8, ""), self.economy.pk: (6, "")},
        )
        services.application_score(
            application=self.application,
            evaluator=self.expert,
            scores={self.impact.pk: (9, ""), self.economy.pk: (9, "")},
        )
        services.application_score(
            application=other,
            evaluator=self.operator,
            scores={self.impact.pk: (9, ""), self.economy.pk: (9, "")},
        )
        services.application_score(
            application=other,
            evaluator=self.expert,
            scores={self.impact.pk: (2, ""), self.economy.pk: (4, "")},
        )
        with self.assertNumQueries(4):
            rows = selectors.call_evaluations(self.call)
        first, second = rows
        self.assertEqual(first.application, self.application)
        self.assertEqual(
            (first.rank, first.average, first.spread), (1, Decimal("81.0"), Decimal("18.0"))
        )
        self.assertFalse(first.disagreement)
        self.assertEqual(
            (second.rank, second.average, second.spread), (2, Decimal("59.0"), Decimal("62.0"))
        )
        self.assertTrue(second.disagreement)
        page = self.client_for(self.governance).get("/incubazione/bandi/valutata/graduatoria/")
        self.assertContains(page, "Evaluators disagree", count=1)
        csv = self.client_for(self.governance).get(
            "/incubazione/bandi/valutata/graduatoria/?format=csv"
        )
        self.assertIn("81.0", csv.content.decode())
        self.assertEqual(
            self.client_for(self.operator)
            .get("/incubazione/bandi/valutata/graduatoria/")
            .status_code,
            403,
        )

    def test_a_weighted_total_needs_every_criterion(self) -> None:
        criteria = list(Criterion.objects.filter(call=self.call))
        self.assertIsNone(selectors.weighted_total({self.impact.pk: Decimal(5)}, criteria))
        self.assertEqual(
            selectors.weighted_total(
                {self.impact.pk: Decimal(10), self.economy.pk: Decimal(0)}, criteria
            ),
            Decimal("60.0"),
        )

    def test_a_decision_needs_reasons_and_is_sent_to_the_applicant(self) -> None:
        cohort = CohortFactory.create(call=self.call)
        client = self.client_for(self.governance)
        url = f"/incubazione/candidature/{self.application.pk}/decisione/"
        response = client.post(url, {"decision": "admit", "reason": "", "cohort": cohort.pk})
        self.assertEqual(response.status_code, 422)
        with self.captureOnCommitCallbacks(execute=True):
            response = client.post(
                url,
                {
                    "decision": "admit",
                    "reason": "Progetto solido",
                    "cohort": cohort.pk,
                    "grant": "15000",
                },
            )
        self.assertRedirects(response, self.application.get_absolute_url())
        self.application.refresh_from_db()
        self.assertEqual(self.application.status, Application.Status.ADMITTED)
        self.assertEqual(self.application.project.grant, Decimal("15000"))
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Progetto solido", mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].to, [self.outsider.email])
        page = self.client_for(self.outsider).get(self.application.get_absolute_url())
        self.assertContains(page, "Progetto solido")
        self.assertContains(page, "Admitted")
        # Scores are closed once decided.
        ConflictDeclaration.objects.create(
            application=self.application, evaluator=self.operator, has_conflict=False
        )
        with self.assertRaisesMessage(ValidationError, "not yet decided"):
            services.application_score(
                application=self.application,
                evaluator=self.operator,
                scores={self.impact.pk: (8, ""), self.economy.pk: (8, "")},
            )

    def test_an_evaluator_is_assigned_by_email_and_unknown_emails_are_explained(self) -> None:
        client = self.client_for(self.governance)
        url = "/incubazione/bandi/valutata/valutatori/"
        response = client.post(url, {"email": "nessuno@example.org"})
        self.assertContains(response, "ask them to sign up first", status_code=422)
        response = client.post(url, {"email": self.member.email})
        self.assertRedirects(response, url)
        self.assertTrue(self.call.assignments.filter(evaluator=self.member).exists())
        response = client.post(url, {"email": self.member.email})
        self.assertContains(response, "already evaluates", status_code=422)
