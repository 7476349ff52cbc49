"""Writes of the collaboration module. Views, forms, the API and the demo call these; each
runs in a transaction, checks its rules first (``ValidationError`` with field keys, nothing
written) and leaves an audit entry. E-mails go out through background tasks once the
transaction has committed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.collaboration.files import validate_upload
from pes.collaboration.models import (
    ActionItem,
    Attendance,
    Contribution,
    Decision,
    Document,
    DocumentVersion,
    ExpressionOfInterest,
    HousingInitiative,
    Meeting,
    NotificationPreference,
    Procedure,
    ProcedureStep,
    Proposal,
    ProposalComment,
    ProposalSupport,
    TableMember,
    Visibility,
    WorkingTable,
)
from pes.core.audit import audit_record, diff, snapshot
from pes.registry.models import Organization


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _unique_slug(model: Any, title: str, fallback: str) -> str:
    base = slugify(title)[:200] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# ----------------------------------------------------------------------------- tables


@transaction.atomic
def table_create(*, data: dict[str, Any], organization: Organization, user: Any) -> WorkingTable:
    """A new table coordinated by ``user``, who joins it on behalf of ``organization``."""
    table = WorkingTable(**data, coordinator=user)
    if table.action_id and not table.mission_id:
        table.mission = table.action.mission  # type: ignore[union-attr]
    table.slug = _unique_slug(WorkingTable, table.title, "tavolo")
    table.full_clean(exclude=["slug"])
    table.save()
    TableMember.objects.create(
        table=table, user=user, organization=organization, role=TableMember.Role.COORDINATOR
    )
    audit_record(user=user, instance=table, action="create")
    return table


@transaction.atomic
def table_member_add(
    *, table: WorkingTable, member: Any, organization: Organization, role: str, user: Any
) -> TableMember:
    if not organization.memberships.filter(user=member).exists():
        raise ValidationError(
            {"user": _("This person is not on the staff of the organisation chosen.")},
            code="not_staff",
        )
    if TableMember.objects.filter(table=table, user=member).exists():
        raise ValidationError({"user": _("This person is already a member.")}, code="duplicate")
    row = TableMember(table=table, user=member, organization=organization, role=role)
    row.full_clean(exclude=["table", "user", "organization"])
    row.save()
    audit_record(
        user=user,
        instance=table,
        action="update",
        changes={"member": [None, f"{member.email} ({organization.name}, {role})"]},
    )
    return row


TABLE_EDITABLE = ["title", "purpose", "mission_id", "action_id", "visibility"]


@transaction.atomic
def table_update(*, table: WorkingTable, data: dict[str, Any], user: Any) -> WorkingTable:
    """Title, purpose, mission/action of the Plan and visibility; the slug stays."""
    before = snapshot(table, TABLE_EDITABLE)
    for key, value in data.items():
        setattr(table, key, value)
    if table.action_id:
        action_mission = table.action.mission_id  # type: ignore[union-attr]
        if not table.mission_id:
            table.mission_id = action_mission
        elif table.mission_id != action_mission:
            raise ValidationError(
                {"action": _("This action belongs to another mission of the Plan.")},
                code="mission",
            )
    table.full_clean(exclude=["slug", "coordinator"])
    table.save(update_fields=["title", "purpose", "mission", "action", "visibility"])
    audit_record(
        user=user,
        instance=table,
        action="update",
        changes=diff(before, snapshot(table, TABLE_EDITABLE)),
    )
    return table


@transaction.atomic
def table_member_remove(*, member: TableMember, user: Any) -> None:
    """Take a person off a table. The coordinator stays; whoever still owns open action items
    of the table must hand them over first."""
    table = member.table
    if member.user_id == table.coordinator_id:
        raise ValidationError(
            _("The coordinator cannot be removed from the table."), code="coordinator"
        )
    if ActionItem.objects.filter(
        meeting__table=table, owner_id=member.user_id, done_at__isnull=True
    ).exists():
        raise ValidationError(
            _("This person still owns open action items of the table: close them first."),
            code="open_items",
        )
    label = f"{member.user.email} ({member.organization.name}, {member.role})"
    member.delete()
    audit_record(user=user, instance=table, action="update", changes={"member": [label, None]})


# ----------------------------------------------------------------------------- meetings


@transaction.atomic
def meeting_create(*, table: WorkingTable, data: dict[str, Any], user: Any) -> Meeting:
    """Schedule a meeting in the future and invite every member (e-mail with an ICS file)."""
    from pes.collaboration import tasks

    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Give the date and time of the meeting.")})
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": _("A meeting cannot be scheduled in the past.")}, code="past"
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not (data.get("place") or data.get("link")):
        raise ValidationError({"place": _("Give a place or a link to join online.")})
    meeting = Meeting(table=table, **data)
    meeting.full_clean(exclude=["table"])
    meeting.save()
    members = list(table.members.all())
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in members])
    audit_record(user=user, instance=meeting, action="create")
    _after_commit(tasks.send_meeting_invitations, meeting.pk)
    return meeting


MEETING_EDITABLE = ["title", "agenda", "starts_at", "ends_at", "place", "link"]
MEETING_LOGISTICS = {"starts_at", "ends_at", "place", "link"}


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: dict[str, Any], user: Any) -> Meeting:
    """Change a meeting before it starts. When the date, time, place or link change, every
    member gets an updated invitation with the ICS file (same event, higher sequence)."""
    from pes.collaboration import tasks

    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("A meeting that has started can no longer be changed."), code="started"
        )
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("Give the date and time of the meeting.")})
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": _("A meeting cannot be scheduled in the past.")}, code="past"
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
    if not (data.get("place") or data.get("link")):
        raise ValidationError({"place": _("Give a place or a link to join online.")})
    before = snapshot(meeting, MEETING_EDITABLE)
    for key in MEETING_EDITABLE:
        if key in data:
            value = data[key]
            if isinstance(value, dt.datetime):  # compare instants, not time zones
                value = value.astimezone(dt.UTC)
            setattr(meeting, key, value)
    meeting.full_clean(exclude=["table"])
    meeting.save(update_fields=MEETING_EDITABLE)
    changes: dict[str, Any] = diff(before, snapshot(meeting, MEETING_EDITABLE))
    rescheduled = bool(MEETING_LOGISTICS & changes.keys())
    if rescheduled:
        changes["rescheduled"] = [None, True]
    if changes:
        audit_record(user=user, instance=meeting, action="update", changes=changes)
    if rescheduled:
        _after_commit(tasks.send_meeting_invitations, meeting.pk, True)
    return meeting


@transaction.atomic
def meeting_record(*, meeting: Meeting, minutes: str, present: list[int], user: Any) -> Meeting:
    """Minutes and attendance: ``present`` are the ids of the attendances marked present."""
    before = meeting.minutes
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    rows = meeting.attendances.all()
    rows.filter(pk__in=present).update(present=True)
    rows.exclude(pk__in=present).update(present=False)
    audit_record(
        user=user,
        instance=meeting,
        action="update",
        changes={"minutes": [before, minutes], "present": [None, sorted(present)]},
    )
    return meeting


@transaction.atomic
def decision_record(*, meeting: Meeting, text: str, user: Any) -> Decision:
    from pes.collaboration import tasks

    if not text.strip():
        raise ValidationError({"text": _("Write the decision.")})
    decision = Decision.objects.create(meeting=meeting, text=text.strip())
    audit_record(user=user, instance=decision, action="create", changes={"text": [None, text]})
    _after_commit(tasks.send_decision, decision.pk)
    return decision


@transaction.atomic
def action_item_create(
    *, meeting: Meeting, text: str, owner: Any, due_date: dt.date, user: Any
) -> ActionItem:
    if not user_in_table(owner, meeting.table):
        raise ValidationError(
            {"owner": _("The owner must be a member of the table.")}, code="owner"
        )
    item = ActionItem(meeting=meeting, text=text, owner=owner, due_date=due_date)
    item.full_clean(exclude=["meeting", "owner"])
    item.save()
    audit_record(user=user, instance=item, action="create")
    return item


def user_in_table(person: Any, table: WorkingTable) -> bool:
    return person is not None and (
        table.coordinator_id == person.pk
        or TableMember.objects.filter(table=table, user=person).exists()
    )


@transaction.atomic
def action_item_complete(*, item: ActionItem, user: Any) -> ActionItem:
    if item.done_at is None:
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
        audit_record(user=user, instance=item, action="update", changes={"done_at": [None, "done"]})
    return item


# ----------------------------------------------------------------------------- documents


def _version(document: Document, upload: Any, note: str, user: Any, kind: str) -> DocumentVersion:
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    filename = (upload.name or "file").rsplit("/", 1)[-1][:200]
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename,
        kind=kind,
        size=upload.size,
        note=note,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    stem, _dot, extension = filename.rpartition(".")
    stored = f"v{number}-{slugify(stem)[:80] or 'file'}.{extension.lower()}"
    version.file.save(
        stored,
        upload,
        save=False,
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        version.file.delete(save=False)
        raise
    return version


def document_upload(
    *, table: WorkingTable, title: str, upload: Any, user: Any, note: str = ""
) -> DocumentVersion:
    """A new document with its first version; the file is checked before anything is kept."""
    kind = validate_upload(upload)
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    with transaction.atomic():
        document = Document.objects.create(table=table, title=title.strip())
        version = _version(document, upload, note, user, kind)
        audit_record(
            user=user,
            instance=document,
            action="create",
            changes={"version": [None, 1], "file": [None, version.filename]},
        )
    return version


def document_version_add(
    *, document: Document, upload: Any, user: Any, note: str = ""
) -> DocumentVersion:
    kind = validate_upload(upload)
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        version = _version(document, upload, note, user, kind)
        audit_record(
            user=user,
            instance=document,
            action="update",
            changes={"version": [version.number - 1, version.number], "note": [None, note]},
        )
    return version


# ----------------------------------------------------------------------------- proposals


@transaction.atomic
def proposal_create(
    *, table: WorkingTable, data: dict[str, Any], organization: Organization, user: Any
) -> Proposal:
    from pes.collaboration import tasks

    proposal = Proposal(table=table, author=user, organization=organization, **data)
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.DISCUSSION):
        proposal.status = Proposal.Status.DISCUSSION
    proposal.full_clean(exclude=["table", "author", "organization"])
    proposal.save()
    audit_record(user=user, instance=proposal, action="create")
    if proposal.status == Proposal.Status.DISCUSSION:
        _after_commit(tasks.send_new_proposal, proposal.pk)
    return proposal


PROPOSAL_EDITABLE = ["kind", "title", "text", "cost", "funders"]


@transaction.atomic
def proposal_update(*, proposal: Proposal, data: dict[str, Any], user: Any) -> Proposal:
    """Change the text of a proposal while it is a draft or under discussion."""
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.DISCUSSION):
        raise ValidationError(
            _("A proposal that has been decided can no longer be changed."), code="decided"
        )
    if data.get("cost") is not None and data["cost"] < 0:
        raise ValidationError({"cost": _("A cost cannot be negative.")})
    before = snapshot(proposal, PROPOSAL_EDITABLE)
    for key in PROPOSAL_EDITABLE:
        if key in data:
            setattr(proposal, key, data[key])
    proposal.full_clean(exclude=["table", "author", "organization", "action", "initiative"])
    proposal.save(update_fields=PROPOSAL_EDITABLE)
    audit_record(
        user=user,
        instance=proposal,
        action="update",
        changes=diff(before, snapshot(proposal, PROPOSAL_EDITABLE)),
    )
    return proposal


@transaction.atomic
def proposal_comment(*, proposal: Proposal, text: str, user: Any) -> ProposalComment:
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    return ProposalComment.objects.create(proposal=proposal, author=user, text=text.strip())


def proposal_support(
    *, proposal: Proposal, organization: Organization, user: Any
) -> ProposalSupport:
    """Support on behalf of an organisation: once per organisation (also a DB constraint)."""
    if proposal.status != Proposal.Status.DISCUSSION:
        raise ValidationError(
            {"organization": _("Only a proposal under discussion can be supported.")},
            code="closed",
        )
    message = _("%(org)s already supports this proposal.") % {"org": organization.name}
    if ProposalSupport.objects.filter(proposal=proposal, organization=organization).exists():
        raise ValidationError({"organization": message}, code="duplicate")
    try:
        with transaction.atomic():
            support = ProposalSupport.objects.create(
                proposal=proposal, organization=organization, given_by=user
            )
            audit_record(
                user=user,
                instance=proposal,
                action="update",
                changes={"support": [None, organization.pk]},
            )
    except IntegrityError as exc:
        raise ValidationError({"organization": message}, code="duplicate") from exc
    return support


@transaction.atomic
def proposal_decide(*, proposal: Proposal, status: str, user: Any, action: Any = None) -> Proposal:
    """Move a proposal to discussion, adoption or rejection; the decision is announced."""
    from pes.collaboration import tasks

    if status not in Proposal.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if proposal.initiative_id and status != Proposal.Status.ADOPTED:
        raise ValidationError(
            {"status": _("This proposal is already carried out by a Plan initiative.")}
        )
    before = proposal.status
    proposal.status = status
    if action is not None:
        proposal.action = action
    proposal.decided_at = (
        timezone.now() if status in (Proposal.Status.ADOPTED, Proposal.Status.REJECTED) else None
    )
    proposal.save(update_fields=["status", "action", "decided_at"])
    audit_record(
        user=user, instance=proposal, action="update", changes={"status": [before, status]}
    )
    if status != before and status in (Proposal.Status.ADOPTED, Proposal.Status.REJECTED):
        _after_commit(tasks.send_proposal_decision, proposal.pk)
    return proposal


@transaction.atomic
def proposal_create_initiative(
    *, proposal: Proposal, action: Any, lead: Organization, user: Any, title: str = ""
) -> Any:
    """The Plan initiative that carries out an adopted proposal (through the Plan's services)."""
    from pes.plan.models import InitiativeStatus, Partner
    from pes.plan.services import initiative_create

    if proposal.status != Proposal.Status.ADOPTED:
        raise ValidationError(
            {"action": _("Only an adopted proposal can become a Plan initiative.")},
            code="not_adopted",
        )
    if proposal.initiative_id:
        raise ValidationError(
            {"action": _("This proposal already has its Plan initiative.")}, code="duplicate"
        )
    supporters = [s.organization for s in proposal.supports.select_related("organization")]
    partners: list[tuple[Any, str]] = [
        (o, Partner.Role.PARTNER) for o in supporters if o.pk != lead.pk
    ]
    initiative = initiative_create(
        data={
            "action": action,
            "title": (title or proposal.title)[:255],
            "description": proposal.text,
            "lead": lead,
            "status": InitiativeStatus.objects.get(key="planned"),
            "start_date": timezone.localdate(),
        },
        partners=partners,
        user=user,
    )
    proposal.initiative = initiative
    proposal.action = action
    proposal.save(update_fields=["initiative", "action"])
    audit_record(
        user=user,
        instance=proposal,
        action="update",
        changes={"initiative": [None, initiative.pk]},
    )
    return initiative


# ----------------------------------------------------------------------------- procedures


def _step(procedure: Procedure, text: str) -> ProcedureStep:
    return ProcedureStep.objects.create(procedure=procedure, stage=procedure.stage, text=text)


@transaction.atomic
def procedure_create(*, data: dict[str, Any], user: Any) -> Procedure:
    procedure = Procedure(**data, created_by=user if getattr(user, "pk", None) else None)
    if procedure.administration.legal_form.category != "public":
        raise ValidationError(
            {"administration": _("A procedure is run by a public administration.")},
            code="not_public",
        )
    procedure.slug = _unique_slug(Procedure, procedure.title, "procedimento")
    procedure.stage = Procedure.Stage.DRAFT
    procedure.full_clean(exclude=["slug", "created_by"])
    procedure.save()
    audit_record(user=user, instance=procedure, action="create")
    return procedure


@transaction.atomic
def procedure_publish_notice(*, procedure: Procedure, user: Any) -> Procedure:
    if procedure.stage != Procedure.Stage.DRAFT:
        raise ValidationError(_("The notice has already been published."), code="stage")
    if procedure.deadline < timezone.localdate():
        raise ValidationError(
            {"deadline": _("The deadline has passed: set a new one before publishing.")}
        )
    procedure.stage = Procedure.Stage.NOTICE
    procedure.notice_published_at = timezone.now()
    procedure.save(update_fields=["stage", "notice_published_at"])
    _step(
        procedure,
        _("Public notice published; expressions of interest accepted until %(date)s.")
        % {"date": procedure.deadline.strftime("%d/%m/%Y")},
    )
    audit_record(
        user=user, instance=procedure, action="update", changes={"stage": ["draft", "notice"]}
    )
    return procedure


def expression_submit(
    *, procedure: Procedure, organization: Organization, statement: str, user: Any
) -> ExpressionOfInterest:
    """An expression of interest of a third-sector body; refused past the deadline, twice for
    the same body, or from a body not registered in the RUNTS when the notice requires it."""
    if not procedure.accepts_expressions:
        raise ValidationError(
            {"organization": _("This procedure does not accept expressions of interest now.")},
            code="closed",
        )
    if organization.pk == procedure.administration_id:
        raise ValidationError(
            {"organization": _("The administration running the procedure cannot take part.")},
            code="own",
        )
    if procedure.requires_runts and not (organization.runts_id or "").strip():
        raise ValidationError(
            {
                "organization": _(
                    "%(org)s is not registered in the RUNTS: this notice is open only to "
                    "bodies registered in the national register of the third sector."
                )
                % {"org": organization.name}
            },
            code="runts",
        )
    if not statement.strip():
        raise ValidationError({"statement": _("Describe what the body offers.")})
    duplicate = _("%(org)s has already expressed its interest.") % {"org": organization.name}
    if ExpressionOfInterest.objects.filter(procedure=procedure, organization=organization).exists():
        raise ValidationError({"organization": duplicate}, code="duplicate")
    try:
        with transaction.atomic():
            expression = ExpressionOfInterest.objects.create(
                procedure=procedure,
                organization=organization,
                statement=statement.strip(),
                submitted_by=user,
            )
            audit_record(user=user, instance=expression, action="create")
    except IntegrityError as exc:
        raise ValidationError({"organization": duplicate}, code="duplicate") from exc
    return expression


@transaction.atomic
def expression_check(
    *, expression: ExpressionOfInterest, eligible: bool, note: str, user: Any
) -> ExpressionOfInterest:
    if not eligible and not note.strip():
        raise ValidationError({"note": _("Give the reason why the body is not eligible.")})
    before = expression.eligibility
    expression.eligibility = (
        ExpressionOfInterest.Eligibility.ELIGIBLE
        if eligible
        else ExpressionOfInterest.Eligibility.NOT_ELIGIBLE
    )
    expression.eligibility_note = note.strip()
    expression.save(update_fields=["eligibility", "eligibility_note"])
    audit_record(
        user=user,
        instance=expression,
        action="update",
        changes={"eligibility": [before, expression.eligibility]},
    )
    return expression


@transaction.atomic
def procedure_open_design(*, procedure: Procedure, user: Any) -> WorkingTable:
    """Close the notice and open the design table with the eligible bodies."""
    if procedure.stage != Procedure.Stage.NOTICE:
        raise ValidationError(_("The design table opens after the public notice."))
    expressions = list(
        procedure.expressions.filter(
            eligibility=ExpressionOfInterest.Eligibility.ELIGIBLE
        ).select_related("organization", "submitted_by")
    )
    if procedure.expressions.filter(eligibility=ExpressionOfInterest.Eligibility.PENDING).exists():
        raise ValidationError(_("Check the eligibility of every expression of interest first."))
    if not expressions:
        raise ValidationError(_("Admit at least one eligible body before opening the table."))
    table = table_create(
        data={
            "title": _("Design table: %(title)s") % {"title": procedure.title},
            "purpose": procedure.subject,
            "action": procedure.action,
            "visibility": Visibility.PUBLIC,
        },
        organization=procedure.administration,
        user=user,
    )
    for expression in expressions:
        person = expression.submitted_by
        if person is not None and not TableMember.objects.filter(table=table, user=person).exists():
            TableMember.objects.create(
                table=table, user=person, organization=expression.organization
            )
    procedure.design_table = table
    procedure.stage = Procedure.Stage.DESIGN
    procedure.save(update_fields=["design_table", "stage"])
    _step(
        procedure,
        _("Notice closed: %(n)s bodies admitted to the design table.") % {"n": len(expressions)},
    )
    audit_record(
        user=user, instance=procedure, action="update", changes={"stage": ["notice", "design"]}
    )
    return table


@transaction.atomic
def procedure_agree(
    *,
    procedure: Procedure,
    text: str,
    budget: Decimal,
    months: int,
    contributions: list[tuple[Organization, str, Decimal]],
    user: Any,
) -> Procedure:
    """Record the agreement: budget, duration and what each party contributes."""
    if procedure.stage != Procedure.Stage.DESIGN:
        raise ValidationError(_("An agreement is reached at the design table."))
    errors: dict[str, str] = {}
    if budget is None or budget < 0:
        errors["budget"] = _("Give the total budget in euros.")
    if not months or months < 1:
        errors["months"] = _("Give the duration in months.")
    if not text.strip():
        errors["text"] = _("Write the agreement.")
    if not contributions:
        errors["contributions"] = _("Give the contribution of at least one party.")
    if errors:
        raise ValidationError(errors)
    procedure.agreement_text = text.strip()
    procedure.agreement_budget = budget
    procedure.agreement_months = months
    procedure.agreed_at = timezone.now()
    procedure.stage = Procedure.Stage.AGREED
    procedure.save(
        update_fields=[
            "agreement_text",
            "agreement_budget",
            "agreement_months",
            "agreed_at",
            "stage",
        ]
    )
    Contribution.objects.bulk_create(
        [
            Contribution(procedure=procedure, organization=o, description=d, amount=a)
            for o, d, a in contributions
        ]
    )
    _step(
        procedure,
        _("Agreement reached: budget %(budget)s €, %(months)s months.")
        % {"budget": budget, "months": months},
    )
    audit_record(
        user=user,
        instance=procedure,
        action="update",
        changes={"stage": ["design", "agreed"], "budget": [None, str(budget)]},
    )
    return procedure


@transaction.atomic
def procedure_close(*, procedure: Procedure, reason: str, user: Any) -> Procedure:
    """End a published procedure without agreement; the reason is published as a step."""
    if procedure.stage not in (Procedure.Stage.NOTICE, Procedure.Stage.DESIGN):
        raise ValidationError(
            _("Only a procedure with an open notice or design table can be closed."),
            code="stage",
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason why no agreement was reached.")})
    before = procedure.stage
    procedure.stage = Procedure.Stage.CLOSED
    procedure.save(update_fields=["stage"])
    _step(procedure, _("Closed without agreement: %(reason)s") % {"reason": reason.strip()})
    audit_record(
        user=user,
        instance=procedure,
        action="update",
        changes={"stage": [before, "closed"], "reason": [None, reason.strip()]},
    )
    return procedure


# ----------------------------------------------------------------------------- housing


@transaction.atomic
def housing_create(
    *, data: dict[str, Any], partners: list[Organization] | None = None, user: Any = None
) -> HousingInitiative:
    housing = HousingInitiative(**data)
    housing.slug = _unique_slug(HousingInitiative, housing.name, "abitare")
    _housing_check(housing)
    housing.full_clean(exclude=["slug"])
    housing.save()
    if partners:
        housing.partners.set(partners)
    audit_record(user=user, instance=housing, action="create")
    return housing


HOUSING_EDITABLE = [
    "name",
    "description",
    "lead_id",
    "municipality_id",
    "address",
    "units",
    "tenure",
    "monthly_rent",
    "market_rent",
    "households_housed",
    "target_groups",
    "shared_services",
    "financing",
]


def _housing_check(housing: HousingInitiative) -> None:
    if housing.market_rent is not None and housing.market_rent <= 0:
        raise ValidationError({"market_rent": _("Give the local market rent.")})
    if housing.households_housed is not None and housing.units is not None:
        if housing.households_housed > housing.units * 4:
            raise ValidationError(
                {"households_housed": _("More households than the units can hold.")}
            )


@transaction.atomic
def housing_update(
    *,
    housing: HousingInitiative,
    data: dict[str, Any],
    partners: list[Organization] | None = None,
    user: Any,
) -> HousingInitiative:
    """Change an initiative of the register; the slug stays, ``partners`` replaces the list."""
    before = snapshot(housing, HOUSING_EDITABLE)
    partners_before = sorted(housing.partners.values_list("pk", flat=True))
    for key, value in data.items():
        setattr(housing, key, value)
    _housing_check(housing)
    housing.full_clean(exclude=["slug"])
    housing.save()
    changes: dict[str, Any] = diff(before, snapshot(housing, HOUSING_EDITABLE))
    if partners is not None:
        housing.partners.set(partners)
        partners_after = sorted(p.pk for p in partners)
        if partners_after != partners_before:
            changes["partners"] = [partners_before, partners_after]
    audit_record(user=user, instance=housing, action="update", changes=changes)
    return housing


# ----------------------------------------------------------------------------- preferences


def preferences_of(user: Any) -> NotificationPreference:
    return NotificationPreference.objects.get_or_create(user=user)[0]


@transaction.atomic
def preferences_save(*, user: Any, data: dict[str, bool]) -> NotificationPreference:
    prefs = preferences_of(user)
    for key in ("invitations", "proposals", "decisions", "overdue"):
        if key in data:
            setattr(prefs, key, bool(data[key]))
    prefs.save()
    return prefs
