"""信息公开统计: how many items each department published, by category and period, from the item register.

What is counted is what gongkai read: the items shown on the lists of the
columns it inspected (not the messages of 政务咨询 channels: the public's, not
published), each counted once however many runs saw it, by the date it was
first shown with (``monitor.register``; a re-dated item counts once, when first
published) — not the CMS's own numbers. An item later
withdrawn (撤稿) still counts (it was published) and is reported apart; an item
without a readable date is not counted and is reported apart; a department whose
crawl hit the page limit is named, its columns counted as far as they were read;
a department none of whose columns was read by the inspections since the span
began is named and not counted (never a 0).

How each department answered the messages of its 政务咨询 channels (咨询, 留言,
信箱) left within the span is counted as the newest inspection read them: how
many, answered, answered late, unanswered past the limit, and the median days a
reply took (``monitor.interaction``).

``statistics`` gathers the numbers; ``monitor.reports.statistics`` writes them
as a terminal table, XLSX, CSV, JSON, Markdown and DOCX.
"""

from __future__ import annotations

import itertools
import json
import statistics as numbers
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from common.categories import Categorizer
from common.table_models import Interaction
from common.tables import load_tables
from monitor.interaction import is_consultation, judge_messages, merged_messages, reply_times
from monitor.store import Store

By = Literal["year", "quarter", "month"]
YEARS = (1990, 2100)  # the years a statistic may be asked for


@dataclass
class Span:
    """The days counted, and the periods they are split into."""

    start: date
    end: date
    by: By

    def period(self, day: str) -> str:
        """The period an ISO date falls in: 2026, 2026-Q1 or 2026-03."""
        if self.by == "year":
            return day[:4]
        if self.by == "quarter":
            return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
        return day[:7]

    def periods(self) -> list[str]:
        """Every period of the span, in order (those without items too)."""
        found: list[str] = []
        day = self.start.replace(day=1)
        while day <= self.end:
            if (key := self.period(day.isoformat())) not in found:
                found.append(key)
            day = (day + timedelta(days=32)).replace(day=1)
        return found


@dataclass
class Statistics:
    """The numbers of one span (keys and codes; ``monitor.reports.statistics`` says them in Chinese)."""

    span: Span
    periods: list[str]
    categories: dict[str, str]  # key → label, in the order of categories.yaml (those with items)
    departments: list[dict[str, Any]]  # id, name, total, by_category, by_period, withdrawn, undated
    cells: list[dict[str, Any]]  # department, category, period, count (non-zero only)
    columns: list[dict[str, Any]]  # department, column, column_url, category, items, last, cadence …
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_period: dict[str, int] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)  # the days of the inspections counted from
    truncated: list[str] = field(default_factory=list)  # ids of departments whose crawl hit the page limit
    unread: list[str] = field(default_factory=list)  # ids of departments none of whose columns was read
    names: dict[str, str] = field(default_factory=dict)  # every department's name by id
    # 政务咨询: each department's messages left in the span and their answers (``monitor.interaction.reply_times``)
    replies: list[dict[str, Any]] = field(default_factory=list)
    replies_total: dict[str, Any] = field(default_factory=dict)  # the same over every department

    @property
    def busiest(self) -> list[dict[str, Any]]:
        """The ten columns with the most items in the span."""
        return sorted((c for c in self.columns if c["items"]), key=lambda c: -c["items"])[:10]

    @property
    def silent(self) -> list[dict[str, Any]]:
        """The columns with no item in the span, the longest silent first."""
        return sorted((c for c in self.columns if not c["items"]), key=lambda c: c["last"] or "")


def _thresholds(config: dict[str, Any]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The days within which each category, and each configured column, must be updated (as the rules judge)."""
    by_category = {**load_tables().rules["thresholds"], **(config.get("thresholds") or {})}
    by_column = {
        (d["id"], c["url"]): c["max_age_days"]
        for d in config.get("departments", [])
        for c in d.get("columns") or []
        if c.get("max_age_days")
    }
    return by_category, by_column


def _cadence(days: list[str], threshold: int | None) -> dict[str, Any]:
    """A column's publishing rhythm from its items' dates: the median interval, the next date, the stale date."""
    distinct = sorted(set(days))
    if not distinct:
        return {
            "last": None,
            "cadence_days": None,
            "expected_next": None,
            "stale_on": None,
            "threshold_days": threshold,
        }
    last = date.fromisoformat(distinct[-1])
    gaps = [(date.fromisoformat(b) - date.fromisoformat(a)).days for a, b in itertools.pairwise(distinct)]
    median = numbers.median(gaps) if gaps else None
    if median is not None and float(median).is_integer():
        median = int(median)
    return {
        "last": last.isoformat(),
        "cadence_days": round(median, 1) if median is not None else None,
        "expected_next": (last + timedelta(days=round(median))).isoformat() if median is not None else None,
        "stale_on": (last + timedelta(days=threshold + 1)).isoformat() if threshold else None,
        "threshold_days": threshold,
    }


def _replies(
    store: Store, run: dict[str, Any] | None, span: Span, names: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each department's 政务咨询 messages left within the span and how they were answered, as a run read them.

    The newest inspection is asked: a message answered since an earlier one counts as answered.
    """
    if run is None:
        return [], {}
    as_of = date.fromisoformat(run["as_of"])
    rules = Interaction.model_validate(load_tables().rules["interaction"])
    rules = rules.model_copy(update={"window_days": max(1, (as_of - span.start).days)})
    channels = {
        (c["department"], c["url"])
        for c in store.rows("column_states", run["id"])
        if is_consultation(c["name"], c["category"], rules)
    }
    rows, every = [], []
    for dept in names:
        messages = [m for m in merged_messages(store.messages(run["id"], dept)) if (dept, m.column_url) in channels]
        judged = [v for v in judge_messages(messages, rules, as_of) if v.asked and span.start <= v.asked <= span.end]
        if judged:
            rows.append({"id": dept, "name": names[dept], **reply_times(judged)})
            every += judged
    return rows, reply_times(every) if every else {}


def statistics(store: Store, start: date, end: date, by: By) -> Statistics:
    """The counts of items dated from ``start`` to ``end`` (both included), split by ``by``."""
    span = Span(start, end, by)
    first, last = start.isoformat(), end.isoformat()
    inspections = store.inspections(first)
    config = json.loads(inspections[-1]["config"]) if inspections else {}
    names: dict[str, str] = {}
    for run in inspections:
        names |= {d["id"]: d["name"] for d in json.loads(run["config"])["departments"]}
    truncated = sorted({d for run in inspections for d in json.loads(run["truncated"] or "[]")})
    by_category, by_column = _thresholds(config)

    counts: dict[tuple[str, str, str], int] = {}
    named: dict[tuple[str, str], tuple[str, str]] = {}
    dates: dict[tuple[str, str], list[str]] = {}
    in_span: dict[tuple[str, str], int] = {}
    uncounted: dict[str, list[int]] = {}  # department: [withdrawn, undated]
    interaction = Interaction.model_validate(load_tables().rules["interaction"])
    for department, column_url, column, category, day, withdrawn in store.register_items():
        if is_consultation(column or "", category, interaction):
            continue  # a 政务咨询 channel lists the public's messages, not information the department published
        key = (department, column_url)
        named.setdefault(key, (column, category))
        if day is None:
            uncounted.setdefault(department, [0, 0])[1] += 1
            continue
        if day > last:
            continue
        dates.setdefault(key, []).append(day)
        if day >= first:
            cell = (department, category, span.period(day))
            counts[cell] = counts.get(cell, 0) + 1
            in_span[key] = in_span.get(key, 0) + 1
            uncounted.setdefault(department, [0, 0])[0] += withdrawn

    columns = []
    for key, (column, category) in sorted(named.items()):
        threshold = by_column.get(key) or by_category.get(category)
        row = {"department": key[0], "column_url": key[1], "column": column, "category": category}
        columns.append({**row, "items": in_span.get(key, 0), **_cadence(dates.get(key, []), threshold)})

    replies, replies_total = _replies(store, inspections[-1] if inspections else None, span, names)
    labels = Categorizer(load_tables().categories).labels
    used = {category for _, category, _ in counts}
    order = [c for c in labels if c in used] + sorted(used - set(labels))  # a category since dropped: its key
    departments = []
    read = store.departments_read(first)
    for dept in sorted(read & set(names)):
        mine = {k: n for k, n in counts.items() if k[0] == dept}
        departments.append(
            {
                "id": dept,
                "name": names.get(dept, dept),
                "total": sum(mine.values()),
                "by_category": {c: n for c in order if (n := sum(v for k, v in mine.items() if k[1] == c))},
                "by_period": {p: sum(v for k, v in mine.items() if k[2] == p) for p in span.periods()},
                "withdrawn": uncounted.get(dept, (0, 0))[0],
                "undated": uncounted.get(dept, (0, 0))[1],
            }
        )
    return Statistics(
        span=span,
        periods=span.periods(),
        categories={key: labels.get(key, key) for key in order},
        departments=departments,
        cells=[{"department": d, "category": c, "period": p, "count": n} for (d, c, p), n in sorted(counts.items())],
        columns=columns,
        total=sum(counts.values()),
        by_category={c: sum(v for k, v in counts.items() if k[1] == c) for c in order},
        by_period={p: sum(v for k, v in counts.items() if k[2] == p) for p in span.periods()},
        runs=[run["as_of"] for run in inspections],
        truncated=truncated,
        unread=sorted(set(names) - read),
        names=names,
        replies=replies,
        replies_total=replies_total,
    )
