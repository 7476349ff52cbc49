"""Fragility-assessment instruments loaded as data: checking a definition, and scoring the
answers of an assessment on it. The platform computes nothing of its own: each dimension's
score is the weighted share of the maximum the instrument allows, and the band is the one
whose threshold the total reaches, as the instrument defines them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DIMENSIONS = ("work", "social", "health")
DEFAULT_INSTRUMENT = Path(__file__).parent / "instruments" / "fragility-default.json"


@dataclass(frozen=True)
class Result:
    by_dimension: dict[str, int]
    total: int
    band: str


def check_definition(definition: Any) -> dict[str, Any]:
    """The definition if it is well-formed; ``ValidationError`` saying what is wrong."""
    problems: list[str] = []
    if not isinstance(definition, dict):
        raise ValidationError(_("An instrument is a JSON object."))
    for key in ("code", "version", "name", "scale", "items", "bands"):
        if key not in definition:
            problems.append(_("Missing key: %(key)s.") % {"key": key})
    if problems:
        raise ValidationError(problems)
    scale = definition["scale"]
    if not (isinstance(scale, dict) and int(scale.get("max", 0)) > int(scale.get("min", 0))):
        problems.append(_("The scale needs a minimum below its maximum."))
    codes: set[str] = set()
    for item in definition["items"]:
        code = item.get("code")
        if not code or code in codes:
            problems.append(_("Every item needs a code of its own."))
        codes.add(code)
        if item.get("dimension") not in DIMENSIONS:
            problems.append(_("Item %(code)s: unknown dimension.") % {"code": code})
        if not isinstance(item.get("weight"), int | float) or item["weight"] <= 0:
            problems.append(_("Item %(code)s: the weight must be positive.") % {"code": code})
    bands = definition["bands"]
    if not bands or sorted(b.get("min_pct", -1) for b in bands)[0] != 0:
        problems.append(_("The bands must start at 0%."))
    if problems:
        raise ValidationError(problems)
    return definition


def load_file(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return check_definition(json.load(handle))


def score(definition: dict[str, Any], answers: dict[str, int]) -> Result:
    """Weighted share of the maximum, per dimension and overall (0–100), and the band."""
    low, high = int(definition["scale"]["min"]), int(definition["scale"]["max"])
    errors: dict[str, list[str]] = {}
    sums: dict[str, float] = {d: 0.0 for d in DIMENSIONS}
    maxima: dict[str, float] = {d: 0.0 for d in DIMENSIONS}
    for item in definition["items"]:
        value = answers.get(item["code"])
        if value is None or not (low <= int(value) <= high):
            errors[item["code"]] = [
                _("Give a value between %(low)s and %(high)s.") % {"low": low, "high": high}
            ]
            continue
        sums[item["dimension"]] += (int(value) - low) * item["weight"]
        maxima[item["dimension"]] += (high - low) * item["weight"]
    if errors:
        raise ValidationError(errors)
    by_dimension = {d: round(100 * sums[d] / maxima[d]) for d in DIMENSIONS if maxima[d] > 0}
    total = round(100 * sum(sums.values()) / sum(maxima.values()))
    band = ""
    for candidate in sorted(definition["bands"], key=lambda b: b["min_pct"]):
        if total >= candidate["min_pct"]:
            band = candidate["code"]
    return Result(by_dimension=by_dimension, total=total, band=band)


def band_label(definition: dict[str, Any], code: str) -> str:
    for band in definition["bands"]:
        if band["code"] == code:
            return str(band["label"])
    return code
