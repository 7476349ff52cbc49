"""Access helpers: the only way views and the API fetch catalogue entries a user may not be
allowed to see (unpublished) or change (another provider's)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.registry.access import user_can_edit_organization
from pes.services.models import Route, RouteStop, Service, Stay


def _fetch(qs: Any, slug: str, user: Any, *, edit: bool) -> Any:
    obj = qs.filter(slug=slug).first()
    if obj is None:
        raise Http404
    can_edit = user_can_edit_organization(user, obj.provider)
    if not obj.is_published and not can_edit:
        raise Http404
    if edit and not can_edit:
        raise PermissionDenied
    return obj


def service_for_user(user: Any, slug: str, *, edit: bool = False) -> Service:
    qs = Service.objects.select_related("provider", "municipality__district", "action__mission")
    return _fetch(qs, slug, user, edit=edit)  # type: ignore[no-any-return]


def route_for_user(user: Any, slug: str, *, edit: bool = False) -> Route:
    qs = Route.objects.select_related("provider", "action__mission")
    return _fetch(qs, slug, user, edit=edit)  # type: ignore[no-any-return]


def stay_for_user(user: Any, slug: str, *, edit: bool = False) -> Stay:
    qs = Stay.objects.select_related("provider", "municipality")
    return _fetch(qs, slug, user, edit=edit)  # type: ignore[no-any-return]


def user_can_manage(user: Any, obj: Any) -> bool:
    return user_can_edit_organization(user, obj.provider)


def stop_for_user_edit(user: Any, slug: str, pk: int) -> RouteStop:
    """A stop of a route ``user`` may change (404 for a stop of another route)."""
    route = route_for_user(user, slug, edit=True)
    stop = RouteStop.objects.filter(route=route, pk=pk).first()
    if stop is None:
        raise Http404
    stop.route = route
    return stop
