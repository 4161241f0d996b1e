"""互动回应: the 政务咨询 messages a department left unanswered beyond the limit, and how fast it answers.

Pure functions of the facts, like ``monitor.rules``; ``monitor.evaluate`` applies
``unanswered_messages`` beside them. A message is unanswered
beyond the limit (``interaction_unanswered``, the 互动回应差 veto's evidence) only
when gongkai read both its date and a page saying it has no answer; a message
whose answer it cannot tell is a warning about the tool, never a problem.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from common.dates import normalize
from common.table_models import Interaction
from monitor.facts import DepartmentFacts, MessageFacts
from monitor.rules import Problem, RuleSettings, ToolWarning, column_rule


def merged_messages(rows: Iterable[dict[str, Any]]) -> list[MessageFacts]:
    """One message per page from its list's row and its own page's reading (``Store.messages``).

    Where the two disagree on the answer (the list says 已回复, the page 尚未回复),
    the answer is unknown.
    """
    by_url: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_url.setdefault(row["url"], []).append(row)
    out = []
    for url, seen in by_url.items():
        said = {bool(r["answered"]) for r in seen if r["answered"] is not None}
        listed = [r for r in seen if r["source"] == "list"]
        first = (listed or seen)[0]
        out.append(
            MessageFacts(
                url=url,
                column_url=next((r["column_url"] for r in seen if r["column_url"]), None),
                title=first["title"],
                asked_raw=next((r["asked_raw"] for r in (*listed, *seen) if r["asked_raw"]), None),
                answered=said.pop() if len(said) == 1 else None,
                replied_raw=next((r["replied_raw"] for r in seen if r["replied_raw"]), None),
                sources=tuple(sorted({r["source"] for r in seen})),
            )
        )
    return out


def is_consultation(name: str, category: str, rules: Interaction) -> bool:
    """True for a 政务咨询 channel: an interaction column that is not 在线访谈, 调查征集, 信访 or 举报."""
    return category == "interaction" and not any(word in name for word in rules.not_consultation)


def reply_due(asked: date, rules: Interaction) -> date:
    """The last day a message left on ``asked`` may be answered (``reply_limit``: months, days or working days)."""
    limit = rules.reply_limit
    if limit.months is not None:
        return asked + relativedelta(months=limit.months)
    if limit.days is not None:
        return asked + timedelta(days=limit.days)
    holidays, workdays = set(rules.holidays), set(rules.workdays)
    day, left = asked, limit.working_days or 0
    while left > 0:
        day += timedelta(days=1)
        if day in workdays or (day.weekday() < 5 and day not in holidays):
            left -= 1
    return day


@dataclass
class MessageVerdict:
    """What the rule makes of one message of a 政务咨询 column."""

    message: MessageFacts
    asked: date | None
    replied: date | None
    due: date | None
    state: str  # unanswered (the veto's evidence), unknown (cannot be told), answered, waiting, outside


def judge_messages(messages: list[MessageFacts], rules: Interaction, as_of: date) -> list[MessageVerdict]:
    """Each message's standing on ``as_of``: only those left within ``window_days`` are judged.

    ``unanswered``: its date was read, a page says it has no answer, and the limit
    has passed; ``unknown``: the limit has passed (or its date cannot be read) and
    no page says whether it was answered; ``waiting``: not answered, within the limit.
    """
    start = as_of - timedelta(days=rules.window_days)
    out = []
    for message in messages:
        asked = normalize(message.asked_raw, as_of)
        replied = normalize(message.replied_raw, as_of)
        due = reply_due(asked, rules) if asked else None
        if asked is not None and asked < start:
            state = "outside"
        elif message.answered:
            state = "answered"
        elif due is not None and due >= as_of:
            state = "waiting"
        elif message.answered is False and asked is not None:
            state = "unanswered"
        else:
            state = "unknown"
        out.append(MessageVerdict(message, asked, replied, due, state))
    return out


def reply_times(verdicts: list[MessageVerdict]) -> dict[str, Any]:
    """How a department answers, over the messages judged: counts by state, and the days replies took.

    ``late``: answered after the limit; ``median_days`` of the replies whose date was read.
    """
    judged = [v for v in verdicts if v.state != "outside"]
    days = [
        (v.replied - v.asked).days
        for v in judged
        if v.state == "answered" and v.asked and v.replied and v.replied >= v.asked  # a date misread is no reply time
    ]
    return {
        "messages": len(judged),
        "answered": sum(1 for v in judged if v.state == "answered"),
        "late": sum(1 for v in judged if v.state == "answered" and v.replied and v.due and v.replied > v.due),
        "unanswered": sum(1 for v in judged if v.state == "unanswered"),
        "unknown": sum(1 for v in judged if v.state == "unknown"),
        "waiting": sum(1 for v in judged if v.state == "waiting"),
        "median_days": statistics.median(days) if days else None,
    }


def unanswered_messages(
    facts: DepartmentFacts, settings: RuleSettings, rules: Interaction, as_of: date
) -> tuple[list[Problem], list[ToolWarning]]:
    """互动回应差: each 政务咨询 message read for certain as unanswered beyond the limit; a warning where unsure.

    ``rules``: ``interaction`` of rules.yaml, read once for the run.
    """
    problems: list[Problem] = []
    warnings: list[ToolWarning] = []
    channels = {}
    for column in facts.columns:
        category = column_rule(column, settings)[0]
        if is_consultation(column.name, category, rules):
            channels[column.url] = (column, category)
    messages = [m for m in facts.messages if m.column_url in channels]
    unsure: dict[str, int] = {}
    for verdict in judge_messages(messages, rules, as_of):
        column, category = channels[verdict.message.column_url or ""]
        if verdict.state == "unknown":
            unsure[column.url] = unsure.get(column.url, 0) + 1
        elif verdict.state == "unanswered" and verdict.asked and verdict.due:
            problems.append(
                Problem(
                    facts.id,
                    "interaction_unanswered",
                    column=column.name,
                    column_url=column.url,
                    category=category,
                    last_updated=verdict.asked.isoformat(),
                    age_days=(as_of - verdict.asked).days,
                    threshold_days=(verdict.due - verdict.asked).days,
                    url=verdict.message.url,
                    item_title=verdict.message.title,
                    detail={"code": "unanswered", "due": verdict.due.isoformat(), "read": verdict.message.sources},
                )
            )
    for url, count in unsure.items():
        detail = {"code": "unread_messages", "column": channels[url][0].name, "count": count}
        warnings.append(ToolWarning(facts.id, "interaction_unread", url, detail))
    return problems, warnings
