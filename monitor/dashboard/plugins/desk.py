"""The supervisor's desk: the dashboard's own pages, in Chinese, over the latest complete run.

``/`` is this period's 通报 at a glance (``monitor.dashboard.desk.overview``),
``/-/gongkai/department?id=…`` a department's page, ``/-/gongkai/problems``
the problem list and ``/-/gongkai/stats`` the disclosure statistics, each with
gongkai's own templates (``gongkai_*.html``): no SQL,
no internal table, no Datasette chrome. Datasette's own explorer stays behind
the 数据浏览 link for an analyst.
"""

from __future__ import annotations

import asyncio
from typing import Any

from datasette import hookimpl
from datasette.app import Datasette
from datasette.utils.asgi import Request, Response

from common.tables import tables_of
from monitor.dashboard import charts, desk
from monitor.dashboard.web import page, store_path, tables_dir
from monitor.stats import YEARS
from monitor.store import Store


def _read(datasette: Datasette, build: Any, *args: Any) -> dict[str, Any] | None:
    """``build(store, latest complete run id, *args)`` on a read-only connection, in the office's wording."""
    store = Store(store_path(datasette), readonly=True)
    try:
        run_id = store.latest_run_id()
        if run_id is None:
            return None
        with tables_of(tables_dir(datasette)):
            return {"run_id": run_id, **(build(store, run_id, *args) or {"missing": True})}
    finally:
        store.close()


async def _shown(datasette: Datasette, request: Request, template: str, build: Any, *args: Any) -> Response:
    view = await asyncio.to_thread(_read, datasette, build, *args)
    if view is None:
        return await page(datasette, request, "gongkai_empty.html", status=404)
    if view.get("missing"):
        return await page(datasette, request, "gongkai_empty.html", status=404, missing=True)
    names = {d["id"]: d["name"] for d in view["data"]["departments"]}  # departments by name, on every page
    return await page(datasette, request, template, charts=charts, names=names, **view)


async def overview(request: Request, datasette: Datasette) -> Response:
    """The front page: this period at a glance."""
    return await _shown(datasette, request, "gongkai_overview.html", desk.overview)


async def department(request: Request, datasette: Datasette) -> Response:
    """A department's page (``?id=``)."""
    return await _shown(datasette, request, "gongkai_department.html", desk.department, request.args.get("id") or "")


async def disclosure(request: Request, datasette: Datasette) -> Response:
    """The disclosure statistics (``?year=``, ``?by=year|quarter|month``), as ``gongkai stats`` counts them."""
    year = request.args.get("year") or ""
    by = request.args.get("by") if request.args.get("by") in ("year", "quarter", "month") else "month"
    chosen = int(year) if year.isdigit() and YEARS[0] <= int(year) <= YEARS[1] else None
    return await _shown(datasette, request, "gongkai_stats.html", desk.disclosure, chosen, by)


async def problems(request: Request, datasette: Datasette) -> Response:
    """The problem list of the period (``?department=`` for one department)."""
    chosen = request.args.get("department") or None
    return await _shown(datasette, request, "gongkai_problems.html", desk.problems, chosen)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The supervisor's pages (before Datasette's own: ``/`` is the overview)."""
    return [
        (r"^/$", overview),
        (r"^/-/gongkai/department$", department),
        (r"^/-/gongkai/problems$", problems),
        (r"^/-/gongkai/stats$", disclosure),
    ]
