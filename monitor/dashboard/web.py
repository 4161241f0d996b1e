"""What gongkai's own dashboard pages share: the plugin's settings, the office's wording, rendering a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.utils.asgi import Request, Response

from common.tables import load_tables, tables_of
from common.wording import wording


def settings(datasette: Datasette) -> dict[str, Any]:
    """The ``gongkai`` plugin settings ``gongkai serve`` gives: the store, the office's tables, the password's name."""
    return datasette.plugin_config("gongkai") or {}


def tables_dir(datasette: Datasette) -> Path | None:
    """The office's folder of rule tables, when the store's latest run had one."""
    folder = settings(datasette).get("tables_dir")
    return Path(folder) if folder else None


def store_path(datasette: Datasette) -> Path:
    """The store the dashboard shows."""
    return Path(settings(datasette)["db"])


async def page(datasette: Datasette, request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """One of gongkai's pages, in the office's wording, with who is signed in."""
    with tables_of(tables_dir(datasette)):
        words, tables = wording(), load_tables()
    context = {
        "words": words,
        "rules": tables.rules,
        "said": tables.wording["dashboard"],  # the dashboard's own sentences
        "actor": request.actor,
        "database": store_path(datasette).stem,
        **context,
    }
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)
