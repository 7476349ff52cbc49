"""Keep the Plan's roll-ups (``pes.plan.rollup``) correct on every model write, the admin's
included. Fixture loading (``raw``) is left alone: ``migrate`` and ``loaddata`` refresh after."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from pes.plan.models import (
    Action,
    BudgetLine,
    Indicator,
    IndicatorTarget,
    Initiative,
    InitiativeStatus,
    Measurement,
    Mission,
    Plan,
    Report,
    ReportingPeriod,
)
from pes.plan.rollup import (
    indicator_points_refresh,
    indicator_status_refresh,
    plan_data_changed,
    plan_rollup_refresh,
)

TREE_MODELS = (Initiative, BudgetLine, InitiativeStatus, Action, Mission)
VERSION_MODELS = (Report, ReportingPeriod)


def _tree_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    plan_rollup_refresh()


def _plan_saved(sender: Any, instance: Plan, raw: bool = False, **kwargs: Any) -> None:
    # The Plan's own weighting changes its progress; its roll-up columns are written with
    # ``update``, which sends no signal, so this cannot loop.
    if raw or kwargs.get("update_fields") == frozenset({"data_version"}):
        return
    plan_rollup_refresh()


def _version_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    plan_data_changed()


for tree_model in TREE_MODELS:
    name = tree_model.__name__
    post_save.connect(_tree_changed, sender=tree_model, dispatch_uid=f"rollup-save-{name}")
    post_delete.connect(_tree_changed, sender=tree_model, dispatch_uid=f"rollup-delete-{name}")
post_save.connect(_plan_saved, sender=Plan, dispatch_uid="rollup-save-Plan")
for version_model in VERSION_MODELS:
    name = version_model.__name__
    post_save.connect(_version_changed, sender=version_model, dispatch_uid=f"version-save-{name}")
    post_delete.connect(
        _version_changed, sender=version_model, dispatch_uid=f"version-delete-{name}"
    )


@receiver(m2m_changed, sender=Initiative.municipalities.through, dispatch_uid="version-places")
def _places_changed(sender: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        plan_data_changed()


@receiver(post_save, sender=Indicator, dispatch_uid="status-indicator")
def _indicator_saved(sender: Any, instance: Indicator, raw: bool = False, **kwargs: Any) -> None:
    # Its baseline or direction may have changed; the status is written with ``update``.
    if raw:
        return
    indicator_status_refresh(indicator_ids=[instance.pk])


@receiver(post_save, sender=IndicatorTarget, dispatch_uid="status-target-save")
@receiver(post_delete, sender=IndicatorTarget, dispatch_uid="status-target-delete")
def _target_changed(
    sender: Any, instance: IndicatorTarget, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    indicator_status_refresh(indicator_ids=[instance.indicator_id])


@receiver(post_delete, sender=Indicator, dispatch_uid="version-indicator-delete")
def _indicator_deleted(sender: Any, instance: Indicator, **kwargs: Any) -> None:
    plan_data_changed()


@receiver(post_save, sender=Measurement, dispatch_uid="points-save")
def _measurement_saved(
    sender: Any, instance: Measurement, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    # A new value changes one point; an edited one may have moved to another date.
    indicator_points_refresh(
        indicator_ids=[instance.indicator_id], dates=[instance.date] if created else None
    )


@receiver(post_delete, sender=Measurement, dispatch_uid="points-delete")
def _measurement_deleted(sender: Any, instance: Measurement, **kwargs: Any) -> None:
    indicator_points_refresh(indicator_ids=[instance.indicator_id], dates=[instance.date])
