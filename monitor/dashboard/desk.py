"""What the supervisor's pages of the dashboard show: the period, a department, the problems, the statistics.

Built from the same report data as the JSON report and the 通报
(``monitor.reports``), and the same statistics as ``gongkai stats``, so every
number on a page is the report's.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from common.tables import load_tables
from common.wording import fill
from monitor.config import cron_trigger
from monitor.reports import report_data
from monitor.reports.bulletin import bulletin
from monitor.reports.context import open_problems, pass_rate, report_context
from monitor.reports.statistics import column_rows, paragraphs, period_rows, reply_rows, span_label, summary_rows
from monitor.reviews import aside_finding
from monitor.stats import By, statistics
from monitor.store import Store

TREND_RUNS = 8  # runs shown in the 合格率 trend
PROBE_DAYS = 7  # days of availability probes on a department's page


def _shown_rate(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 1)


def next_run(config: dict[str, Any], now: datetime | None = None) -> str | None:
    """When the config's schedule next runs a crawl (``YYYY-MM-DD HH:MM``), or None without a valid schedule."""
    zone = ZoneInfo(config.get("timezone") or "Asia/Shanghai")
    try:
        trigger = cron_trigger(config.get("schedule") or "", config.get("timezone") or "Asia/Shanghai")
    except ValueError:
        return None
    moment = trigger.get_next_fire_time(None, now or datetime.now(zone))
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def _share(ok: int, failed: int) -> float | None:
    """The share of a day's probes the homepage answered, in percent (None: no probe that day)."""
    return round(ok / (ok + failed) * 100, 1) if ok + failed else None


def overview(store: Store, run_id: int) -> dict[str, Any]:
    """The period at a glance: counts, 合格率 and its change, problems by type, 红黑榜, overdue and repeat problems."""
    data = report_data(store, run_id)
    context = report_context(store, run_id)
    paper = bulletin(data, context)
    departments = data["departments"]
    results = [d["passed"] for d in departments]
    rate = pass_rate(store, run_id)
    unfixed = open_problems(data)
    by_type = Counter(p["type_label"] for p in unfixed)
    trend = [
        (as_of[5:], _shown_rate(pass_rate(store, rid)))
        for rid, as_of in reversed(store.complete_runs_up_to(run_id)[:TREND_RUNS])
    ]
    previous = context.previous_rate
    run = store.run(run_id) or {}
    documents = load_tables().wording["documents"]
    return {
        "data": data,
        "checked": len(departments),
        "passed": sum(1 for r in results if r is True),
        "failed": sum(1 for r in results if r is False),
        "unassessed": sum(1 for r in results if r is None),
        "rate": _shown_rate(rate),
        "change": None if rate is None or previous is None else round(rate - previous, 1),
        "problems": len(unfixed),
        "pending": sum(1 for r in store.rows("set_aside", run_id) if r["why"] == "unconfirmed"),
        "by_type": by_type.most_common(),
        "red": paper.red,
        "black": paper.black,
        "suspicions": paper.suspicions,
        "said_suspicions": fill(documents["suspicions"], count=len(paper.suspicions)),
        "said_no_suspicions": documents["no_suspicions"],
        "overdue": [p for p in unfixed if p["overdue"]],
        "repeats": [p for p in unfixed if (p["runs_open"] or 0) >= 2],
        "trend": trend,
        "next_run": next_run(json.loads(run.get("config") or "{}")),
    }


def department(store: Store, run_id: int, department_id: str) -> dict[str, Any] | None:
    """One department's page: score and deductions, problems, column inventory, probes, notices and replies."""
    data = report_data(store, run_id)
    dept = next((d for d in data["departments"] if d["id"] == department_id), None)
    if dept is None:
        return None
    paper = bulletin(data, report_context(store, run_id))
    as_of = date.fromisoformat(data["run"]["as_of"])
    probes = store.probes_by_day(department_id, as_of, PROBE_DAYS)
    days = [(as_of - timedelta(days=n)).isoformat() for n in reversed(range(PROBE_DAYS))]
    reviews = store.reviews(department_id)
    columns = [
        {**c, "age": (as_of - date.fromisoformat(c["last_updated"][:10])).days if c["last_updated"] else None}
        for c in data["columns"]
        if c["department"] == department_id
    ]
    return {
        "data": data,
        "department": dept,
        "deductions": next((row["deductions"] for row in paper.scores if row["name"] == dept["name"]), ""),
        "problems": [p for p in open_problems(data) if p["department"] == department_id],
        "columns": columns,
        "probes": [(day[5:], *probes.get(day, (0, 0))) for day in days],
        "availability": [(day[5:], _share(*probes.get(day, (0, 0)))) for day in days],
        "probed": bool(probes),
        "notifications": store.notifications_of(department_id),
        "replies": [r for r in reviews.values() if r.get("reply")],
    }


def problems(store: Store, run_id: int, department_id: str | None) -> dict[str, Any]:
    """The run's open problems, of one department or all."""
    data = report_data(store, run_id)
    rows = [p for p in open_problems(data) if not department_id or p["department"] == department_id]
    aside = [
        aside_finding(r)
        for r in store.rows("set_aside", run_id)
        if not department_id or r["department"] == department_id
    ]
    return {"data": data, "problems": rows, "aside": aside, "chosen": department_id}


def disclosure(store: Store, run_id: int, year: int | None, by: By) -> dict[str, Any]:
    """The statistics of a year (default: the latest run's), as ``gongkai stats`` gives them."""
    data = report_data(store, run_id)
    year = year or date.fromisoformat(data["run"]["as_of"]).year
    numbers = statistics(store, date(year, 1, 1), date(year, 12, 31), by)
    words = load_tables().wording["stats"]
    return {
        "data": data,
        "year": year,
        "by": by,
        "title": fill(words["title"], span=span_label(numbers)),
        "paragraphs": paragraphs(numbers),
        "totals_heading": words["heading_totals"],
        "totals": [(d["name"], d["total"]) for d in sorted(numbers.departments, key=lambda d: -d["total"])],
        "views": [
            (words["heading_departments"], *summary_rows(numbers)),
            (words["heading_periods"], *period_rows(numbers)),
            (words["heading_busiest"], *column_rows(numbers, numbers.busiest)),
            (words["heading_silent"], *column_rows(numbers, numbers.silent)),
            (words["heading_columns"], *column_rows(numbers, numbers.columns)),
            *([(words["heading_replies"], *reply_rows(numbers))] if numbers.replies else []),
        ],
    }
