"""Deterministic demo data for the catalogue: services for children, adolescents and families
and cultural welfare, spread over the districts (leaving some gaps, as in real life), slow
routes with stops on municipality centroids, and stays along them. The same seed gives the
same data; running it again adds nothing (entries are keyed by slug)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pes.plan.models import Action
from pes.registry.models import Organization
from pes.services.models import Route, RouteStop, Service, Stay
from pes.territory.models import Municipality

SERVICES = [
    ("Spazio giovani del pomeriggio", "educational", 11, 17),
    ("Centro per le famiglie: sostegno alla genitorialità", "parenting", 0, 120),
    ("Scuola aperta: laboratori il sabato", "open_school", 6, 13),
    ("Comunità educante di quartiere", "educating_community", 11, 18),
    ("Teatro e benessere per persone anziane", "cultural_welfare", 65, 120),
    ("Musica in biblioteca per bambine e bambini", "cultural_welfare", 3, 10),
    ("Sport inclusivo per adolescenti", "leisure", 14, 17),
    ("Nido condiviso e spazio bimbi", "care", 0, 2),
    ("Sportello di ascolto per ragazze e ragazzi", "counselling", 14, 21),
    ("Doposcuola e compiti insieme", "educational", 6, 13),
]

ROUTES = [
    (
        "Ciclovia del Navile",
        "cycling",
        "easy",
        Decimal("36.0"),
        ["037006", "037019", "037005"],
    ),
    (
        "Via degli Dei: il tratto metropolitano",
        "walking",
        "hard",
        Decimal("62.0"),
        ["037006", "037057", "037044", "037051"],
    ),
    (
        "In treno tra i borghi della Porrettana",
        "train",
        "easy",
        Decimal("58.5"),
        ["037006", "037057", "037036", "037062"],
    ),
]


def seed_services(*, services: int, seed: int) -> int:
    """Create up to ``services`` services (and a few routes and stays); returns the number of
    services created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    orgs = list(Organization.objects.filter(is_published=True).order_by("id")[:200])
    municipalities = list(Municipality.objects.select_related("district").order_by("istat_code"))
    if not orgs or not municipalities:
        return 0
    # Leave the last district without services for adolescents: the gaps view shows it.
    districts = sorted({m.district_id for m in municipalities})
    spared = districts[-1]
    actions = list(Action.objects.filter(mission__number__in=[3, 4]).order_by("id")[:10])
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for n in range(services):
            slug = f"demo-servizio-{n}"
            if Service.objects.filter(slug=slug).exists():
                continue
            title, kind, lo, hi = SERVICES[n % len(SERVICES)]
            place = rng.choice(municipalities)
            if place.district_id == spared and lo <= 17 and hi >= 14:
                place = rng.choice([m for m in municipalities if m.district_id != spared])
            free = rng.random() < 0.7
            Service.objects.create(
                provider=rng.choice(orgs),
                title=f"{title} — {place.name}",
                slug=slug,
                description="Un servizio dell'economia sociale, aperto a tutte e tutti.",
                kind=kind,
                min_age=lo,
                max_age=hi,
                family_situations=["any"],
                municipality=place,
                address=f"Via Roma {rng.randint(1, 120)}",
                schedule=rng.choice(
                    ["lunedì e mercoledì 15–18", "sabato 10–13", "dal lunedì al venerdì 8–16"]
                ),
                starts_on=today + dt.timedelta(days=rng.randint(-60, 40)),
                is_free=free,
                cost=None if free else Decimal(rng.choice([5, 10, 25, 40])),
                wheelchair_accessible=rng.random() < 0.6,
                how_to_access="Iscrizione gratuita allo sportello o per e-mail.",
                contact="info@example.org",
                action=rng.choice(actions) if actions else None,
            )
            created += 1
        by_code = {m.istat_code: m for m in municipalities}
        for n, (title, mode, difficulty, length, codes) in enumerate(ROUTES):
            slug = f"demo-percorso-{n}"
            if Route.objects.filter(slug=slug).exists():
                continue
            route = Route.objects.create(
                provider=orgs[n % len(orgs)],
                title=title,
                slug=slug,
                description="Un percorso lento tra natura, cultura ed economia sociale.",
                mode=mode,
                length_km=length,
                difficulty=difficulty,
            )
            stops = [by_code[c] for c in codes if c in by_code] or municipalities[:3]
            for position, m in enumerate(stops, start=1):
                RouteStop.objects.create(
                    route=route,
                    position=position,
                    name=f"Tappa di {m.name}",
                    municipality=m,
                    latitude=m.latitude,
                    longitude=m.longitude,
                )
            stay = Stay.objects.create(
                provider=orgs[(n + 1) % len(orgs)],
                title=f"Ospitalità solidale a {stops[-1].name}",
                slug=f"demo-soggiorno-{n}",
                kind=rng.choice(Stay.Kind.values),
                description="Camere in una casa condivisa gestita da una cooperativa sociale.",
                municipality=stops[-1],
                beds=rng.randint(2, 12),
                price_per_night=Decimal(rng.choice([0, 25, 35])) or None,
                how_to_book="Scrivere a ospitalita@example.org",
            )
            stay.routes.add(route)
    return created
