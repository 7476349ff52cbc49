from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin
from pes.lib.validation import clean_ateco_codes, clean_codice_fiscale, clean_partita_iva
from pes.plan.models import Mission
from pes.registry.models import Activity, LegalForm, Organization
from pes.registry.reference import CATEGORIES
from pes.territory.models import District, Municipality


class OrganizationFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    legal_form = forms.ChoiceField(label=_("Legal form"), required=False)
    category = forms.ChoiceField(label=_("Kind of actor"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    activity = forms.ChoiceField(label=_("Activity of general interest"), required=False)
    mission = forms.TypedChoiceField(
        label=_("Mission of the Plan"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.choice_field("legal_form").choices = anything + [
            (lf.code, lf.label) for lf in LegalForm.objects.all()
        ]
        self.choice_field("category").choices = anything + list(CATEGORIES)
        self.choice_field("municipality").choices = anything + [
            (m.istat_code, m.name) for m in Municipality.objects.order_by("name")
        ]
        self.choice_field("district").choices = anything + [
            (d.slug, d.name) for d in District.objects.order_by("name")
        ]
        self.choice_field("activity").choices = anything + [
            (a.letter, f"{a.letter}) {a.label}") for a in Activity.objects.all()
        ]
        self.choice_field("mission").choices = anything + [
            (m.number, str(m)) for m in Mission.objects.all()
        ]

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        return field


class OrganizationForm(StyledFormMixin, forms.ModelForm):
    # Longer than the stored values: people write an "IT" prefix and spaces, which the
    # clean_* methods remove before the values are checked and stored.
    codice_fiscale = forms.CharField(label=_("codice fiscale"), max_length=32)
    partita_iva = forms.CharField(label=_("partita IVA"), max_length=32, required=False)
    ateco_codes = forms.CharField(
        label=_("ATECO 2025 codes"),
        required=False,
        help_text=_("One or more codes separated by commas, e.g. 88.99.09, 94.99.20"),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_form",
            "codice_fiscale",
            "partita_iva",
            "runts_section",
            "runts_id",
            "ateco_codes",
            "head_office",
            "municipalities_served",
            "address",
            "email",
            "pec",
            "phone",
            "website",
            "description",
            "activities",
            "missions",
            "workers",
            "volunteers",
            "members",
            "year_founded",
        ]
        widgets = {
            "activities": forms.CheckboxSelectMultiple,
            "missions": forms.CheckboxSelectMultiple,
            "municipalities_served": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["ateco_codes"] = ", ".join(self.instance.ateco_codes or [])

    def clean_codice_fiscale(self) -> str:
        value = clean_codice_fiscale(self.cleaned_data.get("codice_fiscale", ""))
        clash = Organization.objects.filter(codice_fiscale=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                _("An organisation with this codice fiscale is already in the registry.")
            )
        return value

    def clean_partita_iva(self) -> str:
        return clean_partita_iva(self.cleaned_data.get("partita_iva", ""))

    def clean_ateco_codes(self) -> list[str]:
        return clean_ateco_codes(self.cleaned_data.get("ateco_codes", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        legal_form = cleaned.get("legal_form")
        section = cleaned.get("runts_section")
        if legal_form and section and not legal_form.is_ets:
            self.add_error(
                "runts_section",
                _("Only third-sector bodies are entered in a section of the RUNTS."),
            )
        if cleaned.get("runts_id") and not section:
            self.add_error("runts_section", _("Give the RUNTS section the RUNTS number refers to."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned data in the shape ``organization_create/update`` take."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("CSV in UTF-8 or Latin-1, separated by ';' or ','; or an Excel XLSX file."),
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[("pes", _("PES layout (named columns)")), ("runts", _("RUNTS bulk export"))],
        initial="pes",
    )
    skip_invalid = forms.BooleanField(
        label=_("Write the valid rows and skip the invalid ones"), required=False
    )
