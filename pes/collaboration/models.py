"""Collaboration (Mission 1 and the Plan's way of working): working tables with members from
every kind of organisation, meetings with decisions and action items, versioned documents,
proposals with support from organisations, co-programming and co-design procedures under
art. 55 CTS, and the register of collaborative-housing initiatives.

Invariants are database constraints: one support per organisation and proposal, one
expression of interest per body and procedure, a meeting ends after it starts and belongs to a
table, an action item is done only with a date, rents and units are never negative.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    MEMBERS = "members", _("members only")


class WorkingTable(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    purpose = models.TextField(_("purpose"))
    mission = models.ForeignKey(
        "plan.Mission",
        verbose_name=_("mission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_tables",
    )
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("action of the Plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="working_tables",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_tables",
    )
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("working table")
        verbose_name_plural = _("working tables")
        indexes = [models.Index(fields=["visibility", "title"], name="table_visibility_title")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:table", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class TableMember(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("coordinator")
        MEMBER = "member", _("member")
        SECRETARY = "secretary", _("secretary")
        OBSERVER = "observer", _("observer")
        EXPERT = "expert", _("expert")

    table = models.ForeignKey(
        WorkingTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="table_memberships",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="table_memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "id"]
        verbose_name = _("table member")
        verbose_name_plural = _("table members")
        constraints = [
            models.UniqueConstraint(fields=["table", "user"], name="table_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.organization})"


class Procedure(models.Model):
    """A co-programming or co-design procedure (art. 55 D.Lgs. 117/2017) run by a public
    administration with third-sector bodies: not a tender, no price competition."""

    class Kind(models.TextChoices):
        CO_PROGRAMMING = "co_programming", _("co-programming")
        CO_DESIGN = "co_design", _("co-design")

    class Stage(models.TextChoices):
        DRAFT = "draft", _("draft")
        NOTICE = "notice", _("public notice open")
        DESIGN = "design", _("design table at work")
        AGREED = "agreed", _("agreement reached")
        CLOSED = "closed", _("closed without agreement")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    administration = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("public administration"),
        on_delete=models.PROTECT,
        related_name="collaboration_procedures",
    )
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("action of the Plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collaboration_procedures",
    )
    subject = models.TextField(_("subject and aims"))
    eligibility = models.TextField(_("who may take part"), blank=True)
    requires_runts = models.BooleanField(
        _("only bodies registered in the RUNTS may take part"), default=True
    )
    deadline = models.DateField(_("deadline for expressions of interest"))
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.DRAFT)
    notice_published_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    design_table = models.OneToOneField(
        WorkingTable,
        verbose_name=_("design table"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="procedure",
    )
    agreement_text = models.TextField(_("agreement"), blank=True)
    agreement_budget = models.DecimalField(
        _("total budget (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    agreement_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True
    )
    agreed_at = models.DateTimeField(_("agreement reached"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("co-programming or co-design procedure")
        verbose_name_plural = _("co-programming and co-design procedures")
        constraints = [
            models.CheckConstraint(
                condition=Q(agreement_budget__isnull=True) | Q(agreement_budget__gte=0),
                name="procedure_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(stage="agreed")
                | (Q(agreed_at__isnull=False) & Q(agreement_budget__isnull=False)),
                name="procedure_agreed_has_agreement",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:procedure", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.stage != self.Stage.DRAFT

    @property
    def accepts_expressions(self) -> bool:
        return self.stage == self.Stage.NOTICE and timezone.localdate() <= self.deadline


class ProcedureStep(models.Model):
    """A published step of a procedure: the record the public sees."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="steps"
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Procedure.Stage.choices)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("published step")
        verbose_name_plural = _("published steps")

    def __str__(self) -> str:
        return f"{self.procedure} — {self.get_stage_display()}"


class ExpressionOfInterest(models.Model):
    class Eligibility(models.TextChoices):
        PENDING = "pending", _("to be checked")
        ELIGIBLE = "eligible", _("eligible")
        NOT_ELIGIBLE = "not_eligible", _("not eligible")

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="expressions",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="expressions_of_interest",
    )
    statement = models.TextField(_("what the body offers"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    eligibility = models.CharField(
        _("eligibility"), max_length=12, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_note = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "organization"], name="expression_one_per_body"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.procedure}"


class Contribution(models.Model):
    """What each party brings to the agreement of a procedure (money or valued in kind)."""

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.CASCADE,
        related_name="contributions",
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("contribution"), max_length=300)
    amount = models.DecimalField(_("value (€)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.amount} €"


class Meeting(models.Model):
    table = models.ForeignKey(
        WorkingTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    link = models.URLField(_("online link"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["table", "starts_at"], name="meeting_table_start")]

    def __str__(self) -> str:
        return f"{self.title} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("collaboration:meeting", kwargs={"pk": self.pk})


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        TableMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    present = models.BooleanField(_("present"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.meeting}"


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.CharField(_("what to do"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="collaboration_action_items",
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["done_at", "due_date"], name="action_item_open_due")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()


def document_upload_to(instance: DocumentVersion, filename: str) -> str:
    return f"collaboration/tables/{instance.document.table_id}/{instance.document_id}/{filename}"


class Document(models.Model):
    table = models.ForeignKey(
        WorkingTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:document", kwargs={"pk": self.pk})


class DocumentVersion(models.Model):
    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    filename = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class Proposal(models.Model):
    class Kind(models.TextChoices):
        POLICY = "policy", _("policy proposal")
        INSTRUMENT = "instrument", _("economic instrument")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        DISCUSSION = "discussion", _("under discussion")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")

    table = models.ForeignKey(
        WorkingTable, verbose_name=_("table"), on_delete=models.CASCADE, related_name="proposals"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    cost = models.DecimalField(
        _("estimated cost (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funders = models.CharField(_("who would fund it"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DISCUSSION
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="collaboration_proposals",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="collaboration_proposals",
    )
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("Plan action that carries it out"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    initiative = models.ForeignKey(
        "plan.Initiative",
        verbose_name=_("Plan initiative that carries it out"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="proposal_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(initiative__isnull=True) | Q(status="adopted"),
                name="proposal_initiative_only_when_adopted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("collaboration:proposal", kwargs={"pk": self.pk})


class ProposalComment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:80]


class ProposalSupport(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="supports"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organization"], name="support_one_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.proposal}"


class Tenure(models.TextChoices):
    RENT = "rent", _("rent")
    RENT_TO_BUY = "rent_to_buy", _("rent-to-buy")
    UNDIVIDED = "undivided", _("undivided cooperative ownership")
    TEMPORARY = "temporary", _("temporary housing")
    STUDENT = "student", _("student housing")


TARGET_GROUPS = [
    ("young", _("young people")),
    ("families", _("families with children")),
    ("elderly", _("older people")),
    ("students", _("students")),
    ("disabled", _("people with disabilities")),
    ("single_parents", _("single parents")),
    ("workers", _("workers moving for a job")),
    ("vulnerable", _("people in housing hardship")),
]


class HousingInitiative(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="housing_initiatives",
    )
    partners = models.ManyToManyField(
        "registry.Organization", verbose_name=_("partners"), blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="housing_initiatives",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    units = models.PositiveIntegerField(_("housing units"))
    tenure = models.CharField(_("tenure"), max_length=12, choices=Tenure.choices)
    monthly_rent = models.DecimalField(
        _("average monthly rent (€)"), max_digits=8, decimal_places=2
    )
    market_rent = models.DecimalField(
        _("local market rent for a similar home (€/month)"), max_digits=8, decimal_places=2
    )
    households_housed = models.PositiveIntegerField(_("households housed"), default=0)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    shared_services = models.TextField(_("shared services"), blank=True)
    financing = models.TextField(_("financing instruments used"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("collaborative-housing initiative")
        verbose_name_plural = _("collaborative-housing initiatives")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_rent__gte=0) & Q(market_rent__gt=0),
                name="housing_rents_positive",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="housing_units_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("collaboration:housing", kwargs={"slug": self.slug})

    @property
    def rent_reduction(self) -> Decimal:
        """How much below the local market the rent is, in percent."""
        return ((self.market_rent - self.monthly_rent) * 100 / self.market_rent).quantize(
            Decimal("0.1")
        )

    def target_group_labels(self) -> list[str]:
        labels = dict(TARGET_GROUPS)
        return [str(labels.get(code, code)) for code in self.target_groups]


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="collaboration_preferences",
    )
    invitations = models.BooleanField(_("invitations to meetings"), default=True)
    proposals = models.BooleanField(_("new proposals"), default=True)
    decisions = models.BooleanField(_("decisions"), default=True)
    overdue = models.BooleanField(_("overdue action items"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)
