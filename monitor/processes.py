"""The crawl processes a run starts: each in its own process group, dying with its parent, stopped in time.

``gongkai crawl`` (``monitor.crawl``) and ``gongkai worker`` (``monitor.worker``)
start the page spiders and the link checker the same way, and wait for them
until they end or must be stopped (``Halt``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


class StopReason(Protocol):
    """Anything that says whether to stop (a threading.Event, a coordinator, a Halt)."""

    def is_set(self) -> bool:
        """Whether to stop."""


class Halt:
    """Why a run's crawl processes are stopped: asked to, another reason (a shared run failing), or one of them failing.

    A page spider that dies leaves the others waiting for its share, which no one
    will crawl: they are stopped, and the run is left to resume.
    """

    def __init__(self, processes: Sequence[subprocess.Popen[str]], *reasons: StopReason | None) -> None:
        self.processes = processes  # a list the caller may still be adding to
        self.reasons = [reason for reason in reasons if reason is not None]

    def is_set(self) -> bool:
        """Whether to stop now."""
        failed = any(proc.poll() not in (None, 0) for proc in self.processes)
        return failed or any(reason.is_set() for reason in self.reasons)


# How long the crawl processes have to close cleanly once asked to stop, before they are killed.
STOP_GRACE_SECONDS = 15.0


def _die_with_parent(parent: int) -> Callable[[], None]:
    """In the child: be killed when the monitor dies, however it dies (Linux's parent-death signal).

    ``prctl`` is looked up here, in the parent: between fork and exec the child
    may only make plain system calls (another thread may hold the loader's lock).
    """
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def arm() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the monitor died before the signal was armed
            os._exit(1)

    return arm


def start_process(args: list[str], env: dict[str, str], lock_fd: int | None, **kwargs: Any) -> subprocess.Popen[str]:
    """A crawl process in its own process group, holding the store's lock with the monitor, dying with it.

    It inherits the lock's file descriptor, so the lock stays held while any
    crawl process lives, even if the monitor is killed.
    """
    return subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        process_group=0,
        pass_fds=(lock_fd,) if lock_fd is not None else (),
        preexec_fn=_die_with_parent(os.getpid()),
        **kwargs,
    )


def wait_process(proc: subprocess.Popen[str], stop: StopReason | None, hurry: bool = False) -> str:
    """Wait for a crawl process; on ``stop`` ask its group to finish (SIGTERM), then kill it after the grace time."""
    asked_at: float | None = None
    while True:
        try:
            return proc.communicate(timeout=0.5)[0]
        except subprocess.TimeoutExpired:
            if proc.returncode is not None or not (hurry or (stop is not None and stop.is_set())):
                continue
            if asked_at is None:
                asked_at = time.monotonic()
                _signal_group(proc, signal.SIGTERM)  # Scrapy and the checker close cleanly on it
            elif hurry or time.monotonic() - asked_at > STOP_GRACE_SECONDS:
                _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just ended
        os.killpg(proc.pid, signum)
