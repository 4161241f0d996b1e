"""A crawl process's connection to the run's store: plain sqlite3.

The monitor creates and migrates the store before the crawl starts
(``monitor.store``); the page spiders and the link checker only add rows and
read a few back, so they do without sqlite-utils and what it imports (about
5 MiB in each of those processes).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

# How long a writer waits for another process's transaction, as the monitor's store does.
BUSY_SECONDS = 30
# A crawl process's exit status when the store refuses its rows (a full disk, a store made read-only).
STORE_WRITE_FAILED = 4


class CrawlStore:
    """Rows in, a few rows out, for one crawl process."""

    def __init__(self, path: str | Path) -> None:
        self.conn = sqlite3.connect(path, timeout=BUSY_SECONDS)
        self.conn.row_factory = sqlite3.Row

    def insert_batch(self, batch: dict[str, list[dict[str, Any]]], replace: frozenset[str]) -> None:
        """Insert rows of several tables in one transaction (tables in ``replace`` overwrite by key).

        Rows already stored (a resumed crawl seeing a page again) are kept once.
        """
        with self.conn:
            for table, rows in batch.items():
                if rows:
                    # Plain executemany: the crawl writes tens of thousands of rows a
                    # minute, all of one shape per table, into tables that exist.
                    columns = list(rows[0])
                    verb = "insert or replace" if table in replace else "insert or ignore"
                    names = ", ".join(f"[{c}]" for c in columns)
                    sql = f"{verb} into [{table}] ({names}) values ({', '.join('?' * len(columns))})"
                    self.conn.executemany(sql, [[row[c] for c in columns] for row in rows])

    def execute(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> sqlite3.Cursor:
        """Run one statement (its rows are ``sqlite3.Row``, readable by column name)."""
        return self.conn.execute(sql, params)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
