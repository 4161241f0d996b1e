"""Render report data as JSON, CSV, Markdown, or as the 通报 in HTML, DOCX, PDF and XLSX.

The whole run's report in HTML, DOCX, PDF or XLSX is the 通报; per department
(``write_per_department``) it is the 整改通知. Text from crawled pages is data:
HTML escapes it, CSV and XLSX neutralise cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor.files import write_whole
from monitor.reports.bulletin import bulletin, bulletin_document
from monitor.reports.context import ReportContext, needs_notice
from monitor.reports.data import (
    PROBLEM_FIELDS,
    labels,
    problem_place,
    ranking,
    safe_cell,
    score_text,
    split_by_department,
    verdict_text,
    veto_text,
)
from monitor.reports.layout import Document, Line, render_document_html
from monitor.reports.notices import heading, notice_document
from monitor.reports.suspicions import warning_text

CSV_FIELDS = ("department", "department_name", *PROBLEM_FIELDS[1:])


def render_json(data: dict[str, Any], context: ReportContext) -> bytes:
    """The contract's JSON report."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# The CSV for people: (header, field) in the order a supervisor reads a problem.
PEOPLE_CSV = (
    ("部门", "department_name"),
    ("问题类型", "type_label"),
    ("状态", "state_label"),
    ("栏目", "column"),
    ("栏目地址", "column_url"),
    ("类别", "category_label"),
    ("最后更新", "last_updated"),
    ("未更新天数", "age_days"),
    ("要求（天）", "threshold_days"),
    ("问题链接", "url"),
    ("所在页面", "source_url"),
    ("链接文字", "anchor_text"),
    ("错误", "status_label"),
    ("在首页", "on_homepage"),
    ("链接页面数", "source_count"),
    ("失败次数", "attempts"),
    ("说明", "detail"),
    ("首次发现", "first_seen"),
    ("整改期限", "deadline"),
    ("逾期", "overdue"),
    ("连续发现次数", "runs_open"),
)


def _people_value(value: Any) -> Any:
    """A value as a person reads it: 是/否 for yes and no, nothing for none (codes come as their labels)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with BOM so Excel on Chinese Windows reads it; no cell can become a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_csv(data: dict[str, Any], context: ReportContext) -> bytes:
    """One row per problem for people: Chinese headers and values (``render_raw_csv`` keeps the codes)."""
    rows = [[_people_value(p.get(field)) for _, field in PEOPLE_CSV] for p in _named(data)]
    return csv_bytes([header for header, _ in PEOPLE_CSV], rows)


def render_raw_csv(data: dict[str, Any], context: ReportContext) -> bytes:
    """One row per problem for programs: the JSON report's field names and codes."""
    rows = [[p.get(field) for field in CSV_FIELDS] for p in _named(data)]
    return csv_bytes(list(CSV_FIELDS), rows)


def _named(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems, each with its department's name."""
    names = {d["id"]: d["name"] for d in data["departments"]}
    return [{**p, "department_name": names[p["department"]]} for p in data["problems"]]


def render_html(data: dict[str, Any], context: ReportContext, notices: str | None = None) -> bytes:
    """The 通报 as one self-contained page (no network needed to view or print it).

    ``notices`` is the folder, relative to the page, holding each department's notice:
    the 附件 table links each department to it.
    """
    document = bulletin_document(bulletin(data, context))
    if notices:
        _link_notices(document, data, context, notices)
    return render_document_html(document)


def _link_notices(document: Document, data: dict[str, Any], context: ReportContext, folder: str) -> None:
    """Make the name of each department that gets a notice, in the 附件, a link to it."""
    table = document.blocks[-1].table
    assert table is not None
    parts = split_by_department(data)
    for row, dept in zip(table.rows, ranking(data), strict=True):
        if needs_notice(parts[dept["id"]], context):
            row[1] = [Line(dept["name"], href=f"{folder}/{dept['id']}.html")]


def render_docx(data: dict[str, Any], context: ReportContext) -> bytes:
    """The 通报 as a DOCX (python-docx is loaded only to write one)."""
    from monitor.reports.word import render_docx as docx

    return docx(bulletin_document(bulletin(data, context)))


def render_pdf(data: dict[str, Any], context: ReportContext) -> bytes:
    """The 通报 as a PDF, printed from its HTML by headless Chromium."""
    from monitor.reports.pdf import render_pdf as pdf

    return pdf(render_html(data, context))


def render_notice(part: dict[str, Any], context: ReportContext, fmt: str = "html") -> bytes:
    """One department's 整改通知 as HTML, DOCX or PDF."""
    document = notice_document(part, context)
    if fmt == "docx":
        from monitor.reports.word import render_docx as docx

        return docx(document)
    page = render_document_html(document)
    if fmt == "pdf":
        from monitor.reports.pdf import render_pdf as pdf

        return pdf(page)
    return page


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]()|!"} | {"\n": " ", "\r": " "})


def md_text(text: Any) -> str:
    """Text from the store as Markdown that shows it: no HTML, no link or image syntax of a page's making."""
    return "" if text is None else html.escape(str(text), quote=False).translate(_MD_SPECIAL)


def render_md(data: dict[str, Any], context: ReportContext) -> bytes:
    """Markdown: a summary table, then each department's problems and warnings."""
    lab = labels()
    run = data["run"]
    out = [f"# 政务公开检查报告（第 {run['id']} 次检查，基准日 {run['as_of']}）", ""]
    out += ["| 排名 | 部门 | 得分 | 结果 | 单项否决 | 问题 | 网站 |", "|---|---|---|---|---|---|---|"]
    for rank, d in enumerate(ranking(data), start=1):
        cells = [
            str(rank),
            md_text(d["name"]),
            score_text(d),
            verdict_text(d),
            veto_text(d, lab),
            str(d["problems"]),
            md_text(d["site"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    for dept in data["departments"]:
        out += ["", f"## {md_text(dept['name'])} ({dept['id']})", ""]
        problems = [p for p in data["problems"] if p["department"] == dept["id"]]
        if problems:
            out += ["| 问题类型 | 状态 | 栏目/链接 | 所在页面 | 说明 |", "|---|---|---|---|---|"]
            for p in problems:
                target = md_text(problem_place(p))
                out.append(
                    f"| {lab['types'].get(p['type'], p['type'])} | {lab['states'][p['state']]} | {target} "
                    f"| {md_text(p['source_url'])} | {md_text(p['detail'])} |"
                )
        else:
            out.append("未发现问题。")
        warnings = [w for w in data["warnings"] if w["department"] == dept["id"]]
        if warnings:
            out += ["", "提示（工具未能判断，不计为问题）：", ""]
            out += [
                f"- {lab['kinds'].get(w['kind'], w['kind'])}: {md_text(w['url'])} {md_text(warning_text(w))}"
                for w in warnings
            ]
    return ("\n".join(out) + "\n").encode("utf-8")


def render_xlsx(data: dict[str, Any], context: ReportContext) -> bytes:
    """A workbook: the 通报's 附件 and the ranking with counts, then one sheet per problem type."""
    from monitor.reports.workbook import summary_workbook  # openpyxl is loaded only to write a workbook

    return summary_workbook(data, labels(), ranking(data), bulletin(data, context))


FORMATS: dict[str, Callable[[dict[str, Any], ReportContext], bytes]] = {
    "json": render_json,
    "csv": render_csv,
    "md": render_md,
    "html": render_html,
    "xlsx": render_xlsx,
    "docx": render_docx,
    "pdf": render_pdf,
}
NOTICE_FORMATS = ("html", "docx", "pdf", "xlsx")


def render(data: dict[str, Any], fmt: str, context: ReportContext | None = None) -> bytes:
    """Render report data in one of ``FORMATS``."""
    return FORMATS[fmt](data, context or ReportContext())


def write_per_department(
    data: dict[str, Any], fmt: str, directory: Path, context: ReportContext | None = None
) -> list[Path]:
    """Write one file per department into ``directory``; return the paths.

    For ``html``, ``docx``, ``pdf`` and ``xlsx`` that file is the department's
    整改通知, written only for a department with something to rectify (or, when the
    office asks for it with ``notice.clean_notice``, a 检查结果告知); other formats
    give the department's part of the report.
    """
    context = context or ReportContext()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dept_id, part in split_by_department(data).items():
        path = directory / f"{dept_id}.{fmt}"
        if fmt in NOTICE_FORMATS and not needs_notice(part, context):
            path.unlink(missing_ok=True)  # an earlier run's notice must not be taken for this one's
            continue
        if fmt in ("html", "docx", "pdf"):
            body = render_notice(part, context, fmt)
        elif fmt == "xlsx":
            from monitor.reports.workbook import notice_workbook  # openpyxl is loaded only to write a workbook

            body = notice_workbook(part, labels(), heading(part, context))
        else:
            body = render(part, fmt, context)
        write_whole(path, body)
        paths.append(path)
    return paths
