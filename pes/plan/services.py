"""Writes to the Plan's monitoring: initiatives, budget, indicators, measurements, reports.

Every write is audited (``pes.core.audit``). Views, forms, the API and imports call these.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record, diff, snapshot
from pes.plan.models import (
    PUBLIC_SOURCES,
    BudgetLine,
    Indicator,
    IndicatorTarget,
    Initiative,
    Measurement,
    Partner,
    Plan,
    Report,
    TimelineEntry,
)
from pes.plan.rollup import plan_rollup_refresh

INITIATIVE_FIELDS = [
    "action_id",
    "parent_id",
    "title",
    "description",
    "lead_id",
    "status_id",
    "progress_override",
    "start_date",
    "end_date",
    "cup",
    "weight",
    "external_id",
]


class ConcurrentEditError(ValidationError):
    """Someone else saved the record after it was opened: nothing was overwritten."""


def _plan_bounds(plan: Plan | None = None) -> tuple[dt.date, dt.date]:
    plan = plan or Plan.objects.get()
    return dt.date(plan.start_year, 1, 1), dt.date(plan.end_year, 12, 31)


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:240] or "iniziativa"
    slug, n = base, 2
    qs = Initiative.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def cup_clean(value: str) -> str:
    """CUP: 15 characters, letters and digits (Codice Unico di Progetto)."""
    cup = "".join(value.split()).upper()
    if cup and (len(cup) != 15 or not cup.isalnum()):
        raise ValidationError(_("The CUP has 15 letters and digits."), code="cup")
    return cup


@transaction.atomic
def initiative_create(
    *,
    data: dict[str, Any],
    municipalities: list[Any] | None = None,
    partners: list[tuple[Any, str]] | None = None,
    user: Any = None,
) -> Initiative:
    initiative = Initiative(**data)
    initiative.cup = cup_clean(initiative.cup or "")
    initiative.slug = _unique_slug(initiative.title)
    initiative.full_clean(exclude=["slug"])
    initiative.save()
    if municipalities is not None:
        initiative.municipalities.set(municipalities)
    for organization, role in partners or []:
        Partner.objects.get_or_create(initiative=initiative, organization=organization, role=role)
    audit_record(
        user=user,
        instance=initiative,
        action="create",
        changes={k: [None, v] for k, v in snapshot(initiative, INITIATIVE_FIELDS).items()},
    )
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    data: dict[str, Any],
    expected_version: int | None = None,
    municipalities: list[Any] | None = None,
    user: Any = None,
) -> Initiative:
    """Update with optimistic locking: ``expected_version`` is the version the user opened."""
    before = snapshot(initiative, INITIATIVE_FIELDS)
    for key, value in data.items():
        setattr(initiative, key, value)
    initiative.cup = cup_clean(initiative.cup or "")
    if before["title"] != initiative.title:
        initiative.slug = _unique_slug(initiative.title, exclude_pk=initiative.pk)
    initiative.full_clean(exclude=["slug"])
    version = expected_version if expected_version is not None else initiative.version
    values = {f.attname: getattr(initiative, f.attname) for f in Initiative._meta.concrete_fields}
    for key in ("id", "version", "created_at"):
        values.pop(key)
    values["updated_at"] = timezone.now()
    updated = Initiative.objects.filter(pk=initiative.pk, version=version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise ConcurrentEditError(
            _(
                "Someone else saved this initiative while you were editing it. "
                "Reload the page to see their changes; yours were not saved."
            ),
            code="concurrent",
        )
    initiative.refresh_from_db()
    plan_rollup_refresh()  # written with ``update``: no signal
    if municipalities is not None:
        initiative.municipalities.set(municipalities)
    changes = diff(before, snapshot(initiative, INITIATIVE_FIELDS))
    if changes:
        audit_record(user=user, instance=initiative, action="update", changes=changes)
    return initiative


def initiative_refresh_totals(*, initiative: Initiative) -> None:
    """Recompute the denormalised money totals from the budget lines."""
    lines = BudgetLine.objects.filter(initiative=initiative)
    total = lines.aggregate(c=Sum("committed"))["c"] or Decimal(0)
    public = lines.filter(source__in=PUBLIC_SOURCES).aggregate(c=Sum("committed"), s=Sum("spent"))
    Initiative.objects.filter(pk=initiative.pk).update(
        committed_total=total,
        public_committed_total=public["c"] or Decimal(0),
        public_spent_total=public["s"] or Decimal(0),
    )
    initiative.refresh_from_db(
        fields=["committed_total", "public_committed_total", "public_spent_total"]
    )
    plan_rollup_refresh()  # written with ``update``: no signal


@transaction.atomic
def budget_line_save(
    *, initiative: Initiative, data: dict[str, Any], line: BudgetLine | None = None, user: Any
) -> BudgetLine:
    before = snapshot(line) if line else {}
    line = line or BudgetLine(initiative=initiative)
    for key, value in data.items():
        setattr(line, key, value)
    if line.spent is not None and line.committed is not None and line.spent > line.committed:
        raise ValidationError({"spent": _("The amount spent cannot exceed the amount committed.")})
    line.full_clean()
    line.save()
    initiative_refresh_totals(initiative=initiative)
    audit_record(
        user=user,
        instance=line,
        action="update" if before else "create",
        changes=diff(before, snapshot(line)),
    )
    return line


def timeline_add(
    *, initiative: Initiative, date: dt.date, text: str, progress: Decimal | None, user: Any
) -> TimelineEntry:
    entry = TimelineEntry(initiative=initiative, date=date, text=text, progress=progress)
    entry.full_clean()
    entry.save()
    audit_record(
        user=user, instance=initiative, action="update", changes={"timeline": [None, text]}
    )
    return entry


# ----------------------------------------------------------------------------- indicators


def indicator_set_targets(
    *, indicator: Indicator, targets: dict[int, Decimal], user: Any
) -> list[IndicatorTarget]:
    plan = Plan.objects.get()
    bad = [year for year in targets if not plan.start_year <= year <= plan.end_year]
    if bad:
        raise ValidationError(
            {
                "targets": _("Target years must fall within the Plan, %(start)s–%(end)s.")
                % {"start": plan.start_year, "end": plan.end_year}
            }
        )
    saved = []
    with transaction.atomic():
        for year, value in sorted(targets.items()):
            target, _created = IndicatorTarget.objects.update_or_create(
                indicator=indicator, year=year, defaults={"value": value}
            )
            saved.append(target)
        audit_record(
            user=user,
            instance=indicator,
            action="update",
            changes={"targets": [None, {str(y): str(v) for y, v in targets.items()}]},
        )
    return saved


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except Exception as exc:  # decimal.InvalidOperation and friends
        raise ValidationError({field: _("Enter a number.")}) from exc


def measurement_record(
    *,
    indicator: Indicator,
    date: dt.date,
    value: Any,
    user: Any,
    municipality: Any = None,
    gender: str = "",
    source: str = "",
    note: str = "",
    provisional: bool = False,
    report: Report | None = None,
) -> Measurement:
    """Record a value, checking it is a number, dated within the Plan and broken down as allowed."""
    start, end = _plan_bounds()
    errors: dict[str, str] = {}
    number = Decimal(0)
    try:
        number = _decimal(value, "value")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not start <= date <= end:
        errors["date"] = _("The date must fall within the Plan, %(start)s–%(end)s.") % {
            "start": start.year,
            "end": end.year,
        }
    if municipality is not None and not indicator.by_municipality:
        errors["municipality"] = _("This indicator is not broken down by municipality.")
    if gender and not indicator.by_gender:
        errors["gender"] = _("This indicator is not broken down by gender.")
    if errors:
        raise ValidationError(errors)
    measurement = Measurement(
        indicator=indicator,
        date=date,
        value=number,
        municipality=municipality,
        gender=gender,
        source=source,
        note=note,
        provisional=provisional,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        report=report,
    )
    measurement.full_clean()
    measurement.save()
    audit_record(
        user=user,
        instance=measurement,
        action="create",
        changes={"value": [None, str(number)], "date": [None, date.isoformat()]},
    )
    return measurement


# ----------------------------------------------------------------------------- reports


class ReportError(ValidationError):
    pass


@transaction.atomic
def report_submit(
    *,
    initiative: Initiative,
    period: Any,
    data: dict[str, Any],
    values: list[dict[str, Any]] | None = None,
    user: Any,
) -> Report:
    """Submit the lead's report for a period: once per period (a returned report may be resent)."""
    report = Report.objects.select_for_update().filter(initiative=initiative, period=period).first()
    if report is not None and report.state in (Report.State.SUBMITTED, Report.State.APPROVED):
        raise ReportError(
            _("A report for %(period)s has already been submitted.") % {"period": period},
            code="duplicate",
        )
    report = report or Report(initiative=initiative, period=period)
    for key, value in data.items():
        setattr(report, key, value)
    report.state = Report.State.SUBMITTED
    report.submitted_by = user
    report.submitted_at = timezone.now()
    report.full_clean()
    report.save()
    report.measurements.all().delete()
    for item in values or []:
        measurement_record(
            indicator=item["indicator"],
            date=item.get("date") or period.end,
            value=item["value"],
            municipality=item.get("municipality"),
            gender=item.get("gender", ""),
            source=item.get("source") or _("report of the lead organisation"),
            provisional=True,
            user=user,
            report=report,
        )
    audit_record(
        user=user, instance=report, action="transition", changes={"state": [None, "submitted"]}
    )
    return report


@transaction.atomic
def report_approve(*, report: Report, user: Any, comment: str = "") -> Report:
    report = Report.objects.select_for_update().select_related("initiative").get(pk=report.pk)
    if report.state != Report.State.SUBMITTED:
        raise ReportError(
            _("Only a submitted report can be approved; this one is “%(state)s”.")
            % {"state": report.get_state_display()},
            code="state",
        )
    report.state = Report.State.APPROVED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    report.measurements.update(provisional=False)
    initiative = report.initiative
    initiative_update(
        initiative=initiative,
        data={"status_id": report.status_id, "progress_override": report.progress},
        user=user,
    )
    TimelineEntry.objects.create(
        initiative=initiative,
        date=report.period.end,
        text=report.narrative[:2000],
        progress=report.progress,
    )
    audit_record(
        user=user,
        instance=report,
        action="transition",
        changes={"state": ["submitted", "approved"]},
    )
    return report


@transaction.atomic
def report_return(*, report: Report, user: Any, comment: str) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.state != Report.State.SUBMITTED:
        raise ReportError(
            _("Only a submitted report can be sent back; this one is “%(state)s”.")
            % {"state": report.get_state_display()},
            code="state",
        )
    if not comment.strip():
        raise ReportError({"review_comment": _("Say what needs to change.")})
    report.state = Report.State.RETURNED
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
    audit_record(
        user=user,
        instance=report,
        action="transition",
        changes={"state": ["submitted", "returned"]},
    )
    return report


def partner_add(*, initiative: Initiative, organization: Any, role: str, user: Any) -> Partner:
    if organization.pk == initiative.lead_id:
        raise ValidationError(
            {"organization": _("The lead organisation is not a partner of its own initiative.")}
        )
    partner, created = Partner.objects.get_or_create(
        initiative=initiative, organization=organization, role=role
    )
    if not created:
        raise ValidationError({"organization": _("This partner already has this role.")})
    audit_record(
        user=user,
        instance=initiative,
        action="update",
        changes={"partners": [None, f"{organization} ({role})"]},
    )
    return partner


@transaction.atomic
def indicator_create(
    *, initiative: Initiative, data: dict[str, Any], targets: dict[int, Decimal], user: Any
) -> Indicator:
    indicator = Indicator(initiative=initiative, **data)
    indicator.full_clean()
    indicator.save()
    if targets:
        indicator_set_targets(indicator=indicator, targets=targets, user=user)
    audit_record(
        user=user, instance=indicator, action="create", changes=diff({}, snapshot(indicator))
    )
    return indicator
