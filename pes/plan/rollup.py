"""Pre-computed roll-ups of the Plan's monitoring, kept correct on write.

* Progress and money of every action, mission and the Plan (``RolledUp`` columns), computed by
  ``plan_tree`` and stored, so that pages read a few rows instead of every initiative.
* One ``IndicatorPoint`` per indicator and date (and ``Indicator.latest_*``), so that charts
  and statuses read one row per date instead of every measurement.
* ``Plan.data_version``, changed by every write to the monitoring data: the key of caches.

Writes reach these through the signal receivers in ``pes.plan.signals`` (model saves and
deletes, the admin included) and through explicit calls where a service writes with
``QuerySet.update``. Bulk loads wrap themselves in ``deferred()`` and refresh once at the end.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from pes.plan.models import (
    Action,
    Indicator,
    IndicatorPoint,
    Initiative,
    Measurement,
    Mission,
    Plan,
)
from pes.plan.progress import Node, PlanTree, plan_tree

BATCH = 5000


@dataclass
class _Pending:
    depth: int = 0
    plan: bool = False
    version: bool = False
    indicators: set[int] = field(default_factory=set)


_state = threading.local()


def _pending() -> _Pending:
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = _Pending()
    return pending


@contextmanager
def deferred() -> Iterator[None]:
    """Collect roll-up refreshes during a bulk write and run each once at the end. Use it
    inside the bulk write's transaction: when the block raises, nothing is refreshed (the
    transaction rolls the writes back)."""
    pending = _pending()
    pending.depth += 1
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        pending.depth -= 1
        if pending.depth == 0:
            plan, version, indicators = pending.plan, pending.version, set(pending.indicators)
            pending.plan = pending.version = False
            pending.indicators.clear()
            if not failed:
                if indicators:
                    indicator_points_refresh(indicator_ids=indicators)
                if plan:
                    plan_rollup_refresh()
                elif version:
                    plan_data_changed()


# ----------------------------------------------------------------------------- Plan tree


def _values(node: Node) -> dict[str, Any]:
    return {
        "rollup_progress": node.progress,
        "rollup_committed": node.committed,
        "rollup_public_committed": node.public_committed,
        "rollup_public_spent": node.public_spent,
        "rollup_count": node.count,
    }


ROLLUP_FIELDS = list(_values(Node(0)))


@transaction.atomic
def plan_rollup_refresh() -> None:
    """Recompute and store the progress and money of every action, mission and the Plan."""
    pending = _pending()
    if pending.depth:
        pending.plan = True
        return
    plan = Plan.objects.first()
    if plan is None:
        return
    tree = plan_tree(plan)
    actions = list(Action.objects.filter(pk__in=tree.actions).only("pk", *ROLLUP_FIELDS))
    for action in actions:
        for key, value in _values(tree.actions[action.pk]).items():
            setattr(action, key, value)
    Action.objects.bulk_update(actions, ROLLUP_FIELDS)
    missions = list(Mission.objects.filter(pk__in=tree.missions).only("pk", *ROLLUP_FIELDS))
    for mission in missions:
        for key, value in _values(tree.missions[mission.pk]).items():
            setattr(mission, key, value)
    Mission.objects.bulk_update(missions, ROLLUP_FIELDS)
    Plan.objects.filter(pk=plan.pk).update(data_version=_new_version(), **_values(tree.plan))


def plan_data_changed() -> None:
    """Invalidate the cached views of the Plan (a report, a measurement, a period changed)."""
    pending = _pending()
    if pending.depth:
        pending.version = True
        return
    Plan.objects.update(data_version=_new_version())


def _new_version() -> int:
    # Random, not a counter: a restored database or a rolled-back transaction must not meet
    # a cached entry of the same number written for other data.
    return secrets.randbits(62)


RolledUpRow = Plan | Mission | Action


def _node(row: RolledUpRow) -> Node:
    return Node(
        row.pk,
        weight=getattr(row, "weight", Decimal(1)),
        progress=row.rollup_progress,
        committed=row.rollup_committed,
        public_committed=row.rollup_public_committed,
        public_spent=row.rollup_public_spent,
        count=row.rollup_count,
    )


def stored_tree(
    plan: Plan,
    *,
    missions: Iterable[Mission] | None = None,
    actions: Iterable[Action] | None = None,
) -> PlanTree:
    """The Plan's tree from the stored roll-ups: missions and actions, no initiatives. Pass
    the missions and actions a page has already read to save their queries."""
    if missions is None:
        missions = Mission.objects.filter(plan=plan)
    if actions is None:
        actions = Action.objects.filter(mission__plan=plan)
    return PlanTree(
        plan=_node(plan),
        missions={m.pk: _node(m) for m in missions},
        actions={a.pk: _node(a) for a in actions},
        initiatives={},
    )


def initiative_node(initiative: Initiative) -> Node:
    """One initiative's node (its status must be loaded with it)."""
    return Node(
        initiative.pk,
        weight=initiative.weight,
        progress=initiative.progress(),
        committed=initiative.committed_total,
        public_committed=initiative.public_committed_total,
        public_spent=initiative.public_spent_total,
        count=1,
    )


# ----------------------------------------------------------------------------- indicators


_NO_BREAKDOWN = Q(municipality__isnull=True, gender="")


@transaction.atomic
def indicator_points_refresh(
    *, indicator_ids: Iterable[int], dates: Iterable[dt.date] | None = None
) -> None:
    """Rebuild the series points of ``indicator_ids`` (only ``dates`` if given) from their
    measurements, then their latest value; bumps ``Plan.data_version``."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return
    pending = _pending()
    if pending.depth:
        pending.indicators.update(ids)
        return
    days = sorted(set(dates)) if dates is not None else None
    stale = IndicatorPoint.objects.filter(indicator_id__in=ids)
    measurements = Measurement.objects.filter(indicator_id__in=ids)
    if days is not None:
        stale = stale.filter(date__in=days)
        measurements = measurements.filter(date__in=days)
    stale.delete()
    rows = (
        measurements.values("indicator_id", "date")
        .annotate(
            headline=Max("value", filter=_NO_BREAKDOWN),
            parts=Sum("value", filter=~_NO_BREAKDOWN),
            n=Count("id"),
        )
        .order_by()
    )
    batch: list[IndicatorPoint] = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(
            IndicatorPoint(
                indicator_id=row["indicator_id"],
                date=row["date"],
                headline=row["headline"],
                parts=row["parts"],
                measurements=row["n"],
            )
        )
        if len(batch) >= BATCH:
            IndicatorPoint.objects.bulk_create(batch)
            batch = []
    IndicatorPoint.objects.bulk_create(batch)
    # The last point with a value of each indicator, in one statement per batch.
    last = (
        IndicatorPoint.objects.filter(indicator_id=OuterRef("pk"))
        .filter(Q(headline__isnull=False) | Q(parts__isnull=False))
        .order_by("-date")
    )
    value = last.annotate(latest=Coalesce("headline", "parts")).values("latest")[:1]
    for start in range(0, len(ids), BATCH):
        Indicator.objects.filter(pk__in=ids[start : start + BATCH]).update(
            latest_date=Subquery(last.values("date")[:1]), latest_value=Subquery(value)
        )
    indicator_status_refresh(indicator_ids=ids)


def indicator_status_refresh(*, indicator_ids: Iterable[int]) -> None:
    """Store the progress category of ``indicator_ids`` (after their latest value, baseline or
    targets changed); bumps ``Plan.data_version``."""
    from pes.plan.selectors import indicator_views

    ids = sorted(set(indicator_ids))
    pending = _pending()
    if pending.depth:
        pending.indicators.update(ids)
        return
    for start in range(0, len(ids), BATCH):
        indicators = list(Indicator.objects.filter(pk__in=ids[start : start + BATCH]))
        views = indicator_views(indicators, with_series=False)
        # One update per status, not one per indicator: a handful of statements.
        by_status: dict[str, list[int]] = defaultdict(list)
        for indicator, view in zip(indicators, views, strict=True):
            if indicator.status != view.status.value:
                by_status[view.status.value].append(indicator.pk)
        for status, pks in sorted(by_status.items()):
            Indicator.objects.filter(pk__in=pks).update(status=status)
    plan_data_changed()
