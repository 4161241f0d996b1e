r"""Lists shipped as data: JSON in a script variable, or a JSON feed.

Examples: Ucap's ``var listData = {articleList: [{"title", "pubDate", "urls":
"{\\"pc\\": …}"}]}`` (Jiangxi cluster) and TRS ``zcwj.json`` files with
``{"data": [{"FILENAME", "URL", "PUBDATE", "DOCRELTIME"}]}``. The reader looks
for the largest array of records that have a title and a link.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from crawler.readers.base import Entry

TITLE_KEYS = ("title", "showTitle", "FILENAME", "DOCTITLE", "name", "Title")
URL_KEYS = ("url", "URL", "pcUrl", "urls", "link", "DOCPUBURL", "post_url", "href")
# Publication dates first; DOCRELTIME is the date the URL carries (often approval), last.
DATE_KEYS = ("pubDate", "PUBDATE", "publishDate", "display_publish_time", "date", "releaseTime", "DOCRELTIME")
_ARRAY_START = re.compile(r"\[\s*\{")
# Ucap's list variable with its article array empty: the column has no article.
_EMPTY_LIST_DATA = re.compile(r"listData\s*=\s*\{[^{}]*?[\"']?articleList[\"']?\s*:\s*\[\s*\]")
_CHINA = timedelta(hours=8)


def _balanced(text: str, start: int) -> str | None:
    """The JSON array starting at ``text[start]`` (a ``[``), by bracket matching."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return None


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((record[k] for k in keys if record.get(k) not in (None, "")), None)


def _url(value: Any) -> str | None:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:  # Ucap: a JSON object inside the string, {"pc": "/…/content_1.html"}
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        value = value.get("pc") or next(iter(value.values()), None)
    return value if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> str | None:
    if isinstance(value, int | float) and value > 0:
        seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds or seconds
        return (datetime.fromtimestamp(seconds, UTC) + _CHINA).date().isoformat()
    return str(value) if value else None


def records_to_entries(records: list[Any], base: str) -> list[Entry]:
    """Entries from JSON records that have a title and a link."""
    entries = []
    for record in records:
        if not isinstance(record, dict):
            continue
        title, url = _first(record, TITLE_KEYS), _url(_first(record, URL_KEYS))
        if not title or not url:
            continue
        raw = _date(_first(record, DATE_KEYS))
        entries.append(Entry(urljoin(base, url.strip()), " ".join(str(title).split()), raw, "list" if raw else None))
    return entries


def _arrays(value: Any) -> list[list[Any]]:
    """Every array of objects inside a parsed JSON value."""
    found: list[list[Any]] = []
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            found.append(value)
        for item in value:
            found += _arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            found += _arrays(item)
    return found


def _best(arrays: list[list[Any]], base: str) -> list[Entry]:
    return max((records_to_entries(a, base) for a in arrays), key=len, default=[])


def read_script_data(scripts: list[str], base: str) -> list[Entry]:
    """The largest list of records found as JSON arrays in inline scripts."""
    arrays: list[list[Any]] = []
    for script in scripts:
        for match in _ARRAY_START.finditer(script):
            text = _balanced(script, match.start())
            if text is None:
                continue
            try:
                arrays += _arrays(json.loads(text))
            except ValueError:
                continue
    return _best(arrays, base)


def declares_empty_list(scripts: list[str]) -> bool:
    """True when a script's list data (``var listData = {articleList: []}``) holds an empty article array."""
    return any(_EMPTY_LIST_DATA.search(script) for script in scripts)


def read_json_feed(body: str, base: str) -> list[Entry]:
    """The largest list of records in a JSON document."""
    try:
        return _best(_arrays(json.loads(body)), base)
    except ValueError:
        return []


_JSON_URL = re.compile(r"[\"']([^\"'\s]+\.json)(?:\?[^\"'\s]*)?[\"']")


def json_feed_urls(scripts: list[str], base: str) -> list[str]:
    """Same-site JSON files a page's scripts load its list from (TRS ``zcwj.json``)."""
    host = urljoin(base, "/")
    urls = (urljoin(base, m.group(1)) for script in scripts for m in _JSON_URL.finditer(script))
    return [u for u in dict.fromkeys(urls) if u.startswith(host)]
