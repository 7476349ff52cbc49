from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "pes.procurement"
    verbose_name = _("Impact-oriented procurement")

    def ready(self) -> None:
        from pes.core.versions import track
        from pes.procurement import models
        from pes.procurement.selectors import VERSION_AREA

        # What the dashboard counts (``selectors.procurement_dashboard``).
        track(
            VERSION_AREA,
            models.Tender,
            models.Criterion,
            models.Bid,
            models.Contract,
            models.Commitment,
            models.ReportingPeriod,
            models.SupplierReport,
            models.SocialValueProxy,
        )
