from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.lib.charts import dot_map
from pes.lib.forms import add_service_error
from pes.lib.pagination import query_without_page
from pes.registry.access import organizations_editable_by
from pes.services import selectors, services
from pes.services.access import (
    route_for_user,
    service_for_user,
    stay_for_user,
    stop_for_user_edit,
    user_can_manage,
)
from pes.services.documents import calendar_ics, json_ld, place_ld, route_map
from pes.services.forms import RouteForm, SearchForm, ServiceForm, StayForm, StopForm
from pes.services.models import Route


def _search_form(request: HttpRequest) -> tuple[SearchForm, selectors.Filters]:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("mese", None)
    form = SearchForm(params if params else None)
    return form, form.filters()


def search(request: HttpRequest) -> HttpResponse:
    form, filters = _search_form(request)
    items, total = selectors.search(filters=filters)
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    points = selectors.map_points(filters=filters)
    return render(
        request,
        "services/search.html",
        {
            "form": form,
            "page": page,
            "total": total,
            "capped": total > len(items),
            "filters_active": filters.active(),
            "query": query_without_page(request),
            "map": dot_map(
                title=_("Entries found, by municipality"),
                points=[(lat, lon, n, f"{name}: {n}") for lat, lon, n, name in points],
                chart_id="catalogue-map",
            ),
            "points": points,
        },
    )


def _month(request: HttpRequest) -> dt.date:
    raw = request.GET.get("mese", "")
    try:
        year, month = (int(x) for x in raw.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def calendar(request: HttpRequest) -> HttpResponse:
    form, filters = _search_form(request)
    first = _month(request)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    entries = selectors.calendar_entries(filters=filters, start=first, end=following)
    days: dict[dt.date, list[selectors.CalendarEntry]] = {}
    for entry in entries:
        day = (
            timezone.localtime(entry.starts).date()
            if isinstance(entry.starts, dt.datetime)
            else entry.starts
        )
        days.setdefault(day, []).append(entry)
    query = query_without_page(request)
    params = request.GET.copy()
    params.pop("mese", None)
    params.pop("page", None)
    return render(
        request,
        "services/calendar.html",
        {
            "form": form,
            "month": first,
            "previous": previous,
            "following": following,
            "days": sorted(days.items()),
            "filter_query": params.urlencode(),
            "query": query,
        },
    )


def calendar_feed(request: HttpRequest) -> HttpResponse:
    _form, filters = _search_form(request)
    today = timezone.localdate()
    entries = selectors.calendar_entries(
        filters=filters, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=366)
    )
    body = calendar_ics(entries=entries, name=str(_("Social economy: courses and services")))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pes-calendario.ics"'
    return response


# ----------------------------------------------------------------------------- services


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    others = list(service.other_municipalities.order_by("name"))
    ld: dict[str, Any] = {
        "@type": "Service",
        "name": service.title,
        "description": service.description,
        "serviceType": service.get_kind_display(),
        "provider": {"@type": "Organization", "name": service.provider.name},
        "areaServed": [m.name for m in [service.municipality, *others]],
        "audience": {
            "@type": "PeopleAudience",
            "suggestedMinAge": service.min_age,
            "suggestedMaxAge": service.max_age,
        },
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceLocation": place_ld(
                service.address or service.title, service.municipality, service.address
            ),
        },
        "isAccessibleForFree": service.is_free,
        "url": request.build_absolute_uri(service.get_absolute_url()),
    }
    if not service.is_free and service.cost:
        ld["offers"] = {"@type": "Offer", "price": str(service.cost), "priceCurrency": "EUR"}
    return render(
        request,
        "services/service_detail.html",
        {
            "service": service,
            "others": others,
            "can_manage": user_can_manage(request.user, service),
            "json_ld": json_ld(ld),
        },
    )


def _provider_required(request: HttpRequest) -> HttpResponse | None:
    if not organizations_editable_by(request.user).exists():
        messages.info(
            request,
            _("Only members of a registered organisation can publish in the catalogue."),
        )
        return redirect("services:search")
    return None


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    if (refused := _provider_required(request)) is not None:
        return refused
    form = ServiceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                data=form.service_data(),
                other_municipalities=list(form.cleaned_data["other_municipalities"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The service has been published."))
            return redirect(service)
    return render(request, "services/service_form.html", {"form": form, "creating": True})


@login_required
def service_edit(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, edit=True)
    form = ServiceForm(request.POST or None, instance=service, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                service=service,
                data=form.service_data(),
                other_municipalities=list(form.cleaned_data["other_municipalities"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The service has been saved."))
            return redirect(service)
    return render(
        request, "services/service_form.html", {"form": form, "creating": False, "service": service}
    )


# ----------------------------------------------------------------------------- routes


def route_list(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("modo", "")
    qs = Route.objects.filter(is_published=True).select_related("provider")
    if mode in Route.Mode.values:
        qs = qs.filter(mode=mode)
    page = Paginator(qs.order_by("title", "id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "services/route_list.html",
        {
            "page": page,
            "modes": Route.Mode.choices,
            "mode": mode,
            "query": query_without_page(request),
        },
    )


def route_detail(request: HttpRequest, slug: str) -> HttpResponse:
    route = route_for_user(request.user, slug)
    stops = list(route.stops.select_related("municipality").prefetch_related("services__provider"))
    stays = list(route.stays.filter(is_published=True).select_related("municipality", "provider"))
    ld = {
        "@type": "TouristTrip",
        "name": route.title,
        "description": route.description,
        "touristType": route.get_mode_display(),
        "provider": {"@type": "Organization", "name": route.provider.name},
        "itinerary": {
            "@type": "ItemList",
            "numberOfItems": len(stops),
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": s.position,
                    "item": place_ld(s.name, s.municipality),
                }
                for s in stops
            ],
        },
        "url": request.build_absolute_uri(route.get_absolute_url()),
    }
    return render(
        request,
        "services/route_detail.html",
        {
            "route": route,
            "stops": stops,
            "stays": stays,
            "map": route_map(
                title=_("Map of the stops of %(route)s") % {"route": route.title}, stops=stops
            ),
            "can_manage": user_can_manage(request.user, route),
            "json_ld": json_ld(ld),
        },
    )


@login_required
def route_new(request: HttpRequest) -> HttpResponse:
    if (refused := _provider_required(request)) is not None:
        return refused
    form = RouteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            route = services.route_create(data=dict(form.cleaned_data), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The route has been created: now add its stops."))
            return redirect("services:stop_new", slug=route.slug)
    return render(request, "services/route_form.html", {"form": form, "creating": True})


@login_required
def route_edit(request: HttpRequest, slug: str) -> HttpResponse:
    route = route_for_user(request.user, slug, edit=True)
    form = RouteForm(request.POST or None, instance=route, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.route_update(route=route, data=dict(form.cleaned_data), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The route has been saved."))
            return redirect(route)
    return render(
        request, "services/route_form.html", {"form": form, "creating": False, "route": route}
    )


@login_required
def stop_new(request: HttpRequest, slug: str) -> HttpResponse:
    route = route_for_user(request.user, slug, edit=True)
    form = StopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.route_stop_add(
                route=route,
                name=d["name"],
                municipality=d["municipality"],
                latitude=d["latitude"],
                longitude=d["longitude"],
                description=d["description"],
                services=list(d["services"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The stop has been added."))
            return redirect("services:stop_new", slug=route.slug)
    stops = list(route.stops.select_related("municipality"))
    return render(
        request, "services/stop_form.html", {"form": form, "route": route, "stops": stops}
    )


@login_required
@require_POST
def stop_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    stop = stop_for_user_edit(request.user, slug, pk)
    try:
        services.route_stop_move(
            stop=stop, direction=request.POST.get("direction", ""), user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The order of the stops has been saved."))
    return redirect("services:stop_new", slug=slug)


@login_required
@require_POST
def stop_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    stop = stop_for_user_edit(request.user, slug, pk)
    services.route_stop_remove(stop=stop, user=request.user)
    messages.success(request, _("The stop has been removed."))
    return redirect("services:stop_new", slug=slug)


# ----------------------------------------------------------------------------- stays


def stay_detail(request: HttpRequest, slug: str) -> HttpResponse:
    stay = stay_for_user(request.user, slug)
    ld: dict[str, Any] = {
        "@type": "LodgingBusiness",
        "name": stay.title,
        "description": stay.description,
        "address": place_ld(stay.title, stay.municipality)["address"],
        "url": request.build_absolute_uri(stay.get_absolute_url()),
    }
    if stay.price_per_night:
        ld["priceRange"] = f"€{stay.price_per_night}"
    return render(
        request,
        "services/stay_detail.html",
        {
            "stay": stay,
            "routes": list(stay.routes.filter(is_published=True)),
            "can_manage": user_can_manage(request.user, stay),
            "json_ld": json_ld(ld),
        },
    )


@login_required
def stay_new(request: HttpRequest) -> HttpResponse:
    if (refused := _provider_required(request)) is not None:
        return refused
    form = StayForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "routes"}
        try:
            stay = services.stay_create(
                data=data, routes=list(form.cleaned_data["routes"]), user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The stay has been published."))
            return redirect(stay)
    return render(request, "services/stay_form.html", {"form": form, "creating": True})


@login_required
def stay_edit(request: HttpRequest, slug: str) -> HttpResponse:
    stay = stay_for_user(request.user, slug, edit=True)
    form = StayForm(request.POST or None, instance=stay, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "routes"}
        try:
            services.stay_update(
                stay=stay, data=data, routes=list(form.cleaned_data["routes"]), user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The stay has been saved."))
            return redirect(stay)
    return render(
        request, "services/stay_form.html", {"form": form, "creating": False, "stay": stay}
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "services/dashboard.html",
        {"data": selectors.dashboard(), "min_cell": selectors.MIN_CELL},
    )
