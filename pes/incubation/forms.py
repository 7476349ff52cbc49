from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.incubation.models import (
    CANVAS_BLOCKS,
    Application,
    Call,
    Cohort,
    Criterion,
    FollowUp,
    Milestone,
    Mission,
    Target,
)
from pes.incubation.selectors import CallFilters
from pes.lib.forms import StyledFormMixin, add_service_error
from pes.registry.models import Organization
from pes.territory.models import District, Municipality

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal(0)}
TEAM = "team"


class CallFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    target = forms.ChoiceField(
        label=_("Target"), required=False, choices=[("", _("All"))] + Target.choices
    )
    mission = forms.TypedChoiceField(
        label=_("Mission"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All")), *Mission.choices],
    )
    open = forms.BooleanField(label=_("Open calls only"), required=False)

    def filters(self) -> CallFilters:
        if not self.is_bound or not self.is_valid():
            return CallFilters()
        data = self.cleaned_data
        return CallFilters(
            q=data["q"], target=data["target"], mission=data["mission"], open_only=data["open"]
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CallForm(StyledFormMixin, forms.ModelForm):
    targets = forms.MultipleChoiceField(
        label=_("Targets"),
        choices=Target.choices,
        required=True,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = forms.CharField(
        label=_("Documents required"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    criteria_text = forms.CharField(
        label=_("Evaluation criteria"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: name | weight | highest score. For example: "
            "“Impact on the community | 40 | 10”."
        ),
    )
    phases_text = forms.CharField(
        label=_("Phases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name | first day | last day, with dates as YYYY-MM-DD."),
    )

    class Meta:
        model = Call
        fields = [
            "title",
            "description",
            "mission",
            "promoter_kind",
            "promoter_name",
            "targets",
            "municipalities",
            "legal_forms",
            "accepts_teams",
            "eligibility",
            "opens_on",
            "deadline",
            "budget",
            "max_grant",
            "disagreement_threshold",
            "is_published",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "municipalities": forms.SelectMultiple(attrs={"size": 6}),
            "legal_forms": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            del self.fields["criteria_text"]
            del self.fields["phases_text"]
            self.initial["documents"] = "\n".join(self.instance.required_documents)
        for name in ("budget", "max_grant"):
            self.fields[name].widget.attrs["min"] = 0
        if not self.is_bound and not self.initial.get("opens_on"):
            self.initial["opens_on"] = timezone.localdate()

    def clean_criteria_text(self) -> list[dict[str, Any]]:
        criteria = []
        for n, line in enumerate(_lines(self.cleaned_data["criteria_text"]), start=1):
            parts = [p.strip() for p in line.split("|")]
            try:
                name = parts[0]
                weight = int(parts[1])
                max_score = int(parts[2]) if len(parts) > 2 and parts[2] else 10
            except (IndexError, ValueError) as exc:
                raise ValidationError(
                    _("Line %(n)s: write “name | weight | highest score”.") % {"n": n}
                ) from exc
            criteria.append({"name": name, "weight": weight, "max_score": max_score})
        return criteria

    def clean_phases_text(self) -> list[dict[str, Any]]:
        phases = []
        for n, line in enumerate(_lines(self.cleaned_data["phases_text"]), start=1):
            parts = [p.strip() for p in line.split("|")]
            try:
                starts, ends = dt.date.fromisoformat(parts[1]), dt.date.fromisoformat(parts[2])
            except (IndexError, ValueError) as exc:
                raise ValidationError(
                    _("Line %(n)s: write “name | first day | last day” with dates as YYYY-MM-DD.")
                    % {"n": n}
                ) from exc
            if ends < starts:
                raise ValidationError(_("Line %(n)s: the phase ends before it starts.") % {"n": n})
            phases.append({"name": parts[0][:120], "starts_on": starts, "ends_on": ends})
        return phases

    def clean(self) -> dict[str, Any]:
        from pes.incubation.services import call_validate

        cleaned = super().clean() or {}
        data = {k: cleaned.get(k) for k in ("deadline", "opens_on", "budget", "max_grant")}
        data["targets"] = cleaned.get("targets") or []
        try:
            call_validate(
                data,
                criteria=cleaned.get("criteria_text") if "criteria_text" in self.fields else None,
                new=self.instance.pk is None,
            )
        except ValidationError as exc:
            errors = exc.message_dict
            if "criteria" in errors:
                errors["criteria_text"] = errors.pop("criteria")
            add_service_error(self, ValidationError(errors))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        skip = {"municipalities", "legal_forms"}
        data = {k: self.cleaned_data[k] for k in self.Meta.fields if k not in skip}
        data["required_documents"] = _lines(self.cleaned_data.get("documents", ""))
        return data


class ApplicationForm(StyledFormMixin, forms.Form):
    """The application: the applicant (on a new one), the idea and its territory, the
    business model canvas, the budget and the jobs expected. Saved as a draft as often as
    needed; sent once complete."""

    applicant = forms.ChoiceField(label=_("Who applies"), required=False)
    team_name = forms.CharField(label=_("Team name"), required=False, max_length=200)
    team_members = forms.CharField(
        label=_("Team members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name and role in the project."),
    )
    title = forms.CharField(label=_("Project title"), max_length=200)
    idea = forms.CharField(
        label=_("The idea"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality where the project takes place"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )
    community_served = forms.CharField(
        label=_("Community served"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget_total = forms.DecimalField(label=_("Total budget (€)"), required=False, **MONEY)
    grant_requested = forms.DecimalField(label=_("Grant requested (€)"), required=False, **MONEY)
    expected_jobs = forms.IntegerField(label=_("Jobs expected"), min_value=0, required=False)
    expected_jobs_fragile = forms.IntegerField(
        label=_("of which for fragile people"),
        min_value=0,
        required=False,
        help_text=_("A number only: no personal data."),
    )

    CANVAS = [f"canvas_{key}" for key, _label in CANVAS_BLOCKS]

    def __init__(
        self, *args: Any, organizations: list[Any] | None = None, new: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CANVAS_BLOCKS:
            self.fields[f"canvas_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        for name in self.CANVAS:
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        if new:
            choices = [(str(o.pk), o.name) for o in organizations or []]
            choices.append((TEAM, str(_("An informal team that I lead"))))
            self.fields["applicant"].choices = choices  # type: ignore[attr-defined]
            self.fields["applicant"].required = True
        else:
            del self.fields["applicant"]
            del self.fields["team_name"]

    @classmethod
    def initial_from(cls, application: Application) -> dict[str, Any]:
        initial = {
            "team_members": application.team_members,
            "title": application.title,
            "idea": application.idea,
            "municipality": application.municipality_id,
            "community_served": application.community_served,
            "budget_total": application.budget_total,
            "grant_requested": application.grant_requested,
            "expected_jobs": application.expected_jobs,
            "expected_jobs_fragile": application.expected_jobs_fragile,
        }
        for key, _label in CANVAS_BLOCKS:
            initial[f"canvas_{key}"] = application.canvas.get(key, "")
        return initial

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "team_members": d["team_members"],
            "title": d["title"],
            "idea": d["idea"],
            "municipality": d["municipality"],
            "community_served": d["community_served"],
            "canvas": {key: d.get(f"canvas_{key}", "") for key, _label in CANVAS_BLOCKS},
            "budget_total": d["budget_total"] or Decimal(0),
            "grant_requested": d["grant_requested"] or Decimal(0),
            "expected_jobs": d["expected_jobs"] or 0,
            "expected_jobs_fragile": d["expected_jobs_fragile"] or 0,
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Errors from the services: ``canvas_<block>`` errors land on their blocks."""
        add_service_error(self, exc)


class EvaluatorForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Evaluator's e-mail"),
        help_text=_(
            "A user signed up on PES: governance, an operator, or an external expert who gets "
            "the evaluator's role for this call only."
        ),
    )


class ConflictForm(StyledFormMixin, forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=[("no", _("No, I have no conflict of interest")), ("yes", _("Yes, I have one"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScoreForm(StyledFormMixin, forms.Form):
    """One score and one comment per criterion. The range is checked by the service, so that
    an out-of-range score gets the criterion's own message."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        self.criteria = criteria
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=_("Score for “%(name)s” (0 to %(max)s)")
                % {"name": c.name, "max": c.max_score},
                max_digits=5,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": c.max_score, "step": "0.5", "class": "form-control"}
                ),
            )
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=_("Comment on “%(name)s”") % {"name": c.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[Any, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }


class CohortForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Cohort name"), max_length=200)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("admit", _("Admit into a cohort")), ("reject", _("Do not admit"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reasons (sent to the applicant)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.none(), required=False
    )
    grant = forms.DecimalField(label=_("Grant (€)"), required=False, **MONEY)

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(call=call)  # type: ignore[attr-defined]


class GrantForm(StyledFormMixin, forms.Form):
    grant = forms.DecimalField(label=_("Grant (€)"), **MONEY)


class MentorForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("Mentor's e-mail"))


class MilestoneForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class ReachForm(StyledFormMixin, forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=Milestone.objects.none())
    reached_on = forms.DateField(
        label=_("Reached on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    evidence = forms.CharField(
        label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "reach")
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.filter(reached_on__isnull=True)  # type: ignore[attr-defined]
        self.fields["reached_on"].initial = timezone.localdate()


class TrancheForm(StyledFormMixin, forms.Form):
    milestone = forms.ModelChoiceField(
        label=_("Tied to the milestone"), queryset=Milestone.objects.none(), required=False
    )
    amount = forms.DecimalField(label=_("Amount (€)"), max_digits=12, decimal_places=2)

    def __init__(self, *args: Any, project: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "tranche")
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.all()  # type: ignore[attr-defined]


class PaymentForm(StyledFormMixin, forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payment reference"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class SessionForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(StyledFormMixin, forms.Form):
    period = forms.TypedChoiceField(label=_("When"), choices=FollowUp.Period.choices, coerce=int)
    is_active = forms.BooleanField(label=_("The project is still active"), required=False)
    incorporated = forms.BooleanField(label=_("Incorporated as an organisation"), required=False)
    organization: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("The organisation on PES"), queryset=Organization.objects.none(), required=False
    )
    jobs_created = forms.IntegerField(label=_("Jobs created"), min_value=0)
    jobs_fragile = forms.IntegerField(
        label=_("of which for fragile people"),
        min_value=0,
        help_text=_("A number only: no personal data."),
    )
    revenue = forms.DecimalField(label=_("Revenue in the last year (€)"), **MONEY)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "period"}


class ShowcaseFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All"))] + [(d.slug, d.name) for d in District.objects.order_by("name")]
        self.fields["district"].choices = choices  # type: ignore[attr-defined]
