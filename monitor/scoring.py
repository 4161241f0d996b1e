"""Veto and score of a site, following the national inspection logic.

单项否决 items make a site fail, and then nothing else is scored; otherwise
deductions for broken links, stale and blank columns give a 0–100 score, and the
site passes at the pass mark. Every number is in ``config/rules.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitor.rules import Problem, Reason


@dataclass
class Score:
    """A department's verdict for one run."""

    score: float | None  # None: a veto fails the site, or it could not be inspected
    veto: list[str] = field(default_factory=list)  # which single-veto items it hit
    passed: bool | None = True  # None: 无法评估, the site could not be inspected
    unassessed: Reason | None = None  # why the site could not be inspected


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
    if any(kind in types for kind in veto.get("faked", [])):
        items.append("faked")  # a reviewer confirmed it: unconfirmed suspicions never reach the score
    serious = sum(1 for p in problems if p.type == "suspect_wording" and (p.detail or {}).get("serious"))
    if serious >= veto["serious_wording"]:
        items.append("serious_wording")  # confirmed by a reviewer, like every 表述错误 that reaches here
    if types.count("interaction_unanswered") >= veto["unanswered_messages"]:
        items.append("unanswered_messages")
    return items


def deductions(problems: list[tuple[str, bool | None, str | None]], rules: dict[str, Any]) -> dict[str, float]:
    """Points taken per indicator, each within its cap.

    The indicators: ``broken_link``, ``column_stale``, ``column_empty``, the
    confirmed 虚假更新 types (``score.fake_freshness``), confirmed 表述错误
    (``suspect_wording``) and messages unanswered beyond the limit (``interaction_unanswered``).

    ``problems`` are the open problems as (type, on_homepage, category).
    """
    weights = rules["score"]
    stale_weights = weights["column_stale"]
    fakes = weights.get("fake_freshness", {})
    points = {"broken_link": 0.0, "column_stale": 0.0, "column_empty": 0.0, **dict.fromkeys(fakes, 0.0)}
    points |= {"suspect_wording": 0.0, "interaction_unanswered": 0.0}
    for kind, on_homepage, category in problems:
        if kind == "broken_link":
            points[kind] += weights["broken_link_homepage"] if on_homepage else weights["broken_link_other"]
        elif kind == "column_stale":
            points[kind] += stale_weights.get(category or "", stale_weights["default"])
        elif kind == "column_empty":
            points[kind] += weights["column_empty"]
        elif kind in fakes:
            points[kind] += fakes[kind]
        elif kind == "suspect_wording":
            points[kind] += weights["wording"]
        elif kind == "interaction_unanswered":
            points[kind] += weights["interaction_unanswered"]
    caps = {"broken_link": "broken_links_cap", "column_stale": "column_stale_cap", "column_empty": "column_empty_cap"}
    caps |= dict.fromkeys(fakes, "fake_freshness_cap")
    caps |= {"suspect_wording": "wording_cap", "interaction_unanswered": "interaction_cap"}
    return {kind: round(min(value, weights[caps[kind]]), 1) for kind, value in points.items()}


def score_department(problems: list[Problem], rules: dict[str, Any], unassessed: Reason | None = None) -> Score:
    """Score a department from its open problems of one run.

    A site gongkai could not inspect (``unassessed`` says why) is never 合格: it
    is 无法评估, unless what it did see fails it (a veto, or a score below the pass mark).
    """
    weights = rules["score"]
    veto = veto_items(problems, rules)
    if veto:
        return Score(None, veto, passed=False)
    taken = deductions([(p.type, p.on_homepage, p.category) for p in problems], rules)
    score = round(max(0.0, 100 - sum(taken.values())), 1)
    if score < weights["pass_mark"]:
        return Score(score, veto, passed=False)  # what was seen for sure already fails the site
    if unassessed:
        return Score(None, [], passed=None, unassessed=unassessed)
    return Score(score, veto, passed=True)
