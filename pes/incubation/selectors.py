"""Reads of the incubation module: call lists, the evaluation of a call (average and spread
per application, disagreement flags, ranking), budgets, the showcase and the dashboard's
funnel. Each read makes a fixed number of queries, whatever the size of the data."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from pes.core.versions import cached
from pes.incubation.models import (
    Application,
    Call,
    ConflictDeclaration,
    Criterion,
    EvaluatorAssignment,
    FollowUp,
    Project,
    Score,
    Tranche,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: Counts of people (jobs for fragile people) below this are not shown in public breakdowns.
SMALL_CELL = 5


def small_cell(n: int | None) -> str:
    """A count of people as shown to the public: fewer than 5 is not given exactly."""
    if not n:
        return "0"
    return str(n) if n >= SMALL_CELL else _("fewer than 5")


# ----------------------------------------------------------------------------- calls


@dataclass
class CallFilters:
    q: str = ""
    target: str = ""
    mission: int | None = None
    open_only: bool = False

    def active(self) -> bool:
        return bool(self.q or self.target or self.mission or self.open_only)


def call_list(*, filters: CallFilters | None = None, unpublished: bool = False) -> QuerySet[Call]:
    filters = filters or CallFilters()
    qs = Call.objects.all() if unpublished else Call.objects.filter(is_published=True)
    if filters.open_only:
        qs = qs.filter(deadline__gt=timezone.now(), opens_on__lte=timezone.localdate())
    if filters.q:
        qs = qs.filter(
            Q(title__icontains=filters.q)
            | Q(description__icontains=filters.q)
            | Q(promoter_name__icontains=filters.q)
        )
    if filters.target:
        qs = (
            qs.filter(targets__contains=[filters.target])
            if _json_contains()
            else qs.filter(targets__icontains=f'"{filters.target}"')
        )
    if filters.mission:
        qs = qs.filter(mission=filters.mission)
    return qs.annotate(
        n_applications=Count("applications", filter=~Q(applications__status="draft"))
    ).order_by("-deadline", "title")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@dataclass
class Budget:
    budget: Decimal
    granted: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.granted

    @property
    def to_pay(self) -> Decimal:
        return self.granted - self.disbursed


def call_budget(call: Call) -> Budget:
    granted = (
        Project.objects.filter(application__call=call).aggregate(total=Sum("grant"))["total"]
        or ZERO
    )
    disbursed = (
        Tranche.objects.filter(project__application__call=call, paid_on__isnull=False).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    return Budget(budget=call.budget, granted=granted, disbursed=disbursed)


# ----------------------------------------------------------------------------- evaluation


def weighted_total(values: dict[int, Decimal], criteria: list[Criterion]) -> Decimal | None:
    """An evaluator's total on 100 points: each score as a share of its criterion's range,
    weighted. ``None`` when a criterion has no score."""
    weights = sum(c.weight for c in criteria)
    if not criteria or weights == 0 or any(c.pk not in values for c in criteria):
        return None
    total = sum((values[c.pk] / Decimal(c.max_score) * Decimal(c.weight) for c in criteria), ZERO)
    return (total / Decimal(weights) * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Evaluation:
    application: Application
    totals: dict[int, Decimal] = field(default_factory=dict)  # evaluator id → total
    conflicts: int = 0
    rank: int | None = None
    threshold: Decimal = Decimal(20)

    @property
    def count(self) -> int:
        return len(self.totals)

    @property
    def average(self) -> Decimal | None:
        if not self.totals:
            return None
        mean = sum(self.totals.values(), ZERO) / len(self.totals)
        return mean.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def spread(self) -> Decimal | None:
        """The distance between the highest and the lowest total."""
        if len(self.totals) < 2:
            return None
        return max(self.totals.values()) - min(self.totals.values())

    @property
    def stdev(self) -> Decimal | None:
        if len(self.totals) < 2:
            return None
        value = statistics.pstdev([float(v) for v in self.totals.values()])
        return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def disagreement(self) -> bool:
        spread = self.spread
        return spread is not None and spread > self.threshold


def call_evaluations(call: Call) -> list[Evaluation]:
    """Every sent application of a call with its evaluators' totals, ranked by average
    (unscored ones last). Four queries."""
    criteria = list(call.criteria.all())
    applications = list(
        Application.objects.filter(call=call)
        .exclude(status=Application.Status.DRAFT)
        .select_related("organization__legal_form", "municipality", "team_lead")
        .order_by("submitted_at", "pk")
    )
    values: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for app_id, evaluator_id, criterion_id, value in Score.objects.filter(
        application__call=call
    ).values_list("application_id", "evaluator_id", "criterion_id", "value"):
        values[(app_id, evaluator_id)][criterion_id] = value
    conflicts: dict[int, int] = defaultdict(int)
    for app_id in ConflictDeclaration.objects.filter(
        application__call=call, has_conflict=True
    ).values_list("application_id", flat=True):
        conflicts[app_id] += 1
    rows = {
        a.pk: Evaluation(application=a, threshold=call.disagreement_threshold) for a in applications
    }
    for (app_id, evaluator_id), by_criterion in values.items():
        total = weighted_total(by_criterion, criteria)
        if total is not None and app_id in rows:
            rows[app_id].totals[evaluator_id] = total
    for app_id, n in conflicts.items():
        if app_id in rows:
            rows[app_id].conflicts = n
    ranked = sorted(
        rows.values(),
        key=lambda r: (r.average is None, -(r.average or ZERO), r.application.pk),
    )
    for i, row in enumerate(r for r in ranked if r.average is not None):
        row.rank = i + 1
    return ranked


def application_evaluation(application: Application) -> tuple[Evaluation, list[dict[str, Any]]]:
    """One application's evaluation, with every score and comment by criterion, for the
    call's managers."""
    call = application.call
    criteria = list(call.criteria.all())
    scores = list(
        Score.objects.filter(application=application)
        .select_related("evaluator")
        .order_by("evaluator_id", "criterion__order")
    )
    by_evaluator: dict[int, dict[int, Decimal]] = defaultdict(dict)
    details: dict[int, dict[str, Any]] = {}
    for s in scores:
        by_evaluator[s.evaluator_id][s.criterion_id] = s.value
        entry = details.setdefault(
            s.evaluator_id, {"evaluator": s.evaluator, "scores": {}, "total": None}
        )
        entry["scores"][s.criterion_id] = s
    evaluation = Evaluation(application=application, threshold=call.disagreement_threshold)
    for evaluator_id, vals in by_evaluator.items():
        total = weighted_total(vals, criteria)
        details[evaluator_id]["total"] = total
        if total is not None:
            evaluation.totals[evaluator_id] = total
    evaluation.conflicts = ConflictDeclaration.objects.filter(
        application=application, has_conflict=True
    ).count()
    rows = [
        {
            "evaluator": d["evaluator"],
            "total": d["total"],
            "scores": [(c, d["scores"].get(c.pk)) for c in criteria],
        }
        for d in details.values()
    ]
    return evaluation, rows


@dataclass
class QueueItem:
    application: Application
    declared: bool
    conflict: bool
    scored: bool


def evaluation_queue(user: Any) -> list[QueueItem]:
    """The sent, undecided applications of the calls a user evaluates, with where the user
    stands on each: to declare, conflict, to score, scored."""
    calls = EvaluatorAssignment.objects.filter(evaluator=user).values("call_id")
    declarations = ConflictDeclaration.objects.filter(application=OuterRef("pk"), evaluator=user)
    applications = (
        Application.objects.filter(call_id__in=calls, status=Application.Status.SUBMITTED)
        .select_related("call", "organization")
        .annotate(
            declared=Exists(declarations),
            conflict=Exists(declarations.filter(has_conflict=True)),
            scored=Exists(Score.objects.filter(application=OuterRef("pk"), evaluator=user)),
        )
        .order_by("call__deadline", "pk")[:500]
    )
    return [
        QueueItem(
            application=a,
            declared=a.declared,  # type: ignore[attr-defined]
            conflict=a.conflict,  # type: ignore[attr-defined]
            scored=a.scored,  # type: ignore[attr-defined]
        )
        for a in applications
    ]


# ----------------------------------------------------------------------------- projects


def latest_follow_ups() -> QuerySet[FollowUp]:
    """For each project, its latest follow-up report."""
    latest = (
        FollowUp.objects.filter(project=OuterRef("project"))
        .order_by("-period")
        .values("period")[:1]
    )
    return FollowUp.objects.filter(period=Subquery(latest))


def project_money(project: Project) -> dict[str, Decimal]:
    totals = project.tranches.aggregate(
        planned=Sum("amount"), paid=Sum("amount", filter=Q(paid_on__isnull=False))
    )
    planned, paid = totals["planned"] or ZERO, totals["paid"] or ZERO
    return {
        "grant": project.grant,
        "planned": planned,
        "paid": paid,
        "unplanned": project.grant - planned,
    }


def showcase(*, q: str = "", district: str = "") -> QuerySet[Project]:
    qs = Project.objects.filter(in_showcase=True, application__call__is_published=True)
    if q:
        qs = qs.filter(
            Q(application__title__icontains=q)
            | Q(application__idea__icontains=q)
            | Q(application__organization__name__icontains=q)
            | Q(application__team_name__icontains=q)
        )
    if district:
        qs = qs.filter(application__municipality__district__slug=district)
    latest = latest_follow_ups().filter(project=OuterRef("pk"))
    return (
        qs.select_related("application__organization", "application__municipality", "cohort__call")
        .annotate(
            jobs=Subquery(latest.values("jobs_created")[:1]),
            active=Subquery(latest.values("is_active")[:1]),
            incorporated=Subquery(latest.values("incorporated")[:1]),
        )
        .order_by("-cohort__starts_on", "application__title")
    )


# ----------------------------------------------------------------------------- dashboard


def _breakdown(applications: QuerySet[Application], key: str) -> list[dict[str, Any]]:
    return list(
        applications.values(key)
        .annotate(
            applicants=Count("id", distinct=True),
            admitted=Count("id", filter=Q(status=Application.Status.ADMITTED), distinct=True),
            funded=Count(
                "id",
                filter=Q(project__tranches__paid_on__isnull=False),
                distinct=True,
            ),
        )
        .order_by("-applicants", key)
    )


#: The data area (``pes.core.versions``) of the dashboard: bumped by writes to the models
#: listed in ``IncubationConfig.ready``.
VERSION_AREA = "incubation"


def dashboard(*, call: Call | None = None) -> dict[str, Any]:
    """The funnel (applicants → evaluated → admitted → funded → surviving), money granted and
    disbursed, jobs created (and how many for fragile people), by district and by kind of
    organisation. Cached under the incubation data version: one query when nothing changed,
    a fixed number otherwise."""
    return cached(
        VERSION_AREA,
        "dashboard",
        lambda: _dashboard(call=call),
        parts=(call.pk if call is not None else "all",),
    )


def _dashboard(*, call: Call | None = None) -> dict[str, Any]:
    applications = Application.objects.exclude(status=Application.Status.DRAFT).filter(
        call__is_published=True
    )
    projects = Project.objects.filter(application__call__is_published=True)
    follow_ups = latest_follow_ups().filter(project__application__call__is_published=True)
    tranches = Tranche.objects.filter(project__application__call__is_published=True)
    if call is not None:
        applications = applications.filter(call=call)
        projects = projects.filter(application__call=call)
        follow_ups = follow_ups.filter(project__application__call=call)
        tranches = tranches.filter(project__application__call=call)
    funnel = applications.aggregate(
        applicants=Count("id"),
        evaluated=Count("id", filter=Q(Exists(Score.objects.filter(application=OuterRef("pk"))))),
        admitted=Count("id", filter=Q(status=Application.Status.ADMITTED)),
    )
    money = projects.aggregate(
        granted=Sum("grant"),
        funded=Count(
            "id",
            filter=Q(Exists(Tranche.objects.filter(project=OuterRef("pk"), paid_on__isnull=False))),
        ),
    )
    disbursed = tranches.filter(paid_on__isnull=False).aggregate(total=Sum("amount"))["total"]
    survival = FollowUp.objects.filter(pk__in=follow_ups.values("pk")).aggregate(
        jobs=Sum("jobs_created"),
        fragile=Sum("jobs_fragile"),
        revenue=Sum("revenue"),
        incorporated=Count("id", filter=Q(incorporated=True)),
    )
    reports = FollowUp.objects.filter(project__in=projects.values("pk"))
    years = reports.aggregate(
        y1=Count("id", filter=Q(period=FollowUp.Period.YEAR_1)),
        y1_active=Count("id", filter=Q(period=FollowUp.Period.YEAR_1, is_active=True)),
        y3=Count("id", filter=Q(period=FollowUp.Period.YEAR_3)),
        y3_active=Count("id", filter=Q(period=FollowUp.Period.YEAR_3, is_active=True)),
    )
    surviving = FollowUp.objects.filter(
        pk__in=follow_ups.values("pk"), period__gte=FollowUp.Period.YEAR_1, is_active=True
    ).count()
    jobs_by_district = {
        r["project__application__municipality__district__name"]: r
        for r in follow_ups.values("project__application__municipality__district__name").annotate(
            jobs=Sum("jobs_created"), fragile=Sum("jobs_fragile")
        )
    }
    jobs_by_kind = {
        r["project__application__organization__legal_form__label"]: r
        for r in follow_ups.values(
            "project__application__organization__legal_form__label"
        ).annotate(jobs=Sum("jobs_created"), fragile=Sum("jobs_fragile"))
    }
    by_district = []
    for r in _breakdown(applications, "municipality__district__name"):
        jobs = jobs_by_district.get(r["municipality__district__name"], {})
        by_district.append(
            {
                "label": r["municipality__district__name"] or "—",
                "applicants": r["applicants"],
                "admitted": r["admitted"],
                "funded": r["funded"],
                "jobs": jobs.get("jobs") or 0,
                "fragile": small_cell(jobs.get("fragile")),
            }
        )
    by_kind = []
    for r in _breakdown(applications, "organization__legal_form__label"):
        jobs = jobs_by_kind.get(r["organization__legal_form__label"], {})
        by_kind.append(
            {
                "label": r["organization__legal_form__label"] or _("Informal team"),
                "applicants": r["applicants"],
                "admitted": r["admitted"],
                "funded": r["funded"],
                "jobs": jobs.get("jobs") or 0,
                "fragile": small_cell(jobs.get("fragile")),
            }
        )
    return {
        "applicants": funnel["applicants"],
        "evaluated": funnel["evaluated"],
        "admitted": funnel["admitted"],
        "funded": money["funded"],
        "surviving": surviving,
        "granted": money["granted"] or ZERO,
        "disbursed": disbursed or ZERO,
        "jobs": survival["jobs"] or 0,
        "jobs_fragile": survival["fragile"] or 0,
        "jobs_fragile_shown": small_cell(survival["fragile"]),
        "revenue": survival["revenue"] or ZERO,
        "incorporated": survival["incorporated"],
        "survival_1": _rate(years["y1_active"], years["y1"]),
        "survival_3": _rate(years["y3_active"], years["y3"]),
        "by_district": by_district,
        "by_kind": by_kind,
    }


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
