"""``gongkai worker``: take part in the runs shared out through a Redis (``common.shared_run``).

A worker waits for a run a ``gongkai crawl`` opened in the Redis, then starts
its own page spiders and a link checker on it, as the coordinator's machine
does, and starts over when the run is done. It needs no store and no config:
the run's plan and the office's rule tables come from Redis. On another
machine than the store's it reads no memo, so it fetches every page in full.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from common.browser import chromium
from common.plan import RunPlan
from common.shared_run import SharedRun, SharedRunLostError, where
from monitor.coordinator import CA_BUNDLE
from monitor.processes import Halt, start_process, wait_process

POLL_SECONDS = 0.5


def serve(
    redis: str,
    page_workers: int,
    stop: threading.Event,
    say: Callable[[str, dict[str, object]], None],
    once: bool = False,
) -> None:
    """Work on every run opened in ``redis`` until ``stop`` (or, with ``once``, on the first one only).

    ``say`` tells the person at the terminal what happens (a wording key and its fields).
    Raises SharedRunLostError when Redis cannot be reached.
    """
    say("worker_waiting", {"server": where(redis)})
    finished: set[str] = set()
    while not stop.is_set():
        keys = [key for key in SharedRun.waiting(redis) if key not in finished]
        if not keys:
            stop.wait(POLL_SECONDS)
            continue
        key = keys[0]
        finished.add(key)
        try:
            plan_json, files = SharedRun(redis, key, worker="arriving").plan_and_files()
            plan = RunPlan.model_validate_json(plan_json)
        except SharedRunLostError:  # it ended before this worker arrived
            continue
        except ValueError:  # its plan is not one this gongkai reads
            say("worker_other_version", {"run": key})
            continue
        say("worker_joined", {"run": plan.run_id, "departments": len(plan.departments)})
        requests = work_on(redis, plan, files, page_workers, stop)
        say("worker_left", {"run": plan.run_id, "requests": requests})
        if once:
            return


def work_on(redis: str, plan: RunPlan, files: dict[str, str], page_workers: int, stop: threading.Event) -> int:
    """Crawl one shared run with ``page_workers`` page spiders and a link checker until it is done; requests made.

    The run's files (rule tables, CA certificates) are written to a folder of
    this machine, and the plan is made this machine's: its own Chromium, no
    store or request log unless they are on this machine.
    """
    folder = Path(tempfile.mkdtemp(prefix="gongkai-worker-"))
    try:
        for name, text in files.items():
            (folder / Path(name).name).write_text(text, encoding="utf-8")
        here = plan.host == socket.gethostname()  # the store is on this machine: its memos are read
        ca_bundle = str(folder / CA_BUNDLE) if CA_BUNDLE in files else None
        plan = plan.model_copy(
            update={
                "tables_dir": str(folder) if set(files) - {CA_BUNDLE} else None,
                "db": plan.db if here else "",
                "request_log": plan.request_log if here else None,
                "queue_dir": str(folder / "queue"),
                "page_workers": page_workers,
                "chromium": chromium() if plan.chromium else None,
                "crawl": plan.crawl.model_copy(update={"ca_bundle": ca_bundle}),
            }
        )
        plan_path = plan.write(folder / "plan.json")
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "GONGKAI_REDIS": redis}
        if plan.offline:
            env["GONGKAI_OFFLINE"] = "1"
        processes = [start_process(["-m", "crawler.checker", str(plan_path)], env, None, stdin=subprocess.DEVNULL)]
        # Never spider 0: the coordinator's first one makes the run's first requests and reports progress.
        processes += [
            start_process(["-m", "crawler.run", str(plan_path), str(number), "--no-seed"], env, None)
            for number in range(1, page_workers + 1)
        ]
        halt = Halt(processes, stop)
        outputs = [wait_process(process, halt).strip() for process in processes]
        return sum(json.loads(out.splitlines()[-1]).get("requests", 0) for out in outputs if out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
