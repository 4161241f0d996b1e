"""What a run's documents need besides its problem data: the office's settings and the record of earlier runs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from monitor.config import Notice
from monitor.store import Store

DEFAULTS = Notice()  # the config's defaults for a run whose config says nothing of notices


@dataclass
class ReportContext:
    """The office's notice settings (``notice:`` of the config) and how the run compares with earlier ones."""

    issuer: str = DEFAULTS.issuer
    deadline_days: int = 10
    clean_notice: bool = False  # a department with nothing to rectify gets a 检查结果告知
    basis: str = DEFAULTS.basis
    contact: str | None = None  # where the 回执 goes
    number: str | None = None  # the 文号 pattern ({year}, {issue}); None: the wording table's
    addressees: str | None = None  # 主送; None: the wording table's
    next_steps: list[str] | None = None  # 下一步要求; None: the wording table's
    issue: int = 1  # 第 N 期: the run's number among the complete runs of its year
    period_start: str | None = None  # the day after the previous complete run's inspection day
    previous_rate: float | None = None  # the previous complete run's 合格率, in percent
    failing_runs: dict[str, int] = field(default_factory=dict)  # department: complete runs in a row it failed
    screenshots: dict[str, bytes] = field(default_factory=dict)  # problem key: PNG of its page (--screenshots)


def pass_rate(store: Store, run_id: int) -> float | None:
    """A run's 合格率 in percent, over the departments that were judged (None when none was)."""
    results = [passed for passed in store.results(run_id).values() if passed is not None]
    return sum(results) / len(results) * 100 if results else None


def _failing_runs(store: Store, runs: list[int]) -> dict[str, int]:
    """For each department, how many of the latest complete runs in a row (``runs``, newest first) failed it."""
    streaks: dict[str, int] = {}
    ended: set[str] = set()
    for run_id in runs:
        for department, passed in store.results(run_id).items():
            if department in ended:
                continue
            if passed is False:
                streaks[department] = streaks.get(department, 0) + 1
            else:
                ended.add(department)
    return streaks


def report_context(store: Store, run_id: int) -> ReportContext:
    """The notice settings of a run's config and its place among the earlier complete runs."""
    run = store.run(run_id)
    assert run is not None
    config = json.loads(run["config"])
    notice = config.get("notice") or {}
    earlier = store.complete_runs_up_to(run_id)
    runs = [run_id, *(rid for rid, _ in earlier if rid != run_id)]
    previous = next(((rid, as_of) for rid, as_of in earlier if rid != run_id), None)
    year = run["as_of"][:4]
    return ReportContext(
        issuer=notice.get("issuer") or DEFAULTS.issuer,
        deadline_days=int(notice.get("deadline_days", 10)),
        clean_notice=bool(notice.get("clean_notice", False)),
        basis=notice.get("basis") or DEFAULTS.basis,
        contact=notice.get("contact"),
        number=notice.get("number"),
        addressees=notice.get("addressees"),
        next_steps=notice.get("next_steps"),
        issue=1 + sum(1 for rid, as_of in earlier if rid != run_id and as_of[:4] == year),
        period_start=(date.fromisoformat(previous[1]) + timedelta(days=1)).isoformat() if previous else None,
        previous_rate=pass_rate(store, previous[0]) if previous else None,
        failing_runs=_failing_runs(store, runs),
    )


def needs_notice(part: dict[str, Any], context: ReportContext) -> bool:
    """Whether a department gets a document: a 整改通知 when it has something to rectify, else as configured."""
    return bool(open_problems(part)) or context.clean_notice


def open_problems(part: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems of a report (or a department's part of it) that are still to be rectified."""
    return [p for p in part["problems"] if p["state"] != "resolved"]
