"""Lots of a draft tender, over HTTP: the buyer's staff (and governance) add, edit and remove
them; their values are positive and together never above the tender's estimated value (its
base price); every change is audited on the tender; nothing changes once it is published."""

from __future__ import annotations

from decimal import Decimal

from pes.core.models import AuditEntry
from pes.procurement.models import Lot, Tender
from pes.procurement.services import lot_add, tender_publish
from pes.procurement.tests.base import ProcurementTestCase
from pes.procurement.tests.factories import make_tender


class LotTests(ProcurementTestCase):
    def setUp(self) -> None:
        self.tender = make_tender(buyer=self.buyer, publish=False, value=Decimal("100000"))
        self.url = f"/appalti/gare/{self.tender.pk}/lotti/"

    def lot_audit(self) -> list[list[str | None]]:
        entries = AuditEntry.objects.filter(
            object_id=str(self.tender.pk), changes__has_key="lots"
        ).order_by("id")
        return [e.changes["lots"] for e in entries]

    def test_the_buyer_adds_edits_and_removes_lots_and_each_change_is_audited(self) -> None:
        clerk = self.client_for(self.clerk)
        page = clerk.get(self.tender.get_absolute_url())
        self.assertContains(page, self.url)
        self.assertContains(clerk.get(self.url), "No lot yet")

        response = clerk.post(self.url, {"title": "Scuole primarie", "value": "60000"})
        self.assertRedirects(response, self.url)
        clerk.post(self.url, {"title": "Scuole secondarie", "value": "30000"})
        clerk.post(self.url, {"title": "Palestre", "value": "10000"})
        lots = list(self.tender.lots.all())
        self.assertEqual(
            [(lot.number, lot.value) for lot in lots],
            [(1, Decimal("60000")), (2, Decimal("30000")), (3, Decimal("10000"))],
        )
        page = clerk.get(self.url)
        self.assertContains(page, "Scuole secondarie")
        self.assertContains(page, "0.00 € left")

        first, second, third = lots
        response = clerk.post(
            f"{self.url}{second.pk}/", {"title": "Scuole medie", "value": "25000"}
        )
        self.assertRedirects(response, self.url)
        second.refresh_from_db()
        self.assertEqual((second.title, second.value), ("Scuole medie", Decimal("25000")))

        response = clerk.post(f"{self.url}{first.pk}/elimina/")
        self.assertRedirects(response, self.url)
        self.assertEqual(
            [(lot.number, lot.title) for lot in self.tender.lots.all()],
            [(1, "Scuole medie"), (2, "Palestre")],
        )
        self.assertEqual(
            self.lot_audit(),
            [
                [None, "1. Scuole primarie (60000)"],
                [None, "2. Scuole secondarie (30000)"],
                [None, "3. Palestre (10000)"],
                ["2. Scuole secondarie (30000)", "2. Scuole medie (25000)"],
                ["1. Scuole primarie (60000)", None],
            ],
        )
        entry = AuditEntry.objects.filter(changes__has_key="lots").last()
        assert entry is not None
        self.assertEqual(entry.user, self.clerk)
        self.assertContains(clerk.get(self.tender.get_absolute_url()), "1. Scuole medie")

    def test_governance_manages_lots_too(self) -> None:
        client = self.client_for(self.governance)
        self.assertEqual(client.get(self.url).status_code, 200)
        client.post(self.url, {"title": "Lotto unico", "value": "100000"})
        self.assertEqual(self.tender.lots.get().title, "Lotto unico")

    def test_others_are_refused_and_nothing_changes(self) -> None:
        lot = lot_add(tender=self.tender, title="Scuole", value=Decimal("50000"))
        for user in (self.member, self.outsider, self.operator):
            client = self.client_for(user)
            with self.subTest(user=user.email):
                # A draft is not visible to them at all.
                self.assertEqual(client.get(self.url).status_code, 404)
                self.assertEqual(
                    client.post(self.url, {"title": "X", "value": "1"}).status_code, 404
                )
                self.assertEqual(
                    client.post(f"{self.url}{lot.pk}/", {"title": "X", "value": "1"}).status_code,
                    404,
                )
                self.assertEqual(client.post(f"{self.url}{lot.pk}/elimina/").status_code, 404)
        anonymous = self.client_for(None)
        self.assertEqual(anonymous.get(self.url).status_code, 302)
        self.assertEqual(anonymous.post(f"{self.url}{lot.pk}/elimina/").status_code, 302)
        lot.refresh_from_db()
        self.assertEqual((lot.title, self.tender.lots.count()), ("Scuole", 1))

    def test_the_link_is_shown_only_to_the_buyer_while_a_draft(self) -> None:
        lot_add(tender=self.tender, title="Scuole", value=Decimal("50000"))
        page = self.tender.get_absolute_url()
        self.assertContains(self.client_for(self.clerk).get(page), self.url)
        tender_publish(tender=self.tender)
        for user in (self.clerk, self.governance, self.member, None):
            with self.subTest(user=user):
                response = self.client_for(user).get(page)
                self.assertContains(response, "1. Scuole")
                self.assertNotContains(response, self.url)

    def test_another_tenders_lot_is_not_found(self) -> None:
        other = make_tender(buyer=self.buyer, publish=False)
        lot = lot_add(tender=other, title="Altro", value=Decimal("1000"))
        clerk = self.client_for(self.clerk)
        self.assertEqual(clerk.get(f"{self.url}{lot.pk}/").status_code, 404)
        self.assertEqual(clerk.post(f"{self.url}{lot.pk}/elimina/").status_code, 404)
        self.assertTrue(Lot.objects.filter(pk=lot.pk).exists())

    def test_bad_input_is_a_field_error_and_nothing_is_saved(self) -> None:
        clerk = self.client_for(self.clerk)
        lot_add(tender=self.tender, title="Scuole primarie", value=Decimal("70000"))
        for data, field, message in [
            (
                {"title": "Negativo", "value": "-5"},
                "value",
                "The value of a lot must be greater than zero.",
            ),
            (
                {"title": "Zero", "value": "0"},
                "value",
                "The value of a lot must be greater than zero.",
            ),
            ({"title": "   ", "value": "100"}, "title", None),
            ({"title": "Non numero", "value": "molto"}, "value", None),
            (
                {"title": "Troppo", "value": "30000.01"},
                "value",
                "The lots would add up to € 100,000.01, above the tender's estimated value "
                "of € 100,000.00 (€ 30,000.00 left).",
            ),
        ]:
            with self.subTest(data=data):
                response = clerk.post(self.url, data)
                self.assertEqual(response.status_code, 200)
                form = response.context["form"]
                self.assertIn(field, form.errors)
                if message:
                    self.assertFormError(form, field, message)
                self.assertContains(response, "The lot was not added")
                self.assertEqual(self.tender.lots.count(), 1)
        self.assertEqual(len(self.lot_audit()), 1)

    def test_an_edit_over_the_estimated_value_changes_nothing(self) -> None:
        lot_add(tender=self.tender, title="Scuole primarie", value=Decimal("70000"))
        lot = lot_add(tender=self.tender, title="Scuole secondarie", value=Decimal("30000"))
        clerk = self.client_for(self.clerk)
        response = clerk.post(f"{self.url}{lot.pk}/", {"title": "Più grande", "value": "40000"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("value", response.context["form"].errors)
        self.assertContains(response, "The lot was not saved")
        lot.refresh_from_db()
        self.assertEqual((lot.title, lot.value), ("Scuole secondarie", Decimal("30000")))
        # Its own value does not count twice: the same value is fine.
        response = clerk.post(f"{self.url}{lot.pk}/", {"title": "Medie", "value": "30000"})
        self.assertRedirects(response, self.url)
        self.assertEqual(len(self.lot_audit()), 3)

    def test_the_estimated_value_cannot_drop_below_the_lots(self) -> None:
        lot_add(tender=self.tender, title="Scuole", value=Decimal("80000"))
        data = {
            "buyer": self.buyer.pk,
            "title": self.tender.title,
            "cig": self.tender.cig,
            "cup": self.tender.cup,
            "estimated_value": "50000",
            "procedure": "open",
            "labour_intensive": "on",
            "price_formula": "linear",
            "bilinear_x": "0.90",
            "concave_alpha": "0.50",
            "bid_deadline": self.tender.bid_deadline.strftime("%Y-%m-%dT%H:%M"),
        }
        response = self.client_for(self.clerk).post(
            f"/appalti/gare/{self.tender.pk}/modifica/", data
        )
        self.assertEqual(response.status_code, 200)
        self.assertFormError(
            response.context["form"],
            "estimated_value",
            "The lots add up to € 80,000.00: the estimated value cannot be lower.",
        )
        self.tender.refresh_from_db()
        self.assertEqual(self.tender.estimated_value, Decimal("100000"))

    def test_lots_no_longer_change_once_the_tender_is_published(self) -> None:
        lot = lot_add(tender=self.tender, title="Scuole", value=Decimal("50000"))
        tender_publish(tender=self.tender)
        clerk = self.client_for(self.clerk)
        page = f"/appalti/gare/{self.tender.pk}/"
        self.assertRedirects(clerk.get(self.url), page)
        self.assertRedirects(clerk.post(self.url, {"title": "Nuovo", "value": "1"}), page)
        self.assertRedirects(clerk.post(f"{self.url}{lot.pk}/", {"title": "X", "value": "1"}), page)
        response = clerk.post(f"{self.url}{lot.pk}/elimina/", follow=True)
        self.assertContains(response, "its lots can no longer change")
        lot.refresh_from_db()
        self.assertEqual((lot.title, self.tender.lots.count()), ("Scuole", 1))
        self.assertEqual(Tender.objects.get(pk=self.tender.pk).state, "open")
        self.assertEqual(len(self.lot_audit()), 1)
