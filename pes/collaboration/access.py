"""Access helpers: the only way views and the API fetch collaboration records a user may not
be allowed to see or change. Members-only tables (with their meetings, documents and
proposals) are visible to their members and governance; a procedure is public once its notice
is published; the housing register is public."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pes.collaboration.models import (
    ActionItem,
    Document,
    HousingInitiative,
    Meeting,
    Procedure,
    Proposal,
    TableMember,
    Visibility,
    WorkingTable,
)
from pes.registry.access import (
    organizations_editable_by,
    user_can_edit_organization,
    user_is_governance,
)


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def tables_visible_to(user: Any) -> QuerySet[WorkingTable]:
    qs = WorkingTable.objects.all()
    if user_is_governance(user):
        return qs
    if not _signed_in(user):
        return qs.filter(visibility=Visibility.PUBLIC)
    return qs.filter(
        Q(visibility=Visibility.PUBLIC) | Q(members__user=user) | Q(coordinator=user)
    ).distinct()


def user_is_table_member(user: Any, table: WorkingTable) -> bool:
    if not _signed_in(user):
        return False
    if table.coordinator_id == user.pk:
        return True
    return TableMember.objects.filter(table=table, user=user).exists()


def user_can_manage_table(user: Any, table: WorkingTable) -> bool:
    return _signed_in(user) and (table.coordinator_id == user.pk or user_is_governance(user))


def user_can_create_table(user: Any) -> bool:
    return user_is_governance(user) or organizations_editable_by(user).exists()


def _table_visible(user: Any, table: WorkingTable) -> bool:
    return table.is_public or user_is_governance(user) or user_is_table_member(user, table)


def table_for_user(user: Any, slug: str) -> WorkingTable:
    table = (
        WorkingTable.objects.select_related("mission", "action__mission", "coordinator")
        .filter(slug=slug)
        .first()
    )
    if table is None or not _table_visible(user, table):
        raise Http404
    return table


def table_for_member(user: Any, slug: str) -> WorkingTable:
    """A table the user takes part in (or governance): 403 for a visible table otherwise."""
    table = table_for_user(user, slug)
    if not (user_is_table_member(user, table) or user_is_governance(user)):
        raise PermissionDenied
    return table


def table_for_manager(user: Any, slug: str) -> WorkingTable:
    table = table_for_user(user, slug)
    if not user_can_manage_table(user, table):
        raise PermissionDenied
    return table


def meeting_for_user(user: Any, pk: int) -> Meeting:
    meeting = (
        Meeting.objects.select_related("table__coordinator", "table__procedure")
        .filter(pk=pk)
        .first()
    )
    if meeting is None or not _table_visible(user, meeting.table):
        raise Http404
    return meeting


def meeting_for_manager(user: Any, pk: int) -> Meeting:
    meeting = meeting_for_user(user, pk)
    if not user_can_manage_table(user, meeting.table):
        raise PermissionDenied
    return meeting


def user_can_edit_meeting(user: Any, meeting: Meeting) -> bool:
    """Agenda, date and place change only before the meeting starts."""
    return meeting.starts_at > timezone.now() and user_can_manage_table(user, meeting.table)


def meeting_for_editor(user: Any, pk: int) -> Meeting:
    meeting = meeting_for_user(user, pk)
    if not user_can_edit_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def member_for_manager(user: Any, slug: str, pk: int) -> TableMember:
    """A member of a table the user manages (403 otherwise); 404 for a member of another one."""
    table = table_for_manager(user, slug)
    member = (
        TableMember.objects.select_related("table", "user", "organization")
        .filter(table=table, pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


def action_item_for_user(user: Any, pk: int) -> ActionItem:
    """An action item its owner, the table's coordinator or governance may close."""
    item = ActionItem.objects.select_related("meeting__table").filter(pk=pk).first()
    if item is None or not _table_visible(user, item.meeting.table):
        raise Http404
    if not (
        item.owner_id == getattr(user, "pk", None)
        or user_can_manage_table(user, item.meeting.table)
    ):
        raise PermissionDenied
    return item


def document_for_user(user: Any, pk: int) -> Document:
    document = Document.objects.select_related("table").filter(pk=pk).first()
    if document is None or not _table_visible(user, document.table):
        raise Http404
    return document


def proposal_for_user(user: Any, pk: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related(
            "table__coordinator", "author", "organization", "action__mission", "initiative"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not _table_visible(user, proposal.table):
        raise Http404
    if proposal.status == Proposal.Status.DRAFT and not (
        proposal.author_id == getattr(user, "pk", None)
        or user_can_manage_table(user, proposal.table)
    ):
        raise Http404
    return proposal


def user_can_edit_proposal(user: Any, proposal: Proposal) -> bool:
    """While a draft or under discussion: its organisation's staff, the coordinator or
    governance."""
    if proposal.status not in (Proposal.Status.DRAFT, Proposal.Status.DISCUSSION):
        return False
    return user_can_manage_table(user, proposal.table) or user_can_edit_organization(
        user, proposal.organization
    )


def proposal_for_editor(user: Any, pk: int) -> Proposal:
    proposal = proposal_for_user(user, pk)
    if not user_can_edit_proposal(user, proposal):
        raise PermissionDenied
    return proposal


def procedures_visible_to(user: Any) -> QuerySet[Procedure]:
    qs = Procedure.objects.all()
    if user_is_governance(user):
        return qs
    public = ~Q(stage=Procedure.Stage.DRAFT)
    if not _signed_in(user):
        return qs.filter(public)
    return qs.filter(public | Q(administration__in=organizations_editable_by(user)))


def user_can_manage_procedure(user: Any, procedure: Procedure) -> bool:
    return user_can_edit_organization(user, procedure.administration)


def procedure_for_user(user: Any, slug: str) -> Procedure:
    procedure = (
        Procedure.objects.select_related("administration", "action__mission", "design_table")
        .filter(slug=slug)
        .first()
    )
    if procedure is None:
        raise Http404
    if not procedure.is_public and not user_can_manage_procedure(user, procedure):
        raise Http404
    return procedure


def user_can_close_procedure(user: Any, procedure: Procedure) -> bool:
    """A published procedure that has not ended may be closed by its administration."""
    return procedure.stage in (
        Procedure.Stage.NOTICE,
        Procedure.Stage.DESIGN,
    ) and user_can_manage_procedure(user, procedure)


def procedure_for_manager(user: Any, slug: str) -> Procedure:
    procedure = procedure_for_user(user, slug)
    if not user_can_manage_procedure(user, procedure):
        raise PermissionDenied
    return procedure


def administrations_of(user: Any) -> QuerySet[Any]:
    """The public administrations a user may run procedures for."""
    return organizations_editable_by(user).filter(legal_form__category="public")


def housing_for_user(user: Any, slug: str) -> HousingInitiative:
    housing = (
        HousingInitiative.objects.select_related("lead", "municipality").filter(slug=slug).first()
    )
    if housing is None:
        raise Http404
    if not housing.is_published and not user_can_edit_organization(user, housing.lead):
        raise Http404
    return housing


def user_can_edit_housing(user: Any, housing: HousingInitiative) -> bool:
    """The lead organisation's staff and governance (``user_can_edit_organization``)."""
    return user_can_edit_organization(user, housing.lead)


def housing_for_editor(user: Any, slug: str) -> HousingInitiative:
    housing = housing_for_user(user, slug)
    if not user_can_edit_housing(user, housing):
        raise PermissionDenied
    return housing
