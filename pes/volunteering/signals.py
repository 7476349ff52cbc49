"""Keep each opportunity's stored next shift (``services.upcoming_shifts_refresh``) correct on
every model write of a shift, the admin's included. Writes with ``QuerySet.update`` or
``bulk_create`` send no signal: the services and the demo that use them refresh themselves.

Fixture loading (``raw``) refreshes too: ``dumpdata`` writes opportunities before their
shifts, so the opportunity row is there when its shifts arrive."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from pes.volunteering.models import Opportunity, Shift
from pes.volunteering.services import upcoming_shifts_refresh

# The fields of a shift that the stored next shift depends on.
NEXT_SHIFT_FIELDS = frozenset({"opportunity", "opportunity_id", "starts_at", "status"})


def _concerns_next_shift(update_fields: Any) -> bool:
    return update_fields is None or bool(NEXT_SHIFT_FIELDS & set(update_fields))


@receiver(pre_save, sender=Shift, dispatch_uid="next-shift-pre-save")
def _shift_before_save(sender: Any, instance: Shift, **kwargs: Any) -> None:
    # A shift moved to another opportunity changes the one it leaves as well.
    instance._next_shift_previous = None  # type: ignore[attr-defined]
    if instance.pk is None or instance._state.adding:
        return
    if not _concerns_next_shift(kwargs.get("update_fields")):
        return
    instance._next_shift_previous = (  # type: ignore[attr-defined]
        Shift.objects.filter(pk=instance.pk).values_list("opportunity_id", flat=True).first()
    )


@receiver(post_save, sender=Shift, dispatch_uid="next-shift-post-save")
def _shift_saved(sender: Any, instance: Shift, **kwargs: Any) -> None:
    if not _concerns_next_shift(kwargs.get("update_fields")):
        return
    previous = getattr(instance, "_next_shift_previous", None)
    upcoming_shifts_refresh(opportunity_ids=[instance.opportunity_id, previous])


def _opportunity_deleted_with_it(origin: Model | QuerySet[Any] | None) -> bool:
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Opportunity


@receiver(post_delete, sender=Shift, dispatch_uid="next-shift-post-delete")
def _shift_deleted(sender: Any, instance: Shift, origin: Any = None, **kwargs: Any) -> None:
    # Deleting an opportunity deletes its shifts first: nothing left to keep correct.
    if _opportunity_deleted_with_it(origin):
        return
    upcoming_shifts_refresh(opportunity_ids=[instance.opportunity_id])
