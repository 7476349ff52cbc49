from __future__ import annotations

from django.contrib import admin

from pes.territory.models import District, Municipality, Union


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "ausl"]
    search_fields = ["name"]


@admin.register(Union)
class UnionAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "istat_code", "district", "union", "population"]
    list_filter = ["district", "union"]
    search_fields = ["name", "istat_code", "cadastral_code"]
