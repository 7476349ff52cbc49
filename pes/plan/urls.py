from __future__ import annotations

from django.urls import path

from pes.plan import views, views_dashboard, views_decidim, views_export

app_name = "plan"
urlpatterns = [
    path("", views.plan_overview, name="overview"),
    path("dati/piano.json", views_export.export_plan_json, name="export_json"),
    path("dati/<slug:table>.csv", views_export.export_table_csv, name="export_csv"),
    path("missioni/<int:number>/", views.mission_detail, name="mission"),
    path("missioni/<int:number>/nuova-<slug:kind>/", views.mission_add, name="mission_add"),
    path("azioni/<int:pk>/", views.action_detail, name="action"),
    path("iniziative/", views.initiative_index, name="initiatives"),
    path("iniziative/nuova/", views.initiative_new, name="initiative_new"),
    path("iniziative/<slug:slug>/", views.initiative_page, name="initiative"),
    path("iniziative/<slug:slug>/modifica/", views.initiative_edit, name="initiative_edit"),
    path("iniziative/<slug:slug>/gestisci/", views.initiative_manage, name="initiative_manage"),
    path("iniziative/<slug:slug>/rapporto/", views.report_new, name="report_new"),
    path("rapporti/", views.report_queue, name="reports"),
    path("rapporti/<int:pk>/", views.report_review, name="report_review"),
    path("indicatori/<slug:code>/", views.indicator_page, name="indicator"),
    path("decidim/", views_decidim.decidim_exchange, name="decidim"),
    path("indicatori/<slug:code>/dati.csv", views.indicator_csv, name="indicator_csv"),
    path("cruscotto/", views_dashboard.dashboard, name="dashboard"),
    path("cruscotto/rapporto.pdf", views_dashboard.monitoring_report_pdf, name="dashboard_pdf"),
    path(
        "cruscotto/promemoria/",
        views_dashboard.dashboard_send_reminders,
        name="dashboard_reminders",
    ),
    path("cruscotto/<slug:table>.csv", views_dashboard.dashboard_csv, name="dashboard_csv"),
]
