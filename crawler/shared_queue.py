"""The page spiders' side of a run shared out through Redis (``common.shared_run``).

- ``SharedScheduler``: scrapy-redis's scheduler (its settings, its queue and
  duplicate-filter plumbing), over gongkai's queue (``SharedQueue``): the run's
  ``pages`` in Redis, requests serialized as JSON, not pickled. A request taken
  from it is leased to this process (its ``lease`` is in its meta) and stays
  leased until its rows are reported (``crawler.pipelines``).
- ``KeyClaims``: the scheduler's duplicate filter. It filters nothing: every
  page request is made once per run by its canonical key, which the spider
  claims in Redis before it makes it (``crawler.frontier.SharedFrontier``).
- ``SharedPaceMiddleware``: a site's ``concurrency_per_site`` and ``delay`` hold
  for all workers together (``SharedRun.pace``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from common.shared_run import SharedRun, joined, pack, unpack
from crawler.queues import request_to_dict


def shared_run_of(settings: Settings) -> SharedRun | None:
    """The shared run of a crawl's settings (``GONGKAI_REDIS``, ``GONGKAI_SHARED_RUN``), or None for a local run."""
    url, key = settings.get("GONGKAI_REDIS"), settings.get("GONGKAI_SHARED_RUN")
    return joined(url, key) if url and key else None


def leased(spider: Spider, lease: str, blob: bytes, name: str, again: bool) -> Request:
    """A request taken from the shared queue: its lease, the name it claims its links by, and whether read again.

    The same request read again (its worker died) claims its links under the same name.
    """
    request = request_from_dict(unpack(blob), spider=spider)
    spider.leases += 1  # type: ignore[attr-defined]
    request.meta.update(lease=lease, claimer=name, again=again)
    return request


class SharedQueue(Base):
    """The run's page requests in Redis: by priority, first in first out within one."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.run = shared_run_of(spider.crawler.settings)
        assert self.run is not None

    def __len__(self) -> int:
        return self.run.queued_pages()

    def push(self, request: Request) -> None:
        """Queue a request for any worker."""
        self.run.push_page(request.priority, pack(request_to_dict(request, self.spider)))

    def pop(self, timeout: int = 0) -> Request | None:
        """Lease the next request, or None when none waits."""
        taken = self.run.take("p")
        return leased(self.spider, *taken) if taken else None


class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler over ``SharedQueue``; a request already leased to this process stays here."""

    def open(self, spider: Spider) -> None:
        """Open the queue; requests this process has leased wait in memory."""
        super().open(spider)
        self.mine: deque[Request] = deque()

    def enqueue_request(self, request: Request) -> bool:
        """Keep a leased request (taken by the spider, or asked again after a failure); queue any other in Redis."""
        if "lease" in request.meta:
            self.mine.append(request)
        else:
            self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        """A leased request first, else the next one from Redis while the spider has room for it."""
        if self.mine:
            return self.mine.popleft()
        return self.queue.pop() if self.spider.may_lease() else None

    def has_pending_requests(self) -> bool:
        """Whether a leased request waits here (Redis's queue is every worker's)."""
        return bool(self.mine)


class KeyClaims(BaseDupeFilter):
    """Filters nothing: the spider claims each request's key in Redis before making it."""

    @classmethod
    def from_spider(cls, spider: Spider) -> KeyClaims:
        """The filter for a spider (scrapy-redis's scheduler asks for one)."""
        return cls()


class SharedPaceMiddleware:
    """A site's requests at once and their delay, held by every worker of a shared run together."""

    def __init__(self, run: SharedRun, concurrency: int, delay: float, hold: float) -> None:
        self.run = run
        self.concurrency = concurrency
        self.delay = delay
        self.hold = hold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPaceMiddleware:
        """On in a shared run only; the site's whole budget comes from ``GONGKAI_SITE_CONCURRENCY``."""
        run = shared_run_of(crawler.settings)
        if run is None:
            raise NotConfigured
        s = crawler.settings
        hold = 2 * s.getfloat("DOWNLOAD_TIMEOUT") + 30
        middleware = cls(run, s.getint("GONGKAI_SITE_CONCURRENCY"), s.getfloat("GONGKAI_SITE_DELAY"), hold)
        crawler.signals.connect(middleware.finished, signal=signals.request_left_downloader)
        return middleware

    async def process_request(self, request: Request) -> None:
        """Wait for the site's turn across all workers."""
        if request.meta.get("pace_token") or request.meta.get("playwright"):
            return
        host = urlsplit(request.url).netloc.lower()
        while True:
            wait, token = self.run.pace(host, self.concurrency, self.delay, self.hold)
            if token is not None:
                request.meta["pace_token"] = (host, token)
                return
            await asyncio.sleep(wait)

    def finished(self, request: Request, spider: Spider) -> None:
        """Give the site's turn back when the request leaves the downloader, answered or not."""
        if taken := request.meta.pop("pace_token", None):
            self.run.paced(*taken)
