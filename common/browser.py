"""The headless Chromium gongkai drives (Debian's ``chromium``), and the flags that keep it to itself.

The crawl renders script-drawn lists in it (``crawler.chromium``); the reports
print PDFs and take screenshots with it (``monitor.reports``). Every use starts
it with ``FLAGS``: no background service, no proxy, no name looked up unless
the caller maps it to an address the target policy judged.
"""

from __future__ import annotations

import os
import shutil

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
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
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium() -> str | None:
    """The Chromium to use: ``GONGKAI_CHROMIUM`` when it names a program, else the first of ``BROWSERS`` on the PATH."""
    configured = os.environ.get("GONGKAI_CHROMIUM")
    if configured:
        return shutil.which(configured)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)
