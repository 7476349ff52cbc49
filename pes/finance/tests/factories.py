from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from pes.finance.models import (
    Application,
    Call,
    FinancialProduct,
    ImpactCase,
    Instrument,
    Programme,
    ProviderKind,
    Source,
    WalletDocument,
)
from pes.registry.tests.factories import OrganizationFactory


def in_days(days: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Programma regionale {n}")
    slug = factory.Sequence(lambda n: f"programma-{n}")
    source = Source.REGIONAL
    funder_name = "Regione Emilia-Romagna"
    funder = factory.SubFactory(OrganizationFactory, name="Fondazione del territorio")
    budget = Decimal("1000000")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Bando per l'innovazione sociale {n}")
    slug = factory.Sequence(lambda n: f"bando-{n}")
    description = factory.Faker("paragraph", locale="it_IT")
    instrument = Instrument.GRANT
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    deadline = factory.LazyFunction(lambda: in_days(30))
    budget = Decimal("500000")
    min_amount = Decimal("5000")
    max_amount = Decimal("50000")
    co_financing_pct = Decimal("20")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialProduct

    name = factory.Sequence(lambda n: f"Prestito sociale {n}")
    slug = factory.Sequence(lambda n: f"prodotto-{n}")
    kind = Instrument.LOAN
    provider_kind = ProviderKind.BANK
    provider_name = "Banca cooperativa"
    stages = factory.LazyFunction(lambda: ["startup"])
    min_amount = Decimal("5000")
    max_amount = Decimal("50000")
    rate_pct = Decimal("3.5")
    term_months = 60


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactCase

    title = factory.Sequence(lambda n: f"Social impact bond {n}")
    slug = factory.Sequence(lambda n: f"caso-{n}")
    country = "Regno Unito"
    territory = "Peterborough"
    sector = "Giustizia"
    year_launched = 2010
    outcome_metrics = "Riduzione della recidiva"
    outcome_payer = "Ministry of Justice"
    investors = "Fondazioni"
    capital = Decimal("5000000")
    maturity_years = Decimal("7")


class WalletDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalletDocument

    organization = factory.SubFactory(OrganizationFactory)
    kind = "statute"
    title = "Statuto"
    file = factory.LazyFunction(lambda: ContentFile(b"%PDF-1.4 test", name="statuto.pdf"))
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))
    expires_on = None


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    call = factory.SubFactory(CallFactory)
    organization = factory.SubFactory(OrganizationFactory)
    project_title = factory.Sequence(lambda n: f"Progetto {n}")
    summary = "Un progetto."
    amount_requested = Decimal("20000")
    profile = factory.LazyFunction(dict)
    prefilled_fields = 10
    total_fields = 16
