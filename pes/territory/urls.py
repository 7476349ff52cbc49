from __future__ import annotations

from django.urls import path

from pes.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.municipality_index, name="municipalities"),
    path("<slug:slug>/", views.municipality_detail, name="municipality"),
]
