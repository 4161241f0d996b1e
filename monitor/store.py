"""The SQLite store: every query the monitor makes, named (its schema is built by ``monitor.migrations``).

One run is one row of ``runs``. What the crawl saw hangs off it (``pages``,
``columns``, ``items``, ``links``, ``checks``, ``notes``); what the rules made
of it (``problems``, ``warnings``, ``column_states``) is replaced each time
the run is evaluated, so ``gongkai check`` can re-judge an old crawl. The
standing reviews of findings (人工核查) are kept across runs (``reviews``).

Long because every query the monitor makes is here, named, and nowhere else
(``tests/test_the_store_owns_its_sql.py``).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from common.rows import insert_rows
from monitor.migrations import migrations

DEFAULT_DB = Path("data/gongkai.db")


class StoreError(Exception):
    """A store that cannot be used as asked; the message names the file and what to do."""


def store_error(path: Path, exc: BaseException) -> StoreError:
    """The one-line explanation of an SQLite or file error met on the store at ``path``."""
    text = str(exc)
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return StoreError(f"{path}: is a folder, not a gongkai store; give --db a file")
    if "not a database" in text:
        return StoreError(f"{path}: not a gongkai store (not an SQLite database); give --db the store's file")
    if "malformed" in text or "corrupt" in text:
        return StoreError(f"{path}: the store is damaged ({text}); restore it from a backup")
    if "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return StoreError(f"{path}: the disk is full; free some space and run again (earlier runs are intact)")
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return StoreError(f"{path}: the store cannot be written ({text}); this command needs write access")
    if "unable to open" in text or isinstance(exc, FileNotFoundError):
        return StoreError(f"{path}: the store cannot be opened ({text})")
    return StoreError(f"{path}: {text}")


class Store:
    """A gongkai database file.

    ``readonly`` opens an existing store without writing to it (reports,
    listings): a store on read-only media or without write permission can still
    be read. Opening raises StoreError with a one-line reason.
    """

    def __init__(self, path: str | Path, timezone: str | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.zone = ZoneInfo(timezone) if timezone else None
        self.readonly = readonly
        try:
            self.db = self._open()
        except (sqlite3.Error, OSError) as exc:
            raise store_error(self.path, exc) from None

    def _read_only_connection(self) -> sqlite3.Connection:
        """A connection that never writes; on read-only media (no room for SQLite's shared-memory file) immutable."""
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
        try:
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            wal = self.path.with_name(self.path.name + "-wal")
            if "unable to open" not in str(exc) or (wal.exists() and wal.stat().st_size):
                raise
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def _open(self) -> sqlite_utils.Database:
        if self.path.is_dir():
            raise IsADirectoryError(self.path)
        if self.readonly:
            if not self.path.is_file():
                raise FileNotFoundError(f"no such store: {self.path}")
            db = sqlite_utils.Database(self._read_only_connection())
            db.execute("PRAGMA busy_timeout = 30000")
            if migrations.pending(db) and os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK):
                db.close()  # a store written by an older gongkai: bring its schema up to date once
                Store(self.path).close()
                db = sqlite_utils.Database(self._read_only_connection())
            if pending := migrations.pending(db):
                names = ", ".join(m.name for m in pending)
                raise sqlite3.OperationalError(f"readonly: the store needs its schema updated first ({names})")
            return db
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(self.path)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        migrations.apply(db)
        return db

    def now(self) -> str:
        """The current time in the store's time zone (the config's), ISO 8601."""
        now = datetime.now(self.zone) if self.zone else datetime.now().astimezone()
        return now.isoformat(timespec="seconds")

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    # runs -----------------------------------------------------------------

    def create_run(self, as_of: str, config_path: str, config: dict[str, Any], departments: list[str]) -> int:
        """Start a run; it stays ``running`` until ``finish_run``."""
        with self.db.atomic():
            table = self.db["runs"].insert(
                {
                    "started_at": self.now(),
                    "as_of": as_of,
                    "status": "running",
                    "config_path": config_path,
                    "config": json.dumps(config, ensure_ascii=False),
                    "departments": json.dumps(departments),
                    "pid": os.getpid(),
                }
            )
        return int(table.last_pk)

    def finish_run(self, run_id: int, status: str, error: str | None = None, **stats: Any) -> None:
        """Mark a run complete (or failed/incomplete) with its closing stats."""
        with self.db.atomic():
            self.db["runs"].update(run_id, {"status": status, "finished_at": self.now(), "error": error, **stats})

    def run(self, run_id: int) -> dict[str, Any] | None:
        """Return a run row, or None."""
        rows = list(self.db["runs"].rows_where("id = ?", [run_id]))
        return rows[0] if rows else None

    def runs(self) -> list[dict[str, Any]]:
        """Return all runs, newest first."""
        return list(self.db["runs"].rows_where(order_by="id desc"))

    def mark_interrupted(self) -> list[int]:
        """Mark runs left ``running`` by a process that died as ``incomplete``; return their ids.

        Call only while holding the store's lock: then no run can really be running.
        """
        ids = [r["id"] for r in self.db.query("select id from runs where status = 'running'")]
        with self.db.atomic():
            for run_id in ids:
                self.db["runs"].update(run_id, {"status": "incomplete", "error": "interrupted before it finished"})
        return ids

    def latest_run_id(self, status: str = "complete") -> int | None:
        """Return the id of the newest run with this status."""
        row = self.db.execute("select max(id) from runs where status = ?", [status]).fetchone()
        return row[0]

    def schema(self) -> str:
        """The store's schema as SQL (tables, indexes, views; as ``monitor/schema.sql`` records it)."""
        rows = self.db.execute(
            "select type, name, sql from sqlite_master where sql is not null and name not like 'sqlite_%'"
            " order by case type when 'table' then 0 when 'index' then 1 else 2 end, name"
        ).fetchall()
        return "".join(f"-- {kind} {name}\n{sql};\n\n" for kind, name, sql in rows)

    def latest_interrupted_run_id(self) -> int | None:
        """The newest run that was interrupted or failed (a crawl may resume it)."""
        return self.db.execute("select max(id) from runs where status in ('incomplete', 'failed')").fetchone()[0]

    def reopen_run(self, run_id: int, pid: int) -> None:
        """Mark an interrupted run as running again, by the process ``pid``."""
        self.db["runs"].update(run_id, {"status": "running", "error": None, "pid": pid})

    def complete_runs_up_to(self, run_id: int) -> list[tuple[int, str]]:
        """(id, inspection day) of every complete run up to ``run_id``, newest first."""
        return [
            (row[0], row[1])
            for row in self.db.execute(
                "select id, as_of from runs where status = 'complete' and id <= ? order by id desc", [run_id]
            )
        ]

    def run_counts(self, run_id: int) -> tuple[int, int]:
        """A run's open problems and its warnings."""
        row = self.db.execute(
            "select (select count(*) from problems where run_id = :id and state != 'resolved'),"
            " (select count(*) from warnings where run_id = :id)",
            {"id": run_id},
        ).fetchone()
        return int(row[0]), int(row[1])

    def unanswered(self, run_id: int) -> int:
        """Pages and links the run asked for and has no answer to (a resumed run must finish them)."""
        return self.db.execute(
            "select count(*) from frontier f where f.run_id = ?"
            " and not exists (select 1 from checks c where c.run_id = f.run_id and c.url = f.url)",
            [run_id],
        ).fetchone()[0]

    def internal_errors(self, run_id: int) -> tuple[int, int]:
        """(pages and links gongkai failed to read, all answers) of a run."""
        row = self.db.execute(
            "select (select count(*) from notes where run_id = :id and kind = 'internal_error'),"
            " (select count(*) from checks where run_id = :id)",
            {"id": run_id},
        ).fetchone()
        return int(row[0]), int(row[1])

    def pages_read(self, run_id: int) -> dict[str, int]:
        """How many pages of each department's site the run read (answered)."""
        return dict(
            self.db.execute(
                "select department, count(*) from pages where run_id = ? and status is not null group by department",
                [run_id],
            ).fetchall()
        )

    def dated_items(self, run_id: int, department: str) -> Iterator[dict[str, Any]]:
        """A department's list items, each with what its own page said (``page_raw``, ``page_source`` …)."""
        return self.db.query(
            """select i.column_url, i.title, i.url, i.date_raw, i.date_source, d.date_raw as page_raw,
                      d.date_source as page_source, d.written_raw, d.fingerprint
               from items i left join details d on d.run_id = i.run_id and d.url = i.url
               where i.run_id = ? and i.department = ?""",
            [run_id, department],
        )

    def terms_found(self, run_id: int, department: str) -> Iterator[dict[str, Any]]:
        """A department's suspected 表述错误, each with the column listing its article and the article's dates."""
        return self.db.query(
            """select t.url, t.kind, t.term, t.suggestion, t.note, t.since, t.serious, t.sentence, t.place,
                      i.column_url, i.date_raw as list_raw, d.date_raw as page_raw
               from terms_found t
               left join (select url, min(column_url) as column_url, max(date_raw) as date_raw from items
                          where run_id = ? and department = ? and column_url is not null group by url) i
                 on i.url = t.url
               left join details d on d.run_id = t.run_id and d.url = t.url
               where t.run_id = ? and t.department = ? order by t.url, t.rowid""",
            [run_id, department, run_id, department],
        )

    def messages(self, run_id: int, department: str) -> Iterator[dict[str, Any]]:
        """A department's 政务咨询 messages as lists and their own pages showed them, with the column listing each."""
        return self.db.query(
            """select m.url, coalesce(m.column_url, i.column_url) as column_url, m.title, m.asked_raw, m.answered,
                      m.replied_raw, m.source
               from messages m
               left join (select url, min(column_url) as column_url from items
                          where run_id = ? and department = ? and column_url is not null group by url) i
                 on i.url = m.url
               where m.run_id = ? and m.department = ? order by m.url, m.source""",
            [run_id, department, run_id, department],
        )

    def broken_link_sources(self, run_id: int, department: str) -> Iterator[dict[str, Any]]:
        """Every place a department's pages link to a URL whose check found it broken."""
        return self.db.query(
            """select l.url, l.source_url, l.anchor_text, l.on_homepage, l.place from links l
               join checks c on c.run_id = l.run_id and c.url = l.url
               where l.run_id = ? and l.department = ? and c.outcome = 'broken'""",
            [run_id, department],
        )

    def open_problem_sightings(self, run_id: int, since: str) -> Iterator[tuple[str, str, str]]:
        """(department, problem key, inspection day) of every open problem of the complete runs since ``since``."""
        return self.db.execute(
            "select p.department, p.key, r.as_of from problems p join runs r on r.id = p.run_id"
            " where r.status = 'complete' and p.run_id <= ? and p.state != 'resolved' and r.as_of >= ?",
            [run_id, since],
        )

    def results(self, run_id: int) -> dict[str, bool | None]:
        """Each department's result in a run: passed (True), failed (False), not judged (None)."""
        return {
            department: None if passed is None else bool(passed)
            for department, passed in self.db.execute(
                "select department, passed from scores where run_id = ?", [run_id]
            )
        }

    def previous_run_id(self, run_id: int, department: str) -> int | None:
        """Return the newest complete run before ``run_id`` that covered ``department``."""
        for row in self.db.query(
            "select id, departments from runs where status = 'complete' and id < ? order by id desc", [run_id]
        ):
            if department in json.loads(row["departments"]):
                return int(row["id"])
        return None

    def record_notification(
        self, run_id: int, department: str, to: str, subject: str, message_id: str, mode: str
    ) -> None:
        """Record a notice sent (mode ``smtp``) or written (``dry-run``)."""
        with self.db.atomic():
            self.db["notifications"].insert(
                {
                    "run_id": run_id,
                    "department": department,
                    "to": to,
                    "subject": subject,
                    "message_id": message_id,
                    "mode": mode,
                    "at": self.now(),
                }
            )

    # probes -------------------------------------------------------------------

    def add_crawl_rows(self, batch: dict[str, list[dict[str, Any]]], replace: Iterable[str]) -> None:
        """Rows a shared run's workers reported (``common.shared_run``), several tables in one transaction.

        Rows of the tables in ``replace`` overwrite by key; others are kept once, as the crawl processes write them.
        """
        insert_rows(self.db.conn, batch, replace)

    def add_probes(self, rows: list[dict[str, Any]]) -> None:
        """Store availability probe results."""
        with self.db.atomic():
            self.db["probes"].insert_all(rows)

    def probe_counts(self, department: str, as_of: date, window_days: int) -> tuple[int, int]:
        """(failed, total) probes of a department in the ``window_days`` up to ``as_of``."""
        start, end = (as_of - timedelta(days=window_days)).isoformat(), (as_of + timedelta(days=1)).isoformat()
        row = self.db.execute(
            "select coalesce(sum(1 - ok), 0), count(*) from probes where department = ? and at >= ? and at < ?",
            [department, start, end],
        ).fetchone()
        return int(row[0]), int(row[1])

    def probes_by_day(self, department: str, as_of: date, days: int) -> dict[str, tuple[int, int]]:
        """(answered, failed) probes of a department on each of the ``days`` up to ``as_of``, by day."""
        start, end = (as_of - timedelta(days=days - 1)).isoformat(), (as_of + timedelta(days=1)).isoformat()
        rows = self.db.execute(
            "select substr(at, 1, 10), coalesce(sum(ok), 0), coalesce(sum(1 - ok), 0) from probes"
            " where department = ? and at >= ? and at < ? group by 1",
            [department, start, end],
        )
        return {day: (int(ok), int(failed)) for day, ok, failed in rows}

    def notifications_of(self, department: str) -> list[dict[str, Any]]:
        """The notices sent to a department (or written as files), newest first."""
        return list(self.db["notifications"].rows_where("department = ?", [department], order_by="at desc"))

    def last_probe_failure(self, department: str, as_of: date, window_days: int) -> dict[str, Any] | None:
        """The latest failed probe of a department in the ``window_days`` up to ``as_of``: when, status, error."""
        start, end = (as_of - timedelta(days=window_days)).isoformat(), (as_of + timedelta(days=1)).isoformat()
        row = self.db.execute(
            "select at, status, error from probes where department = ? and at >= ? and at < ? and ok = 0"
            " order by at desc limit 1",
            [department, start, end],
        ).fetchone()
        return {"at": row[0], "status": row[1], "error": row[2]} if row else None

    # crawl facts (the crawl processes write them through crawler.storage) ---------

    def rows(self, table: str, run_id: int, where: str = "", params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        """Iterate the rows of one run in a table, optionally filtered."""
        clause = "run_id = ?" + (f" and {where}" if where else "")
        return self.db[table].rows_where(clause, [run_id, *params])

    # reviews (人工核查) --------------------------------------------------------

    def reviews(self, department: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """The standing review of each finding, by (department, problem key); of one department if given."""
        where, params = ("department = ?", [department]) if department else ("", [])
        return {(r["department"], r["key"]): r for r in self.db["reviews"].rows_where(where or None, params)}

    def save_review(self, review: dict[str, Any], by: str, source: str) -> None:
        """Keep a finding's review (its decision, or the department's reply) and log the write with who and when."""
        at = self.now()
        with self.db.atomic():
            self.db["reviews"].upsert(review, pk=("department", "key"))
            fields = ("department", "key", "decision", "reason", "reply", "reply_date")
            self.db["review_log"].insert({"at": at, "by": by, "source": source, **{f: review.get(f) for f in fields}})

    def department_name(self, run_id: int, department: str) -> str:
        """A department's name as the run's config gave it (its id when the config had none)."""
        row = self.db.execute(
            "select name from department_names where run_id = ? and department = ?", [run_id, department]
        ).fetchone()
        return row[0] if row and row[0] else department

    def review_log(self) -> list[dict[str, Any]]:
        """Every review write, oldest first."""
        return list(self.db["review_log"].rows_where(order_by="id"))

    # the item register -----------------------------------------------------

    def register(self, department: str) -> dict[str, dict[str, Any]]:
        """A department's item register (``monitor.register``), by item URL."""
        return {row["url"]: row for row in self.db["register"].rows_where("department = ?", [department])}

    def register_items(self) -> list[tuple[str, str, str, str, str | None, bool]]:
        """Every item of the register: (department, column URL, column, category, day, withdrawn).

        An item's day is the date it was first shown with: one re-dated later
        (旧稿重发) counts when it was first published, not again. None: no date was read.
        """
        return self.db.execute(
            "select department, column_url, column, category, coalesce(first_date, date), withdrawn_run is not null"
            " from register"
        ).fetchall()

    def departments_read(self, since: str) -> set[str]:
        """The departments of which a complete run of ``since`` or later read a column (its list or its emptiness)."""
        sql = (
            "select distinct c.department from column_states c join runs r on r.id = c.run_id"
            " where r.status = 'complete' and r.as_of >= ? and c.state in ('ok', 'stale', 'empty')"
        )
        return {row[0] for row in self.db.execute(sql, [since])}

    def inspections(self, since: str) -> list[dict[str, Any]]:
        """The complete runs of ``since`` or later, oldest first, with their config.

        ``truncated``: the departments each cut short at the page limit (JSON; its notes of kind crawl_truncated).
        """
        return list(
            self.db.query(
                """select r.id, r.as_of, r.config, (select json_group_array(distinct n.department) from notes n
                          where n.run_id = r.id and n.kind = 'crawl_truncated' and n.key = 'max_pages') as truncated
                   from runs r where r.status = 'complete' and r.as_of >= ? order by r.id""",
                [since],
            )
        )

    # evaluation ------------------------------------------------------------

    def save_evaluation(
        self,
        run_id: int,
        problems: list[dict[str, Any]],
        warnings: list[dict[str, Any]],
        column_states: list[dict[str, Any]],
        scores: list[dict[str, Any]],
        as_of: str,
        labels: list[dict[str, str]],
        set_aside: list[dict[str, Any]] | None = None,
        register: list[dict[str, Any]] | None = None,
    ) -> None:
        """Replace a run's problems, warnings, column states, scores and set-aside findings in one transaction.

        ``register``: the item register rows the run added or changed, written over the stored ones.
        """
        tables = (
            ("problems", problems),
            ("warnings", warnings),
            ("column_states", column_states),
            ("scores", scores),
            ("set_aside", set_aside or []),
        )
        with self.db.atomic():
            for table, rows in tables:
                self.db.execute(f"delete from [{table}] where run_id = ?", [run_id])
                if rows:
                    self.db[table].insert_all([{"run_id": run_id, **row} for row in rows], batch_size=500)
            self.db["runs"].update(run_id, {"evaluated_at": self.now(), "as_of": as_of})
            self.db["labels"].insert_all(labels, replace=True)
            if register:
                self.db["register"].insert_all(register, replace=True, batch_size=1000)
