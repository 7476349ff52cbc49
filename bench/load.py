"""The load test: PES served by gunicorn (2 workers) on loopback, 50 simulated users (Locust)
mixing public pages, directory searches and API reads for ``seconds`` (120 by default).

    python -m bench.load --seconds 120            # against DATABASE_URL (seeded beforehand)
    python -m bench --load 120 ...                # inside a benchmark case, on its database

Reports requests, failures (the error rate must be 0), requests per second and p50/p95/p99
of the response time as the users saw it (client side, through the loopback). The test
suite never runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def urls() -> dict[str, list[str]]:
    """What the users ask for: the public pages and API lists of ``bench.pages`` and the
    directory searches of ``bench.queries`` (Django must be set up)."""
    from bench.pages import PAGES, PUBLIC, _resolve
    from bench.queries import WORDS

    pages: list[str] = []
    api: list[str] = []
    for page in PAGES:
        if page.who != PUBLIC:
            continue
        resolved = _resolve(page)
        if resolved is None:
            continue
        (api if resolved[0].startswith("/api/") else pages).append(resolved[0])
    searches = [f"/enti/?q={urllib.parse.quote(word)}" for word in WORDS]
    searches += [f"/api/v1/organizations?q={urllib.parse.quote(word)}" for word in WORDS[:10]]
    return {"pages": pages, "searches": searches, "api": api}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer at {url} in {timeout:.0f} s")


def _aggregated(stats_csv: Path) -> dict[str, Any]:
    with stats_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_name: dict[str, Any] = {}
    total: dict[str, Any] = {}
    for row in rows:
        figures = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "max_ms": float(row["Max Response Time"] or 0),
            "rps": round(float(row["Requests/s"] or 0), 1),
        }
        if row["Name"] == "Aggregated":
            total = figures
        else:
            by_name[row["Name"]] = figures
    return {
        "total": total,
        "slowest": dict(sorted(by_name.items(), key=lambda kv: -kv[1]["p95_ms"])[:5]),
    }


def run(
    *, database_url: str, seconds: int = 120, users: int = 50, spawn_rate: int = 10
) -> dict[str, Any]:
    """Serve PES with gunicorn on ``database_url`` and load it; the figures as a dict."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pes.settings")
    import django

    django.setup()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "SECURE_COOKIES": "0",
    }
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="pes-load-") as tmp:
        work = Path(tmp)
        (work / "urls.json").write_text(json.dumps(urls()), encoding="utf-8")
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(BIN / "gunicorn"),
                "pes.wsgi:application",
                "--workers=2",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
                "--timeout=60",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            _wait_until_up(host + "/", server)
            started = time.monotonic()
            completed = subprocess.run(  # noqa: S603 - our own locust, fixed arguments
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    f"--users={users}",
                    f"--spawn-rate={spawn_rate}",
                    f"--run-time={seconds}s",
                    f"--host={host}",
                    f"--csv={work / 'load'}",
                    "--only-summary",
                    "--loglevel=WARNING",
                    "--exit-code-on-error=0",
                ],
                cwd=ROOT,
                env={**env, "PES_LOAD_URLS": str(work / "urls.json")},
                capture_output=True,
                text=True,
                timeout=seconds + 120,
            )
            wall = time.monotonic() - started
            if completed.returncode != 0:
                raise RuntimeError(f"locust failed: {completed.stderr[-2000:]}")
            figures = _aggregated(work / "load_stats.csv")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    total = figures["total"]
    return {
        "server": "gunicorn, 2 workers, loopback",
        "users": users,
        "seconds": seconds,
        "wall_seconds": round(wall, 1),
        **total,
        "error_rate": round(total["failures"] / total["requests"], 4)
        if total["requests"]
        else None,
        "slowest": figures["slowest"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--out", default=None, help="write the JSON here as well")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3")
    result = run(database_url=database_url, seconds=args.seconds, users=args.users)
    text = json.dumps(result, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
