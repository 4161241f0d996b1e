"""The Chinese a person reads, made from stored codes with the templates of ``config/wording.yaml``.

The store keeps what was found as data (a problem's fields, a reason such as
``{"code": "says", "arg": "暂无信息"}``); the sentences are made here, when a
report, notice or table is made, so an office's edit of the wording applies to
every run it reports.
"""

from __future__ import annotations

import functools
import json
import string
from datetime import date
from typing import Any

from common.categories import Categorizer
from common.reasons import parse_reason
from common.tables import Tables, load_tables
from common.urls import is_attachment

# The placeholders each section's templates may use (what the code gives them).
FIELDS: dict[str, frozenset[str]] = {
    section: frozenset(names.split())
    for section, names in {
        "failures": "status reason",
        "reasons": "arg items failure",
        "problems": "failure tries days total failed ratio line date age threshold column category source reason "
        "anchor what term right note sentence title",
        "pieces": "attempts source note",
        "warnings": "column reason failure age threshold count item line days total failed ratio sentence",
        "veto_counts": "",
        "suspicions": "column before idle start end count title date earlier_title earlier_date match source other "
        "days number",
        "documents": "year issue office basis period total passed failed rate count score points number what "
        "departments example line items reason name runs where first overdue days contact start end department "
        "site date result deadline text source time error region marks where title",
        "headers": "",
        "messages": "path run count department to status seconds what requests as_of title target where error db "
        "pages checked done total number decision by day finding choices host url start end server hint departments "
        "worker",
        "stats": "span total categories departments name count columns department column runs first last year "
        "quarter month start end messages answered late unanswered median waiting unknown",
        "run_states": "",
        "dashboard": "",
    }.items()
}


def template_problems(table: dict[str, Any]) -> list[tuple[tuple[str, str], str]]:
    """Templates of a wording table that would fail: a placeholder gongkai does not give, or broken braces."""
    found = []
    for section, allowed in FIELDS.items():
        for key, value in (table.get(section) or {}).items():
            templates = value if isinstance(value, list) else [value]
            try:
                names = {
                    name
                    for template in templates
                    if isinstance(template, str)
                    for _, name, _, _ in string.Formatter().parse(template)
                    if name is not None
                }
            except ValueError as exc:
                found.append(((section, key), f"the template cannot be read ({exc})"))
                continue
            if unknown := sorted(name for name in names if name not in allowed):
                given = "、".join(sorted(allowed)) or "无"
                found.append(((section, key), f"unknown placeholder {{{unknown[0]}}} (this section gives: {given})"))
    return found


class _Blank(dict):  # type: ignore[type-arg]
    """The fields of a template; a placeholder the caller does not give reads as nothing."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, **fields: Any) -> str:
    """A template of the wording table filled in; a placeholder not given is left empty, never an error."""
    return template.format_map(_Blank(fields))


def ordinal(index: int, nested: bool = False) -> str:
    """The number of a part of a document from 0: 一、 (or （一） when ``nested``)."""
    numerals = "一二三四五六七八九十"
    numeral = numerals[index] if index < len(numerals) else str(index + 1)
    return f"（{numeral}）" if nested else f"{numeral}、"


def chinese_date(day: str | None) -> str:
    """An ISO date as a 公文 writes it: 2026年11月22日."""
    if not day:
        return ""
    value = date.fromisoformat(day[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def load_reason(stored: Any) -> dict[str, Any] | None:
    """A stored reason (JSON) as data; an older run's English sentence is no reason gongkai can say."""
    if isinstance(stored, dict):
        return stored
    if not isinstance(stored, str) or not stored.startswith("{"):
        return None
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "code" in value else None


class Wording:
    """The sentences of one wording table, with the rule tables' labels and numbers."""

    def __init__(self, tables: Tables) -> None:
        """Read the wording table and the labels it needs from ``tables``."""
        self.table = tables.wording
        self.rules = tables.rules
        self.categories = Categorizer(tables.categories).labels

    def _say(self, section: str, key: str, **fields: Any) -> str:
        templates = self.table[section]
        template = templates.get(key, templates.get("other", ""))
        return template.format_map({name: fields.get(name, "") for name in FIELDS[section]})

    def reason(self, reason: dict[str, Any] | None) -> str:
        """A stored reason in words (empty when there is none)."""
        if not reason:
            return ""
        code, arg = reason["code"], reason.get("arg")
        reasons = self.table["reasons"]
        if arg is not None and f"{code}_{arg}" in reasons:
            return reasons[f"{code}_{arg}"]
        if code == "homepage_failed":
            failure = reason.get("failure") or {}
            words = self.failure(failure.get("arg") if failure.get("code") == "http" else failure.get("code"), failure)
            return self._say("reasons", code, failure=words)
        if code in self.table["failures"] and code not in reasons:
            return self.failure(code, None)
        if code == "http":
            return self.failure(arg, None)
        return self._say("reasons", code, arg=arg or "", items=reason.get("items", ""))

    def failure(self, status: str | None, reason: dict[str, Any] | None) -> str:
        """A failed request in words: its HTTP status or error kind, and for a soft 404 or TLS what was wrong."""
        failures = self.table["failures"]
        if status and status.isdigit():
            key = f"http_{status}" if f"http_{status}" in failures else "http"
            return self._say("failures", key, status=status)
        said = self.reason(reason) if reason and reason.get("code") not in (status, "http") else ""
        if not said and status in self.table["reasons"]:
            said = self._say("reasons", status)
        if status not in failures and said:
            return said  # a download gongkai cut off, or another failure the reasons say
        return self._say("failures", status or "other", reason=said)

    def suspicion(self, reason: dict[str, Any]) -> str:
        """A suspected 突击更新, 旧稿重发 or 日期倒签 in words, with the dates that show it."""
        code, item = reason["code"], reason.get("item") or {}
        earlier = reason.get("earlier") or {}
        match = reason.get("match", "")
        fields = {
            "column": reason.get("column", ""),
            "before": chinese_date(reason.get("before")),
            "idle": reason.get("idle", ""),
            "start": chinese_date(reason.get("start")),
            "end": chinese_date(reason.get("end")),
            "count": reason.get("count", ""),
            "title": item.get("title") or "",
            "date": chinese_date(item.get("date")),
            "earlier_title": earlier.get("title") or "",
            "earlier_date": chinese_date(earlier.get("date")),
            "match": self._say("suspicions", f"match_{match}") if match else "",
            "source": self._say("suspicions", f"source_{reason.get('source', '')}"),
            "other": chinese_date(reason.get("other")),
            "days": reason.get("days", ""),
        }
        return self._say("suspicions", "redated" if match == "redated" else code, **fields)

    def evidence(self, reason: dict[str, Any] | None, url: str | None = None) -> list[tuple[str, str]]:
        """The links a suspicion rests on, each with what it is (本条, 原稿, 集中发布的第 N 条).

        ``url``: the finding's own page, the evidence of a suspected 表述错误.
        """
        reason = reason or {}
        if reason.get("code") == "suspect_wording":
            return [(self._say("suspicions", "evidence_item"), url)] if url else []
        if reason.get("code") == "sudden_update":
            items = reason.get("items") or []
            return [(self._say("suspicions", "evidence_burst", number=i), r["url"]) for i, r in enumerate(items, 1)]
        item, earlier = reason.get("item") or {}, reason.get("earlier") or {}
        links = [("evidence_item", item.get("url"))]
        if earlier.get("url") != item.get("url"):  # a re-dated page is one address, shown once
            links.append(("evidence_earlier", earlier.get("url")))
        return [(self._say("suspicions", key), url) for key, url in links if url]

    def problem(self, p: dict[str, Any]) -> str:
        """A problem's explanation: what is wrong, with the numbers that show it."""
        reason = load_reason(p.get("detail")) or {}
        kind = p["type"]
        if reason.get("code") in self.table["suspicions"]:
            return self.suspicion(reason)
        fields: dict[str, Any] = {
            "column": p.get("column") or "",
            "category": self.categories.get(p.get("category") or "", p.get("category") or ""),
            "date": chinese_date(p.get("last_updated")),
            "age": p.get("age_days") if p.get("age_days") is not None else "",
            "threshold": p.get("threshold_days") if p.get("threshold_days") is not None else "",
        }
        attempts = p.get("attempts") or 0
        tries = self._say("pieces", "tries", attempts=attempts) if attempts > 1 else ""
        if kind == "site_unreachable" and reason.get("code") == "probes":
            total, failed = reason["total"], reason["failed"]
            line = self.rules["veto"]["probe_failure_ratio"]
            return self._say(
                "problems",
                "site_unreachable_probes",
                days=reason["days"],
                total=total,
                failed=failed,
                ratio=f"{failed / total:.1%}",
                line=f"{line:.0%}",
            )
        if kind == "site_unreachable":
            return self._say("problems", kind, failure=self.failure(p.get("status"), reason), tries=tries)
        if kind == "homepage_stale":
            key = "homepage_stale_columns" if reason.get("code") == "columns" else kind
            return self._say("problems", key, **fields)
        if kind == "column_stale":
            source = p.get("date_source")
            label = self.rules["date_sources"].get(source) if source and source != "list" else None
            fields["source"] = self._say("pieces", "date_source", source=label) if label else ""
            return self._say("problems", kind if p.get("last_updated") else "column_stale_undated", **fields)
        if kind == "column_empty":
            return self._say(
                "problems", kind, reason=self.reason(reason) or self.reason({"code": "list_empty"}), **fields
            )
        if kind == "suspect_wording":
            key = {"leader_title": "suspect_wording_title", "sensitive": "suspect_wording_sensitive"}
            note = self._say("pieces", "note", note=reason["note"]) if reason.get("note") else ""
            plain = "suspect_wording" if p.get("suggestion") else "suspect_wording_plain"  # no right form given
            return self._say(
                "problems",
                key.get(reason.get("kind", ""), plain),
                term=p.get("term") or "",
                right=p.get("suggestion") or "",
                note=note,
                sentence=reason.get("sentence", ""),
            )
        if kind == "interaction_unanswered":
            return self._say("problems", kind, title=p.get("item_title") or "", **fields)
        if kind == "broken_link":
            what = "attachment" if is_attachment(p.get("url") or "") else "link"
            return self._say(
                "problems",
                kind,
                anchor=p.get("anchor_text") or self._say("pieces", "no_anchor"),
                what=self._say("pieces", what),
                failure=self.failure(p.get("status"), reason),
                tries=tries,
            )
        return self._say("problems", kind, **fields)

    def warning(self, w: dict[str, Any]) -> str:
        """A warning's explanation: what gongkai could not judge, and why."""
        reason = load_reason(w.get("detail")) or {}
        kind = w["kind"]
        if reason.get("code") in self.table["suspicions"]:
            return self.suspicion(reason)
        fields: dict[str, Any] = {"column": reason.get("column", ""), "reason": self.reason(reason)}
        if kind == "column_unreachable":
            fields["failure"] = self.failure(reason.get("code"), None)
        elif kind == "column_near_stale":
            fields.update(age=reason.get("age", ""), threshold=reason.get("threshold", ""))
        elif kind == "near_veto":
            item = self.table["veto_counts"].get(reason.get("item", ""), "")
            fields.update(count=reason.get("count", ""), line=reason.get("line", ""), item=item)
        elif kind == "suspect_wording":
            fields["sentence"] = reason.get("sentence", "")
        elif kind == "interaction_unread":
            fields["count"] = reason.get("count", "")
        elif kind == "probe_failures" and reason.get("total"):
            total, failed = reason["total"], reason["failed"]
            fields.update(days=reason["days"], total=total, failed=failed, ratio=f"{failed / total:.1%}")
        return self._say("warnings", kind, **fields)

    def code(self, text: str | None) -> str:
        """A reason code as the crawl stores it (``dns``, ``private:10.0.0.1``) in words."""
        return self.reason(parse_reason(text))

    def unassessed(self, stored: Any) -> str:
        """Why a site could not be inspected, in words."""
        return self.reason(load_reason(stored)) if stored else ""


def wording() -> Wording:
    """The wording in force: the office's tables beside its config (``tables_of``), else the bundled ones."""
    return _wording(load_tables())


@functools.lru_cache(maxsize=8)
def _wording(tables: Tables) -> Wording:
    return Wording(tables)


def say(key: str, **fields: Any) -> str:
    """A message of the command line, from the wording table's ``messages``."""
    return (
        load_tables().wording["messages"][key].format_map({name: fields.get(name, "") for name in FIELDS["messages"]})
    )


def headers(*keys: str) -> list[str]:
    """The table headers of the wording table (``headers``) for these keys."""
    table = load_tables().wording["headers"]
    return [table[key] for key in keys]
