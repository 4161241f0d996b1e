"""Which pages are rendered: a column whose list its own script draws is read again as a browser shows it.

Static reading comes first and decides. Only a column page on which it finds no
list, and which carries scripts, is asked for again with ``render`` in its meta:
scrapy-playwright's download handler (``crawler.chromium``) loads it in headless
Chromium, and the same readers read the rendered DOM. The static reading stays
in the store until the rendered one replaces it, so a render that fails or is
cut short leaves a warning, never an accusation. Each site renders at most
``render_max_pages`` pages per run, each within ``render_timeout`` seconds.
"""

from __future__ import annotations

from typing import Any

from common.plan import RunPlan
from common.reasons import reason
from crawler.memos import PageWanted
from crawler.pages import PageView
from crawler.sites import Department

RENDER_PRIORITY = 9  # after the columns (10), before the newest items (8)
# What a rendered request carries besides its page meta, for its context and navigation.
_CONTEXT = {"service_workers": "block", "ignore_https_errors": True}


def render_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The scrapy-playwright keys of a render request: one browser context per department, wait for the network."""
    return {
        "playwright": True,
        "playwright_context": f"dept-{meta['dept']}",
        "playwright_context_kwargs": dict(_CONTEXT),
        "playwright_page_init_callback": "crawler.chromium.arm_page",
        "playwright_page_goto_kwargs": {"wait_until": "networkidle"},
    }


def _scripted(view: PageView) -> bool:
    """True when the page has a script a browser runs (a ``text/xml`` datastore is data, not a script)."""
    assert view.root is not None
    kinds = ("", "text/javascript", "application/javascript", "module")
    return any((s.get("type") or "").strip().lower() in kinds for s in view.root.iter("script"))


class Renderer:
    """Decides, per site, which unread column pages are rendered, within the run's budget."""

    def __init__(self, plan: RunPlan) -> None:
        self.enabled = plan.crawl.render
        self.chromium = plan.chromium
        self.max_pages = plan.crawl.render_max_pages

    def render(self, view: PageView, dept: Department, meta: dict[str, Any]) -> tuple[PageWanted | None, str | None]:
        """The request that renders a column page static reading could not read, or why it is not rendered.

        Returns (request, None), or (None, a reason code replacing the static
        one), or (None, None) when rendering has nothing to add (it is off, the
        page has no script, or it is the rendered page already).
        """
        if not self.enabled or meta.get("render") or view.root is None or not _scripted(view):
            return None, None
        if self.chromium is None:
            return None, "render_unavailable"
        if dept.rendered >= self.max_pages:
            return None, reason("render_budget", self.max_pages)
        kept = {k: meta[k] for k in ("column", "column_name", "stem", "anchor", "nav_depth", "depth") if k in meta}
        role = "column" if meta["role"] == "column" else "page"  # a discovered column is found again as one
        return PageWanted(meta["target"], role, RENDER_PRIORITY, {**kept, "render": True}, meta.get("form")), None

    def take(self, dept: Department) -> bool:
        """Count one rendered page of the site; False when none may be (no browser, rendering off, budget spent).

        Asked for every render request, a fresh one or one an unchanged page's memo replays.
        """
        if not self.enabled or self.chromium is None or dept.rendered >= self.max_pages:
            return False
        dept.rendered += 1
        return True
