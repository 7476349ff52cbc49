"""Access helpers: the only way views and the API fetch tenders, bids and contracts.

* governance sees and may do everything;
* a buyer's staff (members of the buying administration) manage its tenders;
* commissioners see the bids and scores of the tenders they sit on, before the award;
* a supplier's staff see only their organisation's contracts and report on them;
* everyone sees published tenders, and the ranking once the tender is awarded.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pes.procurement.models import Contract, Lot, Tender
from pes.registry.access import user_is_governance
from pes.registry.models import Organization


def _authenticated(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def buyers_for_user(user: Any) -> QuerySet[Organization]:
    """The public administrations the user may run tenders for."""
    qs = Organization.objects.filter(legal_form__code="PA")
    if user_is_governance(user):
        return qs
    if not _authenticated(user):
        return qs.none()
    return qs.filter(memberships__user=user)


def user_is_buyer_staff(user: Any, tender: Tender) -> bool:
    if user_is_governance(user):
        return True
    if not _authenticated(user):
        return False
    return tender.buyer.memberships.filter(user=user).exists()


def user_is_commissioner(user: Any, tender: Tender) -> bool:
    if not _authenticated(user):
        return False
    return tender.commissioners.filter(pk=user.pk).exists()


def user_can_see_bids(user: Any, tender: Tender) -> bool:
    """Bids and scores: the buyer and governance always; commissioners before the award
    too; everyone once the tender is awarded (the ranking is public then)."""
    if tender.state == Tender.State.AWARDED:
        return True
    return user_is_buyer_staff(user, tender) or user_is_commissioner(user, tender)


def tenders_visible_to(user: Any) -> QuerySet[Tender]:
    qs = Tender.objects.all()
    if user_is_governance(user):
        return qs
    published = ~Q(state=Tender.State.DRAFT)
    if not _authenticated(user):
        return qs.filter(published)
    return qs.filter(published | Q(buyer__memberships__user=user)).distinct()


def tender_for_user(user: Any, pk: int) -> Tender:
    tender = Tender.objects.select_related("buyer").filter(pk=pk).first()
    if tender is None:
        raise Http404
    if tender.state == Tender.State.DRAFT and not user_is_buyer_staff(user, tender):
        raise Http404
    return tender


def tender_for_user_edit(user: Any, pk: int) -> Tender:
    tender = tender_for_user(user, pk)
    if not user_is_buyer_staff(user, tender):
        raise PermissionDenied
    return tender


def lot_for_user_edit(user: Any, pk: int, lot_pk: int) -> Lot:
    """A lot of a tender the user manages (404 for another tender's lot)."""
    tender = tender_for_user_edit(user, pk)
    lot = Lot.objects.filter(tender=tender, pk=lot_pk).first()
    if lot is None:
        raise Http404
    lot.tender = tender
    return lot


def tender_for_user_scores(user: Any, pk: int) -> Tender:
    tender = tender_for_user(user, pk)
    if not user_can_see_bids(user, tender):
        raise PermissionDenied
    return tender


def user_is_supplier_staff(user: Any, contract: Contract) -> bool:
    if not _authenticated(user):
        return False
    return contract.supplier.memberships.filter(user=user).exists()


def contracts_visible_to(user: Any) -> QuerySet[Contract]:
    """Governance: all; the buyer's staff: their administration's; a supplier: its own."""
    qs = Contract.objects.all()
    if user_is_governance(user):
        return qs
    if not _authenticated(user):
        return qs.none()
    return qs.filter(
        Q(supplier__memberships__user=user) | Q(tender__buyer__memberships__user=user)
    ).distinct()


def contract_for_user(user: Any, pk: int) -> Contract:
    contract = Contract.objects.select_related("tender__buyer", "supplier").filter(pk=pk).first()
    if contract is None:
        raise Http404
    if not contracts_visible_to(user).filter(pk=pk).exists():
        if _authenticated(user):
            raise PermissionDenied
        raise Http404
    return contract


def contract_for_supplier(user: Any, pk: int) -> Contract:
    """The contract if the user reports for its supplier (or is governance)."""
    contract = contract_for_user(user, pk)
    if not (user_is_supplier_staff(user, contract) or user_is_governance(user)):
        raise PermissionDenied
    return contract


def require_governance(user: Any) -> None:
    if not user_is_governance(user):
        raise PermissionDenied
