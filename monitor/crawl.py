"""One inspection run: crawl the departments, evaluate the rules, store the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crawler.shares import checker_concurrency
from monitor.config import Config, ConfigError
from monitor.lock import StoreLock
from monitor.store import Store
from monitor.tables import load_tables

NO_REQUEST = 3  # the crawl's status when its spiders made no request at all


class CrawlError(Exception):
    """The crawl did not produce a usable run (it is stored as failed)."""


@dataclass
class RunResult:
    """What a finished run did."""

    run_id: int
    requests: int


def select_departments(config: Config, only: tuple[str, ...] | list[str]) -> list[str]:
    """The department ids a run covers; an unknown ``--only`` id is a config error."""
    ids = [d.id for d in config.departments]
    unknown = [i for i in only if i not in ids]
    if unknown:
        raise ConfigError([f"--only: no department with id {', '.join(map(repr, unknown))} (known: {', '.join(ids)})"])
    return [i for i in ids if not only or i in only]


def write_plan(
    store: Store,
    run_id: int,
    config: Config,
    dept_ids: list[str],
    tables_dir: Path,
    log_level: str,
    request_log: Path | None = None,
    resume: bool = False,
) -> Path:
    """Write the crawl plan the spider reads: what to crawl and how."""
    rules = load_tables(tables_dir).rules
    concurrency = config.crawl.concurrency_per_site
    plan = {
        "run_id": run_id,
        "db": str(store.path.resolve()),
        "tables_dir": str(tables_dir.resolve()),
        "crawl": config.crawl.model_dump(mode="json"),
        # The page spiders share what the link checker leaves of the concurrency, at least one request each.
        "page_workers": min(config.crawl.page_workers, max(1, concurrency - checker_concurrency(concurrency))),
        "link_check": rules["link_check"],
        "log_level": log_level,
        "request_log": str(request_log) if request_log else None,
        "resume": resume,
        # The page spiders' queues of pages to crawl, on disk during the run, and their idle marks.
        "queue_dir": str(store.path.parent.resolve() / f"run-{run_id}.queue"),
        "departments": [
            config.department(i).model_dump(  # type: ignore[union-attr]
                mode="json", include={"id", "site", "disclosure", "columns", "obey_robots"}
            )
            for i in dept_ids
        ],
    }
    path = store.path.parent / f"run-{run_id}.plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _crawl(plan_path: Path, env: dict[str, str], stop: threading.Event | None) -> tuple[int, dict[str, int]]:
    """Run the page spiders and the link checker side by side: the exit status and the summed counters.

    The link checker learns that the page spiders are done (and so no more
    links will be handed over) when its standard input reaches its end. The
    status is the first failure's, else NO_REQUEST when the spiders made no
    request at all.
    """
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    # Resuming is done from the store's frontier: queues left by a killed crawl go.
    queue = Path(plan["queue_dir"])
    shutil.rmtree(queue, ignore_errors=True)
    done_reading, done_writing = os.pipe()
    checker = subprocess.Popen(
        [sys.executable, "-m", "crawler.checker", str(plan_path)],
        stdin=done_reading, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    os.close(done_reading)
    try:
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "crawler.run", str(plan_path), str(worker)],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for worker in range(plan.get("page_workers", 1))
        ]
        outputs = [_wait(proc, stop) for proc in workers]
    finally:
        os.close(done_writing)
    outputs.append(_wait(checker, stop))
    shutil.rmtree(queue, ignore_errors=True)
    stats = [json.loads(out.strip().splitlines()[-1]) if out.strip() else {} for out in outputs]
    counters = {key: sum(s.get(key, 0) for s in stats) for key in ("requests", "responses", "bytes")}
    failed = [proc.returncode for proc in [*workers, checker] if proc.returncode != 0]
    if failed:
        return failed[0], counters
    return (NO_REQUEST if counters["requests"] == 0 else 0), counters


def _wait(proc: subprocess.Popen[str], stop: threading.Event | None) -> str:
    """Wait for the crawler; on ``stop``, ask it to finish (SIGTERM: Scrapy closes cleanly)."""
    while True:
        try:
            return proc.communicate(timeout=0.5)[0]
        except subprocess.TimeoutExpired:
            if stop is not None and stop.is_set() and proc.returncode is None:
                proc.terminate()


def run_crawl(
    config: Config,
    config_path: Path,
    db_path: Path,
    only: tuple[str, ...] | list[str] = (),
    as_of: date | None = None,
    log_level: str = "WARNING",
    request_log: Path | None = None,
    offline: bool = False,
    resume: int | None = None,
    stop: threading.Event | None = None,
) -> RunResult:
    """Crawl, evaluate and store one run. Earlier runs are never touched.

    ``offline`` refuses every request that would leave this machine (loopback and
    ``.invalid`` names only); ``request_log`` writes every request made to a file.
    ``resume`` continues an interrupted run (0: the newest) instead of starting one. When ``stop``
    is set the crawl is ended and the run left ``incomplete`` (resumable), never
    ``complete``. Raises StoreLockedError while another run holds the store.
    """
    tables_dir = config_path.parent
    with StoreLock(db_path):
        store = Store(db_path, config.timezone)
        try:
            store.mark_interrupted()
            if resume is None:
                dept_ids = select_departments(config, only)
                as_of = as_of or config.today()
                run_id = store.create_run(as_of.isoformat(), str(config_path), config.model_dump(mode="json"), dept_ids)
            else:
                resume = resume or latest_interrupted(store)  # 0: the newest interrupted run
                if resume is None:
                    raise CrawlError("there is no interrupted run to resume")
                run_id, dept_ids, as_of = _reopen(store, resume)
            plan_path = write_plan(
                store, run_id, config, dept_ids, tables_dir, log_level, request_log, resume is not None
            )
            env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
            if offline:
                env["GONGKAI_OFFLINE"] = "1"
            returncode, stats = _crawl(plan_path, env, stop)
            if stop is not None and stop.is_set():
                store.finish_run(
                    run_id, "incomplete", error="stopped before it finished; `gongkai crawl --resume` continues it"
                )
                raise CrawlError(f"run {run_id} stopped before it finished")
            if returncode != 0:
                no_request = returncode == NO_REQUEST
                reason = "the crawl made no request" if no_request else f"the crawler exited with status {returncode}"
                store.finish_run(run_id, "failed", error=reason, requests=stats.get("requests", 0))
                raise CrawlError(f"run {run_id}: {reason}")
            # The rules (and dateparser) are loaded once the crawl processes have ended,
            # so this waiting process stays small while they run.
            from monitor.evaluate import evaluate_run

            try:
                evaluate_run(store, run_id, config, as_of, tables_dir)
            except Exception as exc:
                store.finish_run(run_id, "failed", error=f"evaluation failed: {exc!r}")
                raise
            pages = store.db.execute(
                "select count(*) from pages where run_id = ? and status is not null", [run_id]
            ).fetchone()[0]
            store.finish_run(
                run_id, "complete", requests=stats.get("requests", 0), pages=pages, bytes=stats.get("bytes", 0)
            )
            plan_path.unlink(missing_ok=True)
            return RunResult(run_id, stats.get("requests", 0))
        finally:
            store.close()


def _reopen(store: Store, run_id: int) -> tuple[int, list[str], date]:
    """Take up an interrupted run again: its departments and inspection day stay its own."""
    run = store.run(run_id)
    if run is None or run["status"] not in ("incomplete", "failed"):
        state = run["status"] if run else "missing"
        raise CrawlError(f"run {run_id} cannot be resumed (it is {state}); only an interrupted run can")
    store.db["runs"].update(run_id, {"status": "running", "error": None, "pid": os.getpid()})
    return run_id, json.loads(run["departments"]), date.fromisoformat(run["as_of"])


def latest_interrupted(store: Store) -> int | None:
    """The newest run that was interrupted (after marking dead ``running`` runs)."""
    row = store.db.execute("select max(id) from runs where status = 'incomplete'").fetchone()
    return row[0]
