"""Downloader middlewares: transport concerns only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.core.downloader.handlers import http11
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from twisted.internet import defer, threads
from twisted.internet import error as tx_error
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IResolverSimple
from twisted.python.failure import Failure
from zope.interface import implementer

from common.transport.certificates import CertificateChecks
from common.transport.confirm import Confirmation, blank_html
from common.transport.failures.scrapy_errors import HeadersTooLargeError, RequestRefused, error_kind
from common.transport.targets import NameLookupError, TargetPolicy, TargetRefusedError, plan_policy
from crawler.memos import memo_key
from crawler.storage import CrawlStore

# No real server sends a header section this large; a hostile one may send headers forever.
MAX_HEADER_BYTES = 1024 * 1024


class _BoundedResponseParser(http11._LenientHTTPClientParser):
    """Scrapy's HTTP response parser, reading at most MAX_HEADER_BYTES of status line and headers."""

    _header_bytes = 0

    def lineReceived(self, line: bytes) -> None:  # noqa: N802 (Twisted's name)
        """Count the header section's bytes; stop the response past the limit."""
        self._header_bytes += len(line) + 1
        if self._header_bytes > MAX_HEADER_BYTES:
            raise HeadersTooLargeError(f"more than {MAX_HEADER_BYTES} bytes of headers")
        super().lineReceived(line)


def bound_response_headers() -> None:
    """Make this process's HTTP client stop reading headers at MAX_HEADER_BYTES.

    Twisted limits each header line, not their number, and Scrapy has no setting
    for it. Scrapy's protocol gives each response parser the class named
    ``_LenientHTTPClientParser`` in its module, so the bounded one is put there.
    Only header lines reach ``lineReceived``: the body arrives in raw mode.
    """
    http11._LenientHTTPClientParser = _BoundedResponseParser


class ConfirmFailuresMiddleware:
    """Re-request a failing URL later in the run before its failure counts.

    Scrapy's RetryMiddleware retries at once, only for some 5xx codes, and
    ignores Retry-After. A link monitor must not call a link broken on one bad
    answer, so every HTTP error and network failure is tried again after a
    backoff, as every client does (``common.transport.confirm.Confirmation``).
    The request's ``meta["attempt"]`` counts tries, starting at 1.
    """

    def __init__(self, confirmation: Confirmation) -> None:
        self.confirmation = confirmation

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConfirmFailuresMiddleware:
        """Read the confirmation settings."""
        s = crawler.settings
        attempts, backoff = s.getint("GONGKAI_CHECK_ATTEMPTS"), s.getfloat("GONGKAI_CHECK_BACKOFF")
        return cls(Confirmation(attempts, backoff, s.getfloat("GONGKAI_MAX_RETRY_AFTER")))

    async def process_request(self, request: Request) -> None:
        """Hold a retry until its backoff has passed."""
        wait = request.meta.get("not_before", 0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _again(self, request: Request, retry_after: str | None = None, **outcome: Any) -> Request | None:
        attempt = request.meta.get("attempt", 1)
        # Only the spider's own page and link requests carry a target; Scrapy's
        # robots.txt fetch (a 404 there means "allow all") is never repeated.
        # A render is not confirmed: the page was read already, and the browser's failure is the tool's.
        if (
            "target" not in request.meta
            or request.meta.get("render")
            or not self.confirmation.again(attempt, **outcome)
        ):
            return None
        retry = request.replace(dont_filter=True, priority=request.priority - 10)
        retry.meta["attempt"] = attempt + 1
        retry.meta["not_before"] = time.monotonic() + self.confirmation.wait(attempt, retry_after)
        return retry

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """Retry an HTTP error answer, or a page so small it may be a firewall's blip; pass it on once confirmed."""
        retry_after = (response.headers.get(b"Retry-After") or b"").decode("latin-1")
        blank = self._tiny_page(request, response)
        return self._again(request, retry_after, status=response.status, blank=blank) or response

    @staticmethod
    def _tiny_page(request: Request, response: Response) -> bool:
        """A small HTML answer with no text at all: a firewall's blip, or a removed document (never a 304)."""
        if response.status == 304:
            return False
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if request.method != "GET" or b"html" not in content_type:
            return False
        return blank_html(response.body)

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """Retry a network failure; let the errback see it once confirmed (one gongkai refused or cut: at once)."""
        return self._again(request, kind=error_kind(exception))


def _policy(crawler: Crawler) -> TargetPolicy:
    """The crawl process's target policy (one per run plan)."""
    plan = crawler.settings.get("GONGKAI_PLAN")
    offline = crawler.settings.getbool("GONGKAI_OFFLINE")
    return plan_policy(plan, offline) if plan else TargetPolicy(offline=offline)


class TargetPolicyMiddleware:
    """Judge every request, and every redirect hop (it comes back through here), by the address it resolves to.

    A refused request fails with ``RequestRefused`` before anything is sent: a
    private target is a warning, offline mode's refusal a skipped link. The
    connection then uses the address judged here (``PolicyResolver``).
    """

    def __init__(self, policy: TargetPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TargetPolicyMiddleware:
        """The process's policy."""
        return cls(_policy(crawler))

    async def process_request(self, request: Request) -> None:
        """Refuse a request whose host the policy does not allow; resolve the rest once."""
        try:
            await self.policy.judge(request.url)
        except TargetRefusedError as refused:
            raise RequestRefused(refused, request.url) from None
        except NameLookupError:
            return  # the download fails as a DNS failure, and is confirmed like any other


@implementer(IResolverSimple)
class PolicyResolver:
    """Scrapy's ``DNS_RESOLVER``: every name resolves through the target policy, never around it.

    The connection gets the address ``TargetPolicyMiddleware`` judged; a name
    that reaches here unjudged (robots.txt) is judged here. Offline, no DNS
    server is ever asked (``common.transport.targets``).
    """

    def __init__(self, reactor: Any, policy: TargetPolicy) -> None:
        self.reactor = reactor
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PolicyResolver:
        """The process's policy."""
        return cls(reactor, _policy(crawler))

    def install_on_reactor(self) -> None:
        """Resolve every name of this process's connections."""
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802 (Twisted's name)
        """The judged address of ``name``; a refused or unknown name fails as a DNS lookup error."""
        try:
            if (address := self.policy.cached(name)) is not None:
                return defer.succeed(address)
        except TargetRefusedError as refused:
            return defer.fail(tx_error.DNSLookupError(str(refused)))
        deferred = threads.deferToThread(self.policy.resolve, name)
        return deferred.addErrback(lambda failure: Failure(tx_error.DNSLookupError(failure.getErrorMessage())))


class CertificateCheckMiddleware:
    """Verify each HTTPS host's certificate once per run, as a browser would.

    Scrapy's transport does not verify certificates, so the crawl goes on either
    way; this check adds what a citizen's browser would say. An expired,
    self-signed or wrong-host certificate makes the URL fail as ``tls``. An
    issuer gongkai cannot trust (often an incomplete chain that browsers repair)
    is only ``tls_unverified``: a warning, never an accusation. ``GONGKAI_CA_BUNDLE``
    adds trusted CAs (an intranet's own).
    """

    def __init__(self, policy: TargetPolicy, ca_bundle: str | None, timeout: float) -> None:
        self.policy = policy
        self.certificates = CertificateChecks(ca_bundle, timeout)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CertificateCheckMiddleware:
        """Read the CA bundle and the timeout."""
        settings = crawler.settings
        return cls(_policy(crawler), settings.get("GONGKAI_CA_BUNDLE"), settings.getfloat("DOWNLOAD_TIMEOUT"))

    async def process_request(self, request: Request) -> None:
        """Attach the host's certificate problem, if any, to the request."""
        parts = urlsplit(request.url)
        if parts.scheme != "https" or not parts.hostname:
            return
        address = self.policy.cached(parts.hostname)  # judged by TargetPolicyMiddleware
        if problem := await self.certificates.problem(request.url, address):
            request.meta["certificate"] = problem


class ConditionalRequestMiddleware:
    """Ask for a page only if it changed since a run last read it: If-None-Match, If-Modified-Since.

    The validators (and the body's hash) come from the page's memo in the store.
    The spider replays the memo for a 304, or for a 200 whose body hashes the same.
    Only GET requests of pages to read; link checks and form posts ask plainly.
    """

    def __init__(self, db_path: str, memo_format: str) -> None:
        self.store = CrawlStore(db_path, read_only=True)
        self.memo_format = memo_format  # a memo of another format is never replayed: it asks plainly

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        """Read the memos of the run's store (``GONGKAI_DB``) when incremental crawls are on."""
        db_path = crawler.settings.get("GONGKAI_DB")
        if not db_path or not Path(db_path).exists() or not crawler.settings.getbool("GONGKAI_INCREMENTAL"):
            raise NotConfigured
        middleware = cls(db_path, crawler.spider.memo_format)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self) -> None:
        """Close the store connection."""
        self.store.close()

    def process_request(self, request: Request) -> None:
        """Add the validators of the page's memo, and note its hash for the spider."""
        meta = request.meta
        if request.method != "GET" or meta.get("role") is None or "memo_hash" in meta or meta.get("render"):
            return
        row = self.store.validators(memo_key(meta), self.memo_format)
        if row is None:
            return
        etag, last_modified, content_hash = row
        request.meta["memo_hash"] = content_hash
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified
