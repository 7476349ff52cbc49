from __future__ import annotations

from django.urls import path

from pes.procurement import views

app_name = "procurement"
urlpatterns = [
    path("", views.tender_index, name="tenders"),
    path("gare/", views.tender_index, name="tender_list"),
    path("gare/nuova/", views.tender_new, name="tender_new"),
    path("gare/<int:pk>/", views.tender_page, name="tender"),
    path("gare/<int:pk>/modifica/", views.tender_edit, name="tender_edit"),
    path("gare/<int:pk>/criteri/", views.tender_criterion_add, name="criterion_add"),
    path(
        "gare/<int:pk>/criteri/<int:criterion_pk>/elimina/",
        views.tender_criterion_delete,
        name="criterion_delete",
    ),
    path("gare/<int:pk>/lotti/", views.tender_lots, name="lots"),
    path("gare/<int:pk>/lotti/<int:lot_pk>/", views.tender_lot_edit, name="lot_edit"),
    path("gare/<int:pk>/lotti/<int:lot_pk>/elimina/", views.tender_lot_delete, name="lot_delete"),
    path("gare/<int:pk>/pubblica/", views.tender_publish_view, name="tender_publish"),
    path("gare/<int:pk>/offerte/nuova/", views.bid_new, name="bid_new"),
    path("gare/<int:pk>/graduatoria/", views.tender_ranking_page, name="ranking"),
    path("gare/<int:pk>/aggiudica/", views.tender_award_view, name="award"),
    path("gare/<int:pk>/ocds/rilasci.json", views.ocds_release_package, name="ocds_releases"),
    path("gare/<int:pk>/ocds/record.json", views.ocds_record_package, name="ocds_record"),
    path("clausole/", views.clause_index, name="clauses"),
    path("clausole/nuova/", views.clause_new, name="clause_new"),
    path("contratti/", views.contracts_mine, name="contracts"),
    path("contratti/<int:pk>/", views.contract_page, name="contract"),
    path("contratti/<int:pk>/rapporto/", views.report_new, name="report_new"),
    path("cruscotto/", views.dashboard, name="dashboard"),
    path("cruscotto/contratti/", views.dashboard_contract_list, name="dashboard_contracts"),
    path("cruscotto/contratti.csv", views.dashboard_contracts_csv, name="dashboard_contracts_csv"),
    path("valore-sociale/", views.proxies, name="proxies"),
]
