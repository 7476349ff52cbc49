from __future__ import annotations

from decimal import Decimal

import factory

from pes.impact.models import (
    Campaign,
    Indicator,
    Method,
    Participant,
    Sroi,
    Subject,
    Theory,
    Unit,
)
from pes.impact.services import method_create
from pes.registry.tests.factories import OrganizationFactory


class TheoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theory

    title = factory.Sequence(lambda n: f"Orti di comunità {n}")
    subject = Subject.ORGANIZATION
    organization = factory.SubFactory(OrganizationFactory)
    needs = "Isolamento delle persone anziane\nScarsa cura degli spazi verdi"
    activities = "Laboratori settimanali negli orti"
    outcomes = "Meno solitudine tra i partecipanti"
    impact = "Comunità più coesa"


class SroiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sroi

    title = factory.Sequence(lambda n: f"SROI {n}")
    theory = factory.SubFactory(TheoryFactory)
    organization = factory.SelfAttribute("theory.organization")
    investment = Decimal("10000")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    name = factory.Faker("sentence", nb_words=4, locale="it_IT")
    definition = factory.Faker("paragraph", locale="it_IT")
    unit = "persone"
    data_type = "integer"


def make_method(name: str = "Metodo per progetti", extra: list[Indicator] | None = None) -> Method:
    return method_create(data={"name": name, "unit": Unit.PROJECT}, indicators=extra or [])


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    method = factory.LazyFunction(make_method)
    title = factory.Sequence(lambda n: f"Rilevazione {n}")
    year = 2025


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    campaign = factory.SubFactory(CampaignFactory)
    organization = factory.SubFactory(OrganizationFactory)
