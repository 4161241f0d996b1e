"""Screenshots for the notices: headless Chromium shows the page a problem is on, a dead link outlined in red.

Chromium is driven over its DevTools protocol (aiohttp's WebSocket client). It
may reach only the hosts the target policy judged before it started, each at the
address judged for it (``--host-resolver-rules``; every other name and address
fails), no proxy; every request the page makes, redirects and resources included,
is paused and let through only when its host is one of those; and the page's own
scripts never run (no worker, socket or peer connection of a page's making): a
screenshot never reaches a place the crawl could not.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from common.browser import FLAGS, NO_UDP, chromium, resolver_rules, sandboxed
from common.transport.client import offline_requested
from common.transport.targets import TargetPolicy, TargetRefusedError, normal_host

WIDTH, HEIGHT = 1000, 680
LOAD_SECONDS = 15.0
# Outline the link (found by its resolved address) and bring it into view; say whether it was there.
OUTLINE = """(() => {
  const target = %s;
  const address = e => (e.href || e.src || '').split('#')[0];
  const link = [...document.querySelectorAll('a[href], area[href], img[src], iframe[src], frame[src], embed[src]')]
    .find(e => address(e) === target);
  if (!link) return false;
  link.style.outline = '4px solid #e00';
  link.style.outlineOffset = '2px';
  link.scrollIntoView({block: 'center'});
  return true;
})()"""


@dataclass(frozen=True)
class Shot:
    """A page to capture for a problem, and the link on it to outline (None: the page's top)."""

    key: str  # the problem's key: department|type|url
    page: str
    link: str | None = None


def shots_for(data: dict[str, Any]) -> list[Shot]:
    """What the notices of a report show: each dead link on its page, each empty or stale column's page."""
    shots = []
    for p in data["problems"]:
        if p["state"] == "resolved":
            continue
        key = problem_key(p)
        if p["type"] == "broken_link" and p["source_url"]:
            shots.append(Shot(key, p["source_url"], p["url"]))
        elif p["type"] in ("column_empty", "column_stale") and p["column_url"]:
            shots.append(Shot(key, p["column_url"]))
    return shots


def problem_key(problem: dict[str, Any]) -> str:
    """The key under which a problem's screenshot is kept."""
    return f"{problem['department']}|{problem['type']}|{problem['column_url'] or problem['url'] or ''}"


class _DevTools:
    """One page's DevTools connection: commands answered by id, requests paused and judged."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse, allowed: set[str]) -> None:
        self.socket = socket
        self.allowed = allowed
        self.next_id = 0
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.loaded = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            await self._dispatch()
        finally:
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(ConnectionError("Chromium closed its DevTools connection"))
            self.waiting.clear()

    async def _dispatch(self) -> None:
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            event = json.loads(message.data)
            if "id" in event and (future := self.waiting.pop(event["id"], None)) is not None:
                if not future.done():
                    future.set_result(event)
            elif event.get("method") == "Fetch.requestPaused":
                await self._judge(event["params"])
            elif event.get("method") == "Page.loadEventFired":
                self.loaded.set()

    async def _judge(self, paused: dict[str, Any]) -> None:
        url = paused["request"]["url"]
        host = normal_host(urlsplit(url).hostname or "")
        if url.startswith(("data:", "blob:")) or (urlsplit(url).scheme in ("http", "https") and host in self.allowed):
            await self.send("Fetch.continueRequest", {"requestId": paused["requestId"]}, wait=False)
        else:
            failed = {"requestId": paused["requestId"], "errorReason": "BlockedByClient"}
            await self.send("Fetch.failRequest", failed, wait=False)

    async def send(self, method: str, params: dict[str, Any] | None = None, wait: bool = True) -> dict[str, Any]:
        """Send a command; with ``wait``, its answer."""
        self.next_id += 1
        number = self.next_id
        if not wait:
            await self.socket.send_json({"id": number, "method": method, "params": params or {}})
            return {}
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        await self.socket.send_json({"id": number, "method": method, "params": params or {}})
        try:
            return await asyncio.wait_for(future, LOAD_SECONDS)
        finally:
            self.waiting.pop(number, None)

    async def capture(self, shot: Shot) -> bytes | None:
        """The screenshot of one page, the link outlined; None when the page or the link is not there."""
        self.loaded.clear()
        answer = await self.send("Page.navigate", {"url": shot.page})
        if answer.get("result", {}).get("errorText"):
            return None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.loaded.wait(), LOAD_SECONDS)
        if shot.link is not None:
            found = await self.send("Runtime.evaluate", {"expression": OUTLINE % json.dumps(shot.link)})
            if not found.get("result", {}).get("result", {}).get("value"):
                return None
        picture = await self.send("Page.captureScreenshot", {"format": "png"})
        data = picture.get("result", {}).get("data")
        return base64.b64decode(data) if data else None

    async def close(self) -> None:
        """Stop reading and close the connection."""
        self.reader.cancel()
        await self.socket.close()


async def _judged(policy: TargetPolicy, shots: list[Shot]) -> dict[str, str]:
    """The address of each host the shots need, as the policy judges it; a refused host is left out."""
    hosts: dict[str, str] = {}
    for shot in shots:
        host = normal_host(urlsplit(shot.page).hostname or "")
        if host in hosts:
            continue
        with contextlib.suppress(TargetRefusedError, OSError):
            hosts[host] = await policy.judge(shot.page)
    return hosts


async def _endpoint(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """The DevTools port Chromium chose (written into its profile), once it listens."""
    marker = profile / "DevToolsActivePort"
    for _ in range(200):
        if marker.is_file() and (lines := marker.read_text().split()):
            return int(lines[0])
        if process.poll() is not None:
            break
        await asyncio.sleep(0.05)
    raise OSError("Chromium did not open its DevTools port")


async def _capture_all(shots: list[Shot], policy: TargetPolicy, binary: str) -> dict[str, bytes]:
    hosts = await _judged(policy, shots)
    found: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="gongkai-shots-", ignore_cleanup_errors=True) as folder:
        profile = Path(folder)
        flags = [f for f in FLAGS if not f.startswith(("--host-resolver-rules", "--no-pdf", "--no-sandbox"))]
        if not sandboxed():
            flags.append("--no-sandbox")
        command = [binary, *flags, resolver_rules(hosts), f"--user-data-dir={profile}"]
        command += [NO_UDP, "--remote-debugging-port=0"]
        command += ["--hide-scrollbars", "about:blank"]
        # Its own process group, so that stopping it stops its renderers too.
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        process = subprocess.Popen(command, **quiet, start_new_session=True)
        try:
            port = await _endpoint(profile, process)
            async with aiohttp.ClientSession() as session:
                async with session.put(f"http://127.0.0.1:{port}/json/new?about:blank") as answer:
                    target = await answer.json(content_type=None)
                socket = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=64 * 2**20)
                tools = _DevTools(socket, set(hosts))
                try:
                    await tools.send("Page.enable")
                    await tools.send("Emulation.setScriptExecutionDisabled", {"value": True})
                    await tools.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
                    metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
                    await tools.send("Emulation.setDeviceMetricsOverride", metrics)
                    for shot in shots:
                        if normal_host(urlsplit(shot.page).hostname or "") not in hosts:
                            continue
                        with contextlib.suppress(TimeoutError):
                            if (picture := await tools.capture(shot)) is not None:
                                found[shot.key] = picture
                finally:
                    await tools.close()
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return found


class ScreenshotError(Exception):
    """Chromium could not take the screenshots (it would not start, or its DevTools failed)."""


def capture(data: dict[str, Any], departments: list[dict[str, Any]]) -> dict[str, bytes] | None:
    """Screenshots of the pages a report's notices point to, by problem key; None without Chromium.

    ``departments`` are the run's configured departments: the target policy is theirs,
    offline when ``GONGKAI_OFFLINE`` says so, as for the crawl.
    """
    binary = chromium()
    if binary is None:
        return None
    shots = shots_for(data)
    policy = TargetPolicy.for_departments(departments, offline_requested())
    try:
        return asyncio.run(_capture_all(shots, policy, binary)) if shots else {}
    except (OSError, aiohttp.ClientError, KeyError, ValueError, TimeoutError) as exc:
        raise ScreenshotError(str(exc)) from exc
