from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin
from pes.registry.access import organizations_editable_by
from pes.services import selectors
from pes.services.models import MAX_AGE, FamilySituation, Route, Service, Stay
from pes.territory.models import District, Municipality


class SearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    what = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("everything")), *selectors.WHAT]
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    age = forms.IntegerField(
        label=_("Age of the person"), required=False, min_value=0, max_value=MAX_AGE
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        required=False,
        queryset=District.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("all districts"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.order_by("name"),
        to_field_name="istat_code",
        empty_label=_("all municipalities"),
    )
    date = forms.DateField(
        label=_("On the day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    free = forms.BooleanField(label=_("free of charge only"), required=False)
    accessible = forms.BooleanField(label=_("accessible to wheelchair users"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("any kind")), *selectors.kind_choices()]  # type: ignore[attr-defined]

    def filters(self) -> selectors.Filters:
        if not self.is_bound or not self.is_valid():
            return selectors.Filters()
        d = self.cleaned_data
        return selectors.Filters(
            q=d["q"].strip(),
            what=d["what"],
            kind=d["kind"],
            age=d["age"],
            municipality=d["municipality"],
            district=d["district"],
            date=d["date"],
            free=d["free"],
            accessible=d["accessible"],
        )


class ProviderFormMixin:
    provider_field = "provider"

    def limit_providers(self, user: Any) -> None:
        field = self.fields[self.provider_field]  # type: ignore[attr-defined]
        field.queryset = organizations_editable_by(user).order_by("name")

    fields: dict[str, Any]


class ServiceForm(ProviderFormMixin, StyledFormMixin, forms.ModelForm):
    family_situations = forms.MultipleChoiceField(
        label=_("Family situations"),
        required=False,
        choices=FamilySituation.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Service
        fields = [
            "provider",
            "title",
            "description",
            "kind",
            "min_age",
            "max_age",
            "family_situations",
            "municipality",
            "other_municipalities",
            "address",
            "schedule",
            "starts_on",
            "ends_on",
            "is_free",
            "cost",
            "cost_note",
            "wheelchair_accessible",
            "accessibility",
            "how_to_access",
            "contact",
            "action",
            "is_published",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "how_to_access": forms.Textarea(attrs={"rows": 3}),
            "other_municipalities": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_providers(user)
        self.fields["action"].queryset = self.fields["action"].queryset.select_related("mission")
        # The service checks these; the database constraints back them.
        for name in ("cost",):
            self.fields[name].required = False

    def _post_clean(self) -> None:  # the service validates the whole record
        pass

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "other_municipalities"}
        return data


class RouteForm(ProviderFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Route
        fields = [
            "provider",
            "title",
            "description",
            "mode",
            "length_km",
            "difficulty",
            "action",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_providers(user)

    def _post_clean(self) -> None:
        pass


class StopForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the stop"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=_("Decimal degrees, e.g. 44.494887. Empty: the centre of the municipality."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=_("Decimal degrees, e.g. 11.342616."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services along the way"),
        required=False,
        queryset=Service.objects.filter(is_published=True).order_by("title"),
    )


class StayForm(ProviderFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Stay
        fields = [
            "provider",
            "title",
            "kind",
            "description",
            "municipality",
            "beds",
            "price_per_night",
            "wheelchair_accessible",
            "how_to_book",
            "routes",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_providers(user)

    def _post_clean(self) -> None:
        pass
