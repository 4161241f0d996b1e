"""The department spider: homepage → disclosure section → columns → list pages → items.

It reads pages and yields what it sees (pages, columns, list entries, links,
check results, notes); it never decides what is a problem: that is the
monitor's job. What it asks of the crawl has a module each:

- ``crawler.frontier``: every URL requested once per run, written down so a killed crawl resumes;
- ``crawler.sharing``: the run's pages shared between page spiders, and when all are done;
  or, in a run shared out through Redis, ``crawler.shared_queue`` and ``common.shared_run``;
- ``crawler.bounds``: the caps and traps that cut a site's crawl short;
- ``crawler.memos``: what reading a page produced, replayed when it is unchanged;
- ``crawler.discovery``: which page reached through the navigation is a column.

Internal pages are crawled, and that fetch is also their link check. External
links, attachments and images are only checked, by the link checker in another
process (``crawler.checker``), to which the frontier hands them. Links to the
supervisor's own network are never requested (``common.transport.targets``).

Long because reading a page is one walk that stays here whole: a page's role
decides how it is read (homepage, column, list page, discovered column, item),
and what it reads decides which requests follow.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from common.plan import RunPlan
from common.reasons import reason
from common.shared_run import stable_hash
from common.transport.client import offline_requested
from common.transport.targets import plan_policy, refusal_reason
from common.urls import is_page_candidate
from crawler.answers import AnswerRecorder, bundled
from crawler.bounds import CrawlBounds
from crawler.discovery import column_name, discovered_column
from crawler.frontier import RequestFrontier, SharedFrontier, page_request, rebuilt
from crawler.items import CheckResult, Detail, Done, LinkFound, ListEntry, Message, Page, TermFound
from crawler.links import Regions, canonical, page_links
from crawler.memos import (
    MEMO_FORMAT,
    LinkWanted,
    PageWanted,
    Wanted,
    body_hash,
    memo_key,
    memo_of,
    replayed_rows,
    replayed_wants,
)
from crawler.pages import PageMarkers, PageView, Verdict, no_list_reason
from crawler.pipelines import flush_requested
from crawler.readers import Entry, ListReading, NextPage, list_stem, read_article, read_column, read_homepage
from crawler.readers.detail import article_body, article_words
from crawler.readers.messages import read_message_list, read_message_page, says_messages
from crawler.rendering import Renderer
from crawler.shared_queue import leased, shared_run_of
from crawler.sharing import PageSharing
from crawler.sites import COLUMN_ROLES, Department, departments_of
from crawler.storage import CrawlStore
from crawler.terms import TermCheck

MAX_NAV_DEPTH = 3
NEWEST_ITEMS = 5  # items of an undated list whose own pages are read first
RECENT_LINKS = 4096
# A worker of a shared run leases at most this many requests per request it may have under way:
# enough to keep its downloads busy, few enough that idle workers find the rest in the queue.
LEASES_AHEAD = 2


def _reading(response: Response, verdict: Verdict) -> str | None:
    """How a page was read: its content (``rendered`` in the browser), not HTML, or the error that stopped it."""
    if verdict.page is not None:
        return "rendered" if response.meta.get("render") else "content"
    return "not_html" if verdict.outcome == "ok" else verdict.error


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class DepartmentSpider(scrapy.Spider):
    """Crawls and reads the sites of every department of a run plan (``common.plan.RunPlan``)."""

    name = "departments"
    poll_seconds = 0.1

    def __init__(self, plan: str, worker: int | str = 0, seed: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = RunPlan.read(plan)
        tables = self.plan.tables()
        self.markers = PageMarkers.from_table(tables.markers)
        self.terms = TermCheck(tables.terms) if self.plan.crawl.content_checks else None
        # A memo replays a reading: one made with other term tables (or none), or other words
        # of a message, is never replayed.
        reading = (self.terms and self.terms.digest, self.markers.messages.model_dump_json())
        self.memo_format = f"{MEMO_FORMAT}-{stable_hash(repr(reading))}"
        self.departments = departments_of(self.plan)
        self.policy = plan_policy(str(Path(plan).resolve()), offline_requested())
        self.answers = AnswerRecorder(self.departments, self.markers)
        self.worker = int(worker)
        self.seed = seed  # this spider makes the run's first requests (a shared run's other workers do not)
        self.frontier: RequestFrontier = RequestFrontier()
        self.bounds = CrawlBounds(self.plan.crawl, self.plan.page_workers, self.markers)
        self.renderer = Renderer(self.plan, self.bounds, self.worker)
        self.sharing: PageSharing | None = PageSharing(
            self.worker, self.plan.page_workers, self.plan.run_id, Path(self.plan.queue_dir)
        )
        self.shared = None
        self.leases = 0  # requests of the shared run leased to this spider and not reported yet
        # Links decided recently (requested, handed over or refused): the navigation
        # and footer every page repeats are only recorded, not decided again. Bounded,
        # so memory does not grow with the site; the frontier stays the authority.
        self.recent_links: OrderedDict[str, None] = OrderedDict()
        self._store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DepartmentSpider:
        """The spider, taking part in a run shared out through Redis when the settings name one."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if (shared := shared_run_of(crawler.settings)) is not None:
            spider.shared = shared
            spider.frontier = SharedFrontier(shared)
            spider.bounds = CrawlBounds(spider.plan.crawl, 1, spider.markers, shared)
            spider.renderer = Renderer(spider.plan, spider.bounds)
            spider.sharing = None  # every page is any worker's
        return spider

    # requests ---------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Homepages first, then configured columns, then disclosure entries.

        Columns are claimed before the disclosure entry so that a column configured
        at the entry's own URL is still read as a column. A resumed run instead
        makes the page requests its killed predecessor queued but never finished
        (the link checker takes up the checks). Either way it then follows
        the pages the other page spiders hand over until all of them are done
        (in a shared run: the pages any worker queued, until the run is done).
        """
        if self.seed:
            async for result in self._seeded():
                yield result
        follow = self._follow_handoffs() if self.shared is None else self._follow_shared()
        async for result in follow:
            yield result

    async def _seeded(self) -> AsyncIterator[Any]:
        """The run's first requests: its sites' entries, or what a resumed run left unanswered."""
        pending = self._pending_requests() if self.plan.resume else None
        if pending is not None:
            for request in pending:
                yield request
            if self.shared is not None:  # the pages of a resumed run count for every worker
                for dept in self.departments.values():
                    self.bounds.add(dept, "pages", dept.pages)
        else:
            for dept in self.departments.values():
                results = [*self.request_page(dept, dept.site, "homepage", nav_depth=0, priority=30)]
                for column in dept.columns:
                    meta = {"column": column.url, "column_name": column.name, "stem": list_stem(column.url)}
                    results += self.request_page(dept, column.url, "column", priority=10, meta=meta)
                if dept.disclosure:
                    results += self.request_page(dept, dept.disclosure, "disclosure", nav_depth=0, priority=20)
                for result in bundled(iter(results)):
                    yield result
        if self.shared is not None:
            yield Done("seed")

    async def _follow_shared(self) -> AsyncIterator[Any]:
        """Take the shared run's queued pages as this spider has room, until the coordinator says the run is done."""
        assert self.shared is not None
        while True:
            taken = self.shared.take("p") if self.may_lease() else None
            if taken is not None:
                yield leased(self, *taken)
                continue
            self.crawler.signals.send_catch_log(flush_requested)  # its leases end once its rows are reported
            if self.shared.state() != "running":
                return
            await asyncio.sleep(self.poll_seconds)

    def may_lease(self) -> bool:
        """Whether this spider may take one more of the shared run's requests: it has room for it soon."""
        sites = self.plan.crawl.concurrency_per_site * len(self.departments)
        at_once = min(self.crawler.settings.getint("CONCURRENT_REQUESTS"), sites)
        return self.leases < LEASES_AHEAD * at_once

    async def _follow_handoffs(self) -> AsyncIterator[Any]:
        """Crawl the pages the other page spiders hand over, until all of them are done (``crawler.sharing``)."""
        while True:
            idle = self._idle()
            if idle:  # the handoffs this spider made must be visible before it marks
                self.crawler.signals.send_catch_log(flush_requested)
            newest = self.store().newest_handoff()
            taken = self.sharing.taken(self.store(), newest)
            for url, args in taken:
                dept = self.departments[args.pop("dept")]
                dept.hosts.update(args.pop("moved_to", ()))  # where the owner of its homepage found the site
                for result in bundled(self.request_page(dept, url, **args)):
                    yield result
            if not taken and idle:
                self.sharing.mark_idle(newest)
                if self.sharing.all_idle_at(self.store(), newest):
                    return
            await asyncio.sleep(0 if taken else self.poll_seconds)

    def _idle(self) -> bool:
        """No page request of this spider waits for an answer and no answer is being processed."""
        slot = self.crawler.engine.scraper.slot
        return self.in_flight() == 0 and (slot is None or slot.is_idle())

    def in_flight(self) -> int:
        """Page requests made and not answered yet."""
        return sum(d.outstanding for d in self.departments.values())

    def _pending_requests(self) -> list[Request] | None:
        """The requests of an interrupted run that are this spider's share and unanswered (None: nothing stored)."""

        def mine(url: str, meta: dict[str, Any]) -> bool:
            return self.sharing is None or self.sharing.owner(url, meta["role"], meta.get("column")) == self.worker

        def rebuild(url: str, method: str, meta: dict[str, Any]) -> Request:
            return rebuilt(url, method, meta, callback=self.parse_page, errback=self.on_failure)

        return self.frontier.pending(self.store(), self.plan.run_id, self.departments, mine, rebuild)

    def store(self) -> CrawlStore:
        """A read-only connection to the run's store (handoffs, memos, the frontier), opened when first needed."""
        if self._store is None:
            self._store = CrawlStore(self.plan.db, read_only=True)
        return self._store

    def closed(self, reason: str) -> None:
        """Close the read-only store connection."""
        if self._store is not None:
            self._store.close()
            self._store = None

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
        that is another page spider's share is handed over to it. A configured
        column is requested once as that column, a render (``crawler.rendering``)
        once as a render, whatever else its URL was requested as.
        """
        key = NextPage(url, form).key if form else canonical(url, self.markers.ignored_query_params)
        render = (meta or {}).get("render", False)
        if render:
            key = f"render:{key}"
        elif role == "column":
            # A configured column is read as one even where its URL is another page's
            # (``/index.html`` is the homepage, ``kjgh/index.htm`` is ``kjgh/``): it always
            # has its row. Links to its page are not followed again.
            self.frontier.claim(key)
            key = f"column:{url}"
        if not self.frontier.claim(key):
            return
        if self.sharing and (owner := self.sharing.owner(url, role, (meta or {}).get("column"))) != self.worker:
            args = {"role": role, "nav_depth": nav_depth, "priority": priority, "meta": meta, "form": form}
            yield self.sharing.handoff(dept, key, owner, url, {**args, "depth": depth})
            return
        if not render and (cut := self.bounds.page_cut(dept, url, role, depth)):
            yield from self.answers.note(dept, "crawl_truncated", dept.site, cut[1], key=cut[0])
            if form is None:
                yield from self._hand_over(url, dept, key)
            return
        if not render:
            self.bounds.add(dept, "pages")
        given = meta or {}
        meta = {"dept": dept.id, "role": role, "target": url, "nav_depth": nav_depth, "form": form, "depth": depth}
        meta.update(given)
        if self.shared is not None and dept.moved_to:  # where its homepage moved, for the worker reading it
            meta["moved_to"] = sorted(dept.moved_to)
        if dept.obey_robots is False:
            meta["dont_obey_robotstxt"] = True
        request = page_request(
            url, form, callback=self.parse_page, errback=self.on_failure, priority=priority, meta=meta
        )
        yield from self.frontier.scheduled(request, dept, key)

    def request_check(self, url: str, dept: Department) -> Iterator[Any]:
        """Request a link only to check it (external, attachment), once per run."""
        key = canonical(url, self.markers.ignored_query_params)
        if self.frontier.claim(key):
            yield from self._hand_over(url, dept, key)

    def _hand_over(self, url: str, dept: Department, key: str) -> Iterator[Any]:
        """Hand a link over to be checked, unless the site's share of link checks is spent (then a note says so)."""
        if spent := self.bounds.links_spent(dept):
            yield from self.answers.note(dept, "crawl_truncated", dept.site, spent, key="max_links")
            return
        self.bounds.add(dept, "checks")
        yield self.frontier.to_check(url, dept, key)

    # callbacks ----------------------------------------------------------------

    def parse_page(self, response: Response) -> list[Any]:
        """Record a page of a department's site and follow what it links to.

        A page unchanged since a run read it (a 304, or the same body) is not
        parsed: its memo is replayed. A page read afresh leaves a memo for the
        next run.
        """
        answered = self.answers.count
        try:
            self._reading(response.meta)
            return self._reported(response.meta, self._parsed(response))
        except Exception as exc:  # one page gongkai cannot read must not stop the run, nor leave it waiting
            self.logger.exception("reading %s failed", response.url)
            done = self.answers.count > answered
            if response.meta.get("render"):
                return self._reported(response.meta, list(bundled(self.answers.render_failed(response.meta, done))))
            rows = bundled(self.answers.internal_error(response.meta, response.status, exc, done))
            return self._reported(response.meta, list(rows))

    def _reading(self, meta: dict[str, Any]) -> None:
        """Before a page of a shared run is read: its claims are its own, and its site is where it moved."""
        if self.shared is None:
            return
        assert isinstance(self.frontier, SharedFrontier)
        self.frontier.claimer = meta.get("claimer", "seed")
        dept = self.departments[meta["dept"]]
        dept.hosts.update(meta.get("moved_to", ()))
        dept.moved_to.update(meta.get("moved_to", ()))

    def _reported(self, meta: dict[str, Any], results: list[Any]) -> list[Any]:
        """A callback's results, ending the lease of a shared run's request after them."""
        if isinstance(self.frontier, SharedFrontier):
            self.frontier.claimer = "seed"  # claims made outside a callback are the run's first requests
        if "lease" not in meta:
            return results
        self.leases -= 1
        return [*results, Done(meta["lease"])]

    def _parsed(self, response: Response) -> list[Any]:
        digest = body_hash(response.body)
        memo_hash = response.meta.get("memo_hash")
        if memo_hash is not None and (response.status == 304 or (response.status == 200 and digest == memo_hash)):
            return list(bundled(self._replay(response)))
        wants: list[Wanted] = []
        results = list(self._pursued(response, self._parse_page(response), wants))
        check = results[-1]
        rendered = response.meta.get("render")  # its static reading keeps the memo
        if response.status == 200 and isinstance(check, CheckResult) and check.outcome == "ok" and not rendered:
            validators = (_header(response, b"ETag"), _header(response, b"Last-Modified"))
            meta = response.meta
            memo = memo_of(memo_key(meta), meta["dept"], validators, digest, results, wants, self.memo_format)
            results.insert(-1, memo)
        return list(bundled(results))

    def _pursued(self, response: Response, results: Iterator[Any], wants: list[Wanted] | None = None) -> Iterator[Any]:
        """A page's rows, with what it wants (a link, a page) made into rows and requests; ``wants`` records them."""
        meta = response.meta
        dept = self.departments[meta["dept"]]
        on_homepage = meta["role"] == "homepage"
        for result in results:
            if isinstance(result, LinkWanted):
                if wants is not None:
                    wants.append(result)
                url = result.url
                yield LinkFound(dept.id, meta["target"], url, result.text, on_homepage=on_homepage, place=result.place)
                # A page read again after its worker died decides every link again: some may be its own to request.
                if url in self.recent_links and not meta.get("again"):
                    self.recent_links.move_to_end(url)
                    continue
                self.recent_links[url] = None
                if len(self.recent_links) > RECENT_LINKS:
                    self.recent_links.popitem(last=False)
                yield from self._follow_link(dept, url, result.text, result.nav, result.depth)
            elif isinstance(result, PageWanted):
                if wants is not None:
                    wants.append(result)
                if result.meta.get("render") and (refused := self.renderer.take(dept)):
                    if "column" in result.meta:  # the column keeps its static reading, and why it is not rendered
                        yield self.answers.column({**result.meta, "role": result.role}, dept, "unparsed", refused)
                    continue
                yield from self.request_page(
                    dept, result.url, result.role, None, result.priority, result.meta, result.form
                )
            else:
                yield result

    def _replay(self, response: Response) -> Iterator[Any]:
        """The rows and requests of an unchanged page, from its memo."""
        meta = response.meta
        memo = self.store().memo(memo_key(meta), self.memo_format)
        if memo is None:  # the memo went away since the request was made: nothing to replay
            yield self.answers.check(response, Verdict("ok", detail="unchanged"))
            return
        run_id, rows, wants = memo
        yield from replayed_rows(rows)
        yield from self._pursued(response, iter(replayed_wants(wants)))
        yield from self.answers.side_notes(self.departments[meta["dept"]], response, Verdict("ok"))
        yield self.answers.check(response, Verdict("ok", detail=reason("unchanged", run_id)))

    def _parse_page(self, response: Response) -> Iterator[Any]:
        verdict = self.answers.judge(response)
        if response.meta.get("render"):
            yield from self._read_rendered(response, verdict)
            return
        yield from self._read_page(response, verdict)
        yield self.answers.check(response, verdict)  # last: marks the URL done for a resumed crawl

    def _read_rendered(self, response: Response, verdict: Verdict) -> Iterator[Any]:
        """A page as the browser showed it: read when it is the page, else its static reading stands.

        It never gives the page a check result: the browser's answer says nothing
        of the link (a firewall's answer to its burst of requests, a script that
        moved elsewhere), the static fetch did.
        """
        if response.status == 200 and verdict.outcome == "ok" and verdict.page is not None:
            yield from self._read_page(response, verdict)
            self.answers.rendered(response.meta)
        else:
            yield from self.answers.render_failed(response.meta)

    def _read_page(self, response: Response, verdict: Verdict) -> Iterator[Any]:
        meta = response.meta
        dept = self.departments[meta["dept"]]
        role = meta["role"]
        view = verdict.page
        yield Page(
            department=dept.id,
            url=meta["target"],
            role=role,
            status=response.status,
            title=view.title if view else None,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
            bytes=len(response.body),
            reading=_reading(response, verdict),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )
        yield from self.answers.side_notes(dept, response, verdict)
        if view is None:
            if role == "column":
                state = "blocked" if verdict.outcome == "blocked" else "unreachable"
                yield self.answers.column(meta, dept, state, verdict.detail or "not_html")
            return

        answered_at = urlsplit(response.url).netloc.lower()
        if role in ("homepage", "disclosure") and answered_at not in dept.hosts:
            # The site answers under its other name (www., https, a new domain): still the department's own pages.
            dept.hosts.add(answered_at)
            dept.moved_to.add(answered_at)
            # Read already: not a page to find again.
            self.frontier.claim(canonical(response.url, self.markers.ignored_query_params))
        entries: list[Entry] = []
        regions = Regions(self.markers.link_regions)  # shared by the article's body and the page's links
        if role == "homepage":
            entries = read_homepage(view)
            for entry in entries:
                yield ListEntry(
                    dept.id, None, entry.url, entry.title, entry.date_raw, entry.date_source, on_homepage=True
                )
        elif role in COLUMN_ROLES:
            entries = yield from self._read_column(view, dept, meta)
        elif (reading := self._discovered(dept, view, meta)) is not None:
            entries = yield from self._read_column(view, dept, meta, reading)
        elif role == "page" and view.root is not None:
            yield from self._read_article(view, dept, meta["target"], regions)
        yield from self._links(response, view, meta, entries, regions)

    def _read_article(self, view: PageView, dept: Department, url: str, regions: Regions) -> Iterator[Any]:
        """An article's own dates and fingerprint, the terms it should not hold, and, for a message, its answer."""
        body = article_body(view.root, regions)
        article = read_article(view.root, view.text, regions, body)
        if article is not None:
            yield Detail(dept.id, url, **asdict(article))
        messages = self.markers.messages
        m = read_message_page(view.root, view.text, regions, messages)
        if m is not None:
            yield Message(dept.id, None, url, view.title, m.asked_raw, m.answered, m.replied_raw, "page")
        elif self.terms is not None:  # a message's words are the citizen's, not the department's
            for found in self.terms.find(article_words(view.root, regions, body)):
                yield TermFound(dept.id, url, **asdict(found))

    def _links(
        self, response: Response, view: PageView, meta: dict[str, Any], entries: list[Entry], regions: Regions
    ) -> Iterator[Any]:
        """Every link of a page, as a link it wants followed (``_pursued`` records it, then crawls or checks it).

        The items of its list are links too where a script or data draws them (a
        Hanweb datastore, ``listData``, a JSON feed): a citizen clicks them all.
        """
        nav_depth = meta.get("nav_depth")
        child_nav = nav_depth + 1 if nav_depth is not None and nav_depth < MAX_NAV_DEPTH else None
        depth = meta.get("depth", 0) + 1
        here = view.url.split("#", 1)[0]
        items = {safe_url_string(e.url, encoding=response.encoding): e.title for e in entries}
        linked = {here}
        if view.root is not None:
            for url, text, place in page_links(view.root, response.url, response.encoding, regions):
                if url not in linked:
                    linked.add(url)
                    yield LinkWanted(url, text, None if url in items else child_nav, depth, place)
        for number, (url, title) in enumerate(items.items(), start=1):
            if url not in linked and url.startswith(("http://", "https://")):
                yield LinkWanted(url, title, None, depth, f"list:{number}")

    def _follow_link(self, dept: Department, url: str, text: str, nav: int | None, depth: int) -> Iterator[Any]:
        """Crawl a link to the site's own pages, hand any other over to be checked, never touch a private one."""
        if refused := self.policy.refusal(url):
            if refused.kind == "private_target":
                yield from self.answers.note(dept, "private_target", url, refusal_reason(refused), key=url)
            else:  # offline mode: a request would leave this machine
                yield from self.request_check(url, dept)
        elif urlsplit(url).netloc.lower() in dept.hosts and is_page_candidate(url):
            yield from self.request_page(dept, url, "page", nav_depth=nav, meta={"anchor": text}, depth=depth)
        else:
            yield from self.request_check(url, dept)

    def on_failure(self, failure: Failure) -> list[Any]:
        """Record a request that failed for good (after confirmation)."""
        answered = self.answers.count
        meta = failure.request.meta
        try:
            self._reading(meta)
            if meta.get("render"):
                self.logger.info("rendering %s failed: %s", failure.request.url, failure.getErrorMessage())
                return self._reported(meta, list(bundled(self.answers.render_failed(meta))))
            return self._reported(meta, list(bundled(self.answers.failed(failure))))
        except Exception as exc:
            self.logger.exception("recording the failure of %s failed", failure.request.url)
            done = self.answers.count > answered
            return self._reported(meta, list(bundled(self.answers.internal_error(meta, None, exc, done))))

    # columns ------------------------------------------------------------------

    def _discovered(self, dept: Department, view: PageView, meta: dict[str, Any]) -> ListReading | None:
        """The list of a page reached through the navigation of a site whose columns are discovered, if a column."""
        if not dept.discover or meta["role"] != "page" or meta.get("nav_depth") is None:
            return None
        ignored = self.markers.ignored_query_params
        landings = {canonical(url, ignored) for url in (dept.site, dept.disclosure) if url}
        if canonical(meta["target"], ignored) in landings:  # the site's or its disclosure section's landing page
            return None
        return discovered_column(view, meta["target"], self.markers, meta.get("anchor"))

    def _read_column(
        self, view: PageView, dept: Department, meta: dict[str, Any], reading: ListReading | None = None
    ) -> Iterator[Any]:
        """Read one page of a column's list; ask for its later pages and its newest items.

        Returns the entries, whose pages are articles rather than navigation.
        """
        if meta["role"] == "page":  # a discovered column's first page, known by its canonical URL
            column = canonical(meta["target"], self.markers.ignored_query_params)
            name = column_name(view, meta.get("anchor"), self.markers)
            meta = {**meta, "column": column, "column_name": name, "stem": list_stem(meta["target"])}
            meta["role"] = "discovered"
        if reading is None:
            reading = read_column(view, self.markers, meta["stem"], meta.get("form"))
        for entry in reading.entries:
            yield ListEntry(dept.id, meta["column"], entry.url, entry.title, entry.date_raw, entry.date_source)
        messages = self.markers.messages
        if view.root is not None and says_messages(view.text, messages):
            for m in read_message_list(view.root, view.url, messages):
                yield Message(dept.id, meta["column"], m.url, m.title, m.asked_raw, m.answered, m.replied_raw, "list")
        if meta["role"] != "list_page":
            if reading.entries:
                state, detail = "list", reason("reader", reading.reader)
            elif meta.get("render_aborted"):  # refused a request, the page may show an error, not its list
                state, detail = "unparsed", "render_aborted"
            elif reading.empty:
                state, detail = "empty", "list_empty"
            else:
                state, detail = no_list_reason(view, self.markers)
            yield self.answers.column(meta, dept, state, detail)
            if state == "unparsed" and (render := self.renderer.wanted(view, meta)):
                yield render  # the browser may show the list (``_pursued`` says whether it is rendered)
        # Items dated only on their own page: read the newest ones first.
        for entry in [e for e in reading.entries if e.date_source != "list"][:NEWEST_ITEMS]:
            if urlsplit(entry.url).netloc.lower() in dept.hosts:
                yield PageWanted(entry.url, "page", 8, {"anchor": entry.title})
        # A page whose rows were all seen on another page of the same list ends a pagination loop.
        signature = stable_hash(repr((meta["column"], [e.url for e in reading.entries])))
        if reading.entries and not self.frontier.claim(f"list:{signature}"):
            for page in reading.next_pages:  # nor are they followed as ordinary pages
                self.frontier.claim(
                    page.key if page.formdata else canonical(page.url, self.markers.ignored_query_params)
                )
            return reading.entries
        for page in reading.next_pages:
            if urlsplit(page.url).netloc.lower() in dept.hosts:
                page_meta = {k: meta[k] for k in ("column", "column_name", "stem")}
                yield PageWanted(page.url, "list_page", 5, page_meta, page.formdata)
        return reading.entries
