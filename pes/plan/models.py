from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Weighting(models.TextChoices):
    """How the children of a level weigh in its progress."""

    EQUAL = "equal", _("equally")
    BUDGET = "budget", _("by budget")
    EXPLICIT = "explicit", _("by explicit weights")


class RolledUp(models.Model):
    """Progress and money of a level, rolled up from its initiatives and stored
    (``pes.plan.rollup``): pages read these columns instead of every initiative. They are
    recomputed in the same transaction as every write that changes them."""

    rollup_progress = models.DecimalField(
        _("physical progress"), max_digits=5, decimal_places=1, null=True, editable=False
    )
    rollup_committed = models.DecimalField(
        _("committed"), max_digits=16, decimal_places=2, default=Decimal(0), editable=False
    )
    rollup_public_committed = models.DecimalField(
        _("public funding committed"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        editable=False,
    )
    rollup_public_spent = models.DecimalField(
        _("public funding paid"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        editable=False,
    )
    rollup_count = models.PositiveIntegerField(_("initiatives"), default=0, editable=False)

    class Meta:
        abstract = True


class Plan(RolledUp):
    """The Piano metropolitano dell'economia sociale (one row; kept as a model for history)."""

    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    focus_start_year = models.PositiveSmallIntegerField(_("focus: first year"))
    focus_end_year = models.PositiveSmallIntegerField(_("focus: last year"))
    weighting = models.CharField(
        _("missions weigh"), max_length=10, choices=Weighting.choices, default=Weighting.EQUAL
    )
    # A random token changed by every write to the Plan's monitoring data: a cache key.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_year}–{self.end_year}"


class Mission(RolledUp):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("thematic")
        TRANSVERSAL = "transversal", _("transversal")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="missions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=Decimal(1))
    weighting = models.CharField(
        _("actions weigh"), max_length=10, choices=Weighting.choices, default=Weighting.EQUAL
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="mission_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plan:mission", kwargs={"number": self.number})


class StrategicDirection(models.Model):
    """Strategic direction (*linea di indirizzo*) grouping actions within a mission."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="directions")
    number = models.PositiveSmallIntegerField(_("number within the mission"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["mission__number", "number"]
        verbose_name = _("strategic direction")
        verbose_name_plural = _("strategic directions")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="direction_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.mission.number}.{self.number} {self.title}"


class Action(RolledUp):
    """A measure of the Plan, with the full Italian text of the seed."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="actions")
    direction = models.ForeignKey(
        StrategicDirection,
        verbose_name=_("strategic direction"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    number = models.PositiveSmallIntegerField(_("number within the mission"))
    title = models.CharField(_("short title"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=Decimal(1))
    weighting = models.CharField(
        _("initiatives weigh"), max_length=10, choices=Weighting.choices, default=Weighting.EQUAL
    )

    class Meta:
        ordering = ["mission__number", "number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="action_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("plan:action", kwargs={"pk": self.pk})

    @property
    def code(self) -> str:
        return f"{self.mission.number}.{self.number}"

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        words = self.text.split()
        return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


class InitiativeStatus(models.Model):
    """A configurable status, each with the progress it implies unless overridden."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    default_progress = models.DecimalField(
        _("default progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("initiative status")
        verbose_name_plural = _("initiative statuses")

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """A project that carries out an action of the Plan."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.PROTECT, related_name="initiatives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent initiative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_initiatives",
    )
    status = models.ForeignKey(
        InitiativeStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    progress_override = models.DecimalField(
        _("progress override (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    municipalities = models.ManyToManyField(
        "territory.Municipality",
        verbose_name=_("municipalities covered"),
        blank=True,
        related_name="initiatives",
    )
    cup = models.CharField(_("CUP"), max_length=15, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=Decimal(1))
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    # Denormalised for dashboards; kept by services on every write.
    committed_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    public_committed_total = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal(0)
    )
    public_spent_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="initiative_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_override__isnull=True)
                | models.Q(progress_override__gte=0, progress_override__lte=100),
                name="initiative_progress_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["action", "status"], name="initiative_action_status"),
            # The list's order: its first page without sorting every initiative.
            models.Index(fields=["title", "id"], name="initiative_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan:initiative", kwargs={"slug": self.slug})

    def progress(self) -> Decimal | None:
        """The override if set, else the status's default progress."""
        if self.progress_override is not None:
            return self.progress_override
        return self.status.default_progress

    def financial_progress(self) -> Decimal | None:
        """Paid ÷ committed public funding, in percent (as OpenCoesione shows it)."""
        if not self.public_committed_total:
            return None
        return (self.public_spent_total * 100 / self.public_committed_total).quantize(
            Decimal("0.1")
        )


class Partner(models.Model):
    class Role(models.TextChoices):
        CO_PROPONENT = "co_proponent", _("co-proponent")
        PARTNER = "partner", _("partner")
        FUNDER = "funder", _("funder")
        BANK = "bank", _("bank")
        FOUNDATION = "foundation", _("foundation")
        PUBLIC_ADMINISTRATION = "public_administration", _("public administration")
        UNIVERSITY = "university", _("university or research")
        OTHER = "other", _("other")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organization", "role"], name="partner_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class TimelineEntry(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="timeline")
    date = models.DateField(_("date"))
    text = models.TextField(_("text"))
    progress = models.DecimalField(
        _("progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"


class FundingSource(models.TextChoices):
    EU = "eu", _("European Union")
    NATIONAL = "national", _("national")
    REGIONAL = "regional", _("regional")
    METROPOLITAN = "metropolitan", _("metropolitan")
    MUNICIPAL = "municipal", _("municipal")
    FOUNDATION = "foundation", _("foundation")
    BANK = "bank", _("bank")
    OWN = "own", _("own funds")
    PRIVATE = "private", _("private")


PUBLIC_SOURCES = {
    FundingSource.EU,
    FundingSource.NATIONAL,
    FundingSource.REGIONAL,
    FundingSource.METROPOLITAN,
    FundingSource.MUNICIPAL,
}


class BudgetLine(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="budget")
    source = models.CharField(_("funding source"), max_length=14, choices=FundingSource.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    committed = models.DecimalField(
        _("committed (€)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    spent = models.DecimalField(
        _("spent (€)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(committed__gte=0, spent__gte=0), name="budget_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.committed} €"

    @property
    def is_public(self) -> bool:
        return self.source in PUBLIC_SOURCES


class Indicator(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", _("higher is better")
        DECREASE = "decrease", _("lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        SEMESTER = "semester", _("every six months")
        YEARLY = "yearly", _("yearly")

    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=40)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.DecimalField(
        _("baseline value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.SEMESTER,
    )
    by_municipality = models.BooleanField(_("broken down by municipality"), default=False)
    by_gender = models.BooleanField(_("broken down by gender"), default=False)
    # The last point of the series (``IndicatorPoint``), kept by ``indicator_points_refresh``.
    latest_date = models.DateField(_("latest date"), null=True, blank=True, editable=False)
    latest_value = models.DecimalField(
        _("latest value"), max_digits=20, decimal_places=4, null=True, blank=True, editable=False
    )
    # Its progress category (``pes.plan.progress.Status``) from baseline, latest value and
    # targets, kept with them: the dashboard lists the off-track ones without reading all.
    status = models.CharField(
        _("status"), max_length=16, default="not_available", editable=False, db_index=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__isnull=False, initiative__isnull=True)
                | models.Q(action__isnull=True, initiative__isnull=False),
                name="indicator_on_action_or_initiative",
            ),
            models.UniqueConstraint(fields=["code"], name="indicator_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("plan:indicator", kwargs={"code": self.code})


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target value"), max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class Gender(models.TextChoices):
    FEMALE = "F", _("women")
    MALE = "M", _("men")
    OTHER = "X", _("other or not stated")


class ReportingPeriod(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    due_date = models.DateField(_("reports due by"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_dates_ordered"
            ),
            models.UniqueConstraint(fields=["plan", "start"], name="period_start_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Report(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("sent back")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    status = models.ForeignKey(
        InitiativeStatus,
        verbose_name=_("status of the initiative"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    progress = models.DecimalField(
        _("progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    narrative = models.TextField(_("what was done"))
    spent = models.DecimalField(
        _("spent in the period (€)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comments"), blank=True)

    class Meta:
        ordering = ["-period__start", "initiative__title"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "period"], name="report_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} — {self.period}"


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="measurements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        indexes = [models.Index(fields=["indicator", "date"], name="measurement_series")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.date}: {self.value}"


class IndicatorPoint(models.Model):
    """One point of an indicator's series: its measurements of one date aggregated (the value
    with no breakdown, else the sum of the breakdowns). Derived data, rebuilt from
    ``Measurement`` by ``pes.plan.rollup.indicator_points_refresh`` on every write, so that
    charts and statuses read one row per date instead of every measurement."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="points")
    date = models.DateField(_("date"))
    headline = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    parts = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    measurements = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("indicator point")
        verbose_name_plural = _("indicator points")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "date"], name="indicator_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.date}"

    @property
    def value(self) -> Decimal | None:
        return self.headline if self.headline is not None else self.parts


class ReportReminder(models.Model):
    """A reminder e-mailed to the lead of an initiative whose report for a period is overdue;
    recorded so that each (initiative, period) is reminded once."""

    initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        related_name="report_reminders",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "period"], name="report_reminder_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} — {self.period}"
