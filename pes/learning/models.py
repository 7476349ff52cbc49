"""Courses, events and research (Missions 5 and 6): joint training of public administrations
and social-economy organisations, university courses, research seminars, social-entrepreneurship
courses and school programmes with sessions, enrolment with a waiting list, attendance,
certificates and feedback; and a catalogue of research projects and theses.

Invariants are database constraints: a session ends after it starts, a course never holds more
confirmed enrolments than seats (``enrolled`` is a counter moved by ``services.py`` under a row
lock), one live enrolment per person and course, ratings between 1 and 5.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_AGE = 120


class Course(models.Model):
    class Kind(models.TextChoices):
        JOINT_TRAINING = "joint_training", _("joint PA and social-economy training")
        UNIVERSITY = "university", _("university course")
        SEMINAR = "seminar", _("research seminar")
        ENTREPRENEURSHIP = "entrepreneurship", _("social-entrepreneurship course")
        SCHOOL = "school", _("school programme")
        EVENT = "event", _("event")

    organizer = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("who it is for"),
        max_length=255,
        help_text=_("e.g. “municipal officers and staff of social cooperatives”"),
    )
    min_age = models.PositiveSmallIntegerField(_("from age"), default=16)
    max_age = models.PositiveSmallIntegerField(_("to age"), default=MAX_AGE)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    seats = models.PositiveIntegerField(_("seats"))
    enrolled = models.PositiveIntegerField(_("confirmed enrolments"), default=0, editable=False)
    is_free = models.BooleanField(_("free of charge"), default=True)
    fee = models.DecimalField(
        _("fee (euros)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    wheelchair_accessible = models.BooleanField(_("accessible to wheelchair users"), default=False)
    min_attendance = models.PositiveSmallIntegerField(
        _("attendance needed for the certificate (%)"), default=75
    )
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("Plan action it serves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("course or event")
        verbose_name_plural = _("courses and events")
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="course_seats_positive"),
            models.CheckConstraint(
                condition=Q(enrolled__lte=F("seats")), name="course_never_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")) & Q(max_age__lte=MAX_AGE),
                name="course_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(is_free=True) & (Q(fee__isnull=True) | Q(fee=0)))
                | (Q(is_free=False) & Q(fee__gt=0)),
                name="course_free_has_no_fee",
            ),
            models.CheckConstraint(
                condition=Q(min_attendance__gte=1) & Q(min_attendance__lte=100),
                name="course_min_attendance_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:course", kwargs={"slug": self.slug})

    @property
    def free_seats(self) -> int:
        return max(self.seats - self.enrolled, 0)

    @property
    def is_full(self) -> bool:
        return self.enrolled >= self.seats


class Session(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="course_sessions",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="session_start")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.course.title} — {local:%d/%m/%Y %H:%M}"

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


LIVE_STATES = ("confirmed", "waiting")


class Enrolment(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    class Affiliation(models.TextChoices):
        PUBLIC = "public", _("public administration")
        SOCIAL_ECONOMY = "social_economy", _("social-economy organisation")
        UNIVERSITY = "university", _("university")
        SCHOOL = "school", _("school")
        CITIZEN = "citizen", _("private citizen")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    affiliation = models.CharField(_("I take part as"), max_length=16, choices=Affiliation.choices)
    institution = models.CharField(_("administration or organisation"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"],
                condition=Q(status__in=LIVE_STATES),
                name="enrolment_one_live_per_person",
            ),
        ]
        indexes = [models.Index(fields=["course", "status", "created_at"], name="enrol_queue")]

    def __str__(self) -> str:
        return f"{self.user} — {self.course}"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.email


class Attendance(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances"
    )
    present = models.BooleanField(_("present"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.present}"


def new_certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    code = models.CharField(
        _("verification code"), max_length=32, unique=True, default=new_certificate_code
    )
    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="certificate"
    )
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"))
    sessions_total = models.PositiveSmallIntegerField(_("sessions in the course"))
    hours = models.DecimalField(_("hours attended"), max_digits=6, decimal_places=2)
    initials = models.CharField(_("initials"), max_length=20)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate of attendance")
        verbose_name_plural = _("certificates of attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_attended__gte=1)
                & Q(sessions_attended__lte=F("sessions_total")),
                name="certificate_sessions_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("learning:certificate_verify", kwargs={"code": self.code})


class Feedback(models.Model):
    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="feedback"
    )
    overall = models.PositiveSmallIntegerField(_("overall, how was it?"))
    usefulness = models.PositiveSmallIntegerField(_("how useful is it for your work?"))
    comment = models.TextField(_("comments and suggestions"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1)
                & Q(overall__lte=5)
                & Q(usefulness__gte=1)
                & Q(usefulness__lte=5),
                name="feedback_ratings_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.overall}/{self.usefulness}"


class ResearchProject(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", _("research project")
        PHD = "phd", _("doctoral thesis")
        MASTER = "master", _("master's thesis")
        BACHELOR = "bachelor", _("bachelor's thesis")

    title = models.CharField(_("title"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=270, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    university = models.CharField(_("university"), max_length=200)
    department = models.CharField(_("department"), max_length=200, blank=True)
    people = models.CharField(
        _("people"), max_length=500, help_text=_("Researchers, authors and supervisors.")
    )
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    summary = models.TextField(_("summary"))
    publications = models.TextField(_("publications"), blank=True, help_text=_("One per line."))
    missions = models.ManyToManyField(
        "plan.Mission", verbose_name=_("Plan missions"), blank=True, related_name="research"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation that keeps the entry"),
        on_delete=models.PROTECT,
        related_name="research_projects",
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-start_year", "title", "id"]
        verbose_name = _("research project or thesis")
        verbose_name_plural = _("research projects and theses")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="research_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(start_year__gte=1900) & Q(start_year__lte=2100),
                name="research_start_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:research", kwargs={"slug": self.slug})

    def publication_list(self) -> list[str]:
        return [line.strip() for line in self.publications.splitlines() if line.strip()]
