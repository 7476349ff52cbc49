"""Rules of D.Lgs. 36/2023 on the criteria, and bad input: a clear message, nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from pes.procurement.models import Bid, Criterion, SupplierReport, Tender
from pes.procurement.services import (
    bid_submit,
    criterion_add,
    report_submit,
    tender_award,
    tender_create,
    tender_publish,
    tender_rule_problems,
)
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import clause, make_bid, make_tender


class CriteriaRuleTests(ProcurementTestCase):
    def test_a_complete_labour_intensive_tender_has_no_problem(self):
        tender = make_tender(buyer=self.buyer, publish=False)
        self.assertEqual(tender_rule_problems(tender=tender), [])

    def test_weights_that_do_not_sum_to_100_block_publishing(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        criterion_add(tender=tender, kind="price", weight=Decimal(30))
        criterion_add(
            tender=tender,
            kind="clause",
            weight=Decimal(10),
            clause=clause("certificazione-parita-genere"),
        )
        problems = tender_rule_problems(tender=tender)
        self.assertIn("The weights add up to 40 points: they must add up to 100.", problems)
        with self.assertRaises(ValidationError):
            tender_publish(tender=tender)
        self.assertEqual(Tender.objects.get(pk=tender.pk).state, Tender.State.DRAFT)

    def test_weights_over_100_are_refused_when_adding_a_criterion(self):
        tender = make_tender(buyer=self.buyer, publish=False)
        with self.assertRaisesMessage(ValidationError, "they must add up to 100 (0 left)"):
            criterion_add(tender=tender, kind="quality", weight=Decimal(5), label="Extra")
        self.assertEqual(tender.criteria.count(), 6)

    def test_price_over_30_points_is_refused_for_labour_intensive_contracts(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        with self.assertRaisesMessage(ValidationError, "at most 30 points (art. 108 c.4"):
            criterion_add(tender=tender, kind="price", weight=Decimal(31))
        self.assertFalse(tender.criteria.exists())

    def test_price_cap_is_rechecked_if_the_tender_becomes_labour_intensive(self):
        tender = make_tender(
            buyer=self.buyer, labour_intensive=False, criteria=False, publish=False
        )
        criterion_add(tender=tender, kind="price", weight=Decimal(60))
        criterion_add(
            tender=tender,
            kind="clause",
            weight=Decimal(40),
            clause=clause("certificazione-parita-genere"),
        )
        Tender.objects.filter(pk=tender.pk).update(labour_intensive=True)
        tender.refresh_from_db()
        problems = tender_rule_problems(tender=tender)
        self.assertTrue(any("at most 30" in p for p in problems))

    def test_price_only_award_is_refused_where_art_108_c2_forbids_it(self):
        tender = make_tender(
            buyer=self.buyer,
            labour_intensive=False,
            price_only_forbidden=True,
            criteria=False,
            publish=False,
        )
        criterion_add(tender=tender, kind="price", weight=Decimal(100))
        problems = tender_rule_problems(tender=tender)
        self.assertTrue(any("art. 108 c.2" in p for p in problems))

    def test_price_only_is_allowed_for_an_ordinary_supply(self):
        tender = make_tender(
            buyer=self.buyer, labour_intensive=False, criteria=False, publish=False
        )
        criterion_add(tender=tender, kind="price", weight=Decimal(100))
        self.assertEqual(tender_rule_problems(tender=tender), [])

    def test_the_gender_equality_reward_is_required(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        criterion_add(tender=tender, kind="price", weight=Decimal(30))
        criterion_add(tender=tender, kind="quality", weight=Decimal(70), label="Progetto")
        problems = tender_rule_problems(tender=tender)
        self.assertTrue(any("art. 108 c.7" in p for p in problems))

    def test_co_design_has_no_price_criterion(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False, procedure="codesign")
        with self.assertRaisesMessage(ValidationError, "art. 55"):
            criterion_add(tender=tender, kind="price", weight=Decimal(10))

    def test_a_mandatory_clause_cannot_earn_points(self):
        tender = make_tender(buyer=self.buyer, criteria=False, publish=False)
        with self.assertRaisesMessage(ValidationError, "admissibility requirements, not points"):
            criterion_add(
                tender=tender,
                kind="clause",
                weight=Decimal(5),
                clause=clause("obbligo-clausola-sociale"),
            )

    def test_criteria_cannot_change_after_publishing(self):
        tender = make_tender(buyer=self.buyer)
        with self.assertRaisesMessage(ValidationError, "can no longer change"):
            criterion_add(tender=tender, kind="quality", weight=Decimal(1), label="x")


class TenderInputTests(ProcurementTestCase):
    def data(self, **extra):
        return {
            "buyer": self.buyer,
            "title": "Verde pubblico",
            "estimated_value": Decimal("50000"),
            "procedure": "open",
            "bid_deadline": timezone.now() + dt.timedelta(days=10),
            **extra,
        }

    def test_cig_and_cup_are_checked_and_normalised(self):
        tender = tender_create(data=self.data(cig=" a1b2 c3d4e5 ", cup="j31b22000120006"))
        self.assertEqual((tender.cig, tender.cup), ("A1B2C3D4E5", "J31B22000120006"))
        with self.assertRaises(ValidationError) as ctx:
            tender_create(data=self.data(cig="ABC", cup="123"))
        self.assertIn("cig", ctx.exception.message_dict)
        self.assertIn("cup", ctx.exception.message_dict)
        self.assertEqual(Tender.objects.count(), 1)

    def test_the_buyer_must_be_a_public_administration(self):
        with self.assertRaises(ValidationError) as ctx:
            tender_create(data=self.data(buyer=self.org))
        self.assertIn("buyer", ctx.exception.message_dict)

    def test_a_negative_value_is_refused(self):
        with self.assertRaises(ValidationError):
            tender_create(data=self.data(estimated_value=Decimal("-1")))
        self.assertFalse(Tender.objects.exists())


class BidInputTests(ProcurementTestCase):
    def setUp(self):
        self.tender = make_tender(buyer=self.buyer)

    def bid(self, **kw):
        kw.setdefault("price", "80000")
        kw.setdefault("quality", ["0.8"])
        return make_bid(self.tender, self.org, **kw)

    def assert_refused(self, message, **kw):
        with self.assertRaisesMessage(ValidationError, message):
            self.bid(**kw)
        self.assertFalse(Bid.objects.exists())

    def test_a_negative_price_is_refused(self):
        self.assert_refused("The price must be greater than zero.", price="-10")

    def test_a_missing_price_is_refused(self):
        c = {x.kind: x for x in self.tender.criteria.all()}
        with self.assertRaisesMessage(ValidationError, "Enter the price offered."):
            bid_submit(
                tender=self.tender, supplier=self.org, price=None, values={c["quality"].pk: ["1"]}
            )
        self.assertFalse(Bid.objects.exists())

    def test_a_price_above_the_base_a_negative_discount_is_refused(self):
        self.assert_refused("the discount cannot be negative", price="100001")

    def test_a_bid_after_the_deadline_is_refused(self):
        late = self.tender.bid_deadline + dt.timedelta(minutes=1)
        self.assert_refused("The deadline for bids passed", submitted_at=late)

    def test_a_coefficient_over_one_is_refused(self):
        self.assert_refused("between 0 and 1", quality=["1.5"])

    def test_a_share_over_100_percent_is_refused(self):
        self.assert_refused("cannot exceed 100%", permanent="120")

    def test_a_bidder_bids_once(self):
        self.bid()
        with self.assertRaisesMessage(ValidationError, "already made a bid"):
            self.bid()
        self.assertEqual(Bid.objects.count(), 1)

    def test_a_draft_tender_takes_no_bid(self):
        draft = make_tender(buyer=self.buyer, publish=False)
        with self.assertRaisesMessage(ValidationError, "not open for bids"):
            make_bid(draft, self.org, price="1", quality=["1"])


class ReportInputTests(ProcurementTestCase):
    def setUp(self):
        tender = make_tender(buyer=self.buyer)
        bid = make_bid(tender, self.org, price="80000", quality=["0.9"])
        make_bid(tender, self.rival, price="90000", quality=["0.5"])
        today = timezone.localdate()
        self.contract = tender_award(
            tender=tender,
            bid=bid,
            start=today - dt.timedelta(days=200),
            end=today + dt.timedelta(days=500),
        )
        self.data = {"employed": 12, "permanent_share": Decimal(85)}

    def test_a_report_for_a_closed_period_is_refused(self):
        start = self.contract.start
        report_submit(contract=self.contract, period_start=start, data=self.data)
        with self.assertRaisesMessage(ValidationError, "This period is closed"):
            report_submit(
                contract=self.contract, period_start=start, data={**self.data, "employed": 99}
            )
        self.assertEqual(SupplierReport.objects.get().employed, 12)

    def test_a_report_for_a_period_not_started_is_refused(self):
        future = self.contract.start + dt.timedelta(days=3)
        from pes.procurement.periods import add_months

        with self.assertRaisesMessage(ValidationError, "has not started yet"):
            report_submit(
                contract=self.contract,
                period_start=add_months(self.contract.start, 12),
                data=self.data,
            )
        with self.assertRaisesMessage(ValidationError, "reporting periods"):
            report_submit(contract=self.contract, period_start=future, data=self.data)
        self.assertFalse(SupplierReport.objects.exists())

    def test_a_share_over_100_is_refused_and_nothing_saved(self):
        with self.assertRaises(ValidationError) as ctx:
            report_submit(
                contract=self.contract,
                period_start=self.contract.start,
                data={**self.data, "permanent_share": Decimal(120)},
            )
        self.assertIn("permanent_share", ctx.exception.message_dict)
        self.assertFalse(SupplierReport.objects.exists())

    def test_a_closed_contract_takes_no_report(self):
        from pes.procurement.services import contract_close

        contract_close(contract=self.contract)
        with self.assertRaisesMessage(ValidationError, "The contract is closed"):
            report_submit(contract=self.contract, period_start=self.contract.start, data=self.data)


def test_criterion_kinds_are_the_four_of_the_issue():
    assert set(Criterion.Kind.values) == {"price", "quality", "quantitative", "clause"}
