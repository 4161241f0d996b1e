"""Headless Chromium behind Scrapy: scrapy-playwright's download handler, kept to the target policy.

Only requests whose meta says ``playwright`` (``crawler.rendering``) reach the
browser; every other request goes through Scrapy's own HTTP handler as before.
The browser is Debian's Chromium (``executable_path``), started on the first
page that needs it (``LazyChromium``), never at all on a run that renders
nothing. What a rendered page may reach:

- names, and addresses written as names, resolve only to the addresses the
  target policy judged for the run's departments (``--host-resolver-rules``):
  every other one fails, redirect hops included;
- every request the page makes is judged (``ScriptRequests``): its own origin
  (scheme, host and port of the page) or another host of its department, at an
  address the policy allows; a refused one marks the render ``render_aborted``,
  so what the page then shows is not taken for its list;
- its WebSockets are closed before they connect, it opens no window and gets no
  peer connection (``arm_page``); a page not armed so reaches nothing;
- Chromium keeps its sandbox, except as root, where it cannot start with one.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, WebSocketRoute
from playwright.async_api import Request as BrowserRequest
from scrapy import Request
from scrapy_playwright.provider import PlaywrightBrowserProvider

from common.browser import FLAGS, NO_UDP, resolver_rules, sandboxed
from common.plan import RunPlan
from common.transport.targets import (
    NameLookupError,
    TargetPolicy,
    TargetRefusedError,
    department_hosts,
    department_netlocs,
)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Before a rendered page's own scripts: no peer connection (it would reach any address), no new window.
_CONFINED = "delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection; window.open = () => null;"
# The Scrapy request of each armed page: only their requests are let through.
_ARMED: weakref.WeakKeyDictionary[Page, Request] = weakref.WeakKeyDictionary()
# The origin each rendered page was opened at.
_ORIGINS: weakref.WeakKeyDictionary[Page, tuple[str, str]] = weakref.WeakKeyDictionary()


async def _refuse_socket(socket: WebSocketRoute) -> None:
    await socket.close(code=1008, reason="no WebSocket")


async def arm_page(page: Page, request: Request) -> None:
    """Before a rendered page loads: close its WebSockets, confine its scripts (scrapy-playwright's page init)."""
    await page.route_web_socket("**", _refuse_socket)
    await page.add_init_script(_CONFINED)
    _ARMED[page] = request


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


class ScriptRequests:
    """scrapy-playwright's ``PLAYWRIGHT_ABORT_REQUEST``: True for every request a rendered page may not make."""

    def __init__(self, policy: TargetPolicy, netlocs: Mapping[str, frozenset[str]]) -> None:
        """``netlocs``: each department's own ``host[:port]``s, by department id."""
        self.policy = policy
        self.netlocs = netlocs

    async def __call__(self, request: BrowserRequest) -> bool:
        """Whether to abort ``request``: off the page's site, refused by the policy, or from a page not armed."""
        url = request.url
        if url.startswith(("data:", "blob:")):
            return False
        try:
            page = request.frame.page
        except Exception:  # a worker's request has no frame: nothing lets it through
            return True
        scrapy_request = _ARMED.get(page)
        if scrapy_request is None:
            return True
        if self._refused(page, scrapy_request, url) or not await self._judged(url):
            scrapy_request.meta["render_aborted"] = True
            return True
        return False

    def _refused(self, page: Page, scrapy_request: Request, url: str) -> bool:
        origin = _origin(url)
        own = _ORIGINS.setdefault(page, origin)  # a page's first request is its navigation
        if origin[0] not in ("http", "https"):
            return True
        return origin != own and origin[1] not in self.netlocs.get(scrapy_request.meta.get("dept", ""), ())

    async def _judged(self, url: str) -> bool:
        try:
            await self.policy.judge(url)
        except (TargetRefusedError, NameLookupError):
            return False
        return True


class LazyChromium(PlaywrightBrowserProvider):
    """Starts Playwright and the browser when the first page is rendered, with names mapped to judged addresses."""

    def __init__(self, config: Any, policy: TargetPolicy, hosts: list[str]) -> None:
        super().__init__(config)
        self.policy = policy
        self.hosts = hosts

    async def start(self) -> None:
        """Nothing yet: a run that renders no page starts no browser."""

    async def launch_browser(self) -> Browser:
        """Start Playwright, then Chromium, resolving only the run's department hosts, each to its judged address."""
        if self.browser_type is None:
            await super().start()
        judged = {}
        for host in self.hosts:
            with contextlib.suppress(TargetRefusedError, NameLookupError, OSError):
                judged[host] = await self.policy.address(host)
        unused = ("--headless", "--host-resolver-rules", "--no-sandbox")  # Playwright sets these itself
        args = [f for f in FLAGS if not f.startswith(unused)]
        self.config.launch_options["args"] = [*args, resolver_rules(judged), NO_UDP]
        self.config.launch_options["chromium_sandbox"] = sandboxed()
        return await super().launch_browser()


def rendering_settings(plan: RunPlan, policy: TargetPolicy) -> dict[str, Any]:
    """The Scrapy settings that render with the plan's Chromium (``plan.chromium`` must be set)."""
    specs = plan.department_specs()
    hosts = sorted({h for d in specs for h in department_hosts(d) if h})
    netlocs = {d["id"]: frozenset(department_netlocs(d)) for d in specs}
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": plan.chromium, "headless": True},
        "PLAYWRIGHT_BROWSER_PROVIDER": functools.partial(LazyChromium, policy=policy, hosts=hosts),
        "PLAYWRIGHT_ABORT_REQUEST": ScriptRequests(policy, netlocs),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": plan.crawl.render_timeout * 1000,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    }
