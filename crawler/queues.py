"""The scheduler's disk queue for the page spider (``SCHEDULER_DISK_QUEUE``).

Scrapy's own disk queues serialize a request with ``Request.to_dict(spider=...)``,
which finds the callback's name by listing every member of the spider
(``inspect.getmembers``) for every request pushed: on a large site that was a
tenth of the page spider's time. The spider's callbacks are its own bound
methods, so their names are simply ``__name__``; everything else is stored as
Scrapy stores it and read back with ``request_from_dict``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from queuelib.queue import FifoDiskQueue
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict

from crawler.storage import stop_if_the_disk_refuses


def _method_name(spider: Spider, func: Callable[..., Any] | str | None) -> str | None:
    """The name of a spider method used as callback or errback (ValueError for anything else)."""
    if func is None or isinstance(func, str):
        return func
    if getattr(func, "__self__", None) is not spider:
        raise ValueError(f"{func!r} is not a method of the spider")
    return func.__name__


def request_to_dict(request: Request, spider: Spider) -> dict[str, Any]:
    """What ``Request.to_dict(spider=spider)`` returns, without listing the spider's members."""
    data = {
        "url": request.url,
        "callback": _method_name(spider, request.callback),
        "errback": _method_name(spider, request.errback),
        "headers": dict(request.headers),
    }
    for attr in request.attributes:
        data.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        data["_class"] = f"{type(request).__module__}.{type(request).__name__}"
    return data


class PageDiskQueue(FifoDiskQueue):
    """A FIFO queue of requests on disk, one pickled request dict per entry."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        self.spider = crawler.spider
        try:
            Path(key).parent.mkdir(parents=True, exist_ok=True)
            super().__init__(key)
        except OSError as exc:
            stop_if_the_disk_refuses(exc)
            raise

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str, *args: Any, **kwargs: Any) -> PageDiskQueue:
        """The queue at ``key`` (a folder inside JOBDIR), for the crawler's spider."""
        return cls(crawler, key)

    def push(self, request: Request) -> None:  # type: ignore[override]
        """Store a request (ValueError makes Scrapy keep it in memory instead)."""
        try:
            data = pickle.dumps(request_to_dict(request, self.spider), protocol=4)
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            raise ValueError(str(exc)) from exc
        try:
            super().push(data)
        except OSError as exc:  # the queue lives beside the store: a full disk stops the crawl as the store does
            stop_if_the_disk_refuses(exc)
            raise

    def pop(self) -> Request | None:  # type: ignore[override]
        """The oldest request, or None when the queue is empty."""
        data = super().pop()
        return request_from_dict(pickle.loads(data), spider=self.spider) if data else None

    def peek(self) -> Request | None:  # type: ignore[override]
        """The request ``pop`` would return, left in the queue."""
        data = super().peek()
        return request_from_dict(pickle.loads(data), spider=self.spider) if data else None
