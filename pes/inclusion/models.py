"""Work inclusion (Mission 2): the people who ask for help finding work, their cases and
the operators who follow them, the companies of the network and their openings, proposals
and allocations (recommendations only), pathways with follow-ups, and the protection of
special-category data.

Special-category data (the fragility profile, health and disability notes) live only in
``FragilityProfile``, encrypted at rest (Fernet, ``django-fernet-encrypted-fields``); they
are read only through ``selectors.fragility_profile_read``, which checks who may read them
and writes a ``SpecialAccessLog`` entry for each read.

Invariants are database constraints: one active case per person, a codice fiscale once,
openings with at least one place, one proposal per case and opening, an override of an
allocation always carries its reason, one follow-up per pathway and month.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import (
    EncryptedBooleanField,
    EncryptedCharField,
    EncryptedTextField,
)

FIRST_CONTACT_DAYS = 35
FOLLOW_UP_MONTHS = (3, 6, 12)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


class Education(models.TextChoices):
    NONE = "none", _("No formal education")
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school (licenza media)")
    VOCATIONAL = "vocational", _("Vocational qualification")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary diploma")
    BACHELOR = "bachelor", _("Bachelor's degree (laurea triennale)")
    MASTER = "master", _("Master's degree or higher")


class ItalianLevel(models.TextChoices):
    BASIC = "basic", _("Basic (A1–A2)")
    INDEPENDENT = "independent", _("Independent (B1–B2)")
    FLUENT = "fluent", _("Fluent or mother tongue (C1 and above)")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    ROMANIAN = "ro", _("Romanian")
    ALBANIAN = "sq", _("Albanian")
    UKRAINIAN = "uk", _("Ukrainian")
    CHINESE = "zh", _("Chinese")
    URDU = "ur", _("Urdu")
    BENGALI = "bn", _("Bengali")


class Skill(models.TextChoices):
    """The skills a person declares and an opening asks for: a shared vocabulary, so that
    matching compares like with like."""

    CLEANING = "cleaning", _("Cleaning")
    WAREHOUSE = "warehouse", _("Warehouse and logistics")
    PACKAGING = "packaging", _("Packaging and assembly")
    FORKLIFT = "forklift", _("Forklift driving")
    KITCHEN = "kitchen", _("Kitchen assistant")
    FOOD_SERVICE = "food_service", _("Food and table service")
    RETAIL = "retail", _("Shop and retail")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    RECEPTION = "reception", _("Reception and front desk")
    OFFICE = "office", _("Office and data entry")
    ACCOUNTING = "accounting", _("Book-keeping")
    COMPUTER = "computer", _("Basic computer use")
    GARDENING = "gardening", _("Gardening and green maintenance")
    AGRICULTURE = "agriculture", _("Agriculture")
    CONSTRUCTION = "construction", _("Building work")
    PAINTING = "painting", _("Painting and decorating")
    CARPENTRY = "carpentry", _("Carpentry")
    MAINTENANCE = "maintenance", _("Building maintenance")
    CARE = "care", _("Care of elderly people")
    CHILDCARE = "childcare", _("Childcare")
    TEXTILE = "textile", _("Sewing and textiles")
    LAUNDRY = "laundry", _("Laundry")
    RECYCLING = "recycling", _("Waste collection and recycling")
    DRIVING = "driving", _("Driving and deliveries")
    HOUSEKEEPING = "housekeeping", _("Hotel housekeeping")
    SECURITY = "security", _("Porter and custodian")


class Shift(models.TextChoices):
    MORNING = "morning", _("Mornings")
    AFTERNOON = "afternoon", _("Afternoons")
    EVENING = "evening", _("Evenings")
    NIGHT = "night", _("Nights")
    WEEKEND = "weekend", _("Weekends")


class Contract(models.TextChoices):
    INTERNSHIP = "internship", _("Internship (tirocinio)")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship (apprendistato)")
    FIXED_TERM = "fixed_term", _("Fixed-term contract (tempo determinato)")
    PERMANENT = "permanent", _("Permanent contract (tempo indeterminato)")


class ShareableField(models.TextChoices):
    """What a person may consent to share with a company a proposal goes to; name, age
    band and municipality are always shared, everything else only with consent."""

    CONTACTS = "contacts", _("E-mail and phone")
    EDUCATION = "education", _("Education")
    LANGUAGES = "languages", _("Languages")
    WORK_HISTORY = "work_history", _("Work history")
    SKILLS = "skills", _("Skills")
    AVAILABILITY = "availability", _("Availability")


class Person(models.Model):
    """Someone who filled the intake questionnaire. Ordinary personal data only: the
    special-category data are in ``FragilityProfile``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inclusion_people",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, unique=True, null=True, blank=True
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality of domicile"),
        on_delete=models.PROTECT,
        related_name="inclusion_people",
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    italian_level = models.CharField(
        _("Italian"), max_length=12, choices=ItalianLevel.choices, blank=True
    )
    languages = models.JSONField(_("other languages"), default=list, blank=True)
    work_history = models.TextField(_("work history"), blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("most hours a week you can work"), default=40
    )
    min_hours_per_week = models.PositiveSmallIntegerField(
        _("fewest hours a week you want"), default=0
    )
    shifts = models.JSONField(_("when available"), default=list, blank=True)
    contracts = models.JSONField(_("contracts wanted"), default=list, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    max_travel_km = models.PositiveSmallIntegerField(_("furthest travel (km)"), default=20)
    has_driving_licence = models.BooleanField(_("driving licence"), default=False)
    has_car = models.BooleanField(_("own car or motorbike"), default=False)
    care_duties = models.BooleanField(_("care duties"), default=False)
    #: An accessibility need the person declares; it may reveal a disability, so it is
    #: encrypted and never shown to companies. The matching engine reads it.
    needs_step_free_access = EncryptedBooleanField(
        _("needs a workplace without steps"), null=True, blank=True, default=False
    )
    constraints_note = models.TextField(_("other constraints"), blank=True)
    share_with_companies = models.JSONField(
        _("data shared with companies"), default=list, blank=True
    )
    consent_at = models.DateTimeField(_("privacy notice accepted"))
    privacy_notice_version = models.CharField(_("privacy notice version"), max_length=20)
    rights_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    erasure_requested_at = models.DateTimeField(_("erasure requested"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_hours_per_week__lte=60)
                & Q(min_hours_per_week__lte=models.F("max_hours_per_week")),
                name="inclusion_person_hours_plausible",
            ),
        ]

    def __str__(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised person #%(pk)s") % {"pk": self.pk})
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Team(models.Model):
    """A team of operators with its supervisor, who may read the special-category data of
    the team's cases."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="inclusion_teams_supervised",
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operators"),
        related_name="inclusion_teams",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("operators' team")
        verbose_name_plural = _("operators' teams")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        ASSESSED = "assessed", _("Assessed")
        IN_PATHWAY = "in_pathway", _("In a pathway")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        READY = "ready", _("Ready for placement")
        TRAINING = "training", _("Needs training first")
        REFERRED = "referred", _("Referred to another service")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")

    class ClosingReason(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        REFERRED = "referred", _("Referred to another service")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        WITHDREW = "withdrew", _("The person withdrew")
        UNREACHABLE = "unreachable", _("Could not be reached")
        ERASURE = "erasure", _("Erasure requested")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="cases"
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inclusion_cases",
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    first_contact_due = models.DateField(_("first contact due by"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    outcome = models.CharField(
        _("assessment outcome"), max_length=14, choices=Outcome.choices, blank=True
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_reason = models.CharField(
        _("closing reason"), max_length=14, choices=ClosingReason.choices, blank=True
    )
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["first_contact_due", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "first_contact_due"], name="incl_case_queue"),
            models.Index(fields=["operator", "status"], name="incl_case_operator"),
            models.Index(fields=["registered_at"], name="incl_case_registered"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(closed_at__isnull=True),
                name="inclusion_one_active_case_per_person",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(closing_reason=""),
                name="inclusion_closed_case_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="inclusion_case_closed_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("inclusion:case", kwargs={"pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.closed_at is None

    @property
    def is_late(self) -> bool:
        """First contact after its due date, or still missing after it."""
        if self.first_contact_at is not None:
            return timezone.localtime(self.first_contact_at).date() > self.first_contact_due
        return self.closed_at is None and timezone.localdate() > self.first_contact_due

    @property
    def days_left(self) -> int | None:
        if self.first_contact_at is not None:
            return None
        return (self.first_contact_due - timezone.localdate()).days


class ContactLog(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="contacts"
    )
    at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reached = models.BooleanField(_("the person was reached"), default=True)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contact log")

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d}"


class Instrument(models.Model):
    """A versioned fragility-assessment instrument: items in work, social and health
    dimensions with weights, and the thresholds of the bands, all loaded as data. A new
    version is a new row; assessments keep the version they were made with."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=255, blank=True)
    definition = models.JSONField(_("items, weights and thresholds"))
    is_active = models.BooleanField(_("in use"), default=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["code", "-loaded_at"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="inclusion_instrument_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class FragilityProfile(models.Model):
    """The team's assessment of a person on an instrument, across work, social and health
    dimensions, with health and disability notes. Special-category data: every field but
    the metadata is encrypted; read only through ``selectors.fragility_profile_read``."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="profile"
    )
    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="+"
    )
    # The encrypted fields store an empty value as NULL (the library encrypts only values).
    answers = EncryptedTextField(_("answers"), blank=True, null=True)  # noqa: DJ001
    scores = EncryptedTextField(_("scores by dimension"), blank=True, null=True)  # noqa: DJ001
    band = EncryptedCharField(  # noqa: DJ001
        _("fragility band"), max_length=20, blank=True, null=True
    )
    health_notes = EncryptedTextField(_("health notes"), blank=True, null=True)  # noqa: DJ001
    disability_notes = EncryptedTextField(  # noqa: DJ001
        _("disability notes"), blank=True, null=True
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fragility profile")
        verbose_name_plural = _("fragility profiles")

    def __str__(self) -> str:
        return str(_("Fragility profile of %(case)s") % {"case": self.case_id})


class SpecialAccessLog(models.Model):
    """Who read or wrote special-category data, when, for which case and why."""

    class Purpose(models.TextChoices):
        ASSESSMENT = "assessment", _("Assessment interview")
        PLACEMENT = "placement", _("Choosing a placement")
        FOLLOW_UP = "follow_up", _("Follow-up")
        SUPERVISION = "supervision", _("Supervision")
        RIGHTS = "rights", _("The person's request for their data")

    class Action(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="access_log"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=5, choices=Action.choices)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("special-category data access")
        verbose_name_plural = _("special-category data accesses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.case_id} {self.at:%Y-%m-%d %H:%M}"


class NetworkMember(models.Model):
    """An organisation of the registry that joined the work-inclusion network."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise")
        COOP_B = "coop_b", _("Social cooperative of type B")
        ASSOCIATION = "association", _("Business association")

    organization = models.OneToOneField(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="inclusion_network",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("network member")
        verbose_name_plural = _("network members")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def can_host(self) -> bool:
        """Business associations promote the network; they do not publish openings."""
        return self.kind != self.Kind.ASSOCIATION


class Opening(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="inclusion_openings",
    )
    role = models.CharField(_("role"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    ateco_code = models.CharField(_("ATECO code"), max_length=10, blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="inclusion_openings",
    )
    contract = models.CharField(_("contract offered"), max_length=20, choices=Contract.choices)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    shifts = models.JSONField(_("shifts"), default=list, blank=True)
    required_skills = models.JSONField(_("skills required"), default=list, blank=True)
    desirable_skills = models.JSONField(_("skills appreciated"), default=list, blank=True)
    requirements = models.TextField(_("other requirements"), blank=True)
    needs_driving_licence = models.BooleanField(_("driving licence required"), default=False)
    min_italian = models.CharField(
        _("minimum Italian"), max_length=12, choices=ItalianLevel.choices, blank=True
    )
    languages = models.JSONField(_("other languages required"), default=list, blank=True)
    min_education = models.CharField(
        _("minimum education"), max_length=20, choices=Education.choices, blank=True
    )
    step_free_access = models.BooleanField(_("step-free access"), default=False)
    public_transport = models.BooleanField(_("reachable by public transport"), default=True)
    accessibility_note = models.TextField(_("accessibility"), blank=True)
    places = models.PositiveSmallIntegerField(_("places"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        indexes = [
            models.Index(fields=["status", "municipality"], name="incl_opening_open"),
            # The public list: open openings, the most recent first.
            models.Index(fields=["status", "-created_at", "-id"], name="incl_opening_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="inclusion_opening_places"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1, hours_per_week__lte=48),
                name="inclusion_opening_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} — {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("inclusion:opening", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AllocationRun(models.Model):
    """A global allocation of the people ready for placement to the open places: a
    recommendation that operators confirm or override, one suggestion at a time."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run"), auto_now_add=True)
    max_distance_km = models.PositiveSmallIntegerField(_("distance limit (km)"))
    people = models.PositiveIntegerField(_("people considered"), default=0)
    places = models.PositiveIntegerField(_("places considered"), default=0)
    total_score = models.FloatField(_("total score"), default=0)
    greedy_score = models.FloatField(_("total score of the greedy allocation"), default=0)
    seconds = models.FloatField(_("seconds taken"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return str(_("Allocation of %(when)s") % {"when": f"{self.created_at:%Y-%m-%d %H:%M}"})

    def get_absolute_url(self) -> str:
        return reverse("inclusion:allocation", kwargs={"pk": self.pk})


class Proposal(models.Model):
    """An operator proposes a person for an opening; the company accepts or declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="proposals"
    )
    opening = models.ForeignKey(
        Opening, verbose_name=_("opening"), on_delete=models.CASCADE, related_name="proposals"
    )
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    shared = models.JSONField(_("data shared with the company"), default=dict, blank=True)
    note = models.TextField(_("note for the company"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reason of the decision"), blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "opening"], name="inclusion_proposal_once_per_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.opening_id}"

    def get_absolute_url(self) -> str:
        return reverse("inclusion:proposal", kwargs={"pk": self.pk})


class Suggestion(models.Model):
    """One pair of an allocation run. Pending until an operator confirms it (a proposal is
    made) or overrides it, always with a reason (GDPR art. 22)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("To be reviewed")
        CONFIRMED = "confirmed", _("Confirmed")
        OVERRIDDEN = "overridden", _("Overridden")

    run = models.ForeignKey(
        AllocationRun,
        verbose_name=_("allocation run"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="suggestions"
    )
    opening = models.ForeignKey(
        Opening, verbose_name=_("opening"), on_delete=models.CASCADE, related_name="suggestions"
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    override_reason = models.TextField(_("reason for overriding"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("allocation suggestion")
        verbose_name_plural = _("allocation suggestions")
        constraints = [
            models.UniqueConstraint(fields=["run", "case"], name="inclusion_suggestion_once"),
            models.CheckConstraint(
                condition=~Q(decision="overridden") | ~Q(override_reason=""),
                name="inclusion_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.case_id} → {self.opening_id}"


class Pathway(models.Model):
    """Training, an internship or a contract, with its dates."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training course")
        INTERNSHIP = "internship", _("Internship (tirocinio)")
        APPRENTICESHIP = "apprenticeship", _("Apprenticeship (apprendistato)")
        FIXED_TERM = "fixed_term", _("Fixed-term contract (tempo determinato)")
        PERMANENT = "permanent", _("Permanent contract (tempo indeterminato)")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="pathways"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("host organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pathway",
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="inclusion_pathway_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_placement(self) -> bool:
        return self.kind != self.Kind.TRAINING

    def follow_up_due(self, months: int) -> dt.date:
        return add_months(self.starts_on, months)


class FollowUp(models.Model):
    pathway = models.ForeignKey(
        Pathway, verbose_name=_("pathway"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField(
        _("months after the start"), choices=[(m, str(m)) for m in FOLLOW_UP_MONTHS]
    )
    done_on = models.DateField(_("date"))
    still_employed = models.BooleanField(_("still employed"))
    contract = models.CharField(
        _("contract now"), max_length=20, choices=Contract.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["months"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["pathway", "months"], name="inclusion_follow_up_once"),
            models.CheckConstraint(
                condition=Q(months__in=FOLLOW_UP_MONTHS), name="inclusion_follow_up_months"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id} +{self.months}"


class StatCount(models.Model):
    """The dashboard's roll-up: a count of cases per metric and key (a month, a district,
    an outcome, a contract type, a band…), kept up to date by the services that change
    cases, in the same transaction, and rebuilt from scratch by ``manage.py
    rebuild_inclusion_stats``. Counts only: nothing here points to a person, and no key
    combines the band with a place or a time."""

    class Metric(models.TextChoices):
        REGISTERED = "registered", _("Registrations by month")
        CONTACTED = "contacted", _("First contacts")
        CONTACT_LATE = "contact_late", _("First contacts after the due date")
        CONTACT_DELAY = "contact_delay", _("Days from registration to first contact")
        AWAITING_CONTACT = "awaiting_contact", _("Open cases awaiting contact, by due date")
        OUTCOME = "outcome", _("Assessment outcomes")
        PLACED = "placed", _("People placed, by contract")
        FOLLOW_UP = "follow_up", _("Follow-ups of placements, by month and result")
        DISTRICT_REGISTERED = "district_registered", _("Registrations by district")
        DISTRICT_READY = "district_ready", _("Ready for placement, by district")
        DISTRICT_PLACED = "district_placed", _("Placed, by district")
        BAND_ASSESSED = "band_assessed", _("Fragility profiles, by band")
        BAND_PLACED = "band_placed", _("Placed, by fragility band")

    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    key = models.CharField(_("key"), max_length=120, blank=True)
    n = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["metric", "key"]
        verbose_name = _("statistics count")
        verbose_name_plural = _("statistics counts")
        constraints = [
            models.UniqueConstraint(fields=["metric", "key"], name="inclusion_stat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.key}: {self.n}"
