from __future__ import annotations

from django.contrib import admin

from pes.finance.models import (
    Application,
    Call,
    DeadlineAlert,
    FinancialProduct,
    ImpactCase,
    Programme,
    WalletDocument,
)


class CallInline(admin.TabularInline):
    model = Call
    fields = ["title", "instrument", "deadline", "budget", "is_published"]
    show_change_link = True
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "funder_name", "budget"]
    list_filter = ["source"]
    search_fields = ["title", "funder_name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["funder"]
    filter_horizontal = ["actions"]
    inlines = [CallInline]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "instrument", "opens_on", "deadline", "is_published"]
    list_filter = ["instrument", "programme__source", "is_published"]
    search_fields = ["title", "programme__title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["legal_forms", "activities", "municipalities", "actions"]
    list_select_related = ["programme"]
    date_hierarchy = "deadline"


@admin.register(FinancialProduct)
class FinancialProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "provider_name", "provider_kind", "max_amount"]
    list_filter = ["kind", "provider_kind"]
    search_fields = ["name", "provider_name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(WalletDocument)
class WalletDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "organization", "issued_on", "expires_on"]
    list_filter = ["kind"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "project_title",
        "organization",
        "call",
        "status",
        "amount_requested",
        "amount_granted",
        "submitted_at",
        "decided_at",
    ]
    list_filter = ["status", "call__instrument", "call__programme__source"]
    search_fields = ["project_title", "organization__name", "call__title"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["call", "documents", "submitted_by", "decided_by"]
    list_select_related = ["organization", "call"]


@admin.register(ImpactCase)
class ImpactCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "country", "sector", "year_launched", "capital"]
    list_filter = ["country", "instrument"]
    search_fields = ["title", "sector", "outcome_payer"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(DeadlineAlert)
class DeadlineAlertAdmin(admin.ModelAdmin):
    list_display = ["call", "organization", "sent_at"]
    raw_id_fields = ["call", "organization"]
