"""The department spider: homepage → disclosure section → columns → list pages → items.

It yields what it sees (pages, columns, list entries, links, check results,
notes) and never decides what is a problem: that is the monitor's job.

Every URL is requested at most once per run (``crawler.links.canonical``):
internal pages are crawled, and that fetch is also their link check. External
links, attachments and images are only checked, by the link checker in
another process (``crawler.checker``): this spider hands them over as
frontier rows in the store. Links to the supervisor's own network are never
requested (``common.transport.targets``). Every page request made is written
to the frontier too, so that a killed crawl can be resumed.

A run's pages are shared out over several of these spiders, each in its own
process (the config's ``page_workers``), so that a run uses several cores: each
crawls the pages that are its share (``crawler.links.page_owner``) and hands the
others over as rows of the store's ``handoffs`` table, which their owner
follows. A spider stops when every one of them is idle and no handoff is left
(``_follow_handoffs``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import sqlite3
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import FormRequest, Request
from scrapy.http import Response

from common.reasons import reason
from common.transport.targets import refusal_reason
from common.urls import is_attachment, is_page_candidate
from common.wording import say
from crawler.items import (
    MEMO_FORMAT,
    MEMO_ROWS,
    CheckResult,
    DetailDate,
    Frontier,
    Handoff,
    LinkFound,
    ListEntry,
    Memo,
    Page,
)
from crawler.links import (
    Regions,
    canonical,
    page_links,
    page_owner,
    trap_reason,
)
from crawler.pages import PageView, Verdict, breadcrumb_leaf, no_list_reason
from crawler.pipelines import flush_requested
from crawler.readers import ListReading, NextPage, detail_date, list_stem, read_column, read_homepage
from crawler.spiders.base import COLUMN_ROLES, Department, InspectionSpider

_MORE = re.compile(r"^(更多|more|查看更多|>>|»)", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s*[-_|—–]\s*")
MAX_NAV_DEPTH = 3
NEWEST_ITEMS = 5  # items of an undated list whose own pages are read first
RECENT_LINKS = 4096
# What a request's frontier row keeps, to rebuild it when a killed crawl resumes.
_FRONTIER_META = frozenset(
    {"dept", "role", "target", "nav_depth", "form", "depth", "column", "column_name", "stem", "anchor",
     "dont_obey_robotstxt"}
)  # fmt: skip

ROW_TYPES = {cls.table: cls for cls in MEMO_ROWS}


_HANDOFFS = """
select rowid, url, meta from handoffs where rowid > ? and rowid <= ? and run_id = ? and worker = ? order by rowid
"""
_UNFINISHED = """
select count(distinct department) from frontier f
where f.run_id = ? and json_extract(f.meta, '$.callback') = 'page'
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
"""


def body_hash(body: bytes) -> str:
    """The hash that tells an unchanged body from a changed one."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 1)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


class DepartmentSpider(InspectionSpider):
    """Crawls and reads the sites of every department of a run plan."""

    name = "departments"
    poll_seconds = 0.1

    def __init__(self, plan: str, worker: int | str = 0, **kwargs: Any) -> None:
        super().__init__(plan, **kwargs)
        crawl = self.plan.crawl
        self.worker = int(worker)
        self.workers = self.plan.page_workers
        self.max_pages = crawl.max_pages_per_site
        self.page_cap = -(-self.max_pages // self.workers)  # each spider caps its share of a site's pages
        self.max_depth = crawl.max_depth
        self.max_links = crawl.max_links_per_site
        self.link_cap = -(-self.max_links // self.workers)  # each spider caps its share of a site's link checks
        # The keys requested so far, kept as their 64-bit string hashes, far smaller
        # than the URLs themselves. Two keys of one run sharing a hash (about 3 in
        # 10^8 for a million URLs) would leave one URL unrequested, never accused.
        self.requested: set[int] = set()
        self.list_pages_seen: set[tuple[str, tuple[str, ...]]] = set()
        # Links decided recently (requested, handed over or refused): the navigation
        # and footer every page repeats are only recorded, not decided again. Bounded,
        # so memory does not grow with the site; ``requested`` stays the authority.
        self.recent_links: OrderedDict[str, None] = OrderedDict()
        # What the page being parsed follows and asks for, for its memo (None: not recording).
        self._wants: list[Any] | None = None
        self._reader: sqlite3.Connection | None = None

    # requests ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Homepages first, then configured columns, then disclosure entries.

        Columns are claimed before the disclosure entry so that a column configured
        at the entry's own URL is still read as a column. A resumed run instead
        makes the page requests its killed predecessor queued but never finished
        (the link checker takes up the checks). Either way it then follows
        the pages the other page spiders hand over until all of them are done.
        """
        pending = self._pending_requests() if self.plan.resume else None
        if pending is not None:
            for request in pending:
                yield request
        else:
            for dept in self.departments.values():
                results = [*self.request_page(dept, dept.site, "homepage", nav_depth=0, priority=30)]
                for column in dept.columns:
                    meta = {"column": column.url, "column_name": column.name, "stem": list_stem(column.url)}
                    results += self.request_page(dept, column.url, "column", priority=10, meta=meta)
                if dept.disclosure:
                    results += self.request_page(dept, dept.disclosure, "disclosure", nav_depth=0, priority=20)
                for result in self._bundled(iter(results)):
                    yield result
        async for result in self._follow_handoffs():
            yield result

    async def _follow_handoffs(self) -> AsyncIterator[Any]:
        """Crawl the pages the other page spiders hand over, until all of them are done.

        A spider that is idle (nothing in flight, its rows written) and has taken
        every handoff up to the newest one marks that handoff's rowid in a file of
        the run's queue folder. All are done when every mark is the newest handoff:
        only a busy spider writes handoffs, and an idle one becomes busy only
        through a handoff newer than its mark.
        """
        run_id = self.plan.run_id
        cursor = 0
        while True:
            idle = self._idle()
            if idle:  # the handoffs this spider made must be visible before it marks
                self.crawler.signals.send_catch_log(flush_requested)
            newest = self._newest_handoff()
            rows = self.reader().execute(_HANDOFFS, [cursor, newest, run_id, self.worker]).fetchall()
            cursor = newest
            for _, url, meta_json in rows:
                args = json.loads(meta_json)
                dept = self.departments[args.pop("dept")]
                dept.hosts.update(args.pop("moved_to", ()))  # where the owner of its homepage found the site
                args["form"] = tuple(tuple(pair) for pair in args["form"]) if args["form"] else None
                for result in self._bundled(self.request_page(dept, url, **args)):
                    yield result
            if not rows and idle:
                self._mark_idle(newest)
                if self._all_idle_at(newest):
                    return
            await asyncio.sleep(0 if rows else self.poll_seconds)

    def _idle(self) -> bool:
        """No page request of this spider waits for an answer and no answer is being processed."""
        slot = self.crawler.engine.scraper.slot
        return self.in_flight() == 0 and (slot is None or slot.is_idle())

    def in_flight(self) -> int:
        """Page requests made and not answered yet."""
        return sum(d.outstanding for d in self.departments.values())

    def _newest_handoff(self) -> int:
        return int(self.reader().execute("select ifnull(max(rowid), 0) from handoffs").fetchone()[0])

    def _marks(self) -> Path:
        return Path(self.plan.queue_dir or ".")

    def _mark_idle(self, newest: int) -> None:
        """Say, for the other page spiders, that this one is idle with every handoff up to ``newest`` taken."""
        self._marks().mkdir(parents=True, exist_ok=True)
        mark = self._marks() / f"idle-{self.worker}"
        temporary = mark.with_suffix(".tmp")
        temporary.write_text(str(newest))
        os.replace(temporary, mark)

    def _all_idle_at(self, newest: int) -> bool:
        for worker in range(self.workers):
            try:
                if int((self._marks() / f"idle-{worker}").read_text()) != newest:
                    return False
            except (FileNotFoundError, ValueError):
                return False
        return self._newest_handoff() == newest

    def _pending_requests(self) -> list[Request] | None:
        """The requests of an interrupted run that are this spider's share and unanswered (None: nothing stored)."""
        run_id = self.plan.run_id
        reader = self.reader()
        rows = reader.execute("select key, url, method, meta from frontier where run_id = ?", [run_id]).fetchall()
        done = {url for (url,) in reader.execute("select url from checks where run_id = ?", [run_id])}
        if not rows:
            return None
        requests = []
        for row in rows:
            key, url, method, meta_json = row
            self.requested.add(hash(key))
            meta = json.loads(meta_json)
            if meta["callback"] != "page" or self._owner(url, meta["role"], meta.get("column")) != self.worker:
                continue  # checks are taken up by the link checker
            dept = self.departments[meta["dept"]]
            if meta["role"] in ("page", "list_page"):
                dept.pages += 1
            if url not in done:
                dept.outstanding += 1
                requests.append(self.rebuild(url, method, meta, self.parse_page))
        return requests

    def _scheduled(self, request: Request, dept: Department, key: str) -> Iterator[Any]:
        """Yield a page request with its frontier row, so a killed crawl can be resumed."""
        dept.outstanding += 1
        meta = {k: v for k, v in request.meta.items() if k in _FRONTIER_META}
        meta["callback"] = "page"
        meta["priority"] = request.priority
        yield Frontier(dept.id, key, request.url, request.method, json.dumps(meta, ensure_ascii=False))
        yield request

    def _owner(self, url: str, role: str, column: str | None) -> int:
        """The page spider whose share a page is: a list's pages go by their column's URL."""
        return page_owner(column if role in COLUMN_ROLES and column else url, self.workers)

    def _hand_over(self, url: str, dept: Department, key: str) -> Frontier:
        """A link only to be checked, as the frontier row the link checker picks up."""
        meta = {"dept": dept.id, "role": "check", "target": url, "callback": "check"}
        # Attachments: HEAD first; a refused or failed HEAD falls back to a GET (see crawler.checker).
        method = "HEAD" if is_attachment(url) else "GET"
        return Frontier(dept.id, key, url, method, json.dumps(meta, ensure_ascii=False))

    def reader(self) -> sqlite3.Connection:
        """A read-only connection to the run's store (memos, counts), opened when first needed."""
        if self._reader is None:
            self._reader = sqlite3.connect(f"file:{self.plan.db}?mode=ro", uri=True)
        return self._reader

    def closed(self, reason: str) -> None:
        """Close the read-only store connection (the progress line's last report may open it again)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def progress(self) -> str:
        """One line on how far the run's crawl is, from the store (every spider writes there)."""
        run_id = [self.plan.run_id]
        pages = self.reader().execute("select count(*) from pages where run_id = ?", run_id).fetchone()[0]
        checked = self.reader().execute("select count(*) from checks where run_id = ?", run_id).fetchone()[0]
        done = len(self.departments) - self.reader().execute(_UNFINISHED, run_id).fetchone()[0]
        return say("progress", pages=pages, checked=checked, done=done, total=len(self.departments))

    def _claim(self, key: str) -> bool:
        hashed = hash(key)
        if hashed in self.requested:
            return False
        self.requested.add(hashed)
        return True

    def _truncation(self, dept: Department, url: str, role: str, depth: int) -> tuple[str, str] | None:
        """Why a page of the site is not crawled: a cap or a trap, as (kind, detail)."""
        if role not in ("page", "list_page"):
            return None
        if dept.pages >= self.page_cap:
            return "max_pages", reason("max_pages", self.max_pages)
        if role == "list_page":
            return None
        if depth > self.max_depth:
            return "max_depth", reason("max_depth", self.max_depth)
        if trap_reason(url, self.markers.max_repeated_segment):
            return "trap_path", reason("trap_path", url)
        path = urlsplit(url).path
        if urlsplit(url).query:
            dept.path_variants[path] += 1
            if dept.path_variants[path] > self.markers.max_query_variants:
                return f"trap_query:{path}", reason("trap_query", path)
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
    ) -> Iterator[Any]:
        """Request a page of the department's site to be parsed (once per run).

        ``form`` makes it a POST of those fields (Hanweb dataproxy groups). A page
        beyond a cap or inside a trap is only checked, and a note says so. A page
        that is another page spider's share is handed over to it.
        """
        key = NextPage(url, form).key if form else canonical(url, self.markers.ignored_query_params)
        if not self._claim(key):
            return
        if (owner := self._owner(url, role, (meta or {}).get("column"))) != self.worker:
            args = {"dept": dept.id, "role": role, "nav_depth": nav_depth, "priority": priority, "meta": meta,
                    "form": form, "depth": depth, "moved_to": sorted(dept.moved_to)}  # fmt: skip
            yield Handoff(dept.id, key, owner, url, json.dumps(args, ensure_ascii=False))
            return
        if truncation := self._truncation(dept, url, role, depth):
            yield from self._note(dept, "crawl_truncated", dept.site, truncation[1], key=truncation[0])
            if form is None:
                yield from self._hand_over_within_cap(url, dept, key)
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
            yield from self._hand_over_within_cap(url, dept, key)

    def _hand_over_within_cap(self, url: str, dept: Department, key: str) -> Iterator[Any]:
        """Hand a link over to be checked, unless the site's share of link checks is spent (then a note says so)."""
        if dept.checks >= self.link_cap:
            yield from self._note(
                dept, "crawl_truncated", dept.site, reason("max_links", self.max_links), key="max_links"
            )
            return
        dept.checks += 1
        yield self._hand_over(url, dept, key)

    # callbacks ----------------------------------------------------------------

    def parse_page(self, response: Response) -> list[Any]:
        """Record a page of a department's site and follow what it links to.

        A page unchanged since a run read it (a 304, or the same body) is not
        parsed: its memo is replayed. A page read afresh leaves a memo for the
        next run. Run eagerly, so that the wants recorded belong to this page.
        """
        answered = self.checked
        try:
            return self._parsed(response)
        except Exception as exc:  # one page gongkai cannot read must not stop the run, nor leave it waiting
            self.logger.exception("reading %s failed", response.url)
            self._wants = None
            errors = self._internal_error(response.meta, response.status, exc, self.checked > answered)
            return list(self._bundled(errors))

    def _parsed(self, response: Response) -> list[Any]:
        digest = body_hash(response.body)
        memo_hash = response.meta.get("memo_hash")
        if memo_hash is not None and (response.status == 304 or (response.status == 200 and digest == memo_hash)):
            return list(self._bundled(self._replay(response)))
        self._wants = []
        try:
            results = list(self._parse_page(response))
        finally:
            wants, self._wants = self._wants, None
        check = results[-1]
        if response.status == 200 and isinstance(check, CheckResult) and check.outcome == "ok":
            results.insert(-1, self._memo(response, digest, results, wants))
        return list(self._bundled(iter(results)))

    def _memo(self, response: Response, digest: str, results: list[Any], wants: list[Any]) -> Memo:
        rows = [[item.table, vars(item)] for item in results if isinstance(item, MEMO_ROWS)]
        return Memo(
            url=response.meta["target"], department=response.meta["dept"],
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            content_hash=digest, rows=_pack(rows), wants=_pack(wants), format=MEMO_FORMAT,
        )  # fmt: skip

    def _replay(self, response: Response) -> Iterator[Any]:
        """The rows and requests of an unchanged page, from its memo."""
        meta = response.meta
        dept = self.departments[meta["dept"]]
        memo = (
            self.reader()
            .execute(
                "select run_id, rows, wants from memos where url = ? and format = ?", [meta["target"], MEMO_FORMAT]
            )
            .fetchone()
        )
        if memo is None:  # the memo went away since the request was made: nothing to replay
            yield self._check_item(response, Verdict("ok", detail="unchanged"))
            return
        run_id, rows, wants = memo
        for table, values in _unpack(rows):
            item = ROW_TYPES[table](**values)
            if isinstance(item, Page):
                item.reading = "unchanged"
            yield item
        on_homepage = meta["role"] == "homepage"
        for kind, *args in _unpack(wants):
            if kind == "link":
                url, text, nav, depth, place = args
                yield LinkFound(dept.id, meta["target"], url, text, on_homepage=on_homepage, place=place)
                yield from self._follow_link(dept, url, text, nav, depth)
            else:
                url, role, nav_depth, priority, page_meta, form, depth = args
                form = tuple(tuple(pair) for pair in form) if form else None
                yield from self.request_page(dept, url, role, nav_depth, priority, page_meta, form, depth)
        yield from self._side_notes(dept, response, Verdict("ok"))
        yield self._check_item(response, Verdict("ok", detail=reason("unchanged", run_id)))

    def _parse_page(self, response: Response) -> Iterator[Any]:
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
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
        )  # fmt: skip
        yield from self._side_notes(dept, response, verdict)
        if view is None:
            if role == "column":
                state = "blocked" if verdict.outcome == "blocked" else "unreachable"
                yield self._column(meta, dept, state, verdict.detail or "not_html")
            return

        answered_at = urlsplit(response.url).netloc.lower()
        if role in ("homepage", "disclosure") and answered_at not in dept.hosts:
            # The site answers under its other name (www., https, a new domain): still the department's own pages.
            dept.hosts.add(answered_at)
            dept.moved_to.add(answered_at)
            self._claim(canonical(response.url, self.markers.ignored_query_params))  # read: not a page to find again
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
        assert view.root is not None
        regions = Regions(self.markers.link_regions)
        for url, text, place in page_links(view.root, response.url, response.encoding, regions):
            if url == here:
                continue
            yield LinkFound(dept.id, meta["target"], url, text, on_homepage=on_homepage, place=place)
            nav = None if url in list_urls else child_nav
            if self._wants is not None:
                self._wants.append(["link", url, text, nav, depth, place])
            if url in self.recent_links:
                self.recent_links.move_to_end(url)
                continue
            self.recent_links[url] = None
            if len(self.recent_links) > RECENT_LINKS:
                self.recent_links.popitem(last=False)
            yield from self._follow_link(dept, url, text, nav, depth)

    def _follow_link(self, dept: Department, url: str, text: str, nav: int | None, depth: int) -> Iterator[Any]:
        """Crawl a link to the site's own pages, hand any other over to be checked, never touch a private one."""
        if refused := self.policy.refusal(url):
            if refused.kind == "private_target":
                yield from self._note(dept, "private_target", url, refusal_reason(refused), key=url)
            else:  # offline mode: a request would leave this machine
                yield from self.request_check(url, dept)
        elif urlsplit(url).netloc.lower() in dept.hosts and is_page_candidate(url):
            yield from self.request_page(dept, url, "page", nav_depth=nav, meta={"anchor": text}, depth=depth)
        else:
            yield from self.request_check(url, dept)

    def _want_page(self, dept: Department, url: str, role: str, priority: int, meta: dict[str, Any],
                   form: tuple[tuple[str, str], ...] | None = None) -> Iterator[Any]:  # fmt: skip
        """Request a page a list asks for (its items, its later pages), remembered for the page's memo."""
        if self._wants is not None:
            self._wants.append(["page", url, role, None, priority, meta, form, 0])
        yield from self.request_page(dept, url, role, None, priority, meta, form)

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
                state, detail = "list", reason("reader", reading.reader)
            else:
                state, detail = no_list_reason(view, self.markers)
            yield self._column(meta, dept, state, detail)
        # Items dated only on their own page: read the newest ones first.
        for entry in [e for e in reading.entries if e.date_source != "list"][:NEWEST_ITEMS]:
            if urlsplit(entry.url).netloc.lower() in dept.hosts:
                yield from self._want_page(dept, entry.url, "page", 8, {"anchor": entry.title})
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
                yield from self._want_page(dept, page.url, "list_page", 5, page_meta, page.formdata)
        return {e.url for e in reading.entries}
