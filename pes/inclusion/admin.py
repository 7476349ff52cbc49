"""Back office of work inclusion. Special-category data are never shown here: the fragility
profile's encrypted fields and the person's accessibility need are left out, so that every
read of them goes through the logged path on the site. The access log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from pes.inclusion.models import (
    AllocationRun,
    Case,
    ContactLog,
    FollowUp,
    FragilityProfile,
    Instrument,
    NetworkMember,
    Opening,
    Pathway,
    Person,
    Proposal,
    SpecialAccessLog,
    StatCount,
    Suggestion,
    Team,
)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "created_at", "anonymised_at"]
    list_filter = ["municipality__district"]
    search_fields = ["last_name", "codice_fiscale"]
    exclude = ["needs_step_free_access", "rights_token_hash"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "supervisor"]
    filter_horizontal = ["operators"]
    raw_id_fields = ["supervisor"]


class ContactInline(admin.TabularInline):
    model = ContactLog
    extra = 0
    raw_id_fields = ["by"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "status", "operator", "first_contact_due", "first_contact_at"]
    list_filter = ["status", "outcome", "closing_reason"]
    search_fields = ["reference"]
    raw_id_fields = ["person", "operator"]
    inlines = [ContactInline]


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_active", "loaded_at"]


@admin.register(FragilityProfile)
class FragilityProfileAdmin(admin.ModelAdmin):
    list_display = ["case", "instrument", "assessed_by", "updated_at"]
    fields = ["case", "instrument", "assessed_by", "updated_at"]
    readonly_fields = ["case", "instrument", "assessed_by", "updated_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(SpecialAccessLog)
class SpecialAccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "case", "action", "purpose"]
    list_filter = ["action", "purpose"]
    raw_id_fields = ["user", "case"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(NetworkMember)
class NetworkMemberAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "is_active", "joined_at"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["organization"]


@admin.register(Opening)
class OpeningAdmin(admin.ModelAdmin):
    list_display = ["role", "organization", "municipality", "contract", "places", "status"]
    list_filter = ["status", "contract"]
    search_fields = ["role", "organization__name"]
    raw_id_fields = ["organization", "created_by"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["case", "opening", "score", "status", "proposed_at"]
    list_filter = ["status"]
    raw_id_fields = ["case", "opening", "proposed_by", "decided_by"]


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "people", "places", "total_score", "greedy_score", "seconds"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["run", "case", "opening", "score", "decision"]
    list_filter = ["decision"]
    raw_id_fields = ["run", "case", "opening", "decided_by", "proposal"]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    raw_id_fields = ["by"]


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "title", "starts_on", "ends_on"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "organization", "proposal", "created_by"]
    inlines = [FollowUpInline]


@admin.register(StatCount)
class StatCountAdmin(admin.ModelAdmin):
    """The dashboard's roll-up, read-only: the services keep it, ``manage.py
    rebuild_inclusion_stats`` recomputes it."""

    list_display = ["metric", "key", "n"]
    list_filter = ["metric"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
