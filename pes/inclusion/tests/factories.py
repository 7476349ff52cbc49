from __future__ import annotations

import datetime as dt
import string

import factory
from django.utils import timezone
from stdnum.it import codicefiscale

from pes.inclusion.models import (
    FIRST_CONTACT_DAYS,
    Case,
    Contract,
    NetworkMember,
    Opening,
    Person,
    Team,
)
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality

MONTHS = "ABCDEHLMPRST"
LETTERS = "BCDFGHLMNPRSTVZ"


def personal_codice_fiscale(n: int) -> str:
    """A valid 16-character codice fiscale, different for every ``n`` (born in Bologna)."""
    a = "".join(LETTERS[(n // 15**i) % 15] for i in range(3))
    b = "".join(LETTERS[(n // 15 ** (i + 3)) % 15] for i in range(2)) + "A"
    year = 60 + n % 40
    month = MONTHS[n % 12]
    day = 1 + n % 28 + (40 if n % 2 else 0)
    body = f"{a}{b}{year:02d}{month}{day:02d}A944"
    return body + codicefiscale.calc_check_digit(body)


def bologna() -> Municipality:
    return Municipality.objects.get(istat_code="037006")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="it_IT")
    last_name = factory.Faker("last_name", locale="it_IT")
    codice_fiscale = factory.Sequence(lambda n: personal_codice_fiscale(n + 11))
    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    phone = "051 123456"
    municipality = factory.LazyFunction(bologna)
    education = "lower_secondary"
    italian_level = "independent"
    skills = factory.LazyFunction(lambda: ["cleaning", "warehouse"])
    max_hours_per_week = 40
    max_travel_km = 30
    consent_at = factory.LazyFunction(timezone.now)
    privacy_notice_version = "2025-1"
    share_with_companies = factory.LazyFunction(lambda: ["skills"])


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    reference = factory.Sequence(lambda n: f"LAV-2025-T{n:05d}")
    registered_at = factory.LazyFunction(timezone.now)
    first_contact_due = factory.LazyAttribute(
        lambda o: timezone.localtime(o.registered_at).date() + dt.timedelta(days=FIRST_CONTACT_DAYS)
    )


class ReadyCaseFactory(CaseFactory):
    """A case contacted and assessed ready for placement."""

    status = Case.Status.ASSESSED
    outcome = Case.Outcome.READY
    first_contact_at = factory.LazyFunction(timezone.now)
    assessed_at = factory.LazyFunction(timezone.now)


class NetworkMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMember

    organization = factory.SubFactory(OrganizationFactory, name="Pulizie Emiliane srl")
    kind = NetworkMember.Kind.COMPANY


class OpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opening

    organization = factory.LazyAttribute(lambda o: NetworkMemberFactory.create().organization)
    role = factory.Sequence(lambda n: f"Addetto alle pulizie {n}")
    municipality = factory.LazyFunction(bologna)
    contract = Contract.FIXED_TERM
    hours_per_week = 20
    places = 2
    required_skills = factory.LazyFunction(lambda: ["cleaning"])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Squadra {string.ascii_uppercase[n % 26]}{n}")
