"""The governance dashboard of the Plan: tables, a map, CSV downloads, a PDF monitoring report
and the button that sends reminders for overdue reports.

Progress comes from the stored roll-ups (``pes.plan.rollup``); money and overdue reports
from the selectors. Every table is built once (``DashboardData``) and shown, downloaded as
CSV and printed in the PDF from the same rows, so the numbers cannot drift apart. The page
runs a fixed number of queries whatever the number of initiatives.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.db.models import Count, Window
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize, number_format
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from pes.lib.charts import dot_map
from pes.plan.access import require_governance
from pes.plan.models import (
    Indicator,
    Initiative,
    Mission,
    Plan,
    Report,
    ReportingPeriod,
    ReportReminder,
)
from pes.plan.progress import OFF_TRACK, PlanTree
from pes.plan.rollup import stored_tree
from pes.plan.selectors import (
    IndicatorView,
    budget_by_source,
    indicator_views,
    initiative_money_by_place,
    initiatives_by_district,
    money_by_municipality,
    overdue_objects,
    overdue_pairs,
)
from pes.plan.tasks import send_report_reminders

# ----------------------------------------------------------------------------- tables

TEXT, INT, MONEY, PERCENT, NUMBER, DATE = "text", "int", "money", "percent", "number", "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = TEXT
    csv_only: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in {INT, MONEY, PERCENT, NUMBER}


@dataclass
class Table:
    """Rows as dicts keyed by column; ``url`` in a row links its first cell."""

    name: str
    title: str | Promise
    caption: str | Promise
    empty: str | Promise
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    display_limit: int | None = None  # rows shown on the page; the CSV has them all
    total: int | None = None  # rows in all, when only the shown ones were built

    @property
    def row_count(self) -> int:
        return self.total if self.total is not None else len(self.rows)

    @property
    def truncated(self) -> bool:
        return self.display_limit is not None and self.row_count > self.display_limit

    @property
    def shown_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.csv_only]

    def html_rows(self, *, numeric_class: str = "text-end", links: bool = True) -> list[SafeString]:
        """The shown rows as ``<tr>`` elements, formatted as the templates' filters would
        (``floatformat``, ``intcomma``, ``date``, localisation, escaping). Built here rather
        than cell by cell in the template: a dashboard of a few hundred rows renders in a
        fraction of the time."""
        columns = self.shown_columns
        cell_class = format_html(' class="{}"', numeric_class)
        out = []
        for row in self.rows[: self.display_limit]:
            cells = []
            for n, column in enumerate(columns):
                text = _cell_html(row.get(column.key), column.kind)
                url = row.get("url") if n == 0 and links else None
                if url:
                    text = format_html('<a href="{}">{}</a>', url, text)
                if n == 0:
                    cells.append(format_html('<th scope="row">{}</th>', text))
                else:
                    cells.append(
                        format_html("<td{}>{}</td>", cell_class if column.numeric else "", text)
                    )
            out.append(format_html("<tr>{}</tr>", mark_safe("".join(cells))))  # noqa: S308
        return out

    @property
    def body(self) -> list[SafeString]:
        """The rows for the dashboard page (numbers right-aligned, the first cell linked)."""
        return self.html_rows()

    @property
    def print_body(self) -> list[SafeString]:
        """The rows for the PDF report (class ``num``, no links)."""
        return self.html_rows(numeric_class="num", links=False)

    def csv_rows(self) -> list[list[str]]:
        out = [[c.key for c in self.columns]]
        for row in self.rows:
            out.append([_csv_value(row.get(c.key), c.kind) for c in self.columns])
        return out


def _cell_html(value: Any, kind: str) -> SafeString:
    if value is None:
        return SafeString("—")
    if kind == MONEY:
        return conditional_escape(intcomma(floatformat(value, 0)))
    if kind == PERCENT:
        return format_html("{}%", floatformat(value, 0))
    if kind == DATE:
        return conditional_escape(date_filter(value, "SHORT_DATE_FORMAT"))
    return conditional_escape(str(localize(value)))


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return str(Decimal(value).quantize(Decimal("0.01")))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _number(value: Decimal | None) -> Decimal | None:
    """A measured value without trailing zeros and without exponent (100, not 1E+2)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


class DashboardData:
    """The dashboard's data, each source read at most once (cached) and only when needed."""

    def __init__(self, *, today: dt.date, plan: Plan | None = None) -> None:
        self.today = today
        self._plan = plan

    @cached_property
    def plan(self) -> Plan:
        return self._plan or Plan.objects.get()

    @cached_property
    def tree(self) -> PlanTree:
        return stored_tree(self.plan, missions=self.missions_list, actions=[])

    @cached_property
    def place_figures(self) -> tuple[dict[int, tuple[int, Decimal]], dict[int, int]]:
        """Money and initiatives by municipality and district: read every initiative, so
        cached under the Plan's ``data_version``, which every write to them bumps."""
        key = f"plan:dashboard:places:{self.plan.pk}:{self.plan.data_version}"
        figures = cache.get(key)
        if figures is None:
            figures = (initiative_money_by_place(), initiatives_by_district())
            cache.set(key, figures, PLACES_CACHE_SECONDS)
        return figures

    @cached_property
    def municipality_rows(self) -> list[dict[str, Any]]:
        return money_by_municipality(self.place_figures[0])

    @cached_property
    def missions_list(self) -> list[Mission]:
        return list(Mission.objects.filter(plan=self.plan).order_by("number"))

    @cached_property
    def overdue_ids(self) -> list[tuple[int, int]]:
        """Every overdue (initiative, period): a join of all open initiatives with the past
        periods, so cached under the Plan's ``data_version`` (bumped by every write to
        initiatives, reports and periods) and the day, which moves deadlines into the past."""
        key = f"plan:dashboard:overdue:{self.plan.pk}:{self.plan.data_version}:{self.today}"
        pairs = cache.get(key)
        if pairs is None:
            pairs = overdue_pairs(today=self.today)
            cache.set(key, pairs, PLACES_CACHE_SECONDS)
        return list(pairs)

    @cached_property
    def overdue(self) -> list[tuple[Initiative, ReportingPeriod]]:
        return overdue_objects(self.overdue_ids, periods=self.periods_by_id)

    @cached_property
    def periods(self) -> list[ReportingPeriod]:
        return _periods(self.plan)

    @cached_property
    def periods_by_id(self) -> dict[int, ReportingPeriod]:
        return {p.pk: p for p in self.periods}

    def off_track_views(self, *, limit: int | None = None) -> tuple[list[IndicatorView], int]:
        """The off-track indicators (their stored status), ``limit`` of them if given, and how
        many there are in all (a window count: the same query)."""
        qs = (
            self.off_track_qs.select_related("action__mission", "initiative")
            .annotate(total=Window(Count("id")))
            .order_by("code")
        )
        indicators = list(qs[:limit] if limit is not None else qs)
        total = indicators[0].total if indicators else 0  # type: ignore[attr-defined]
        return indicator_views(indicators, with_series=False), total

    @cached_property
    def off_track_qs(self) -> Any:
        return Indicator.objects.filter(status__in=[s.value for s in OFF_TRACK])

    @cached_property
    def off_track(self) -> list[IndicatorView]:
        return self.off_track_views()[0]

    # -- tables

    def missions(self) -> Table:
        tree = self.tree
        rows = []
        for mission in self.missions_list:
            node = tree.missions[mission.pk]
            rows.append(
                {
                    "url": mission.get_absolute_url(),
                    "number": mission.number,
                    "mission": str(mission),
                    "physical_progress": node.progress,
                    "financial_progress": node.financial_progress,
                    "initiatives": node.count,
                    "committed": node.committed,
                    "public_committed": node.public_committed,
                    "public_spent": node.public_spent,
                }
            )
        return Table(
            name="missions",
            title=gettext_lazy("Progress by mission"),
            caption=gettext_lazy(
                "Physical progress (weighted status of the initiatives) and financial "
                "progress (public funding paid ÷ committed) of each mission"
            ),
            empty=gettext_lazy("The Plan has no missions."),
            columns=[
                Column("mission", gettext_lazy("Mission")),
                Column("number", gettext_lazy("Number"), INT, csv_only=True),
                Column("physical_progress", gettext_lazy("Physical progress"), PERCENT),
                Column("financial_progress", gettext_lazy("Financial progress"), PERCENT),
                Column("initiatives", gettext_lazy("Initiatives"), INT),
                Column("committed", gettext_lazy("Committed (€)"), MONEY),
                Column("public_committed", gettext_lazy("Public funding committed (€)"), MONEY),
                Column("public_spent", gettext_lazy("Public funding paid (€)"), MONEY),
            ],
            rows=rows,
        )

    def sources(self) -> Table:
        rows = [
            {
                "source": r["source"],
                "label": str(r["label"]),
                "committed": r["committed"],
                "spent": r["spent"],
            }
            for r in budget_by_source()
        ]
        return Table(
            name="sources",
            title=gettext_lazy("Money by funding source"),
            caption=gettext_lazy("Budget committed and spent by funding source, in euro"),
            empty=gettext_lazy("No budget has been recorded."),
            columns=[
                Column("label", gettext_lazy("Source")),
                Column("source", gettext_lazy("Code"), csv_only=True),
                Column("committed", gettext_lazy("Committed (€)"), MONEY),
                Column("spent", gettext_lazy("Spent (€)"), MONEY),
            ],
            rows=rows,
        )

    def municipalities(self) -> Table:
        rows = []
        for r in self.municipality_rows:
            m = r["municipality"]
            rows.append(
                {
                    "url": m.get_absolute_url(),
                    "municipality": m.name,
                    "istat_code": m.istat_code,
                    "district": m.district.name,
                    "latitude": m.latitude,
                    "longitude": m.longitude,
                    "initiatives": r["initiatives"],
                    "committed": r["committed"],
                }
            )
        return Table(
            name="municipalities",
            title=gettext_lazy("Initiatives and money by municipality"),
            caption=gettext_lazy(
                "Initiatives covering each municipality and the money committed to them "
                "(an initiative's money is split equally among the municipalities it covers)"
            ),
            empty=gettext_lazy("No municipality."),
            columns=[
                Column("municipality", gettext_lazy("Municipality")),
                Column("istat_code", gettext_lazy("ISTAT code"), csv_only=True),
                Column("district", gettext_lazy("District")),
                Column("latitude", gettext_lazy("Latitude"), NUMBER, csv_only=True),
                Column("longitude", gettext_lazy("Longitude"), NUMBER, csv_only=True),
                Column("initiatives", gettext_lazy("Initiatives"), INT),
                Column("committed", gettext_lazy("Committed (€)"), MONEY),
            ],
            rows=rows,
        )

    def districts(self) -> Table:
        # Initiatives are counted once per district even when they cover several of its
        # municipalities; the money is the sum of the municipalities' shares.
        initiatives = self.place_figures[1]
        grouped: dict[int, dict[str, Any]] = {}
        for r in self.municipality_rows:
            district = r["municipality"].district
            row = grouped.setdefault(
                district.pk,
                {
                    "url": reverse("plan:initiatives") + f"?district={district.slug}",
                    "district": district.name,
                    "slug": district.slug,
                    "municipalities": 0,
                    "initiatives": initiatives.get(district.pk, 0),
                    "committed": Decimal(0),
                },
            )
            row["municipalities"] += 1
            row["committed"] += r["committed"]
        rows = sorted(grouped.values(), key=lambda row: row["district"])
        return Table(
            name="districts",
            title=gettext_lazy("Initiatives and money by district"),
            caption=gettext_lazy(
                "The municipalities rolled up by social and health district (an initiative "
                "covering several municipalities of a district is counted once)"
            ),
            empty=gettext_lazy("No district."),
            columns=[
                Column("district", gettext_lazy("District")),
                Column("slug", gettext_lazy("Slug"), csv_only=True),
                Column("municipalities", gettext_lazy("Municipalities"), INT),
                Column("initiatives", gettext_lazy("Initiatives"), INT),
                Column("committed", gettext_lazy("Committed (€)"), MONEY),
            ],
            rows=rows,
        )

    def overdue_table(
        self, *, period: ReportingPeriod | None = None, display_limit: int | None = None
    ) -> Table:
        # Sorted by due date, title and id; on the page only the first rows are built.
        ids = [(i, p) for i, p in self.overdue_ids if period is None or p == period.pk]
        total = len(ids)
        if display_limit is not None:
            pairs = overdue_objects(ids[:display_limit], periods=self.periods_by_id)
        else:
            pairs = [(i, p) for i, p in self.overdue if period is None or p.pk == period.pk]
        reminders = ReportReminder.objects.filter(period__due_date__lt=self.today)
        if display_limit is not None:
            reminders = reminders.filter(initiative_id__in={i.pk for i, _p in pairs})
        reminded = {
            (initiative_id, period_id): timezone.localtime(sent).date()
            for initiative_id, period_id, sent in reminders.values_list(
                "initiative_id", "period_id", "sent_at"
            )
        }
        rows = []
        for initiative, p in pairs:
            rows.append(
                {
                    "url": initiative.get_absolute_url(),
                    "initiative": initiative.title,
                    "slug": initiative.slug,
                    "lead": initiative.lead.name,
                    "period": p.name,
                    "due_date": p.due_date,
                    "days_late": (self.today - p.due_date).days,
                    "reminder_sent": reminded.get((initiative.pk, p.pk)),
                }
            )
        return Table(
            name="overdue",
            title=gettext_lazy("Overdue reports"),
            caption=gettext_lazy(
                "Initiatives that have not submitted their report for a period whose deadline "
                "has passed"
            ),
            empty=gettext_lazy("No report is overdue."),
            columns=[
                Column("initiative", gettext_lazy("Initiative")),
                Column("slug", gettext_lazy("Slug"), csv_only=True),
                Column("lead", gettext_lazy("Lead")),
                Column("period", gettext_lazy("Period")),
                Column("due_date", gettext_lazy("Due"), DATE),
                Column("days_late", gettext_lazy("Days late"), INT),
                Column("reminder_sent", gettext_lazy("Reminder sent"), DATE),
            ],
            rows=rows,
            display_limit=display_limit,
            total=total,
        )

    def indicators(self, *, display_limit: int | None = None) -> Table:
        rows = []
        if display_limit is None:
            views, total = self.off_track, len(self.off_track)
        else:
            views, total = self.off_track_views(limit=display_limit)
        for view in views:
            ind = view.indicator
            owner = f"{ind.action.code} {ind.action.label}" if ind.action else str(ind.initiative)
            rows.append(
                {
                    "url": ind.get_absolute_url(),
                    "indicator": ind.name,
                    "code": ind.code,
                    "measures": owner,
                    "unit": ind.unit,
                    "baseline": _number(ind.baseline_value),
                    "latest_value": _number(view.latest_value),
                    "latest_date": view.latest_date,
                    "target": _number(view.target_value),
                    "target_year": view.target_year,
                    "status": view.status.value,
                    "status_label": view.status_label,
                }
            )
        return Table(
            name="indicators",
            title=gettext_lazy("Indicators off track"),
            caption=gettext_lazy(
                "Indicators whose latest value shows limited progress or a deterioration"
            ),
            empty=gettext_lazy("No indicator is off track."),
            columns=[
                Column("indicator", gettext_lazy("Indicator")),
                Column("code", gettext_lazy("Code"), csv_only=True),
                Column("measures", gettext_lazy("Action or initiative")),
                Column("unit", gettext_lazy("Unit")),
                Column("baseline", gettext_lazy("Baseline"), NUMBER),
                Column("latest_value", gettext_lazy("Latest value"), NUMBER),
                Column("latest_date", gettext_lazy("Date"), DATE),
                Column("target", gettext_lazy("Target"), NUMBER),
                Column("target_year", gettext_lazy("Target year"), TEXT),
                Column("status", gettext_lazy("Status code"), csv_only=True),
                Column("status_label", gettext_lazy("Status")),
            ],
            rows=rows,
            display_limit=display_limit,
            total=total,
        )

    def table(self, name: str, *, display_limit: int | None = None) -> Table:
        if name == "overdue":
            return self.overdue_table(display_limit=display_limit)
        if name == "indicators":
            return self.indicators(display_limit=display_limit)
        builders = {
            "missions": self.missions,
            "sources": self.sources,
            "municipalities": self.municipalities,
            "districts": self.districts,
            "indicators": self.indicators,
        }
        if name not in builders:
            raise Http404
        return builders[name]()

    def map_svg(self, *, chart_id: str = "dashboard-map") -> SafeString:
        points = []
        for r in self.municipality_rows:
            m = r["municipality"]
            label = ngettext(
                "%(name)s: %(n)d initiative, %(money)s € committed",
                "%(name)s: %(n)d initiatives, %(money)s € committed",
                r["initiatives"],
            ) % {
                "name": m.name,
                "n": r["initiatives"],
                "money": number_format(r["committed"], 0, force_grouping=True),
            }
            points.append((m.latitude, m.longitude, r["committed"], label))
        return dot_map(
            title=_("Money committed by municipality: dot area proportional to the money"),
            points=points,
            chart_id=chart_id,
        )


PLACES_CACHE_SECONDS = 24 * 3600
# Rows of the long tables (overdue reports, indicators off track) shown on the page, the most
# late first; the CSV downloads have them all.
OVERDUE_SHOWN = 25
TABLE_NAMES = ["missions", "sources", "municipalities", "districts", "overdue", "indicators"]


def _periods(plan: Plan) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(plan=plan).order_by("start"))


def _default_period(periods: list[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """The latest period that has ended, else the first."""
    ended = [p for p in periods if p.end < today]
    return ended[-1] if ended else (periods[0] if periods else None)


# ----------------------------------------------------------------------------- views


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    data = DashboardData(today=timezone.localdate())
    periods = data.periods
    default = _default_period(periods, data.today)
    tables = [data.table(name, display_limit=OVERDUE_SHOWN) for name in TABLE_NAMES]
    return render(
        request,
        "plan/dashboard.html",
        {
            "plan": data.plan,
            "root": data.tree.plan,
            "tables": tables,
            "map": data.map_svg(),
            "periods": periods,
            "default_period": default,
            "downloads": [
                (table, reverse("plan:dashboard_csv", kwargs={"table": table.name}))
                for table in tables
            ],
        },
    )


@login_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    require_governance(request.user)
    if table not in TABLE_NAMES:
        raise Http404
    data = DashboardData(today=timezone.localdate())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cruscotto-{table}.csv"'
    csv.writer(response).writerows(data.table(table).csv_rows())
    return response


def _weasyprint() -> Any:
    """The WeasyPrint module, or None where it or its system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    return weasyprint


@login_required
def monitoring_report_pdf(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    data = DashboardData(today=timezone.localdate())
    raw = request.GET.get("period", "")
    period: ReportingPeriod | None
    if raw:
        try:
            period_id = int(raw)
        except ValueError:
            return HttpResponseBadRequest(
                _("The reporting period must be given by its number."),
                content_type="text/plain; charset=utf-8",
            )
        period = get_object_or_404(ReportingPeriod, pk=period_id, plan=data.plan)
    else:
        period = _default_period(_periods(data.plan), data.today)
        if period is None:
            raise Http404
    weasyprint = _weasyprint()
    if weasyprint is None:
        return HttpResponse(
            _(
                "The PDF report is not available on this server: the WeasyPrint library or "
                "the system libraries it needs (Pango) are missing. The CSV downloads work."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    reports = list(
        Report.objects.filter(period=period)
        .select_related("initiative__lead", "status")
        .order_by("initiative__title", "initiative_id")
    )
    counts = {state: 0 for state, _label in Report.State.choices}
    for report in reports:
        counts[report.state] += 1
    done = [r for r in reports if r.state in {Report.State.SUBMITTED, Report.State.APPROVED}]
    html = render_to_string(
        "plan/monitoring_report.html",
        {
            "plan": data.plan,
            "period": period,
            "today": data.today,
            "now": timezone.localtime(),
            "root": data.tree.plan,
            "reports": reports,
            "report_counts": [(label, counts[state]) for state, label in Report.State.choices],
            "spent_in_period": sum((r.spent for r in done), Decimal(0)),
            "period_due": period.due_date < data.today,
            "tables": [data.missions(), data.sources(), data.districts(), data.indicators()],
            "overdue": data.overdue_table(period=period),
            "map": data.map_svg(chart_id="report-map"),
            "municipalities": data.municipalities(),
        },
        request=request,
    )
    # Only local resources: the template references no URL, and the fetcher refuses any
    # scheme but file: and data: should one slip in.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, timeout=1)
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="rapporto-monitoraggio-{period.pk}.pdf"'
    )
    return response


@login_required
@require_POST
def dashboard_send_reminders(request: HttpRequest) -> HttpResponse:
    require_governance(request.user)
    result = send_report_reminders.enqueue()
    if result.status == TaskResultStatus.SUCCESSFUL:
        sent = int(result.return_value or 0)
        messages.success(
            request,
            ngettext(
                "Reminders sent for %(n)d overdue report.",
                "Reminders sent for %(n)d overdue reports.",
                sent,
            )
            % {"n": sent},
        )
    elif result.status == TaskResultStatus.FAILED:
        messages.error(request, _("The reminders could not be sent; please try again later."))
    else:
        messages.success(request, _("The reminders will be sent shortly."))
    return redirect("plan:dashboard")
