"""What the aiohttp clients (the link checker, the availability probes) share: the target policy on every hop.

aiohttp resolves names itself and follows no redirect here: each client judges
every URL it is about to request (``TargetPolicy.judge``), and its connector
resolves through ``PolicyResolver``, which answers with the address the policy
judged.
"""

from __future__ import annotations

import errno
import socket
import ssl
from typing import Any

import aiohttp
from aiohttp import http_exceptions
from aiohttp.abc import AbstractResolver

from crawler.targets import TargetPolicy, TargetRefusedError

# The answers that point elsewhere (``Location``), whichever aiohttp client follows them.
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that answers through the target policy, never around it."""

    def __init__(self, policy: TargetPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        """The judged address of ``host``; a refused name fails like one that does not resolve."""
        try:
            address = await self.policy.address(host)
        except TargetRefusedError as refused:
            raise OSError(str(refused)) from None
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        """Nothing to release."""


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
