"""A site's pace during a crawl: how many requests at once, how far apart.

A site's politeness budget (the config's ``concurrency_per_site`` and
``delay``) is shared between the link checker and the page spiders
(``politeness_share``), so a site sees no more than the config allows
however many processes crawl it. The delay then follows the site's latency:
the page spiders through Scrapy's AutoThrottle (``crawler.extensions.InspectionThrottle``,
started at ``START_DELAY`` and capped at ``MAX_DELAY``), the link checker through
``HostSlot``, which adapts the same way.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from common.plan import Crawl

# The first delay between two requests to a site, before its latency is known (seconds).
START_DELAY = 0.5
# The longest delay a slow site is given (seconds).
MAX_DELAY = 30


def checker_concurrency(total: int) -> int:
    """The link checker's part of a site's ``concurrency_per_site``: a quarter, at least one request.

    A check asks for headers only (attachments) or one page it does not follow,
    and costs gongkai a twentieth of a page's work; the page spiders, which read
    and follow every page, get the rest.
    """
    return max(1, total // 4)


def politeness_share(crawl: Crawl, page_workers: int, checker: bool, worker: int = 0) -> tuple[int, float]:
    """One crawl process's share of each site's politeness budget: (requests at once, delay between them).

    The link checker has its part of the configured concurrency
    (``checker_concurrency``), the page spiders share the rest (at least one
    request each; the first ``worker``s one more where it does not divide), and
    each process waits the configured delay times the number of processes, so a
    site sees no more than the config allows.
    """
    total = crawl.concurrency_per_site
    checks = checker_concurrency(total)
    share, left = divmod(total - checks, page_workers)
    concurrency = checks if checker else max(1, share + (worker < left))
    return concurrency, crawl.delay * (page_workers + 1)


class HostSlot:
    """One host's share of the politeness budget: at most ``concurrency`` requests, ``delay`` apart.

    The delay follows the server's latency as Scrapy's AutoThrottle does (and as
    ``crawler.extensions.InspectionThrottle`` teaches it, 304 and 404 are ordinary
    answers), never below the configured delay.
    """

    def __init__(self, concurrency: int, delay: float, adaptive: bool = True) -> None:
        self.free = asyncio.Semaphore(concurrency)
        self.target_concurrency = concurrency
        self.min_delay = delay
        self.adaptive = adaptive
        self.delay = max(delay, START_DELAY) if adaptive else delay
        self.next_start = 0.0

    async def __aenter__(self) -> None:
        await self.free.acquire()
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)

    async def __aexit__(self, *exc: object) -> None:
        self.free.release()

    def answered(self, status: int, latency: float) -> None:
        """Adapt the delay to an answer's latency; trouble (429, 5xx) never shortens it."""
        if not self.adaptive:
            return
        target = latency / self.target_concurrency
        new = min(max(self.min_delay, target, (self.delay + target) / 2), MAX_DELAY)
        if status not in (200, 304, 404) and new <= self.delay:
            return
        self.delay = new
