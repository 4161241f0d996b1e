"""The report of a run as plain data, shaped exactly like the contract's JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from common.categories import Categorizer
from common.tables import load_tables
from common.text import printable
from common.wording import load_reason, wording
from monitor.store import Store

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The fields a table of problems shows for each problem type: (header, field, kind),
# kind being text, url, date, bool or int (how a spreadsheet cell holds it).
FIELDS_BY_TYPE: dict[str, list[tuple[str, str, str]]] = {
    "site_unreachable": [("网站", "url", "url"), ("错误", "status_label", "text"), ("说明", "detail", "text")],
    "homepage_stale": [
        ("首页", "url", "url"),
        ("最后更新", "last_updated", "date"),
        ("未更新天数", "age_days", "int"),
        ("要求（天）", "threshold_days", "int"),
        ("说明", "detail", "text"),
    ],
    "column_stale": [
        ("栏目", "column", "text"),
        ("栏目地址", "column_url", "url"),
        ("类别", "category_label", "text"),
        ("最后更新", "last_updated", "date"),
        ("未更新天数", "age_days", "int"),
        ("要求（天）", "threshold_days", "int"),
    ],
    "column_empty": [
        ("栏目", "column", "text"),
        ("栏目地址", "column_url", "url"),
        ("类别", "category_label", "text"),
        ("说明", "detail", "text"),
    ],
    "broken_link": [
        ("问题链接", "url", "url"),
        ("所在页面", "source_url", "url"),
        ("链接文字", "anchor_text", "text"),
        ("在首页", "on_homepage", "bool"),
        ("错误", "status_label", "text"),
        ("链接页面数", "source_count", "int"),
    ],
    # 虚假更新, once a reviewer confirmed it
    "sudden_update": [
        ("栏目", "column", "text"),
        ("栏目地址", "column_url", "url"),
        ("集中发布起始", "last_updated", "date"),
        ("此前未更新天数", "age_days", "int"),
        ("说明", "detail", "text"),
    ],
    "repost": [
        ("信息链接", "url", "url"),
        ("栏目", "column", "text"),
        ("发布日期", "last_updated", "date"),
        ("原稿链接", "item_url", "url"),
        ("说明", "detail", "text"),
    ],
    "backdated": [
        ("信息链接", "url", "url"),
        ("栏目", "column", "text"),
        ("显示日期", "last_updated", "date"),
        ("相差天数", "age_days", "int"),
        ("说明", "detail", "text"),
    ],
    "suspect_wording": [
        ("信息链接", "url", "url"),
        ("栏目", "column", "text"),
        ("发布日期", "last_updated", "date"),
        ("错误表述", "term", "text"),
        ("建议改为", "suggestion", "text"),
        ("说明", "detail", "text"),
    ],
    "interaction_unanswered": [
        ("留言链接", "url", "url"),
        ("栏目", "column", "text"),
        ("栏目地址", "column_url", "url"),
        ("留言标题", "item_title", "text"),
        ("留言时间", "last_updated", "date"),
        ("已等待天数", "age_days", "int"),
        ("答复时限（天）", "threshold_days", "int"),
        ("说明", "detail", "text"),
    ],
}


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot become a formula (``=HYPERLINK(...)`` stays text) nor hold a control character."""
    value = printable(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _printable_row(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: printable(row[name]) for name in fields}


PROBLEM_FIELDS = (
    "department",
    "type",
    "column",
    "column_url",
    "category",
    "last_updated",
    "age_days",
    "threshold_days",
    "url",
    "source_url",
    "anchor_text",
    "status",
    "on_homepage",
    "source_count",
    "attempts",
    "detail",
    "first_seen",
    "state",
    "item_title",
    "item_url",
    "date_source",
    "source_place",
    "key",
    "review",  # 人工核查: confirmed, fixed_pending, or none (a dismissed finding is in no report)
    "term",  # a 表述错误: the words found, and their right form
    "suggestion",
)
COLUMN_FIELDS = ("department", "name", "url", "category", "items", "last_updated", "state")
WARNING_FIELDS = ("department", "kind", "url", "detail")
_STATE_ORDER = {"new": 0, "persisting": 1, "resolved": 2}


def _problem(row: dict[str, Any]) -> dict[str, Any]:
    out = _printable_row(row, PROBLEM_FIELDS)
    if out["on_homepage"] is not None:
        out["on_homepage"] = bool(out["on_homepage"])
    return out


def _rectification(store: Store, run: dict[str, Any], rows: list[dict[str, Any]], days: int) -> list[dict[str, Any]]:
    """Each problem with its deadline, whether it is overdue, and how many runs in a row have found it.

    The deadline is the day it was first found plus ``days``: a later run never
    moves it. A problem is overdue once the inspection day has passed its deadline.
    """
    as_of = date.fromisoformat(run["as_of"])
    open_keys = {r["key"] for r in rows if r["state"] != "resolved"}
    earliest = min((r["first_seen"] for r in rows), default=run["as_of"])
    seen: dict[tuple[str, str], list[str]] = {}
    for department, key, seen_on in store.open_problem_sightings(run["id"], earliest):
        if key in open_keys:
            seen.setdefault((department, key), []).append(seen_on)
    out = []
    for row in rows:
        problem = _problem(row)
        deadline = date.fromisoformat(row["first_seen"]) + timedelta(days=days)
        is_open = row["state"] != "resolved"
        problem["deadline"] = deadline.isoformat()
        problem["overdue"] = is_open and as_of > deadline
        runs = seen.get((row["department"], row["key"]), [])
        problem["runs_open"] = sum(1 for day in runs if day >= row["first_seen"]) if is_open else None
        out.append(problem)
    return out


def report_data(store: Store, run_id: int) -> dict[str, Any]:
    """Build the report of a stored, evaluated run."""
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    config = json.loads(run["config"])
    ids = json.loads(run["departments"])
    names = {d["id"]: d for d in config["departments"]}
    days = int((config.get("notice") or {}).get("deadline_days", 10))
    problems = sorted(
        _rectification(store, run, list(store.rows("problems", run_id)), days),
        key=lambda p: (
            ids.index(p["department"]),
            _STATE_ORDER[p["state"]],
            p["type"],
            p["url"] or p["column_url"] or "",
        ),
    )
    columns = [_printable_row(r, COLUMN_FIELDS) for r in store.rows("column_states", run_id)]
    warnings = [_printable_row(r, WARNING_FIELDS) for r in store.rows("warnings", run_id)]
    pages = store.pages_read(run_id)
    scores = {r["department"]: r for r in store.rows("scores", run_id)}
    window = load_tables().rules["probe"]["window_days"]
    departments = []
    for dept_id in ids:
        failed, total = store.probe_counts(dept_id, date.fromisoformat(run["as_of"]), window)
        score = scores.get(dept_id)
        departments.append(
            {
                "id": dept_id,
                "name": names[dept_id]["name"],
                "site": names[dept_id]["site"],
                "pages_crawled": pages.get(dept_id, 0),
                "columns": sum(1 for c in columns if c["department"] == dept_id),
                "problems": sum(1 for p in problems if p["department"] == dept_id and p["state"] != "resolved"),
                "score": score["score"] if score else None,
                "veto": json.loads(score["veto"]) if score else [],
                "passed": bool(score["passed"]) if score and score["passed"] is not None else None,
                "assessed": not (score and score["unassessed"]),
                "unassessed_reason": wording().unassessed(score["unassessed"]) or None if score else None,
                "unassessed_code": (load_reason(score["unassessed"]) or {}).get("code") if score else None,
                "probes": total,
                "probe_failure_ratio": round(failed / total, 4) if total else None,
                "last_probe_failure": store.last_probe_failure(dept_id, date.fromisoformat(run["as_of"]), window)
                if failed
                else None,
            }
        )
    _add_labels(departments, problems, columns, warnings)
    return {
        "run": {
            "id": run["id"],
            "started_at": run["started_at"],
            "finished_at": run["finished_at"],
            "as_of": run["as_of"],
        },
        "departments": departments,
        "problems": problems,
        "columns": columns,
        "warnings": warnings,
    }


def _add_labels(
    departments: list[dict[str, Any]],
    problems: list[dict[str, Any]],
    columns: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
) -> None:
    """Beside each code for programs, the Chinese a person reads (``…_label``, ``detail``, a department's ``result``).

    The stored reason of a problem or warning stays beside its words as ``reason``.
    """
    lab, words = labels(), wording()
    types, states, kinds, categories = lab["types"], lab["states"], lab["kinds"], lab["categories"]
    for dept in departments:
        dept["result"] = verdict_text(dept)
    for row in (*problems, *warnings):
        row["reason"] = load_reason(row["detail"])
    for problem in problems:
        problem["detail"] = words.problem(problem)
        failed = problem["type"] in ("broken_link", "site_unreachable") and problem["status"]
        problem["status_label"] = words.failure(problem["status"], problem["reason"]) if failed else None
        problem["type_label"] = types.get(problem["type"], problem["type"])
        problem["state_label"] = states.get(problem["state"], problem["state"])
        problem["category_label"] = categories.get(problem["category"], problem["category"])
        problem["review_label"] = lab["reviews"].get(problem["review"] or "")
    for column in columns:
        column["category_label"] = categories.get(column["category"], column["category"])
        column["state_label"] = lab["column_states"].get(column["state"], column["state"])
    for warning in warnings:
        warning["detail"] = words.warning(warning)
        warning["kind_label"] = kinds.get(warning["kind"], warning["kind"])
        if warning["kind"] == "suspect_wording":  # the contract's fields of a suspected 表述错误
            reason = warning["reason"] or {}
            warning.update({key: reason.get(key) for key in ("term", "suggestion", "column", "published")})


def problem_place(problem: dict[str, Any]) -> str:
    """Where a problem is, as a line names it.

    A column by its name and address, a message by its column and page, a 表述错误 by its words and page.
    """
    if problem.get("term"):
        return f"“{problem['term']}” {problem['url'] or ''}".strip()
    if problem["url"] and problem["column_url"]:  # a page of a column (a message)
        return f"{problem['column'] or ''} {problem['url'] or ''}".strip()
    if problem["column_url"]:
        return f"{problem['column']} {problem['column_url']}"
    return problem["url"] or ""


def labels() -> dict[str, dict[str, str]]:
    """The rule tables' Chinese: labels of types, kinds, states, vetoes, categories, date sources; 整改要求."""
    tables = load_tables()
    return {
        "types": tables.rules["problem_types"],
        "requirements": tables.rules["rectification"],
        "date_sources": tables.rules["date_sources"],
        "kinds": tables.rules["warning_kinds"],
        "states": tables.rules["states"],
        "column_states": tables.rules["column_states"],
        "vetoes": tables.rules["veto_labels"],
        "reviews": tables.rules["review"]["decisions"],
        "categories": Categorizer(tables.categories).labels,
    }


def split_by_department(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One report per department, each with the same shape as the whole."""
    return {
        dept["id"]: {
            "run": data["run"],
            "departments": [dept],
            **{
                key: [r for r in data[key] if r["department"] == dept["id"]]
                for key in ("problems", "columns", "warnings")
            },
        }
        for dept in data["departments"]
    }


def ranking(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Departments best first (红黑榜): passing, then failing, then those not inspected; by score, then problems."""
    return sorted(
        data["departments"],
        key=lambda d: (
            0 if d["passed"] else 2 if d["passed"] is None else 1,
            -(d["score"] if d["score"] is not None else -1),
            d["problems"],
            d["id"],
        ),
    )


def score_text(dept: dict[str, Any]) -> str:
    """A department's score as reports show it: 未计分 when a veto stopped the scoring or the site was not inspected."""
    if dept["score"] is None:
        return "未计分" if dept["veto"] or not dept.get("assessed", True) else ""
    return f"{dept['score']:g}"


def verdict_text(dept: dict[str, Any]) -> str:
    """合格, 不合格, or 无法评估 for a site that could not be inspected (blank for a run evaluated before scores)."""
    if not dept.get("assessed", True):
        return "无法评估"
    return "" if dept["passed"] is None else ("合格" if dept["passed"] else "不合格")


def veto_text(dept: dict[str, Any], labels: dict[str, dict[str, str]]) -> str:
    """The single-veto items a department hit, in Chinese."""
    return "、".join(labels["types"].get(v, labels["vetoes"].get(v, v)) for v in dept["veto"])
