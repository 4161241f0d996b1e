"""Which pages are rendered: a column whose list its own script draws is read again as a browser shows it.

Static reading comes first and decides. Only a column page on which it finds no
list, and which has scripts, is asked for again with ``render`` in its meta:
scrapy-playwright's download handler (``crawler.chromium``) loads it in headless
Chromium, and the same readers read the rendered page. The static reading (a
warning: ``unparsed``) stays in the store unless a render succeeds; a rendered
answer replaces it only as a column's reading, never as the page's check, so a
render that fails, is refused a request or is cut short leaves the warning and
accuses no one. Each site renders at most ``render_max_pages`` pages per run
(shared out between the page spiders), each within ``render_timeout`` seconds.
"""

from __future__ import annotations

from typing import Any

from common.plan import RunPlan
from common.reasons import reason
from crawler.bounds import CrawlBounds
from crawler.memos import PageWanted
from crawler.pages import PageView
from crawler.sites import Department

RENDER_PRIORITY = 9  # after the columns (10), before the newest items (8)
_CONTEXT = {"service_workers": "block", "ignore_https_errors": True}


def render_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The scrapy-playwright keys of a render request: one browser context per department, wait for the network.

    AutoThrottle leaves the site's delay alone: a render's time is the browser's, not the server's.
    """
    return {
        "playwright": True,
        "playwright_context": f"dept-{meta['dept']}",
        "playwright_context_kwargs": dict(_CONTEXT),
        "playwright_page_init_callback": "crawler.chromium.arm_page",
        "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
        "autothrottle_dont_adjust_delay": True,
    }


def _scripted(view: PageView) -> bool:
    """True when the page has a script a browser runs (a ``text/xml`` datastore is data, not a script)."""
    assert view.root is not None
    kinds = ("", "text/javascript", "application/javascript", "module")
    return any((s.get("type") or "").strip().lower() in kinds for s in view.root.iter("script"))


class Renderer:
    """Decides which unread column pages are rendered, within each site's budget."""

    def __init__(self, plan: RunPlan, bounds: CrawlBounds, worker: int = 0) -> None:
        self.enabled = plan.crawl.render
        self.chromium = plan.chromium
        self.budget = plan.crawl.render_max_pages
        self.bounds = bounds  # which counts the site's renders: this spider's or the shared run's
        # Each page spider has its share of a site's renders (the first ones one more where it does
        # not divide), so that together they render at most the budget; a shared run counts them all.
        share, left = divmod(self.budget, 1 if bounds.shared else plan.page_workers)
        self.share = share + (worker < left)

    def wanted(self, view: PageView, meta: dict[str, Any]) -> PageWanted | None:
        """The render of a column page static reading could not read, if rendering may add to it.

        None when rendering is off, the page has no script, or it is a rendered page
        already. Whether it is made is ``take``'s to say, for a fresh page and for one
        an unchanged page's memo replays alike.
        """
        if not self.enabled or meta.get("render") or view.root is None or not _scripted(view):
            return None
        kept = {k: meta[k] for k in ("column", "column_name", "stem", "anchor", "nav_depth", "depth") if k in meta}
        role = "column" if meta["role"] == "column" else "page"  # a discovered column is found again as one
        # The page where the browser will land: a redirect's target is the site's page.
        return PageWanted(view.url, role, RENDER_PRIORITY, {**kept, "render": True}, meta.get("form"))

    def take(self, dept: Department) -> str | None:
        """Count one rendered page of the site; or why none may be (the reason code its column keeps)."""
        if self.chromium is None:
            return "render_unavailable"
        if self.bounds.counted(dept, "rendered") >= self.share:
            return reason("render_budget", self.budget)
        self.bounds.add(dept, "rendered")
        return None
