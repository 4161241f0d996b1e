"""One inspection run: crawl the departments, evaluate the rules, store the run."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from common.browser import chromium
from common.plan import STORE_WRITE_FAILED, PlanDepartment, RunPlan
from common.table_models import LinkCheck
from common.tables import load_tables
from common.transport.pacing import checker_concurrency
from monitor.config import Config, ConfigError
from monitor.lock import StoreLock
from monitor.store import Store

NO_REQUEST = 3  # the crawl's status when its spiders made no request at all
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
RESUME_HINT = "`gongkai crawl --resume` continues it"


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
    concurrency = config.crawl.concurrency_per_site
    keys: dict[str, Any] = dict.fromkeys(("id", "site", "disclosure", "obey_robots", "intranet"), True)
    keys["columns"] = {"__all__": {"name", "url"}}
    plan = RunPlan(
        run_id=run_id,
        db=str(store.path.resolve()),
        tables_dir=str(tables_dir.resolve()),
        crawl=config.crawl,
        # The page spiders share what the link checker leaves of the concurrency, at least one request each.
        page_workers=min(config.crawl.page_workers, max(1, concurrency - checker_concurrency(concurrency))),
        link_check=LinkCheck.model_validate(load_tables(tables_dir).rules["link_check"]),
        log_level=log_level,
        request_log=str(request_log) if request_log else None,
        resume=resume,
        # The page spiders' queues of pages to crawl, on disk during the run, and their idle marks.
        queue_dir=str(store.path.parent.resolve() / f"run-{run_id}.queue"),
        chromium=chromium() if config.crawl.render else None,
        departments=[
            PlanDepartment.model_validate(config.department(i).model_dump(include=keys))  # type: ignore[union-attr]
            for i in dept_ids
        ],
    )
    return plan.write(store.path.parent / f"run-{run_id}.plan.json")


# How long the crawl processes have to close cleanly once asked to stop, before they are killed.
STOP_GRACE_SECONDS = 15.0


def _die_with_parent(parent: int) -> Callable[[], None]:
    """In the child: be killed when the monitor dies, however it dies (Linux's parent-death signal).

    ``prctl`` is looked up here, in the parent: between fork and exec the child
    may only make plain system calls (another thread may hold the loader's lock).
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the monitor died before the signal was armed
            os._exit(1)

    return arm


def _start(args: list[str], env: dict[str, str], lock_fd: int | None, **kwargs: Any) -> subprocess.Popen[str]:
    """A crawl process in its own process group, holding the store's lock with the monitor, dying with it.

    It inherits the lock's file descriptor, so the lock stays held while any
    crawl process lives, even if the monitor is killed.
    """
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        process_group=0,
        pass_fds=(lock_fd,) if lock_fd is not None else (),
        preexec_fn=_die_with_parent(os.getpid()),
        **kwargs,
    )


def _crawl(
    plan_path: Path, env: dict[str, str], stop: threading.Event | None, lock_fd: int | None = None
) -> tuple[int, dict[str, int]]:
    """Run the page spiders and the link checker side by side: the exit status and the summed counters.

    The link checker learns that the page spiders are done (and so no more
    links will be handed over) when its standard input reaches its end. The
    status is the first failure's, else NO_REQUEST when the spiders made no
    request at all. On ``stop`` every crawl process is asked to finish, and
    killed if it has not within STOP_GRACE_SECONDS; this returns only once
    every one of them has ended.
    """
    plan = RunPlan.read(plan_path)
    # Resuming is done from the store's frontier: queues left by a killed crawl go.
    queue = Path(plan.queue_dir)
    shutil.rmtree(queue, ignore_errors=True)
    done_reading, done_writing = os.pipe()
    checker = _start(["-m", "crawler.checker", str(plan_path)], env, lock_fd, stdin=done_reading)
    os.close(done_reading)
    workers: list[subprocess.Popen[str]] = []
    try:
        # One by one: those started before a failure to start are in the list, and waited for below.
        workers.extend(
            _start(["-m", "crawler.run", str(plan_path), str(worker)], env, lock_fd)
            for worker in range(plan.page_workers)
        )
        outputs = [_wait(proc, stop) for proc in workers]
    except BaseException:
        for proc in [*workers, checker]:  # none may outlive the monitor's wait, nor keep the lock
            if proc.returncode is None:
                _wait(proc, stop, hurry=True)
        raise
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


def _wait(proc: subprocess.Popen[str], stop: threading.Event | None, hurry: bool = False) -> str:
    """Wait for a crawl process; on ``stop`` ask its group to finish (SIGTERM), then kill it after the grace time."""
    asked_at: float | None = None
    while True:
        try:
            return proc.communicate(timeout=0.5)[0]
        except subprocess.TimeoutExpired:
            if proc.returncode is not None or not (hurry or (stop is not None and stop.is_set())):
                continue
            if asked_at is None:
                asked_at = time.monotonic()
                _signal_group(proc, signal.SIGTERM)  # Scrapy and the checker close cleanly on it
            elif hurry or time.monotonic() - asked_at > STOP_GRACE_SECONDS:
                _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended
        os.killpg(proc.pid, signum)


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
    with StoreLock(db_path) as lock:
        store = Store(db_path, config.timezone)
        try:
            store.mark_interrupted()
            if resume is None:
                dept_ids = select_departments(config, only)
                as_of = as_of or config.today()
                run_id = store.create_run(as_of.isoformat(), str(config_path), config.model_dump(mode="json"), dept_ids)
            else:
                resume = resume or store.latest_interrupted_run_id()  # 0: the newest interrupted run
                if resume is None:
                    raise CrawlError("there is no interrupted or failed run to resume")
                run_id, dept_ids, as_of = _reopen(store, resume)
            plan_path = write_plan(
                store, run_id, config, dept_ids, tables_dir, log_level, request_log, resume is not None
            )
            env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
            if offline:
                env["GONGKAI_OFFLINE"] = "1"
            returncode, stats = _crawl(plan_path, env, stop, lock.fd)
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
            return RunResult(run_id, stats.get("requests", 0))
        finally:
            store.close()


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
