"""The 预警 of a run: each suspected 突击更新, 旧稿重发, 日期倒签 or 表述错误 not confirmed yet, with its evidence.

The 通报 prints them in its 三、预警提示 (``monitor.reports.bulletin``) and the
dashboard's overview lists them; the evidence links are said by ``common.wording``.
"""

from __future__ import annotations

from typing import Any

from common.tables import load_tables
from common.wording import headers, wording
from monitor.reports.layout import Cell, Line, Table, text_cell


def suspected_types() -> set[str]:
    """The problem types gongkai only suspects (``review.confirm_first``): 突击更新, 旧稿重发, 日期倒签, 表述错误."""
    return set(load_tables().rules["review"]["confirm_first"])


def evidence_cell(evidence: list[tuple[str, str]]) -> Cell:
    """A suspicion's evidence links (``Wording.evidence``) as a cell: one line each, 本条：URL."""
    return [Line(f"{label}：{url}", href=url) for label, url in evidence]


def warning_text(warning: dict[str, Any]) -> str:
    """A warning as a person reads it: a suspected 表述错误 with its words, their right form and its sentence."""
    if warning.get("term"):
        return wording().problem({**warning, "type": warning["kind"], "detail": warning["reason"]})
    return warning["detail"] or ""


def suspicion_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The 预警 rows: each suspected 虚假更新 nobody has confirmed yet, with its evidence links."""
    suspected = suspected_types()
    names = {d["id"]: d["name"] for d in data["departments"]}
    say = wording()
    rows = [w for w in data["warnings"] if w["kind"] in suspected]
    return [
        {
            "number": i,
            "department": names.get(w["department"], w["department"]),
            "kind": w["kind_label"],
            "detail": warning_text(w),
            "evidence": say.evidence(w["reason"], w["url"]),
        }
        for i, w in enumerate(rows, start=1)
    ]


def suspicion_table(rows: list[dict[str, Any]]) -> Table:
    """The 预警 rows as the 通报 prints them: number, department, kind, what was seen, the evidence links."""
    body = [
        [
            text_cell(r["number"]),
            text_cell(r["department"]),
            text_cell(r["kind"]),
            text_cell(r["detail"]),
            evidence_cell(r["evidence"]),
        ]
        for r in rows
    ]
    kinds = ["number", "name", "kind", "text", "url"]
    return Table(headers("number", "department", "type", "explanation", "evidence"), body, kinds)
