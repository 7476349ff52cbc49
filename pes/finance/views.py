from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.finance import selectors, services
from pes.finance.access import (
    application_for_applicant,
    application_for_reviewer,
    application_for_user,
    call_for_user,
    case_for_editor,
    organization_choice,
    product_for_editor,
    programme_for_editor,
    programmes_managed_by,
    require_catalogue_editor,
    user_can_edit_catalogue,
    user_can_review,
    wallet_document_for_user,
)
from pes.finance.charts import grouped_bars
from pes.finance.forms import (
    ApplicationForm,
    CallFilterForm,
    CallForm,
    CaseForm,
    GuaranteeFormSet,
    OutcomeForm,
    ProductFilterForm,
    ProductForm,
    ProgrammeForm,
    ReviewForm,
    WalletDocumentForm,
)
from pes.finance.models import Application, ImpactCase, Instrument, Source
from pes.finance.simulators import SimulatorError, guarantee_fund, outcome_payments
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.access import organizations_editable_by, user_can_edit_organization

HUNDRED = Decimal(100)


def _my_organizations(user: Any) -> list[Any]:
    if not user.is_authenticated:
        return []
    return list(
        organizations_editable_by(user)
        .select_related("legal_form", "head_office")
        .order_by("name")[:200]
    )


# ----------------------------------------------------------------------------- public pages


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "finance/home.html",
        {
            "closing": list(selectors.call_list()[:5]),
            "organizations": _my_organizations(request.user),
            "can_publish": programmes_managed_by(request.user).exists(),
            "can_edit_catalogue": user_can_edit_catalogue(request.user),
        },
    )


def call_list(request: HttpRequest) -> HttpResponse:
    form = CallFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.call_list(filters=filters))
    return render(
        request,
        "finance/call_list.html",
        {
            "form": form,
            "page": page,
            "filters_active": filters.active(),
            "query": query_without_page(request),
        },
    )


def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_user(request.user, slug)
    organizations = _my_organizations(request.user)
    applied = {}
    if organizations:
        applied = {
            a.organization_id: a
            for a in Application.objects.filter(call=call, organization__in=organizations)
        }
    return render(
        request,
        "finance/call_detail.html",
        {
            "call": call,
            "legal_forms": list(call.legal_forms.all()),
            "activities": list(call.activities.all()),
            "municipalities": list(call.municipalities.all()),
            "actions": list(call.actions.select_related("mission")),
            "organizations": [(o, applied.get(o.pk)) for o in organizations],
            "can_review": request.user.is_authenticated
            and programmes_managed_by(request.user).filter(pk=call.programme_id).exists(),
        },
    )


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    programmes = programmes_managed_by(request.user)
    if not programmes.exists():
        raise PermissionDenied
    form = CallForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(
                programme=form.cleaned_data["programme"],
                data=form.service_data(),
                legal_forms=list(form.cleaned_data["legal_forms"]),
                activities=list(form.cleaned_data["activities"]),
                municipalities=list(form.cleaned_data["municipalities"]),
                actions=list(form.cleaned_data["actions"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The call is published."))
            return redirect(call.get_absolute_url())
    return render(request, "finance/call_form.html", {"form": form})


def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    kind = stage = ""
    if form.is_bound and form.is_valid():
        kind, stage = form.cleaned_data["kind"], form.cleaned_data["stage"]
    can_edit = user_can_edit_catalogue(request.user)
    return render(
        request,
        "finance/product_list.html",
        {
            "form": form,
            "products": selectors.product_list(kind=kind, stage=stage, unpublished=can_edit),
            "can_edit": can_edit,
        },
    )


def case_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "finance/case_list.html",
        {
            "cases": list(selectors.case_list()),
            "can_edit": user_can_edit_catalogue(request.user),
        },
    )


def case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    case = ImpactCase.objects.filter(slug=slug).first()
    if case is None:
        raise Http404
    return render(
        request,
        "finance/case_detail.html",
        {"case": case, "can_edit": user_can_edit_catalogue(request.user)},
    )


# ----------------------------------------------------------------------------- catalogue


def _record_form(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    middle: str,
    middle_url: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "finance/record_form.html",
        {"form": form, "title": title, "middle": middle, "middle_url": middle_url},
        status=status,
    )


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    require_catalogue_editor(request.user)
    return render(
        request,
        "finance/programme_list.html",
        {"programmes": list(selectors.programme_list())},
    )


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    require_catalogue_editor(request.user)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_create(
                data=form.service_data(),
                actions=list(form.cleaned_data["actions"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("finance:programmes")
    return _record_form(
        request,
        form,
        title=_("New funding programme"),
        middle=_("Funding programmes"),
        middle_url=reverse("finance:programmes"),
    )


@login_required
def programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_for_editor(request.user, slug)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                programme=programme,
                data=form.service_data(),
                actions=list(form.cleaned_data["actions"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("finance:programmes")
    return _record_form(
        request,
        form,
        title=_("Edit the programme"),
        middle=_("Funding programmes"),
        middle_url=reverse("finance:programmes"),
    )


@login_required
def product_new(request: HttpRequest) -> HttpResponse:
    require_catalogue_editor(request.user)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_create(data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The financial product has been saved."))
            return redirect("finance:products")
    return _record_form(
        request,
        form,
        title=_("New financial product"),
        middle=_("Financial products"),
        middle_url=reverse("finance:products"),
    )


@login_required
def product_edit(request: HttpRequest, slug: str) -> HttpResponse:
    product = product_for_editor(request.user, slug)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The financial product has been saved."))
            return redirect("finance:products")
    return _record_form(
        request,
        form,
        title=_("Edit the financial product"),
        middle=_("Financial products"),
        middle_url=reverse("finance:products"),
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    require_catalogue_editor(request.user)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The case has been saved."))
            return redirect(case.get_absolute_url())
    return _record_form(
        request,
        form,
        title=_("New social impact investing case"),
        middle=_("Social impact investing"),
        middle_url=reverse("finance:cases"),
    )


@login_required
def case_edit(request: HttpRequest, slug: str) -> HttpResponse:
    case = case_for_editor(request.user, slug)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The case has been saved."))
            return redirect(case.get_absolute_url())
    return _record_form(
        request,
        form,
        title=_("Edit the case"),
        middle=_("Social impact investing"),
        middle_url=reverse("finance:cases"),
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard()
    sources, instruments = dict(Source.choices), dict(Instrument.choices)
    return render(
        request,
        "finance/dashboard.html",
        {
            "data": data,
            "by_source": [
                (sources.get(r["call__programme__source"], "—"), r["amount"], r["n"])
                for r in data["by_source"]
            ],
            "by_instrument": [
                (instruments.get(r["call__instrument"], "—"), r["amount"], r["n"])
                for r in data["by_instrument"]
            ],
        },
    )


# ----------------------------------------------------------------------------- organisations


@login_required
def for_you(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    if not organizations:
        return render(request, "finance/for_you.html", {"organizations": []})
    org = organization_choice(request.user, organizations, request.GET.get("ente"))
    return render(
        request,
        "finance/for_you.html",
        {
            "organizations": organizations,
            "org": org,
            "matches": selectors.calls_for_organization(organization=org),
        },
    )


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    org = organization_choice(
        request.user, organizations, request.POST.get("ente") or request.GET.get("ente")
    )
    form = WalletDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.wallet_document_add(organization=org, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The document is in your wallet."))
            return redirect(reverse("finance:wallet") + f"?ente={org.pk}")
    return render(
        request,
        "finance/wallet.html",
        {
            "organizations": organizations,
            "org": org,
            "documents": selectors.wallet_of(org),
            "form": form,
        },
    )


@login_required
def wallet_document(request: HttpRequest, pk: int) -> FileResponse:
    document = wallet_document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def wallet_document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = wallet_document_for_user(request.user, pk)
    if not user_can_edit_organization(request.user, document.organization):
        raise PermissionDenied
    try:
        services.wallet_document_delete(document=document, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document was removed from your wallet."))
    return redirect(reverse("finance:wallet") + f"?ente={document.organization_id}")


@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_user(request.user, slug)
    organizations = _my_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    org = organization_choice(
        request.user, organizations, request.POST.get("ente") or request.GET.get("ente")
    )
    existing = Application.objects.filter(call=call, organization=org).first()
    if existing:
        messages.info(request, _("Your organisation has already applied to this call."))
        return redirect(existing.get_absolute_url())
    profile = selectors.profile_of(org)
    filled, total = selectors.prefilled_count(profile)
    documents = selectors.wallet_of(org)
    form = ApplicationForm(request.POST or None, initial=profile, wallet=documents)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                call=call,
                organization=org,
                data=form.project(),
                documents=list(form.cleaned_data["documents"]),
                profile=form.profile(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your application has been sent."))
            return redirect(application.get_absolute_url())
    return render(
        request,
        "finance/apply.html",
        {
            "call": call,
            "org": org,
            "organizations": organizations,
            "form": form,
            "filled": filled,
            "total": total,
            "filled_pct": round(100 * filled / total),
            "documents": documents,
            "required": call.required_document_labels(),
        },
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    mine = selectors.applications_of(organizations=[o.pk for o in organizations])
    to_review = selectors.applications_to_review(user=request.user)
    return render(
        request,
        "finance/application_list.html",
        {
            "mine": list(mine[:100]),
            "page": paginate(request, to_review),
            "query": query_without_page(request),
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for_user(request.user, pk)
    can_review = user_can_review(request.user, application)
    form = ReviewForm(request.POST or None) if can_review else None
    if request.method == "POST":
        application = application_for_reviewer(request.user, pk)
        assert form is not None  # noqa: S101 - reviewers always get the form
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            note = form.cleaned_data["note"]
            try:
                if decision == "changes":
                    services.application_request_changes(
                        application=application, note=note, user=request.user
                    )
                else:
                    services.application_decide(
                        application=application,
                        approve=decision == "approve",
                        amount_granted=form.cleaned_data["amount_granted"],
                        note=note,
                        user=request.user,
                    )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect(application.get_absolute_url())
    profile_labels = {
        name: ApplicationForm.base_fields[name].label for name in ApplicationForm.PROFILE
    }
    return render(
        request,
        "finance/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "profile": [
                (profile_labels[k], application.profile.get(k)) for k in ApplicationForm.PROFILE
            ],
            "documents": list(application.documents.all()),
            "can_review": can_review,
            "can_edit": application.status == Application.Status.CHANGES_REQUESTED
            and user_can_edit_organization(request.user, application.organization),
            "form": form,
        },
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for_applicant(request.user, pk)
    if application.status != Application.Status.CHANGES_REQUESTED:
        messages.info(request, _("This application can be changed only when the funder asks."))
        return redirect(application.get_absolute_url())
    documents = selectors.wallet_of(application.organization)
    initial = {
        **application.profile,
        "project_title": application.project_title,
        "summary": application.summary,
        "amount_requested": application.amount_requested,
        "documents": [d.pk for d in application.documents.all()],
    }
    form = ApplicationForm(request.POST or None, initial=initial, wallet=documents)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_resubmit(
                application=application,
                data=form.project(),
                documents=list(form.cleaned_data["documents"]),
                profile=form.profile(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your application has been sent again."))
            return redirect(application.get_absolute_url())
    return render(
        request,
        "finance/apply.html",
        {
            "call": application.call,
            "org": application.organization,
            "organizations": [],
            "form": form,
            "application": application,
            "filled": application.prefilled_fields,
            "total": application.total_fields,
            "filled_pct": application.prefilled_pct,
            "documents": documents,
            "required": application.call.required_document_labels(),
        },
    )


# ----------------------------------------------------------------------------- simulators

DEFAULT_SCENARIOS = [
    {
        "name": "Prudente",
        "fund": "1000000",
        "multiplier": "4",
        "coverage_pct": "50",
        "default_pct": "5",
        "recovery_pct": "30",
        "average_loan": "25000",
        "horizon_years": "5",
    },
    {
        "name": "Intermedio",
        "fund": "1000000",
        "multiplier": "6",
        "coverage_pct": "60",
        "default_pct": "4",
        "recovery_pct": "30",
        "average_loan": "25000",
        "horizon_years": "5",
    },
    {
        "name": "Espansivo",
        "fund": "1000000",
        "multiplier": "10",
        "coverage_pct": "80",
        "default_pct": "3",
        "recovery_pct": "20",
        "average_loan": "25000",
        "horizon_years": "5",
    },
]


def _scenario_initial() -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(DEFAULT_SCENARIOS)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "4",
    }
    for i, scenario in enumerate(DEFAULT_SCENARIOS):
        data.update({f"form-{i}-{k}": v for k, v in scenario.items()})
    return data


def guarantee_simulator(request: HttpRequest) -> HttpResponse:
    formset = GuaranteeFormSet(
        request.GET if "form-TOTAL_FORMS" in request.GET else _scenario_initial()
    )
    results: list[tuple[str, Any]] = []
    if formset.is_valid():
        for form in formset.forms:
            d = form.cleaned_data
            if not d:
                continue
            try:
                result = guarantee_fund(
                    fund=d["fund"],
                    multiplier=d["multiplier"],
                    coverage=d["coverage_pct"] / HUNDRED,
                    default_rate=d["default_pct"] / HUNDRED,
                    recovery_rate=d["recovery_pct"] / HUNDRED,
                    average_loan=d["average_loan"],
                    horizon_years=d["horizon_years"],
                )
            except SimulatorError as exc:
                for name, message in exc.errors.items():
                    target = {
                        "coverage": "coverage_pct",
                        "default_rate": "default_pct",
                        "recovery_rate": "recovery_pct",
                    }.get(name, name)
                    form.add_error(target if target in form.fields else None, message)
                continue
            results.append((d["name"], result))
    chart = (
        grouped_bars(
            title=_("Guarantee-fund scenarios side by side"),
            groups=[name for name, _r in results],
            series=[
                (_("Expected losses"), [r.expected_losses for _n, r in results]),
                (_("Capital at risk"), [r.capital_at_risk for _n, r in results]),
                (_("Fund left"), [r.fund_left for _n, r in results]),
            ],
            chart_id="guarantee-chart",
        )
        if results and not any(f.errors for f in formset.forms)
        else ""
    )
    return render(
        request,
        "finance/guarantee_simulator.html",
        {"formset": formset, "results": results if chart else [], "chart": chart},
    )


def outcome_simulator(request: HttpRequest) -> HttpResponse:
    defaults = {
        "capital": "1000000",
        "price_per_outcome": "5000",
        "targets": "100; 110",
        "achieved": "110; 121",
        "threshold_pct": "50",
        "cap_pct": "120",
    }
    form = OutcomeForm(request.GET if "capital" in request.GET else defaults)
    result = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = outcome_payments(
                capital=d["capital"],
                price_per_outcome=d["price_per_outcome"],
                targets=d["targets"],
                achieved=d["achieved"],
                threshold=d["threshold_pct"] / HUNDRED,
                cap=d["cap_pct"] / HUNDRED,
            )
        except SimulatorError as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
    return render(
        request,
        "finance/outcome_simulator.html",
        {
            "form": form,
            "result": result,
            "irr_pct": None if result is None or result.irr is None else result.irr * HUNDRED,
        },
    )
