from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """The Piano metropolitano dell'economia sociale (one row; kept as a model for history)."""

    title = models.CharField(_("title"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    focus_start_year = models.PositiveSmallIntegerField(_("focus: first year"))
    focus_end_year = models.PositiveSmallIntegerField(_("focus: last year"))

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


class Mission(models.Model):
    class Kind(models.TextChoices):
        THEMATIC = "thematic", _("thematic")
        TRANSVERSAL = "transversal", _("transversal")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="missions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

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


class Action(models.Model):
    """A measure of the Plan, with the full Italian text of the seed."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number within the mission"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["mission__number", "number"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(fields=["mission", "number"], name="action_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:80]}"

    @property
    def code(self) -> str:
        return f"{self.mission.number}.{self.number}"
