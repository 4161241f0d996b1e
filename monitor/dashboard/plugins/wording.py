"""SQL functions that say a stored finding in Chinese, as the reports do, when the dashboard shows it.

``explain_problem(json_object(...))`` takes a ``problem_list`` row's fields and
gives the same sentence the 整改通知 gives, from ``wording.yaml``: the office's
beside the config of the store's latest run when it is there (``gongkai serve``
names that folder in the plugin's settings), else the bundled one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from datasette import hookimpl
from datasette.app import Datasette

from common.tables import tables_of
from common.wording import wording


def explain_problem(row: str | None) -> str:
    """A problem row (as JSON) in words."""
    if not row:
        return ""
    problem = json.loads(row)
    problem["category"] = problem.pop("category_key", problem.get("category"))
    return wording().problem(problem)


@hookimpl
def prepare_connection(conn: sqlite3.Connection, datasette: Datasette) -> None:
    """Give every dashboard connection ``explain_problem``, in the office's wording."""
    folder = (datasette.plugin_config("gongkai") or {}).get("tables_dir")

    def explained(row: str | None) -> str:
        with tables_of(Path(folder) if folder else None):
            return explain_problem(row)

    conn.create_function("explain_problem", 1, explained, deterministic=True)
