"""The matching engine on its own: plain dataclasses in, suggestions and allocations out."""

from __future__ import annotations

import itertools
import random
from functools import cache

import numpy as np
import pytest
from django.utils import translation

from pes.inclusion import matching as m
from pes.inclusion.matching import Contract, Education, Opening, Person, Shift, Weights
from pes.territory.loader import read_rows

BOLOGNA = "037006"
IMOLA = "037032"
CASALECCHIO = "037011"  # next to Bologna
SAN_LAZZARO = "037054"


@cache
def municipalities() -> tuple[dict[str, int], m.DistanceMatrix]:
    rows = read_rows()
    population = {r["codice_istat"]: int(r["popolazione_2021"]) for r in rows}
    coordinates = {r["codice_istat"]: (float(r["lat"]), float(r["lon"])) for r in rows}
    return population, m.DistanceMatrix.from_coordinates(coordinates)


def distances() -> m.DistanceMatrix:
    return municipalities()[1]


def km(a: str, b: str) -> float:
    return distances()(a, b)


def person(**fields: object) -> Person:
    base: dict[str, object] = {"id": 1, "municipality": BOLOGNA, "skills": frozenset({"cleaning"})}
    base.update(fields)
    return Person(**base)  # type: ignore[arg-type]


def opening(**fields: object) -> Opening:
    base: dict[str, object] = {"id": 10, "municipality": BOLOGNA, "hours_per_week": 30}
    base.update(fields)
    return Opening(**base)  # type: ignore[arg-type]


def codes(reasons: tuple[m.Reason, ...] | list[m.Reason]) -> list[str]:
    return [r.code for r in reasons]


# --------------------------------------------------------------------------- one pair


def test_a_perfect_pair_in_the_same_municipality_scores_100_with_its_reasons() -> None:
    p = person(skills=frozenset({"warehouse", "forklift"}), max_hours_per_week=36)
    o = opening(required_skills={"warehouse"}, desirable_skills={"forklift"}, hours_per_week=36)
    suggestion = m.score_pair(p, o, distance_km=0.0)
    assert suggestion is not None
    assert suggestion.score == 100.0
    assert suggestion.points == 1000
    assert codes(suggestion.reasons) == [
        "skills_required",
        "skills_desirable",
        "distance_same_municipality",
        "hours_fit",
    ]
    required, desirable = suggestion.reasons[0], suggestion.reasons[1]
    assert required.params == {"skills": ["warehouse"]}
    assert desirable.params == {"matched": 1, "total": 1, "skills": ["forklift"]}
    assert all(r.kind == "positive" for r in suggestion.reasons)


def test_reasons_read_as_english_sentences_with_their_numbers() -> None:
    p = person(
        skills=frozenset({"cleaning"}),
        max_hours_per_week=25,
        care_duties=True,
        needs_public_transport=True,
        contracts=frozenset({Contract.PERMANENT}),
    )
    o = opening(
        municipality=IMOLA,
        desirable_skills={"cleaning", "laundry"},
        hours_per_week=20,
        contract=Contract.INTERNSHIP,
    )
    suggestion = m.score_pair(p, o, distance_km=km(BOLOGNA, IMOLA))
    assert suggestion is not None
    with translation.override("en"):
        texts = [r.text for r in suggestion.reasons]
    assert "Has 1 of 2 desirable skills" in texts
    assert f"Workplace {round(km(BOLOGNA, IMOLA), 1)} km away" in texts
    assert "Reachable by public transport" in texts
    assert "20 hours a week, compatible with care duties (up to 25)" in texts
    assert "Contract not among the preferred kinds" in texts
    kinds = {r.code: r.kind for r in suggestion.reasons}
    assert kinds["contract_not_preferred"] == "negative"
    assert kinds["distance"] == "negative"  # about 33 km with the default 50 km scale


def test_fewer_hours_than_wanted_and_partial_shifts_lower_the_score_and_say_so() -> None:
    o = opening(hours_per_week=20, shifts=frozenset({Shift.MORNING, Shift.EVENING}))
    happy = m.score_pair(person(), o, distance_km=0.0)
    wants_more = m.score_pair(
        person(min_hours_per_week=30, shifts=frozenset({Shift.MORNING})), o, distance_km=0.0
    )
    assert happy is not None and wants_more is not None
    assert wants_more.score < happy.score
    reasons = {r.code: r for r in wants_more.reasons}
    assert reasons["hours_short"].params == {"hours": 20, "min": 30}
    assert reasons["shifts"].params["matched"] == 1
    assert reasons["shifts"].params["total"] == 2
    # 15 points for hours weighted by 20/30, 5 points for shifts weighted by 1/2
    assert wants_more.score == pytest.approx(100 - 5.0 - 2.5)


EXCLUDED = [
    ("too_far", person(), opening(municipality=IMOLA), {"max_distance_km": 20}),
    ("too_far", person(max_travel_km=10.0), opening(municipality=IMOLA), {}),
    (
        "no_public_transport",
        person(needs_public_transport=True),
        opening(public_transport=False),
        {},
    ),
    ("too_many_hours", person(max_hours_per_week=20, care_duties=True), opening(), {}),
    ("missing_skills", person(), opening(required_skills={"forklift"}), {}),
    ("missing_languages", person(languages=frozenset({"ar"})), opening(languages={"it"}), {}),
    (
        "education_below",
        person(education=Education.LOWER_SECONDARY),
        opening(min_education=Education.UPPER_SECONDARY),
        {},
    ),
    ("driving_licence", person(), opening(requires_driving_licence=True), {}),
    ("no_step_free_access", person(needs_step_free_access=True), opening(), {}),
    (
        "shifts_incompatible",
        person(shifts=frozenset({Shift.MORNING})),
        opening(shifts={Shift.NIGHT}),
        {},
    ),
]


@pytest.mark.parametrize(("code", "p", "o", "options"), EXCLUDED, ids=[e[0] for e in EXCLUDED])
def test_a_hard_constraint_excludes_the_pair_and_is_named(
    code: str, p: Person, o: Opening, options: dict[str, float]
) -> None:
    distance = km(p.municipality, o.municipality)
    assert m.score_pair(p, o, distance_km=distance, **options) is None
    found = m.exclusions(p, o, distance_km=distance, **options)
    assert codes(found) == [code]
    assert all(r.kind == "exclusion" for r in found)
    with translation.override("en"):
        assert found[0].text


def test_the_pair_is_accepted_once_the_constraint_is_met() -> None:
    p = person(needs_public_transport=True, has_driving_licence=True, max_travel_km=40.0)
    o = opening(municipality=IMOLA, requires_driving_licence=True, public_transport=True)
    assert m.exclusions(p, o, distance_km=km(BOLOGNA, IMOLA)) == []
    assert m.score_pair(p, o, distance_km=km(BOLOGNA, IMOLA)) is not None


def test_nearer_and_better_skilled_pairs_score_higher() -> None:
    o_near = opening(id=1, desirable_skills={"cleaning", "laundry"})
    o_far = opening(id=2, municipality=IMOLA, desirable_skills={"cleaning", "laundry"})
    p = person()
    near = m.score_pair(p, o_near, distance_km=0.0)
    far = m.score_pair(p, o_far, distance_km=km(BOLOGNA, IMOLA))
    richer = m.score_pair(
        person(skills=frozenset({"cleaning", "laundry"})), o_near, distance_km=0.0
    )
    assert near is not None and far is not None and richer is not None
    assert far.score < near.score < richer.score


def test_weights_change_the_balance_and_bad_weights_are_refused() -> None:
    p = person(contracts=frozenset({Contract.PERMANENT}))
    o = opening(contract=Contract.INTERNSHIP)
    default = m.score_pair(p, o, distance_km=0.0)
    contract_heavy = m.score_pair(p, o, distance_km=0.0, weights=Weights(contract=100.0))
    assert default is not None and contract_heavy is not None
    assert contract_heavy.score < default.score
    with pytest.raises(ValueError, match="non-negative"):
        Weights(skills=-1.0)
    with pytest.raises(ValueError, match="non-negative"):
        Weights(skills=0, distance=0, hours=0, shifts=0, contract=0)


def test_distances_come_from_coordinates_or_from_a_function() -> None:
    matrix = distances()
    assert matrix(BOLOGNA, BOLOGNA) == 0.0
    assert matrix(BOLOGNA, IMOLA) == matrix(IMOLA, BOLOGNA)
    assert 30 < matrix(BOLOGNA, IMOLA) < 40
    people = [person(id=1), person(id=2, municipality=IMOLA)]
    openings = [opening(id=1), opening(id=2, municipality=IMOLA)]
    by_matrix = m.rank_openings_for_person(people[1], openings, distances=matrix)
    by_function = m.rank_openings_for_person(people[1], openings, distances=matrix.__call__)
    assert by_matrix == by_function
    with pytest.raises(ValueError, match="no distances"):
        m.allocate(
            [person(municipality="999999")],
            openings,
            distances=m.DistanceMatrix([], np.zeros((0, 0))),
        )


# --------------------------------------------------------------------------- ranked lists


def test_openings_for_a_person_come_best_first_then_nearest_then_by_id() -> None:
    p = person(skills=frozenset({"cleaning", "laundry"}))
    openings = [
        opening(id=5, municipality=IMOLA, desirable_skills={"cleaning"}),
        opening(id=4, municipality=CASALECCHIO, desirable_skills={"cleaning"}),
        opening(id=3, desirable_skills={"laundry", "sewing"}),
        opening(id=2, desirable_skills={"cleaning"}),
        opening(id=1, desirable_skills={"cleaning"}),
        opening(id=6, required_skills={"forklift"}),  # excluded
        opening(id=7, places=0),  # no places left
    ]
    ranked = m.rank_openings_for_person(p, openings, distances=distances())
    # equal best scores in Bologna by id, then Casalecchio (near), Imola (far), then the
    # Bologna opening that wants skills the person mostly lacks
    assert [s.opening_id for s in ranked] == [1, 2, 4, 5, 3]
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranked[0].score == ranked[1].score == 100.0
    assert all(s.reasons for s in ranked)
    assert [
        s.opening_id
        for s in m.rank_openings_for_person(p, openings, distances=distances(), limit=2)
    ] == [1, 2]
    limited = m.rank_openings_for_person(p, openings, distances=distances(), max_distance_km=20)
    assert 5 not in [s.opening_id for s in limited]
    assert all(
        s.score >= 90
        for s in m.rank_openings_for_person(p, openings, distances=distances(), min_score=90)
    )


def test_people_for_an_opening_come_best_first_and_excluded_people_are_left_out() -> None:
    o = opening(municipality=SAN_LAZZARO, desirable_skills={"cleaning", "laundry"})
    people = [
        person(id=1, municipality=IMOLA),
        person(id=2, municipality=SAN_LAZZARO),
        person(id=3, municipality=BOLOGNA, skills=frozenset({"cleaning", "laundry"})),
        person(id=4, municipality=SAN_LAZZARO, max_hours_per_week=20),  # excluded
        person(id=5, municipality=SAN_LAZZARO),
    ]
    ranked = m.rank_people_for_opening(o, people, distances=distances())
    # both desirable skills outweigh a few km; equal scores and places go by id
    assert [s.person_id for s in ranked] == [3, 2, 5, 1]
    assert ranked[1].score == ranked[2].score > ranked[3].score
    assert m.rank_people_for_opening(o, people, distances=distances(), limit=0) == []


# --------------------------------------------------------------------------- generated data


def instance(people: int, places: int, seed: int) -> tuple[list[Person], list[Opening]]:
    population, _matrix = municipalities()
    return m.generate_instance(people=people, places=places, municipalities=population, seed=seed)


def test_generated_instances_are_realistic_and_deterministic_for_a_seed() -> None:
    people, openings = instance(400, 150, seed=7)
    again_people, again_openings = instance(400, 150, seed=7)
    other_people, _other = instance(400, 150, seed=8)
    assert people == again_people and openings == again_openings
    assert people != other_people
    assert len(people) == 400
    assert sum(o.places for o in openings) == 150
    assert all(o.places >= 1 for o in openings)
    assert all(1 <= len(p.skills) <= 4 for p in people)
    assert sum(p.municipality == BOLOGNA for p in people) > 100  # about 39% live in Bologna
    assert {o.contract for o in openings} == set(Contract)
    assert any(p.care_duties and p.max_hours_per_week <= 25 for p in people)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("max_distance_km", [None, 15.0])
def test_vectorised_scores_equal_the_pair_by_pair_scores(
    seed: int, max_distance_km: float | None
) -> None:
    people, openings = instance(250, 120, seed=seed)
    graph = m.candidate_pairs(
        people, openings, distances=distances(), max_distance_km=max_distance_km
    )
    got = {
        (people[i].id, openings[int(o)].id): int(points)
        for c, o, points in zip(graph.arc_class, graph.arc_opening, graph.arc_points, strict=True)
        for i in graph.classes[int(c)]
    }
    expected = {}
    for p in people:
        for o in openings:
            s = m.score_pair(
                p,
                o,
                distance_km=km(p.municipality, o.municipality),
                max_distance_km=max_distance_km,
            )
            if s is not None:
                expected[(p.id, o.id)] = s.points
    assert got == expected
    assert graph.feasible_pairs == graph.arcs == len(expected) > 0


def test_a_minimum_score_drops_the_weaker_pairs() -> None:
    people, openings = instance(200, 80, seed=4)
    everything = m.candidate_pairs(people, openings, distances=distances())
    strong = m.candidate_pairs(people, openings, distances=distances(), min_score=90)
    assert 0 < strong.arcs < everything.arcs
    assert int(strong.arc_points.min()) >= 900
    assert strong.arcs == int((everything.arc_points >= 900).sum())


def test_a_candidate_limit_keeps_each_openings_best_people_per_place() -> None:
    people, openings = instance(600, 100, seed=5)
    full = m.candidate_pairs(people, openings, distances=distances())
    limited = m.candidate_pairs(people, openings, distances=distances(), candidate_limit=3)
    assert limited.truncated_openings > 0
    assert limited.feasible_pairs is None
    for j, o in enumerate(openings):
        mine = limited.arc_points[limited.arc_opening == j]
        theirs = np.sort(full.arc_points[full.arc_opening == j])[::-1]
        assert len(mine) == min(len(theirs), 3 * o.places)
        # the kept scores are the best ones (ties may pick different people)
        assert sorted(mine.tolist(), reverse=True) == theirs[: len(mine)].tolist()
    with pytest.raises(ValueError, match="candidate_limit"):
        m.candidate_pairs(people, openings, distances=distances(), candidate_limit=0)


def test_scoring_in_threads_gives_the_same_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    people, openings = instance(500, 200, seed=6)
    one = m.candidate_pairs(people, openings, distances=distances(), candidate_limit=4)
    # small jobs: a municipality's openings are split between the threads
    monkeypatch.setattr(m, "JOB_OPENINGS", 3)
    two = m.candidate_pairs(people, openings, distances=distances(), candidate_limit=4, workers=2)
    assert one.reserve is not None and two.reserve is not None
    assert np.array_equal(one.cuts, two.cuts)
    for name in ("arc_class", "arc_opening", "arc_points", "arc_km"):
        assert np.array_equal(getattr(one, name), getattr(two, name))
    key = lambda r: sorted(zip(*(row.tolist() for row in r), strict=True))  # noqa: E731
    assert key(one.reserve) == key(two.reserve)


def test_the_reserve_and_the_cuts_bound_every_pair_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(m, "RESERVE_PER_PLACE", 6)
    people, openings = instance(600, 200, seed=8)
    whole = m.candidate_pairs(people, openings, distances=distances(), max_distance_km=30)
    graph = m.candidate_pairs(
        people, openings, distances=distances(), max_distance_km=30, candidate_limit=2
    )
    assert graph.reserve is not None and graph.cuts is not None and graph.rescan is not None
    kept = {
        (c, o)
        for c, o in zip(
            np.concatenate([graph.arc_class, graph.reserve[0]]).tolist(),
            np.concatenate([graph.arc_opening, graph.reserve[1]]).tolist(),
            strict=True,
        )
    }
    assert len(kept) == graph.class_arcs + graph.reserve.shape[1]  # graph and reserve apart
    left_out = 0
    for c, o, p in zip(
        whole.arc_class.tolist(), whole.arc_opening.tolist(), whole.arc_points.tolist(), strict=True
    ):
        if (c, o) not in kept:
            left_out += 1
            assert p <= graph.cuts[o]
    assert left_out > 0 and (graph.cuts >= 0).any()
    # scanning again at some prices finds exactly the pairs above them
    rng = np.random.default_rng(3)
    class_price = rng.integers(0, 300, len(graph.classes)).astype(np.float64)
    opening_price = rng.integers(300, 700, len(openings)).astype(np.float64)
    only = rng.random(len(openings)) < 0.5
    found, entries = graph.rescan((class_price, opening_price), only, None)
    expected = {
        (c, o, p)
        for c, o, p in zip(
            whole.arc_class.tolist(),
            whole.arc_opening.tolist(),
            whole.arc_points.tolist(),
            strict=True,
        )
        if only[o] and p > class_price[c] + opening_price[o]
    }
    assert set(zip(*(row.tolist() for row in found), strict=True)) == expected
    assert expected and all(left == -1 for _o, left in entries)
    # with a cap, the best ones and the cut-off score of those left out
    capped, entries = graph.rescan((class_price, opening_price), only, 1)
    cut = dict(entries)
    for o in {o for _c, o, _p in expected}:
        mine = sorted((p for _c, oo, p in expected if oo == o), reverse=True)
        got = sorted(capped[2][capped[1] == o].tolist(), reverse=True)
        assert got == mine[: openings[o].places]
        assert cut[o] == (-1 if len(mine) <= openings[o].places else got[-1])


# --------------------------------------------------------------------------- allocation


def check_allocation(
    allocation: m.Allocation,
    people: list[Person],
    openings: list[Opening],
    max_distance_km: float | None = None,
) -> None:
    by_id = {p.id: p for p in people}
    openings_by_id = {o.id: o for o in openings}
    person_ids = [a.person_id for a in allocation.assignments]
    assert len(person_ids) == len(set(person_ids)), "a person got two openings"
    for opening_id, assigned in allocation.by_opening().items():
        assert len(assigned) <= openings_by_id[opening_id].places, "an opening is over capacity"
    total = 0
    for a in allocation.assignments:
        p, o = by_id[a.person_id], openings_by_id[a.opening_id]
        s = m.score_pair(
            p, o, distance_km=km(p.municipality, o.municipality), max_distance_km=max_distance_km
        )
        assert s is not None, "an excluded pair was allocated"
        assert s.score == a.score
        total += s.points
    assert total == allocation.total_points
    assert allocation.unassigned_people == len(people) - allocation.assigned
    assert allocation.unfilled_places == sum(o.places for o in openings) - allocation.assigned


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15])
def test_the_allocation_respects_capacities_and_is_never_below_greedy(seed: int) -> None:
    people, openings = instance(500, 220, seed=seed)
    optimal = m.allocate(people, openings, distances=distances(), max_distance_km=25)
    greedy = m.allocate_greedy(people, openings, distances=distances(), max_distance_km=25)
    check_allocation(optimal, people, openings, 25)
    check_allocation(greedy, people, openings, 25)
    assert optimal.method == "min_cost_flow" and greedy.method == "greedy"
    assert optimal.arcs == greedy.arcs
    assert optimal.total_points >= greedy.total_points
    assert optimal.assigned > 0


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_on_one_candidate_graph_the_flow_is_never_below_greedy(seed: int) -> None:
    people, openings = instance(900, 250, seed=seed)
    graph = m.candidate_pairs(
        people, openings, distances=distances(), max_distance_km=30, candidate_limit=3
    )
    optimal = m.allocate(people, openings, distances=distances(), candidates=graph)
    greedy = m.allocate_greedy(people, openings, distances=distances(), candidates=graph)
    full = m.allocate(people, openings, distances=distances(), max_distance_km=30)
    check_allocation(optimal, people, openings, 30)
    check_allocation(greedy, people, openings, 30)
    assert greedy.total_points <= optimal.total_points <= full.total_points
    assert optimal.candidate_limit == 3 and optimal.arcs == greedy.arcs == graph.arcs
    with pytest.raises(ValueError, match="other people"):
        m.allocate(people[:-1], openings, distances=distances(), candidates=graph)


def test_the_flow_beats_greedy_where_the_greedy_choice_blocks_a_better_pair() -> None:
    # Anna is the best fit for the Bologna opening, but she is also the only one who can take
    # the forklift job in San Lazzaro; Bruno can only work in Bologna.
    anna = person(id=1, skills=frozenset({"warehouse", "forklift"}))
    bruno = person(id=2, skills=frozenset({"warehouse"}))
    bologna = opening(id=1, required_skills={"warehouse"}, desirable_skills={"forklift"})
    san_lazzaro = opening(id=2, municipality=SAN_LAZZARO, required_skills={"forklift"})
    people, openings = [anna, bruno], [bologna, san_lazzaro]
    greedy = m.allocate_greedy(people, openings, distances=distances())
    optimal = m.allocate(people, openings, distances=distances())
    assert {(a.person_id, a.opening_id) for a in greedy.assignments} == {(1, 1)}
    assert {(a.person_id, a.opening_id) for a in optimal.assignments} == {(1, 2), (2, 1)}
    assert optimal.total_score > greedy.total_score
    assert greedy.unfilled_places == 1 and optimal.unfilled_places == 0


def tiny_instance(seed: int) -> tuple[list[Person], list[Opening]]:
    rng = random.Random(seed)  # noqa: S311 - test data
    places = [BOLOGNA, CASALECCHIO, SAN_LAZZARO, IMOLA]
    skills = ["cleaning", "warehouse", "kitchen_help", "laundry"]
    people = [
        Person(
            id=i + 1,
            municipality=rng.choice(places),
            skills=frozenset(rng.sample(skills, rng.randint(1, 3))),
            max_hours_per_week=rng.choice((20, 30, 40)),
            min_hours_per_week=rng.choice((0, 0, 25)),
            max_travel_km=rng.choice((None, 10.0, 40.0)),
            contracts=frozenset(rng.sample(list(Contract), rng.randint(0, 2))),
        )
        for i in range(rng.randint(3, 6))
    ]
    openings = [
        Opening(
            id=j + 1,
            municipality=rng.choice(places),
            required_skills=frozenset(rng.sample(skills, rng.randint(0, 1))),
            desirable_skills=frozenset(rng.sample(skills, 2)),
            hours_per_week=rng.choice((20, 30)),
            contract=rng.choice(list(Contract)),
            places=rng.randint(1, 2),
        )
        for j in range(rng.randint(2, 3))
    ]
    return people, openings


def brute_force(people: list[Person], openings: list[Opening]) -> int:
    """Every way of giving each person an opening or nothing, within the places."""
    options: list[list[tuple[int | None, int]]] = []
    for p in people:
        row: list[tuple[int | None, int]] = [(None, 0)]
        for j, o in enumerate(openings):
            s = m.score_pair(p, o, distance_km=km(p.municipality, o.municipality))
            if s is not None:
                row.append((j, s.points))
        options.append(row)
    best = 0
    for choice in itertools.product(*options):
        used = [0] * len(openings)
        for taken, _points in choice:
            if taken is not None:
                used[taken] += 1
        if all(used[k] <= o.places for k, o in enumerate(openings)):
            best = max(best, sum(points for _j, points in choice))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_flow_finds_the_brute_force_optimum_on_tiny_instances(seed: int) -> None:
    people, openings = tiny_instance(seed)
    optimal = m.allocate(people, openings, distances=distances())
    check_allocation(optimal, people, openings)
    assert optimal.total_points == brute_force(people, openings)
    assert (
        m.allocate_greedy(people, openings, distances=distances()).total_points
        <= optimal.total_points
    )


def test_identical_people_share_a_supply_node_but_get_their_own_assignment() -> None:
    twins = [person(id=i) for i in (30, 10, 20)]
    other = person(id=40, municipality=SAN_LAZZARO)
    o = opening(places=2)
    graph = m.candidate_pairs([*twins, other], [o], distances=distances())
    assert len(graph.classes) == 2 and graph.class_arcs == 2 and graph.arcs == 4
    allocation = m.allocate([*twins, other], [o], distances=distances())
    # the two places go to the two best (equal) people in id order
    assert [a.person_id for a in allocation.assignments] == [10, 20]
    assert allocation.unassigned_people == 2


def test_allocations_are_deterministic_and_report_their_timings() -> None:
    people, openings = instance(400, 150, seed=31)
    first = m.allocate(people, openings, distances=distances(), max_distance_km=25)
    second = m.allocate(people, openings, distances=distances(), max_distance_km=25)
    assert first.assignments == second.assignments
    summary = first.summary()
    assert summary["assigned"] == first.assigned and summary["total_score"] == first.total_score
    assert {"candidates", "solve", "pricing", "read", "total"} <= set(first.timings)
    assert all(value >= 0 for value in first.timings.values())


def test_no_people_or_no_openings_give_an_empty_allocation() -> None:
    empty = m.allocate([], [opening()], distances=distances())
    assert empty.assignments == () and empty.unfilled_places == 1
    nobody = m.allocate([person()], [], distances=distances())
    assert nobody.assignments == () and nobody.unassigned_people == 1
    assert m.allocate_greedy([person()], [opening(places=0)], distances=distances()).assigned == 0


@pytest.mark.parametrize("seed", [41, 42, 43, 44])
def test_pricing_proves_the_candidate_graph_optimum_is_the_whole_graph_optimum(seed: int) -> None:
    people, openings = instance(1200, 400, seed=seed)
    whole = m.allocate(people, openings, distances=distances(), max_distance_km=30)
    cut = m.allocate(people, openings, distances=distances(), max_distance_km=30, candidate_limit=2)
    proved = m.allocate(
        people, openings, distances=distances(), max_distance_km=30, candidate_limit=2, exact=True
    )
    assert whole.exact and not cut.exact and proved.exact
    assert proved.pricing_rounds >= 1
    assert cut.total_points <= proved.total_points == whole.total_points
    assert proved.arcs < whole.arcs  # it got there on a fraction of the pairs
    check_allocation(proved, people, openings, 30)
    assert proved.timings["pricing"] > 0


@pytest.mark.parametrize("seed", [61, 62, 63])
def test_a_small_pool_still_proves_the_whole_graph_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reserve of 3 per place: openings are scanned again; few pairs per round, and the tail
    # path (pruned flows, prices tried with the new pairs) from the first round on
    monkeypatch.setattr(m, "RESERVE_PER_PLACE", 3)
    monkeypatch.setattr(m, "PRICING_PER_PLACE", 1)
    monkeypatch.setattr(m, "TAIL_SHARE", 1.0)
    monkeypatch.setattr(m, "TAIL_SLACK", 5)
    people, openings = instance(1500, 500, seed=seed)
    whole = m.allocate(people, openings, distances=distances(), max_distance_km=30)
    proved = m.allocate(
        people, openings, distances=distances(), max_distance_km=30, candidate_limit=1, exact=True
    )
    greedy = m.allocate_greedy(people, openings, distances=distances(), max_distance_km=30)
    assert proved.exact and proved.pricing_rounds > 1
    assert proved.total_points == whole.total_points >= greedy.total_points
    assert proved.timings["scan"] > 0
    assert proved.timings["warm_solve"] > 0  # some flows started from the previous one
    check_allocation(proved, people, openings, 30)
    # two workers: each flow from scratch and from the previous one at once, the first wins
    raced = m.allocate(
        people,
        openings,
        distances=distances(),
        max_distance_km=30,
        candidate_limit=1,
        exact=True,
        workers=2,
    )
    assert raced.exact and raced.total_points == proved.total_points
    check_allocation(raced, people, openings, 30)
    # without warm starts (OR-Tools from scratch each time): the same optimum
    monkeypatch.setattr(m, "WARM_MAX_PHASES", 0)
    cold = m.allocate(
        people, openings, distances=distances(), max_distance_km=30, candidate_limit=1, exact=True
    )
    assert cold.exact and cold.total_points == proved.total_points


def slow_none() -> None:
    import time

    time.sleep(0.2)


def slow_seven() -> int:
    import time

    time.sleep(0.3)
    return 7


def test_the_first_result_of_forked_tasks_wins() -> None:
    import functools
    import time

    assert m._first_of([functools.partial(time.sleep, 5), lambda: "fast"]) == "fast"
    # a task without a result does not win; when none has one, nothing does
    assert m._first_of([lambda: None, slow_none, slow_seven]) == 7
    assert m._first_of([lambda: None, slow_none]) is None
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        m._first_of([lambda: 1 / 0])


def test_a_flow_started_from_the_previous_optimum_equals_one_from_scratch() -> None:
    people, openings = instance(900, 300, seed=57)
    graph = m.candidate_pairs(people, openings, distances=distances(), max_distance_km=25)
    sizes = np.array([len(c) for c in graph.classes])
    caps = np.array([o.places for o in openings])
    rng = np.random.default_rng(5)
    first = rng.random(len(graph.arc_class)) < 0.8
    arcs = (graph.arc_class[first], graph.arc_opening[first], graph.arc_points[first])
    flows, total = m._min_cost_flow(*arcs, sizes, caps)
    prices = m._prices(*arcs, flows, sizes, caps, total)
    assert prices is not None
    # every arc, the first ones with their flows, the others new
    order = np.concatenate([np.nonzero(first)[0], np.nonzero(~first)[0]])
    every = (graph.arc_class[order], graph.arc_opening[order], graph.arc_points[order])
    start = np.concatenate([flows, np.zeros(int((~first).sum()), dtype=np.int64)])
    warm = m._warm_flow(*every, sizes, caps, start, prices)
    assert warm is not None
    cold_flows, cold_total = m._min_cost_flow(*every, sizes, caps)
    assert warm[1] == cold_total > total
    assert m._prices(*every, warm[0], sizes, caps, warm[1]) is not None  # optimal, certified


def test_least_and_greatest_prices_bound_every_optimal_price() -> None:
    people, openings = instance(800, 300, seed=52)
    graph = m.candidate_pairs(people, openings, distances=distances(), max_distance_km=20)
    sizes = np.array([len(c) for c in graph.classes])
    caps = np.array([o.places for o in openings])
    arcs = (graph.arc_class, graph.arc_opening, graph.arc_points)
    flows, total = m._min_cost_flow(*arcs, sizes, caps)
    least = m._prices(*arcs, flows, sizes, caps, total)
    greatest = m._greatest_prices(*arcs, flows, sizes, caps, total)
    assert least is not None and greatest is not None
    assert (least[1] <= greatest[1]).all() and (least[0] >= greatest[0]).all()
    assert (least[1] < greatest[1]).any()  # ties: the optimal prices are not unique here
    # both certify the optimum, and so does their midpoint (in integers, twice it)
    for u, v, scale in (
        (*least, 1),
        (*greatest, 1),
        (least[0] + greatest[0], least[1] + greatest[1], 2),
    ):
        assert (u[graph.arc_class] + v[graph.arc_opening] >= scale * graph.arc_points).all()
        assert (u >= 0).all() and (v >= 0).all()
        assert int((sizes * u).sum() + (caps * v).sum()) == scale * total
    assert m._greatest_prices(*arcs, np.zeros_like(flows), sizes, caps, 0) is None


def test_the_prices_are_a_certificate_of_the_optimum() -> None:
    people, openings = instance(800, 300, seed=51)
    graph = m.candidate_pairs(people, openings, distances=distances(), max_distance_km=20)
    sizes = np.array([len(c) for c in graph.classes])
    caps = np.array([o.places for o in openings])
    flows, total = m._min_cost_flow(
        graph.arc_class, graph.arc_opening, graph.arc_points, sizes, caps
    )
    prices = m._prices(
        graph.arc_class, graph.arc_opening, graph.arc_points, flows, sizes, caps, total
    )
    assert prices is not None
    u, v = prices
    # dual feasible on every feasible pair, non-negative, and as large as the total: optimal
    assert (u[graph.arc_class] + v[graph.arc_opening] >= graph.arc_points).all()
    assert (u >= 0).all() and (v >= 0).all()
    assert int((sizes * u).sum() + (caps * v).sum()) == total
    # a flow that is not optimal gets no certificate
    assert (
        m._prices(
            graph.arc_class,
            graph.arc_opening,
            graph.arc_points,
            np.zeros_like(flows),
            sizes,
            caps,
            0,
        )
        is None
    )


def test_tasks_in_parallel_keep_their_order_and_are_shared_by_cost() -> None:
    import os

    here = os.getpid()
    results = m._in_parallel(lambda i: (i, os.getpid()), 5, 2, cost=[1, 1, 1, 1, 10])
    assert [r[0] for r in results] == [0, 1, 2, 3, 4]
    # the costliest task goes to this process, the four small ones to the other worker
    assert results[4][1] == here and {r[1] for r in results[:4]} == {results[0][1]} != {here}
    plain = m._in_parallel(lambda i: (i, os.getpid()), 4, 2)
    assert [r[1] == here for r in plain] == [True, False, True, False]
