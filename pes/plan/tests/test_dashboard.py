"""The governance dashboard: tables, map, CSV and PDF downloads, reminders of overdue reports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unittest
from decimal import Decimal
from unittest import mock

from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pes.plan.models import (
    IndicatorTarget,
    Initiative,
    InitiativeStatus,
    Measurement,
    Report,
    ReportingPeriod,
    ReportReminder,
)
from pes.plan.services import budget_line_save
from pes.plan.tasks import send_report_reminders
from pes.plan.tests.factories import IndicatorFactory, InitiativeFactory
from pes.plan.views_dashboard import OVERDUE_SHOWN, _weasyprint
from pes.registry.models import Membership
from pes.registry.tests.factories import OrganizationFactory
from pes.territory.models import Municipality
from pes.test import BaseTestCase

URL = "/piano/cruscotto/"
TODAY = dt.date(2025, 8, 15)  # the first half of 2025 is overdue (due 31 July), no later one


def today_is(day: dt.date = TODAY) -> mock._patch:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def parse_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


class DashboardTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.m1, cls.m2 = Municipality.objects.filter(district__name="Pianura Est").order_by("name")[
            :2
        ]
        cls.m3 = Municipality.objects.get(name="Imola")
        cls.other_lead = OrganizationFactory.create(name="Fondazione Dopo di Noi")
        cls.other_member = Membership.objects.create(
            user=cls.outsider, organization=cls.other_lead, role=Membership.Role.EDITOR
        ).user
        cls.a = InitiativeFactory.create(lead=cls.org, title="Orti di comunità")
        cls.a.municipalities.set([cls.m1, cls.m2])
        budget_line_save(
            initiative=cls.a,
            data={"source": "eu", "committed": Decimal(100_000), "spent": Decimal(40_000)},
            user=cls.governance,
        )
        cls.b = InitiativeFactory.create(lead=cls.other_lead, title="Casa dei mestieri")
        cls.b.municipalities.set([cls.m3, cls.m1])
        budget_line_save(
            initiative=cls.b,
            data={"source": "municipal", "committed": Decimal(30_000), "spent": Decimal(0)},
            user=cls.governance,
        )
        budget_line_save(
            initiative=cls.b,
            data={"source": "own", "committed": Decimal(20_000), "spent": Decimal(0)},
            user=cls.governance,
        )
        # Has reported for the overdue period: no reminder, not overdue.
        cls.c = InitiativeFactory.create(lead=cls.other_lead, title="Emporio solidale")
        cls.period = ReportingPeriod.objects.get(start=dt.date(2025, 1, 1))
        Report.objects.create(
            initiative=cls.c,
            period=cls.period,
            state=Report.State.SUBMITTED,
            status=InitiativeStatus.objects.get(key="started"),
            narrative="Aperto il punto vendita.",
            spent=Decimal(1_500),
        )
        cls.lagging = IndicatorFactory.create(
            code="famiglie-servite", name="Famiglie servite", baseline_value=Decimal(100)
        )
        IndicatorTarget.objects.create(indicator=cls.lagging, year=2027, value=Decimal(200))
        Measurement.objects.create(
            indicator=cls.lagging, date=dt.date(2025, 12, 31), value=Decimal(101)
        )
        cls.on_track = IndicatorFactory.create(
            code="volontari-attivi", name="Volontari attivi", baseline_value=Decimal(100)
        )
        IndicatorTarget.objects.create(indicator=cls.on_track, year=2027, value=Decimal(200))
        Measurement.objects.create(
            indicator=cls.on_track, date=dt.date(2025, 12, 31), value=Decimal(190)
        )

    def gov_get(self, url: str, **extra):
        with today_is():
            return self.client_for(self.governance).get(url, HTTP_ACCEPT_LANGUAGE="en", **extra)

    def table(self, response, name: str) -> list[dict]:
        return next(t for t in response.context["tables"] if t.name == name).rows

    # ------------------------------------------------------------------ access

    def test_only_governance_sees_the_dashboard_and_its_downloads(self):
        urls = [URL, f"{URL}missions.csv", f"{URL}rapporto.pdf?period={self.period.pk}"]
        for url in urls:
            anonymous = self.client_for(None).get(url)
            self.assertEqual(anonymous.status_code, 302, url)
            self.assertIn("/login/", anonymous["Location"])
            for user in (self.member, self.outsider, self.operator):
                self.assertEqual(self.client_for(user).get(url).status_code, 403, (url, user))
        self.assertEqual(self.client_for(self.member).post(f"{URL}promemoria/").status_code, 403)
        self.assertEqual(self.gov_get(URL).status_code, 200)

    # ------------------------------------------------------------------ content

    def test_the_mission_table_shows_progress_and_money_from_the_plan_tree(self):
        response = self.gov_get(URL)
        mission = next(r for r in self.table(response, "missions") if r["number"] == 2)
        self.assertEqual(mission["initiatives"], 3)
        self.assertEqual(mission["committed"], Decimal(150_000))
        self.assertEqual(mission["public_committed"], Decimal(130_000))
        self.assertEqual(mission["public_spent"], Decimal(40_000))
        self.assertEqual(mission["financial_progress"], Decimal("30.8"))
        self.assertEqual(mission["physical_progress"], Decimal(10))  # "started": 10%
        self.assertContains(response, "150,000")
        self.assertContains(response, "31%")

    def test_money_by_source_municipality_and_district_adds_up(self):
        response = self.gov_get(URL)
        sources = {r["source"]: r for r in self.table(response, "sources")}
        self.assertEqual(sources["eu"]["committed"], Decimal(100_000))
        self.assertEqual(sources["eu"]["spent"], Decimal(40_000))
        self.assertEqual(sources["municipal"]["committed"], Decimal(30_000))
        self.assertEqual(sources["own"]["committed"], Decimal(20_000))

        places = {r["municipality"]: r for r in self.table(response, "municipalities")}
        self.assertEqual(len(places), 55)
        self.assertEqual(places[self.m1.name]["initiatives"], 2)
        self.assertEqual(places[self.m1.name]["committed"], Decimal(75_000))
        self.assertEqual(places[self.m2.name]["committed"], Decimal(50_000))
        self.assertEqual(places[self.m3.name]["committed"], Decimal(25_000))

        districts = {r["district"]: r for r in self.table(response, "districts")}
        self.assertEqual(len(districts), 7)
        self.assertEqual(districts["Pianura Est"]["initiatives"], 2)  # a and b, counted once
        self.assertEqual(districts["Pianura Est"]["municipalities"], 15)
        self.assertEqual(districts["Pianura Est"]["committed"], Decimal(125_000))
        self.assertEqual(districts["Imola"]["initiatives"], 1)
        self.assertEqual(districts["Imola"]["committed"], Decimal(25_000))
        self.assertEqual(
            sum(d["committed"] for d in districts.values()), Decimal(150_000)
        )  # every euro of a covered initiative lands in a district

    def test_the_map_has_a_labelled_dot_per_municipality_beside_its_table(self):
        response = self.gov_get(URL)
        page = response.content.decode()
        svg = page[page.index('<svg viewBox="0 0 640') :]
        svg = svg[: svg.index("</svg>")]
        self.assertIn('role="img"', svg)
        self.assertIn('aria-labelledby="dashboard-map-title"', svg)
        self.assertEqual(svg.count("<circle"), 55)
        self.assertIn(f"<title>{self.m1.name}: 2 initiatives, 75,000 € committed</title>", svg)
        self.assertIn(f"<title>{self.m3.name}: 1 initiative, 25,000 € committed</title>", svg)
        self.assertContains(response, '<caption id="municipalities-caption">')

    def test_overdue_reports_and_off_track_indicators_are_listed(self):
        response = self.gov_get(URL)
        overdue = self.table(response, "overdue")
        self.assertEqual(
            sorted(r["initiative"] for r in overdue), ["Casa dei mestieri", "Orti di comunità"]
        )
        self.assertEqual({r["days_late"] for r in overdue}, {(TODAY - self.period.due_date).days})
        indicators = self.table(response, "indicators")
        self.assertEqual([r["code"] for r in indicators], ["famiglie-servite"])
        self.assertEqual(indicators[0]["status"], "limited")
        self.assertContains(response, "Famiglie servite")
        self.assertNotContains(response, "Volontari attivi")

    def test_the_cached_overdue_list_follows_reports_and_the_calendar(self):
        self.assertEqual(len(self.table(self.gov_get(URL), "overdue")), 2)
        # A report submitted: gone from the next page, though the list is cached.
        Report.objects.create(
            initiative=self.a,
            period=self.period,
            state=Report.State.SUBMITTED,
            status=InitiativeStatus.objects.get(key="started"),
            narrative="Primo raccolto.",
            spent=Decimal(0),
        )
        overdue = self.table(self.gov_get(URL), "overdue")
        self.assertEqual([r["initiative"] for r in overdue], ["Casa dei mestieri"])
        # Before the deadline nothing was overdue: the day is part of the cache key.
        with today_is(self.period.due_date):
            response = self.client_for(self.governance).get(URL, HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(self.table(response, "overdue"), [])

    def test_long_tables_show_their_first_rows_formatted_and_the_csv_has_all(self):
        for n in range(OVERDUE_SHOWN + 2):
            InitiativeFactory.create(lead=self.org, title=f"Iniziativa {n:03d}")
        response = self.gov_get(URL)
        overdue = next(t for t in response.context["tables"] if t.name == "overdue")
        self.assertEqual(overdue.row_count, OVERDUE_SHOWN + 4)
        self.assertEqual(len(overdue.body), OVERDUE_SHOWN)
        self.assertContains(response, f"Showing the first {OVERDUE_SHOWN} of {OVERDUE_SHOWN + 4}")
        # The cells: the first a linked header, dates and numbers localised, text escaped.
        first = str(overdue.body[0])
        self.assertTrue(first.startswith('<tr><th scope="row"><a href="/piano/iniziative/'))
        self.assertIn('<td class="text-end">', first)
        missions = next(t for t in response.context["tables"] if t.name == "missions")
        self.assertIn("%</td>", "".join(missions.body))
        csv_rows = parse_csv(self.gov_get(URL + "overdue.csv"))
        self.assertEqual(len(csv_rows), OVERDUE_SHOWN + 4)

    def test_cells_are_escaped_and_localised(self):
        from pes.plan.views_dashboard import _cell_html

        self.assertEqual(_cell_html("<b>", "text"), "&lt;b&gt;")
        self.assertEqual(_cell_html(None, "money"), "—")
        with translation.override("it"):
            self.assertEqual(_cell_html(Decimal("1234567.4"), "money"), "1.234.567")
            self.assertEqual(_cell_html(Decimal("12.5"), "number"), "12,5")
            self.assertEqual(_cell_html(Decimal("41.6"), "percent"), "42%")
            self.assertEqual(_cell_html(dt.date(2025, 7, 31), "date"), "31/07/2025")
        with translation.override("en"):
            self.assertEqual(_cell_html(Decimal("1234567.4"), "money"), "1,234,567")

    # ------------------------------------------------------------------ CSV

    def test_each_table_downloads_as_csv_with_the_same_numbers(self):
        missions = parse_csv(self.gov_get(f"{URL}missions.csv"))
        self.assertEqual(len(missions), 7)
        m2 = next(r for r in missions if r["number"] == "2")
        self.assertEqual(
            (m2["initiatives"], m2["committed"], m2["financial_progress"]),
            ("3", "150000.00", "30.8"),
        )
        sources = {r["source"]: r for r in parse_csv(self.gov_get(f"{URL}sources.csv"))}
        self.assertEqual(
            (sources["eu"]["committed"], sources["eu"]["spent"]), ("100000.00", "40000.00")
        )
        places = {r["istat_code"]: r for r in parse_csv(self.gov_get(f"{URL}municipalities.csv"))}
        self.assertEqual(len(places), 55)
        self.assertEqual(places[self.m1.istat_code]["committed"], "75000.00")
        self.assertEqual(places[self.m1.istat_code]["initiatives"], "2")
        self.assertEqual(Decimal(places[self.m1.istat_code]["latitude"]), self.m1.latitude)
        districts = {r["district"]: r for r in parse_csv(self.gov_get(f"{URL}districts.csv"))}
        self.assertEqual(districts["Pianura Est"]["committed"], "125000.00")
        overdue = parse_csv(self.gov_get(f"{URL}overdue.csv"))
        self.assertEqual(sorted(r["slug"] for r in overdue), sorted([self.a.slug, self.b.slug]))
        self.assertEqual(overdue[0]["due_date"], "2025-07-31")
        indicators = parse_csv(self.gov_get(f"{URL}indicators.csv"))
        self.assertEqual(
            [(r["code"], r["latest_value"], r["target"]) for r in indicators],
            [("famiglie-servite", "101", "200")],
        )
        response = self.gov_get(f"{URL}missions.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("cruscotto-missions.csv", response["Content-Disposition"])

    def test_an_unknown_table_is_not_found(self):
        self.assertEqual(self.gov_get(f"{URL}segreti.csv").status_code, 404)

    # ------------------------------------------------------------------ PDF

    def test_the_monitoring_report_is_a_pdf(self):
        if _weasyprint() is None:
            raise unittest.SkipTest("WeasyPrint or its system libraries (Pango) are missing")
        response = self.gov_get(f"{URL}rapporto.pdf?period={self.period.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_a_bad_period_is_a_client_error_and_missing_weasyprint_a_503(self):
        self.assertEqual(self.gov_get(f"{URL}rapporto.pdf?period=abc").status_code, 400)
        self.assertEqual(self.gov_get(f"{URL}rapporto.pdf?period=999999").status_code, 404)
        with mock.patch("pes.plan.views_dashboard._weasyprint", return_value=None):
            response = self.gov_get(f"{URL}rapporto.pdf?period={self.period.pk}")
        self.assertEqual(response.status_code, 503)
        self.assertIn("WeasyPrint", response.content.decode())

    def test_the_dashboard_offers_the_downloads(self):
        response = self.gov_get(URL)
        for name in ("missions", "sources", "municipalities", "districts", "overdue"):
            self.assertContains(response, f'href="{URL}{name}.csv"')
        self.assertContains(response, f'action="{URL}rapporto.pdf"')
        self.assertContains(response, f'<option value="{self.period.pk}" selected>')

    # ------------------------------------------------------------------ reminders

    def test_reminders_go_once_to_the_leads_of_overdue_initiatives(self):
        with today_is():
            result = send_report_reminders.enqueue()
        self.assertEqual(result.return_value, 2)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), [self.member.email, self.outsider.email]
        )
        by_recipient = {m.to[0]: m for m in mail.outbox}
        self.assertIn("Orti di comunità", by_recipient[self.member.email].subject)
        self.assertIn("Casa dei mestieri", by_recipient[self.outsider.email].subject)
        self.assertIn(
            f"/piano/iniziative/{self.a.slug}/rapporto/", by_recipient[self.member.email].body
        )
        self.assertNotIn("Emporio solidale", "".join(m.subject for m in mail.outbox))
        self.assertEqual(ReportReminder.objects.count(), 2)

        with today_is():
            again = send_report_reminders.enqueue()
        self.assertEqual(again.return_value, 0)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_command_and_the_button_enqueue_the_reminders(self):
        out = io.StringIO()
        with today_is():
            call_command("send_report_reminders", stdout=out)
        self.assertIn("2", out.getvalue())
        self.assertEqual(len(mail.outbox), 2)
        Initiative.objects.filter(pk=self.c.pk).update(title="Emporio solidale 2")
        Report.objects.filter(initiative=self.c).delete()  # now c is overdue too
        with today_is():
            response = self.client_for(self.governance).post(f"{URL}promemoria/")
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 3)
        self.assertIn("Emporio solidale 2", mail.outbox[-1].subject)
        page = self.gov_get(URL)
        reminded = {r["initiative"]: r["reminder_sent"] for r in self.table(page, "overdue")}
        self.assertTrue(all(reminded.values()))

    def test_a_reminder_is_not_recorded_when_sending_fails(self):
        with (
            today_is(),
            mock.patch(
                "django.core.mail.backends.locmem.EmailBackend.send_messages",
                side_effect=OSError("SMTP down"),
            ),
        ):
            result = send_report_reminders.enqueue()
        self.assertEqual(result.status, "FAILED")
        self.assertFalse(ReportReminder.objects.exists())

    # ------------------------------------------------------------------ queries

    def test_the_dashboard_runs_the_same_queries_for_3_and_13_initiatives(self):
        def count() -> int:
            cache.clear()  # the cold page: the figures by place are cached once read
            client = self.client_for(self.governance)
            with today_is(), CaptureQueriesContext(connection) as ctx:
                self.assertEqual(client.get(URL).status_code, 200)
            return len(ctx.captured_queries)

        small = count()
        for n in range(10):
            extra = InitiativeFactory.create(title=f"Bottega {n}")
            extra.municipalities.set([self.m2, self.m3])
            budget_line_save(
                initiative=extra,
                data={"source": "regional", "committed": Decimal(1_000), "spent": Decimal(10)},
                user=self.governance,
            )
            lagging = IndicatorFactory.create(
                initiative=extra, action=None, baseline_value=Decimal(5)
            )
            Measurement.objects.create(
                indicator=lagging, date=dt.date(2025, 6, 30), value=Decimal(4)
            )
        self.assertEqual(Initiative.objects.count(), 13)
        self.assertEqual(count(), small)
        self.assertLessEqual(small, 25)
