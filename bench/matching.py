"""Global allocation of work-inclusion places at scale: ``python -m bench.matching``.

Generates people and openings over the 55 municipalities of the Città metropolitana
(``pes.inclusion.matching.generate_instance``: people where the population lives, openings a
little more concentrated in the larger municipalities), builds the candidate graph once and
runs on it both the min-cost flow (``allocate``) and the greedy baseline
(``allocate_greedy``), then the exact allocation as a caller runs it: its own candidate graph
(``--exact-limit``, 10 people per place) and ``allocate(..., exact=True)`` (pricing rounds
until the optimum over *every* feasible pair is proved), timed from the graph on, three times
(``--exact-repeats``; the figures are the median run's, every run's time is listed). The
compiled warm-start kernel (``pes.inclusion.flow``) is loaded first and timed apart: numba
compiles it once per installation and caches it on disk. It checks
every allocation (capacities, one opening per person, scores equal to ``score_pair``'s on a
sample; the exact one never below greedy) and prints or writes the figures as JSON.

    python -m bench.matching --people 50000 --places 20000 --seed 2025 --json
    python -m bench.matching --people 20000 --places 8000 --limits 10,30,0 --json

``--candidate-limit k`` keeps each opening's best ``k`` people per place (0: every feasible
pair; the whole graph is about 60 million pairs at 50,000 x 20,000 within 30 km, which needs
about 12 GB and a minute and a half). ``--limits`` runs several limits on the same instance
to show how close the candidate graph comes to the proved optimum. ``--workers`` processes
score the candidates (2 by default on a machine with 2 cores or more). Times are wall-clock
and, beside them, the CPU time of the process and of the worker processes it forked
(``time.process_time`` plus the children's), which a busy machine inflates less. No database
is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from pes.inclusion import matching as m

DEFAULT_LIMIT = 30
#: Candidate limit the exact allocation starts from: a small graph solves fast, and the
#: pricing rounds add what it misses (docs/performance.md, matching).
EXACT_LIMIT = 10
DEFAULT_DISTANCE_KM = 30.0
#: Runs of the exact allocation: on a shared machine one run can be slowed down by others.
EXACT_REPEATS = 3
DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the scoring workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def municipalities() -> tuple[dict[str, int], m.DistanceMatrix]:
    """Population and centroid distances of the 55 municipalities (the bundled CSV)."""
    from pes.territory.loader import read_rows

    rows = read_rows()
    population = {r["codice_istat"]: int(r["popolazione_2021"]) for r in rows}
    coordinates = {r["codice_istat"]: (float(r["lat"]), float(r["lon"])) for r in rows}
    return population, m.DistanceMatrix.from_coordinates(coordinates)


def verify(
    allocation: m.Allocation,
    people: list[m.Person],
    openings: list[m.Opening],
    distances: m.DistanceMatrix,
    max_distance_km: float,
    sample: int = 2000,
) -> dict[str, Any]:
    """Capacities and one opening per person in full; scores against ``score_pair`` on a
    sample of the assignments."""
    places = {o.id: o.places for o in openings}
    used: dict[int, int] = {}
    seen: set[int] = set()
    for a in allocation.assignments:
        if a.person_id in seen:
            raise AssertionError(f"person {a.person_id} was given two openings")
        seen.add(a.person_id)
        used[a.opening_id] = used.get(a.opening_id, 0) + 1
    over = [oid for oid, n in used.items() if n > places[oid]]
    if over:
        raise AssertionError(f"openings over capacity: {over[:5]}")
    by_person = {p.id: p for p in people}
    by_opening = {o.id: o for o in openings}
    rng = random.Random(0)  # noqa: S311 - sampling for a check
    chosen = rng.sample(list(allocation.assignments), min(sample, allocation.assigned))
    for a in chosen:
        p, o = by_person[a.person_id], by_opening[a.opening_id]
        s = m.score_pair(
            p,
            o,
            distance_km=distances(p.municipality, o.municipality),
            max_distance_km=max_distance_km,
        )
        if s is None or s.score != a.score:
            raise AssertionError(f"assignment {a} does not match score_pair ({s})")
    return {"capacities_ok": True, "one_opening_per_person": True, "scores_checked": len(chosen)}


def run_limit(
    people: list[m.Person],
    openings: list[m.Opening],
    distances: m.DistanceMatrix,
    *,
    limit: int | None,
    max_distance_km: float,
    workers: int,
    exact: bool,
    exact_limit: int = EXACT_LIMIT,
    exact_repeats: int = 1,
) -> dict[str, Any]:
    cpu = _cpu()
    graph = m.candidate_pairs(
        people,
        openings,
        distances=distances,
        max_distance_km=max_distance_km,
        candidate_limit=limit,
        workers=workers,
    )
    candidates_cpu = _cpu() - cpu
    cpu = _cpu()
    flow = m.allocate(people, openings, distances=distances, candidates=graph)
    flow_cpu = _cpu() - cpu
    cpu = _cpu()
    greedy = m.allocate_greedy(people, openings, distances=distances, candidates=graph)
    greedy_cpu = _cpu() - cpu
    if flow.total_points < greedy.total_points:
        raise AssertionError("the min-cost flow scored below greedy on the same graph")
    checks = {
        "flow": verify(flow, people, openings, distances, max_distance_km),
        "greedy": verify(greedy, people, openings, distances, max_distance_km),
    }
    proved: m.Allocation | None = None
    exact_cpu = exact_wall = 0.0
    walls: list[float] = []
    cpus: list[float] = []
    load_seconds = 0.0
    if exact and limit is not None:
        # the compiled warm-start kernel: compiled once per installation, then loaded from
        # numba's cache by every process (timed apart, as a process does it once)
        from pes.inclusion import flow as warm

        load_seconds = warm.load()
        # the exact allocation as a caller runs it: its own candidate graph (EXACT_LIMIT per
        # place), then pricing rounds until the optimum over every pair is proved; run
        # ``exact_repeats`` times, the figures are the median run's
        runs: list[tuple[float, float, m.Allocation]] = []
        for _repeat in range(max(1, exact_repeats)):
            cpu, wall = _cpu(), time.perf_counter()
            start = m.candidate_pairs(
                people,
                openings,
                distances=distances,
                max_distance_km=max_distance_km,
                candidate_limit=exact_limit,
                workers=workers,
            )
            proved = m.allocate(
                people,
                openings,
                distances=distances,
                candidates=start,
                exact=True,
                workers=workers,
            )
            runs.append((time.perf_counter() - wall, _cpu() - cpu, proved))
            del start
        if len({r[2].total_points for r in runs}) != 1:
            raise AssertionError("the exact allocation changed from one run to the next")
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        exact_wall, exact_cpu, proved = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        if proved.total_points < flow.total_points:
            raise AssertionError("the exact allocation scored below the candidate-graph one")
        if proved.total_points < greedy.total_points:
            raise AssertionError("the exact allocation scored below greedy")
        checks["exact"] = verify(proved, people, openings, distances, max_distance_km)
    # what a caller of allocate() waits for: candidate graph + flow
    seconds = graph.seconds + flow.timings["solve"] + flow.timings["read"]
    exact_figures: dict[str, Any] | None = None
    if proved is not None:
        exact_figures = {
            "seconds": round(exact_wall, 3),
            "cpu_seconds": round(exact_cpu, 3),
            "runs_seconds": [round(w, 3) for w in walls],
            "runs_cpu_seconds": [round(c, 3) for c in cpus],
            "warm_start_load_seconds": round(load_seconds, 3),
            "candidate_limit": exact_limit,
            "total_score": proved.total_score,
            "proved_optimal": proved.exact,
            "pricing_rounds": proved.pricing_rounds,
            "arcs": proved.arcs,
            "candidate_graph_share_pct": round(100 * flow.total_points / proved.total_points, 3)
            if proved.total_points
            else None,
            "greedy_share_pct": round(100 * greedy.total_points / proved.total_points, 3)
            if proved.total_points
            else None,
            "allocation": proved.summary(),
        }
    return {
        "candidate_limit": limit,
        "classes_of_people": len(graph.classes),
        "class_arcs": graph.class_arcs,
        "arcs": graph.arcs,
        "feasible_pairs": graph.feasible_pairs,
        "truncated_openings": graph.truncated_openings,
        "candidates_seconds": round(graph.seconds, 3),
        "allocate_seconds": round(seconds, 3),
        "allocate_cpu_seconds": round(candidates_cpu + flow_cpu, 3),
        "greedy_seconds": round(graph.seconds + greedy.timings["solve"], 3),
        "greedy_cpu_seconds": round(candidates_cpu + greedy_cpu, 3),
        "flow": flow.summary(),
        "greedy": greedy.summary(),
        "total_score": flow.total_score,
        "greedy_total_score": greedy.total_score,
        "gain_over_greedy_pct": round(100 * (flow.total_points / greedy.total_points - 1), 2)
        if greedy.total_points
        else None,
        "exact": exact_figures,
        "checks": checks,
        "peak_mb": _peak_rss_mb(),
    }


def ranking(*, people: int, places: int, seed: int, max_distance_km: float) -> dict[str, Any]:
    """Ranked lists as an operator asks for them: 50 openings and 50 people, each timed."""
    import statistics

    population, distances = municipalities()
    person_list, opening_list = m.generate_instance(
        people=people, places=places, municipalities=population, seed=seed
    )
    rng = random.Random(seed)  # noqa: S311 - choosing what to time
    times: dict[str, list[float]] = {"people_for_opening": [], "openings_for_person": []}
    for o in rng.sample(opening_list, min(50, len(opening_list))):
        started = time.perf_counter()
        m.rank_people_for_opening(
            o, person_list, distances=distances, limit=20, max_distance_km=max_distance_km
        )
        times["people_for_opening"].append(time.perf_counter() - started)
    for p in rng.sample(person_list, min(50, len(person_list))):
        started = time.perf_counter()
        m.rank_openings_for_person(
            p, opening_list, distances=distances, limit=20, max_distance_km=max_distance_km
        )
        times["openings_for_person"].append(time.perf_counter() - started)
    out: dict[str, Any] = {"people": people, "openings": len(opening_list)}
    for key, values in times.items():
        ordered = sorted(values)
        out[key] = {
            "p50_ms": round(1000 * statistics.median(ordered), 2),
            "p95_ms": round(1000 * ordered[max(0, round(0.95 * len(ordered)) - 1)], 2),
            "max_ms": round(1000 * ordered[-1], 2),
        }
    return out


def run(
    *,
    people: int,
    places: int,
    seed: int,
    max_distance_km: float = DEFAULT_DISTANCE_KM,
    limits: list[int | None] | None = None,
    workers: int = DEFAULT_WORKERS,
    exact: bool = True,
    exact_limit: int = EXACT_LIMIT,
    exact_repeats: int = EXACT_REPEATS,
) -> dict[str, Any]:
    """The whole benchmark as a dict (what ``--json`` prints): the hook for ``bench.runner``."""
    population, distances = municipalities()
    started = time.perf_counter()
    person_list, opening_list = m.generate_instance(
        people=people, places=places, municipalities=population, seed=seed
    )
    generate_seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "people": people,
        "places": places,
        "openings": len(opening_list),
        "municipalities": len(population),
        "seed": seed,
        "max_distance_km": max_distance_km,
        "workers": workers,
        "exact_candidate_limit": exact_limit,
        "exact_repeats": exact_repeats,
        "generate_seconds": round(generate_seconds, 3),
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "runs": [],
    }
    for limit in limits or [DEFAULT_LIMIT]:
        result["runs"].append(
            run_limit(
                person_list,
                opening_list,
                distances,
                limit=limit,
                max_distance_km=max_distance_km,
                workers=workers,
                exact=exact,
                exact_limit=exact_limit,
                exact_repeats=exact_repeats,
            )
        )
    # ranked lists at the metro size of DESIGN.md (5,000 people in work inclusion)
    result["ranking_metro"] = ranking(
        people=5_000, places=2_000, seed=seed, max_distance_km=max_distance_km
    )
    best = max(r["total_score"] for r in result["runs"])
    for r in result["runs"]:
        r["share_of_best_run_pct"] = round(100 * r["total_score"] / best, 3) if best else None
    return result


def _limits(text: str) -> list[int | None]:
    values = [int(x) for x in text.split(",") if x.strip()]
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("limits are non-negative (0: no limit)")
    return [v or None for v in values]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--max-distance", type=float, default=DEFAULT_DISTANCE_KM)
    parser.add_argument(
        "--candidate-limit",
        type=int,
        default=DEFAULT_LIMIT,
        help="people kept per opening place (0: every feasible pair)",
    )
    parser.add_argument("--limits", type=_limits, default=None, help="several limits, e.g. 10,30,0")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="threads scoring the candidates"
    )
    parser.add_argument(
        "--exact-limit",
        type=int,
        default=EXACT_LIMIT,
        help="people per opening place in the graph the exact allocation starts from",
    )
    parser.add_argument(
        "--exact-repeats",
        type=int,
        default=EXACT_REPEATS,
        help="runs of the exact allocation (its figures: the median run's)",
    )
    parser.add_argument(
        "--no-exact",
        action="store_true",
        help="skip the exact allocation (pricing until the optimum over every pair is proved)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--out", default=None, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    limits = args.limits or [args.candidate_limit or None]
    result = run(
        people=args.people,
        places=args.places,
        seed=args.seed,
        max_distance_km=args.max_distance,
        limits=limits,
        workers=args.workers,
        exact=not args.no_exact,
        exact_limit=args.exact_limit,
        exact_repeats=args.exact_repeats,
    )
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print(
            f"{result['people']:,} people, {result['places']:,} places in "
            f"{result['openings']:,} openings, {result['max_distance_km']} km"
        )
        for r in result["runs"]:
            print(
                f"  limit {r['candidate_limit']}: {r['arcs']:,} arcs, allocate "
                f"{r['allocate_seconds']:.2f} s (cpu {r['allocate_cpu_seconds']:.2f} s), "
                f"total {r['total_score']:,.1f} "
                f"(greedy {r['greedy_total_score']:,.1f}, +{r['gain_over_greedy_pct']}%), "
                f"assigned {r['flow']['assigned']:,}"
            )
            if r["exact"]:
                e = r["exact"]
                print(
                    f"    exact: {e['seconds']:.2f} s (cpu {e['cpu_seconds']:.2f} s), "
                    f"total {e['total_score']:,.1f} "
                    f"(proved: {e['proved_optimal']}, {e['pricing_rounds']} pricing rounds); "
                    f"candidate graph {e['candidate_graph_share_pct']}%, "
                    f"greedy {e['greedy_share_pct']}% of it"
                )
        rank = result["ranking_metro"]
        print(
            f"ranked lists at {rank['people']:,} people x {rank['openings']:,} openings: "
            f"people for an opening p95 {rank['people_for_opening']['p95_ms']} ms, "
            f"openings for a person p95 {rank['openings_for_person']['p95_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
