"""Reference data of the module: the skills volunteers offer and opportunities ask for.

Labels are stored in Italian (the interface language), like the art. 5 CTS activities.
"""

from __future__ import annotations

SKILLS: list[tuple[str, str]] = [
    ("primo-soccorso", "Primo soccorso"),
    ("guida", "Patente di guida"),
    ("cucina", "Cucina e distribuzione pasti"),
    ("educazione", "Sostegno scolastico e animazione"),
    ("assistenza", "Assistenza e compagnia a persone anziane o fragili"),
    ("informatica", "Informatica e facilitazione digitale"),
    ("comunicazione", "Comunicazione e social media"),
    ("lingue", "Traduzione e mediazione linguistica"),
    ("manutenzione", "Piccola manutenzione e bricolage"),
    ("giardinaggio", "Giardinaggio e cura del verde"),
    ("amministrazione", "Amministrazione e contabilità"),
    ("eventi", "Organizzazione di eventi"),
    ("sport", "Attività sportive"),
    ("musica-arte", "Musica, arte e spettacolo"),
    ("logistica", "Logistica e magazzino"),
]


def load_skills(skill_model: object = None) -> int:
    """Create the skills that are missing (idempotent); returns how many were created."""
    if skill_model is None:
        from pes.volunteering.models import Skill as skill_model  # noqa: N813
    created = 0
    for code, label in SKILLS:
        _obj, new = skill_model._default_manager.get_or_create(  # type: ignore[attr-defined]
            code=code, defaults={"label": label}
        )
        created += int(new)
    return created
