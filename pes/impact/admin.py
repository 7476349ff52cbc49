from __future__ import annotations

from django.contrib import admin

from pes.impact.models import (
    Answer,
    Campaign,
    Indicator,
    Measure,
    Method,
    MethodIndicator,
    Outcome,
    Participant,
    Proxy,
    Question,
    Report,
    Response,
    Sroi,
    Survey,
    SurveyToken,
    Theory,
)


@admin.register(Theory)
class TheoryAdmin(admin.ModelAdmin):
    list_display = ["title", "subject", "organization", "municipality", "updated_at"]
    list_filter = ["subject"]
    search_fields = ["title", "programme", "organization__name"]
    raw_id_fields = ["organization", "initiative", "contract", "created_by"]
    autocomplete_fields = ["municipality"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "data_type",
        "unit",
        "sdg_target",
        "iris_id",
        "is_core",
        "organization",
    ]
    list_filter = ["is_core", "data_type", "theme"]
    search_fields = ["code", "name", "definition"]
    raw_id_fields = ["organization"]


@admin.register(Proxy)
class ProxyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "euro_per_unit", "unit", "year", "to_check"]
    list_filter = ["to_check"]
    search_fields = ["code", "name", "source"]
    raw_id_fields = ["organization"]


class MethodIndicatorInline(admin.TabularInline):
    model = MethodIndicator
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "unit", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MethodIndicatorInline]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ["organization", "submitted_by"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "method", "status"]
    list_filter = ["status", "year"]
    search_fields = ["title"]
    inlines = [ParticipantInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["participant", "indicator", "number", "flag", "women", "men", "other"]
    raw_id_fields = ["participant", "indicator"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "stakeholder", "created_at"]
    raw_id_fields = ["campaign", "participant"]
    inlines = [QuestionInline]


@admin.register(SurveyToken)
class SurveyTokenAdmin(admin.ModelAdmin):
    list_display = ["survey", "expires_at", "used_at"]
    readonly_fields = ["token"]
    raw_id_fields = ["survey"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "submitted_at"]
    raw_id_fields = ["survey"]


class OutcomeInline(admin.StackedInline):
    model = Outcome
    extra = 0
    raw_id_fields = ["indicator", "proxy"]


@admin.register(Sroi)
class SroiAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "investment", "discount_rate"]
    search_fields = ["title"]
    raw_id_fields = ["theory", "organization", "created_by"]
    inlines = [OutcomeInline]


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "is_published", "small_template"]
    list_filter = ["is_published", "small_template", "year"]
    search_fields = ["title"]
    raw_id_fields = ["theory", "sroi", "campaign", "created_by"]
    inlines = [MeasureInline]
