"""Run the benchmark cases and write ``bench/results.json``.

Every (database, size) case runs in fresh processes (``bench.worker``) against its own
database: a temporary SQLite file, or a PostgreSQL database created and dropped here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results.json"
SIZES = {"metro": 8_000, "national": 150_000}
QUICK_SIZE = ("quick", 500)
DEFAULT_CASES = [("sqlite", "metro"), ("postgresql", "metro"), ("postgresql", "national")]
MATCHING = {"people": 50_000, "places": 20_000}
QUICK_MATCHING = {"people": 2_000, "places": 800}
# The demo size (``pes.core.demo``) each case seeds its modules at.
DEMO_SIZES = {"quick": "tiny", "metro": "metro", "national": "national"}
DATABASES = ("sqlite", "postgresql")
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "pes_bench")
SEED = 2025
#: Timed requests per page: with 15, p95 was the slowest request, one pause of the machine.
REPEATS = 40
PHASE_TIMEOUT = 40 * 60


class Skip(Exception):
    """The case cannot run here (e.g. PostgreSQL is unreachable)."""


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(("MemTotal:", "MemAvailable:")):
                key, value = line.split(":", 1)
                kib = int(value.split()[0])
                info["memory_total_mb" if key == "MemTotal" else "memory_available_mb"] = round(
                    kib / 1024
                )
    except OSError:
        pass
    try:
        import sqlite3

        import django

        info["django"] = django.get_version()
        info["sqlite"] = sqlite3.sqlite_version
    except ImportError:
        pass
    return info


def git_commit() -> dict[str, Any] | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        commit = subprocess.run(  # noqa: S603 - fixed arguments, git from PATH
            [git, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(  # noqa: S603 - fixed arguments, git from PATH
            [git, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


# --------------------------------------------------------------------------- databases


def _pg_admin_connect() -> Any:
    import psycopg

    try:
        return psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        raise Skip(f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT}: {exc}".strip()) from exc


def pg_server_version() -> str:
    with _pg_admin_connect() as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else ""


def pg_recreate() -> str:
    from psycopg import sql

    with _pg_admin_connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(PG_DATABASE)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"


def pg_drop() -> None:
    from psycopg import sql

    try:
        with _pg_admin_connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(PG_DATABASE)))
    except Skip:
        pass


# --------------------------------------------------------------------------- running


def run_phase(phase: str, database_url: str, workdir: Path, **options: Any) -> dict[str, Any]:
    out = workdir / f"{phase}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.worker", phase, "--out", str(out)]
    for key, value in options.items():
        if value is True:
            command.append(f"--{key.replace('_', '-')}")
        elif value is not False and value is not None:
            command += [f"--{key.replace('_', '-')}", str(value)]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "pes.settings",
        # Production-like settings: no debug query log, no debug pages.
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "PYTHONHASHSEED": "0",
    }
    completed = subprocess.run(  # noqa: S603 - this interpreter, our own worker module
        command, cwd=ROOT, env=env, timeout=PHASE_TIMEOUT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"bench.worker {phase} failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    return dict(json.loads(out.read_text(encoding="utf-8")))


def run_case(
    database: str,
    size_name: str,
    count: int,
    *,
    csv_path: Path,
    workdir: Path,
    queries: int,
    repeats: int = REPEATS,
    load_seconds: int = 0,
) -> dict[str, Any]:
    case: dict[str, Any] = {"database": database, "size": size_name, "organizations": count}
    started = time.perf_counter()
    if database == "postgresql":
        try:
            url = pg_recreate()
            case["server_version"] = pg_server_version()
        except Skip as exc:
            return {**case, "skipped": str(exc)}
    else:
        db_file = workdir / f"{size_name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_file}"
    try:
        setup = run_phase("setup", url, workdir, csv=csv_path, count=count, seed=SEED)
        case["setup"] = setup
        case["import"] = run_phase("import", url, workdir, csv=csv_path)
        search = run_phase(
            "search",
            url,
            workdir,
            csv=csv_path,
            queries=queries,
            explain=database == "postgresql",
        )
        case["search"] = search.pop("search")
        case["page"] = search.pop("page")
        case["page_filters"] = search.pop("page_filters")
        if "explain" in search:
            case["explain"] = search.pop("explain")
        case["search_process_peak_mb"] = search.get("process_peak_mb")
        seeded = run_phase(
            "seed",
            url,
            workdir,
            csv=csv_path,
            demo_size=DEMO_SIZES[size_name],
            seed=SEED,
        )
        case["seed"] = seeded
        pages = run_phase("pages", url, workdir, csv=csv_path, repeats=repeats)
        case["pages"] = pages["pages"]
        case["pages_process_peak_mb"] = pages.get("process_peak_mb")
        if load_seconds:
            case["load"] = run_phase("load", url, workdir, csv=csv_path, seconds=load_seconds)
    finally:
        if database == "postgresql":
            pg_drop()
    case["case_seconds"] = round(time.perf_counter() - started, 1)
    return case


def run_matching(workdir: Path, *, people: int, places: int) -> dict[str, Any]:
    """The work-inclusion matching benchmark (``bench.matching``, no database) in its own
    process; its JSON as it writes it, or the error."""
    out = workdir / "matching.json"
    command = [
        sys.executable,
        "-m",
        "bench.matching",
        f"--people={people}",
        f"--places={places}",
        f"--seed={SEED}",
        "--json",
        f"--out={out}",
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - this interpreter, our own module
            command, cwd=ROOT, timeout=PHASE_TIMEOUT, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired as exc:
        return {"error": f"timed out after {exc.timeout} s"}
    if completed.returncode != 0 or not out.exists():
        return {"error": (completed.stderr or completed.stdout)[-2000:]}
    return dict(json.loads(out.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- report


def summary(results: dict[str, Any]) -> str:
    head = (
        f"{'case':<22}{'import s':>10}{'rows/s':>9}{'peak MB':>9}{'x floor':>9}"
        f"{'text p50':>10}{'p95':>8}{'x floor':>9}{'+filt p95':>11}{'page p95':>10}{'q/page':>8}"
    )
    lines = [head, "-" * len(head)]
    for case in results["cases"]:
        name = f"{case['database']}/{case['size']}"
        if "skipped" in case:
            lines.append(f"{name:<22}skipped: {case['skipped']}")
            continue
        if "error" in case:
            lines.append(f"{name:<22}error: {case['error'].splitlines()[0][:80]}")
            continue
        imp = case["import"]
        text = case["search"]["text"]
        filt = case["search"]["text_and_filters"]
        page = case["page"]
        lines.append(
            f"{name:<22}{imp['seconds']:>10.1f}{imp['rows_per_second']:>9.0f}"
            f"{imp['peak_mb']:>9.0f}{imp['ratio']:>9.0f}"
            f"{text['p50_ms']:>10.1f}{text['p95_ms']:>8.1f}{text['ratio']:>9.1f}"
            f"{filt['p95_ms']:>11.1f}{page['p95_ms']:>10.1f}{page['queries']:>8}"
        )
    lines.append("times in ms unless marked; 'x floor' = measured / hand-written floor (p50)")
    for case in results["cases"]:
        pages = case.get("pages")
        if not pages:
            continue
        lines.append("")
        lines.append(f"pages, {case['database']}/{case['size']}:")
        lines.append(f"  {'page':<30}{'p50':>9}{'p95':>9}{'queries':>9}{'floor':>9}{'x floor':>9}")
        for name, page in pages.items():
            if "skipped" in page:
                lines.append(f"  {name:<30}skipped: {page['skipped']}")
                continue
            flag = "" if page["status"] == 200 else f"  HTTP {page['status']}"
            lines.append(
                f"  {name:<30}{page['p50_ms']:>9.1f}{page['p95_ms']:>9.1f}{page['queries']:>9}"
                f"{page['floor_p50_ms']:>9.1f}{page['ratio'] or 0:>9.1f}{flag}"
            )
        if "load" in case:
            load = case["load"]
            lines.append(
                f"  load: {load['users']} users, {load['seconds']} s: {load['requests']} requests, "
                f"{load['failures']} failures, p50 {load['p50_ms']:.0f} ms, "
                f"p95 {load['p95_ms']:.0f} ms, {load['rps']} req/s"
            )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="PES benchmarks: import and directory search."
    )
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help=f"comma-separated, from {', '.join(SIZES)}"
    )
    parser.add_argument(
        "--databases",
        default=None,
        help="comma-separated: sqlite,postgresql (default: both; SQLite only with --quick)",
    )
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results file")
    parser.add_argument("--queries", type=int, default=50, help="search queries per kind")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 500 organisations and tiny demo data, SQLite, 20 queries, 5 repeats",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=REPEATS,
        help="timed requests per page (of 40, p95 is the third slowest; of 15 it was the slowest)",
    )
    parser.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also run the load test (gunicorn, 50 users) for SECONDS in the --load-case",
    )
    parser.add_argument(
        "--load-case",
        default="postgresql/national",
        help="database/size of the case the load test runs in (default postgresql/national, "
        "else the last case)",
    )
    parser.add_argument(
        "--no-matching", action="store_true", help="skip the matching benchmark (bench.matching)"
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    databases = [d.strip() for d in (args.databases or ",".join(DATABASES)).split(",")]
    databases = [d for d in databases if d]
    explicit = args.databases is not None or args.sizes != ",".join(SIZES)
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r} (choose from {', '.join(SIZES)})")
    for database in databases:
        if database not in DATABASES:
            parser.error(f"unknown database {database!r} (choose from {', '.join(DATABASES)})")
    # By default SQLite runs the metro case only (DESIGN.md measures national on PostgreSQL).
    args.cases = [
        (database, size)
        for size in sizes
        for database in databases
        if explicit or (database, size) in DEFAULT_CASES
    ]
    if args.quick:
        quick_databases = ["sqlite"] if args.databases is None else databases
        args.cases = [(database, QUICK_SIZE[0]) for database in quick_databases]
        args.queries = min(args.queries, 20)
        args.repeats = min(args.repeats, 5)
    names = [f"{d}/{s}" for d, s in args.cases]
    if args.load and args.load_case not in names:
        args.load_case = names[-1] if names else ""
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = dict([QUICK_SIZE]) if args.quick else SIZES
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_commit(),
        "seed": SEED,
        "quick": args.quick,
        "cases": [],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pes-bench-") as tmp:
        workdir = Path(tmp)
        if not args.no_matching:
            # first, on a machine that no database case has left busy (PostgreSQL's
            # autovacuum after a national seed, the load test's processes)
            print("[bench] matching ...", flush=True)
            results["matching"] = run_matching(
                workdir, **(QUICK_MATCHING if args.quick else MATCHING)
            )
            results["total_seconds"] = round(time.perf_counter() - started, 1)
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        for database, size_name in args.cases:
            count = sizes[size_name]
            csv_path = workdir / f"organizations-{size_name}.csv"  # shared by the databases
            print(f"[bench] {database}/{size_name} ({count:,} organisations) ...", flush=True)
            try:
                case = run_case(
                    database,
                    size_name,
                    count,
                    csv_path=csv_path,
                    workdir=workdir,
                    queries=args.queries,
                    repeats=args.repeats,
                    load_seconds=args.load if args.load_case == f"{database}/{size_name}" else 0,
                )
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                case = {"database": database, "size": size_name, "error": str(exc)}
                print(f"[bench]   failed: {exc}", file=sys.stderr, flush=True)
            results["cases"].append(case)
            # Write after every case so a long run leaves its figures behind.
            results["total_seconds"] = round(time.perf_counter() - started, 1)
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print()
    print(summary(results))
    print(f"\nresults written to {out} in {results['total_seconds']:.0f} s")
    return 1 if any("error" in c for c in results["cases"]) else 0
