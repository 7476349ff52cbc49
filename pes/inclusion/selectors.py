"""Reads of the work-inclusion module: the operators' queue, the company's proposals, the
person's own data, special-category reads (checked and logged) and the aggregates for
governance and the public, where no cell under 5 people is shown."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.core.versions import cached
from pes.inclusion.access import supervised_operator_ids, user_can_read_special
from pes.inclusion.models import (
    FIRST_CONTACT_DAYS,
    Case,
    Contract,
    FragilityProfile,
    NetworkMember,
    Opening,
    Person,
    Proposal,
    SpecialAccessLog,
    StatCount,
)
from pes.lib.text import fold

#: The smallest count of people shown in an aggregate.
MIN_CELL = 5


# ----------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilters:
    scope: str = "mine"  # mine | unassigned | team | late
    status: str = ""
    q: str = ""

    def active(self) -> bool:
        return bool(self.status or self.q or self.scope != "mine")


def case_queue(*, user: Any, filters: QueueFilters | None = None) -> QuerySet[Case]:
    """Cases an operator works on: their own, the unassigned ones to take (without the
    person's name), their team's if they supervise one; late ones first."""
    filters = filters or QueueFilters()
    team = supervised_operator_ids(user)
    qs = Case.objects.select_related("person__municipality", "operator")
    if filters.scope == "unassigned":
        qs = qs.filter(operator__isnull=True, closed_at__isnull=True)
    elif filters.scope == "team":
        qs = qs.filter(operator_id__in=team | {user.pk})
    elif filters.scope == "late":
        qs = qs.filter(
            Q(operator=user) | Q(operator_id__in=team) | Q(operator__isnull=True),
            closed_at__isnull=True,
            first_contact_at__isnull=True,
            first_contact_due__lt=timezone.localdate(),
        )
    else:
        qs = qs.filter(operator=user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.scope != "late":
        qs = qs.filter(closed_at__isnull=True)
    if filters.q:
        term = filters.q.strip()
        # Names are searched among assigned cases only: an unassigned case shows no name.
        qs = qs.filter(
            Q(reference__iexact=term)
            | (
                Q(operator__isnull=False)
                & (Q(person__last_name__icontains=term) | Q(person__first_name__icontains=term))
            )
        )
    return qs.order_by("first_contact_at", "first_contact_due", "pk")


def queue_counts(*, user: Any) -> dict[str, int]:
    today = timezone.localdate()
    active = Case.objects.filter(closed_at__isnull=True)
    return active.aggregate(
        unassigned=Count("pk", filter=Q(operator__isnull=True)),
        mine=Count("pk", filter=Q(operator=user)),
        late=Count(
            "pk",
            filter=Q(first_contact_at__isnull=True, first_contact_due__lt=today)
            & (Q(operator=user) | Q(operator__isnull=True)),
        ),
    )


# ----------------------------------------------------------------------------- special data


def fragility_profile_read(*, user: Any, case: Case, purpose: str) -> dict[str, Any] | None:
    """The decrypted fragility profile of a case, for its operator or their supervisor,
    with the purpose of the read; every read is logged. ``None`` if there is none yet."""
    if not user_can_read_special(user, case):
        raise PermissionDenied
    if purpose not in SpecialAccessLog.Purpose.values:
        raise PermissionDenied
    profile = FragilityProfile.objects.select_related("instrument").filter(case=case).first()
    SpecialAccessLog.objects.create(
        user=user, case=case, action=SpecialAccessLog.Action.READ, purpose=purpose
    )
    if profile is None:
        return None
    return _profile_dict(profile)


def _profile_dict(profile: FragilityProfile) -> dict[str, Any]:
    from pes.inclusion.instrument import band_label

    definition = profile.instrument.definition
    scores = json.loads(profile.scores) if profile.scores else {}
    answers = json.loads(profile.answers) if profile.answers else {}
    return {
        "instrument": str(profile.instrument),
        "instrument_version": profile.instrument.version,
        "answers": answers,
        "items": [
            {**item, "value": answers.get(item["code"])} for item in definition.get("items", [])
        ],
        "by_dimension": scores.get("by_dimension", {}),
        "total": scores.get("total"),
        "band": profile.band or "",
        "band_label": band_label(definition, profile.band) if profile.band else "",
        "health_notes": profile.health_notes or "",
        "disability_notes": profile.disability_notes or "",
        "updated_at": profile.updated_at,
    }


def access_log(*, case: Case) -> QuerySet[SpecialAccessLog]:
    return case.access_log.select_related("user")


# ----------------------------------------------------------------------------- rights


def person_for_token(token: str) -> Person | None:
    from pes.inclusion.services import hash_token

    if not token:
        return None
    return Person.objects.filter(
        rights_token_hash=hash_token(token), anonymised_at__isnull=True
    ).first()


def person_data_export(*, person: Person, user: Any = None) -> dict[str, Any]:
    """Everything PES holds about the person (GDPR art. 15 and 20), special-category data
    included; the read of those is logged with the purpose "rights"."""
    fields = [
        "first_name",
        "last_name",
        "codice_fiscale",
        "birth_date",
        "email",
        "phone",
        "education",
        "italian_level",
        "languages",
        "work_history",
        "skills",
        "max_hours_per_week",
        "min_hours_per_week",
        "shifts",
        "contracts",
        "available_from",
        "max_travel_km",
        "has_driving_licence",
        "has_car",
        "care_duties",
        "needs_step_free_access",
        "constraints_note",
        "share_with_companies",
        "consent_at",
        "privacy_notice_version",
        "erasure_requested_at",
    ]
    data: dict[str, Any] = {f: _plain(getattr(person, f)) for f in fields}
    data["municipality"] = person.municipality.name
    data["cases"] = []
    for case in person.cases.prefetch_related(
        "contacts", "pathways__follow_ups", "proposals__opening__organization"
    ):
        profile = FragilityProfile.objects.select_related("instrument").filter(case=case).first()
        if profile is not None:
            SpecialAccessLog.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                case=case,
                action=SpecialAccessLog.Action.READ,
                purpose=SpecialAccessLog.Purpose.RIGHTS,
            )
        data["cases"].append(
            {
                "reference": case.reference,
                "status": case.status,
                "registered_at": _plain(case.registered_at),
                "first_contact_due": _plain(case.first_contact_due),
                "first_contact_at": _plain(case.first_contact_at),
                "outcome": case.outcome,
                "closed_at": _plain(case.closed_at),
                "closing_reason": case.closing_reason,
                "contacts": [
                    {"at": _plain(c.at), "channel": c.channel, "note": c.note}
                    for c in case.contacts.all()
                ],
                "fragility_profile": (
                    {k: _plain(v) for k, v in _profile_dict(profile).items() if k not in ("items",)}
                    if profile
                    else None
                ),
                "proposals": [
                    {
                        "opening": p.opening.role,
                        "company": p.opening.organization.name,
                        "status": p.status,
                        "data_shared": p.shared,
                    }
                    for p in case.proposals.all()
                ],
                "pathways": [
                    {
                        "kind": w.kind,
                        "title": w.title,
                        "starts_on": _plain(w.starts_on),
                        "ends_on": _plain(w.ends_on),
                        "follow_ups": [
                            {
                                "months": f.months,
                                "still_employed": f.still_employed,
                                "contract": f.contract,
                            }
                            for f in w.follow_ups.all()
                        ],
                    }
                    for w in case.pathways.all()
                ],
            }
        )
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# ----------------------------------------------------------------------------- network, openings


@dataclass(frozen=True)
class OpeningFilters:
    q: str = ""
    contract: str = ""
    municipality: int | None = None
    skill: str = ""

    def active(self) -> bool:
        return bool(self.q or self.contract or self.municipality or self.skill)


def opening_list(*, filters: OpeningFilters | None = None) -> QuerySet[Opening]:
    filters = filters or OpeningFilters()
    qs = Opening.objects.filter(status=Opening.Status.OPEN).select_related(
        "organization", "municipality"
    )
    if filters.q:
        for word in fold(filters.q).split()[:5]:
            qs = qs.filter(Q(role__icontains=word) | Q(organization__name__icontains=word))
    if filters.contract:
        qs = qs.filter(contract=filters.contract)
    if filters.municipality:
        qs = qs.filter(municipality_id=filters.municipality)
    if filters.skill:
        needle = f'"{filters.skill}"'  # a code inside the JSON list, on SQLite and PostgreSQL
        qs = qs.filter(Q(required_skills__icontains=needle) | Q(desirable_skills__icontains=needle))
    return qs.order_by("-created_at", "-pk")


def network_list() -> QuerySet[NetworkMember]:
    return NetworkMember.objects.filter(is_active=True).select_related(
        "organization__head_office", "organization__legal_form"
    )


def proposals_for_company(*, user: Any) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(opening__organization__memberships__user=user)
        .select_related("opening__organization")
        .order_by("status", "-proposed_at")
        .distinct()
    )


# ----------------------------------------------------------------------------- aggregates


def suppress(n: int | None) -> int | None:
    """A count of people, or ``None`` when it is between 1 and 4 (hidden)."""
    if n is None:
        return None
    return n if n == 0 or n >= MIN_CELL else None


def suppress_row(cells: dict[str, int]) -> dict[str, int | None]:
    """Hide cells of 1–4 people; when exactly one is hidden, hide the next smallest too,
    so that it cannot be worked out from the total."""
    out: dict[str, int | None] = {k: suppress(v) for k, v in cells.items()}
    hidden = [k for k, v in out.items() if v is None]
    if len(hidden) == 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out


def _share(part: int, whole: int) -> int | None:
    """A percentage, shown only when both it and its complement count 5 people or more."""
    if whole < MIN_CELL or (0 < part < MIN_CELL) or (0 < whole - part < MIN_CELL):
        return None
    return round(100 * part / whole)


def dashboard(*, today: dt.date | None = None) -> dict[str, Any]:
    """The aggregates of the service for governance and the public, read from the
    statistics roll-up (``stats.py``) in a constant number of queries; small cells are
    hidden here, at read time."""
    today = today or timezone.localdate()
    counts: dict[str, dict[str, int]] = {}
    for metric, key, n in (
        StatCount.objects.exclude(metric=StatCount.Metric.AWAITING_CONTACT)
        .filter(n__gt=0)
        .values_list("metric", "key", "n")
    ):
        counts.setdefault(metric, {})[key] = n
    overdue = (
        StatCount.objects.filter(
            metric=StatCount.Metric.AWAITING_CONTACT, key__lt=today.isoformat()
        ).aggregate(n=Sum("n"))["n"]
        or 0
    )

    def get(metric: str, key: str = "") -> int:
        return counts.get(metric, {}).get(key, 0)

    since = f"{today.replace(day=1) - dt.timedelta(days=365):%Y-%m}"
    per_month = [
        {"month": dt.date(int(key[:4]), int(key[5:7]), 1), "n": suppress(n)}
        for key, n in sorted(counts.get(StatCount.Metric.REGISTERED, {}).items())
        if key >= since
    ]
    outcomes = {k: get(StatCount.Metric.OUTCOME, k) for k in Case.Outcome.values}

    histogram = {int(k): n for k, n in counts.get(StatCount.Metric.CONTACT_DELAY, {}).items()}
    contacted_n = sum(histogram.values())
    days_to_contact = (
        {
            "median": round(_histogram_median(histogram)),
            "mean": round(sum(d * n for d, n in histogram.items()) / contacted_n, 1),
            "within_35": _share(
                sum(n for d, n in histogram.items() if d <= FIRST_CONTACT_DAYS), contacted_n
            ),
        }
        if contacted_n >= MIN_CELL
        else None
    )

    by_contract_raw = {c: get(StatCount.Metric.PLACED, c) for c in Contract.values}
    by_contract = suppress_row(by_contract_raw)
    placed_total = sum(by_contract_raw.values())
    retention: dict[int, dict[str, int | None]] = {}
    for months in (6, 12):
        employed = get(StatCount.Metric.FOLLOW_UP, f"{months}:1")
        n = employed + get(StatCount.Metric.FOLLOW_UP, f"{months}:0")
        retention[months] = {"n": suppress(n), "share": _share(employed, n)}

    districts = sorted(
        set(counts.get(StatCount.Metric.DISTRICT_REGISTERED, {}))
        | set(counts.get(StatCount.Metric.DISTRICT_READY, {}))
        | set(counts.get(StatCount.Metric.DISTRICT_PLACED, {}))
    )
    by_district = [
        {
            "district": district or None,
            "registered": suppress(get(StatCount.Metric.DISTRICT_REGISTERED, district)),
            "ready": suppress(get(StatCount.Metric.DISTRICT_READY, district)),
            "placed": suppress(get(StatCount.Metric.DISTRICT_PLACED, district)),
        }
        for district in districts
    ]

    order = list(BAND_LABELS)
    bands = set(counts.get(StatCount.Metric.BAND_ASSESSED, {})) | set(
        counts.get(StatCount.Metric.BAND_PLACED, {})
    )
    by_band = [
        {
            "band": band,
            "assessed": suppress(get(StatCount.Metric.BAND_ASSESSED, band)),
            "placed": suppress(get(StatCount.Metric.BAND_PLACED, band)),
        }
        for band in sorted(bands, key=lambda b: order.index(b) if b in order else len(order))
    ]

    network = _network_figures(today)
    return {
        "per_month": per_month,
        "registered": suppress(sum(counts.get(StatCount.Metric.REGISTERED, {}).values())),
        "contacted": suppress(get(StatCount.Metric.CONTACTED)),
        "late": suppress(get(StatCount.Metric.CONTACT_LATE) + overdue),
        "interviews": suppress(sum(outcomes.values())),
        "outcomes": suppress_row(
            {k: outcomes[k] for k in ("ready", "training", "referred", "not_eligible")}
        ),
        "ready": suppress(outcomes[Case.Outcome.READY]),
        "days_to_contact": days_to_contact,
        "placed": suppress(placed_total),
        "by_contract": by_contract,
        "permanent_share": _share(by_contract_raw[Contract.PERMANENT], placed_total),
        "retention": retention,
        "by_district": by_district,
        "by_band": by_band,
        **network,
        "min_cell": MIN_CELL,
    }


#: The data area (``pes.core.versions``) of the company network's figures: bumped by every
#: write to network members, openings and proposals (``InclusionConfig.ready``).
NETWORK_AREA = "inclusion-network"


def _network_figures(today: dt.date) -> dict[str, int]:
    """Companies in the network, those active in the last year (an open opening or a decided
    proposal) and open places: scans of the openings and proposals, so cached under the
    network's data version and the day."""

    def compute() -> dict[str, int]:
        year_ago = timezone.now() - dt.timedelta(days=365)
        active_network = NetworkMember.objects.filter(is_active=True)
        open_openings = Opening.objects.filter(status=Opening.Status.OPEN)
        recent = Proposal.objects.filter(decided_at__gte=year_ago)
        return {
            "network": active_network.count(),
            "companies_active": active_network.filter(
                Q(organization__in=open_openings.values("organization"))
                | Q(organization__in=recent.values("opening__organization"))
            ).count(),
            "open_places": open_openings.aggregate(n=Sum("places"))["n"] or 0,
        }

    return cached(NETWORK_AREA, "figures", compute, parts=(today,), per_language=False)


def _histogram_median(histogram: dict[int, int]) -> float:
    """The median of the values counted in ``histogram`` (value → how many)."""
    total = sum(histogram.values())
    values = sorted(histogram.items())

    def nth(i: int) -> int:  # the i-th value (0-based) in sorted order
        seen = 0
        for value, n in values:
            seen += n
            if i < seen:
                return value
        raise IndexError(i)  # pragma: no cover - i < total

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


BAND_LABELS = {"low": _("Low"), "medium": _("Medium"), "high": _("High"), "": _("Not recorded")}
