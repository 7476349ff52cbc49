from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.incubation import selectors, services
from pes.incubation.access import (
    application_for_applicant,
    application_for_evaluator,
    application_for_manager,
    application_for_user,
    applications_of,
    call_for_manager,
    call_for_user,
    calls_managed_by,
    cohort_for_user,
    declaration_of,
    organizations_for_applicant,
    project_for_user,
    user_can_create_calls,
    user_can_manage_call,
    user_is_applicant,
    user_is_evaluator,
    user_is_team,
)
from pes.incubation.forms import (
    TEAM,
    ApplicationForm,
    CallFilterForm,
    CallForm,
    CohortForm,
    ConflictForm,
    DecisionForm,
    EvaluatorForm,
    FollowUpForm,
    GrantForm,
    MentorForm,
    MilestoneForm,
    PaymentForm,
    ReachForm,
    SessionForm,
    ShowcaseFilterForm,
    TrancheForm,
)
from pes.incubation.models import Application, Call, Project, Tranche
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.models import Organization

# ----------------------------------------------------------------------------- public pages


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "incubation/home.html",
        {
            "open_calls": list(
                selectors.call_list(filters=selectors.CallFilters(open_only=True))[:5]
            ),
            "data": selectors.dashboard(),
            "my_applications": list(
                applications_of(user).select_related("call").order_by("-created_at")[:5]
            ),
            "evaluates": user.is_authenticated and user.incubation_assignments.exists(),  # type: ignore[union-attr]
            "managed": list(calls_managed_by(user).order_by("-deadline")[:5]),
            "can_create": user_can_create_calls(user),
        },
    )


def call_list(request: HttpRequest) -> HttpResponse:
    form = CallFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.call_list(filters=filters))
    return render(
        request,
        "incubation/call_list.html",
        {
            "form": form,
            "page": page,
            "filters_active": filters.active(),
            "query": query_without_page(request),
            "can_create": user_can_create_calls(request.user),
        },
    )


def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_user(request.user, slug)
    mine = list(applications_of(request.user).filter(call=call).select_related("organization"))
    return render(
        request,
        "incubation/call_detail.html",
        {
            "call": call,
            "criteria": list(call.criteria.all()),
            "phases": list(call.phases.all()),
            "municipalities": list(call.municipalities.all()),
            "legal_forms": list(call.legal_forms.all()),
            "budget": selectors.call_budget(call),
            "mine": mine,
            "can_manage": user_can_manage_call(request.user, call),
            "is_evaluator": user_is_evaluator(request.user, call),
        },
    )


@login_required
def call_new(request: HttpRequest) -> HttpResponse:
    if not user_can_create_calls(request.user):
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(
                data=form.service_data(),
                criteria=form.cleaned_data["criteria_text"],
                phases=form.cleaned_data["phases_text"],
                municipalities=list(form.cleaned_data["municipalities"]),
                legal_forms=list(form.cleaned_data["legal_forms"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The call has been saved."))
            return redirect(call.get_absolute_url())
    return render(
        request,
        "incubation/call_form.html",
        {"form": form, "title": _("New incubation call")},
        status=422 if form.errors else 200,
    )


@login_required
def call_edit(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_manager(request.user, slug)
    form = CallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(
                call=call,
                data=form.service_data(),
                municipalities=list(form.cleaned_data["municipalities"]),
                legal_forms=list(form.cleaned_data["legal_forms"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The call has been saved."))
            return redirect(call.get_absolute_url())
    return render(
        request,
        "incubation/call_form.html",
        {"form": form, "title": _("Edit the call"), "call": call},
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- applications


@login_required
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_user(request.user, slug)
    if not call.is_open:
        messages.error(request, _("This call is not open for applications."))
        return redirect(call.get_absolute_url())
    organizations = organizations_for_applicant(request.user)
    form = ApplicationForm(request.POST or None, organizations=organizations, new=True)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["applicant"]
        organization = (
            None
            if choice == TEAM
            else next((o for o in organizations if str(o.pk) == choice), None)
        )
        try:
            if choice != TEAM and organization is None:
                raise ValidationError({"applicant": [_("Choose who applies.")]})
            application = services.application_create(
                call=call,
                user=request.user,
                organization=organization,
                team_name=form.cleaned_data["team_name"],
                data=form.service_data(),
            )
            if request.POST.get("action") == "submit":
                services.application_submit(application=application, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if application.status == Application.Status.SUBMITTED:
                messages.success(request, _("Your application has been sent."))
            else:
                messages.success(request, _("Your draft has been saved."))
            return redirect(application.get_absolute_url())
    return render(
        request,
        "incubation/application_form.html",
        {"form": form, "call": call, "application": None},
        status=422 if form.errors else 200,
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for_applicant(request.user, pk)
    if application.status != Application.Status.DRAFT:
        messages.info(request, _("The application has been sent: it can no longer change."))
        return redirect(application.get_absolute_url())
    form = ApplicationForm(request.POST or None, initial=ApplicationForm.initial_from(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(application=application, data=form.service_data())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if request.POST.get("action") != "submit":
                messages.success(request, _("Your draft has been saved."))
                return redirect(application.get_absolute_url())
            try:
                services.application_submit(application=application, user=request.user)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your application has been sent."))
                return redirect(application.get_absolute_url())
    return render(
        request,
        "incubation/application_form.html",
        {"form": form, "call": application.call, "application": application},
        status=422 if form.errors else 200,
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = (
        applications_of(request.user).select_related("call", "organization").order_by("-created_at")
    )
    return render(
        request,
        "incubation/application_list.html",
        {"page": paginate(request, applications), "query": query_without_page(request)},
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = application_for_user(request.user, pk)
    except Http404:
        # An evaluator who has not declared yet goes to the declaration first.
        application = application_for_evaluator(request.user, pk)
        return redirect("incubation:evaluate", pk=application.pk)
    call = application.call
    can_manage = user_can_manage_call(request.user, call)
    context: dict[str, Any] = {
        "application": application,
        "call": call,
        "is_applicant": user_is_applicant(request.user, application),
        "can_manage": can_manage,
        "is_evaluator": user_is_evaluator(request.user, call),
        "project": Project.objects.filter(application=application).first(),
        "eligibility": (
            services.application_eligibility(application)
            if application.status == Application.Status.DRAFT
            else {}
        ),
    }
    if can_manage:
        evaluation, rows = selectors.application_evaluation(application)
        context.update(
            {
                "evaluation": evaluation,
                "evaluator_rows": rows,
                "criteria": list(call.criteria.all()),
                "decision_form": DecisionForm(call=call),
                "cohort_form": CohortForm(),
            }
        )
    return render(request, "incubation/application_detail.html", context)


# ----------------------------------------------------------------------------- evaluation


@login_required
def call_evaluators(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_manager(request.user, slug)
    form = EvaluatorForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            assignment = call.assignments.filter(pk=request.POST["remove"]).first()
            if assignment is None:
                raise Http404
            try:
                services.evaluator_remove(assignment=assignment, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The evaluator has been removed."))
            return redirect("incubation:evaluators", slug=call.slug)
        if form.is_valid():
            evaluator = (
                get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
            )
            try:
                if evaluator is None:
                    raise ValidationError(
                        {"email": [_("No user with this e-mail: ask them to sign up first.")]}
                    )
                services.evaluator_assign(call=call, evaluator=evaluator, user=request.user)
            except ValidationError as exc:
                form.add_error("email", exc.messages[0])
            else:
                messages.success(request, _("The evaluator has been assigned."))
                return redirect("incubation:evaluators", slug=call.slug)
    return render(
        request,
        "incubation/evaluators.html",
        {
            "call": call,
            "form": form,
            "assignments": list(call.assignments.select_related("evaluator")),
        },
        status=422 if form.errors else 200,
    )


@login_required
def evaluation_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incubation/evaluation_queue.html",
        {"items": selectors.evaluation_queue(request.user)},
    )


@login_required
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a conflict of interest, then (if none) see and score the application."""
    from pes.incubation.forms import ScoreForm

    application = application_for_evaluator(request.user, pk)
    declaration = declaration_of(request.user, application)
    criteria = list(application.call.criteria.all())
    if declaration is None:
        form = ConflictForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.conflict_declare(
                    application=application,
                    evaluator=request.user,
                    has_conflict=form.cleaned_data["has_conflict"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your declaration has been recorded."))
                return redirect("incubation:evaluate", pk=application.pk)
        return render(
            request,
            "incubation/declare.html",
            {"application": application, "form": form},
            status=422 if form.errors else 200,
        )
    if declaration.has_conflict:
        return render(
            request, "incubation/declare.html", {"application": application, "conflict": True}
        )
    existing = {s.criterion_id: s for s in application.scores.filter(evaluator=request.user.pk)}
    initial: dict[str, Any] = {}
    for cid, s in existing.items():
        initial[f"score_{cid}"] = s.value
        initial[f"comment_{cid}"] = s.comment
    score_form = ScoreForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and score_form.is_valid():
        try:
            services.application_score(
                application=application, evaluator=request.user, scores=score_form.scores()
            )
        except ValidationError as exc:
            add_service_error(score_form, exc)
        else:
            messages.success(request, _("Your scores have been saved."))
            return redirect("incubation:evaluations")
    return render(
        request,
        "incubation/evaluate.html",
        {
            "application": application,
            "form": score_form,
            "open": application.status == Application.Status.SUBMITTED,
        },
        status=422 if score_form.errors else 200,
    )


@login_required
def ranking(request: HttpRequest, slug: str) -> HttpResponse:
    call = call_for_manager(request.user, slug)
    rows = selectors.call_evaluations(call)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="graduatoria-{call.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "rank",
                "application",
                "applicant",
                "title",
                "status",
                "evaluations",
                "average",
                "spread",
                "disagreement",
                "conflicts",
            ]
        )
        for r in rows:
            writer.writerow(
                [
                    r.rank or "",
                    r.application.pk,
                    r.application.applicant_name,
                    r.application.title,
                    r.application.status,
                    r.count,
                    r.average if r.average is not None else "",
                    r.spread if r.spread is not None else "",
                    "yes" if r.disagreement else "no",
                    r.conflicts,
                ]
            )
        return response
    cohort_form = CohortForm(request.POST or None)
    if request.method == "POST" and cohort_form.is_valid():
        try:
            services.cohort_create(call=call, user=request.user, **cohort_form.cleaned_data)
        except ValidationError as exc:
            add_service_error(cohort_form, exc)
        else:
            messages.success(request, _("The cohort has been created."))
            return redirect("incubation:ranking", slug=call.slug)
    return render(
        request,
        "incubation/ranking.html",
        {
            "call": call,
            "rows": rows,
            "budget": selectors.call_budget(call),
            "cohorts": list(call.cohorts.annotate(n_projects=Count("projects"))),
            "cohort_form": cohort_form,
        },
        status=422 if cohort_form.errors else 200,
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = application_for_manager(request.user, pk)
    form = DecisionForm(request.POST, call=application.call)
    if form.is_valid():
        try:
            services.application_decide(
                application=application,
                admitted=form.cleaned_data["decision"] == "admit",
                reason=form.cleaned_data["reason"],
                cohort=form.cleaned_data["cohort"],
                grant=form.cleaned_data["grant"] or services.ZERO,
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded and sent."))
            return redirect(application.get_absolute_url())
    evaluation, rows = selectors.application_evaluation(application)
    return render(
        request,
        "incubation/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "can_manage": True,
            "is_applicant": user_is_applicant(request.user, application),
            "evaluation": evaluation,
            "evaluator_rows": rows,
            "criteria": list(application.call.criteria.all()),
            "decision_form": form,
            "eligibility": {},
        },
        status=422,
    )


# ----------------------------------------------------------------------------- cohorts


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = cohort_for_user(request.user, pk)
    projects = (
        cohort.projects.select_related("application__organization", "mentor")
        .prefetch_related("milestones")
        .order_by("application__title")
    )
    return render(
        request,
        "incubation/cohort_detail.html",
        {"cohort": cohort, "projects": list(projects)},
    )


def _project_context(request: HttpRequest, project: Project, **forms: Any) -> dict[str, Any]:
    can_manage = user_can_manage_call(request.user, project.application.call)
    is_team = user_is_team(request.user, project)
    is_mentor = project.mentor_id == request.user.pk
    context = {
        "project": project,
        "application": project.application,
        "milestones": list(project.milestones.prefetch_related("tranches")),
        "tranches": list(project.tranches.select_related("milestone")),
        "sessions": list(project.sessions.select_related("mentor")),
        "follow_ups": list(project.follow_ups.select_related("organization")),
        "money": selectors.project_money(project),
        "can_manage": can_manage,
        "is_team": is_team,
        "is_mentor": is_mentor,
        "hours": sum((s.hours for s in project.sessions.all()), services.ZERO),
    }
    if can_manage:
        context.setdefault("milestone_form", MilestoneForm())
        context.setdefault("reach_form", ReachForm(project=project))
        context.setdefault("tranche_form", TrancheForm(project=project))
        context.setdefault("payment_form", PaymentForm())
        context.setdefault("grant_form", GrantForm(initial={"grant": project.grant}))
        context.setdefault("mentor_form", MentorForm())
    if can_manage or is_mentor:
        context.setdefault("session_form", SessionForm())
    if is_team:
        context.setdefault("follow_up_form", _follow_up_form(request, project, None))
    context.update(forms)
    return context


def _follow_up_form(request: HttpRequest, project: Project, data: Any) -> FollowUpForm:
    organizations = Organization.objects.filter(memberships__user=request.user.pk).order_by("name")
    return FollowUpForm(data, organizations=organizations, initial={"is_active": True})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for_user(request.user, pk)
    if request.method != "POST":
        return render(request, "incubation/project_detail.html", _project_context(request, project))
    action = request.POST.get("form", "")
    form: Any
    handlers = {
        "milestone": (MilestoneForm, "milestone_form", True),
        "reach": (ReachForm, "reach_form", True),
        "tranche": (TrancheForm, "tranche_form", True),
        "payment": (PaymentForm, "payment_form", True),
        "grant": (GrantForm, "grant_form", True),
        "mentor": (MentorForm, "mentor_form", True),
        "session": (SessionForm, "session_form", False),
        "follow_up": (FollowUpForm, "follow_up_form", False),
    }
    if action not in handlers:
        raise Http404
    form_class, key, manager_only = handlers[action]
    can_manage = user_can_manage_call(request.user, project.application.call)
    if manager_only and not can_manage:
        raise PermissionDenied
    if action == "session" and not (can_manage or project.mentor_id == request.user.pk):
        raise PermissionDenied
    if action == "follow_up" and not user_is_team(request.user, project):
        raise PermissionDenied
    if action in ("reach", "tranche"):
        form = form_class(request.POST, project=project)
    elif action == "follow_up":
        form = _follow_up_form(request, project, request.POST)
    else:
        form = form_class(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "milestone":
                services.milestone_add(project=project, user=request.user, **d)
            elif action == "reach":
                services.milestone_reach(user=request.user, **d)
            elif action == "tranche":
                services.tranche_add(project=project, user=request.user, **d)
            elif action == "payment":
                tranche = Tranche.objects.filter(
                    project=project, pk=request.POST.get("tranche") or 0
                ).first()
                if tranche is None:
                    raise ValidationError(_("Choose a tranche of this project."))
                services.tranche_pay(tranche=tranche, user=request.user, **d)
            elif action == "grant":
                services.project_set_grant(project=project, grant=d["grant"], user=request.user)
            elif action == "mentor":
                mentor = get_user_model().objects.filter(email__iexact=d["email"]).first()
                if mentor is None:
                    raise ValidationError({"email": [_("No user with this e-mail.")]})
                services.project_set_mentor(project=project, mentor=mentor, user=request.user)
            elif action == "session":
                services.session_log(project=project, mentor=request.user, **d)
            elif action == "follow_up":
                services.follow_up_report(
                    project=project, period=d["period"], data=form.service_data(), user=request.user
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(project.get_absolute_url())
    context = _project_context(request, project, **{key: form})
    context["failed"] = action
    return render(request, "incubation/project_detail.html", context, status=422)


# ----------------------------------------------------------------------------- public results


def showcase(request: HttpRequest) -> HttpResponse:
    form = ShowcaseFilterForm(request.GET or None)
    q = district = ""
    if form.is_bound and form.is_valid():
        q, district = form.cleaned_data["q"], form.cleaned_data["district"]
    page = paginate(request, selectors.showcase(q=q, district=district))
    return render(
        request,
        "incubation/showcase.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "filters_active": bool(q or district),
        },
    )


def showcase_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.showcase().filter(pk=pk).first()
    if project is None:
        raise Http404
    return render(
        request,
        "incubation/showcase_project.html",
        {
            "project": project,
            "application": project.application,
            "milestones": list(project.milestones.all()),
            "follow_ups": list(project.follow_ups.all()),
        },
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    call = None
    slug = request.GET.get("bando")
    if slug:
        call = Call.objects.filter(slug=slug, is_published=True).first()
    data = selectors.dashboard(call=call)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="incubazione-cruscotto.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["breakdown", "label", "applicants", "admitted", "funded", "jobs", "jobs_fragile"]
        )
        for kind in ("by_district", "by_kind"):
            for r in data[kind]:
                writer.writerow(
                    [
                        kind,
                        r["label"],
                        r["applicants"],
                        r["admitted"],
                        r["funded"],
                        r["jobs"],
                        r["fragile"],
                    ]
                )
        return response
    funnel = [
        (_("Applicants"), data["applicants"]),
        (_("Evaluated"), data["evaluated"]),
        (_("Admitted"), data["admitted"]),
        (_("Funded"), data["funded"]),
        (_("Surviving"), data["surviving"]),
    ]
    top = max([n for _label, n in funnel] + [1])
    return render(
        request,
        "incubation/dashboard.html",
        {
            "data": data,
            "call": call,
            "funnel": [(label, n, round(100 * n / top)) for label, n in funnel],
            "calls": list(Call.objects.filter(is_published=True).order_by("-deadline")[:200]),
        },
    )
