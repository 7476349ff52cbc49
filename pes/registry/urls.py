from __future__ import annotations

from django.urls import path

from pes.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("nuovo/", views.organization_new, name="organization_new"),
    path("importa/", views.organization_import, name="import"),
    path("esporta.csv", views.organization_export, name="export"),
    path("<slug:slug>/", views.organization_page, name="organization"),
    path("<slug:slug>/modifica/", views.organization_edit, name="organization_edit"),
]
