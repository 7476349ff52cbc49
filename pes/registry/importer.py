"""Import and export of organisations: CSV (UTF-8 or Latin-1, ``;`` or ``,``) and XLSX.

Two layouts:

* ``pes`` — named columns, documented in ``docs/registry.md`` (``PES_COLUMNS`` below);
* ``runts`` — the RUNTS bulk export, read by column position (the header text is not relied on).

Every row is validated. By default the import is atomic: if any row is bad nothing is written
and every bad row is reported; with ``skip_invalid`` the good rows are written. Rows are
matched by codice fiscale, so importing again updates and never duplicates. Rows are read and
written in batches, so memory stays flat however large the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pes.lib.text import fold
from pes.lib.validation import clean_ateco_codes, clean_codice_fiscale, clean_partita_iva
from pes.plan.models import Mission
from pes.registry.models import Activity, LegalForm, Organization
from pes.registry.reference import RUNTS_SECTIONS
from pes.registry.services import organization_search_document
from pes.territory.models import Municipality

BATCH_SIZE = 1000
ANALYZE_AFTER_ROWS = 5000
METRO_PROVINCE = "BO"

# The PES layout: column name -> (required, aliases accepted in a header).
PES_COLUMNS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "codice_fiscale": (True, ("codice fiscale", "cf", "c.f.", "codicefiscale", "cod. fiscale")),
    "denominazione": (True, ("nome", "ragione sociale", "name")),
    "forma_giuridica": (True, ("forma giuridica", "legal_form")),
    "comune_sede": (True, ("comune", "comune sede", "comune sede legale", "istat")),
    "partita_iva": (False, ("partita iva", "p.iva", "piva")),
    "sezione_runts": (False, ("sezione", "sezione runts")),
    "numero_runts": (False, ("repertorio", "numero repertorio", "n. repertorio")),
    "ateco": (False, ("codici ateco", "ateco 2025")),
    "attivita": (False, ("attività", "attivita di interesse generale")),
    "comuni_serviti": (False, ("comuni servizi",)),
    "indirizzo": (False, ("via", "indirizzo sede")),
    "email": (False, ("e-mail", "posta elettronica")),
    "pec": (False, ()),
    "telefono": (False, ("tel", "phone")),
    "sito_web": (False, ("sito", "website", "web")),
    "descrizione": (False, ("description",)),
    "missioni": (False, ("missioni del piano",)),
    "lavoratori": (False, ("dipendenti",)),
    "volontari": (False, ()),
    "soci": (False, ()),
    "anno_fondazione": (False, ("anno di fondazione",)),
    "rappresentante_legale": (False, ("rappresentante", "legale rappresentante")),
    "pubblicato": (False, ("pubblicata",)),
}
PES_ORDER = list(PES_COLUMNS)

# The RUNTS bulk export, by position (see docs/registry.md for the source of this layout).
RUNTS_COLUMNS = [
    "codice_fiscale",
    "repertorio",
    "denominazione",
    "sezione",
    "rappresentante",
    "rete",
    "comune",
    "provincia",
    "flag_5x1000",
    "data_iscrizione",
]
RUNTS_SECTION_TO_FORM = {
    "a": "ODV",
    "b": "APS",
    "c": "ENTE_FILANTROPICO",
    "d": "IMPRESA_SOCIALE",
    "e": "RETE_ASSOCIATIVA",
    "f": "SMS",
    "g": "ALTRO_ETS",
}
# Municipalities merged or renamed since the RUNTS data was entered: old name -> ISTAT code.
MUNICIPALITY_ALIASES = {
    "bazzano": "037061",
    "crespellano": "037061",
    "monteveglio": "037061",
    "savigno": "037061",
    "castello di serravalle": "037061",
    "porretta terme": "037062",
    "granaglione": "037062",
}

_TRUE_WORDS = {"si", "sì", "s", "yes", "y", "true", "1", "x", "vero"}
_FALSE_WORDS = {"no", "n", "false", "0", "falso", ""}


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, header)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped_outside_area: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return _(
            "%(rows)s rows read: %(created)s created, %(updated)s updated, "
            "%(errors)s with errors, %(outside)s outside the metropolitan area."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": len({e.row for e in self.errors}),
            "outside": self.skipped_outside_area,
        }


# --------------------------------------------------------------------------- reading


def _decode_stream(raw: IO[bytes], encoding: str | None) -> io.TextIOWrapper:
    head = raw.read(4096)
    raw.seek(0)
    if b"\x00" in head:
        raise ImportFileError(
            _(
                "The file is not a CSV text file in UTF-8 or Latin-1 "
                "(it may be UTF-16 or a binary file): save it again as CSV UTF-8."
            )
        )
    if encoding is None:
        encoding = "utf-8-sig"
        try:
            # Decode the whole file incrementally once to choose the encoding without
            # holding it in memory.
            decoder = codecs.getincrementaldecoder("utf-8")()
            while chunk := raw.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
        raw.seek(0)
    return io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    return ";" if first.count(";") >= first.count(",") else ","


def iter_csv(raw: IO[bytes], encoding: str | None = None) -> Generator[list[str]]:
    text = _decode_stream(raw, encoding)
    try:
        sample = text.read(8192)
        text.seek(0)
        reader = csv.reader(text, delimiter=_sniff_delimiter(sample))
        for row in reader:
            yield [cell.strip() for cell in row]
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file cannot be read as %(encoding)s text: save it as CSV UTF-8.")
            % {"encoding": text.encoding}
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    finally:
        text.detach()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def iter_xlsx(raw: IO[bytes]) -> Generator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportFileError(_("The file is not a valid Excel XLSX file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        workbook.close()


def iter_rows(
    raw: IO[bytes], *, filename: str, encoding: str | None = None
) -> Generator[list[str]]:
    head = raw.read(4)
    raw.seek(0)
    if filename.lower().endswith((".xlsx", ".xlsm")) or head == b"PK\x03\x04":
        return iter_xlsx(raw)
    return iter_csv(raw, encoding)


# --------------------------------------------------------------------------- parsing


def _header_map(header: list[str]) -> dict[int, str]:
    lookup: dict[str, str] = {}
    for name, (_required, aliases) in PES_COLUMNS.items():
        lookup[fold(name).replace("_", " ")] = name
        for alias in aliases:
            lookup[fold(alias).replace("_", " ")] = name
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        key = fold(title).replace("_", " ")
        if not key:
            continue
        if key not in lookup:
            unknown.append(title)
            continue
        name = lookup[key]
        if name in mapping.values():
            raise ImportFileError(_("The column “%(column)s” appears twice.") % {"column": name})
        mapping[index] = name
    missing = [n for n, (required, _a) in PES_COLUMNS.items() if required]
    missing = [n for n in missing if n not in mapping.values()]
    problems = []
    if missing:
        problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
    if problems:
        raise ImportFileError(
            _("The header row does not match the PES layout (%(problems)s).")
            % {"problems": "; ".join(problems)}
        )
    return mapping


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace(",", ";").replace("|", ";").split(";") if p.strip()]


def _bool(value: str, column: str, errors: list[tuple[str, str]]) -> bool:
    folded = fold(value)
    if folded in _TRUE_WORDS:
        return True
    if folded in _FALSE_WORDS:
        return False
    errors.append((column, _("write “sì” or “no”.")))
    return True


def _int(value: str, column: str, errors: list[tuple[str, str]], *, minimum: int = 0):
    if not value:
        return None
    try:
        number = int(value.replace(".", "").replace(" ", ""))
    except ValueError:
        errors.append((column, _("“%(value)s” is not a whole number.") % {"value": value}))
        return None
    if number < minimum:
        errors.append((column, _("the value must be at least %(min)s.") % {"min": minimum}))
        return None
    return number


class _Context:
    """Reference tables fetched once per import."""

    def __init__(self) -> None:
        self.legal_forms = {lf.code: lf for lf in LegalForm.objects.all()}
        self.legal_forms_by_label = {fold(lf.label): lf for lf in self.legal_forms.values()}
        self.activities = {a.letter: a for a in Activity.objects.all()}
        self.municipalities = {m.istat_code: m for m in Municipality.objects.all()}
        self.municipalities_by_name = {fold(m.name): m for m in self.municipalities.values()}
        for alias, code in MUNICIPALITY_ALIASES.items():
            self.municipalities_by_name.setdefault(alias, self.municipalities[code])
        self.missions = {m.number: m for m in Mission.objects.all()}
        self.sections = {code: code for code, _label in RUNTS_SECTIONS}
        self.sections_by_label = {fold(label): code for code, label in RUNTS_SECTIONS}
        # RUNTS writes sections in the plural, e.g. "ORGANIZZAZIONI DI VOLONTARIATO".
        self.sections_by_label.update(
            {
                "imprese sociali": "d",
                "altri enti del terzo settore": "g",
                "societa di mutuo soccorso": "f",
            }
        )

    def municipality(self, value: str) -> Municipality | None:
        value = value.strip()
        if value.isdigit():
            return self.municipalities.get(value.zfill(6))
        return self.municipalities_by_name.get(fold(value))

    def legal_form(self, value: str) -> LegalForm | None:
        return self.legal_forms.get(value.strip().upper()) or self.legal_forms_by_label.get(
            fold(value)
        )

    def section(self, value: str) -> str | None:
        folded = fold(value)
        if folded in ("", "-"):
            return ""
        if folded in self.sections:
            return folded
        return self.sections_by_label.get(folded)


@dataclass
class ParsedRow:
    number: int
    fields: dict[str, Any]
    m2m: dict[str, list[Any]]


_email = EmailValidator()
_url = URLValidator()


def parse_pes_row(values: dict[str, str], ctx: _Context) -> tuple[dict, dict, list]:
    errors: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    m2m: dict[str, list[Any]] = {}

    def check(column: str, func: Any, value: str) -> Any:
        try:
            return func(value)
        except ValidationError as exc:
            errors.append((column, " ".join(exc.messages)))
            return None

    fields["codice_fiscale"] = check(
        "codice_fiscale", clean_codice_fiscale, values.get("codice_fiscale", "")
    )
    name = values.get("denominazione", "").strip()
    if not name:
        errors.append(("denominazione", _("the name is required.")))
    elif len(name) > 255:
        errors.append(("denominazione", _("the name is longer than 255 characters.")))
    fields["name"] = name
    lf_raw = values.get("forma_giuridica", "")
    legal_form = ctx.legal_form(lf_raw) if lf_raw else None
    if legal_form is None:
        errors.append(
            (
                "forma_giuridica",
                _("unknown legal form “%(value)s” (see the list of codes in the guide).")
                % {"value": lf_raw}
                if lf_raw
                else _("the legal form is required."),
            )
        )
    fields["legal_form"] = legal_form
    office_raw = values.get("comune_sede", "")
    office = ctx.municipality(office_raw) if office_raw else None
    if office is None:
        errors.append(
            (
                "comune_sede",
                _("“%(value)s” is not one of the 55 municipalities of the metropolitan area.")
                % {"value": office_raw}
                if office_raw
                else _("the head office municipality is required."),
            )
        )
    fields["head_office"] = office
    if "partita_iva" in values:
        fields["partita_iva"] = check("partita_iva", clean_partita_iva, values["partita_iva"]) or ""
    if "sezione_runts" in values:
        section = ctx.section(values["sezione_runts"])
        if section is None:
            errors.append(
                (
                    "sezione_runts",
                    _("unknown RUNTS section “%(value)s” (use a letter from a to g).")
                    % {"value": values["sezione_runts"]},
                )
            )
            section = ""
        elif section and legal_form is not None and not legal_form.is_ets:
            errors.append(
                (
                    "sezione_runts",
                    _("only third-sector bodies are entered in a section of the RUNTS."),
                )
            )
        fields["runts_section"] = section
    elif legal_form is not None and legal_form.runts_section:
        fields["runts_section"] = legal_form.runts_section
    if "numero_runts" in values:
        runts_id = values["numero_runts"].strip()
        if runts_id and not runts_id.isdigit():
            errors.append(("numero_runts", _("the RUNTS number is made of digits only.")))
        fields["runts_id"] = runts_id
    if "ateco" in values:
        fields["ateco_codes"] = check("ateco", clean_ateco_codes, values["ateco"]) or []
    if "attivita" in values:
        letters = [fold(x).rstrip(")") for x in _split(values["attivita"])]
        bad = [x for x in letters if x not in ctx.activities]
        if bad:
            errors.append(
                (
                    "attivita",
                    _("unknown activity letters: %(letters)s (use a to z).")
                    % {"letters": ", ".join(bad)},
                )
            )
        m2m["activities"] = [ctx.activities[x] for x in letters if x in ctx.activities]
    if "comuni_serviti" in values:
        served = []
        for item in _split(values["comuni_serviti"]):
            municipality = ctx.municipality(item)
            if municipality is None:
                errors.append(
                    ("comuni_serviti", _("unknown municipality “%(value)s”.") % {"value": item})
                )
            else:
                served.append(municipality)
        m2m["municipalities_served"] = served
    if "missioni" in values:
        missions = []
        for item in _split(values["missioni"]):
            number = int(item) if item.isdigit() else None
            if number not in ctx.missions:
                errors.append(
                    (
                        "missioni",
                        _("“%(value)s” is not a mission of the Plan (1 to 7).") % {"value": item},
                    )
                )
            else:
                missions.append(ctx.missions[number])
        m2m["missions"] = missions
    for column, attr, limit in (
        ("indirizzo", "address", 255),
        ("telefono", "phone", 40),
        ("rappresentante_legale", "legal_representative", 200),
    ):
        if column in values:
            if len(values[column]) > limit:
                errors.append((column, _("longer than %(n)s characters.") % {"n": limit}))
            fields[attr] = values[column][:limit]
    for column in ("email", "pec"):
        if column in values:
            if (
                values[column]
                and check(column, _email, values[column]) is None
                and errors
                and errors[-1][0] == column
            ):
                errors[-1] = (
                    column,
                    _("“%(value)s” is not a valid e-mail address.") % {"value": values[column]},
                )
            fields[column] = values[column]
    if "sito_web" in values:
        url = values["sito_web"]
        if url and not url.startswith(("http://", "https://")):
            url = "https://" + url
        if url:
            try:
                _url(url)
            except ValidationError:
                errors.append(
                    (
                        "sito_web",
                        _("“%(value)s” is not a valid web address.")
                        % {"value": values["sito_web"]},
                    )
                )
        fields["website"] = url
    if "descrizione" in values:
        fields["description"] = values["descrizione"]
    for column, attr in (
        ("lavoratori", "workers"),
        ("volontari", "volunteers"),
        ("soci", "members"),
    ):
        if column in values:
            fields[attr] = _int(values[column], column, errors)
    if "anno_fondazione" in values:
        year = _int(values["anno_fondazione"], "anno_fondazione", errors, minimum=1800)
        if year is not None and year > dt.date.today().year:  # noqa: DTZ011
            errors.append(("anno_fondazione", _("the year is in the future.")))
            year = None
        fields["year_founded"] = year
    if "pubblicato" in values:
        fields["is_published"] = _bool(values["pubblicato"], "pubblicato", errors)
    return fields, m2m, errors


def parse_runts_row(cells: list[str], ctx: _Context) -> tuple[dict, dict, list] | None:
    """Parse a RUNTS bulk-export row; ``None`` when it lies outside the metropolitan area."""
    values = dict(
        zip(RUNTS_COLUMNS, cells + [""] * (len(RUNTS_COLUMNS) - len(cells)), strict=False)
    )
    if values["provincia"].strip().upper() not in ("", METRO_PROVINCE):
        return None
    errors: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}
    try:
        fields["codice_fiscale"] = clean_codice_fiscale(values["codice_fiscale"])
    except ValidationError as exc:
        errors.append(("codice_fiscale", " ".join(exc.messages)))
    fields["name"] = values["denominazione"].strip()
    if not fields["name"]:
        errors.append(("denominazione", _("the name is required.")))
    section = ctx.section(values["sezione"])
    if section is None:
        errors.append(
            ("sezione", _("unknown RUNTS section “%(value)s”.") % {"value": values["sezione"]})
        )
        section = ""
    fields["runts_section"] = section
    fields["legal_form"] = ctx.legal_forms[RUNTS_SECTION_TO_FORM.get(section or "g", "ALTRO_ETS")]
    runts_id = values["repertorio"].strip()
    if runts_id and not runts_id.isdigit():
        errors.append(("repertorio", _("the RUNTS number is made of digits only.")))
    fields["runts_id"] = runts_id
    fields["legal_representative"] = values["rappresentante"].strip()[:200]
    office = ctx.municipality(values["comune"])
    if office is None:
        errors.append(
            (
                "comune",
                _("“%(value)s” is not one of the 55 municipalities of the metropolitan area.")
                % {"value": values["comune"]},
            )
        )
    fields["head_office"] = office
    date_raw = values["data_iscrizione"].strip()
    if date_raw:
        try:
            fields["runts_registered_on"] = dt.datetime.strptime(date_raw, "%d/%m/%Y").date()  # noqa: DTZ007
        except ValueError:
            errors.append(
                (
                    "data_iscrizione",
                    _("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": date_raw},
                )
            )
    return fields, {}, errors


def _is_runts_header(cells: list[str]) -> bool:
    first = fold(cells[0]) if cells else ""
    return "codice" in first and "fisc" in first


# --------------------------------------------------------------------------- writing


class _Writer:
    def __init__(self) -> None:
        self.slugs: set[str] = set(Organization.objects.values_list("slug", flat=True))

    def slug_for(self, name: str, cf: str) -> str:
        base = slugify(name)[:230] or "ente"
        slug = base
        if slug in self.slugs:
            slug = f"{base}-{cf.lower()[-6:]}"
        n = 2
        while slug in self.slugs:
            slug = f"{base}-{cf.lower()[-6:]}-{n}"
            n += 1
        self.slugs.add(slug)
        return slug

    def write(self, batch: list[ParsedRow], report: ImportReport) -> None:
        if not batch:
            return
        existing = {
            o.codice_fiscale: o
            for o in Organization.objects.filter(
                codice_fiscale__in=[r.fields["codice_fiscale"] for r in batch]
            )
        }
        to_create: list[Organization] = []
        to_update: list[Organization] = []
        update_fields: set[str] = set()
        for parsed in batch:
            org = existing.get(parsed.fields["codice_fiscale"])
            if org is None:
                org = Organization(**parsed.fields)
                org.slug = self.slug_for(org.name, org.codice_fiscale)
                org.search_document = organization_search_document(org)
                to_create.append(org)
            else:
                for key, value in parsed.fields.items():
                    setattr(org, key, value)
                update_fields.update(parsed.fields)
                org.search_document = organization_search_document(org)
                to_update.append(org)
        if connection.vendor == "postgresql":
            _copy_rows(Organization, to_create)
        else:
            Organization.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            update_fields.discard("codice_fiscale")
            now = timezone.now()
            for org in to_update:
                org.updated_at = now  # ``bulk_update`` leaves ``auto_now`` alone
            Organization.objects.bulk_update(
                to_update,
                [*sorted(update_fields), "search_document", "updated_at"],
                batch_size=BATCH_SIZE,
            )
        report.created += len(to_create)
        report.updated += len(to_update)
        by_cf = {o.codice_fiscale: o for o in [*to_create, *to_update]}
        updated_ids = {o.pk for o in to_update}
        quote = connection.ops.quote_name
        for relation, target in (
            ("activities", "activity_id"),
            ("municipalities_served", "municipality_id"),
            ("missions", "mission_id"),
        ):
            rows = [p for p in batch if relation in p.m2m]
            if not rows:
                continue
            through = getattr(Organization, relation).through
            stale = [
                pk for p in rows if (pk := by_cf[p.fields["codice_fiscale"]].pk) in updated_ids
            ]
            if stale:
                through.objects.filter(organization_id__in=stale).delete()
            pairs = sorted(
                {
                    (by_cf[p.fields["codice_fiscale"]].pk, obj.pk)
                    for p in rows
                    for obj in p.m2m[relation]
                }
            )
            if pairs and connection.vendor == "postgresql":
                columns = f"({quote('organization_id')}, {quote(target)})"
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        f"COPY {quote(through._meta.db_table)} {columns} FROM STDIN"
                    ) as copy,
                ):
                    for pair in pairs:
                        copy.write_row(pair)
            elif pairs:
                # Plain rows, not model instances: link rows outnumber organisations.
                sql = (
                    f"INSERT INTO {quote(through._meta.db_table)} "  # noqa: S608 - quoted names
                    f"({quote('organization_id')}, {quote(target)}) VALUES (%s, %s)"
                )
                with connection.cursor() as cursor:
                    cursor.executemany(sql, pairs)


_COPY_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def _copy_rows(model: Any, objs: list[Any]) -> None:
    """Insert new instances with PostgreSQL's ``COPY`` (what ``bulk_create`` does, without
    compiling a 25,000-parameter ``INSERT`` per batch). Primary keys are drawn from the
    table's sequence first, so the instances come back with their ``pk`` set."""
    if not objs:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        # Values psycopg adapts as they are are read straight from the instance; the others
        # (JSON, timestamps set on save) go through the field, as ``bulk_create`` does.
        real = connections[connection.alias]
        plain = [f.get_internal_type() in _COPY_AS_IS for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, f.attname)
                        if as_is
                        else f.get_db_prep_save(f.pre_save(obj, True), real)
                        for f, as_is in zip(fields, plain, strict=True)
                    ]
                )
                obj._state.adding = False
                obj._state.db = connection.alias


def import_organizations(
    raw: IO[bytes],
    *,
    filename: str,
    layout: str = "pes",
    skip_invalid: bool = False,
    encoding: str | None = None,
) -> ImportReport:
    """Validate and import a file. Raises ``ImportFileError`` when the file cannot be read."""
    if layout not in ("pes", "runts"):
        raise ImportFileError(_("Unknown layout “%(layout)s”.") % {"layout": layout})
    report = ImportReport()
    ctx = _Context()
    writer = _Writer()
    rows = iter_rows(raw, filename=filename, encoding=encoding)
    seen: dict[str, int] = {}
    batch: list[ParsedRow] = []
    mapping: dict[int, str] | None = None
    header_seen = False

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for number, cells in enumerate(rows, start=1):
                if not any(cells):
                    continue
                if layout == "pes" and mapping is None:
                    mapping = _header_map(cells)
                    header_seen = True
                    continue
                if layout == "runts" and not header_seen and _is_runts_header(cells):
                    header_seen = True
                    continue
                report.rows += 1
                if layout == "pes":
                    if mapping is None:  # pragma: no cover - set on the header row
                        raise ImportFileError(_("The file has no header row."))
                    extra = [c for i, c in enumerate(cells) if i not in mapping and c]
                    values = {
                        name: cells[i] if i < len(cells) else "" for i, name in mapping.items()
                    }
                    fields, m2m, errors = parse_pes_row(values, ctx)
                    if extra:
                        errors.append(
                            ("", _("the row has more cells than the header has columns."))
                        )
                else:
                    parsed = parse_runts_row(cells, ctx)
                    if parsed is None:
                        report.skipped_outside_area += 1
                        continue
                    fields, m2m, errors = parsed
                cf = fields.get("codice_fiscale")
                if cf:
                    if cf in seen:
                        errors.append(
                            (
                                "codice_fiscale",
                                _("codice fiscale %(cf)s is already on row %(row)s of this file.")
                                % {"cf": cf, "row": seen[cf]},
                            )
                        )
                    else:
                        seen[cf] = number
                if errors:
                    report.errors.extend(
                        RowError(number, column, message) for column, message in errors
                    )
                    continue
                if report.errors and not skip_invalid:
                    continue  # the import will be rolled back: only validate the rest
                batch.append(ParsedRow(number, fields, m2m))
                if len(batch) >= BATCH_SIZE:
                    writer.write(batch, report)
                    batch = []
            if layout == "pes" and mapping is None:
                raise ImportFileError(_("The file is empty: it has no header row and no data."))
            if report.rows == 0 and report.skipped_outside_area == 0:
                raise ImportFileError(_("The file has no data rows."))
            if report.errors and not skip_invalid:
                raise _Rollback
            writer.write(batch, report)
            report.written = True
        if report.created >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
            # Fresh planner statistics, so that searches use the full-text index at once and
            # know how common each activity and mission is (the link tables were loaded too).
            tables = [Organization._meta.db_table] + [
                f.m2m_db_table() for f in Organization._meta.local_many_to_many
            ]
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except _Rollback:
        report.created = report.updated = 0
        report.written = False
    finally:
        # Close the reader now, while the caller's file is still open (not at garbage
        # collection, when detaching from a closed file raises).
        rows.close()
    return report


# --------------------------------------------------------------------------- exporting


def _pes_export_row(org: Organization) -> list[str]:
    return [
        org.codice_fiscale,
        org.name,
        org.legal_form.code,
        org.head_office.istat_code,
        org.partita_iva,
        org.runts_section,
        org.runts_id,
        ", ".join(org.ateco_codes or []),
        ";".join(a.letter for a in org.activities.all()),
        ";".join(m.istat_code for m in org.municipalities_served.all()),
        org.address,
        org.email,
        org.pec,
        org.phone,
        org.website,
        org.description,
        ";".join(str(m.number) for m in org.missions.all()),
        "" if org.workers is None else str(org.workers),
        "" if org.volunteers is None else str(org.volunteers),
        "" if org.members is None else str(org.members),
        "" if org.year_founded is None else str(org.year_founded),
        org.legal_representative,
        "sì" if org.is_published else "no",
    ]


_SECTION_LABELS = {
    "a": "ORGANIZZAZIONI DI VOLONTARIATO",
    "b": "ASSOCIAZIONI DI PROMOZIONE SOCIALE",
    "c": "ENTI FILANTROPICI",
    "d": "IMPRESE SOCIALI",
    "e": "RETI ASSOCIATIVE",
    "f": "SOCIETA' DI MUTUO SOCCORSO",
    "g": "ALTRI ENTI DEL TERZO SETTORE",
}
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


def _runts_export_row(org: Organization) -> list[str]:
    return [
        org.codice_fiscale,
        org.runts_id,
        org.name,
        _SECTION_LABELS.get(org.runts_section, "-"),
        org.legal_representative,
        "Si" if org.legal_form.code == "RETE_ASSOCIATIVA" else "No",
        org.head_office.name.upper(),
        METRO_PROVINCE,
        "No",
        org.runts_registered_on.strftime("%d/%m/%Y") if org.runts_registered_on else "",
    ]


def export_rows(*, layout: str = "pes", queryset: Any = None) -> Iterator[list[str]]:
    """Header then one row per organisation, streamed in chunks."""
    qs = queryset if queryset is not None else Organization.objects.all()
    qs = qs.select_related("legal_form", "head_office").order_by("id")
    if layout == "runts":
        yield RUNTS_HEADER
        qs = qs.exclude(runts_section="")
        for org in qs.iterator(chunk_size=2000):
            yield _runts_export_row(org)
        return
    yield PES_ORDER
    qs = qs.prefetch_related("activities", "municipalities_served", "missions")
    for org in qs.iterator(chunk_size=2000):
        yield _pes_export_row(org)


def write_csv(out: IO[str], rows: Iterator[list[str]], *, delimiter: str = ";") -> int:
    writer = csv.writer(out, delimiter=delimiter)
    count = -1
    for row in rows:
        writer.writerow(row)
        count += 1
    return max(count, 0)


def write_xlsx(path_or_file: Any, rows: Iterator[list[str]]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Enti")
    count = -1
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path_or_file)
    return max(count, 0)
