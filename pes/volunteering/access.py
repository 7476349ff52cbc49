"""Access helpers: the only way views and the API fetch volunteering records a user may not
be allowed to see or change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.registry.access import user_can_edit_organization, user_is_governance
from pes.volunteering.models import Booking, Group, Opportunity, Shift, Volunteer


def user_can_manage_opportunity(user: Any, opportunity: Opportunity) -> bool:
    return user_can_edit_organization(user, opportunity.organization)


def opportunity_for_user(user: Any, slug: str) -> Opportunity:
    """A published opportunity, or an unpublished one its organisation may see."""
    opportunity = (
        Opportunity.objects.select_related("organization", "activity", "municipality")
        .filter(slug=slug)
        .first()
    )
    if opportunity is None:
        raise Http404
    if not opportunity.is_published and not user_can_manage_opportunity(user, opportunity):
        raise Http404
    return opportunity


def opportunity_for_user_edit(
    user: Any, *, slug: str | None = None, pk: int | None = None
) -> Opportunity:
    qs = Opportunity.objects.select_related("organization", "activity", "municipality")
    opportunity = (
        qs.filter(slug=slug).first() if slug is not None else qs.filter(pk=pk or 0).first()
    )
    if opportunity is None:
        raise Http404
    if not user_can_manage_opportunity(user, opportunity):
        raise PermissionDenied
    return opportunity


def shift_for_user(user: Any, pk: int) -> Shift:
    shift = (
        Shift.objects.select_related(
            "opportunity__organization", "opportunity__activity", "municipality"
        )
        .filter(pk=pk)
        .first()
    )
    if shift is None:
        raise Http404
    if not shift.opportunity.is_published and not user_can_manage_opportunity(
        user, shift.opportunity
    ):
        raise Http404
    return shift


def shift_for_user_manage(user: Any, pk: int) -> Shift:
    shift = shift_for_user(user, pk)
    if not user_can_manage_opportunity(user, shift.opportunity):
        raise PermissionDenied
    return shift


def volunteer_of(user: Any) -> Volunteer | None:
    if not (user and user.is_authenticated):
        return None
    return Volunteer.objects.select_related("user", "municipality").filter(user=user).first()


def booking_for_user(user: Any, pk: int) -> Booking:
    """A booking its volunteer, its group's contact, the organisation or governance may act on."""
    booking = (
        Booking.objects.select_related(
            "shift__opportunity__organization", "volunteer__user", "group__manager"
        )
        .filter(pk=pk)
        .first()
    )
    if booking is None or not (user and user.is_authenticated):
        raise Http404
    own = (booking.volunteer_id and booking.volunteer.user_id == user.pk) or (  # type: ignore[union-attr]
        booking.group_id and booking.group.manager_id == user.pk  # type: ignore[union-attr]
    )
    if own or user_can_manage_opportunity(user, booking.shift.opportunity):
        return booking
    raise Http404


def booking_for_user_manage(user: Any, pk: int) -> Booking:
    booking = booking_for_user(user, pk)
    if not user_can_manage_opportunity(user, booking.shift.opportunity):
        raise PermissionDenied
    return booking


def group_for_user(user: Any, pk: int) -> Group:
    group = Group.objects.select_related("municipality", "manager").filter(pk=pk).first()
    if group is None or not (user and user.is_authenticated):
        raise Http404
    if group.manager_id != user.pk and not user_is_governance(user):
        raise Http404
    return group
