"""Cached reads that are never stale: each data area has a version token in the database
(``DataVersion``), replaced on every write to the area's models; a cached value is stored
under the token it was computed with, so a write anywhere (any process, any worker) makes
the next read compute afresh. Reading costs one primary-key query.

    track("incubation", Application, Score, Project)      # in AppConfig.ready()
    data = cached("incubation", "dashboard", compute)     # in a selector

Writes that send no signal (``bulk_create``, ``update``, raw SQL) call ``bump(area)``
themselves; the entries also expire after ``timeout`` seconds, which bounds what such a
write, or a change to data outside the area (a district's name), can leave stale.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from pes.core.models import DataVersion

T = TypeVar("T")

DEFAULT_TIMEOUT = 600


def version(area: str) -> int:
    row = DataVersion.objects.filter(key=area).values_list("value", flat=True).first()
    return row if row is not None else 0


def bump(area: str) -> None:
    """Replace the area's token (random, not a counter: a restored database or a rolled-back
    transaction must not meet an entry cached for other data under the same number)."""
    DataVersion.objects.update_or_create(key=area, defaults={"value": secrets.randbits(62)})


def cached(
    area: str,
    name: str,
    compute: Callable[[], T],
    *,
    parts: tuple[Any, ...] = (),
    per_language: bool = True,
    timeout: int = DEFAULT_TIMEOUT,
) -> T:
    """``compute()``, cached under the area's current token, ``name``, ``parts`` (e.g. a
    filter) and, when the value holds translated text, the active language."""
    bits = [f"v:{area}:{version(area)}:{name}", *(str(p) for p in parts)]
    if per_language:
        bits.append(get_language() or "")
    key = ":".join(bits)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def track(area: str, *models: type[Model]) -> None:
    """Bump ``area`` on every save and delete of ``models`` and on their many-to-many changes."""

    def changed(sender: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            bump(area)

    def m2m(sender: Any, action: str, **kwargs: Any) -> None:
        if action.startswith("post_"):
            bump(area)

    for model in models:
        label = f"{area}:{model._meta.label}"
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"version-save-{label}")
        post_delete.connect(
            changed, sender=model, weak=False, dispatch_uid=f"version-delete-{label}"
        )
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                m2m,
                sender=field.remote_field.through,
                weak=False,
                dispatch_uid=f"version-m2m-{label}-{field.name}",
            )
