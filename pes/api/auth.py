from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from pes.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer pes_…`` with a personal token created on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user
