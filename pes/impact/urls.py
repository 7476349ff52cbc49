from __future__ import annotations

from django.urls import path

from pes.impact import views

app_name = "impact"
urlpatterns = [
    path("", views.home, name="home"),
    path("modello-piccoli-comuni/", views.small_template, name="small_template"),
    path("teorie/", views.theory_list, name="theories"),
    path("teorie/nuova/", views.theory_new, name="theory_new"),
    path("teorie/<int:pk>/", views.theory_detail, name="theory"),
    path("teorie/<int:pk>/passo/<slug:section>/", views.theory_step, name="theory_step"),
    path("teorie/<int:pk>/rapporto/", views.report_new, name="report_new"),
    path("indicatori/", views.indicator_list, name="indicators"),
    path("indicatori/nuovo/", views.indicator_new, name="indicator_new"),
    path("proxy/", views.proxy_list, name="proxies"),
    path("proxy/nuovo/", views.proxy_new, name="proxy_new"),
    path("metodi/", views.method_list, name="methods"),
    path("metodi/nuovo/", views.method_new, name="method_new"),
    path("metodi/<int:pk>/", views.method_detail, name="method"),
    path("metodi/<int:pk>/nuova-versione/", views.method_version, name="method_version"),
    path("campagne/", views.campaign_list, name="campaigns"),
    path("campagne/nuova/", views.campaign_new, name="campaign_new"),
    path("campagne/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campagne/<int:pk>/stato/", views.campaign_status, name="campaign_status"),
    path("campagne/<int:pk>/csv/", views.campaign_csv, name="campaign_csv"),
    path("campagne/<int:pk>/questionari/nuovo/", views.survey_new, name="survey_new"),
    path("risposte/<int:pk>/", views.answer_form, name="answer"),
    path("questionari/<int:pk>/", views.survey_detail, name="survey"),
    path("q/<str:token>/", views.survey_respond, name="respond"),
    path("sroi/", views.sroi_list, name="srois"),
    path("sroi/nuova/", views.sroi_new, name="sroi_new"),
    path("sroi/<int:pk>/", views.sroi_detail, name="sroi"),
    path(
        "sroi/<int:pk>/esiti/<int:outcome_pk>/elimina/", views.outcome_delete, name="outcome_delete"
    ),
    path("rapporti/", views.report_list, name="reports"),
    path("rapporti/<int:pk>/", views.report_detail, name="report"),
    path("rapporti/<int:pk>/fase/<slug:phase>/", views.report_phase, name="report_phase"),
    path("rapporti/<int:pk>/indicatori/", views.report_measures, name="report_measures"),
    path("rapporti/<int:pk>/pubblica/", views.report_publish, name="report_publish"),
    path("rapporti/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
]
