from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.impact import charts, selectors, services
from pes.impact.access import (
    campaign_for_governance,
    campaign_for_user,
    participant_for_user,
    report_for_editor,
    report_for_user,
    require_governance,
    sroi_for_user,
    srois_for_user,
    survey_for_user,
    theories_for_user,
    theory_for_user,
    user_can_edit_theory,
)
from pes.impact.forms import (
    AnswerForm,
    CampaignForm,
    IndicatorFilterForm,
    IndicatorForm,
    MeasureForm,
    MethodForm,
    MethodVersionForm,
    OutcomeForm,
    ProxyForm,
    ReportForm,
    ReportLinksForm,
    ReportPhaseForm,
    SmallTemplateForm,
    SroiForm,
    SurveyForm,
    SurveyResponseForm,
    TheoryForm,
    TheoryStepForm,
    TokenForm,
)
from pes.impact.models import (
    REPORT_PHASES,
    TOC_SECTIONS,
    Answer,
    Campaign,
    Indicator,
    Method,
    Outcome,
    Report,
)
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.access import organizations_editable_by, user_is_governance

SECTION_KEYS = [key for key, _label in TOC_SECTIONS]
PHASE_KEYS = [key for key, _label in REPORT_PHASES]


def _posted(request: HttpRequest) -> Any:
    """The submitted data on a POST (even an empty one), ``None`` otherwise."""
    return request.POST if request.method == "POST" else None


def _my_organizations(user: Any) -> list[Any]:
    if not user.is_authenticated:
        return []
    return list(organizations_editable_by(user).order_by("name")[:200])


# ----------------------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "impact/home.html",
        {
            "theories": list(theories_for_user(user).select_related("organization")[:10]),
            "srois": list(srois_for_user(user)[:10]),
            "participations": list(selectors.campaigns_for_member(user)[:10]),
            "reports": list(
                Report.objects.filter(is_published=True).select_related("theory__organization")[:10]
            ),
            "is_governance": user_is_governance(user),
            "can_start": bool(_my_organizations(user)),
        },
    )


# ----------------------------------------------------------------------------- theories of change


@login_required
def theory_list(request: HttpRequest) -> HttpResponse:
    qs = theories_for_user(request.user).select_related("organization", "municipality")
    return render(
        request,
        "impact/theory_list.html",
        {"page": paginate(request, qs), "query": query_without_page(request)},
    )


@login_required
def theory_new(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    form = TheoryForm(_posted(request), organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if not user_is_governance(request.user) and data.get("organization") is None:
            form.add_error("organization", _("Choose the organisation that keeps the theory."))
        else:
            try:
                theory = services.theory_create(data=data, user=request.user)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, _("The theory of change is saved: now describe it step by step.")
                )
                return redirect("impact:theory_step", pk=theory.pk, section=SECTION_KEYS[0])
    return render(
        request, "impact/theory_form.html", {"form": form}, status=422 if form.errors else 200
    )


def _toc_svg(theory: Any, chart_id: str = "toc") -> Any:
    return charts.toc_diagram(
        title=_("Theory of change: %(title)s") % {"title": theory.title},
        chain=theory.chain(),
        chart_id=chart_id,
    )


@login_required
def theory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    theory = theory_for_user(request.user, pk)
    return render(
        request,
        "impact/theory_detail.html",
        {
            "theory": theory,
            "chain": theory.chain(),
            "diagram": _toc_svg(theory),
            "srois": list(theory.srois.all()),
            "reports": list(theory.reports.all()),
            "first_step": SECTION_KEYS[0],
        },
    )


@login_required
def theory_step(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    theory = theory_for_user(request.user, pk)
    if section not in SECTION_KEYS:
        raise Http404
    index = SECTION_KEYS.index(section)
    form = TheoryStepForm(
        _posted(request), section=section, initial={section: getattr(theory, section)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.theory_update(theory=theory, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if "back" in request.POST and index > 0:
                return redirect("impact:theory_step", pk=pk, section=SECTION_KEYS[index - 1])
            if index + 1 < len(SECTION_KEYS) and "finish" not in request.POST:
                return redirect("impact:theory_step", pk=pk, section=SECTION_KEYS[index + 1])
            messages.success(request, _("The theory of change is saved."))
            return redirect(theory.get_absolute_url())
    return render(
        request,
        "impact/theory_step.html",
        {
            "theory": theory,
            "form": form,
            "section": section,
            "label": dict(TOC_SECTIONS)[section],
            "steps": [(k, label, k == section) for k, label in TOC_SECTIONS],
            "number": index + 1,
            "total": len(SECTION_KEYS),
            "is_last": index + 1 == len(SECTION_KEYS),
        },
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- library


def indicator_list(request: HttpRequest) -> HttpResponse:
    form = IndicatorFilterForm(request.GET or None, themes=selectors.indicator_themes())
    filters = form.filters()
    qs = selectors.indicator_list(filters=filters)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="indicatori-impatto.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "code",
                "name",
                "definition",
                "unit",
                "data_type",
                "theme",
                "sdg_target",
                "iris_id",
                "core",
            ]
        )
        for i in qs.iterator():
            writer.writerow(
                [
                    i.code,
                    i.name,
                    i.definition,
                    i.unit,
                    i.data_type,
                    i.theme,
                    i.sdg_target,
                    i.iris_id,
                    int(i.is_core),
                ]
            )
        return response
    return render(
        request,
        "impact/indicator_list.html",
        {
            "form": form,
            "page": paginate(request, qs),
            "filters_active": filters.active(),
            "query": query_without_page(request),
            "can_add": bool(_my_organizations(request.user)),
        },
    )


@login_required
def indicator_new(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    form = IndicatorForm(_posted(request), organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                organization=form.cleaned_data["organization"],
                data=form.service_data(),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Indicator %(code)s added.") % {"code": indicator.code})
            return redirect(reverse("impact:indicators") + f"?q={indicator.code}")
    return _record_form(
        request, form, _("New indicator"), _("Indicator library"), reverse("impact:indicators")
    )


def proxy_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "impact/proxy_list.html",
        {"proxies": list(selectors.proxy_list()), "can_add": bool(_my_organizations(request.user))},
    )


@login_required
def proxy_new(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    form = ProxyForm(_posted(request), organizations=organizations)
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data.get("organization")
        if org is None and not user_is_governance(request.user):
            form.add_error("organization", _("Choose the organisation that adds the proxy."))
        else:
            try:
                services.proxy_create(data=form.service_data(), organization=org, user=request.user)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The financial proxy is saved."))
                return redirect("impact:proxies")
    return _record_form(
        request, form, _("New financial proxy"), _("Financial proxies"), reverse("impact:proxies")
    )


def _record_form(
    request: HttpRequest, form: Any, title: str, middle: str, middle_url: str
) -> HttpResponse:
    return render(
        request,
        "impact/record_form.html",
        {"form": form, "title": title, "middle": middle, "middle_url": middle_url},
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- methods


def method_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "impact/method_list.html",
        {
            "methods": list(selectors.method_list()),
            "is_governance": user_is_governance(request.user),
        },
    )


def method_detail(request: HttpRequest, pk: int) -> HttpResponse:
    method = get_object_or_404(Method, pk=pk)
    return render(
        request,
        "impact/method_detail.html",
        {
            "method": method,
            "items": selectors.method_items(method),
            "versions": list(Method.objects.filter(slug=method.slug).order_by("-version")),
            "campaigns": list(method.campaigns.all()) if user_is_governance(request.user) else [],
            "is_governance": user_is_governance(request.user),
        },
    )


@login_required
def method_new(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    form = MethodForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "unit", "description")}
        method = services.method_create(
            data=data, indicators=list(form.cleaned_data["extra"]), user=request.user
        )
        messages.success(request, _("The method is saved with the core set of indicators."))
        return redirect(method.get_absolute_url())
    return _record_form(request, form, _("New method"), _("Methods"), reverse("impact:methods"))


@login_required
def method_version(request: HttpRequest, pk: int) -> HttpResponse:
    require_governance(request.user)
    method = get_object_or_404(Method, pk=pk)
    current = [i.indicator for i in selectors.method_items(method) if not i.indicator.is_core]
    form = MethodVersionForm(_posted(request), initial={"extra": current})
    if request.method == "POST" and form.is_valid():
        new = services.method_new_version(
            method=method,
            indicators=list(form.cleaned_data["extra"]),
            description=form.cleaned_data["description"],
            user=request.user,
        )
        messages.success(request, _("Version %(n)d of the method is saved.") % {"n": new.version})
        return redirect(new.get_absolute_url())
    return _record_form(
        request,
        form,
        _("New version of %(name)s") % {"name": method},
        _("Methods"),
        reverse("impact:methods"),
    )


# ----------------------------------------------------------------------------- campaigns


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    is_gov = user_is_governance(request.user)
    campaigns = Campaign.objects.select_related("method") if is_gov else Campaign.objects.none()
    status = request.GET.get("status", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    return render(
        request,
        "impact/campaign_list.html",
        {
            "page": paginate(request, campaigns),
            "query": query_without_page(request),
            "participations": list(selectors.campaigns_for_member(request.user)[:50]),
            "is_governance": is_gov,
            "statuses": Campaign.Status.choices,
            "status": status,
        },
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    form = CampaignForm(_posted(request), initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "year", "closes_on")}
        try:
            campaign = services.campaign_create(
                method=form.cleaned_data["method"],
                data=data,
                organizations=form.cleaned_data["organizations"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The campaign is open."))
            return redirect(campaign.get_absolute_url())
    return _record_form(
        request, form, _("New campaign"), _("Campaigns"), reverse("impact:campaigns")
    )


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk)
    is_gov = user_is_governance(request.user)
    results = selectors.campaign_results(campaign, with_texts=is_gov)
    participants = selectors.campaign_participants(campaign) if is_gov else []
    mine = []
    if request.user.is_authenticated and not is_gov:
        mine = list(
            campaign.participants.filter(
                organization__memberships__user=request.user
            ).select_related("organization")
        )
    chart_rows = [
        (r.indicator.name, r.total)
        for r in results.indicators
        if r.total is not None and r.indicator.data_type != "money"
    ]
    return render(
        request,
        "impact/campaign_detail.html",
        {
            "campaign": campaign,
            "results": results,
            "participants": participants,
            "mine": mine,
            "is_governance": is_gov,
            "chart": charts.hbars(
                title=_("Totals of the campaign by indicator"),
                rows=chart_rows,
                chart_id="campaign-totals",
            ),
            "next_statuses": sorted(
                services.NEXT_STATUS.get(Campaign.Status(campaign.status), set())
            ),
            "status_labels": dict(Campaign.Status.choices),
            "min_responses": selectors.MIN_RESPONSES,
        },
    )


@login_required
@require_POST
def campaign_status(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for_governance(request.user, pk)
    try:
        services.campaign_set_status(
            campaign=campaign, status=request.POST.get("status", ""), user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The campaign is now %(status)s.") % {"status": campaign.get_status_display()},
        )
    return redirect(campaign.get_absolute_url())


@login_required
def campaign_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for_governance(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campagna-{campaign.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["organization", "codice_fiscale", "project", "indicator", "value", "women", "men", "other"]
    )
    answers = (
        Answer.objects.filter(participant__campaign=campaign)
        .select_related("participant__organization", "indicator")
        .order_by("participant__organization__name", "indicator__code")
    )
    for a in answers.iterator(chunk_size=2000):
        value = a.value()
        writer.writerow(
            [
                a.participant.organization.name,
                a.participant.organization.codice_fiscale,
                a.participant.project,
                a.indicator.code,
                "" if value is None else value,
                a.women or "",
                a.men or "",
                a.other or "",
            ]
        )
    return response


@login_required
def answer_form(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    campaign = participant.campaign
    items = selectors.method_items(campaign.method)
    answers = {a.indicator_id: a for a in participant.answers.all()}
    form = AnswerForm(_posted(request), items=items, answers=answers)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.answers_save(
                participant=participant, values=form.values(), submit=submit, user=request.user
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("The answers are submitted.") if submit else _("The answers are saved.")
            )
            return redirect("impact:answer", pk=participant.pk)
    return render(
        request,
        "impact/answer_form.html",
        {
            "participant": participant,
            "campaign": campaign,
            "form": form,
            "is_open": campaign.status == Campaign.Status.OPEN,
            "surveys": [selectors.survey_stats(s) for s in participant.surveys.all()],
        },
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- surveys


@login_required
def survey_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey of a participant (its members) or of the whole campaign (governance)."""
    participant = None
    campaign: Campaign
    if request.GET.get("partecipante") or request.POST.get("participant"):
        raw = request.GET.get("partecipante") or request.POST.get("participant") or ""
        if not raw.isdigit():
            raise Http404
        participant = participant_for_user(request.user, int(raw))
        campaign = participant.campaign
        if campaign.pk != pk:
            raise Http404
    else:
        campaign = campaign_for_governance(request.user, pk)
    form = SurveyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                campaign=campaign,
                participant=participant,
                data=form.service_data(),
                questions=form.questions(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The survey is ready: now create its links."))
            return redirect(survey.get_absolute_url())
    return render(
        request,
        "impact/survey_form.html",
        {"form": form, "campaign": campaign, "participant": participant},
        status=422 if form.errors else 200,
    )


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_for_user(request.user, pk)
    form = TokenForm(_posted(request))
    links: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            tokens = services.survey_tokens_issue(
                survey=survey, count=form.cleaned_data["count"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            links = [
                request.build_absolute_uri(reverse("impact:respond", kwargs={"token": t}))
                for t in tokens
            ]
            messages.success(request, _("The links are shown below once: copy them now."))
    return render(
        request,
        "impact/survey_detail.html",
        {
            "survey": survey,
            "stats": selectors.survey_stats(survey),
            "form": form,
            "links": links,
            "min_responses": selectors.MIN_RESPONSES,
        },
        status=422 if form.errors else 200,
    )


def survey_respond(request: HttpRequest, token: str) -> HttpResponse:
    """The public survey page: no login, the link is the key."""
    try:
        link = services.survey_token_check(token)
    except services.TokenRefused as exc:
        return render(request, "impact/survey_refused.html", {"reason": exc.message}, status=410)
    survey = link.survey
    questions = list(survey.questions.all())
    form = SurveyResponseForm(_posted(request), questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_respond(token=token, answers=form.answers())
        except services.TokenRefused as exc:
            return render(
                request, "impact/survey_refused.html", {"reason": exc.message}, status=410
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return render(request, "impact/survey_thanks.html", {"survey": survey})
    return render(
        request,
        "impact/survey_respond.html",
        {"survey": survey, "form": form},
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- SROI


@login_required
def sroi_list(request: HttpRequest) -> HttpResponse:
    qs = srois_for_user(request.user).select_related("theory", "organization")
    return render(
        request,
        "impact/sroi_list.html",
        {"page": paginate(request, qs), "query": query_without_page(request)},
    )


@login_required
def sroi_new(request: HttpRequest) -> HttpResponse:
    theory = None
    raw = request.GET.get("teoria") or request.POST.get("theory")
    if raw:
        if not str(raw).isdigit():
            raise Http404
        theory = theory_for_user(request.user, int(raw))
    organizations = _my_organizations(request.user)
    if theory is None and not organizations:
        raise PermissionDenied
    form = SroiForm(_posted(request), initial={"title": theory.title if theory else ""})
    if request.method == "POST" and form.is_valid():
        try:
            sroi = services.sroi_create(
                data=form.cleaned_data,
                theory=theory,
                organization=None
                if theory
                else (
                    organizations[0]
                    if len(organizations) == 1 and not user_is_governance(request.user)
                    else None
                ),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(sroi.get_absolute_url())
    return render(
        request,
        "impact/sroi_form.html",
        {"form": form, "theory": theory},
        status=422 if form.errors else 200,
    )


def _sroi_context(sroi: Any, result: Any, chart_prefix: str = "sroi") -> dict[str, Any]:
    if result is None:
        return {"result": None}
    by_year = [
        (_("Year %(n)d") % {"n": n}, v) for n, v in enumerate(result.discounted_by_year, start=1)
    ]
    by_outcome = [
        (o.name, o.present_value.quantize(services.sroi_maths.CENT)) for o in result.outcomes
    ]
    return {
        "result": result,
        "year_chart": charts.hbars(
            title=_("Present value of the impact by year (€)"),
            rows=by_year,
            chart_id=f"{chart_prefix}-years",
            unit=" €",
        ),
        "outcome_chart": charts.hbars(
            title=_("Present value by outcome (€)"),
            rows=by_outcome,
            chart_id=f"{chart_prefix}-outcomes",
            unit=" €",
            colour=charts.GREEN,
        ),
        "year_rows": list(
            zip(
                range(1, len(result.by_year) + 1),
                result.by_year,
                result.discounted_by_year,
                strict=True,
            )
        ),
    }


@login_required
def sroi_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sroi = sroi_for_user(request.user, pk)
    form = OutcomeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_add(sroi=sroi, data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The outcome is added."))
            return redirect(sroi.get_absolute_url())
    outcomes = list(sroi.outcomes.select_related("proxy", "indicator"))
    result = selectors.sroi_result(sroi)
    return render(
        request,
        "impact/sroi_detail.html",
        {"sroi": sroi, "outcomes": outcomes, "form": form, **_sroi_context(sroi, result)},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def outcome_delete(request: HttpRequest, pk: int, outcome_pk: int) -> HttpResponse:
    sroi = sroi_for_user(request.user, pk)
    outcome = get_object_or_404(Outcome, pk=outcome_pk, sroi=sroi)
    services.outcome_delete(outcome=outcome, user=request.user)
    messages.success(request, _("The outcome is removed."))
    return redirect(sroi.get_absolute_url())


# ----------------------------------------------------------------------------- reports


def report_list(request: HttpRequest) -> HttpResponse:
    published = Report.objects.filter(is_published=True).select_related(
        "theory__organization", "theory__municipality"
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        published = published.filter(title__icontains=q)
    mine = []
    if request.user.is_authenticated:
        mine = list(
            Report.objects.filter(theory__in=theories_for_user(request.user))
            .select_related("theory")
            .order_by("-updated_at")[:50]
        )
    return render(
        request,
        "impact/report_list.html",
        {
            "page": paginate(request, published),
            "query": query_without_page(request),
            "mine": mine,
            "q": q,
        },
    )


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    theory = theory_for_user(request.user, pk)
    form = ReportForm(
        _posted(request), initial={"title": theory.title, "year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(
                theory=theory, data=form.cleaned_data, user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("impact:report_phase", pk=report.pk, phase=PHASE_KEYS[0])
    return _record_form(
        request, form, _("New impact report"), theory.title, theory.get_absolute_url()
    )


@login_required
def small_template(request: HttpRequest) -> HttpResponse:
    organizations = _my_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    form = SmallTemplateForm(_posted(request), organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = data.pop("organization")
        try:
            report = services.small_template_create(
                organization=organization, data=data, user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your project is set up: record the four indicators, then one outcome for "
                    "the SROI."
                ),
            )
            return redirect("impact:report_measures", pk=report.pk)
    return render(
        request, "impact/small_template.html", {"form": form}, status=422 if form.errors else 200
    )


def _report_context(report: Report) -> dict[str, Any]:
    theory = report.theory
    measures = list(report.measures.select_related("indicator"))
    result = selectors.sroi_result(report.sroi) if report.sroi else None
    measure_chart = charts.hbars(
        title=_("Results as a share of the target (%)"),
        rows=[
            (m.indicator.name, (m.value * 100 / m.target).quantize(Decimal("0.1")))
            for m in measures
            if m.value is not None and m.target
        ],
        chart_id="measures",
        unit="%",
    )
    campaign_results = selectors.campaign_results(report.campaign) if report.campaign else None
    return {
        "report": report,
        "theory": theory,
        "chain": theory.chain(),
        "diagram": _toc_svg(theory, "report-toc"),
        "phases": [(key, label, getattr(report, key)) for key, label in REPORT_PHASES],
        "measures": measures,
        "measure_chart": measure_chart,
        "sroi": report.sroi,
        "sroi_outcomes": list(report.sroi.outcomes.all()) if report.sroi else [],
        "campaign_results": campaign_results,
        **_sroi_context(report.sroi, result, "report-sroi"),
    }


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for_user(request.user, pk)
    can_edit = user_can_edit_theory(request.user, report.theory)
    return render(
        request,
        "impact/report_detail.html",
        {
            **_report_context(report),
            "can_edit": can_edit,
            "phase_keys": PHASE_KEYS,
            "done": report.phases_done(),
            "total": len(PHASE_KEYS),
        },
    )


@login_required
def report_phase(request: HttpRequest, pk: int, phase: str) -> HttpResponse:
    report = report_for_editor(request.user, pk)
    if phase not in PHASE_KEYS:
        raise Http404
    index = PHASE_KEYS.index(phase)
    form = ReportPhaseForm(_posted(request), phase=phase, initial={phase: getattr(report, phase)})
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(report=report, data=form.cleaned_data, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if "back" in request.POST and index > 0:
                return redirect("impact:report_phase", pk=pk, phase=PHASE_KEYS[index - 1])
            if index + 1 < len(PHASE_KEYS) and "finish" not in request.POST:
                return redirect("impact:report_phase", pk=pk, phase=PHASE_KEYS[index + 1])
            return redirect(report.get_absolute_url())
    return render(
        request,
        "impact/report_phase.html",
        {
            "report": report,
            "form": form,
            "phase": phase,
            "label": dict(REPORT_PHASES)[phase],
            "steps": [
                (k, label, k == phase, bool(getattr(report, k).strip()))
                for k, label in REPORT_PHASES
            ],
            "number": index + 1,
            "total": len(PHASE_KEYS),
            "is_last": index + 1 == len(PHASE_KEYS),
        },
        status=422 if form.errors else 200,
    )


@login_required
def report_measures(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for_editor(request.user, pk)
    form = MeasureForm(_posted(request))
    links = ReportLinksForm(
        request.POST if "link" in request.POST else None,
        srois=srois_for_user(request.user),
        initial={"sroi": report.sroi_id},
    )
    if request.method == "POST" and "link" in request.POST:
        if links.is_valid():
            services.report_update(
                report=report, data={"sroi": links.cleaned_data["sroi"]}, user=request.user
            )
            return redirect("impact:report_measures", pk=pk)
        form = MeasureForm()
    elif request.method == "POST" and form.is_valid():
        try:
            services.measure_save(
                report=report, indicator=form.cleaned_data["indicator"], data=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect("impact:report_measures", pk=pk)
    suggested = services.SMALL_TEMPLATE_INDICATORS if report.small_template else []
    return render(
        request,
        "impact/report_measures.html",
        {
            "report": report,
            "form": form,
            "links": links,
            "measures": list(report.measures.select_related("indicator")),
            "suggested": list(Indicator.objects.filter(code__in=suggested)),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for_editor(request.user, pk)
    try:
        services.report_publish(
            report=report, publish=request.POST.get("publish") == "1", user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(report.get_absolute_url())


def _weasyprint() -> Any:
    """The WeasyPrint module, or None where it or its system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    return weasyprint


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_for_user(request.user, pk)
    weasyprint = _weasyprint()
    if weasyprint is None:
        return HttpResponse(
            _(
                "The PDF is not available on this server: WeasyPrint or its system libraries "
                "are missing."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    html = render_to_string(
        "impact/report_pdf.html",
        {**_report_context(report), "now": timezone.localtime()},
        request=request,
    )
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, timeout=1)
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapporto-impatto-{report.pk}.pdf"'
    return response
