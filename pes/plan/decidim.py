"""Interoperability with Decidim's *accountability* component: results ⇄ initiatives.

A Decidim *result* is a PES :class:`~pes.plan.models.Initiative`. The CSV layouts (``;``
separated, UTF-8, nested keys flattened with ``/``) are documented with their sources in
``docs/decidim.md``:

* ``old`` — ``Decidim::Accountability::ResultSerializer`` up to 0.27 (``category/…``,
  ``scope/…``);
* ``new`` — the serializer since taxonomies replaced categories and scopes (``taxonomies/…``,
  plus ``updated_at``, ``reference``, ``children_count``, ``comments_count``, ``address``…).

Both are read by :func:`import_results`; :func:`export_results` writes either (new by default).

The import is atomic, like ``pes.registry.importer``: every row is checked, and if any row is
bad nothing is written and every bad row is reported (row, column, message). Rows are matched
to initiatives by primary key (the ``id`` column) and then by ``external_id`` (the Decidim
``external_id`` column, else ``decidim-<id>``), so importing again updates and never
duplicates. ``parent/id`` may refer to a row further down the file: rows are written parents
first. Writes go through ``initiative_create`` / ``initiative_update``, which audit them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from pes.plan.models import Action, Initiative, InitiativeStatus
from pes.plan.rollup import deferred
from pes.plan.services import initiative_create, initiative_update
from pes.registry.importer import ImportFileError, RowError, iter_csv

__all__ = [
    "NEW_COLUMNS",
    "action_from_code",
    "OLD_COLUMNS",
    "DecidimReport",
    "ImportFileError",
    "export_results",
    "import_results",
    "neutralise",
]

LOCALES = ("it", "en")

# PES extensions appended to both layouts: Decidim's ``Result`` has these columns in its
# table, and its CSV importer ignores columns its form does not know.
EXTRA_COLUMNS = ["external_id", "weight"]

OLD_COLUMNS = [
    "id",
    "category/id",
    *[f"category/name/{loc}" for loc in LOCALES],
    "scope/id",
    *[f"scope/name/{loc}" for loc in LOCALES],
    "parent/id",
    *[f"title/{loc}" for loc in LOCALES],
    *[f"description/{loc}" for loc in LOCALES],
    "start_date",
    "end_date",
    "status/id",
    "status/key",
    *[f"status/name/{loc}" for loc in LOCALES],
    "progress",
    "created_at",
    "url",
    "component/id",
    "proposal_urls",
    *EXTRA_COLUMNS,
]

NEW_COLUMNS = [
    "id",
    "taxonomies/id",
    "taxonomies/name",
    "parent/id",
    *[f"title/{loc}" for loc in LOCALES],
    *[f"description/{loc}" for loc in LOCALES],
    "start_date",
    "end_date",
    "status/id",
    "status/key",
    *[f"status/name/{loc}" for loc in LOCALES],
    "progress",
    "created_at",
    "updated_at",
    "url",
    "component/id",
    "proposal_urls",
    "reference",
    "children_count",
    "comments_count",
    "address",
    "latitude",
    "longitude",
    *EXTRA_COLUMNS,
]

# "Azione 3.1", "azione 3.1 – Welfare…", "Action 3.1": the code of an action of the Plan.
ACTION_CODE = re.compile(r"\b(?:azione|action)\s*n?\.?\s*(\d{1,2})\.(\d{1,2})\b", re.IGNORECASE)
# Cells a spreadsheet would read as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_STATUS_KEY = "planned"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --------------------------------------------------------------------------- report


@dataclass
class DecidimReport:
    created: int = 0
    updated: int = 0
    rows: int = 0
    layout: str = ""
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def summary(self) -> str:
        return _(
            "%(rows)s rows read: %(created)s initiatives created, %(updated)s updated, "
            "%(errors)s rows with errors."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "errors": len({e.row for e in self.errors}),
        }


# --------------------------------------------------------------------------- parsing


def _strip_quote(value: str) -> str:
    """Undo the export's formula neutralisation: ``'=x`` → ``=x``."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def _html_to_text(value: str) -> str:
    """Decidim descriptions are HTML; PES keeps plain text with blank lines between paragraphs."""
    if "<" not in value and "&" not in value:
        return value.strip()
    text = re.sub(r"(?i)<br\s*/?>", "\n", value)
    text = re.sub(r"(?i)</(p|div|li|h[1-6])\s*>", "\n\n", text)
    text = html.unescape(strip_tags(text)).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text_to_html(value: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def _date(value: str) -> dt.date:
    value = value.strip()
    for parse in (
        lambda v: dt.date.fromisoformat(v[:10]),
        lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date(),  # noqa: DTZ007
    ):
        try:
            return parse(value)
        except ValueError:
            continue
    raise ValueError(value)


def _decimal(value: str) -> Decimal:
    cleaned = value.strip().replace(" ", "").replace("%", "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")  # 1.234,5: the dot groups thousands
    number = Decimal(cleaned.replace(",", "."))
    if not number.is_finite():
        raise InvalidOperation(value)
    return number


@dataclass
class _Row:
    number: int
    decidim_id: str
    key: str  # external_id given or derived
    explicit_external_id: bool
    parent_ref: str | None  # None: the file has no parent/id column
    fields: dict[str, Any]
    progress_given: bool
    existing: Initiative | None = None
    parent: _Row | Initiative | None = None
    written: Initiative | None = None


class _Header:
    def __init__(self, cells: list[str]) -> None:
        self.index: dict[str, int] = {}
        for i, name in enumerate(cells):
            key = name.strip().lstrip("\ufeff").lower()
            if key and key not in self.index:
                self.index[key] = i
        names = list(self.index)
        self.titles = self._localised("title", names)
        self.descriptions = self._localised("description", names)
        self.action_columns = [
            n
            for n in names
            if n.startswith(("category/name", "taxonomies/name")) or n == "taxonomies"
        ]
        if not self.titles:
            raise ImportFileError(
                _(
                    "The header row has no title column (title/it, title/en…): "
                    "this is not a Decidim results file."
                )
            )
        if any(n.startswith("taxonomies") for n in names):
            self.layout = "new"
        elif any(n.startswith(("category/", "scope/")) for n in names):
            self.layout = "old"
        else:
            self.layout = "unknown"

    @staticmethod
    def _localised(prefix: str, names: list[str]) -> list[str]:
        found = [n for n in names if n.startswith(prefix + "/") and n.count("/") == 1]
        preferred = [f"{prefix}/{loc}" for loc in LOCALES if f"{prefix}/{loc}" in found]
        return preferred + [n for n in found if n not in preferred]

    def values(self, cells: list[str]) -> dict[str, str]:
        return {
            name: _strip_quote(cells[i].strip()) if i < len(cells) else ""
            for name, i in self.index.items()
        }


class _Context:
    def __init__(self, action: Action | None, lead: Any) -> None:
        self.default_action = action
        self.lead = lead
        self.statuses = {s.key: s for s in InitiativeStatus.objects.all()}
        self.actions = {
            a.code: a
            for a in Action.objects.select_related("mission").order_by("mission", "number")
        }

    def known_statuses(self) -> str:
        return ", ".join(sorted(self.statuses))


def _first(values: dict[str, str], columns: list[str]) -> str:
    for column in columns:
        if values.get(column):
            return values[column]
    return ""


def _parse_row(
    number: int, values: dict[str, str], header: _Header, ctx: _Context, report: DecidimReport
) -> _Row:
    def error(column: str, message: str) -> None:
        report.add(number, column, message)

    fields: dict[str, Any] = {}
    decidim_id = values.get("id", "")
    external_id = values.get("external_id", "")
    if external_id and len(external_id) > 64:
        error("external_id", _("the external id is longer than 64 characters."))
    key = external_id or (f"decidim-{decidim_id}" if decidim_id else "")

    title = _first(values, header.titles)
    if not title:
        error(header.titles[0], _("the title is required."))
    elif len(title) > 255:
        error(header.titles[0], _("the title is longer than 255 characters."))
    fields["title"] = title
    fields["description"] = _html_to_text(_first(values, header.descriptions))

    status_key = values.get("status/key", "")
    if status_key:
        status = ctx.statuses.get(status_key) or ctx.statuses.get(status_key.lower())
        if status is None:
            error(
                "status/key",
                _("unknown status “%(key)s”: the known statuses are %(known)s.")
                % {"key": status_key, "known": ctx.known_statuses()},
            )
        else:
            fields["status"] = status

    progress_raw = values.get("progress", "")
    if progress_raw:
        try:
            progress = _decimal(progress_raw)
        except (InvalidOperation, ValueError):
            error("progress", _("“%(value)s” is not a number.") % {"value": progress_raw})
        else:
            if not Decimal(0) <= progress <= HUNDRED:
                error("progress", _("the progress must be between 0 and 100."))
            else:
                fields["progress_override"] = progress.quantize(CENT, rounding=ROUND_HALF_UP)

    for column in ("start_date", "end_date"):
        raw = values.get(column, "")
        if raw:
            try:
                fields[column] = _date(raw)
            except ValueError:
                error(
                    column,
                    _("“%(value)s” is not a date (use yyyy-mm-dd or dd/mm/yyyy).") % {"value": raw},
                )
    start, end = fields.get("start_date"), fields.get("end_date")
    if start and end and end < start:
        error("end_date", _("the end date comes before the start date."))

    weight_raw = values.get("weight", "")
    if weight_raw:
        try:
            weight = _decimal(weight_raw)
            if weight < 0 or weight >= Decimal("1000000"):
                raise InvalidOperation(weight_raw)
            fields["weight"] = weight.quantize(CENT, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            error("weight", _("the weight must be a number between 0 and 999999."))

    for column in header.action_columns:
        match = ACTION_CODE.search(values.get(column, ""))
        if match:
            code = f"{int(match.group(1))}.{int(match.group(2))}"
            action = ctx.actions.get(code)
            if action is None:
                error(column, _("the Plan has no action %(code)s.") % {"code": code})
            else:
                fields["action"] = action
            break

    parent_ref = values.get("parent/id") if "parent/id" in header.index else None
    if parent_ref and parent_ref == decidim_id:
        error("parent/id", _("a result cannot be its own parent."))
        parent_ref = ""
    return _Row(
        number=number,
        decidim_id=decidim_id,
        key=key,
        explicit_external_id=bool(external_id),
        parent_ref=parent_ref,
        fields=fields,
        progress_given=bool(progress_raw),
    )


# --------------------------------------------------------------------------- matching


def _match_existing(decidim_id: str, key: str) -> Initiative | None:
    """Our primary key first, when the initiative does not come from another record; then
    the external id."""
    if decidim_id.isdigit():
        candidate = Initiative.objects.filter(pk=int(decidim_id)).first()
        if candidate is not None and candidate.external_id in ("", key):
            return candidate
    if key:
        return Initiative.objects.filter(external_id=key).order_by("pk").first()
    return None


def _order_parents_first(rows: list[_Row], report: DecidimReport) -> list[_Row]:
    ordered: list[_Row] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done

    def visit(row: _Row) -> None:
        if state.get(row.number) == 2:
            return
        if state.get(row.number) == 1:
            report.add(row.number, "parent/id", _("the parents of this row form a loop."))
            row.parent = None
            return
        state[row.number] = 1
        if isinstance(row.parent, _Row):
            visit(row.parent)
        state[row.number] = 2
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


# --------------------------------------------------------------------------- import


class _Rollback(Exception):
    pass


def import_results(
    raw: IO[bytes],
    *,
    filename: str,
    action: Action | None = None,
    lead: Any = None,
    user: Any = None,
) -> DecidimReport:
    """Import a Decidim results CSV. Raises ``ImportFileError`` when the file cannot be read.

    ``action`` is the Plan action of new initiatives whose row names none (``Azione 3.1`` in a
    category or taxonomy name); ``lead`` (an ``Organization``) leads every new initiative.
    """
    report = DecidimReport()
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("Decidim exports results as CSV: upload the CSV file."))
    ctx = _Context(action, lead)
    rows_iter = iter_csv(raw)
    header: _Header | None = None
    rows: list[_Row] = []
    try:
        for number, cells in enumerate(rows_iter, start=1):
            if not any(cells):
                continue
            if header is None:
                header = _Header(cells)
                report.layout = header.layout
                continue
            report.rows += 1
            rows.append(_parse_row(number, header.values(cells), header, ctx, report))
    finally:
        rows_iter.close()
    if header is None:
        raise ImportFileError(_("The file is empty: it has no header row and no data."))
    if not rows:
        raise ImportFileError(_("The file has no data rows."))

    # Identity within the file, then against the database.
    by_id: dict[str, _Row] = {}
    by_key: dict[str, _Row] = {}
    for row in rows:
        if row.decidim_id:
            if row.decidim_id in by_id:
                report.add(
                    row.number,
                    "id",
                    _("id %(id)s is already on row %(row)s of this file.")
                    % {"id": row.decidim_id, "row": by_id[row.decidim_id].number},
                )
            else:
                by_id[row.decidim_id] = row
        if row.key and row.explicit_external_id:
            if row.key in by_key:
                report.add(
                    row.number,
                    "external_id",
                    _("external id %(key)s is already on row %(row)s of this file.")
                    % {"key": row.key, "row": by_key[row.key].number},
                )
            else:
                by_key[row.key] = row
        row.existing = _match_existing(row.decidim_id, row.key)
    matched: dict[int, _Row] = {}
    for row in rows:
        if row.existing is None:
            continue
        if row.existing.pk in matched:
            report.add(
                row.number,
                "id",
                _("this row and row %(row)s update the same initiative.")
                % {"row": matched[row.existing.pk].number},
            )
        else:
            matched[row.existing.pk] = row

    action_errors = {e.row for e in report.errors if e.column in header.action_columns}
    for row in rows:
        if row.existing is None:
            if "action" not in row.fields and row.number not in action_errors:
                if ctx.default_action is None:
                    column = header.action_columns[0] if header.action_columns else ""
                    report.add(
                        row.number,
                        column,
                        _(
                            "no action of the Plan for this new initiative: name it "
                            "(“Azione 3.1”) in a category or taxonomy, or choose a default action."
                        ),
                    )
                else:
                    row.fields["action"] = ctx.default_action
            if ctx.lead is None:
                report.add(
                    row.number,
                    "",
                    _("no lead organisation for this new initiative: choose one."),
                )
        if row.parent_ref:
            parent: _Row | Initiative | None = by_id.get(row.parent_ref)
            if parent is None:
                parent = _match_existing(row.parent_ref, f"decidim-{row.parent_ref}")
                if parent is not None and parent.pk in matched:
                    parent = matched[parent.pk]
            if parent is None:
                report.add(
                    row.number,
                    "parent/id",
                    _(
                        "the parent %(id)s is neither a row of this file "
                        "nor an initiative already imported."
                    )
                    % {"id": row.parent_ref},
                )
            elif parent is row or (isinstance(parent, Initiative) and parent == row.existing):
                report.add(row.number, "parent/id", _("a result cannot be its own parent."))
            else:
                row.parent = parent

    ordered = _order_parents_first(rows, report)
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report

    try:
        with transaction.atomic(), deferred():  # the roll-ups refreshed once, at the end
            for row in ordered:
                _write(row, ctx, report, user)
            if report.errors:
                raise _Rollback
            report.written = True
    except _Rollback:
        report.created = report.updated = 0
        report.written = False
        report.errors.sort(key=lambda e: e.row)
    return report


def _write(row: _Row, ctx: _Context, report: DecidimReport, user: Any) -> None:
    data = dict(row.fields)
    parent = row.parent
    if isinstance(parent, _Row):
        parent = parent.written
    if row.parent_ref is not None:
        data["parent"] = parent  # an empty parent/id makes a top-level result
    status = data.get("status") or (
        row.existing.status if row.existing else ctx.statuses.get(DEFAULT_STATUS_KEY)
    )
    if status is None:  # pragma: no cover - the data migration creates the statuses
        status = next(iter(ctx.statuses.values()))
    data["status"] = status
    if row.progress_given and data.get("progress_override") == status.default_progress:
        # The progress the status implies: keep it implied (an export writes the effective
        # progress, so a round trip must not turn it into an override).
        data["progress_override"] = None
    elif not row.progress_given and row.existing is None:
        data["progress_override"] = None
    try:
        if row.existing is None:
            data["lead"] = ctx.lead
            data["external_id"] = row.key
            row.written = initiative_create(data=data, user=user)
            report.created += 1
        else:
            if row.explicit_external_id:
                data["external_id"] = row.key
            row.written = initiative_update(initiative=row.existing, data=data, user=user)
            report.updated += 1
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                report.add(row.number, _COLUMN_OF_FIELD.get(name, name), " ".join(messages))
        else:
            report.add(row.number, "", " ".join(exc.messages))


_COLUMN_OF_FIELD = {
    "title": "title/it",
    "description": "description/it",
    "status": "status/key",
    "progress_override": "progress",
    "parent": "parent/id",
    "__all__": "",
}


# --------------------------------------------------------------------------- export


def neutralise(value: Any) -> str:
    """A cell for the CSV: text that a spreadsheet would run as a formula gets a leading
    ``'``. Only text is touched; numbers and dates we write ourselves are never prefixed, so a
    negative number stays a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _progress(initiative: Initiative) -> Decimal | None:
    value = initiative.progress()
    return None if value is None else value.quantize(CENT)


def export_results(
    queryset: QuerySet[Initiative] | None = None, *, layout: str = "new"
) -> Iterator[list[str]]:
    """Header then one row per initiative, in a Decidim results layout (``new`` or ``old``)."""
    if layout not in ("new", "old"):
        raise ValueError(f"unknown layout {layout!r}")
    qs = queryset if queryset is not None else Initiative.objects.all()
    qs = (
        qs.select_related("action__mission", "status")
        .annotate(n_children=Count("children"))
        .order_by("pk")
    )
    columns = NEW_COLUMNS if layout == "new" else OLD_COLUMNS
    yield list(columns)
    site = settings.SITE_URL.rstrip("/")
    for initiative in qs.iterator(chunk_size=1000):
        code = initiative.action.code
        description = _text_to_html(initiative.description)
        values: dict[str, Any] = {
            "id": initiative.pk,
            "parent/id": initiative.parent_id,
            "start_date": initiative.start_date,
            "end_date": initiative.end_date,
            "status/id": None,
            "status/key": initiative.status.key,
            "progress": _progress(initiative),
            "created_at": initiative.created_at,
            "updated_at": initiative.updated_at,
            "url": site + initiative.get_absolute_url(),
            "component/id": None,
            "proposal_urls": "",
            "reference": None,
            "children_count": initiative.n_children,  # type: ignore[attr-defined]
            "comments_count": 0,
            "external_id": initiative.external_id,
            "weight": initiative.weight,
            "taxonomies/id": None,
            "taxonomies/name": f"Azione {code}",
            "category/id": None,
            "category/name/it": f"Azione {code}",
            "category/name/en": f"Action {code}",
        }
        for loc in LOCALES:
            # PES holds Italian only; it goes in every locale so that a Decidim whose
            # default locale is not Italian still finds a title.
            values[f"title/{loc}"] = initiative.title
            values[f"description/{loc}"] = description
        values["status/name/it"] = initiative.status.name
        values["status/name/en"] = initiative.status.name
        yield [neutralise(values.get(column)) for column in columns]


def action_from_code(code: str) -> Action | None:
    """The action with code ``"3.1"`` (mission 3, action 1), or ``None``."""
    match = re.fullmatch(r"\s*(\d{1,2})\.(\d{1,2})\s*", code or "")
    if not match:
        return None
    return (
        Action.objects.select_related("mission")
        .filter(mission__number=int(match.group(1)), number=int(match.group(2)))
        .first()
    )
