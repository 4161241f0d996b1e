"""The 通报: a run's results laid out as the document an office issues.

``bulletin`` turns the report data and its context (the office, the previous
run, each department's record) into the parts of a 通报: heading, basis and
method, 总体情况, 主要问题 by type, 预警 (the suspected 虚假更新 a reviewer has
not confirmed yet, with their evidence), 红榜 and 黑榜, repeat offenders, scores
with their deductions, 下一步要求, 落款 and the 附件 table. Every sentence comes from
``config/wording.yaml``; HTML, DOCX, PDF and XLSX render the same parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from common.tables import load_tables
from common.wording import chinese_date, fill, headers, ordinal
from monitor.reports.context import ReportContext, open_problems
from monitor.reports.data import labels, problem_place, ranking, score_text, verdict_text, veto_text
from monitor.reports.layout import Document, Line, Table, text_cell
from monitor.reports.suspicions import suspicion_rows, suspicion_table
from monitor.scoring import deductions

# The order problem types are told in (the heaviest first).
TYPE_ORDER = (
    "site_unreachable",
    "homepage_stale",
    "column_stale",
    "column_empty",
    "interaction_unanswered",
    "suspect_wording",
    "broken_link",
    "backdated",
    "repost",
    "sudden_update",
)


@dataclass
class Bulletin:
    """The parts of a 通报, in reading order."""

    office: str
    number: str
    title: str
    addressees: str
    opening: str
    overall: str
    problems: list[str]  # one paragraph per problem type
    suspicions: list[dict[str, Any]]  # 预警: number, department, kind, detail, evidence [(label, url)]
    red: list[dict[str, Any]]  # 红榜 rows: rank, name, score, note
    black: list[dict[str, Any]]
    scores: list[dict[str, Any]]  # every department: name, score, result, deductions
    repeats: list[str]
    next_steps: list[str]
    date: str
    attachment_title: str
    attachment: list[dict[str, Any]]  # 附件: one row per department, keyed by ATTACHMENT
    ranking_rule: str = ""


# The 附件's columns (keys of each row and of the wording table's ``headers``).
ATTACHMENT = ("number", "department", "site", "score", "result", "problems", "main_problems")


def _say(template: str, **fields: Any) -> str:
    return fill(template, **fields)


def _rate(passed: int, assessed: int) -> float | None:
    return passed / assessed * 100 if assessed else None


def _deduction_text(dept: dict[str, Any], problems: list[dict[str, Any]], words: dict[str, Any]) -> str:
    """Why a department lost points (or which single-veto items failed it), in words."""
    lab = labels()
    if dept["veto"]:
        return _say(words["veto"], items=veto_text(dept, lab))
    if not dept.get("assessed", True) and dept["score"] is None:
        return _say(words["unassessed"], reason=dept.get("unassessed_reason") or "")
    rules = load_tables().rules
    mine = [(p["type"], p["on_homepage"], p["category"]) for p in problems if p["department"] == dept["id"]]
    taken = deductions(mine, rules)
    parts = [
        _say(words["deduction"], what=lab["types"][kind], count=[k for k, *_ in mine].count(kind), points=f"{points:g}")
        for kind, points in taken.items()
        if points
    ]
    return "；".join(parts) if parts else words["no_deduction"]


def _overall(data: dict[str, Any], context: ReportContext, words: dict[str, Any]) -> str:
    departments = data["departments"]
    passed = sum(1 for d in departments if d["passed"])
    failed = sum(1 for d in departments if d["passed"] is False)
    unassessed = len(departments) - passed - failed
    rate = _rate(passed, passed + failed)
    scores = [d["score"] for d in departments if d["score"] is not None]
    text = _say(
        words["overall"],
        total=len(departments),
        passed=passed,
        failed=failed,
        rate=f"{rate:.1f}%" if rate is not None else words["no_rate"],
    )
    if unassessed:
        text += _say(words["overall_unassessed"], count=unassessed)
    if scores:
        text += _say(words["average"], score=f"{sum(scores) / len(scores):.1f}")
    previous = context.previous_rate
    if context.period_start is None:
        text += words["change_first"]
    elif rate is None or previous is None:
        text += words["change_none"]
    elif abs(rate - previous) < 0.05:
        text += words["change_same"]
    else:
        key = "change_up" if rate > previous else "change_down"
        text += _say(words[key], points=f"{abs(rate - previous):.1f}")
    return text


def _main_problems(data: dict[str, Any], words: dict[str, Any]) -> list[str]:
    """One paragraph per problem type: how many, which departments, and the first as an example."""
    lab = labels()
    names = {d["id"]: d["name"] for d in data["departments"]}
    problems = open_problems(data)
    out = []
    for index, kind in enumerate(k for k in TYPE_ORDER if any(p["type"] == k for p in problems)):
        rows = [p for p in problems if p["type"] == kind]
        counts: dict[str, int] = {}
        for p in rows:
            counts[p["department"]] = counts.get(p["department"], 0) + 1
        who = "、".join(_say(words["department_count"], name=names[d], count=n) for d, n in counts.items())
        example = rows[0]
        out.append(
            _say(
                words["problem_type"],
                number=ordinal(index, nested=True),
                what=lab["types"][kind],
                count=len(rows),
                departments=who,
                example=f"{names[example['department']]}{example['detail']}",
            )
        )
    return out or [words["no_problems"]]


def _repeats(data: dict[str, Any], context: ReportContext, words: dict[str, Any]) -> list[str]:
    """Departments failing run after run, and problems left open past their deadline or run after run."""
    names = {d["id"]: d["name"] for d in data["departments"]}
    out = [
        _say(words["failing_streak"], name=names[dept], runs=runs)
        for dept, runs in context.failing_runs.items()
        if runs > 1 and dept in names
    ]
    lab = labels()
    for p in open_problems(data):
        if p.get("overdue") or (p.get("runs_open") or 0) > 1:
            by_page = (p["url"] and p["column_url"]) or p.get("term")  # a column may hold several
            where = problem_place(p) if by_page else p["column"] or p.get("anchor_text") or p["url"] or ""
            out.append(
                _say(
                    words["open_problem"],
                    name=names[p["department"]],
                    what=lab["types"][p["type"]],
                    where=where,
                    first=chinese_date(p["first_seen"]),
                    runs=p.get("runs_open") or 1,
                    overdue=words["overdue"] if p.get("overdue") else "",
                )
            )
    return out


def _main_issue(dept: dict[str, Any], problems: list[dict[str, Any]]) -> str:
    """The 主要问题 cell of the 附件: the types of a department's open problems with their counts."""
    lab = labels()
    mine = [p for p in problems if p["department"] == dept["id"]]
    words = load_tables().wording["documents"]
    parts = [
        fill(words["issue_count"], what=lab["types"][kind], count=sum(1 for p in mine if p["type"] == kind))
        for kind in TYPE_ORDER
        if any(p["type"] == kind for p in mine)
    ]
    if not parts and not dept.get("assessed", True):
        return dept.get("unassessed_reason") or ""
    return "；".join(parts) or words["no_issue"]


def bulletin(data: dict[str, Any], context: ReportContext) -> Bulletin:
    """The 通报 of a run."""
    words = load_tables().wording["documents"]
    as_of = date.fromisoformat(data["run"]["as_of"])
    fields = {"year": as_of.year, "issue": context.issue, "office": context.issuer}
    problems = open_problems(data)
    start = context.period_start or data["run"]["as_of"]
    period = (
        _say(words["period_range"], start=chinese_date(start), end=chinese_date(data["run"]["as_of"]))
        if start < data["run"]["as_of"]
        else chinese_date(start)
    )
    opening = _say(
        words["opening"], basis=context.basis, period=period, total=len(data["departments"]), office=context.issuer
    )
    order = ranking(data)
    rows = [
        {
            "name": d["name"],
            "score": score_text(d),
            "result": verdict_text(d),
            "deductions": _deduction_text(d, problems, words),
        }
        for d in order
    ]
    line = load_tables().rules["ranking"]["red_list_min_score"]
    red = [
        {"rank": i, "name": d["name"], "score": score_text(d), "note": words["red_note"]}
        for i, d in enumerate((d for d in order if d["passed"] and (d["score"] or 0) >= line), start=1)
    ]
    failing = [d for d in order if d["passed"] is False]  # the worst first: vetoed, then the lowest scores
    failing.sort(key=lambda d: (d["score"] if d["score"] is not None else -1.0, -d["problems"]))
    black = [
        {"rank": i, "name": d["name"], "score": score_text(d), "note": _deduction_text(d, problems, words)}
        for i, d in enumerate(failing, start=1)
    ]
    contact = context.contact or words["contact_default"]
    attachment = [
        dict(
            zip(
                ATTACHMENT,
                (i, d["name"], d["site"], score_text(d), verdict_text(d), d["problems"], _main_issue(d, problems)),
                strict=True,
            )
        )
        for i, d in enumerate(order, start=1)
    ]
    return Bulletin(
        office=context.issuer,
        number=_say(context.number or words["number"], **fields),
        title=_say(words["title"], **fields),
        addressees=context.addressees or words["addressees"],
        opening=opening,
        overall=_overall(data, context, words),
        problems=_main_problems(data, words),
        suspicions=suspicion_rows(data),
        red=red,
        black=black,
        scores=rows,
        repeats=_repeats(data, context, words) or [words["no_repeats"]],
        next_steps=[
            _say(step, days=context.deadline_days, contact=contact)
            for step in (context.next_steps or words["next_steps"])
        ],
        date=chinese_date(data["run"]["as_of"]),
        attachment_title=_say(words["attachment_title"], **fields),
        attachment=attachment,
        ranking_rule=_say(words["ranking"], line=f"{line:g}"),
    )


def _list_table(rows: list[dict[str, Any]]) -> Table:
    body = [[text_cell(r["rank"]), text_cell(r["name"]), text_cell(r["score"]), text_cell(r["note"])] for r in rows]
    return Table(headers("rank", "department", "score", "note"), body, ["number", "name", "number", "text"])


def bulletin_document(b: Bulletin) -> Document:
    """The 通报 as a document: heading, body in five parts, 落款, then the 附件 table on its own page."""
    words = load_tables().wording["documents"]
    doc = Document(b.title)
    doc.add("office", b.office)
    doc.add("number", b.number)
    doc.add("rule")
    doc.add("title", b.title)
    doc.add("to", f"{b.addressees}：")
    doc.add("para", b.opening)
    doc.add("heading", words["heading_overall"])
    doc.add("para", b.overall)
    doc.add("heading", words["heading_problems"])
    for paragraph in b.problems:
        doc.add("para", paragraph)
    doc.add("heading", words["heading_suspicions"])
    if b.suspicions:
        doc.add("para", fill(words["suspicions"], count=len(b.suspicions)))
        doc.add("table", table=suspicion_table(b.suspicions))
    else:
        doc.add("para", words["no_suspicions"])
    doc.add("heading", words["heading_ranking"])
    doc.add("para", b.ranking_rule)
    for title, rows in ((words["red_title"], b.red), (words["black_title"], b.black)):
        doc.add("subheading", title)
        if rows:
            doc.add("table", table=_list_table(rows))
        else:
            doc.add("para", words["empty_list"])
    doc.add("subheading", words["scores_title"])
    body = [
        [
            text_cell(r["name"]),
            text_cell(r["score"]),
            [Line(r["result"], style=_result_style(r["result"]))],
            text_cell(r["deductions"]),
        ]
        for r in b.scores
    ]
    table = Table(headers("department", "score", "result", "deductions"), body, ["name", "number", "kind", "text"])
    doc.add("table", table=table)
    doc.add("heading", words["heading_repeats"])
    for paragraph in b.repeats:
        doc.add("para", paragraph)
    doc.add("heading", words["heading_next"])
    for index, step in enumerate(b.next_steps, start=1):
        doc.add("para", f"{index}. {step}")
    doc.add("item", f"{words['attachment_label']}：{b.attachment_title}")
    doc.add("sign", lines=[b.office, b.date])
    doc.add("break")
    doc.add("label", words["attachment_label"])
    doc.add("title", b.attachment_title)
    body = [
        [text_cell(row[k]) if k != "result" else [Line(row[k], style=_result_style(row[k]))] for k in ATTACHMENT]
        for row in b.attachment
    ]
    kinds = ["number", "name", "url", "number", "kind", "number", "text"]
    doc.add("table", table=Table(headers(*ATTACHMENT), body, kinds))
    return doc


def _result_style(result: str) -> str | None:
    return {"合格": "pass", "不合格": "fail"}.get(result, "unknown" if result else None)
