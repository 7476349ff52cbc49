"""Access helpers: the only way views and the API fetch finance records a user may not be
allowed to see or change.

* A call is public once published; governance and the funder's members see it before.
* An application is seen by the applicant's members, the funder's members and governance;
  only the latter two review it.
* A wallet document is seen by its organisation's members, governance, and the funder of a
  call it was attached to.
* Programmes, financial products and impact-investing cases (the catalogue) are created and
  changed by governance, on the site: governance users are not Django staff.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.finance.models import (
    Application,
    Call,
    FinancialProduct,
    ImpactCase,
    Programme,
    WalletDocument,
)
from pes.registry.access import user_can_edit_organization, user_is_governance
from pes.registry.models import Organization


def user_can_manage_programme(user: Any, programme: Programme) -> bool:
    if user_is_governance(user):
        return True
    return programme.funder is not None and user_can_edit_organization(user, programme.funder)


def programmes_managed_by(user: Any):
    if not (user and user.is_authenticated):
        return Programme.objects.none()
    if user_is_governance(user):
        return Programme.objects.all()
    return Programme.objects.filter(funder__memberships__user=user)


def user_can_edit_catalogue(user: Any) -> bool:
    """Programmes, financial products and impact-investing cases: governance only."""
    return user_is_governance(user)


def require_catalogue_editor(user: Any) -> None:
    if not user_can_edit_catalogue(user):
        raise PermissionDenied


def programme_for_editor(user: Any, slug: str) -> Programme:
    require_catalogue_editor(user)
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def product_for_editor(user: Any, slug: str) -> FinancialProduct:
    require_catalogue_editor(user)
    product = FinancialProduct.objects.filter(slug=slug).first()
    if product is None:
        raise Http404
    return product


def case_for_editor(user: Any, slug: str) -> ImpactCase:
    require_catalogue_editor(user)
    case = ImpactCase.objects.filter(slug=slug).first()
    if case is None:
        raise Http404
    return case


def call_for_user(user: Any, slug: str) -> Call:
    call = Call.objects.select_related("programme__funder").filter(slug=slug).first()
    if call is None:
        raise Http404
    if not call.is_published and not user_can_manage_programme(user, call.programme):
        raise Http404
    return call


def user_can_review(user: Any, application: Application) -> bool:
    return user_can_manage_programme(user, application.call.programme)


def application_for_user(user: Any, pk: int) -> Application:
    application = (
        Application.objects.select_related(
            "call__programme__funder", "organization__legal_form", "submitted_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if application is None or not (user and user.is_authenticated):
        raise Http404
    if user_can_edit_organization(user, application.organization) or user_can_review(
        user, application
    ):
        return application
    raise Http404


def application_for_reviewer(user: Any, pk: int) -> Application:
    application = application_for_user(user, pk)
    if not user_can_review(user, application):
        raise PermissionDenied
    return application


def application_for_applicant(user: Any, pk: int) -> Application:
    application = application_for_user(user, pk)
    if not user_can_edit_organization(user, application.organization):
        raise PermissionDenied
    return application


def wallet_document_for_user(user: Any, pk: int) -> WalletDocument:
    document = WalletDocument.objects.select_related("organization").filter(pk=pk).first()
    if document is None or not (user and user.is_authenticated):
        raise Http404
    if user_can_edit_organization(user, document.organization):
        return document
    for application in document.applications.select_related("call__programme__funder"):
        if user_can_review(user, application):
            return document
    raise Http404


def organization_choice(user: Any, organizations: list[Organization], pk: Any) -> Organization:
    """The organisation chosen with ``?ente=<id>`` among those the user edits (the first one
    when none is given); 404 when the user edits none."""
    if not organizations:
        raise Http404
    if pk:
        for org in organizations:
            if str(org.pk) == str(pk):
                return org
        raise Http404
    return organizations[0]
