from __future__ import annotations

from django.contrib import admin

from pes.learning.models import (
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Feedback,
    ResearchProject,
    Session,
)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "organizer", "kind", "seats", "enrolled", "is_free", "is_published"]
    list_filter = ["kind", "is_free", "is_published"]
    search_fields = ["title", "organizer__name"]
    autocomplete_fields = ["organizer"]
    raw_id_fields = ["action"]
    readonly_fields = ["enrolled"]
    inlines = [SessionInline]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["course", "user", "affiliation", "status", "created_at"]
    list_filter = ["status", "affiliation"]
    search_fields = ["course__title", "user__email"]
    raw_id_fields = ["course", "user"]
    # Seats are a counter kept by pes.learning.services: change status there, not here.
    readonly_fields = ["status"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "session", "present"]
    raw_id_fields = ["enrolment", "session"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "enrolment", "sessions_attended", "hours", "issued_at"]
    search_fields = ["code"]
    raw_id_fields = ["enrolment"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "overall", "usefulness", "created_at"]
    raw_id_fields = ["enrolment"]


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "university", "start_year", "end_year", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title", "people", "university"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["missions"]
    prepopulated_fields = {"slug": ["title"]}
