"""Run one page spider for one run plan: ``python -m crawler.run PLAN.json [WORKER]``.

The monitor starts the plan's ``page_workers`` department spiders (``WORKER`` 0,
1, …) in child processes, side by side with the link checker
(``crawler.checker``): each crawls and reads its share of the pages (Twisted's
reactor runs once per process, a crash here must not take the monitor with it,
and several processes use several cores). Each prints its counters as JSON.
Exit status: 0 when the spider ran, 1 on an internal failure, 4 when the store
refuses its rows (``STORE_WRITE_FAILED``), 5 when its shared run is lost
(``common.shared_run.SHARED_RUN_LOST``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from common.plan import RunPlan
from common.transport.client import offline_requested, user_agent
from common.transport.pacing import politeness_share
from common.transport.targets import plan_policy
from crawler import settings as default_settings
from crawler.middlewares import bound_response_headers
from crawler.spiders.departments import DepartmentSpider
from crawler.storage import stop_if_a_callback_met_a_full_disk


def crawl_settings(plan: RunPlan, plan_path: str, worker: int = 0) -> Settings:
    """Scrapy settings for one of a plan's page spiders: the defaults, with the config's crawl keys applied.

    Each spider has its share of each site's politeness budget (``common.transport.pacing``).
    """
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    crawl = plan.crawl
    concurrency, delay = politeness_share(crawl, plan.page_workers, checker=False, worker=worker)
    page_bytes = int(crawl.max_page_mb * 1024 * 1024)
    settings.setdict(
        {
            "GONGKAI_DB": plan.db,
            "GONGKAI_PLAN": plan_path,
            "GONGKAI_RUN_ID": plan.run_id,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "AUTOTHROTTLE_ENABLED": crawl.adaptive_delay,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": concurrency,
            "DOWNLOAD_DELAY": delay,
            "AUTOTHROTTLE_START_DELAY": max(delay, default_settings.AUTOTHROTTLE_START_DELAY),
            "DOWNLOAD_TIMEOUT": crawl.download_timeout,
            "DOWNLOAD_MAXSIZE": page_bytes,
            "DOWNLOAD_WARNSIZE": page_bytes // 2,
            "ROBOTSTXT_OBEY": crawl.obey_robots,
            "USER_AGENT": user_agent(crawl.contact_url),
            "GONGKAI_CA_BUNDLE": crawl.ca_bundle,
            "GONGKAI_REQUEST_LOG": plan.request_log,
            "GONGKAI_OFFLINE": offline_requested(),
            "GONGKAI_PROGRESS_SECONDS": float(os.environ.get("GONGKAI_PROGRESS_SECONDS", 30)),
            "GONGKAI_CHECK_ATTEMPTS": plan.link_check.attempts,
            "GONGKAI_CHECK_BACKOFF": plan.link_check.backoff_seconds,
            "GONGKAI_MAX_RETRY_AFTER": plan.link_check.max_retry_after,
            "LOG_LEVEL": plan.log_level,
        },
        priority="cmdline",
    )
    if plan.chromium:  # script-drawn lists are rendered in the browser (crawler.rendering)
        from crawler.chromium import rendering_settings  # Playwright is loaded only where it may be used

        settings.setdict(rendering_settings(plan, plan_policy(plan_path, offline_requested())), priority="cmdline")
    if worker != 0:  # one progress line for the run: the first page spider's
        settings.set("EXTENSIONS", {**default_settings.EXTENSIONS, "crawler.extensions.Progress": None}, "cmdline")
    # The pages waiting to be crawled wait on disk, not in memory: a site of
    # 100,000 pages queues tens of thousands of them at once (breadth first).
    if plan.shared and (redis_url := os.environ.get("GONGKAI_REDIS")):
        settings.setdict(shared_settings(plan, redis_url), priority="cmdline")
    else:
        settings.set("JOBDIR", str(Path(plan.queue_dir) / f"worker-{worker}"), "cmdline")
    return settings


def shared_settings(plan: RunPlan, redis_url: str) -> dict[str, object]:
    """What a page spider of a run shared out through Redis does differently (``crawler.shared_queue``).

    Its queue is the run's in Redis; a site's concurrency and delay hold for all
    workers together, so each may use the whole budget when the others do not.
    """
    crawl = plan.crawl
    return {
        "GONGKAI_REDIS": redis_url,
        "GONGKAI_SHARED_RUN": plan.shared,
        "REDIS_URL": redis_url,
        "SCHEDULER": "crawler.shared_queue.SharedScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.shared_queue.SharedQueue",
        "SCHEDULER_QUEUE_KEY": f"{plan.shared}:pages",
        "SCHEDULER_PERSIST": True,  # the coordinator ends the run and clears its keys
        "DUPEFILTER_CLASS": "crawler.shared_queue.KeyClaims",
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_site,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": crawl.concurrency_per_site,
        "DOWNLOAD_DELAY": 0,
        "GONGKAI_SITE_CONCURRENCY": crawl.concurrency_per_site,
        "GONGKAI_SITE_DELAY": crawl.delay,
        "DOWNLOADER_MIDDLEWARES": {
            **default_settings.DOWNLOADER_MIDDLEWARES,
            "crawler.shared_queue.SharedPaceMiddleware": 580,
        },
    }


def main(argv: list[str]) -> int:
    """Run page spider ``argv[1]`` (default 0) on the plan at ``argv[0]``; print its counters as JSON.

    ``--no-seed``: a worker joining a shared run, which takes pages from it but makes none of its first requests.
    """
    seed = "--no-seed" not in argv
    argv = [a for a in argv if a != "--no-seed"]
    plan_path = Path(argv[0])
    worker = int(argv[1]) if len(argv) > 1 else 0
    plan = RunPlan.read(plan_path)
    bound_response_headers()
    process = CrawlerProcess(crawl_settings(plan, str(plan_path.resolve()), worker))
    # A site that does not answer fails its robots.txt too; Scrapy logs that as an
    # error with a traceback, but the run reports it as site_unreachable anyway.
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
    # A render that fails is recorded as the column's warning (crawler.answers); scrapy-playwright's
    # own warning, with its traceback, would only repeat it on the supervisor's terminal.
    logging.getLogger("scrapy-playwright").setLevel(logging.ERROR)
    # Scrapy sets the level on its log handler only, so every "Scraped from" debug
    # message would still be built and then dropped: filter at the loggers.
    for name in ("scrapy", "crawler", "py.warnings"):
        logging.getLogger(name).setLevel(plan.log_level)
    crawler = process.create_crawler(DepartmentSpider)
    process.crawl(crawler, plan=str(plan_path), worker=worker, seed=seed)
    # The reactor's loop: a full disk met in a callback stops this process as the store's writes do.
    asyncio.get_event_loop().set_exception_handler(stop_if_a_callback_met_a_full_disk)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    requests = int(stats.get("downloader/request_count", 0))
    pages = int(stats.get("response_received_count", 0))
    received = int(stats.get("downloader/response_bytes", 0))
    with contextlib.suppress(BrokenPipeError):  # the monitor is gone: the store has the results
        print(json.dumps({"requests": requests, "responses": pages, "bytes": received}))
    return 1 if stats.get("spider_exceptions/count") or stats.get("log_count/CRITICAL") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
