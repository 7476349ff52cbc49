"""The demo data: deterministic, consistent and not added twice."""

from __future__ import annotations

from django.db.models import Count

from pes.core.demo import seed_organizations, seed_users
from pes.impact.demo import seed_impact
from pes.impact.models import (
    Answer,
    Campaign,
    Measure,
    Outcome,
    Participant,
    Report,
    Sroi,
    SurveyToken,
    Theory,
)
from pes.impact.selectors import campaign_results, sroi_result


def test_seeding_tiny_gives_consistent_impact_data(db):
    seed_organizations(count=30, seed=7)
    seed_users()
    counts = seed_impact(size="tiny", seed=7)
    assert counts["theories"] == Theory.objects.count() == 6
    assert Sroi.objects.count() == Report.objects.count() == 6
    assert Measure.objects.count() == 24
    assert Outcome.objects.count() >= 6
    assert Report.objects.filter(is_published=True).count() == 3
    # Every published report is complete, every SROI can be calculated.
    assert all(r.phases_done() == 6 for r in Report.objects.all())
    assert all(sroi_result(s) is not None for s in Sroi.objects.all())
    # The member's organisation takes part and has a theory of change.
    member_org = Theory.objects.filter(created_by__email="member@pes.example").values_list(
        "organization_id", flat=True
    )
    assert Participant.objects.filter(organization_id__in=member_org).count() == 2
    validated = Campaign.objects.get(status="validated")
    results = campaign_results(validated)
    assert results.participants == 6 and results.submitted >= 1
    per_participant = (
        Answer.objects.values("participant").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert set(per_participant) == {validated.method.items.count()}
    survey = validated.surveys.get()
    assert (
        survey.responses.count() == SurveyToken.objects.filter(used_at__isnull=False).count() >= 5
    )
    assert counts["answers"] == Answer.objects.count()
    # Once only.
    assert seed_impact(size="tiny", seed=7)["theories"] == 0
    assert Theory.objects.count() == 6


def test_the_same_seed_gives_the_same_data(db):
    seed_organizations(count=20, seed=3)
    seed_impact(size="tiny", seed=3)
    first = list(Outcome.objects.order_by("id").values_list("quantity", "deadweight", "duration"))
    answers = list(Answer.objects.order_by("id").values_list("number", "women"))
    Campaign.objects.all().delete()
    Theory.objects.all().delete()
    seed_impact(size="tiny", seed=3)
    assert (
        list(Outcome.objects.order_by("id").values_list("quantity", "deadweight", "duration"))
        == first
    )
    assert list(Answer.objects.order_by("id").values_list("number", "women")) == answers
