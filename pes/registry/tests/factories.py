from __future__ import annotations

import factory
from stdnum import luhn

from pes.registry.models import LegalForm, Organization
from pes.registry.services import organization_search_document
from pes.territory.models import Municipality


def numeric_codice_fiscale(n: int) -> str:
    body = f"9{n % 1_000_000:06d}037"
    return body + luhn.calc_check_digit(body)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Associazione di promozione sociale Prova {n}")
    slug = factory.Sequence(lambda n: f"ente-prova-{n}")
    codice_fiscale = factory.Sequence(lambda n: numeric_codice_fiscale(500_000 + n))
    legal_form = factory.LazyFunction(lambda: LegalForm.objects.get(code="APS"))
    runts_section = "b"
    head_office = factory.LazyFunction(lambda: Municipality.objects.get(istat_code="037006"))
    description = factory.Faker("sentence", locale="it_IT")
    is_published = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        obj = model_class(*args, **kwargs)
        obj.search_document = organization_search_document(obj)
        obj.save()
        return obj
