"""Confirming a failure before it counts: how long to wait, and what counts as a blip.

The crawl asks a failing URL again before its failure counts (the page spiders
through ``crawler.middlewares.ConfirmFailuresMiddleware``, the link checker in
``crawler.fetcher.LinkFetcher.confirmed``): after a doubling backoff or the
server's ``Retry-After``, capped; a 200 page with no text at all is asked again
too. A probe is never asked again: it measures one try, as the national rule does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from common.transport.failures import FINAL

if TYPE_CHECKING:
    from common.table_models import LinkCheck

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


@dataclass(frozen=True)
class Confirmation:
    """How a failure is confirmed (``link_check`` in ``rules.yaml``): tries, and the wait before each."""

    attempts: int
    backoff: float
    max_retry_after: float

    @classmethod
    def of(cls, link_check: LinkCheck) -> Confirmation:
        """The confirmation a run plan's ``link_check`` asks for."""
        return cls(link_check.attempts, link_check.backoff_seconds, link_check.max_retry_after)

    def again(self, attempt: int, status: int | None = None, blank: bool = False, kind: str | None = None) -> bool:
        """Whether try ``attempt`` is asked again: its answer (``status``, ``blank``) or its failure's ``kind``."""
        if attempt >= self.attempts or kind in FINAL:
            return False
        return kind is not None or status is None or status >= 400 or blank

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before try ``attempt + 1``, given the answer's ``Retry-After`` header."""
        return retry_delay(attempt, self.backoff, retry_after_seconds(retry_after), self.max_retry_after)
