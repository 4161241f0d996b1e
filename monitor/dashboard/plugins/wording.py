"""SQL functions that say a stored finding in Chinese, as the reports do, when the dashboard shows it.

``explain_problem(json_object(...))`` takes a ``problem_list`` row's fields and
gives the same sentence the 整改通知 gives, from ``config/wording.yaml``.
"""

from __future__ import annotations

import json
import sqlite3

from datasette import hookimpl

from common.wording import wording


def explain_problem(row: str | None) -> str:
    """A problem row (as JSON) in words."""
    if not row:
        return ""
    problem = json.loads(row)
    problem["category"] = problem.pop("category_key", problem.get("category"))
    return wording().problem(problem)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Give every dashboard connection ``explain_problem``."""
    conn.create_function("explain_problem", 1, explain_problem, deterministic=True)
