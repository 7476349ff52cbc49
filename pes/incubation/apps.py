from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "pes.incubation"
    verbose_name = _("Incubation and acceleration")

    def ready(self) -> None:
        from pes.core.versions import track
        from pes.incubation import models
        from pes.incubation.selectors import VERSION_AREA

        # What the dashboard counts (``selectors.dashboard``, cached under this area).
        track(
            VERSION_AREA,
            models.Call,
            models.Application,
            models.Score,
            models.Project,
            models.Tranche,
            models.FollowUp,
        )
