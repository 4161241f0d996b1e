"""The headless Chromium gongkai drives (Debian's ``chromium``), and the flags that keep it to itself.

The crawl renders script-drawn lists in it (``crawler.chromium``); the reports
print PDFs and take screenshots with it (``monitor.reports``). Every use starts
it with ``FLAGS``: no background service, no proxy, no name looked up unless
the caller maps it to an address the target policy judged.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# Chromium's rule for "no such name": a name it maps so is looked up nowhere.
NO_NAME = "MAP * ^NOTFOUND"
# WebRTC may not send UDP of its own (it would reach any address).
NO_UDP = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-quic",
    "--no-proxy-server",
    f"--host-resolver-rules={NO_NAME}",
)


def resolver_rules(addresses: Mapping[str, str]) -> str:
    """The flag that resolves each host only to its judged address (host → address), and no other name at all."""
    pinned = [f"MAP {host} {f'[{address}]' if ':' in address else address}" for host, address in addresses.items()]
    return "--host-resolver-rules=" + ", ".join([*pinned, NO_NAME])


def sandboxed() -> bool:
    """Whether Chromium can keep its sandbox here: not as root, where it refuses to start with one."""
    return os.geteuid() != 0


def chromium() -> str | None:
    """The Chromium to use: ``GONGKAI_CHROMIUM`` when it names a program, else the first of ``BROWSERS`` on the PATH."""
    configured = os.environ.get("GONGKAI_CHROMIUM")
    if configured:
        return shutil.which(configured)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)
