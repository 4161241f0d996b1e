"""人工核查: a person's review of a finding, kept across runs, and where it counts.

A finding (a department's problem, by its stable key) may be 确认 (``confirmed``),
不予认定 (``dismissed``, with a reason: 误报, 已知例外 …) or 已整改待复核
(``fixed_pending``), and carry the department's reply (text and date). The
decisions are in ``rules.yaml`` ``review`` (``common.table_models.ReviewRules``);
the store keeps the standing review of each finding and logs every write with
who made it and from where (``gongkai review``, the dashboard, or gongkai itself
when a review no longer holds).

When a run is judged (``monitor.evaluate``), a finding dismissed on the evidence
it still has (``review.evidence``: a dead link's status, a stale column's newest
date …), or, where the office counts confirmed findings only, one nobody has
confirmed, is set aside: it is in no problem list, notice, e-mail, score or
ranking, and the reviewers find it in ``set_aside``. A run that began after a
decision ends it when it no longer holds: a dismissal whose evidence changed, a
已整改待复核 whose problem is still there.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from common.table_models import ReviewRules
from common.wording import load_reason
from monitor.store import Store

SYSTEM = "gongkai"  # who ends a review that no longer holds, in the review log


class ReviewError(Exception):
    """A review that cannot be made (no such open finding, an unknown decision)."""


def review_rules(rules: dict[str, Any]) -> ReviewRules:
    """The ``review`` table of the loaded ``rules.yaml``."""
    return ReviewRules.model_validate(rules["review"])


def _comparable(value: Any) -> Any:
    """A field as evidence compares it: a stored reason (JSON text) and a fresh one (a dict) alike."""
    reason = load_reason(value)
    return reason if reason is not None else value


def evidence_of(rules: ReviewRules, problem: dict[str, Any]) -> str:
    """What a finding is judged on, as stored with a decision (its type's ``evidence`` fields)."""
    fields = rules.evidence.get(problem["type"], ["url"])
    return json.dumps({f: _comparable(problem.get(f)) for f in fields}, ensure_ascii=False, sort_keys=True)


def set_aside(
    rules: ReviewRules, problem: dict[str, Any], review: dict[str, Any] | None, confirmed_only: bool
) -> str | None:
    """Why a finding does not count in its run (``dismissed``, ``unconfirmed``), or None when it does.

    ``unconfirmed``: the office counts confirmed findings only (``confirmed_only``,
    always for a suspicion: ``confirm_first``) and no reviewer has confirmed it (or
    marked it 已整改待复核); a suspicion's confirmation holds only on the evidence
    it was made on.
    """
    decision = (review or {}).get("decision")
    if decision == "dismissed" and review and review["evidence"] == evidence_of(rules, problem):
        return "dismissed"
    if problem["type"] in rules.confirm_first and review and review["evidence"] != evidence_of(rules, problem):
        return "unconfirmed"  # a suspicion is confirmed on what was seen: a later burst is another one
    if confirmed_only and decision not in ("confirmed", "fixed_pending"):
        return "unconfirmed"
    return None


def ended(rules: ReviewRules, problem: dict[str, Any], review: dict[str, Any] | None, run_started: str) -> bool:
    """True when a run that began after the decision shows it no longer holds.

    A dismissal whose evidence changed; a 已整改待复核 whose problem is found again.
    """
    if not review or not review.get("decision") or not review.get("decided_at"):
        return False
    if datetime.fromisoformat(review["decided_at"]) > datetime.fromisoformat(run_started):
        return False  # the run began before the decision: it was made on this run
    if review["decision"] == "dismissed":
        return review["evidence"] != evidence_of(rules, problem)
    return review["decision"] == "fixed_pending"


def end(store: Store, review: dict[str, Any], why: str) -> None:
    """End a decision that no longer holds (its reply stays), logged as gongkai's own with ``why``."""
    store.save_review({**review, "decision": None, "reason": why, "evidence": None}, SYSTEM, "evaluation")


def decision_of(rules: ReviewRules, text: str) -> str:
    """A decision given by its key (``dismissed``) or its label (不予认定); raises ReviewError when neither."""
    for key, label in rules.decisions.items():
        if text in (key, label):
            return key
    raise ReviewError(text)


def aside_finding(row: dict[str, Any]) -> dict[str, Any]:
    """A ``set_aside`` row as the finding it holds, with why it was set aside (``set_aside``)."""
    return {**json.loads(row["finding"]), "set_aside": row["why"]}


def open_findings(store: Store, run_id: int) -> list[dict[str, Any]]:
    """The findings of a run a reviewer decides on: its open problems and those it set aside.

    In a stable order, so that ``gongkai review list``'s numbers stay what they
    were when a finding is set aside or taken up again. A set-aside one says why
    (``set_aside``: ``dismissed`` or ``unconfirmed``).
    """
    rows = list(store.rows("problems", run_id, "state != 'resolved'"))
    rows += [aside_finding(r) for r in store.rows("set_aside", run_id)]
    return sorted(rows, key=lambda r: (r["department"], r["type"], r["key"]))


def finding(store: Store, run_id: int, department: str, key: str) -> dict[str, Any]:
    """An open finding of a run: its problem row, or the finding the run set aside.

    Raises ReviewError when the run has no open finding by that key.
    """
    rows = list(store.rows("problems", run_id, "department = ? and key = ? and state != 'resolved'", [department, key]))
    if rows:
        return rows[0]
    aside = list(store.rows("set_aside", run_id, "department = ? and key = ?", [department, key]))
    if not aside:
        raise ReviewError(f"{department} {key}")
    return aside_finding(aside[0])


def decide(
    store: Store,
    rules: ReviewRules,
    run_id: int,
    department: str,
    key: str,
    decision: str,
    reason: str | None,
    by: str,
    source: str,
) -> dict[str, Any]:
    """Record a reviewer's decision on a finding of a run, with the evidence it is made on; returns the review."""
    if decision not in rules.decisions:
        raise ReviewError(decision)
    problem = finding(store, run_id, department, key)
    review = store.reviews(department).get((department, key), {"department": department, "key": key})
    review = {
        **review,
        "decision": decision,
        "reason": reason,
        "evidence": evidence_of(rules, problem),
        "decided_by": by,
        "decided_at": store.now(),
    }
    store.save_review(review, by, source)
    return review


def reply(
    store: Store, run_id: int, department: str, key: str, text: str, day: str, by: str, source: str
) -> dict[str, Any]:
    """Record the department's reply to a finding of a run (its text and date); returns the review."""
    finding(store, run_id, department, key)
    review = store.reviews(department).get((department, key), {"department": department, "key": key})
    review = {**review, "reply": text, "reply_date": day}
    store.save_review(review, by, source)
    return review
