"""Evaluate a stored run.

Load its facts, apply the rules, track each problem's lifecycle against the previous run, and save the verdict.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from common.categories import Categorizer
from common.reasons import parse_reason
from common.table_models import FakeFreshness, Interaction, ReviewRules
from common.tables import load_tables
from monitor.config import Config, load_config
from monitor.facts import ColumnFacts, DepartmentFacts, LinkFacts, TermFacts
from monitor.freshness import suspicions
from monitor.interaction import is_consultation, merged_messages, unanswered_messages
from monitor.register import item_date, update
from monitor.reviews import end, ended, review_rules, set_aside
from monitor.rules import Evaluation, Problem, RuleSettings, column_rule, evaluate_department, unassessed_reason
from monitor.scoring import score_department
from monitor.store import Store
from monitor.terms import suspected_wording


def rule_settings(config: Config, tables_dir: Path | None = None) -> RuleSettings:
    """Thresholds from rules.yaml, overridden by the config's ``thresholds:``."""
    tables = load_tables(tables_dir)
    return RuleSettings(
        homepage_max_age_days=int(tables.rules["homepage_max_age_days"]),
        thresholds={**tables.rules.get("thresholds", {}), **config.thresholds},
        categorizer=Categorizer(tables.categories),
        table=tables.rules,
    )


def label_rows(settings: RuleSettings) -> list[dict[str, str]]:
    """The Chinese labels of types, states, warning kinds and categories, for views that read well."""
    table = settings.table
    groups = {
        "type": table["problem_types"],
        "state": table["states"],
        "warning": table["warning_kinds"],
        "category": settings.categorizer.labels,
        "veto": table["veto_labels"],
        "review": table["review"]["decisions"],
    }
    return [{"kind": kind, "key": key, "label": name} for kind, names in groups.items() for key, name in names.items()]


def load_facts(
    store: Store,
    run_id: int,
    config: Config,
    dept_id: str,
    site: str,
    as_of: date,
    window_days: int,
    listed: list[dict[str, Any]],
) -> DepartmentFacts:
    """Gather what the crawl stored about one department (``listed``: its items, ``Store.dated_items``)."""
    homepage_check = next(store.rows("checks", run_id, "url = ?", [site]), None)
    facts = DepartmentFacts(
        id=dept_id,
        site=site,
        homepage_outcome=homepage_check["outcome"] if homepage_check else None,
        homepage_status=homepage_check["status"] if homepage_check else None,
        homepage_error=homepage_check["error"] if homepage_check else None,
        homepage_detail=homepage_check["detail"] if homepage_check else None,
        homepage_attempts=homepage_check["attempts"] if homepage_check else None,
    )
    dates_by_column: dict[str | None, list[tuple[str | None, str | None]]] = {}
    for row in listed:
        dates_by_column.setdefault(row["column_url"], []).append((*item_date(row), row["title"], row["url"]))
    facts.homepage_dates = [item[0] for item in dates_by_column.get(None, [])]

    dept = config.department(dept_id)
    configured = {c.url: c for c in (dept.columns or [])} if dept else {}
    for row in store.rows("columns", run_id, "department = ?", [dept_id]):
        override = configured.get(row["url"])
        facts.columns.append(
            ColumnFacts(
                url=row["url"],
                name=row["name"],
                reading=row["reading"],
                detail=row["detail"],
                item_dates=dates_by_column.get(row["url"], []),
                category=override.category if override else None,
                max_age_days=override.max_age_days if override else None,
            )
        )

    sources: dict[str, list[tuple[str, str, bool, str | None]]] = {}
    for row in store.broken_link_sources(run_id, dept_id):
        source = (row["source_url"], row["anchor_text"], bool(row["on_homepage"]), row["place"])
        sources.setdefault(row["url"], []).append(source)
    for url, link_sources in sources.items():
        check = next(store.rows("checks", run_id, "url = ?", [url]))
        facts.links.append(
            LinkFacts(
                url, check["outcome"], check["status"], check["error"], check["attempts"], check["detail"], link_sources
            )
        )
    facts.notes = [(n["kind"], n["url"], n["detail"]) for n in store.rows("notes", run_id, "department = ?", [dept_id])]
    facts.probes = store.probe_counts(dept_id, as_of, window_days)
    facts.terms = [TermFacts(**{**row, "serious": bool(row["serious"])}) for row in store.terms_found(run_id, dept_id)]
    facts.messages = merged_messages(store.messages(run_id, dept_id))
    return facts


def _lifecycle(
    store: Store,
    run_id: int,
    dept_id: str,
    problems: list[Problem],
    as_of: str,
    reviews: dict[str, dict[str, Any]],
    aside: set[str],
) -> list[dict[str, Any]]:
    """Give each problem ``state``, ``first_seen`` and its review; add the ones fixed since the previous run.

    A finding set aside (不予认定) is neither a problem now nor one fixed since.
    """
    previous_id = store.previous_run_id(run_id, dept_id)
    previous: dict[str, dict[str, Any]] = {}
    if previous_id is not None:
        previous = {
            row["key"]: row
            for row in store.rows("problems", previous_id, "department = ? and state != 'resolved'", [dept_id])
        }
    for key in aside:
        previous.pop(key, None)
    rows = []
    for problem in problems:
        row = _row(problem, reviews)
        before = previous.pop(problem.key, None)
        row["state"] = "persisting" if before else "new"
        row["first_seen"] = before["first_seen"] if before else as_of
        rows.append(row)
    rows.extend(
        {k: v for k, v in before.items() if k != "run_id"} | {"state": "resolved"} for before in previous.values()
    )
    return rows


def _row(problem: Problem, reviews: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A problem as its run's row reads: its fields, its key and its standing review (not a dismissal)."""
    decision = reviews.get(problem.key, {}).get("decision")
    return {**asdict(problem), "key": problem.key, "review": None if decision == "dismissed" else decision}


def _standing_reviews(
    store: Store, rules: ReviewRules, dept_id: str, problems: list[Problem], run_started: str
) -> dict[str, dict[str, Any]]:
    """A department's reviews by problem key, once those a run begun after them shows no longer hold are ended.

    ``run_started`` empty: a what-if, which changes nothing.
    """
    reviews = {key: review for (_, key), review in store.reviews(dept_id).items()}
    for problem in problems:
        review = reviews.get(problem.key)
        if run_started and ended(rules, asdict(problem), review, run_started):
            assert review is not None
            why = "evidence_changed" if review["decision"] == "dismissed" else "found_again"
            end(store, review, why)
            reviews[problem.key] = {**review, "decision": None, "reason": why, "evidence": None}
    return reviews


def _register(
    store: Store,
    facts: DepartmentFacts,
    verdict: Evaluation,
    listed: list[dict[str, Any]],
    run: tuple[int, str],
    as_of: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A department's item register as this run leaves it, and the rows the run added or changed.

    A crawl cut short by the page limit read no list to its end: it withdraws
    nothing. Judged again after later runs, a run sees no item they found first.
    """
    previous = store.register(facts.id)
    named = {c.url: (c.name, c.category) for c in verdict.columns}
    cut = any(
        kind == "crawl_truncated" and (parse_reason(detail) or {}).get("code") == "max_pages"
        for kind, _, detail in facts.notes
    )
    read = set() if cut else {c.url for c in verdict.columns if c.state in ("ok", "stale")}
    changed = update(facts.id, previous, (r for r in listed if r["column_url"] in named), named, read, run, as_of)
    books = {**previous, **{r["url"]: r for r in changed}}
    return [r for r in books.values() if r["first_run"] <= run[0]], changed


def _decided(store: Store, dept_id: str, rules: ReviewRules) -> frozenset[str]:
    """The columns and items whose suspected 虚假更新 a reviewer has decided on (by the finding's key)."""
    keys = [key.split("|", 2) for (_, key), review in store.reviews(dept_id).items() if review.get("decision")]
    return frozenset(target for _, kind, target in keys if kind in rules.confirm_first)


def _suspected(problem: Problem) -> dict[str, Any]:
    """A suspicion nobody has confirmed yet, as the warning (预警) reports list it with its evidence."""
    url = problem.url or problem.column_url  # an item's finding is the item's; a burst is its column's
    detail = problem.detail
    if problem.term:  # a suspected 表述错误 names the words found, and their right form
        detail = {**(detail or {}), "term": problem.term, "suggestion": problem.suggestion}
        detail.update(column=problem.column, published=problem.last_updated)
    return {"department": problem.department, "kind": problem.type, "url": url, "detail": detail}


def rejudge(store: Store, run_id: int) -> None:
    """Judge a stored run again by its own config (the file if it is still there) and save it."""
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    path = Path(run["config_path"])
    config = load_config(path) if path.is_file() else Config.model_validate_json(run["config"])
    as_of = date.fromisoformat(run["as_of"])
    evaluate_run(store, run_id, config, as_of, path.parent if path.is_file() else None)


def evaluate_run(
    store: Store, run_id: int, config: Config, as_of: date, tables_dir: Path | None = None, save: bool = True
) -> list[dict[str, Any]]:
    """(Re-)evaluate a stored run; save its problems, warnings, column states and scores unless ``save`` is False.

    Returns the problems (with their states), so a what-if can be shown without touching the store.
    """
    settings = rule_settings(config, tables_dir)
    reviewing = review_rules(settings.table)
    run = store.run(run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    snapshot = json.loads(run["config"])
    sites = {d["id"]: d["site"] for d in snapshot["departments"]}
    problems: list[dict[str, Any]] = []
    aside: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    columns: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    register: list[dict[str, Any]] = []
    fake_freshness = FakeFreshness.model_validate(settings.table["fake_freshness"])
    interaction = Interaction.model_validate(settings.table["interaction"])
    for dept_id in json.loads(run["departments"]):
        listed = list(store.dated_items(run_id, dept_id))
        window = settings.table["probe"]["window_days"]
        facts = load_facts(store, run_id, config, dept_id, sites[dept_id], as_of, window, listed)
        verdict: Evaluation = evaluate_department(facts, settings, as_of)
        verdict.problems += suspected_wording(facts, settings, as_of)
        unanswered, unread = unanswered_messages(facts, settings, interaction, as_of)
        verdict.problems += unanswered
        verdict.warnings += unread
        books, changed = _register(store, facts, verdict, listed, (run_id, run["as_of"]), as_of)
        register += changed
        thresholds = {c.url: column_rule(c, settings)[1] for c in facts.columns}
        standing = _decided(store, dept_id, reviewing)
        # A 政务咨询 channel lists the public's messages: two alike are no 旧稿重发 of the department's.
        published = [r for r in books if not is_consultation(r["column"] or "", r["category"], interaction)]
        verdict.problems += suspicions(dept_id, published, thresholds, fake_freshness, as_of, standing)
        reviews = _standing_reviews(store, reviewing, dept_id, verdict.problems, run["started_at"] if save else "")
        confirmed_only = config.review.require_confirmation
        first = reviewing.confirm_first
        why = {
            p.key: set_aside(reviewing, asdict(p), reviews.get(p.key), confirmed_only or p.type in first)
            for p in verdict.problems
        }
        kept = [p for p in verdict.problems if not why[p.key]]
        aside += [
            {"department": dept_id, "key": p.key, "why": why[p.key], "finding": json.dumps(row, ensure_ascii=False)}
            for p in verdict.problems
            if why[p.key] and (row := _row(p, reviews))
        ]
        score = score_department(kept, settings.table, unassessed_reason(facts, verdict))
        scores.append(
            {
                "department": dept_id,
                "score": score.score,
                "veto": json.dumps(score.veto),
                "passed": score.passed,
                "unassessed": json.dumps(score.unassessed, ensure_ascii=False) if score.unassessed else None,
            }
        )
        problems += _lifecycle(
            store, run_id, dept_id, kept, as_of.isoformat(), reviews, {k for k, w in why.items() if w}
        )
        warnings += [asdict(w) for w in verdict.warnings]
        warnings += [_suspected(p) for p in verdict.problems if why[p.key] == "unconfirmed" and p.type in first]
        columns += [asdict(c) for c in verdict.columns]
    if save:
        labels = label_rows(settings)
        store.save_evaluation(run_id, problems, warnings, columns, scores, as_of.isoformat(), labels, aside, register)
    return problems
