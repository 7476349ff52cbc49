"""Access helpers: the only way views and the API fetch organisation-scoped data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.registry.models import Organization


def user_is_governance(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_governance)


def user_can_edit_organization(user: Any, organization: Organization) -> bool:
    if not (user and user.is_authenticated):
        return False
    if user_is_governance(user):
        return True
    return organization.memberships.filter(user=user).exists()


def organization_for_user(user: Any, slug: str) -> Organization:
    """A published organisation, or an unpublished one its members and governance may see."""
    org = (
        Organization.objects.select_related("legal_form", "head_office__district")
        .filter(slug=slug)
        .first()
    )
    if org is None:
        raise Http404
    if not org.is_published and not user_can_edit_organization(user, org):
        raise Http404
    return org


def organization_for_user_edit(
    user: Any, *, slug: str | None = None, pk: int | None = None
) -> Organization:
    """The organisation if the user may edit it; 404 if unknown, 403 if not allowed."""
    qs = Organization.objects.select_related("legal_form", "head_office")
    org = qs.filter(slug=slug).first() if slug is not None else qs.filter(pk=pk or 0).first()
    if org is None:
        raise Http404
    if not user_can_edit_organization(user, org):
        raise PermissionDenied
    return org


def organizations_editable_by(user: Any):
    if not (user and user.is_authenticated):
        return Organization.objects.none()
    if user_is_governance(user):
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user)
