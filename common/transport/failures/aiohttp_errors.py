"""aiohttp's failures (the link checker, the probes), named as reports show them (see ``common.transport.failures``)."""

from __future__ import annotations

import errno
import ssl

import aiohttp
from aiohttp import http_exceptions


def failure_kind(exc: BaseException, headers_seen: bool) -> str:
    """Name an aiohttp failure the way reports show it."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns"
    if _endless_headers(exc):
        return "too_large"
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return "tls"
    if isinstance(exc, TimeoutError):  # aiohttp's timeouts are TimeoutErrors too
        return "too_slow" if headers_seen else "timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        code = exc.os_error.errno
        if code == errno.ECONNREFUSED:
            return "connection_refused"
        return "connection_reset" if code == errno.ECONNRESET else "connection_error"
    if isinstance(exc, aiohttp.ClientError | ConnectionError):
        return "connection_reset"  # dropped, reset, or a malformed answer
    return "error"


def _endless_headers(exc: BaseException) -> bool:
    """Whether aiohttp gave up on a header section too long or of too many lines (a hostile server's)."""
    cause = exc.__cause__
    if isinstance(cause, http_exceptions.LineTooLong):
        return True
    return isinstance(cause, http_exceptions.HttpProcessingError) and "header" in str(cause.message).lower()
