"""Access helpers: the only way views and the API fetch impact records a user may not be
allowed to see or change.

* A theory of change, its SROI analyses and its reports are kept by an organisation: its
  members and governance edit them (a free-standing programme's by governance and by whoever
  created it). A published report is public.
* Methods and campaigns are the Plan office's: governance creates and runs them. A campaign is
  seen by governance and by the members of the organisations asked to answer it; a validated
  campaign's aggregate results are public.
* A participant's answers are given by the members of its organisation (and governance).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.impact.models import Campaign, Participant, Report, Sroi, Survey, Theory
from pes.registry.access import user_can_edit_organization, user_is_governance


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def user_can_edit_theory(user: Any, theory: Theory) -> bool:
    if not _signed_in(user):
        return False
    if user_is_governance(user):
        return True
    if theory.organization is not None:
        return user_can_edit_organization(user, theory.organization)
    return theory.created_by_id == user.pk


def theory_for_user(user: Any, pk: int) -> Theory:
    theory = (
        Theory.objects.select_related("organization", "initiative", "contract", "municipality")
        .filter(pk=pk)
        .first()
    )
    if theory is None or not user_can_edit_theory(user, theory):
        raise Http404
    return theory


def theories_for_user(user: Any):
    if not _signed_in(user):
        return Theory.objects.none()
    if user_is_governance(user):
        return Theory.objects.all()
    from django.db.models import Q

    return Theory.objects.filter(
        Q(organization__memberships__user=user) | Q(organization__isnull=True, created_by=user)
    ).distinct()


def user_can_edit_sroi(user: Any, sroi: Sroi) -> bool:
    if not _signed_in(user):
        return False
    if user_is_governance(user):
        return True
    if sroi.theory is not None:
        return user_can_edit_theory(user, sroi.theory)
    if sroi.organization is not None:
        return user_can_edit_organization(user, sroi.organization)
    return sroi.created_by_id == user.pk


def sroi_for_user(user: Any, pk: int) -> Sroi:
    sroi = Sroi.objects.select_related("theory__organization", "organization").filter(pk=pk).first()
    if sroi is None or not user_can_edit_sroi(user, sroi):
        raise Http404
    return sroi


def srois_for_user(user: Any):
    if not _signed_in(user):
        return Sroi.objects.none()
    if user_is_governance(user):
        return Sroi.objects.all()
    from django.db.models import Q

    return Sroi.objects.filter(
        Q(organization__memberships__user=user)
        | Q(theory__organization__memberships__user=user)
        | Q(created_by=user)
    ).distinct()


def report_for_user(user: Any, pk: int) -> Report:
    """A published report for anyone; a draft for those who edit its theory."""
    report = (
        Report.objects.select_related("theory__organization", "theory__municipality", "sroi")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    if not report.is_published and not user_can_edit_theory(user, report.theory):
        raise Http404
    return report


def report_for_editor(user: Any, pk: int) -> Report:
    report = report_for_user(user, pk)
    if not user_can_edit_theory(user, report.theory):
        raise PermissionDenied
    return report


def require_governance(user: Any) -> None:
    if not user_is_governance(user):
        raise PermissionDenied


def user_takes_part(user: Any, campaign: Campaign) -> bool:
    return (
        _signed_in(user)
        and campaign.participants.filter(organization__memberships__user=user).exists()
    )


def campaign_for_user(user: Any, pk: int) -> Campaign:
    """Governance and participants see a campaign; anyone a validated one's results."""
    campaign = Campaign.objects.select_related("method").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if campaign.status == Campaign.Status.VALIDATED:
        return campaign
    if user_is_governance(user) or user_takes_part(user, campaign):
        return campaign
    raise Http404


def campaign_for_governance(user: Any, pk: int) -> Campaign:
    require_governance(user)
    campaign = Campaign.objects.select_related("method").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def participant_for_user(user: Any, pk: int) -> Participant:
    participant = (
        Participant.objects.select_related("campaign__method", "organization").filter(pk=pk).first()
    )
    if participant is None or not _signed_in(user):
        raise Http404
    if user_is_governance(user) or user_can_edit_organization(user, participant.organization):
        return participant
    raise Http404


def survey_for_user(user: Any, pk: int) -> Survey:
    """The survey's page (links, response rate): governance, or the participant's members."""
    survey = (
        Survey.objects.select_related("campaign", "participant__organization").filter(pk=pk).first()
    )
    if survey is None or not _signed_in(user):
        raise Http404
    if user_is_governance(user):
        return survey
    if survey.participant is not None and user_can_edit_organization(
        user, survey.participant.organization
    ):
        return survey
    raise Http404
