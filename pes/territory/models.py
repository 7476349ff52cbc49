from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """Distretto socio-sanitario: the unit the metropolitan welfare system plans by."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    ausl = models.CharField(_("health authority (AUSL)"), max_length=80)

    class Meta:
        ordering = ["name"]
        verbose_name = _("social and health district")
        verbose_name_plural = _("social and health districts")

    def __str__(self) -> str:
        return self.name


class Union(models.Model):
    """Unione di Comuni."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("union of municipalities")
        verbose_name_plural = _("unions of municipalities")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """One of the 55 comuni of the Città metropolitana di Bologna, keyed by ISTAT code."""

    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, unique=True)
    postal_codes = models.JSONField(_("postal codes (CAP)"), default=list)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    population = models.PositiveIntegerField(_("resident population (2021)"))
    is_capital = models.BooleanField(_("provincial capital"), default=False)
    union = models.ForeignKey(
        Union,
        verbose_name=_("union of municipalities"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("social and health district"),
        on_delete=models.PROTECT,
        related_name="municipalities",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("territory:municipality", kwargs={"slug": self.slug})

    @property
    def main_postal_code(self) -> str:
        return self.postal_codes[0] if self.postal_codes else ""
