"""Deterministic demo data for volunteering (Faker ``it_IT``): volunteers, opportunities of
published organisations with past and upcoming shifts, bookings through the services (so that
capacity and waiting lists hold), verified hours on past shifts. The same seed gives the same
data; running it again adds nothing (volunteers are keyed by e-mail, opportunities by slug).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from pes.accounts.models import User
from pes.registry.models import Activity, Organization
from pes.territory.models import Municipality
from pes.volunteering.models import AgeBracket, Booking, Opportunity, Shift, Skill, Volunteer
from pes.volunteering.reference import load_skills
from pes.volunteering.services import BookingError, shift_book, upcoming_shifts_refresh

# The first volunteers book shifts through the services; the rest are written in bulk.
BOOKING_VOLUNTEERS = 300
BULK_BATCH = 2000
MAX_OPPORTUNITIES = 1000
LANGUAGES = ["en", "fr", "es", "ar", "ro"]

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
    new_opportunities: list[int] = []
    for n in range(max(1, min(volunteers // 10, MAX_OPPORTUNITIES))):
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
            shifts = []
            for week in range(-3, 4):
                day = today + dt.timedelta(weeks=week, days=rng.randint(0, 6))
                hour = rng.choice([9, 10, 15, 18])
                starts = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
                shifts.append(
                    Shift(
                        opportunity=opportunity,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(hours=rng.choice([2, 3, 4])),
                        place=fake.street_address(),
                        municipality=opportunity.municipality,
                        capacity=rng.randint(3, 12),
                    )
                )
            # In bulk (no signals): the stored next shifts are refreshed once, below.
            Shift.objects.bulk_create(shifts)
            new_opportunities.append(opportunity.pk)
        opportunities.append(opportunity)
    upcoming_shifts_refresh(opportunity_ids=new_opportunities)

    created = 0
    brackets = [b for b, _label in AgeBracket.choices]
    letters = list(activities)
    for n in range(min(volunteers, BOOKING_VOLUNTEERS)):
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
    if volunteers > BOOKING_VOLUNTEERS:
        created += _bulk_volunteers(
            range(BOOKING_VOLUNTEERS, volunteers),
            rng=rng,
            fake=fake,
            municipalities=municipalities,
            activities=list(activities.values()),
            skills=skills,
            now=now,
        )
    return created


def _bulk_volunteers(
    numbers: range,
    *,
    rng: random.Random,
    fake: Faker,
    municipalities: list[Municipality],
    activities: list[Activity],
    skills: list[Skill],
    now: dt.datetime,
) -> int:
    """The volunteers beyond the first few, written with ``bulk_create`` in batches (users,
    volunteers, interests, skills): national sizes in seconds, not hours. They have no
    bookings yet, as most people who just signed up."""
    brackets = [b for b, _label in AgeBracket.choices]
    existing = set(
        User.objects.filter(email__endswith="@demo.pes.example").values_list("email", flat=True)
    )
    unusable = make_password(None)
    created = 0
    for start in range(numbers.start, numbers.stop, BULK_BATCH):
        users, people = [], []
        for n in range(start, min(start + BULK_BATCH, numbers.stop)):
            email = f"volontario{n}@demo.pes.example"
            if email in existing:
                continue
            users.append(
                User(
                    username=email,
                    email=email,
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    password=unusable,
                )
            )
            bracket = rng.choices(brackets, weights=[2, 3, 20, 25, 30, 20])[0]
            minor = bracket in ("14-15", "16-17")
            people.append(
                Volunteer(
                    municipality=rng.choice(municipalities),
                    max_distance_km=rng.choice([5, 10, 20, 40]),
                    age_bracket=bracket,
                    guardian_consent=minor,
                    guardian_name=fake.name() if minor else "",
                    languages=["it"]
                    + rng.sample(["en", "fr", "es", "ar", "ro"], k=rng.randint(0, 2)),
                    available_days=sorted(rng.sample(range(7), k=rng.randint(1, 4))),
                    time_slots=rng.sample(["morning", "afternoon", "evening"], k=rng.randint(1, 2)),
                    privacy_consent_at=now,
                )
            )
        if not users:
            continue
        with transaction.atomic():
            User.objects.bulk_create(users)
            by_email = dict(
                User.objects.filter(email__in=[u.email for u in users]).values_list("email", "id")
            )
            for user, person in zip(users, people, strict=True):
                person.user_id = by_email[user.email]
            Volunteer.objects.bulk_create(people)
            ids = list(
                Volunteer.objects.filter(user_id__in=by_email.values()).values_list("id", flat=True)
            )
            interests = Volunteer.interests.through
            skilled = Volunteer.skills.through
            interests.objects.bulk_create(
                [
                    interests(volunteer_id=pk, activity_id=a.pk)
                    for pk in ids
                    for a in rng.sample(activities, k=min(3, len(activities)))
                ]
            )
            skilled.objects.bulk_create(
                [
                    skilled(volunteer_id=pk, skill_id=k.pk)
                    for pk in ids
                    for k in rng.sample(skills, k=rng.randint(0, min(3, len(skills))))
                ]
            )
        created += len(users)
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
