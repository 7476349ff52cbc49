"""The curated indicator library and proxy table, shipped as data files in ``data/`` and
loaded by a data migration (and by ``load_impact_library`` after a flush). Records are keyed
by code: loading again updates them and never duplicates."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
INDICATOR_KEYS = ["name", "definition", "unit", "data_type", "theme", "sdg_target", "iris_id"]
PROXY_KEYS = ["name", "unit", "source", "source_url", "year", "to_check"]


def indicator_rows() -> list[dict[str, Any]]:
    return list(json.loads((DATA / "indicators.json").read_text(encoding="utf-8")))


def proxy_rows() -> list[dict[str, Any]]:
    return list(json.loads((DATA / "proxies.json").read_text(encoding="utf-8")))


def load_library(apps: Any = None) -> tuple[int, int]:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Indicator = apps.get_model("impact", "Indicator")
    Proxy = apps.get_model("impact", "Proxy")
    indicators = indicator_rows()
    for row in indicators:
        defaults = {k: row[k] for k in INDICATOR_KEYS}
        defaults["is_core"] = bool(row["is_core"])
        Indicator.objects.update_or_create(code=row["code"], organization=None, defaults=defaults)
    proxies = proxy_rows()
    for row in proxies:
        defaults = {k: row[k] for k in PROXY_KEYS}
        defaults["euro_per_unit"] = Decimal(row["euro_per_unit"])
        Proxy.objects.update_or_create(code=row["code"], defaults=defaults)
    return len(indicators), len(proxies)
