"""Availability probes: a light, timed GET of each homepage, many times a day.

The national rule judges reachability over a week: at least 20 probes a day, a
load of 15 s or more is a failure, and failures at 5% or more of the probes fail
the inspection. Every probe is stored; the rules read the week's ratio.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from monitor.config import Config, Department
from monitor.store import Store
from monitor.tables import load_tables

READ_LIMIT = 256 * 1024  # enough of the homepage to know it loads


def probe(department: Department, timeout: float, user_agent: str) -> dict[str, Any]:
    """Fetch a homepage once and say whether it loaded within ``timeout`` seconds without a server error."""
    started = time.monotonic()
    status, error = None, None
    request = urllib.request.Request(department.site, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # configured http(s) sites only
            status = answer.status
            answer.read(READ_LIMIT)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        error = str(getattr(exc, "reason", exc))[:200]
    seconds = round(time.monotonic() - started, 3)
    ok = error is None and status is not None and status < 500 and seconds < timeout
    if ok is False and error is None and seconds >= timeout:
        error = f"took {seconds} s"
    return {"department": department.id, "url": department.site, "ok": ok, "status": status, "seconds": seconds,
            "error": error}  # fmt: skip


def probe_all(config: Config, store: Store) -> list[dict[str, Any]]:
    """Probe every department's homepage once, in parallel, and store the results."""
    settings = load_tables().rules["probe"]
    agent = f"gongkai/0.1 (+{config.crawl.contact_url})" if config.crawl.contact_url else "gongkai/0.1 (probe)"
    at = store.now()
    with ThreadPoolExecutor(max_workers=8) as pool:
        rows = list(pool.map(lambda d: probe(d, settings["timeout_seconds"], agent), config.departments))
    for row in rows:
        row["at"] = at
    store.add_probes(rows)
    return rows
