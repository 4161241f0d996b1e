"""The SQLite store: schema, migrations and the queries everything else uses.

One run is one row of ``runs``. What the crawl saw hangs off it (``pages``,
``columns``, ``items``, ``links``, ``checks``, ``notes``); what the rules made
of it (``problems``, ``warnings``, ``column_states``) is replaced each time
the run is evaluated, so ``gongkai check`` can re-judge an old crawl.
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
from sqlite_utils.migrations import Migrations

DEFAULT_DB = Path("data/gongkai.db")

migrations = Migrations("gongkai")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create the first schema."""
    db["runs"].create(
        {
            "id": int, "started_at": str, "finished_at": str, "as_of": str, "status": str,
            "config_path": str, "config": str, "departments": str, "pid": int,
            "requests": int, "pages": int, "evaluated_at": str, "error": str,
        },
        pk="id",
    )  # fmt: skip
    db["pages"].create(
        {
            "run_id": int, "department": str, "url": str, "role": str, "status": int,
            "title": str, "content_type": str, "bytes": int, "reading": str,
        },
        pk=("run_id", "url"),
    )  # fmt: skip
    db["columns"].create(
        {
            "run_id": int, "department": str, "url": str, "name": str, "source": str,
            "reading": str, "detail": str,
        },
        pk=("run_id", "department", "url"),
    )  # fmt: skip
    db["items"].create(
        {
            "run_id": int, "department": str, "column_url": str, "url": str, "title": str,
            "date_raw": str, "date_source": str, "on_homepage": int,
        }
    )  # fmt: skip
    db["links"].create(
        {
            "run_id": int, "department": str, "source_url": str, "url": str,
            "anchor_text": str, "on_homepage": int,
        }
    )  # fmt: skip
    db["checks"].create(
        {
            "run_id": int, "url": str, "status": int, "error": str, "outcome": str,
            "attempts": int, "final_url": str, "detail": str,
        },
        pk=("run_id", "url"),
    )  # fmt: skip
    db["notes"].create({"run_id": int, "department": str, "kind": str, "url": str, "detail": str})
    db["problems"].create(
        {
            "run_id": int, "department": str, "type": str, "key": str, "column": str,
            "column_url": str, "category": str, "last_updated": str, "age_days": int,
            "threshold_days": int, "url": str, "source_url": str, "anchor_text": str,
            "status": str, "on_homepage": int, "source_count": int, "detail": str,
            "first_seen": str, "state": str,
        }
    )  # fmt: skip
    db["warnings"].create({"run_id": int, "department": str, "kind": str, "url": str, "detail": str})
    db["column_states"].create(
        {
            "run_id": int, "department": str, "name": str, "url": str, "category": str,
            "items": int, "last_updated": str, "state": str,
        }
    )  # fmt: skip
    for table, cols in [
        ("items", ["run_id", "department", "column_url"]),
        ("links", ["run_id", "url"]),
        ("links", ["run_id", "department"]),
        ("problems", ["run_id", "department"]),
        ("warnings", ["run_id"]),
        ("column_states", ["run_id"]),
        ("notes", ["run_id"]),
    ]:
        db[table].create_index(cols)


@migrations()
def m002_detail_dates(db: sqlite_utils.Database) -> None:
    """Dates read on article pages, and where a column's newest date came from."""
    db["details"].create(
        {"run_id": int, "department": str, "url": str, "date_raw": str, "date_source": str}, pk=("run_id", "url")
    )
    db["column_states"].add_column("date_source", str)


@migrations()
def m003_problem_attempts(db: sqlite_utils.Database) -> None:
    """How many requests of a broken link failed."""
    db["problems"].add_column("attempts", int)


@migrations()
def m004_frontier_and_probes(db: sqlite_utils.Database) -> None:
    """The crawl's frontier (to resume a killed run), availability probes, idempotent rows."""
    db["frontier"].create(
        {"run_id": int, "key": str, "department": str, "url": str, "method": str, "meta": str}, pk=("run_id", "key")
    )
    db["probes"].create(
        {"id": int, "department": str, "url": str, "at": str, "ok": int, "status": int, "seconds": float, "error": str},
        pk="id",
    )
    db["probes"].create_index(["department", "at"])
    # A resumed crawl may see a page again: its rows must not be stored twice.
    db.execute(
        "delete from items where rowid not in (select min(rowid) from items"
        " group by run_id, department, ifnull(column_url, ''), url)"
    )
    db.execute("create unique index items_once on items (run_id, department, ifnull(column_url, ''), url)")
    db.execute("delete from links where rowid not in (select min(rowid) from links group by run_id, source_url, url)")
    db.execute("create unique index links_once on links (run_id, source_url, url)")


@migrations()
def m005_scores(db: sqlite_utils.Database) -> None:
    """Each department's inspection score and vetoes, per run."""
    db["scores"].create({"run_id": int, "department": str, "score": float, "veto": str, "passed": int})
    db["scores"].create_index(["run_id"])


@migrations()
def m006_notifications(db: sqlite_utils.Database) -> None:
    """Notices sent (or written, in a dry run): to whom, when, which message."""
    db["notifications"].create(
        {"run_id": int, "department": str, "to": str, "subject": str, "message_id": str, "mode": str, "at": str}
    )
    db["notifications"].create_index(["run_id", "department"])


@migrations()
def m007_reading_views(db: sqlite_utils.Database) -> None:
    """Labels and views shaped for reading (the dashboard): one row per problem with names, not ids."""
    db["labels"].create({"kind": str, "key": str, "label": str}, pk=("kind", "key"))
    db.execute(
        """create view department_names as
           select r.id as run_id, json_extract(d.value, '$.id') as department,
                  json_extract(d.value, '$.name') as name, json_extract(d.value, '$.site') as site
           from runs r, json_each(r.config, '$.departments') d"""
    )
    db.execute(
        """create view problem_list as
           select p.run_id, r.as_of, p.department, n.name as department_name,
                  coalesce(lt.label, p.type) as problem, coalesce(ls.label, p.state) as state,
                  p.column, coalesce(lc.label, p.category) as category, p.column_url, p.url, p.source_url,
                  p.anchor_text, p.status, p.last_updated, p.age_days, p.threshold_days, p.detail, p.first_seen,
                  p.type, p.state as state_key
           from problems p join runs r on r.id = p.run_id
           left join department_names n on n.run_id = p.run_id and n.department = p.department
           left join labels lt on lt.kind = 'type' and lt.key = p.type
           left join labels ls on ls.kind = 'state' and ls.key = p.state
           left join labels lc on lc.kind = 'category' and lc.key = p.category"""
    )
    db.execute(
        """create view ranking as
           select s.run_id, r.as_of, s.department, n.name as department_name, n.site, s.score,
                  case when s.passed then '合格' else '不合格' end as result,
                  (select group_concat(coalesce(l.label, j.value), '、') from json_each(s.veto) j
                   left join labels l on l.kind in ('type', 'veto') and l.key = j.value) as veto,
                  (select count(*) from problems p where p.run_id = s.run_id and p.department = s.department
                   and p.state != 'resolved') as problems
           from scores s join runs r on r.id = s.run_id
           left join department_names n on n.run_id = s.run_id and n.department = s.department"""
    )


@migrations()
def m008_incremental_crawls(db: sqlite_utils.Database) -> None:
    """What a later run needs to skip unchanged pages and recently checked links.

    ``memos`` keeps, per page URL, its validators (ETag, Last-Modified), a hash of
    its body and what reading it produced: the rows and the requests it led to.
    One row per URL, the newest; a later run that finds the page unchanged (304,
    or the same body) replays the memo instead of parsing the page again.
    """
    db["memos"].create(
        {"url": str, "run_id": int, "department": str, "etag": str, "last_modified": str, "content_hash": str,
         "rows": str, "wants": str},
        pk="url",
    )  # fmt: skip
    db["pages"].add_column("etag", str)
    db["pages"].add_column("last_modified", str)
    db["runs"].add_column("bytes", int)
    db["checks"].create_index(["url", "run_id"])


@migrations()
def m009_shared_crawls(db: sqlite_utils.Database) -> None:
    """A run's pages shared out over several spiders.

    ``handoffs`` holds the pages one spider found for another to crawl. A note
    now has the key it is made once per department for (``url`` may differ
    between the spiders that make it): the unique index keeps the first.
    """
    db["handoffs"].create(
        {"run_id": int, "key": str, "worker": int, "department": str, "url": str, "meta": str}, pk=("run_id", "key")
    )
    db["notes"].add_column("key", str)
    db["notes"].create_index(["run_id", "department", "kind", "key"], unique=True)


@migrations()
def m010_unassessed_sites(db: sqlite_utils.Database) -> None:
    """A site gongkai could not inspect is 无法评估 (``scores.unassessed`` says why), never 合格."""
    db["scores"].add_column("unassessed", str)
    db.execute("drop view ranking")
    db.execute(
        """create view ranking as
           select s.run_id, r.as_of, s.department, n.name as department_name, n.site, s.score,
                  case when s.passed then '合格' when s.passed is null then '无法评估' else '不合格' end as result,
                  (select group_concat(coalesce(l.label, j.value), '、') from json_each(s.veto) j
                   left join labels l on l.kind in ('type', 'veto') and l.key = j.value) as veto,
                  (select count(*) from problems p where p.run_id = s.run_id and p.department = s.department
                   and p.state != 'resolved') as problems,
                  s.unassessed
           from scores s join runs r on r.id = s.run_id
           left join department_names n on n.run_id = s.run_id and n.department = s.department"""
    )


@migrations()
def m011_memo_format(db: sqlite_utils.Database) -> None:
    """The shape of each memo (``crawler.items.MEMO_FORMAT``): memos of an older gongkai are never replayed."""
    db["memos"].add_column("format", str)


@migrations()
def m012_stale_column_evidence(db: sqlite_utils.Database) -> None:
    """A stale column's newest item (title, link) and where its date was read: the evidence a department needs."""
    for column in ("item_title", "item_url", "date_source"):
        db["problems"].add_column(column, str)


def _evidence_view(db: sqlite_utils.Database, more: tuple[str, ...]) -> None:
    """(Re)create ``problem_list`` with what an explanation is made from, and ``more`` problem columns."""
    extra = "".join(f", p.{column}" for column in more)
    db.execute("drop view if exists problem_list")
    db.execute(
        f"""create view problem_list as
           select p.run_id, r.as_of, p.department, n.name as department_name,
                  coalesce(lt.label, p.type) as problem, coalesce(ls.label, p.state) as state,
                  p.column, coalesce(lc.label, p.category) as category, p.column_url, p.url, p.source_url,
                  p.anchor_text, p.status, p.last_updated, p.age_days, p.threshold_days, p.detail, p.first_seen,
                  p.type, p.state as state_key, p.category as category_key, p.attempts, p.on_homepage,
                  p.source_count, p.item_title, p.item_url, p.date_source{extra}
           from problems p join runs r on r.id = p.run_id
           left join department_names n on n.run_id = p.run_id and n.department = p.department
           left join labels lt on lt.kind = 'type' and lt.key = p.type
           left join labels ls on ls.kind = 'state' and ls.key = p.state
           left join labels lc on lc.kind = 'category' and lc.key = p.category"""
    )


@migrations()
def m013_problem_list_evidence(db: sqlite_utils.Database) -> None:
    """The reading view carries what a problem's explanation is made from: attempts, the date's source, the item."""
    _evidence_view(db, ())


@migrations()
def m014_link_places(db: sqlite_utils.Database) -> None:
    """Where on its page a link sits (region and number), and for a broken link the place it is shown at."""
    db["links"].add_column("place", str)
    db["problems"].add_column("source_place", str)
    _evidence_view(db, ("source_place",))


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
                    "started_at": self.now(), "as_of": as_of, "status": "running",
                    "config_path": config_path, "config": json.dumps(config, ensure_ascii=False),
                    "departments": json.dumps(departments), "pid": os.getpid(),
                }
            )  # fmt: skip
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
        """A department's list items, each with the date its own page gave (``page_raw``, ``page_source``)."""
        return self.db.query(
            """select i.column_url, i.title, i.url, i.date_raw, i.date_source, d.date_raw as page_raw,
                      d.date_source as page_source
               from items i left join details d on d.run_id = i.run_id and d.url = i.url
               where i.run_id = ? and i.department = ?""",
            [run_id, department],
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
    ) -> None:
        """Replace a run's problems, warnings, column states and scores in one transaction."""
        tables = (("problems", problems), ("warnings", warnings), ("column_states", column_states), ("scores", scores))
        with self.db.atomic():
            for table, rows in tables:
                self.db.execute(f"delete from [{table}] where run_id = ?", [run_id])
                if rows:
                    self.db[table].insert_all([{"run_id": run_id, **row} for row in rows], batch_size=500)
            self.db["runs"].update(run_id, {"evaluated_at": self.now(), "as_of": as_of})
            self.db["labels"].insert_all(labels, replace=True)
