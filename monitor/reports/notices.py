"""Rectification notices (整改通知) per department, and the history chart of the summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from typing import Any

from markupsafe import Markup

from monitor.store import Store

PALETTE = ("#b22222", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


@dataclass
class ReportContext:
    """What a run's report needs besides its problem data: the notice settings and the history."""

    issuer: str = "政务公开监管"
    deadline_days: int = 10
    history: list[dict[str, Any]] = field(default_factory=list)  # run, as_of, department, name, open
    clean_notice: bool = False  # a department with nothing to rectify gets a 检查结果告知
    basis: str = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"
    contact: str | None = None  # where the 回执 goes


def report_context(store: Store, run_id: int, runs: int = 8) -> ReportContext:
    """The notice settings of a run's config, and open problems per department over its last runs."""
    run = store.run(run_id)
    assert run is not None
    config = json.loads(run["config"])
    notice = config.get("notice") or {}
    names = {d["id"]: d["name"] for d in config["departments"]}
    recent = [r["id"] for r in store.db.query(
        "select id from runs where status = 'complete' and id <= ? order by id desc limit ?", [run_id, runs]
    )]  # fmt: skip
    rows = store.db.query(
        f"""select r.id as run, r.as_of, s.department, count(p.rowid) as open from runs r
            join scores s on s.run_id = r.id
            left join problems p on p.run_id = r.id and p.department = s.department and p.state != 'resolved'
            where r.id in ({",".join("?" * len(recent))}) group by r.id, s.department order by r.id""",
        recent,
    )
    history = [{**row, "name": names.get(row["department"], row["department"])} for row in rows]
    return ReportContext(
        notice.get("issuer", "政务公开监管"),
        int(notice.get("deadline_days", 10)),
        history,
        bool(notice.get("clean_notice", False)),
        notice.get("basis") or ReportContext.basis,
        notice.get("contact"),
    )


def chinese_date(day: str) -> str:
    """An ISO date as a 公文 writes it: 2026年11月22日."""
    value = date.fromisoformat(day[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_time(moment: str) -> str:
    """An ISO time as a 公文 writes it: 2026年11月22日 02:00."""
    value = datetime.fromisoformat(moment)
    return f"{chinese_date(moment)} {value:%H:%M}"


def reply_by(part: dict[str, Any]) -> str | None:
    """The day the 回执 is due: the last deadline of the department's open problems."""
    deadlines = [p["deadline"] for p in open_problems(part)]
    return max(deadlines) if deadlines else None


def open_problems(part: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems of a department's report that it still has to rectify."""
    return [p for p in part["problems"] if p["state"] != "resolved"]


def needs_notice(part: dict[str, Any], context: ReportContext) -> bool:
    """Whether a department gets a document: a 整改通知 when it has something to rectify, else as configured."""
    return bool(open_problems(part)) or context.clean_notice


def heading(part: dict[str, Any], context: ReportContext) -> dict[str, str]:
    """The header block of a department's notice."""
    dept = part["departments"][0]
    deadlines = sorted(p["deadline"] for p in open_problems(part))
    return {
        "发文单位": context.issuer,
        "部门": dept["name"],
        "网站": dept["site"],
        "检查时间": chinese_time(part["run"]["started_at"]),
        "检查基准日": part["run"]["as_of"],
        # Each problem has its own deadline (first found + the office's days); the first of them leads.
        "整改期限": deadlines[0] if deadlines else "—",
    }


def mark(problem: dict[str, Any]) -> str:
    """逾期未整改 and 连续 N 次未整改, as a notice shows them beside a problem."""
    marks = ["逾期未整改"] if problem.get("overdue") else []
    if (problem.get("runs_open") or 0) > 1:
        marks.append(f"连续 {problem['runs_open']} 次未整改")
    return "，".join(marks)


def history_svg(history: list[dict[str, Any]], width: int = 720, height: int = 260) -> Markup:
    """An inline SVG line chart: open problems per department over the last runs."""
    runs = sorted({h["run"] for h in history})
    if not runs:
        return Markup("")
    left, right, top, bottom = 40, 170, 20, 40
    peak = max(1, *(h["open"] for h in history))

    def x(run: int) -> float:
        return left + (width - left - right) * (runs.index(run) / max(1, len(runs) - 1))

    def y(count: int) -> float:
        return top + (height - top - bottom) * (1 - count / peak)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="各部门问题数变化"><rect width="100%" height="100%" fill="#fff"/>']  # fmt: skip
    parts += [
        f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
        f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
        for tick in range(0, peak + 1, max(1, peak // 4))
    ]
    as_of = {h["run"]: h["as_of"] for h in history}
    for run in runs:
        parts.append(f'<text x="{x(run):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">'
                     f"#{run} {escape(as_of[run][5:])}</text>")  # fmt: skip
    departments = list(dict.fromkeys(h["department"] for h in history))
    for index, dept in enumerate(departments):
        color = PALETTE[index % len(PALETTE)]
        points = [(x(h["run"]), y(h["open"])) for h in history if h["department"] == dept]
        name = next(h["name"] for h in history if h["department"] == dept)
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>' for px, py in points]
        legend_y = top + 16 * index
        legend_x = width - right + 12
        parts.append(f'<rect x="{legend_x}" y="{legend_y}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{legend_x + 16}" y="{legend_y + 9}" font-size="12">{escape(name)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))
