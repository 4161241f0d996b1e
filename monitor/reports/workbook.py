"""Excel workbooks (openpyxl) that open as they should in Excel and WPS.

Frozen header rows, filters on, column widths that fit Chinese text, clickable
URLs, dates as real dates. Text from crawled pages cannot become a formula.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from common.wording import headers as table_headers
from monitor.reports.bulletin import ATTACHMENT, Bulletin
from monitor.reports.data import FIELDS_BY_TYPE, safe_cell, verdict_text, veto_text
from monitor.reports.notices import mark
from monitor.reports.suspicions import suspected_types

_HEADER = Font(bold=True)
_LINK = Font(color="0563C1", underline="single")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_RESULT_FILLS = {
    "合格": PatternFill("solid", fgColor="E2EFDA"),
    "不合格": PatternFill("solid", fgColor="F8CBAD"),
    "无法评估": PatternFill("solid", fgColor="FFF2CC"),
}


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# The cell styles of a table, registered once per workbook as named styles: a cell
# then takes its style by name instead of openpyxl interning four style objects per cell.
_STYLES = {
    "gongkai-header": {"font": _HEADER, "fill": _HEADER_FILL},
    "gongkai-cell": {},
    "gongkai-text": {"alignment": Alignment(vertical="top")},
    "gongkai-long": {"alignment": Alignment(wrap_text=True, vertical="top")},
    "gongkai-link": {"font": _LINK},
    "gongkai-date": {"number_format": "yyyy-mm-dd"},
}


def _styled(sheet: Worksheet) -> None:
    """Register the table styles in the sheet's workbook (once)."""
    book = sheet.parent
    if "gongkai-cell" not in book.named_styles:
        for name, parts in _STYLES.items():
            book.add_named_style(NamedStyle(name=name, border=_BORDER, **parts))


def _cell(sheet: Worksheet, row: int, column: int, value: Any, kind: str) -> None:
    cell = sheet.cell(row=row, column=column)
    style = "gongkai-cell"
    if value is None or value == "":
        pass
    elif kind == "date":
        cell.value = date.fromisoformat(value)
        style = "gongkai-date"
    elif kind == "url":
        cell.value = safe_cell(value)
        if value.startswith(("http://", "https://")):
            cell.hyperlink = value
            style = "gongkai-link"
    elif kind == "bool":
        cell.value = "是" if value else "否"
    elif kind == "int":
        cell.value = value
    else:
        cell.value = safe_cell(value)
        style = "gongkai-long" if len(str(value)) > 60 else "gongkai-text"
    cell.style = style


def table(sheet: Worksheet, top: int, headers: list[tuple[str, str]], rows: list[list[Any]]) -> None:
    """Write a table with its header at row ``top``: bordered, frozen, filtered, fitted to its text."""
    _styled(sheet)
    for column, (title, _) in enumerate(headers, start=1):
        sheet.cell(row=top, column=column, value=title).style = "gongkai-header"
    for offset, values in enumerate(rows, start=1):
        for column, ((_, kind), value) in enumerate(zip(headers, values, strict=True), start=1):
            _cell(sheet, top + offset, column, value, kind)
            if isinstance(value, str) and value in _RESULT_FILLS:
                sheet.cell(row=top + offset, column=column).fill = _RESULT_FILLS[value]
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    last = get_column_letter(len(headers))
    sheet.auto_filter.ref = f"A{top}:{last}{top + max(len(rows), 1)}"
    for column, (title, kind) in enumerate(headers, start=1):
        widest = max([_width(title), *(_width(r[column - 1]) for r in rows)])
        cap = 12 if kind == "date" else 60
        sheet.column_dimensions[get_column_letter(column)].width = min(cap, max(8, widest + 2))
    _print_setup(sheet, top)


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    """Print on A4 landscape, all columns on one page's width, the header row repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _type_rows(
    problems: list[dict[str, Any]], kind: str, labels: dict[str, Any], names: dict[str, str]
) -> list[list[Any]]:
    rows = []
    for p in problems:
        if p["type"] != kind:
            continue
        values = {**p, "category_label": labels["categories"].get(p["category"] or "", p["category"])}
        rows.append(
            [
                names[p["department"]],
                *(values[field] for _, field, _ in FIELDS_BY_TYPE[kind]),
                labels["states"][p["state"]],
                p["first_seen"],
            ]
        )
    return rows


def _type_headers(kind: str) -> list[tuple[str, str]]:
    return [("部门", "text"), *((t, k) for t, _, k in FIELDS_BY_TYPE[kind]), ("状态", "text"), ("首次发现", "date")]


def _bulletin_sheet(sheet: Worksheet, bulletin: Bulletin) -> None:
    """The 通报's 附件 as a sheet: its title, the issuer and 文号, then the results table."""
    kinds = {"number": "int", "site": "url", "problems": "int"}
    headers = [
        (title, kinds.get(key, "text")) for key, title in zip(ATTACHMENT, table_headers(*ATTACHMENT), strict=True)
    ]
    rows = [[row[key] for key in ATTACHMENT] for row in bulletin.attachment]
    table(sheet, 4, headers, rows)
    last = get_column_letter(len(headers))
    sheet.merge_cells(f"A1:{last}1")
    sheet.merge_cells(f"A2:{last}2")
    title = sheet.cell(row=1, column=1, value=bulletin.attachment_title)
    title.font, title.alignment = Font(bold=True, size=16), Alignment(horizontal="center")
    sheet.cell(row=2, column=1, value=f"{bulletin.office}　{bulletin.number}　{bulletin.date}").alignment = Alignment(
        horizontal="center"
    )
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["G"].width = 40


def summary_workbook(
    data: dict[str, Any], labels: dict[str, Any], ranked: list[dict[str, Any]], bulletin: Bulletin
) -> bytes:
    """The whole run: the 通报's 附件, a summary sheet, then one sheet per problem type."""
    book = Workbook()
    _bulletin_sheet(book.active, bulletin)
    book.active.title = "检查结果"
    sheet = book.create_sheet("汇总")
    held = suspected_types()  # a sheet only once a reviewer confirmed one
    types = [t for t in FIELDS_BY_TYPE if t not in held or any(p["type"] == t for p in data["problems"])]
    headers = [
        ("排名", "int"),
        ("部门", "text"),
        ("网站", "url"),
        ("得分", "int"),
        ("结果", "text"),
        ("单项否决", "text"),
        *((labels["types"][t], "int") for t in types),
        ("新发现", "int"),
        ("未整改", "int"),
        ("已整改", "int"),
    ]
    rows = []
    for rank, dept in enumerate(ranked, start=1):
        mine = [p for p in data["problems"] if p["department"] == dept["id"]]
        open_ = [p for p in mine if p["state"] != "resolved"]
        states = [sum(1 for p in mine if p["state"] == s) for s in ("new", "persisting", "resolved")]
        rows.append(
            [
                rank,
                dept["name"],
                dept["site"],
                dept["score"],
                verdict_text(dept),
                veto_text(dept, labels),
                *(sum(1 for p in open_ if p["type"] == t) for t in types),
                *states,
            ]
        )
    table(sheet, 1, headers, rows)
    names = {d["id"]: d["name"] for d in data["departments"]}
    for kind in types:
        table(
            book.create_sheet(labels["types"][kind]),
            1,
            _type_headers(kind),
            _type_rows(data["problems"], kind, labels, names),
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def notice_workbook(part: dict[str, Any], labels: dict[str, Any], heading: dict[str, str]) -> bytes:
    """One department's rectification list: a header block, its open problems by type, what it fixed."""
    book = Workbook()
    sheet = book.active
    sheet.title = "整改清单"
    for row, (key, value) in enumerate(heading.items(), start=1):
        sheet.cell(row=row, column=1, value=key).font = _HEADER
        sheet.cell(row=row, column=2, value=safe_cell(value))
    top = len(heading) + 2
    headers = [
        ("问题类型", "text"),
        ("栏目 / 链接", "url"),
        ("栏目名称 / 链接文字", "text"),
        ("所在页面", "url"),
        ("最后更新", "date"),
        ("未更新天数", "int"),
        ("要求（天）", "int"),
        ("说明", "text"),
        ("状态", "text"),
        ("首次发现", "date"),
        ("整改期限", "date"),
        ("提醒", "text"),
        ("最新信息", "text"),
        ("最新信息网址", "url"),
    ]
    open_ = [p for p in part["problems"] if p["state"] != "resolved"]
    rows = [
        [
            labels["types"][p["type"]],
            p["url"] or p["column_url"],
            p["column"] or p["anchor_text"],
            p["source_url"],
            p["last_updated"],
            p["age_days"],
            p["threshold_days"],
            p["detail"] or p["status"],
            labels["states"][p["state"]],
            p["first_seen"],
            p.get("deadline"),
            mark(p),
            p.get("item_title"),
            p.get("item_url"),
        ]
        for p in sorted(open_, key=lambda p: list(FIELDS_BY_TYPE).index(p["type"]))
    ]
    table(sheet, top, headers, rows)
    if open_:  # the reply form (回执) the department fills in: one line for each problem
        headers = [("序号", "int"), ("问题", "text"), ("整改情况", "text"), ("完成时间", "text")]
        headers += [("责任人", "text"), ("联系电话", "text")]
        reply = [
            [
                index,
                f"{labels['types'][p['type']]}：{p['column'] or p['anchor_text'] or ''} {p['url'] or p['column_url']}",
            ]
            + [None] * 4
            for index, p in enumerate(open_, start=1)
        ]
        table(book.create_sheet("回执"), 1, headers, reply)
    fixed = [p for p in part["problems"] if p["state"] == "resolved"]
    table(
        book.create_sheet("已整改"),
        1,
        [("问题类型", "text"), ("栏目 / 链接", "url"), ("首次发现", "date")],
        [[labels["types"][p["type"]], p["url"] or p["column_url"], p["first_seen"]] for p in fixed],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
