from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin
from pes.plan.models import (
    Action,
    BudgetLine,
    Indicator,
    Initiative,
    InitiativeStatus,
    Mission,
    Partner,
    Report,
    ReportingPeriod,
)
from pes.registry.models import Organization
from pes.territory.models import District, Municipality


class InitiativeFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    mission = forms.TypedChoiceField(
        label=_("Mission"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    organization = forms.SlugField(label=_("Organisation (slug)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self._set("mission", anything + [(m.number, str(m)) for m in Mission.objects.all()])
        self._set("status", anything + [(s.key, s.name) for s in InitiativeStatus.objects.all()])
        self._set(
            "municipality",
            anything + [(m.istat_code, m.name) for m in Municipality.objects.order_by("name")],
        )
        self._set("district", anything + [(d.slug, d.name) for d in District.objects.all()])

    def _set(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices


class InitiativeForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Initiative
        fields = [
            "title",
            "action",
            "description",
            "lead",
            "status",
            "progress_override",
            "start_date",
            "end_date",
            "municipalities",
            "cup",
            "weight",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "municipalities": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        lead_choices = kwargs.pop("lead_queryset", None)
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.select_related("mission")  # type: ignore[attr-defined]
        if lead_choices is not None:
            self.fields["lead"].queryset = lead_choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end comes before the start."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """Model field values keyed as ``initiative_create/update`` take them."""
        data: dict[str, Any] = {}
        for name in self.Meta.fields:
            if name == "municipalities":
                continue
            value = self.cleaned_data[name]
            if name in {"action", "lead", "status"}:
                data[f"{name}_id"] = value.pk
            else:
                data[name] = value
        return data


class BudgetLineForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["source", "description", "committed", "spent"]


class ReportForm(StyledFormMixin, forms.ModelForm):
    period = forms.ModelChoiceField(
        label=_("Reporting period"), queryset=ReportingPeriod.objects.none()
    )

    class Meta:
        model = Report
        fields = ["period", "status", "progress", "narrative", "spent"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 6})}

    def __init__(
        self, *args: Any, indicators: list[Indicator] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = ReportingPeriod.objects.all()  # type: ignore[attr-defined]
        self.indicators = indicators or []
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name} ({indicator.unit})",
                required=False,
                max_digits=16,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
            )

    def indicator_values(self) -> list[dict[str, Any]]:
        values = []
        for indicator in self.indicators:
            value = self.cleaned_data.get(f"indicator_{indicator.pk}")
            if value is not None:
                values.append({"indicator": indicator, "value": Decimal(value)})
        return values


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Send back with comments"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MeasurementForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("Value"), max_length=40)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=255)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    provisional = forms.BooleanField(label=_("Provisional value"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from pes.plan.models import Gender

        super().__init__(*args, **kwargs)
        field = self.fields["gender"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("", _("total"))] + list(Gender.choices)


class StrategicDirectionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        from pes.plan.models import StrategicDirection

        model = StrategicDirection
        fields = ["number", "title", "description"]


class ActionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["number", "direction", "title", "text", "weight", "weighting"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, mission: Mission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.mission = mission
        self.fields["direction"].queryset = mission.directions.all()  # type: ignore[attr-defined]


class PartnerForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.filter(is_published=True).order_by("name"),
        widget=forms.TextInput(attrs={"list": "organisation-list"}),
        help_text=_("The organisation's codice fiscale."),
        to_field_name="codice_fiscale",
    )
    role = forms.ChoiceField(label=_("Role"), choices=Partner.Role.choices)


class TimelineForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.DecimalField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )


class IndicatorForm(StyledFormMixin, forms.ModelForm):
    targets = forms.CharField(
        label=_("Targets by year"),
        required=False,
        help_text=_("Year and value separated by a colon, one per line or comma: 2027: 100"),
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "frequency",
            "by_municipality",
            "by_gender",
        ]
        widgets = {"baseline_date": forms.DateInput(attrs={"type": "date"})}

    def clean_targets(self) -> dict[int, Decimal]:
        raw = self.cleaned_data.get("targets") or ""
        targets: dict[int, Decimal] = {}
        for item in raw.replace("\n", ",").split(","):
            if not item.strip():
                continue
            year, _sep, value = item.partition(":")
            try:
                targets[int(year)] = Decimal(value.strip().replace(",", "."))
            except (ValueError, ArithmeticError) as exc:
                raise forms.ValidationError(
                    _("Write each target as year: value, e.g. 2027: 100.")
                ) from exc
        return targets
