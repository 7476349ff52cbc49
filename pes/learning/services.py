"""Writes of the learning module. Views, forms, the API and the demo call these.

Seats hold under concurrency: enrolling, cancelling and promoting from the waiting list lock
the course row (``select_for_update``) inside a transaction and move the ``enrolled`` counter
with it; the database refuses ``enrolled > seats`` should anything slip past. Enrolments and
attendance are audited; e-mails go out through ``tasks.py`` after the commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record
from pes.learning.models import (
    LIVE_STATES,
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Feedback,
    ResearchProject,
    Session,
)


class EnrolmentError(ValidationError):
    """An enrolment, cancellation or attendance the rules refuse; nothing was changed."""


def _after_commit(task: Any, *args: Any) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def _unique_slug(model: Any, title: str, fallback: str) -> str:
    base = slugify(title)[:200] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# ----------------------------------------------------------------------------- courses


def _check_course(data: dict[str, Any], *, enrolled: int = 0) -> None:
    errors: dict[str, list[str]] = {}
    if (
        data.get("min_age") is not None
        and data.get("max_age") is not None
        and data["min_age"] > data["max_age"]
    ):
        errors["max_age"] = [_("The age range is upside down: “to age” is below “from age”.")]
    if data.get("is_free"):
        if data.get("fee"):
            errors["fee"] = [_("A free course has no fee: clear the fee or untick “free”.")]
        data["fee"] = None
    elif not data.get("fee") or data["fee"] <= 0:
        errors["fee"] = [_("Give the fee in euros, or tick “free of charge”.")]
    seats = data.get("seats")
    if seats is not None and seats < max(enrolled, 1):
        errors["seats"] = [
            _("There must be at least %(n)d seats: that many people are already enrolled.")
            % {"n": max(enrolled, 1)}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def course_create(*, data: dict[str, Any], user: Any = None) -> Course:
    _check_course(data)
    course = Course(**data)
    course.slug = _unique_slug(Course, course.title, "corso")
    course.full_clean(exclude=["slug"])
    course.save()
    audit_record(user=user, instance=course, action="create")
    return course


@transaction.atomic
def course_update(*, course: Course, data: dict[str, Any], user: Any = None) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk)
    merged = {
        "min_age": course.min_age,
        "max_age": course.max_age,
        "is_free": course.is_free,
        "fee": course.fee,
        **data,
    }
    _check_course(merged, enrolled=course.enrolled)
    for key in [*data, "fee"]:
        setattr(course, key, merged[key])
    course.full_clean(exclude=["slug"])
    course.save()
    audit_record(user=user, instance=course, action="update")
    return course


def session_create(
    *,
    course: Course,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    municipality: Any = None,
    title: str = "",
    user: Any = None,
) -> Session:
    if ends_at <= starts_at:
        raise ValidationError({"end_time": [_("The session must end after it starts.")]})
    if starts_at <= timezone.now():
        raise ValidationError({"date": [_("A new session must start in the future.")]})
    session = Session(
        course=course,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        municipality=municipality or course.municipality,
    )
    session.full_clean()
    with transaction.atomic():
        session.save()
        audit_record(user=user, instance=session, action="create")
    return session


def session_update(
    *,
    session: Session,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    municipality: Any = None,
    title: str = "",
    user: Any = None,
) -> Session:
    """Change a session that has not started yet; it must still start in the future."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
        if session.has_started:
            raise ValidationError(
                _("This session has started: it can no longer be changed."), code="started"
            )
        if ends_at <= starts_at:
            raise ValidationError({"end_time": [_("The session must end after it starts.")]})
        if starts_at <= timezone.now():
            raise ValidationError({"date": [_("A session must start in the future.")]})
        before = {"starts_at": session.starts_at.isoformat(), "place": session.place}
        session.title = title
        session.starts_at = starts_at
        session.ends_at = ends_at
        session.place = place
        session.municipality = municipality or session.course.municipality
        session.full_clean()
        session.save()
        audit_record(user=user, instance=session, action="update", changes={"before": before})
    return session


# ----------------------------------------------------------------------------- enrolment


def course_enrol(
    *, course: Course, user: Any, affiliation: str, institution: str = ""
) -> Enrolment:
    """Enrol ``user``: confirmed while there are seats, else on the waiting list. Refused
    (``EnrolmentError``, nothing written) for an unpublished course, a course without sessions
    or whose first session has started, and a second live enrolment."""
    if affiliation not in Enrolment.Affiliation.values:
        raise ValidationError({"affiliation": [_("Choose how you take part.")]})
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if not locked.is_published:
            raise EnrolmentError(_("This course is not open to enrolment."), code="unpublished")
        first = locked.sessions.order_by("starts_at").first()
        if first is None:
            raise EnrolmentError(
                _("This course has no session yet: enrolment opens with the first session."),
                code="no_sessions",
            )
        if first.starts_at <= timezone.now():
            raise EnrolmentError(
                _("This course has already started: enrolment is closed."), code="past"
            )
        if Enrolment.objects.filter(course=locked, user=user, status__in=LIVE_STATES).exists():
            raise EnrolmentError(_("You are already enrolled in this course."), code="duplicate")
        if locked.enrolled < locked.seats:
            status = Enrolment.Status.CONFIRMED
            locked.enrolled += 1
            locked.save(update_fields=["enrolled"])
        else:
            status = Enrolment.Status.WAITING
        enrolment = Enrolment.objects.create(
            course=locked,
            user=user,
            affiliation=affiliation,
            institution=institution[:200],
            status=status,
        )
        audit_record(user=user, instance=enrolment, action="create", changes={"status": status})
        from pes.learning.tasks import send_enrolment_email

        _after_commit(send_enrolment_email, enrolment.pk, status)
    course.enrolled = locked.enrolled
    return enrolment


def enrolment_cancel(*, enrolment: Enrolment, user: Any = None) -> Enrolment:
    """Cancel; a confirmed seat goes to the first person on the waiting list."""
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=enrolment.course_id)
        current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if current.status not in LIVE_STATES:
            raise EnrolmentError(_("This enrolment is already cancelled."), code="cancelled")
        first = course.sessions.order_by("starts_at").first()
        if first is not None and first.starts_at <= timezone.now():
            raise EnrolmentError(
                _("The course has started: ask the organiser to cancel the enrolment."),
                code="past",
            )
        was_confirmed = current.status == Enrolment.Status.CONFIRMED
        current.status = Enrolment.Status.CANCELLED
        current.save(update_fields=["status"])
        audit_record(user=user, instance=current, action="cancel")
        if was_confirmed:
            promoted = (
                Enrolment.objects.select_for_update()
                .filter(course=course, status=Enrolment.Status.WAITING)
                .order_by("created_at", "id")
                .first()
            )
            if promoted is not None:
                promoted.status = Enrolment.Status.CONFIRMED
                promoted.save(update_fields=["status"])
                audit_record(user=user, instance=promoted, action="promote")
                from pes.learning.tasks import send_enrolment_email

                _after_commit(send_enrolment_email, promoted.pk, "promoted")
            else:
                course.enrolled -= 1
                course.save(update_fields=["enrolled"])
    return current


# ----------------------------------------------------------------------------- attendance


def session_record_attendance(
    *, session: Session, present: dict[int, bool], user: Any = None
) -> int:
    """Record who was present at ``session`` (enrolment id → present). Only confirmed
    enrolments of the course count; allowed once the session has started."""
    if not session.has_started:
        raise EnrolmentError(
            _("Attendance can be recorded once the session has started."), code="future"
        )
    with transaction.atomic():
        enrolments = {
            e.pk: e
            for e in Enrolment.objects.filter(
                course_id=session.course_id, status=Enrolment.Status.CONFIRMED, pk__in=present
            )
        }
        unknown = set(present) - set(enrolments)
        if unknown:
            raise EnrolmentError(
                _("Some of these people are not enrolled in the course."), code="unknown"
            )
        for pk, is_present in present.items():
            Attendance.objects.update_or_create(
                enrolment_id=pk,
                session=session,
                defaults={"present": is_present, "recorded_at": timezone.now()},
            )
        audit_record(
            user=user,
            instance=session,
            action="attendance",
            changes={str(k): v for k, v in present.items()},
        )
    return len(present)


def _initials(user: Any) -> str:
    parts = [user.first_name, user.last_name]
    return "".join(f"{p.strip()[0].upper()}." for p in parts if p and p.strip()) or "—"


def certificate_issue(*, enrolment: Enrolment) -> Certificate:
    """The certificate of attendance, once the person attended enough of the sessions that
    have taken place. Issued once; asking again returns the same certificate."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise EnrolmentError(_("Only confirmed participants receive a certificate."))
    course = enrolment.course
    sessions = list(course.sessions.all())
    attended = [
        a.session
        for a in Attendance.objects.filter(enrolment=enrolment, present=True).select_related(
            "session"
        )
    ]
    if not sessions or not attended:
        raise EnrolmentError(
            _("No attendance has been recorded for you yet: the certificate is not available."),
            code="no_attendance",
        )
    share = len(attended) * 100 / len(sessions)
    if share < course.min_attendance:
        raise EnrolmentError(
            _("You attended %(n)d of %(total)d sessions: the certificate needs at least %(pct)d%%.")
            % {"n": len(attended), "total": len(sessions), "pct": course.min_attendance},
            code="not_enough",
        )
    hours = sum((Decimal(str(s.hours)) for s in attended), Decimal(0))
    with transaction.atomic():
        certificate, _created = Certificate.objects.get_or_create(
            enrolment=enrolment,
            defaults={
                "sessions_attended": len(attended),
                "sessions_total": len(sessions),
                "hours": hours.quantize(Decimal("0.01")),
                "initials": _initials(enrolment.user),
            },
        )
        audit_record(user=enrolment.user, instance=certificate, action="issue")
    return certificate


def feedback_submit(
    *, enrolment: Enrolment, overall: int, usefulness: int, comment: str = ""
) -> Feedback:
    errors: dict[str, list[str]] = {}
    for name, value in (("overall", overall), ("usefulness", usefulness)):
        if not 1 <= value <= 5:
            errors[name] = [_("Choose a mark from 1 to 5.")]
    if errors:
        raise ValidationError(errors)
    if not Attendance.objects.filter(enrolment=enrolment, present=True).exists():
        raise EnrolmentError(
            _("The survey opens once you have attended at least one session."), code="no_attendance"
        )
    if Feedback.objects.filter(enrolment=enrolment).exists():
        raise EnrolmentError(_("You have already answered this survey: thank you!"))
    return Feedback.objects.create(
        enrolment=enrolment, overall=overall, usefulness=usefulness, comment=comment[:5000]
    )


# ----------------------------------------------------------------------------- research


def _check_research(data: dict[str, Any]) -> None:
    if data.get("end_year") and data.get("start_year") and data["end_year"] < data["start_year"]:
        raise ValidationError(
            {"end_year": [_("The period is upside down: it ends before it starts.")]}
        )


@transaction.atomic
def research_create(
    *, data: dict[str, Any], missions: list[Any] | None = None, user: Any = None
) -> ResearchProject:
    _check_research(data)
    project = ResearchProject(**data)
    project.slug = _unique_slug(ResearchProject, project.title, "ricerca")
    project.full_clean(exclude=["slug"])
    project.save()
    if missions:
        project.missions.set(missions)
    audit_record(user=user, instance=project, action="create")
    return project


@transaction.atomic
def research_update(
    *,
    project: ResearchProject,
    data: dict[str, Any],
    missions: list[Any] | None = None,
    user: Any = None,
) -> ResearchProject:
    _check_research({"start_year": project.start_year, "end_year": project.end_year, **data})
    for key, value in data.items():
        setattr(project, key, value)
    project.full_clean(exclude=["slug"])
    project.save()
    if missions is not None:
        project.missions.set(missions)
    audit_record(user=user, instance=project, action="update")
    return project
