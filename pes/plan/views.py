from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from pes.core.audit import audit_history
from pes.lib.charts import line_chart
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.plan.access import (
    initiative_for_user_edit,
    report_for_governance,
    require_governance,
    user_can_edit_initiative,
    user_leads,
)
from pes.plan.forms import InitiativeFilterForm, InitiativeForm, ReportForm, ReviewForm
from pes.plan.models import Action, Indicator, Initiative, Mission, Plan, Report, TimelineEntry
from pes.plan.rollup import initiative_node, stored_tree
from pes.plan.selectors import (
    InitiativeFilters,
    budget_by_source,
    indicator_tidy_rows,
    indicator_views,
    initiative_detail,
    initiative_list,
    reports_overdue,
    reports_to_review,
)
from pes.plan.services import (
    initiative_create,
    initiative_update,
    report_approve,
    report_return,
    report_submit,
)
from pes.registry.access import organizations_editable_by, user_is_governance
from pes.registry.selectors import OrganizationFilters, organization_preview

ACTION_INITIATIVES_SHOWN = 50


def _charts(views: list[Any]) -> list[dict[str, Any]]:
    out = []
    for view in views:
        ind = view.indicator
        baseline = (
            (ind.baseline_date, ind.baseline_value)
            if ind.baseline_date and ind.baseline_value is not None
            else None
        )
        target = (
            (dt.date(view.target_year, 12, 31), view.target_value) if view.target_year else None
        )
        out.append(
            {
                "view": view,
                "svg": line_chart(
                    title=f"{ind.name} ({ind.unit})",
                    series=view.series,
                    target=target,
                    baseline=baseline,
                    chart_id=f"chart-{ind.code}",
                ),
            }
        )
    return out


def plan_overview(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.get()
    missions = list(Mission.objects.filter(plan=plan).order_by("number"))
    tree = stored_tree(plan, missions=missions, actions=[])
    rows = [(m, tree.missions[m.pk]) for m in missions]
    return render(
        request,
        "plan/overview.html",
        {"plan": plan, "tree": tree, "rows": rows, "budget": budget_by_source()},
    )


def mission_detail(request: HttpRequest, number: int) -> HttpResponse:
    mission = get_object_or_404(Mission, number=number)
    actions = list(mission.actions.select_related("direction").order_by("number"))
    tree = stored_tree(mission.plan, missions=[mission], actions=actions)
    organizations, count, capped = organization_preview(
        filters=OrganizationFilters(mission=mission.number)
    )
    return render(
        request,
        "plan/mission_detail.html",
        {
            "mission": mission,
            "node": tree.missions[mission.pk],
            "actions": [(a, tree.actions[a.pk]) for a in actions],
            "organizations": organizations,
            "organization_count": count,
            "organization_count_capped": capped,
        },
    )


def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("mission", "direction"), pk=pk)
    tree = stored_tree(action.mission.plan, missions=[], actions=[action])
    # The page stays the same size however many initiatives the action has.
    initiatives = list(
        action.initiatives.select_related("lead", "status").order_by("title", "id")[
            :ACTION_INITIATIVES_SHOWN
        ]
    )
    indicators = list(action.indicators.all())
    timeline = (
        TimelineEntry.objects.filter(initiative__action=action)
        .select_related("initiative")
        .order_by("-date")[:20]
    )
    return render(
        request,
        "plan/action_detail.html",
        {
            "action": action,
            "node": tree.actions[action.pk],
            "initiatives": [(i, initiative_node(i)) for i in initiatives],
            "charts": _charts(indicator_views(indicators)),
            "timeline": timeline,
        },
    )


def initiative_index(request: HttpRequest) -> HttpResponse:
    form = InitiativeFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = InitiativeFilters(
        q=data.get("q") or "",
        mission=data.get("mission"),
        status=data.get("status") or "",
        municipality=data.get("municipality") or "",
        district=data.get("district") or "",
        organization=data.get("organization") or "",
    )
    page = paginate(request, initiative_list(filters=filters))
    return render(
        request,
        "plan/initiative_list.html",
        {
            "form": form,
            "page": page,
            "filters_active": filters.active(),
            "query": query_without_page(request),
        },
    )


def initiative_page(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_detail(slug=slug)
    if initiative is None:
        raise Http404
    indicators = list(initiative.indicators.all())
    can_edit = user_can_edit_initiative(request.user, initiative)
    context: dict[str, Any] = {
        "initiative": initiative,
        "progress": initiative.progress(),
        "charts": _charts(indicator_views(indicators)),
        "reports": initiative.reports.filter(state=Report.State.APPROVED).select_related("period"),
        "can_edit": can_edit,
        "can_report": user_leads(request.user, initiative) or user_is_governance(request.user),
    }
    if user_is_governance(request.user):
        context["history"] = audit_history(initiative)[:20]
    return render(request, "plan/initiative_detail.html", context)


@login_required
def initiative_new(request: HttpRequest) -> HttpResponse:
    leads = organizations_editable_by(request.user)
    if not leads.exists():
        messages.error(
            request, _("Only members of an organisation in the registry can add an initiative.")
        )
        return redirect("plan:initiatives")
    form = InitiativeForm(request.POST or None, lead_queryset=leads)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = initiative_create(
                data=form.service_data(),
                municipalities=list(form.cleaned_data["municipalities"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The initiative has been created."))
            return redirect(initiative.get_absolute_url())
    return render(request, "plan/initiative_form.html", {"form": form, "creating": True})


@login_required
def initiative_edit(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_for_user_edit(request.user, slug)
    leads = organizations_editable_by(request.user) | type(initiative.lead).objects.filter(
        pk=initiative.lead_id
    )
    form = InitiativeForm(request.POST or None, instance=initiative, lead_queryset=leads.distinct())
    if request.method == "POST" and form.is_valid():
        try:
            initiative = initiative_update(
                initiative=Initiative.objects.get(pk=initiative.pk),
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
                municipalities=list(form.cleaned_data["municipalities"]),
                user=request.user,
            )
        except ValidationError as exc:  # includes ConcurrentEditError
            add_service_error(form, exc)
        else:
            messages.success(request, _("The initiative has been saved."))
            return redirect(initiative.get_absolute_url())
    return render(
        request,
        "plan/initiative_form.html",
        {"form": form, "initiative": initiative, "creating": False},
    )


@login_required
def report_new(request: HttpRequest, slug: str) -> HttpResponse:
    initiative = initiative_for_user_edit(request.user, slug)
    indicators = list(initiative.indicators.all())
    form = ReportForm(
        request.POST or None,
        indicators=indicators,
        initial={"status": initiative.status_id, "progress": initiative.progress_override},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("status", "progress", "narrative", "spent")}
        try:
            report_submit(
                initiative=initiative,
                period=form.cleaned_data["period"],
                data=data,
                values=form.indicator_values(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        except IntegrityError:
            form.add_error(None, _("A report for this period has already been submitted."))
        else:
            messages.success(
                request, _("The report has been submitted to the Plan's office for review.")
            )
            return redirect(initiative.get_absolute_url())
    return render(request, "plan/report_form.html", {"form": form, "initiative": initiative})


@login_required
def report_queue(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    return render(
        request,
        "plan/report_queue.html",
        {
            "reports": reports_to_review(),
            "overdue": reports_overdue(today=timezone.localdate()),
        },
    )


@login_required
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for_governance(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                report_approve(
                    report=report, user=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("The report has been approved."))
            else:
                report_return(
                    report=report, user=request.user, comment=form.cleaned_data["comment"]
                )
                messages.success(request, _("The report has been sent back to the lead."))
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("plan:reports")
    return render(
        request,
        "plan/report_review.html",
        {"report": report, "form": form, "values": report.measurements.select_related("indicator")},
    )


def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("action__mission", "initiative"), code=code
    )
    charts = _charts(indicator_views([indicator]))
    return render(
        request,
        "plan/indicator_detail.html",
        {"indicator": indicator, "chart": charts[0], "targets": indicator.targets.all()},
    )


def indicator_csv(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indicatore-{indicator.code}.csv"'
    rows = indicator_tidy_rows(indicator)
    fields = [
        "indicator",
        "year",
        "date",
        "municipality",
        "municipality_name",
        "gender",
        "unit",
        "value",
        "provisional",
        "source",
    ]
    writer = csv.DictWriter(response, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return response


@login_required
def mission_add(request: HttpRequest, number: int, kind: str) -> HttpResponse:
    """Governance adds a strategic direction or an action to a mission."""
    from pes.core.audit import audit_record
    from pes.plan.forms import ActionForm, StrategicDirectionForm

    require_governance(request.user)
    mission = get_object_or_404(Mission, number=number)
    if kind == "azione":
        form: Any = ActionForm(request.POST or None, mission=mission)
        title = _("Add an action to mission %(n)s") % {"n": mission.number}
    elif kind == "linea":
        form = StrategicDirectionForm(request.POST or None)
        form.instance.mission = mission
        title = _("Add a strategic direction to mission %(n)s") % {"n": mission.number}
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obj = form.save()
        except IntegrityError:
            form.add_error("number", _("This number is already used in this mission."))
        else:
            audit_record(user=request.user, instance=obj, action="create")
            messages.success(request, _("Saved."))
            return redirect(mission.get_absolute_url())
    return render(request, "plan/simple_form.html", {"form": form, "title": title, "back": mission})


MANAGE_FORMS = {
    "budget": ("BudgetLineForm", _lazy("Add a budget line")),
    "partner": ("PartnerForm", _lazy("Add a partner")),
    "timeline": ("TimelineForm", _lazy("Add to the timeline")),
    "indicator": ("IndicatorForm", _lazy("Add an indicator")),
    "measurement": ("MeasurementForm", _lazy("Record a value")),
}


@login_required
def initiative_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The lead's and governance's workbench: budget, partners, timeline, indicators, values."""
    from pes.plan import forms as plan_forms
    from pes.plan.services import (
        budget_line_save,
        indicator_create,
        measurement_record,
        partner_add,
        timeline_add,
    )

    initiative = initiative_for_user_edit(request.user, slug)
    indicators = list(initiative.indicators.all())
    bound = request.POST.get("form") if request.method == "POST" else None
    forms_: dict[str, Any] = {}
    for key, (cls_name, _title) in MANAGE_FORMS.items():
        cls = getattr(plan_forms, cls_name)
        data = request.POST if bound == key else None
        forms_[key] = cls(data, prefix=key)
    measurement_form = forms_["measurement"]
    measurement_form.fields["indicator"] = forms.ModelChoiceField(
        label=_("Indicator"), queryset=initiative.indicators.all()
    )
    measurement_form.fields["indicator"].widget.attrs["class"] = "form-select"
    if bound in forms_ and forms_[bound].is_valid():
        form = forms_[bound]
        data = form.cleaned_data
        user = request.user
        try:
            if bound == "budget":
                budget_line_save(initiative=initiative, data=data, user=user)
            elif bound == "partner":
                partner_add(
                    initiative=initiative,
                    organization=data["organization"],
                    role=data["role"],
                    user=user,
                )
            elif bound == "timeline":
                timeline_add(
                    initiative=initiative,
                    date=data["date"],
                    text=data["text"],
                    progress=data["progress"],
                    user=user,
                )
            elif bound == "indicator":
                targets = data.pop("targets")
                indicator_create(initiative=initiative, data=data, targets=targets, user=user)
            else:
                measurement_record(
                    indicator=data["indicator"],
                    date=data["date"],
                    value=data["value"],
                    municipality=data["municipality"],
                    gender=data["gender"],
                    source=data["source"],
                    note=data["note"],
                    provisional=data["provisional"],
                    user=user,
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("plan:initiative_manage", slug=initiative.slug)
    sections = [
        {"key": key, "title": title, "form": forms_[key]}
        for key, (_cls, title) in MANAGE_FORMS.items()
        if key != "measurement" or indicators
    ]
    return render(
        request,
        "plan/initiative_manage.html",
        {
            "initiative": initiative,
            "sections": sections,
            "budget": initiative.budget.all(),
            "partners": initiative.partners.select_related("organization"),
            "indicators": indicators,
        },
    )
