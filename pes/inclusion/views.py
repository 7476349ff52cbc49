"""Pages of work inclusion, under ``/lavoro/``. Views validate input, fetch through
``access.py`` and write through ``services.py``; a refused write re-renders the form with
the service's field errors and everything the user typed."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.inclusion import matching_data, selectors, services
from pes.inclusion.access import (
    allocation_for_user,
    case_for_triage,
    case_for_user,
    opening_for_editor,
    opening_for_user,
    proposal_for_company,
    proposal_for_user,
    require_operator,
    suggestion_for_operator,
    supervised_operator_ids,
    user_can_open_case,
    user_can_run_allocation,
    user_is_company_of,
    user_is_operator,
    user_is_supervisor,
)
from pes.inclusion.forms import (
    AllocationForm,
    AssessmentForm,
    AssignForm,
    CloseForm,
    ContactForm,
    DecisionForm,
    FollowUpForm,
    IntakeForm,
    NetworkJoinForm,
    OpeningFilterForm,
    OpeningForm,
    OverrideForm,
    PathwayForm,
    ProfileForm,
    ProposeForm,
    QueueFilterForm,
    ReadPurposeForm,
)
from pes.inclusion.models import (
    AllocationRun,
    Case,
    Contract,
    NetworkMember,
    Opening,
    Person,
    Proposal,
    ShareableField,
    Skill,
    Suggestion,
)
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.access import (
    organizations_editable_by,
    user_can_edit_organization,
    user_is_governance,
)

RECEIPT_SESSION_KEY = "inclusion_receipt"


def _my_organizations(user: Any) -> list[Any]:
    if not user.is_authenticated or user_is_governance(user):
        return []
    return list(organizations_editable_by(user).select_related("legal_form").order_by("name")[:50])


# ----------------------------------------------------------------------------- public


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "inclusion/home.html",
        {
            "openings": list(selectors.opening_list()[:5]),
            "is_operator": user_is_operator(user),
            "can_allocate": user_can_run_allocation(user),
            "organizations": _my_organizations(user),
            "has_person": user.is_authenticated and Person.objects.filter(user=user).exists(),
        },
    )


def intake(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case, token = services.intake_submit(
                data=form.person_data(),
                codice_fiscale=form.cleaned_data["codice_fiscale"],
                in_active_measure=form.cleaned_data["in_active_measure"],
                consent=form.cleaned_data["consent"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            request.session[RECEIPT_SESSION_KEY] = {"case": case.pk, "token": token}
            return redirect("inclusion:receipt")
    return render(
        request,
        "inclusion/intake.html",
        {"form": form, "privacy_version": services.PRIVACY_NOTICE_VERSION},
    )


def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt, once, in the session of the person who registered."""
    stored = request.session.get(RECEIPT_SESSION_KEY)
    if not stored:
        raise Http404
    case = Case.objects.filter(pk=stored["case"]).select_related("person").first()
    if case is None:
        raise Http404
    link = request.build_absolute_uri(
        reverse("inclusion:my_data_token", kwargs={"token": stored["token"]})
    )
    return render(request, "inclusion/receipt.html", {"case": case, "link": link})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inclusion/privacy.html",
        {"version": services.PRIVACY_NOTICE_VERSION, "retention_days": services.retention_days()},
    )


def _person_for_request(request: HttpRequest, token: str | None) -> Person:
    if token:
        person = selectors.person_for_token(token)
    else:
        person = (
            Person.objects.filter(user=request.user.pk, anonymised_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
    if person is None:
        raise Http404
    return person


def my_data(request: HttpRequest, token: str | None = None) -> HttpResponse:
    """The person's own data: see, download (JSON), ask for erasure."""
    if token is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = _person_for_request(request, token)
    if request.GET.get("formato") == "json":
        data = selectors.person_data_export(person=person, user=request.user)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="i-miei-dati-lavoro.json"'
        return response
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want your data erased."))
        else:
            try:
                services.person_request_erasure(person=person, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Your request is recorded: your data will be erased within a day."),
                )
                return redirect("inclusion:home")
        return redirect(request.path)
    cases = list(person.cases.order_by("-registered_at"))
    return render(
        request,
        "inclusion/my_data.html",
        {
            "person": person,
            "cases": cases,
            "shared": [ShareableField(v).label for v in person.share_with_companies or []],
            "skills": [Skill(v).label for v in person.skills or [] if v in Skill.values],
        },
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard()
    if request.GET.get("formato") == "csv" and user_is_governance(request.user):
        return _dashboard_csv(data)
    return render(
        request,
        "inclusion/dashboard.html",
        {
            "data": data,
            "contracts": [(c, label, data["by_contract"].get(c)) for c, label in Contract.choices],
            "bands": [
                {**row, "label": selectors.BAND_LABELS.get(row["band"], row["band"])}
                for row in data["by_band"]
            ],
            "is_governance": user_is_governance(request.user),
        },
    )


def _dashboard_csv(data: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inserimento-lavorativo.csv"'
    writer = csv.writer(response)
    writer.writerow(["table", "row", "column", "value"])

    def cell(v: Any) -> str:
        return "<5" if v is None else str(v)

    for row in data["per_month"]:
        writer.writerow(["registrations", row["month"].strftime("%Y-%m"), "people", cell(row["n"])])
    for key, value in data["by_contract"].items():
        writer.writerow(["placements_by_contract", key, "people", cell(value)])
    for row in data["by_district"]:
        for col in ("registered", "ready", "placed"):
            writer.writerow(["by_district", row["district"], col, cell(row[col])])
    for row in data["by_band"]:
        for col in ("assessed", "placed"):
            writer.writerow(["by_fragility_band", row["band"] or "-", col, cell(row[col])])
    return response


def network(request: HttpRequest) -> HttpResponse:
    members = paginate(request, selectors.network_list())
    organizations = [
        o for o in _my_organizations(request.user) if not hasattr(o, "inclusion_network")
    ]
    return render(
        request,
        "inclusion/network.html",
        {"page": members, "organizations": organizations},
    )


@login_required
def network_join(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = next((o for o in _my_organizations(request.user) if o.pk == org_pk), None)
    if organization is None:
        raise PermissionDenied
    form = NetworkJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.network_join(
                organization=organization, data=form.cleaned_data, user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Welcome to the network."))
            return redirect("inclusion:company")
    return render(
        request, "inclusion/network_join.html", {"form": form, "organization": organization}
    )


def opening_list(request: HttpRequest) -> HttpResponse:
    form = OpeningFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.opening_list(filters=filters))
    return render(
        request,
        "inclusion/opening_list.html",
        {
            "form": form,
            "page": page,
            "filters_active": filters.active(),
            "query": query_without_page(request),
        },
    )


def opening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_for_user(request.user, pk)
    skills = dict(Skill.choices)
    return render(
        request,
        "inclusion/opening_detail.html",
        {
            "opening": opening,
            "required": [skills.get(s, s) for s in opening.required_skills],
            "desirable": [skills.get(s, s) for s in opening.desirable_skills],
            "can_edit": user_can_edit_organization(request.user, opening.organization)
            and not user_is_governance(request.user),
            "is_operator": user_is_operator(request.user),
        },
    )


# ----------------------------------------------------------------------------- companies


@login_required
def company(request: HttpRequest) -> HttpResponse:
    """The company's desk: its openings and the proposals it received."""
    organizations = _my_organizations(request.user)
    members = {
        m.organization_id: m for m in NetworkMember.objects.filter(organization__in=organizations)
    }
    return render(
        request,
        "inclusion/company.html",
        {
            "organizations": [(o, members.get(o.pk)) for o in organizations],
            "openings": Opening.objects.filter(organization__in=members)
            .select_related("municipality", "organization")
            .order_by("status", "-created_at")[:100],
            "proposals": list(selectors.proposals_for_company(user=request.user)[:100]),
        },
    )


@login_required
def opening_new(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = next((o for o in _my_organizations(request.user) if o.pk == org_pk), None)
    if organization is None:
        raise PermissionDenied
    form = OpeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.opening_create(
                organization=organization, data=form.service_data(), user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opening is published."))
            return redirect(opening.get_absolute_url())
    return render(
        request, "inclusion/opening_form.html", {"form": form, "organization": organization}
    )


@login_required
def opening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opening = opening_for_editor(request.user, pk)
    if request.method == "POST" and request.POST.get("close") == "1":
        try:
            services.opening_close(opening=opening, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The opening is closed."))
        return redirect(opening.get_absolute_url())
    form = OpeningForm(request.POST or None, instance=opening)
    if request.method == "POST" and form.is_valid():
        try:
            services.opening_update(opening=opening, data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opening is updated."))
            return redirect(opening.get_absolute_url())
    return render(
        request,
        "inclusion/opening_form.html",
        {"form": form, "organization": opening.organization, "opening": opening},
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_user(request.user, pk)
    is_company = user_is_company_of(request.user, proposal)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        proposal = proposal_for_company(request.user, pk)
        if form.is_valid():
            try:
                services.proposal_decide(
                    proposal=proposal,
                    accept=form.cleaned_data["decision"] == "accept",
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your answer has been sent to the operator."))
                return redirect(proposal.get_absolute_url())
    return render(
        request,
        "inclusion/proposal_detail.html",
        {
            "proposal": proposal,
            "is_company": is_company,
            "form": form,
            "reasons": matching_data.with_texts(proposal.reasons),
            "shared": _shared_rows(proposal.shared),
        },
    )


def _shared_rows(shared: dict[str, Any]) -> list[tuple[str, str]]:
    skills = dict(Skill.choices)
    labels = {
        "name": _("Name"),
        "age": _("Age"),
        "municipality": _("Municipality"),
        "email": _("E-mail"),
        "phone": _("Phone"),
        "education": _("Education"),
        "italian": _("Italian"),
        "languages": _("Other languages"),
        "work_history": _("Work history"),
        "skills": _("Skills"),
        "max_hours_per_week": _("Hours a week, at most"),
        "shifts": _("When available"),
    }
    rows = []
    for key, value in shared.items():
        if key == "skills":
            value = ", ".join(str(skills.get(s, s)) for s in value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        rows.append((str(labels.get(key, key)), "—" if value in (None, "") else str(value)))
    return rows


# ----------------------------------------------------------------------------- operators


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    require_operator(request.user)
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.case_queue(user=request.user, filters=filters))
    return render(
        request,
        "inclusion/case_queue.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "counts": selectors.queue_counts(user=request.user),
            "query": query_without_page(request),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def case_take(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_triage(request.user, pk)
    if case.operator_id is not None:
        messages.error(request, _("This case already has an operator."))
        return redirect("inclusion:cases")
    try:
        services.case_assign(case=case, operator=request.user, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("inclusion:cases")
    messages.success(request, _("The case is yours."))
    return redirect(case.get_absolute_url())


def _team_operators(user: Any) -> Any:
    ids = supervised_operator_ids(user) | {user.pk}
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "email")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    user = request.user
    forms_: dict[str, Any] = {
        "contact_form": ContactForm(prefix="contact"),
        "assess_form": AssessmentForm(prefix="assess"),
        "pathway_form": PathwayForm(prefix="pathway"),
        "follow_up_form": FollowUpForm(prefix="follow"),
        "close_form": CloseForm(prefix="close"),
        "assign_form": AssignForm(prefix="assign", operators=_team_operators(user)),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        response = _case_action(request, case, action, forms_)
        if response is not None:
            return response
    pathways = list(case.pathways.select_related("organization").prefetch_related("follow_ups"))
    proposals = list(case.proposals.select_related("opening__organization"))
    accepted = [
        p for p in proposals if p.status == Proposal.Status.ACCEPTED and not hasattr(p, "pathway")
    ]
    ranked = []
    if (
        case.is_active
        and case.outcome == Case.Outcome.READY
        and case.status == Case.Status.ASSESSED
    ):
        proposed = {p.opening_id for p in proposals}
        ranked = [
            (r, matching_data.with_texts(r.match.reasons), r.opening.pk in proposed)  # type: ignore[union-attr]
            for r in matching_data.rank_openings(case=case, limit=10)
        ]
    today = timezone.localdate()
    return render(
        request,
        "inclusion/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "contacts": list(case.contacts.select_related("by")),
            "pathways": [
                (
                    w,
                    [
                        (
                            m,
                            w.follow_up_due(m),
                            next((f for f in w.follow_ups.all() if f.months == m), None),
                        )
                        for m in (3, 6, 12)
                    ],
                )
                for w in pathways
            ],
            "proposals": proposals,
            "accepted": accepted,
            "ranked": ranked,
            "skills": [Skill(v).label for v in case.person.skills or [] if v in Skill.values],
            "has_profile": hasattr(case, "profile"),
            "is_supervisor": user_is_supervisor(user),
            "purpose_form": ReadPurposeForm(),
            "today": today,
            **forms_,
        },
    )


def _case_action(
    request: HttpRequest, case: Case, action: str, forms_: dict[str, Any]
) -> HttpResponse | None:
    user = request.user
    post = request.POST
    done = _("Saved.")
    form: Any
    try:
        if action == "contact":
            form = forms_["contact_form"] = ContactForm(post, prefix="contact")
            if not form.is_valid():
                return None
            services.contact_add(case=case, data=form.cleaned_data, user=user)
            done = _("The contact is logged.")
        elif action == "assess":
            form = forms_["assess_form"] = AssessmentForm(post, prefix="assess")
            if not form.is_valid():
                return None
            services.case_assess(
                case=case,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                user=user,
            )
            done = _("The outcome of the interview is recorded.")
        elif action == "assign":
            form = forms_["assign_form"] = AssignForm(
                post, prefix="assign", operators=_team_operators(user)
            )
            if not form.is_valid():
                return None
            services.case_assign(case=case, operator=form.cleaned_data["operator"], user=user)
            done = _("The case is assigned.")
            if not user_can_open_case(user, case):
                messages.success(request, done)
                return redirect("inclusion:cases")
        elif action == "propose":
            form = ProposeForm(post)
            if not form.is_valid():
                raise ValidationError({"opening": [_("Choose an opening.")]})
            opening = Opening.objects.filter(pk=form.cleaned_data["opening"]).first()
            if opening is None:
                raise ValidationError({"opening": [_("The opening does not exist.")]})
            services.proposal_create(
                case=case, opening=opening, user=user, note=form.cleaned_data["note"]
            )
            done = _("The person is proposed to the company.")
        elif action == "withdraw":
            proposal = case.proposals.filter(pk=post.get("proposal") or 0).first()
            if proposal is None:
                raise Http404
            services.proposal_withdraw(proposal=proposal, user=user)
            done = _("The proposal is withdrawn.")
        elif action == "pathway":
            form = forms_["pathway_form"] = PathwayForm(post, prefix="pathway")
            if not form.is_valid():
                return None
            data = dict(form.cleaned_data)
            proposal_pk = post.get("proposal")
            if proposal_pk:
                data["proposal"] = case.proposals.filter(pk=proposal_pk).first()
            services.pathway_create(case=case, data=data, user=user)
            done = _("The pathway is recorded.")
        elif action == "follow_up":
            form = forms_["follow_up_form"] = FollowUpForm(post, prefix="follow")
            pathway = case.pathways.filter(pk=post.get("pathway") or 0).first()
            if pathway is None:
                raise Http404
            if not form.is_valid():
                return None
            services.follow_up_record(pathway=pathway, data=form.cleaned_data, user=user)
            done = _("The follow-up is recorded.")
        elif action == "close":
            form = forms_["close_form"] = CloseForm(post, prefix="close")
            if not form.is_valid():
                return None
            services.case_close(
                case=case,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                user=user,
            )
            done = _("The case is closed.")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        target = {
            "contact": "contact_form",
            "assess": "assess_form",
            "assign": "assign_form",
            "pathway": "pathway_form",
            "follow_up": "follow_up_form",
            "close": "close_form",
        }.get(action)
        if target and forms_[target].is_bound:
            add_service_error(forms_[target], exc)
        else:
            for message in exc.messages:
                messages.error(request, message)
        return None
    messages.success(request, done)
    return redirect(case.get_absolute_url())


@login_required
def case_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragility profile: read after saying why (logged), or filled in on the
    instrument in use."""
    case = case_for_user(request.user, pk)
    tool = services.instrument_current()
    profile = None
    purpose_form = ReadPurposeForm(request.GET or None)
    edit = request.GET.get("modifica") == "1" or request.method == "POST"
    form = None
    if edit:
        existing = {}
        if request.method != "POST" and hasattr(case, "profile"):
            current = selectors.fragility_profile_read(
                user=request.user, case=case, purpose="assessment"
            )
            if current:
                existing = {f"item_{k}": v for k, v in current["answers"].items()}
                existing.update(
                    health_notes=current["health_notes"],
                    disability_notes=current["disability_notes"],
                )
        form = ProfileForm(request.POST or None, initial=existing, definition=tool.definition)
        if request.method == "POST" and form.is_valid():
            try:
                services.fragility_profile_save(
                    case=case,
                    answers=form.answers(),
                    health_notes=form.cleaned_data["health_notes"],
                    disability_notes=form.cleaned_data["disability_notes"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The fragility profile is saved, encrypted."))
                return redirect("inclusion:case_profile", pk=case.pk)
    elif purpose_form.is_bound and purpose_form.is_valid():
        profile = selectors.fragility_profile_read(
            user=request.user, case=case, purpose=purpose_form.cleaned_data["purpose"]
        )
    return render(
        request,
        "inclusion/case_profile.html",
        {
            "case": case,
            "instrument": tool,
            "profile": profile,
            "purpose_form": purpose_form,
            "form": form,
            "log": list(selectors.access_log(case=case)[:20]),
        },
    )


@login_required
def opening_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """People ready for placement ranked for an opening: for operators, who see only the
    reference of the cases that are not theirs."""
    require_operator(request.user)
    opening = opening_for_user(request.user, pk)
    ranked = [
        (
            r,
            matching_data.with_texts(r.match.reasons),
            r.case is not None and user_can_open_case(request.user, r.case),
        )
        for r in matching_data.rank_people(opening=opening, limit=20)
    ]
    return render(
        request, "inclusion/opening_candidates.html", {"opening": opening, "ranked": ranked}
    )


# ----------------------------------------------------------------------------- allocation


@login_required
def allocation_list(request: HttpRequest) -> HttpResponse:
    if not user_can_run_allocation(request.user):
        raise PermissionDenied
    form = AllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.allocation_run(
                user=request.user, max_distance_km=form.cleaned_data["max_distance_km"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The allocation is ready for the operators to review."))
            return redirect(run.get_absolute_url())
    return render(
        request,
        "inclusion/allocation_list.html",
        {"form": form, "runs": AllocationRun.objects.select_related("created_by")[:20]},
    )


@login_required
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Aggregates for everyone allowed; the suggestions for the operator's own cases."""
    run = allocation_for_user(request.user, pk)
    user = request.user
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        raw = request.POST.get("suggestion", "")
        if not raw.isdigit():
            raise Http404
        suggestion = suggestion_for_operator(user, int(raw))
        if suggestion.run_id != run.pk:
            raise Http404
        try:
            if request.POST.get("action") == "confirm":
                services.suggestion_confirm(suggestion=suggestion, user=user)
                messages.success(request, _("Confirmed: the person is proposed to the company."))
                return redirect(run.get_absolute_url())
            if form.is_valid():
                other = None
                if form.cleaned_data["opening"]:
                    other = opening_for_user(user, form.cleaned_data["opening"])
                services.suggestion_override(
                    suggestion=suggestion,
                    user=user,
                    reason=form.cleaned_data["reason"],
                    opening=other,
                )
                messages.success(request, _("Overridden: your reason is kept."))
                return redirect(run.get_absolute_url())
        except (ValidationError, Http404) as exc:
            if isinstance(exc, Http404):
                form.add_error("opening", _("The opening does not exist or is closed."))
            else:
                add_service_error(form, exc)
    mine: list[Any] = []
    if user_is_operator(user):
        ids = supervised_operator_ids(user) | {user.pk}
        mine = [
            (s, matching_data.with_texts(s.reasons))
            for s in run.suggestions.filter(case__operator_id__in=ids).select_related(
                "case__person", "opening__organization", "opening__municipality"
            )[:200]
        ]
    counts = {
        row["decision"]: row["n"]
        for row in run.suggestions.values("decision").annotate(n=Count("pk"))
    }
    return render(
        request,
        "inclusion/allocation_detail.html",
        {
            "run": run,
            "mine": mine,
            "form": form,
            "counts": [
                (label, counts.get(value, 0)) for value, label in Suggestion.Decision.choices
            ],
            "assigned": sum(counts.values()),
        },
    )
