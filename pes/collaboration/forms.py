from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.accounts.models import User
from pes.collaboration.files import MAX_UPLOAD_BYTES
from pes.collaboration.models import (
    TARGET_GROUPS,
    HousingInitiative,
    Meeting,
    NotificationPreference,
    Procedure,
    Proposal,
    TableMember,
    Tenure,
    WorkingTable,
)
from pes.lib.forms import StyledFormMixin
from pes.plan.models import Action
from pes.registry.models import Organization
from pes.territory.models import Municipality

ACCEPT = ".pdf,.odt,.ods,.docx,.xlsx,.csv,.png,.jpg,.jpeg"


def _action_choices(field: forms.ModelChoiceField) -> None:
    field.queryset = Action.objects.select_related("mission").order_by("mission__number", "number")
    field.label_from_instance = lambda obj: f"{obj.code} {obj.label}"  # type: ignore[method-assign]


class TableForm(StyledFormMixin, forms.ModelForm):
    organization = forms.ModelChoiceField(
        label=_("I take part on behalf of"), queryset=Organization.objects.none()
    )

    class Meta:
        model = WorkingTable
        fields = ["title", "purpose", "mission", "action", "visibility"]

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )
        _action_choices(self.fields["action"])  # type: ignore[arg-type]


class TableEditForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = WorkingTable
        fields = ["title", "purpose", "mission", "action", "visibility"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _action_choices(self.fields["action"])  # type: ignore[arg-type]


def organization_by_codice_fiscale(value: str) -> Organization:
    org = Organization.objects.filter(codice_fiscale=value.strip().upper()).first()
    if org is None:
        raise forms.ValidationError(_("No organisation with this codice fiscale."))
    return org


class MemberForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail of the person"))
    organization = forms.CharField(label=_("Codice fiscale of the organisation"), max_length=16)
    role = forms.ChoiceField(label=_("Role"), choices=TableMember.Role.choices)

    def clean_organization(self) -> Organization:
        return organization_by_codice_fiscale(self.cleaned_data["organization"])

    def clean_email(self) -> User:
        user = User.objects.filter(email__iexact=self.cleaned_data["email"]).first()
        if user is None:
            raise forms.ValidationError(_("No one has signed up with this e-mail."))
        return user


class MeetingForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 4}))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            starts = timezone.make_aware(dt.datetime.combine(day, start))
            ends = timezone.make_aware(dt.datetime.combine(day, end))
            if starts <= timezone.now():
                self.add_error("date", _("A meeting cannot be scheduled in the past."))
            elif ends <= starts:
                self.add_error("end_time", _("The meeting must end after it starts."))
            cleaned["starts_at"], cleaned["ends_at"] = starts, ends
        if not (cleaned.get("place") or cleaned.get("link")) and not self.has_error("place"):
            self.add_error("place", _("Give a place or a link to join online."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        keys = ["title", "agenda", "starts_at", "ends_at", "place", "link"]
        return {k: c[k] for k in keys}


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    """A meeting as the initial values of ``MeetingForm`` (date and times in local time)."""
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return {
        "title": meeting.title,
        "agenda": meeting.agenda,
        "date": starts.date(),
        "start_time": starts.time().replace(second=0, microsecond=0),
        "end_time": ends.time().replace(second=0, microsecond=0),
        "place": meeting.place,
        "link": meeting.link,
    }


class MinutesForm(StyledFormMixin, forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, attendances: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [  # type: ignore[attr-defined]
            (
                str(a.pk),
                f"{a.member.user.get_full_name() or a.member.user.email} "
                f"({a.member.organization.name})",
            )
            for a in attendances or []
        ]


class DecisionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionItemForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("What to do"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, table: WorkingTable | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if table is not None:
            self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
                table_memberships__table=table
            ).order_by("last_name", "email")


class UploadForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, ODT, DOCX, XLSX, ODS, CSV, PNG or JPEG, up to %(mb)s MB.")
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class VersionForm(UploadForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("title")


class ProposalForm(StyledFormMixin, forms.ModelForm):
    organization = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organization.objects.none()
    )

    class Meta:
        model = Proposal
        fields = ["kind", "title", "text", "cost", "funders", "status"]
        labels = {"status": _("Publish")}

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (Proposal.Status.DISCUSSION, _("open it to discussion now")),
            (Proposal.Status.DRAFT, _("keep it as a draft")),
        ]
        self.fields["cost"].widget.attrs.update({"min": 0, "step": "0.01"})

    def clean_cost(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return cost


class ProposalEditForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Proposal
        fields = ["kind", "title", "text", "cost", "funders"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost"].widget.attrs.update({"min": 0, "step": "0.01"})

    def clean_cost(self) -> Decimal | None:
        cost = self.cleaned_data.get("cost")
        if cost is not None and cost < 0:
            raise forms.ValidationError(_("A cost cannot be negative."))
        return cost


class CommentForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))


class SupportForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Support on behalf of"), queryset=Organization.objects.none()
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )


class DecideForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Proposal.Status.choices)


class InitiativeForm(StyledFormMixin, forms.Form):
    action = forms.ModelChoiceField(label=_("Action of the Plan"), queryset=Action.objects.none())
    lead = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organization.objects.none()
    )
    title = forms.CharField(label=_("Title of the initiative"), max_length=255, required=False)

    def __init__(self, *args: Any, table: WorkingTable | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _action_choices(self.fields["action"])  # type: ignore[arg-type]
        if table is not None:
            self.fields["lead"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
                pk__in=table.members.values("organization")
            ).order_by("name")


class ProcedureForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "kind",
            "title",
            "administration",
            "action",
            "subject",
            "eligibility",
            "requires_runts",
            "deadline",
        ]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, administrations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["administration"].queryset = administrations  # type: ignore[attr-defined]
        _action_choices(self.fields["action"])  # type: ignore[arg-type]

    def clean_deadline(self) -> dt.date:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline


class ExpressionForm(StyledFormMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Body"), queryset=Organization.objects.none())
    statement = forms.CharField(
        label=_("What the body offers"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organizations if organizations is not None else Organization.objects.none()
        )


class EligibilityForm(StyledFormMixin, forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Eligibility"),
        choices=[("1", _("eligible")), ("0", _("not eligible"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Reason"), max_length=500, required=False)


class AgreementForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label=_("Agreement"), widget=forms.Textarea(attrs={"rows": 4}))
    budget = forms.DecimalField(
        label=_("Total budget (€)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=240)
    contributions = forms.CharField(
        label=_("Contributions"),
        help_text=_(
            "One line per party: codice fiscale; what it brings; value in euros. "
            "For example: 80012345678; premises and staff; 25000"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_contributions(self) -> list[tuple[Organization, str, Decimal]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["contributions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("Line %(n)s: write codice fiscale; contribution; value.") % {"n": n}
                )
            org = Organization.objects.filter(codice_fiscale=parts[0].upper()).first()
            if org is None:
                raise forms.ValidationError(
                    _("Line %(n)s: no organisation with this codice fiscale.") % {"n": n}
                )
            try:
                amount = Decimal(parts[2].replace(",", "."))
            except ArithmeticError:
                amount = Decimal(-1)
            if not amount.is_finite() or amount < 0:
                raise forms.ValidationError(
                    _("Line %(n)s: the value must be a number of euros.") % {"n": n}
                )
            rows.append((org, parts[1][:300], amount.quantize(Decimal("0.01"))))
        if not rows:
            raise forms.ValidationError(_("Give the contribution of at least one party."))
        return rows


class CloseProcedureForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why no agreement was reached"),
        help_text=_("Published with the procedure."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HousingForm(StyledFormMixin, forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TARGET_GROUPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = HousingInitiative
        fields = [
            "name",
            "description",
            "lead",
            "municipality",
            "address",
            "units",
            "tenure",
            "monthly_rent",
            "market_rent",
            "households_housed",
            "target_groups",
            "shared_services",
            "financing",
        ]

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["tenure"].choices = Tenure.choices  # type: ignore[attr-defined]

    partners = forms.CharField(
        label=_("Partners"),
        required=False,
        help_text=_("The codice fiscale of each partner organisation, one per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_partners(self) -> list[Organization]:
        return [
            organization_by_codice_fiscale(line)
            for line in self.cleaned_data["partners"].splitlines()
            if line.strip()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        market = cleaned.get("market_rent")
        if market is not None and market <= 0:
            self.add_error("market_rent", _("Give the local market rent."))
        if cleaned.get("monthly_rent") is not None and cleaned["monthly_rent"] < 0:
            self.add_error("monthly_rent", _("A rent cannot be negative."))
        if cleaned.get("units") is not None and cleaned["units"] < 1:
            self.add_error("units", _("An initiative has at least one housing unit."))
        return cleaned


class PreferencesForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["invitations", "proposals", "decisions", "overdue"]


def housing_initial(housing: HousingInitiative) -> dict[str, Any]:
    """An initiative as the initial values of ``HousingForm``, partners by codice fiscale."""
    initial = forms.models.model_to_dict(housing, fields=HousingForm.Meta.fields)
    initial["partners"] = "\n".join(
        housing.partners.order_by("name").values_list("codice_fiscale", flat=True)
    )
    return initial
