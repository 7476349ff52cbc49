"""Impact-oriented procurement (Mission 5): tenders, the clause library, bids and their
scores, contracts with the committed KPIs, the supplier's periodic reports, social value."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

cig_validator = RegexValidator(
    r"^[0-9A-Z]{10}$", _("The CIG has 10 capital letters and digits."), code="cig"
)
cup_validator = RegexValidator(
    r"^[0-9A-Z]{15}$", _("The CUP has 15 capital letters and digits."), code="cup"
)


class Procedure(models.TextChoices):
    OPEN = "open", _("Open procedure")
    NEGOTIATED = "negotiated", _("Negotiated procedure")
    RESERVED = "reserved", _("Reserved to social cooperatives and sheltered employment (art. 61)")
    CODESIGN = "codesign", _("Co-design with third-sector bodies (art. 55 D.Lgs. 117/2017)")
    AGREEMENT = "agreement", _("Agreement with ODV/APS (art. 56 D.Lgs. 117/2017)")


#: Procedures of the Third-sector Code: no competition on price, so no price scoring.
NO_PRICE_PROCEDURES = {Procedure.CODESIGN, Procedure.AGREEMENT}


class PriceFormula(models.TextChoices):
    LINEAR = "linear", _("Linear on the discount")
    BILINEAR = "bilinear", _("Bilinear (coefficient X, threshold at the mean discount)")
    INVERSE = "inverse", _("Inverse proportional on the price")
    CONCAVE = "concave", _("Concave (exponent alpha)")


class Metric(models.TextChoices):
    """What a supplier reports and a commitment promises."""

    EMPLOYED = "employed", _("People employed on the contract")
    PERMANENT_SHARE = "permanent_share", _("Share of permanent contracts (%)")
    REABSORBED = "reabsorbed", _("Outgoing staff reabsorbed")
    DISADVANTAGED = "disadvantaged", _("Disadvantaged or disabled people hired")
    TRAINING_HOURS = "training_hours", _("Training hours")
    LOCAL_SUBCONTRACTING = "local_subcontracting", _("Subcontracted to local social economy (%)")


#: Metrics that accumulate over the reports (flows); the others are the latest value (stocks).
CUMULATIVE_METRICS = {Metric.DISADVANTAGED, Metric.TRAINING_HOURS}


class Clause(models.Model):
    """A clause of the library: a reward (points) or a mandatory social clause (admissibility)."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("Reward clause (points)")
        MANDATORY = "mandatory", _("Mandatory social clause (admissibility, art. 57)")

    class Rule(models.TextChoices):
        YES_NO = "yes_no", _("Yes/no")
        PROPORTIONAL = "proportional", _("Proportional to the best offer")
        THRESHOLDS = "thresholds", _("Thresholds")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REWARD)
    rule = models.CharField(
        _("scoring rule"), max_length=12, choices=Rule.choices, default=Rule.YES_NO
    )
    thresholds = models.JSONField(
        _("thresholds"),
        default=list,
        blank=True,
        help_text=_("Pairs [threshold, coefficient], e.g. [[50, 0.5], [80, 1]]"),
    )
    metric = models.CharField(_("committed KPI"), max_length=24, choices=Metric.choices, blank=True)
    default_target = models.DecimalField(
        _("default target"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The KPI target a yes/no clause commits the winner to."),
    )
    legal_reference = models.CharField(_("legal reference"), max_length=200, blank=True)
    is_gender_equality = models.BooleanField(
        _("gender-equality reward (art. 108 c.7)"), default=False
    )
    owner = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("buyer's own clause"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="procurement_clauses",
        help_text=_("Empty for the shared library."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["kind", "order", "label"]
        verbose_name = _("clause")
        verbose_name_plural = _("clause library")

    def __str__(self) -> str:
        return self.label


class Tender(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for bids")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")

    buyer = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="procurement_tenders",
    )
    title = models.CharField(_("object of the contract"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    cig = models.CharField(_("CIG"), max_length=10, blank=True, validators=[cig_validator])
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[cup_validator])
    estimated_value = models.DecimalField(
        _("estimated value (base price, €)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    procedure = models.CharField(_("procedure"), max_length=12, choices=Procedure.choices)
    labour_intensive = models.BooleanField(
        _("labour-intensive (art. 108 c.4: price at most 30 points)"), default=False
    )
    price_only_forbidden = models.BooleanField(
        _("social, health, school or catering services (art. 108 c.2: no lowest-price award)"),
        default=False,
    )
    price_formula = models.CharField(
        _("price formula"), max_length=10, choices=PriceFormula.choices, default=PriceFormula.LINEAR
    )
    bilinear_x = models.DecimalField(
        _("bilinear coefficient X"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1))],
    )
    concave_alpha = models.DecimalField(
        _("concave exponent alpha"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1))],
    )
    bid_deadline = models.DateTimeField(_("deadline for bids"))
    impact_objectives = models.TextField(_("impact objectives"), blank=True)
    actions = models.ManyToManyField(
        "plan.Action",
        verbose_name=_("actions of the Plan"),
        blank=True,
        related_name="procurement_tenders",
    )
    mandatory_clauses = models.ManyToManyField(
        Clause,
        verbose_name=_("mandatory social clauses"),
        blank=True,
        related_name="tenders_mandatory",
        limit_choices_to={"kind": Clause.Kind.MANDATORY},
    )
    commissioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commissioners"),
        blank=True,
        related_name="procurement_commissions",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        indexes = [models.Index(fields=["state", "procedure"], name="tender_state_procedure")]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__gt=0), name="tender_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procurement:tender", kwargs={"pk": self.pk})

    @property
    def ocid(self) -> str:
        return f"{settings_ocid_prefix()}-{self.pk}"

    @property
    def scores_price(self) -> bool:
        return self.procedure not in NO_PRICE_PROCEDURES

    @property
    def is_published(self) -> bool:
        return self.state != self.State.DRAFT


def settings_ocid_prefix() -> str:
    """The OCID prefix: ``PES_OCID_PREFIX`` in settings, else a local placeholder.

    A real one is assigned by the Open Contracting Partnership on registration."""
    return str(getattr(settings, "PES_OCID_PREFIX", "ocds-pes000"))


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=255)
    value = models.DecimalField(
        _("value (€)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality (commissioners' coefficients)")
        QUANTITATIVE = "quantitative", _("Quantitative (proportional to the best)")
        CLAUSE = "clause", _("Reward clause")

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    label = models.CharField(_("criterion"), max_length=200)
    weight = models.DecimalField(
        _("weight (points)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria",
    )
    rescale = models.BooleanField(_("re-scale to the best"), default=False)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="criterion_weight_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind="clause") | Q(clause__isnull=False),
                name="criterion_clause_has_clause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.weight})"


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    supplier = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("bidder"),
        on_delete=models.PROTECT,
        related_name="procurement_bids",
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True
    )
    price = models.DecimalField(
        _("price offered (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("received"))
    excluded = models.BooleanField(_("excluded"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["tender", "supplier", "lot"], name="bid_unique"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0), name="bid_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} — {self.tender}"


class BidValue(models.Model):
    """What a bid offers on one criterion: a quantity, or the commissioners' coefficients."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="values")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(
        _("value offered"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    coefficients = models.JSONField(_("commissioners' coefficients"), default=list, blank=True)

    class Meta:
        verbose_name = _("bid value")
        verbose_name_plural = _("bid values")
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="bidvalue_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="bidvalue_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid_id}/{self.criterion_id}: {self.value or self.coefficients}"


class Contract(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract")
    supplier = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="procurement_contracts",
    )
    value = models.DecimalField(_("value (€)"), max_digits=14, decimal_places=2)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    report_every_months = models.PositiveSmallIntegerField(
        _("reports every (months)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="contract_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender.title} — {self.supplier.name}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:contract", kwargs={"pk": self.pk})


class Commitment(models.Model):
    """A KPI the winner committed to in its bid, checked against its reports."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="commitments")
    clause = models.ForeignKey(
        Clause, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    metric = models.CharField(_("KPI"), max_length=24, choices=Metric.choices)
    target = models.DecimalField(_("committed"), max_digits=12, decimal_places=2)
    #: What the reports delivered so far (flows summed, stocks the latest value); None before
    #: the first report. Kept by ``contract_figures_refresh`` on every write of the reports.
    delivered = models.DecimalField(
        _("delivered"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(fields=["contract", "metric"], name="commitment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} ≥ {self.target}"


class ReportingPeriod(models.Model):
    """One reporting period of a contract, stored so late reports are counted in SQL.

    Kept equal to ``periods.contract_periods`` by ``contract_figures_refresh``."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    due = models.DateField(_("report due"))

    class Meta:
        ordering = ["contract", "start"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        indexes = [models.Index(fields=["due"], name="reportingperiod_due")]
        constraints = [
            models.UniqueConstraint(fields=["contract", "start"], name="reportingperiod_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.start}–{self.end}"


class SupplierReport(models.Model):
    """The supplier's report for one period of the contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    employed = models.PositiveIntegerField(_("people employed on the contract"))
    permanent_share = models.DecimalField(
        _("share of permanent contracts (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    reabsorbed = models.PositiveIntegerField(_("outgoing staff reabsorbed"), default=0)
    disadvantaged = models.PositiveIntegerField(
        _("disadvantaged or disabled people hired in the period"), default=0
    )
    training_hours = models.DecimalField(
        _("training hours in the period"),
        max_digits=9,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    local_subcontracting = models.DecimalField(
        _("subcontracted to local social economy (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["period_start"]
        verbose_name = _("supplier report")
        verbose_name_plural = _("supplier reports")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="supplier_report_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="supplier_report_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.period_start}–{self.period_end}"

    def metric_value(self, metric: str) -> Decimal:
        return Decimal(getattr(self, metric))


def delivered_value(metric: str, reports: list[SupplierReport]) -> Decimal | None:
    """Flows (hires, training hours) add up over the reports; stocks are the latest value.

    ``reports`` in the order of their periods; None before the first report."""
    if not reports:
        return None
    if metric in CUMULATIVE_METRICS:
        return sum((r.metric_value(metric) for r in reports), Decimal(0))
    return reports[-1].metric_value(metric)


class SocialValueProxy(models.Model):
    """Euro per unit of a delivered KPI, for reporting social value (never for awarding)."""

    metric = models.CharField(_("KPI"), max_length=24, choices=Metric.choices, unique=True)
    euro_per_unit = models.DecimalField(_("€ per unit"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=60)
    source = models.TextField(_("source"))
    source_uncertain = models.BooleanField(_("source to be confirmed"), default=False)

    class Meta:
        ordering = ["metric"]
        verbose_name = _("social-value proxy")
        verbose_name_plural = _("social-value proxies")
        constraints = [
            models.CheckConstraint(condition=Q(euro_per_unit__gte=0), name="proxy_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.euro_per_unit} €"
