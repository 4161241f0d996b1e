"""How a crawl's politeness budget per site is shared between the link checker and the page spiders.

Kept apart from the transport rules so the monitor, which only sizes the crawl,
does not load what reading a page needs.
"""

from __future__ import annotations

from typing import Any


def checker_concurrency(total: int) -> int:
    """The link checker's part of a site's ``concurrency_per_site``: a quarter, at least one request.

    A check asks for headers only (attachments) or one page it does not follow,
    and costs gongkai a twentieth of a page's work; the page spiders, which read
    and follow every page, get the rest.
    """
    return max(1, total // 4)


def politeness_share(crawl: dict[str, Any], page_workers: int, checker: bool) -> tuple[int, float]:
    """One crawl process's share of each site's politeness budget: (requests at once, delay between them).

    The link checker has its part of the configured concurrency
    (``checker_concurrency``), the page spiders share the rest (at least one
    request each), and each process waits the configured delay times the
    number of processes, so a site sees no more than the config allows.
    """
    total = crawl["concurrency_per_site"]
    checks = checker_concurrency(total)
    concurrency = checks if checker else max(1, (total - checks) // page_workers)
    return concurrency, crawl["delay"] * (page_workers + 1)
