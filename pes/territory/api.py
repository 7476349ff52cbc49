from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from pes.territory.selectors import municipality_list, with_organization_counts

router = Router()


class MunicipalityOut(Schema):
    istat_code: str
    name: str
    slug: str
    cadastral_code: str
    postal_codes: list[str]
    latitude: Decimal
    longitude: Decimal
    population: int
    district: str
    union: str | None
    organization_count: int


@router.get("", response=list[MunicipalityOut], summary="The 55 municipalities")
def list_municipalities(request: HttpRequest, district: str = "") -> list[MunicipalityOut]:
    qs = municipality_list().order_by("name")
    if district:
        qs = qs.filter(district__slug=district)
    return [
        MunicipalityOut(
            istat_code=m.istat_code,
            name=m.name,
            slug=m.slug,
            cadastral_code=m.cadastral_code,
            postal_codes=m.postal_codes,
            latitude=m.latitude,
            longitude=m.longitude,
            population=m.population,
            district=m.district.name,
            union=m.union.name if m.union else None,
            organization_count=m.organization_count,  # type: ignore[attr-defined]
        )
        for m in with_organization_counts(qs)
    ]
