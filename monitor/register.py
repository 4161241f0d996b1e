"""The item register (信息台账): every item gongkai has read, once, across runs.

An item is a department's list entry, by its URL. The register keeps the column
and category it was first listed under, the date it is counted by (as the rules
date it: the list's, else its own page's …), the other dates it carries (its URL
or file name, its page's 发布时间 and 成文日期), the date it was first shown with,
when gongkai first and last saw it, and the run that found it gone from a list
it should still be on (撤稿).

Pure: ``monitor.evaluate`` gives ``update`` a department's register as stored and
what one run read; the store keeps what it returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from common.dates import date_text_from_url, has_year, normalize, upload_date_text

# Where an item's date is taken from, best first: the date beside it in the list,
# the 发布时间 on its own page, its 成文日期, the date in its URL, its metadata.
DATE_PRECEDENCE = ("list", "detail", "written", "url", "meta")


def item_date(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """The best (raw date, source) of an item from its list row and its own page."""
    candidates = {row["date_source"]: row["date_raw"], row["page_source"]: row["page_raw"]}
    for source in DATE_PRECEDENCE:
        if candidates.get(source):
            return candidates[source], source
    return None, None


def _iso(raw: str | None, as_of: date) -> str | None:
    day = normalize(raw, as_of)
    return day.isoformat() if day else None


def _placed(raw: str | None, as_of: date, near: list[str | None]) -> str | None:
    """A date as ``normalize`` reads it, placed near the item's other dates when it shows no year.

    A year-less date takes the year that puts it nearest the item's page's or
    address's date, when it has one: an old 12-20 is not this year's.
    """
    day = normalize(raw, as_of)
    hints = [date.fromisoformat(h) for h in near if h]
    if day is None or has_year(raw) or not hints:
        return day.isoformat() if day else None
    hint = hints[0]
    placed = []
    for year in (hint.year - 1, hint.year, hint.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 02-29 in a year without it
            continue
        if candidate <= as_of:
            placed.append(candidate)
    return min(placed, key=lambda d: abs((d - hint).days), default=day).isoformat()


def sighting(row: dict[str, Any], as_of: date) -> dict[str, Any]:
    """An item as one run read it (a list row with its page's ``details``), in the register's fields.

    ``list_date`` is the list's date only where it names its year: a year-less one
    is placed, never compared (日期倒签). ``url_date`` is read only from the
    address of an item on its column's own host: a higher level's page listed by
    the department carries the higher level's date.
    """
    raw, source = item_date(row)
    own = urlsplit(row["url"]).netloc == urlsplit(row["column_url"] or "").netloc
    url_date = _iso(date_text_from_url(row["url"]) or upload_date_text(row["url"]), as_of) if own else None
    page_date = _iso(row["page_raw"], as_of) if row["page_source"] == "detail" else None
    listed = row["date_source"] == "list" and has_year(row["date_raw"])
    return {
        "url": row["url"],
        "column_url": row["column_url"],
        "title": row["title"],
        "date_raw": raw,
        "date": _placed(raw, as_of, [page_date, url_date]),
        "date_source": source,
        "list_date": _iso(row["date_raw"], as_of) if listed else None,
        "url_date": url_date,
        "page_date": page_date,
        "written_date": _iso(row["written_raw"], as_of),
        "fingerprint": row["fingerprint"],
    }


# How many of a list's oldest dates may be items pinned to its top (置顶): a list
# is taken to reach back only as far as its next oldest.
PINNED = 3

# What a later sighting says afresh; an empty value keeps what an earlier one said
# (a page not fetched this time still had its dates and body).
_REFRESHED = (
    "title",
    "date_raw",
    "date",
    "date_source",
    "list_date",
    "url_date",
    "page_date",
    "written_date",
    "fingerprint",
)


def update(
    department: str,
    previous: dict[str, dict[str, Any]],
    rows: Iterable[dict[str, Any]],
    columns: dict[str, tuple[str, str]],
    read: set[str],
    run: tuple[int, str],
    as_of: date,
) -> list[dict[str, Any]]:
    """The register rows one run of a department adds or changes.

    ``previous``: the department's register by URL; ``rows``: the run's list items
    of columns (with their pages' details); ``columns``: the run's columns by URL,
    as (name, category); ``read``: those whose dated list it read; ``run``: the
    run's id and day. The same date text read again keeps the date it was first
    read as (a year-less 03-01 is not re-dated by a later inspection day); the
    date first shown changes only with where the date is read from.
    An item listed in two columns is the first column's. An item not seen again is
    withdrawn (撤稿) only when a later run read its column's list as far back as
    its date, and only by the department's newest run: a list cut off at its last
    page read withdraws nothing older than it shows, and its few oldest dates
    (``PINNED``) do not say how far back it reaches.
    """
    run_id, day = run
    changed: dict[str, dict[str, Any]] = {}
    shown: dict[str, list[str]] = {}
    for row in rows:
        seen = sighting(row, as_of)
        column = row["column_url"]
        if seen["date"] and column in read:
            shown.setdefault(column, []).append(seen["date"])
        url = seen["url"]
        if url in changed:
            continue  # listed in another column too: counted once
        before = previous.get(url)
        if before is None:
            name, category = columns.get(column, ("", "other"))
            changed[url] = {
                "department": department,
                **seen,
                "column": name,
                "category": category,
                "first_date": seen["date"],
                "first_seen": day,
                "first_run": run_id,
                "last_seen": day,
                "last_run": run_id,
                "withdrawn_run": None,
                "withdrawn_seen": None,
            }
            continue
        fresh = {key: seen[key] for key in _REFRESHED if seen[key]}
        if seen["date_raw"] == before["date_raw"]:
            fresh["date"] = before["date"]
        # Only the same place showing another date re-dates an item; a date read from a
        # better place (the list, where the URL's was read before) is a better reading.
        redated = seen["date_source"] == before["date_source"]
        first = run_id < before["first_run"]
        last = run_id >= before["last_run"]
        changed[url] = {
            **before,
            **(fresh if last else {}),
            "first_date": (before["first_date"] if redated else None) or seen["date"] or before["first_date"],
            "first_seen": day if first else before["first_seen"],
            "first_run": run_id if first else before["first_run"],
            "last_seen": day if last else before["last_seen"],
            "last_run": run_id if last else before["last_run"],
            "withdrawn_run": None if last else before["withdrawn_run"],
            "withdrawn_seen": None if last else before["withdrawn_seen"],
        }
    newest_run = max((r["last_run"] for r in previous.values()), default=run_id)
    if run_id < newest_run:
        return list(changed.values())
    reach = {column: sorted(days)[PINNED] for column, days in shown.items() if len(days) > PINNED}
    for url, before in previous.items():
        column = before["column_url"]
        gone = url not in changed and before["withdrawn_run"] is None and before["last_run"] < run_id
        if gone and column in reach and before["date"] and before["date"] >= reach[column]:
            changed[url] = {**before, "withdrawn_run": run_id, "withdrawn_seen": day}
    return list(changed.values())
