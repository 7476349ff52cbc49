from __future__ import annotations

from django.urls import path

from pes.incubation import views

app_name = "incubation"
urlpatterns = [
    path("", views.home, name="home"),
    path("bandi/", views.call_list, name="calls"),
    path("bandi/nuovo/", views.call_new, name="call_new"),
    path("bandi/<slug:slug>/", views.call_detail, name="call"),
    path("bandi/<slug:slug>/modifica/", views.call_edit, name="call_edit"),
    path("bandi/<slug:slug>/candidatura/", views.apply, name="apply"),
    path("bandi/<slug:slug>/valutatori/", views.call_evaluators, name="evaluators"),
    path("bandi/<slug:slug>/graduatoria/", views.ranking, name="ranking"),
    path("candidature/", views.application_list, name="applications"),
    path("candidature/<int:pk>/", views.application_detail, name="application"),
    path("candidature/<int:pk>/modifica/", views.application_edit, name="application_edit"),
    path("candidature/<int:pk>/valutazione/", views.evaluate, name="evaluate"),
    path("candidature/<int:pk>/decisione/", views.decide, name="decide"),
    path("valutazioni/", views.evaluation_queue, name="evaluations"),
    path("coorti/<int:pk>/", views.cohort_detail, name="cohort"),
    path("progetti/<int:pk>/", views.project_detail, name="project"),
    path("vetrina/", views.showcase, name="showcase"),
    path("vetrina/<int:pk>/", views.showcase_project, name="showcase_project"),
    path("cruscotto/", views.dashboard, name="dashboard"),
]
