from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from pes.core.models import AuditEntry
from pes.plan.decidim import (
    NEW_COLUMNS,
    OLD_COLUMNS,
    action_from_code,
    export_results,
    import_results,
    neutralise,
)
from pes.plan.models import Action, Initiative, InitiativeStatus
from pes.plan.services import initiative_create
from pes.registry.models import Organization
from pes.registry.tests.factories import OrganizationFactory
from pes.test import BaseTestCase

pytestmark = pytest.mark.django_db

# The header of Decidim's own test fixture (decidim-accountability/spec/fixtures/
# valid_result.csv): the layout before taxonomies, locales ca/en/es.
DECIDIM_OLD_HEADER = (
    "id;category/id;category/name/ca;category/name/en;category/name/es;scope/id;"
    "scope/name/ca;scope/name/en;scope/name/es;parent/id;title/ca;title/en;title/es;"
    "description/ca;description/en;description/es;start_date;end_date;status/id;status/key;"
    "status/name/ca;status/name/en;status/name/es;progress;created_at;url;component/id;"
    "proposal_urls"
).split(";")


def action(code: str) -> Action:
    found = action_from_code(code)
    assert found is not None
    return found


def make(title: str, *, lead: Organization, status: str = "started", **data: object) -> Initiative:
    values: dict[str, object] = {
        "action": action("2.1"),
        "title": title,
        "lead": lead,
        "status": InitiativeStatus.objects.get(key=status),
    }
    values.update(data)
    return initiative_create(data=values)


def to_bytes(rows: list[list[str]]) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


def decidim_row(header: list[str], **cells: str) -> list[str]:
    return [cells.get(name.replace("/", "__"), "") for name in header]


@pytest.fixture
def lead() -> Organization:
    return OrganizationFactory.create()


def tree() -> dict[str, tuple[str, Decimal | None, str | None, str]]:
    return {
        i.title: (
            i.status.key,
            i.progress(),
            i.parent.title if i.parent else None,
            i.action.code,
        )
        for i in Initiative.objects.select_related("status", "parent", "action__mission")
    }


@pytest.mark.parametrize("layout", ["new", "old"])
def test_an_export_imports_back_into_a_fresh_state_with_the_same_tree(lead, layout):
    root = make("Casa comune", lead=lead, status="in-progress", action=action("3.1"))
    make("Sportello casa", lead=lead, parent=root, progress_override=Decimal("35.5"))
    make("Cantiere chiuso", lead=lead, status="completed", description="Primo.\n\nSecondo.")
    before = tree()
    data = io.StringIO()
    csv.writer(data, delimiter=";").writerows(export_results(layout=layout))
    Initiative.objects.all().delete()

    report = import_results(
        io.BytesIO(data.getvalue().encode("utf-8")), filename="r.csv", lead=lead
    )

    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated, report.layout) == (3, 0, layout)
    assert tree() == before
    closed = Initiative.objects.get(title="Cantiere chiuso")
    assert closed.description == "Primo.\n\nSecondo."
    assert closed.progress_override is None  # the status's progress stays implied
    assert Initiative.objects.get(title="Sportello casa").progress_override == Decimal("35.50")


def test_the_export_has_the_decidim_columns_of_each_layout(lead):
    make("Casa comune", lead=lead)
    new = list(export_results())
    old = list(export_results(layout="old"))
    assert new[0] == NEW_COLUMNS and old[0] == OLD_COLUMNS
    assert "taxonomies/name" in new[0] and "category/name/it" in old[0]
    row = dict(zip(new[0], new[1], strict=True))
    assert row["title/it"] == "Casa comune"
    assert row["taxonomies/name"] == "Azione 2.1"
    assert row["status/key"] == "started"
    assert row["progress"] == "10.00"
    assert row["url"].endswith(Initiative.objects.get().get_absolute_url())


def test_a_child_before_its_parent_in_a_decidim_file_is_linked_to_it(lead):
    header = DECIDIM_OLD_HEADER
    rows = [
        header,
        decidim_row(header, id="70", parent__id="69", title__en="Child", status__key="started"),
        decidim_row(header, id="71", parent__id="69", title__ca="Fill", title__en="Child 2"),
        decidim_row(
            header,
            id="69",
            title__en="Parent",
            description__en="<p>Uno&nbsp;due</p><p>tre</p>",
            start_date="2025-05-26",
            end_date="05/06/2027",
            progress="46,5",
            category__name__en="Azione 3.2 Welfare",
        ),
    ]
    report = import_results(to_bytes(rows), filename="results.csv", action=action("2.1"), lead=lead)

    assert report.ok, [str(e) for e in report.errors]
    assert report.layout == "old"
    parent = Initiative.objects.get(title="Parent")
    assert sorted(c.title for c in parent.children.all()) == ["Child", "Child 2"]
    assert parent.external_id == "decidim-69"
    assert parent.action.code == "3.2"
    assert Initiative.objects.get(title="Child").action.code == "2.1"
    assert parent.description == "Uno due\n\ntre"
    assert (str(parent.start_date), str(parent.end_date)) == ("2025-05-26", "2027-06-05")
    assert parent.progress_override == Decimal("46.50")
    assert parent.status.key == "planned"  # no status in the row: the first status
    assert AuditEntry.objects.filter(action="create").count() == 3


def test_the_newer_taxonomies_layout_imports_with_its_action_code(lead):
    header = ["id", "taxonomies/id", "taxonomies/name", "parent/id", "title/it", "title/en"]
    header += ["status/key", "progress", "updated_at", "reference", "external_id"]
    rows = [
        header,
        ["5", "16, 17", '{"it"=>"Azione 4.2"}, {"it"=>"Bologna"}', "", "Rete", "Net"]
        + ["advanced", "80", "2025-01-01 10:00:00 UTC", "BO-ACCO-1", "rete-2025"],
    ]
    report = import_results(to_bytes(rows), filename="r.csv", lead=lead)
    assert report.ok, [str(e) for e in report.errors]
    assert report.layout == "new"
    initiative = Initiative.objects.get()
    assert (initiative.title, initiative.action.code) == ("Rete", "4.2")
    assert initiative.external_id == "rete-2025"
    assert initiative.progress_override is None  # 80 is what "advanced" implies


def test_importing_again_updates_and_never_duplicates(lead):
    header = ["id", "parent/id", "title/it", "status/key", "progress"]
    first = [header, ["12", "", "Orti", "started", "20"], ["13", "12", "Orto nord", "", ""]]
    assert import_results(to_bytes(first), filename="a.csv", action=action("2.1"), lead=lead).ok
    pks = set(Initiative.objects.values_list("pk", flat=True))

    again = [
        header,
        ["12", "", "Orti urbani", "in-progress", "55"],
        ["13", "12", "Orto nord", "", ""],
    ]
    report = import_results(to_bytes(again), filename="a.csv", user=None)

    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 2)
    assert set(Initiative.objects.values_list("pk", flat=True)) == pks
    orti = Initiative.objects.get(external_id="decidim-12")
    assert (orti.title, orti.status.key, orti.progress()) == ("Orti urbani", "in-progress", 55)
    assert Initiative.objects.get(external_id="decidim-13").parent == orti


def test_a_row_with_the_id_of_an_initiative_here_updates_it(lead):
    own = make("Nostra iniziativa", lead=lead)
    rows = [["id", "title/it", "status/key"], [str(own.pk), "Nostra iniziativa", "completed"]]
    report = import_results(to_bytes(rows), filename="r.csv")
    assert report.ok and report.updated == 1
    own.refresh_from_db()
    assert own.status.key == "completed"
    assert Initiative.objects.count() == 1


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_row(lead):
    existing = make("Da non toccare", lead=lead)
    header = ["id", "parent/id", "title/it", "title/en", "status/key", "progress", "start_date"]
    rows = [
        header,
        ["101", "", "Buona", "", "started", "10", ""],
        ["102", "", "Stato ignoto", "", "in_corso", "", ""],
        ["103", "", "Progresso", "", "", "molto", ""],
        ["104", "", "Troppo", "", "", "150", ""],
        ["105", "99", "Orfana", "", "", "", ""],
        ["106", "", "", "", "", "", ""],
        ["107", "", "Data", "", "", "", "31/02/2026"],
        [str(existing.pk), "", "Cambiata", "", "cancelled", "", ""],
    ]
    report = import_results(to_bytes(rows), filename="r.csv", action=action("2.1"), lead=lead)

    assert not report.written
    assert Initiative.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.title, existing.status.key) == ("Da non toccare", "started")
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (3, "status/key"),
        (4, "progress"),
        (5, "progress"),
        (6, "parent/id"),
        (7, "title/it"),
        (8, "start_date"),
    }
    status_error = next(e for e in report.errors if e.column == "status/key")
    assert "in_corso" in status_error.message
    for key in ("planned", "started", "in-progress", "advanced", "completed", "suspended"):
        assert key in status_error.message
    assert "99" in next(e for e in report.errors if e.row == 6).message
    with translation.override("en"):
        assert str(report.errors[0]).startswith("Row 3, column “status/key”:")
        assert "6 rows with errors" in report.summary()


def test_new_rows_need_an_action_and_a_lead(lead):
    rows = [["id", "title/it"], ["1", "Senza azione"]]
    with translation.override("en"):
        report = import_results(to_bytes(rows), filename="r.csv")
    messages = " ".join(e.message for e in report.errors)
    assert not report.written and Initiative.objects.count() == 0
    assert "no action of the Plan" in messages and "no lead organisation" in messages
    unknown = [["id", "title/it", "category/name/it"], ["1", "X", "Azione 9.9"]]
    report = import_results(to_bytes(unknown), filename="r.csv", lead=lead)
    assert [(e.row, e.column) for e in report.errors] == [(2, "category/name/it")]


def test_parents_that_form_a_loop_are_reported(lead):
    rows = [["id", "parent/id", "title/it"], ["1", "2", "A"], ["2", "1", "B"]]
    report = import_results(to_bytes(rows), filename="r.csv", action=action("2.1"), lead=lead)
    assert not report.written
    assert [e.column for e in report.errors] == ["parent/id"]


def test_a_file_that_is_not_a_results_file_is_refused(lead):
    from pes.registry.importer import ImportFileError

    with pytest.raises(ImportFileError):
        import_results(to_bytes([["codice_fiscale", "denominazione"]]), filename="x.csv")
    with pytest.raises(ImportFileError):
        import_results(io.BytesIO(b""), filename="x.csv")


def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(lead):
    make('=HYPERLINK("http://x.example","clic")', lead=lead)
    make("-2+3", lead=lead)
    make("@SUM(A1)", lead=lead, description="+39 051 000")
    make("\tTab", lead=lead)
    rows = list(export_results())
    titles = [dict(zip(rows[0], row, strict=True))["title/it"] for row in rows[1:]]
    assert sorted(titles) == sorted(
        ['\'=HYPERLINK("http://x.example","clic")', "'-2+3", "'@SUM(A1)", "'\tTab"]
    )
    for row in rows[1:]:
        cells = dict(zip(rows[0], row, strict=True))
        assert not cells["progress"].startswith("'")
    assert neutralise(Decimal("-5")) == "-5" and neutralise(-5) == "-5"
    assert neutralise("-5") == "'-5" and neutralise("\rx") == "'\rx"
    assert neutralise("Casa") == "Casa" and neutralise(None) == ""

    # and the import takes the apostrophe off again
    data = io.StringIO()
    csv.writer(data, delimiter=";").writerows(rows)
    Initiative.objects.all().delete()
    report = import_results(io.BytesIO(data.getvalue().encode()), filename="r.csv", lead=lead)
    assert report.ok, [str(e) for e in report.errors]
    assert Initiative.objects.filter(title="-2+3").exists()


def test_the_commands_export_and_import(lead, tmp_path: Path):
    make("Casa comune", lead=lead)
    target = tmp_path / "results.csv"
    call_command("export_decidim_results", str(target), "--layout", "old")
    assert target.read_text(encoding="utf-8").startswith("id;category/id;")
    Initiative.objects.all().delete()
    out = io.StringIO()
    call_command(
        "import_decidim_results",
        str(target),
        "--action",
        "2.1",
        "--lead",
        lead.codice_fiscale,
        stdout=out,
    )
    assert Initiative.objects.filter(title="Casa comune").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("id;title/it;status/key\n1;X;boh\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_decidim_results", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_decidim_results", str(bad), "--action", "9.9")


class DecidimPageTests(BaseTestCase):
    url = reverse("plan:decidim")

    def test_the_page_is_forbidden_to_everyone_but_governance(self):
        for user in (self.outsider, self.member, self.operator):
            assert self.client_for(user).get(self.url).status_code == 403
            assert self.client_for(user).get(self.url + "?export=new").status_code == 403
            assert self.client_for(user).post(self.url).status_code == 403
        assert self.client_for(None).get(self.url).status_code in (302, 403)

    def test_governance_downloads_the_export_and_uploads_a_file(self):
        make("Casa comune", lead=self.org)
        client = self.client_for(self.governance)
        page = client.get(self.url)
        assert page.status_code == 200
        assert b"?export=old" in page.content
        download = client.get(self.url + "?export=old")
        assert download["Content-Type"].startswith("text/csv")
        body = b"".join(download.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
        assert body.startswith("id;category/id;") and "Casa comune" in body

        upload = SimpleUploadedFile(
            "results.csv", b"id;title/it;status/key\n40;Nuova;started\n", "text/csv"
        )
        response = client.post(
            self.url,
            {"file": upload, "action": action("3.1").pk, "lead": self.org.codice_fiscale},
        )
        assert response.status_code == 200
        assert response.context["report"].written
        created = Initiative.objects.get(title="Nuova")
        assert (created.action.code, created.lead) == ("3.1", self.org)

    def test_a_bad_upload_shows_every_bad_row_and_writes_nothing(self):
        client = self.client_for(self.governance)
        upload = SimpleUploadedFile(
            "results.csv", b"id;title/it;status/key\n1;A;boh\n2;;started\n", "text/csv"
        )
        response = client.post(self.url, {"file": upload, "lead": self.org.codice_fiscale})
        assert response.status_code == 200
        report = response.context["report"]
        assert not report.written and {e.row for e in report.errors} == {2, 3}
        assert Initiative.objects.count() == 0
        assert b"boh" in response.content

    def test_an_unreadable_file_and_an_unknown_lead_are_form_errors(self):
        client = self.client_for(self.governance)
        response = client.post(
            self.url,
            {"file": SimpleUploadedFile("x.csv", b"\x00\x01", "text/csv"), "lead": ""},
        )
        assert response.status_code == 200 and response.context["file_error"]
        response = client.post(
            self.url,
            {"file": SimpleUploadedFile("x.csv", b"id;title/it\n", "text/csv"), "lead": "X"},
        )
        assert response.status_code == 200 and "lead" in response.context["form"].errors
