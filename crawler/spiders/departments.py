"""The department spider: homepage → disclosure section → columns → list pages → items.

It yields what it sees (pages, columns, list entries, links, check results,
notes) and never decides what is a problem: that is the monitor's job.

Every URL is requested at most once per run (``crawler.links.canonical``):
internal pages are crawled, and that fetch is also their link check; external
links, attachments and images are only checked. Links to the supervisor's own
network are never requested (``crawler.links.TargetPolicy``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import FormRequest, Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from twisted.python.failure import Failure

from crawler.items import CheckResult, ColumnFound, DetailDate, Frontier, LinkFound, ListEntry, Note, Page
from crawler.links import (
    TargetPolicy,
    canonical,
    is_attachment,
    is_page_candidate,
    is_web_url,
    removed_document,
    trap_reason,
)
from crawler.middlewares import OfflineRefused, error_kind
from crawler.pages import (
    PageMarkers,
    PageView,
    Verdict,
    breadcrumb_leaf,
    empty_page,
    is_challenge,
    no_list_reason,
    soft_404_reason,
    waf_block_reason,
)
from crawler.readers import ListReading, NextPage, detail_date, list_stem, read_column, read_homepage
from monitor.store import Store
from monitor.tables import load_tables

COLUMN_ROLES = frozenset({"column", "list_page"})
_MORE = re.compile(r"^(更多|more|查看更多|>>|»)", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s*[-_|—–]\s*")
MAX_NAV_DEPTH = 3
NEWEST_ITEMS = 5  # items of an undated list whose own pages are read first
# Failures that mean "gongkai stopped reading", not "the link is broken".
# What a request's frontier row keeps, to rebuild it when a killed crawl resumes.
_FRONTIER_META = frozenset(
    {"dept", "role", "target", "nav_depth", "form", "depth", "column", "column_name", "stem", "anchor", "confirm",
     "dont_obey_robotstxt"}
)  # fmt: skip
CUT_OFF = {"too_large": "larger than max_page_mb", "too_slow": "its body kept coming past download_timeout"}


@dataclass
class Department:
    """What the spider knows of one department during the crawl."""

    id: str
    site: str
    disclosure: str | None
    columns: list[dict[str, str]]
    obey_robots: bool | None = None
    hosts: set[str] = field(default_factory=set)
    pages: int = 0
    noted: set[tuple[str, str]] = field(default_factory=set)  # (kind, key) of notes already made
    outstanding: int = 0  # requests made and not yet answered
    path_variants: Counter[str] = field(default_factory=Counter)

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
        crawl = self.plan["crawl"]
        self.max_pages = int(crawl["max_pages_per_site"])
        self.max_depth = int(crawl.get("max_depth", 12))
        self.departments: dict[str, Department] = {}
        site_urls: list[str] = []
        for spec in self.plan["departments"]:
            dept = Department(
                spec["id"], spec["site"], spec.get("disclosure"), spec.get("columns") or [], spec.get("obey_robots")
            )
            urls = [u for u in [dept.site, dept.disclosure, *(c["url"] for c in dept.columns)] if u]
            dept.hosts = {urlsplit(u).netloc.lower() for u in urls}
            site_urls += urls
            self.departments[dept.id] = dept
        self.policy = TargetPolicy(site_urls)
        self.requested: set[str] = set()
        self.checked = 0
        self.list_pages_seen: set[tuple[str, tuple[str, ...]]] = set()
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

    async def start(self) -> AsyncIterator[Any]:
        """Homepages first, then configured columns, then disclosure entries.

        Columns are claimed before the disclosure entry so that a column configured
        at the entry's own URL is still read as a column. A resumed run instead
        makes the requests its killed predecessor queued but never finished.
        """
        if self.plan.get("resume"):
            pending = self._pending_requests()
            if pending is not None:
                for request in pending:
                    yield request
                return
        for dept in self.departments.values():
            requests = [*self.request_page(dept, dept.site, "homepage", nav_depth=0, priority=30)]
            for column in dept.columns:
                meta = {"column": column["url"], "column_name": column["name"], "stem": list_stem(column["url"])}
                requests += self.request_page(dept, column["url"], "column", priority=10, meta=meta)
            if dept.disclosure:
                requests += self.request_page(dept, dept.disclosure, "disclosure", nav_depth=0, priority=20)
            for request in requests:
                yield request

    def _pending_requests(self) -> list[Request] | None:
        """The frontier of an interrupted run: requests made but not answered (None: nothing stored)."""
        store = Store(self.plan["db"])
        try:
            run_id = self.plan["run_id"]
            rows = list(store.rows("frontier", run_id))
            done = {r["url"] for r in store.db.query("select url from checks where run_id = ?", [run_id])}
        finally:
            store.close()
        if not rows:
            return None
        requests = []
        for row in rows:
            self.requested.add(row["key"])
            meta = json.loads(row["meta"])
            if meta["role"] in ("page", "list_page"):
                self.departments[meta["dept"]].pages += 1
            if row["url"] not in done:
                requests.append(self._rebuild(row["url"], row["method"], meta))
        return requests

    def _rebuild(self, url: str, method: str, meta: dict[str, Any]) -> Request:
        callback = self.parse_page if meta.pop("callback") == "page" else self.parse_check
        priority = meta.pop("priority", 0)
        form = tuple(tuple(pair) for pair in meta["form"]) if meta.get("form") else None
        meta["form"] = form
        kwargs = {
            "callback": callback,
            "errback": self.on_failure,
            "priority": priority,
            "dont_filter": True,
            "meta": meta,
        }
        if form is not None:
            return FormRequest(url, formdata=dict(form), **kwargs)
        return Request(url, method=method, **kwargs)

    def _scheduled(self, request: Request, dept: Department, key: str) -> Iterator[Any]:
        """Yield a request with its frontier row, so a killed crawl can be resumed."""
        dept.outstanding += 1
        meta = {k: v for k, v in request.meta.items() if k in _FRONTIER_META}
        meta["callback"] = "page" if request.callback == self.parse_page else "check"
        meta["priority"] = request.priority
        yield Frontier(dept.id, key, request.url, request.method, json.dumps(meta, ensure_ascii=False))
        yield request

    def progress(self) -> str:
        """One line on how far the crawl is."""
        done = sum(1 for d in self.departments.values() if d.outstanding == 0)
        pages = sum(d.pages for d in self.departments.values())
        return f"pages {pages} · links checked {self.checked} · departments done {done}/{len(self.departments)}"

    def _answered(self, check: CheckResult, dept_id: str) -> CheckResult:
        """Count an answered request (every scheduled URL ends in exactly one check result)."""
        self.checked += 1
        self.departments[dept_id].outstanding -= 1
        return check

    def _claim(self, key: str) -> bool:
        if key in self.requested:
            return False
        self.requested.add(key)
        return True

    def _note(
        self, dept: Department, kind: str, url: str | None, detail: str, key: str | None = None
    ) -> Iterator[Note]:
        """A note for the warnings, made once per department and key (default: once per kind)."""
        if (kind, key or "") not in dept.noted:
            dept.noted.add((kind, key or ""))
            yield Note(dept.id, kind, url, detail)

    def _truncation(self, dept: Department, url: str, role: str, depth: int) -> tuple[str, str] | None:
        """Why a page of the site is not crawled: a cap or a trap, as (kind, detail)."""
        if role not in ("page", "list_page"):
            return None
        if dept.pages >= self.max_pages:
            return "max_pages", f"stopped after {self.max_pages} pages (max_pages_per_site)"
        if role == "list_page":
            return None
        if depth > self.max_depth:
            return "max_depth", f"pages deeper than {self.max_depth} links were not crawled (max_depth)"
        if trap := trap_reason(url, self.markers.max_repeated_segment):
            return "trap_path", f"crawler trap skipped: {trap}"
        path = urlsplit(url).path
        if urlsplit(url).query:
            dept.path_variants[path] += 1
            if dept.path_variants[path] > self.markers.max_query_variants:
                return (
                    f"trap_query:{path}",
                    f"crawler trap skipped: more than {self.markers.max_query_variants} variants of {path}",
                )
        return None

    def request_page(
        self,
        dept: Department,
        url: str,
        role: str,
        nav_depth: int | None = None,
        priority: int = 0,
        meta: dict[str, Any] | None = None,
        form: tuple[tuple[str, str], ...] | None = None,
        depth: int = 0,
    ) -> Iterator[Request | Note]:
        """Request a page of the department's site to be parsed (once per run).

        ``form`` makes it a POST of those fields (Hanweb dataproxy groups). A page
        beyond a cap or inside a trap is only checked, and a note says so.
        """
        key = NextPage(url, form).key if form else canonical(url, self.markers.ignored_query_params)
        if not self._claim(key):
            return
        if truncation := self._truncation(dept, url, role, depth):
            yield from self._note(dept, "crawl_truncated", dept.site, truncation[1], key=truncation[0])
            if form is None:
                yield from self._scheduled(self._check_request(url, dept), dept, key)
            return
        dept.pages += 1
        meta = {"dept": dept.id, "role": role, "target": url, "nav_depth": nav_depth, "form": form, "depth": depth,
                **(meta or {})}  # fmt: skip
        if dept.obey_robots is False:
            meta["dont_obey_robotstxt"] = True
        kwargs: dict[str, Any] = {"callback": self.parse_page, "errback": self.on_failure, "priority": priority,
                                  "dont_filter": True, "meta": meta}  # fmt: skip
        request = FormRequest(url, formdata=dict(form), **kwargs) if form is not None else Request(url, **kwargs)
        yield from self._scheduled(request, dept, key)

    def request_check(self, url: str, dept: Department) -> Iterator[Any]:
        """Request a link only to check it (external, attachment), once per run."""
        key = canonical(url, self.markers.ignored_query_params)
        if self._claim(key):
            yield from self._scheduled(self._check_request(url, dept), dept, key)

    def _check_request(self, url: str, dept: Department) -> Request:
        meta = {"dept": dept.id, "role": "check", "target": url, "dont_obey_robotstxt": True}
        if is_attachment(url):
            # HEAD first; a refused or failed HEAD falls back to a GET (see parse_check).
            return Request(url, method="HEAD", callback=self.parse_check, errback=self.on_failure,
                           dont_filter=True, meta={**meta, "confirm": False})  # fmt: skip
        return Request(url, callback=self.parse_check, errback=self.on_failure, dont_filter=True, meta=meta)

    def _get_after_head(self, head: Request) -> Request:
        """The GET (cut after the headers) that confirms a HEAD which failed or was refused."""
        meta = {k: head.meta[k] for k in ("dept", "role", "target", "dont_obey_robotstxt")}
        return head.replace(method="GET", meta={**meta, "headers_only": True})

    def on_headers(self, headers: Any, body_length: int, request: Request, spider: scrapy.Spider) -> None:
        """Stop downloading bodies that will not be read: attachments, and answers that are not lists or pages.

        Only the spider's own requests (they carry a target) are cut: robots.txt is text/plain.
        """
        if "target" not in request.meta:
            return
        request.meta["headers_seen"] = True
        if request.meta.get("headers_only"):
            raise StopDownload(fail=False)
        content_type = (headers.get(b"Content-Type") or b"").lower()
        wanted = (b"html", b"xml", b"json") if request.meta.get("role") in COLUMN_ROLES else (b"html", b"xml")
        if content_type and not any(kind in content_type for kind in wanted):
            raise StopDownload(fail=False)

    # judging answers ----------------------------------------------------------

    def _check_item(self, response: Response, verdict: Verdict) -> CheckResult:
        return self._answered(
            CheckResult(
                url=response.meta["target"],
                status=response.status,
                error=verdict.error,
                outcome=verdict.outcome,
                attempts=response.meta.get("attempt", 1),
                final_url=response.url if response.url != response.meta["target"] else None,
                detail=verdict.detail,
            ),
            response.meta["dept"],
        )

    def _judge(self, response: Response) -> Verdict:
        """What a response means for the link that led to it, and the page when it is content."""
        if response.status == 429:
            # Still "slow down" after the confirmations honoured Retry-After: the
            # server is limiting gongkai, which says nothing about the link.
            return Verdict("blocked", "rate_limited", "HTTP 429: the server limits gongkai's requests")
        view = PageView(response) if isinstance(response, TextResponse) else None
        if isinstance(response, HtmlResponse) and view is not None:
            if is_challenge(response.text[:8192], view.text, self.markers):
                return Verdict("blocked", "challenge", "anti-bot challenge page")
            if reason := waf_block_reason(view.text, self.markers):
                return Verdict("blocked", "waf", f"firewall block page ({reason})")
        if response.status >= 400:
            return Verdict("broken", "http", f"HTTP {response.status}")
        kind, problem = response.meta.get("certificate") or (None, None)
        content = view if view is not None and (view.root is not None or response.meta["role"] != "check") else None
        if kind == "tls":
            return Verdict("broken", "tls", problem, page=content)  # the page is still read
        is_html = isinstance(response, HtmlResponse) and view is not None
        if is_html and (reason := soft_404_reason(view.title, view.text, self.markers)):
            return Verdict("broken", "soft_404", f"page says {reason!r}")
        if is_html and empty_page(view):
            return Verdict("broken", "soft_404", "the page is empty")
        if moved := removed_document(
            response.meta["target"], response.url, self.departments[response.meta["dept"]].site
        ):
            return Verdict("broken", "soft_404", moved)
        return Verdict("ok", page=content)

    def _side_notes(self, dept: Department, response: Response, verdict: Verdict) -> Iterator[Note]:
        target = response.meta["target"]
        if verdict.outcome == "blocked":
            detail = f"a server answered with a firewall, challenge or rate-limit page instead of content ({target})"
            yield from self._note(dept, "blocked", target, detail)
        kind, problem = response.meta.get("certificate") or (None, None)
        if kind == "tls_unverified":
            host = urlsplit(target).netloc
            yield from self._note(dept, "tls_unverified", target, f"{host}: {problem}", key=host)

    # callbacks ----------------------------------------------------------------

    def parse_check(self, response: Response) -> Iterator[Any]:
        """Record a link check; a failed HEAD is tried again as a GET."""
        if response.request.method == "HEAD" and response.status >= 400:
            yield self._get_after_head(response.request)
            return
        verdict = self._judge(response)
        yield from self._side_notes(self.departments[response.meta["dept"]], response, verdict)
        yield self._check_item(response, verdict)  # last: marks the URL done for a resumed crawl

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Record a page of a department's site and follow what it links to."""
        verdict = self._judge(response)
        yield from self._read_page(response, verdict)
        yield self._check_item(response, verdict)  # last: marks the URL done for a resumed crawl

    def _read_page(self, response: Response, verdict: Verdict) -> Iterator[Any]:
        meta = response.meta
        dept = self.departments[meta["dept"]]
        role = meta["role"]
        view = verdict.page
        yield Page(
            department=dept.id, url=meta["target"], role=role, status=response.status,
            title=view.title if view else None,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            bytes=len(response.body),
            reading="content" if view else ("not_html" if verdict.outcome == "ok" else verdict.error),
        )  # fmt: skip
        yield from self._side_notes(dept, response, verdict)
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
        yield from self._follow_links(response, view, dept, meta, list_urls)

    def _follow_links(
        self, response: Response, view: PageView, dept: Department, meta: dict[str, Any], list_urls: set[str]
    ) -> Iterator[Any]:
        """Record every link of a page; crawl the site's own pages, check the rest."""
        nav_depth = meta.get("nav_depth")
        child_nav = nav_depth + 1 if nav_depth is not None and nav_depth < MAX_NAV_DEPTH else None
        depth = meta.get("depth", 0) + 1
        here = view.url.split("#", 1)[0]
        on_homepage = meta["role"] == "homepage"
        for link in self.link_extractor.extract_links(response):
            url = link.url.split("#", 1)[0]
            if not url or not is_web_url(url) or url == here:
                continue
            text = link.text.strip()
            yield LinkFound(dept.id, meta["target"], url, text, on_homepage=on_homepage)
            if refused := self.policy.refusal(url):
                detail = f"a link to a {refused.replace('_', '-')} address is never requested"
                yield from self._note(dept, "private_target", url, detail, key=url)
                continue
            if urlsplit(url).netloc.lower() in dept.hosts and is_page_candidate(url):
                nav = None if url in list_urls else child_nav
                yield from self.request_page(dept, url, "page", nav_depth=nav, meta={"anchor": text}, depth=depth)
            else:
                yield from self.request_check(url, dept)

    # columns ------------------------------------------------------------------

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
        if meta["role"] == "page":  # a discovered column's first page, known by its canonical URL
            column = canonical(meta["target"], self.markers.ignored_query_params)
            meta = {**meta, "column": column, "column_name": self._column_name(view, meta),
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
        for entry in [e for e in reading.entries if e.date_source != "list"][:NEWEST_ITEMS]:
            if urlsplit(entry.url).netloc.lower() in dept.hosts:
                yield from self.request_page(dept, entry.url, "page", priority=8, meta={"anchor": entry.title})
        # A page whose rows were all seen on another page of the same list ends a pagination loop.
        signature = (meta["column"], tuple(e.url for e in reading.entries))
        if reading.entries and signature in self.list_pages_seen:
            for page in reading.next_pages:  # nor are they followed as ordinary pages
                self._claim(page.key if page.formdata else canonical(page.url, self.markers.ignored_query_params))
            return {e.url for e in reading.entries}
        self.list_pages_seen.add(signature)
        for page in reading.next_pages:
            if urlsplit(page.url).netloc.lower() in dept.hosts:
                page_meta = {k: meta[k] for k in ("column", "column_name", "stem")}
                yield from self.request_page(
                    dept, page.url, "list_page", priority=5, meta=page_meta, form=page.formdata
                )
        return {e.url for e in reading.entries}

    # failures -------------------------------------------------------------------

    def on_failure(self, failure: Failure) -> Iterator[Any]:
        """Record a request that failed for good (after confirmation)."""
        request = failure.request
        meta = request.meta
        dept = self.departments[meta["dept"]]
        kind = error_kind(failure.value)
        attempts = meta.get("attempt", 1)
        if isinstance(failure.value, OfflineRefused):
            yield self._answered(
                CheckResult(meta["target"], None, "offline", "skipped", attempts, None, str(failure.value)), dept.id
            )
            return
        if kind in ("robots", "ignored"):
            detail = "forbidden by robots.txt" if kind == "robots" else str(failure.value)
            yield self._answered(CheckResult(meta["target"], None, kind, "skipped", attempts, None, detail), dept.id)
            return
        if request.method == "HEAD":
            yield self._get_after_head(request)
            return
        if kind == "timeout" and meta.get("headers_seen"):
            kind = "too_slow"
        if kind in CUT_OFF:
            # The server answered; gongkai stopped reading. A warning, never a broken link.
            detail = f"{meta['target']} was cut off: {CUT_OFF[kind]}"
            yield from self._note(dept, "page_cut_off", meta["target"], detail, key=meta["target"])
            yield self._answered(CheckResult(meta["target"], None, kind, "skipped", attempts, None, detail), dept.id)
            return
        detail = f"{kind}: {failure.getErrorMessage()}"[:300]
        if meta["role"] != "check":
            yield Page(dept.id, meta["target"], meta["role"], None, reading="unreachable")
        if meta["role"] == "column":
            yield self._column(meta, dept, "unreachable", detail)
        yield self._answered(CheckResult(meta["target"], None, kind, "broken", attempts, None, detail), dept.id)
