"""The coordinator of a run shared out through Redis (``crawl.redis``; ``common.shared_run``).

``gongkai crawl`` remains the only writer of the store: while its own crawl
processes and any ``gongkai worker`` crawl, a thread here takes the rows the
workers report and writes them, hands out again what a worker that stopped
answering had taken, and marks the run done once nothing waits, nothing is
leased and every row is written.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from common.plan import RunPlan
from common.shared_run import ALIVE_SECONDS, HEARTBEAT_SECONDS, SharedRun, SharedRunLostError
from common.tables import TABLE_FILES
from monitor.store import Store

CA_BUNDLE = "ca_bundle.pem"  # the file name the crawl's extra CA certificates travel under


class Coordinator:
    """Serves one shared run attempt from a thread of the ``gongkai crawl`` process."""

    poll_seconds = 0.05

    @classmethod
    def open(
        cls, redis: str, key: str, plan_path: Path, tables_dir: Path, db_path: Path, stop: threading.Event | None
    ) -> Coordinator:
        """Open run attempt ``key`` for the workers: its plan, the office's rule tables, its CA certificates.

        Never its sites.yaml. The extra CA certificates the crawl trusts travel as ``CA_BUNDLE``.
        Raises SharedRunLostError when Redis cannot be reached.
        """
        plan = RunPlan.read(plan_path)
        paths = {name: tables_dir / name for name in TABLE_FILES}
        if plan.crawl.ca_bundle:
            paths[CA_BUNDLE] = Path(plan.crawl.ca_bundle)
        files = {name: path.read_text(encoding="utf-8") for name, path in paths.items() if path.is_file()}
        return cls(SharedRun.open(redis, key, plan_path.read_text(encoding="utf-8"), files), db_path, stop)

    def __init__(self, run: SharedRun, db_path: Path, stop: threading.Event | None = None) -> None:
        self.run = run
        self.db_path = db_path
        self.asked_to_stop = stop  # the person's Ctrl-C, or the scheduler's stop
        self.finished = threading.Event()  # the run is done, or can go no further (``lost``, ``store_failed``)
        self.lost: str | None = None  # why Redis cannot be used any more
        self.store_failed: sqlite3.Error | None = None  # the store refused the rows
        self.failed: Exception | None = None  # anything else that stopped it
        self.handed_out_again = 0  # leases of workers that stopped answering, handed out again
        self._thread = threading.Thread(target=self._serve, name="gongkai-coordinator", daemon=True)

    def start(self) -> None:
        """Start serving the run."""
        self._thread.start()

    def is_set(self) -> bool:
        """Whether the run's crawl processes should stop: asked to, or Redis or the store failed (``wait_process``)."""
        asked = self.asked_to_stop is not None and self.asked_to_stop.is_set()
        return asked or self.lost is not None or self.store_failed is not None or self.failed is not None

    def close(self, stopped: bool) -> None:
        """End the attempt in Redis once its crawl processes have ended: ``done`` if it was, else ``stopped``."""
        try:
            done = not stopped and self.lost is None and self.run.state() == "done"
        except SharedRunLostError:
            done = False
        self.run.close("done" if done else "stopped")

    def stop(self) -> None:
        """Stop serving (the run is done or abandoned) and wait for the thread."""
        self.finished.set()
        if self._thread.ident is not None:  # it was started
            self._thread.join()

    def _serve(self) -> None:
        store = None
        checked_workers = said_alive = time.monotonic()
        try:
            store = Store(self.db_path)
            while not self.finished.is_set():
                batches = self.run.results()
                for batch in batches:
                    store.add_crawl_rows(batch["rows"], batch["replace"])
                now = time.monotonic()
                if now - said_alive > HEARTBEAT_SECONDS:  # however busy writing, never taken for dead
                    self.run.say_alive()
                    said_alive = now
                if now - checked_workers > ALIVE_SECONDS / 4:
                    self.handed_out_again += self.run.hand_out_again()
                    checked_workers = now
                if batches:
                    continue
                if self.run.finish_if_done():
                    break
                time.sleep(self.poll_seconds)
        except SharedRunLostError as exc:
            self.lost = str(exc)
        except sqlite3.Error as exc:
            self.store_failed = exc
        except Exception as exc:
            self.failed = exc
        finally:
            if store is not None:
                store.close()
            self.finished.set()
