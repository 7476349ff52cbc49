"""Incubation and acceleration (Mission 3: community cooperatives; Mission 2: co-designed
services): calls, applications with a business model canvas, evaluation by weighted criteria
after a declaration of conflicts of interest, cohorts of admitted projects with milestones,
mentoring and grants paid in tranches, and the outcomes collected by follow-up reports.

Invariants are database constraints where a row can check them (amounts not negative, a
score within its criterion's range, jobs for fragile people not above jobs created, one
score per evaluator and criterion); the rules that span rows (tranches within the grant,
grants within the call's budget, no score after a declared conflict) are checked by the
services under a row lock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PromoterKind(models.TextChoices):
    PUBLIC = "public", _("Public body")
    FOUNDATION = "foundation", _("Foundation")
    INCUBATOR = "incubator", _("Incubator")
    OTHER = "other", _("Other promoter")


class Target(models.TextChoices):
    COMMUNITY_COOPERATIVES = "community_coops", _("Community cooperatives")
    SOCIAL_ENTERPRISES = "social_enterprises", _("Social enterprises")
    NETWORKS = "networks", _("Networks of social-economy organisations")


class Mission(models.IntegerChoices):
    WORK = 2, _("Mission 2: co-designed services")
    WELFARE = 3, _("Mission 3: community cooperatives")


#: The nine blocks of a business model canvas, in the order they are usually filled in.
CANVAS_BLOCKS: list[tuple[str, Any]] = [
    ("customer_segments", _("Customer segments")),
    ("value_proposition", _("Value proposition")),
    ("channels", _("Channels")),
    ("customer_relationships", _("Customer relationships")),
    ("revenue_streams", _("Revenue streams")),
    ("key_resources", _("Key resources")),
    ("key_activities", _("Key activities")),
    ("key_partners", _("Key partners")),
    ("cost_structure", _("Cost structure")),
]
CANVAS_KEYS = [key for key, _label in CANVAS_BLOCKS]


class Call(models.Model):
    """A call for incubation or acceleration: who promotes it, whom it targets, where, who
    is eligible, its phases, grant budget, evaluation criteria and documents required."""

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    description = models.TextField(_("description"))
    mission = models.PositiveSmallIntegerField(
        _("mission of the Plan"), choices=Mission.choices, default=Mission.WELFARE
    )
    promoter_kind = models.CharField(
        _("kind of promoter"), max_length=12, choices=PromoterKind.choices
    )
    promoter_name = models.CharField(_("promoter"), max_length=255)
    promoter = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("promoter's organisation on PES"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubation_calls",
    )
    targets = models.JSONField(_("targets"), default=list, blank=True)
    municipalities = models.ManyToManyField(
        "territory.Municipality",
        verbose_name=_("territory"),
        blank=True,
        related_name="+",
        help_text=_("None: the whole metropolitan area."),
    )
    legal_forms = models.ManyToManyField(
        "registry.LegalForm",
        verbose_name=_("eligible legal forms"),
        blank=True,
        related_name="+",
        help_text=_("None: every legal form."),
    )
    accepts_teams = models.BooleanField(
        _("informal teams may apply"),
        default=True,
        help_text=_("A team that is not yet an organisation applies through its team lead."),
    )
    eligibility = models.TextField(_("other eligibility rules"), blank=True)
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateTimeField(_("deadline for applications"))
    budget = models.DecimalField(_("grant budget (€)"), max_digits=14, decimal_places=2)
    max_grant = models.DecimalField(
        _("maximum grant per project (€)"), max_digits=14, decimal_places=2
    )
    required_documents = models.JSONField(_("documents required"), default=list, blank=True)
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (points out of 100)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(20),
        help_text=_("Applications whose evaluators' totals differ by more are flagged."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    evaluators: models.ManyToManyField[Any, EvaluatorAssignment] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluators"),
        through="EvaluatorAssignment",
        blank=True,
        related_name="incubation_calls_to_evaluate",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "title"]
        verbose_name = _("incubation call")
        verbose_name_plural = _("incubation calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(max_grant__gte=0),
                name="incubation_call_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_grant__lte=F("budget")),
                name="incubation_call_max_grant_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(disagreement_threshold__gt=0) & Q(disagreement_threshold__lte=100),
                name="incubation_call_threshold_in_range",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "deadline"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incubation:call", kwargs={"slug": self.slug})

    @property
    def is_open(self) -> bool:
        return self.opens_on <= timezone.localdate() and self.deadline > timezone.now()

    def target_labels(self) -> list[str]:
        labels = dict(Target.choices)
        return [str(labels.get(k, k)) for k in self.targets]


class Phase(models.Model):
    """A phase of a call's programme (applications, evaluation, incubation, acceleration…)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("phase"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="incubation_phase_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """An evaluation criterion of a call: a weight and the range of its scores."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what evaluators look at"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(max_score__gt=0),
                name="incubation_criterion_weight_and_range_positive",
            ),
            models.UniqueConstraint(fields=["call", "name"], name="incubation_criterion_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluatorAssignment(models.Model):
    """A user asked to evaluate a call's applications: governance, an operator, or an
    external expert (any signed-up user) given the role for this call only."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluator"),
        on_delete=models.CASCADE,
        related_name="incubation_assignments",
    )
    is_external = models.BooleanField(_("external expert"), default=False)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluator assignment")
        verbose_name_plural = _("evaluator assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "evaluator"], name="incubation_one_assignment_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} → {self.call}"


class Application(models.Model):
    """An application by an organisation, or by an informal team through its lead."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("application status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
        ADMITTED = "admitted", pgettext_lazy("application status", "Admitted")
        NOT_ADMITTED = "not_admitted", pgettext_lazy("application status", "Not admitted")

    DECIDED = (Status.ADMITTED, Status.NOT_ADMITTED)

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubation_applications",
    )
    team_name = models.CharField(_("team name"), max_length=200, blank=True)
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.PROTECT,
        related_name="incubation_applications",
    )
    team_members = models.TextField(
        _("team members"),
        blank=True,
        help_text=_("One per line: name and role in the project."),
    )
    title = models.CharField(_("project title"), max_length=200)
    idea = models.TextField(_("the idea"), blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community_served = models.TextField(_("community served"), blank=True)
    canvas = models.JSONField(_("business model canvas"), default=dict, blank=True)
    budget_total = models.DecimalField(
        _("total budget (€)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    grant_requested = models.DecimalField(
        _("grant requested (€)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    expected_jobs = models.PositiveSmallIntegerField(_("jobs expected"), default=0)
    expected_jobs_fragile = models.PositiveSmallIntegerField(
        _("of which for fragile people"), default=0
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
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
        ordering = ["-submitted_at", "-created_at"]
        verbose_name = _("incubation application")
        verbose_name_plural = _("incubation applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(team_name=""),
                name="incubation_application_has_applicant",
            ),
            models.UniqueConstraint(
                fields=["call", "organization"],
                condition=Q(organization__isnull=False),
                name="incubation_one_application_per_organization",
            ),
            models.UniqueConstraint(
                fields=["call", "team_lead"],
                condition=Q(organization__isnull=True),
                name="incubation_one_team_application_per_lead",
            ),
            models.CheckConstraint(
                condition=Q(budget_total__gte=0)
                & Q(grant_requested__gte=0)
                & Q(grant_requested__lte=F("budget_total")),
                name="incubation_application_grant_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(expected_jobs_fragile__lte=F("expected_jobs")),
                name="incubation_application_fragile_within_jobs",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="incubation_application_sent_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["admitted", "not_admitted"])
                | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="incubation_decision_has_date_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return f"{self.applicant_name}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incubation:application", kwargs={"pk": self.pk})

    @property
    def applicant_name(self) -> str:
        if self.organization_id is not None:
            return self.organization.name  # type: ignore[union-attr]
        return self.team_name

    @property
    def is_team(self) -> bool:
        return self.organization_id is None

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED

    def canvas_blocks(self) -> list[tuple[str, str]]:
        return [(str(label), self.canvas.get(key, "")) for key, label in CANVAS_BLOCKS]


class ConflictDeclaration(models.Model):
    """An evaluator's declaration about an application, before seeing or scoring it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="declarations"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "evaluator"], name="incubation_one_declaration"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} / {self.application_id}: {self.has_conflict}"


class Score(models.Model):
    """An evaluator's score of an application on one criterion. The criterion's range is
    copied on the row so that the database can check the score against it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("highest score"))
    comment = models.TextField(_("comment"), blank=True)
    scored_at = models.DateTimeField(_("scored"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "evaluator", "criterion"], name="incubation_one_score"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=F("max_score")),
                name="incubation_score_within_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class Cohort(models.Model):
    """The admitted projects of a call that go through the programme together."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="incubation_cohort_ends_after_start"
            ),
            models.UniqueConstraint(fields=["call", "name"], name="incubation_cohort_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incubation:cohort", kwargs={"pk": self.pk})


class Project(models.Model):
    """An admitted application in a cohort, with its grant."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="project"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="projects")
    grant = models.DecimalField(_("grant (€)"), max_digits=12, decimal_places=2, default=Decimal(0))
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubation_mentored",
    )
    in_showcase = models.BooleanField(
        _("shown in the public showcase"),
        default=True,
        help_text=_("The team may withdraw its project from the showcase."),
    )
    created_at = models.DateTimeField(_("admitted"), auto_now_add=True)

    class Meta:
        ordering = ["cohort", "application__title"]
        verbose_name = _("incubated project")
        verbose_name_plural = _("incubated projects")
        constraints = [
            models.CheckConstraint(condition=Q(grant__gte=0), name="incubation_grant_not_negative")
        ]

    def __str__(self) -> str:
        return self.application.title

    def get_absolute_url(self) -> str:
        return reverse("incubation:project", kwargs={"pk": self.pk})


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title

    @property
    def is_reached(self) -> bool:
        return self.reached_on is not None


class Tranche(models.Model):
    """A part of a project's grant, tied to a milestone; paid once the milestone is reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tranches")
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tranches",
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="incubation_tranche_positive"),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | ~Q(payment_reference=""),
                name="incubation_paid_tranche_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} €"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class MentoringSession(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sessions")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    topics = models.TextField(_("topics"))

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=12), name="incubation_session_hours_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on}: {self.hours} h"


class FollowUp(models.Model):
    """What a project became, reported by its team at the end of the programme and one and
    three years later. Jobs for fragile people are a count only: no personal data."""

    class Period(models.IntegerChoices):
        END = 0, _("End of the programme")
        YEAR_1 = 12, _("One year later")
        YEAR_3 = 36, _("Three years later")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups")
    period = models.PositiveSmallIntegerField(_("when"), choices=Period.choices)
    is_active = models.BooleanField(_("the project is still active"), default=True)
    incorporated = models.BooleanField(_("incorporated as an organisation"), default=False)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation on PES"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    jobs_created = models.PositiveIntegerField(_("jobs created"), default=0)
    jobs_fragile = models.PositiveIntegerField(_("of which for fragile people"), default=0)
    revenue = models.DecimalField(
        _("revenue in the last year (€)"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    note = models.TextField(_("note"), blank=True)
    reported_at = models.DateTimeField(_("reported"), auto_now=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "period"]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="incubation_one_follow_up"),
            models.CheckConstraint(
                condition=Q(jobs_fragile__lte=F("jobs_created")),
                name="incubation_follow_up_fragile_within_jobs",
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0), name="incubation_follow_up_revenue_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.period}"
