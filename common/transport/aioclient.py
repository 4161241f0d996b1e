"""What the aiohttp clients (the link checker, the availability probes) share: the target policy on every hop.

aiohttp resolves names itself and follows no redirect here: each client judges
every URL it is about to request (``TargetPolicy.judge``), and its connector
resolves through ``PolicyResolver``, which answers with the address the policy
judged.
"""

from __future__ import annotations

import socket
from typing import Any

from aiohttp.abc import AbstractResolver

from common.transport.targets import TargetPolicy, TargetRefusedError

# The answers that point elsewhere (``Location``), whichever aiohttp client follows them.
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that answers through the target policy, never around it."""

    def __init__(self, policy: TargetPolicy) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        """The judged address of ``host``; a refused name fails like one that does not resolve."""
        try:
            address = await self.policy.address(host)
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


# END
