"""Text from crawled pages, made safe to store and show: no control characters, no terminal escapes.

A page may put anything in a title or a link text. A terminal would run an
escape sequence, and a workbook refuses control characters outright (openpyxl
raises), so they are dropped when a crawl stores a row and again when a report
reads one (stores written before this rule).
"""

from __future__ import annotations

import re
from typing import Any

# A terminal escape sequence (CSI, OSC, or a two-character one), else any other control character but tab and newline.
_CONTROL = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: Any) -> Any:
    """Text without control characters or terminal escape sequences (other values as they are)."""
    if isinstance(value, str) and _CONTROL.search(value):
        return _CONTROL.sub("", value)
    return value
