"""``/api/v1/procurement/…``: tenders, scores, contracts and supplier reports.

Published tenders are public. Scores: the buyer's staff, governance and the tender's
commissioners before the award; everyone after. Contracts: governance, the buyer's staff and
the supplier's staff only (token); a supplier sees only its own contracts and reports on them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from pes.accounts.services import api_token_authenticate
from pes.api.api import field_errors, token_auth
from pes.procurement import ocds
from pes.procurement.access import (
    contract_for_supplier,
    contract_for_user,
    contracts_visible_to,
    tender_for_user,
    tender_for_user_scores,
    tenders_visible_to,
)
from pes.procurement.models import Contract, Tender
from pes.procurement.ranking import tender_ranking
from pes.procurement.scoring import ScoringError
from pes.procurement.selectors import contract_monitoring, tender_list
from pes.procurement.services import report_submit

router = Router()


def _user(request: HttpRequest) -> Any:
    """The token's user when a token is sent, else the session's (anonymous for most)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(key=header[7:].strip())
        if user is not None:
            return user
    return request.user


class CriterionOut(Schema):
    id: int
    kind: str
    label: str
    weight: Decimal
    clause: str | None


class TenderOut(Schema):
    id: int
    ocid: str
    title: str
    buyer: str
    buyer_id: int
    cig: str
    cup: str
    estimated_value: Decimal
    procedure: str
    labour_intensive: bool
    state: str
    bid_deadline: dt.datetime
    has_reward_clauses: bool


class TenderDetailOut(TenderOut):
    price_formula: str
    criteria: list[CriterionOut]
    actions: list[str]


class TenderPage(Schema):
    count: int
    page: int
    pages: int
    results: list[TenderOut]


class ScoreOut(Schema):
    criterion: str
    weight: Decimal
    offered: str
    coefficient: Decimal
    points: Decimal
    explanation: str


class RankOut(Schema):
    rank: int
    bid_id: int
    bidder: str
    price: Decimal | None
    total: Decimal
    tied: bool
    anomalous: bool
    scores: list[ScoreOut]


class CommitmentOut(Schema):
    metric: str
    label: str
    committed: Decimal
    delivered: Decimal | None
    status: str


class ContractOut(Schema):
    id: int
    tender_id: int
    title: str
    buyer: str
    supplier: str
    supplier_id: int
    value: Decimal
    start: dt.date
    end: dt.date
    state: str


class ContractDetailOut(ContractOut):
    commitments: list[CommitmentOut]
    late_reports: int
    breaches: int
    social_value: Decimal


class ReportIn(Schema):
    period_start: dt.date
    employed: int = Field(..., ge=0)
    permanent_share: Decimal = Field(..., ge=0, le=100)
    reabsorbed: int = Field(0, ge=0)
    disadvantaged: int = Field(0, ge=0)
    training_hours: Decimal = Field(Decimal(0), ge=0)
    local_subcontracting: Decimal = Field(Decimal(0), ge=0, le=100)
    note: str = ""


class ReportOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    employed: int
    permanent_share: Decimal
    reabsorbed: int
    disadvantaged: int
    training_hours: Decimal
    local_subcontracting: Decimal
    note: str


class ErrorOut(Schema):
    detail: Any


def _tender(t: Tender) -> dict[str, Any]:
    return {
        "id": t.pk,
        "ocid": t.ocid,
        "title": t.title,
        "buyer": t.buyer.name,
        "buyer_id": t.buyer_id,
        "cig": t.cig,
        "cup": t.cup,
        "estimated_value": t.estimated_value,
        "procedure": t.procedure,
        "labour_intensive": t.labour_intensive,
        "state": t.state,
        "bid_deadline": t.bid_deadline,
        "has_reward_clauses": bool(getattr(t, "has_rewards", False)),
    }


def _contract(c: Contract) -> dict[str, Any]:
    return {
        "id": c.pk,
        "tender_id": c.tender_id,
        "title": c.tender.title,
        "buyer": c.tender.buyer.name,
        "supplier": c.supplier.name,
        "supplier_id": c.supplier_id,
        "value": c.value,
        "start": c.start,
        "end": c.end,
        "state": c.state,
    }


@router.get("/tenders", response=TenderPage, summary="Tenders (published, and your drafts)")
def list_tenders(
    request: HttpRequest, procedure: str = "", state: str = "", page: int = 1
) -> dict[str, Any]:
    qs = tender_list(qs=tenders_visible_to(_user(request)), procedure=procedure, state=state)
    paginator = Paginator(qs, 50)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [_tender(t) for t in current.object_list],
    }


@router.get("/tenders/{tender_id}", response={200: TenderDetailOut, 404: ErrorOut})
def get_tender(request: HttpRequest, tender_id: int) -> Any:
    t = tender_for_user(_user(request), tender_id)
    criteria = list(t.criteria.select_related("clause"))
    data = _tender(t)
    data["has_reward_clauses"] = any(c.kind == "clause" for c in criteria)
    data["price_formula"] = t.price_formula
    data["criteria"] = [
        {
            "id": c.pk,
            "kind": c.kind,
            "label": c.label,
            "weight": c.weight,
            "clause": c.clause.code if c.clause else None,
        }
        for c in criteria
    ]
    data["actions"] = [a.code for a in t.actions.select_related("mission")]
    return data


@router.get(
    "/tenders/{tender_id}/scores",
    response={200: list[RankOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The ranking, explained criterion by criterion",
)
def get_scores(request: HttpRequest, tender_id: int) -> Any:
    t = tender_for_user_scores(_user(request), tender_id)
    try:
        ranking = tender_ranking(tender=t)
    except ScoringError as exc:
        return Status(422, {"detail": str(exc)})
    return [
        {
            "rank": r.rank,
            "bid_id": r.bid.pk,
            "bidder": r.bid.supplier.name,
            "price": r.bid.price,
            "total": r.total,
            "tied": r.tied,
            "anomalous": r.anomalous,
            "scores": [
                {
                    "criterion": s.criterion.label,
                    "weight": s.criterion.weight,
                    "offered": s.raw,
                    "coefficient": s.coefficient,
                    "points": s.points,
                    "explanation": s.explanation,
                }
                for s in r.scores
            ],
        }
        for r in ranking.rows
    ]


@router.get("/tenders/{tender_id}/ocds", summary="OCDS 1.1 release package of the tender")
def get_tender_ocds(request: HttpRequest, tender_id: int) -> Any:
    t = tender_for_user(_user(request), tender_id)
    if t.state == Tender.State.DRAFT:
        return Status(404, {"detail": "Not found."})
    return ocds.release_package(ocds.tender_releases(tender=t))


@router.get("/contracts", response=list[ContractOut], auth=token_auth, summary="Your contracts")
def list_contracts(request: HttpRequest) -> list[dict[str, Any]]:
    qs = contracts_visible_to(request.user).select_related("tender__buyer", "supplier")
    return [_contract(c) for c in qs[:500]]


@router.get(
    "/contracts/{contract_id}",
    response={200: ContractDetailOut, 403: ErrorOut, 404: ErrorOut},
    auth=token_auth,
)
def get_contract(request: HttpRequest, contract_id: int) -> Any:
    c = contract_for_user(request.user, contract_id)
    m = contract_monitoring(contract=c)
    data = _contract(c)
    data.update(
        {
            "commitments": [
                {
                    "metric": row.commitment.metric,
                    "label": str(row.commitment.get_metric_display()),
                    "committed": row.commitment.target,
                    "delivered": row.delivered,
                    "status": row.status,
                }
                for row in m.commitments
            ],
            "late_reports": m.late,
            "breaches": m.breaches,
            "social_value": m.social_value,
        }
    )
    return data


@router.get(
    "/contracts/{contract_id}/reports",
    response={200: list[ReportOut], 403: ErrorOut, 404: ErrorOut},
    auth=token_auth,
)
def list_reports(request: HttpRequest, contract_id: int) -> Any:
    c = contract_for_user(request.user, contract_id)
    return list(c.reports.all())


@router.post(
    "/contracts/{contract_id}/reports",
    response={201: ReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=token_auth,
    summary="Submit the supplier's report for a period",
)
def post_report(request: HttpRequest, contract_id: int, payload: ReportIn) -> Any:
    c = contract_for_supplier(request.user, contract_id)
    data = payload.dict()
    period_start = data.pop("period_start")
    try:
        report = report_submit(contract=c, period_start=period_start, data=data, user=request.user)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors = exc.message_dict
            if "period" in errors:
                errors["period_start"] = errors.pop("period")
            raise field_errors(errors) from exc
        raise field_errors({"period_start": exc.messages}) from exc
    return Status(201, report)
