"""Services, routes and stays (Missions 3 and 4): a public catalogue of what social-economy
organisations offer to children, adolescents and families, cultural-welfare activities,
slow-tourism routes with ordered stops, and collaborative-living stays.

Invariants are database constraints: an age range is never upside down, a free service has
no fee, a route's stops have distinct positions and lie inside the metropolitan area.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# A generous box around the 55 municipalities of the Città metropolitana di Bologna; the
# services also check the stop against the box of the municipalities actually loaded.
AREA_LAT = (Decimal("43.95"), Decimal("44.85"))
AREA_LON = (Decimal("10.75"), Decimal("11.95"))
MAX_AGE = 120


class FamilySituation(models.TextChoices):
    ANY = "any", _("any family")
    PARENTS_TO_BE = "parents_to_be", _("expecting parents")
    SINGLE_PARENT = "single_parent", _("single-parent families")
    LARGE = "large", _("large families")
    FOSTER = "foster", _("foster and adoptive families")
    MIGRANT = "migrant", _("families with a migrant background")
    DISABILITY = "disability", _("families with a disabled member")


class Service(models.Model):
    class Kind(models.TextChoices):
        EDUCATIONAL = "educational", _("educational")
        PARENTING = "parenting", _("parenting support")
        OPEN_SCHOOL = "open_school", _("open school")
        EDUCATING_COMMUNITY = "educating_community", _("educating community")
        CULTURAL_WELFARE = "cultural_welfare", _("cultural welfare")
        LEISURE = "leisure", _("leisure and sport")
        CARE = "care", _("care")
        COUNSELLING = "counselling", _("listening and counselling")

    provider = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="catalogue_services",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    min_age = models.PositiveSmallIntegerField(_("from age"), default=0)
    max_age = models.PositiveSmallIntegerField(_("to age"), default=MAX_AGE)
    family_situations = models.JSONField(_("family situations"), default=list, blank=True)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="catalogue_services",
    )
    other_municipalities = models.ManyToManyField(
        "territory.Municipality",
        verbose_name=_("also offered in"),
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    schedule = models.CharField(
        _("schedule"), max_length=255, help_text=_("e.g. “Tuesday and Thursday, 15:00–18:00”")
    )
    starts_on = models.DateField(_("available from"), null=True, blank=True)
    ends_on = models.DateField(_("available until"), null=True, blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    cost = models.DecimalField(
        _("cost (euros)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    cost_note = models.CharField(_("about the cost"), max_length=255, blank=True)
    wheelchair_accessible = models.BooleanField(_("accessible to wheelchair users"), default=False)
    accessibility = models.CharField(_("accessibility notes"), max_length=500, blank=True)
    how_to_access = models.TextField(_("how to access"))
    contact = models.CharField(_("contact"), max_length=255, blank=True)
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("Plan action it serves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="catalogue_services",
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")) & Q(max_age__lte=MAX_AGE),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(is_free=True) & (Q(cost__isnull=True) | Q(cost=0)))
                | (Q(is_free=False) & Q(cost__gt=0)),
                name="service_free_has_no_cost",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="service_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "kind"], name="service_pub_kind"),
            models.Index(fields=["min_age", "max_age"], name="service_ages"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:service", kwargs={"slug": self.slug})

    def family_situation_labels(self) -> list[str]:
        labels = dict(FamilySituation.choices)
        return [str(labels[s]) for s in self.family_situations if s in labels]


class Route(models.Model):
    class Mode(models.TextChoices):
        WALKING = "walking", _("walking")
        CYCLING = "cycling", _("cycling")
        TRAIN = "train", _("train")
        BUS = "bus", _("bus")

    class Difficulty(models.TextChoices):
        EASY = "easy", _("easy")
        MEDIUM = "medium", _("medium")
        HARD = "hard", _("hard")

    provider = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="routes",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"))
    mode = models.CharField(_("mobility mode"), max_length=10, choices=Mode.choices)
    length_km = models.DecimalField(_("length (km)"), max_digits=6, decimal_places=1)
    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices)
    action = models.ForeignKey(
        "plan.Action",
        verbose_name=_("Plan action it serves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routes",
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = [
            models.CheckConstraint(condition=Q(length_km__gt=0), name="route_length_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:route", kwargs={"slug": self.slug})


class RouteStop(models.Model):
    route = models.ForeignKey(
        Route, verbose_name=_("route"), on_delete=models.CASCADE, related_name="stops"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="route_stops",
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    description = models.TextField(_("description"), blank=True)
    services = models.ManyToManyField(
        Service, verbose_name=_("services along the way"), blank=True, related_name="route_stops"
    )

    class Meta:
        ordering = ["route", "position"]
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="route_stop_position"),
            models.CheckConstraint(
                condition=Q(latitude__gte=AREA_LAT[0])
                & Q(latitude__lte=AREA_LAT[1])
                & Q(longitude__gte=AREA_LON[0])
                & Q(longitude__lte=AREA_LON[1]),
                name="route_stop_inside_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Stay(models.Model):
    """A collaborative-living stay for slow tourism: cohousing guest rooms, community
    hostels, farm stays run by social-economy organisations."""

    class Kind(models.TextChoices):
        COHOUSING = "cohousing", _("cohousing guest room")
        COMMUNITY_HOSTEL = "community_hostel", _("community hostel")
        FARM = "farm", _("social farm")
        HOST_FAMILY = "host_family", _("host family")

    provider = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="stays",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"))
    municipality = models.ForeignKey(
        "territory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="stays",
    )
    beds = models.PositiveSmallIntegerField(_("beds"))
    price_per_night = models.DecimalField(
        _("price per night (euros)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    wheelchair_accessible = models.BooleanField(_("accessible to wheelchair users"), default=False)
    how_to_book = models.CharField(_("how to book"), max_length=500)
    routes = models.ManyToManyField(
        Route, verbose_name=_("along the routes"), blank=True, related_name="stays"
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.CheckConstraint(condition=Q(beds__gte=1), name="stay_has_beds"),
            models.CheckConstraint(
                condition=Q(price_per_night__isnull=True) | Q(price_per_night__gte=0),
                name="stay_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:stay", kwargs={"slug": self.slug})
