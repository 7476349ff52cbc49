"""The adapter between the database and the matching engine (``matching.py``): rows become
the engine's plain dataclasses, its suggestions come back with the cases and openings they
are about. The engine never sees a name, a codice fiscale or the fragility profile.

* A person is matched through their active case (the engine's ``Person.id`` is the case
  id), once the assessment found them ready for placement.
* An opening offers its places minus those already taken by accepted proposals.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from pes.inclusion import matching as engine
from pes.inclusion.models import (
    Case,
    Contract,
    Education,
    ItalianLevel,
    Opening,
    Person,
    Proposal,
    Skill,
)
from pes.territory.models import Municipality

EDUCATION_RANK: dict[str, int] = {
    Education.NONE: engine.Education.NONE,
    Education.PRIMARY: engine.Education.PRIMARY,
    Education.LOWER_SECONDARY: engine.Education.LOWER_SECONDARY,
    Education.VOCATIONAL: engine.Education.VOCATIONAL,
    Education.UPPER_SECONDARY: engine.Education.UPPER_SECONDARY,
    Education.BACHELOR: engine.Education.BACHELOR,
    Education.MASTER: engine.Education.MASTER,
}
#: Italian levels as language codes: "it" is independent use (B1) or better, "it-c1" fluent.
ITALIAN_CODES: dict[str, frozenset[str]] = {
    ItalianLevel.BASIC: frozenset[str](),
    ItalianLevel.INDEPENDENT: frozenset({"it"}),
    ItalianLevel.FLUENT: frozenset({"it", "it-c1"}),
}
PERSON_COLUMNS = [
    "pk",
    "municipality__istat_code",
    "skills",
    "languages",
    "italian_level",
    "education",
    "max_hours_per_week",
    "min_hours_per_week",
    "shifts",
    "contracts",
    "max_travel_km",
    "has_car",
    "has_driving_licence",
    "needs_step_free_access",
    "care_duties",
]


_MATRIX: dict[tuple[tuple[str, float, float], ...], engine.DistanceMatrix] = {}


def distances() -> engine.DistanceMatrix:
    """Kilometres between the centroids of the 55 municipalities (computed once for the
    same coordinates)."""
    key = tuple(
        (code, float(lat), float(lon))
        for code, lat, lon in Municipality.objects.order_by("istat_code").values_list(
            "istat_code", "latitude", "longitude"
        )
    )
    if key not in _MATRIX:
        _MATRIX.clear()
        _MATRIX[key] = engine.DistanceMatrix.from_coordinates(
            {code: (lat, lon) for code, lat, lon in key}
        )
    return _MATRIX[key]


def _person(case_id: int, row: dict[str, Any]) -> engine.Person:
    languages = frozenset(row["languages"] or []) | ITALIAN_CODES.get(
        row["italian_level"], frozenset()
    )
    return engine.Person(
        id=case_id,
        municipality=row["municipality__istat_code"],
        skills=frozenset(row["skills"] or []),
        languages=languages,
        education=int(EDUCATION_RANK.get(row["education"], engine.Education.NONE)),
        max_hours_per_week=row["max_hours_per_week"],
        min_hours_per_week=row["min_hours_per_week"],
        shifts=frozenset(row["shifts"] or []),
        max_travel_km=float(row["max_travel_km"]) if row["max_travel_km"] else None,
        needs_public_transport=not row["has_car"],
        has_driving_licence=row["has_driving_licence"],
        needs_step_free_access=bool(row["needs_step_free_access"]),
        care_duties=row["care_duties"],
        contracts=frozenset(row["contracts"] or []),
    )


def person_of(case: Case) -> engine.Person:
    row = Person.objects.filter(pk=case.person_id).values(*PERSON_COLUMNS).get()
    return _person(case.pk, row)


OPENING_COLUMNS = [
    "pk",
    "municipality__istat_code",
    "required_skills",
    "desirable_skills",
    "languages",
    "min_italian",
    "min_education",
    "hours_per_week",
    "shifts",
    "contract",
    "places",
    "step_free_access",
    "public_transport",
    "needs_driving_licence",
]


def _opening(row: dict[str, Any], places: int | None = None) -> engine.Opening:
    required = frozenset(row["required_skills"] or [])
    return engine.Opening(
        id=row["pk"],
        municipality=row["municipality__istat_code"],
        required_skills=required,
        desirable_skills=frozenset(row["desirable_skills"] or []) - required,
        languages=frozenset(row["languages"] or [])
        | ITALIAN_CODES.get(row["min_italian"], frozenset()),
        min_education=int(EDUCATION_RANK.get(row["min_education"], engine.Education.NONE)),
        hours_per_week=row["hours_per_week"],
        shifts=frozenset(row["shifts"] or []),
        contract=row["contract"],
        places=row["places"] if places is None else places,
        step_free_access=row["step_free_access"],
        public_transport=row["public_transport"],
        requires_driving_licence=row["needs_driving_licence"],
    )


def opening_of(opening: Opening, places: int | None = None) -> engine.Opening:
    row = {c: getattr(opening, c) for c in OPENING_COLUMNS if "__" not in c}
    row["municipality__istat_code"] = opening.municipality.istat_code
    return _opening(row, places)


def ready_cases(*, free_only: bool = False) -> Any:
    """Active cases assessed ready for placement and not yet in a pathway; ``free_only``
    leaves out those with a pending or accepted proposal."""
    cases = Case.objects.filter(
        closed_at__isnull=True, outcome=Case.Outcome.READY, status=Case.Status.ASSESSED
    )
    if free_only:
        cases = cases.exclude(
            proposals__status__in=[Proposal.Status.PROPOSED, Proposal.Status.ACCEPTED]
        )
    return cases


def open_openings(*, count_pending: bool = False) -> list[engine.Opening]:
    """Open openings as the engine sees them, with the places still free (accepted
    proposals, and pending ones when ``count_pending``, take a place)."""
    taken = [Proposal.Status.ACCEPTED] + ([Proposal.Status.PROPOSED] if count_pending else [])
    rows = (
        Opening.objects.filter(status=Opening.Status.OPEN)
        .annotate(taken=Count("proposals", filter=Q(proposals__status__in=taken)))
        .order_by("pk")
        .values(*OPENING_COLUMNS, "taken")
    )
    return [
        _opening(row, places=row["places"] - row["taken"])
        for row in rows
        if row["places"] - row["taken"] > 0
    ]


def _people(cases: Iterable[tuple[int, int]]) -> list[engine.Person]:
    pairs = list(cases)
    by_person = {
        row["pk"]: row
        for row in Person.objects.filter(pk__in=[p for _c, p in pairs]).values(*PERSON_COLUMNS)
    }
    return [_person(case_id, by_person[person_id]) for case_id, person_id in pairs]


# ----------------------------------------------------------------------------- reasons


@dataclass(frozen=True)
class Match:
    score: float
    distance_km: float
    reasons: list[dict[str, Any]]
    excluded: bool = False


def _reason_dict(reason: engine.Reason) -> dict[str, Any]:
    return {"code": reason.code, "kind": reason.kind, "params": _plain(dict(reason.params))}


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: sorted(v) if isinstance(v, frozenset | set | tuple) else v for k, v in params.items()
    }


LABELS: dict[str, dict[str, Any]] = {
    "skills": dict(Skill.choices),
    "contract": dict(Contract.choices),
}


def reason_text(reason: dict[str, Any]) -> str:
    """The sentence of a stored reason in the active language, with labels for codes."""
    params = dict(reason.get("params") or {})
    for key, labels in LABELS.items():
        if key in params:
            value = params[key]
            if isinstance(value, list):
                params[key] = [str(labels.get(v, v)) for v in value]
            else:
                params[key] = str(labels.get(value, value))
    if "languages" in params:
        params["languages"] = [
            "italiano" if v in ("it", "it-c1") else v for v in params["languages"]
        ]
    try:
        return engine.Reason(reason["code"], reason.get("kind", "positive"), params).text
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code", ""))


def with_texts(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "text": reason_text(r)} for r in reasons]


def _match(suggestion: engine.Suggestion) -> Match:
    return Match(
        score=suggestion.score,
        distance_km=suggestion.distance_km,
        reasons=[_reason_dict(r) for r in suggestion.reasons],
    )


def score_pair(*, case: Case, opening: Opening) -> Match:
    """The engine's score and reasons for one pair; an excluded pair scores 0 with the
    constraints it violates as reasons (the operator may still propose it)."""
    person = person_of(case)
    target = opening_of(opening)
    km = distances()(person.municipality, target.municipality)
    suggestion = engine.score_pair(person, target, distance_km=km)
    if suggestion is None:
        return Match(
            score=0.0,
            distance_km=round(km, 1),
            reasons=[_reason_dict(r) for r in engine.exclusions(person, target, distance_km=km)],
            excluded=True,
        )
    return _match(suggestion)


# ----------------------------------------------------------------------------- ranked lists


@dataclass(frozen=True)
class Ranked:
    match: Match
    case: Case | None = None
    opening: Opening | None = None


def rank_people(*, opening: Opening, limit: int = 20) -> list[Ranked]:
    """The people ready for placement best suited to the opening, with their reasons."""
    cases = list(ready_cases().values_list("pk", "person_id"))
    people = _people(cases)
    ranked = engine.rank_people_for_opening(
        opening_of(opening), people, distances=distances(), limit=limit
    )
    by_pk = Case.objects.select_related("person__municipality", "operator").in_bulk(
        [s.person_id for s in ranked]
    )
    return [Ranked(match=_match(s), case=by_pk[s.person_id]) for s in ranked]


def rank_openings(*, case: Case, limit: int = 20) -> list[Ranked]:
    """The open openings best suited to the person of the case, with their reasons."""
    ranked = engine.rank_openings_for_person(
        person_of(case), open_openings(), distances=distances(), limit=limit
    )
    by_pk = Opening.objects.select_related("organization", "municipality").in_bulk(
        [s.opening_id for s in ranked]
    )
    return [Ranked(match=_match(s), opening=by_pk[s.opening_id]) for s in ranked]


# ----------------------------------------------------------------------------- allocation


@dataclass(frozen=True)
class Pair:
    case_id: int
    opening_id: int
    score: float
    reasons: list[dict[str, Any]]


@dataclass
class AllocationResult:
    people: int
    places: int
    total_score: float
    greedy_score: float
    seconds: float
    pairs: list[Pair] = field(default_factory=list)


def allocate(*, max_distance_km: int) -> AllocationResult:
    """The optimal allocation of the free people ready for placement to the free places,
    and the greedy allocation's total on the same data for comparison."""
    started = time.perf_counter()
    people = _people(ready_cases(free_only=True).values_list("pk", "person_id").order_by("pk"))
    targets = open_openings(count_pending=True)
    matrix = distances()
    pairs_graph = engine.candidate_pairs(
        people, targets, distances=matrix, max_distance_km=max_distance_km
    )
    best = engine.allocate(
        people,
        targets,
        distances=matrix,
        max_distance_km=max_distance_km,
        candidates=pairs_graph,
    )
    greedy = engine.allocate_greedy(
        people,
        targets,
        distances=matrix,
        max_distance_km=max_distance_km,
        candidates=pairs_graph,
    )
    by_person = {p.id: p for p in people}
    by_opening = {o.id: o for o in targets}
    pairs = []
    for a in best.assignments:
        person, target = by_person[a.person_id], by_opening[a.opening_id]
        suggestion = engine.score_pair(
            person,
            target,
            distance_km=matrix(person.municipality, target.municipality),
            max_distance_km=max_distance_km,
        )
        reasons = [_reason_dict(r) for r in suggestion.reasons] if suggestion else []
        pairs.append(Pair(a.person_id, a.opening_id, a.score, reasons))
    return AllocationResult(
        people=len(people),
        places=sum(o.places for o in targets),
        total_score=best.total_score,
        greedy_score=greedy.total_score,
        seconds=round(time.perf_counter() - started, 3),
        pairs=pairs,
    )
