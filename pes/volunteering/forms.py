from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin
from pes.registry.access import organizations_editable_by
from pes.registry.models import Activity
from pes.territory.models import District, Municipality
from pes.volunteering.models import (
    LANGUAGES,
    MINOR_BRACKETS,
    WEEKDAYS,
    Group,
    Opportunity,
    Skill,
    TimeSlot,
    Volunteer,
)
from pes.volunteering.selectors import OpportunityFilters


class VolunteerForm(StyledFormMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages I speak"),
        choices=LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    available_days = forms.TypedMultipleChoiceField(
        label=_("Days I am available"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_slots = forms.MultipleChoiceField(
        label=_("Time of day"),
        choices=TimeSlot.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my profile is used to match me with "
            "volunteering opportunities"
        ),
        required=False,
    )

    class Meta:
        model = Volunteer
        fields = [
            "municipality",
            "max_distance_km",
            "age_bracket",
            "guardian_consent",
            "guardian_name",
            "interests",
            "skills",
            "languages",
            "available_days",
            "time_slots",
        ]
        labels = {
            "guardian_consent": _(
                "A parent or guardian consents to my volunteering (required under 18)"
            ),
            "interests": _("Activities I am interested in"),
            "skills": _("What I can do"),
        }
        widgets = {
            "interests": forms.CheckboxSelectMultiple,
            "skills": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("privacy_consent")
        self.fields["max_distance_km"].widget.attrs.update({"min": 0, "max": 200})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("age_bracket") in MINOR_BRACKETS:
            if not cleaned.get("guardian_consent"):
                self.add_error(
                    "guardian_consent",
                    _("A volunteer under 18 needs the consent of a parent or guardian."),
                )
            if not (cleaned.get("guardian_name") or "").strip():
                self.add_error("guardian_name", _("Give the name of the parent or guardian."))
        if "privacy_consent" in self.fields and not cleaned.get("privacy_consent"):
            self.add_error("privacy_consent", _("Accept the privacy notice to sign up."))
        distance = cleaned.get("max_distance_km")
        if distance is not None and distance > 200:
            self.add_error("max_distance_km", _("Give a distance up to 200 km."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in ("interests", "skills")
        }
        if "privacy_consent" in self.fields:
            data["privacy_consent"] = self.cleaned_data["privacy_consent"]
        return data


class OpportunityFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    activity = forms.ChoiceField(label=_("Activity of general interest"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    with_places = forms.BooleanField(label=_("Only with free places"), required=False)
    accessible = forms.BooleanField(label=_("Accessible to wheelchair users"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self._choices("activity", anything + [(a.letter, str(a)) for a in Activity.objects.all()])
        self._choices(
            "municipality",
            anything + [(m.istat_code, m.name) for m in Municipality.objects.order_by("name")],
        )
        self._choices(
            "district", anything + [(d.slug, d.name) for d in District.objects.order_by("name")]
        )
        self._choices("skill", anything + [(s.code, s.label) for s in Skill.objects.all()])
        self._choices("kind", anything + list(Opportunity.Kind.choices))

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def filters(self) -> OpportunityFilters:
        # Keep the valid filters when one is bad: dropping them all would widen the results.
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return OpportunityFilters(
            q=data.get("q") or "",
            activity=data.get("activity") or "",
            municipality=data.get("municipality") or "",
            district=data.get("district") or "",
            skill=data.get("skill") or "",
            kind=data.get("kind") or "",
            accessible=bool(data.get("accessible")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            with_places=bool(data.get("with_places")),
        )


class OpportunityForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "organization",
            "title",
            "description",
            "activity",
            "kind",
            "municipality",
            "skills",
            "wheelchair_accessible",
            "accessibility",
            "min_age",
            "insurance_note",
            "is_published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "skills": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - a foreign key
        field.queryset = organizations_editable_by(user).order_by("name")
        if self.instance.pk:
            field.disabled = True
        self.fields["min_age"].widget.attrs.update({"min": 14, "max": 99})

    def clean_min_age(self) -> int:
        value = self.cleaned_data["min_age"]
        if value < 14 or value > 99:
            raise forms.ValidationError(_("Give a minimum age between 14 and 99."))
        return int(value)

    def service_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "skills" and not (name == "organization" and self.instance.pk)
        }


class ShiftForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place (address)"), max_length=255)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat every week for"),
        help_text=_("For a recurring opportunity: how many weeks in all (1 = only this date)."),
        min_value=1,
        max_value=52,
        initial=1,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if date and start and end:
            if end <= start:
                self.add_error("end_time", _("The shift must end after it starts."))
            starts_at = timezone.make_aware(dt.datetime.combine(date, start))
            if starts_at <= timezone.now():
                self.add_error("date", _("A new shift must start in the future."))
        return cleaned

    def moments(self) -> list[tuple[dt.datetime, dt.datetime]]:
        data = self.cleaned_data
        out = []
        for week in range(data["repeat_weeks"]):
            day = data["date"] + dt.timedelta(weeks=week)
            out.append(
                (
                    timezone.make_aware(dt.datetime.combine(day, data["start_time"])),
                    timezone.make_aware(dt.datetime.combine(day, data["end_time"])),
                )
            )
        return out


class AttendanceForm(StyledFormMixin, forms.Form):
    present = forms.TypedChoiceField(
        label=_("Attendance"),
        choices=[("yes", _("present")), ("no", _("absent"))],
        coerce=lambda v: v == "yes",
    )
    hours = forms.DecimalField(
        label=_("Hours per person"),
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal(24),
        decimal_places=2,
    )


class CancelShiftForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to everyone booked)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GroupForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "kind",
            "name",
            "institution",
            "municipality",
            "size",
            "includes_minors",
            "guardian_consents",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("includes_minors") and not cleaned.get("guardian_consents"):
            self.add_error(
                "guardian_consents",
                _("Confirm that the guardians of every minor in the group have consented."),
            )
        size = cleaned.get("size")
        if size is not None and size < 2:
            self.add_error("size", _("A group has at least two people."))
        return cleaned


class GroupBookingForm(StyledFormMixin, forms.Form):
    shift = forms.TypedChoiceField(label=_("Shift"), coerce=int)
    seats = forms.IntegerField(label=_("Places to book"), min_value=1, max_value=10_000)

    def __init__(self, *args: Any, shifts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["shift"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "—")] + [
            (
                s.pk,
                f"{s} · {s.municipality.name} · "
                + str(_("%(free)s places left") % {"free": s.free}),
            )
            for s in shifts
        ]
