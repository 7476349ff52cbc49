"""A campaign collects answers from three organisations and one stakeholder survey, and
aggregates them; statuses go open → closed → validated; survey links are single use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from pes.accounts.tests.factories import UserFactory
from pes.impact.models import (
    Answer,
    Campaign,
    Indicator,
    Method,
    Participant,
    Response,
    SurveyToken,
)
from pes.impact.services import survey_tokens_issue
from pes.impact.tests.factories import make_method
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase


def _row(content: str, pattern: str) -> str:
    found = re.search(pattern, content)
    assert found is not None, pattern
    return found.group(1)


class CampaignTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.others = [OrganizationFactory.create(), OrganizationFactory.create()]
        cls.staff = []
        for org in cls.others:
            user = UserFactory.create(role="member")
            Membership.objects.create(user=user, organization=org, role=Membership.Role.MANAGER)
            cls.staff.append(user)

    def create_campaign(self):
        extra = list(Indicator.objects.filter(code__in=["LAV-01", "GOV-03", "QUAL-01"]))
        method = make_method("Rilevazione enti", extra)
        codes = "\n".join(o.codice_fiscale for o in [self.org, *self.others])
        response = self.client_for(self.governance).post(
            reverse("impact:campaign_new"),
            {
                "method": method.pk,
                "title": "Rilevazione annuale",
                "year": "2025",
                "organizations": codes,
            },
        )
        campaign = Campaign.objects.get()
        self.assertRedirects(response, campaign.get_absolute_url())
        return campaign

    def answer(self, user, participant, data, submit=True):
        form = {**data}
        if submit:
            form["submit"] = "1"
        return self.client_for(user).post(reverse("impact:answer", args=[participant.pk]), form)

    def full_answers(self, people, volunteers, women_board, satisfied):
        ids = {i.code: i.pk for i in Indicator.objects.all()}
        return {
            f"ind_{ids['CORE-01']}_women": str(people[0]),
            f"ind_{ids['CORE-01']}_men": str(people[1]),
            f"ind_{ids['CORE-01']}_other": "0",
            f"ind_{ids['CORE-02']}": "3",
            f"ind_{ids['CORE-03']}": str(volunteers),
            f"ind_{ids['CORE-04']}_women": "4",
            f"ind_{ids['CORE-04']}_men": "2",
            f"ind_{ids['CORE-05']}_women": "1",
            f"ind_{ids['CORE-05']}_men": "1",
            f"ind_{ids['CORE-06']}": "25000,50",
            f"ind_{ids['CORE-07']}": str(satisfied),
            f"ind_{ids['CORE-08']}": "2",
            f"ind_{ids['GOV-03']}": "yes" if women_board else "no",
            f"ind_{ids['QUAL-01']}": "Più fiducia nei servizi",
        }

    def test_three_organisations_answer_one_survey_is_filled_and_results_aggregate(self):
        campaign = self.create_campaign()
        self.assertEqual(campaign.participants.count(), 3)
        self.assertEqual(campaign.method.items.count(), 11)  # 8 core + 3
        parts = {p.organization_id: p for p in campaign.participants.all()}
        self.assertEqual(
            self.answer(
                self.member, parts[self.org.pk], self.full_answers((10, 5), 100, True, 80)
            ).status_code,
            302,
        )
        self.assertEqual(
            self.answer(
                self.staff[0], parts[self.others[0].pk], self.full_answers((3, 7), 50, False, 90)
            ).status_code,
            302,
        )
        self.assertEqual(
            self.answer(
                self.staff[1], parts[self.others[1].pk], self.full_answers((2, 3), "12.5", True, 70)
            ).status_code,
            302,
        )
        self.assertTrue(all(p.submitted_at for p in Participant.objects.all()))

        # A stakeholder survey of the first organisation, five links, five responses.
        response = self.client_for(self.member).post(
            reverse("impact:survey_new", args=[campaign.pk]),
            {
                "participant": parts[self.org.pk].pk,
                "title": "Questionario famiglie",
                "stakeholder": "Famiglie",
                "q1_text": "Quanto è migliorato il benessere di suo figlio?",
                "q1_kind": "scale",
                "q2_text": "Consiglierebbe il servizio?",
                "q2_kind": "yes_no",
                "q3_text": "Commenti",
                "q3_kind": "text",
                **{f"q{n}_kind": "scale" for n in range(4, 7)},
            },
        )
        survey = parts[self.org.pk].surveys.get()
        self.assertRedirects(response, survey.get_absolute_url())
        page = self.client_for(self.member).post(
            survey.get_absolute_url(), {"count": "6", "days": "30"}
        )
        links = re.findall(r"http://testserver(/impatto/q/[^/\s]+/)", page.content.decode())
        self.assertEqual(len(links), 6)
        questions = list(survey.questions.all())
        for n, link in enumerate(links[:5]):
            answers = {
                f"q_{questions[0].pk}": str(n + 1),
                f"q_{questions[1].pk}": "yes" if n < 4 else "no",
                f"q_{questions[2].pk}": "",
            }
            self.assertContains(self.client_for(None).post(link, answers), "are recorded")
        self.assertEqual(Response.objects.count(), 5)

        results = self.client_for(self.governance).get(campaign.get_absolute_url())
        content = results.content.decode()
        self.assertIn("3 of 3 participants have submitted their answers (100.0%).", content)
        people = _row(content, r"CORE-01 — Persone raggiunte</th>(.*?)</tr>")
        self.assertEqual(re.findall(r">([\d.—]+)<", people), ["3", "30", "—", "15", "15", "0", "—"])
        volunteers = _row(content, r"CORE-03 — Ore di volontariato</th>(.*?)</tr>")
        self.assertIn(">162.50<", volunteers)
        self.assertIn(">54.17<", volunteers)
        board = _row(content, r"GOV-03 — .*?</th>(.*?)</tr>")
        self.assertIn(">66.7<", board)
        self.assertIn("5 responses out of 6 links: <strong>83.3%</strong>", content)
        self.assertIn(">3.00<", content)  # mean of 1..5
        self.assertIn(">80.0<", content)  # 4 of 5 recommend

        # Closed, then validated: the results become public and answers are frozen.
        for status in ("closed", "validated"):
            self.client_for(self.governance).post(
                reverse("impact:campaign_status", args=[campaign.pk]), {"status": status}
            )
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, "validated")
        self.assertEqual(self.client_for(None).get(campaign.get_absolute_url()).status_code, 200)
        frozen = self.answer(self.member, parts[self.org.pk], self.full_answers((1, 1), 1, True, 1))
        self.assertContains(frozen, "The campaign is not open", status_code=422)
        self.assertEqual(
            Answer.objects.get(participant=parts[self.org.pk], indicator__code="CORE-03").number,
            Decimal(100),
        )

        csv = self.client_for(self.governance).get(
            reverse("impact:campaign_csv", args=[campaign.pk])
        )
        self.assertEqual(csv.content.decode().count("\n"), 1 + Answer.objects.count())

    def test_answers_of_the_wrong_type_are_refused_and_nothing_is_lost(self):
        campaign = self.create_campaign()
        participant = campaign.participants.get(organization=self.org)
        ids = {i.code: i.pk for i in Indicator.objects.all()}
        data = {
            f"ind_{ids['CORE-02']}": "2.5",
            f"ind_{ids['CORE-07']}": "150",
            f"ind_{ids['CORE-03']}": "molte",
            f"ind_{ids['CORE-01']}_women": "-1",
            f"ind_{ids['GOV-03']}": "yes",
        }
        response = self.answer(self.member, participant, data, submit=False)
        self.assertEqual(response.status_code, 422)
        for message in [
            "Give a whole number of 0 or more.",
            "A percentage is between 0 and 100.",
            "Give a number.",
            "Counts are whole numbers",
        ]:
            self.assertContains(response, message, status_code=422)
        self.assertContains(response, 'value="molte"', status_code=422)
        self.assertFalse(Answer.objects.exists())

        # A draft saves what is valid; submitting asks for every required indicator.
        draft = self.answer(self.member, participant, {f"ind_{ids['CORE-03']}": "12"}, submit=False)
        self.assertEqual(draft.status_code, 302)
        submit = self.answer(self.member, participant, {f"ind_{ids['CORE-03']}": "12"})
        self.assertContains(submit, "This indicator is required.", status_code=422)
        participant.refresh_from_db()
        self.assertIsNone(participant.submitted_at)

    def test_statuses_only_move_forward_and_only_governance_moves_them(self):
        campaign = self.create_campaign()
        url = reverse("impact:campaign_status", args=[campaign.pk])
        self.assertEqual(
            self.client_for(self.member).post(url, {"status": "closed"}).status_code, 403
        )
        response = self.client_for(self.governance).post(url, {"status": "validated"}, follow=True)
        self.assertContains(response, "A campaign goes from open to closed to validated.")
        campaign.refresh_from_db()
        self.assertEqual(campaign.status, "open")

    def test_participants_see_their_campaign_and_others_do_not(self):
        campaign = self.create_campaign()
        participant = campaign.participants.get(organization=self.org)
        self.assertEqual(
            self.client_for(self.member).get(campaign.get_absolute_url()).status_code, 200
        )
        self.assertEqual(
            self.client_for(self.outsider).get(campaign.get_absolute_url()).status_code, 404
        )
        self.assertEqual(self.client_for(None).get(campaign.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client_for(self.staff[0]).get(participant.get_absolute_url()).status_code, 404
        )
        self.assertEqual(
            self.client_for(self.member).get(reverse("impact:campaign_new")).status_code, 403
        )

    def test_a_new_method_version_keeps_the_old_campaigns_and_the_core_set(self):
        campaign = self.create_campaign()
        old = campaign.method
        response = self.client_for(self.governance).post(
            reverse("impact:method_version", args=[old.pk]),
            {
                "description": "Aggiunto l'abitare",
                "extra": [Indicator.objects.get(code="ABI-01").pk],
            },
        )
        new = Method.objects.get(slug=old.slug, version=2)
        self.assertRedirects(response, new.get_absolute_url())
        self.assertEqual(
            sorted(new.items.values_list("indicator__code", flat=True)),
            sorted(
                [*Indicator.objects.filter(is_core=True).values_list("code", flat=True), "ABI-01"]
            ),
        )
        self.assertEqual(old.items.count(), 11)
        self.assertEqual(campaign.method_id, old.pk)


class SurveyLinkTests(BaseTestCase):
    def setUp(self):
        campaign = Campaign.objects.create(method=make_method(), title="Ascolto", year=2025)
        from pes.impact.services import survey_create

        self.survey = survey_create(
            campaign=campaign,
            data={"title": "Soddisfazione", "stakeholder": "Utenti"},
            questions=[("Come valuta il servizio?", "scale")],
        )
        self.question = self.survey.questions.get()

    def test_a_link_works_once(self):
        [token] = survey_tokens_issue(survey=self.survey, count=1)
        url = reverse("impact:respond", args=[token])
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertContains(self.client.post(url, {f"q_{self.question.pk}": "4"}), "are recorded")
        again = self.client.post(url, {f"q_{self.question.pk}": "5"})
        self.assertContains(again, "already been used", status_code=410)
        self.assertEqual(Response.objects.count(), 1)

    def test_an_expired_or_unknown_link_is_refused_with_a_clear_message(self):
        [token] = survey_tokens_issue(survey=self.survey, count=1)
        SurveyToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        self.assertContains(
            self.client.get(reverse("impact:respond", args=[token])), "has expired", status_code=410
        )
        self.assertContains(
            self.client.get(reverse("impact:respond", args=["x" * 43])),
            "not valid",
            status_code=410,
        )

    def test_a_bad_answer_keeps_the_link_usable(self):
        [token] = survey_tokens_issue(survey=self.survey, count=1)
        url = reverse("impact:respond", args=[token])
        self.assertContains(
            self.client.post(url, {f"q_{self.question.pk}": "9"}),
            "Select a valid choice",
            status_code=422,
        )
        self.assertContains(
            self.client.post(url, {}), "Please answer this question.", status_code=422
        )
        self.assertIsNone(SurveyToken.objects.get().used_at)
        self.assertContains(self.client.post(url, {f"q_{self.question.pk}": "3"}), "are recorded")

    def test_tokens_are_random_and_stored_only_as_digests(self):
        tokens = survey_tokens_issue(survey=self.survey, count=20)
        self.assertEqual(len(set(tokens)), 20)
        self.assertTrue(all(len(t) >= 43 for t in tokens))
        stored = set(SurveyToken.objects.values_list("token", flat=True))
        self.assertFalse(stored & set(tokens))

    def test_survey_figures_are_hidden_below_five_responses(self):
        tokens = survey_tokens_issue(survey=self.survey, count=4)
        for token in tokens:
            self.client.post(
                reverse("impact:respond", args=[token]), {f"q_{self.question.pk}": "5"}
            )
        page = self.client_for(self.governance).get(self.survey.get_absolute_url())
        self.assertContains(page, "4 responses out of 4 links")
        self.assertContains(page, "The answers are shown from 5 responses")
        self.assertNotContains(page, ">5.00<")


class QueryCountTests(BaseTestCase):
    def test_the_results_page_runs_the_same_queries_for_three_or_thirty_participants(self):
        method = make_method("Conteggio")
        indicator = Indicator.objects.get(code="CORE-03")
        counts = []
        for size in (3, 30):
            orgs = [OrganizationFactory.create() for _n in range(size)]
            campaign = Campaign.objects.create(method=method, title=f"Conteggio {size}", year=2025)
            for org in orgs:
                p = Participant.objects.create(campaign=campaign, organization=org)
                Answer.objects.create(participant=p, indicator=indicator, number=Decimal(5))
            Campaign.objects.filter(pk=campaign.pk).update(status="validated")
            client = self.client_for(None)
            client.get(campaign.get_absolute_url())
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                response = client.get(campaign.get_absolute_url())
            self.assertContains(response, f">{5 * size}.00<")
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[0], 15)
