from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.learning.models import Course, Enrolment, ResearchProject, Session
from pes.lib.forms import StyledFormMixin
from pes.plan.models import Mission
from pes.registry.access import organizations_editable_by
from pes.territory.models import Municipality


class CourseFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("any kind")), *Course.Kind.choices]
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.order_by("name"),
        to_field_name="istat_code",
        empty_label=_("all municipalities"),
    )
    free = forms.BooleanField(label=_("free of charge only"), required=False)
    upcoming = forms.BooleanField(label=_("with sessions still to come"), required=False)


class CourseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "organizer",
            "title",
            "description",
            "kind",
            "audience",
            "min_age",
            "max_age",
            "municipality",
            "seats",
            "is_free",
            "fee",
            "wheelchair_accessible",
            "min_attendance",
            "action",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizations_editable_by(user).order_by("name")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:  # the service validates the whole record
        pass


class SessionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title of the session"), required=False, max_length=200)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(label=_("Place"), max_length=255)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.order_by("name"),
        help_text=_("Empty: the course's municipality."),
    )

    @staticmethod
    def initial_for(session: Session) -> dict[str, Any]:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "date": starts.date(),
            "start_time": starts.time().replace(second=0, microsecond=0),
            "end_time": ends.time().replace(second=0, microsecond=0),
            "place": session.place,
            "municipality": session.municipality,
        }

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        start = timezone.make_aware(dt.datetime.combine(d["date"], d["start_time"]))
        end = timezone.make_aware(dt.datetime.combine(d["date"], d["end_time"]))
        return start, end


class EnrolForm(StyledFormMixin, forms.Form):
    affiliation = forms.ChoiceField(
        label=_("I take part as"), choices=Enrolment.Affiliation.choices
    )
    institution = forms.CharField(
        label=_("Administration or organisation"), required=False, max_length=200
    )


RATING = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class FeedbackForm(StyledFormMixin, forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall, how was it? (1 = poor, 5 = excellent)"),
        choices=RATING,
        coerce=int,
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful is it for your work? (1 = not at all, 5 = very)"),
        choices=RATING,
        coerce=int,
    )
    comment = forms.CharField(
        label=_("Comments and suggestions"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ResearchForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ResearchProject
        fields = [
            "organization",
            "title",
            "kind",
            "university",
            "department",
            "people",
            "start_year",
            "end_year",
            "summary",
            "publications",
            "missions",
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "publications": forms.Textarea(attrs={"rows": 3}),
            "missions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations_editable_by(user).order_by("name")  # type: ignore[attr-defined]
        self.fields["missions"].queryset = Mission.objects.order_by("number")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass
