"""Reads of the finance module: call lists, "calls for you" with reasons, the profile an
application starts from, and the dashboard's aggregates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from pes.finance.models import (
    Application,
    Call,
    FinancialProduct,
    ImpactCase,
    Programme,
    WalletDocument,
    size_of,
    stage_of,
)
from pes.registry.models import Organization

# The registry fields an application form is filled in with (ask once).
PROFILE_FIELDS = [
    "name",
    "codice_fiscale",
    "partita_iva",
    "legal_form",
    "head_office",
    "address",
    "email",
    "pec",
    "phone",
    "website",
    "legal_representative",
    "workers",
    "year_founded",
]
PROJECT_FIELDS = ["project_title", "summary", "amount_requested"]


# ----------------------------------------------------------------------------- calls


@dataclass
class CallFilters:
    q: str = ""
    source: str = ""
    instrument: str = ""
    open_only: bool = True

    def active(self) -> bool:
        return bool(self.q or self.source or self.instrument or not self.open_only)


def open_calls() -> QuerySet[Call]:
    now = timezone.now()
    return Call.objects.filter(
        is_published=True, deadline__gt=now, opens_on__lte=timezone.localdate()
    )


def call_list(*, filters: CallFilters | None = None) -> QuerySet[Call]:
    filters = filters or CallFilters()
    qs = open_calls() if filters.open_only else Call.objects.filter(is_published=True)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.source:
        qs = qs.filter(programme__source=filters.source)
    if filters.instrument:
        qs = qs.filter(instrument=filters.instrument)
    return qs.select_related("programme").order_by("deadline", "title")


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.select_related("funder").annotate(n_calls=Count("calls"))


def product_list(
    *, kind: str = "", stage: str = "", unpublished: bool = False
) -> list[FinancialProduct]:
    """Published products; ``unpublished`` too for those who edit them."""
    qs = (
        FinancialProduct.objects.all()
        if unpublished
        else FinancialProduct.objects.filter(is_published=True)
    )
    if kind:
        qs = qs.filter(kind=kind)
    products = list(qs.order_by("kind", "name"))
    if stage:  # a JSON list: filtered here, identically on SQLite and PostgreSQL
        products = [p for p in products if not p.stages or stage in p.stages]
    return products


def case_list() -> QuerySet[ImpactCase]:
    return ImpactCase.objects.all()


# ----------------------------------------------------------------------------- matching


@dataclass
class Match:
    call: Call
    score: int
    reasons: list[str] = field(default_factory=list)


def calls_for_organization(*, organization: Organization, limit: int = 50) -> list[Match]:
    """The open calls an organisation is eligible for, ranked, each with the reasons.

    A call that restricts a criterion (legal forms, activities, municipalities, stages, sizes)
    excludes organisations that do not meet it; each restriction met adds points and a reason
    (legal form 3, activity 3, municipality 2, stage 2, size 1, a mission of the Plan the
    organisation works on 2). Ties go to the nearest deadline. Queries: a fixed number,
    whatever the number of calls.
    """
    org = organization
    stage = stage_of(org.year_founded)
    size = size_of(org.workers)
    org_activities = set(org.activities.values_list("pk", flat=True))
    org_missions = set(org.missions.values_list("pk", flat=True))
    calls = list(
        open_calls()
        .select_related("programme")
        .prefetch_related("legal_forms", "activities", "municipalities", "actions__mission")
        .order_by("deadline")[:500]
    )
    matches: list[Match] = []
    for call in calls:
        score, reasons = 0, []
        forms = {lf.pk for lf in call.legal_forms.all()}
        if forms:
            if org.legal_form_id not in forms:
                continue
            score += 3
            reasons.append(_("Open to your legal form (%(form)s).") % {"form": org.legal_form})
        activities = {a.pk: a for a in call.activities.all()}
        if activities:
            common = org_activities & set(activities)
            if not common:
                continue
            score += 3
            labels = ", ".join(sorted(activities[pk].letter for pk in common))
            reasons.append(
                _("Matches your activities (art. 5 CTS letters %(letters)s).") % {"letters": labels}
            )
        places = {m.pk for m in call.municipalities.all()}
        if places:
            if org.head_office_id not in places:
                continue
            score += 2
            reasons.append(_("Your head office is in one of its municipalities."))
        if call.stages:
            if stage not in call.stages:
                continue
            score += 2
            reasons.append(_("Meant for organisations at your stage of development."))
        if call.sizes:
            if size is None or size not in call.sizes:
                continue
            score += 1
            reasons.append(_("Meant for organisations of your size."))
        shared = sorted(
            {a.mission.number for a in call.actions.all() if a.mission_id in org_missions}
        )
        if shared:
            score += 2
            reasons.append(
                _("Funds actions of mission %(missions)s of the Plan, which you work on.")
                % {"missions": ", ".join(str(n) for n in shared)}
            )
        if not reasons:
            reasons.append(_("Open to every organisation of the metropolitan area."))
        matches.append(Match(call=call, score=score, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.call.deadline, m.call.title))
    return matches[:limit]


def organization_fits_call(*, organization: Organization, call: Call) -> bool:
    return any(m.call.pk == call.pk for m in calls_for_organization(organization=organization))


# ----------------------------------------------------------------------------- ask once


def profile_of(organization: Organization) -> dict[str, Any]:
    """The registry profile an application is filled in with, as plain values."""
    org = organization
    return {
        "name": org.name,
        "codice_fiscale": org.codice_fiscale,
        "partita_iva": org.partita_iva,
        "legal_form": str(org.legal_form) if org.legal_form_id else "",
        "head_office": org.head_office.name if org.head_office_id else "",  # type: ignore[union-attr]
        "address": org.address,
        "email": org.email,
        "pec": org.pec,
        "phone": org.phone,
        "website": org.website,
        "legal_representative": org.legal_representative,
        "workers": org.workers,
        "year_founded": org.year_founded,
    }


def prefilled_count(profile: dict[str, Any]) -> tuple[int, int]:
    """(fields filled in from the registry, fields in the application form)."""
    filled = sum(1 for name in PROFILE_FIELDS if profile.get(name) not in (None, ""))
    return filled, len(PROFILE_FIELDS) + len(PROJECT_FIELDS)


def wallet_of(organization: Organization) -> list[WalletDocument]:
    return list(
        WalletDocument.objects.filter(organization=organization).order_by("kind", "-issued_on")
    )


def applications_of(*, organizations: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(organization__in=organizations)
        .select_related("call__programme", "organization")
        .order_by("-submitted_at")
    )


def applications_to_review(*, user: Any) -> QuerySet[Application]:
    from pes.finance.access import programmes_managed_by

    return (
        Application.objects.filter(call__programme__in=programmes_managed_by(user))
        .select_related("call__programme", "organization")
        .order_by(
            # open ones first
            F("decided_at").desc(nulls_first=True),
            "-submitted_at",
        )
    )


# ----------------------------------------------------------------------------- dashboard


def dashboard() -> dict[str, Any]:
    """Money mobilised by source and instrument, organisations reached by legal form and
    district, success rate and days to decision. A fixed number of queries."""
    approved = Application.objects.filter(status=Application.Status.APPROVED)
    by_source = list(
        approved.values("call__programme__source")
        .annotate(amount=Sum("amount_granted"), n=Count("id"))
        .order_by("-amount")
    )
    by_instrument = list(
        approved.values("call__instrument")
        .annotate(amount=Sum("amount_granted"), n=Count("id"))
        .order_by("-amount")
    )
    by_legal_form = list(
        approved.values("organization__legal_form__label")
        .annotate(n=Count("organization", distinct=True))
        .order_by("-n", "organization__legal_form__label")
    )
    by_district = list(
        approved.values("organization__head_office__district__name")
        .annotate(n=Count("organization", distinct=True))
        .order_by("-n", "organization__head_office__district__name")
    )
    decided = Application.objects.filter(status__in=Application.DECIDED)
    totals = decided.aggregate(
        n=Count("id"),
        approved=Count("id", filter=Q(status=Application.Status.APPROVED)),
        amount=Sum("amount_granted"),
    )
    duration = decided.filter(decided_at__isnull=False).aggregate(
        avg=Avg(
            ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
        )
    )["avg"]
    summary = Application.objects.aggregate(
        n=Count("id"), orgs=Count("organization", distinct=True)
    )
    prefill = Application.objects.aggregate(
        avg=Avg(F("prefilled_fields") * 100.0 / F("total_fields"))
    )
    return {
        "by_source": by_source,
        "by_instrument": by_instrument,
        "by_legal_form": by_legal_form,
        "by_district": by_district,
        "applications": summary["n"],
        "organizations": summary["orgs"],
        "decided": totals["n"],
        "approved": totals["approved"],
        "mobilised": totals["amount"] or Decimal(0),
        "success_rate": round(100 * totals["approved"] / totals["n"]) if totals["n"] else None,
        "days_to_decision": round(duration.total_seconds() / 86400, 1) if duration else None,
        "prefilled_pct": round(prefill["avg"]) if prefill["avg"] is not None else None,
        "open_calls": open_calls().count(),
    }


def calls_closing(*, within_days: int) -> QuerySet[Call]:
    now = timezone.now()
    return (
        open_calls()
        .filter(deadline__lte=now + dt.timedelta(days=within_days))
        .select_related("programme")
    )
