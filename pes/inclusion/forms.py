from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.inclusion.models import (
    FOLLOW_UP_MONTHS,
    Case,
    ContactLog,
    Contract,
    Education,
    ItalianLevel,
    Language,
    NetworkMember,
    Opening,
    Pathway,
    ShareableField,
    Shift,
    Skill,
    SpecialAccessLog,
)
from pes.inclusion.selectors import OpeningFilters, QueueFilters
from pes.lib.forms import StyledFormMixin
from pes.territory.models import Municipality

CHECKBOXES = forms.CheckboxSelectMultiple


class MunicipalityChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _(
            "Choose one of the 55 municipalities of the Città metropolitana di Bologna."
        )
    }


def _municipalities() -> Any:
    return Municipality.objects.order_by("name")


class IntakeForm(StyledFormMixin, forms.Form):
    """The public questionnaire. The rules (codice fiscale, domicile, eligibility, a second
    registration) are the service's, so the form and the API give the same answers."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    codice_fiscale = forms.CharField(
        label=_("Codice fiscale"),
        max_length=20,
        help_text=_("16 characters, as on your health card (tessera sanitaria)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send the receipt here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    municipality = MunicipalityChoiceField(
        label=_("Municipality where you live"), queryset=Municipality.objects.none()
    )
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    italian_level = forms.ChoiceField(label=_("Your Italian"), choices=ItalianLevel.choices)
    languages = forms.MultipleChoiceField(
        label=_("Other languages you speak"),
        choices=Language.choices,
        required=False,
        widget=CHECKBOXES,
    )
    work_history = forms.CharField(
        label=_("Work history"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The jobs you have done, roughly when, and for how long."),
    )
    skills = forms.MultipleChoiceField(
        label=_("What you know how to do"), choices=Skill.choices, required=False, widget=CHECKBOXES
    )
    max_hours_per_week = forms.IntegerField(
        label=_("Most hours a week you can work"), min_value=1, max_value=60, initial=40
    )
    min_hours_per_week = forms.IntegerField(
        label=_("Fewest hours a week you want"), min_value=0, max_value=60, initial=0
    )
    shifts = forms.MultipleChoiceField(
        label=_("When you can work"),
        choices=Shift.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Leave empty if any time is fine."),
    )
    contracts = forms.MultipleChoiceField(
        label=_("Kinds of contract you would accept"),
        choices=Contract.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Leave empty if any is fine."),
    )
    available_from = forms.DateField(
        label=_("Available from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    max_travel_km = forms.IntegerField(
        label=_("How far you can travel to work (km)"), min_value=1, max_value=200, initial=20
    )
    has_driving_licence = forms.BooleanField(label=_("I have a driving licence"), required=False)
    has_car = forms.BooleanField(label=_("I have a car or motorbike"), required=False)
    care_duties = forms.BooleanField(
        label=_("I look after children or other family members"), required=False
    )
    needs_step_free_access = forms.BooleanField(
        label=_("I need a workplace without steps"),
        required=False,
        help_text=_("Only your operator sees this; it is never shown to companies."),
    )
    constraints_note = forms.CharField(
        label=_("Anything else that limits where or when you can work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    in_active_measure = forms.BooleanField(
        label=_(
            "I am already in an active labour-policy measure (for example a course or "
            "internship of the job centre)"
        ),
        required=False,
    )
    share_with_companies = forms.MultipleChoiceField(
        label=_("What companies may see if an operator proposes you"),
        choices=ShareableField.choices,
        required=False,
        widget=CHECKBOXES,
        help_text=_("Your name, age and municipality are always shown to the company."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and accept it"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = _municipalities()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_hours_per_week"), data.get("max_hours_per_week")
        if low is not None and high is not None and low > high:
            self.add_error(
                "min_hours_per_week", _("The fewest hours cannot be more than the most hours.")
            )
        return data

    def person_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("codice_fiscale", "in_active_measure", "consent"):
            data.pop(key, None)
        return data


class QueueFilterForm(StyledFormMixin, forms.Form):
    scope = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[
            ("mine", _("Assigned to me")),
            ("unassigned", _("To be assigned")),
            ("late", _("First contact overdue")),
            ("team", _("My team")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Open cases"))] + Case.Status.choices
    )
    q = forms.CharField(label=_("Reference or surname"), required=False, max_length=100)

    def filters(self) -> QueueFilters:
        if not self.is_bound or not self.is_valid():
            return QueueFilters()
        d = self.cleaned_data
        return QueueFilters(scope=d["scope"] or "mine", status=d["status"], q=d["q"])


class AssignForm(StyledFormMixin, forms.Form):
    operator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Operator"),
        queryset=None,  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, operators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = operators  # type: ignore[attr-defined]


class ContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["at", "channel", "reached", "note"]
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class AssessmentForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome of the interview"), choices=Case.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProfileForm(StyledFormMixin, forms.Form):
    """One field per item of the instrument in use, on its scale."""

    health_notes = forms.CharField(
        label=_("Health notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    disability_notes = forms.CharField(
        label=_("Disability notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, definition: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = definition["scale"]
        labels = scale.get("labels") or []
        choices = [
            (str(v), f"{v} — {labels[i]}" if i < len(labels) else str(v))
            for i, v in enumerate(range(int(scale["min"]), int(scale["max"]) + 1))
        ]
        items: dict[str, forms.Field] = {}
        for item in definition["items"]:
            items[f"item_{item['code']}"] = forms.TypedChoiceField(
                label=item["label"], choices=choices, coerce=int
            )
        self.fields = {**items, **self.fields}
        for name in items:
            self.fields[name].widget.attrs.setdefault("class", "form-select")
        self.dimensions = [
            (d, [self[f"item_{i['code']}"] for i in definition["items"] if i["dimension"] == d])
            for d in ("work", "social", "health")
        ]

    def answers(self) -> dict[str, int]:
        return {
            name.removeprefix("item_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


class ReadPurposeForm(StyledFormMixin, forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why you need to read the profile"),
        choices=[c for c in SpecialAccessLog.Purpose.choices if c[0] != "rights"],
    )


class CloseForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the case is closed"), choices=Case.ClosingReason.choices
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NetworkJoinForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NetworkMember
        fields = ["kind", "contact_name", "contact_email"]


class OpeningForm(StyledFormMixin, forms.ModelForm):
    required_skills = forms.MultipleChoiceField(
        label=_("Skills required"), choices=Skill.choices, required=False, widget=CHECKBOXES
    )
    desirable_skills = forms.MultipleChoiceField(
        label=_("Skills appreciated"), choices=Skill.choices, required=False, widget=CHECKBOXES
    )
    shifts = forms.MultipleChoiceField(
        label=_("Shifts"), choices=Shift.choices, required=False, widget=CHECKBOXES
    )
    languages = forms.MultipleChoiceField(
        label=_("Other languages required"),
        choices=Language.choices,
        required=False,
        widget=CHECKBOXES,
    )
    municipality = MunicipalityChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none()
    )

    class Meta:
        model = Opening
        fields = [
            "role",
            "description",
            "ateco_code",
            "municipality",
            "contract",
            "hours_per_week",
            "places",
            "shifts",
            "required_skills",
            "desirable_skills",
            "requirements",
            "needs_driving_licence",
            "min_italian",
            "languages",
            "min_education",
            "step_free_access",
            "public_transport",
            "accessibility_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
            "accessibility_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"ateco_code": _("The ATECO 2025 code of the activity, e.g. 81.21.00.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = _municipalities()  # type: ignore[attr-defined]
        self.fields["places"].widget.attrs["min"] = 0

    def clean_places(self) -> int:
        places = self.cleaned_data["places"]
        if places is not None and places < 1:
            raise forms.ValidationError(_("An opening offers at least one place."))
        return int(places)

    def clean_hours_per_week(self) -> int:
        hours = self.cleaned_data["hours_per_week"]
        if hours is not None and not (1 <= hours <= 48):
            raise forms.ValidationError(_("Hours per week are between 1 and 48."))
        return int(hours)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class OpeningFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    contract = forms.ChoiceField(
        label=_("Contract"), required=False, choices=[("", _("All"))] + Contract.choices
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.none(),
        empty_label=_("All"),
    )
    skill = forms.ChoiceField(
        label=_("Skill"), required=False, choices=[("", _("All"))] + Skill.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = _municipalities()  # type: ignore[attr-defined]

    def filters(self) -> OpeningFilters:
        if not self.is_bound or not self.is_valid():
            return OpeningFilters()
        d = self.cleaned_data
        return OpeningFilters(
            q=d["q"],
            contract=d["contract"],
            municipality=d["municipality"].pk if d["municipality"] else None,
            skill=d["skill"],
        )


class ProposeForm(StyledFormMixin, forms.Form):
    opening = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note for the company"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the operator"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline."),
    )


class AllocationForm(StyledFormMixin, forms.Form):
    max_distance_km = forms.IntegerField(
        label=_("Distance limit (km)"), min_value=1, max_value=200, initial=30
    )


class OverrideForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why you do not follow the suggestion"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    opening = forms.IntegerField(
        label=_("Propose for another opening instead (its number, optional)"),
        required=False,
        min_value=1,
    )


class PathwayForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["kind", "title", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class FollowUpForm(StyledFormMixin, forms.Form):
    months = forms.TypedChoiceField(
        label=_("Follow-up"),
        choices=[(m, _("%(m)s months") % {"m": m}) for m in FOLLOW_UP_MONTHS],
        coerce=int,
    )
    done_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    still_employed = forms.BooleanField(label=_("Still employed"), required=False)
    contract = forms.ChoiceField(
        label=_("Contract now"), required=False, choices=[("", "—"), *Contract.choices]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
