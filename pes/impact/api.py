"""Impact evaluation API, mounted at ``/api/v1/impact``: the indicator library and proxies
(public read; token to add), methods (public), campaigns, answers and results (token, with
permissions; a validated campaign's results are public), SROI analyses (token) and a
stateless SROI calculator (public)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.impact import selectors, services
from pes.impact import sroi as sroi_maths
from pes.impact.access import campaign_for_user, participant_for_user, sroi_for_user
from pes.impact.models import Answer, Campaign, DataType, Indicator, Method
from pes.registry.access import organization_for_user_edit, user_is_governance

router = Router()


class ErrorOut(Schema):
    detail: Any


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    definition: str
    unit: str
    data_type: str
    theme: str
    sdg_target: str
    iris_id: str
    is_core: bool
    organization_id: int | None = None


class IndicatorPage(Schema):
    count: int
    page: int
    pages: int
    results: list[IndicatorOut]


class IndicatorFiltersIn(Schema):
    q: str = Field("", max_length=100)
    theme: str = Field("", max_length=60)
    data_type: str = ""
    core: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class IndicatorIn(Schema):
    organization_id: int
    name: str = Field(..., min_length=1, max_length=255)
    definition: str = Field(..., min_length=1, max_length=4000)
    unit: str = Field(..., min_length=1, max_length=60)
    data_type: str
    theme: str = Field("", max_length=60)
    sdg_target: str = Field("", max_length=10)
    iris_id: str = Field("", max_length=10)


class ProxyOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    euro_per_unit: Decimal
    source: str
    source_url: str
    year: int | None = None
    to_check: bool


class MethodOut(Schema):
    id: int
    slug: str
    name: str
    version: int
    unit: str
    indicators: list[str]


class CampaignOut(Schema):
    id: int
    title: str
    year: int
    status: str
    method_id: int


class ResultOut(Schema):
    indicator: str
    answers: int
    total: Decimal | None = None
    mean: Decimal | None = None
    women: int
    men: int
    other: int
    yes_share: Decimal | None = None


class SurveyOut(Schema):
    id: int
    title: str
    issued: int
    used: int
    response_rate: Decimal | None = None


class CampaignResultsOut(Schema):
    campaign: CampaignOut
    participants: int
    submitted: int
    results: list[ResultOut]
    surveys: list[SurveyOut]


class AnswerOut(Schema):
    indicator: str
    value: Any
    women: int | None = None
    men: int | None = None
    other: int | None = None


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        ..., description="Indicator code → value (a dict of women/men/other for a count by gender)"
    )
    submit: bool = False


class OutcomeIn(Schema):
    name: str = Field("", max_length=255)
    quantity: Decimal
    value_per_unit: Decimal
    deadweight: Decimal = Decimal(0)
    displacement: Decimal = Decimal(0)
    attribution: Decimal = Decimal(0)
    drop_off: Decimal = Decimal(0)
    duration: int = 1


class SroiIn(Schema):
    investment: Decimal
    discount_rate: Decimal = sroi_maths.DEFAULT_RATE
    outcomes: list[OutcomeIn] = Field(..., min_length=1, max_length=100)


class SensitivityOut(Schema):
    parameter: str
    change: str
    present_value: Decimal
    ratio: Decimal


class SroiOut(Schema):
    investment: Decimal
    discount_rate: Decimal
    by_year: list[Decimal]
    discounted_by_year: list[Decimal]
    total_value: Decimal
    present_value: Decimal
    net_present_value: Decimal
    ratio: Decimal
    payback_years: Decimal | None = None
    sensitivity: list[SensitivityOut]


def _indicator(i: Indicator) -> dict[str, Any]:
    return {
        "id": i.pk,
        "code": i.code,
        "name": i.name,
        "definition": i.definition,
        "unit": i.unit,
        "data_type": i.data_type,
        "theme": i.theme,
        "sdg_target": i.sdg_target,
        "iris_id": i.iris_id,
        "is_core": i.is_core,
        "organization_id": i.organization_id,
    }


def _campaign(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "year": c.year,
        "status": c.status,
        "method_id": c.method_id,
    }


def _result(result: sroi_maths.SroiResult) -> dict[str, Any]:
    return {
        "investment": result.investment,
        "discount_rate": result.rate,
        "by_year": result.by_year,
        "discounted_by_year": result.discounted_by_year,
        "total_value": result.total_value,
        "present_value": result.present_value,
        "net_present_value": result.net_present_value,
        "ratio": result.ratio,
        "payback_years": result.payback_years,
        "sensitivity": [vars(r) for r in result.sensitivity],
    }


# ----------------------------------------------------------------------------- library


@router.get("/indicators", response=IndicatorPage, summary="The indicator library")
def list_indicators(request: HttpRequest, filters: Query[IndicatorFiltersIn]) -> dict[str, Any]:
    qs = selectors.indicator_list(
        filters=selectors.IndicatorFilters(
            q=filters.q, theme=filters.theme, data_type=filters.data_type, core_only=filters.core
        )
    )
    page = Paginator(qs, filters.page_size).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_indicator(i) for i in page.object_list],
    }


@router.post(
    "/indicators",
    auth=token_auth,
    response={201: IndicatorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add an organisation's own indicator (token)",
)
def create_indicator(request: HttpRequest, payload: IndicatorIn) -> Any:
    org = organization_for_user_edit(request.user, pk=payload.organization_id)
    data = payload.dict(exclude={"organization_id"})
    try:
        indicator = services.indicator_create(organization=org, data=data, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _indicator(indicator))


@router.get("/proxies", response=list[ProxyOut], summary="Financial proxies with their sources")
def list_proxies(request: HttpRequest) -> Any:
    return list(selectors.proxy_list()[:1000])


@router.get("/methods", response=list[MethodOut], summary="Methods and their indicators")
def list_methods(request: HttpRequest) -> Any:
    methods = Method.objects.prefetch_related("items__indicator")[:500]
    return [
        {
            "id": m.pk,
            "slug": m.slug,
            "name": m.name,
            "version": m.version,
            "unit": m.unit,
            "indicators": [item.indicator.code for item in m.items.all()],
        }
        for m in methods
    ]


@router.get("/methods/{method_id}", response={200: MethodOut, 404: ErrorOut})
def get_method(request: HttpRequest, method_id: int) -> Any:
    m = get_object_or_404(Method, pk=method_id)
    return {
        "id": m.pk,
        "slug": m.slug,
        "name": m.name,
        "version": m.version,
        "unit": m.unit,
        "indicators": [item.indicator.code for item in selectors.method_items(m)],
    }


# ----------------------------------------------------------------------------- campaigns


@router.get(
    "/campaigns",
    auth=token_auth,
    response=list[CampaignOut],
    summary="Campaigns one runs (governance) or is asked to answer (token)",
)
def list_campaigns(request: HttpRequest) -> Any:
    if user_is_governance(request.user):
        qs = Campaign.objects.all()
    else:
        member_of = {"participants__organization__memberships__user": request.user}
        qs = Campaign.objects.filter(**member_of).distinct()
    return [_campaign(c) for c in qs[:500]]


@router.get(
    "/campaigns/{campaign_id}/results",
    response={200: CampaignResultsOut, 404: ErrorOut},
    summary="Aggregate results of a validated campaign (public)",
)
def campaign_results(request: HttpRequest, campaign_id: int) -> Any:
    campaign = campaign_for_user(request.user, campaign_id)
    return _campaign_results(campaign)


@router.get(
    "/campaigns/{campaign_id}/results/live",
    auth=token_auth,
    response={200: CampaignResultsOut, 404: ErrorOut},
    summary="Aggregate results of any campaign one takes part in or runs (token)",
)
def campaign_results_live(request: HttpRequest, campaign_id: int) -> Any:
    return _campaign_results(campaign_for_user(request.user, campaign_id))


def _campaign_results(campaign: Campaign) -> dict[str, Any]:
    results = selectors.campaign_results(campaign)
    return {
        "campaign": _campaign(campaign),
        "participants": results.participants,
        "submitted": results.submitted,
        "results": [
            {
                "indicator": r.indicator.code,
                "answers": r.answers,
                "total": r.total,
                "mean": r.mean,
                "women": r.women,
                "men": r.men,
                "other": r.other,
                "yes_share": r.yes_share if r.indicator.data_type == DataType.BOOLEAN else None,
            }
            for r in results.indicators
        ],
        "surveys": [
            {
                "id": s.survey.pk,
                "title": s.survey.title,
                "issued": s.issued,
                "used": s.used,
                "response_rate": s.response_rate,
            }
            for s in results.surveys
        ],
    }


def _answers(participant: Any) -> list[dict[str, Any]]:
    out = []
    for a in Answer.objects.filter(participant=participant).select_related("indicator"):
        value = a.value()
        out.append(
            {
                "indicator": a.indicator.code,
                "value": str(value) if isinstance(value, Decimal) else value,
                "women": a.women,
                "men": a.men,
                "other": a.other,
            }
        )
    return out


@router.get(
    "/participants/{participant_id}/answers",
    auth=token_auth,
    response={200: list[AnswerOut], 404: ErrorOut},
    summary="A participant's answers (token)",
)
def get_answers(request: HttpRequest, participant_id: int) -> Any:
    return _answers(participant_for_user(request.user, participant_id))


@router.put(
    "/participants/{participant_id}/answers",
    auth=token_auth,
    response={200: list[AnswerOut], 404: ErrorOut},
    summary="Save (and optionally submit) a participant's answers, by indicator code (token)",
)
def put_answers(request: HttpRequest, participant_id: int, payload: AnswersIn) -> Any:
    participant = participant_for_user(request.user, participant_id)
    codes = dict(
        Indicator.objects.filter(
            code__in=list(payload.answers), methods=participant.campaign.method_id
        ).values_list("code", "pk")
    )
    unknown = [c for c in payload.answers if c not in codes]
    if unknown:
        raise field_errors(
            {
                "answers": [
                    _("Unknown indicators for this method: %(codes)s")
                    % {"codes": ", ".join(unknown[:10])}
                ]
            }
        )
    values = {codes[code]: value for code, value in payload.answers.items()}
    try:
        services.answers_save(
            participant=participant, values=values, submit=payload.submit, user=request.user
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            by_code = {f"ind_{pk}": code for code, pk in codes.items()}
            raise field_errors(
                {by_code.get(k, k): [str(m) for m in v] for k, v in exc.message_dict.items()}
            ) from exc
        raise service_errors(exc) from exc
    return _answers(participant)


# ----------------------------------------------------------------------------- SROI


def _sroi_errors(exc: sroi_maths.SroiError) -> Any:
    return field_errors({k: [v] for k, v in exc.errors.items()})


@router.post(
    "/sroi/calculate", response={200: SroiOut}, summary="Calculate an SROI (public, nothing stored)"
)
def calculate_sroi(request: HttpRequest, payload: SroiIn) -> Any:
    numbers = [payload.investment, payload.discount_rate] + [
        getattr(o, f)
        for o in payload.outcomes
        for f in (
            "quantity",
            "value_per_unit",
            "deadweight",
            "displacement",
            "attribution",
            "drop_off",
        )
    ]
    if not all(n.is_finite() for n in numbers):
        raise field_errors({"__all__": [_("Give finite numbers.")]})
    outcomes = [
        sroi_maths.OutcomeInput(
            name=o.name,
            quantity=o.quantity,
            value_per_unit=o.value_per_unit,
            deadweight=o.deadweight,
            displacement=o.displacement,
            attribution=o.attribution,
            drop_off=o.drop_off,
            duration=o.duration,
        )
        for o in payload.outcomes
    ]
    try:
        result = sroi_maths.calculate(
            investment=payload.investment, rate=payload.discount_rate, outcomes=outcomes
        )
    except sroi_maths.SroiError as exc:
        raise _sroi_errors(exc) from exc
    return _result(result)


@router.get(
    "/sroi/{sroi_id}",
    auth=token_auth,
    response={200: SroiOut, 404: ErrorOut, 422: ErrorOut},
    summary="The figures of a stored SROI analysis (token)",
)
def get_sroi(request: HttpRequest, sroi_id: int) -> Any:
    sroi = sroi_for_user(request.user, sroi_id)
    result = selectors.sroi_result(sroi)
    if result is None:
        raise field_errors({"outcomes": [_("The analysis has no outcome yet.")]})
    return _result(result)
