"""严重表述错误: what the crawl found in articles of the office's term tables (``terms.yaml``), as suspicions.

A pure function of the facts, like ``monitor.rules``; ``monitor.evaluate`` applies
it. Each finding is a problem of type ``suspect_wording`` that stays set aside (a
warning with its sentence) until a reviewer confirms it (``review.confirm_first``).
"""

from __future__ import annotations

from datetime import date

from common.dates import normalize
from monitor.facts import DepartmentFacts
from monitor.rules import Problem, RuleSettings, column_rule


def suspected_wording(facts: DepartmentFacts, settings: RuleSettings, as_of: date) -> list[Problem]:
    """Each suspected 表述错误 of an article, with its sentence (a suspicion: ``review.confirm_first``).

    An entry with ``since`` judges only articles known to be published on or after it.
    """
    columns = {c.url: c for c in facts.columns}
    problems: dict[str, Problem] = {}  # one finding per article and term, however a store holds it
    for found in facts.terms:
        published = normalize(found.list_raw, as_of) or normalize(found.page_raw, as_of)
        if found.since and (published is None or published < date.fromisoformat(found.since)):
            continue
        column = columns.get(found.column_url or "")
        named = {"column": column.name, "category": column_rule(column, settings)[0]} if column else {}
        detail = {
            "code": "suspect_wording",
            "kind": found.kind,
            "sentence": found.sentence,
            "note": found.note,
            "place": found.place,
            "serious": found.serious,
        }
        problem = Problem(
            facts.id,
            "suspect_wording",
            **named,
            url=found.url,
            last_updated=published.isoformat() if published else None,
            term=found.term,
            suggestion=found.suggestion,
            detail=detail,
        )
        problems.setdefault(problem.key, problem)
    return list(problems.values())
