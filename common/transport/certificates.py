"""What a browser would say of a site's certificate, checked once per host and run by the crawl's clients."""

from __future__ import annotations

import asyncio
import socket
import ssl
from urllib.parse import urlsplit

# verify_code of ssl.SSLCertVerificationError → (check outcome, reason code)
_CERTIFICATE_ERRORS = {
    10: ("tls", "expired"),
    9: ("tls", "not_yet_valid"),
    18: ("tls", "self_signed"),
    19: ("tls", "self_signed_chain"),
    62: ("tls", "wrong_host"),
    64: ("tls", "wrong_host"),  # an IP address host
}


def verifying_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Verify certificates as a browser would, trusting the office's own CAs (``crawl.ca_bundle``) too."""
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def certificate_problem(
    host: str, address: str, port: int, ca_bundle: str | None, timeout: float
) -> tuple[str, str] | None:
    """Handshake with ``address`` (``host`` as judged by the target policy) as a browser would; the problem found.

    An expired, self-signed or wrong-host certificate is ``tls``. An issuer gongkai
    cannot trust (often an incomplete chain that browsers repair) is only
    ``tls_unverified``: a warning, never an accusation. Blocking: run it in a thread.
    """
    context = verifying_context(ca_bundle)
    try:
        with (
            socket.create_connection((address, port), timeout=timeout) as sock,
            context.wrap_socket(sock, server_hostname=host),
        ):
            return None
    except ssl.SSLCertVerificationError as exc:
        return _CERTIFICATE_ERRORS.get(exc.verify_code, ("tls_unverified", "untrusted"))
    except OSError:
        return None  # not a certificate problem; the download itself will tell


class CertificateChecks:
    """Each HTTPS host's certificate problem, checked once per crawl process (the handshake runs in a thread)."""

    def __init__(self, ca_bundle: str | None, timeout: float) -> None:
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.hosts: dict[tuple[str, int], asyncio.Future[tuple[str, str] | None]] = {}

    async def problem(self, url: str, address: str | None) -> tuple[str, str] | None:
        """The certificate problem of ``url``'s host, reached at ``address`` (None: not known, nothing to check)."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            return None
        key = (parts.hostname, parts.port or 443)
        if key not in self.hosts:
            if address is None:
                return None  # the name does not resolve: the download fails as a DNS failure
            check = asyncio.to_thread(certificate_problem, key[0], address, key[1], self.ca_bundle, self.timeout)
            self.hosts[key] = asyncio.ensure_future(check)
        return await self.hosts[key]
