"""Who gongkai says it is, and the limits every client keeps: headers, redirects, offline mode.

The page spiders (Scrapy, whose settings take these values), the link checker
and the probes (aiohttp) send the same headers and follow redirects as far.
Offline mode holds for the screenshots (Chromium) too.
"""

from __future__ import annotations

import os

USER_AGENT = "gongkai/0.1 (government disclosure inspection)"
# Scrapy's own defaults, written out because the aiohttp clients send them too.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}
# Requests in flight at once in one crawl process, over every site.
CONCURRENT_REQUESTS = 32
REDIRECT_MAX_TIMES = 10
# A meta refresh sooner than this (seconds) is followed as a redirect.
METAREFRESH_MAXDELAY = 100


def user_agent(contact_url: str | None) -> str:
    """The User-Agent of gongkai's requests: naming the supervisor's page (``crawl.contact_url``) when there is one."""
    return f"gongkai/0.1 (+{contact_url})" if contact_url else USER_AGENT


def offline_requested() -> bool:
    """Whether the monitor started this process in offline mode (``GONGKAI_OFFLINE``)."""
    return os.environ.get("GONGKAI_OFFLINE", "") not in ("", "0")
