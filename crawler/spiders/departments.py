"""The department spider: homepage → disclosure section → columns → list pages → items.

It yields what it sees (pages, columns, list entries, links, check results,
notes) and never decides what is a problem: that is the monitor's job.

Every URL is requested at most once per run (``crawler.links.canonical``):
internal pages are crawled, and that fetch is also their link check; external
links, attachments and images are only checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import FormRequest, Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from crawler.items import CheckResult, ColumnFound, DetailDate, LinkFound, ListEntry, Note, Page
from crawler.links import canonical, is_attachment, is_page_candidate, is_web_url
from crawler.middlewares import error_kind
from crawler.pages import (
    PageMarkers,
    PageView,
    Verdict,
    breadcrumb_leaf,
    is_challenge,
    no_list_reason,
    soft_404_reason,
)
from crawler.readers import ListReading, NextPage, detail_date, list_stem, read_column, read_homepage
from monitor.tables import load_tables

COLUMN_ROLES = frozenset({"column", "list_page"})
_MORE = re.compile(r"^(更多|more|查看更多|>>|»)", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s*[-_|—–]\s*")
MAX_NAV_DEPTH = 3
NEWEST_ITEMS = 5  # items of an undated list whose own pages are read first


@dataclass
class Department:
    """What the spider knows of one department during the crawl."""

    id: str
    site: str
    disclosure: str | None
    columns: list[dict[str, str]]
    hosts: set[str] = field(default_factory=set)
    pages: int = 0
    truncated: bool = False
    truncation_noted: bool = False
    blocked: bool = False

    @property
    def discover(self) -> bool:
        """Columns are discovered when the config names none."""
        return not self.columns


class DepartmentSpider(scrapy.Spider):
    """Crawls every department of a run plan (a JSON file written by the monitor)."""

    name = "departments"

    def __init__(self, plan: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = json.loads(Path(plan).read_text(encoding="utf-8"))
        tables_dir = self.plan.get("tables_dir")
        self.markers = PageMarkers.from_table(load_tables(Path(tables_dir) if tables_dir else None).markers)
        self.detail_patterns = [re.compile(p) for p in self.markers.detail_url_patterns]
        self.max_pages = int(self.plan["crawl"]["max_pages_per_site"])
        self.departments: dict[str, Department] = {}
        for spec in self.plan["departments"]:
            dept = Department(spec["id"], spec["site"], spec.get("disclosure"), spec.get("columns") or [])
            for url in [dept.site, dept.disclosure, *(c["url"] for c in dept.columns)]:
                if url:
                    dept.hosts.add(urlsplit(url).netloc.lower())
            self.departments[dept.id] = dept
        self.requested: set[str] = set()
        # deny_extensions=[]: Scrapy's default silently drops pdf/doc/xls/zip links,
        # which are exactly the attachments a department must keep working.
        self.link_extractor = LinkExtractor(
            tags=("a", "area", "img", "iframe"), attrs=("href", "src"), deny_extensions=[], canonicalize=False
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DepartmentSpider:
        """Hook the headers signal that cuts bodies gongkai does not read."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        return spider

    # requests ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        """Homepages first, then configured columns, then disclosure entries.

        Columns are claimed before the disclosure entry so that a column configured
        at the entry's own URL is still read as a column.
        """
        for dept in self.departments.values():
            requests = [self.page_request(dept, dept.site, "homepage", nav_depth=0, priority=30)]
            for column in dept.columns:
                meta = {"column": column["url"], "column_name": column["name"], "stem": list_stem(column["url"])}
                requests.append(self.page_request(dept, column["url"], "column", priority=10, meta=meta))
            if dept.disclosure:
                requests.append(self.page_request(dept, dept.disclosure, "disclosure", nav_depth=0, priority=20))
            for request in requests:
                if request is not None:
                    yield request

    def _claim(self, url: str, form_key: str | None = None) -> bool:
        key = form_key or canonical(url)
        if key in self.requested:
            return False
        self.requested.add(key)
        return True

    def page_request(
        self,
        dept: Department,
        url: str,
        role: str,
        nav_depth: int | None = None,
        priority: int = 0,
        meta: dict[str, Any] | None = None,
        form: tuple[tuple[str, str], ...] | None = None,
    ) -> Request | None:
        """A request for a page of the department's site that will be parsed (once per run).

        ``form`` makes it a POST of those fields (Hanweb dataproxy groups).
        """
        if not self._claim(url, NextPage(url, form).key if form else None):
            return None
        if role in ("page", "list_page") and dept.pages >= self.max_pages:
            dept.truncated = True
            return self._check_request(url, dept.id, truncated=True) if form is None else None
        dept.pages += 1
        meta = {"dept": dept.id, "role": role, "target": url, "nav_depth": nav_depth, "form": form, **(meta or {})}
        kwargs: dict[str, Any] = {"callback": self.parse_page, "errback": self.on_failure, "priority": priority,
                                  "dont_filter": True, "meta": meta}  # fmt: skip
        if form is not None:
            return FormRequest(url, formdata=dict(form), **kwargs)
        return Request(url, **kwargs)

    def check_request(self, url: str, dept_id: str) -> Request | None:
        """A request that only checks a link (external, attachment, or beyond the page cap)."""
        if not self._claim(url):
            return None
        return self._check_request(url, dept_id)

    def _check_request(self, url: str, dept_id: str, truncated: bool = False) -> Request:
        meta = {"dept": dept_id, "role": "check", "target": url, "dont_obey_robotstxt": True, "truncated": truncated}
        if is_attachment(url):
            # HEAD first; a refused or failed HEAD falls back to a GET (see parse_check).
            return Request(url, method="HEAD", callback=self.parse_check, errback=self.on_failure,
                           dont_filter=True, meta={**meta, "confirm": False})  # fmt: skip
        return Request(url, callback=self.parse_check, errback=self.on_failure, dont_filter=True, meta=meta)

    def _get_after_head(self, head: Request) -> Request:
        """The GET (cut after the headers) that confirms a HEAD which failed or was refused."""
        meta = {k: head.meta[k] for k in ("dept", "role", "target", "dont_obey_robotstxt", "truncated")}
        return head.replace(method="GET", meta={**meta, "headers_only": True})

    def on_headers(self, headers: Any, body_length: int, request: Request, spider: scrapy.Spider) -> None:
        """Stop downloading bodies that will not be read: attachments, and non-HTML answers."""
        if request.meta.get("headers_only"):
            raise StopDownload(fail=False)
        content_type = (headers.get(b"Content-Type") or b"").lower()
        wanted = (b"html", b"xml", b"json") if request.meta.get("role") in COLUMN_ROLES else (b"html", b"xml")
        if content_type and not any(kind in content_type for kind in wanted):
            raise StopDownload(fail=False)

    # callbacks ----------------------------------------------------------------

    def _check_item(self, response: Response, verdict: Verdict) -> CheckResult:
        return CheckResult(
            url=response.meta["target"],
            status=response.status,
            error=verdict.error,
            outcome=verdict.outcome,
            attempts=response.meta.get("attempt", 1),
            final_url=response.url if response.url != response.meta["target"] else None,
            detail=verdict.detail,
        )

    def _judge(self, response: Response) -> Verdict:
        """What a response means for the link that led to it, and the page when it is content."""
        if response.status == 429:
            # Still "slow down" after the confirmations honoured Retry-After: the
            # server is limiting gongkai, which says nothing about the link.
            return Verdict("blocked", "rate_limited", "HTTP 429: the server limits gongkai's requests")
        if not isinstance(response, HtmlResponse):
            if response.status >= 400:
                return Verdict("broken", "http", f"HTTP {response.status}")
            # XML and JSON answers can be lists (Hanweb dataproxy groups, JSON feeds).
            return Verdict("ok", page=PageView(response) if isinstance(response, TextResponse) else None)
        view = PageView(response)
        if is_challenge(response.text[:8192], view.text, self.markers):
            return Verdict("blocked", "challenge", "anti-bot challenge page")
        if response.status >= 400:
            return Verdict("broken", "http", f"HTTP {response.status}")
        if reason := soft_404_reason(view.title, view.text, self.markers):
            return Verdict("broken", "soft_404", f"page says {reason!r}")
        return Verdict("ok", page=view)

    def parse_check(self, response: Response) -> Iterator[Any]:
        """Record a link check; a failed HEAD is tried again as a GET."""
        if response.request.method == "HEAD" and response.status >= 400:
            yield self._get_after_head(response.request)
            return
        verdict = self._judge(response)
        yield self._check_item(response, verdict)
        if verdict.outcome == "blocked":
            yield from self._note_blocked(response.meta["dept"], response.meta["target"])
        if response.meta.get("truncated"):
            yield from self._note_truncated(response.meta["dept"])

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Record a page of a department's site and follow what it links to."""
        meta = response.meta
        dept = self.departments[meta["dept"]]
        role = meta["role"]
        verdict = self._judge(response)
        view = verdict.page
        yield self._check_item(response, verdict)
        yield Page(
            department=dept.id, url=meta["target"], role=role, status=response.status,
            title=view.title if view else None,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            bytes=len(response.body),
            reading="content" if view else ("not_html" if verdict.outcome == "ok" else verdict.error),
        )  # fmt: skip
        if verdict.outcome == "blocked":
            yield from self._note_blocked(dept.id, meta["target"])
        if view is None:
            if role == "column":
                state = "blocked" if verdict.outcome == "blocked" else "unreachable"
                yield self._column(meta, dept, state, verdict.detail or "not an HTML page")
            return

        list_urls: set[str] = set()
        nav_depth = meta.get("nav_depth")
        if role == "homepage":
            entries = read_homepage(view)
            for entry in entries:
                yield ListEntry(
                    dept.id, None, entry.url, entry.title, entry.date_raw, entry.date_source, on_homepage=True
                )
            list_urls = {e.url for e in entries}
        elif role in COLUMN_ROLES:
            list_urls = yield from self._read_column(view, dept, meta)
        elif reading := self._discovered_column(dept, view, meta, nav_depth):
            list_urls = yield from self._read_column(view, dept, meta, reading)
        elif role == "page" and view.root is not None and (found := detail_date(view.root, view.text)):
            yield DetailDate(dept.id, meta["target"], *found)
        if view.root is None:
            return  # a data answer: no links to follow

        child_depth = nav_depth + 1 if nav_depth is not None and nav_depth < MAX_NAV_DEPTH else None
        here = view.url.split("#", 1)[0]
        for link in self.link_extractor.extract_links(response):
            url = link.url.split("#", 1)[0]
            if not url or not is_web_url(url) or url == here:
                continue
            text = link.text.strip()
            yield LinkFound(dept.id, meta["target"], url, text, on_homepage=role == "homepage")
            if urlsplit(url).netloc.lower() in dept.hosts and is_page_candidate(url):
                depth = None if url in list_urls else child_depth
                request = self.page_request(dept, url, "page", nav_depth=depth, meta={"anchor": text})
            else:
                request = self.check_request(url, dept.id)
            if request is not None:
                if request.meta.get("truncated"):
                    yield from self._note_truncated(dept.id)
                yield request

    def _discovered_column(
        self, dept: Department, view: PageView, meta: dict[str, Any], nav_depth: Any
    ) -> ListReading | None:
        """The list of a page reached through the navigation, when it is a column.

        A column holds a list that is readable, marked empty (暂无信息), or visibly
        there but not readable (drawn by a script): the last becomes an
        ``unparsed`` column, so the tool's blind spot is a warning, not an accusation.
        """
        if not dept.discover or meta["role"] != "page" or nav_depth is None or view.root is None:
            return None
        if self.markers.is_detail_url(meta["target"]) or self.markers.is_search_url(meta["target"]):
            return None
        reading = read_column(view, self.markers, list_stem(meta["target"]))
        if reading.entries:
            return reading
        if any(signal in view.source for signal in self.markers.list_signals):
            return reading
        return reading if no_list_reason(view, self.markers)[0] == "empty" else None

    def _column_name(self, view: PageView, meta: dict[str, Any]) -> str:
        """The menu link's text, else the breadcrumb's last element, else the page title."""
        anchor = (meta.get("anchor") or "").strip()
        if anchor and not _MORE.match(anchor) and len(anchor) <= 20:
            return anchor
        if leaf := breadcrumb_leaf(view.text, self.markers):
            return leaf
        return _TITLE_SEPARATORS.split(view.title)[0] if view.title else view.url

    def _column(self, meta: dict[str, Any], dept: Department, reading: str, detail: str | None) -> ColumnFound:
        source = "configured" if meta["role"] == "column" else "discovered"
        return ColumnFound(dept.id, meta["column"], meta["column_name"], source, reading, detail)

    def _read_column(
        self, view: PageView, dept: Department, meta: dict[str, Any], reading: ListReading | None = None
    ) -> Iterator[Any]:
        """Read one page of a column's list; follow its later pages and its newest items.

        Returns the item URLs, which are articles rather than navigation.
        """
        if meta["role"] == "page":  # a discovered column's first page
            meta = {**meta, "column": meta["target"], "column_name": self._column_name(view, meta),
                    "stem": list_stem(meta["target"]), "role": "discovered"}  # fmt: skip
        if reading is None:
            reading = read_column(view, self.markers, meta["stem"], meta.get("form"))
        for entry in reading.entries:
            yield ListEntry(dept.id, meta["column"], entry.url, entry.title, entry.date_raw, entry.date_source)
        if meta["role"] != "list_page":
            if reading.entries:
                state, detail = "list", f"read by the {reading.reader} reader"
            else:
                state, detail = no_list_reason(view, self.markers)
            yield self._column(meta, dept, state, detail)
        # Items dated only on their own page: read the newest ones first.
        undated = [e for e in reading.entries if e.date_source != "list"][:NEWEST_ITEMS]
        for entry in undated:
            if urlsplit(entry.url).netloc.lower() in dept.hosts:
                request = self.page_request(dept, entry.url, "page", priority=8, meta={"anchor": entry.title})
                if request is not None:
                    yield request
        for page in reading.next_pages:
            if urlsplit(page.url).netloc.lower() in dept.hosts:
                page_meta = {k: meta[k] for k in ("column", "column_name", "stem")}
                request = self.page_request(dept, page.url, "list_page", priority=5, meta=page_meta, form=page.formdata)
                if request is not None:
                    yield request
        return {e.url for e in reading.entries}

    def on_failure(self, failure: Failure) -> Iterator[Any]:
        """Record a request that failed for good (after confirmation)."""
        request = failure.request
        meta = request.meta
        kind = error_kind(failure.value)
        if isinstance(failure.value, IgnoreRequest):
            yield CheckResult(
                meta["target"], None, "robots", "skipped", meta.get("attempt", 1), None, "forbidden by robots.txt"
            )
            return
        if request.method == "HEAD":
            yield self._get_after_head(request)
            return
        detail = f"{kind}: {failure.getErrorMessage()}"[:300]
        yield CheckResult(meta["target"], None, kind, "broken", meta.get("attempt", 1), None, detail)
        if meta["role"] != "check":
            yield Page(meta["dept"], meta["target"], meta["role"], None, reading="unreachable")
        if meta["role"] == "column":
            yield self._column(meta, self.departments[meta["dept"]], "unreachable", detail)

    # notes ----------------------------------------------------------------------

    def _note_blocked(self, dept_id: str, url: str) -> Iterator[Note]:
        dept = self.departments[dept_id]
        if not dept.blocked:
            dept.blocked = True
            yield Note(
                dept_id, "blocked", url, "a server answered with a firewall challenge or a rate limit, not content"
            )

    def _note_truncated(self, dept_id: str) -> Iterator[Note]:
        dept = self.departments[dept_id]
        if dept.truncated and not dept.truncation_noted:
            dept.truncation_noted = True
            yield Note(
                dept_id, "crawl_truncated", dept.site, f"stopped after {self.max_pages} pages (max_pages_per_site)"
            )
