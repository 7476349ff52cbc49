from __future__ import annotations

from django.contrib import admin

from pes.plan.models import Action, Mission, Plan


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "start_year", "end_year"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "kind"]
    inlines = [ActionInline]
