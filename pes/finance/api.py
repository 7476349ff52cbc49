"""Finance API, mounted at ``/api/v1/finance``: programmes, calls and products (public read),
calls for an organisation and applications (token, with permissions), the case library and
the two simulators (public)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.finance import selectors, services
from pes.finance.access import (
    application_for_reviewer,
    application_for_user,
    call_for_user,
)
from pes.finance.models import Application, Call, WalletDocument
from pes.finance.simulators import SimulatorError, guarantee_fund, outcome_payments
from pes.registry.access import organization_for_user_edit, organizations_editable_by

router = Router()
HUNDRED = Decimal(100)


class ErrorOut(Schema):
    detail: Any


# ----------------------------------------------------------------------------- catalogue


class ProgrammeOut(Schema):
    id: int
    slug: str
    title: str
    source: str
    funder_name: str
    budget: Decimal
    calls: int


class CallOut(Schema):
    id: int
    slug: str
    title: str
    programme: str
    source: str
    funder_name: str
    instrument: str
    opens_on: dt.date
    deadline: dt.datetime
    is_open: bool
    budget: Decimal
    min_amount: Decimal
    max_amount: Decimal
    co_financing_pct: Decimal
    stages: list[str]
    sizes: list[str]
    required_documents: list[str]


class CallPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CallOut]


class CallFiltersIn(Schema):
    q: str = Field("", max_length=200)
    source: str = ""
    instrument: str = ""
    include_closed: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class MatchOut(Schema):
    call: CallOut
    score: int
    reasons: list[str]


class ProductOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    provider_kind: str
    provider_name: str
    stages: list[str]
    min_amount: Decimal
    max_amount: Decimal
    rate_pct: Decimal | None = None
    term_months: int | None = None


class CaseOut(Schema):
    id: int
    slug: str
    title: str
    country: str
    territory: str
    sector: str
    year_launched: int
    instrument: str
    outcome_metrics: str
    outcome_payer: str
    investors: str
    capital: Decimal
    maturity_years: Decimal
    max_return_pct: Decimal | None = None
    results: str


def _call(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "slug": call.slug,
        "title": call.title,
        "programme": call.programme.title,
        "source": call.programme.source,
        "funder_name": call.programme.funder_name,
        "instrument": call.instrument,
        "opens_on": call.opens_on,
        "deadline": call.deadline,
        "is_open": call.is_open,
        "budget": call.budget,
        "min_amount": call.min_amount,
        "max_amount": call.max_amount,
        "co_financing_pct": call.co_financing_pct,
        "stages": call.stages,
        "sizes": call.sizes,
        "required_documents": call.required_documents,
    }


@router.get("/programmes", response=list[ProgrammeOut], summary="Funding programmes")
def list_programmes(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "slug": p.slug,
            "title": p.title,
            "source": p.source,
            "funder_name": p.funder_name,
            "budget": p.budget,
            "calls": p.n_calls,  # type: ignore[attr-defined]
        }
        for p in selectors.programme_list()[:500]
    ]


@router.get("/calls", response=CallPage, summary="Search calls (open ones by default)")
def list_calls(request: HttpRequest, filters: Query[CallFiltersIn]) -> dict[str, Any]:
    qs = selectors.call_list(
        filters=selectors.CallFilters(
            q=filters.q,
            source=filters.source,
            instrument=filters.instrument,
            open_only=not filters.include_closed,
        )
    )
    page = Paginator(qs, filters.page_size).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_call(c) for c in page.object_list],
    }


@router.get("/calls/{slug}", response={200: CallOut, 404: ErrorOut})
def get_call(request: HttpRequest, slug: str) -> Any:
    return _call(call_for_user(request.user, slug))


@router.get(
    "/organizations/{organization_id}/calls",
    auth=token_auth,
    response={200: list[MatchOut], 403: ErrorOut, 404: ErrorOut},
    summary="Calls for an organisation one edits, ranked, with the reasons (token)",
)
def calls_for_organization(request: HttpRequest, organization_id: int) -> Any:
    org = organization_for_user_edit(request.user, pk=organization_id)
    return [
        {"call": _call(m.call), "score": m.score, "reasons": m.reasons}
        for m in selectors.calls_for_organization(organization=org)
    ]


@router.get("/products", response=list[ProductOut], summary="Financial products")
def list_products(request: HttpRequest, kind: str = "", stage: str = "") -> Any:
    return selectors.product_list(kind=kind, stage=stage)


@router.get("/cases", response=list[CaseOut], summary="Social impact investing cases")
def list_cases(request: HttpRequest) -> Any:
    return list(selectors.case_list()[:500])


# ----------------------------------------------------------------------------- applications


class ApplicationOut(Schema):
    id: int
    call: str
    organization_id: int
    organization: str
    status: str
    project_title: str
    summary: str
    amount_requested: Decimal
    amount_granted: Decimal | None = None
    review_note: str
    profile: dict[str, Any]
    prefilled_fields: int
    total_fields: int
    documents: list[int]
    submitted_at: dt.datetime
    decided_at: dt.datetime | None = None


class ApplicationIn(Schema):
    call: str = Field(..., description="the call's slug")
    organization_id: int
    project_title: str = Field(..., max_length=255)
    summary: str
    amount_requested: Decimal
    document_ids: list[int] = Field(default_factory=list)
    profile: dict[str, Any] = Field(
        default_factory=dict,
        description="corrections to the registry profile; left out, the registry's values",
    )


class ReviewIn(Schema):
    decision: str = Field(..., description="approve, changes or reject")
    amount_granted: Decimal | None = None
    note: str = ""


def _application(a: Application, documents: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": a.pk,
        "call": a.call.slug,
        "organization_id": a.organization_id,
        "organization": a.organization.name,
        "status": a.status,
        "project_title": a.project_title,
        "summary": a.summary,
        "amount_requested": a.amount_requested,
        "amount_granted": a.amount_granted,
        "review_note": a.review_note,
        "profile": a.profile,
        "prefilled_fields": a.prefilled_fields,
        "total_fields": a.total_fields,
        "documents": documents if documents is not None else [d.pk for d in a.documents.all()],
        "submitted_at": a.submitted_at,
        "decided_at": a.decided_at,
    }


@router.get(
    "/applications",
    auth=token_auth,
    response=list[ApplicationOut],
    summary="Applications of my organisations and to the calls I review (token)",
)
def list_applications(request: HttpRequest) -> Any:
    mine = selectors.applications_of(organizations=organizations_editable_by(request.user))
    review = selectors.applications_to_review(user=request.user)
    seen: dict[int, Application] = {}
    for a in list(mine.prefetch_related("documents")[:200]) + list(
        review.prefetch_related("documents")[:200]
    ):
        seen.setdefault(a.pk, a)
    return [_application(a) for a in seen.values()]


@router.post(
    "/applications",
    auth=token_auth,
    response={201: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Apply to a call for an organisation one edits (token)",
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    organization = organization_for_user_edit(request.user, pk=payload.organization_id)
    call = call_for_user(request.user, payload.call)
    _finite(payload)
    documents = list(WalletDocument.objects.filter(pk__in=payload.document_ids))
    if len(documents) != len(set(payload.document_ids)):
        raise field_errors({"document_ids": [_("Unknown documents.")]})
    try:
        application = services.application_submit(
            call=call,
            organization=organization,
            data={
                "project_title": payload.project_title,
                "summary": payload.summary,
                "amount_requested": payload.amount_requested,
            },
            documents=documents,
            profile=payload.profile,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _application(application, [d.pk for d in documents]))


@router.get(
    "/applications/{application_id}",
    auth=token_auth,
    response={200: ApplicationOut, 404: ErrorOut},
)
def get_application(request: HttpRequest, application_id: int) -> Any:
    return _application(application_for_user(request.user, application_id))


@router.post(
    "/applications/{application_id}/review",
    auth=token_auth,
    response={200: ApplicationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Approve, ask for changes or reject (the funder or governance; token)",
)
def review_application(request: HttpRequest, application_id: int, payload: ReviewIn) -> Any:
    application = application_for_reviewer(request.user, application_id)
    _finite(payload)
    if payload.decision not in ("approve", "changes", "reject"):
        raise field_errors({"decision": [_("One of: approve, changes, reject.")]})
    try:
        if payload.decision == "changes":
            application = services.application_request_changes(
                application=application, note=payload.note, user=request.user
            )
        else:
            application = services.application_decide(
                application=application,
                approve=payload.decision == "approve",
                amount_granted=payload.amount_granted,
                note=payload.note,
                user=request.user,
            )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _application(application)


# ----------------------------------------------------------------------------- simulators


class GuaranteeIn(Schema):
    fund: Decimal
    multiplier: Decimal
    coverage_pct: Decimal
    default_pct: Decimal = Field(..., description="expected default rate, % a year")
    recovery_pct: Decimal
    average_loan: Decimal
    horizon_years: int


class GuaranteeYearOut(Schema):
    year: int
    outstanding_start: Decimal
    defaults: Decimal
    recoveries: Decimal
    fund_losses: Decimal
    fund_left: Decimal


class GuaranteeOut(Schema):
    loans_enabled: Decimal
    loans_count: int
    guaranteed_amount: Decimal
    capital_at_risk: Decimal
    expected_losses: Decimal
    fund_left: Decimal
    loss_share_of_fund: Decimal
    exhausted_in_year: int | None = None
    years: list[GuaranteeYearOut]


class OutcomeIn(Schema):
    capital: Decimal
    price_per_outcome: Decimal
    targets: list[Decimal]
    achieved: list[Decimal]
    threshold_pct: Decimal = Decimal(0)
    cap_pct: Decimal = Decimal(100)


class OutcomeYearOut(Schema):
    year: int
    target: Decimal
    achieved: Decimal
    achievement: Decimal
    paid_units: Decimal
    payment: Decimal


class OutcomeOut(Schema):
    capital: Decimal
    total_paid: Decimal
    net_return: Decimal
    multiple: Decimal
    irr: Decimal | None = None
    cashflows: list[Decimal]
    years: list[OutcomeYearOut]


_PCT_NAMES = {
    "coverage": "coverage_pct",
    "default_rate": "default_pct",
    "recovery_rate": "recovery_pct",
    "threshold": "threshold_pct",
    "cap": "cap_pct",
}


def _simulator_errors(exc: SimulatorError) -> Any:
    return field_errors({_PCT_NAMES.get(k, k): [v] for k, v in exc.errors.items()})


def _finite(payload: Schema) -> None:
    bad = [
        name
        for name, value in payload.dict().items()
        if isinstance(value, Decimal) and not value.is_finite()
    ]
    if bad:
        raise field_errors({name: [_("Give a finite number.")] for name in bad})


@router.post(
    "/simulators/guarantee-fund",
    response={200: GuaranteeOut, 422: ErrorOut},
    summary="Guarantee-fund simulator (rates in %)",
)
def simulate_guarantee(request: HttpRequest, payload: GuaranteeIn) -> Any:
    _finite(payload)
    try:
        return guarantee_fund(
            fund=payload.fund,
            multiplier=payload.multiplier,
            coverage=payload.coverage_pct / HUNDRED,
            default_rate=payload.default_pct / HUNDRED,
            recovery_rate=payload.recovery_pct / HUNDRED,
            average_loan=payload.average_loan,
            horizon_years=payload.horizon_years,
        )
    except SimulatorError as exc:
        raise _simulator_errors(exc) from exc


@router.post(
    "/simulators/outcome-payments",
    response={200: OutcomeOut, 422: ErrorOut},
    summary="Outcome-payment simulator: payments to investors and their IRR",
)
def simulate_outcomes(request: HttpRequest, payload: OutcomeIn) -> Any:
    _finite(payload)
    if any(not v.is_finite() for v in [*payload.targets, *payload.achieved]):
        raise field_errors({"targets": [_("Give finite numbers.")]})
    try:
        return outcome_payments(
            capital=payload.capital,
            price_per_outcome=payload.price_per_outcome,
            targets=payload.targets,
            achieved=payload.achieved,
            threshold=payload.threshold_pct / HUNDRED,
            cap=payload.cap_pct / HUNDRED,
        )
    except SimulatorError as exc:
        raise _simulator_errors(exc) from exc
