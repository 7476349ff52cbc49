"""The statistics roll-up: the services keep it equal to a rebuild from the cases, the
dashboard reads only it (never a profile) in a number of queries that does not grow with
the data, and the command rebuilds or checks it."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pes.inclusion import selectors, services, stats
from pes.inclusion.models import Case, Pathway, Person, StatCount
from pes.inclusion.tests.factories import OpeningFactory, ReadyCaseFactory, personal_codice_fiscale
from pes.territory.models import Municipality
from pes.test import BaseTestCase

BOLOGNA = "037006"


def register(n: int, istat_code: str = BOLOGNA) -> Case:
    case, _token = services.intake_submit(
        data={
            "first_name": "Persona",
            "last_name": f"Numero {n}",
            "municipality": Municipality.objects.get(istat_code=istat_code),
            "skills": ["cleaning"],
        },
        codice_fiscale=personal_codice_fiscale(7000 + n),
        consent=True,
    )
    return case


def answers(value: int) -> dict[str, int]:
    return {i["code"]: value for i in services.instrument_current().definition["items"]}


class RollUp(BaseTestCase):
    def other_district(self) -> Municipality:
        bologna = Municipality.objects.get(istat_code=BOLOGNA)
        return Municipality.objects.exclude(district=bologna.district).order_by("istat_code")[0]

    def test_every_service_keeps_the_counts_equal_to_a_rebuild(self) -> None:
        elsewhere = self.other_district()
        cases = [register(i, BOLOGNA if i % 3 else elsewhere.istat_code) for i in range(12)]
        self.assertEqual(stats.stored(), stats.computed())
        now = timezone.now()
        for i, case in enumerate(cases[:10]):
            services.case_assign(case=case, operator=self.operator, user=self.operator)
            if i == 0:  # a contact that did not reach the person stops no clock
                services.contact_add(
                    case=case, data={"channel": "phone", "reached": False}, user=self.operator
                )
            services.contact_add(
                case=case, data={"channel": "phone", "at": now}, user=self.operator
            )
        for case in cases[:8]:
            services.fragility_profile_save(
                case=case, answers=answers(1 + case.pk % 3), user=self.operator
            )
            services.case_assess(case=case, outcome="ready", user=self.operator)
        services.case_assess(case=cases[8], outcome="not_eligible", user=self.operator)
        services.case_assess(case=cases[9], outcome="training", user=self.operator)
        # The assessment is done again: the band moves, the old one is not counted twice.
        services.fragility_profile_save(case=cases[0], answers=answers(3), user=self.operator)
        opening = OpeningFactory.create()
        today = timezone.localdate()
        for i, case in enumerate(cases[:6]):
            kind = "permanent" if i % 2 else "internship"
            pathway = services.pathway_create(
                case=case,
                data={"kind": kind, "title": "Lavoro", "starts_on": today - dt.timedelta(days=200)},
                user=self.operator,
            )
            services.follow_up_record(
                pathway=pathway,
                data={
                    "months": 6,
                    "done_on": today,
                    "still_employed": i != 3,
                    "contract": kind if i != 3 else "",
                },
                user=self.operator,
            )
        services.pathway_create(
            case=cases[0],
            data={"kind": "training", "title": "Corso HACCP", "starts_on": today},
            user=self.operator,
        )
        services.pathway_create(  # a second contract type for the same person
            case=cases[1],
            data={"kind": "fixed_term", "title": "Rinnovo", "starts_on": today},
            user=self.operator,
        )
        services.proposal_create(case=cases[6], opening=opening, user=self.operator)
        services.case_close(case=cases[7], reason="withdrew", user=self.operator)
        services.case_close(case=cases[10], reason="unreachable", user=self.operator)
        self.assertEqual(stats.stored(), stats.computed())

        # Erasure, anonymisation and a returning person who moved to another district.
        services.person_request_erasure(person=cases[11].person)
        self.assertEqual(services.anonymise_due(), 1)
        returning = Person.objects.get(pk=cases[7].person_id)
        services.intake_submit(
            data={"first_name": "Persona", "last_name": "Tornata", "municipality": elsewhere},
            codice_fiscale=returning.codice_fiscale or "",
            consent=True,
        )
        self.assertEqual(Case.objects.filter(person=returning).count(), 2)
        self.assertEqual(stats.stored(), stats.computed())
        incremental = stats.stored()
        stats.rebuild()
        self.assertEqual(stats.stored(), incremental)

        data = selectors.dashboard()
        self.assertEqual(data["registered"], 13)
        self.assertEqual(data["contacted"], 10)
        self.assertEqual(data["outcomes"]["ready"], 8)
        self.assertEqual(data["placed"], 7)  # 6 people, one of them with two contract types
        self.assertEqual(data["by_contract"]["permanent"], None)  # 3 people
        self.assertEqual(data["retention"][6]["n"], 6)
        districts = {r["district"]: r for r in data["by_district"]}
        # 4, and the returning person's two cases: the earlier one moved with them.
        self.assertEqual(districts[elsewhere.district.name]["registered"], 6)
        counts = stats.stored()
        self.assertEqual(sum(n for (m, _k), n in counts.items() if m == "band_assessed"), 8)
        self.assertEqual(sum(n for (m, _k), n in counts.items() if m == "band_placed"), 6)

    def test_the_counts_name_no_person_and_never_cross_the_band_with_a_place_or_time(
        self,
    ) -> None:
        case = register(1)
        services.case_assign(case=case, operator=self.operator, user=self.operator)
        services.contact_add(case=case, data={"channel": "phone"}, user=self.operator)
        services.fragility_profile_save(case=case, answers=answers(3), user=self.operator)
        self.assertEqual(
            sorted(f.name for f in StatCount._meta.get_fields()), ["id", "key", "metric", "n"]
        )
        band_keys = set(
            StatCount.objects.filter(metric__startswith="band_").values_list("key", flat=True)
        )
        self.assertEqual(band_keys, {"high"})
        for value in StatCount.objects.values_list("key", flat=True):
            self.assertNotIn(case.reference, value)
            self.assertNotIn(str(case.person.codice_fiscale), value)

    def test_a_failed_write_leaves_the_counts_untouched(self) -> None:
        case = register(1)
        before = stats.stored()
        with self.assertRaises(services.ValidationError):
            services.case_assess(case=case, outcome="ready", user=self.operator)  # no contact
        self.assertEqual(stats.stored(), before)


class DashboardCost(BaseTestCase):
    def dashboard_queries(self) -> list[str]:
        # The uncached path each time (the network figures are cached under their version).
        cache.clear()
        with CaptureQueriesContext(connection) as api:
            response = self.client.get("/api/v1/inclusion/aggregates")
        self.assertEqual(response.status_code, 200)
        cache.clear()
        with CaptureQueriesContext(connection) as page:
            self.assertEqual(self.client.get("/lavoro/cruscotto/").status_code, 200)
        self.assertEqual(len(api), len(page))
        return [q["sql"] for q in page.captured_queries]

    def test_the_dashboard_reads_the_roll_up_in_the_same_queries_whatever_the_data(
        self,
    ) -> None:
        small = self.dashboard_queries()
        start = timezone.now() - dt.timedelta(days=300)
        for i in range(40):
            case = ReadyCaseFactory.create(
                operator=self.operator,
                registered_at=start + dt.timedelta(days=7 * i),
                first_contact_at=start + dt.timedelta(days=7 * i + i % 50),
            )
            Pathway.objects.create(
                case=case, kind="permanent", title="Lavoro", starts_on=timezone.localdate()
            )
            services.fragility_profile_save(case=case, answers=answers(2), user=self.operator)
        stats.rebuild()
        large = self.dashboard_queries()
        self.assertEqual(len(small), len(large))
        self.assertLessEqual(len(large), 15)
        self.assertFalse([sql for sql in large if "inclusion_fragilityprofile" in sql])
        self.assertFalse([sql for sql in large if '"inclusion_case"' in sql])
        data = json.loads(self.client.get("/api/v1/inclusion/aggregates").content)
        self.assertEqual(data["registered"], 40)
        self.assertEqual(data["placed"], 40)


class Command(BaseTestCase):
    def test_the_command_finds_stale_counts_and_rebuilds_them(self) -> None:
        register(1)
        ReadyCaseFactory.create_batch(5)  # past the services: the roll-up misses them
        with self.assertRaises(SystemExit):
            call_command("rebuild_inclusion_stats", "--check", stdout=StringIO(), stderr=StringIO())
        out = StringIO()
        call_command("rebuild_inclusion_stats", stdout=out)
        self.assertIn("Statistics rebuilt", out.getvalue())
        call_command("rebuild_inclusion_stats", "--check", stdout=out)
        self.assertIn("up to date", out.getvalue())
        self.assertEqual(selectors.dashboard()["registered"], 6)


class NetworkFigures(BaseTestCase):
    def test_the_cached_network_figures_follow_openings_proposals_and_closing(self) -> None:
        first = selectors.dashboard()
        self.assertEqual(
            (first["network"], first["companies_active"], first["open_places"]), (0, 0, 0)
        )
        opening = OpeningFactory.create(places=3)
        data = selectors.dashboard()
        self.assertEqual(
            (data["network"], data["companies_active"], data["open_places"]), (1, 1, 3)
        )
        opening.status = opening.Status.CLOSED
        opening.save()
        data = selectors.dashboard()
        self.assertEqual((data["companies_active"], data["open_places"]), (0, 0))
