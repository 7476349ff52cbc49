from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pes.registry.reference import CATEGORIES, RUNTS_SECTIONS


class LegalForm(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    label = models.CharField(_("label"), max_length=120)
    category = models.CharField(_("category"), max_length=20, choices=CATEGORIES)
    runts_section = models.CharField(
        _("usual RUNTS section"), max_length=1, choices=RUNTS_SECTIONS, blank=True
    )
    is_ets = models.BooleanField(_("third-sector body (ETS)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")

    def __str__(self) -> str:
        return self.label


class Activity(models.Model):
    """Activity of general interest, art. 5 c.1 D.Lgs. 117/2017 (letters a–z)."""

    letter = models.CharField(_("letter"), max_length=1, unique=True)
    label = models.CharField(_("label"), max_length=255)
    reference = models.CharField(_("legal reference"), max_length=255, blank=True)

    class Meta:
        ordering = ["letter"]
        verbose_name = _("activity of general interest")
        verbose_name_plural = _("activities of general interest")

    def __str__(self) -> str:
        return f"{self.letter}) {self.label}"


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    legal_form = models.ForeignKey(
        LegalForm, verbose_name=_("legal form"), on_delete=models.PROTECT, related_name="+"
    )
    runts_section = models.CharField(
        _("RUNTS section"), max_length=1, choices=RUNTS_SECTIONS, blank=True
    )
    runts_id = models.CharField(_("RUNTS number"), max_length=20, blank=True)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, unique=True)
    partita_iva = models.CharField(_("partita IVA"), max_length=11, blank=True)
    ateco_codes = models.JSONField(_("ATECO 2025 codes"), default=list, blank=True)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities of general interest"), blank=True
    )
    head_office = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("head office municipality"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    municipalities_served = models.ManyToManyField(
        "territory.Municipality",
        verbose_name=_("municipalities served"),
        blank=True,
        related_name="organizations_serving",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    pec = models.EmailField(_("certified e-mail (PEC)"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    missions = models.ManyToManyField(
        "plan.Mission",
        verbose_name=_("missions of the Plan"),
        blank=True,
        related_name="organizations",
    )
    workers = models.PositiveIntegerField(_("workers"), null=True, blank=True)
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    members = models.PositiveIntegerField(_("members"), null=True, blank=True)
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    runts_registered_on = models.DateField(_("RUNTS registration date"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=200, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    search_document = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["is_published", "name"], name="org_published_name"),
            # A municipality's or a legal form's organisations in the directory's order.
            models.Index(
                fields=["head_office", "is_published", "name", "id"], name="org_office_name"
            ),
            models.Index(fields=["legal_form", "is_published", "name", "id"], name="org_form_name"),
            # The registry's version (its last write): the key of cached counts.
            models.Index(fields=["updated_at"], name="org_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_founded__isnull=True) | models.Q(year_founded__gte=1800),
                name="org_year_founded_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:organization", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A user who works for an organisation and may edit its profile."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("editor")
        MANAGER = "manager", _("manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"
