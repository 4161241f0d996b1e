"""Sharing a run's pages between its page spiders, and knowing when all of them are done.

A run's pages are shared out over several page spiders, each in its own process
(the config's ``page_workers``), so that a run uses several cores. Each crawls
the pages that are its share (``owner``: a list's pages go by their column, so
one spider reads a whole list) and hands the others over as rows of the
store's ``handoffs`` table, which their owner follows.

A spider that is idle (nothing in flight, its rows written) and has taken every
handoff up to the newest one marks that handoff's rowid in a file of the run's
queue folder. All are done when every mark is the newest handoff: only a busy
spider writes handoffs, and an idle one becomes busy only through a handoff
newer than its mark.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from crawler.items import Handoff
from crawler.links import page_owner
from crawler.sites import COLUMN_ROLES, Department
from crawler.storage import CrawlStore, stop_if_the_disk_refuses


class PageSharing:
    """One page spider's part in sharing its run's pages."""

    def __init__(self, worker: int, workers: int, run_id: int, marks: Path) -> None:
        self.worker = worker
        self.workers = workers
        self.run_id = run_id
        self.marks = marks
        self.cursor = 0  # the newest handoff taken

    def owner(self, url: str, role: str, column: str | None) -> int:
        """The page spider whose share a page is: a list's pages go by their column's URL."""
        return page_owner(column if role in COLUMN_ROLES and column else url, self.workers)

    @staticmethod
    def handoff(dept: Department, key: str, owner: int, url: str, args: dict[str, Any]) -> Handoff:
        """The row handing a page over to its owner, with the arguments of its request."""
        args = {"dept": dept.id, **args, "moved_to": sorted(dept.moved_to)}
        return Handoff(dept.id, key, owner, url, json.dumps(args, ensure_ascii=False))

    def taken(self, store: CrawlStore, newest: int) -> list[tuple[str, dict[str, Any]]]:
        """The pages handed over to this spider up to handoff ``newest`` and not taken yet: (url, arguments)."""
        rows = store.handoffs(self.run_id, self.worker, self.cursor, newest)
        self.cursor = newest
        taken = []
        for url, args_json in rows:
            args = json.loads(args_json)
            args["form"] = tuple(tuple(pair) for pair in args["form"]) if args["form"] else None
            taken.append((url, args))
        return taken

    def mark_idle(self, newest: int) -> None:
        """Say, for the other page spiders, that this one is idle with every handoff up to ``newest`` taken."""
        mark = self.marks / f"idle-{self.worker}"
        temporary = mark.with_suffix(".tmp")
        try:
            self.marks.mkdir(parents=True, exist_ok=True)
            temporary.write_text(str(newest))
            os.replace(temporary, mark)
        except OSError as exc:
            stop_if_the_disk_refuses(exc)
            raise

    def all_idle_at(self, store: CrawlStore, newest: int) -> bool:
        """Every page spider is idle with every handoff up to ``newest`` taken, and none is newer."""
        for worker in range(self.workers):
            try:
                if int((self.marks / f"idle-{worker}").read_text()) != newest:
                    return False
            except (FileNotFoundError, ValueError):
                return False
        return store.newest_handoff() == newest
