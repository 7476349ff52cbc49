"""The demo data: deterministic, ready for the dashboard, and the same rows whether written
in bulk (the default) or through the services (the reference)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any
from unittest import mock

from django.db.models import Model
from django.utils import timezone

from pes.core.models import AuditEntry
from pes.procurement import demo
from pes.procurement.demo import clear_procurement, seed_procurement
from pes.procurement.models import (
    Bid,
    BidValue,
    Commitment,
    Contract,
    Criterion,
    ReportingPeriod,
    SupplierReport,
    Tender,
)
from pes.procurement.ranking import tender_ranking
from pes.procurement.selectors import contract_monitoring, procurement_dashboard
from pes.procurement.services import contract_figures_refresh
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
    AuditEntry.objects.filter(content_type__app_label="procurement").delete()
    assert not SupplierReport.objects.exists() and not Contract.objects.exists()


class Dump:
    """Every procurement row, the rankings, the monitoring, the dashboard and its pages,
    written with natural keys (tender titles, supplier names, criterion numbers) instead of
    ids; a time taken during the seeding (``window``) reads "while seeding"."""

    def __init__(self, window: tuple[dt.datetime, dt.datetime], client: Any) -> None:
        self.window = window
        self.client = client
        self.bids = {
            b.pk: (b.tender.title, b.supplier.name)
            for b in Bid.objects.select_related("tender", "supplier")
        }
        self.tenders = dict(Tender.objects.values_list("pk", "title"))
        self.contracts = dict(Contract.objects.values_list("pk", "tender__title"))

    def value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            start, end = self.window
            return "while seeding" if start <= value <= end else value
        return value

    def rows(self, model: type[Model], key: Any, exclude: tuple[str, ...] = ()) -> list[Any]:
        """``model``'s rows without ids, foreign keys replaced by ``key(row)``."""
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and f.attname not in exclude
        ]
        return [
            (key(obj), *(self.value(getattr(obj, n)) for n in names))
            for obj in model.objects.order_by("id")
        ]

    def audit(self) -> list[Any]:
        names = {"tender": self.tenders, "bid": self.bids, "contract": self.contracts}
        out = []
        for entry in AuditEntry.objects.filter(
            content_type__app_label="procurement"
        ).select_related("content_type"):
            model = entry.content_type.model
            changes = dict(entry.changes)
            if "bid" in changes:  # the awarded bid, by its id
                changes["bid"] = [None, self.bids[changes["bid"][1]]]
            target = names.get(model, {}).get(int(entry.object_id), entry.object_repr)
            out.append(
                (
                    model,
                    target,
                    entry.object_repr,
                    entry.action,
                    changes,
                    entry.user_id,
                    self.value(entry.at),
                )
            )
        return sorted(out, key=lambda row: str(row[:2]))  # each object's entries, in order

    def ranking(self) -> list[Any]:
        out = []
        for tender in Tender.objects.order_by("title"):
            ranking = tender_ranking(tender=tender)
            rows = [
                (
                    r.bid.supplier.name,
                    r.total,
                    r.rank,
                    r.tied,
                    r.anomalous,
                    [(s.raw, s.coefficient, s.points, s.explanation) for s in r.scores],
                )
                for r in ranking.rows
            ]
            out.append((tender.title, rows))
        return out

    def monitoring(self) -> list[Any]:
        out = []
        for contract in Contract.objects.select_related("tender").order_by("tender__title"):
            m = contract_monitoring(contract=contract)
            out.append(
                (
                    contract.tender.title,
                    [(r.commitment.metric, r.delivered, r.status) for r in m.commitments],
                    [(p.start, p.end, r is not None, late) for p, r, late in m.periods],
                    m.late,
                    m.breaches,
                    m.social_value,
                )
            )
        return out

    def dashboard(self) -> dict[str, Any]:
        board = procurement_dashboard()
        figures = {k: v for k, v in vars(board).items() if k != "monitoring"}
        figures["monitoring"] = [
            (c.tender.title, c.n_commitments, c.n_on_track, c.n_breaches, c.n_late)
            for c in board.monitoring
        ]
        return figures

    def pages(self) -> dict[str, Any]:
        def page(url: str) -> str:
            response = self.client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
            html = re.sub(r'<option value="\d+"', '<option value="<id>"', html)  # bids
            return re.sub(r"/\d+/", "/<id>/", html)  # links to tenders and contracts

        out: dict[str, Any] = {
            "dashboard": page("/appalti/cruscotto/"),
            "contracts": page("/appalti/cruscotto/contratti/"),
            "tenders": page("/appalti/gare/"),
        }
        response = self.client.get("/appalti/cruscotto/contratti.csv")
        out["csv"] = [row[1:] for row in csv.reader(io.StringIO(response.content.decode()))]
        for tender in Tender.objects.order_by("title"):
            out[tender.title] = page(f"/appalti/gare/{tender.pk}/graduatoria/")
        for contract in Contract.objects.select_related("tender"):
            out[f"contract {contract.tender.title}"] = page(f"/appalti/contratti/{contract.pk}/")
        return out

    def everything(self) -> dict[str, Any]:
        bid = self.bids
        return {
            "tenders": self.rows(Tender, lambda t: t.buyer.name, exclude=("id",)),
            "actions": sorted(
                (t.title, tuple(t.actions.values_list("number", flat=True)))
                for t in Tender.objects.all()
            ),
            "mandatory": sorted(
                (t.title, tuple(sorted(t.mandatory_clauses.values_list("code", flat=True))))
                for t in Tender.objects.all()
            ),
            "criteria": self.rows(
                Criterion, lambda c: (c.tender.title, c.clause.code if c.clause else None)
            ),
            "bids": self.rows(Bid, lambda b: (bid[b.pk], b.lot_id)),
            "received": [  # the order of the bids, which breaks ties in the ranking
                bid[pk]
                for pk in Bid.objects.order_by("tender__title", "submitted_at", "id").values_list(
                    "pk", flat=True
                )
            ],
            "values": self.rows(BidValue, lambda v: (bid[v.bid_id], v.criterion.order)),
            "contracts": self.rows(Contract, lambda c: (c.tender.title, bid[c.bid_id])),
            "commitments": self.rows(
                Commitment,
                lambda c: (self.contracts[c.contract_id], c.clause.code if c.clause else None),
            ),
            "periods": self.rows(ReportingPeriod, lambda p: self.contracts[p.contract_id]),
            "reports": self.rows(
                SupplierReport, lambda r: (self.contracts[r.contract_id], r.submitted_by_id)
            ),
            "audit": self.audit(),
            "ranking": self.ranking(),
            "monitoring": self.monitoring(),
            "dashboard": self.dashboard(),
            "pages": self.pages(),
        }


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
        self.assertEqual(seed_procurement(tenders=3, seed=1, through_services=True), 0)


class BulkDemoTests(ProcurementTestCase):
    """The bulk path against the services path, and its data against the services' rules."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        BuyerFactory.create_batch(2)
        SupplierFactory.create_batch(4)

    def seed(self, *, through_services: bool, now: dt.datetime) -> dict[str, Any]:
        start = timezone.now()
        # Batches of 5: several transactions, and a last batch that is not full.
        with mock.patch.object(demo, "BATCH", 5):
            made = seed_procurement(tenders=24, seed=11, through_services=through_services, now=now)
        self.assertEqual(made, 24)
        window = (start, timezone.now())
        return Dump(window, self.client_for(self.governance)).everything()

    def test_bulk_writes_what_the_services_write(self):
        now = timezone.now()  # both paths date everything from it
        services = self.seed(through_services=True, now=now)
        # The comparison covers every case: open and awarded tenders, reports on time, late
        # and missing, commitments met and in breach.
        board = services["dashboard"]
        self.assertGreater(board["contracts"], 3)
        self.assertGreater(board["tenders"], board["contracts"])
        self.assertGreater(board["on_track"], 0)
        self.assertGreater(board["breaches"], 0)
        self.assertGreater(board["late_reports"], 0)
        self.assertGreater(len(services["reports"]), 3)
        self.assertGreater(board["social_value"], 0)
        self.assertGreater(len(services["audit"]), 24 * 11)
        wipe()
        bulk = self.seed(through_services=False, now=now)
        for key in services:
            self.assertEqual(bulk[key], services[key], key)

    def test_bulk_data_follows_the_services_rules(self):
        seed_procurement(tenders=30, seed=3)
        contracts = list(Contract.objects.select_related("tender", "bid"))
        self.assertTrue(contracts)
        for tender in Tender.objects.all():
            # The criteria pass the publication rules; the winner is first in the ranking.
            self.assertEqual(sum(c.weight for c in tender.criteria.all()), Decimal(100))
            ranking = tender_ranking(tender=tender)
            self.assertEqual(len(ranking.rows), 3)
            if tender.state == Tender.State.AWARDED:
                top = {r.bid.pk for r in ranking.rows if r.rank == 1}
                self.assertIn(tender.contract.bid_id, top)
                self.assertEqual(tender.contract.bid_id, ranking.rows[0].bid.pk)
            else:
                self.assertEqual(tender.state, Tender.State.OPEN)
        today = timezone.localdate()
        late = breaches = 0
        social_value = Decimal(0)
        expected_order = []
        for contract in contracts:
            self.assertEqual(contract.value, contract.bid.price)
            # The stored figures are what ``contract_figures_refresh`` stores.
            before = (
                list(contract.periods.values_list("start", "end", "due")),
                list(contract.commitments.values_list("metric", "target", "delivered")),
            )
            contract_figures_refresh(contract=contract)
            after = (
                list(contract.periods.values_list("start", "end", "due")),
                list(contract.commitments.values_list("metric", "target", "delivered")),
            )
            self.assertEqual(after, before)
            m = contract_monitoring(contract=contract, today=today)
            late += m.late
            breaches += m.breaches
            social_value += m.social_value
            if m.late or m.breaches:
                expected_order.append(
                    ((-m.breaches, -m.late, -contract.start.toordinal(), -contract.pk), contract.pk)
                )
        # The dashboard's SQL totals equal the monitoring computed in Python.
        board = procurement_dashboard(today=today)
        self.assertEqual(board.contracts, len(contracts))
        self.assertEqual(board.late_reports, late)
        self.assertEqual(board.breaches, breaches)
        self.assertEqual(board.social_value, social_value.quantize(Decimal("0.01")))
        self.assertGreater(board.late_reports + board.breaches, 0)
        # The contracts needing attention, in the dashboard's order, as the monitoring says.
        self.assertEqual(board.attention, len(expected_order))
        self.assertEqual(
            [c.pk for c in board.monitoring], [pk for _key, pk in sorted(expected_order)][:20]
        )
        for c in board.monitoring:
            m = contract_monitoring(contract=c, today=today)
            self.assertEqual((c.n_breaches, c.n_late), (m.breaches, m.late))
