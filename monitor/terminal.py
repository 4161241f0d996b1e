"""What the commands show on a terminal: a run's summary, the tables of runs and problems, the statistics.

Every word comes from the wording table (``config/wording.yaml``: ``headers``
and ``messages``); ``rich`` lays the tables out.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from common.tables import load_tables
from common.wording import fill, headers, say
from monitor.reports import ranking
from monitor.reports.data import problem_place, score_text, verdict_text
from monitor.reports.statistics import column_rows, paragraphs, period_rows, span_label, summary_rows
from monitor.reports.suspicions import warning_text
from monitor.stats import Statistics
from monitor.store import Store


def console() -> Console:
    """Rich output: the terminal's width, or a wide page when piped (cron mail, files)."""
    return Console(width=None if sys.stdout.isatty() else 160)


def _minute(moment: str | None) -> str:
    """A stored time as a table shows it: 2026-11-30 02:00."""
    return moment[:16].replace("T", " ") if moment else ""


def print_findings(
    findings: list[dict[str, Any]],
    reviews: dict[tuple[str, str], dict[str, Any]],
    names: dict[str, str],
    title: str,
) -> None:
    """Print a run's findings, numbered as ``gongkai review`` takes them, with each one's review and reply.

    ``names``: each department's name by id. Text people wrote (replies, reasons) and
    text from the sites (column names) is shown as it is, never read as markup.
    """
    rules = load_tables().rules
    types, decisions, ended = rules["problem_types"], rules["review"]["decisions"], rules["review"]["ended"]
    table = Table(title=title)
    for header in headers("number", "department", "problem", "column_or_link", "review", "review_reason", "reply"):
        table.add_column(header)
    for number, finding in enumerate(findings, start=1):
        review = reviews.get((finding["department"], finding["key"]), {})
        decision = decisions.get(review.get("decision") or "", "")
        reason = review.get("reason") or ""
        reply = f"{review['reply_date']} {review['reply']}" if review.get("reply") else ""
        # a column's finding by the column's name; an item's, a message's or a link's by its address
        by_column = finding.get("column_url") and not finding.get("url")
        target = (finding.get("column") if by_column else finding.get("url")) or ""
        if finding.get("term"):  # a suspected 表述错误: the words found first, the address may be cut
            target = f"“{finding['term']}” {target}"
        department = names.get(finding["department"], finding["department"])
        cells = (department, types[finding["type"]], target, decision, ended.get(reason, reason), reply)
        table.add_row(str(number), *(Text(str(cell)) for cell in cells))
    console().print(table)


def print_summary(data: dict[str, Any], title: str) -> None:
    """Print the per-department summary and the problem list of a report."""
    rules = load_tables().rules
    types, kinds, states = rules["problem_types"], rules["warning_kinds"], rules["states"]
    table = Table(title=title)
    keys = ("department", "score", "result", "pages", "column", "problem_count", "warning_count")
    for key, header in zip(keys, headers(*keys), strict=True):
        table.add_column(header, justify="left" if key in ("department", "result") else "right")
    for dept in ranking(data):
        warnings = sum(1 for w in data["warnings"] if w["department"] == dept["id"])
        counts = (dept["pages_crawled"], dept["columns"], dept["problems"], warnings)
        table.add_row(f"{dept['name']} ({dept['id']})", score_text(dept), verdict_text(dept), *map(str, counts))
    console().print(table)
    for dept in data["departments"]:
        problems = [p for p in data["problems"] if p["department"] == dept["id"]]
        warnings = [w for w in data["warnings"] if w["department"] == dept["id"]]
        if not problems and not warnings and dept.get("assessed", True):
            continue
        console().print(f"{dept['name']} ({dept['id']})", style="bold", highlight=False)
        if not dept.get("assessed", True):
            line = say("unassessed", what=dept["unassessed_reason"])
            console().print(line, highlight=False, markup=False, style="yellow")
        for p in problems:
            target = problem_place(p)
            where = say("on_page", path=p["source_url"]) if p["source_url"] else ""
            title_ = types[p["type"]]
            line = say("problem", title=title_, status=states[p["state"]], target=target, where=where, what=p["detail"])
            console().print(line, highlight=False, markup=False, soft_wrap=True)
        for w in warnings:
            line = say("warning", title=kinds.get(w["kind"], w["kind"]), target=w["url"] or "", what=warning_text(w))
            console().print(line, highlight=False, markup=False, soft_wrap=True, style="dim")


def print_runs(store: Store, title: str, running: bool) -> None:
    """Print the store's runs, newest first, with their counts.

    A run still marked running is shown as incomplete unless ``running`` (a crawl holds the store).
    """
    table = Table(title=title)
    keys = ("run", "state", "as_of", "started", "finished", "departments", "pages", "received")
    for header in headers(*keys, "problem_count", "warning_count"):
        table.add_column(header)
    states = load_tables().wording["run_states"]
    for run in store.runs():
        problems, warnings = store.run_counts(run["id"])
        received = f"{run['bytes'] / 2**20:.1f} MB" if run.get("bytes") is not None else ""
        status = "incomplete" if run["status"] == "running" and not running else run["status"]
        table.add_row(
            str(run["id"]),
            states.get(status, status),
            run["as_of"],
            _minute(run["started_at"]),
            _minute(run["finished_at"]),
            str(len(json.loads(run["departments"]))),
            str(run["pages"] or ""),
            received,
            str(problems),
            str(warnings),
        )
    console().print(table)


def print_problems(rows: list[dict[str, Any]], title: str) -> None:
    """Print problems as a table: department, type, state, where, the page it is on, why, first found."""
    rules = load_tables().rules
    table = Table(title=title)
    keys = ("department", "problem", "state", "column_or_link", "source_page", "explanation", "first_seen")
    for header in headers(*keys):
        table.add_column(header, overflow="fold")
    for p in rows:
        target = problem_place(p)
        kind, state = rules["problem_types"][p["type"]], rules["states"][p["state"]]
        table.add_row(p["department"], kind, state, target, p["source_url"] or "", p["detail"], p["first_seen"])
    console().print(table)


def print_stats(numbers: Statistics) -> None:
    """Print the statistics: by department × category, by period, the busiest columns, the paragraph and its scope."""
    words = load_tables().wording["stats"]
    out = console()
    for title, (head, rows) in (
        (fill(words["title"], span=span_label(numbers)), summary_rows(numbers)),
        (words["heading_periods"], period_rows(numbers)),
        (words["heading_busiest"], column_rows(numbers, numbers.busiest)),
    ):
        table = Table(title=title)
        for header in head:
            table.add_column(header)
        for row in rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        out.print(table)
    for line in paragraphs(numbers):
        out.print(Text(line))
