"""虚假更新: what makes a column look fresh without new content, found in the item register.

Pure functions of a department's register rows (``monitor.register``) and the
``fake_freshness`` table of ``rules.yaml``. Each finding carries its evidence
(both items with their dates and links, or the burst's items); it is a
suspicion a person reviews: ``review.confirm_first`` keeps it out of problems,
notices and scores until confirmed.

- 突击更新 (``sudden_update``): a column idle for at least its threshold that then
  shows many items dated within a few days.
- 旧稿重发 (``repost``): an item with the title or the body of one dated well
  before it, or the same page shown again with a later date.
- 日期倒签 (``backdated``): the date a list shows is well after the date in the
  item's URL or file name, or on its own page.

Only items dated within ``recent_days`` of the check are suspected (they are
what makes a column look fresh now), except those a reviewer has decided on
(``standing``): a confirmed 日期倒签 stays a problem until it is put right, not
until it grows old.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from common.table_models import FakeFreshness
from monitor.rules import Problem

Row = dict[str, Any]
_NOT_TITLE = re.compile(r"[\W_]+")


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _item(row: Row) -> dict[str, Any]:
    """An item as evidence shows it, with the column it is listed in."""
    return {
        "title": row["title"],
        "url": row["url"],
        "date": row["date"],
        "first_seen": row["first_seen"],
        "column": row["column"],
        "column_url": row["column_url"],
    }


def _listed(row: Row) -> dict[str, Any]:
    """The fields of an item's finding that name its column (by name: the finding is the item's, by its URL)."""
    return {"column": row["column"], "category": row["category"]}


def sudden_updates(
    department: str,
    register: Iterable[Row],
    thresholds: dict[str, int | None],
    table: FakeFreshness,
    as_of: date,
    standing: frozenset[str] = frozenset(),
) -> list[Problem]:
    """突击更新: per column, the latest burst of items after an idle spell, when it is recent.

    Not in a column that need not be updated, nor in one of the categories published
    in yearly batches (``exempt_categories``: 预决算, 年报, 统计).
    """
    rule = table.sudden_update
    recent = as_of - timedelta(days=table.recent_days)
    by_column: dict[str, list[Row]] = {}
    for row in register:
        if row["date"] and row["category"] not in rule.exempt_categories:
            by_column.setdefault(row["column_url"], []).append(row)
    found = []
    for column_url, rows in by_column.items():
        threshold = thresholds.get(column_url)
        if threshold is None:
            continue  # a column that need not be updated cannot be faked fresh
        idle = max(threshold, rule.min_idle_days)
        rows.sort(key=lambda r: (r["date"], r["url"]))
        for i in range(len(rows) - 1, 0, -1):
            start, before = _day(rows[i]["date"]), _day(rows[i - 1]["date"])
            if start < recent and column_url not in standing:
                break
            burst = [r for r in rows[i:] if _day(r["date"]) <= start + timedelta(days=rule.within_days)]
            if (start - before).days < idle or len(burst) < rule.min_items:
                continue
            detail = {
                "code": "sudden_update",
                "column": rows[i]["column"],
                "before": before.isoformat(),
                "idle": (start - before).days,
                "start": start.isoformat(),
                "end": burst[-1]["date"],
                "count": len(burst),
                "days": rule.within_days,
                "items": [_item(r) for r in burst],
            }
            found.append(
                Problem(
                    department,
                    "sudden_update",
                    column=rows[i]["column"],
                    column_url=column_url,
                    category=rows[i]["category"],
                    last_updated=start.isoformat(),
                    age_days=(start - before).days,
                    threshold_days=idle,
                    item_title=rows[i]["title"],
                    item_url=rows[i]["url"],
                    detail=detail,
                )
            )
            break
    return found


def _differ(one: Row, other: Row) -> bool:
    """True when both items' bodies are known and differ: the same title over other text is a series."""
    return bool(one["fingerprint"] and other["fingerprint"] and one["fingerprint"] != other["fingerprint"])


def _title_key(title: str | None, min_chars: int) -> str | None:
    key = _NOT_TITLE.sub("", title or "")
    return key if len(key) >= min_chars else None


def reposts(
    department: str, register: Iterable[Row], table: FakeFreshness, as_of: date, standing: frozenset[str] = frozenset()
) -> list[Problem]:
    """旧稿重发: recent items whose title or body an item dated well before them had, or re-dated pages.

    A title matches only between two items whose bodies are not known to differ,
    and only when few items share it (``max_shared_title``: a monthly 公示 of one
    title is a series). A page re-dated is one whose list (or page) showed an
    older date in an earlier run.
    """
    rule = table.repost
    rows = [r for r in register if r["date"]]
    recent = (as_of - timedelta(days=table.recent_days)).isoformat()
    by_title: dict[str, list[Row]] = {}
    by_body: dict[str, list[Row]] = {}
    for row in rows:
        if (key := _title_key(row["title"], rule.min_title_chars)) is not None:
            by_title.setdefault(key, []).append(row)
        if row["fingerprint"]:
            by_body.setdefault(row["fingerprint"], []).append(row)
    found = []
    for row in rows:
        if row["date"] < recent and row["url"] not in standing:
            continue
        latest = _day(row["date"]) - timedelta(days=rule.min_days_older)
        matches: dict[str, Row] = {}
        if row["first_date"] and _day(row["first_date"]) <= latest:
            matches["redated"] = {**row, "date": row["first_date"]}
        body = by_body.get(row["fingerprint"] or "", [])
        titled = by_title.get(_title_key(row["title"], rule.min_title_chars) or "", [])
        groups = (
            ("title", titled if len(titled) <= rule.max_shared_title else []),
            ("body", body if len(body) <= rule.max_shared_body else []),
        )
        for how, group in groups:
            earlier = [
                other
                for other in group
                if other["url"] != row["url"]
                and _day(other["date"]) <= latest
                and other["first_seen"] <= row["first_seen"]
                and not (how == "title" and _differ(row, other))
            ]
            if earlier:
                matches[how] = min(earlier, key=lambda r: (r["date"], r["url"]))
        if not matches:
            continue
        how = "redated" if "redated" in matches else "+".join(k for k in ("title", "body") if k in matches)
        earlier = matches.get("redated") or matches.get("title") or matches["body"]
        detail = {"code": "repost", "match": how, "item": _item(row), "earlier": _item(earlier)}
        found.append(
            Problem(
                department,
                "repost",
                **_listed(row),
                url=row["url"],
                last_updated=row["date"],
                item_title=row["title"],
                item_url=earlier["url"],
                detail=detail,
            )
        )
    return found


def backdated(
    department: str, register: Iterable[Row], table: FakeFreshness, as_of: date, standing: frozenset[str] = frozenset()
) -> list[Problem]:
    """日期倒签: recent items whose shown date is well after their URL's or file name's date, or their page's."""
    margin = table.backdated.margin_days
    recent = (as_of - timedelta(days=table.recent_days)).isoformat()
    found = []
    for row in register:
        shown = row["list_date"]
        if not shown or (shown < recent and row["url"] not in standing):
            continue
        others = [(source, row[f"{source}_date"]) for source in ("url", "page") if row[f"{source}_date"]]
        late = [(source, other, (_day(shown) - _day(other)).days) for source, other in others]
        late = [entry for entry in late if entry[2] > margin]
        if not late:
            continue
        source, other, days = max(late, key=lambda entry: entry[2])
        detail = {"code": "backdated", "item": _item(row), "source": source, "other": other, "days": days}
        found.append(
            Problem(
                department,
                "backdated",
                **_listed(row),
                url=row["url"],
                last_updated=shown,
                age_days=days,
                threshold_days=margin,
                item_title=row["title"],
                detail=detail,
            )
        )
    return found


def suspicions(
    department: str,
    register: list[Row],
    thresholds: dict[str, int | None],
    table: FakeFreshness,
    as_of: date,
    standing: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every 突击更新, 旧稿重发 and 日期倒签 a department's register shows (withdrawn items count as shown).

    ``standing``: the columns and items whose suspicion a reviewer has decided on.
    """
    return [
        *sudden_updates(department, register, thresholds, table, as_of, standing),
        *reposts(department, register, table, as_of, standing),
        *backdated(department, register, table, as_of, standing),
    ]
