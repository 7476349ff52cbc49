from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "pes.plan"
    verbose_name = _("The Plan")

    def ready(self) -> None:
        from pes.plan import signals  # noqa: F401 - connects the roll-up receivers
