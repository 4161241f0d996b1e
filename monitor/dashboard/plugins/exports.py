"""Datasette output renderers: exports that open in Excel with the Chinese intact.

Datasette's own CSV has no byte-order mark (Excel on Chinese Windows garbles it),
leaves a cell starting with ``=`` to run as a formula, and there is no XLSX.
These add ``.xlsx`` and ``.csvbom`` to every table, view and canned query, and
answer Datasette's own ``.csv`` links with ``.csvbom``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from openpyxl import Workbook

from monitor.reports.data import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filename(request: Any, suffix: str) -> str:
    return (request.url_vars.get("table") or request.url_vars.get("database") or "export") + suffix


def render_xlsx(columns: list[str], rows: list[Any], request: Any) -> Response:
    """The rows as a workbook: bold frozen header, filters, formulas neutralised."""
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append([safe_cell(row[c]) for c in columns])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    headers = {"content-disposition": f'attachment; filename="{_filename(request, ".xlsx")}"'}
    return Response(buffer.getvalue(), content_type=XLSX_TYPE, headers=headers)


def render_csv_bom(columns: list[str], rows: list[Any], request: Any) -> Response:
    """The rows as UTF-8 CSV with a byte-order mark, formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([safe_cell(row[c]) for c in columns] for row in rows)
    headers = {"content-disposition": f'attachment; filename="{_filename(request, ".csv")}"'}
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8", headers=headers
    )


@hookimpl
def register_output_renderer(datasette: Any) -> list[dict[str, Any]]:
    """Register the two exports."""
    return [
        {"extension": "xlsx", "render": render_xlsx, "can_render": lambda: True},
        {"extension": "csvbom", "render": render_csv_bom, "can_render": lambda: True},
    ]


def _csv_as_csvbom(app: Any) -> Any:
    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope.get("path", "").endswith(".csv"):
            path = scope["path"] + "bom"
            scope = {**scope, "path": path, "raw_path": path.encode("utf-8")}
        await app(scope, receive, send)

    return wrapped


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Serve every ``.csv`` as ``.csvbom``: the same rows, with formulas neutralised."""
    return _csv_as_csvbom
