from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from pes.api.api import api
from pes.core import views as core_views

admin.site.site_header = "PES — amministrazione"
admin.site.site_title = "PES"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accessibilita/", core_views.accessibility, name="accessibility"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("enti/", include("pes.registry.urls")),
    path("territorio/", include("pes.territory.urls")),
    path("piano/", include("pes.plan.urls")),
    path("volontariato/", include("pes.volunteering.urls")),
    path("appalti/", include("pes.procurement.urls")),
    path("servizi/", include("pes.services.urls")),
    path("formazione/", include("pes.learning.urls")),
    path("collaborazione/", include("pes.collaboration.urls")),
    path("finanza/", include("pes.finance.urls")),
    path("lavoro/", include("pes.inclusion.urls")),
    path("impatto/", include("pes.impact.urls")),
    path("incubazione/", include("pes.incubation.urls")),
    path("account/", include("pes.accounts.urls")),
    path("auth/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
