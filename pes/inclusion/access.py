"""Access helpers: the only way views and the API fetch work-inclusion records.

* Operators (``User.Role.OPERATOR``) see the queue of unassigned cases and may take one;
  an assigned case is opened only by its operator and the supervisor of a team the
  operator belongs to. Nobody else opens a case: governance sees aggregates only.
* Special-category data (the fragility profile) are read by the assigned operator and
  their supervisor only, and each read is logged (``selectors.fragility_profile_read``).
* Openings are public while open; the company's members (and governance) edit them.
* A company sees only the proposals made to it, with the data the person agreed to share.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pes.inclusion.models import AllocationRun, Case, Opening, Proposal, Suggestion, Team
from pes.registry.access import user_can_edit_organization, user_is_governance


def user_is_operator(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_operator)


def require_operator(user: Any) -> None:
    if not user_is_operator(user):
        raise PermissionDenied


def user_can_run_allocation(user: Any) -> bool:
    return user_is_operator(user) or user_is_governance(user)


def supervised_operator_ids(user: Any) -> set[int]:
    """The operators of the teams ``user`` supervises (never including ``user``)."""
    if not user_is_operator(user):
        return set()
    ids = set(Team.objects.filter(supervisor=user).values_list("operators__id", flat=True)) - {
        None,
        user.pk,
    }
    return {i for i in ids if i is not None}


def user_is_supervisor(user: Any) -> bool:
    return user_is_operator(user) and Team.objects.filter(supervisor=user).exists()


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Cases the user may open: their own, their team's if they supervise it."""
    if not user_is_operator(user):
        return Case.objects.none()
    return Case.objects.filter(Q(operator=user) | Q(operator_id__in=supervised_operator_ids(user)))


def user_can_open_case(user: Any, case: Case) -> bool:
    if not user_is_operator(user):
        return False
    if case.operator_id is None:
        return False
    return case.operator_id == user.pk or case.operator_id in supervised_operator_ids(user)


def user_can_read_special(user: Any, case: Case) -> bool:
    """The assigned operator and their supervisor; nobody else, whatever their role."""
    return user_can_open_case(user, case)


def case_for_user(user: Any, pk: int) -> Case:
    """An assigned case the user may open: 404 for an unknown case, 403 otherwise."""
    require_operator(user)
    case = (
        Case.objects.select_related("person__municipality__district", "operator")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if not user_can_open_case(user, case):
        raise PermissionDenied
    return case


def case_for_triage(user: Any, pk: int) -> Case:
    """A case an operator may take (unassigned) or open."""
    require_operator(user)
    case = Case.objects.select_related("person__municipality", "operator").filter(pk=pk).first()
    if case is None:
        raise Http404
    if case.operator_id is not None and not user_can_open_case(user, case):
        raise PermissionDenied
    return case


def opening_for_user(user: Any, pk: int) -> Opening:
    opening = Opening.objects.select_related("organization", "municipality").filter(pk=pk).first()
    if opening is None:
        raise Http404
    if not opening.is_open and not (
        user_can_edit_organization(user, opening.organization) or user_is_operator(user)
    ):
        raise Http404
    return opening


def opening_for_editor(user: Any, pk: int) -> Opening:
    opening = opening_for_user(user, pk)
    if not user_can_edit_organization(user, opening.organization):
        raise PermissionDenied
    return opening


def user_is_company_of(user: Any, proposal: Proposal) -> bool:
    if not (user and user.is_authenticated) or user_is_governance(user):
        return False
    return proposal.opening.organization.memberships.filter(user=user).exists()


def proposal_for_user(user: Any, pk: int) -> Proposal:
    """A proposal, for the company it was made to or the case's operator."""
    if not (user and user.is_authenticated):
        raise PermissionDenied
    proposal = (
        Proposal.objects.select_related(
            "case__person__municipality", "case__operator", "opening__organization"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404
    if user_is_company_of(user, proposal) or user_can_open_case(user, proposal.case):
        return proposal
    raise PermissionDenied


def proposal_for_company(user: Any, pk: int) -> Proposal:
    proposal = proposal_for_user(user, pk)
    if not user_is_company_of(user, proposal):
        raise PermissionDenied
    return proposal


def allocation_for_user(user: Any, pk: int) -> AllocationRun:
    if not user_can_run_allocation(user):
        raise PermissionDenied
    run = AllocationRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def suggestion_for_operator(user: Any, pk: int) -> Suggestion:
    require_operator(user)
    suggestion = (
        Suggestion.objects.select_related("case__person", "opening__organization", "run")
        .filter(pk=pk)
        .first()
    )
    if suggestion is None:
        raise Http404
    if not user_can_open_case(user, suggestion.case):
        raise PermissionDenied
    return suggestion
