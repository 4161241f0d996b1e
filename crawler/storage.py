"""A crawl process's connection to the run's store: plain sqlite3, and every query the crawl makes.

The monitor creates and migrates the store before the crawl starts
(``monitor.store``); the page spiders and the link checker only add rows
(``CrawlStore.insert_batch``, through ``crawler.pipelines``) and read a few back
(the named queries below), so they do without sqlite-utils and what it imports
(about 5 MiB in each of those processes).
"""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from common.plan import STORE_WRITE_FAILED
from common.rows import insert_rows
from crawler.items import Frontier

# What a disk says when it takes nothing more: full, over quota, read-only.
_DISK_REFUSES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def stop_if_the_disk_refuses(exc: OSError) -> None:
    """Stop this crawl process at once when a write beside the store failed because the disk takes nothing more.

    The store's own writes stop the same way (``crawler.pipelines``): what was
    committed stays, and the monitor says why and how to resume.
    """
    if exc.errno in _DISK_REFUSES:
        os._exit(STORE_WRITE_FAILED)


# SQLite's primary result codes of a disk that takes nothing more: SQLITE_IOERR, SQLITE_FULL.
_SQLITE_DISK_REFUSES = frozenset({10, 13})


def stop_if_a_callback_met_a_full_disk(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The crawl processes' asyncio exception handler: a full disk met in a callback stops the process quietly.

    A write beside the store can fail in a callback no one awaits (a queue, a
    mark, a batch); the process stops as the store's own writes do, with the
    monitor's one line instead of a traceback. Anything else is logged as asyncio does.
    """
    exc = context.get("exception")
    while exc is not None:
        if isinstance(exc, OSError):
            stop_if_the_disk_refuses(exc)
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _SQLITE_DISK_REFUSES:
            os._exit(STORE_WRITE_FAILED)
        exc = exc.__cause__ or exc.__context__
    loop.default_exception_handler(context)


# How long a writer waits for another process's transaction, as the monitor's store does.
BUSY_SECONDS = 30

_HANDOFFS = """
select url, meta from handoffs where rowid > ? and rowid <= ? and run_id = ? and worker = ? order by rowid
"""
_UNFINISHED = """
select count(distinct department) from frontier f
where f.run_id = ? and json_extract(f.meta, '$.callback') = ?
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
"""
_UNCHECKED = """
select f.rowid, f.url, f.method, f.meta from frontier f not indexed
where f.rowid > ? and f.run_id = ?
  and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)
order by f.rowid limit 500
"""
_LAST_CHECK = """
select c.run_id, c.status, c.outcome, c.final_url, r.as_of from checks c join runs r on r.id = c.run_id
where c.url = ? and c.run_id < ? order by c.run_id desc limit 1
"""


class CrawlStore:
    """Rows in, a few rows out, for one crawl process."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        if read_only:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.conn = sqlite3.connect(path, timeout=BUSY_SECONDS)
            self.conn.row_factory = sqlite3.Row

    def insert_batch(self, batch: dict[str, list[dict[str, Any]]], replace: frozenset[str]) -> None:
        """Insert rows of several tables in one transaction (tables in ``replace`` overwrite by key).

        Rows already stored (a resumed crawl seeing a page again) are kept once.
        """
        insert_rows(self.conn, batch, replace)

    # the page spiders ------------------------------------------------------------

    def newest_handoff(self) -> int:
        """The rowid of the newest page handed over between page spiders (0: none yet)."""
        return int(self.conn.execute("select ifnull(max(rowid), 0) from handoffs").fetchone()[0])

    def handoffs(self, run_id: int, worker: int, after: int, up_to: int) -> list[tuple[str, str]]:
        """The pages handed over to page spider ``worker`` with rowids in (after, up_to]: (url, JSON arguments)."""
        return [tuple(row) for row in self.conn.execute(_HANDOFFS, [after, up_to, run_id, worker])]

    def frontier(self, run_id: int) -> list[tuple[str, str, str, str]]:
        """Every request the run made so far: (key, url, method, JSON meta)."""
        rows = self.conn.execute("select key, url, method, meta from frontier where run_id = ?", [run_id])
        return [tuple(row) for row in rows]

    def answered(self, run_id: int) -> set[str]:
        """The URLs of the run that have their check result."""
        return {url for (url,) in self.conn.execute("select url from checks where run_id = ?", [run_id])}

    def memo(self, url: str, memo_format: str) -> tuple[int, bytes, bytes] | None:
        """The newest memo of a page, when of ``memo_format``: (run id, rows, wants)."""
        sql = "select run_id, rows, wants from memos where url = ? and format = ?"
        row = self.conn.execute(sql, [url, memo_format]).fetchone()
        return tuple(row) if row else None

    def validators(self, url: str, memo_format: str) -> tuple[str | None, str | None, str] | None:
        """What a conditional request for a page sends, from its memo: (ETag, Last-Modified, body hash)."""
        sql = "select etag, last_modified, content_hash from memos where url = ? and format = ?"
        row = self.conn.execute(sql, [url, memo_format]).fetchone()
        return tuple(row) if row else None

    def progress(self, run_id: int) -> tuple[int, int, int]:
        """How far the run's crawl is: (pages read, URLs checked, departments with pages still to read)."""
        pages = self.conn.execute("select count(*) from pages where run_id = ?", [run_id]).fetchone()[0]
        checked = self.conn.execute("select count(*) from checks where run_id = ?", [run_id]).fetchone()[0]
        unfinished = self.conn.execute(_UNFINISHED, [run_id, Frontier.PAGE]).fetchone()[0]
        return pages, checked, unfinished

    # the link checker --------------------------------------------------------------

    def unchecked(self, run_id: int, after: int) -> Iterable[tuple[int, str, str, str]]:
        """The next frontier rows after rowid ``after`` without a check result: (rowid, url, method, JSON meta)."""
        return [tuple(row) for row in self.conn.execute(_UNCHECKED, [after, run_id])]

    def last_check(self, url: str, before_run: int) -> tuple[int, int | None, str, str | None, str] | None:
        """The newest check of ``url`` by an earlier run: (run id, status, outcome, final URL, inspection day)."""
        row = self.conn.execute(_LAST_CHECK, [url, before_run]).fetchone()
        return tuple(row) if row else None

    def inspection_day(self, run_id: int) -> str:
        """The run's inspection day (ISO date)."""
        return self.conn.execute("select as_of from runs where id = ?", [run_id]).fetchone()[0]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
