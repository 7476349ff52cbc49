from __future__ import annotations

from django.urls import path

from pes.services import views

app_name = "services"
urlpatterns = [
    path("", views.search, name="search"),
    path("calendario/", views.calendar, name="calendar"),
    path("calendario.ics", views.calendar_feed, name="calendar_ics"),
    path("cruscotto/", views.dashboard, name="dashboard"),
    path("servizio/nuovo/", views.service_new, name="service_new"),
    path("servizio/<slug:slug>/", views.service_detail, name="service"),
    path("servizio/<slug:slug>/modifica/", views.service_edit, name="service_edit"),
    path("percorsi/", views.route_list, name="routes"),
    path("percorsi/nuovo/", views.route_new, name="route_new"),
    path("percorsi/<slug:slug>/", views.route_detail, name="route"),
    path("percorsi/<slug:slug>/modifica/", views.route_edit, name="route_edit"),
    path("percorsi/<slug:slug>/tappe/nuova/", views.stop_new, name="stop_new"),
    path("percorsi/<slug:slug>/tappe/<int:pk>/sposta/", views.stop_move, name="stop_move"),
    path("percorsi/<slug:slug>/tappe/<int:pk>/elimina/", views.stop_remove, name="stop_remove"),
    path("soggiorni/nuovo/", views.stay_new, name="stay_new"),
    path("soggiorni/<slug:slug>/", views.stay_detail, name="stay"),
    path("soggiorni/<slug:slug>/modifica/", views.stay_edit, name="stay_edit"),
]
