"""The 整改通知: one department's problems laid out as the notice an office sends it.

``notice_document`` builds it once as a ``Document`` (HTML, DOCX and PDF are
made from that): addressee, basis, the inspection's result, the problems grouped
by type with one 整改要求 each and the evidence of every problem, its fixed
deadline and 逾期 / 连续未整改 marks, what was fixed, the early warnings, the 回执
and the signature.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from common.tables import load_tables
from common.wording import chinese_date, fill, headers, ordinal, wording
from monitor.reports.context import ReportContext, open_problems
from monitor.reports.data import FIELDS_BY_TYPE, labels, score_text, veto_text
from monitor.reports.layout import Cell, Document, Line, Table, link_cell, text_cell
from monitor.reports.screenshots import problem_key
from monitor.reports.suspicions import evidence_cell, suspected_types


def chinese_time(moment: str) -> str:
    """An ISO time as a 公文 writes it: 2026年11月22日 02:00."""
    return f"{chinese_date(moment)} {datetime.fromisoformat(moment):%H:%M}"


def reply_by(part: dict[str, Any]) -> str | None:
    """The day the 回执 is due: the last deadline of the department's open problems."""
    deadlines = [p["deadline"] for p in open_problems(part)]
    return max(deadlines) if deadlines else None


def heading(part: dict[str, Any], context: ReportContext) -> dict[str, str]:
    """The header block of a department's notice, as the workbook and the e-mail show it."""
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
    words = load_tables().wording["documents"]
    marks = [words["overdue_mark"]] if problem.get("overdue") else []
    if (problem.get("runs_open") or 0) > 1:
        marks.append(fill(words["runs_mark"], runs=problem["runs_open"]))
    return "，".join(marks)


def notice_title(part: dict[str, Any]) -> str:
    """关于…的整改通知, or …检查结果告知 for a department with nothing to rectify."""
    words = load_tables().wording["documents"]
    key = "notice_title" if open_problems(part) else "clean_title"
    return fill(words[key], department=part["departments"][0]["name"])


def result_text(dept: dict[str, Any]) -> str:
    """A department's result in a sentence's words: 合格（93.9 分）, 不合格（单项否决：…）, 无法评估（…）."""
    words = load_tables().wording["documents"]
    if not dept.get("assessed", True) and dept["passed"] is None:
        return fill(words["result_unassessed"], reason=dept.get("unassessed_reason") or "")
    if dept["passed"] is None:
        return words["result_unknown"]
    if dept["veto"]:
        return fill(words["result_veto"], items=veto_text(dept, labels()))
    return fill(words["result_passed" if dept["passed"] else "result_failed"], score=score_text(dept))


def _state(problem: dict[str, Any], states: dict[str, str]) -> Cell:
    lines = [Line(states[problem["state"]], style="strong" if problem["state"] == "new" else None)]
    if flags := mark(problem):
        lines.append(Line(flags, style="overdue"))
    return lines


def _where(problem: dict[str, Any], words: dict[str, Any]) -> Cell:
    """The page a broken link sits on: the homepage first, and how many pages carry it."""
    cell = link_cell(None, problem["source_url"])
    if problem.get("on_homepage"):
        cell.append(Line(words["on_homepage"]))
    if place := problem.get("source_place"):
        region, _, number = place.partition(":")
        where = fill(words["place"], region=words["regions"].get(region, words["regions"]["page"]), number=number)
        cell.append(Line(where, style="muted"))
    if (problem.get("source_count") or 0) > 1:
        cell.append(Line(fill(words["more_pages"], count=problem["source_count"]), style="muted"))
    return cell


def _newest(problem: dict[str, Any], words: dict[str, Any], sources: dict[str, str]) -> Cell:
    """A stale column's evidence: its newest item, linked, with its date and where that date was read."""
    cell = text_cell(problem.get("last_updated") or "—", style="nowrap")
    if problem.get("item_url"):
        cell.append(Line(problem.get("item_title") or problem["item_url"], href=problem["item_url"]))
    if problem.get("date_source"):
        source = sources.get(problem["date_source"], problem["date_source"])
        cell.append(Line(fill(words["date_source"], source=source), style="muted"))
    return cell


def _column(problem: dict[str, Any]) -> Cell:
    return [Line(problem.get("column") or ""), *link_cell(None, problem.get("column_url"))]


def _unreachable(problem: dict[str, Any], dept: dict[str, Any], words: dict[str, Any]) -> Cell:
    """An unreachable site's evidence: the explanation, and when the last probe failed and how."""
    cell = text_cell(problem["detail"])
    failure = dept.get("last_probe_failure")
    if problem["type"] == "site_unreachable" and failure:
        status = str(failure["status"]) if failure.get("status") else failure.get("error")
        said = wording().failure(status, None)
        cell.append(Line(fill(words["evidence_probes"], time=chinese_time(failure["at"]), error=said), style="muted"))
    return cell


def problem_table(kind: str, rows: list[dict[str, Any]], words: dict[str, Any], dept: dict[str, Any]) -> Table:
    """The table of one problem type: each problem with its evidence, state, first finding and deadline."""
    lab = labels()
    tail = ["state", "first_seen", "deadline"]
    tail_kinds = ["state", "date", "date"]
    suspected = kind in suspected_types()
    if kind == "column_stale":
        keys, kinds = ["column", "explanation", "newest"], ["text", "text", "text"]
    elif kind == "column_empty":
        keys, kinds = ["column", "explanation"], ["text", "text"]
    elif kind == "broken_link":
        keys, kinds = ["link", "source_page", "explanation"], ["url", "url", "text"]
    elif suspected:
        keys, kinds = ["explanation", "evidence"], ["text", "url"]
    else:
        keys, kinds = ["address", "explanation"], ["url", "text"]
    body = []
    for p in rows:
        if kind == "column_stale":
            cells = [_column(p), text_cell(p["detail"]), _newest(p, words, lab["date_sources"])]
        elif kind == "column_empty":
            cells = [_column(p), text_cell(p["detail"])]
        elif kind == "broken_link":
            cells = [link_cell(None, p["url"]), _where(p, words), text_cell(p["detail"])]
        elif suspected:
            cells = [text_cell(p["detail"]), evidence_cell(wording().evidence(p["reason"], p["url"]))]
        else:
            cells = [link_cell(None, p["url"]), _unreachable(p, dept, words)]
        body.append([*cells, _state(p, lab["states"]), text_cell(p["first_seen"]), text_cell(p["deadline"])])
    return Table(headers(*keys, *tail), body, kinds + tail_kinds)


def notice_document(part: dict[str, Any], context: ReportContext) -> Document:
    """One department's 整改通知 (or, with nothing to rectify, its 检查结果告知)."""
    words = load_tables().wording["documents"]
    lab = labels()
    dept = part["departments"][0]
    problems = open_problems(part)
    doc = Document(notice_title(part))
    doc.add("office", context.issuer)
    doc.add("rule")
    doc.add("title", doc.title)
    doc.add("to", f"{dept['name']}：")
    doc.add(
        "para",
        fill(
            words["notice_opening"],
            basis=context.basis,
            office=context.issuer,
            date=chinese_date(part["run"]["as_of"]),
            site=dept["site"],
            result=result_text(dept),
        ),
    )
    if problems:
        first = min(p["deadline"] for p in problems)
        doc.add("para", fill(words["notice_problems"], count=len(problems), deadline=chinese_date(first)))
    else:
        doc.add("para", words["notice_clean"])
    section = 0
    if problems:
        doc.add("heading", f"{ordinal(section)}{words['heading_issues']}")
        section += 1
        kinds = [k for k in FIELDS_BY_TYPE if any(p["type"] == k for p in problems)]
        for index, kind in enumerate(kinds):
            rows = [p for p in problems if p["type"] == kind]
            doc.add(
                "subheading",
                fill(words["group"], number=ordinal(index, nested=True), what=lab["types"][kind], count=len(rows)),
            )
            doc.add("para", fill(words["requirement"], text=lab["requirements"][kind]))
            doc.add("table", table=problem_table(kind, rows, words, dept))
    fixed = [p for p in part["problems"] if p["state"] == "resolved"]
    if fixed:
        doc.add("heading", f"{ordinal(section)}{fill(words['heading_fixed'], count=len(fixed))}")
        section += 1
        rows = [
            [
                text_cell(lab["types"][p["type"]]),
                [Line(p["column"] or p.get("anchor_text") or ""), *link_cell(None, p["url"] or p["column_url"])],
                text_cell(p["first_seen"]),
            ]
            for p in fixed
        ]
        doc.add("table", table=Table(headers("type", "column_or_link", "first_seen"), rows, ["kind", "url", "date"]))
    early = [w for w in part["warnings"] if w["kind"] == "column_near_stale"]
    if early:
        doc.add("heading", f"{ordinal(section)}{fill(words['heading_early'], count=len(early))}")
        section += 1
        rows = [[link_cell(None, w["url"]), text_cell(w["detail"])] for w in early]
        doc.add("table", table=Table(headers("column_url", "explanation"), rows, ["url", "text"]))
    shots = [(p, context.screenshots[key]) for p in problems if (key := problem_key(p)) in context.screenshots]
    if shots:
        doc.add("heading", f"{ordinal(section)}{words['heading_screenshots']}")
        section += 1
        for index, (p, picture) in enumerate(shots, start=1):
            what = p["column"] or p.get("anchor_text") or p["url"] or ""
            template = words["screenshot_link" if p["type"] == "broken_link" else "screenshot_page"]
            caption = fill(template, number=index, what=f"{lab['types'][p['type']]}：{what}")
            doc.add("image", caption, image=picture)
    if problems:
        doc.add("heading", f"{ordinal(section)}{words['heading_reply']}")
        contact = fill(words["reply_contact"], contact=context.contact) if context.contact else ""
        doc.add("para", fill(words["reply"], date=chinese_date(reply_by(part)), contact=contact))
        rows = [
            [
                text_cell(i),
                text_cell(
                    f"{lab['types'][p['type']]}：{p['column'] or p.get('anchor_text') or ''} "
                    f"{p['url'] or p['column_url'] or ''}".strip()
                ),
                [],
                [],
                [],
                [],
            ]
            for i, p in enumerate(problems, start=1)
        ]
        doc.add(
            "table",
            table=Table(headers("number", "problem", "rectified", "done_at", "person", "phone"), rows, ["number"]),
        )
    doc.add("sign", lines=[context.issuer, chinese_date(part["run"]["as_of"])])
    return doc
