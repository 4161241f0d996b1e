"""A run shared out through Redis: a coordinator and workers find what one machine finds, and lose nothing.

Each test starts its own Debian ``redis-server`` on a free loopback port. The
site is the benchmark's synthetic disclosure site (columns, paginated lists,
articles with attachments, planted broken links), served as static files.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_client
from conftest import AS_OF, write_config
from scrapy import FormRequest
from scrapy.utils.request import request_from_dict
from sites import StaticSite

from common.shared_run import SharedRun, new_key, pack, unpack, where
from crawler.queues import request_to_dict
from monitor.cli import checked_redis
from monitor.config import load_config
from monitor.crawl import CrawlError, run_crawl
from monitor.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic_site import generate

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
TABLES = {
    "pages": "select url, status from pages where run_id = ?",
    "checks": "select url, outcome from checks where run_id = ?",
    "links": "select source_url, url from links where run_id = ?",
    "items": "select column_url, url, date_raw from items where run_id = ?",
    "columns": "select url, reading from columns where run_id = ?",
    "problems": "select type, url from problems where run_id = ?",
}


class RedisServer:
    """Debian's redis-server on a free loopback port, without persistence."""

    def __init__(self, directory: Path, password: str | None = None) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.password = password
        self.url = f"redis://{f':{password}@' if password else ''}127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers."""
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen([*args, "--dir", str(self.directory)], stdout=subprocess.DEVNULL)
        client = redis_client.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis_client.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Stop the server (its data goes with it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def stored(self) -> list[bytes]:
        """Every key the server holds."""
        return redis_client.Redis.from_url(self.url).keys("*")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, set[str]]]:
    """The files of a synthetic site of 400 pages, and the paths of its planted broken links."""
    root = tmp_path_factory.mktemp("www")
    yield root, generate(root, 400)


@pytest.fixture(scope="module")
def alone(synthetic: tuple[Path, set[str]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Counter[tuple]]:
    """What one machine finds on the synthetic site, crawling it without Redis."""
    site = StaticSite(synthetic[0])
    try:
        directory = tmp_path_factory.mktemp("alone")
        return _rows(directory / "g.db", _crawl(directory, site.base).run_id, site.base)
    finally:
        site.server.shutdown()


def _config(directory: Path, base: str) -> Path:
    return write_config(
        directory,
        "crawl: {concurrency_per_site: 4, max_pages_per_site: 100000}\n"
        f"departments:\n  - {{id: csj, name: 测试局, site: '{base}'}}\n",
    )


def _crawl(directory: Path, base: str, redis: str | None = None, resume: int | None = None):
    config = _config(directory, base)
    return run_crawl(load_config(config), config, directory / "g.db", as_of=AS_OF, redis=redis, resume=resume)


def _rows(db: Path, run_id: int, base: str) -> dict[str, Counter[tuple]]:
    """The run's rows of each table, its site's address taken out (each test serves the site on its own port)."""

    def local(row: tuple) -> tuple:
        return tuple(v.replace(base, "/") if isinstance(v, str) else v for v in row)

    with sqlite3.connect(db) as conn:
        return {
            table: Counter(local(row) for row in conn.execute(sql, [run_id]).fetchall())
            for table, sql in TABLES.items()
        }


class Worker:
    """A `gongkai worker` process on this machine, with what it says."""

    def __init__(self, redis: str, log: Path) -> None:
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [GONGKAI, "worker", "--redis", redis, "--page-workers", "1"],
                stderr=out,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )

    def said(self) -> str:
        """What it has written to its terminal so far."""
        return self.log.read_text(encoding="utf-8")

    def requests(self) -> list[int]:
        """The requests it says it made, one number per run it took part in."""
        return [int(n) for n in re.findall(r"本机共请求 (\d+) 次", self.said())]

    def wait_for_its_report(self, seconds: float = 30) -> None:
        """Wait until it says how much it asked for in the run it took part in (it leaves the run a moment later)."""
        deadline = time.monotonic() + seconds
        while not self.requests() and time.monotonic() < deadline:
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the worker and every crawl process it started."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), as a person pressing Ctrl-C would."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def test_a_coordinator_and_two_workers_find_what_one_machine_finds(tmp_path, redis_server, synthetic, alone):
    site = StaticSite(synthetic[0])
    workers = [Worker(redis_server.url, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    try:
        run = _crawl(tmp_path / "shared", site.base, redis_server.url)
        for worker in workers:  # each says it took part, and how much it asked for
            worker.wait_for_its_report()
    finally:
        for worker in workers:
            worker.stop()
        site.server.shutdown()

    shared = _rows(tmp_path / "shared" / "g.db", run.run_id, site.base)
    for table in TABLES:
        assert shared[table] == alone[table], table
    assert all(worker.requests() and worker.requests()[0] > 0 for worker in workers), [w.said() for w in workers]
    answered = Counter((method, path) for method, path, _, status in site.log if status < 400)
    del answered["GET", "/robots.txt"]  # read once by each crawl process
    assert max(answered.values()) == 1  # no page or attachment asked for twice by the three machines' worth
    # The run's keys are gone from Redis but for its final state, which expires.
    assert [key for key in redis_server.stored() if not key.endswith(b":state")] == []
    assert Store(tmp_path / "shared" / "g.db").run(run.run_id)["status"] == "complete"


def test_a_worker_killed_mid_run_changes_nothing_in_the_result(tmp_path, redis_server, synthetic, alone):
    site = StaticSite(synthetic[0], delay=0.02)  # slow enough to kill a worker while it holds pages
    victim = Worker(redis_server.url, tmp_path / "victim.log")
    survivor = Worker(redis_server.url, tmp_path / "survivor.log")
    try:
        from threading import Thread

        result: dict[str, object] = {}
        crawl = Thread(target=lambda: result.update(run=_crawl(tmp_path / "shared", site.base, redis_server.url)))
        crawl.start()
        deadline = time.monotonic() + 60
        while "参加抓取任务" not in victim.said() or len(site.log) < 150:
            assert time.monotonic() < deadline, victim.said()
            time.sleep(0.05)
        victim.kill()
        crawl.join(300)
    finally:
        victim.stop()
        survivor.stop()
        site.server.shutdown()

    run = result["run"]
    shared = _rows(tmp_path / "shared" / "g.db", run.run_id, site.base)  # type: ignore[attr-defined]
    for table in TABLES:
        assert shared[table] == alone[table], table
    assert victim.requests() == []  # it never finished its part
    assert run.handed_out_again > 0  # type: ignore[attr-defined]  # what it held was made by the others


@pytest.fixture
def redis_with_password(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, password="s3cret-pw")
    server.start()
    yield server
    server.stop()


def test_redis_stopped_mid_run_leaves_the_run_incomplete_and_resumable(tmp_path, redis_with_password, synthetic, alone):
    redis_server = redis_with_password
    site = StaticSite(synthetic[0], delay=0.02)
    db = tmp_path / "shared" / "g.db"
    try:
        from threading import Thread

        failure: list[BaseException] = []

        def crawl() -> None:
            try:
                _crawl(tmp_path / "shared", site.base, redis_server.url)
            except CrawlError as exc:
                failure.append(exc)

        thread = Thread(target=crawl)
        thread.start()
        deadline = time.monotonic() + 60
        while len(site.log) < 150:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        redis_server.stop()
        thread.join(120)
        assert not thread.is_alive()
        assert failure, "the run did not stop"
        message = str(failure[0])
        assert f"127.0.0.1:{redis_server.port}" in message and "未完成" in message and "--resume" in message
        assert "s3cret-pw" not in message
        # The password is in no file the run left behind (its plan stays for the resume).
        left = [p for p in (tmp_path / "shared").iterdir() if p.is_file() and p.suffix != ".db"]
        assert any(p.name.endswith(".plan.json") for p in left)
        assert not [p for p in left if b"s3cret-pw" in p.read_bytes()]
        store = Store(db)
        (interrupted,) = store.runs()
        assert interrupted["status"] == "incomplete"
        store.close()

        redis_server.start()  # Redis is back (empty): the run resumes from the store
        resumed = _crawl(tmp_path / "shared", site.base, redis_server.url, resume=0)
    finally:
        site.server.shutdown()
    assert resumed.run_id == interrupted["id"]
    shared = _rows(db, resumed.run_id, site.base)
    for table in TABLES:
        assert shared[table] == alone[table], table


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("redis://10.1.2.3:6379/0", True),
        ("redis://redis.example.gov.cn/0", True),
        ("rediss://:@10.1.2.3:6380/0", True),  # an empty password is none
        ("redis://:s3cret@10.1.2.3:6379/0", False),
        ("redis://127.0.0.1:6379/0", False),
        ("redis://127.0.0.2:6379/0", False),
        ("redis://localhost/0", False),
        ("redis://[::1]:6379/0", False),
        ("unix:///run/redis/redis.sock", False),
    ],
)
def test_a_redis_without_a_password_on_another_machine_is_warned_of(url, warned, capsys):
    assert checked_redis(url) == url  # said before anything connects to it
    said = capsys.readouterr().err
    assert ("没有密码" in said) == warned
    if warned:
        assert where(url) in said


def test_an_unreachable_redis_is_said_in_chinese_without_its_password(tmp_path):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = subprocess.run(
        [GONGKAI, "worker", "--redis", f"redis://:s3cret@127.0.0.1:{port}/0", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert f"Redis（127.0.0.1:{port}）无法使用" in out.stderr
    assert "s3cret" not in out.stderr and "没有密码" not in out.stderr
    config = _config(tmp_path, "http://127.0.0.1:9/")
    crawl = subprocess.run(
        [GONGKAI, "crawl", "-c", str(config), "--db", str(tmp_path / "g.db"), "--redis", f"redis://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        env={**os.environ, "GONGKAI_OFFLINE": "1"},
        timeout=120,
    )
    assert crawl.returncode == 1 and f"Redis（127.0.0.1:{port}）无法使用" in crawl.stderr
    store = Store(tmp_path / "g.db")
    assert [run["status"] for run in store.runs()] == ["incomplete"]  # resumable once Redis is there
    store.close()


def test_a_run_whose_coordinator_died_is_not_joined_and_stops_its_workers(redis_server):
    plan = '{"run_id": 1}'
    dead = SharedRun.open(redis_server.url, new_key(), plan, {})
    alive = SharedRun.open(redis_server.url, new_key(), plan, {})
    worker = SharedRun(redis_server.url, dead.key)
    assert worker.state() == "running"
    assert SharedRun.waiting(redis_server.url) == [dead.key, alive.key]  # oldest first
    redis_client.Redis.from_url(redis_server.url).delete(dead.k("alive:coordinator"))  # as if it had died
    assert worker.state() == "stopped"  # its workers stop
    assert SharedRun.waiting(redis_server.url) == [alive.key]  # and no new worker joins it


def test_a_request_crosses_redis_as_json_unchanged():
    request = FormRequest(
        "http://127.0.0.1:8000/col/list.jsp?page=2",
        formdata={"栏目": "通知公告", "page": "2"},
        priority=5,
        meta={"dept": "csj", "form": (("栏目", "通知公告"), ("page", "2")), "render": False, "depth": 3},
        headers={"Referer": "http://127.0.0.1:8000/col/"},
        dont_filter=True,
    )
    data = request_to_dict(request, None)  # type: ignore[arg-type]
    blob = pack(data)
    assert blob.startswith(b"{") and pack(unpack(blob)) == blob  # JSON, the same bytes for the same request
    again = request_from_dict(unpack(blob))
    assert type(again) is FormRequest
    assert (again.url, again.method, again.body, again.priority) == (request.url, "POST", request.body, 5)
    assert again.headers == request.headers and again.meta == request.meta


def test_a_sites_concurrency_holds_for_all_workers_together(tmp_path, redis_server, synthetic):
    site = StaticSite(synthetic[0], delay=0.02)
    workers = [Worker(redis_server.url, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    try:
        config = write_config(
            tmp_path / "shared",
            "crawl: {concurrency_per_site: 2, page_workers: 2, max_pages_per_site: 100000}\n"
            f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        run_crawl(load_config(config), config, tmp_path / "shared" / "g.db", as_of=AS_OF, redis=redis_server.url)
        for worker in workers:
            worker.wait_for_its_report()
    finally:
        for worker in workers:
            worker.stop()
        site.server.shutdown()
    # Four page spiders and three link checkers on three "machines", each allowed the whole
    # budget on its own: the site never saw more than its two requests at once.
    assert all(worker.requests()[0] > 0 for worker in workers)
    assert site.most_at_once == 2


def test_what_a_dead_worker_held_is_read_again_once_even_when_queued_again(redis_server):
    coordinator = SharedRun.open(redis_server.url, new_key(), '{"run_id": 1}', {})
    dead, alive = (SharedRun(redis_server.url, coordinator.key, worker=name) for name in ("dead", "alive"))
    for worker in (dead, alive):
        worker.server.sadd(worker.k("workers"), worker.worker)
        worker.server.set(worker.k(f"alive:{worker.worker}"), "1")
    parent, child = pack({"url": "http://127.0.0.1/a/"}), pack({"url": "http://127.0.0.1/a/1.html"})
    coordinator.push_page(10, parent)
    coordinator.push_page(0, child)
    assert [dead.take("p")[1] for _ in range(2)] == [parent, child]  # type: ignore[index]
    redis_client.Redis.from_url(redis_server.url).delete(dead.k("alive:dead"))  # it stops answering
    assert coordinator.hand_out_again() == 2
    first = alive.take("p")  # the parent, handed out again (queued first: its bytes sort first)
    assert first is not None and first[1] == parent and first[3]
    alive.push_page(0, child)  # read again, the parent queues its child again: the same request
    second = alive.take("p")
    assert second is not None and second[1] == child and second[3]  # still marked as handed out again
    assert alive.take("p") is None  # read once, never lost
