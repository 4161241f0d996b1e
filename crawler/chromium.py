"""Headless Chromium behind Scrapy: scrapy-playwright's download handler, kept to the target policy.

Only requests whose meta says ``playwright`` (``crawler.rendering``) reach the
browser; every other request goes through Scrapy's own HTTP handler as before.
The browser is Debian's Chromium (``executable_path``), started on the first
page that needs it (``LazyChromium``), never at all on a run that renders
nothing. What a rendered page may reach:

- names resolve only to the addresses the target policy judged for the run's
  departments (``--host-resolver-rules``); every other name fails;
- every request the page makes, its navigation and each redirect hop included,
  is judged (``ScriptRequests``): the page's own site only (scheme, host and
  port of the page), and an address the policy allows;
- the page's WebSockets are closed before they connect and it gets no peer
  connection (``arm_page``); a page not armed so reaches nothing.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, WebSocketRoute
from playwright.async_api import Request as BrowserRequest
from scrapy import Request
from scrapy_playwright.provider import PlaywrightBrowserProvider

from common.browser import FLAGS
from common.plan import RunPlan
from common.transport.targets import (
    NameLookupError,
    TargetPolicy,
    TargetRefusedError,
    department_hosts,
)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# A page's script may not open a peer connection (it would reach any address).
_NO_PEERS = "delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;"
# Pages whose WebSockets are closed and peers removed: only their requests are let through.
_ARMED: weakref.WeakSet[Page] = weakref.WeakSet()
# The origin each rendered page was opened at: its scripts may reach only that.
_ORIGINS: weakref.WeakKeyDictionary[Page, tuple[str, str]] = weakref.WeakKeyDictionary()


async def _refuse_socket(socket: WebSocketRoute) -> None:
    await socket.close(code=1008, reason="gongkai renders without WebSockets")


async def arm_page(page: Page, request: Request) -> None:
    """Before a rendered page loads: close its WebSockets, remove peer connections (scrapy-playwright's page init)."""
    await page.route_web_socket("**", _refuse_socket)
    await page.add_init_script(_NO_PEERS)
    _ARMED.add(page)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


class ScriptRequests:
    """scrapy-playwright's ``PLAYWRIGHT_ABORT_REQUEST``: True for every request a rendered page may not make."""

    def __init__(self, policy: TargetPolicy) -> None:
        self.policy = policy

    async def __call__(self, request: BrowserRequest) -> bool:
        """Whether to abort ``request``: off the page's site, refused by the policy, or from a page not armed."""
        url = request.url
        if url.startswith(("data:", "blob:")):
            return False
        try:
            page = request.frame.page
        except Exception:  # a worker's request has no frame: nothing lets it through
            return True
        if page not in _ARMED or urlsplit(url).scheme not in ("http", "https"):
            return True
        origin = _ORIGINS.setdefault(page, _origin(url))  # its first request is its navigation
        if _origin(url) != origin:
            return True
        try:
            await self.policy.judge(url)
        except (TargetRefusedError, NameLookupError):
            return True
        return False


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
        rules = []
        for host in self.hosts:
            with contextlib.suppress(TargetRefusedError, NameLookupError, OSError):
                rules.append(f"MAP {host} {await self.policy.address(host)}")
        resolver = "--host-resolver-rules=" + ", ".join([*rules, "MAP * ~NOTFOUND"])
        args = [f for f in FLAGS if f != "--headless" and not f.startswith("--host-resolver-rules")]
        self.config.launch_options["args"] = [
            *args,
            resolver,
            "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        ]
        return await super().launch_browser()


def rendering_settings(plan: RunPlan, policy: TargetPolicy) -> dict[str, Any]:
    """The Scrapy settings that render with the plan's Chromium (``plan.chromium`` must be set)."""
    hosts = sorted({h for d in plan.department_specs() for h in department_hosts(d) if h})
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": plan.chromium, "headless": True},
        "PLAYWRIGHT_BROWSER_PROVIDER": functools.partial(LazyChromium, policy=policy, hosts=hosts),
        "PLAYWRIGHT_ABORT_REQUEST": ScriptRequests(policy),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": plan.crawl.render_timeout * 1000,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    }
