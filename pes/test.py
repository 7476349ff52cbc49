"""Test base: a ``BaseTestCase`` with personas every module's tests share.

Personas (created once per test class):

* ``governance`` — the Plan's office;
* ``member`` — staff of ``self.org`` (may edit it);
* ``outsider`` — signed-up citizen with no organisation;
* ``operator`` — a programme operator;
* ``admin`` — platform staff.
"""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.registry.models import Membership, Organization
from pes.registry.tests.factories import OrganizationFactory

PASSWORD = "a-long-test-password-1"


class Personas:
    governance: User
    member: User
    outsider: User
    operator: User
    admin: User
    org: Organization

    @classmethod
    def make_personas(cls) -> None:
        cls.governance = UserFactory.create(role=User.Role.GOVERNANCE, email="gov@example.org")
        cls.member = UserFactory.create(role=User.Role.MEMBER, email="member@example.org")
        cls.outsider = UserFactory.create(role=User.Role.VISITOR, email="outsider@example.org")
        cls.operator = UserFactory.create(role=User.Role.OPERATOR, email="operator@example.org")
        cls.admin = UserFactory.create(
            role=User.Role.ADMIN, email="admin@example.org", is_staff=True, is_superuser=True
        )
        cls.org = OrganizationFactory.create(name="Cooperativa sociale Il Germoglio")
        Membership.objects.create(
            user=cls.member, organization=cls.org, role=Membership.Role.MANAGER
        )


class BaseTestCase(Personas, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.make_personas()

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def api_headers(self, user: User) -> dict[str, Any]:
        from pes.accounts.services import api_token_create

        _token, key = api_token_create(user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
