"""The store's schema, as the migrations that build it: a store written by any earlier gongkai is brought up to date.

``monitor/schema.sql`` is the schema a new store ends with, kept in step by a
test; read it for the whole picture, and add a migration here for any change.

Long because every change the schema has had is a migration here, in order: a
store of any age runs the ones it has not seen.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("gongkai")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    """Create the first schema."""
    db["runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "as_of": str,
            "status": str,
            "config_path": str,
            "config": str,
            "departments": str,
            "pid": int,
            "requests": int,
            "pages": int,
            "evaluated_at": str,
            "error": str,
        },
        pk="id",
    )
    db["pages"].create(
        {
            "run_id": int,
            "department": str,
            "url": str,
            "role": str,
            "status": int,
            "title": str,
            "content_type": str,
            "bytes": int,
            "reading": str,
        },
        pk=("run_id", "url"),
    )
    db["columns"].create(
        {
            "run_id": int,
            "department": str,
            "url": str,
            "name": str,
            "source": str,
            "reading": str,
            "detail": str,
        },
        pk=("run_id", "department", "url"),
    )
    db["items"].create(
        {
            "run_id": int,
            "department": str,
            "column_url": str,
            "url": str,
            "title": str,
            "date_raw": str,
            "date_source": str,
            "on_homepage": int,
        }
    )
    db["links"].create(
        {
            "run_id": int,
            "department": str,
            "source_url": str,
            "url": str,
            "anchor_text": str,
            "on_homepage": int,
        }
    )
    db["checks"].create(
        {
            "run_id": int,
            "url": str,
            "status": int,
            "error": str,
            "outcome": str,
            "attempts": int,
            "final_url": str,
            "detail": str,
        },
        pk=("run_id", "url"),
    )
    db["notes"].create({"run_id": int, "department": str, "kind": str, "url": str, "detail": str})
    db["problems"].create(
        {
            "run_id": int,
            "department": str,
            "type": str,
            "key": str,
            "column": str,
            "column_url": str,
            "category": str,
            "last_updated": str,
            "age_days": int,
            "threshold_days": int,
            "url": str,
            "source_url": str,
            "anchor_text": str,
            "status": str,
            "on_homepage": int,
            "source_count": int,
            "detail": str,
            "first_seen": str,
            "state": str,
        }
    )
    db["warnings"].create({"run_id": int, "department": str, "kind": str, "url": str, "detail": str})
    db["column_states"].create(
        {
            "run_id": int,
            "department": str,
            "name": str,
            "url": str,
            "category": str,
            "items": int,
            "last_updated": str,
            "state": str,
        }
    )
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
        {
            "url": str,
            "run_id": int,
            "department": str,
            "etag": str,
            "last_modified": str,
            "content_hash": str,
            "rows": str,
            "wants": str,
        },
        pk="url",
    )
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
    """The shape of each memo (``crawler.memos.MEMO_FORMAT``): memos of an older gongkai are never replayed."""
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


@migrations()
def m015_reviews(db: sqlite_utils.Database) -> None:
    """A person's review of each finding (确认, 不予认定, 已整改待复核) and the department's reply, kept across runs.

    ``reviews`` holds the standing decision per finding (department and problem
    key) with the evidence it was made on; ``review_log`` every write, with who
    and when. A problem row carries its finding's decision when the run was judged;
    ``set_aside`` holds the findings a run did not count, and why: dismissed (不予认定),
    or not confirmed yet where the office sends out confirmed findings only.
    """
    db["reviews"].create(
        {
            "department": str,
            "key": str,
            "decision": str,
            "reason": str,
            "evidence": str,
            "reply": str,
            "reply_date": str,
            "decided_by": str,
            "decided_at": str,
        },
        pk=("department", "key"),
    )
    db["review_log"].create(
        {
            "id": int,
            "at": str,
            "by": str,
            "source": str,
            "department": str,
            "key": str,
            "decision": str,
            "reason": str,
            "reply": str,
            "reply_date": str,
        },
        pk="id",
    )
    db["set_aside"].create(
        {"run_id": int, "department": str, "key": str, "why": str, "finding": str}, pk=("run_id", "department", "key")
    )
    db["problems"].add_column("review", str)
    _evidence_view(db, ("source_place", "review", "key"))


@migrations()
def m016_item_register(db: sqlite_utils.Database) -> None:
    """Every item gongkai has read, once, across runs (the register ``gongkai stats`` counts from).

    An article page's ``details`` row also keeps its 成文日期 and the fingerprint of
    its body. A ``register`` row is one item of a department (by URL): the column
    and category it was listed under, its dates as shown and as seen elsewhere (URL
    or file name, its own page, 成文日期), the date it was first shown with, when
    gongkai first and last saw it, and the run that found it gone (撤稿).
    """
    db["details"].add_column("written_raw", str)
    db["details"].add_column("fingerprint", str)
    db["register"].create(
        {
            "department": str,
            "url": str,
            "column_url": str,
            "column": str,
            "category": str,
            "title": str,
            "date_raw": str,
            "date": str,
            "date_source": str,
            "first_date": str,
            "list_date": str,
            "url_date": str,
            "page_date": str,
            "written_date": str,
            "fingerprint": str,
            "first_seen": str,
            "first_run": int,
            "last_seen": str,
            "last_run": int,
            "withdrawn_run": int,
            "withdrawn_seen": str,
        },
        pk=("department", "url"),
    )
    db["register"].create_index(["date"])
    db["register"].create_index(["department", "column_url"])


@migrations()
def m017_wording_and_messages(db: sqlite_utils.Database) -> None:
    """What an article says that the term tables name (疑似表述错误), and each 政务咨询 message with its answer.

    ``terms_found`` holds a crawl's findings in articles, each with its sentence;
    ``messages`` each message as its column's list or its own page showed it. A
    problem of a term carries the term and its right form.
    """
    db["terms_found"].create(
        {
            "run_id": int,
            "department": str,
            "url": str,
            "kind": str,
            "term": str,
            "suggestion": str,
            "note": str,
            "since": str,
            "serious": int,
            "sentence": str,
            "place": str,
        },
        pk=("run_id", "url", "place", "term", "sentence"),
    )
    db["messages"].create(
        {
            "run_id": int,
            "department": str,
            "column_url": str,
            "url": str,
            "title": str,
            "asked_raw": str,
            "answered": int,
            "replied_raw": str,
            "source": str,
        },
        pk=("run_id", "url", "source"),
    )
    db["terms_found"].create_index(["run_id", "department"])
    db["messages"].create_index(["run_id", "department"])
    for column in ("term", "suggestion"):
        db["problems"].add_column(column, str)
