"""Progress of the Plan, computed in one place and shown identically everywhere.

* ``indicator_status``: the progress category of an indicator from its baseline, target and
  latest value, by the method Open SDG uses (Statistics Canada, after Eurostat): the ratio of
  the observed compound annual growth rate to the rate needed to reach the target on time.
* ``plan_tree``: physical progress rolled up initiative → action → mission → Plan, weighted
  per level (equally, by budget, or by explicit weights), with financial progress (paid ÷
  committed public funding) beside it. Four queries whatever the number of initiatives.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from pes.plan.models import Action, Initiative, Mission, Plan, Weighting

ON_TRACK = 0.95
MODERATE = 0.60
NO_TARGET_ON_TRACK = 0.015
NO_TARGET_MODERATE = 0.005


class Status(StrEnum):
    ACHIEVED = "achieved"
    SUBSTANTIAL = "substantial"
    MODERATE = "moderate"
    LIMITED = "limited"
    DETERIORATION = "deterioration"
    NOT_AVAILABLE = "not_available"


STATUS_LABELS = {
    Status.ACHIEVED: _("target achieved"),
    Status.SUBSTANTIAL: _("substantial progress"),
    Status.MODERATE: _("moderate progress"),
    Status.LIMITED: _("limited progress"),
    Status.DETERIORATION: _("deterioration"),
    Status.NOT_AVAILABLE: _("not available"),
}
OFF_TRACK = {Status.LIMITED, Status.DETERIORATION}


def _years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / 365.25


def _growth(y0: float, y1: float, years: float) -> float:
    """Compound annual growth rate; linear relative change when a value is not positive."""
    if y0 > 0 and y1 > 0:
        return float((y1 / y0) ** (1 / years) - 1)
    return (y1 - y0) / years


def indicator_status(
    *,
    increase: bool,
    baseline: Decimal | None,
    baseline_date: dt.date | None,
    latest: Decimal | None,
    latest_date: dt.date | None,
    target: Decimal | None = None,
    target_date: dt.date | None = None,
) -> Status:
    if baseline is None or baseline_date is None or latest is None or latest_date is None:
        return Status.NOT_AVAILABLE
    d = 1 if increase else -1
    y0, yi = float(baseline), float(latest)
    if target is not None:
        yt = float(target)
        if d * (yi - yt) >= 0:
            return Status.ACHIEVED
    elapsed = _years(baseline_date, latest_date)
    if elapsed <= 0:
        return Status.NOT_AVAILABLE
    if y0 <= 0 or yi <= 0:
        # Linear rates: a count starting from zero has no compound growth rate.
        observed = (yi - y0) / elapsed
    else:
        observed = _growth(y0, yi, elapsed)
    if target is not None and target_date is not None:
        horizon = _years(baseline_date, target_date)
        if horizon <= 0:
            return Status.NOT_AVAILABLE
        yt = float(target)
        required = (
            (yt - y0) / horizon if (y0 <= 0 or yi <= 0 or yt <= 0) else _growth(y0, yt, horizon)
        )
        if d * required <= 0:
            # The baseline already met the target but the latest value no longer does.
            return Status.DETERIORATION
        ratio = (d * observed) / (d * required)
        if ratio >= ON_TRACK:
            return Status.SUBSTANTIAL
        if ratio >= MODERATE:
            return Status.MODERATE
        if ratio >= 0:
            return Status.LIMITED
        return Status.DETERIORATION
    rate = d * observed
    if y0 <= 0 or yi <= 0:
        rate = d * (yi - y0)
        return (
            Status.DETERIORATION if rate < 0 else Status.SUBSTANTIAL if rate > 0 else Status.LIMITED
        )
    if rate >= NO_TARGET_ON_TRACK:
        return Status.SUBSTANTIAL
    if rate >= NO_TARGET_MODERATE:
        return Status.MODERATE
    if rate >= 0:
        return Status.LIMITED
    return Status.DETERIORATION


def achievement(
    *, increase: bool, baseline: Decimal | None, latest: Decimal | None, target: Decimal | None
) -> Decimal | None:
    """How far from baseline to target the latest value has come, in percent (0–100+)."""
    if baseline is None or latest is None or target is None or target == baseline:
        return None
    share = (latest - baseline) / (target - baseline) * 100
    if not increase and target > baseline:  # inconsistent data: keep the sign honest
        share = -share
    return share.quantize(Decimal("0.1"))


# ----------------------------------------------------------------------------- roll-up


@dataclass
class Node:
    """Progress of one level: physical (0–100 or None) and money."""

    pk: int
    weight: Decimal = Decimal(1)
    progress: Decimal | None = None
    committed: Decimal = Decimal(0)
    public_committed: Decimal = Decimal(0)
    public_spent: Decimal = Decimal(0)
    count: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def financial_progress(self) -> Decimal | None:
        if not self.public_committed:
            return None
        return (self.public_spent * 100 / self.public_committed).quantize(Decimal("0.1"))


def weighted_progress(children: list[Node], weighting: str) -> Decimal | None:
    """The weighted mean of the children's progress; children without progress are left out."""
    rated = [c for c in children if c.progress is not None]
    if not rated:
        return None
    if weighting == Weighting.BUDGET:
        weights = [c.committed for c in rated]
    elif weighting == Weighting.EXPLICIT:
        weights = [c.weight for c in rated]
    else:
        weights = [Decimal(1)] * len(rated)
    total = sum(weights, Decimal(0))
    if total <= 0:
        weights, total = [Decimal(1)] * len(rated), Decimal(len(rated))
    value = sum(
        (w * (c.progress or Decimal(0)) for w, c in zip(weights, rated, strict=True)), Decimal(0)
    )
    return (value / total).quantize(Decimal("0.1"))


def _sum_money(node: Node) -> None:
    node.committed = sum((c.committed for c in node.children), Decimal(0))
    node.public_committed = sum((c.public_committed for c in node.children), Decimal(0))
    node.public_spent = sum((c.public_spent for c in node.children), Decimal(0))
    node.count = sum(c.count for c in node.children)


@dataclass
class PlanTree:
    plan: Node
    missions: dict[int, Node]
    actions: dict[int, Node]
    initiatives: dict[int, Node]


def plan_tree(plan: Plan | None = None) -> PlanTree:
    """Roll progress up from every initiative to the Plan."""
    plan = plan or Plan.objects.get()
    missions = {
        m["id"]: (m, Node(m["id"], weight=m["weight"]))
        for m in Mission.objects.filter(plan=plan).values("id", "weight", "weighting")
    }
    actions = {
        a["id"]: (a, Node(a["id"], weight=a["weight"]))
        for a in Action.objects.filter(mission__plan=plan).values(
            "id", "mission_id", "weight", "weighting"
        )
    }
    initiatives: dict[int, Node] = {}
    rows = Initiative.objects.filter(action__mission__plan=plan).values(
        "id",
        "action_id",
        "weight",
        "progress_override",
        "status__default_progress",
        "committed_total",
        "public_committed_total",
        "public_spent_total",
    )
    by_action: dict[int, list[Node]] = defaultdict(list)
    for row in rows:
        progress = row["progress_override"]
        if progress is None:
            progress = row["status__default_progress"]
        node = Node(
            row["id"],
            weight=row["weight"],
            progress=progress,
            committed=row["committed_total"],
            public_committed=row["public_committed_total"],
            public_spent=row["public_spent_total"],
            count=1,
        )
        initiatives[row["id"]] = node
        by_action[row["action_id"]].append(node)
    by_mission: dict[int, list[Node]] = defaultdict(list)
    for pk, (data, node) in actions.items():
        node.children = by_action.get(pk, [])
        node.progress = weighted_progress(node.children, data["weighting"])
        _sum_money(node)
        by_mission[data["mission_id"]].append(node)
    root = Node(plan.pk)
    for pk, (mission_data, node) in missions.items():
        node.children = by_mission.get(pk, [])
        node.progress = weighted_progress(node.children, mission_data["weighting"])
        _sum_money(node)
        root.children.append(node)
    root.progress = weighted_progress(root.children, plan.weighting)
    _sum_money(root)
    return PlanTree(
        plan=root,
        missions={pk: node for pk, (_d, node) in missions.items()},
        actions={pk: node for pk, (_d, node) in actions.items()},
        initiatives=initiatives,
    )
