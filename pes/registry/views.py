from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pes.lib.pagination import query_without_page
from pes.lib.validation import ateco_title
from pes.registry.access import (
    organization_for_user,
    organization_for_user_edit,
    user_can_edit_organization,
    user_is_governance,
)
from pes.registry.forms import ImportForm, OrganizationFilterForm, OrganizationForm
from pes.registry.importer import ImportFileError, export_rows, import_organizations
from pes.registry.selectors import (
    OrganizationFilters,
    organization_detail,
    organization_list,
    organization_search_page,
)
from pes.registry.services import organization_create, organization_update


def filters_from_form(form: OrganizationFilterForm) -> OrganizationFilters:
    # Keep the valid filters when another one is bad (a stale link, a typo): dropping them all
    # would widen the results to the whole registry.
    form.is_valid()
    data: dict[str, Any] = getattr(form, "cleaned_data", {})
    return OrganizationFilters(
        q=data.get("q") or "",
        legal_form=data.get("legal_form") or "",
        category=data.get("category") or "",
        municipality=data.get("municipality") or "",
        district=data.get("district") or "",
        activity=data.get("activity") or "",
        mission=data.get("mission"),
    )


def directory(request: HttpRequest) -> HttpResponse:
    form = OrganizationFilterForm(request.GET or None)
    filters = filters_from_form(form)
    page, paginator = organization_search_page(
        filters=filters, page=request.GET.get("page"), per_page=settings.PAGE_SIZE
    )
    context = {
        "form": form,
        "page": page,
        "filters_active": filters.active(),
        "count_capped": paginator.capped,
        "newest_first": bool(filters.q and paginator.capped),
        "query": query_without_page(request),
    }
    htmx = getattr(request, "htmx", False)
    template = "registry/_results.html" if htmx else "registry/directory.html"
    return render(request, template, context)


def organization_page(request: HttpRequest, slug: str) -> HttpResponse:
    org = organization_detail(organization=organization_for_user(request.user, slug))
    return render(
        request,
        "registry/organization_detail.html",
        {
            "org": org,
            "can_edit": user_can_edit_organization(request.user, org),
            "ateco": [(code, ateco_title(code)) for code in org.ateco_codes],
        },
    )


@login_required
def organization_edit(request: HttpRequest, slug: str) -> HttpResponse:
    org = organization_for_user_edit(request.user, slug=slug)
    form = OrganizationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if user_is_governance(request.user) and "is_published_present" in request.POST:
            data["is_published"] = request.POST.get("is_published") == "on"
        org = organization_update(organization=org, data=data)
        messages.success(request, _("The organisation's profile has been saved."))
        return redirect(org.get_absolute_url())
    return render(
        request, "registry/organization_form.html", {"form": form, "org": org, "creating": False}
    )


@login_required
def organization_new(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["is_published"] = user_is_governance(request.user)
        org = organization_create(data=data, created_by=request.user)
        if org.is_published:
            messages.success(request, _("The organisation has been added to the registry."))
        else:
            messages.success(
                request,
                _(
                    "The organisation has been saved. The Plan's office will check it "
                    "before it appears in the public directory."
                ),
            )
        return redirect(org.get_absolute_url())
    return render(request, "registry/organization_form.html", {"form": form, "creating": True})


@login_required
def organization_import(request: HttpRequest) -> HttpResponse:
    if not user_is_governance(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    file_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_organizations(
                upload.file,
                filename=upload.name,
                layout=form.cleaned_data["layout"],
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
        except ImportFileError as exc:
            file_error = str(exc)
    return render(
        request,
        "registry/import.html",
        {"form": form, "report": report, "file_error": file_error},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def organization_export(request: HttpRequest) -> StreamingHttpResponse:
    """The directory as CSV (PES layout), with the same filters as the page."""
    form = OrganizationFilterForm(request.GET or None)
    filters = filters_from_form(form)
    qs = organization_list(filters=filters)
    writer = csv.writer(_Echo(), delimiter=";")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in export_rows(queryset=qs.order_by())),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="enti-pes-{stamp}.csv"'
    return response
