"""Item pipeline: spider items become store rows, written in batches (the link checker writes through it too)."""

from __future__ import annotations

import os
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from common.plan import STORE_WRITE_FAILED
from common.shared_run import SharedRun
from common.text import printable
from crawler.items import Done, PageRecord
from crawler.storage import CrawlStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# SQLite's primary result codes for a store that takes no more rows: SQLITE_READONLY,
# SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN (extended codes keep them in the low byte).
_STORE_REFUSED = frozenset({8, 10, 11, 13, 14})

# Sent by a spider that needs its rows in the store now (see StorePipeline.flush).
flush_requested = object()

# Rows of these tables replace an earlier row with the same key; other rows are kept
# once (a frontier row: the first spider to hand a link over wins, so it is checked once).
_REPLACE = frozenset({"pages", "checks", "columns", "details", "memos"})


class StorePipeline:
    """Buffers rows per table and writes them in one transaction per batch.

    In a run shared out through Redis the batch goes to the coordinator, which
    writes the store, with the leases it ends (``common.shared_run``).
    """

    batch_rows = 2000
    batch_seconds = 2.0

    def __init__(self, db_path: str, run_id: int, shared: SharedRun | None = None) -> None:
        self.db_path = db_path
        self.run_id = run_id
        self.shared = shared
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.leases: list[str] = []
        self.pending = 0
        self.last_flush = time.monotonic()
        self.store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Take the store and run from the settings the monitor passed."""
        from crawler.shared_queue import shared_run_of

        settings = crawler.settings
        pipeline = cls(settings["GONGKAI_DB"], settings.getint("GONGKAI_RUN_ID"), shared_run_of(settings))
        crawler.signals.connect(pipeline.flush_pending, signal=flush_requested)
        return pipeline

    def open_spider(self) -> None:
        """Open the store (a shared run's rows go to Redis instead)."""
        if self.shared is None:
            self.store = CrawlStore(self.db_path)

    def process_item(self, item: Any) -> Any:
        """Queue the item's rows (a record's rows, in order); write when the batch is full or old."""
        if isinstance(item, Done):
            self.leases.append(item.lease)
        for row_item in () if isinstance(item, Done) else item.rows if isinstance(item, PageRecord) else (item,):
            # The items are flat dataclasses: no deep copy needed. Page text loses its control characters.
            row = {name: printable(value) for name, value in vars(row_item).items()}
            row["run_id"] = self.run_id
            self.buffers.setdefault(row_item.table, []).append(row)
            self.pending += 1
        if self.pending >= self.batch_rows or time.monotonic() - self.last_flush > self.batch_seconds:
            self.flush()
        return item

    def flush(self) -> None:
        """Write every buffered row in one transaction.

        A page's check result is the last item its callback yields, so a stored
        check means the page's links and requests are stored too: what a resumed
        crawl treats as done is done.
        """
        if self.shared is not None:
            if self.pending or self.leases:
                self.shared.commit(self.buffers, _REPLACE, self.leases)
            self.leases = []
            self._emptied()
            return
        assert self.store is not None
        try:
            self.store.insert_batch(self.buffers, _REPLACE)
        except sqlite3.Error as exc:
            if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF not in _STORE_REFUSED:
                raise
            # Nothing more can be recorded: stop this process at once. What was committed stays,
            # and the monitor says why and how to resume.
            os._exit(STORE_WRITE_FAILED)
        self._emptied()

    def _emptied(self) -> None:
        self.buffers = {}
        self.pending = 0
        self.last_flush = time.monotonic()

    def flush_pending(self) -> None:
        """Write the buffered rows and end the leases now, if there are any (the ``flush_requested`` signal)."""
        if (self.pending or self.leases) and (self.store is not None or self.shared is not None):
            self.flush()

    def close_spider(self) -> None:
        """Write what is left and close the store."""
        self.flush()
        if self.store is not None:
            self.store.close()
