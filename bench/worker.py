"""One phase of one benchmark case, run in its own process: ``python -m bench.worker``.

The runner starts a fresh interpreter per phase with ``DATABASE_URL`` set, so settings,
connections and the process' peak memory belong to that phase alone:

* ``setup``  — migrate the empty database; write the generated CSV if it does not exist yet;
* ``import`` — the ``csv.reader`` floor, then ``import_organizations`` on the same file;
* ``search`` — the directory's queries, raw-SQL floor and ``/enti/`` page timings;
* ``seed``   — every module's demo data (``pes.core.demo.seed_modules``) at the case's size;
* ``pages``  — every page and API list of ``bench.pages`` against its floor.

The result is written as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE_WARMUP = 5
# Each query is timed REPEATS times and its median kept, so that one stray pause of this
# small shared machine does not become the p95.
REPEATS = 3


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pes.settings")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation), as latency reports usually give it."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# --------------------------------------------------------------------------- setup


def phase_setup(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    result: dict[str, Any] = {"migrate_seconds": round(time.perf_counter() - started, 3)}
    csv_path = Path(args.csv)
    if not csv_path.exists():
        result.update(write_csv(csv_path, count=args.count, seed=args.seed))
    return result


def write_csv(path: Path, *, count: int, seed: int) -> dict[str, Any]:
    """Stream ``count`` generated organisations to ``path`` in the PES layout."""
    from pes.registry.demo import PES_COLUMNS_FOR_CSV, as_csv_row, generate
    from pes.territory.models import Municipality

    started = time.perf_counter()
    municipalities = list(
        Municipality.objects.order_by("istat_code").values_list("istat_code", "population")
    )
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as text:
        writer = csv.writer(text, delimiter=";")
        writer.writerow(PES_COLUMNS_FOR_CSV)
        for org in generate(count, seed=seed, municipalities=municipalities):
            writer.writerow(as_csv_row(org))
    partial.rename(path)
    return {
        "csv_seconds": round(time.perf_counter() - started, 3),
        "csv_bytes": path.stat().st_size,
    }


# --------------------------------------------------------------------------- import


def csv_floor(path: Path) -> tuple[float, int]:
    """The least an importer must do: read and split every row of the file."""
    started = time.perf_counter()
    rows = 0
    with path.open(encoding="utf-8", newline="") as text:
        for _row in csv.reader(text, delimiter=";"):
            rows += 1
    return time.perf_counter() - started, rows - 1


def phase_import(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from django.db import connection

    from pes.registry.importer import import_organizations
    from pes.registry.models import Organization

    path = Path(args.csv)
    with path.open("rb") as raw:  # bring the file into the page cache for both readers
        while raw.read(1 << 20):
            pass
    floor_seconds, floor_rows = csv_floor(path)
    connection.ensure_connection()
    baseline_mb = _peak_rss_mb()
    started = time.perf_counter()
    with path.open("rb") as raw:
        report = import_organizations(raw, filename=path.name, layout="pes")
    seconds = time.perf_counter() - started
    peak_mb = _peak_rss_mb()
    if report.errors:
        raise RuntimeError("import failed: " + "; ".join(map(str, report.errors[:5])))
    stored = Organization.objects.count()
    return {
        "rows": report.rows,
        "created": report.created,
        "stored": stored,
        "seconds": round(seconds, 3),
        "rows_per_second": round(report.rows / seconds, 1),
        "peak_mb": round(peak_mb, 1),
        "baseline_mb": round(baseline_mb, 1),
        "floor_rows": floor_rows,
        "floor_seconds": round(floor_seconds, 4),
        "ratio": round(seconds / floor_seconds, 1),
    }


# --------------------------------------------------------------------------- search


def _time_calls(cases: list[Any], call: Callable[[Any], Any]) -> tuple[list[float], list[Any]]:
    times: list[float] = []
    results: list[Any] = []
    for case in cases:
        runs = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            result = call(case)
            runs.append(time.perf_counter() - started)
        results.append(result)
        times.append(statistics.median(runs))
    return times, results


def measure_kind(cases: list[Any], page_size: int) -> dict[str, Any]:
    """What ``/enti/`` asks the database for (``organization_search_page``: the capped count,
    then the first page, ranked only when few match), beside the floor: the same first page
    from one hand-written query ordered the same way (ranked or by name)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.queries import floor_sql
    from pes.registry.selectors import organization_search_page

    def first_page(case: Any) -> tuple[list[int], int, bool]:
        page, paginator = organization_search_page(filters=case.filters, page=1, per_page=page_size)
        return [o.pk for o in page.object_list], paginator.count, paginator.capped

    ranked_by_case: dict[str, bool] = {}

    def floor(case: Any) -> list[int]:
        sql, params = floor_sql(case.filters, page_size, ranked=ranked_by_case[case.label])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    for case in cases:
        _ids, _count, capped = first_page(case)
        ranked_by_case[case.label] = not capped
    for case in cases[:PAGE_WARMUP]:
        floor(case)
    with CaptureQueriesContext(connection) as captured:
        first_page(cases[0])
    queries_per_request = len(captured.captured_queries)
    page_times, results = _time_calls(cases, first_page)
    floor_times, floor_ids = _time_calls(cases, floor)
    page_ids = [ids for ids, _count, _capped in results]
    counts = [count for _ids, count, _capped in results]
    mismatches = [c.label for c, a, b in zip(cases, page_ids, floor_ids, strict=True) if a != b]
    p50 = statistics.median(page_times)
    floor_p50 = statistics.median(floor_times)
    return {
        "queries": len(cases),
        "p50_ms": _ms(p50),
        "p95_ms": _ms(_percentile(page_times, 95)),
        "max_ms": _ms(max(page_times)),
        "queries_per_request": queries_per_request,
        "floor_p50_ms": _ms(floor_p50),
        "floor_p95_ms": _ms(_percentile(floor_times, 95)),
        "ratio": round(p50 / floor_p50, 2) if floor_p50 else None,
        "median_hits": statistics.median(counts),
        "ranked_share": round(sum(ranked_by_case.values()) / len(ranked_by_case), 2),
        "same_rows_as_floor": not mismatches,
        "mismatches": mismatches[:5],
        "slowest": sorted(
            ({"query": c.label, "ms": _ms(t)} for c, t in zip(cases, page_times, strict=True)),
            key=lambda item: -item["ms"],
        )[:3],
    }


def measure_page(cases: list[Any]) -> dict[str, Any]:
    """The public directory page ``/enti/`` as the browser asks for it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def get(case: Any) -> int:
        response = client.get("/enti/", case.querystring())
        if response.status_code != 200:
            raise RuntimeError(f"/enti/ answered {response.status_code} for {case.label!r}")
        return len(response.content)

    for case in cases[:PAGE_WARMUP]:
        get(case)
    times: list[float] = []
    queries: list[int] = []
    for case in cases:
        runs = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            get(case)
            runs.append(time.perf_counter() - started)
        times.append(statistics.median(runs))
        with CaptureQueriesContext(connection) as captured:
            get(case)
        queries.append(len(captured.captured_queries))
    return {
        "requests": len(cases),
        "p50_ms": _ms(statistics.median(times)),
        "p95_ms": _ms(_percentile(times, 95)),
        "max_ms": _ms(max(times)),
        "queries": max(queries),
        "queries_min": min(queries),
    }


def explain(cases: list[Any], page_size: int) -> list[dict[str, Any]]:
    """PostgreSQL plans of the selector's first page and count, exactly as Django sends them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pes.registry.selectors import organization_list

    if connection.vendor != "postgresql":
        return []
    plans = []
    for case in cases:
        qs = organization_list(filters=case.filters)
        with CaptureQueriesContext(connection) as captured:
            list(qs[:page_size])
            qs.count()
        for what, query in zip(("page", "count"), captured.captured_queries, strict=True):
            lines = _explain(query["sql"])
            # The same query with sequential scans discouraged: what the GIN index would give.
            forced = _explain(query["sql"], "SET LOCAL enable_seqscan = off")
            plans.append(
                {
                    "query": case.label,
                    "what": what,
                    "sql": query["sql"],
                    "uses_gin_index": _uses_gin(lines),
                    "execution_ms": _execution_ms(lines),
                    "plan": lines,
                    "without_seqscan": {
                        "uses_gin_index": _uses_gin(forced),
                        "execution_ms": _execution_ms(forced),
                        "plan": forced,
                    },
                }
            )
    return plans


def _explain(sql: str, setting: str = "") -> list[str]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if setting:
            cursor.execute(setting)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def _uses_gin(lines: list[str]) -> bool:
    """A bitmap or index scan on a GIN full-text index (whatever the migration named it)."""
    return any("Index Scan on org_search" in line for line in lines)


def _execution_ms(lines: list[str]) -> float | None:
    for line in lines:
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return None


def phase_search(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from django.conf import settings

    from bench.queries import WORDS, filter_only_cases, filtered_cases, text_cases

    # No VACUUM/ANALYZE here: searches run on the database as the importer left it.
    page_size = settings.PAGE_SIZE
    n = args.queries
    text = text_cases(n)
    filtered = filtered_cases(n)
    only_filters = filter_only_cases(min(n, 12))
    from django.db import connection

    from bench.queries import pg_vector_sql

    result: dict[str, Any] = {
        "page_size": page_size,
        "floor_vector": pg_vector_sql() if connection.vendor == "postgresql" else None,
        "search": {
            "text": measure_kind(text, page_size),
            "text_and_filters": measure_kind(filtered, page_size),
            "filters_only": measure_kind(only_filters, page_size),
        },
        "page": measure_page(text),
        "page_filters": measure_page(filtered),
    }
    if args.explain:
        wanted = ("bologna", "germoglio", "coop", "xylofono")
        result["explain"] = explain(
            [c for c in text[: len(WORDS)] if c.label in wanted] + filtered[:1], page_size
        )
    return result


def phase_seed(args: argparse.Namespace) -> dict[str, Any]:
    """Every module's demo data at ``args.demo_size`` on the imported organisations, through
    the same ``seed_modules`` as ``manage.py seed_demo`` (streamed, in batches)."""
    _setup_django()
    from pes.core import demo
    from pes.core.demo import seed_modules, seed_users

    if args.tenders is not None:
        # Fewer tenders than the demo size, for a quicker manual run (the runner seeds the
        # demo size: DESIGN.md's 10,000 at national).
        demo.TENDERS[args.demo_size] = args.tenders
    started = time.perf_counter()
    seed_users()  # the modules' demo data reuse the demo people
    seeded = seed_modules(size=args.demo_size, seed=args.seed)
    return {
        "size": args.demo_size,
        "modules": seeded,
        "seconds": _ms(time.perf_counter() - started) / 1000,
    }


def phase_pages(args: argparse.Namespace) -> dict[str, Any]:
    """Every page and API list of ``bench.pages.PAGES`` against its floor."""
    _setup_django()
    from bench.pages import measure

    return {"pages": measure(repeats=args.repeats)}


def phase_load(args: argparse.Namespace) -> dict[str, Any]:
    """The load test (``bench.load``) on this case's database."""
    from bench.load import run

    return run(database_url=os.environ["DATABASE_URL"], seconds=args.seconds)


PHASES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "setup": phase_setup,
    "import": phase_import,
    "search": phase_search,
    "seed": phase_seed,
    "pages": phase_pages,
    "load": phase_load,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--csv", required=True)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--demo-size", default="metro")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--tenders", type=int, default=None)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    result = PHASES[args.phase](args)
    result["process_peak_mb"] = round(_peak_rss_mb(), 1)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
