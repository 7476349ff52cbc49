"""Writes of the incubation module. Views, forms, the API and the demo call these.

Every write runs in a transaction; a refused write raises ``ValidationError`` with field
errors and changes nothing. Decisions, grants, tranches and payments are audited
(``pes.core.audit``). The rules that span rows are checked here under a row lock: the grants
of a call stay within its budget, the tranches of a project within its grant, an evaluator
scores only after declaring no conflict of interest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record
from pes.incubation.models import (
    CANVAS_KEYS,
    Application,
    Call,
    Cohort,
    ConflictDeclaration,
    Criterion,
    EvaluatorAssignment,
    FollowUp,
    MentoringSession,
    Milestone,
    Phase,
    Project,
    Score,
    Target,
    Tranche,
)
from pes.registry.models import Organization

ZERO = Decimal(0)
RESERVED_SLUGS = {"nuovo"}


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _unique_slug(title: str) -> str:
    base = slugify(title)[:200] or "bando"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Call.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


# ----------------------------------------------------------------------------- calls

CALL_FIELDS = [
    "title",
    "description",
    "mission",
    "promoter_kind",
    "promoter_name",
    "promoter",
    "targets",
    "accepts_teams",
    "eligibility",
    "opens_on",
    "deadline",
    "budget",
    "max_grant",
    "required_documents",
    "disagreement_threshold",
    "is_published",
]


def call_validate(
    data: dict[str, Any], *, criteria: list[dict[str, Any]] | None, new: bool = True
) -> None:
    """A call's rules as field errors: a future deadline (for a new call), opening before
    the deadline, amounts not negative, the maximum grant within the budget, known targets,
    and at least one criterion, each with a positive weight and range."""
    errors: dict[str, list[str]] = {}
    deadline, opens_on = data.get("deadline"), data.get("opens_on")
    if new and deadline is not None and deadline <= timezone.now():
        errors["deadline"] = [_("The deadline is in the past: give a future date and time.")]
    if deadline is not None and opens_on is not None:
        if opens_on > timezone.localtime(deadline).date():
            errors["opens_on"] = [_("The call cannot open after its deadline.")]
    budget, max_grant = data.get("budget"), data.get("max_grant")
    for name, value in (("budget", budget), ("max_grant", max_grant)):
        if value is not None and value < 0:
            errors[name] = [_("An amount cannot be negative.")]
    if budget is not None and max_grant is not None and "max_grant" not in errors:
        if max_grant > budget:
            errors["max_grant"] = [_("The maximum grant cannot be above the call's budget.")]
    if set(data.get("targets") or []) - set(Target.values):
        errors["targets"] = [_("Unknown targets.")]
    threshold = data.get("disagreement_threshold")
    if threshold is not None and not (0 < threshold <= 100):
        errors["disagreement_threshold"] = [_("Give a number of points between 1 and 100.")]
    if criteria is not None:
        if not criteria:
            errors["criteria"] = [_("Give at least one evaluation criterion.")]
        names = [str(c.get("name", "")).strip() for c in criteria]
        if any(not n for n in names):
            errors["criteria"] = [_("Every criterion needs a name.")]
        elif len(set(names)) != len(names):
            errors["criteria"] = [_("Two criteria have the same name.")]
        for c in criteria:
            if int(c.get("weight") or 0) <= 0 or int(c.get("max_score") or 0) <= 0:
                errors.setdefault("criteria", []).append(
                    _("The weight and the highest score of a criterion must be above zero.")
                )
                break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_create(
    *,
    data: dict[str, Any],
    criteria: list[dict[str, Any]],
    phases: list[dict[str, Any]] | None = None,
    municipalities: list[Any] | None = None,
    legal_forms: list[Any] | None = None,
    user: Any = None,
    check_deadline: bool = True,
) -> Call:
    call_validate(data, criteria=criteria, new=check_deadline)
    call = Call(**data)
    call.slug = _unique_slug(call.title)
    call.full_clean(exclude=["slug"])
    call.save()
    call.municipalities.set(municipalities or [])
    call.legal_forms.set(legal_forms or [])
    for order, c in enumerate(criteria):
        Criterion.objects.create(
            call=call,
            name=str(c["name"]).strip(),
            description=c.get("description", ""),
            weight=int(c["weight"]),
            max_score=int(c.get("max_score") or 10),
            order=order,
        )
    for p in phases or []:
        phase = Phase(call=call, name=p["name"], starts_on=p["starts_on"], ends_on=p["ends_on"])
        try:
            phase.full_clean(exclude=["call"])
        except ValidationError as exc:
            raise ValidationError({"phases": exc.messages}) from exc
        phase.save()
    audit_record(user=user, instance=call, action="create")
    return call


@transaction.atomic
def call_update(
    *,
    call: Call,
    data: dict[str, Any],
    municipalities: list[Any] | None = None,
    legal_forms: list[Any] | None = None,
    user: Any = None,
) -> Call:
    """Change a call's description, dates, budget and eligibility (criteria stay)."""
    call_validate(data, criteria=None, new=False)
    granted = _granted(call)
    budget = data.get("budget")
    if budget is not None and budget < granted:
        raise ValidationError(
            {
                "budget": [
                    _("The budget cannot go below the grants already assigned (€ %(amount)s).")
                    % {"amount": granted}
                ]
            }
        )
    for key, value in data.items():
        setattr(call, key, value)
    call.full_clean()
    call.save()
    if municipalities is not None:
        call.municipalities.set(municipalities)
    if legal_forms is not None:
        call.legal_forms.set(legal_forms)
    audit_record(user=user, instance=call, action="update")
    return call


@transaction.atomic
def evaluator_assign(*, call: Call, evaluator: Any, user: Any = None) -> EvaluatorAssignment:
    """Give a user the evaluator's role on a call: governance and operators are internal,
    anyone else is an external expert."""
    if not (evaluator and evaluator.is_active):
        raise ValidationError({"evaluator": [_("This user cannot be an evaluator.")]})
    assignment, created = EvaluatorAssignment.objects.get_or_create(
        call=call,
        evaluator=evaluator,
        defaults={"is_external": not (evaluator.is_governance or evaluator.is_operator)},
    )
    if not created:
        raise ValidationError({"evaluator": [_("This user already evaluates the call.")]})
    audit_record(
        user=user, instance=call, action="update", changes={"evaluator": [None, evaluator.pk]}
    )
    return assignment


@transaction.atomic
def evaluator_remove(*, assignment: EvaluatorAssignment, user: Any = None) -> None:
    if Score.objects.filter(
        application__call=assignment.call, evaluator=assignment.evaluator
    ).exists():
        raise ValidationError({"evaluator": [_("This evaluator has already scored applications.")]})
    audit_record(
        user=user,
        instance=assignment.call,
        action="update",
        changes={"evaluator": [assignment.evaluator_id, None]},
    )
    assignment.delete()


# ----------------------------------------------------------------------------- applications

APPLICATION_FIELDS = [
    "title",
    "idea",
    "team_members",
    "municipality",
    "community_served",
    "canvas",
    "budget_total",
    "grant_requested",
    "expected_jobs",
    "expected_jobs_fragile",
]


def _check_draft(data: dict[str, Any]) -> dict[str, list[str]]:
    """What even a draft must respect: amounts and counts that make sense."""
    errors: dict[str, list[str]] = {}
    budget, grant = data.get("budget_total"), data.get("grant_requested")
    for name, value in (("budget_total", budget), ("grant_requested", grant)):
        if value is not None and value < 0:
            errors[name] = [_("An amount cannot be negative.")]
    if budget is not None and grant is not None and not errors and grant > budget:
        errors["grant_requested"] = [_("The grant requested cannot be above the total budget.")]
    jobs, fragile = data.get("expected_jobs"), data.get("expected_jobs_fragile")
    if jobs is not None and fragile is not None and fragile > jobs:
        errors["expected_jobs_fragile"] = [
            _("Jobs for fragile people are part of the jobs expected: they cannot be more.")
        ]
    canvas = data.get("canvas")
    if canvas is not None and (not isinstance(canvas, dict) or set(canvas) - set(CANVAS_KEYS)):
        errors["canvas"] = [_("Unknown blocks of the business model canvas.")]
    if not str(data.get("title") or "").strip() and "title" in data:
        errors["title"] = [_("Give the project a title.")]
    return errors


@transaction.atomic
def application_create(
    *,
    call: Call,
    user: Any,
    organization: Organization | None = None,
    team_name: str = "",
    data: dict[str, Any],
) -> Application:
    """Start a draft application, for an organisation the user edits or for an informal
    team the user leads."""
    errors = _check_draft(data)
    if organization is None:
        if not team_name.strip():
            errors["team_name"] = [_("Name your team, or apply for an organisation.")]
        elif not call.accepts_teams:
            errors["team_name"] = [
                _("This call accepts only organisations: apply for your organisation.")
            ]
        elif Application.objects.filter(call=call, team_lead=user, organization=None).exists():
            errors["team_name"] = [_("You already lead a team's application to this call.")]
    elif Application.objects.filter(call=call, organization=organization).exists():
        errors["organization"] = [_("This organisation has already applied to this call.")]
    if not call.is_open:
        errors["__all__"] = [_("This call is not open for applications.")]
    if errors:
        raise ValidationError(errors)
    application = Application(
        call=call,
        organization=organization,
        team_name="" if organization else team_name.strip(),
        team_lead=user,
        **data,
    )
    application.full_clean(exclude=["call", "team_lead", "organization"])
    application.save()
    return application


@transaction.atomic
def application_update(*, application: Application, data: dict[str, Any]) -> Application:
    """Save a draft again; a sent application can no longer change."""
    if application.status != Application.Status.DRAFT:
        raise ValidationError(_("The application has been sent: it can no longer change."))
    errors = _check_draft(data)
    if errors:
        raise ValidationError(errors)
    for key, value in data.items():
        setattr(application, key, value)
    application.full_clean(exclude=["call", "team_lead", "organization"])
    application.save()
    return application


def application_eligibility(application: Application) -> dict[str, list[str]]:
    """What stops an application from being sent, as field errors (empty when none)."""
    call = application.call
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if now >= call.deadline:
        errors["__all__"] = [
            _(
                "The deadline of the call has passed: the application can no longer be sent. "
                "Your draft is kept."
            )
        ]
    elif timezone.localdate() < call.opens_on:
        errors["__all__"] = [_("The call is not open yet.")]
    if not application.idea.strip():
        errors["idea"] = [_("Describe the idea.")]
    if not application.community_served.strip():
        errors["community_served"] = [_("Describe the community the project serves.")]
    if application.municipality_id is None:
        errors["municipality"] = [_("Choose the municipality where the project takes place.")]
    else:
        allowed = set(call.municipalities.values_list("pk", flat=True))
        if allowed and application.municipality_id not in allowed:
            errors["municipality"] = [_("The call does not cover this municipality.")]
    missing = [k for k in CANVAS_KEYS if not str(application.canvas.get(k, "")).strip()]
    if missing:
        errors["canvas"] = [_("Fill in every block of the business model canvas.")]
        for key in missing:
            errors[f"canvas_{key}"] = [_("This block is empty.")]
    if application.budget_total <= 0:
        errors["budget_total"] = [_("Give the project's total budget.")]
    if application.grant_requested > call.max_grant:
        errors["grant_requested"] = [
            _("The call grants at most € %(max)s per project.") % {"max": call.max_grant}
        ]
    if application.organization_id is not None:
        legal_forms = set(call.legal_forms.values_list("pk", flat=True))
        org = application.organization
        if legal_forms and (org is None or org.legal_form_id not in legal_forms):
            errors["organization"] = [
                _("The call is not open to the legal form of this organisation.")
            ]
    elif not call.accepts_teams:
        errors["team_name"] = [_("This call accepts only organisations.")]
    elif not application.team_members.strip():
        errors["team_members"] = [_("List the members of the team.")]
    return errors


@transaction.atomic
def application_submit(*, application: Application, user: Any = None) -> Application:
    """Send a draft, after checking it against the call's eligibility and deadline."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.DRAFT:
        raise ValidationError(_("The application has already been sent."))
    errors = application_eligibility(application)
    if errors:
        raise ValidationError(errors)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(user=user, instance=application, action="submit")
    return application


# ----------------------------------------------------------------------------- evaluation


def _assignment(application: Application, evaluator: Any) -> EvaluatorAssignment:
    assignment = EvaluatorAssignment.objects.filter(
        call_id=application.call_id, evaluator=evaluator
    ).first()
    if assignment is None:
        raise ValidationError(_("You are not an evaluator of this call."))
    return assignment


@transaction.atomic
def conflict_declare(
    *, application: Application, evaluator: Any, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """An evaluator declares, once, whether they have a conflict of interest."""
    _assignment(application, evaluator)
    if application.status == Application.Status.DRAFT:
        raise ValidationError(_("This application has not been sent."))
    if ConflictDeclaration.objects.filter(application=application, evaluator=evaluator).exists():
        raise ValidationError(_("You have already made your declaration on this application."))
    return ConflictDeclaration.objects.create(
        application=application, evaluator=evaluator, has_conflict=has_conflict, note=note
    )


@transaction.atomic
def application_score(
    *, application: Application, evaluator: Any, scores: dict[int, tuple[Any, str]]
) -> list[Score]:
    """Record (or change) an evaluator's scores, one per criterion of the call, each in its
    criterion's range. Refused without a declaration, after a declared conflict, or once
    the application is decided."""
    _assignment(application, evaluator)
    declaration = ConflictDeclaration.objects.filter(
        application=application, evaluator=evaluator
    ).first()
    if declaration is None:
        raise ValidationError(_("Declare whether you have a conflict of interest before scoring."))
    if declaration.has_conflict:
        raise ValidationError(
            _("You declared a conflict of interest on this application: you cannot score it.")
        )
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("Only applications sent and not yet decided can be scored."))
    criteria = list(application.call.criteria.all())
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Decimal] = {}
    for criterion in criteria:
        key = f"score_{criterion.pk}"
        raw = scores.get(criterion.pk, (None, ""))[0]
        value = _money(raw)
        if value is None:
            errors[key] = [_("Give a score.")]
        elif not (0 <= value <= criterion.max_score):
            errors[key] = [
                _("The score of “%(name)s” is between 0 and %(max)s.")
                % {"name": criterion.name, "max": criterion.max_score}
            ]
        else:
            parsed[criterion.pk] = value
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        errors["__all__"] = [_("Some scores are for criteria of another call.")]
    if errors:
        raise ValidationError(errors)
    saved = []
    for criterion in criteria:
        score, _created = Score.objects.update_or_create(
            application=application,
            evaluator=evaluator,
            criterion=criterion,
            defaults={
                "value": parsed[criterion.pk],
                "max_score": criterion.max_score,
                "comment": str(scores[criterion.pk][1] or "").strip(),
            },
        )
        saved.append(score)
    return saved


# ----------------------------------------------------------------------------- decisions


@transaction.atomic
def cohort_create(
    *, call: Call, name: str, starts_on: dt.date, ends_on: dt.date, user: Any = None
) -> Cohort:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Name the cohort.")]
    elif Cohort.objects.filter(call=call, name=name.strip()).exists():
        errors["name"] = [_("The call already has a cohort with this name.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The cohort cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    cohort = Cohort.objects.create(
        call=call, name=name.strip(), starts_on=starts_on, ends_on=ends_on
    )
    audit_record(user=user, instance=cohort, action="create")
    return cohort


def _granted(call: Call, *, exclude: Project | None = None) -> Decimal:
    qs = Project.objects.filter(application__call=call)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.aggregate(total=Sum("grant"))["total"] or ZERO


def _check_grant(call: Call, grant: Decimal, *, exclude: Project | None = None) -> None:
    if grant < 0:
        raise ValidationError({"grant": [_("An amount cannot be negative.")]})
    if grant > call.max_grant:
        raise ValidationError(
            {
                "grant": [
                    _("The call grants at most € %(max)s per project.") % {"max": call.max_grant}
                ]
            }
        )
    remaining = call.budget - _granted(call, exclude=exclude)
    if grant > remaining:
        raise ValidationError(
            {
                "grant": [
                    _("The call's remaining budget is € %(left)s: the grant cannot be larger.")
                    % {"left": remaining}
                ]
            }
        )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    admitted: bool,
    reason: str,
    cohort: Cohort | None = None,
    grant: Decimal = ZERO,
    user: Any = None,
) -> Application:
    """Admit an application into a cohort with its grant, or not, with reasons that are sent
    to the applicant. The call is locked while its budget is checked."""
    call = Call.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    errors: dict[str, list[str]] = {}
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("Only applications sent and not yet decided can be decided."))
    if not reason.strip():
        errors["reason"] = [_("Give the reasons: they are sent to the applicant.")]
    if admitted:
        if cohort is None:
            errors["cohort"] = [_("Choose the cohort the project joins.")]
        elif cohort.call_id != call.pk:
            errors["cohort"] = [_("The cohort belongs to another call.")]
        try:
            _check_grant(call, grant or ZERO)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    application.status = (
        Application.Status.ADMITTED if admitted else Application.Status.NOT_ADMITTED
    )
    application.decision_reason = reason.strip()
    application.decided_at = timezone.now()
    application.decided_by = user if getattr(user, "is_authenticated", False) else None
    application.save(
        update_fields=["status", "decision_reason", "decided_at", "decided_by", "updated_at"]
    )
    changes: dict[str, Any] = {"status": ["submitted", application.status]}
    if admitted:
        assert cohort is not None  # noqa: S101 - checked above
        project = Project.objects.create(application=application, cohort=cohort, grant=grant)
        changes["grant"] = [None, str(project.grant)]
    audit_record(user=user, instance=application, action="decide", changes=changes)
    from pes.incubation.tasks import notify_decision

    _after_commit(notify_decision, application.pk)
    return application


@transaction.atomic
def project_set_grant(*, project: Project, grant: Decimal, user: Any = None) -> Project:
    """Change a project's grant: within the call's budget, and never below its tranches."""
    call = Call.objects.select_for_update().get(pk=project.application.call_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_grant(call, grant, exclude=project)
    planned = project.tranches.aggregate(total=Sum("amount"))["total"] or ZERO
    if grant < planned:
        raise ValidationError(
            {
                "grant": [
                    _(
                        "The tranches already planned add up to € %(amount)s: the grant cannot "
                        "be smaller."
                    )
                    % {"amount": planned}
                ]
            }
        )
    before = project.grant
    project.grant = grant
    project.save(update_fields=["grant"])
    audit_record(
        user=user, instance=project, action="update", changes={"grant": [str(before), str(grant)]}
    )
    return project


@transaction.atomic
def project_set_mentor(*, project: Project, mentor: Any, user: Any = None) -> Project:
    project.mentor = mentor
    project.save(update_fields=["mentor"])
    audit_record(
        user=user,
        instance=project,
        action="update",
        changes={"mentor": [None, mentor.pk if mentor else None]},
    )
    return project


# ----------------------------------------------------------------------------- cohorts


@transaction.atomic
def milestone_add(*, project: Project, title: str, due_on: dt.date, user: Any = None) -> Milestone:
    if not title.strip():
        raise ValidationError({"title": [_("Name the milestone.")]})
    milestone = Milestone.objects.create(project=project, title=title.strip(), due_on=due_on)
    audit_record(user=user, instance=milestone, action="create")
    return milestone


@transaction.atomic
def milestone_reach(
    *, milestone: Milestone, reached_on: dt.date, evidence: str = "", user: Any = None
) -> Milestone:
    if reached_on > timezone.localdate():
        raise ValidationError({"reached_on": [_("A milestone cannot be reached in the future.")]})
    if milestone.reached_on is not None:
        raise ValidationError(_("This milestone has already been reached."))
    milestone.reached_on = reached_on
    milestone.evidence = evidence.strip()
    milestone.save(update_fields=["reached_on", "evidence"])
    audit_record(
        user=user,
        instance=milestone,
        action="update",
        changes={"reached_on": [None, reached_on.isoformat()]},
    )
    return milestone


@transaction.atomic
def tranche_add(
    *, project: Project, amount: Decimal, milestone: Milestone | None = None, user: Any = None
) -> Tranche:
    """Plan a tranche of the grant, tied to a milestone of the project; the tranches of a
    project never add up to more than its grant."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("A tranche is more than zero.")]
    else:
        planned = project.tranches.aggregate(total=Sum("amount"))["total"] or ZERO
        left = project.grant - planned
        if amount > left:
            errors["amount"] = [
                _(
                    "The grant is € %(grant)s and € %(planned)s is already in tranches: this "
                    "tranche can be at most € %(left)s."
                )
                % {"grant": project.grant, "planned": planned, "left": left}
            ]
    if milestone is not None and milestone.project_id != project.pk:
        errors["milestone"] = [_("The milestone belongs to another project.")]
    if errors:
        raise ValidationError(errors)
    tranche = Tranche.objects.create(project=project, milestone=milestone, amount=amount)
    audit_record(
        user=user, instance=tranche, action="create", changes={"amount": [None, str(amount)]}
    )
    return tranche


@transaction.atomic
def tranche_pay(*, tranche: Tranche, paid_on: dt.date, reference: str, user: Any = None) -> Tranche:
    """Record the payment of a tranche, once its milestone is reached."""
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    errors: dict[str, list[str]] = {}
    if tranche.paid_on is not None:
        raise ValidationError(_("This tranche has already been paid."))
    if tranche.milestone is not None and tranche.milestone.reached_on is None:
        errors["__all__"] = [_("The tranche's milestone has not been reached yet.")]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [_("A payment cannot be recorded in the future.")]
    if not reference.strip():
        errors["reference"] = [_("Give the payment's reference.")]
    if errors:
        raise ValidationError(errors)
    tranche.paid_on = paid_on
    tranche.payment_reference = reference.strip()
    tranche.recorded_by = user if getattr(user, "is_authenticated", False) else None
    tranche.save(update_fields=["paid_on", "payment_reference", "recorded_by"])
    audit_record(
        user=user,
        instance=tranche,
        action="pay",
        changes={"paid_on": [None, paid_on.isoformat()], "reference": [None, reference.strip()]},
    )
    return tranche


@transaction.atomic
def session_log(
    *, project: Project, mentor: Any, held_on: dt.date, hours: Decimal, topics: str
) -> MentoringSession:
    errors: dict[str, list[str]] = {}
    if hours is None or not (0 < hours <= 12):
        errors["hours"] = [_("A session lasts more than 0 and at most 12 hours.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("A session cannot be logged before it is held.")]
    if not topics.strip():
        errors["topics"] = [_("Say what the session was about.")]
    if errors:
        raise ValidationError(errors)
    return MentoringSession.objects.create(
        project=project, mentor=mentor, held_on=held_on, hours=hours, topics=topics.strip()
    )


# ----------------------------------------------------------------------------- outcomes

FOLLOW_UP_FIELDS = [
    "is_active",
    "incorporated",
    "organization",
    "jobs_created",
    "jobs_fragile",
    "revenue",
    "note",
]


@transaction.atomic
def follow_up_report(
    *, project: Project, period: int, data: dict[str, Any], user: Any = None
) -> FollowUp:
    """The team reports (or corrects) what the project became at a follow-up point."""
    errors: dict[str, list[str]] = {}
    if period not in FollowUp.Period.values:
        errors["period"] = [_("Unknown follow-up period.")]
    jobs, fragile = data.get("jobs_created") or 0, data.get("jobs_fragile") or 0
    if jobs < 0 or fragile < 0:
        errors["jobs_created"] = [_("A number of jobs cannot be negative.")]
    elif fragile > jobs:
        errors["jobs_fragile"] = [
            _("Jobs for fragile people are part of the jobs created: they cannot be more.")
        ]
    revenue = data.get("revenue")
    if revenue is not None and revenue < 0:
        errors["revenue"] = [_("An amount cannot be negative.")]
    if data.get("organization") is not None and not data.get("incorporated"):
        errors["incorporated"] = [_("Tick “incorporated” to link an organisation.")]
    if errors:
        raise ValidationError(errors)
    follow_up, _created = FollowUp.objects.update_or_create(
        project=project,
        period=period,
        defaults={**{k: v for k, v in data.items() if k in FOLLOW_UP_FIELDS}, "reported_by": user},
    )
    return follow_up
