"""Writing a crawl's rows: several tables in one transaction, by the crawl processes or a shared run's coordinator."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any


def insert_rows(conn: sqlite3.Connection, batch: dict[str, list[dict[str, Any]]], replace: Iterable[str]) -> None:
    """Insert rows of several tables in one transaction; tables in ``replace`` overwrite by key.

    Rows already stored (a resumed crawl seeing a page again, a page read twice
    after its worker died) are kept once.
    """
    replaced = frozenset(replace)
    with conn:
        for table, rows in batch.items():
            if rows:
                # Plain executemany: the crawl writes tens of thousands of rows a
                # minute, all of one shape per table, into tables that exist.
                columns = list(rows[0])
                verb = "insert or replace" if table in replaced else "insert or ignore"
                names = ", ".join(f"[{c}]" for c in columns)
                sql = f"{verb} into [{table}] ({names}) values ({', '.join('?' * len(columns))})"
                conn.executemany(sql, [[row[c] for c in columns] for row in rows])
