from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InclusionConfig(AppConfig):
    name = "pes.inclusion"
    verbose_name = _("Work inclusion")
