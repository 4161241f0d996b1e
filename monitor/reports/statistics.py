"""``gongkai stats`` written out: the paragraph an annual report takes, and the tables behind it.

Every word comes from the wording table (``stats`` and ``headers`` of
``config/wording.yaml``). Formats: JSON (English keys and codes), CSV (UTF-8
with BOM, one row per department × category × period), XLSX (one sheet per
view, a chart of the departments by category), Markdown and DOCX (the paragraph,
what is counted, the tables). The terminal's table is ``monitor.terminal``'s.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from common.categories import Categorizer
from common.tables import load_tables
from common.wording import chinese_date, fill, headers
from monitor.reports.formats import csv_bytes, md_text
from monitor.reports.layout import Document, Table, text_cell
from monitor.reports.workbook import table as sheet_table
from monitor.stats import Span, Statistics

STATS_FORMATS = ("table", "json", "csv", "xlsx", "md", "docx")


def _words() -> dict[str, Any]:
    return load_tables().wording["stats"]


def period_label(key: str) -> str:
    """A period as people write it: 2026年, 2026年第一季度, 2026年3月."""
    words = _words()
    if len(key) == 4:
        return fill(words["span_year"], year=key)
    if "-Q" in key:
        return fill(words["span_quarter"], year=key[:4], quarter=words["quarters"][int(key[-1]) - 1])
    return fill(words["span_month"], year=key[:4], month=int(key[5:7]))


def span_label(stats: Statistics) -> str:
    """The span as the paragraph names it: a whole year, quarter or month by its name, else from … to …."""
    start, end = stats.span.start, stats.span.end
    first_day = {"year": start.month == 1 and start.day == 1, "quarter": start.month % 3 == 1 and start.day == 1}
    for by in ("year", "quarter", "month"):
        key = Span(start, end, by).period(start.isoformat())
        whole = first_day.get(by, start.day == 1) and _last_day(end, by)
        if whole and Span(start, end, by).periods() == [key]:
            return period_label(key)
    return fill(_words()["span_range"], start=chinese_date(start.isoformat()), end=chinese_date(end.isoformat()))


def _last_day(day: date, by: str) -> bool:
    """True when ``day`` is the last day of its year, quarter or month."""
    following = day + timedelta(days=1)
    if by == "year":
        return following.year != day.year
    if by == "quarter":
        return following.month != day.month and day.month % 3 == 0
    return following.month != day.month


def paragraphs(stats: Statistics) -> list[str]:
    """The annual report's paragraph (YYYY 年，各部门网站共主动公开政府信息 N 条，其中……), then what is counted."""
    words = _words()
    span = span_label(stats)
    if not stats.runs:
        return [words["no_runs"]]
    if not stats.total:
        text = [fill(words["paragraph_none"], span=span)]
    else:
        suffix = words["category_suffix"]  # 通知公告类信息, not 人事信息信息
        categories = "，".join(
            fill(words["category_part"], name=label if label.endswith(suffix) else label + suffix, count=n)
            for c, n in stats.by_category.items()
            if (label := stats.categories[c])
        )
        ranked = sorted((d for d in stats.departments if d["total"]), key=lambda d: -d["total"])
        departments = "，".join(fill(words["department_part"], name=d["name"], count=d["total"]) for d in ranked)
        text = [fill(words["paragraph"], span=span, total=stats.total, categories=categories, departments=departments)]
        if withdrawn := sum(d["withdrawn"] for d in stats.departments):
            text.append(fill(words["withdrawn"], count=withdrawn))
        names = {d["id"]: d["name"] for d in stats.departments}
        busiest = "、".join(
            fill(words["column_part"], department=names.get(c["department"]), column=c["column"], count=c["items"])
            for c in stats.busiest[:3]
        )
        text.append(fill(words["busiest"], columns=busiest))
        if stats.silent:
            text.append(fill(words["silent"], count=len(stats.silent)))
    if total := stats.replies_total:
        median = total["median_days"]
        text.append(
            fill(
                words["replies"] if median is not None else words["replies_undated"],
                span=span,
                messages=total["messages"],
                answered=total["answered"],
                late=total["late"],
                unanswered=total["unanswered"],
                waiting=total["waiting"],
                unknown=total["unknown"],
                median=f"{median:g}" if median is not None else "",
            )
        )
    return text + scope(stats)


def scope(stats: Statistics) -> list[str]:
    """What the numbers are: the inspections they come from, the sites cut short, the items not counted."""
    words = _words()
    first, last = chinese_date(stats.runs[0]), chinese_date(stats.runs[-1])
    period = first if first == last else fill(words["span_range"], start=first, end=last)
    lines = [fill(words["scope"], runs=len(stats.runs), span=period)]
    if stats.truncated:
        names = "、".join(stats.names.get(d, d) for d in stats.truncated)
        lines.append(fill(words["scope_truncated"], departments=names))
    if stats.unread:
        lines.append(fill(words["scope_unread"], departments="、".join(stats.names.get(d, d) for d in stats.unread)))
    if undated := sum(d["undated"] for d in stats.departments):
        lines.append(fill(words["scope_undated"], count=undated))
    return lines


def summary_rows(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """The department × category table with its totals: headers and rows (the last row is the 合计)."""
    head = [*headers("department"), *stats.categories.values(), *headers("total", "withdrawn")]
    rows = [
        [d["name"], *(d["by_category"].get(c, 0) for c in stats.categories), d["total"], d["withdrawn"]]
        for d in stats.departments
    ]
    totals = [*(stats.by_category.get(c, 0) for c in stats.categories), stats.total]
    rows.append([_words()["total_row"], *totals, sum(d["withdrawn"] for d in stats.departments)])
    return head, rows


def period_rows(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """The department × period table with its totals."""
    head = [*headers("department"), *(period_label(p) for p in stats.periods), *headers("total")]
    rows = [[d["name"], *(d["by_period"][p] for p in stats.periods), d["total"]] for d in stats.departments]
    rows.append([_words()["total_row"], *(stats.by_period[p] for p in stats.periods), stats.total])
    return head, rows


def column_rows(stats: Statistics, columns: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Columns with their numbers and rhythm: items in the span, last item, cadence, next and stale dates."""
    names = {d["id"]: d["name"] for d in stats.departments}
    labels = Categorizer(load_tables().categories).labels
    head = headers(
        "department", "column", "category", "items", "last_item", "cadence", "expected_next", "threshold", "stale_on"
    )
    rows = [
        [
            names.get(c["department"], c["department"]),
            c["column"],
            labels.get(c["category"], c["category"]),
            c["items"],
            c["last"],
            c["cadence_days"],
            c["expected_next"],
            c["threshold_days"],
            c["stale_on"],
        ]
        for c in columns
    ]
    return head, rows


def reply_rows(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """Each department's 政务咨询 messages: how many, answered, late, unanswered past the limit, unsure, median days."""
    head = headers("department", "messages", "answered", "late_answered", "unanswered", "unsure", "median_reply_days")
    keys = ("messages", "answered", "late", "unanswered", "unknown")
    return head, [[r["name"], *(r[k] for k in keys), _blank(r["median_days"])] for r in stats.replies]


def _blank(value: Any) -> Any:
    """A number, or an empty cell where there is none."""
    return "" if value is None else value


def cell_rows(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """One row per department × category × period with items."""
    names = {d["id"]: d["name"] for d in stats.departments}
    head = headers("department", "category", "period", "count")
    rows = [
        [
            names.get(c["department"], c["department"]),
            stats.categories[c["category"]],
            period_label(c["period"]),
            c["count"],
        ]
        for c in stats.cells
    ]
    return head, rows


def render_json(stats: Statistics) -> bytes:
    """The numbers with English keys and codes, and the paragraph."""
    data = {
        "span": {"from": stats.span.start.isoformat(), "to": stats.span.end.isoformat(), "by": stats.span.by},
        "total": stats.total,
        "by_category": stats.by_category,
        "by_period": stats.by_period,
        "departments": stats.departments,
        "cells": stats.cells,
        "columns": stats.columns,
        "busiest": stats.busiest,
        "silent": stats.silent,
        "runs": stats.runs,
        "truncated": stats.truncated,
        "unread": stats.unread,
        "category_labels": stats.categories,
        "replies": stats.replies,
        "replies_total": stats.replies_total,
        "paragraphs": paragraphs(stats),
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render_csv(stats: Statistics) -> bytes:
    """Department × category × period counts, UTF-8 with BOM."""
    return csv_bytes(*cell_rows(stats))


def render_md(stats: Statistics) -> bytes:
    """The paragraph and what is counted, then the tables."""
    words = _words()
    out = [f"# {md_text(fill(words['title'], span=span_label(stats)))}", ""]
    out += [md_text(line) + "\n" for line in paragraphs(stats)]
    views = (
        ("heading_departments", summary_rows(stats)),
        ("heading_periods", period_rows(stats)),
        ("heading_busiest", column_rows(stats, stats.busiest)),
        ("heading_silent", column_rows(stats, stats.silent)),
        *([("heading_replies", reply_rows(stats))] if stats.replies else []),
    )
    for heading, (head, rows) in views:
        out += [f"## {words[heading]}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(md_text("" if v is None else v) for v in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out).encode("utf-8")


def document(stats: Statistics) -> Document:
    """The statistics as a document: title, the paragraph and what is counted, the department × category table."""
    words = _words()
    doc = Document(fill(words["title"], span=span_label(stats)))
    doc.add("title", doc.title)
    for line in paragraphs(stats):
        doc.add("para", line)
    for heading, (head, rows) in (
        ("heading_departments", summary_rows(stats)),
        ("heading_busiest", column_rows(stats, stats.busiest)),
        *([("heading_replies", reply_rows(stats))] if stats.replies else []),
    ):
        doc.add("subheading", words[heading])
        body = [[text_cell(v) for v in row] for row in rows]
        doc.add("table", table=Table(head, body, ["name", *["number"] * (len(head) - 1)]))
    return doc


def render_xlsx(stats: Statistics) -> bytes:
    """One sheet per view; the first has the department × category table and its bar chart."""
    words = _words()
    book = Workbook()
    sheets = (
        ("sheet_summary", summary_rows(stats)),
        ("sheet_periods", period_rows(stats)),
        ("sheet_cells", cell_rows(stats)),
        ("sheet_columns", column_rows(stats, stats.columns)),
        *([("sheet_replies", reply_rows(stats))] if stats.replies else []),
    )
    for index, (name, (head, rows)) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = words[name]
        kinds = ["text" if i == 0 or isinstance(rows[0][i] if rows else 0, str) else "int" for i in range(len(head))]
        if name == "sheet_columns":
            kinds = ["text", "text", "text", "int", "date", "int", "date", "int", "date"]
        elif name == "sheet_replies":
            kinds = ["text", "int", "int", "int", "int", "int", "text"]
        sheet_table(sheet, 1, list(zip(head, kinds, strict=True)), rows)
    summary = book.worksheets[0]
    if stats.departments and stats.categories:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title = words["chart_title"]
        last_row = len(stats.departments) + 1
        data = Reference(summary, min_col=2, max_col=1 + len(stats.categories), min_row=1, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(summary, min_col=1, min_row=2, max_row=last_row))
        chart.height, chart.width = max(8, len(stats.departments) * 0.8), 18
        summary.add_chart(chart, f"B{last_row + 3}")
    text = book.create_sheet(words["sheet_text"])
    for row, line in enumerate([fill(words["title"], span=span_label(stats)), *paragraphs(stats)], start=1):
        text.cell(row=row, column=1, value=line)
    text.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_docx(stats: Statistics) -> bytes:
    """The paragraph and the tables as a DOCX laid out as a 公文."""
    from monitor.reports.word import render_docx as docx

    return docx(document(stats))


def render_stats(stats: Statistics, fmt: str) -> bytes:
    """The statistics in a file format (every one of ``STATS_FORMATS`` but ``table``)."""
    renderers = {"json": render_json, "csv": render_csv, "md": render_md, "xlsx": render_xlsx, "docx": render_docx}
    return renderers[fmt](stats)
