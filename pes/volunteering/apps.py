from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "pes.volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from pes.volunteering import signals  # noqa: F401 - keeps the stored next shift
