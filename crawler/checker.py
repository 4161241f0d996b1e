"""The link checker: checks the links the page spiders hand over.

``python -m crawler.checker PLAN.json`` runs beside the page spiders, in its own
process. A page spider writes a frontier row for each attachment and outside
link it finds; the checker follows that table, requests each link once and
stores its check result. It stops when the page spiders have finished (the
monitor closes its standard input) and every row is checked. A resumed run finds
the rows without a check result the same way.

A check is one request and a verdict, and needs nothing of a crawl's machinery,
so the checker asks over aiohttp (``crawler.fetcher``), keeping the page
spiders' transport rules (``common.transport``). Its answers are judged by
``crawler.pages.judge``, as the page spiders' are. A refused or failed HEAD is
asked again as a GET that stops after the headers.

A link found working by an earlier run whose inspection day is less than
``recheck_days`` before this run's (``rules.yaml``, ``link_check``) is not
requested again: its result is carried over, saying so. A link that failed is
always checked again.

In a run shared out through Redis (``common.shared_run``) the checker takes
the links from the run's ``checks`` queue instead, and stops when the
coordinator says the run is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from datetime import date
from typing import Any

from w3lib.url import safe_url_string

from common.plan import RunPlan
from common.reasons import reason
from common.shared_run import SharedRun, joined
from common.transport.failures import REFUSED
from crawler.fetcher import CheckError, LinkFetcher
from crawler.items import CheckResult, Done, Frontier, Note, PageRecord
from crawler.pages import Answer, PageMarkers, failed_check, judge, side_notes
from crawler.pipelines import StorePipeline
from crawler.storage import CrawlStore, stop_if_a_callback_met_a_full_disk

log = logging.getLogger(__name__)


class LinkChecker:
    """Checks a run's handed-over links and stores one check result for each."""

    poll_seconds = 0.2
    # Rows taken from the store and not answered yet: the queue stays in the
    # store, not in memory, however many links a site has.
    max_in_flight = 256

    def __init__(self, plan: RunPlan, pages_done: threading.Event, shared: SharedRun | None = None) -> None:
        self.plan = plan
        self.shared = shared
        self.run_id = plan.run_id
        self.pages_done = pages_done
        self.sites = {spec.id: spec.site for spec in plan.departments}
        self.markers = PageMarkers.from_table(plan.tables().markers)
        self.recheck_days = plan.link_check.recheck_days
        self.fetcher = LinkFetcher(plan, shared)
        self.noted: set[tuple[str, str, str]] = set()
        self.stopping = False
        self._as_of: date | None = None
        self.writer = StorePipeline(plan.db, self.run_id, shared)

    # the run -----------------------------------------------------------------

    async def run(self) -> None:
        """Check the run's links: from the frontier table, or from a shared run's queue, until there are no more."""
        await self.fetcher.open()
        self.writer.open_spider()
        if self.shared is None:
            store: CrawlStore | None = CrawlStore(self.plan.db)
        else:  # a worker on another machine has no store: it checks every link afresh
            store = CrawlStore(self.plan.db, read_only=True) if self.plan.db and os.path.exists(self.plan.db) else None
        tasks: set[asyncio.Task[None]] = set()
        room = asyncio.Semaphore(self.max_in_flight)
        try:
            if self.shared is not None:
                await self._take_shared(store, tasks, room)
            else:
                assert store is not None
                await self._follow_store(store, tasks, room)
            if self.stopping:
                for task in tasks:
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            if store is not None:
                store.close()
            self.writer.close_spider()
            await self.fetcher.close()

    async def _follow_store(self, store: CrawlStore, tasks: set[asyncio.Task[None]], room: asyncio.Semaphore) -> None:
        """Check the frontier table's links until the page spiders are done and every row is checked."""
        cursor = 0
        while not self.stopping:
            finished = self.pages_done.is_set()  # before reading: rows written until then are seen
            rows = store.unchecked(self.run_id, cursor)
            for rowid, url, method, meta_json in rows:
                cursor = rowid
                meta = json.loads(meta_json)
                if meta["callback"] != Frontier.CHECK:
                    continue
                if carried := self._carried_over(store, url):
                    self.writer.process_item(carried)
                    continue
                await room.acquire()
                if self.stopping:
                    break
                task = asyncio.create_task(self._check_row(url, method, meta["dept"]))
                tasks.add(task)
                task.add_done_callback(lambda done: (tasks.discard(done), room.release()))
            if not rows and finished:
                break
            if not rows:
                await asyncio.sleep(self.poll_seconds)

    async def _take_shared(
        self, store: CrawlStore | None, tasks: set[asyncio.Task[None]], room: asyncio.Semaphore
    ) -> None:
        """Check the links of the shared run's queue until the coordinator says the run is done."""
        assert self.shared is not None
        while not self.stopping:
            await room.acquire()
            taken = self.shared.take("c")
            if taken is None:
                room.release()
                self.writer.flush_pending()  # the leases of the checks made end with their rows
                if self.shared.state() != "running":
                    return
                await asyncio.sleep(self.poll_seconds)
                continue
            lease, blob, _, _ = taken
            _, url, method, meta_json = json.loads(blob)
            dept = json.loads(meta_json)["dept"]
            if store is not None and (carried := self._carried_over(store, url)):
                room.release()
                self.writer.process_item(carried)
                self.writer.process_item(Done(lease))
                continue
            task = asyncio.create_task(self._check_row(url, method, dept, lease))
            tasks.add(task)
            task.add_done_callback(lambda done: (tasks.discard(done), room.release()))

    def stop(self) -> None:
        """Stop taking rows and drop the checks under way (a resumed run makes them again)."""
        self.stopping = True

    async def _check_row(self, url: str, method: str, dept: str, lease: str | None = None) -> None:
        try:
            rows = await self.check(url, method, dept)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one link gongkai cannot check must not stop the run
            log.exception("checking %s failed", url)
            detail = reason("internal", type(exc).__name__)
            note = Note(dept, "internal_error", url, detail, url)
            rows = [*self._once([note]), CheckResult(url, None, "internal_error", "skipped", 0, None, detail)]
        self.writer.process_item(PageRecord(rows))
        if lease is not None:
            self.writer.process_item(Done(lease))

    def _carried_over(self, store: CrawlStore, url: str) -> PageRecord | None:
        """The result of an earlier run that found ``url`` working, when that is recent enough to reuse."""
        if self.recheck_days <= 0:
            return None
        last = store.last_check(url, self.run_id)
        if last is None or last[2] != "ok":
            return None
        run_id, status, _, final_url, as_of = last
        if (self._inspection_day(store) - date.fromisoformat(as_of)).days >= self.recheck_days:
            return None
        return PageRecord([CheckResult(url, status, None, "ok", 0, final_url, reason("carried", run_id))])

    def _inspection_day(self, store: CrawlStore) -> date:
        if self._as_of is None:
            self._as_of = date.fromisoformat(store.inspection_day(self.run_id))
        return self._as_of

    # one check -----------------------------------------------------------------

    async def check(self, target: str, method: str, dept: str) -> list[Any]:
        """The rows of one link's check: its warnings, then its check result (last)."""
        url = safe_url_string(target)
        outcome, attempts = await self.fetcher.confirmed(url, method)
        refused = isinstance(outcome, CheckError) and outcome.kind in REFUSED
        if method == "HEAD" and not refused and (isinstance(outcome, CheckError) or outcome.status >= 400):
            # Many servers refuse or mishandle HEAD: only a GET's answer counts against a link.
            outcome, attempts = await self.fetcher.confirmed(url, "GET", headers_only=True)
        if isinstance(outcome, CheckError):
            return self._failed(target, dept, outcome, attempts)
        answer = Answer(target, outcome.url, outcome.status, "check", outcome.view, outcome.certificate)
        verdict = judge(answer, self.markers, self.sites[dept])
        final_url = outcome.url if outcome.url != target else None
        result = CheckResult(
            target, outcome.status, verdict.error, verdict.outcome, attempts, final_url, verdict.detail
        )
        return [*self._once(side_notes(dept, answer, verdict)), result]

    def _failed(self, target: str, dept: str, failure: CheckError, attempts: int) -> list[Any]:
        *notes, check = failed_check(dept, target, failure.kind, str(failure), attempts)
        if check.outcome == "broken":
            log.info("%s failed (%s): %s", target, failure.kind, failure)
        return [*self._once(notes), check]

    def _once(self, notes: list[Note]) -> list[Note]:
        """The notes not made yet by this process (the store keeps one per run across processes)."""
        fresh = [n for n in notes if (n.department, n.kind, n.key) not in self.noted]
        self.noted.update((n.department, n.kind, n.key) for n in fresh)
        return fresh


def main(argv: list[str]) -> int:
    """Check the links of the plan at ``argv[0]``; print the counters as JSON. Exit status 1 only if it crashes."""
    plan = RunPlan.read(argv[0])
    logging.basicConfig(level=plan.log_level, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    pages_done = threading.Event()

    def wait_for_pages() -> None:
        sys.stdin.read()  # its end comes when the page spiders have finished
        pages_done.set()

    threading.Thread(target=wait_for_pages, daemon=True).start()
    redis_url = os.environ.get("GONGKAI_REDIS")
    shared = joined(redis_url, plan.shared) if plan.shared and redis_url else None
    checker = LinkChecker(plan, pages_done, shared)

    async def checked() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(stop_if_a_callback_met_a_full_disk)
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, checker.stop)
        await checker.run()

    asyncio.run(checked())
    with contextlib.suppress(BrokenPipeError):  # the monitor is gone: the store has the results
        print(json.dumps(checker.fetcher.counters))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
