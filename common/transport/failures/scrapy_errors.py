"""Scrapy's and Twisted's download failures, named as reports show them (see ``common.transport.failures``)."""

from __future__ import annotations

from scrapy import exceptions
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as tx_error
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from common.transport.targets import TargetRefusedError

_NETWORK_ERRORS: dict[type[BaseException], str] = {
    exceptions.DownloadCancelledError: "too_large",  # DOWNLOAD_MAXSIZE reached
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


class HeadersTooLargeError(Exception):
    """A response whose header section passed MAX_HEADER_BYTES: reading stopped there."""


class RequestRefused(IgnoreRequest):
    """A request the target policy refuses (``common.transport.targets``); ``refusal`` says why."""

    def __init__(self, refusal: TargetRefusedError, url: str) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.url = url


def _is_tls(exc: BaseException) -> bool:
    reasons = getattr(exc, "reasons", None) or []
    text = type(exc).__name__ + " " + " ".join(repr(r) for r in reasons)
    return any(mark in text for mark in ("SSL", "TLS", "certificate", "Certificate"))


def error_kind(exc: BaseException) -> str:
    """Name a download failure the way reports show it (dns, timeout, tls, ...).

    Scrapy wraps Twisted's errors in its own; the original stays the cause.
    """
    if isinstance(exc, RequestRefused):
        return exc.refusal.kind
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "max redirections" in text:
            return "too_many_redirects"
        if "robots.txt" in text:
            return "robots"
        if "DOWNLOAD_MAXSIZE" in text:  # a compressed body that would grow past the cap
            return "too_large"
        return "ignored"
    chain: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(chain) < 5:
        chain.append(node)
        node = node.__cause__
    if any(_is_tls(e) for e in chain):
        return "tls"
    reasons = [reason for e in chain for reason in getattr(e, "reasons", None) or []]
    if any(reason.check(HeadersTooLargeError) for reason in reasons):
        return "too_large"
    for item in chain:
        for cls in type(item).__mro__:
            if cls in _NETWORK_ERRORS:
                kind = _NETWORK_ERRORS[cls]
                # A reset while connecting comes as a plain ConnectError ("104: Connection reset by peer").
                return "connection_reset" if kind == "connection_error" and "reset" in str(item).lower() else kind
    return "error"
