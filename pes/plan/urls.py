from __future__ import annotations

from django.urls import path

from pes.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.plan_overview, name="overview"),
    path("missioni/<int:number>/", views.mission_detail, name="mission"),
    path("azioni/<int:pk>/", views.action_detail, name="action"),
    path("iniziative/", views.initiative_index, name="initiatives"),
    path("iniziative/nuova/", views.initiative_new, name="initiative_new"),
    path("iniziative/<slug:slug>/", views.initiative_page, name="initiative"),
    path("iniziative/<slug:slug>/modifica/", views.initiative_edit, name="initiative_edit"),
    path("iniziative/<slug:slug>/rapporto/", views.report_new, name="report_new"),
    path("rapporti/", views.report_queue, name="reports"),
    path("rapporti/<int:pk>/", views.report_review, name="report_review"),
    path("indicatori/<slug:code>/", views.indicator_page, name="indicator"),
    path("indicatori/<slug:code>/dati.csv", views.indicator_csv, name="indicator_csv"),
]
