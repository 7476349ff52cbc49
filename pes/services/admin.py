from __future__ import annotations

from django.contrib import admin

from pes.services.models import Route, RouteStop, Service, Stay


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "kind", "min_age", "max_age", "municipality", "is_free"]
    list_filter = ["kind", "is_free", "wheelchair_accessible", "is_published"]
    search_fields = ["title", "provider__name"]
    autocomplete_fields = ["provider"]
    raw_id_fields = ["action"]
    filter_horizontal = ["other_municipalities"]
    prepopulated_fields = {"slug": ["title"]}


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 0
    raw_id_fields = ["services"]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "mode", "length_km", "difficulty", "is_published"]
    list_filter = ["mode", "difficulty", "is_published"]
    search_fields = ["title"]
    autocomplete_fields = ["provider"]
    raw_id_fields = ["action"]
    inlines = [RouteStopInline]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Stay)
class StayAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "kind", "municipality", "beds", "price_per_night"]
    list_filter = ["kind", "wheelchair_accessible", "is_published"]
    search_fields = ["title"]
    autocomplete_fields = ["provider"]
    filter_horizontal = ["routes"]
    prepopulated_fields = {"slug": ["title"]}
