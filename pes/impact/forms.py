from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.impact.models import (
    REPORT_PHASES,
    TOC_HELP,
    TOC_SECTIONS,
    DataType,
    Indicator,
    Method,
    MethodIndicator,
    Outcome,
    Proxy,
    Question,
    Report,
    Sroi,
    Theory,
)
from pes.impact.selectors import IndicatorFilters
from pes.lib.forms import StyledFormMixin
from pes.registry.models import Organization
from pes.territory.models import Municipality

PCT_ATTRS = {"min": "0", "max": "100", "step": "0.01"}


def _restyle(form: Any, names: list[str]) -> None:
    """Bootstrap classes and help wiring for fields replaced after ``StyledFormMixin`` ran."""
    for name in names:
        field = form.fields[name]
        widget = field.widget
        select = isinstance(widget, forms.Select)
        widget.attrs["class"] = "form-select" if select else "form-control"
        if field.help_text:
            widget.attrs["aria-describedby"] = f"id_{name}_help"


def _org_field(organizations: QuerySet[Organization] | list[Organization], required: bool) -> Any:
    return forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.filter(pk__in=[o.pk for o in organizations]),
        required=required,
    )


# ----------------------------------------------------------------------------- theory of change


class TheoryForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Theory
        fields = [
            "title",
            "subject",
            "organization",
            "initiative",
            "contract",
            "programme",
            "municipality",
        ]
        widgets = {
            "initiative": forms.NumberInput(),
            "contract": forms.NumberInput(),
        }
        help_texts = {
            "initiative": _("The number of the initiative of the Plan."),
            "contract": _("The number of the procurement contract."),
            "programme": _("The name of the programme, for a theory not tied to another record."),
        }

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"] = _org_field(organizations, required=False)
        self.fields["organization"].help_text = _("The organisation that keeps the theory.")
        self.fields["initiative"].widget = forms.NumberInput()
        self.fields["contract"].widget = forms.NumberInput()
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")  # type: ignore[attr-defined]
        _restyle(self, ["organization", "initiative", "contract"])

    def _post_clean(self) -> None:  # the service validates and builds the record
        pass

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TheoryStepForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, section: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = dict(TOC_SECTIONS)[section]
        self.fields[section] = forms.CharField(
            label=label,
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text=TOC_HELP[section],
        )
        _restyle(self, [section])


# ----------------------------------------------------------------------------- library


class IndicatorFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    data_type = forms.ChoiceField(
        label=_("Data type"), required=False, choices=[("", _("All"))] + list(DataType.choices)
    )
    core = forms.BooleanField(label=_("Core set only"), required=False)

    def __init__(self, *args: Any, themes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All"))] + [(t, t) for t in themes]  # type: ignore[attr-defined]

    def filters(self) -> IndicatorFilters:
        if not self.is_bound or not self.is_valid():
            return IndicatorFilters()
        data = self.cleaned_data
        return IndicatorFilters(
            q=data["q"].strip(),
            theme=data["theme"],
            data_type=data["data_type"],
            core_only=data["core"],
        )


class IndicatorForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "definition", "unit", "data_type", "theme", "sdg_target", "iris_id"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"organization": _org_field(organizations, required=True), **self.fields}
        _restyle(self, ["organization"])

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organization"}


class ProxyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Proxy
        fields = ["name", "unit", "euro_per_unit", "source", "source_url", "year", "to_check"]
        widgets = {"source": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].required = False  # the service gives the message
        self.fields = {"organization": _org_field(organizations, required=False), **self.fields}
        _restyle(self, ["organization"])

    def _post_clean(self) -> None:  # the service validates and builds the record
        pass

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organization"}


# ----------------------------------------------------------------------------- methods, campaigns


class MethodForm(StyledFormMixin, forms.ModelForm):
    extra = forms.ModelMultipleChoiceField(
        label=_("Indicators besides the core set"),
        queryset=Indicator.objects.filter(is_core=False, organization__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Method
        fields = ["name", "unit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MethodVersionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("What changes in this version"), widget=forms.Textarea(attrs={"rows": 2})
    )
    extra = forms.ModelMultipleChoiceField(
        label=_("Indicators besides the core set"),
        queryset=Indicator.objects.filter(is_core=False, organization__isnull=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CampaignForm(StyledFormMixin, forms.Form):
    method = forms.ModelChoiceField(label=_("Method"), queryset=Method.objects.all())
    title = forms.CharField(label=_("Title"), max_length=255)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    closes_on = forms.DateField(
        label=_("Answers due by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    organizations = forms.CharField(
        label=_("Organisations"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The codice fiscale of each organisation asked to answer, one per line."),
        max_length=200_000,
    )

    def clean_organizations(self) -> list[Organization]:
        codes = [c.strip().upper() for c in self.cleaned_data["organizations"].split() if c.strip()]
        found = {o.codice_fiscale: o for o in Organization.objects.filter(codice_fiscale__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(
                _("Unknown codice fiscale: %(codes)s") % {"codes": ", ".join(missing[:10])}
            )
        if not codes:
            raise forms.ValidationError(_("Give at least one codice fiscale."))
        return list(dict.fromkeys(found[c] for c in codes))


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "open"), ("closed", "closed"), ("validated", "validated")]
    )


def _number_input(required: bool = False, **attrs: str) -> forms.CharField:
    return forms.CharField(
        required=required,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **attrs}),
    )


class AnswerForm(StyledFormMixin, forms.Form):
    """One field per indicator of the method (three for a count by gender). Values are kept
    as typed; the service validates them by data type."""

    def __init__(
        self, *args: Any, items: list[MethodIndicator], answers: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            ind = item.indicator
            name = f"ind_{ind.pk}"
            label = f"{ind.code} — {ind.name} ({ind.unit})"
            answer = answers.get(ind.pk)
            if ind.data_type == DataType.GENDER_COUNT:
                for part, part_label in (
                    ("women", _("women")),
                    ("men", _("men")),
                    ("other", _("other or not stated")),
                ):
                    field = _number_input(inputmode="numeric")
                    field.label = f"{ind.name}: {part_label}"
                    field.initial = getattr(answer, part, None) if answer else None
                    self.fields[f"{name}_{part}"] = field
            elif ind.data_type == DataType.BOOLEAN:
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                    initial=("yes" if answer.flag else "no")
                    if answer and answer.flag is not None
                    else "",
                )
            elif ind.data_type == DataType.TEXT:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial=answer.text if answer else "",
                )
            else:
                field = _number_input()
                field.label = label
                field.initial = (
                    answer.number.normalize() if answer and answer.number is not None else None
                )
                self.fields[name] = field
            for key in [k for k in self.fields if k == name or k.startswith(name + "_")]:
                self.fields[key].help_text = (
                    ind.definition if key in (name, f"{name}_women") else ""
                )
        for key, styled in self.fields.items():
            widget = styled.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs.setdefault("class", "form-control")
            if styled.help_text:
                widget.attrs["aria-describedby"] = f"id_{key}_help"

    def values(self) -> dict[int, Any]:
        data = self.cleaned_data
        out: dict[int, Any] = {}
        for item in self.items:
            ind = item.indicator
            name = f"ind_{ind.pk}"
            if ind.data_type == DataType.GENDER_COUNT:
                out[ind.pk] = {p: data.get(f"{name}_{p}") for p in ("women", "men", "other")}
            else:
                out[ind.pk] = data.get(name)
        return out

    def add_service_errors(self, exc: Any) -> None:
        for key, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            target = (
                key
                if key in self.fields
                else f"{key}_women"
                if f"{key}_women" in self.fields
                else None
            )
            for message in messages:
                self.add_error(target, message)


class SurveyForm(StyledFormMixin, forms.Form):
    ROWS = 6
    title = forms.CharField(label=_("Title"), max_length=255)
    stakeholder = forms.CharField(
        label=_("Stakeholders asked"),
        max_length=120,
        help_text=_("For example: families of the participants."),
    )
    introduction = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, self.ROWS + 1):
            self.fields[f"q{n}_text"] = forms.CharField(
                label=_("Question %(n)d") % {"n": n}, required=False, max_length=255
            )
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                label=_("Kind of question %(n)d") % {"n": n},
                choices=Question.Kind.choices,
                initial=Question.Kind.SCALE,
            )
            self.fields[f"q{n}_text"].widget.attrs["class"] = "form-control"
            self.fields[f"q{n}_kind"].widget.attrs["class"] = "form-select"

    def questions(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data[f"q{n}_text"].strip(), data[f"q{n}_kind"])
            for n in range(1, self.ROWS + 1)
            if data.get(f"q{n}_text", "").strip()
        ]

    def service_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("title", "stakeholder", "introduction")}


class TokenForm(StyledFormMixin, forms.Form):
    count = forms.IntegerField(label=_("Number of links"), initial=10)
    days = forms.IntegerField(label=_("Valid for (days)"), initial=30)


class SurveyResponseForm(forms.Form):
    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            name = f"q_{q.pk}"
            if q.kind == Question.Kind.SCALE:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    required=False,
                    choices=[(str(n), str(n)) for n in range(1, 6)],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    help_text=_("1 = not at all, 5 = very much."),
                )
            elif q.kind == Question.Kind.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    label=q.text,
                    required=False,
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )
            else:
                self.fields[name] = forms.CharField(
                    label=q.text,
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                )

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}


# ----------------------------------------------------------------------------- SROI


class SroiForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Sroi
        fields = ["title", "investment", "discount_rate"]
        widgets = {"discount_rate": forms.NumberInput(attrs=PCT_ATTRS)}


class OutcomeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = [
            "description",
            "stakeholder",
            "indicator",
            "quantity",
            "proxy",
            "value_per_unit",
            "proxy_source",
            "deadweight",
            "displacement",
            "attribution",
            "drop_off",
            "duration",
        ]
        widgets = {
            "proxy_source": forms.Textarea(attrs={"rows": 2}),
            **{
                name: forms.NumberInput(attrs=PCT_ATTRS)
                for name in ("deadweight", "displacement", "attribution", "drop_off")
            },
        }
        help_texts = {
            "proxy": _(
                "From the proxy table: its value and source fill the two fields below when "
                "left empty."
            ),
            "deadweight": _("The share of the outcome that would have happened anyway."),
            "displacement": _("The share of the outcome that displaced outcomes elsewhere."),
            "attribution": _("The share of the outcome due to others."),
            "drop_off": _("How much of the outcome is lost each year after the first."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value_per_unit"].required = False
        self.fields["proxy_source"].required = False
        self.fields["indicator"].queryset = Indicator.objects.filter(organization__isnull=True)  # type: ignore[attr-defined]
        # The service's message for a duration of zero, not the browser's.
        self.fields["duration"].min_value = None  # type: ignore[attr-defined]

    def _post_clean(self) -> None:  # the service validates and builds the record
        pass

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# ----------------------------------------------------------------------------- reports


class ReportForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["title", "year"]


class ReportPhaseForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, phase: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[phase] = forms.CharField(
            label=dict(REPORT_PHASES)[phase],
            required=False,
            max_length=20_000,
            widget=forms.Textarea(attrs={"rows": 10}),
            help_text=PHASE_HELP[phase],
        )
        _restyle(self, [phase])


class ReportLinksForm(StyledFormMixin, forms.Form):
    sroi = forms.ModelChoiceField(
        label=_("SROI analysis"), queryset=Sroi.objects.none(), required=False
    )

    def __init__(self, *args: Any, srois: QuerySet[Sroi], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sroi"].queryset = srois  # type: ignore[attr-defined]


PHASE_HELP = {
    "context": _(
        "The territory, the people concerned and the needs the project answers, with figures."
    ),
    "objectives": _("The changes the project wants to bring, for whom, by when."),
    "activities": _("What was done, with which resources and partners."),
    "method": _("How the change is measured: theory of change, indicators, surveys, SROI."),
    "evaluation": _("What the indicators and the SROI analysis show, and what was learnt."),
    "communication": _("How and to whom the results are made known."),
}


class MeasureForm(StyledFormMixin, forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    baseline = forms.CharField(label=_("Baseline"), required=False, max_length=40)
    target = forms.CharField(label=_("Target"), required=False, max_length=40)
    value = forms.CharField(label=_("Result"), required=False, max_length=40)
    women = forms.CharField(label=_("Result: women"), required=False, max_length=20)
    men = forms.CharField(label=_("Result: men"), required=False, max_length=20)
    other = forms.CharField(label=_("Result: other or not stated"), required=False, max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.exclude(  # type: ignore[attr-defined]
            data_type__in=[DataType.TEXT, DataType.BOOLEAN]
        ).filter(organization__isnull=True)
        self.fields["women"].help_text = _("For a count by gender: the result is their sum.")


class SmallTemplateForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Administration or organisation"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Project"), max_length=200)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    year = forms.IntegerField(label=_("Year evaluated"), min_value=2000, max_value=2100)
    needs = forms.CharField(
        label=_("Which needs does the project answer?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    activities = forms.CharField(
        label=_("What does it do?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    outcomes = forms.CharField(
        label=_("Which changes do you expect for the people involved?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    stakeholders = forms.CharField(
        label=_("Who is involved?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("One per line."),
    )
    investment = forms.DecimalField(
        label=_("Total cost of the project (€)"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organizations]
        )
        self.fields["year"].initial = timezone.localdate().year
