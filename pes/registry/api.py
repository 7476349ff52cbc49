from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from pes.api.api import field_errors, token_auth
from pes.registry.access import organization_for_user, organization_for_user_edit
from pes.registry.forms import OrganizationForm
from pes.registry.models import Organization
from pes.registry.selectors import (
    OrganizationFilters,
    organization_detail,
    organization_search_page,
)
from pes.registry.services import organization_update

router = Router()
MAX_PAGE_SIZE = 100


class FiltersIn(Schema):
    q: str = Field("", max_length=200, description="full-text search")
    legal_form: str = Field("", description="legal form code, e.g. APS")
    category: str = ""
    municipality: str = Field("", description="ISTAT code of the head office")
    district: str = Field("", description="district slug")
    activity: str = Field("", max_length=1, description="art. 5 CTS letter")
    mission: int | None = Field(None, ge=1, le=7)
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class OrganizationSummary(Schema):
    id: int
    name: str
    slug: str
    codice_fiscale: str
    legal_form: str
    legal_form_label: str
    municipality: str
    municipality_istat: str
    url: str


class OrganizationPage(Schema):
    count: int
    count_capped: bool = Field(False, description="true when more matched than were counted")
    page: int
    pages: int
    results: list[OrganizationSummary]


class OrganizationOut(OrganizationSummary):
    partita_iva: str
    runts_section: str
    runts_id: str
    ateco_codes: list[str]
    activities: list[str]
    missions: list[int]
    municipalities_served: list[str]
    address: str
    email: str
    pec: str
    phone: str
    website: str
    description: str
    workers: int | None
    volunteers: int | None
    members: int | None
    year_founded: int | None
    is_published: bool
    updated_at: dt.datetime


class OrganizationPatch(Schema):
    name: str | None = None
    partita_iva: str | None = None
    runts_section: str | None = None
    runts_id: str | None = None
    ateco_codes: list[str] | None = None
    activities: list[str] | None = Field(None, description="art. 5 CTS letters")
    missions: list[int] | None = None
    municipalities_served: list[str] | None = Field(None, description="ISTAT codes")
    address: str | None = None
    email: str | None = None
    pec: str | None = None
    phone: str | None = None
    website: str | None = None
    description: str | None = None
    workers: int | None = None
    volunteers: int | None = None
    members: int | None = None
    year_founded: int | None = None


class ErrorOut(Schema):
    detail: Any


def _summary(org: Organization, request: HttpRequest) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "slug": org.slug,
        "codice_fiscale": org.codice_fiscale,
        "legal_form": org.legal_form.code,
        "legal_form_label": org.legal_form.label,
        "municipality": org.head_office.name,
        "municipality_istat": org.head_office.istat_code,
        "url": request.build_absolute_uri(org.get_absolute_url()),
    }


def _detail(org: Organization, request: HttpRequest) -> dict[str, Any]:
    org = organization_detail(organization=org)
    return {
        **_summary(org, request),
        "partita_iva": org.partita_iva,
        "runts_section": org.runts_section,
        "runts_id": org.runts_id,
        "ateco_codes": org.ateco_codes,
        "activities": [a.letter for a in org.activities.all()],
        "missions": [m.number for m in org.missions.all()],
        "municipalities_served": [m.istat_code for m in org.municipalities_served.all()],
        "address": org.address,
        "email": org.email,
        "pec": org.pec,
        "phone": org.phone,
        "website": org.website,
        "description": org.description,
        "workers": org.workers,
        "volunteers": org.volunteers,
        "members": org.members,
        "year_founded": org.year_founded,
        "is_published": org.is_published,
        "updated_at": org.updated_at,
    }


@router.get("/organizations", response=OrganizationPage, summary="Search the registry")
def list_organizations(request: HttpRequest, filters: Query[FiltersIn]) -> dict[str, Any]:
    page, paginator = organization_search_page(
        filters=OrganizationFilters(
            q=filters.q,
            legal_form=filters.legal_form,
            category=filters.category,
            municipality=filters.municipality,
            district=filters.district,
            activity=filters.activity,
            mission=filters.mission,
        ),
        page=filters.page,
        per_page=filters.page_size,
    )
    return {
        "count": paginator.count,
        "count_capped": paginator.capped,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [_summary(org, request) for org in page.object_list],
    }


@router.get(
    "/organizations/{org_id}",
    response={200: OrganizationOut, 404: ErrorOut},
    summary="One organisation",
)
def get_organization(request: HttpRequest, org_id: int) -> Any:
    org = Organization.objects.filter(pk=org_id).only("slug").first()
    if org is None:
        raise Http404
    return _detail(organization_for_user(request.user, org.slug), request)


@router.patch(
    "/organizations/{org_id}",
    auth=token_auth,
    response={200: OrganizationOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Update one's own organisation (token)",
)
def patch_organization(request: HttpRequest, org_id: int, payload: OrganizationPatch) -> Any:
    org = organization_for_user_edit(request.user, pk=org_id)
    form = OrganizationForm(instance=org)
    data: dict[str, Any] = {}
    for name in OrganizationForm.Meta.fields:
        value = form.initial.get(name)
        if name in ("activities", "missions", "municipalities_served"):
            value = [getattr(o, "pk", o) for o in (value or [])]
        data[name] = "" if value is None else value
    data["legal_form"] = org.legal_form_id
    data["head_office"] = org.head_office_id
    changes = payload.dict(exclude_unset=True)
    lookup = {
        "activities": ("activities", "letter"),
        "missions": ("missions", "number"),
        "municipalities_served": ("municipalities_served", "istat_code"),
    }
    for name, value in changes.items():
        if name in lookup and value is not None:
            relation, key = lookup[name]
            model = Organization._meta.get_field(relation).related_model
            found = dict(
                model._default_manager.filter(**{f"{key}__in": value}).values_list(key, "pk")  # type: ignore[union-attr]
            )
            missing = [v for v in value if v not in found]
            if missing:
                raise field_errors({name: [f"Unknown values: {missing}"]})
            data[name] = [found[v] for v in value]
        elif name == "ateco_codes":
            data[name] = ", ".join(value or [])
        else:
            data[name] = "" if value is None else value
    form = OrganizationForm(data, instance=org)
    if not form.is_valid():
        raise field_errors({k: [str(m) for m in v] for k, v in form.errors.items()})
    org = organization_update(organization=org, data=form.service_data())
    return _detail(org, request)
