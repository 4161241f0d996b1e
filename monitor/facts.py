"""What the rules are given about one department: the facts of a crawl, read from the store by ``monitor.evaluate``.

Plain data: the rules (``monitor.rules``) judge these and nothing else, so a
rule can be tested with facts written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ColumnFacts:
    """A column as the crawl read it, with the config's overrides for it."""

    url: str
    name: str
    reading: str  # list, empty, unparsed, blocked, unreachable, unchecked
    detail: str | None = None  # the crawl's reason code
    # (raw date, where it came from[, title, url]) for every item; sources: list, detail, written, url, meta
    item_dates: list[tuple[str | None, ...]] = field(default_factory=list)
    category: str | None = None  # from the config; else inferred from the name
    max_age_days: int | None = None  # from the config


@dataclass
class LinkFacts:
    """A link target with its check result and the pages that link to it."""

    url: str
    outcome: str  # ok, broken, blocked, skipped
    status: int | None
    error: str | None
    attempts: int
    detail: str | None  # the crawl's reason code
    sources: list[tuple[str, str, bool, str | None]]  # (source_url, anchor_text, on_homepage, place)


@dataclass
class TermFacts:
    """A suspected 表述错误 in an article (``crawler.items.TermFound``), with the column and dates of its article."""

    url: str
    kind: str  # wrong_term, leader_name, leader_title, sensitive
    term: str
    suggestion: str | None
    note: str | None
    since: str | None  # the entry judges only articles published on or after it (ISO date)
    serious: bool
    sentence: str
    place: str  # title, body, attachment
    column_url: str | None = None  # a column listing the article
    list_raw: str | None = None  # the article's date on that list
    page_raw: str | None = None  # its date on its own page


@dataclass
class MessageFacts:
    """A 政务咨询 message: when it was left, whether it was answered and when, as its list and page said."""

    url: str
    column_url: str | None
    title: str | None
    asked_raw: str | None
    answered: bool | None  # None: neither its list nor its page says
    replied_raw: str | None
    sources: tuple[str, ...]  # list, page: where it was read


@dataclass
class DepartmentFacts:
    """Everything the rules need about one department in one run."""

    id: str
    site: str
    homepage_outcome: str | None  # None: the homepage was never fetched
    homepage_status: int | None = None
    homepage_error: str | None = None
    homepage_detail: str | None = None  # the crawl's reason code
    homepage_attempts: int | None = None  # how many requests of the homepage failed
    homepage_dates: list[str | None] = field(default_factory=list)
    columns: list[ColumnFacts] = field(default_factory=list)
    links: list[LinkFacts] = field(default_factory=list)
    notes: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # kind, url, reason code
    probes: tuple[int, int] = (0, 0)  # (failed, total) availability probes over the window
    terms: list[TermFacts] = field(default_factory=list)
    messages: list[MessageFacts] = field(default_factory=list)
