from __future__ import annotations

from decimal import Decimal

import factory

from pes.registry.tests.factories import OrganizationFactory
from pes.services.models import Route, RouteStop, Service, Stay
from pes.territory.models import Municipality

BOLOGNA = "037006"


def municipality(istat: str = BOLOGNA) -> Municipality:
    return Municipality.objects.get(istat_code=istat)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    provider = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Spazio compiti e gioco {n}")
    slug = factory.Sequence(lambda n: f"spazio-compiti-{n}")
    description = factory.Faker("paragraph", locale="it_IT")
    kind = Service.Kind.EDUCATIONAL
    min_age = 11
    max_age = 17
    municipality = factory.LazyFunction(municipality)
    schedule = "martedì e giovedì 15–18"
    how_to_access = "Iscrizione allo sportello"


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Route

    provider = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Ciclovia della pianura {n}")
    slug = factory.Sequence(lambda n: f"ciclovia-{n}")
    description = "Un percorso in bicicletta lungo i canali."
    mode = Route.Mode.CYCLING
    length_km = Decimal("32.5")
    difficulty = Route.Difficulty.EASY


def add_stop(route: Route, istat: str, position: int) -> RouteStop:
    m = municipality(istat)
    return RouteStop.objects.create(
        route=route,
        position=position,
        name=f"Tappa {m.name}",
        municipality=m,
        latitude=m.latitude,
        longitude=m.longitude,
    )


class StayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stay
        skip_postgeneration_save = True

    provider = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Casa condivisa {n}")
    slug = factory.Sequence(lambda n: f"casa-condivisa-{n}")
    kind = Stay.Kind.COHOUSING
    description = "Camere per viaggiatori lenti."
    municipality = factory.LazyFunction(municipality)
    beds = 4
    price_per_night = Decimal("30.00")
    how_to_book = "Scrivere a casa@example.org"
