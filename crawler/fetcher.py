"""The link checker's HTTP: one link's answer over aiohttp, keeping every transport rule.

A check needs nothing of a crawl's machinery, so the link checker speaks HTTP
with aiohttp instead of through Scrapy, at a fraction of the CPU per request
(``bench/`` measures it). It keeps the rules of
``common.transport`` as the page spiders do: the target policy on every request
and redirect hop, its share of each site's pace (``HostSlot``), failures
confirmed with backoff or the server's ``Retry-After``, every HTTPS host's
certificate verified once; redirects (and meta refresh) followed up to the
page spiders' limit, each hop in the request log; bodies cut at ``max_page_mb``.
"""

from __future__ import annotations

import asyncio
import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from w3lib.encoding import html_to_unicode
from w3lib.html import get_meta_refresh
from w3lib.url import safe_url_string
from yarl import URL

from common.plan import RunPlan
from common.shared_run import SharedRun
from common.transport import client
from common.transport.aioclient import REDIRECTS, PolicyResolver
from common.transport.certificates import CertificateChecks
from common.transport.confirm import Confirmation, blank_html
from common.transport.failures.aiohttp_errors import failure_kind
from common.transport.pacing import HostSlot, politeness_share
from common.transport.targets import NameLookupError, TargetPolicy, TargetRefusedError, refusal_reason
from crawler.pages import PageView


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


class LinkFetcher:
    """Fetches links for one link checker: an aiohttp session, each site's pace, the certificates seen."""

    def __init__(self, plan: RunPlan, shared: SharedRun | None = None) -> None:
        crawl = plan.crawl
        self.plan = plan
        self.shared = shared  # a shared run paces each site for all its workers together
        if shared is None:
            self.concurrency, self.delay = politeness_share(crawl, plan.page_workers, checker=True)
        else:
            self.concurrency, self.delay = crawl.concurrency_per_site, 0.0
        self.adaptive = crawl.adaptive_delay
        self.timeout = crawl.download_timeout
        self.max_bytes = int(crawl.max_page_mb * 1024 * 1024)
        self.policy = TargetPolicy.for_departments(plan.department_specs(), client.offline_requested())
        self.confirmation = Confirmation.of(plan.link_check)
        self.slots: dict[str, HostSlot] = {}
        self.certificates = CertificateChecks(crawl.ca_bundle, crawl.download_timeout)
        self.counters = {"requests": 0, "responses": 0, "bytes": 0}
        self.request_log: IO[str] | None = None
        self.session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        """Open the session (and the request log, when the run keeps one)."""
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
            headers={**client.DEFAULT_REQUEST_HEADERS, "User-Agent": client.user_agent(self.plan.crawl.contact_url)},
        )

    async def close(self) -> None:
        """Close the session and the request log."""
        if self.session is not None:
            await self.session.close()
        if self.request_log is not None:
            self.request_log.close()

    async def confirmed(self, url: str, method: str, headers_only: bool = False) -> tuple[Fetched | CheckError, int]:
        """The answer (or failure) that counts, and the attempts it took.

        An error answer, a blank page or a network failure is asked again after a
        backoff (or the server's Retry-After) before it counts; a HEAD is asked
        once, since a GET follows it anyway.
        """
        confirmation = Confirmation(attempts=1, backoff=0, max_retry_after=0) if method == "HEAD" else self.confirmation
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
            certificate = certificate or await self.certificates.problem(url, address)
            fetched, location = await self._request(url, method, headers_only)
            if location is None:
                fetched.certificate = certificate
                return fetched
            url = location
        raise CheckError("too_many_redirects", f"more than {client.REDIRECT_MAX_TIMES} redirects")

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
        turn = await self._shared_turn(url)
        try:
            return await self._exchange(slot, url, method, headers_only)
        finally:
            if turn is not None and self.shared is not None:
                self.shared.paced(*turn)

    async def _shared_turn(self, url: str) -> tuple[str, str] | None:
        """The site's turn across all workers of a shared run (None outside one)."""
        if self.shared is None:
            return None
        host = urlsplit(url).netloc.lower()
        crawl = self.plan.crawl
        while True:
            wait, token = self.shared.pace(host, crawl.concurrency_per_site, crawl.delay, 2 * self.timeout + 30)
            if token is not None:
                return host, token
            await asyncio.sleep(wait)

    async def _exchange(self, slot: HostSlot, url: str, method: str, headers_only: bool) -> tuple[Fetched, str | None]:
        assert self.session is not None
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
