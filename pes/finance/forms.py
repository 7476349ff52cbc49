from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pes.finance.models import (
    Call,
    DocumentKind,
    FinancialProduct,
    ImpactCase,
    Instrument,
    Programme,
    Size,
    Source,
    Stage,
    WalletDocument,
)
from pes.finance.selectors import CallFilters
from pes.lib.forms import StyledFormMixin, add_service_error

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class CallFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All"))] + Source.choices
    )
    instrument = forms.ChoiceField(
        label=_("Instrument"), required=False, choices=[("", _("All"))] + Instrument.choices
    )
    closed = forms.BooleanField(label=_("Include closed calls"), required=False)

    def filters(self) -> CallFilters:
        if not self.is_bound or not self.is_valid():
            return CallFilters()
        data = self.cleaned_data
        return CallFilters(
            q=data["q"],
            source=data["source"],
            instrument=data["instrument"],
            open_only=not data["closed"],
        )


class ProductFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All"))] + Instrument.choices
    )
    stage = forms.ChoiceField(
        label=_("Stage of development"), required=False, choices=[("", _("All"))] + Stage.choices
    )


class CallForm(StyledFormMixin, forms.ModelForm):
    required_documents = forms.MultipleChoiceField(
        label=_("Documents required"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stages = forms.MultipleChoiceField(
        label=_("Development stages (none: all)"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sizes = forms.MultipleChoiceField(
        label=_("Sizes (none: all)"),
        choices=Size.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Call
        fields = [
            "programme",
            "title",
            "description",
            "instrument",
            "opens_on",
            "deadline",
            "budget",
            "min_amount",
            "max_amount",
            "co_financing_pct",
            "legal_forms",
            "activities",
            "municipalities",
            "stages",
            "sizes",
            "required_documents",
            "actions",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "legal_forms": forms.SelectMultiple(attrs={"size": 6}),
            "activities": forms.SelectMultiple(attrs={"size": 6}),
            "municipalities": forms.SelectMultiple(attrs={"size": 6}),
            "actions": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["actions"].queryset = self.fields["actions"].queryset.select_related(  # type: ignore[attr-defined]
            "mission"
        )
        for name in ("budget", "min_amount", "max_amount", "co_financing_pct"):
            self.fields[name].widget.attrs["min"] = 0
        self.fields["co_financing_pct"].widget.attrs["max"] = 100
        if not self.is_bound and not self.initial.get("opens_on"):
            self.initial["opens_on"] = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        """The service's rules as field errors here, so that the model's constraints on
        the same fields are not reported again as a generic error."""
        from pes.finance.services import call_validate

        cleaned = super().clean() or {}
        try:
            call_validate(cleaned, new=self.instance.pk is None)
        except ValidationError as exc:
            add_service_error(self, exc)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        skip = {"programme", "legal_forms", "activities", "municipalities", "actions"}
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k not in skip}


class _ServiceRulesMixin:
    """Check the service's rules in ``clean``: they come out as field errors, and the model's
    constraints on the same fields are not reported again as a generic error."""

    #: Many-to-many fields: set by the services apart from the data.
    relations: tuple[str, ...] = ()
    cleaned_data: dict[str, Any]

    @staticmethod
    def validate(data: dict[str, Any]) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}  # type: ignore[misc]
        try:
            self.validate(cleaned)
        except ValidationError as exc:
            add_service_error(self, exc)  # type: ignore[arg-type]
        return cleaned

    def service_data(self) -> dict[str, Any]:
        names = self._meta.fields  # type: ignore[attr-defined]
        return {k: self.cleaned_data[k] for k in names if k not in self.relations}


def _min_zero(form: forms.BaseForm, names: list[str], pct: list[str] | None = None) -> None:
    for name in names:
        form.fields[name].widget.attrs["min"] = 0
    for name in pct or []:
        form.fields[name].widget.attrs["max"] = 100


class ProgrammeForm(_ServiceRulesMixin, StyledFormMixin, forms.ModelForm):
    relations = ("actions",)

    class Meta:
        model = Programme
        fields = [
            "title",
            "source",
            "funder_name",
            "funder",
            "description",
            "budget",
            "url",
            "actions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "actions": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = self.fields["funder"].queryset.order_by("name")  # type: ignore[attr-defined]
        self.fields["actions"].queryset = self.fields["actions"].queryset.select_related(  # type: ignore[attr-defined]
            "mission"
        )
        _min_zero(self, ["budget"])

    @staticmethod
    def validate(data: dict[str, Any]) -> None:
        from pes.finance.services import programme_validate

        programme_validate(data)


class ProductForm(_ServiceRulesMixin, StyledFormMixin, forms.ModelForm):
    stages = forms.MultipleChoiceField(
        label=_("Development stages (none: all)"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = FinancialProduct
        fields = [
            "name",
            "kind",
            "provider_kind",
            "provider_name",
            "stages",
            "description",
            "min_amount",
            "max_amount",
            "rate_pct",
            "term_months",
            "url",
            "is_published",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _min_zero(self, ["min_amount", "max_amount", "rate_pct", "term_months"], ["rate_pct"])

    @staticmethod
    def validate(data: dict[str, Any]) -> None:
        from pes.finance.services import product_validate

        product_validate(data)


class CaseForm(_ServiceRulesMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ImpactCase
        fields = [
            "title",
            "country",
            "territory",
            "sector",
            "year_launched",
            "instrument",
            "outcome_metrics",
            "outcome_payer",
            "investors",
            "capital",
            "maturity_years",
            "max_return_pct",
            "results",
            "source_url",
        ]
        widgets = {
            "outcome_metrics": forms.Textarea(attrs={"rows": 3}),
            "investors": forms.Textarea(attrs={"rows": 3}),
            "results": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _min_zero(self, ["capital", "maturity_years", "max_return_pct"], ["max_return_pct"])

    @staticmethod
    def validate(data: dict[str, Any]) -> None:
        from pes.finance.services import case_validate

        case_validate(data)


class WalletDocumentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File (PDF, up to 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if the document does not expire."),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return file


class ApplicationForm(StyledFormMixin, forms.Form):
    """Ask once: the organisation's fields come filled in from the registry."""

    name = forms.CharField(label=_("Name of the organisation"), max_length=255)
    codice_fiscale = forms.CharField(label=_("Codice fiscale"), max_length=16)
    partita_iva = forms.CharField(label=_("Partita IVA"), max_length=11, required=False)
    legal_form = forms.CharField(label=_("Legal form"), max_length=120, required=False)
    head_office = forms.CharField(
        label=_("Head office (municipality)"), max_length=120, required=False
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    pec = forms.EmailField(label=_("Certified e-mail (PEC)"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=200, required=False
    )
    workers = forms.IntegerField(label=_("Workers"), min_value=0, required=False)
    year_founded = forms.IntegerField(
        label=_("Year founded"), min_value=1800, max_value=2100, required=False
    )
    project_title = forms.CharField(label=_("Project title"), max_length=255)
    summary = forms.CharField(label=_("Project summary"), widget=forms.Textarea(attrs={"rows": 5}))
    amount_requested = forms.DecimalField(
        label=_("Amount requested (€)"), min_value=Decimal(0), **MONEY
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents from your wallet"),
        queryset=WalletDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    PROFILE = [
        "name",
        "codice_fiscale",
        "partita_iva",
        "legal_form",
        "head_office",
        "address",
        "email",
        "pec",
        "phone",
        "website",
        "legal_representative",
        "workers",
        "year_founded",
    ]

    def __init__(
        self, *args: Any, wallet: list[WalletDocument] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        docs = wallet or []
        field = self.fields["documents"]
        field.queryset = WalletDocument.objects.filter(pk__in=[d.pk for d in docs])  # type: ignore[attr-defined]
        field.label_from_instance = _document_label  # type: ignore[attr-defined]
        self.fields["amount_requested"].widget.attrs["min"] = 0

    def profile(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.PROFILE}

    def project(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in ("project_title", "summary", "amount_requested")
        }


def _document_label(document: WalletDocument) -> str:
    label = f"{document.get_kind_display()} — {document.title}"
    if document.expires_on:
        if document.expired:
            return f"{label} ({_('expired on')} {document.expires_on:%d/%m/%Y})"
        return f"{label} ({_('valid until')} {document.expires_on:%d/%m/%Y})"
    return label


class ReviewForm(StyledFormMixin, forms.Form):
    DECISIONS = [
        ("approve", _("Approve")),
        ("changes", _("Ask for changes")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    amount_granted = forms.DecimalField(
        label=_("Amount granted (€)"), required=False, min_value=Decimal(0), **MONEY
    )
    note = forms.CharField(
        label=_("Note to the organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when asking for changes or rejecting."),
    )


PCT: dict[str, Any] = {"max_digits": 6, "decimal_places": 2, "min_value": Decimal(0)}


class GuaranteeScenarioForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Scenario"), max_length=60)
    fund = forms.DecimalField(label=_("Fund size (€)"), min_value=Decimal("0.01"), **MONEY)
    multiplier = forms.DecimalField(
        label=_("Multiplier"),
        min_value=Decimal(1),
        max_value=Decimal(50),
        max_digits=5,
        decimal_places=2,
    )
    coverage_pct = forms.DecimalField(label=_("Coverage ratio (%)"), max_value=Decimal(100), **PCT)
    default_pct = forms.DecimalField(
        label=_("Expected default rate (% a year)"), max_value=Decimal(100), **PCT
    )
    recovery_pct = forms.DecimalField(label=_("Recovery rate (%)"), max_value=Decimal(100), **PCT)
    average_loan = forms.DecimalField(
        label=_("Average loan (€)"), min_value=Decimal("0.01"), **MONEY
    )
    horizon_years = forms.IntegerField(label=_("Horizon (years)"), min_value=1, max_value=30)

    def clean_coverage_pct(self) -> Decimal:
        value = self.cleaned_data["coverage_pct"]
        if value <= 0:
            raise forms.ValidationError(_("The coverage ratio is between 0% and 100%."))
        return value


GuaranteeFormSet = forms.formset_factory(
    GuaranteeScenarioForm, extra=0, min_num=1, max_num=4, absolute_max=4, validate_max=True
)


class OutcomeForm(StyledFormMixin, forms.Form):
    capital = forms.DecimalField(
        label=_("Capital invested (€)"), min_value=Decimal("0.01"), **MONEY
    )
    price_per_outcome = forms.DecimalField(
        label=_("Price paid per outcome (€)"), min_value=Decimal(0), **MONEY
    )
    targets = forms.CharField(
        label=_("Targets, year by year"),
        max_length=500,
        help_text=_("Numbers separated by semicolons, one per year, e.g. 100; 120; 150."),
    )
    achieved = forms.CharField(
        label=_("Outcomes achieved, year by year"),
        max_length=500,
        help_text=_("As many numbers as the targets, e.g. 90; 130; 150."),
    )
    threshold_pct = forms.DecimalField(
        label=_("Threshold: share of the target below which nothing is paid (%)"),
        max_value=Decimal(100),
        **PCT,
    )
    cap_pct = forms.DecimalField(
        label=_("Cap: most paid, as a share of the target (%)"),
        min_value=Decimal(100),
        max_value=Decimal(1000),
        max_digits=6,
        decimal_places=2,
    )

    @staticmethod
    def _numbers(raw: str) -> list[Decimal]:
        parts = [p.strip().replace(",", ".") for p in raw.split(";") if p.strip()]
        try:
            values = [Decimal(p) for p in parts]
        except ArithmeticError as exc:
            raise forms.ValidationError(_("Give numbers separated by semicolons.")) from exc
        if not values or any(not v.is_finite() for v in values):
            raise forms.ValidationError(_("Give numbers separated by semicolons."))
        if len(values) > 30:
            raise forms.ValidationError(_("Give at most 30 years."))
        if any(v < 0 for v in values):
            raise forms.ValidationError(_("Numbers cannot be negative."))
        if any(v > 1_000_000_000 for v in values):
            raise forms.ValidationError(_("Give numbers up to one billion."))
        return values

    def clean_targets(self) -> list[Decimal]:
        values = self._numbers(self.cleaned_data["targets"])
        if any(v == 0 for v in values):
            raise forms.ValidationError(_("Every target is above zero."))
        return values

    def clean_achieved(self) -> list[Decimal]:
        return self._numbers(self.cleaned_data["achieved"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        targets, achieved = cleaned.get("targets"), cleaned.get("achieved")
        if targets and achieved and len(targets) != len(achieved):
            self.add_error("achieved", _("Give one achieved figure for every target."))
        return cleaned
