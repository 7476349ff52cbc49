"""Writes of the impact module. Views, forms, the API and the demo call these.

Every write runs in a transaction; a refused write raises ``ValidationError`` with field
errors and changes nothing. Theories, SROI analyses, campaign statuses and reports are
audited (``pes.core.audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record, diff, snapshot
from pes.impact import sroi as sroi_maths
from pes.impact.models import (
    REPORT_PHASES,
    TOC_SECTIONS,
    Answer,
    Campaign,
    DataType,
    Indicator,
    Measure,
    Method,
    MethodIndicator,
    Outcome,
    Participant,
    Proxy,
    Question,
    Report,
    Response,
    ResponseItem,
    Sroi,
    Subject,
    Survey,
    SurveyToken,
    Theory,
)
from pes.registry.models import Organization

PERCENT_FIELDS = ["deadweight", "displacement", "attribution", "drop_off"]
TOKEN_BYTES = 32
MAX_TOKENS = 2000


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_pct(data: dict[str, Any], names: list[str], errors: dict[str, list[str]]) -> None:
    for name in names:
        value = data.get(name)
        if value is not None and not (0 <= Decimal(value) <= 100):
            errors[name] = [_("A percentage is between 0 and 100.")]


# ----------------------------------------------------------------------------- theories

THEORY_FIELDS = [
    "title",
    "subject",
    "organization_id",
    "initiative_id",
    "contract_id",
    "programme",
    "municipality_id",
] + [key for key, _label in TOC_SECTIONS]


def theory_validate(data: dict[str, Any]) -> None:
    """The subject names the record the theory is about, and that record is given."""
    errors: dict[str, list[str]] = {}
    subject = data.get("subject")
    needed = {
        Subject.INITIATIVE: "initiative",
        Subject.CONTRACT: "contract",
        Subject.ORGANIZATION: "organization",
        Subject.PROGRAMME: "programme",
    }
    if subject not in needed:
        errors["subject"] = [_("Choose what the theory of change is about.")]
    else:
        name = needed[Subject(subject)]
        if not data.get(name):
            errors[name] = [_("Give the record the theory of change is about.")]
    if not (data.get("title") or "").strip():
        errors["title"] = [_("This field is required.")]
    _raise(errors)


@transaction.atomic
def theory_create(*, data: dict[str, Any], user: Any = None) -> Theory:
    theory_validate(data)
    theory = Theory(**data, created_by=user if user and user.is_authenticated else None)
    if theory.subject == Subject.CONTRACT and theory.organization is None and theory.contract:
        theory.organization = theory.contract.supplier
    if theory.subject == Subject.INITIATIVE and theory.organization is None and theory.initiative:
        theory.organization = theory.initiative.lead
    theory.full_clean()
    theory.save()
    audit_record(user=user, instance=theory, action="create")
    return theory


@transaction.atomic
def theory_update(*, theory: Theory, data: dict[str, Any], user: Any = None) -> Theory:
    """Change some sections (one step of the editor) or the whole theory."""
    before = snapshot(theory, THEORY_FIELDS)
    for key, value in data.items():
        setattr(theory, key, value)
    theory_validate(
        {
            "subject": theory.subject,
            "title": theory.title,
            "initiative": theory.initiative_id,
            "contract": theory.contract_id,
            "organization": theory.organization_id,
            "programme": theory.programme,
        }
    )
    theory.full_clean()
    theory.save()
    changes = diff(before, snapshot(theory, THEORY_FIELDS))
    if changes:
        audit_record(user=user, instance=theory, action="update", changes=changes)
    return theory


# ----------------------------------------------------------------------------- library


def _unique_code(prefix: str, name: str) -> str:
    base = f"{prefix}-{slugify(name)[:20].upper()}".rstrip("-")
    code, n = base, 2
    while Indicator.objects.filter(code=code).exists() or Proxy.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code[:32]


@transaction.atomic
def indicator_create(
    *, organization: Organization, data: dict[str, Any], user: Any = None
) -> Indicator:
    """An organisation's own indicator (never in the core set)."""
    errors: dict[str, list[str]] = {}
    if data.get("data_type") not in DataType.values:
        errors["data_type"] = [_("Choose a data type.")]
    iris = (data.get("iris_id") or "").strip().upper()
    if iris and not (len(iris) == 6 and iris[:2].isalpha() and iris[2:].isdigit()):
        errors["iris_id"] = [_("An IRIS+ id is two letters and four digits, such as PI4060.")]
    _raise(errors)
    indicator = Indicator(**{**data, "iris_id": iris}, organization=organization, is_core=False)
    indicator.code = _unique_code("ORG", indicator.name)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def proxy_create(
    *, data: dict[str, Any], organization: Organization | None = None, user: Any = None
) -> Proxy:
    """A proxy always has a source; a value not from an official figure is marked to check."""
    errors: dict[str, list[str]] = {}
    if not (data.get("source") or "").strip():
        errors["source"] = [_("A financial proxy needs its source.")]
    value = data.get("euro_per_unit")
    if value is not None and Decimal(value) < 0:
        errors["euro_per_unit"] = [_("An amount cannot be negative.")]
    _raise(errors)
    proxy = Proxy(**data, organization=organization)
    proxy.code = _unique_code("PX", proxy.name)
    proxy.full_clean()
    proxy.save()
    audit_record(user=user, instance=proxy, action="create")
    return proxy


# ----------------------------------------------------------------------------- methods


def core_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_core=True).order_by("code"))


def _set_items(method: Method, indicators: list[Indicator]) -> None:
    core = core_indicators()
    ordered = core + [i for i in indicators if i.pk not in {c.pk for c in core}]
    MethodIndicator.objects.bulk_create(
        [
            MethodIndicator(method=method, indicator=ind, order=n, required=ind.is_core)
            for n, ind in enumerate(ordered, start=1)
        ]
    )


@transaction.atomic
def method_create(*, data: dict[str, Any], indicators: list[Indicator], user: Any = None) -> Method:
    """A method always includes the core set, so that results aggregate."""
    method = Method(**data, created_by=user)
    base = slugify(method.name)[:100] or "metodo"
    slug, n = base, 2
    while Method.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    method.slug, method.version = slug, 1
    method.full_clean()
    method.save()
    _set_items(method, indicators)
    audit_record(user=user, instance=method, action="create")
    return method


@transaction.atomic
def method_new_version(
    *, method: Method, indicators: list[Indicator], user: Any = None, description: str = ""
) -> Method:
    """The next version of a method, with another set of indicators; campaigns already run
    keep theirs."""
    latest = Method.objects.filter(slug=method.slug).order_by("-version").first()
    assert latest is not None  # noqa: S101 - the method itself is there
    new = Method.objects.create(
        name=method.name,
        slug=method.slug,
        version=latest.version + 1,
        unit=method.unit,
        description=description or method.description,
        created_by=user,
    )
    _set_items(new, indicators)
    audit_record(user=user, instance=new, action="create", changes={"version": [None, new.version]})
    return new


# ----------------------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(
    *,
    method: Method,
    data: dict[str, Any],
    organizations: list[Organization],
    projects: dict[int, str] | None = None,
    user: Any = None,
) -> Campaign:
    if not organizations:
        raise ValidationError({"organizations": [_("Choose at least one organisation.")]})
    if Campaign.objects.filter(method=method, year=data["year"], title=data["title"]).exists():
        raise ValidationError(
            {"title": [_("This method already has a campaign with this title in that year.")]}
        )
    campaign = Campaign(method=method, **data, created_by=user)
    campaign.full_clean()
    campaign.save()
    Participant.objects.bulk_create(
        [
            Participant(campaign=campaign, organization=o, project=(projects or {}).get(o.pk, ""))
            for o in organizations
        ]
    )
    audit_record(user=user, instance=campaign, action="create")
    return campaign


NEXT_STATUS = {
    Campaign.Status.OPEN: {Campaign.Status.CLOSED},
    Campaign.Status.CLOSED: {Campaign.Status.OPEN, Campaign.Status.VALIDATED},
    Campaign.Status.VALIDATED: set(),
}


@transaction.atomic
def campaign_set_status(*, campaign: Campaign, status: str, user: Any = None) -> Campaign:
    """Open → closed → validated (a closed campaign may be opened again; a validated one is
    final)."""
    if status not in NEXT_STATUS.get(Campaign.Status(campaign.status), set()):
        raise ValidationError({"status": [_("A campaign goes from open to closed to validated.")]})
    before = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status"])
    audit_record(
        user=user, instance=campaign, action="update", changes={"status": [before, status]}
    )
    return campaign


def _number(raw: Any) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    return value


def answer_clean(indicator: Indicator, raw: Any) -> dict[str, Any] | None:
    """The answer's columns from a raw value, or ``None`` when it is empty. A gender count is
    a dict ``{"women", "men", "other"}``. Raises ``ValidationError`` with a message."""
    kind = indicator.data_type
    if kind == DataType.GENDER_COUNT:
        raw = raw or {}
        if not isinstance(raw, dict):
            raise ValidationError(_("Give the counts of women, men and others."))
        out: dict[str, Any] = {}
        for key in ("women", "men", "other"):
            try:
                value = _number(raw.get(key))
            except ValueError:
                raise ValidationError(_("Counts are whole numbers of 0 or more.")) from None
            if value is not None and (value < 0 or value != value.to_integral_value()):
                raise ValidationError(_("Counts are whole numbers of 0 or more."))
            out[key] = int(value) if value is not None else None
        if all(v is None for v in out.values()):
            return None
        return {k: v or 0 for k, v in out.items()}
    if kind == DataType.BOOLEAN:
        if raw in (None, ""):
            return None
        if isinstance(raw, bool):
            return {"flag": raw}
        text = str(raw).strip().lower()
        if text in {"true", "1", "yes", "sì", "si", "on"}:
            return {"flag": True}
        if text in {"false", "0", "no", "off"}:
            return {"flag": False}
        raise ValidationError(_("Answer yes or no."))
    if kind == DataType.TEXT:
        text = str(raw or "").strip()
        if len(text) > 4000:
            raise ValidationError(_("At most 4,000 characters."))
        return {"text": text} if text else None
    try:
        number = _number(raw)
    except ValueError:
        raise ValidationError(_("Give a number.")) from None
    if number is None:
        return None
    if abs(number) >= Decimal("1e12"):
        raise ValidationError(_("The number is too large."))
    if kind == DataType.INTEGER and (number < 0 or number != number.to_integral_value()):
        raise ValidationError(_("Give a whole number of 0 or more."))
    if kind == DataType.PERCENTAGE and not (0 <= number <= 100):
        raise ValidationError(_("A percentage is between 0 and 100."))
    if kind in {DataType.MONEY, DataType.DECIMAL} and number < 0:
        raise ValidationError(_("The value cannot be negative."))
    return {"number": number}


def field_name(indicator: Indicator) -> str:
    return f"ind_{indicator.pk}"


@transaction.atomic
def answers_save(
    *,
    participant: Participant,
    values: dict[int, Any],
    submit: bool = False,
    user: Any = None,
) -> list[Answer]:
    """Save a participant's answers (``{indicator_id: raw value}``), all or none. With
    ``submit`` every required indicator must be answered. Only while the campaign is open."""
    campaign = participant.campaign
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("The campaign is not open: answers can no longer change."))
    items = list(
        MethodIndicator.objects.filter(method_id=campaign.method_id).select_related("indicator")
    )
    known = {item.indicator_id: item for item in items}
    errors: dict[str, list[str]] = {}
    unknown = [k for k in values if k not in known]
    if unknown:
        errors["__all__"] = [_("Some indicators are not part of this method.")]
    cleaned: dict[int, dict[str, Any] | None] = {}
    for ind_id, raw in values.items():
        if ind_id not in known:
            continue
        indicator = known[ind_id].indicator
        try:
            cleaned[ind_id] = answer_clean(indicator, raw)
        except ValidationError as exc:
            errors[field_name(indicator)] = list(exc.messages)
    existing = {a.indicator_id: a for a in participant.answers.all()}
    if submit:
        for item in items:
            given = cleaned.get(item.indicator_id, "absent")
            if given == "absent":
                given = {} if item.indicator_id in existing else None
            if item.required and given is None and field_name(item.indicator) not in errors:
                errors[field_name(item.indicator)] = [_("This indicator is required.")]
    _raise(errors)
    saved = []
    blank = {"number": None, "text": "", "flag": None, "women": None, "men": None, "other": None}
    for ind_id, columns in cleaned.items():
        if columns is None:
            if ind_id in existing:
                existing[ind_id].delete()
            continue
        answer, _created = Answer.objects.update_or_create(
            participant=participant, indicator_id=ind_id, defaults={**blank, **columns}
        )
        saved.append(answer)
    if submit:
        participant.submitted_at = timezone.now()
        participant.submitted_by = user if user and user.is_authenticated else None
        participant.save(update_fields=["submitted_at", "submitted_by"])
    return saved


# ----------------------------------------------------------------------------- surveys


def token_digest(token: str) -> str:
    """Tokens are stored as SHA-256 digests: the link itself is shown once, when issued."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def survey_create(
    *,
    campaign: Campaign,
    data: dict[str, Any],
    questions: list[tuple[str, str]],
    participant: Participant | None = None,
) -> Survey:
    errors: dict[str, list[str]] = {}
    if not questions:
        errors["questions"] = [_("Write at least one question.")]
    bad = [text for text, kind in questions if kind not in Question.Kind.values]
    if bad:
        errors["questions"] = [_("Unknown kind of question.")]
    _raise(errors)
    survey = Survey(campaign=campaign, participant=participant, **data)
    survey.full_clean()
    survey.save()
    Question.objects.bulk_create(
        [
            Question(
                survey=survey,
                order=n,
                text=text[:255],
                kind=kind,
                required=kind != Question.Kind.TEXT,
            )
            for n, (text, kind) in enumerate(questions, start=1)
        ]
    )
    return survey


@transaction.atomic
def survey_tokens_issue(*, survey: Survey, count: int, days: int = 30) -> list[str]:
    """``count`` single-use links valid for ``days`` days; the raw tokens are returned once."""
    errors: dict[str, list[str]] = {}
    if not (1 <= count <= MAX_TOKENS):
        errors["count"] = [_("From 1 to 2,000 links at a time.")]
    if not (1 <= days <= 365):
        errors["days"] = [_("A link is valid from 1 to 365 days.")]
    _raise(errors)
    if survey.campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("The campaign is not open."))
    expires = timezone.now() + dt.timedelta(days=days)
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _n in range(count)]
    SurveyToken.objects.bulk_create(
        [SurveyToken(survey=survey, token=token_digest(t), expires_at=expires) for t in tokens]
    )
    return tokens


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def survey_token_check(token: str) -> SurveyToken:
    """The link's record if it may still be used; ``TokenRefused`` with the reason if not."""
    found = (
        SurveyToken.objects.select_related("survey__campaign")
        .filter(token=token_digest(token or ""))
        .first()
    )
    if found is None:
        raise TokenRefused(_("This survey link is not valid. Check that it was copied whole."))
    if found.used_at is not None:
        raise TokenRefused(_("This survey link has already been used: each link works once."))
    if found.is_expired():
        raise TokenRefused(_("This survey link has expired."))
    if found.survey.campaign.status != Campaign.Status.OPEN:
        raise TokenRefused(_("This survey is closed."))
    return found


@transaction.atomic
def survey_respond(*, token: str, answers: dict[int, Any]) -> Response:
    """Record an anonymous response and use up the link. Answers are validated first: a
    refused response leaves the link usable."""
    link = survey_token_check(token)
    link = SurveyToken.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise TokenRefused(_("This survey link has already been used: each link works once."))
    questions = list(link.survey.questions.all())
    errors: dict[str, list[str]] = {}
    items: list[ResponseItem] = []
    for q in questions:
        raw = answers.get(q.pk)
        key = f"q_{q.pk}"
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty:
            if q.required:
                errors[key] = [_("Please answer this question.")]
            continue
        if q.kind == Question.Kind.SCALE:
            try:
                score = int(str(raw))
            except ValueError:
                score = 0
            if not (1 <= score <= 5):
                errors[key] = [_("Choose a value from 1 to 5.")]
                continue
            items.append(ResponseItem(question=q, score=score))
        elif q.kind == Question.Kind.YES_NO:
            text = str(raw).lower()
            if text not in {"yes", "no", "true", "false"}:
                errors[key] = [_("Answer yes or no.")]
                continue
            items.append(ResponseItem(question=q, flag=text in {"yes", "true"}))
        else:
            items.append(ResponseItem(question=q, text=str(raw).strip()[:4000]))
    _raise(errors)
    response = Response.objects.create(survey=link.survey)
    for item in items:
        item.response = response
    ResponseItem.objects.bulk_create(items)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return response


# ----------------------------------------------------------------------------- SROI


def sroi_validate(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    investment = data.get("investment")
    if investment is not None and Decimal(investment) <= 0:
        errors["investment"] = [_("The investment must be above zero.")]
    _check_pct(data, ["discount_rate"], errors)
    _raise(errors)


@transaction.atomic
def sroi_create(
    *,
    data: dict[str, Any],
    theory: Theory | None = None,
    organization: Organization | None = None,
    user: Any = None,
) -> Sroi:
    sroi_validate(data)
    if organization is None and theory is not None:
        organization = theory.organization
    sroi = Sroi(**data, theory=theory, organization=organization, created_by=user)
    sroi.full_clean()
    sroi.save()
    audit_record(user=user, instance=sroi, action="create")
    return sroi


@transaction.atomic
def sroi_update(*, sroi: Sroi, data: dict[str, Any], user: Any = None) -> Sroi:
    sroi_validate(data)
    fields = ["title", "investment", "discount_rate"]
    before = snapshot(Sroi.objects.get(pk=sroi.pk), fields)
    for key, value in data.items():
        setattr(sroi, key, value)
    sroi.full_clean()
    sroi.save()
    changes = diff(before, snapshot(Sroi.objects.get(pk=sroi.pk), fields))
    if changes:
        audit_record(user=user, instance=sroi, action="update", changes=changes)
    return sroi


def outcome_validate(data: dict[str, Any]) -> None:
    """Percentages within 0–100, a duration of at least one year, a value with its source."""
    errors: dict[str, list[str]] = {}
    _check_pct(data, PERCENT_FIELDS, errors)
    duration = data.get("duration")
    if duration is not None and not (1 <= int(duration) <= sroi_maths.MAX_DURATION):
        errors["duration"] = [_("The duration is from 1 to 50 years.")]
    for name in ("quantity", "value_per_unit"):
        value = data.get(name)
        if value is not None and Decimal(value) < 0:
            errors[name] = [_("The value cannot be negative.")]
    proxy = data.get("proxy")
    if data.get("value_per_unit") is None and proxy is None:
        errors["value_per_unit"] = [_("Give a value per unit or choose a proxy.")]
    if not (data.get("proxy_source") or "").strip() and proxy is None:
        errors["proxy_source"] = [_("A value per unit needs its source.")]
    _raise(errors)


@transaction.atomic
def outcome_add(*, sroi: Sroi, data: dict[str, Any], user: Any = None) -> Outcome:
    """An outcome; with a proxy, its value and source fill what was left empty."""
    outcome_validate(data)
    data = dict(data)
    proxy: Proxy | None = data.get("proxy")
    if proxy is not None:
        if data.get("value_per_unit") is None:
            data["value_per_unit"] = proxy.euro_per_unit
        if not (data.get("proxy_source") or "").strip():
            data["proxy_source"] = proxy.source
    order = sroi.outcomes.count() + 1
    outcome = Outcome(sroi=sroi, order=order, **data)
    outcome.full_clean()
    outcome.save()
    audit_record(
        user=user,
        instance=sroi,
        action="update",
        changes={"outcomes": [None, outcome.description]},
    )
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: Outcome, user: Any = None) -> None:
    audit_record(
        user=user,
        instance=outcome.sroi,
        action="update",
        changes={"outcomes": [outcome.description, None]},
    )
    outcome.delete()


def sroi_inputs(sroi: Sroi) -> list[sroi_maths.OutcomeInput]:
    return [
        sroi_maths.OutcomeInput(
            name=o.description,
            quantity=o.quantity,
            value_per_unit=o.value_per_unit,
            deadweight=o.deadweight,
            displacement=o.displacement,
            attribution=o.attribution,
            drop_off=o.drop_off,
            duration=o.duration,
        )
        for o in sroi.outcomes.all()
    ]


# ----------------------------------------------------------------------------- reports

SMALL_TEMPLATE_INDICATORS = ["CORE-01", "CORE-03", "CORE-06", "CORE-07"]


@transaction.atomic
def report_create(*, theory: Theory, data: dict[str, Any], user: Any = None) -> Report:
    report = Report(theory=theory, **data, created_by=user)
    report.full_clean()
    report.save()
    audit_record(user=user, instance=report, action="create")
    return report


@transaction.atomic
def report_update(*, report: Report, data: dict[str, Any], user: Any = None) -> Report:
    allowed = {key for key, _label in REPORT_PHASES} | {"title", "year", "sroi", "campaign"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    fields = sorted(allowed - {"sroi", "campaign"})
    before = snapshot(report, fields)
    for key, value in data.items():
        setattr(report, key, value)
    report.full_clean()
    report.save()
    changes = diff(before, snapshot(report, fields))
    if changes:
        audit_record(user=user, instance=report, action="update", changes=changes)
    return report


@transaction.atomic
def report_publish(*, report: Report, publish: bool = True, user: Any = None) -> Report:
    if publish and report.phases_done() < len(REPORT_PHASES):
        raise ValidationError(_("Complete every phase of the report before publishing it."))
    report.is_published = publish
    report.save(update_fields=["is_published", "updated_at"])
    audit_record(
        user=user,
        instance=report,
        action="update",
        changes={"is_published": [not publish, publish]},
    )
    return report


@transaction.atomic
def measure_save(*, report: Report, indicator: Indicator, data: dict[str, Any]) -> Measure | None:
    """The baseline, target and result of an indicator for the report's project, validated
    by the indicator's data type (a gender count from ``women``/``men``/``other``)."""
    errors: dict[str, list[str]] = {}
    columns: dict[str, Any] = {"note": (data.get("note") or "")[:255]}
    if indicator.data_type in {DataType.TEXT, DataType.BOOLEAN}:
        raise ValidationError(_("Only numeric indicators can be measured in a report."))
    number_kind = (
        DataType.INTEGER if indicator.data_type == DataType.GENDER_COUNT else indicator.data_type
    )
    probe = Indicator(data_type=number_kind)
    for name in ("baseline", "target", "value"):
        try:
            cleaned = answer_clean(probe, data.get(name))
        except ValidationError as exc:
            errors[name] = list(exc.messages)
            continue
        columns[name] = cleaned["number"] if cleaned else None
    if indicator.data_type == DataType.GENDER_COUNT:
        try:
            split = answer_clean(indicator, {k: data.get(k) for k in ("women", "men", "other")})
        except ValidationError as exc:
            errors["women"] = list(exc.messages)
            split = None
        if split:
            columns.update(split)
            columns["value"] = Decimal(sum(split.values()))
        else:
            columns.update({"women": None, "men": None, "other": None})
    _raise(errors)
    if all(columns.get(k) is None for k in ("baseline", "target", "value")):
        Measure.objects.filter(report=report, indicator=indicator).delete()
        return None
    measure, _created = Measure.objects.update_or_create(
        report=report, indicator=indicator, defaults=columns
    )
    return measure


@transaction.atomic
def small_template_create(
    *,
    organization: Organization,
    data: dict[str, Any],
    user: Any = None,
) -> Report:
    """The "small administration" template: one project, a theory of change from a few
    answers, a report with every phase pre-written from the guidelines (to be completed),
    four core indicators and an SROI analysis at the default discount rate."""
    title = data["title"]
    year = data.get("year") or timezone.localdate().year
    theory = theory_create(
        data={
            "title": title,
            "subject": Subject.ORGANIZATION,
            "organization": organization,
            "municipality": data.get("municipality"),
            "needs": data.get("needs", ""),
            "activities": data.get("activities", ""),
            "outcomes": data.get("outcomes", ""),
            "stakeholders": data.get("stakeholders", ""),
        },
        user=user,
    )
    sroi = sroi_create(
        data={
            "title": _("SROI of %(title)s") % {"title": title},
            "investment": data["investment"],
            "discount_rate": sroi_maths.DEFAULT_RATE,
        },
        theory=theory,
        user=user,
    )
    place = data.get("municipality")
    report = report_create(
        theory=theory,
        data={
            "title": _("Impact report: %(title)s") % {"title": title},
            "year": year,
            "context": data.get("needs", ""),
            "objectives": data.get("outcomes", ""),
            "activities": data.get("activities", ""),
            "method": _(
                "Evaluation based on the theory of change of the project, four indicators of "
                "the shared core set of the metropolitan Plan (measured at the start and at the "
                "end of the year) and a social return on investment (SROI) analysis with "
                "financial proxies from official sources, discounted at %(rate)s%%, following "
                "the guidelines for the social impact evaluation of Third-sector bodies "
                "(DM 23 July 2019)."
            )
            % {"rate": sroi_maths.DEFAULT_RATE},
            "communication": _(
                "The report is published on the website of %(org)s and on the platform of "
                "the metropolitan Plan, and presented to the stakeholders%(place)s."
            )
            % {"org": organization.name, "place": f" ({place.name})" if place else ""},
            "sroi": sroi,
            "small_template": True,
        },
        user=user,
    )
    return report
