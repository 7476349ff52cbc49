from __future__ import annotations

from django.contrib import admin

from pes.volunteering.models import (
    Booking,
    Certificate,
    Group,
    Opportunity,
    Shift,
    Skill,
    Volunteer,
)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["label", "code"]
    search_fields = ["label", "code"]


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "age_bracket", "max_distance_km", "created_at"]
    list_filter = ["age_bracket", "municipality__district"]
    search_fields = ["user__email", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["interests", "skills"]
    list_select_related = ["user", "municipality"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    fields = ["starts_at", "ends_at", "place", "municipality", "capacity", "booked", "status"]
    readonly_fields = ["booked"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "municipality", "kind", "is_published"]
    list_filter = ["is_published", "kind", "activity"]
    search_fields = ["title", "organization__name"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ShiftInline]
    list_select_related = ["organization", "municipality"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "municipality", "capacity", "booked", "status"]
    list_filter = ["status"]
    search_fields = ["opportunity__title"]
    readonly_fields = ["booked"]
    list_select_related = ["opportunity", "municipality"]
    raw_id_fields = ["opportunity"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read-mostly: bookings change through the services (capacity, waiting list, audit)."""

    list_display = ["__str__", "status", "seats", "attendance", "hours", "verified_at"]
    list_filter = ["status", "attendance"]
    raw_id_fields = ["shift", "volunteer", "group", "verified_by"]
    readonly_fields = ["shift", "volunteer", "group", "seats", "status", "created_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "kind", "municipality", "size"]
    list_filter = ["kind"]
    search_fields = ["name", "institution"]
    raw_id_fields = ["manager"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "volunteer", "organization", "hours", "issued_at"]
    search_fields = ["code"]
    readonly_fields = [
        "code",
        "volunteer",
        "organization",
        "hours",
        "shifts",
        "first_date",
        "last_date",
        "initials",
        "issued_at",
    ]
