"""Reads of the impact module: the indicator library with filters, campaign results
aggregated across organisations, survey response rates and means, SROI results."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum

from pes.impact import sroi as sroi_maths
from pes.impact.models import (
    Answer,
    Campaign,
    DataType,
    Indicator,
    Method,
    MethodIndicator,
    Participant,
    Proxy,
    Question,
    ResponseItem,
    Sroi,
    Survey,
    SurveyToken,
)
from pes.impact.services import sroi_inputs

#: Survey figures are shown only from this many responses: no cell under 5.
MIN_RESPONSES = 5


@dataclass
class IndicatorFilters:
    q: str = ""
    theme: str = ""
    data_type: str = ""
    core_only: bool = False

    def active(self) -> bool:
        return bool(self.q or self.theme or self.data_type or self.core_only)


def indicator_list(*, filters: IndicatorFilters | None = None) -> QuerySet[Indicator]:
    filters = filters or IndicatorFilters()
    qs = Indicator.objects.select_related("organization")
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(code__icontains=filters.q)
            | Q(definition__icontains=filters.q)
            | Q(sdg_target__startswith=filters.q)
        )
    if filters.theme:
        qs = qs.filter(theme=filters.theme)
    if filters.data_type:
        qs = qs.filter(data_type=filters.data_type)
    if filters.core_only:
        qs = qs.filter(is_core=True)
    return qs.order_by("-is_core", "code")


def indicator_themes() -> list[str]:
    return list(
        Indicator.objects.exclude(theme="")
        .order_by("theme")
        .values_list("theme", flat=True)
        .distinct()
    )


def proxy_list() -> QuerySet[Proxy]:
    return Proxy.objects.select_related("organization").order_by("name")


def method_list() -> QuerySet[Method]:
    return Method.objects.annotate(
        n_indicators=Count("items"), n_campaigns=Count("campaigns", distinct=True)
    )


def method_items(method: Method) -> list[MethodIndicator]:
    return list(method.items.select_related("indicator"))


# ----------------------------------------------------------------------------- campaigns


@dataclass
class IndicatorResult:
    indicator: Indicator
    answers: int
    total: Decimal | None = None
    mean: Decimal | None = None
    women: int = 0
    men: int = 0
    other: int = 0
    yes: int = 0
    texts: list[str] = field(default_factory=list)

    @property
    def yes_share(self) -> Decimal | None:
        if not self.answers:
            return None
        return (Decimal(self.yes) * 100 / self.answers).quantize(Decimal("0.1"))


@dataclass
class CampaignResults:
    campaign: Campaign
    participants: int
    submitted: int
    indicators: list[IndicatorResult]
    surveys: list[SurveyStats]

    @property
    def answer_rate(self) -> Decimal:
        if not self.participants:
            return Decimal(0)
        return (Decimal(self.submitted) * 100 / self.participants).quantize(Decimal("0.1"))


def campaign_participants(campaign: Campaign) -> list[Participant]:
    return list(
        campaign.participants.select_related("organization").annotate(n_answers=Count("answers"))
    )


def campaign_results(campaign: Campaign, *, with_texts: bool = False) -> CampaignResults:
    """Per indicator of the method: answers, sum and mean (numbers), the gender split, the
    share of yes; a constant number of queries, whatever the size of the campaign."""
    items = method_items(campaign.method)
    numeric = (
        Answer.objects.filter(participant__campaign=campaign)
        .values("indicator_id")
        .annotate(
            n=Count("id"),
            total=Sum("number"),
            mean=Avg("number"),
            women=Sum("women"),
            men=Sum("men"),
            other=Sum("other"),
            yes=Count("id", filter=Q(flag=True)),
        )
    )
    by_indicator = {row["indicator_id"]: row for row in numeric}
    texts: dict[int, list[str]] = {}
    if with_texts:
        for ind_id, text in (
            Answer.objects.filter(participant__campaign=campaign)
            .exclude(text="")
            .values_list("indicator_id", "text")[:500]
        ):
            texts.setdefault(ind_id, []).append(text)
    results = []
    for item in items:
        row = by_indicator.get(item.indicator_id, {})
        kind = item.indicator.data_type
        result = IndicatorResult(indicator=item.indicator, answers=row.get("n", 0))
        if kind == DataType.GENDER_COUNT:
            result.women = row.get("women") or 0
            result.men = row.get("men") or 0
            result.other = row.get("other") or 0
            result.total = Decimal(result.women + result.men + result.other)
        elif kind in {DataType.INTEGER, DataType.DECIMAL, DataType.MONEY, DataType.PERCENTAGE}:
            if row.get("total") is not None:
                result.total = Decimal(row["total"]).quantize(Decimal("0.01"))
                result.mean = Decimal(row["mean"]).quantize(Decimal("0.01"))
            if kind == DataType.PERCENTAGE:
                result.total = None  # a sum of percentages means nothing
        elif kind == DataType.BOOLEAN:
            result.yes = row.get("yes", 0)
        result.texts = texts.get(item.indicator_id, [])
        results.append(result)
    counts = campaign.participants.aggregate(
        n=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False))
    )
    return CampaignResults(
        campaign=campaign,
        participants=counts["n"],
        submitted=counts["done"],
        indicators=results,
        surveys=[survey_stats(s) for s in campaign.surveys.all()],
    )


# ----------------------------------------------------------------------------- surveys


@dataclass
class QuestionStats:
    question: Question
    answers: int
    mean: Decimal | None = None
    yes_share: Decimal | None = None


@dataclass
class SurveyStats:
    survey: Survey
    issued: int
    used: int
    responses: int
    questions: list[QuestionStats]

    @property
    def response_rate(self) -> Decimal | None:
        if not self.issued:
            return None
        return (Decimal(self.used) * 100 / self.issued).quantize(Decimal("0.1"))

    @property
    def shown(self) -> bool:
        return self.responses >= MIN_RESPONSES


def survey_stats(survey: Survey) -> SurveyStats:
    tokens = SurveyToken.objects.filter(survey=survey).aggregate(
        n=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))
    )
    per_question = {
        row["question_id"]: row
        for row in ResponseItem.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("id"), mean=Avg("score"), yes=Count("id", filter=Q(flag=True)))
    }
    questions = []
    for q in survey.questions.all():
        row = per_question.get(q.pk, {})
        stats = QuestionStats(question=q, answers=row.get("n", 0))
        if q.kind == Question.Kind.SCALE and row.get("mean") is not None:
            stats.mean = Decimal(str(row["mean"])).quantize(Decimal("0.01"))
        if q.kind == Question.Kind.YES_NO and stats.answers:
            stats.yes_share = (Decimal(row["yes"]) * 100 / stats.answers).quantize(Decimal("0.1"))
        questions.append(stats)
    return SurveyStats(
        survey=survey,
        issued=tokens["n"],
        used=tokens["used"],
        responses=survey.responses.count(),
        questions=questions,
    )


# ----------------------------------------------------------------------------- SROI


def sroi_result(sroi: Sroi) -> sroi_maths.SroiResult | None:
    """The SROI figures, or ``None`` while the analysis has no outcome."""
    inputs = sroi_inputs(sroi)
    if not inputs:
        return None
    return sroi_maths.calculate(
        investment=sroi.investment, rate=sroi.discount_rate, outcomes=inputs
    )


def campaigns_for_member(user: Any) -> QuerySet[Participant]:
    if not (user and user.is_authenticated):
        return Participant.objects.none()
    return (
        Participant.objects.filter(organization__memberships__user=user)
        .select_related("campaign__method", "organization")
        .order_by("-campaign__year", "campaign__title")
    )
