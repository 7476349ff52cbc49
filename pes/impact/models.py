"""Impact evaluation (Mission 5): theories of change, a curated indicator library with a shared
core set, methods and yearly data-collection campaigns with stakeholder surveys by tokenised
link, SROI analyses with an editable proxy table, and guided reports along the phases of the
Italian guidelines for social impact evaluation (DM 23 July 2019).

Invariants are database constraints: a theory of change points at exactly the record its
subject names, percentages are between 0 and 100, a duration is at least one year, a proxy
has a source, an answer is given once per indicator, a survey token is unique.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PCT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}


def _pct_between(name: str, constraint: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 0}) & Q(**{f"{name}__lte": 100}), name=constraint
    )


# ----------------------------------------------------------------------------- theory of change


class Subject(models.TextChoices):
    INITIATIVE = "initiative", _("Initiative of the Plan")
    CONTRACT = "contract", _("Procurement contract")
    ORGANIZATION = "organization", _("Organisation")
    PROGRAMME = "programme", _("Programme")


#: The sections of a theory of change, in the order of the chain (and of the editing steps).
TOC_SECTIONS = [
    ("needs", _("Needs")),
    ("stakeholders", _("Stakeholders")),
    ("inputs", _("Inputs")),
    ("activities", _("Activities")),
    ("outputs", _("Outputs")),
    ("outcomes", _("Outcomes")),
    ("impact", _("Impact")),
    ("assumptions", _("Assumptions")),
]
TOC_HELP = {
    "needs": _("The problems or needs of the territory the project answers, one per line."),
    "stakeholders": _("Who takes part or is affected: people, organisations, one per line."),
    "inputs": _("Resources used: money, staff, volunteers, spaces, one per line."),
    "activities": _("What is done with the inputs, one per line."),
    "outputs": _("What the activities directly produce, countable, one per line."),
    "outcomes": _("The changes for the stakeholders, one per line."),
    "impact": _("The long-term change in the territory the outcomes contribute to."),
    "assumptions": _("What must hold for the chain to work, one per line."),
}


class Theory(models.Model):
    """A theory of change of an initiative, a contract, an organisation or a programme."""

    title = models.CharField(_("title"), max_length=255)
    subject = models.CharField(_("subject"), max_length=14, choices=Subject.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_theories",
        help_text=_("The organisation that keeps it; its members edit it."),
    )
    initiative = models.ForeignKey(
        "plan.Initiative",
        verbose_name=_("initiative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contract = models.ForeignKey(
        "procurement.Contract",
        verbose_name=_("contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    programme = models.CharField(_("programme"), max_length=255, blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    needs = models.TextField(_("needs"), blank=True)
    stakeholders = models.TextField(_("stakeholders"), blank=True)
    inputs = models.TextField(_("inputs"), blank=True)
    activities = models.TextField(_("activities"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("theory of change")
        verbose_name_plural = _("theories of change")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="initiative", initiative__isnull=False)
                    | Q(subject="contract", contract__isnull=False)
                    | Q(subject="organization", organization__isnull=False)
                    | (Q(subject="programme") & ~Q(programme=""))
                ),
                name="impact_theory_subject_given",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:theory", kwargs={"pk": self.pk})

    def items(self, section: str) -> list[str]:
        return [line.strip(" -•\t") for line in getattr(self, section).splitlines() if line.strip()]

    def chain(self) -> list[tuple[str, str, list[str]]]:
        return [(key, str(label), self.items(key)) for key, label in TOC_SECTIONS]

    def subject_label(self) -> str:
        if self.subject == Subject.INITIATIVE and self.initiative:
            return str(self.initiative)
        if self.subject == Subject.CONTRACT and self.contract:
            return str(self.contract)
        if self.subject == Subject.ORGANIZATION and self.organization:
            return str(self.organization)
        return self.programme


# ----------------------------------------------------------------------------- indicators


class DataType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    PERCENTAGE = "percentage", _("Percentage (0–100)")
    MONEY = "money", _("Amount in euros")
    BOOLEAN = "boolean", _("Yes / no")
    TEXT = "text", _("Text")
    GENDER_COUNT = "gender_count", _("Count by gender")


NUMERIC_TYPES = {DataType.INTEGER, DataType.DECIMAL, DataType.PERCENTAGE, DataType.MONEY}


class Indicator(models.Model):
    """An indicator of the library: curated ones (no organisation) or added by an
    organisation. The core set is answered by every method, so results aggregate."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=60)
    data_type = models.CharField(_("data type"), max_length=14, choices=DataType.choices)
    theme = models.CharField(_("theme"), max_length=60, blank=True)
    sdg_target = models.CharField(
        _("SDG target"), max_length=10, blank=True, help_text=_("For example 8.5.")
    )
    iris_id = models.CharField(
        _("IRIS+ metric id"),
        max_length=10,
        blank=True,
        help_text=_("Only where an equivalent IRIS+ metric exists, for example PI4060."),
    )
    is_core = models.BooleanField(_("core set"), default=False)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("added by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_indicators",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-is_core", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_core=False) | Q(organization__isnull=True),
                name="impact_indicator_core_is_curated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_curated(self) -> bool:
        return self.organization_id is None


# ----------------------------------------------------------------------------- proxies


class Proxy(models.Model):
    """A financial proxy: euros per unit of an outcome, always with its source."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=60)
    euro_per_unit = models.DecimalField(_("€ per unit"), max_digits=12, decimal_places=2)
    source = models.TextField(_("source"))
    source_url = models.URLField(_("source address"), blank=True)
    year = models.PositiveSmallIntegerField(_("year of the figure"), null=True, blank=True)
    to_check = models.BooleanField(
        _("to be checked"),
        default=False,
        help_text=_("The value is an estimate or may be out of date: check it before use."),
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("added by"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_proxies",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("financial proxy")
        verbose_name_plural = _("financial proxies")
        constraints = [
            models.CheckConstraint(
                condition=Q(euro_per_unit__gte=0), name="impact_proxy_not_negative"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="impact_proxy_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.euro_per_unit} €/{self.unit})"


# ----------------------------------------------------------------------------- methods, campaigns


class Unit(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    PROJECT = "project", _("Project")


class Method(models.Model):
    """A versioned set of indicators for a unit of analysis. A new version is a new row with
    the same slug; campaigns keep the version they were run with."""

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=120)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    unit = models.CharField(_("unit of analysis"), max_length=12, choices=Unit.choices)
    description = models.TextField(_("description"), blank=True)
    indicators: models.ManyToManyField[Indicator, MethodIndicator] = models.ManyToManyField(
        Indicator, through="MethodIndicator", related_name="methods", verbose_name=_("indicators")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="impact_method_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="impact_method_version_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("impact:method", kwargs={"pk": self.pk})


class MethodIndicator(models.Model):
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("indicator of a method")
        verbose_name_plural = _("indicators of a method")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "indicator"], name="impact_method_indicator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} — {self.indicator.code}"


class Campaign(models.Model):
    """A year's data collection: a set of organisations or projects answers a method."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        VALIDATED = "validated", _("Validated")

    method = models.ForeignKey(
        Method, verbose_name=_("method"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closes_on = models.DateField(_("answers due by"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="impact_campaign_year"
            ),
            models.UniqueConstraint(
                fields=["method", "year", "title"], name="impact_campaign_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("impact:campaign", kwargs={"pk": self.pk})


class Participant(models.Model):
    """An organisation (or one of its projects) asked to answer a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="impact_participations",
    )
    project = models.CharField(_("project"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organization__name", "project"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization", "project"], name="impact_participant_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.project}".strip()

    def get_absolute_url(self) -> str:
        return reverse("impact:answer", kwargs={"pk": self.pk})


class Answer(models.Model):
    """One participant's value for one indicator; the column used follows the data type."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True)
    text = models.TextField(_("text"), blank=True)
    flag = models.BooleanField(_("yes / no"), null=True)
    women = models.PositiveIntegerField(_("women"), null=True)
    men = models.PositiveIntegerField(_("men"), null=True)
    other = models.PositiveIntegerField(_("other or not stated"), null=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["participant", "indicator__code"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["participant", "indicator"], name="impact_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.indicator.code}"

    def value(self) -> object:
        kind = self.indicator.data_type
        if kind == DataType.GENDER_COUNT:
            return (self.women or 0) + (self.men or 0) + (self.other or 0)
        if kind == DataType.BOOLEAN:
            return self.flag
        if kind == DataType.TEXT:
            return self.text
        return self.number


# ----------------------------------------------------------------------------- surveys


class Survey(models.Model):
    """A stakeholder survey of a campaign, answered by tokenised link without signing in."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="surveys")
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="surveys",
        help_text=_("Empty: a survey of the whole campaign."),
    )
    title = models.CharField(_("title"), max_length=255)
    introduction = models.TextField(_("introduction"), blank=True)
    stakeholder = models.CharField(_("stakeholders asked"), max_length=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:survey", kwargs={"pk": self.pk})


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        YES_NO = "yes_no", _("Yes / no")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class SurveyToken(models.Model):
    """A single-use link: a random token (``secrets``), an expiry, the time it was used."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        indexes = [models.Index(fields=["survey", "used_at"], name="impact_token_used")]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"

    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Response(models.Model):
    """An anonymous response: it is not linked to the token that allowed it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"


class ResponseItem(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="items")
    score = models.PositiveSmallIntegerField(null=True)
    flag = models.BooleanField(null=True)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=1) & Q(score__lte=5)),
                name="impact_item_score_1_5",
            ),
            models.UniqueConstraint(fields=["response", "question"], name="impact_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.response} — {self.question_id}"


# ----------------------------------------------------------------------------- SROI


class Sroi(models.Model):
    """A social return on investment analysis (forecast or evaluative)."""

    title = models.CharField(_("title"), max_length=255)
    theory = models.ForeignKey(
        Theory,
        verbose_name=_("theory of change"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="srois",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="impact_srois",
    )
    investment = models.DecimalField(_("investment (€)"), max_digits=14, decimal_places=2)
    discount_rate = models.DecimalField(
        _("discount rate (%)"), default=Decimal("3.5"), help_text=_("3.5% by default."), **PCT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SROI analysis")
        verbose_name_plural = _("SROI analyses")
        constraints = [
            models.CheckConstraint(condition=Q(investment__gt=0), name="impact_sroi_investment"),
            _pct_between("discount_rate", "impact_sroi_rate_0_100"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:sroi", kwargs={"pk": self.pk})


class Outcome(models.Model):
    """An outcome valued in an SROI analysis."""

    sroi = models.ForeignKey(Sroi, on_delete=models.CASCADE, related_name="outcomes")
    description = models.CharField(_("outcome"), max_length=255)
    stakeholder = models.CharField(_("stakeholder"), max_length=120)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    proxy = models.ForeignKey(
        Proxy,
        verbose_name=_("financial proxy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
    )
    value_per_unit = models.DecimalField(_("€ per unit"), max_digits=12, decimal_places=2)
    proxy_source = models.TextField(_("source of the value"))
    deadweight = models.DecimalField(_("deadweight (%)"), default=Decimal(0), **PCT)
    displacement = models.DecimalField(_("displacement (%)"), default=Decimal(0), **PCT)
    attribution = models.DecimalField(_("attribution to others (%)"), default=Decimal(0), **PCT)
    drop_off = models.DecimalField(_("drop-off per year (%)"), default=Decimal(0), **PCT)
    duration = models.PositiveSmallIntegerField(_("duration (years)"), default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SROI outcome")
        verbose_name_plural = _("SROI outcomes")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="impact_outcome_quantity"),
            models.CheckConstraint(condition=Q(value_per_unit__gte=0), name="impact_outcome_value"),
            models.CheckConstraint(
                condition=Q(duration__gte=1) & Q(duration__lte=50), name="impact_outcome_duration"
            ),
            models.CheckConstraint(condition=~Q(proxy_source=""), name="impact_outcome_source"),
            _pct_between("deadweight", "impact_outcome_deadweight"),
            _pct_between("displacement", "impact_outcome_displacement"),
            _pct_between("attribution", "impact_outcome_attribution"),
            _pct_between("drop_off", "impact_outcome_drop_off"),
        ]

    def __str__(self) -> str:
        return self.description


# ----------------------------------------------------------------------------- reports


#: The phases of the Italian guidelines (DM 23 July 2019), the steps of a report.
REPORT_PHASES = [
    ("context", _("Context and needs")),
    ("objectives", _("Objectives")),
    ("activities", _("Activities")),
    ("method", _("Method")),
    ("evaluation", _("Evaluation")),
    ("communication", _("Communication")),
]


class Report(models.Model):
    """An impact report of a theory of change, written phase by phase."""

    theory = models.ForeignKey(
        Theory, verbose_name=_("theory of change"), on_delete=models.CASCADE, related_name="reports"
    )
    title = models.CharField(_("title"), max_length=255)
    year = models.PositiveSmallIntegerField(_("year"))
    context = models.TextField(_("context and needs"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    activities = models.TextField(_("activities"), blank=True)
    method = models.TextField(_("method"), blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    communication = models.TextField(_("communication"), blank=True)
    sroi = models.ForeignKey(
        Sroi,
        verbose_name=_("SROI analysis"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    small_template = models.BooleanField(_("small administration template"), default=False)
    is_published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("impact report")
        verbose_name_plural = _("impact reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="impact_report_year"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("impact:report", kwargs={"pk": self.pk})

    def phases_done(self) -> int:
        return sum(1 for key, _label in REPORT_PHASES if getattr(self, key).strip())


class Measure(models.Model):
    """A value of an indicator for the project of a report: baseline, target and result."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="measures")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("result"), max_digits=16, decimal_places=4, null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    other = models.PositiveIntegerField(_("other or not stated"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="impact_measure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report} — {self.indicator.code}"
