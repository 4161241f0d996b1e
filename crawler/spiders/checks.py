"""The link-check spider: checks the links the department spider hands over.

It runs in its own process next to the department spider, so that checking
attachments and outside links uses the machine's second core instead of
queueing behind page parsing. The hand-over is the store's frontier table: the
department spider writes a row for every link to check, this spider reads the
new rows as they are committed and requests each once. It stops when the
department spider has finished (the monitor closes this process's standard
input) and every row is checked. A resumed run finds the rows without a check
result the same way.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any

from crawler.spiders.base import InspectionSpider
from monitor.store import Store

_NEW_ROWS = """
select f.rowid, f.url, f.method, f.meta from frontier f not indexed
where f.rowid > ? and f.run_id = ?
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
order by f.rowid limit 500
"""


class LinkCheckSpider(InspectionSpider):
    """Requests every handed-over link once and records its check result."""

    name = "checks"
    poll_seconds = 0.2
    # Rows taken from the store but not answered yet: the queue stays in the
    # store, not in memory, however many links a site has.
    max_in_flight = 256

    def __init__(self, plan: str, **kwargs: Any) -> None:
        super().__init__(plan, **kwargs)
        self.pages_done = threading.Event()
        threading.Thread(target=self._wait_for_pages, daemon=True).start()

    def _wait_for_pages(self) -> None:
        """Standard input reaches its end when the department spider has finished."""
        sys.stdin.read()
        self.pages_done.set()

    def in_flight(self) -> int:
        """Check requests made and not answered yet."""
        return sum(d.outstanding for d in self.departments.values())

    async def start(self) -> AsyncIterator[Any]:
        """Follow the frontier table until the department spider is done and no row is left."""
        store = Store(self.plan["db"])
        cursor = 0
        try:
            while True:
                finished = self.pages_done.is_set()  # before reading: rows written until then are seen
                rows = list(store.db.execute(_NEW_ROWS, [cursor, self.plan["run_id"]]))
                for rowid, url, method, meta_json in rows:
                    cursor = rowid
                    meta = json.loads(meta_json)
                    if meta["callback"] != "check":
                        continue
                    self.departments[meta["dept"]].outstanding += 1
                    yield self.rebuild(url, method, meta)
                if rows:
                    while self.in_flight() > self.max_in_flight:
                        await asyncio.sleep(self.poll_seconds)
                elif finished:
                    return
                else:
                    await asyncio.sleep(self.poll_seconds)
        finally:
            store.close()

    def progress(self) -> str:
        """One line on how far the checks are."""
        return f"links checked {self.checked} · waiting {self.in_flight()}"
