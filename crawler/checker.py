"""The link checker: checks the links the page spiders hand over.

``python -m crawler.checker PLAN.json`` runs beside the page spiders, in its own
process. A page spider writes a frontier row for each attachment and outside
link it finds; the checker follows that table, requests each link once and
stores its check result. It stops when the page spiders have finished (the
monitor closes its standard input) and every row is checked. A resumed run finds
the rows without a check result the same way.

A check is one request and a verdict, and needs nothing of a crawl's machinery,
so the checker speaks HTTP with aiohttp instead of through Scrapy, which spends
about 3.4 ms of CPU on a HEAD on the benchmark machine against aiohttp's 0.2 ms.
It keeps the page spiders' rules (``common.transport``): its share of each
site's politeness budget, paced the way AutoThrottle paces; failures confirmed
later with backoff or the server's Retry-After; a refused or failed HEAD asked
again as a GET that stops after the headers; redirects (and meta refresh)
followed up to Scrapy's limit, each hop in the request log; bodies cut at
``max_page_mb``; every HTTPS host's certificate verified once; the target policy
(``common.transport.targets``) on every request and redirect hop. Its
answers are judged by ``crawler.pages.judge``, as the page spiders' are.

A link found working by an earlier run whose inspection day is less than
``recheck_days`` before this run's (``rules.yaml``, ``link_check``) is not
requested again: its result is carried over, saying so. A link that failed is
always checked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from w3lib.encoding import html_to_unicode
from w3lib.html import get_meta_refresh
from w3lib.url import safe_url_string
from yarl import URL

from common.plan import RunPlan
from common.reasons import reason
from common.transport import client
from common.transport.aioclient import REDIRECTS, PolicyResolver
from common.transport.certificates import certificate_problem
from common.transport.confirm import Confirmation, blank_html
from common.transport.failures import CUT_OFF, REFUSED
from common.transport.failures.aiohttp_errors import failure_kind
from common.transport.pacing import HostSlot, politeness_share
from common.transport.targets import NameLookupError, TargetPolicy, TargetRefusedError, refusal_reason
from crawler.items import CheckResult, Note, PageRecord
from crawler.pages import Answer, PageMarkers, PageView, judge, side_notes
from crawler.pipelines import StorePipeline
from crawler.storage import CrawlStore

log = logging.getLogger(__name__)

_NEW_ROWS = """
select f.rowid, f.url, f.method, f.meta from frontier f not indexed
where f.rowid > ? and f.run_id = ?
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
order by f.rowid limit 500
"""
_LAST_CHECK = """
select c.run_id, c.status, c.outcome, c.final_url, r.as_of from checks c join runs r on r.id = c.run_id
where c.url = ? and c.run_id < ? order by c.run_id desc limit 1
"""


class CheckError(Exception):
    """A request that brought no answer to judge; ``kind`` names why, as reports do (dns, timeout, …)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Fetched:
    """An answer, after redirects."""

    url: str
    status: int
    headers: Any  # the answer's headers (case-insensitive)
    view: PageView | None  # the text of an HTML answer whose body was read
    blank: bool  # a small HTML body with no text (see ``common.transport.confirm.blank_html``)
    certificate: tuple[str, str] | None = None


class LinkChecker:
    """Checks a run's handed-over links and stores one check result for each."""

    poll_seconds = 0.2
    # Rows taken from the store and not answered yet: the queue stays in the
    # store, not in memory, however many links a site has.
    max_in_flight = 256

    def __init__(self, plan: RunPlan, pages_done: threading.Event) -> None:
        crawl = plan.crawl
        self.plan = plan
        self.run_id = plan.run_id
        self.pages_done = pages_done
        self.sites = {spec.id: spec.site for spec in plan.departments}
        self.markers = PageMarkers.from_table(plan.tables().markers)
        self.concurrency, self.delay = politeness_share(crawl, plan.page_workers, checker=True)
        self.adaptive = crawl.adaptive_delay
        self.timeout = crawl.download_timeout
        self.max_bytes = int(crawl.max_page_mb * 1024 * 1024)
        self.agent = client.user_agent(crawl.contact_url)
        self.ca_bundle = crawl.ca_bundle
        self.policy = TargetPolicy.for_departments(plan.department_specs(), client.offline_requested())
        self.confirmation = Confirmation.of(plan.link_check)
        self.recheck_days = plan.link_check.recheck_days
        self.slots: dict[str, HostSlot] = {}
        self.certificates: dict[tuple[str, int], asyncio.Future[tuple[str, str] | None]] = {}
        self.noted: set[tuple[str, str, str]] = set()
        self.counters = {"requests": 0, "responses": 0, "bytes": 0}
        self.stopping = False
        self._as_of: date | None = None
        self.request_log: IO[str] | None = None
        self.session: aiohttp.ClientSession | None = None
        self.writer = StorePipeline(plan.db, self.run_id)

    # the run -----------------------------------------------------------------

    async def run(self) -> None:
        """Follow the frontier table until the page spiders are done and every row is checked."""
        if log_path := self.plan.request_log:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            self.request_log = open(log_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (closed below)
        connector = aiohttp.TCPConnector(
            limit=client.CONCURRENT_REQUESTS, limit_per_host=0, ssl=False, resolver=PolicyResolver(self.policy)
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # sites on IP addresses keep their cookies too
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            headers={**client.DEFAULT_REQUEST_HEADERS, "User-Agent": self.agent},
        )
        self.writer.open_spider()
        store = CrawlStore(self.plan.db)
        tasks: set[asyncio.Task[None]] = set()
        room = asyncio.Semaphore(self.max_in_flight)
        try:
            cursor = 0
            while not self.stopping:
                finished = self.pages_done.is_set()  # before reading: rows written until then are seen
                rows = store.execute(_NEW_ROWS, [cursor, self.run_id]).fetchall()
                for rowid, url, method, meta_json in rows:
                    cursor = rowid
                    meta = json.loads(meta_json)
                    if meta["callback"] != "check":
                        continue
                    if carried := self._carried_over(store, url):
                        self.writer.process_item(carried)
                        continue
                    await room.acquire()
                    if self.stopping:
                        break
                    task = asyncio.create_task(self._check_row(url, method, meta["dept"]))
                    tasks.add(task)
                    task.add_done_callback(lambda done: (tasks.discard(done), room.release()))
                if not rows and finished:
                    break
                if not rows:
                    await asyncio.sleep(self.poll_seconds)
            if self.stopping:
                for task in tasks:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            store.close()
            self.writer.close_spider()
            await self.session.close()
            if self.request_log is not None:
                self.request_log.close()

    def stop(self) -> None:
        """Stop taking rows and drop the checks under way (a resumed run makes them again)."""
        self.stopping = True

    async def _check_row(self, url: str, method: str, dept: str) -> None:
        try:
            rows = await self.check(url, method, dept)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one link gongkai cannot check must not stop the run
            log.exception("checking %s failed", url)
            detail = reason("internal", type(exc).__name__)
            note = Note(dept, "internal_error", url, detail, url)
            rows = [*self._once([note]), CheckResult(url, None, "internal_error", "skipped", 0, None, detail)]
        self.writer.process_item(PageRecord(rows))

    def _carried_over(self, store: CrawlStore, url: str) -> PageRecord | None:
        """The result of an earlier run that found ``url`` working, when that is recent enough to reuse."""
        if self.recheck_days <= 0:
            return None
        last = store.execute(_LAST_CHECK, [url, self.run_id]).fetchone()
        if last is None or last[2] != "ok":
            return None
        run_id, status, _, final_url, as_of = last
        if (self._inspection_day(store) - date.fromisoformat(as_of)).days >= self.recheck_days:
            return None
        return PageRecord([CheckResult(url, status, None, "ok", 0, final_url, reason("carried", run_id))])

    def _inspection_day(self, store: CrawlStore) -> date:
        if self._as_of is None:
            row = store.execute("select as_of from runs where id = ?", [self.run_id]).fetchone()
            self._as_of = date.fromisoformat(row[0])
        return self._as_of

    # one check -----------------------------------------------------------------

    async def check(self, target: str, method: str, dept: str) -> list[Any]:
        """The rows of one link's check: its warnings, then its check result (last)."""
        url = safe_url_string(target)
        outcome, attempts = await self._confirmed(url, method)
        refused = isinstance(outcome, CheckError) and outcome.kind in REFUSED
        if method == "HEAD" and not refused and (isinstance(outcome, CheckError) or outcome.status >= 400):
            # Many servers refuse or mishandle HEAD: only a GET's answer counts against a link.
            outcome, attempts = await self._confirmed(url, "GET", headers_only=True)
        if isinstance(outcome, CheckError):
            return self._failed(target, dept, outcome, attempts)
        answer = Answer(target, outcome.url, outcome.status, "check", outcome.view, outcome.certificate)
        verdict = judge(answer, self.markers, self.sites[dept])
        final_url = outcome.url if outcome.url != target else None
        result = CheckResult(
            target, outcome.status, verdict.error, verdict.outcome, attempts, final_url, verdict.detail
        )
        return [*self._once(side_notes(dept, answer, verdict)), result]

    def _failed(self, target: str, dept: str, failure: CheckError, attempts: int) -> list[Any]:
        kind, message = failure.kind, str(failure)
        if kind == "offline":
            return [CheckResult(target, None, kind, "skipped", attempts, None, message)]
        if kind == "private_target":
            note = Note(dept, "private_target", target, message, target)
            return [*self._once([note]), CheckResult(target, None, kind, "skipped", attempts, None, message)]
        if kind in CUT_OFF:
            # The server answered; gongkai stopped reading. A warning, never a broken link.
            note = Note(dept, "page_cut_off", target, kind, target)
            return [*self._once([note]), CheckResult(target, None, kind, "skipped", attempts, None, kind)]
        log.info("%s failed (%s): %s", target, kind, message)
        return [CheckResult(target, None, kind, "broken", attempts, None, kind)]

    def _once(self, notes: list[Note]) -> list[Note]:
        """The notes not made yet by this process (the store keeps one per run across processes)."""
        fresh = [n for n in notes if (n.department, n.kind, n.key) not in self.noted]
        self.noted.update((n.department, n.kind, n.key) for n in fresh)
        return fresh

    async def _confirmed(self, url: str, method: str, headers_only: bool = False) -> tuple[Fetched | CheckError, int]:
        """The answer (or failure) that counts, and the attempts it took.

        An error answer, a blank page or a network failure is asked again after a
        backoff (or the server's Retry-After) before it counts; a HEAD is asked
        once, since a GET follows it anyway.
        """
        confirmation = Confirmation(attempts=1) if method == "HEAD" else self.confirmation
        attempt = 1
        while True:
            retry_after = None
            try:
                fetched = await self._fetch(url, method, headers_only)
            except CheckError as failure:
                if not confirmation.again(attempt, kind=failure.kind):
                    return failure, attempt
            else:
                if not confirmation.again(attempt, fetched.status, fetched.blank):
                    return fetched, attempt
                retry_after = fetched.headers.get("Retry-After")
            await asyncio.sleep(confirmation.wait(attempt, retry_after))
            attempt += 1

    async def _fetch(self, url: str, method: str, headers_only: bool) -> Fetched:
        """One answer for ``url``, its redirects followed; raises CheckError."""
        certificate = None
        for hop in range(client.REDIRECT_MAX_TIMES + 1):
            try:
                address = await self.policy.judge(url)
            except TargetRefusedError as refused:
                raise CheckError(refused.kind, refusal_reason(refused, url if hop else None)) from None
            except NameLookupError as failure:
                raise CheckError("dns", str(failure)) from None
            certificate = certificate or await self._certificate(url, address)
            fetched, location = await self._request(url, method, headers_only)
            if location is None:
                fetched.certificate = certificate
                return fetched
            url = location
        raise CheckError("too_many_redirects", f"more than {client.REDIRECT_MAX_TIMES} redirects")

    async def _certificate(self, url: str, address: str) -> tuple[str, str] | None:
        """The HTTPS host's certificate problem, verified once per run (see ``common.transport.certificates``)."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return None
        key = (parts.hostname, parts.port or 443)
        if key not in self.certificates:
            verify = asyncio.to_thread(certificate_problem, key[0], address, key[1], self.ca_bundle, self.timeout)
            self.certificates[key] = asyncio.ensure_future(verify)
        return await self.certificates[key]

    def _slot(self, url: str) -> HostSlot:
        host = urlsplit(url).hostname or ""
        if host not in self.slots:
            self.slots[host] = HostSlot(self.concurrency, self.delay, self.adaptive)
        return self.slots[host]

    async def _request(self, url: str, method: str, headers_only: bool) -> tuple[Fetched, str | None]:
        """One HTTP exchange: the answer, and where it redirects to (None when it does not)."""
        assert self.session is not None
        slot = self._slot(url)
        if self.request_log is not None:
            self.request_log.write(f"{method} {url}\n")
        self.counters["requests"] += 1
        headers_seen = False
        async with slot:
            started = time.monotonic()
            try:
                async with self.session.request(method, URL(url, encoded=True), allow_redirects=False) as response:
                    headers_seen = True
                    latency = time.monotonic() - started
                    body = await self._body(response, method, headers_only)
            except CheckError:
                raise
            except Exception as exc:
                raise CheckError(failure_kind(exc, headers_seen), str(exc) or type(exc).__name__) from exc
        slot.answered(response.status, latency)
        self.counters["responses"] += 1
        status_line = len(f"HTTP/1.1 {response.status} {response.reason}\r\n")
        self.counters["bytes"] += status_line + sum(len(k) + len(v) + 4 for k, v in response.raw_headers) + len(body)
        location = response.headers.get("Location")
        if response.status in REDIRECTS and location:
            return Fetched(url, response.status, response.headers, None, False), safe_url_string(urljoin(url, location))
        view = None
        if method == "GET" and not headers_only and _is_html(response.headers.get("Content-Type", ""), url, body):
            _, text = html_to_unicode(response.headers.get("Content-Type"), body)
            view = PageView.html(url, text)
            interval, refresh = get_meta_refresh(text[:4096], url)
            if refresh and interval < client.METAREFRESH_MAXDELAY:
                return Fetched(url, response.status, response.headers, view, False), safe_url_string(refresh)
        blank = view is not None and response.status != 304 and blank_html(body)
        return Fetched(url, response.status, response.headers, view, blank), None

    async def _body(self, response: aiohttp.ClientResponse, method: str, headers_only: bool) -> bytes:
        """The body when it will be read (an HTML or XML answer to a GET), cut at ``max_page_mb``."""
        content_type = response.headers.get("Content-Type", "").lower()
        unread = content_type and "html" not in content_type and "xml" not in content_type
        if method != "GET" or headers_only or unread:
            return b""
        if (response.content_length or 0) > self.max_bytes:
            raise CheckError("too_large", f"{response.content_length} bytes announced")
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise CheckError("too_large", f"more than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _is_html(content_type: str, url: str, body: bytes) -> bool:
    """An HTML answer: by its Content-Type, or without one by its name or first bytes."""
    if content_type:
        return "html" in content_type.lower()
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    if guessed:
        return "html" in guessed
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def main(argv: list[str]) -> int:
    """Check the links of the plan at ``argv[0]``; print the counters as JSON. Exit status 1 only if it crashes."""
    plan = RunPlan.read(argv[0])
    logging.basicConfig(level=plan.log_level, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    pages_done = threading.Event()

    def wait_for_pages() -> None:
        sys.stdin.read()  # its end comes when the page spiders have finished
        pages_done.set()

    threading.Thread(target=wait_for_pages, daemon=True).start()
    checker = LinkChecker(plan, pages_done)

    async def checked() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, checker.stop)
        await checker.run()

    asyncio.run(checked())
    with contextlib.suppress(BrokenPipeError):  # the monitor is gone: the store has the results
        print(json.dumps(checker.counters))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
