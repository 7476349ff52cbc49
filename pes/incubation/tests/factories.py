from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.incubation.models import (
    CANVAS_KEYS,
    Application,
    Call,
    Cohort,
    Criterion,
    PromoterKind,
    Target,
)
from pes.territory.models import Municipality


def in_days(days: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def full_canvas() -> dict[str, str]:
    return {key: f"Contenuto del blocco {key}" for key in CANVAS_KEYS}


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Incubatore di cooperative di comunità {n}")
    slug = factory.Sequence(lambda n: f"incubatore-{n}")
    description = factory.Faker("paragraph", locale="it_IT")
    promoter_kind = PromoterKind.PUBLIC
    promoter_name = "Città metropolitana di Bologna"
    targets = factory.LazyFunction(lambda: [Target.COMMUNITY_COOPERATIVES])
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    deadline = factory.LazyFunction(lambda: in_days(30))
    budget = Decimal("100000")
    max_grant = Decimal("20000")

    @factory.post_generation
    def criteria(
        self, create: bool, extracted: list[tuple[str, int, int]] | None, **kw: object
    ) -> None:
        if not create:
            return
        specs = (
            extracted
            if extracted is not None
            else [
                ("Impatto sulla comunità", 60, 10),
                ("Sostenibilità economica", 40, 10),
            ]
        )
        for order, (name, weight, max_score) in enumerate(specs):
            Criterion.objects.create(
                call=self, name=name, weight=weight, max_score=max_score, order=order
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete application, sent unless ``status`` says otherwise."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    team_lead = factory.SubFactory(UserFactory)
    team_name = factory.Sequence(lambda n: f"Gruppo informale {n}")
    team_members = "Anna Rossi, coordinatrice\nLuca Bianchi, tesoriere"
    title = factory.Sequence(lambda n: f"Emporio di comunità {n}")
    idea = factory.Faker("paragraph", locale="it_IT")
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="037006"))
    community_served = "Gli abitanti della frazione"
    canvas = factory.LazyFunction(full_canvas)
    budget_total = Decimal("30000")
    grant_requested = Decimal("15000")
    expected_jobs = 3
    expected_jobs_fragile = 1
    status = Application.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Coorte {n}")
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))
