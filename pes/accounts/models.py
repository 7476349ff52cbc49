from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class PesUserManager(UserManager["User"]):
    """Users log in with their e-mail; the username is kept equal to it."""

    def _create_user_object(self, username, email, password, **extra_fields):  # type: ignore[no-untyped-def]
        email = self.normalize_email(email or username)
        return super()._create_user_object(email, email, password, **extra_fields)  # type: ignore[misc]


class User(AbstractUser):
    class Role(models.TextChoices):
        VISITOR = "visitor", _("visitor")
        MEMBER = "member", _("organisation member")
        OPERATOR = "operator", _("programme operator")
        GOVERNANCE = "governance", _("Plan governance")
        ADMIN = "admin", _("administrator")

    email = models.EmailField(_("e-mail address"), unique=True)  # type: ignore[misc]
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VISITOR)

    objects = PesUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.email and not self.username:
            self.username = self.email
        super().save(*args, **kwargs)

    @property
    def is_governance(self) -> bool:
        return self.is_superuser or self.role in (self.Role.GOVERNANCE, self.Role.ADMIN)

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return "pes_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_key(key)
