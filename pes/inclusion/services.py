"""Writes of the work-inclusion module. Views, forms, the API, the demo and the retention
task call these; nothing else writes.

Every write runs in a transaction; a refused write raises ``ValidationError`` with field
errors and changes nothing. Changes to cases, openings, proposals, allocations and pathways
are audited (``pes.core.audit``) with their statuses only: no personal data goes into the
audit trail. Writes of special-category data are logged in ``SpecialAccessLog``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pes.core.audit import audit_record
from pes.core.versions import bump
from pes.inclusion import instrument as instruments
from pes.inclusion import stats
from pes.inclusion.access import user_can_read_special, user_is_operator
from pes.inclusion.models import (
    FIRST_CONTACT_DAYS,
    FOLLOW_UP_MONTHS,
    AllocationRun,
    Case,
    ContactLog,
    FollowUp,
    FragilityProfile,
    Instrument,
    NetworkMember,
    Opening,
    Pathway,
    Person,
    Proposal,
    ShareableField,
    SpecialAccessLog,
    Suggestion,
)
from pes.inclusion.selectors import NETWORK_AREA
from pes.lib.validation import clean_ateco_codes, clean_codice_fiscale

PRIVACY_NOTICE_VERSION = "2025-1"
#: Days after closing before a case's person is anonymised (settings may change it).
DEFAULT_RETENTION_DAYS = 730
REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"


def retention_days() -> int:
    return int(getattr(settings, "INCLUSION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_reference() -> str:
    year = timezone.localdate().year
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"LAV-{year}-{code}"
        if not Case.objects.filter(reference=reference).exists():
            return reference


# ----------------------------------------------------------------------------- intake

PERSON_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "municipality",
    "education",
    "italian_level",
    "languages",
    "work_history",
    "skills",
    "max_hours_per_week",
    "min_hours_per_week",
    "shifts",
    "contracts",
    "available_from",
    "max_travel_km",
    "has_driving_licence",
    "has_car",
    "care_duties",
    "needs_step_free_access",
    "constraints_note",
    "share_with_companies",
]


def person_codice_fiscale(value: str) -> str:
    """A person's codice fiscale: the 16-character form, checked with python-stdnum."""
    compact = clean_codice_fiscale(value)
    if len(compact) != 16:
        raise ValidationError(
            _("A person's codice fiscale has 16 characters (11 digits is a company's)."),
            code="length",
        )
    return compact


def birth_date_of(codice_fiscale: str) -> dt.date | None:
    from stdnum.it import codicefiscale

    try:
        return codicefiscale.get_birth_date(codice_fiscale)
    except Exception:  # noqa: BLE001 - an omocodia variant may not decode; the date is optional
        return None


def intake_check(
    *, codice_fiscale: str, in_active_measure: bool, consent: bool, municipality: Any
) -> str:
    """The eligibility rules, as field errors; the clean codice fiscale."""
    errors: dict[str, list[str]] = {}
    cf = ""
    try:
        cf = person_codice_fiscale(codice_fiscale)
    except ValidationError as exc:
        errors["codice_fiscale"] = list(exc.messages)
    if municipality is None:
        errors["municipality"] = [
            _(
                "The service is for people domiciled in one of the 55 municipalities of the "
                "Città metropolitana di Bologna."
            )
        ]
    if in_active_measure:
        errors["in_active_measure"] = [
            _(
                "You are already in an active labour-policy measure: the service cannot take "
                "you on at the same time. Your job centre (Centro per l'impiego) can help you."
            )
        ]
    if not consent:
        errors["consent"] = [_("Read the privacy notice and accept it to register.")]
    if cf and not errors:
        active = Case.objects.filter(person__codice_fiscale=cf, closed_at__isnull=True).first()
        if active is not None:
            errors["codice_fiscale"] = [
                _(
                    "This codice fiscale is already registered and its case is open: an "
                    "operator will contact you. If you need to change your answers, reply to "
                    "the receipt e-mail."
                )
            ]
    if errors:
        raise ValidationError(errors)
    return cf


@transaction.atomic
def intake_submit(
    *,
    data: dict[str, Any],
    codice_fiscale: str,
    in_active_measure: bool = False,
    consent: bool,
    user: Any = None,
) -> tuple[Case, str]:
    """Register a person (or update the person of a closed case) and open a case with its
    service clock. Returns the case and the secret token of the person's data page (shown
    once on the receipt, stored hashed)."""
    cf = intake_check(
        codice_fiscale=codice_fiscale,
        in_active_measure=in_active_measure,
        consent=consent,
        municipality=data.get("municipality"),
    )
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({"__all__": [_("Unknown fields.")]})
    shared = [v for v in data.get("share_with_companies") or [] if v in ShareableField.values]
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    person = Person.objects.select_for_update().filter(codice_fiscale=cf).first()
    if person is None:
        person = Person(codice_fiscale=cf)
    for key, value in data.items():
        setattr(person, key, value)
    person.share_with_companies = shared
    person.birth_date = birth_date_of(cf)
    person.consent_at = now
    person.privacy_notice_version = PRIVACY_NOTICE_VERSION
    person.rights_token_hash = hash_token(token)
    if user is not None and getattr(user, "is_authenticated", False):
        person.user = user
    person.full_clean(exclude=["codice_fiscale"])
    # A returning person's earlier cases count in their (possibly new) district.
    earlier = list(person.cases.values_list("pk", flat=True)) if person.pk else []
    try:
        with transaction.atomic(), stats.tracking(*earlier):
            person.save()
            case = Case.objects.create(
                person=person,
                reference=_new_reference(),
                registered_at=now,
                first_contact_due=timezone.localtime(now).date()
                + dt.timedelta(days=FIRST_CONTACT_DAYS),
            )
    except IntegrityError as exc:  # a registration raced with this one
        raise ValidationError(
            {"codice_fiscale": [_("This codice fiscale is already registered.")]}
        ) from exc
    stats.case_added(case.pk)
    audit_record(user=user, instance=case, action="create", changes={"status": [None, "new"]})
    if person.email:
        from pes.inclusion.tasks import send_receipt

        _after_commit(send_receipt, case.pk)
    return case, token


# ----------------------------------------------------------------------------- cases


def _audit_status(user: Any, case: Case, before: str, **extra: Any) -> None:
    changes: dict[str, Any] = {"status": [before, case.status]} if before != case.status else {}
    changes.update({k: v for k, v in extra.items()})
    audit_record(user=user, instance=case, action="update", changes=changes)


def _require_active(case: Case) -> None:
    if not case.is_active:
        raise ValidationError({"__all__": [_("The case is closed.")]})


@transaction.atomic
def case_assign(*, case: Case, operator: Any, user: Any) -> Case:
    """Give the case to an operator (themselves, or one of their team if they supervise)."""
    _require_active(case)
    if not user_is_operator(operator):
        raise ValidationError({"operator": [_("Cases go to programme operators only.")]})
    before = case.operator_id
    case.operator = operator
    case.save(update_fields=["operator"])
    audit_record(
        user=user, instance=case, action="update", changes={"operator": [before, operator.pk]}
    )
    return case


@transaction.atomic
def contact_add(*, case: Case, data: dict[str, Any], user: Any) -> ContactLog:
    """Log a contact; the first one that reaches the person stops the service clock."""
    _require_active(case)
    at = data.get("at") or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("A contact cannot be in the future.")]})
    if at < case.registered_at - dt.timedelta(minutes=5):
        raise ValidationError({"at": [_("A contact cannot come before the registration.")]})
    contact = ContactLog(case=case, by=user, **{**data, "at": at})
    contact.full_clean()
    contact.save()
    if contact.reached and case.first_contact_at is None:
        before = case.status
        with stats.tracking(case.pk):
            case.first_contact_at = at
            if case.status == Case.Status.NEW:
                case.status = Case.Status.CONTACTED
            case.save(update_fields=["first_contact_at", "status"])
        _audit_status(user, case, before, first_contact_at=[None, at.isoformat()])
    return contact


@transaction.atomic
def case_assess(*, case: Case, outcome: str, user: Any, note: str = "") -> Case:
    """Record the outcome of the assessment interview. "Not eligible" and "referred" close
    the case with that reason."""
    _require_active(case)
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    if case.first_contact_at is None:
        raise ValidationError(
            {"outcome": [_("Log the first contact with the person before the assessment.")]}
        )
    before = case.status
    case.outcome = outcome
    case.assessed_at = timezone.now()
    if case.status in (Case.Status.NEW, Case.Status.CONTACTED):
        case.status = Case.Status.ASSESSED
    fields = ["outcome", "assessed_at", "status"]
    if outcome in (Case.Outcome.NOT_ELIGIBLE, Case.Outcome.REFERRED):
        case.status = Case.Status.CLOSED
        case.closed_at = case.assessed_at
        case.closing_reason = outcome
        case.closing_note = note
        fields += ["closed_at", "closing_reason", "closing_note"]
    with stats.tracking(case.pk):
        case.save(update_fields=fields)
    _audit_status(user, case, before, outcome=[None, outcome])
    return case


@transaction.atomic
def case_close(*, case: Case, reason: str, user: Any, note: str = "") -> Case:
    _require_active(case)
    if reason not in Case.ClosingReason.values:
        raise ValidationError({"reason": [_("Choose why the case is closed.")]})
    before = case.status
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.closing_reason = reason
    case.closing_note = note
    with stats.tracking(case.pk):
        case.save(update_fields=["status", "closed_at", "closing_reason", "closing_note"])
    if case.proposals.filter(status=Proposal.Status.PROPOSED).update(
        status=Proposal.Status.WITHDRAWN, decided_at=case.closed_at
    ):
        bump(NETWORK_AREA)  # an update sends no signal
    _audit_status(user, case, before, closing_reason=[None, reason])
    return case


# ----------------------------------------------------------------------------- fragility profile


def instrument_current() -> Instrument:
    """The instrument in use: the latest active one, or the bundled one loaded now."""
    current = Instrument.objects.filter(is_active=True).order_by("-loaded_at", "-id").first()
    if current is not None:
        return current
    return instrument_load(definition=instruments.load_file(instruments.DEFAULT_INSTRUMENT))


@transaction.atomic
def instrument_load(*, definition: dict[str, Any], user: Any = None) -> Instrument:
    """Load a version of an instrument (it becomes the one in use for its code)."""
    definition = instruments.check_definition(definition)
    code, version = str(definition["code"]), str(definition["version"])
    if Instrument.objects.filter(code=code, version=version).exists():
        raise ValidationError(
            {"version": [_("Version %(v)s of this instrument is already loaded.") % {"v": version}]}
        )
    Instrument.objects.filter(code=code).update(is_active=False)
    loaded = Instrument.objects.create(
        code=code,
        version=version,
        name=str(definition["name"])[:200],
        source=str(definition.get("source", ""))[:255],
        definition=definition,
        is_active=True,
    )
    audit_record(user=user, instance=loaded, action="create")
    return loaded


@transaction.atomic
def fragility_profile_save(
    *,
    case: Case,
    answers: dict[str, int],
    user: Any,
    health_notes: str = "",
    disability_notes: str = "",
    purpose: str = SpecialAccessLog.Purpose.ASSESSMENT,
) -> FragilityProfile:
    """Score the answers on the instrument in use and store the profile, encrypted. Only
    the assigned operator and their supervisor may write it; the write is logged."""
    _require_active(case)
    if not user_can_read_special(user, case):
        raise ValidationError({"__all__": [_("Only the case's operator may assess the person.")]})
    tool = instrument_current()
    result = instruments.score(tool.definition, {k: int(v) for k, v in answers.items()})
    profile = FragilityProfile.objects.filter(case=case).first() or FragilityProfile(case=case)
    profile.instrument = tool
    profile.answers = json.dumps(answers, sort_keys=True)
    profile.scores = json.dumps({"by_dimension": result.by_dimension, "total": result.total})
    profile.band = result.band
    profile.health_notes = health_notes
    profile.disability_notes = disability_notes
    profile.assessed_by = user
    with stats.tracking(case.pk):
        profile.save()
    SpecialAccessLog.objects.create(
        user=user, case=case, action=SpecialAccessLog.Action.WRITE, purpose=purpose
    )
    return profile


# ----------------------------------------------------------------------------- network, openings


@transaction.atomic
def network_join(*, organization: Any, data: dict[str, Any], user: Any) -> NetworkMember:
    if NetworkMember.objects.filter(organization=organization).exists():
        raise ValidationError({"__all__": [_("This organisation is already in the network.")]})
    if data.get("kind") == NetworkMember.Kind.COOP_B and organization.legal_form.code not in (
        "COOP_SOC_B",
        "COOP_SOC_AB",
        "CONSORZIO_COOP_SOC",
    ):
        raise ValidationError(
            {"kind": [_("The registry does not list this organisation as a type-B cooperative.")]}
        )
    member = NetworkMember(organization=organization, **data)
    member.full_clean()
    member.save()
    audit_record(user=user, instance=member, action="create")
    return member


OPENING_FIELDS = [
    "role",
    "description",
    "ateco_code",
    "municipality",
    "contract",
    "hours_per_week",
    "shifts",
    "required_skills",
    "requirements",
    "desirable_skills",
    "needs_driving_licence",
    "min_italian",
    "languages",
    "min_education",
    "step_free_access",
    "public_transport",
    "accessibility_note",
    "places",
]


def opening_validate(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    places = data.get("places")
    if places is not None and int(places) < 1:
        errors["places"] = [_("An opening offers at least one place.")]
    hours = data.get("hours_per_week")
    if hours is not None and not (1 <= int(hours) <= 48):
        errors["hours_per_week"] = [_("Hours per week are between 1 and 48.")]
    if data.get("ateco_code"):
        try:
            data["ateco_code"] = clean_ateco_codes([data["ateco_code"]])[0]
        except ValidationError as exc:
            errors["ateco_code"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def opening_create(*, organization: Any, data: dict[str, Any], user: Any) -> Opening:
    member = NetworkMember.objects.filter(organization=organization, is_active=True).first()
    if member is None or not member.can_host:
        raise ValidationError(
            {"__all__": [_("Join the network as a company or social enterprise first.")]}
        )
    data = opening_validate(dict(data))
    opening = Opening(organization=organization, created_by=user, **data)
    opening.full_clean()
    opening.save()
    audit_record(user=user, instance=opening, action="create")
    return opening


@transaction.atomic
def opening_update(*, opening: Opening, data: dict[str, Any], user: Any) -> Opening:
    data = opening_validate(dict(data))
    changes = {}
    for key, value in data.items():
        old = getattr(opening, key)
        if old != value:
            changes[key] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
        setattr(opening, key, value)
    opening.full_clean()
    opening.save()
    if changes:
        audit_record(user=user, instance=opening, action="update", changes=changes)
    return opening


@transaction.atomic
def opening_close(*, opening: Opening, user: Any) -> Opening:
    if not opening.is_open:
        raise ValidationError({"__all__": [_("The opening is already closed.")]})
    opening.status = Opening.Status.CLOSED
    opening.save(update_fields=["status"])
    audit_record(
        user=user, instance=opening, action="update", changes={"status": ["open", "closed"]}
    )
    return opening


# ----------------------------------------------------------------------------- proposals


def shared_view(person: Person) -> dict[str, Any]:
    """What a company sees of a person: name, age and municipality, and the rest only as
    the person consented at intake."""
    today = timezone.localdate()
    view: dict[str, Any] = {
        "name": f"{person.first_name} {person.last_name}",
        "age": person.age_on(today),
        "municipality": person.municipality.name,
    }
    allowed = set(person.share_with_companies or [])
    if ShareableField.CONTACTS in allowed:
        view["email"], view["phone"] = person.email, person.phone
    if ShareableField.EDUCATION in allowed:
        view["education"] = person.get_education_display()
    if ShareableField.LANGUAGES in allowed:
        view["italian"] = person.get_italian_level_display()
        view["languages"] = list(person.languages or [])
    if ShareableField.WORK_HISTORY in allowed:
        view["work_history"] = person.work_history
    if ShareableField.SKILLS in allowed:
        view["skills"] = list(person.skills or [])
    if ShareableField.AVAILABILITY in allowed:
        view["max_hours_per_week"] = person.max_hours_per_week
        view["shifts"] = list(person.shifts or [])
    return view


@transaction.atomic
def proposal_create(*, case: Case, opening: Opening, user: Any, note: str = "") -> Proposal:
    """The operator proposes the person for the opening, with the engine's score and
    reasons for the company to see why."""
    from pes.inclusion.matching_data import score_pair

    errors: dict[str, list[str]] = {}
    opening = Opening.objects.select_for_update().get(pk=opening.pk)
    if not case.is_active:
        errors["case"] = [_("The case is closed.")]
    elif case.outcome != Case.Outcome.READY:
        errors["case"] = [_("Only people assessed as ready for placement can be proposed.")]
    if not opening.is_open:
        errors["opening"] = [_("The opening is closed: it takes no more proposals.")]
    if Proposal.objects.filter(case=case, opening=opening).exists():
        errors["opening"] = [_("This person has already been proposed for this opening.")]
    if errors:
        raise ValidationError(errors)
    match = score_pair(case=case, opening=opening)
    proposal = Proposal.objects.create(
        case=case,
        opening=opening,
        score=match.score,
        reasons=match.reasons,
        shared=shared_view(case.person),
        note=note,
        proposed_by=user,
    )
    audit_record(
        user=user, instance=proposal, action="create", changes={"status": [None, "proposed"]}
    )
    from pes.inclusion.tasks import notify_proposal

    _after_commit(notify_proposal, proposal.pk)
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: Proposal, accept: bool, user: Any, note: str = "") -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError({"__all__": [_("This proposal has already been answered.")]})
    if not accept and not note.strip():
        raise ValidationError({"note": [_("Say why you decline, for the operator.")]})
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        user=user,
        instance=proposal,
        action="update",
        changes={"status": ["proposed", proposal.status]},
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, user: Any) -> Proposal:
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError({"__all__": [_("Only a pending proposal can be withdrawn.")]})
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at"])
    audit_record(
        user=user, instance=proposal, action="update", changes={"status": ["proposed", "withdrawn"]}
    )
    return proposal


# ----------------------------------------------------------------------------- allocation


@transaction.atomic
def allocation_run(*, user: Any, max_distance_km: int) -> AllocationRun:
    """Allocate every person ready for placement to the open places (a recommendation):
    the optimal allocation, with the greedy one's total for comparison."""
    from pes.inclusion.matching_data import allocate

    if not (1 <= int(max_distance_km) <= 200):
        raise ValidationError({"max_distance_km": [_("Give a distance between 1 and 200 km.")]})
    result = allocate(max_distance_km=int(max_distance_km))
    run = AllocationRun.objects.create(
        created_by=user,
        max_distance_km=max_distance_km,
        people=result.people,
        places=result.places,
        total_score=result.total_score,
        greedy_score=result.greedy_score,
        seconds=result.seconds,
    )
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                run=run,
                case_id=p.case_id,
                opening_id=p.opening_id,
                score=p.score,
                reasons=p.reasons,
            )
            for p in result.pairs
        ],
        batch_size=2000,
    )
    audit_record(
        user=user,
        instance=run,
        action="create",
        changes={"suggestions": [None, len(result.pairs)], "total_score": [None, run.total_score]},
    )
    return run


@transaction.atomic
def suggestion_confirm(*, suggestion: Suggestion, user: Any, note: str = "") -> Proposal:
    """The operator agrees with the suggestion: it becomes a proposal to the company."""
    if suggestion.decision != Suggestion.Decision.PENDING:
        raise ValidationError({"__all__": [_("This suggestion has already been reviewed.")]})
    proposal = proposal_create(
        case=suggestion.case, opening=suggestion.opening, user=user, note=note
    )
    suggestion.decision = Suggestion.Decision.CONFIRMED
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.proposal = proposal
    suggestion.save(update_fields=["decision", "decided_by", "decided_at", "proposal"])
    audit_record(
        user=user,
        instance=suggestion,
        action="update",
        changes={"decision": ["pending", "confirmed"]},
    )
    return proposal


@transaction.atomic
def suggestion_override(
    *, suggestion: Suggestion, user: Any, reason: str, opening: Opening | None = None
) -> Suggestion:
    """The operator does not follow the suggestion, and says why (kept, GDPR art. 22);
    optionally proposing the person for another opening instead."""
    if suggestion.decision != Suggestion.Decision.PENDING:
        raise ValidationError({"__all__": [_("This suggestion has already been reviewed.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you do not follow the suggestion.")]})
    proposal = None
    if opening is not None:
        proposal = proposal_create(case=suggestion.case, opening=opening, user=user)
    suggestion.decision = Suggestion.Decision.OVERRIDDEN
    suggestion.override_reason = reason.strip()
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.proposal = proposal
    suggestion.save(
        update_fields=["decision", "override_reason", "decided_by", "decided_at", "proposal"]
    )
    audit_record(
        user=user,
        instance=suggestion,
        action="update",
        changes={"decision": ["pending", "overridden"], "override_reason": [None, reason.strip()]},
    )
    return suggestion


# ----------------------------------------------------------------------------- pathways


@transaction.atomic
def pathway_create(*, case: Case, data: dict[str, Any], user: Any) -> Pathway:
    """Record a training course, internship or contract; a placement from a proposal needs
    the company to have accepted it."""
    _require_active(case)
    proposal = data.get("proposal")
    errors: dict[str, list[str]] = {}
    if proposal is not None:
        if proposal.case_id != case.pk:
            errors["proposal"] = [_("The proposal belongs to another case.")]
        elif proposal.status != Proposal.Status.ACCEPTED:
            errors["proposal"] = [_("The company has not accepted this proposal.")]
        elif Pathway.objects.filter(proposal=proposal).exists():
            errors["proposal"] = [_("This proposal already led to a pathway.")]
        else:
            data.setdefault("organization", proposal.opening.organization)
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = [_("The end cannot come before the start.")]
    if errors:
        raise ValidationError(errors)
    pathway = Pathway(case=case, created_by=user, **data)
    pathway.full_clean()
    with stats.tracking(case.pk):
        pathway.save()
    before = case.status
    if case.status != Case.Status.IN_PATHWAY:
        case.status = Case.Status.IN_PATHWAY
        case.save(update_fields=["status"])
    _audit_status(user, case, before, pathway=[None, pathway.kind])
    return pathway


@transaction.atomic
def follow_up_record(*, pathway: Pathway, data: dict[str, Any], user: Any) -> FollowUp:
    months = int(data.get("months") or 0)
    errors: dict[str, list[str]] = {}
    if months not in FOLLOW_UP_MONTHS:
        errors["months"] = [_("Follow-ups are at 3, 6 and 12 months.")]
    elif FollowUp.objects.filter(pathway=pathway, months=months).exists():
        errors["months"] = [_("This follow-up has already been recorded.")]
    done_on = data.get("done_on")
    if done_on and done_on > timezone.localdate():
        errors["done_on"] = [_("A follow-up cannot be in the future.")]
    if done_on and done_on < pathway.starts_on:
        errors["done_on"] = [_("A follow-up comes after the start of the pathway.")]
    if data.get("still_employed") and not data.get("contract"):
        errors["contract"] = [_("Say which contract the person has now.")]
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(pathway=pathway, by=user, **{**data, "months": months})
    follow_up.full_clean()
    with stats.tracking(pathway.case_id):
        follow_up.save()
    audit_record(
        user=user,
        instance=pathway.case,
        action="update",
        changes={
            f"follow_up_{months}": [
                None,
                "employed" if follow_up.still_employed else "not employed",
            ]
        },
    )
    return follow_up


# ----------------------------------------------------------------------------- rights, retention


@transaction.atomic
def person_request_erasure(*, person: Person, user: Any = None) -> Person:
    """The person asks for erasure: open cases are closed and the person is anonymised
    by the next retention run (a background task is queued now)."""
    if person.anonymised_at is not None:
        raise ValidationError({"__all__": [_("These data have already been erased.")]})
    if person.erasure_requested_at is None:
        person.erasure_requested_at = timezone.now()
        person.save(update_fields=["erasure_requested_at"])
    for case in person.cases.filter(closed_at__isnull=True):
        case_close(case=case, reason=Case.ClosingReason.ERASURE, user=user)
    from pes.inclusion.tasks import anonymise_expired

    _after_commit(anonymise_expired)
    return person


def person_anonymise(*, person: Person, now: dt.datetime) -> None:
    """Remove every identifying and special-category datum; the statistics remain."""
    case_ids = list(person.cases.values_list("pk", flat=True))
    with stats.tracking(*case_ids):
        _anonymise(person, case_ids, now)


def _anonymise(person: Person, case_ids: list[int], now: dt.datetime) -> None:
    Person.objects.filter(pk=person.pk).update(
        user=None,
        first_name="",
        last_name="",
        codice_fiscale=None,
        birth_date=None,
        email="",
        phone="",
        languages=[],
        work_history="",
        skills=[],
        constraints_note="",
        share_with_companies=[],
        rights_token_hash="",
        anonymised_at=now,
    )
    FragilityProfile.objects.filter(case_id__in=case_ids).update(
        answers="", scores="", health_notes="", disability_notes=""
    )
    ContactLog.objects.filter(case_id__in=case_ids).update(note="")
    Case.objects.filter(pk__in=case_ids).update(closing_note="")
    Proposal.objects.filter(case_id__in=case_ids).update(shared={}, note="", decision_note="")
    FollowUp.objects.filter(pathway__case_id__in=case_ids).update(note="")


def anonymise_due(*, now: dt.datetime | None = None) -> int:
    """Anonymise the people who asked for erasure and those whose cases have all been
    closed for longer than the retention period. Returns how many were anonymised."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=retention_days())
    due = (
        Person.objects.filter(anonymised_at__isnull=True)
        .exclude(cases__closed_at__isnull=True)
        .filter(cases__closed_at__lt=limit)
    )
    erasure = Person.objects.filter(
        anonymised_at__isnull=True, erasure_requested_at__isnull=False
    ).exclude(cases__closed_at__isnull=True)
    ids = set(due.values_list("pk", flat=True)) | set(erasure.values_list("pk", flat=True))
    # A person with a case closed recently (or still open) keeps their data.
    recent = set(
        Case.objects.filter(person_id__in=ids, closed_at__gte=limit).values_list(
            "person_id", flat=True
        )
    ) - set(erasure.values_list("pk", flat=True))
    count = 0
    for person in Person.objects.filter(pk__in=ids - recent).order_by("pk").iterator():
        with transaction.atomic():
            person_anonymise(person=person, now=now)
        count += 1
    return count
