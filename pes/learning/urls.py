from __future__ import annotations

from django.urls import path

from pes.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.course_list, name="home"),
    path("corsi/nuovo/", views.course_new, name="course_new"),
    path("corsi/<slug:slug>/", views.course_detail, name="course"),
    path("corsi/<slug:slug>/modifica/", views.course_edit, name="course_edit"),
    path("corsi/<slug:slug>/sessioni/nuova/", views.session_new, name="session_new"),
    path("corsi/<slug:slug>/iscrizione/", views.course_enrol, name="enrol"),
    path("sessioni/<int:pk>/modifica/", views.session_edit, name="session_edit"),
    path("sessioni/<int:pk>/presenze/", views.session_attendance, name="attendance"),
    path("iscrizioni/", views.my_enrolments, name="mine"),
    path("iscrizioni/<int:pk>/annulla/", views.enrolment_cancel, name="enrolment_cancel"),
    path("iscrizioni/<int:pk>/attestato.pdf", views.certificate_download, name="certificate"),
    path("iscrizioni/<int:pk>/questionario/", views.feedback, name="feedback"),
    path("attestati/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("ricerca/", views.research_list, name="research_list"),
    path("ricerca/nuova/", views.research_new, name="research_new"),
    path("ricerca/<slug:slug>/", views.research_detail, name="research"),
    path("ricerca/<slug:slug>/modifica/", views.research_edit, name="research_edit"),
]
