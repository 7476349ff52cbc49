from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.accounts.forms import ApiTokenForm
from pes.accounts.services import api_token_create, api_token_revoke
from pes.registry.access import organizations_editable_by, user_is_governance


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ApiTokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(user=user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        form = ApiTokenForm()
    organizations = (
        organizations_editable_by(user).select_related("legal_form", "head_office")
        if not user_is_governance(user)
        else None
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": user.api_tokens.all(),  # type: ignore[union-attr]
            "organizations": organizations,
            "is_governance": user_is_governance(user),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if api_token_revoke(user=request.user, token_id=token_id):  # type: ignore[arg-type]
        messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")
