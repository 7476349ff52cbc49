from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pes.lib.forms import StyledFormMixin


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=80, help_text=_("e.g. the name of the script using it")
    )
