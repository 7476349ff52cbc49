from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from pes.learning.models import Course, ResearchProject, Session
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality

BOLOGNA = "037006"


def municipality(istat: str = BOLOGNA) -> Municipality:
    return Municipality.objects.get(istat_code=istat)


def in_days(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    organizer = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Amministrazione condivisa, modulo {n}")
    slug = factory.Sequence(lambda n: f"amministrazione-condivisa-{n}")
    description = factory.Faker("paragraph", locale="it_IT")
    kind = Course.Kind.JOINT_TRAINING
    audience = "Personale comunale ed enti del Terzo settore"
    municipality = factory.LazyFunction(municipality)
    seats = 20


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    place = "Palazzo Malvezzi, Sala del Consiglio"
    municipality = factory.LazyFunction(municipality)


class ResearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearchProject
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Le cooperative di comunità in Appennino {n}")
    slug = factory.Sequence(lambda n: f"cooperative-comunita-{n}")
    kind = ResearchProject.Kind.PROJECT
    university = "Università di Bologna"
    department = "Dipartimento di Scienze politiche e sociali"
    people = "Maria Rossi, Luca Bianchi"
    start_year = 2024
    end_year = 2026
    summary = "Una ricerca sulle cooperative di comunità."
    organization = factory.SubFactory(OrganizationFactory)
