"""Crawl extensions: the request log, the progress line, unread bodies cut, AutoThrottle taught 304 and 404."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import IO, Any

from scrapy import Request, signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from twisted.internet import task

from common.tables import tables_of
from common.wording import say
from crawler.sites import COLUMN_ROLES
from crawler.storage import CrawlStore


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
        self.file = self.path.open("a", encoding="utf-8", buffering=1)  # whole lines: the link checker appends too

    def scheduled(self, request: Request) -> None:
        """Record one scheduled request."""
        if self.file is not None:
            self.file.write(f"{request.method} {request.url}\n")

    def close(self) -> None:
        """Flush and close the log."""
        if self.file is not None:
            self.file.close()


class Progress:
    """Show how far a crawl is: pages read, links checked, departments done.

    On a terminal, one line updated in place every few seconds; otherwise (cron,
    a log file) a plain line every ``GONGKAI_PROGRESS_SECONDS``.
    """

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.terminal = sys.stderr.isatty()
        self.interval = 2.0 if self.terminal else interval
        self.task: task.LoopingCall | None = None
        self.store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        """Hook the spider's opening and closing."""
        progress = cls(crawler, crawler.settings.getfloat("GONGKAI_PROGRESS_SECONDS", 30))
        crawler.signals.connect(progress.opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.closed, signal=signals.spider_closed)
        return progress

    def opened(self) -> None:
        """Start reporting."""
        self.task = task.LoopingCall(self.report)
        self.task.start(self.interval, now=False)

    def report(self) -> None:
        """Write one progress line: pages read, links checked, departments done (every process writes the store)."""
        if self.store is None:
            self.store = CrawlStore(self.crawler.settings["GONGKAI_DB"], read_only=True)
        pages, checked, unfinished = self.store.progress(self.crawler.settings.getint("GONGKAI_RUN_ID"))
        spider = self.crawler.spider
        total = len(spider.departments)
        with tables_of(Path(spider.plan.tables_dir) if spider.plan.tables_dir else None):
            line = say("progress", pages=pages, checked=checked, done=total - unfinished, total=total)
        if self.terminal:
            sys.stderr.write(f"\r{line}\033[K")
        else:
            sys.stderr.write(f"{time.strftime('%H:%M:%S')} {line}\n")
        sys.stderr.flush()

    def closed(self) -> None:
        """Stop reporting, with a last line."""
        if self.task is not None and self.task.running:
            self.task.stop()
            self.report()
            if self.terminal:
                sys.stderr.write("\n")
        if self.store is not None:
            self.store.close()


class InspectionThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, for which 304 Not Modified and 404 Not Found are ordinary answers.

    AutoThrottle never lowers its delay after an answer other than 200, because
    error pages are small and fast. But an unchanged site answers nearly every
    page with 304 on the next run, and a link checker's work is largely 404s
    being confirmed: both would be paced at the start delay throughout. Server
    trouble (429, 5xx) still never lowers the delay.
    """

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        ordinary = response.status in (304, 404)
        super()._adjust_delay(slot, latency, response.replace(status=200) if ordinary else response)


class UnreadBodies:
    """Stop downloading bodies that will not be read: attachments, and answers that are not lists or pages.

    Only the spider's own requests (they carry a target) are cut: robots.txt is text/plain.
    A column's pages may be JSON (lists drawn by a script read their data).
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreadBodies:
        """Hook the headers signal."""
        extension = cls()
        crawler.signals.connect(extension.headers_received, signal=signals.headers_received)
        return extension

    def headers_received(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        """Cut the download here when its body will not be read."""
        if "target" not in request.meta:
            return
        request.meta["headers_seen"] = True
        content_type = (headers.get(b"Content-Type") or b"").lower()
        wanted = (b"html", b"xml", b"json") if request.meta.get("role") in COLUMN_ROLES else (b"html", b"xml")
        if content_type and not any(kind in content_type for kind in wanted):
            raise StopDownload(fail=False)
