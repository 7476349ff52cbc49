"""Deterministic demo data for learning: courses and events of every kind with past and
upcoming sessions, enrolments through the services (so seats and waiting lists hold),
attendance on past sessions, and a few research entries. The same seed gives the same data;
running it again adds nothing (courses are keyed by slug)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from pes.accounts.models import User
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


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_learning(*, courses: int, seed: int) -> int:
    """Create up to ``courses`` courses with sessions and enrolments; returns how many."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    orgs = list(Organization.objects.filter(is_published=True).order_by("id")[:100])
    municipalities = list(Municipality.objects.order_by("istat_code"))
    people = list(User.objects.filter(is_active=True).order_by("id")[:200])
    if not orgs or not municipalities:
        return 0
    today = timezone.localdate()
    created = 0
    for n in range(courses):
        slug = f"demo-corso-{n}"
        if Course.objects.filter(slug=slug).exists():
            continue
        title, kind = COURSES[n % len(COURSES)]
        place = rng.choice(municipalities)
        course = Course.objects.create(
            organizer=rng.choice(orgs),
            title=f"{title} ({n + 1})",
            slug=slug,
            description="Un percorso di formazione del Piano metropolitano dell'economia sociale.",
            kind=kind,
            audience="Personale di enti pubblici e organizzazioni dell'economia sociale",
            min_age=14 if kind == "school" else 18,
            max_age=19 if kind == "school" else 120,
            municipality=place,
            seats=rng.choice([10, 20, 30]),
        )
        start = today + dt.timedelta(days=rng.randint(5, 60))
        for k in range(rng.randint(1, 4)):
            day = start + dt.timedelta(days=7 * k)
            Session.objects.create(
                course=course,
                starts_at=_aware(day, 9),
                ends_at=_aware(day, 13),
                place="Sala del Consiglio",
                municipality=place,
            )
        for user in rng.sample(people, min(len(people), rng.randint(0, 25))):
            try:
                course_enrol(
                    course=course,
                    user=user,
                    affiliation=rng.choice(Enrolment.Affiliation.values),
                )
            except EnrolmentError:
                continue
        # Move the first session to last month and record attendance, so that certificates
        # and the dashboard have something to show.
        first = course.sessions.order_by("starts_at").first()
        if first is not None and n % 2 == 0:
            shift = dt.timedelta(days=(first.starts_at.date() - today).days + 30)
            course.sessions.update(starts_at=first.starts_at - shift, ends_at=first.ends_at - shift)
            for enrolment in course.enrolments.filter(status=Enrolment.Status.CONFIRMED):
                for session in course.sessions.all():
                    Attendance.objects.get_or_create(
                        enrolment=enrolment,
                        session=session,
                        defaults={"present": rng.random() < 0.85},
                    )
        created += 1
    missions = list(Mission.objects.order_by("number"))
    for n in range(max(1, courses // 3)):
        slug = f"demo-ricerca-{n}"
        if ResearchProject.objects.filter(slug=slug).exists():
            continue
        project = ResearchProject.objects.create(
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
        if missions:
            project.missions.add(rng.choice(missions))
    return created
