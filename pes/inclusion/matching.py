"""The matching engine of work inclusion: pure Python + numpy + OR-Tools, no ORM.

The rest of the module turns database rows into the plain frozen dataclasses below, calls
these functions and shows the results as *recommendations*: an operator confirms or overrides
every proposal (DESIGN.md, data rules; GDPR art. 22). Nothing here reads or writes the database.

Interface
---------

Inputs (frozen dataclasses; sets are ``frozenset[str]`` of stable codes, never labels):

* :class:`Person` — ``id``, ``municipality`` (ISTAT code of the domicile), ``skills``,
  ``languages``, ``education`` (:class:`Education`), availability (``max_hours_per_week``,
  ``min_hours_per_week``, ``shifts`` — empty means any), constraints (``max_travel_km``,
  ``needs_public_transport``, ``has_driving_licence``, ``needs_step_free_access``,
  ``care_duties`` — care duties are expressed as a lower ``max_hours_per_week``), and the
  ``contracts`` the person prefers (empty means any).
* :class:`Opening` — ``id``, ``municipality``, ``required_skills`` (mandatory),
  ``desirable_skills``, ``languages`` (mandatory), ``min_education``, ``hours_per_week``,
  ``shifts``, ``contract`` (:class:`Contract` value), ``places`` (capacity),
  ``step_free_access``, ``public_transport`` (reachable by public transport),
  ``requires_driving_licence``.
* :class:`Weights` — the weight of each score component and ``distance_scale_km``.
* Distances are between municipality centroids: a :class:`DistanceMatrix` (build it with
  :meth:`DistanceMatrix.from_coordinates` from ``{istat_code: (lat, lon)}``) or any callable
  ``(from_code, to_code) -> km``.

Outputs:

* :class:`Reason` — ``code`` + ``params`` (+ ``kind``: ``"positive"``, ``"negative"`` or
  ``"exclusion"``); ``reason.text`` is the translated sentence (English msgids through
  ``gettext_lazy``; the UI may also translate ``code`` itself).
* :class:`Suggestion` — ``person_id``, ``opening_id``, ``score`` (0..100, one decimal),
  ``distance_km``, ``reasons``.
* :class:`Allocation` — ``assignments`` (:class:`Assignment`: person, opening, score),
  ``total_score``, ``assigned``, ``unassigned_people``, ``unfilled_places``, ``arcs``,
  ``method``, ``timings`` (seconds), ``candidate_limit``, ``truncated_openings``, ``exact``
  (optimal over every feasible pair, proved) and ``pricing_rounds``; ``summary()`` as a dict.

Functions:

* :func:`exclusions` — the hard constraints a pair violates (empty list: feasible), as
  reasons, so the UI can say why someone is *not* suggested.
* :func:`score_pair` — a :class:`Suggestion` or ``None`` when a hard constraint excludes the
  pair: distance beyond the global or the person's limit, no public transport when the person
  needs it, more hours than the person can work, a missing required skill or language, too
  little education, no driving licence, no step-free access, no common shift.
* :func:`rank_openings_for_person` / :func:`rank_people_for_opening` — best first
  (score desc, then distance, then id), at most ``limit``, each with its reasons.
* :func:`allocate` — the global allocation: each person at most one opening, each opening at
  most ``places`` people, maximising the total score; OR-Tools min-cost flow over the feasible
  pair graph. People with identical features are merged into one supply node with their
  multiplicity (an exact reduction). ``candidate_limit=None`` (default) keeps every feasible
  pair, so the result is optimal over the whole feasible graph. ``candidate_limit=k`` keeps,
  for each opening with ``c`` places, its best ``k * c`` people: the result is optimal over
  that candidate graph (``exact`` is False). ``candidate_limit=k, exact=True`` then *proves*
  optimality over every feasible pair by column generation: optimal dual prices of the
  solution are computed (the midpoint of the least and the greatest), the pairs that would
  raise the total at those prices are added and the flow solved again until none is left
  (``Allocation.exact`` is True, the prices are the certificate). The candidate scan keeps a
  deep reserve of each opening's next best people, priced in memory; only the openings whose
  reserve may hide a better pair are scanned again. Near the end the flow is solved from the
  previous one (:mod:`pes.inclusion.flow`, a warm start; with ``workers > 1`` raced against
  a solve from scratch). Use it at scale: it reaches the whole-graph optimum on a fraction
  of the pairs (a small ``k``, such as 10, is fastest).
* :func:`allocate_greedy` — the baseline on the *same* candidate graph: all pairs by score
  descending, taken while the person is free and the opening has room.
* :func:`candidate_pairs` — the feasible (person, opening, score) arrays both use, scored with
  numpy per municipality block (pairs beyond the distance limit are never formed); pass the
  same ``candidates`` to both functions to compare them on one graph. ``workers=n`` scores
  on ``n`` cores (forked processes); the graph does not depend on it.
* :func:`generate_instance` — realistic synthetic people and openings over given
  municipalities, deterministic for a seed; shared by the tests and ``bench/matching.py``.

Scores
------

Each component is in [0, 1] and worth ``weight / sum(weights)`` of 100 points; each
component's points are rounded to a tenth on their own and then added, so the score has one
decimal and the allocation works on exact integer tenths:

* skills: (required skills + desirable skills the person has) / (required + desirable);
  1 when the opening asks for none;
* distance: ``1 - km / limit``, where the limit is the smaller of the global limit and the
  person's own, or ``distance_scale_km`` when neither is set (0 beyond it);
* hours: 1 when the hours are within the person's availability, ``hours / min_hours`` when the
  opening offers fewer hours than the person wants;
* shifts: share of the opening's shifts the person is available for (1 if either says "any");
* contract: 1 when the opening's contract is one the person prefers (or they have no
  preference), else 0.
"""

from __future__ import annotations

import enum
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, NamedTuple

import numpy as np
from django.utils.translation import gettext_lazy as _

from pes.lib.geo import haversine_km

__all__ = [
    "Allocation",
    "Assignment",
    "CandidatePairs",
    "Contract",
    "DistanceMatrix",
    "Education",
    "Opening",
    "Person",
    "Reason",
    "Shift",
    "Suggestion",
    "Weights",
    "allocate",
    "allocate_greedy",
    "candidate_pairs",
    "exclusions",
    "generate_instance",
    "rank_openings_for_person",
    "rank_people_for_opening",
    "score_pair",
]

#: Scores are kept as integer tenths of a point: 0..1000.
SCALE = 10
MAX_POINTS = 100 * SCALE


class Education(enum.IntEnum):
    """Highest education completed, ordered (Italian system)."""

    NONE = 0
    PRIMARY = 1  # licenza elementare
    LOWER_SECONDARY = 2  # licenza media
    VOCATIONAL = 3  # qualifica professionale (IeFP)
    UPPER_SECONDARY = 4  # diploma
    BACHELOR = 5  # laurea triennale
    MASTER = 6  # laurea magistrale o superiore


class Contract(enum.StrEnum):
    INTERNSHIP = "internship"  # tirocinio
    APPRENTICESHIP = "apprenticeship"  # apprendistato
    FIXED_TERM = "fixed_term"  # tempo determinato
    PERMANENT = "permanent"  # tempo indeterminato


class Shift(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Person:
    """A person ready for placement, as the engine sees them (no identity, no health data)."""

    id: int
    municipality: str
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"it"})
    education: int = Education.LOWER_SECONDARY
    max_hours_per_week: int = 40
    min_hours_per_week: int = 0
    shifts: frozenset[str] = frozenset()  # empty: any shift
    max_travel_km: float | None = None  # None: only the global limit
    needs_public_transport: bool = False
    has_driving_licence: bool = False
    needs_step_free_access: bool = False
    care_duties: bool = False
    contracts: frozenset[str] = frozenset()  # preferred contracts; empty: any

    def features(self) -> tuple[Any, ...]:
        """Everything but the id: people with equal features score identically."""
        return (
            self.municipality,
            self.skills,
            self.languages,
            int(self.education),
            self.max_hours_per_week,
            self.min_hours_per_week,
            self.shifts,
            self.max_travel_km,
            self.needs_public_transport,
            self.has_driving_licence,
            self.needs_step_free_access,
            self.care_duties,
            self.contracts,
        )


@dataclass(frozen=True, slots=True)
class Opening:
    """An open position with ``places`` vacancies."""

    id: int
    municipality: str
    required_skills: frozenset[str] = frozenset()
    desirable_skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()  # required languages
    min_education: int = Education.NONE
    hours_per_week: int = 40
    shifts: frozenset[str] = frozenset()  # empty: any / not specified
    contract: str = Contract.FIXED_TERM
    places: int = 1
    step_free_access: bool = False
    public_transport: bool = True
    requires_driving_licence: bool = False


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score components (any non-negative numbers; normalised to 100)."""

    skills: float = 45.0
    distance: float = 25.0
    hours: float = 15.0
    shifts: float = 5.0
    contract: float = 10.0
    #: Distance at which the distance component reaches 0 when no limit applies.
    distance_scale_km: float = 50.0

    def __post_init__(self) -> None:
        values = (self.skills, self.distance, self.hours, self.shifts, self.contract)
        if any(v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")
        if self.distance_scale_km <= 0:
            raise ValueError("distance_scale_km must be positive")

    @property
    def total(self) -> float:
        return self.skills + self.distance + self.hours + self.shifts + self.contract

    def factors(self) -> tuple[float, float, float, float, float]:
        """Tenths of a point each component is worth at 1: they add up to 1000."""
        scale = MAX_POINTS / self.total
        return (
            self.skills * scale,
            self.distance * scale,
            self.hours * scale,
            self.shifts * scale,
            self.contract * scale,
        )


DEFAULT_WEIGHTS = Weights()


# --------------------------------------------------------------------------- outputs

ReasonKind = Literal["positive", "negative", "exclusion"]

#: Translatable sentences of every reason code; ``params`` fill the placeholders.
REASON_MESSAGES: dict[str, Any] = {
    # why a pair scores what it scores
    "skills_required": _("Has the required skills: %(skills)s"),
    "skills_none_required": _("No specific skill required"),
    "skills_desirable": _("Has %(matched)s of %(total)s desirable skills"),
    "distance_same_municipality": _("Works in the same municipality"),
    "distance": _("Workplace %(km)s km away"),
    "public_transport": _("Reachable by public transport"),
    "hours_fit": _("%(hours)s hours a week, within availability (up to %(max)s)"),
    "hours_fit_care": _("%(hours)s hours a week, compatible with care duties (up to %(max)s)"),
    "hours_short": _("%(hours)s hours a week, fewer than the %(min)s wanted"),
    "shifts": _("Available for %(matched)s of %(total)s shifts"),
    "contract_preferred": _("Contract of a preferred kind"),
    "contract_not_preferred": _("Contract not among the preferred kinds"),
    "step_free_access": _("Step-free access to the workplace"),
    # why a pair is excluded
    "too_far": _("Workplace %(km)s km away, beyond the %(limit)s km limit"),
    "no_public_transport": _("Not reachable by public transport"),
    "too_many_hours": _("%(hours)s hours a week, more than the %(max)s available"),
    "missing_skills": _("Missing required skills: %(skills)s"),
    "missing_languages": _("Missing required languages: %(languages)s"),
    "education_below": _("Education below the level required"),
    "driving_licence": _("A driving licence is required"),
    "no_step_free_access": _("No step-free access to the workplace"),
    "shifts_incompatible": _("Not available for any of the shifts"),
}


def _param_text(value: Any) -> Any:
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(str(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason of a suggestion: a stable ``code`` with ``params`` for the sentence."""

    code: str
    kind: ReasonKind = "positive"
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The sentence in the active language."""
        message = str(REASON_MESSAGES[self.code])
        if not self.params:
            return message
        return message % {k: _param_text(v) for k, v in self.params.items()}

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: int
    opening_id: int
    score: float  # 0..100, one decimal
    distance_km: float
    reasons: tuple[Reason, ...] = ()

    @property
    def points(self) -> int:
        """The score in integer tenths (what the allocation adds up)."""
        return round(self.score * SCALE)


class Assignment(NamedTuple):
    """One person given one opening (a named tuple: an allocation makes tens of thousands,
    a frozen dataclass took 0.3 s for 20,000)."""

    person_id: int
    opening_id: int
    score: float


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate` or :func:`allocate_greedy`."""

    method: str  # "min_cost_flow" or "greedy"
    assignments: tuple[Assignment, ...]
    total_points: int  # sum of the scores in tenths: exact
    people: int
    places: int
    arcs: int  # (person, opening) candidate pairs the method chose from
    unassigned_people: int
    unfilled_places: int
    candidate_limit: int | None = None
    truncated_openings: int = 0  # openings whose candidate list was cut by candidate_limit
    timings: Mapping[str, float] = field(default_factory=dict)
    #: True when the total is the optimum over *every* feasible pair: no candidate limit, or
    #: a limit whose result was proved optimal by pricing (``allocate(..., exact=True)``).
    exact: bool = False
    pricing_rounds: int = 0

    @property
    def total_score(self) -> float:
        return self.total_points / SCALE

    @property
    def assigned(self) -> int:
        return len(self.assignments)

    def by_person(self) -> dict[int, Assignment]:
        return {a.person_id: a for a in self.assignments}

    def by_opening(self) -> dict[int, list[Assignment]]:
        grouped: dict[int, list[Assignment]] = {}
        for a in self.assignments:
            grouped.setdefault(a.opening_id, []).append(a)
        return grouped

    def summary(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "people": self.people,
            "places": self.places,
            "arcs": self.arcs,
            "assigned": self.assigned,
            "unassigned_people": self.unassigned_people,
            "unfilled_places": self.unfilled_places,
            "total_score": self.total_score,
            "mean_score": round(self.total_score / self.assigned, 2) if self.assigned else None,
            "candidate_limit": self.candidate_limit,
            "truncated_openings": self.truncated_openings,
            "exact": self.exact,
            "pricing_rounds": self.pricing_rounds,
            "timings": dict(self.timings),
        }


# --------------------------------------------------------------------------- distances


class DistanceMatrix:
    """Kilometres between municipality centroids, indexed by ISTAT code."""

    def __init__(self, codes: Sequence[str], km: np.ndarray) -> None:
        self.codes: tuple[str, ...] = tuple(codes)
        self.km = np.asarray(km, dtype=np.float64)
        if self.km.shape != (len(self.codes), len(self.codes)):
            raise ValueError("the matrix must be square, one row per code")
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}

    @classmethod
    def from_coordinates(cls, coordinates: Mapping[str, tuple[float, float]]) -> DistanceMatrix:
        codes = sorted(coordinates)
        km = np.zeros((len(codes), len(codes)))
        for i, a in enumerate(codes):
            for j in range(i + 1, len(codes)):
                lat1, lon1 = coordinates[a]
                lat2, lon2 = coordinates[codes[j]]
                km[i, j] = km[j, i] = haversine_km(lat1, lon1, lat2, lon2)
        return cls(codes, km)

    @classmethod
    def from_function(
        cls, codes: Iterable[str], distance: Callable[[str, str], float]
    ) -> DistanceMatrix:
        ordered = sorted(set(codes))
        km = np.array([[float(distance(a, b)) for b in ordered] for a in ordered])
        return cls(ordered, km.reshape(len(ordered), len(ordered)))

    def __call__(self, a: str, b: str) -> float:
        return float(self.km[self.index[a], self.index[b]])


Distances = DistanceMatrix | Callable[[str, str], float]


def _matrix_for(
    distances: Distances, people: Sequence[Person], openings: Sequence[Opening]
) -> DistanceMatrix:
    if isinstance(distances, DistanceMatrix):
        missing = {p.municipality for p in people} | {o.municipality for o in openings}
        missing -= set(distances.index)
        if missing:
            raise ValueError(f"no distances for municipalities {sorted(missing)}")
        return distances
    codes = {p.municipality for p in people} | {o.municipality for o in openings}
    return DistanceMatrix.from_function(codes, distances)


def _distance(distances: Distances, a: str, b: str) -> float:
    return float(distances(a, b))


# --------------------------------------------------------------------------- one pair


def _limit_km(person: Person, max_distance_km: float | None) -> float | None:
    limits = [x for x in (max_distance_km, person.max_travel_km) if x is not None]
    return min(limits) if limits else None


def exclusions(
    person: Person,
    opening: Opening,
    *,
    distance_km: float,
    max_distance_km: float | None = None,
) -> list[Reason]:
    """The hard constraints the pair violates, as reasons of kind ``"exclusion"``."""
    out: list[Reason] = []
    limit = _limit_km(person, max_distance_km)
    if limit is not None and distance_km > limit:
        out.append(
            Reason("too_far", "exclusion", {"km": round(distance_km, 1), "limit": round(limit, 1)})
        )
    if person.needs_public_transport and not opening.public_transport:
        out.append(Reason("no_public_transport", "exclusion"))
    if opening.hours_per_week > person.max_hours_per_week:
        out.append(
            Reason(
                "too_many_hours",
                "exclusion",
                {"hours": opening.hours_per_week, "max": person.max_hours_per_week},
            )
        )
    missing = opening.required_skills - person.skills
    if missing:
        out.append(Reason("missing_skills", "exclusion", {"skills": sorted(missing)}))
    missing_languages = opening.languages - person.languages
    if missing_languages:
        out.append(
            Reason("missing_languages", "exclusion", {"languages": sorted(missing_languages)})
        )
    if person.education < opening.min_education:
        out.append(
            Reason(
                "education_below",
                "exclusion",
                {"required": int(opening.min_education), "has": int(person.education)},
            )
        )
    if opening.requires_driving_licence and not person.has_driving_licence:
        out.append(Reason("driving_licence", "exclusion"))
    if person.needs_step_free_access and not opening.step_free_access:
        out.append(Reason("no_step_free_access", "exclusion"))
    if person.shifts and opening.shifts and not (person.shifts & opening.shifts):
        out.append(Reason("shifts_incompatible", "exclusion"))
    return out


def _components(
    person: Person, opening: Opening, distance_km: float, limit: float | None, weights: Weights
) -> tuple[float, float, float, float, float]:
    n_req = len(opening.required_skills)
    n_nice = len(opening.desirable_skills)
    if n_req + n_nice:
        skills = (n_req + len(person.skills & opening.desirable_skills)) / (n_req + n_nice)
    else:
        skills = 1.0
    scale = limit if limit is not None and limit > 0 else weights.distance_scale_km
    distance = max(0.0, 1.0 - distance_km / scale)
    if opening.hours_per_week < person.min_hours_per_week:
        hours = opening.hours_per_week / person.min_hours_per_week
    else:
        hours = 1.0
    if person.shifts and opening.shifts:
        shifts = len(person.shifts & opening.shifts) / len(opening.shifts)
    else:
        shifts = 1.0
    contract = 1.0 if not person.contracts or opening.contract in person.contracts else 0.0
    return skills, distance, hours, shifts, contract


def _points(components: tuple[float, float, float, float, float], weights: Weights) -> int:
    """Each component rounded to tenths on its own, then added: exactly what numpy computes."""
    total = 0
    for factor, value in zip(weights.factors(), components, strict=True):
        total += int(math.floor(factor * value + 0.5))
    return min(MAX_POINTS, total)


def _reasons(
    person: Person, opening: Opening, distance_km: float, components: tuple[float, ...]
) -> tuple[Reason, ...]:
    out: list[Reason] = []
    if opening.required_skills:
        out.append(
            Reason("skills_required", "positive", {"skills": sorted(opening.required_skills)})
        )
    elif not opening.desirable_skills:
        out.append(Reason("skills_none_required", "positive"))
    if opening.desirable_skills:
        matched = sorted(person.skills & opening.desirable_skills)
        out.append(
            Reason(
                "skills_desirable",
                "positive" if matched else "negative",
                {
                    "matched": len(matched),
                    "total": len(opening.desirable_skills),
                    "skills": matched,
                },
            )
        )
    if distance_km == 0:
        out.append(Reason("distance_same_municipality", "positive", {"km": 0.0}))
    else:
        out.append(
            Reason(
                "distance",
                "positive" if components[1] >= 0.5 else "negative",
                {"km": round(distance_km, 1)},
            )
        )
    if person.needs_public_transport:
        out.append(Reason("public_transport", "positive"))
    if opening.hours_per_week < person.min_hours_per_week:
        out.append(
            Reason(
                "hours_short",
                "negative",
                {"hours": opening.hours_per_week, "min": person.min_hours_per_week},
            )
        )
    else:
        out.append(
            Reason(
                "hours_fit_care" if person.care_duties else "hours_fit",
                "positive",
                {"hours": opening.hours_per_week, "max": person.max_hours_per_week},
            )
        )
    if person.shifts and opening.shifts:
        matched_shifts = person.shifts & opening.shifts
        out.append(
            Reason(
                "shifts",
                "positive" if len(matched_shifts) == len(opening.shifts) else "negative",
                {
                    "matched": len(matched_shifts),
                    "total": len(opening.shifts),
                    "shifts": sorted(matched_shifts),
                },
            )
        )
    if person.contracts:
        if opening.contract in person.contracts:
            out.append(Reason("contract_preferred", "positive", {"contract": opening.contract}))
        else:
            out.append(Reason("contract_not_preferred", "negative", {"contract": opening.contract}))
    if person.needs_step_free_access:
        out.append(Reason("step_free_access", "positive"))
    return tuple(out)


def _pair_points(
    person: Person,
    opening: Opening,
    distance_km: float,
    max_distance_km: float | None,
    weights: Weights,
) -> int | None:
    if exclusions(person, opening, distance_km=distance_km, max_distance_km=max_distance_km):
        return None
    limit = _limit_km(person, max_distance_km)
    return _points(_components(person, opening, distance_km, limit, weights), weights)


def score_pair(
    person: Person,
    opening: Opening,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    distance_km: float,
    max_distance_km: float | None = None,
) -> Suggestion | None:
    """Score one pair with its reasons; ``None`` when a hard constraint excludes it."""
    if exclusions(person, opening, distance_km=distance_km, max_distance_km=max_distance_km):
        return None
    limit = _limit_km(person, max_distance_km)
    components = _components(person, opening, distance_km, limit, weights)
    points = _points(components, weights)
    return Suggestion(
        person_id=person.id,
        opening_id=opening.id,
        score=points / SCALE,
        distance_km=round(distance_km, 1),
        reasons=_reasons(person, opening, distance_km, components),
    )


# --------------------------------------------------------------------------- ranked lists


def _ranked(
    pairs: Iterable[tuple[Person, Opening, int]],
    *,
    distances: Distances,
    limit: int,
    weights: Weights,
    max_distance_km: float | None,
    min_score: float,
) -> list[Suggestion]:
    """The ``limit`` best of ``(person, opening, tie-break id)`` pairs: score desc, then
    distance, then the id; only the kept ones are scored again with their reasons."""
    scored: list[tuple[int, float, int, Person, Opening]] = []
    for person, opening, key in pairs:
        km = _distance(distances, person.municipality, opening.municipality)
        points = _pair_points(person, opening, km, max_distance_km, weights)
        if points is not None and points >= min_score * SCALE:
            scored.append((-points, km, key, person, opening))
    scored.sort(key=lambda row: row[:3])
    out = []
    for _points_neg, km, _key, person, opening in scored[: max(0, limit)]:
        suggestion = score_pair(
            person, opening, weights=weights, distance_km=km, max_distance_km=max_distance_km
        )
        assert suggestion is not None  # noqa: S101 - scored above with the same inputs
        out.append(suggestion)
    return out


def rank_openings_for_person(
    person: Person,
    openings: Iterable[Opening],
    *,
    distances: Distances,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
    max_distance_km: float | None = None,
    min_score: float = 0.0,
) -> list[Suggestion]:
    """The best openings for a person: score desc, then distance, then opening id."""
    return _ranked(
        ((person, opening, opening.id) for opening in openings if opening.places > 0),
        distances=distances,
        limit=limit,
        weights=weights,
        max_distance_km=max_distance_km,
        min_score=min_score,
    )


def rank_people_for_opening(
    opening: Opening,
    people: Iterable[Person],
    *,
    distances: Distances,
    limit: int = 20,
    weights: Weights = DEFAULT_WEIGHTS,
    max_distance_km: float | None = None,
    min_score: float = 0.0,
) -> list[Suggestion]:
    """The best people for an opening: score desc, then distance, then person id."""
    return _ranked(
        ((person, opening, person.id) for person in people),
        distances=distances,
        limit=limit,
        weights=weights,
        max_distance_km=max_distance_km,
        min_score=min_score,
    )


# --------------------------------------------------------------------------- candidate graph

#: Cells (people x openings) scored at once by numpy: bounds the memory of one block.
BLOCK_CELLS = 1 << 21
#: People per opening place kept in reserve (the *pool*) for ``allocate(exact=True)``.
RESERVE_PER_PLACE = 200
#: Openings scored by one job of the candidate scan (a large municipality is split in jobs
#: so that ``workers`` threads share the work evenly).
JOB_OPENINGS = 256
#: ``allocate(exact=True)``: pairs joining the working arcs in one pricing round, at most, per
#: place of an opening (the most profitable first).
PRICING_PER_PLACE = 30
#: ``allocate(exact=True)``: once few pairs are left to add (at most ``TAIL_SHARE`` of the
#: working arcs), the openings whose pool may be short are scanned again, and the next flow
#: is solved on the working arcs within ``TAIL_SLACK`` tenths of the prices only.
TAIL_SHARE = 0.05
TAIL_SLACK = 30
#: ``allocate(exact=True)``: rounds priced at the midpoint of the least and the greatest optimal
#: prices (a guide while the flow is far from the optimum; the least prices after them).
MIDPOINT_ROUNDS = 2
#: ``allocate(exact=True)``: a flow is solved from the previous one (:mod:`pes.inclusion.flow`,
#: a warm start) when at most ``WARM_MAX_PAIRS`` pairs joined the working arcs since; after
#: ``WARM_MAX_PHASES`` shortest-path searches it gives up and OR-Tools solves from scratch.
WARM_MAX_PAIRS = 5000
WARM_MAX_PHASES = 300
_EDU_LEVELS = max(Education)


@dataclass(frozen=True)
class CandidatePairs:
    """Feasible pairs, on *classes* of people with identical features.

    ``classes[c]`` lists the indexes (into ``people``) of the people of class ``c``, by id;
    arc ``k`` joins class ``arc_class[k]`` to opening ``arc_opening[k]`` (index into
    ``openings``) with score ``arc_points[k]`` (tenths). Every person of a class has the same
    arcs, so a person-level pair count is ``sum(len(classes[c]))`` over the arcs.
    """

    people: Sequence[Person]
    openings: Sequence[Opening]
    classes: list[list[int]]
    arc_class: np.ndarray
    arc_opening: np.ndarray
    arc_points: np.ndarray
    arc_km: np.ndarray
    candidate_limit: int | None
    feasible_pairs: int | None  # person-level feasible pairs (counted without a limit only)
    truncated_openings: int  # openings whose candidate list was cut
    seconds: float
    #: With a candidate limit, each opening also keeps a *reserve* of its next best people
    #: (up to ``RESERVE_PER_PLACE`` per place with the graph's own; ``reserve`` holds the rows
    #: class, opening, points of those not in the graph, as int32) and ``cuts`` the highest
    #: score a person left out of graph and reserve can have, or -1 when every feasible person
    #: is in them. ``allocate(exact=True)`` prices graph and reserve (its *pool*) in memory.
    cuts: np.ndarray | None = field(default=None, repr=False, compare=False)
    reserve: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: ``rescan((class_prices, opening_prices), only, cap)``: for the openings marked in
    #: ``only``, every pair scoring above the sum of its two prices (at most ``cap`` per place,
    #: the best) as rows class, opening, points, and ``(opening, cut-off score or -1)``.
    rescan: Callable[..., tuple[np.ndarray, list[tuple[int, int]]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def arcs(self) -> int:
        """Person-level candidate pairs (what a person-by-person graph would hold)."""
        sizes = np.fromiter((len(c) for c in self.classes), dtype=np.int64, count=len(self.classes))
        return int(sizes[self.arc_class].sum()) if len(self.arc_class) else 0

    @property
    def class_arcs(self) -> int:
        return len(self.arc_class)


class _Encoder:
    """Bit layout of the hard requirements: skills, languages, education, three flags."""

    def __init__(self, people: Sequence[Person], openings: Sequence[Opening]) -> None:
        skills: set[str] = set()
        languages: set[str] = set()
        shifts: set[str] = set()
        contracts: set[str] = set()
        for p in people:
            skills |= p.skills
            languages |= p.languages
            shifts |= p.shifts
            contracts |= p.contracts
        for o in openings:
            skills |= o.required_skills | o.desirable_skills
            languages |= o.languages
            shifts |= o.shifts
            contracts.add(o.contract)
        bit = 0
        self.skill_bit: dict[str, int] = {}
        for code in sorted(skills):
            self.skill_bit[code] = bit
            bit += 1
        self.language_bit: dict[str, int] = {}
        for code in sorted(languages):
            self.language_bit[code] = bit
            bit += 1
        self.education_bit = bit  # bit + level - 1 for levels 1..max
        bit += _EDU_LEVELS
        self.licence_bit = bit
        self.own_transport_bit = bit + 1
        self.stairs_bit = bit + 2
        bit += 3
        self.words = (bit + 63) // 64
        self.shift_bit = {code: i for i, code in enumerate(sorted(shifts))}
        self.contract_bit = {code: i for i, code in enumerate(sorted(contracts))}
        self._has_cache: dict[tuple[Any, ...], list[int]] = {}
        if len(self.shift_bit) > 62 or len(self.contract_bit) > 62:
            raise ValueError("too many distinct shifts or contracts")

    def _mask(self, bits: Iterable[int]) -> list[int]:
        words = [0] * self.words
        for b in bits:
            words[b // 64] |= 1 << (b % 64)
        return words

    def has(self, p: Person) -> list[int]:
        key = (
            p.skills,
            p.languages,
            int(p.education),
            p.has_driving_licence,
            p.needs_public_transport,
            p.needs_step_free_access,
        )
        cached = self._has_cache.get(key)
        if cached is None:
            cached = self._has_cache[key] = self._has(p)
        return cached

    def _has(self, p: Person) -> list[int]:
        bits = [self.skill_bit[s] for s in p.skills]
        bits += [self.language_bit[x] for x in p.languages]
        bits += [self.education_bit + level - 1 for level in range(1, int(p.education) + 1)]
        if p.has_driving_licence:
            bits.append(self.licence_bit)
        if not p.needs_public_transport:
            bits.append(self.own_transport_bit)
        if not p.needs_step_free_access:
            bits.append(self.stairs_bit)
        return self._mask(bits)

    def needs(self, o: Opening) -> list[int]:
        bits = [self.skill_bit[s] for s in o.required_skills]
        bits += [self.language_bit[x] for x in o.languages]
        if o.min_education > 0:
            bits.append(self.education_bit + int(o.min_education) - 1)
        if o.requires_driving_licence:
            bits.append(self.licence_bit)
        if not o.public_transport:
            bits.append(self.own_transport_bit)
        if not o.step_free_access:
            bits.append(self.stairs_bit)
        return self._mask(bits)

    def desirable(self, o: Opening) -> list[int]:
        return self._mask(self.skill_bit[s] for s in o.desirable_skills)

    def shifts(self, codes: frozenset[str]) -> int:
        return sum(1 << self.shift_bit[c] for c in codes)

    def contracts(self, codes: Iterable[str]) -> int:
        return sum(1 << self.contract_bit[c] for c in codes)


_SPREAD = 1 << 20


def _spread(ids: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random 20-bit number per id (multiplicative hashing)."""
    mixed = (ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(44)
    return mixed.astype(np.int64)


def _spread_one(opening_id: int) -> int:
    return int(_spread(np.array([opening_id]))[0] * 0x2545F491) % _SPREAD


def _best(
    points: np.ndarray, wanted: int, spread: np.ndarray, opening_id: int
) -> tuple[np.ndarray, int]:
    """Indexes of the ``wanted`` best ``points`` and the lowest score kept: everything above
    the cut-off score, then among those at the cut-off an order spread by the opening id (so
    that equal people are not always taken in the same order)."""
    at_least = np.cumsum(np.bincount(points, minlength=MAX_POINTS + 1)[::-1])
    cut = MAX_POINTS - int(np.searchsorted(at_least, wanted))
    above = points > cut
    tied = np.nonzero(points == cut)[0]
    room = wanted - int(above.sum())
    if room < len(tied):
        mix = spread[tied] ^ _spread_one(opening_id)
        tied = tied[np.argpartition(mix, room - 1)[:room]]
    return np.concatenate([np.nonzero(above)[0], tied]), cut


def _u64(rows: list[list[int]], words: int) -> np.ndarray:
    out = np.zeros((len(rows), words), dtype=np.uint64)
    for i, row in enumerate(rows):
        out[i] = row
    return out


def _fork(call: Callable[[], Any]) -> tuple[int, int]:
    """Run ``call`` in a forked child that sends ``("ok", result)`` or ``("error", text)``
    back, pickled, through a pipe: the child's pid and the pipe's read end."""
    import os
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(read_end)
        try:
            payload = pickle.dumps(("ok", call()), protocol=5)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            payload = pickle.dumps(("error", repr(exc)), protocol=5)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    return pid, read_end


def _reply(payload: bytes) -> tuple[str, Any]:
    """What a child of :func:`_fork` sent (an error when it sent nothing)."""
    import pickle

    return pickle.loads(payload) if payload else ("error", "no result")  # type: ignore[no-any-return]  # noqa: S301 - our own child


def _run_all(task: Callable[[int], Any], indexes: Sequence[int]) -> list[tuple[int, Any]]:
    return [(i, task(i)) for i in indexes]


def _in_parallel(
    task: Callable[[int], Any], n: int, workers: int, cost: Sequence[float] | None = None
) -> list[Any]:
    """``[task(i) for i in range(n)]`` on ``workers`` cores, worker 0 being this process and
    the others forked children that send their results back through a pipe. Task ``i`` runs
    in worker ``i % workers``, or, given an estimated ``cost`` per task, the costliest first
    each in the worker with the least so far (this process, which also merges the results,
    is given the ties). The scoring holds the GIL most of the time (many small numpy calls),
    so threads do not run it in parallel; where ``fork`` is missing, they are used all the
    same."""
    import os

    if not _can_fork():  # pragma: no cover - not Linux
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(task, range(n)))
    owner = [i % workers for i in range(n)]
    if cost is not None:
        load = [0.0] * workers
        for i in sorted(range(n), key=lambda i: -cost[i]):
            w = min(range(workers), key=lambda w: (load[w], w))
            owner[i] = w
            load[w] += cost[i]
    children: list[tuple[int, int]] = []
    for w in range(1, min(workers, n)):
        mine = [i for i in range(n) if owner[i] == w]
        children.append(_fork(partial(_run_all, task, mine)))
    results: list[Any] = [None] * n
    try:
        for i in range(n):
            if owner[i] == 0:
                results[i] = task(i)
    finally:
        failures: list[str] = []
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as pipe:
                reply = _reply(pipe.read())
            os.waitpid(pid, 0)
            if reply[0] == "ok":
                for index, result in reply[1]:
                    results[index] = result
            else:
                failures.append(str(reply[1]))
    if failures:
        raise RuntimeError(f"a worker process failed: {failures[0]}")
    return results


def _tagged(tag: str, task: Callable[..., Any], *args: Any) -> tuple[str, Any] | None:
    """``(tag, task(*args))``, or ``None`` when the task gave no result."""
    result = task(*args)
    return None if result is None else (tag, result)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _first_of(tasks: Sequence[Callable[[], Any]]) -> Any:
    """The result of whichever of ``tasks`` finishes first with a result that is not ``None``
    (``None`` if none does), each run in a forked child, the others stopped then. The exact
    allocation races a flow solved from scratch against one started from the previous
    optimum: either may be faster, and the second core is idle while one solves."""
    import os
    import selectors
    import signal

    children: dict[int, int] = {}  # read end -> pid
    for task in tasks:
        pid, read_end = _fork(task)
        children[read_end] = pid
    chunks: dict[int, list[bytes]] = {fd: [] for fd in children}
    result: Any = None
    failures: list[str] = []
    with selectors.DefaultSelector() as selector:
        for fd in children:
            selector.register(fd, selectors.EVENT_READ)
        open_ends = set(children)
        while open_ends and result is None:
            for key, _mask in selector.select():
                fd = int(key.fd)  # type: ignore[arg-type]
                data = os.read(fd, 1 << 20)
                if data:
                    chunks[fd].append(data)
                    continue
                selector.unregister(fd)
                open_ends.discard(fd)
                reply = _reply(b"".join(chunks[fd]))
                if reply[0] == "ok" and reply[1] is not None and result is None:
                    result = reply[1]
                elif reply[0] != "ok":
                    failures.append(str(reply[1]))
    for fd, pid in children.items():
        if fd in open_ends:
            os.kill(pid, signal.SIGKILL)
        os.close(fd)
        os.waitpid(pid, 0)
    if result is None and failures:
        raise RuntimeError(f"a worker process failed: {failures[0]}")
    return result


def candidate_pairs(
    people: Sequence[Person],
    openings: Sequence[Opening],
    *,
    distances: Distances,
    weights: Weights = DEFAULT_WEIGHTS,
    max_distance_km: float | None = None,
    candidate_limit: int | None = None,
    min_score: float = 0.0,
    workers: int = 1,
) -> CandidatePairs:
    """Every feasible pair, or each opening's best ``candidate_limit`` people per place.

    People are grouped into classes of identical features (an exact reduction). Openings are
    blocked by municipality: a block only meets the people whose own and global distance limit
    reach it, so pairs beyond the limit are never formed. Inside a block, openings with the
    same hours, transport, access and licence terms share one filter of the people and their
    distance and hours points; the skills, shift and contract points are computed by numpy
    cell by cell. Scores equal :func:`score_pair`'s exactly.

    With ``candidate_limit=k`` an opening with ``c`` places keeps its best ``k * c`` classes of
    people (equal scores at the cut-off in a pseudo-random order seeded by the opening id, so
    that equal people are not always taken in the same order) and a reserve of the next best
    for the pricing of ``allocate(exact=True)``; without it every feasible pair is kept. ``workers``
    > 1 scores the openings on that many cores (:func:`_in_parallel`, forked processes); the
    result does not depend on it.
    """
    started = time.perf_counter()
    if candidate_limit is not None and candidate_limit < 1:
        raise ValueError("candidate_limit must be at least 1")
    matrix = _matrix_for(distances, people, openings)
    class_of: dict[tuple[Any, ...], int] = {}
    classes: list[list[int]] = []
    for index in sorted(range(len(people)), key=lambda i: people[i].id):
        key = people[index].features()
        c = class_of.get(key)
        if c is None:
            class_of[key] = len(classes)
            classes.append([index])
        else:
            classes[c].append(index)
    reps = [people[members[0]] for members in classes]
    live = [j for j, o in enumerate(openings) if o.places > 0]
    live.sort(key=lambda j: (matrix.index[openings[j].municipality], openings[j].id))
    lo = [openings[j] for j in live]
    enc = _Encoder(reps, lo)
    f_skills, f_distance, f_hours, f_shifts, f_contract = weights.factors()

    # shift and contract points: a table over the (few) combinations on each side
    p_combo: dict[tuple[int, int], int] = {}
    o_combo: dict[tuple[int, int], int] = {}
    p_code = np.array(
        [
            p_combo.setdefault((enc.shifts(p.shifts), enc.contracts(p.contracts)), len(p_combo))
            for p in reps
        ],
        dtype=np.int64,
    )
    o_code = np.array(
        [
            o_combo.setdefault((enc.shifts(o.shifts), enc.contracts([o.contract])), len(o_combo))
            for o in lo
        ],
        dtype=np.int64,
    )
    table = np.zeros((max(1, len(o_combo)), max(1, len(p_combo))), dtype=np.int64)
    for (os_, oc), j in o_combo.items():
        for (ps, pc), i in p_combo.items():
            if ps and os_:
                common = (ps & os_).bit_count()
                if not common:
                    table[j, i] = -(10 * MAX_POINTS)  # no common shift: excluded
                    continue
                shift_part = common / os_.bit_count()
            else:
                shift_part = 1.0
            contract_part = 1.0 if not pc or pc & oc else 0.0
            table[j, i] = int(math.floor(f_shifts * shift_part + 0.5)) + int(
                math.floor(f_contract * contract_part + 0.5)
            )

    # people classes (columns of the blocks)
    p_muni = np.array([matrix.index[p.municipality] for p in reps], dtype=np.int64)
    limits = [_limit_km(p, max_distance_km) for p in reps]
    p_limit = np.array([math.inf if x is None else x for x in limits], dtype=np.float64)
    p_scale = np.array(
        [x if x is not None and x > 0 else weights.distance_scale_km for x in limits],
        dtype=np.float64,
    )
    p_maxh = np.array([p.max_hours_per_week for p in reps], dtype=np.float64)
    p_minh = np.array([p.min_hours_per_week for p in reps], dtype=np.float64)
    p_needs_pt = np.array([p.needs_public_transport for p in reps], dtype=bool)
    p_needs_step = np.array([p.needs_step_free_access for p in reps], dtype=bool)
    p_licence = np.array([p.has_driving_licence for p in reps], dtype=bool)
    p_has = _u64([enc.has(p) for p in reps], enc.words)
    p_first_id = np.array([people[m[0]].id for m in classes], dtype=np.int64)
    p_size = np.array([len(m) for m in classes], dtype=np.int64)

    # openings (rows of the blocks), one contiguous slice per municipality
    o_index = np.array(live, dtype=np.int64)
    o_need = _u64([enc.needs(o) for o in lo], enc.words)
    o_nice = _u64([enc.desirable(o) for o in lo], enc.words)
    o_places = np.array([o.places for o in lo], dtype=np.int64)
    o_id = np.array([o.id for o in lo], dtype=np.int64)
    # skills points by number of desirable skills matched, one row per opening
    width = 1 + max((len(o.desirable_skills) for o in lo), default=0)
    o_skill_points = np.zeros((len(lo), width), dtype=np.int64)
    for j, o in enumerate(lo):
        n_req, n_nice = len(o.required_skills), len(o.desirable_skills)
        for matched in range(n_nice + 1):
            part = (n_req + matched) / (n_req + n_nice) if n_req + n_nice else 1.0
            o_skill_points[j, matched] = int(math.floor(f_skills * part + 0.5))
    min_points = math.ceil(min_score * SCALE - 1e-9)

    blocks: dict[int, dict[tuple[Any, ...], list[int]]] = {}
    for j, o in enumerate(lo):
        terms = (
            o.hours_per_week,
            o.public_transport,
            o.step_free_access,
            o.requires_driving_licence,
        )
        blocks.setdefault(matrix.index[o.municipality], {}).setdefault(terms, []).append(j)

    def score_block(
        m: int,
        groups: dict[tuple[Any, ...], list[int]],
        limit: int | None,
        rescan: tuple[tuple[np.ndarray, np.ndarray], np.ndarray, int | None] | None,
    ) -> tuple[list[np.ndarray], list[np.ndarray], int, int, list[tuple[int, int]]]:
        """Score the openings of one municipality (``groups``: openings by shared terms).

        Without ``rescan``: the graph (every feasible pair, or each opening's best ``limit``
        people per place), the rest of each opening's reserve and its cut-off score. With
        ``rescan = ((class_prices, opening_prices), only, cap)``: for the openings marked in
        ``only``, the pairs scoring above the sum of their two prices (at most ``cap`` per
        place, the best; the cut-off score when some were left out, else -1)."""
        only = rescan[1] if rescan is not None else None
        if only is not None and not only[o_index[[j for g in groups.values() for j in g]]].any():
            return [], [], 0, 0, []
        d_all = matrix.km[p_muni, m]
        reach = np.nonzero(d_all <= p_limit)[0]
        out: list[np.ndarray] = []
        feasible = 0
        # (opening index, the highest score a pair left out of the pool can have)
        truncated: list[tuple[int, int]] = []
        rest: list[np.ndarray] = []
        cut_lists = 0
        if not len(reach):
            return out, rest, feasible, cut_lists, truncated
        d_reach = d_all[reach]
        distance_points = np.floor(
            f_distance * np.maximum(0.0, 1.0 - d_reach / p_scale[reach]) + 0.5
        ).astype(np.int64)
        for (hours, public_transport, step_free, licence), members in groups.items():
            if only is not None and not only[o_index[members]].any():
                continue
            keep = p_maxh[reach] >= hours
            if not public_transport:
                keep &= ~p_needs_pt[reach]
            if not step_free:
                keep &= ~p_needs_step[reach]
            if licence:
                keep &= p_licence[reach]
            cols = reach[keep]
            if not len(cols):
                continue
            minh = p_minh[cols]
            hours_part = np.where(hours < minh, hours / np.maximum(minh, 1.0), 1.0)
            column_points = distance_points[keep] + np.floor(f_hours * hours_part + 0.5).astype(
                np.int64
            )
            col_d = d_reach[keep]
            codes = p_code[cols]
            spread = _spread(p_first_id[cols])
            has = [p_has[cols, word] for word in range(enc.words)]
            sizes = p_size[cols]
            n_cols = len(cols)

            for j in members:
                o = int(o_index[j])
                if only is not None and not only[o]:
                    continue
                ok = np.ones(n_cols, dtype=bool)
                matched: np.ndarray | None = None
                for word in range(enc.words):
                    need = o_need[j, word]
                    if need:
                        ok &= (has[word] & need) == need
                    nice = o_nice[j, word]
                    if nice:
                        count = np.bitwise_count(has[word] & nice)
                        matched = count if matched is None else matched + count
                shift_contract = table[o_code[j]][codes]
                ok &= shift_contract >= 0
                skill_row = o_skill_points[j]
                points = column_points + shift_contract
                points += skill_row[0] if matched is None else skill_row[matched]
                np.minimum(points, MAX_POINTS, out=points)
                if min_points > 0:
                    ok &= points >= min_points
                hits = np.nonzero(ok)[0]
                hit_points = points[hits]
                if rescan is not None:
                    # the pairs scoring above the sum of their prices, the best ``cap`` per place
                    class_price, opening_price = rescan[0]
                    above = hit_points > class_price[cols[hits]] + opening_price[o]
                    hits, hit_points = hits[above], hit_points[above]
                    left = -1
                    if rescan[2] is not None and len(hits) > int(o_places[j]) * rescan[2]:
                        wanted = int(o_places[j]) * rescan[2]
                        chosen, left = _best(hit_points, wanted, spread[hits], int(o_id[j]))
                        hits, hit_points = hits[chosen], hit_points[chosen]
                    truncated.append((o, left))
                elif limit is None:
                    feasible += int(sizes[hits].sum())
                else:
                    # a reserve of the next best people, priced by allocate(exact=True)
                    spare = int(o_places[j]) * max(limit, RESERVE_PER_PLACE)
                    reserve_cut = -1
                    if len(hits) > spare:
                        chosen, reserve_cut = _best(hit_points, spare, spread[hits], int(o_id[j]))
                        hits, hit_points = hits[chosen], hit_points[chosen]
                    truncated.append((o, reserve_cut))
                    wanted = int(o_places[j]) * limit
                    if len(hits) > wanted:
                        chosen, _cut = _best(hit_points, wanted, spread[hits], int(o_id[j]))
                        cut_lists += 1
                        spared = np.ones(len(hits), dtype=bool)
                        spared[chosen] = False
                        rest.append(
                            np.stack(
                                [
                                    cols[hits[spared]],
                                    np.full(int(spared.sum()), o),
                                    hit_points[spared],
                                ]
                            ).astype(np.int32)  # half the bytes a worker sends back
                        )
                        hits, hit_points = hits[chosen], hit_points[chosen]
                if not len(hits):
                    continue
                out.append(
                    np.stack(
                        [
                            cols[hits],
                            np.full(len(hits), o),
                            hit_points,
                            col_d[hits].view(np.int64),
                        ]
                    )
                )
        return out, rest, feasible, cut_lists, truncated

    # Jobs of at most JOB_OPENINGS openings (a large municipality is split), in a fixed order:
    # the result does not depend on the number of threads.
    jobs: list[tuple[int, dict[tuple[Any, ...], list[int]]]] = []
    for m, groups in sorted(blocks.items()):
        job: dict[tuple[Any, ...], list[int]] = {}
        size = 0
        for terms, members in groups.items():
            for start in range(0, len(members), JOB_OPENINGS):
                chunk = members[start : start + JOB_OPENINGS]
                if size + len(chunk) > JOB_OPENINGS and job:
                    jobs.append((m, job))
                    job, size = {}, 0
                job.setdefault(terms, []).extend(chunk)
                size += len(chunk)
        if job:
            jobs.append((m, job))

    reach_of = {m: int(np.count_nonzero(matrix.km[p_muni, m] <= p_limit)) for m in blocks}
    job_openings = [
        o_index[[j for members in groups.values() for j in members]] for _m, groups in jobs
    ]

    def scan(
        limit: int | None,
        rescan: tuple[tuple[np.ndarray, np.ndarray], np.ndarray, int | None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray, int, int, list[tuple[int, int]]]:
        def task(i: int) -> tuple[list[np.ndarray], list[np.ndarray], int, int, list[Any]]:
            return score_block(jobs[i][0], jobs[i][1], limit, rescan)

        if workers > 1 and len(jobs) > 1:
            # cost of a job: its openings (those scanned again) times the people in reach
            only = rescan[1] if rescan is not None else None
            cost = [
                reach_of[m]
                * (len(job_openings[i]) if only is None else only[job_openings[i]].sum())
                for i, (m, _groups) in enumerate(jobs)
            ]
            results = _in_parallel(task, len(jobs), workers, cost)
        else:
            results = [task(i) for i in range(len(jobs))]

        def merge(parts: list[np.ndarray], rows: int, dtype: Any = np.int64) -> np.ndarray:
            if not parts:
                return np.zeros((rows, 0), dtype=dtype)
            return np.concatenate(parts, axis=1)

        return (
            merge([part for r in results for part in r[0]], 4),
            merge([part for r in results for part in r[1]], 3, np.int32),
            sum(r[2] for r in results),
            sum(r[3] for r in results),
            [entry for r in results for entry in r[4]],
        )

    def rescan(
        prices: tuple[np.ndarray, np.ndarray], only: np.ndarray, cap: int | None
    ) -> tuple[np.ndarray, list[tuple[int, int]]]:
        merged, _rest, _feasible, _cut_lists, entries = scan(candidate_limit, (prices, only, cap))
        return merged[:3].copy(), entries

    merged, rest, feasible, cut_lists, entries = scan(candidate_limit)
    cuts = np.full(len(openings), -1, dtype=np.int64)
    for j, cut in entries:
        cuts[j] = cut
    return CandidatePairs(
        people=people,
        openings=openings,
        classes=classes,
        arc_class=merged[0].copy(),
        arc_opening=merged[1].copy(),
        arc_points=merged[2].copy(),
        arc_km=merged[3].copy().view(np.float64),
        candidate_limit=candidate_limit,
        feasible_pairs=feasible if candidate_limit is None else None,
        truncated_openings=cut_lists,
        seconds=time.perf_counter() - started,
        cuts=cuts,
        reserve=rest.astype(np.int32, copy=False) if candidate_limit is not None else None,
        rescan=rescan,
    )


# --------------------------------------------------------------------------- allocation


def _places(openings: Sequence[Opening]) -> int:
    return sum(max(0, o.places) for o in openings)


def _allocation(
    method: str,
    graph: CandidatePairs,
    pairs: list[tuple[int, int, int]],
    timings: dict[str, float],
    *,
    arcs: int | None = None,
    exact: bool = False,
    pricing_rounds: int = 0,
) -> Allocation:
    """``pairs``: (person index, opening index, points)."""
    people, openings = graph.people, graph.openings
    assignments = tuple(
        sorted(
            (Assignment(people[p].id, openings[o].id, points / SCALE) for p, o, points in pairs),
            key=lambda a: a.person_id,
        )
    )
    places = _places(openings)
    return Allocation(
        method=method,
        assignments=assignments,
        total_points=sum(points for _p, _o, points in pairs),
        people=len(people),
        places=places,
        arcs=graph.arcs if arcs is None else arcs,
        unassigned_people=len(people) - len(assignments),
        unfilled_places=places - len(assignments),
        candidate_limit=graph.candidate_limit,
        truncated_openings=graph.truncated_openings,
        timings={k: round(v, 4) for k, v in timings.items()},
        exact=exact,
        pricing_rounds=pricing_rounds,
    )


def _graph(
    people: Sequence[Person],
    openings: Sequence[Opening],
    candidates: CandidatePairs | None,
    **options: Any,
) -> CandidatePairs:
    if candidates is not None:
        if candidates.people is not people or candidates.openings is not openings:
            raise ValueError("the candidate pairs were built for other people or openings")
        return candidates
    return candidate_pairs(people, openings, **options)


def _min_cost_flow(
    arc_class: np.ndarray,
    arc_opening: np.ndarray,
    arc_points: np.ndarray,
    sizes: np.ndarray,
    caps: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Flows on the (class, opening) arcs of the maximum-score allocation, and its total."""
    from ortools.graph.python import min_cost_flow

    # only the classes with an arc take part; everyone else simply stays unassigned
    active, arc_node = np.unique(arc_class, return_inverse=True)
    active_sizes = sizes[active]
    n_class, n_open = len(active), len(caps)
    n_people = int(active_sizes.sum())
    source, sink = 0, 1
    opening_node = 2 + n_class + np.arange(n_open, dtype=np.int64)
    used = np.unique(arc_opening)
    tails = np.concatenate(
        [2 + arc_node, np.full(n_class, source), opening_node[used], [source]]
    ).astype(np.int32)
    heads = np.concatenate(
        [opening_node[arc_opening], 2 + np.arange(n_class), np.full(len(used), sink), [sink]]
    ).astype(np.int32)
    capacities = np.concatenate(
        [np.minimum(sizes[arc_class], caps[arc_opening]), active_sizes, caps[used], [n_people]]
    ).astype(np.int64)
    costs = np.concatenate(
        [
            MAX_POINTS - arc_points,
            np.zeros(n_class + len(used), dtype=np.int64),
            [MAX_POINTS],
        ]
    ).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    supplies = np.zeros(2 + n_class + n_open, dtype=np.int64)
    supplies[source], supplies[sink] = n_people, -n_people
    flow.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    n_arcs = len(arc_class)
    flows = (
        np.asarray(flow.flows(np.arange(n_arcs, dtype=np.int32)), dtype=np.int64)
        if n_arcs
        else np.zeros(0, dtype=np.int64)
    )
    return flows, MAX_POINTS * n_people - int(flow.optimal_cost())


def _warm_flow(
    arc_class: np.ndarray,
    arc_opening: np.ndarray,
    arc_points: np.ndarray,
    sizes: np.ndarray,
    caps: np.ndarray,
    start: np.ndarray,
    prices: tuple[np.ndarray, np.ndarray],
    max_phases: int = 0,
) -> tuple[np.ndarray, int] | None:
    """What :func:`_min_cost_flow` returns, from a start: ``start`` the flows of the arcs (those
    of the previous optimum, zero on the new arcs) and ``prices`` its dual prices (``u`` per
    class, ``v`` per opening). The same network; node potentials ``1000 - u`` for the classes,
    ``v`` for the openings, 1000 for the source and 0 for the sink give every arc of the
    previous optimum a reduced cost equal to its slack. ``None`` when the start is too far
    from the optimum (more than ``WARM_MAX_PHASES`` shortest-path searches)."""
    from pes.inclusion import flow as warm

    n_class, n_open = len(sizes), len(caps)
    n_people = int(sizes.sum())
    source, sink = 0, 1
    classes = 2 + np.arange(n_class, dtype=np.int64)
    openings = 2 + n_class + np.arange(n_open, dtype=np.int64)
    k = len(arc_class)
    tails = np.concatenate([classes[arc_class], np.full(n_class, source), openings, [source]])
    heads = np.concatenate([openings[arc_opening], classes, np.full(n_open, sink), [sink]])
    capacities = np.concatenate(
        [np.minimum(sizes[arc_class], caps[arc_opening]), sizes, caps, [n_people]]
    )
    costs = np.concatenate(
        [MAX_POINTS - arc_points, np.zeros(n_class + n_open, dtype=np.int64), [MAX_POINTS]]
    )
    x = np.minimum(start, capacities[:k])
    class_flow = np.bincount(arc_class, weights=x, minlength=n_class).astype(np.int64)
    open_flow = np.bincount(arc_opening, weights=x, minlength=n_open).astype(np.int64)
    first = np.concatenate([x, class_flow, open_flow, [max(0, n_people - int(class_flow.sum()))]])
    potential = np.concatenate([[MAX_POINTS, 0], MAX_POINTS - prices[0], prices[1]])
    supplies = np.zeros(2 + n_class + n_open, dtype=np.int64)
    supplies[source], supplies[sink] = n_people, -n_people
    solved = warm.min_cost_flow(
        tails,
        heads,
        capacities,
        costs,
        supplies,
        flow=first,
        potential=potential,
        max_phases=max_phases or WARM_MAX_PHASES,
    )
    if solved is None:
        return None
    flows = solved[0]
    return flows[:k].copy(), MAX_POINTS * n_people - int((flows * costs).sum())


def _relax(
    floor: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    gain: np.ndarray,
    max_rounds: int,
) -> np.ndarray | None:
    """The least ``x >= floor`` with ``x[dst] >= x[src] + gain`` (longest paths, by rounds of
    relaxation); ``None`` when some ``x`` passes ``MAX_POINTS``, which no price of an optimal
    allocation does (it means a cycle of positive gain: the flow was not optimal)."""
    x = floor
    for _round in range(max_rounds):
        raised = x.copy()
        np.maximum.at(raised, dst, x[src] + gain)
        if np.array_equal(raised, x):
            return x
        if raised.max(initial=0) > MAX_POINTS:
            return None
        x = raised
    return None


def _pair_edges(
    group: np.ndarray, other: np.ndarray, w: np.ndarray, flows: np.ndarray, n_group: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every used arc ``a`` and every arc ``b`` of the same ``group`` node: the edge
    ``other[a] -> other[b]`` of gain ``w[b] - w[a]`` (arcs by ``group``: class or opening)."""
    used = np.nonzero(flows > 0)[0]
    used = used[np.argsort(group[used], kind="stable")]
    per_group = np.bincount(group[used], minlength=n_group)
    first = np.cumsum(per_group) - per_group
    repeat = per_group[group]
    arc_of_edge = np.repeat(np.arange(len(group)), repeat)
    offset = np.arange(len(arc_of_edge)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    used_of_edge = used[first[group[arc_of_edge]] + offset]
    keep = arc_of_edge != used_of_edge
    return (
        other[used_of_edge[keep]],
        other[arc_of_edge[keep]],
        w[arc_of_edge[keep]] - w[used_of_edge[keep]],
    )


def _certified(
    u: np.ndarray,
    v: np.ndarray,
    arc_class: np.ndarray,
    arc_opening: np.ndarray,
    w: np.ndarray,
    flows: np.ndarray,
    sizes: np.ndarray,
    caps: np.ndarray,
    total: int,
) -> bool:
    """Complementary slackness and equal objectives: ``(u, v)`` prove ``flows`` optimal."""
    class_flow = np.bincount(arc_class, weights=flows, minlength=len(sizes)).astype(np.int64)
    open_flow = np.bincount(arc_opening, weights=flows, minlength=len(caps)).astype(np.int64)
    used = flows > 0
    return not (
        (u < 0).any()
        or (v < 0).any()
        or (v[open_flow < caps] != 0).any()
        or (u[class_flow < sizes] != 0).any()
        or (u[arc_class] + v[arc_opening] < w).any()
        or (u[arc_class[used]] + v[arc_opening[used]] != w[used]).any()
        or int((sizes * u).sum() + (caps * v).sum()) != total
    )


def _one_side_prices(
    group: np.ndarray,
    other: np.ndarray,
    w: np.ndarray,
    flows: np.ndarray,
    capacity: np.ndarray,
    n_other: int,
    max_rounds: int,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The least prices of the ``other`` side of the arcs and the matching prices of the
    ``group`` side (``capacity`` per group node): ``x[k] >= x[j] + w[g, k] - w[g, j]`` for
    every used arc (g, j) and arc (g, k), and ``x[j] >= w[g, j]`` where ``g`` has room left,
    solved by longest-path relaxation; then ``y[g] = max(w[g, j] - x[j])``. Returns
    ``(y, x)``, or ``None`` when a price passes ``MAX_POINTS`` (the flow is not optimal)."""
    n_group = len(capacity)
    carried = np.bincount(group, weights=flows, minlength=n_group).astype(np.int64)
    room = (carried < capacity)[group]
    floor = np.zeros(n_other, dtype=np.int64)
    np.maximum.at(floor, other[room], w[room])
    src, dst, gain = _pair_edges(group, other, w, flows, n_group)
    x = _relax(floor, src, dst, gain, max_rounds)
    if x is None:
        return None
    y = np.zeros(n_group, dtype=np.int64)
    np.maximum.at(y, group, w - x[other])
    return y, x


def _prices(
    arc_class: np.ndarray,
    arc_opening: np.ndarray,
    arc_points: np.ndarray,
    flows: np.ndarray,
    sizes: np.ndarray,
    caps: np.ndarray,
    total: int,
    max_rounds: int = 5000,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Optimal dual prices of an optimal allocation: ``u`` per class, ``v`` per opening.

    The linear programme's dual is ``min sum(size * u) + sum(places * v)`` with
    ``u[c] + v[j] >= points[c, j]`` and ``u, v >= 0``. Complementary slackness fixes
    ``u[c] = points[c, j] - v[j]`` on a used arc and ``u[c] = 0`` for a class with people left,
    so ``v`` is the least solution of difference constraints, found by longest-path relaxation:
    these are the *least* opening prices. Returns ``None`` if the prices do not certify the
    allocation, that is if the flow is not optimal on these arcs.
    """
    w = arc_points.astype(np.int64)
    found = _one_side_prices(arc_class, arc_opening, w, flows, sizes, len(caps), max_rounds)
    if found is None:
        return None
    u, v = found
    if not _certified(u, v, arc_class, arc_opening, w, flows, sizes, caps, total):
        return None
    return u, v


def _greatest_prices(
    arc_class: np.ndarray,
    arc_opening: np.ndarray,
    arc_points: np.ndarray,
    flows: np.ndarray,
    sizes: np.ndarray,
    caps: np.ndarray,
    total: int,
    max_rounds: int = 5000,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The other end of the optimal prices: the least ``u`` (so the *greatest* opening prices),
    by the same relaxation from the people's side: ``u[d] >= u[c] + points[d, j] - points[c, j]``
    for every used arc (c, j) and arc (d, j), and ``u[c] >= points[c, j]`` where ``j`` has
    places left. ``None`` if the flow is not optimal on these arcs."""
    w = arc_points.astype(np.int64)
    found = _one_side_prices(arc_opening, arc_class, w, flows, caps, len(sizes), max_rounds)
    if found is None:
        return None
    v, u = found
    if not _certified(u, v, arc_class, arc_opening, w, flows, sizes, caps, total):
        return None
    return u, v


def _most_gain(
    gain: np.ndarray, slack: np.ndarray, opening: np.ndarray, room: np.ndarray
) -> np.ndarray:
    """Of the pairs ``gain``, at most ``room[j]`` per opening: those of most negative slack."""
    if not len(gain):
        return gain
    gain = gain[np.lexsort((slack[gain], opening[gain]))]
    group = opening[gain]
    rank = np.arange(len(gain)) - np.searchsorted(group, group, side="left")
    return gain[rank < room[group]]


def _exact(
    graph: CandidatePairs,
    sizes: np.ndarray,
    caps: np.ndarray,
    timings: dict[str, float],
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool, int]:
    """Optimum over every feasible pair, proved: column generation from the candidate graph.

    The *pool* (graph + reserve) is held in memory; ``cuts[j]`` bounds the score of every pair
    of opening ``j`` outside it. Each round solves the flow on the working arcs and takes the
    midpoint of the least and the greatest optimal prices (both optimal, so the midpoint is
    too; inside the optimal face, it points at the pairs the optimum will use better than
    either end). Once few pool pairs would raise the total, the openings whose cut exceeds
    their price are scanned again for the pairs above the prices, which join the pool; the pool
    is priced every round. Pairs that would raise the total join the working arcs (at most
    ``PRICING_PER_PLACE`` per place of an opening, the most profitable); when they are few, the
    least prices of the working arcs plus those pairs are tried first, since the flow may
    already be optimal with them, and otherwise the next flow starts from this one and its
    prices (:func:`_warm_flow`) instead of from scratch. No pair left: the prices certify the
    optimum over every pair, those in the pool directly, the others through the cuts or the
    scan at these very prices.

    Returns the working arcs (class, opening, points), their flows, the total, whether the
    optimum was proved and the number of pricing rounds.
    """
    from pes.inclusion import flow as warm

    n_open = len(caps)
    assert graph.reserve is not None and graph.cuts is not None and graph.rescan is not None  # noqa: S101
    n_graph = len(graph.arc_class)
    pool_class = np.concatenate([graph.arc_class, graph.reserve[0]]).astype(np.int64)
    pool_opening = np.concatenate([graph.arc_opening, graph.reserve[1]]).astype(np.int64)
    pool_points = np.concatenate([graph.arc_points, graph.reserve[2]]).astype(np.int64)
    working = np.zeros(len(pool_class), dtype=bool)
    working[:n_graph] = True
    cuts = graph.cuts
    room = caps * PRICING_PER_PLACE
    rounds = 0
    need_solve = True
    scan_all = False
    pruned_at = -1
    arc_class = arc_opening = arc_points = flows = np.zeros(0, dtype=np.int64)
    total = 0
    # the flow of every pool pair in the last solution, its prices and the pairs added since
    pool_flow = np.zeros(len(pool_class), dtype=np.int64)
    last_prices: tuple[np.ndarray, np.ndarray] | None = None
    added = 0
    while True:
        if need_solve:
            solve_started = time.perf_counter()
            arcs = np.nonzero(working)[0]
            arc_class, arc_opening, arc_points = (
                pool_class[arcs],
                pool_opening[arcs],
                pool_points[arcs],
            )
            solved = None
            network = (arc_class, arc_opening, arc_points, sizes, caps)
            if last_prices is not None and added <= WARM_MAX_PAIRS and workers > 1 and _can_fork():
                # from scratch and from the previous optimum at once: the first one wins
                start, prices = pool_flow[arcs], last_prices
                warm.load()  # compiled once here rather than in the child every time
                won = _first_of(
                    [
                        partial(_tagged, "cold", _min_cost_flow, *network),
                        partial(_tagged, "warm", _warm_flow, *network, start, prices, 1 << 40),
                    ]
                )
                if won is not None:
                    solved = won[1]
                    if won[0] == "warm":
                        timings["warm_solve"] = (
                            timings.get("warm_solve", 0.0) + time.perf_counter() - solve_started
                        )
            elif last_prices is not None and added <= WARM_MAX_PAIRS:
                solved = _warm_flow(*network, pool_flow[arcs], last_prices)
                timings["warm_solve"] = (
                    timings.get("warm_solve", 0.0) + time.perf_counter() - solve_started
                )
            if solved is None:
                solved = _min_cost_flow(*network)
            flows, total = solved
            pool_flow[:] = 0
            pool_flow[arcs] = flows
            timings["solve"] += time.perf_counter() - solve_started
        pricing_started = time.perf_counter()
        rounds += 1
        least = _prices(arc_class, arc_opening, arc_points, flows, sizes, caps, total)
        if least is None:  # pragma: no cover - numerical safety net
            timings["pricing"] += time.perf_counter() - pricing_started
            return arc_class, arc_opening, arc_points, flows, total, False, rounds
        greatest = (
            _greatest_prices(arc_class, arc_opening, arc_points, flows, sizes, caps, total)
            if rounds <= MIDPOINT_ROUNDS
            else least
        )
        if greatest is None:  # pragma: no cover - the flow is optimal, so it has them
            greatest = least
        # twice the midpoint (or the least prices), in integers
        u2, v2 = least[0] + greatest[0], least[1] + greatest[1]
        slack2 = u2[pool_class] + v2[pool_opening] - 2 * pool_points
        gaining = int(((slack2 < 0) & ~working).sum())
        # openings whose pool may miss a pair above the prices: scanned again at these prices,
        # in the first round (to find the deep pairs early) and once the pool has few pairs
        # left that would raise the total (before, the prices will move anyway)
        stale = 2 * cuts > v2
        unsure = bool(stale.any())
        if unsure and gaining <= len(arc_class) * TAIL_SHARE:
            scan_started = time.perf_counter()
            found, entries = graph.rescan(
                (u2 / 2, v2 / 2), stale, None if scan_all else PRICING_PER_PLACE
            )
            scan_all = False
            # more pairs above the prices than the cap: not proved this round
            unsure = any(left >= 0 for _j, left in entries)
            known = np.sort(
                pool_class[stale[pool_opening]] * n_open + pool_opening[stale[pool_opening]]
            )
            keys = found[0] * n_open + found[1]
            at = np.minimum(np.searchsorted(known, keys), max(0, len(known) - 1))
            fresh = found[:, known[at] != keys] if len(known) else found
            fresh = fresh[:, np.unique(fresh[0] * n_open + fresh[1], return_index=True)[1]]
            pool_class = np.concatenate([pool_class, fresh[0]])
            pool_opening = np.concatenate([pool_opening, fresh[1]])
            pool_points = np.concatenate([pool_points, fresh[2]])
            working = np.concatenate([working, np.zeros(fresh.shape[1], dtype=bool)])
            pool_flow = np.concatenate([pool_flow, np.zeros(fresh.shape[1], dtype=np.int64)])
            slack2 = np.concatenate([slack2, u2[fresh[0]] + v2[fresh[1]] - 2 * fresh[2]])
            timings["scan"] = timings.get("scan", 0.0) + time.perf_counter() - scan_started
        gain = _most_gain(np.nonzero((slack2 < 0) & ~working)[0], slack2, pool_opening, room)
        last_prices, added = least, len(gain)
        need_solve = True
        if 0 < len(gain) <= len(arc_class) * TAIL_SHARE:
            # a few pairs: the flow may be optimal with them too (then only the prices move)
            more_class = np.concatenate([arc_class, pool_class[gain]])
            more_opening = np.concatenate([arc_opening, pool_opening[gain]])
            more_points = np.concatenate([arc_points, pool_points[gain]])
            more_flows = np.concatenate([flows, np.zeros(len(gain), dtype=np.int64)])
            wider = _prices(more_class, more_opening, more_points, more_flows, sizes, caps, total)
            if wider is not None:
                last_prices = wider
                working[gain] = True
                arc_class, arc_opening, arc_points = more_class, more_opening, more_points
                flows = more_flows
                need_solve = False  # the next round prices again with the new prices
        timings["pricing"] += time.perf_counter() - pricing_started
        if need_solve and not len(gain) and not unsure:
            # every pool pair priced, the others bounded by their cut or scanned at these
            # prices: these prices certify the optimum
            return arc_class, arc_opening, arc_points, flows, total, True, rounds
        if need_solve and 0 < len(gain) <= len(arc_class) * TAIL_SHARE and total > pruned_at:
            # near the optimum: the next flow on the arcs close to these prices only (the
            # others stay in the pool and are priced like any pair); once per better total,
            # so that it cannot go round in circles
            working &= slack2 <= 2 * TAIL_SLACK
            pruned_at = total
        if need_solve and not len(gain):
            # some opening had more pairs above its price than the cap: all of them, at the
            # same prices (the flow stays)
            scan_all = True
            need_solve = False
        working[gain] = True


def allocate(
    people: Sequence[Person],
    openings: Sequence[Opening],
    *,
    distances: Distances,
    max_distance_km: float | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    candidate_limit: int | None = None,
    min_score: float = 0.0,
    candidates: CandidatePairs | None = None,
    exact: bool = False,
    workers: int = 1,
) -> Allocation:
    """The allocation of maximum total score: min-cost flow (OR-Tools) on the pair graph.

    Network: source -> class of people (capacity: people in the class) -> opening (capacity
    ``min(class size, places)``, cost ``1000 - points``) -> sink (capacity ``places``), plus
    a source -> sink bypass of cost 1000 per person left unassigned. The minimum cost is
    ``1000 * people - total points``, so the flow maximises the total score; the person-level
    allocation is read back by giving each class's flow to its members in id order.

    With a candidate limit and ``exact=True`` the result is then proved optimal over every
    feasible pair (column generation, :func:`_exact`): optimal dual prices of the solution are
    computed, every feasible pair is priced against them (the graph's reserve in memory, the
    rest by scanning again only the openings whose reserve may hold a pair above their price),
    pairs that would raise the total join the graph and the flow is solved again, until no pair
    is left: the prices are then a certificate.
    """
    started = time.perf_counter()
    graph = _graph(
        people,
        openings,
        candidates,
        distances=distances,
        weights=weights,
        max_distance_km=max_distance_km,
        candidate_limit=candidate_limit,
        min_score=min_score,
        workers=workers,
    )
    timings = {"candidates": graph.seconds, "solve": 0.0, "pricing": 0.0}
    sizes = np.array([len(c) for c in graph.classes], dtype=np.int64)
    caps = np.array([max(0, o.places) for o in openings], dtype=np.int64)
    proved = graph.candidate_limit is None
    rounds = 0
    if exact and not proved and graph.rescan is not None and graph.reserve is not None:
        arc_class, arc_opening, arc_points, flows, total, proved, rounds = _exact(
            graph, sizes, caps, timings, workers
        )
    else:
        arc_class, arc_opening, arc_points = graph.arc_class, graph.arc_opening, graph.arc_points
        solve_started = time.perf_counter()
        flows, total = _min_cost_flow(arc_class, arc_opening, arc_points, sizes, caps)
        timings["solve"] += time.perf_counter() - solve_started
    read_started = time.perf_counter()
    carrying = np.nonzero(flows)[0]
    # members of a class take their class's arcs best first, in id order
    carrying = carrying[
        np.lexsort((arc_opening[carrying], -arc_points[carrying], arc_class[carrying]))
    ]
    next_member = [0] * len(graph.classes)
    pairs: list[tuple[int, int, int]] = []
    for k in carrying.tolist():
        c = int(arc_class[k])
        start = next_member[c]
        amount = int(flows[k])
        for person_index in graph.classes[c][start : start + amount]:
            pairs.append((person_index, int(arc_opening[k]), int(arc_points[k])))
        next_member[c] = start + amount
    timings["read"] = time.perf_counter() - read_started
    timings["total"] = time.perf_counter() - started + (graph.seconds if candidates else 0.0)
    result = _allocation(
        "min_cost_flow",
        graph,
        pairs,
        timings,
        arcs=int(sizes[arc_class].sum()),
        exact=proved,
        pricing_rounds=rounds,
    )
    if result.total_points != total:  # pragma: no cover - a solver or read-back bug
        raise RuntimeError("allocation read back does not match the solver's optimum")
    return result


def allocate_greedy(
    people: Sequence[Person],
    openings: Sequence[Opening],
    *,
    distances: Distances,
    max_distance_km: float | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
    candidate_limit: int | None = None,
    min_score: float = 0.0,
    candidates: CandidatePairs | None = None,
    workers: int = 1,
) -> Allocation:
    """The baseline: pairs by score desc (then distance, person id, opening id), taken while
    the person is unassigned and the opening has places; on the same candidate graph as
    :func:`allocate` when given the same ``candidates``."""
    started = time.perf_counter()
    graph = _graph(
        people,
        openings,
        candidates,
        distances=distances,
        weights=weights,
        max_distance_km=max_distance_km,
        candidate_limit=candidate_limit,
        min_score=min_score,
        workers=workers,
    )
    timings = {"candidates": graph.seconds}
    solve_started = time.perf_counter()
    first_id = np.array([people[c[0]].id for c in graph.classes], dtype=np.int64)
    opening_ids = np.array([o.id for o in openings], dtype=np.int64)
    order = np.lexsort(
        (
            opening_ids[graph.arc_opening],
            first_id[graph.arc_class],
            graph.arc_km,
            -graph.arc_points,
        )
    )
    remaining_people = [len(c) for c in graph.classes]
    remaining_places = [max(0, o.places) for o in openings]
    next_member = [0] * len(graph.classes)
    pairs: list[tuple[int, int, int]] = []
    arc_class = graph.arc_class[order].tolist()
    arc_opening = graph.arc_opening[order].tolist()
    arc_points = graph.arc_points[order].tolist()
    for c, o, points in zip(arc_class, arc_opening, arc_points, strict=True):
        take = min(remaining_people[c], remaining_places[o])
        if take <= 0:
            continue
        members = graph.classes[c]
        start = next_member[c]
        for person_index in members[start : start + take]:
            pairs.append((person_index, o, points))
        next_member[c] = start + take
        remaining_people[c] -= take
        remaining_places[o] -= take
    timings["solve"] = time.perf_counter() - solve_started
    timings["total"] = time.perf_counter() - started + (graph.seconds if candidates else 0.0)
    return _allocation("greedy", graph, pairs, timings)


# --------------------------------------------------------------------------- synthetic data

#: Entry-level roles of work-inclusion openings: (required skills, desirable skills,
#: minimum education, usual hours, usual shifts, driving licence required, relative frequency).
ROLES: dict[
    str, tuple[tuple[str, ...], tuple[str, ...], int, tuple[int, ...], tuple[str, ...], bool, int]
] = {
    "addetto_pulizie": (
        (),
        ("cleaning", "safety_training", "laundry"),
        0,
        (20, 25, 30),
        ("morning", "evening"),
        False,
        14,
    ),
    "magazziniere": (
        ("warehouse",),
        ("forklift", "packaging", "safety_training", "office_software"),
        2,
        (30, 36, 40),
        ("morning", "afternoon"),
        False,
        12,
    ),
    "aiuto_cuoco": (
        ("kitchen_help",),
        ("haccp", "cooking", "dishwashing"),
        2,
        (25, 30, 36),
        ("morning", "afternoon", "evening"),
        False,
        9,
    ),
    "cameriere": (
        (),
        ("waiting_tables", "haccp", "customer_service", "english"),
        2,
        (20, 30, 36),
        ("afternoon", "evening", "weekend"),
        False,
        8,
    ),
    "addetto_vendite": (
        (),
        ("sales", "cashier", "customer_service", "stocking_shelves"),
        2,
        (20, 30, 40),
        ("morning", "afternoon", "weekend"),
        False,
        9,
    ),
    "operatore_ecologico": (
        (),
        ("recycling_sorting", "safety_training", "driving_vans"),
        2,
        (36, 40),
        ("morning",),
        False,
        6,
    ),
    "giardiniere": (
        ("gardening",),
        ("agriculture", "safety_training", "driving_vans"),
        0,
        (25, 30, 36),
        ("morning",),
        False,
        5,
    ),
    "assistente_familiare": (
        ("elderly_care",),
        ("cooking", "cleaning", "first_aid"),
        2,
        (20, 25, 30, 40),
        ("morning", "afternoon", "night"),
        False,
        7,
    ),
    "addetto_data_entry": (
        ("office_software",),
        ("data_entry", "customer_service", "english"),
        4,
        (20, 30, 36),
        ("morning", "afternoon"),
        False,
        5,
    ),
    "centralinista": (
        (),
        ("call_center", "customer_service", "office_software"),
        4,
        (20, 25, 30),
        ("morning", "afternoon"),
        False,
        4,
    ),
    "autista_consegne": (
        ("driving_vans",),
        ("delivery", "warehouse", "customer_service"),
        2,
        (36, 40),
        ("morning", "afternoon"),
        True,
        5,
    ),
    "operaio_assemblaggio": (
        (),
        ("assembly", "packaging", "safety_training"),
        2,
        (36, 40),
        ("morning", "afternoon", "night"),
        False,
        7,
    ),
    "manutentore": (
        ("building_maintenance",),
        ("painting", "electrical_basics", "plumbing_basics", "carpentry"),
        3,
        (30, 36, 40),
        ("morning",),
        False,
        3,
    ),
    "addetto_lavanderia": (
        (),
        ("laundry", "sewing", "cleaning"),
        0,
        (20, 25, 30),
        ("morning",),
        False,
        3,
    ),
    "portiere": (
        (),
        ("reception", "customer_service", "security"),
        2,
        (20, 30, 40),
        ("morning", "afternoon", "night", "weekend"),
        False,
        3,
    ),
    "ciclofficina": (
        ("bicycle_repair",),
        ("customer_service", "sales"),
        0,
        (20, 25),
        ("afternoon", "weekend"),
        False,
        1,
    ),
}
LANGUAGES = (
    ("it", 86),
    ("en", 18),
    ("ar", 9),
    ("ro", 7),
    ("fr", 6),
    ("es", 4),
    ("uk", 3),
    ("ur", 3),
    ("wo", 2),
    ("sq", 2),
    ("zh", 1),
)
CONTRACT_MIX = (
    (Contract.INTERNSHIP, 35),
    (Contract.FIXED_TERM, 35),
    (Contract.PERMANENT, 20),
    (Contract.APPRENTICESHIP, 10),
)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs], k=1)[0]


def generate_instance(
    *,
    people: int,
    places: int,
    municipalities: Mapping[str, int],
    seed: int,
    max_places_per_opening: int = 8,
) -> tuple[list[Person], list[Opening]]:
    """Realistic synthetic people and openings, deterministic for ``seed``.

    ``municipalities`` maps ISTAT codes to population: people live where the population
    lives, openings concentrate a little more in the larger municipalities. Openings are drawn
    from :data:`ROLES` with 1 to ``max_places_per_opening`` places each until their places add
    up to ``places``; each person has one to four skills, mostly from one or two roles.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    codes = sorted(municipalities)
    population = [max(1, municipalities[c]) for c in codes]
    job_weight = [p**1.15 for p in population]
    role_names = sorted(ROLES)
    role_weight = [ROLES[r][6] for r in role_names]
    all_skills = sorted({s for r in ROLES.values() for s in (*r[0], *r[1])})

    openings: list[Opening] = []
    total = 0
    while total < places:
        role = rng.choices(role_names, weights=role_weight, k=1)[0]
        required, desirable, min_edu, hours, role_shifts, licence, _f = ROLES[role]
        n_places = min(
            places - total,
            _weighted(
                rng, ((1, 55), (2, 20), (3, 10), (4, 6), (5, 5), (max_places_per_opening, 4))
            ),
        )
        k = rng.randint(1, min(3, len(desirable)))
        opening_shifts = frozenset(rng.sample(role_shifts, rng.randint(1, len(role_shifts))))
        openings.append(
            Opening(
                id=len(openings) + 1,
                municipality=rng.choices(codes, weights=job_weight, k=1)[0],
                required_skills=frozenset(required),
                desirable_skills=frozenset(rng.sample(desirable, k)),
                languages=frozenset({"it"}) if rng.random() < 0.55 else frozenset(),
                min_education=min_edu,
                hours_per_week=rng.choice(hours),
                shifts=opening_shifts if rng.random() < 0.7 else frozenset(),
                contract=_weighted(rng, CONTRACT_MIX),
                places=n_places,
                step_free_access=rng.random() < 0.6,
                public_transport=rng.random() < 0.8,
                requires_driving_licence=licence or rng.random() < 0.05,
            )
        )
        total += n_places

    out: list[Person] = []
    for i in range(people):
        skills: set[str] = set()
        for role in rng.choices(role_names, weights=role_weight, k=rng.choice((1, 1, 2))):
            required, desirable, *_rest = ROLES[role]
            skills |= set(required)
            skills |= set(rng.sample(desirable, rng.randint(0, min(2, len(desirable)))))
        if rng.random() < 0.15 or not skills:
            skills.add(rng.choice(all_skills))
        if len(skills) > 4:
            skills = set(rng.sample(sorted(skills), 4))
        languages = {lang for lang, pct in LANGUAGES if rng.random() * 100 < pct}
        if not languages:
            languages = {_weighted(rng, LANGUAGES[1:])}
        care = rng.random() < 0.2
        max_hours = rng.choice((20, 25)) if care else rng.choice((25, 30, 36, 40, 40))
        shifts: frozenset[str] = frozenset()
        if rng.random() < 0.4:
            shifts = frozenset(rng.sample([s.value for s in Shift], rng.randint(1, 3)))
        out.append(
            Person(
                id=i + 1,
                municipality=rng.choices(codes, weights=population, k=1)[0],
                skills=frozenset(skills),
                languages=frozenset(languages),
                education=_weighted(
                    rng, ((0, 3), (1, 5), (2, 40), (3, 20), (4, 25), (5, 5), (6, 2))
                ),
                max_hours_per_week=max_hours,
                min_hours_per_week=rng.choice((0, 0, 0, 15, 20)) if not care else 0,
                shifts=shifts,
                max_travel_km=_weighted(
                    rng, ((None, 25), (5.0, 10), (10.0, 20), (15.0, 20), (25.0, 15), (40.0, 10))
                ),
                needs_public_transport=rng.random() < 0.45,
                has_driving_licence=rng.random() < 0.4,
                needs_step_free_access=rng.random() < 0.06,
                care_duties=care,
                contracts=frozenset(rng.sample([c.value for c in Contract], 2))
                if rng.random() < 0.3
                else frozenset(),
            )
        )
    return out, openings
