"""One inspection run: crawl the departments, evaluate the rules, store the run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from common.browser import chromium
from common.plan import STORE_WRITE_FAILED, PlanDepartment, RunPlan, machine_page_workers
from common.shared_run import SHARED_RUN_LOST, SharedRunLostError, new_key, where
from common.table_models import LinkCheck
from common.tables import load_tables
from common.transport.pacing import checker_concurrency
from common.wording import say
from monitor.config import Config, ConfigError
from monitor.coordinator import Coordinator
from monitor.lock import StoreLock
from monitor.processes import Halt, start_process, wait_process
from monitor.store import Store

NO_REQUEST = 3  # the crawl's status when its spiders made no request at all
RESUME_HINT = "`gongkai crawl --resume` continues it"


class CrawlError(Exception):
    """The crawl did not produce a usable run (it is stored as failed)."""


@dataclass
class RunResult:
    """What a finished run did."""

    run_id: int
    requests: int
    handed_out_again: int = 0  # a shared run's requests whose worker stopped answering, made by another


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
    shared: str | None = None,
    offline: bool = False,
) -> Path:
    """Write the crawl plan the spider reads: what to crawl and how (``shared``: the run's key in Redis)."""
    concurrency = config.crawl.concurrency_per_site
    keys: dict[str, Any] = dict.fromkeys(("id", "site", "disclosure", "obey_robots", "intranet"), True)
    keys["columns"] = {"__all__": {"name", "url"}}
    plan = RunPlan(
        run_id=run_id,
        db=str(store.path.resolve()),
        tables_dir=str(tables_dir.resolve()),
        crawl=config.crawl.model_copy(update={"redis": None}),  # its password stays out of the plan's file
        # The page spiders share what the link checker leaves of the concurrency, at least one request each.
        page_workers=min(
            config.crawl.page_workers or machine_page_workers(), max(1, concurrency - checker_concurrency(concurrency))
        ),
        link_check=LinkCheck.model_validate(load_tables(tables_dir).rules["link_check"]),
        log_level=log_level,
        request_log=str(request_log) if request_log else None,
        resume=resume,
        # The page spiders' queues of pages to crawl, on disk during the run, and their idle marks.
        queue_dir=str(store.path.parent.resolve() / f"run-{run_id}.queue"),
        chromium=chromium() if config.crawl.render else None,
        shared=shared,
        host=socket.gethostname(),
        offline=offline,
        departments=[
            PlanDepartment.model_validate(config.department(i).model_dump(include=keys))  # type: ignore[union-attr]
            for i in dept_ids
        ],
    )
    return plan.write(store.path.parent / f"run-{run_id}.plan.json")


def _crawl(
    plan_path: Path,
    env: dict[str, str],
    stop: threading.Event | None,
    lock_fd: int | None = None,
    coordinator: Coordinator | None = None,
) -> tuple[int, dict[str, int]]:
    """Run the page spiders and the link checker side by side: the exit status and the summed counters.

    The link checker learns that the page spiders are done (and so no more
    links will be handed over) when its standard input reaches its end. The
    status is the first failure's, else NO_REQUEST when the spiders made no
    request at all. On ``stop`` every crawl process is asked to finish, and
    killed if it has not within STOP_GRACE_SECONDS; this returns only once
    every one of them has ended. In a shared run the ``coordinator`` serves
    the workers meanwhile; the first page spider alone makes the run's first
    requests, and all of them end when the coordinator says the run is done.
    """
    plan = RunPlan.read(plan_path)
    # Resuming is done from the store's frontier: queues left by a killed crawl go.
    queue = Path(plan.queue_dir)
    shutil.rmtree(queue, ignore_errors=True)
    done_reading, done_writing = os.pipe()
    checker = start_process(["-m", "crawler.checker", str(plan_path)], env, lock_fd, stdin=done_reading)
    os.close(done_reading)
    workers: list[subprocess.Popen[str]] = []
    watched = [checker]
    # A shared run's crawl also stops when Redis or the store fails; any run's when one of its processes fails.
    halt = Halt(watched, stop, coordinator)
    try:
        # One by one: those started before a failure to start are in the list, and waited for below.
        for worker in range(plan.page_workers):
            joining = ["--no-seed"] if coordinator is not None and worker > 0 else []
            workers.append(start_process(["-m", "crawler.run", str(plan_path), str(worker), *joining], env, lock_fd))
            watched.append(workers[-1])
        if coordinator is not None:
            coordinator.start()
        outputs = [wait_process(proc, halt) for proc in workers]
    except BaseException:
        for proc in [*workers, checker]:  # none may outlive the monitor's wait, nor keep the lock
            if proc.returncode is None:
                wait_process(proc, halt, hurry=True)
        if coordinator is not None:
            coordinator.stop()
        raise
    finally:
        os.close(done_writing)
    outputs.append(wait_process(checker, halt))
    if coordinator is not None:
        coordinator.stop()
    shutil.rmtree(queue, ignore_errors=True)
    stats = [json.loads(out.strip().splitlines()[-1]) if out.strip() else {} for out in outputs]
    counters = {key: sum(s.get(key, 0) for s in stats) for key in ("requests", "responses", "bytes")}
    failed = [proc.returncode for proc in [*workers, checker] if proc.returncode != 0]
    if failed:  # the others were stopped because of it: a full disk is what to say
        return next((code for code in (STORE_WRITE_FAILED, SHARED_RUN_LOST) if code in failed), failed[0]), counters
    return (NO_REQUEST if counters["requests"] == 0 else 0), counters


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
    redis: str | None = None,
) -> RunResult:
    """Crawl, evaluate and store one run. Earlier runs are never touched.

    ``offline`` refuses every request that would leave this machine (loopback and
    ``.invalid`` names only); ``request_log`` writes every request made to a file.
    ``resume`` continues an interrupted run (0: the newest) instead of starting one. When ``stop``
    is set the crawl is ended and the run left ``incomplete`` (resumable), never
    ``complete``. ``redis`` (or the config's ``crawl.redis``) shares the run out
    through that Redis to ``gongkai worker`` processes (``monitor.coordinator``).
    Raises StoreLockedError while another run holds the store.
    """
    tables_dir = config_path.parent
    redis = redis or config.crawl.redis
    with StoreLock(db_path) as lock:
        store = Store(db_path, config.timezone)
        try:
            store.mark_interrupted()
            if resume is None:
                dept_ids = select_departments(config, only)
                as_of = as_of or config.today()
                kept = config.model_dump(mode="json")
                if kept["crawl"].get("redis"):  # the run keeps which Redis, never its password
                    kept["crawl"]["redis"] = where(kept["crawl"]["redis"])
                run_id = store.create_run(as_of.isoformat(), str(config_path), kept, dept_ids)
            else:
                resume = resume or store.latest_interrupted_run_id()  # 0: the newest interrupted run
                if resume is None:
                    raise CrawlError("there is no interrupted or failed run to resume")
                run_id, dept_ids, as_of = _reopen(store, resume)
            shared = new_key() if redis else None
            plan_path = write_plan(
                store, run_id, config, dept_ids, tables_dir, log_level, request_log, resume is not None, shared, offline
            )
            env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
            if offline:
                env["GONGKAI_OFFLINE"] = "1"
            coordinator = None
            if redis and shared:
                env["GONGKAI_REDIS"] = redis
                try:
                    coordinator = Coordinator.open(redis, shared, plan_path, tables_dir, store.path, stop)
                except SharedRunLostError as exc:
                    raise _redis_lost(store, run_id, redis, str(exc)) from None
            try:
                returncode, stats = _crawl(plan_path, env, stop, lock.fd, coordinator)
            finally:  # the workers stop with the run, however it ends
                if coordinator is not None:
                    coordinator.close(stopped=bool(stop and stop.is_set()))
            if coordinator is not None:
                if coordinator.lost is not None or returncode == SHARED_RUN_LOST:
                    raise _redis_lost(store, run_id, redis, coordinator.lost or say("shared_process_lost"))
                if coordinator.store_failed is not None:
                    returncode = STORE_WRITE_FAILED
                if coordinator.failed is not None:
                    reason = say("coordinator_failed", error=repr(coordinator.failed))
                    store.finish_run(run_id, "failed", error=reason)
                    raise CrawlError(f"run {run_id}: {reason}")
            if stop is not None and stop.is_set():
                store.finish_run(run_id, "incomplete", error=f"stopped before it finished; {RESUME_HINT}")
                raise CrawlError(f"run {run_id} stopped before it finished; {RESUME_HINT}")
            if returncode == STORE_WRITE_FAILED:
                raise CrawlError(
                    f"run {run_id}: the crawl could not write to {db_path} (is the disk full?);"
                    f" free some space, then {RESUME_HINT}"
                )
            if returncode == NO_REQUEST and resume is not None:
                returncode = 0  # everything was answered before the interruption; store.unanswered() below makes sure
            if returncode != 0:
                no_request = returncode == NO_REQUEST
                reason = "the crawl made no request" if no_request else f"the crawler exited with status {returncode}"
                store.finish_run(run_id, "failed", error=reason, requests=stats.get("requests", 0))
                raise CrawlError(f"run {run_id}: {reason}")
            if missing := store.unanswered(run_id):
                reason = f"{missing} pages and links asked for were never answered; {RESUME_HINT}"
                store.finish_run(run_id, "incomplete", error=reason, requests=stats.get("requests", 0))
                raise CrawlError(f"run {run_id}: {reason}")
            if reason := _too_many_internal_errors(store, run_id, tables_dir):
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
            pages = sum(store.pages_read(run_id).values())
            store.finish_run(
                run_id, "complete", requests=stats.get("requests", 0), pages=pages, bytes=stats.get("bytes", 0)
            )
            plan_path.unlink(missing_ok=True)
            return RunResult(run_id, stats.get("requests", 0), coordinator.handed_out_again if coordinator else 0)
        finally:
            store.close()


def _redis_lost(store: Store, run_id: int, redis: str, error: str) -> CrawlError:
    """Leave the run resumable when its Redis is gone, and say so."""
    reason = say("redis_lost", server=where(redis), error=error, hint=say("resume_hint"))
    store.finish_run(run_id, "incomplete", error=reason)
    return CrawlError(f"run {run_id}: {reason}")


def _too_many_internal_errors(store: Store, run_id: int, tables_dir: Path) -> str | None:
    """Why the run fails for gongkai's own errors: more pages and links it failed to read than the rules allow."""
    share = float(load_tables(tables_dir).rules["internal_error_share"])
    errors, answers = store.internal_errors(run_id)
    if errors and errors > share * answers:
        return f"gongkai failed to read {errors} of {answers} pages and links (internal errors; see the warnings)"
    return None


def _reopen(store: Store, run_id: int) -> tuple[int, list[str], date]:
    """Take up an interrupted run again: its departments and inspection day stay its own."""
    run = store.run(run_id)
    if run is None or run["status"] not in ("incomplete", "failed"):
        state = run["status"] if run else "missing"
        raise CrawlError(f"run {run_id} cannot be resumed (it is {state}); only an interrupted or failed run can")
    store.reopen_run(run_id, os.getpid())
    return run_id, json.loads(run["departments"]), date.fromisoformat(run["as_of"])
