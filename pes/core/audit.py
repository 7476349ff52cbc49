"""Audit trail for records whose changes governance must be able to trace.

Services call ``audit_record`` after each write; ``snapshot`` and ``diff`` give the
``{"field": [old, new]}`` shape stored in ``AuditEntry.changes``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pes.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    names = fields or [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_record(
    *,
    user: Any,
    instance: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        action=action,
        changes=changes or {},
        user=user if getattr(user, "is_authenticated", False) else None,
    )


def audit_history(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("user")
