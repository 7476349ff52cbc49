from __future__ import annotations

from django.urls import path

from pes.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.home, name="home"),
    path("bandi/", views.call_list, name="calls"),
    path("bandi/nuovo/", views.call_new, name="call_new"),
    path("bandi/per-te/", views.for_you, name="for_you"),
    path("bandi/<slug:slug>/", views.call_detail, name="call"),
    path("bandi/<slug:slug>/candidatura/", views.apply, name="apply"),
    path("candidature/", views.application_list, name="applications"),
    path("candidature/<int:pk>/", views.application_detail, name="application"),
    path("candidature/<int:pk>/modifica/", views.application_edit, name="application_edit"),
    path("portafoglio/", views.wallet, name="wallet"),
    path("portafoglio/<int:pk>/", views.wallet_document, name="wallet_document"),
    path("portafoglio/<int:pk>/elimina/", views.wallet_document_delete, name="wallet_delete"),
    path("programmi/", views.programme_list, name="programmes"),
    path("programmi/nuovo/", views.programme_new, name="programme_new"),
    path("programmi/<slug:slug>/modifica/", views.programme_edit, name="programme_edit"),
    path("prodotti/", views.product_list, name="products"),
    path("prodotti/nuovo/", views.product_new, name="product_new"),
    path("prodotti/<slug:slug>/modifica/", views.product_edit, name="product_edit"),
    path("simulatori/fondo-di-garanzia/", views.guarantee_simulator, name="guarantee"),
    path("simulatori/pagamenti-a-risultato/", views.outcome_simulator, name="outcomes"),
    path("impact-investing/", views.case_list, name="cases"),
    path("impact-investing/nuovo/", views.case_new, name="case_new"),
    path("impact-investing/<slug:slug>/", views.case_detail, name="case"),
    path("impact-investing/<slug:slug>/modifica/", views.case_edit, name="case_edit"),
    path("cruscotto/", views.dashboard, name="dashboard"),
]
