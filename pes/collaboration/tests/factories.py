from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.collaboration.models import (
    ActionItem,
    HousingInitiative,
    Meeting,
    Procedure,
    Proposal,
    TableMember,
    Tenure,
    WorkingTable,
)
from pes.registry.models import LegalForm, Membership, Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality

BOLOGNA = "037006"


def municipality(istat: str = BOLOGNA) -> Municipality:
    return Municipality.objects.get(istat_code=istat)


def org_of(code: str, name: str, **extra: object) -> Organization:
    """An organisation with the legal form ``code`` (COOP, PA, BANCA, FOB, APS…)."""
    return OrganizationFactory.create(
        name=name, legal_form=LegalForm.objects.get(code=code), **extra
    )


def staff(org: Organization, email: str, **extra: object):  # type: ignore[no-untyped-def]
    user = UserFactory.create(email=email, **extra)
    Membership.objects.create(user=user, organization=org, role=Membership.Role.MANAGER)
    return user


def next_week(hour: int = 10, days: int = 7) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingTable

    title = factory.Sequence(lambda n: f"Tavolo per l'abitare cooperativo {n}")
    slug = factory.Sequence(lambda n: f"tavolo-abitare-{n}")
    purpose = "Politiche e strumenti per l'abitare cooperativo e sociale."
    coordinator = factory.SubFactory(UserFactory)


def add_member(table: WorkingTable, user, org: Organization, role: str = "member") -> TableMember:  # type: ignore[no-untyped-def]
    return TableMember.objects.create(table=table, user=user, organization=org, role=role)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    table = factory.SubFactory(TableFactory)
    title = "Riunione plenaria"
    agenda = "1. Apertura\n2. Proposte"
    starts_at = factory.LazyFunction(next_week)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    place = "Palazzo Malvezzi"


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    text = "Raccogliere i dati sugli alloggi sfitti"
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    table = factory.SubFactory(TableFactory)
    kind = Proposal.Kind.INSTRUMENT
    title = factory.Sequence(lambda n: f"Fondo di garanzia per l'affitto {n}")
    text = "Un fondo che garantisce i proprietari che affittano a canone concordato."
    cost = Decimal("500000.00")
    funders = "Fondazione e Città metropolitana"
    author = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    kind = Procedure.Kind.CO_DESIGN
    title = factory.Sequence(lambda n: f"Co-progettazione servizi per l'abitare {n}")
    slug = factory.Sequence(lambda n: f"coprogettazione-{n}")
    administration = factory.LazyFunction(lambda: org_of("PA", "Comune di Prova"))
    subject = "Servizi di accompagnamento all'abitare."
    requires_runts = True
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))


class HousingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HousingInitiative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Cohousing Navile {n}")
    slug = factory.Sequence(lambda n: f"cohousing-navile-{n}")
    lead = factory.SubFactory(OrganizationFactory)
    municipality = factory.LazyFunction(municipality)
    units = 20
    tenure = Tenure.RENT
    monthly_rent = Decimal("600.00")
    market_rent = Decimal("1000.00")
    households_housed = 18
    target_groups = factory.LazyFunction(lambda: ["young", "families"])
