"""A crawl's bounds: how much of a site a run reads, and the URL traps it will not fall into.

The config's ``max_pages_per_site``, ``max_depth`` and ``max_links_per_site``,
and the trap rules of ``markers.yaml`` (a path repeating a segment, a page with
endless query variants). A page past a bound is only checked, and a note says
the crawl was cut short: a warning about the tool, never a problem of the site.

Each page spider keeps its share of each cap, so the run as a whole keeps the
config's; in a run shared out through Redis the counts are the run's own, kept
there for every worker (``common.shared_run``). The spider asks before each request instead of a middleware
dropping requests afterwards, because a page past a bound still becomes a link
check and a note within the same page's record (``crawler.items.PageRecord``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from common.plan import Crawl
from common.reasons import reason
from common.shared_run import SharedRun
from crawler.links import trap_reason
from crawler.pages import PageMarkers
from crawler.sites import Department


class CrawlBounds:
    """The bounds of one page spider: its share of the run's caps, and the trap rules."""

    def __init__(self, crawl: Crawl, workers: int, markers: PageMarkers, shared: SharedRun | None = None) -> None:
        self.shared = shared
        workers = 1 if shared else workers
        self.max_pages = crawl.max_pages_per_site
        self.max_depth = crawl.max_depth
        self.max_links = crawl.max_links_per_site
        self.page_cap = -(-self.max_pages // workers)
        self.link_cap = -(-self.max_links // workers)
        self.markers = markers

    def page_cut(self, dept: Department, url: str, role: str, depth: int) -> tuple[str, str] | None:
        """Why a page of the site is not crawled: a cap or a trap, as (note key, reason code)."""
        if role not in ("page", "list_page"):
            return None
        if self.counted(dept, "pages") >= self.page_cap:
            return "max_pages", reason("max_pages", self.max_pages)
        if role == "list_page":
            return None
        if depth > self.max_depth:
            return "max_depth", reason("max_depth", self.max_depth)
        if trap_reason(url, self.markers.max_repeated_segment):
            return "trap_path", reason("trap_path", url)
        parts = urlsplit(url)
        if parts.query:
            dept.path_variants[parts.path] += 1
            if dept.path_variants[parts.path] > self.markers.max_query_variants:
                return f"trap_query:{parts.path}", reason("trap_query", parts.path)
        return None

    def links_spent(self, dept: Department) -> str | None:
        """The reason code when the site's share of link checks is spent, else None."""
        return reason("max_links", self.max_links) if self.counted(dept, "checks") >= self.link_cap else None

    def counted(self, dept: Department, name: str) -> int:
        """The site's count of ``name`` (``pages``, ``checks``, ``rendered``): this spider's, or the shared run's."""
        return self.shared.count(dept.id, name) if self.shared else getattr(dept, name)

    def add(self, dept: Department, name: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``name`` for the site."""
        if self.shared:
            self.shared.count(dept.id, name, amount)
        else:
            setattr(dept, name, getattr(dept, name) + amount)
