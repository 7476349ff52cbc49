from __future__ import annotations

from django.contrib import admin

from pes.collaboration.models import (
    ActionItem,
    Decision,
    Document,
    DocumentVersion,
    ExpressionOfInterest,
    HousingInitiative,
    Meeting,
    NotificationPreference,
    Procedure,
    ProcedureStep,
    Proposal,
    ProposalSupport,
    TableMember,
    WorkingTable,
)


class TableMemberInline(admin.TabularInline):
    model = TableMember
    extra = 0
    autocomplete_fields = ["user", "organization"]


@admin.register(WorkingTable)
class WorkingTableAdmin(admin.ModelAdmin):
    list_display = ["title", "mission", "action", "coordinator", "visibility"]
    list_filter = ["visibility", "mission"]
    search_fields = ["title", "purpose"]
    autocomplete_fields = ["coordinator"]
    inlines = [TableMemberInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "table", "starts_at"]
    list_select_related = ["table"]
    search_fields = ["title", "table__title"]
    inlines = [DecisionInline, ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_date", "done_at"]
    list_filter = ["done_at"]
    autocomplete_fields = ["owner"]


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    readonly_fields = ["number", "filename", "kind", "size", "uploaded_by", "uploaded_at"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "table", "created_at"]
    search_fields = ["title"]
    inlines = [DocumentVersionInline]


class SupportInline(admin.TabularInline):
    model = ProposalSupport
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "table", "kind", "status", "organization"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["organization", "author"]
    raw_id_fields = ["initiative", "action"]
    inlines = [SupportInline]


class StepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0


class ExpressionInline(admin.TabularInline):
    model = ExpressionOfInterest
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "administration", "stage", "deadline"]
    list_filter = ["kind", "stage"]
    search_fields = ["title"]
    autocomplete_fields = ["administration"]
    inlines = [StepInline, ExpressionInline]


@admin.register(HousingInitiative)
class HousingInitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "tenure", "units", "monthly_rent", "market_rent"]
    list_filter = ["tenure", "is_published"]
    search_fields = ["name"]
    autocomplete_fields = ["lead", "partners", "municipality"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "invitations", "proposals", "decisions", "overdue"]
    autocomplete_fields = ["user"]
