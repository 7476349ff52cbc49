"""Deterministic demo data for volunteering (Faker ``it_IT``): volunteers, opportunities of
published organisations with past and upcoming shifts, bookings through the services (so that
capacity and waiting lists hold), verified hours on past shifts. The same seed gives the same
data; running it again adds nothing (volunteers are keyed by e-mail, opportunities by slug).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from faker import Faker

from pes.accounts.models import User
from pes.registry.models import Activity, Organization
from pes.territory.models import Municipality
from pes.volunteering.models import AgeBracket, Booking, Opportunity, Shift, Skill, Volunteer
from pes.volunteering.reference import load_skills
from pes.volunteering.services import BookingError, shift_book

TITLES = [
    ("Spesa sospesa al mercato rionale", "a"),
    ("Doposcuola per ragazze e ragazzi delle medie", "d"),
    ("Compagnia telefonica a persone anziane sole", "a"),
    ("Cura del verde nel parco di quartiere", "e"),
    ("Accoglienza in biblioteca e letture ad alta voce", "i"),
    ("Distribuzione pasti alla mensa solidale", "a"),
    ("Facilitazione digitale allo sportello comunale", "d"),
    ("Accompagnamento a visite mediche", "c"),
    ("Festa di quartiere: allestimento e accoglienza", "i"),
    ("Sport inclusivo il sabato mattina", "t"),
]


def seed_volunteering(*, volunteers: int, seed: int) -> int:
    """Create up to ``volunteers`` volunteers and about one opportunity per ten of them.
    Returns the number of volunteers created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    load_skills()
    orgs = list(Organization.objects.filter(is_published=True).order_by("id")[:200])
    municipalities = list(Municipality.objects.order_by("istat_code"))
    activities = {a.letter: a for a in Activity.objects.all()}
    skills = list(Skill.objects.all())
    if not orgs or not municipalities or not activities:
        return 0
    now = timezone.now()
    today = timezone.localdate()

    opportunities = []
    for n in range(max(1, volunteers // 10)):
        title, letter = TITLES[n % len(TITLES)]
        slug = f"demo-volontariato-{n}"
        opportunity = Opportunity.objects.filter(slug=slug).first()
        if opportunity is None:
            place = rng.choice(municipalities)
            opportunity = Opportunity.objects.create(
                organization=rng.choice(orgs),
                title=f"{title} — {place.name}",
                slug=slug,
                description=fake.paragraph(nb_sentences=4),
                activity=activities.get(letter) or next(iter(activities.values())),
                kind=rng.choice(["one_off", "recurring"]),
                municipality=place,
                wheelchair_accessible=rng.random() < 0.5,
                min_age=rng.choice([14, 16, 18, 18]),
                insurance_note="Polizza infortuni e responsabilità civile dell'ente (art. 18 CTS)",
            )
            opportunity.skills.set(rng.sample(skills, k=min(2, len(skills))))
            for week in range(-3, 4):
                day = today + dt.timedelta(weeks=week, days=rng.randint(0, 6))
                hour = rng.choice([9, 10, 15, 18])
                starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                Shift.objects.create(
                    opportunity=opportunity,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=rng.choice([2, 3, 4])),
                    place=fake.street_address(),
                    municipality=opportunity.municipality,
                    capacity=rng.randint(3, 12),
                )
        opportunities.append(opportunity)

    created = 0
    brackets = [b for b, _label in AgeBracket.choices]
    letters = list(activities)
    for n in range(volunteers):
        email = f"volontario{n}@demo.pes.example"
        if User.objects.filter(email=email).exists():
            continue
        with transaction.atomic():
            user = User.objects.create_user(
                username=email,
                email=email,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=None,
            )
            bracket = rng.choices(brackets, weights=[2, 3, 20, 25, 30, 20])[0]
            minor = bracket in ("14-15", "16-17")
            volunteer = Volunteer.objects.create(
                user=user,
                municipality=rng.choice(municipalities),
                max_distance_km=rng.choice([5, 10, 20, 40]),
                age_bracket=bracket,
                guardian_consent=minor,
                guardian_name=fake.name() if minor else "",
                languages=["it"] + rng.sample(["en", "fr", "es", "ar", "ro"], k=rng.randint(0, 2)),
                available_days=sorted(rng.sample(range(7), k=rng.randint(1, 4))),
                time_slots=rng.sample(["morning", "afternoon", "evening"], k=rng.randint(1, 2)),
                privacy_consent_at=now,
            )
            volunteer.interests.set(
                [activities[x] for x in rng.sample(letters, k=min(3, len(letters)))]
            )
            volunteer.skills.set(rng.sample(skills, k=rng.randint(0, 3)))
        created += 1
        for opportunity in rng.sample(opportunities, k=min(2, len(opportunities))):
            for shift in rng.sample(list(opportunity.shifts.all()), k=2):
                _book_demo(shift=shift, volunteer=volunteer, now=now)
    return created


def _book_demo(*, shift: Shift, volunteer: Volunteer, now: dt.datetime) -> None:
    """Future shifts go through the service; past ones are recorded as attended and verified
    (the service refuses past shifts, as it should for people)."""
    if shift.starts_at > now:
        try:
            shift_book(shift=shift, volunteer=volunteer)
        except BookingError:
            pass
        return
    shift.refresh_from_db(fields=["booked"])
    if shift.booked >= shift.capacity or volunteer.min_age < shift.opportunity.min_age:
        return
    if Booking.objects.filter(shift=shift, volunteer=volunteer).exists():
        return
    Booking.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=Booking.Status.CONFIRMED,
        created_at=shift.starts_at - dt.timedelta(days=3),
        attendance=Booking.Attendance.PRESENT,
        hours=shift.duration_hours,
        verified_at=shift.ends_at,
    )
    Shift.objects.filter(pk=shift.pk).update(booked=shift.booked + 1)
