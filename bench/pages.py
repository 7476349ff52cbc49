"""Server time and queries of every public page, dashboard and API list, beside a floor.

Each entry of ``PAGES`` is one line: a name, the URL (with ``{placeholders}`` filled from
the first row of ``ref``, a SQL query picking an object to show), who asks (``public`` or
``governance``) and the *floor*: one hand-written SQL query fetching the rows the page shows,
run by a bare view that returns them as JSON (no routing, middleware, forms or templates).
``ratio`` = page p50 / floor p50: how far the page is from the least it could do.

A page of a new module is added with one more ``Page(...)`` line.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

PUBLIC, GOVERNANCE = "public", "governance"
LIST = 20  # the page size of every list (settings.PAGE_SIZE)


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    floor: str
    who: str = PUBLIC
    ref: str = ""  # SQL returning one row whose columns fill ``{...}`` in url and floor


ORG_ROW = (
    "SELECT o.id, o.name, o.slug, lf.label, m.name FROM registry_organization o "
    "JOIN registry_legalform lf ON lf.id = o.legal_form_id "
    "JOIN territory_municipality m ON m.id = o.head_office_id"
)

PAGES: list[Page] = [
    # --- home, registry, territory
    Page(
        "home",
        "/",
        "SELECT pm.id, pm.number, pm.title, COUNT(o.id) FROM plan_mission pm "
        "LEFT JOIN registry_organization_missions om ON om.mission_id = pm.id "
        "LEFT JOIN registry_organization o ON o.id = om.organization_id AND o.is_published "
        "GROUP BY pm.id ORDER BY pm.number",
    ),
    Page(
        "registry.directory",
        "/enti/",
        f"{ORG_ROW} WHERE o.is_published ORDER BY o.name, o.id LIMIT {LIST}",
    ),
    Page(
        "registry.organization",
        "/enti/{slug}/",
        f"{ORG_ROW} WHERE o.slug = '{{slug}}'",
        ref="SELECT slug FROM registry_organization WHERE is_published ORDER BY id LIMIT 1",
    ),
    Page(
        "territory.municipalities",
        "/territorio/",
        "SELECT m.id, m.name, m.population, COUNT(o.id) FROM territory_municipality m "
        "LEFT JOIN registry_organization o ON o.head_office_id = m.id AND o.is_published "
        "GROUP BY m.id ORDER BY m.name",
    ),
    Page(
        "territory.municipality",
        "/territorio/{slug}/",
        f"{ORG_ROW} WHERE m.slug = '{{slug}}' AND o.is_published ORDER BY o.name LIMIT 10",
        ref="SELECT slug FROM territory_municipality WHERE istat_code = '037006'",
    ),
    # --- the Plan
    Page(
        "plan.overview",
        "/piano/",
        "SELECT id, number, title FROM plan_mission ORDER BY number",
    ),
    Page(
        "plan.mission",
        "/piano/missioni/3/",
        "SELECT a.id, a.number, a.title FROM plan_action a JOIN plan_mission pm "
        "ON pm.id = a.mission_id WHERE pm.number = 3 ORDER BY a.number",
    ),
    Page(
        "plan.action",
        "/piano/azioni/{id}/",
        "SELECT i.id, i.title, i.slug FROM plan_initiative i WHERE i.action_id = {id} "
        "ORDER BY i.title",
        ref="SELECT action_id AS id FROM plan_indicator WHERE action_id IS NOT NULL "
        "ORDER BY action_id LIMIT 1",
    ),
    Page(
        "plan.initiatives",
        "/piano/iniziative/",
        f"SELECT id, title, slug FROM plan_initiative ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "plan.initiatives_filtered",
        "/piano/iniziative/?mission=3&status=in-progress",
        "SELECT i.id, i.title, i.slug FROM plan_initiative i "
        "JOIN plan_action a ON a.id = i.action_id JOIN plan_mission pm ON pm.id = a.mission_id "
        "JOIN plan_initiativestatus s ON s.id = i.status_id "
        f"WHERE pm.number = 3 AND s.key = 'in-progress' ORDER BY i.title, i.id LIMIT {LIST}",
    ),
    Page(
        "plan.initiative",
        "/piano/iniziative/{slug}/",
        "SELECT id, title, description FROM plan_initiative WHERE slug = '{slug}'",
        ref="SELECT slug FROM plan_initiative ORDER BY id LIMIT 1",
    ),
    Page(
        "plan.dashboard",
        "/piano/cruscotto/",
        "SELECT id, number, title FROM plan_mission ORDER BY number",
        who=GOVERNANCE,
    ),
    # --- modules
    Page(
        "volunteering.opportunities",
        "/volontariato/opportunita/",
        "SELECT id, title, slug FROM volunteering_opportunity WHERE is_published "
        f"ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "volunteering.dashboard",
        "/volontariato/cruscotto/",
        "SELECT municipality_id, COUNT(*) FROM volunteering_volunteer GROUP BY 1",
        who=GOVERNANCE,
    ),
    Page(
        "procurement.tenders",
        "/appalti/gare/",
        f"SELECT id, title, cig FROM procurement_tender ORDER BY id DESC LIMIT {LIST}",
    ),
    Page(
        "procurement.dashboard",
        "/appalti/cruscotto/",
        "SELECT procedure, COUNT(*), SUM(estimated_value) FROM procurement_tender GROUP BY 1",
        who=GOVERNANCE,
    ),
    Page(
        "services.catalogue",
        "/servizi/",
        f"SELECT id, title, slug FROM services_service ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "services.dashboard",
        "/servizi/cruscotto/",
        "SELECT municipality_id, COUNT(*) FROM services_service GROUP BY 1",
        who=GOVERNANCE,
    ),
    Page(
        "learning.courses",
        "/formazione/",
        f"SELECT id, title, slug FROM learning_course ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "collaboration.tables",
        "/collaborazione/",
        f"SELECT id, title, slug FROM collaboration_workingtable ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "finance.calls",
        "/finanza/bandi/",
        f"SELECT id, title, slug, deadline FROM finance_call ORDER BY deadline, title LIMIT {LIST}",
    ),
    Page(
        "finance.dashboard",
        "/finanza/cruscotto/",
        "SELECT instrument, COUNT(*), SUM(budget) FROM finance_call GROUP BY 1",
        who=GOVERNANCE,
    ),
    # --- work inclusion, incubation, impact evaluation
    Page(
        "inclusion.openings",
        "/lavoro/offerte/",
        "SELECT op.id, op.role, o.name, m.name FROM inclusion_opening op "
        "JOIN registry_organization o ON o.id = op.organization_id "
        "JOIN territory_municipality m ON m.id = op.municipality_id "
        f"WHERE op.status = 'open' ORDER BY op.created_at DESC, op.id DESC LIMIT {LIST}",
    ),
    Page(
        "inclusion.dashboard",
        "/lavoro/cruscotto/",
        "SELECT metric, key, n FROM inclusion_statcount ORDER BY metric, key",
        who=GOVERNANCE,
    ),
    Page(
        "incubation.calls",
        "/incubazione/bandi/",
        "SELECT id, title, slug, deadline FROM incubation_call WHERE is_published "
        f"ORDER BY deadline DESC, title LIMIT {LIST}",
    ),
    Page(
        "incubation.showcase",
        "/incubazione/vetrina/",
        "SELECT p.id, a.title FROM incubation_project p "
        "JOIN incubation_application a ON a.id = p.application_id "
        f"ORDER BY p.id DESC LIMIT {LIST}",
    ),
    Page(
        "incubation.dashboard",
        "/incubazione/cruscotto/",
        "SELECT status, COUNT(*) FROM incubation_application GROUP BY 1",
        who=GOVERNANCE,
    ),
    Page(
        "impact.indicators",
        "/impatto/indicatori/",
        f"SELECT id, code, name FROM impact_indicator ORDER BY is_core DESC, code LIMIT {LIST}",
    ),
    Page(
        "api.inclusion_openings",
        "/api/v1/inclusion/openings",
        "SELECT id, role FROM inclusion_opening WHERE status = 'open' "
        f"ORDER BY created_at DESC, id DESC LIMIT {LIST}",
    ),
    Page(
        "api.incubation_calls",
        "/api/v1/incubation/calls",
        "SELECT id, title, slug FROM incubation_call WHERE is_published "
        f"ORDER BY deadline DESC, title LIMIT {LIST}",
    ),
    Page(
        "api.impact_indicators",
        "/api/v1/impact/indicators",
        f"SELECT id, code, name FROM impact_indicator ORDER BY is_core DESC, code LIMIT {LIST}",
    ),
    # --- API lists
    Page("api.plan", "/api/v1/plan", "SELECT id, number, title FROM plan_mission ORDER BY number"),
    Page(
        "api.plan_initiatives",
        "/api/v1/plan/initiatives",
        f"SELECT id, title, slug FROM plan_initiative ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "api.organizations",
        "/api/v1/organizations?q=cooperativa",
        f"{ORG_ROW} WHERE o.is_published AND o.search_document LIKE '%cooperativa%' "
        f"ORDER BY o.id DESC LIMIT {LIST}",
    ),
    Page(
        "api.municipalities",
        "/api/v1/municipalities",
        "SELECT id, istat_code, name FROM territory_municipality ORDER BY name",
    ),
    Page(
        "api.opportunities",
        "/api/v1/volunteering/opportunities",
        "SELECT id, title, slug FROM volunteering_opportunity WHERE is_published "
        f"ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "api.tenders",
        "/api/v1/procurement/tenders",
        f"SELECT id, title, cig FROM procurement_tender ORDER BY id DESC LIMIT {LIST}",
    ),
    Page(
        "api.services",
        "/api/v1/services/services",
        f"SELECT id, title, slug FROM services_service ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "api.courses",
        "/api/v1/learning/courses",
        f"SELECT id, title, slug FROM learning_course ORDER BY title, id LIMIT {LIST}",
    ),
    Page(
        "api.calls",
        "/api/v1/finance/calls",
        f"SELECT id, title, slug, deadline FROM finance_call ORDER BY deadline, title LIMIT {LIST}",
    ),
]


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def bare_view(sql: str) -> bytes:
    """The floor: one query, its rows dumped as JSON, nothing else."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return json.dumps(rows, default=_default).encode()


def _resolve(page: Page) -> tuple[str, str] | None:
    """The page's URL and floor with the reference row filled in (None: nothing to show)."""
    from django.db import connection

    if not page.ref:
        return page.url, page.floor
    with connection.cursor() as cursor:
        cursor.execute(page.ref)
        row = cursor.fetchone()
        if row is None:
            return None
        values = {col[0]: value for col, value in zip(cursor.description, row, strict=True)}
    return page.url.format(**values), page.floor.format(**values)


def clients() -> dict[str, Any]:
    from django.test import Client

    from pes.accounts.models import User

    governance, _ = User.objects.get_or_create(
        email="bench-governance@pes.example",
        defaults={"username": "bench-governance@pes.example", "role": User.Role.GOVERNANCE},
    )
    gov = Client()
    gov.force_login(governance)
    return {PUBLIC: Client(), GOVERNANCE: gov}


def measure(
    pages: Sequence[Page] | None = None, *, repeats: int = 15, warmup: int = 2
) -> dict[str, Any]:
    """Time every page through ``django.test.Client`` and its floor through ``bare_view``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    who = clients()
    out: dict[str, Any] = {}
    for page in pages if pages is not None else PAGES:
        resolved = _resolve(page)
        if resolved is None:
            out[page.name] = {"url": page.url, "skipped": "no row to show"}
            continue
        url, floor = resolved
        client = who[page.who]
        for _ in range(warmup):
            client.get(url)
            bare_view(floor)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Read now: the next request clears the connection's query log.
        queries = len(captured.captured_queries)
        times, floor_times = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            body = bare_view(floor)
            floor_times.append(time.perf_counter() - started)
        p50, floor_p50 = statistics.median(times), statistics.median(floor_times)
        out[page.name] = {
            "url": url,
            "who": page.who,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": queries,
            "p50_ms": _ms(p50),
            "p95_ms": _ms(_percentile(times, 95)),
            "floor_p50_ms": _ms(floor_p50),
            "floor_bytes": len(body),
            "ratio": round(p50 / floor_p50, 1) if floor_p50 else None,
        }
    return out
