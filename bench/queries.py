"""The search workload: realistic words, filter combinations and the raw-SQL floors.

Words come from the demo generator (themes, name prefixes, descriptions) and from the
metropolitan municipalities, so every database size has hits for most of them; a few are
prefixes (typed while searching) and one matches nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection

from pes.lib.text import words
from pes.registry.selectors import SEARCH_CONFIG, OrganizationFilters

WORDS: list[str] = [
    # themes in organisation names
    "germoglio",
    "rondine",
    "arcobaleno",
    "il ponte",
    "bottega",
    "mosaico",
    "terra nuova",
    "casa aperta",
    "quadrifoglio",
    "lanterna",
    "orizzonti",
    "melograno",
    "mani tese",
    "girasole",
    "calicanto",
    "appennino vivo",
    # kinds of organisation
    "cooperativa sociale",
    "associazione",
    "promozione sociale",
    "volontariato",
    "pubblica assistenza",
    "fondazione",
    "impresa sociale",
    "circolo",
    "mutuo soccorso",
    "consorzio",
    # municipalities
    "bologna",
    "imola",
    "casalecchio di reno",
    "san lazzaro di savena",
    "budrio",
    "castel maggiore",
    "pianoro",
    "valsamoggia",
    "alto reno terme",
    "san giovanni in persiceto",
    # what they do
    "anziani",
    "disabilità",
    "inserimento lavorativo",
    "infanzia",
    "migranti",
    "emporio solidale",
    "sport",
    "ambiente",
    "housing sociale",
    "microcredito",
    # mixed, prefixes typed while searching, a miss
    "cooperativa germoglio bologna",
    "aps imola",
    "coop",
    "assoc",
    "xylofono",
]

# Filter combinations used with the words above (cycled), as the directory form sends them.
FILTER_SETS: list[dict[str, Any]] = [
    {"municipality": "037006"},  # Bologna
    {"category": "third_sector"},
    {"mission": 3},
    {"legal_form": "APS"},
    {"district": "pianura-est"},
    {"category": "cooperative", "municipality": "037032"},  # Imola
]


@dataclass(frozen=True)
class Case:
    label: str
    filters: OrganizationFilters

    def querystring(self) -> dict[str, str]:
        params: dict[str, str] = {}
        f = self.filters
        for name in ("q", "legal_form", "category", "municipality", "district", "activity"):
            value = getattr(f, name)
            if value:
                params[name] = value
        if f.mission:
            params["mission"] = str(f.mission)
        return params


def text_cases(count: int) -> list[Case]:
    return [Case(w, OrganizationFilters(q=w)) for w in _cycle(WORDS, count)]


def filtered_cases(count: int) -> list[Case]:
    cases = []
    for i, word in enumerate(_cycle(WORDS, count)):
        extra = FILTER_SETS[i % len(FILTER_SETS)]
        label = word + " + " + ",".join(f"{k}={v}" for k, v in extra.items())
        cases.append(Case(label, OrganizationFilters(q=word, **extra)))
    return cases


def filter_only_cases(count: int) -> list[Case]:
    cases = []
    for i in range(count):
        extra = FILTER_SETS[i % len(FILTER_SETS)]
        label = ",".join(f"{k}={v}" for k, v in extra.items())
        cases.append(Case(label, OrganizationFilters(**extra)))
    return cases


def _cycle(items: list[str], count: int) -> list[str]:
    return [items[i % len(items)] for i in range(count)]


# --------------------------------------------------------------------------- floors


@functools.cache
def pg_vector_sql() -> str:
    """The ``tsvector`` the GIN index covers: the stored column if the schema has one."""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "registry_organization")
    if any(c.name == "search_vector" for c in columns):
        return "o.search_vector"
    return f"to_tsvector('{SEARCH_CONFIG}'::regconfig, COALESCE(o.search_document, ''))"


def floor_sql(
    filters: OrganizationFilters, limit: int, *, ranked: bool = True
) -> tuple[str, list[Any]]:
    """One hand-written query returning the same first page as the directory.

    It selects the same joined rows (organisation, legal form, head office) with the same
    conditions and order (by rank when ``ranked``, as the directory does when few match;
    else newest first for words, by name for filters alone), and nothing else: the least any
    implementation has to do.
    """
    joins = [
        "JOIN registry_legalform lf ON lf.id = o.legal_form_id",
        "JOIN territory_municipality m ON m.id = o.head_office_id",
    ]
    where: list[str] = []
    params: list[Any] = []
    if filters.published_only:
        where.append("o.is_published")
    if filters.legal_form:
        where.append("lf.code = %s")
        params.append(filters.legal_form)
    if filters.category:
        where.append("lf.category = %s")
        params.append(filters.category)
    if filters.municipality:
        where.append("m.istat_code = %s")
        params.append(filters.municipality)
    if filters.district:
        joins.append("JOIN territory_district d ON d.id = m.district_id")
        where.append("d.slug = %s")
        params.append(filters.district)
    if filters.activity:
        joins.append("JOIN registry_organization_activities oa ON oa.organization_id = o.id")
        joins.append("JOIN registry_activity a ON a.id = oa.activity_id")
        where.append("a.letter = %s")
        params.append(filters.activity)
    if filters.mission:
        joins.append("JOIN registry_organization_missions om ON om.organization_id = o.id")
        joins.append("JOIN plan_mission pm ON pm.id = om.mission_id")
        where.append("pm.number = %s")
        params.append(filters.mission)
    terms = words(filters.q)
    columns = "o.id, o.name, o.slug, o.runts_id, lf.label, m.name"
    order = "o.name, o.id"
    if terms and connection.vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        vector = pg_vector_sql()
        query = f"to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
        where.append(f"{vector} @@ {query}")
        params.append(tsquery)
        if ranked:
            columns += f", ts_rank({vector}, {query}) AS rank"
            params.insert(0, tsquery)  # the rank's placeholder comes first, in the SELECT list
            order = "rank DESC, o.name, o.id"
        else:
            order = "o.id DESC"
    elif terms:
        for term in terms:
            where.append("o.search_document LIKE %s")
            params.append(f"%{term}%")
        if not ranked:
            order = "o.id DESC"
    sql = f"SELECT {columns} FROM registry_organization o {' '.join(joins)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order} LIMIT {int(limit)}"
    return sql, params
