"""The governance page for exchanging results with Decidim's accountability component."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pes.lib.forms import StyledFormMixin
from pes.lib.validation import clean_codice_fiscale
from pes.plan.access import require_governance
from pes.plan.decidim import ImportFileError, export_results, import_results
from pes.plan.models import Action
from pes.registry.models import Organization

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class DecidimImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Results file (CSV exported by Decidim)"),
        help_text=gettext_lazy("CSV in UTF-8 separated by ';', as Decidim exports it."),
    )
    action = forms.ModelChoiceField(
        label=gettext_lazy("Default action"),
        queryset=Action.objects.select_related("mission").order_by("mission__number", "number"),
        required=False,
        help_text=gettext_lazy(
            "For new initiatives whose row does not name an action (“Azione 3.1”) "
            "in a category or taxonomy."
        ),
    )
    lead = forms.CharField(
        label=gettext_lazy("Lead organisation (codice fiscale)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("The organisation that leads the new initiatives."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["action"]
        field.label_from_instance = lambda a: f"{a.code} {a.label}"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."))
        return upload

    def clean_lead(self) -> Organization | None:
        value = self.cleaned_data["lead"].strip()
        if not value:
            return None
        cf = clean_codice_fiscale(value)
        organization = Organization.objects.filter(codice_fiscale=cf).first()
        if organization is None:
            raise ValidationError(_("No organisation in the registry has this codice fiscale."))
        return organization


class _Echo:
    def write(self, value: str) -> str:
        return value


def _export(layout: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in export_results(layout=layout)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="pes-risultati-decidim-{stamp}.csv"'
    return response


def decidim_exchange(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    require_governance(request.user)
    layout = request.GET.get("export", "")
    if request.method == "GET" and layout in ("new", "old"):
        return _export(layout)
    form = DecidimImportForm(request.POST or None, request.FILES or None)
    report = None
    file_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_results(
                upload.file,
                filename=upload.name,
                action=form.cleaned_data["action"],
                lead=form.cleaned_data["lead"],
                user=request.user,
            )
        except ImportFileError as exc:
            file_error = str(exc)
    return render(
        request,
        "plan/decidim.html",
        {"form": form, "report": report, "file_error": file_error},
    )
