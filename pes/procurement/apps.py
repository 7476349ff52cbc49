from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "pes.procurement"
    verbose_name = _("Impact-oriented procurement")
