"""Veto and score of a site, following the national inspection logic.

单项否决 items make a site fail, and then nothing else is scored; otherwise
deductions for broken links, stale and blank columns give a 0–100 score, and the
site passes at the pass mark. Every number is in ``config/rules.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitor.rules import Problem


@dataclass
class Score:
    """A department's verdict for one run."""

    score: float | None  # None: a veto fails the site, or it could not be inspected
    veto: list[str] = field(default_factory=list)  # which single-veto items it hit
    passed: bool | None = True  # None: 无法评估, the site could not be inspected
    unassessed: str | None = None  # why the site could not be inspected


def veto_items(problems: list[Problem], rules: dict[str, Any]) -> list[str]:
    """The single-veto items a department's problems hit."""
    veto = rules["veto"]
    types = [p.type for p in problems]
    stale = [p for p in problems if p.type == "column_stale"]
    items = [kind for kind in ("site_unreachable", "homepage_stale") if kind in types]
    if sum(1 for p in stale if p.category in veto["key_categories"]) >= veto["stale_key_columns"]:
        items.append("stale_key_columns")
    if len(stale) >= veto["stale_columns"]:
        items.append("stale_columns")
    if types.count("column_empty") >= veto["empty_columns"]:
        items.append("empty_columns")
    return items


def score_department(problems: list[Problem], rules: dict[str, Any], unassessed: str | None = None) -> Score:
    """Score a department from its open problems of one run.

    A site gongkai could not inspect (``unassessed`` says why) is never 合格: it
    is 无法评估, unless what it did see fails it (a veto, or a score below the pass mark).
    """
    weights = rules["score"]
    links = [p for p in problems if p.type == "broken_link"]
    link_points = sum(weights["broken_link_homepage"] if p.on_homepage else weights["broken_link_other"] for p in links)
    stale_weights = weights["column_stale"]
    stale_points = sum(
        stale_weights.get(p.category or "", stale_weights["default"]) for p in problems if p.type == "column_stale"
    )
    empty_points = weights["column_empty"] * sum(1 for p in problems if p.type == "column_empty")
    deductions = (
        min(link_points, weights["broken_links_cap"])
        + min(stale_points, weights["column_stale_cap"])
        + min(empty_points, weights["column_empty_cap"])
    )
    veto = veto_items(problems, rules)
    if veto:
        return Score(None, veto, passed=False)
    score = round(max(0.0, 100 - deductions), 1)
    if score < weights["pass_mark"]:
        return Score(score, veto, passed=False)  # what was seen for sure already fails the site
    if unassessed:
        return Score(None, [], passed=None, unassessed=unassessed)
    return Score(score, veto, passed=True)
