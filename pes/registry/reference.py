"""Reference tables of the registry: legal forms, RUNTS sections, art. 5 CTS activities.

Sources and how sure each fact is: ``data/legal_forms.json`` and
``data/cts_art5_activities.json`` (copied from the project's checked reference data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"

# RUNTS sections, D.Lgs. 117/2017 art. 46 c.1.
RUNTS_SECTIONS: list[tuple[str, str]] = [
    ("a", "Organizzazioni di volontariato"),
    ("b", "Associazioni di promozione sociale"),
    ("c", "Enti filantropici"),
    ("d", "Imprese sociali, incluse le cooperative sociali"),
    ("e", "Reti associative"),
    ("f", "Società di mutuo soccorso"),
    ("g", "Altri enti del Terzo settore"),
]


@dataclass(frozen=True)
class LegalFormSpec:
    code: str
    label: str
    category: str
    runts_section: str = ""
    is_ets: bool = False


# Categories group legal forms by the kind of actor they are in the Plan.
CATEGORIES: list[tuple[str, Any]] = [
    ("third_sector", _("Third sector")),
    ("cooperative", _("Cooperatives")),
    ("public", _("Public administration and education")),
    ("finance", _("Banks and foundations")),
    ("business", _("Businesses")),
    ("other", _("Other actors")),
]

LEGAL_FORMS: list[LegalFormSpec] = [
    LegalFormSpec("COOP_SOC_A", "Cooperativa sociale di tipo A", "third_sector", "d", True),
    LegalFormSpec("COOP_SOC_B", "Cooperativa sociale di tipo B", "third_sector", "d", True),
    LegalFormSpec("COOP_SOC_AB", "Cooperativa sociale plurima (A e B)", "third_sector", "d", True),
    LegalFormSpec(
        "CONSORZIO_COOP_SOC", "Consorzio di cooperative sociali", "third_sector", "d", True
    ),
    LegalFormSpec("IMPRESA_SOCIALE", "Impresa sociale", "third_sector", "d", True),
    LegalFormSpec("ODV", "Organizzazione di volontariato (ODV)", "third_sector", "a", True),
    LegalFormSpec("APS", "Associazione di promozione sociale (APS)", "third_sector", "b", True),
    LegalFormSpec("ENTE_FILANTROPICO", "Ente filantropico", "third_sector", "c", True),
    LegalFormSpec("RETE_ASSOCIATIVA", "Rete associativa", "third_sector", "e", True),
    LegalFormSpec("SMS", "Società di mutuo soccorso", "third_sector", "f", True),
    LegalFormSpec("ALTRO_ETS", "Altro ente del Terzo settore", "third_sector", "g", True),
    LegalFormSpec("COOP", "Società cooperativa", "cooperative"),
    LegalFormSpec("COOP_COMUNITA", "Cooperativa di comunità", "cooperative"),
    LegalFormSpec("ASSOCIAZIONE", "Associazione non iscritta al RUNTS", "other"),
    LegalFormSpec("FONDAZIONE", "Fondazione non iscritta al RUNTS", "other"),
    LegalFormSpec("FOB", "Fondazione di origine bancaria", "finance"),
    LegalFormSpec("BANCA", "Banca", "finance"),
    LegalFormSpec("IMPRESA", "Impresa for profit", "business"),
    LegalFormSpec("SOCIETA_BENEFIT", "Società benefit", "business"),
    LegalFormSpec("PA", "Pubblica amministrazione", "public"),
    LegalFormSpec("UNIVERSITA_SCUOLA", "Università o scuola", "public"),
]


def activities() -> list[dict[str, str]]:
    """The 26 activities of general interest, art. 5 c.1 CTS, letters a)–z)."""
    with (DATA_DIR / "cts_art5_activities.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return [
        {"letter": a["lettera"], "label": a["label"], "reference": a.get("riferimento", "")}
        for a in data["activities"]
    ]


def load_reference(apps: Any = None) -> None:
    """Create or update legal forms and activities. Idempotent."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    LegalForm = apps.get_model("registry", "LegalForm")
    Activity = apps.get_model("registry", "Activity")
    for order, spec in enumerate(LEGAL_FORMS):
        LegalForm.objects.update_or_create(
            code=spec.code,
            defaults={
                "label": spec.label,
                "category": spec.category,
                "runts_section": spec.runts_section,
                "is_ets": spec.is_ets,
                "order": order,
            },
        )
    for item in activities():
        Activity.objects.update_or_create(
            letter=item["letter"],
            defaults={"label": item["label"], "reference": item["reference"]},
        )
