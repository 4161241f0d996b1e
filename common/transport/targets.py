"""The target policy: which hosts a request may reach, judged on the address it resolves to.

A page must not make gongkai reach the supervisor's own network: loopback,
private, link-local (cloud metadata at 169.254.169.254), unspecified or other
non-public addresses. Every client asks this one policy before every request and
every redirect hop, and connects only to the address the policy judged (its
resolver answers from the policy's cache, so a name cannot resolve to a public
address for the judgement and to a private one for the connection):

- the page spiders, through ``crawler.middlewares.TargetPolicyMiddleware`` and
  Scrapy's ``DNS_RESOLVER`` (``crawler.middlewares.PolicyResolver``);
- the link checker and the availability probes, through
  ``common.transport.aioclient.PolicyResolver`` and ``TargetPolicy.judge`` on each hop;
- the screenshots, through ``monitor.reports.screenshots`` judging each request Chromium makes.

Numeric spellings of an address (``0x7f000001``, ``2130706433``, ``0177.0.0.1``,
``127.1``) are read as the address they name. A department whose site is on the
supervisor's own network is inspected there when the config says so
(``intranet: true``) or names that address literally; the permission covers that
department's own host names only, never an address class.

Offline mode (``GONGKAI_OFFLINE``: the demo and the tests) sends no query to any
DNS server: names resolve from a table of our own (``localhost``, and the JSON
object in ``GONGKAI_HOSTS`` mapping names to loopback addresses); names under
``.invalid`` never resolve; any other name, and any address off this machine,
is refused.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import os
import re
import socket
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from common.plan import RunPlan

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$")


class TargetRefusedError(Exception):
    """A request the policy does not allow; ``kind`` is ``private_target`` or ``offline``."""

    def __init__(self, kind: str, host: str, address_kind: str | None, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.host = host
        self.address_kind = address_kind


def refusal_reason(refused: TargetRefusedError, hop: str | None = None) -> str:
    """The reason code of a refusal: ``offline``, ``private:<host>``, or ``private_redirect:<hop>``."""
    if refused.kind == "offline":
        return "offline"
    return f"private_redirect:{hop}" if hop else f"private:{refused.host}"


class NameLookupError(OSError):
    """A name that does not resolve (a DNS failure, or a name under ``.invalid``)."""


@functools.lru_cache(maxsize=4096)
def normal_host(host: str) -> str:
    """A URL host as the policy compares it: lower case, no brackets, a numeric address in its usual form."""
    host = host.strip().strip("[]").lower().rstrip(".")
    address = literal_address(host)
    return str(address) if address is not None else host


@functools.lru_cache(maxsize=4096)
def literal_address(host: str) -> Address | None:
    """The address a host names by itself, in any spelling a resolver accepts, or None for a name."""
    host = host.strip("[]").lower()
    try:
        address: Address = ipaddress.ip_address(host)
    except ValueError:
        if not _NUMERIC_HOST.match(host):
            return None
        try:  # inet_aton reads the old forms: 127.1, 0x7f000001, 2130706433, 0177.0.0.1
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return _embedded_ipv4(address)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), which is where it leads."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in _NAT64 or (int(address) >> 32 == 0 and int(address) > 1):  # NAT64, or ::a.b.c.d
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_kind(address: Address) -> str | None:
    """What kind of non-public address this is (loopback, private, link_local, unspecified, reserved), or None."""
    address = _embedded_ipv4(address)
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "private"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link_local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    return None if address.is_global else "reserved"


@functools.lru_cache(maxsize=4096)
def host_kind(host: str) -> str | None:
    """The kind of non-public address a host names literally (``localhost`` is loopback), else None."""
    host = normal_host(host)
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    address = literal_address(host)
    return address_kind(address) if address is not None else None


def address_class(url: str) -> str | None:
    """The kind of non-public address a URL names literally, or None (names are judged when resolved)."""
    return host_kind(urlsplit(url).hostname or "")


def hosts_table() -> dict[str, str]:
    """The offline resolver's own names (``GONGKAI_HOSTS``, a JSON object of name → loopback address)."""
    text = os.environ.get("GONGKAI_HOSTS", "").strip()
    table = {"localhost": "127.0.0.1"}
    if text:
        table.update({normal_host(k): str(v) for k, v in json.loads(text).items()})
    return table


def site_hosts(host: str) -> set[str]:
    """A host name and its ``www.`` twin, which serve one site (jyj.example.gov.cn, www.jyj.example.gov.cn)."""
    host = normal_host(host)
    if literal_address(host) is not None or host == "localhost":
        return {host}
    return {host, host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"}


def _configured_urls(dept: Mapping[str, Any]) -> list[str]:
    urls = [dept.get("site"), dept.get("disclosure"), *(c["url"] for c in dept.get("columns") or [])]
    return [u for u in urls if u]


def department_hosts(dept: Mapping[str, Any]) -> set[str]:
    """The host names of a department's configured URLs, with their ``www.`` twins."""
    return {twin for url in _configured_urls(dept) for twin in site_hosts(urlsplit(url).hostname or "")}


def department_netlocs(dept: Mapping[str, Any]) -> set[str]:
    """The ``host[:port]`` of a department's configured URLs and their ``www.`` twins: where its own pages are."""
    netlocs = set()
    for url in _configured_urls(dept):
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
        netlocs.update(f"{twin}{port}" for twin in site_hosts(parts.hostname or ""))
    return netlocs


def permitted_hosts(departments: Iterable[Mapping[str, Any]]) -> set[str]:
    """The host names of departments inspected on the supervisor's own network.

    Those whose config says ``intranet: true``, and those whose configured URL
    names a non-public address itself (the operator wrote that address).
    """
    hosts: set[str] = set()
    for dept in departments:
        hosts.update(h for h in department_hosts(dept) if dept.get("intranet") or host_kind(h) is not None)
    return hosts


@functools.cache
def plan_policy(plan_path: str, offline: bool) -> TargetPolicy:
    """The policy of the run plan at ``plan_path``: one per crawl process, shared by its clients."""
    return TargetPolicy.for_departments(RunPlan.read(plan_path).department_specs(), offline)


class TargetPolicy:
    """Judges hosts for every client of one crawl process, and remembers the address each was judged on."""

    def __init__(self, permitted: Iterable[str] = (), offline: bool = False, table: Mapping[str, str] | None = None):
        self.permitted = {normal_host(h) for h in permitted}
        self.offline = offline
        self.table = dict(table or {"localhost": "127.0.0.1"})
        self._answers: dict[str, str | TargetRefusedError] = {}

    @classmethod
    def for_departments(cls, departments: Iterable[Mapping[str, Any]], offline: bool) -> TargetPolicy:
        """The policy of a run: its departments' permissions, offline mode and its name table."""
        return cls(permitted_hosts(departments), offline, hosts_table() if offline else None)

    def refusal(self, url: str) -> TargetRefusedError | None:
        """What can be refused without resolving: a host that names a non-public address (or ``localhost``) itself."""
        host = normal_host(urlsplit(url).hostname or "")
        kind = host_kind(host)
        if kind is not None and host not in self.permitted:
            return _private(host, kind)
        if self.offline and literal_address(host) is not None and kind != "loopback":
            return TargetRefusedError("offline", host, None, f"offline mode: {host} is not on this machine")
        return None

    async def judge(self, url: str) -> str:
        """The address ``url``'s host may be reached at, judged once per run; raises as ``resolve`` does."""
        if refused := self.refusal(url):
            raise refused
        return await self.address(urlsplit(url).hostname or "")

    async def address(self, host: str) -> str:
        """``resolve`` for asyncio code: the cached answer at once, else a lookup in a thread."""
        return self.cached(host) or await asyncio.to_thread(self.resolve, host)

    def cached(self, host: str) -> str | None:
        """The address a host was already judged on (raises its refusal), or None when not judged yet."""
        answer = self._answers.get(normal_host(host))
        if isinstance(answer, TargetRefusedError):
            raise answer
        return answer

    def resolve(self, host: str) -> str:
        """The address to connect to for ``host``, judged; raises TargetRefusedError or NameLookupError.

        Blocking (it may ask the system's resolver): run it in a thread. Answers
        and refusals are kept for the run; a failed lookup is not, so a retry
        asks again.
        """
        host = normal_host(host)
        if (answer := self.cached(host)) is not None:
            return answer
        try:
            address = self._judge(host, self._lookup(host))
        except TargetRefusedError as refused:
            self._answers[host] = refused
            raise
        self._answers[host] = address
        return address

    def _lookup(self, host: str) -> list[Address]:
        if (literal := literal_address(host)) is not None:
            return [literal]
        if host == "invalid" or host.endswith(".invalid"):
            raise NameLookupError(f"{host} does not resolve (a name under .invalid)")
        if self.offline:
            if host in self.table:
                return [ipaddress.ip_address(self.table[host])]
            if host.endswith(".localhost"):
                return [ipaddress.ip_address("127.0.0.1")]
            raise TargetRefusedError("offline", host, None, f"offline mode: {host} is not on this machine")
        try:
            found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise NameLookupError(f"{host}: {exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
        if not addresses:
            raise NameLookupError(f"{host}: no address")
        return addresses

    def _judge(self, host: str, addresses: list[Address]) -> str:
        """The first address, when every address the name has may be reached."""
        for address in addresses:
            kind = address_kind(address)
            if self.offline and kind != "loopback":
                message = f"offline mode: {host} ({address}) is not on this machine"
                raise TargetRefusedError("offline", host, None, message)
            if kind is not None and host not in self.permitted:
                raise _private(host, kind, address)
        return str(addresses[0])


def _private(host: str, kind: str, address: Address | None = None) -> TargetRefusedError:
    """The refusal of a host that is, or resolves to, a non-public address."""
    what = f"resolves to {address}, a" if address is not None and str(address) != host else "is a"
    return TargetRefusedError(
        "private_target", host, kind, f"{host} {what} {kind.replace('_', '-')} address, never requested"
    )
