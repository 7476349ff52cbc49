"""New finance (Mission 7): funding programmes and their calls, financial products, the
document wallet of each organisation, ask-once applications and a library of social impact
investing cases.

Invariants are database constraints: amounts are never negative, a call's minimum grant is
not above its maximum, co-financing is a percentage, an organisation applies once per call,
an approved application carries the amount granted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EXPIRY_WARNING_DAYS = 30


class Source(models.TextChoices):
    EU = "eu", _("European Union")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    METROPOLITAN = "metropolitan", _("Metropolitan")
    MUNICIPAL = "municipal", _("Municipal")
    FOUNDATION = "foundation", _("Foundation")
    BANK = "bank", _("Bank")


class Instrument(models.TextChoices):
    GRANT = "grant", _("Grant")
    LOAN = "loan", _("Loan")
    GUARANTEE = "guarantee", _("Guarantee")
    EQUITY = "equity", _("Equity")
    PARTICIPATIVE_LOAN = "participative_loan", _("Quasi-equity: participative loan")
    SUBORDINATED_DEBT = "subordinated_debt", _("Quasi-equity: subordinated debt")
    OUTCOME_CONTRACT = "outcome_contract", _("Outcome-based contract")
    SOCIAL_IMPACT_BOND = "social_impact_bond", _("Social impact bond")


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    STARTUP = "startup", _("Start-up")
    GROWTH = "growth", _("Growth")
    CONSOLIDATION = "consolidation", _("Consolidation")


class Size(models.TextChoices):
    MICRO = "micro", _("Micro (fewer than 10 workers)")
    SMALL = "small", _("Small (10–49 workers)")
    MEDIUM = "medium", _("Medium (50–249 workers)")
    LARGE = "large", _("Large (250 workers or more)")


class ProviderKind(models.TextChoices):
    BANK = "bank", _("Bank")
    FOUNDATION = "foundation", _("Foundation")
    FUND = "fund", _("Investment fund")
    PUBLIC = "public", _("Public body")


class DocumentKind(models.TextChoices):
    STATUTE = "statute", _("Statute")
    BUDGET = "budget", _("Latest approved budget")
    DURC = "durc", _("DURC (certificate of social-security compliance)")
    CHAMBER = "chamber", _("Chamber of commerce certificate")
    ANTIMAFIA = "antimafia", _("Anti-mafia declaration")
    ID = "id", _("Legal representative's identity document")
    OTHER = "other", _("Other")


def stage_of(year_founded: int | None, today: dt.date | None = None) -> str:
    """The development stage of an organisation, from its founding year: no year is an idea,
    under 3 years a start-up, under 10 growth, then consolidation."""
    if not year_founded:
        return Stage.IDEA
    age = (today or timezone.localdate()).year - year_founded
    if age < 3:
        return Stage.STARTUP
    if age < 10:
        return Stage.GROWTH
    return Stage.CONSOLIDATION


def size_of(workers: int | None) -> str | None:
    if workers is None:
        return None
    if workers < 10:
        return Size.MICRO
    if workers < 50:
        return Size.SMALL
    if workers < 250:
        return Size.MEDIUM
    return Size.LARGE


class Programme(models.Model):
    """A funding programme of an EU, national, regional, metropolitan or municipal body, a
    foundation or a bank; it opens calls."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    funder_name = models.CharField(_("funder"), max_length=255)
    funder = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("funder's organisation on PES"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="funding_programmes",
        help_text=_("Its members review the applications to the programme's calls."),
    )
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (€)"), max_digits=14, decimal_places=2)
    url = models.URLField(_("web page"), blank=True)
    actions = models.ManyToManyField(
        "plan.Action", verbose_name=_("actions of the Plan"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="finance_programme_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Call(models.Model):
    """A call for applications of a programme, with its eligibility rules."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="calls"
    )
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    description = models.TextField(_("description"))
    instrument = models.CharField(_("instrument"), max_length=24, choices=Instrument.choices)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateTimeField(_("deadline"))
    budget = models.DecimalField(_("budget (€)"), max_digits=14, decimal_places=2)
    min_amount = models.DecimalField(
        _("minimum per project (€)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    max_amount = models.DecimalField(_("maximum per project (€)"), max_digits=14, decimal_places=2)
    co_financing_pct = models.DecimalField(
        _("co-financing required (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    legal_forms = models.ManyToManyField(
        "registry.LegalForm",
        verbose_name=_("eligible legal forms"),
        blank=True,
        related_name="+",
        help_text=_("None: every legal form."),
    )
    activities = models.ManyToManyField(
        "registry.Activity",
        verbose_name=_("eligible activities"),
        blank=True,
        related_name="+",
        help_text=_("None: every activity."),
    )
    municipalities = models.ManyToManyField(
        "territory.Municipality",
        verbose_name=_("eligible municipalities"),
        blank=True,
        related_name="+",
        help_text=_("None: the whole metropolitan area."),
    )
    stages = models.JSONField(_("development stages"), default=list, blank=True)
    sizes = models.JSONField(_("sizes"), default=list, blank=True)
    required_documents = models.JSONField(_("documents required"), default=list, blank=True)
    actions = models.ManyToManyField(
        "plan.Action", verbose_name=_("actions of the Plan"), blank=True, related_name="+"
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(min_amount__gte=0) & Q(max_amount__gte=0),
                name="finance_call_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__lte=F("max_amount")),
                name="finance_call_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(co_financing_pct__gte=0) & Q(co_financing_pct__lte=100),
                name="finance_call_co_financing_is_a_percentage",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "deadline"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("finance:call", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() and self.deadline > timezone.now()

    @property
    def days_left(self) -> int:
        return (timezone.localtime(self.deadline).date() - timezone.localdate()).days

    def required_document_labels(self) -> list[str]:
        labels = dict(DocumentKind.choices)
        return [str(labels.get(k, k)) for k in self.required_documents]

    def stage_labels(self) -> list[str]:
        labels = dict(Stage.choices)
        return [str(labels.get(k, k)) for k in self.stages]

    def size_labels(self) -> list[str]:
        labels = dict(Size.choices)
        return [str(labels.get(k, k)) for k in self.sizes]


class FinancialProduct(models.Model):
    """A financial product offered by a bank, a foundation, a fund or a public body."""

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Instrument.choices)
    provider_kind = models.CharField(
        _("kind of provider"), max_length=12, choices=ProviderKind.choices
    )
    provider_name = models.CharField(_("provider"), max_length=255)
    stages = models.JSONField(_("development stages"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    min_amount = models.DecimalField(
        _("minimum (€)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    max_amount = models.DecimalField(_("maximum (€)"), max_digits=14, decimal_places=2)
    rate_pct = models.DecimalField(
        _("interest or guarantee rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    url = models.URLField(_("web page"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("financial product")
        verbose_name_plural = _("financial products")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount__gte=0)
                & Q(max_amount__gte=F("min_amount"))
                & (Q(rate_pct__isnull=True) | Q(rate_pct__gte=0)),
                name="finance_product_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def stage_labels(self) -> list[str]:
        labels = dict(Stage.choices)
        return [str(labels.get(k, k)) for k in self.stages]


def wallet_upload_to(instance: WalletDocument, filename: str) -> str:
    return f"finance/wallet/{instance.organization_id}/{filename}"


class WalletDocument(models.Model):
    """A document an organisation keeps once and attaches to any application."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="wallet_documents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=wallet_upload_to, max_length=255)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "-issued_on"]
        verbose_name = _("wallet document")
        verbose_name_plural = _("wallet documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="finance_document_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def is_expired(self, on: dt.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (on or timezone.localdate())

    @property
    def expired(self) -> bool:
        return self.is_expired()

    @property
    def expiring_soon(self) -> bool:
        if self.expires_on is None or self.expired:
            return False
        return (self.expires_on - timezone.localdate()).days <= EXPIRY_WARNING_DAYS


class Application(models.Model):
    """An organisation's application to a call, with its registry profile as it was sent."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
        CHANGES_REQUESTED = "changes", pgettext_lazy("application status", "Changes requested")
        APPROVED = "approved", pgettext_lazy("application status", "Approved")
        REJECTED = "rejected", pgettext_lazy("application status", "Rejected")

    DECIDED = (Status.APPROVED, Status.REJECTED)

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="funding_applications",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    project_title = models.CharField(_("project title"), max_length=255)
    summary = models.TextField(_("project summary"))
    amount_requested = models.DecimalField(
        _("amount requested (€)"), max_digits=14, decimal_places=2
    )
    profile = models.JSONField(_("organisation profile as sent"), default=dict)
    prefilled_fields = models.PositiveSmallIntegerField(_("fields pre-filled"), default=0)
    total_fields = models.PositiveSmallIntegerField(_("fields in the form"), default=1)
    documents = models.ManyToManyField(
        WalletDocument, verbose_name=_("documents"), blank=True, related_name="applications"
    )
    review_note = models.TextField(_("note of the reviewer"), blank=True)
    amount_granted = models.DecimalField(
        _("amount granted (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organization"], name="finance_one_application_per_call"
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0)
                & (Q(amount_granted__isnull=True) | Q(amount_granted__gte=0)),
                name="finance_application_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(amount_granted__isnull=False) & Q(decided_at__isnull=False)),
                name="finance_approved_has_amount_and_date",
            ),
            models.CheckConstraint(
                condition=Q(prefilled_fields__lte=F("total_fields")),
                name="finance_prefilled_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.call}"

    def get_absolute_url(self) -> str:
        return reverse("finance:application", kwargs={"pk": self.pk})

    @property
    def prefilled_pct(self) -> int:
        return round(100 * self.prefilled_fields / self.total_fields) if self.total_fields else 0

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED

    @property
    def days_to_decision(self) -> int | None:
        if self.decided_at is None:
            return None
        return (self.decided_at - self.submitted_at).days


class DeadlineAlert(models.Model):
    """A deadline alert sent to an organisation about a call (sent once)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organization"], name="finance_one_alert_per_call"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.organization_id}"


class ImpactCase(models.Model):
    """A social impact investing case, in Italy or elsewhere, with structured fields."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    country = models.CharField(_("country"), max_length=80)
    territory = models.CharField(_("territory"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=120)
    year_launched = models.PositiveSmallIntegerField(_("year launched"))
    instrument = models.CharField(
        _("instrument"),
        max_length=24,
        choices=Instrument.choices,
        default=Instrument.SOCIAL_IMPACT_BOND,
    )
    outcome_metrics = models.TextField(_("outcome metrics"))
    outcome_payer = models.CharField(_("outcome payer"), max_length=255)
    investors = models.TextField(_("investors"))
    capital = models.DecimalField(_("capital raised (€)"), max_digits=14, decimal_places=2)
    maturity_years = models.DecimalField(_("maturity (years)"), max_digits=4, decimal_places=1)
    max_return_pct = models.DecimalField(
        _("maximum return (% a year)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    results = models.TextField(_("results"), blank=True)
    source_url = models.URLField(_("source"), blank=True)

    class Meta:
        ordering = ["-year_launched", "title"]
        verbose_name = _("social impact investing case")
        verbose_name_plural = _("social impact investing cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(capital__gte=0) & Q(maturity_years__gt=0),
                name="finance_case_capital_and_maturity_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("finance:case", kwargs={"slug": self.slug})
