"""Pathways and their follow-ups through the API: the case's operator and their supervisor
record them, nobody else; bad input is a 422 with field errors, and the dashboard's
counts follow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from pes.accounts.models import User
from pes.accounts.tests.factories import UserFactory
from pes.inclusion import selectors, stats
from pes.inclusion.models import FollowUp, Pathway, Proposal, add_months
from pes.inclusion.tests.factories import OpeningFactory, ReadyCaseFactory, TeamFactory
from pes.test import BaseTestCase


class PathwaysApi(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.supervisor = UserFactory.create(role=User.Role.OPERATOR, email="capo@example.org")
        cls.colleague = UserFactory.create(role=User.Role.OPERATOR, email="collega@example.org")
        TeamFactory.create(supervisor=cls.supervisor).operators.add(cls.operator)
        cls.case = ReadyCaseFactory.create(operator=cls.operator)
        stats.rebuild()  # the factory writes past the services

    def url(self, tail: str = "") -> str:
        return f"/api/v1/inclusion/cases/{self.case.pk}/pathways{tail}"

    def post(self, url: str, data: dict[str, Any], user: User | None = None) -> Any:
        headers = self.api_headers(user or self.operator)
        return self.client.post(url, data, content_type="application/json", **headers)

    def errors(self, response: Any) -> dict[str, str]:
        self.assertEqual(response.status_code, 422, response.content)
        return {e["loc"][-1]: e["msg"] for e in json.loads(response.content)["detail"]}

    def test_the_operator_records_a_contract_and_its_follow_ups(self) -> None:
        starts = timezone.localdate() - dt.timedelta(days=400)
        created = self.post(
            self.url(),
            {"kind": "fixed_term", "title": "Magazziniere", "starts_on": starts.isoformat()},
        )
        self.assertEqual(created.status_code, 201, created.content)
        pathway = json.loads(created.content)
        self.assertTrue(pathway["is_placement"])
        self.assertEqual(
            [(d["months"], d["done"]) for d in pathway["follow_ups_due"]],
            [(3, False), (6, False), (12, False)],
        )
        self.assertEqual(pathway["follow_ups_due"][2]["due_on"], add_months(starts, 12).isoformat())
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "in_pathway")
        for months, employed in ((3, True), (6, True), (12, False)):
            response = self.post(
                self.url(f"/{pathway['id']}/follow-ups"),
                {
                    "months": months,
                    "done_on": (starts + dt.timedelta(days=31 * months)).isoformat(),
                    "still_employed": employed,
                    "contract": "fixed_term" if employed else "",
                },
                user=self.supervisor if months == 12 else self.operator,
            )
            self.assertEqual(response.status_code, 201, response.content)
        listed = json.loads(self.client.get(self.url(), **self.api_headers(self.operator)).content)
        self.assertEqual([f["months"] for f in listed[0]["follow_ups"]], [3, 6, 12])
        self.assertTrue(all(d["done"] for d in listed[0]["follow_ups_due"]))
        self.assertEqual(FollowUp.objects.filter(pathway_id=pathway["id"]).count(), 3)
        self.assertEqual(stats.stored(), stats.computed())
        self.assertEqual(selectors.dashboard()["by_contract"]["fixed_term"], None)  # 1 person

    def test_bad_input_is_a_field_error_and_writes_nothing(self) -> None:
        today = timezone.localdate()
        cases = {
            "kind": {"kind": "volunteering", "title": "x", "starts_on": today.isoformat()},
            "title": {"kind": "training", "title": "  ", "starts_on": today.isoformat()},
            "ends_on": {
                "kind": "internship",
                "title": "Tirocinio",
                "starts_on": today.isoformat(),
                "ends_on": (today - dt.timedelta(days=1)).isoformat(),
            },
            "proposal_id": {
                "kind": "internship",
                "title": "Tirocinio",
                "starts_on": today.isoformat(),
                "proposal_id": 999999,
            },
        }
        for field, payload in cases.items():
            with self.subTest(field=field):
                self.assertIn(field, self.errors(self.post(self.url(), payload)))
        missing = self.post(self.url(), {"kind": "training"})
        self.assertEqual(missing.status_code, 422)
        self.assertFalse(Pathway.objects.exists())

        pathway = Pathway.objects.create(
            case=self.case, kind="internship", title="Tirocinio", starts_on=today
        )
        follow = self.url(f"/{pathway.pk}/follow-ups")
        good = {"months": 3, "done_on": today.isoformat(), "still_employed": False}
        changes: dict[str, dict[str, Any]] = {
            "months": {"months": 4},
            "done_on": {"done_on": (today + dt.timedelta(days=2)).isoformat()},
            "contract": {"still_employed": True},
        }
        for field, change in changes.items():
            with self.subTest(field=field):
                self.assertIn(field, self.errors(self.post(follow, {**good, **change})))
        self.assertIn("contract", self.errors(self.post(follow, {**good, "contract": "gig"})))
        self.assertEqual(self.post(follow, good).status_code, 201)
        self.assertIn("months", self.errors(self.post(follow, good)))  # already recorded

    def test_a_placement_from_a_proposal_needs_the_company_to_accept(self) -> None:
        opening = OpeningFactory.create()
        proposal = Proposal.objects.create(case=self.case, opening=opening)
        payload = {
            "kind": "fixed_term",
            "title": "Addetto",
            "starts_on": timezone.localdate().isoformat(),
            "proposal_id": proposal.pk,
        }
        self.assertIn("proposal_id", self.errors(self.post(self.url(), payload)))
        Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.ACCEPTED)
        created = json.loads(self.post(self.url(), payload).content)
        self.assertEqual(created["organization_id"], opening.organization_id)
        self.assertEqual(created["proposal_id"], proposal.pk)

    def test_only_the_operator_and_the_supervisor_see_or_record_pathways(self) -> None:
        pathway = Pathway.objects.create(
            case=self.case, kind="training", title="Corso", starts_on=timezone.localdate()
        )
        payload = {"kind": "training", "title": "Corso", "starts_on": "2025-01-10"}
        follow = {"months": 3, "done_on": timezone.localdate().isoformat(), "still_employed": False}
        for user in (self.colleague, self.governance, self.member, self.admin):
            with self.subTest(user=user.email):
                headers = self.api_headers(user)
                self.assertEqual(self.client.get(self.url(), **headers).status_code, 403)
                self.assertEqual(self.post(self.url(), payload, user=user).status_code, 403)
                self.assertEqual(
                    self.post(self.url(f"/{pathway.pk}/follow-ups"), follow, user=user).status_code,
                    403,
                )
        self.assertEqual(self.client.get(self.url()).status_code, 401)
        self.assertEqual(self.post(self.url(), payload, user=self.supervisor).status_code, 201)
        self.assertEqual(Pathway.objects.filter(case=self.case).count(), 2)
        # Unknown case, or a pathway of another case: 404.
        other = ReadyCaseFactory.create(operator=self.operator)
        theirs = Pathway.objects.create(
            case=other, kind="training", title="Altro", starts_on=timezone.localdate()
        )
        self.assertEqual(self.post(self.url(f"/{theirs.pk}/follow-ups"), follow).status_code, 404)
        self.assertEqual(
            self.client.get(
                "/api/v1/inclusion/cases/999999/pathways", **self.api_headers(self.operator)
            ).status_code,
            404,
        )
