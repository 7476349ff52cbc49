from __future__ import annotations

from typing import Any

from django.contrib import admin

from pes.procurement.models import (
    Bid,
    BidValue,
    Clause,
    Commitment,
    Contract,
    Criterion,
    Lot,
    SocialValueProxy,
    SupplierReport,
    Tender,
)
from pes.procurement.services import contract_figures_refresh


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "rule", "metric", "owner", "is_gender_equality"]
    list_filter = ["kind", "rule", "is_gender_equality"]
    search_fields = ["label", "code"]
    autocomplete_fields = ["owner"]


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Tender)
class TenderAdmin(admin.ModelAdmin):
    list_display = ["title", "buyer", "procedure", "estimated_value", "state", "labour_intensive"]
    list_filter = ["state", "procedure", "labour_intensive"]
    search_fields = ["title", "cig", "cup", "buyer__name"]
    autocomplete_fields = ["buyer"]
    filter_horizontal = ["actions", "mandatory_clauses", "commissioners"]
    inlines = [LotInline, CriterionInline]
    list_select_related = ["buyer"]
    readonly_fields = ["created_at", "updated_at", "published_at", "awarded_at"]


class BidValueInline(admin.TabularInline):
    model = BidValue
    extra = 0


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ["tender", "supplier", "price", "submitted_at", "excluded"]
    list_filter = ["excluded"]
    search_fields = ["tender__title", "supplier__name"]
    autocomplete_fields = ["supplier"]
    raw_id_fields = ["tender", "lot"]
    inlines = [BidValueInline]
    list_select_related = ["tender", "supplier"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["tender", "supplier", "value", "start", "end", "state"]
    list_filter = ["state"]
    search_fields = ["tender__title", "supplier__name"]
    raw_id_fields = ["tender", "bid", "supplier"]
    inlines = [CommitmentInline]
    list_select_related = ["tender", "supplier"]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        contract_figures_refresh(contract=form.instance)


@admin.register(SupplierReport)
class SupplierReportAdmin(admin.ModelAdmin):
    list_display = ["contract", "period_start", "period_end", "employed", "submitted_at"]
    raw_id_fields = ["contract", "submitted_by"]
    list_select_related = ["contract__tender", "contract__supplier"]

    def save_model(self, request: Any, obj: SupplierReport, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        contract_figures_refresh(contract=obj.contract)

    def delete_model(self, request: Any, obj: SupplierReport) -> None:
        contract = obj.contract
        super().delete_model(request, obj)
        contract_figures_refresh(contract=contract)


@admin.register(SocialValueProxy)
class SocialValueProxyAdmin(admin.ModelAdmin):
    list_display = ["metric", "euro_per_unit", "unit", "source_uncertain"]
