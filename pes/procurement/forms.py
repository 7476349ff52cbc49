from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin
from pes.plan.models import Action
from pes.procurement.models import Clause, Criterion, Tender
from pes.procurement.periods import Period
from pes.procurement.services import clean_code
from pes.registry.models import Organization


class TenderForm(StyledFormMixin, forms.ModelForm):
    # Longer than stored: people paste codes with spaces, which clean_code removes.
    cig = forms.CharField(label=_("CIG"), max_length=20, required=False)
    cup = forms.CharField(label=_("CUP"), max_length=30, required=False)
    bid_deadline = forms.DateTimeField(
        label=_("Deadline for bids"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )

    class Meta:
        model = Tender
        fields = [
            "buyer",
            "title",
            "description",
            "cig",
            "cup",
            "estimated_value",
            "procedure",
            "labour_intensive",
            "price_only_forbidden",
            "price_formula",
            "bilinear_x",
            "concave_alpha",
            "bid_deadline",
            "impact_objectives",
            "actions",
            "mandatory_clauses",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "impact_objectives": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.SelectMultiple(attrs={"size": 6}),
            "mandatory_clauses": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, buyers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        buyer = self.fields["buyer"]
        assert isinstance(buyer, forms.ModelChoiceField)  # noqa: S101 - a foreign key
        if buyers is not None:
            buyer.queryset = buyers
        actions = self.fields["actions"]
        assert isinstance(actions, forms.ModelMultipleChoiceField)  # noqa: S101
        actions.queryset = Action.objects.select_related("mission")
        actions.label_from_instance = action_label  # type: ignore[method-assign,assignment]
        clauses = self.fields["mandatory_clauses"]
        assert isinstance(clauses, forms.ModelMultipleChoiceField)  # noqa: S101
        clauses.queryset = Clause.objects.filter(kind=Clause.Kind.MANDATORY)

    def clean_cig(self) -> str:
        value = clean_code(self.cleaned_data.get("cig"))
        if value and (len(value) != 10 or not value.isalnum()):
            raise ValidationError(_("The CIG has 10 letters and digits."))
        return value

    def clean_cup(self) -> str:
        value = clean_code(self.cleaned_data.get("cup"))
        if value and (len(value) != 15 or not value.isalnum()):
            raise ValidationError(_("The CUP has 15 letters and digits."))
        return value

    def service_data(self) -> dict[str, Any]:
        skip = {"actions", "mandatory_clauses"}
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k not in skip}


def action_label(action: Action) -> str:
    return f"{action.code} {action.label}"


class LotForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    value = forms.DecimalField(
        label=_("Value (€)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The lots together may not exceed the tender's estimated value."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["min"] = "0.01"


class CriterionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Criterion.Kind.choices)
    clause = forms.ModelChoiceField(
        label=_("Reward clause"), queryset=Clause.objects.none(), required=False
    )
    label = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Optional for price and clauses: the clause's label is used."),
    )
    weight = forms.DecimalField(
        label=_("Weight (points)"), max_digits=5, decimal_places=2, min_value=Decimal("0.01")
    )
    rescale = forms.BooleanField(label=_("Re-scale to the best (quality)"), required=False)
    higher_is_better = forms.BooleanField(
        label=_("Higher is better (quantitative)"), required=False, initial=True
    )

    def __init__(self, *args: Any, tender: Tender, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clause = self.fields["clause"]
        assert isinstance(clause, forms.ModelChoiceField)  # noqa: S101
        clause.queryset = Clause.objects.filter(kind=Clause.Kind.REWARD).filter(
            models_q_owner(tender.buyer)
        )


def models_q_owner(buyer: Organization) -> Any:
    from django.db.models import Q

    return Q(owner__isnull=True) | Q(owner=buyer)


def parse_coefficients(raw: str) -> list[str]:
    """ "0.8; 0,7; 1" → ["0.8", "0.7", "1"] (commas as decimal separators are accepted)."""
    parts = [p.strip() for p in raw.replace(";", " ").split()]
    return [p.replace(",", ".") for p in parts if p]


class BidForm(StyledFormMixin, forms.Form):
    supplier = forms.ModelChoiceField(label=_("Bidder"), queryset=Organization.objects.none())
    price = forms.DecimalField(
        label=_("Price offered (€)"), max_digits=14, decimal_places=2, required=False
    )
    submitted_at = forms.DateTimeField(
        label=_("Received on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, tender: Tender, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tender = tender
        supplier = self.fields["supplier"]
        assert isinstance(supplier, forms.ModelChoiceField)  # noqa: S101
        supplier.queryset = Organization.objects.exclude(legal_form__code="PA").order_by("name")
        if not tender.scores_price:
            del self.fields["price"]
        self.criteria = [c for c in tender.criteria.all() if c.kind != Criterion.Kind.PRICE]
        for c in self.criteria:
            name = f"criterion_{c.pk}"
            if c.kind == Criterion.Kind.QUALITY:
                self.fields[name] = forms.CharField(
                    label=c.label,
                    help_text=_(
                        "The commissioners' coefficients, between 0 and 1, separated by "
                        "spaces or semicolons (e.g. 0.8; 0.7; 1)."
                    ),
                )
            elif c.clause is not None and c.clause.rule == Clause.Rule.YES_NO:
                self.fields[name] = forms.TypedChoiceField(
                    label=c.label,
                    choices=[("1", _("yes")), ("0", _("no"))],
                    coerce=Decimal,
                    widget=forms.RadioSelect,
                    initial="0",
                )
            else:
                self.fields[name] = forms.DecimalField(
                    label=c.label, max_digits=14, decimal_places=4
                )
        # The mixin styled the fields declared on the class; style the ones added here.
        for name, field in self.fields.items():
            if name.startswith("criterion_"):
                widget = field.widget
                css = (
                    "form-check-input" if isinstance(widget, forms.RadioSelect) else "form-control"
                )
                widget.attrs.setdefault("class", css)
                if field.help_text:
                    widget.attrs["aria-describedby"] = f"id_{name}_help"

    def criterion_values(self) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for c in self.criteria:
            raw = self.cleaned_data.get(f"criterion_{c.pk}")
            if c.kind == Criterion.Kind.QUALITY:
                out[c.pk] = parse_coefficients(raw or "")
            else:
                out[c.pk] = raw
        return out


class AwardForm(StyledFormMixin, forms.Form):
    start = forms.DateField(
        label=_("Contract start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Contract end"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    report_every_months = forms.IntegerField(
        label=_("Supplier reports every (months)"), min_value=1, max_value=12, initial=6
    )


class ReportForm(StyledFormMixin, forms.Form):
    period = forms.ChoiceField(label=_("Period"))
    employed = forms.IntegerField(label=_("People employed on the contract"), min_value=0)
    permanent_share = forms.DecimalField(
        label=_("Share of permanent contracts (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    reabsorbed = forms.IntegerField(label=_("Outgoing staff reabsorbed"), min_value=0, initial=0)
    disadvantaged = forms.IntegerField(
        label=_("Disadvantaged or disabled people hired in the period"), min_value=0, initial=0
    )
    training_hours = forms.DecimalField(
        label=_("Training hours in the period"),
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=1,
        initial=0,
    )
    local_subcontracting = forms.DecimalField(
        label=_("Subcontracted to local social economy (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=0,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, periods: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)  # noqa: S101
        period.choices = [(p.start.isoformat(), p.label()) for p in periods]

    def period_start(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["period"])

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "period"}


class ClauseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["label", "description", "rule", "thresholds", "metric", "default_target"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DashboardFilterForm(StyledFormMixin, forms.Form):
    buyer = forms.TypedChoiceField(label=_("Buyer"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        buyer = self.fields["buyer"]
        year = self.fields["year"]
        assert isinstance(buyer, forms.ChoiceField) and isinstance(year, forms.ChoiceField)  # noqa: S101
        # The buyers: a semi-join on the tenders' index, two columns (not DISTINCT over
        # whole organisation rows).
        buyer.choices = anything + list(
            Organization.objects.filter(pk__in=Tender.objects.values("buyer_id"))
            .order_by("name", "pk")
            .values_list("pk", "name")
        )
        this_year = timezone.localdate().year
        year.choices = anything + [(y, str(y)) for y in range(this_year, this_year - 6, -1)]
