"""Volunteering (Missions 3 and 6): volunteers, opportunities with shifts, bookings of
individuals and groups, verified hours and certificates.

Invariants are database constraints: a shift never holds more booked seats than its capacity
(``booked`` is a counter kept by ``services.py`` under a row lock), a minor's profile always
carries the guardian's consent, a person holds at most one live booking per shift.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgeBracket(models.TextChoices):
    AGE_14_15 = "14-15", _("14–15 years")
    AGE_16_17 = "16-17", _("16–17 years")
    AGE_18_29 = "18-29", _("18–29 years")
    AGE_30_44 = "30-44", _("30–44 years")
    AGE_45_64 = "45-64", _("45–64 years")
    AGE_65 = "65+", _("65 years and over")


MINOR_BRACKETS = (AgeBracket.AGE_14_15, AgeBracket.AGE_16_17)
BRACKET_MIN_AGE = {
    AgeBracket.AGE_14_15: 14,
    AgeBracket.AGE_16_17: 16,
    AgeBracket.AGE_18_29: 18,
    AgeBracket.AGE_30_44: 30,
    AgeBracket.AGE_45_64: 45,
    AgeBracket.AGE_65: 65,
}

LANGUAGES = [
    ("it", _("Italian")),
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("ar", _("Arabic")),
    ("ro", _("Romanian")),
    ("sq", _("Albanian")),
    ("uk", _("Ukrainian")),
    ("zh", _("Chinese")),
    ("lis", _("Italian Sign Language (LIS)")),
]

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class TimeSlot(models.TextChoices):
    MORNING = "morning", _("morning (before 13:00)")
    AFTERNOON = "afternoon", _("afternoon (13:00–18:00)")
    EVENING = "evening", _("evening (after 18:00)")


def time_slot_of(moment: dt.datetime) -> str:
    hour = timezone.localtime(moment).hour
    if hour < 13:
        return TimeSlot.MORNING
    if hour < 18:
        return TimeSlot.AFTERNOON
    return TimeSlot.EVENING


class Skill(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)

    class Meta:
        ordering = ["label"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.label


class Volunteer(models.Model):
    """A person who gives time, with or without belonging to an association."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="volunteer",
    )
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    max_distance_km = models.PositiveSmallIntegerField(_("how far I will travel (km)"), default=15)
    age_bracket = models.CharField(_("age bracket"), max_length=5, choices=AgeBracket.choices)
    guardian_consent = models.BooleanField(_("guardian's consent"), default=False)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    interests = models.ManyToManyField(
        "registry.Activity", verbose_name=_("interests"), blank=True, related_name="+"
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="+")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    available_days = models.JSONField(_("available days"), default=list, blank=True)
    time_slots = models.JSONField(_("time slots"), default=list, blank=True)
    privacy_consent_at = models.DateTimeField(_("privacy consent given"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(age_bracket__in=["14-15", "16-17"])
                | (Q(guardian_consent=True) & ~Q(guardian_name="")),
                name="volunteer_minor_has_guardian_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def initials(self) -> str:
        parts = [self.user.first_name, self.user.last_name]
        letters = "".join(f"{p.strip()[0].upper()}." for p in parts if p and p.strip())
        return letters or "—"

    @property
    def is_minor(self) -> bool:
        return self.age_bracket in MINOR_BRACKETS

    @property
    def min_age(self) -> int:
        return BRACKET_MIN_AGE[AgeBracket(self.age_bracket)]


class Opportunity(models.Model):
    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("one-off")
        RECURRING = "recurring", _("recurring")

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteering_opportunities",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"))
    activity = models.ForeignKey(
        "registry.Activity",
        verbose_name=_("activity of general interest"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ONE_OFF)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="volunteering_opportunities",
    )
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills wanted"), blank=True, related_name="opportunities"
    )
    wheelchair_accessible = models.BooleanField(_("accessible to wheelchair users"), default=False)
    accessibility = models.CharField(_("accessibility notes"), max_length=500, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    insurance_note = models.CharField(
        _("insurance"),
        max_length=500,
        blank=True,
        help_text=_(
            "How volunteers are insured (art. 18 CTS), e.g. the policy of the organisation."
        ),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Stored from the shifts (``services.upcoming_shifts_refresh``): the start of the next open
    # shift that has not started and how many such shifts there are. Every write of a shift
    # refreshes them; once ``next_shift_at`` is in the past they are stale and refreshed
    # before the list is read (``selectors.opportunity_list``).
    next_shift_at = models.DateTimeField(_("next shift"), null=True, blank=True, editable=False)
    upcoming_shifts = models.PositiveIntegerField(_("upcoming shifts"), default=0, editable=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("volunteering opportunity")
        verbose_name_plural = _("volunteering opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__gte=14) & Q(min_age__lte=99), name="opportunity_min_age_range"
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "municipality"], name="opp_pub_muni"),
            # The public list's order (nulls last is the index's own order); also finds the
            # stale rows (``next_shift_at <= now``).
            models.Index(fields=["next_shift_at", "title", "id"], name="opp_next_shift_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("volunteering:opportunity", kwargs={"slug": self.slug})


class Shift(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CANCELLED = "cancelled", _("cancelled")

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="volunteering_shifts",
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    booked = models.PositiveIntegerField(_("seats booked"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.CheckConstraint(
                condition=Q(booked__lte=models.F("capacity")), name="shift_never_overbooked"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="shift_status_start"),
            models.Index(
                fields=["opportunity", "status", "starts_at"], name="shift_opp_status_start"
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.opportunity.title} — {local:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("volunteering:shift", kwargs={"pk": self.pk})

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration_hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))

    def fill_rate(self) -> float:
        return self.booked / self.capacity if self.capacity else 0.0


class Group(models.Model):
    """A company (corporate volunteering) or a school class (school partnership)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("company (corporate volunteering)")
        SCHOOL = "school", _("school (school partnership)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. “Liceo Galvani, class 4B” or a company team")
    )
    institution = models.CharField(_("company or school"), max_length=200)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="volunteering_groups",
    )
    size = models.PositiveIntegerField(_("number of people"))
    includes_minors = models.BooleanField(_("the group includes people under 18"), default=False)
    guardian_consents = models.BooleanField(
        _("the guardians of every minor in the group have given their consent"), default=False
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        on_delete=models.PROTECT,
        related_name="volunteering_groups",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("volunteer group")
        verbose_name_plural = _("volunteer groups")
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=2), name="group_size_at_least_two"),
            models.CheckConstraint(
                condition=Q(includes_minors=False) | Q(guardian_consents=True),
                name="group_minors_have_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    def get_absolute_url(self) -> str:
        return reverse("volunteering:group", kwargs={"pk": self.pk})


LIVE_STATES = ("confirmed", "waiting")


class Booking(models.Model):
    """A seat (or, for a group, several seats) on a shift."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")
        SHIFT_CANCELLED = "shift_cancelled", _("shift cancelled")

    class Attendance(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")

    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="bookings"
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bookings",
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bookings",
    )
    seats = models.PositiveIntegerField(_("seats"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    attendance = models.CharField(
        _("attendance"), max_length=8, choices=Attendance.choices, blank=True
    )
    hours = models.DecimalField(
        _("hours per person"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    verified_at = models.DateTimeField(_("hours verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(volunteer__isnull=False) & Q(group__isnull=True) & Q(seats=1))
                | (Q(volunteer__isnull=True) & Q(group__isnull=False) & Q(seats__gte=1)),
                name="booking_person_or_group",
            ),
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status__in=LIVE_STATES),
                name="booking_one_live_per_volunteer",
            ),
            models.UniqueConstraint(
                fields=["shift", "group"],
                condition=Q(status__in=LIVE_STATES),
                name="booking_one_live_per_group",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="booking_hours_range",
            ),
        ]
        indexes = [models.Index(fields=["shift", "status", "created_at"], name="booking_queue")]

    def __str__(self) -> str:
        who = self.volunteer or self.group
        return f"{who} — {self.shift}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATES

    @property
    def total_hours(self) -> Decimal:
        if self.verified_at is None or self.hours is None:
            return Decimal(0)
        return self.hours * self.seats


def new_certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """A statement of a volunteer's verified hours with one organisation; its code is checked
    on the public verification page."""

    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_certificate_code
    )
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.DecimalField(_("verified hours"), max_digits=8, decimal_places=2)
    shifts = models.PositiveIntegerField(_("shifts"))
    first_date = models.DateField(_("from"))
    last_date = models.DateField(_("to"))
    initials = models.CharField(_("initials"), max_length=20)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate of hours")
        verbose_name_plural = _("certificates of hours")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="certificate_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.hours} h)"

    def get_absolute_url(self) -> str:
        return reverse("volunteering:certificate_verify", kwargs={"code": self.code})
