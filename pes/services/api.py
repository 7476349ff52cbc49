"""Services API, mounted at ``/api/v1/services``: the catalogue search, services, routes with
their stops, stays (public read; providers write their own entries with a token), and the
offer-and-gaps aggregates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from pes.api.api import field_errors, service_errors, token_auth
from pes.plan.models import Action
from pes.registry.access import organization_for_user_edit
from pes.services import selectors, services
from pes.services.access import route_for_user, service_for_user, stay_for_user
from pes.services.models import MAX_AGE, FamilySituation, Route, Service, Stay
from pes.territory.models import District, Municipality

router = Router()


class ErrorOut(Schema):
    detail: Any


def _municipality(code: str | None, field: str, errors: dict[str, list[str]]) -> Any:
    if not code:
        return None
    found = Municipality.objects.filter(istat_code=code).first()
    if found is None:
        errors[field] = [_("Unknown ISTAT code.")]
    return found


def _action(pk: int | None, errors: dict[str, list[str]]) -> Action | None:
    if pk is None:
        return None
    found = Action.objects.filter(pk=pk).first()
    if found is None:
        errors["action_id"] = [_("Unknown Plan action.")]
    return found


# ----------------------------------------------------------------------------- search


class SearchIn(Schema):
    q: str = Field("", max_length=200)
    what: str = Field("", description="service, course, route or stay")
    kind: str = Field("", description="<catalogue>:<kind>, e.g. service:parenting")
    age: int | None = Field(None, ge=0, le=MAX_AGE)
    municipality: str = Field("", description="ISTAT code")
    district: str = Field("", description="district slug")
    date: dt.date | None = None
    free: bool = False
    accessible: bool = False
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


class ItemOut(Schema):
    catalogue: str
    title: str
    url: str
    provider: str
    place: str
    kind: str
    is_free: bool
    accessible: bool


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ItemOut]


def filters_from(data: SearchIn) -> selectors.Filters:
    errors: dict[str, list[str]] = {}
    if data.what and data.what not in {w for w, _l in selectors.WHAT}:
        errors["what"] = [_("Unknown catalogue.")]
    kinds = {v for _g, choices in selectors.kind_choices() for v, _l in choices}
    if data.kind and data.kind not in kinds:
        errors["kind"] = [_("Unknown kind.")]
    municipality = _municipality(data.municipality, "municipality", errors)
    district = None
    if data.district:
        district = District.objects.filter(slug=data.district).first()
        if district is None:
            errors["district"] = [_("Unknown district.")]
    if errors:
        raise field_errors(errors)
    return selectors.Filters(
        q=data.q.strip(),
        what=data.what,
        kind=data.kind,
        age=data.age,
        municipality=municipality,
        district=district,
        date=data.date,
        free=data.free,
        accessible=data.accessible,
    )


@router.get("/search", response={200: SearchOut, 422: ErrorOut}, summary="Search all catalogues")
def search(request: HttpRequest, params: Query[SearchIn]) -> Any:
    items, total = selectors.search(filters=filters_from(params))
    page = Paginator(items, params.page_size).get_page(params.page)
    return {
        "count": total,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [
            {
                "catalogue": i.catalogue,
                "title": i.title,
                "url": i.url,
                "provider": i.provider,
                "place": i.place,
                "kind": i.kind_label,
                "is_free": i.is_free,
                "accessible": i.accessible,
            }
            for i in page.object_list
        ],
    }


# ----------------------------------------------------------------------------- services


class ServiceOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    provider_id: int
    provider: str
    kind: str
    min_age: int
    max_age: int
    family_situations: list[str]
    municipality_istat: str
    other_municipalities: list[str]
    address: str
    schedule: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_free: bool
    cost: Decimal | None
    wheelchair_accessible: bool
    accessibility: str
    how_to_access: str
    contact: str
    action_id: int | None
    is_published: bool


class ServicePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ServiceOut]


class ServiceIn(Schema):
    provider_id: int
    title: str = Field(..., min_length=3, max_length=200)
    description: str = Field(..., min_length=1)
    kind: str
    min_age: int = Field(0, ge=0, le=MAX_AGE)
    max_age: int = Field(MAX_AGE, ge=0, le=MAX_AGE)
    family_situations: list[str] = Field(default_factory=list)
    municipality: str = Field(..., description="ISTAT code")
    other_municipalities: list[str] = Field(default_factory=list, description="ISTAT codes")
    address: str = Field("", max_length=255)
    schedule: str = Field(..., min_length=1, max_length=255)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    is_free: bool = True
    cost: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    cost_note: str = Field("", max_length=255)
    wheelchair_accessible: bool = False
    accessibility: str = Field("", max_length=500)
    how_to_access: str = Field(..., min_length=1)
    contact: str = Field("", max_length=255)
    action_id: int | None = None
    is_published: bool = True


def _service(s: Service) -> dict[str, Any]:
    return {
        "id": s.pk,
        "slug": s.slug,
        "title": s.title,
        "description": s.description,
        "provider_id": s.provider_id,
        "provider": s.provider.name,
        "kind": s.kind,
        "min_age": s.min_age,
        "max_age": s.max_age,
        "family_situations": s.family_situations,
        "municipality_istat": s.municipality.istat_code,
        "other_municipalities": [m.istat_code for m in s.other_municipalities.all()],
        "address": s.address,
        "schedule": s.schedule,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "is_free": s.is_free,
        "cost": s.cost,
        "wheelchair_accessible": s.wheelchair_accessible,
        "accessibility": s.accessibility,
        "how_to_access": s.how_to_access,
        "contact": s.contact,
        "action_id": s.action_id,
        "is_published": s.is_published,
    }


def _service_data(payload: ServiceIn) -> tuple[dict[str, Any], list[Municipality]]:
    errors: dict[str, list[str]] = {}
    if payload.kind not in Service.Kind.values:
        errors["kind"] = [_("One of: %(values)s.") % {"values": ", ".join(Service.Kind.values)}]
    bad = [f for f in payload.family_situations if f not in FamilySituation.values]
    if bad:
        errors["family_situations"] = [
            _("Unknown family situations: %(v)s.") % {"v": ", ".join(bad)}
        ]
    municipality = _municipality(payload.municipality, "municipality", errors)
    others = list(Municipality.objects.filter(istat_code__in=payload.other_municipalities))
    if len(others) != len(set(payload.other_municipalities)):
        errors["other_municipalities"] = [_("Unknown ISTAT codes.")]
    action = _action(payload.action_id, errors)
    if errors:
        raise field_errors(errors)
    data = payload.dict(
        exclude={"provider_id", "municipality", "other_municipalities", "action_id"}
    )
    data.update(municipality=municipality, action=action)
    return data, others


def _load_service(pk: int) -> Service:
    return Service.objects.select_related("provider", "municipality").get(pk=pk)


@router.get("/services", response=ServicePage, summary="List services")
def list_services(request: HttpRequest, params: Query[SearchIn]) -> Any:
    params.what = "service"
    qs = selectors.services_qs(filters_from(params)).select_related("provider", "municipality")
    page = Paginator(qs.prefetch_related("other_municipalities"), params.page_size).get_page(
        params.page
    )
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_service(s) for s in page.object_list],
    }


@router.get("/services/{slug}", response={200: ServiceOut, 404: ErrorOut})
def get_service(request: HttpRequest, slug: str) -> Any:
    return _service(service_for_user(request.user, slug))


@router.post(
    "/services",
    auth=token_auth,
    response={201: ServiceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish a service of one's organisation (token)",
)
def create_service(request: HttpRequest, payload: ServiceIn) -> Any:
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data, others = _service_data(payload)
    try:
        service = services.service_create(
            data={**data, "provider": provider}, other_municipalities=others, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _service(_load_service(service.pk)))


@router.put(
    "/services/{slug}",
    auth=token_auth,
    response={200: ServiceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace one's own service (token)",
)
def update_service(request: HttpRequest, slug: str, payload: ServiceIn) -> Any:
    service = service_for_user(request.user, slug, edit=True)
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data, others = _service_data(payload)
    try:
        services.service_update(
            service=service,
            data={**data, "provider": provider},
            other_municipalities=others,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _service(_load_service(service.pk))


# ----------------------------------------------------------------------------- routes


class StopOut(Schema):
    position: int
    name: str
    municipality_istat: str
    latitude: Decimal
    longitude: Decimal
    description: str
    services: list[str]


class RouteOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    provider_id: int
    provider: str
    mode: str
    length_km: Decimal
    difficulty: str
    action_id: int | None
    stops: list[StopOut]


class RouteIn(Schema):
    provider_id: int
    title: str = Field(..., min_length=3, max_length=200)
    description: str = Field(..., min_length=1)
    mode: str
    length_km: Decimal = Field(..., gt=0, max_digits=6, decimal_places=1)
    difficulty: str
    action_id: int | None = None
    is_published: bool = True


class StopIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    municipality: str = Field(..., description="ISTAT code")
    latitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, max_digits=9, decimal_places=6)
    description: str = ""
    services: list[str] = Field(default_factory=list, description="service slugs")


def _route(r: Route) -> dict[str, Any]:
    return {
        "id": r.pk,
        "slug": r.slug,
        "title": r.title,
        "description": r.description,
        "provider_id": r.provider_id,
        "provider": r.provider.name,
        "mode": r.mode,
        "length_km": r.length_km,
        "difficulty": r.difficulty,
        "action_id": r.action_id,
        "stops": [
            {
                "position": s.position,
                "name": s.name,
                "municipality_istat": s.municipality.istat_code,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "description": s.description,
                "services": [sv.slug for sv in s.services.all()],
            }
            for s in r.stops.all()
        ],
    }


def _route_data(payload: RouteIn) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if payload.mode not in Route.Mode.values:
        errors["mode"] = [_("One of: %(values)s.") % {"values": ", ".join(Route.Mode.values)}]
    if payload.difficulty not in Route.Difficulty.values:
        errors["difficulty"] = [
            _("One of: %(values)s.") % {"values": ", ".join(Route.Difficulty.values)}
        ]
    action = _action(payload.action_id, errors)
    if errors:
        raise field_errors(errors)
    data = payload.dict(exclude={"provider_id", "action_id"})
    data.update(action=action)
    return data


def _routes_qs() -> Any:
    return Route.objects.select_related("provider").prefetch_related(
        "stops__municipality", "stops__services"
    )


@router.get("/routes", response=list[RouteOut], summary="List routes with their stops")
def list_routes(request: HttpRequest, mode: str = "", page: int = 1) -> Any:
    qs = _routes_qs().filter(is_published=True).order_by("title", "id")
    if mode:
        qs = qs.filter(mode=mode)
    return [_route(r) for r in Paginator(qs, 50).get_page(page).object_list]


@router.get("/routes/{slug}", response={200: RouteOut, 404: ErrorOut})
def get_route(request: HttpRequest, slug: str) -> Any:
    route = route_for_user(request.user, slug)
    return _route(_routes_qs().get(pk=route.pk))


@router.post(
    "/routes",
    auth=token_auth,
    response={201: RouteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish a route of one's organisation (token)",
)
def create_route(request: HttpRequest, payload: RouteIn) -> Any:
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data = _route_data(payload)
    try:
        route = services.route_create(data={**data, "provider": provider}, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _route(_routes_qs().get(pk=route.pk)))


@router.put(
    "/routes/{slug}",
    auth=token_auth,
    response={200: RouteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace one's own route, keeping its stops (token)",
)
def update_route(request: HttpRequest, slug: str, payload: RouteIn) -> Any:
    route = route_for_user(request.user, slug, edit=True)
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data = _route_data(payload)
    try:
        services.route_update(route=route, data={**data, "provider": provider}, user=request.user)
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _route(_routes_qs().get(pk=route.pk))


@router.post(
    "/routes/{slug}/stops",
    auth=token_auth,
    response={201: RouteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Append a stop to one's route (token)",
)
def add_stop(request: HttpRequest, slug: str, payload: StopIn) -> Any:
    route = route_for_user(request.user, slug, edit=True)
    errors: dict[str, list[str]] = {}
    municipality = _municipality(payload.municipality, "municipality", errors)
    found = list(Service.objects.filter(slug__in=payload.services, is_published=True))
    if len(found) != len(set(payload.services)):
        errors["services"] = [_("Unknown services.")]
    if errors:
        raise field_errors(errors)
    try:
        services.route_stop_add(
            route=route,
            name=payload.name,
            municipality=municipality,
            latitude=payload.latitude,
            longitude=payload.longitude,
            description=payload.description,
            services=found,
            user=request.user,
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _route(_routes_qs().get(pk=route.pk)))


# ----------------------------------------------------------------------------- stays


class StayOut(Schema):
    id: int
    slug: str
    title: str
    kind: str
    description: str
    provider: str
    municipality_istat: str
    beds: int
    price_per_night: Decimal | None
    wheelchair_accessible: bool
    how_to_book: str
    routes: list[str]


class StayIn(Schema):
    provider_id: int
    title: str = Field(..., min_length=3, max_length=200)
    kind: str
    description: str = Field(..., min_length=1)
    municipality: str
    beds: int = Field(..., ge=1, le=10_000)
    price_per_night: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2)
    wheelchair_accessible: bool = False
    how_to_book: str = Field(..., min_length=1, max_length=500)
    routes: list[str] = Field(default_factory=list, description="route slugs")
    is_published: bool = True


def _stay(s: Stay) -> dict[str, Any]:
    return {
        "id": s.pk,
        "slug": s.slug,
        "title": s.title,
        "kind": s.kind,
        "description": s.description,
        "provider": s.provider.name,
        "municipality_istat": s.municipality.istat_code,
        "beds": s.beds,
        "price_per_night": s.price_per_night,
        "wheelchair_accessible": s.wheelchair_accessible,
        "how_to_book": s.how_to_book,
        "routes": [r.slug for r in s.routes.all()],
    }


def _stay_data(payload: StayIn) -> tuple[dict[str, Any], list[Route]]:
    errors: dict[str, list[str]] = {}
    if payload.kind not in Stay.Kind.values:
        errors["kind"] = [_("One of: %(values)s.") % {"values": ", ".join(Stay.Kind.values)}]
    municipality = _municipality(payload.municipality, "municipality", errors)
    routes = list(Route.objects.filter(slug__in=payload.routes))
    if len(routes) != len(set(payload.routes)):
        errors["routes"] = [_("Unknown routes.")]
    if errors:
        raise field_errors(errors)
    data = payload.dict(exclude={"provider_id", "municipality", "routes"})
    data.update(municipality=municipality)
    return data, routes


def _load_stay(pk: int) -> Stay:
    return Stay.objects.select_related("provider", "municipality").get(pk=pk)


@router.get("/stays", response=list[StayOut], summary="List stays")
def list_stays(request: HttpRequest, page: int = 1) -> Any:
    qs = (
        Stay.objects.filter(is_published=True)
        .select_related("provider", "municipality")
        .prefetch_related("routes")
        .order_by("title", "id")
    )
    return [_stay(s) for s in Paginator(qs, 50).get_page(page).object_list]


@router.get("/stays/{slug}", response={200: StayOut, 404: ErrorOut})
def get_stay(request: HttpRequest, slug: str) -> Any:
    return _stay(stay_for_user(request.user, slug))


@router.post(
    "/stays",
    auth=token_auth,
    response={201: StayOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Publish a stay of one's organisation (token)",
)
def create_stay(request: HttpRequest, payload: StayIn) -> Any:
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data, routes = _stay_data(payload)
    try:
        stay = services.stay_create(
            data={**data, "provider": provider}, routes=routes, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return Status(201, _stay(_load_stay(stay.pk)))


@router.put(
    "/stays/{slug}",
    auth=token_auth,
    response={200: StayOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Replace one's own stay (token)",
)
def update_stay(request: HttpRequest, slug: str, payload: StayIn) -> Any:
    stay = stay_for_user(request.user, slug, edit=True)
    provider = organization_for_user_edit(request.user, pk=payload.provider_id)
    data, routes = _stay_data(payload)
    try:
        services.stay_update(
            stay=stay, data={**data, "provider": provider}, routes=routes, user=request.user
        )
    except ValidationError as exc:
        raise service_errors(exc) from exc
    return _stay(_load_stay(stay.pk))


# ----------------------------------------------------------------------------- dashboard


class GapRow(Schema):
    district: str
    services_by_age_band: dict[str, int]


class GapsOut(Schema):
    age_bands: list[str]
    districts: list[GapRow]
    gaps: list[list[str]]


@router.get("/gaps", response=GapsOut, summary="Services by district and age band, and gaps")
def gaps(request: HttpRequest) -> Any:
    data = selectors.dashboard()
    return {
        "age_bands": data["bands"],
        "districts": [
            {
                "district": row["district"].name,
                "services_by_age_band": dict(zip(data["bands"], row["cells"], strict=True)),
            }
            for row in data["gaps"]
        ],
        "gaps": [list(pair) for pair in data["gap_list"]],
    }
