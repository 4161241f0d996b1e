"""Reason codes: why a finding is what it is, as the store keeps it and every side reads it.

The crawl writes them (``says:暂无信息``, ``cert:expired``, ``max_links:20000`` …),
the rules read them, and ``common.wording`` says each of them in Chinese from
``config/wording.yaml``.
"""

from __future__ import annotations

from typing import Any


def reason(code: str, arg: object = None) -> str:
    """A finding's reason as the store keeps it: a code, or ``code:argument`` (``says:暂无信息``).

    The codes are stable; ``config/wording.yaml`` says each of them in Chinese.
    """
    return code if arg is None else f"{code}:{arg}"


def parse_reason(code: str | None, **facts: Any) -> dict[str, Any] | None:
    """A stored reason code (``code`` or ``code:argument``) as data, with more ``facts``; None for none."""
    if not code:
        return None
    name, _, arg = code.partition(":")
    return {"code": name, **({"arg": arg} if arg else {}), **facts}
