"""A run shared out through Redis: its frontier, its results and its workers (``crawl.redis``).

With ``crawl.redis`` set, a run's frontier lives in Redis under one key prefix
per run attempt (``gongkai:run:<token>``), and any number of crawl processes,
on this machine or others (``gongkai worker``), take work from it:

- ``pages``: the page requests waiting, a sorted set (scrapy-redis's scheduler
  queue, ``crawler.shared_queue``): by priority, first in first out within one;
- ``checks``: the links waiting only to be checked (the link checker's queue);
- ``seen``: every key the run has claimed (its 8-byte hash), with the page that
  claimed it (the SHA1 of its queued request). A page read again after its
  worker died claims its links again as its own, so the requests that worker
  made and never reported are made again; ``taken`` (the SHA1s of the requests
  taken) keeps a request queued twice by such a page from being read twice;
- ``inflight:<worker>``: what a worker has taken and not reported yet (a lease).
  A worker that stops answering (``alive:<worker>`` expires) has its leases
  put back in the queues by the coordinator;
- ``results``: batches of store rows. Only the coordinator (``gongkai crawl``)
  writes the store: it takes them off in order. A batch is pushed in the same
  step as the leases it ends are dropped, so a lease gone means its rows are
  in ``results``;
- ``counts``: each site's pages, link checks and renders, for the run's caps;
- ``pace:<host>`` and ``next:<host>``: a site's requests under way and when the
  next may start, for every worker together.

What goes through Redis is JSON (``pack``), never pickle: whoever can write to
the Redis can at worst forge the crawl's findings, not run code on the
machines. Every step that must not be seen half done is one Lua script. The coordinator
marks the run ``done`` when everything was seeded, nothing waits, nothing is
leased and every result is written; the workers then stop.

Long because this is the whole protocol between the coordinator and the
workers: each step beside the script that makes it atomic, read together.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import itertools
import json
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NoReturn
from urllib.parse import urlsplit

import redis

from common.wording import say

# The open runs of every coordinator using this Redis.
RUNS = "gongkai:runs"
# A worker that has not answered for this long is taken for dead, and its leases are handed out again.
ALIVE_SECONDS = 10.0
HEARTBEAT_SECONDS = 2.0
_PRIORITY_STEP = 2**40  # a queue entry's score: priority first, then the order it was queued in
_REQUEUED = -(2**52)  # leases of a dead worker go first
PROTOCOL = "1"  # what a worker and a coordinator must agree on to share a run
FENCED = -1  # what a script answers a worker the coordinator took for dead
# A crawl process's exit status when its shared run is lost (Redis gone, or it was taken for dead).
SHARED_RUN_LOST = 5

_PUSH_PAGE = """
local n = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], 'NX', -tonumber(ARGV[1]) * tonumber(ARGV[3]) + n, ARGV[2])
return n
"""
_TAKE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return -1 end
local blob, name, again = nil, '', 0
if ARGV[2] == 'p' then
  while true do
    local popped = redis.call('ZPOPMIN', KEYS[2])
    if #popped == 0 then return false end
    blob = popped[1]
    name = redis.sha1hex(blob)
    if tonumber(popped[2]) <= tonumber(ARGV[3]) then again = 1 end
    if again == 1 or redis.call('SADD', KEYS[6], name) == 1 then break end
  end
else
  blob = redis.call('LPOP', KEYS[3])
  if not blob then return false end
end
local lease = ARGV[2] .. redis.call('INCR', KEYS[5])
redis.call('HSET', KEYS[4], lease, blob)
return {lease, blob, name, again}
"""
_COMMIT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return -1 end
if ARGV[2] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[2]) end
local acks = tonumber(ARGV[3])
for i = 4, 3 + acks do
  if ARGV[i] == 'seed' then redis.call('SET', KEYS[5], '1') else redis.call('HDEL', KEYS[2], ARGV[i]) end
end
for i = 4 + acks, #ARGV do redis.call('RPUSH', KEYS[4], ARGV[i]) end
return 1
"""
_CLAIM = """
local claimer = redis.call('HGET', KEYS[1], ARGV[1])
if not claimer then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return ARGV[2]
end
return claimer
"""
_REQUEUE = """
if redis.call('EXISTS', KEYS[5]) == 1 then return 0 end
redis.call('SREM', KEYS[1], ARGV[1])
local leased = redis.call('HGETALL', KEYS[2])
for i = 1, #leased, 2 do
  if string.sub(leased[i], 1, 1) == 'c' then
    redis.call('LPUSH', KEYS[4], leased[i + 1])
  else
    redis.call('ZADD', KEYS[3], tonumber(ARGV[2]), leased[i + 1])
  end
end
redis.call('DEL', KEYS[2])
return #leased / 2
"""
_FINISHED = """
if redis.call('GET', KEYS[1]) ~= '1' then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('LLEN', KEYS[3]) > 0 or redis.call('LLEN', KEYS[4]) > 0 then
  return 0
end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  if redis.call('HLEN', ARGV[1] .. ':inflight:' .. worker) > 0 then return 0 end
end
redis.call('SET', KEYS[6], 'done')
return 1
"""
_PACE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
local wait = tonumber(redis.call('GET', KEYS[2]) or '0') - ms
if wait > 0 then return wait end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 20 end
redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[3]), ARGV[4])
redis.call('SET', KEYS[2], ms + tonumber(ARGV[2]), 'PX', math.max(tonumber(ARGV[2]), 1000))
return 0
"""


class SharedRunLostError(Exception):
    """Redis stopped answering, or the coordinator took this worker for dead: the process must stop."""


def _plain(value: Any) -> Any:
    """A request or a batch of rows as JSON can hold it: bytes, tuples and dicts with other keys marked."""
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _plain(item) for key, item in value.items()}
        return {"\x00d": [[_plain(key), _plain(item)] for key, item in value.items()]}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return {"\x00t": [_plain(item) for item in value]}
    if isinstance(value, bytes):
        return {"\x00b": base64.b64encode(value).decode("ascii")}
    return value


def _marked(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        ((mark, item),) = value.items()
        if mark == "\x00b":
            return base64.b64decode(item)
        if mark == "\x00t":
            return tuple(item)
        if mark == "\x00d":
            return dict(item)
    return value


def pack(value: Any) -> bytes:
    """Serialize a request or a batch of rows for Redis (JSON; the same value gives the same bytes)."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def unpack(blob: bytes) -> Any:
    """What ``pack`` serialized."""
    return json.loads(blob, object_hook=_marked)


def connect(url: str) -> redis.Redis:
    """A Redis connection from a ``redis://`` URL (its password, if any, is in the URL)."""
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


def where(url: str) -> str:
    """The server of a Redis URL as a person reads it (host:port), never its password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def insecure(url: str) -> bool:
    """True when a Redis URL reaches another machine without a password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return parts.scheme != "unix" and not loopback and not parts.password


def _digest(key: str) -> bytes:
    """A claimed key as the seen-set keeps it: 8 bytes (two keys of a run of a million sharing one: 3 in 10^8)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()


def new_key() -> str:
    """The Redis key of a new run attempt, in the order attempts were opened (a resumed run is a new attempt)."""
    return f"gongkai:run:{time.time_ns():x}-{uuid.uuid4().hex[:6]}"


def stable_hash(text: str) -> str:
    """A short hash of ``text`` that is the same in every process (Python's ``hash`` is not)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@cache
def joined(url: str, key: str) -> SharedRun:
    """The crawl process's part in the shared run ``key``: one connection per process, counted among the workers.

    A crawl process cannot go on without its shared run: any failure of Redis stops it
    at once (``stop_when_lost``), and what it held is handed out again.
    """
    run = SharedRun(url, key)

    def lost(exc: SharedRunLostError) -> NoReturn:
        with contextlib.suppress(redis.RedisError):
            if run.server.get(run.k("state")) in (b"done", b"stopped"):
                os._exit(0)  # the run ended while this process was finishing: nothing is lost
        stop_when_lost(exc)

    run.on_lost = lost
    run.join()
    return run


def stop_when_lost(exc: SharedRunLostError) -> NoReturn:
    """Stop this crawl process at once: what it holds is handed out again to the run's other workers."""
    sys.stderr.write(say("worker_process_lost", error=str(exc)) + "\n")
    sys.stderr.flush()
    os._exit(SHARED_RUN_LOST)


def _raise(exc: SharedRunLostError) -> NoReturn:
    raise exc


class SharedRun:
    """One run attempt in Redis, as a crawl process or the coordinator sees it.

    ``on_lost`` is called with the error when Redis fails (it must not return):
    by default it raises it.
    """

    def __init__(
        self,
        url: str,
        key: str,
        worker: str | None = None,
        on_lost: Callable[[SharedRunLostError], NoReturn] = _raise,
    ) -> None:
        self.url = url
        self.key = key
        self.server = connect(url)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.on_lost = on_lost
        self._scripts = {
            name: self.server.register_script(source)
            for name, source in (
                ("push_page", _PUSH_PAGE),
                ("take", _TAKE),
                ("commit", _COMMIT),
                ("claim", _CLAIM),
                ("requeue", _REQUEUE),
                ("finished", _FINISHED),
                ("pace", _PACE),
            )
        }
        self._beating: threading.Thread | None = None
        self._pace_token = 0

    def k(self, name: str) -> str:
        """The Redis key of one of the run's parts."""
        return f"{self.key}:{name}"

    def _lost(self, exc: Exception) -> NoReturn:
        self.on_lost(SharedRunLostError(f"Redis {where(self.url)}: {exc}"))

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """One Redis command; a failure of Redis is ``on_lost``'s."""
        try:
            return getattr(self.server, method)(*args, **kwargs)
        except redis.RedisError as exc:
            self._lost(exc)

    def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        try:
            answer = self._scripts[script](keys=keys, args=args)
        except redis.RedisError as exc:
            self._lost(exc)
        if answer == FENCED:
            self.on_lost(SharedRunLostError(say("worker_fenced", worker=self.worker)))
        return answer

    # the coordinator ------------------------------------------------------------

    @classmethod
    def open(cls, url: str, key: str, plan_json: str, files: dict[str, str]) -> SharedRun:
        """Start run attempt ``key``: its plan and files (rule tables …) for the workers, its name among open runs."""
        run = cls(url, key, worker="coordinator")
        try:
            with run.server.pipeline() as pipe:
                pipe.set(run.k("protocol"), PROTOCOL)
                pipe.set(run.k("plan"), plan_json)
                if files:
                    pipe.hset(run.k("files"), mapping=files)
                pipe.set(run.k("state"), "running")
                pipe.set(run.k("alive:coordinator"), "1", px=int(ALIVE_SECONDS * 1000))
                pipe.sadd(RUNS, run.key)
                pipe.execute()
        except redis.RedisError as exc:
            run._lost(exc)
        return run

    def results(self, count: int = 64) -> list[dict[str, Any]]:
        """The oldest batches of rows the workers reported, taken off the list."""
        return [unpack(blob) for blob in self._call("lpop", self.k("results"), count) or []]

    def hand_out_again(self) -> int:
        """Put the leases of every worker that stopped answering back in the queues: how many."""
        returned = 0
        for worker in [w.decode() for w in self._call("smembers", self.k("workers"))]:
            keys = [self.k("workers"), self.k(f"inflight:{worker}"), self.k("pages"), self.k("checks")]
            returned += int(self._run("requeue", [*keys, self.k(f"alive:{worker}")], [worker, _REQUEUED]))
        return returned

    def say_alive(self) -> None:
        """Say the coordinator is alive: its workers stop when it has not said so for ALIVE_SECONDS."""
        self._call("set", self.k("alive:coordinator"), "1", px=int(ALIVE_SECONDS * 1000))

    def finish_if_done(self) -> bool:
        """Mark the run done when all was seeded, nothing waits or is leased and every result was taken."""
        names = ("seeded", "pages", "checks", "results", "workers", "state")
        return bool(self._run("finished", [self.k(n) for n in names], [self.key]))

    def close(self, state: str) -> None:
        """End the attempt (``done`` or ``stopped``): the workers stop, and its keys go."""
        try:
            self.server.set(self.k("state"), state, ex=3600)
            self.server.srem(RUNS, self.key)
            keys = [k for k in self.server.scan_iter(f"{self.key}:*", count=1000) if k != self.k("state").encode()]
            for start in range(0, len(keys), 500):
                self.server.unlink(*keys[start : start + 500])
        except redis.RedisError:
            pass  # Redis is gone, and the run's keys with it

    # a worker ----------------------------------------------------------------------

    @classmethod
    def waiting(cls, url: str) -> list[str]:
        """The run attempts open in this Redis whose coordinator is alive, oldest first (a dead one's are removed)."""
        server = connect(url)
        try:
            open_runs = []
            for key in sorted(k.decode() for k in server.smembers(RUNS)):
                if server.exists(f"{key}:alive:coordinator"):
                    open_runs.append(key)
                else:
                    server.srem(RUNS, key)
            return open_runs
        except redis.RedisError as exc:
            raise SharedRunLostError(f"Redis {where(url)}: {exc}") from exc
        finally:
            server.close()

    def join(self) -> None:
        """Count this process among the run's workers, and keep saying it is alive."""
        try:
            with self.server.pipeline() as pipe:
                pipe.sadd(self.k("workers"), self.worker)
                pipe.set(self.k(f"alive:{self.worker}"), "1", px=int(ALIVE_SECONDS * 1000))
                pipe.execute()
        except redis.RedisError as exc:
            self._lost(exc)
        self._beating = threading.Thread(target=self._beat, daemon=True, name="gongkai-heartbeat")
        self._beating.start()

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(redis.RedisError):  # a moment's trouble: the next beat, or step, tells
                if not self.server.sismember(self.k("workers"), self.worker):
                    self.on_lost(SharedRunLostError(say("worker_fenced", worker=self.worker)))
                self.server.set(self.k(f"alive:{self.worker}"), "1", px=int(ALIVE_SECONDS * 1000))

    def state(self) -> str:
        """The attempt's state: ``running``, ``done`` or ``stopped`` (also when its keys or coordinator are gone)."""
        state, alive = self._call("mget", [self.k("state"), self.k("alive:coordinator")])
        if state == b"running" and alive is None:
            return "stopped"
        return state.decode() if state else "stopped"

    def plan_and_files(self) -> tuple[str, dict[str, str]]:
        """The run's plan (JSON) and its files (file name → text).

        SharedRunLostError when it has ended; ValueError when another version of gongkai opened it.
        """
        protocol, plan = self._call("mget", [self.k("protocol"), self.k("plan")])
        if plan is None:
            raise SharedRunLostError(f"run {self.key} is no longer open")
        if protocol != PROTOCOL.encode():
            raise ValueError(f"protocol {protocol!r}, not {PROTOCOL}")
        files = {k.decode(): v.decode() for k, v in self._call("hgetall", self.k("files")).items()}
        return plan.decode(), files

    def push_page(self, priority: int, blob: bytes) -> None:
        """Queue a page request (serialized with ``pack``) for any worker."""
        self._run("push_page", [self.k("pages"), self.k("seq")], [priority, blob, _PRIORITY_STEP])

    def take(self, kind: str) -> tuple[str, bytes, str, bool] | None:
        """Lease the next page request (``p``) or link check (``c``), None when none waits.

        A page request comes with its name (the SHA1 of what was queued) and whether
        it was handed out again after its worker died. A page request queued again,
        the same, after it was taken is not taken twice.
        """
        queues = [self.k("pages"), self.k("checks")]
        keys = [self.k("workers"), *queues, self.k(f"inflight:{self.worker}"), self.k("lease"), self.k("taken")]
        answer = self._run("take", keys, [self.worker, kind, _REQUEUED // 2])
        if not answer:
            return None
        lease, blob, name, again = answer
        return lease.decode(), blob, name.decode(), bool(again)

    def queued_pages(self) -> int:
        """Page requests waiting in the queue."""
        return int(self._call("zcard", self.k("pages")))

    def commit(self, batch: dict[str, list[dict[str, Any]]], replace: Iterable[str], leases: list[str]) -> None:
        """Report rows and end leases in one step; the link checks among the rows are queued for the checkers.

        The lease ``seed`` says the run's first requests are all queued.
        """
        rows = {table: rows for table, rows in batch.items() if rows}
        blob = pack({"rows": rows, "replace": sorted(replace)}) if rows else b""
        checks = [
            json.dumps([row["key"], row["url"], row["method"], row["meta"]], ensure_ascii=False)
            for row in rows.get("frontier", ())
            if json.loads(row["meta"])["callback"] == "check"
        ]
        keys = [self.k("workers"), self.k(f"inflight:{self.worker}"), self.k("results"), self.k("checks")]
        self._run("commit", [*keys, self.k("seeded")], [self.worker, blob, len(leases), *leases, *checks])

    def claim(self, key: str, claimer: str) -> str:
        """Claim ``key`` for the page ``claimer``: the page that holds it (``claimer`` itself when new)."""
        return self._run("claim", [self.k("seen")], [_digest(key), claimer]).decode()

    def claimed(self, keys: Iterable[str], claimer: str) -> None:
        """Record keys as claimed already by ``claimer`` (a resumed run's requests)."""
        remaining = iter(keys)
        while part := list(itertools.islice(remaining, 5000)):
            self._call("hset", self.k("seen"), mapping=dict.fromkeys(map(_digest, part), claimer))

    def count(self, dept: str, name: str, add: int = 0) -> int:
        """A site's count of ``name`` (pages, checks, rendered) across all workers, after adding ``add``."""
        return int(self._call("hincrby", self.k("counts"), f"{dept}|{name}", add))

    def pace(self, host: str, concurrency: int, delay: float, hold: float) -> tuple[float, str | None]:
        """Ask to start a request to ``host``: (seconds to wait first, None) or (0, the token to give back).

        At most ``concurrency`` requests to a host are under way across all workers,
        at least ``delay`` apart; a token not given back frees itself after ``hold`` seconds.
        """
        self._pace_token += 1
        token = f"{self.worker}:{self._pace_token}"
        keys = [self.k(f"pace:{host}"), self.k(f"next:{host}")]
        wait = int(self._run("pace", keys, [concurrency, int(delay * 1000), int(hold * 1000), token]))
        return (wait / 1000, None) if wait > 0 else (0.0, token)

    def paced(self, host: str, token: str) -> None:
        """Give back a request's token: it has its answer."""
        self._call("zrem", self.k(f"pace:{host}"), token)
