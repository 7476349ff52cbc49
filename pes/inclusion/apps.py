from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InclusionConfig(AppConfig):
    name = "pes.inclusion"
    verbose_name = _("Work inclusion")

    def ready(self) -> None:
        from pes.core.versions import track
        from pes.inclusion import models
        from pes.inclusion.selectors import NETWORK_AREA

        track(NETWORK_AREA, models.NetworkMember, models.Opening, models.Proposal)
