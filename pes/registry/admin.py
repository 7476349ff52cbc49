from __future__ import annotations

from django.contrib import admin

from pes.registry.models import Activity, LegalForm, Membership, Organization


@admin.register(LegalForm)
class LegalFormAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "category", "runts_section", "is_ets"]
    list_filter = ["category", "is_ets"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["letter", "label"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "codice_fiscale", "legal_form", "head_office", "is_published"]
    list_filter = ["is_published", "legal_form__category", "legal_form", "head_office__district"]
    search_fields = ["name", "codice_fiscale", "partita_iva", "runts_id"]
    autocomplete_fields = ["head_office"]
    filter_horizontal = ["activities", "municipalities_served", "missions"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MembershipInline]
    list_select_related = ["legal_form", "head_office"]
