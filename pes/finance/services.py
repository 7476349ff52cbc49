"""Writes of the finance module. Views, forms, the API and the demo call these.

Every write runs in a transaction and is audited (``pes.core.audit``); a refused write raises
``ValidationError`` with field errors and changes nothing. E-mails go out through background
tasks (``tasks.py``) once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record, diff, snapshot
from pes.finance.models import (
    Application,
    Call,
    DocumentKind,
    FinancialProduct,
    ImpactCase,
    Programme,
    Stage,
    WalletDocument,
)
from pes.finance.selectors import PROFILE_FIELDS, prefilled_count, profile_of
from pes.registry.models import Organization


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


#: Path segments of the module's pages next to ``<slug>``: never given as a slug.
RESERVED_SLUGS = {"nuovo", "per-te"}


def _unique_slug(model: Any, title: str, fallback: str) -> str:
    base = slugify(title)[:200] or fallback
    slug, n = base, 2
    while slug in RESERVED_SLUGS or model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_amounts(data: dict[str, Any], names: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in names:
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = [_("An amount cannot be negative.")]
    return errors


def _check_percentage(data: dict[str, Any], name: str, errors: dict[str, list[str]]) -> None:
    value = data.get(name)
    if value is not None and name not in errors and not (0 <= Decimal(value) <= 100):
        errors[name] = [_("A percentage is between 0 and 100.")]


def _stored(instance: Any, fields: list[str]) -> dict[str, Any]:
    """The record's values as stored (decimals with their places: "1000.00", not "1000")."""
    return snapshot(type(instance).objects.get(pk=instance.pk), fields)


def _created(instance: Any, fields: list[str]) -> dict[str, list[Any]]:
    return {k: [None, v] for k, v in _stored(instance, fields).items()}


def _update(instance: Any, data: dict[str, Any], fields: list[str]) -> dict[str, list[Any]]:
    """Set ``data`` on ``instance``, validate and save it; the changes, for the audit.

    Both sides are read from the database: a bound ModelForm has already set the new values
    on the instance it was given, and a decimal typed "1000" is stored as "1000.00"."""
    before = _stored(instance, fields)
    for key, value in data.items():
        setattr(instance, key, value)
    instance.full_clean()
    instance.save()
    return diff(before, _stored(instance, fields))


# ----------------------------------------------------------------------------- programmes, calls

PROGRAMME_FIELDS = ["title", "source", "funder_name", "funder_id", "description", "budget", "url"]


def programme_validate(data: dict[str, Any]) -> None:
    """The rules a programme obeys, as field errors: its budget is not negative."""
    errors = _check_amounts(data, ["budget"])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def programme_create(
    *, data: dict[str, Any], actions: list[Any] | None = None, user: Any = None
) -> Programme:
    programme_validate(data)
    programme = Programme(**data)
    programme.slug = _unique_slug(Programme, programme.title, "programma")
    programme.full_clean(exclude=["slug"])
    programme.save()
    if actions:
        programme.actions.set(actions)
    audit_record(
        user=user,
        instance=programme,
        action="create",
        changes=_created(programme, PROGRAMME_FIELDS),
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    data: dict[str, Any],
    actions: list[Any] | None = None,
    user: Any = None,
) -> Programme:
    """Change a programme (its slug, and so its address, stays)."""
    programme_validate(data)
    changes = _update(programme, data, PROGRAMME_FIELDS)
    if actions is not None:
        before = set(programme.actions.values_list("pk", flat=True))
        after = {a.pk for a in actions}
        if before != after:
            programme.actions.set(actions)
            changes["actions"] = [sorted(before), sorted(after)]
    if changes:
        audit_record(user=user, instance=programme, action="update", changes=changes)
    return programme


def call_validate(data: dict[str, Any], *, new: bool = True) -> None:
    """The rules a call obeys, as field errors: a deadline in the future (for a new call),
    no negative amount, minimum not above maximum nor above the budget, co-financing as a
    percentage, documents of known kinds."""
    errors = _check_amounts(data, ["budget", "min_amount", "max_amount"])
    deadline = data.get("deadline")
    if new and deadline is not None and deadline <= timezone.now():
        errors["deadline"] = [_("The deadline is in the past: give a future date and time.")]
    opens_on = data.get("opens_on")
    if deadline is not None and opens_on is not None:
        if opens_on > timezone.localtime(deadline).date():
            errors["opens_on"] = [_("The call cannot open after its deadline.")]
    low, high = data.get("min_amount"), data.get("max_amount")
    if low is not None and high is not None and "min_amount" not in errors and low > high:
        errors["min_amount"] = [_("The minimum cannot be above the maximum.")]
    budget = data.get("budget")
    if high is not None and budget is not None and "max_amount" not in errors and high > budget:
        errors.setdefault("max_amount", []).append(
            _("The maximum per project cannot be above the call's budget.")
        )
    pct = data.get("co_financing_pct")
    if pct is not None and not (0 <= pct <= 100):
        errors["co_financing_pct"] = [_("Co-financing is a percentage between 0 and 100.")]
    unknown = set(data.get("required_documents") or []) - set(DocumentKind.values)
    if unknown:
        errors["required_documents"] = [_("Unknown kinds of document.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_create(
    *,
    programme: Programme,
    data: dict[str, Any],
    legal_forms: list[Any] | None = None,
    activities: list[Any] | None = None,
    municipalities: list[Any] | None = None,
    actions: list[Any] | None = None,
    user: Any = None,
    check_deadline: bool = True,
) -> Call:
    call_validate(data, new=check_deadline)
    call = Call(programme=programme, **data)
    call.slug = _unique_slug(Call, call.title, "bando")
    call.full_clean(exclude=["slug"])
    call.save()
    call.legal_forms.set(legal_forms or [])
    call.activities.set(activities or [])
    call.municipalities.set(municipalities or [])
    call.actions.set(actions or [])
    audit_record(user=user, instance=call, action="create")
    return call


# ----------------------------------------------------------------------------- products, cases

PRODUCT_FIELDS = [
    "name",
    "kind",
    "provider_kind",
    "provider_name",
    "stages",
    "description",
    "min_amount",
    "max_amount",
    "rate_pct",
    "term_months",
    "url",
    "is_published",
]


def product_validate(data: dict[str, Any]) -> None:
    """The rules a financial product obeys, as field errors: no negative amount, minimum not
    above maximum, the rate a percentage, stages of known kinds."""
    errors = _check_amounts(data, ["min_amount", "max_amount"])
    low, high = data.get("min_amount"), data.get("max_amount")
    if low is not None and high is not None and not errors and low > high:
        errors["min_amount"] = [_("The minimum cannot be above the maximum.")]
    _check_percentage(data, "rate_pct", errors)
    if set(data.get("stages") or []) - set(Stage.values):
        errors["stages"] = [_("Unknown development stages.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, data: dict[str, Any], user: Any = None) -> FinancialProduct:
    product_validate(data)
    product = FinancialProduct(**data)
    product.slug = _unique_slug(FinancialProduct, product.name, "prodotto")
    product.full_clean(exclude=["slug"])
    product.save()
    audit_record(
        user=user,
        instance=product,
        action="create",
        changes=_created(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def product_update(
    *, product: FinancialProduct, data: dict[str, Any], user: Any = None
) -> FinancialProduct:
    product_validate(data)
    changes = _update(product, data, PRODUCT_FIELDS)
    if changes:
        audit_record(user=user, instance=product, action="update", changes=changes)
    return product


CASE_FIELDS = [
    "title",
    "country",
    "territory",
    "sector",
    "year_launched",
    "instrument",
    "outcome_metrics",
    "outcome_payer",
    "investors",
    "capital",
    "maturity_years",
    "max_return_pct",
    "results",
    "source_url",
]
FIRST_CASE_YEAR = 1990


def case_validate(data: dict[str, Any]) -> None:
    """The rules a case obeys, as field errors: capital not negative, a maturity, the
    maximum return a percentage, launched in a past or the current year."""
    errors = _check_amounts(data, ["capital"])
    maturity = data.get("maturity_years")
    if maturity is not None and maturity <= 0:
        errors["maturity_years"] = [_("The maturity must be greater than zero.")]
    _check_percentage(data, "max_return_pct", errors)
    year = data.get("year_launched")
    this_year = timezone.localdate().year
    if year is not None and not (FIRST_CASE_YEAR <= year <= this_year):
        errors["year_launched"] = [
            _("Give a year between %(first)s and %(last)s.")
            % {"first": FIRST_CASE_YEAR, "last": this_year}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_create(*, data: dict[str, Any], user: Any = None) -> ImpactCase:
    case_validate(data)
    case = ImpactCase(**data)
    case.slug = _unique_slug(ImpactCase, case.title, "caso")
    case.full_clean(exclude=["slug"])
    case.save()
    audit_record(
        user=user,
        instance=case,
        action="create",
        changes=_created(case, CASE_FIELDS),
    )
    return case


@transaction.atomic
def case_update(*, case: ImpactCase, data: dict[str, Any], user: Any = None) -> ImpactCase:
    case_validate(data)
    changes = _update(case, data, CASE_FIELDS)
    if changes:
        audit_record(user=user, instance=case, action="update", changes=changes)
    return case


# ----------------------------------------------------------------------------- wallet


@transaction.atomic
def wallet_document_add(
    *,
    organization: Organization,
    kind: str,
    title: str,
    file: Any,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    user: Any = None,
) -> WalletDocument:
    """Keep a document in the organisation's wallet. An expired document is refused."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if issued_on > today:
        errors["issued_on"] = [_("The issue date cannot be in the future.")]
    if expires_on is not None and expires_on < today:
        errors["expires_on"] = [
            _("This document expired on %(date)s: upload a valid one.")
            % {"date": date_format(expires_on, "SHORT_DATE_FORMAT")}
        ]
    elif expires_on is not None and expires_on < issued_on:
        errors["expires_on"] = [_("The expiry date comes before the issue date.")]
    if kind not in DocumentKind.values:
        errors["kind"] = [_("Unknown kind of document.")]
    if errors:
        raise ValidationError(errors)
    document = WalletDocument(
        organization=organization,
        kind=kind,
        title=title,
        file=file,
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    document.save()
    audit_record(user=user, instance=document, action="create")
    return document


@transaction.atomic
def wallet_document_delete(*, document: WalletDocument, user: Any = None) -> None:
    if document.applications.exists():
        raise ValidationError(
            _("This document is attached to an application: it is kept as it was sent.")
        )
    audit_record(user=user, instance=document, action="delete")
    document.file.delete(save=False)
    document.delete()


# ----------------------------------------------------------------------------- applications


def _check_application(
    *,
    call: Call,
    organization: Organization,
    data: dict[str, Any],
    documents: list[WalletDocument],
) -> None:
    errors: dict[str, list[str]] = {}
    amount = data.get("amount_requested")
    if amount is None:
        errors["amount_requested"] = [_("Give the amount requested.")]
    elif amount < 0:
        errors["amount_requested"] = [_("An amount cannot be negative.")]
    elif amount < call.min_amount or amount > call.max_amount:
        errors["amount_requested"] = [
            _("This call funds between € %(min)s and € %(max)s per project.")
            % {"min": call.min_amount, "max": call.max_amount}
        ]
    if not (data.get("project_title") or "").strip():
        errors["project_title"] = [_("Give the project a title.")]
    if not (data.get("summary") or "").strip():
        errors["summary"] = [_("Summarise the project.")]
    foreign = [d for d in documents if d.organization_id != organization.pk]
    if foreign:
        errors.setdefault("documents", []).append(
            _("Attach only documents of your organisation's wallet.")
        )
    today = timezone.localdate()
    expired = [d for d in documents if d.is_expired(today)]
    for document in expired:
        errors.setdefault("documents", []).append(
            _("“%(title)s” expired on %(date)s: upload a valid one to your wallet.")
            % {
                "title": document.title,
                "date": date_format(document.expires_on or today, "SHORT_DATE_FORMAT"),
            }
        )
    valid_kinds = {d.kind for d in documents if d not in expired and d not in foreign}
    labels = dict(DocumentKind.choices)
    for kind in call.required_documents:
        if kind not in valid_kinds:
            errors.setdefault("documents", []).append(
                _("The call requires this document: %(kind)s. Add it to your wallet and attach it.")
                % {"kind": labels.get(kind, kind)}
            )
    if errors:
        raise ValidationError(errors)


def _clean_profile(organization: Organization, profile: dict[str, Any] | None) -> dict[str, Any]:
    """The profile as sent: the registry's values, with the applicant's corrections."""
    clean = profile_of(organization)
    for name in PROFILE_FIELDS:
        if profile and name in profile and profile[name] not in (None, ""):
            value = profile[name]
            clean[name] = value if isinstance(value, int | str) else str(value)
    return clean


@transaction.atomic
def application_submit(
    *,
    call: Call,
    organization: Organization,
    data: dict[str, Any],
    documents: list[WalletDocument],
    profile: dict[str, Any] | None = None,
    user: Any = None,
) -> Application:
    """Apply to an open call for an organisation: its profile is taken from the registry
    (with the applicant's corrections), its documents from its wallet."""
    if not call.is_open or not call.is_published:
        raise ValidationError(_("This call is not open for applications."))
    if Application.objects.filter(call=call, organization=organization).exists():
        raise ValidationError(_("Your organisation has already applied to this call."))
    _check_application(call=call, organization=organization, data=data, documents=documents)
    filled, total = prefilled_count(profile_of(organization))
    application = Application(
        call=call,
        organization=organization,
        project_title=data["project_title"].strip(),
        summary=data["summary"].strip(),
        amount_requested=data["amount_requested"],
        profile=_clean_profile(organization, profile),
        prefilled_fields=filled,
        total_fields=total,
        submitted_by=user if getattr(user, "pk", None) else None,
        submitted_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise ValidationError(_("Your organisation has already applied to this call.")) from exc
    application.documents.set(documents)
    audit_record(
        user=user,
        instance=application,
        action="create",
        changes={"status": [None, application.status], "documents": [d.pk for d in documents]},
    )
    from pes.finance.tasks import notify_application

    _after_commit(notify_application, application.pk)
    return application


@transaction.atomic
def application_resubmit(
    *,
    application: Application,
    data: dict[str, Any],
    documents: list[WalletDocument],
    profile: dict[str, Any] | None = None,
    user: Any = None,
) -> Application:
    """Send an application again after the funder asked for changes."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.CHANGES_REQUESTED:
        raise ValidationError(_("This application can be changed only when the funder asks."))
    _check_application(
        call=application.call,
        organization=application.organization,
        data=data,
        documents=documents,
    )
    before = application.status
    application.project_title = data["project_title"].strip()
    application.summary = data["summary"].strip()
    application.amount_requested = data["amount_requested"]
    application.profile = _clean_profile(application.organization, profile)
    application.status = Application.Status.SUBMITTED
    application.save(
        update_fields=["project_title", "summary", "amount_requested", "profile", "status"]
    )
    application.documents.set(documents)
    audit_record(
        user=user,
        instance=application,
        action="update",
        changes={"status": [before, application.status]},
    )
    from pes.finance.tasks import notify_application

    _after_commit(notify_application, application.pk)
    return application


@transaction.atomic
def application_request_changes(
    *, application: Application, note: str, user: Any = None
) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("Changes can be asked only on a submitted application."))
    if not note.strip():
        raise ValidationError({"note": [_("Say what the organisation should change.")]})
    before = application.status
    application.status = Application.Status.CHANGES_REQUESTED
    application.review_note = note.strip()
    application.save(update_fields=["status", "review_note"])
    audit_record(
        user=user,
        instance=application,
        action="update",
        changes={"status": [before, application.status]},
    )
    from pes.finance.tasks import notify_application

    _after_commit(notify_application, application.pk)
    return application


@transaction.atomic
def application_decide(
    *,
    application: Application,
    approve: bool,
    amount_granted: Decimal | None = None,
    note: str = "",
    user: Any = None,
) -> Application:
    """Approve (with the amount granted, up to the amount requested) or reject."""
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be decided."))
    if approve:
        if amount_granted is None:
            raise ValidationError({"amount_granted": [_("Give the amount granted.")]})
        if amount_granted < 0:
            raise ValidationError({"amount_granted": [_("An amount cannot be negative.")]})
        if amount_granted > application.amount_requested:
            raise ValidationError(
                {"amount_granted": [_("The amount granted cannot exceed the amount requested.")]}
            )
    elif not note.strip():
        raise ValidationError({"note": [_("Give the reason for the rejection.")]})
    before = application.status
    application.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    application.amount_granted = amount_granted if approve else None
    application.review_note = note.strip()
    application.decided_at = timezone.now()
    application.decided_by = user if getattr(user, "pk", None) else None
    application.save(
        update_fields=["status", "amount_granted", "review_note", "decided_at", "decided_by"]
    )
    audit_record(
        user=user,
        instance=application,
        action="update",
        changes={
            "status": [before, application.status],
            "amount_granted": [None, str(amount_granted) if approve else None],
        },
    )
    from pes.finance.tasks import notify_application

    _after_commit(notify_application, application.pk)
    return application
