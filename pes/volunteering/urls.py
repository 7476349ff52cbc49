from __future__ import annotations

from django.urls import path

from pes.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home, name="home"),
    path("opportunita/", views.opportunity_list, name="opportunities"),
    path("opportunita/nuova/", views.opportunity_new, name="opportunity_new"),
    path("opportunita/<slug:slug>/", views.opportunity_detail, name="opportunity"),
    path("opportunita/<slug:slug>/modifica/", views.opportunity_edit, name="opportunity_edit"),
    path("opportunita/<slug:slug>/turni/nuovo/", views.shift_new, name="shift_new"),
    path(
        "opportunita/<slug:slug>/volontari-suggeriti/",
        views.opportunity_suggestions,
        name="suggestions",
    ),
    path("turni/<int:pk>/", views.shift_detail, name="shift"),
    path("turni/<int:pk>/prenota/", views.shift_book, name="shift_book"),
    path("turni/<int:pk>/annulla/", views.shift_cancel, name="shift_cancel"),
    path("turni/<int:pk>/calendario.ics", views.shift_calendar, name="shift_ics"),
    path("prenotazioni/<int:pk>/annulla/", views.booking_cancel, name="booking_cancel"),
    path("prenotazioni/<int:pk>/presenza/", views.booking_attendance, name="booking_attendance"),
    path("iscrizione/", views.signup, name="signup"),
    path("profilo/", views.profile, name="profile"),
    path("profilo/modifica/", views.profile_edit, name="profile_edit"),
    path(
        "certificati/ente/<int:organization_id>/pdf/",
        views.certificate_download,
        name="certificate_download",
    ),
    path("certificati/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("gruppi/", views.group_list, name="groups"),
    path("gruppi/nuovo/", views.group_new, name="group_new"),
    path("gruppi/<int:pk>/", views.group_detail, name="group"),
    path("cruscotto/", views.dashboard, name="dashboard"),
]
