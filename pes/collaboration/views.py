from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.collaboration import selectors, services
from pes.collaboration.access import (
    action_item_for_user,
    administrations_of,
    document_for_user,
    housing_for_editor,
    housing_for_user,
    meeting_for_editor,
    meeting_for_manager,
    meeting_for_user,
    member_for_manager,
    procedure_for_manager,
    procedure_for_user,
    proposal_for_editor,
    proposal_for_user,
    table_for_manager,
    table_for_member,
    table_for_user,
    user_can_close_procedure,
    user_can_create_table,
    user_can_edit_housing,
    user_can_edit_meeting,
    user_can_edit_proposal,
    user_can_manage_procedure,
    user_can_manage_table,
    user_is_table_member,
)
from pes.collaboration.documents import meeting_ics
from pes.collaboration.forms import (
    ActionItemForm,
    AgreementForm,
    CloseProcedureForm,
    CommentForm,
    DecideForm,
    DecisionForm,
    EligibilityForm,
    ExpressionForm,
    HousingForm,
    InitiativeForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    PreferencesForm,
    ProcedureForm,
    ProposalEditForm,
    ProposalForm,
    SupportForm,
    TableEditForm,
    TableForm,
    UploadForm,
    VersionForm,
    housing_initial,
    meeting_initial,
)
from pes.collaboration.models import (
    DocumentVersion,
    ExpressionOfInterest,
    Procedure,
    Proposal,
    Tenure,
)
from pes.lib.charts import dot_map
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.access import organizations_editable_by, user_is_governance
from pes.registry.models import Organization
from pes.territory.models import Municipality

# ----------------------------------------------------------------------------- tables


def home(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.table_list(user=request.user))
    return render(
        request,
        "collaboration/home.html",
        {
            "page": page,
            "query": query_without_page(request),
            "overdue": selectors.overdue_items_for_coordinator(user=request.user),
            "can_create": user_can_create_table(request.user),
        },
    )


@login_required
def table_new(request: HttpRequest) -> HttpResponse:
    if not user_can_create_table(request.user):
        raise PermissionDenied
    orgs = organizations_editable_by(request.user).order_by("name")
    form = TableForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            table = services.table_create(
                data=data, organization=form.cleaned_data["organization"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The table has been created."))
            return redirect(table)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("New working table"), "back": "collaboration:home"},
    )


def table_detail(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_user(request.user, slug)
    can_manage = user_can_manage_table(request.user, table)
    is_member = user_is_table_member(request.user, table)
    return render(
        request,
        "collaboration/table_detail.html",
        {
            "table": table,
            "members": selectors.table_members(table=table),
            "meetings": selectors.table_meetings(table=table),
            "items": selectors.open_action_items(table=table),
            "documents": selectors.table_documents(table=table),
            "proposals": selectors.table_proposals(table=table, user=request.user),
            "can_manage": can_manage,
            "is_member": is_member,
            "member_form": MemberForm() if can_manage else None,
            "user_id": getattr(request.user, "pk", None),
            "procedure": getattr(table, "procedure", None),
        },
    )


@login_required
def table_edit(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_manager(request.user, slug)
    form = TableEditForm(
        request.POST or None, initial=model_to_dict(table, fields=TableEditForm.Meta.fields)
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            services.table_update(table=table, data=data, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The table has been updated."))
            return redirect(table)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Edit the table"), "table": table},
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member = member_for_manager(request.user, slug, pk)
    table = member.table
    try:
        services.table_member_remove(member=member, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The member has been removed from the table."))
    return redirect(table)


@require_POST
@login_required
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_manager(request.user, slug)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            services.table_member_add(
                table=table,
                member=form.cleaned_data["email"],
                organization=form.cleaned_data["organization"],
                role=form.cleaned_data["role"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return render(
            request,
            "collaboration/form.html",
            {"form": form, "title": _("Add a member"), "table": table},
            status=422,
        )
    messages.success(request, _("The member has been added."))
    return redirect(table)


# ----------------------------------------------------------------------------- meetings


@login_required
def meeting_new(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_manager(request.user, slug)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                table=table, data=form.service_data(), user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The meeting is scheduled and the members are invited."))
            return redirect(meeting)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("New meeting"), "table": table},
        status=422 if form.errors else 200,
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_editor(request.user, pk)
    form = MeetingForm(request.POST or None, initial=meeting_initial(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, data=form.service_data(), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The meeting has been updated."))
            return redirect(meeting)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Edit the meeting"), "table": meeting.table},
        status=422 if form.errors else 200,
    )


def _meeting_page(request: HttpRequest, meeting: Any, **forms: Any) -> HttpResponse:
    can_manage = user_can_manage_table(request.user, meeting.table)
    attendances = list(meeting.attendances.select_related("member__user", "member__organization"))
    context = {
        "meeting": meeting,
        "table": meeting.table,
        "attendances": attendances,
        "decisions": list(meeting.decisions.all()),
        "items": list(meeting.action_items.select_related("owner")),
        "can_manage": can_manage,
        "can_edit": user_can_edit_meeting(request.user, meeting),
        "user_id": getattr(request.user, "pk", None),
    }
    if can_manage:
        context["minutes_form"] = forms.get("minutes_form") or MinutesForm(
            initial={
                "minutes": meeting.minutes,
                "present": [str(a.pk) for a in attendances if a.present],
            },
            attendances=attendances,
        )
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
        context["item_form"] = forms.get("item_form") or ActionItemForm(
            table=meeting.table, prefix="item"
        )
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "collaboration/meeting_detail.html", context, status=status)


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, meeting_for_user(request.user, pk))


def meeting_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_user(request.user, pk)
    response = HttpResponse(
        meeting_ics(meeting=meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="riunione-{meeting.pk}.ics"'
    return response


@require_POST
@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_manager(request.user, pk)
    attendances = list(meeting.attendances.select_related("member__user", "member__organization"))
    form = MinutesForm(request.POST, attendances=attendances)
    if not form.is_valid():
        return _meeting_page(request, meeting, minutes_form=form)
    services.meeting_record(
        meeting=meeting,
        minutes=form.cleaned_data["minutes"],
        present=[int(v) for v in form.cleaned_data["present"]],
        user=request.user,
    )
    messages.success(request, _("Minutes and attendance saved."))
    return redirect(meeting)


@require_POST
@login_required
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_manager(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decision_record(
                meeting=meeting, text=form.cleaned_data["text"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _meeting_page(request, meeting, decision_form=form)
    messages.success(request, _("The decision has been recorded."))
    return redirect(meeting)


@require_POST
@login_required
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_manager(request.user, pk)
    form = ActionItemForm(request.POST, table=meeting.table, prefix="item")
    if form.is_valid():
        try:
            services.action_item_create(meeting=meeting, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _meeting_page(request, meeting, item_form=form)
    messages.success(request, _("The action item has been added."))
    return redirect(meeting)


@require_POST
@login_required
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = action_item_for_user(request.user, pk)
    services.action_item_complete(item=item, user=request.user)
    messages.success(request, _("The action item is done."))
    return redirect(item.meeting)


# ----------------------------------------------------------------------------- documents


@login_required
def document_new(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_member(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_upload(
                table=table,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The document has been uploaded."))
            return redirect(version.document)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Upload a document"), "table": table, "multipart": True},
        status=422 if form.errors else 200,
    )


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = document_for_user(request.user, pk)
    is_member = user_is_table_member(request.user, document.table) or user_is_governance(
        request.user
    )
    form = None
    if is_member:
        form = VersionForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.document_version_add(
                    document=document,
                    upload=form.cleaned_data["file"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The new version has been uploaded."))
                return redirect(document)
    elif request.method == "POST":
        raise PermissionDenied
    versions = list(document.versions.select_related("uploaded_by"))
    return render(
        request,
        "collaboration/document_detail.html",
        {
            "document": document,
            "table": document.table,
            "versions": versions,
            "latest": versions[0] if versions else None,
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )


def document_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    document = document_for_user(request.user, pk)
    version = DocumentVersion.objects.filter(document=document, number=number).first()
    if version is None:
        raise Http404
    inline = request.GET.get("anteprima") == "1" and version.kind in ("pdf", "png", "jpeg")
    content_types = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
    try:
        handle = version.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=version.filename,
        content_type=content_types.get(version.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


# ----------------------------------------------------------------------------- proposals


@login_required
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    table = table_for_member(request.user, slug)
    members = table.members.all()
    if not user_is_governance(request.user):
        members = members.filter(user=request.user.pk)
    organizations = Organization.objects.filter(pk__in=members.values("organization"))
    form = ProposalForm(request.POST or None, organizations=organizations.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            proposal = services.proposal_create(
                table=table,
                data=data,
                organization=form.cleaned_data["organization"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The proposal has been saved."))
            return redirect(proposal)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("New proposal"), "table": table},
        status=422 if form.errors else 200,
    )


def _proposal_page(request: HttpRequest, proposal: Proposal, **forms: Any) -> HttpResponse:
    table = proposal.table
    can_manage = user_can_manage_table(request.user, table)
    is_member = user_is_table_member(request.user, table)
    supports = list(proposal.supports.select_related("organization"))
    supported = {s.organization_id for s in supports}
    orgs = organizations_editable_by(request.user).exclude(pk__in=supported).order_by("name")
    context: dict[str, Any] = {
        "proposal": proposal,
        "table": table,
        "supports": supports,
        "comments": list(proposal.comments.select_related("author")),
        "can_manage": can_manage,
        "is_member": is_member,
        "is_governance": user_is_governance(request.user),
        "can_edit": user_can_edit_proposal(request.user, proposal),
    }
    if request.user.is_authenticated and proposal.status == Proposal.Status.DISCUSSION:
        context["support_form"] = forms.get("support_form") or (
            SupportForm(organizations=orgs) if orgs.exists() else None
        )
    if is_member or can_manage:
        context["comment_form"] = forms.get("comment_form") or CommentForm()
    if can_manage:
        context["decide_form"] = forms.get("decide_form") or DecideForm(
            initial={"status": proposal.status}
        )
    if (
        context["is_governance"]
        and proposal.status == Proposal.Status.ADOPTED
        and not proposal.initiative_id
    ):
        context["initiative_form"] = forms.get("initiative_form") or InitiativeForm(
            table=table,
            initial={
                "action": proposal.action_id or table.action_id,
                "lead": proposal.organization_id,
            },
        )
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "collaboration/proposal_detail.html", context, status=status)


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, proposal_for_user(request.user, pk))


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_editor(request.user, pk)
    form = ProposalEditForm(
        request.POST or None,
        initial=model_to_dict(proposal, fields=ProposalEditForm.Meta.fields),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            services.proposal_update(proposal=proposal, data=data, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The proposal has been updated."))
            return redirect(proposal)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Edit the proposal"), "table": proposal.table},
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
def proposal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_user(request.user, pk)
    if not (
        user_is_table_member(request.user, proposal.table)
        or user_can_manage_table(request.user, proposal.table)
    ):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _proposal_page(request, proposal, comment_form=form)
    services.proposal_comment(proposal=proposal, text=form.cleaned_data["text"], user=request.user)
    return redirect(proposal)


@require_POST
@login_required
def proposal_support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_user(request.user, pk)
    form = SupportForm(
        request.POST, organizations=organizations_editable_by(request.user).order_by("name")
    )
    if form.is_valid():
        try:
            services.proposal_support(
                proposal=proposal, organization=form.cleaned_data["organization"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _proposal_page(request, proposal, support_form=form)
    messages.success(request, _("Your organisation supports the proposal."))
    return redirect(proposal)


@require_POST
@login_required
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_user(request.user, pk)
    if not user_can_manage_table(request.user, proposal.table):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decide(
                proposal=proposal, status=form.cleaned_data["status"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _proposal_page(request, proposal, decide_form=form)
    messages.success(request, _("The status of the proposal has been changed."))
    return redirect(proposal)


@require_POST
@login_required
def proposal_initiative(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_user(request.user, pk)
    if not user_is_governance(request.user):
        raise PermissionDenied
    form = InitiativeForm(request.POST, table=proposal.table)
    if form.is_valid():
        try:
            initiative = services.proposal_create_initiative(
                proposal=proposal, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The Plan initiative has been created."))
            return redirect(initiative)
    return _proposal_page(request, proposal, initiative_form=form)


# ----------------------------------------------------------------------------- procedures


def procedure_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.procedure_list(user=request.user))
    return render(
        request,
        "collaboration/procedure_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "can_create": administrations_of(request.user).exists(),
        },
    )


@login_required
def procedure_new(request: HttpRequest) -> HttpResponse:
    administrations = administrations_of(request.user).order_by("name")
    if not administrations.exists():
        raise PermissionDenied
    form = ProcedureForm(request.POST or None, administrations=administrations)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            procedure = services.procedure_create(data=data, user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(procedure)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("New co-programming or co-design procedure")},
        status=422 if form.errors else 200,
    )


def _procedure_page(request: HttpRequest, procedure: Procedure, **forms: Any) -> HttpResponse:
    can_manage = user_can_manage_procedure(request.user, procedure)
    expressions = list(procedure.expressions.select_related("organization"))
    context: dict[str, Any] = {
        "procedure": procedure,
        "steps": list(procedure.steps.all()),
        "expressions": expressions,
        "contributions": list(procedure.contributions.select_related("organization")),
        "can_manage": can_manage,
        "pending": any(e.eligibility == "pending" for e in expressions),
    }
    if procedure.accepts_expressions and request.user.is_authenticated:
        orgs = organizations_editable_by(request.user).exclude(
            pk__in=[e.organization_id for e in expressions] + [procedure.administration_id]
        )
        if orgs.exists() or "expression_form" in forms:
            context["expression_form"] = forms.get("expression_form") or ExpressionForm(
                organizations=orgs.order_by("name")
            )
    if can_manage:
        context["eligibility_form"] = EligibilityForm()
        if procedure.stage == Procedure.Stage.DESIGN:
            context["agreement_form"] = forms.get("agreement_form") or AgreementForm()
    if user_can_close_procedure(request.user, procedure):
        context["close_form"] = forms.get("close_form") or CloseProcedureForm()
    context["errors"] = forms.get("errors", [])
    bad = any(getattr(f, "errors", None) for f in forms.values() if not isinstance(f, list))
    status = 422 if bad or context["errors"] else 200
    return render(request, "collaboration/procedure_detail.html", context, status=status)


def procedure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _procedure_page(request, procedure_for_user(request.user, slug))


def _procedure_step(request: HttpRequest, slug: str, action: Any, done: str) -> HttpResponse:
    procedure = procedure_for_manager(request.user, slug)
    try:
        action(procedure=procedure, user=request.user)
    except ValidationError as exc:
        return _procedure_page(request, procedure, errors=exc.messages)
    messages.success(request, done)
    return redirect(procedure)


@require_POST
@login_required
def procedure_publish(request: HttpRequest, slug: str) -> HttpResponse:
    return _procedure_step(
        request, slug, services.procedure_publish_notice, _("The public notice is published.")
    )


@require_POST
@login_required
def procedure_design(request: HttpRequest, slug: str) -> HttpResponse:
    return _procedure_step(
        request, slug, services.procedure_open_design, _("The design table is open.")
    )


@require_POST
@login_required
def expression_submit(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_for_user(request.user, slug)
    form = ExpressionForm(
        request.POST, organizations=organizations_editable_by(request.user).order_by("name")
    )
    if form.is_valid():
        try:
            services.expression_submit(
                procedure=procedure,
                organization=form.cleaned_data["organization"],
                statement=form.cleaned_data["statement"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _procedure_page(request, procedure, expression_form=form)
    messages.success(request, _("The expression of interest has been received."))
    return redirect(procedure)


@require_POST
@login_required
def expression_check(request: HttpRequest, pk: int) -> HttpResponse:
    expression = ExpressionOfInterest.objects.select_related("procedure").filter(pk=pk).first()
    if expression is None:
        raise Http404
    procedure = procedure_for_manager(request.user, expression.procedure.slug)
    form = EligibilityForm(request.POST)
    if form.is_valid():
        try:
            services.expression_check(
                expression=expression,
                eligible=form.cleaned_data["eligible"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ValidationError as exc:
            return _procedure_page(request, procedure, errors=exc.messages)
        return redirect(procedure)
    return _procedure_page(
        request, procedure, errors=[str(m) for ms in form.errors.values() for m in ms]
    )


@require_POST
@login_required
def procedure_agree(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_for_manager(request.user, slug)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            services.procedure_agree(procedure=procedure, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The agreement has been recorded and published."))
            return redirect(procedure)
    return _procedure_page(request, procedure, agreement_form=form)


@require_POST
@login_required
def procedure_close(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = procedure_for_manager(request.user, slug)
    form = CloseProcedureForm(request.POST)
    if form.is_valid():
        try:
            services.procedure_close(
                procedure=procedure, reason=form.cleaned_data["reason"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The procedure is closed without agreement."))
            return redirect(procedure)
    return _procedure_page(request, procedure, close_form=form)


# ----------------------------------------------------------------------------- housing


def housing_list(request: HttpRequest) -> HttpResponse:
    tenure = request.GET.get("tenure", "")
    tenure = tenure if tenure in Tenure.values else ""
    municipality = request.GET.get("municipality", "")[:6]
    qs = selectors.housing_list(tenure=tenure, municipality=municipality)
    points = selectors.housing_map_points(qs)
    return render(
        request,
        "collaboration/housing_list.html",
        {
            "page": paginate(request, qs),
            "query": query_without_page(request),
            "indicators": selectors.housing_indicators(qs),
            "points": points,
            "map": dot_map(
                title=_("Housing units of collaborative-housing initiatives by municipality"),
                points=[(lat, lon, n, f"{name}: {n}") for lat, lon, n, name in points],
                chart_id="housing-map",
            ),
            "tenures": Tenure.choices,
            "tenure": tenure,
            "municipality": municipality,
            "municipalities": Municipality.objects.filter(housing_initiatives__is_published=True)
            .distinct()
            .order_by("name"),
            "can_create": organizations_editable_by(request.user).exists(),
        },
    )


def housing_detail(request: HttpRequest, slug: str) -> HttpResponse:
    housing = housing_for_user(request.user, slug)
    return render(
        request,
        "collaboration/housing_detail.html",
        {
            "housing": housing,
            "partners": list(housing.partners.order_by("name")),
            "can_edit": user_can_edit_housing(request.user, housing),
        },
    )


@login_required
def housing_new(request: HttpRequest) -> HttpResponse:
    orgs = organizations_editable_by(request.user).order_by("name")
    if not orgs.exists():
        raise PermissionDenied
    form = HousingForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields if k != "partners"}
        try:
            housing = services.housing_create(
                data=data, partners=form.cleaned_data["partners"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect(housing)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("New collaborative-housing initiative")},
        status=422 if form.errors else 200,
    )


@login_required
def housing_edit(request: HttpRequest, slug: str) -> HttpResponse:
    housing = housing_for_editor(request.user, slug)
    orgs = organizations_editable_by(request.user) | Organization.objects.filter(pk=housing.lead_id)
    form = HousingForm(
        request.POST or None,
        initial=housing_initial(housing),
        organizations=orgs.distinct().order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields if k != "partners"}
        try:
            services.housing_update(
                housing=housing,
                data=data,
                partners=form.cleaned_data["partners"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The initiative has been updated."))
            return redirect(housing)
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Edit the initiative")},
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- preferences


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    prefs = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your choices have been saved."))
        return redirect("collaboration:preferences")
    return render(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("E-mails I receive about working tables")},
    )
