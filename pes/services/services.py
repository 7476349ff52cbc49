"""Writes of the services module: services, routes with their stops, stays. Views, forms,
the API and the demo call these; each write is atomic and audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.core.audit import audit_record
from pes.services.models import AREA_LAT, AREA_LON, Route, RouteStop, Service, Stay
from pes.territory.models import Municipality

AREA_MARGIN = Decimal("0.08")  # degrees, about 6–9 km beyond the outermost centroids


def unique_slug(model: Any, title: str, fallback: str) -> str:
    base = slugify(title)[:200] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_service(data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    min_age, max_age = data.get("min_age"), data.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        errors["max_age"] = [_("The age range is upside down: “to age” is below “from age”.")]
    if data.get("is_free"):
        if data.get("cost"):
            errors["cost"] = [_("A free service has no cost: clear the cost or untick “free”.")]
        data["cost"] = None
    elif not data.get("cost") or data["cost"] <= 0:
        errors["cost"] = [_("Give the cost in euros, or tick “free of charge”.")]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = [_("The service cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_create(
    *, data: dict[str, Any], other_municipalities: list[Any] | None = None, user: Any = None
) -> Service:
    _check_service(data)
    service = Service(**data)
    service.slug = unique_slug(Service, service.title, "servizio")
    service.full_clean(exclude=["slug"])
    service.save()
    if other_municipalities:
        service.other_municipalities.set(other_municipalities)
    audit_record(user=user, instance=service, action="create")
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    data: dict[str, Any],
    other_municipalities: list[Any] | None = None,
    user: Any = None,
) -> Service:
    merged = {
        "min_age": service.min_age,
        "max_age": service.max_age,
        "is_free": service.is_free,
        "cost": service.cost,
        "starts_on": service.starts_on,
        "ends_on": service.ends_on,
        **data,
    }
    _check_service(merged)
    data = {k: merged[k] for k in data} | {"cost": merged["cost"]}
    for key, value in data.items():
        setattr(service, key, value)
    service.full_clean(exclude=["slug"])
    service.save()
    if other_municipalities is not None:
        service.other_municipalities.set(other_municipalities)
    audit_record(user=user, instance=service, action="update")
    return service


def metro_area() -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(south, north, west, east) of the municipalities' centroids, widened by a margin and
    kept inside the box the database allows."""
    box = Municipality.objects.aggregate(
        s=Min("latitude"), n=Max("latitude"), w=Min("longitude"), e=Max("longitude")
    )
    if box["s"] is None:
        return AREA_LAT[0], AREA_LAT[1], AREA_LON[0], AREA_LON[1]
    return (
        max(box["s"] - AREA_MARGIN, AREA_LAT[0]),
        min(box["n"] + AREA_MARGIN, AREA_LAT[1]),
        max(box["w"] - AREA_MARGIN, AREA_LON[0]),
        min(box["e"] + AREA_MARGIN, AREA_LON[1]),
    )


def _check_route(data: dict[str, Any]) -> None:
    length = data.get("length_km")
    if length is not None and length <= 0:
        raise ValidationError({"length_km": [_("The length must be more than zero km.")]})


@transaction.atomic
def route_create(*, data: dict[str, Any], user: Any = None) -> Route:
    _check_route(data)
    route = Route(**data)
    route.slug = unique_slug(Route, route.title, "percorso")
    route.full_clean(exclude=["slug"])
    route.save()
    audit_record(user=user, instance=route, action="create")
    return route


@transaction.atomic
def route_update(*, route: Route, data: dict[str, Any], user: Any = None) -> Route:
    _check_route(data)
    for key, value in data.items():
        setattr(route, key, value)
    route.full_clean(exclude=["slug"])
    route.save()
    audit_record(user=user, instance=route, action="update")
    return route


@transaction.atomic
def route_stop_add(
    *,
    route: Route,
    name: str,
    municipality: Municipality,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    description: str = "",
    services: list[Service] | None = None,
    user: Any = None,
) -> RouteStop:
    """Append a stop at the end of ``route``. Without coordinates the stop sits on the
    municipality's centroid; coordinates outside the metropolitan area are refused."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            {"longitude": [_("Give both latitude and longitude, or neither of them.")]}
        )
    if latitude is None or longitude is None:
        latitude, longitude = municipality.latitude, municipality.longitude
    _check_in_area(latitude, longitude)
    # Lock the route so that two stops added at once get distinct positions.
    Route.objects.select_for_update().filter(pk=route.pk).first()
    last = route.stops.aggregate(m=Max("position"))["m"] or 0
    stop = RouteStop(
        route=route,
        position=last + 1,
        name=name,
        municipality=municipality,
        latitude=latitude,
        longitude=longitude,
        description=description,
    )
    stop.full_clean()
    stop.save()
    if services:
        stop.services.set(services)
    audit_record(user=user, instance=stop, action="create")
    return stop


def _check_in_area(latitude: Decimal, longitude: Decimal) -> None:
    south, north, west, east = metro_area()
    if not (south <= latitude <= north and west <= longitude <= east):
        raise ValidationError(
            {
                "latitude": [
                    _(
                        "This stop is outside the metropolitan area of Bologna: check the "
                        "coordinates (latitude %(s)s–%(n)s, longitude %(w)s–%(e)s)."
                    )
                    % {
                        "s": f"{south:.2f}",
                        "n": f"{north:.2f}",
                        "w": f"{west:.2f}",
                        "e": f"{east:.2f}",
                    }
                ]
            }
        )


@transaction.atomic
def route_stop_remove(*, stop: RouteStop, user: Any = None) -> None:
    """Remove ``stop``; the stops after it move up one place, so positions stay 1…n."""
    route = Route.objects.select_for_update().get(pk=stop.route_id)
    current = RouteStop.objects.filter(pk=stop.pk, route=route).first()
    if current is None:  # removed meanwhile
        return
    stop, position = current, current.position
    audit_record(
        user=user, instance=stop, action="delete", changes={"position": position, "name": stop.name}
    )
    stop.delete()
    # One row at a time, in order: the unique (route, position) holds after every UPDATE.
    for later in route.stops.filter(position__gt=position).order_by("position"):
        RouteStop.objects.filter(pk=later.pk).update(position=later.position - 1)


@transaction.atomic
def route_stop_move(*, stop: RouteStop, direction: str, user: Any = None) -> RouteStop:
    """Swap ``stop`` with the stop before it (``"up"``) or after it (``"down"``). Moving the
    first stop up or the last one down changes nothing."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": [_("Move a stop up or down.")]})
    route = Route.objects.select_for_update().get(pk=stop.route_id)
    stop = RouteStop.objects.get(pk=stop.pk, route=route)
    stops = route.stops.order_by("position")
    neighbour = (
        stops.filter(position__lt=stop.position).last()
        if direction == "up"
        else stops.filter(position__gt=stop.position).first()
    )
    if neighbour is None:
        return stop
    mine, theirs = stop.position, neighbour.position
    # Through position 0 (never used: stops start at 1) so the unique constraint holds.
    RouteStop.objects.filter(pk=stop.pk).update(position=0)
    RouteStop.objects.filter(pk=neighbour.pk).update(position=mine)
    RouteStop.objects.filter(pk=stop.pk).update(position=theirs)
    stop.position = theirs
    audit_record(user=user, instance=stop, action="update", changes={"position": [mine, theirs]})
    return stop


@transaction.atomic
def stay_create(
    *, data: dict[str, Any], routes: list[Route] | None = None, user: Any = None
) -> Stay:
    if data.get("beds") is not None and data["beds"] < 1:
        raise ValidationError({"beds": [_("A stay has at least one bed.")]})
    stay = Stay(**data)
    stay.slug = unique_slug(Stay, stay.title, "soggiorno")
    stay.full_clean(exclude=["slug"])
    stay.save()
    if routes:
        stay.routes.set(routes)
    audit_record(user=user, instance=stay, action="create")
    return stay


@transaction.atomic
def stay_update(
    *, stay: Stay, data: dict[str, Any], routes: list[Route] | None = None, user: Any = None
) -> Stay:
    if data.get("beds") is not None and data["beds"] < 1:
        raise ValidationError({"beds": [_("A stay has at least one bed.")]})
    for key, value in data.items():
        setattr(stay, key, value)
    stay.full_clean(exclude=["slug"])
    stay.save()
    if routes is not None:
        stay.routes.set(routes)
    audit_record(user=user, instance=stay, action="update")
    return stay
