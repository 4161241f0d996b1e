"""What the aiohttp clients (the link checker, the availability probes) share: the target policy on every hop.

aiohttp resolves names itself and follows no redirect here: each client judges
every URL it is about to request (``judge``), and its connector resolves through
``PolicyResolver``, which answers with the address the policy judged.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver

from crawler.targets import TargetPolicy, TargetRefusedError


async def judge(policy: TargetPolicy, url: str) -> str:
    """The address ``url``'s host may be reached at; raises TargetRefusedError or NameLookupError."""
    if refused := policy.refusal(url):
        raise refused
    host = urlsplit(url).hostname or ""
    return policy.cached(host) or await asyncio.to_thread(policy.resolve, host)


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that answers through the target policy, never around it."""

    def __init__(self, policy: TargetPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        """The judged address of ``host``; a refused name fails like one that does not resolve."""
        try:
            address = self.policy.cached(host) or await asyncio.to_thread(self.policy.resolve, host)
        except TargetRefusedError as refused:
            raise OSError(str(refused)) from None
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        """Nothing to release."""
