"""A page's memo: what reading it produced, kept so that a later run need not read it again.

When a page is read, its rows (``MEMO_ROWS``) and what it asks the crawl to do
(``Wanted``: the links it follows, the pages its list asks for) are kept in the
store's ``memos`` table. A later run that finds the page unchanged (a 304, or
the same body) replays both instead of parsing the page
(``DepartmentSpider._replay``). ``MEMO_FORMAT`` names the shape of both; a memo
of another shape is never replayed.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import fields
from typing import Any, NamedTuple

from crawler.items import ColumnFound, Detail, ListEntry, Memo, Message, Page, TermFound

# The rows a page's memo keeps (the check result and frontier rows are made afresh;
# the page's links are rebuilt from its wants, which list every one of them).
MEMO_ROWS = (Page, ColumnFound, ListEntry, Detail, TermFound, Message)
ROW_TYPES = {cls.table: cls for cls in MEMO_ROWS}


class LinkWanted(NamedTuple):
    """A link of the page: recorded, then crawled, checked or refused (``nav``: its menu depth, if navigation)."""

    url: str
    text: str
    nav: int | None
    depth: int
    place: str | None


class PageWanted(NamedTuple):
    """A page the page's list asks for: one of its items, or its next page (``form``: a POST's fields)."""

    url: str
    role: str
    priority: int
    meta: dict[str, Any]
    form: tuple[tuple[str, str], ...] | None = None


Wanted = LinkWanted | PageWanted
_WANTED = {"link": LinkWanted, "page": PageWanted}
# Raise it when the shape of the wants changes, or pages are read differently: a memo
# replays the reading of the run that made it.
WANTS_SHAPE = 4
# A memo's format: the wants' shape and the fields of its rows. Any change to either
# (a new field of an item, say) makes every memo of the old format unusable: none is replayed.
MEMO_FORMAT = (
    f"{WANTS_SHAPE}-"
    + hashlib.blake2b(
        repr(
            [(cls.table, [f.name for f in fields(cls)]) for cls in MEMO_ROWS]
            + [(cls.__name__, list(cls._fields)) for cls in (LinkWanted, PageWanted)]
        ).encode(),
        digest_size=6,
    ).hexdigest()
)


def body_hash(body: bytes) -> str:
    """The hash that tells an unchanged body from a changed one."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 1)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def memo_key(meta: dict[str, Any]) -> str:
    """Under which key a page's memo is kept: its URL, or for a configured column ``column:<url>``.

    A column configured at a URL that is also read as another page (the homepage's)
    is read differently, so it has a memo of its own.
    """
    return f"column:{meta['target']}" if meta["role"] == "column" else meta["target"]


def memo_of(
    url: str,
    department: str,
    validators: tuple[str | None, str | None],
    digest: str,
    rows: list[Any],
    wants: list[Wanted],
    memo_format: str,
) -> Memo:
    """The memo of a page just read: its rows of ``MEMO_ROWS``, its wants, its validators (ETag, Last-Modified).

    ``memo_format``: ``MEMO_FORMAT`` and what else the reading depended on (``DepartmentSpider.memo_format``).
    """
    kept = [[row.table, vars(row)] for row in rows if isinstance(row, MEMO_ROWS)]
    # Plain lists, the kind first: a page's wants number in the hundreds, and a crawl's in the millions.
    entries = [["link" if isinstance(want, LinkWanted) else "page", *want] for want in wants]
    etag, last_modified = validators
    return Memo(url, department, etag, last_modified, digest, _pack(kept), _pack(entries), memo_format)


def replayed_rows(blob: bytes) -> list[Any]:
    """A memo's rows, as the items they were (a page's reading marked ``unchanged``)."""
    rows = []
    for table, values in _unpack(blob):
        row = ROW_TYPES[table](**values)
        if isinstance(row, Page):
            row.reading = "unchanged"
        rows.append(row)
    return rows


def replayed_wants(blob: bytes) -> list[Wanted]:
    """A memo's wants, typed again."""
    wants: list[Wanted] = []
    for kind, *values in _unpack(blob):
        want = _WANTED[kind](*values)
        if isinstance(want, PageWanted) and want.form:
            want = want._replace(form=tuple(tuple(pair) for pair in want.form))
        wants.append(want)
    return wants
