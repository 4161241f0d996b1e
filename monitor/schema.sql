-- The store's schema after every migration in monitor/store.py, for reading. A test checks
-- that a new store has exactly this schema; after adding a migration, write the file again:
--   python -c "import pathlib, tempfile; from monitor.store import Store; print(Store(pathlib.Path(tempfile.mkdtemp()) / 'g.db').schema(), end='')" >> monitor/schema.sql
-- (below this header).
-- table _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);

-- table checks
CREATE TABLE "checks" (
   "run_id" INTEGER,
   "url" TEXT,
   "status" INTEGER,
   "error" TEXT,
   "outcome" TEXT,
   "attempts" INTEGER,
   "final_url" TEXT,
   "detail" TEXT,
   PRIMARY KEY ("run_id", "url")
);

-- table column_states
CREATE TABLE "column_states" (
   "run_id" INTEGER,
   "department" TEXT,
   "name" TEXT,
   "url" TEXT,
   "category" TEXT,
   "items" INTEGER,
   "last_updated" TEXT,
   "state" TEXT
, "date_source" TEXT);

-- table columns
CREATE TABLE "columns" (
   "run_id" INTEGER,
   "department" TEXT,
   "url" TEXT,
   "name" TEXT,
   "source" TEXT,
   "reading" TEXT,
   "detail" TEXT,
   PRIMARY KEY ("run_id", "department", "url")
);

-- table details
CREATE TABLE "details" (
   "run_id" INTEGER,
   "department" TEXT,
   "url" TEXT,
   "date_raw" TEXT,
   "date_source" TEXT, "written_raw" TEXT, "fingerprint" TEXT,
   PRIMARY KEY ("run_id", "url")
);

-- table frontier
CREATE TABLE "frontier" (
   "run_id" INTEGER,
   "key" TEXT,
   "department" TEXT,
   "url" TEXT,
   "method" TEXT,
   "meta" TEXT,
   PRIMARY KEY ("run_id", "key")
);

-- table handoffs
CREATE TABLE "handoffs" (
   "run_id" INTEGER,
   "key" TEXT,
   "worker" INTEGER,
   "department" TEXT,
   "url" TEXT,
   "meta" TEXT,
   PRIMARY KEY ("run_id", "key")
);

-- table items
CREATE TABLE "items" (
   "run_id" INTEGER,
   "department" TEXT,
   "column_url" TEXT,
   "url" TEXT,
   "title" TEXT,
   "date_raw" TEXT,
   "date_source" TEXT,
   "on_homepage" INTEGER
);

-- table labels
CREATE TABLE "labels" (
   "kind" TEXT,
   "key" TEXT,
   "label" TEXT,
   PRIMARY KEY ("kind", "key")
);

-- table links
CREATE TABLE "links" (
   "run_id" INTEGER,
   "department" TEXT,
   "source_url" TEXT,
   "url" TEXT,
   "anchor_text" TEXT,
   "on_homepage" INTEGER
, "place" TEXT);

-- table memos
CREATE TABLE "memos" (
   "url" TEXT PRIMARY KEY,
   "run_id" INTEGER,
   "department" TEXT,
   "etag" TEXT,
   "last_modified" TEXT,
   "content_hash" TEXT,
   "rows" TEXT,
   "wants" TEXT
, "format" TEXT);

-- table messages
CREATE TABLE "messages" (
   "run_id" INTEGER,
   "department" TEXT,
   "column_url" TEXT,
   "url" TEXT,
   "title" TEXT,
   "asked_raw" TEXT,
   "answered" INTEGER,
   "replied_raw" TEXT,
   "source" TEXT,
   PRIMARY KEY ("run_id", "url", "source")
);

-- table notes
CREATE TABLE "notes" (
   "run_id" INTEGER,
   "department" TEXT,
   "kind" TEXT,
   "url" TEXT,
   "detail" TEXT
, "key" TEXT);

-- table notifications
CREATE TABLE "notifications" (
   "run_id" INTEGER,
   "department" TEXT,
   "to" TEXT,
   "subject" TEXT,
   "message_id" TEXT,
   "mode" TEXT,
   "at" TEXT
);

-- table pages
CREATE TABLE "pages" (
   "run_id" INTEGER,
   "department" TEXT,
   "url" TEXT,
   "role" TEXT,
   "status" INTEGER,
   "title" TEXT,
   "content_type" TEXT,
   "bytes" INTEGER,
   "reading" TEXT, "etag" TEXT, "last_modified" TEXT,
   PRIMARY KEY ("run_id", "url")
);

-- table probes
CREATE TABLE "probes" (
   "id" INTEGER PRIMARY KEY,
   "department" TEXT,
   "url" TEXT,
   "at" TEXT,
   "ok" INTEGER,
   "status" INTEGER,
   "seconds" REAL,
   "error" TEXT
);

-- table problems
CREATE TABLE "problems" (
   "run_id" INTEGER,
   "department" TEXT,
   "type" TEXT,
   "key" TEXT,
   "column" TEXT,
   "column_url" TEXT,
   "category" TEXT,
   "last_updated" TEXT,
   "age_days" INTEGER,
   "threshold_days" INTEGER,
   "url" TEXT,
   "source_url" TEXT,
   "anchor_text" TEXT,
   "status" TEXT,
   "on_homepage" INTEGER,
   "source_count" INTEGER,
   "detail" TEXT,
   "first_seen" TEXT,
   "state" TEXT
, "attempts" INTEGER, "item_title" TEXT, "item_url" TEXT, "date_source" TEXT, "source_place" TEXT, "review" TEXT, "term" TEXT, "suggestion" TEXT);

-- table register
CREATE TABLE "register" (
   "department" TEXT,
   "url" TEXT,
   "column_url" TEXT,
   "column" TEXT,
   "category" TEXT,
   "title" TEXT,
   "date_raw" TEXT,
   "date" TEXT,
   "date_source" TEXT,
   "first_date" TEXT,
   "list_date" TEXT,
   "url_date" TEXT,
   "page_date" TEXT,
   "written_date" TEXT,
   "fingerprint" TEXT,
   "first_seen" TEXT,
   "first_run" INTEGER,
   "last_seen" TEXT,
   "last_run" INTEGER,
   "withdrawn_run" INTEGER,
   "withdrawn_seen" TEXT,
   PRIMARY KEY ("department", "url")
);

-- table review_log
CREATE TABLE "review_log" (
   "id" INTEGER PRIMARY KEY,
   "at" TEXT,
   "by" TEXT,
   "source" TEXT,
   "department" TEXT,
   "key" TEXT,
   "decision" TEXT,
   "reason" TEXT,
   "reply" TEXT,
   "reply_date" TEXT
);

-- table reviews
CREATE TABLE "reviews" (
   "department" TEXT,
   "key" TEXT,
   "decision" TEXT,
   "reason" TEXT,
   "evidence" TEXT,
   "reply" TEXT,
   "reply_date" TEXT,
   "decided_by" TEXT,
   "decided_at" TEXT,
   PRIMARY KEY ("department", "key")
);

-- table runs
CREATE TABLE "runs" (
   "id" INTEGER PRIMARY KEY,
   "started_at" TEXT,
   "finished_at" TEXT,
   "as_of" TEXT,
   "status" TEXT,
   "config_path" TEXT,
   "config" TEXT,
   "departments" TEXT,
   "pid" INTEGER,
   "requests" INTEGER,
   "pages" INTEGER,
   "evaluated_at" TEXT,
   "error" TEXT
, "bytes" INTEGER);

-- table scores
CREATE TABLE "scores" (
   "run_id" INTEGER,
   "department" TEXT,
   "score" REAL,
   "veto" TEXT,
   "passed" INTEGER
, "unassessed" TEXT);

-- table set_aside
CREATE TABLE "set_aside" (
   "run_id" INTEGER,
   "department" TEXT,
   "key" TEXT,
   "why" TEXT,
   "finding" TEXT,
   PRIMARY KEY ("run_id", "department", "key")
);

-- table terms_found
CREATE TABLE "terms_found" (
   "run_id" INTEGER,
   "department" TEXT,
   "url" TEXT,
   "kind" TEXT,
   "term" TEXT,
   "suggestion" TEXT,
   "note" TEXT,
   "since" TEXT,
   "serious" INTEGER,
   "sentence" TEXT,
   "place" TEXT,
   PRIMARY KEY ("run_id", "url", "place", "term", "sentence")
);

-- table warnings
CREATE TABLE "warnings" (
   "run_id" INTEGER,
   "department" TEXT,
   "kind" TEXT,
   "url" TEXT,
   "detail" TEXT
);

-- index idx__sqlite_migrations_migration_set_name
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");

-- index idx_checks_url_run_id
CREATE INDEX "idx_checks_url_run_id"
    ON "checks" ("url", "run_id");

-- index idx_column_states_run_id
CREATE INDEX "idx_column_states_run_id"
    ON "column_states" ("run_id");

-- index idx_items_run_id_department_column_url
CREATE INDEX "idx_items_run_id_department_column_url"
    ON "items" ("run_id", "department", "column_url");

-- index idx_links_run_id_department
CREATE INDEX "idx_links_run_id_department"
    ON "links" ("run_id", "department");

-- index idx_links_run_id_url
CREATE INDEX "idx_links_run_id_url"
    ON "links" ("run_id", "url");

-- index idx_messages_run_id_department
CREATE INDEX "idx_messages_run_id_department"
    ON "messages" ("run_id", "department");

-- index idx_notes_run_id
CREATE INDEX "idx_notes_run_id"
    ON "notes" ("run_id");

-- index idx_notes_run_id_department_kind_key
CREATE UNIQUE INDEX "idx_notes_run_id_department_kind_key"
    ON "notes" ("run_id", "department", "kind", "key");

-- index idx_notifications_run_id_department
CREATE INDEX "idx_notifications_run_id_department"
    ON "notifications" ("run_id", "department");

-- index idx_probes_department_at
CREATE INDEX "idx_probes_department_at"
    ON "probes" ("department", "at");

-- index idx_problems_run_id_department
CREATE INDEX "idx_problems_run_id_department"
    ON "problems" ("run_id", "department");

-- index idx_register_date
CREATE INDEX "idx_register_date"
    ON "register" ("date");

-- index idx_register_department_column_url
CREATE INDEX "idx_register_department_column_url"
    ON "register" ("department", "column_url");

-- index idx_scores_run_id
CREATE INDEX "idx_scores_run_id"
    ON "scores" ("run_id");

-- index idx_terms_found_run_id_department
CREATE INDEX "idx_terms_found_run_id_department"
    ON "terms_found" ("run_id", "department");

-- index idx_warnings_run_id
CREATE INDEX "idx_warnings_run_id"
    ON "warnings" ("run_id");

-- index items_once
CREATE UNIQUE INDEX items_once on items (run_id, department, ifnull(column_url, ''), url);

-- index links_once
CREATE UNIQUE INDEX links_once on links (run_id, source_url, url);

-- view department_names
CREATE VIEW department_names as
           select r.id as run_id, json_extract(d.value, '$.id') as department,
                  json_extract(d.value, '$.name') as name, json_extract(d.value, '$.site') as site
           from runs r, json_each(r.config, '$.departments') d;

-- view problem_list
CREATE VIEW problem_list as
           select p.run_id, r.as_of, p.department, n.name as department_name,
                  coalesce(lt.label, p.type) as problem, coalesce(ls.label, p.state) as state,
                  p.column, coalesce(lc.label, p.category) as category, p.column_url, p.url, p.source_url,
                  p.anchor_text, p.status, p.last_updated, p.age_days, p.threshold_days, p.detail, p.first_seen,
                  p.type, p.state as state_key, p.category as category_key, p.attempts, p.on_homepage,
                  p.source_count, p.item_title, p.item_url, p.date_source, p.source_place, p.review, p.key
           from problems p join runs r on r.id = p.run_id
           left join department_names n on n.run_id = p.run_id and n.department = p.department
           left join labels lt on lt.kind = 'type' and lt.key = p.type
           left join labels ls on ls.kind = 'state' and ls.key = p.state
           left join labels lc on lc.kind = 'category' and lc.key = p.category;

-- view ranking
CREATE VIEW ranking as
           select s.run_id, r.as_of, s.department, n.name as department_name, n.site, s.score,
                  case when s.passed then '合格' when s.passed is null then '无法评估' else '不合格' end as result,
                  (select group_concat(coalesce(l.label, j.value), '、') from json_each(s.veto) j
                   left join labels l on l.kind in ('type', 'veto') and l.key = j.value) as veto,
                  (select count(*) from problems p where p.run_id = s.run_id and p.department = s.department
                   and p.state != 'resolved') as problems,
                  s.unassessed
           from scores s join runs r on r.id = s.run_id
           left join department_names n on n.run_id = s.run_id and n.department = s.department;

