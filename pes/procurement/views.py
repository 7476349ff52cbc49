from __future__ import annotations

import csv
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.lib.forms import add_service_error
from pes.lib.pagination import query_without_page
from pes.procurement import ocds
from pes.procurement.access import (
    buyers_for_user,
    contract_for_supplier,
    contract_for_user,
    contracts_visible_to,
    lot_for_user_edit,
    require_governance,
    tender_for_user,
    tender_for_user_edit,
    tender_for_user_scores,
    tenders_visible_to,
    user_can_see_bids,
    user_is_buyer_staff,
    user_is_supplier_staff,
)
from pes.procurement.forms import (
    AwardForm,
    BidForm,
    ClauseForm,
    CriterionForm,
    DashboardFilterForm,
    LotForm,
    ReportForm,
    TenderForm,
)
from pes.procurement.models import Bid, Clause, Criterion, Procedure, SocialValueProxy, Tender
from pes.procurement.periods import add_months
from pes.procurement.ranking import tender_ranking
from pes.procurement.scoring import ScoringError
from pes.procurement.selectors import (
    attention_order,
    contract_monitoring,
    contracts_with_figures,
    dashboard_contracts,
    flagged_contracts,
    procurement_dashboard,
    tender_detail,
    tender_list,
)
from pes.procurement.services import (
    bid_submit,
    clause_create,
    criterion_add,
    criterion_remove,
    lot_add,
    lot_remove,
    lot_update,
    report_submit,
    tender_award,
    tender_create,
    tender_publish,
    tender_rule_problems,
    tender_update,
)


def tender_index(request: HttpRequest) -> HttpResponse:
    procedure = request.GET.get("procedure", "")
    procedure = procedure if procedure in Procedure.values else ""
    state = request.GET.get("state", "")
    state = state if state in Tender.State.values else ""
    qs = tender_list(qs=tenders_visible_to(request.user), procedure=procedure, state=state)
    page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/tender_list.html",
        {
            "page": page,
            "procedures": Procedure.choices,
            "states": Tender.State.choices,
            "procedure": procedure,
            "state": state,
            "query": query_without_page(request),
            "can_create": buyers_for_user(request.user).exists(),
        },
    )


@login_required
def tender_new(request: HttpRequest) -> HttpResponse:
    buyers = buyers_for_user(request.user)
    if not buyers.exists():
        raise PermissionDenied
    form = TenderForm(request.POST or None, buyers=buyers)
    if request.method == "POST" and form.is_valid():
        try:
            tender = tender_create(
                data=form.service_data(),
                actions=list(form.cleaned_data["actions"]),
                mandatory_clauses=list(form.cleaned_data["mandatory_clauses"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The tender has been saved as a draft: add its criteria."))
            return redirect(tender.get_absolute_url())
    return render(request, "procurement/tender_form.html", {"form": form, "tender": None})


@login_required
def tender_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    if tender.state != Tender.State.DRAFT:
        messages.error(request, _("The tender has been published: it can no longer change."))
        return redirect(tender.get_absolute_url())
    form = TenderForm(request.POST or None, instance=tender, buyers=buyers_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            tender_update(
                tender=tender,
                data=form.service_data(),
                actions=list(form.cleaned_data["actions"]),
                mandatory_clauses=list(form.cleaned_data["mandatory_clauses"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The tender has been saved."))
            return redirect(tender.get_absolute_url())
    return render(request, "procurement/tender_form.html", {"form": form, "tender": tender})


def tender_page(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_detail(tender=tender_for_user(request.user, pk))
    is_staff = user_is_buyer_staff(request.user, tender)
    context: dict[str, Any] = {
        "tender": tender,
        "criteria": list(tender.criteria.all()),
        "is_staff": is_staff,
        "can_see_bids": user_can_see_bids(request.user, tender),
        "contract": getattr(tender, "contract", None) if tender.state == "awarded" else None,
    }
    if is_staff and tender.state == Tender.State.DRAFT:
        context["problems"] = tender_rule_problems(tender=tender)
        context["criterion_form"] = CriterionForm(tender=tender)
    if context["can_see_bids"]:
        context["bids"] = list(tender.bids.select_related("supplier"))
    return render(request, "procurement/tender_detail.html", context)


@login_required
@require_POST
def tender_criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    form = CriterionForm(request.POST, tender=tender)
    if form.is_valid():
        data = form.cleaned_data
        try:
            criterion_add(
                tender=tender,
                kind=data["kind"],
                weight=data["weight"],
                label=data["label"],
                clause=data["clause"],
                rescale=data["rescale"],
                higher_is_better=data["higher_is_better"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The criterion has been added."))
            return redirect(tender.get_absolute_url())
    tender = tender_detail(tender=tender)
    return render(
        request,
        "procurement/tender_detail.html",
        {
            "tender": tender,
            "criteria": list(tender.criteria.all()),
            "is_staff": True,
            "can_see_bids": True,
            "bids": [],
            "problems": tender_rule_problems(tender=tender),
            "criterion_form": form,
        },
        status=422,
    )


@login_required
@require_POST
def tender_criterion_delete(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    criterion = Criterion.objects.filter(tender=tender, pk=criterion_pk).first()
    if criterion is not None:
        try:
            criterion_remove(criterion=criterion, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The criterion has been removed."))
    return redirect(tender.get_absolute_url())


def _lots_page(
    request: HttpRequest, tender: Tender, form: LotForm, *, lot: Any = None
) -> HttpResponse:
    lots = list(tender.lots.all())
    used = sum((x.value for x in lots), Decimal(0))
    return render(
        request,
        "procurement/lots.html",
        {
            "tender": tender,
            "lots": lots,
            "used": used,
            "left": tender.estimated_value - used,
            "form": form,
            "lot": lot,
        },
    )


def _draft_or_redirect(request: HttpRequest, tender: Tender) -> HttpResponse | None:
    if tender.state != Tender.State.DRAFT:
        messages.error(request, _("The tender has been published: its lots can no longer change."))
        return redirect(tender.get_absolute_url())
    return None


@login_required
def tender_lots(request: HttpRequest, pk: int) -> HttpResponse:
    """The lots of a draft tender: list, add (buyer's staff and governance)."""
    tender = tender_for_user_edit(request.user, pk)
    if (response := _draft_or_redirect(request, tender)) is not None:
        return response
    form = LotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lot_add(tender=tender, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The lot has been added."))
            return redirect("procurement:lots", pk=tender.pk)
    return _lots_page(request, tender, form)


@login_required
def tender_lot_edit(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    lot = lot_for_user_edit(request.user, pk, lot_pk)
    tender = lot.tender
    if (response := _draft_or_redirect(request, tender)) is not None:
        return response
    form = LotForm(request.POST or None, initial={"title": lot.title, "value": lot.value})
    if request.method == "POST" and form.is_valid():
        try:
            lot_update(lot=lot, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The lot has been saved."))
            return redirect("procurement:lots", pk=tender.pk)
    return _lots_page(request, tender, form, lot=lot)


@login_required
@require_POST
def tender_lot_delete(request: HttpRequest, pk: int, lot_pk: int) -> HttpResponse:
    lot = lot_for_user_edit(request.user, pk, lot_pk)
    try:
        lot_remove(lot=lot, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if lot.tender.state != Tender.State.DRAFT:
            return redirect(lot.tender.get_absolute_url())
    else:
        messages.success(request, _("The lot has been removed."))
    return redirect("procurement:lots", pk=lot.tender.pk)


@login_required
@require_POST
def tender_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    try:
        tender_publish(tender=tender, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The tender has been published: it is open for bids."))
    return redirect(tender.get_absolute_url())


@login_required
def bid_new(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    if tender.state != Tender.State.OPEN:
        messages.error(request, _("The tender is not open for bids."))
        return redirect(tender.get_absolute_url())
    tender = tender_detail(tender=tender)
    form = BidForm(request.POST or None, tender=tender)
    if request.method == "POST" and form.is_valid():
        try:
            bid_submit(
                tender=tender,
                supplier=form.cleaned_data["supplier"],
                price=form.cleaned_data.get("price"),
                values=form.criterion_values(),
                submitted_at=form.cleaned_data.get("submitted_at") or timezone.now(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The bid has been recorded."))
            return redirect(tender.get_absolute_url())
    status = 422 if form.errors else 200
    return render(
        request, "procurement/bid_form.html", {"form": form, "tender": tender}, status=status
    )


def tender_ranking_page(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_scores(request.user, pk)
    error = ""
    try:
        ranking = tender_ranking(tender=tender)
    except ScoringError as exc:
        ranking, error = None, str(exc)
    award_form = None
    if ranking and tender.state == Tender.State.OPEN and user_is_buyer_staff(request.user, tender):
        today = timezone.localdate()
        award_form = AwardForm(
            initial={"start": today, "end": add_months(today, 24), "report_every_months": 6}
        )
    return render(
        request,
        "procurement/ranking.html",
        {"tender": tender, "ranking": ranking, "error": error, "award_form": award_form},
    )


@login_required
@require_POST
def tender_award_view(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user_edit(request.user, pk)
    form = AwardForm(request.POST)
    bid = Bid.objects.filter(tender=tender, pk=request.POST.get("bid") or 0).first()
    if form.is_valid() and bid is not None:
        try:
            contract = tender_award(
                tender=tender,
                bid=bid,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                report_every_months=form.cleaned_data["report_every_months"],
                user=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The tender has been awarded: the contract is created."))
            return redirect(contract.get_absolute_url())
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        if bid is None:
            messages.error(request, _("Choose one of the admitted bids of this tender."))
    return redirect("procurement:ranking", pk=tender.pk)


def clause_index(request: HttpRequest) -> HttpResponse:
    clauses = Clause.objects.filter(owner__isnull=True)
    own = Clause.objects.none()
    buyers = buyers_for_user(request.user)
    if request.user.is_authenticated:
        own = Clause.objects.filter(owner__in=buyers).select_related("owner")
    return render(
        request,
        "procurement/clause_list.html",
        {
            "rewards": clauses.filter(kind=Clause.Kind.REWARD),
            "mandatory": clauses.filter(kind=Clause.Kind.MANDATORY),
            "own": own,
            "can_add": request.user.is_authenticated and buyers.exists(),
        },
    )


@login_required
def clause_new(request: HttpRequest) -> HttpResponse:
    buyers = buyers_for_user(request.user)
    buyer = buyers.filter(pk=request.GET.get("buyer") or request.POST.get("buyer") or 0).first()
    buyer = buyer or buyers.first()
    if buyer is None:
        raise PermissionDenied
    form = ClauseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ClauseForm.Meta.fields}
        try:
            clause_create(data=data, owner=buyer, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The clause has been added to your library."))
            return redirect("procurement:clauses")
    return render(request, "procurement/clause_form.html", {"form": form, "buyer": buyer})


def contract_page(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_user(request.user, pk)
    monitoring = contract_monitoring(contract=contract)
    return render(
        request,
        "procurement/contract_detail.html",
        {
            "contract": contract,
            "m": monitoring,
            "can_report": user_is_supplier_staff(request.user, contract)
            and contract.state == "active",
        },
    )


@login_required
def contracts_mine(request: HttpRequest) -> HttpResponse:
    contracts = contracts_visible_to(request.user).select_related("tender__buyer", "supplier")
    return render(request, "procurement/contract_list.html", {"contracts": contracts[:200]})


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for_supplier(request.user, pk)
    monitoring = contract_monitoring(contract=contract)
    today = timezone.localdate()
    periods = [p for p in monitoring.open_periods if p.start <= today]
    form = ReportForm(request.POST or None, periods=periods)
    if request.method == "POST" and form.is_valid():
        try:
            report_submit(
                contract=contract,
                period_start=form.period_start(),
                data=form.service_data(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The report has been submitted."))
            return redirect(contract.get_absolute_url())
    status = 422 if form.errors else 200
    return render(
        request,
        "procurement/report_form.html",
        {"form": form, "contract": contract, "periods": periods},
        status=status,
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    form, filters = _dashboard_filters(request)
    board = procurement_dashboard(**filters)
    return render(
        request,
        "procurement/dashboard.html",
        {"form": form, "board": board, "query": query_without_page(request)},
    )


def _dashboard_filters(request: HttpRequest) -> tuple[DashboardFilterForm, dict[str, Any]]:
    form = DashboardFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, {"buyer": data.get("buyer"), "year": data.get("year")}


def dashboard_contract_list(request: HttpRequest) -> HttpResponse:
    """Every contract of the dashboard with its figures, paginated; ``attenzione=1`` keeps
    those with a breach or a late report."""
    require_governance(request.user)
    form, filters = _dashboard_filters(request)
    attention = request.GET.get("attenzione") == "1"
    contracts = dashboard_contracts(**filters)
    today = timezone.localdate()
    page: Any
    if attention:
        # The order needs every contract's figures: grouped in one query, then only the
        # page's rows are read.
        flagged = Paginator(attention_order(contracts=contracts, today=today), settings.PAGE_SIZE)
        page = flagged.get_page(request.GET.get("page"))
        page.object_list = flagged_contracts(flagged=list(page.object_list), today=today)
    else:
        qs = contracts_with_figures(contracts=contracts, today=today).order_by("-start", "-id")
        page = Paginator(qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/dashboard_contracts.html",
        {
            "form": form,
            "page": page,
            "attention": attention,
            "query": query_without_page(request),
        },
    )


def dashboard_contracts_csv(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    _form, filters = _dashboard_filters(request)
    qs = contracts_with_figures(
        contracts=dashboard_contracts(**filters), today=timezone.localdate()
    ).order_by("-start", "-id")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contratti-monitoraggio.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "contract",
            "tender",
            "cig",
            "supplier",
            "start",
            "end",
            "value",
            "commitments",
            "on_track",
            "breaches",
            "late_reports",
        ]
    )
    for c in qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                c.pk,
                c.tender.title,
                c.tender.cig,
                c.supplier.name,
                c.start.isoformat(),
                c.end.isoformat(),
                c.value,
                c.n_commitments,  # type: ignore[attr-defined]
                c.n_on_track,  # type: ignore[attr-defined]
                c.n_breaches,  # type: ignore[attr-defined]
                c.n_late,  # type: ignore[attr-defined]
            ]
        )
    return response


def proxies(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/proxies.html", {"proxies": SocialValueProxy.objects.all()})


def _json(data: dict[str, Any]) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )


def ocds_release_package(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user(request.user, pk)
    if tender.state == Tender.State.DRAFT:
        raise PermissionDenied
    return _json(ocds.release_package(ocds.tender_releases(tender=tender)))


def ocds_record_package(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for_user(request.user, pk)
    if tender.state == Tender.State.DRAFT:
        raise PermissionDenied
    return _json(ocds.record_package(tender=tender))
