"""The run plan: what one run crawls and how, written by the monitor and read by every crawl process.

``monitor.crawl.write_plan`` writes it as JSON beside the store; the page
spiders (``crawler.run``) and the link checker (``crawler.checker``) read it
with ``RunPlan.read``. Every default is set here, once. The ``crawl`` section is
the config's own (``sites.yaml``), validated when the config is loaded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from common.table_models import LinkCheck
from common.tables import Tables, load_tables

# A crawl process's exit status when the store refuses its rows (a full disk, a store made read-only).
STORE_WRITE_FAILED = 4


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _redis_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError("not a redis://, rediss:// or unix:// URL")  # never the URL: it may hold the password
    return value


RedisUrl = Annotated[str, AfterValidator(_redis_url)]


# What one page spider may take at its peak on a large site, with room (bench/README.md measures it).
PAGE_SPIDER_MB = 256


def machine_page_workers() -> int:
    """Page spiders for this machine: one per core, no more than a quarter of its available memory holds."""
    cores = len(os.sched_getaffinity(0))
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="ascii")
        available_mb = int(re.search(r"MemAvailable:\s+(\d+)", meminfo).group(1)) // 1024  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return max(1, min(cores, 16))
    return max(1, min(cores, available_mb // 4 // PAGE_SPIDER_MB, 16))


class Strict(BaseModel):
    """A model that refuses unknown keys and never changes once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Crawl(Strict):
    """Crawl settings; every key has a default."""

    concurrency_per_site: int = Field(default=4, ge=1, le=64)
    # Processes sharing out each run's pages; None: what the machine has (machine_page_workers).
    page_workers: int | None = Field(default=None, ge=1, le=16)
    download_timeout: float = Field(default=15, gt=0)
    obey_robots: bool = True
    max_pages_per_site: int = Field(default=5000, ge=1)
    max_links_per_site: int = Field(default=20000, ge=1)  # links only checked: outside, attachments, past the caps
    max_depth: int = Field(default=12, ge=1)
    delay: float = Field(default=0.0, ge=0)
    adaptive_delay: bool = True  # wait longer when a site answers slowly (AutoThrottle)
    max_page_mb: float = Field(default=8.0, gt=0)
    contact_url: HttpUrl | None = None
    ca_bundle: str | None = None
    # Lists a script draws are read again as headless Chromium shows them (crawler.rendering).
    render: bool = True
    render_max_pages: int = Field(default=20, ge=0)  # rendered pages per site and run
    render_timeout: float = Field(default=20, gt=0)  # seconds one rendered page may take
    # Each article read is searched for the words of terms.yaml (crawler.terms).
    content_checks: bool = True
    # The run's frontier in this Redis, shared out to `gongkai worker` processes (common.shared_run).
    redis: RedisUrl | None = None


class PlanColumn(Strict):
    """A configured column, as the crawl needs it."""

    name: str
    url: str


class PlanDepartment(Strict):
    """A department to crawl: its site, and what the config says of it."""

    id: str
    site: str
    disclosure: str | None = None
    columns: list[PlanColumn] | None = None  # None: discovered from the navigation
    obey_robots: bool | None = None
    intranet: bool = False


class RunPlan(Strict):
    """One run's crawl: its store, its departments, its settings."""

    run_id: int
    db: str  # the run's store
    tables_dir: str | None = None  # the office's rule tables (None: the bundled ones)
    crawl: Crawl = Crawl()
    page_workers: int = Field(default=1, ge=1)  # page spiders sharing out the run's pages
    link_check: LinkCheck = LinkCheck()
    log_level: str = "WARNING"
    request_log: str | None = None  # a file listing every request made
    resume: bool = False  # take up a killed run's unanswered requests
    queue_dir: str  # the page spiders' queues on disk, and their idle marks
    chromium: str | None = None  # the browser that renders script-drawn lists (None: none is rendered)
    shared: str | None = None  # the run attempt's key in Redis, when shared out (common.shared_run)
    host: str | None = None  # the machine of the store: a worker elsewhere reads no memo from it
    offline: bool = False  # requests never leave this machine (a shared run's workers are told so)
    departments: list[PlanDepartment]

    @classmethod
    def read(cls, path: str | Path) -> RunPlan:
        """The plan in the JSON file at ``path``."""
        return cls.model_validate_json(Path(path).read_bytes())

    def write(self, path: Path) -> Path:
        """Write the plan as JSON to ``path``."""
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path

    def tables(self) -> Tables:
        """The rule tables in force for this run: the office's, over the bundled ones."""
        return load_tables(Path(self.tables_dir) if self.tables_dir else None)

    def department_specs(self) -> list[dict[str, Any]]:
        """The departments as plain data, as the target policy reads them."""
        return [d.model_dump() for d in self.departments]
