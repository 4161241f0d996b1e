"""The inspection rules: pure functions from crawl facts to problems and warnings.

No I/O here. A department is told off only for what the crawl saw for sure;
whatever gongkai could not read or reach becomes a warning about the tool.

A finding carries its reason as data (``{"code": …, …}``), never as a sentence:
``common.wording`` says it in Chinese when a report is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from common.categories import Categorizer
from common.dates import normalize
from common.reasons import parse_reason
from monitor.facts import ColumnFacts, DepartmentFacts

Reason = dict[str, Any]  # {"code": …, "arg": …, other facts}

NETWORK_ERRORS = frozenset(
    {"dns", "timeout", "connection_refused", "connection_reset", "connection_error", "tls", "error"}
)


@dataclass
class RuleSettings:
    """Thresholds and vocabulary the rules apply."""

    homepage_max_age_days: int
    thresholds: dict[str, int]
    categorizer: Categorizer
    table: dict[str, Any] = field(default_factory=dict)  # the whole rules.yaml: veto, early_warning ...


@dataclass
class Problem:
    """A finding a department must fix (one row of the contract's ``problems``)."""

    department: str
    type: str
    column: str | None = None
    column_url: str | None = None
    category: str | None = None
    last_updated: str | None = None
    age_days: int | None = None
    threshold_days: int | None = None
    url: str | None = None
    source_url: str | None = None
    source_place: str | None = None  # where on that page the link sits (region:number)
    anchor_text: str | None = None
    status: str | None = None
    on_homepage: bool | None = None
    source_count: int | None = None
    attempts: int | None = None  # how many requests of a broken link failed
    detail: Reason | None = None  # why, as data
    item_title: str | None = None  # a stale column's newest item: the evidence
    item_url: str | None = None
    date_source: str | None = None  # where that item's date was read (list, detail, written, url, meta)
    term: str | None = None  # a suspected 表述错误: the words found …
    suggestion: str | None = None  # … and their right form, where the tables give one

    @property
    def key(self) -> str:
        """Identity of the problem across runs (for new/persisting/resolved).

        A page's or a link's finding is its address's, even when it names the column
        listing it (a message); a column's is its column's; a term's is its page's and its words.
        """
        target = self.url or self.column_url
        return f"{self.department}|{self.type}|{target or ''}" + (f"|{self.term}" if self.term else "")


@dataclass
class ToolWarning:
    """Something gongkai could not judge; never a department's fault."""

    department: str
    kind: str
    url: str | None
    detail: Reason | None  # what, as data


@dataclass
class ColumnState:
    """One row of the column inventory (栏目清单)."""

    department: str
    name: str
    url: str
    category: str
    items: int
    last_updated: str | None
    state: str  # ok, stale, empty, unparsed, blocked, unchecked
    date_source: str | None = None  # where last_updated was read


@dataclass
class Evaluation:
    """The rules' verdict on one department."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[ToolWarning] = field(default_factory=list)
    columns: list[ColumnState] = field(default_factory=list)


def newest_item(dated: list[tuple[str | None, ...]], as_of: date) -> tuple[date | None, tuple[str | None, ...]]:
    """The newest readable date among items (raw text, source[, title, url]), with its item."""
    found = [(d, item) for item in dated if (d := normalize(item[0], as_of)) is not None]
    return max(found, key=lambda pair: pair[0], default=(None, (None, None)))


def newest(dated: list[tuple[str | None, ...]], as_of: date) -> tuple[date | None, str | None]:
    """The newest readable date among items (raw text, source[, title, url]), with its source."""
    last, item = newest_item(dated, as_of)
    return last, item[1]


def _site_unreachable(facts: DepartmentFacts) -> Problem | None:
    if facts.homepage_outcome != "broken":
        return None
    if facts.homepage_error == "http" and (facts.homepage_status or 0) < 500:
        return None
    status = str(facts.homepage_status) if facts.homepage_error == "http" else facts.homepage_error
    detail = parse_reason(facts.homepage_detail) or {"code": facts.homepage_error}
    return Problem(
        facts.id, "site_unreachable", url=facts.site, status=status, attempts=facts.homepage_attempts, detail=detail
    )


def _availability(facts: DepartmentFacts, settings: RuleSettings, out: Evaluation) -> bool:
    """site_unreachable from a week of probes, when there are probes; True when it was judged so."""
    failed, total = facts.probes
    if not total:
        return False
    ratio = failed / total
    days = settings.table["probe"]["window_days"]
    detail = {"code": "probes", "failed": failed, "total": total, "days": days}
    if ratio >= settings.table["veto"]["probe_failure_ratio"]:
        out.problems.append(
            Problem(facts.id, "site_unreachable", url=facts.site, status="probe_failures", detail=detail)
        )
    elif ratio >= settings.table["early_warning"]["probe_failure_ratio"]:
        out.warnings.append(ToolWarning(facts.id, "probe_failures", facts.site, detail))
    return True


def _homepage(facts: DepartmentFacts, settings: RuleSettings, as_of: date, out: Evaluation) -> None:
    """site_unreachable, homepage_stale, and the warnings when the homepage cannot be judged."""
    probed = _availability(facts, settings, out)
    if not probed and (problem := _site_unreachable(facts)):
        out.problems.append(problem)
        return
    if facts.homepage_outcome != "ok":
        detail = _unread_homepage(facts)
        out.warnings.append(ToolWarning(facts.id, "homepage_unreadable", facts.site, detail))
        return
    last, _ = newest([(raw, "list") for raw in facts.homepage_dates], as_of)
    where = "homepage"
    if last is None:
        # A navigation-only homepage is judged by its second-level pages (national rule).
        last, _ = newest([d for c in facts.columns for d in c.item_dates], as_of)
        where = "columns"
    if last is None:
        out.warnings.append(ToolWarning(facts.id, "homepage_undated", facts.site, {"code": "no_dates"}))
        return
    age = (as_of - last).days
    if age > settings.homepage_max_age_days:
        out.problems.append(
            Problem(
                facts.id,
                "homepage_stale",
                url=facts.site,
                last_updated=last.isoformat(),
                age_days=age,
                threshold_days=settings.homepage_max_age_days,
                detail={"code": where},
            )
        )


def column_rule(column: ColumnFacts, settings: RuleSettings) -> tuple[str, int | None]:
    """A column's category and the days within which it must be updated (None: it is only checked for emptiness)."""
    category = column.category or settings.categorizer.category(column.name)
    return category, column.max_age_days or settings.thresholds.get(category)


def _column(facts: DepartmentFacts, column: ColumnFacts, settings: RuleSettings, as_of: date, out: Evaluation) -> None:
    category, threshold = column_rule(column, settings)
    last, item = newest_item(column.item_dates, as_of)
    source = item[1]
    state = "ok"
    reading = column.reading
    if reading in ("empty", "unparsed") and column.item_dates:
        reading = "list"  # the first page showed no rows, but its later pages or data feed did
    base = {"column": column.name, "column_url": column.url, "category": category}
    if reading == "empty":
        state = "empty"
        detail = parse_reason(column.detail)
        out.problems.append(Problem(facts.id, "column_empty", **base, threshold_days=threshold, detail=detail))
    elif reading == "blocked":
        state = "blocked"
    elif reading == "unchecked":
        state = "unchecked"  # gongkai failed to read it: the crawl's internal_error warning says so
    elif reading == "unreachable":
        state = "unparsed"
        detail = parse_reason(column.detail, column=column.name)
        out.warnings.append(ToolWarning(facts.id, "column_unreachable", column.url, detail))
    elif reading == "unparsed" or last is None:
        state = "unparsed"
        if column.item_dates:
            detail = {"code": "undated", "items": len(column.item_dates), "column": column.name}
        else:
            detail = parse_reason(column.detail, column=column.name)
        out.warnings.append(ToolWarning(facts.id, "unparsed_column", column.url, detail))
    elif threshold is not None and (as_of - last).days > threshold:
        state = "stale"
        age = (as_of - last).days
        out.problems.append(
            Problem(
                facts.id,
                "column_stale",
                **base,
                last_updated=last.isoformat(),
                age_days=age,
                threshold_days=threshold,
                item_title=item[2] if len(item) > 3 else None,
                item_url=item[3] if len(item) > 3 else None,
                date_source=source,
                detail={"code": "stale"},
            )
        )
    if state == "ok" and threshold is not None and last is not None:
        days = settings.table["early_warning"]["column_days"]
        margin = days.get(category, days["default"])
        age = (as_of - last).days
        if age > threshold - margin:
            detail = {"code": "near_stale", "column": column.name, "age": age, "threshold": threshold}
            out.warnings.append(ToolWarning(facts.id, "column_near_stale", column.url, detail))
    out.columns.append(
        ColumnState(
            facts.id,
            column.name,
            column.url,
            category,
            len(column.item_dates),
            last.isoformat() if last else None,
            state,
            source,
        )
    )


def _links(facts: DepartmentFacts, out: Evaluation) -> None:
    for link in facts.links:
        if link.outcome != "broken" or not link.sources:
            continue
        # Show the homepage occurrence first: it weighs more for the department.
        source_url, anchor, _, place = min(link.sources, key=lambda s: (not s[2], s[0]))
        on_homepage = any(s[2] for s in link.sources)
        status = str(link.status) if link.error == "http" else link.error
        detail = parse_reason(link.detail) or {"code": link.error}
        out.problems.append(
            Problem(
                facts.id,
                "broken_link",
                url=link.url,
                source_url=source_url,
                source_place=place,
                anchor_text=anchor,
                status=status,
                on_homepage=on_homepage,
                source_count=len({s[0] for s in link.sources}),
                attempts=link.attempts,
                detail=detail,
            )
        )


def evaluate_department(facts: DepartmentFacts, settings: RuleSettings, as_of: date) -> Evaluation:
    """Apply every rule to one department's facts."""
    out = Evaluation()
    _homepage(facts, settings, as_of, out)
    for column in facts.columns:
        _column(facts, column, settings, as_of, out)
    _links(facts, out)
    for kind, url, code in dict.fromkeys(facts.notes):  # a resumed crawl may note a thing twice
        out.warnings.append(ToolWarning(facts.id, kind, url, parse_reason(code)))
    _near_veto(facts, settings, out)
    return out


def _near_veto(facts: DepartmentFacts, settings: RuleSettings, out: Evaluation) -> None:
    """Warn when a count is one short of its veto line (blank columns, stale columns)."""
    veto, margin = settings.table["veto"], settings.table["early_warning"]["veto_margin"]
    stale = [p for p in out.problems if p.type == "column_stale"]
    counts = {
        "stale_key_columns": sum(1 for p in stale if p.category in veto["key_categories"]),
        "stale_columns": len(stale),
        "empty_columns": sum(1 for p in out.problems if p.type == "column_empty"),
    }
    for key, count in counts.items():
        line = veto[key]
        if line - margin <= count < line:
            detail = {"code": "near_veto", "item": key, "count": count, "line": line}
            out.warnings.append(ToolWarning(facts.id, "near_veto", facts.site, detail))


def _unread_homepage(facts: DepartmentFacts) -> Reason:
    """Why the homepage could not be read: never fetched, a block page, or what it answered."""
    if facts.homepage_outcome is None:
        return {"code": "not_fetched"}
    if facts.homepage_outcome == "blocked":
        return {"code": "homepage_blocked"}
    return {"code": "homepage_failed", "failure": parse_reason(facts.homepage_detail or facts.homepage_error)}


def unassessed_reason(facts: DepartmentFacts, verdict: Evaluation) -> Reason | None:
    """Why a department's site was not inspected, so that it can be neither 合格 nor 不合格 on what was seen.

    The homepage must have been read, and at least one column judged; an
    unreachable site is a problem of its own (site_unreachable), not this.
    """
    if any(p.type == "site_unreachable" for p in verdict.problems):
        return None
    if facts.homepage_outcome != "ok":
        return _unread_homepage(facts)
    if not verdict.columns:
        return {"code": "no_columns"}
    if not any(c.state in ("ok", "stale", "empty") for c in verdict.columns):
        return {"code": "no_column_read"}
    return None
