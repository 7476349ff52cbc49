"""The statistics roll-up behind the dashboard.

Each case contributes a handful of ``(metric, key)`` counts (its registration month, its
district, its outcome, the contract types it was placed with, the band of its profile…).
The services that change a case measure its contribution before and after the change and
apply the difference to ``StatCount`` in the same transaction (``tracking``), so the
dashboard reads a few hundred rows whatever the number of people, and never decrypts a
profile. ``rebuild`` recomputes every count from the cases (``manage.py
rebuild_inclusion_stats``): run it after loading data by other means than the services
(bulk imports, the demo data, changes in the admin).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from pes.inclusion.models import Case, FollowUp, FragilityProfile, Pathway, StatCount

logger = logging.getLogger(__name__)

Key = tuple[str, str]
M = StatCount.Metric
BATCH = 2000


def month_key(when: Any) -> str:
    return f"{timezone.localtime(when):%Y-%m}"


def contributions(case_ids: Iterable[int]) -> Counter[Key]:
    """The counts the given cases add to the roll-up (four queries for any number)."""
    ids = list(case_ids)
    out: Counter[Key] = Counter()
    if not ids:
        return out
    kinds: dict[int, set[str]] = {}
    for case_id, kind in (
        Pathway.objects.filter(case_id__in=ids)
        .exclude(kind=Pathway.Kind.TRAINING)
        .values_list("case_id", "kind")
    ):
        kinds.setdefault(case_id, set()).add(kind)
    for months, employed in (
        FollowUp.objects.filter(pathway__case_id__in=ids)
        .exclude(pathway__kind=Pathway.Kind.TRAINING)
        .values_list("months", "still_employed")
        .order_by()
    ):
        out[(M.FOLLOW_UP, f"{months}:{int(employed)}")] += 1
    for case_id, band in (
        FragilityProfile.objects.filter(case_id__in=ids).values_list("case_id", "band").order_by()
    ):
        out[(M.BAND_ASSESSED, band or "")] += 1
        if case_id in kinds:
            out[(M.BAND_PLACED, band or "")] += 1
    rows = (
        Case.objects.filter(pk__in=ids)
        .values_list(
            "pk",
            "registered_at",
            "first_contact_at",
            "first_contact_due",
            "closed_at",
            "outcome",
            "person__municipality__district__name",
        )
        .order_by()
    )
    for pk, registered_at, contact_at, due, closed_at, outcome, district in rows:
        district = district or ""
        out[(M.REGISTERED, month_key(registered_at))] += 1
        out[(M.DISTRICT_REGISTERED, district)] += 1
        if contact_at is not None:
            contact_day = timezone.localtime(contact_at).date()
            out[(M.CONTACTED, "")] += 1
            out[
                (
                    M.CONTACT_DELAY,
                    str((contact_day - timezone.localtime(registered_at).date()).days),
                )
            ] += 1
            if contact_day > due:
                out[(M.CONTACT_LATE, "")] += 1
        elif closed_at is None:
            out[(M.AWAITING_CONTACT, due.isoformat())] += 1
        if outcome:
            out[(M.OUTCOME, outcome)] += 1
            if outcome == Case.Outcome.READY:
                out[(M.DISTRICT_READY, district)] += 1
        for kind in kinds.get(pk, ()):
            out[(M.PLACED, kind)] += 1
        if pk in kinds:
            out[(M.DISTRICT_PLACED, district)] += 1
    return out


def apply(delta: dict[Key, int]) -> None:
    """Add ``delta`` to the counts (creating missing rows, removing rows that reach 0)."""
    for (metric, key), d in sorted(delta.items()):
        if not d:
            continue
        rows = StatCount.objects.filter(metric=metric, key=key)
        if rows.update(n=Greatest(F("n") + d, 0)):
            if d < 0:
                rows.filter(n=0).delete()
            continue
        if d < 0:
            # The roll-up missed a change made outside the services: rebuild it.
            logger.warning("inclusion statistics out of date (%s %s); rebuild them", metric, key)
            continue
        try:
            with transaction.atomic():
                StatCount.objects.create(metric=metric, key=key, n=d)
        except IntegrityError:  # created by a concurrent transaction meanwhile
            rows.update(n=F("n") + d)


def difference(after: Counter[Key], before: Counter[Key]) -> dict[Key, int]:
    return {k: after[k] - before[k] for k in after.keys() | before.keys() if after[k] != before[k]}


@contextmanager
def tracking(*case_ids: int) -> Iterator[None]:
    """Apply to the roll-up whatever the block changes in these cases' contribution. Use
    it inside the service's transaction, around the writes."""
    before = contributions(case_ids)
    yield
    apply(difference(contributions(case_ids), before))


def case_added(case_id: int) -> None:
    apply(dict(contributions([case_id])))


def computed() -> Counter[Key]:
    """Every count, computed from the cases (in batches, so it fits in memory)."""
    total: Counter[Key] = Counter()
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        total.update(contributions(ids[start : start + BATCH]))
    return total


def stored() -> Counter[Key]:
    return Counter(
        {
            (m, k): n
            for m, k, n in StatCount.objects.filter(n__gt=0).values_list("metric", "key", "n")
        }
    )


@transaction.atomic
def rebuild() -> int:
    """Recompute the whole roll-up from the cases; returns the number of rows."""
    counts = computed()
    StatCount.objects.all().delete()
    StatCount.objects.bulk_create(
        [StatCount(metric=m, key=k, n=n) for (m, k), n in sorted(counts.items()) if n],
        batch_size=BATCH,
    )
    return len(counts)
