"""Crawl extensions: the request log."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class RequestLog:
    """Write every request the scheduler accepts to a file, one ``METHOD URL`` a line.

    For firewall administrators and audits: exactly what gongkai asked for, in order.
    Enabled by the ``GONGKAI_REQUEST_LOG`` setting (a file path).
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.file: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestLog:
        """Hook the scheduler and spider signals when a log path is set."""
        path = crawler.settings.get("GONGKAI_REQUEST_LOG")
        if not path:
            raise NotConfigured
        log = cls(path)
        crawler.signals.connect(log.open, signal=signals.spider_opened)
        crawler.signals.connect(log.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(log.close, signal=signals.spider_closed)
        return log

    def open(self) -> None:
        """Open the log file for appending."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("a", encoding="utf-8")

    def scheduled(self, request: Request) -> None:
        """Record one scheduled request."""
        if self.file is not None:
            self.file.write(f"{request.method} {request.url}\n")

    def close(self) -> None:
        """Flush and close the log."""
        if self.file is not None:
            self.file.close()
