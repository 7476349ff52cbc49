"""Ranking of three bids, worked by hand; ties; anomalously low offers; the award."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.utils import timezone

from pes.core.models import AuditEntry
from pes.procurement.models import Commitment, Tender
from pes.procurement.ranking import tender_ranking
from pes.procurement.services import tender_award
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import make_bid, make_tender


class ThreeBids(ProcurementTestCase):
    """Base 100,000 €; price 30 (linear), quality 40, gender 5, permanent 10 (thresholds),
    disadvantaged 10 (proportional), training 5 (proportional)."""

    formula = "linear"

    def setUp(self):
        self.tender = make_tender(buyer=self.buyer, formula=self.formula)
        self.a = make_bid(self.tender, self.org, price="80000", quality=["0.9", "0.8", "1"])
        self.b = make_bid(
            self.tender,
            self.rival,
            price="75000",
            quality=["0.6", "0.6", "0.6"],
            gender="0",
            permanent="95",
            disadvantaged="2",
            training="40",
        )
        self.c = make_bid(
            self.tender,
            self.third,
            price="90000",
            quality=["0.5", "0.5", "0.5"],
            permanent="40",
            disadvantaged="0",
            training="10",
        )


class LinearRankingTests(ThreeBids):
    def test_totals_match_the_hand_computation(self):
        ranking = tender_ranking(tender=self.tender)
        totals = {r.bid.supplier.name: r.total for r in ranking.rows}
        self.assertEqual(
            totals,
            {
                self.org.name: D("85.50"),  # 24 + 36 + 5 + 8 + 10 + 2.5
                self.rival.name: D("75.67"),  # 30 + 24 + 0 + 10 + 6.67 + 5
                self.third.name: D("38.25"),  # 12 + 20 + 5 + 0 + 0 + 1.25
            },
        )
        self.assertEqual([r.rank for r in ranking.rows], [1, 2, 3])
        winner = ranking.winner
        assert winner is not None
        self.assertEqual(winner.bid, self.a)

    def test_every_criterion_is_explained(self):
        row = tender_ranking(tender=self.tender).rows[0]
        explained = {
            s.criterion.label: (s.coefficient, s.points, s.explanation) for s in row.scores
        }
        self.assertEqual(explained["Price"][:2], (D("0.8"), D("24.00")))
        self.assertIn("R / R max = 20.00% / 25.00%", explained["Price"][2])
        self.assertEqual(explained["Progetto tecnico"][:2], (D("0.9"), D("36.00")))
        self.assertIn("mean of 3 coefficients", explained["Progetto tecnico"][2])
        permanent = explained["Quota di contratti a tempo indeterminato"]
        self.assertEqual(permanent[:2], (D("0.8"), D("8.00")))

    def test_an_offer_high_on_price_and_quality_is_flagged_anomalous(self):
        rows = {r.bid: r for r in tender_ranking(tender=self.tender).rows}
        self.assertTrue(rows[self.a].anomalous)  # 24 ≥ 4/5 × 30 and 61.5 ≥ 4/5 × 70
        self.assertFalse(rows[self.b].anomalous)
        self.assertFalse(rows[self.c].anomalous)

    def test_the_award_creates_a_contract_with_the_committed_kpis(self):
        today = timezone.localdate()
        contract = tender_award(
            tender=self.tender,
            bid=self.a,
            start=today,
            end=today + dt.timedelta(days=365),
            user=self.clerk,
        )
        self.assertEqual(contract.supplier, self.org)
        self.assertEqual(contract.value, D("80000"))
        commitments = {c.metric: c.target for c in Commitment.objects.filter(contract=contract)}
        self.assertEqual(
            commitments,
            {"permanent_share": D("80"), "disadvantaged": D("3"), "training_hours": D("20")},
        )
        self.assertEqual(Tender.objects.get(pk=self.tender.pk).state, "awarded")
        self.assertTrue(AuditEntry.objects.filter(object_repr__contains=self.tender.title).exists())

    def test_only_the_first_can_be_awarded(self):
        today = timezone.localdate()
        with self.assertRaisesMessage(ValidationError, "not first in the ranking"):
            tender_award(tender=self.tender, bid=self.b, start=today, end=today)
        self.assertEqual(Tender.objects.get(pk=self.tender.pk).state, "open")


class BilinearRankingTests(ThreeBids):
    formula = "bilinear"

    def test_bilinear_price_points(self):
        # Discounts 20%, 25%, 10%: mean 18.33%, X = 0.90.
        rows = {r.bid: r for r in tender_ranking(tender=self.tender).rows}
        self.assertEqual(rows[self.b].price_points, D("30.00"))
        # A: 0.9 + 0.1 × (0.20 − 0.18333) / (0.25 − 0.18333) = 0.925 → 27.75
        self.assertEqual(rows[self.a].price_points, D("27.75"))
        # C: 0.9 × 0.10 / 0.18333 = 0.490909 → 14.73
        self.assertEqual(rows[self.c].price_points, D("14.73"))


class InverseAndConcaveTests(ThreeBids):
    formula = "inverse"

    def test_inverse_price_points(self):
        rows = {r.bid: r for r in tender_ranking(tender=self.tender).rows}
        self.assertEqual(rows[self.a].price_points, D("28.13"))  # 75000 / 80000 × 30
        self.assertEqual(rows[self.c].price_points, D("25.00"))  # 75000 / 90000 × 30

    def test_concave_price_points(self):
        Tender.objects.filter(pk=self.tender.pk).update(price_formula="concave")
        self.tender.refresh_from_db()
        rows = {r.bid: r for r in tender_ranking(tender=self.tender).rows}
        # (0.10 / 0.25) ^ 0.5 = 0.632456 → 18.97
        self.assertEqual(rows[self.c].price_points, D("18.97"))


class TieTests(ProcurementTestCase):
    def test_equal_totals_share_the_rank_and_are_flagged(self):
        tender = make_tender(buyer=self.buyer)
        first = make_bid(tender, self.org, price="80000", quality=["0.8"])
        second = make_bid(tender, self.rival, price="80000", quality=["0.8"])
        ranking = tender_ranking(tender=tender)
        self.assertEqual([r.rank for r in ranking.rows], [1, 1])
        self.assertTrue(all(r.tied for r in ranking.rows))
        self.assertIsNone(ranking.winner)
        today = timezone.localdate()
        contract = tender_award(tender=tender, bid=second, start=today, end=today)
        self.assertEqual(contract.supplier, self.rival)
        self.assertNotEqual(first.pk, second.pk)

    def test_quality_rescaling_gives_the_best_full_points(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        from pes.procurement.services import criterion_add, tender_publish
        from pes.procurement.tests.factories import clause

        criterion_add(tender=tender, kind="price", weight=D(30))
        criterion_add(tender=tender, kind="quality", weight=D(65), label="Q", rescale=True)
        criterion_add(
            tender=tender, kind="clause", weight=D(5), clause=clause("certificazione-parita-genere")
        )
        tender = tender_publish(tender=tender)
        from pes.procurement.services import bid_submit

        crit = {c.kind: c for c in tender.criteria.all()}
        values = {crit["clause"].pk: D(0)}
        bid_submit(
            tender=tender,
            supplier=self.org,
            price=D("90000"),
            values={**values, crit["quality"].pk: ["0.4"]},
        )
        bid_submit(
            tender=tender,
            supplier=self.rival,
            price=D("90000"),
            values={**values, crit["quality"].pk: ["0.8"]},
        )
        rows = {r.bid.supplier: r for r in tender_ranking(tender=tender).rows}
        quality = {
            s: [x.points for x in r.scores if x.criterion.kind == "quality"][0]
            for s, r in rows.items()
        }
        self.assertEqual(quality, {self.rival: D("65.00"), self.org: D("32.50")})
