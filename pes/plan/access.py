"""Access helpers for the Plan's monitoring."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.plan.models import Initiative, Report
from pes.registry.access import user_is_governance


def user_leads(user: Any, initiative: Initiative) -> bool:
    """Members of the lead organisation report on and edit the initiative."""
    if not (user and user.is_authenticated):
        return False
    return initiative.lead.memberships.filter(user=user).exists()


def user_can_edit_initiative(user: Any, initiative: Initiative) -> bool:
    return user_is_governance(user) or user_leads(user, initiative)


def initiative_for_user_edit(user: Any, slug: str) -> Initiative:
    initiative = (
        Initiative.objects.select_related("lead", "status", "action__mission")
        .filter(slug=slug)
        .first()
    )
    if initiative is None:
        raise Http404
    if not user_can_edit_initiative(user, initiative):
        raise PermissionDenied
    return initiative


def report_for_governance(user: Any, pk: int) -> Report:
    if not user_is_governance(user):
        raise PermissionDenied
    report = (
        Report.objects.select_related("initiative__lead", "period", "status").filter(pk=pk).first()
    )
    if report is None:
        raise Http404
    return report


def require_governance(user: Any) -> None:
    if not user_is_governance(user):
        raise PermissionDenied
