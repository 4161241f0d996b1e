"""Render report data as JSON, CSV, Markdown, HTML or XLSX.

Text from crawled pages is data: HTML escapes it, CSV and XLSX neutralise
cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.files import write_whole
from monitor.reports.data import (
    COLUMNS,
    PROBLEM_FIELDS,
    labels,
    ranking,
    safe_cell,
    score_text,
    split_by_department,
    verdict_text,
    veto_text,
)
from monitor.reports.notices import (
    ReportContext,
    chinese_date,
    heading,
    history_svg,
    mark,
    needs_notice,
    reply_by,
)

if TYPE_CHECKING:
    from jinja2 import Environment

CSV_FIELDS = ("department", "department_name", *PROBLEM_FIELDS[1:])


def render_json(data: dict[str, Any], context: ReportContext) -> bytes:
    """The contract's JSON report."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# The CSV for people: (header, field) in the order a supervisor reads a problem.
PEOPLE_CSV = (
    ("部门", "department_name"), ("问题类型", "type_label"), ("状态", "state_label"), ("栏目", "column"),
    ("栏目地址", "column_url"), ("类别", "category_label"), ("最后更新", "last_updated"), ("未更新天数", "age_days"),
    ("要求（天）", "threshold_days"), ("问题链接", "url"), ("所在页面", "source_url"), ("链接文字", "anchor_text"),
    ("错误", "status"), ("在首页", "on_homepage"), ("链接页面数", "source_count"), ("失败次数", "attempts"),
    ("说明", "detail"), ("首次发现", "first_seen"), ("整改期限", "deadline"), ("逾期", "overdue"),
    ("连续发现次数", "runs_open"),
)  # fmt: skip


def _people_value(value: Any) -> Any:
    """A value as a person reads it: 是/否 for yes and no, nothing for none (codes come as their labels)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with BOM so Excel on Chinese Windows reads it; no cell can become a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_csv(data: dict[str, Any], context: ReportContext) -> bytes:
    """One row per problem for people: Chinese headers and values (``render_raw_csv`` keeps the codes)."""
    rows = [[_people_value(p.get(field)) for _, field in PEOPLE_CSV] for p in _named(data)]
    return _csv([header for header, _ in PEOPLE_CSV], rows)


def render_raw_csv(data: dict[str, Any], context: ReportContext) -> bytes:
    """One row per problem for programs: the JSON report's field names and codes."""
    rows = [[p.get(field) for field in CSV_FIELDS] for p in _named(data)]
    return _csv(list(CSV_FIELDS), rows)


def _named(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems, each with its department's name."""
    names = {d["id"]: d["name"] for d in data["departments"]}
    return [{**p, "department_name": names[p["department"]]} for p in data["problems"]]


@functools.cache
def _templates() -> Environment:
    """The report templates; jinja2 is loaded the first time an HTML page is rendered."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    loader = PackageLoader("monitor.reports", "templates")
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(
        score=score_text, verdict=verdict_text, vetoes=veto_text, mark=mark, cn_date=chinese_date, reply_by=reply_by
    )
    return env


def render_html(data: dict[str, Any], context: ReportContext, notices: str | None = None) -> bytes:
    """The summary: one self-contained page (inline styles and chart, no network needed to view it).

    ``notices`` is the folder, relative to the page, holding each department's notice.
    """
    template = _templates().get_template("report.html.j2")
    page = template.render(
        data=data, L=labels(), ranking=ranking(data), chart=history_svg(context.history), notices=notices
    )
    return page.encode("utf-8")


def render_notice(part: dict[str, Any], context: ReportContext) -> bytes:
    """One department's rectification notice (整改通知) as a self-contained page."""
    template = _templates().get_template("notice.html.j2")
    page = template.render(data=part, heading=heading(part, context), L=labels(), kinds=list(COLUMNS), context=context)
    return page.encode("utf-8")


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]()|!"} | {"\n": " ", "\r": " "})


def _md(text: Any) -> str:
    """Text from the store as Markdown that shows it: no HTML, no link or image syntax of a page's making."""
    return "" if text is None else html.escape(str(text), quote=False).translate(_MD_SPECIAL)


def render_md(data: dict[str, Any], context: ReportContext) -> bytes:
    """Markdown: a summary table, then each department's problems and warnings."""
    lab = labels()
    run = data["run"]
    out = [f"# 政务公开检查报告 (run {run['id']}, as of {run['as_of']})", ""]
    out += ["| 排名 | 部门 | 得分 | 结果 | 单项否决 | 问题 | 网站 |", "|---|---|---|---|---|---|---|"]
    for rank, d in enumerate(ranking(data), start=1):
        cells = [
            str(rank),
            _md(d["name"]),
            score_text(d),
            verdict_text(d),
            veto_text(d, lab),
            str(d["problems"]),
            _md(d["site"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    for dept in data["departments"]:
        out += ["", f"## {_md(dept['name'])} ({dept['id']})", ""]
        problems = [p for p in data["problems"] if p["department"] == dept["id"]]
        if problems:
            out += ["| 问题类型 | 状态 | 栏目/链接 | 所在页面 | 说明 |", "|---|---|---|---|---|"]
            for p in problems:
                target = f"{_md(p['column'])} {_md(p['column_url'])}" if p["column_url"] else _md(p["url"])
                out.append(
                    f"| {lab['types'].get(p['type'], p['type'])} | {lab['states'][p['state']]} | {target} "
                    f"| {_md(p['source_url'])} | {_md(p['detail'])} |"
                )
        else:
            out.append("未发现问题。")
        warnings = [w for w in data["warnings"] if w["department"] == dept["id"]]
        if warnings:
            out += ["", "提示（工具未能判断，不计为问题）：", ""]
            out += [f"- {lab['kinds'].get(w['kind'], w['kind'])}: {_md(w['url'])} {_md(w['detail'])}" for w in warnings]
    return ("\n".join(out) + "\n").encode("utf-8")


def render_xlsx(data: dict[str, Any], context: ReportContext) -> bytes:
    """A workbook: the ranking and counts, then one sheet per problem type."""
    from monitor.reports.workbook import summary_workbook  # openpyxl is loaded only to write a workbook

    return summary_workbook(data, labels(), ranking(data))


FORMATS: dict[str, Callable[[dict[str, Any], ReportContext], bytes]] = {
    "json": render_json,
    "csv": render_csv,
    "md": render_md,
    "html": render_html,
    "xlsx": render_xlsx,
}


def render(data: dict[str, Any], fmt: str, context: ReportContext | None = None) -> bytes:
    """Render report data in one of ``FORMATS``."""
    return FORMATS[fmt](data, context or ReportContext())


def write_per_department(
    data: dict[str, Any], fmt: str, directory: Path, context: ReportContext | None = None
) -> list[Path]:
    """Write one file per department into ``directory``; return the paths.

    For ``html`` and ``xlsx`` that file is the department's rectification notice,
    written only for a department with something to rectify (or, when the office
    asks for it with ``notice.clean_notice``, a 检查结果告知); other formats give
    the department's part of the report.
    """
    context = context or ReportContext()
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dept_id, part in split_by_department(data).items():
        path = directory / f"{dept_id}.{fmt}"
        if fmt in ("html", "xlsx") and not needs_notice(part, context):
            path.unlink(missing_ok=True)  # an earlier run's notice must not be taken for this one's
            continue
        if fmt == "html":
            body = render_notice(part, context)
        elif fmt == "xlsx":
            from monitor.reports.workbook import notice_workbook  # openpyxl is loaded only to write a workbook

            body = notice_workbook(part, labels(), heading(part, context))
        else:
            body = render(part, fmt, context)
        write_whole(path, body)
        paths.append(path)
    return paths
