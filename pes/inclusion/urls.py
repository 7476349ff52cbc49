from __future__ import annotations

from django.urls import path

from pes.inclusion import views

app_name = "inclusion"
urlpatterns = [
    path("", views.home, name="home"),
    path("iscrizione/", views.intake, name="intake"),
    path("iscrizione/ricevuta/", views.receipt, name="receipt"),
    path("privacy/", views.privacy, name="privacy"),
    path("i-miei-dati/", views.my_data, name="my_data"),
    path("i-miei-dati/<str:token>/", views.my_data, name="my_data_token"),
    path("cruscotto/", views.dashboard, name="dashboard"),
    path("rete/", views.network, name="network"),
    path("rete/aderisci/<int:org_pk>/", views.network_join, name="network_join"),
    path("offerte/", views.opening_list, name="openings"),
    path("offerte/<int:pk>/", views.opening_detail, name="opening"),
    path("offerte/<int:pk>/modifica/", views.opening_edit, name="opening_edit"),
    path("offerte/<int:pk>/candidati/", views.opening_candidates, name="opening_candidates"),
    path("azienda/", views.company, name="company"),
    path("azienda/<int:org_pk>/nuova-offerta/", views.opening_new, name="opening_new"),
    path("proposte/<int:pk>/", views.proposal_detail, name="proposal"),
    path("casi/", views.case_queue, name="cases"),
    path("casi/<int:pk>/", views.case_detail, name="case"),
    path("casi/<int:pk>/prendi/", views.case_take, name="case_take"),
    path("casi/<int:pk>/profilo/", views.case_profile, name="case_profile"),
    path("allocazione/", views.allocation_list, name="allocations"),
    path("allocazione/<int:pk>/", views.allocation_detail, name="allocation"),
]
