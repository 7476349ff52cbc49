from __future__ import annotations

from django.urls import path

from pes.plan import views

app_name = "plan"
urlpatterns = [
    path("missioni/<int:number>/", views.mission_detail, name="mission"),
]
