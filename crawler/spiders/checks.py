"""The link-check spider: checks the links the department spiders hand over.

It runs in its own process next to the department (page) spiders, so that
checking attachments and outside links does not queue behind page parsing. The
hand-over is the store's frontier table: a page spider writes a row for every
link to check, this spider reads the new rows as they are committed and
requests each once (from memory: the rows wait in the store). It stops when the
page spiders have finished (the monitor closes this process's standard input)
and every row is checked. A resumed run finds the rows without a check
result the same way.

A link found working by an earlier run whose inspection day is less than
``recheck_days`` before this run's (``rules.yaml``, ``link_check``) is not
requested again: its result is carried over, saying so. A link that failed is
always checked again.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from crawler.items import CheckResult, PageRecord
from crawler.spiders.base import InspectionSpider
from monitor.store import Store

_NEW_ROWS = """
select f.rowid, f.url, f.method, f.meta from frontier f not indexed
where f.rowid > ? and f.run_id = ?
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
order by f.rowid limit 500
"""
_LAST_CHECK = """
select c.run_id, c.status, c.outcome, c.final_url, r.as_of from checks c join runs r on r.id = c.run_id
where c.url = ? and c.run_id < ? order by c.run_id desc limit 1
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
        self._as_of: date | None = None
        self.recheck_days = int(self.plan["link_check"].get("recheck_days", 0))
        threading.Thread(target=self._wait_for_pages, daemon=True).start()

    def _wait_for_pages(self) -> None:
        """Standard input reaches its end when the department spider has finished."""
        sys.stdin.read()
        self.pages_done.set()

    def in_flight(self) -> int:
        """Check requests made and not answered yet."""
        return sum(d.outstanding for d in self.departments.values())

    async def start(self) -> AsyncIterator[Any]:
        """Follow the frontier table until the page spiders are done and no row is left."""
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
                    if carried := self._carried_over(store, url):
                        yield carried
                        continue
                    self.departments[meta["dept"]].outstanding += 1
                    yield self.rebuild(url, method, meta, self.parse_check)
                if rows:
                    while self.in_flight() > self.max_in_flight:
                        await asyncio.sleep(self.poll_seconds)
                elif finished:
                    return
                else:
                    await asyncio.sleep(self.poll_seconds)
        finally:
            store.close()

    def _carried_over(self, store: Store, url: str) -> PageRecord | None:
        """The result of an earlier run that found ``url`` working, when that is recent enough to reuse."""
        if self.recheck_days <= 0:
            return None
        last = store.db.execute(_LAST_CHECK, [url, self.plan["run_id"]]).fetchone()
        if last is None or last[2] != "ok":
            return None
        run_id, status, _, final_url, as_of = last
        if (self.as_of(store) - date.fromisoformat(as_of)).days >= self.recheck_days:
            return None
        self.checked += 1
        detail = f"working when run {run_id} checked it ({as_of}); checked again after {self.recheck_days} days"
        return PageRecord([CheckResult(url, status, None, "ok", 0, final_url, detail)])

    def as_of(self, store: Store) -> date:
        """The run's inspection day."""
        if self._as_of is None:
            row = store.db.execute("select as_of from runs where id = ?", [self.plan["run_id"]]).fetchone()
            self._as_of = date.fromisoformat(row[0])
        return self._as_of
