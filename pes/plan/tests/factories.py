from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from pes.plan.models import Action, Indicator, Initiative, InitiativeStatus
from pes.registry.tests.factories import OrganizationFactory


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    action = factory.LazyFunction(lambda: Action.objects.get(mission__number=2, number=1))
    title = factory.Sequence(lambda n: f"Insieme per il lavoro {n}")
    slug = factory.Sequence(lambda n: f"insieme-per-il-lavoro-{n}")
    lead = factory.SubFactory(OrganizationFactory)
    status = factory.LazyFunction(lambda: InitiativeStatus.objects.get(key="started"))
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2027, 12, 31)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"persone-inserite-{n}")
    name = "Persone inserite al lavoro"
    unit = "persone"
    action = factory.LazyFunction(lambda: Action.objects.get(mission__number=2, number=1))
    baseline_value = Decimal(0)
    baseline_date = dt.date(2025, 1, 1)
