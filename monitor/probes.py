"""Availability probes: a light, timed GET of each homepage, many times a day.

The national rule judges reachability over a week: at least 20 probes a day, a
load of 15 s or more is a failure, and failures at 5% or more of the probes fail
the inspection. Every probe is stored; the rules read the week's ratio.

A probe is a request like any other: the target policy judges its host and each
redirect hop (``common.transport.targets``), the office's ``ca_bundle`` is trusted, and
offline mode holds. A probe the policy refuses proves nothing about the site and
is not stored.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urljoin

import aiohttp
from yarl import URL

from common.transport import client
from common.transport.aioclient import REDIRECTS, PolicyResolver
from common.transport.certificates import verifying_context
from common.transport.failures.aiohttp_errors import failure_kind
from common.transport.targets import NameLookupError, TargetPolicy, TargetRefusedError, refusal_reason
from monitor.config import Config, Department
from monitor.store import Store

READ_LIMIT = 256 * 1024  # enough of the homepage to know it loads
PARALLEL = 8  # homepages probed at once


async def _fetch(session: aiohttp.ClientSession, policy: TargetPolicy, url: str) -> int:
    """The homepage's final status, its redirects followed and each hop judged; reads a little of the body."""
    for _ in range(client.REDIRECT_MAX_TIMES + 1):
        await policy.judge(url)
        async with session.get(URL(url, encoded=True), allow_redirects=False) as answer:
            location = answer.headers.get("Location")
            if answer.status in REDIRECTS and location:
                url = urljoin(url, location)
                continue
            await answer.content.read(READ_LIMIT)
            return answer.status
    raise aiohttp.TooManyRedirects(None, (), message=f"more than {client.REDIRECT_MAX_TIMES} redirects")


async def probe(
    session: aiohttp.ClientSession, policy: TargetPolicy, department: Department, timeout: float
) -> dict[str, Any]:
    """Fetch a homepage once and say whether it loaded within ``timeout`` seconds without a server error.

    ``ok`` is None when the target policy refused the probe (nothing was learnt). ``error`` is
    the failure's kind (``timeout``, ``dns``, ``connection_refused`` …), as the reports say it.
    """
    started = time.monotonic()
    status, error, refused = None, None, False
    try:
        async with asyncio.timeout(timeout):
            status = await _fetch(session, policy, department.site)
    except TargetRefusedError as exc:
        error, refused = refusal_reason(exc), True
    except TimeoutError:
        error = "timeout"
    except NameLookupError:
        error = "dns"
    except (aiohttp.ClientError, OSError, ValueError) as exc:  # ValueError: a malformed redirect
        error = failure_kind(exc, headers_seen=False)
    seconds = round(time.monotonic() - started, 3)
    ok = None if refused else error is None and status is not None and status < 500 and seconds < timeout
    return {
        "department": department.id,
        "url": department.site,
        "ok": ok,
        "status": status,
        "seconds": seconds,
        "error": error,
    }


async def _probe_all(config: Config, timeout: float) -> list[dict[str, Any]]:
    policy = TargetPolicy.for_departments(
        [d.model_dump(mode="json") for d in config.departments], client.offline_requested()
    )
    connector = aiohttp.TCPConnector(
        limit=PARALLEL, ssl=verifying_context(config.crawl.ca_bundle), resolver=PolicyResolver(policy)
    )
    headers = {**client.DEFAULT_REQUEST_HEADERS, "User-Agent": client.user_agent(config.crawl.contact_url)}
    slots = asyncio.Semaphore(PARALLEL)

    async def timed(department: Department) -> dict[str, Any]:
        async with slots:  # a probe's clock starts when it is sent, not while it waits for a slot
            return await probe(session, policy, department, timeout)

    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        return await asyncio.gather(*(timed(d) for d in config.departments))


def probe_all(config: Config, store: Store) -> list[dict[str, Any]]:
    """Probe every department's homepage once, in parallel, and store the results the policy let through."""
    timeout = float(config.tables().rules["probe"]["timeout_seconds"])
    rows = asyncio.run(_probe_all(config, timeout))
    at = store.now()
    for row in rows:
        row["at"] = at
    store.add_probes([row for row in rows if row["ok"] is not None])
    return rows
