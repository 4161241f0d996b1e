"""What the spider reports. Each item type is one row of a store table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Page:
    """A fetched page of a department's site."""

    table: ClassVar[str] = "pages"
    department: str
    url: str
    role: str  # homepage, disclosure, column, list_page, page
    status: int | None
    title: str | None = None
    content_type: str | None = None
    bytes: int = 0
    reading: str | None = None  # content, unchanged, blocked, soft_404, unreachable, not_html
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class ColumnFound:
    """A column (栏目) list page: configured or discovered."""

    table: ClassVar[str] = "columns"
    department: str
    url: str
    name: str
    source: str  # configured, discovered
    reading: str  # list, empty, unparsed, blocked, unreachable
    detail: str | None = None  # the reason code of the reading (``common.reasons.reason``)


@dataclass
class ListEntry:
    """An item shown in a column's list, or a dated item on the homepage."""

    table: ClassVar[str] = "items"
    department: str
    column_url: str | None
    url: str
    title: str
    date_raw: str | None
    date_source: str | None  # list, url
    on_homepage: bool = False


@dataclass
class LinkFound:
    """One link on one crawled page."""

    table: ClassVar[str] = "links"
    department: str
    source_url: str
    url: str
    anchor_text: str
    on_homepage: bool = False
    place: str | None = None  # where on the page: region and number among its links (footer:37)


@dataclass
class CheckResult:
    """The final result of requesting a URL once in this run (after confirmation)."""

    table: ClassVar[str] = "checks"
    url: str
    status: int | None
    error: str | None  # http, soft_404, dns, timeout, connection_refused, ...
    outcome: str  # ok, broken, blocked, skipped
    attempts: int
    final_url: str | None = None
    detail: str | None = None  # the reason code of the outcome (``common.reasons.reason``)


@dataclass
class Note:
    """Something the crawl noticed about a site that the rules turn into a warning."""

    table: ClassVar[str] = "notes"
    department: str
    kind: str  # blocked, crawl_truncated
    url: str | None
    detail: str | None = None  # the reason code (``common.reasons.reason``)
    key: str = ""  # what the note is made once per department for (with the kind)


@dataclass
class Detail:
    """What an article (detail) page says of itself (``crawler.readers.detail.Article``)."""

    table: ClassVar[str] = "details"
    department: str
    url: str
    date_raw: str | None  # its publication date
    date_source: str | None  # detail, written, meta
    written_raw: str | None  # its 成文日期
    fingerprint: str | None  # the hash of its body text


@dataclass
class TermFound:
    """A suspected 表述错误 in an article (``crawler.terms.Finding``): a term of the office's tables, its sentence."""

    table: ClassVar[str] = "terms_found"
    department: str
    url: str
    kind: str  # wrong_term, leader_name, leader_title, sensitive
    term: str
    suggestion: str | None
    note: str | None
    since: str | None  # the entry judges only articles published on or after this day
    serious: bool
    sentence: str
    place: str  # title, body, attachment


@dataclass
class Message:
    """A 政务咨询 message as a list or its own page shows it (``crawler.readers.messages``)."""

    table: ClassVar[str] = "messages"
    department: str
    column_url: str | None  # the column whose list shows it (None: read on its own page)
    url: str
    title: str | None
    asked_raw: str | None  # 留言时间
    answered: bool | None  # None: the page does not say
    replied_raw: str | None  # 回复时间
    source: str  # list, page


@dataclass
class Frontier:
    """A request the crawl made; with no check result yet, a resumed crawl makes it again.

    ``meta`` is JSON: what rebuilding the request needs, and in ``"callback"`` who
    takes it up: ``PAGE``, a page spider (``crawler.frontier``), or ``CHECK``, the
    link checker (``crawler.checker``).
    """

    PAGE: ClassVar[str] = "page"
    CHECK: ClassVar[str] = "check"
    table: ClassVar[str] = "frontier"
    department: str
    key: str
    url: str
    method: str
    meta: str


@dataclass
class Handoff:
    """A page of a site found by one page spider and crawled by another: the one whose share it is."""

    table: ClassVar[str] = "handoffs"
    department: str
    key: str
    worker: int
    url: str
    meta: str  # JSON: the arguments of ``DepartmentSpider.request_page``


@dataclass
class Memo:
    """What reading a page produced, kept for the next run (one row per URL: the newest).

    ``rows`` are the page's rows (compressed JSON: ``[[table, {column: value}], …]``),
    ``wants`` the links it follows and pages it asks for: a later run that finds
    the page unchanged replays both instead of parsing it again. ``format`` names
    the shape of both (``crawler.memos.MEMO_FORMAT``); a memo of another shape is never replayed.
    """

    table: ClassVar[str] = "memos"
    url: str
    department: str
    etag: str | None
    last_modified: str | None
    content_hash: str
    rows: bytes
    wants: bytes
    format: str


@dataclass
class Done:
    """A request taken from a shared run's queue has all its rows reported: its lease ends with them.

    ``seed`` is the lease of the run's first requests (``common.shared_run``).
    """

    lease: str


@dataclass
class PageRecord:
    """Everything one response produced, stored in one go.

    The spider yields one record per answer instead of one item per row: a page
    with fifty links costs the item machinery one pass, not fifty. Its rows are
    in the order they were made, and the check result, when there is one, is last.
    """

    rows: list[Any] = field(default_factory=list)
