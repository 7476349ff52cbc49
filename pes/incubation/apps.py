from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubationConfig(AppConfig):
    name = "pes.incubation"
    verbose_name = _("Incubation and acceleration")
