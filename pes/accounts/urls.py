from __future__ import annotations

from django.urls import path

from pes.accounts import views

app_name = "accounts"
urlpatterns = [
    path("profilo/", views.profile, name="profile"),
    path("token/<int:token_id>/revoca/", views.token_revoke, name="token_revoke"),
]
