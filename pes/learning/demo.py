"""Deterministic demo data for learning: courses and events of every kind with past and
upcoming sessions, enrolments (confirmed while there are seats, then on the waiting list),
attendance on past sessions, and a few research entries. The same seed gives the same data;
running it again adds nothing (courses are keyed by slug).

Every random choice is drawn first (``_draw_course``); the rows are then written in bulk, one
``bulk_create`` per table, with what ``services.course_enrol`` writes for each enrolment (the
status, the course's ``enrolled`` counter, the audit entry), or, with ``through_services``,
course by course through that service (the same rows, far slower: the reference the tests
compare the bulk rows with). Written in bulk, no enrolment e-mail is sent (through the
service, the demo keeps them in memory: ``pes.core.demo.seed_modules``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from pes.accounts.models import User
from pes.core.models import AuditEntry
from pes.learning.models import Attendance, Course, Enrolment, ResearchProject, Session
from pes.learning.services import EnrolmentError, course_enrol
from pes.plan.models import Mission
from pes.registry.models import Organization
from pes.territory.models import Municipality

COURSES = [
    (
        "Amministrazione condivisa: formazione congiunta PA ed enti del Terzo settore",
        "joint_training",
    ),
    ("Economia sociale e cooperazione: corso universitario", "university"),
    ("Seminario di ricerca: misurare l'impatto sociale", "seminar"),
    ("Fare impresa sociale: corso di base", "entrepreneurship"),
    ("Cittadinanza attiva a scuola", "school"),
    ("Festival dell'economia sociale", "event"),
]
DESCRIPTION = "Un percorso di formazione del Piano metropolitano dell'economia sociale."
AUDIENCE = "Personale di enti pubblici e organizzazioni dell'economia sociale"
PLACE = "Sala del Consiglio"
BATCH = 2000  # rows per INSERT


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class _CourseDraw:
    """One course and every random choice about it."""

    n: int
    organizer: Organization
    place: Municipality
    seats: int
    days: list[dt.date]  # of the sessions, where enrolment finds them (all in the future)
    people: list[tuple[User, str]]  # who enrols, in order, and their affiliation
    # Even courses are moved back so that their first session was 30 days ago (every
    # session by the same number of days); ``present[i][k]``: confirmed person ``i`` at
    # session ``k``.
    moved_days: list[dt.date] | None = None
    present: list[list[bool]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return f"demo-corso-{self.n}"

    @property
    def confirmed(self) -> int:
        return min(self.seats, len(self.people))

    def course(self) -> Course:
        title, kind = COURSES[self.n % len(COURSES)]
        return Course(
            organizer=self.organizer,
            title=f"{title} ({self.n + 1})",
            slug=self.slug,
            description=DESCRIPTION,
            kind=kind,
            audience=AUDIENCE,
            min_age=14 if kind == "school" else 18,
            max_age=19 if kind == "school" else 120,
            municipality=self.place,
            seats=self.seats,
        )

    def sessions(self, course: Course, days: list[dt.date]) -> list[Session]:
        return [
            Session(
                course=course,
                starts_at=_aware(day, 9),
                ends_at=_aware(day, 13),
                place=PLACE,
                municipality=self.place,
            )
            for day in days
        ]


def _draw_course(
    n: int,
    rng: random.Random,
    *,
    orgs: list[Organization],
    municipalities: list[Municipality],
    people: list[User],
    today: dt.date,
) -> _CourseDraw:
    place = rng.choice(municipalities)
    organizer = rng.choice(orgs)
    seats = rng.choice([10, 20, 30])
    start = today + dt.timedelta(days=rng.randint(5, 60))
    days = [start + dt.timedelta(days=7 * k) for k in range(rng.randint(1, 4))]
    chosen = rng.sample(people, min(len(people), rng.randint(0, 25)))
    draw = _CourseDraw(
        n=n,
        organizer=organizer,
        place=place,
        seats=seats,
        days=days,
        people=[(user, rng.choice(Enrolment.Affiliation.values)) for user in chosen],
    )
    if n % 2 == 0:
        shift = dt.timedelta(days=(start - today).days + 30)
        draw.moved_days = [day - shift for day in days]
        draw.present = [[rng.random() < 0.85 for _day in days] for _person in range(draw.confirmed)]
    return draw


def seed_learning(*, courses: int, seed: int, through_services: bool = False) -> int:
    """Create up to ``courses`` courses with sessions and enrolments, in bulk (or through
    ``course_enrol`` with ``through_services``), and a research entry for every third;
    returns how many courses were created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    orgs = list(Organization.objects.filter(is_published=True).order_by("id")[:100])
    municipalities = list(Municipality.objects.order_by("istat_code"))
    people = list(User.objects.filter(is_active=True).order_by("id")[:200])
    if not orgs or not municipalities:
        return 0
    today = timezone.localdate()
    existing = set(
        Course.objects.filter(slug__startswith="demo-corso-").values_list("slug", flat=True)
    )
    draws = [
        _draw_course(n, rng, orgs=orgs, municipalities=municipalities, people=people, today=today)
        for n in range(courses)
        if f"demo-corso-{n}" not in existing
    ]
    if through_services:
        for draw in draws:
            _seed_through_services(draw)
    else:
        with transaction.atomic():
            _seed_in_bulk(draws)
    _seed_research(rng, courses, orgs)
    return len(draws)


def _seed_through_services(draw: _CourseDraw) -> None:
    course = draw.course()
    course.save()
    Session.objects.bulk_create(draw.sessions(course, draw.days))
    for user, affiliation in draw.people:
        try:
            course_enrol(course=course, user=user, affiliation=affiliation)
        except EnrolmentError:  # pragma: no cover - the draw enrols each person once
            continue
    if draw.moved_days is None:
        return
    sessions = list(course.sessions.order_by("starts_at", "id"))
    for session, moved in zip(sessions, draw.sessions(course, draw.moved_days), strict=True):
        Session.objects.filter(pk=session.pk).update(
            starts_at=moved.starts_at, ends_at=moved.ends_at
        )
    confirmed = course.enrolments.filter(status=Enrolment.Status.CONFIRMED).order_by(
        "created_at", "id"
    )
    for enrolment, present in zip(confirmed, draw.present, strict=True):
        for session, here in zip(sessions, present, strict=True):
            Attendance.objects.create(enrolment=enrolment, session=session, present=here)


def _seed_in_bulk(draws: list[_CourseDraw]) -> None:
    """What ``_seed_through_services`` writes, one ``bulk_create`` per table."""
    courses = []
    for draw in draws:
        course = draw.course()
        course.enrolled = draw.confirmed  # what ``course_enrol`` counts up
        courses.append(course)
    Course.objects.bulk_create(courses, batch_size=BATCH)
    sessions: list[list[Session]] = [
        draw.sessions(course, draw.moved_days or draw.days)
        for draw, course in zip(draws, courses, strict=True)
    ]
    Session.objects.bulk_create([s for group in sessions for s in group], batch_size=BATCH)
    enrolments: list[Enrolment] = []
    attendances: list[Attendance] = []
    for draw, course, group in zip(draws, courses, sessions, strict=True):
        confirmed: list[Enrolment] = []
        for k, (user, affiliation) in enumerate(draw.people):
            enrolment = Enrolment(
                course=course,
                user=user,
                affiliation=affiliation,
                institution="",
                status=Enrolment.Status.CONFIRMED
                if k < draw.confirmed
                else Enrolment.Status.WAITING,
                created_at=timezone.now(),
            )
            enrolments.append(enrolment)
            if k < draw.confirmed:
                confirmed.append(enrolment)
        if draw.moved_days is None:
            continue
        for enrolment, present in zip(confirmed, draw.present, strict=True):
            attendances += [
                Attendance(enrolment=enrolment, session=session, present=here)
                for session, here in zip(group, present, strict=True)
            ]
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    Attendance.objects.bulk_create(attendances, batch_size=BATCH)
    # The audit entry ``course_enrol`` writes for each enrolment (``audit_record``).
    content_type = ContentType.objects.get_for_model(Enrolment, for_concrete_model=False)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                content_type=content_type,
                object_id=str(e.pk),
                object_repr=str(e)[:255],
                action="create",
                changes={"status": e.status},
                user=e.user,
            )
            for e in enrolments
        ],
        batch_size=BATCH,
    )


def _seed_research(rng: random.Random, courses: int, orgs: list[Organization]) -> None:
    missions = list(Mission.objects.order_by("number"))
    count = max(1, courses // 3)
    existing = set(
        ResearchProject.objects.filter(slug__startswith="demo-ricerca-").values_list(
            "slug", flat=True
        )
    )
    projects: list[ResearchProject] = []
    chosen: list[Mission | None] = []
    for n in range(count):
        slug = f"demo-ricerca-{n}"
        if slug in existing:
            continue
        projects.append(
            ResearchProject(
                title=f"L'economia sociale nella Città metropolitana di Bologna: studio {n + 1}",
                slug=slug,
                kind=rng.choice(ResearchProject.Kind.values),
                university="Alma Mater Studiorum – Università di Bologna",
                department="Dipartimento di Scienze economiche",
                people="Gruppo di ricerca sull'economia sociale",
                start_year=2023 + n % 3,
                end_year=2025 + n % 3,
                summary="Una ricerca sulle organizzazioni dell'economia sociale e il loro impatto.",
                organization=orgs[n % len(orgs)],
            )
        )
        chosen.append(rng.choice(missions) if missions else None)
    with transaction.atomic():
        ResearchProject.objects.bulk_create(projects, batch_size=BATCH)
        through: Any = ResearchProject.missions.through
        through.objects.bulk_create(
            [
                through(researchproject_id=project.pk, mission_id=mission.pk)
                for project, mission in zip(projects, chosen, strict=True)
                if mission is not None
            ],
            batch_size=BATCH,
        )
