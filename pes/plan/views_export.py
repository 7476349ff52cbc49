from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse

from pes.plan.exports import indicator_rows, initiative_rows, measurement_rows, plan_json

TABLES: dict[str, Callable[[], Iterator[list[str]]]] = {
    "iniziative": initiative_rows,
    "indicatori": indicator_rows,
    "misurazioni": measurement_rows,
}


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_plan_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(plan_json(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'inline; filename="piano.json"'
    return response


def export_table_csv(request: HttpRequest, table: str) -> StreamingHttpResponse:
    if table not in TABLES:
        raise Http404
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in TABLES[table]()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{table}.csv"'
    return response
