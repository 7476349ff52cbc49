"""The demo data: deterministic, written through the services, ready for the dashboard."""

from __future__ import annotations

from pes.procurement.demo import clear_procurement, seed_procurement
from pes.procurement.models import Bid, Contract, SupplierReport, Tender
from pes.procurement.selectors import procurement_dashboard
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import BuyerFactory, SupplierFactory


def snapshot() -> list[tuple]:
    return list(
        Bid.objects.order_by("tender__title", "supplier__name").values_list(
            "tender__title", "supplier__name", "price"
        )
    )


def wipe() -> None:
    clear_procurement()
    assert not SupplierReport.objects.exists() and not Contract.objects.exists()


class DemoTests(ProcurementTestCase):
    def test_the_same_seed_gives_the_same_tenders(self):
        BuyerFactory.create_batch(2)
        SupplierFactory.create_batch(3)
        self.assertEqual(seed_procurement(tenders=6, seed=7), 6)
        first = snapshot()
        self.assertEqual(Tender.objects.exclude(state="draft").count(), 6)
        self.assertTrue(Contract.objects.exists())
        board = procurement_dashboard()
        self.assertEqual(board.tenders, 6)
        self.assertEqual(board.with_rewards, 6)
        wipe()
        seed_procurement(tenders=6, seed=7)
        self.assertEqual(snapshot(), first)

    def test_without_buyers_nothing_is_seeded(self):
        from pes.registry.models import LegalForm, Organization

        Organization.objects.filter(legal_form__code="PA").update(
            legal_form=LegalForm.objects.get(code="APS")
        )
        self.assertEqual(seed_procurement(tenders=3, seed=1), 0)
