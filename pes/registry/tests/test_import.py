from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from pes.accounts.tests.factories import UserFactory
from pes.registry import importer
from pes.registry.models import Membership, Organization
from pes.registry.tests.factories import OrganizationFactory, numeric_codice_fiscale

pytestmark = pytest.mark.django_db

CF1, CF2, CF3, CF4 = (numeric_codice_fiscale(n) for n in (11, 12, 13, 14))
PIVA = "00743110157"
HEADER = [
    "codice_fiscale",
    "denominazione",
    "forma_giuridica",
    "comune_sede",
    "partita_iva",
    "attivita",
    "comuni_serviti",
    "missioni",
]
GOOD_ROWS = [
    [
        CF1,
        "Cooperativa sociale Il Faro",
        "COOP_SOC_A",
        "037006",
        PIVA,
        "a;d",
        "037032;037061",
        "1;3",
    ],
    [CF2, "Associazione Città Aperta", "APS", "Imola", "", "i", "", "2"],
    [CF3, "Società di mutuo soccorso Ca' Nova", "SMS", "Valsamoggia", "", "", "", ""],
]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding="utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_organizations", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_import(path: Path, *args: str) -> tuple[str, str]:
    """Run an import that must fail; return its message and what it wrote to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_organizations", str(path), *args, stdout=out, stderr=err)
    return str(info.value), err.getvalue()


def names() -> list[str]:
    return sorted(Organization.objects.values_list("name", flat=True))


# --------------------------------------------------------------------------- PES layout


def test_a_pes_csv_in_utf8_with_semicolons_is_imported_with_its_relations(tmp_path):
    out, err = run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    assert err == ""
    assert "3" in out
    assert names() == [
        "Associazione Città Aperta",
        "Cooperativa sociale Il Faro",
        "Società di mutuo soccorso Ca' Nova",
    ]
    faro = Organization.objects.get(codice_fiscale=CF1)
    assert faro.legal_form.code == "COOP_SOC_A"
    assert faro.runts_section == "d"  # the usual section of the legal form
    assert faro.head_office.name == "Bologna"
    assert faro.partita_iva == PIVA
    assert sorted(faro.activities.values_list("letter", flat=True)) == ["a", "d"]
    assert sorted(faro.municipalities_served.values_list("name", flat=True)) == [
        "Imola",
        "Valsamoggia",
    ]
    assert sorted(faro.missions.values_list("number", flat=True)) == [1, 3]
    assert faro.is_published
    assert faro.slug == "cooperativa-sociale-il-faro"
    assert "faro" in faro.search_document
    citta = Organization.objects.get(codice_fiscale=CF2)
    assert citta.head_office.name == "Imola"
    assert list(citta.activities.values_list("letter", flat=True)) == ["i"]
    assert citta.municipalities_served.count() == 0


def test_imported_organisations_are_found_by_the_directory_search(client, tmp_path):
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    response = client.get("/enti/", {"q": "citta aperta"})
    assert [o.name for o in response.context["page"].object_list] == ["Associazione Città Aperta"]


def test_a_pes_csv_in_latin1_with_commas_and_header_aliases_is_imported(tmp_path):
    rows = [
        ["Codice Fiscale", "Nome", "Forma giuridica", "Comune", "P.IVA", "Attività", "E-mail"],
        [
            CF1,
            "Società Cooperativa Sociale Solidarietà",
            "COOP_SOC_B",
            "San Lazzaro di Savena",
            f"IT {PIVA}",
            "p",
            "info@solidarieta.example",
        ],
        [CF2, "Circolo Città d'Arte", "APS", "CASALECCHIO DI RENO", "", "", ""],
    ]
    path = write_csv(tmp_path / "enti.csv", rows, delimiter=",", encoding="latin-1")
    assert "Società".encode() not in path.read_bytes()
    run_import(path)
    coop = Organization.objects.get(codice_fiscale=CF1)
    assert coop.name == "Società Cooperativa Sociale Solidarietà"
    assert coop.head_office.name == "San Lazzaro di Savena"
    assert coop.partita_iva == PIVA
    assert coop.email == "info@solidarieta.example"
    assert Organization.objects.get(codice_fiscale=CF2).head_office.name == "Casalecchio di Reno"


def test_a_csv_with_a_byte_order_mark_is_imported(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS], encoding="utf-8-sig")
    run_import(path)
    assert Organization.objects.count() == 3


def test_an_xlsx_file_is_imported(tmp_path):
    rows: list[list[Any]] = [
        [*HEADER, "lavoratori", "anno_fondazione", "pubblicato"],
        [*GOOD_ROWS[0], 12, 1998, "sì"],
        [*GOOD_ROWS[1], None, None, "no"],
    ]
    run_import(write_xlsx(tmp_path / "enti.xlsx", rows))
    faro = Organization.objects.get(codice_fiscale=CF1)
    assert faro.workers == 12 and faro.year_founded == 1998 and faro.is_published
    citta = Organization.objects.get(codice_fiscale=CF2)
    assert citta.workers is None and not citta.is_published


def test_an_xlsx_file_is_recognised_by_its_content_whatever_its_name(tmp_path):
    path = write_xlsx(tmp_path / "enti.xlsx", [HEADER, GOOD_ROWS[0]])
    renamed = path.rename(tmp_path / "enti.dat")
    run_import(renamed)
    assert Organization.objects.filter(codice_fiscale=CF1).exists()


def test_importing_again_updates_by_codice_fiscale_and_never_duplicates(tmp_path):
    run_import(write_csv(tmp_path / "v1.csv", [HEADER, *GOOD_ROWS]))
    first_ids = dict(Organization.objects.values_list("codice_fiscale", "pk"))
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][5] = "b"  # activities are replaced, not added
    changed[0][7] = ""
    changed[1][3] = "037006"
    new = [CF4, "Fondazione Nuova", "FONDAZIONE", "Bologna", "", "", "", ""]
    out, _err = run_import(write_csv(tmp_path / "v2.csv", [HEADER, *changed, new]))
    assert Organization.objects.count() == 4
    assert (
        dict(
            Organization.objects.filter(pk__in=first_ids.values()).values_list(
                "codice_fiscale", "pk"
            )
        )
        == first_ids
    )
    faro = Organization.objects.get(codice_fiscale=CF1)
    assert list(faro.activities.values_list("letter", flat=True)) == ["b"]
    assert faro.missions.count() == 0
    assert Organization.objects.get(codice_fiscale=CF2).head_office.name == "Bologna"
    assert "bologna" in Organization.objects.get(codice_fiscale=CF2).search_document
    fondazione = Organization.objects.get(codice_fiscale=CF4)
    assert fondazione.runts_section == ""  # not a third-sector body
    # The summary counts one created and three updated.
    assert "1" in out and "3" in out


def test_importing_an_existing_organisation_keeps_its_members_and_address(tmp_path):
    org = OrganizationFactory.create(codice_fiscale=CF1, name="Vecchio nome", slug="vecchio-nome")
    user = UserFactory.create()
    Membership.objects.create(user=user, organization=org)
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, GOOD_ROWS[0]]))
    org.refresh_from_db()
    assert org.name == "Cooperativa sociale Il Faro"
    assert org.slug == "vecchio-nome"
    assert org.memberships.get().user == user
    assert Organization.objects.count() == 1


def test_new_organisations_with_a_taken_name_get_their_own_address(tmp_path):
    OrganizationFactory.create(
        name="Cooperativa sociale Il Faro", slug="cooperativa-sociale-il-faro"
    )
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, GOOD_ROWS[0]]))
    slugs = set(Organization.objects.values_list("slug", flat=True))
    assert len(slugs) == 2
    assert Organization.objects.get(codice_fiscale=CF1).slug.startswith(
        "cooperativa-sociale-il-faro-"
    )


# --------------------------------------------------------------------------- RUNTS layout

RUNTS_HEADER = [
    "Codice fiscale",
    "Repertorio",
    "Denominazione",
    "Sezione",
    "Rappresentante legale",
    "Rete associativa",
    "Comune",
    "Provincia",
    "5 per mille",
    "Data iscrizione",
]


def runts_row(cf: str, name: str, section: str, comune: str, provincia: str = "BO") -> list[str]:
    return [cf, "123456", name, section, "Mario Rossi", "No", comune, provincia, "No", "15/03/2022"]


def test_a_runts_export_is_read_by_position_skipping_its_header_row(tmp_path):
    rows = [
        RUNTS_HEADER,
        runts_row(CF1, "APS La Rondine", "ASSOCIAZIONI DI PROMOZIONE SOCIALE", "BOLOGNA"),
        runts_row(CF2, "ODV Mani Tese Imola", "ORGANIZZAZIONI DI VOLONTARIATO", "IMOLA"),
        runts_row(CF3, "Mutua del Reno", "SOCIETA' DI MUTUO SOCCORSO", "Casalecchio di Reno"),
        runts_row(CF4, "Impresa sociale Ponte", "IMPRESE SOCIALI", "San Lazzaro di Savena"),
    ]
    out, _err = run_import(write_csv(tmp_path / "runts.csv", rows), "--layout", "runts")
    assert Organization.objects.count() == 4
    rondine = Organization.objects.get(codice_fiscale=CF1)
    assert rondine.runts_section == "b" and rondine.legal_form.code == "APS"
    assert rondine.runts_id == "123456"
    assert rondine.legal_representative == "Mario Rossi"
    assert rondine.head_office.name == "Bologna"
    assert str(rondine.runts_registered_on) == "2022-03-15"
    odv = Organization.objects.get(codice_fiscale=CF2)
    assert (odv.runts_section, odv.legal_form.code) == ("a", "ODV")
    sms = Organization.objects.get(codice_fiscale=CF3)
    assert (sms.runts_section, sms.legal_form.code) == ("f", "SMS")
    ponte = Organization.objects.get(codice_fiscale=CF4)
    assert (ponte.runts_section, ponte.legal_form.code) == ("d", "IMPRESA_SOCIALE")


def test_a_runts_export_without_a_header_row_is_read_too(tmp_path):
    rows = [runts_row(CF1, "APS La Rondine", "b", "Bologna")]
    run_import(write_csv(tmp_path / "runts.csv", rows), "--layout", "runts")
    assert Organization.objects.get(codice_fiscale=CF1).runts_section == "b"


def test_runts_rows_outside_the_metropolitan_area_are_skipped_and_counted(tmp_path):
    rows = [
        RUNTS_HEADER,
        runts_row(CF1, "APS La Rondine", "ASSOCIAZIONI DI PROMOZIONE SOCIALE", "BOLOGNA"),
        runts_row(CF2, "APS di Modena", "ASSOCIAZIONI DI PROMOZIONE SOCIALE", "MODENA", "MO"),
        runts_row(CF3, "ODV di Ferrara", "ORGANIZZAZIONI DI VOLONTARIATO", "FERRARA", "FE"),
    ]
    path = write_csv(tmp_path / "runts.csv", rows)
    with path.open("rb") as fh:
        report = importer.import_organizations(fh, filename="runts.csv", layout="runts")
    assert report.ok and report.written
    assert (report.rows, report.created, report.skipped_outside_area) == (3, 1, 2)
    assert names() == ["APS La Rondine"]


def test_a_runts_file_with_only_rows_outside_the_area_writes_nothing_without_failing(tmp_path):
    rows = [RUNTS_HEADER, runts_row(CF2, "APS di Modena", "b", "MODENA", "MO")]
    run_import(write_csv(tmp_path / "runts.csv", rows), "--layout", "runts")
    assert Organization.objects.count() == 0


def test_runts_old_municipality_names_are_mapped_to_the_merged_municipality(tmp_path):
    rows = [
        RUNTS_HEADER,
        runts_row(CF1, "Pro Loco Bazzano", "b", "BAZZANO"),
        runts_row(CF2, "ODV Crespellano", "a", "Crespellano"),
        runts_row(CF3, "Circolo Porretta", "b", "PORRETTA TERME"),
    ]
    run_import(write_csv(tmp_path / "runts.csv", rows), "--layout", "runts")
    assert Organization.objects.get(codice_fiscale=CF1).head_office.name == "Valsamoggia"
    assert Organization.objects.get(codice_fiscale=CF2).head_office.name == "Valsamoggia"
    assert Organization.objects.get(codice_fiscale=CF3).head_office.name == "Alto Reno Terme"


def test_a_runts_xlsx_file_is_imported(tmp_path):
    rows: list[list[Any]] = [
        RUNTS_HEADER,
        [
            CF1,
            98765,
            "APS La Rondine",
            "ASSOCIAZIONI DI PROMOZIONE SOCIALE",
            "",
            "No",
            "BOLOGNA",
            "BO",
            "No",
            None,
        ],
    ]
    run_import(write_xlsx(tmp_path / "runts.xlsx", rows), "--layout", "runts")
    org = Organization.objects.get(codice_fiscale=CF1)
    assert org.runts_id == "98765"
    assert org.runts_registered_on is None


def test_a_runts_row_with_a_bad_date_or_section_names_row_and_column(tmp_path):
    bad_date = runts_row(CF1, "APS La Rondine", "b", "BOLOGNA")
    bad_date[9] = "2022-03-15"
    bad_section = runts_row(CF2, "ODV Imola", "SEZIONE INVENTATA", "IMOLA")
    message, err = failing_import(
        write_csv(tmp_path / "runts.csv", [RUNTS_HEADER, bad_date, bad_section]),
        "--layout",
        "runts",
    )
    assert "2 " in message  # two rows with errors
    lines = err.splitlines()
    assert any("2" in line and "data_iscrizione" in line for line in lines)
    assert any("3" in line and "sezione" in line for line in lines)
    assert Organization.objects.count() == 0


# --------------------------------------------------------------------------- bad input


def report_for(path: Path, **kwargs: Any) -> importer.ImportReport:
    with path.open("rb") as fh:
        return importer.import_organizations(fh, filename=path.name, **kwargs)


def assert_nothing_written() -> None:
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    ("column_index", "value", "column"),
    [
        (0, "12345", "codice_fiscale"),
        (0, "RSSMRA85T10A562X", "codice_fiscale"),
        (0, "", "codice_fiscale"),
        (4, "00743110158", "partita_iva"),
        (4, "IT123", "partita_iva"),
        (3, "Modena", "comune_sede"),
        (3, "", "comune_sede"),
        (2, "SPA", "forma_giuridica"),
        (1, "", "denominazione"),
        (5, "a;zz", "attivita"),
        (6, "037006;Atlantide", "comuni_serviti"),
        (7, "9", "missioni"),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_written(
    tmp_path, column_index, value, column
):
    rows = [row[:] for row in GOOD_ROWS]
    rows[1][column_index] = value
    path = write_csv(tmp_path / "enti.csv", [HEADER, *rows])
    message, err = failing_import(path)
    assert_nothing_written()
    assert "1 " in message  # one row with errors
    assert err.strip()
    line = err.strip().splitlines()[0]
    assert "3" in line and column in line  # the header is row 1, so the bad row is row 3
    report = report_for(path)
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert report.created == report.updated == 0
    assert_nothing_written()


def test_error_messages_are_in_english_when_english_is_active(tmp_path):
    from django.utils import translation

    rows = [HEADER, [CF1[:-1], "Ente", "APS", "Modena", "", "", "", ""]]
    with translation.override("en"):
        report = report_for(write_csv(tmp_path / "enti.csv", rows))
        texts = [str(e) for e in report.errors]
    assert texts[0].startswith("Row 2, column “codice_fiscale”: ")
    assert "11 digits or 16 characters" in texts[0]
    assert texts[1].startswith("Row 2, column “comune_sede”: ")
    assert "Modena" in texts[1]


def test_every_bad_row_is_listed_not_only_the_first(tmp_path):
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][0] = "123"
    rows[2][4] = "00743110158"
    report = report_for(write_csv(tmp_path / "enti.csv", [HEADER, *rows]))
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "codice_fiscale"),
        (4, "partita_iva"),
    ]
    assert report.rows == 3
    assert_nothing_written()


def test_a_codice_fiscale_twice_in_one_file_names_both_rows(tmp_path):
    rows = [*GOOD_ROWS, [CF1, "Doppione", "APS", "Bologna", "", "", "", ""]]
    path = write_csv(tmp_path / "enti.csv", [HEADER, *rows])
    report = report_for(path)
    assert [(e.row, e.column) for e in report.errors] == [(5, "codice_fiscale")]
    assert "2" in report.errors[0].message and CF1 in report.errors[0].message
    failing_import(path)
    assert_nothing_written()


def test_the_same_codice_fiscale_written_differently_is_still_a_duplicate(tmp_path):
    spaced = f"{CF1[:5]} {CF1[5:]}"
    rows = [GOOD_ROWS[0], [spaced, "Doppione", "APS", "Bologna", "", "", "", ""]]
    report = report_for(write_csv(tmp_path / "enti.csv", [HEADER, *rows]))
    assert [(e.row, e.column) for e in report.errors] == [(3, "codice_fiscale")]


def test_a_row_with_more_cells_than_the_header_is_an_error(tmp_path):
    rows = [HEADER, [*GOOD_ROWS[0], "cella in più"]]
    report = report_for(write_csv(tmp_path / "enti.csv", rows))
    assert [e.row for e in report.errors] == [2]
    assert_nothing_written()


def test_an_error_after_the_first_batch_still_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    rows = [
        [numeric_codice_fiscale(100 + n), f"Ente {n}", "APS", "Bologna", "", "", "", ""]
        for n in range(7)
    ]
    rows[5][3] = "Atlantide"
    path = write_csv(tmp_path / "enti.csv", [HEADER, *rows])
    report = report_for(path)
    assert [(e.row, e.column) for e in report.errors] == [(7, "comune_sede")]
    assert_nothing_written()
    report = report_for(path, skip_invalid=True)
    assert report.written and report.created == 6
    assert Organization.objects.count() == 6


def test_a_utf16_file_is_refused_with_a_clear_message(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS], encoding="utf-16")
    message, _err = failing_import(path)
    assert "UTF-8" in message and "UTF-16" in message
    assert_nothing_written()


def test_a_forced_unknown_encoding_is_a_command_error(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS])
    failing_import(path, "--encoding", "klingon")
    assert_nothing_written()


def test_a_file_that_is_not_valid_in_the_forced_encoding_is_refused(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS], encoding="latin-1")
    message, _err = failing_import(path, "--encoding", "utf-8")
    assert "UTF-8" in message.upper()
    assert_nothing_written()


@pytest.mark.parametrize("content", [b"", b"\n\n", b" ; ; \r\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "vuoto.csv"
    path.write_bytes(content)
    failing_import(path)
    with pytest.raises(importer.ImportFileError):
        report_for(path)
    assert_nothing_written()


def test_a_file_with_only_a_header_is_refused(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER])
    with pytest.raises(importer.ImportFileError):
        report_for(path)
    assert_nothing_written()


def test_missing_required_columns_are_named(tmp_path):
    rows = [["codice_fiscale", "denominazione"], [CF1, "Ente"]]
    message, _err = failing_import(write_csv(tmp_path / "enti.csv", rows))
    assert "forma_giuridica" in message and "comune_sede" in message
    assert_nothing_written()


def test_unknown_columns_are_named(tmp_path):
    rows = [[*HEADER, "colore preferito"], [*GOOD_ROWS[0], "blu"]]
    message, _err = failing_import(write_csv(tmp_path / "enti.csv", rows))
    assert "colore preferito" in message
    assert_nothing_written()


def test_a_column_given_twice_is_refused(tmp_path):
    rows = [[*HEADER, "cf"], [*GOOD_ROWS[0], CF2]]
    message, _err = failing_import(write_csv(tmp_path / "enti.csv", rows))
    assert "codice_fiscale" in message
    assert_nothing_written()


def test_an_xlsx_file_with_a_header_only_is_refused(tmp_path):
    failing_import(write_xlsx(tmp_path / "enti.xlsx", [HEADER]))
    assert_nothing_written()


def test_an_xlsx_file_with_no_rows_at_all_is_refused(tmp_path):
    failing_import(write_xlsx(tmp_path / "enti.xlsx", []))
    assert_nothing_written()


def test_a_file_named_xlsx_that_is_not_one_is_refused(tmp_path):
    path = tmp_path / "enti.xlsx"
    path.write_bytes(b"not really a workbook")
    message, _err = failing_import(path)
    assert "XLSX" in message
    assert_nothing_written()


def test_a_missing_file_is_a_command_error(tmp_path):
    failing_import(tmp_path / "non-esiste.csv")


def test_an_unknown_layout_is_refused(tmp_path):
    path = write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS])
    with pytest.raises(importer.ImportFileError):
        report_for(path, layout="csv")


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad_ones(tmp_path):
    rows = [row[:] for row in GOOD_ROWS]
    rows[1][0] = "123"
    out, err = run_import(write_csv(tmp_path / "enti.csv", [HEADER, *rows]), "--skip-invalid")
    assert names() == ["Cooperativa sociale Il Faro", "Società di mutuo soccorso Ca' Nova"]
    assert "3" in err and "codice_fiscale" in err
    assert "2" in out  # two created


def test_skip_invalid_keeps_the_first_of_two_rows_with_the_same_codice_fiscale(tmp_path):
    rows = [GOOD_ROWS[0], [CF1, "Doppione", "APS", "Bologna", "", "", "", ""]]
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *rows]), "--skip-invalid")
    assert names() == ["Cooperativa sociale Il Faro"]


# --------------------------------------------------------------------------- export


def test_export_then_import_round_trips_without_duplicates(tmp_path):
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    OrganizationFactory.create(
        name="Ente già presente", is_published=False, ateco_codes=["88.99.09"]
    )
    before = {
        o.codice_fiscale: (o.name, o.legal_form_id, o.head_office_id, o.is_published)
        for o in Organization.objects.all()
    }
    exported = tmp_path / "export.csv"
    err = io.StringIO()
    call_command("export_organizations", str(exported), stderr=err)
    assert "4" in err.getvalue()
    rows = list(csv.reader(exported.open(encoding="utf-8"), delimiter=";"))
    assert rows[0] == importer.PES_ORDER
    assert len(rows) == 5
    out, _err = run_import(exported)
    assert Organization.objects.count() == 4
    after = {
        o.codice_fiscale: (o.name, o.legal_form_id, o.head_office_id, o.is_published)
        for o in Organization.objects.all()
    }
    assert after == before
    faro = Organization.objects.get(codice_fiscale=CF1)
    assert sorted(faro.activities.values_list("letter", flat=True)) == ["a", "d"]
    assert faro.municipalities_served.count() == 2
    assert sorted(faro.missions.values_list("number", flat=True)) == [1, 3]
    assert Organization.objects.get(name="Ente già presente").ateco_codes == ["88.99.09"]


def test_export_to_xlsx_then_import_round_trips(tmp_path):
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    exported = tmp_path / "export.xlsx"
    call_command("export_organizations", str(exported), stderr=io.StringIO())
    sheet = load_workbook(exported, read_only=True).worksheets[0]
    assert sum(1 for _ in sheet.iter_rows()) == 4
    run_import(exported)
    assert Organization.objects.count() == 3


def test_the_runts_export_round_trips_through_the_runts_import(tmp_path):
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    OrganizationFactory.create(name="Impresa senza sezione", runts_section="")
    exported = tmp_path / "runts.csv"
    call_command("export_organizations", str(exported), "--layout", "runts", stderr=io.StringIO())
    rows = list(csv.reader(exported.open(encoding="utf-8"), delimiter=";"))
    assert len(rows) == 4  # the header and the three organisations with a RUNTS section
    Organization.objects.all().delete()
    run_import(exported, "--layout", "runts")
    assert Organization.objects.count() == 3
    assert Organization.objects.get(codice_fiscale=CF3).legal_form.code == "SMS"


def test_export_to_stdout_with_another_delimiter(tmp_path, capsys):
    run_import(write_csv(tmp_path / "enti.csv", [HEADER, *GOOD_ROWS]))
    call_command("export_organizations", "--delimiter", ",", stderr=io.StringIO())
    printed = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(printed), delimiter=","))
    assert rows[0][0] == "codice_fiscale" and len(rows) == 4


# --------------------------------------------------------------------------- upload page


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def governance_client(client):
    from pes.accounts.models import User

    client.force_login(UserFactory.create(role=User.Role.GOVERNANCE))
    return client


def test_the_upload_page_is_for_the_plans_office_only(client):
    from pes.accounts.models import User

    response = client.get("/enti/importa/")
    assert response.status_code == 302 and "/auth/login/" in response["Location"]
    for role in (User.Role.VISITOR, User.Role.MEMBER, User.Role.OPERATOR):
        client.force_login(UserFactory.create(role=role))
        assert client.get("/enti/importa/").status_code == 403
        post = client.post(
            "/enti/importa/",
            {"file": upload("e.csv", csv_bytes([HEADER, *GOOD_ROWS])), "layout": "pes"},
        )
        assert post.status_code == 403
    assert_nothing_written()


def test_the_plans_office_uploads_a_file_and_sees_the_summary(governance_client):
    assert governance_client.get("/enti/importa/").status_code == 200
    response = governance_client.post(
        "/enti/importa/",
        {"file": upload("enti.csv", csv_bytes([HEADER, *GOOD_ROWS])), "layout": "pes"},
    )
    assert response.status_code == 200
    report = response.context["report"]
    assert report.written and report.created == 3 and report.errors == []
    assert Organization.objects.count() == 3


def test_an_uploaded_file_with_bad_rows_shows_them_and_writes_nothing(governance_client):
    rows = [row[:] for row in GOOD_ROWS]
    rows[2][3] = "Modena"
    response = governance_client.post(
        "/enti/importa/",
        {"file": upload("enti.csv", csv_bytes([HEADER, *rows])), "layout": "pes"},
    )
    report = response.context["report"]
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(4, "comune_sede")]
    body = response.content.decode()
    assert "comune_sede" in body and "Modena" in body
    assert_nothing_written()


def test_an_upload_can_skip_the_bad_rows(governance_client):
    rows = [row[:] for row in GOOD_ROWS]
    rows[2][3] = "Modena"
    response = governance_client.post(
        "/enti/importa/",
        {
            "file": upload("enti.csv", csv_bytes([HEADER, *rows])),
            "layout": "pes",
            "skip_invalid": "on",
        },
    )
    assert response.context["report"].written
    assert Organization.objects.count() == 2


def test_an_unreadable_upload_shows_the_file_error(governance_client):
    response = governance_client.post(
        "/enti/importa/",
        {"file": upload("enti.csv", "codice_fiscale;x\n".encode("utf-16")), "layout": "pes"},
    )
    assert response.status_code == 200
    assert response.context["file_error"]
    assert response.context["report"] is None
    assert_nothing_written()


def test_an_empty_upload_is_a_form_error(governance_client):
    response = governance_client.post(
        "/enti/importa/", {"file": upload("enti.csv", b""), "layout": "pes"}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert_nothing_written()


def test_a_runts_xlsx_can_be_uploaded(governance_client, tmp_path):
    path = write_xlsx(
        tmp_path / "runts.xlsx",
        [
            RUNTS_HEADER,
            runts_row(CF1, "APS La Rondine", "b", "BAZZANO"),
            runts_row(CF2, "APS Modena", "b", "MODENA", "MO"),
        ],
    )
    response = governance_client.post(
        "/enti/importa/",
        {"file": SimpleUploadedFile("runts.xlsx", path.read_bytes()), "layout": "runts"},
    )
    report = response.context["report"]
    assert report.written and report.created == 1 and report.skipped_outside_area == 1
    assert Organization.objects.get().head_office.name == "Valsamoggia"
