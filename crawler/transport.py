"""Transport rules shared by the Scrapy middlewares and the link checker.

How long to wait before confirming a failure, what counts as a blip, which
addresses offline mode allows, and what is wrong with a site's certificate:
decided once here, whichever client made the request.
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from crawler import settings

# A 200 page this small is read again before it counts (a WAF blip, or a removed document).
TINY_PAGE_BYTES = 512


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def retry_delay(attempt: int, backoff: float, retry_after: float | None, cap: float) -> float:
    """How long to wait before try ``attempt + 1``: the server's Retry-After, else a doubling backoff; capped."""
    delay = backoff * 2 ** (attempt - 1) if retry_after is None else retry_after
    return min(delay, cap)


def blank_html(body: bytes) -> bool:
    """A small HTML answer with no text at all: a firewall's blip, or a removed document."""
    body = body.strip()
    if len(body) >= TINY_PAGE_BYTES:
        return False
    try:
        return not lxml_html.fromstring(body).text_content().strip()
    except (etree.ParserError, ValueError):
        return True


def user_agent(crawl: dict[str, Any]) -> str:
    """The User-Agent of the crawl's requests: naming the supervisor's page when the config gives one."""
    return f"gongkai/0.1 (+{crawl['contact_url']})" if crawl.get("contact_url") else settings.USER_AGENT


def offline_requested() -> bool:
    """Whether the monitor started this crawl process in offline mode (``GONGKAI_OFFLINE``)."""
    return os.environ.get("GONGKAI_OFFLINE", "") not in ("", "0")


# verify_code of ssl.SSLCertVerificationError → (check outcome, reason code)
_CERTIFICATE_ERRORS = {
    10: ("tls", "expired"),
    9: ("tls", "not_yet_valid"),
    18: ("tls", "self_signed"),
    19: ("tls", "self_signed_chain"),
    62: ("tls", "wrong_host"),
    64: ("tls", "wrong_host"),  # an IP address host
}


def certificate_problem(
    host: str, address: str, port: int, ca_bundle: str | None, timeout: float
) -> tuple[str, str] | None:
    """Handshake with ``address`` (``host`` as judged by the target policy) as a browser would; the problem found.

    An expired, self-signed or wrong-host certificate is ``tls``. An issuer gongkai
    cannot trust (often an incomplete chain that browsers repair) is only
    ``tls_unverified``: a warning, never an accusation. Blocking: run it in a thread.
    """
    context = ssl.create_default_context()
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
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
