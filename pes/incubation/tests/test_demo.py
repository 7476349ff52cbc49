"""The demo data of the module: deterministic, consistent with every rule of the module."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from pes.core.demo import seed_users
from pes.incubation import selectors
from pes.incubation.demo import seed_incubation
from pes.incubation.models import (
    Application,
    Call,
    ConflictDeclaration,
    FollowUp,
    Project,
    Score,
    Tranche,
)
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase


class DemoTests(BaseTestCase):
    def test_tiny_demo_data_is_consistent_and_seeding_again_adds_nothing(self) -> None:
        for _ in range(6):
            OrganizationFactory.create()
        seed_users()
        counts = seed_incubation(size="tiny", seed=7)
        self.assertEqual(counts["calls"], 2)
        self.assertGreaterEqual(counts["applications"], 8)
        self.assertEqual(Call.objects.count(), 2)
        self.assertTrue(all(c.criteria.count() == 4 for c in Call.objects.all()))
        for call in Call.objects.all():
            granted = Project.objects.filter(application__call=call).aggregate(t=Sum("grant"))["t"]
            self.assertLessEqual(granted or 0, call.budget)
        for project in Project.objects.all():
            planned = project.tranches.aggregate(t=Sum("amount"))["t"] or Decimal(0)
            self.assertLessEqual(planned, project.grant)
            self.assertEqual(project.application.status, Application.Status.ADMITTED)
        for tranche in Tranche.objects.filter(paid_on__isnull=False).select_related("milestone"):
            self.assertIsNotNone(tranche.milestone and tranche.milestone.reached_on)
        conflicted = ConflictDeclaration.objects.filter(has_conflict=True)
        for d in conflicted:
            self.assertFalse(
                Score.objects.filter(application=d.application, evaluator=d.evaluator).exists()
            )
        for f in FollowUp.objects.all():
            self.assertLessEqual(f.jobs_fragile, f.jobs_created)
        self.assertTrue(
            Application.objects.filter(status="submitted").exists()
            or Application.objects.filter(status="draft").exists()
        )
        data = selectors.dashboard()
        self.assertGreater(data["applicants"], 0)
        self.assertGreater(data["admitted"], 0)
        self.assertEqual(seed_incubation(size="tiny", seed=7)["calls"], 0)
        self.assertEqual(Call.objects.count(), 2)
