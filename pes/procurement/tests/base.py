from __future__ import annotations

from django.test import Client

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.procurement.library import load_library
from pes.procurement.tests.factories import BuyerFactory, SupplierFactory
from pes.registry.models import Membership
from pes.test import BaseTestCase


class ProcurementTestCase(BaseTestCase):
    """Personas plus a small municipality (``buyer``) with its clerk, and two more bidders.

    ``self.org`` (whose member is ``self.member``) is one of the bidders: the supplier."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Another app's browser tests flush the database, data migrations included: make sure
        # the clause library is there (idempotent; rolled back with the class).
        load_library()
        cls.buyer = BuyerFactory.create(name="Comune di Monte San Pietro")
        cls.clerk = UserFactory.create(role=User.Role.MEMBER, email="rup@example.org")
        Membership.objects.create(user=cls.clerk, organization=cls.buyer)
        cls.rival = SupplierFactory.create(name="Cooperativa sociale La Quercia")
        cls.third = SupplierFactory.create(name="Servizi Riuniti srl")

    def client_for(self, user: User | None) -> Client:
        """A client that asks for English pages, so tests read the msgids."""
        client = Client(headers={"accept-language": "en"})
        if user is not None:
            client.force_login(user)
        return client
