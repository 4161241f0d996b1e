"""Downloader middlewares: transport concerns only."""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime

from scrapy import Request, exceptions
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet import error as tx_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_NETWORK_ERRORS: dict[type[BaseException], str] = {
    exceptions.CannotResolveHostError: "dns",
    exceptions.DownloadConnectionRefusedError: "connection_refused",
    exceptions.DownloadTimeoutError: "timeout",
    exceptions.DownloadFailedError: "connection_reset",
    exceptions.ResponseDataLossError: "connection_reset",
    tx_error.DNSLookupError: "dns",
    tx_error.ConnectionRefusedError: "connection_refused",
    tx_error.TCPTimedOutError: "timeout",
    tx_error.TimeoutError: "timeout",
    tx_error.ConnectionLost: "connection_reset",
    tx_error.ConnectionDone: "connection_reset",
    tx_error.ConnectError: "connection_error",
    ResponseFailed: "connection_reset",
    ResponseNeverReceived: "connection_reset",
}


def _is_tls(exc: BaseException) -> bool:
    reasons = getattr(exc, "reasons", None) or []
    text = type(exc).__name__ + " " + " ".join(repr(r) for r in reasons)
    return any(mark in text for mark in ("SSL", "TLS", "certificate", "Certificate"))


def error_kind(exc: BaseException) -> str:
    """Name a download failure the way reports show it (dns, timeout, tls, ...).

    Scrapy wraps Twisted's errors in its own; the original stays the cause.
    """
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(chain) < 5:
        chain.append(node)
        node = node.__cause__
    if any(_is_tls(e) for e in chain):
        return "tls"
    for item in chain:
        for cls in type(item).__mro__:
            if cls in _NETWORK_ERRORS:
                return _NETWORK_ERRORS[cls]
    return "error"


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class ConfirmFailuresMiddleware:
    """Re-request a failing URL later in the run before its failure counts.

    Scrapy's RetryMiddleware retries at once, only for some 5xx codes, and
    ignores Retry-After. A link monitor must not call a link broken on one bad
    answer, so every HTTP error and network failure is tried again after a
    backoff (doubling, or the server's Retry-After, capped). ``meta["confirm"] =
    False`` opts a request out (a HEAD that falls back to GET anyway).
    The request's ``meta["attempt"]`` counts tries, starting at 1.
    """

    def __init__(self, attempts: int, backoff: float, max_retry_after: float) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConfirmFailuresMiddleware:
        """Read the confirmation settings."""
        s = crawler.settings
        return cls(
            s.getint("GONGKAI_CHECK_ATTEMPTS", 3),
            s.getfloat("GONGKAI_CHECK_BACKOFF", 1.0),
            s.getfloat("GONGKAI_MAX_RETRY_AFTER", 30.0),
        )

    async def process_request(self, request: Request) -> None:
        """Hold a retry until its backoff has passed."""
        wait = request.meta.get("not_before", 0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _again(self, request: Request, delay: float | None) -> Request | None:
        attempt = request.meta.get("attempt", 1)
        # Only the spider's own page and link requests carry a target; Scrapy's
        # robots.txt fetch (a 404 there means "allow all") is never repeated.
        if "target" not in request.meta or not request.meta.get("confirm", True) or attempt >= self.attempts:
            return None
        if delay is None:
            delay = self.backoff * 2 ** (attempt - 1)
        retry = request.replace(dont_filter=True, priority=request.priority - 10)
        retry.meta["attempt"] = attempt + 1
        retry.meta["not_before"] = time.monotonic() + min(delay, self.max_retry_after)
        return retry

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """Retry an HTTP error answer; pass it on once confirmed."""
        if response.status < 400:
            return response
        return self._again(request, _retry_after(response)) or response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        """Retry a network failure; let the errback see it once confirmed."""
        if isinstance(exception, IgnoreRequest):
            return None
        return self._again(request, None)
