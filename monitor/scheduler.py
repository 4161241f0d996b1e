"""``gongkai schedule``: the weekly crawl and the hourly probes, run by APScheduler.

Jobs live in a SQLite job store beside the database (``<db>-jobs.db``), so a
restarted scheduler keeps its timetable; a missed run is made once (coalesced)
within the grace time. ``max_instances=1`` and the store lock mean two crawls
never overlap, even with a crawl started by hand or by cron. SIGINT/SIGTERM end
a running crawl cleanly: its run is left ``incomplete`` (``gongkai crawl
--resume`` continues it), never ``complete``.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from monitor.config import cron_trigger, load_config
from monitor.crawl import CrawlError, run_crawl
from monitor.lock import StoreLockedError
from monitor.probes import probe_all
from monitor.store import Store

log = logging.getLogger("gongkai.schedule")
STOP = threading.Event()
MISFIRE_GRACE_SECONDS = 6 * 3600


def scheduled_crawl(config_path: str, db_path: str) -> None:
    """One scheduled run; the config is read afresh each time."""
    config = load_config(config_path)
    try:
        result = run_crawl(config, Path(config_path), Path(db_path), stop=STOP)
        log.warning("run %s complete (%s requests)", result.run_id, result.requests)
    except StoreLockedError as exc:
        log.warning("crawl skipped: %s", exc)
    except CrawlError as exc:
        log.warning("%s", exc)


def scheduled_probe(config_path: str, db_path: str) -> None:
    """One round of availability probes."""
    config = load_config(config_path)
    store = Store(Path(db_path), config.timezone)
    try:
        rows = probe_all(config, store)
    finally:
        store.close()
    failed = [r["department"] for r in rows if not r["ok"]]
    log.warning("probed %s sites%s", len(rows), f"; failed: {', '.join(failed)}" if failed else "")


def run_schedule(config_path: Path, db_path: Path) -> None:
    """Run until SIGINT or SIGTERM: the config's cron crawl and the probe interval."""
    config = load_config(config_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    jobs = SQLAlchemyJobStore(url=f"sqlite:///{db_path.with_name(db_path.stem + '-jobs.db').resolve()}")
    scheduler = BlockingScheduler(
        jobstores={"default": jobs},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=config.timezone,
    )
    args = [str(config_path), str(db_path)]
    scheduler.add_job(
        scheduled_crawl,
        cron_trigger(config.schedule, config.timezone),
        args=args,
        id="crawl",
        name="weekly crawl",
        replace_existing=True,
    )
    minutes = config.tables().rules["probe"]["interval_minutes"]
    scheduler.add_job(
        scheduled_probe,
        "interval",
        minutes=minutes,
        args=args,
        id="probe",
        name="availability probe",
        replace_existing=True,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        log.warning("stopping (signal %s); a running crawl is ended and left resumable", signum)
        STOP.set()
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.warning("crawling on %r (%s), probing every %s minutes", config.schedule, config.timezone, minutes)
    scheduler.start()
