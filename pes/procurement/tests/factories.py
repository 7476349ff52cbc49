"""Factories and builders for procurement tests: buyers are public administrations; tenders
are built through the services, as a buyer would build them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from pes.procurement.models import Clause, Criterion, Tender
from pes.procurement.services import bid_submit, criterion_add, tender_create, tender_publish
from pes.registry.models import LegalForm
from pes.registry.tests.factories import OrganizationFactory


class BuyerFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Comune di Prova {n}")
    slug = factory.Sequence(lambda n: f"comune-prova-{n}")
    legal_form = factory.LazyFunction(lambda: LegalForm.objects.get(code="PA"))
    runts_section = ""


class SupplierFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Cooperativa sociale Prova {n}")
    slug = factory.Sequence(lambda n: f"coop-prova-{n}")
    legal_form = factory.LazyFunction(lambda: LegalForm.objects.get(code="COOP_SOC_A"))
    runts_section = "d"


def clause(code: str) -> Clause:
    return Clause.objects.get(code=code)


def make_tender(
    *,
    buyer: Any,
    labour_intensive: bool = True,
    value: Decimal = Decimal("100000"),
    formula: str = "linear",
    criteria: bool = True,
    publish: bool = True,
    **extra: Any,
) -> Tender:
    """A labour-intensive cleaning tender: price 30, quality 40, four reward clauses 30."""
    data = {
        "buyer": buyer,
        "title": "Servizio di pulizia delle scuole comunali",
        "cig": "A1B2C3D4E5",
        "cup": "J31B22000120006",
        "estimated_value": value,
        "procedure": "open",
        "labour_intensive": labour_intensive,
        "price_formula": formula,
        "bid_deadline": timezone.now() + dt.timedelta(days=20),
        **extra,
    }
    tender = tender_create(data=data)
    if criteria:
        criterion_add(tender=tender, kind=Criterion.Kind.PRICE, weight=Decimal(30))
        criterion_add(
            tender=tender, kind=Criterion.Kind.QUALITY, weight=Decimal(40), label="Progetto tecnico"
        )
        for code, weight in (
            ("certificazione-parita-genere", 5),
            ("quota-tempo-indeterminato", 10),
            ("assunzione-svantaggiati", 10),
            ("ore-formazione", 5),
        ):
            criterion_add(
                tender=tender,
                kind=Criterion.Kind.CLAUSE,
                weight=Decimal(weight),
                clause=clause(code),
            )
    if publish:
        tender = tender_publish(tender=tender)
    return tender


def criteria_by_key(tender: Tender) -> dict[str, Criterion]:
    out = {}
    for c in tender.criteria.select_related("clause"):
        out[c.clause.code if c.clause else c.kind] = c
    return out


def make_bid(
    tender: Tender,
    supplier: Any,
    *,
    price: str,
    quality: list[str],
    gender: str = "1",
    permanent: str = "80",
    disadvantaged: str = "3",
    training: str = "20",
    **kwargs: Any,
):
    c = criteria_by_key(tender)
    values = {
        c["quality"].pk: quality,
        c["certificazione-parita-genere"].pk: Decimal(gender),
        c["quota-tempo-indeterminato"].pk: Decimal(permanent),
        c["assunzione-svantaggiati"].pk: Decimal(disadvantaged),
        c["ore-formazione"].pk: Decimal(training),
    }
    return bid_submit(
        tender=tender, supplier=supplier, price=Decimal(price), values=values, **kwargs
    )
