from __future__ import annotations

from django.urls import path

from pes.collaboration import views

app_name = "collaboration"
urlpatterns = [
    path("", views.home, name="home"),
    path("tavoli/nuovo/", views.table_new, name="table_new"),
    path("tavoli/<slug:slug>/", views.table_detail, name="table"),
    path("tavoli/<slug:slug>/modifica/", views.table_edit, name="table_edit"),
    path("tavoli/<slug:slug>/membri/", views.member_add, name="member_add"),
    path("tavoli/<slug:slug>/membri/<int:pk>/rimuovi/", views.member_remove, name="member_remove"),
    path("tavoli/<slug:slug>/riunioni/nuova/", views.meeting_new, name="meeting_new"),
    path("tavoli/<slug:slug>/documenti/nuovo/", views.document_new, name="document_new"),
    path("tavoli/<slug:slug>/proposte/nuova/", views.proposal_new, name="proposal_new"),
    path("riunioni/<int:pk>/", views.meeting_detail, name="meeting"),
    path("riunioni/<int:pk>/modifica/", views.meeting_edit, name="meeting_edit"),
    path("riunioni/<int:pk>/calendario.ics", views.meeting_calendar, name="meeting_ics"),
    path("riunioni/<int:pk>/verbale/", views.meeting_minutes, name="meeting_minutes"),
    path("riunioni/<int:pk>/decisioni/", views.decision_add, name="decision_add"),
    path("riunioni/<int:pk>/compiti/", views.action_item_add, name="action_item_add"),
    path("compiti/<int:pk>/fatto/", views.action_item_done, name="action_item_done"),
    path("documenti/<int:pk>/", views.document_detail, name="document"),
    path("documenti/<int:pk>/versioni/<int:number>/", views.document_file, name="document_file"),
    path("proposte/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposte/<int:pk>/modifica/", views.proposal_edit, name="proposal_edit"),
    path("proposte/<int:pk>/commenti/", views.proposal_comment, name="proposal_comment"),
    path("proposte/<int:pk>/sostegno/", views.proposal_support, name="proposal_support"),
    path("proposte/<int:pk>/stato/", views.proposal_decide, name="proposal_decide"),
    path("proposte/<int:pk>/iniziativa/", views.proposal_initiative, name="proposal_initiative"),
    path("procedimenti/", views.procedure_list, name="procedures"),
    path("procedimenti/nuovo/", views.procedure_new, name="procedure_new"),
    path("procedimenti/<slug:slug>/", views.procedure_detail, name="procedure"),
    path("procedimenti/<slug:slug>/avviso/", views.procedure_publish, name="procedure_publish"),
    path(
        "procedimenti/<slug:slug>/manifestazioni/",
        views.expression_submit,
        name="expression_submit",
    ),
    path("manifestazioni/<int:pk>/verifica/", views.expression_check, name="expression_check"),
    path(
        "procedimenti/<slug:slug>/coprogettazione/", views.procedure_design, name="procedure_design"
    ),
    path("procedimenti/<slug:slug>/accordo/", views.procedure_agree, name="procedure_agree"),
    path("procedimenti/<slug:slug>/chiusura/", views.procedure_close, name="procedure_close"),
    path("abitare/", views.housing_list, name="housing_list"),
    path("abitare/nuova/", views.housing_new, name="housing_new"),
    path("abitare/<slug:slug>/", views.housing_detail, name="housing"),
    path("abitare/<slug:slug>/modifica/", views.housing_edit, name="housing_edit"),
    path("preferenze/", views.preferences, name="preferences"),
]
