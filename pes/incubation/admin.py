from __future__ import annotations

from django.contrib import admin

from pes.incubation.models import (
    Application,
    Call,
    Cohort,
    ConflictDeclaration,
    Criterion,
    EvaluatorAssignment,
    FollowUp,
    MentoringSession,
    Milestone,
    Phase,
    Project,
    Score,
    Tranche,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = EvaluatorAssignment
    extra = 0
    raw_id_fields = ["evaluator"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "promoter_name", "promoter_kind", "deadline", "budget", "is_published"]
    list_filter = ["promoter_kind", "mission", "is_published"]
    search_fields = ["title", "promoter_name"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["promoter"]
    filter_horizontal = ["municipalities", "legal_forms"]
    inlines = [CriterionInline, PhaseInline, AssignmentInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "organization", "team_name", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["title", "team_name", "organization__name"]
    raw_id_fields = ["call", "organization", "team_lead", "municipality", "decided_by"]
    list_select_related = ["call", "organization"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ["application", "evaluator", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]
    raw_id_fields = ["application", "evaluator"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["application", "evaluator", "criterion", "value", "max_score"]
    raw_id_fields = ["application", "evaluator", "criterion"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "starts_on", "ends_on"]
    raw_id_fields = ["call"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0
    raw_id_fields = ["milestone", "recorded_by"]


class SessionInline(admin.TabularInline):
    model = MentoringSession
    extra = 0
    raw_id_fields = ["mentor"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "grant", "mentor", "in_showcase"]
    raw_id_fields = ["application", "cohort", "mentor"]
    inlines = [MilestoneInline, TrancheInline, SessionInline]
    list_select_related = ["application", "cohort", "mentor"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["project", "period", "is_active", "incorporated", "jobs_created", "revenue"]
    list_filter = ["period", "is_active", "incorporated"]
    raw_id_fields = ["project", "organization", "reported_by"]


admin.site.register(Criterion)
admin.site.register(EvaluatorAssignment, raw_id_fields=["call", "evaluator"])
admin.site.register(Milestone)
admin.site.register(Tranche, raw_id_fields=["project", "milestone", "recorded_by"])
admin.site.register(MentoringSession, raw_id_fields=["project", "mentor"])
