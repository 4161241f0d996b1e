"""Render report data as JSON, CSV, Markdown, HTML or XLSX.

Text from crawled pages is data: HTML escapes it, CSV and XLSX neutralise
cells that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.categories import Categorizer
from monitor.reports.data import PROBLEM_FIELDS, ranking, split_by_department
from monitor.tables import load_tables

CSV_FIELDS = ("department", "department_name", *PROBLEM_FIELDS[1:])
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that cannot become a formula (``=HYPERLINK(...)`` stays text)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def labels() -> dict[str, dict[str, str]]:
    """Chinese labels for types, kinds, states and categories."""
    tables = load_tables()
    return {
        "types": tables.rules["problem_types"],
        "kinds": tables.rules["warning_kinds"],
        "states": tables.rules["states"],
        "vetoes": tables.rules["veto_labels"],
        "categories": Categorizer(tables.categories).labels,
    }


def render_json(data: dict[str, Any]) -> bytes:
    """The contract's JSON report."""
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def render_csv(data: dict[str, Any]) -> bytes:
    """One row per problem, UTF-8 with BOM so Excel on Chinese Windows reads it."""
    names = {d["id"]: d["name"] for d in data["departments"]}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for problem in data["problems"]:
        row = {**problem, "department_name": names[problem["department"]]}
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_env = Environment(loader=PackageLoader("monitor.reports", "templates"), autoescape=select_autoescape(["html", "j2"]))


def render_html(data: dict[str, Any]) -> bytes:
    """A self-contained HTML page (inline styles, no network needed to view it)."""
    template = _env.get_template("report.html.j2")
    return template.render(data=data, L=labels(), ranking=ranking(data), score=_score, verdict=_verdict).encode("utf-8")


def _md(text: Any) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _score(dept: dict[str, Any]) -> str:
    if dept["score"] is None:
        return "未计分" if dept["veto"] else ""
    return f"{dept['score']:g}"


def _verdict(dept: dict[str, Any]) -> str:
    return "" if dept["passed"] is None else ("合格" if dept["passed"] else "不合格")


def render_md(data: dict[str, Any]) -> bytes:
    """Markdown: a summary table, then each department's problems and warnings."""
    lab = labels()
    run = data["run"]
    out = [f"# 政务公开检查报告 (run {run['id']}, as of {run['as_of']})", ""]
    out += ["| 排名 | 部门 | 得分 | 结果 | 单项否决 | 问题 | 网站 |", "|---|---|---|---|---|---|---|"]
    for rank, d in enumerate(ranking(data), start=1):
        vetoes = "、".join(lab["types"].get(v, lab["vetoes"].get(v, v)) for v in d["veto"])
        out.append(
            f"| {rank} | {_md(d['name'])} | {_score(d)} | {_verdict(d)} | {vetoes} | {d['problems']} | {d['site']} |"
        )
    for dept in data["departments"]:
        out += ["", f"## {_md(dept['name'])} ({dept['id']})", ""]
        problems = [p for p in data["problems"] if p["department"] == dept["id"]]
        if problems:
            out += ["| 问题类型 | 状态 | 栏目/链接 | 所在页面 | 说明 |", "|---|---|---|---|---|"]
            for p in problems:
                target = f"{_md(p['column'])} {p['column_url']}" if p["column_url"] else _md(p["url"])
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


def render_xlsx(data: dict[str, Any]) -> bytes:
    """A workbook: the department summary and the problem list."""
    from openpyxl import Workbook

    lab = labels()
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append(["部门", "部门编号", "网站", "抓取页面", "栏目数", "问题数"])
    for d in data["departments"]:
        summary.append([safe_cell(d["name"]), d["id"], d["site"], d["pages_crawled"], d["columns"], d["problems"]])
    sheet = book.create_sheet("问题清单")
    sheet.append(["部门", "问题类型", "状态", *PROBLEM_FIELDS[2:-2], "首次发现"])
    names = {d["id"]: d["name"] for d in data["departments"]}
    for p in data["problems"]:
        values = [p[f] for f in PROBLEM_FIELDS[2:-2]]
        sheet.append(
            [names[p["department"]], lab["types"].get(p["type"], p["type"]), lab["states"][p["state"]],
             *(safe_cell(v) for v in values), p["first_seen"]]
        )  # fmt: skip
    for ws in (summary, sheet):
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "json": render_json,
    "csv": render_csv,
    "md": render_md,
    "html": render_html,
    "xlsx": render_xlsx,
}


def render(data: dict[str, Any], fmt: str) -> bytes:
    """Render report data in one of ``FORMATS``."""
    return FORMATS[fmt](data)


def write_per_department(data: dict[str, Any], fmt: str, directory: Path) -> list[Path]:
    """Write one report file per department (``DIR/<id>.<fmt>``); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for dept_id, part in split_by_department(data).items():
        path = directory / f"{dept_id}.{fmt}"
        path.write_bytes(render(part, fmt))
        paths.append(path)
    return paths
