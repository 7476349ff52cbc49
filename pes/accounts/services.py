from __future__ import annotations

from django.utils import timezone

from pes.accounts.models import ApiToken, User


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it and the clear key, which is never stored."""
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[4:12], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> bool:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def api_token_authenticate(*, key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        token.save(update_fields=["last_used_at"])
    return token.user
