from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.registry.models import Activity
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.volunteering.models import Group, Opportunity, Shift, Skill, Volunteer

BOLOGNA = "037006"


def municipality(istat: str = BOLOGNA) -> Municipality:
    return Municipality.objects.get(istat_code=istat)


def skill(code: str = "primo-soccorso", label: str = "Primo soccorso") -> Skill:
    return Skill.objects.get_or_create(code=code, defaults={"label": label})[0]


def next_week(hour: int = 9, days: int = 7) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyFunction(municipality)
    max_distance_km = 20
    age_bracket = "30-44"
    languages = factory.LazyFunction(lambda: ["it"])
    available_days = factory.LazyFunction(lambda: [0, 1, 2, 3, 4, 5, 6])
    time_slots = factory.LazyFunction(lambda: ["morning", "afternoon", "evening"])
    privacy_consent_at = factory.LazyFunction(timezone.now)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Distribuzione pasti al centro sociale {n}")
    slug = factory.Sequence(lambda n: f"distribuzione-pasti-{n}")
    description = factory.Faker("paragraph", locale="it_IT")
    activity = factory.LazyFunction(lambda: Activity.objects.get(letter="a"))
    municipality = factory.LazyFunction(municipality)
    min_age = 18
    insurance_note = "Polizza infortuni e RC dell'ente (art. 18 CTS)"


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    opportunity = factory.SubFactory(OpportunityFactory)
    starts_at = factory.LazyFunction(next_week)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    place = "Via del Pratello 10"
    municipality = factory.LazyFunction(municipality)
    capacity = 5


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    kind = Group.Kind.SCHOOL
    name = factory.Sequence(lambda n: f"Classe 4{chr(65 + n % 26)}")
    institution = "Liceo scientifico Augusto Righi"
    municipality = factory.LazyFunction(municipality)
    size = 20
    manager = factory.SubFactory(UserFactory)
